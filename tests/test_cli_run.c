/* mgsim-test: unit */
/* `mgsim run` (the main job) end to end: the default scenario writes every file with a
 * consistent summary, the same seed gives the same data, the resolved scenario reproduces
 * the run, Ctrl-C leaves a consistent partial result, and bad scenarios fail with
 * file:line:column and leave nothing in DIR. */
#include <check.h>
#include <math.h>
#include <signal.h>
#include <time.h>

#include "mgsim/base.h"

#define TMP MGSIM_TEST_TMP "/cli_run"
#include "cli_run.h"

#define DEFAULT MGSIM_SOURCE_DIR "/examples/run/default.yaml"

static int same_file(const char *a, const char *b) {
    char *x = rd_slurp(a), *y = rd_slurp(b);
    int same = x && y && strcmp(x, y) == 0;
    free(x);
    free(y);
    return same;
}

/* The default scenario, shortened to 7 days. Mass balance: issue 6, "the coupled run
 * conserves Mg mass to 1e-9 relative". */
START_TEST(default_scenario) {
    char d1[512], d2[512], d3[512], p1[600], p2[600];
    fresh_dir("a", d1, sizeof d1);
    fresh_dir("b", d2, sizeof d2);
    fresh_dir("c", d3, sizeof d3);
    const char *a[] = {"run", DEFAULT, "-o", d1, "-q", "--set", "duration_days=7", NULL};
    expect(a, 0, NULL, NULL);
    json_t *j = load_summary(d1);
    ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "complete");
    ck_assert_int_eq((int)num(j, "days_completed"), 7);
    json_t *mb = json_object_get(j, "mass_balance");
    ck_assert_msg(fabs(num(mb, "error_mg")) <= 1e-9 * num(mb, "intake_mg"), "balance %g",
                  num(mb, "error_mg"));
    /* a supplement below the UL raises CSF Mg a little (direction only) */
    ck_assert(num(j, "csf_change_percent") > 0);
    ck_assert(num(j, "serum_total_mM") > 0.75 && num(j, "serum_total_mM") < 0.95);
    ck_assert(isfinite(num(j, "ltp_percent_first")) && isfinite(num(j, "snr_first")));
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(j, "note")), "not medical"));
    json_decref(j);
    static const char *const files[] = {"timeseries.csv",        "days.csv",     "probes.csv",
                                        "hypnogram.csv",         "summary.json", "report.html",
                                        "scenario.resolved.yaml"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        ck_assert_msg(rd_exists(d1, files[i]), "no %s", files[i]);
    ck_assert_int_eq(rd_count_lines(rd_path(p1, sizeof p1, d1, "timeseries.csv")), 7 * 24 + 2);
    ck_assert_int_eq(rd_count_lines(rd_path(p1, sizeof p1, d1, "days.csv")), 8);
    /* tetanus daily (7) and snr weekly (1) */
    ck_assert_int_eq(rd_count_lines(rd_path(p1, sizeof p1, d1, "probes.csv")), 9);
    /* the same seed gives the same data */
    const char *b[] = {"run", DEFAULT, "-o", d2, "-q", "--set", "duration_days=7", NULL};
    expect(b, 0, NULL, NULL);
    static const char *const data[] = {"timeseries.csv", "days.csv", "probes.csv", "hypnogram.csv"};
    for (size_t i = 0; i < 4; i++)
        ck_assert_msg(
            same_file(rd_path(p1, sizeof p1, d1, data[i]), rd_path(p2, sizeof p2, d2, data[i])),
            "%s differs between two runs with the same seed", data[i]);
    /* the resolved scenario reproduces the run */
    const char *c[] = {"run", rd_path(p1, sizeof p1, d1, "scenario.resolved.yaml"), "-o", d3, "-q",
                       NULL};
    expect(c, 0, NULL, NULL);
    for (size_t i = 0; i < 4; i++)
        ck_assert_msg(
            same_file(rd_path(p1, sizeof p1, d1, data[i]), rd_path(p2, sizeof p2, d3, data[i])),
            "%s differs after loading scenario.resolved.yaml", data[i]);
}
END_TEST

/* SIGINT during a long run: exit 130, every file complete for the days done, marked
 * partial in summary.json. */
