/* mgsim-test: unit */
/* Population Monte Carlo (src/body/population.c) and the exponential fast path of the kinetic
 * model (mg_kin_daily_run in src/body/kinetics.c): the fast path against CVODE and its mass
 * balance; the share below the EAR at baseline against NHANES 2013-2016 (48 %); results
 * independent of the thread count and of how the people are split (the MPI decomposition);
 * the soil-decline factor on the mean intake; supplements; quantiles; bad input. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgsim/kinetics.h"
#include "mgsim/population.h"

static mg_diet_dris *load_dris(mg_context *ctx) {
    mg_diet_dris *d = NULL;
    mg_status st = mg_diet_dris_load(ctx, MGSIM_SOURCE_DIR "/data/dri.csv", &d);
    ck_assert_msg(st == MG_OK, "%s", mg_error_message(ctx));
    return d;
}

/* A person of 80 kg eating 300 mg/day in three meals, then 30 days with a 200-mg L-threonate
 * dose at 21:00 without food (the threonate CSF gain exercises the nonlinear remainder). */
static const mg_kin_event SETTLE[3] = {{8, 100, 1, 1, 0}, {13, 100, 1, 1, 0}, {19, 100, 1, 1, 0}};
static const mg_kin_event DAY[4] = {
    {8, 100, 1, 1, 0}, {13, 100, 1, 1, 0}, {19, 100, 1, 1, 0}, {21, 200, 1, 0, 1}};

static void cvode_reference(mg_context *ctx, const mg_kin_params *p, int days, mg_kin_result *r) {
    mg_kin_state s;
    ck_assert_int_eq(mg_kin_steady_state(ctx, p, SETTLE, 3, 5, MG_KIN_CVODE, &s), MG_OK);
    mg_kin_event *ev = malloc(sizeof *ev * 4 * (size_t)days);
    size_t n = 0;
    for (int k = 0; k < days; k++)
        for (int i = 0; i < 4; i++) {
            ev[n] = DAY[i];
            ev[n++].t_h += 24.0 * k;
        }
    mg_kin_options o;
    memset(&o, 0, sizeof o);
    o.duration_h = 24.0 * days;
    o.rtol = 1e-10;
    mg_status st = mg_kin_run(ctx, p, &s, ev, n, NULL, 0, &o, r);
    ck_assert_msg(st == MG_OK, "%s", mg_error_message(ctx));
    free(ev);
}

/* The exponential path against CVODE (rtol 1e-10, the reference) over 30 days, last-day means.
 * ETD2RK is second order in the step: measured errors 5e-6 relative at 0.25 h and 2.5e-5 at
 * 0.5 h (the default), so the default is held to 1e-4 relative (4x margin) and halving the step
 * must cut the error at least 3x (4x for an exact second-order method; 3 leaves room for the
 * CVODE error and the settle-day difference, both ~1e-7). Mass balance: intake - faecal - urine
 * - sweat = change in stores, to 1e-6 mg of ~28 g (rounding, ~1e-10 relative). */
