/* The multi-scale clock: body, stress and sleep by day, probes at their times (couple.h). */
#include "mgsim/couple.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HPA_SAMPLES_PER_H 4
#define PROBE_SEED_OFFSET 1000
#define SLEEP_SEED_OFFSET 0

const char *mg_probe_name(mg_probe_kind k) {
    switch (k) {
        case MG_PROBE_TETANUS:
            return "tetanus";
        case MG_PROBE_LFS:
            return "lfs";
        case MG_PROBE_THETA:
            return "theta-burst";
        case MG_PROBE_SNR:
            return "snr";
    }
    return NULL;
}

void mg_couple_defaults(mg_couple_spec *s) {
    memset(s, 0, sizeof *s);
    s->days = 28;
    s->kin = mg_kin_params_default(70.0);
    s->solver = MG_KIN_CVODE;
    s->caffeine_clock_h = 8.0;
    s->hpa = mg_hpa_params_default();
    s->renal = mg_hpa_renal_params_default();
    s->sleep_on = 1;
    s->sleep = mg_sleep_stage_params_default();
    s->sleep.warmup_days = 4;
    s->sched.bedtime_h = 23.0;
    s->sched.time_in_bed_h = 8.0;
    mg_plast_setup_defaults(&s->plast);
    s->plast.rule = MG_RULE_SHOUVAL2002;
    mg_snr_defaults(&s->snr);
    s->homeostasis = 1;
    mg_homeo_defaults(&s->homeo);
    s->homeo_probe_ms = 2000.0;
    s->homeo.mg_ref_mM = NAN;
    s->csf_free_fraction = 0.80 / 1.25;
    s->seed = 1;
}

void mg_couple_result_free(mg_couple_result *r) {
    if (!r)
        return;
    free(r->samples);
    free(r->days);
    free(r->probes);
    free(r->hypnogram);
    memset(r, 0, sizeof *r);
}

static int probe_due(const mg_probe_spec *p, uint32_t d) {
    return d >= p->first_day && (d - p->first_day) % p->every_days == 0;
}

static mg_status check_spec(mg_context *ctx, const mg_couple_spec *s, size_t *n_probe_runs) {
    if (s->days < 1 || s->days > 3650)
        return mg_error_raise(ctx, MG_ERR_DATA, "duration_days must be 1 to 3650, got %u", s->days);
    if (!(s->csf_free_fraction > 0 && s->csf_free_fraction <= 1))
        return mg_error_raise(ctx, MG_ERR_DATA, "brain.csf_free_fraction must be in (0, 1], got %g",
                              s->csf_free_fraction);
    if (!(s->homeo_probe_ms > 0 && s->homeo_probe_ms <= 1e6))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "homeostasis.probe_ms must be in (0, 1e6] ms, got %g",
                              s->homeo_probe_ms);
    if (!(s->caffeine_clock_h >= 0 && s->caffeine_clock_h < 24))
        return mg_error_raise(ctx, MG_ERR_DATA, "caffeine clock time must be in [0, 24) h");
    mg_status st = mg_kin_params_validate(ctx, &s->kin);
    if (st == MG_OK)
        st = mg_hpa_params_validate(ctx, &s->hpa);
    if (st == MG_OK)
        st = mg_hpa_renal_params_validate(ctx, &s->renal);
    if (st == MG_OK && s->sleep_on)
        st = mg_sleep_stage_params_validate(ctx, &s->sleep);
    if (st == MG_OK)
        st = mg_snr_validate(ctx, &s->snr);
    if (st == MG_OK)
        st = mg_shouval_validate(ctx, &s->plast.sh);
    if (st != MG_OK)
        return st;
    if (s->homeostasis && !(s->homeo.tau_h_hours > 0 && isfinite(s->homeo.tau_h_hours) &&
                            (isnan(s->homeo.mg_ref_mM) || s->homeo.mg_ref_mM > 0)))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "homeostasis.tau_h must be > 0 h and homeostasis.mg_ref_mM > 0 mM "
                              "(or null: the brain Mg at the start)");
    size_t n = 0;
    for (size_t i = 0; i < s->n_probes; i++) {
        const mg_probe_spec *p = &s->probes[i];
        if (!mg_probe_name(p->kind))
            return mg_error_raise(ctx, MG_ERR_DATA, "probes[%zu]: unknown protocol", i);
        if (p->every_days < 1)
            return mg_error_raise(ctx, MG_ERR_DATA, "probes[%zu].every_days must be >= 1", i);
        if (p->first_day >= s->days)
            return mg_error_raise(ctx, MG_ERR_DATA,
                                  "probes[%zu] first runs on day %u, after the run's last day "
                                  "(%u)",
                                  i, p->first_day, s->days - 1);
        if (!(p->clock_h >= 0 && p->clock_h < 24))
            return mg_error_raise(ctx, MG_ERR_DATA, "probes[%zu].at must be a clock time", i);
        for (uint32_t d = 0; d < s->days; d++)
            n += (size_t)probe_due(p, d);
    }
    for (size_t i = 1; i < s->n_events; i++)
        if (s->events[i].t_h < s->events[i - 1].t_h)
            return mg_error_raise(ctx, MG_ERR_DATA, "events must be sorted by time");
    *n_probe_runs = n;
    return MG_OK;
}

