/* mgsim-test: unit */
/* The HPA axis (src/stress/hpa.c): integrator against a closed form and under step halving;
 * the normal day against the healthy 24-h cortisol profile; ultradian pulses; acute and
 * chronic stressors; the Mg-deficiency drive hypothesis; the cortisol → urinary Mg factor;
 * continuation and sampling; bad parameters and inputs. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mgsim/stress.h"

/* |a - b| <= tol, with a message. */
#define ASSERT_NEAR(a, b, tol)                                                                     \
    ck_assert_msg(fabs((a) - (b)) <= (tol), "%s = %.17g, expected %.17g (tol %g)", #a,             \
                  (double)(a), (double)(b), (double)(tol))
#define ASSERT_IN(a, lo, hi)                                                                       \
    ck_assert_msg((a) >= (lo) && (a) <= (hi), "%s = %.17g, expected in [%g, %g]", #a, (double)(a), \
                  (double)(lo), (double)(hi))

/* A week from the published midnight state; day 0 carries the start-up transient (the state
 * of subject f is not on the default set's cycle), so days 1–6 are the "normal days". */
#define WEEK_H      (24.0 * 7.0)
#define FIRST_DAY   1
#define N_NORMAL    6
#define SAMPLE_1MIN (1.0 / 60.0)

/* Run the default model (or p) without inputs over a week. */
static void run_week(const mg_hpa_params *p, const mg_hpa_inputs *in, double sample_h,
                     mg_hpa_result *r) {
    ck_assert_int_eq(mg_hpa_run(NULL, p, in, NULL, 0.0, WEEK_H, sample_h, r), MG_OK);
    ck_assert_uint_eq(r->n_days, 7);
}

/* Hours from `from` forward to `to` on the 24-h clock, in [0, 24). */
static double clock_ahead(double from, double to) {
    double d = fmod(to - from, 24.0);
    return d < 0.0 ? d + 24.0 : d;
}

/* ------------------------------------------------------------------ (1) closed form */

/* With a1 = 0+ (1e-300, the circadian CRH term vanishes) and a4 = 0, CRH and ACTH are linear:
 *   CRH(t)  = c∞ + (c0 − c∞) e^{−w1 t},  c∞ = a0/w1
 *   ACTH(t) = a3 c∞/w2 + a3 (c0 − c∞)/(w2 − w1) e^{−w1 t} + K e^{−w2 t}
 * (t in min; K from ACTH(0)). RK4 at 0.1 min has a local error ~ (w h)^5 ≈ 1e-12 per step
 * here; 1e-8 relative leaves room for 14 400 steps of rounding. This also checks that the
 * hours of the API and the minutes of the rates are converted once and correctly. */
START_TEST(test_closed_form) {
    mg_hpa_params p = mg_hpa_params_default();
    p.a1 = 1e-300;
    p.a4 = 0.0;
    p.a0 = 0.05;
    mg_hpa_state s0 = {10.0, 30.0, 100.0};
    mg_hpa_result r;
    ck_assert_int_eq(mg_hpa_run(NULL, &p, NULL, &s0, 0.0, 24.0, 1.0, &r), MG_OK);
    ck_assert_uint_eq(r.n_samples, 25);
    double w1 = p.w1_per_min, w2 = p.w2_per_min, a3 = p.a3, cinf = p.a0 / w1;
    double b = a3 * (s0.crh - cinf) / (w2 - w1);
    double k = s0.acth_pg_ml - a3 * cinf / w2 - b;
    for (size_t i = 0; i < r.n_samples; i++) {
        double t = r.t_h[i] * 60.0;
        double crh = cinf + (s0.crh - cinf) * exp(-w1 * t);
        double acth = a3 * cinf / w2 + b * exp(-w1 * t) + k * exp(-w2 * t);
        ASSERT_NEAR(r.t_h[i], (double)i, 1e-12);
        ASSERT_NEAR(r.crh[i], crh, 1e-8 * crh);
        ASSERT_NEAR(r.acth_pg_ml[i], acth, 1e-8 * acth);
    }
    mg_hpa_result_free(&r);
}
END_TEST

/* ------------------------------------------------------------------ (2) convergence */

/* The brief's criterion: halving the step changes the daily peak by < 0.1 %. Checked from the
 * default 0.1 min down to 0.05 min and from 0.2 min to 0.1 min, on the mean peak and on each
 * day's peak and mean (days 1–6). */
