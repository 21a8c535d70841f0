/* Processing (refining) and soil/crop scenarios: their tables, the factors they give a
 * food, their application to a day's plan, and the intake by food group. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgsim/diet.h"

#include "io/csv.h"

#include "diet/diet_csv.h"

/* Room for the list of valid names in an error message. */
#define NAMES_MAX 1024

struct mg_diet_processing {
    size_t n;
    mg_diet_process_row *rows;
};

struct mg_diet_soil {
    size_t n;
    mg_diet_soil_row *rows;
};

/* Non-empty lower-case printable ASCII without spaces (process and scenario names). */
static int valid_key(const char *s) {
    if (!*s)
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p >= 0x80 || isupper(*p) || !isgraph(*p) || *p == '"')
            return 0;
    return 1;
}

/* Append the distinct names get(i), i < n, to buf as "a, b, c". */
static void list_names(char *buf, size_t cap, size_t n, const char *(*get)(const void *, size_t),
                       const void *tab) {
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *name = get(tab, i);
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(get(tab, j), name) == 0;
        if (seen)
            continue;
        int w = snprintf(buf + len, cap - len, "%s%s", len ? ", " : "", name);
        if (w < 0 || (size_t)w >= cap - len)
            break;
        len += (size_t)w;
    }
}

/* ---- processing ------------------------------------------------------------------------ */

static mg_status process_row(mg_context *ctx, void *tab, const char *path, uint32_t line,
                             char **f) {
    mg_diet_processing *t = tab;
    double frac;
    mg_diet_scope scope;
    if (!valid_key(f[0]))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "%s:%u: process '%s' must be non-empty lower-case ASCII without "
                              "spaces",
                              path, line, f[0]);
    if (strcmp(f[1], "group") == 0)
        scope = MG_DIET_SCOPE_GROUP;
    else if (strcmp(f[1], "food") == 0)
        scope = MG_DIET_SCOPE_FOOD;
    else
        return mg_error_raise(ctx, MG_ERR_DATA, "%s:%u: scope must be group or food, got '%s'",
                              path, line, f[1]);
    if (!*f[2])
        return mg_error_raise(ctx, MG_ERR_DATA, "%s:%u: empty target", path, line);
    if (!mg_csv_parse_num(f[3], &frac) || !(frac > 0.0 && frac <= 1.0))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "%s:%u: retained_fraction must be a number in (0, 1], got '%s'", path,
                              line, f[3]);
    if (!*f[4])
        return mg_error_raise(ctx, MG_ERR_DATA, "%s:%u: empty source", path, line);
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->rows[i].process, f[0]) == 0 && t->rows[i].scope == scope &&
            strcmp(t->rows[i].target, f[2]) == 0)
            return mg_error_raise(ctx, MG_ERR_DATA,
                                  "%s:%u: process '%s' names %s '%s' twice (first on line %u)",
                                  path, line, f[0], f[1], f[2], t->rows[i].line);
    if (!mg_diet_grow((void **)&t->rows, t->n, sizeof *t->rows))
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    mg_diet_process_row *r = &t->rows[t->n];
    memset(r, 0, sizeof *r);
    r->process = mg_diet_strdup(f[0]);
    r->target = mg_diet_strdup(f[2]);
    r->source = mg_diet_strdup(f[4]);
    r->scope = scope;
    r->retained_fraction = frac;
    r->line = line;
    t->n++;
    if (!r->process || !r->target || !r->source)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    return MG_OK;
}

mg_status mg_diet_processing_load(mg_context *ctx, const char *path, mg_diet_processing **out) {
    if (!path || !out)
        return mg_error_raise(ctx, MG_ERR_USAGE,
                              "mg_diet_processing_load: path and out must be given");
    *out = NULL;
    mg_diet_processing *t = calloc(1, sizeof *t);
    if (!t)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    mg_status st = mg_diet_csv_read(ctx, path, "process,scope,target,retained_fraction,source", 5,
                                    process_row, t);
    if (st == MG_OK && t->n == 0)
        st = mg_error_raise(ctx, MG_ERR_DATA, "%s: the processing table has no rows", path);
    if (st != MG_OK) {
        mg_diet_processing_destroy(&t);
        return st;
    }
    *out = t;
    return MG_OK;
}

