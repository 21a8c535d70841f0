/* `mgsim validate`: the plasticity targets (Graupner & Brunel 2012 times above threshold and
 * the DP STDP windows; Shouval, Bear & Cooper 2002 LFS, tetanus and the Mg-dependent
 * crossover; the signal-to-noise ratio of Slutsky et al. 2004). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/validate_targets.h"
#include "mgsim/plast.h"

/* ------------------------------------------------------------------ GB2012 */

/* The authors' closed form for the time per period that c spends above th in a periodic
 * pairing protocol (timeAboveThreshold.py, spikePairFrequency, in the authors' code
 * mgraupe/CalciumBasedPlasticityModel), written out independently of src/plast: d = Δt - D,
 * P the period (ms). */
static double authors_time_above(const mg_gb_params *p, double d, double P, double th) {
    double t = p->tau_ca_ms, ad = fabs(d), q = exp(P / t) - 1.0;
    /* the authors' two branches (d < 0: A, B, C, D; d >= 0: E, F, G, H) have one form with
     * u = C_post, v = C_pre for d < 0 and u = C_pre, v = C_post otherwise */
    double u = d < 0.0 ? p->c_post : p->c_pre, v = d < 0.0 ? p->c_pre : p->c_post;
    double A = (u + v * exp(ad / t)) / q;
    double B = (v + u * exp((P - ad) / t)) / q;
    double C = A + u, D = B + v;
    if (A <= th && B > th)
        return t * log(D / th) + ad;
    if (A > th && B > th)
        return P;
    if (A > th && B <= th)
        return t * log(C / th) + P - ad;
    return (C > th ? t * log(C / th) : 0.0) + (D > th ? t * log(D / th) : 0.0);
}

/* Largest relative difference between mg_gb_time_above (event-driven, 60 pairs at 1 Hz) and
 * the authors' closed form, over six parameter sets, 12 values of Δt and both thresholds. */
static mg_status gb_time_above(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    (void)c;
    const char *sets[] = {"DP", "DPD", "DPD'", "P", "D", "D'", "cortical_slices"};
    const double dts[] = {-100.0, -40.0, -24.0, -13.0, -5.0, 0.0,
                          1.0,    3.0,   10.0,  13.7,  30.0, 100.0};
    double worst = 0.0;
    for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++) {
        mg_gb_params p;
        mg_status st = mg_gb_params_by_name(ctx, sets[s], &p);
        if (st != MG_OK)
            return st;
        for (size_t k = 0; k < sizeof dts / sizeof dts[0]; k++) {
            mg_gb_pairing pr = {60, 1.0, dts[k]};
            double pre[60], post[60], t_end, td, tp;
            if ((st = mg_gb_pairing_spikes(ctx, &p, &pr, pre, post, &t_end)) != MG_OK ||
                (st = mg_gb_time_above(ctx, &p, pre, 60, post, 60, t_end, &td, &tp)) != MG_OK)
                return st;
            double d = dts[k] - p.delay_D_ms;
            double ed = 60.0 * authors_time_above(&p, d, 1000.0, p.theta_d);
            double ep = 60.0 * authors_time_above(&p, d, 1000.0, p.theta_p);
            worst = fmax(worst, fabs(td - ed) / (1.0 + ed));
            worst = fmax(worst, fabs(tp - ep) / (1.0 + ep));
        }
    }
    o->got = worst;
    snprintf(o->got_text, sizeof o->got_text, "%.2g", worst);
    return MG_OK;
}

/* The analytic change (after/before) of DP at Δt, 60 pairs at 1 Hz. */
static mg_status dp_change(mg_context *ctx, const mg_gb_params *p, double dt, double *change) {
    mg_gb_pairing pr = {60, 1.0, dt};
    mg_gb_stdp_point pt;
    mg_status st = mg_gb_stdp_run(ctx, p, &pr, 0, 1, &pt);
    *change = pt.an.change;
    return st;
}

/* The extreme of the DP change over Δt = sign·1 .. sign·100 ms (1 ms grid): the largest for
 * the LTD window (sign -1), the smallest for the LTP window (sign +1). */
static mg_status dp_window(mg_context *ctx, vt_outcome *o, int sign) {
    mg_gb_params p;
    mg_status st = mg_gb_params_by_name(ctx, "DP", &p);
    if (st != MG_OK)
        return st;
    double ext = sign < 0 ? -INFINITY : INFINITY, at = 0.0;
    for (int k = 1; k <= 100; k++) {
        double ch;
        if ((st = dp_change(ctx, &p, sign * k, &ch)) != MG_OK)
            return st;
        if ((sign < 0 && ch > ext) || (sign > 0 && ch < ext)) {
            ext = ch;
            at = sign * k;
        }
    }
    o->got = ext;
    snprintf(o->got_text, sizeof o->got_text, "%.4f at %+.0f ms", ext, at);
    return MG_OK;
}

