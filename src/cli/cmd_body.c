/* `mgsim body SCENARIO.yaml`: whole-body magnesium kinetics under a diet and a regimen. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/scen_lists.h"
#include "io/report.h"
#include "io/scen.h"
#include "mgsim/kinetics.h"

#define BODY_NOTE                                                                                  \
    "Model prediction, not medical advice. Whole-body Mg kinetics (docs/models/body-kinetics.md) " \
    "with saturable absorption fitted to Fine et al. 1991 (docs/models/absorption.md)."

#define UL_SUPPLEMENT_MG 350.0 /* IOM 1997 UL for supplemental Mg, adults (data/dri.csv) */
#define RNG_ADHERENCE    (MG_RNG_USER + 30)

typedef struct {
    double age_y;
    int sex; /* 0 female, 1 male */
    double weight_kg;
    double mg_per_day;
    uint64_t duration_days;
    double sample_h;
    int solver;
    double caffeine_mg_per_kg;
    double caffeine_clock_h;
    double alcohol_g_per_kg;
    double stress_factor;
    double adherence;
    uint64_t seed;
    mg_kin_params kin;
    cli_dose_list doses;
    cli_absorption abs;
} body_scen;

static const char *const sexes[] = {"female", "male", NULL};
static const char *const solvers[] = {"cvode", "fast", NULL};

#define O(f) offsetof(body_scen, f)
#define KIN  "docs/models/body-kinetics.md"
static const mg_scen_key body_keys[] = {
    {"person.age_y", MG_SCEN_NUMBER, 0, O(age_y), "y", 0, 120, 0, NULL, "age", "user input"},
    {"person.sex", MG_SCEN_ENUM, 0, O(sex), "", 0, 0, 0, sexes, "sex", "user input"},
    {"person.weight_kg", MG_SCEN_NUMBER, 0, O(weight_kg), "kg", 20, 300, MG_SCEN_MIN_EXCL, NULL,
     "body weight (scales volumes and pools)", "user input"},
    {"person.egfr_ml_min", MG_SCEN_NUMBER, 0, O(kin.gfr_ml_min), "mL/min", 0, 300, MG_SCEN_MIN_EXCL,
     NULL, "glomerular filtration rate (below 30: hypermagnesaemia risk)",
     "125 mL/min = 180 L/day (refs magnesium-physiology s2.2)"},
    {"diet.mg_per_day", MG_SCEN_NUMBER, 0, O(mg_per_day), "mg/day", 0, 5000, 0, NULL,
     "dietary Mg, spread over three meals at 08:00, 13:00 and 19:00",
     "user input; 320 mg/day is the RDA of women 31+ (data/dri.csv)"},
    {"duration_days", MG_SCEN_UINT, 0, O(duration_days), "d", 1, 3650, 0, NULL,
     "days to simulate from the fed steady state of the diet", "user input"},
    {"output.sample_h", MG_SCEN_NUMBER, 0, O(sample_h), "h", 0, 24, MG_SCEN_MIN_EXCL, NULL,
     "interval of timeseries.csv", "user input"},
    {"solver", MG_SCEN_ENUM, 0, O(solver), "", 0, 0, 0, solvers,
     "integrator: CVODE (BDF, reference) or fast fixed-step RK4", "numerical choice (" KIN ")"},
    {"lifestyle.caffeine_mg_per_kg", MG_SCEN_NUMBER, 0, O(caffeine_mg_per_kg), "mg/kg", 0, 50, 0,
     NULL, "daily caffeine per kg lean mass, in effect for 6 h after intake",
     "user input; effect size Bergman et al. 1990 (" KIN ")"},
    {"lifestyle.caffeine_time", MG_SCEN_CLOCK, 0, O(caffeine_clock_h), "", 0, 0, 0, NULL,
     "clock time of the daily caffeine", "user input"},
    {"lifestyle.alcohol_g_per_kg", MG_SCEN_NUMBER, 0, O(alcohol_g_per_kg), "g/kg", 0, 5, 0, NULL,
     "daily ethanol per kg body weight at 20:00, in effect for 6 h",
     "user input; effect size an assumption (" KIN ")"},
    {"stress.factor", MG_SCEN_NUMBER, 0, O(stress_factor), "", 1, 10, 0, NULL,
     "cortisol relative to normal, held for the run (1: none)",
     "user input; effect size an assumption (" KIN ")"},
    {"seed", MG_SCEN_UINT, 0, O(seed), "", 0, 1.8e19, 0, NULL, "seed of the missed-dose draws",
     "user input"},
    CLI_ABSORPTION_KEYS(1),
    {"regimen.adherence", MG_SCEN_NUMBER, 0, O(adherence), "", 0, 1, 0, NULL,
     "probability that each scheduled dose is taken", "user input"},
};
#undef O

