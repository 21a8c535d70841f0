/* mgsim-test: unit */
/* Whole-body Mg kinetics (src/body/kinetics.c) against the refs sheet
 * (shared/refs/magnesium-physiology.md, "refs §n"): serum at the RDA, renal excretion,
 * CSF buffering and exit half-life (Oppelt et al. 1963), caffeine (Bergman et al. 1990), time
 * to peak after a dose, the L-threonate calibration (Slutsky et al. 2010), mass balance of both
 * integrators over 90 days, FAST vs CVODE, the fed steady state and bad input. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgsim/kinetics.h"

static const double MEALS_H[3] = {8, 13, 19};

/* three equal meals a day for `days` days, plus an optional supplement at each meal */
static size_t meals(mg_kin_event *ev, double mg_per_day, int days, double supp_per_day,
                    int threonate) {
    size_t n = 0;
    for (int k = 0; k < days; k++)
        for (int i = 0; i < 3; i++) {
            mg_kin_event e = {24.0 * k + MEALS_H[i], mg_per_day / 3, 1.0, 1, 0};
            ev[n++] = e;
            if (supp_per_day > 0) {
                mg_kin_event s = {24.0 * k + MEALS_H[i], supp_per_day / 3, 1.0, 1, threonate};
                ev[n++] = s;
            }
        }
    return n;
}

static mg_kin_state steady(mg_context *ctx, const mg_kin_params *p, double mg_per_day) {
    mg_kin_event day[3];
    meals(day, mg_per_day, 1, 0, 0);
    mg_kin_state s;
    mg_status st = mg_kin_steady_state(ctx, p, day, 3, 0, MG_KIN_CVODE, &s);
    ck_assert_msg(st == MG_OK, "%s", mg_error_message(ctx));
    return s;
}

/* one day of meals from the fed steady state; the summary is over that day */
static void fed_day(mg_context *ctx, const mg_kin_params *p, double mg_per_day, mg_kin_result *r) {
    mg_kin_state s = steady(ctx, p, mg_per_day);
    mg_kin_event ev[3];
    meals(ev, mg_per_day, 1, 0, 0);
    mg_kin_options o;
    memset(&o, 0, sizeof o);
    o.duration_h = 24;
    o.sample_h = 0.25;
    mg_status st = mg_kin_run(ctx, p, &s, ev, 3, NULL, 0, &o, r);
    ck_assert_msg(st == MG_OK, "%s", mg_error_message(ctx));
}

/* Reference pools (refs §2.1-2.2): ~24 g in a 70-kg adult (Elin 1987), bone 55 % (IOM
 * 50-60 %), extracellular ~1 % (IOM 1997), serum ~0.3 % (Elin 1987), rapidly exchangeable
 * ~15 % (Avioli & Berman 1966; 12.5 % by the refs' derivation). The pools are built from
 * these shares, so total and bone are exact (1e-9 relative); extracellular and serum come
 * out of the volumes and concentrations and are checked against the rounded published
 * shares to the precision the refs give them (±0.3 and ±0.1 points); exchangeable within
 * the refs' own spread (12.5-15 %, ±2.5 points). */
START_TEST(test_pools) {
    mg_context *ctx = mg_context_create();
    mg_kin_params p = mg_kin_params_default(70);
    mg_kin_state s;
    ck_assert_int_eq(mg_kin_state_reference(ctx, &p, &s), MG_OK);
    double tot = mg_kin_state_total_mg(&s);
    ck_assert_msg(fabs(tot - 24000) < 24000 * 1e-9, "total %g", tot);
    ck_assert(fabs((s.bone_exch_mg + s.bone_slow_mg) / tot - 0.55) < 1e-9);
    double ecf = (s.plasma_mg + s.isf_mg) / tot;
    ck_assert_msg(fabs(ecf - 0.01) <= 0.003, "extracellular share %g", ecf);
    ck_assert_msg(fabs(s.plasma_mg / tot - 0.003) <= 0.001, "serum share %g", s.plasma_mg / tot);
    double exch = (s.plasma_mg + s.isf_mg + s.tissue_fast_mg + s.csf_mg) / tot;
    ck_assert_msg(exch >= 0.10 && exch <= 0.175, "exchangeable share %g", exch);
    /* pools scale with weight */
    mg_kin_params p2 = mg_kin_params_default(140);
    mg_kin_state s2;
    ck_assert_int_eq(mg_kin_state_reference(ctx, &p2, &s2), MG_OK);
    ck_assert(fabs(s2.tissue_mg / s.tissue_mg - 2.0) < 0.01);
    mg_context_destroy(&ctx);
}
END_TEST

