/* mgsim — the network engine.
 *
 * A network is described by a plain specification (mg_net_spec: populations,
 * projections, inputs, recorders, run settings) that the caller owns; the
 * engine copies what it needs in mg_net_create, draws the connectivity, and
 * runs in fixed steps of dt. Units: ms, mV, nS, pF, pA, Hz, mM.
 *
 * Membrane of a conductance-based neuron (LIF; AdEx adds the two marked terms):
 *   C dV/dt = -gL (V - EL) [+ gL ΔT exp((V - VT)/ΔT) - w] + I_e + I_input
 *             - Σ_r g_r (V - E_r) - g_NMDA B(V) (V - E_NMDA)
 *   B(V) = 1 / (1 + [Mg]o / mg_scale_mM · exp(-gamma_per_mV · V))   (Jahr & Stevens 1990)
 * The engine does no file I/O: spikes and recorded states leave through callbacks.
 */
#ifndef MGSIM_NET_H
#define MGSIM_NET_H

#include "mgsim/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Receptors present on every neuron. */
typedef enum {
    MG_RECEPTOR_AMPA = 0,
    MG_RECEPTOR_GABA_A = 1,
    MG_RECEPTOR_GABA_B = 2,
    MG_RECEPTOR_NMDA = 3,
    MG_RECEPTOR_COUNT = 4
} mg_receptor;

/* Lower-case name of a receptor ("ampa", "gaba_a", "gaba_b", "nmda"); static storage. */
const char *mg_net_receptor_name(mg_receptor r);

/* Neuron models. Sources emit spikes but have no membrane. */
typedef enum {
    MG_NEURON_LIF = 0,  /* conductance-based leaky integrate-and-fire */
    MG_NEURON_ADEX = 1, /* adaptive exponential integrate-and-fire (Brette & Gerstner 2005) */
    MG_NEURON_SPIKE_SOURCE = 2,  /* emits spikes at given times */
    MG_NEURON_POISSON_SOURCE = 3 /* emits independent Poisson spike trains */
} mg_neuron_kind;

/* Random distributions for weights, delays and initial values.
 * CONST: value a. NORMAL: mean a, standard deviation b. UNIFORM: [a, b).
 * LOGNORMAL: exp(N(a, b)), i.e. a = mu and b = sigma of the underlying normal.
 * Every draw is clipped to [lo, hi]. */
typedef enum { MG_DIST_CONST = 0, MG_DIST_NORMAL, MG_DIST_UNIFORM, MG_DIST_LOGNORMAL } mg_dist_kind;

typedef struct {
    mg_dist_kind kind;
    double a, b;
    double lo, hi; /* clipping bounds; use -INFINITY / INFINITY for none */
} mg_dist;

/* A constant distribution with no clipping. */
mg_dist mg_dist_const(double value);

/* Kinetics of one receptor on a population (the postsynaptic side).
 * tau_rise_ms == 0 gives a single exponential with tau_decay_ms; > 0 gives the
 * difference of exponentials normalised to peak 1 per unit weight (except
 * saturating NMDA, see mg_nmda_params). */
typedef struct {
    double E_mV;
    double tau_rise_ms;
    double tau_decay_ms;
} mg_receptor_params;

/* NMDA gating and block, shared by the whole network.
 * saturating != 0: Brunel & Wang 2001 gating per presynaptic neuron,
 *   ds/dt = -s/tau_decay + alpha·x·(1 - s), dx/dt = -x/tau_rise, x += 1 per spike,
 *   with g_NMDA = Σ_j w_j s_j; delivered as increments (see docs/models/nmda.md
 *   for the approximation and its measured error).
 * saturating == 0: linear difference-of-exponentials conductance. */
typedef struct {
    int saturating;
    int exact; /* saturating only: integrate every presynaptic s and sum w·s over all
                  synapses each step (O(synapses) per step; for validating the approximation) */
    double alpha_per_ms;
    double mg_scale_mM;  /* 3.57 mM (Jahr & Stevens 1990) */
    double gamma_per_mV; /* 0.062 /mV (Jahr & Stevens 1990) */
} mg_nmda_params;

