/* `mgsim population SCENARIO.yaml`: a Monte Carlo of virtual adults (usual intake, soil and
 * processing scenarios, supplement uptake) through the whole-body Mg model. OpenMP within a
 * process; with Open MPI (built with MGSIM_HAVE_MPI and started by mpirun) each rank takes a
 * contiguous block of people and rank 0 gathers them in person order and writes everything. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif
#ifdef MGSIM_HAVE_MPI
#include <mpi.h>
#endif

#include "cli/cli.h"
#include "cli/common.h"
#include "io/report.h"
#include "io/scen.h"
#include "mgsim/body.h"
#include "mgsim/population.h"

#define POP_NOTE                                                                                   \
    "Model prediction, not medical advice. Virtual population through the whole-body Mg model "    \
    "(docs/models/population.md, docs/models/body-kinetics.md)."

typedef struct {
    mg_pop_params pop;
    char soil_scenario[MG_SCEN_TEXT_MAX];
    double processing_factor;
    double plain_factor;
    char supplement_form[MG_SCEN_TEXT_MAX];
    uint64_t threads;
    uint64_t n_people;
    uint64_t seed;
    uint64_t duration_days;
    uint64_t settle_days;
    int people_csv;
} pop_scen;

#define O(f) offsetof(pop_scen, f)
#define POP  "docs/models/population.md"
static const mg_scen_key pop_keys[] = {
    {"population.n_people", MG_SCEN_UINT, 0, O(n_people), "", 1, 1e7, 0, NULL,
     "virtual people to simulate (about 100 bytes each)", "user input"},
    {"population.seed", MG_SCEN_UINT, 0, O(seed), "", 0, 1.8e19, 0, NULL,
     "root of every draw (person i depends only on seed and i)", "user input"},
    {"population.age_min_y", MG_SCEN_NUMBER, 0, O(pop.age_min_y), "y", 18, 100, MG_SCEN_MAX_EXCL,
     NULL, "youngest age drawn (adults: the kinetic model is for adults)", "user input"},
    {"population.age_max_y", MG_SCEN_NUMBER, 0, O(pop.age_max_y), "y", 18, 100, MG_SCEN_MIN_EXCL,
     NULL, "ages are drawn below this, by the US adult age structure",
     "US Census Bureau 2020 Census, shares by age band (" POP ")"},
    {"population.share_female", MG_SCEN_NUMBER, 0, O(pop.share_female), "", 0, 1, 0, NULL,
     "share of women", "US Census Bureau 2020 Census: 50.8 % female (rounded)"},
    {"population.weight_female_kg", MG_SCEN_NUMBER, 0, O(pop.weight_female_kg), "kg", 40, 200, 0,
     NULL, "mean body weight of women (lognormal)",
     "NHANES 2015-2018, Fryar et al. 2021, NHSR 160 (CDC FastStats)"},
    {"population.weight_male_kg", MG_SCEN_NUMBER, 0, O(pop.weight_male_kg), "kg", 40, 200, 0, NULL,
     "mean body weight of men (lognormal)",
     "NHANES 2015-2018, Fryar et al. 2021, NHSR 160 (CDC FastStats)"},
    {"population.weight_cv", MG_SCEN_NUMBER, 0, O(pop.weight_cv), "", 0, 1, 0, NULL,
     "between-person CV of body weight; weights clamped to 40-200 kg", "assumption"},
    {"intake.sigma_log", MG_SCEN_NUMBER, 0, O(pop.intake.sigma_log), "", 0, 2, MG_SCEN_MIN_EXCL,
     NULL, "SD of ln(usual food intake) within an age-sex group",
     "assumption: between-person CV ~36 % (docs/models/diet-and-intake.md)"},
    {"intake.share_below_ear", MG_SCEN_NUMBER, 0, O(pop.intake.share_below_ear), "", 0, 1,
     MG_SCEN_MIN_EXCL | MG_SCEN_MAX_EXCL, NULL,
     "calibration: share below the EAR from food before scenario factors",
     "NHANES 2013-2016: 48 % (NIH ODS fact sheet; refs magnesium-physiology s12)"},
    {"diet.soil_scenario", MG_SCEN_TEXT, 0, O(soil_scenario), "", 0, 0, 0, NULL,
     "a scenario of data/soil_scenarios.csv (its \"*\" row scales all food Mg); \"\": none",
     "data/soil_scenarios.csv (each row names its source)"},
    {"diet.processing_factor", MG_SCEN_NUMBER, 0, O(processing_factor), "", 0, 1, MG_SCEN_MIN_EXCL,
     NULL,
     "share of food Mg kept after processing (e.g. 1 - s (1 - 0.18) when a share s of the Mg "
     "came from grains that are refined)",
     "user input; retention values in data/processing.csv"},
    {"diet.food_factor", MG_SCEN_NUMBER, 0, O(plain_factor), "", 0, 10, MG_SCEN_MIN_EXCL, NULL,
     "any other factor on food Mg", "user input"},
    {"supplement.share", MG_SCEN_NUMBER, 0, O(pop.supplement_share), "", 0, 1, 0, NULL,
     "share of people who take the daily supplement", "user input"},
    {"supplement.mg", MG_SCEN_NUMBER, 0, O(pop.supplement_mg), "mg", 0, 2000, 0, NULL,
     "ELEMENTAL Mg per daily dose", "user input"},
    {"supplement.form", MG_SCEN_TEXT, 0, O(supplement_form), "", 0, 0, 0, NULL,
     "salt form (data/salt_forms.csv)", "data/salt_forms.csv"},
    {"supplement.time", MG_SCEN_CLOCK, 0, O(pop.supplement_clock_h), "", 0, 0, 0, NULL,
     "clock time of the dose", "user input"},
    {"supplement.with_food", MG_SCEN_BOOL, 0, O(pop.supplement_with_food), "", 0, 0, 0, NULL,
     "taken with a meal", "user input"},
    {"duration_days", MG_SCEN_UINT, 0, O(duration_days), "d", 1, 3650, 0, NULL,
     "days simulated per person from the fed steady state of their food intake", "user input"},
    {"numerics.max_step_h", MG_SCEN_NUMBER, 0, O(pop.max_step_h), "h", 0.01, 2, 0, NULL,
     "longest step of the exponential integrator",
     "numerical choice: 0.5 h keeps serum within 3e-5 relative of CVODE (" POP ")"},
    {"numerics.settle_days", MG_SCEN_UINT, 0, O(settle_days), "d", 1, 365, 0, NULL,
     "days of the diet alone before duration_days (slow pools start at equilibrium)",
     "numerical choice (" POP ")"},
    {"threads", MG_SCEN_UINT, 0, O(threads), "", 0, 1024, 0, NULL,
     "OpenMP threads per process (0: OMP_NUM_THREADS or all cores); results do not depend on it",
     "user input"},
    {"output.people_csv", MG_SCEN_BOOL, 0, O(people_csv), "", 0, 0, 0, NULL,
     "write people.csv (one row per person)", "user input"},
};
#undef O

static const mg_scen_schema pop_schema = {pop_keys, sizeof pop_keys / sizeof pop_keys[0], NULL};

static void pop_defaults(pop_scen *s) {
    memset(s, 0, sizeof *s);
    s->pop = mg_pop_params_default();
    s->pop.max_step_h = 0.5;
    s->processing_factor = 1;
    s->plain_factor = 1;
    snprintf(s->supplement_form, sizeof s->supplement_form, "citrate");
    s->n_people = s->pop.n_people;
    s->seed = s->pop.seed;
    s->duration_days = s->pop.duration_days;
    s->settle_days = 3;
    s->people_csv = 1;
}

void cli_population_help(FILE *out) {
    fputs("Usage: mgsim population SCENARIO.yaml [-o DIR] [--set KEY=VALUE]... [--quiet]\n"
          "       mpirun -np N mgsim population SCENARIO.yaml -o DIR   (when built with MPI)\n"
          "\n"
          "Simulate a population of virtual adults: age and sex (US adult structure), body\n"
          "weight, usual food Mg intake calibrated so that 48 % fall below their EAR (NHANES\n"
          "2013-2016), scenario factors on food Mg (soil decline, processing) and a daily\n"
          "supplement taken by a share of them. Each person runs the whole-body Mg model for\n"
          "duration_days from the fed steady state of their food intake, with three meals a day\n"
          "and their supplement. Reports the share below the EAR (with and without supplements)\n"
          "and the distributions of serum and CSF Mg. Person i depends only on the seed and i:\n"
          "results are the same for any number of threads or MPI processes. Model prediction,\n"
          "not medical advice. docs/models/population.md\n"
          "\n",
          out);
    cli_help_options(out);
    pop_scen *s = malloc(sizeof *s);
    if (s) {
        pop_defaults(s);
        void *bases[1] = {s};
        mg_scen_print_keys(out, &pop_schema, bases);
        free(s);
    }
    fputs("\n"
          "Person-level keys of `mgsim body` (person.*, diet.mg_per_day, regimen.*) are\n"
          "replaced by the population.*, intake.* and supplement.* keys above.\n"
          "\n"
          "Example scenario:\n"
          "  population: {n_people: 10000, seed: 7}\n"
          "  diet: {soil_scenario: soil-1940}\n"
          "  supplement: {share: 0.2, mg: 200, form: citrate, time: \"21:00\"}\n"
          "  duration_days: 30\n"
          "\n"
          "Files written to DIR:\n"
          "  people.csv              one row per person: age, sex, weight, EAR, food and\n"
          "                          supplement Mg, below-EAR flags, last-day serum and CSF Mg\n"
          "  summary.json            share_below_ear (with and without supplements), quantiles\n"
          "                          (5, 25, 50, 75, 95 %) of serum and CSF Mg, share with serum\n"
          "                          below 0.75 mM, person_days_per_s, threads, ranks\n"
          "  scenario.resolved.yaml  every key's value (loads back)\n"
          "  report.html             distributions of serum and CSF Mg, intake vs EAR\n"
          "\n"
          "Exit status: 0 done; 64 bad command line; 65 a value out of range; 66 the scenario\n"
          "or a data table cannot be read; 73/74 DIR or a file cannot be written; 78 unknown\n"
          "key, scenario or salt form, or a wrong type.\n",
          out);
#ifdef MGSIM_HAVE_MPI
    fputs("\nThis build: MPI enabled (mpirun -np N splits the people across N processes).\n", out);
#else
    fputs("\nThis build: MPI not enabled (one process; OpenMP threads only).\n", out);
#endif
}

/* "file:LINE:COL" of section.key in the document (or of the section, or the file). */
static const char *key_loc(const mg_yaml_doc *doc, const char *section, const char *key, char *buf,
                           size_t cap) {
    const mg_yaml_node *sec = mg_yaml_map_get(doc->root, section);
    const mg_yaml_node *n = key ? mg_yaml_map_get(sec, key) : NULL;
    return mg_yaml_loc(doc, n ? n : sec, n ? 0 : 1, buf, cap);
}

