/* The Graupner & Brunel 2012 calcium-based synapse: parameter sets, the
 * event-driven calcium trace, ρ's deterministic and stochastic evolution, the
 * Monte Carlo transition probabilities and the analytic approximation.
 * Equations and numerical method: include/mgsim/plast.h and
 * docs/models/graupner-brunel-2012.md. */
#include "mgsim/plast.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "mgsim/net.h"
#include "plast_internal.h"

/* ---------------------------------------------------------------- parameter sets */

typedef struct {
    const char *name;
    mg_gb_params p;
} gb_named_set;

/* Source: mgraupe/CalciumBasedPlasticityModel, synapticChange.py, choseParameterSet
 * (refs §2.3, §5.3). Order: τCa (ms), C_pre, C_post, θd, θp, γd, γp, σ, τ (s), D (ms),
 * ρ*, β, b. The θd, θp of the two hippocampal fits are not stated in the paper: the
 * authors' code uses 1 and 1.3 (an assumption here; see plast.h). */
static const gb_named_set gb_sets[] = {
    {"DP", {20.0, 1.0, 2.0, 1.0, 1.3, 200.0, 321.808, 2.8284, 150.0, 13.7, 0.5, 0.5, 5.0}},
    {"DPD", {20.0, 0.9, 0.9, 1.0, 1.3, 250.0, 550.0, 2.8284, 150.0, 4.6, 0.5, 0.5, 5.0}},
    {"DPD'", {20.0, 1.0, 2.0, 1.0, 2.5, 50.0, 600.0, 2.8284, 150.0, 2.2, 0.5, 0.5, 5.0}},
    {"P", {20.0, 2.0, 2.0, 1.0, 1.3, 160.0, 257.447, 2.8284, 150.0, 0.0, 0.5, 0.5, 5.0}},
    {"D", {20.0, 0.6, 0.6, 1.0, 1.3, 500.0, 550.0, 5.6568, 150.0, 0.0, 0.5, 0.5, 5.0}},
    {"D'", {20.0, 1.0, 2.0, 1.0, 3.5, 60.0, 600.0, 2.8284, 150.0, 0.0, 0.5, 0.5, 5.0}},
    {"cortical_slices",
     {22.6936, 0.5617539, 1.23964, 1.0, 1.3, 331.909, 725.085, 3.3501, 346.3615, 4.6098, 0.5, 0.5,
      5.40988}},
    {"hippocampal_slices",
     {48.8373, 1.0, 0.275865, 1.0, 1.3, 313.0965, 1645.59, 9.1844, 688.355, 18.8008, 0.5, 0.7,
      5.28145}},
    {"hippocampal_cultures",
     {11.9536, 0.58156, 1.76444, 1.0, 1.3, 61.141, 113.6545, 2.5654, 33.7596, 10.0, 0.5, 0.5,
      36.0263}},
};

#define GB_NSETS (sizeof gb_sets / sizeof gb_sets[0])

size_t mg_gb_params_count(void) {
    return GB_NSETS;
}

const char *mg_gb_params_name(size_t i) {
    return i < GB_NSETS ? gb_sets[i].name : NULL;
}

mg_status mg_gb_params_by_name(mg_context *ctx, const char *name, mg_gb_params *out) {
    if (name) {
        const char *key = name;
        if (strcmp(name, "DPDp") == 0)
            key = "DPD'";
        else if (strcmp(name, "Dp") == 0)
            key = "D'";
        for (size_t i = 0; i < GB_NSETS; i++)
            if (strcmp(key, gb_sets[i].name) == 0) {
                *out = gb_sets[i].p;
                return MG_OK;
            }
    }
    return mg_error_raise(ctx, MG_ERR_CONFIG,
                          "unknown GB2012 parameter set '%s'; valid: DP, DPD, DPD' (or DPDp), P, "
                          "D, D' (or Dp), cortical_slices, hippocampal_slices, "
                          "hippocampal_cultures",
                          name ? name : "(null)");
}

/* Raise the domain error of parameter `key` unless ok. */
static mg_status check(mg_context *ctx, int ok, const char *key, const char *what, double v) {
    if (ok)
        return MG_OK;
    return mg_error_raise(ctx, MG_ERR_DATA, "rule.%s must be %s, got %g", key, what, v);
}

mg_status mg_gb_params_validate(mg_context *ctx, const mg_gb_params *p) {
    mg_status st;
    if ((st = check(ctx, isfinite(p->tau_ca_ms) && p->tau_ca_ms > 0.0, "tau_ca_ms",
                    "> 0 ms (calcium decay time constant)", p->tau_ca_ms)) != MG_OK ||
        (st = check(ctx, isfinite(p->c_pre) && p->c_pre >= 0.0, "c_pre",
                    ">= 0 (calcium jump per presynaptic spike)", p->c_pre)) != MG_OK ||
        (st = check(ctx, isfinite(p->c_post) && p->c_post >= 0.0, "c_post",
                    ">= 0 (calcium jump per postsynaptic spike)", p->c_post)) != MG_OK ||
        (st = check(ctx, isfinite(p->theta_d) && p->theta_d > 0.0, "theta_d",
                    "> 0 (depression threshold)", p->theta_d)) != MG_OK ||
        (st = check(ctx, isfinite(p->theta_p) && p->theta_p > 0.0, "theta_p",
                    "> 0 (potentiation threshold)", p->theta_p)) != MG_OK ||
        (st = check(ctx, isfinite(p->gamma_d) && p->gamma_d >= 0.0, "gamma_d",
                    ">= 0 (depression rate)", p->gamma_d)) != MG_OK ||
        (st = check(ctx, isfinite(p->gamma_p) && p->gamma_p >= 0.0, "gamma_p",
                    ">= 0 (potentiation rate)", p->gamma_p)) != MG_OK ||
        (st = check(ctx, isfinite(p->sigma) && p->sigma >= 0.0, "sigma", ">= 0 (noise amplitude)",
                    p->sigma)) != MG_OK ||
        (st = check(ctx, isfinite(p->tau_rho_s) && p->tau_rho_s > 0.0, "tau_rho_s",
                    "> 0 s (time constant of the efficacy)", p->tau_rho_s)) != MG_OK ||
        (st = check(ctx, isfinite(p->delay_D_ms) && p->delay_D_ms >= 0.0, "delay_D_ms",
                    ">= 0 ms (delay of the presynaptic calcium jump)", p->delay_D_ms)) != MG_OK ||
        (st = check(ctx, isfinite(p->rho_star) && p->rho_star > 0.0 && p->rho_star < 1.0,
                    "rho_star", "in (0, 1) (unstable fixed point)", p->rho_star)) != MG_OK ||
        (st = check(ctx, isfinite(p->beta) && p->beta >= 0.0 && p->beta <= 1.0, "beta",
                    "in [0, 1] (fraction initially DOWN)", p->beta)) != MG_OK ||
        (st = check(ctx, isfinite(p->b) && p->b > 0.0, "b", "> 0 (UP/DOWN weight ratio)", p->b)) !=
            MG_OK)
        return st;
    if (p->theta_p < p->theta_d)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "rule.theta_p (%g) must be >= rule.theta_d (%g): thresholds in the "
                              "wrong order (potentiation needs more calcium than depression)",
                              p->theta_p, p->theta_d);
    return MG_OK;
}