START_TEST(test_daily_vs_cvode) {
    mg_context *ctx = mg_context_create();
    mg_kin_params p = mg_kin_params_default(80);
    mg_kin_result ref;
    cvode_reference(ctx, &p, 30, &ref);
    double err[2];
    double steps[2] = {0.5, 0.25};
    for (int k = 0; k < 2; k++) {
        mg_kin_daily_options o = {30, 5, steps[k]};
        mg_kin_daily_result r;
        mg_status st = mg_kin_daily_run(ctx, &p, SETTLE, 3, DAY, 4, &o, &r);
        ck_assert_msg(st == MG_OK, "%s", mg_error_message(ctx));
        double es = fabs(r.serum_total_mM / ref.serum_total_mM - 1);
        double ec = fabs(r.csf_mM / ref.csf_mM - 1);
        double eu = fabs(r.urine_mg_per_day / ref.urine_mg_per_day - 1);
        err[k] = fmax(es, ec);
        printf("population: daily path h %.2f h: serum %.6f vs CVODE %.6f mM (%.1e), CSF %.6f vs "
               "%.6f (%.1e), urine %.3f vs %.3f mg/day (%.1e), balance %.2e mg, %ld steps\n",
               steps[k], r.serum_total_mM, ref.serum_total_mM, es, r.csf_mM, ref.csf_mM, ec,
               r.urine_mg_per_day, ref.urine_mg_per_day, eu, r.balance_error_mg, r.steps);
        ck_assert_msg(es < 1e-4 && ec < 1e-4 && eu < 1e-3, "h %g: errors %g %g %g", steps[k], es,
                      ec, eu);
        ck_assert_msg(fabs(r.balance_error_mg) < 1e-6, "balance %g mg", r.balance_error_mg);
        ck_assert(fabs(r.intake_mg - 30 * 500.0) < 1e-9);
    }
    ck_assert_msg(err[1] < err[0] / 3, "second order: %g at 0.5 h, %g at 0.25 h", err[0], err[1]);
    mg_kin_result_free(&ref);
    /* bad options name the field */
    mg_kin_daily_options bad = {0, 0, 0};
    mg_kin_daily_result r;
    ck_assert_int_eq(mg_kin_daily_run(ctx, &p, SETTLE, 3, DAY, 4, &bad, &r), MG_ERR_DATA);
    ck_assert_ptr_nonnull(strstr(mg_error_message(ctx), "days"));
    mg_kin_daily_options bad2 = {1, 0, 5};
    ck_assert_int_eq(mg_kin_daily_run(ctx, &p, SETTLE, 3, DAY, 4, &bad2, &r), MG_ERR_DATA);
    ck_assert_ptr_nonnull(strstr(mg_error_message(ctx), "max_step_h"));
    mg_kin_event late = {25, 10, 1, 1, 0};
    mg_kin_daily_options ok = {1, 0, 0};
    ck_assert_int_eq(mg_kin_daily_run(ctx, &p, SETTLE, 3, &late, 1, &ok, &r), MG_ERR_DATA);
    mg_context_destroy(&ctx);
}
END_TEST

/* Baseline share below the EAR: NHANES 2013-2016, 48 % of Americans below their EAR from food
 * (NIH ODS fact sheet; refs magnesium-physiology.md s12). The sampler is calibrated to it per
 * age-sex group, so the expected share is 0.48 exactly; with 10^4 people the binomial SE is
 * sqrt(0.48 x 0.52 / 10^4) = 0.005 and the tolerance 0.02 is 4 SE (false alarm ~6e-5). The full
 * model runs for everyone (2 days) and the summary is checked against a recount. */
START_TEST(test_baseline_share) {
    mg_context *ctx = mg_context_create();
    mg_diet_dris *dris = load_dris(ctx);
    mg_pop_params p = mg_pop_params_default();
    p.n_people = 10000;
    p.duration_days = 2;
    p.seed = 2024;
    mg_pop_person *x = calloc(p.n_people, sizeof *x);
    mg_status st = mg_pop_simulate(ctx, &p, dris, 0, p.n_people, x);
    ck_assert_msg(st == MG_OK, "%s", mg_error_message(ctx));
    mg_pop_summary m;
    ck_assert_int_eq(mg_pop_summarise(ctx, x, p.n_people, &m), MG_OK);
    printf("population: baseline share below EAR %.4f (NHANES 0.48), serum q05/50/95 %.4f %.4f "
           "%.4f mM, CSF median %.4f mM, below 0.75 mM %.4f, mean food %.1f mg/day\n",
           m.share_below_ear, m.serum_quantiles_mM[0], m.serum_quantiles_mM[2],
           m.serum_quantiles_mM[4], m.csf_quantiles_mM[2], m.share_serum_below_0_75,
           m.mean_food_mg_per_day);
    ck_assert_msg(fabs(m.share_below_ear - 0.48) <= 0.02, "share %g", m.share_below_ear);
    /* no supplements: the two shares coincide */
    ck_assert(m.share_below_ear_with_supplement == m.share_below_ear);
    size_t below = 0, women = 0;
    double age_lo = 1e9, age_hi = -1;
    for (size_t i = 0; i < p.n_people; i++) {
        below += x[i].food_mg_per_day < x[i].ear_mg_per_day;
        women += x[i].sex == MG_DIET_FEMALE;
        age_lo = fmin(age_lo, x[i].age_y);
        age_hi = fmax(age_hi, x[i].age_y);
        ck_assert(isfinite(x[i].serum_total_mM) && x[i].serum_total_mM > 0.5);
        ck_assert(x[i].weight_kg >= 40 && x[i].weight_kg <= 200);
    }
    ck_assert(fabs((double)below / 10000.0 - m.share_below_ear) < 1e-15);
    /* sex share 0.508: SE 0.005, tolerance 4 SE */
    ck_assert_msg(fabs((double)women / 10000.0 - 0.508) < 0.02, "women %zu", women);
    ck_assert(age_lo >= 19 && age_hi < 100);
    ck_assert_msg(m.max_abs_balance_error_mg < 1e-6, "balance %g", m.max_abs_balance_error_mg);
    free(x);
    mg_diet_dris_destroy(&dris);
    mg_context_destroy(&ctx);
}
END_TEST

