/* `mgsim sleep SCENARIO.yaml`: nights of sleep in 30-s epochs and the sleep-lab metrics. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "io/report.h"
#include "io/scen.h"
#include "mgsim/sleep_stages.h"

#define SLEEP_NOTE                                                                                 \
    "Model prediction, not medical advice. Sleep stages from the human sleep-wake network of "     \
    "Booth, Xique & Diniz Behn 2017 with mgsim's staging rules (docs/models/sleep-stages.md); "    \
    "the magnesium coupling is a documented hypothesis, off by default."

/* Everything a sleep scenario sets. */
#define MAX_CAFFEINE 16

typedef struct {
    mg_sleep_stage_params p;
    mg_sleep_schedule sched;
    uint64_t nights;
    uint64_t warmup_days;
    uint64_t seed;
    int model; /* 0 stages, 1 phillips-robinson */
    mg_sleep_pr_params pr;
    mg_caffeine_dose caffeine[MAX_CAFFEINE]; /* daily: time_h is the clock time */
    size_t n_caffeine;
} sleep_scen;

static const char *const models[] = {"stages", "phillips-robinson", NULL};

#define O(f)    offsetof(sleep_scen, f)
#define BXD     "Booth, Xique & Diniz Behn 2017, SIAM J Appl Dyn Syst 16:1089 (ModelDB 244485)"
#define ASSUMED "assumption (docs/models/sleep-stages.md)"
static const mg_scen_key sleep_keys[] = {
    {"person.age_y", MG_SCEN_NUMBER, 0, O(p.age_years), "y", 18, 100, 0, NULL,
     "age of the sleeper (the stage model covers adults)", "user input"},
    {"sleep.bedtime", MG_SCEN_CLOCK, 0, O(sched.bedtime_h), "", 0, 0, 0, NULL,
     "lights off, every night", "user input"},
    {"sleep.time_in_bed_h", MG_SCEN_NUMBER, 0, O(sched.time_in_bed_h), "h", 0, 24,
     MG_SCEN_MIN_EXCL | MG_SCEN_MAX_EXCL, NULL,
     "lights off to lights on (a whole number of 30-s epochs)", "user input"},
    {"sleep.nights", MG_SCEN_UINT, 0, O(nights), "", 1, 1000, 0, NULL,
     "nights scored (after the warm-up)", "user input"},
    {"sleep.model", MG_SCEN_ENUM, 0, O(model), "", 0, 0, 0, models,
     "stages: the NREM/REM network in 30-s epochs (all metrics); phillips-robinson: the "
     "sleep-wake model with caffeine (wake/sleep only)",
     "docs/models/sleep-stages.md, docs/models/phillips-robinson.md"},
    {"brain.mg_mM", MG_SCEN_NUMBER, 0, O(p.mg_mM), "mM", 0, 5, MG_SCEN_MIN_EXCL, NULL,
     "brain extracellular Mg, constant (used by the Mg coupling only)",
     "user input; 1.0 mM is typical of CSF (refs magnesium-physiology s5)"},
    {"seed", MG_SCEN_UINT, 0, O(seed), "", 0, 1.8e19, 0, NULL,
     "seed of the spontaneous-arousal process", "user input"},
    {"stages.beta_r", MG_SCEN_NUMBER, 0, O(p.beta_r), "", -INFINITY, INFINITY, 0, NULL,
     "REM-population threshold", BXD},
    {"stages.k1", MG_SCEN_NUMBER, 0, O(p.k1), "", -INFINITY, INFINITY, 0, NULL,
     "VLPO threshold offset", BXD},
    {"stages.k2", MG_SCEN_NUMBER, 0, O(p.k2), "per SWA %", -INFINITY, 0, 0, NULL,
     "VLPO threshold per unit of the homeostat h", BXD},
    {"stages.h_max", MG_SCEN_NUMBER, 0, O(p.h_max), "SWA %", 0, INFINITY, MG_SCEN_MIN_EXCL, NULL,
     "asymptote of the homeostat", BXD},
    {"stages.tau_hw_min", MG_SCEN_NUMBER, 0, O(p.tau_hw_min), "min", 0, INFINITY, MG_SCEN_MIN_EXCL,
     NULL, "rise time of h while awake", BXD},
    {"stages.tau_hs_min", MG_SCEN_NUMBER, 0, O(p.tau_hs_min), "min", 0, INFINITY, MG_SCEN_MIN_EXCL,
     NULL, "decay time of h while asleep", BXD},
    {"stages.theta_w_hz", MG_SCEN_NUMBER, 0, O(p.theta_w_hz), "Hz", 0, INFINITY, MG_SCEN_MIN_EXCL,
     NULL, "LC rate above which h rises", BXD},
    {"stages.wake_hz", MG_SCEN_NUMBER, 0, O(p.wake_hz), "Hz", 0, INFINITY, MG_SCEN_MIN_EXCL, NULL,
     "LC rate above which an instant is scored wake", BXD},
    {"stages.rem_hz", MG_SCEN_NUMBER, 0, O(p.rem_hz), "Hz", 0, INFINITY, MG_SCEN_MIN_EXCL, NULL,
     "REM-population rate above which a sleeping instant is REM", BXD},
    {"stages.light_lux", MG_SCEN_NUMBER, 0, O(p.light_lux), "lux", 0, 1e5, 0, NULL,
     "light outside the sleep window", BXD},
    {"stages.wake_effort", MG_SCEN_NUMBER, 0, O(p.wake_effort), "", 0, INFINITY, 0, NULL,
     "extra LC input outside the sleep window (forced wake)", ASSUMED},
    {"stages.n1_lc_hz", MG_SCEN_NUMBER, 0, O(p.n1_lc_hz), "Hz", 0, INFINITY, MG_SCEN_MIN_EXCL, NULL,
     "sleep with the LC rate above this is N1", ASSUMED},
    {"stages.n3_swa", MG_SCEN_NUMBER, 0, O(p.n3_swa), "SWA %", 0, INFINITY, MG_SCEN_MIN_EXCL, NULL,
     "NREM deeper than this is N3", ASSUMED},
    {"stages.swa_age_per_decade", MG_SCEN_NUMBER, 0, O(p.swa_age_per_decade), "", 0, 0.2, 0, NULL,
     "fractional loss of sleep depth per decade beyond 35 y",
     "fitted to the N3 share over 60 y of Mitterling et al. 2015 (docs/models/sleep-stages.md)"},
    {"stages.hmax_age_per_decade", MG_SCEN_NUMBER, 0, O(p.hmax_age_per_decade), "", 0, 0.2, 0, NULL,
     "fractional loss of the homeostat's asymptote per decade beyond 35 y",
     "fitted to the SOL slope of Boulos et al. 2019; direction: Landolt et al. 1996 "
     "(docs/models/sleep-stages.md)"},
    {"stages.evening_h", MG_SCEN_NUMBER, 0, O(p.evening_h), "h", 0, 12, 0, NULL,
     "hours before lights off spent in dim evening light",
     "Burgess & Molina 2014, Photochem Photobiol 90:723 (their 4-h window)"},
    {"stages.evening_lux", MG_SCEN_NUMBER, 0, O(p.evening_lux), "lux", 0, 1e5, 0, NULL,
     "light in those evening hours", "Burgess & Molina 2014 (home lights maximised, ~65 lux)"},
    {"stages.arousal_per_h", MG_SCEN_NUMBER, 0, O(p.arousal_per_h), "1/h", 0, INFINITY, 0, NULL,
     "spontaneous arousals during sleep at 35 y", ASSUMED},
    {"stages.arousal_per_h_decade", MG_SCEN_NUMBER, 0, O(p.arousal_per_h_decade), "1/h", 0,
     INFINITY, 0, NULL, "increase of the arousal rate per decade beyond 35 y",
     "fitted to Boulos et al. 2019 WASO (docs/models/sleep-stages.md)"},
    {"stages.arousal_lc_hz", MG_SCEN_NUMBER, 0, O(p.arousal_lc_hz), "Hz", 0, 6, MG_SCEN_MIN_EXCL,
     NULL, "LC rate an arousal raises to", ASSUMED},
    {"stages.g_ach_vlpo", MG_SCEN_NUMBER, 0, O(p.g_ach_vlpo), "", 0, 5, 0, NULL,
     "REM-active drive of the VLPO (keeps the LC silent in REM; 0 = published network)",
     "fitted to the REM structure; direction: Lu et al. 2002, Nitz & Siegel 1997 "
     "(docs/models/sleep-stages.md)"},
    {"stages.h_ach_r", MG_SCEN_NUMBER, 0, O(p.h_ach_r), "per SWA %", 0, 0.02, 0, NULL,
     "homeostatic damping of the REM population's cholinergic self-drive (0 = published "
     "network)",
     "fitted to the REM structure; direction: Rainnie et al. 1994 (docs/models/sleep-stages.md)"},
    {"stages.dt_min", MG_SCEN_NUMBER, 0, O(p.dt_min), "min", 0, 0.1, MG_SCEN_MIN_EXCL, NULL,
     "RK4 step (must divide 0.5 min)", "numerical choice (docs/models/sleep-stages.md)"},
    {"stages.warmup_days", MG_SCEN_UINT, 0, O(warmup_days), "d", 1, 60, 0, NULL,
     "days simulated before the first scored night", "numerical choice"},
    {"coupling.mg_sleep.gain_per_mM", MG_SCEN_NUMBER, 0, O(p.mg_gain_per_mM), "1/mM", 0, INFINITY,
     0, NULL,
     "shift of the VLPO threshold per mM of brain Mg above the reference (0: hypothesis off)",
     "hypothesis; size capped by Abbasi et al. 2012 (refs sleep-and-stress s9.1)"},
    {"coupling.mg_sleep.ref_mM", MG_SCEN_NUMBER, 0, O(p.mg_ref_mM), "mM", 0, 5, MG_SCEN_MIN_EXCL,
     NULL, "brain Mg with no effect", ASSUMED},
    {"coupling.mg_sleep.swa_gain_per_mM", MG_SCEN_NUMBER, 0, O(p.mg_swa_gain_per_mM), "1/mM", 0,
     100, 0, NULL,
     "fractional change of slow-wave depth per mM of brain Mg above the reference (0: off)",
     "hypothesis after Held et al. 2002 (SWS and delta power rise with Mg; refs "
     "sleep-and-stress s9.3)"},
    {"coupling.mg_sleep.swa_max", MG_SCEN_NUMBER, 0, O(p.mg_swa_max), "", 0, 0.5, 0, NULL,
     "cap on that change", "set so the SWS gain stays within Held et al. 2002 (docs)"},
    {"coupling.mg_sleep.max_shift", MG_SCEN_NUMBER, 0, O(p.mg_max_shift), "", 0, 0.02, 0, NULL,
     "cap on the threshold shift", "set so the effect stays within the Mg trials (docs)"},
    {"pr.phase_h", MG_SCEN_NUMBER, 0, O(pr.phase_h), "h", -48, 48, 0, NULL,
     "run-clock time of the circadian wake-drive maximum",
     "assumption: places spontaneous sleep at about 01-06 h (docs/models/phillips-robinson.md)"},
    {"pr.v_we_mV", MG_SCEN_NUMBER, 0, O(pr.v_we_mV), "mV", -10, 10, 0, NULL,
     "MA voltage held by the wake effort outside the sleep window",
     "assumption, after Postnova et al. 2018"},
    {"pr.caffeine_half_life_h", MG_SCEN_NUMBER, 0, O(pr.caf_half_life_h), "h", 0, 48,
     MG_SCEN_MIN_EXCL, NULL, "caffeine elimination half-life",
     "assumption (docs/models/phillips-robinson.md)"},
    {"pr.caffeine_k50_mg", MG_SCEN_NUMBER, 0, O(pr.caf_k50_mg), "mg", 0, 5000, MG_SCEN_MIN_EXCL,
     NULL, "caffeine in the body giving half the maximal blockade",
     "assumption (docs/models/phillips-robinson.md)"},
    {"pr.caffeine_max_block", MG_SCEN_NUMBER, 0, O(pr.caf_max_block), "", 0, 1, 0, NULL,
     "largest fraction of the homeostatic drive caffeine blocks",
     "assumption (docs/models/phillips-robinson.md)"},
};
#undef O

