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

/* ================================================================ Phillips & Robinson 2007
 *
 * Mean-field model of the ascending arousal system (Phillips & Robinson 2007, J Biol Rhythms
 * 22:167): the VLPO (sleep-active) and monoaminergic (MA, wake-active) populations inhibit each
 * other; a somnogen H (nM) builds up with MA firing; the circadian drive C enters the VLPO.
 *   τv dVv/dt = -Vv + νvm Qm + Dv,   Dv = νvc C(t) + νvh H (1 - B(t))
 *   τm dVm/dt = -Vm + νmv Qv + νma Qa + W(t)
 *   χ  dH/dt  = -H + μ Qm
 *   Q(V) = Qmax / (1 + exp(-(V - θ)/σ)),  C(t) = c0 + cos(2π (t - φ)/T)
 * Awake while Vm > Vv. B(t) is the adenosine-receptor blockade by caffeine (0 without doses)
 * and W(t) the wake effort that holds Vm at V_WE outside the allowed sleep window
 * (docs/models/phillips-robinson.md has the sources and the assumptions). Units: voltages mV,
 * τv, τm s, χ h, H nM, Q s^-1; the run's clock is hours. */

/* The allowed sleep window, repeated every 24 h: lights off at bedtime_h (clock hours, in
 * [0, 24)) for time_in_bed_h hours (in (0, 24)); the end of the window is the alarm. */
typedef struct {
    double bedtime_h;     /* clock time of lights off, h, [0, 24) */
    double time_in_bed_h; /* length of the sleep window, h, (0, 24) */
} mg_sleep_schedule;

/* A dose of caffeine taken at time_h (run clock, h) of dose_mg milligrams (>= 0). */
typedef struct {
    double time_h;
    double dose_mg;
} mg_caffeine_dose;

/* Parameters of the Phillips–Robinson model (defaults: mg_sleep_pr_params_default). */
typedef struct {
    double tau_v_s;         /* τv, VLPO time constant, s (> 0); 10 */
    double tau_m_s;         /* τm, MA time constant, s (> 0); 10 */
    double nu_vm_mV_s;      /* νvm, MA -> VLPO coupling, mV s (<= 0: inhibition); -1.9 */
    double nu_mv_mV_s;      /* νmv, VLPO -> MA coupling, mV s (<= 0: inhibition); -1.9 */
    double nu_maqa_mV;      /* νma Qa, cholinergic/orexinergic drive to MA, mV; 1.0 */
    double nu_vc_mV;        /* νvc, circadian drive gain, mV; -6.3 */
    double nu_vh_mV_nM;     /* νvh, homeostatic drive gain, mV/nM (>= 0); 0.19 */
    double chi_h;           /* χ, somnogen clearance time, h (> 0); 10.8 */
    double mu_nM_s;         /* μ, somnogen production per MA spike rate, nM s (> 0); 3.6 */
    double q_max_per_s;     /* Qmax, maximal firing rate, s^-1 (> 0); 100 */
    double theta_mV;        /* θ, firing threshold, mV; 10 */
    double sigma_mV;        /* σ', sigmoid width, mV (> 0); 3 */
    double c0;              /* c0, circadian offset, C = c0 + cos(2π (t - φ)/T); 1 (CellML
                               2007; 4.5 in the 2008 set). PabRod's C = (1 + cos)/2 is c0 = 1
                               with nu_vc_mV halved */
    double period_h;        /* T, circadian period, h (> 0); 24 */
    double phase_h;         /* φ, run-clock time of the circadian wake-drive maximum, h; 16
                               (assumption: places spontaneous sleep at about 01-06 h) */
    double v_we_mV;         /* V_WE, MA voltage held by the wake effort outside the sleep
                               window, mV; -0.07 (assumption, after Postnova et al. 2018) */
    double caf_half_life_h; /* caffeine elimination half-life, h (> 0); 5 (assumption) */
    double caf_k50_mg;      /* caffeine amount in the body giving half of the maximal
                               blockade, mg (> 0); 100 (assumption) */
    double caf_max_block;   /* maximal fraction of the homeostatic drive blocked, [0, 1]; 0.5
                              (assumption) */
    double dt_s;            /* fixed RK4 step, s, (0, 2]; 1 */
} mg_sleep_pr_params;

/* The Phillips & Robinson 2007 nominal parameters (refs §3.2: the CellML/BioModels encoding
 * BIOMD0000000917) plus the assumptions marked above. */
mg_sleep_pr_params mg_sleep_pr_params_default(void);

/* Check the domain (ranges in the struct comments). MG_OK, or MG_ERR_DATA with a message naming
 * the parameter ("sleep_pr.chi_h must be > 0 h ..., got -1"). */
mg_status mg_sleep_pr_params_validate(mg_context *ctx, const mg_sleep_pr_params *p);

/* Fraction B(t) of the homeostatic drive blocked by caffeine at run time t_h:
 * A(t) = Σ dose_k 2^{-(t - t_k)/t½} over doses with t_k <= t (amount in the body, mg; instant
 * absorption), B = Bmax A/(A + K50). 0 without doses. */
double mg_sleep_pr_caffeine_block(const mg_sleep_pr_params *p, const mg_caffeine_dose *doses,
                                  size_t n_doses, double t_h);

/* Simulate the Phillips–Robinson model over [0, duration_h] (run clock: t = 0 is midnight of
 * day 0), starting awake (Vv = -10 mV, Vm = 1 mV, H = 13 nM; the first 48 h of any run are
 * transient). sched (may be NULL: free running) adds the wake effort outside its window;
 * doses (n_doses may be 0, doses then may be NULL) add caffeine. Fixed-step classical RK4 with
 * p->dt_s; a switch (sign change of Vm - Vv) is placed by linear interpolation inside its step.
 * The result reuses mg_sleep_result: episodes are the sleep episodes, s_onset/s_offset and the
 * samples s hold H in nM, awake the state; sample_h > 0 samples every sample_h hours.
 * Errors: MG_ERR_DATA for invalid parameters, schedule (bedtime_h outside [0, 24),
 * time_in_bed_h outside (0, 24)), doses (time not finite, dose negative or not finite),
 * duration_h not finite and > 0 or above 1e5 h, sample_h negative; MG_ERR_NOMEM. *out is zeroed
 * on error; free it with mg_sleep_result_free. */
mg_status mg_sleep_pr_run(mg_context *ctx, const mg_sleep_pr_params *p,
                          const mg_sleep_schedule *sched, const mg_caffeine_dose *doses,
                          size_t n_doses, double duration_h, double sample_h, mg_sleep_result *out);

#ifdef __cplusplus
}
#endif

#endif /* MGSIM_SLEEP_H */