/* Serum total Mg at the adult RDA (refs §11.1: women 31+ 320, men 31+ 420 mg/day), as three
 * meals, from the fed steady state: the daily mean and every 15-min sample must lie in the
 * IOM 1997 reference range 0.75-0.95 mmol/L (refs §2.1). The range is the tolerance. */
START_TEST(test_rda_serum) {
    mg_context *ctx = mg_context_create();
    mg_kin_params p = mg_kin_params_default(70);
    double rda[2] = {320, 420};
    for (int i = 0; i < 2; i++) {
        mg_kin_result r;
        fed_day(ctx, &p, rda[i], &r);
        ck_assert_msg(r.serum_total_mM >= 0.75 && r.serum_total_mM <= 0.95, "%g mg/day: %g mM",
                      rda[i], r.serum_total_mM);
        for (size_t k = 0; k < r.n_samples; k++)
            ck_assert_msg(
                r.samples[k].serum_total_mM >= 0.75 && r.samples[k].serum_total_mM <= 0.95,
                "%g mg/day, t %g h: %g mM", rda[i], r.samples[k].t_h, r.samples[k].serum_total_mM);
        /* ionised share fixed (Boron Table 36-8: 62 %) */
        ck_assert(fabs(r.serum_ionized_mM / r.serum_total_mM - 0.62) < 1e-12);
        printf("kinetics: RDA %g mg/day: serum %.4f mM (ionised %.4f), FE %.4f, urine %.1f "
               "mg/day, absorbed %.3f\n",
               rda[i], r.serum_total_mM, r.serum_ionized_mM, r.fractional_excretion,
               r.urine_mg_per_day, r.fractional_absorption);
        mg_kin_result_free(&r);
    }
    mg_context_destroy(&ctx);
}
END_TEST

/* Kidney at typical intake (300-350 mg/day; US adult means 256-338 mg/day, refs §2.3):
 * fractional excretion 3-5 % and urine ~100-120 mg/day (Boron; Schuchardt & Hahn 2017;
 * refs §2.2). The published ranges are the tolerance. */
START_TEST(test_renal_typical) {
    mg_context *ctx = mg_context_create();
    mg_kin_params p = mg_kin_params_default(70);
    double intake[2] = {300, 350};
    for (int i = 0; i < 2; i++) {
        mg_kin_result r;
        fed_day(ctx, &p, intake[i], &r);
        ck_assert_msg(r.fractional_excretion >= 0.03 && r.fractional_excretion <= 0.05,
                      "%g mg/day: FE %g", intake[i], r.fractional_excretion);
        ck_assert_msg(r.urine_mg_per_day >= 100 && r.urine_mg_per_day <= 120,
                      "%g mg/day: urine %g mg/day", intake[i], r.urine_mg_per_day);
        printf("kinetics: intake %g mg/day: FE %.4f, urine %.1f mg/day, serum %.4f\n", intake[i],
               r.fractional_excretion, r.urine_mg_per_day, r.serum_total_mM);
        mg_kin_result_free(&r);
    }
    /* filtered load (refs §2.2, derived: 180 L/day x 0.6-0.7 mM = 2.6-3.1 g/day) */
    mg_kin_renal_out k;
    ck_assert_int_eq(mg_kin_renal(ctx, &p, 0.85, NULL, &k), MG_OK);
    double fl = k.filtered_mmol_h * 24 * MG_KIN_MG_PER_MMOL;
    ck_assert_msg(fl >= 2400 && fl <= 3100, "filtered load %g mg/day", fl);
    /* tubular maximum: reabsorption saturates at Tm x GFR (Rude ~1980, 1.4 mg/dL) */
    ck_assert_int_eq(mg_kin_renal(ctx, &p, 5.0, NULL, &k), MG_OK);
    double tm = 1.4 * 10 / MG_KIN_MG_PER_MMOL * 125 * 60 / 1000.0;
    ck_assert_msg(k.reabsorbed_mmol_h <= tm && k.reabsorbed_mmol_h > 0.99 * tm, "%g vs Tm %g",
                  k.reabsorbed_mmol_h, tm);
    mg_context_destroy(&ctx);
}
END_TEST

/* CSF/plasma total Mg: 1.34 in dogs (Oppelt et al. 1963), 1.25/0.92 = 1.36 in humans
 * (McKee et al. 2005), refs §5. The daily mean at 320 mg/day must be 1.30 ± 0.05 (the brief's
 * target; the tolerance spans both published ratios). */