static mg_status dp_ltd(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    (void)c;
    return dp_window(ctx, o, -1);
}

static mg_status dp_ltp(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    (void)c;
    return dp_window(ctx, o, +1);
}

/* ------------------------------------------------------------------ Shouval 2002 */

/* The Shouval change (%) after `pulses` presynaptic pulses at f Hz, 1 s tail. */
static mg_status sh_change(mg_context *ctx, const mg_shouval_params *p, size_t pulses, double f,
                           double *change) {
    mg_plast_train tr = {1, pulses, f, 1.0, 0, 0.0, 1000.0};
    double *pre = NULL, *post = NULL, t_end;
    size_t np, nq;
    mg_status st = mg_plast_train_spikes(ctx, &tr, &pre, &np, &post, &nq, &t_end);
    if (st == MG_OK) {
        mg_shouval_result r;
        st = mg_shouval_run(ctx, p, pre, np, post, nq, t_end, 1.1, &r);
        *change = r.change_percent;
    }
    free(pre);
    free(post);
    return st;
}

static mg_status sh_lfs(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    (void)c;
    mg_shouval_params p;
    mg_shouval_defaults(&p);
    mg_status st = sh_change(ctx, &p, 900, 1.0, &o->got);
    snprintf(o->got_text, sizeof o->got_text, "%+.1f %%", o->got);
    return st;
}

static mg_status sh_tetanus(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    (void)c;
    mg_shouval_params p;
    mg_shouval_defaults(&p);
    mg_status st = sh_change(ctx, &p, 100, 100.0, &o->got);
    snprintf(o->got_text, sizeof o->got_text, "%+.1f %%", o->got);
    return st;
}

/* The LTD -> LTP crossover frequency (100 pulses) at mg_mM, by bisection on 3..60 Hz to
 * 0.01 Hz; NaN when 3 Hz is not LTD or 60 Hz not LTP. */
static mg_status crossover(mg_context *ctx, double mg_mM, double *fx) {
    mg_shouval_params p;
    mg_shouval_defaults(&p);
    p.mg_mM = mg_mM;
    double lo = 3.0, hi = 60.0, a, b;
    mg_status st;
    if ((st = sh_change(ctx, &p, 100, lo, &a)) != MG_OK ||
        (st = sh_change(ctx, &p, 100, hi, &b)) != MG_OK)
        return st;
    if (!(a < 0.0 && b > 0.0)) {
        *fx = NAN;
        return MG_OK;
    }
    while (hi - lo > 0.01) {
        double mid = 0.5 * (lo + hi), ch;
        if ((st = sh_change(ctx, &p, 100, mid, &ch)) != MG_OK)
            return st;
        if (ch > 0.0)
            hi = mid;
        else
            lo = mid;
    }
    *fx = 0.5 * (lo + hi);
    return MG_OK;
}

static mg_status sh_crossover_1mm(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    (void)c;
    mg_status st = crossover(ctx, 1.0, &o->got);
    snprintf(o->got_text, sizeof o->got_text, "%.2f Hz", o->got);
    return st;
}

/* Crossover at 1, 1.5 and 2 mM: got = the number of steps that rise by more than 0.5 Hz. */
static mg_status sh_crossover_rises(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    vt_progress(c, "plasticity: Shouval crossover frequency at 1, 1.5, 2 mM");
    double fx[3];
    const double mg[3] = {1.0, 1.5, 2.0};
    for (int k = 0; k < 3; k++) {
        mg_status st = crossover(ctx, mg[k], &fx[k]);
        if (st != MG_OK)
            return st;
    }
    o->got = (fx[1] > fx[0] + 0.5) + (fx[2] > fx[1] + 0.5);
    snprintf(o->got_text, sizeof o->got_text, "%.1f / %.1f / %.1f Hz", fx[0], fx[1], fx[2]);
    snprintf(o->detail, sizeof o->detail, "crossover at 1 / 1.5 / 2 mM; steps rising: %g of 2",
             o->got);
    return MG_OK;
}