/* The stressors that overlap [t0, t1): copied into buf (the HPA refuses the others). */
static size_t day_stressors(const mg_couple_spec *s, double t0, double t1, mg_hpa_stressor *buf) {
    size_t n = 0;
    for (size_t i = 0; i < s->n_stressors; i++) {
        const mg_hpa_stressor *x = &s->stressors[i];
        if (x->start_h < t1 && x->start_h + x->duration_h > t0)
            buf[n++] = *x;
    }
    return n;
}

/* One probe at brain Mg `mg` and NMDA expression `scale`. */
static mg_status run_probe(mg_context *ctx, const mg_couple_spec *s, mg_probe_kind kind, double mg,
                           double scale, uint64_t seed, mg_couple_probe *out) {
    out->kind = kind;
    out->brain_mg_mM = mg;
    out->nmda_scale = scale;
    out->snr = NAN;
    out->flux_signal = out->flux_noise = NAN;
    if (kind == MG_PROBE_SNR) {
        mg_snr_params p = s->snr;
        p.mg_mM = mg;
        p.nmda_scale = scale;
        mg_snr_result r;
        mg_status st = mg_snr_run(ctx, &p, &s->plast.sh, seed, &r);
        if (st != MG_OK)
            return st;
        out->weight_change_percent = r.change_signal_percent;
        out->snr = r.snr;
        out->flux_signal = r.flux_signal;
        out->flux_noise = r.flux_noise;
        out->ca_peak = r.ca_peak_signal;
        mg_energy_readout e = mg_energy_eval(&s->plast.energy, r.n_pre_spikes, r.n_post_spikes);
        out->atp_total = e.atp_total;
        return MG_OK;
    }
    mg_plast_train tr = {1, 100, 100.0, 1.0, 0, 0.0, 1000.0};
    if (kind == MG_PROBE_LFS) {
        tr.pulses = 900;
        tr.pulse_hz = 1.0;
    } else if (kind == MG_PROBE_THETA) {
        tr.bursts = 10;
        tr.pulses = 4;
        tr.burst_hz = 5.0;
    }
    double *pre = NULL, *post = NULL, t_end = 0;
    size_t n_pre = 0, n_post = 0;
    mg_status st = mg_plast_train_spikes(ctx, &tr, &pre, &n_pre, &post, &n_post, &t_end);
    if (st != MG_OK)
        return st;
    mg_plast_setup set = s->plast;
    set.sh.mg_mM = mg;
    set.sh.nmda_scale = scale;
    set.gb_ca.mg_mM = mg;
    set.gb_ca.nmda_scale = scale;
    set.seed = seed;
    mg_plast_result r;
    st = mg_plast_run(ctx, &set, pre, n_pre, post, n_post, t_end, &r);
    free(pre);
    free(post);
    if (st != MG_OK)
        return st;
    out->weight_change_percent = r.weight_change_percent;
    out->ca_peak = r.ca.peak;
    out->atp_total = r.energy.atp_total;
    return MG_OK;
}

/* Mean NMDA calcium flux per synapse of the homeostasis probe. */
static mg_status flux_probe(mg_context *ctx, const mg_couple_spec *s, double mg, double scale,
                            double *flux) {
    mg_snr_params p = s->snr;
    p.mg_mM = mg;
    p.nmda_scale = scale;
    p.duration_ms = s->homeo_probe_ms;
    mg_snr_result r;
    mg_status st = mg_snr_run(ctx, &p, &s->plast.sh, s->seed, &r);
    if (st == MG_OK)
        *flux = r.flux_mean;
    return st;
}

