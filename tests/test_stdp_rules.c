/* mgsim-test: unit */
/* Pair-based and triplet STDP baselines (src/plast/stdp.c): the pair rule's analytic
 * amplitudes A+ e^{-Δt/τ+} and -A- e^{Δt/τ-}; the triplet rule against a hand-computed
 * two-pair sequence; and the frequency dependence of Pfister & Gerstner 2006 (J Neurosci
 * 26:9673, Fig. 6 with the visual-cortex data of Sjöström et al. 2001): for post-before-pre
 * pairs (Δt = -10 ms) LTD at low and LTP at high pairing frequency, and for +10 ms pairs a
 * potentiation that grows with frequency from nothing at 0.1 Hz. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mgsim/plast.h"

/* Δw of `pairs` pairs at f Hz with Δt = t_post - t_pre (first pair at 100 ms). */
static double pairing(const mg_stdp_params *p, int pairs, double f, double dt) {
    double pre[100], post[100];
    for (int k = 0; k < pairs; k++) {
        double t0 = 100.0 + 1000.0 * k / f;
        pre[k] = t0;
        post[k] = t0 + dt;
    }
    double dw = NAN;
    ck_assert_int_eq(mg_stdp_run(NULL, p, pre, (size_t)pairs, post, (size_t)pairs, &dw), MG_OK);
    return dw;
}

/* (a) An isolated pair under the pair rule: exactly A+ e^{-Δt/τ+} (Δt > 0) or
 * -A- e^{Δt/τ-} (Δt < 0); 1e-12 relative (one exponential in both). */
START_TEST(test_pair_amplitudes) {
    mg_stdp_params p;
    mg_stdp_defaults(MG_RULE_STDP_PAIR, &p);
    const double dts[] = {-80, -40, -10, -1, 1, 5, 10, 40, 80};
    for (size_t i = 0; i < sizeof dts / sizeof dts[0]; i++) {
        double dt = dts[i], dw = pairing(&p, 1, 1.0, dt);
        double want =
            dt > 0 ? p.a2_plus * exp(-dt / p.tau_plus_ms) : -p.a2_minus * exp(dt / p.tau_minus_ms);
        ck_assert_double_eq_tol(dw, want, 1e-12 * fabs(want));
    }
    /* the pair rule is linear in the pairs: 60 pairs at 0.1 Hz are 60 isolated pairs (the
     * other pairs' traces have decayed by e^{-10000/33.7}) */
    ck_assert_double_eq_tol(pairing(&p, 60, 0.1, 10.0), 60.0 * p.a2_plus * exp(-10.0 / 16.8),
                            1e-12);
}
END_TEST

/* (b) Triplet rule, two pairs pre t=0, post t=10, pre t=T, post t=T+10 (T = 100 ms), by
 * hand: post1: +1·A2+ (r1 = e^{-10/τ+}, o2 = 0); pre2: -o1 (A2- + A3- r2), with
 * o1 = e^{-(T-10)/τ-}, r2 = e^{-T/τx}; post2: +r1 (A2+ + A3+ o2), r1 = e^{-10/τ+}(1 +
 * e^{-T/τ+}), o2 = e^{-T/τy}. Same arithmetic: 1e-12. */
START_TEST(test_triplet_by_hand) {
    mg_stdp_params p;
    mg_stdp_defaults(MG_RULE_STDP_TRIPLET, &p);
    double T = 100.0, pre[2] = {0.0, T}, post[2] = {10.0, T + 10.0}, dw;
    ck_assert_int_eq(mg_stdp_run(NULL, &p, pre, 2, post, 2, &dw), MG_OK);
    double r1a = exp(-10.0 / p.tau_plus_ms);
    double w = r1a * p.a2_plus;
    w -= exp(-(T - 10.0) / p.tau_minus_ms) * (p.a2_minus + p.a3_minus * exp(-T / p.tau_x_ms));
    double r1b = exp(-10.0 / p.tau_plus_ms) * (1.0 + exp(-T / p.tau_plus_ms));
    w += r1b * (p.a2_plus + p.a3_plus * exp(-T / p.tau_y_ms));
    ck_assert_double_eq_tol(dw, w, 1e-12 * fabs(w));
    /* defaults: Pfister & Gerstner 2006 Table 4, visual cortex, all-to-all, full model */
    ck_assert_double_eq(p.tau_plus_ms, 16.8);
    ck_assert_double_eq(p.tau_y_ms, 125.0);
    ck_assert_double_eq(p.a3_plus, 6.2e-3);
    ck_assert_double_eq(p.a2_minus, 7e-3);
}
END_TEST