START_TEST(test_csf_ratio) {
    mg_context *ctx = mg_context_create();
    mg_kin_params p = mg_kin_params_default(70);
    mg_kin_result r;
    fed_day(ctx, &p, 320, &r);
    ck_assert_msg(fabs(r.csf_to_plasma - 1.30) <= 0.05, "CSF/plasma %g", r.csf_to_plasma);
    printf("kinetics: CSF %.4f mM, CSF/plasma %.4f\n", r.csf_mM, r.csf_to_plasma);
    mg_kin_result_free(&r);
    mg_context_destroy(&ctx);
}
END_TEST

/* Oppelt et al. 1963 (refs §5): plasma Mg held at 300-400 % of normal raised CSF Mg at most
 * +21 % after 5.5 h. From the fed steady state, plasma is clamped at 3x its value for 5.5 h;
 * expected +20 % ± 5 points (the brief's tolerance: one published animal series). The mass
 * balance including the clamp's infusion must still close (1e-9 relative). */
START_TEST(test_oppelt_buffering) {
    mg_context *ctx = mg_context_create();
    mg_kin_params p = mg_kin_params_default(70);
    mg_kin_state s = steady(ctx, &p, 320);
    double vp = p.plasma_l_per_kg * 70, c0 = s.plasma_mg / (vp * MG_KIN_MG_PER_MMOL);
    double csf0 = s.csf_mg / (p.csf_l * MG_KIN_MG_PER_MMOL);
    mg_kin_options o;
    memset(&o, 0, sizeof o);
    o.duration_h = 5.5;
    o.clamp_plasma_mM = 3 * c0;
    mg_kin_result r;
    ck_assert_int_eq(mg_kin_run(ctx, &p, &s, NULL, 0, NULL, 0, &o, &r), MG_OK);
    double rise = r.final.csf_mg / s.csf_mg - 1;
    ck_assert_msg(fabs(rise - 0.20) <= 0.05, "CSF rise %g", rise);
    ck_assert(fabs(r.final.plasma_mg / s.plasma_mg - 3) < 1e-12);
    ck_assert(r.infused_mg > 0);
    ck_assert_msg(fabs(r.balance_error_mg) <= 1e-9 * r.infused_mg, "balance %g mg",
                  r.balance_error_mg);
    printf("kinetics: Oppelt plasma x3 (%.3f mM) for 5.5 h: CSF %.4f -> %.4f mM (+%.1f %%)\n",
           3 * c0, csf0, r.final.csf_mg / (p.csf_l * MG_KIN_MG_PER_MMOL), 100 * rise);
    mg_kin_result_free(&r);
    mg_context_destroy(&ctx);
}
END_TEST

/* CSF exit half-life ≈ 70 min, independent of plasma Mg (Oppelt et al. 1963, refs §5).
 * With plasma clamped (influx constant), CSF Mg is raised by 50 % and the time for the excess
 * over the final level to halve is read from 1-min samples (linear interpolation); expected
 * 70 min ± 10 % (the brief's tolerance). Repeated at twice the plasma level. */
START_TEST(test_csf_half_life) {
    mg_context *ctx = mg_context_create();
    mg_kin_params p = mg_kin_params_default(70);
    mg_kin_state s0 = steady(ctx, &p, 320);
    for (int rep = 1; rep <= 2; rep++) {
        double vp = p.plasma_l_per_kg * 70;
        double cp = rep * s0.plasma_mg / (vp * MG_KIN_MG_PER_MMOL);
        mg_kin_options o;
        memset(&o, 0, sizeof o);
        o.duration_h = 24;
        o.clamp_plasma_mM = cp;
        mg_kin_result eq;
        ck_assert_int_eq(mg_kin_run(ctx, &p, &s0, NULL, 0, NULL, 0, &o, &eq), MG_OK);
        double c_inf = eq.final.csf_mg; /* equilibrium under the clamp (24 h = 20 t1/2) */
        mg_kin_state s = eq.final;
        s.csf_mg *= 1.5;
        o.duration_h = 4;
        o.sample_h = 1.0 / 60;
        mg_kin_result r;
        ck_assert_int_eq(mg_kin_run(ctx, &p, &s, NULL, 0, NULL, 0, &o, &r), MG_OK);
        double x0 = s.csf_mg - c_inf, t_half = NAN;
        for (size_t k = 1; k < r.n_samples; k++) {
            double a = r.samples[k - 1].pools.csf_mg - c_inf, b = r.samples[k].pools.csf_mg - c_inf;
            if (a > x0 / 2 && b <= x0 / 2) {
                t_half = r.samples[k - 1].t_h + (a - x0 / 2) / (a - b) / 60;
                break;
            }
        }
        ck_assert_msg(fabs(t_half * 60 - 70) <= 7, "half-life %g min", t_half * 60);
        printf("kinetics: CSF exit half-life at plasma %.2f mM: %.1f min\n", cp, t_half * 60);
        mg_kin_result_free(&r);
        mg_kin_result_free(&eq);
    }
    mg_context_destroy(&ctx);
}
END_TEST

