/* The food and DRI tables: CSV reading, lookups, suggestions and the intake assessment. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgsim/diet.h"

#include "base/text.h"

#include "io/csv.h"

#include "diet/diet_csv.h"

/* Longest CSV line and most fields per line. */
#define CSV_MAX_LINE   4096
#define CSV_MAX_FIELDS 16
/* Largest table file accepted. */
#define CSV_MAX_BYTES ((long)16 * 1024 * 1024)

struct mg_diet_foods {
    size_t n;
    mg_diet_food *rows;
};

struct mg_diet_dris {
    size_t n;
    mg_diet_dri *rows;
};

char *mg_diet_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* Read the CSV at path: check the header equals `header`, then call row() for every
 * data line with exactly n_cols fields. */
mg_status mg_diet_csv_read(mg_context *ctx, const char *path, const char *header, int n_cols,
                           mg_diet_row_fn row, void *tab) {
    FILE *f = fopen(path, "r");
    if (!f)
        return mg_error_raise(ctx, MG_ERR_NOINPUT, "%s: cannot read the table: %s", path,
                              strerror(errno));
    char buf[CSV_MAX_LINE + 2];
    uint32_t line = 0;
    int seen_header = 0;
    long total = 0;
    mg_status st = MG_OK;
    while (st == MG_OK && fgets(buf, sizeof buf, f)) {
        line++;
        size_t len = strlen(buf);
        total += (long)len;
        if (total > CSV_MAX_BYTES) {
            st = mg_error_raise(ctx, MG_ERR_DATA, "%s: the table is larger than 16 MiB", path);
            break;
        }
        if (len > 0 && buf[len - 1] != '\n' && !feof(f)) {
            st = mg_error_raise(ctx, MG_ERR_DATA, "%s:%u: line longer than %d characters", path,
                                line, CSV_MAX_LINE);
            break;
        }
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
            buf[--len] = '\0';
        if (len == 0 || buf[0] == '#')
            continue;
        if (!seen_header) {
            if (strcmp(buf, header) != 0)
                st = mg_error_raise(ctx, MG_ERR_DATA, "%s:%u: expected the header '%s', got '%s'",
                                    path, line, header, buf);
            seen_header = 1;
            continue;
        }
        char *fields[CSV_MAX_FIELDS];
        int n = mg_csv_split(buf, fields, CSV_MAX_FIELDS);
        if (n < 0)
            st = mg_error_raise(ctx, MG_ERR_DATA, "%s:%u: malformed row (unclosed quote?)", path,
                                line);
        else if (n != n_cols)
            st = mg_error_raise(ctx, MG_ERR_DATA, "%s:%u: expected %d fields, got %d", path, line,
                                n_cols, n);
        else
            st = row(ctx, tab, path, line, fields);
    }
    if (st == MG_OK && ferror(f))
        st = mg_error_raise(ctx, MG_ERR_NOINPUT, "%s: cannot read the table", path);
    if (st == MG_OK && !seen_header)
        st = mg_error_raise(ctx, MG_ERR_DATA, "%s: empty table (expected the header '%s')", path,
                            header);
    fclose(f);
    return st;
}

/* Grow *rows (element size sz) to hold n + 1 elements. */
int mg_diet_grow(void **rows, size_t n, size_t sz) {
    if ((n & (n - 1)) != 0 && n != 0)
        return 1; /* capacity is the next power of two above n, already there */
    size_t cap = n ? 2 * n : 8;
    void *p = realloc(*rows, cap * sz);
    if (!p)
        return 0;
    *rows = p;
    return 1;
}

/* ---- foods ---------------------------------------------------------------------------- */

static int valid_name(const char *s) {
    if (!*s || *s == ' ')
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p >= 0x80 || isupper(*p) || !isprint(*p) || *p == '"')
            return 0;
    return s[strlen(s) - 1] != ' ';
}

