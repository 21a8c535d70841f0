/* The model-file key table and `mgsim net --help` (see net_keys.h). */
#include "io/net_keys.h"

#include "mgsim/plast.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

_Static_assert(sizeof(mg_neuron_kind) == sizeof(int), "ENUM keys are stored as int");
_Static_assert(sizeof(mg_conn_kind) == sizeof(int), "ENUM keys are stored as int");
_Static_assert(sizeof(mg_input_kind) == sizeof(int), "ENUM keys are stored as int");
_Static_assert(sizeof(mg_receptor) == sizeof(int), "RECEPTOR keys are stored as int");

/* Names in enum value order: mg_neuron_kind, mg_conn_kind, mg_input_kind, mg_dist_kind. */
static const char *const model_names[] = {"lif", "adex", "spike_source", "poisson_source", NULL};
static const char *const rule_names[] = {
    "all_to_all", "one_to_one", "fixed_probability", "fixed_indegree", "edge_list",
    "same_as",    NULL};
static const char *const input_names[] = {"poisson", "current_step", "current_ramp", NULL};
static const char *const dist_names[] = {"const", "normal", "uniform", "lognormal", NULL};
static const char *const dist_keys[] = {"dist", "value", "mean", "sd",  "low", "high",
                                        "mu",   "sigma", "min",  "max", NULL};
static const char *const format_names[] = {"sonata", "csv", NULL};
static const char *const plast_rule_names[] = {"none",         "graupner_brunel", "stdp_pair",
                                               "stdp_triplet", "shouval2002",     NULL};
_Static_assert(sizeof(mg_net_plast_rule) == sizeof(int), "ENUM keys are stored as int");
static const char *const plast_calcium_names[] = {"spike", "nmda", NULL};
_Static_assert(sizeof(mg_net_plast_calcium) == sizeof(int), "ENUM keys are stored as int");

#define INF               INFINITY
#define REQ               MG_KEY_REQUIRED
#define GT0               MG_KEY_MIN_EXCL
#define NEU               MG_KEYA_NEURON
#define ADX               MG_KEYA_ADEX
#define RULE(c)           (1u << (c))
#define INPUT(c)          (1u << (c))
#define RULE_ALL_BUT_SAME ((1u << MG_CONN_SAME_AS) - 1u)

#define RUNOFF(f) offsetof(mg_net_spec, f)
#define POPOFF(f) offsetof(mg_pop_spec, f)
#define PRJOFF(f) offsetof(mg_proj_spec, f)
#define INPOFF(f) offsetof(mg_input_spec, f)
#define RECOFF(f) offsetof(mg_state_rec_spec, f)
#define OUTOFF(f) offsetof(mg_io_net_outputs, f)
#define WRCOFF(f) offsetof(mg_weight_rec_spec, f)
#define PLS       RULE_ALL_BUT_SAME
#define PLNUM(key, f, unit, lo, hi, fl, meaning)                                                   \
    NUM("projections.*.plasticity." key, MG_KEYS_PROJ, PRJOFF(plast.f), unit, lo, hi, fl, PLS,     \
        meaning)

/* Shouval 2002 keys: plasticity.shouval.KEY (NAN in the spec = the default of
 * mg_shouval_defaults, text def; sources in include/mgsim/plast.h and
 * docs/models/shouval-2002.md) */
#define SHNUM(key, f, unit, lo, hi, fl, meaning, def)                                              \
    K("projections.*.plasticity.shouval." key, MG_KEY_NUMBER, MG_KEYS_PROJ, PRJOFF(plast.sh.f), 0, \
      unit, lo, hi, fl, PLS, NULL, "shouval2002: " meaning, def)

/* key, type, owner, offset, offset2, unit, min, max, flags, applies, names, meaning, default */
#define K(key, type, owner, off, off2, unit, lo, hi, fl, ap, names, meaning, deftext)              \
    { key, type, owner, off, off2, unit, lo, hi, fl, ap, names, meaning, deftext }
#define NUM(key, owner, off, unit, lo, hi, fl, ap, meaning)                                        \
    K(key, MG_KEY_NUMBER, owner, off, 0, unit, lo, hi, fl, ap, NULL, meaning, NULL)

#define RECEPTOR_KEYS(r, R, what)                                                                  \
    NUM("populations.*.receptors." r ".E_mV", MG_KEYS_POP, POPOFF(receptor[R].E_mV), "mV", -INF,   \
        INF, 0, NEU, "reversal potential of " what),                                               \
        NUM("populations.*.receptors." r ".tau_rise_ms", MG_KEYS_POP,                              \
            POPOFF(receptor[R].tau_rise_ms), "ms", 0, INF, 0, NEU,                                 \
            "rise time of " what " (0: a single exponential)"),                                    \
        NUM("populations.*.receptors." r ".tau_decay_ms", MG_KEYS_POP,                             \
            POPOFF(receptor[R].tau_decay_ms), "ms", 0, INF, GT0, NEU, "decay time of " what)

#define INIT_G_KEY(r, R, what)                                                                     \
    K("populations.*.init.g_" r "_nS", MG_KEY_DIST, MG_KEYS_POP, POPOFF(g_init_nS[R]), 0, "nS",    \
      -INF, INF, 0, NEU, NULL, "initial " what " conductance (a number or a distribution)", NULL)