/* Caffeine (Bergman, Massey et al. 1990, refs §10.2): 6 mg/kg lean body mass lowered
 * fractional Mg reabsorption from 97.0 % to 94.2 % with the filtered load unchanged. The
 * serum level giving 97.0 % is found by bisection; with caffeine the model must give
 * 94.2 % ± 0.3 points (the brief's tolerance; the paper gives one decimal). */
START_TEST(test_caffeine) {
    mg_context *ctx = mg_context_create();
    mg_kin_params p = mg_kin_params_default(70);
    double lo = 0.1, hi = 2.0;
    mg_kin_renal_out k;
    for (int i = 0; i < 100; i++) {
        double c = 0.5 * (lo + hi);
        ck_assert_int_eq(mg_kin_renal(ctx, &p, c, NULL, &k), MG_OK);
        if (k.fractional_reabsorption > 0.970)
            lo = c;
        else
            hi = c;
    }
    double c = 0.5 * (lo + hi);
    mg_kin_renal_out k0, k1;
    mg_kin_modifier caf = {0, 6.0, 0, 1, 1};
    ck_assert_int_eq(mg_kin_renal(ctx, &p, c, NULL, &k0), MG_OK);
    ck_assert_int_eq(mg_kin_renal(ctx, &p, c, &caf, &k1), MG_OK);
    ck_assert(fabs(k0.fractional_reabsorption - 0.970) < 1e-9);
    ck_assert_double_eq(k0.filtered_mmol_h, k1.filtered_mmol_h);
    ck_assert_msg(fabs(k1.fractional_reabsorption - 0.942) <= 0.003, "%g",
                  k1.fractional_reabsorption);
    printf("kinetics: caffeine 6 mg/kg at serum %.3f mM: reabsorption %.4f -> %.4f\n", c,
           k0.fractional_reabsorption, k1.fractional_reabsorption);
    /* the excretion factor multiplies filtered - reabsorbed exactly (the cortisol coupling) */
    mg_kin_modifier ex = {0, 0, 0, 1, 1.5};
    ck_assert_int_eq(mg_kin_renal(ctx, &p, c, &ex, &k1), MG_OK);
    ck_assert(fabs(k1.excreted_mmol_h - 1.5 * k0.excreted_mmol_h) < 1e-12 * k0.filtered_mmol_h);
    /* alcohol and stress lower reabsorption too; nothing raises it */
    mg_kin_modifier alc = {0, 0, 1.0, 1, 1}, str = {0, 0, 0, 2.0, 1};
    ck_assert_int_eq(mg_kin_renal(ctx, &p, c, &alc, &k1), MG_OK);
    ck_assert(k1.fractional_reabsorption < k0.fractional_reabsorption);
    ck_assert_int_eq(mg_kin_renal(ctx, &p, c, &str, &k1), MG_OK);
    ck_assert(k1.fractional_reabsorption < k0.fractional_reabsorption);
    /* a lower eGFR filters proportionally less */
    mg_kin_params q = p;
    q.gfr_ml_min = 62.5;
    ck_assert_int_eq(mg_kin_renal(ctx, &q, c, NULL, &k1), MG_OK);
    ck_assert(fabs(k1.filtered_mmol_h / k0.filtered_mmol_h - 0.5) < 1e-12);
    mg_context_destroy(&ctx);
}
END_TEST

/* Time to peak after an oral dose (refs §8.2, derived prior: 1-4 h for a soluble salt, serum
 * increment ~+5 %: NOW Foods 400 mg citrate +5 % at 1 h; Blancquaert 2019 peaks +4.6 to
 * +6.2 %). 400 mg without food on top of the fed steady state (from 02:00, after the last
 * meal has been absorbed), against the same night without it. Tolerances: t_max inside the
 * prior's 1-4 h; peak +5 % ± 1.5 points (spans Blancquaert's two products). */
