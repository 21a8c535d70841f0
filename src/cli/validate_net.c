/* `mgsim validate`: the network engine's targets (the NMDA Mg block against its formula, the
 * COBA benchmark and the Brunel-Wang network with Mg-blocked NMDA against the Brian2 peer runs
 * in bench/reference/brian2_reference.json). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/validate_targets.h"
#include "mgsim/io.h"
#include "mgsim/net.h"

#define NSEEDS 5

/* ------------------------------------------------------------------ NMDA block */

/* Largest relative deviation of mg_net_nmda_block from the Jahr & Stevens 1990 formula
 * B = 1 / (1 + [Mg]o/3.57 mM · e^{-0.062 V}), written out here, over V = -100..40 mV (5 mV)
 * and [Mg]o = 0.5, 1, 2 mM. */
static mg_status nmda_block(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    (void)ctx;
    (void)c;
    double worst = 0.0;
    const double mg[3] = {0.5, 1.0, 2.0};
    for (int k = 0; k < 3; k++)
        for (int i = 0; i <= 28; i++) {
            double v = -100.0 + 5.0 * i;
            double want = 1.0 / (1.0 + mg[k] / 3.57 * exp(-0.062 * v));
            double got = mg_net_nmda_block(v, mg[k], 3.57, 0.062);
            worst = fmax(worst, fabs(got - want) / want);
        }
    o->got = worst;
    snprintf(o->got_text, sizeof o->got_text, "%.2g", worst);
    snprintf(o->detail, sizeof o->detail, "B(-60 mV, 1 mM) = %.4f",
             mg_net_nmda_block(-60.0, 1.0, 3.57, 0.062));
    return MG_OK;
}

/* ------------------------------------------------------------------ networks */

/* Rates (Hz) of populations E and I of the model at path, run for duration_ms with seed and
 * [Mg]o mg_mM (mg_mM < 0: the file's value). */
static mg_status run_rates(mg_context *ctx, const char *path, unsigned seed, double duration_ms,
                           double mg_mM, double *rate_e, double *rate_i) {
    char s1[64], s2[64], s3[64];
    snprintf(s1, sizeof s1, "run.duration_ms=%.17g", duration_ms);
    snprintf(s2, sizeof s2, "run.seed=%u", seed);
    snprintf(s3, sizeof s3, "extracellular.mg_mM=%.17g", mg_mM);
    const char *sets[3] = {s1, s2, s3};
    mg_io_net_model *model = NULL;
    mg_status st = mg_io_net_load(ctx, path, sets, mg_mM < 0 ? 2 : 3, &model);
    if (st != MG_OK)
        return st;
    const mg_net_spec *spec = mg_io_net_model_spec(model);
    mg_net *net = NULL;
    st = mg_net_create(ctx, spec, &net);
    if (st == MG_OK)
        st = mg_net_run(net, spec->duration_ms, NULL);
    if (st == MG_OK) {
        *rate_e = *rate_i = NAN;
        for (size_t q = 0; q < spec->n_pops; q++) {
            double n = (double)mg_net_pop_size(net, (uint32_t)q);
            double r = (double)mg_net_pop_spikes(net, (uint32_t)q) / n / (duration_ms * 1e-3);
            if (strcmp(spec->pops[q].name, "E") == 0)
                *rate_e = r;
            else if (strcmp(spec->pops[q].name, "I") == 0)
                *rate_i = r;
        }
        if (isnan(*rate_e) || isnan(*rate_i))
            st = mg_error_raise(ctx, MG_ERR_CONFIG, "%s: populations E and I expected", path);
    }
    mg_net_destroy(&net);
    mg_io_net_model_free(&model);
    return st;
}

static const double WANG_MG[3] = {0.5, 1.0, 2.0};

static mg_status need_wang(mg_context *ctx, vt_cache *c) {
    if (c->wang_done)
        return MG_OK;
    char path[1200];
    snprintf(path, sizeof path, "%s/examples/net/wang_mg.yaml", c->root);
    vt_progress(c, "engine: wang_mg, 5 seeds x 2 s at [Mg]o 0.5, 1, 2 mM (about 10 s)");
    for (int q = 0; q < 3; q++)
        for (unsigned s = 1; s <= NSEEDS; s++) {
            mg_status st = run_rates(ctx, path, s, 2000.0, WANG_MG[q], &c->wang_e[q][s - 1],
                                     &c->wang_i[q][s - 1]);
            if (st != MG_OK)
                return st;
        }
    c->wang_done = 1;
    return MG_OK;
}

