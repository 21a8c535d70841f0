/* mgsim-test: unit */
/* `mgsim population` end to end: the baseline example gives about 48 % below the EAR
 * (NHANES 2013-2016) and writes every file; 1 and 2 threads, and `mpirun -np 2` (skipped when
 * mpirun is missing or the build has no MPI), give the same summary numbers; the soil-1940
 * example raises the mean intake by its factor; bad scenarios fail with file:line:column and
 * leave nothing in DIR. */
#include <check.h>
#include <math.h>
#include <stdio.h>

#include "mgsim/base.h"

#define TMP MGSIM_TEST_TMP "/cli_population"
#include "cli_run.h"

#define EX MGSIM_SOURCE_DIR "/examples/population/"

/* The summary numbers that must not depend on threads or ranks (timing ones excluded). */
static const char *const RESULT_KEYS[] = {"n_people",
                                          "share_below_ear",
                                          "share_below_ear_with_supplements",
                                          "share_taking_supplement",
                                          "mean_food_mg_per_day",
                                          "mean_supplement_mg_per_day",
                                          "share_serum_below_0_75",
                                          "max_abs_balance_error_mg",
                                          NULL};

static void same_results(json_t *a, json_t *b) {
    for (int i = 0; RESULT_KEYS[i]; i++)
        ck_assert_msg(num(a, RESULT_KEYS[i]) == num(b, RESULT_KEYS[i]), "%s: %.17g vs %.17g",
                      RESULT_KEYS[i], num(a, RESULT_KEYS[i]), num(b, RESULT_KEYS[i]));
    const char *dists[2] = {"serum_total_mM", "csf_mM"};
    for (int d = 0; d < 2; d++) {
        json_t *x = json_object_get(a, dists[d]), *y = json_object_get(b, dists[d]);
        ck_assert(json_is_object(x) && json_is_object(y));
        const char *k;
        json_t *v;
        json_object_foreach(x, k, v) {
            ck_assert_msg(json_number_value(v) == json_number_value(json_object_get(y, k)),
                          "%s.%s differs", dists[d], k);
        }
    }
}

/* Baseline, 4000 people: share below the EAR 0.48 (NHANES 2013-2016, NIH ODS; refs s12);
 * binomial SE sqrt(0.48 x 0.52 / 4000) = 0.0079, tolerance 0.032 = 4 SE. The serum median must
 * lie in the IOM 1997 reference range 0.75-0.95 mM; person_days_per_s is reported; people.csv
 * has one row per person; report.html carries the not-medical-advice note. */
START_TEST(baseline) {
    char dir[512];
    fresh_dir("baseline", dir, sizeof dir);
    const char *args[] = {"population", EX "baseline.yaml",         "-o",    dir,
                          "--set",      "population.n_people=4000", "--set", "duration_days=3",
                          NULL};
    expect(args, 0, "share_below_ear", NULL);
    json_t *j = load_summary(dir);
    double share = num(j, "share_below_ear");
    printf("cli_population: baseline share_below_ear %.4f, person_days_per_s %.3g\n", share,
           num(j, "person_days_per_s"));
    ck_assert_msg(fabs(share - 0.48) <= 0.032, "share %g", share);
    ck_assert(num(j, "person_days_per_s") > 0);
    ck_assert(num(j, "ranks") == 1);
    json_t *serum = json_object_get(j, "serum_total_mM");
    double med = json_number_value(json_object_get(serum, "q50"));
    ck_assert_msg(med >= 0.75 && med <= 0.95, "serum median %g", med);
    json_decref(j);
    char path[600];
    ck_assert_int_eq(rd_count_lines(rd_path(path, sizeof path, dir, "people.csv")), 4001);
    ck_assert(rd_exists(dir, "scenario.resolved.yaml"));
    char *html = rd_slurp(rd_path(path, sizeof path, dir, "report.html"));
    ck_assert_ptr_nonnull(html);
    ck_assert_ptr_nonnull(strstr(html, "not medical advice"));
    free(html);
    ck_assert_int_eq(rd_count_hidden(dir), 0);
    /* the resolved scenario loads back to the same numbers */
    char dir2[512];
    fresh_dir("baseline_resolved", dir2, sizeof dir2);
    const char *args2[] = {"population", rd_path(path, sizeof path, dir, "scenario.resolved.yaml"),
                           "-o",         dir2,
                           "-q",         NULL};
    expect(args2, 0, NULL, NULL);
    json_t *a = load_summary(dir), *b = load_summary(dir2);
    same_results(a, b);
    json_decref(a);
    json_decref(b);
}
END_TEST

