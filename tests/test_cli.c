/* mgsim-test: unit */
/* The mgsim command: help and version, usage errors and their exit codes, and
 * `mgsim net` end to end on tiny models, reading back every file it writes. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "mgsim/base.h"
#define TMP MGSIM_TEST_TMP "/cli"
#include "cli_run.h"
#include "output_read.h"

/* 2 populations of 10 LIF neurons, E driven by Poisson input, E -> I; 50 ms,
 * every spike file, rates in 5 ms bins, V of two E neurons every 1 ms. */
static const char *const tiny_model =
    "run:\n"
    "  duration_ms: 50\n"
    "  dt_ms: 0.1\n"
    "  seed: 7\n"
    "populations:\n"
    "  E: {model: lif, n: 10}\n"
    "  I: {model: lif, n: 10}\n"
    "projections:\n"
    "  EI: {from: E, to: I, receptor: ampa, rule: fixed_probability, p: 0.5, weight_nS: 4,\n"
    "       delay_ms: 1}\n"
    "inputs:\n"
    "  drive: {type: poisson, target: E, rate_hz: 20, n_sources: 100, weight_nS: 3}\n"
    "record:\n"
    "  spikes: [E, I]\n"
    "  spikes_format: [sonata, csv]\n"
    "  rates_bin_ms: 5\n"
    "  state:\n"
    "    probe: {population: E, ids: [0, 1], vars: [v_mV], interval_ms: 1}\n";

START_TEST(test_help_and_version) {
    expect((const char *[]){"--help", NULL}, 0, "Usage: mgsim COMMAND", NULL);
    expect((const char *[]){"-h", NULL}, 0, "  net ", NULL);
    expect((const char *[]){"--help", NULL}, 0, "validate    every validation target", NULL);
    char version[64];
    snprintf(version, sizeof version, "mgsim %s", mg_version_string());
    run_result r = run((const char *[]){"--version", NULL});
    ck_assert_int_eq(r.code, 0);
    ck_assert(strncmp(r.out, version, strlen(version)) == 0);
    result_free(&r);
    expect((const char *[]){"net", "--help", NULL}, 0, "Usage: mgsim net MODEL.yaml -o DIR", NULL);
    expect((const char *[]){"net", "--help", NULL}, 0, "Exit status", NULL);
    expect((const char *[]){"net", "--help", NULL}, 0, "--threads N", NULL);
    expect((const char *[]){"net", "--help", NULL}, 0, "Example", NULL);
    expect((const char *[]){"net", "--help", NULL}, 0, "summary.json", NULL);
    /* the key list comes from the loader's table */
    expect((const char *[]){"net", "--help", NULL}, 0, "run.seed", NULL);
    expect((const char *[]){"net", "--help", NULL}, 0, "record.rates_bin_ms", NULL);
    expect((const char *[]){"help", "net", NULL}, 0, "Usage: mgsim net", NULL);
}
END_TEST

START_TEST(test_usage_errors) {
    const char *hint = "Try 'mgsim net --help'";
    expect((const char *[]){NULL}, 64, NULL, "Try 'mgsim --help'");
    expect((const char *[]){"frobnicate", NULL}, 64, NULL, "unknown command 'frobnicate'");
    expect((const char *[]){"--frob", NULL}, 64, NULL, "unknown option");
    expect((const char *[]){"net", NULL}, 64, NULL, hint);
    expect((const char *[]){"net", "m.yaml", NULL}, 64, NULL, "-o DIR");
    expect((const char *[]){"net", "-o", "x", NULL}, 64, NULL, "MODEL.yaml");
    expect((const char *[]){"net", "m.yaml", "-o", NULL}, 64, NULL, hint);
    expect((const char *[]){"net", "m.yaml", "-o", "x", "--frob", NULL}, 64, NULL,
           "unknown option '--frob'");
    expect((const char *[]){"net", "m.yaml", "-o", "x", "--threads", "0", NULL}, 64, NULL,
           "--threads");
    expect((const char *[]){"net", "m.yaml", "-o", "x", "--threads=two", NULL}, 64, NULL, hint);
    expect((const char *[]){"net", "m.yaml", "-o", "x", "--seed", "abc", NULL}, 64, NULL, "--seed");
    expect((const char *[]){"net", "m.yaml", "-o", "x", "--seed", "-1", NULL}, 64, NULL, hint);
    expect((const char *[]){"net", "m.yaml", "-o", "x", "--seed", NULL}, 64, NULL, hint);
    expect((const char *[]){"net", "m.yaml", "-o", "x", "--set", "novalue", NULL}, 64, NULL,
           "KEY=VALUE");
    expect((const char *[]){"net", "m.yaml", "other.yaml", "-o", "x", NULL}, 64, NULL,
           "unexpected argument 'other.yaml'");
}
END_TEST

