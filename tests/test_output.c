/* mgsim-test: unit */
/* The result writers alone (include/mgsim/output.h), fed synthetic spikes and
 * states, and read back: SONATA HDF5, CSV files, summary.json, the temporary
 * files and their commit. */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mgsim/output.h"
#include "output_read.h"

#define TMP MGSIM_TEST_TMP "/output"

/* A small run: E (4 neurons, recorded), I (3 neurons, not recorded), 50 ms at
 * dt 0.1, a state recorder "probe" on E neurons 0 and 2 (V and g_AMPA). */
typedef struct {
    mg_net_spec spec;
    mg_pop_spec pops[2];
    int record[2];
    uint32_t probe_ids[2];
    mg_state_rec_spec rec;
    mg_io_net_outputs outs;
} fixture;

static void fixture_init(fixture *f) {
    memset(f, 0, sizeof *f);
    f->spec.duration_ms = 50.0;
    f->spec.dt_ms = 0.1;
    f->spec.seed = 42;
    f->spec.mg_mM = 1.2;
    snprintf(f->pops[0].name, sizeof f->pops[0].name, "E");
    f->pops[0].n = 4;
    snprintf(f->pops[1].name, sizeof f->pops[1].name, "I");
    f->pops[1].n = 3;
    f->record[0] = 1;
    f->record[1] = 0;
    f->probe_ids[0] = 0;
    f->probe_ids[1] = 2;
    snprintf(f->rec.name, sizeof f->rec.name, "probe");
    f->rec.pop = 0;
    f->rec.ids = f->probe_ids;
    f->rec.n_ids = 2;
    f->rec.vars = MG_VAR_V | MG_VAR_G_AMPA;
    f->rec.interval_ms = 1.0;
    f->spec.pops = f->pops;
    f->spec.n_pops = 2;
    f->spec.record_spikes = f->record;
    f->spec.state_recs = &f->rec;
    f->spec.n_state_recs = 1;
    f->outs.spikes_sonata = 1;
    f->outs.spikes_csv = 1;
    f->outs.rate_bin_ms = 10.0;
}

static mg_output_run_info run_info(double t_ms, mg_status status, const char *message) {
    mg_output_run_info info;
    memset(&info, 0, sizeof info);
    info.status = status;
    info.message = message;
    info.model_path = "synthetic.yaml";
    info.t_ms = t_ms;
    info.threads = 1;
    info.wall_s = 0.5;
    info.build_wall_s = 0.1;
    info.loop_wall_s = 0.3;
    info.peak_rss_mb = 12.0;
    info.synapses = 100;
    info.synapse_bytes = 800.0;
    info.steps = (uint64_t)llround(t_ms / 0.1);
    return info;
}

static json_t *load_summary(const char *dir) {
    char path[4096];
    rd_path(path, sizeof path, dir, "summary.json");
    json_error_t jerr;
    json_t *j = json_load_file(path, 0, &jerr);
    ck_assert_msg(j != NULL, "summary.json: %s", jerr.text);
    return j;
}

static const char *dir_for(const char *name, char *buf, size_t cap) {
    rd_join(buf, cap, TMP, "_", name);
    rd_remove_dir(buf);
    return buf;
}

