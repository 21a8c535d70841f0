/* `mgsim validate`: the body and diet targets (absorption after Fine et al. 1991 and Sabatier
 * et al. 2003; whole-body kinetics: serum at the RDA, kidney, CSF, caffeine, mass balance;
 * the dietary reference intakes and the population intake sampler). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/validate_targets.h"
#include "mgsim/body.h"
#include "mgsim/diet.h"
#include "mgsim/kinetics.h"

/* ------------------------------------------------------------------ absorption */

static mg_status fine_low(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    (void)ctx;
    (void)c;
    mg_absorption_params p = mg_body_absorption_defaults();
    o->got = mg_body_fractional_absorption(&p, MG_BODY_FINE1991_MEAL_MEQ * MG_BODY_MG_PER_MEQ);
    return MG_OK;
}

static mg_status fine_high(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    (void)ctx;
    (void)c;
    mg_absorption_params p = mg_body_absorption_defaults();
    o->got =
        mg_body_fractional_absorption(&p, (MG_BODY_FINE1991_MEAL_MEQ + 80.0) * MG_BODY_MG_PER_MEQ);
    return MG_OK;
}

static mg_status sabatier(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    (void)ctx;
    (void)c;
    mg_absorption_params p = mg_body_absorption_defaults();
    o->got = mg_body_fractional_absorption(&p, 70.0);
    return MG_OK;
}

/* ------------------------------------------------------------------ kinetics */

static const double MEALS_H[3] = {8.0, 13.0, 19.0};

static mg_kin_event meal(double t_h, double dose_mg) {
    mg_kin_event e = {.t_h = t_h, .dose_mg = dose_mg, .form_factor = 1.0, .with_food = 1};
    return e;
}

/* The fed steady state of three equal meals a day of mg_per_day. */
static mg_status steady(mg_context *ctx, const mg_kin_params *p, double mg_per_day,
                        mg_kin_state *s) {
    mg_kin_event day[3];
    for (int i = 0; i < 3; i++)
        day[i] = meal(MEALS_H[i], mg_per_day / 3.0);
    return mg_kin_steady_state(ctx, p, day, 3, 0, MG_KIN_CVODE, s);
}

/* One day of three meals from the fed steady state, sampled every 15 min. */
static mg_status fed_day(mg_context *ctx, double mg_per_day, mg_kin_result *r) {
    mg_kin_params p = mg_kin_params_default(70.0);
    mg_kin_state s;
    mg_status st = steady(ctx, &p, mg_per_day, &s);
    if (st != MG_OK)
        return st;
    mg_kin_event ev[3];
    for (int i = 0; i < 3; i++)
        ev[i] = meal(MEALS_H[i], mg_per_day / 3.0);
    mg_kin_options o;
    memset(&o, 0, sizeof o);
    o.duration_h = 24.0;
    o.sample_h = 0.25;
    return mg_kin_run(ctx, &p, &s, ev, 3, NULL, 0, &o, r);
}

/* Daily mean serum at mg_per_day; the verdict also needs every 15-min sample in [lo, hi]. */
static mg_status serum_at(mg_context *ctx, vt_outcome *o, double mg_per_day) {
    mg_kin_result r;
    mg_status st = fed_day(ctx, mg_per_day, &r);
    if (st != MG_OK)
        return st;
    double mn = INFINITY, mx = -INFINITY;
    for (size_t k = 0; k < r.n_samples; k++) {
        mn = fmin(mn, r.samples[k].serum_total_mM);
        mx = fmax(mx, r.samples[k].serum_total_mM);
    }
    o->got = r.serum_total_mM;
    o->verdict = o->got >= o->lo && o->got <= o->hi && mn >= o->lo && mx <= o->hi;
    snprintf(o->got_text, sizeof o->got_text, "%.3f mM", o->got);
    snprintf(o->detail, sizeof o->detail, "15-min samples %.4f-%.4f mM", mn, mx);
    mg_kin_result_free(&r);
    return MG_OK;
}

static mg_status serum_women(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    (void)c;
    return serum_at(ctx, o, 320.0);
}

static mg_status serum_men(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    (void)c;
    return serum_at(ctx, o, 420.0);
}

/* Fractional excretion (which = 0) or urine mg/day (which = 1) at 300 and 350 mg/day: got is
 * the value at 300; both must lie in [lo, hi]. */