/* ---------------------------------------------------------------- calcium */

double mg_gb_calcium(const mg_gb_params *p, const double *pre_ms, size_t n_pre,
                     const double *post_ms, size_t n_post, double t_ms) {
    double c = 0.0;
    for (size_t i = 0; i < n_pre; i++) {
        double s = t_ms - (pre_ms[i] + p->delay_D_ms);
        if (s >= 0.0)
            c += p->c_pre * exp(-s / p->tau_ca_ms);
    }
    for (size_t j = 0; j < n_post; j++) {
        double s = t_ms - post_ms[j];
        if (s >= 0.0)
            c += p->c_post * exp(-s / p->tau_ca_ms);
    }
    return c;
}

/* Check a spike train: finite, >= 0, ascending. */
static mg_status check_train(mg_context *ctx, const double *t, size_t n, const char *which) {
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(t[i]) || t[i] < 0.0)
            return mg_error_raise(ctx, MG_ERR_DATA,
                                  "%s spike time %zu must be finite and >= 0 ms, got %g", which, i,
                                  t[i]);
        if (i > 0 && t[i] < t[i - 1])
            return mg_error_raise(ctx, MG_ERR_DATA,
                                  "%s spike times must be sorted: %g ms comes after %g ms", which,
                                  t[i], t[i - 1]);
    }
    return MG_OK;
}

/* One segment of the calcium trace with Θp, Θd constant. */
typedef struct {
    double dur_ms;
    unsigned char p_on, d_on;
} gb_piece;

/* A growable list of pieces; adjacent pieces with equal flags are merged. */
typedef struct {
    gb_piece *v;
    size_t n, cap;
} gb_pieces;

static int pieces_add(gb_pieces *ps, double dur_ms, int p_on, int d_on) {
    if (!(dur_ms > 0.0))
        return 0;
    if (ps->n > 0 && ps->v[ps->n - 1].p_on == p_on && ps->v[ps->n - 1].d_on == d_on) {
        ps->v[ps->n - 1].dur_ms += dur_ms;
        return 0;
    }
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? 2 * ps->cap : 64;
        gb_piece *v = realloc(ps->v, cap * sizeof *v);
        if (!v)
            return -1;
        ps->v = v;
        ps->cap = cap;
    }
    ps->v[ps->n].dur_ms = dur_ms;
    ps->v[ps->n].p_on = (unsigned char)p_on;
    ps->v[ps->n].d_on = (unsigned char)d_on;
    ps->n++;
    return 0;
}

/* Walk the calcium trace over [0, t_end_ms]: exact times above θd and θp, and
 * (when ps != NULL) the constant-Θ pieces. Trains must be checked already. */
static mg_status walk_trace(mg_context *ctx, const mg_gb_params *p, const double *pre_ms,
                            size_t n_pre, const double *post_ms, size_t n_post, double t_end_ms,
                            double *above_d, double *above_p, gb_pieces *ps) {
    size_t i = 0, j = 0;
    double t = 0.0, c = 0.0, td = 0.0, tp = 0.0;
    for (;;) {
        /* next jump time: the earlier of the next presynaptic arrival and postsynaptic spike */
        double tn = INFINITY;
        if (i < n_pre)
            tn = pre_ms[i] + p->delay_D_ms;
        if (j < n_post && post_ms[j] < tn)
            tn = post_ms[j];
        if (tn > t_end_ms)
            tn = t_end_ms;
        double dur = tn - t;
        if (dur > 0.0) {
            /* c decays from c over [t, tn): above θ for τCa ln(c/θ), capped at dur */
            double xd = c > p->theta_d ? fmin(dur, p->tau_ca_ms * log(c / p->theta_d)) : 0.0;
            double xp = c > p->theta_p ? fmin(dur, p->tau_ca_ms * log(c / p->theta_p)) : 0.0;
            td += xd;
            tp += xp;
            if (ps) {
                /* with θd <= θp: both on until xp, then θd only until xd, then none */
                int bad = pieces_add(ps, xp, 1, 1) || pieces_add(ps, xd - xp, 0, 1) ||
                          pieces_add(ps, dur - xd, 0, 0);
                if (bad)
                    return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
            }
            c *= exp(-dur / p->tau_ca_ms);
            t = tn;
        }
        if (tn >= t_end_ms)
            break;
        /* apply every jump at tn (simultaneous ones together) */
        while (i < n_pre && pre_ms[i] + p->delay_D_ms <= tn) {
            c += p->c_pre;
            i++;
        }
        while (j < n_post && post_ms[j] <= tn) {
            c += p->c_post;
            j++;
        }
    }
    if (above_d)
        *above_d = td;
    if (above_p)
        *above_p = tp;
    return MG_OK;
}