static mg_status food_row(mg_context *ctx, void *tab, const char *path, uint32_t line, char **f) {
    mg_diet_foods *t = tab;
    double mg, portion;
    if (!valid_name(f[0]))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "%s:%u: name '%s' must be non-empty lower-case printable ASCII "
                              "without surrounding spaces",
                              path, line, f[0]);
    if (mg_diet_foods_find(t, f[0]))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "%s:%u: duplicate food name '%s' (first on line %u)", path, line,
                              f[0], mg_diet_foods_find(t, f[0])->line);
    if (!*f[1])
        return mg_error_raise(ctx, MG_ERR_DATA, "%s:%u: empty food_group", path, line);
    if (!mg_csv_parse_num(f[2], &mg) || !(mg > 0.0))
        return mg_error_raise(ctx, MG_ERR_DATA, "%s:%u: mg_per_100g must be a number > 0, got '%s'",
                              path, line, f[2]);
    if (mg > 100000.0)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "%s:%u: mg_per_100g = %g is more than 100 g per 100 g", path, line,
                              mg);
    if (!mg_csv_parse_num(f[3], &portion) || !(portion > 0.0) || portion > 100000.0)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "%s:%u: portion_g must be a number > 0 and <= 100000, got '%s'", path,
                              line, f[3]);
    if (!*f[4])
        return mg_error_raise(ctx, MG_ERR_DATA, "%s:%u: empty portion_desc", path, line);
    if (!*f[5])
        return mg_error_raise(ctx, MG_ERR_DATA, "%s:%u: empty source", path, line);
    if (!mg_diet_grow((void **)&t->rows, t->n, sizeof *t->rows))
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    mg_diet_food *r = &t->rows[t->n];
    memset(r, 0, sizeof *r);
    r->name = mg_diet_strdup(f[0]);
    r->group = mg_diet_strdup(f[1]);
    r->portion_desc = mg_diet_strdup(f[4]);
    r->source = mg_diet_strdup(f[5]);
    r->mg_per_100g = mg;
    r->portion_g = portion;
    r->line = line;
    t->n++;
    if (!r->name || !r->group || !r->portion_desc || !r->source)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    return MG_OK;
}

mg_status mg_diet_foods_load(mg_context *ctx, const char *path, mg_diet_foods **out) {
    if (!path || !out)
        return mg_error_raise(ctx, MG_ERR_USAGE, "mg_diet_foods_load: path and out must be given");
    *out = NULL;
    mg_diet_foods *t = calloc(1, sizeof *t);
    if (!t)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    mg_status st = mg_diet_csv_read(
        ctx, path, "name,food_group,mg_per_100g,portion_g,portion_desc,source", 6, food_row, t);
    if (st == MG_OK && t->n == 0)
        st = mg_error_raise(ctx, MG_ERR_DATA, "%s: the food table has no rows", path);
    if (st != MG_OK) {
        mg_diet_foods_destroy(&t);
        return st;
    }
    *out = t;
    return MG_OK;
}

void mg_diet_foods_destroy(mg_diet_foods **foods) {
    if (!foods || !*foods)
        return;
    mg_diet_foods *t = *foods;
    for (size_t i = 0; i < t->n; i++) {
        free(t->rows[i].name);
        free(t->rows[i].group);
        free(t->rows[i].portion_desc);
        free(t->rows[i].source);
    }
    free(t->rows);
    free(t);
    *foods = NULL;
}

size_t mg_diet_foods_count(const mg_diet_foods *foods) {
    return foods ? foods->n : 0;
}

const mg_diet_food *mg_diet_foods_at(const mg_diet_foods *foods, size_t i) {
    return foods && i < foods->n ? &foods->rows[i] : NULL;
}

const mg_diet_food *mg_diet_foods_find(const mg_diet_foods *foods, const char *name) {
    if (!foods || !name)
        return NULL;
    for (size_t i = 0; i < foods->n; i++)
        if (foods->rows[i].name && strcmp(foods->rows[i].name, name) == 0)
            return &foods->rows[i];
    return NULL;
}

size_t mg_diet_foods_suggest(const mg_diet_foods *foods, const char *name, const char **out,
                             size_t k) {
    if (!foods || !name || !out || k == 0)
        return 0;
    size_t dist[16];
    if (k > 16)
        k = 16;
    size_t n = 0;
    for (size_t i = 0; i < foods->n; i++) {
        size_t d = mg_text_edit_distance(name, foods->rows[i].name);
        /* insert keeping out[] sorted by distance, earlier rows first on ties */
        size_t pos = n;
        while (pos > 0 && dist[pos - 1] > d)
            pos--;
        if (pos >= k)
            continue;
        size_t last = n < k ? n : k - 1;
        for (size_t j = last; j > pos; j--) {
            dist[j] = dist[j - 1];
            out[j] = out[j - 1];
        }
        dist[pos] = d;
        out[pos] = foods->rows[i].name;
        if (n < k)
            n++;
    }
    return n;
}

