/* `mgsim validate`: the sleep targets (two-process cycle without circadian amplitude; stage
 * shares, cycle length and age trends of the sleep-stage network) and the stress targets (the
 * healthy 24-h cortisol profile of the HPA axis). */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cli/validate_targets.h"
#include "mgsim/sleep.h"
#include "mgsim/sleep_stages.h"
#include "mgsim/stress.h"

/* ------------------------------------------------------------------ two-process */

/* With a = 0: the second complete cycle (onset to onset) and its sleep episode, simulated. */
static mg_status two_process(mg_context *ctx, double *cycle_h, double *sleep_h) {
    mg_sleep_params p = mg_sleep_params_default();
    p.amp = 0.0;
    mg_sleep_result r;
    mg_status st = mg_sleep_two_process_run(ctx, &p, 0.2, 1, 240.0, 0.0, &r);
    if (st != MG_OK)
        return st;
    if (r.n_episodes < 3) {
        mg_sleep_result_free(&r);
        return mg_error_raise(ctx, MG_ERR_INTERNAL, "two-process run: %zu sleep episodes in 240 h",
                              r.n_episodes);
    }
    *cycle_h = r.episodes[2].onset_h - r.episodes[1].onset_h;
    *sleep_h = r.episodes[1].offset_h - r.episodes[1].onset_h;
    mg_sleep_result_free(&r);
    return MG_OK;
}

static mg_status tp_cycle(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    (void)c;
    double sleep_h;
    mg_status st = two_process(ctx, &o->got, &sleep_h);
    snprintf(o->got_text, sizeof o->got_text, "%.3f h", o->got);
    return st;
}

static mg_status tp_sleep(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    (void)c;
    double cycle_h;
    mg_status st = two_process(ctx, &cycle_h, &o->got);
    snprintf(o->got_text, sizeof o->got_text, "%.3f h", o->got);
    return st;
}

/* ------------------------------------------------------------------ sleep stages */

/* Standard error of a mean over k values with that mean and sum of squares sq. */
static double sem_of(double mean, double sq, double k) {
    double var = k > 1 ? (sq - k * mean * mean) / (k - 1.0) : 0.0;
    return sqrt(var > 0.0 ? var / k : 0.0);
}

/* Means over `nights` nights (lights off 23:00, 8 h in bed) at age_years. */
static mg_status night_means(mg_context *ctx, double age_years, size_t nights, vt_nights *a) {
    mg_sleep_stage_params p = mg_sleep_stage_params_default();
    p.age_years = age_years;
    mg_sleep_schedule s = {23.0, 8.0};
    mg_hypnogram hy;
    mg_status st = mg_sleep_stages_run(ctx, &p, &s, nights, &hy);
    if (st != MG_OK)
        return st;
    memset(a, 0, sizeof *a);
    double sq[4] = {0, 0, 0, 0}, n_cyc = 0.0;
    double cyc_sq = 0.0, len_sq = 0.0, n_len = 0.0;
    for (size_t n = 0; n < nights && st == MG_OK; n++) {
        mg_hypnogram_metrics m;
        st = mg_hypnogram_metrics_compute(ctx, hy.stage + n * hy.epochs_per_night,
                                          hy.epochs_per_night, hy.epoch_s, &m);
        if (st != MG_OK)
            break;
        a->tst += m.total_sleep_min;
        a->se += m.sleep_efficiency_pct;
        a->sol += m.sleep_onset_latency_min;
        a->waso += m.waso_min;
        a->n1 += m.n1_pct;
        a->n2 += m.n2_pct;
        a->n3 += m.n3_pct;
        a->rem += m.rem_pct;
        sq[0] += m.n1_pct * m.n1_pct;
        sq[1] += m.n2_pct * m.n2_pct;
        sq[2] += m.n3_pct * m.n3_pct;
        sq[3] += m.rem_pct * m.rem_pct;
        if (m.cycles > 0) {
            a->cycle += m.mean_cycle_min;
            n_cyc += 1.0;
        }
        a->cycles += m.cycles;
        cyc_sq += (double)m.cycles * m.cycles;
        if (!isnan(m.rem_lengthening_min)) {
            a->rem_len += m.rem_lengthening_min;
            len_sq += m.rem_lengthening_min * m.rem_lengthening_min;
            n_len += 1.0;
        }
    }
    mg_hypnogram_free(&hy);
    double k = (double)nights;
    a->tst /= k;
    a->se /= k;
    a->sol /= k;
    a->waso /= k;
    a->n1 /= k;
    a->n2 /= k;
    a->n3 /= k;
    a->rem /= k;
    a->cycle = n_cyc > 0 ? a->cycle / n_cyc : NAN;
    a->cycles /= k;
    a->sem_cycles = sem_of(a->cycles, cyc_sq, k);
    a->rem_len = n_len > 0 ? a->rem_len / n_len : NAN;
    a->sem_rem_len = n_len > 0 ? sem_of(a->rem_len, len_sq, n_len) : NAN;
    double mean[4] = {a->n1, a->n2, a->n3, a->rem},
           *sem[4] = {&a->sem_n1, &a->sem_n2, &a->sem_n3, &a->sem_rem};
    for (int i = 0; i < 4; i++)
        *sem[i] = sem_of(mean[i], sq[i], k);
    return st;
}

