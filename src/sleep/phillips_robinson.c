/* The Phillips & Robinson 2007 mean-field sleep–wake model (VLPO / monoaminergic flip-flop,
 * somnogen H, circadian drive C) with a sleep window (wake effort outside it) and caffeine as an
 * adenosine antagonist. Equations and sources: include/mgsim/sleep.h and
 * docs/models/phillips-robinson.md. Fixed-step classical RK4 in seconds. */
#include "mgsim/sleep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PR_TWO_PI 6.283185307179586476925286766559
/* Longest run, h, and cap on samples. */
#define PR_MAX_DURATION_H 1e5
#define PR_MAX_SAMPLES    1e8

mg_sleep_pr_params mg_sleep_pr_params_default(void) {
    /* Phillips & Robinson 2007 nominal values as encoded in BIOMD0000000917 / CellML
     * phillips_2007 (refs §3.2). Every value below was checked against a second, independent
     * reading of the paper, PabRod/sleep-wake code/auxs/genPars.m 'philrob2007' (same values;
     * μ = 1e-3 nM h = 3.6 nM s there): they agree. The two differ only in the form of C:
     * c0 + cos (CellML, used here) vs (1 + cos)/2 (PabRod, "an approximation"), which is
     * nu_vc_mV = -3.15 with c0 = 1. Neither gives the ~8 h night of later parameter sets
     * (5.0 h and 6.4 h); docs/models/phillips-robinson.md, "Known misses". */
    mg_sleep_pr_params p;
    p.tau_v_s = 10.0;
    p.tau_m_s = 10.0;
    p.nu_vm_mV_s = -1.9;
    p.nu_mv_mV_s = -1.9;
    p.nu_maqa_mV = 1.0;
    p.nu_vc_mV = -6.3;
    p.nu_vh_mV_nM = 0.19;
    p.chi_h = 10.8;
    p.mu_nM_s = 3.6;
    p.q_max_per_s = 100.0;
    p.theta_mV = 10.0;
    p.sigma_mV = 3.0;
    p.c0 = 1.0;
    p.period_h = 24.0;
    /* Assumptions (docs/models/phillips-robinson.md). */
    p.phase_h = 16.0;
    p.v_we_mV = -0.07;
    p.caf_half_life_h = 5.0;
    p.caf_k50_mg = 100.0;
    p.caf_max_block = 0.5;
    p.dt_s = 1.0;
    return p;
}

static mg_status bad(mg_context *ctx, const char *key, const char *what, double v) {
    return mg_error_raise(ctx, MG_ERR_DATA, "sleep_pr.%s must be %s, got %g", key, what, v);
}

#define CHECK(cond, key, what, v)                                                                  \
    do {                                                                                           \
        if (!(cond))                                                                               \
            return bad(ctx, key, what, (double)(v));                                               \
    } while (0)

