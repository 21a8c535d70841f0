/* `mgsim plan PROFILE.yaml`: a person's magnesium plan. Intake against the dietary reference
 * intakes, the gap to the RDA, foods of data/foods.csv that close it (respecting preferences and
 * allergies), regimen options by goal (never above the supplemental UL), warnings, and each
 * option's predicted serum, CSF and brain Mg and probe readouts from the coupled model
 * (include/mgsim/couple.h), side by side. Every rule and its source: docs/planner.md.
 * Model prediction, not medical advice. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/scen_lists.h"
#include "io/report.h"
#include "io/scen.h"
#include "mgsim/couple.h"
#include "mgsim/diet.h"

#define PLAN_NOTE                                                                                  \
    "Model prediction, not medical advice. The plan applies published reference intakes and "      \
    "simple documented rules (docs/planner.md); the predictions come from a coupled model whose "  \
    "couplings are hypotheses. Talk to a clinician before starting a supplement, above all with "  \
    "kidney disease or regular medication."

#define MAX_LIST      16 /* preferences, allergies */
#define MAX_OPTIONS   6
#define MAX_ADDITIONS 10
#define MAX_GROUPS    32

static const char *const sexes[] = {"female", "male", NULL};
static const char *const goals[] = {"general", "focus", "learning", "sleep", NULL};
enum { GOAL_GENERAL, GOAL_FOCUS, GOAL_LEARNING, GOAL_SLEEP };

/* ---- the profile ---- */

typedef struct {
    double age_y;
    int sex;
    double weight_kg;
    double egfr_ml_min;
    double mg_per_day;
    char plan[MG_SCEN_TEXT_MAX];
    int goal;
    double bedtime_h, time_in_bed_h;
    double sleep_lead_min;
    double general_clock_h;
    double breakfast_h;
    double dose_step_mg;
    uint64_t max_portions, max_foods;
    double mgt_elemental_fraction;
    uint64_t days, seed;
    double snr_ms;
    double sleep_gain_per_mM;
    /* lists */
    char prefs[MAX_LIST][MG_SCEN_TEXT_MAX];
    size_t n_prefs;
    char allergies[MAX_LIST][MG_SCEN_TEXT_MAX];
    size_t n_allergies;
    cli_dose_list doses; /* current supplements */
    cli_absorption abs;  /* absorption modifiers, medications.ppi among them */
    /* what the lists exclude (filled while loading) */
    const mg_diet_foods *foods;
    unsigned char *excluded; /* per food: 0 allowed, 1 preference, 2 allergy */
} plan_scen;

#define O(f) offsetof(plan_scen, f)
static const mg_scen_key plan_keys[] = {
    {"person.age_y", MG_SCEN_NUMBER, 0, O(age_y), "y", 18, 100, 0, NULL,
     "age (adults: the sleep model and the adult UL)", "user input"},
    {"person.sex", MG_SCEN_ENUM, 0, O(sex), "", 0, 0, 0, sexes, "sex (dietary reference intakes)",
     "user input"},
    {"person.weight_kg", MG_SCEN_NUMBER, 0, O(weight_kg), "kg", 30, 250, 0, NULL,
     "body weight (scales volumes and pools; threonate dose band)", "user input"},
    {"person.egfr_ml_min", MG_SCEN_NUMBER, 0, O(egfr_ml_min), "mL/min", 0, 300, MG_SCEN_MIN_EXCL,
     NULL,
     "estimated glomerular filtration rate (< 30: no supplement without a clinician; < 60: "
     "caution)",
     "125 mL/min = 180 L/day (refs magnesium-physiology s2.2); thresholds: KDIGO 2012 GFR "
     "categories G4 (< 30) and G3 (30-59)"},
    {"diet.mg_per_day", MG_SCEN_NUMBER, 0, O(mg_per_day), "mg/day", 0, 5000, 0, NULL,
     "dietary Mg, three meals at 08:00, 13:00 and 19:00 (unless diet.plan is given)",
     "user input; 300 mg/day is near the US mean intake (refs magnesium-physiology s12)"},
    {"diet.plan", MG_SCEN_TEXT, 0, O(plan), "", 0, 0, 0, NULL,
     "a diet plan file (as for mgsim diet; relative to this profile) whose daily intake, after "
     "its own processing and soil scenario, replaces diet.mg_per_day; \"\": none",
     "user input"},
    {"goal", MG_SCEN_ENUM, 0, O(goal), "", 0, 0, 0, goals,
     "what the person wants: timing of a supplement (learning = focus)", "user input"},
    {"sleep.bedtime", MG_SCEN_CLOCK, 0, O(bedtime_h), "", 0, 0, 0, NULL, "lights off",
     "user input"},
    {"sleep.time_in_bed_h", MG_SCEN_NUMBER, 0, O(time_in_bed_h), "h", 0, 24,
     MG_SCEN_MIN_EXCL | MG_SCEN_MAX_EXCL, NULL, "lights off to lights on", "user input"},
    {"plan.sleep_lead_min", MG_SCEN_NUMBER, 0, O(sleep_lead_min), "min", 30, 60, 0, NULL,
     "goal sleep: the dose is taken this long before bedtime",
     "assumption: the 30-60 min window of issue 6; no trial compared dose times"},
    {"plan.general_dose_time", MG_SCEN_CLOCK, 0, O(general_clock_h), "", 0, 0, 0, NULL,
     "goal general: the dose is taken with the largest meal, taken to be dinner",
     "assumption: the model's three meals are equal; a meal raises absorption by 14 % "
     "(Sabatier et al. 2002, refs magnesium-physiology s9)"},
    {"plan.breakfast_time", MG_SCEN_CLOCK, 0, O(breakfast_h), "", 0, 0, 0, NULL,
     "goal focus/learning: the dose is taken with breakfast (the model's meals stay at "
     "08:00, 13:00 and 19:00)",
     "the model's first meal (src/cli/scen_lists.h)"},
    {"plan.dose_step_mg", MG_SCEN_NUMBER, 0, O(dose_step_mg), "mg", 1, 350, 0, NULL,
     "a supplement dose is rounded up to a multiple of this (then capped at the UL)",
     "assumption: common tablet sizes"},
    {"plan.max_portions_per_food", MG_SCEN_UINT, 0, O(max_portions), "", 1, 5, 0, NULL,
     "at most this many portions of one food are suggested", "assumption (no absurd amounts)"},
    {"plan.max_foods", MG_SCEN_UINT, 0, O(max_foods), "", 1, MAX_ADDITIONS, 0, NULL,
     "at most this many foods are suggested", "assumption (a short list)"},
    {"plan.mgt_elemental_fraction", MG_SCEN_NUMBER, 0, O(mgt_elemental_fraction), "", 0.072, 0.083,
     0, NULL, "elemental Mg per g of Mg L-threonate",
     "EFSA 2024 specification 7.2-8.3 % (refs magnesium-physiology s15.1); midpoint"},
    {"duration_days", MG_SCEN_UINT, 0, O(days), "d", 1, 365, 0, NULL,
     "days each option is simulated (readouts: means over the last 7 days)",
     "issue 6: 28 days; a numerical choice"},
    {"seed", MG_SCEN_UINT, 0, O(seed), "", 0, 1.8e19, 0, NULL,
     "seed of every random draw (arousals, probe inputs)", "user input"},
    {"snr.duration_ms", MG_SCEN_NUMBER, 0, O(snr_ms), "ms", 0, 1e7, MG_SCEN_MIN_EXCL, NULL,
     "length of each weekly snr probe",
     "numerical choice: shorter than mgsim run's 5 s to keep mgsim plan fast"},
    {"coupling.mg_sleep.gain_per_mM", MG_SCEN_NUMBER, 0, O(sleep_gain_per_mM), "1/mM", 0, INFINITY,
     0, NULL,
     "goal sleep: brain Mg shifts the sleep model's VLPO threshold (0: off, so the options' "
     "sleep readouts do not differ)",
     "hypothesis, off by default; capped by Abbasi et al. 2012 (docs/models/sleep-stages.md)"},
    CLI_ABSORPTION_KEYS(1),
};
#undef O

