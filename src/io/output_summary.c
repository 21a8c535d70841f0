/* Result writers: summary.json (jansson). */
#include "io/output_internal.h"
#include "mgsim/plast.h"

#include <jansson.h>
#include <stdint.h>

static const char *status_word(mg_status s) {
    switch (s) {
        case MG_OK:
            return "complete";
        case MG_ERR_RUNAWAY:
            return "runaway";
        case MG_ERR_INTERRUPTED:
            return "interrupted";
        default:
            return "failed";
    }
}

/* Set key to value in obj, stealing value; a failure (no memory) is remembered in *bad. */
static void put(json_t *obj, const char *key, json_t *value, int *bad) {
    if (!value || json_object_set_new(obj, key, value) != 0)
        *bad = 1;
}

static json_t *uint_json(uint64_t v) {
    return v <= (uint64_t)INT64_MAX ? json_integer((json_int_t)v) : json_real((double)v);
}

mg_status mg_out_summary_write(mg_output *o, const mg_output_run_info *info, const char *path) {
    int bad = 0;
    json_t *root = json_object();
    json_t *pops = json_object();
    json_t *files = json_array();
    if (!root || !pops || !files) {
        json_decref(root);
        json_decref(pops);
        json_decref(files);
        return mg_error_raise(o->ctx, MG_ERR_NOMEM, "out of memory");
    }
    double duration_s = info->t_ms * 1e-3;
    uint64_t total = 0;
    put(root, "version", json_string(mg_version_string()), &bad);
    put(root, "status", json_string(status_word(info->status)), &bad);
    if (info->status != MG_OK)
        put(root, "message", json_string(info->message ? info->message : ""), &bad);
    put(root, "model", info->model_path ? json_string(info->model_path) : json_null(), &bad);
    if (o->seed <= (uint64_t)INT64_MAX) {
        put(root, "seed", json_integer((json_int_t)o->seed), &bad);
    } else {
        char s[32];
        snprintf(s, sizeof s, "%llu", (unsigned long long)o->seed);
        put(root, "seed", json_string(s), &bad);
    }
    put(root, "threads", json_integer(info->threads), &bad);
    put(root, "dt_ms", json_real(o->dt_ms), &bad);
    put(root, "duration_ms", json_real(info->t_ms), &bad);
    put(root, "duration_requested_ms", json_real(o->duration_ms), &bad);
    put(root, "mg_mM", json_real(o->mg_mM), &bad);
    put(root, "steps", uint_json(info->steps), &bad);
    mg_energy_params energy;
    mg_energy_defaults(&energy);
    double atp_total = 0.0;
    for (size_t i = 0; i < o->n_pops; i++) {
        uint64_t spikes = info->pop_spikes ? info->pop_spikes[i] : o->spikes[i];
        double rate = o->pop_n[i] && duration_s > 0.0
                          ? (double)spikes / (double)o->pop_n[i] / duration_s
                          : 0.0;
        json_t *p = json_object();
        if (!p) {
            bad = 1;
            break;
        }
        put(p, "n", json_integer((json_int_t)o->pop_n[i]), &bad);
        put(p, "spikes", uint_json(spikes), &bad);
        put(p, "rate_hz", json_real(rate), &bad);
        put(p, "recorded", json_boolean(o->recorded[i]), &bad);
        if (info->pop_out_synapses) {
            /* Attwell & Laughlin 2001: ATP per action potential and per released vesicle
             * (mg_energy_defaults, docs/models/energy.md); every spike releases on each of the
             * neuron's outgoing synapses with the release probability */
            double events = o->pop_n[i] ? (double)spikes * (double)info->pop_out_synapses[i] /
                                              (double)o->pop_n[i]
                                        : 0.0;
            mg_energy_readout e = mg_energy_eval(&energy, events, (double)spikes);
            put(p, "synaptic_events", json_real(events), &bad);
            put(p, "atp_spikes", json_real(e.atp_spikes), &bad);
            put(p, "atp_synaptic", json_real(e.atp_synaptic), &bad);
            put(p, "atp_total", json_real(e.atp_total), &bad);
            atp_total += e.atp_total;
        }
        put(pops, o->pop_names[i], p, &bad);
        total += spikes;
    }
    put(root, "populations", pops, &bad);
    if (info->pop_out_synapses)
        put(root, "atp_total", json_real(atp_total), &bad);
    put(root, "spikes", uint_json(total), &bad);
    put(root, "synapses", uint_json(info->synapses), &bad);
    put(root, "synapse_bytes", json_real(info->synapse_bytes), &bad);
    put(root, "bytes_per_synapse",
        info->synapses ? json_real(info->synapse_bytes / (double)info->synapses) : json_null(),
        &bad);
    if (info->plastic_synapses) {
        put(root, "plastic_synapses", uint_json(info->plastic_synapses), &bad);
        put(root, "bytes_per_plastic_synapse",
            json_real(info->plastic_synapse_bytes / (double)info->plastic_synapses), &bad);
    }
    if (info->tox && info->n_tox) {
        /* excitotoxic load per plastic projection (mg_net_proj_tox, docs/models/energy.md) */
        json_t *tox = json_object();
        if (!tox)
            bad = 1;
        for (size_t q = 0; tox && q < info->n_tox; q++) {
            const mg_output_tox *r = &info->tox[q];
            json_t *p = json_object();
            if (!p || !r->name) {
                json_decref(p);
                bad = 1;
                break;
            }
            double n = (double)r->synapses;
            put(p, "calcium_unit", json_string(r->unit ? r->unit : ""), &bad);
            put(p, "threshold", json_real(r->threshold), &bad);
            put(p, "synapses", uint_json(r->synapses), &bad);
            put(p, "excitotoxic_time_ms", json_real(r->time_ms), &bad);
            put(p, "excitotoxic_time_per_synapse_ms",
                r->synapses ? json_real(r->time_ms / n) : json_null(), &bad);
            put(p, "excitotoxic_integral", json_real(r->integral), &bad);
            put(p, "excitotoxic_integral_per_synapse",
                r->synapses ? json_real(r->integral / n) : json_null(), &bad);
            put(tox, r->name, p, &bad);
        }
        put(root, "excitotoxic_load", tox, &bad);
    }
    put(root, "wall_s", json_real(info->wall_s), &bad);
    put(root, "build_wall_s", json_real(info->build_wall_s), &bad);
    put(root, "loop_wall_s", json_real(info->loop_wall_s), &bad);
    put(root, "peak_rss_mb", json_real(info->peak_rss_mb), &bad);
    for (size_t i = 0; i < o->n_files; i++)
        if (json_array_append_new(files, json_string(o->files[i].name)) != 0)
            bad = 1;
    put(root, "files", files, &bad);
    if (bad) {
        json_decref(root);
        return mg_error_raise(o->ctx, MG_ERR_NOMEM, "out of memory");
    }
    FILE *f = fopen(path, "w");
    int rc = f ? json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(15)) : -1;
    json_decref(root);
    if (f) {
        rc |= fputc('\n', f) == EOF;
        rc |= fclose(f) != 0;
    }
    if (rc != 0)
        return mg_out_fail(o, MG_ERR_IO, "cannot write %s", path);
    return MG_OK;
}