/* caffeine: a list of {time: "HH:MM", mg: M} taken every day (phillips-robinson). */
static mg_status load_caffeine(mg_context *ctx, const mg_yaml_doc *doc, const char *key,
                               const mg_yaml_node *node, void *data) {
    sleep_scen *s = data;
    char loc[320], what[96];
    if (node->kind == MG_YAML_NULL)
        return MG_OK;
    if (node->kind != MG_YAML_SEQ || node->n > MAX_CAFFEINE)
        return mg_error_raise(ctx, MG_ERR_CONFIG,
                              "%s: %s: expected a list of at most %d doses {time: \"HH:MM\", "
                              "mg: M}",
                              mg_yaml_loc(doc, node, 0, loc, sizeof loc), key, MAX_CAFFEINE);
    for (size_t i = 0; i < node->n; i++) {
        const mg_yaml_node *e = node->items[i];
        const mg_yaml_node *t = e->kind == MG_YAML_MAP ? mg_yaml_map_get(e, "time") : NULL;
        const mg_yaml_node *mg = e->kind == MG_YAML_MAP ? mg_yaml_map_get(e, "mg") : NULL;
        if (!t || !mg || e->n != 2)
            return mg_error_raise(ctx, MG_ERR_CONFIG,
                                  "%s: %s[%zu]: expected {time: \"HH:MM\", mg: M} (caffeine, mg)",
                                  mg_yaml_loc(doc, e, 0, loc, sizeof loc), key, i);
        snprintf(what, sizeof what, "%s[%zu].time", key, i);
        mg_status st = mg_scen_clock(ctx, doc, t, what, &s->caffeine[i].time_h);
        snprintf(what, sizeof what, "%s[%zu].mg", key, i);
        if (st == MG_OK)
            st = mg_scen_number(ctx, doc, mg, what, "mg", 0, 2000, &s->caffeine[i].dose_mg);
        if (st != MG_OK)
            return st;
        s->n_caffeine = i + 1;
    }
    return MG_OK;
}

