/* `mgsim run SCENARIO.yaml`: the main job, a magnesium scenario from diet to synapse over
 * days, with its report (include/mgsim/couple.h has the clock). */
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "cli/common.h"
#include "cli/progress.h"
#include "cli/scen_lists.h"
#include "io/report.h"
#include "io/scen.h"
#include "mgsim/couple.h"
#include "mgsim/diet.h"
#include "mgsim/output.h"

#define RUN_NOTE                                                                                   \
    "Model prediction, not medical advice. A coupled simulation of diet, body magnesium, the "     \
    "HPA axis, sleep and synaptic plasticity; every coupling is a documented hypothesis "          \
    "(docs/architecture.md, docs/models/)."

#define MAX_PROBES 32

static const char *const sexes[] = {"female", "male", NULL};
static const char *const solvers[] = {"cvode", "fast", NULL};
static const char *const rules[] = {"gb2012", "shouval2002", NULL};

typedef struct {
    mg_couple_spec spec;
    double age_y;
    int sex;
    double weight_kg;
    double egfr_ml_min;
    double mg_per_day;
    char plan[MG_SCEN_TEXT_MAX];
    char soil[MG_SCEN_TEXT_MAX];
    char processing[MG_SCEN_TEXT_MAX];
    int from_population;
    uint64_t population_person;
    uint64_t days;
    uint64_t seed;
    uint64_t sleep_warmup;
    int solver, rule;
    double adherence;
    cli_dose_list doses;
    cli_absorption abs;
    cli_stressor_list stressors;
    mg_probe_spec probes[MAX_PROBES];
    size_t n_probes;
    mg_kin_event start[3]; /* one day's meals, for the fed steady state */
} run_scen;

#define O(f)  offsetof(run_scen, f)
#define SP(f) offsetof(run_scen, spec.f)
static const mg_scen_key run_keys[] = {
    {"person.age_y", MG_SCEN_NUMBER, 0, O(age_y), "y", 18, 100, 0, NULL,
     "age (the sleep model covers adults)", "user input"},
    {"person.sex", MG_SCEN_ENUM, 0, O(sex), "", 0, 0, 0, sexes, "sex (dietary reference intakes)",
     "user input"},
    {"person.weight_kg", MG_SCEN_NUMBER, 0, O(weight_kg), "kg", 20, 300, MG_SCEN_MIN_EXCL, NULL,
     "body weight (scales volumes and pools)", "user input"},
    {"person.egfr_ml_min", MG_SCEN_NUMBER, 0, O(egfr_ml_min), "mL/min", 0, 300, MG_SCEN_MIN_EXCL,
     NULL, "glomerular filtration rate (below 30: hypermagnesaemia risk)",
     "125 mL/min = 180 L/day (refs magnesium-physiology s2.2)"},
    {"diet.mg_per_day", MG_SCEN_NUMBER, 0, O(mg_per_day), "mg/day", 0, 5000, 0, NULL,
     "dietary Mg, three meals at 08:00, 13:00 and 19:00 (unless diet.plan is given)",
     "user input; 300 mg/day is near the US mean intake (refs magnesium-physiology s12)"},
    {"diet.plan", MG_SCEN_TEXT, 0, O(plan), "", 0, 0, 0, NULL,
     "a diet plan file (as for mgsim diet; relative to this scenario) whose daily intake, "
     "after its processing and soil scenario, replaces diet.mg_per_day; \"\": none",
     "user input"},
    {"diet.soil_scenario", MG_SCEN_TEXT, 0, O(soil), "", 0, 0, 0, NULL,
     "with diet.plan: a soil/crop scenario of data/soil_scenarios.csv (e.g. soil-1940), "
     "replacing the plan's own; \"\": the plan's",
     "data/soil_scenarios.csv (sources per row)"},
    {"diet.processing", MG_SCEN_TEXT, 0, O(processing), "", 0, 0, 0, NULL,
     "with diet.plan: a process of data/processing.csv (e.g. refined-flour), replacing the "
     "plan's own; \"\": the plan's",
     "data/processing.csv (sources per row)"},
    {"diet.from_population", MG_SCEN_BOOL, 0, O(from_population), "", 0, 0, 0, NULL,
     "draw the daily intake as virtual person diet.population_person of the population's "
     "usual-intake distribution for this age and sex (48 % below the EAR), instead of "
     "diet.mg_per_day",
     "NHANES 2013-2016 share below the EAR (docs/models/diet-and-intake.md)"},
    {"diet.population_person", MG_SCEN_UINT, 0, O(population_person), "", 0, 1e12, 0, NULL,
     "which virtual person to draw (with seed)", "user input"},
    {"duration_days", MG_SCEN_UINT, 0, O(days), "d", 1, 3650, 0, NULL, "days to simulate",
     "user input"},
    {"seed", MG_SCEN_UINT, 0, O(seed), "", 0, 1.8e19, 0, NULL,
     "seed of every random draw (missed doses, arousals, probe inputs)", "user input"},
    {"solver", MG_SCEN_ENUM, 0, O(solver), "", 0, 0, 0, solvers, "body-kinetics integrator",
     "numerical choice (docs/models/body-kinetics.md)"},
    {"lifestyle.caffeine_mg_per_kg", MG_SCEN_NUMBER, 0, SP(caffeine_mg_per_kg), "mg/kg", 0, 50, 0,
     NULL, "daily caffeine per kg lean mass, in effect 6 h", "user input"},
    {"lifestyle.caffeine_time", MG_SCEN_CLOCK, 0, SP(caffeine_clock_h), "", 0, 0, 0, NULL,
     "clock time of the daily caffeine", "user input"},
    {"lifestyle.alcohol_g_per_kg", MG_SCEN_NUMBER, 0, SP(alcohol_g_per_kg), "g/kg", 0, 5, 0, NULL,
     "daily ethanol per kg at 20:00, in effect 6 h", "user input"},
    {"sleep.on", MG_SCEN_BOOL, 0, SP(sleep_on), "", 0, 0, 0, NULL,
     "simulate every night's sleep stages", "user input"},
    {"sleep.bedtime", MG_SCEN_CLOCK, 0, SP(sched.bedtime_h), "", 0, 0, 0, NULL, "lights off",
     "user input"},
    {"sleep.time_in_bed_h", MG_SCEN_NUMBER, 0, SP(sched.time_in_bed_h), "h", 0, 24,
     MG_SCEN_MIN_EXCL | MG_SCEN_MAX_EXCL, NULL, "lights off to lights on", "user input"},
    {"sleep.warmup_days", MG_SCEN_UINT, 0, O(sleep_warmup), "d", 1, 60, 0, NULL,
     "days the sleep model settles before each night (quasi-static coupling)",
     "numerical choice (docs/architecture.md)"},
    {"coupling.cortisol_urinary_mg.on", MG_SCEN_BOOL, 0, SP(renal.enabled), "", 0, 0, 0, NULL,
     "cortisol multiplies renal Mg excretion hour by hour",
     "hypothesis: Grases et al. 2006; Pickering et al. 2020 (refs magnesium-physiology s10.1)"},
    {"coupling.cortisol_urinary_mg.slope", MG_SCEN_NUMBER, 0, SP(renal.slope), "", 0, 1,
     MG_SCEN_MAX_EXCL, NULL, "fractional change of excretion per fractional change of cortisol",
     "assumption: the size is not published"},
    {"coupling.cortisol_urinary_mg.ref_nmol_l", MG_SCEN_NUMBER, 0, SP(renal.cortisol_ref_nmol_l),
     "nmol/L", 0, INFINITY, MG_SCEN_MIN_EXCL, NULL, "cortisol at which the factor is 1",
     "the HPA model's 24-h mean on an unstressed day"},
    {"coupling.mg_deficiency_hpa.gain", MG_SCEN_NUMBER, 0, SP(hpa.mg_gain), "", 0, 10, 0, NULL,
     "gain on the CRH drive at full Mg deficiency, from the previous day's serum Mg (0: off)",
     "assumption: Sartori et al. 2012 (mice) give the direction, no human size"},
    {"coupling.mg_deficiency_hpa.ref_mM", MG_SCEN_NUMBER, 0, SP(hpa.mg_ref_mM), "mmol/L", 0, 10,
     MG_SCEN_MIN_EXCL, NULL, "serum Mg with no effect", "assumption (docs/models/hpa-axis.md)"},
    {"coupling.mg_deficiency_hpa.severe_mM", MG_SCEN_NUMBER, 0, SP(hpa.mg_severe_mM), "mmol/L", 0,
     10, 0, NULL, "serum Mg of the full effect", "assumption (docs/models/hpa-axis.md)"},
    {"coupling.mg_sleep.gain_per_mM", MG_SCEN_NUMBER, 0, SP(sleep.mg_gain_per_mM), "1/mM", 0,
     INFINITY, 0, NULL, "brain Mg shifts the sleep model's VLPO threshold (0: off)",
     "hypothesis; capped by Abbasi et al. 2012 (docs/models/sleep-stages.md)"},
    {"coupling.mg_sleep.ref_mM", MG_SCEN_NUMBER, 0, SP(sleep.mg_ref_mM), "mM", 0, 5,
     MG_SCEN_MIN_EXCL, NULL, "brain Mg with no effect", "assumption (docs/models/sleep-stages.md)"},
    {"coupling.mg_sleep.swa_gain_per_mM", MG_SCEN_NUMBER, 0, SP(sleep.mg_swa_gain_per_mM), "1/mM",
     0, 100, 0, NULL,
     "fractional change of slow-wave depth per mM of brain Mg above the reference (0: off)",
     "hypothesis after Held et al. 2002 (docs/models/sleep-stages.md)"},
    {"coupling.mg_sleep.swa_max", MG_SCEN_NUMBER, 0, SP(sleep.mg_swa_max), "", 0, 0.5, 0, NULL,
     "cap on that change", "docs/models/sleep-stages.md"},
    {"coupling.mg_sleep.max_shift", MG_SCEN_NUMBER, 0, SP(sleep.mg_max_shift), "", 0, 0.02, 0, NULL,
     "cap on the threshold shift", "docs/models/sleep-stages.md"},
    {"homeostasis.on", MG_SCEN_BOOL, 0, SP(homeostasis), "", 0, 0, 0, NULL,
     "NMDA-receptor expression follows brain Mg over days", "Slutsky et al. 2010 (direction)"},
    {"homeostasis.tau_h_hours", MG_SCEN_NUMBER, 0, SP(homeo.tau_h_hours), "h", 0, 1e5,
     MG_SCEN_MIN_EXCL, NULL, "time constant of the expression",
     "assumption: days (docs/models/homeostasis.md)"},
    {"homeostasis.mg_ref_mM", MG_SCEN_NUMBER, 0, SP(homeo.mg_ref_mM), "mM", 0, 5,
     MG_SCEN_MIN_EXCL | MG_SCEN_OPTIONAL, NULL,
     "brain Mg of the calcium-flux set point; null: the brain Mg at the start of the run",
     "assumption: the person is adapted to their own baseline (docs/architecture.md)"},
    {"homeostasis.probe_ms", MG_SCEN_NUMBER, 0, SP(homeo_probe_ms), "ms", 0, 1e6, MG_SCEN_MIN_EXCL,
     NULL, "length of the daily flux probe", "numerical choice"},
    {"brain.csf_free_fraction", MG_SCEN_NUMBER, 0, SP(csf_free_fraction), "", 0, 1,
     MG_SCEN_MIN_EXCL, NULL, "brain extracellular free Mg / CSF total Mg",
     "0.80 / 1.25 mM, McKee et al. 2005 (refs magnesium-physiology s5)"},
    {"plasticity.rule", MG_SCEN_ENUM, 0, O(rule), "", 0, 0, 0, rules,
     "rule of the tetanus, lfs and theta-burst probes", "docs/models/protocols.md"},
    {"snr.duration_ms", MG_SCEN_NUMBER, 0, SP(snr.duration_ms), "ms", 0, 1e7, MG_SCEN_MIN_EXCL,
     NULL, "length of each snr probe", "docs/models/protocols.md"},
    CLI_ABSORPTION_KEYS(1),
    /* last, so that the resolved scenario can append regimen.doses under it */
    {"regimen.adherence", MG_SCEN_NUMBER, 0, O(adherence), "", 0, 1, 0, NULL,
     "probability that each scheduled dose is taken", "user input"},
};
#undef O
#undef SP