/* The Jahr–Stevens unblocked fraction B(V) for the given constants. Pure function. */
double mg_net_nmda_block(double v_mV, double mg_mM, double mg_scale_mM, double gamma_per_mV);

typedef struct {
    char name[64];
    mg_neuron_kind kind;
    uint32_t n;
    /* membrane (LIF and AdEx) */
    double C_pF, gL_nS, EL_mV, Vth_mV, Vreset_mV, tref_ms, I_e_pA;
    /* AdEx only: slope factor, adaptation coupling and increment, time constant, spike cut-off */
    double DeltaT_mV, a_nS, b_pA, tau_w_ms, Vpeak_mV;
    mg_receptor_params receptor[MG_RECEPTOR_COUNT];
    /* initial values, drawn per neuron */
    mg_dist v_init_mV;
    mg_dist g_init_nS[MG_RECEPTOR_COUNT];
    mg_dist w_init_pA;
    /* POISSON_SOURCE: rate per neuron */
    double rate_hz;
    /* SPIKE_SOURCE: n_times spike times (ms); if ids is NULL every neuron of the
     * population fires at every time, else time k belongs to neuron ids[k].
     * Borrowed: must outlive mg_net_create only (the engine copies them). */
    const double *times_ms;
    const uint32_t *ids;
    size_t n_times;
} mg_pop_spec;

/* Fill a population with the library defaults (a LIF neuron, receptors with
 * their default kinetics, see docs/models/). name is copied (truncated to 63). */
void mg_pop_spec_defaults(mg_pop_spec *pop, const char *name, mg_neuron_kind kind, uint32_t n);

typedef enum {
    MG_CONN_ALL_TO_ALL = 0,
    MG_CONN_ONE_TO_ONE,
    MG_CONN_FIXED_PROB,
    MG_CONN_FIXED_INDEGREE,
    MG_CONN_EDGE_LIST,
    MG_CONN_SAME_AS /* the synapses (pairs and delays) of the earlier projection share_proj */
} mg_conn_kind;

/* Plasticity rules of a projection. */
typedef enum {
    MG_NET_PLAST_NONE = 0,            /* static weights */
    MG_NET_PLAST_GRAUPNER_BRUNEL = 1, /* Graupner & Brunel 2012 (spike or NMDA calcium) */
    MG_NET_PLAST_STDP_PAIR = 2,       /* pair-based STDP, all-to-all traces (baseline) */
    MG_NET_PLAST_STDP_TRIPLET = 3,    /* triplet STDP, Pfister & Gerstner 2006 (baseline) */
    MG_NET_PLAST_SHOUVAL2002 = 4      /* Shouval, Bear & Cooper 2002 NMDA-calcium rule */
} mg_net_plast_rule;

/* Source of a Graupner–Brunel projection's presynaptic calcium. */
typedef enum {
    MG_NET_CALCIUM_SPIKE = 0, /* a jump C_pre, D after each presynaptic spike (GB2012) */
    MG_NET_CALCIUM_NMDA = 1   /* that jump scaled by nmda_scale · B(V_post, [Mg]o) (below) */
} mg_net_plast_calcium;