static const mg_net_key table[] = {
    /* run */
    NUM("run.duration_ms", MG_KEYS_RUN, RUNOFF(duration_ms), "ms", 0, INF, GT0, 0,
        "simulated time"),
    NUM("run.dt_ms", MG_KEYS_RUN, RUNOFF(dt_ms), "ms", 0, 100, GT0, 0,
        "time step; delays and recording intervals are whole steps of it"),
    K("run.seed", MG_KEY_U64, MG_KEYS_RUN, RUNOFF(seed), 0, "", 0, 18446744073709551615.0, 0, 0,
      NULL, "root seed of every random stream (connectivity, initial values, inputs)", NULL),
    NUM("run.max_memory_mb", MG_KEYS_RUN, RUNOFF(max_memory_mb), "MiB", 0, INF, 0, 0,
        "refuse models whose estimated memory exceeds this; 0 = 75 % of physical memory"),
    /* extracellular */
    NUM("extracellular.mg_mM", MG_KEYS_RUN, RUNOFF(mg_mM), "mM", 0, 100, 0, 0,
        "extracellular [Mg2+]o at t = 0"),
    K("extracellular.schedule", MG_KEY_SCHEDULE, MG_KEYS_RUN, RUNOFF(mg_schedule),
      RUNOFF(n_mg_schedule), "mM", 0, 100, 0, 0, NULL,
      "step changes of [Mg2+]o: a list of {t_ms, mg_mM}, t_ms increasing and within the run",
      "none"),
    /* nmda */
    K("nmda.saturating", MG_KEY_BOOL, MG_KEYS_RUN, RUNOFF(nmda.saturating), 0, "", 0, 1, 0, 0, NULL,
      "Brunel-Wang saturating gating per presynaptic neuron (true) or linear kinetics", NULL),
    K("nmda.exact", MG_KEY_BOOL, MG_KEYS_RUN, RUNOFF(nmda.exact), 0, "", 0, 1, 0, 0, NULL,
      "with saturating: integrate every presynaptic gating and sum w*s over all synapses each "
      "step (slow, single-threaded; for checking the event-driven approximation)",
      NULL),
    NUM("nmda.alpha_per_ms", MG_KEYS_RUN, RUNOFF(nmda.alpha_per_ms), "1/ms", 0, INF, GT0, 0,
        "saturation rate of the NMDA gating (saturating only)"),
    NUM("nmda.mg_scale_mM", MG_KEYS_RUN, RUNOFF(nmda.mg_scale_mM), "mM", 0, INF, GT0, 0,
        "Mg2+ block B(V) = 1/(1 + [Mg]o/mg_scale_mM exp(-gamma_per_mV V)) (Jahr & Stevens 1990)"),
    NUM("nmda.gamma_per_mV", MG_KEYS_RUN, RUNOFF(nmda.gamma_per_mV), "1/mV", 0, INF, 0, 0,
        "voltage dependence of the Mg2+ block"),
    /* runaway */
    NUM("runaway.max_rate_hz", MG_KEYS_RUN, RUNOFF(runaway_max_rate_hz), "Hz", 0, INF, 0, 0,
        "stop the run when a population fires faster than this; 0 disables the check"),
    NUM("runaway.window_ms", MG_KEYS_RUN, RUNOFF(runaway_window_ms), "ms", 0, INF, GT0, 0,
        "window over which the rate is checked"),
    /* populations */
    K("populations.*.model", MG_KEY_ENUM, MG_KEYS_POP, POPOFF(kind), 0, "", 0, 0, REQ, 0,
      model_names, "neuron model", NULL),
    K("populations.*.n", MG_KEY_U32, MG_KEYS_POP, POPOFF(n), 0, "", 1, 1e9, REQ, 0, NULL,
      "number of neurons", NULL),
    NUM("populations.*.C_pF", MG_KEYS_POP, POPOFF(C_pF), "pF", 0, INF, GT0, NEU,
        "membrane capacitance"),
    NUM("populations.*.gL_nS", MG_KEYS_POP, POPOFF(gL_nS), "nS", 0, INF, GT0, NEU,
        "leak conductance"),
    NUM("populations.*.EL_mV", MG_KEYS_POP, POPOFF(EL_mV), "mV", -INF, INF, 0, NEU,
        "leak reversal (resting) potential"),
    NUM("populations.*.Vth_mV", MG_KEYS_POP, POPOFF(Vth_mV), "mV", -INF, INF, 0, NEU,
        "spike threshold (AdEx: the exponential threshold V_T)"),
    NUM("populations.*.Vreset_mV", MG_KEYS_POP, POPOFF(Vreset_mV), "mV", -INF, INF, 0, NEU,
        "potential after a spike, held during the refractory period"),
    NUM("populations.*.tref_ms", MG_KEYS_POP, POPOFF(tref_ms), "ms", 0, INF, 0, NEU,
        "refractory period"),
    NUM("populations.*.I_e_pA", MG_KEYS_POP, POPOFF(I_e_pA), "pA", -INF, INF, 0, NEU,
        "constant injected current"),
    NUM("populations.*.DeltaT_mV", MG_KEYS_POP, POPOFF(DeltaT_mV), "mV", 0, INF, GT0, ADX,
        "slope factor of the exponential"),
    NUM("populations.*.a_nS", MG_KEYS_POP, POPOFF(a_nS), "nS", -INF, INF, 0, ADX,
        "subthreshold adaptation coupling"),
    NUM("populations.*.b_pA", MG_KEYS_POP, POPOFF(b_pA), "pA", -INF, INF, 0, ADX,
        "adaptation increment per spike"),
    NUM("populations.*.tau_w_ms", MG_KEYS_POP, POPOFF(tau_w_ms), "ms", 0, INF, GT0, ADX,
        "adaptation time constant"),
    NUM("populations.*.Vpeak_mV", MG_KEYS_POP, POPOFF(Vpeak_mV), "mV", -INF, INF, 0, ADX,
        "spike cut-off: a spike is emitted when V reaches it"),
    RECEPTOR_KEYS("ampa", MG_RECEPTOR_AMPA, "AMPA"),
    RECEPTOR_KEYS("gaba_a", MG_RECEPTOR_GABA_A, "GABA-A"),
    RECEPTOR_KEYS("gaba_b", MG_RECEPTOR_GABA_B, "GABA-B"),
    RECEPTOR_KEYS("nmda", MG_RECEPTOR_NMDA, "NMDA"),
    K("populations.*.init.v_mV", MG_KEY_DIST, MG_KEYS_POP, POPOFF(v_init_mV), 0, "mV", -INF, INF, 0,
      NEU, NULL, "initial membrane potential (a number or a distribution)", "EL_mV"),
    INIT_G_KEY("ampa", MG_RECEPTOR_AMPA, "AMPA"),
    INIT_G_KEY("gaba_a", MG_RECEPTOR_GABA_A, "GABA-A"),
    INIT_G_KEY("gaba_b", MG_RECEPTOR_GABA_B, "GABA-B"),
    INIT_G_KEY("nmda", MG_RECEPTOR_NMDA, "NMDA"),
    K("populations.*.init.w_pA", MG_KEY_DIST, MG_KEYS_POP, POPOFF(w_init_pA), 0, "pA", -INF, INF, 0,
      ADX, NULL, "initial adaptation current (a number or a distribution)", NULL),
    NUM("populations.*.rate_hz", MG_KEYS_POP, POPOFF(rate_hz), "Hz", 0, INF, 0, MG_KEYA_POISSON,
        "firing rate of each neuron"),
    K("populations.*.spike_times_ms", MG_KEY_TIMES, MG_KEYS_POP, POPOFF(times_ms), POPOFF(n_times),
      "ms", 0, INF, 0, MG_KEYA_SPIKE, NULL, "spike times, e.g. [10, 20.5]", "none"),
    K("populations.*.spike_ids", MG_KEY_IDS, MG_KEYS_POP, POPOFF(ids), POPOFF(n_times), "", 0,
      4294967295.0, 0, MG_KEYA_SPIKE, NULL,
      "neuron of each spike time (same length as spike_times_ms); absent: every neuron fires at "
      "every time",
      "none"),
    /* projections */
    K("projections.*.from", MG_KEY_POP, MG_KEYS_PROJ, PRJOFF(pre), 0, "", 0, 0, REQ, 0, NULL,
      "presynaptic population", NULL),
    K("projections.*.to", MG_KEY_POP, MG_KEYS_PROJ, PRJOFF(post), 0, "", 0, 0, REQ, 0, NULL,
      "postsynaptic population (a lif or adex population)", NULL),
    K("projections.*.receptor", MG_KEY_RECEPTOR, MG_KEYS_PROJ, PRJOFF(receptor), 0, "", 0, 0, REQ,
      0, NULL, "receptor the synapses act on", NULL),
    K("projections.*.rule", MG_KEY_ENUM, MG_KEYS_PROJ, PRJOFF(conn), 0, "", 0, 0, REQ, 0,
      rule_names, "connection rule", NULL),
    NUM("projections.*.p", MG_KEYS_PROJ, PRJOFF(p), "", 0, 1, REQ, RULE(MG_CONN_FIXED_PROB),
        "probability of a synapse for each pair"),
    K("projections.*.indegree", MG_KEY_U32, MG_KEYS_PROJ, PRJOFF(indegree), 0, "", 0, 1e9, REQ,
      RULE(MG_CONN_FIXED_INDEGREE), NULL,
      "presynaptic partners of each postsynaptic neuron, drawn without repetition", NULL),
    K("projections.*.autapses", MG_KEY_BOOL, MG_KEYS_PROJ, PRJOFF(allow_autapses), 0, "", 0, 1, 0,
      0, NULL, "allow synapses from a neuron onto itself when from == to", NULL),
    K("projections.*.weight_nS", MG_KEY_DIST, MG_KEYS_PROJ, PRJOFF(weight_nS), 0, "nS", 0, INF,
      MG_KEY_CLIP_ZERO, 0, NULL,
      "conductance increment per spike (a number or a distribution, clipped at min 0); "
      "required unless an edge_list file has a weight_nS column",
      "required"),
    K("projections.*.delay_ms", MG_KEY_DIST, MG_KEYS_PROJ, PRJOFF(delay_ms), 0, "ms", 0, INF,
      MG_KEY_CLIP_DT | MG_KEY_DT_STEP, RULE_ALL_BUT_SAME, NULL,
      "transmission delay: a number must be a whole number >= 1 of steps; draws from a "
      "distribution are rounded to the nearest step (at least one)",
      "run.dt_ms"),
    K("projections.*.same_as", MG_KEY_PROJ, MG_KEYS_PROJ, PRJOFF(share_proj), 0, "", 0, 0, REQ,
      RULE(MG_CONN_SAME_AS), NULL,
      "an earlier projection between the same populations whose synapses (pairs and delays) "
      "this one reuses with its own receptor and weights, e.g. the NMDA part of AMPA contacts",
      NULL),
    K("projections.*.file", MG_KEY_FILE, MG_KEYS_PROJ, 0, 0, "", 0, 0, REQ, RULE(MG_CONN_EDGE_LIST),
      NULL, "CSV edge list, header pre,post[,weight_nS][,delay_ms]; relative to the model file",
      NULL),
    /* plasticity (docs/models/network-plasticity.md) */
    K("projections.*.plasticity.rule", MG_KEY_ENUM, MG_KEYS_PROJ, PRJOFF(plast.rule), 0, "", 0, 0,
      0, PLS, plast_rule_names,
      "plasticity of the synapses: none (static weight_nS), graupner_brunel (calcium rule of "
      "Graupner & Brunel 2012, calcium from spike times or NMDA: see calcium), stdp_pair or "
      "stdp_triplet (all-to-all trace STDP, Pfister & Gerstner 2006, bounded weight), "
      "shouval2002 (NMDA-calcium rule of Shouval, Bear & Cooper 2002, clock-driven: see "
      "shouval.*); the weight is w_min_nS + rho (w_max_nS - w_min_nS) (shouval2002: w w_scale_nS) "
      "and weight_nS is not used",
      NULL),
    K("projections.*.plasticity.params", MG_KEY_GBSET, MG_KEYS_PROJ, PRJOFF(plast), 0, "", 0, 0, 0,
      PLS, NULL,
      "named parameter set of Graupner & Brunel 2012 that fills the values below before they are "
      "overridden one by one: DP, DPD, DPD', P, D, D' (Fig. 2), cortical_slices, "
      "hippocampal_slices, hippocampal_cultures (fits)",
      "DP"),
    PLNUM("tau_ca_ms", tau_ca_ms, "ms", 0, INF, GT0, "calcium decay time constant tauCa"),
    PLNUM("c_pre", c_pre, "", 0, INF, 0, "calcium jump per presynaptic spike C_pre"),
    PLNUM("c_post", c_post, "", 0, INF, 0, "calcium jump per postsynaptic spike C_post"),
    PLNUM("delay_pre_ms", delay_pre_ms, "ms", 0, 1e6, 0,
          "delay D of the presynaptic calcium jump after the spike (rounded to whole steps)"),
    PLNUM("theta_d", theta_d, "", 0, INF, GT0, "depression threshold theta_d"),
    PLNUM("theta_p", theta_p, "", 0, INF, GT0, "potentiation threshold theta_p (>= theta_d)"),
    PLNUM("gamma_d", gamma_d, "", 0, INF, 0, "depression rate gamma_d"),
    PLNUM("gamma_p", gamma_p, "", 0, INF, 0, "potentiation rate gamma_p"),
    PLNUM("tau_rho_s", tau_rho_s, "s", 0, INF, GT0, "time constant tau of rho"),
    PLNUM("rho_star", rho_star, "", 0, 1, GT0 | MG_KEY_MAX_EXCL,
          "unstable fixed point rho* between the DOWN (0) and UP (1) states"),
    PLNUM("sigma", sigma, "", 0, INF, 0, "noise amplitude sigma (0: deterministic)"),
    PLNUM("w_min_nS", w_min_nS, "nS", 0, INF, 0, "weight at rho = 0"),
    PLNUM("w_max_nS", w_max_nS, "nS", 0, INF, 0,
          "weight at rho = 1 (>= w_min_nS; the default 1 nS is an assumption: set it)"),
    K("projections.*.plasticity.rho_init", MG_KEY_DIST, MG_KEYS_PROJ, PRJOFF(plast.rho_init), 0, "",
      -INF, INF, 0, PLS, NULL, "initial rho of each synapse (a number or a distribution)", NULL),
    K("projections.*.plasticity.calcium", MG_KEY_ENUM, MG_KEYS_PROJ, PRJOFF(plast.calcium), 0, "",
      0, 0, 0, PLS, plast_calcium_names,
      "source of the presynaptic calcium: spike (a jump c_pre, delay_pre_ms after each "
      "presynaptic spike) or nmda (that jump times nmda_scale B(V_post, [Mg]o), the Jahr-Stevens "
      "unblocked fraction of the target at the arrival step; the c_post jump is unchanged)",
      NULL),
    PLNUM("nmda_scale", nmda_scale, "", 0, INF, 0,
          "calcium: nmda only: NMDA-receptor expression multiplier s of the jump c_pre s B(V, "
          "[Mg]o) (1 / B(V_ref, Mg_ref) makes an arrival at V_ref, Mg_ref add c_pre)"),
    K("projections.*.plasticity.tox_threshold", MG_KEY_NUMBER, MG_KEYS_PROJ,
      PRJOFF(plast.tox_threshold), 0, "", 0, INF, GT0, PLS, NULL,
      "graupner_brunel and shouval2002: excitotoxic calcium threshold, in the rule's calcium unit "
      "(dimensionless for graupner_brunel, uM for shouval2002); summary.json reports the "
      "synapse-time and the integral of calcium above it (an assumption: 2 times the potentiation "
      "threshold, as the protocols' readout.ca_tox_rel)",
      "2 theta_p (graupner_brunel), 2 shouval.alpha2_uM (shouval2002)"),
    K("projections.*.plasticity.tau_plus_ms", MG_KEY_NUMBER, MG_KEYS_PROJ,
      PRJOFF(plast.tau_plus_ms), 0, "ms", 0, INF, GT0, PLS, NULL,
      "STDP: decay of the presynaptic trace r1, tau+ (Pfister & Gerstner 2006 Table 4)", "16.8"),
    K("projections.*.plasticity.tau_minus_ms", MG_KEY_NUMBER, MG_KEYS_PROJ,
      PRJOFF(plast.tau_minus_ms), 0, "ms", 0, INF, GT0, PLS, NULL,
      "STDP: decay of the postsynaptic trace o1, tau-", "33.7"),
    K("projections.*.plasticity.tau_x_ms", MG_KEY_NUMBER, MG_KEYS_PROJ, PRJOFF(plast.tau_x_ms), 0,
      "ms", 0, INF, GT0, PLS, NULL, "STDP triplet: decay of the presynaptic trace r2, tau_x",
      "101"),
    K("projections.*.plasticity.tau_y_ms", MG_KEY_NUMBER, MG_KEYS_PROJ, PRJOFF(plast.tau_y_ms), 0,
      "ms", 0, INF, GT0, PLS, NULL, "STDP triplet: decay of the postsynaptic trace o2, tau_y",
      "125"),
    K("projections.*.plasticity.a2_plus", MG_KEY_NUMBER, MG_KEYS_PROJ, PRJOFF(plast.a2_plus), 0, "",
      0, INF, 0, PLS, NULL,
      "STDP: pair potentiation amplitude A2+, a fraction of w_max_nS - w_min_nS (triplet: Pfister "
      "& Gerstner 2006 Table 4; pair: an assumption, A2-/A2+ = 1.05 of Song et al. 2000)",
      "pair 5e-3, triplet 5e-10"),
    K("projections.*.plasticity.a2_minus", MG_KEY_NUMBER, MG_KEYS_PROJ, PRJOFF(plast.a2_minus), 0,
      "", 0, INF, 0, PLS, NULL, "STDP: pair depression amplitude A2- (a fraction of the range)",
      "pair 5.25e-3, triplet 7e-3"),
    K("projections.*.plasticity.a3_plus", MG_KEY_NUMBER, MG_KEYS_PROJ, PRJOFF(plast.a3_plus), 0, "",
      0, INF, 0, PLS, NULL, "STDP triplet: triplet potentiation amplitude A3+",
      "pair 0, triplet 6.2e-3"),
    K("projections.*.plasticity.a3_minus", MG_KEY_NUMBER, MG_KEYS_PROJ, PRJOFF(plast.a3_minus), 0,
      "", 0, INF, 0, PLS, NULL, "STDP triplet: triplet depression amplitude A3-",
      "pair 0, triplet 2.3e-4"),
    K("projections.*.plasticity.w_scale_nS", MG_KEY_NUMBER, MG_KEYS_PROJ,
      PRJOFF(plast.sh.w_scale_nS), 0, "nS", 0, INF, 0, PLS, NULL,
      "shouval2002: conductance per unit of the rule's weight w (an assumption: set it per model); "
      "the initial w is rho_init (Shouval's w0 = 0.25)",
      "1"),
    SHNUM("alpha1_uM", alpha1_uM, "uM", 0, INF, GT0, "LTD threshold alpha1 of Omega", "0.35"),
    SHNUM("alpha2_uM", alpha2_uM, "uM", 0, INF, GT0, "LTP threshold alpha2 of Omega (> alpha1)",
          "0.55"),
    SHNUM("beta1_per_uM", beta1_per_uM, "1/uM", 0, INF, GT0, "slope beta1 of Omega", "80"),
    SHNUM("beta2_per_uM", beta2_per_uM, "1/uM", 0, INF, GT0, "slope beta2 of Omega", "80"),
    SHNUM("a0", a0, "", -INF, INF, 0, "Omega at zero calcium, a0", "0.25"),
    SHNUM("a_ltp", a_ltp, "", -INF, INF, 0, "Omega coefficient of the LTP sigmoid", "1"),
    SHNUM("a_ltd", a_ltd, "", -INF, INF, 0, "Omega coefficient of the LTD sigmoid", "-0.25"),
    SHNUM("lambda", lambda, "", 0, INF, GT0, "weight decay lambda", "1"),
    SHNUM("p1_s", p1_s, "s", 0, INF, 0, "learning-rate coefficient P1 of eta", "0.1"),
    SHNUM("p2", p2, "", 0, INF, 0, "learning-rate coefficient P2 of eta", "1e-5"),
    SHNUM("p3", p3, "", 0, INF, GT0, "learning-rate exponent P3 of eta", "3"),
    SHNUM("p4_s", p4_s, "s", 0, INF, 0, "learning-rate coefficient P4 of eta", "1"),
    SHNUM("tau_ca_ms", tau_ca_ms, "ms", 0, INF, GT0, "calcium decay time constant tauCa", "50"),
    SHNUM("p0", p0, "", 0, INF, 0, "NMDA calcium fraction P0", "0.5"),
    SHNUM("g_nmda", g_nmda, "uM/(ms mV)", 0, INF, 0, "NMDA calcium conductance |G_NMDA|", "0.002"),
    SHNUM("i_f", i_f, "", 0, INF, 0, "fast NMDA gating amplitude I_f", "0.5"),
    SHNUM("i_s", i_s, "", 0, INF, 0, "slow NMDA gating amplitude I_s", "0.5"),
    SHNUM("tau_f_ms", tau_f_ms, "ms", 0, INF, GT0, "fast NMDA gating decay tau_f", "50"),
    SHNUM("tau_s_ms", tau_s_ms, "ms", 0, INF, GT0, "slow NMDA gating decay tau_s", "200"),
    SHNUM("v_r_mV", v_r_mV, "mV", -INF, INF, 0, "calcium reversal potential V_r", "130"),
    SHNUM("bpap_mV", bpap_mV, "mV", -INF, INF, 0, "back-propagating spike amplitude", "100"),
    SHNUM("bpap_fast_frac", bpap_fast_frac, "", 0, 1, 0, "fast fraction of the BPAP", "0.75"),
    SHNUM("bpap_tau_fast_ms", bpap_tau_fast_ms, "ms", 0, INF, GT0, "fast BPAP decay", "3"),
    SHNUM("bpap_tau_slow_ms", bpap_tau_slow_ms, "ms", 0, INF, GT0, "slow BPAP decay", "25"),
    SHNUM("bpap_delay_ms", bpap_delay_ms, "ms", 0, 1e4, MG_KEY_MAX_EXCL,
          "delay of the BPAP after the postsynaptic spike (rounded to whole steps)", "2"),
    SHNUM("nmda_sum", nmda_sum, "", 0, 1, 0,
          "0: the latest presynaptic spike's gating replaces the earlier (reference code); 1: "
          "every spike adds",
          "0"),
    /* inputs */
    K("inputs.*.type", MG_KEY_ENUM, MG_KEYS_INPUT, INPOFF(kind), 0, "", 0, 0, REQ, 0, input_names,
      "kind of input", NULL),
    K("inputs.*.target", MG_KEY_POP, MG_KEYS_INPUT, INPOFF(pop), 0, "", 0, 0, REQ, 0, NULL,
      "population driven (a lif or adex population)", NULL),
    K("inputs.*.first", MG_KEY_U32, MG_KEYS_INPUT, INPOFF(first), 0, "", 0, 1e9, 0, 0, NULL,
      "first neuron of the driven range", NULL),
    K("inputs.*.count", MG_KEY_U32, MG_KEYS_INPUT, INPOFF(count), 0, "", 0, 1e9, 0, 0, NULL,
      "neurons in the range; 0 = from first to the end of the population", NULL),
    K("inputs.*.receptor", MG_KEY_RECEPTOR, MG_KEYS_INPUT, INPOFF(receptor), 0, "", 0, 0, 0,
      INPUT(MG_INPUT_POISSON), NULL, "receptor the input spikes act on", NULL),
    NUM("inputs.*.rate_hz", MG_KEYS_INPUT, INPOFF(rate_hz), "Hz", 0, INF, REQ,
        INPUT(MG_INPUT_POISSON), "rate of each source"),
    K("inputs.*.n_sources", MG_KEY_U32, MG_KEYS_INPUT, INPOFF(n_sources), 0, "", 1, 1e9, 0,
      INPUT(MG_INPUT_POISSON), NULL, "independent sources per driven neuron", NULL),
    NUM("inputs.*.weight_nS", MG_KEYS_INPUT, INPOFF(weight_nS), "nS", 0, INF, REQ,
        INPUT(MG_INPUT_POISSON), "conductance increment per input spike"),
    NUM("inputs.*.start_ms", MG_KEYS_INPUT, INPOFF(start_ms), "ms", 0, INF, 0, 0,
        "the input acts from this time"),
    K("inputs.*.stop_ms", MG_KEY_NUMBER, MG_KEYS_INPUT, INPOFF(stop_ms), 0, "ms", 0,
      MG_NETKEYS_END_OF_RUN, 0, 0, NULL, "the input acts until this time (>= start_ms)",
      "end of run"),
    NUM("inputs.*.amp_pA", MG_KEYS_INPUT, INPOFF(amp_pA), "pA", -INF, INF, REQ,
        INPUT(MG_INPUT_CURRENT_STEP) | INPUT(MG_INPUT_CURRENT_RAMP),
        "current amplitude (current_ramp: at start_ms)"),
    NUM("inputs.*.amp_end_pA", MG_KEYS_INPUT, INPOFF(amp_end_pA), "pA", -INF, INF, REQ,
        INPUT(MG_INPUT_CURRENT_RAMP), "current at stop_ms"),
    /* record */
    K("record.spikes", MG_KEY_POPS, MG_KEYS_OUTPUT, 0, 0, "", 0, 0, 0, 0, NULL,
      "populations whose spikes are written, e.g. [E, I]; default: every lif and adex population",
      "lif/adex pops"),
    K("record.spikes_format", MG_KEY_FORMATS, MG_KEYS_OUTPUT, 0, 0, "", 0, 0, 0, 0, format_names,
      "spike files written (sonata: spikes.h5, csv: spikes.csv), any of", NULL),
    NUM("record.rates_bin_ms", MG_KEYS_OUTPUT, OUTOFF(rate_bin_ms), "ms", 0, INF, MG_KEY_DT_STEP, 0,
        "population rates in bins of this width; 0 = no rate file"),
    K("record.state.*.population", MG_KEY_POP, MG_KEYS_STATE, RECOFF(pop), 0, "", 0, 0, REQ, 0,
      NULL, "population recorded (a lif or adex population)", NULL),
    K("record.state.*.ids", MG_KEY_IDS, MG_KEYS_STATE, RECOFF(ids), RECOFF(n_ids), "", 0,
      4294967295.0, REQ, 0, NULL, "neurons recorded, e.g. [0, 1]", NULL),
    K("record.state.*.vars", MG_KEY_VARS, MG_KEYS_STATE, RECOFF(vars), 0, "", 0, 0, REQ, 0, NULL,
      "variables recorded: any of v_mV, g_ampa_nS, g_gaba_a_nS, g_gaba_b_nS, g_nmda_nS, "
      "nmda_block, w_pA",
      NULL),
    K("record.state.*.interval_ms", MG_KEY_NUMBER, MG_KEYS_STATE, RECOFF(interval_ms), 0, "ms", 0,
      INF, GT0 | MG_KEY_DT_STEP, 0, NULL, "sampling interval, a whole number of steps",
      "run.dt_ms"),
    K("record.weights.*.projection", MG_KEY_PROJ, MG_KEYS_WREC, WRCOFF(proj), 0, "", 0, 0, REQ, 0,
      NULL, "plastic projection whose weights and rho are written to weights.csv", NULL),
    K("record.weights.*.every_ms", MG_KEY_NUMBER, MG_KEYS_WREC, WRCOFF(interval_ms), 0, "ms", 0,
      INF, REQ | GT0 | MG_KEY_DT_STEP, 0, NULL,
      "sampling interval, a whole number of steps (also sampled at t = 0)", NULL),
    K("record.weights.*.synapses", MG_KEY_SYNAPSES, MG_KEYS_WREC, WRCOFF(n_synapses), 0, "", 1,
      18446744073709551615.0, 0, 0, NULL,
      "all, or a number N of synapses evenly spaced in pre-then-post order", "all"),
};

