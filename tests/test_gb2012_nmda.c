/* mgsim-test: unit */
/* NMDA-driven calcium for the GB2012 synapse (src/plast/gb2012.c, rule.calcium = nmda) and
 * `mgsim protocol stdp-curve --sweep`: the calcium integral of one presynaptic spike against
 * its closed form and its Mg dependence at rest; the calibration at 1 mM; the supralinear
 * pre+post calcium (BPAP relief of the Mg block); spike mode unchanged; the sweep's direction
 * and its errors. */
#include <check.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "mgsim/net.h"
#include "mgsim/plast.h"
#include "output_read.h"

#define TMP MGSIM_TEST_TMP "/gb2012_nmda"

#define ASSERT_REL(a, b, rel)                                                                      \
    ck_assert_msg(fabs((a) - (b)) <= (rel)*fabs(b), "%s = %.17g, expected %.17g (rel %g)", #a,     \
                  (double)(a), (double)(b), (double)(rel))

static mg_gb_params dp(void) {
    mg_gb_params p;
    ck_assert_int_eq(mg_gb_params_by_name(NULL, "DP", &p), MG_OK);
    return p;
}

static mg_gb_calcium_params nmda(double mg) {
    mg_gb_calcium_params q;
    mg_gb_calcium_defaults(&q);
    q.mode = MG_GB_CALCIUM_NMDA;
    q.mg_mM = mg;
    return q;
}

static double block(const mg_gb_calcium_params *q, double v) {
    return mg_net_nmda_block(v, q->mg_mM, q->mg_scale_mM, q->gamma_per_mV);
}

/* (a) One presynaptic spike, no postsynaptic one: V stays at V_rest, so the influx is
 * c_nmda B(V_rest, Mg) g(t) and ∫influx = c_nmda B (I_f τf + I_s τs), ∫c = τCa ∫influx;
 * c(t) has the closed form Σ_x c_nmda B I_x (e^{-s/τx} - e^{-s/τCa})/(1/τCa - 1/τx). */
START_TEST(test_pre_alone_closed_form_and_mg_at_rest) {
    mg_gb_params p = dp();
    double pre = 0.0, D = p.delay_D_ms, tau = p.tau_ca_ms;
    const double mgs[] = {0.1, 0.3, 0.5, 1.0, 1.5, 2.0, 3.0};
    mg_gb_calcium_params q1 = nmda(1.0);
    double int1 = 0.0;
    ck_assert_int_eq(
        mg_gb_nmda_trace(NULL, &p, &q1, &pre, 1, NULL, 0, 8000.0, &int1, NULL, NULL, NULL, NULL),
        MG_OK);
    for (size_t k = 0; k < sizeof mgs / sizeof mgs[0]; k++) {
        mg_gb_calcium_params q = nmda(mgs[k]);
        double cn = mg_gb_nmda_rate(&p, &q), B = block(&q, q.v_rest_mV);
        double gint = q.i_f * q.tau_f_ms + q.i_s * q.tau_s_ms;
        double ic, fl, ce;
        /* 8000 ms: the slow gating tail left is e^{-(8000-D)/200} < 1e-17 */
        ck_assert_int_eq(
            mg_gb_nmda_trace(NULL, &p, &q, &pre, 1, NULL, 0, 8000.0, &ic, &fl, NULL, NULL, NULL),
            MG_OK);
        ASSERT_REL(fl, cn * B * gint, 1e-9);
        ASSERT_REL(ic, tau * cn * B * gint, 1e-9);
        /* the Mg dependence at rest: exactly the ratio of the blocks */
        ASSERT_REL(ic / int1, B / block(&q1, q1.v_rest_mV), 1e-9);
        /* c(t) against the closed form at a few times (the integrator's pointwise error) */
        const double ts[] = {D + 0.5, D + 7.3, D + 40.0, D + 333.3};
        for (size_t m = 0; m < 4; m++) {
            double s = ts[m] - D, exact = 0.0;
            exact +=
                q.i_f * (exp(-s / q.tau_f_ms) - exp(-s / tau)) / (1.0 / tau - 1.0 / q.tau_f_ms);
            exact +=
                q.i_s * (exp(-s / q.tau_s_ms) - exp(-s / tau)) / (1.0 / tau - 1.0 / q.tau_s_ms);
            exact *= cn * B;
            ck_assert_int_eq(mg_gb_nmda_trace(NULL, &p, &q, &pre, 1, NULL, 0, ts[m], NULL, NULL,
                                              &ce, NULL, NULL),
                             MG_OK);
            ASSERT_REL(ce, exact, 1e-8);
        }
    }
}
END_TEST