/* 1 and 2 threads: identical numbers (each person is a pure function of seed and index, and
 * the summary is computed in person order). */
START_TEST(threads) {
    char d1[512], d2[512];
    fresh_dir("t1", d1, sizeof d1);
    fresh_dir("t2", d2, sizeof d2);
    const char *a1[] = {"population",
                        EX "supplements.yaml",
                        "-o",
                        d1,
                        "-q",
                        "--set",
                        "population.n_people=1500",
                        "--set",
                        "duration_days=4",
                        "--set",
                        "threads=1",
                        NULL};
    const char *a2[] = {"population",
                        EX "supplements.yaml",
                        "-o",
                        d2,
                        "-q",
                        "--set",
                        "population.n_people=1500",
                        "--set",
                        "duration_days=4",
                        "--set",
                        "threads=2",
                        NULL};
    expect(a1, 0, NULL, NULL);
    expect(a2, 0, NULL, NULL);
    json_t *x = load_summary(d1), *y = load_summary(d2);
    same_results(x, y);
    ck_assert(num(y, "threads") == 2);
    ck_assert(num(x, "share_taking_supplement") > 0.15);
    json_decref(x);
    json_decref(y);
}
END_TEST

/* mpirun -np 2 equals one process (rank 0 gathers the people in order and summarises as one
 * process would). Skipped when mpirun is not installed or this build has no MPI. */
START_TEST(mpi_two_ranks) {
    if (access("/usr/bin/mpirun", X_OK) != 0 && system("command -v mpirun >/dev/null 2>&1")) {
        printf("cli_population: SKIP mpirun: not installed\n");
        return;
    }
    const char *h[] = {"population", "--help", NULL};
    run_result r = run(h);
    int has_mpi = strstr(r.out, "MPI enabled") != NULL;
    result_free(&r);
    if (!has_mpi) {
        printf("cli_population: SKIP mpirun: this build has no MPI\n");
        return;
    }
    char d1[512], d2[512], cmd[2048];
    fresh_dir("mpi1", d1, sizeof d1);
    fresh_dir("mpi2", d2, sizeof d2);
    const char *a1[] = {"population",
                        EX "supplements.yaml",
                        "-o",
                        d1,
                        "-q",
                        "--set",
                        "population.n_people=1001",
                        "--set",
                        "duration_days=3",
                        "--set",
                        "threads=1",
                        NULL};
    expect(a1, 0, NULL, NULL);
    /* LeakSanitizer reports Open MPI's own allocations (libmpi) as leaks: off for mpirun only */
    snprintf(cmd, sizeof cmd,
             "ASAN_OPTIONS=detect_leaks=0 OMPI_MCA_plm_rsh_agent= mpirun --allow-run-as-root "
             "--oversubscribe -np 2 %s "
             "population %s -o %s -q --set population.n_people=1001 --set duration_days=3 "
             "--set threads=1 > %s.log 2>&1",
             MGSIM_BINARY, EX "supplements.yaml", d2, d2);
    int rc = system(cmd);
    if (rc != 0) {
        char logp[600];
        snprintf(logp, sizeof logp, "%s.log", d2);
        char *log = rd_slurp(logp);
        if (log && strlen(log) > 2000)
            log[2000] = '\0'; /* Check's message limit */
        ck_assert_msg(0, "mpirun failed (%d): %s", rc, log ? log : "");
    }
    json_t *x = load_summary(d1), *y = load_summary(d2);
    same_results(x, y);
    ck_assert(num(y, "ranks") == 2);
    json_decref(x);
    json_decref(y);
    /* people.csv is byte-identical */
    char p1[600], p2[600];
    char *c1 = rd_slurp(rd_path(p1, sizeof p1, d1, "people.csv"));
    char *c2 = rd_slurp(rd_path(p2, sizeof p2, d2, "people.csv"));
    ck_assert(c1 && c2 && strcmp(c1, c2) == 0);
    free(c1);
    free(c2);
}
END_TEST