static const char *const sleep_custom[] = {"caffeine", NULL};
static const mg_scen_schema sleep_schema = {sleep_keys, sizeof sleep_keys / sizeof sleep_keys[0],
                                            sleep_custom};

static void sleep_defaults(sleep_scen *s) {
    memset(s, 0, sizeof *s);
    s->p = mg_sleep_stage_params_default();
    s->sched.bedtime_h = 23.0;
    s->sched.time_in_bed_h = 8.0;
    s->nights = 3;
    s->warmup_days = (uint64_t)s->p.warmup_days;
    s->seed = s->p.seed;
    s->pr = mg_sleep_pr_params_default();
}

void cli_sleep_help(FILE *out) {
    fputs("Usage: mgsim sleep SCENARIO.yaml [-o DIR] [--set KEY=VALUE]... [--quiet]\n"
          "\n"
          "Simulate nights of sleep: the human sleep-wake network of Booth, Xique & Diniz Behn\n"
          "2017 (wake, NREM and REM populations with a sleep homeostat and the circadian clock)\n"
          "on a fixed bedtime schedule, scored in 30-s epochs as wake, N1, N2, N3 and REM, with\n"
          "the metrics a sleep lab reports. Model prediction, not medical advice.\n"
          "docs/models/sleep-stages.md\n"
          "\n",
          out);
    cli_help_options(out);
    sleep_scen s;
    sleep_defaults(&s);
    void *bases[1] = {&s};
    mg_scen_print_keys(out, &sleep_schema, bases);
    fputs(
        "\n"
        "Example scenario:\n"
        "  person: {age_y: 35}\n"
        "  sleep: {bedtime: \"23:00\", time_in_bed_h: 8, nights: 3}\n"
        "\n"
        "  mgsim sleep examples/sleep/normal-adult.yaml -o results/sleep\n"
        "\n"
        "Files written to DIR:\n"
        "  hypnogram.csv           night, epoch, clock, stage (W, N1, N2, N3, REM), depth (SWA %)\n"
        "  nights.csv              the metrics of every night\n"
        "  summary.json            total_sleep_min, sleep_efficiency (percent of time in bed),\n"
        "                          sleep_onset_latency_min, waso_min, awakenings, n1_pct,\n"
        "                          n2_pct, n3_pct, rem_pct (percent of total sleep),\n"
        "                          first_rem_latency_min, cycles, mean_cycle_min,\n"
        "                          rem_lengthening_min (later complete REM periods minus the\n"
        "                          first; > 0 when REM lengthens) (means over the nights) and\n"
        "                          per_night, every parameter with its source\n"
        "  scenario.resolved.yaml  every key's value (loads back)\n"
        "  report.html             hypnogram of the first night, stage shares, the nights\n"
        "\n"
        "Exit status: 0 done; 64 bad command line; 65 a value out of range; 66 the scenario\n"
        "cannot be read; 73/74 DIR or a file cannot be written; 78 unknown key or a wrong type.\n",
        out);
}