/* Plasticity of a projection (docs/models/network-plasticity.md).
 * GRAUPNER_BRUNEL: each synapse (i -> j) has an efficacy rho and a calcium
 *   c_ij(t) = Σ C_pre e^{-(t - t_i - D)/τCa} + Σ C_post e^{-(t - t_j)/τCa}
 * (presynaptic spikes t_i of i, jumps after the delay D; postsynaptic spikes t_j of j), and
 *   τ dρ/dt = -ρ(1-ρ)(ρ*-ρ) + γp(1-ρ)Θ[c-θp] - γd ρ Θ[c-θd]
 *             + σ √τ √(Θ[c-θp] + Θ[c-θd]) η(t)        (Graupner & Brunel 2012, PNAS 109:3991,
 *                                                    noise as in the PNAS correction)
 * The conductance increment per presynaptic spike is w = w_min + clip(ρ, 0, 1) (w_max - w_min);
 * the projection's weight_nS is not used. Updated event-driven at each presynaptic calcium
 * arrival and postsynaptic spike (exact calcium; exponential Rosenbrock–Euler steps for ρ on
 * the pieces of constant Θ with the noise increment of src/plast/gb2012.c); D is rounded to
 * whole steps of dt. Errors of mg_net_create: MG_ERR_DATA naming
 * projections.NAME.plasticity.KEY for a value out of range (θp < θd, time constants <= 0, ...),
 * MG_ERR_CONFIG for a same_as projection, MG_ERR_TOO_BIG above 2^32 - 1 synapses.
 * Default values (mg_net_plast_defaults): the DP set of Graupner & Brunel 2012 Fig. 2
 * (mg_gb_params_by_name "DP"), w_min 0, w_max 1 nS (an assumption: set it), rho_init 0.
 * calcium MG_NET_CALCIUM_NMDA: each presynaptic arrival (after D) adds, to the calcium of each
 * synapse (i -> j) separately,
 *   C_pre · nmda_scale · B(V_j, [Mg]o),   B(V, Mg) = 1 / (1 + Mg/mg_scale_mM e^{-gamma_per_mV V})
 * with V_j the membrane potential of the postsynaptic neuron at the end of the arrival step
 * and [Mg]o of that step (schedule and mg_net_set_mg apply), the block constants of
 * mg_net_spec.nmda (Jahr & Stevens 1990); the postsynaptic jump C_post is unchanged (the
 * back-propagating spike). A network approximation of the NMDA calcium current of
 * mg_gb_calcium_params (the block is sampled once per arrival, the current's time course is
 * folded into the jump). It stores a calcium value per synapse (4 more bytes per synapse).
 * nmda_scale (>= 0, default 1) is the NMDA-receptor expression multiplier s (as in the
 * homeostasis model); 1 / B(V_ref, Mg_ref) makes an arrival at V_ref and Mg_ref add C_pre.
 * STDP_PAIR, STDP_TRIPLET: all-to-all trace rules of Pfister & Gerstner 2006 (J Neurosci
 *   26:9673) on a bounded weight u stored in place of ρ: per presynaptic neuron traces r1 (τ+),
 *   r2 (τx), per postsynaptic neuron o1 (τ-), o2 (τy), each jumping by 1 at its neuron's spike;
 *   at a postsynaptic spike u += r1 (A2+ + A3+ o2), at a presynaptic spike u -= o1 (A2- + A3- r2)
 *   (o2, r2 just before their own jump; a pre and a post spike in the same step: the pre one
 *   first, as mg_stdp_run), u clipped to [0, 1] after each change (hard bounds). The pair rule
 *   uses A3± = 0. The A's are fractions of the weight range: the weight is
 *   w_min + u (w_max - w_min), as for ρ. Presynaptic events are at the spike step (delay_pre_ms
 *   is not used). A value left NAN takes the rule's default, mg_stdp_defaults (plast.h):
 *   triplet, Pfister & Gerstner 2006 Table 4 (visual cortex, all-to-all, full model); pair,
 *   τ± of that table and A2+ 5e-3, A2- 5.25e-3 (an assumption: Song, Miller & Abbott 2000's
 *   ratio 1.05). The Graupner–Brunel fields are ignored under these rules.
 * SHOUVAL2002: the rule of mg_shouval_run (plast.h; Shouval, Bear & Cooper 2002, PNAS
 *   99:10831) on every synapse (i -> j), clock-driven (every step, every synapse):
 *     dCa/dt = -Ca/τCa + s P0 G g_i(t) B(V_j + BPAP_j(t), [Mg]o) (V_r - V_j - BPAP_j(t))
 *     dw/dt  = η(Ca) (Ω(Ca) - λ w)
 *   g_i = I_f e^{-u/τf} + I_s e^{-u/τs}, u the time since the last presynaptic spike of i
 *   arrived (after the projection's delay, which must be constant; nmda_sum 1: every arrival
 *   adds); V_j the membrane potential of j at the end of the step (a source target is not
 *   allowed by the engine); BPAP_j the Shouval back-propagating spike of j's last spike,
 *   bpap_delay_ms after it (rounded to steps); B with the block constants of
 *   mg_net_spec.nmda and the current [Mg]o; s = nmda_scale. The weight w (initial value
 *   rho_init) is stored per synapse in double precision with Ca (16 bytes per synapse);
 *   the conductance increment per presynaptic spike is w · sh.w_scale_nS (an assumption:
 *   the rule's w is dimensionless). One exponential-Euler step of dt per step (Ca: exact
 *   decay, influx at the step's middle; w: exponential relaxation at the mean Ca of the
 *   step), the scheme of mg_shouval_run with step dt. The Graupner–Brunel and STDP fields
 *   are ignored (nmda_scale excepted). */