void mg_diet_processing_destroy(mg_diet_processing **p) {
    if (!p || !*p)
        return;
    mg_diet_processing *t = *p;
    for (size_t i = 0; i < t->n; i++) {
        free(t->rows[i].process);
        free(t->rows[i].target);
        free(t->rows[i].source);
    }
    free(t->rows);
    free(t);
    *p = NULL;
}

size_t mg_diet_processing_count(const mg_diet_processing *p) {
    return p ? p->n : 0;
}

const mg_diet_process_row *mg_diet_processing_at(const mg_diet_processing *p, size_t i) {
    return p && i < p->n ? &p->rows[i] : NULL;
}

static const char *process_name(const void *tab, size_t i) {
    return ((const mg_diet_processing *)tab)->rows[i].process;
}

mg_status mg_diet_processing_factor(mg_context *ctx, const mg_diet_processing *p,
                                    const char *process, const mg_diet_food *food, double *factor) {
    if (!p || !process || !food || !factor)
        return mg_error_raise(ctx, MG_ERR_USAGE,
                              "mg_diet_processing_factor: table, process, food and factor "
                              "must be given");
    const mg_diet_process_row *by_group = NULL, *by_food = NULL;
    int known = 0;
    for (size_t i = 0; i < p->n; i++) {
        const mg_diet_process_row *r = &p->rows[i];
        if (strcmp(r->process, process) != 0)
            continue;
        known = 1;
        if (r->scope == MG_DIET_SCOPE_FOOD && strcmp(r->target, food->name) == 0)
            by_food = r;
        else if (r->scope == MG_DIET_SCOPE_GROUP && strcmp(r->target, food->group) == 0)
            by_group = r;
    }
    if (!known) {
        char names[NAMES_MAX];
        list_names(names, sizeof names, p->n, process_name, p);
        return mg_error_raise(ctx, MG_ERR_CONFIG, "unknown processing '%s'; valid processes: %s",
                              process, names);
    }
    *factor = by_food ? by_food->retained_fraction : (by_group ? by_group->retained_fraction : 1.0);
    return MG_OK;
}

/* ---- soil scenarios -------------------------------------------------------------------- */

static mg_status soil_add(mg_context *ctx, mg_diet_soil *t, const char *where, uint32_t line,
                          const char *scenario, int year, const char *group, double factor,
                          const char *source, int replace) {
    if (!valid_key(scenario))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "%s:%u: scenario '%s' must be non-empty lower-case ASCII without "
                              "spaces",
                              where, line, scenario);
    if (!*group)
        return mg_error_raise(ctx, MG_ERR_DATA, "%s:%u: empty food_group", where, line);
    if (!(factor > 0.0 && factor <= 10.0))
        return mg_error_raise(ctx, MG_ERR_DATA, "%s:%u: factor must be a number in (0, 10], got %g",
                              where, line, factor);
    if (!*source)
        return mg_error_raise(ctx, MG_ERR_DATA, "%s:%u: empty source", where, line);
    for (size_t i = 0; i < t->n; i++) {
        mg_diet_soil_row *r = &t->rows[i];
        if (strcmp(r->scenario, scenario) != 0)
            continue;
        if (r->year != year)
            return mg_error_raise(ctx, MG_ERR_DATA,
                                  "%s:%u: scenario '%s' has year %d on line %u, not %d", where,
                                  line, scenario, r->year, r->line, year);
        if (strcmp(r->group, group) == 0) {
            if (!replace)
                return mg_error_raise(ctx, MG_ERR_DATA,
                                      "%s:%u: scenario '%s' names food_group '%s' twice (first "
                                      "on line %u)",
                                      where, line, scenario, group, r->line);
            char *src = mg_diet_strdup(source);
            if (!src)
                return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
            free(r->source);
            r->source = src;
            r->factor = factor;
            return MG_OK;
        }
    }
    if (!mg_diet_grow((void **)&t->rows, t->n, sizeof *t->rows))
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    mg_diet_soil_row *r = &t->rows[t->n];
    memset(r, 0, sizeof *r);
    r->scenario = mg_diet_strdup(scenario);
    r->group = mg_diet_strdup(group);
    r->source = mg_diet_strdup(source);
    r->year = year;
    r->factor = factor;
    r->line = line;
    t->n++;
    if (!r->scenario || !r->group || !r->source)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    return MG_OK;
}