static const char *const body_custom[] = {"regimen.doses", NULL};
static const mg_scen_schema body_schema = {body_keys, sizeof body_keys / sizeof body_keys[0],
                                           body_custom};

static void body_defaults(body_scen *s) {
    memset(s, 0, sizeof *s);
    s->age_y = 40;
    s->sex = 0;
    s->weight_kg = 70;
    s->mg_per_day = 320;
    s->duration_days = 14;
    s->sample_h = 1;
    s->solver = 0;
    s->caffeine_clock_h = 8;
    s->stress_factor = 1;
    s->adherence = 1;
    s->seed = 1;
    s->kin = mg_kin_params_default(70);
    cli_absorption_defaults(&s->abs);
}

static mg_status load_doses(mg_context *ctx, const mg_yaml_doc *doc, const char *key,
                            const mg_yaml_node *node, void *data) {
    return cli_load_doses(ctx, doc, key, node, &((body_scen *)data)->doses);
}

void cli_body_help(FILE *out) {
    fputs("Usage: mgsim body SCENARIO.yaml [-o DIR] [--set KEY=VALUE]... [--quiet]\n"
          "\n"
          "Simulate whole-body magnesium over days: absorption from meals and supplements\n"
          "(saturable, by salt form, with or without food), plasma (total and ionised),\n"
          "interstitial fluid, soft tissue, bone, kidney (tubular maximum; caffeine, alcohol and\n"
          "stress raise excretion) and CSF / brain extracellular Mg (active, saturable uptake).\n"
          "The run starts from the fed steady state of the diet. Model prediction, not medical\n"
          "advice. docs/models/body-kinetics.md, docs/models/absorption.md\n"
          "\n",
          out);
    cli_help_options(out);
    body_scen *s = malloc(sizeof *s);
    if (s) {
        body_defaults(s);
        void *bases[2] = {s, &s->abs};
        mg_scen_print_keys(out, &body_schema, bases);
        free(s);
    }
    fputs(
        "\n"
        "  regimen.doses: a list of {time: \"HH:MM\", mg: M, form: NAME, with_food: true|false},\n"
        "      taken every day; mg is ELEMENTAL magnesium (Magtein, Mg L-threonate, is only\n"
        "      7.2-8.3 %% elemental: 2 g gives about 144-166 mg); NAME from data/salt_forms.csv\n"
        "      (acetate, chloride, lactate, aspartate, oxide, citrate, glycinate, l-threonate).\n"
        "      Supplements above the 350 mg/day UL are not refused but flagged in the output.\n"
        "\n"
        "Example scenario:\n"
        "  person: {age_y: 40, sex: female, weight_kg: 65}\n"
        "  diet: {mg_per_day: 260}\n"
        "  duration_days: 28\n"
        "  regimen:\n"
        "    doses:\n"
        "      - {time: \"21:00\", mg: 144, form: l-threonate, with_food: false}\n"
        "\n"
        "Files written to DIR:\n"
        "  timeseries.csv          t_h, day, clock, serum_total_mM, serum_ionized_mM, csf_mM,\n"
        "                          urine_mg (since the previous row), faecal_cum_mg,\n"
        "                          urine_cum_mg, fractional_reabsorption\n"
        "  summary.json            fractional_absorption, fractional_excretion,\n"
        "                          urine_mg_per_day, serum_total_mM, serum_ionized_mM, csf_mM,\n"
        "                          csf_to_plasma (means over the last simulated day), mass\n"
        "                          balance, doses taken and missed, warnings, parameters\n"
        "  scenario.resolved.yaml  every key's value (loads back)\n"
        "  report.html             serum and CSF Mg over time, the doses, the parameters\n"
        "\n"
        "Exit status: 0 done; 64 bad command line; 65 a value out of range; 66 the scenario\n"
        "or a data table cannot be read; 73/74 DIR or a file cannot be written; 78 unknown key,\n"
        "salt form or a wrong type.\n",
        out);
}

