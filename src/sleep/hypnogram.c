/* Hypnogram metrics (total sleep, efficiency, latencies, WASO, awakenings, stage shares,
 * NREM–REM cycles after Feinberg & Floyd 1979) for any array of 30-s (or other) epochs.
 * Definitions: include/mgsim/sleep_stages.h and docs/models/sleep-stages.md. */
#include "mgsim/sleep_stages.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Feinberg & Floyd 1979 style cycle rules, minutes. */
#define HYP_REM_MERGE_MIN 15.0 /* REM runs closer than this are one REM period */
#define HYP_REM_MIN_MIN   5.0  /* REM periods shorter than this are dropped (except the first) */

const char *mg_sleep_stage_name(int stage) {
    switch (stage) {
        case MG_STAGE_WAKE:
            return "W";
        case MG_STAGE_N1:
            return "N1";
        case MG_STAGE_N2:
            return "N2";
        case MG_STAGE_N3:
            return "N3";
        case MG_STAGE_REM:
            return "R";
        default:
            return "?";
    }
}

void mg_hypnogram_free(mg_hypnogram *hy) {
    if (!hy)
        return;
    free(hy->stage);
    free(hy->swa);
    free(hy->h);
    free(hy->circ_min_h);

    memset(hy, 0, sizeof *hy);
}

static int is_sleep(unsigned char s) {
    return s != MG_STAGE_WAKE;
}

mg_status mg_hypnogram_metrics_compute(mg_context *ctx, const unsigned char *stage, size_t n_epochs,
                                       double epoch_s, mg_hypnogram_metrics *out) {
    memset(out, 0, sizeof *out);
    if (!stage)
        return mg_error_raise(ctx, MG_ERR_DATA, "hypnogram: the stage array is NULL");
    if (n_epochs == 0)
        return mg_error_raise(ctx, MG_ERR_DATA, "hypnogram: n_epochs must be >= 1, got 0");
    if (!(isfinite(epoch_s) && epoch_s > 0.0))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "hypnogram: epoch_s must be finite and > 0 s (30 for AASM), got %g",
                              epoch_s);
    for (size_t i = 0; i < n_epochs; i++)
        if (stage[i] > MG_STAGE_REM)
            return mg_error_raise(ctx, MG_ERR_DATA,
                                  "hypnogram: epoch %zu holds stage code %u; codes are 0 (W), "
                                  "1 (N1), 2 (N2), 3 (N3), 4 (REM)",
                                  i, (unsigned)stage[i]);
    const double ep = epoch_s / 60.0; /* min per epoch */
    mg_hypnogram_metrics m;
    memset(&m, 0, sizeof m);
    m.time_in_bed_min = (double)n_epochs * ep;
    size_t count[5] = {0, 0, 0, 0, 0};
    size_t onset = n_epochs, last_sleep = 0;
    for (size_t i = 0; i < n_epochs; i++) {
        count[stage[i]]++;
        if (is_sleep(stage[i])) {
            if (onset == n_epochs)
                onset = i;
            last_sleep = i;
        }
    }
    size_t n_sleep = n_epochs - count[MG_STAGE_WAKE];
    m.total_sleep_min = (double)n_sleep * ep;
    m.sleep_efficiency_pct = 100.0 * (double)n_sleep / (double)n_epochs;
    m.sleep_onset_latency_min = (double)onset * ep;
    m.first_rem_latency_min = NAN;
    m.mean_cycle_min = NAN;
    m.rem_lengthening_min = NAN;
    if (n_sleep == 0) {
        m.n1_pct = m.n2_pct = m.n3_pct = m.rem_pct = NAN;
        *out = m;
        return MG_OK;
    }
    m.waso_min = m.time_in_bed_min - m.sleep_onset_latency_min - m.total_sleep_min;
    m.n1_pct = 100.0 * (double)count[MG_STAGE_N1] / (double)n_sleep;
    m.n2_pct = 100.0 * (double)count[MG_STAGE_N2] / (double)n_sleep;
    m.n3_pct = 100.0 * (double)count[MG_STAGE_N3] / (double)n_sleep;
    m.rem_pct = 100.0 * (double)count[MG_STAGE_REM] / (double)n_sleep;
    /* Awakenings: wake bouts after onset that end before the last sleep epoch. */
    for (size_t i = onset + 1; i <= last_sleep; i++)
        if (stage[i] == MG_STAGE_WAKE && is_sleep(stage[i - 1]))
            m.awakenings++;
    for (size_t i = onset; i < n_epochs; i++)
        if (stage[i] == MG_STAGE_REM) {
            m.first_rem_latency_min = (double)(i - onset) * ep;
            break;
        }
    /* REM periods: runs of REM merged across gaps < 15 min; then the length filter. */
    double cycle_start = (double)onset * ep, cycle_sum = 0.0;
    double first_len = 0.0, later_sum = 0.0; /* for the REM lengthening */
    int n_later = 0;
    size_t i = onset;
    int n_periods = 0;
    while (i < n_epochs) {
        if (stage[i] != MG_STAGE_REM) {
            i++;
            continue;
        }
        size_t start = i, end = i; /* end: one past the last REM epoch of the period */
        while (end < n_epochs && stage[end] == MG_STAGE_REM)
            end++;
        for (;;) {
            size_t j = end;
            while (j < n_epochs && stage[j] != MG_STAGE_REM)
                j++;
            if (j < n_epochs && (double)(j - end) * ep < HYP_REM_MERGE_MIN) {
                end = j;
                while (end < n_epochs && stage[end] == MG_STAGE_REM)
                    end++;
            } else
                break;
        }
        double len = (double)(end - start) * ep;
        if (n_periods == 0 || len >= HYP_REM_MIN_MIN) {
            if (n_periods < 16)
                m.rem_period_min[n_periods] = len;
            if (n_periods == 0)
                first_len = len;
            else if (end < n_epochs) { /* complete: not cut by lights on */
                later_sum += len;
                n_later++;
            }
            n_periods++;
            double cycle_end = (double)end * ep;
            cycle_sum += cycle_end - cycle_start;
            cycle_start = cycle_end;
        }
        i = end;
    }
    m.n_rem_periods = n_periods;
    m.cycles = n_periods;
    if (n_periods > 0)
        m.mean_cycle_min = cycle_sum / (double)n_periods;
    if (n_later > 0)
        m.rem_lengthening_min = later_sum / (double)n_later - first_len;
    *out = m;
    return MG_OK;
}
