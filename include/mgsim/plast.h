/* mgsim — calcium-based synaptic plasticity: the Graupner & Brunel 2012 synapse
 * (PNAS 109:3991; correction doi 10.1073/pnas.1220044110) in single-synapse
 * experiment mode.
 *
 * Calcium (dimensionless, in units of the thresholds), driven by spike times:
 *   dc/dt = -c/τCa + C_pre Σ_i δ(t - t_i - D) + C_post Σ_j δ(t - t_j)
 * Synaptic efficacy ρ (bistable: DOWN ρ = 0 and UP ρ = 1 stable, ρ* unstable):
 *   τ dρ/dt = -ρ(1-ρ)(ρ*-ρ) + γp(1-ρ)Θ[c-θp] - γd ρ Θ[c-θd]
 *             + σ √τ √(Θ[c-θp] + Θ[c-θd]) η(t)
 * (the noise term in the form of the PNAS correction). Θ is the Heaviside step
 * with Θ[0] = 0. Readout after a protocol: the relative change of synaptic
 * strength [(1-U)β + Dt(1-β) + b(Uβ + (1-Dt)(1-β))] / (β + (1-β)b), with U and
 * Dt the UP and DOWN transition probabilities.
 *
 * Units: spike times and τCa, D in ms; τ in s; everything else dimensionless.
 * The module does no file I/O. Random numbers are counter-based (seed,
 * repetition, stream): results do not depend on thread count or call order.
 * docs/models/graupner-brunel-2012.md has the equations, parameter sources and
 * the numerical method with its error.
 */
#ifndef MGSIM_PLAST_H
#define MGSIM_PLAST_H

#include "mgsim/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parameters of the GB2012 synapse. */
typedef struct {
    double tau_ca_ms;  /* τCa, calcium decay time constant, ms (> 0) */
    double c_pre;      /* C_pre, calcium jump per presynaptic spike (>= 0) */
    double c_post;     /* C_post, calcium jump per postsynaptic spike (>= 0) */
    double theta_d;    /* θd, depression threshold (> 0) */
    double theta_p;    /* θp, potentiation threshold (> 0, >= θd) */
    double gamma_d;    /* γd, depression rate (>= 0) */
    double gamma_p;    /* γp, potentiation rate (>= 0) */
    double sigma;      /* σ, noise amplitude (>= 0) */
    double tau_rho_s;  /* τ, time constant of ρ, s (> 0) */
    double delay_D_ms; /* D, delay of the presynaptic calcium jump after the spike, ms (>= 0) */
    double rho_star;   /* ρ*, the unstable fixed point separating DOWN and UP (0 < ρ* < 1) */
    double beta;       /* β, fraction of synapses initially DOWN (0 <= β <= 1) */
    double b;          /* b = w1/w0, UP/DOWN weight ratio (> 0) */
} mg_gb_params;

/* Number of named parameter sets (mg_gb_params_name enumerates them). */
size_t mg_gb_params_count(void);

/* Name of parameter set i (0 <= i < mg_gb_params_count()), static storage; NULL
 * when i is out of range. Names: DP, DPD, DPD', P, D, D' (Fig. 2 sets),
 * cortical_slices, hippocampal_slices, hippocampal_cultures (data fits). */
const char *mg_gb_params_name(size_t i);

/* Fill *out with the named parameter set. Names are those of mg_gb_params_name;
 * "DPDp" and "Dp" are accepted as ASCII aliases of DPD' and D'. Values: the
 * authors' reference code mgraupe/CalciumBasedPlasticityModel (synapticChange.py,
 * choseParameterSet), as tabulated in refs §2.3 and §5.3.
 * ASSUMPTION: for hippocampal_slices and hippocampal_cultures the paper does not
 * state θd and θp (refs §5.3, open question §11); the sets use θd = 1, θp = 1.3,
 * the values the authors' code assigns to them. Treat these two thresholds as an
 * assumption, not a published fit.
 * Errors: MG_ERR_CONFIG for an unknown (or NULL) name, with the valid names in
 * the message; *out is then left unchanged. */