/* The same people whatever the thread count or the split into blocks (what each MPI rank
 * computes): every byte of every person, and so the summary, must be identical. */
START_TEST(test_threads_and_blocks) {
    mg_context *ctx = mg_context_create();
    mg_diet_dris *dris = load_dris(ctx);
    mg_pop_params p = mg_pop_params_default();
    p.n_people = 600;
    p.duration_days = 3;
    p.supplement_share = 0.3;
    p.supplement_mg = 250;
    size_t n = p.n_people;
    mg_pop_person *a = calloc(n, sizeof *a), *b = calloc(n, sizeof *b), *c = calloc(n, sizeof *c);
    ck_assert_int_eq(mg_context_set_threads(ctx, 1), MG_OK);
    ck_assert_int_eq(mg_pop_simulate(ctx, &p, dris, 0, n, a), MG_OK);
    ck_assert_int_eq(mg_context_set_threads(ctx, 2), MG_OK);
    ck_assert_int_eq(mg_pop_simulate(ctx, &p, dris, 0, n, b), MG_OK);
    ck_assert_int_eq(mg_pop_simulate(ctx, &p, dris, 0, 211, c), MG_OK);
    ck_assert_int_eq(mg_pop_simulate(ctx, &p, dris, 211, n - 211, c + 211), MG_OK);
    ck_assert(memcmp(a, b, n * sizeof *a) == 0);
    ck_assert(memcmp(a, c, n * sizeof *a) == 0);
    mg_pop_summary ma, mb;
    ck_assert_int_eq(mg_pop_summarise(ctx, a, n, &ma), MG_OK);
    ck_assert_int_eq(mg_pop_summarise(ctx, b, n, &mb), MG_OK);
    ck_assert(memcmp(&ma, &mb, sizeof ma) == 0);
    /* a single draw equals the simulated person's draw */
    mg_pop_person one;
    ck_assert_int_eq(mg_pop_person_draw(ctx, &p, dris, 377, &one), MG_OK);
    ck_assert(one.age_y == a[377].age_y && one.food_mg_per_day == a[377].food_mg_per_day &&
              one.weight_kg == a[377].weight_kg && one.sex == a[377].sex);
    free(a);
    free(b);
    free(c);
    mg_diet_dris_destroy(&dris);
    mg_context_destroy(&ctx);
}
END_TEST

/* Soil decline: the soil-1940 scenario (data/soil_scenarios.csv: Mayer, Trenchard & Rayns 2022,
 * Mg -10 % 1940-2019, factor 1/0.9) raises every person's food intake by the factor, so the mean
 * intake rises by exactly 1.111111 (same draws; rounding 1e-12), the share below the EAR falls
 * and the median serum does not fall. Supplements (everyone, 300 mg) lower the share below the
 * EAR counted with supplements and raise the median serum. */
START_TEST(test_scenarios) {
    mg_context *ctx = mg_context_create();
    mg_diet_dris *dris = load_dris(ctx);
    mg_pop_params p = mg_pop_params_default();
    p.n_people = 2000;
    p.duration_days = 5;
    size_t n = p.n_people;
    mg_pop_person *x = calloc(n, sizeof *x);
    mg_pop_summary base, soil, supp;
    ck_assert_int_eq(mg_pop_simulate(ctx, &p, dris, 0, n, x), MG_OK);
    ck_assert_int_eq(mg_pop_summarise(ctx, x, n, &base), MG_OK);
    p.food_factor = 1.111111;
    ck_assert_int_eq(mg_pop_simulate(ctx, &p, dris, 0, n, x), MG_OK);
    ck_assert_int_eq(mg_pop_summarise(ctx, x, n, &soil), MG_OK);
    double ratio = soil.mean_food_mg_per_day / base.mean_food_mg_per_day;
    printf("population: soil-1940 mean intake x%.6f (factor 1.111111), below EAR %.4f -> %.4f, "
           "serum median %.4f -> %.4f mM\n",
           ratio, base.share_below_ear, soil.share_below_ear, base.serum_quantiles_mM[2],
           soil.serum_quantiles_mM[2]);
    ck_assert_msg(fabs(ratio - 1.111111) < 1e-12, "ratio %.15g", ratio);
    ck_assert(soil.share_below_ear < base.share_below_ear);
    ck_assert(soil.serum_quantiles_mM[2] >= base.serum_quantiles_mM[2]);
    p.food_factor = 1;
    p.supplement_share = 1;
    p.supplement_mg = 300;
    ck_assert_int_eq(mg_pop_simulate(ctx, &p, dris, 0, n, x), MG_OK);
    ck_assert_int_eq(mg_pop_summarise(ctx, x, n, &supp), MG_OK);
    printf("population: everyone +300 mg: below EAR with supplements %.4f, serum median %.4f mM\n",
           supp.share_below_ear_with_supplement, supp.serum_quantiles_mM[2]);
    ck_assert(supp.share_taking_supplement == 1.0);
    ck_assert(supp.share_below_ear == base.share_below_ear);
    ck_assert(supp.share_below_ear_with_supplement < base.share_below_ear);
    ck_assert(supp.serum_quantiles_mM[2] > base.serum_quantiles_mM[2]);
    free(x);
    mg_diet_dris_destroy(&dris);
    mg_context_destroy(&ctx);
}
END_TEST