mg_status mg_sleep_pr_params_validate(mg_context *ctx, const mg_sleep_pr_params *p) {
    CHECK(isfinite(p->tau_v_s) && p->tau_v_s > 0.0, "tau_v_s", "> 0 s (VLPO time constant)",
          p->tau_v_s);
    CHECK(isfinite(p->tau_m_s) && p->tau_m_s > 0.0, "tau_m_s", "> 0 s (MA time constant)",
          p->tau_m_s);
    CHECK(isfinite(p->nu_vm_mV_s) && p->nu_vm_mV_s <= 0.0, "nu_vm_mV_s",
          "<= 0 mV s (MA -> VLPO inhibition)", p->nu_vm_mV_s);
    CHECK(isfinite(p->nu_mv_mV_s) && p->nu_mv_mV_s <= 0.0, "nu_mv_mV_s",
          "<= 0 mV s (VLPO -> MA inhibition)", p->nu_mv_mV_s);
    CHECK(isfinite(p->nu_maqa_mV), "nu_maqa_mV", "finite mV", p->nu_maqa_mV);
    CHECK(isfinite(p->nu_vc_mV), "nu_vc_mV", "finite mV", p->nu_vc_mV);
    CHECK(isfinite(p->nu_vh_mV_nM) && p->nu_vh_mV_nM >= 0.0, "nu_vh_mV_nM", ">= 0 mV/nM",
          p->nu_vh_mV_nM);
    CHECK(isfinite(p->chi_h) && p->chi_h > 0.0, "chi_h", "> 0 h (somnogen clearance time)",
          p->chi_h);
    CHECK(isfinite(p->mu_nM_s) && p->mu_nM_s > 0.0, "mu_nM_s", "> 0 nM s", p->mu_nM_s);
    CHECK(isfinite(p->q_max_per_s) && p->q_max_per_s > 0.0 && p->q_max_per_s <= 1000.0,
          "q_max_per_s", "in (0, 1000] s^-1", p->q_max_per_s);
    CHECK(isfinite(p->theta_mV), "theta_mV", "finite mV", p->theta_mV);
    CHECK(isfinite(p->sigma_mV) && p->sigma_mV > 0.0, "sigma_mV", "> 0 mV", p->sigma_mV);
    CHECK(isfinite(p->c0), "c0", "finite", p->c0);
    CHECK(isfinite(p->period_h) && p->period_h > 0.0, "period_h", "> 0 h", p->period_h);
    CHECK(isfinite(p->phase_h), "phase_h", "finite h", p->phase_h);
    CHECK(isfinite(p->v_we_mV), "v_we_mV", "finite mV", p->v_we_mV);
    CHECK(isfinite(p->caf_half_life_h) && p->caf_half_life_h > 0.0, "caf_half_life_h",
          "> 0 h (caffeine half-life)", p->caf_half_life_h);
    CHECK(isfinite(p->caf_k50_mg) && p->caf_k50_mg > 0.0, "caf_k50_mg", "> 0 mg", p->caf_k50_mg);
    CHECK(isfinite(p->caf_max_block) && p->caf_max_block >= 0.0 && p->caf_max_block <= 1.0,
          "caf_max_block", "in [0, 1]", p->caf_max_block);
    /* RK4 is stable for |λ dt| < 2.78; the fastest rate is about (1 + |ν| Qmax/(4σ))/τ. */
    double lam = (1.0 + fmax(fabs(p->nu_vm_mV_s), fabs(p->nu_mv_mV_s)) * p->q_max_per_s /
                            (4.0 * p->sigma_mV)) /
                 fmin(p->tau_v_s, p->tau_m_s);
    CHECK(isfinite(p->dt_s) && p->dt_s > 0.0 && p->dt_s <= 2.0 && lam * p->dt_s < 2.5, "dt_s",
          "in (0, 2] s and below 2.5 / (fastest rate of the flip-flop) for RK4 stability", p->dt_s);
    return MG_OK;
}

double mg_sleep_pr_caffeine_block(const mg_sleep_pr_params *p, const mg_caffeine_dose *doses,
                                  size_t n_doses, double t_h) {
    double a = 0.0;
    for (size_t k = 0; k < n_doses; k++)
        if (doses[k].time_h <= t_h)
            a += doses[k].dose_mg * exp2(-(t_h - doses[k].time_h) / p->caf_half_life_h);
    if (a <= 0.0)
        return 0.0;
    return p->caf_max_block * a / (a + p->caf_k50_mg);
}

/* ------------------------------------------------------------------------ dynamics */

typedef struct {
    const mg_sleep_pr_params *p;
    double circ;  /* C(t) for this step */
    double block; /* B(t) for this step */
    int forced;   /* wake effort on */
} pr_inputs;

static double pr_q(const mg_sleep_pr_params *p, double v) {
    return p->q_max_per_s / (1.0 + exp(-(v - p->theta_mV) / p->sigma_mV));
}