mg_status mg_gb_time_above(mg_context *ctx, const mg_gb_params *p, const double *pre_ms,
                           size_t n_pre, const double *post_ms, size_t n_post, double t_end_ms,
                           double *above_d_ms, double *above_p_ms) {
    mg_status st;
    if ((st = check_train(ctx, pre_ms, n_pre, "presynaptic")) != MG_OK ||
        (st = check_train(ctx, post_ms, n_post, "postsynaptic")) != MG_OK)
        return st;
    if (!isfinite(t_end_ms) || t_end_ms < 0.0)
        return mg_error_raise(ctx, MG_ERR_DATA, "end time must be finite and >= 0 ms, got %g",
                              t_end_ms);
    return walk_trace(ctx, p, pre_ms, n_pre, post_ms, n_post, t_end_ms, above_d_ms, above_p_ms,
                      NULL);
}

/* ---------------------------------------------------------------- ρ dynamics */

double mg_gb_drift(const mg_gb_params *p, double rho, double theta_p_on, double theta_d_on) {
    double cubic = -rho * (1.0 - rho) * (p->rho_star - rho);
    return (cubic + p->gamma_p * (1.0 - rho) * theta_p_on - p->gamma_d * rho * theta_d_on) /
           p->tau_rho_s;
}

/* One constant-Θ segment laid out in n equal RK4 steps of h seconds. */
typedef struct {
    double h_s;
    uint32_t n;
    double gp, gd;  /* γp Θp, γd Θd */
    double n_theta; /* Θp + Θd (0, 1 or 2) */
} gb_seg;

struct mg_gb_schedule {
    gb_seg *segs;
    size_t n;
    double above_d_ms, above_p_ms, t_end_ms;
};

/* Turn the pieces into a schedule (takes ps->v, freeing it in every case). */
static mg_status schedule_from_pieces(mg_context *ctx, const mg_gb_params *p, gb_pieces *ps,
                                      double above_d_ms, double above_p_ms, double t_end_ms,
                                      mg_gb_schedule **out) {
    mg_gb_schedule *s = calloc(1, sizeof *s);
    if (!s || (ps->n > 0 && !(s->segs = malloc(ps->n * sizeof *s->segs)))) {
        free(ps->v);
        free(s);
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    }
    s->above_d_ms = above_d_ms;
    s->above_p_ms = above_p_ms;
    s->t_end_ms = t_end_ms;
    s->n = ps->n;
    for (size_t k = 0; k < ps->n; k++) {
        gb_seg *g = &s->segs[k];
        double dur_s = ps->v[k].dur_ms * 1e-3;
        g->gp = ps->v[k].p_on ? p->gamma_p : 0.0;
        g->gd = ps->v[k].d_on ? p->gamma_d : 0.0;
        g->n_theta = (double)(ps->v[k].p_on + ps->v[k].d_on);
        double h_max = 0.02 * p->tau_rho_s / (1.0 + g->gp + g->gd);
        double n = ceil(dur_s / h_max);
        if (n < 1.0)
            n = 1.0;
        if (n > 4e9)
            n = 4e9;
        g->n = (uint32_t)n;
        g->h_s = dur_s / n;
    }
    free(ps->v);
    ps->v = NULL;
    *out = s;
    return MG_OK;
}

/* Check parameters, trains and end time (shared by both calcium sources). */
static mg_status check_inputs(mg_context *ctx, const mg_gb_params *p, const double *pre_ms,
                              size_t n_pre, const double *post_ms, size_t n_post, double t_end_ms) {
    mg_status st;
    if ((st = mg_gb_params_validate(ctx, p)) != MG_OK ||
        (st = check_train(ctx, pre_ms, n_pre, "presynaptic")) != MG_OK ||
        (st = check_train(ctx, post_ms, n_post, "postsynaptic")) != MG_OK)
        return st;
    if (!isfinite(t_end_ms) || t_end_ms < 0.0)
        return mg_error_raise(ctx, MG_ERR_DATA, "end time must be finite and >= 0 ms, got %g",
                              t_end_ms);
    return MG_OK;
}

mg_status mg_gb_schedule_create(mg_context *ctx, const mg_gb_params *p, const double *pre_ms,
                                size_t n_pre, const double *post_ms, size_t n_post, double t_end_ms,
                                mg_gb_schedule **out) {
    *out = NULL;
    mg_status st = check_inputs(ctx, p, pre_ms, n_pre, post_ms, n_post, t_end_ms);
    if (st != MG_OK)
        return st;
    gb_pieces ps = {NULL, 0, 0};
    double td = 0.0, tp = 0.0;
    st = walk_trace(ctx, p, pre_ms, n_pre, post_ms, n_post, t_end_ms, &td, &tp, &ps);
    if (st != MG_OK) {
        free(ps.v);
        return st;
    }
    return schedule_from_pieces(ctx, p, &ps, td, tp, t_end_ms, out);
}

void mg_gb_schedule_destroy(mg_gb_schedule **s) {
    if (!s || !*s)
        return;
    free((*s)->segs);
    free(*s);
    *s = NULL;
}

double mg_gb_schedule_above_d_ms(const mg_gb_schedule *s) {
    return s->above_d_ms;
}

double mg_gb_schedule_above_p_ms(const mg_gb_schedule *s) {
    return s->above_p_ms;
}

double mg_gb_schedule_duration_ms(const mg_gb_schedule *s) {
    return s->t_end_ms;
}

