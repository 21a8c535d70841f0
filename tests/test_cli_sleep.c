/* mgsim-test: unit */
/* `mgsim sleep` end to end: the normal-adult example reproduces the published night
 * structure through the command, age moves the metrics the published way, and bad
 * scenarios fail with file:line:column and leave nothing in DIR. */
#include <check.h>
#include <math.h>

#include "mgsim/base.h"

#define TMP MGSIM_TEST_TMP "/cli_sleep"
#include "cli_run.h"

#define EX MGSIM_SOURCE_DIR "/examples/sleep/"

/* Standard error of the mean of summary key k over the nights of per_night. */
static double night_sem(json_t *j, const char *k) {
    json_t *per = json_object_get(j, "per_night");
    size_t n = json_array_size(per);
    double s = 0, s2 = 0;
    for (size_t i = 0; i < n; i++) {
        double v = json_number_value(json_object_get(json_array_get(per, i), k));
        s += v;
        s2 += v * v;
    }
    double mean = s / (double)n, var = n > 1 ? (s2 - (double)n * mean * mean) / (double)(n - 1) : 0;
    return var > 0 ? sqrt(var / (double)n) : 0.0;
}

/* Normal adult night (refs sleep-and-stress-models §2.3 / §5: N1 2–5 %, N2 45–55 %,
 * N3 10–20 %, REM 20–25 % of total sleep; NREM–REM cycles of about 90 min). The ranges
 * are the published normal ranges (population means); the example's mean over its 3 nights
 * carries the sampling error of the arousal process, so each share may lie outside its range
 * by 2 standard errors of that mean (as in tests/test_sleep_stages.c); cycles are accepted
 * from 70 to 120 min, the spread of cycle lengths in healthy adults (refs §5). */
START_TEST(normal_adult_night) {
    char dir[512];
    fresh_dir("normal", dir, sizeof dir);
    const char *args[] = {"sleep", EX "normal-adult.yaml", "-o", dir, "-q", NULL};
    expect(args, 0, NULL, NULL);
    json_t *j = load_summary(dir);
    double n1 = num(j, "n1_pct"), n2 = num(j, "n2_pct"), n3 = num(j, "n3_pct");
    double rem = num(j, "rem_pct"), cyc = num(j, "mean_cycle_min");
    double e1 = 2 * night_sem(j, "n1_pct"), e2 = 2 * night_sem(j, "n2_pct");
    double e3 = 2 * night_sem(j, "n3_pct"), er = 2 * night_sem(j, "rem_pct");
    ck_assert_msg(n1 >= 2 - e1 && n1 <= 5 + e1, "N1 %g %% (2 SEM %g)", n1, e1);
    ck_assert_msg(n2 >= 45 - e2 && n2 <= 55 + e2, "N2 %g %% (2 SEM %g)", n2, e2);
    ck_assert_msg(n3 >= 10 - e3 && n3 <= 20 + e3, "N3 %g %% (2 SEM %g)", n3, e3);
    ck_assert_msg(rem >= 20 - er && rem <= 25 + er, "REM %g %% (2 SEM %g)", rem, er);
    /* REM periods lengthen across the night (Carskadon & Dement): mean over the nights > 0 */
    ck_assert_msg(num(j, "rem_lengthening_min") > 0, "REM lengthening %g min",
                  num(j, "rem_lengthening_min"));
    ck_assert_msg(cyc >= 70 && cyc <= 120, "cycle %g min", cyc);
    ck_assert_msg(fabs(n1 + n2 + n3 + rem - 100) < 1e-6, "shares sum to %g", n1 + n2 + n3 + rem);
    for (const char *const *k =
             (const char *const[]){"total_sleep_min", "sleep_efficiency", "sleep_onset_latency_min",
                                   "waso_min", "first_rem_latency_min", "cycles",
                                   "rem_lengthening_min", NULL};
         *k; k++)
        num(j, *k);
    ck_assert_int_eq(json_array_size(json_object_get(j, "per_night")), 3);
    json_decref(j);
    /* 3 nights of 960 epochs and a header */
    char path[600];
    ck_assert_int_eq(rd_count_lines(rd_path(path, sizeof path, dir, "hypnogram.csv")), 2881);
    ck_assert(rd_exists(dir, "report.html") && rd_exists(dir, "nights.csv"));
    /* the resolved scenario gives the same nights */
    char dir2[512];
    fresh_dir("resolved", dir2, sizeof dir2);
    const char *args2[] = {
        "sleep", rd_path(path, sizeof path, dir, "scenario.resolved.yaml"), "-o", dir2, "-q", NULL};
    expect(args2, 0, NULL, NULL);
    json_t *a = load_summary(dir), *b = load_summary(dir2);
    ck_assert(num(a, "total_sleep_min") == num(b, "total_sleep_min"));
    ck_assert(num(a, "n3_pct") == num(b, "n3_pct"));
    json_decref(a);
    json_decref(b);
}
END_TEST