START_TEST(test_time_to_peak) {
    mg_context *ctx = mg_context_create();
    mg_kin_params p = mg_kin_params_default(70);
    mg_kin_state s = steady(ctx, &p, 320);
    mg_kin_options o;
    memset(&o, 0, sizeof o);
    o.duration_h = 26;
    mg_kin_event ev[3];
    meals(ev, 320, 1, 0, 0);
    mg_kin_result pre;
    ck_assert_int_eq(mg_kin_run(ctx, &p, &s, ev, 3, NULL, 0, &o, &pre), MG_OK);
    o.duration_h = 12;
    o.sample_h = 0.05;
    mg_kin_event dose = {0, 400, 1.0, 0, 0};
    mg_kin_result r0, r1;
    ck_assert_int_eq(mg_kin_run(ctx, &p, &pre.final, NULL, 0, NULL, 0, &o, &r0), MG_OK);
    ck_assert_int_eq(mg_kin_run(ctx, &p, &pre.final, &dose, 1, NULL, 0, &o, &r1), MG_OK);
    double best = 0, tmax = 0;
    for (size_t k = 0; k < r1.n_samples; k++) {
        double inc = r1.samples[k].serum_total_mM / r0.samples[k].serum_total_mM - 1;
        if (inc > best) {
            best = inc;
            tmax = r1.samples[k].t_h;
        }
    }
    ck_assert_msg(tmax >= 1 && tmax <= 4, "t_max %g h", tmax);
    ck_assert_msg(fabs(best - 0.05) <= 0.015, "peak increment %g", best);
    printf("kinetics: 400 mg fasting: t_max %.2f h, peak +%.2f %%, +%.2f %% at 4 h\n", tmax,
           100 * best, 100 * (r1.samples[80].serum_total_mM / r0.samples[80].serum_total_mM - 1));
    mg_kin_result_free(&pre);
    mg_kin_result_free(&r0);
    mg_kin_result_free(&r1);
    mg_context_destroy(&ctx);
}
END_TEST

/* L-threonate (Slutsky et al. 2010 via Examine.com, refs §2.4, secondary): rat CSF Mg +7 %
 * at days 12 and 24 of MgT. Human-equivalent dose 570 mg/day elemental Mg (refs §2.4,
 * derived), given as MgT with the three meals of a 320 mg/day diet, 12 days, vs the diet
 * alone. threonate_gain_per_mg_h was calibrated to this (an assumption for humans), so the
 * test guards the calibration: +7 % ± 1 point. The same Mg in a non-threonate form must
 * raise CSF by under 2 % (the CSF buffering of Oppelt et al. 1963). */
START_TEST(test_threonate) {
    mg_context *ctx = mg_context_create();
    mg_kin_params p = mg_kin_params_default(70);
    mg_kin_state s = steady(ctx, &p, 320);
    mg_kin_event ctl[36], thr[72];
    size_t nc = meals(ctl, 320, 12, 0, 0), nt = meals(thr, 320, 12, 570, 1);
    mg_kin_options o;
    memset(&o, 0, sizeof o);
    o.duration_h = 24 * 12;
    mg_kin_result rc, rt, rx;
    ck_assert_int_eq(mg_kin_run(ctx, &p, &s, ctl, nc, NULL, 0, &o, &rc), MG_OK);
    ck_assert_int_eq(mg_kin_run(ctx, &p, &s, thr, nt, NULL, 0, &o, &rt), MG_OK);
    for (size_t i = 0; i < nt; i++)
        thr[i].threonate = 0;
    ck_assert_int_eq(mg_kin_run(ctx, &p, &s, thr, nt, NULL, 0, &o, &rx), MG_OK);
    double rise_t = rt.csf_mM / rc.csf_mM - 1, rise_x = rx.csf_mM / rc.csf_mM - 1;
    ck_assert_msg(fabs(rise_t - 0.07) <= 0.01, "MgT CSF rise %g", rise_t);
    ck_assert_msg(rise_x >= 0 && rise_x < 0.02, "non-threonate CSF rise %g", rise_x);
    printf("kinetics: MgT 570 mg/day, day 12: CSF +%.2f %% (same Mg, other form: +%.2f %%); "
           "serum %.4f vs %.4f mM\n",
           100 * rise_t, 100 * rise_x, rt.serum_total_mM, rc.serum_total_mM);
    mg_kin_result_free(&rc);
    mg_kin_result_free(&rt);
    mg_kin_result_free(&rx);
    mg_context_destroy(&ctx);
}
END_TEST