/* Shouval 2002 parameters of a network projection (NAN: the default of mg_shouval_defaults,
 * filled by mg_net_plast_fill_shouval; units and ranges as in mg_shouval_params). */
typedef struct {
    double alpha1_uM, alpha2_uM;         /* α1, α2 of Ω, µM (> 0, α1 < α2) */
    double beta1_per_uM, beta2_per_uM;   /* β1, β2 of Ω, 1/µM (> 0) */
    double a0, a_ltp, a_ltd;             /* Ω coefficients */
    double lambda;                       /* λ (> 0) */
    double p1_s, p2, p3, p4_s;           /* η coefficients (>= 0, p3 > 0, not p2 = p4_s = 0) */
    double tau_ca_ms;                    /* τCa, ms (> 0) */
    double p0, g_nmda;                   /* P0, |G_NMDA| µM/(ms·mV) (>= 0) */
    double i_f, i_s, tau_f_ms, tau_s_ms; /* NMDA gating: amplitudes (>= 0), decays ms (> 0) */
    double v_r_mV;                       /* calcium reversal V_r, mV */
    double bpap_mV, bpap_fast_frac;      /* BPAP amplitude mV, fast fraction in [0, 1] */
    double bpap_tau_fast_ms, bpap_tau_slow_ms, bpap_delay_ms; /* ms (> 0, > 0, >= 0) */
    double nmda_sum;                                          /* 0 or 1 */
    double w_scale_nS; /* conductance per unit w, nS (>= 0); default 1 nS, an assumption */
} mg_net_shouval_spec;

typedef struct {
    mg_net_plast_rule rule;
    char params[32]; /* name of the named set the values started from ("DP"); informative */
    mg_net_plast_calcium calcium; /* source of the presynaptic calcium; default SPIKE */
    double tau_ca_ms;             /* τCa, calcium decay, ms (> 0) */
    double c_pre;                 /* C_pre, calcium jump per presynaptic spike (>= 0) */
    double c_post;                /* C_post, calcium jump per postsynaptic spike (>= 0) */
    double delay_pre_ms; /* D, delay of the presynaptic jump, ms (>= 0; rounded to steps) */
    double theta_d;      /* θd, depression threshold (> 0) */
    double theta_p;      /* θp, potentiation threshold (>= θd) */
    double gamma_d;      /* γd, depression rate (>= 0) */
    double gamma_p;      /* γp, potentiation rate (>= 0) */
    double tau_rho_s;    /* τ, time constant of ρ, s (> 0) */
    double rho_star;     /* ρ*, unstable fixed point (0 < ρ* < 1) */
    double sigma;        /* σ, noise amplitude (>= 0; 0 = deterministic) */
    double w_min_nS;     /* weight at ρ = 0, nS (>= 0) */
    double w_max_nS;     /* weight at ρ = 1, nS (>= w_min_nS) */
    mg_dist rho_init;    /* initial ρ of each synapse */
    double nmda_scale;   /* NMDA calcium only: multiplier s of C_pre B (>= 0); default 1 */
    /* Excitotoxic threshold of the calcium readout (GRAUPNER_BRUNEL and SHOUVAL2002; the rule's
     * calcium unit: dimensionless for GB, µM for Shouval; > 0). NAN (the default) means 2 θp
     * (GB) or 2 sh.alpha2_uM (Shouval): the protocols' readout.ca_tox_rel = 2, an assumption
     * (docs/models/energy.md). Not used by the STDP rules (no calcium). See mg_net_proj_tox. */
    double tox_threshold;
    /* STDP rules (NAN: the rule's default, filled by mg_net_plast_fill_stdp) */
    double tau_plus_ms, tau_minus_ms; /* τ+, τ- of the traces r1, o1, ms (> 0) */
    double tau_x_ms, tau_y_ms;        /* τx, τy of the traces r2, o2, ms (> 0) */
    double a2_plus, a2_minus;         /* pair amplitudes, fractions of the weight range (>= 0) */
    double a3_plus, a3_minus;         /* triplet amplitudes (>= 0; not used by STDP_PAIR) */
    mg_net_shouval_spec sh;           /* SHOUVAL2002 (NAN: default) */
} mg_net_plast_spec;