const mg_net_key *mg_netkeys_table(size_t *n) {
    *n = sizeof table / sizeof table[0];
    return table;
}

const char *const *mg_netkeys_dist_keys(void) {
    return dist_keys;
}

const char *const *mg_netkeys_dist_names(void) {
    return dist_names;
}

int mg_netkeys_enum_count(const mg_net_key *k) {
    if (k->type == MG_KEY_RECEPTOR)
        return MG_RECEPTOR_COUNT;
    if (k->type == MG_KEY_VARS)
        return MG_VAR_COUNT;
    if (k->type == MG_KEY_GBSET)
        return (int)mg_gb_params_count();
    int n = 0;
    while (k->names && k->names[n])
        n++;
    return n;
}

const char *mg_netkeys_enum_name(const mg_net_key *k, int i) {
    if (i < 0 || i >= mg_netkeys_enum_count(k))
        return NULL;
    if (k->type == MG_KEY_RECEPTOR)
        return mg_net_receptor_name((mg_receptor)i);
    if (k->type == MG_KEY_VARS)
        return mg_net_var_name(i);
    if (k->type == MG_KEY_GBSET)
        return mg_gb_params_name((size_t)i);
    return k->names[i];
}

void mg_netkeys_applies_text(const mg_net_key *k, char *buf, size_t cap) {
    const char *const *names = k->owner == MG_KEYS_POP     ? model_names
                               : k->owner == MG_KEYS_PROJ  ? rule_names
                               : k->owner == MG_KEYS_INPUT ? input_names
                                                           : NULL;
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; names && names[i]; i++) {
        if (!(k->applies & (1u << i)))
            continue;
        int w = snprintf(buf + used, cap - used, "%s%s", used ? ", " : "", names[i]);
        if (w < 0 || (size_t)w >= cap - used)
            break;
        used += (size_t)w;
    }
}