/* 90 days of meals, a daily supplement (threonate on odd days), and caffeine, alcohol and
 * stress modifiers, both integrators: intake = faecal + urinary + sweat + change in body
 * stores to 1e-9 relative to intake (the brief's requirement). Every BDF and Runge-Kutta
 * step preserves linear invariants, so the error is rounding only. */
static size_t regimen(mg_kin_event *ev, mg_kin_modifier *mods, size_t *n_mods, int days) {
    size_t n = 0, m = 0;
    for (int k = 0; k < days; k++) {
        for (int i = 0; i < 3; i++) {
            mg_kin_event e = {24.0 * k + MEALS_H[i], 110, 1.0, 1, 0};
            ev[n++] = e;
        }
        mg_kin_event s = {24.0 * k + 22, 200, 0.4 + 0.6 * (k % 2), 0, k % 2};
        ev[n++] = s;
        mg_kin_modifier a = {24.0 * k + 7, 3.0, 0, 1.0, 1}, b = {24.0 * k + 12, 0, 0.5, 1.5, 1},
                        c = {24.0 * k + 16, 0, 0, 1.0, 1};
        mods[m++] = a;
        mods[m++] = b;
        mods[m++] = c;
    }
    *n_mods = m;
    return n;
}

START_TEST(test_mass_balance) {
    mg_context *ctx = mg_context_create();
    mg_kin_params p = mg_kin_params_default(70);
    enum { DAYS = 90 };
    mg_kin_event *ev = malloc(4 * DAYS * sizeof *ev);
    mg_kin_modifier *mods = malloc(3 * DAYS * sizeof *mods);
    size_t nm, n = regimen(ev, mods, &nm, DAYS);
    mg_kin_state s = steady(ctx, &p, 330);
    for (int solver = 0; solver < 2; solver++) {
        mg_kin_options o;
        memset(&o, 0, sizeof o);
        o.duration_h = 24.0 * DAYS;
        o.sample_h = 24;
        o.solver = (mg_kin_solver)solver;
        mg_kin_result r;
        ck_assert_int_eq(mg_kin_run(ctx, &p, &s, ev, n, mods, nm, &o, &r), MG_OK);
        double rel = fabs(r.balance_error_mg) / r.intake_mg;
        ck_assert_msg(rel <= 1e-9, "solver %d: balance %g mg of %g", solver, r.balance_error_mg,
                      r.intake_mg);
        /* the same from the samples: cumulative urine at the end equals the total */
        ck_assert_double_eq(r.samples[r.n_samples - 1].urine_cum_mg, r.urine_mg);
        double sum = 0;
        for (size_t k = 0; k < r.n_samples; k++)
            sum += r.samples[k].urine_interval_mg;
        ck_assert(fabs(sum - r.urine_mg) <= 1e-9 * r.urine_mg);
        printf("kinetics: 90 d, %s: intake %.1f, faecal %.1f, urine %.1f, sweat %.1f, stores "
               "%+.1f mg; balance error %.2e (rel %.1e), %ld steps\n",
               solver ? "FAST" : "CVODE", r.intake_mg, r.faecal_mg, r.urine_mg, r.sweat_mg,
               mg_kin_state_total_mg(&r.final) - mg_kin_state_total_mg(&r.initial),
               r.balance_error_mg, rel, r.steps);
        mg_kin_result_free(&r);
    }
    free(ev);
    free(mods);
    mg_context_destroy(&ctx);
}
END_TEST

/* FAST (RK4, 0.05 h) against CVODE (rtol 1e-8) over 10 days of the regimen above, hourly
 * samples: serum, CSF, the fast tissue pool and cumulative urine agree to 1e-5 relative.
 * Tolerance: RK4's local error on a mode of rate λ is about (λh)^5/120 of its amplitude, at
 * most 1e-4 for the fastest modes (a few per hour: plasma-ISF 4.2/h, ISF-fast tissue 3.6/h;
 * λh <= 0.4); those modes carry a few % of the state and decay within hours, so ~1e-6 is
 * expected; CVODE's own error is ~1e-8. Measured: 1.3e-7. */