/* Fill *p with the defaults above (rule NONE; the STDP and Shouval values NAN). */
void mg_net_plast_defaults(mg_net_plast_spec *p);

/* For an STDP rule, replace each NAN STDP value of *p by the rule's default (mg_stdp_defaults);
 * for other rules nothing changes. mg_net_create does this on its copy; the model loader does
 * it so that the resolved model lists the values. */
void mg_net_plast_fill_stdp(mg_net_plast_spec *p);

/* For rule SHOUVAL2002, replace each NAN field of p->sh by the default of mg_shouval_defaults
 * (w_scale_nS: 1 nS, an assumption); for other rules nothing changes. mg_net_create does this on
 * its copy; the model loader does it so that the resolved model lists the values. */
void mg_net_plast_fill_shouval(mg_net_plast_spec *p);

/* The default excitotoxic threshold of *p (mg_net_plast_spec.tox_threshold left NAN): 2 θp for
 * GRAUPNER_BRUNEL, 2 sh.alpha2_uM for SHOUVAL2002 (after mg_net_plast_fill_shouval; NAN fields
 * give NAN), NAN for the other rules and for p NULL. The factor 2 is the protocols'
 * readout.ca_tox_rel default, an assumption (docs/models/energy.md). */
double mg_net_plast_tox_default(const mg_net_plast_spec *p);

/* Set the Graupner–Brunel values of *p (tau_ca_ms .. sigma, and params) from the named set of
 * mg_gb_params_by_name (include/mgsim/plast.h: DP, DPD, DPD', P, D, D', cortical_slices,
 * hippocampal_slices, hippocampal_cultures; "DPDp" and "Dp" for the primed ones). The rule,
 * the weight range and rho_init are left as they are. Errors: MG_ERR_CONFIG for an unknown
 * name, with the valid names in the message (*p unchanged). */
mg_status mg_net_plast_set_params(mg_context *ctx, mg_net_plast_spec *p, const char *name);

typedef struct {
    char name[64];
    uint32_t pre, post; /* population indices */
    mg_receptor receptor;
    mg_conn_kind conn;
    double p;           /* FIXED_PROB */
    uint32_t indegree;  /* FIXED_INDEGREE */
    int allow_autapses; /* when pre == post */
    mg_dist weight_nS;
    mg_dist delay_ms; /* a constant must be a whole number >= 1 of steps of dt; draws from a
                         distribution are rounded to the nearest step (at least one) */
    /* EDGE_LIST: n_edges edges (pre index, post index within the populations);
     * weights/delays per edge, or NULL to draw from weight_nS / delay_ms. Borrowed. */
    const uint32_t *edge_pre, *edge_post;
    const double *edge_weight_nS, *edge_delay_ms;
    size_t n_edges;
    /* SAME_AS: reuse the synapses (pairs and delays) of the earlier projection
     * share_proj, which must join the same populations; only the weights are this
     * projection's own. This is how one set of contacts carries two receptors
     * (AMPA and NMDA of the same synapses, as in Brunel & Wang 2001). */
    uint32_t share_proj;
    /* plasticity (rule MG_NET_PLAST_NONE: static); not for SAME_AS projections */
    mg_net_plast_spec plast;
} mg_proj_spec;