START_TEST(test_convergence) {
    double dts[3] = {0.2, 0.1, 0.05};
    mg_hpa_day avg[3];
    mg_hpa_result r[3];
    for (int i = 0; i < 3; i++) {
        mg_hpa_params p = mg_hpa_params_default();
        p.dt_min = dts[i];
        run_week(&p, NULL, 0.0, &r[i]);
        ck_assert_int_eq(mg_hpa_days_average(NULL, &r[i], FIRST_DAY, N_NORMAL, &avg[i]), MG_OK);
    }
    for (int i = 0; i < 2; i++) {
        double rel = fabs(avg[i].peak_nmol_l - avg[i + 1].peak_nmol_l) / avg[i + 1].peak_nmol_l;
        fprintf(stderr,
                "hpa convergence: dt %g -> %g min: mean daily peak %.9f -> %.9f (rel %.2e)\n",
                dts[i], dts[i + 1], avg[i].peak_nmol_l, avg[i + 1].peak_nmol_l, rel);
        ck_assert(rel < 1e-3);
        for (size_t d = 0; d < 7; d++) {
            ck_assert(fabs(r[i].days[d].peak_nmol_l - r[i + 1].days[d].peak_nmol_l) <
                      1e-3 * r[i + 1].days[d].peak_nmol_l);
            ck_assert(fabs(r[i].days[d].mean_nmol_l - r[i + 1].days[d].mean_nmol_l) <
                      1e-3 * r[i + 1].days[d].mean_nmol_l);
        }
    }
    for (int i = 0; i < 3; i++)
        mg_hpa_result_free(&r[i]);
}
END_TEST

/* ------------------------------------------------------------------ (3) normal day */

/* Healthy 24-h serum profile (PMC2684472, fig. 1 caption; refs §2.4, §8, primary): peak
 * 15.5 µg/dL ≈ 428 nmol/L (95 % reference range 11.7–20.6 µg/dL = 323–568 nmol/L) at 08:32;
 * nadir < 2.0 µg/dL ≈ 55 nmol/L at 00:18. Each normal day (1–6): peak within 428 nmol/L
 * ± 25 % (the brief's tolerance, inside the 95 % range) at 06:30–10:00 (the brief's window
 * around 08:32); nadir below 55 nmol/L; the nadir's clock time averaged over the days within
 * 21:00–03:00 (single days scatter: the night trough is flat, one day's nadir falls at 20:55).
 * The default set's w3 was refitted so that the mean of the daily peaks is 428 nmol/L (docs,
 * "Calibration"); that mean is checked to ± 5 % as a calibration check, not a validation.
 * The published profile is a mean over 33 subjects, whose pulses fall at different times; the
 * model's pulses are not locked to 24 h, so its days 1–6 sit at different pulse phases. Their
 * clock-time mean profile (1-min) is checked against the criteria that concern levels at
 * fixed times: 00:18 below 55 nmol/L, midnight below 50 nmol/L and the 08–09 h mean in the
 * clinical morning range 140–700 nmol/L (refs §2.4, secondary). The mean profile's peak
 * (≈ 315 nmol/L, pulses averaged out) and single days' fixed-time values (00:18 up to
 * 60 nmol/L on a day with a nocturnal pulse; minutes between morning pulses down to
 * 117 nmol/L) miss; they are printed and reported in the docs, not asserted. */
