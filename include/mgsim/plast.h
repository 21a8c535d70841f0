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

/* ================================================================ issue 3, third increment:
 * more rules, induction protocols, Mg-dependent signal-to-noise, homeostatic NMDA-receptor
 * expression, energy and excitotoxic readouts. Pages: docs/models/shouval-2002.md, stdp.md,
 * protocols.md, homeostasis.md, energy.md. Everything below is added; nothing above changes. */

/* ---------------------------------------------------------------- rules */

/* The plasticity rules a protocol can run (`rule.name`). */
typedef enum {
    MG_RULE_GB2012 = 0,       /* "gb2012": Graupner & Brunel 2012 (above) */
    MG_RULE_SHOUVAL2002 = 1,  /* "shouval2002": Shouval, Bear & Cooper 2002 (below) */
    MG_RULE_STDP_PAIR = 2,    /* "stdp_pair": pair-based STDP, all-to-all */
    MG_RULE_STDP_TRIPLET = 3, /* "stdp_triplet": Pfister & Gerstner 2006 triplet rule */
    MG_RULE_COUNT_ = 4
} mg_rule_kind;

/* Name of rule k ("gb2012", "shouval2002", "stdp_pair", "stdp_triplet"); static storage;
 * NULL when k is out of range. */
const char *mg_rule_name(mg_rule_kind k);

/* The rule called `name` into *out. Errors: MG_ERR_CONFIG for an unknown or NULL name,
 * the message listing the valid names; *out is then unchanged. */
mg_status mg_rule_by_name(mg_context *ctx, const char *name, mg_rule_kind *out);

/* Calcium readouts of one protocol run, in the rule's calcium unit (GB2012: dimensionless,
 * in units of its thresholds; Shouval 2002: µM above rest). The excitotoxic load is the
 * time and the integral of calcium above tox_threshold (settable: `readout.ca_tox_rel`
 * times the rule's potentiation threshold). NaN where the rule has no calcium (STDP). */
typedef struct {
    double peak;            /* highest calcium */
    double mean;            /* time average over [0, T] */
    double integral_ms;     /* ∫c dt over [0, T] (unit·ms) */
    double influx;          /* NMDA calcium that entered (GB spike mode: Σ C_pre jumps) */
    double tox_threshold;   /* the threshold used */
    double above_tox_ms;    /* time with c > tox_threshold, ms */
    double tox_integral_ms; /* ∫ max(c - tox_threshold, 0) dt, unit·ms */
} mg_ca_readout;

/* GB2012 calcium readouts of a spike pattern with calcium source q (NULL: spike mode) and
 * excitotoxic threshold tox (> 0): spike mode exactly (sums of exponentials, event by
 * event), nmda mode on the grid of mg_gb_nmda_trace (peak and the tox integral by the
 * trapezoid rule on steps <= q->step_ms). Errors: as mg_gb_schedule_create_calcium, and
 * MG_ERR_DATA when tox is not > 0. */
mg_status mg_gb_readout(mg_context *ctx, const mg_gb_params *p, const mg_gb_calcium_params *q,
                        const double *pre_ms, size_t n_pre, const double *post_ms, size_t n_post,
                        double t_end_ms, double tox, mg_ca_readout *out);

/* ---------------------------------------------------------------- Shouval, Bear & Cooper 2002
 * (PNAS 99:10831), as in the public reference implementation folmez/CaDP-MatLab (refs §2.4,
 * §6): weight W, calcium Ca (µM above rest), postsynaptic V (mV):
 *   dW/dt  = η(Ca) (Ω(Ca) - λ W)
 *   Ω(Ca)  = a0 + a_ltp sig(Ca - α2, β2) + a_ltd sig(Ca - α1, β1),  sig(x, β) = 1/(1 + e^{-βx})
 *   η(Ca)  = 1/(P1/(P2 + Ca^P3) + P4)                                        (1/s)
 *   dCa/dt = -Ca/τCa + s_nmda P0 G (I_f e^{-u/τf} + I_s e^{-u/τs}) B(V, [Mg]o) (V_r - V)
 *   V      = V_rest + Σ_i EPSP(t - t_i) + BPAP(t - t_post - d_bpap)
 *   EPSP(u) = (A_epsp/n) (e^{-u/τ1} - e^{-u/τ2}) (n the peak of the bracket: peak = A_epsp)
 *   BPAP(u) = A_bpap (f e^{-u/τbf} + (1 - f) e^{-u/τbs})
 * u = t - t_i is the time since the presynaptic spike: with nmda_sum = 0 (the reference
 * code) only the most recent one opens channels; with 1 every spike adds. The BPAP is the
 * most recent postsynaptic spike's (reference code). B is the Jahr–Stevens block. */