void mg_netkeys_format_number(double v, char *buf, size_t cap) {
    if (isnan(v)) {
        snprintf(buf, cap, ".nan");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, cap, "%s", v < 0 ? "-.inf" : ".inf");
        return;
    }
    char e[40];
    int digits = 1;
    for (; digits < 17; digits++) { /* the fewest significant digits that read back as v */
        snprintf(e, sizeof e, "%.*e", digits - 1, v);
        if (strtod(e, NULL) == v)
            break;
    }
    snprintf(e, sizeof e, "%.*e", digits - 1, v);
    const char *x = strchr(e, 'e');
    int exp10 = x ? atoi(x + 1) : 0;
    if (exp10 >= -5 && exp10 < 16) {
        int decimals = digits - 1 - exp10;
        snprintf(buf, cap, "%.*f", decimals > 0 ? decimals : 0, v);
        if (strtod(buf, NULL) == v)
            return;
    }
    snprintf(buf, cap, "%.*g", digits, v);
}

int mg_netkeys_parse_number(const char *s, double *out) {
    const char *p = s;
    int neg = 0;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    if (strcmp(p, ".inf") == 0 || strcmp(p, ".Inf") == 0 || strcmp(p, ".INF") == 0) {
        *out = neg ? -INFINITY : INFINITY;
        return 1;
    }
    if (p == s && (strcmp(p, ".nan") == 0 || strcmp(p, ".NaN") == 0 || strcmp(p, ".NAN") == 0)) {
        *out = NAN;
        return 1;
    }
    size_t digits = 0;
    while (*p >= '0' && *p <= '9')
        p++, digits++;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9')
            p++, digits++;
    }
    if (digits == 0)
        return 0;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return 0;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p)
        return 0;
    *out = strtod(s, NULL);
    return 1;
}