static const char *const run_custom[] = {"regimen.doses", "stressors", "probes", NULL};
static const mg_scen_schema run_schema = {run_keys, sizeof run_keys / sizeof run_keys[0],
                                          run_custom};

static void run_defaults(run_scen *s) {
    memset(s, 0, sizeof *s);
    mg_couple_defaults(&s->spec);
    cli_absorption_defaults(&s->abs);
    s->age_y = 40;
    s->sex = 0;
    s->weight_kg = 70;
    s->egfr_ml_min = s->spec.kin.gfr_ml_min;
    s->mg_per_day = 300;
    s->days = 28;
    s->seed = 1;
    s->sleep_warmup = (uint64_t)s->spec.sleep.warmup_days;
    s->solver = 0;
    s->rule = 1;
    s->adherence = 1;
    s->spec.snr.duration_ms = 5000;
}

static const char *const probe_names[] = {"tetanus", "lfs", "theta-burst", "snr", NULL};

/* probes: a list of {protocol, at: "HH:MM", every_days, first_day}. */
static mg_status load_probes(mg_context *ctx, const mg_yaml_doc *doc, const char *key,
                             const mg_yaml_node *node, run_scen *s) {
    char loc[320], what[96];
    if (node->kind == MG_YAML_NULL)
        return MG_OK;
    if (node->kind != MG_YAML_SEQ || node->n > MAX_PROBES)
        return mg_error_raise(ctx, MG_ERR_CONFIG,
                              "%s: %s: expected a list of at most %d probes {protocol, at, "
                              "every_days, first_day}",
                              mg_yaml_loc(doc, node, 0, loc, sizeof loc), key, MAX_PROBES);
    for (size_t i = 0; i < node->n; i++) {
        const mg_yaml_node *e = node->items[i];
        mg_probe_spec *p = &s->probes[s->n_probes];
        if (e->kind != MG_YAML_MAP)
            return mg_error_raise(ctx, MG_ERR_CONFIG, "%s: %s[%zu]: expected a map",
                                  mg_yaml_loc(doc, e, 0, loc, sizeof loc), key, i);
        for (size_t j = 0; j < e->n; j++) {
            const char *k = e->pairs[j].key;
            if (strcmp(k, "protocol") && strcmp(k, "at") && strcmp(k, "every_days") &&
                strcmp(k, "first_day"))
                return mg_error_raise(ctx, MG_ERR_CONFIG,
                                      "%s: %s[%zu]: unknown key '%s'; keys: protocol, at, "
                                      "every_days, first_day",
                                      mg_yaml_loc(doc, e->pairs[j].value, 1, loc, sizeof loc), key,
                                      i, k);
        }
        const mg_yaml_node *pr = mg_yaml_map_get(e, "protocol"), *at = mg_yaml_map_get(e, "at");
        if (!pr || !at)
            return mg_error_raise(ctx, MG_ERR_CONFIG,
                                  "%s: %s[%zu]: needs protocol (tetanus, lfs, theta-burst, snr) "
                                  "and at (\"HH:MM\")",
                                  mg_yaml_loc(doc, e, 0, loc, sizeof loc), key, i);
        int kind = -1;
        for (int k = 0; probe_names[k]; k++)
            if (pr->kind == MG_YAML_SCALAR && strcmp(pr->str, probe_names[k]) == 0)
                kind = k;
        if (kind < 0)
            return mg_error_raise(ctx, MG_ERR_CONFIG,
                                  "%s: %s[%zu].protocol: unknown protocol; valid: tetanus, lfs, "
                                  "theta-burst, snr",
                                  mg_yaml_loc(doc, pr, 0, loc, sizeof loc), key, i);
        p->kind = (mg_probe_kind)kind;
        snprintf(what, sizeof what, "%s[%zu].at", key, i);
        mg_status st = mg_scen_clock(ctx, doc, at, what, &p->clock_h);
        double v = 1;
        const mg_yaml_node *ev = mg_yaml_map_get(e, "every_days");
        snprintf(what, sizeof what, "%s[%zu].every_days", key, i);
        if (st == MG_OK && ev)
            st = mg_scen_number(ctx, doc, ev, what, "d", 1, 3650, &v);
        if (st == MG_OK && floor(v) != v)
            st = mg_error_raise(ctx, MG_ERR_DATA, "%s: %s must be a whole number, got %g",
                                mg_yaml_loc(doc, ev, 0, loc, sizeof loc), what, v);
        p->every_days = (uint32_t)v;
        v = 0;
        const mg_yaml_node *fd = mg_yaml_map_get(e, "first_day");
        snprintf(what, sizeof what, "%s[%zu].first_day", key, i);
        if (st == MG_OK && fd)
            st = mg_scen_number(ctx, doc, fd, what, "d", 0, 3649, &v);
        if (st == MG_OK && floor(v) != v)
            st = mg_error_raise(ctx, MG_ERR_DATA, "%s: %s must be a whole number, got %g",
                                mg_yaml_loc(doc, fd, 0, loc, sizeof loc), what, v);
        if (st != MG_OK)
            return st;
        p->first_day = (uint32_t)v;
        s->n_probes++;
    }
    return MG_OK;
}

