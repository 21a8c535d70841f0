/* mgsim-test: unit */
/* The Shouval, Bear & Cooper 2002 rule (src/plast/shouval.c): Ω and η against their
 * formulas (reference code folmez/CaDP-MatLab, refs §6.1); the calcium of one presynaptic
 * spike at rest against its closed form; LFS gives LTD and the tetanus LTP (Dudek & Bear
 * 1992; Shouval 2002 Fig. 3B); the LTD→LTP crossover frequency rises with [Mg]o; the
 * tetanus LTP falls monotonically with [Mg]o (NMDA-driven calcium); parameter errors. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mgsim/net.h"
#include "mgsim/plast.h"

static mg_shouval_params defaults(void) {
    mg_shouval_params p;
    mg_shouval_defaults(&p);
    return p;
}

/* The change after `pulses` presynaptic pulses at f Hz (no postsynaptic spikes), 1 s tail. */
static double change_at(const mg_shouval_params *p, size_t pulses, double f) {
    mg_plast_train tr = {1, pulses, f, 1.0, 0, 0.0, 1000.0};
    double *pre, *post, T;
    size_t np, nq;
    ck_assert_int_eq(mg_plast_train_spikes(NULL, &tr, &pre, &np, &post, &nq, &T), MG_OK);
    mg_shouval_result r;
    ck_assert_int_eq(mg_shouval_run(NULL, p, pre, np, post, nq, T, 1.1, &r), MG_OK);
    free(pre);
    free(post);
    return r.change_percent;
}

/* (a) Ω and η: Ω(c) = 0.25 + sig(c - 0.55, 80) - 0.25 sig(c - 0.35, 80) and
 * η(c) = 1/(0.1/(1e-5 + c³) + 1) 1/s, written out here independently (Omega_calcium.m,
 * eta_calcium.m); η(0) = 1/10001 s⁻¹ (τ ≈ 2.8 h, refs §6.1). Tolerance 1e-12 relative:
 * the same arithmetic. */
START_TEST(test_omega_eta) {
    mg_shouval_params p = defaults();
    const double cs[] = {0.0, 0.2, 0.35, 0.45, 0.55, 0.8, 2.0};
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        double c = cs[i];
        double om =
            0.25 + 1.0 / (1.0 + exp(-80.0 * (c - 0.55))) - 0.25 / (1.0 + exp(-80.0 * (c - 0.35)));
        double eta = 1.0 / (0.1 / (1e-5 + c * c * c) + 1.0);
        ck_assert_double_eq_tol(mg_shouval_omega(&p, c), om, 1e-12);
        ck_assert_double_eq_tol(mg_shouval_eta(&p, c), eta, 1e-12 * eta);
    }
    ck_assert_double_eq_tol(mg_shouval_eta(&p, 0.0), 1.0 / 10001.0, 1e-15);
    /* Ω dips below its rest value between α1 and α2 (LTD) and rises above it beyond α2 */
    ck_assert(mg_shouval_omega(&p, 0.45) < 0.1);
    ck_assert(mg_shouval_omega(&p, 1.0) > 0.99);
}
END_TEST

/* (b) One presynaptic spike at rest (EPSP 0 so V = V_rest): the influx is
 * a g(u) with a = P0 G B(V_rest) (V_r - V_rest), so ∫influx = a (I_f τf + I_s τs) and
 * ∫Ca = τCa ∫influx (+ the part still in Ca at T, which is negligible after 5 s: the slow
 * gating left is e^{-25} of its start). The step integrates each exponential by the
 * midpoint rule: relative error h²/(24 τf²) = 2e-7 at h = 0.1 ms; tolerance 1e-5. */