/* τ dρ/dt on a segment (γp Θp = gp, γd Θd = gd), without the 1/τ. */
static inline double rhs(double rho, double rs, double gp, double gd) {
    return -rho * (1.0 - rho) * (rs - rho) + gp * (1.0 - rho) - gd * rho;
}

/* One classical RK4 step of h seconds (k = h/τ). */
static inline double rk4(double rho, double k, double rs, double gp, double gd) {
    double k1 = rhs(rho, rs, gp, gd);
    double k2 = rhs(rho + 0.5 * k * k1, rs, gp, gd);
    double k3 = rhs(rho + 0.5 * k * k2, rs, gp, gd);
    double k4 = rhs(rho + k * k3, rs, gp, gd);
    return rho + k * (k1 + 2.0 * k2 + 2.0 * k3 + k4) / 6.0;
}

double mg_gb_rho_deterministic(const mg_gb_params *p, const mg_gb_schedule *s, double rho0) {
    double rho = rho0, rs = p->rho_star;
    for (size_t k = 0; k < s->n; k++) {
        const gb_seg *g = &s->segs[k];
        double kk = g->h_s / p->tau_rho_s;
        for (uint32_t m = 0; m < g->n; m++)
            rho = rk4(rho, kk, rs, g->gp, g->gd);
    }
    return rho;
}

/* Standard normals from Philox, two per draw (Box–Muller, both branches). */
typedef struct {
    uint64_t seed;
    uint32_t rep;
    uint64_t counter;
    double spare;
    int has_spare;
} gb_normals;

static inline double next_normal(gb_normals *g) {
    if (g->has_spare) {
        g->has_spare = 0;
        return g->spare;
    }
    mg_rng_block b = mg_rng_draw(g->seed, MG_RNG_USER + 0, g->rep, g->counter++);
    double u1 = mg_rng_u01(b.w[0], b.w[1]), u2 = mg_rng_u01(b.w[2], b.w[3]);
    double r = sqrt(-2.0 * log(u1)), a = 6.283185307179586 * u2;
    g->spare = r * sin(a);
    g->has_spare = 1;
    return r * cos(a);
}

double mg_gb_rho_stochastic(const mg_gb_params *p, const mg_gb_schedule *s, double rho0,
                            uint64_t seed, uint32_t stream, uint32_t rep) {
    gb_normals g = {seed, rep, (uint64_t)stream << 32, 0.0, 0};
    double rho = rho0, rs = p->rho_star, tau = p->tau_rho_s, s2 = p->sigma * p->sigma / tau;
    for (size_t k = 0; k < s->n; k++) {
        const gb_seg *sg = &s->segs[k];
        double kk = sg->h_s / tau, noise_var = s2 * sg->n_theta;
        if (noise_var <= 0.0) {
            for (uint32_t m = 0; m < sg->n; m++)
                rho = rk4(rho, kk, rs, sg->gp, sg->gd);
            continue;
        }
        for (uint32_t m = 0; m < sg->n; m++) {
            /* L = ∂(dρ/dt)/∂ρ at the step's start; variance s² h (e^{2Lh}-1)/(2Lh) */
            double dcubic = rs - 2.0 * rho * (1.0 + rs) + 3.0 * rho * rho;
            double x = 2.0 * sg->h_s * (-dcubic - sg->gp - sg->gd) / tau;
            double f = fabs(x) > 1e-8 ? expm1(x) / x : 1.0 + 0.5 * x;
            double sd = sqrt(noise_var * sg->h_s * f);
            rho = rk4(rho, kk, rs, sg->gp, sg->gd) + sd * next_normal(&g);
        }
    }
    return rho;
}

mg_status mg_gb_transitions(mg_context *ctx, const mg_gb_params *p, const mg_gb_schedule *s,
                            size_t reps, uint64_t seed, uint32_t stream, double *up, double *down) {
    if (reps == 0 || reps > (size_t)1 << 31)
        return mg_error_raise(ctx, MG_ERR_DATA, "repetitions must be from 1 to 2147483648, got %zu",
                              reps);
    long n = (long)reps;
    long n_up = 0, n_down = 0;
    int threads = mg_context_threads(ctx);
    double rs = p->rho_star;
#pragma omp parallel for num_threads(threads) schedule(static) reduction(+ : n_up, n_down)
    for (long r = 0; r < 2 * n; r++) {
        int from_down = r < n;
        double rho = mg_gb_rho_stochastic(p, s, from_down ? 0.0 : 1.0, seed, stream, (uint32_t)r);
        if (from_down)
            n_up += rho > rs;
        else
            n_down += rho < rs;
    }
    *up = (double)n_up / (double)n;
    *down = (double)n_down / (double)n;
    return MG_OK;
}

/* ---------------------------------------------------------------- readouts */

double mg_gb_change(const mg_gb_params *p, double up, double down) {
    double beta = p->beta, b = p->b;
    return ((1.0 - up) * beta + down * (1.0 - beta) +
            b * (up * beta + (1.0 - down) * (1.0 - beta))) /
           (beta + (1.0 - beta) * b);
}

