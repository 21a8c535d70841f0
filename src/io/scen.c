/* Scenario key tables: loading, help, resolved echo and parameter list (see scen.h). */
#include "io/scen.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/text.h"
#include "io/file.h"

#define PATH_MAX_LEN 256

mg_status mg_scen_read(mg_context *ctx, const char *path, const char *what, const char *const *sets,
                       size_t n_sets, mg_yaml_doc **out) {
    *out = NULL;
    char *text = NULL;
    size_t len = 0;
    mg_status st = mg_io_read_text(ctx, path, what, &text, &len);
    if (st != MG_OK)
        return st;
    st = mg_scen_parse(ctx, path, text, len, sets, n_sets, out);
    free(text);
    return st;
}

mg_status mg_scen_parse(mg_context *ctx, const char *name, const char *text, size_t len,
                        const char *const *sets, size_t n_sets, mg_yaml_doc **out) {
    *out = NULL;
    mg_yaml_doc *doc = NULL;
    mg_status st = mg_yaml_parse(ctx, name, text, len, &doc);
    for (size_t i = 0; i < n_sets && st == MG_OK; i++) {
        if (!sets[i] || !strchr(sets[i], '='))
            st = mg_error_raise(ctx, MG_ERR_USAGE, "--set expects KEY=VALUE, got '%s'",
                                sets[i] ? sets[i] : "(null)");
        else
            st = mg_yaml_apply_set(ctx, doc, sets[i]);
    }
    if (st != MG_OK) {
        mg_yaml_free(&doc);
        return st;
    }
    *out = doc;
    return MG_OK;
}

/* ---- parsing scalars ---- */