START_TEST(interrupt_leaves_partial_result) {
    char dir[512], out_path[600], err_path[600];
    fresh_dir("int", dir, sizeof dir);
    mkdir(dir, 0777);
    rd_path(out_path, sizeof out_path, dir, "stdout.txt");
    rd_path(err_path, sizeof err_path, dir, "stderr.txt");
    char out[600];
    rd_path(out, sizeof out, dir, "out");
    pid_t pid = spawn((const char *[]){"run", DEFAULT, "-o", out, "--set", "duration_days=3000",
                                       "--set", "homeostasis.on=false", NULL},
                      out_path, err_path);
    struct timespec tick = {0, 20000000};
    char *err = NULL;
    for (int k = 0; k < 3000; k++) {
        free(err);
        err = rd_slurp(err_path);
        if (err && strstr(err, "day 1 of 3000"))
            break;
        nanosleep(&tick, NULL);
    }
    ck_assert_msg(err && strstr(err, "day 1 of 3000"), "no progress: %s", err ? err : "");
    free(err);
    ck_assert_int_eq(kill(pid, SIGINT), 0);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    err = rd_slurp(err_path);
    ck_assert_msg(exit_status(status) == 130, "exit %d: %s", exit_status(status), err);
    ck_assert_ptr_nonnull(strstr(err, "interrupted after day"));
    free(err);
    json_t *j = load_summary(out);
    ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "partial");
    int done = (int)num(j, "days_completed");
    ck_assert(done >= 1 && done < 3000);
    json_t *mb = json_object_get(j, "mass_balance");
    ck_assert(fabs(num(mb, "error_mg")) <= 1e-9 * num(mb, "intake_mg"));
    json_decref(j);
    char p[700];
    ck_assert_int_eq(rd_count_lines(rd_path(p, sizeof p, out, "days.csv")), done + 1);
    ck_assert_int_eq(rd_count_hidden(out), 0);
}
END_TEST

/* Issue 6: "resuming gives the same results as an uninterrupted run". Interrupt a run
 * after its first day, --resume it, and compare every data file with a run that was never
 * interrupted (bytewise). */
START_TEST(resume_equals_uninterrupted) {
    char whole[512], part[512], out_path[600], err_path[600], a[600], b[600];
    fresh_dir("whole", whole, sizeof whole);
    fresh_dir("part", part, sizeof part);
    const char *w[] = {"run", DEFAULT, "-o", whole, "-q", "--set", "duration_days=30", NULL};
    expect(w, 0, NULL, NULL);
    mkdir(MGSIM_TEST_TMP, 0777);
    snprintf(out_path, sizeof out_path, "%s/resume_stdout.txt", MGSIM_TEST_TMP);
    snprintf(err_path, sizeof err_path, "%s/resume_stderr.txt", MGSIM_TEST_TMP);
    unlink(err_path); /* a stale file would look like progress */
    pid_t pid =
        spawn((const char *[]){"run", DEFAULT, "-o", part, "--set", "duration_days=30", NULL},
              out_path, err_path);
    struct timespec tick = {0, 5000000};
    char *err = NULL;
    for (int k = 0; k < 12000; k++) {
        free(err);
        err = rd_slurp(err_path);
        if (err && strstr(err, "day 1 of 30"))
            break;
        nanosleep(&tick, NULL);
    }
    free(err);
    kill(pid, SIGINT);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    ck_assert_msg(exit_status(status) == 130, "the run ended with %d before the interrupt",
                  exit_status(status));
    ck_assert(rd_exists(part, "checkpoint.bin"));
    const char *r[] = {"run", DEFAULT, "--resume", part, "-q", "--set", "duration_days=30", NULL};
    expect(r, 0, NULL, NULL);
    ck_assert(!rd_exists(part, "checkpoint.bin"));
    static const char *const data[] = {"timeseries.csv", "days.csv", "probes.csv", "hypnogram.csv"};
    for (size_t i = 0; i < 4; i++)
        ck_assert_msg(
            same_file(rd_path(a, sizeof a, whole, data[i]), rd_path(b, sizeof b, part, data[i])),
            "%s of the resumed run differs from the uninterrupted run", data[i]);
    json_t *j = load_summary(part);
    ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "complete");
    json_decref(j);
    /* resuming with other options is refused */
    const char *x[] = {"run", DEFAULT, "--resume", whole, "--set", "duration_days=30", NULL};
    expect(x, 66, NULL, "nothing to resume");
}
END_TEST

