/* `mgsim diet PLAN.yaml`: a day's magnesium intake against the dietary reference intakes. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/cli.h"
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

static int usage(const char *message, const char *arg) {
    if (arg)
        fprintf(stderr, "mgsim: %s '%s'\n", message, arg);
    else
        fprintf(stderr, "mgsim: %s\n", message);
    fputs("Try 'mgsim diet --help'.\n", stderr);
    return CLI_EXIT_USAGE;
}

static int fail(mg_context *ctx, mg_status st) {
    const char *msg = mg_error_message(ctx);
    fprintf(stderr, "mgsim: %s\n", msg && *msg ? msg : mg_status_string(st));
    return mg_status_exit_code(st);
}

/* The data folder: $MGSIM_DATA_DIR, else the build-time source data/ if it holds
 * foods.csv, else the installed one. */
static const char *data_dir(void) {
    const char *env = getenv("MGSIM_DATA_DIR");
    if (env && *env)
        return env;
    if (access(MGSIM_DATA_DIR_BUILD "/foods.csv", R_OK) == 0)
        return MGSIM_DATA_DIR_BUILD;
    return MGSIM_DATA_DIR_INSTALL;
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

static mg_status write_intake(mg_context *ctx, const char *path, const mg_diet_plan *p) {
    FILE *f = fopen(path, "w");
    if (!f)
        return mg_error_raise(ctx, MG_ERR_CANTCREAT, "cannot create %s: %s", path, strerror(errno));
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
    int bad = ferror(f) != 0;
    bad |= fclose(f) != 0;
    if (bad)
        return mg_error_raise(ctx, MG_ERR_IO, "cannot write %s", path);
    return MG_OK;
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

static mg_status write_summary(mg_context *ctx, const char *path, const char *plan_path,
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
    FILE *f = fopen(path, "w");
    if (!f) {
        json_decref(root);
        return mg_error_raise(ctx, MG_ERR_CANTCREAT, "cannot create %s: %s", path, strerror(errno));
    }
    int rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
    json_decref(root);
    rc |= fputc('\n', f) == EOF;
    rc |= fclose(f) != 0;
    if (rc != 0)
        return mg_error_raise(ctx, MG_ERR_IO, "cannot write %s", path);
    return MG_OK;
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

typedef struct {
    const char *plan;
    const char *outdir;
    const char **sets;
    size_t n_sets;
    int quiet;
} cli_opts;

static int run_diet(const cli_opts *c) {
    mg_context *ctx = mg_context_create();
    if (!ctx) {
        fputs("mgsim: out of memory\n", stderr);
        return mg_status_exit_code(MG_ERR_NOMEM);
    }
    mg_diet_foods *foods = NULL;
    mg_diet_dris *dris = NULL;
    mg_diet_plan *plan = NULL;
    mg_diet_assessment a;
    char path[4096], csv_tmp[4096], csv_fin[4096], js_tmp[4096], js_fin[4096];
    int made_csv = 0, made_js = 0;
    const char *dir = data_dir();
    snprintf(path, sizeof path, "%s/foods.csv", dir);
    mg_status st = mg_diet_foods_load(ctx, path, &foods);
    if (st == MG_OK) {
        snprintf(path, sizeof path, "%s/dri.csv", dir);
        st = mg_diet_dris_load(ctx, path, &dris);
    }
    if (st == MG_OK)
        st = mg_diet_plan_load(ctx, c->plan, c->sets, c->n_sets, foods, &plan);
    if (st == MG_OK)
        st = mg_diet_assess(ctx, dris, plan->age_y, plan->sex, mg_diet_plan_intake_mg(plan), &a);
    if (st == MG_OK && c->outdir)
        st = mg_output_make_dirs(ctx, c->outdir);
    if (st == MG_OK && c->outdir) {
        snprintf(csv_tmp, sizeof csv_tmp, "%s/.intake.csv.part", c->outdir);
        snprintf(csv_fin, sizeof csv_fin, "%s/intake.csv", c->outdir);
        snprintf(js_tmp, sizeof js_tmp, "%s/.summary.json.part", c->outdir);
        snprintf(js_fin, sizeof js_fin, "%s/summary.json", c->outdir);
        made_csv = 1;
        st = write_intake(ctx, csv_tmp, plan);
        if (st == MG_OK) {
            made_js = 1;
            st = write_summary(ctx, js_tmp, c->plan, plan, &a);
        }
        if (st == MG_OK && rename(csv_tmp, csv_fin) != 0)
            st = mg_error_raise(ctx, MG_ERR_IO, "cannot rename %s to %s: %s", csv_tmp, csv_fin,
                                strerror(errno));
        else if (st == MG_OK)
            made_csv = 0;
        if (st == MG_OK && rename(js_tmp, js_fin) != 0)
            st = mg_error_raise(ctx, MG_ERR_IO, "cannot rename %s to %s: %s", js_tmp, js_fin,
                                strerror(errno));
        else if (st == MG_OK)
            made_js = 0;
    }
    int rc = 0;
    if (st != MG_OK) {
        if (made_csv)
            unlink(csv_tmp);
        if (made_js)
            unlink(js_tmp);
        rc = fail(ctx, st);
    } else if (!c->quiet) {
        print_report(c->plan, plan, &a);
        if (c->outdir)
            printf("results in %s/\n", c->outdir);
    }
    mg_diet_plan_destroy(&plan);
    mg_diet_dris_destroy(&dris);
    mg_diet_foods_destroy(&foods);
    mg_context_destroy(&ctx);
    return rc;
}

/* Parse argv into o. Returns -1 to go on, or the exit status to return now. */
static int parse_args(int argc, char **argv, cli_opts *o) {
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *v;
        if (arg[0] != '-' || arg[1] == '\0') {
            if (o->plan)
                return usage("unexpected argument", arg);
            o->plan = arg;
        } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            cli_diet_help(stdout);
            return 0;
        } else if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0) {
            o->quiet = 1;
        } else if (cli_is_option(arg, "-o") || cli_is_option(arg, "--output")) {
            if (!(v = cli_option_value(argc, argv, &i, arg[1] == '-' ? "--output" : "-o")) || !*v)
                return usage("missing folder after", arg);
            o->outdir = v;
        } else if (cli_is_option(arg, "--set")) {
            if (!(v = cli_option_value(argc, argv, &i, "--set")))
                return usage("missing KEY=VALUE after", arg);
            const char *eq = strchr(v, '=');
            if (!eq || eq == v)
                return usage("--set expects KEY=VALUE, got", v);
            o->sets[o->n_sets++] = v;
        } else {
            return usage("unknown option", arg);
        }
    }
    if (!o->plan)
        return usage("missing the diet plan PLAN.yaml", NULL);
    return -1;
}

int cli_diet(int argc, char **argv) {
    cli_opts o;
    memset(&o, 0, sizeof o);
    o.sets = calloc((size_t)argc, sizeof *o.sets);
    if (!o.sets) {
        fputs("mgsim: out of memory\n", stderr);
        return mg_status_exit_code(MG_ERR_NOMEM);
    }
    int rc = parse_args(argc, argv, &o);
    if (rc < 0)
        rc = run_diet(&o);
    free(o.sets);
    return rc;
}