/* Plot order of the stages, top to bottom, as sleep labs draw hypnograms. */
static double plot_row(int stage) {
    switch (stage) {
        case MG_STAGE_WAKE:
            return 0;
        case MG_STAGE_REM:
            return 1;
        case MG_STAGE_N1:
            return 2;
        case MG_STAGE_N2:
            return 3;
        default:
            return 4;
    }
}

static json_t *metrics_json(const mg_hypnogram_metrics *m) {
    return json_pack(
        "{s:f, s:f, s:f, s:f, s:f, s:i, s:f, s:f, s:f, s:f, s:f, s:i, s:f, s:o}", "time_in_bed_min",
        m->time_in_bed_min, "total_sleep_min", m->total_sleep_min, "sleep_efficiency",
        m->sleep_efficiency_pct, "sleep_onset_latency_min", m->sleep_onset_latency_min, "waso_min",
        m->waso_min, "awakenings", m->awakenings, "n1_pct", m->n1_pct, "n2_pct", m->n2_pct,
        "n3_pct", m->n3_pct, "rem_pct", m->rem_pct, "first_rem_latency_min",
        isfinite(m->first_rem_latency_min) ? m->first_rem_latency_min : -1.0, "cycles", m->cycles,
        "mean_cycle_min", isfinite(m->mean_cycle_min) ? m->mean_cycle_min : 0.0,
        "rem_lengthening_min",
        isfinite(m->rem_lengthening_min) ? json_real(m->rem_lengthening_min) : json_null());
}