/* ---- DRIs ----------------------------------------------------------------------------- */

static const char *const sex_names[] = {"female", "male", "any", "pregnant", "lactating"};
static const char *const kind_names[] = {"RDA", "EAR", "AI", "UL"};

const char *mg_diet_sex_string(mg_diet_sex s) {
    return (unsigned)s < 5u ? sex_names[s] : "?";
}

const char *mg_diet_dri_kind_string(mg_diet_dri_kind k) {
    return (unsigned)k < 4u ? kind_names[k] : "?";
}

/* Do rows for sexes a and b apply to a common person? */
static int sexes_overlap(mg_diet_sex a, mg_diet_sex b) {
    if (a == b)
        return 1;
    if (a == MG_DIET_ANY)
        return b == MG_DIET_FEMALE || b == MG_DIET_MALE;
    if (b == MG_DIET_ANY)
        return a == MG_DIET_FEMALE || a == MG_DIET_MALE;
    return 0;
}

static mg_status dri_row(mg_context *ctx, void *tab, const char *path, uint32_t line, char **f) {
    mg_diet_dris *t = tab;
    double lo, hi, mg;
    if (!mg_csv_parse_num(f[0], &lo) || !mg_csv_parse_num(f[1], &hi) || !(lo >= 0.0) ||
        !(hi > lo) || hi > 200.0)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "%s:%u: ages must be numbers with 0 <= age_min_y < age_max_y <= "
                              "200, got '%s' and '%s'",
                              path, line, f[0], f[1]);
    int sex = -1, kind = -1;
    for (int i = 0; i < 5; i++)
        if (strcmp(f[2], sex_names[i]) == 0)
            sex = i;
    for (int i = 0; i < 4; i++)
        if (strcmp(f[3], kind_names[i]) == 0)
            kind = i;
    if (sex < 0)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "%s:%u: sex must be female, male, any, pregnant or lactating, got "
                              "'%s'",
                              path, line, f[2]);
    if (kind < 0)
        return mg_error_raise(ctx, MG_ERR_DATA, "%s:%u: kind must be RDA, EAR, AI or UL, got '%s'",
                              path, line, f[3]);
    if (!mg_csv_parse_num(f[4], &mg) || !(mg > 0.0) || mg > 100000.0)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "%s:%u: mg_per_day must be a number > 0 and <= 100000, got '%s'",
                              path, line, f[4]);
    if (!*f[5])
        return mg_error_raise(ctx, MG_ERR_DATA, "%s:%u: empty source", path, line);
    for (size_t i = 0; i < t->n; i++) {
        const mg_diet_dri *o = &t->rows[i];
        if ((int)o->kind == kind && sexes_overlap(o->sex, (mg_diet_sex)sex) && lo < o->age_max_y &&
            o->age_min_y < hi)
            return mg_error_raise(ctx, MG_ERR_DATA,
                                  "%s:%u: this %s row overlaps the one on line %u (same sex and "
                                  "overlapping ages)",
                                  path, line, f[3], o->line);
    }
    if (!mg_diet_grow((void **)&t->rows, t->n, sizeof *t->rows))
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    mg_diet_dri *r = &t->rows[t->n];
    r->age_min_y = lo;
    r->age_max_y = hi;
    r->sex = (mg_diet_sex)sex;
    r->kind = (mg_diet_dri_kind)kind;
    r->mg_per_day = mg;
    r->line = line;
    r->source = mg_diet_strdup(f[5]);
    t->n++;
    if (!r->source)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    return MG_OK;
}

mg_status mg_diet_dris_load(mg_context *ctx, const char *path, mg_diet_dris **out) {
    if (!path || !out)
        return mg_error_raise(ctx, MG_ERR_USAGE, "mg_diet_dris_load: path and out must be given");
    *out = NULL;
    mg_diet_dris *t = calloc(1, sizeof *t);
    if (!t)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    mg_status st = mg_diet_csv_read(ctx, path, "age_min_y,age_max_y,sex,kind,mg_per_day,source", 6,
                                    dri_row, t);
    if (st == MG_OK && t->n == 0)
        st = mg_error_raise(ctx, MG_ERR_DATA, "%s: the DRI table has no rows", path);
    if (st != MG_OK) {
        mg_diet_dris_destroy(&t);
        return st;
    }
    *out = t;
    return MG_OK;
}

