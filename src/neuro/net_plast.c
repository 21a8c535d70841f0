/* Plastic projections: the Graupner & Brunel 2012 calcium rule with spike-time or NMDA-gated
 * calcium, event-driven, in the network engine (docs/models/network-plasticity.md); pair and
 * triplet STDP (event-driven traces); the Shouval, Bear & Cooper 2002 rule, clock-driven (its
 * NMDA influx couples the presynaptic gating to the postsynaptic voltage through the block, so
 * every synapse takes mg_shouval_run's step every dt: shouval_events, shouval_traces).
 *
 * The calcium of synapse (i -> j) is linear in the spikes, so it is the sum of a presynaptic
 * trace of neuron i (jumps C_pre, D after each spike of i) and a postsynaptic trace of neuron
 * j (jumps C_post at each spike of j), both decaying with τCa; the traces are kept per neuron.
 * A synapse is updated at every event that changes its calcium: the presynaptic arrivals of
 * i and the spikes of j. Between two events c decays exponentially from c0, so it stays above
 * θ for τCa ln(c0/θ): ρ obeys an autonomous ODE on at most three pieces (above θp, above θd
 * only, below θd), each in equal steps of at most 0.05 τ / (1 + γp Θp + γd Θd) (one step per
 * piece in most updates) of exponential Rosenbrock–Euler, exact for the linear part of the
 * drift, with the noise increment of src/plast/gb2012.c (the exact Ornstein–Uhlenbeck variance
 * for the linearised drift) on the pieces above θd. Per synapse only ρ (float) is stored; the time
 * of its last update is max(pre_t[i], post_t[j]). Post spikes reach their synapses through a column
 * index (synapse and presynaptic neuron per entry) built only for plastic projections.
 *
 * NMDA calcium: an arrival of i adds C_pre s B(V_j, [Mg]o) to synapse (i -> j), which depends
 * on the target, so the presynaptic part is kept per synapse (syn_c, float, its value just after
 * the last arrival of i, at step pre_t[i]); the thread that owns j makes that jump in phase B,
 * right after updating ρ with the calcium before the arrival. The postsynaptic trace is as in
 * spike mode.
 *
 * Threads: in phase B of step k each thread updates the synapses onto its own targets (the
 * post spikes of its own neurons first, then the presynaptic arrivals, skipping synapses whose
 * target fired in this step: they are already up to date). The traces jump after every thread
 * has finished (mg_netplast_traces), so all threads read the same traces. Random numbers are keyed
 * by (seed, projection, synapse, step, draw): results do not depend on the thread count.
 */
#include "neuro/net_internal.h"
#include "neuro/fastmath.h"

#include "base/rng.h"
#include "mgsim/plast.h"
#include "plast/plast_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Random-number purpose of projection q's plasticity noise. */
#define PLAST_RNG_PURPOSE(q) ((uint32_t)MG_RNG_USER + 4096u + (uint32_t)(q))

/* Entity of the initial-ρ draws of projection q. */
#define PLAST_INIT_ENTITY(q) ((uint32_t)(1u << 30) + (uint32_t)(q))

/* Steps on a piece of constant Θ are at most MG_NETPLAST_STEP τ / (1 + γp Θp + γd Θd), the rule
 * of gb2012.c with 0.05 for its 0.02: one step per piece in most updates of a network (pieces
 * above θd last a few ms). The exponential step is exact for the linear part of the drift;
 * its error comes from the curvature of the cubic (docs/models/network-plasticity.md). */
#define MG_NETPLAST_STEP 0.05

/* Synapses of a column prefetched ahead of their update. */
#define PREFETCH_AHEAD 8

/* Largest decay table: beyond it e^{-n dt/τCa} is computed with exp(). */
#define DECAY_TABLE_MAX 65536u

/* Default excitotoxic threshold / the rule's potentiation threshold (θp or α2): the protocols'
 * readout.ca_tox_rel default (src/plast/protocols.c). ASSUMPTION: no published threshold for
 * excitotoxic synaptic calcium in these rules' units; settable per projection
 * (plasticity.tox_threshold), docs/models/energy.md. */
#define TOX_REL_DEFAULT 2.0

/* The fields of mg_net_shouval_spec, in declaration order. */
#define SH_NFIELDS 27
static void sh_fields(mg_net_shouval_spec *h, double *f[SH_NFIELDS]) {
    double *g[SH_NFIELDS] = {&h->alpha1_uM,
                             &h->alpha2_uM,
                             &h->beta1_per_uM,
                             &h->beta2_per_uM,
                             &h->a0,
                             &h->a_ltp,
                             &h->a_ltd,
                             &h->lambda,
                             &h->p1_s,
                             &h->p2,
                             &h->p3,
                             &h->p4_s,
                             &h->tau_ca_ms,
                             &h->p0,
                             &h->g_nmda,
                             &h->i_f,
                             &h->i_s,
                             &h->tau_f_ms,
                             &h->tau_s_ms,
                             &h->v_r_mV,
                             &h->bpap_mV,
                             &h->bpap_fast_frac,
                             &h->bpap_tau_fast_ms,
                             &h->bpap_tau_slow_ms,
                             &h->bpap_delay_ms,
                             &h->nmda_sum,
                             &h->w_scale_nS};
    memcpy(f, g, sizeof g);
}
_Static_assert(sizeof(mg_net_shouval_spec) == SH_NFIELDS * sizeof(double),
               "sh_fields lists every field of mg_net_shouval_spec");

mg_status mg_net_plast_set_params(mg_context *ctx, mg_net_plast_spec *p, const char *name) {
    mg_gb_params g;
    mg_status st = mg_gb_params_by_name(ctx, name, &g);
    if (st != MG_OK)
        return st;
    memset(p->params, 0, sizeof p->params); /* no bytes of an earlier name after the end */
    snprintf(p->params, sizeof p->params, "%s", name);
    p->tau_ca_ms = g.tau_ca_ms;
    p->c_pre = g.c_pre;
    p->c_post = g.c_post;
    p->delay_pre_ms = g.delay_D_ms;
    p->theta_d = g.theta_d;
    p->theta_p = g.theta_p;
    p->gamma_d = g.gamma_d;
    p->gamma_p = g.gamma_p;
    p->tau_rho_s = g.tau_rho_s;
    p->rho_star = g.rho_star;
    p->sigma = g.sigma;
    return MG_OK;
}

void mg_net_plast_defaults(mg_net_plast_spec *p) {
    memset(p, 0, sizeof *p);
    p->rule = MG_NET_PLAST_NONE;
    /* The DP set of Graupner & Brunel 2012, Fig. 2 (the single source: plast.h's table) */
    mg_net_plast_set_params(NULL, p, "DP");
    /* ASSUMPTION: the weight range has no published value for a network; set it per model. */
    p->w_min_nS = 0.0;
    p->w_max_nS = 1.0;
    p->rho_init = mg_dist_const(0.0);
    p->calcium = MG_NET_CALCIUM_SPIKE;
    /* The NMDA-receptor expression multiplier s of the homeostasis model (1 = normal
     * expression); the jump C_pre s B(V, Mg) is the network approximation of
     * mg_gb_calcium_params' NMDA current (docs/models/network-plasticity.md). */
    p->nmda_scale = 1.0;
    p->tox_threshold = NAN; /* mg_net_plast_tox_default */
    /* STDP: NAN = the rule's default (mg_stdp_defaults, filled by mg_net_plast_fill_stdp) */
    p->tau_plus_ms = p->tau_minus_ms = p->tau_x_ms = p->tau_y_ms = NAN;
    p->a2_plus = p->a2_minus = p->a3_plus = p->a3_minus = NAN;
    /* Shouval 2002: NAN = the default (mg_shouval_defaults, filled by mg_net_plast_fill_shouval) */
    double *f[SH_NFIELDS];
    sh_fields(&p->sh, f);
    for (int m = 0; m < SH_NFIELDS; m++)
        *f[m] = NAN;
}

void mg_net_plast_fill_shouval(mg_net_plast_spec *p) {
    if (!p || p->rule != MG_NET_PLAST_SHOUVAL2002)
        return;
    mg_shouval_params d;
    mg_shouval_defaults(&d);
    double *f[SH_NFIELDS];
    sh_fields(&p->sh, f);
    const double v[SH_NFIELDS] = {d.alpha1_uM, d.alpha2_uM, d.beta1_per_uM, d.beta2_per_uM, d.a0,
                                  d.a_ltp, d.a_ltd, d.lambda, d.p1_s, d.p2, d.p3, d.p4_s,
                                  d.tau_ca_ms, d.p0, d.g_nmda, d.i_f, d.i_s, d.tau_f_ms, d.tau_s_ms,
                                  d.v_r_mV, d.bpap_mV, d.bpap_fast_frac, d.bpap_tau_fast_ms,
                                  d.bpap_tau_slow_ms, d.bpap_delay_ms, d.nmda_sum,
                                  /* ASSUMPTION: the rule's w is dimensionless; 1 nS per unit w
                                   * (docs/models/network-plasticity.md). Set it per model. */
                                  1.0};
    for (int m = 0; m < SH_NFIELDS; m++)
        if (isnan(*f[m]))
            *f[m] = v[m];
}