/* Means of the metrics over n nights (first REM latency and cycle length over the nights
 * that have them). */
static void metrics_mean(const mg_hypnogram_metrics *m, size_t n, mg_hypnogram_metrics *avg,
                         double *cycles) {
    memset(avg, 0, sizeof *avg);
    size_t n_rem = 0, n_cyc = 0, n_len = 0;
    double c = 0;
    for (size_t i = 0; i < n; i++) {
        avg->time_in_bed_min += m[i].time_in_bed_min / (double)n;
        avg->total_sleep_min += m[i].total_sleep_min / (double)n;
        avg->sleep_efficiency_pct += m[i].sleep_efficiency_pct / (double)n;
        avg->sleep_onset_latency_min += m[i].sleep_onset_latency_min / (double)n;
        avg->waso_min += m[i].waso_min / (double)n;
        avg->n1_pct += m[i].n1_pct / (double)n;
        avg->n2_pct += m[i].n2_pct / (double)n;
        avg->n3_pct += m[i].n3_pct / (double)n;
        avg->rem_pct += m[i].rem_pct / (double)n;
        avg->awakenings += m[i].awakenings;
        c += m[i].cycles;
        if (isfinite(m[i].first_rem_latency_min)) {
            avg->first_rem_latency_min += m[i].first_rem_latency_min;
            n_rem++;
        }
        if (m[i].cycles > 0 && isfinite(m[i].mean_cycle_min)) {
            avg->mean_cycle_min += m[i].mean_cycle_min;
            n_cyc++;
        }
        if (isfinite(m[i].rem_lengthening_min)) {
            avg->rem_lengthening_min += m[i].rem_lengthening_min;
            n_len++;
        }
    }
    avg->first_rem_latency_min = n_rem ? avg->first_rem_latency_min / (double)n_rem : NAN;
    avg->mean_cycle_min = n_cyc ? avg->mean_cycle_min / (double)n_cyc : NAN;
    avg->rem_lengthening_min = n_len ? avg->rem_lengthening_min / (double)n_len : NAN;
    *cycles = c / (double)n;
}