mg_status mg_gb_params_by_name(mg_context *ctx, const char *name, mg_gb_params *out);

/* Check every parameter's domain (see mg_gb_params): MG_OK, or MG_ERR_DATA with
 * a domain message naming the parameter ("theta_p must be > 0, got -1"). */
mg_status mg_gb_params_validate(mg_context *ctx, const mg_gb_params *p);

/* Calcium c(t) at time t_ms for the given spike trains (times in ms, any order):
 * the sum of exponentials Σ C_pre e^{-(t-t_i-D)/τCa} + Σ C_post e^{-(t-t_j)/τCa}
 * over the jumps at or before t (c is right-continuous). */
double mg_gb_calcium(const mg_gb_params *p, const double *pre_ms, size_t n_pre,
                     const double *post_ms, size_t n_post, double t_ms);

/* Exact time (ms) the calcium trace spends above θd and above θp in [0, t_end_ms]
 * (c = 0 before the first jump; jumps after t_end_ms are ignored). Event-driven:
 * between jumps c decays exponentially, so each excursion above θ ends
 * τCa ln(c0/θ) after the jump that reached c0. Spike times must be sorted
 * ascending and >= 0. Either output may be NULL.
 * Errors: MG_ERR_DATA for unsorted, negative or non-finite times;
 * MG_ERR_NOMEM. */
mg_status mg_gb_time_above(mg_context *ctx, const mg_gb_params *p, const double *pre_ms,
                           size_t n_pre, const double *post_ms, size_t n_post, double t_end_ms,
                           double *above_d_ms, double *above_p_ms);

/* The right-hand side of the noise-free ρ equation, dρ/dt in 1/s, with the
 * Heaviside terms given as their values: theta_p_on, theta_d_on in [0, 1]
 * (0 or 1 for a single time point; the fractions of time αp, αd above θp, θd
 * give the time-averaged drift of the analytic approximation). */
double mg_gb_drift(const mg_gb_params *p, double rho, double theta_p_on, double theta_d_on);

/* The calcium trace of a protocol cut into segments on which Θ[c-θp] and
 * Θ[c-θd] are constant, with the integration steps laid out: built once per
 * spike pattern, used for any number of repetitions. Immutable once built. */
typedef struct mg_gb_schedule mg_gb_schedule;

/* Build the schedule of the spike trains over [0, t_end_ms] (sorted times, as
 * mg_gb_time_above). Steps: on a segment with Θp, Θd constant, ρ advances in
 * equal steps of at most 0.02 τ / (1 + γp Θp + γd Θd). The caller owns *out
 * (mg_gb_schedule_destroy). Errors: as mg_gb_time_above, and MG_ERR_DATA for
 * invalid parameters (mg_gb_params_validate). */
mg_status mg_gb_schedule_create(mg_context *ctx, const mg_gb_params *p, const double *pre_ms,
                                size_t n_pre, const double *post_ms, size_t n_post, double t_end_ms,
                                mg_gb_schedule **out);

/* Free a schedule and set *s to NULL. Accepts NULL and a pointer to NULL. */
void mg_gb_schedule_destroy(mg_gb_schedule **s);

/* Total time above θd in the schedule, ms (equal to mg_gb_time_above's above_d_ms). */
double mg_gb_schedule_above_d_ms(const mg_gb_schedule *s);

/* Total time above θp in the schedule, ms (equal to mg_gb_time_above's above_p_ms). */
double mg_gb_schedule_above_p_ms(const mg_gb_schedule *s);

/* Length of the schedule, ms (t_end_ms). */
double mg_gb_schedule_duration_ms(const mg_gb_schedule *s);

/* ρ at the end of the schedule, starting from rho0, without noise (σ ignored).
 * p must be the parameters the schedule was built with (its steps depend on γ, τ):
 * classical RK4 on each constant-Θ segment with the schedule's steps (local
 * error about 2e-10 per step for ρ in [-0.25, 1.25]; docs give the bound). */
double mg_gb_rho_deterministic(const mg_gb_params *p, const mg_gb_schedule *s, double rho0);