static mg_status load_custom(mg_context *ctx, const mg_yaml_doc *doc, const char *key,
                             const mg_yaml_node *node, void *data) {
    run_scen *s = data;
    if (strcmp(key, "regimen.doses") == 0)
        return cli_load_doses(ctx, doc, key, node, &s->doses);
    if (strcmp(key, "stressors") == 0)
        return cli_load_stressors(ctx, doc, key, node, &s->stressors);
    return load_probes(ctx, doc, key, node, s);
}

void cli_run_help(FILE *out) {
    fputs(
        "Usage: mgsim run SCENARIO.yaml [-o DIR] [--set KEY=VALUE]... [--quiet]\n"
        "       mgsim run SCENARIO.yaml --resume DIR [--set KEY=VALUE]...\n"
        "\n"
        "The main job: a magnesium scenario from diet to synapse. A person eats a diet and\n"
        "takes a supplement regimen; day by day the body model moves magnesium through gut,\n"
        "plasma, tissues, bone, kidney and CSF, the HPA axis runs its cortisol rhythm (and,\n"
        "coupled, raises urinary Mg loss), brain extracellular Mg sets the NMDA block, NMDA\n"
        "expression adapts to it over days, every night is simulated in sleep stages, and\n"
        "plasticity probes (LTP induction, signal-to-noise) run at their scheduled times with\n"
        "the brain Mg of that moment. Writes report.html with every plot. Model prediction,\n"
        "not medical advice. docs/architecture.md (the multi-scale clock)\n"
        "\n"
        "Options:\n"
        "  -o, --output DIR  write the files below into DIR (created; all or nothing;\n"
        "                    default results/run)\n"
        "  --set KEY=VALUE   set one key (repeatable), after the file is read\n"
        "  --check           load and check the scenario (every key, list, probe and model\n"
        "                    parameter), print what it holds, and stop without running\n"
        "  --resume DIR      go on from the last day completed in DIR (after Ctrl-C or a crash):\n"
        "                    same scenario and --set values; the result equals an\n"
        "                    uninterrupted run\n"
        "  -q, --quiet       no progress and no summary\n"
        "  -h, --help        show this help\n"
        "\n"
        "Keys (KEY = default  (type, unit; range)  meaning [source]):\n",
        out);
    run_scen *s = malloc(sizeof *s);
    if (s) {
        run_defaults(s);
        void *bases[2] = {s, &s->abs};
        mg_scen_print_keys(out, &run_schema, bases);
        free(s);
    }
    fputs("\n"
          "  regimen.doses: a list of {time: \"HH:MM\", mg: ELEMENTAL mg, form: NAME,\n"
          "      with_food: true|false} taken every day (forms: data/salt_forms.csv); Magtein\n"
          "      (Mg L-threonate) is 7.2-8.3 % elemental: 2 g is about 144-166 mg.\n"
          "  stressors: a list of {kind: acute|chronic, day: D, start: \"HH:MM\", duration_h: H,\n"
          "      level: L} (see mgsim stress --help).\n"
          "  probes: a list of {protocol: tetanus|lfs|theta-burst|snr, at: \"HH:MM\",\n"
          "      every_days: N (1), first_day: D (0)}; each runs with the brain Mg at that\n"
          "      hour and the current NMDA expression.\n"
          "\n"
          "Example: examples/run/default.yaml (the README's command), and the scenarios named\n"
          "after the questions they answer in examples/run/.\n"
          "\n"
          "Files written to DIR: timeseries.csv (hourly: serum, CSF, brain Mg, cortisol, the\n"
          "urinary factor), days.csv (per day: intake, urine, means, cortisol, NMDA expression,\n"
          "the night's sleep metrics), probes.csv, hypnogram.csv (every night, 30-s epochs),\n"
          "summary.json (status complete or partial, the main results, mass balance, warnings,\n"
          "every parameter with its source), scenario.resolved.yaml, report.html.\n"
          "Ctrl-C stops after the current day and writes everything up to it, marked partial;\n"
          "DIR/checkpoint.bin (rewritten after every day, removed when the run completes) lets\n"
          "--resume DIR go on from there.\n"
          "\n"
          "Exit status: 0 done; 130 interrupted (Ctrl-C or SIGTERM; the files hold the days\n"
          "completed, marked partial); 64 bad command line; 65 a value out of range or a probe\n"
          "outside the run; 66 the scenario or a data table cannot be read;\n"
          "73/74 DIR or a file cannot be written; 78 unknown key, form or protocol.\n",
          out);
}

/* ---- progress ---- */

typedef struct {
    int quiet, tty;
    double wall0;
    uint32_t last_decile;
    size_t probes_total;
    const char *dir; /* where the checkpoint goes after each day */
    uint64_t hash;   /* of the resolved scenario */
} run_progress;

/* DIR/checkpoint.bin after each completed day (written under a temporary name, then
 * renamed), so that --resume DIR can go on from there even after a crash. */
static void write_checkpoint(const run_progress *p, const mg_couple_result *r) {
    char tmp[4096], fin[4096];
    snprintf(tmp, sizeof tmp, "%s/.checkpoint.bin.part", p->dir);
    snprintf(fin, sizeof fin, "%s/checkpoint.bin", p->dir);
    mg_context *ctx = mg_context_create();
    FILE *f = ctx ? fopen(tmp, "wb") : NULL;
    mg_status st = f ? mg_couple_checkpoint_write(ctx, r, p->hash, f) : MG_ERR_IO;
    if (f && fclose(f) != 0)
        st = MG_ERR_IO;
    if (st != MG_OK || rename(tmp, fin) != 0) {
        unlink(tmp);
        fprintf(stderr,
                "mgsim: warning: cannot write %s (the run goes on; --resume will not "
                "find this day)\n",
                fin);
    }
    mg_context_destroy(&ctx);
}