/* y = (Vv, Vm, H); derivatives per second. */
static void pr_rhs(const pr_inputs *in, const double *y, double *dy) {
    const mg_sleep_pr_params *p = in->p;
    double qv = pr_q(p, y[0]), qm = pr_q(p, y[1]);
    double dv = p->nu_vc_mV * in->circ + p->nu_vh_mV_nM * y[2] * (1.0 - in->block);
    double w = 0.0;
    if (in->forced) {
        /* Wake effort: the extra drive that holds the MA equilibrium at V_WE (never negative). */
        w = p->v_we_mV - p->nu_mv_mV_s * qv - p->nu_maqa_mV;
        if (w < 0.0)
            w = 0.0;
    }
    dy[0] = (-y[0] + p->nu_vm_mV_s * qm + dv) / p->tau_v_s;
    dy[1] = (-y[1] + p->nu_mv_mV_s * qv + p->nu_maqa_mV + w) / p->tau_m_s;
    dy[2] = (-y[2] + p->mu_nM_s * qm) / (p->chi_h * 3600.0);
}

static void pr_rk4(const pr_inputs *in, double *y, double h) {
    double k1[3], k2[3], k3[3], k4[3], t[3];
    pr_rhs(in, y, k1);
    for (int i = 0; i < 3; i++)
        t[i] = y[i] + 0.5 * h * k1[i];
    pr_rhs(in, t, k2);
    for (int i = 0; i < 3; i++)
        t[i] = y[i] + 0.5 * h * k2[i];
    pr_rhs(in, t, k3);
    for (int i = 0; i < 3; i++)
        t[i] = y[i] + h * k3[i];
    pr_rhs(in, t, k4);
    for (int i = 0; i < 3; i++)
        y[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
}

static int in_window(const mg_sleep_schedule *s, double t_h) {
    double ph = fmod(t_h - s->bedtime_h, 24.0);
    if (ph < 0.0)
        ph += 24.0;
    return ph < s->time_in_bed_h;
}

static mg_status push_ep(mg_context *ctx, mg_sleep_result *r, size_t *cap, double t, double h) {
    if (r->n_episodes == *cap) {
        size_t nc = *cap ? 2 * *cap : 16;
        mg_sleep_episode *e = realloc(r->episodes, nc * sizeof *e);
        if (!e)
            return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory for %zu sleep episodes", nc);
        r->episodes = e;
        *cap = nc;
    }
    mg_sleep_episode *e = &r->episodes[r->n_episodes++];
    e->onset_h = t;
    e->s_onset = h;
    e->offset_h = NAN;
    e->s_offset = NAN;
    return MG_OK;
}

mg_status mg_sleep_pr_run(mg_context *ctx, const mg_sleep_pr_params *p,
                          const mg_sleep_schedule *sched, const mg_caffeine_dose *doses,
                          size_t n_doses, double duration_h, double sample_h,
                          mg_sleep_result *out) {
    memset(out, 0, sizeof *out);
    mg_status st = mg_sleep_pr_params_validate(ctx, p);
    if (st != MG_OK)
        return st;
    if (sched) {
        if (!(isfinite(sched->bedtime_h) && sched->bedtime_h >= 0.0 && sched->bedtime_h < 24.0))
            return mg_error_raise(ctx, MG_ERR_DATA,
                                  "schedule.bedtime_h must be a clock time in [0, 24) h, got %g",
                                  sched->bedtime_h);
        if (!(isfinite(sched->time_in_bed_h) && sched->time_in_bed_h > 0.0 &&
              sched->time_in_bed_h < 24.0))
            return mg_error_raise(ctx, MG_ERR_DATA,
                                  "schedule.time_in_bed_h must be in (0, 24) h, got %g",
                                  sched->time_in_bed_h);
    }
    if (n_doses > 0 && !doses)
        return mg_error_raise(ctx, MG_ERR_DATA, "caffeine: %zu doses given but the array is NULL",
                              n_doses);
    for (size_t k = 0; k < n_doses; k++) {
        if (!isfinite(doses[k].time_h))
            return mg_error_raise(ctx, MG_ERR_DATA,
                                  "caffeine dose %zu: time_h must be finite, "
                                  "got %g",
                                  k, doses[k].time_h);
        if (!(isfinite(doses[k].dose_mg) && doses[k].dose_mg >= 0.0))
            return mg_error_raise(ctx, MG_ERR_DATA,
                                  "caffeine dose %zu: dose_mg must be finite and >= 0 mg, got %g",
                                  k, doses[k].dose_mg);
    }
    if (!(isfinite(duration_h) && duration_h > 0.0 && duration_h <= PR_MAX_DURATION_H))
        return mg_error_raise(ctx, MG_ERR_DATA, "duration must be in (0, %g] h, got %g",
                              PR_MAX_DURATION_H, duration_h);
    if (!(isfinite(sample_h) && sample_h >= 0.0))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "sample interval must be finite and >= 0 h (0: no sampling), got %g",
                              sample_h);
    mg_sleep_result r;
    memset(&r, 0, sizeof r);
    if (sample_h > 0.0) {
        double n = floor(duration_h / sample_h * (1.0 + 1e-12)) + 1.0;
        if (n > PR_MAX_SAMPLES)
            return mg_error_raise(ctx, MG_ERR_DATA, "%.0f samples exceed the limit of %.0f", n,
                                  PR_MAX_SAMPLES);
        r.n_samples = (size_t)n;
        r.s = malloc(r.n_samples * sizeof *r.s);
        r.awake = malloc(r.n_samples);
        if (!r.s || !r.awake) {
            mg_sleep_result_free(&r);
            return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory for %zu samples", r.n_samples);
        }
    }
    const double dt_h = p->dt_s / 3600.0;
    const long n_steps = (long)ceil(duration_h / dt_h - 1e-9);
    double y[3] = {-10.0, 1.0, 13.0};
    int awake = y[1] > y[0];
    size_t cap = 0, next = 0;
    pr_inputs in;
    in.p = p;
    for (long n = 0; n <= n_steps; n++) {
        double t = (double)n * dt_h;
        if (t > duration_h)
            t = duration_h;
        while (next < r.n_samples && (double)next * sample_h <= t + 1e-12) {
            r.s[next] = y[2];
            r.awake[next] = (unsigned char)awake;
            next++;
        }
        if (n == n_steps)
            break;
        double h = fmin(dt_h, duration_h - t);
        in.circ = p->c0 + cos(PR_TWO_PI * (t - p->phase_h) / p->period_h);
        in.block = mg_sleep_pr_caffeine_block(p, doses, n_doses, t);
        in.forced = sched ? !in_window(sched, t) : 0;
        double y0[3] = {y[0], y[1], y[2]};
        pr_rk4(&in, y, h * 3600.0);
        for (int i = 0; i < 3; i++)
            if (!isfinite(y[i])) {
                mg_sleep_result_free(&r);
                return mg_error_raise(ctx, MG_ERR_INTERNAL,
                                      "sleep_pr: state not finite at t = %g h; reduce "
                                      "sleep_pr.dt_s",
                                      t);
            }
        int aw = y[1] > y[0];
        if (aw != awake) {
            /* Linear interpolation of Vm - Vv = 0 inside the step. */
            double d0 = y0[1] - y0[0], d1 = y[1] - y[0];
            double f = d0 != d1 ? d0 / (d0 - d1) : 1.0;
            double ts = t + f * h, hs = y0[2] + f * (y[2] - y0[2]);
            if (!aw) {
                if ((st = push_ep(ctx, &r, &cap, ts, hs)) != MG_OK) {
                    mg_sleep_result_free(&r);
                    return st;
                }
            } else if (r.n_episodes > 0) {
                r.episodes[r.n_episodes - 1].offset_h = ts;
                r.episodes[r.n_episodes - 1].s_offset = hs;
            }
            awake = aw;
        }
    }
    r.n_samples = next < r.n_samples ? next : r.n_samples;
    r.s_end = y[2];
    r.awake_end = awake;
    r.ends_asleep = !awake;
    if (r.ends_asleep && r.n_episodes > 0) {
        r.episodes[r.n_episodes - 1].offset_h = duration_h;
        r.episodes[r.n_episodes - 1].s_offset = y[2];
    }
    *out = r;
    return MG_OK;
}