int mg_netkeys_valid_name(const char *s) {
    size_t n = 0;
    for (; s[n]; n++)
        if (!isalnum((unsigned char)s[n]) && s[n] != '_' && s[n] != '-')
            return 0;
    return n >= 1 && n <= 63;
}

/* The i-th dotted component of key into buf; returns 0 if there is none. */
static int component(const char *key, size_t i, char *buf, size_t cap) {
    const char *p = key;
    for (; i > 0; i--) {
        p = strchr(p, '.');
        if (!p)
            return 0;
        p++;
    }
    size_t len = strcspn(p, ".");
    if (len >= cap)
        len = cap - 1;
    memcpy(buf, p, len);
    buf[len] = '\0';
    return 1;
}

static size_t count_components(const char *s) {
    if (!*s)
        return 0;
    size_t n = 1;
    for (; *s; s++)
        n += *s == '.';
    return n;
}

/* Does the table key start with the pattern prefix (component-wise)? */
static int has_prefix(const char *key, const char *prefix) {
    size_t len = strlen(prefix);
    return len == 0 || (strncmp(key, prefix, len) == 0 && key[len] == '.');
}

int mg_netkeys_step(const char *prefix, const char *comp, char *next, size_t cap,
                    const mg_net_key **leaf) {
    size_t depth = count_components(prefix);
    char c[64];
    int found = 0;
    *leaf = NULL;
    /* a literal key wins over a name wildcard */
    for (int pass = 0; pass < 2 && !found; pass++) {
        for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
            if (!has_prefix(table[i].key, prefix) || !component(table[i].key, depth, c, sizeof c))
                continue;
            if (pass == 0 ? strcmp(c, comp) != 0 : strcmp(c, "*") != 0)
                continue;
            snprintf(next, cap, "%s%s%s", prefix, *prefix ? "." : "", c);
            if (strcmp(table[i].key, next) == 0) {
                *leaf = &table[i];
                return 1;
            }
            found = 2;
        }
    }
    return found;
}