START_TEST(test_spikes_rates_states_summary) {
    fixture f;
    fixture_init(&f);
    char dir[4096], path[4096];
    dir_for("full", dir, sizeof dir);
    mg_context *ctx = mg_context_create();
    mg_output *o = NULL;
    ck_assert_int_eq(mg_output_open(ctx, dir, &f.spec, &f.outs, &o), MG_OK);
    const int *mask = mg_output_record_mask(o);
    ck_assert_int_eq(mask[0], 1);
    ck_assert_int_eq(mask[1], 1); /* rates need every population */
    /* temporary files only, while running */
    ck_assert_int_eq(rd_count_entries(dir), rd_count_hidden(dir));
    ck_assert(!rd_exists(dir, "spikes.h5"));

    mg_net_callbacks cb = mg_output_callbacks(o);
    ck_assert_ptr_eq(cb.user, o);
    ck_assert(cb.on_progress == NULL);
    /* E: every neuron fires at every step from 0 to 49.9 ms: 500 steps x 4 =
     * 2000 spikes; I: one spike per ms. Far more than one HDF5 block for E. */
    uint32_t all[4] = {0, 1, 2, 3};
    uint64_t e_spikes = 0, i_spikes = 0;
    for (int step = 0; step < 500; step++) {
        double t = step * 0.1;
        ck_assert_int_eq(cb.on_spikes(cb.user, 0, t, all, 4), 0);
        e_spikes += 4;
        if (step % 10 == 0) {
            uint32_t id = (uint32_t)(step / 10) % 3;
            ck_assert_int_eq(cb.on_spikes(cb.user, 1, t, &id, 1), 0);
            i_spikes++;
        }
        if (step % 10 == 0) {
            double v[4] = {-70.0 + step, 0.5, -65.0, 1.5};
            ck_assert_int_eq(cb.on_state(cb.user, 0, t, v, 4), 0);
        }
    }
    mg_output_run_info info = run_info(50.0, MG_OK, NULL);
    const char *extra = mg_output_add_file(o, "model.resolved.yaml");
    ck_assert_ptr_nonnull(extra);
    FILE *x = fopen(extra, "w");
    ck_assert_ptr_nonnull(x);
    fputs("run: {}\n", x);
    fclose(x);
    ck_assert_int_eq(mg_output_finish(o, &info), MG_OK);
    mg_output_destroy(&o);
    ck_assert_ptr_null(o);

    /* committed: no temporary files left, every file in place */
    ck_assert_int_eq(rd_count_hidden(dir), 0);
    ck_assert(rd_exists(dir, "spikes.h5"));
    ck_assert(rd_exists(dir, "spikes.csv"));
    ck_assert(rd_exists(dir, "rates.csv"));
    ck_assert(rd_exists(dir, "state_probe.csv"));
    ck_assert(rd_exists(dir, "summary.json"));
    ck_assert(rd_exists(dir, "model.resolved.yaml"));
    ck_assert_int_eq(rd_count_entries(dir), 6);

    /* SONATA: only E, in time order, with units and sorting */
    double *ts = NULL;
    uint64_t *ids = NULL;
    size_t n = 0;
    char units[32] = "", sorting[32] = "";
    rd_path(path, sizeof path, dir, "spikes.h5");
    ck_assert_int_eq(rd_h5_spikes(path, "E", &ts, &ids, &n, units, sorting, sizeof units), 0);
    ck_assert_uint_eq(n, e_spikes);
    ck_assert_str_eq(units, "ms");
    ck_assert_str_eq(sorting, "by_time");
    for (size_t k = 0; k < n; k++) {
        ck_assert_uint_eq(ids[k], k % 4);
        ck_assert_double_eq_tol(ts[k], (double)(k / 4) * 0.1, 1e-12);
        if (k)
            ck_assert(ts[k] >= ts[k - 1]);
    }
    free(ts);
    free(ids);
    ck_assert(!rd_h5_has_pop(path, "I"));

    /* spikes.csv: header + E's spikes only */
    rd_path(path, sizeof path, dir, "spikes.csv");
    ck_assert_int_eq(rd_count_lines(path), (long)e_spikes + 1);
    char *csv = rd_slurp(path);
    ck_assert_ptr_nonnull(csv);
    const char *csv_head = "t_ms,population,node_id\n0,E,0\n0,E,1\n";
    ck_assert(strncmp(csv, csv_head, strlen(csv_head)) == 0);
    ck_assert_ptr_null(strstr(csv, ",I,"));
    free(csv);

    /* rates.csv: 5 bins of 10 ms; each E neuron fires every step (10000 Hz); I fires
     * once per ms among 3 neurons (333.3 Hz) */
    rd_path(path, sizeof path, dir, "rates.csv");
    ck_assert_int_eq(rd_count_lines(path), 1 + 5);
    FILE *rf = fopen(path, "r");
    char line[256];
    ck_assert_ptr_nonnull(fgets(line, sizeof line, rf));
    ck_assert_str_eq(line, "t_start_ms,E,I\n");
    for (int b = 0; b < 5; b++) {
        double t0, re, ri;
        ck_assert_int_eq(fscanf(rf, "%lf,%lf,%lf", &t0, &re, &ri), 3);
        ck_assert_double_eq_tol(t0, 10.0 * b, 1e-9);
        ck_assert_double_eq_tol(re, 10000.0, 1e-6);
        ck_assert_double_eq_tol(ri, 10.0 / 3.0 / 0.01, 1e-3);
    }
    fclose(rf);

    /* state_probe.csv: header with id:var columns, 50 rows */
    rd_path(path, sizeof path, dir, "state_probe.csv");
    ck_assert_int_eq(rd_count_lines(path), 1 + 50);
    char *st = rd_slurp(path);
    const char *st_head = "t_ms,0:v_mV,0:g_ampa_nS,2:v_mV,2:g_ampa_nS\n0,-70,0.5,-65,1.5\n";
    ck_assert(strncmp(st, st_head, strlen(st_head)) == 0);
    free(st);

    /* summary.json */
    json_t *j = load_summary(dir);
    ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "complete");
    ck_assert_ptr_null(json_object_get(j, "message"));
    ck_assert_str_eq(json_string_value(json_object_get(j, "version")), mg_version_string());
    ck_assert_int_eq(json_integer_value(json_object_get(j, "seed")), 42);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "spikes")),
                     (json_int_t)(e_spikes + i_spikes));
    ck_assert_int_eq(json_integer_value(json_object_get(j, "synapses")), 100);
    ck_assert_double_eq_tol(json_real_value(json_object_get(j, "bytes_per_synapse")), 8.0, 1e-12);
    ck_assert_double_eq_tol(json_real_value(json_object_get(j, "duration_ms")), 50.0, 1e-12);
    ck_assert_double_eq_tol(json_real_value(json_object_get(j, "dt_ms")), 0.1, 1e-15);
    ck_assert_double_eq_tol(json_real_value(json_object_get(j, "mg_mM")), 1.2, 1e-15);
    ck_assert_double_eq_tol(json_real_value(json_object_get(j, "loop_wall_s")), 0.3, 1e-15);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "steps")), 500);
    json_t *e = json_object_get(json_object_get(j, "populations"), "E");
    json_t *i = json_object_get(json_object_get(j, "populations"), "I");
    ck_assert_int_eq(json_integer_value(json_object_get(e, "n")), 4);
    ck_assert_int_eq(json_integer_value(json_object_get(e, "spikes")), (json_int_t)e_spikes);
    ck_assert_double_eq_tol(json_real_value(json_object_get(e, "rate_hz")), 10000.0, 1e-9);
    ck_assert(json_is_true(json_object_get(e, "recorded")));
    ck_assert_int_eq(json_integer_value(json_object_get(i, "spikes")), (json_int_t)i_spikes);
    ck_assert(json_is_false(json_object_get(i, "recorded")));
    ck_assert_int_eq(json_array_size(json_object_get(j, "files")), 6);
    json_decref(j);
    rd_remove_dir(dir);
    mg_context_destroy(&ctx);
}
END_TEST