START_TEST(test_normal_day) {
    mg_hpa_params p = mg_hpa_params_default();
    mg_hpa_result r;
    run_week(&p, NULL, SAMPLE_1MIN, &r);
    mg_hpa_day avg;
    ck_assert_int_eq(mg_hpa_days_average(NULL, &r, FIRST_DAY, N_NORMAL, &avg), MG_OK);
    fprintf(stderr,
            "hpa normal day (default, days 1-6 summaries averaged): peak %.1f nmol/L at %.2f h, "
            "nadir %.1f nmol/L at %.2f h, mean %.2f nmol/L, AUC %.0f nmol h/L, ACTH mean %.2f "
            "pg/mL\n",
            avg.peak_nmol_l, avg.peak_clock_h, avg.nadir_nmol_l, avg.nadir_clock_h, avg.mean_nmol_l,
            avg.auc_nmol_h_l, avg.acth_mean_pg_ml);
    ASSERT_NEAR(avg.peak_nmol_l, 428.0, 0.05 * 428.0);
    static double prof[24 * 60 + 1];
    for (size_t m = 0; m <= 24 * 60; m++) {
        prof[m] = 0.0;
        for (size_t d = FIRST_DAY; d < r.n_days; d++)
            prof[m] += r.cortisol_nmol_l[(size_t)(24 * 60) * d + m] / N_NORMAL;
    }
    size_t ipk = 0, ind = 0;
    double morning = 0.0;
    for (size_t m = 0; m < 24 * 60; m++) {
        if (prof[m] > prof[ipk])
            ipk = m;
        if (prof[m] < prof[ind])
            ind = m;
        if (m >= 8 * 60 && m <= 9 * 60)
            morning += prof[m] / 61.0;
    }
    fprintf(stderr,
            "hpa mean profile (days 1-6): peak %.1f nmol/L at %.2f h, nadir %.1f at %.2f h, "
            "08-09 h mean %.1f, 00:00 %.1f, 00:18 %.1f nmol/L\n",
            prof[ipk], ipk / 60.0, prof[ind], ind / 60.0, morning, prof[0], prof[18]);
    ASSERT_IN(clock_ahead(21.0, avg.nadir_clock_h), 0.0, 6.0);
    ck_assert(prof[18] < 55.0);
    ASSERT_IN(morning, 140.0, 700.0);
    ck_assert(prof[0] < 50.0);
    for (size_t d = FIRST_DAY; d < r.n_days; d++) {
        const mg_hpa_day *x = &r.days[d];
        size_t i0 = (size_t)(24 * 60) * d;
        double mmin = INFINITY, mmean = 0.0;
        for (size_t m = 8 * 60; m <= 9 * 60; m++) {
            mmin = fmin(mmin, r.cortisol_nmol_l[i0 + m]);
            mmean += r.cortisol_nmol_l[i0 + m] / 61.0;
        }
        fprintf(stderr,
                "  day %d: peak %.1f at %.2f h, nadir %.1f at %.2f h, mean %.2f; 08-09 h mean "
                "%.1f (lowest minute %.1f); 00:00 %.1f, 00:18 %.1f nmol/L\n",
                x->day, x->peak_nmol_l, x->peak_clock_h, x->nadir_nmol_l, x->nadir_clock_h,
                x->mean_nmol_l, mmean, mmin, r.cortisol_nmol_l[i0], r.cortisol_nmol_l[i0 + 18]);
        ASSERT_NEAR(x->peak_nmol_l, 428.0, 0.25 * 428.0);
        ASSERT_IN(x->peak_clock_h, 6.5, 10.0);
        ck_assert(x->nadir_nmol_l < 55.0);
        ASSERT_NEAR(x->auc_nmol_h_l, 24.0 * x->mean_nmol_l, 1e-9 * x->auc_nmol_h_l);
    }
    /* The day summaries see every step; the 1-min samples must agree with them to the
     * curvature over one minute (< 0.5 %). */
    for (size_t d = FIRST_DAY; d < r.n_days; d++) {
        double mx = 0.0;
        size_t i0 = (size_t)(24 * 60) * d;
        for (size_t m = 0; m <= 24 * 60; m++)
            mx = fmax(mx, r.cortisol_nmol_l[i0 + m]);
        ASSERT_NEAR(mx, r.days[d].peak_nmol_l, 0.005 * mx);
    }
    mg_hpa_result_free(&r);

    /* The published subject-f set (documented miss: peak ≈ half the population peak). Its
     * timing and nadir are asserted; its peak is only reported. */
    mg_hpa_params pf = mg_hpa_params_bo2017_subject_f();
    run_week(&pf, NULL, 0.0, &r);
    ck_assert_int_eq(mg_hpa_days_average(NULL, &r, FIRST_DAY, N_NORMAL, &avg), MG_OK);
    fprintf(stderr,
            "hpa normal day (published subject f, days 1-6): peak %.1f nmol/L at %.2f h, nadir "
            "%.1f at %.2f h, mean %.2f\n",
            avg.peak_nmol_l, avg.peak_clock_h, avg.nadir_nmol_l, avg.nadir_clock_h,
            avg.mean_nmol_l);
    ASSERT_IN(avg.peak_clock_h, 6.5, 10.0);
    ck_assert(avg.nadir_nmol_l < 55.0);
    ck_assert(avg.peak_nmol_l < 323.0); /* below the 95 % range: why the default is refitted */
    mg_hpa_result_free(&r);
}
END_TEST

/* ------------------------------------------------------------------ (4) ultradian pulses */

/* Pulses: local maxima of the 1-min cortisol series that rise by >= 10 % of their height above
 * the lowest value since the previous maximum (smaller wiggles are not counted). Published:
 * nocturnal cortisol periodicity 151.2 ± 8.3 min (Neuroendocrinology 53:171; refs §2.4,
 * primary) ≈ 9.5 pulses/day; "approximately hourly" (refs §2.4, unverified) ≈ 24/day. The
 * model's own oscillation is slower (about 7 pulses/day, 3.4 h apart): a documented miss. The
 * test asserts that pulses are present every day (>= 5), that they are deterministic (same
 * count every normal day ± 1) and not faster than the published range (<= 24). */
