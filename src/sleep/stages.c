/* Sleep stages: the human sleep–wake network of Gleit, Diniz Behn & Booth 2013, as revised by
 * Booth, Xique & Diniz Behn 2017 (ModelDB 244485, DinizBehnBooth_SWnetworkModel.m), run on a
 * bedtime schedule, with this module's NREM split (N1/N2/N3), age terms, seeded arousals and the
 * magnesium hook. Equations, sources and assumptions: include/mgsim/sleep_stages.h and
 * docs/models/sleep-stages.md. Time in minutes. */
#include "mgsim/sleep_stages.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"

/* ------------------------------------------------------------ fixed published constants
 * Booth, Xique & Diniz Behn 2017 / ModelDB 244485 (refs §4.3), not exposed as parameters. */
#define G_ACH_LC   0.8
#define G_GABA_LC  1.5
#define G_NE_VLPO  1.5
#define G_ACH_R    2.2
#define G_NE_R     8.0
#define G_GABA_R   1.0
#define G_SCN_LC   0.5
#define G_SCN_VLPO 0.1
#define G_SCN_R    0.8
#define TAU_LC     23.0 /* min */
#define TAU_R      1.0
#define TAU_VLPO   10.0
#define TAU_SCN    0.5
#define MAX_LC     6.0 /* Hz */
#define MAX_R      5.0
#define MAX_VLPO   5.0
#define MAX_SCN    7.0
#define GAMMA_ACH  2.5
#define GAMMA_NE   5.0
#define GAMMA_GABA 2.5
#define GAMMA_SCN  4.0
#define BETA_LC    (-0.4)
#define ALPHA_LC   0.4
#define ALPHA_R    0.1
#define ALPHA_VLPO 0.2
#define BETA_SCN   (-0.1)
#define ALPHA_SCN  0.7
/* Forger-type circadian oscillator with the Serkh & Forger 2014 corrections. */
#define CIRC_TAUX   24.2
#define CIRC_ALPHA0 0.05
#define CIRC_BETA   0.0075
#define CIRC_G      33.75
#define CIRC_P      0.5
#define CIRC_K      0.55
#define CIRC_I0     9500.0
#define CIRC_MU     0.23
#define STAGE_PI    3.14159265358979323846

/* Random stream of the arousal process. */
#define STAGE_RNG_AROUSAL (MG_RNG_USER + 21)

enum { X_LC, X_VLPO, X_R, X_SCN, X_H, X_C, X_XC, X_N, NX };

mg_sleep_stage_params mg_sleep_stage_params_default(void) {
    mg_sleep_stage_params p;
    memset(&p, 0, sizeof p);
    p.beta_r = -0.8;
    p.k1 = -0.1;
    p.k2 = -0.0045;
    p.h_max = 323.88;
    p.tau_hw_min = 946.8;
    p.tau_hs_min = 202.2;
    p.theta_w_hz = 2.0;
    p.wake_hz = 4.0;
    p.rem_hz = 3.0;
    p.light_lux = 500.0;
    p.wake_effort = 1.0;
    p.evening_h = 4.0;
    p.evening_lux = 65.0;
    p.n1_lc_hz = 3.5;
    p.n3_swa = 150.0;
    p.age_years = 35.0;
    p.swa_age_per_decade = 0.035;
    p.hmax_age_per_decade = 0.02;
    p.arousal_per_h = 0.1;
    p.arousal_per_h_decade = 0.1;
    p.arousal_lc_hz = 4.2;
    p.g_ach_vlpo = 0.5;
    p.h_ach_r = 0.004;
    p.mg_mM = 1.0;
    p.mg_ref_mM = 1.0;
    p.mg_gain_per_mM = 0.0;
    p.mg_max_shift = 0.02;
    p.mg_swa_gain_per_mM = 0.0;
    p.mg_swa_max = 0.02;
    p.dt_min = 0.05;
    p.warmup_days = 10;
    p.seed = 1;
    return p;
}