static int on_day(void *user, uint32_t day, uint32_t days, const mg_couple_result *r) {
    run_progress *p = user;
    if (p->dir)
        write_checkpoint(p, r);
    if (!p->quiet) {
        double el = mg_wall_seconds() - p->wall0;
        double eta = el / (day + 1) * (days - day - 1);
        uint32_t dec = (uint32_t)(10 * (day + 1) / days);
        if (p->tty) {
            fprintf(stderr, "\rmgsim run: day %u of %u, %zu of %zu probes, ETA %.0f s\033[K",
                    day + 1, days, r->n_probes, p->probes_total, eta);
            if (day + 1 == days)
                fputc('\n', stderr);
        } else if (dec > p->last_decile || day == 0 || day + 1 == days) {
            fprintf(stderr, "mgsim run: day %u of %u, %zu of %zu probes, ETA %.0f s\n", day + 1,
                    days, r->n_probes, p->probes_total, eta);
            p->last_decile = dec;
        }
    }
    return cli_signal_caught() != 0;
}

/* ---- outputs ---- */

static double jahr_stevens(double v_mV, double mg_mM) {
    return 1.0 / (1.0 + mg_mM / 3.57 * exp(-0.062 * v_mV));
}

static mg_status write_tables(mg_context *ctx, cli_outset *out, const run_scen *s,
                              const mg_couple_result *r) {
    FILE *f = cli_outset_open(ctx, out, "timeseries.csv");
    if (!f)
        return mg_error_status(ctx);
    fputs("t_h,day,clock,serum_total_mM,serum_ionized_mM,csf_mM,brain_mg_mM,cortisol_nmol_l,"
          "urinary_factor\n",
          f);
    for (size_t i = 0; i < r->n_samples; i++) {
        const mg_couple_sample *x = &r->samples[i];
        char c[8];
        fprintf(f, "%.6g,%d,%s,%.8g,%.8g,%.8g,%.8g,%.6g,%.6g\n", x->t_h, (int)floor(x->t_h / 24.0),
                mg_scen_format_clock(x->t_h, c, sizeof c), x->serum_total_mM, x->serum_ionized_mM,
                x->csf_mM, x->brain_mg_mM, x->cortisol_nmol_l, x->excretion_factor);
    }
    mg_status st = cli_outset_close(ctx, f, "timeseries.csv");
    if (st != MG_OK || !(f = cli_outset_open(ctx, out, "days.csv")))
        return st != MG_OK ? st : mg_error_status(ctx);
    fputs("day,intake_mg,absorbed_mg,urine_mg,faecal_mg,serum_total_mM,csf_mM,brain_mg_mM,"
          "cortisol_peak_nmol_l,cortisol_mean_nmol_l,nmda_scale,total_sleep_min,"
          "sleep_efficiency_pct,n3_pct,rem_pct,waso_min\n",
          f);
    for (size_t d = 0; d < r->n_days; d++) {
        const mg_couple_day *y = &r->days[d];
        fprintf(f, "%u,%.6g,%.6g,%.6g,%.6g,%.8g,%.8g,%.8g,%.6g,%.6g,%.8g", y->day, y->intake_mg,
                y->absorbed_mg, y->urine_mg, y->faecal_mg, y->serum_total_mM, y->csf_mM,
                y->brain_mg_mM, y->cortisol_peak_nmol_l, y->cortisol_mean_nmol_l, y->nmda_scale);
        if (y->has_sleep)
            fprintf(f, ",%.4g,%.4g,%.4g,%.4g,%.4g\n", y->sleep.total_sleep_min,
                    y->sleep.sleep_efficiency_pct, y->sleep.n3_pct, y->sleep.rem_pct,
                    y->sleep.waso_min);
        else
            fputs(",,,,,\n", f);
    }
    if ((st = cli_outset_close(ctx, f, "days.csv")) != MG_OK ||
        !(f = cli_outset_open(ctx, out, "probes.csv")))
        return st != MG_OK ? st : mg_error_status(ctx);
    fputs("day,clock,protocol,brain_mg_mM,nmda_scale,weight_change_percent,snr,flux_signal,"
          "flux_noise,ca_peak,atp_total\n",
          f);
    for (size_t i = 0; i < r->n_probes; i++) {
        const mg_couple_probe *p = &r->probes[i];
        char c[8];
        fprintf(f, "%u,%s,%s,%.8g,%.8g,%.8g,%.8g,%.8g,%.8g,%.8g,%.6g\n", p->day,
                mg_scen_format_clock(p->clock_h, c, sizeof c), mg_probe_name(p->kind),
                p->brain_mg_mM, p->nmda_scale, p->weight_change_percent, p->snr, p->flux_signal,
                p->flux_noise, p->ca_peak, p->atp_total);
    }
    if ((st = cli_outset_close(ctx, f, "probes.csv")) != MG_OK)
        return st;
    if (s->spec.sleep_on) {
        if (!(f = cli_outset_open(ctx, out, "hypnogram.csv")))
            return mg_error_status(ctx);
        fputs("night,epoch,clock,stage\n", f);
        for (size_t d = 0; d < r->n_days; d++)
            for (size_t e = 0; e < r->epochs_per_night; e++) {
                char c[8];
                fprintf(
                    f, "%zu,%zu,%s,%s\n", d, e,
                    mg_scen_format_clock(s->spec.sched.bedtime_h + (double)e / 120.0, c, sizeof c),
                    mg_sleep_stage_name(r->hypnogram[d * r->epochs_per_night + e]));
            }
        if ((st = cli_outset_close(ctx, f, "hypnogram.csv")) != MG_OK)
            return st;
    }
    return MG_OK;
}

/* The resolved scenario (every key and list as used) as YAML on f. */
static void print_resolved(FILE *f, run_scen *s) {
    void *bases[2] = {s, &s->abs};
    mg_scen_write_yaml(f, &run_schema, bases);
    fputs("  doses:\n", f); /* regimen.adherence, the table's last key, opened regimen */
    if (s->doses.n_doses == 0)
        fputs("    []\n", f);
    for (size_t i = 0; i < s->doses.n_doses; i++) {
        char c[8];
        const cli_dose *d = &s->doses.doses[i];
        fprintf(f, "    - {time: \"%s\", mg: %.17g, form: %s, with_food: %s}\n",
                mg_scen_format_clock(d->clock_h, c, sizeof c), d->mg, d->form,
                d->with_food ? "true" : "false");
    }
    fputs("stressors:\n", f);
    if (s->stressors.n_stressors == 0)
        fputs("  []\n", f);
    for (size_t i = 0; i < s->stressors.n_stressors; i++) {
        const mg_hpa_stressor *x = &s->stressors.stressors[i];
        char c[8];
        double day = floor(x->start_h / 24.0);
        fprintf(f, "  - {kind: %s, day: %.0f, start: \"%s\", duration_h: %.17g, level: %.17g}\n",
                cli_stressor_kind_name(x->kind), day,
                mg_scen_format_clock(x->start_h - 24.0 * day, c, sizeof c), x->duration_h,
                x->level);
    }
    fputs("probes:\n", f);
    if (s->n_probes == 0)
        fputs("  []\n", f);
    for (size_t i = 0; i < s->n_probes; i++) {
        char c[8];
        fprintf(f, "  - {protocol: %s, at: \"%s\", every_days: %u, first_day: %u}\n",
                mg_probe_name(s->probes[i].kind),
                mg_scen_format_clock(s->probes[i].clock_h, c, sizeof c), s->probes[i].every_days,
                s->probes[i].first_day);
    }
}