static mg_status write_outputs(mg_context *ctx, cli_outset *out, const cli_common_opts *o,
                               sleep_scen *s, const mg_hypnogram *hy, const mg_hypnogram_metrics *m,
                               const mg_hypnogram_metrics *avg, double mean_cycles) {
    void *bases[1] = {s};
    size_t E = hy->epochs_per_night;
    FILE *f = cli_outset_open(ctx, out, "hypnogram.csv");
    if (!f)
        return mg_error_status(ctx);
    fputs("night,epoch,clock,stage,depth_swa_pct\n", f);
    for (size_t n = 0; n < hy->n_nights; n++)
        for (size_t e = 0; e < E; e++) {
            char c[8];
            size_t i = n * E + e;
            fprintf(f, "%zu,%zu,%s,%s,%.4g\n", n + 1, e,
                    mg_scen_format_clock(s->sched.bedtime_h + (double)e * hy->epoch_s / 3600.0, c,
                                         sizeof c),
                    s->model && hy->stage[i] != MG_STAGE_WAKE ? "sleep"
                                                              : mg_sleep_stage_name(hy->stage[i]),
                    hy->swa[i]);
        }
    mg_status st = cli_outset_close(ctx, f, "hypnogram.csv");
    if (st != MG_OK)
        return st;
    if (!(f = cli_outset_open(ctx, out, "nights.csv")))
        return mg_error_status(ctx);
    fputs("night,total_sleep_min,sleep_efficiency_pct,sleep_onset_latency_min,waso_min,"
          "awakenings,n1_pct,n2_pct,n3_pct,rem_pct,first_rem_latency_min,cycles,"
          "mean_cycle_min,rem_lengthening_min\n",
          f);
    for (size_t n = 0; n < hy->n_nights; n++)
        fprintf(f, "%zu,%.4g,%.4g,%.4g,%.4g,%d,%.4g,%.4g,%.4g,%.4g,%.4g,%d,%.4g,%.4g\n", n + 1,
                m[n].total_sleep_min, m[n].sleep_efficiency_pct, m[n].sleep_onset_latency_min,
                m[n].waso_min, m[n].awakenings, m[n].n1_pct, m[n].n2_pct, m[n].n3_pct, m[n].rem_pct,
                m[n].first_rem_latency_min, m[n].cycles, m[n].mean_cycle_min,
                m[n].rem_lengthening_min);
    if ((st = cli_outset_close(ctx, f, "nights.csv")) != MG_OK)
        return st;
    if (!(f = cli_outset_open(ctx, out, "scenario.resolved.yaml")))
        return mg_error_status(ctx);
    fprintf(f, "# mgsim %s: every key of %s after --set, as used\n", mg_version_string(), o->input);
    mg_scen_write_yaml(f, &sleep_schema, bases);
    if ((st = cli_outset_close(ctx, f, "scenario.resolved.yaml")) != MG_OK)
        return st;
    json_t *per = json_array();
    for (size_t n = 0; per && n < hy->n_nights; n++)
        json_array_append_new(per, metrics_json(&m[n]));
    json_t *root = metrics_json(avg);
    if (!root || !per) {
        json_decref(root);
        json_decref(per);
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    }
    json_object_set_new(root, "cycles", json_real(mean_cycles));
    json_object_set_new(root, "first_rem_latency_min",
                        isfinite(avg->first_rem_latency_min) ? json_real(avg->first_rem_latency_min)
                                                             : json_null());
    json_object_set_new(root, "mean_cycle_min",
                        isfinite(avg->mean_cycle_min) ? json_real(avg->mean_cycle_min)
                                                      : json_null());
    json_object_set_new(root, "awakenings",
                        json_real((double)avg->awakenings / (double)hy->n_nights));
    if (s->model) {
        /* wake/sleep only: no stages, no cycles */
        static const char *const none[] = {"n1_pct",
                                           "n2_pct",
                                           "n3_pct",
                                           "rem_pct",
                                           "first_rem_latency_min",
                                           "cycles",
                                           "mean_cycle_min",
                                           "rem_lengthening_min"};
        for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
            json_object_set_new(root, none[i], json_null());
        for (size_t n = 0; n < json_array_size(per); n++)
            for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
                json_object_set_new(json_array_get(per, n), none[i], json_null());
    }
    json_object_set_new(root, "model", json_string(models[s->model]));
    json_object_set_new(root, "version", json_string(mg_version_string()));
    json_object_set_new(root, "command", json_string("sleep"));
    json_object_set_new(root, "scenario", json_string(o->input));
    json_object_set_new(root, "nights", json_integer((json_int_t)hy->n_nights));
    json_object_set_new(root, "per_night", per);
    json_object_set_new(root, "parameters", mg_scen_params_json(&sleep_schema, bases));
    json_object_set_new(root, "note", json_string(SLEEP_NOTE));
    st = cli_outset_json(ctx, out, "summary.json", root);
    json_decref(root);
    if (st != MG_OK)
        return st;
    /* report.html */
    mg_report *rep = mg_report_create("mgsim sleep: nights in 30-s epochs");
    if (!rep)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    char text[640];
    snprintf(text, sizeof text,
             "Mean of %zu night(s), age %.0f y, lights off %02d:%02d for %.1f h: total sleep "
             "%.0f min, efficiency %.1f %%, onset latency %.1f min, WASO %.0f min; N1 %.1f %%, "
             "N2 %.1f %%, N3 %.1f %%, REM %.1f %% of sleep; %.1f cycles. Normal adult "
             "references: N1 2-5 %%, N2 45-55 %%, N3 10-20 %%, REM 20-25 %%, cycles of about "
             "90 min (refs sleep-and-stress s2.3).",
             hy->n_nights, s->p.age_years, (int)s->sched.bedtime_h,
             (int)lround(fmod(s->sched.bedtime_h, 1.0) * 60.0) % 60, s->sched.time_in_bed_h,
             avg->total_sleep_min, avg->sleep_efficiency_pct, avg->sleep_onset_latency_min,
             avg->waso_min, avg->n1_pct, avg->n2_pct, avg->n3_pct, avg->rem_pct, mean_cycles);
    st = mg_report_text(ctx, rep, text);
    double *x = malloc(E * sizeof *x), *y = malloc(E * sizeof *y);
    if (!x || !y) {
        st = mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    } else if (st == MG_OK) {
        for (size_t e = 0; e < E; e++) {
            x[e] = (double)e * hy->epoch_s / 3600.0;
            y[e] = s->model ? (hy->stage[e] != MG_STAGE_WAKE) : plot_row(hy->stage[e]);
        }
        static const char *const stage_rows[5] = {"W", "REM", "N1", "N2", "N3"};
        static const char *const pr_rows[2] = {"W", "sleep"};
        const char *const *rows = s->model ? pr_rows : stage_rows;
        const double *ys[1] = {y};
        mg_report_line_opts lo;
        memset(&lo, 0, sizeof lo);
        lo.xlabel = "hours after lights off";
        lo.ylabel = "stage";
        lo.step = 1;
        lo.y_names = rows;
        lo.n_y_names = s->model ? 2 : 5;
        st = mg_report_lines(ctx, rep, "Hypnogram, night 1", E, x, 1, NULL, ys, &lo);
    }
    free(x);
    free(y);
    if (st == MG_OK && !s->model) {
        const char *labels[4] = {"N1", "N2", "N3", "REM"};
        double vals[4] = {avg->n1_pct, avg->n2_pct, avg->n3_pct, avg->rem_pct};
        st = mg_report_bars(ctx, rep, "Stage shares (mean over nights)", "stage",
                            "percent of total sleep", 4, labels, vals);
    }
    /* REM periods of night 1 in order: published REM periods lengthen across the night */
    int np = m[0].n_rem_periods < 16 ? m[0].n_rem_periods : 16;
    if (st == MG_OK && !s->model && np > 0) {
        char names[16][16];
        const char *labels[16];
        for (int i = 0; i < np; i++) {
            snprintf(names[i], sizeof names[i], "REM %d", i + 1);
            labels[i] = names[i];
        }
        st = mg_report_bars(ctx, rep,
                            "REM periods of night 1, in order (they lengthen in published "
                            "nights; one still running at lights on is cut short)",
                            "REM period", "minutes", (size_t)np, labels, m[0].rem_period_min);
    }
    return cli_report_finish(ctx, out, &rep, &sleep_schema, bases, st);
}