typedef struct {
    double alpha1_uM, alpha2_uM;       /* α1, α2: 0.35, 0.55 µM (> 0, α1 < α2) */
    double beta1_per_uM, beta2_per_uM; /* β1, β2: 80, 80 /µM (> 0) */
    double a0, a_ltp, a_ltd;           /* Ω coefficients: 0.25, 1, -0.25 */
    double lambda;                     /* λ: 1 (> 0) */
    double p1_s, p2, p3, p4_s; /* η: P1 0.1 s, P2 1e-5 (P1·1e-4), P3 3, P4 1 s (>= 0, P1+P4 > 0) */
    double tau_ca_ms;          /* τCa: 50 ms (> 0) */
    double p0;                 /* P0: 0.5 (>= 0) */
    double g_nmda;             /* |G_NMDA|: 1/500 µM/(ms·mV) (>= 0) */
    double nmda_scale;         /* s_nmda, NMDA-receptor expression multiplier: 1 (>= 0) */
    double i_f, i_s;           /* 0.5, 0.5 (>= 0) */
    double tau_f_ms, tau_s_ms;        /* 50, 200 ms (> 0) */
    double v_r_mV;                    /* V_r: 130 mV (calcium reversal) */
    double v_rest_mV;                 /* V_rest: -65 mV (< V_r) */
    double mg_mM;                     /* [Mg]o: 1 mM (>= 0) */
    double mg_scale_mM, gamma_per_mV; /* Jahr–Stevens: 3.57 mM, 0.062 /mV */
    double bpap_mV, bpap_fast_frac;   /* 100 mV, 0.75 */
    double bpap_tau_fast_ms, bpap_tau_slow_ms, bpap_delay_ms; /* 3, 25, 2 ms */
    double epsp_mV;                    /* EPSP peak: 10 mV (reference code, rate protocols) */
    double epsp_tau1_ms, epsp_tau2_ms; /* 50, 5 ms (τ1 > τ2 > 0) */
    double nmda_sum;                   /* 0 (reference code) or 1, see above */
    double w0;                         /* initial weight: 0.25 (the rest fixed point a0/λ) */
    double step_ms;                    /* integration step: 0.1 ms (in (0, 1]) */
} mg_shouval_params;

/* Fill *out with the defaults listed above (refs §2.4, §6; reference code). */
void mg_shouval_defaults(mg_shouval_params *out);

/* Check every field's domain: MG_OK, or MG_ERR_DATA naming the key ("rule.alpha1_uM (0.6)
 * must be below rule.alpha2_uM (0.55): thresholds in the wrong order"). */
mg_status mg_shouval_validate(mg_context *ctx, const mg_shouval_params *p);

/* Ω(ca) (dimensionless) and η(ca) (1/s). Pure. */
double mg_shouval_omega(const mg_shouval_params *p, double ca_uM);
double mg_shouval_eta(const mg_shouval_params *p, double ca_uM);

/* Result of mg_shouval_run. */
typedef struct {
    double w_start, w_end;
    double change_percent; /* 100 (w_end/w_start - 1) */
    double ltd_zone_ms;    /* time with α1 < Ca <= α2 */
    double ltp_zone_ms;    /* time with Ca > α2 */
    mg_ca_readout ca;      /* µM */
} mg_shouval_result;

/* Integrate the rule over [0, t_end_ms] for sorted spike trains (times >= 0, finite):
 * exponential Euler on steps of p->step_ms (Ca: exact decay, influx at the step's middle;
 * W: exact for Ca frozen at the step's mean), steps cut at every event. tox (> 0, µM):
 * the excitotoxic threshold of out->ca. Errors: MG_ERR_DATA for bad trains, parameters or
 * t_end_ms. */
mg_status mg_shouval_run(mg_context *ctx, const mg_shouval_params *p, const double *pre_ms,
                         size_t n_pre, const double *post_ms, size_t n_post, double t_end_ms,
                         double tox, mg_shouval_result *out);

