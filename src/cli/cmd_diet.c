/* `mgsim diet PLAN.yaml`: a day's magnesium intake against the dietary reference intakes. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "mgsim/diet.h"
#include "mgsim/output.h"

#define DIET_NOTE                                                                                  \
    "Model prediction, not medical advice. Intake from food tables (data/foods.csv) compared "     \
    "with the NIH ODS / IOM 1997 dietary reference intakes (data/dri.csv); absorption is not "     \
    "modelled in this increment."

void cli_diet_help(FILE *out) {
    fputs(
        "Usage: mgsim diet PLAN.yaml [-o DIR] [--set KEY=VALUE]... [--quiet]\n"
        "\n"
        "Add up a day's magnesium intake from a diet plan and compare it with the dietary\n"
        "reference intakes for the person's age and sex (NIH ODS table of the IOM 1997 values):\n"
        "RDA, EAR (or the AI for infants) and the UL for supplemental magnesium.\n"
        "Model prediction, not medical advice. docs/models/diet-and-intake.md\n"
        "\n"
        "Options:\n"
        "  -o, --output DIR  also write DIR/intake.csv and DIR/summary.json (DIR is created)\n"
        "  --set KEY=VALUE   set one key (repeatable; keys below), after the file is read\n"
        "  -q, --quiet       no table on stdout; errors are still printed\n"
        "  -h, --help        show this help\n"
        "\n"
        "Keys (KEY  unit  default  meaning):\n"
        "  person.age_y      years   required  age, 0 to 120 (DRIs change at 0.5, 1, 4, 9, 14,\n"
        "                                      19, 31, 51 y)\n"
        "  person.sex        -       required  female or male (children: the same DRIs)\n"
        "  person.weight_kg  kg      none      body weight, > 0 and <= 500; stored, not used yet\n"
        "  diet.mg_per_day   mg/day  none      a fixed daily intake spread over three meals,\n"
        "                                      instead of meals (give one of the two), 0 to 10000\n"
        "  diet.processing   -       none      a refining process applied to the meals' foods\n"
        "                                      (data/processing.csv: e.g. refined-flour,\n"
        "                                      polished-rice); apply it to unrefined foods only\n"
        "  diet.soil_scenario -      none      a soil/crop scenario scaling each food group\n"
        "                                      (data/soil_scenarios.csv: e.g. soil-1940)\n"
        "\n"
        "The plan file (YAML) may also hold:\n"
        "  description: free text\n"
        "  meals:        a map of meal name -> list of entries, each {food: NAME, grams: G}\n"
        "                (0 to 10000 g) or {food: NAME, portions: P} (0 to 100 portions of the\n"
        "                food's portion_g in data/foods.csv); NAME exactly as in data/foods.csv\n"
        "\n"
        "Example plan:\n"
        "  person: {age_y: 35, sex: female, weight_kg: 65}\n"
        "  meals:\n"
        "    breakfast:\n"
        "      - {food: oatmeal instant, portions: 1}\n"
        "      - {food: banana, portions: 1}\n"
        "    lunch:\n"
        "      - {food: whole-wheat bread, portions: 2}\n"
        "      - {food: peanut butter, grams: 32}\n"
        "    dinner:\n"
        "      - {food: salmon, grams: 120}\n"
        "      - {food: brown rice cooked, portions: 2}\n"
        "      - {food: spinach boiled, portions: 1}\n"
        "  (or, instead of meals:  diet: {mg_per_day: 300})\n"
        "\n"
        "  mgsim diet examples/diet/typical-day.yaml -o results/diet --set person.sex=male\n"
        "\n"
        "Output: a table per meal and food (g, mg), the total intake (mg/day), RDA, EAR, percent\n"
        "of the RDA and the verdict: below the EAR / between the EAR and the RDA / at or above\n"
        "the RDA (for infants, who have only an AI: below / at or above the AI).\n"
        "Files written to DIR (each under a temporary name first, then renamed):\n"
        "  intake.csv    meal, food, grams, mg (grams empty for a fixed intake)\n"
        "  summary.json  intake_mg_per_day, rda_mg, ear_mg, ai_mg, ul_supplement_mg,\n"
        "                processing, soil_scenario, by_group (mg and g per food group),\n"
        "                percent_rda (null where there is no value), verdict, person, plan,\n"
        "                sources (of the DRI rows used), version, note\n"
        "\n"
        "Data: foods.csv and dri.csv in $MGSIM_DATA_DIR if set, else the source tree's data/,\n"
        "else the installed share/mgsim.\n"
        "\n"
        "Exit status: 0 done; 64 bad command line; 65 a value out of range (negative grams, age\n"
        "outside 0-120, ...) or a malformed data table; 66 the plan or a table cannot be read;\n"
        "73 DIR cannot be created; 74 a file cannot be written; 78 unknown key or food, sex not\n"
        "female|male, or both or neither of diet.mg_per_day and meals.\n",
        out);
}

/* A CSV field, quoted when it holds a comma, quote or newline. */
static void csv_field(FILE *f, const char *s) {
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static mg_status write_intake(mg_context *ctx, cli_outset *set, const mg_diet_plan *p) {
    FILE *f = cli_outset_open(ctx, set, "intake.csv");
    if (!f)
        return mg_error_status(ctx);
    fputs("meal,food,grams,mg\n", f);
    for (size_t i = 0; i < p->n_items; i++) {
        const mg_diet_item *it = &p->items[i];
        csv_field(f, it->meal);
        fputc(',', f);
        csv_field(f, it->food ? it->food->name : "fixed intake");
        fputc(',', f);
        if (it->food)
            fprintf(f, "%.12g", it->grams);
        fprintf(f, ",%.12g\n", it->mg);
    }
    return cli_outset_close(ctx, f, "intake.csv");
}

static void put(json_t *obj, const char *key, json_t *value, int *bad) {
    if (!value || json_object_set_new(obj, key, value) != 0)
        *bad = 1;
}

/* A JSON number, or null when NaN (a missing reference value). */
static json_t *num(double v) {
    return isfinite(v) ? json_real(v) : json_null();
}

/* "RDA female 31-50 y: SOURCE" for the sources list. */
static json_t *source_entry(const mg_diet_dri *r) {
    char buf[1024];
    snprintf(buf, sizeof buf, "%s %s %g-%g y (age_max exclusive): %s",
             mg_diet_dri_kind_string(r->kind), mg_diet_sex_string(r->sex), r->age_min_y,
             r->age_max_y, r->source);
    return json_string(buf);
}

static mg_status write_summary(mg_context *ctx, cli_outset *set, const char *plan_path,
                               const mg_diet_plan *p, const mg_diet_assessment *a) {
    int bad = 0;
    json_t *root = json_object(), *person = json_object(), *sources = json_array();
    json_t *files = json_array();
    if (!root || !person || !sources || !files)
        bad = 1;
    if (person) {
        put(person, "age_y", json_real(p->age_y), &bad);
        put(person, "sex", json_string(mg_diet_sex_string(p->sex)), &bad);
        put(person, "weight_kg", num(p->weight_kg), &bad);
    }
    const mg_diet_dri *rows[4] = {a->rda, a->ear, a->ai, a->ul};
    for (int i = 0; i < 4 && sources; i++)
        if (rows[i])
            bad |= json_array_append_new(sources, source_entry(rows[i])) != 0;
    if (files) {
        bad |= json_array_append_new(files, json_string("intake.csv")) != 0;
        bad |= json_array_append_new(files, json_string("summary.json")) != 0;
    }
    if (root) {
        put(root, "version", json_string(mg_version_string()), &bad);
        put(root, "plan", json_string(plan_path), &bad);
        put(root, "mode", json_string(p->fixed ? "fixed_mg_per_day" : "meals"), &bad);
        put(root, "processing", p->processing[0] ? json_string(p->processing) : json_null(), &bad);
        put(root, "soil_scenario",
            p->soil_scenario[0] ? json_string(p->soil_scenario) : json_null(), &bad);
        mg_diet_group_total groups[32];
        size_t ng = mg_diet_plan_by_group(p, groups, 32);
        json_t *bg = json_array();
        for (size_t g = 0; bg && g < ng && g < 32; g++)
            bad |= json_array_append_new(bg, json_pack("{s:s, s:f, s:f}", "group", groups[g].group,
                                                       "mg", groups[g].mg, "grams",
                                                       groups[g].grams)) != 0;
        put(root, "by_group", bg, &bad);
        put(root, "intake_mg_per_day", json_real(a->intake_mg_per_day), &bad);
        put(root, "rda_mg", num(a->rda_mg), &bad);
        put(root, "ear_mg", num(a->ear_mg), &bad);
        put(root, "ai_mg", num(a->ai_mg), &bad);
        put(root, "ul_supplement_mg", num(a->ul_supplement_mg), &bad);
        put(root, "percent_rda", num(a->percent_rda), &bad);
        put(root, "verdict", json_string(mg_diet_verdict_string(a->verdict)), &bad);
        put(root, "person", person, &bad);
        person = NULL;
        put(root, "sources", sources, &bad);
        sources = NULL;
        put(root, "files", files, &bad);
        files = NULL;
        put(root, "note", json_string(DIET_NOTE), &bad);
    }
    json_decref(person);
    json_decref(sources);
    json_decref(files);
    if (bad) {
        json_decref(root);
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    }
    mg_status st = cli_outset_json(ctx, set, "summary.json", root);
    json_decref(root);
    return st;
}

/* "31-50 y", "51+ y", "0-0.5 y" for a DRI row. */
static const char *stage(const mg_diet_dri *r, char *buf, size_t cap) {
    if (r->age_max_y > 120.0)
        snprintf(buf, cap, "%g+ y", r->age_min_y);
    else if (floor(r->age_max_y) == r->age_max_y && r->age_max_y >= 1.0 &&
             floor(r->age_min_y) == r->age_min_y && r->age_min_y >= 1.0)
        snprintf(buf, cap, "%g-%g y", r->age_min_y, r->age_max_y - 1.0);
    else
        snprintf(buf, cap, "%g to <%g y", r->age_min_y, r->age_max_y);
    return buf;
}

static void print_report(const char *plan_path, const mg_diet_plan *p,
                         const mg_diet_assessment *a) {
    printf("mgsim diet %s: %s, %g y\n\n", plan_path, mg_diet_sex_string(p->sex), p->age_y);
    printf("%-12s %-32s %9s %9s\n", "meal", "food", "grams", "mg");
    for (size_t i = 0; i < p->n_items; i++) {
        const mg_diet_item *it = &p->items[i];
        if (it->food)
            printf("%-12s %-32s %9.1f %9.1f\n", it->meal, it->food->name, it->grams, it->mg);
        else
            printf("%-12s %-32s %9s %9.1f\n", it->meal, "fixed intake", "-", it->mg);
    }
    char st[64];
    if (p->processing[0] || p->soil_scenario[0])
        printf("\n(adjusted: processing %s, soil scenario %s)\n",
               p->processing[0] ? p->processing : "none",
               p->soil_scenario[0] ? p->soil_scenario : "none");
    mg_diet_group_total groups[32];
    size_t ng = mg_diet_plan_by_group(p, groups, 32);
    if (!p->fixed && ng > 0) {
        printf("\n%-45s %9s\n", "by food group", "mg");
        for (size_t g = 0; g < ng && g < 32; g++)
            printf("  %-43s %9.1f\n", groups[g].group, groups[g].mg);
    }
    printf("\n%-45s %9.1f mg/day\n", "total intake", a->intake_mg_per_day);
    if (a->rda)
        printf("%-45s %9.0f mg/day (%s %s)\n", "RDA", a->rda_mg, mg_diet_sex_string(a->rda->sex),
               stage(a->rda, st, sizeof st));
    if (a->ear)
        printf("%-45s %9.0f mg/day (%s %s)\n", "EAR", a->ear_mg, mg_diet_sex_string(a->ear->sex),
               stage(a->ear, st, sizeof st));
    if (a->ai)
        printf("%-45s %9.0f mg/day (%s %s)\n", "AI", a->ai_mg, mg_diet_sex_string(a->ai->sex),
               stage(a->ai, st, sizeof st));
    if (a->rda)
        printf("%-45s %9.1f %%\n", "percent of RDA", a->percent_rda);
    else if (a->ai)
        printf("%-45s %9.1f %%\n", "percent of AI", 100.0 * a->intake_mg_per_day / a->ai_mg);
    printf("verdict: %s\n", mg_diet_verdict_string(a->verdict));
    if (a->ul)
        printf("UL for supplemental magnesium (not food): %.0f mg/day\n", a->ul_supplement_mg);
    printf("Model prediction, not medical advice.\n");
}

static int run_diet(const cli_common_opts *c) {
    mg_context *ctx = mg_context_create();
    if (!ctx) {
        fputs("mgsim: out of memory\n", stderr);
        return mg_status_exit_code(MG_ERR_NOMEM);
    }
    mg_diet_foods *foods = NULL;
    mg_diet_dris *dris = NULL;
    mg_diet_plan *plan = NULL;

    mg_diet_assessment a;
    cli_outset out = {0};
    char path[4096];
    const char *dir = cli_data_dir();
    snprintf(path, sizeof path, "%s/foods.csv", dir);
    mg_status st = mg_diet_foods_load(ctx, path, &foods);
    if (st == MG_OK) {
        snprintf(path, sizeof path, "%s/dri.csv", dir);
        st = mg_diet_dris_load(ctx, path, &dris);
    }
    if (st == MG_OK)
        st = mg_diet_plan_load(ctx, c->input, c->sets, c->n_sets, foods, &plan);
    if (st == MG_OK)
        st = cli_plan_adjust(ctx, plan, c->input);
    if (st == MG_OK)
        st = mg_diet_assess(ctx, dris, plan->age_y, plan->sex, mg_diet_plan_intake_mg(plan), &a);
    if (st == MG_OK && c->outdir) {
        st = cli_outset_begin(ctx, &out, c->outdir);
        if (st == MG_OK)
            st = write_intake(ctx, &out, plan);
        if (st == MG_OK)
            st = write_summary(ctx, &out, c->input, plan, &a);
        if (st == MG_OK)
            st = cli_outset_commit(ctx, &out);
        cli_outset_end(&out);
    }
    int rc = 0;
    if (st != MG_OK) {
        rc = cli_fail(ctx, st);
    } else if (!c->quiet) {
        print_report(c->input, plan, &a);
        if (c->outdir)
            printf("results in %s/\n", c->outdir);
    }
    mg_diet_plan_destroy(&plan);

    mg_diet_dris_destroy(&dris);
    mg_diet_foods_destroy(&foods);
    mg_context_destroy(&ctx);
    return rc;
}

int cli_diet(int argc, char **argv) {
    cli_common_opts o;
    int rc = cli_common_parse(argc, argv, "diet", cli_diet_help, "the diet plan PLAN.yaml", &o);
    if (rc < 0)
        rc = run_diet(&o);
    cli_common_free(&o);
    return rc;
}