START_TEST(test_single_spike_closed_form) {
    mg_shouval_params p = defaults();
    p.epsp_mV = 0.0;
    const double mgs[] = {0.5, 1.0, 2.0};
    for (size_t k = 0; k < 3; k++) {
        p.mg_mM = mgs[k];
        double pre = 0.0;
        mg_shouval_result r;
        ck_assert_int_eq(mg_shouval_run(NULL, &p, &pre, 1, NULL, 0, 5000.0, 1.0, &r), MG_OK);
        double B = mg_net_nmda_block(-65.0, p.mg_mM, 3.57, 0.062);
        double a = 0.5 * (1.0 / 500.0) * B * (130.0 + 65.0);
        double influx = a * (0.5 * 50.0 + 0.5 * 200.0);
        ck_assert_double_eq_tol(r.ca.influx, influx, 1e-5 * influx);
        ck_assert_double_eq_tol(r.ca.integral_ms, 50.0 * influx, 1e-5 * 50.0 * influx);
        /* from 1 mM up a single spike at rest stays below α1 (no LTD from one pulse) */
        if (p.mg_mM >= 1.0)
            ck_assert(r.ca.peak < p.alpha1_uM);
        if (p.mg_mM >= 1.0)
            ck_assert(r.ca.above_tox_ms == 0.0); /* the threshold is 1 µM */
    }
}
END_TEST

/* (c) LFS (900 pulses at 1 Hz) gives LTD and the 100 Hz tetanus (100 pulses) LTP:
 * the directions of Dudek & Bear 1992 (PNAS 89:4363: LTD after 900 pulses at 1-3 Hz) and
 * of Shouval 2002 Fig. 3B (rate-dependent plasticity with the 10 mV EPSP of EPSP.m).
 * Margins (-10 %, +50 %) far from 0: the model gives -48 % and +196 % (docs). */
START_TEST(test_lfs_ltd_tetanus_ltp) {
    mg_shouval_params p = defaults();
    double lfs = change_at(&p, 900, 1.0), tet = change_at(&p, 100, 100.0);
    ck_assert_msg(lfs < -10.0, "LFS change %g %%", lfs);
    ck_assert_msg(tet > 50.0, "tetanus change %g %%", tet);
}
END_TEST

/* The frequency (100 pulses) at which the change crosses from LTD to LTP, by bisection
 * between 3 and 60 Hz (LTD or no change at 3 Hz, LTP at 60 Hz), to 0.01 Hz. */
static double crossover(mg_shouval_params *p) {
    double lo = 3.0, hi = 60.0;
    ck_assert(change_at(p, 100, lo) < 0.0);
    ck_assert(change_at(p, 100, hi) > 0.0);
    while (hi - lo > 0.01) {
        double mid = 0.5 * (lo + hi);
        if (change_at(p, 100, mid) > 0.0)
            hi = mid;
        else
            lo = mid;
    }
    return 0.5 * (lo + hi);
}

/* (d) The crossover rises with [Mg]o: the block scales the calcium per pulse down, so a
 * higher rate is needed to sum it past α2 (the BCM-like sliding threshold through the Mg
 * block; a derived expectation, refs §6.2). At 1 mM it must lie between 3 and 50 Hz
 * (Dudek & Bear 1992: LTD at 1-3 Hz, LTP at 50 Hz). Strictly increasing over 1, 1.5, 2 mM,
 * with steps far above the 0.01 Hz bisection resolution. */
START_TEST(test_crossover_rises_with_mg) {
    mg_shouval_params p = defaults();
    double prev = 0.0;
    const double mgs[] = {1.0, 1.5, 2.0};
    for (size_t k = 0; k < 3; k++) {
        p.mg_mM = mgs[k];
        double fx = crossover(&p);
        if (k == 0)
            ck_assert_msg(fx > 3.0 && fx < 50.0, "crossover %g Hz at 1 mM", fx);
        ck_assert_msg(fx > prev + 0.5, "crossover %g Hz at %g mM, not above %g", fx, mgs[k], prev);
        prev = fx;
    }
}
END_TEST

/* (e) NMDA-driven calcium: the tetanus LTP falls monotonically with [Mg]o over 0.5-3 mM
 * (every 0.25 mM), because every pulse's calcium passes through the block; the peak
 * calcium falls too. Strict decrease; the change differences (≥ 0.1 %) are far above the
 * integration error (1e-5 relative, test b). For the GB2012 rule with rule.calcium=nmda,
 * the time above θp is non-increasing (its weight change is not monotone: it passes
 * through LTD on the way down, docs/models/protocols.md). */