double mg_net_plast_tox_default(const mg_net_plast_spec *p) {
    if (!p)
        return NAN;
    if (p->rule == MG_NET_PLAST_GRAUPNER_BRUNEL)
        return TOX_REL_DEFAULT * p->theta_p;
    if (p->rule == MG_NET_PLAST_SHOUVAL2002)
        return TOX_REL_DEFAULT * p->sh.alpha2_uM;
    return NAN;
}

void mg_net_plast_fill_stdp(mg_net_plast_spec *p) {
    if (!p || (p->rule != MG_NET_PLAST_STDP_PAIR && p->rule != MG_NET_PLAST_STDP_TRIPLET))
        return;
    mg_stdp_params d;
    mg_stdp_defaults(p->rule == MG_NET_PLAST_STDP_PAIR ? MG_RULE_STDP_PAIR : MG_RULE_STDP_TRIPLET,
                     &d);
    double *f[8] = {&p->tau_plus_ms, &p->tau_minus_ms, &p->tau_x_ms, &p->tau_y_ms,
                    &p->a2_plus,     &p->a2_minus,     &p->a3_plus,  &p->a3_minus};
    const double v[8] = {d.tau_plus_ms, d.tau_minus_ms, d.tau_x_ms, d.tau_y_ms,
                         d.a2_plus,     d.a2_minus,     d.a3_plus,  d.a3_minus};
    for (int m = 0; m < 8; m++)
        if (isnan(*f[m]))
            *f[m] = v[m];
}

/* e^{-n dt/τ} from a table of n_tab values, else exp(). */
static inline double tab_decay(const double *tab, uint32_t n_tab, int64_t n, double dt_ms,
                               double tau_ms) {
    if (n < (int64_t)n_tab)
        return tab[n];
    double x = (double)n * dt_ms / tau_ms;
    return x > 745.0 ? 0.0 : exp(-x);
}

static inline double clip01(double u) {
    return u < 0.0 ? 0.0 : (u > 1.0 ? 1.0 : u);
}

/* STDP, phase B of step k on thread t (the synapses onto the thread's targets): the
 * presynaptic spikes of step k first (depression with o1 of the target before its jump), then
 * the postsynaptic spikes (potentiation with r1 of the source, its jump of step k included):
 * mg_stdp_run's order for a pre and a post spike at the same time. */
static void stdp_events(mg_net *net, mg_proj *pj, int t, int T, int64_t k) {
    const mg_net_plast_spec *p = &pj->spec.plast;
    const int par = mg_spk_slot(k); /* the mailbox of step k */
    const double dt = net->dt_ms;
    const uint8_t *pre_fired = net->pops[pj->pre].fired;
    float *rho = pj->rho;
    for (int tt = 0; tt < T; tt++) {
        size_t n;
        const uint32_t *arr = mg_spk_list(net, tt, par, pj->pre, &n);
        for (size_t s = 0; s < n; s++) {
            uint32_t i = arr[s];
            double r2 = pj->pre_c2[i] * exp(-(double)(k - pj->pre_t[i]) * dt / p->tau_x_ms);
            double a = p->a2_minus + p->a3_minus * r2;
            uint64_t lo, hi;
            mg_proj_row_part(pj, i, t, T, &lo, &hi);
            for (uint64_t x = lo; x < hi; x++) {
                uint32_t j = pj->tgt[x];
                double o1 = pj->post_c[j] * tab_decay(pj->decay2, pj->n_decay2, k - pj->post_t[j],
                                                      dt, p->tau_minus_ms);
                rho[x] = (float)clip01((double)rho[x] - o1 * a);
            }
        }
    }
    size_t nspk;
    const uint32_t *spk = mg_spk_list(net, t, par, pj->post, &nspk);
    for (size_t s = 0; s < nspk; s++) {
        uint32_t j = spk[s];
        double o2 = pj->post_c2[j] * exp(-(double)(k - pj->post_t[j]) * dt / p->tau_y_ms);
        double a = p->a2_plus + p->a3_plus * o2;
        for (uint64_t e = pj->col[j]; e < pj->col[j + 1]; e++) {
            uint32_t i = pj->col_pre[e];
            uint32_t x = pj->col_syn[e];
            double r1 = pj->pre_c[i] * tab_decay(pj->decay, pj->n_decay, k - pj->pre_t[i], dt,
                                                 p->tau_plus_ms) +
                        (pre_fired[i] ? 1.0 : 0.0);
            rho[x] = (float)clip01((double)rho[x] + r1 * a);
        }
    }
}

/* STDP traces after phase B of step k: every trace of a neuron that fired in step k jumps by 1. */
static void stdp_traces(mg_net *net, mg_proj *pj, int64_t k) {
    const mg_net_plast_spec *p = &pj->spec.plast;
    const int par = mg_spk_slot(k); /* the mailbox of step k */
    const double dt = net->dt_ms;
    for (int tt = 0; tt < net->threads; tt++) {
        size_t m;
        const uint32_t *spk = mg_spk_list(net, tt, par, pj->post, &m);
        for (size_t s = 0; s < m; s++) {
            uint32_t j = spk[s];
            int64_t n = k - pj->post_t[j];
            pj->post_c[j] =
                pj->post_c[j] * tab_decay(pj->decay2, pj->n_decay2, n, dt, p->tau_minus_ms) + 1.0;
            pj->post_c2[j] = pj->post_c2[j] * exp(-(double)n * dt / p->tau_y_ms) + 1.0;
            pj->post_t[j] = k;
        }
        spk = mg_spk_list(net, tt, par, pj->pre, &m);
        for (size_t s = 0; s < m; s++) {
            uint32_t i = spk[s];
            int64_t n = k - pj->pre_t[i];
            pj->pre_c[i] =
                pj->pre_c[i] * tab_decay(pj->decay, pj->n_decay, n, dt, p->tau_plus_ms) + 1.0;
            pj->pre_c2[i] = pj->pre_c2[i] * exp(-(double)n * dt / p->tau_x_ms) + 1.0;
            pj->pre_t[i] = k;
        }
    }
}

static inline double decay_steps(const mg_proj *pj, int64_t n, double dt_ms) {
    if (n < (int64_t)pj->n_decay)
        return pj->decay[n];
    double x = (double)n * dt_ms / pj->spec.plast.tau_ca_ms;
    return x > 745.0 ? 0.0 : exp(-x);
}

/* τ dρ/dt without noise on a piece with γp Θp = gp, γd Θd = gd. */
static inline double rhs(double rho, double rs, double gp, double gd) {
    return -rho * (1.0 - rho) * (rs - rho) + gp * (1.0 - rho) - gd * rho;
}

/* φ1(z) = (e^z - 1)/z: Taylor to z^2 for |z| < 1e-3 (relative error < z^3/24 < 5e-11), to
 * z^6 for |z| < 0.1 (< z^7/40320 < 3e-12). */
static inline double phi1(double z) {
    double a = fabs(z);
    if (a < 1e-3) /* below θd between close events: error < z^3/24 < 5e-11 */
        return 1.0 + z * (0.5 + z * (1.0 / 6));
    if (a < 0.1)
        return 1.0 +
               z * (1.0 / 2 +
                    z * (1.0 / 6 + z * (1.0 / 24 + z * (1.0 / 120 + z * (1.0 / 720 + z / 5040)))));
    return expm1(z) / z;
}

/* Normal draws of one synapse update: (seed, purpose, synapse, step·2^12 + block), two per
 * Philox block (its four words make two 53-bit uniforms), by the inverse normal CDF. */
typedef struct {
    uint64_t seed;
    uint32_t purpose, syn;
    uint64_t base;
    uint32_t block;
    double spare;
    int has_spare;
} plast_normals;

/* Inverse of the standard normal CDF, u in (0, 1): Acklam's rational approximation (relative
 * error below 1.15e-9 over the whole range; P. J. Acklam, "An algorithm for computing the
 * inverse normal cumulative distribution function", 2003), rational in the central 95 % with
 * no transcendental call. */
static inline double norm_inv(double u) {
    static const double a[6] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                -2.759285104469687e+02, 1.383577518672690e+02,
                                -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[5] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                -1.556989798598866e+02, 6.680131188771972e+01,
                                -1.328068155288572e+01};
    static const double c[6] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                -2.400758277161838e+00, -2.549732539343734e+00,
                                4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[4] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                3.754408661907416e+00};
    if (u > 0.02425 && u < 0.97575) {
        double q = u - 0.5, r = q * q;
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
               (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
    }
    double q = sqrt(-2.0 * log(u < 0.5 ? u : 1.0 - u));
    double x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    return u < 0.5 ? x : -x;
}