/* (b) The calibration: at [Mg]o = 1 mM and V_rest one presynaptic spike lets C_pre enter,
 * ∫c dt = C_pre τCa as for the GB2012 jump; rule.nmda_scale multiplies it. */
START_TEST(test_calibration_at_1mM) {
    const char *sets[] = {"DP", "DPD", "cortical_slices", "hippocampal_cultures"};
    for (size_t k = 0; k < 4; k++) {
        mg_gb_params p;
        ck_assert_int_eq(mg_gb_params_by_name(NULL, sets[k], &p), MG_OK);
        mg_gb_calcium_params q = nmda(1.0);
        double pre = 0.0, ic, fl;
        ck_assert_int_eq(
            mg_gb_nmda_trace(NULL, &p, &q, &pre, 1, NULL, 0, 8000.0, &ic, &fl, NULL, NULL, NULL),
            MG_OK);
        ASSERT_REL(fl, p.c_pre, 1e-9);
        ASSERT_REL(ic, p.c_pre * p.tau_ca_ms, 1e-9);
        q.nmda_scale = 2.5;
        ck_assert_int_eq(
            mg_gb_nmda_trace(NULL, &p, &q, &pre, 1, NULL, 0, 8000.0, &ic, NULL, NULL, NULL, NULL),
            MG_OK);
        ASSERT_REL(ic, 2.5 * p.c_pre * p.tau_ca_ms, 1e-9);
    }
}
END_TEST

/* (c) Supralinearity: a presynaptic spike with a postsynaptic one 5 ms later (its BPAP
 * arriving during the NMDA gating) gives more calcium than the two alone; the excess,
 * relative to the pre-alone calcium, grows with [Mg]o (the more block at rest, the more the
 * BPAP relieves). Also: the step halves and the integrals hold to the stated error. */
START_TEST(test_bpap_relieves_block) {
    mg_gb_params p = dp();
    double pre = 0.0, post = 5.0 - p.delay_D_ms; /* post 5 ms after the NMDA gating opens */
    if (post < 0.0) {
        pre = -post;
        post = 0.0;
    }
    const double mgs[] = {0.25, 0.5, 1.0, 2.0, 3.0};
    double last = -1.0;
    for (size_t k = 0; k < 5; k++) {
        mg_gb_calcium_params q = nmda(mgs[k]);
        double i_pre, i_post, i_pair;
        ck_assert_int_eq(mg_gb_nmda_trace(NULL, &p, &q, &pre, 1, NULL, 0, 8000.0, &i_pre, NULL,
                                          NULL, NULL, NULL),
                         MG_OK);
        ck_assert_int_eq(mg_gb_nmda_trace(NULL, &p, &q, NULL, 0, &post, 1, 8000.0, &i_post, NULL,
                                          NULL, NULL, NULL),
                         MG_OK);
        ASSERT_REL(i_post, p.c_post * p.tau_ca_ms, 1e-12); /* no gating: the jump alone */
        ck_assert_int_eq(mg_gb_nmda_trace(NULL, &p, &q, &pre, 1, &post, 1, 8000.0, &i_pair, NULL,
                                          NULL, NULL, NULL),
                         MG_OK);
        double excess = (i_pair - i_pre - i_post) / i_pre;
        ck_assert_msg(excess > 0.0, "Mg %g: pair %g <= pre %g + post %g", mgs[k], i_pair, i_pre,
                      i_post);
        ck_assert_msg(excess > last, "Mg %g: relative excess %g not above %g", mgs[k], excess,
                      last);
        last = excess;
    }
    /* step convergence: 0.05 ms vs 0.01 ms on the pairing (integral and times above) */
    mg_gb_calcium_params a = nmda(1.0), b = nmda(1.0);
    b.step_ms = 0.01;
    double ia, ib, da, db, pa, pb;
    ck_assert_int_eq(
        mg_gb_nmda_trace(NULL, &p, &a, &pre, 1, &post, 1, 2000.0, &ia, NULL, NULL, &da, &pa),
        MG_OK);
    ck_assert_int_eq(
        mg_gb_nmda_trace(NULL, &p, &b, &pre, 1, &post, 1, 2000.0, &ib, NULL, NULL, &db, &pb),
        MG_OK);
    ASSERT_REL(ia, ib, 1e-8);
    ck_assert_msg(fabs(da - db) < 1e-3 && fabs(pa - pb) < 1e-3, "above: %.9g %.9g vs %.9g %.9g", da,
                  pa, db, pb);
    ck_assert(pa > 0.0);
}
END_TEST

