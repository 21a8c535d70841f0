/* Diet plans: the YAML file (person, diet.mg_per_day or meals) into an mg_diet_plan. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/file.h"
#include "io/yaml_tree.h"
#include "mgsim/diet.h"

/* Largest amounts accepted (absurd beyond): per item and per day. */
#define PLAN_MAX_GRAMS    10000.0
#define PLAN_MAX_PORTIONS 100.0
#define PLAN_MAX_MG_DAY   10000.0
#define PLAN_MAX_WEIGHT   500.0

/* The keys --set may change. */
static const char *const set_keys[] = {"person.age_y",    "person.sex",      "person.weight_kg",
                                       "diet.mg_per_day", "diet.processing", "diet.soil_scenario"};

typedef struct {
    mg_context *ctx;
    mg_yaml_doc *doc;
    const mg_diet_foods *foods;
    mg_diet_plan *p;
    size_t cap;
} loader;

/* "file:LINE:COL" (or the --set) of node into buf. */
static const char *where(const loader *L, const mg_yaml_node *node, int at_key, char *buf,
                         size_t cap) {
    return mg_yaml_loc(L->doc, node, at_key, buf, cap);
}

/* Check that map has only the keys in allowed[0..n-1]; ctxname names the map in messages. */
static mg_status check_keys(loader *L, const mg_yaml_node *map, const char *ctxname,
                            const char *const *allowed, size_t n) {
    for (size_t i = 0; i < map->n; i++) {
        int ok = 0;
        for (size_t j = 0; j < n; j++)
            ok |= strcmp(map->pairs[i].key, allowed[j]) == 0;
        if (ok)
            continue;
        char loc[512], list[256] = "";
        for (size_t j = 0; j < n; j++) {
            strncat(list, allowed[j], sizeof list - strlen(list) - 1);
            if (j + 1 < n)
                strncat(list, ", ", sizeof list - strlen(list) - 1);
        }
        return mg_error_raise(L->ctx, MG_ERR_CONFIG, "%s: unknown key '%s' in %s; expected: %s",
                              where(L, map->pairs[i].value, 1, loc, sizeof loc), map->pairs[i].key,
                              ctxname, list);
    }
    return MG_OK;
}

/* A number from a plain scalar node (key names it in messages). */
static mg_status get_num(loader *L, const mg_yaml_node *n, const char *key, const char *unit,
                         double *out) {
    char loc[512], desc[64];
    if (n->kind == MG_YAML_SCALAR && !n->quoted) {
        errno = 0;
        char *end;
        double v = strtod(n->str, &end);
        if (errno == 0 && *end == '\0' && end != n->str && isfinite(v)) {
            *out = v;
            return MG_OK;
        }
    }
    return mg_error_raise(L->ctx, MG_ERR_DATA, "%s: %s expects a number (%s), got %s",
                          where(L, n, 0, loc, sizeof loc), key, unit,
                          mg_yaml_describe(n, desc, sizeof desc));
}

static mg_status nomem(loader *L) {
    return mg_error_raise(L->ctx, MG_ERR_NOMEM, "out of memory");
}

/* Append an item (meal name copied). */
static mg_status add_item(loader *L, const char *meal, const mg_diet_food *food, double grams,
                          double mg) {
    mg_diet_plan *p = L->p;
    if (p->n_items == L->cap) {
        size_t cap = L->cap ? 2 * L->cap : 16;
        mg_diet_item *it = realloc(p->items, cap * sizeof *it);
        if (!it)
            return nomem(L);
        p->items = it;
        L->cap = cap;
    }
    size_t len = strlen(meal) + 1;
    char *m = malloc(len);
    if (!m)
        return nomem(L);
    memcpy(m, meal, len);
    p->items[p->n_items++] = (mg_diet_item){m, food, grams, mg};
    return MG_OK;
}