/* snr at 0.5, 1, 1.5, 2 mM for seeds 1..3 (4-s runs): got = steps that rise (of 9). */
static mg_status snr_rises(mg_context *ctx, vt_cache *c, vt_outcome *o) {
    vt_progress(c, "plasticity: signal-to-noise at 0.5-2 mM, 3 seeds");
    mg_shouval_params sh;
    mg_shouval_defaults(&sh);
    mg_snr_params p;
    mg_snr_defaults(&p);
    p.duration_ms = 4000.0;
    int rises = 0;
    double first = NAN, last = NAN;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        double prev = NAN;
        for (int k = 0; k < 4; k++) {
            p.mg_mM = 0.5 + 0.5 * k;
            mg_snr_result r;
            mg_status st = mg_snr_run(ctx, &p, &sh, seed, &r);
            if (st != MG_OK)
                return st;
            if (k > 0)
                rises += r.snr > prev;
            if (seed == 1 && k == 0)
                first = r.snr;
            if (seed == 1 && k == 3)
                last = r.snr;
            prev = r.snr;
        }
    }
    o->got = rises;
    snprintf(o->got_text, sizeof o->got_text, "%d of 9 rise", rises);
    snprintf(o->detail, sizeof o->detail, "seed 1: snr %.3f at 0.5 mM, %.3f at 2 mM", first, last);
    return MG_OK;
}

static const vt_target TARGETS[] = {
    {"plasticity.gb2012_time_above_analytic",
     "GB2012 time above theta_d, theta_p for 60 pairs at 1 Hz (7 sets, 12 dt) vs the closed form",
     "Graupner & Brunel 2012, PNAS 109:3991; authors' code timeAboveThreshold.py",
     "0 (closed form)", "<= 1e-9 relative",
     "both are exact: only rounding and the e^-45 residue of a pair before the first", 0, 0.0, 1e-9,
     gb_time_above},
    {"plasticity.dp_stdp_ltd_window",
     "DP set, analytic change after 60 pairs at 1 Hz: largest value over dt = -1..-100 ms",
     "Graupner & Brunel 2012, Fig. 2 (DP: depression for post-pre pairs)", "< 1 (LTD)",
     "a sign, every dt", "the published window is a direction, not a value", 0, -INFINITY,
     1.0 - 1e-12, dp_ltd},
    {"plasticity.dp_stdp_ltp_window",
     "DP set, analytic change after 60 pairs at 1 Hz: smallest value over dt = +1..+100 ms",
     "Graupner & Brunel 2012, Fig. 2 (DP: potentiation for pre-post pairs)", "> 1 (LTP)",
     "a sign, every dt", "the published window is a direction, not a value", 0, 1.0 + 1e-12,
     INFINITY, dp_ltp},
    {"plasticity.shouval_lfs_ltd", "Shouval rule, 900 pulses at 1 Hz (LFS): weight change",
     "Dudek & Bear 1992, PNAS 89:4363; Shouval et al. 2002 Fig. 3B", "< 0 % (LTD)", "a sign",
     "the published result is the direction of the change", 0, -INFINITY, 0.0, sh_lfs},
    {"plasticity.shouval_tetanus_ltp", "Shouval rule, 100 pulses at 100 Hz (tetanus): change",
     "Bliss & Lomo 1973; Shouval et al. 2002 Fig. 3B", "> 0 % (LTP)", "a sign",
     "the published result is the direction of the change", 0, 0.0, INFINITY, sh_tetanus},
    {"plasticity.shouval_crossover_1mM",
     "Shouval rule, 100 pulses: frequency where LTD turns to LTP at 1 mM",
     "Dudek & Bear 1992 (LTD at 1-3 Hz, LTP at 50 Hz)", "3-50 Hz", "the published bracket",
     "the paper brackets the crossover between the tested frequencies", 0, 3.0, 50.0,
     sh_crossover_1mm},
    {"plasticity.shouval_crossover_rises_with_mg",
     "Shouval rule: crossover frequency at 1, 1.5, 2 mM (steps rising by > 0.5 Hz)",
     "Shouval et al. 2002 (BCM-like threshold via the NMDA block); refs sec. 6.2", "2 of 2 rise",
     "exact (a direction)", "a derived direction; 0.5 Hz is 50x the bisection resolution", 0, 2.0,
     2.0, sh_crossover_rises},
    {"plasticity.snr_rises_with_mg",
     "Signal-to-noise of NMDA calcium flux, 0.5/1/1.5/2 mM, seeds 1-3 (steps rising)",
     "Slutsky et al. 2004, Neuron 44:835", "9 of 9 rise", "exact (a direction)",
     "the published result is a direction; paired inputs, so every step counts", 1, 9.0, 9.0,
     snr_rises},
};

const vt_target *vt_plast_targets(size_t *n) {
    *n = sizeof TARGETS / sizeof TARGETS[0];
    return TARGETS;
}
