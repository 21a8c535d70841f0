/* mgsim-test: unit */
/* The two-process model of sleep regulation (src/sleep/two_process.c): the cycle without a
 * circadian amplitude against the closed forms and the published 22.6 h / 5.8 h; entrainment
 * to 24 h at the standard amplitude; S in (0, 1), switches exactly on the thresholds and no
 * crossing missed between them; sampling; bad parameters. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mgsim/sleep.h"

/* |a - b| <= tol, with a message. */
#define ASSERT_NEAR(a, b, tol)                                                                     \
    ck_assert_msg(fabs((a) - (b)) <= (tol), "%s = %.17g, expected %.17g (tol %g)", #a,             \
                  (double)(a), (double)(b), (double)(tol))

/* Switch times are bisected to adjacent doubles; S at a switch then matches the threshold to
 * |f'| · ulp(t) (f' <= 0.1 /h, t <= 1000 h: about 1e-14), asserted with margin. */
#define SWITCH_TOL 1e-9

/* Closed forms with constant thresholds (a = 0), from the exponential laws of refs §3.1:
 * awake from H- to H+: μ - H+ = (μ - H-) e^{-Tw/χw}  =>  Tw = χw ln((μ - H-)/(μ - H+));
 * asleep from H+ to H-: H- = H+ e^{-Ts/χs}           =>  Ts = χs ln(H+/H-). */
static double wake_analytic(const mg_sleep_params *p) {
    return p->chi_w_h * log((p->mu - p->h0_lower) / (p->mu - p->h0_upper));
}

static double sleep_analytic(const mg_sleep_params *p) {
    return p->chi_s_h * log(p->h0_upper / p->h0_lower);
}

/* ------------------------------------------------------------------ (1) a = 0 */

START_TEST(test_zero_amplitude_cycle) {
    mg_sleep_params p = mg_sleep_params_default();
    p.amp = 0.0;
    mg_sleep_result r;
    /* Start awake just above the lower threshold (S = H0- itself is also fine). */
    ck_assert_int_eq(mg_sleep_two_process_run(NULL, &p, 0.2, 1, 240.0, 0.0, &r), MG_OK);
    ck_assert_uint_ge(r.n_episodes, 9);
    ck_assert_int_eq(r.starts_asleep, 0);
    double tw = wake_analytic(&p), ts = sleep_analytic(&p);
    /* Every complete episode and cycle equals the closed forms to the root finder's precision. */
    size_t full = r.ends_asleep ? r.n_episodes - 1 : r.n_episodes;
    for (size_t k = 0; k < full; k++) {
        ASSERT_NEAR(r.episodes[k].offset_h - r.episodes[k].onset_h, ts, 1e-9);
        ASSERT_NEAR(r.episodes[k].s_onset, p.h0_upper, SWITCH_TOL);
        ASSERT_NEAR(r.episodes[k].s_offset, p.h0_lower, SWITCH_TOL);
        if (k + 1 < r.n_episodes) {
            ASSERT_NEAR(r.episodes[k + 1].onset_h - r.episodes[k].offset_h, tw, 1e-9);
            ASSERT_NEAR(r.episodes[k + 1].onset_h - r.episodes[k].onset_h, tw + ts, 1e-9);
        }
    }
    /* The and refs §3.1's targets (npj Biol Timing Sleep 2025, fig. 6 caption):
     * ≈ 5.8 h of sleep in an ≈ 22.6 h cycle (~26 % asleep). With the §2.2 parameters the closed
     * forms give Ts = 5.760 h (rounds to 5.8) but a cycle of 22.547 h, which rounds to 22.5:
     * 0.053 h short of 22.6. Parameters are not adjusted; the cycle is asserted against the
     * closed form above and here only to 0.06 h of the published rounded value. */
    ASSERT_NEAR(ts, 5.8, 0.05);
    ASSERT_NEAR(tw + ts, 22.6, 0.06);
    ASSERT_NEAR(ts / (tw + ts), 0.26, 0.01);
    fprintf(stderr,
            "two-process a=0: wake %.6f h, sleep %.6f h, cycle %.6f h (analytic), "
            "simulated cycle %.12f h, sleep %.12f h\n",
            tw, ts, tw + ts, r.episodes[2].onset_h - r.episodes[1].onset_h,
            r.episodes[1].offset_h - r.episodes[1].onset_h);
    mg_sleep_result_free(&r);
}
END_TEST