START_TEST(test_ultradian) {
    mg_hpa_params p = mg_hpa_params_default();
    mg_hpa_result r;
    run_week(&p, NULL, SAMPLE_1MIN, &r);
    int counts[7] = {0};
    double interval_sum = 0.0;
    int n_int = 0;
    for (size_t d = FIRST_DAY; d < 7; d++) {
        size_t i0 = (size_t)(24 * 60) * d;
        double lowest = r.cortisol_nmol_l[i0], last_peak_t = -1.0;
        for (size_t i = i0 + 1; i < i0 + 24 * 60; i++) {
            double c = r.cortisol_nmol_l[i];
            lowest = fmin(lowest, c);
            if (c > r.cortisol_nmol_l[i - 1] && c >= r.cortisol_nmol_l[i + 1]) {
                if (c - lowest >= 0.1 * c) {
                    counts[d]++;
                    if (last_peak_t >= 0.0) {
                        interval_sum += r.t_h[i] - last_peak_t;
                        n_int++;
                    }
                    last_peak_t = r.t_h[i];
                }
                lowest = c;
            }
        }
        fprintf(stderr, "hpa ultradian: day %zu: %d pulses\n", d, counts[d]);
        ASSERT_IN(counts[d], 5, 24);
        ASSERT_IN(counts[d], counts[FIRST_DAY] - 1, counts[FIRST_DAY] + 1);
    }
    fprintf(stderr,
            "hpa ultradian: mean inter-pulse interval %.1f min (published nocturnal "
            "151.2 +- 8.3 min)\n",
            60.0 * interval_sum / n_int);
    mg_hpa_result_free(&r);
}
END_TEST

/* ------------------------------------------------------------------ (5) acute stressor */

/* A 15-min acute stressor (the length of a Trier Social Stress Test's speech and arithmetic;
 * Kirschbaum et al. 1993) of 2 CRH units/min, about 3× the daytime CRH turnover, at 16:00 on
 * day 2. Published response (Dickerson & Kemeny 2004, Psychol Bull 130:355, meta-analysis of
 * 208 laboratory stressors; not in the project refs sheet): cortisol peaks 21–40 min after the
 * stressor's onset. Asserted: cortisol above the unstressed run by >= 10 % within 40 min of
 * onset (the rise is under way inside the published peak latency); the response (stressed
 * minus unstressed) peaks within 90 min of onset. The model's response peaks later than
 * 21–40 min (ACTH and cortisol elimination half-lives of 34 and 39 min set it): a documented
 * miss. "Returns": on each following day the daily mean and peak lie within the range of the
 * unstressed normal days (± 2 %). The stressor shifts the phase of the ultradian oscillation,
 * which is not locked to 24 h, so the stressed and unstressed runs are not compared day by
 * day or point by point. */
START_TEST(test_acute) {
    mg_hpa_params p = mg_hpa_params_default();
    double onset = 24.0 * 2 + 16.0;
    mg_hpa_stressor s = {MG_HPA_STRESS_ACUTE, onset, 0.25, 2.0};
    mg_hpa_inputs in = mg_hpa_inputs_none();
    in.stressors = &s;
    in.n_stressors = 1;
    mg_hpa_result r0, r1;
    run_week(&p, NULL, SAMPLE_1MIN, &r0);
    run_week(&p, &in, SAMPLE_1MIN, &r1);
    size_t i_on = (size_t)lround(onset * 60.0);
    ASSERT_NEAR(r1.t_h[i_on], onset, 1e-9);
    /* Identical before the onset (the stressor changes nothing earlier). */
    for (size_t i = 0; i <= i_on; i++)
        ck_assert(r1.cortisol_nmol_l[i] == r0.cortisol_nmol_l[i]);
    double rise_min = -1.0, best = 0.0, t_best = 0.0;
    for (size_t m = 0; m <= 240; m++) {
        double diff = r1.cortisol_nmol_l[i_on + m] - r0.cortisol_nmol_l[i_on + m];
        if (rise_min < 0.0 && diff >= 0.1 * r0.cortisol_nmol_l[i_on + m])
            rise_min = (double)m;
        if (diff > best) {
            best = diff;
            t_best = (double)m;
        }
    }
    fprintf(stderr,
            "hpa acute (2 CRH/min, 15 min at 16:00): +10 %% at %.0f min, response peak +%.1f "
            "nmol/L at %.0f min after onset (baseline %.1f nmol/L at onset)\n",
            rise_min, best, t_best, r0.cortisol_nmol_l[i_on]);
    ASSERT_IN(rise_min, 0.0, 40.0);
    ASSERT_IN(t_best, 15.0, 90.0);
    /* Range of the unstressed normal days (days 1–6). */
    double mean_lo = INFINITY, mean_hi = 0.0, peak_lo = INFINITY, peak_hi = 0.0;
    for (size_t d = FIRST_DAY; d < 7; d++) {
        mean_lo = fmin(mean_lo, r0.days[d].mean_nmol_l);
        mean_hi = fmax(mean_hi, r0.days[d].mean_nmol_l);
        peak_lo = fmin(peak_lo, r0.days[d].peak_nmol_l);
        peak_hi = fmax(peak_hi, r0.days[d].peak_nmol_l);
    }
    for (size_t d = 3; d < 7; d++) {
        const mg_hpa_day *b = &r1.days[d];
        fprintf(stderr,
                "hpa acute: day %zu after: mean %.2f (unstressed days %.2f-%.2f), peak %.1f "
                "(%.1f-%.1f) nmol/L\n",
                d, b->mean_nmol_l, mean_lo, mean_hi, b->peak_nmol_l, peak_lo, peak_hi);
        ASSERT_IN(b->mean_nmol_l, 0.98 * mean_lo, 1.02 * mean_hi);
        ASSERT_IN(b->peak_nmol_l, 0.98 * peak_lo, 1.02 * peak_hi);
    }
    ck_assert(r1.days[2].mean_nmol_l > r0.days[2].mean_nmol_l);
    mg_hpa_result_free(&r0);
    mg_hpa_result_free(&r1);
}
END_TEST