static mg_status load_person(loader *L, const mg_yaml_node *root) {
    char loc[512], desc[64];
    mg_yaml_node *person = mg_yaml_map_get(root, "person");
    if (!person || person->kind != MG_YAML_MAP)
        return mg_error_raise(L->ctx, MG_ERR_CONFIG,
                              "%s: a 'person' map with age_y and sex is required (e.g. person: "
                              "{age_y: 35, sex: female})",
                              where(L, person ? person : root, person != NULL, loc, sizeof loc));
    static const char *const keys[] = {"age_y", "sex", "weight_kg"};
    mg_status st = check_keys(L, person, "person", keys, 3);
    if (st)
        return st;
    mg_yaml_node *age = mg_yaml_map_get(person, "age_y");
    mg_yaml_node *sex = mg_yaml_map_get(person, "sex");
    mg_yaml_node *w = mg_yaml_map_get(person, "weight_kg");
    if (!age)
        return mg_error_raise(L->ctx, MG_ERR_CONFIG, "%s: person.age_y (years) is required",
                              where(L, person, 1, loc, sizeof loc));
    if ((st = get_num(L, age, "person.age_y", "years", &L->p->age_y)))
        return st;
    if (!(L->p->age_y >= 0.0 && L->p->age_y <= 120.0))
        return mg_error_raise(L->ctx, MG_ERR_DATA,
                              "%s: person.age_y must be from 0 to 120 years, got %g",
                              where(L, age, 0, loc, sizeof loc), L->p->age_y);
    if (!sex)
        return mg_error_raise(L->ctx, MG_ERR_CONFIG, "%s: person.sex (female or male) is required",
                              where(L, person, 1, loc, sizeof loc));
    if (sex->kind == MG_YAML_SCALAR && strcmp(sex->str, "female") == 0)
        L->p->sex = MG_DIET_FEMALE;
    else if (sex->kind == MG_YAML_SCALAR && strcmp(sex->str, "male") == 0)
        L->p->sex = MG_DIET_MALE;
    else
        return mg_error_raise(
            L->ctx, MG_ERR_CONFIG, "%s: person.sex must be female or male, got %s",
            where(L, sex, 0, loc, sizeof loc), mg_yaml_describe(sex, desc, sizeof desc));
    L->p->weight_kg = NAN;
    if (w) {
        if ((st = get_num(L, w, "person.weight_kg", "kg", &L->p->weight_kg)))
            return st;
        if (!(L->p->weight_kg > 0.0 && L->p->weight_kg <= PLAN_MAX_WEIGHT))
            return mg_error_raise(
                L->ctx, MG_ERR_DATA, "%s: person.weight_kg must be > 0 and <= %g kg, got %g",
                where(L, w, 0, loc, sizeof loc), PLAN_MAX_WEIGHT, L->p->weight_kg);
    }
    return MG_OK;
}

/* One {food: NAME, grams: G} or {food: NAME, portions: P} of meal. */
static mg_status load_entry(loader *L, const char *meal, const mg_yaml_node *e) {
    char loc[512], desc[64];
    if (e->kind != MG_YAML_MAP)
        return mg_error_raise(L->ctx, MG_ERR_CONFIG,
                              "%s: meals.%s: each entry is a map {food: NAME, grams: G} or "
                              "{food: NAME, portions: P}, got %s",
                              where(L, e, 0, loc, sizeof loc), meal,
                              mg_yaml_describe(e, desc, sizeof desc));
    static const char *const keys[] = {"food", "grams", "portions"};
    mg_status st = check_keys(L, e, "a meal entry", keys, 3);
    if (st)
        return st;
    mg_yaml_node *fn = mg_yaml_map_get(e, "food");
    mg_yaml_node *g = mg_yaml_map_get(e, "grams");
    mg_yaml_node *pn = mg_yaml_map_get(e, "portions");
    if (!fn || fn->kind != MG_YAML_SCALAR)
        return mg_error_raise(L->ctx, MG_ERR_CONFIG, "%s: meals.%s: the entry needs food: NAME",
                              where(L, fn ? fn : e, fn != NULL, loc, sizeof loc), meal);
    if ((g != NULL) == (pn != NULL))
        return mg_error_raise(
            L->ctx, MG_ERR_CONFIG, "%s: meals.%s: give either grams or portions for '%s', not %s",
            where(L, e, 0, loc, sizeof loc), meal, fn->str, g ? "both" : "neither");
    const mg_diet_food *food = mg_diet_foods_find(L->foods, fn->str);
    if (!food) {
        const char *near[3];
        size_t k = mg_diet_foods_suggest(L->foods, fn->str, near, 3);
        char hint[512] = "";
        for (size_t i = 0; i < k; i++) {
            size_t used = strlen(hint);
            snprintf(hint + used, sizeof hint - used, "%s'%s'", i ? ", " : "", near[i]);
        }
        return mg_error_raise(L->ctx, MG_ERR_CONFIG,
                              "%s: unknown food '%.100s' in meals.%s; closest: %s (every food: "
                              "data/foods.csv)",
                              where(L, fn, 0, loc, sizeof loc), fn->str, meal, hint);
    }
    double amount, grams;
    if (g) {
        if ((st = get_num(L, g, "grams", "g", &amount)))
            return st;
        if (!(amount >= 0.0 && amount <= PLAN_MAX_GRAMS))
            return mg_error_raise(
                L->ctx, MG_ERR_DATA, "%s: grams of '%s' must be from 0 to %g g, got %g",
                where(L, g, 0, loc, sizeof loc), food->name, PLAN_MAX_GRAMS, amount);
        grams = amount;
    } else {
        if ((st = get_num(L, pn, "portions", "portions", &amount)))
            return st;
        if (!(amount >= 0.0 && amount <= PLAN_MAX_PORTIONS))
            return mg_error_raise(
                L->ctx, MG_ERR_DATA, "%s: portions of '%s' must be from 0 to %g, got %g",
                where(L, pn, 0, loc, sizeof loc), food->name, PLAN_MAX_PORTIONS, amount);
        grams = amount * food->portion_g;
    }
    return add_item(L, meal, food, grams, grams * food->mg_per_100g / 100.0);
}