/* ------------------------------------------------------------------ (2) entrainment */

/* Sleep duration and onset clock time of the last complete episode, after checking that the
 * last `n` onsets are 24 h apart to 1e-3 h. */
static void entrained(const mg_sleep_result *r, size_t n, double *sleep_h, double *onset_clock) {
    size_t last = r->ends_asleep ? r->n_episodes - 2 : r->n_episodes - 1;
    ck_assert_uint_ge(last, n);
    for (size_t k = last - n + 1; k <= last; k++)
        ASSERT_NEAR(r->episodes[k].onset_h - r->episodes[k - 1].onset_h, 24.0, 1e-3);
    for (size_t k = last - n + 1; k <= last; k++)
        ASSERT_NEAR(r->episodes[k].offset_h - r->episodes[k - 1].offset_h, 24.0, 1e-3);
    *sleep_h = r->episodes[last].offset_h - r->episodes[last].onset_h;
    *onset_clock = fmod(r->episodes[last].onset_h, 24.0);
}

START_TEST(test_standard_amplitude_entrains_to_24h) {
    mg_sleep_params p = mg_sleep_params_default();
    ck_assert_int_eq(mg_sleep_params_validate(NULL, &p), MG_OK);
    ASSERT_NEAR(p.amp, 0.12, 0.0);
    ASSERT_NEAR(p.period_h, 24.0, 0.0);
    mg_sleep_result r1, r2;
    ck_assert_int_eq(mg_sleep_two_process_run(NULL, &p, 0.2, 1, 30 * 24.0, 0.0, &r1), MG_OK);
    ck_assert_int_eq(mg_sleep_two_process_run(NULL, &p, 0.6, 0, 30 * 24.0, 0.0, &r2), MG_OK);
    double s1, c1, s2, c2;
    entrained(&r1, 5, &s1, &c1);
    entrained(&r2, 5, &s2, &c2);
    /* The refs state no entrained sleep duration for these parameters, so only consistency is
     * asserted: the same attracting cycle from two different starts, switches on the
     * thresholds (test 3), and a sleep episode shorter than the cycle. The value is reported. */
    ASSERT_NEAR(s1, s2, 1e-6);
    ASSERT_NEAR(c1, c2, 1e-6);
    ck_assert(s1 > 0.0 && s1 < 24.0);
    for (size_t k = 0; k < r1.n_episodes; k++) {
        if (k > 0 || !r1.starts_asleep)
            ASSERT_NEAR(r1.episodes[k].s_onset,
                        mg_sleep_threshold_upper(&p, r1.episodes[k].onset_h), SWITCH_TOL);
        if (k + 1 < r1.n_episodes || !r1.ends_asleep)
            ASSERT_NEAR(r1.episodes[k].s_offset,
                        mg_sleep_threshold_lower(&p, r1.episodes[k].offset_h), SWITCH_TOL);
    }
    double off1 = fmod(c1 + s1, 24.0);
    fprintf(stderr,
            "two-process a=0.12, T=24 h, t0=8.6 h: entrained cycle 24 h, sleep %.6f h, "
            "onset at t mod 24 = %.4f h, offset at %.4f h\n",
            s1, c1, off1);
    mg_sleep_result_free(&r1);
    mg_sleep_result_free(&r2);
}
END_TEST

/* ------------------------------------------------------------------ (3) S and the switches */