typedef enum {
    MG_INPUT_POISSON = 0,  /* n_sources independent Poisson trains per target neuron */
    MG_INPUT_CURRENT_STEP, /* amp_pA between start_ms and stop_ms */
    MG_INPUT_CURRENT_RAMP  /* linear from amp_pA at start_ms to amp_end_pA at stop_ms */
} mg_input_kind;

typedef struct {
    char name[64];
    mg_input_kind kind;
    uint32_t pop;
    uint32_t first, count; /* neuron range within the population; count 0 = all */
    mg_receptor receptor;  /* POISSON */
    double rate_hz;        /* POISSON, per source */
    uint32_t n_sources;    /* POISSON */
    double weight_nS;      /* POISSON */
    double start_ms, stop_ms;
    double amp_pA, amp_end_pA;
} mg_input_spec;

/* Recordable state variables (bit flags). */
enum {
    MG_VAR_V = 1u << 0,
    MG_VAR_G_AMPA = 1u << 1,
    MG_VAR_G_GABA_A = 1u << 2,
    MG_VAR_G_GABA_B = 1u << 3,
    MG_VAR_G_NMDA = 1u << 4,
    MG_VAR_NMDA_BLOCK = 1u << 5,
    MG_VAR_W = 1u << 6,
    MG_VAR_COUNT = 7
};

/* Name of the variable with flag bit index k ("v_mV", "g_ampa_nS", ...); NULL if out of range. */
const char *mg_net_var_name(int k);

typedef struct {
    char name[64];
    uint32_t pop;
    const uint32_t *ids; /* neuron indices within pop; borrowed */
    size_t n_ids;
    unsigned vars; /* MG_VAR_* flags */
    double interval_ms;
} mg_state_rec_spec;

/* A recorder of the weights of a plastic projection: every interval_ms (and at t = 0) the
 * weight and ρ of n_synapses synapses (0 = all; else evenly spaced in pre-then-post order,
 * synapse index floor(m · nsyn / n_synapses), m = 0..n_synapses-1). The value reported is ρ at
 * the synapse's last event advanced to the sample time by the noise-free drift (the noise of
 * the open interval is added at the synapse's next event, so recording does not change the
 * run). */
typedef struct {
    char name[64];
    uint32_t proj;
    double interval_ms;
    uint64_t n_synapses;
} mg_weight_rec_spec;

/* A point of the extracellular Mg schedule: from t_ms on, [Mg]o = mg_mM. */
typedef struct {
    double t_ms, mg_mM;
} mg_mg_point;

typedef struct {
    double duration_ms, dt_ms;
    uint64_t seed;
    double mg_mM;                   /* [Mg]o at t = 0 */
    const mg_mg_point *mg_schedule; /* borrowed; sorted by t_ms; may be NULL */
    size_t n_mg_schedule;
    mg_nmda_params nmda;
    /* runaway checker: stop when any population's rate over the last
     * runaway_window_ms exceeds runaway_max_rate_hz (<= 0 disables) */
    double runaway_max_rate_hz, runaway_window_ms;
    /* refuse to build networks whose estimated memory exceeds this (MiB; 0 = 75 % of RAM) */
    double max_memory_mb;

    mg_pop_spec *pops;
    size_t n_pops;
    mg_proj_spec *projs;
    size_t n_projs;
    mg_input_spec *inputs;
    size_t n_inputs;
    mg_state_rec_spec *state_recs;
    size_t n_state_recs;
    int *record_spikes;              /* per population flag (length n_pops) or NULL for none */
    mg_weight_rec_spec *weight_recs; /* plastic projections only */
    size_t n_weight_recs;
} mg_net_spec;

