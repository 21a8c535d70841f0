/* The two-process model of sleep regulation (Borbély 1982; Daan, Beersma &
 * Borbély 1984): standard parameters, validation, and the event-driven
 * simulator (exact exponentials for S, a safe bracketing search for each switch).
 * Equations and method: include/mgsim/sleep.h and docs/models/two-process.md. */
#include "mgsim/sleep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SLEEP_TWO_PI 6.283185307179586476925286766559

/* Smallest step of the safe search, h: a touch of a threshold narrower than this may be missed. */
#define SLEEP_STEP_FLOOR_H 1e-9
/* Iteration cap of one switch search (never reached with valid parameters). */
#define SLEEP_MAX_ITER 10000000L
/* Cap on the number of samples of S. */
#define SLEEP_MAX_SAMPLES 100000000.0

mg_sleep_params mg_sleep_params_default(void) {
    /* refs §2.2 (secondary: npj Biol Timing Sleep 2025, figs 1 and 6 captions; the
     * twoprocessmodel documentation tau_r = 18.2; Daan 1984 amplitude 0.12 and phase 8.6 h
     * per the Achermann/Borbély demonstration page). These are the values with which the
     * npj fig. 6 caption reports the 22.6 h / 5.8 h cycle at a = 0 (refs §3.1), the issue's
     * test target. */
    mg_sleep_params p;
    p.chi_w_h = 18.2;
    p.chi_s_h = 4.2;
    p.mu = 1.0;
    p.h0_upper = 0.67;
    p.h0_lower = 0.17;
    p.amp = 0.12;
    p.period_h = 24.0;
    p.phase_h = 8.6;
    return p;
}

/* Raise the domain error of parameter `key` unless ok. */
static mg_status check(mg_context *ctx, int ok, const char *key, const char *what, double v) {
    if (ok)
        return MG_OK;
    return mg_error_raise(ctx, MG_ERR_DATA, "sleep.%s must be %s, got %g", key, what, v);
}

mg_status mg_sleep_params_validate(mg_context *ctx, const mg_sleep_params *p) {
    mg_status st;
    if ((st = check(ctx, isfinite(p->chi_w_h) && p->chi_w_h > 0.0, "chi_w_h",
                    "> 0 h (time constant of the rise of S while awake)", p->chi_w_h)) != MG_OK ||
        (st = check(ctx, isfinite(p->chi_s_h) && p->chi_s_h > 0.0, "chi_s_h",
                    "> 0 h (time constant of the decay of S while asleep)", p->chi_s_h)) != MG_OK ||
        (st = check(ctx, isfinite(p->mu) && p->mu > 0.0, "mu", "> 0 (upper asymptote of S)",
                    p->mu)) != MG_OK ||
        (st = check(ctx, isfinite(p->h0_upper), "h0_upper", "finite (mean upper threshold)",
                    p->h0_upper)) != MG_OK ||
        (st = check(ctx, isfinite(p->h0_lower), "h0_lower", "finite (mean lower threshold)",
                    p->h0_lower)) != MG_OK ||
        (st = check(ctx, isfinite(p->amp) && p->amp >= 0.0, "amp", ">= 0 (circadian amplitude)",
                    p->amp)) != MG_OK ||
        (st = check(ctx, isfinite(p->period_h) && p->period_h > 0.0, "period_h",
                    "> 0 h (circadian period)", p->period_h)) != MG_OK ||
        (st = check(ctx, isfinite(p->phase_h), "phase_h", "finite h (circadian phase)",
                    p->phase_h)) != MG_OK)
        return st;
    if (!(p->h0_lower - p->amp > 0.0))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "sleep.h0_lower (%g) must exceed sleep.amp (%g): the lower threshold "
                              "H0- - a must stay > 0 or sleep never ends",
                              p->h0_lower, p->amp);
    if (!(p->h0_upper > p->h0_lower))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "sleep.h0_upper (%g) must be > sleep.h0_lower (%g): thresholds in "
                              "the wrong order",
                              p->h0_upper, p->h0_lower);
    if (!(p->h0_upper + p->amp < p->mu))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "sleep.h0_upper (%g) + sleep.amp (%g) must be < sleep.mu (%g): S "
                              "must be able to reach the upper threshold or wake never ends",
                              p->h0_upper, p->amp, p->mu);
    return MG_OK;
}