static mg_status need_coba(mg_context *ctx, vt_cache *c) {
    if (c->coba_done)
        return MG_OK;
    char path[1200];
    snprintf(path, sizeof path, "%s/examples/net/coba.yaml", c->root);
    vt_progress(c, "engine: COBA, 5 seeds x 1 s");
    for (unsigned s = 1; s <= NSEEDS; s++) {
        double e, i;
        mg_status st = run_rates(ctx, path, s, 1000.0, -1.0, &e, &i);
        if (st != MG_OK)
            return st;
        c->coba[s - 1] = (3200.0 * e + 800.0 * i) / 4000.0; /* as brian2_coba.py counts */
    }
    c->coba_done = 1;
    return MG_OK;
}

static double mean5(const double *x) {
    double m = 0.0;
    for (int i = 0; i < NSEEDS; i++)
        m += x[i];
    return m / NSEEDS;
}

/* The number at a path of keys in the Brian2 reference file. */
static mg_status ref_number(mg_context *ctx, const vt_cache *c, const char *const *keys, size_t n,
                            double *out) {
    char path[1200];
    snprintf(path, sizeof path, "%s/bench/reference/brian2_reference.json", c->root);
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    if (!root)
        return mg_error_raise(ctx, MG_ERR_NOINPUT,
                              "cannot read the Brian2 reference %s: %s (the engine targets need "
                              "the source tree; set MGSIM_DATA_DIR to its data/ folder)",
                              path, err.text);
    json_t *x = root;
    for (size_t i = 0; i < n && x; i++)
        x = json_object_get(x, keys[i]);
    mg_status st = MG_OK;
    if (!json_is_number(x))
        st = mg_error_raise(ctx, MG_ERR_DATA, "%s: no number at %s/.../%s", path, keys[0],
                            keys[n - 1]);
    else
        *out = json_number_value(x);
    json_decref(root);
    return st;
}

static mg_status coba_range(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    const char *kmin[] = {"coba", "rate_Hz", "min"}, *kmax[] = {"coba", "rate_Hz", "max"};
    mg_status st;
    if ((st = ref_number(ctx, c, kmin, 3, &o->lo)) != MG_OK ||
        (st = ref_number(ctx, c, kmax, 3, &o->hi)) != MG_OK || (st = need_coba(ctx, c)) != MG_OK)
        return st;
    o->got = mean5(c->coba);
    snprintf(o->expected, sizeof o->expected, "in [%.2f, %.2f] Hz", o->lo, o->hi);
    snprintf(o->got_text, sizeof o->got_text, "%.2f Hz", o->got);
    snprintf(o->detail, sizeof o->detail, "seeds 1-5: %.3f %.3f %.3f %.3f %.3f Hz", c->coba[0],
             c->coba[1], c->coba[2], c->coba[3], c->coba[4]);
    return MG_OK;
}

/* Mean rate of population pop (0 E, 1 I) at 1 mM within 5 % of Brian2's mean. */
static mg_status wang_rate(mg_context *ctx, vt_cache *c, vt_outcome *o, int pop) {
    const char *key[] = {"wang_mg", "by_mg", "1", pop == 0 ? "rate_E_Hz" : "rate_I_Hz", "mean"};
    double ref;
    mg_status st;
    if ((st = ref_number(ctx, c, key, 5, &ref)) != MG_OK || (st = need_wang(ctx, c)) != MG_OK)
        return st;
    const double *r = pop == 0 ? c->wang_e[1] : c->wang_i[1];
    o->got = mean5(r);
    o->lo = 0.95 * ref;
    o->hi = 1.05 * ref;
    snprintf(o->expected, sizeof o->expected, "%.2f Hz", ref);
    snprintf(o->got_text, sizeof o->got_text, "%.2f Hz (%+.1f %%)", o->got,
             100.0 * (o->got / ref - 1.0));
    snprintf(o->detail, sizeof o->detail, "seeds 1-5: %.3f %.3f %.3f %.3f %.3f Hz", r[0], r[1],
             r[2], r[3], r[4]);
    return MG_OK;
}

static mg_status wang_e(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    return wang_rate(ctx, c, o, 0);
}

static mg_status wang_i(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    return wang_rate(ctx, c, o, 1);
}