/* ---------------------------------------------------------------- STDP baselines
 * All-to-all trace rules (Pfister & Gerstner 2006, J Neurosci 26:9673): presynaptic traces
 * r1 (τ+), r2 (τx), postsynaptic o1 (τ-), o2 (τy), each jumping by 1 at its spike. At a
 * postsynaptic spike w += r1 (A2+ + A3+ o2), at a presynaptic spike w -= o1 (A2- + A3- r2),
 * o2 and r2 taken just before their own jump. The pair rule is A3± = 0, so an isolated
 * pair changes w by A2+ e^{-Δt/τ+} (Δt = t_post - t_pre > 0) or -A2- e^{Δt/τ-} (Δt < 0).
 * Weights are additive and unbounded; the change is reported as 100 Δw/w0 percent. */
typedef struct {
    double tau_plus_ms, tau_minus_ms; /* τ+, τ- (> 0) */
    double tau_x_ms, tau_y_ms;        /* τx, τy (> 0) */
    double a2_plus, a2_minus;         /* A2+, A2- (>= 0) */
    double a3_plus, a3_minus;         /* A3+, A3- (>= 0) */
    double w0;                        /* reference weight for the percent (> 0): 1 */
} mg_stdp_params;

/* Defaults: MG_RULE_STDP_TRIPLET: Pfister & Gerstner 2006 Table 4, visual cortex,
 * all-to-all, full model (τ+ 16.8, τ- 33.7, τx 101, τy 125 ms; A2+ 5e-10, A2- 7e-3,
 * A3+ 6.2e-3, A3- 2.3e-4). MG_RULE_STDP_PAIR: τ+ 16.8, τ- 33.7 ms (same source), A3± = 0,
 * A2+ = 5e-3, A2- = 5.25e-3 (an assumption: the A-/A+ = 1.05 ratio of Song, Miller &
 * Abbott 2000). Other kinds: the triplet set. */
void mg_stdp_defaults(mg_rule_kind kind, mg_stdp_params *out);

/* Check the domains: MG_OK or MG_ERR_DATA naming the key ("rule.tau_plus_ms must be > 0"). */
mg_status mg_stdp_validate(mg_context *ctx, const mg_stdp_params *p);

/* Δw of the spike trains (sorted, finite) under the rule, event by event (exact). */
mg_status mg_stdp_run(mg_context *ctx, const mg_stdp_params *p, const double *pre_ms, size_t n_pre,
                      const double *post_ms, size_t n_post, double *dw);

/* ---------------------------------------------------------------- protocols */

/* A stimulation pattern: `bursts` bursts of `pulses` presynaptic pulses at pulse_hz, burst
 * onsets 1/burst_hz apart; with paired = 1 a postsynaptic spike follows every pulse by
 * dt_ms (dt_ms < 0: precedes it); the run continues tail_ms after the last spike.
 *   tetanus:     1 × 100 at 100 Hz (1 s; Bliss & Lømo 1973's high-frequency tetanus)
 *   lfs:         1 × 900 at 1 Hz (Dudek & Bear 1992, PNAS 89:4363)
 *   theta-burst: 10 × 4 at 100 Hz, bursts at 5 Hz (Larson, Wong & Lynch 1986)
 *   frequency:   1 × pulses at the swept frequency */
typedef struct {
    size_t bursts, pulses;
    double pulse_hz, burst_hz;
    int paired;
    double dt_ms;
    double tail_ms;
} mg_plast_train;

/* The spike trains of tr: *pre and *post are allocated (caller frees; *post NULL when
 * unpaired), *t_end_ms the last spike time + tail. Errors: MG_ERR_DATA naming the
 * protocol.* key (pulses or bursts 0 or above 1e7, frequencies not > 0, a burst longer
 * than the burst period, a negative tail, a first spike that would fall before 0 ms is
 * shifted instead); MG_ERR_NOMEM. */
mg_status mg_plast_train_spikes(mg_context *ctx, const mg_plast_train *tr, double **pre,
                                size_t *n_pre, double **post, size_t *n_post, double *t_end_ms);

/* ---------------------------------------------------------------- energy (ATP) */

/* ATP costs after Attwell & Laughlin 2001 (J Cereb Blood Flow Metab 21:1133): per action
 * potential of the postsynaptic neuron, and per synaptic event (a released vesicle: the
 * postsynaptic currents, presynaptic Ca²⁺ entry and transmitter recycling together).
 * Defaults: 3.84e8 ATP per spike, 1.64e5 ATP per vesicle, release probability 0.25 per
 * presynaptic spike (values as usually quoted from the paper; not re-checked against it). */
typedef struct {
    double atp_per_spike;   /* ATP per postsynaptic action potential (>= 0) */
    double atp_per_vesicle; /* ATP per released vesicle (>= 0) */
    double release_prob;    /* vesicles released per presynaptic spike, in [0, 1] */
} mg_energy_params;