typedef struct {
    int code;
    char *err;
} run_result;

/* Run mgsim with args (NULL-terminated, without argv[0]); stdout discarded, stderr kept. */
static run_result run_mgsim(const char *const *args) {
    const char *argv[64];
    size_t n = 0;
    argv[n++] = MGSIM_BINARY;
    for (size_t i = 0; args[i] && n < 63; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    mkdir(MGSIM_TEST_TMP, 0777);
    char err_path[4096];
    snprintf(err_path, sizeof err_path, "%s_stderr_%d.txt", TMP, (int)getpid());
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int o = open("/dev/null", O_WRONLY);
        int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (o < 0 || e < 0)
            _exit(127);
        dup2(o, STDOUT_FILENO);
        dup2(e, STDERR_FILENO);
        execv(MGSIM_BINARY, (char *const *)argv);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    run_result r = {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
                    rd_slurp(err_path)};
    unlink(err_path);
    return r;
}

/* Expect exit code and a phrase in stderr. */
static void expect_error(const char *const *args, int code, const char *phrase) {
    run_result r = run_mgsim(args);
    ck_assert_msg(r.code == code, "exit %d (want %d): %s", r.code, code, r.err ? r.err : "");
    ck_assert_msg(r.err && strstr(r.err, phrase), "stderr lacks '%s': %s", phrase,
                  r.err ? r.err : "");
    free(r.err);
}

/* (d) spike mode is the first increment: the library gives identical points with q = NULL
 * and with q in spike mode, and the command's CSV is byte-identical with and without
 * --set rule.calcium=spike (and with [Mg]o changed, which spike mode ignores). */
START_TEST(test_spike_mode_unchanged) {
    mg_gb_params p = dp();
    mg_gb_calcium_params q;
    mg_gb_calcium_defaults(&q);
    q.mg_mM = 2.0;
    mg_gb_pairing pr = {20, 1.0, 10.0};
    mg_gb_stdp_point x, y;
    memset(&x, 0, sizeof x);
    memset(&y, 0, sizeof y);
    ck_assert_int_eq(mg_gb_stdp_run(NULL, &p, &pr, 50, 3, &x), MG_OK);
    ck_assert_int_eq(mg_gb_stdp_run_calcium(NULL, &p, &q, &pr, 50, 3, &y), MG_OK);
    ck_assert(memcmp(&x, &y, sizeof x) == 0);

    char a[4096], b[4096], c[4096], pa[4096], pb[4096], pc[4096];
    rd_join(a, sizeof a, TMP, "_", "default");
    rd_join(b, sizeof b, TMP, "_", "spike");
    rd_join(c, sizeof c, TMP, "_", "spike_mg");
    rd_remove_dir(a);
    rd_remove_dir(b);
    rd_remove_dir(c);
    const char *ra[] = {"protocol",
                        "stdp-curve",
                        "-o",
                        a,
                        "-q",
                        "--set",
                        "protocol.dt_step_ms=20",
                        "--set",
                        "protocol.repetitions=100",
                        NULL};
    const char *rb[] = {"protocol",
                        "stdp-curve",
                        "-o",
                        b,
                        "-q",
                        "--set",
                        "protocol.dt_step_ms=20",
                        "--set",
                        "protocol.repetitions=100",
                        "--set",
                        "rule.calcium=spike",
                        NULL};
    const char *rc[] = {"protocol",
                        "stdp-curve",
                        "-o",
                        c,
                        "-q",
                        "--set",
                        "protocol.dt_step_ms=20",
                        "--set",
                        "protocol.repetitions=100",
                        "--set",
                        "rule.calcium=spike",
                        "--set",
                        "extracellular.mg_mM=3",
                        NULL};
    const char *const *runs[] = {ra, rb, rc};
    for (int k = 0; k < 3; k++) {
        run_result r = run_mgsim(runs[k]);
        ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err ? r.err : "");
        free(r.err);
    }
    char *fa = rd_slurp(rd_path(pa, sizeof pa, a, "stdp_curve.csv"));
    char *fb = rd_slurp(rd_path(pb, sizeof pb, b, "stdp_curve.csv"));
    char *fc = rd_slurp(rd_path(pc, sizeof pc, c, "stdp_curve.csv"));
    ck_assert(fa && fb && fc);
    ck_assert(strncmp(fa, "dt_ms,time_above_d_s,", 21) == 0); /* the first increment's header */
    ck_assert_str_eq(fa, fb);
    ck_assert_str_eq(fa, fc);
    free(fa);
    free(fb);
    free(fc);
    rd_remove_dir(a);
    rd_remove_dir(b);
    rd_remove_dir(c);
}
END_TEST