static mg_status need_stages(mg_context *ctx, vt_cache *c) {
    if (c->stages_done)
        return MG_OK;
    vt_progress(c, "sleep: 20 nights of sleep stages at age 35");
    mg_status st = night_means(ctx, 35.0, 20, &c->st);
    c->stages_done = st == MG_OK;
    return st;
}

/* Stage share k (1 N1, 2 N2, 3 N3, 4 REM; % of TST) or, for k = 5, the completed cycles per
 * night, as the 20-night mean; the range widens by 2 SEM. */
static mg_status stage_share(mg_context *ctx, vt_cache *c, vt_outcome *o, int k) {
    mg_status st = need_stages(ctx, c);
    if (st != MG_OK)
        return st;
    const double v[6] = {0, c->st.n1, c->st.n2, c->st.n3, c->st.rem, c->st.cycles};
    const double se[6] = {
        0, c->st.sem_n1, c->st.sem_n2, c->st.sem_n3, c->st.sem_rem, c->st.sem_cycles};
    const char *unit = k == 5 ? "" : " %";
    o->got = v[k];
    o->lo -= 2.0 * se[k];
    o->hi += 2.0 * se[k];
    snprintf(o->got_text, sizeof o->got_text, k == 5 ? "%.2f%s" : "%.1f%s", o->got, unit);
    snprintf(o->detail, sizeof o->detail, "20-night mean, SEM %.2f: accepted %.2f-%.2f%s", se[k],
             o->lo, o->hi, unit);
    return MG_OK;
}

static mg_status share_n1(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    return stage_share(ctx, c, o, 1);
}
static mg_status share_n2(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    return stage_share(ctx, c, o, 2);
}
static mg_status share_n3(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    return stage_share(ctx, c, o, 3);
}
static mg_status share_rem(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    return stage_share(ctx, c, o, 4);
}

/* The 20-night mean of the vt_nights field at byte offset off, in minutes. */
static mg_status night_minutes(mg_context *ctx, vt_cache *c, vt_outcome *o, size_t off) {
    mg_status st = need_stages(ctx, c);
    memcpy(&o->got, (const char *)&c->st + off, sizeof o->got);
    snprintf(o->got_text, sizeof o->got_text, "%.1f min", o->got);
    return st;
}

static mg_status cycle_len(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    return night_minutes(ctx, c, o, offsetof(vt_nights, cycle));
}

static mg_status cycles_per_night(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    return stage_share(ctx, c, o, 5);
}

/* REM lengthening (later complete REM periods minus the first), 20-night mean: it must exceed
 * 0 by 2 SEM. */