int mg_scen_parse_clock(const char *text, double *hours) {
    if (!text)
        return -1;
    const char *p = text;
    int h = 0, digits = 0;
    while (*p >= '0' && *p <= '9' && digits < 2) {
        h = h * 10 + (*p - '0');
        p++;
        digits++;
    }
    if (digits == 0 || *p != ':')
        return -1;
    p++;
    if (!(p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9') || p[2] != '\0')
        return -1;
    int m = (p[0] - '0') * 10 + (p[1] - '0');
    if (h > 23 || m > 59)
        return -1;
    *hours = (double)h + (double)m / 60.0;
    return 0;
}

const char *mg_scen_format_clock(double hours, char *buf, size_t cap) {
    double h = fmod(hours, 24.0);
    if (h < 0)
        h += 24.0;
    long minutes = lround(h * 60.0) % 1440;
    snprintf(buf, cap, "%02ld:%02ld", minutes / 60, minutes % 60);
    return buf;
}

/* Parse the whole of text as a finite number; 0 on success. */
static int parse_number(const char *text, double *out) {
    if (!text || !*text)
        return -1;
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* "0 to 120", "> 0", ">= 0"; empty when unbounded both ways. */
static void format_range(double min, double max, unsigned flags, char *buf, size_t cap) {
    int has_min = isfinite(min), has_max = isfinite(max);
    if (has_min && has_max && !(flags & (MG_SCEN_MIN_EXCL | MG_SCEN_MAX_EXCL)))
        snprintf(buf, cap, "%g to %g", min, max);
    else if (has_min && has_max)
        snprintf(buf, cap, "%s %g and %s %g", (flags & MG_SCEN_MIN_EXCL) ? ">" : ">=", min,
                 (flags & MG_SCEN_MAX_EXCL) ? "<" : "<=", max);
    else if (has_min)
        snprintf(buf, cap, "%s %g", (flags & MG_SCEN_MIN_EXCL) ? ">" : ">=", min);
    else if (has_max)
        snprintf(buf, cap, "%s %g", (flags & MG_SCEN_MAX_EXCL) ? "<" : "<=", max);
    else
        buf[0] = '\0';
}

static int in_range(double v, double min, double max, unsigned flags) {
    if (isfinite(min) && ((flags & MG_SCEN_MIN_EXCL) ? !(v > min) : !(v >= min)))
        return 0;
    if (isfinite(max) && ((flags & MG_SCEN_MAX_EXCL) ? !(v < max) : !(v <= max)))
        return 0;
    return 1;
}

static mg_status check_range(mg_context *ctx, const mg_yaml_doc *doc, const mg_yaml_node *node,
                             const char *what, const char *unit, double v, double min, double max,
                             unsigned flags) {
    if (in_range(v, min, max, flags))
        return MG_OK;
    char loc[320], range[96];
    format_range(min, max, flags, range, sizeof range);
    return mg_error_raise(ctx, MG_ERR_DATA, "%s: %s must be %s%s%s, got %g",
                          mg_yaml_loc(doc, node, 0, loc, sizeof loc), what, range,
                          unit && *unit ? " " : "", unit ? unit : "", v);
}

mg_status mg_scen_number(mg_context *ctx, const mg_yaml_doc *doc, const mg_yaml_node *node,
                         const char *what, const char *unit, double min, double max, double *out) {
    char loc[320], desc[64];
    double v;
    if (!node || node->kind != MG_YAML_SCALAR || node->quoted || parse_number(node->str, &v) != 0)
        return mg_error_raise(ctx, MG_ERR_CONFIG, "%s: %s: expected a number%s%s, got %s",
                              mg_yaml_loc(doc, node, 0, loc, sizeof loc), what,
                              unit && *unit ? " in " : "", unit ? unit : "",
                              mg_yaml_describe(node, desc, sizeof desc));
    mg_status st = check_range(ctx, doc, node, what, unit, v, min, max, 0);
    if (st == MG_OK)
        *out = v;
    return st;
}

mg_status mg_scen_clock(mg_context *ctx, const mg_yaml_doc *doc, const mg_yaml_node *node,
                        const char *what, double *hours) {
    char loc[320], desc[64];
    if (!node || node->kind != MG_YAML_SCALAR || mg_scen_parse_clock(node->str, hours) != 0)
        return mg_error_raise(ctx, MG_ERR_CONFIG,
                              "%s: %s: expected a clock time \"HH:MM\" from 00:00 to 23:59, got %s",
                              mg_yaml_loc(doc, node, 0, loc, sizeof loc), what,
                              mg_yaml_describe(node, desc, sizeof desc));
    return MG_OK;
}

/* ---- loading ---- */

typedef struct {
    mg_context *ctx;
    const mg_yaml_doc *doc;
    const mg_scen_schema *s;
    void *const *bases;
    mg_scen_custom_fn custom;
    void *data;
    unsigned char *seen;
} loader;

static void *slot(void *const *bases, const mg_scen_key *k) {
    return (char *)bases[k->owner] + k->offset;
}

static const void *cslot(void *const *bases, const mg_scen_key *k) {
    return (const char *)bases[k->owner] + k->offset;
}

static size_t n_custom(const mg_scen_schema *s) {
    size_t n = 0;
    while (s->custom && s->custom[n])
        n++;
    return n;
}

/* Does some key or custom section lie strictly below path? */
static int is_section(const mg_scen_schema *s, const char *path) {
    size_t len = strlen(path), nc = n_custom(s);
    for (size_t i = 0; i < s->n_keys + nc; i++) {
        const char *k = i < s->n_keys ? s->keys[i].key : s->custom[i - s->n_keys];
        if (strncmp(k, path, len) == 0 && k[len] == '.')
            return 1;
    }
    return 0;
}

/* Names of the keys and sections directly below section (or the top level). */
static void list_children(const mg_scen_schema *s, const char *section, char *buf, size_t cap) {
    size_t len = section ? strlen(section) : 0, used = 0, nc = n_custom(s);
    buf[0] = '\0';
    const char *prev = NULL;
    size_t prev_len = 0;
    for (size_t i = 0; i < s->n_keys + nc && used + 1 < cap; i++) {
        const char *k = i < s->n_keys ? s->keys[i].key : s->custom[i - s->n_keys];
        if (section && !(strncmp(k, section, len) == 0 && k[len] == '.'))
            continue;
        const char *child = section ? k + len + 1 : k;
        size_t clen = strcspn(child, ".");
        if (prev && prev_len == clen && strncmp(prev, child, clen) == 0)
            continue;
        int w = snprintf(buf + used, cap - used, "%s%.*s", used ? ", " : "", (int)clen, child);
        if (w < 0 || (size_t)w >= cap - used)
            break;
        used += (size_t)w;
        prev = child;
        prev_len = clen;
    }
}

static mg_status unknown_key(loader *L, const mg_yaml_node *node, const char *path,
                             const char *section) {
    const mg_scen_schema *s = L->s;
    size_t nc = n_custom(s), n = s->n_keys + nc;
    const char **cands = malloc((n ? n : 1) * sizeof *cands);
    if (!cands)
        return mg_error_raise(L->ctx, MG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        cands[i] = i < s->n_keys ? s->keys[i].key : s->custom[i - s->n_keys];
    size_t idx[3];
    size_t reach = strlen(path) / 3 + 2;
    size_t m = mg_text_closest(path, cands, n, 3, reach, idx);
    char loc[320], hint[1024];
    if (m > 0) {
        size_t used = 0;
        hint[0] = '\0';
        for (size_t i = 0; i < m; i++) {
            int w = snprintf(hint + used, sizeof hint - used, "%s'%s'",
                             i == 0 ? "did you mean " : " or ", cands[idx[i]]);
            if (w < 0 || (size_t)w >= sizeof hint - used)
                break;
            used += (size_t)w;
        }
        if (used + 2 < sizeof hint)
            strcat(hint, "?");
    } else {
        char kids[900];
        list_children(s, section, kids, sizeof kids);
        if (section)
            snprintf(hint, sizeof hint, "keys in '%s': %s", section, kids);
        else
            snprintf(hint, sizeof hint, "top-level keys: %s", kids);
    }
    free(cands);
    return mg_error_raise(L->ctx, MG_ERR_CONFIG, "%s: unknown key '%s'; %s",
                          mg_yaml_loc(L->doc, node, 1, loc, sizeof loc), path, hint);
}

static mg_status load_value(loader *L, const mg_scen_key *k, const mg_yaml_node *node) {
    char loc[320], desc[64];
    mg_yaml_loc(L->doc, node, 0, loc, sizeof loc);
    mg_yaml_describe(node, desc, sizeof desc);
    void *dst = slot(L->bases, k);
    switch (k->type) {
        case MG_SCEN_NUMBER: {
            double v;
            if ((k->flags & MG_SCEN_OPTIONAL) && node->kind == MG_YAML_NULL) {
                v = NAN;
                memcpy(dst, &v, sizeof v);
                return MG_OK;
            }
            if (node->kind != MG_YAML_SCALAR || node->quoted || parse_number(node->str, &v) != 0)
                return mg_error_raise(L->ctx, MG_ERR_CONFIG,
                                      "%s: %s: expected a number%s%s, got %s", loc, k->key,
                                      *k->unit ? " in " : "", k->unit, desc);
            mg_status st =
                check_range(L->ctx, L->doc, node, k->key, k->unit, v, k->min, k->max, k->flags);
            if (st == MG_OK)
                memcpy(dst, &v, sizeof v);
            return st;
        }
        case MG_SCEN_UINT: {
            const char *t = node->kind == MG_YAML_SCALAR && !node->quoted ? node->str : NULL;
            int ok = t && *t && strspn(t, "0123456789") == strlen(t) && strlen(t) <= 19;
            if (!ok)
                return mg_error_raise(L->ctx, MG_ERR_CONFIG,
                                      "%s: %s: expected a whole number >= 0, got %s", loc, k->key,
                                      desc);
            uint64_t v = strtoull(t, NULL, 10);
            mg_status st = check_range(L->ctx, L->doc, node, k->key, k->unit, (double)v, k->min,
                                       k->max, k->flags);
            if (st == MG_OK)
                memcpy(dst, &v, sizeof v);
            return st;
        }
        case MG_SCEN_BOOL: {
            int v = -1;
            if (node->kind == MG_YAML_SCALAR && !node->quoted) {
                if (strcmp(node->str, "true") == 0)
                    v = 1;
                else if (strcmp(node->str, "false") == 0)
                    v = 0;
            }
            if (v < 0)
                return mg_error_raise(L->ctx, MG_ERR_CONFIG,
                                      "%s: %s: expected true or false, got %s", loc, k->key, desc);
            memcpy(dst, &v, sizeof v);
            return MG_OK;
        }
        case MG_SCEN_ENUM: {
            int v = -1;
            char names[512];
            size_t used = 0;
            names[0] = '\0';
            for (int i = 0; k->names && k->names[i]; i++) {
                if (node->kind == MG_YAML_SCALAR && strcmp(node->str, k->names[i]) == 0)
                    v = i;
                int w =
                    snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", k->names[i]);
                if (w > 0 && (size_t)w < sizeof names - used)
                    used += (size_t)w;
            }
            if (v < 0)
                return mg_error_raise(L->ctx, MG_ERR_CONFIG, "%s: %s: expected one of %s, got %s",
                                      loc, k->key, names, desc);
            memcpy(dst, &v, sizeof v);
            return MG_OK;
        }
        case MG_SCEN_CLOCK: {
            double h;
            mg_status st = mg_scen_clock(L->ctx, L->doc, node, k->key, &h);
            if (st == MG_OK)
                memcpy(dst, &h, sizeof h);
            return st;
        }
        case MG_SCEN_TEXT: {
            if (node->kind != MG_YAML_SCALAR || strlen(node->str) >= MG_SCEN_TEXT_MAX)
                return mg_error_raise(L->ctx, MG_ERR_CONFIG,
                                      "%s: %s: expected a text of at most %d characters, got %s",
                                      loc, k->key, MG_SCEN_TEXT_MAX - 1, desc);
            memset(dst, 0, MG_SCEN_TEXT_MAX);
            memcpy(dst, node->str, strlen(node->str));
            return MG_OK;
        }
    }
    return mg_error_raise(L->ctx, MG_ERR_INTERNAL, "%s: unknown key type", k->key);
}

static mg_status walk(loader *L, const mg_yaml_node *map, const char *prefix) {
    char loc[320], desc[64];
    for (size_t i = 0; i < map->n; i++) {
        const mg_yaml_node *v = map->pairs[i].value;
        char path[PATH_MAX_LEN];
        int w = prefix ? snprintf(path, sizeof path, "%s.%s", prefix, map->pairs[i].key)
                       : snprintf(path, sizeof path, "%s", map->pairs[i].key);
        if (w < 0 || (size_t)w >= sizeof path)
            return mg_error_raise(L->ctx, MG_ERR_CONFIG, "%s: key too long",
                                  mg_yaml_loc(L->doc, v, 1, loc, sizeof loc));
        mg_status st = MG_OK;
        size_t k = 0;
        while (k < L->s->n_keys && strcmp(L->s->keys[k].key, path) != 0)
            k++;
        size_t nc = n_custom(L->s), c = 0;
        while (c < nc && strcmp(L->s->custom[c], path) != 0)
            c++;
        if (k < L->s->n_keys) {
            if (L->seen[k])
                return mg_error_raise(L->ctx, MG_ERR_CONFIG, "%s: key '%s' given twice",
                                      mg_yaml_loc(L->doc, v, 1, loc, sizeof loc), path);
            L->seen[k] = 1;
            st = load_value(L, &L->s->keys[k], v);
        } else if (c < nc) {
            if (!L->custom)
                return mg_error_raise(L->ctx, MG_ERR_INTERNAL, "no loader for section '%s'", path);
            st = L->custom(L->ctx, L->doc, path, v, L->data);
        } else if (is_section(L->s, path)) {
            if (v->kind == MG_YAML_MAP) {
                st = walk(L, v, path);
            } else if (v->kind != MG_YAML_NULL) {
                char kids[900];
                list_children(L->s, path, kids, sizeof kids);
                return mg_error_raise(L->ctx, MG_ERR_CONFIG,
                                      "%s: '%s' is a section: expected a map of its keys (%s), "
                                      "got %s",
                                      mg_yaml_loc(L->doc, v, 0, loc, sizeof loc), path, kids,
                                      mg_yaml_describe(v, desc, sizeof desc));
            }
        } else {
            st = unknown_key(L, v, path, prefix);
        }
        if (st != MG_OK)
            return st;
    }
    return MG_OK;
}

mg_status mg_scen_load(mg_context *ctx, const mg_yaml_doc *doc, const mg_scen_schema *schema,
                       void *const *bases, mg_scen_custom_fn custom, void *data) {
    loader L = {ctx, doc, schema, bases, custom, data, NULL};
    L.seen = calloc(schema->n_keys ? schema->n_keys : 1, 1);
    if (!L.seen)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    mg_status st = MG_OK;
    const mg_yaml_node *root = doc->root;
    char loc[320], desc[64];
    if (root && root->kind == MG_YAML_MAP)
        st = walk(&L, root, NULL);
    else if (root && root->kind != MG_YAML_NULL)
        st = mg_error_raise(ctx, MG_ERR_CONFIG, "%s: expected a map of keys at the top, got %s",
                            mg_yaml_loc(doc, root, 0, loc, sizeof loc),
                            mg_yaml_describe(root, desc, sizeof desc));
    for (size_t k = 0; st == MG_OK && k < schema->n_keys; k++)
        if ((schema->keys[k].flags & MG_SCEN_REQUIRED) && !L.seen[k])
            st = mg_error_raise(ctx, MG_ERR_CONFIG, "%s: missing required key '%s' (%s)", doc->name,
                                schema->keys[k].key, schema->keys[k].meaning);
    free(L.seen);
    return st;
}

/* ---- printing ---- */

/* The shortest "%.Ng" that reads back as v. */
static void format_number(double v, char *buf, size_t cap) {
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, cap, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

/* The value of key k as YAML text (quoted where needed). */
static void format_value(const mg_scen_key *k, void *const *bases, char *buf, size_t cap) {
    const void *src = cslot(bases, k);
    switch (k->type) {
        case MG_SCEN_NUMBER: {
            double v;
            memcpy(&v, src, sizeof v);
            if (isnan(v))
                snprintf(buf, cap, "null");
            else
                format_number(v, buf, cap);
            return;
        }
        case MG_SCEN_UINT: {
            uint64_t v;
            memcpy(&v, src, sizeof v);
            snprintf(buf, cap, "%llu", (unsigned long long)v);
            return;
        }
        case MG_SCEN_BOOL: {
            int v;
            memcpy(&v, src, sizeof v);
            snprintf(buf, cap, "%s", v ? "true" : "false");
            return;
        }
        case MG_SCEN_ENUM: {
            int v;
            memcpy(&v, src, sizeof v);
            snprintf(buf, cap, "%s", k->names && v >= 0 ? k->names[v] : "?");
            return;
        }
        case MG_SCEN_CLOCK: {
            double v;
            char c[8];
            memcpy(&v, src, sizeof v);
            snprintf(buf, cap, "\"%s\"", mg_scen_format_clock(v, c, sizeof c));
            return;
        }
        case MG_SCEN_TEXT: {
            const char *t = src;
            size_t used = 0;
            buf[used++] = '"';
            for (size_t i = 0; t[i] && i < MG_SCEN_TEXT_MAX && used + 6 < cap; i++) {
                unsigned char ch = (unsigned char)t[i];
                if (ch == '"' || ch == '\\') {
                    buf[used++] = '\\';
                    buf[used++] = (char)ch;
                } else if (ch < 0x20 || ch == 0x7f) {
                    used += (size_t)snprintf(buf + used, cap - used, "\\x%02x", ch);
                } else {
                    buf[used++] = (char)ch;
                }
            }
            buf[used++] = '"';
            buf[used] = '\0';
            return;
        }
    }
    snprintf(buf, cap, "?");
}

/* The unit and range text for --help. */
static void format_domain(const mg_scen_key *k, char *buf, size_t cap) {
    char range[96] = "";
    switch (k->type) {
        case MG_SCEN_NUMBER:
        case MG_SCEN_UINT:
            format_range(k->min, k->max, k->flags, range, sizeof range);
            snprintf(buf, cap, "%s%s%s%s", k->type == MG_SCEN_UINT ? "whole number" : "number",
                     *k->unit ? ", " : "", k->unit, *range ? "" : "");
            if (*range) {
                size_t used = strlen(buf);
                snprintf(buf + used, cap - used, "; %s", range);
            }
            if (k->flags & MG_SCEN_OPTIONAL) {
                size_t used = strlen(buf);
                snprintf(buf + used, cap - used, "; null: not given");
            }
            return;
        case MG_SCEN_BOOL:
            snprintf(buf, cap, "true or false");
            return;
        case MG_SCEN_ENUM: {
            size_t used = 0;
            buf[0] = '\0';
            for (int i = 0; k->names && k->names[i] && used < cap; i++) {
                int w = snprintf(buf + used, cap - used, "%s%s", i ? " | " : "", k->names[i]);
                if (w < 0)
                    return;
                used += (size_t)w;
            }
            return;
        }
        case MG_SCEN_CLOCK:
            snprintf(buf, cap, "clock time HH:MM");
            return;
        case MG_SCEN_TEXT:
            snprintf(buf, cap, "text, at most %d characters", MG_SCEN_TEXT_MAX - 1);
            return;
    }
    buf[0] = '\0';
}

void mg_scen_print_keys(FILE *out, const mg_scen_schema *schema, void *const *bases) {
    const char *prev = NULL;
    size_t prev_len = 0;
    for (size_t i = 0; i < schema->n_keys; i++) {
        const mg_scen_key *k = &schema->keys[i];
        const char *dot = strrchr(k->key, '.');
        size_t sec_len = dot ? (size_t)(dot - k->key) : 0;
        if (!prev || sec_len != prev_len || strncmp(prev, k->key, sec_len) != 0) {
            if (sec_len)
                fprintf(out, "\n  %.*s:\n", (int)sec_len, k->key);
            else
                fputc('\n', out);
            prev = k->key;
            prev_len = sec_len;
        }
        char val[160], dom[512];
        format_value(k, bases, val, sizeof val);
        format_domain(k, dom, sizeof dom);
        fprintf(out, "    %s = %s  (%s)%s\n", k->key, val, dom,
                (k->flags & MG_SCEN_REQUIRED) ? "  required" : "");
        fprintf(out, "        %s", k->meaning);
        if (k->source && *k->source)
            fprintf(out, " [%s]", k->source);
        fputc('\n', out);
    }
}

int mg_scen_write_yaml(FILE *out, const mg_scen_schema *schema, void *const *bases) {
    /* the open sections, as the leading components of the previous key */
    const char *open = NULL;
    size_t depth = 0;
    for (size_t i = 0; i < schema->n_keys; i++) {
        const char *key = schema->keys[i].key;
        /* components of key: count sections shared with the open path */
        size_t shared = 0;
        if (open) {
            const char *a = open, *b = key;
            for (size_t d = 0; d < depth; d++) {
                size_t la = strcspn(a, "."), lb = strcspn(b, ".");
                if (la != lb || strncmp(a, b, la) != 0 || b[lb] != '.')
                    break;
                shared++;
                a += la + 1;
                b += lb + 1;
            }
        }
        /* open the remaining sections of key */
        const char *p = key;
        for (size_t d = 0; d < shared; d++)
            p += strcspn(p, ".") + 1;
        size_t d = shared;
        while (strchr(p, '.')) {
            size_t len = strcspn(p, ".");
            if (fprintf(out, "%*s%.*s:\n", (int)(2 * d), "", (int)len, p) < 0)
                return -1;
            p += len + 1;
            d++;
        }
        char val[160];
        format_value(&schema->keys[i], bases, val, sizeof val);
        if (fprintf(out, "%*s%s: %s\n", (int)(2 * d), "", p, val) < 0)
            return -1;
        open = key;
        depth = d;
    }
    return ferror(out) ? -1 : 0;
}

json_t *mg_scen_params_json(const mg_scen_schema *schema, void *const *bases) {
    json_t *arr = json_array();
    if (!arr)
        return NULL;
    for (size_t i = 0; i < schema->n_keys; i++) {
        const mg_scen_key *k = &schema->keys[i];
        const void *src = cslot(bases, k);
        json_t *val = NULL;
        char buf[MG_SCEN_TEXT_MAX + 8];
        switch (k->type) {
            case MG_SCEN_NUMBER: {
                double v;
                memcpy(&v, src, sizeof v);
                val = isnan(v) ? json_null() : json_real(v);
                break;
            }
            case MG_SCEN_UINT: {
                uint64_t v;
                memcpy(&v, src, sizeof v);
                val = json_integer((json_int_t)v);
                break;
            }
            case MG_SCEN_BOOL: {
                int v;
                memcpy(&v, src, sizeof v);
                val = json_boolean(v);
                break;
            }
            case MG_SCEN_ENUM: {
                int v;
                memcpy(&v, src, sizeof v);
                val = json_string(k->names && v >= 0 ? k->names[v] : "?");
                break;
            }
            case MG_SCEN_CLOCK: {
                double v;
                memcpy(&v, src, sizeof v);
                val = json_string(mg_scen_format_clock(v, buf, sizeof buf));
                break;
            }
            case MG_SCEN_TEXT:
                memcpy(buf, src, MG_SCEN_TEXT_MAX);
                buf[MG_SCEN_TEXT_MAX - 1] = '\0';
                val = json_string(buf);
                break;
        }
        json_t *o =
            json_pack("{s:s, s:o, s:s, s:s}", "key", k->key, "value", val ? val : json_null(),
                      "unit", k->unit ? k->unit : "", "source", k->source ? k->source : "");
        if (!o || json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}