START_TEST(test_fast_vs_cvode) {
    mg_context *ctx = mg_context_create();
    mg_kin_params p = mg_kin_params_default(70);
    enum { DAYS = 10 };
    mg_kin_event ev[4 * DAYS];
    mg_kin_modifier mods[3 * DAYS];
    size_t nm, n = regimen(ev, mods, &nm, DAYS);
    mg_kin_state s = steady(ctx, &p, 330);
    mg_kin_options o;
    memset(&o, 0, sizeof o);
    o.duration_h = 24.0 * DAYS;
    o.sample_h = 1;
    mg_kin_result a, b;
    ck_assert_int_eq(mg_kin_run(ctx, &p, &s, ev, n, mods, nm, &o, &a), MG_OK);
    o.solver = MG_KIN_FAST;
    ck_assert_int_eq(mg_kin_run(ctx, &p, &s, ev, n, mods, nm, &o, &b), MG_OK);
    ck_assert_uint_eq(a.n_samples, b.n_samples);
    double worst = 0;
    for (size_t k = 0; k < a.n_samples; k++) {
        const mg_kin_sample *x = &a.samples[k], *y = &b.samples[k];
        ck_assert_double_eq(x->t_h, y->t_h);
        double d[4] = {fabs(x->serum_total_mM - y->serum_total_mM) / x->serum_total_mM,
                       fabs(x->csf_mM - y->csf_mM) / x->csf_mM,
                       fabs(x->pools.tissue_fast_mg - y->pools.tissue_fast_mg) /
                           x->pools.tissue_fast_mg,
                       fabs(x->urine_cum_mg - y->urine_cum_mg) / (x->urine_cum_mg + 1)};
        for (int i = 0; i < 4; i++)
            if (d[i] > worst)
                worst = d[i];
    }
    ck_assert_msg(worst <= 1e-5, "FAST vs CVODE: %g", worst);
    ck_assert(fabs(a.serum_total_mM - b.serum_total_mM) <= 1e-5 * a.serum_total_mM);
    printf("kinetics: FAST vs CVODE over %d days: max relative difference %.2e\n", DAYS, worst);
    mg_kin_result_free(&a);
    mg_kin_result_free(&b);
    mg_context_destroy(&ctx);
}
END_TEST

/* The fed steady state is a start-of-day state of the daily cycle: one more day of the
 * same meals returns serum and CSF to it within 1e-3 relative (the slow pools still creep
 * toward the periodic mean, of order 1e-4 per day), and the slow bone pool barely moves. */
START_TEST(test_steady_state) {
    mg_context *ctx = mg_context_create();
    mg_kin_params p = mg_kin_params_default(70);
    mg_kin_state s = steady(ctx, &p, 360);
    mg_kin_event ev[3];
    meals(ev, 360, 1, 0, 0);
    mg_kin_options o;
    memset(&o, 0, sizeof o);
    o.duration_h = 24;
    mg_kin_result r;
    ck_assert_int_eq(mg_kin_run(ctx, &p, &s, ev, 3, NULL, 0, &o, &r), MG_OK);
    ck_assert(fabs(r.final.plasma_mg / s.plasma_mg - 1) < 1e-3);
    ck_assert(fabs(r.final.csf_mg / s.csf_mg - 1) < 1e-3);
    /* the gut is periodic exactly; left: the solver's error over a day (rtol 1e-8) */
    ck_assert_msg(fabs(r.final.gut_mg / s.gut_mg - 1) < 1e-6, "gut %g vs %g", r.final.gut_mg,
                  s.gut_mg);
    printf("kinetics: steady state at 360 mg/day, one more day: plasma %+.1e, CSF %+.1e, gut "
           "%+.1e, slow bone %+.1e (relative)\n",
           r.final.plasma_mg / s.plasma_mg - 1, r.final.csf_mg / s.csf_mg - 1,
           r.final.gut_mg / s.gut_mg - 1, r.final.bone_slow_mg / s.bone_slow_mg - 1);
    ck_assert(fabs(r.final.bone_slow_mg / s.bone_slow_mg - 1) < 1e-4);
    /* the FAST solver gives the same start state */
    mg_kin_event day[3];
    meals(day, 360, 1, 0, 0);
    mg_kin_state f;
    ck_assert_int_eq(mg_kin_steady_state(ctx, &p, day, 3, 0, MG_KIN_FAST, &f), MG_OK);
    ck_assert(fabs(f.plasma_mg / s.plasma_mg - 1) < 1e-5);
    mg_kin_result_free(&r);
    mg_context_destroy(&ctx);
}
END_TEST