static const char *const plan_custom[] = {"preferences", "allergies", "regimen.doses", NULL};
static const mg_scen_schema plan_schema = {plan_keys, sizeof plan_keys / sizeof plan_keys[0],
                                           plan_custom};

static void plan_defaults(plan_scen *s) {
    memset(s, 0, sizeof *s);
    cli_absorption_defaults(&s->abs);
    mg_couple_spec c;
    mg_couple_defaults(&c);
    s->age_y = 40;
    s->sex = 0;
    s->weight_kg = 70;
    s->egfr_ml_min = c.kin.gfr_ml_min;
    s->mg_per_day = 300;
    s->goal = GOAL_GENERAL;
    s->bedtime_h = c.sched.bedtime_h;
    s->time_in_bed_h = c.sched.time_in_bed_h;
    s->sleep_lead_min = 45;
    s->general_clock_h = 19;
    s->breakfast_h = 8;
    s->dose_step_mg = 25;
    s->max_portions = 2;
    s->max_foods = 4;
    s->mgt_elemental_fraction = 0.0775;
    s->days = 28;
    s->seed = 1;
    s->snr_ms = 2000;
    s->sleep_gain_per_mM = c.sleep.mg_gain_per_mM;
}

/* ---- preferences and allergies ---- */

typedef struct {
    const char *name;
    const char *groups[5]; /* food groups excluded */
    const char *names[13]; /* word-start substrings of food names excluded */
    const char *except[2]; /* ... unless the name holds one of these */
    const char *source;
} plan_rule;

/* Diet styles (preferences): food groups of data/foods.csv they exclude. */
static const plan_rule styles[] = {
    {"vegetarian", {"meat", "fish"}, {NULL}, {NULL}, "definition: no meat, poultry or fish"},
    {"pescatarian", {"meat"}, {NULL}, {NULL}, "definition: fish but no meat or poultry"},
    {"vegan", {"meat", "fish", "dairy", "eggs"}, {NULL}, {NULL}, "definition: no animal foods"},
};

/* Allergens: groups and word-start name substrings excluded. FALCPA 2004 / FASTER Act 2021 major
 * food allergens (milk, egg, fish, shellfish, tree nuts, peanuts, wheat, soy, sesame); gluten
 * adds barley, rye and oats (cross-contact; assumption). */
static const plan_rule allergens[] = {
    {"peanut", {NULL}, {"peanut", "mixed nuts"}, {NULL}, "FALCPA 2004 major allergen"},
    {"tree nuts",
     {NULL},
     {"almond", "brazil", "cashew", "hazelnut", "macadamia", "pecan", "pine nut", "pistachio",
      "walnut", "mixed nuts"},
     {NULL},
     "FALCPA 2004 major allergen (FDA list; coconut not included, FDA guidance 2025)"},
    {"dairy", {"dairy"}, {NULL}, {NULL}, "FALCPA 2004 major allergen (milk): the dairy group"},
    {"milk", {"dairy"}, {NULL}, {NULL}, "FALCPA 2004 major allergen (milk): the dairy group"},
    {"egg", {"eggs"}, {NULL}, {NULL}, "FALCPA 2004 major allergen: the eggs group"},
    {"fish",
     {"fish"},
     {NULL},
     {NULL},
     "FALCPA 2004 major allergen: the fish group (holds shrimp too)"},
    {"shellfish",
     {NULL},
     {"shrimp", "crab", "lobster", "clam", "oyster", "mussel", "scallop", "squid"},
     {"mushroom"},
     "FALCPA 2004 major allergen (crustacean shellfish; molluscs added)"},
    {"soy",
     {NULL},
     {"soy", "edamame", "tofu", "tempeh", "miso", "natto", "green soybeans"},
     {NULL},
     "FALCPA 2004 major allergen"},
    {"wheat",
     {NULL},
     {"wheat", "whole-wheat", "bread", "pasta", "semolina", "couscous", "bulgur", "spelt", "soba",
      "white flour", "white bread"},
     {"buckwheat"},
     "FALCPA 2004 major allergen"},
    {"gluten",
     {NULL},
     {"wheat", "whole-wheat", "bread", "pasta", "semolina", "couscous", "bulgur", "spelt", "soba",
      "white flour", "barley", "rye", "oat"},
     {"buckwheat"},
     "wheat, barley, rye (Codex Stan 118-1979); oats excluded as assumption (cross-contact)"},
    {"sesame", {NULL}, {"sesame", "tahini"}, {NULL}, "FASTER Act 2021 major allergen"},
};
#define N_STYLES    (sizeof styles / sizeof styles[0])
#define N_ALLERGENS (sizeof allergens / sizeof allergens[0])

/* Does needle occur in name at the start of a word (after the start, a space, '-' or '(')? */
static int word_match(const char *name, const char *needle) {
    size_t n = strlen(needle);
    if (n == 0)
        return 0;
    for (const char *p = name; (p = strstr(p, needle)) != NULL; p++)
        if (p == name || p[-1] == ' ' || p[-1] == '-' || p[-1] == '(')
            return 1;
    return 0;
}

static int is_group(const mg_diet_foods *foods, const char *g) {
    for (size_t i = 0; i < mg_diet_foods_count(foods); i++)
        if (strcmp(mg_diet_foods_at(foods, i)->group, g) == 0)
            return 1;
    return 0;
}

/* The distinct food groups of the table, in table order, joined by ", ". */
static void group_list(const mg_diet_foods *foods, char *buf, size_t cap) {
    buf[0] = '\0';
    const char *seen[MAX_GROUPS];
    size_t n = 0;
    for (size_t i = 0; i < mg_diet_foods_count(foods); i++) {
        const char *g = mg_diet_foods_at(foods, i)->group;
        int dup = 0;
        for (size_t k = 0; k < n; k++)
            dup |= strcmp(seen[k], g) == 0;
        if (dup || n == MAX_GROUPS)
            continue;
        seen[n++] = g;
        size_t len = strlen(buf);
        snprintf(buf + len, cap - len, "%s%s", n > 1 ? ", " : "", g);
    }
}

/* Mark (with tag) every food of one of groups or whose name holds one of names at a word
 * start, unless it holds one of except; returns how many foods match. */
static size_t exclude(plan_scen *s, const char *const *groups, size_t ng, const char *const *names,
                      size_t nn, const char *const *except, size_t ne, unsigned char tag) {
    size_t k = 0;
    for (size_t i = 0; i < mg_diet_foods_count(s->foods); i++) {
        const mg_diet_food *f = mg_diet_foods_at(s->foods, i);
        int hit = 0;
        for (size_t g = 0; g < ng && groups[g]; g++)
            hit |= strcmp(f->group, groups[g]) == 0;
        for (size_t m = 0; m < nn && names[m]; m++)
            hit |= word_match(f->name, names[m]);
        for (size_t m = 0; m < ne && except[m]; m++)
            hit &= strstr(f->name, except[m]) == NULL;
        if (hit) {
            if (!s->excluded[i])
                s->excluded[i] = tag;
            k++;
        }
    }
    return k;
}