static inline double next_normal(plast_normals *g) {
    if (g->has_spare) {
        g->has_spare = 0;
        return g->spare;
    }
    mg_rng_block b = mg_rng_draw(g->seed, g->purpose, g->syn, g->base | (g->block++ & 0xfffu));
    /* (0, 1] uniforms; u = 1 maps to the largest representable tail instead of infinity */
    double u1 = mg_rng_u01(b.w[0], b.w[1]), u2 = mg_rng_u01(b.w[2], b.w[3]);
    if (u1 >= 1.0)
        u1 = 1.0 - 1.0 / 9007199254740992.0;
    if (u2 >= 1.0)
        u2 = 1.0 - 1.0 / 9007199254740992.0;
    g->spare = norm_inv(u2);
    g->has_spare = 1;
    return norm_inv(u1);
}

/* ρ over one piece of len_s seconds with constant drive (gp, gd; n_theta = Θp + Θd), in
 * equal steps of at most h_max. Each step is exponential Rosenbrock–Euler: with f(ρ) the
 * drift (1/s) and J = f'(ρ0), ρ1 = ρ0 + h φ1(hJ) f(ρ0) (exact for a linear drift; the cubic
 * enters through its linearisation), plus, above θd, a Gaussian increment with the variance of
 * the noise filtered by the same linear drift, s² h φ1(2hJ), s² = σ² (Θp + Θd)/τ (exact for
 * the linear (Ornstein–Uhlenbeck) part; gb2012.c's increment). */
static double piece(const mg_net_plast_spec *p, double h_max, double rho, double len_s, double gp,
                    double gd, double n_theta, plast_normals *g) {
    uint32_t m = 1;
    double h = len_s;
    if (len_s > h_max) {
        double n = ceil(len_s / h_max);
        if (n > 4e9)
            n = 4e9;
        m = (uint32_t)n;
        h = len_s / n;
    }
    double itau = 1.0 / p->tau_rho_s, rs = p->rho_star;
    double nv = g ? p->sigma * p->sigma * itau * n_theta : 0.0;
    for (uint32_t s = 0; s < m; s++) {
        double F = rhs(rho, rs, gp, gd) * itau;
        double dcubic = rs - 2.0 * rho * (1.0 + rs) + 3.0 * rho * rho;
        double z = h * (-dcubic - gp - gd) * itau;
        double p1 = phi1(z);
        double r = rho + h * p1 * F;
        if (nv > 0.0) /* φ1(2z) = φ1(z) (1 + z φ1(z)/2), since e^z = 1 + z φ1(z) */
            r += sqrt(nv * h * p1 * (1.0 + 0.5 * z * p1)) * next_normal(g);
        rho = r;
    }
    return rho;
}

/* Advance ρ over len_ms from the calcium c0 just after the start (noise when g != NULL). */
static double advance(const mg_proj *pj, double rho, double c0, double lc, double len_ms,
                      plast_normals *g) {
    const mg_net_plast_spec *p = &pj->spec.plast;
    if (!(len_ms > 0.0))
        return rho;
    double t_p = 0.0, t_d = 0.0; /* time spent above θp, above θd */
    if (c0 > p->theta_d) {
        t_d = p->tau_ca_ms * (lc - pj->log_theta[0]);
        t_d = t_d < len_ms ? t_d : len_ms;
        if (c0 > p->theta_p) {
            t_p = p->tau_ca_ms * (lc - pj->log_theta[1]);
            t_p = t_p < len_ms ? t_p : len_ms;
        }
    }
    if (t_p > 0.0)
        rho = piece(p, pj->h_max_s[2], rho, t_p * 1e-3, p->gamma_p, p->gamma_d, 2.0, g);
    if (t_d > t_p)
        rho = piece(p, pj->h_max_s[1], rho, (t_d - t_p) * 1e-3, 0.0, p->gamma_d, 1.0, g);
    if (len_ms > t_d)
        rho = piece(p, pj->h_max_s[0], rho, (len_ms - t_d) * 1e-3, 0.0, 0.0, 0.0, NULL);
    return rho;
}

/* Presynaptic calcium of synapse x (from i) just after its last arrival (step pre_t[i]). */
static inline double pre_calcium(const mg_proj *pj, uint64_t x, uint32_t i) {
    return pj->syn_c ? (double)pj->syn_c[x] : pj->pre_c[i];
}

/* Calcium of synapse x (i -> j) just after step t0 = max(pre_t, post_t), and t0. */
static inline double calcium(const mg_proj *pj, uint64_t x, uint32_t i, uint32_t j, double dt_ms,
                             int64_t *t0_out) {
    int64_t tp = pj->pre_t[i], tq = pj->post_t[j];
    int64_t t0 = tp > tq ? tp : tq;
    *t0_out = t0;
    return pre_calcium(pj, x, i) * decay_steps(pj, t0 - tp, dt_ms) +
           pj->post_c[j] * decay_steps(pj, t0 - tq, dt_ms);
}

/* Excitotoxic load of one inter-event interval: c decays from c0 over len ms with τ, so it stays
 * above th for x = min(len, τ ln(c0/th)), with ∫(c - th) dt = τ c0 (1 - e^{-x/τ}) - th x there
 * (the exact spike-mode readout of src/plast/gb2012.c). Adds to *t (ms) and *a (unit·ms). */
static inline void tox_decay(double th, double log_th, double tau, double c0, double lc, double len,
                             double *t, double *a) {
    if (!(c0 > th) || !(len > 0.0))
        return;
    double x = tau * (lc - log_th);
    if (x < len) {
        /* c falls to th inside the interval: e^{-x/τ} = th/c0, so no exponential is needed */
        *t += x;
        *a += tau * (c0 - th) - th * x;
        return;
    }
    *t += len;
    *a += tau * c0 * -expm1(-len / tau) - th * len;
}

/* Update synapse x (i -> j) to step k, with noise. */
static inline void update(const mg_net *net, mg_proj *pj, uint64_t x, uint32_t i, uint32_t j,
                          int64_t k) {
    int64_t t0;
    double c0 = calcium(pj, x, i, j, net->dt_ms, &t0);
    if (t0 >= k)
        return;
    plast_normals g = {net->seed, pj->rng_purpose, (uint32_t)x, (uint64_t)k << 12, 0, 0.0, 0};
    double len = (double)(k - t0) * net->dt_ms;
    /* ln c0, shared by the θd/θp crossing times and the excitotoxic readout */
    double lc = c0 > pj->log_floor ? log(c0) : 0.0;
    if (c0 > pj->tox_thr) /* only the thread owning j writes tox_t[j], tox_i[j] */
        tox_decay(pj->tox_thr, pj->log_tox, pj->spec.plast.tau_ca_ms, c0, lc, len, &pj->tox_t[j],
                  &pj->tox_i[j]);
    pj->rho[x] =
        (float)advance(pj, (double)pj->rho[x], c0, lc, len, pj->spec.plast.sigma > 0.0 ? &g : NULL);
}

double mg_netplast_rho_at(const mg_net *net, const mg_proj *pj, uint64_t x, uint32_t i, uint32_t j,
                          int64_t k) {
    if (pj->sh_w)
        return pj->sh_w[x]; /* clock-driven: up to date */
    if (pj->stdp)
        return (double)pj->rho[x]; /* changes only at spikes */
    int64_t t0;
    double c0 = calcium(pj, x, i, j, net->dt_ms, &t0);
    double rho = (double)pj->rho[x];
    if (t0 >= k)
        return rho;
    return advance(pj, rho, c0, c0 > pj->spec.plast.theta_d ? log(c0) : 0.0,
                   (double)(k - t0) * net->dt_ms, NULL);
}

/* ---------------------------------------------------------------- Shouval 2002, clock-driven */

/* Phase B of step k on thread t: the BPAP and the drive s P0 G B(Vd)(V_r - Vd) of the thread's
 * post neurons at the step's middle, then Ca and w of the synapses onto them over the step
 * (mg_shouval_run's exponential-Euler step with h = dt). */
