/* The list-valued parts of scenarios shared by several commands (see scen_lists.h). */
#include "cli/scen_lists.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"

#define RNG_ADHERENCE (MG_RNG_USER + 30)

const char *const cli_vitamin_d_names[] = {"deficient", "normal", "supplemented", NULL};

const char *cli_stressor_kind_name(mg_hpa_stress_kind k) {
    return k == MG_HPA_STRESS_ACUTE ? "acute" : "chronic";
}

/* regimen.doses: a list of {time: "HH:MM", mg: elemental mg, form: NAME, with_food: bool}. */
mg_status cli_load_doses(mg_context *ctx, const mg_yaml_doc *doc, const char *key,
                         const mg_yaml_node *node, cli_dose_list *s) {
    char loc[320], what[96];
    if (node->kind == MG_YAML_NULL)
        return MG_OK;
    if (node->kind != MG_YAML_SEQ || node->n > CLI_MAX_DOSES)
        return mg_error_raise(ctx, MG_ERR_CONFIG,
                              "%s: %s: expected a list of at most %d doses {time, mg, form, "
                              "with_food}",
                              mg_yaml_loc(doc, node, 0, loc, sizeof loc), key, CLI_MAX_DOSES);
    for (size_t i = 0; i < node->n; i++) {
        const mg_yaml_node *e = node->items[i];
        cli_dose *d = &s->doses[s->n_doses];
        if (e->kind != MG_YAML_MAP)
            return mg_error_raise(ctx, MG_ERR_CONFIG,
                                  "%s: %s[%zu]: expected a map {time, mg, form, with_food}",
                                  mg_yaml_loc(doc, e, 0, loc, sizeof loc), key, i);
        for (size_t j = 0; j < e->n; j++) {
            const char *k = e->pairs[j].key;
            if (strcmp(k, "time") && strcmp(k, "mg") && strcmp(k, "compound_mg") &&
                strcmp(k, "form") && strcmp(k, "with_food"))
                return mg_error_raise(ctx, MG_ERR_CONFIG,
                                      "%s: %s[%zu]: unknown key '%s'; keys: time, mg (elemental) "
                                      "or compound_mg, form, with_food",
                                      mg_yaml_loc(doc, e->pairs[j].value, 1, loc, sizeof loc), key,
                                      i, k);
        }
        const mg_yaml_node *t = mg_yaml_map_get(e, "time"), *mg = mg_yaml_map_get(e, "mg");
        const mg_yaml_node *cmg = mg_yaml_map_get(e, "compound_mg");
        const mg_yaml_node *form = mg_yaml_map_get(e, "form");
        const mg_yaml_node *food = mg_yaml_map_get(e, "with_food");
        if (!t || !form || !mg == !cmg)
            return mg_error_raise(ctx, MG_ERR_CONFIG,
                                  "%s: %s[%zu]: needs time (\"HH:MM\"), form, and one of mg "
                                  "(elemental Mg) or compound_mg (the mass of the compound, e.g. "
                                  "2000 for 2 g of Magtein); with_food is optional (default true)",
                                  mg_yaml_loc(doc, e, 0, loc, sizeof loc), key, i);
        snprintf(what, sizeof what, "%s[%zu].time", key, i);
        mg_status st = mg_scen_clock(ctx, doc, t, what, &d->clock_h);
        snprintf(what, sizeof what, "%s[%zu].%s", key, i, mg ? "mg" : "compound_mg");
        d->compound_mg = NAN;
        if (st == MG_OK && mg)
            st = mg_scen_number(ctx, doc, mg, what, "mg", 0, 5000, &d->mg);
        if (st == MG_OK && cmg)
            st = mg_scen_number(ctx, doc, cmg, what, "mg", 0, 50000, &d->compound_mg);
        if (st != MG_OK)
            return st;
        const mg_body_salt_form *row = NULL;
        if (form->kind != MG_YAML_SCALAR ||
            mg_body_salt_forms_lookup(ctx, s->forms, form->str, &row) != MG_OK) {
            char why[768];
            snprintf(why, sizeof why, "%s",
                     form->kind == MG_YAML_SCALAR ? mg_error_message(ctx) : "expected a name");
            return mg_error_raise(ctx, MG_ERR_CONFIG, "%s: %s[%zu].form: %s",
                                  mg_yaml_loc(doc, form, 0, loc, sizeof loc), key, i, why);
        }
        snprintf(d->form, sizeof d->form, "%s", row->name);
        d->form_factor = row->relative_bioavailability;
        if (cmg)
            d->mg = d->compound_mg * row->elemental_fraction;
        d->with_food = 1;
        if (food) {
            if (food->kind != MG_YAML_SCALAR ||
                (strcmp(food->str, "true") != 0 && strcmp(food->str, "false") != 0))
                return mg_error_raise(ctx, MG_ERR_CONFIG,
                                      "%s: %s[%zu].with_food: expected true or false",
                                      mg_yaml_loc(doc, food, 0, loc, sizeof loc), key, i);
            d->with_food = strcmp(food->str, "true") == 0;
        }
        s->n_doses++;
    }
    return MG_OK;
}

