/* Rules by name, stimulation patterns (tetanus, LFS, theta burst, frequency), the energy
 * readout (Attwell & Laughlin 2001) and one protocol run under any rule.
 * docs/models/protocols.md, docs/models/energy.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mgsim/plast.h"
#include "plast_internal.h"

static const char *const rule_names[MG_RULE_COUNT_] = {"gb2012", "shouval2002", "stdp_pair",
                                                       "stdp_triplet"};

const char *mg_rule_name(mg_rule_kind k) {
    return (unsigned)k < MG_RULE_COUNT_ ? rule_names[k] : NULL;
}

mg_status mg_rule_by_name(mg_context *ctx, const char *name, mg_rule_kind *out) {
    for (int k = 0; name && k < MG_RULE_COUNT_; k++)
        if (strcmp(name, rule_names[k]) == 0) {
            *out = (mg_rule_kind)k;
            return MG_OK;
        }
    return mg_error_raise(ctx, MG_ERR_CONFIG,
                          "rule.name: unknown rule '%s'; valid: gb2012, shouval2002, stdp_pair, "
                          "stdp_triplet",
                          name ? name : "(null)");
}

mg_status mg_plast_check_train(mg_context *ctx, const double *t, size_t n, const char *which) {
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(t[i]) || t[i] < 0.0)
            return mg_error_raise(ctx, MG_ERR_DATA,
                                  "%s spike time %zu must be finite and >= 0 ms, got %g", which, i,
                                  t[i]);
        if (i > 0 && t[i] < t[i - 1])
            return mg_error_raise(ctx, MG_ERR_DATA,
                                  "%s spike times must be sorted: %g ms comes after %g ms", which,
                                  t[i], t[i - 1]);
    }
    return MG_OK;
}

/* ---------------------------------------------------------------- stimulation patterns */

mg_status mg_plast_train_spikes(mg_context *ctx, const mg_plast_train *tr, double **pre,
                                size_t *n_pre, double **post, size_t *n_post, double *t_end_ms) {
    *pre = NULL;
    *post = NULL;
    *n_pre = *n_post = 0;
    if (tr->pulses < 1 || tr->pulses > 10000000)
        return mg_error_raise(ctx, MG_ERR_DATA, "protocol.pulses must be from 1 to 1e7, got %zu",
                              tr->pulses);
    if (tr->bursts < 1 || tr->bursts > 10000000 || tr->bursts * tr->pulses > 10000000)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "protocol.bursts must be >= 1 with protocol.bursts x "
                              "protocol.pulses <= 1e7, got %zu bursts",
                              tr->bursts);
    if (!(isfinite(tr->pulse_hz) && tr->pulse_hz > 0.0))
        return mg_error_raise(ctx, MG_ERR_DATA, "protocol.pulse_hz must be > 0 Hz, got %g",
                              tr->pulse_hz);
    double burst_len = (double)(tr->pulses - 1) * 1000.0 / tr->pulse_hz;
    if (tr->bursts > 1) {
        if (!(isfinite(tr->burst_hz) && tr->burst_hz > 0.0))
            return mg_error_raise(ctx, MG_ERR_DATA, "protocol.burst_hz must be > 0 Hz, got %g",
                                  tr->burst_hz);
        if (!(burst_len < 1000.0 / tr->burst_hz))
            return mg_error_raise(ctx, MG_ERR_DATA,
                                  "a burst of protocol.pulses = %zu at protocol.pulse_hz = %g Hz "
                                  "lasts %g ms, not shorter than the burst period "
                                  "1000/protocol.burst_hz = %g ms",
                                  tr->pulses, tr->pulse_hz, burst_len, 1000.0 / tr->burst_hz);
    }
    if (tr->paired && !isfinite(tr->dt_ms))
        return mg_error_raise(ctx, MG_ERR_DATA, "protocol.dt_ms must be finite, got %g", tr->dt_ms);
    if (!(isfinite(tr->tail_ms) && tr->tail_ms >= 0.0))
        return mg_error_raise(ctx, MG_ERR_DATA, "protocol.tail_ms must be >= 0 ms, got %g",
                              tr->tail_ms);
    size_t n = tr->bursts * tr->pulses;
    double *a = malloc(n * sizeof *a), *b = tr->paired ? malloc(n * sizeof *b) : NULL;
    if (!a || (tr->paired && !b)) {
        free(a);
        free(b);
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    }
    double shift = tr->paired && tr->dt_ms < 0.0 ? -tr->dt_ms : 0.0;
    for (size_t k = 0; k < tr->bursts; k++)
        for (size_t m = 0; m < tr->pulses; m++) {
            double t0 = (tr->bursts > 1 ? (double)k * 1000.0 / tr->burst_hz : 0.0) +
                        (double)m * 1000.0 / tr->pulse_hz + shift;
            a[k * tr->pulses + m] = t0;
            if (b)
                b[k * tr->pulses + m] = t0 + tr->dt_ms;
        }
    double last = a[n - 1];
    if (b && b[n - 1] > last)
        last = b[n - 1];
    *pre = a;
    *n_pre = n;
    *post = b;
    *n_post = b ? n : 0;
    *t_end_ms = last + tr->tail_ms;
    return MG_OK;
}