/* Edit distance, ignoring case; a prefix of the other (mg for mg_mM) counts as 1. */
static size_t edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la && lb && la != lb && strncasecmp(a, b, la < lb ? la : lb) == 0)
        return 1;
    if (la > 63 || lb > 63)
        return 64;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            int same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
            size_t best = diag + (same ? 0 : 1);
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            if (up + 1 < best)
                best = up + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* Write the closest of cands (up to 3 within reach) or else all of them. */
static void suggest_among(const char *s, const char *const *cands, size_t n, const char *pre,
                          char *buf, size_t cap) {
    size_t reach = strlen(s) / 3 + 1, best = SIZE_MAX;
    if (reach < 2)
        reach = 2;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(s, cands[i]);
        if (d < best)
            best = d;
    }
    size_t used = 0, shown = 0;
    buf[0] = '\0';
    if (best <= reach) { /* every candidate at the smallest distance, up to 3 */
        for (size_t i = 0; i < n && shown < 3; i++) {
            if (edit_distance(s, cands[i]) != best)
                continue;
            int w = snprintf(buf + used, cap - used, "%s'%s%s'", shown ? " or " : "did you mean ",
                             pre, cands[i]);
            if (w < 0 || (size_t)w >= cap - used)
                return;
            used += (size_t)w;
            shown++;
        }
    }
    if (shown) {
        snprintf(buf + used, cap - used, "?");
        return;
    }
    int w = snprintf(buf, cap, "valid: ");
    used = w > 0 ? (size_t)w : 0;
    for (size_t i = 0; i < n && used < cap; i++) {
        w = snprintf(buf + used, cap - used, "%s%s%s", i ? ", " : "", pre, cands[i]);
        if (w < 0 || (size_t)w >= cap - used)
            return;
        used += (size_t)w;
    }
}