/* One hour's modifier row (t relative to the start of day d). */
static mg_kin_modifier hour_row(const mg_couple_spec *s, uint32_t d, int h, double factor) {
    double clock = (double)h;
    double since_caf = fmod(clock - s->caffeine_clock_h + 24.0, 24.0);
    double since_alc = fmod(clock - 20.0 + 24.0, 24.0);
    int caf =
        s->caffeine_mg_per_kg > 0 && since_caf < 6.0 && (d > 0 || clock >= s->caffeine_clock_h);
    int alc = s->alcohol_g_per_kg > 0 && since_alc < 6.0 && (d > 0 || clock >= 20.0);
    mg_kin_modifier m = {clock, caf ? s->caffeine_mg_per_kg : 0.0, alc ? s->alcohol_g_per_kg : 0.0,
                         1.0, factor};
    return m;
}

/* Arrays for the whole run, zeroed. */
static mg_status alloc_result(mg_context *ctx, const mg_couple_spec *s, size_t n_probe_runs,
                              mg_couple_result *out) {
    uint32_t D = s->days;
    size_t epochs = s->sleep_on ? (size_t)lround(s->sched.time_in_bed_h * 120.0) : 0;
    out->samples = calloc(24 * (size_t)D + 1, sizeof *out->samples);
    out->days = calloc(D, sizeof *out->days);
    out->probes = calloc(n_probe_runs ? n_probe_runs : 1, sizeof *out->probes);
    if (s->sleep_on)
        out->hypnogram = calloc((size_t)D * epochs, 1);
    if (!out->samples || !out->days || !out->probes || (s->sleep_on && !out->hypnogram)) {
        mg_couple_result_free(out);
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory for a %u-day coupled run", D);
    }
    out->epochs_per_night = epochs;
    out->days_total = D;
    out->probes_total = n_probe_runs;
    return MG_OK;
}

/* The start: the fed steady state of the diet, a settled HPA day, s = 1. */
static mg_status start_state(mg_context *ctx, const mg_couple_spec *s, mg_couple_result *out) {
    mg_kin_state kst;
    mg_status st;
    if (s->n_start_day > 0)
        st = mg_kin_steady_state(ctx, &s->kin, s->start_day, s->n_start_day, 0, s->solver, &kst);
    else
        st = mg_kin_state_reference(ctx, &s->kin, &kst);
    mg_hpa_state hst = mg_hpa_state_default();
    if (st == MG_OK) {
        mg_hpa_result warm;
        st = mg_hpa_run(ctx, &s->hpa, NULL, NULL, -24.0, 0.0, 0.0, &warm);
        if (st == MG_OK)
            hst = warm.end;
        mg_hpa_result_free(&warm);
    }
    double brain0 = kst.csf_mg / (s->kin.csf_l * MG_KIN_MG_PER_MMOL) * s->csf_free_fraction;
    out->set_point_mg_mM = isnan(s->homeo.mg_ref_mM) ? brain0 : s->homeo.mg_ref_mM;
    if (st == MG_OK && s->homeostasis)
        st = flux_probe(ctx, s, out->set_point_mg_mM, 1.0, &out->set_point_flux);
    out->stores_start_mg = mg_kin_state_total_mg(&kst);
    double plasma_l = s->kin.plasma_l_per_kg * s->kin.weight_kg;
    out->end_kin = kst;
    out->end_hpa = hst;
    out->end_scale = 1.0;
    out->end_serum_mM = kst.plasma_mg / (plasma_l * MG_KIN_MG_PER_MMOL);
    return st;
}

