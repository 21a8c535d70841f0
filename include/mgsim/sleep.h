/* mgsim — sleep–wake regulation: the two-process model (Borbély 1982; Daan,
 * Beersma & Borbély 1984), first piece of issue 5.
 *
 * Homeostatic sleep pressure S (dimensionless), exact between switches:
 *   awake:  S(t) = μ + (S_a - μ) e^{-(t - t_a)/χw}   (rises toward μ)
 *   asleep: S(t) = S_a e^{-(t - t_a)/χs}             (decays toward 0)
 * Circadian process C and the two thresholds:
 *   C(t)  = sin(2π (t - t0)/T)
 *   H+(t) = H0+ + a C(t),   H-(t) = H0- + a C(t)
 * Awake → asleep when S reaches H+; asleep → awake when S falls to H-.
 * Units: hours throughout. refs: shared/refs/sleep-and-stress-models.md §2.2,
 * §3.1; docs/models/two-process.md has the equations, the sources, the
 * numerical method and the numbers it reproduces. The module does no file I/O
 * and keeps no global state.
 */
#ifndef MGSIM_SLEEP_H
#define MGSIM_SLEEP_H

#include <stddef.h>

#include "mgsim/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parameters of the two-process model (all times in hours). */
typedef struct {
    double chi_w_h;  /* χw, time constant of the rise of S while awake, h (> 0) */
    double chi_s_h;  /* χs, time constant of the decay of S while asleep, h (> 0) */
    double mu;       /* μ, upper asymptote of S while awake (> 0) */
    double h0_upper; /* H0+, mean upper (sleep-onset) threshold */
    double h0_lower; /* H0-, mean lower (wake-onset) threshold */
    double amp;      /* a, circadian amplitude of both thresholds (>= 0) */
    double period_h; /* T, circadian period, h (> 0) */
    double phase_h;  /* t0, circadian phase: C(t) = sin(2π (t - t0)/T), h (finite) */
} mg_sleep_params;

/* The standard parameters (refs §2.2): χw = 18.2 h, χs = 4.2 h, μ = 1,
 * H0+ = 0.67, H0- = 0.17, a = 0.12, T = 24 h, t0 = 8.6 h (Daan 1984; the
 * Achermann–Borbély demonstration's t0 = -1.6 h variant, which also changes the
 * lower threshold, is not used). */
mg_sleep_params mg_sleep_params_default(void);

/* Check the domain: χw, χs, μ, T > 0 and finite; a >= 0; t0 finite; and the
 * thresholds ordered 0 < H0- - a < H0- < H0+ < H0+ + a < μ (so S always crosses
 * each threshold and never reaches 0 or μ). MG_OK, or MG_ERR_DATA with a message
 * naming the parameter ("sleep.chi_w_h must be > 0 h ..., got -1"). */
mg_status mg_sleep_params_validate(mg_context *ctx, const mg_sleep_params *p);

/* Circadian process C(t) = sin(2π (t_h - t0)/T), in [-1, 1]. */
double mg_sleep_circadian(const mg_sleep_params *p, double t_h);

/* Upper threshold H+(t) = H0+ + a C(t). */
double mg_sleep_threshold_upper(const mg_sleep_params *p, double t_h);

/* Lower threshold H-(t) = H0- + a C(t). */
double mg_sleep_threshold_lower(const mg_sleep_params *p, double t_h);

/* S after dt_h hours from s0 in the given state (awake != 0: rise toward μ with
 * χw; otherwise decay toward 0 with χs), by the exact exponential. */
double mg_sleep_s_advance(const mg_sleep_params *p, double s0, int awake, double dt_h);

/* One sleep episode: from onset (wake → sleep switch) to offset (sleep → wake). */
typedef struct {
    double onset_h;  /* time of sleep onset, h (0 when the run starts asleep) */
    double offset_h; /* time of waking, h (duration_h when the run ends asleep) */
    double s_onset;  /* S at onset */
    double s_offset; /* S at offset */
} mg_sleep_episode;

/* Result of a run. Owned by the caller; free with mg_sleep_result_free. */
typedef struct {
    mg_sleep_episode *episodes; /* sleep episodes in time order */
    size_t n_episodes;
    int starts_asleep;    /* the first episode's onset is the start of the run, not a switch */
    int ends_asleep;      /* the last episode's offset is the end of the run, not a switch */
    double *s;            /* S at t = k·sample_h, k = 0..n_samples-1 (NULL without sampling) */
    unsigned char *awake; /* state at the same times: 1 awake, 0 asleep */
    size_t n_samples;
    double s_end;  /* S at duration_h */
    int awake_end; /* state at duration_h */
} mg_sleep_result;

/* Simulate the two-process model over [0, duration_h] from S(0) = s0 in the
 * given state (awake0 != 0: awake). Event-driven: S is the exact exponential
 * between switches; each switch is the first root of S(t) - H±(t) after the
 * previous one, found by Lipschitz-safe stepping (steps that cannot pass a root,
 * floor 1e-9 h) and then bisection of the bracket to adjacent doubles, so the
 * switch times are exact to rounding; a touch of the threshold narrower than
 * 1e-9 h may be missed. At t = 0 a state already past its threshold (awake with
 * S >= H+(0), asleep with S <= H-(0)) switches at once. sample_h > 0 also
 * records S and the state every sample_h hours (0: no sampling).
 * *out is filled on success and zeroed on error.
 * Errors: MG_ERR_DATA for invalid parameters (mg_sleep_params_validate), s0 not
 * in (0, μ), duration_h not finite and > 0, sample_h negative or not finite,
 * more than 1e8 samples; MG_ERR_NOMEM; MG_ERR_INTERNAL if a switch search fails
 * to converge (not expected with valid parameters). */
mg_status mg_sleep_two_process_run(mg_context *ctx, const mg_sleep_params *p, double s0, int awake0,
                                   double duration_h, double sample_h, mg_sleep_result *out);

/* Free the arrays of a result and zero it. Accepts NULL. */
void mg_sleep_result_free(mg_sleep_result *r);

#ifdef __cplusplus
}
#endif

#endif /* MGSIM_SLEEP_H */