void mg_netkeys_suggest(const char *prefix, const char *real_prefix, const char *comp, int full,
                        char *buf, size_t cap) {
    enum { MAXC = 64 };
    static const size_t nt = sizeof table / sizeof table[0];
    char store[MAXC][64];
    const char *cands[MAXC];
    size_t n = 0, depth = count_components(prefix);
    for (size_t i = 0; i < nt && n < MAXC; i++) {
        char c[64];
        if (!has_prefix(table[i].key, prefix) || !component(table[i].key, depth, c, sizeof c) ||
            strcmp(c, "*") == 0)
            continue;
        int dup = 0;
        for (size_t j = 0; j < n && !dup; j++)
            dup = strcmp(store[j], c) == 0;
        if (dup)
            continue;
        memcpy(store[n], c, sizeof c);
        cands[n] = store[n];
        n++;
    }
    char pre[256];
    snprintf(pre, sizeof pre, "%s%s", full ? real_prefix : "", full && *real_prefix ? "." : "");
    if (n == 0) {
        snprintf(buf, cap, "expected a name here");
        return;
    }
    suggest_among(comp, cands, n, pre, buf, cap);
}

void mg_netkeys_suggest_name(const char *s, const char *const *names, size_t n, char *buf,
                             size_t cap) {
    suggest_among(s, names, n, "", buf, cap);
}

void mg_netkeys_proj_defaults(mg_proj_spec *p, const char *name, double dt_ms) {
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name ? name : "");
    p->receptor = MG_RECEPTOR_AMPA;
    p->conn = MG_CONN_FIXED_PROB;
    p->allow_autapses = 1;
    p->weight_nS = mg_dist_const(0.0);
    p->weight_nS.lo = 0.0;
    p->delay_ms = mg_dist_const(dt_ms); /* one step: a spike acts from the next step on */
    p->delay_ms.lo = dt_ms;
    mg_net_plast_defaults(&p->plast);
}

void mg_netkeys_input_defaults(mg_input_spec *in, const char *name) {
    memset(in, 0, sizeof *in);
    snprintf(in->name, sizeof in->name, "%s", name ? name : "");
    in->kind = MG_INPUT_POISSON;
    in->receptor = MG_RECEPTOR_AMPA;
    in->n_sources = 1;
    in->start_ms = 0.0;
    in->stop_ms = MG_NETKEYS_END_OF_RUN;
}

void mg_netkeys_state_defaults(mg_state_rec_spec *r, const char *name, double dt_ms) {
    memset(r, 0, sizeof *r);
    snprintf(r->name, sizeof r->name, "%s", name ? name : "");
    r->interval_ms = dt_ms;
}

void mg_netkeys_wrec_defaults(mg_weight_rec_spec *r, const char *name) {
    memset(r, 0, sizeof *r);
    snprintf(r->name, sizeof r->name, "%s", name ? name : "");
    r->interval_ms = 0.0; /* required */
    r->n_synapses = 0;    /* all */
}

void mg_netkeys_output_defaults(mg_io_net_outputs *o) {
    o->spikes_sonata = 1;
    o->spikes_csv = 0;
    o->rate_bin_ms = 0.0;
}

/* ---- mg_io_net_print_keys ------------------------------------------------------------------ */

static void range_text(const mg_net_key *k, char *buf, size_t cap) {
    buf[0] = '\0';
    int lo = isfinite(k->min), hi = isfinite(k->max) && k->max < MG_NETKEYS_END_OF_RUN;
    if (k->type == MG_KEY_BOOL)
        snprintf(buf, cap, "true, false");
    else if (k->type != MG_KEY_NUMBER && k->type != MG_KEY_U32 && k->type != MG_KEY_U64 &&
             k->type != MG_KEY_DIST && k->type != MG_KEY_TIMES && k->type != MG_KEY_IDS)
        return;
    else if (k->flags & MG_KEY_CLIP_DT)
        snprintf(buf, cap, ">= run.dt_ms");
    else if (k->type == MG_KEY_U64)
        snprintf(buf, cap, ">= 0");
    else {
        char a[32], b[32];
        mg_netkeys_format_number(k->min, a, sizeof a);
        mg_netkeys_format_number(k->max, b, sizeof b);
        if (lo && hi)
            snprintf(buf, cap, "%c%s, %s%c", (k->flags & MG_KEY_MIN_EXCL) ? '(' : '[', a, b,
                     (k->flags & MG_KEY_MAX_EXCL) ? ')' : ']');
        else if (lo)
            snprintf(buf, cap, "%s %s", (k->flags & MG_KEY_MIN_EXCL) ? ">" : ">=", a);
        else if (hi)
            snprintf(buf, cap, "%s %s", (k->flags & MG_KEY_MAX_EXCL) ? "<" : "<=", b);
    }
}