/* Person-level sections of `mgsim body` have no meaning here: say what replaces them. */
static mg_status refuse_person_keys(mg_context *ctx, const mg_yaml_doc *doc) {
    char loc[320];
    if (mg_yaml_map_get(doc->root, "person"))
        return mg_error_raise(ctx, MG_ERR_CONFIG,
                              "%s: person: a population has no single person; use "
                              "population.age_min_y, age_max_y, share_female, weight_female_kg, "
                              "weight_male_kg and weight_cv",
                              key_loc(doc, "person", NULL, loc, sizeof loc));
    if (mg_yaml_map_get(mg_yaml_map_get(doc->root, "diet"), "mg_per_day"))
        return mg_error_raise(ctx, MG_ERR_CONFIG,
                              "%s: diet.mg_per_day: each person's usual intake is drawn; use "
                              "intake.share_below_ear / intake.sigma_log, or diet.food_factor",
                              key_loc(doc, "diet", "mg_per_day", loc, sizeof loc));
    if (mg_yaml_map_get(doc->root, "regimen"))
        return mg_error_raise(ctx, MG_ERR_CONFIG,
                              "%s: regimen: use supplement.share, supplement.mg, supplement.form, "
                              "supplement.time and supplement.with_food",
                              key_loc(doc, "regimen", NULL, loc, sizeof loc));
    return MG_OK;
}