mg_gb_analytic mg_gb_analytic_eval(const mg_gb_params *p, double above_d_s, double above_p_s,
                                   double T_s) {
    mg_gb_analytic a;
    a.alpha_d = T_s > 0.0 ? above_d_s / T_s : 0.0;
    a.alpha_p = T_s > 0.0 ? above_p_s / T_s : 0.0;
    a.gamma_d_eff = p->gamma_d * a.alpha_d;
    a.gamma_p_eff = p->gamma_p * a.alpha_p;
    double G = a.gamma_p_eff + a.gamma_d_eff;
    if (!(G > 0.0)) {
        a.rho_bar = NAN;
        a.tau_eff_s = INFINITY;
        a.sigma_rho2 = NAN;
        a.up = 0.0;
        a.down = 0.0;
    } else {
        a.rho_bar = a.gamma_p_eff / G;
        a.tau_eff_s = p->tau_rho_s / G;
        a.sigma_rho2 = p->sigma * p->sigma * (a.alpha_p + a.alpha_d) / G;
        double e1 = exp(-T_s / a.tau_eff_s);
        double var = a.sigma_rho2 * -expm1(-2.0 * T_s / a.tau_eff_s);
        double mean_up = a.rho_bar * (1.0 - e1);               /* from ρ0 = 0 */
        double mean_down = a.rho_bar + (1.0 - a.rho_bar) * e1; /* from ρ0 = 1 */
        if (var > 0.0) {
            double sd = sqrt(var);
            a.up = 0.5 * (1.0 + erf((mean_up - p->rho_star) / sd));
            a.down = 0.5 * (1.0 - erf((mean_down - p->rho_star) / sd));
        } else {
            a.up = mean_up > p->rho_star ? 1.0 : 0.0;
            a.down = mean_down < p->rho_star ? 1.0 : 0.0;
        }
    }
    a.change = mg_gb_change(p, a.up, a.down);
    return a;
}

/* ---------------------------------------------------------------- pairing protocol */

mg_status mg_gb_pairing_spikes(mg_context *ctx, const mg_gb_params *p, const mg_gb_pairing *pr,
                               double *pre_ms, double *post_ms, double *t_end_ms) {
    if (pr->pairs == 0)
        return mg_error_raise(ctx, MG_ERR_DATA, "protocol.pairs must be >= 1, got 0");
    if (!isfinite(pr->frequency_hz) || !(pr->frequency_hz > 0.0))
        return mg_error_raise(ctx, MG_ERR_DATA, "protocol.frequency_hz must be > 0 Hz, got %g",
                              pr->frequency_hz);
    double period = 1000.0 / pr->frequency_hz;
    double dt = pr->dt_ms;
    double span = fabs(dt) + (dt < 0.0 ? p->delay_D_ms : 0.0);
    if (dt >= 0.0 && p->delay_D_ms > span)
        span = p->delay_D_ms;
    if (!isfinite(dt) || !(span < period))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "a pair with dt = %g ms (t_post - t_pre) and delay D = %g ms does "
                              "not fit in one pairing period of %g ms (1000/protocol.frequency_hz):"
                              " every calcium jump of a pair must come before the next pair",
                              dt, p->delay_D_ms, period);
    for (size_t k = 0; k < pr->pairs; k++) {
        double t0 = (double)k * period;
        if (pre_ms)
            pre_ms[k] = dt >= 0.0 ? t0 : t0 - dt;
        if (post_ms)
            post_ms[k] = dt >= 0.0 ? t0 + dt : t0;
    }
    if (t_end_ms)
        *t_end_ms = (double)pr->pairs * period;
    return MG_OK;
}

/* A 32-bit random stream number from Δt's bits (splitmix64 finaliser). */
static uint32_t stream_of(double dt_ms) {
    uint64_t z;
    double d = dt_ms == 0.0 ? 0.0 : dt_ms; /* -0 and +0 give the same stream */
    memcpy(&z, &d, sizeof z);
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (uint32_t)(z ^ (z >> 32));
}

/* ---------------------------------------------------------------- NMDA-driven calcium */

void mg_gb_calcium_defaults(mg_gb_calcium_params *out) {
    /* Shouval, Bear & Cooper 2002 via folmez/CaDP-MatLab (refs §2.4, §6.2); Jahr & Stevens
     * 1990 (refs §3.1); V_rest -65 mV is an assumption (docs). */
    mg_gb_calcium_params q = {MG_GB_CALCIUM_SPIKE,
                              1.0,   /* mg_mM */
                              1.0,   /* nmda_scale */
                              1.0,   /* mg_ref_mM */
                              0.5,   /* i_f */
                              0.5,   /* i_s */
                              50.0,  /* tau_f_ms */
                              200.0, /* tau_s_ms */
                              -65.0, /* v_rest_mV */
                              130.0, /* v_rev_mV */
                              100.0, /* bpap_mV */
                              0.75,  /* bpap_fast_frac */
                              3.0,   /* bpap_tau_fast_ms */
                              25.0,  /* bpap_tau_slow_ms */
                              2.0,   /* bpap_delay_ms */
                              3.57,  /* mg_scale_mM */
                              0.062, /* gamma_per_mV */
                              0.05}; /* step_ms */
    *out = q;
}