static void expect_data(mg_context *ctx, mg_status st, const char *needle) {
    ck_assert_int_eq(st, MG_ERR_DATA);
    ck_assert_msg(strstr(mg_error_message(ctx), needle) != NULL, "'%s' not in '%s'", needle,
                  mg_error_message(ctx));
}

START_TEST(test_bad_input) {
    mg_context *ctx = mg_context_create();
    mg_kin_params good = mg_kin_params_default(70);
    ck_assert_int_eq(mg_kin_params_validate(ctx, &good), MG_OK);
    mg_kin_params p;
    p = good, p.gfr_ml_min = -1;
    expect_data(ctx, mg_kin_params_validate(ctx, &p), "gfr_ml_min");
    p = good, p.weight_kg = NAN;
    expect_data(ctx, mg_kin_params_validate(ctx, &p), "weight_kg");
    p = good, p.frac_complexed = 0.5;
    expect_data(ctx, mg_kin_params_validate(ctx, &p), "frac_complexed");
    p = good, p.csf_half_life_min = 0;
    expect_data(ctx, mg_kin_params_validate(ctx, &p), "csf_half_life_min");
    p = good, p.tm_mM = 0.3;
    expect_data(ctx, mg_kin_params_validate(ctx, &p), "tm_mM");
    p = good, p.bone_fraction = 0.99;
    expect_data(ctx, mg_kin_params_validate(ctx, &p), "body_mg_per_kg");
    p = good, p.absorption.km_mg = 0;
    expect_data(ctx, mg_kin_params_validate(ctx, &p), "km_mg");
    expect_data(ctx, mg_kin_params_validate(ctx, NULL), "no parameters");

    mg_kin_options o;
    memset(&o, 0, sizeof o);
    mg_kin_result r;
    expect_data(ctx, mg_kin_run(ctx, &good, NULL, NULL, 0, NULL, 0, &o, &r), "duration_h");
    ck_assert_ptr_null(r.samples);
    o.duration_h = 24;
    o.fast_dt_h = 2;
    expect_data(ctx, mg_kin_run(ctx, &good, NULL, NULL, 0, NULL, 0, &o, &r), "fast_dt_h");
    o.fast_dt_h = 0;
    mg_kin_event ev[2] = {{5, 100, 1, 1, 0}, {4, 100, 1, 1, 0}};
    expect_data(ctx, mg_kin_run(ctx, &good, NULL, ev, 2, NULL, 0, &o, &r), "sort");
    ev[1].t_h = 6;
    ev[1].dose_mg = -3;
    expect_data(ctx, mg_kin_run(ctx, &good, NULL, ev, 2, NULL, 0, &o, &r), "dose_mg");
    ev[1].dose_mg = 3;
    ev[1].form_factor = 0;
    expect_data(ctx, mg_kin_run(ctx, &good, NULL, ev, 2, NULL, 0, &o, &r), "form_factor");
    mg_kin_modifier m = {0, 0, 0, 0.5, 1};
    expect_data(ctx, mg_kin_run(ctx, &good, NULL, NULL, 0, &m, 1, &o, &r), "stress_factor");
    mg_kin_state s;
    ck_assert_int_eq(mg_kin_state_reference(ctx, &good, &s), MG_OK);
    s.isf_mg = -1;
    expect_data(ctx, mg_kin_run(ctx, &good, &s, NULL, 0, NULL, 0, &o, &r), "isf_mg");
    mg_kin_renal_out k;
    expect_data(ctx, mg_kin_renal(ctx, &good, -1, NULL, &k), "serum_total_mM");
    mg_kin_event late = {30, 100, 1, 1, 0};
    expect_data(ctx, mg_kin_steady_state(ctx, &good, &late, 1, 0, MG_KIN_CVODE, &s), "[0, 24)");
    mg_kin_result_free(NULL);
    mg_context_destroy(&ctx);
}
END_TEST

static Suite *suite(void) {
    Suite *s = suite_create("kinetics");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_pools);
    tcase_add_test(tc, test_rda_serum);
    tcase_add_test(tc, test_renal_typical);
    tcase_add_test(tc, test_csf_ratio);
    tcase_add_test(tc, test_oppelt_buffering);
    tcase_add_test(tc, test_csf_half_life);
    tcase_add_test(tc, test_caffeine);
    tcase_add_test(tc, test_time_to_peak);
    tcase_add_test(tc, test_threonate);
    tcase_add_test(tc, test_mass_balance);
    tcase_add_test(tc, test_fast_vs_cvode);
    tcase_add_test(tc, test_steady_state);
    tcase_add_test(tc, test_bad_input);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