double mg_sleep_circadian(const mg_sleep_params *p, double t_h) {
    return sin(SLEEP_TWO_PI * (t_h - p->phase_h) / p->period_h);
}

double mg_sleep_threshold_upper(const mg_sleep_params *p, double t_h) {
    return p->h0_upper + p->amp * mg_sleep_circadian(p, t_h);
}

double mg_sleep_threshold_lower(const mg_sleep_params *p, double t_h) {
    return p->h0_lower + p->amp * mg_sleep_circadian(p, t_h);
}

double mg_sleep_s_advance(const mg_sleep_params *p, double s0, int awake, double dt_h) {
    if (awake)
        return p->mu + (s0 - p->mu) * exp(-dt_h / p->chi_w_h);
    return s0 * exp(-dt_h / p->chi_s_h);
}

/* ---------------------------------------------------------------- switch search */

/* The state's switch function f(t): >= 0 once the switch is due.
 * Awake: S(t) - H+(t); asleep: H-(t) - S(t). S starts at s_a at t_a. */
static double switch_fn(const mg_sleep_params *p, int awake, double t_a, double s_a, double t) {
    double s = mg_sleep_s_advance(p, s_a, awake, t - t_a);
    return awake ? s - mg_sleep_threshold_upper(p, t) : mg_sleep_threshold_lower(p, t) - s;
}

/* A bound on |f'| over [t, ∞): |S'| decreases along each exponential
 * (awake (μ - S)/χw, asleep S/χs) and |H'| <= a 2π/T. */
static double switch_lipschitz(const mg_sleep_params *p, int awake, double t_a, double s_a,
                               double t) {
    double s = mg_sleep_s_advance(p, s_a, awake, t - t_a);
    double ds = awake ? (p->mu - s) / p->chi_w_h : s / p->chi_s_h;
    return fabs(ds) + p->amp * SLEEP_TWO_PI / p->period_h;
}

/* First t in [t_a, t_end] with f(t) >= 0. Returns 1 and *t_sw when found, 0 when there is
 * none before t_end, -1 when the search did not converge. Safe stepping: from f(t) < 0 no
 * root lies in [t, t - f/L], so the step max(-f/L, floor) never passes a root wider than the
 * floor; the bracket [t, t + step] that first shows f >= 0 is then bisected until its ends
 * are adjacent doubles, and its right end (where f >= 0) is returned. */
static int find_switch(const mg_sleep_params *p, int awake, double t_a, double s_a, double t_end,
                       double *t_sw) {
    double t = t_a;
    double f = switch_fn(p, awake, t_a, s_a, t);
    if (f >= 0.0) {
        *t_sw = t;
        return 1;
    }
    for (long it = 0; it < SLEEP_MAX_ITER; it++) {
        double d = -f / switch_lipschitz(p, awake, t_a, s_a, t);
        if (!(d >= SLEEP_STEP_FLOOR_H))
            d = SLEEP_STEP_FLOOR_H;
        double tn = t + d;
        if (tn > t_end)
            tn = t_end;
        double fn = switch_fn(p, awake, t_a, s_a, tn);
        if (fn >= 0.0) {
            double lo = t, hi = tn;
            for (int k = 0; k < 200; k++) {
                double mid = lo + 0.5 * (hi - lo);
                if (mid <= lo || mid >= hi)
                    break;
                if (switch_fn(p, awake, t_a, s_a, mid) >= 0.0)
                    hi = mid;
                else
                    lo = mid;
            }
            *t_sw = hi;
            return 1;
        }
        if (tn >= t_end)
            return 0;
        t = tn;
        f = fn;
    }
    return -1;
}

/* ---------------------------------------------------------------- simulator */

void mg_sleep_result_free(mg_sleep_result *r) {
    if (!r)
        return;
    free(r->episodes);
    free(r->s);
    free(r->awake);
    memset(r, 0, sizeof *r);
}

/* Append an episode (onset only; offset filled later). */
static mg_status push_episode(mg_context *ctx, mg_sleep_result *r, size_t *cap, double onset,
                              double s_onset) {
    if (r->n_episodes == *cap) {
        size_t nc = *cap ? 2 * *cap : 16;
        mg_sleep_episode *e = realloc(r->episodes, nc * sizeof *e);
        if (!e)
            return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory for %zu sleep episodes", nc);
        r->episodes = e;
        *cap = nc;
    }
    mg_sleep_episode *e = &r->episodes[r->n_episodes++];
    e->onset_h = onset;
    e->s_onset = s_onset;
    e->offset_h = NAN;
    e->s_offset = NAN;
    return MG_OK;
}