mg_status mg_gb_calcium_validate(mg_context *ctx, const mg_gb_calcium_params *q) {
    mg_status st;
    if (q->mode != MG_GB_CALCIUM_SPIKE && q->mode != MG_GB_CALCIUM_NMDA)
        return mg_error_raise(ctx, MG_ERR_DATA, "rule.calcium must be spike or nmda, got %d",
                              (int)q->mode);
    if (!(isfinite(q->mg_mM) && q->mg_mM >= 0.0))
        return mg_error_raise(ctx, MG_ERR_DATA, "extracellular.mg_mM must be >= 0 mM, got %g",
                              q->mg_mM);
    if ((st = check(ctx, isfinite(q->nmda_scale) && q->nmda_scale >= 0.0, "nmda_scale", ">= 0",
                    q->nmda_scale)) != MG_OK ||
        (st = check(ctx, isfinite(q->mg_ref_mM) && q->mg_ref_mM >= 0.0, "nmda_mg_ref_mM", ">= 0 mM",
                    q->mg_ref_mM)) != MG_OK ||
        (st = check(ctx, isfinite(q->i_f) && q->i_f >= 0.0, "nmda_i_f", ">= 0", q->i_f)) != MG_OK ||
        (st = check(ctx, isfinite(q->i_s) && q->i_s >= 0.0 && q->i_f + q->i_s > 0.0, "nmda_i_s",
                    ">= 0 (and I_f + I_s > 0)", q->i_s)) != MG_OK ||
        (st = check(ctx, isfinite(q->tau_f_ms) && q->tau_f_ms > 0.0, "nmda_tau_f_ms", "> 0 ms",
                    q->tau_f_ms)) != MG_OK ||
        (st = check(ctx, isfinite(q->tau_s_ms) && q->tau_s_ms > 0.0, "nmda_tau_s_ms", "> 0 ms",
                    q->tau_s_ms)) != MG_OK ||
        (st = check(ctx, isfinite(q->v_rev_mV), "nmda_v_rev_mV", "finite", q->v_rev_mV)) != MG_OK ||
        (st = check(ctx, isfinite(q->v_rest_mV) && q->v_rest_mV < q->v_rev_mV, "v_rest_mV",
                    "below rule.nmda_v_rev_mV", q->v_rest_mV)) != MG_OK ||
        (st = check(ctx, isfinite(q->bpap_mV), "bpap_mV", "finite", q->bpap_mV)) != MG_OK ||
        (st = check(ctx,
                    isfinite(q->bpap_fast_frac) && q->bpap_fast_frac >= 0.0 &&
                        q->bpap_fast_frac <= 1.0,
                    "bpap_fast_frac", "in [0, 1]", q->bpap_fast_frac)) != MG_OK ||
        (st = check(ctx, isfinite(q->bpap_tau_fast_ms) && q->bpap_tau_fast_ms > 0.0,
                    "bpap_tau_fast_ms", "> 0 ms", q->bpap_tau_fast_ms)) != MG_OK ||
        (st = check(ctx, isfinite(q->bpap_tau_slow_ms) && q->bpap_tau_slow_ms > 0.0,
                    "bpap_tau_slow_ms", "> 0 ms", q->bpap_tau_slow_ms)) != MG_OK ||
        (st = check(ctx, isfinite(q->bpap_delay_ms) && q->bpap_delay_ms >= 0.0, "bpap_delay_ms",
                    ">= 0 ms", q->bpap_delay_ms)) != MG_OK ||
        (st = check(ctx, isfinite(q->mg_scale_mM) && q->mg_scale_mM > 0.0, "nmda_mg_scale_mM",
                    "> 0 mM", q->mg_scale_mM)) != MG_OK ||
        (st = check(ctx, isfinite(q->gamma_per_mV) && q->gamma_per_mV >= 0.0, "nmda_gamma_per_mV",
                    ">= 0 /mV", q->gamma_per_mV)) != MG_OK ||
        (st = check(ctx, isfinite(q->step_ms) && q->step_ms > 0.0 && q->step_ms <= 1.0,
                    "nmda_step_ms", "in (0, 1] ms", q->step_ms)) != MG_OK)
        return st;
    return MG_OK;
}

double mg_gb_nmda_rate(const mg_gb_params *p, const mg_gb_calcium_params *q) {
    double b_ref = mg_net_nmda_block(q->v_rest_mV, q->mg_ref_mM, q->mg_scale_mM, q->gamma_per_mV);
    return q->nmda_scale * p->c_pre / (b_ref * (q->i_f * q->tau_f_ms + q->i_s * q->tau_s_ms));
}

/* State of the nmda-mode trace: gating (fast, slow), BPAP (fast, slow, mV). */
typedef struct {
    const mg_gb_calcium_params *q;
    double rate, drive_norm; /* c_nmda; 1/(V_r - V_rest) */
    double gf, gs, vf, vs;
} nmda_state;

/* Influx (1/ms) at offset s (ms) from the state's time. */
static inline double nmda_influx(const nmda_state *z, double s) {
    const mg_gb_calcium_params *q = z->q;
    double g = z->gf * exp(-s / q->tau_f_ms) + z->gs * exp(-s / q->tau_s_ms);
    if (g == 0.0)
        return 0.0;
    double v = q->v_rest_mV + z->vf * exp(-s / q->bpap_tau_fast_ms) +
               z->vs * exp(-s / q->bpap_tau_slow_ms);
    return z->rate * g * mg_net_nmda_block(v, q->mg_mM, q->mg_scale_mM, q->gamma_per_mV) *
           (q->v_rev_mV - v) * z->drive_norm;
}

/* Time (ms) in a step of length h with c going linearly from c0 to c1 during which c > θ. */
static inline double lin_above(double c0, double c1, double th, double h) {
    if (c0 > th && c1 > th)
        return h;
    if (c0 <= th && c1 <= th)
        return 0.0;
    double x = (th - c0) / (c1 - c0) * h; /* crossing */
    return c1 > c0 ? h - x : x;
}

/* Add a step's pieces in time order (θd <= θp): rising none→d→both, falling both→d→none. */
static int add_step_pieces(gb_pieces *ps, double c0, double c1, double xd, double xp, double h) {
    if (c1 >= c0)
        return pieces_add(ps, h - xd, 0, 0) || pieces_add(ps, xd - xp, 0, 1) ||
               pieces_add(ps, xp, 1, 1);
    return pieces_add(ps, xp, 1, 1) || pieces_add(ps, xd - xp, 0, 1) ||
           pieces_add(ps, h - xd, 0, 0);
}

typedef mg_tox_acc tox_acc;
#define tox_add mg_tox_add