/* ------------------------------------------------------------------ (6) chronic stressor */

/* A chronic stressor (+30 % on the circadian CRH drive) over days 2–4 raises the daily mean
 * cortisol on each of those days; the mean returns within 5 % of the unstressed run two days
 * after it ends (day 6). No published human dose–response for "chronic stress" exists in the
 * refs; only the direction is asserted (refs §2.4: sleep deprivation, a chronic stressor,
 * raises evening cortisol by ≈ 37–45 %, secondary). */
START_TEST(test_chronic) {
    mg_hpa_params p = mg_hpa_params_default();
    mg_hpa_stressor s = {MG_HPA_STRESS_CHRONIC, 48.0, 72.0, 0.3};
    mg_hpa_inputs in = mg_hpa_inputs_none();
    in.stressors = &s;
    in.n_stressors = 1;
    mg_hpa_result r0, r1;
    run_week(&p, NULL, 0.0, &r0);
    run_week(&p, &in, 0.0, &r1);
    for (size_t d = 0; d < 7; d++)
        fprintf(stderr, "hpa chronic +30 %% days 2-4: day %zu mean %.2f vs %.2f nmol/L\n", d,
                r1.days[d].mean_nmol_l, r0.days[d].mean_nmol_l);
    for (size_t d = 0; d < 2; d++)
        ck_assert(r1.days[d].mean_nmol_l == r0.days[d].mean_nmol_l);
    for (size_t d = 2; d < 5; d++)
        ck_assert(r1.days[d].mean_nmol_l > 1.02 * r0.days[d].mean_nmol_l);
    ASSERT_NEAR(r1.days[6].mean_nmol_l, r0.days[6].mean_nmol_l, 0.05 * r0.days[6].mean_nmol_l);
    mg_hpa_result_free(&r0);
    mg_hpa_result_free(&r1);
}
END_TEST

/* ------------------------------------------------------------------ (7) Mg deficiency */

/* Hypothesis (a): d_Mg = clamp((0.85 − Mg)/(0.85 − 0.75), 0, 1), drive × (1 + g d_Mg).
 * Off (g = 0, the default) or Mg at or above 0.85 mmol/L: bit-identical output to a run
 * without Mg input. On with g = 0.2 at full deficiency (0.6 mmol/L): the daily mean cortisol
 * rises, by no more than the drive gain itself (20 %; cortisol feedback on CRH and ACTH can
 * only shrink the effect); half deficiency (0.80 mmol/L) raises it less than full. */
