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

mg_status mg_gb_schedule_create(mg_context *ctx, const mg_gb_params *p, const double *pre_ms,
                                size_t n_pre, const double *post_ms, size_t n_post, double t_end_ms,
                                mg_gb_schedule **out) {
    *out = NULL;
    mg_status st;
    if ((st = mg_gb_params_validate(ctx, p)) != MG_OK ||
        (st = check_train(ctx, pre_ms, n_pre, "presynaptic")) != MG_OK ||
        (st = check_train(ctx, post_ms, n_post, "postsynaptic")) != MG_OK)
        return st;
    if (!isfinite(t_end_ms) || t_end_ms < 0.0)
        return mg_error_raise(ctx, MG_ERR_DATA, "end time must be finite and >= 0 ms, got %g",
                              t_end_ms);
    gb_pieces ps = {NULL, 0, 0};
    mg_gb_schedule *s = calloc(1, sizeof *s);
    if (!s)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    st = walk_trace(ctx, p, pre_ms, n_pre, post_ms, n_post, t_end_ms, &s->above_d_ms,
                    &s->above_p_ms, &ps);
    if (st == MG_OK && ps.n > 0 && !(s->segs = malloc(ps.n * sizeof *s->segs)))
        st = mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    if (st != MG_OK) {
        free(ps.v);
        free(s);
        return st;
    }
    s->t_end_ms = t_end_ms;
    s->n = ps.n;
    for (size_t k = 0; k < ps.n; k++) {
        gb_seg *g = &s->segs[k];
        double dur_s = ps.v[k].dur_ms * 1e-3;
        g->gp = ps.v[k].p_on ? p->gamma_p : 0.0;
        g->gd = ps.v[k].d_on ? p->gamma_d : 0.0;
        g->n_theta = (double)(ps.v[k].p_on + ps.v[k].d_on);
        double h_max = 0.02 * p->tau_rho_s / (1.0 + g->gp + g->gd);
        double n = ceil(dur_s / h_max);
        if (n < 1.0)
            n = 1.0;
        if (n > 4e9)
            n = 4e9;
        g->n = (uint32_t)n;
        g->h_s = dur_s / n;
    }
    free(ps.v);
    *out = s;
    return MG_OK;
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

mg_status mg_gb_stdp_run(mg_context *ctx, const mg_gb_params *p, const mg_gb_pairing *pr,
                         size_t reps, uint64_t seed, mg_gb_stdp_point *out) {
    mg_status st = mg_gb_params_validate(ctx, p);
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
        st = mg_gb_schedule_create(ctx, p, pre, pr->pairs, post, pr->pairs, t_end, &s);
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