static void dist_text(const mg_dist *d, char *buf, size_t cap) {
    switch (d->kind) {
        case MG_DIST_CONST:
            snprintf(buf, cap, "%g", d->a);
            return;
        case MG_DIST_NORMAL:
            snprintf(buf, cap, "normal(%g, %g)", d->a, d->b);
            return;
        case MG_DIST_UNIFORM:
            snprintf(buf, cap, "uniform(%g, %g)", d->a, d->b);
            return;
        case MG_DIST_LOGNORMAL:
            snprintf(buf, cap, "lognormal(%g, %g)", d->a, d->b);
            return;
    }
    snprintf(buf, cap, "?");
}

static void default_text(const mg_net_key *k, const void *base, char *buf, size_t cap) {
    if (k->default_text) {
        snprintf(buf, cap, "%s", k->default_text);
        return;
    }
    if (k->flags & MG_KEY_REQUIRED) {
        snprintf(buf, cap, "required");
        return;
    }
    const char *p = (const char *)base + k->offset;
    double d;
    uint32_t u;
    uint64_t u64;
    int i;
    mg_dist dist;
    switch (k->type) {
        case MG_KEY_NUMBER:
            memcpy(&d, p, sizeof d);
            mg_netkeys_format_number(d, buf, cap);
            return;
        case MG_KEY_U32:
            memcpy(&u, p, sizeof u);
            snprintf(buf, cap, "%u", u);
            return;
        case MG_KEY_U64:
            memcpy(&u64, p, sizeof u64);
            snprintf(buf, cap, "%llu", (unsigned long long)u64);
            return;
        case MG_KEY_BOOL:
            memcpy(&i, p, sizeof i);
            snprintf(buf, cap, "%s", i ? "true" : "false");
            return;
        case MG_KEY_ENUM:
        case MG_KEY_RECEPTOR:
            memcpy(&i, p, sizeof i);
            snprintf(buf, cap, "%s", mg_netkeys_enum_name(k, i) ? mg_netkeys_enum_name(k, i) : "?");
            return;
        case MG_KEY_DIST:
            memcpy(&dist, p, sizeof dist);
            dist_text(&dist, buf, cap);
            return;
        case MG_KEY_FORMATS: {
            const mg_io_net_outputs *o = base;
            snprintf(buf, cap, "[%s%s%s]", o->spikes_sonata ? "sonata" : "",
                     o->spikes_sonata && o->spikes_csv ? ", " : "", o->spikes_csv ? "csv" : "");
            return;
        }
        default:
            snprintf(buf, cap, "-");
            return;
    }
}

static const char *section_title(const char *sec) {
    if (strcmp(sec, "run") == 0)
        return "the run";
    if (strcmp(sec, "extracellular") == 0)
        return "extracellular magnesium";
    if (strcmp(sec, "nmda") == 0)
        return "NMDA receptors, shared by the network";
    if (strcmp(sec, "runaway") == 0)
        return "runaway-activity check";
    if (strcmp(sec, "populations") == 0)
        return "a map: population name -> population";
    if (strcmp(sec, "projections") == 0)
        return "a map: projection name -> projection";
    if (strcmp(sec, "inputs") == 0)
        return "a map: input name -> input";
    if (strcmp(sec, "record") == 0)
        return "what is written; record.state and record.weights are maps: recorder name -> "
               "recorder";
    return "";
}

void mg_io_net_print_keys(FILE *out) {
    mg_net_spec run;
    mg_net_spec_defaults(&run);
    mg_pop_spec pops[4];
    for (int i = 0; i < 4; i++)
        mg_pop_spec_defaults(&pops[i], "", (mg_neuron_kind)i, 1);
    mg_proj_spec proj;
    mg_netkeys_proj_defaults(&proj, "", run.dt_ms);
    mg_input_spec in;
    mg_netkeys_input_defaults(&in, "");
    mg_state_rec_spec rec;
    mg_netkeys_state_defaults(&rec, "", run.dt_ms);
    mg_io_net_outputs outs;
    mg_netkeys_output_defaults(&outs);
    mg_weight_rec_spec wrec;
    mg_netkeys_wrec_defaults(&wrec, "");

    fprintf(out, "Network model keys (YAML). A name stands where the key shows '*'.\n"
                 "Numbers may be written 1e3, .inf, -.inf; a distribution is a number or\n"
                 "{dist: const, value: x} | {dist: normal, mean: m, sd: s} |\n"
                 "{dist: uniform, low: a, high: b} | {dist: lognormal, mu: m, sigma: s},\n"
                 "each with optional min/max clipping. Override any key with\n"
                 "--set dotted.key=value (e.g. --set populations.E.C_pF=250).\n");
    char section[64] = "";
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const mg_net_key *k = &table[i];
        char sec[64];
        component(k->key, 0, sec, sizeof sec);
        if (strcmp(sec, section) != 0) {
            snprintf(section, sizeof section, "%s", sec);
            fprintf(out, "\n%s: %s\n", sec, section_title(sec));
            fprintf(out, "  %-44s %-5s %-14s %-16s %s\n", "key", "unit", "default", "range",
                    "meaning");
        }
        const void *base = &run;
        switch (k->owner) {
            case MG_KEYS_RUN:
                base = &run;
                break;
            case MG_KEYS_POP: {
                int kind = 0;
                while (k->applies && !(k->applies & (1u << kind)))
                    kind++;
                base = &pops[kind];
                break;
            }
            case MG_KEYS_PROJ:
                base = &proj;
                break;
            case MG_KEYS_INPUT:
                base = &in;
                break;
            case MG_KEYS_STATE:
                base = &rec;
                break;
            case MG_KEYS_OUTPUT:
                base = &outs;
                break;
            case MG_KEYS_WREC:
                base = &wrec;
                break;
        }
        char def[64], range[96], applies[96], meaning[512];
        default_text(k, base, def, sizeof def);
        char names[160] = "";
        if (k->type == MG_KEY_ENUM || k->type == MG_KEY_RECEPTOR || k->type == MG_KEY_FORMATS) {
            size_t used = 0;
            for (int j = 0; j < mg_netkeys_enum_count(k) && used < sizeof names; j++) {
                int w = snprintf(names + used, sizeof names - used, "%s%s", j ? ", " : ": ",
                                 mg_netkeys_enum_name(k, j));
                used += w > 0 ? (size_t)w : 0;
            }
        }
        range_text(k, range, sizeof range);
        mg_netkeys_applies_text(k, applies, sizeof applies);
        snprintf(meaning, sizeof meaning, "%s%s%s%s%s", k->meaning, names, k->applies ? " [" : "",
                 k->applies ? applies : "", k->applies ? "]" : "");
        fprintf(out, "  %-44s %-5s %-14s %-16s %s\n", k->key, k->unit, def, range, meaning);
    }
    fprintf(out, "\nExample: examples/net/coba.yaml; format: docs/model-files.md\n");
}