/* ---------------------------------------------------------------- energy */

void mg_energy_defaults(mg_energy_params *out) {
    /* Attwell & Laughlin 2001 (J Cereb Blood Flow Metab 21:1133), values as usually quoted
     * from the paper (not re-checked against it here): 3.84e8 ATP per action potential,
     * 1.64e5 ATP per vesicle released, release probability 0.25. */
    out->atp_per_spike = 3.84e8;
    out->atp_per_vesicle = 1.64e5;
    out->release_prob = 0.25;
}

mg_status mg_energy_validate(mg_context *ctx, const mg_energy_params *e) {
    if (!(isfinite(e->atp_per_spike) && e->atp_per_spike >= 0.0))
        return mg_error_raise(ctx, MG_ERR_DATA, "energy.atp_per_spike must be >= 0, got %g",
                              e->atp_per_spike);
    if (!(isfinite(e->atp_per_vesicle) && e->atp_per_vesicle >= 0.0))
        return mg_error_raise(ctx, MG_ERR_DATA, "energy.atp_per_vesicle must be >= 0, got %g",
                              e->atp_per_vesicle);
    if (!(isfinite(e->release_prob) && e->release_prob >= 0.0 && e->release_prob <= 1.0))
        return mg_error_raise(ctx, MG_ERR_DATA, "energy.release_prob must be in [0, 1], got %g",
                              e->release_prob);
    return MG_OK;
}

mg_energy_readout mg_energy_eval(const mg_energy_params *e, double n_pre, double n_post) {
    mg_energy_readout r;
    r.atp_per_spike = e->atp_per_spike;
    r.atp_per_event = e->release_prob * e->atp_per_vesicle;
    r.atp_spikes = n_post * e->atp_per_spike;
    r.atp_synaptic = n_pre * r.atp_per_event;
    r.atp_total = r.atp_spikes + r.atp_synaptic;
    return r;
}

/* ---------------------------------------------------------------- one run */

void mg_plast_setup_defaults(mg_plast_setup *s) {
    memset(s, 0, sizeof *s);
    s->rule = MG_RULE_GB2012;
    (void)mg_gb_params_by_name(NULL, "DP", &s->gb);
    mg_gb_calcium_defaults(&s->gb_ca);
    s->reps = 0;
    s->seed = 1;
    mg_shouval_defaults(&s->sh);
    mg_stdp_defaults(MG_RULE_STDP_TRIPLET, &s->stdp);
    s->tox_rel = 2.0;
    mg_energy_defaults(&s->energy);
}