/* The nmda-mode walk: see mg_gb_nmda_trace. Inputs checked already. */
static mg_status walk_nmda(mg_context *ctx, const mg_gb_params *p, const mg_gb_calcium_params *q,
                           const double *pre_ms, size_t n_pre, const double *post_ms, size_t n_post,
                           double t_end_ms, double out[5], gb_pieces *ps, tox_acc *acc) {
    nmda_state z = {q, mg_gb_nmda_rate(p, q), 1.0 / (q->v_rev_mV - q->v_rest_mV), 0, 0, 0, 0};
    size_t i = 0, j = 0, k = 0; /* next presynaptic arrival, postsynaptic jump, BPAP */
    double t = 0.0, c = 0.0, td = 0.0, tp = 0.0, flux = 0.0, jumps = 0.0;
    double tau = p->tau_ca_ms, D = p->delay_D_ms, dB = q->bpap_delay_ms;
    for (;;) {
        double tn = t_end_ms;
        if (i < n_pre && pre_ms[i] + D < tn)
            tn = pre_ms[i] + D;
        if (j < n_post && post_ms[j] < tn)
            tn = post_ms[j];
        if (k < n_post && post_ms[k] + dB < tn)
            tn = post_ms[k] + dB;
        double dur = tn - t;
        if (dur > 0.0) {
            double nsteps = ceil(dur / q->step_ms);
            long n = (long)nsteps;
            double h = dur / nsteps, eh = exp(-h / tau), eh2 = exp(-0.5 * h / tau);
            double ef = exp(-h / q->tau_f_ms), es = exp(-h / q->tau_s_ms);
            double ebf = exp(-h / q->bpap_tau_fast_ms), ebs = exp(-h / q->bpap_tau_slow_ms);
            double f0 = nmda_influx(&z, 0.0);
            for (long m = 0; m < n; m++) {
                double fm = nmda_influx(&z, 0.5 * h), f1 = nmda_influx(&z, h);
                /* c(h) = c e^{-h/τ} + ∫ e^{-(h-s)/τ} f(s) ds, the integral by Simpson */
                double c1 = c * eh + h / 6.0 * (eh * f0 + 4.0 * eh2 * fm + f1);
                flux += h / 6.0 * (f0 + 4.0 * fm + f1);
                double xd = lin_above(c, c1, p->theta_d, h), xp = lin_above(c, c1, p->theta_p, h);
                td += xd;
                tp += xp;
                if (ps && add_step_pieces(ps, c, c1, xd, xp, h))
                    return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
                if (acc)
                    tox_add(acc, c, c1, h);
                c = c1;
                z.gf *= ef;
                z.gs *= es;
                z.vf *= ebf;
                z.vs *= ebs;
                f0 = f1;
            }
            t = tn;
        }
        if (tn >= t_end_ms)
            break;
        while (i < n_pre && pre_ms[i] + D <= tn) {
            z.gf += q->i_f;
            z.gs += q->i_s;
            i++;
        }
        while (j < n_post && post_ms[j] <= tn) {
            c += p->c_post;
            jumps += p->c_post;
            j++;
        }
        if (acc && c > acc->peak)
            acc->peak = c;
        while (k < n_post && post_ms[k] + dB <= tn) {
            z.vf += q->bpap_mV * q->bpap_fast_frac;
            z.vs += q->bpap_mV * (1.0 - q->bpap_fast_frac);
            k++;
        }
    }
    /* dc/dt = -c/τ + influx + jumps integrates to ∫c = τ (∫influx + Σ jumps - c(T)) */
    out[0] = tau * (flux + jumps - c);
    out[1] = flux;
    out[2] = c;
    out[3] = td;
    out[4] = tp;
    return MG_OK;
}

mg_status mg_gb_nmda_trace(mg_context *ctx, const mg_gb_params *p, const mg_gb_calcium_params *q,
                           const double *pre_ms, size_t n_pre, const double *post_ms, size_t n_post,
                           double t_end_ms, double *int_c_ms, double *influx, double *c_end,
                           double *above_d_ms, double *above_p_ms) {
    mg_status st = check_inputs(ctx, p, pre_ms, n_pre, post_ms, n_post, t_end_ms);
    if (st == MG_OK)
        st = mg_gb_calcium_validate(ctx, q);
    double r[5];
    if (st == MG_OK)
        st = walk_nmda(ctx, p, q, pre_ms, n_pre, post_ms, n_post, t_end_ms, r, NULL, NULL);
    if (st != MG_OK)
        return st;
    if (int_c_ms)
        *int_c_ms = r[0];
    if (influx)
        *influx = r[1];
    if (c_end)
        *c_end = r[2];
    if (above_d_ms)
        *above_d_ms = r[3];
    if (above_p_ms)
        *above_p_ms = r[4];
    return MG_OK;
}

mg_status mg_gb_schedule_create_calcium(mg_context *ctx, const mg_gb_params *p,
                                        const mg_gb_calcium_params *q, const double *pre_ms,
                                        size_t n_pre, const double *post_ms, size_t n_post,
                                        double t_end_ms, mg_gb_schedule **out) {
    if (!q || q->mode == MG_GB_CALCIUM_SPIKE) {
        mg_status st = q ? mg_gb_calcium_validate(ctx, q) : MG_OK;
        if (st != MG_OK) {
            *out = NULL;
            return st;
        }
        return mg_gb_schedule_create(ctx, p, pre_ms, n_pre, post_ms, n_post, t_end_ms, out);
    }
    *out = NULL;
    mg_status st = check_inputs(ctx, p, pre_ms, n_pre, post_ms, n_post, t_end_ms);
    if (st == MG_OK)
        st = mg_gb_calcium_validate(ctx, q);
    if (st != MG_OK)
        return st;
    gb_pieces ps = {NULL, 0, 0};
    double r[5];
    st = walk_nmda(ctx, p, q, pre_ms, n_pre, post_ms, n_post, t_end_ms, r, &ps, NULL);
    if (st != MG_OK) {
        free(ps.v);
        return st;
    }
    return schedule_from_pieces(ctx, p, &ps, r[3], r[4], t_end_ms, out);
}