/* ρ at the end of the schedule with noise, for repetition `rep` of stream
 * `stream` under `seed` (p as for mg_gb_rho_deterministic; σ is read from p
 * here, so it may differ from the schedule's): on each step the RK4 drift plus a Gaussian increment
 * with the variance of the noise filtered by the drift linearised at the step's
 * start, s² (e^{2Lh} - 1)/(2L), s² = σ² (Θp + Θd)/τ, L = ∂(dρ/dt)/∂ρ (exact for a
 * linear drift; Euler–Maruyama in the limit L h -> 0). Normals come from
 * Philox (purpose MG_RNG_USER + 0, entity rep, counter stream·2^32 + draw). */
double mg_gb_rho_stochastic(const mg_gb_params *p, const mg_gb_schedule *s, double rho0,
                            uint64_t seed, uint32_t stream, uint32_t rep);

/* Monte Carlo transition probabilities: `reps` repetitions start DOWN (ρ = 0,
 * repetition numbers 0..reps-1) and `reps` start UP (ρ = 1, numbers
 * reps..2 reps-1); *up is the fraction of DOWN starts that end above ρ*, *down
 * the fraction of UP starts that end below ρ*. Runs on mg_context_threads(ctx)
 * threads; the result does not depend on their number.
 * Errors: MG_ERR_DATA when reps is 0 or above 2^31. */
mg_status mg_gb_transitions(mg_context *ctx, const mg_gb_params *p, const mg_gb_schedule *s,
                            size_t reps, uint64_t seed, uint32_t stream, double *up, double *down);

/* Relative change of synaptic strength (after/before) from the UP and DOWN
 * transition probabilities: [(1-U)β + Dt(1-β) + b(Uβ + (1-Dt)(1-β))] / (β + (1-β)b). */
double mg_gb_change(const mg_gb_params *p, double up, double down);

/* The analytic approximation of GB2012 (ρ as an Ornstein–Uhlenbeck process with
 * the Θ terms replaced by their time averages), as in the authors' reference
 * code (synapticChange.py: changeInSynapticStrength, transitionProbability). */
typedef struct {
    double alpha_d, alpha_p; /* fractions of the protocol's time above θd, θp */
    double gamma_d_eff;      /* Γd = γd αd */
    double gamma_p_eff;      /* Γp = γp αp */
    double rho_bar;          /* ρ̄ = Γp/(Γp+Γd); NaN when Γp+Γd = 0 */
    double tau_eff_s;        /* τeff = τ/(Γp+Γd), s; +inf when Γp+Γd = 0 */
    double sigma_rho2;       /* σρ² = σ²(αp+αd)/(Γp+Γd); NaN when Γp+Γd = 0 */
    double up, down;         /* U and Dt from the Gaussian approximation (0 when Γp+Γd = 0) */
    double change;           /* mg_gb_change(p, up, down) */
} mg_gb_analytic;

/* Evaluate the analytic approximation for a protocol of duration T_s (s) during
 * which c spends above_d_s above θd and above_p_s above θp (s):
 *   U  = ½ (1 + erf((ρ̄(1 - e^{-T/τeff}) - ρ*) / √(σρ²(1 - e^{-2T/τeff}))))
 *   Dt = ½ (1 - erf((ρ̄ + (1-ρ̄) e^{-T/τeff} - ρ*) / √(σρ²(1 - e^{-2T/τeff}))))
 * With σ = 0 the erf becomes a step (U = 1 when the mean crosses ρ*). */
mg_gb_analytic mg_gb_analytic_eval(const mg_gb_params *p, double above_d_s, double above_p_s,
                                   double T_s);

/* A pairing protocol: `pairs` pre/post pairs at frequency_hz; pair k starts at
 * k/frequency_hz; Δt = t_post - t_pre (ms): with Δt >= 0 the presynaptic spike
 * comes first, at the start of the period. The protocol lasts pairs/frequency_hz. */
typedef struct {
    size_t pairs;
    double frequency_hz;
    double dt_ms;
} mg_gb_pairing;

