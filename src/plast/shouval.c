/* The Shouval, Bear & Cooper 2002 calcium-control rule (PNAS 99:10831) with its NMDA calcium
 * current through the Jahr–Stevens Mg²⁺ block, a summed EPSP and a back-propagating spike,
 * as in the public reference implementation folmez/CaDP-MatLab. Equations: plast.h and
 * docs/models/shouval-2002.md. */
#include <math.h>

#include "mgsim/net.h"
#include "mgsim/plast.h"
#include "plast_internal.h"

void mg_shouval_defaults(mg_shouval_params *out) {
    /* folmez/CaDP-MatLab: Omega_calcium.m, eta_calcium.m, update_w.m, update_Ca.m,
     * NMDAr_calcium_current.m, BPAP.m, EPSP.m (refs §2.4, §6). P2 = P1·1e-4: the reference
     * code's correction of a typo in the paper (refs §2.7 warning 4). V_rest -65 mV: CaDP.m. */
    mg_shouval_params p = {0.35,        0.55,              /* α1, α2 (µM) */
                           80.0,        80.0,              /* β1, β2 (1/µM) */
                           0.25,        1.0,   -0.25,      /* a0, a_ltp, a_ltd */
                           1.0,                            /* λ */
                           0.1,         1e-5,  3.0,   1.0, /* P1 (s), P2, P3, P4 (s) */
                           50.0,                           /* τCa (ms) */
                           0.5,                            /* P0 */
                           1.0 / 500.0,                    /* |G_NMDA| µM/(ms·mV) */
                           1.0,                            /* nmda_scale */
                           0.5,         0.5,               /* I_f, I_s */
                           50.0,        200.0,             /* τf, τs (ms) */
                           130.0,                          /* V_r (mV) */
                           -65.0,                          /* V_rest (mV) */
                           1.0,                            /* [Mg]o (mM) */
                           3.57,        0.062,             /* Jahr–Stevens */
                           100.0,       0.75,              /* BPAP amplitude (mV), fast fraction */
                           3.0,         25.0,  2.0,        /* BPAP τ fast, τ slow, delay (ms) */
                           10.0, /* EPSP peak (mV): EPSP.m parameter set 2 (Figs 3B, 5B) */
                           50.0,        5.0, /* EPSP τ1, τ2 (ms) */
                           0.0,  /* nmda_sum: most recent presynaptic spike only (reference code) */
                           0.25, /* w0 */
                           0.1}; /* step (ms) */
    *out = p;
}

static mg_status bad(mg_context *ctx, const char *key, const char *what, double v) {
    return mg_error_raise(ctx, MG_ERR_DATA, "shouval.%s must be %s, got %g", key, what, v);
}

#define REQ(cond, key, what, v)                                                                    \
    do {                                                                                           \
        if (!(isfinite(v) && (cond)))                                                              \
            return bad(ctx, key, what, v);                                                         \
    } while (0)