static mg_status renal_typical(mg_context *ctx, vt_outcome *o, int which) {
    double v[2];
    const double intake[2] = {300.0, 350.0};
    for (int i = 0; i < 2; i++) {
        mg_kin_result r;
        mg_status st = fed_day(ctx, intake[i], &r);
        if (st != MG_OK)
            return st;
        v[i] = which == 0 ? r.fractional_excretion : r.urine_mg_per_day;
        mg_kin_result_free(&r);
    }
    o->got = v[0];
    o->verdict = v[0] >= o->lo && v[0] <= o->hi && v[1] >= o->lo && v[1] <= o->hi;
    if (which == 0)
        snprintf(o->got_text, sizeof o->got_text, "%.2f / %.2f %%", 100.0 * v[0], 100.0 * v[1]);
    else
        snprintf(o->got_text, sizeof o->got_text, "%.1f / %.1f mg/day", v[0], v[1]);
    snprintf(o->detail, sizeof o->detail, "at 300 / 350 mg/day intake");
    return MG_OK;
}

static mg_status fe_typical(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    (void)c;
    return renal_typical(ctx, o, 0);
}

static mg_status urine_typical(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    (void)c;
    return renal_typical(ctx, o, 1);
}

static mg_status csf_ratio(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    (void)c;
    mg_kin_result r;
    mg_status st = fed_day(ctx, 320.0, &r);
    if (st != MG_OK)
        return st;
    o->got = r.csf_to_plasma;
    snprintf(o->detail, sizeof o->detail, "CSF %.4f mM, serum %.4f mM (daily means)", r.csf_mM,
             r.serum_total_mM);
    mg_kin_result_free(&r);
    return MG_OK;
}

/* Plasma clamped at 3x its fed steady-state value for 5.5 h: relative CSF rise. */
static mg_status oppelt(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    (void)c;
    mg_kin_params p = mg_kin_params_default(70.0);
    mg_kin_state s;
    mg_status st = steady(ctx, &p, 320.0, &s);
    if (st != MG_OK)
        return st;
    double vp = p.plasma_l_per_kg * 70.0, c0 = s.plasma_mg / (vp * MG_KIN_MG_PER_MMOL);
    mg_kin_options opt;
    memset(&opt, 0, sizeof opt);
    opt.duration_h = 5.5;
    opt.clamp_plasma_mM = 3.0 * c0;
    mg_kin_result r;
    if ((st = mg_kin_run(ctx, &p, &s, NULL, 0, NULL, 0, &opt, &r)) != MG_OK)
        return st;
    o->got = r.final.csf_mg / s.csf_mg - 1.0;
    snprintf(o->got_text, sizeof o->got_text, "%+.1f %%", 100.0 * o->got);
    mg_kin_result_free(&r);
    return MG_OK;
}

/* CSF exit half-life: plasma clamped at its fed steady-state level until CSF equilibrates
 * (24 h), CSF then raised by 50 %; the time for the excess to halve, from 1-min samples
 * (linear interpolation). */
static mg_status csf_half_life(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    (void)c;
    mg_kin_params p = mg_kin_params_default(70.0);
    mg_kin_state s0;
    mg_status st = steady(ctx, &p, 320.0, &s0);
    if (st != MG_OK)
        return st;
    mg_kin_options opt;
    memset(&opt, 0, sizeof opt);
    opt.duration_h = 24.0;
    opt.clamp_plasma_mM = s0.plasma_mg / (p.plasma_l_per_kg * 70.0 * MG_KIN_MG_PER_MMOL);
    mg_kin_result eq, r;
    if ((st = mg_kin_run(ctx, &p, &s0, NULL, 0, NULL, 0, &opt, &eq)) != MG_OK)
        return st;
    double c_inf = eq.final.csf_mg;
    mg_kin_state s = eq.final;
    mg_kin_result_free(&eq);
    s.csf_mg *= 1.5;
    opt.duration_h = 4.0;
    opt.sample_h = 1.0 / 60.0;
    if ((st = mg_kin_run(ctx, &p, &s, NULL, 0, NULL, 0, &opt, &r)) != MG_OK)
        return st;
    double x0 = s.csf_mg - c_inf, t_half = NAN;
    for (size_t k = 1; k < r.n_samples; k++) {
        double a = r.samples[k - 1].pools.csf_mg - c_inf, b = r.samples[k].pools.csf_mg - c_inf;
        if (a > x0 / 2 && b <= x0 / 2) {
            t_half = r.samples[k - 1].t_h + (a - x0 / 2) / (a - b) / 60.0;
            break;
        }
    }
    mg_kin_result_free(&r);
    o->got = 60.0 * t_half;
    snprintf(o->got_text, sizeof o->got_text, "%.1f min", o->got);
    return MG_OK;
}