static void shouval_events(mg_net *net, mg_proj *pj, int t, int T, int64_t k) {
    const mg_shouval_params *h = &pj->sh;
    const mg_pop *post = &net->pops[pj->post];
    const uint32_t np = post->n, db = pj->sh_db;
    const double dt = net->dt_ms, hh = 0.5 * dt;
    const double hbf = exp(-hh / h->bpap_tau_fast_ms), hbs = exp(-hh / h->bpap_tau_slow_ms);
    const double amp = h->nmda_scale * h->p0 * h->g_nmda;
    const double kmg = mg_net_mg_at_step(net, k) / net->nmda.mg_scale_mM;
    const double gam = net->nmda.gamma_per_mV;
    uint32_t lo, hi;
    mg_net_thread_range(net, pj->post, t, T, &lo, &hi);
    uint8_t *now = pj->sh_fired + (size_t)(k % ((int64_t)db + 1)) * np;
    const uint8_t *due = k >= (int64_t)db
                             ? pj->sh_fired + (size_t)((k - (int64_t)db) % ((int64_t)db + 1)) * np
                             : NULL;
    for (uint32_t j = lo; j < hi; j++) {
        now[j] = post->fired[j];
        if (due && due[j]) { /* the most recent BPAP replaces the earlier one */
            pj->sh_bf[j] = h->bpap_mV * h->bpap_fast_frac;
            pj->sh_bs[j] = h->bpap_mV * (1.0 - h->bpap_fast_frac);
        }
        double bf = pj->sh_bf[j] * hbf, bs = pj->sh_bs[j] * hbs;
        double vd = (post->v ? (double)post->v[j] : h->v_rest_mV) + bf + bs;
        double blk = 1.0 / (1.0 + kmg * exp(-gam * vd));
        pj->sh_drive[j] = amp * blk * (h->v_r_mV - vd);
        pj->sh_bf[j] = bf * hbf;
        pj->sh_bs[j] = bs * hbs;
    }
    const double ec = exp(-dt / h->tau_ca_ms), gain = h->tau_ca_ms * -expm1(-dt / h->tau_ca_ms);
    const double il = 1.0 / h->lambda, rl = h->lambda * 1e-3 * dt; /* η in 1/s, dt in ms */
    const int cube = h->p3 == 3.0;
    const double a0 = h->a0, altp = h->a_ltp, altd = h->a_ltd, a1 = h->alpha1_uM, a2 = h->alpha2_uM,
                 b1 = h->beta1_per_uM, b2 = h->beta2_per_uM;
    const double p1 = h->p1_s, p2 = h->p2, p3 = h->p3, p4 = h->p4_s;
    double *restrict ca = pj->sh_ca, *restrict w = pj->sh_w;
    const double *restrict drive = pj->sh_drive;
    const double thr = pj->tox_thr;
    for (uint32_t i = 0; i < pj->n_pre; i++) {
        uint64_t a, b;
        mg_proj_row_part(pj, i, t, T, &a, &b);
        const double gg = gain * pj->sh_gm[i];
        for (uint64_t x = a; x < b; x++) {
            double c0 = ca[x], c1 = c0 * ec + gg * drive[pj->tgt[x]];
            double cm = 0.5 * (c0 + c1);
            /* Ω and η of plast.h (mg_shouval_omega, mg_shouval_eta) */
            double om =
                (a0 + altp / (1.0 + exp(-b2 * (cm - a2))) + altd / (1.0 + exp(-b1 * (cm - a1)))) *
                il;
            double c = cm > 0.0 ? cm : 0.0;
            double cp = cube ? c * c * c : pow(c, p3);
            double eta = 1.0 / (p1 / (p2 + cp) + p4);
            w[x] = om + (w[x] - om) * exp(-eta * rl);
            ca[x] = c1;
            if (c0 > thr || c1 > thr) { /* excitotoxic load: c linear over the step */
                uint32_t j = pj->tgt[x];
                double xa = mg_lin_above(c0, c1, thr, dt);
                pj->tox_t[j] += xa;
                pj->tox_i[j] += xa >= dt ? dt * (cm - thr) : 0.5 * xa * ((c0 > c1 ? c0 : c1) - thr);
            }
        }
    }
}

/* After phase B of step k (one thread): the gating of each pre neuron for step k + 1 (decay over
 * the step, then the arrivals of step k + 1, the spikes of step k + 1 - d), and its middle. */
static void shouval_traces(mg_net *net, mg_proj *pj, int64_t k) {
    const mg_shouval_params *h = &pj->sh;
    const int par = mg_spk_slot(k); /* the mailbox of step k */
    const int64_t S = (int64_t)pj->d_pre + 1;
    size_t r = (size_t)(k % S);
    pj->ring_n[r] = mg_spk_merge(net, net->threads, par, pj->pre, pj->ring + r * pj->n_pre);
    const double hh = 0.5 * net->dt_ms;
    const double hf = exp(-hh / h->tau_f_ms), hs = exp(-hh / h->tau_s_ms);
    const double ff = hf * hf, fs = hs * hs;
    for (uint32_t i = 0; i < pj->n_pre; i++) {
        pj->sh_gf[i] *= ff;
        pj->sh_gs[i] *= fs;
    }
    int64_t ka = k + 1 - (int64_t)pj->d_pre; /* step of the spikes arriving at step k + 1 */
    if (ka >= 0) {
        size_t ra = (size_t)(ka % S);
        const uint32_t *arr = pj->ring + ra * pj->n_pre;
        for (size_t s = 0; s < pj->ring_n[ra]; s++) {
            uint32_t i = arr[s];
            if (h->nmda_sum == 0.0) {
                pj->sh_gf[i] = h->i_f;
                pj->sh_gs[i] = h->i_s;
            } else {
                pj->sh_gf[i] += h->i_f;
                pj->sh_gs[i] += h->i_s;
            }
        }
    }
    for (uint32_t i = 0; i < pj->n_pre; i++)
        pj->sh_gm[i] = pj->sh_gf[i] * hf + pj->sh_gs[i] * hs;
}

/* The presynaptic neurons whose calcium arrives at step k: with no delay, the spikes thread
 * tt recorded this step; else the ring entry of step k - D. 0 when there is none yet. */
static inline int pre_arrivals(const mg_net *net, const mg_proj *pj, int tt, int par, int64_t k,
                               const uint32_t **arr, size_t *n) {
    if (pj->d_pre == 0) {
        *arr = mg_spk_list(net, tt, par, pj->pre, n);
        return 1;
    }
    if (k < (int64_t)pj->d_pre)
        return 0;
    size_t r = (size_t)((k - (int64_t)pj->d_pre) % ((int64_t)pj->d_pre + 1));
    *arr = pj->ring + r * pj->n_pre;
    *n = pj->ring_n[r];
    return 1;
}

void mg_netplast_events(mg_net *net, size_t q, int t, int T, int64_t k) {
    mg_proj *pj = &net->projs[q];
    if (pj->sh_w) {
        shouval_events(net, pj, t, T, k);
        return;
    }
    if (pj->stdp) {
        stdp_events(net, pj, t, T, k);
        return;
    }
    const int par = mg_spk_slot(k); /* the mailbox of step k */
    const mg_pop *post = &net->pops[pj->post];
    /* NMDA calcium: the block B(V) = 1/(1 + kmg e^{mgam V}) at [Mg]o of step k */
    const double kmg = pj->syn_c ? mg_net_mg_at_step(net, k) / net->nmda.mg_scale_mM : 0.0;
    const double mgam = -net->nmda.gamma_per_mV, jump = pj->nmda_jump;
    /* postsynaptic spikes of this thread's neurons */
    {
        size_t n;
        const uint32_t *spk = mg_spk_list(net, t, par, pj->post, &n);
        for (size_t s = 0; s < n; s++) {
            uint32_t j = spk[s];
            uint64_t e0 = pj->col[j], e1 = pj->col[j + 1];
            /* the column's synapses are scattered over ρ: fetch ahead of the updates */
            for (uint64_t e = e0; e < e1 && e < e0 + PREFETCH_AHEAD; e++)
                __builtin_prefetch(&pj->rho[pj->col_syn[e]], 1, 0);
            for (uint64_t e = e0; e < e1; e++) {
                if (e + PREFETCH_AHEAD < e1) {
                    __builtin_prefetch(&pj->rho[pj->col_syn[e + PREFETCH_AHEAD]], 1, 0);
                    if (pj->syn_c)
                        __builtin_prefetch(&pj->syn_c[pj->col_syn[e + PREFETCH_AHEAD]], 0, 0);
                }
                update(net, pj, pj->col_syn[e], pj->col_pre[e], j, k);
            }
        }
    }
    /* presynaptic calcium arrivals of step k, onto this thread's targets */
    int nlists = pj->d_pre == 0 ? T : 1;
    for (int tt = 0; tt < nlists; tt++) {
        const uint32_t *arr;
        size_t n;
        if (!pre_arrivals(net, pj, tt, par, k, &arr, &n))
            break;
        for (size_t s = 0; s < n; s++) {
            uint32_t i = arr[s];
            uint64_t a, b;
            mg_proj_row_part(pj, i, t, T, &a, &b);
            if (!pj->syn_c) {
                for (uint64_t x = a; x < b; x++) {
                    uint32_t j = pj->tgt[x];
                    if (post->fired[j])
                        continue; /* updated to step k by its post spike */
                    update(net, pj, x, i, j, k);
                }
                continue;
            }
            /* NMDA calcium: after the update (with the calcium before the arrival) the
             * synapse's own presynaptic calcium jumps by C_pre s B(V_j, [Mg]o) */
            double dec = decay_steps(pj, k - pj->pre_t[i], net->dt_ms);
            for (uint64_t x = a; x < b; x++) {
                uint32_t j = pj->tgt[x];
                if (!post->fired[j])
                    update(net, pj, x, i, j, k);
                double blk = 1.0 / (1.0 + kmg * mg_fast_exp(mgam * (double)post->v[j]));
                pj->syn_c[x] = (float)((double)pj->syn_c[x] * dec + jump * blk);
            }
        }
    }
}