/* stressors: a list of {kind, day, start, duration_h, level}. */
mg_status cli_load_stressors(mg_context *ctx, const mg_yaml_doc *doc, const char *key,
                             const mg_yaml_node *node, cli_stressor_list *s) {
    char loc[320], what[96];
    if (node->kind == MG_YAML_NULL)
        return MG_OK;
    if (node->kind != MG_YAML_SEQ)
        return mg_error_raise(ctx, MG_ERR_CONFIG,
                              "%s: %s: expected a list of {kind, day, start, duration_h, level}",
                              mg_yaml_loc(doc, node, 0, loc, sizeof loc), key);
    if (node->n > CLI_MAX_STRESSORS)
        return mg_error_raise(ctx, MG_ERR_DATA, "%s: %s: at most %d stressors, got %zu",
                              mg_yaml_loc(doc, node, 0, loc, sizeof loc), key, CLI_MAX_STRESSORS,
                              node->n);
    for (size_t i = 0; i < node->n; i++) {
        const mg_yaml_node *e = node->items[i];
        if (e->kind != MG_YAML_MAP)
            return mg_error_raise(ctx, MG_ERR_CONFIG,
                                  "%s: %s[%zu]: expected a map {kind, day, start, duration_h, "
                                  "level}",
                                  mg_yaml_loc(doc, e, 0, loc, sizeof loc), key, i);
        for (size_t j = 0; j < e->n; j++) {
            const char *k = e->pairs[j].key;
            if (strcmp(k, "kind") && strcmp(k, "day") && strcmp(k, "start") &&
                strcmp(k, "duration_h") && strcmp(k, "level"))
                return mg_error_raise(ctx, MG_ERR_CONFIG,
                                      "%s: %s[%zu]: unknown key '%s'; keys: kind, day, start, "
                                      "duration_h, level",
                                      mg_yaml_loc(doc, e->pairs[j].value, 1, loc, sizeof loc), key,
                                      i, k);
        }
        mg_hpa_stressor *st = &s->stressors[s->n_stressors];
        const mg_yaml_node *kind = mg_yaml_map_get(e, "kind");
        const mg_yaml_node *day = mg_yaml_map_get(e, "day");
        const mg_yaml_node *start = mg_yaml_map_get(e, "start");
        const mg_yaml_node *dur = mg_yaml_map_get(e, "duration_h");
        const mg_yaml_node *lev = mg_yaml_map_get(e, "level");
        if (!kind || !start || !dur || !lev)
            return mg_error_raise(ctx, MG_ERR_CONFIG,
                                  "%s: %s[%zu]: needs kind (acute|chronic), start (\"HH:MM\"), "
                                  "duration_h and level; day is optional (default 0)",
                                  mg_yaml_loc(doc, e, 0, loc, sizeof loc), key, i);
        if (kind->kind != MG_YAML_SCALAR ||
            (strcmp(kind->str, "acute") != 0 && strcmp(kind->str, "chronic") != 0))
            return mg_error_raise(ctx, MG_ERR_CONFIG,
                                  "%s: %s[%zu].kind: expected acute or chronic, got '%s'",
                                  mg_yaml_loc(doc, kind, 0, loc, sizeof loc), key, i,
                                  kind->kind == MG_YAML_SCALAR ? kind->str : "a list or map");
        st->kind = strcmp(kind->str, "acute") == 0 ? MG_HPA_STRESS_ACUTE : MG_HPA_STRESS_CHRONIC;
        double d = 0, clock, v;
        snprintf(what, sizeof what, "%s[%zu].day", key, i);
        mg_status rc = MG_OK;
        if (day)
            rc = mg_scen_number(ctx, doc, day, what, "d", 0, 3649, &d);
        if (rc == MG_OK && floor(d) != d)
            rc = mg_error_raise(ctx, MG_ERR_DATA, "%s: %s must be a whole day number, got %g",
                                mg_yaml_loc(doc, day, 0, loc, sizeof loc), what, d);
        snprintf(what, sizeof what, "%s[%zu].start", key, i);
        if (rc == MG_OK)
            rc = mg_scen_clock(ctx, doc, start, what, &clock);
        snprintf(what, sizeof what, "%s[%zu].duration_h", key, i);
        if (rc == MG_OK)
            rc = mg_scen_number(ctx, doc, dur, what, "h", 1e-6, 24.0 * 3650, &v);
        if (rc != MG_OK)
            return rc;
        st->duration_h = v;
        snprintf(what, sizeof what, "%s[%zu].level", key, i);
        rc = mg_scen_number(ctx, doc, lev, what,
                            st->kind == MG_HPA_STRESS_ACUTE ? "CRH units/min" : "", 0, 1e6, &v);
        if (rc != MG_OK)
            return rc;
        st->level = v;
        st->start_h = 24.0 * d + clock;
        s->n_stressors++;
    }
    return MG_OK;
}

