/* mgsim-test: unit */
/* `mgsim body` end to end: the RDA example meets the published physiology through the
 * command (the same targets as tests/test_kinetics.c, here via the scenario, the meals and
 * the outputs), doses above the UL and eGFR below 30 are flagged, and bad scenarios fail
 * with file:line:column and leave nothing in DIR. */
#include <check.h>
#include <math.h>

#include "mgsim/base.h"

#define TMP MGSIM_TEST_TMP "/cli_body"
#include "cli_run.h"

#define EX MGSIM_SOURCE_DIR "/examples/body/"

/* RDA intake (refs magnesium-physiology §2.1–2.2, §6): serum total 0.75–0.95 mmol/L
 * (IOM 1997 range), fractional excretion 3–5 % and urine 100–120 mg/day at typical intake,
 * CSF/plasma 1.3 ± 0.05 (Oppelt et al. 1963; tolerance: the spread of the reported ratio),
 * and the mass balance closes to 1e-9 of the intake. */
START_TEST(rda_diet_physiology) {
    char dir[512];
    fresh_dir("rda", dir, sizeof dir);
    const char *args[] = {"body", EX "rda-diet.yaml", "-o", dir, "-q", NULL};
    expect(args, 0, NULL, NULL);
    json_t *j = load_summary(dir);
    double serum = num(j, "serum_total_mM"), fe = num(j, "fractional_excretion");
    double urine = num(j, "urine_mg_per_day"), ratio = num(j, "csf_to_plasma");
    ck_assert_msg(serum >= 0.75 && serum <= 0.95, "serum %g", serum);
    ck_assert_msg(fe >= 0.03 && fe <= 0.05, "FE %g", fe);
    ck_assert_msg(urine >= 100 && urine <= 120, "urine %g", urine);
    ck_assert_msg(fabs(ratio - 1.3) <= 0.05, "CSF/plasma %g", ratio);
    num(j, "fractional_absorption");
    num(j, "csf_mM");
    json_t *mb = json_object_get(j, "mass_balance");
    ck_assert_msg(fabs(num(mb, "error_mg")) <= 1e-9 * num(mb, "intake_mg"), "balance %g",
                  num(mb, "error_mg"));
    ck_assert_int_eq(json_array_size(json_object_get(j, "warnings")), 0);
    json_decref(j);
    char path[600];
    /* 14 days hourly: 337 samples and a header */
    ck_assert_int_eq(rd_count_lines(rd_path(path, sizeof path, dir, "timeseries.csv")), 338);
    ck_assert(rd_exists(dir, "report.html") && rd_exists(dir, "scenario.resolved.yaml"));
}
END_TEST

/* The fast integrator gives the command's numbers within 1e-5 (tests/test_kinetics.c
 * bounds FAST vs CVODE at 1e-5 relative). */
START_TEST(fast_solver_agrees) {
    char d1[512], d2[512];
    fresh_dir("cvode", d1, sizeof d1);
    fresh_dir("fast", d2, sizeof d2);
    const char *a1[] = {"body", EX "threonate-evening.yaml", "-o", d1, "-q", NULL};
    const char *a2[] = {"body", EX "threonate-evening.yaml", "-o", d2, "-q", "--set", "solver=fast",
                        NULL};
    expect(a1, 0, NULL, NULL);
    expect(a2, 0, NULL, NULL);
    json_t *x = load_summary(d1), *y = load_summary(d2);
    ck_assert(fabs(num(x, "csf_mM") / num(y, "csf_mM") - 1) < 1e-5);
    ck_assert(fabs(num(x, "serum_total_mM") / num(y, "serum_total_mM") - 1) < 1e-5);
    ck_assert(num(x, "doses_taken") + num(x, "doses_missed") == 28);
    json_decref(x);
    json_decref(y);
}
END_TEST

START_TEST(flags_and_bad_input) {
    char dir[512], path[600], out[512];
    fresh_dir("bad", dir, sizeof dir);
    fresh_dir("bad_out", out, sizeof out);
    /* above the UL and eGFR < 30: runs, flagged on stderr and in summary.json */
    write_file(dir, "ul.yaml",
               "duration_days: 2\nperson: {egfr_ml_min: 25}\nregimen:\n  doses:\n"
               "    - {time: \"08:00\", mg: 400, form: citrate}\n",
               path, sizeof path);
    const char *a[] = {"body", path, "-o", out, "-q", NULL};
    expect(a, 0, NULL, "above the 350 mg/day");
    json_t *j = load_summary(out);
    ck_assert_int_eq(json_array_size(json_object_get(j, "warnings")), 2);
    json_decref(j);
    char out2[512];
    fresh_dir("bad_out2", out2, sizeof out2);
    write_file(dir, "form.yaml",
               "regimen:\n  doses:\n    - {time: \"08:00\", mg: 100, form: citrat}\n", path,
               sizeof path);
    const char *b[] = {"body", path, "-o", out2, NULL};
    expect(b, 78, NULL, "form.yaml:3:38: regimen.doses[0].form: unknown salt form");
    ck_assert_int_le(rd_count_entries(out2), 0);
    write_file(dir, "time.yaml",
               "regimen:\n  doses:\n    - {time: \"24:00\", mg: 100, form: oxide}\n", path,
               sizeof path);
    const char *c[] = {"body", path, NULL};
    expect(c, 78, NULL, "HH:MM");
    const char *d[] = {"body", EX "rda-diet.yaml", "--set", "person.weight_kg=-3", NULL};
    expect(d, 65, NULL, "person.weight_kg");
    const char *e[] = {"body", EX "rda-diet.yaml", "--set", "diet.mg_per_day=-1", NULL};
    expect(e, 65, NULL, "--set #1");
    const char *f[] = {"body", EX "rda-diet.yaml", "--set", "person.sex=other", NULL};
    expect(f, 78, NULL, "female, male");
}
END_TEST

int main(void) {
    Suite *s = suite_create("cli_body");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, rda_diet_physiology);
    tcase_add_test(tc, fast_solver_agrees);
    tcase_add_test(tc, flags_and_bad_input);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