/* A list of strings (preferences or allergies). */
static mg_status load_names(mg_context *ctx, const mg_yaml_doc *doc, const char *key,
                            const mg_yaml_node *node, plan_scen *s, int allergy) {
    char loc[320], groups[512], valid[1024];
    if (node->kind == MG_YAML_NULL)
        return MG_OK;
    if (node->kind != MG_YAML_SEQ || node->n > MAX_LIST)
        return mg_error_raise(ctx, MG_ERR_CONFIG, "%s: %s: expected a list of at most %d names",
                              mg_yaml_loc(doc, node, 0, loc, sizeof loc), key, MAX_LIST);
    group_list(s->foods, groups, sizeof groups);
    valid[0] = '\0';
    for (size_t k = 0; k < (allergy ? N_ALLERGENS : N_STYLES); k++) {
        size_t len = strlen(valid);
        snprintf(valid + len, sizeof valid - len, "%s%s", k ? ", " : "",
                 allergy ? allergens[k].name : styles[k].name);
    }
    for (size_t i = 0; i < node->n; i++) {
        const mg_yaml_node *e = node->items[i];
        if (e->kind != MG_YAML_SCALAR || strlen(e->str) >= MG_SCEN_TEXT_MAX)
            return mg_error_raise(
                ctx, MG_ERR_CONFIG, "%s: %s[%zu]: expected a name (shorter than %d characters)",
                mg_yaml_loc(doc, e, 0, loc, sizeof loc), key, i, MG_SCEN_TEXT_MAX);
        char name[MG_SCEN_TEXT_MAX];
        size_t n = 0;
        for (; e->str[n]; n++)
            name[n] = (char)tolower((unsigned char)e->str[n]);
        name[n] = '\0';
        const plan_rule *r = NULL;
        for (size_t k = 0; k < (allergy ? N_ALLERGENS : N_STYLES); k++)
            if (strcmp(name, allergy ? allergens[k].name : styles[k].name) == 0)
                r = allergy ? &allergens[k] : &styles[k];
        size_t hits = 0;
        const char *one[1] = {name};
        if (r)
            hits = exclude(s, r->groups, 5, r->names, 13, r->except, 2,
                           (unsigned char)(allergy ? 2 : 1));
        else if (is_group(s->foods, name))
            hits = exclude(s, one, 1, NULL, 0, NULL, 0, (unsigned char)(allergy ? 2 : 1));
        else if (allergy && name[0])
            hits = exclude(s, NULL, 0, one, 1, NULL, 0, 2);
        if (!r && hits == 0)
            return mg_error_raise(
                ctx, MG_ERR_CONFIG,
                allergy ? "%s: %s[%zu]: unknown allergy '%s'; valid: an allergen (%s), a food "
                          "group (%s) or a word of a food name in data/foods.csv"
                        : "%s: %s[%zu]: unknown preference '%s'; valid: a diet style (%s) or a "
                          "food group to exclude (%s)",
                mg_yaml_loc(doc, e, 0, loc, sizeof loc), key, i, e->str, valid, groups);
        char(*list)[MG_SCEN_TEXT_MAX] = allergy ? s->allergies : s->prefs;
        size_t *nl = allergy ? &s->n_allergies : &s->n_prefs;
        snprintf(list[*nl], MG_SCEN_TEXT_MAX, "%s", name);
        (*nl)++;
    }
    return MG_OK;
}

static mg_status load_custom(mg_context *ctx, const mg_yaml_doc *doc, const char *key,
                             const mg_yaml_node *node, void *data) {
    plan_scen *s = data;
    if (strcmp(key, "regimen.doses") == 0)
        return cli_load_doses(ctx, doc, key, node, &s->doses);
    return load_names(ctx, doc, key, node, s, strcmp(key, "allergies") == 0);
}

/* ---- foods that close the gap ---- */

/* Foods suggested only when eaten as they are in the table: not flours, dry or raw staples,
 * brans, germs, starches or 100-g reference rows (assumption, docs/planner.md). */
static int ready_to_eat(const mg_diet_food *f) {
    static const char *const words[] = {"flour",    "dry",        "uncooked",  "raw",   "bran",
                                        "germ",     "starch",     "cornmeal",  "grain", "hulled",
                                        "semolina", "wheat hard", "human milk"};
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
        if (word_match(f->name, words[k]) &&
            !(strcmp(words[k], "hulled") == 0 && strcmp(f->group, "nuts_seeds") == 0))
            return 0;
    /* grains: only as cooked or as bread or breakfast cereal, not as the raw staple */
    if (strcmp(f->group, "grains") == 0 && !word_match(f->name, "cooked") &&
        !word_match(f->name, "bread") && !word_match(f->name, "cereal") &&
        !word_match(f->name, "instant"))
        return 0;
    /* nuts, seeds and sweets: at most a 1-oz serving (NIH ODS Table 2 servings) */
    int dense = strcmp(f->group, "nuts_seeds") == 0 || strcmp(f->group, "sweets") == 0;
    return strcmp(f->portion_desc, "100 g") != 0 && f->portion_g <= (dense ? 30.0 : 300.0);
}

typedef struct {
    const mg_diet_food *food;
    unsigned portions;
    double mg; /* Mg of all portions */
} plan_addition;

typedef struct {
    size_t index;
    double mg_portion;
} ranked;