START_TEST(test_mg_coupling) {
    mg_hpa_params p = mg_hpa_params_default();
    ck_assert(p.mg_gain == 0.0);
    mg_hpa_inputs in = mg_hpa_inputs_none();
    mg_hpa_result r0, r1, rh, rr;
    run_week(&p, NULL, 0.0, &r0);
    in.serum_mg_mM = 0.6;
    run_week(&p, &in, 0.0, &r1); /* off: identical */
    ck_assert(memcmp(&r0.end, &r1.end, sizeof r0.end) == 0);
    for (size_t d = 0; d < 7; d++)
        ck_assert(r0.days[d].mean_nmol_l == r1.days[d].mean_nmol_l);
    mg_hpa_result_free(&r1);
    p.mg_gain = 0.2;
    in.serum_mg_mM = 0.85;
    run_week(&p, &in, 0.0, &rr); /* replete: identical */
    ck_assert(memcmp(&r0.end, &rr.end, sizeof r0.end) == 0);
    in.serum_mg_mM = 0.6;
    run_week(&p, &in, 0.0, &r1);
    in.serum_mg_mM = 0.80;
    run_week(&p, &in, 0.0, &rh);
    mg_hpa_day a0, a1, ah;
    mg_hpa_days_average(NULL, &r0, FIRST_DAY, N_NORMAL, &a0);
    mg_hpa_days_average(NULL, &r1, FIRST_DAY, N_NORMAL, &a1);
    mg_hpa_days_average(NULL, &rh, FIRST_DAY, N_NORMAL, &ah);
    double rise = a1.mean_nmol_l / a0.mean_nmol_l - 1.0;
    double rise_h = ah.mean_nmol_l / a0.mean_nmol_l - 1.0;
    fprintf(stderr,
            "hpa Mg deficiency g=0.2: mean cortisol +%.2f %% (full, 0.6 mM), +%.2f %% (half, "
            "0.80 mM); ACTH mean %.2f -> %.2f pg/mL\n",
            100.0 * rise, 100.0 * rise_h, a0.acth_mean_pg_ml, a1.acth_mean_pg_ml);
    ck_assert(rise > 0.0 && rise <= 0.2);
    ck_assert(rise_h > 0.0 && rise_h < rise);
    mg_hpa_result_free(&r0);
    mg_hpa_result_free(&r1);
    mg_hpa_result_free(&rh);
    mg_hpa_result_free(&rr);
}
END_TEST

/* ------------------------------------------------------------------ (8) renal factor */

/* f(C) = 1 + slope (C/C_ref − 1): exactly 1 at C_ref, monotone, 1 everywhere when disabled,
 * f(0) = 1 − slope. C_ref (120 nmol/L) is the default model's unstressed 24-h mean, so the
 * factor averaged over a normal day's steps is 1: with f linear, mean f = f(mean C), checked
 * against the days 1–6 means to 2 % (their day-to-day spread is about 1 %). */
START_TEST(test_renal_factor) {
    mg_hpa_renal_params rp = mg_hpa_renal_params_default();
    double f, prev = -1.0;
    ck_assert_int_eq(mg_hpa_renal_mg_factor(NULL, &rp, rp.cortisol_ref_nmol_l, &f), MG_OK);
    ck_assert(f == 1.0);
    for (double c = 0.0; c <= 1500.0; c += 7.5) {
        ck_assert_int_eq(mg_hpa_renal_mg_factor(NULL, &rp, c, &f), MG_OK);
        ck_assert(f > prev);
        prev = f;
    }
    ck_assert_int_eq(mg_hpa_renal_mg_factor(NULL, &rp, 0.0, &f), MG_OK);
    ASSERT_NEAR(f, 1.0 - rp.slope, 1e-15);
    ck_assert_int_eq(mg_hpa_renal_mg_factor(NULL, &rp, 2.0 * rp.cortisol_ref_nmol_l, &f), MG_OK);
    ASSERT_NEAR(f, 1.0 + rp.slope, 1e-15);
    mg_hpa_renal_params off = rp;
    off.enabled = 0;
    ck_assert_int_eq(mg_hpa_renal_mg_factor(NULL, &off, 900.0, &f), MG_OK);
    ck_assert(f == 1.0);

    mg_hpa_params p = mg_hpa_params_default();
    mg_hpa_result r;
    run_week(&p, NULL, 0.0, &r);
    for (size_t d = FIRST_DAY; d < 7; d++) {
        ck_assert_int_eq(mg_hpa_renal_mg_factor(NULL, &rp, r.days[d].mean_nmol_l, &f), MG_OK);
        fprintf(stderr, "hpa renal: day %zu mean cortisol %.2f -> mean factor %.4f\n", d,
                r.days[d].mean_nmol_l, f);
        ASSERT_NEAR(f, 1.0, 0.02);
    }
    mg_hpa_result_free(&r);
}
END_TEST

/* ------------------------------------------------------------------ (9) continuation */

/* Two runs of a day each, the second from the first's end state, equal one two-day run bit
 * for bit (the steps are aligned to the same midnights and samples); clipped stressors that
 * overlap a run's start act only inside it. */