void mg_diet_dris_destroy(mg_diet_dris **dris) {
    if (!dris || !*dris)
        return;
    for (size_t i = 0; i < (*dris)->n; i++)
        free((*dris)->rows[i].source);
    free((*dris)->rows);
    free(*dris);
    *dris = NULL;
}

size_t mg_diet_dris_count(const mg_diet_dris *dris) {
    return dris ? dris->n : 0;
}

const mg_diet_dri *mg_diet_dris_at(const mg_diet_dris *dris, size_t i) {
    return dris && i < dris->n ? &dris->rows[i] : NULL;
}

const mg_diet_dri *mg_diet_dris_lookup(const mg_diet_dris *dris, double age_y, mg_diet_sex sex,
                                       mg_diet_dri_kind kind) {
    if (!dris || !isfinite(age_y))
        return NULL;
    for (size_t i = 0; i < dris->n; i++) {
        const mg_diet_dri *r = &dris->rows[i];
        int sex_ok = r->sex == sex ||
                     (r->sex == MG_DIET_ANY && (sex == MG_DIET_FEMALE || sex == MG_DIET_MALE));
        if (r->kind == kind && sex_ok && r->age_min_y <= age_y && age_y < r->age_max_y)
            return r;
    }
    return NULL;
}

const char *mg_diet_verdict_string(mg_diet_verdict v) {
    switch (v) {
        case MG_DIET_BELOW_EAR:
            return "below the EAR";
        case MG_DIET_BETWEEN_EAR_AND_RDA:
            return "between the EAR and the RDA";
        case MG_DIET_AT_OR_ABOVE_RDA:
            return "at or above the RDA";
        case MG_DIET_BELOW_AI:
            return "below the AI (adequacy cannot be judged below an AI)";
        case MG_DIET_AT_OR_ABOVE_AI:
            return "at or above the AI";
        case MG_DIET_NO_REFERENCE:
            return "no reference value for this person";
    }
    return "?";
}

mg_status mg_diet_assess(mg_context *ctx, const mg_diet_dris *dris, double age_y, mg_diet_sex sex,
                         double intake_mg_per_day, mg_diet_assessment *out) {
    if (!dris || !out)
        return mg_error_raise(ctx, MG_ERR_USAGE, "mg_diet_assess: dris and out must be given");
    if (!isfinite(intake_mg_per_day) || intake_mg_per_day < 0.0)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "intake must be a finite number >= 0 mg/day, got %g",
                              intake_mg_per_day);
    if (!(age_y >= 0.0 && age_y <= 120.0))
        return mg_error_raise(ctx, MG_ERR_DATA, "age must be from 0 to 120 years, got %g", age_y);
    mg_diet_assessment a;
    a.intake_mg_per_day = intake_mg_per_day;
    a.rda = mg_diet_dris_lookup(dris, age_y, sex, MG_DIET_RDA);
    a.ear = mg_diet_dris_lookup(dris, age_y, sex, MG_DIET_EAR);
    a.ai = mg_diet_dris_lookup(dris, age_y, sex, MG_DIET_AI);
    a.ul = mg_diet_dris_lookup(dris, age_y, sex, MG_DIET_UL);
    a.rda_mg = a.rda ? a.rda->mg_per_day : NAN;
    a.ear_mg = a.ear ? a.ear->mg_per_day : NAN;
    a.ai_mg = a.ai ? a.ai->mg_per_day : NAN;
    a.ul_supplement_mg = a.ul ? a.ul->mg_per_day : NAN;
    a.percent_rda = a.rda ? 100.0 * intake_mg_per_day / a.rda_mg : NAN;
    if (a.rda && a.ear)
        a.verdict = intake_mg_per_day < a.ear_mg   ? MG_DIET_BELOW_EAR
                    : intake_mg_per_day < a.rda_mg ? MG_DIET_BETWEEN_EAR_AND_RDA
                                                   : MG_DIET_AT_OR_ABOVE_RDA;
    else if (a.ai)
        a.verdict = intake_mg_per_day < a.ai_mg ? MG_DIET_BELOW_AI : MG_DIET_AT_OR_ABOVE_AI;
    else
        a.verdict = MG_DIET_NO_REFERENCE;
    *out = a;
    return MG_OK;
}