/* Fractional reabsorption with 6 mg/kg caffeine at the serum level where it is 97.0 % without. */
static mg_status caffeine(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    (void)c;
    mg_kin_params p = mg_kin_params_default(70.0);
    double lo = 0.1, hi = 2.0;
    mg_kin_renal_out k0, k1;
    mg_status st;
    for (int i = 0; i < 100; i++) {
        double x = 0.5 * (lo + hi);
        if ((st = mg_kin_renal(ctx, &p, x, NULL, &k0)) != MG_OK)
            return st;
        if (k0.fractional_reabsorption > 0.970)
            lo = x;
        else
            hi = x;
    }
    double x = 0.5 * (lo + hi);
    mg_kin_modifier caf = {.t_h = 0.0, .caffeine_mg_per_kg = 6.0, .stress_factor = 1.0};
    if ((st = mg_kin_renal(ctx, &p, x, NULL, &k0)) != MG_OK ||
        (st = mg_kin_renal(ctx, &p, x, &caf, &k1)) != MG_OK)
        return st;
    o->got = k1.fractional_reabsorption;
    snprintf(o->got_text, sizeof o->got_text, "%.1f -> %.2f %%", 100.0 * k0.fractional_reabsorption,
             100.0 * o->got);
    snprintf(o->detail, sizeof o->detail, "at serum %.3f mM", x);
    return MG_OK;
}

/* 90 days of meals, a nightly supplement (threonate on odd days) and caffeine, alcohol and
 * stress modifiers, with CVODE and with FAST: the larger |balance error| / intake. */
static mg_status mass_balance(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    vt_progress(c, "body: 90-day mass balance, CVODE and FAST");
    enum { DAYS = 90 };
    mg_kin_params p = mg_kin_params_default(70.0);
    mg_kin_event *ev = malloc(4 * DAYS * sizeof *ev);
    mg_kin_modifier *mods = malloc(3 * DAYS * sizeof *mods);
    if (!ev || !mods) {
        free(ev);
        free(mods);
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    }
    size_t n = 0, m = 0;
    for (int k = 0; k < DAYS; k++) {
        for (int i = 0; i < 3; i++)
            ev[n++] = meal(24.0 * k + MEALS_H[i], 110.0);
        mg_kin_event s = {.t_h = 24.0 * k + 22.0,
                          .dose_mg = 200.0,
                          .form_factor = 0.4 + 0.6 * (k % 2),
                          .with_food = 0,
                          .threonate = k % 2};
        ev[n++] = s;
        mg_kin_modifier a = {
            .t_h = 24.0 * k + 7.0, .caffeine_mg_per_kg = 3.0, .stress_factor = 1.0};
        mg_kin_modifier b = {.t_h = 24.0 * k + 12.0, .alcohol_g_per_kg = 0.5, .stress_factor = 1.5};
        mg_kin_modifier d = {.t_h = 24.0 * k + 16.0, .stress_factor = 1.0};
        mods[m++] = a;
        mods[m++] = b;
        mods[m++] = d;
    }
    mg_kin_state s0;
    mg_status st = steady(ctx, &p, 330.0, &s0);
    double worst = 0.0, rel[2] = {NAN, NAN};
    for (int solver = 0; solver < 2 && st == MG_OK; solver++) {
        mg_kin_options opt;
        memset(&opt, 0, sizeof opt);
        opt.duration_h = 24.0 * DAYS;
        opt.solver = (mg_kin_solver)solver;
        mg_kin_result r;
        if ((st = mg_kin_run(ctx, &p, &s0, ev, n, mods, m, &opt, &r)) != MG_OK)
            break;
        rel[solver] = fabs(r.balance_error_mg) / r.intake_mg;
        worst = fmax(worst, rel[solver]);
        mg_kin_result_free(&r);
    }
    free(ev);
    free(mods);
    o->got = worst;
    snprintf(o->got_text, sizeof o->got_text, "%.1e", worst);
    snprintf(o->detail, sizeof o->detail, "CVODE %.2e, FAST %.2e of intake", rel[0], rel[1]);
    return st;
}