/* Energy readout of one run. */
typedef struct {
    double atp_spikes;   /* n_post · atp_per_spike */
    double atp_synaptic; /* n_pre · release_prob · atp_per_vesicle */
    double atp_total;
    double atp_per_spike, atp_per_event; /* the costs used */
} mg_energy_readout;

/* Fill *out with the defaults above. */
void mg_energy_defaults(mg_energy_params *out);
/* MG_OK, or MG_ERR_DATA naming the key (energy.atp_per_spike, energy.atp_per_vesicle >= 0;
 * energy.release_prob in [0, 1]). */
mg_status mg_energy_validate(mg_context *ctx, const mg_energy_params *e);
/* ATP of n_pre presynaptic spikes (each releasing release_prob vesicles) and n_post
 * postsynaptic action potentials (counts >= 0). Pure. */
mg_energy_readout mg_energy_eval(const mg_energy_params *e, double n_pre, double n_post);

/* ---------------------------------------------------------------- one run, any rule */

/* Everything a protocol run needs (mg_plast_setup_defaults fills it). */
typedef struct {
    mg_rule_kind rule;
    mg_gb_params gb; /* rule gb2012 */
    mg_gb_calcium_params gb_ca;
    size_t reps; /* gb2012 Monte Carlo repetitions per initial state (0: analytic) */
    uint64_t seed;
    mg_shouval_params sh; /* rule shouval2002 */
    mg_stdp_params stdp;  /* rules stdp_pair, stdp_triplet */
    double tox_rel;       /* excitotoxic threshold / the rule's potentiation threshold
                             (θp for gb2012, α2 for shouval2002); > 0; 2 (assumption) */
    mg_energy_params energy;
} mg_plast_setup;

/* Defaults: gb2012 with DP, spike calcium, 0 repetitions, seed 1; Shouval, STDP, energy
 * defaults; tox_rel 2. */
void mg_plast_setup_defaults(mg_plast_setup *s);

/* Result of one run. */
typedef struct {
    double weight_change_percent;          /* gb2012: Monte Carlo when reps > 0, else analytic */
    double weight_change_analytic_percent; /* gb2012 analytic; others: = weight_change_percent */
    double above_d_ms, above_p_ms; /* gb2012: above θd, θp; shouval: α1<Ca<=α2, Ca>α2 */
    mg_ca_readout ca;              /* NaN for STDP rules */
    mg_energy_readout energy;
    double n_pre, n_post, duration_ms;
} mg_plast_result;

/* Run the rule of s on the spike trains (sorted) over [0, t_end_ms]. Errors: those of the
 * rule's validators and runners. */
mg_status mg_plast_run(mg_context *ctx, const mg_plast_setup *s, const double *pre_ms, size_t n_pre,
                       const double *post_ms, size_t n_post, double t_end_ms, mg_plast_result *out);

/* ---------------------------------------------------------------- signal vs noise
 * After Slutsky et al. 2004 (Neuron 44:835): one single-compartment conductance neuron
 * (leaky integrate-and-fire) receives n_signal correlated inputs (each fires at every
 * event of a shared Poisson process of rate signal_hz, with Gaussian jitter) and n_noise
 * independent Poisson inputs (noise_hz each). Every input has an AMPA and an NMDA synapse:
 *   C dV/dt = -gL (V - EL) - g_A (V - E_ex) - g_N Σ_k g_k(t) B(V, [Mg]o) (V - E_ex)
 * g_A: exponential, τ_ampa; g_k: the Shouval 2002 gating of input k (I_f e^{-u/τf} +
 * I_s e^{-u/τs} after its spikes; sh->nmda_sum as in mg_shouval_run). V_d = V + BPAP, the
 * Shouval BPAP after each output spike, enters only the block and the drive of the calcium
 * current (a dendritic event in a one-compartment neuron). Synapse k's calcium is Shouval's:
 *   dCa_k/dt = -Ca_k/τCa + s P0 G g_k B(V_d) (V_r - V_d)
 * and its weight follows Ω/η (mg_shouval_run's rule). The NMDA calcium flux of a synapse
 * is ∫ s P0 G g_k B (V_r - V_d) dt (µM, the calcium that entered); `snr` is the mean flux
 * per signal synapse over the mean flux per noise synapse. [Mg]o is p->mg_mM and the NMDA
 * expression s is p->nmda_scale (they override sh's). */