static mg_status write_resolved(mg_context *ctx, cli_outset *out, const cli_common_opts *o,
                                run_scen *s) {
    FILE *f = cli_outset_open(ctx, out, "scenario.resolved.yaml");
    if (!f)
        return mg_error_status(ctx);
    fprintf(f, "# mgsim %s: every key of %s after --set, as used\n", mg_version_string(), o->input);
    print_resolved(f, s);
    return cli_outset_close(ctx, f, "scenario.resolved.yaml");
}

/* FNV-1a 64 of the resolved scenario: what a checkpoint must match to be resumed. */
static uint64_t scenario_hash(run_scen *s) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return 0;
    print_resolved(f, s);
    fclose(f);
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)buf[i];
        h *= 1099511628211ull;
    }
    free(buf);
    return h;
}

/* Mean of the first and last n probes of a kind (NaN when none). */
static void probe_ends(const mg_couple_result *r, mg_probe_kind k, int snr, double *first,
                       double *last) {
    *first = *last = NAN;
    for (size_t i = 0; i < r->n_probes; i++)
        if (r->probes[i].kind == k) {
            double v = snr ? r->probes[i].snr : r->probes[i].weight_change_percent;
            if (isnan(*first))
                *first = v;
            *last = v;
        }
}

static json_t *num_or_null(double v) {
    return isfinite(v) ? json_real(v) : json_null();
}

static mg_status write_summary(mg_context *ctx, cli_outset *out, const cli_common_opts *o,
                               run_scen *s, const mg_couple_result *r, json_t *warnings,
                               const mg_diet_assessment *a, double supp_mg, size_t taken,
                               size_t missed) {
    void *bases[2] = {s, &s->abs};
    const mg_couple_day *d0 = &r->days[0], *dl = &r->days[r->n_days - 1];
    json_t *root = json_object();
    if (!root)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    json_object_set_new(root, "version", json_string(mg_version_string()));
    json_object_set_new(root, "command", json_string("run"));
    json_object_set_new(root, "scenario", json_string(o->input));
    json_object_set_new(root, "status", json_string(r->interrupted ? "partial" : "complete"));
    json_object_set_new(root, "days_requested", json_integer((json_int_t)s->days));
    json_object_set_new(root, "days_completed", json_integer((json_int_t)r->n_days));
    json_object_set_new(root, "intake_mg_per_day", json_real(s->mg_per_day));
    json_object_set_new(root, "supplement_mg_per_day", json_real(supp_mg));
    json_object_set_new(root, "doses_taken", json_integer((json_int_t)taken));
    json_object_set_new(root, "doses_missed", json_integer((json_int_t)missed));
    json_object_set_new(root, "rda_mg", num_or_null(a->rda_mg));
    json_object_set_new(root, "ear_mg", num_or_null(a->ear_mg));
    json_object_set_new(root, "percent_rda", num_or_null(a->percent_rda));
    json_object_set_new(root, "serum_total_mM_first_day", json_real(d0->serum_total_mM));
    json_object_set_new(root, "serum_total_mM", json_real(dl->serum_total_mM));
    json_object_set_new(root, "csf_mM_first_day", json_real(d0->csf_mM));
    json_object_set_new(root, "csf_mM", json_real(dl->csf_mM));
    json_object_set_new(root, "csf_change_percent", json_real(100 * (dl->csf_mM / d0->csf_mM - 1)));
    json_object_set_new(root, "brain_mg_mM", json_real(dl->brain_mg_mM));
    json_object_set_new(root, "nmda_block_at_minus65mV",
                        json_real(jahr_stevens(-65, dl->brain_mg_mM)));
    json_object_set_new(root, "nmda_scale", json_real(dl->nmda_scale));
    json_object_set_new(root, "urine_mg_per_day", json_real(dl->urine_mg));
    json_object_set_new(root, "cortisol_peak_nmol_l", json_real(dl->cortisol_peak_nmol_l));
    json_object_set_new(root, "cortisol_mean_nmol_l", json_real(dl->cortisol_mean_nmol_l));
    double first, last;
    probe_ends(r, MG_PROBE_TETANUS, 0, &first, &last);
    json_object_set_new(root, "ltp_percent_first", num_or_null(first));
    json_object_set_new(root, "ltp_percent_last", num_or_null(last));
    probe_ends(r, MG_PROBE_SNR, 1, &first, &last);
    json_object_set_new(root, "snr_first", num_or_null(first));
    json_object_set_new(root, "snr_last", num_or_null(last));
    if (s->spec.sleep_on) {
        double tst = 0, eff = 0, n3 = 0, rem = 0;
        for (size_t d = 0; d < r->n_days; d++) {
            tst += r->days[d].sleep.total_sleep_min / (double)r->n_days;
            eff += r->days[d].sleep.sleep_efficiency_pct / (double)r->n_days;
            n3 += r->days[d].sleep.n3_pct / (double)r->n_days;
            rem += r->days[d].sleep.rem_pct / (double)r->n_days;
        }
        json_object_set_new(root, "sleep",
                            json_pack("{s:f, s:f, s:f, s:f}", "total_sleep_min", tst,
                                      "sleep_efficiency", eff, "n3_pct", n3, "rem_pct", rem));
    }
    json_object_set_new(root, "mass_balance",
                        json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f}", "intake_mg", r->intake_mg,
                                  "faecal_mg", r->faecal_mg, "urine_mg", r->urine_mg, "sweat_mg",
                                  r->sweat_mg, "stores_start_mg", r->stores_start_mg,
                                  "stores_end_mg", r->stores_end_mg, "error_mg",
                                  r->balance_error_mg));
    json_object_set_new(root, "warnings", json_copy(warnings));
    json_object_set_new(root, "parameters", mg_scen_params_json(&run_schema, bases));
    json_object_set_new(root, "note", json_string(RUN_NOTE));
    mg_status st = cli_outset_json(ctx, out, "summary.json", root);
    json_decref(root);
    return st;
}