/* Spike times of the pairing protocol into pre_ms and post_ms (each `pairs`
 * long, caller-owned) and its duration into *t_end_ms (any output may be NULL
 * to skip it). Errors: MG_ERR_DATA when pairs is 0, frequency_hz is not > 0 and
 * finite, or |Δt| + D does not fit in one period (the calcium jumps of a pair
 * must all fall inside its period): messages name the protocol.* key. */
mg_status mg_gb_pairing_spikes(mg_context *ctx, const mg_gb_params *p, const mg_gb_pairing *pr,
                               double *pre_ms, double *post_ms, double *t_end_ms);

/* One point of an STDP curve. */
typedef struct {
    double dt_ms;      /* Δt */
    double above_d_s;  /* time above θd over the protocol, s */
    double above_p_s;  /* time above θp over the protocol, s */
    mg_gb_analytic an; /* analytic approximation */
    double up_sim;     /* Monte Carlo U (NaN when reps = 0) */
    double down_sim;   /* Monte Carlo Dt (NaN when reps = 0) */
    double change_sim; /* mg_gb_change(up_sim, down_sim) (NaN when reps = 0) */
} mg_gb_stdp_point;

/* Run a pairing protocol: times above threshold, analytic approximation, and
 * (when reps > 0) the Monte Carlo transition probabilities with `reps`
 * repetitions from each initial state, random stream chosen from Δt's value
 * (so a Δt gives the same numbers whatever sweep it belongs to).
 * Errors: those of mg_gb_params_validate, mg_gb_pairing_spikes and
 * mg_gb_transitions; MG_ERR_NOMEM. */
mg_status mg_gb_stdp_run(mg_context *ctx, const mg_gb_params *p, const mg_gb_pairing *pr,
                         size_t reps, uint64_t seed, mg_gb_stdp_point *out);

/* ---------------------------------------------------------------- NMDA-driven calcium
 * (second increment; docs/models/graupner-brunel-2012.md, "NMDA-driven calcium").
 * In `nmda` mode the presynaptic jump C_pre is replaced by an NMDA calcium current
 * (Shouval, Bear & Cooper 2002): each presynaptic spike, after the delay D, adds
 * I_f e^{-s/τf} + I_s e^{-s/τs} to the gating g(t), and
 *   dc/dt = -c/τCa + c_nmda g(t) B(V(t), [Mg]o) (V_r - V(t))/(V_r - V_rest)
 *           + C_post Σ_j δ(t - t_j)
 * with B the Jahr–Stevens block (mg_net_nmda_block) and the postsynaptic membrane
 *   V(t) = V_rest + Σ_j A (f e^{-s/τbf} + (1-f) e^{-s/τbs}),  s = t - t_j - d_bpap >= 0.
 * Calibration (an assumption, see the docs): c_nmda = nmda_scale · C_pre /
 * (B(V_rest, mg_ref) (I_f τf + I_s τs)), so that one presynaptic spike at V_rest and
 * [Mg]o = mg_ref lets C_pre enter in all (∫c dt = C_pre τCa, the GB2012 jump's). */

/* Source of the presynaptic calcium. */
typedef enum {
    MG_GB_CALCIUM_SPIKE = 0, /* GB2012: a jump C_pre D after each presynaptic spike */
    MG_GB_CALCIUM_NMDA = 1   /* NMDA current through the Mg block (above) */
} mg_gb_calcium_mode;