static mg_status write_outputs(mg_context *ctx, cli_outset *out, const cli_common_opts *o,
                               body_scen *s, const mg_kin_result *r, json_t *warnings, size_t taken,
                               size_t missed, double supp_mg_day) {
    void *bases[2] = {s, &s->abs};
    FILE *f = cli_outset_open(ctx, out, "timeseries.csv");
    if (!f)
        return mg_error_status(ctx);
    fputs("t_h,day,clock,serum_total_mM,serum_ionized_mM,csf_mM,urine_mg,faecal_cum_mg,"
          "urine_cum_mg,fractional_reabsorption\n",
          f);
    for (size_t i = 0; i < r->n_samples; i++) {
        const mg_kin_sample *x = &r->samples[i];
        char c[8];
        fprintf(f, "%.6g,%d,%s,%.8g,%.8g,%.8g,%.6g,%.8g,%.8g,%.6g\n", x->t_h,
                (int)floor(x->t_h / 24.0), mg_scen_format_clock(x->t_h, c, sizeof c),
                x->serum_total_mM, x->serum_ionized_mM, x->csf_mM, x->urine_interval_mg,
                x->faecal_cum_mg, x->urine_cum_mg, x->fractional_reabsorption);
    }
    mg_status st = cli_outset_close(ctx, f, "timeseries.csv");
    if (st != MG_OK)
        return st;
    if (!(f = cli_outset_open(ctx, out, "scenario.resolved.yaml")))
        return mg_error_status(ctx);
    fprintf(f, "# mgsim %s: every key of %s after --set, as used\n", mg_version_string(), o->input);
    mg_scen_write_yaml(f, &body_schema, bases);
    /* regimen.adherence is the table's last key, so its map is still open */
    fputs("  doses:\n", f);
    if (s->doses.n_doses == 0)
        fputs("    []\n", f);
    for (size_t i = 0; i < s->doses.n_doses; i++) {
        char c[8];
        fprintf(f, "    - {time: \"%s\", mg: %.17g, form: %s, with_food: %s}\n",
                mg_scen_format_clock(s->doses.doses[i].clock_h, c, sizeof c), s->doses.doses[i].mg,
                s->doses.doses[i].form, s->doses.doses[i].with_food ? "true" : "false");
    }
    if ((st = cli_outset_close(ctx, f, "scenario.resolved.yaml")) != MG_OK)
        return st;
    json_t *root = json_pack(
        "{s:s, s:s, s:s, s:o, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:{s:f, s:f, s:f, s:f, s:f, "
        "s:f}, s:i, s:i, s:f, s:O, s:o, s:s}",
        "version", mg_version_string(), "command", "body", "scenario", o->input,
        "fractional_absorption",
        isfinite(r->fractional_absorption) ? json_real(r->fractional_absorption) : json_null(),
        "fractional_excretion", r->fractional_excretion, "urine_mg_per_day", r->urine_mg_per_day,
        "serum_total_mM", r->serum_total_mM, "serum_ionized_mM", r->serum_ionized_mM, "csf_mM",
        r->csf_mM, "csf_to_plasma", r->csf_to_plasma, "summary_window_h", r->summary_h,
        "mass_balance", "intake_mg", r->intake_mg, "faecal_mg", r->faecal_mg, "urine_mg",
        r->urine_mg, "sweat_mg", r->sweat_mg, "change_in_stores_mg",
        mg_kin_state_total_mg(&r->final) - mg_kin_state_total_mg(&r->initial), "error_mg",
        r->balance_error_mg, "doses_taken", (int)taken, "doses_missed", (int)missed,
        "supplement_mg_per_day", supp_mg_day, "warnings", warnings, "parameters",
        mg_scen_params_json(&body_schema, bases), "note", BODY_NOTE);
    if (!root)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    st = cli_outset_json(ctx, out, "summary.json", root);
    json_decref(root);
    if (st != MG_OK)
        return st;
    mg_report *rep = mg_report_create("mgsim body: magnesium in serum and CSF");
    if (!rep)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    char text[700];
    snprintf(text, sizeof text,
             "%.0f y %s, %.0f kg; diet %.0f mg/day; supplements %.0f mg/day (%zu dose(s) taken, "
             "%zu missed). Last day: serum total %.3f mM (reference 0.75-0.95), ionised %.3f mM, "
             "CSF %.3f mM (CSF/plasma %.2f), urine %.0f mg/day, fractional excretion %.1f %%, "
             "fractional absorption %.2f.",
             s->age_y, sexes[s->sex], s->weight_kg, s->mg_per_day, supp_mg_day, taken, missed,
             r->serum_total_mM, r->serum_ionized_mM, r->csf_mM, r->csf_to_plasma,
             r->urine_mg_per_day, 100.0 * r->fractional_excretion, r->fractional_absorption);
    st = mg_report_text(ctx, rep, text);
    for (size_t i = 0; st == MG_OK && i < json_array_size(warnings); i++)
        st = mg_report_text(ctx, rep, json_string_value(json_array_get(warnings, i)));
    double *t = malloc(r->n_samples * sizeof *t), *se = malloc(r->n_samples * sizeof *se);
    double *cs = malloc(r->n_samples * sizeof *cs);
    if (!t || !se || !cs) {
        st = mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    } else if (st == MG_OK) {
        for (size_t i = 0; i < r->n_samples; i++) {
            t[i] = r->samples[i].t_h / 24.0;
            se[i] = r->samples[i].serum_total_mM;
            cs[i] = r->samples[i].csf_mM;
        }
        const double *ys[2] = {se, cs};
        const char *names[2] = {"serum total", "CSF"};
        const double refs[2] = {0.75, 0.95};
        const char *ref_names[2] = {"serum reference low", "serum reference high"};
        mg_report_line_opts lo;
        memset(&lo, 0, sizeof lo);
        lo.xlabel = "day";
        lo.ylabel = "Mg (mmol/L)";
        lo.n_refs = 2;
        lo.ref_y = refs;
        lo.ref_names = ref_names;
        st = mg_report_lines(ctx, rep, "Serum and CSF magnesium", r->n_samples, t, 2, names, ys,
                             &lo);
    }
    free(t);
    free(se);
    free(cs);
    return cli_report_finish(ctx, out, &rep, &body_schema, bases, st);
}