static mg_status bad(mg_context *ctx, const char *key, const char *what, double v) {
    return mg_error_raise(ctx, MG_ERR_DATA, "sleep_stages.%s must be %s, got %g", key, what, v);
}

#define CHECK(cond, key, what, v)                                                                  \
    do {                                                                                           \
        if (!(cond))                                                                               \
            return bad(ctx, key, what, (double)(v));                                               \
    } while (0)

mg_status mg_sleep_stage_params_validate(mg_context *ctx, const mg_sleep_stage_params *p) {
    CHECK(isfinite(p->beta_r), "beta_r", "finite (REM threshold)", p->beta_r);
    CHECK(isfinite(p->k1), "k1", "finite (VLPO threshold offset)", p->k1);
    CHECK(isfinite(p->k2) && p->k2 <= 0.0, "k2", "finite and <= 0 (VLPO threshold per unit h)",
          p->k2);
    CHECK(isfinite(p->h_max) && p->h_max > 0.0, "h_max", "> 0 SWA % (homeostat asymptote)",
          p->h_max);
    CHECK(isfinite(p->tau_hw_min) && p->tau_hw_min > 0.0, "tau_hw_min",
          "> 0 min (rise time of h while awake)", p->tau_hw_min);
    CHECK(isfinite(p->tau_hs_min) && p->tau_hs_min > 0.0, "tau_hs_min",
          "> 0 min (decay time of h while asleep)", p->tau_hs_min);
    CHECK(isfinite(p->theta_w_hz) && p->theta_w_hz > 0.0, "theta_w_hz", "> 0 Hz", p->theta_w_hz);
    CHECK(isfinite(p->wake_hz) && p->wake_hz > 0.0 && p->wake_hz < MAX_LC, "wake_hz",
          "in (0, 6) Hz (wake readout on f_LC)", p->wake_hz);
    CHECK(isfinite(p->rem_hz) && p->rem_hz > 0.0 && p->rem_hz < MAX_R, "rem_hz",
          "in (0, 5) Hz (REM readout on f_R)", p->rem_hz);
    CHECK(isfinite(p->light_lux) && p->light_lux >= 0.0 && p->light_lux <= 1e5, "light_lux",
          "in [0, 1e5] lux", p->light_lux);
    CHECK(isfinite(p->wake_effort) && p->wake_effort >= 0.0 && p->wake_effort <= 10.0,
          "wake_effort", "in [0, 10] (extra LC input outside the sleep window)", p->wake_effort);
    CHECK(isfinite(p->n1_lc_hz) && p->n1_lc_hz > 0.0 && p->n1_lc_hz <= p->wake_hz, "n1_lc_hz",
          "in (0, wake_hz] Hz (N1 readout on f_LC)", p->n1_lc_hz);
    CHECK(isfinite(p->n3_swa) && p->n3_swa > 0.0, "n3_swa", "> 0 SWA % (N3 depth threshold)",
          p->n3_swa);
    CHECK(isfinite(p->age_years) && p->age_years >= 18.0 && p->age_years <= 100.0, "age_years",
          "in [18, 100] years (adult model)", p->age_years);
    CHECK(isfinite(p->swa_age_per_decade) && p->swa_age_per_decade >= 0.0 &&
              p->swa_age_per_decade <= 0.2,
          "swa_age_per_decade", "in [0, 0.2] per decade", p->swa_age_per_decade);
    CHECK(isfinite(p->hmax_age_per_decade) && p->hmax_age_per_decade >= 0.0 &&
              p->hmax_age_per_decade <= 0.2,
          "hmax_age_per_decade", "in [0, 0.2] per decade", p->hmax_age_per_decade);
    CHECK(isfinite(p->evening_h) && p->evening_h >= 0.0 && p->evening_h <= 12.0, "evening_h",
          "in [0, 12] h (dim light before lights off)", p->evening_h);
    CHECK(isfinite(p->evening_lux) && p->evening_lux >= 0.0 && p->evening_lux <= 1e5, "evening_lux",
          "in [0, 1e5] lux", p->evening_lux);
    CHECK(isfinite(p->arousal_per_h) && p->arousal_per_h >= 0.0 && p->arousal_per_h <= 60.0,
          "arousal_per_h", "in [0, 60] per hour", p->arousal_per_h);
    CHECK(isfinite(p->arousal_per_h_decade) && p->arousal_per_h_decade >= 0.0 &&
              p->arousal_per_h_decade <= 60.0,
          "arousal_per_h_decade", "in [0, 60] per hour per decade", p->arousal_per_h_decade);
    CHECK(isfinite(p->arousal_lc_hz) && p->arousal_lc_hz > p->wake_hz && p->arousal_lc_hz <= MAX_LC,
          "arousal_lc_hz", "in (wake_hz, 6] Hz", p->arousal_lc_hz);
    CHECK(isfinite(p->g_ach_vlpo) && p->g_ach_vlpo >= 0.0 && p->g_ach_vlpo <= 5.0, "g_ach_vlpo",
          "in [0, 5] (REM-active drive of the VLPO; 0 = published network)", p->g_ach_vlpo);
    CHECK(isfinite(p->h_ach_r) && p->h_ach_r >= 0.0 && p->h_ach_r <= 0.02, "h_ach_r",
          "in [0, 0.02] per SWA % (homeostatic damping of REM; 0 = published network)", p->h_ach_r);
    CHECK(isfinite(p->mg_mM) && p->mg_mM > 0.0 && p->mg_mM <= 5.0, "mg_mM",
          "in (0, 5] mM (brain extracellular Mg)", p->mg_mM);
    CHECK(isfinite(p->mg_ref_mM) && p->mg_ref_mM > 0.0 && p->mg_ref_mM <= 5.0, "mg_ref_mM",
          "in (0, 5] mM", p->mg_ref_mM);
    CHECK(isfinite(p->mg_gain_per_mM) && p->mg_gain_per_mM >= 0.0 && p->mg_gain_per_mM <= 100.0,
          "mg_gain_per_mM", "in [0, 100] per mM", p->mg_gain_per_mM);
    CHECK(isfinite(p->mg_swa_gain_per_mM) && p->mg_swa_gain_per_mM >= 0.0 &&
              p->mg_swa_gain_per_mM <= 100.0,
          "mg_swa_gain_per_mM", "in [0, 100] per mM", p->mg_swa_gain_per_mM);
    CHECK(isfinite(p->mg_swa_max) && p->mg_swa_max >= 0.0 && p->mg_swa_max <= 0.5, "mg_swa_max",
          "in [0, 0.5] (cap keeping the SWS effect within Held et al. 2002)", p->mg_swa_max);
    CHECK(isfinite(p->mg_max_shift) && p->mg_max_shift >= 0.0 && p->mg_max_shift <= 0.02,
          "mg_max_shift", "in [0, 0.02] (cap keeping the effect within the Mg trials)",
          p->mg_max_shift);
    CHECK(isfinite(p->dt_min) && p->dt_min > 0.0 && p->dt_min <= 0.1, "dt_min",
          "in (0, 0.1] min (fixed RK4 step)", p->dt_min);
    double per_epoch = 0.5 / p->dt_min;
    CHECK(fabs(per_epoch - floor(per_epoch + 0.5)) < 1e-9 * per_epoch, "dt_min",
          "a divisor of 0.5 min (one 30-s epoch is a whole number of steps)", p->dt_min);
    CHECK(p->warmup_days >= 1 && p->warmup_days <= 60, "warmup_days", "in [1, 60] days",
          p->warmup_days);
    return MG_OK;
}