/* Parameters of the calcium source (mg_gb_calcium_defaults gives the values). */
typedef struct {
    mg_gb_calcium_mode mode;
    double mg_mM;            /* [Mg]o, mM (>= 0); default 1 */
    double nmda_scale;       /* multiplier of the calibrated c_nmda (>= 0); default 1 */
    double mg_ref_mM;        /* [Mg]o of the calibration, mM (>= 0); default 1 */
    double i_f, i_s;         /* gating amplitudes I_f, I_s (>= 0, not both 0); 0.5, 0.5 */
    double tau_f_ms;         /* τf, fast gating decay, ms (> 0); 50 */
    double tau_s_ms;         /* τs, slow gating decay, ms (> 0); 200 */
    double v_rest_mV;        /* V_rest, mV (< v_rev_mV); -65 (an assumption) */
    double v_rev_mV;         /* V_r, calcium reversal of the NMDA current, mV; 130 */
    double bpap_mV;          /* A, BPAP amplitude, mV; 100 */
    double bpap_fast_frac;   /* f, fraction of A on the fast decay (in [0, 1]); 0.75 */
    double bpap_tau_fast_ms; /* τbf, ms (> 0); 3 */
    double bpap_tau_slow_ms; /* τbs, ms (> 0); 25 */
    double bpap_delay_ms;    /* d_bpap, BPAP arrival after the postsynaptic spike, ms (>= 0); 2 */
    double mg_scale_mM;      /* Jahr–Stevens constant, mM (> 0); 3.57 */
    double gamma_per_mV;     /* Jahr–Stevens slope, 1/mV (>= 0); 0.062 */
    double step_ms;          /* integration step, ms (> 0, <= 1); 0.05 */
} mg_gb_calcium_params;

/* Fill *out with the defaults: mode spike, the Shouval 2002 values above (refs §2.4,
 * §6.2), Jahr & Stevens 1990 block, V_rest -65 mV, step 0.05 ms. */
void mg_gb_calcium_defaults(mg_gb_calcium_params *out);

/* Check every field's domain: MG_OK, or MG_ERR_DATA with a message naming the key
 * ("extracellular.mg_mM must be >= 0 mM, got -1"; other fields as rule.<field>). */
mg_status mg_gb_calcium_validate(mg_context *ctx, const mg_gb_calcium_params *q);

/* The calibrated influx coefficient c_nmda (1/ms) of the formula above. Pure. */
double mg_gb_nmda_rate(const mg_gb_params *p, const mg_gb_calcium_params *q);

/* Integrate the nmda-mode calcium over [0, t_end_ms] (sorted spike trains, as
 * mg_gb_time_above; the jump C_pre is not used): exponential integrator with the
 * influx by Simpson's rule on sub-steps of at most q->step_ms, cut at every event
 * (presynaptic arrival t_i + D, postsynaptic jump, BPAP arrival), relative error of
 * the integrals below 1e-8 at 0.05 ms. Times above θd and θp are measured on that
 * grid with linearly interpolated crossings (error below h²|c''|/(8|c'|) per crossing).
 * Outputs (each may be NULL): ∫c dt (ms), ∫influx dt (calcium entered through NMDA),
 * c(t_end_ms), times above θd and θp (ms). q->mode is ignored (always nmda).
 * Errors: MG_ERR_DATA for bad trains, parameters (both validators) or t_end_ms. */
mg_status mg_gb_nmda_trace(mg_context *ctx, const mg_gb_params *p, const mg_gb_calcium_params *q,
                           const double *pre_ms, size_t n_pre, const double *post_ms, size_t n_post,
                           double t_end_ms, double *int_c_ms, double *influx, double *c_end,
                           double *above_d_ms, double *above_p_ms);

/* mg_gb_schedule_create with the calcium source q (NULL or mode spike: exactly
 * mg_gb_schedule_create; nmda: the trace of mg_gb_nmda_trace). Errors: as
 * mg_gb_schedule_create and mg_gb_calcium_validate. */
mg_status mg_gb_schedule_create_calcium(mg_context *ctx, const mg_gb_params *p,
                                        const mg_gb_calcium_params *q, const double *pre_ms,
                                        size_t n_pre, const double *post_ms, size_t n_post,
                                        double t_end_ms, mg_gb_schedule **out);

/* mg_gb_stdp_run with the calcium source q (NULL or mode spike: identical results).
 * Errors: as mg_gb_stdp_run and mg_gb_calcium_validate. */
mg_status mg_gb_stdp_run_calcium(mg_context *ctx, const mg_gb_params *p,
                                 const mg_gb_calcium_params *q, const mg_gb_pairing *pr,
                                 size_t reps, uint64_t seed, mg_gb_stdp_point *out);

#ifdef __cplusplus
}
#endif
#endif /* MGSIM_PLAST_H */