static void ca_nan(mg_ca_readout *c) {
    c->peak = c->mean = c->integral_ms = c->influx = c->tox_threshold = c->above_tox_ms =
        c->tox_integral_ms = NAN;
}

mg_status mg_plast_run(mg_context *ctx, const mg_plast_setup *s, const double *pre_ms, size_t n_pre,
                       const double *post_ms, size_t n_post, double t_end_ms,
                       mg_plast_result *out) {
    mg_status st = mg_energy_validate(ctx, &s->energy);
    if (st == MG_OK && !(isfinite(s->tox_rel) && s->tox_rel > 0.0))
        st = mg_error_raise(ctx, MG_ERR_DATA, "readout.ca_tox_rel must be > 0, got %g", s->tox_rel);
    if (st != MG_OK)
        return st;
    memset(out, 0, sizeof *out);
    out->n_pre = (double)n_pre;
    out->n_post = (double)n_post;
    out->duration_ms = t_end_ms;
    out->energy = mg_energy_eval(&s->energy, (double)n_pre, (double)n_post);
    switch (s->rule) {
        case MG_RULE_GB2012: {
            mg_gb_schedule *sc = NULL;
            st = mg_gb_schedule_create_calcium(ctx, &s->gb, &s->gb_ca, pre_ms, n_pre, post_ms,
                                               n_post, t_end_ms, &sc);
            if (st != MG_OK)
                return st;
            out->above_d_ms = mg_gb_schedule_above_d_ms(sc);
            out->above_p_ms = mg_gb_schedule_above_p_ms(sc);
            mg_gb_analytic an = mg_gb_analytic_eval(&s->gb, out->above_d_ms * 1e-3,
                                                    out->above_p_ms * 1e-3, t_end_ms * 1e-3);
            out->weight_change_analytic_percent = 100.0 * (an.change - 1.0);
            out->weight_change_percent = out->weight_change_analytic_percent;
            if (s->reps > 0) {
                double up, down;
                uint32_t stream = (uint32_t)(n_pre * 2654435761u) ^ (uint32_t)n_post;
                st = mg_gb_transitions(ctx, &s->gb, sc, s->reps, s->seed, stream, &up, &down);
                if (st == MG_OK)
                    out->weight_change_percent = 100.0 * (mg_gb_change(&s->gb, up, down) - 1.0);
            }
            mg_gb_schedule_destroy(&sc);
            if (st == MG_OK)
                st = mg_gb_readout(ctx, &s->gb, &s->gb_ca, pre_ms, n_pre, post_ms, n_post, t_end_ms,
                                   s->tox_rel * s->gb.theta_p, &out->ca);
            return st;
        }
        case MG_RULE_SHOUVAL2002: {
            mg_shouval_result r;
            st = mg_shouval_run(ctx, &s->sh, pre_ms, n_pre, post_ms, n_post, t_end_ms,
                                s->tox_rel * s->sh.alpha2_uM, &r);
            if (st != MG_OK)
                return st;
            out->weight_change_percent = out->weight_change_analytic_percent = r.change_percent;
            out->above_d_ms = r.ltd_zone_ms;
            out->above_p_ms = r.ltp_zone_ms;
            out->ca = r.ca;
            return MG_OK;
        }
        case MG_RULE_STDP_PAIR:
        case MG_RULE_STDP_TRIPLET: {
            double dw;
            st = mg_stdp_run(ctx, &s->stdp, pre_ms, n_pre, post_ms, n_post, &dw);
            if (st != MG_OK)
                return st;
            out->weight_change_percent = out->weight_change_analytic_percent =
                100.0 * dw / s->stdp.w0;
            out->above_d_ms = out->above_p_ms = NAN;
            ca_nan(&out->ca);
            return MG_OK;
        }
        default:
            return mg_error_raise(ctx, MG_ERR_CONFIG, "rule.name: unknown rule %d", (int)s->rule);
    }
}