mg_status mg_gb_stdp_run_calcium(mg_context *ctx, const mg_gb_params *p,
                                 const mg_gb_calcium_params *q, const mg_gb_pairing *pr,
                                 size_t reps, uint64_t seed, mg_gb_stdp_point *out) {
    mg_status st = mg_gb_params_validate(ctx, p);
    if (st == MG_OK && q)
        st = mg_gb_calcium_validate(ctx, q);
    if (st != MG_OK)
        return st;
    if (pr->pairs > ((size_t)1 << 28))
        return mg_error_raise(ctx, MG_ERR_DATA, "protocol.pairs must be <= 268435456, got %zu",
                              pr->pairs);
    double *pre = malloc((pr->pairs ? pr->pairs : 1) * sizeof *pre);
    double *post = malloc((pr->pairs ? pr->pairs : 1) * sizeof *post);
    mg_gb_schedule *s = NULL;
    double t_end = 0.0;
    if (!pre || !post)
        st = mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    if (st == MG_OK)
        st = mg_gb_pairing_spikes(ctx, p, pr, pre, post, &t_end);
    if (st == MG_OK)
        st = mg_gb_schedule_create_calcium(ctx, p, q, pre, pr->pairs, post, pr->pairs, t_end, &s);
    if (st == MG_OK) {
        out->dt_ms = pr->dt_ms;
        out->above_d_s = s->above_d_ms * 1e-3;
        out->above_p_s = s->above_p_ms * 1e-3;
        out->an = mg_gb_analytic_eval(p, out->above_d_s, out->above_p_s, t_end * 1e-3);
        out->up_sim = out->down_sim = out->change_sim = NAN;
        if (reps > 0) {
            st = mg_gb_transitions(ctx, p, s, reps, seed, stream_of(pr->dt_ms), &out->up_sim,
                                   &out->down_sim);
            if (st == MG_OK)
                out->change_sim = mg_gb_change(p, out->up_sim, out->down_sim);
        }
    }
    mg_gb_schedule_destroy(&s);
    free(pre);
    free(post);
    return st;
}

mg_status mg_gb_stdp_run(mg_context *ctx, const mg_gb_params *p, const mg_gb_pairing *pr,
                         size_t reps, uint64_t seed, mg_gb_stdp_point *out) {
    return mg_gb_stdp_run_calcium(ctx, p, NULL, pr, reps, seed, out);
}

/* ---------------------------------------------------------------- readouts for protocols */

/* Spike-mode readout, exactly: between jumps c decays from c0, above tox for
 * x = τ ln(c0/tox) (capped), with ∫(c - tox) = τ c0 (1 - e^{-x/τ}) - tox x there. */
static void readout_spike(const mg_gb_params *p, const double *pre_ms, size_t n_pre,
                          const double *post_ms, size_t n_post, double t_end_ms, tox_acc *a,
                          double *jumps_pre, double *jumps_all, double *c_end) {
    size_t i = 0, j = 0;
    double t = 0.0, c = 0.0, tau = p->tau_ca_ms, jp = 0.0, jq = 0.0;
    for (;;) {
        double tn = INFINITY;
        if (i < n_pre)
            tn = pre_ms[i] + p->delay_D_ms;
        if (j < n_post && post_ms[j] < tn)
            tn = post_ms[j];
        if (tn > t_end_ms)
            tn = t_end_ms;
        double dur = tn - t;
        if (dur > 0.0) {
            if (c > a->tox) {
                double x = fmin(dur, tau * log(c / a->tox));
                a->above += x;
                a->area += tau * c * -expm1(-x / tau) - a->tox * x;
            }
            c *= exp(-dur / tau);
            t = tn;
        }
        if (tn >= t_end_ms)
            break;
        while (i < n_pre && pre_ms[i] + p->delay_D_ms <= tn) {
            c += p->c_pre;
            jp += p->c_pre;
            i++;
        }
        while (j < n_post && post_ms[j] <= tn) {
            c += p->c_post;
            jq += p->c_post;
            j++;
        }
        if (c > a->peak)
            a->peak = c;
    }
    *jumps_pre = jp;
    *jumps_all = jp + jq;
    *c_end = c;
}

mg_status mg_gb_readout(mg_context *ctx, const mg_gb_params *p, const mg_gb_calcium_params *q,
                        const double *pre_ms, size_t n_pre, const double *post_ms, size_t n_post,
                        double t_end_ms, double tox, mg_ca_readout *out) {
    mg_status st = check_inputs(ctx, p, pre_ms, n_pre, post_ms, n_post, t_end_ms);
    if (st == MG_OK && q)
        st = mg_gb_calcium_validate(ctx, q);
    if (st == MG_OK && !(isfinite(tox) && tox > 0.0))
        st = mg_error_raise(ctx, MG_ERR_DATA,
                            "readout.ca_tox_rel must give an excitotoxic threshold > 0, got %g",
                            tox);
    if (st != MG_OK)
        return st;
    tox_acc a = {tox, 0.0, 0.0, 0.0};
    double integral, influx;
    if (!q || q->mode == MG_GB_CALCIUM_SPIKE) {
        double jp, ja, ce;
        readout_spike(p, pre_ms, n_pre, post_ms, n_post, t_end_ms, &a, &jp, &ja, &ce);
        /* dc/dt = -c/τ + jumps: ∫c = τ (Σ jumps - c(T)) */
        integral = p->tau_ca_ms * (ja - ce);
        influx = jp;
    } else {
        double r[5];
        st = walk_nmda(ctx, p, q, pre_ms, n_pre, post_ms, n_post, t_end_ms, r, NULL, &a);
        if (st != MG_OK)
            return st;
        integral = r[0];
        influx = r[1];
    }
    out->peak = a.peak;
    out->mean = t_end_ms > 0.0 ? integral / t_end_ms : 0.0;
    out->integral_ms = integral;
    out->influx = influx;
    out->tox_threshold = tox;
    out->above_tox_ms = a.above;
    out->tox_integral_ms = a.area;
    return MG_OK;
}