/* ------------------------------------------------------------------ diet */

static mg_status load_dris(mg_context *ctx, const vt_cache *c, mg_diet_dris **d) {
    char path[1200];
    snprintf(path, sizeof path, "%s/dri.csv", c->data_dir);
    return mg_diet_dris_load(ctx, path, d);
}

/* The adult values of data/dri.csv against the NIH ODS table, and assess() at them: got = the
 * number of mismatches. */
static mg_status dri_roundtrip(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    mg_diet_dris *d = NULL;
    mg_status st = load_dris(ctx, c, &d);
    if (st != MG_OK)
        return st;
    struct {
        double age;
        mg_diet_sex sex;
        mg_diet_dri_kind kind;
        double want;
    } rows[] = {{45, MG_DIET_FEMALE, MG_DIET_RDA, 320}, {45, MG_DIET_MALE, MG_DIET_RDA, 420},
                {45, MG_DIET_FEMALE, MG_DIET_EAR, 265}, {45, MG_DIET_MALE, MG_DIET_EAR, 350},
                {25, MG_DIET_FEMALE, MG_DIET_RDA, 310}, {25, MG_DIET_MALE, MG_DIET_RDA, 400},
                {45, MG_DIET_FEMALE, MG_DIET_UL, 350},  {45, MG_DIET_MALE, MG_DIET_UL, 350}};
    int bad = 0;
    const size_t nrows = sizeof rows / sizeof rows[0];
    for (size_t i = 0; i < nrows; i++) {
        const mg_diet_dri *r = mg_diet_dris_lookup(d, rows[i].age, rows[i].sex, rows[i].kind);
        bad += !r || r->mg_per_day != rows[i].want;
    }
    /* intake at the RDA is "at or above the RDA", one mg below the EAR is "below the EAR" */
    mg_diet_assessment a;
    if ((st = mg_diet_assess(ctx, d, 45, MG_DIET_FEMALE, 320, &a)) == MG_OK)
        bad += a.verdict != MG_DIET_AT_OR_ABOVE_RDA;
    if (st == MG_OK && (st = mg_diet_assess(ctx, d, 45, MG_DIET_MALE, 349, &a)) == MG_OK)
        bad += a.verdict != MG_DIET_BELOW_EAR;
    mg_diet_dris_destroy(&d);
    o->got = bad;
    snprintf(o->got_text, sizeof o->got_text, "%d of %zu differ", bad, nrows + 2);
    return st;
}

/* Share of 10^5 virtual people (ages 1-85, both sexes) whose sampled usual intake is below
 * their EAR. */
static mg_status below_ear(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    mg_diet_dris *d = NULL;
    mg_status st = load_dris(ctx, c, &d);
    if (st != MG_OK)
        return st;
    mg_diet_intake_params prm = mg_diet_intake_defaults();
    const size_t n = 100000;
    size_t below = 0;
    for (size_t i = 0; i < n && st == MG_OK; i++) {
        double age = 1.0 + (double)(i % 85);
        mg_diet_sex sex = (i / 85) % 2 ? MG_DIET_MALE : MG_DIET_FEMALE;
        double x;
        st = mg_diet_intake_sample(ctx, d, 20260101u, i, age, sex, &prm, &x);
        const mg_diet_dri *ear = mg_diet_dris_lookup(d, age, sex, MG_DIET_EAR);
        if (st == MG_OK && !ear)
            st = mg_error_raise(ctx, MG_ERR_DATA, "dri.csv has no EAR for age %g", age);
        if (st == MG_OK)
            below += x < ear->mg_per_day;
    }
    mg_diet_dris_destroy(&d);
    o->got = (double)below / (double)n;
    return st;
}