static mg_status soil_row(mg_context *ctx, void *tab, const char *path, uint32_t line, char **f) {
    double year, factor;
    if (!mg_csv_parse_num(f[1], &year) || year != floor(year) || year < -10000.0 || year > 10000.0)
        return mg_error_raise(ctx, MG_ERR_DATA, "%s:%u: year must be a whole number, got '%s'",
                              path, line, f[1]);
    if (!mg_csv_parse_num(f[3], &factor))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "%s:%u: factor must be a number in (0, 10], got '%s'", path, line,
                              f[3]);
    return soil_add(ctx, tab, path, line, f[0], (int)year, f[2], factor, f[4], 0);
}

mg_status mg_diet_soil_create(mg_context *ctx, mg_diet_soil **out) {
    if (!out)
        return mg_error_raise(ctx, MG_ERR_USAGE, "mg_diet_soil_create: out must be given");
    *out = calloc(1, sizeof **out);
    if (!*out)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    return MG_OK;
}

mg_status mg_diet_soil_load(mg_context *ctx, const char *path, mg_diet_soil **out) {
    if (!path || !out)
        return mg_error_raise(ctx, MG_ERR_USAGE, "mg_diet_soil_load: path and out must be given");
    *out = NULL;
    mg_diet_soil *t = NULL;
    mg_status st = mg_diet_soil_create(ctx, &t);
    if (st != MG_OK)
        return st;
    st = mg_diet_csv_read(ctx, path, "scenario,year,food_group,factor,source", 5, soil_row, t);
    if (st == MG_OK && t->n == 0)
        st = mg_error_raise(ctx, MG_ERR_DATA, "%s: the soil scenario table has no rows", path);
    if (st != MG_OK) {
        mg_diet_soil_destroy(&t);
        return st;
    }
    *out = t;
    return MG_OK;
}

mg_status mg_diet_soil_add(mg_context *ctx, mg_diet_soil *s, const char *scenario, int year,
                           const char *group, double factor, const char *source) {
    if (!s || !scenario || !group)
        return mg_error_raise(ctx, MG_ERR_USAGE,
                              "mg_diet_soil_add: table, scenario and group must be given");
    return soil_add(ctx, s, "mg_diet_soil_add", 0, scenario, year, group, factor,
                    source ? source : "user-defined", 1);
}

void mg_diet_soil_destroy(mg_diet_soil **s) {
    if (!s || !*s)
        return;
    mg_diet_soil *t = *s;
    for (size_t i = 0; i < t->n; i++) {
        free(t->rows[i].scenario);
        free(t->rows[i].group);
        free(t->rows[i].source);
    }
    free(t->rows);
    free(t);
    *s = NULL;
}

size_t mg_diet_soil_count(const mg_diet_soil *s) {
    return s ? s->n : 0;
}

const mg_diet_soil_row *mg_diet_soil_at(const mg_diet_soil *s, size_t i) {
    return s && i < s->n ? &s->rows[i] : NULL;
}

static const char *scenario_name(const void *tab, size_t i) {
    return ((const mg_diet_soil *)tab)->rows[i].scenario;
}