/* (e) More Mg, less LTP at Δt = +10 ms: the presynaptic calcium passes through the block,
 * which grows with [Mg]o, so less calcium reaches θp and the change is smaller. Then the
 * command's sweep layout and its errors. */
START_TEST(test_sweep_mg) {
    mg_gb_params p = dp();
    mg_gb_pairing pr = {60, 1.0, 10.0};
    mg_gb_stdp_point lo, hi;
    mg_gb_calcium_params q = nmda(0.5);
    ck_assert_int_eq(mg_gb_stdp_run_calcium(NULL, &p, &q, &pr, 0, 1, &lo), MG_OK);
    q.mg_mM = 3.0;
    ck_assert_int_eq(mg_gb_stdp_run_calcium(NULL, &p, &q, &pr, 0, 1, &hi), MG_OK);
    ck_assert_msg(lo.an.change > 1.0, "no LTP at +10 ms, 0.5 mM: %g", lo.an.change);
    ck_assert_msg(hi.an.change < lo.an.change, "3 mM %g not below 0.5 mM %g", hi.an.change,
                  lo.an.change);
    ck_assert(hi.above_p_s < lo.above_p_s);

    char d[4096], pd[4096];
    rd_join(d, sizeof d, TMP, "_", "sweep");
    rd_remove_dir(d);
    const char *args[] = {"protocol",
                          "stdp-curve",
                          "-o",
                          d,
                          "-q",
                          "--set",
                          "rule.calcium=nmda",
                          "--set",
                          "protocol.dt_min_ms=10",
                          "--set",
                          "protocol.dt_max_ms=10",
                          "--set",
                          "protocol.repetitions=0",
                          "--sweep",
                          "extracellular.mg_mM=0.5:3:2.5",
                          NULL};
    run_result r = run_mgsim(args);
    ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err ? r.err : "");
    free(r.err);
    char *csv = rd_slurp(rd_path(pd, sizeof pd, d, "stdp_curve.csv"));
    ck_assert_ptr_nonnull(csv);
    ck_assert(strncmp(csv, "extracellular.mg_mM,dt_ms,", 26) == 0);
    char *l1 = strchr(csv, '\n') + 1, *l2 = strchr(l1, '\n') + 1;
    ck_assert(strncmp(l1, "0.5,10,", 7) == 0 && strncmp(l2, "3,10,", 5) == 0);
    /* change_analytic is the 9th column after the swept value: compare with the library */
    const char *f = l1;
    for (int k = 0; k < 8; k++)
        f = strchr(f, ',') + 1;
    ASSERT_REL(strtod(f, NULL), lo.an.change, 1e-10);
    free(csv);
    char *js = rd_slurp(rd_path(pd, sizeof pd, d, "summary.json"));
    ck_assert_ptr_nonnull(js);
    ck_assert_ptr_nonnull(strstr(js, "\"sweep_key\": \"extracellular.mg_mM\""));
    ck_assert_ptr_nonnull(strstr(js, "\"dt_ms\": ["));
    ck_assert_ptr_nonnull(strstr(js, "\"rule.calcium\": \"nmda\""));
    const char *w = strstr(js, "\"weight_change_percent\": [");
    ck_assert_ptr_nonnull(w);
    w = strchr(w, '[') + 1;
    while (*w == ' ' || *w == '\n')
        w++;
    ck_assert_int_eq(*w, '['); /* an array per swept value */
    free(js);
    ck_assert_int_eq(rd_count_entries(d), 2);
    rd_remove_dir(d);

    const char *no_pts[] = {"protocol", "stdp-curve", "--sweep", "extracellular.mg_mM=2:1:0.5",
                            NULL};
    expect_error(no_pts, 65, "--sweep extracellular.mg_mM: no points");
    const char *zero[] = {"protocol", "stdp-curve", "--sweep", "extracellular.mg_mM=1:2:0", NULL};
    expect_error(zero, 65, "--sweep extracellular.mg_mM: STEP must be > 0");
    const char *neg[] = {"protocol", "stdp-curve", "--sweep", "extracellular.mg_mM=1:2:-1", NULL};
    expect_error(neg, 65, "STEP must be > 0");
    const char *unk[] = {"protocol", "stdp-curve", "--sweep", "extracellular.mg=1:2:1", NULL};
    expect_error(unk, 78, "--sweep: unknown key 'extracellular.mg'");
    const char *fixed[] = {"protocol", "stdp-curve", "--sweep", "protocol.dt_min_ms=1:2:1", NULL};
    expect_error(fixed, 78, "--sweep: key 'protocol.dt_min_ms' cannot be swept");
    const char *form[] = {"protocol", "stdp-curve", "--sweep", "extracellular.mg_mM=1:2", NULL};
    expect_error(form, 65, "--sweep expects KEY=START:STOP:STEP");
    const char *noeq[] = {"protocol", "stdp-curve", "--sweep", "extracellular.mg_mM", NULL};
    expect_error(noeq, 64, "--sweep expects KEY=START:STOP:STEP");
    const char *twice[] = {"protocol", "stdp-curve",       "--sweep", "rule.c_pre=1:2:1",
                           "--sweep",  "rule.c_pre=1:2:1", NULL};
    expect_error(twice, 64, "--sweep may be given once");
    const char *neg_mg[] = {"protocol", "stdp-curve", "--set", "extracellular.mg_mM=-1", NULL};
    expect_error(neg_mg, 65, "extracellular.mg_mM must be >= 0");
    const char *bad_mode[] = {"protocol", "stdp-curve", "--set", "rule.calcium=ampa", NULL};
    expect_error(bad_mode, 65, "rule.calcium expects spike or nmda");
}
END_TEST

static Suite *nmda_suite(void) {
    Suite *s = suite_create("gb2012_nmda");
    TCase *tc = tcase_create("gb2012_nmda");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_pre_alone_closed_form_and_mg_at_rest);
    tcase_add_test(tc, test_calibration_at_1mM);
    tcase_add_test(tc, test_bpap_relieves_block);
    tcase_add_test(tc, test_spike_mode_unchanged);
    tcase_add_test(tc, test_sweep_mg);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(nmda_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