/* Fill run settings with defaults: dt 0.1 ms, 1000 ms, seed 1, [Mg]o 1 mM,
 * Jahr–Stevens constants, NMDA alpha 0.5 /ms non-saturating, runaway checker
 * 500 Hz over 100 ms. Arrays are set to NULL/0. */
void mg_net_spec_defaults(mg_net_spec *spec);

/* Estimated bytes the engine needs for spec (connectivity by expectation for
 * random rules), computed without allocating. */
double mg_net_estimate_bytes(const mg_net_spec *spec);

/* Expected number of synapses of projection proj of spec (exact for the
 * deterministic rules, the mean for fixed_probability); 0 for an invalid index. */
double mg_net_estimate_proj_synapses(const mg_net_spec *spec, size_t proj);

/* Memory limit in bytes that mg_net_create applies for spec: max_memory_mb
 * if > 0, else 75 % of physical memory. */
double mg_net_memory_limit_bytes(const mg_net_spec *spec);

typedef struct mg_net mg_net;

/* Callbacks through which results leave the engine. Any may be NULL.
 * on_spikes: every step with spikes in a recorded population: the indices
 *   (ascending) of the neurons of population pop that fired at t_ms.
 * on_state: each sample of state recorder rec: values[k*n_vars + v] for the
 *   k-th recorded neuron and v-th set flag (in flag-bit order).
 * on_progress: about every 1 % of the run and at its end; t_ms simulated so far,
 *   total_ms the target; return non-zero to stop the run (MG_ERR_INTERRUPTED).
 * on_weights: each sample of weight recorder rec: for n synapses, the pre and post indices
 *   (within their populations), the weight w_nS and the efficacy rho (see mg_weight_rec_spec).
 * A callback returning non-zero from on_spikes/on_state/on_weights aborts with MG_ERR_IO. */
typedef struct {
    void *user;
    int (*on_spikes)(void *user, uint32_t pop, double t_ms, const uint32_t *ids, size_t n);
    int (*on_state)(void *user, size_t rec, double t_ms, const double *values, size_t n_values);
    int (*on_progress)(void *user, double t_ms, double total_ms);
    int (*on_weights)(void *user, size_t rec, double t_ms, const uint32_t *pre,
                      const uint32_t *post, const double *w_nS, const double *rho, size_t n);
} mg_net_callbacks;

/* Validate spec, draw connectivity and initial state, allocate every buffer.
 * Domain errors name the population/projection and the offending value
 * (MG_ERR_DATA or MG_ERR_CONFIG); a network larger than max_memory_mb is
 * refused before allocating (MG_ERR_TOO_BIG) with the bytes it would need.
 * The threads used are mg_context_threads(ctx). On success *out owns the network. */
mg_status mg_net_create(mg_context *ctx, const mg_net_spec *spec, mg_net **out);

/* Free the network and set *net to NULL. Accepts NULL. */
void mg_net_destroy(mg_net **net);

/* Advance the network by duration_ms (rounded to whole steps), delivering
 * results through cb. May be called repeatedly; time continues. Returns
 * MG_ERR_RUNAWAY (with the population, rate and time in the message) when the
 * runaway checker trips, MG_ERR_INTERRUPTED when on_progress asked to stop. */
mg_status mg_net_run(mg_net *net, double duration_ms, const mg_net_callbacks *cb);

/* Set [Mg]o (mM, >= 0) from now on; overrides the schedule until its next point. */
mg_status mg_net_set_mg(mg_net *net, double mg_mM);

/* Current [Mg]o in mM. */
double mg_net_mg(const mg_net *net);

/* Simulated time so far (ms). */
double mg_net_time_ms(const mg_net *net);