START_TEST(test_destroy_without_finish_leaves_nothing) {
    fixture f;
    fixture_init(&f);
    char dir[4096];
    dir_for("abort", dir, sizeof dir);
    mg_context *ctx = mg_context_create();
    mg_output *o = NULL;
    ck_assert_int_eq(mg_output_open(ctx, dir, &f.spec, &f.outs, &o), MG_OK);
    mg_net_callbacks cb = mg_output_callbacks(o);
    uint32_t id = 1;
    for (int k = 0; k < 20000; k++) /* past the first HDF5 block */
        ck_assert_int_eq(cb.on_spikes(cb.user, 0, k * 0.001, &id, 1), 0);
    ck_assert_ptr_nonnull(mg_output_add_file(o, "model.resolved.yaml"));
    ck_assert_int_gt(rd_count_entries(dir), 0);
    mg_output_destroy(&o);
    ck_assert_int_eq(rd_count_entries(dir), 0);
    rd_remove_dir(dir);
    mg_context_destroy(&ctx);
}
END_TEST

START_TEST(test_writer_error_fails_finish) {
    fixture f;
    fixture_init(&f);
    char dir[4096];
    dir_for("error", dir, sizeof dir);
    mg_context *ctx = mg_context_create();
    mg_output *o = NULL;
    ck_assert_int_eq(mg_output_open(ctx, dir, &f.spec, &f.outs, &o), MG_OK);
    mg_net_callbacks cb = mg_output_callbacks(o);
    double v[3] = {0, 0, 0}; /* 3 values, 4 expected */
    ck_assert_int_ne(cb.on_state(cb.user, 0, 0.0, v, 3), 0);
    ck_assert_int_eq(mg_output_status(o), MG_ERR_INTERNAL);
    ck_assert_ptr_nonnull(strstr(mg_error_message(ctx), "expected 4"));
    uint32_t id = 0;
    ck_assert_int_ne(cb.on_spikes(cb.user, 0, 0.0, &id, 1), 0); /* stays failed */
    ck_assert_int_ne(cb.on_spikes(cb.user, 7, 0.0, &id, 1), 0);
    mg_output_run_info info = run_info(50.0, MG_OK, NULL);
    ck_assert_int_eq(mg_output_finish(o, &info), MG_ERR_INTERNAL);
    mg_output_destroy(&o);
    ck_assert_int_eq(rd_count_entries(dir), 0);
    rd_remove_dir(dir);
    mg_context_destroy(&ctx);
}
END_TEST