static mg_status rem_lengthening(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    mg_status st = need_stages(ctx, c);
    if (st != MG_OK)
        return st;
    o->got = c->st.rem_len;
    o->lo = 2.0 * c->st.sem_rem_len;
    snprintf(o->got_text, sizeof o->got_text, "%+.1f min", o->got);
    snprintf(o->detail, sizeof o->detail, "20-night mean, SEM %.2f min: accepted > %.2f min",
             c->st.sem_rem_len, o->lo);
    return MG_OK;
}

static mg_status need_ages(mg_context *ctx, vt_cache *c) {
    if (c->ages_done)
        return MG_OK;
    vt_progress(c, "sleep: 30 nights at age 35 and 30 at age 75");
    mg_status st = night_means(ctx, 35.0, 30, &c->st_young);
    if (st == MG_OK)
        st = night_means(ctx, 75.0, 30, &c->st_old);
    c->ages_done = st == MG_OK;
    return st;
}

/* Directions from 35 to 75 y: SE, TST, N3, REM fall, WASO and N1 rise (of 6). */
static mg_status age_directions(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    mg_status st = need_ages(ctx, c);
    if (st != MG_OK)
        return st;
    const vt_nights *y = &c->st_young, *a = &c->st_old;
    o->got = (a->se < y->se) + (a->tst < y->tst) + (a->n3 < y->n3) + (a->rem < y->rem) +
             (a->waso > y->waso) + (a->n1 > y->n1);
    snprintf(o->got_text, sizeof o->got_text, "%g of 6", o->got);
    snprintf(o->detail, sizeof o->detail,
             "35 -> 75 y: SE %.1f -> %.1f %%, TST %.0f -> %.0f min, N3 %.1f -> %.1f %%, "
             "REM %.1f -> %.1f %%, WASO %.0f -> %.0f min, N1 %.1f -> %.1f %%",
             y->se, a->se, y->tst, a->tst, y->n3, a->n3, y->rem, a->rem, y->waso, a->waso, y->n1,
             a->n1);
    return MG_OK;
}

/* Change per decade from 35 to 75 y of the vt_nights field at byte offset off (sign +1: a rise,
 * -1: a fall, reported as a positive loss), formatted with fmt. */
static mg_status age_slope(mg_context *ctx, vt_cache *c, vt_outcome *o, size_t off, double sign,
                           const char *fmt) {
    mg_status st = need_ages(ctx, c);
    double y, a;
    memcpy(&y, (const char *)&c->st_young + off, sizeof y);
    memcpy(&a, (const char *)&c->st_old + off, sizeof a);
    o->got = sign * (a - y) / 4.0;
    snprintf(o->got_text, sizeof o->got_text, fmt, o->got);
    return st;
}

static mg_status age_tst(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    return age_slope(ctx, c, o, offsetof(vt_nights, tst), -1.0, "%.1f min/decade");
}

static mg_status age_se(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    return age_slope(ctx, c, o, offsetof(vt_nights, se), -1.0, "%.2f %%/decade");
}

static mg_status age_sol(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    mg_status st = age_slope(ctx, c, o, offsetof(vt_nights, sol), 1.0, "%+.2f min/decade");
    snprintf(o->detail, sizeof o->detail, "35 -> 75 y: SOL %.1f -> %.1f min", c->st_young.sol,
             c->st_old.sol);
    return st;
}

static mg_status age_n1(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    return age_slope(ctx, c, o, offsetof(vt_nights, n1), 1.0, "%+.2f %%/decade");
}

static mg_status onset_latency(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    return night_minutes(ctx, c, o, offsetof(vt_nights, sol));
}

/* Phase marker (the minimum of the circadian variable c during the night) after a week-like run
 * with 4 h of 3 lux and of 65 lux before lights off; no arousals. got = the shift in minutes. */