static mg_status load_meals(loader *L, const mg_yaml_node *meals) {
    char loc[512], desc[64];
    if (meals->kind != MG_YAML_MAP)
        return mg_error_raise(
            L->ctx, MG_ERR_CONFIG, "%s: meals must be a map of meal name -> list of foods, got %s",
            where(L, meals, 0, loc, sizeof loc), mg_yaml_describe(meals, desc, sizeof desc));
    for (size_t i = 0; i < meals->n; i++) {
        const char *meal = meals->pairs[i].key;
        const mg_yaml_node *list = meals->pairs[i].value;
        if (list->kind == MG_YAML_NULL)
            continue; /* an empty meal */
        if (list->kind != MG_YAML_SEQ)
            return mg_error_raise(L->ctx, MG_ERR_CONFIG,
                                  "%s: meals.%s must be a list of {food: NAME, grams: G} or "
                                  "{food: NAME, portions: P}, got %s",
                                  where(L, list, 0, loc, sizeof loc), meal,
                                  mg_yaml_describe(list, desc, sizeof desc));
        for (size_t j = 0; j < list->n; j++) {
            mg_status st = load_entry(L, meal, list->items[j]);
            if (st)
                return st;
        }
    }
    return MG_OK;
}

static mg_status load_tree(loader *L) {
    char loc[512], loc2[512];
    const mg_yaml_node *root = L->doc->root;
    if (root->kind != MG_YAML_MAP)
        return mg_error_raise(L->ctx, MG_ERR_CONFIG,
                              "%s: a diet plan is a map with person and either diet.mg_per_day "
                              "or meals",
                              where(L, root, 0, loc, sizeof loc));
    static const char *const top[] = {"description", "person", "diet", "meals"};
    mg_status st = check_keys(L, root, "the plan", top, 4);
    if (st || (st = load_person(L, root)))
        return st;
    mg_yaml_node *diet = mg_yaml_map_get(root, "diet");
    mg_yaml_node *meals = mg_yaml_map_get(root, "meals");
    mg_yaml_node *fixed = NULL;
    if (diet) {
        if (diet->kind != MG_YAML_MAP)
            return mg_error_raise(L->ctx, MG_ERR_CONFIG,
                                  "%s: diet must be a map (diet: {mg_per_day: 300})",
                                  where(L, diet, 0, loc, sizeof loc));
        static const char *const dkeys[] = {"mg_per_day", "processing", "soil_scenario"};
        if ((st = check_keys(L, diet, "diet", dkeys, 3)))
            return st;
        fixed = mg_yaml_map_get(diet, "mg_per_day");
        static const char *const names[2] = {"processing", "soil_scenario"};
        char *dst[2] = {L->p->processing, L->p->soil_scenario};
        for (int k = 0; k < 2; k++) {
            mg_yaml_node *n = mg_yaml_map_get(diet, names[k]);
            if (!n || n->kind == MG_YAML_NULL)
                continue;
            if (n->kind != MG_YAML_SCALAR || strlen(n->str) >= sizeof L->p->processing)
                return mg_error_raise(
                    L->ctx, MG_ERR_CONFIG, "%s: diet.%s: expected a name from data/%s.csv",
                    where(L, n, 0, loc, sizeof loc), names[k], k ? "soil_scenarios" : "processing");
            snprintf(dst[k], sizeof L->p->processing, "%s", n->str);
        }
    }
    if (fixed && meals)
        return mg_error_raise(L->ctx, MG_ERR_CONFIG,
                              "%s: give either diet.mg_per_day or meals, not both (meals at %s)",
                              where(L, fixed, 1, loc, sizeof loc),
                              where(L, meals, 1, loc2, sizeof loc2));
    if (!fixed && !meals)
        return mg_error_raise(L->ctx, MG_ERR_CONFIG,
                              "%s: give either diet.mg_per_day (a fixed intake, mg/day) or meals "
                              "(a map of meal -> list of foods)",
                              where(L, root, 0, loc, sizeof loc));
    if (meals)
        return load_meals(L, meals);
    double mg;
    if ((st = get_num(L, fixed, "diet.mg_per_day", "mg/day", &mg)))
        return st;
    if (!(mg >= 0.0 && mg <= PLAN_MAX_MG_DAY))
        return mg_error_raise(L->ctx, MG_ERR_DATA,
                              "%s: diet.mg_per_day must be from 0 to %g mg/day, got %g",
                              where(L, fixed, 0, loc, sizeof loc), PLAN_MAX_MG_DAY, mg);
    L->p->fixed = 1;
    L->p->fixed_mg_per_day = mg;
    /* a fixed intake is spread evenly over three meals */
    static const char *const three[] = {"breakfast", "lunch", "dinner"};
    for (int i = 0; i < 3 && st == MG_OK; i++)
        st = add_item(L, three[i], NULL, NAN, mg / 3.0);
    return st;
}