START_TEST(test_interrupted_partial_bins) {
    fixture f;
    fixture_init(&f);
    f.outs.spikes_csv = 0;
    f.spec.n_state_recs = 0;
    char dir[4096], path[4096];
    dir_for("interrupted", dir, sizeof dir);
    mg_context *ctx = mg_context_create();
    mg_output *o = NULL;
    ck_assert_int_eq(mg_output_open(ctx, dir, &f.spec, &f.outs, &o), MG_OK);
    mg_net_callbacks cb = mg_output_callbacks(o);
    uint32_t id = 3;
    ck_assert_int_eq(cb.on_spikes(cb.user, 0, 3.0, &id, 1), 0);
    ck_assert_int_eq(cb.on_spikes(cb.user, 0, 41.0, &id, 1), 0);
    /* stopped at 45 ms: bins 0..3 full, bin 4 is 5 ms wide */
    mg_output_run_info info = run_info(45.0, MG_ERR_INTERRUPTED, "interrupted by Ctrl-C");
    ck_assert_int_eq(mg_output_finish(o, &info), MG_OK);
    mg_output_destroy(&o);
    ck_assert(!rd_exists(dir, "spikes.csv"));
    ck_assert(!rd_exists(dir, "state_probe.csv"));
    rd_path(path, sizeof path, dir, "rates.csv");
    ck_assert_int_eq(rd_count_lines(path), 1 + 5);
    FILE *rf = fopen(path, "r");
    char line[256];
    ck_assert_ptr_nonnull(fgets(line, sizeof line, rf));
    double t0, re, ri, e_rates[5];
    for (int b = 0; b < 5; b++) {
        ck_assert_int_eq(fscanf(rf, "%lf,%lf,%lf", &t0, &re, &ri), 3);
        e_rates[b] = re;
        ck_assert_double_eq(ri, 0.0);
    }
    fclose(rf);
    ck_assert_double_eq_tol(e_rates[0], 1.0 / 4 / 0.010, 1e-9);
    ck_assert_double_eq(e_rates[1], 0.0);
    ck_assert_double_eq_tol(e_rates[4], 1.0 / 4 / 0.005, 1e-9);
    json_t *j = load_summary(dir);
    ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "interrupted");
    ck_assert_str_eq(json_string_value(json_object_get(j, "message")), "interrupted by Ctrl-C");
    ck_assert_double_eq_tol(json_real_value(json_object_get(j, "duration_ms")), 45.0, 1e-12);
    ck_assert_double_eq_tol(json_real_value(json_object_get(j, "duration_requested_ms")), 50.0,
                            1e-12);
    json_t *e = json_object_get(json_object_get(j, "populations"), "E");
    ck_assert_double_eq_tol(json_real_value(json_object_get(e, "rate_hz")), 2.0 / 4 / 0.045, 1e-9);
    json_decref(j);
    rd_remove_dir(dir);
    mg_context_destroy(&ctx);
}
END_TEST

START_TEST(test_spike_at_end_in_last_bin) {
    fixture f;
    fixture_init(&f);
    f.outs.spikes_sonata = 0;
    f.outs.spikes_csv = 0;
    f.spec.n_state_recs = 0;
    char dir[4096], path[4096];
    dir_for("endbin", dir, sizeof dir);
    mg_context *ctx = mg_context_create();
    mg_output *o = NULL;
    ck_assert_int_eq(mg_output_open(ctx, dir, &f.spec, &f.outs, &o), MG_OK);
    mg_net_callbacks cb = mg_output_callbacks(o);
    uint32_t id = 0;
    /* 500 steps of 0.1 ms, accumulated as an engine would: the last spike at ~50 ms */
    ck_assert_int_eq(cb.on_spikes(cb.user, 1, 500 * 0.1, &id, 1), 0);
    ck_assert_int_eq(cb.on_spikes(cb.user, 1, 50.0, &id, 1), 0);
    mg_output_run_info info = run_info(50.0, MG_OK, NULL);
    ck_assert_int_eq(mg_output_finish(o, &info), MG_OK);
    mg_output_destroy(&o);
    rd_path(path, sizeof path, dir, "rates.csv");
    ck_assert_int_eq(rd_count_lines(path), 1 + 5);
    ck_assert_int_eq(rd_count_entries(dir), 2); /* rates.csv, summary.json */
    rd_remove_dir(dir);
    mg_context_destroy(&ctx);
}
END_TEST