START_TEST(test_continuation) {
    mg_hpa_params p = mg_hpa_params_default();
    mg_hpa_stressor s = {MG_HPA_STRESS_CHRONIC, 20.0, 10.0, 0.5};
    mg_hpa_inputs in = mg_hpa_inputs_none();
    in.stressors = &s;
    in.n_stressors = 1;
    mg_hpa_result whole, a, b;
    ck_assert_int_eq(mg_hpa_run(NULL, &p, &in, NULL, 0.0, 48.0, 0.5, &whole), MG_OK);
    ck_assert_int_eq(mg_hpa_run(NULL, &p, &in, NULL, 0.0, 24.0, 0.5, &a), MG_OK);
    ck_assert_int_eq(mg_hpa_run(NULL, &p, &in, &a.end, 24.0, 48.0, 0.5, &b), MG_OK);
    ck_assert_uint_eq(whole.n_samples, 97);
    ck_assert_uint_eq(a.n_samples, 49);
    ck_assert_uint_eq(whole.n_days, 2);
    ck_assert_uint_eq(a.n_days, 1);
    ck_assert_uint_eq(b.n_days, 1);
    ck_assert(memcmp(&whole.end, &b.end, sizeof b.end) == 0);
    for (size_t i = 0; i < b.n_samples; i++) {
        ck_assert(b.t_h[i] == whole.t_h[48 + i]);
        ck_assert(b.cortisol_nmol_l[i] == whole.cortisol_nmol_l[48 + i]);
    }
    ck_assert(b.days[0].peak_nmol_l == whole.days[1].peak_nmol_l);
    ck_assert(b.days[0].mean_nmol_l == whole.days[1].mean_nmol_l);
    ck_assert_int_eq(b.days[0].day, 1);
    /* A run starting mid-day summarises only complete days. */
    mg_hpa_result c;
    ck_assert_int_eq(mg_hpa_run(NULL, &p, NULL, NULL, 6.0, 54.0, 0.0, &c), MG_OK);
    ck_assert_uint_eq(c.n_days, 1);
    ck_assert_int_eq(c.days[0].day, 1);
    mg_hpa_result_free(&c);
    mg_hpa_result_free(&whole);
    mg_hpa_result_free(&a);
    mg_hpa_result_free(&b);
}
END_TEST

/* ------------------------------------------------------------------ (10) bad input */

/* Expect MG_ERR_DATA with `key` in the message. */
static void expect_data_error(mg_context *ctx, mg_status st, const char *key) {
    ck_assert_int_eq(st, MG_ERR_DATA);
    ck_assert_msg(strstr(mg_error_message(ctx), key) != NULL, "message '%s' lacks '%s'",
                  mg_error_message(ctx), key);
    mg_error_clear(ctx);
}