/* The Phillips-Robinson model on the schedule with the daily caffeine, scored per night in
 * 30-s epochs as wake or sleep (stored as N2 so the metrics function counts sleep; the
 * outputs say "sleep"). Three settling days precede the first scored night. */
#define PR_SETTLE_DAYS 3
static mg_status run_pr(mg_context *ctx, const sleep_scen *s, mg_hypnogram *hy) {
    memset(hy, 0, sizeof *hy);
    size_t nights = (size_t)s->nights, days = PR_SETTLE_DAYS + nights + 1;
    size_t n_doses = s->n_caffeine * days;
    mg_caffeine_dose *doses = calloc(n_doses ? n_doses : 1, sizeof *doses);
    if (!doses)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    size_t k = 0;
    for (size_t d = 0; d < days; d++)
        for (size_t i = 0; i < s->n_caffeine; i++)
            doses[k++] = (mg_caffeine_dose){24.0 * (double)d + s->caffeine[i].time_h,
                                            s->caffeine[i].dose_mg};
    /* doses in time order */
    for (size_t i = 1; i < k; i++)
        for (size_t j = i; j > 0 && doses[j].time_h < doses[j - 1].time_h; j--) {
            mg_caffeine_dose t = doses[j];
            doses[j] = doses[j - 1];
            doses[j - 1] = t;
        }
    const double epoch_h = 30.0 / 3600.0;
    mg_sleep_result r;
    mg_status st =
        mg_sleep_pr_run(ctx, &s->pr, &s->sched, doses, k, 24.0 * (double)days, epoch_h, &r);
    free(doses);
    if (st != MG_OK)
        return st;
    size_t E = (size_t)lround(s->sched.time_in_bed_h * 120.0);
    hy->stage = calloc(nights * E, 1);
    hy->swa = calloc(nights * E, sizeof *hy->swa);
    hy->h = calloc(nights * E, sizeof *hy->h);
    if (!hy->stage || !hy->swa || !hy->h) {
        mg_sleep_result_free(&r);
        mg_hypnogram_free(hy);
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    }
    hy->n_nights = nights;
    hy->epochs_per_night = E;
    hy->epoch_s = 30.0;
    for (size_t n = 0; n < nights; n++) {
        size_t k0 =
            (size_t)lround((24.0 * (double)(PR_SETTLE_DAYS + n) + s->sched.bedtime_h) / epoch_h);
        for (size_t e = 0; e < E; e++) {
            size_t j = k0 + e < r.n_samples ? k0 + e : r.n_samples - 1;
            hy->stage[n * E + e] = r.awake[j] ? MG_STAGE_WAKE : MG_STAGE_N2;
            hy->h[n * E + e] = r.s[j];
        }
    }
    mg_sleep_result_free(&r);
    return MG_OK;
}