mg_status mg_diet_plan_load_buffer(mg_context *ctx, const char *name, const char *text, size_t len,
                                   const char *const *sets, size_t n_sets,
                                   const mg_diet_foods *foods, mg_diet_plan **out) {
    if (!out || !text || !foods)
        return mg_error_raise(ctx, MG_ERR_USAGE,
                              "mg_diet_plan_load_buffer: text, foods and out must be given");
    *out = NULL;
    if (!name)
        name = "<input>";
    loader L = {.ctx = ctx, .foods = foods};
    mg_status st = mg_yaml_parse(ctx, name, text, len, &L.doc);
    if (st)
        return st;
    for (size_t i = 0; i < n_sets && st == MG_OK; i++) {
        const char *eq = sets[i] ? strchr(sets[i], '=') : NULL;
        if (!eq) {
            st = mg_error_raise(ctx, MG_ERR_USAGE, "--set expects KEY=VALUE, got '%s'",
                                sets[i] ? sets[i] : "(null)");
            break;
        }
        size_t klen = (size_t)(eq - sets[i]);
        int ok = 0;
        for (size_t j = 0; j < sizeof set_keys / sizeof set_keys[0]; j++)
            ok |= strlen(set_keys[j]) == klen && strncmp(set_keys[j], sets[i], klen) == 0;
        if (!ok)
            st = mg_error_raise(ctx, MG_ERR_CONFIG,
                                "--set #%zu (%s): unknown key '%.*s'; keys: person.age_y, "
                                "person.sex, person.weight_kg, diet.mg_per_day, "
                                "diet.processing, diet.soil_scenario",
                                i + 1, sets[i], (int)klen, sets[i]);
        else
            st = mg_yaml_apply_set(ctx, L.doc, sets[i]);
    }
    if (st == MG_OK && !(L.p = calloc(1, sizeof *L.p)))
        st = nomem(&L);
    if (st == MG_OK)
        st = load_tree(&L);
    mg_yaml_free(&L.doc);
    if (st) {
        mg_diet_plan_destroy(&L.p);
        return st;
    }
    *out = L.p;
    return MG_OK;
}

mg_status mg_diet_plan_load(mg_context *ctx, const char *path, const char *const *sets,
                            size_t n_sets, const mg_diet_foods *foods, mg_diet_plan **out) {
    if (!path || !out)
        return mg_error_raise(ctx, MG_ERR_USAGE, "mg_diet_plan_load: path and out must be given");
    *out = NULL;
    char *text = NULL;
    size_t size = 0;
    mg_status rd = mg_io_read_text(ctx, path, "the plan", &text, &size);
    if (rd != MG_OK)
        return rd;
    mg_status st = mg_diet_plan_load_buffer(ctx, path, text, size, sets, n_sets, foods, out);
    free(text);
    return st;
}

void mg_diet_plan_destroy(mg_diet_plan **plan) {
    if (!plan || !*plan)
        return;
    for (size_t i = 0; i < (*plan)->n_items; i++)
        free((*plan)->items[i].meal);
    free((*plan)->items);
    free(*plan);
    *plan = NULL;
}

double mg_diet_plan_intake_mg(const mg_diet_plan *plan) {
    double s = 0.0;
    if (plan)
        for (size_t i = 0; i < plan->n_items; i++)
            s += plan->items[i].mg;
    return s;
}