START_TEST(test_bad_input) {
    mg_context *ctx = mg_context_create();
    mg_hpa_params p = mg_hpa_params_default();
    mg_hpa_result r;
    mg_hpa_params q = p;
    q.w3_per_min = -1.0;
    expect_data_error(ctx, mg_hpa_run(ctx, &q, NULL, NULL, 0.0, 24.0, 0.0, &r), "hpa.w3_per_min");
    ck_assert(r.n_samples == 0 && r.days == NULL);
    q = p;
    q.dt_min = 0.0;
    expect_data_error(ctx, mg_hpa_params_validate(ctx, &q), "hpa.dt_min");
    q = p;
    q.mg_gain = -0.1;
    expect_data_error(ctx, mg_hpa_params_validate(ctx, &q), "hpa.mg_gain");
    q = p;
    q.mg_ref_mM = 0.7;
    expect_data_error(ctx, mg_hpa_params_validate(ctx, &q), "hpa.mg_ref_mM");
    q = p;
    q.a1 = NAN;
    expect_data_error(ctx, mg_hpa_params_validate(ctx, &q), "hpa.a1");

    mg_hpa_stressor s = {MG_HPA_STRESS_ACUTE, 10.0, 0.5, -1.0};
    mg_hpa_inputs in = mg_hpa_inputs_none();
    in.stressors = &s;
    in.n_stressors = 1;
    expect_data_error(ctx, mg_hpa_run(ctx, &p, &in, NULL, 0.0, 24.0, 0.0, &r),
                      "stressors[0].level");
    s.kind = MG_HPA_STRESS_CHRONIC;
    expect_data_error(ctx, mg_hpa_run(ctx, &p, &in, NULL, 0.0, 24.0, 0.0, &r),
                      "stressors[0].level");
    s.level = 1.0;
    s.start_h = 30.0; /* after the run */
    expect_data_error(ctx, mg_hpa_run(ctx, &p, &in, NULL, 0.0, 24.0, 0.0, &r),
                      "stressors[0].start_h");
    s.start_h = -5.0; /* ends before the run */
    s.duration_h = 2.0;
    expect_data_error(ctx, mg_hpa_run(ctx, &p, &in, NULL, 0.0, 24.0, 0.0, &r),
                      "stressors[0].start_h");
    s.start_h = 5.0;
    s.duration_h = 0.0;
    expect_data_error(ctx, mg_hpa_run(ctx, &p, &in, NULL, 0.0, 24.0, 0.0, &r),
                      "stressors[0].duration_h");
    s.duration_h = 1.0;
    s.kind = (mg_hpa_stress_kind)7;
    expect_data_error(ctx, mg_hpa_run(ctx, &p, &in, NULL, 0.0, 24.0, 0.0, &r), "stressors[0].kind");
    in.n_stressors = 0;
    in.serum_mg_mM = -0.1;
    expect_data_error(ctx, mg_hpa_run(ctx, &p, &in, NULL, 0.0, 24.0, 0.0, &r),
                      "inputs.serum_mg_mM");
    expect_data_error(ctx, mg_hpa_run(ctx, &p, NULL, NULL, 0.0, 0.0, 0.0, &r), "t_end_h");
    expect_data_error(ctx, mg_hpa_run(ctx, &p, NULL, NULL, NAN, 24.0, 0.0, &r), "t0_h");
    expect_data_error(ctx, mg_hpa_run(ctx, &p, NULL, NULL, 0.0, 24.0, -1.0, &r), "sample_h");
    mg_hpa_state bad = mg_hpa_state_default();
    bad.cortisol_nmol_l = -3.0;
    expect_data_error(ctx, mg_hpa_run(ctx, &p, NULL, &bad, 0.0, 24.0, 0.0, &r), "initial state");

    mg_hpa_renal_params rp = mg_hpa_renal_params_default();
    double f;
    expect_data_error(ctx, mg_hpa_renal_mg_factor(ctx, &rp, -1.0, &f), "cortisol_nmol_l");
    ck_assert(isnan(f));
    rp.slope = 1.0;
    expect_data_error(ctx, mg_hpa_renal_mg_factor(ctx, &rp, 100.0, &f), "hpa_renal.slope");
    rp = mg_hpa_renal_params_default();
    rp.cortisol_ref_nmol_l = 0.0;
    expect_data_error(ctx, mg_hpa_renal_params_validate(ctx, &rp), "hpa_renal.cortisol_ref_nmol_l");

    ck_assert_int_eq(mg_hpa_run(ctx, &p, NULL, NULL, 0.0, 48.0, 0.0, &r), MG_OK);
    mg_hpa_day avg;
    expect_data_error(ctx, mg_hpa_days_average(ctx, &r, 1, 2, &avg), "day range");
    expect_data_error(ctx, mg_hpa_days_average(ctx, &r, 0, 0, &avg), "day range");
    mg_hpa_result_free(&r);
    mg_hpa_result_free(NULL);
    mg_context_destroy(&ctx);
}
END_TEST

/* The circadian drive: Nc·ε at tm = 0 (t = δ) and within [Nc ε, Nc (1 + ε)] everywhere;
 * periodic in T. */
START_TEST(test_circadian) {
    mg_hpa_params p = mg_hpa_params_default();
    ASSERT_NEAR(mg_hpa_circadian(&p, p.delta_min / 60.0), p.n_c * p.eps, 1e-15);
    for (double t = 0.0; t < 48.0; t += 0.05) {
        double c = mg_hpa_circadian(&p, t);
        ASSERT_IN(c, p.n_c * p.eps - 1e-15, p.n_c * (1.0 + p.eps));
        ASSERT_NEAR(mg_hpa_circadian(&p, t + 24.0), c, 1e-12);
    }
}
END_TEST

static Suite *hpa_suite(void) {
    Suite *s = suite_create("hpa");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_closed_form);
    tcase_add_test(tc, test_convergence);
    tcase_add_test(tc, test_normal_day);
    tcase_add_test(tc, test_ultradian);
    tcase_add_test(tc, test_acute);
    tcase_add_test(tc, test_chronic);
    tcase_add_test(tc, test_mg_coupling);
    tcase_add_test(tc, test_renal_factor);
    tcase_add_test(tc, test_continuation);
    tcase_add_test(tc, test_bad_input);
    tcase_add_test(tc, test_circadian);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(hpa_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