typedef struct {
    double n_signal, n_noise;   /* inputs per class (whole numbers >= 1): 20, 80 */
    double signal_hz, noise_hz; /* 5 Hz shared events, 5 Hz each (> 0) */
    double jitter_ms;           /* sd of the signal spikes around each event: 1 ms (>= 0) */
    double duration_ms;         /* 10000 ms (> 0) */
    double c_pF, gl_nS, el_mV, vth_mV, vreset_mV, tref_ms; /* 250, 25, -70, -50, -60, 2 */
    double e_ex_mV;                                        /* 0 mV */
    double g_ampa_nS, tau_ampa_ms;                         /* 2 nS peak per input, 2 ms */
    double g_nmda_nS;  /* 0.5 nS per input at full gating (g_k = 1) */
    double nmda_scale; /* NMDA expression multiplier s: 1 (>= 0) */
    double mg_mM;      /* [Mg]o: 1 mM (>= 0) */
    double step_ms;    /* 0.1 ms (in (0, 1]) */
} mg_snr_params;

/* Fill *out with the defaults listed above (sources: docs/models/protocols.md). */
void mg_snr_defaults(mg_snr_params *out);

/* Check every field: MG_OK, or MG_ERR_DATA naming the key ("snr.tau_ampa_ms must be > 0";
 * thresholds in the wrong order: snr.vreset_mV and snr.el_mV must be below snr.vth_mV;
 * extracellular.mg_mM >= 0). */
mg_status mg_snr_validate(mg_context *ctx, const mg_snr_params *p);

/* Result of mg_snr_run (per class: mean over its synapses). */
typedef struct {
    double flux_signal, flux_noise;                     /* NMDA calcium flux per synapse, µM */
    double snr;                                         /* flux_signal / flux_noise */
    double flux_mean;                                   /* mean over all synapses, µM */
    double change_signal_percent, change_noise_percent; /* Shouval weight change */
    double ca_peak_signal, ca_peak_noise;               /* µM */
    double out_rate_hz;                                 /* output firing rate */
    double n_pre_spikes, n_post_spikes;
} mg_snr_result;

/* Run the signal/noise experiment with the Shouval parameters sh (calcium current, BPAP,
 * Ω, η) and the random streams of seed (Philox; the same seed gives the same inputs at any
 * [Mg]o or s). Errors: MG_ERR_DATA for bad parameters (mg_snr_validate,
 * mg_shouval_validate); MG_ERR_NOMEM. */
mg_status mg_snr_run(mg_context *ctx, const mg_snr_params *p, const mg_shouval_params *sh,
                     uint64_t seed, mg_snr_result *out);

/* ---------------------------------------------------------------- homeostatic NMDA expression
 * A slow variable s (the NMDA-receptor expression, multiplying the NMDA conductance and its
 * calcium current) follows
 *   τ_h ds/dt = s (1 - F(s, [Mg]o)/F*)
 * with F the mean NMDA calcium flux per synapse measured in a short snr probe, and F* the
 * set point (the flux at s = 1, [Mg]o = mg_ref_mM). The slow dynamics are stepped, not
 * simulated millisecond by millisecond: each step of h hours runs one probe at the current
 * s (same inputs every time), then advances ln s by (h/τ_h)(1 - F/F*) (exact for F frozen
 * over the step). */
typedef struct {
    double tau_h_hours; /* τ_h: 24 h (assumption; days-scale, refs magnesium §16) (> 0) */
    double mg_ref_mM;   /* [Mg]o of the set point: 0.8 mM (in-vivo baseline, refs §3.6) */
    double step_hours;  /* h: 6 h (> 0) */
    double days;        /* simulated time: 7 days (>= 0) */
} mg_homeo_params;

/* Fill *out with the defaults listed above. */
void mg_homeo_defaults(mg_homeo_params *out);

/* Result: the expression s reached, the set point, the final probe. */
typedef struct {
    double scale;     /* s at the end */
    double set_point; /* F*, µM per synapse */
    double flux_end;  /* F at the end */
    size_t steps;
    mg_snr_result probe; /* the snr probe at the final s */
} mg_homeo_result;

/* Run homeostasis at p->mg_mM (p->nmda_scale is the start value) and then the final probe.
 * Errors: MG_ERR_DATA for bad parameters (keys homeostasis.*), and those of mg_snr_run. */
mg_status mg_homeo_run(mg_context *ctx, const mg_homeo_params *h, const mg_snr_params *p,
                       const mg_shouval_params *sh, uint64_t seed, mg_homeo_result *out);

#ifdef __cplusplus
}
#endif
#endif /* MGSIM_PLAST_H */