/* Quantiles (type 7) against a hand computation: for 1..11 the 5 % quantile is 1 + 0.05 x 10 =
 * 1.5, the median 6, the 95 % 10.5; exact in binary floating point to 1e-12. */
START_TEST(test_quantiles) {
    mg_context *ctx = mg_context_create();
    mg_pop_person x[11];
    memset(x, 0, sizeof x);
    for (int i = 0; i < 11; i++) {
        x[i].serum_total_mM = (double)(11 - i); /* reverse order: the summary sorts */
        x[i].csf_mM = 2.0 * (double)(i + 1);
    }
    mg_pop_summary m;
    ck_assert_int_eq(mg_pop_summarise(ctx, x, 11, &m), MG_OK);
    ck_assert(fabs(m.serum_quantiles_mM[0] - 1.5) < 1e-12);
    ck_assert(fabs(m.serum_quantiles_mM[1] - 3.5) < 1e-12);
    ck_assert(fabs(m.serum_quantiles_mM[2] - 6.0) < 1e-12);
    ck_assert(fabs(m.serum_quantiles_mM[4] - 10.5) < 1e-12);
    ck_assert(fabs(m.csf_quantiles_mM[2] - 12.0) < 1e-12);
    ck_assert(fabs(m.serum_mean_mM - 6.0) < 1e-12);
    ck_assert_int_eq(mg_pop_summarise(ctx, x, 0, &m), MG_ERR_DATA);
    mg_context_destroy(&ctx);
}
END_TEST

/* Bad parameters are refused with the field named. */
START_TEST(test_bad_input) {
    mg_context *ctx = mg_context_create();
    mg_diet_dris *dris = load_dris(ctx);
    struct {
        const char *field;
        mg_pop_params p;
    } cases[6];
    for (int i = 0; i < 6; i++)
        cases[i].p = mg_pop_params_default();
    cases[0].field = "n_people";
    cases[0].p.n_people = MG_POP_MAX_PEOPLE + 1;
    cases[1].field = "share_female";
    cases[1].p.share_female = 1.5;
    cases[2].field = "supplement_share";
    cases[2].p.supplement_share = -0.1;
    cases[3].field = "age_max_y";
    cases[3].p.age_max_y = 18;
    cases[4].field = "food_factor";
    cases[4].p.food_factor = 0;
    cases[5].field = "n_people";
    cases[5].p.n_people = 0;
    for (int i = 0; i < 6; i++) {
        ck_assert_int_eq(mg_pop_params_validate(ctx, &cases[i].p), MG_ERR_DATA);
        ck_assert_msg(strstr(mg_error_message(ctx), cases[i].field) != NULL, "%s: %s",
                      cases[i].field, mg_error_message(ctx));
    }
    mg_pop_params p = mg_pop_params_default();
    mg_pop_person one;
    ck_assert_int_eq(mg_pop_person_draw(ctx, &p, dris, p.n_people, &one), MG_ERR_DATA);
    ck_assert_int_eq(mg_pop_simulate(ctx, &p, dris, 900, 200, &one), MG_ERR_DATA);
    mg_diet_dris_destroy(&dris);
    mg_context_destroy(&ctx);
}
END_TEST

static Suite *suite(void) {
    Suite *s = suite_create("population");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_daily_vs_cvode);
    tcase_add_test(tc, test_baseline_share);
    tcase_add_test(tc, test_threads_and_blocks);
    tcase_add_test(tc, test_scenarios);
    tcase_add_test(tc, test_quantiles);
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