START_TEST(bad_scenarios) {
    char dir[512], path[600], out[512];
    fresh_dir("bad", dir, sizeof dir);
    fresh_dir("bad_out", out, sizeof out);
    write_file(dir, "a.yaml",
               "duration_days: 5\nprobes:\n  - {protocol: tetanus, at: \"10:00\", first_day: 9}\n",
               path, sizeof path);
    const char *a[] = {"run", path, "-o", out, NULL};
    expect(a, 65, NULL, "after the run's last day");
    ck_assert_int_le(rd_count_entries(out), 0);
    write_file(dir, "b.yaml", "probes:\n  - {protocol: ltp, at: \"10:00\"}\n", path, sizeof path);
    const char *b[] = {"run", path, NULL};
    expect(b, 78, NULL, "b.yaml:2:16: probes[0].protocol: unknown protocol; valid: tetanus");
    write_file(dir, "c.yaml", "regimen:\n  doses:\n    - {time: \"21:00\", mg: 100, form: magic}\n",
               path, sizeof path);
    const char *c[] = {"run", path, NULL};
    expect(c, 78, NULL, "valid forms");
    const char *d[] = {"run", DEFAULT, "--set", "duration_days=0", NULL};
    expect(d, 65, NULL, "duration_days");
    const char *e[] = {"run", DEFAULT, "--set", "person.weigth_kg=70", NULL};
    expect(e, 78, NULL, "did you mean 'person.weight_kg'");
    const char *g[] = {
        "run", DEFAULT, "--set", "diet.from_population=true", "--set", "diet.plan=x.yaml", NULL};
    expect(g, 78, NULL, "not both");
    /* --check loads everything and runs nothing */
    const char *h[] = {"run", DEFAULT, "--check", NULL};
    expect(h, 0, "scenario OK: 28 day(s)", NULL);
    const char *k[] = {"run", DEFAULT, "--check", "--set", "duration_days=0", NULL};
    expect(k, 65, NULL, "duration_days");
    const char *f[] = {"run", "--help", NULL};
    expect(f, 0, "probes: a list of", NULL);
}
END_TEST

/* diet.from_population draws the intake from the usual-intake distribution: two virtual
 * people get different intakes, and the draw is reproducible (same person, same value). */
START_TEST(population_diet_draw) {
    double v[3];
    const char *who[3] = {"diet.population_person=0", "diet.population_person=1",
                          "diet.population_person=0"};
    for (int i = 0; i < 3; i++) {
        char dir[512];
        char name[32];
        snprintf(name, sizeof name, "pop%d", i);
        fresh_dir(name, dir, sizeof dir);
        const char *a[] = {"run",
                           DEFAULT,
                           "-o",
                           dir,
                           "-q",
                           "--set",
                           "duration_days=1",
                           "--set",
                           "sleep.on=false",
                           "--set",
                           "homeostasis.on=false",
                           "--set",
                           "diet.from_population=true",
                           "--set",
                           who[i],
                           NULL};
        expect(a, 0, NULL, NULL);
        json_t *j = load_summary(dir);
        v[i] = num(j, "intake_mg_per_day");
        json_decref(j);
    }
    ck_assert(v[0] != v[1] && v[0] == v[2] && v[0] > 0 && v[1] > 0);
}
END_TEST

/* Every scenario in examples/run/ loads and runs (shortened to 2 days, no nights) and says
 * at the top what it shows. */
START_TEST(examples_run) {
    static const char *const ex[] = {"default",
                                     "threonate-vs-citrate-12-weeks",
                                     "soil-1940-vs-2020",
                                     "stress-and-caffeine",
                                     "morning-vs-evening",
                                     "older-adult-sleep"};
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        char path[600], dir[512];
        snprintf(path, sizeof path, "%s/examples/run/%s.yaml", MGSIM_SOURCE_DIR, ex[i]);
        char *text = rd_slurp(path);
        ck_assert_msg(text && text[0] == '#', "%s does not start with a comment", path);
        free(text);
        fresh_dir(ex[i], dir, sizeof dir);
        const char *a[] = {"run",
                           path,
                           "-o",
                           dir,
                           "-q",
                           "--set",
                           "duration_days=2",
                           "--set",
                           "sleep.on=false",
                           "--set",
                           "homeostasis.on=false",
                           NULL};
        expect(a, 0, NULL, NULL);
    }
}
END_TEST

int main(void) {
    Suite *s = suite_create("cli_run");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, default_scenario);
    tcase_add_test(tc, interrupt_leaves_partial_result);
    tcase_add_test(tc, bad_scenarios);
    tcase_add_test(tc, examples_run);
    tcase_add_test(tc, population_diet_draw);
    tcase_add_test(tc, resume_equals_uninterrupted);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