void mg_netplast_traces(mg_net *net, int64_t k) {
    const int par = mg_spk_slot(k); /* the mailbox of step k */
    const int T = net->threads;
    const double dt = net->dt_ms;
    for (size_t q = 0; q < net->n_projs; q++) {
        mg_proj *pj = &net->projs[q];
        if (pj->sh_w) {
            shouval_traces(net, pj, k);
            continue;
        }
        if (!pj->rho)
            continue;
        if (pj->stdp) {
            stdp_traces(net, pj, k);
            continue;
        }
        const mg_net_plast_spec *p = &pj->spec.plast;
        /* post spikes of step k */
        for (int tt = 0; tt < T; tt++) {
            size_t n;
            const uint32_t *spk = mg_spk_list(net, tt, par, pj->post, &n);
            for (size_t s = 0; s < n; s++) {
                uint32_t j = spk[s];
                pj->post_c[j] = pj->post_c[j] * decay_steps(pj, k - pj->post_t[j], dt) + p->c_post;
                pj->post_t[j] = k;
            }
        }
        /* spikes of step k into the ring (d_pre >= 1), arrivals of step k into the traces */
        if (pj->d_pre > 0) {
            size_t r = (size_t)(k % ((int64_t)pj->d_pre + 1));
            pj->ring_n[r] = mg_spk_merge(net, T, par, pj->pre, pj->ring + r * pj->n_pre);
        }
        int nlists = pj->d_pre == 0 ? T : 1;
        for (int tt = 0; tt < nlists; tt++) {
            const uint32_t *arr;
            size_t n;
            if (!pre_arrivals(net, pj, tt, par, k, &arr, &n))
                break;
            for (size_t s = 0; s < n; s++) {
                uint32_t i = arr[s];
                /* NMDA calcium: the synapses' own values jumped in phase B */
                if (!pj->syn_c)
                    pj->pre_c[i] = pj->pre_c[i] * decay_steps(pj, k - pj->pre_t[i], dt) + p->c_pre;
                pj->pre_t[i] = k;
            }
        }
    }
}

static int check_plast(mg_context *ctx, const mg_proj_spec *ps, const mg_net_plast_spec *p,
                       mg_status *st) {
    const char *bad = NULL;
    double v = 0.0;
    const int stdp = p->rule == MG_NET_PLAST_STDP_PAIR || p->rule == MG_NET_PLAST_STDP_TRIPLET;
#define CHK(cond, key, val)                                                                        \
    if (!bad && !(cond)) {                                                                         \
        bad = key;                                                                                 \
        v = val;                                                                                   \
    }
    if (stdp) {
        CHK(p->tau_plus_ms > 0.0 && isfinite(p->tau_plus_ms), "tau_plus_ms must be > 0 ms",
            p->tau_plus_ms);
        CHK(p->tau_minus_ms > 0.0 && isfinite(p->tau_minus_ms), "tau_minus_ms must be > 0 ms",
            p->tau_minus_ms);
        CHK(p->tau_x_ms > 0.0 && isfinite(p->tau_x_ms), "tau_x_ms must be > 0 ms", p->tau_x_ms);
        CHK(p->tau_y_ms > 0.0 && isfinite(p->tau_y_ms), "tau_y_ms must be > 0 ms", p->tau_y_ms);
        CHK(p->a2_plus >= 0.0 && isfinite(p->a2_plus), "a2_plus must be >= 0", p->a2_plus);
        CHK(p->a2_minus >= 0.0 && isfinite(p->a2_minus), "a2_minus must be >= 0", p->a2_minus);
        CHK(p->a3_plus >= 0.0 && isfinite(p->a3_plus), "a3_plus must be >= 0", p->a3_plus);
        CHK(p->a3_minus >= 0.0 && isfinite(p->a3_minus), "a3_minus must be >= 0", p->a3_minus);
    }
    if (p->rule == MG_NET_PLAST_SHOUVAL2002) {
        const mg_net_shouval_spec *h = &p->sh;
        CHK(h->alpha1_uM > 0.0 && isfinite(h->alpha1_uM), "shouval.alpha1_uM must be > 0 uM",
            h->alpha1_uM);
        CHK(h->alpha2_uM > h->alpha1_uM && isfinite(h->alpha2_uM),
            "shouval.alpha2_uM must be > shouval.alpha1_uM (LTD needs less calcium than LTP)",
            h->alpha2_uM);
        CHK(h->beta1_per_uM > 0.0 && isfinite(h->beta1_per_uM),
            "shouval.beta1_per_uM must be > 0 /uM", h->beta1_per_uM);
        CHK(h->beta2_per_uM > 0.0 && isfinite(h->beta2_per_uM),
            "shouval.beta2_per_uM must be > 0 /uM", h->beta2_per_uM);
        CHK(isfinite(h->a0), "shouval.a0 must be finite", h->a0);
        CHK(isfinite(h->a_ltp), "shouval.a_ltp must be finite", h->a_ltp);
        CHK(isfinite(h->a_ltd), "shouval.a_ltd must be finite", h->a_ltd);
        CHK(h->lambda > 0.0 && isfinite(h->lambda), "shouval.lambda must be > 0", h->lambda);
        CHK(h->p1_s >= 0.0 && isfinite(h->p1_s), "shouval.p1_s must be >= 0 s", h->p1_s);
        CHK(h->p2 >= 0.0 && isfinite(h->p2), "shouval.p2 must be >= 0", h->p2);
        CHK(h->p3 > 0.0 && isfinite(h->p3), "shouval.p3 must be > 0", h->p3);
        CHK(h->p4_s >= 0.0 && isfinite(h->p4_s), "shouval.p4_s must be >= 0 s", h->p4_s);
        CHK(h->p2 > 0.0 || h->p4_s > 0.0,
            "shouval.p4_s must be > 0 when shouval.p2 is 0 (infinite rate at zero calcium)",
            h->p4_s);
        CHK(h->tau_ca_ms > 0.0 && isfinite(h->tau_ca_ms), "shouval.tau_ca_ms must be > 0 ms",
            h->tau_ca_ms);
        CHK(h->p0 >= 0.0 && isfinite(h->p0), "shouval.p0 must be >= 0", h->p0);
        CHK(h->g_nmda >= 0.0 && isfinite(h->g_nmda), "shouval.g_nmda must be >= 0 uM/(ms mV)",
            h->g_nmda);
        CHK(h->i_f >= 0.0 && isfinite(h->i_f), "shouval.i_f must be >= 0", h->i_f);
        CHK(h->i_s >= 0.0 && isfinite(h->i_s), "shouval.i_s must be >= 0", h->i_s);
        CHK(h->tau_f_ms > 0.0 && isfinite(h->tau_f_ms), "shouval.tau_f_ms must be > 0 ms",
            h->tau_f_ms);
        CHK(h->tau_s_ms > 0.0 && isfinite(h->tau_s_ms), "shouval.tau_s_ms must be > 0 ms",
            h->tau_s_ms);
        CHK(isfinite(h->v_r_mV), "shouval.v_r_mV must be finite", h->v_r_mV);
        CHK(isfinite(h->bpap_mV), "shouval.bpap_mV must be finite", h->bpap_mV);
        CHK(h->bpap_fast_frac >= 0.0 && h->bpap_fast_frac <= 1.0,
            "shouval.bpap_fast_frac must be in [0, 1]", h->bpap_fast_frac);
        CHK(h->bpap_tau_fast_ms > 0.0 && isfinite(h->bpap_tau_fast_ms),
            "shouval.bpap_tau_fast_ms must be > 0 ms", h->bpap_tau_fast_ms);
        CHK(h->bpap_tau_slow_ms > 0.0 && isfinite(h->bpap_tau_slow_ms),
            "shouval.bpap_tau_slow_ms must be > 0 ms", h->bpap_tau_slow_ms);
        CHK(h->bpap_delay_ms >= 0.0 && h->bpap_delay_ms < 1e4,
            "shouval.bpap_delay_ms must be in [0, 1e4) ms", h->bpap_delay_ms);
        CHK(h->nmda_sum == 0.0 || h->nmda_sum == 1.0, "shouval.nmda_sum must be 0 or 1",
            h->nmda_sum);
        CHK(h->w_scale_nS >= 0.0 && isfinite(h->w_scale_nS), "shouval.w_scale_nS must be >= 0 nS",
            h->w_scale_nS);
        CHK(p->nmda_scale >= 0.0 && isfinite(p->nmda_scale), "nmda_scale must be >= 0",
            p->nmda_scale);
    } else if (!stdp) { /* the Graupner–Brunel values (not used by STDP) */
        CHK(p->tau_ca_ms > 0.0 && isfinite(p->tau_ca_ms), "tau_ca_ms must be > 0 ms", p->tau_ca_ms);
        CHK(p->tau_rho_s > 0.0 && isfinite(p->tau_rho_s), "tau_rho_s must be > 0 s", p->tau_rho_s);
        CHK(p->c_pre >= 0.0 && isfinite(p->c_pre), "c_pre must be >= 0", p->c_pre);
        CHK(p->c_post >= 0.0 && isfinite(p->c_post), "c_post must be >= 0", p->c_post);
        CHK(p->delay_pre_ms >= 0.0 && p->delay_pre_ms < 1e6, "delay_pre_ms must be in [0, 1e6) ms",
            p->delay_pre_ms);
        CHK(p->theta_d > 0.0 && isfinite(p->theta_d), "theta_d must be > 0", p->theta_d);
        CHK(p->theta_p >= p->theta_d && isfinite(p->theta_p), "theta_p must be >= theta_d",
            p->theta_p);
        CHK(p->gamma_d >= 0.0 && isfinite(p->gamma_d), "gamma_d must be >= 0", p->gamma_d);
        CHK(p->gamma_p >= 0.0 && isfinite(p->gamma_p), "gamma_p must be >= 0", p->gamma_p);
        CHK(p->rho_star > 0.0 && p->rho_star < 1.0, "rho_star must be in (0, 1)", p->rho_star);
        CHK(p->sigma >= 0.0 && isfinite(p->sigma), "sigma must be >= 0", p->sigma);
        CHK(p->calcium == MG_NET_CALCIUM_SPIKE || p->calcium == MG_NET_CALCIUM_NMDA,
            "calcium must be spike (0) or nmda (1)", (double)p->calcium);
        CHK(p->nmda_scale >= 0.0 && isfinite(p->nmda_scale), "nmda_scale must be >= 0",
            p->nmda_scale);
    }
    if (p->rule != MG_NET_PLAST_SHOUVAL2002) {
        CHK(p->w_min_nS >= 0.0 && isfinite(p->w_min_nS), "w_min_nS must be >= 0 nS", p->w_min_nS);
        CHK(p->w_max_nS >= p->w_min_nS && isfinite(p->w_max_nS), "w_max_nS must be >= w_min_nS",
            p->w_max_nS);
    }
    if (!stdp) {
        double th = isnan(p->tox_threshold) ? mg_net_plast_tox_default(p) : p->tox_threshold;
        CHK(th > 0.0 && isfinite(th), "tox_threshold must be > 0 (excitotoxic calcium threshold)",
            th);
    }
#undef CHK
    if (bad) {
        *st = mg_error_raise(ctx, MG_ERR_DATA, "projections.%s.plasticity.%s, got %g", ps->name,
                             bad, v);
        return 1;
    }
    if (ps->conn == MG_CONN_SAME_AS) {
        *st = mg_error_raise(ctx, MG_ERR_CONFIG,
                             "projections.%s: a same_as projection cannot be plastic (make the "
                             "projection it shares plastic instead)",
                             ps->name);
        return 1;
    }
    return 0;
}