static int by_portion(const void *a, const void *b) {
    const ranked *x = a, *y = b;
    if (x->mg_portion != y->mg_portion)
        return x->mg_portion < y->mg_portion ? 1 : -1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Greedy: one portion each of the best foods of distinct groups, then further portions of
 * those (up to max_portions), then foods of any group, until the gap is closed or max_foods
 * foods are listed. Returns the number of additions; *added receives their Mg. */
static size_t close_gap(const plan_scen *s, double gap, plan_addition *add, double *added,
                        size_t *n_allowed) {
    size_t n = mg_diet_foods_count(s->foods), m = 0, na = 0;
    ranked *r = calloc(n ? n : 1, sizeof *r);
    *added = 0;
    *n_allowed = 0;
    if (!r)
        return 0;
    for (size_t i = 0; i < n; i++) {
        const mg_diet_food *f = mg_diet_foods_at(s->foods, i);
        if (!s->excluded[i] && ready_to_eat(f))
            r[m++] = (ranked){i, f->mg_per_100g * f->portion_g / 100.0};
    }
    *n_allowed = m;
    qsort(r, m, sizeof *r, by_portion);
    double left = gap;
    /* pass 0: one portion, distinct groups; pass 1: more portions; pass 2: any group */
    for (int pass = 0; pass < 3 && left > 0; pass++) {
        if (pass == 1) {
            for (size_t a = 0; a < na && left > 0; a++) {
                double mp = add[a].mg / add[a].portions;
                while (add[a].portions < s->max_portions && left > 0) {
                    add[a].portions++;
                    add[a].mg += mp;
                    left -= mp;
                }
            }
            continue;
        }
        for (size_t k = 0; k < m && left > 0 && na < s->max_foods; k++) {
            const mg_diet_food *f = mg_diet_foods_at(s->foods, r[k].index);
            int used = 0;
            for (size_t a = 0; a < na; a++)
                used |=
                    add[a].food == f || (pass == 0 && strcmp(add[a].food->group, f->group) == 0);
            if (used)
                continue;
            unsigned p = 1;
            if (pass == 2)
                while (p < s->max_portions && p * r[k].mg_portion < left)
                    p++;
            add[na++] = (plan_addition){f, p, p * r[k].mg_portion};
            left -= p * r[k].mg_portion;
        }
    }
    for (size_t a = 0; a < na; a++)
        *added += add[a].mg;
    free(r);
    return na;
}

/* ---- regimen options ---- */

typedef struct {
    char key[24];
    char label[160];
    double diet_mg;    /* food, mg/day */
    double current_mg; /* the person's current supplements, mg/day elemental */
    double added_mg;   /* the supplement this option adds, mg/day elemental */
    char form[24];     /* of the added supplement ("" when none) */
    double clock_h;    /* its time */
    int with_food;
    char timing[200];   /* the rule, in words */
    char evidence[300]; /* why this form, and how good the evidence is */
    int clinician_only; /* eGFR < 30 */
    /* predictions: means over the last (up to) 7 days */
    double serum, csf, brain, nmda, ltp, snr, tst, n3;
    double csf_first;
} plan_option;

static double round_up(double x, double step) {
    return ceil(x / step - 1e-9) * step;
}

/* The supplement dose for a gap: rounded up to the step, capped at budget (rounded down). */
static double dose_for(double gap, double budget, double step) {
    if (gap <= 0 || budget < step)
        return 0;
    double d = round_up(gap, step), cap = floor(budget / step + 1e-9) * step;
    return d < cap ? d : cap;
}

static void set_timing(const plan_scen *s, plan_option *o) {
    char c[8], b[8];
    if (s->goal == GOAL_SLEEP) {
        o->clock_h = fmod(s->bedtime_h - s->sleep_lead_min / 60.0 + 24.0, 24.0);
        o->with_food = 0;
        snprintf(o->timing, sizeof o->timing, "%s, %.0f min before bedtime (%s), every day",
                 mg_scen_format_clock(o->clock_h, c, sizeof c), s->sleep_lead_min,
                 mg_scen_format_clock(s->bedtime_h, b, sizeof b));
    } else if (s->goal == GOAL_FOCUS || s->goal == GOAL_LEARNING) {
        o->clock_h = s->breakfast_h;
        o->with_food = 1;
        snprintf(o->timing, sizeof o->timing, "%s, in the morning with breakfast, every day",
                 mg_scen_format_clock(o->clock_h, c, sizeof c));
    } else {
        o->clock_h = s->general_clock_h;
        o->with_food = 1;
        snprintf(o->timing, sizeof o->timing, "%s, with the largest meal (dinner), every day",
                 mg_scen_format_clock(o->clock_h, c, sizeof c));
    }
}

#define CITRATE_EVIDENCE                                                                           \
    "citrate: better absorbed than oxide (Walker et al. 2003; Kappeler et al. 2017); glycinate "   \
    "is an equal choice in the model (Schuette et al. 1994 vs oxide); oxide is avoided (4 % "      \
    "absorbed, Firoz & Graber 2001)"
#define MGT_EVIDENCE                                                                               \
    "Mg L-threonate (Magtein): raised brain Mg and learning in rats (Slutsky et al. 2010); human " \
    "trials are small and industry-funded (Liu et al. 2016, 1.5-2 g/day MgT); ANIMAL-BASED "       \
    "EVIDENCE, an option rather than a recommendation"

/* Build the options; returns how many. */
static size_t build_options(const plan_scen *s, double intake, double gap, double food_added,
                            double ul, double current, plan_option *opt) {
    size_t n = 0;
    double budget = isfinite(ul) ? ul - current : 0;
    int clinician = s->egfr_ml_min < 30;
    plan_option *o = &opt[n++];
    memset(o, 0, sizeof *o);
    snprintf(o->key, sizeof o->key, "current");
    snprintf(o->label, sizeof o->label, "current diet%s", current > 0 ? " and supplements" : "");
    o->diet_mg = intake;
    o->current_mg = current;
    snprintf(o->timing, sizeof o->timing, "as now");
    if (food_added > 0) {
        o = &opt[n++];
        memset(o, 0, sizeof *o);
        snprintf(o->key, sizeof o->key, "food");
        snprintf(o->label, sizeof o->label, "food only: the foods listed (+%.0f mg/day)",
                 food_added);
        o->diet_mg = intake + food_added;
        o->current_mg = current;
        snprintf(o->timing, sizeof o->timing, "with the usual meals, every day");
        snprintf(o->evidence, sizeof o->evidence,
                 "food Mg is as bioavailable as Mg acetate (almonds, Fine et al. 1991); no UL for "
                 "food Mg (IOM 1997)");
    }
    double d = dose_for(gap, budget, s->dose_step_mg);
    if (d > 0) {
        o = &opt[n++];
        memset(o, 0, sizeof *o);
        snprintf(o->key, sizeof o->key, "supplement");
        snprintf(o->label, sizeof o->label, "supplement: %.0f mg/day elemental Mg as citrate", d);
        o->diet_mg = intake;
        o->current_mg = current;
        o->added_mg = d;
        snprintf(o->form, sizeof o->form, "citrate");
        set_timing(s, o);
        snprintf(o->evidence, sizeof o->evidence, "%s", CITRATE_EVIDENCE);
        o->clinician_only = clinician;
    }
    double left = gap - food_added;
    double d2 = dose_for(left, budget, s->dose_step_mg);
    if (food_added > 0 && d2 > 0) {
        o = &opt[n++];
        memset(o, 0, sizeof *o);
        snprintf(o->key, sizeof o->key, "food+supplement");
        snprintf(o->label, sizeof o->label,
                 "the foods listed and %.0f mg/day as citrate for the rest of the gap", d2);
        o->diet_mg = intake + food_added;
        o->current_mg = current;
        o->added_mg = d2;
        snprintf(o->form, sizeof o->form, "citrate");
        set_timing(s, o);
        snprintf(o->evidence, sizeof o->evidence, "%s", CITRATE_EVIDENCE);
        o->clinician_only = clinician;
    }
    if (s->goal == GOAL_FOCUS || s->goal == GOAL_LEARNING) {
        /* Liu et al. 2016: 1.5 g/day MgT below 70 kg, 2 g/day from 70 kg (refs s15.5) */
        double g = s->weight_kg < 70 ? 1.5 : 2.0;
        double mg = floor(g * 1000 * s->mgt_elemental_fraction);
        if (mg > budget)
            mg = budget > 0 ? floor(budget) : 0;
        if (mg > 0) {
            o = &opt[n++];
            memset(o, 0, sizeof *o);
            snprintf(o->key, sizeof o->key, "threonate");
            snprintf(o->label, sizeof o->label,
                     "Mg L-threonate: %.1f g/day MgT = %.0f mg/day elemental (animal-based "
                     "evidence)",
                     mg / s->mgt_elemental_fraction / 1000.0, mg);
            o->diet_mg = intake;
            o->current_mg = current;
            o->added_mg = mg;
            snprintf(o->form, sizeof o->form, "l-threonate");
            set_timing(s, o);
            snprintf(o->evidence, sizeof o->evidence, "%s", MGT_EVIDENCE);
            o->clinician_only = clinician;
        }
    }
    return n;
}

/* ---- predictions ---- */

static mg_status predict(mg_context *ctx, const plan_scen *s, plan_option *o) {
    mg_couple_spec c;
    mg_couple_defaults(&c);
    c.kin = mg_kin_params_default(s->weight_kg);
    c.kin.gfr_ml_min = s->egfr_ml_min;
    c.days = (uint32_t)s->days;
    c.seed = s->seed;
    c.sleep_on = s->goal == GOAL_SLEEP;
    c.sched.bedtime_h = s->bedtime_h;
    c.sched.time_in_bed_h = s->time_in_bed_h;
    c.sleep.age_years = s->age_y;
    c.sleep.mg_gain_per_mM = s->sleep_gain_per_mM;
    c.homeostasis = 1;
    c.snr.duration_ms = s->snr_ms;
    mg_probe_spec probes[2] = {{MG_PROBE_TETANUS, 0, 1, 10.0}, {MG_PROBE_SNR, 0, 7, 10.0}};
    c.probes = probes;
    c.n_probes = 2;
    cli_dose_list *dl = malloc(sizeof *dl);
    if (!dl)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    *dl = s->doses;
    mg_status st = MG_OK;
    if (o->added_mg > 0) {
        if (dl->n_doses >= CLI_MAX_DOSES) {
            size_t n = dl->n_doses;
            free(dl);
            return mg_error_raise(ctx, MG_ERR_DATA,
                                  "regimen.doses: at most %d doses leave room for the plan's, "
                                  "got %zu",
                                  CLI_MAX_DOSES - 1, n);
        }
        cli_dose *d = &dl->doses[dl->n_doses++];
        memset(d, 0, sizeof *d);
        d->clock_h = o->clock_h;
        d->mg = o->added_mg;
        snprintf(d->form, sizeof d->form, "%s", o->form);
        const mg_body_salt_form *row = NULL;
        st = mg_body_salt_forms_lookup(ctx, dl->forms, o->form, &row);
        d->form_factor = st == MG_OK ? row->relative_bioavailability : 1;
        d->with_food = o->with_food;
    }
    mg_kin_event *ev = NULL, start[3];
    size_t n_ev = 0, taken = 0, missed = 0;
    if (st == MG_OK)
        st = cli_build_events(ctx, (size_t)s->days, o->diet_mg, dl, &s->abs, 1.0, s->seed, &ev,
                              &n_ev, &taken, &missed, NULL);
    static const double meal_h[3] = {8.0, 13.0, 19.0};
    for (int m = 0; m < 3; m++)
        start[m] = (mg_kin_event){meal_h[m], s->mg_per_day / 3.0, cli_meal_factor(&s->abs), 1, 0};
    c.events = ev;
    c.n_events = n_ev;
    c.start_day = start;
    /* every option starts from the person as now: the current diet's fed steady state (so
     * the homeostasis set point, the start of the run, is the same for all) */
    c.n_start_day = s->mg_per_day > 0 ? 3 : 0;
    mg_couple_result r;
    memset(&r, 0, sizeof r);
    if (st == MG_OK)
        st = mg_couple_run(ctx, &c, NULL, NULL, &r);
    if (st == MG_OK && r.n_days == 0)
        st = mg_error_raise(ctx, MG_ERR_INTERNAL, "the coupled run completed no day");
    if (st == MG_OK) {
        size_t first = r.n_days > 7 ? r.n_days - 7 : 0, k = r.n_days - first;
        o->serum = o->csf = o->brain = o->tst = o->n3 = 0;
        for (size_t d = first; d < r.n_days; d++) {
            o->serum += r.days[d].serum_total_mM / (double)k;
            o->csf += r.days[d].csf_mM / (double)k;
            o->brain += r.days[d].brain_mg_mM / (double)k;
            o->tst += r.days[d].sleep.total_sleep_min / (double)k;
            o->n3 += r.days[d].sleep.n3_pct / (double)k;
        }
        if (!c.sleep_on)
            o->tst = o->n3 = NAN;
        o->csf_first = r.days[0].csf_mM;
        o->nmda = r.days[r.n_days - 1].nmda_scale;
        double lsum = 0, ssum = 0, slast = NAN;
        size_t ln = 0, sn = 0;
        for (size_t i = 0; i < r.n_probes; i++) {
            const mg_couple_probe *p = &r.probes[i];
            if (p->kind == MG_PROBE_SNR)
                slast = p->snr;
            if (p->day < first)
                continue;
            if (p->kind == MG_PROBE_TETANUS) {
                lsum += p->weight_change_percent;
                ln++;
            } else if (p->kind == MG_PROBE_SNR) {
                ssum += p->snr;
                sn++;
            }
        }
        o->ltp = ln ? lsum / (double)ln : NAN;
        o->snr = sn ? ssum / (double)sn : slast;
    }
    mg_couple_result_free(&r);
    free(ev);
    free(dl);
    return st;
}

/* Run every option (in parallel; each has its own context, so the numbers do not depend on
 * the thread count). */
static mg_status predict_all(mg_context *ctx, const plan_scen *s, plan_option *opt, size_t n) {
    long long bad = -1;
    mg_status bad_st = MG_OK;
    char bad_msg[512] = "";
#pragma omp parallel for schedule(dynamic, 1)
    for (long long i = 0; i < (long long)n; i++) {
        mg_context *t = mg_context_create();
        mg_status st = t ? predict(t, s, &opt[i]) : MG_ERR_NOMEM;
        if (st != MG_OK) {
#pragma omp critical(mg_plan_error)
            {
                if (bad < 0 || i < bad) {
                    bad = i;
                    bad_st = st;
                    snprintf(bad_msg, sizeof bad_msg, "%s",
                             t ? mg_error_message(t) : "out of memory");
                }
            }
        }
        mg_context_destroy(&t);
    }
    if (bad >= 0)
        return mg_error_raise(ctx, bad_st, "option %s: %s", opt[bad].key, bad_msg);
    return MG_OK;
}

/* ---- help ---- */

void cli_plan_help(FILE *out) {
    fputs("Usage: mgsim plan PROFILE.yaml [-o DIR] [--set KEY=VALUE]... [--quiet]\n"
          "\n"
          "A person's magnesium plan: the day's intake against the RDA, EAR and UL for age and\n"
          "sex, the gap to the RDA, foods of data/foods.csv that close it (respecting\n"
          "preferences and allergies; ranked by Mg per typical portion), regimen options by\n"
          "goal (food only; a supplement sized to the gap as citrate; for focus/learning also\n"
          "Mg L-threonate, flagged as animal-based evidence), never above the 350 mg/day UL\n"
          "for supplemental Mg, warnings for kidney impairment and proton-pump inhibitors, and\n"
          "each option's predicted serum, CSF and brain Mg, NMDA expression, LTP and snr (and,\n"
          "for the sleep goal, total sleep and N3) after DAYS days of the coupled model, side\n"
          "by side. Timing: focus/learning in the morning with breakfast; sleep 30-60 minutes\n"
          "before bedtime; general with the largest meal. Consistency first: the same dose at\n"
          "the same time every day. Model prediction, not medical advice. docs/planner.md\n"
          "\n"
          "Options:\n"
          "  -o, --output DIR  write the files below into DIR (created; all or nothing;\n"
          "                    default results/plan)\n"
          "  --set KEY=VALUE   set one key (repeatable), after the file is read\n"
          "  -q, --quiet       print only warnings and errors\n"
          "  -h, --help        show this help\n"
          "\n"
          "Keys (KEY = default  (type, unit; range)  meaning [source]):\n",
          out);
    plan_scen *s = malloc(sizeof *s);
    if (s) {
        plan_defaults(s);
        void *bases[2] = {s, &s->abs};
        mg_scen_print_keys(out, &plan_schema, bases);
        free(s);
    }
    fputs("\n"
          "  preferences: a list of diet styles (vegetarian, pescatarian, vegan) and/or food\n"
          "      groups to leave out (beverages, dairy, eggs, fish, fruit, grains, legumes,\n"
          "      meat, nuts_seeds, sweets, vegetables).\n"
          "  allergies: a list of allergens (peanut, tree nuts, dairy, milk, egg, fish,\n"
          "      shellfish, soy, wheat, gluten, sesame), food groups, or words of food names;\n"
          "      every food they match is left out.\n"
          "  regimen.doses: the current supplements, a list of {time: \"HH:MM\", mg: ELEMENTAL\n"
          "      mg, form: NAME, with_food: true|false} (forms: data/salt_forms.csv); they count\n"
          "      against the UL.\n"
          "\n"
          "Examples: examples/plan/*.yaml\n"
          "\n"
          "Files written to DIR: summary.json (assessment, foods, every option with its\n"
          "predictions, warnings, every parameter with its source), profile.resolved.yaml,\n"
          "report.html (tables, and per readout a bar chart of the change from the current\n"
          "option).\n"
          "\n"
          "Exit status: 0 done; 64 bad command line; 65 a value out of range; 66 the profile\n"
          "or a data table cannot be read; 73/74 DIR or a file cannot be written; 78 unknown\n"
          "key, food group, allergy or form.\n",
          out);
}

/* ---- outputs ---- */

static json_t *num_or_null(double v) {
    return isfinite(v) ? json_real(v) : json_null();
}

static void yaml_string(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static mg_status write_resolved(mg_context *ctx, cli_outset *out, const cli_common_opts *o,
                                plan_scen *s) {
    void *bases[2] = {s, &s->abs};
    FILE *f = cli_outset_open(ctx, out, "profile.resolved.yaml");
    if (!f)
        return mg_error_status(ctx);
    fprintf(f, "# mgsim %s: every key of %s after --set, as used\n", mg_version_string(), o->input);
    mg_scen_write_yaml(f, &plan_schema, bases);
    fputs("preferences: [", f);
    for (size_t i = 0; i < s->n_prefs; i++) {
        fputs(i ? ", " : "", f);
        yaml_string(f, s->prefs[i]);
    }
    fputs("]\nallergies: [", f);
    for (size_t i = 0; i < s->n_allergies; i++) {
        fputs(i ? ", " : "", f);
        yaml_string(f, s->allergies[i]);
    }
    fputs("]\nregimen:\n  doses:\n", f);
    if (s->doses.n_doses == 0)
        fputs("    []\n", f);
    for (size_t i = 0; i < s->doses.n_doses; i++) {
        char c[8];
        const cli_dose *d = &s->doses.doses[i];
        fprintf(f, "    - {time: \"%s\", mg: %.17g, form: %s, with_food: %s}\n",
                mg_scen_format_clock(d->clock_h, c, sizeof c), d->mg, d->form,
                d->with_food ? "true" : "false");
    }
    return cli_outset_close(ctx, f, "profile.resolved.yaml");
}

typedef struct {
    const mg_diet_assessment *a;
    double gap;
    const plan_addition *add;
    size_t n_add, n_allowed;
    double food_added;
    const plan_option *opt;
    size_t n_opt;
    json_t *warnings;
} plan_result;

static mg_status write_summary(mg_context *ctx, cli_outset *out, const cli_common_opts *o,
                               plan_scen *s, const plan_result *p) {
    void *bases[2] = {s, &s->abs};
    json_t *root = json_object(), *foods = json_array(), *opts = json_array();
    if (!root || !foods || !opts) {
        json_decref(root);
        json_decref(foods);
        json_decref(opts);
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    }
    json_object_set_new(root, "version", json_string(mg_version_string()));
    json_object_set_new(root, "command", json_string("plan"));
    json_object_set_new(root, "profile", json_string(o->input));
    json_object_set_new(root, "goal", json_string(goals[s->goal]));
    json_t *as = json_object();
    json_object_set_new(as, "intake_mg_per_day", json_real(p->a->intake_mg_per_day));
    json_object_set_new(as, "rda_mg", num_or_null(p->a->rda_mg));
    json_object_set_new(as, "ear_mg", num_or_null(p->a->ear_mg));
    json_object_set_new(as, "ul_supplement_mg", num_or_null(p->a->ul_supplement_mg));
    json_object_set_new(as, "percent_rda", num_or_null(p->a->percent_rda));
    json_object_set_new(as, "verdict", json_string(mg_diet_verdict_string(p->a->verdict)));
    json_object_set_new(as, "gap_mg", json_real(p->gap));
    json_object_set_new(root, "assessment", as);
    json_t *ex = json_array();
    for (size_t i = 0; i < mg_diet_foods_count(s->foods); i++)
        if (s->excluded[i])
            json_array_append_new(ex, json_string(mg_diet_foods_at(s->foods, i)->name));
    json_object_set_new(root, "excluded_foods", ex);
    json_object_set_new(root, "allowed_foods", json_integer((json_int_t)p->n_allowed));
    for (size_t i = 0; i < p->n_add; i++)
        json_array_append_new(
            foods, json_pack("{s:s, s:s, s:i, s:s, s:f, s:f}", "name", p->add[i].food->name,
                             "group", p->add[i].food->group, "portions", (int)p->add[i].portions,
                             "portion", p->add[i].food->portion_desc, "grams",
                             p->add[i].portions * p->add[i].food->portion_g, "mg", p->add[i].mg));
    json_object_set_new(root, "food_additions", foods);
    json_object_set_new(root, "food_added_mg", json_real(p->food_added));
    json_object_set_new(root, "intake_with_foods_mg",
                        json_real(p->a->intake_mg_per_day + p->food_added));
    for (size_t i = 0; i < p->n_opt; i++) {
        const plan_option *x = &p->opt[i];
        char c[8];
        json_t *j = json_object();
        json_object_set_new(j, "key", json_string(x->key));
        json_object_set_new(j, "label", json_string(x->label));
        json_object_set_new(j, "diet_mg_per_day", json_real(x->diet_mg));
        json_object_set_new(j, "current_supplement_mg_per_day", json_real(x->current_mg));
        json_object_set_new(j, "added_supplement_mg_per_day", json_real(x->added_mg));
        json_object_set_new(j, "supplement_mg_per_day", json_real(x->current_mg + x->added_mg));
        json_object_set_new(j, "form", x->form[0] ? json_string(x->form) : json_null());
        json_object_set_new(j, "time",
                            x->added_mg > 0
                                ? json_string(mg_scen_format_clock(x->clock_h, c, sizeof c))
                                : json_null());
        json_object_set_new(j, "with_food", json_boolean(x->with_food));
        json_object_set_new(j, "timing", json_string(x->timing));
        json_object_set_new(j, "evidence", json_string(x->evidence));
        json_object_set_new(j, "clinician_only", json_boolean(x->clinician_only));
        json_t *pr = json_object();
        json_object_set_new(pr, "serum_total_mM", json_real(x->serum));
        json_object_set_new(pr, "csf_mM", json_real(x->csf));
        json_object_set_new(pr, "csf_mM_first_day", json_real(x->csf_first));
        json_object_set_new(pr, "brain_mg_mM", json_real(x->brain));
        json_object_set_new(pr, "nmda_scale", json_real(x->nmda));
        json_object_set_new(pr, "ltp_percent", num_or_null(x->ltp));
        json_object_set_new(pr, "snr", num_or_null(x->snr));
        json_object_set_new(pr, "total_sleep_min", num_or_null(x->tst));
        json_object_set_new(pr, "n3_pct", num_or_null(x->n3));
        json_object_set_new(j, "predicted", pr);
        json_array_append_new(opts, j);
    }
    json_object_set_new(root, "options", opts);
    json_object_set_new(root, "days", json_integer((json_int_t)s->days));
    json_object_set_new(root, "readouts_over",
                        json_string("means over the last 7 days (NMDA expression: last day)"));
    json_object_set_new(root, "warnings", json_copy(p->warnings));
    json_object_set_new(root, "parameters", mg_scen_params_json(&plan_schema, bases));
    json_object_set_new(root, "note", json_string(PLAN_NOTE));
    mg_status st = cli_outset_json(ctx, out, "summary.json", root);
    json_decref(root);
    return st;
}

static const char *fmt(char *buf, size_t cap, const char *f, double v) {
    if (!isfinite(v))
        snprintf(buf, cap, "-");
    else
        snprintf(buf, cap, f, v);
    return buf;
}

#define N_READOUTS 8
static const char *const readout_names[N_READOUTS] = {
    "serum total Mg (mM)", "CSF Mg (mM)",    "brain free Mg (mM)",
    "NMDA expression (x)", "LTP (%)",        "snr",
    "total sleep (min)",   "N3 (% of sleep)"};
static const char *const readout_fmt[N_READOUTS] = {"%.3f", "%.3f", "%.3f", "%.3f",
                                                    "%.1f", "%.3f", "%.0f", "%.1f"};

static double readout(const plan_option *o, int k) {
    const double v[N_READOUTS] = {o->serum, o->csf, o->brain, o->nmda,
                                  o->ltp,   o->snr, o->tst,   o->n3};
    return v[k];
}

static mg_status write_report(mg_context *ctx, cli_outset *out, plan_scen *s,
                              const plan_result *p) {
    void *bases[2] = {s, &s->abs};
    mg_report *rep = mg_report_create("mgsim plan: a magnesium plan with predictions");
    if (!rep)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    char text[1024], cells[MAX_OPTIONS * 12][64];
    const char *cp[MAX_OPTIONS * 12];
    snprintf(text, sizeof text,
             "%.0f y %s, %.0f kg, goal %s. Diet %.0f mg/day: %.0f %% of the RDA (%.0f mg/day), %s. "
             "Gap to the RDA: %.0f mg/day. The UL for supplemental Mg is %.0f mg/day (food Mg has "
             "no UL). Consistency first: whichever option, the same amount at the same time every "
             "day.",
             s->age_y, sexes[s->sex], s->weight_kg, goals[s->goal], p->a->intake_mg_per_day,
             p->a->percent_rda, p->a->rda_mg, mg_diet_verdict_string(p->a->verdict), p->gap,
             p->a->ul_supplement_mg);
    mg_status st = mg_report_text(ctx, rep, text);
    for (size_t i = 0; st == MG_OK && i < json_array_size(p->warnings); i++)
        st = mg_report_text(ctx, rep, json_string_value(json_array_get(p->warnings, i)));
    if (st == MG_OK)
        st = mg_report_heading(ctx, rep, "Intake");
    if (st == MG_OK) {
        const char *labels[4] = {"diet now", "diet with the foods", "EAR", "RDA"};
        double vals[4] = {p->a->intake_mg_per_day, p->a->intake_mg_per_day + p->food_added,
                          p->a->ear_mg, p->a->rda_mg};
        st = mg_report_bars(ctx, rep, "Daily magnesium against the EAR and RDA", "", "mg/day", 4,
                            labels, vals);
    }
    if (st == MG_OK)
        st = mg_report_heading(ctx, rep, "Foods that close the gap");
    if (st == MG_OK && p->n_add > 0) {
        static const char *const h[5] = {"food", "group", "amount", "g", "Mg (mg)"};
        size_t k = 0;
        for (size_t i = 0; i < p->n_add && i < MAX_ADDITIONS; i++) {
            const plan_addition *a = &p->add[i];
            snprintf(cells[k], 64, "%s", a->food->name);
            snprintf(cells[k + 1], 64, "%s", a->food->group);
            snprintf(cells[k + 2], 64, "%u x %s", a->portions, a->food->portion_desc);
            snprintf(cells[k + 3], 64, "%.0f", a->portions * a->food->portion_g);
            snprintf(cells[k + 4], 64, "%.0f", a->mg);
            for (int c = 0; c < 5; c++)
                cp[k + (size_t)c] = cells[k + (size_t)c];
            k += 5;
        }
        st = mg_report_table(ctx, rep, "Additions, ranked by Mg per typical portion", 5, h,
                             p->n_add, cp);
    }
    if (st == MG_OK) {
        snprintf(text, sizeof text,
                 p->n_add ? "With these the diet gives %.0f mg/day. %zu foods of the table were "
                            "allowed by the preferences and allergies."
                          : "No food needs adding (%.0f mg/day). %zu foods of the table were "
                            "allowed by the preferences and allergies.",
                 p->a->intake_mg_per_day + p->food_added, p->n_allowed);
        st = mg_report_text(ctx, rep, text);
    }
    if (st == MG_OK)
        st = mg_report_heading(ctx, rep, "Regimen options");
    if (st == MG_OK) {
        static const char *const h[6] = {
            "option", "what", "diet (mg/day)", "supplements (mg/day)", "when", "evidence"};
        char big[MAX_OPTIONS][2][320];
        const char *c6[MAX_OPTIONS * 6];
        for (size_t i = 0; i < p->n_opt; i++) {
            const plan_option *x = &p->opt[i];
            snprintf(cells[2 * i], 64, "%.0f", x->diet_mg);
            snprintf(cells[2 * i + 1], 64, "%.0f", x->current_mg + x->added_mg);
            snprintf(big[i][0], sizeof big[i][0], "%s%s", x->label,
                     x->clinician_only ? " (ONLY WITH A CLINICIAN: eGFR below 30)" : "");
            snprintf(big[i][1], sizeof big[i][1], "%s", x->evidence);
            c6[6 * i] = x->key;
            c6[6 * i + 1] = big[i][0];
            c6[6 * i + 2] = cells[2 * i];
            c6[6 * i + 3] = cells[2 * i + 1];
            c6[6 * i + 4] = x->timing;
            c6[6 * i + 5] = big[i][1];
        }
        st = mg_report_table(ctx, rep, NULL, 6, h, p->n_opt, c6);
    }
    int nr = s->goal == GOAL_SLEEP ? N_READOUTS : N_READOUTS - 2;
    if (st == MG_OK) {
        snprintf(text, sizeof text,
                 "Predicted after %llu days of the coupled model (means over the last %d days; "
                 "NMDA expression on the last day; probes: tetanus at 10:00 daily, snr weekly).",
                 (unsigned long long)s->days, s->days < 7 ? (int)s->days : 7);
        st = mg_report_heading(ctx, rep, "Predictions side by side");
        if (st == MG_OK)
            st = mg_report_text(ctx, rep, text);
    }
    if (st == MG_OK) {
        const char *h[1 + N_READOUTS];
        const char *c9[MAX_OPTIONS * (1 + N_READOUTS)];
        h[0] = "option";
        for (int k = 0; k < nr; k++)
            h[1 + k] = readout_names[k];
        for (size_t i = 0; i < p->n_opt; i++) {
            c9[i * (size_t)(1 + nr)] = p->opt[i].key;
            for (int k = 0; k < nr; k++)
                c9[i * (size_t)(1 + nr) + 1 + (size_t)k] = fmt(
                    cells[i * N_READOUTS + (size_t)k], 64, readout_fmt[k], readout(&p->opt[i], k));
        }
        st = mg_report_table(ctx, rep, NULL, (size_t)(1 + nr), h, p->n_opt, c9);
    }
    for (int k = 0; k < nr && st == MG_OK; k++) {
        const char *labels[MAX_OPTIONS];
        double vals[MAX_OPTIONS];
        /* the change from the current option: the absolute values are in the table above,
         * and bars from zero would hide differences of a few per cent */
        double base = readout(&p->opt[0], k);
        for (size_t i = 0; i < p->n_opt; i++) {
            labels[i] = p->opt[i].key;
            vals[i] = 100.0 * (readout(&p->opt[i], k) / base - 1.0);
        }
        char title[128];
        snprintf(title, sizeof title, "%s: change from the current option", readout_names[k]);
        st = mg_report_bars(ctx, rep, title, "option", "change (%)", p->n_opt, labels, vals);
    }
    return cli_report_finish(ctx, out, &rep, &plan_schema, bases, st);
}

/* ---- the command ---- */

/* The daily diet from a plan file (relative to the profile's folder), after the plan's own
 * processing and soil scenario (as mgsim run does). */
static mg_status plan_intake(mg_context *ctx, const char *profile, const plan_scen *s,
                             double *mg_per_day) {
    char path[4096];
    cli_relative_path(profile, s->plan, path, sizeof path);
    mg_diet_plan *p = NULL;
    mg_status st = mg_diet_plan_load(ctx, path, NULL, 0, s->foods, &p);
    if (st == MG_OK)
        st = cli_plan_adjust(ctx, p, path);
    if (st == MG_OK)
        *mg_per_day = mg_diet_plan_intake_mg(p);
    mg_diet_plan_destroy(&p);
    return st;
}

static void warn(json_t *w, const char *text) {
    json_array_append_new(w, json_string(text));
}

static void collect_warnings(const plan_scen *s, const mg_diet_assessment *a, double current,
                             double gap, size_t n_add, double food_added, json_t *w) {
    char t[512];
    if (s->egfr_ml_min < 30) {
        snprintf(t, sizeof t,
                 "WARNING: eGFR %.0f mL/min is below 30 (kidney impairment): do not take a "
                 "magnesium supplement without a clinician; the kidney cannot clear the excess "
                 "and hypermagnesaemia is a risk (NIH ODS fact sheet). The supplement options "
                 "below are shown for a clinician only; the model's kidney is not validated there.",
                 s->egfr_ml_min);
        warn(w, t);
    } else if (s->egfr_ml_min < 60) {
        snprintf(t, sizeof t,
                 "CAUTION: eGFR %.0f mL/min (30-60, reduced kidney function): magnesium is "
                 "cleared more slowly; prefer food, and ask a clinician before supplements.",
                 s->egfr_ml_min);
        warn(w, t);
    }
    if (s->abs.m.ppi)
        warn(w, "WARNING: proton-pump inhibitors taken for a long time (usually over a year, "
                "reports from 3 months) can lower magnesium absorption and cause "
                "hypomagnesaemia; supplements alone did not correct it in about a quarter of "
                "cases (FDA Drug Safety Communication, 2011). Consider having serum Mg checked. "
                "The predictions scale absorption by absorption.ppi_factor, an assumed size.");
    if (isfinite(a->ul_supplement_mg) && current > a->ul_supplement_mg) {
        snprintf(t, sizeof t,
                 "WARNING: the current supplements give %.0f mg/day of magnesium, above the "
                 "%.0f mg/day tolerable upper intake level for supplemental Mg (IOM 1997); no "
                 "supplement is added.",
                 current, a->ul_supplement_mg);
        warn(w, t);
    }
    if (gap > 0 && isfinite(a->ul_supplement_mg) && gap > a->ul_supplement_mg - current)
        warn(w, "NOTE: the gap is larger than what supplements may add under the UL; the "
                "supplement options are capped at the UL and food has to close the rest.");
    if (gap > 0 && n_add > 0 && food_added < gap)
        warn(w, "NOTE: the suggested foods (within the portion and food limits) do not close "
                "the whole gap.");
    warn(w, "Model prediction, not medical advice.");
}

static void print_plan(const cli_common_opts *o, const plan_scen *s, const plan_result *p,
                       const char *outdir) {
    const mg_diet_assessment *a = p->a;
    printf("mgsim plan %s: %.0f y %s, %.0f kg, goal %s\n", o->input, s->age_y, sexes[s->sex],
           s->weight_kg, goals[s->goal]);
    printf("Model prediction, not medical advice.\n\n");
    printf("Assessment: diet %.0f mg/day = %.0f %% of the RDA (%.0f mg/day); %s (EAR %.0f "
           "mg/day).\n",
           a->intake_mg_per_day, a->percent_rda, a->rda_mg, mg_diet_verdict_string(a->verdict),
           a->ear_mg);
    printf("Gap to the RDA: %.0f mg/day. UL for supplemental Mg: %.0f mg/day (food has none).\n",
           p->gap, a->ul_supplement_mg);
    if (s->n_prefs || s->n_allergies) {
        printf("Left out:");
        for (size_t i = 0; i < s->n_prefs; i++)
            printf(" %s%s", s->prefs[i], i + 1 < s->n_prefs || s->n_allergies ? "," : "");
        for (size_t i = 0; i < s->n_allergies; i++)
            printf(" %s (allergy)%s", s->allergies[i], i + 1 < s->n_allergies ? "," : "");
        printf(": %zu foods of the table remain.\n", p->n_allowed);
    }
    if (p->n_add) {
        printf("\nFoods that close the gap (ranked by Mg per typical portion):\n");
        for (size_t i = 0; i < p->n_add; i++) {
            char amount[96];
            snprintf(amount, sizeof amount, "%u x %s", p->add[i].portions,
                     p->add[i].food->portion_desc);
            printf("  %-30s %-28s %5.0f g  +%4.0f mg  [%s]\n", p->add[i].food->name, amount,
                   p->add[i].portions * p->add[i].food->portion_g, p->add[i].mg,
                   p->add[i].food->group);
        }
        printf("  new intake: %.0f mg/day (%.0f %% of the RDA)\n",
               a->intake_mg_per_day + p->food_added,
               100 * (a->intake_mg_per_day + p->food_added) / a->rda_mg);
    } else {
        printf("\nNo food needs adding: the diet meets the RDA.\n");
    }
    printf("\nRegimen options (consistency first: the same amount at the same time every day):\n");
    for (size_t i = 0; i < p->n_opt; i++) {
        const plan_option *x = &p->opt[i];
        printf("  %-16s %s%s\n", x->key, x->label,
               x->clinician_only ? " -- ONLY WITH A CLINICIAN (eGFR < 30)" : "");
        printf("  %-16s when: %s\n", "", x->timing);
        if (x->evidence[0])
            printf("  %-16s why: %s\n", "", x->evidence);
    }
    int nr = s->goal == GOAL_SLEEP ? N_READOUTS : N_READOUTS - 2;
    static const char *const shortn[N_READOUTS] = {"serum mM", "CSF mM", "brain mM",  "NMDA x",
                                                   "LTP %",    "snr",    "sleep min", "N3 %"};
    printf("\nPredicted after %llu days (means over the last %d days):\n",
           (unsigned long long)s->days, s->days < 7 ? (int)s->days : 7);
    printf("  %-16s %8s %8s", "option", "diet mg", "supp mg");
    for (int k = 0; k < nr; k++)
        printf(" %9s", shortn[k]);
    printf("\n");
    for (size_t i = 0; i < p->n_opt; i++) {
        char b[32];
        printf("  %-16s %8.0f %8.0f", p->opt[i].key, p->opt[i].diet_mg,
               p->opt[i].current_mg + p->opt[i].added_mg);
        for (int k = 0; k < nr; k++)
            printf(" %9s", fmt(b, sizeof b, readout_fmt[k], readout(&p->opt[i], k)));
        printf("\n");
    }
    printf("\n");
    for (size_t i = 0; i < json_array_size(p->warnings); i++)
        printf("%s\n", json_string_value(json_array_get(p->warnings, i)));
    printf("report: %s/report.html\n", outdir);
}

static int plan_main(const cli_common_opts *o) {
    mg_context *ctx = mg_context_create();
    plan_scen *s = malloc(sizeof *s);
    json_t *warnings = json_array();
    plan_option *opt = calloc(MAX_OPTIONS, sizeof *opt);
    if (!ctx || !s || !warnings || !opt) {
        free(s);
        free(opt);
        json_decref(warnings);
        mg_context_destroy(&ctx);
        fputs("mgsim: out of memory\n", stderr);
        return mg_status_exit_code(MG_ERR_NOMEM);
    }
    plan_defaults(s);
    void *bases[2] = {s, &s->abs};
    mg_body_salt_forms *forms = NULL;
    mg_diet_dris *dris = NULL;
    mg_diet_foods *foods = NULL;
    mg_yaml_doc *doc = NULL;
    char path[4096];
    mg_status st = cli_load_forms_dris(ctx, &forms, &dris);
    s->doses.forms = forms;
    if (st == MG_OK) {
        snprintf(path, sizeof path, "%s/foods.csv", cli_data_dir());
        st = mg_diet_foods_load(ctx, path, &foods);
    }
    if (st == MG_OK) {
        s->foods = foods;
        s->excluded = calloc(mg_diet_foods_count(foods) + 1, 1);
        if (!s->excluded)
            st = mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    }
    if (st == MG_OK)
        st = mg_scen_read(ctx, o->input, "the profile", o->sets, o->n_sets, &doc);
    if (st == MG_OK)
        st = mg_scen_load(ctx, doc, &plan_schema, bases, load_custom, s);
    if (st == MG_OK && s->plan[0])
        st = plan_intake(ctx, o->input, s, &s->mg_per_day);
    s->abs.m.age_y = s->age_y;
    mg_diet_assessment a;
    memset(&a, 0, sizeof a);
    if (st == MG_OK)
        st = mg_diet_assess(ctx, dris, s->age_y, s->sex ? MG_DIET_MALE : MG_DIET_FEMALE,
                            s->mg_per_day, &a);
    if (st == MG_OK && !(isfinite(a.rda_mg) && isfinite(a.ul_supplement_mg)))
        st = mg_error_raise(ctx, MG_ERR_DATA,
                            "%s: data/dri.csv has no RDA or UL for a %.0f-year-old %s", o->input,
                            s->age_y, sexes[s->sex]);
    plan_addition add[MAX_ADDITIONS];
    plan_result res;
    memset(&res, 0, sizeof res);
    res.a = &a;
    res.add = add;
    res.opt = opt;
    res.warnings = warnings;
    if (st == MG_OK) {
        double current = 0;
        for (size_t i = 0; i < s->doses.n_doses; i++)
            current += s->doses.doses[i].mg;
        /* the RDA covers food and supplements together (IOM 1997): the gap is what the diet
         * and the current supplements leave */
        double gap = a.rda_mg - a.intake_mg_per_day - current;
        res.gap = gap > 0 ? gap : 0;
        res.n_add = close_gap(s, res.gap, add, &res.food_added, &res.n_allowed);
        res.n_opt = build_options(s, a.intake_mg_per_day, res.gap, res.food_added,
                                  a.ul_supplement_mg, current, opt);
        collect_warnings(s, &a, current, res.gap, res.n_add, res.food_added, warnings);
        st = predict_all(ctx, s, opt, res.n_opt);
    }
    const char *outdir = o->outdir ? o->outdir : "results/plan";
    if (st == MG_OK) {
        cli_outset out;
        st = cli_outset_begin(ctx, &out, outdir);
        if (st == MG_OK)
            st = write_resolved(ctx, &out, o, s);
        if (st == MG_OK)
            st = write_summary(ctx, &out, o, s, &res);
        if (st == MG_OK)
            st = write_report(ctx, &out, s, &res);
        if (st == MG_OK)
            st = cli_outset_commit(ctx, &out);
        cli_outset_end(&out);
    }
    int rc = 0;
    if (st != MG_OK) {
        rc = cli_fail(ctx, st);
    } else {
        for (size_t i = 0; i + 1 < json_array_size(warnings); i++)
            fprintf(stderr, "mgsim: %s\n", json_string_value(json_array_get(warnings, i)));
        if (!o->quiet)
            print_plan(o, s, &res, outdir);
    }
    mg_yaml_free(&doc);
    mg_diet_dris_destroy(&dris);
    mg_diet_foods_destroy(&foods);
    mg_body_salt_forms_destroy(&forms);
    json_decref(warnings);
    free(s->excluded);
    free(s);
    free(opt);
    mg_context_destroy(&ctx);
    return rc;
}

int cli_plan(int argc, char **argv) {
    cli_common_opts o;
    int rc = cli_common_parse(argc, argv, "plan", cli_plan_help, "the profile PROFILE.yaml", &o);
    if (rc < 0)
        rc = plan_main(&o);
    cli_common_free(&o);
    return rc;
}
