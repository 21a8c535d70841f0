/* Internal helpers shared by the files of src/plast (not installed). */
#ifndef MGSIM_PLAST_INTERNAL_H
#define MGSIM_PLAST_INTERNAL_H

#include <math.h>
#include <stddef.h>

#include "mgsim/plast.h"

/* Check a spike train: finite, >= 0, ascending (MG_ERR_DATA naming `which` otherwise). */
mg_status mg_plast_check_train(mg_context *ctx, const double *t, size_t n, const char *which);

/* Time (ms) in a step of length h, c going linearly from c0 to c1, during which c > th. */
static inline double mg_lin_above(double c0, double c1, double th, double h) {
    if (c0 > th && c1 > th)
        return h;
    if (c0 <= th && c1 <= th)
        return 0.0;
    double x = (th - c0) / (c1 - c0) * h;
    return c1 > c0 ? h - x : x;
}

/* Excitotoxic-load accumulator: threshold, peak, time above, area above. */
typedef struct {
    double tox, peak, above, area;
} mg_tox_acc;

/* Add a linear step c0 -> c1 of length h (trapezoid; exact for a linear c). */
static inline void mg_tox_add(mg_tox_acc *a, double c0, double c1, double h) {
    if (c1 > a->peak)
        a->peak = c1;
    double x = mg_lin_above(c0, c1, a->tox, h);
    a->above += x;
    if (x >= h)
        a->area += h * (0.5 * (c0 + c1) - a->tox);
    else if (x > 0.0)
        a->area += 0.5 * x * (fmax(c0, c1) - a->tox);
}

#endif