/* Build the Shouval 2002 state of projection k (rule SHOUVAL2002). */
static mg_status shouval_build(mg_net *net, const mg_net_spec *s, size_t k) {
    const mg_proj_spec *ps = &s->projs[k];
    mg_proj *pj = &net->projs[k];
    mg_net_plast_fill_shouval(&pj->spec.plast);
    mg_status st = MG_OK;
    if (check_plast(net->ctx, ps, &pj->spec.plast, &st))
        return st;
    if (isnan(pj->spec.plast.tox_threshold)) /* the engine's copy gets the default */
        pj->spec.plast.tox_threshold = mg_net_plast_tox_default(&pj->spec.plast);
    pj->tox_thr = pj->spec.plast.tox_threshold;
    pj->log_tox = log(pj->tox_thr);
    pj->log_floor = pj->tox_thr < pj->spec.plast.theta_d ? pj->tox_thr : pj->spec.plast.theta_d;
    if (pj->d)
        return mg_error_raise(net->ctx, MG_ERR_CONFIG,
                              "projections.%s.delay_ms: the shouval2002 rule needs one constant "
                              "delay (the presynaptic NMDA gating is kept per neuron); give a "
                              "number, not a distribution or per-edge delays",
                              ps->name);
    if (pj->rec == MG_RECEPTOR_NMDA && net->nmda.saturating && net->nmda.exact)
        return mg_error_raise(net->ctx, MG_ERR_CONFIG,
                              "projections.%s: plasticity does not work with nmda.exact", ps->name);
    const mg_net_plast_spec *p = &pj->spec.plast;
    const mg_net_shouval_spec *h = &p->sh;
    uint32_t npost = s->pops[pj->post].n, npre = pj->n_pre;
    double db = nearbyint(h->bpap_delay_ms / net->dt_ms);
    if (db > 1e6)
        return mg_error_raise(net->ctx, MG_ERR_DATA,
                              "projections.%s.plasticity.shouval.bpap_delay_ms: %g ms is more than "
                              "1e6 steps of dt",
                              ps->name, h->bpap_delay_ms);
    mg_shouval_params *q = &pj->sh;
    mg_shouval_defaults(q);
    q->alpha1_uM = h->alpha1_uM;
    q->alpha2_uM = h->alpha2_uM;
    q->beta1_per_uM = h->beta1_per_uM;
    q->beta2_per_uM = h->beta2_per_uM;
    q->a0 = h->a0;
    q->a_ltp = h->a_ltp;
    q->a_ltd = h->a_ltd;
    q->lambda = h->lambda;
    q->p1_s = h->p1_s;
    q->p2 = h->p2;
    q->p3 = h->p3;
    q->p4_s = h->p4_s;
    q->tau_ca_ms = h->tau_ca_ms;
    q->p0 = h->p0;
    q->g_nmda = h->g_nmda;
    q->nmda_scale = p->nmda_scale;
    q->i_f = h->i_f;
    q->i_s = h->i_s;
    q->tau_f_ms = h->tau_f_ms;
    q->tau_s_ms = h->tau_s_ms;
    q->v_r_mV = h->v_r_mV;
    q->mg_scale_mM = net->nmda.mg_scale_mM;
    q->gamma_per_mV = net->nmda.gamma_per_mV;
    q->bpap_mV = h->bpap_mV;
    q->bpap_fast_frac = h->bpap_fast_frac;
    q->bpap_tau_fast_ms = h->bpap_tau_fast_ms;
    q->bpap_tau_slow_ms = h->bpap_tau_slow_ms;
    q->bpap_delay_ms = h->bpap_delay_ms;
    q->nmda_sum = h->nmda_sum;
    net->plastic = 1;
    pj->sh_db = (uint32_t)db;
    pj->d_pre = pj->d_const; /* the arrival ring holds the spikes of the last d + 1 steps */
    pj->w_lo = 0.0;
    pj->w_span = h->w_scale_nS;
    size_t ns = (size_t)(pj->nsyn ? pj->nsyn : 1), a = npre ? npre : 1, b = npost ? npost : 1;
    free(pj->w); /* the weight comes from w */
    pj->w = NULL;
    pj->sh_w = malloc(ns * sizeof *pj->sh_w);
    pj->sh_ca = calloc(ns, sizeof *pj->sh_ca);
    pj->sh_gf = calloc(a, sizeof *pj->sh_gf);
    pj->sh_gs = calloc(a, sizeof *pj->sh_gs);
    pj->sh_gm = calloc(a, sizeof *pj->sh_gm);
    pj->sh_bf = calloc(b, sizeof *pj->sh_bf);
    pj->sh_bs = calloc(b, sizeof *pj->sh_bs);
    pj->sh_drive = calloc(b, sizeof *pj->sh_drive);
    pj->sh_fired = calloc(((size_t)pj->sh_db + 1) * b, 1);
    pj->tox_t = calloc(b, sizeof *pj->tox_t);
    pj->tox_i = calloc(b, sizeof *pj->tox_i);
    pj->ring = malloc(((size_t)pj->d_pre + 1) * a * sizeof *pj->ring);
    pj->ring_n = calloc((size_t)pj->d_pre + 1, sizeof *pj->ring_n);
    if (!pj->sh_w || !pj->sh_ca || !pj->sh_gf || !pj->sh_gs || !pj->sh_gm || !pj->sh_bf ||
        !pj->sh_bs || !pj->sh_drive || !pj->sh_fired || !pj->ring || !pj->ring_n || !pj->tox_t ||
        !pj->tox_i)
        return mg_error_raise(net->ctx, MG_ERR_NOMEM,
                              "projections.%s: out of memory for the plastic state", ps->name);
    for (uint64_t x = 0; x < pj->nsyn; x++)
        pj->sh_w[x] =
            mg_net_draw_dist(&p->rho_init, net->seed, MG_RNG_INIT, PLAST_INIT_ENTITY(k), x);
    /* bytes per synapse: target (4), w and Ca (8 + 8); rows 8 per pre neuron */
    double bytes = (double)pj->nsyn * 20.0 + (double)(npre + 1) * 8.0;
    net->stats.synapse_bytes += (double)pj->nsyn * 16.0;
    net->stats.plastic_synapses += pj->nsyn;
    net->stats.plastic_synapse_bytes += bytes;
    return MG_OK;
}