START_TEST(test_missing_model) {
    char dir[1024], model[1024];
    fresh_dir("missing", dir, sizeof dir);
    rd_path(model, sizeof model, MGSIM_TEST_TMP, "no_such_model.yaml");
    expect((const char *[]){"net", model, "-o", dir, "-q", NULL}, 66, NULL, "mgsim: ");
    ck_assert_int_eq(rd_count_entries(dir), -1); /* not even created */
}
END_TEST

START_TEST(test_unwritable_output) {
    char dir[1024], model[1024], file[1024], below[1024];
    fresh_dir("unwritable", dir, sizeof dir);
    write_file(dir, "model.yaml", tiny_model, model, sizeof model);
    write_file(dir, "a_file", "not a folder\n", file, sizeof file);
    expect((const char *[]){"net", model, "-o", file, "-q", NULL}, 73, NULL, "not a folder");
    rd_path(below, sizeof below, file, "sub");
    expect((const char *[]){"net", model, "-o", below, "-q", NULL}, 73, NULL, "mgsim: ");
    ck_assert_int_eq(rd_count_entries(dir), 2);
    rd_remove_dir(dir);
}
END_TEST

START_TEST(test_tiny_model_runs) {
    char dir[1024], out[1024], model[1024], path[4096];
    fresh_dir("tiny", dir, sizeof dir);
    write_file(dir, "model.yaml", tiny_model, model, sizeof model);
    rd_path(out, sizeof out, dir, "out/nested");
    run_result r = run((const char *[]){"net", model, "-o", out, NULL});
    ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "population"));
    ck_assert_ptr_nonnull(strstr(r.out, "synapses"));
    ck_assert_ptr_nonnull(strstr(r.out, "real time"));
    ck_assert_ptr_nonnull(strstr(r.out, out));
    ck_assert_ptr_nonnull(strstr(r.err, "mgsim: 100% t=50.0/50.0 ms")); /* plain lines */
    result_free(&r);

    ck_assert_int_eq(rd_count_hidden(out), 0);
    ck_assert(rd_exists(out, "model.resolved.yaml"));
    ck_assert(rd_exists(out, "state_probe.csv"));
    ck_assert_int_eq(rd_count_entries(out), 6);

    json_t *j = load_summary(out);
    ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "complete");
    ck_assert_int_eq(json_integer_value(json_object_get(j, "seed")), 7);
    ck_assert_str_eq(json_string_value(json_object_get(j, "version")), mg_version_string());
    const char *keys[] = {
        "wall_s",      "loop_wall_s", "build_wall_s", "peak_rss_mb", "bytes_per_synapse",
        "duration_ms", "dt_ms",       "mg_mM"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        ck_assert_msg(json_is_number(json_object_get(j, keys[k])), "summary lacks %s", keys[k]);
    ck_assert(json_number_value(json_object_get(j, "peak_rss_mb")) > 0.0);
    ck_assert(json_number_value(json_object_get(j, "wall_s")) >=
              json_number_value(json_object_get(j, "loop_wall_s")));
    ck_assert_int_gt(json_integer_value(json_object_get(j, "synapses")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "steps")), 500);
    json_int_t spikes = json_integer_value(json_object_get(j, "spikes"));
    ck_assert_int_gt(spikes, 0);
    json_t *pops = json_object_get(j, "populations");
    json_int_t e = json_integer_value(json_object_get(json_object_get(pops, "E"), "spikes"));
    json_int_t i = json_integer_value(json_object_get(json_object_get(pops, "I"), "spikes"));
    ck_assert_int_eq(e + i, spikes);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(pops, "E"), "n")), 10);
    ck_assert_double_eq_tol(
        json_number_value(json_object_get(json_object_get(pops, "E"), "rate_hz")),
        (double)e / 10 / 0.05, 1e-9);
    /* energy (Attwell & Laughlin 2001 as in docs/models/energy.md: 3.84e8 ATP per spike,
     * 1.64e5 per vesicle, release probability 0.25): E's events are its spikes times its mean
     * out-degree onto I (synapses / 10), I projects nowhere */
    json_t *pe = json_object_get(pops, "E"), *pi = json_object_get(pops, "I");
    double ev = json_number_value(json_object_get(pe, "synaptic_events"));
    double syn = (double)json_integer_value(json_object_get(j, "synapses"));
    ck_assert_double_eq_tol(ev, (double)e * syn / 10.0, 1e-9 * (1 + ev));
    ck_assert_double_eq_tol(json_number_value(json_object_get(pe, "atp_total")),
                            (double)e * 3.84e8 + ev * 0.25 * 1.64e5, 1e-6);
    ck_assert_double_eq(json_number_value(json_object_get(pi, "synaptic_events")), 0.0);
    ck_assert_double_eq_tol(json_number_value(json_object_get(j, "atp_total")),
                            json_number_value(json_object_get(pe, "atp_total")) +
                                json_number_value(json_object_get(pi, "atp_total")),
                            1e-6);

    /* spikes.csv rows = spikes */
    ck_assert_int_eq(rd_count_lines(rd_path(path, sizeof path, out, "spikes.csv")), spikes + 1);

    /* spikes.h5 entries = spikes, with units and sorting */
    rd_path(path, sizeof path, out, "spikes.h5");
    size_t total = 0;
    const char *names[] = {"E", "I"};
    for (int p = 0; p < 2; p++) {
        double *ts = NULL;
        uint64_t *ids = NULL;
        size_t n = 0;
        char units[32] = "", sorting[32] = "";
        ck_assert_int_eq(rd_h5_spikes(path, names[p], &ts, &ids, &n, units, sorting, sizeof units),
                         0);
        ck_assert_str_eq(units, "ms");
        ck_assert_str_eq(sorting, "by_time");
        for (size_t k = 0; k < n; k++) {
            ck_assert(ids[k] < 10);
            ck_assert(ts[k] >= 0.0 && ts[k] < 50.0);
            if (k)
                ck_assert(ts[k] >= ts[k - 1]);
        }
        ck_assert_int_eq((json_int_t)n, p == 0 ? e : i);
        total += n;
        free(ts);
        free(ids);
    }
    ck_assert_int_eq((json_int_t)total, spikes);

    /* rates.csv rows = duration / bin; state rows = samples at 0, 1, ..., 50 ms */
    ck_assert_int_eq(rd_count_lines(rd_path(path, sizeof path, out, "rates.csv")), 1 + 50 / 5);
    ck_assert_int_eq(rd_count_lines(rd_path(path, sizeof path, out, "state_probe.csv")), 1 + 51);
    json_decref(j);
    rd_remove_dir(out);
    rd_path(path, sizeof path, dir, "out");
    rmdir(path);
    rd_remove_dir(dir);
}
END_TEST