START_TEST(test_s_bounded_and_switches_on_thresholds) {
    mg_sleep_params p = mg_sleep_params_default();
    const double h = 0.01, dur = 240.0;
    mg_sleep_result r;
    ck_assert_int_eq(mg_sleep_two_process_run(NULL, &p, 0.3, 1, dur, h, &r), MG_OK);
    ck_assert_uint_eq(r.n_samples, 24001);
    ck_assert_uint_ge(r.n_episodes, 9);
    /* S in (0, 1); between switches S is below H+ while awake and above H- while asleep. */
    for (size_t k = 0; k < r.n_samples; k++) {
        double t = (double)k * h;
        ck_assert(r.s[k] > 0.0 && r.s[k] < 1.0);
        if (r.awake[k])
            ck_assert_msg(r.s[k] < mg_sleep_threshold_upper(&p, t) + 1e-12, "awake past H+ at %g",
                          t);
        else
            ck_assert_msg(r.s[k] > mg_sleep_threshold_lower(&p, t) - 1e-12, "asleep past H- at %g",
                          t);
    }
    /* The sampled state agrees with the episodes, and S with the exact law from each switch. */
    for (size_t e = 0; e < r.n_episodes; e++) {
        const mg_sleep_episode *ep = &r.episodes[e];
        ASSERT_NEAR(ep->s_onset, mg_sleep_threshold_upper(&p, ep->onset_h), SWITCH_TOL);
        if (e + 1 < r.n_episodes || !r.ends_asleep)
            ASSERT_NEAR(ep->s_offset, mg_sleep_threshold_lower(&p, ep->offset_h), SWITCH_TOL);
        ASSERT_NEAR(ep->s_offset,
                    mg_sleep_s_advance(&p, ep->s_onset, 0, ep->offset_h - ep->onset_h), 1e-12);
        size_t k = (size_t)ceil(ep->onset_h / h) + 1;
        if (k < r.n_samples && (double)k * h < ep->offset_h) {
            ck_assert_int_eq(r.awake[k], 0);
            ASSERT_NEAR(r.s[k], mg_sleep_s_advance(&p, ep->s_onset, 0, (double)k * h - ep->onset_h),
                        1e-12);
        }
    }
    /* No crossing missed: a 1e-3 h scan of the switch function between consecutive switches
     * never finds it past its threshold before the switch the simulator reports. */
    double t_prev = 0.0, s_prev = 0.3;
    int awake = 1;
    for (size_t e = 0; e < r.n_episodes; e++) {
        for (int pass = 0; pass < 2; pass++) {
            double t_sw = pass == 0 ? r.episodes[e].onset_h : r.episodes[e].offset_h;
            if (e + 1 == r.n_episodes && pass == 1 && r.ends_asleep)
                break;
            for (double t = t_prev; t < t_sw - 1e-9; t += 1e-3) {
                double s = mg_sleep_s_advance(&p, s_prev, awake, t - t_prev);
                double f = awake ? s - mg_sleep_threshold_upper(&p, t)
                                 : mg_sleep_threshold_lower(&p, t) - s;
                ck_assert_msg(f < 0.0, "switch function >= 0 at %g before the switch at %g", t,
                              t_sw);
            }
            s_prev = mg_sleep_s_advance(&p, s_prev, awake, t_sw - t_prev);
            t_prev = t_sw;
            awake = !awake;
        }
    }
    ASSERT_NEAR(r.s_end, r.s[r.n_samples - 1], 1e-12);
    mg_sleep_result_free(&r);
}
END_TEST

START_TEST(test_start_and_end_states) {
    mg_sleep_params p = mg_sleep_params_default();
    p.amp = 0.0;
    mg_sleep_result r;
    /* Start asleep at S = 0.5: the first episode starts at 0 and ends at χs ln(0.5/H-). */
    ck_assert_int_eq(mg_sleep_two_process_run(NULL, &p, 0.5, 0, 6.0, 0.0, &r), MG_OK);
    ck_assert_int_eq(r.starts_asleep, 1);
    ck_assert_uint_eq(r.n_episodes, 1);
    ASSERT_NEAR(r.episodes[0].onset_h, 0.0, 0.0);
    ASSERT_NEAR(r.episodes[0].offset_h, p.chi_s_h * log(0.5 / p.h0_lower), 1e-9);
    ck_assert_int_eq(r.ends_asleep, 0);
    ck_assert_int_eq(r.awake_end, 1);
    mg_sleep_result_free(&r);
    /* Ends asleep: the last offset is the end of the run. */
    ck_assert_int_eq(mg_sleep_two_process_run(NULL, &p, 0.5, 0, 1.0, 0.0, &r), MG_OK);
    ck_assert_int_eq(r.ends_asleep, 1);
    ASSERT_NEAR(r.episodes[0].offset_h, 1.0, 0.0);
    ASSERT_NEAR(r.s_end, 0.5 * exp(-1.0 / p.chi_s_h), 1e-15);
    mg_sleep_result_free(&r);
    /* Awake already above H+: falls asleep at t = 0. */
    ck_assert_int_eq(mg_sleep_two_process_run(NULL, &p, 0.8, 1, 2.0, 0.0, &r), MG_OK);
    ck_assert_uint_eq(r.n_episodes, 1);
    ASSERT_NEAR(r.episodes[0].onset_h, 0.0, 0.0);
    mg_sleep_result_free(&r);
}
END_TEST