/* (c) Frequency dependence (60 pairs), Pfister & Gerstner 2006 Fig. 6 / Sjöström 2001:
 * Δt = -10 ms: LTD at 1 Hz, LTP at 50 Hz; Δt = +10 ms: ≈ no change at 0.1 Hz (|Δw| below
 * 1e-6, as A2+ = 5e-10 and the triplet term needs a recent post spike), LTP growing
 * strictly with frequency over 1, 10, 20, 40, 50 Hz. Pair rule: all-to-all, so Δw is the
 * double sum Σ_i Σ_j F(t_post,j - t_pre,i) with F(Δ) = A+ e^{-Δ/τ+} (Δ > 0), -A- e^{Δ/τ-}
 * (Δ < 0), computed here independently (1e-12 relative, same exponentials). */
START_TEST(test_triplet_frequency_dependence) {
    mg_stdp_params p;
    mg_stdp_defaults(MG_RULE_STDP_TRIPLET, &p);
    ck_assert(pairing(&p, 60, 1.0, -10.0) < 0.0);
    ck_assert(pairing(&p, 60, 50.0, -10.0) > 0.0);
    ck_assert(fabs(pairing(&p, 60, 0.1, 10.0)) < 1e-6);
    const double fs[] = {1.0, 10.0, 20.0, 40.0, 50.0};
    double prev = 0.0;
    for (size_t i = 0; i < 5; i++) {
        double dw = pairing(&p, 60, fs[i], 10.0);
        ck_assert_msg(dw > prev, "+10 ms at %g Hz: %g not above %g", fs[i], dw, prev);
        prev = dw;
    }
    mg_stdp_params q;
    mg_stdp_defaults(MG_RULE_STDP_PAIR, &q);
    const double qf[] = {0.5, 5.0, 20.0, 50.0}, qdt[] = {-10.0, 10.0};
    for (size_t i = 0; i < 4; i++)
        for (size_t m = 0; m < 2; m++) {
            double sum = 0.0;
            for (int a = 0; a < 60; a++)
                for (int b = 0; b < 60; b++) {
                    double tpre = 100.0 + 1000.0 * a / qf[i];
                    double tpost = 100.0 + 1000.0 * b / qf[i] + qdt[m], d = tpost - tpre;
                    sum += d > 0 ? q.a2_plus * exp(-d / q.tau_plus_ms)
                                 : -q.a2_minus * exp(d / q.tau_minus_ms);
                }
            ck_assert_double_eq_tol(pairing(&q, 60, qf[i], qdt[m]), sum, 1e-12 * fabs(sum));
        }
}
END_TEST

/* (d) Errors name the key. */
START_TEST(test_errors) {
    mg_context *ctx = mg_context_create();
    mg_stdp_params p;
    mg_stdp_defaults(MG_RULE_STDP_TRIPLET, &p);
    p.tau_plus_ms = -1.0;
    ck_assert_int_eq(mg_stdp_validate(ctx, &p), MG_ERR_DATA);
    ck_assert_ptr_nonnull(strstr(mg_error_message(ctx), "stdp.tau_plus_ms must be > 0"));
    mg_stdp_defaults(MG_RULE_STDP_TRIPLET, &p);
    double pre[2] = {5.0, 1.0}, dw;
    ck_assert_int_eq(mg_stdp_run(ctx, &p, pre, 2, NULL, 0, &dw), MG_ERR_DATA);
    ck_assert_ptr_nonnull(strstr(mg_error_message(ctx), "sorted"));
    mg_context_destroy(&ctx);
}
END_TEST

static Suite *stdp_suite(void) {
    Suite *s = suite_create("stdp_rules");
    TCase *tc = tcase_create("stdp_rules");
    tcase_add_test(tc, test_pair_amplitudes);
    tcase_add_test(tc, test_triplet_by_hand);
    tcase_add_test(tc, test_triplet_frequency_dependence);
    tcase_add_test(tc, test_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(stdp_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