static mg_status evening_light(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    (void)c;
    mg_sleep_stage_params p = mg_sleep_stage_params_default();
    p.arousal_per_h = 0.0;
    p.arousal_per_h_decade = 0.0;
    p.evening_h = 4.0;
    mg_sleep_schedule s = {23.0, 8.0};
    double marker[2];
    const double lux[2] = {3.0, 65.0};
    for (int i = 0; i < 2; i++) {
        p.evening_lux = lux[i];
        mg_hypnogram hy;
        mg_status st = mg_sleep_stages_run(ctx, &p, &s, 2, &hy);
        if (st != MG_OK)
            return st;
        marker[i] = hy.circ_min_h[1];
        mg_hypnogram_free(&hy);
    }
    o->got = 60.0 * (marker[1] - marker[0]);
    snprintf(o->got_text, sizeof o->got_text, "%.0f min later", o->got);
    snprintf(o->detail, sizeof o->detail,
             "minimum of c at %.2f h (3 lux) and %.2f h (65 lux) after lights off", marker[0],
             marker[1]);
    return MG_OK;
}

/* ------------------------------------------------------------------ stress */

static mg_status need_hpa(mg_context *ctx, vt_cache *c) {
    if (c->hpa_done)
        return MG_OK;
    mg_hpa_params p = mg_hpa_params_default();
    mg_hpa_result r;
    mg_status st = mg_hpa_run(ctx, &p, NULL, NULL, 0.0, 24.0 * 7.0, 0.0, &r);
    if (st != MG_OK)
        return st;
    if (r.n_days < 7) {
        mg_hpa_result_free(&r);
        return mg_error_raise(ctx, MG_ERR_INTERNAL, "HPA run: %zu days, 7 expected", r.n_days);
    }
    for (int d = 0; d < 6; d++) {
        c->hpa_peak[d] = r.days[d + 1].peak_nmol_l;
        c->hpa_peak_h[d] = r.days[d + 1].peak_clock_h;
        c->hpa_nadir[d] = r.days[d + 1].nadir_nmol_l;
        c->hpa_nadir_h[d] = r.days[d + 1].nadir_clock_h;
    }
    mg_hpa_day avg;
    st = mg_hpa_days_average(ctx, &r, 1, 6, &avg);
    c->hpa_avg_peak_h = avg.peak_clock_h;
    c->hpa_avg_nadir_h = avg.nadir_clock_h;
    mg_hpa_result_free(&r);
    c->hpa_done = st == MG_OK;
    return st;
}

/* Daily peaks of days 1-6: got = their mean; every day must lie in [lo, hi]. */
static mg_status hpa_peak(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    mg_status st = need_hpa(ctx, c);
    if (st != MG_OK)
        return st;
    double mn = INFINITY, mx = -INFINITY, m = 0.0;
    for (int d = 0; d < 6; d++) {
        mn = fmin(mn, c->hpa_peak[d]);
        mx = fmax(mx, c->hpa_peak[d]);
        m += c->hpa_peak[d] / 6.0;
    }
    o->got = m;
    o->verdict = mn >= o->lo && mx <= o->hi;
    snprintf(o->got_text, sizeof o->got_text, "%.0f (days %.0f-%.0f)", m, mn, mx);
    return MG_OK;
}

/* Clock time of the daily peak: got = the circular mean; every day in [lo, hi]. */
static mg_status hpa_peak_time(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    mg_status st = need_hpa(ctx, c);
    if (st != MG_OK)
        return st;
    double mn = INFINITY, mx = -INFINITY;
    for (int d = 0; d < 6; d++) {
        mn = fmin(mn, c->hpa_peak_h[d]);
        mx = fmax(mx, c->hpa_peak_h[d]);
    }
    o->got = c->hpa_avg_peak_h;
    o->verdict = mn >= o->lo && mx <= o->hi && o->got >= o->lo && o->got <= o->hi;
    snprintf(o->got_text, sizeof o->got_text, "%02d:%02d (days %.2f-%.2f h)", (int)o->got,
             (int)lround(60.0 * (o->got - floor(o->got))) % 60, mn, mx);
    return MG_OK;
}