/* The combined factor on food Mg, the supplement's form; errors name the key's location. */
static mg_status resolve(mg_context *ctx, const mg_yaml_doc *doc, pop_scen *s,
                         const mg_body_salt_forms *forms, const mg_diet_soil *soil,
                         double *soil_factor) {
    char loc[320], why[768];
    *soil_factor = 1.0;
    if (s->soil_scenario[0] &&
        mg_diet_soil_factor(ctx, soil, s->soil_scenario, "*", soil_factor) != MG_OK) {
        snprintf(why, sizeof why, "%s", mg_error_message(ctx));
        return mg_error_raise(ctx, MG_ERR_CONFIG, "%s: diet.soil_scenario: %s",
                              key_loc(doc, "diet", "soil_scenario", loc, sizeof loc), why);
    }
    const mg_body_salt_form *row = NULL;
    if (mg_body_salt_forms_lookup(ctx, forms, s->supplement_form, &row) != MG_OK) {
        snprintf(why, sizeof why, "%s", mg_error_message(ctx));
        return mg_error_raise(ctx, MG_ERR_CONFIG, "%s: supplement.form: %s",
                              key_loc(doc, "supplement", "form", loc, sizeof loc), why);
    }
    s->pop.supplement_form_factor = row->relative_bioavailability;
    s->pop.supplement_threonate = strcmp(row->name, "l-threonate") == 0;
    s->pop.food_factor = *soil_factor * s->processing_factor * s->plain_factor;
    if (!(s->pop.food_factor <= 10))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "%s: diet.food_factor: the product of the soil factor (%g), "
                              "processing_factor and food_factor is %g, above 10",
                              key_loc(doc, "diet", "food_factor", loc, sizeof loc), *soil_factor,
                              s->pop.food_factor);
    if (!(s->pop.age_max_y > s->pop.age_min_y))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "%s: population.age_max_y (%g) must be above age_min_y (%g)",
                              key_loc(doc, "population", "age_max_y", loc, sizeof loc),
                              s->pop.age_max_y, s->pop.age_min_y);
    s->pop.n_people = s->n_people;
    s->pop.seed = s->seed;
    s->pop.duration_days = (unsigned)s->duration_days;
    s->pop.settle_days = (unsigned)s->settle_days;
    return mg_pop_params_validate(ctx, &s->pop);
}