/* ------------------------------------------------------------------------ the network */

typedef struct {
    const mg_sleep_stage_params *p;
    double mg_shift; /* shift of β_VLPO from the Mg hook */
    double h_max;    /* the homeostat's asymptote at the person's age */
} stage_model;

static double sat(double maxv, double input, double beta, double alpha) {
    return maxv * 0.5 * (1.0 + tanh((input - beta) / alpha));
}

/* Right-hand side (per minute) with light I (lux) and extra LC input `force`. */
static void rhs(const stage_model *m, const double *x, double light, double force, double *dx) {
    const mg_sleep_stage_params *p = m->p;
    double c_ne = tanh(x[X_LC] / GAMMA_NE), c_gaba = tanh(x[X_VLPO] / GAMMA_GABA);
    double c_ach = tanh(x[X_R] / GAMMA_ACH), c_scn = tanh(x[X_SCN] / GAMMA_SCN);
    double beta_vlpo = p->k2 * x[X_H] + p->k1 - m->mg_shift;
    double in_lc = G_ACH_LC * c_ach + G_SCN_LC * c_scn - G_GABA_LC * c_gaba + force;
    /* the two REM-structure terms of this module (0, 0 = the published network) */
    double in_vlpo = -G_NE_VLPO * c_ne - G_SCN_VLPO * c_scn + p->g_ach_vlpo * c_ach;
    double in_r = (G_ACH_R - p->h_ach_r * x[X_H]) * c_ach - G_NE_R * c_ne + G_SCN_R * c_scn -
                  G_GABA_R * c_gaba;
    dx[X_LC] = (sat(MAX_LC, in_lc, BETA_LC, ALPHA_LC) - x[X_LC]) / TAU_LC;
    dx[X_VLPO] = (sat(MAX_VLPO, in_vlpo, beta_vlpo, ALPHA_VLPO) - x[X_VLPO]) / TAU_VLPO;
    dx[X_R] = (sat(MAX_R, in_r, p->beta_r, ALPHA_R) - x[X_R]) / TAU_R;
    dx[X_SCN] = (sat(MAX_SCN, x[X_C], BETA_SCN, ALPHA_SCN) - x[X_SCN]) / TAU_SCN;
    dx[X_H] =
        x[X_LC] > p->theta_w_hz ? (m->h_max - x[X_H]) / p->tau_hw_min : -x[X_H] / p->tau_hs_min;
    double alph = CIRC_ALPHA0 * pow(light / CIRC_I0, CIRC_P);
    double b = CIRC_G * (1.0 - x[X_N]) * alph * (1.0 - 0.4 * x[X_C]) * (1.0 - 0.4 * x[X_XC]);
    double w = STAGE_PI / 720.0, q = 24.0 / (0.99669 * CIRC_TAUX);
    dx[X_C] = w * (x[X_XC] + b);
    dx[X_XC] = w * (CIRC_MU * (x[X_XC] - 4.0 * x[X_XC] * x[X_XC] * x[X_XC] / 3.0) -
                    x[X_C] * (q * q + CIRC_K * b));
    dx[X_N] = alph * (1.0 - x[X_N]) - CIRC_BETA * x[X_N];
}