/* The event list: three meals a day and each dose taken (adherence draw per dose per day). */
double cli_meal_factor(const cli_absorption *abs) {
    double f = 1.0;
    mg_context *ctx = mg_context_create();
    if (!ctx || mg_body_absorption_modifier_factor(ctx, &abs->p, &abs->m, 1, &f) != MG_OK)
        f = 1.0;
    mg_context_destroy(&ctx);
    return f;
}

void cli_absorption_defaults(cli_absorption *a) {
    a->m = mg_body_absorption_modifiers_none();
    a->p = mg_body_absorption_modifier_defaults();
}

mg_status cli_build_events(mg_context *ctx, size_t days, double mg_per_day, const cli_dose_list *s,
                           const cli_absorption *abs, double adherence, uint64_t seed,
                           mg_kin_event **ev, size_t *n, size_t *taken, size_t *missed,
                           double *supp_per_day) {
    double f_food = 1.0, f_fast = 1.0;
    mg_status st = MG_OK;
    if (abs) {
        st = mg_body_absorption_modifier_factor(ctx, &abs->p, &abs->m, 1, &f_food);
        if (st == MG_OK)
            st = mg_body_absorption_modifier_factor(ctx, &abs->p, &abs->m, 0, &f_fast);
        if (st != MG_OK)
            return st;
    }
    size_t per_day = 3 + s->n_doses;
    mg_kin_event *e = calloc(days * per_day + 1, sizeof *e);
    if (!e)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    static const double meals[3] = {8.0, 13.0, 19.0};
    size_t k = 0;
    *taken = *missed = 0;
    for (size_t d = 0; d < days; d++) {
        for (int m = 0; m < 3; m++)
            if (mg_per_day > 0)
                e[k++] =
                    (mg_kin_event){24.0 * (double)d + meals[m], mg_per_day / 3.0, f_food, 1, 0};
        for (size_t i = 0; i < s->n_doses; i++) {
            double u = mg_rng_uniform(seed, RNG_ADHERENCE, (uint32_t)i, d);
            if (u > adherence) {
                (*missed)++;
                continue;
            }
            (*taken)++;
            if (supp_per_day)
                supp_per_day[d] += s->doses[i].mg;
            const cli_dose *x = &s->doses[i];
            e[k++] = (mg_kin_event){24.0 * (double)d + x->clock_h, x->mg,
                                    x->form_factor * (x->with_food ? f_food : f_fast), x->with_food,
                                    strcmp(x->form, "l-threonate") == 0};
        }
    }
    /* events in time order */
    for (size_t i = 1; i < k; i++)
        for (size_t j = i; j > 0 && e[j].t_h < e[j - 1].t_h; j--) {
            mg_kin_event t = e[j];
            e[j] = e[j - 1];
            e[j - 1] = t;
        }
    *ev = e;
    *n = k;
    return MG_OK;
}