/* Age (Boulos et al. 2019, refs §5: per decade less N3, more WASO, lower efficiency). */
START_TEST(older_adult_trends) {
    char d1[512], d2[512];
    fresh_dir("young", d1, sizeof d1);
    fresh_dir("old", d2, sizeof d2);
    const char *a1[] = {"sleep", EX "normal-adult.yaml", "-o", d1, "-q", NULL};
    const char *a2[] = {"sleep", EX "older-adult.yaml", "-o", d2, "-q", NULL};
    expect(a1, 0, NULL, NULL);
    expect(a2, 0, NULL, NULL);
    json_t *y = load_summary(d1), *o = load_summary(d2);
    ck_assert(num(o, "n3_pct") < num(y, "n3_pct"));
    ck_assert(num(o, "waso_min") > num(y, "waso_min"));
    ck_assert(num(o, "sleep_efficiency") < num(y, "sleep_efficiency"));
    json_decref(y);
    json_decref(o);
}
END_TEST

/* Caffeine in the Phillips-Robinson model delays sleep and shortens it (direction: caffeine
 * is an adenosine antagonist, refs sleep-and-stress s3.2; the sizes are assumptions, so only
 * the direction is asserted); stage metrics are null in this wake/sleep model. */
START_TEST(caffeine_delays_sleep) {
    char d0[512], d1[512];
    fresh_dir("pr0", d0, sizeof d0);
    fresh_dir("pr1", d1, sizeof d1);
    const char *a[] = {"sleep", EX "evening-coffee.yaml", "-o", d1, "-q", NULL};
    const char *b[] = {"sleep", EX "evening-coffee.yaml", "-o", d0, "-q", "--set", "caffeine=[]",
                       NULL};
    expect(a, 0, NULL, NULL);
    expect(b, 0, NULL, NULL);
    json_t *with = load_summary(d1), *without = load_summary(d0);
    ck_assert(num(with, "sleep_onset_latency_min") > num(without, "sleep_onset_latency_min"));
    ck_assert(num(with, "total_sleep_min") < num(without, "total_sleep_min"));
    ck_assert(json_is_null(json_object_get(with, "n3_pct")));
    ck_assert_str_eq(json_string_value(json_object_get(with, "model")), "phillips-robinson");
    json_decref(with);
    json_decref(without);
    /* caffeine needs the model that has an adenosine input */
    const char *c[] = {"sleep", EX "evening-coffee.yaml", "--set", "sleep.model=stages", NULL};
    expect(c, 78, NULL, "phillips-robinson");
}
END_TEST

/* The brain-Mg -> slow-wave hypothesis (Held et al. 2002: oral Mg in 12 elderly raised SWS by
 * 16.5 +- 20.4 min against 10.1 +- 15.4 min on placebo, refs sleep-and-stress s9.3) moves N3
 * up, and at its cap by no more than the trial's net +6.4 min (the calibrated size); off, the
 * night is unchanged. 75-year-old, 20 nights, brain Mg 1.2 mM against the 1.0 reference. */
START_TEST(mg_slow_wave_hypothesis) {
    double n3_min[2];
    const char *gain[2] = {"coupling.mg_sleep.swa_gain_per_mM=0",
                           "coupling.mg_sleep.swa_gain_per_mM=10"};
    for (int i = 0; i < 2; i++) {
        char dir[512], name[16];
        snprintf(name, sizeof name, "swa%d", i);
        fresh_dir(name, dir, sizeof dir);
        const char *a[] = {
            "sleep", EX "older-adult.yaml", "-o",    dir,     "-q", "--set", "sleep.nights=20",
            "--set", "brain.mg_mM=1.2",     "--set", gain[i], NULL};
        expect(a, 0, NULL, NULL);
        json_t *j = load_summary(dir);
        n3_min[i] = num(j, "n3_pct") * num(j, "total_sleep_min") / 100;
        json_decref(j);
    }
    ck_assert_msg(n3_min[1] > n3_min[0] && n3_min[1] - n3_min[0] <= 16.5 - 10.1,
                  "N3 %.2f -> %.2f min", n3_min[0], n3_min[1]);
}
END_TEST

START_TEST(bad_scenarios) {
    char dir[512], path[600], out[512];
    fresh_dir("bad", dir, sizeof dir);
    fresh_dir("bad_out", out, sizeof out);
    write_file(dir, "a.yaml", "sleep:\n  bedtime: \"11pm\"\n", path, sizeof path);
    const char *a[] = {"sleep", path, "-o", out, NULL};
    expect(a, 78, NULL, "a.yaml:2:12");
    ck_assert_int_le(rd_count_entries(out), 0);
    const char *b[] = {"sleep", EX "normal-adult.yaml", "--set", "sleep.nights=0", NULL};
    expect(b, 65, NULL, "sleep.nights");
    const char *c[] = {"sleep", EX "normal-adult.yaml", "--set", "person.age_y=10", NULL};
    expect(c, 65, NULL, "18 to 100");
    const char *d[] = {"sleep", EX "normal-adult.yaml", "--set", "sleep.bedtim=23:00", NULL};
    expect(d, 78, NULL, "did you mean 'sleep.bedtime'");
    const char *e[] = {"sleep", "--help", NULL};
    expect(e, 0, "sleep.bedtime = \"23:00\"", NULL);
}
END_TEST

int main(void) {
    Suite *s = suite_create("cli_sleep");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, normal_adult_night);
    tcase_add_test(tc, older_adult_trends);
    tcase_add_test(tc, bad_scenarios);
    tcase_add_test(tc, caffeine_delays_sleep);
    tcase_add_test(tc, mg_slow_wave_hypothesis);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