mg_status mg_netplast_build(mg_net *net, const mg_net_spec *s, size_t k) {
    const mg_proj_spec *ps = &s->projs[k];
    mg_proj *pj = &net->projs[k];
    if (ps->plast.rule == MG_NET_PLAST_NONE)
        return MG_OK;
    if (ps->plast.rule != MG_NET_PLAST_GRAUPNER_BRUNEL &&
        ps->plast.rule != MG_NET_PLAST_STDP_PAIR && ps->plast.rule != MG_NET_PLAST_STDP_TRIPLET &&
        ps->plast.rule != MG_NET_PLAST_SHOUVAL2002)
        return mg_error_raise(net->ctx, MG_ERR_CONFIG,
                              "projections.%s: unknown plasticity rule %d (valid: 1 "
                              "graupner_brunel, 2 stdp_pair, 3 stdp_triplet, 4 shouval2002)",
                              ps->name, (int)ps->plast.rule);
    if (ps->plast.rule == MG_NET_PLAST_SHOUVAL2002)
        return shouval_build(net, s, k);
    /* the engine's copy gets the rule's STDP defaults */
    mg_net_plast_fill_stdp(&pj->spec.plast);
    const int stdp = ps->plast.rule != MG_NET_PLAST_GRAUPNER_BRUNEL;
    mg_status st = MG_OK;
    if (check_plast(net->ctx, ps, &pj->spec.plast, &st))
        return st;
    if (isnan(pj->spec.plast.tox_threshold)) /* the engine's copy gets the default */
        pj->spec.plast.tox_threshold = mg_net_plast_tox_default(&pj->spec.plast);
    pj->tox_thr = pj->spec.plast.tox_threshold;
    pj->log_tox = log(pj->tox_thr);
    pj->log_floor = pj->tox_thr < pj->spec.plast.theta_d ? pj->tox_thr : pj->spec.plast.theta_d;
    if (pj->nsyn > UINT32_MAX)
        return mg_error_raise(net->ctx, MG_ERR_TOO_BIG,
                              "projections.%s: a plastic projection may have at most %u synapses, "
                              "got %llu",
                              ps->name, UINT32_MAX, (unsigned long long)pj->nsyn);
    if (pj->rec == MG_RECEPTOR_NMDA && net->nmda.saturating && net->nmda.exact)
        return mg_error_raise(net->ctx, MG_ERR_CONFIG,
                              "projections.%s: plasticity does not work with nmda.exact", ps->name);
    const mg_net_plast_spec *p = &pj->spec.plast;
    uint32_t npost = s->pops[pj->post].n, npre = pj->n_pre;
    size_t ns = (size_t)(pj->nsyn ? pj->nsyn : 1);
    net->plastic = 1;
    pj->rng_purpose = PLAST_RNG_PURPOSE(k);
    pj->w_lo = p->w_min_nS;
    pj->w_span = p->w_max_nS - p->w_min_nS;
    pj->stdp = stdp;
    double dp = stdp ? 0.0 : nearbyint(p->delay_pre_ms / net->dt_ms);
    if (dp > 1e7)
        return mg_error_raise(net->ctx, MG_ERR_DATA,
                              "projections.%s.plasticity.delay_pre_ms: %g ms is more than 1e7 "
                              "steps of dt",
                              ps->name, p->delay_pre_ms);
    pj->d_pre = (uint32_t)dp;
    const double gs[3][2] = {{0.0, 0.0}, {0.0, p->gamma_d}, {p->gamma_p, p->gamma_d}};
    for (int m = 0; m < 3; m++)
        pj->h_max_s[m] = MG_NETPLAST_STEP * p->tau_rho_s / (1.0 + gs[m][0] + gs[m][1]);
    pj->log_theta[0] = log(p->theta_d);
    pj->log_theta[1] = log(p->theta_p);
    /* decay tables to e^{-42}: τCa, or τ+ (and τ- in decay2) for STDP */
    double nd = ceil(42.0 * (stdp ? p->tau_plus_ms : p->tau_ca_ms) / net->dt_ms) + 1.0;
    pj->n_decay = nd > DECAY_TABLE_MAX ? DECAY_TABLE_MAX : (uint32_t)nd;
    if (stdp) {
        nd = ceil(42.0 * p->tau_minus_ms / net->dt_ms) + 1.0;
        pj->n_decay2 = nd > DECAY_TABLE_MAX ? DECAY_TABLE_MAX : (uint32_t)nd;
        pj->decay2 = malloc(pj->n_decay2 * sizeof *pj->decay2);
        pj->pre_c2 = calloc(npre ? npre : 1, sizeof *pj->pre_c2);
        pj->post_c2 = calloc(npost ? npost : 1, sizeof *pj->post_c2);
        if (!pj->decay2 || !pj->pre_c2 || !pj->post_c2)
            return mg_error_raise(net->ctx, MG_ERR_NOMEM,
                                  "projections.%s: out of memory for the plastic state", ps->name);
        for (uint32_t n = 0; n < pj->n_decay2; n++)
            pj->decay2[n] = exp(-(double)n * net->dt_ms / p->tau_minus_ms);
    }
    free(pj->w); /* the weight comes from ρ */
    pj->w = NULL;
    pj->rho = malloc(ns * sizeof *pj->rho);
    pj->col = calloc((size_t)npost + 1, sizeof *pj->col);
    pj->col_syn = malloc(ns * sizeof *pj->col_syn);
    pj->col_pre = malloc(ns * sizeof *pj->col_pre);
    pj->pre_c = calloc(npre ? npre : 1, sizeof *pj->pre_c);
    pj->pre_t = calloc(npre ? npre : 1, sizeof *pj->pre_t);
    pj->post_c = calloc(npost ? npost : 1, sizeof *pj->post_c);
    pj->post_t = calloc(npost ? npost : 1, sizeof *pj->post_t);
    pj->decay = malloc(pj->n_decay * sizeof *pj->decay);
    if (!stdp) {
        pj->tox_t = calloc(npost ? npost : 1, sizeof *pj->tox_t);
        pj->tox_i = calloc(npost ? npost : 1, sizeof *pj->tox_i);
    }
    if (!stdp && p->calcium == MG_NET_CALCIUM_NMDA) {
        pj->syn_c = calloc(ns, sizeof *pj->syn_c);
        pj->nmda_jump = p->c_pre * p->nmda_scale;
    }
    if (pj->d_pre > 0) {
        pj->ring = malloc(((size_t)pj->d_pre + 1) * (npre ? npre : 1) * sizeof *pj->ring);
        pj->ring_n = calloc((size_t)pj->d_pre + 1, sizeof *pj->ring_n);
    }
    if (!pj->rho || !pj->col || !pj->col_syn || !pj->col_pre || !pj->pre_c || !pj->pre_t ||
        !pj->post_c || !pj->post_t || !pj->decay || (pj->d_pre > 0 && (!pj->ring || !pj->ring_n)) ||
        (!stdp && p->calcium == MG_NET_CALCIUM_NMDA && !pj->syn_c) ||
        (!stdp && (!pj->tox_t || !pj->tox_i)))
        return mg_error_raise(net->ctx, MG_ERR_NOMEM,
                              "projections.%s: out of memory for the plastic state", ps->name);
    for (uint32_t n = 0; n < pj->n_decay; n++)
        pj->decay[n] = exp(-(double)n * net->dt_ms / (stdp ? p->tau_plus_ms : p->tau_ca_ms));
    for (uint64_t x = 0; x < pj->nsyn; x++)
        pj->rho[x] =
            (float)mg_net_draw_dist(&p->rho_init, net->seed, MG_RNG_INIT, PLAST_INIT_ENTITY(k), x);
    /* column index: synapses onto each post neuron, in row (pre) order */
    for (uint64_t x = 0; x < pj->nsyn; x++)
        pj->col[pj->tgt[x] + 1]++;
    for (uint32_t j = 0; j < npost; j++)
        pj->col[j + 1] += pj->col[j];
    uint64_t *fill = malloc(((size_t)npost + 1) * sizeof *fill);
    if (!fill)
        return mg_error_raise(net->ctx, MG_ERR_NOMEM, "projections.%s: out of memory", ps->name);
    memcpy(fill, pj->col, ((size_t)npost + 1) * sizeof *fill);
    for (uint32_t i = 0; i < npre; i++)
        for (uint64_t x = pj->row[i]; x < pj->row[i + 1]; x++) {
            uint64_t e = fill[pj->tgt[x]]++;
            pj->col_syn[e] = (uint32_t)x;
            pj->col_pre[e] = i;
        }
    free(fill);
    /* bytes per plastic synapse: target, ρ, column entry (synapse, pre), the NMDA calcium,
     * delay if per synapse, and the row and column offsets */
    double extra = pj->syn_c ? 4.0 : 0.0;
    double bytes = (double)pj->nsyn * (4.0 + 4.0 + 8.0 + extra + (pj->d ? 2.0 : 0.0)) +
                   (double)(npre + 1) * 8.0 + (double)(npost + 1) * 8.0;
    net->stats.synapse_bytes += (double)pj->nsyn * (4.0 + 8.0 + extra) + (double)(npost + 1) * 8.0;
    net->stats.plastic_synapses += pj->nsyn;
    net->stats.plastic_synapse_bytes += bytes;
    return MG_OK;
}

