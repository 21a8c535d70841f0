/* `mgsim validate`: the table of validation targets. Internal to the mgsim command.
 *
 * A target computes one number ("got") from the library's public API and compares it with a
 * published value or range, or with an analytic solution. The modules' targets live in
 * validate_net.c (engine), validate_plast.c (plasticity), validate_body.c (body and diet) and
 * validate_sleep.c (sleep and stress); cmd_validate.c runs them and prints the table.
 * docs/validation.md lists every target with its source and the reason for its tolerance. */
#ifndef MGSIM_CLI_VALIDATE_TARGETS_H
#define MGSIM_CLI_VALIDATE_TARGETS_H

#include <stddef.h>

#include "mgsim/base.h"

/* Means over nights of the hypnogram metrics (mg_hypnogram_metrics), min or % of TST. */
typedef struct {
    double tst, se, sol, waso, n1, n2, n3, rem, cycle;
    double sem_n1, sem_n2, sem_n3, sem_rem; /* standard errors of the share means */
    double cycles, sem_cycles;              /* completed cycles per night and its SEM */
    double rem_len, sem_rem_len;            /* REM lengthening (nights that have it) and its SEM */
} vt_nights;

/* Results shared by several targets, computed once on first use (owned by the run of
 * `mgsim validate`, freed by vt_cache_free). */
typedef struct {
    const char *data_dir; /* data/ (cli_data_dir) */
    char root[1024];      /* the source tree (data_dir/..): examples/ and bench/reference/ */
    int quiet;            /* no progress lines on stderr */
    /* engine: mean rates (Hz) over seeds 1..5 */
    int wang_done, coba_done;
    double wang_e[3][5], wang_i[3][5]; /* [Mg]o 0.5, 1, 2 mM */
    double coba[5];
    /* sleep stages: night means (age 35, 20 nights; age 35 and 75, 30 nights) */
    int stages_done, ages_done;
    vt_nights st, st_young, st_old;
    /* stress: the day summaries of a week of the default HPA axis */
    int hpa_done;
    double hpa_peak[6], hpa_peak_h[6], hpa_nadir[6], hpa_nadir_h[6];
    double hpa_avg_peak_h, hpa_avg_nadir_h;
} vt_cache;

/* What a target's function reports. The caller fills lo, hi from the table and the rest with
 * NaN / empty strings before the call. */
typedef struct {
    double got;         /* the number compared */
    double lo, hi;      /* accepted when lo <= got <= hi (the function may change them) */
    int verdict;        /* -1: judge by [lo, hi]; 0: fail; 1: pass (set by the function) */
    char expected[128]; /* replaces the table's expected text when not empty */
    char got_text[128]; /* how got is printed; "%.4g" of got when empty */
    char detail[512];   /* more numbers, for the CSV and JSON files (may stay empty) */
} vt_outcome;

typedef mg_status (*vt_fn)(mg_context *ctx, vt_cache *cache, vt_outcome *out);

/* One validation target. */
typedef struct {
    const char *id;        /* module.name, e.g. "body.serum_at_rda_women" */
    const char *what;      /* one line: what is computed */
    const char *source;    /* paper and figure/table */
    const char *expected;  /* published value or range, as printed */
    const char *tolerance; /* as printed */
    const char *why;       /* one line: why this tolerance */
    int slow;              /* takes more than a few seconds: skipped by --quick */
    double lo, hi;         /* default acceptance interval for got */
    vt_fn fn;
} vt_target;

/* The targets of each module (static storage) and their number in *n. */
const vt_target *vt_engine_targets(size_t *n);
const vt_target *vt_plast_targets(size_t *n);
const vt_target *vt_body_targets(size_t *n);
const vt_target *vt_sleep_targets(size_t *n);

/* A progress line "validate: MESSAGE" on stderr unless the cache says quiet. */
void vt_progress(const vt_cache *cache, const char *message);

/* Free what the cache holds (nothing today beyond the struct itself). */
void vt_cache_free(vt_cache *cache);

#endif /* MGSIM_CLI_VALIDATE_TARGETS_H */