static int run_body(const cli_common_opts *o) {
    mg_context *ctx = mg_context_create();
    body_scen *s = malloc(sizeof *s);
    if (!ctx || !s) {
        free(s);
        mg_context_destroy(&ctx);
        fputs("mgsim: out of memory\n", stderr);
        return mg_status_exit_code(MG_ERR_NOMEM);
    }
    body_defaults(s);
    void *bases[2] = {s, &s->abs};
    mg_body_salt_forms *forms = NULL;
    mg_yaml_doc *doc = NULL;
    mg_kin_event *ev = NULL;
    size_t n_ev = 0, taken = 0, missed = 0;
    mg_kin_result r;
    memset(&r, 0, sizeof r);
    cli_outset out;
    memset(&out, 0, sizeof out);
    json_t *warnings = json_array();
    double supp = 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/salt_forms.csv", cli_data_dir());
    mg_status st = warnings ? mg_body_salt_forms_load(ctx, path, &forms)
                            : mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    s->doses.forms = forms;
    if (st == MG_OK)
        st = mg_scen_read(ctx, o->input, "the scenario", o->sets, o->n_sets, &doc);
    if (st == MG_OK) {
        /* the weight scales the kinetic defaults: read it first, then load over them */
        st = mg_scen_load(ctx, doc, &body_schema, bases, load_doses, s);
        if (st == MG_OK) {
            double w = s->weight_kg, gfr = s->kin.gfr_ml_min;
            s->kin = mg_kin_params_default(w);
            s->kin.gfr_ml_min = gfr;
        }
    }
    if (st == MG_OK)
        st = mg_kin_params_validate(ctx, &s->kin);
    for (size_t i = 0; i < s->doses.n_doses; i++)
        supp += s->doses.doses[i].mg;
    if (st == MG_OK && supp > UL_SUPPLEMENT_MG) {
        char w[256];
        snprintf(w, sizeof w,
                 "WARNING: supplements add %.0f mg/day of magnesium, above the 350 mg/day "
                 "tolerable upper intake level for supplemental Mg (IOM 1997); diarrhoea is the "
                 "first adverse effect",
                 supp);
        json_array_append_new(warnings, json_string(w));
    }
    if (st == MG_OK && s->kin.gfr_ml_min < 30) {
        char w[256];
        snprintf(w, sizeof w,
                 "WARNING: eGFR %.0f mL/min is below 30: kidney impairment, risk of "
                 "hypermagnesaemia with supplements; the model's kidney is not validated there",
                 s->kin.gfr_ml_min);
        json_array_append_new(warnings, json_string(w));
    }
    if (st == MG_OK) {
        s->abs.m.age_y = s->age_y;
        st = cli_build_events(ctx, (size_t)s->duration_days, s->mg_per_day, &s->doses, &s->abs,
                              s->adherence, s->seed, &ev, &n_ev, &taken, &missed, NULL);
    }
    mg_kin_state init;
    mg_kin_solver solver = s->solver ? MG_KIN_FAST : MG_KIN_CVODE;
    if (st == MG_OK) {
        /* fed steady state of the diet alone (doses start on day 0) */
        mg_kin_event day[3];
        size_t nd = 0;
        static const double meal_h[3] = {8.0, 13.0, 19.0};
        for (int m = 0; m < 3 && s->mg_per_day > 0; m++)
            day[nd++] =
                (mg_kin_event){meal_h[m], s->mg_per_day / 3.0, cli_meal_factor(&s->abs), 1, 0};
        st = mg_kin_steady_state(ctx, &s->kin, day, nd, 0, solver, &init);
    }
    size_t n_mods = 0;
    mg_kin_modifier *mods = NULL;
    if (st == MG_OK) {
        /* one row per hour: caffeine in effect for 6 h after its daily time, alcohol for
         * 6 h after 20:00 (also across midnight), stress held */
        size_t hours = 24 * (size_t)s->duration_days;
        mods = calloc(hours, sizeof *mods);
        if (!mods)
            st = mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
        for (size_t h = 0; mods && h < hours; h++) {
            double clock = (double)(h % 24);
            double since_caf = fmod(clock - s->caffeine_clock_h + 24.0, 24.0);
            double since_alc = fmod(clock - 20.0 + 24.0, 24.0);
            int caf =
                s->caffeine_mg_per_kg > 0 && since_caf < 6.0 && (double)h >= s->caffeine_clock_h;
            int alc = s->alcohol_g_per_kg > 0 && since_alc < 6.0 && h >= 20;
            mods[n_mods++] =
                (mg_kin_modifier){(double)h, caf ? s->caffeine_mg_per_kg : 0.0,
                                  alc ? s->alcohol_g_per_kg : 0.0, s->stress_factor, 1.0};
        }
    }
    if (st == MG_OK) {
        mg_kin_options opt;
        memset(&opt, 0, sizeof opt);
        opt.duration_h = 24.0 * (double)s->duration_days;
        opt.sample_h = s->sample_h;
        opt.solver = solver;
        st = mg_kin_run(ctx, &s->kin, &init, ev, n_ev, mods, n_mods, &opt, &r);
    }
    free(mods);
    if (st == MG_OK && o->outdir) {
        st = cli_outset_begin(ctx, &out, o->outdir);
        if (st == MG_OK)
            st = write_outputs(ctx, &out, o, s, &r, warnings, taken, missed, supp);
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
        if (!o->quiet) {
            printf("mgsim body %s: %llu day(s), diet %.0f mg/day, supplements %.0f mg/day\n",
                   o->input, (unsigned long long)s->duration_days, s->mg_per_day, supp);
            printf("last day: serum total %.3f mM, ionised %.3f mM, CSF %.3f mM (CSF/plasma "
                   "%.2f)\n",
                   r.serum_total_mM, r.serum_ionized_mM, r.csf_mM, r.csf_to_plasma);
            printf("urine %.0f mg/day, fractional excretion %.1f %%, fractional absorption "
                   "%.2f; mass balance error %.2g mg\n",
                   r.urine_mg_per_day, 100.0 * r.fractional_excretion, r.fractional_absorption,
                   r.balance_error_mg);
            printf("Model prediction, not medical advice.\n");
            if (o->outdir)
                printf("results in %s/ (report: %s/report.html)\n", o->outdir, o->outdir);
        }
    }
    json_decref(warnings);
    mg_kin_result_free(&r);
    free(ev);
    mg_yaml_free(&doc);
    mg_body_salt_forms_destroy(&forms);
    free(s);
    mg_context_destroy(&ctx);
    return rc;
}

int cli_body(int argc, char **argv) {
    cli_common_opts o;
    int rc = cli_common_parse(argc, argv, "body", cli_body_help, "the scenario SCENARIO.yaml", &o);
    if (rc < 0)
        rc = run_body(&o);
    cli_common_free(&o);
    return rc;
}