/* soil-1940 vs baseline (soil-2020), same seed: every person's food intake x 1/0.9 (Mayer,
 * Trenchard & Rayns 2022, data/soil_scenarios.csv), so the mean intake ratio is 1.111111 to
 * printing precision (1e-9) and the share below the EAR falls. */
START_TEST(soil_decline) {
    char d1[512], d2[512];
    fresh_dir("soil2020", d1, sizeof d1);
    fresh_dir("soil1940", d2, sizeof d2);
    const char *a1[] = {
        "population", EX "baseline.yaml", "-o", d1, "-q", "--set", "population.n_people=2000",
        "--set",      "duration_days=2",  NULL};
    const char *a2[] = {
        "population", EX "soil-1940.yaml", "-o", d2, "-q", "--set", "population.n_people=2000",
        "--set",      "duration_days=2",   NULL};
    expect(a1, 0, NULL, NULL);
    expect(a2, 0, NULL, NULL);
    json_t *x = load_summary(d1), *y = load_summary(d2);
    double ratio = num(y, "mean_food_mg_per_day") / num(x, "mean_food_mg_per_day");
    printf("cli_population: soil-1940 / soil-2020 mean intake %.9f; below EAR %.4f -> %.4f\n",
           ratio, num(x, "share_below_ear"), num(y, "share_below_ear"));
    ck_assert_msg(fabs(ratio - 1.111111) < 1e-9, "ratio %.12g", ratio);
    ck_assert(num(y, "soil_factor") == 1.111111);
    ck_assert(num(y, "share_below_ear") < num(x, "share_below_ear"));
    json_decref(x);
    json_decref(y);
}
END_TEST

static void bad_scenario(const char *name, const char *text, int code, const char *needle) {
    char dir[512], out[512], path[600];
    fresh_dir(name, dir, sizeof dir);
    rd_join(out, sizeof out, dir, "/", "out");
    write_file(dir, "s.yaml", text, path, sizeof path);
    const char *args[] = {"population", path, "-o", out, NULL};
    expect(args, code, NULL, needle);
    ck_assert(!rd_exists(dir, "out"));
}

/* Bad input: negative counts, shares outside 0..1, a huge population refused before anything
 * is allocated, person-level keys, unknown scenario and salt form: each names file:line:col. */
START_TEST(bad_input) {
    bad_scenario("neg", "population:\n  n_people: -5\n", 78, "s.yaml:2:");
    bad_scenario("share", "supplement:\n  share: 1.5\n", 65, "s.yaml:2:10");
    bad_scenario("female", "population:\n  share_female: -0.1\n", 65, "s.yaml:2:");
    bad_scenario("huge", "population:\n  n_people: 1000000000000\n", 65, "s.yaml:2:");
    bad_scenario("person", "person:\n  age_y: 40\n", 78, "population.age_min_y");
    bad_scenario("mgday", "diet:\n  mg_per_day: 300\n", 78, "s.yaml:2:");
    bad_scenario("soil", "diet:\n  soil_scenario: soil-1066\n", 78, "s.yaml:2:");
    bad_scenario("form", "supplement:\n  form: unobtainium\n", 78, "s.yaml:2:");
    bad_scenario("ages", "population:\n  age_min_y: 60\n  age_max_y: 40\n", 65, "s.yaml:3:");
}
END_TEST

static Suite *suite(void) {
    Suite *s = suite_create("cli_population");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, baseline);
    tcase_add_test(tc, threads);
    tcase_add_test(tc, mpi_two_ranks);
    tcase_add_test(tc, soil_decline);
    tcase_add_test(tc, bad_input);
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