static const vt_target TARGETS[] = {
    {"body.fine1991_meal_only", "fraction absorbed from the standard meal alone (2.2 mEq)",
     "Fine et al. 1991, J Clin Invest 88:396 (abstract)", "0.65", "+-0.005",
     "the paper gives whole percent", 0, 0.645, 0.655, fine_low},
    {"body.fine1991_meal_80meq", "fraction absorbed from the meal + 80 mEq Mg acetate",
     "Fine et al. 1991, J Clin Invest 88:396 (abstract)", "0.11", "+-0.005",
     "the paper gives whole percent", 0, 0.105, 0.115, fine_high},
    {"body.sabatier2003_70mg", "fraction absorbed from 70 mg (26Mg, faecal monitoring)",
     "Sabatier et al. 2003, Am J Clin Nutr 77:1206", "0.48", "+-0.05",
     "the published SD; I0 calibrated into it (docs/models/absorption.md)", 0, 0.43, 0.53,
     sabatier},
    {"body.serum_at_rda_women",
     "serum total Mg at 320 mg/day (3 meals), fed steady state: daily mean and every 15 min",
     "IOM 1997 reference range; NIH ODS RDA (women 31+)", "0.75-0.95 mM", "the range",
     "a population reference range: the model must stay inside it all day", 0, 0.75, 0.95,
     serum_women},
    {"body.serum_at_rda_men",
     "serum total Mg at 420 mg/day (3 meals), fed steady state: daily mean and every 15 min",
     "IOM 1997 reference range; NIH ODS RDA (men 31+)", "0.75-0.95 mM", "the range",
     "a population reference range: the model must stay inside it all day", 0, 0.75, 0.95,
     serum_men},
    {"body.fe_typical", "renal fractional excretion of Mg at 300 and 350 mg/day",
     "Boron & Boulpaep (renal Mg); Schuchardt & Hahn 2017", "3-5 %", "the range (both intakes)",
     "the published range for a normal intake", 0, 0.03, 0.05, fe_typical},
    {"body.urine_typical", "urinary Mg at 300 and 350 mg/day",
     "Boron & Boulpaep; Schuchardt & Hahn 2017 (refs sec. 2.2)", "100-120 mg/day",
     "the range (both intakes)", "the published range for a normal intake", 0, 100.0, 120.0,
     urine_typical},
    {"body.csf_plasma_ratio", "CSF / plasma total Mg, daily means at 320 mg/day",
     "Oppelt et al. 1963 (1.34, dogs); McKee et al. 2005 (1.36, humans)", "1.30", "+-0.05",
     "spans both published ratios", 0, 1.25, 1.35, csf_ratio},
    {"body.oppelt_csf_rise", "CSF Mg rise after plasma Mg is held at 3x for 5.5 h",
     "Oppelt et al. 1963 (at most +21 % at plasma 300-400 %)", "+20 %", "+-5 points",
     "one published animal series", 0, 0.15, 0.25, oppelt},
    {"body.csf_exit_half_life",
     "half-life of a 50 % excess of CSF Mg over its level, plasma held at its normal level",
     "Oppelt et al. 1963 (about 70 min, independent of plasma Mg)", "70 min", "+-10 % (63-77)",
     "one animal series, read from its figure", 0, 63.0, 77.0, csf_half_life},
    {"body.caffeine_reabsorption",
     "renal fractional Mg reabsorption with 6 mg/kg caffeine, from 97.0 % without",
     "Bergman, Massey et al. 1990", "94.2 %", "+-0.3 points", "the paper gives one decimal", 0,
     0.939, 0.945, caffeine},
    {"body.mass_balance_90d",
     "90 days of meals, supplements and modifiers, CVODE and FAST: |balance error| / intake",
     "conservation of mass (intake = faeces + urine + sweat + change in stores)", "0",
     "<= 1e-9 relative",
     "every BDF and Runge-Kutta step preserves linear invariants: rounding only", 0, 0.0, 1e-9,
     mass_balance},
    {"body.dri_roundtrip",
     "data/dri.csv adult RDA, EAR, UL vs the NIH table, and the verdicts at the RDA and EAR",
     "NIH ODS Magnesium fact sheet (IOM/FNB 1997)", "0 differ", "exact",
     "table values are copied, not computed", 0, 0.0, 0.0, dri_roundtrip},
    {"body.population_below_ear",
     "share of 1e5 sampled usual intakes (ages 1-85, both sexes) below their EAR",
     "NHANES 2013-2016 via NIH ODS (48 % below the EAR from food)", "0.48", "+-0.02",
     "12 binomial SD (0.0016): a failure is a calibration error, not chance", 0, 0.46, 0.50,
     below_ear},
};

const vt_target *vt_body_targets(size_t *n) {
    *n = sizeof TARGETS / sizeof TARGETS[0];
    return TARGETS;
}