START_TEST(test_no_rates_mask_and_empty_population) {
    fixture f;
    fixture_init(&f);
    f.outs.rate_bin_ms = 0.0;
    f.outs.spikes_csv = 0;
    char dir[4096], path[4096];
    dir_for("mask", dir, sizeof dir);
    mg_context *ctx = mg_context_create();
    mg_output *o = NULL;
    ck_assert_int_eq(mg_output_open(ctx, dir, &f.spec, &f.outs, &o), MG_OK);
    const int *mask = mg_output_record_mask(o);
    ck_assert_int_eq(mask[0], 1);
    ck_assert_int_eq(mask[1], 0);
    mg_output_run_info info = run_info(50.0, MG_OK, NULL);
    ck_assert_int_eq(mg_output_finish(o, &info), MG_OK);
    mg_output_destroy(&o);
    rd_path(path, sizeof path, dir, "spikes.h5");
    double *ts = NULL;
    uint64_t *ids = NULL;
    size_t n = 99;
    char sorting[32] = "";
    ck_assert_int_eq(rd_h5_spikes(path, "E", &ts, &ids, &n, NULL, sorting, sizeof sorting), 0);
    ck_assert_uint_eq(n, 0);
    ck_assert_str_eq(sorting, "by_time");
    ck_assert(!rd_exists(dir, "rates.csv"));
    rd_remove_dir(dir);
    mg_context_destroy(&ctx);
}
END_TEST

START_TEST(test_folder_errors) {
    fixture f;
    fixture_init(&f);
    char dir[4096], file[4096], nested[4096];
    dir_for("folders", dir, sizeof dir);
    mg_context *ctx = mg_context_create();
    mg_output *o = NULL;
    /* mkdir -p */
    rd_path(nested, sizeof nested, dir, "a/b/c/");
    ck_assert_int_eq(mg_output_open(ctx, nested, &f.spec, &f.outs, &o), MG_OK);
    mg_output_destroy(&o);
    ck_assert_int_eq(rd_count_entries(nested), 0);
    /* a file where the folder should be, or above it */
    rd_path(file, sizeof file, dir, "a/file");
    FILE *x = fopen(file, "w");
    ck_assert_ptr_nonnull(x);
    fclose(x);
    ck_assert_int_eq(mg_output_open(ctx, file, &f.spec, &f.outs, &o), MG_ERR_CANTCREAT);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(strstr(mg_error_message(ctx), "not a folder"));
    rd_path(nested, sizeof nested, file, "sub");
    ck_assert_int_eq(mg_output_open(ctx, nested, &f.spec, &f.outs, &o), MG_ERR_CANTCREAT);
    ck_assert_ptr_null(o);
    /* a name that cannot be an HDF5 group */
    snprintf(f.pops[0].name, sizeof f.pops[0].name, "a/b");
    ck_assert_int_eq(mg_output_open(ctx, dir, &f.spec, &f.outs, &o), MG_ERR_DATA);
    ck_assert_ptr_null(o);
    unlink(file);
    rd_path(nested, sizeof nested, dir, "a/b/c");
    rmdir(nested);
    rd_path(nested, sizeof nested, dir, "a/b");
    rmdir(nested);
    rd_path(nested, sizeof nested, dir, "a");
    rmdir(nested);
    rd_remove_dir(dir);
    mg_context_destroy(&ctx);
}
END_TEST

static Suite *output_suite(void) {
    Suite *s = suite_create("output");
    TCase *tc = tcase_create("writers");
    tcase_add_test(tc, test_spikes_rates_states_summary);
    tcase_add_test(tc, test_destroy_without_finish_leaves_nothing);
    tcase_add_test(tc, test_writer_error_fails_finish);
    tcase_add_test(tc, test_interrupted_partial_bins);
    tcase_add_test(tc, test_spike_at_end_in_last_bin);
    tcase_add_test(tc, test_no_rates_mask_and_empty_population);
    tcase_add_test(tc, test_folder_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(output_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