mg_status mg_shouval_validate(mg_context *ctx, const mg_shouval_params *p) {
    REQ(p->alpha1_uM > 0.0, "alpha1_uM", "> 0 µM (LTD threshold)", p->alpha1_uM);
    REQ(p->alpha2_uM > 0.0, "alpha2_uM", "> 0 µM (LTP threshold)", p->alpha2_uM);
    if (!(p->alpha1_uM < p->alpha2_uM))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "shouval.alpha1_uM (%g µM) must be below shouval.alpha2_uM (%g "
                              "µM): thresholds in the wrong order (LTD needs less calcium than "
                              "LTP)",
                              p->alpha1_uM, p->alpha2_uM);
    REQ(p->beta1_per_uM > 0.0, "beta1_per_uM", "> 0 /µM", p->beta1_per_uM);
    REQ(p->beta2_per_uM > 0.0, "beta2_per_uM", "> 0 /µM", p->beta2_per_uM);
    REQ(1, "a0", "finite", p->a0);
    REQ(1, "a_ltp", "finite", p->a_ltp);
    REQ(1, "a_ltd", "finite", p->a_ltd);
    REQ(p->lambda > 0.0, "lambda", "> 0", p->lambda);
    REQ(p->p1_s >= 0.0, "p1_s", ">= 0 s", p->p1_s);
    REQ(p->p2 >= 0.0, "p2", ">= 0", p->p2);
    REQ(p->p3 > 0.0, "p3", "> 0", p->p3);
    REQ(p->p4_s >= 0.0, "p4_s", ">= 0 s", p->p4_s);
    if (!(p->p2 > 0.0 || p->p4_s > 0.0))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "shouval.p2 and shouval.p4_s cannot both be 0 (the learning rate "
                              "would be infinite at zero calcium)");
    REQ(p->tau_ca_ms > 0.0, "tau_ca_ms", "> 0 ms (calcium decay time constant)", p->tau_ca_ms);
    REQ(p->p0 >= 0.0, "p0", ">= 0", p->p0);
    REQ(p->g_nmda >= 0.0, "g_nmda", ">= 0 µM/(ms·mV)", p->g_nmda);
    REQ(p->nmda_scale >= 0.0, "nmda_scale", ">= 0", p->nmda_scale);
    REQ(p->i_f >= 0.0, "i_f", ">= 0", p->i_f);
    REQ(p->i_s >= 0.0, "i_s", ">= 0", p->i_s);
    REQ(p->tau_f_ms > 0.0, "tau_f_ms", "> 0 ms", p->tau_f_ms);
    REQ(p->tau_s_ms > 0.0, "tau_s_ms", "> 0 ms", p->tau_s_ms);
    REQ(1, "v_r_mV", "finite", p->v_r_mV);
    REQ(p->v_rest_mV < p->v_r_mV, "v_rest_mV", "below shouval.v_r_mV", p->v_rest_mV);
    if (!(isfinite(p->mg_mM) && p->mg_mM >= 0.0))
        return mg_error_raise(ctx, MG_ERR_DATA, "extracellular.mg_mM must be >= 0 mM, got %g",
                              p->mg_mM);
    REQ(p->mg_scale_mM > 0.0, "mg_scale_mM", "> 0 mM", p->mg_scale_mM);
    REQ(p->gamma_per_mV >= 0.0, "gamma_per_mV", ">= 0 /mV", p->gamma_per_mV);
    REQ(1, "bpap_mV", "finite", p->bpap_mV);
    REQ(p->bpap_fast_frac >= 0.0 && p->bpap_fast_frac <= 1.0, "bpap_fast_frac", "in [0, 1]",
        p->bpap_fast_frac);
    REQ(p->bpap_tau_fast_ms > 0.0, "bpap_tau_fast_ms", "> 0 ms", p->bpap_tau_fast_ms);
    REQ(p->bpap_tau_slow_ms > 0.0, "bpap_tau_slow_ms", "> 0 ms", p->bpap_tau_slow_ms);
    REQ(p->bpap_delay_ms >= 0.0, "bpap_delay_ms", ">= 0 ms", p->bpap_delay_ms);
    REQ(1, "epsp_mV", "finite", p->epsp_mV);
    REQ(p->epsp_tau2_ms > 0.0, "epsp_tau2_ms", "> 0 ms", p->epsp_tau2_ms);
    REQ(p->epsp_tau1_ms > p->epsp_tau2_ms, "epsp_tau1_ms", "> shouval.epsp_tau2_ms",
        p->epsp_tau1_ms);
    REQ(p->nmda_sum == 0.0 || p->nmda_sum == 1.0, "nmda_sum", "0 or 1", p->nmda_sum);
    REQ(1, "w0", "finite", p->w0);
    if (p->w0 == 0.0)
        return bad(ctx, "w0", "non-zero (the change is relative to it)", p->w0);
    REQ(p->step_ms > 0.0 && p->step_ms <= 1.0, "step_ms", "in (0, 1] ms", p->step_ms);
    return MG_OK;
}

static inline double sig(double x, double beta) {
    return 1.0 / (1.0 + exp(-beta * x));
}

double mg_shouval_omega(const mg_shouval_params *p, double ca) {
    return p->a0 + p->a_ltp * sig(ca - p->alpha2_uM, p->beta2_per_uM) +
           p->a_ltd * sig(ca - p->alpha1_uM, p->beta1_per_uM);
}

double mg_shouval_eta(const mg_shouval_params *p, double ca) {
    double c = ca > 0.0 ? ca : 0.0;
    return 1.0 / (p->p1_s / (p->p2 + pow(c, p->p3)) + p->p4_s);
}

/* Peak of e^{-u/τ1} - e^{-u/τ2} (τ1 > τ2), at u = ln(τ1/τ2) τ1 τ2/(τ1 - τ2). */
static double epsp_norm(double t1, double t2) {
    double u = log(t1 / t2) * t1 * t2 / (t1 - t2);
    return exp(-u / t1) - exp(-u / t2);
}