/* Record the samples k with t_a <= k h < t_b (k from *next) of the segment starting at
 * (t_a, s_a) in `awake`; with last != 0 the segment also takes k h == t_b. */
static void fill_samples(const mg_sleep_params *p, mg_sleep_result *r, size_t *next,
                         double sample_h, int awake, double t_a, double s_a, double t_b, int last) {
    while (*next < r->n_samples) {
        double t = (double)*next * sample_h;
        if (t > t_b || (t == t_b && !last))
            break;
        r->s[*next] = mg_sleep_s_advance(p, s_a, awake, t - t_a);
        r->awake[*next] = (unsigned char)(awake ? 1 : 0);
        (*next)++;
    }
}

mg_status mg_sleep_two_process_run(mg_context *ctx, const mg_sleep_params *p, double s0, int awake0,
                                   double duration_h, double sample_h, mg_sleep_result *out) {
    memset(out, 0, sizeof *out);
    mg_status st = mg_sleep_params_validate(ctx, p);
    if (st != MG_OK)
        return st;
    if (!(isfinite(s0) && s0 > 0.0 && s0 < p->mu))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "initial S must be in (0, sleep.mu) = (0, %g), got %g", p->mu, s0);
    if (!(isfinite(duration_h) && duration_h > 0.0))
        return mg_error_raise(ctx, MG_ERR_DATA, "duration must be finite and > 0 h, got %g",
                              duration_h);
    if (!(isfinite(sample_h) && sample_h >= 0.0))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "sample interval must be finite and >= 0 h (0: no sampling), got %g",
                              sample_h);
    mg_sleep_result r;
    memset(&r, 0, sizeof r);
    if (sample_h > 0.0) {
        double n = floor(duration_h / sample_h * (1.0 + 1e-12)) + 1.0;
        if (n > SLEEP_MAX_SAMPLES)
            return mg_error_raise(ctx, MG_ERR_DATA,
                                  "%.0f samples of S (duration %g h / interval %g h) exceed the "
                                  "limit of %.0f",
                                  n, duration_h, sample_h, SLEEP_MAX_SAMPLES);
        r.n_samples = (size_t)n;
        r.s = malloc(r.n_samples * sizeof *r.s);
        r.awake = malloc(r.n_samples);
        if (!r.s || !r.awake) {
            mg_sleep_result_free(&r);
            return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory for %zu samples of S",
                                  r.n_samples);
        }
    }
    size_t cap = 0, next = 0;
    int awake = awake0 ? 1 : 0;
    double t_a = 0.0, s_a = s0;
    r.starts_asleep = !awake;
    if (!awake && (st = push_episode(ctx, &r, &cap, 0.0, s0)) != MG_OK)
        goto fail;
    for (;;) {
        double t_sw;
        int found = find_switch(p, awake, t_a, s_a, duration_h, &t_sw);
        if (found < 0) {
            st = mg_error_raise(ctx, MG_ERR_INTERNAL,
                                "two-process switch search did not converge after t = %g h", t_a);
            goto fail;
        }
        if (!found) {
            fill_samples(p, &r, &next, sample_h, awake, t_a, s_a, duration_h, 1);
            r.s_end = mg_sleep_s_advance(p, s_a, awake, duration_h - t_a);
            r.awake_end = awake;
            break;
        }
        double s_sw = mg_sleep_s_advance(p, s_a, awake, t_sw - t_a);
        fill_samples(p, &r, &next, sample_h, awake, t_a, s_a, t_sw, 0);
        if (awake) {
            if ((st = push_episode(ctx, &r, &cap, t_sw, s_sw)) != MG_OK)
                goto fail;
        } else {
            r.episodes[r.n_episodes - 1].offset_h = t_sw;
            r.episodes[r.n_episodes - 1].s_offset = s_sw;
        }
        awake = !awake;
        t_a = t_sw;
        s_a = s_sw;
    }
    r.ends_asleep = !r.awake_end;
    if (r.ends_asleep) {
        r.episodes[r.n_episodes - 1].offset_h = duration_h;
        r.episodes[r.n_episodes - 1].s_offset = r.s_end;
    }
    *out = r;
    return MG_OK;
fail:
    mg_sleep_result_free(&r);
    return st;
}