/* ------------------------------------------------------------------ (4) bad input */

static void expect_bad(mg_sleep_params p, const char *key) {
    mg_context *ctx = mg_context_create();
    ck_assert_ptr_nonnull(ctx);
    ck_assert_int_eq(mg_sleep_params_validate(ctx, &p), MG_ERR_DATA);
    ck_assert_msg(strstr(mg_error_message(ctx), key) != NULL, "message '%s' lacks '%s'",
                  mg_error_message(ctx), key);
    mg_sleep_result r;
    ck_assert_int_eq(mg_sleep_two_process_run(ctx, &p, 0.3, 1, 24.0, 0.0, &r), MG_ERR_DATA);
    ck_assert_ptr_null(r.episodes);
    mg_context_destroy(&ctx);
}

START_TEST(test_bad_parameters) {
    mg_sleep_params p;
    p = mg_sleep_params_default(), p.chi_w_h = 0.0, expect_bad(p, "chi_w_h");
    p = mg_sleep_params_default(), p.chi_w_h = NAN, expect_bad(p, "chi_w_h");
    p = mg_sleep_params_default(), p.chi_s_h = -4.2, expect_bad(p, "chi_s_h");
    p = mg_sleep_params_default(), p.mu = 0.0, expect_bad(p, "mu");
    p = mg_sleep_params_default(), p.amp = -0.1, expect_bad(p, "amp");
    p = mg_sleep_params_default(), p.period_h = 0.0, expect_bad(p, "period_h");
    p = mg_sleep_params_default(), p.period_h = INFINITY, expect_bad(p, "period_h");
    p = mg_sleep_params_default(), p.phase_h = NAN, expect_bad(p, "phase_h");
    p = mg_sleep_params_default(), p.h0_upper = NAN, expect_bad(p, "h0_upper");
    /* Thresholds out of order, or reachable only outside (0, μ). */
    p = mg_sleep_params_default(), p.h0_upper = 0.15, expect_bad(p, "h0_upper");
    p = mg_sleep_params_default(), p.h0_lower = 0.1, expect_bad(p, "h0_lower");
    p = mg_sleep_params_default(), p.h0_upper = 0.9, expect_bad(p, "mu");

    mg_context *ctx = mg_context_create();
    mg_sleep_result r;
    p = mg_sleep_params_default();
    ck_assert_int_eq(mg_sleep_two_process_run(ctx, &p, 1.0, 1, 24.0, 0.0, &r), MG_ERR_DATA);
    ck_assert_ptr_nonnull(strstr(mg_error_message(ctx), "initial S"));
    ck_assert_int_eq(mg_sleep_two_process_run(ctx, &p, 0.3, 1, 0.0, 0.0, &r), MG_ERR_DATA);
    ck_assert_ptr_nonnull(strstr(mg_error_message(ctx), "duration"));
    ck_assert_int_eq(mg_sleep_two_process_run(ctx, &p, 0.3, 1, 24.0, -1.0, &r), MG_ERR_DATA);
    ck_assert_ptr_nonnull(strstr(mg_error_message(ctx), "sample interval"));
    ck_assert_int_eq(mg_sleep_two_process_run(ctx, &p, 0.3, 1, 1e6, 1e-6, &r), MG_ERR_DATA);
    ck_assert_ptr_nonnull(strstr(mg_error_message(ctx), "samples"));
    mg_context_destroy(&ctx);
}
END_TEST

static Suite *two_process_suite(void) {
    Suite *s = suite_create("two_process");
    TCase *tc = tcase_create("two_process");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_zero_amplitude_cycle);
    tcase_add_test(tc, test_standard_amplitude_entrains_to_24h);
    tcase_add_test(tc, test_s_bounded_and_switches_on_thresholds);
    tcase_add_test(tc, test_start_and_end_states);
    tcase_add_test(tc, test_bad_parameters);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(two_process_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