START_TEST(test_seed_option_is_set_run_seed) {
    char dir[1024], model[1024], a[1024], b[1024], path[4096];
    fresh_dir("seed", dir, sizeof dir);
    write_file(dir, "model.yaml", tiny_model, model, sizeof model);
    rd_path(a, sizeof a, dir, "a");
    rd_path(b, sizeof b, dir, "b");
    expect((const char *[]){"net", model, "-o", a, "--seed", "123", "-q", NULL}, 0, NULL, NULL);
    expect((const char *[]){"net", model, "--output=" MGSIM_TEST_TMP "/cli_seed/b", "--set",
                            "run.seed=123", "--quiet", "--threads", "2", NULL},
           0, NULL, NULL);
    char *sa = rd_slurp(rd_path(path, sizeof path, a, "spikes.csv"));
    char *sb = rd_slurp(rd_path(path, sizeof path, b, "spikes.csv"));
    ck_assert_ptr_nonnull(sa);
    ck_assert_ptr_nonnull(sb);
    ck_assert_str_eq(sa, sb); /* same seed, any thread count: the same spikes */
    free(sa);
    free(sb);
    json_t *j = load_summary(a);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "seed")), 123);
    json_decref(j);
    j = load_summary(b);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "threads")), 2);
    json_decref(j);
    rd_remove_dir(a);
    rd_remove_dir(b);
    rd_remove_dir(dir);
}
END_TEST

START_TEST(test_bad_value_leaves_nothing) {
    char dir[1024], model[1024], out[1024], never[1024];
    fresh_dir("badvalue", dir, sizeof dir);
    write_file(dir, "model.yaml", tiny_model, model, sizeof model);
    rd_path(out, sizeof out, dir, "out");
    mkdir(out, 0777);
    /* a bad value given with --set */
    expect((const char *[]){"net", model, "-o", out, "--set", "populations.E.C_pF=-3", NULL}, 65,
           NULL, "C_pF");
    ck_assert_int_eq(rd_count_entries(out), 0);
    /* a bad value in the file: the message names file:line */
    char bad[1024];
    write_file(dir, "bad.yaml",
               "run: {duration_ms: 50}\n"
               "populations:\n"
               "  E: {model: lif, n: 10, C_pF: -3}\n",
               bad, sizeof bad);
    expect((const char *[]){"net", bad, "-o", out, NULL}, 65, NULL, "bad.yaml:3:");
    ck_assert_int_eq(rd_count_entries(out), 0);
    rd_path(never, sizeof never, dir, "never");
    expect((const char *[]){"net", bad, "-o", never, NULL}, 65, NULL, NULL);
    ck_assert_int_eq(rd_count_entries(never), -1);
    rmdir(out);
    rd_remove_dir(dir);
}
END_TEST