static json_t *quantiles_json(double mean, const double *q) {
    return json_pack("{s:f, s:f, s:f, s:f, s:f, s:f}", "mean", mean, "q05", q[0], "q25", q[1],
                     "q50", q[2], "q75", q[3], "q95", q[4]);
}

typedef struct {
    double wall_s, person_days_per_s, per_core;
    int threads, ranks;
    double soil_factor;
} run_info;

static mg_status write_report(mg_context *ctx, cli_outset *out, pop_scen *s,
                              const mg_pop_person *people, const mg_pop_summary *m) {
    void *bases[1] = {s};
    mg_report *rep = mg_report_create("mgsim population: magnesium status of a virtual population");
    if (!rep)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    char text[900];
    snprintf(
        text, sizeof text,
        "%llu virtual adults (%g-%g y), %u day(s) each from the fed steady state of their "
        "usual food intake (mean %.0f mg/day, factor %.3f on food Mg). %.1f %% take %.0f mg/day "
        "of supplemental Mg (%s). Below the EAR: %.1f %% from food, %.1f %% with supplements "
        "(NHANES 2013-2016: about 48 %% from food). Serum total Mg median %.3f mM "
        "(5-95 %%: %.3f-%.3f; %.1f %% below 0.75 mM); CSF median %.3f mM.",
        (unsigned long long)m->n_people, s->pop.age_min_y, s->pop.age_max_y, s->pop.duration_days,
        m->mean_food_mg_per_day, s->pop.food_factor, 100.0 * m->share_taking_supplement,
        s->pop.supplement_mg, s->supplement_form, 100.0 * m->share_below_ear,
        100.0 * m->share_below_ear_with_supplement, m->serum_quantiles_mM[2],
        m->serum_quantiles_mM[0], m->serum_quantiles_mM[4], 100.0 * m->share_serum_below_0_75,
        m->csf_quantiles_mM[2]);
    mg_status st = mg_report_text(ctx, rep, text);
    /* histograms of serum and CSF: 24 bins over the 0.5-99.5 % range of each */
    enum { NB = 24 };
    char lab[NB][24];
    const char *labels[NB];
    double counts[NB];
    for (int which = 0; which < 2 && st == MG_OK; which++) {
        const double *q = which ? m->csf_quantiles_mM : m->serum_quantiles_mM;
        double lo = q[0] - 0.5 * (q[4] - q[0]), hi = q[4] + 0.5 * (q[4] - q[0]);
        if (!(hi > lo)) {
            lo -= 0.01;
            hi += 0.01;
        }
        double wbin = (hi - lo) / NB;
        memset(counts, 0, sizeof counts);
        for (size_t i = 0; i < m->n_people; i++) {
            double v = which ? people[i].csf_mM : people[i].serum_total_mM;
            int b = (int)floor((v - lo) / wbin);
            b = b < 0 ? 0 : (b >= NB ? NB - 1 : b);
            counts[b] += 100.0 / (double)m->n_people;
        }
        for (int b = 0; b < NB; b++) {
            snprintf(lab[b], sizeof lab[b], "%.3f", lo + (b + 0.5) * wbin);
            labels[b] = lab[b];
        }
        st = mg_report_bars(ctx, rep,
                            which ? "CSF magnesium, last-day mean (edge bins hold the tails)"
                                  : "Serum total magnesium, last-day mean (edge bins hold the "
                                    "tails; reference 0.75-0.95 mM)",
                            which ? "CSF Mg (mM)" : "serum total Mg (mM)", "% of people", NB,
                            labels, counts);
    }
    if (st == MG_OK) {
        const char *l[3] = {"below EAR, food", "below EAR, food + supplement", "take a supplement"};
        double v[3] = {100.0 * m->share_below_ear, 100.0 * m->share_below_ear_with_supplement,
                       100.0 * m->share_taking_supplement};
        st = mg_report_bars(ctx, rep, "Intake against the EAR", "", "% of people", 3, l, v);
    }
    if (st == MG_OK) {
        /* usual food intake relative to the EAR: 20 bins of intake / EAR over 0-2.5 */
        enum { NR = 20 };
        char rl[NR][24];
        const char *rlab[NR];
        double rc[NR] = {0};
        for (size_t i = 0; i < m->n_people; i++) {
            double r = people[i].food_mg_per_day / people[i].ear_mg_per_day;
            int b = (int)floor(r / 0.125);
            b = b < 0 ? 0 : (b >= NR ? NR - 1 : b);
            rc[b] += 100.0 / (double)m->n_people;
        }
        for (int b = 0; b < NR; b++) {
            snprintf(rl[b], sizeof rl[b], "%.2f", (b + 0.5) * 0.125);
            rlab[b] = rl[b];
        }
        st = mg_report_bars(ctx, rep, "Usual food intake / EAR (below 1: under the EAR)",
                            "intake / EAR", "% of people", NR, rlab, rc);
    }
    return cli_report_finish(ctx, out, &rep, &pop_schema, bases, st);
}