/* Advance from out->n_days (with out's end state) to the last day. */
static mg_status advance(mg_context *ctx, const mg_couple_spec *s, mg_couple_progress_fn progress,
                         void *user, mg_couple_result *out) {
    uint32_t D = s->days;
    size_t epochs = out->epochs_per_night;
    mg_kin_event *ev = calloc(s->n_events ? s->n_events : 1, sizeof *ev);
    mg_hpa_stressor *sbuf = calloc(s->n_stressors ? s->n_stressors : 1, sizeof *sbuf);
    if (!ev || !sbuf) {
        free(ev);
        free(sbuf);
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    }
    mg_status st = MG_OK;
    mg_kin_state kst = out->end_kin;
    mg_hpa_state hst = out->end_hpa;
    double scale = out->end_scale, prev_serum = out->end_serum_mM;
    size_t ie = 0, ip = out->n_probes;
    while (ie < s->n_events && s->events[ie].t_h < 24.0 * (double)out->n_days)
        ie++;
    out->interrupted = 0;

    for (uint32_t d = (uint32_t)out->n_days; st == MG_OK && d < D; d++) {
        double t0 = 24.0 * d, t1 = t0 + 24.0;
        mg_couple_day *day = &out->days[d];
        day->day = d;
        /* 1. HPA */
        mg_hpa_inputs in = mg_hpa_inputs_none();
        in.stressors = sbuf;
        in.n_stressors = day_stressors(s, t0, t1, sbuf);
        in.serum_mg_mM = s->hpa.mg_gain > 0 ? prev_serum : NAN;
        mg_hpa_result hr;
        st = mg_hpa_run(ctx, &s->hpa, &in, &hst, t0, t1, 1.0 / HPA_SAMPLES_PER_H, &hr);
        if (st != MG_OK)
            break;
        hst = hr.end;
        double cort_h[24];
        for (int h = 0; h < 24; h++) {
            const double *c = hr.cortisol_nmol_l + HPA_SAMPLES_PER_H * h;
            double acc = 0.5 * (c[0] + c[HPA_SAMPLES_PER_H]);
            for (int k = 1; k < HPA_SAMPLES_PER_H; k++)
                acc += c[k];
            cort_h[h] = acc / HPA_SAMPLES_PER_H;
        }
        if (hr.n_days >= 1) {
            day->cortisol_peak_nmol_l = hr.days[0].peak_nmol_l;
            day->cortisol_peak_clock_h = hr.days[0].peak_clock_h;
            day->cortisol_nadir_nmol_l = hr.days[0].nadir_nmol_l;
            day->cortisol_mean_nmol_l = hr.days[0].mean_nmol_l;
        }
        mg_hpa_result_free(&hr);
        /* 2. body: the day's events, hourly modifier rows */
        mg_kin_modifier mods[24];
        for (int h = 0; h < 24 && st == MG_OK; h++) {
            double f = 1.0;
            if (s->renal.enabled)
                st = mg_hpa_renal_mg_factor(ctx, &s->renal, cort_h[h], &f);
            mods[h] = hour_row(s, d, h, f);
        }
        size_t n_ev = 0;
        while (ie < s->n_events && s->events[ie].t_h < t1) {
            if (s->events[ie].t_h >= t0) {
                ev[n_ev] = s->events[ie];
                ev[n_ev].t_h -= t0;
                n_ev++;
            }
            ie++;
        }
        mg_kin_options opt;
        memset(&opt, 0, sizeof opt);
        opt.duration_h = 24.0;
        opt.sample_h = 1.0;
        opt.solver = s->solver;
        mg_kin_result kr;
        memset(&kr, 0, sizeof kr);
        if (st == MG_OK)
            st = mg_kin_run(ctx, &s->kin, &kst, ev, n_ev, mods, 24, &opt, &kr);
        if (st != MG_OK) {
            mg_kin_result_free(&kr);
            break;
        }
        kst = kr.final;
        out->intake_mg += kr.intake_mg;
        out->faecal_mg += kr.faecal_mg;
        out->urine_mg += kr.urine_mg;
        out->sweat_mg += kr.sweat_mg;
        day->intake_mg = kr.intake_mg;
        day->absorbed_mg = kr.absorbed_mg;
        day->urine_mg = kr.urine_mg;
        day->faecal_mg = kr.faecal_mg;
        double serum = 0, csf = 0;
        for (size_t k = 0; k < kr.n_samples && k <= 24; k++) {
            const mg_kin_sample *x = &kr.samples[k];
            double w = (k == 0 || k == 24) ? 0.5 : 1.0;
            serum += w * x->serum_total_mM / 24.0;
            csf += w * x->csf_mM / 24.0;
            if (k == 0 && d > 0)
                continue; /* the previous day's last sample */
            mg_couple_sample *o = &out->samples[24 * (size_t)d + k];
            o->t_h = t0 + x->t_h;
            o->serum_total_mM = x->serum_total_mM;
            o->serum_ionized_mM = x->serum_ionized_mM;
            o->csf_mM = x->csf_mM;
            o->brain_mg_mM = x->csf_mM * s->csf_free_fraction;
            o->cortisol_nmol_l = k < 24 ? cort_h[k] : cort_h[23];
            o->excretion_factor = k < 24 ? mods[k].excretion_factor : mods[23].excretion_factor;
        }
        mg_kin_result_free(&kr);
        out->n_samples = 24 * (size_t)d + 25;
        day->serum_total_mM = serum;
        day->csf_mM = csf;
        day->brain_mg_mM = csf * s->csf_free_fraction;
        prev_serum = serum;
        /* 3-4. homeostasis of NMDA expression */
        if (s->homeostasis) {
            double flux = 0;
            st = flux_probe(ctx, s, day->brain_mg_mM, scale, &flux);
            if (st != MG_OK)
                break;
            if (out->set_point_flux > 0)
                scale *= exp(24.0 / s->homeo.tau_h_hours * (1.0 - flux / out->set_point_flux));
        }
        day->nmda_scale = scale;
        /* 5. the night */
        if (s->sleep_on) {
            mg_sleep_stage_params p = s->sleep;
            p.mg_mM = day->brain_mg_mM;
            p.seed = s->seed + SLEEP_SEED_OFFSET + d;
            mg_hypnogram hy;
            st = mg_sleep_stages_run(ctx, &p, &s->sched, 1, &hy);
            if (st == MG_OK) {
                size_t n = hy.epochs_per_night < epochs ? hy.epochs_per_night : epochs;
                memcpy(out->hypnogram + (size_t)d * epochs, hy.stage, n);
                st = mg_hypnogram_metrics_compute(ctx, hy.stage, hy.epochs_per_night, hy.epoch_s,
                                                  &day->sleep);
                day->has_sleep = st == MG_OK;
            }
            mg_hypnogram_free(&hy);
            if (st != MG_OK)
                break;
        }
        /* 6. probes due today, in the order given */
        for (size_t i = 0; i < s->n_probes && st == MG_OK; i++) {
            const mg_probe_spec *p = &s->probes[i];
            if (!probe_due(p, d))
                continue;
            int h = (int)floor(p->clock_h);
            double frac = p->clock_h - h;
            const mg_couple_sample *a = &out->samples[24 * (size_t)d + (size_t)h];
            double mg = (1.0 - frac) * a[0].brain_mg_mM + frac * a[1].brain_mg_mM;
            mg_couple_probe *o = &out->probes[ip];
            o->day = d;
            o->clock_h = p->clock_h;
            /* the same inputs every time a probe runs (common random numbers), so that its
             * results differ only by brain Mg and NMDA expression */
            st = run_probe(ctx, s, p->kind, mg, scale, s->seed + PROBE_SEED_OFFSET + i, o);
            if (st == MG_OK)
                ip++;
        }
        if (st != MG_OK)
            break;
        out->n_probes = ip;
        out->n_days = d + 1;
        out->end_kin = kst;
        out->end_hpa = hst;
        out->end_scale = scale;
        out->end_serum_mM = prev_serum;
        out->stores_end_mg = mg_kin_state_total_mg(&kst);
        out->balance_error_mg = out->intake_mg - out->faecal_mg - out->urine_mg - out->sweat_mg -
                                (out->stores_end_mg - out->stores_start_mg);
        if (progress && progress(user, d, D, out) && d + 1 < D) {
            out->interrupted = 1;
            break;
        }
    }
    free(ev);
    free(sbuf);
    return st;
}

