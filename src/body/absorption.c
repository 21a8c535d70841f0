/* Intestinal absorption: the saturable + linear model and the salt-form table. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgsim/body.h"

#include "io/csv.h"

/* Longest CSV line, most fields per line, largest table file accepted. */
#define CSV_MAX_LINE   4096
#define CSV_MAX_FIELDS 8
#define CSV_MAX_BYTES  ((long)1024 * 1024)
#define SALT_HEADER    "name,relative_bioavailability,elemental_fraction,source,note"

/* refs §7.2: Amax ≈ 3.44 mEq and Km + I0 ≈ 5.93 mEq per meal; linear 7 % (Fine 1991). */
#define FIT_AMAX_MEQ       3.44
#define FIT_KM_PLUS_I0_MEQ 5.93
#define FIT_LINEAR         0.07
/* refs §2.3 / §9, Sabatier et al. 2002: 45.7 % alone vs 52.3 % with a meal. */
#define NO_MEAL_FRACTION   0.457
#define WITH_MEAL_FRACTION 0.523

struct mg_body_salt_forms {
    size_t n;
    mg_body_salt_form *rows;
};

mg_absorption_params mg_body_absorption_defaults(void) {
    mg_absorption_params p;
    p.amax_mg = FIT_AMAX_MEQ * MG_BODY_MG_PER_MEQ;
    p.km_mg = (FIT_KM_PLUS_I0_MEQ - MG_BODY_FINE1991_MEAL_MEQ) * MG_BODY_MG_PER_MEQ;
    p.linear_fraction = FIT_LINEAR;
    p.no_meal_factor = NO_MEAL_FRACTION / WITH_MEAL_FRACTION;
    return p;
}

mg_status mg_body_absorption_validate(mg_context *ctx, const mg_absorption_params *p) {
    if (!p)
        return mg_error_raise(ctx, MG_ERR_DATA, "absorption: no parameters given");
    if (!isfinite(p->amax_mg) || p->amax_mg <= 0)
        return mg_error_raise(ctx, MG_ERR_DATA, "absorption: amax_mg must be > 0 mg, got %g",
                              p->amax_mg);
    if (!isfinite(p->km_mg) || p->km_mg <= 0)
        return mg_error_raise(ctx, MG_ERR_DATA, "absorption: km_mg must be > 0 mg, got %g",
                              p->km_mg);
    if (!isfinite(p->linear_fraction) || p->linear_fraction <= 0 || p->linear_fraction >= 1)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "absorption: linear_fraction must be in (0, 1), got %g",
                              p->linear_fraction);
    if (!isfinite(p->no_meal_factor) || p->no_meal_factor <= 0)
        return mg_error_raise(ctx, MG_ERR_DATA, "absorption: no_meal_factor must be > 0, got %g",
                              p->no_meal_factor);
    return MG_OK;
}

mg_status mg_body_absorption_check(mg_context *ctx, const mg_absorption_params *p, double dose_mg) {
    mg_status st = mg_body_absorption_validate(ctx, p);
    if (st != MG_OK)
        return st;
    if (!isfinite(dose_mg) || dose_mg < 0)
        return mg_error_raise(ctx, MG_ERR_DATA, "absorption: dose must be >= 0 mg, got %g",
                              dose_mg);
    return MG_OK;
}

double mg_body_absorbed_mg(const mg_absorption_params *p, double dose_mg) {
    if (mg_body_absorption_check(NULL, p, dose_mg) != MG_OK)
        return NAN;
    return p->amax_mg * dose_mg / (p->km_mg + dose_mg) + p->linear_fraction * dose_mg;
}

double mg_body_fractional_absorption(const mg_absorption_params *p, double dose_mg) {
    if (mg_body_absorption_check(NULL, p, dose_mg) != MG_OK)
        return NAN;
    /* absorbed(D) / D, written so that D = 0 gives the limit */
    return p->amax_mg / (p->km_mg + dose_mg) + p->linear_fraction;
}

double mg_body_absorbed_form_mg(const mg_absorption_params *p, double dose_mg, double form_factor,
                                int with_meal) {
    if (!isfinite(form_factor) || form_factor <= 0)
        return NAN;
    double a = mg_body_absorbed_mg(p, dose_mg);
    if (isnan(a))
        return NAN;
    a *= form_factor;
    if (!with_meal)
        a *= p->no_meal_factor;
    return a < dose_mg ? a : dose_mg;
}