static int run_sleep(const cli_common_opts *o) {
    mg_context *ctx = mg_context_create();
    if (!ctx) {
        fputs("mgsim: out of memory\n", stderr);
        return mg_status_exit_code(MG_ERR_NOMEM);
    }
    sleep_scen s;
    sleep_defaults(&s);
    void *bases[1] = {&s};
    mg_yaml_doc *doc = NULL;
    mg_hypnogram hy;
    memset(&hy, 0, sizeof hy);
    mg_hypnogram_metrics *m = NULL, avg;
    double mean_cycles = 0;
    cli_outset out;
    memset(&out, 0, sizeof out);
    mg_status st = mg_scen_read(ctx, o->input, "the scenario", o->sets, o->n_sets, &doc);
    if (st == MG_OK)
        st = mg_scen_load(ctx, doc, &sleep_schema, bases, load_caffeine, &s);
    if (st == MG_OK && s.n_caffeine > 0 && s.model == 0)
        st = mg_error_raise(ctx, MG_ERR_CONFIG,
                            "%s: caffeine acts in the phillips-robinson model only; add "
                            "sleep.model: phillips-robinson (the stage model has no adenosine "
                            "input)",
                            o->input);
    if (st == MG_OK) {
        s.p.warmup_days = (int)s.warmup_days;
        s.p.seed = s.seed;
        st = mg_sleep_stage_params_validate(ctx, &s.p);
    }
    if (st == MG_OK && s.model == 0)
        st = mg_sleep_stages_run(ctx, &s.p, &s.sched, (size_t)s.nights, &hy);
    else if (st == MG_OK)
        st = run_pr(ctx, &s, &hy);
    if (st == MG_OK && !(m = calloc(hy.n_nights, sizeof *m)))
        st = mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    for (size_t n = 0; st == MG_OK && n < hy.n_nights; n++)
        st = mg_hypnogram_metrics_compute(ctx, hy.stage + n * hy.epochs_per_night,
                                          hy.epochs_per_night, hy.epoch_s, &m[n]);
    if (st == MG_OK)
        metrics_mean(m, hy.n_nights, &avg, &mean_cycles);
    if (st == MG_OK && o->outdir) {
        st = cli_outset_begin(ctx, &out, o->outdir);
        if (st == MG_OK)
            st = write_outputs(ctx, &out, o, &s, &hy, m, &avg, mean_cycles);
        if (st == MG_OK)
            st = cli_outset_commit(ctx, &out);
        cli_outset_end(&out);
    }
    int rc = 0;
    if (st != MG_OK) {
        rc = cli_fail(ctx, st);
    } else if (!o->quiet) {
        printf("mgsim sleep %s: %zu night(s), age %.0f y\n", o->input, hy.n_nights, s.p.age_years);
        printf("total sleep %.0f min, efficiency %.1f %%, onset latency %.1f min, WASO %.0f min\n",
               avg.total_sleep_min, avg.sleep_efficiency_pct, avg.sleep_onset_latency_min,
               avg.waso_min);
        if (!s.model)
            printf("N1 %.1f %%, N2 %.1f %%, N3 %.1f %%, REM %.1f %% of sleep; first REM after "
                   "%.0f min; %.1f cycles of %.0f min\n",
                   avg.n1_pct, avg.n2_pct, avg.n3_pct, avg.rem_pct, avg.first_rem_latency_min,
                   mean_cycles, avg.mean_cycle_min);
        if (!s.model && isfinite(avg.rem_lengthening_min))
            printf("later REM periods %+.1f min against the first (published: they lengthen)\n",
                   avg.rem_lengthening_min);
        else
            printf("model: Phillips-Robinson 2007 (wake and sleep only)%s\n",
                   s.n_caffeine ? ", with the daily caffeine" : "");
        printf("Model prediction, not medical advice.\n");
        if (o->outdir)
            printf("results in %s/ (report: %s/report.html)\n", o->outdir, o->outdir);
    }
    free(m);
    mg_hypnogram_free(&hy);
    mg_yaml_free(&doc);
    mg_context_destroy(&ctx);
    return rc;
}

int cli_sleep(int argc, char **argv) {
    cli_common_opts o;
    int rc =
        cli_common_parse(argc, argv, "sleep", cli_sleep_help, "the scenario SCENARIO.yaml", &o);
    if (rc < 0)
        rc = run_sleep(&o);
    cli_common_free(&o);
    return rc;
}