mg_status mg_diet_soil_factor(mg_context *ctx, const mg_diet_soil *s, const char *scenario,
                              const char *group, double *factor) {
    if (!s || !scenario || !group || !factor)
        return mg_error_raise(ctx, MG_ERR_USAGE,
                              "mg_diet_soil_factor: table, scenario, group and factor must be "
                              "given");
    const mg_diet_soil_row *own = NULL, *star = NULL;
    int known = 0;
    for (size_t i = 0; i < s->n; i++) {
        const mg_diet_soil_row *r = &s->rows[i];
        if (strcmp(r->scenario, scenario) != 0)
            continue;
        known = 1;
        if (strcmp(r->group, group) == 0)
            own = r;
        else if (strcmp(r->group, "*") == 0)
            star = r;
    }
    if (!known) {
        char names[NAMES_MAX];
        list_names(names, sizeof names, s->n, scenario_name, s);
        return mg_error_raise(ctx, MG_ERR_CONFIG, "unknown soil scenario '%s'; valid scenarios: %s",
                              scenario, names[0] ? names : "(none)");
    }
    *factor = own ? own->factor : (star ? star->factor : 1.0);
    return MG_OK;
}

/* ---- applying scenarios to a plan ------------------------------------------------------ */

mg_status mg_diet_plan_adjust(mg_context *ctx, mg_diet_plan *plan, const mg_diet_processing *proc,
                              const char *process, const mg_diet_soil *soil, const char *scenario) {
    if (!plan)
        return mg_error_raise(ctx, MG_ERR_USAGE, "mg_diet_plan_adjust: plan must be given");
    if ((process && !proc) || (scenario && !soil))
        return mg_error_raise(ctx, MG_ERR_USAGE,
                              "mg_diet_plan_adjust: a process or scenario name needs its table");
    /* Check the names first, so an error leaves the plan unchanged. */
    double f;
    if (process) {
        mg_diet_food probe = {0};
        probe.name = (char *)"";
        probe.group = (char *)"";
        mg_status st = mg_diet_processing_factor(ctx, proc, process, &probe, &f);
        if (st != MG_OK)
            return st;
    }
    if (scenario) {
        mg_status st = mg_diet_soil_factor(ctx, soil, scenario, "", &f);
        if (st != MG_OK)
            return st;
    }
    for (size_t i = 0; i < plan->n_items; i++) {
        mg_diet_item *it = &plan->items[i];
        if (!it->food)
            continue;
        double k = 1.0;
        if (process) {
            (void)mg_diet_processing_factor(ctx, proc, process, it->food, &f);
            k *= f;
        }
        if (scenario) {
            (void)mg_diet_soil_factor(ctx, soil, scenario, it->food->group, &f);
            k *= f;
        }
        it->mg *= k;
    }
    return MG_OK;
}

static const char fixed_group[] = "fixed intake";

static const char *item_group(const mg_diet_item *it) {
    return it->food ? it->food->group : fixed_group;
}

/* Whether item j is the first of its food group in the plan. */
static int first_of_group(const mg_diet_plan *p, size_t j) {
    for (size_t m = 0; m < j; m++)
        if (strcmp(item_group(&p->items[m]), item_group(&p->items[j])) == 0)
            return 0;
    return 1;
}

/* The index of item i's group in order of first appearance. Plans are small (tens of
 * items), so the quadratic scan is fine. */
static size_t group_index(const mg_diet_plan *p, size_t i) {
    size_t idx = 0;
    for (size_t j = 0; j < i; j++) {
        if (!first_of_group(p, j))
            continue;
        if (strcmp(item_group(&p->items[j]), item_group(&p->items[i])) == 0)
            return idx;
        idx++;
    }
    return idx;
}

size_t mg_diet_plan_by_group(const mg_diet_plan *plan, mg_diet_group_total *out, size_t max) {
    if (!plan)
        return 0;
    size_t n = 0;
    for (size_t i = 0; i < plan->n_items; i++) {
        const mg_diet_item *it = &plan->items[i];
        size_t k = group_index(plan, i);
        if (k == n) {
            n++;
            if (k < max) {
                out[k].group = item_group(it);
                out[k].mg = 0.0;
                out[k].grams = 0.0;
                out[k].n_items = 0;
            }
        }
        if (k < max) {
            out[k].mg += it->mg;
            out[k].grams += it->food ? it->grams : 0.0;
            out[k].n_items++;
        }
    }
    return n;
}