START_TEST(test_tetanus_falls_with_mg) {
    mg_shouval_params p = defaults();
    double prev = INFINITY, prev_peak = INFINITY;
    for (double mg = 0.5; mg <= 3.0 + 1e-9; mg += 0.25) {
        p.mg_mM = mg;
        mg_plast_train tr = {1, 100, 100.0, 1.0, 0, 0.0, 1000.0};
        double *pre, *post, T;
        size_t np, nq;
        ck_assert_int_eq(mg_plast_train_spikes(NULL, &tr, &pre, &np, &post, &nq, &T), MG_OK);
        mg_shouval_result r;
        ck_assert_int_eq(mg_shouval_run(NULL, &p, pre, np, post, nq, T, 1.1, &r), MG_OK);
        ck_assert_msg(r.change_percent > 0.0 && r.change_percent < prev,
                      "tetanus change %g %% at %g mM (previous %g)", r.change_percent, mg, prev);
        ck_assert(r.ca.peak < prev_peak);
        prev = r.change_percent;
        prev_peak = r.ca.peak;
        free(pre);
        free(post);
    }
    mg_plast_setup s;
    mg_plast_setup_defaults(&s);
    s.gb_ca.mode = MG_GB_CALCIUM_NMDA;
    double prev_p = INFINITY;
    for (double mg = 0.5; mg <= 3.0 + 1e-9; mg += 0.5) {
        s.gb_ca.mg_mM = mg;
        mg_plast_train tr = {1, 100, 100.0, 1.0, 0, 0.0, 1000.0};
        double *pre, *post, T;
        size_t np, nq;
        ck_assert_int_eq(mg_plast_train_spikes(NULL, &tr, &pre, &np, &post, &nq, &T), MG_OK);
        mg_plast_result r;
        ck_assert_int_eq(mg_plast_run(NULL, &s, pre, np, post, nq, T, &r), MG_OK);
        ck_assert(r.above_p_ms <= prev_p);
        prev_p = r.above_p_ms;
        free(pre);
        free(post);
    }
}
END_TEST

/* (f) Bad parameters: thresholds in the wrong order, a negative time constant, a bad
 * [Mg]o; unknown rule names list the valid ones. */
START_TEST(test_errors) {
    mg_context *ctx = mg_context_create();
    mg_shouval_params p = defaults();
    p.alpha1_uM = 0.6;
    ck_assert_int_eq(mg_shouval_validate(ctx, &p), MG_ERR_DATA);
    ck_assert_ptr_nonnull(strstr(mg_error_message(ctx), "thresholds in the wrong order"));
    p = defaults();
    p.tau_ca_ms = -5.0;
    ck_assert_int_eq(mg_shouval_validate(ctx, &p), MG_ERR_DATA);
    ck_assert_ptr_nonnull(strstr(mg_error_message(ctx), "shouval.tau_ca_ms must be > 0"));
    p = defaults();
    p.mg_mM = -1.0;
    ck_assert_int_eq(mg_shouval_validate(ctx, &p), MG_ERR_DATA);
    ck_assert_ptr_nonnull(strstr(mg_error_message(ctx), "extracellular.mg_mM"));
    mg_rule_kind k = MG_RULE_GB2012;
    ck_assert_int_eq(mg_rule_by_name(ctx, "bcm", &k), MG_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(mg_error_message(ctx), "gb2012, shouval2002, stdp_pair"));
    ck_assert_int_eq(mg_rule_by_name(ctx, "shouval2002", &k), MG_OK);
    ck_assert_int_eq(k, MG_RULE_SHOUVAL2002);
    ck_assert_str_eq(mg_rule_name(MG_RULE_STDP_TRIPLET), "stdp_triplet");
    mg_context_destroy(&ctx);
}
END_TEST

static Suite *shouval_suite(void) {
    Suite *s = suite_create("shouval");
    TCase *tc = tcase_create("shouval");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_omega_eta);
    tcase_add_test(tc, test_single_spike_closed_form);
    tcase_add_test(tc, test_lfs_ltd_tetanus_ltp);
    tcase_add_test(tc, test_crossover_rises_with_mg);
    tcase_add_test(tc, test_tetanus_falls_with_mg);
    tcase_add_test(tc, test_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(shouval_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