static char *dup_str(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static int valid_name(const char *s) {
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_' || *s == '-'))
            return 0;
    return 1;
}

static void free_row(mg_body_salt_form *r) {
    free(r->name);
    free(r->source);
    free(r->note);
}

static mg_status salt_row(mg_context *ctx, mg_body_salt_forms *t, const char *path, uint32_t line,
                          char **f) {
    if (!valid_name(f[0]))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "%s:%u: name '%s' must be non-empty lower-case ASCII "
                              "(a-z, 0-9, '_', '-')",
                              path, line, f[0]);
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->rows[i].name, f[0]) == 0)
            return mg_error_raise(ctx, MG_ERR_DATA, "%s:%u: duplicate name '%s' (first on line %u)",
                                  path, line, f[0], t->rows[i].line);
    errno = 0;
    char *end;
    double v = strtod(f[1], &end);
    if (!*f[1] || errno != 0 || *end != '\0' || !isfinite(v) || v <= 0)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "%s:%u: relative_bioavailability must be a number > 0, got '%s'",
                              path, line, f[1]);
    errno = 0;
    double ef = strtod(f[2], &end);
    if (!*f[2] || errno != 0 || *end != '\0' || !isfinite(ef) || ef <= 0 || ef > 1)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "%s:%u: elemental_fraction must be a number in (0, 1], got '%s'",
                              path, line, f[2]);
    if (!*f[3])
        return mg_error_raise(ctx, MG_ERR_DATA, "%s:%u: empty source for '%s'", path, line, f[0]);
    mg_body_salt_form *rows = realloc(t->rows, (t->n + 1) * sizeof *rows);
    if (!rows)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "%s: out of memory", path);
    t->rows = rows;
    mg_body_salt_form r = {dup_str(f[0]), v, dup_str(f[3]), dup_str(f[4]), line, ef};
    if (!r.name || !r.source || !r.note) {
        free_row(&r);
        return mg_error_raise(ctx, MG_ERR_NOMEM, "%s: out of memory", path);
    }
    t->rows[t->n++] = r;
    return MG_OK;
}

static mg_status salt_read(mg_context *ctx, FILE *f, const char *path, mg_body_salt_forms *t) {
    char buf[CSV_MAX_LINE + 2];
    uint32_t line = 0;
    int seen_header = 0;
    long total = 0;
    while (fgets(buf, sizeof buf, f)) {
        line++;
        size_t len = strlen(buf);
        total += (long)len;
        if (total > CSV_MAX_BYTES)
            return mg_error_raise(ctx, MG_ERR_DATA, "%s: the table is larger than 1 MiB", path);
        if (len > 0 && buf[len - 1] != '\n' && !feof(f))
            return mg_error_raise(ctx, MG_ERR_DATA, "%s:%u: line longer than %d characters", path,
                                  line, CSV_MAX_LINE);
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
            buf[--len] = '\0';
        if (len == 0 || buf[0] == '#')
            continue;
        if (!seen_header) {
            if (strcmp(buf, SALT_HEADER) != 0)
                return mg_error_raise(ctx, MG_ERR_DATA, "%s:%u: expected the header '%s', got '%s'",
                                      path, line, SALT_HEADER, buf);
            seen_header = 1;
            continue;
        }
        char *fields[CSV_MAX_FIELDS];
        int n = mg_csv_split(buf, fields, CSV_MAX_FIELDS);
        if (n < 0)
            return mg_error_raise(ctx, MG_ERR_DATA, "%s:%u: malformed row (unclosed quote?)", path,
                                  line);
        if (n != 5)
            return mg_error_raise(ctx, MG_ERR_DATA, "%s:%u: expected 5 fields, got %d", path, line,
                                  n);
        mg_status st = salt_row(ctx, t, path, line, fields);
        if (st != MG_OK)
            return st;
    }
    if (ferror(f))
        return mg_error_raise(ctx, MG_ERR_NOINPUT, "%s: cannot read the table", path);
    if (!seen_header)
        return mg_error_raise(ctx, MG_ERR_DATA, "%s: empty table (expected the header '%s')", path,
                              SALT_HEADER);
    if (t->n == 0)
        return mg_error_raise(ctx, MG_ERR_DATA, "%s: the table has no rows", path);
    return MG_OK;
}

mg_status mg_body_salt_forms_load(mg_context *ctx, const char *path, mg_body_salt_forms **out) {
    if (!out || !path)
        return mg_error_raise(ctx, MG_ERR_DATA, "salt forms: no path or output given");
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f)
        return mg_error_raise(ctx, MG_ERR_NOINPUT, "%s: cannot read the table: %s", path,
                              strerror(errno));
    mg_body_salt_forms *t = calloc(1, sizeof *t);
    if (!t) {
        fclose(f);
        return mg_error_raise(ctx, MG_ERR_NOMEM, "%s: out of memory", path);
    }
    mg_status st = salt_read(ctx, f, path, t);
    fclose(f);
    if (st != MG_OK) {
        mg_body_salt_forms_destroy(&t);
        return st;
    }
    *out = t;
    return MG_OK;
}

void mg_body_salt_forms_destroy(mg_body_salt_forms **forms) {
    if (!forms || !*forms)
        return;
    for (size_t i = 0; i < (*forms)->n; i++)
        free_row(&(*forms)->rows[i]);
    free((*forms)->rows);
    free(*forms);
    *forms = NULL;
}

size_t mg_body_salt_forms_count(const mg_body_salt_forms *forms) {
    return forms ? forms->n : 0;
}

