/* Pair-based and triplet STDP (Pfister & Gerstner 2006, J Neurosci 26:9673), all-to-all
 * interactions, event by event. Equations: plast.h and docs/models/stdp.md. */
#include <math.h>

#include "mgsim/plast.h"
#include "plast_internal.h"

void mg_stdp_defaults(mg_rule_kind kind, mg_stdp_params *out) {
    /* Pfister & Gerstner 2006 Table 4, visual cortex data (Sjöström et al. 2001), all-to-all,
     * full model; the same values are NEST's stdp_triplet_synapse test set. */
    mg_stdp_params p = {16.8, 33.7, 101.0, 125.0, 5e-10, 7e-3, 6.2e-3, 2.3e-4, 1.0};
    if (kind == MG_RULE_STDP_PAIR) {
        /* pair rule: A3± = 0; A2+ and A2- an assumption (A-/A+ = 1.05, Song, Miller & Abbott
         * 2000), τ± of the same table */
        p.a2_plus = 5e-3;
        p.a2_minus = 5.25e-3;
        p.a3_plus = 0.0;
        p.a3_minus = 0.0;
    }
    *out = p;
}

mg_status mg_stdp_validate(mg_context *ctx, const mg_stdp_params *p) {
    const struct {
        const char *key;
        double v;
        int positive;
    } f[] = {{"tau_plus_ms", p->tau_plus_ms, 1},
             {"tau_minus_ms", p->tau_minus_ms, 1},
             {"tau_x_ms", p->tau_x_ms, 1},
             {"tau_y_ms", p->tau_y_ms, 1},
             {"a2_plus", p->a2_plus, 0},
             {"a2_minus", p->a2_minus, 0},
             {"a3_plus", p->a3_plus, 0},
             {"a3_minus", p->a3_minus, 0},
             {"w0", p->w0, 1}};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        int ok = isfinite(f[i].v) && (f[i].positive ? f[i].v > 0.0 : f[i].v >= 0.0);
        if (!ok)
            return mg_error_raise(ctx, MG_ERR_DATA, "stdp.%s must be %s, got %g", f[i].key,
                                  f[i].positive ? "> 0 (time constants in ms)" : ">= 0", f[i].v);
    }
    return MG_OK;
}

mg_status mg_stdp_run(mg_context *ctx, const mg_stdp_params *p, const double *pre_ms, size_t n_pre,
                      const double *post_ms, size_t n_post, double *dw) {
    mg_status st = mg_stdp_validate(ctx, p);
    if (st == MG_OK)
        st = mg_plast_check_train(ctx, pre_ms, n_pre, "presynaptic");
    if (st == MG_OK)
        st = mg_plast_check_train(ctx, post_ms, n_post, "postsynaptic");
    if (st != MG_OK)
        return st;
    double r1 = 0, r2 = 0, o1 = 0, o2 = 0, t = 0.0, w = 0.0;
    size_t i = 0, j = 0;
    while (i < n_pre || j < n_post) {
        /* at equal times the presynaptic spike is processed first (Δt = 0 counts as LTP) */
        int is_pre = j >= n_post || (i < n_pre && pre_ms[i] <= post_ms[j]);
        double tn = is_pre ? pre_ms[i] : post_ms[j], d = tn - t;
        if (d > 0.0) {
            r1 *= exp(-d / p->tau_plus_ms);
            r2 *= exp(-d / p->tau_x_ms);
            o1 *= exp(-d / p->tau_minus_ms);
            o2 *= exp(-d / p->tau_y_ms);
            t = tn;
        }
        if (is_pre) {
            w -= o1 * (p->a2_minus + p->a3_minus * r2);
            r1 += 1.0;
            r2 += 1.0;
            i++;
        } else {
            w += r1 * (p->a2_plus + p->a3_plus * o2);
            o1 += 1.0;
            o2 += 1.0;
            j++;
        }
    }
    *dw = w;
    return MG_OK;
}