static mg_status write_report(mg_context *ctx, cli_outset *out, run_scen *s,
                              const mg_couple_result *r, json_t *warnings,
                              const mg_diet_assessment *a, double supp_mg, const double *supp_day) {
    void *bases[2] = {s, &s->abs};
    mg_report *rep = mg_report_create("mgsim run: magnesium from diet to synapse");
    if (!rep)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    const mg_couple_day *d0 = &r->days[0], *dl = &r->days[r->n_days - 1];
    char text[1024];
    snprintf(text, sizeof text,
             "%s%.0f y %s, %.0f kg, %zu of %llu days. Diet %.0f mg/day (%.0f %% of the RDA), "
             "supplements %.0f mg/day elemental. Over the run: serum total Mg %.3f -> %.3f mM, "
             "CSF %.3f -> %.3f mM (%+.1f %%), brain free Mg %.3f -> %.3f mM, NMDA expression "
             "x%.3f. Urine %.0f mg/day on the last day; mass balance error %.1g mg.",
             r->interrupted ? "PARTIAL RESULT (stopped early). " : "", s->age_y, sexes[s->sex],
             s->weight_kg, r->n_days, (unsigned long long)s->days, s->mg_per_day, a->percent_rda,
             supp_mg, d0->serum_total_mM, dl->serum_total_mM, d0->csf_mM, dl->csf_mM,
             100 * (dl->csf_mM / d0->csf_mM - 1), d0->brain_mg_mM, dl->brain_mg_mM, dl->nmda_scale,
             dl->urine_mg, r->balance_error_mg);
    mg_status st = mg_report_text(ctx, rep, text);
    for (size_t i = 0; st == MG_OK && i < json_array_size(warnings); i++)
        st = mg_report_text(ctx, rep, json_string_value(json_array_get(warnings, i)));
    /* intake against the reference intakes */
    if (st == MG_OK)
        st = mg_report_heading(ctx, rep, "Intake");
    if (st == MG_OK) {
        const char *labels[4] = {"diet", "diet + supplements", "EAR", "RDA"};
        double vals[4] = {s->mg_per_day, s->mg_per_day + supp_mg, a->ear_mg, a->rda_mg};
        st = mg_report_bars(ctx, rep, "Daily magnesium against the EAR and RDA", "", "mg/day", 4,
                            labels, vals);
    }
    size_t D = r->n_days;
    double *x = calloc(D + 1, sizeof *x), *y1 = calloc(D + 1, sizeof *y1);
    double *y2 = calloc(D + 1, sizeof *y2);
    double *th = calloc(r->n_samples, sizeof *th), *h1 = calloc(r->n_samples, sizeof *h1);
    double *h2 = calloc(r->n_samples, sizeof *h2), *h3 = calloc(r->n_samples, sizeof *h3);
    if (!x || !y1 || !y2 || !th || !h1 || !h2 || !h3)
        st = mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    if (st == MG_OK) {
        /* the dose timeline: supplement mg taken per day */
        for (size_t d = 0; d < D; d++) {
            x[d] = (double)d;
            y1[d] = supp_day[d];
        }
        const double *ys[1] = {y1};
        mg_report_line_opts lo;
        memset(&lo, 0, sizeof lo);
        lo.xlabel = "day";
        lo.ylabel = "supplement taken (mg elemental)";
        lo.step = 1;
        st = mg_report_lines(ctx, rep, "Doses taken per day", D, x, 1, NULL, ys, &lo);
    }
    if (st == MG_OK)
        st = mg_report_heading(ctx, rep, "Magnesium in serum, CSF and brain");
    if (st == MG_OK) {
        for (size_t i = 0; i < r->n_samples; i++) {
            th[i] = r->samples[i].t_h / 24.0;
            h1[i] = r->samples[i].serum_total_mM;
            h2[i] = r->samples[i].csf_mM;
            h3[i] = r->samples[i].brain_mg_mM;
        }
        const double *ys[3] = {h1, h2, h3};
        const char *names[3] = {"serum total", "CSF total", "brain free"};
        const double refs[2] = {0.75, 0.95};
        const char *rn[2] = {"serum reference low", "serum reference high"};
        mg_report_line_opts lo;
        memset(&lo, 0, sizeof lo);
        lo.xlabel = "day";
        lo.ylabel = "Mg (mmol/L)";
        lo.n_refs = 2;
        lo.ref_y = refs;
        lo.ref_names = rn;
        st = mg_report_lines(ctx, rep, "Serum, CSF and brain magnesium", r->n_samples, th, 3, names,
                             ys, &lo);
    }
    if (st == MG_OK) {
        /* the NMDA block at the first and the last day's brain Mg */
        double v[71], b0[71], b1[71];
        for (int i = 0; i < 71; i++) {
            v[i] = -100.0 + 2.0 * i;
            b0[i] = jahr_stevens(v[i], d0->brain_mg_mM);
            b1[i] = jahr_stevens(v[i], dl->brain_mg_mM);
        }
        char n0[64], n1[64];
        snprintf(n0, sizeof n0, "day 0, %.3f mM", d0->brain_mg_mM);
        snprintf(n1, sizeof n1, "day %zu, %.3f mM", D - 1, dl->brain_mg_mM);
        const double *ys[2] = {b0, b1};
        const char *names[2] = {n0, n1};
        mg_report_line_opts lo;
        memset(&lo, 0, sizeof lo);
        lo.xlabel = "membrane potential (mV)";
        lo.ylabel = "unblocked NMDA fraction";
        st = mg_report_lines(ctx, rep,
                             "NMDA-receptor Mg block (Jahr & Stevens 1990) at the brain Mg", 71, v,
                             2, names, ys, &lo);
    }
    if (st == MG_OK && r->n_probes > 0) {
        st = mg_report_heading(ctx, rep, "Plasticity probes");
        for (int k = 0; k < 4 && st == MG_OK; k++) {
            size_t m = 0;
            for (size_t i = 0; i < r->n_probes; i++)
                if ((int)r->probes[i].kind == k) {
                    x[m] = r->probes[i].day + r->probes[i].clock_h / 24.0;
                    y1[m] =
                        k == MG_PROBE_SNR ? r->probes[i].snr : r->probes[i].weight_change_percent;
                    m++;
                }
            if (m == 0)
                continue;
            char title[96];
            snprintf(title, sizeof title, "%s per probe",
                     k == MG_PROBE_SNR ? "Signal-to-noise (snr)" : mg_probe_name((mg_probe_kind)k));
            const double *ys[1] = {y1};
            mg_report_line_opts lo;
            memset(&lo, 0, sizeof lo);
            lo.xlabel = "day";
            lo.ylabel =
                k == MG_PROBE_SNR ? "snr (signal / noise NMDA Ca flux)" : "weight change (%)";
            st = mg_report_lines(ctx, rep, title, m, x, 1, NULL, ys, &lo);
        }
    }
    if (st == MG_OK && s->spec.sleep_on) {
        st = mg_report_heading(ctx, rep, "Sleep");
        static const double row[5] = {0, 2, 3, 4, 1}; /* W, N1, N2, N3, REM -> plot rows */
        static const char *const rows[5] = {"W", "REM", "N1", "N2", "N3"};
        size_t E = r->epochs_per_night;
        double *ex = calloc(E, sizeof *ex), *ey = calloc(E, sizeof *ey);
        if (!ex || !ey)
            st = mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
        size_t nights[2] = {0, D - 1};
        for (int k = 0; k < (D > 1 ? 2 : 1) && st == MG_OK; k++) {
            for (size_t e = 0; e < E; e++) {
                ex[e] = (double)e / 120.0;
                unsigned char c = r->hypnogram[nights[k] * E + e];
                ey[e] = row[c < 5 ? c : 0];
            }
            char title[64];
            snprintf(title, sizeof title, "Hypnogram, night %zu", nights[k]);
            const double *ys[1] = {ey};
            mg_report_line_opts lo;
            memset(&lo, 0, sizeof lo);
            lo.xlabel = "hours after lights off";
            lo.ylabel = "stage";
            lo.step = 1;
            lo.y_names = rows;
            lo.n_y_names = 5;
            st = mg_report_lines(ctx, rep, title, E, ex, 1, NULL, ys, &lo);
        }
        free(ex);
        free(ey);
        if (st == MG_OK) {
            for (size_t d = 0; d < D; d++) {
                x[d] = (double)d;
                y1[d] = r->days[d].sleep.total_sleep_min;
                y2[d] = r->days[d].sleep.n3_pct;
            }
            const double *ys[2] = {y1, y2};
            const char *names[2] = {"total sleep (min)", "N3 (% of sleep)"};
            mg_report_line_opts lo;
            memset(&lo, 0, sizeof lo);
            lo.xlabel = "night";
            st = mg_report_lines(ctx, rep, "Sleep metrics per night", D, x, 2, names, ys, &lo);
        }
    }
    if (st == MG_OK) {
        st = mg_report_heading(ctx, rep, "Stress axis");
        for (size_t i = 0; i < r->n_samples; i++)
            h1[i] = r->samples[i].cortisol_nmol_l;
        const double *ys[1] = {h1};
        mg_report_line_opts lo;
        memset(&lo, 0, sizeof lo);
        lo.xlabel = "day";
        lo.ylabel = "cortisol (nmol/L, hourly mean)";
        if (st == MG_OK)
            st = mg_report_lines(ctx, rep, "Cortisol", r->n_samples, th, 1, NULL, ys, &lo);
    }
    free(x);
    free(y1);
    free(y2);
    free(th);
    free(h1);
    free(h2);
    free(h3);
    return cli_report_finish(ctx, out, &rep, &run_schema, bases, st);
}