/* E and I seed-mean rates fall from 0.5 to 1 and from 1 to 2 mM: got = steps that fall (of 4). */
static mg_status wang_direction(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    mg_status st = need_wang(ctx, c);
    if (st != MG_OK)
        return st;
    double e[3], i[3];
    int falls = 0;
    for (int q = 0; q < 3; q++) {
        e[q] = mean5(c->wang_e[q]);
        i[q] = mean5(c->wang_i[q]);
        if (q > 0)
            falls += (e[q] < e[q - 1]) + (i[q] < i[q - 1]);
    }
    o->got = falls;
    snprintf(o->got_text, sizeof o->got_text, "%d of 4 fall", falls);
    snprintf(o->detail, sizeof o->detail,
             "E %.2f / %.2f / %.2f Hz, I %.2f / %.2f / %.2f Hz at 0.5 / 1 / 2 mM", e[0], e[1], e[2],
             i[0], i[1], i[2]);
    return MG_OK;
}

/* The E-rate ratio 0.5 mM / 1 mM, seed by seed, within 10 % of Brian2's. */
static mg_status wang_ratio(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    const char *key[] = {"wang_mg", "mg_effect", "rate_E_ratio_to_1mM", "0.5", "mean"};
    double ref;
    mg_status st;
    if ((st = ref_number(ctx, c, key, 5, &ref)) != MG_OK || (st = need_wang(ctx, c)) != MG_OK)
        return st;
    double r[NSEEDS];
    for (int s = 0; s < NSEEDS; s++)
        r[s] = c->wang_e[0][s] / c->wang_e[1][s];
    o->got = mean5(r);
    o->lo = 0.9 * ref;
    o->hi = 1.1 * ref;
    snprintf(o->expected, sizeof o->expected, "%.3f", ref);
    snprintf(o->got_text, sizeof o->got_text, "%.3f (%+.1f %%)", o->got,
             100.0 * (o->got / ref - 1.0));
    return MG_OK;
}

static const vt_target TARGETS[] = {
    {"engine.nmda_block_analytic",
     "mg_net_nmda_block against the formula, V -100..40 mV, [Mg]o 0.5/1/2 mM (max rel. error)",
     "Jahr & Stevens 1990, J Neurosci 10:3178 (eq. for B(V))", "0", "<= 1e-12 relative",
     "the same closed form evaluated twice: only rounding may differ", 0, 0.0, 1e-12, nmda_block},
    {"engine.coba_rate_brian2_range",
     "COBA (Brette et al. 2007 benchmark 1), 1 s, mean rate of E and I over seeds 1-5",
     "Brian2 2.5.1 peer runs, bench/reference/brian2_reference.json (coba)", "Brian2 5-seed range",
     "min..max of Brian2's 5 seeds",
     "single runs are chaotic; the mean of 5 seeds must fall inside the peer's seed range", 0, 0, 0,
     coba_range},
    {"engine.wang_mg_rate_E_1mM",
     "Brunel-Wang network with Mg-blocked NMDA, 2 s, 1 mM: E rate, mean of seeds 1-5",
     "Brian2 2.5.1 peer runs (wang_mg, by_mg 1 mM)", "Brian2 5-seed mean", "+-5 % relative",
     "the issue's criterion for the event-driven saturating-NMDA approximation", 1, 0, 0, wang_e},
    {"engine.wang_mg_rate_I_1mM",
     "Brunel-Wang network with Mg-blocked NMDA, 2 s, 1 mM: I rate, mean of seeds 1-5",
     "Brian2 2.5.1 peer runs (wang_mg, by_mg 1 mM)", "Brian2 5-seed mean", "+-5 % relative",
     "the issue's criterion for the event-driven saturating-NMDA approximation", 1, 0, 0, wang_i},
    {"engine.wang_mg_mg_direction",
     "Brunel-Wang network: E and I rates fall from 0.5 to 1 to 2 mM (steps that fall)",
     "Brian2 peer runs (rates fall with Mg in every seed); Jahr & Stevens 1990 block",
     "4 of 4 fall", "exact (a direction)", "a sign: the block deepens with [Mg]o", 1, 4.0, 4.0,
     wang_direction},
    {"engine.wang_mg_E_ratio_0.5mM",
     "Brunel-Wang network: E rate at 0.5 mM over its rate at 1 mM, mean of per-seed ratios",
     "Brian2 peer runs (wang_mg, mg_effect rate_E_ratio_to_1mM 0.5)", "Brian2 mean ratio",
     "+-10 % relative",
     "the size of the Mg effect; 10 %: tests/test_validation_net.c's criterion for means", 1, 0, 0,
     wang_ratio},
};

const vt_target *vt_engine_targets(size_t *n) {
    *n = sizeof TARGETS / sizeof TARGETS[0];
    return TARGETS;
}