static mg_status write_outputs(mg_context *ctx, cli_outset *out, const cli_common_opts *o,
                               pop_scen *s, const mg_pop_person *people, const mg_pop_summary *m,
                               const run_info *ri) {
    void *bases[1] = {s};
    mg_status st;
    FILE *f;
    if (s->people_csv) {
        if (!(f = cli_outset_open(ctx, out, "people.csv")))
            return mg_error_status(ctx);
        fputs("person,age_y,sex,weight_kg,ear_mg_per_day,food_mg_per_day,supplement_mg_per_day,"
              "below_ear,below_ear_with_supplement,serum_total_mM,csf_mM,urine_mg_per_day\n",
              f);
        for (size_t i = 0; i < m->n_people; i++) {
            const mg_pop_person *x = &people[i];
            fprintf(f, "%llu,%.4f,%s,%.3f,%.0f,%.4f,%.4f,%d,%d,%.8f,%.8f,%.4f\n",
                    (unsigned long long)x->index, x->age_y, mg_diet_sex_string(x->sex),
                    x->weight_kg, x->ear_mg_per_day, x->food_mg_per_day, x->supplement_mg_per_day,
                    x->below_ear, x->below_ear_with_supplement, x->serum_total_mM, x->csf_mM,
                    x->urine_mg_per_day);
        }
        if ((st = cli_outset_close(ctx, f, "people.csv")) != MG_OK)
            return st;
    }
    if (!(f = cli_outset_open(ctx, out, "scenario.resolved.yaml")))
        return mg_error_status(ctx);
    fprintf(f, "# mgsim %s: every key of %s after --set, as used\n", mg_version_string(), o->input);
    mg_scen_write_yaml(f, &pop_schema, bases);
    if ((st = cli_outset_close(ctx, f, "scenario.resolved.yaml")) != MG_OK)
        return st;
    json_t *root = json_pack(
        "{s:s, s:s, s:s, s:I, s:i, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:o, s:o, s:f, s:f, s:f, "
        "s:f, s:f, s:i, s:i, s:f, s:o, s:s}",
        "version", mg_version_string(), "command", "population", "scenario", o->input, "n_people",
        (json_int_t)m->n_people, "duration_days", (int)s->pop.duration_days, "share_below_ear",
        m->share_below_ear, "share_below_ear_with_supplements", m->share_below_ear_with_supplement,
        "share_taking_supplement", m->share_taking_supplement, "mean_food_mg_per_day",
        m->mean_food_mg_per_day, "mean_supplement_mg_per_day", m->mean_supplement_mg_per_day,
        "food_factor", s->pop.food_factor, "soil_factor", ri->soil_factor, "serum_total_mM",
        quantiles_json(m->serum_mean_mM, m->serum_quantiles_mM), "csf_mM",
        quantiles_json(m->csf_mean_mM, m->csf_quantiles_mM), "share_serum_below_0_75",
        m->share_serum_below_0_75, "max_abs_balance_error_mg", m->max_abs_balance_error_mg,
        "person_days_per_s", ri->person_days_per_s, "person_days_per_s_per_core", ri->per_core,
        "wall_s", ri->wall_s, "threads", ri->threads, "ranks", ri->ranks, "person_days",
        (double)m->n_people * (double)s->pop.duration_days, "parameters",
        mg_scen_params_json(&pop_schema, bases), "note", POP_NOTE);
    if (!root)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    st = cli_outset_json(ctx, out, "summary.json", root);
    json_decref(root);
    if (st != MG_OK)
        return st;
    return write_report(ctx, out, s, people, m);
}