void mg_netplast_free(mg_proj *pj) {
    free(pj->rho);
    free(pj->col);
    free(pj->col_syn);
    free(pj->col_pre);
    free(pj->pre_c);
    free(pj->pre_t);
    free(pj->post_c);
    free(pj->post_t);
    free(pj->decay);
    free(pj->ring);
    free(pj->ring_n);
    free(pj->syn_c);
    free(pj->pre_c2);
    free(pj->post_c2);
    free(pj->decay2);
    free(pj->sh_w);
    free(pj->sh_ca);
    free(pj->sh_gf);
    free(pj->sh_gs);
    free(pj->sh_gm);
    free(pj->sh_bf);
    free(pj->sh_bs);
    free(pj->sh_drive);
    free(pj->sh_fired);
    free(pj->tox_t);
    free(pj->tox_i);
}

mg_status mg_netplast_build_recorders(mg_net *net, const mg_net_spec *s) {
    if (s->n_weight_recs == 0)
        return MG_OK;
    if (!s->weight_recs)
        return mg_error_raise(net->ctx, MG_ERR_USAGE, "weight_recs is NULL");
    net->wrecs = calloc(s->n_weight_recs, sizeof *net->wrecs);
    if (!net->wrecs)
        return mg_error_raise(net->ctx, MG_ERR_NOMEM, "out of memory");
    net->n_wrecs = s->n_weight_recs;
    for (size_t r = 0; r < s->n_weight_recs; r++) {
        mg_wrec *w = &net->wrecs[r];
        w->spec = s->weight_recs[r];
        if (w->spec.proj >= net->n_projs ||
            (!net->projs[w->spec.proj].rho && !net->projs[w->spec.proj].sh_w))
            return mg_error_raise(net->ctx, MG_ERR_CONFIG,
                                  "record.weights.%s: projection %s is not plastic (set its "
                                  "plasticity.rule)",
                                  w->spec.name,
                                  w->spec.proj < net->n_projs ? net->projs[w->spec.proj].spec.name
                                                              : "?");
        if (!(w->spec.interval_ms > 0.0) || !isfinite(w->spec.interval_ms))
            return mg_error_raise(net->ctx, MG_ERR_DATA,
                                  "record.weights.%s.every_ms must be > 0 ms, got %g", w->spec.name,
                                  w->spec.interval_ms);
        const mg_proj *pj = &net->projs[w->spec.proj];
        double iv = nearbyint(w->spec.interval_ms / net->dt_ms);
        w->interval_steps = (int64_t)(iv < 1.0 ? 1.0 : (iv > 1e15 ? 1e15 : iv));
        uint64_t n = w->spec.n_synapses == 0 || w->spec.n_synapses > pj->nsyn ? pj->nsyn
                                                                              : w->spec.n_synapses;
        w->n = (size_t)n;
        size_t a = w->n ? w->n : 1;
        w->syn = malloc(a * sizeof *w->syn);
        w->pre = malloc(a * sizeof *w->pre);
        w->post = malloc(a * sizeof *w->post);
        w->w = malloc(a * sizeof *w->w);
        w->rho = malloc(a * sizeof *w->rho);
        if (!w->syn || !w->pre || !w->post || !w->w || !w->rho)
            return mg_error_raise(net->ctx, MG_ERR_NOMEM, "record.weights.%s: out of memory",
                                  w->spec.name);
        uint32_t i = 0;
        for (size_t m = 0; m < w->n; m++) {
            uint64_t x = n == pj->nsyn ? m : (uint64_t)((double)m * (double)pj->nsyn / (double)n);
            if (x >= pj->nsyn)
                x = pj->nsyn - 1;
            while (i + 1 < pj->n_pre && pj->row[i + 1] <= x)
                i++; /* indices ascend, so the row only moves forward */
            w->syn[m] = x;
            w->pre[m] = i;
            w->post[m] = pj->tgt[x];
        }
    }
    return MG_OK;
}

void mg_netplast_free_recorders(mg_net *net) {
    for (size_t r = 0; net->wrecs && r < net->n_wrecs; r++) {
        free(net->wrecs[r].syn);
        free(net->wrecs[r].pre);
        free(net->wrecs[r].post);
        free(net->wrecs[r].w);
        free(net->wrecs[r].rho);
    }
    free(net->wrecs);
    net->wrecs = NULL;
    net->n_wrecs = 0;
}

int mg_netplast_record(mg_net *net, int64_t k, const mg_net_callbacks *cb, int64_t only_due) {
    if (!cb || !cb->on_weights)
        return 0;
    for (size_t r = 0; r < net->n_wrecs; r++) {
        mg_wrec *w = &net->wrecs[r];
        if (only_due && k % w->interval_steps)
            continue;
        const mg_proj *pj = &net->projs[w->spec.proj];
        for (size_t m = 0; m < w->n; m++) {
            double rho = mg_netplast_rho_at(net, pj, w->syn[m], w->pre[m], w->post[m], k);
            double c = pj->sh_w ? rho : (rho < 0.0 ? 0.0 : (rho > 1.0 ? 1.0 : rho));
            w->rho[m] = rho;
            w->w[m] = pj->w_lo + c * pj->w_span;
        }
        if (cb->on_weights(cb->user, r, (double)k * net->dt_ms, w->pre, w->post, w->w, w->rho,
                           w->n))
            return 1;
    }
    return 0;
}

uint64_t mg_net_proj_rho(const mg_net *net, uint32_t proj, double *rho, uint64_t cap) {
    if (!net || proj >= net->n_projs || (!net->projs[proj].rho && !net->projs[proj].sh_w))
        return 0;
    const mg_proj *pj = &net->projs[proj];
    uint64_t o = 0;
    for (uint32_t i = 0; i < pj->n_pre; i++)
        for (uint64_t x = pj->row[i]; x < pj->row[i + 1]; x++, o++)
            if (rho && o < cap)
                rho[o] = mg_netplast_rho_at(net, pj, x, i, pj->tgt[x], net->step);
    return pj->nsyn;
}

uint64_t mg_net_proj_calcium(const mg_net *net, uint32_t proj, double *ca, uint64_t cap) {
    if (net && proj < net->n_projs && net->projs[proj].sh_w) { /* Shouval: Ca in µM */
        const mg_proj *pj = &net->projs[proj];
        for (uint64_t x = 0; ca && x < pj->nsyn && x < cap; x++)
            ca[x] = pj->sh_ca[x];
        return pj->nsyn;
    }
    if (!net || proj >= net->n_projs || !net->projs[proj].rho || net->projs[proj].stdp)
        return 0;
    const mg_proj *pj = &net->projs[proj];
    const int64_t k = net->step;
    uint64_t o = 0;
    for (uint32_t i = 0; i < pj->n_pre; i++)
        for (uint64_t x = pj->row[i]; x < pj->row[i + 1]; x++, o++)
            if (ca && o < cap) {
                uint32_t j = pj->tgt[x];
                ca[o] = pre_calcium(pj, x, i) * decay_steps(pj, k - pj->pre_t[i], net->dt_ms) +
                        pj->post_c[j] * decay_steps(pj, k - pj->post_t[j], net->dt_ms);
            }
    return pj->nsyn;
}

int mg_net_proj_tox(const mg_net *net, uint32_t proj, double *threshold, double *time_ms,
                    double *integral) {
    double th = NAN, t = NAN, a = NAN;
    int ok = net && proj < net->n_projs && net->projs[proj].tox_t;
    if (ok) {
        const mg_proj *pj = &net->projs[proj];
        const uint32_t npost = net->pops[pj->post].n;
        th = pj->tox_thr;
        t = 0.0;
        a = 0.0;
        for (uint32_t j = 0; j < npost; j++) { /* post-neuron order: thread-count independent */
            t += pj->tox_t[j];
            a += pj->tox_i[j];
        }
        if (pj->rho) { /* GB: from each synapse's last update to now, in row order */
            double tt = 0.0, aa = 0.0;
            for (uint32_t i = 0; i < pj->n_pre; i++)
                for (uint64_t x = pj->row[i]; x < pj->row[i + 1]; x++) {
                    int64_t t0;
                    double c0 = calcium(pj, x, i, pj->tgt[x], net->dt_ms, &t0);
                    if (c0 > th && t0 < net->step)
                        tox_decay(th, pj->log_tox, pj->spec.plast.tau_ca_ms, c0, log(c0),
                                  (double)(net->step - t0) * net->dt_ms, &tt, &aa);
                }
            t += tt;
            a += aa;
        }
    }
    if (threshold)
        *threshold = th;
    if (time_ms)
        *time_ms = t;
    if (integral)
        *integral = a;
    return ok;
}