START_TEST(test_runaway) {
    char dir[1024], model[1024], out[1024];
    fresh_dir("runaway", dir, sizeof dir);
    write_file(dir, "model.yaml", tiny_model, model, sizeof model);
    rd_path(out, sizeof out, dir, "out");
    run_result r = run((const char *[]){"net", model, "-o", out, "--set", "runaway.max_rate_hz=0.1",
                                        "--set", "runaway.window_ms=5", NULL});
    ck_assert_msg(r.code == 70, "exit %d: %s", r.code, r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "runaway"));
    result_free(&r);
    json_t *j = load_summary(out);
    ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "runaway");
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(j, "message")), "runaway"));
    ck_assert(json_number_value(json_object_get(j, "duration_ms")) < 50.0);
    json_decref(j);
    ck_assert_int_eq(rd_count_hidden(out), 0);
    ck_assert(rd_exists(out, "spikes.h5"));
    ck_assert(rd_exists(out, "rates.csv"));
    rd_remove_dir(out);
    rd_remove_dir(dir);
}
END_TEST

START_TEST(test_interrupt_completes_files) {
    char dir[1024], model[1024], out[1024], out_path[1024], err_path[1024];
    fresh_dir("interrupt", dir, sizeof dir);
    write_file(dir, "model.yaml", tiny_model, model, sizeof model);
    rd_path(out, sizeof out, dir, "out");
    rd_path(out_path, sizeof out_path, dir, "stdout.txt");
    rd_path(err_path, sizeof err_path, dir, "stderr.txt");
    /* long enough never to end by itself */
    pid_t pid = spawn((const char *[]){"net", model, "-o", out, "--set", "run.duration_ms=1e7",
                                       "--set", "runaway.max_rate_hz=0", NULL},
                      out_path, err_path);
    /* wait until the run is under way: its temporary files exist (the handler is installed
     * before the model is read) */
    struct timespec tick = {0, 20000000};
    for (int k = 0; k < 3000 && rd_count_hidden(out) <= 0; k++)
        nanosleep(&tick, NULL);
    ck_assert_int_gt(rd_count_hidden(out), 0);
    nanosleep(&tick, NULL);
    ck_assert_int_eq(kill(pid, SIGINT), 0);
    int status = 0, waited = 0;
    pid_t got;
    while ((got = waitpid(pid, &status, WNOHANG)) == 0 && waited < 3000) {
        nanosleep(&tick, NULL);
        waited++;
    }
    if (got == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        ck_abort_msg("mgsim did not stop within 60 s of SIGINT");
    }
    char *err = rd_slurp(err_path);
    ck_assert_msg(exit_status(status) == 130, "exit %d: %s", exit_status(status), err);
    ck_assert_ptr_nonnull(strstr(err, "interrupted"));
    free(err);
    json_t *j = load_summary(out);
    ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "interrupted");
    ck_assert(json_number_value(json_object_get(j, "duration_ms")) < 1e7);
    json_int_t spikes = json_integer_value(json_object_get(j, "spikes"));
    json_decref(j);
    char path[4096];
    ck_assert_int_eq(rd_count_lines(rd_path(path, sizeof path, out, "spikes.csv")), spikes + 1);
    ck_assert_int_eq(rd_count_hidden(out), 0);
    rd_remove_dir(out);
    rd_remove_dir(dir);
}
END_TEST

static Suite *cli_suite(void) {
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("mgsim");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_help_and_version);
    tcase_add_test(tc, test_usage_errors);
    tcase_add_test(tc, test_missing_model);
    tcase_add_test(tc, test_unwritable_output);
    tcase_add_test(tc, test_tiny_model_runs);
    tcase_add_test(tc, test_seed_option_is_set_run_seed);
    tcase_add_test(tc, test_bad_value_leaves_nothing);
    tcase_add_test(tc, test_runaway);
    tcase_add_test(tc, test_interrupt_completes_files);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(cli_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
