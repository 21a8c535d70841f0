/* mgsim-test: unit */
/* `mgsim stress` end to end: the normal-day example reproduces the published cortisol
 * profile through the command, an acute stressor shows in the output, and bad scenarios
 * fail with file:line:column and leave nothing in DIR. */
#include <check.h>
#include <math.h>

#include "mgsim/base.h"

#define TMP MGSIM_TEST_TMP "/cli_stress"
#include "cli_run.h"

#define EX MGSIM_SOURCE_DIR "/examples/stress/"

/* Published healthy profile (refs sleep-and-stress-models §2.4, §8): peak near 08:30 at
 * about 430 nmol/L, nadir near midnight below 55 nmol/L. Tolerances as in tests/test_hpa.c:
 * peak value ±25 % (the spread of healthy morning peaks), peak time 06:30–10:00, nadir
 * between 20:00 and 03:00. */
START_TEST(normal_day_profile) {
    char dir[512];
    fresh_dir("normal", dir, sizeof dir);
    const char *args[] = {"stress", EX "normal-day.yaml", "-o", dir, "-q", NULL};
    expect(args, 0, NULL, NULL);
    json_t *j = load_summary(dir);
    double peak = num(j, "cortisol_peak_nmol_l"), t_peak = num(j, "cortisol_peak_clock_h");
    double nadir = num(j, "cortisol_nadir_nmol_l"), t_nadir = num(j, "cortisol_nadir_clock_h");
    ck_assert_msg(fabs(peak - 430) <= 0.25 * 430, "peak %g", peak);
    ck_assert_msg(t_peak >= 6.5 && t_peak <= 10.0, "peak at %g h", t_peak);
    ck_assert_msg(nadir < 55, "nadir %g", nadir);
    ck_assert_msg(t_nadir >= 20.0 || t_nadir <= 3.0, "nadir at %g h", t_nadir);
    ck_assert(json_is_array(json_object_get(j, "parameters")));
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(j, "note")), "not medical"));
    json_decref(j);
    ck_assert(rd_exists(dir, "timeseries.csv") && rd_exists(dir, "days.csv") &&
              rd_exists(dir, "report.html") && rd_exists(dir, "scenario.resolved.yaml"));
    ck_assert_int_eq(rd_count_hidden(dir), 0);
    /* 3 days every 10 min: 433 samples and a header */
    char path[600];
    ck_assert_int_eq(rd_count_lines(rd_path(path, sizeof path, dir, "timeseries.csv")), 434);
    /* the resolved scenario loads back and gives the same summary */
    char dir2[512];
    fresh_dir("resolved", dir2, sizeof dir2);
    const char *args2[] = {"stress", rd_path(path, sizeof path, dir, "scenario.resolved.yaml"),
                           "-o",     dir2,
                           "-q",     NULL};
    expect(args2, 0, NULL, NULL);
    json_t *a = load_summary(dir), *b = load_summary(dir2);
    ck_assert(num(a, "cortisol_peak_nmol_l") == num(b, "cortisol_peak_nmol_l"));
    ck_assert(num(a, "cortisol_mean_nmol_l") == num(b, "cortisol_mean_nmol_l"));
    json_decref(a);
    json_decref(b);
}
END_TEST

/* An afternoon exam (acute stressor) raises that day's mean cortisol over the same day
 * without it; direction only (the size depends on the assumed level). */
START_TEST(acute_stressor_raises_cortisol) {
    char d1[512], d2[512];
    fresh_dir("calm", d1, sizeof d1);
    fresh_dir("exam", d2, sizeof d2);
    const char *a1[] = {"stress", EX "normal-day.yaml",  "-o", d1, "-q",
                        "--set",  "summary.skip_days=2", NULL};
    const char *a2[] = {"stress", EX "exam-afternoon.yaml", "-o", d2, "-q",
                        "--set",  "summary.skip_days=2",    NULL};
    expect(a1, 0, NULL, NULL);
    expect(a2, 0, NULL, NULL);
    json_t *j1 = load_summary(d1), *j2 = load_summary(d2);
    ck_assert_msg(num(j2, "cortisol_mean_nmol_l") > 1.1 * num(j1, "cortisol_mean_nmol_l"),
                  "exam %g vs calm %g", num(j2, "cortisol_mean_nmol_l"),
                  num(j1, "cortisol_mean_nmol_l"));
    json_decref(j1);
    json_decref(j2);
}
END_TEST

START_TEST(bad_scenarios) {
    char dir[512], path[600];
    fresh_dir("bad", dir, sizeof dir);
    char out[512];
    fresh_dir("bad_out", out, sizeof out);
    write_file(dir, "a.yaml",
               "duration_days: 2\nstressors:\n  - {kind: acute, start: \"25:00\", "
               "duration_h: 1, level: 1}\n",
               path, sizeof path);
    const char *a[] = {"stress", path, "-o", out, NULL};
    expect(a, 78, NULL, "a.yaml:3:26");
    ck_assert_int_eq(rd_count_entries(out) <= 0, 1);
    write_file(dir, "b.yaml",
               "duration_days: 2\nstressors:\n  - {kind: acute, start: \"10:00\", "
               "duration_h: 1, level: -1}\n",
               path, sizeof path);
    const char *b[] = {"stress", path, "-o", out, NULL};
    expect(b, 65, NULL, "b.yaml:3:57");
    write_file(dir, "c.yaml", "duration_days: 2\nstresors: []\n", path, sizeof path);
    const char *c[] = {"stress", path, NULL};
    expect(c, 78, NULL, "did you mean 'stressors'");
    write_file(dir, "d.yaml",
               "duration_days: 2\nstressors:\n  - {kind: panic, start: \"10:00\", "
               "duration_h: 1, level: 1}\n",
               path, sizeof path);
    const char *d[] = {"stress", path, NULL};
    expect(d, 78, NULL, "acute or chronic");
    const char *e[] = {"stress", EX "normal-day.yaml", "--set", "hpa.w3_per_min=-1", NULL};
    expect(e, 65, NULL, "--set #1");
    const char *f[] = {"stress", EX "normal-day.yaml", "--set", "duration_days=0", NULL};
    expect(f, 65, NULL, "duration_days");
    write_file(dir, "g.yaml",
               "duration_days: 2\nstressors:\n  - {kind: acute, day: 5, start: "
               "\"10:00\", duration_h: 1, level: 1}\n",
               path, sizeof path);
    const char *g[] = {"stress", path, NULL};
    expect(g, 65, NULL, "after the run's last day");
    const char *h[] = {"stress", "--help", NULL};
    expect(h, 0, "coupling.mg_deficiency_hpa.gain = 0", NULL);
}
END_TEST

int main(void) {
    Suite *s = suite_create("cli_stress");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, normal_day_profile);
    tcase_add_test(tc, acute_stressor_raises_cortisol);
    tcase_add_test(tc, bad_scenarios);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