const mg_body_salt_form *mg_body_salt_forms_at(const mg_body_salt_forms *forms, size_t i) {
    return forms && i < forms->n ? &forms->rows[i] : NULL;
}

mg_status mg_body_salt_forms_lookup(mg_context *ctx, const mg_body_salt_forms *forms,
                                    const char *name, const mg_body_salt_form **out) {
    if (out)
        *out = NULL;
    if (!forms || !name || !out)
        return mg_error_raise(ctx, MG_ERR_DATA, "salt forms: no table, name or output given");
    for (size_t i = 0; i < forms->n; i++)
        if (strcmp(forms->rows[i].name, name) == 0) {
            *out = &forms->rows[i];
            return MG_OK;
        }
    char list[768];
    size_t used = 0;
    list[0] = '\0';
    for (size_t i = 0; i < forms->n && used < sizeof list; i++) {
        int w =
            snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", forms->rows[i].name);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    return mg_error_raise(ctx, MG_ERR_CONFIG, "unknown salt form '%s'; valid forms: %s", name,
                          list);
}

mg_absorption_modifier_params mg_body_absorption_modifier_defaults(void) {
    mg_absorption_modifier_params p = {142.0, 0.9, 0.9, 1.1, 0.75, 60.0, 0.0};
    return p;
}

mg_absorption_modifiers mg_body_absorption_modifiers_none(void) {
    mg_absorption_modifiers m = {0.0, 0.0, MG_VITD_NORMAL, 0, 40.0};
    return m;
}

double mg_body_phytate_factor(double phytate_mmol) {
    /* Bohn et al. 2004: fractional absorption 32.5 % -> 13.0 % at 1.49 mmol phytate and
     * 32.2 % -> 24.0 % at 0.75 mmol, each relative to its own control */
    static const double x[3] = {0.0, 0.75, 1.49};
    const double y[3] = {1.0, 24.0 / 32.2, 13.0 / 32.5};
    if (!(phytate_mmol > 0))
        return 1.0;
    if (phytate_mmol >= x[2])
        return y[2];
    int k = phytate_mmol < x[1] ? 0 : 1;
    return y[k] + (y[k + 1] - y[k]) * (phytate_mmol - x[k]) / (x[k + 1] - x[k]);
}

mg_status mg_body_absorption_modifier_factor(mg_context *ctx,
                                             const mg_absorption_modifier_params *p,
                                             const mg_absorption_modifiers *m, int with_food,
                                             double *factor) {
    if (!p || !m || !factor)
        return mg_error_raise(ctx, MG_ERR_DATA, "absorption modifiers: missing argument");
    struct {
        const char *name;
        double v;
    } checks[] = {{"absorption.phytate_mmol_per_meal", m->phytate_mmol},
                  {"absorption.zinc_mg_per_day", m->zinc_mg_per_day},
                  {"absorption.zinc_threshold_mg", p->zinc_threshold_mg},
                  {"absorption.age_per_decade", p->age_per_decade}};
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++)
        if (!(checks[i].v >= 0 && isfinite(checks[i].v)))
            return mg_error_raise(ctx, MG_ERR_DATA, "%s must be >= 0, got %g", checks[i].name,
                                  checks[i].v);
    struct {
        const char *name;
        double v;
    } factors[] = {{"absorption.zinc_factor", p->zinc_factor},
                   {"absorption.vitamin_d_deficient_factor", p->vitd_deficient_factor},
                   {"absorption.vitamin_d_supplemented_factor", p->vitd_supplemented_factor},
                   {"absorption.ppi_factor", p->ppi_factor}};
    for (size_t i = 0; i < sizeof factors / sizeof factors[0]; i++)
        if (!(factors[i].v > 0 && isfinite(factors[i].v)))
            return mg_error_raise(ctx, MG_ERR_DATA, "%s must be > 0, got %g", factors[i].name,
                                  factors[i].v);
    if (!(m->age_y >= 0 && m->age_y <= 120) || !isfinite(p->age_start_y))
        return mg_error_raise(ctx, MG_ERR_DATA, "person.age_y must be 0 to 120, got %g", m->age_y);
    double f = with_food ? mg_body_phytate_factor(m->phytate_mmol) : 1.0;
    if (m->zinc_mg_per_day >= p->zinc_threshold_mg)
        f *= p->zinc_factor;
    if (m->vitamin_d == MG_VITD_DEFICIENT)
        f *= p->vitd_deficient_factor;
    else if (m->vitamin_d == MG_VITD_SUPPLEMENTED)
        f *= p->vitd_supplemented_factor;
    if (m->ppi)
        f *= p->ppi_factor;
    if (m->age_y > p->age_start_y) {
        double a = 1.0 - p->age_per_decade * (m->age_y - p->age_start_y) / 10.0;
        f *= a > 0.05 ? a : 0.05;
    }
    *factor = f;
    return MG_OK;
}