/* The daily diet from a plan file (relative to the scenario's folder). */
static mg_status plan_intake(mg_context *ctx, const char *scenario, const run_scen *s,
                             double *mg_per_day) {
    char path[4096], data[4096];
    cli_relative_path(scenario, s->plan, path, sizeof path);
    mg_diet_foods *foods = NULL;
    mg_diet_plan *p = NULL;
    snprintf(data, sizeof data, "%s/foods.csv", cli_data_dir());
    mg_status st = mg_diet_foods_load(ctx, data, &foods);
    if (st == MG_OK)
        st = mg_diet_plan_load(ctx, path, NULL, 0, foods, &p);
    if (st == MG_OK && s->soil[0])
        snprintf(p->soil_scenario, sizeof p->soil_scenario, "%s", s->soil);
    if (st == MG_OK && s->processing[0])
        snprintf(p->processing, sizeof p->processing, "%s", s->processing);
    if (st == MG_OK)
        st = cli_plan_adjust(ctx, p, path);
    if (st == MG_OK)
        *mg_per_day = mg_diet_plan_intake_mg(p);
    mg_diet_plan_destroy(&p);
    mg_diet_foods_destroy(&foods);
    return st;
}

/* What a loaded scenario turns into before the run. */
typedef struct {
    mg_kin_event *ev; /* the run's meals and doses */
    size_t n_ev, taken, missed;
    double supp;      /* supplement mg/day scheduled */
    double *supp_day; /* supplement mg taken each day */
    mg_diet_assessment a;
} run_prep;

static void run_prep_free(run_prep *p) {
    free(p->ev);
    free(p->supp_day);
    memset(p, 0, sizeof *p);
}

/* Load the document into s and derive the spec, events and intake assessment (name: the
 * scenario's file, for relative paths and messages). Everything but the run itself. */
static mg_status prepare(mg_context *ctx, const char *name, const mg_yaml_doc *doc, run_scen *s,
                         const mg_diet_dris *dris, run_prep *pp) {
    void *bases[2] = {s, &s->abs};
    memset(pp, 0, sizeof *pp);
    mg_status st = mg_scen_load(ctx, doc, &run_schema, bases, load_custom, s);
    if (st == MG_OK && s->from_population && s->plan[0])
        st = mg_error_raise(ctx, MG_ERR_CONFIG,
                            "%s: give diet.plan or diet.from_population, not both", name);
    if (st == MG_OK && s->plan[0])
        st = plan_intake(ctx, name, s, &s->mg_per_day);
    if (st == MG_OK && s->from_population) {
        mg_diet_intake_params ip = mg_diet_intake_defaults();
        st = mg_diet_intake_sample(ctx, dris, s->seed, s->population_person, s->age_y,
                                   s->sex ? MG_DIET_MALE : MG_DIET_FEMALE, &ip, &s->mg_per_day);
    }
    if (st == MG_OK && !s->plan[0] && (s->soil[0] || s->processing[0]))
        st = mg_error_raise(ctx, MG_ERR_CONFIG,
                            "%s: diet.soil_scenario and diet.processing apply to the foods of a "
                            "diet.plan; give diet.plan, or scale diet.mg_per_day yourself",
                            name);
    if (st == MG_OK) {
        mg_couple_spec *c = &s->spec;
        /* the weight scales the kinetic defaults; the rest of the spec is as loaded */
        c->kin = mg_kin_params_default(s->weight_kg);
        c->kin.gfr_ml_min = s->egfr_ml_min;
        c->days = (uint32_t)s->days;
        c->seed = s->seed;
        c->solver = s->solver ? MG_KIN_FAST : MG_KIN_CVODE;
        c->plast.rule = s->rule ? MG_RULE_SHOUVAL2002 : MG_RULE_GB2012;
        c->sleep.age_years = s->age_y;
        c->sleep.warmup_days = (int)s->sleep_warmup;
        c->stressors = s->stressors.stressors;
        c->n_stressors = s->stressors.n_stressors;
        c->probes = s->probes;
        c->n_probes = s->n_probes;
        s->abs.m.age_y = s->age_y;
        pp->supp_day = calloc((size_t)s->days, sizeof *pp->supp_day);
        st = pp->supp_day ? cli_build_events(ctx, (size_t)s->days, s->mg_per_day, &s->doses,
                                             &s->abs, s->adherence, s->seed, &pp->ev, &pp->n_ev,
                                             &pp->taken, &pp->missed, pp->supp_day)
                          : mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < s->doses.n_doses; i++)
            pp->supp += s->doses.doses[i].mg;
    }
    if (st == MG_OK) {
        static const double meal_h[3] = {8.0, 13.0, 19.0};
        for (int m = 0; m < 3; m++)
            s->start[m] =
                (mg_kin_event){meal_h[m], s->mg_per_day / 3.0, cli_meal_factor(&s->abs), 1, 0};
        s->spec.events = pp->ev;
        s->spec.n_events = pp->n_ev;
        s->spec.start_day = s->start;
        s->spec.n_start_day = s->mg_per_day > 0 ? 3 : 0;
        st = mg_diet_assess(ctx, dris, s->age_y, s->sex ? MG_DIET_MALE : MG_DIET_FEMALE,
                            s->mg_per_day, &pp->a);
    }
    return st;
}

/* Everything of a run but the run: prepare the loaded document into s (run_defaults first) and
 * check the coupled spec. What it loads for that is freed again; s keeps the scenario's values
 * (its salt forms are gone: s->doses.forms is NULL after). */
static mg_status check_doc(mg_context *ctx, const char *name, const mg_yaml_doc *doc, run_scen *s) {
    mg_body_salt_forms *forms = NULL;
    mg_diet_dris *dris = NULL;
    run_prep pp;
    memset(&pp, 0, sizeof pp);
    mg_status st = cli_load_forms_dris(ctx, &forms, &dris);
    s->doses.forms = forms;
    if (st == MG_OK)
        st = prepare(ctx, name, doc, s, dris, &pp);
    if (st == MG_OK)
        st = mg_couple_check(ctx, &s->spec);
    run_prep_free(&pp);
    mg_diet_dris_destroy(&dris);
    mg_body_salt_forms_destroy(&forms);
    s->doses.forms = NULL;
    return st;
}

mg_status cli_run_check_buffer(mg_context *ctx, const char *name, const char *text, size_t len) {
    run_scen *s = malloc(sizeof *s);
    if (!s)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    run_defaults(s);
    mg_yaml_doc *doc = NULL;
    mg_status st = mg_scen_parse(ctx, name, text, len, NULL, 0, &doc);
    if (st == MG_OK)
        st = check_doc(ctx, name, doc, s);
    mg_yaml_free(&doc);
    free(s);
    return st;
}

/* mgsim run --check: read the scenario with its --set values, check it, say what it holds. */
static int check_main(mg_context *ctx, const cli_common_opts *o, run_scen *s) {
    mg_yaml_doc *doc = NULL;
    mg_status st = mg_scen_read(ctx, o->input, "the scenario", o->sets, o->n_sets, &doc);
    if (st == MG_OK)
        st = check_doc(ctx, o->input, doc, s);
    if (st == MG_OK && !o->quiet)
        printf("%s: scenario OK: %llu day(s), %.0f mg/day diet, %zu dose(s) a day, %zu "
               "stressor(s), %zu probe(s); nothing was run\n",
               o->input, (unsigned long long)s->days, s->mg_per_day, s->doses.n_doses,
               s->stressors.n_stressors, s->n_probes);
    mg_yaml_free(&doc);
    return st == MG_OK ? 0 : cli_fail(ctx, st);
}