static void rk4(const stage_model *m, double *x, double dt, double light, double force) {
    double k1[NX], k2[NX], k3[NX], k4[NX], y[NX];
    rhs(m, x, light, force, k1);
    for (int i = 0; i < NX; i++)
        y[i] = x[i] + 0.5 * dt * k1[i];
    rhs(m, y, light, force, k2);
    for (int i = 0; i < NX; i++)
        y[i] = x[i] + 0.5 * dt * k2[i];
    rhs(m, y, light, force, k3);
    for (int i = 0; i < NX; i++)
        y[i] = x[i] + dt * k3[i];
    rhs(m, y, light, force, k4);
    for (int i = 0; i < NX; i++)
        x[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
}

/* What is left of a quantity at the person's age when it loses `per_decade` of itself per decade
 * beyond 35 y (more below 35), floored at 10 %: the depth amplitude a_age and the homeostat's
 * asymptote. With the validated ranges (age >= 18, loss <= 0.2 per decade) it stays <= 1.34. */
static double age_factor(double per_decade, double age_years) {
    double a = 1.0 - per_decade * (age_years - 35.0) / 10.0;
    return a < 0.1 ? 0.1 : a;
}

/* The arousal rate (per hour) at the person's age. */
static double arousal_rate(const mg_sleep_stage_params *p) {
    double r = p->arousal_per_h + p->arousal_per_h_decade * (p->age_years - 35.0) / 10.0;
    return r < 0.0 ? 0.0 : r;
}

/* Stage of an instant (the module's scoring rule). */
static unsigned char classify(const mg_sleep_stage_params *p, const double *x, double depth) {
    if (x[X_LC] > p->wake_hz)
        return MG_STAGE_WAKE;
    if (x[X_R] > p->rem_hz)
        return MG_STAGE_REM;
    if (x[X_LC] > p->n1_lc_hz)
        return MG_STAGE_N1;
    if (depth > p->n3_swa)
        return MG_STAGE_N3;
    return MG_STAGE_N2;
}

mg_status mg_sleep_stages_run(mg_context *ctx, const mg_sleep_stage_params *p,
                              const mg_sleep_schedule *sched, size_t n_nights, mg_hypnogram *out) {
    memset(out, 0, sizeof *out);
    mg_status st = mg_sleep_stage_params_validate(ctx, p);
    if (st != MG_OK)
        return st;
    if (!sched)
        return mg_error_raise(ctx, MG_ERR_DATA, "sleep_stages: a schedule is required");
    if (!(isfinite(sched->bedtime_h) && sched->bedtime_h >= 0.0 && sched->bedtime_h < 24.0))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "schedule.bedtime_h must be a clock time in [0, 24) h, got %g",
                              sched->bedtime_h);
    if (!(isfinite(sched->time_in_bed_h) && sched->time_in_bed_h > 0.0 &&
          sched->time_in_bed_h < 24.0))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "schedule.time_in_bed_h must be in (0, 24) h, got %g",
                              sched->time_in_bed_h);
    double epochs_d = sched->time_in_bed_h * 120.0;
    if (fabs(epochs_d - floor(epochs_d + 0.5)) > 1e-6)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "schedule.time_in_bed_h must be a whole number of 30-s epochs, got "
                              "%g h",
                              sched->time_in_bed_h);
    if (n_nights < 1 || n_nights > 1000)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "sleep_stages: n_nights must be in [1, 1000], got %zu", n_nights);
    const double dt = p->dt_min;
    const long per_epoch = lround(0.5 / dt);
    const long per_day = 2880L * per_epoch;
    const size_t epn = (size_t)lround(epochs_d);
    const long tib_steps = (long)epn * per_epoch;
    /* The run starts at the first lights off (run time 0), from the ModelDB 244485 initial
     * state, which is the state at the start of the dark phase of its 10 h dark : 14 h light
     * protocol; night d starts at step d per_day. The clock time only fixes the epochs' labels. */
    const long off0 = 0;

    mg_hypnogram hy;
    memset(&hy, 0, sizeof hy);
    hy.n_nights = n_nights;
    hy.epochs_per_night = epn;
    hy.epoch_s = 30.0;
    size_t total = n_nights * epn;
    hy.stage = malloc(total);
    hy.swa = malloc(total * sizeof *hy.swa);
    hy.h = malloc(total * sizeof *hy.h);
    hy.circ_min_h = malloc(n_nights * sizeof *hy.circ_min_h);
    if (!hy.stage || !hy.swa || !hy.h || !hy.circ_min_h) {
        mg_hypnogram_free(&hy);
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory for a hypnogram of %zu epochs",
                              total);
    }

    stage_model m;
    m.p = p;
    double shift = p->mg_gain_per_mM * (p->mg_mM - p->mg_ref_mM);
    if (shift > p->mg_max_shift)
        shift = p->mg_max_shift;
    if (shift < -p->mg_max_shift)
        shift = -p->mg_max_shift;
    m.mg_shift = shift;
    m.h_max = p->h_max * age_factor(p->hmax_age_per_decade, p->age_years);
    double swa = p->mg_swa_gain_per_mM * (p->mg_mM - p->mg_ref_mM);
    if (swa > p->mg_swa_max)
        swa = p->mg_swa_max;
    if (swa < -p->mg_swa_max)
        swa = -p->mg_swa_max;
    const double a_age = age_factor(p->swa_age_per_decade, p->age_years) * (1.0 + swa);
    const double p_arousal = arousal_rate(p) * dt / 60.0; /* per step */

    /* Initial state: the ModelDB 244485 run script's initial conditions (awake). */
    double x[NX] = {5.71387902867966,  0.395493299109024, 0.0,
                    4.01351469432799,  214.116748078719,  0.00114912794709424,
                    -1.15530846944936, 0.604617443838918};
    const long first_rec = off0 + (long)p->warmup_days * per_day;
    /* dim evening light: the last evening_h hours before the next lights off (never inside the
     * sleep window) */
    long evening_from = per_day - lround(p->evening_h * 120.0) * per_epoch;
    if (evening_from < tib_steps)
        evening_from = tib_steps;
    const long n_steps = first_rec + (long)(n_nights - 1) * per_day + tib_steps;
    long cnt[5] = {0, 0, 0, 0, 0};
    double cmin = 0.0;
    long cmin_step = 0;
    double swa_sum = 0.0;
    for (long n = 0; n < n_steps; n++) {
        long ph = (n - off0) % per_day;
        if (ph < 0)
            ph += per_day;
        int in_bed = ph < tib_steps;
        if (in_bed && x[X_LC] <= p->wake_hz && p_arousal > 0.0 &&
            mg_rng_uniform(p->seed, STAGE_RNG_AROUSAL, 0, (uint64_t)n) <= p_arousal) {
            if (x[X_LC] < p->arousal_lc_hz)
                x[X_LC] = p->arousal_lc_hz;
            hy.n_arousals++;
        }
        /* Record the state over this step if it lies in a recorded night. */
        if (in_bed && n >= first_rec) {
            long night = (n - first_rec) / per_day;
            long k = ph / per_epoch; /* epoch within the night */
            double depth = a_age * x[X_H] * x[X_VLPO] / MAX_VLPO;
            size_t idx = (size_t)night * epn + (size_t)k;
            if (ph == 0 || x[X_C] < cmin) {
                cmin = x[X_C];
                cmin_step = ph;
            }
            if (ph == tib_steps - 1)
                hy.circ_min_h[night] = (cmin_step == 0 || cmin_step == tib_steps - 1)
                                           ? NAN
                                           : (double)cmin_step * dt / 60.0;
            if (ph % per_epoch == 0) {
                memset(cnt, 0, sizeof cnt);
                swa_sum = 0.0;
                hy.h[idx] = x[X_H];
            }
            cnt[classify(p, x, depth)]++;
            swa_sum += depth;
            if (ph % per_epoch == per_epoch - 1) {
                int best = 0;
                for (int s = 1; s < 5; s++)
                    if (cnt[s] > cnt[best])
                        best = s;
                hy.stage[idx] = (unsigned char)best;
                hy.swa[idx] = swa_sum / (double)per_epoch;
            }
        }
        double lux = in_bed ? 0.0 : (ph >= evening_from ? p->evening_lux : p->light_lux);
        rk4(&m, x, dt, lux, in_bed ? 0.0 : p->wake_effort);
        for (int i = 0; i < NX; i++)
            if (!isfinite(x[i])) {
                mg_hypnogram_free(&hy);
                return mg_error_raise(ctx, MG_ERR_INTERNAL,
                                      "sleep_stages: state %d not finite at t = %g min; reduce "
                                      "sleep_stages.dt_min",
                                      i, (double)n * dt);
            }
    }
    *out = hy;
    return MG_OK;
}