/* The block of people rank r of n takes: [N r / n, N (r + 1) / n). */
static uint64_t block_start(uint64_t n_people, int r, int n) {
    return n_people * (uint64_t)r / (uint64_t)n; /* n_people <= 1e7: no overflow */
}

static int run_population(const cli_common_opts *o, int rank, int ranks) {
    mg_context *ctx = mg_context_create();
    pop_scen *s = malloc(sizeof *s);
    if (!ctx || !s) {
        free(s);
        mg_context_destroy(&ctx);
        fputs("mgsim: out of memory\n", stderr);
        return mg_status_exit_code(MG_ERR_NOMEM);
    }
    pop_defaults(s);
    void *bases[1] = {s};
    mg_body_salt_forms *forms = NULL;
    mg_diet_dris *dris = NULL;
    mg_diet_soil *soil = NULL;
    mg_yaml_doc *doc = NULL;
    mg_pop_person *people = NULL;
    cli_outset out;
    memset(&out, 0, sizeof out);
    run_info ri;
    memset(&ri, 0, sizeof ri);
    char path[4096];
    mg_status st = cli_load_forms_dris(ctx, &forms, &dris);
    if (st == MG_OK) {
        snprintf(path, sizeof path, "%s/soil_scenarios.csv", cli_data_dir());
        st = mg_diet_soil_load(ctx, path, &soil);
    }
    if (st == MG_OK)
        st = mg_scen_read(ctx, o->input, "the scenario", o->sets, o->n_sets, &doc);
    if (st == MG_OK)
        st = refuse_person_keys(ctx, doc);
    if (st == MG_OK)
        st = mg_scen_load(ctx, doc, &pop_schema, bases, NULL, NULL);
    if (st == MG_OK)
        st = resolve(ctx, doc, s, forms, soil, &ri.soil_factor);
    int threads = 1;
#ifdef _OPENMP
    threads = s->threads ? (int)s->threads : omp_get_max_threads();
#endif
    if (st == MG_OK)
        st = mg_context_set_threads(ctx, threads);
    uint64_t n = s->n_people;
    uint64_t first = block_start(n, rank, ranks), last = block_start(n, rank + 1, ranks);
    if (st == MG_OK) {
        /* rank 0 holds everyone (gathered); the others their block */
        size_t held = rank == 0 ? (size_t)n : (size_t)(last - first);
        people = calloc(held ? held : 1, sizeof *people);
        if (!people)
            st = mg_error_raise(ctx, MG_ERR_NOMEM,
                                "population: out of memory for %zu persons (%zu bytes each); "
                                "lower population.n_people",
                                held, sizeof *people);
    }
    double t0 = mg_wall_seconds();
    if (st == MG_OK)
        st = mg_pop_simulate(ctx, &s->pop, dris, first, last - first, people);
    double wall = mg_wall_seconds() - t0;
    int code = st == MG_OK ? 0 : mg_status_exit_code(st);
#ifdef MGSIM_HAVE_MPI
    if (ranks > 1) {
        /* the lowest failing rank reports; everyone returns its code */
        int mine = st == MG_OK ? ranks : rank, bad = ranks;
        MPI_Allreduce(&mine, &bad, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
        if (bad < ranks) {
            if (rank == bad)
                code = cli_fail(ctx, st);
            MPI_Bcast(&code, 1, MPI_INT, bad, MPI_COMM_WORLD);
            goto done;
        }
        int *counts = NULL, *displs = NULL;
        if (rank == 0) {
            counts = malloc((size_t)ranks * sizeof *counts);
            displs = malloc((size_t)ranks * sizeof *displs);
            for (int r = 0; counts && displs && r < ranks; r++) {
                uint64_t a = block_start(n, r, ranks), b = block_start(n, r + 1, ranks);
                counts[r] = (int)((b - a) * sizeof *people);
                displs[r] = (int)(a * sizeof *people);
            }
        }
        int mycount = (int)((last - first) * sizeof *people);
        if (rank == 0)
            MPI_Gatherv(MPI_IN_PLACE, mycount, MPI_BYTE, people, counts, displs, MPI_BYTE, 0,
                        MPI_COMM_WORLD);
        else
            MPI_Gatherv(people, mycount, MPI_BYTE, NULL, NULL, NULL, MPI_BYTE, 0, MPI_COMM_WORLD);
        free(counts);
        free(displs);
        double wmax = wall;
        MPI_Reduce(&wall, &wmax, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
        wall = wmax;
    }
#endif
    if (rank != 0)
        goto done;
    if (st != MG_OK) {
        code = cli_fail(ctx, st);
        goto done;
    }
    {
        mg_pop_summary m;
        st = mg_pop_summarise(ctx, people, (size_t)n, &m);
        ri.wall_s = wall;
        ri.threads = threads;
        ri.ranks = ranks;
        double pd = (double)n * (double)s->pop.duration_days;
        ri.person_days_per_s = wall > 0 ? pd / wall : 0;
        ri.per_core = ri.person_days_per_s / (double)(threads * ranks);
        if (st == MG_OK && o->outdir) {
            st = cli_outset_begin(ctx, &out, o->outdir);
            if (st == MG_OK)
                st = write_outputs(ctx, &out, o, s, people, &m, &ri);
            if (st == MG_OK)
                st = cli_outset_commit(ctx, &out);
            cli_outset_end(&out);
        }
        if (st != MG_OK) {
            code = cli_fail(ctx, st);
        } else if (!o->quiet) {
            printf("mgsim population %s: %llu people x %u day(s) on %d thread(s) x %d rank(s)\n",
                   o->input, (unsigned long long)n, s->pop.duration_days, threads, ranks);
            printf("share_below_ear %.4f (with supplements %.4f; %.1f %% take one)\n",
                   m.share_below_ear, m.share_below_ear_with_supplement,
                   100.0 * m.share_taking_supplement);
            printf("serum total Mg (mM) 5/25/50/75/95 %%: %.3f %.3f %.3f %.3f %.3f; below 0.75 mM: "
                   "%.2f %%\n",
                   m.serum_quantiles_mM[0], m.serum_quantiles_mM[1], m.serum_quantiles_mM[2],
                   m.serum_quantiles_mM[3], m.serum_quantiles_mM[4],
                   100.0 * m.share_serum_below_0_75);
            printf("CSF Mg (mM) 5/25/50/75/95 %%: %.3f %.3f %.3f %.3f %.3f\n",
                   m.csf_quantiles_mM[0], m.csf_quantiles_mM[1], m.csf_quantiles_mM[2],
                   m.csf_quantiles_mM[3], m.csf_quantiles_mM[4]);
            printf("person_days_per_s %.4g (%.4g per core), wall %.3f s\n", ri.person_days_per_s,
                   ri.per_core, wall);
            printf("Model prediction, not medical advice.\n");
            if (o->outdir)
                printf("results in %s/ (report: %s/report.html)\n", o->outdir, o->outdir);
        }
    }
done:
    free(people);
    mg_yaml_free(&doc);
    mg_diet_soil_destroy(&soil);
    mg_diet_dris_destroy(&dris);
    mg_body_salt_forms_destroy(&forms);
    free(s);
    mg_context_destroy(&ctx);
    return code;
}

int cli_population(int argc, char **argv) {
    int rank = 0, ranks = 1;
#ifdef MGSIM_HAVE_MPI
    /* MPI only when started by a launcher (Open MPI or a PMI one); plain runs stay single. */
    int use_mpi = getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK");
    if (use_mpi) {
        MPI_Init(&argc, &argv);
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    }
#endif
    cli_common_opts o;
    int rc = cli_common_parse(argc, argv, "population", cli_population_help,
                              "the scenario SCENARIO.yaml", &o);
    if (rc < 0)
        rc = run_population(&o, rank, ranks);
    cli_common_free(&o);
#ifdef MGSIM_HAVE_MPI
    if (use_mpi)
        MPI_Finalize();
#endif
    return rc;
}