/* Daily nadir of days 1-6 (got = the highest) and its mean clock time within 21:00-03:00. */
static mg_status hpa_nadir(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    mg_status st = need_hpa(ctx, c);
    if (st != MG_OK)
        return st;
    double mx = -INFINITY;
    for (int d = 0; d < 6; d++)
        mx = fmax(mx, c->hpa_nadir[d]);
    double t = c->hpa_avg_nadir_h, ahead = fmod(t - 21.0 + 48.0, 24.0);
    o->got = mx;
    o->verdict = mx < 55.0 && ahead <= 6.0;
    snprintf(o->got_text, sizeof o->got_text, "<= %.1f at %02d:%02d", mx, (int)t,
             (int)lround(60.0 * (t - floor(t))) % 60);
    snprintf(o->detail, sizeof o->detail, "highest daily nadir of days 1-6; mean nadir time %.2f h",
             t);
    return MG_OK;
}

static const vt_target TARGETS[] = {
    {"sleep.two_process_cycle", "two-process model, a = 0: sleep-onset to sleep-onset period",
     "Daan, Beersma & Borbely 1984; refs sec. 3.1 (npj Biol Timing Sleep 2025, fig. 6)", "22.6 h",
     "+-0.06 h", "the published value is rounded to 0.1 h; the closed form gives 22.547 h", 0,
     22.54, 22.66, tp_cycle},
    {"sleep.two_process_sleep", "two-process model, a = 0: length of a sleep episode",
     "Daan, Beersma & Borbely 1984; refs sec. 3.1", "5.8 h", "+-0.05 h",
     "the published value is rounded to 0.1 h", 0, 5.75, 5.85, tp_sleep},
    {"sleep.stage_n1", "N1 share of total sleep, age 35, 20 nights (mean)",
     "Carskadon & Dement (normal adult); refs sec. 2.3", "2-5 %", "range +-2 SEM",
     "published ranges are population means; the 20-night mean has sampling error", 0, 2.0, 5.0,
     share_n1},
    {"sleep.stage_n2", "N2 share of total sleep, age 35, 20 nights (mean)",
     "Carskadon & Dement (normal adult); refs sec. 2.3", "45-55 %", "range +-2 SEM",
     "published ranges are population means; the 20-night mean has sampling error", 0, 45.0, 55.0,
     share_n2},
    {"sleep.stage_n3", "N3 share of total sleep, age 35, 20 nights (mean)",
     "Carskadon & Dement (normal adult); refs sec. 2.3", "10-20 %", "range +-2 SEM",
     "published ranges are population means; the 20-night mean has sampling error", 0, 10.0, 20.0,
     share_n3},
    {"sleep.stage_rem", "REM share of total sleep, age 35, 20 nights (mean)",
     "Carskadon & Dement (normal adult); refs sec. 2.3", "20-25 %", "range +-2 SEM",
     "published ranges are population means; the 20-night mean has sampling error", 0, 20.0, 25.0,
     share_rem},
    {"sleep.cycle_length", "mean NREM-REM cycle length, age 35, 20 nights",
     "Carskadon & Dement (~90 min, 90-110 min); Feinberg & Floyd 1979 cycle rules", "70-120 min",
     "the range", "a band around the published ~90 min allowing for scoring rules", 0, 70.0, 120.0,
     cycle_len},
    {"sleep.cycles_per_night", "completed NREM-REM cycles per night, age 35, 20 nights (mean)",
     "Carskadon & Dement (4-6 cycles); refs sec. 5 checklist", "4-6", "range +-2 SEM",
     "published range of population means; the 20-night mean has sampling error", 0, 4.0, 6.0,
     cycles_per_night},
    {"sleep.rem_lengthening",
     "REM lengthening: later complete REM periods minus the first, age 35, 20 nights (mean)",
     "Carskadon & Dement (REM episodes lengthen across the night); refs sec. 5", "> 0 min",
     "> 2 SEM", "the published statement is a direction; the mean must clear its sampling error", 0,
     0.0, INFINITY, rem_lengthening},
    {"sleep.age_trend_directions",
     "35 vs 75 y (30 nights each): SE, TST, N3, REM fall; WASO, N1 rise (directions right)",
     "Boulos et al. 2019 (meta-analysis); Mitterling et al. 2015", "6 of 6", "exact (directions)",
     "the published trends are signs per decade", 1, 6.0, 6.0, age_directions},
    {"sleep.age_tst_per_decade", "loss of total sleep time per decade, 35 -> 75 y",
     "Boulos et al. 2019 (-10.1 min per decade)", "10.1 min/decade", "factor 2 (5.05-20.2)",
     "a meta-analytic slope over heterogeneous studies; the size is judged roughly", 1, 5.05, 20.2,
     age_tst},
    {"sleep.age_se_per_decade", "loss of sleep efficiency per decade, 35 -> 75 y",
     "Boulos et al. 2019 (-2.1 % per decade)", "2.1 %/decade", "factor 2 (1.05-4.2)",
     "a meta-analytic slope over heterogeneous studies; the size is judged roughly", 1, 1.05, 4.2,
     age_se},
    {"sleep.onset_latency", "sleep onset latency, age 35, lights off 23:00, 20 nights (mean)",
     "Carskadon & Dement (~10-20 min); scipublications Table 3 (<= 30 min); refs sec. 5",
     "10-30 min", "the range",
     "the healthy range; the model sits near 21 min (docs/models/sleep-stages.md)", 0, 10.0, 30.0,
     onset_latency},
    {"sleep.age_sol_per_decade", "rise of the sleep onset latency per decade, 35 -> 75 y",
     "Boulos et al. 2019 (+1.1 min per decade)", "+1.1 min/decade", "factor 2 (0.55-2.2)",
     "a meta-analytic slope; the homeostat's age term was fitted to it", 1, 0.55, 2.2, age_sol},
    {"sleep.age_n1_per_decade", "rise of the N1 share per decade, 35 -> 75 y",
     "Boulos et al. 2019 (+0.5 % per decade)", "+0.5 %/decade", "factor 2 (0.25-1.0)",
     "a meta-analytic slope; the N1 readout threshold was fitted to the N1 share and slope", 1,
     0.25, 1.0, age_n1},
    {"sleep.evening_light_phase", "circadian phase after 4 h of 65 lux vs 3 lux before bedtime",
     "Burgess & Molina 2014, Photochem Photobiol 90:723 (DLMO 1:03 h later)", "63 min later",
     "+-20 min",
     "a third of the effect: the mean of 8 subjects, and the model's marker is not DLMO", 0, 43.0,
     83.0, evening_light},
    {"stress.cortisol_peak", "daily cortisol peak, days 1-6 of a normal week (each day)",
     "PMC2684472 fig. 1 (15.5 ug/dL = 428 nmol/L, 95 % range 323-568)", "428 nmol/L",
     "+-25 % (321-535), every day", "inside the published 95 % reference range", 0, 321.0, 535.0,
     hpa_peak},
    {"stress.cortisol_peak_time", "clock time of the daily cortisol peak, days 1-6 (each day)",
     "PMC2684472 fig. 1 (peak at 08:32)", "06:30-10:00", "the window, every day",
     "a window around 08:32 for pulse timing", 0, 6.5, 10.0, hpa_peak_time},
    {"stress.cortisol_nadir", "daily cortisol nadir, days 1-6, and its mean clock time",
     "PMC2684472 fig. 1 (< 2.0 ug/dL = 55 nmol/L at 00:18)", "< 55 nmol/L, 21:00-03:00",
     "bound, every day; time window", "the nocturnal trough is flat, so its time is a window", 0,
     -INFINITY, 55.0, hpa_nadir},
};

const vt_target *vt_sleep_targets(size_t *n) {
    *n = sizeof TARGETS / sizeof TARGETS[0];
    return TARGETS;
}