static int run_main(const cli_common_opts *o, const char *resume, int check) {
    mg_context *ctx = mg_context_create();
    run_scen *s = malloc(sizeof *s);
    json_t *warnings = json_array();
    if (!ctx || !s || !warnings) {
        free(s);
        json_decref(warnings);
        mg_context_destroy(&ctx);
        fputs("mgsim: out of memory\n", stderr);
        return mg_status_exit_code(MG_ERR_NOMEM);
    }
    run_defaults(s);
    if (check) {
        int rc = check_main(ctx, o, s);
        json_decref(warnings);
        free(s);
        mg_context_destroy(&ctx);
        return rc;
    }
    mg_body_salt_forms *forms = NULL;
    mg_diet_dris *dris = NULL;
    mg_yaml_doc *doc = NULL;
    mg_couple_result r;
    memset(&r, 0, sizeof r);
    mg_status st = cli_load_forms_dris(ctx, &forms, &dris);
    s->doses.forms = forms;
    if (st == MG_OK)
        st = mg_scen_read(ctx, o->input, "the scenario", o->sets, o->n_sets, &doc);
    run_prep pp;
    memset(&pp, 0, sizeof pp);
    if (st == MG_OK)
        st = prepare(ctx, o->input, doc, s, dris, &pp);
    size_t taken = pp.taken, missed = pp.missed;
    double supp = pp.supp, *supp_day = pp.supp_day;
    mg_diet_assessment a = pp.a;
    if (st == MG_OK && supp > 350.0) {
        char w[256];
        snprintf(w, sizeof w,
                 "WARNING: supplements add %.0f mg/day of magnesium, above the 350 mg/day "
                 "tolerable upper intake level for supplemental Mg (IOM 1997)",
                 supp);
        json_array_append_new(warnings, json_string(w));
    }
    if (st == MG_OK && s->egfr_ml_min < 30) {
        char w[256];
        snprintf(w, sizeof w,
                 "WARNING: eGFR %.0f mL/min is below 30: kidney impairment, risk of "
                 "hypermagnesaemia with supplements; the model's kidney is not validated there",
                 s->egfr_ml_min);
        json_array_append_new(warnings, json_string(w));
    }
    const char *outdir = resume ? resume : o->outdir ? o->outdir : "results/run";
    run_progress prog = {o->quiet, isatty(STDERR_FILENO), mg_wall_seconds(), 0, 0, outdir, 0};
    for (size_t i = 0; i < s->n_probes; i++)
        for (uint64_t d = 0; d < s->days; d++)
            prog.probes_total += d >= s->probes[i].first_day &&
                                 (d - s->probes[i].first_day) % s->probes[i].every_days == 0;
    char ckpt[4096];
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint.bin", outdir);
    if (st == MG_OK) {
        prog.hash = scenario_hash(s);
        st = mg_output_make_dirs(ctx, outdir);
    }
    if (st == MG_OK && resume) {
        FILE *f = fopen(ckpt, "rb");
        if (!f)
            st = mg_error_raise(ctx, MG_ERR_NOINPUT,
                                "%s: nothing to resume (no checkpoint: the run there was never "
                                "started, or it completed)",
                                ckpt);
        else {
            st = mg_couple_checkpoint_read(ctx, f, ckpt, &s->spec, prog.hash, &r);
            fclose(f);
        }
        if (st == MG_OK && !o->quiet)
            fprintf(stderr, "mgsim run: resuming %s after day %zu of %llu\n", outdir, r.n_days,
                    (unsigned long long)s->days);
        if (st == MG_OK) {
            cli_signals_install();
            st = mg_couple_continue(ctx, &s->spec, on_day, &prog, &r);
        }
    } else if (st == MG_OK) {
        cli_signals_install();
        st = mg_couple_run(ctx, &s->spec, on_day, &prog, &r);
    }
    if (st == MG_OK && !r.interrupted)
        unlink(ckpt); /* complete: nothing left to resume */
    if (st == MG_OK && r.n_days == 0)
        st = mg_error_raise(ctx, MG_ERR_INTERRUPTED, "stopped before the first day completed");
    if (st == MG_OK) {
        cli_outset out;
        st = cli_outset_begin(ctx, &out, outdir);
        if (st == MG_OK)
            st = write_tables(ctx, &out, s, &r);
        if (st == MG_OK)
            st = write_resolved(ctx, &out, o, s);
        if (st == MG_OK)
            st = write_summary(ctx, &out, o, s, &r, warnings, &a, supp, taken, missed);
        if (st == MG_OK)
            st = write_report(ctx, &out, s, &r, warnings, &a, supp, supp_day);
        if (st == MG_OK)
            st = cli_outset_commit(ctx, &out);
        cli_outset_end(&out);
    }
    int rc = 0;
    if (st != MG_OK) {
        rc = cli_fail(ctx, st);
    } else {
        for (size_t i = 0; i < json_array_size(warnings); i++)
            fprintf(stderr, "mgsim: %s\n", json_string_value(json_array_get(warnings, i)));
        if (r.interrupted) {
            fprintf(stderr,
                    "mgsim: interrupted after day %zu of %llu; the results so far are "
                    "written and marked partial\n",
                    r.n_days, (unsigned long long)s->days);
            rc = mg_status_exit_code(MG_ERR_INTERRUPTED);
        }
        if (!o->quiet) {
            const mg_couple_day *d0 = &r.days[0], *dl = &r.days[r.n_days - 1];
            printf("mgsim run %s: %zu day(s)%s\n", o->input, r.n_days,
                   r.interrupted ? " (partial)" : "");
            printf("serum %.3f -> %.3f mM, CSF %.3f -> %.3f mM, brain free Mg %.3f -> %.3f mM, "
                   "NMDA expression x%.3f\n",
                   d0->serum_total_mM, dl->serum_total_mM, d0->csf_mM, dl->csf_mM, d0->brain_mg_mM,
                   dl->brain_mg_mM, dl->nmda_scale);
            printf("%zu probe(s); mass balance error %.2g mg of %.0f mg eaten\n", r.n_probes,
                   r.balance_error_mg, r.intake_mg);
            printf("Model prediction, not medical advice.\n");
            printf("report: %s/report.html\n", outdir);
        }
    }
    mg_couple_result_free(&r);
    run_prep_free(&pp);
    mg_yaml_free(&doc);
    mg_diet_dris_destroy(&dris);
    mg_body_salt_forms_destroy(&forms);
    json_decref(warnings);
    free(s);
    mg_context_destroy(&ctx);
    return rc;
}

int cli_run(int argc, char **argv) {
    /* --resume DIR is this command's own option; the rest are the common ones */
    const char *resume = NULL;
    int check = 0;
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    if (!rest) {
        fputs("mgsim: out of memory\n", stderr);
        return mg_status_exit_code(MG_ERR_NOMEM);
    }
    int n = 0;
    for (int i = 0; i < argc; i++) {
        if (i > 0 && strcmp(argv[i], "--check") == 0) {
            check = 1;
            continue;
        }
        if (i > 0 && cli_is_option(argv[i], "--resume")) {
            resume = cli_option_value(argc, argv, &i, "--resume");
            if (!resume || !*resume) {
                free(rest);
                fputs("mgsim run: missing folder after '--resume'\nTry 'mgsim run --help'.\n",
                      stderr);
                return CLI_EXIT_USAGE;
            }
            continue;
        }
        rest[n++] = argv[i];
    }
    cli_common_opts o;
    int rc = cli_common_parse(n, rest, "run", cli_run_help, "the scenario SCENARIO.yaml", &o);
    if (rc < 0 && resume && o.outdir && strcmp(o.outdir, resume) != 0) {
        fputs("mgsim run: --resume DIR writes into DIR; leave out -o or give the same folder\n",
              stderr);
        rc = CLI_EXIT_USAGE;
    }
    if (rc < 0)
        rc = run_main(&o, resume, check);
    cli_common_free(&o);
    free(rest);
    return rc;
}