mg_status mg_couple_run(mg_context *ctx, const mg_couple_spec *s, mg_couple_progress_fn progress,
                        void *user, mg_couple_result *out) {
    if (!s || !out)
        return mg_error_raise(ctx, MG_ERR_DATA, "mg_couple_run: spec and out must be given");
    memset(out, 0, sizeof *out);
    size_t n_probe_runs = 0;
    mg_status st = check_spec(ctx, s, &n_probe_runs);
    if (st == MG_OK)
        st = alloc_result(ctx, s, n_probe_runs, out);
    if (st == MG_OK)
        st = start_state(ctx, s, out);
    if (st == MG_OK)
        st = advance(ctx, s, progress, user, out);
    if (st != MG_OK)
        mg_couple_result_free(out);
    return st;
}

mg_status mg_couple_check(mg_context *ctx, const mg_couple_spec *s) {
    size_t n = 0;
    if (!s)
        return mg_error_raise(ctx, MG_ERR_DATA, "mg_couple_check: no spec");
    return check_spec(ctx, s, &n);
}

mg_status mg_couple_continue(mg_context *ctx, const mg_couple_spec *s,
                             mg_couple_progress_fn progress, void *user, mg_couple_result *io) {
    if (!s || !io)
        return mg_error_raise(ctx, MG_ERR_DATA, "mg_couple_continue: spec and io must be given");
    size_t n_probe_runs = 0;
    mg_status st = check_spec(ctx, s, &n_probe_runs);
    if (st != MG_OK)
        return st;
    size_t epochs = s->sleep_on ? (size_t)lround(s->sched.time_in_bed_h * 120.0) : 0;
    if (!io->days || io->days_total != s->days || io->probes_total != n_probe_runs ||
        io->epochs_per_night != epochs || io->n_days > s->days)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "the saved run does not fit this scenario (%zu of %u days, %zu "
                              "probes, %zu epochs a night, against %u days, %zu probes, %zu "
                              "epochs)",
                              io->n_days, io->days_total, io->probes_total, io->epochs_per_night,
                              s->days, n_probe_runs, epochs);
    return advance(ctx, s, progress, user, io);
}