mg_status mg_shouval_run(mg_context *ctx, const mg_shouval_params *p, const double *pre_ms,
                         size_t n_pre, const double *post_ms, size_t n_post, double t_end_ms,
                         double tox, mg_shouval_result *out) {
    mg_status st = mg_shouval_validate(ctx, p);
    if (st == MG_OK)
        st = mg_plast_check_train(ctx, pre_ms, n_pre, "presynaptic");
    if (st == MG_OK)
        st = mg_plast_check_train(ctx, post_ms, n_post, "postsynaptic");
    if (st != MG_OK)
        return st;
    if (!isfinite(t_end_ms) || t_end_ms < 0.0)
        return mg_error_raise(ctx, MG_ERR_DATA, "end time must be finite and >= 0 ms, got %g",
                              t_end_ms);
    if (!(isfinite(tox) && tox > 0.0))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "readout.ca_tox_rel must give an excitotoxic threshold > 0, got %g",
                              tox);
    const double amp = p->nmda_scale * p->p0 * p->g_nmda, tau = p->tau_ca_ms;
    const double ea = p->epsp_mV / epsp_norm(p->epsp_tau1_ms, p->epsp_tau2_ms);
    double gf = 0, gs = 0, e1 = 0, e2 = 0, bf = 0, bs = 0; /* gating, EPSP, BPAP */
    double ca = 0.0, w = p->w0, t = 0.0;
    double influx = 0.0, integral = 0.0, ltd = 0.0, ltp = 0.0;
    mg_tox_acc acc = {tox, 0.0, 0.0, 0.0};
    size_t i = 0, k = 0; /* next presynaptic spike, next BPAP arrival */
    for (;;) {
        double tn = t_end_ms;
        if (i < n_pre && pre_ms[i] < tn)
            tn = pre_ms[i];
        if (k < n_post && post_ms[k] + p->bpap_delay_ms < tn)
            tn = post_ms[k] + p->bpap_delay_ms;
        double dur = tn - t;
        if (dur > 0.0) {
            double ns = ceil(dur / p->step_ms);
            long n = (long)ns;
            double h = dur / ns, hh = 0.5 * h;
            /* decay factors over half a step and a whole one */
            double hf = exp(-hh / p->tau_f_ms), hs = exp(-hh / p->tau_s_ms);
            double h1 = exp(-hh / p->epsp_tau1_ms), h2 = exp(-hh / p->epsp_tau2_ms);
            double hbf = exp(-hh / p->bpap_tau_fast_ms), hbs = exp(-hh / p->bpap_tau_slow_ms);
            double ec = exp(-h / tau), gain = tau * -expm1(-h / tau);
            for (long m = 0; m < n; m++) {
                /* the state at the step's middle */
                gf *= hf;
                gs *= hs;
                e1 *= h1;
                e2 *= h2;
                bf *= hbf;
                bs *= hbs;
                double g = gf + gs, I = 0.0;
                if (g > 0.0) {
                    double v = p->v_rest_mV + (e1 - e2) + bf + bs;
                    I = amp * g * mg_net_nmda_block(v, p->mg_mM, p->mg_scale_mM, p->gamma_per_mV) *
                        (p->v_r_mV - v);
                }
                double ca1 = ca * ec + gain * I;
                influx += I * h;
                integral += 0.5 * (ca + ca1) * h;
                ltp += mg_lin_above(ca, ca1, p->alpha2_uM, h);
                ltd += mg_lin_above(ca, ca1, p->alpha1_uM, h);
                mg_tox_add(&acc, ca, ca1, h);
                double cm = 0.5 * (ca + ca1);
                double om = mg_shouval_omega(p, cm) / p->lambda;
                double rate = mg_shouval_eta(p, cm) * p->lambda * 1e-3; /* 1/ms */
                w = om + (w - om) * exp(-rate * h);
                ca = ca1;
                gf *= hf;
                gs *= hs;
                e1 *= h1;
                e2 *= h2;
                bf *= hbf;
                bs *= hbs;
            }
            t = tn;
        }
        if (tn >= t_end_ms)
            break;
        while (i < n_pre && pre_ms[i] <= tn) {
            if (p->nmda_sum == 0.0) {
                gf = p->i_f;
                gs = p->i_s;
            } else {
                gf += p->i_f;
                gs += p->i_s;
            }
            e1 += ea;
            e2 += ea;
            i++;
        }
        while (k < n_post && post_ms[k] + p->bpap_delay_ms <= tn) {
            /* the most recent BPAP replaces the earlier one (reference code) */
            bf = p->bpap_mV * p->bpap_fast_frac;
            bs = p->bpap_mV * (1.0 - p->bpap_fast_frac);
            k++;
        }
    }
    out->w_start = p->w0;
    out->w_end = w;
    out->change_percent = 100.0 * (w / p->w0 - 1.0);
    out->ltd_zone_ms = ltd - ltp;
    out->ltp_zone_ms = ltp;
    out->ca.peak = acc.peak;
    out->ca.mean = t_end_ms > 0.0 ? integral / t_end_ms : 0.0;
    out->ca.integral_ms = integral;
    out->ca.influx = influx;
    out->ca.tox_threshold = tox;
    out->ca.above_tox_ms = acc.above;
    out->ca.tox_integral_ms = acc.area;
    return MG_OK;
}