typedef struct {
    uint64_t synapses;            /* all projections */
    double synapse_bytes;         /* bytes held by connectivity (targets, weights, delays, rows; for
                                     plastic projections also ρ and the column index) */
    uint64_t plastic_synapses;    /* synapses of plastic projections */
    double plastic_synapse_bytes; /* bytes of those projections' synapses (rows, targets, ρ,
                                     column index; per-neuron traces not included) */
    double loop_wall_s;           /* wall time inside the step loop, summed over runs */
    double build_wall_s;          /* wall time of mg_net_create */
    uint64_t steps;               /* steps simulated */
} mg_net_stats;

/* Totals of the network so far. */
mg_net_stats mg_net_get_stats(const mg_net *net);

/* Spikes emitted by population pop since creation (0 for an invalid index). */
uint64_t mg_net_pop_spikes(const mg_net *net, uint32_t pop);

/* Number of neurons in population pop (0 for an invalid index). */
uint32_t mg_net_pop_size(const mg_net *net, uint32_t pop);

/* Synapses of projection proj (0 for an invalid index). */
uint64_t mg_net_proj_synapses(const mg_net *net, uint32_t proj);

/* Copy the synapses of projection proj into caller arrays of capacity cap
 * (any may be NULL): pre and post indices, weight (nS), delay (ms), ordered by
 * pre then post. A plastic projection's weight is that of ρ at each synapse's last event.
 * Returns the number of synapses (even if > cap; only cap copied). */
uint64_t mg_net_proj_get(const mg_net *net, uint32_t proj, uint32_t *pre, uint32_t *post,
                         double *weight_nS, double *delay_ms, uint64_t cap);

/* Copy the efficacy ρ of the synapses of projection proj (ordered as mg_net_proj_get) into
 * rho (capacity cap; may be NULL), each advanced from its last event to the current time by
 * the noise-free drift, as the weight recorders report it (STDP rules: the bounded weight u;
 * shouval2002: the rule's weight w, the conductance being w · sh.w_scale_nS).
 * Returns the number of synapses of a plastic projection (only cap copied), 0 for a static
 * projection or an invalid index. */
uint64_t mg_net_proj_rho(const mg_net *net, uint32_t proj, double *rho, uint64_t cap);

/* Copy the calcium c of the synapses of plastic projection proj (ordered as mg_net_proj_get)
 * at the current time into ca (capacity cap; may be NULL): the presynaptic part (per neuron in
 * spike mode, per synapse in nmda mode) plus the postsynaptic trace, decayed to now, jumps of
 * the last simulated step included. Dimensionless (the units of θd, θp). Returns the number of
 * synapses (only cap copied), 0 for a static or STDP projection or an invalid index.
 * shouval2002: the calcium Ca of each synapse at the end of the last step, in µM. */
uint64_t mg_net_proj_calcium(const mg_net *net, uint32_t proj, double *ca, uint64_t cap);

/* Excitotoxic load of plastic projection proj from t = 0 to the current time (Graupner–Brunel
 * or shouval2002 rule; docs/models/energy.md): *time_ms = Σ over its synapses of the time with
 * calcium c > the threshold (synapse·ms; divide by mg_net_proj_synapses for the mean per
 * synapse), *integral = Σ over its synapses of ∫ max(c - threshold, 0) dt (calcium unit·ms:
 * dimensionless·ms for GB, µM·ms for Shouval), *threshold the threshold used
 * (mg_net_plast_spec.tox_threshold, its default filled). GB: exact between events (c decays
 * exponentially from each event), up to now; Shouval: per step of dt, c linear within the step
 * (the protocol readout of mg_shouval_run). The totals are summed in a fixed order and do not
 * depend on the thread count. Any output pointer may be NULL. Returns 1 for such a projection;
 * 0, with the outputs set to NAN, for a static or STDP projection or an invalid index. */
int mg_net_proj_tox(const mg_net *net, uint32_t proj, double *threshold, double *time_ms,
                    double *integral);

/* Read neuron i of population pop's membrane potential (mV); NAN if invalid. */
double mg_net_get_v(const mg_net *net, uint32_t pop, uint32_t i);

#ifdef __cplusplus
}
#endif
#endif /* MGSIM_NET_H */
