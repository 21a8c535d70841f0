/* Loading YAML network models into an mg_net_spec (see mgsim/io.h).
 *
 * The document is parsed into a tree (yaml_tree.c), the --set overrides are
 * grafted onto it, every key is checked against the key table (net_keys.c),
 * then each section is filled from the engine's defaults and the table, and
 * the whole is cross-checked, ending with the memory estimate, before the
 * engine allocates anything. Every error names the file, line and column (or
 * the override), the dotted key, what was expected and what was found.
 */
#include "mgsim/io.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/net_keys.h"
#include "io/net_model.h"
#include "io/yaml_tree.h"

#define KEYLEN 320

typedef struct {
    mg_context *ctx;
    mg_yaml_doc *doc;
    mg_io_net_model *m;
    char *base_dir; /* folder of the model file, with a trailing '/', or "" */
    char *file;     /* the last MG_KEY_FILE value read (owned) */
    const mg_yaml_node *file_node;
} loader;

/* ---- errors -------------------------------------------------------------------------------- */

#if defined(__GNUC__)
__attribute__((format(printf, 6, 7)))
#endif
static mg_status
fail(loader *L, mg_status st, const mg_yaml_node *node, int at_key, const char *key,
     const char *fmt, ...) {
    char loc[192], msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    mg_yaml_loc(L->doc, node, at_key, loc, sizeof loc);
    if (key && *key)
        return mg_error_raise(L->ctx, st, "%s: %s: %s", loc, key, msg);
    return mg_error_raise(L->ctx, st, "%s: %s", loc, msg);
}

static mg_status nomem(loader *L) {
    return mg_error_raise(L->ctx, MG_ERR_NOMEM, "%s: out of memory", L->doc->name);
}

static const char *desc(const mg_yaml_node *n, char *buf, size_t cap) {
    return mg_yaml_describe(n, buf, cap);
}

/* ---- scalars ------------------------------------------------------------------------------- */

/* Range check of v against k's min/max/flags; writes "a number > 0 (pF)" style text. */
static void expect_text(const mg_net_key *k, const char *what, char *buf, size_t cap) {
    int lo = isfinite(k->min), hi = isfinite(k->max) && k->max < MG_NETKEYS_END_OF_RUN;
    char unit[24] = "";
    if (k->unit && *k->unit)
        snprintf(unit, sizeof unit, " (%s)", k->unit);
    if (lo && hi)
        snprintf(buf, cap, "%s in %c%g, %g%c%s", what, (k->flags & MG_KEY_MIN_EXCL) ? '(' : '[',
                 k->min, k->max, (k->flags & MG_KEY_MAX_EXCL) ? ')' : ']', unit);
    else if (lo)
        snprintf(buf, cap, "%s %s %g%s", what, (k->flags & MG_KEY_MIN_EXCL) ? ">" : ">=", k->min,
                 unit);
    else
        snprintf(buf, cap, "a finite %s%s", what + 2, unit); /* "a number" -> "a finite number" */
}

static int in_range(const mg_net_key *k, double v) {
    if (!isfinite(v))
        return 0;
    if ((k->flags & MG_KEY_MIN_EXCL) ? !(v > k->min) : !(v >= k->min))
        return 0;
    if ((k->flags & MG_KEY_MAX_EXCL) ? !(v < k->max) : !(v <= k->max))
        return 0;
    return 1;
}

/* Read a number (type error: MG_ERR_CONFIG). */
static mg_status read_number(loader *L, const mg_yaml_node *n, const char *key, double *out) {
    char d[64];
    if (n->kind == MG_YAML_SCALAR && !n->quoted && mg_netkeys_parse_number(n->str, out))
        return MG_OK;
    if (n->kind == MG_YAML_SCALAR && n->quoted) {
        double tmp;
        if (mg_netkeys_parse_number(n->str, &tmp))
            return fail(L, MG_ERR_CONFIG, n, 0, key,
                        "expected a number, got the quoted string %s (remove the quotes)",
                        desc(n, d, sizeof d));
    }
    return fail(L, MG_ERR_CONFIG, n, 0, key, "expected a number, got %s", desc(n, d, sizeof d));
}

static int is_steps(double v, double dt) {
    double q = v / dt, r = nearbyint(q);
    return r >= 1.0 && fabs(q - r) <= 1e-9 * r;
}

static mg_status check_number(loader *L, const mg_net_key *k, const mg_yaml_node *n,
                              const char *key, double v) {
    char e[96];
    if (!in_range(k, v)) {
        expect_text(k, "a number", e, sizeof e);
        return fail(L, MG_ERR_DATA, n, 0, key, "expected %s, got %s", e, n->str);
    }
    double dt = L->m->spec.dt_ms;
    if ((k->flags & MG_KEY_DT_STEP) && v != 0.0 && !is_steps(v, dt))
        return fail(L, MG_ERR_DATA, n, 0, key,
                    "expected a whole number of steps of run.dt_ms = %g ms, got %s (%.6g steps)",
                    dt, n->str, v / dt);
    return MG_OK;
}

static const char *int_range(const mg_net_key *k, char *buf, size_t cap) {
    if (k->type == MG_KEY_U64)
        snprintf(buf, cap, "[0, %llu]", (unsigned long long)UINT64_MAX);
    else
        snprintf(buf, cap, "[%.0f, %.0f]", k->min, k->max);
    return buf;
}

/* Read an unsigned integer in [k->min, k->max]. */
static mg_status read_uint(loader *L, const mg_net_key *k, const mg_yaml_node *n, const char *key,
                           uint64_t *out) {
    char d[64], r[64];
    const char *s = n->str;
    if (n->kind == MG_YAML_SCALAR && !n->quoted) {
        const char *p = s + (*s == '+');
        if (*p && strspn(p, "0123456789") == strlen(p)) {
            errno = 0;
            unsigned long long v = strtoull(p, NULL, 10);
            if (errno == 0 && (double)v <= k->max && (double)v >= k->min) {
                *out = (uint64_t)v;
                return MG_OK;
            }
            return fail(L, MG_ERR_DATA, n, 0, key, "expected an integer in %s, got %s",
                        int_range(k, r, sizeof r), desc(n, d, sizeof d));
        }
        double v;
        if (mg_netkeys_parse_number(s, &v)) {
            if (v == nearbyint(v) && v >= k->min && v <= k->max && v <= 9007199254740992.0) {
                *out = (uint64_t)v;
                return MG_OK;
            }
            return fail(L, MG_ERR_DATA, n, 0, key, "expected an integer in %s, got %s",
                        int_range(k, r, sizeof r), desc(n, d, sizeof d));
        }
    }
    return fail(L, MG_ERR_CONFIG, n, 0, key, "expected an integer, got %s", desc(n, d, sizeof d));
}

static mg_status read_name_text(loader *L, const mg_yaml_node *n, const char *key, const char *what,
                                const char **out) {
    char d[64];
    if (n->kind != MG_YAML_SCALAR || !*n->str)
        return fail(L, MG_ERR_CONFIG, n, 0, key, "expected %s, got %s", what, desc(n, d, sizeof d));
    *out = n->str;
    return MG_OK;
}

static mg_status read_enum(loader *L, const mg_net_key *k, const mg_yaml_node *n, const char *key,
                           int *out) {
    const char *s = NULL;
    mg_status st = read_name_text(L, n, key, "a name", &s);
    if (st)
        return st;
    int count = mg_netkeys_enum_count(k);
    for (int i = 0; i < count; i++)
        if (strcmp(s, mg_netkeys_enum_name(k, i)) == 0) {
            *out = i;
            return MG_OK;
        }
    char list[256];
    size_t used = 0;
    list[0] = '\0';
    for (int i = 0; i < count && used < sizeof list; i++) {
        int w = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                         mg_netkeys_enum_name(k, i));
        used += w > 0 ? (size_t)w : 0;
    }
    char d[64];
    return fail(L, MG_ERR_CONFIG, n, 0, key, "expected one of %s, got %s", list,
                desc(n, d, sizeof d));
}

static mg_status read_bool(loader *L, const mg_yaml_node *n, const char *key, int *out) {
    char d[64];
    if (n->kind == MG_YAML_SCALAR && !n->quoted) {
        const char *s = n->str;
        if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE")) {
            *out = 1;
            return MG_OK;
        }
        if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE")) {
            *out = 0;
            return MG_OK;
        }
    }
    return fail(L, MG_ERR_CONFIG, n, 0, key, "expected true or false, got %s",
                desc(n, d, sizeof d));
}

/* A population index by name. */
static mg_status read_pop(loader *L, const mg_yaml_node *n, const char *key, uint32_t *out) {
    const char *s = NULL;
    mg_status st = read_name_text(L, n, key, "a population name", &s);
    if (st)
        return st;
    const mg_net_spec *sp = &L->m->spec;
    for (size_t i = 0; i < sp->n_pops; i++)
        if (strcmp(sp->pops[i].name, s) == 0) {
            *out = (uint32_t)i;
            return MG_OK;
        }
    const char *names[64];
    size_t nn = 0;
    for (size_t i = 0; i < sp->n_pops && nn < 64; i++)
        names[nn++] = sp->pops[i].name;
    char sug[512], d[64];
    mg_netkeys_suggest_name(s, names, nn, sug, sizeof sug);
    return fail(L, MG_ERR_CONFIG, n, 0, key, "no population named %s; %s", desc(n, d, sizeof d),
                sug);
}

/* The name of a projection defined earlier in the file than the one being read. */
static mg_status read_proj(loader *L, const mg_yaml_node *n, const char *key, int any,
                           uint32_t *out) {
    const char *s = NULL;
    mg_status st = read_name_text(L, n, key, "a projection name", &s);
    if (st)
        return st;
    const mg_net_spec *sp = &L->m->spec;
    /* same_as: the one being read is the last; recorders: any projection */
    size_t earlier = any ? sp->n_projs : (sp->n_projs ? sp->n_projs - 1 : 0);
    for (size_t i = 0; i < earlier; i++)
        if (strcmp(sp->projs[i].name, s) == 0) {
            *out = (uint32_t)i;
            return MG_OK;
        }
    const char *names[64];
    size_t nn = 0;
    for (size_t i = 0; i < earlier && nn < 64; i++)
        names[nn++] = sp->projs[i].name;
    char sug[512], d[64];
    mg_netkeys_suggest_name(s, names, nn, sug, sizeof sug);
    if (any)
        return fail(L, MG_ERR_CONFIG, n, 0, key, "no projection named %s; %s", desc(n, d, sizeof d),
                    sug);
    return fail(L, MG_ERR_CONFIG, n, 0, key,
                "no projection named %s before this one (same_as must name an earlier "
                "projection); %s",
                desc(n, d, sizeof d), sug);
}

static mg_status expect_seq(loader *L, const mg_yaml_node *n, const char *key, const char *eg) {
    char d[64];
    if (n->kind != MG_YAML_SEQ)
        return fail(L, MG_ERR_CONFIG, n, 0, key, "expected a list such as %s, got %s", eg,
                    desc(n, d, sizeof d));
    return MG_OK;
}

/* ---- distributions ------------------------------------------------------------------------- */

static mg_status read_dist(loader *L, const mg_net_key *k, const mg_yaml_node *n, const char *key,
                           mg_dist *out) {
    double dt = L->m->spec.dt_ms;
    double lo_default = (k->flags & MG_KEY_CLIP_ZERO) ? 0.0
                        : (k->flags & MG_KEY_CLIP_DT) ? dt
                                                      : -INFINITY;
    char sub[KEYLEN], d[64];
    mg_status st;
    mg_dist r = mg_dist_const(0.0);
    r.lo = lo_default;
    if (n->kind != MG_YAML_MAP) {
        if (n->kind != MG_YAML_SCALAR || n->quoted || !mg_netkeys_parse_number(n->str, &r.a))
            return fail(L, MG_ERR_CONFIG, n, 0, key,
                        "expected a number or a distribution such as {dist: normal, mean: 1, "
                        "sd: 0.1}, got %s",
                        desc(n, d, sizeof d));
        if ((st = check_number(L, k, n, key, r.a)))
            return st;
        if ((k->flags & MG_KEY_CLIP_DT) && !(r.a >= dt * (1.0 - 1e-9)))
            return fail(L, MG_ERR_DATA, n, 0, key, "expected at least one step (%g ms), got %s", dt,
                        n->str);
        *out = r;
        return MG_OK;
    }
    const mg_yaml_node *kn = mg_yaml_map_get(n, "dist");
    snprintf(sub, sizeof sub, "%s.dist", key);
    if (!kn)
        return fail(L, MG_ERR_CONFIG, n, 0, key,
                    "a distribution needs 'dist' (one of const, normal, uniform, lognormal)");
    const char *const *names = mg_netkeys_dist_names();
    int kind = -1;
    for (int i = 0; names[i]; i++)
        if (kn->kind == MG_YAML_SCALAR && strcmp(kn->str, names[i]) == 0)
            kind = i;
    if (kind < 0)
        return fail(L, MG_ERR_CONFIG, kn, 0, sub,
                    "expected one of const, normal, uniform, lognormal, got %s",
                    desc(kn, d, sizeof d));
    r.kind = (mg_dist_kind)kind;
    static const char *const params[][2] = {
        {"value", NULL}, {"mean", "sd"}, {"low", "high"}, {"mu", "sigma"}};
    /* every key present must belong to this kind */
    for (size_t i = 0; i < n->n; i++) {
        const char *pk = n->pairs[i].key;
        int ok = !strcmp(pk, "dist") || !strcmp(pk, "min") || !strcmp(pk, "max") ||
                 !strcmp(pk, params[kind][0]) || (params[kind][1] && !strcmp(pk, params[kind][1]));
        if (!ok) {
            snprintf(sub, sizeof sub, "%s.%s", key, pk);
            return fail(L, MG_ERR_CONFIG, n->pairs[i].value, 1, sub,
                        "unknown key for a %s distribution; its keys are dist, %s%s%s, min, max",
                        names[kind], params[kind][0], params[kind][1] ? ", " : "",
                        params[kind][1] ? params[kind][1] : "");
        }
    }
    double *slots[2] = {&r.a, &r.b};
    for (int j = 0; j < 2 && params[kind][j]; j++) {
        const mg_yaml_node *pn = mg_yaml_map_get(n, params[kind][j]);
        snprintf(sub, sizeof sub, "%s.%s", key, params[kind][j]);
        if (!pn)
            return fail(L, MG_ERR_CONFIG, n, 0, key, "a %s distribution needs '%s'", names[kind],
                        params[kind][j]);
        if ((st = read_number(L, pn, sub, slots[j])))
            return st;
        if (!isfinite(*slots[j]))
            return fail(L, MG_ERR_DATA, pn, 0, sub, "expected a finite number, got %s", pn->str);
        if (j == 1 && kind != MG_DIST_UNIFORM && *slots[j] < 0.0)
            return fail(L, MG_ERR_DATA, pn, 0, sub, "expected a number >= 0, got %s", pn->str);
        if (j == 1 && kind == MG_DIST_UNIFORM && r.b < r.a)
            return fail(L, MG_ERR_DATA, pn, 0, sub, "expected a number >= low (%g), got %s", r.a,
                        pn->str);
        if (kind == MG_DIST_CONST && (st = check_number(L, k, pn, sub, r.a)))
            return st;
    }
    const mg_yaml_node *mn = mg_yaml_map_get(n, "min"), *xn = mg_yaml_map_get(n, "max");
    if (mn) {
        snprintf(sub, sizeof sub, "%s.min", key);
        if ((st = read_number(L, mn, sub, &r.lo)))
            return st;
        if (isnan(r.lo) || r.lo < lo_default * (1.0 - 1e-9) || r.lo == INFINITY) {
            if (lo_default > -INFINITY)
                return fail(L, MG_ERR_DATA, mn, 0, sub, "expected a number >= %g%s, got %s",
                            lo_default, (k->flags & MG_KEY_CLIP_DT) ? " (one step)" : "", mn->str);
            return fail(L, MG_ERR_DATA, mn, 0, sub, "expected a number or -.inf, got %s", mn->str);
        }
    }
    if (xn) {
        snprintf(sub, sizeof sub, "%s.max", key);
        if ((st = read_number(L, xn, sub, &r.hi)))
            return st;
        if (isnan(r.hi) || !(r.hi >= r.lo))
            return fail(L, MG_ERR_DATA, xn, 0, sub, "expected a number >= min (%g), got %s", r.lo,
                        xn->str);
    }
    if (kind == MG_DIST_CONST && (k->flags & MG_KEY_CLIP_DT) && !(r.a >= dt * (1.0 - 1e-9)))
        return fail(L, MG_ERR_DATA, mg_yaml_map_get(n, "value"), 0, key,
                    "expected at least one step (%g ms), got %g", dt, r.a);
    *out = r;
    return MG_OK;
}

/* ---- lists --------------------------------------------------------------------------------- */

static mg_status read_times(loader *L, const mg_net_key *k, const mg_yaml_node *n, const char *key,
                            double **out, size_t *count) {
    mg_status st = expect_seq(L, n, key, "[10, 20.5]");
    if (st)
        return st;
    double *v = malloc((n->n ? n->n : 1) * sizeof *v);
    if (!v)
        return nomem(L);
    for (size_t i = 0; i < n->n; i++) {
        char sub[KEYLEN + 24];
        snprintf(sub, sizeof sub, "%s[%zu]", key, i);
        if ((st = read_number(L, n->items[i], sub, &v[i])) ||
            (st = check_number(L, k, n->items[i], sub, v[i]))) {
            free(v);
            return st;
        }
    }
    *out = v;
    *count = n->n;
    return MG_OK;
}

static mg_status read_ids(loader *L, const mg_net_key *k, const mg_yaml_node *n, const char *key,
                          uint32_t **out, size_t *count) {
    mg_status st = expect_seq(L, n, key, "[0, 3]");
    if (st)
        return st;
    uint32_t *v = malloc((n->n ? n->n : 1) * sizeof *v);
    if (!v)
        return nomem(L);
    for (size_t i = 0; i < n->n; i++) {
        char sub[KEYLEN + 24];
        uint64_t u;
        snprintf(sub, sizeof sub, "%s[%zu]", key, i);
        if ((st = read_uint(L, k, n->items[i], sub, &u))) {
            free(v);
            return st;
        }
        v[i] = (uint32_t)u;
    }
    *out = v;
    *count = n->n;
    return MG_OK;
}

/* Each item of the sequence n must be one of k's names; sets bit i for name i. */
static mg_status read_name_set(loader *L, const mg_net_key *k, const mg_yaml_node *n,
                               const char *key, unsigned *bits) {
    mg_status st = expect_seq(L, n, key, "[a, b]");
    if (st)
        return st;
    *bits = 0;
    for (size_t i = 0; i < n->n; i++) {
        int v;
        char sub[KEYLEN + 24];
        snprintf(sub, sizeof sub, "%s[%zu]", key, i);
        if ((st = read_enum(L, k, n->items[i], sub, &v)))
            return st;
        *bits |= 1u << v;
    }
    return MG_OK;
}

static mg_status read_schedule(loader *L, const mg_net_key *k, const mg_yaml_node *n,
                               const char *key) {
    mg_net_spec *sp = &L->m->spec;
    mg_status st = expect_seq(L, n, key, "[{t_ms: 500, mg_mM: 1.2}]");
    if (st)
        return st;
    mg_mg_point *pts = calloc(n->n ? n->n : 1, sizeof *pts);
    if (!pts)
        return nomem(L);
    sp->mg_schedule = pts;
    sp->n_mg_schedule = 0;
    static const char *const fields[] = {"t_ms", "mg_mM"};
    for (size_t i = 0; i < n->n; i++) {
        const mg_yaml_node *it = n->items[i];
        char sub[KEYLEN + 40], d[64];
        snprintf(sub, sizeof sub, "%s[%zu]", key, i);
        if (it->kind != MG_YAML_MAP)
            return fail(L, MG_ERR_CONFIG, it, 0, sub,
                        "expected a map {t_ms: ..., mg_mM: ...}, got %s", desc(it, d, sizeof d));
        for (size_t j = 0; j < it->n; j++) {
            if (strcmp(it->pairs[j].key, "t_ms") && strcmp(it->pairs[j].key, "mg_mM")) {
                char sug[128];
                mg_netkeys_suggest_name(it->pairs[j].key, fields, 2, sug, sizeof sug);
                snprintf(sub, sizeof sub, "%s[%zu].%s", key, i, it->pairs[j].key);
                return fail(L, MG_ERR_CONFIG, it->pairs[j].value, 1, sub, "unknown key; %s", sug);
            }
        }
        double v[2];
        for (int f = 0; f < 2; f++) {
            const mg_yaml_node *fn = mg_yaml_map_get(it, fields[f]);
            snprintf(sub, sizeof sub, "%s[%zu].%s", key, i, fields[f]);
            if (!fn)
                return fail(L, MG_ERR_CONFIG, it, 0, sub, "missing required key '%s'", fields[f]);
            if ((st = read_number(L, fn, sub, &v[f])))
                return st;
            if (f == 1 && (st = check_number(L, k, fn, sub, v[1])))
                return st;
            if (f == 0 && !(v[0] >= 0.0 && v[0] < sp->duration_ms))
                return fail(L, MG_ERR_DATA, fn, 0, sub,
                            "expected a time in [0, %g) ms (within run.duration_ms), got %s",
                            sp->duration_ms, fn->str);
            if (f == 0 && i > 0 && !(v[0] > pts[i - 1].t_ms))
                return fail(L, MG_ERR_DATA, fn, 0, sub,
                            "schedule times must increase: %s is not after %g", fn->str,
                            pts[i - 1].t_ms);
        }
        pts[i].t_ms = v[0];
        pts[i].mg_mM = v[1];
        sp->n_mg_schedule = i + 1;
    }
    return MG_OK;
}

/* ---- one key ------------------------------------------------------------------------------- */

static mg_status read_value(loader *L, const mg_net_key *k, const mg_yaml_node *n, const char *key,
                            void *base) {
    char *p = (char *)base + k->offset;
    mg_status st = MG_OK;
    double v;
    uint64_t u;
    int i = 0;
    mg_dist dist;
    switch (k->type) {
        case MG_KEY_NUMBER:
            if (!(st = read_number(L, n, key, &v)) && !(st = check_number(L, k, n, key, v)))
                memcpy(p, &v, sizeof v);
            return st;
        case MG_KEY_U32:
            if (!(st = read_uint(L, k, n, key, &u))) {
                uint32_t u32 = (uint32_t)u;
                memcpy(p, &u32, sizeof u32);
            }
            return st;
        case MG_KEY_U64:
            if (!(st = read_uint(L, k, n, key, &u)))
                memcpy(p, &u, sizeof u);
            return st;
        case MG_KEY_BOOL:
            if (!(st = read_bool(L, n, key, &i)))
                memcpy(p, &i, sizeof i);
            return st;
        case MG_KEY_ENUM:
        case MG_KEY_RECEPTOR:
            if (!(st = read_enum(L, k, n, key, &i)))
                memcpy(p, &i, sizeof i);
            return st;
        case MG_KEY_POP: {
            uint32_t idx = 0;
            if (!(st = read_pop(L, n, key, &idx)))
                memcpy(p, &idx, sizeof idx);
            return st;
        }
        case MG_KEY_PROJ: {
            uint32_t idx = 0;
            if (!(st = read_proj(L, n, key, k->owner == MG_KEYS_WREC, &idx)))
                memcpy(p, &idx, sizeof idx);
            return st;
        }
        case MG_KEY_DIST:
            if (!(st = read_dist(L, k, n, key, &dist)))
                memcpy(p, &dist, sizeof dist);
            return st;
        case MG_KEY_TIMES: {
            double *t = NULL;
            size_t cnt = 0;
            if ((st = read_times(L, k, n, key, &t, &cnt)))
                return st;
            memcpy(p, &t, sizeof t);
            memcpy((char *)base + k->offset2, &cnt, sizeof cnt);
            return MG_OK;
        }
        case MG_KEY_IDS: {
            uint32_t *ids = NULL;
            size_t cnt = 0, have;
            memcpy(&have, (char *)base + k->offset2, sizeof have);
            if ((st = read_ids(L, k, n, key, &ids, &cnt)))
                return st;
            memcpy(p, &ids, sizeof ids); /* owned from here on, whatever follows */
            if (k->owner == MG_KEYS_POP && cnt != have)
                return fail(L, MG_ERR_DATA, n, 0, key,
                            "expected %zu ids, one per entry of spike_times_ms, got %zu", have,
                            cnt);
            if (k->owner == MG_KEYS_STATE && cnt == 0)
                return fail(L, MG_ERR_DATA, n, 0, key, "expected at least one neuron id");
            memcpy((char *)base + k->offset2, &cnt, sizeof cnt);
            return MG_OK;
        }
        case MG_KEY_VARS: {
            unsigned bits;
            if ((st = read_name_set(L, k, n, key, &bits)))
                return st;
            if (!bits)
                return fail(L, MG_ERR_DATA, n, 0, key, "expected at least one variable");
            memcpy(p, &bits, sizeof bits);
            return MG_OK;
        }
        case MG_KEY_FORMATS: {
            unsigned bits;
            if ((st = read_name_set(L, k, n, key, &bits)))
                return st;
            L->m->outputs.spikes_sonata = (bits & 1u) != 0;
            L->m->outputs.spikes_csv = (bits & 2u) != 0;
            return MG_OK;
        }
        case MG_KEY_POPS: {
            mg_net_spec *sp = &L->m->spec;
            if ((st = expect_seq(L, n, key, "[E, I]")))
                return st;
            for (size_t j = 0; j < sp->n_pops; j++)
                sp->record_spikes[j] = 0;
            for (size_t j = 0; j < n->n; j++) {
                uint32_t idx;
                char sub[KEYLEN + 24];
                snprintf(sub, sizeof sub, "%s[%zu]", key, j);
                if ((st = read_pop(L, n->items[j], sub, &idx)))
                    return st;
                sp->record_spikes[idx] = 1;
            }
            return MG_OK;
        }
        case MG_KEY_SCHEDULE:
            return read_schedule(L, k, n, key);
        case MG_KEY_GBSET: {
            const char *s = NULL;
            if ((st = read_name_text(L, n, key, "a parameter set name", &s)))
                return st;
            mg_net_plast_spec tmp;
            memcpy(&tmp, p, sizeof tmp);
            if (mg_net_plast_set_params(NULL, &tmp, s) != MG_OK) {
                char list[256], d[64];
                size_t used = 0;
                list[0] = '\0';
                for (int j = 0; j < mg_netkeys_enum_count(k) && used < sizeof list; j++) {
                    int w = snprintf(list + used, sizeof list - used, "%s%s", j ? ", " : "",
                                     mg_netkeys_enum_name(k, j));
                    used += w > 0 ? (size_t)w : 0;
                }
                return fail(L, MG_ERR_CONFIG, n, 0, key,
                            "expected a parameter set of Graupner & Brunel 2012, one of %s "
                            "(DPDp and Dp for the primed ones), got %s",
                            list, desc(n, d, sizeof d));
            }
            memcpy(p, &tmp, sizeof tmp);
            return MG_OK;
        }
        case MG_KEY_SYNAPSES: {
            if (n->kind == MG_YAML_SCALAR && !n->quoted && strcmp(n->str, "all") == 0) {
                u = 0;
                memcpy(p, &u, sizeof u);
                return MG_OK;
            }
            double num;
            if (n->kind != MG_YAML_SCALAR || n->quoted || !mg_netkeys_parse_number(n->str, &num)) {
                char d[64];
                return fail(L, MG_ERR_CONFIG, n, 0, key,
                            "expected all or a whole number of synapses >= 1, got %s",
                            desc(n, d, sizeof d));
            }
            if (!(st = read_uint(L, k, n, key, &u)))
                memcpy(p, &u, sizeof u);
            return st;
        }
        case MG_KEY_FILE: {
            const char *s = NULL;
            if ((st = read_name_text(L, n, key, "a file name", &s)))
                return st;
            free(L->file);
            size_t len = strlen(L->base_dir) + strlen(s) + 1;
            if (!(L->file = malloc(len)))
                return nomem(L);
            snprintf(L->file, len, "%s%s", s[0] == '/' ? "" : L->base_dir, s);
            L->file_node = n;
            return MG_OK;
        }
    }
    return mg_error_raise(L->ctx, MG_ERR_INTERNAL, "key %s: unknown type", key);
}

/* The node at the dotted relative path rel below map (NULL if absent). */
static const mg_yaml_node *get_path(const mg_yaml_node *map, const char *rel) {
    char comp[128];
    while (map && *rel) {
        size_t len = strcspn(rel, ".");
        if (len >= sizeof comp)
            return NULL;
        memcpy(comp, rel, len);
        comp[len] = '\0';
        map = mg_yaml_map_get(map, comp);
        rel += len + (rel[len] == '.');
    }
    return map;
}

/* Fill base (a struct of type owner) from the keys of owner found below node.
 * pattern is the owner's key pattern ("populations.*"; "" for the top level),
 * path the real dotted path ("populations.E"), variant the bit of the owner's
 * variant (0 where keys have no variants), vname the variant's name. keys of
 * type only_type are read (or all with only_type < 0). */
static mg_status fill(loader *L, mg_key_owner owner, const mg_yaml_node *node, const char *pattern,
                      const char *path, unsigned variant, const char *vname, void *base,
                      int only_type) {
    size_t nt;
    const mg_net_key *table = mg_netkeys_table(&nt);
    size_t plen = strlen(pattern);
    for (size_t i = 0; i < nt; i++) {
        const mg_net_key *k = &table[i];
        if (k->owner != owner || (only_type >= 0 && (int)k->type != only_type))
            continue;
        if (plen && strncmp(k->key, pattern, plen) != 0)
            continue;
        const char *rel = k->key + plen + (plen ? 1 : 0);
        char key[KEYLEN];
        snprintf(key, sizeof key, "%s%s%s", path, *path ? "." : "", rel);
        const mg_yaml_node *n = get_path(node, rel);
        int applies = !k->applies || (k->applies & variant);
        if (!n) {
            if (applies && (k->flags & MG_KEY_REQUIRED))
                return fail(L, MG_ERR_CONFIG, node, 1, path, "missing required key '%s'", rel);
            continue;
        }
        if (!applies) {
            char which[128];
            mg_netkeys_applies_text(k, which, sizeof which);
            if (owner == MG_KEYS_POP)
                return fail(L, MG_ERR_CONFIG, n, 1, key,
                            "only for %s populations; %s is a %s population", which, path, vname);
            return fail(L, MG_ERR_CONFIG, n, 1, key, "only for %s %s; %s has %s %s",
                        owner == MG_KEYS_PROJ ? "rule" : "type", which, path,
                        owner == MG_KEYS_PROJ ? "rule" : "type", vname);
        }
        mg_status st = read_value(L, k, n, key, base);
        if (st)
            return st;
    }
    return MG_OK;
}

/* ---- the structural walk ------------------------------------------------------------------- */

/* Check every key below map against the table: unknown keys, names, maps where maps belong. */
static mg_status walk(loader *L, const mg_yaml_node *map, const char *pattern, const char *path) {
    char d[64];
    for (size_t i = 0; i < map->n; i++) {
        const char *comp = map->pairs[i].key;
        const mg_yaml_node *v = map->pairs[i].value;
        char next[KEYLEN], real[KEYLEN];
        const mg_net_key *leaf;
        snprintf(real, sizeof real, "%s%s%.*s", path, *path ? "." : "", 100, comp);
        int r = mg_netkeys_step(pattern, comp, next, sizeof next, &leaf);
        if (r == 0) {
            char sug[512];
            mg_netkeys_suggest(pattern, path, comp, 0, sug, sizeof sug);
            return fail(L, MG_ERR_CONFIG, v, 1, real, "unknown key; %s", sug);
        }
        size_t nl = strlen(next);
        if (nl >= 1 && next[nl - 1] == '*' && !mg_netkeys_valid_name(comp))
            return fail(L, MG_ERR_CONFIG, v, 1, real,
                        "'%.80s' is not a valid name (1 to 63 letters, digits, '_' or '-')", comp);
        if (r == 2) {
            if (v->kind == MG_YAML_MAP) {
                mg_status st = walk(L, v, next, real);
                if (st)
                    return st;
            } else if (v->kind != MG_YAML_NULL) {
                return fail(L, MG_ERR_CONFIG, v, 0, real, "expected a map of keys, got %s",
                            desc(v, d, sizeof d));
            }
        }
    }
    return MG_OK;
}

/* Check the dotted key of an override against the table before it is applied. */
static mg_status check_set_key(loader *L, const char *set, int k) {
    const char *eq = strchr(set, '=');
    if (!eq || eq == set)
        return MG_OK; /* mg_yaml_apply_set reports it */
    char pattern[KEYLEN] = "", real[KEYLEN] = "", comp[128];
    const char *p = set;
    while (p < eq) {
        size_t len = strcspn(p, ".=");
        if (len == 0 || len >= sizeof comp)
            return mg_error_raise(L->ctx, MG_ERR_CONFIG,
                                  "--set #%d (%.200s): '%.*s' is not a valid dotted key", k, set,
                                  (int)(eq - set), set);
        memcpy(comp, p, len);
        comp[len] = '\0';
        char next[KEYLEN];
        const mg_net_key *leaf;
        int r = mg_netkeys_step(pattern, comp, next, sizeof next, &leaf);
        if (r == 0) {
            char sug[512];
            mg_netkeys_suggest(pattern, real, comp, 1, sug, sizeof sug);
            return mg_error_raise(L->ctx, MG_ERR_CONFIG,
                                  "--set #%d (%.200s): no model key '%.*s'; %s", k, set,
                                  (int)(eq - set), set, sug);
        }
        size_t nl = strlen(next);
        if (next[nl - 1] == '*' && !mg_netkeys_valid_name(comp))
            return mg_error_raise(L->ctx, MG_ERR_CONFIG,
                                  "--set #%d (%.200s): '%s' is not a valid name (1 to 63 letters, "
                                  "digits, '_' or '-')",
                                  k, set, comp);
        snprintf(real + strlen(real), sizeof real - strlen(real), "%s%s", *real ? "." : "", comp);
        memcpy(pattern, next, sizeof pattern);
        p += len;
        if (*p == '.')
            p++;
        if (r == 1 && p < eq) {
            /* below a leaf: only the keys of a distribution */
            size_t rest = (size_t)(eq - p);
            const char *const *dk = mg_netkeys_dist_keys();
            int ok = 0;
            for (int i = 0; leaf->type == MG_KEY_DIST && dk[i] && !ok; i++)
                ok = strlen(dk[i]) == rest && strncmp(dk[i], p, rest) == 0;
            if (ok)
                return MG_OK;
            if (leaf->type == MG_KEY_DIST) {
                char sug[256];
                memcpy(comp, p, rest < sizeof comp ? rest : sizeof comp - 1);
                comp[rest < sizeof comp ? rest : sizeof comp - 1] = '\0';
                size_t nd = 0;
                while (dk[nd])
                    nd++;
                mg_netkeys_suggest_name(comp, dk, nd, sug, sizeof sug);
                return mg_error_raise(L->ctx, MG_ERR_CONFIG,
                                      "--set #%d (%.200s): '%.*s' is no key of a distribution; %s",
                                      k, set, (int)rest, p, sug);
            }
            return mg_error_raise(L->ctx, MG_ERR_CONFIG,
                                  "--set #%d (%.200s): %s is a single value and has no key '%.*s'",
                                  k, set, real, (int)rest, p);
        }
    }
    return MG_OK;
}

/* ---- sections ------------------------------------------------------------------------------ */

static int is_neuron(const mg_pop_spec *p) {
    return p->kind == MG_NEURON_LIF || p->kind == MG_NEURON_ADEX;
}

static const char *kind_name(mg_key_owner owner, int kind) {
    size_t nt;
    const mg_net_key *t = mg_netkeys_table(&nt);
    const char *key = owner == MG_KEYS_POP    ? "populations.*.model"
                      : owner == MG_KEYS_PROJ ? "projections.*.rule"
                                              : "inputs.*.type";
    for (size_t i = 0; i < nt; i++)
        if (strcmp(t[i].key, key) == 0)
            return mg_netkeys_enum_name(&t[i], kind);
    return "?";
}

/* A named map section (populations, projections, ...): its node, or NULL if absent/empty. */
static const mg_yaml_node *section(const mg_yaml_node *root, const char *rel) {
    const mg_yaml_node *n = get_path(root, rel);
    return n && n->kind == MG_YAML_MAP ? n : NULL;
}

static mg_status load_populations(loader *L, const mg_yaml_node *root) {
    mg_net_spec *sp = &L->m->spec;
    const mg_yaml_node *sec = section(root, "populations");
    if (!sec || sec->n == 0)
        return fail(L, MG_ERR_CONFIG, sec ? sec : get_path(root, "populations"), 1, "populations",
                    "at least one population is required, e.g. populations: {E: {model: lif, "
                    "n: 100}}");
    if (!(sp->pops = calloc(sec->n, sizeof *sp->pops)) ||
        !(sp->record_spikes = calloc(sec->n, sizeof *sp->record_spikes)))
        return nomem(L);
    for (size_t i = 0; i < sec->n; i++) {
        const mg_yaml_node *pn = sec->pairs[i].value;
        const char *name = sec->pairs[i].key;
        char path[96];
        snprintf(path, sizeof path, "populations.%s", name);
        mg_status st;
        if (pn->kind != MG_YAML_MAP)
            return fail(L, MG_ERR_CONFIG, pn, 1, path, "missing required key 'model'");
        /* model and n first: they choose the defaults */
        mg_pop_spec tmp;
        mg_pop_spec_defaults(&tmp, name, MG_NEURON_LIF, 1);
        if ((st = fill(L, MG_KEYS_POP, pn, "populations.*", path, 1u, "", &tmp, MG_KEY_ENUM)) ||
            (st = fill(L, MG_KEYS_POP, pn, "populations.*", path, 1u, "", &tmp, MG_KEY_U32)))
            return st;
        mg_pop_spec *p = &sp->pops[i];
        mg_pop_spec_defaults(p, name, tmp.kind, tmp.n);
        sp->n_pops = i + 1;
        if ((st = fill(L, MG_KEYS_POP, pn, "populations.*", path, 1u << p->kind,
                       kind_name(MG_KEYS_POP, (int)p->kind), p, -1)))
            return st;
        /* the initial potential defaults to this population's EL */
        if (!get_path(pn, "init.v_mV"))
            p->v_init_mV = mg_dist_const(p->EL_mV);
        if (!is_neuron(p))
            continue;
        sp->record_spikes[i] = 1; /* default: every non-source population */
        if (!(p->Vreset_mV < p->Vth_mV)) {
            const mg_yaml_node *vr = get_path(pn, "Vreset_mV");
            if (!vr)
                vr = get_path(pn, "Vth_mV");
            char key[KEYLEN];
            snprintf(key, sizeof key, "%s.%s", path,
                     get_path(pn, "Vreset_mV") ? "Vreset_mV" : "Vth_mV");
            return fail(L, MG_ERR_DATA, vr ? vr : pn, vr ? 0 : 1, vr ? key : path,
                        "Vreset_mV (%g) must be below Vth_mV (%g)", p->Vreset_mV, p->Vth_mV);
        }
        if (p->kind == MG_NEURON_ADEX && !(p->Vpeak_mV > p->Vth_mV)) {
            const mg_yaml_node *vp = get_path(pn, "Vpeak_mV");
            char key[KEYLEN];
            snprintf(key, sizeof key, "%s.Vpeak_mV", path);
            return fail(L, MG_ERR_DATA, vp ? vp : pn, vp ? 0 : 1, vp ? key : path,
                        "Vpeak_mV (%g) must be above Vth_mV (%g)", p->Vpeak_mV, p->Vth_mV);
        }
        for (int r = 0; r < MG_RECEPTOR_COUNT; r++) {
            const mg_receptor_params *rp = &p->receptor[r];
            if (rp->tau_rise_ms > 0.0 && fabs(rp->tau_rise_ms - rp->tau_decay_ms) < 1e-9) {
                char rel[64], key[KEYLEN];
                snprintf(rel, sizeof rel, "receptors.%s", mg_net_receptor_name((mg_receptor)r));
                snprintf(key, sizeof key, "%s.%s.tau_rise_ms", path, rel);
                const mg_yaml_node *rn = get_path(pn, rel);
                return fail(L, MG_ERR_DATA, rn ? rn : pn, 1, key,
                            "tau_rise_ms must differ from tau_decay_ms (both %g ms)",
                            rp->tau_decay_ms);
            }
        }
    }
    /* spike_ids must name neurons of their population */
    for (size_t i = 0; i < sp->n_pops; i++) {
        const mg_pop_spec *p = &sp->pops[i];
        for (size_t j = 0; p->ids && j < p->n_times; j++)
            if (p->ids[j] >= p->n) {
                const mg_yaml_node *idn = get_path(sec->pairs[i].value, "spike_ids");
                char key[KEYLEN];
                snprintf(key, sizeof key, "populations.%s.spike_ids[%zu]", p->name, j);
                return fail(L, MG_ERR_DATA, idn->items[j], 0, key,
                            "neuron %u is out of range: the population has %u neurons (0..%u)",
                            p->ids[j], p->n, p->n - 1);
            }
    }
    return MG_OK;
}

/* Open path for reading if it is a regular file (never blocking on a FIFO or device);
 * else NULL with *err = errno, or 0 for "not a regular file". */
static FILE *open_regular(const char *path, int *err) {
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    struct stat stt;
    *err = 0;
    if (fd < 0) {
        *err = errno;
        return NULL;
    }
    if (fstat(fd, &stt) != 0 || !S_ISREG(stt.st_mode)) {
        close(fd);
        return NULL;
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        *err = errno;
        close(fd);
    }
    return f;
}

/* ---- edge lists ---------------------------------------------------------------------------- */

static void trim(char **s) {
    char *p = *s;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = strlen(p);
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r' || p[n - 1] == '\n'))
        p[--n] = '\0';
    *s = p;
}

typedef struct {
    uint32_t *pre, *post;
    double *w, *d;
    size_t n, cap;
} edge_buf;

static int edges_grow(edge_buf *e, int has_w, int has_d) {
    size_t cap = e->cap ? 2 * e->cap : 1024;
    uint32_t *a = realloc(e->pre, cap * sizeof *a);
    if (!a)
        return -1;
    e->pre = a;
    uint32_t *b = realloc(e->post, cap * sizeof *b);
    if (!b)
        return -1;
    e->post = b;
    if (has_w) {
        double *w = realloc(e->w, cap * sizeof *w);
        if (!w)
            return -1;
        e->w = w;
    }
    if (has_d) {
        double *d = realloc(e->d, cap * sizeof *d);
        if (!d)
            return -1;
        e->d = d;
    }
    e->cap = cap;
    return 0;
}

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static mg_status
csv_fail(loader *L, const char *file, size_t line, const char *key, const char *fmt, ...) {
    char loc[192], msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    mg_yaml_loc(L->doc, L->file_node, 0, loc, sizeof loc);
    return mg_error_raise(L->ctx, MG_ERR_DATA, "%s:%zu: %s (%s, %s)", file, line, msg, key, loc);
}

static int parse_index(const char *s, uint32_t *out) {
    if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 10)
        return 0;
    unsigned long long v = strtoull(s, NULL, 10);
    if (v > UINT32_MAX)
        return 0;
    *out = (uint32_t)v;
    return 1;
}

static mg_status read_edges(loader *L, mg_proj_spec *pj, const char *file, const char *key) {
    mg_net_spec *sp = &L->m->spec;
    char loc[192];
    int oerr = 0;
    FILE *f = open_regular(file, &oerr);
    if (!f) {
        mg_yaml_loc(L->doc, L->file_node, 0, loc, sizeof loc);
        return mg_error_raise(L->ctx, MG_ERR_NOINPUT, "%s: %s: cannot read the edge list %s: %s",
                              loc, key, file, oerr ? strerror(oerr) : "not a regular file");
    }
    uint32_t npre = sp->pops[pj->pre].n, npost = sp->pops[pj->post].n;
    double limit = mg_net_memory_limit_bytes(sp);
    edge_buf e = {0};
    char *line = NULL;
    size_t lcap = 0, lineno = 0;
    int col_of[4] = {-1, -1, -1, -1}; /* pre, post, weight, delay -> column */
    int ncols = 0, header = 0;
    mg_status st = MG_OK;
    static const char *const colnames[] = {"pre", "post", "weight_nS", "delay_ms"};
    while (st == MG_OK && getline(&line, &lcap, f) != -1) {
        lineno++;
        char *s = line;
        trim(&s);
        if (!*s || *s == '#')
            continue;
        char *fields[8];
        int nf = 0;
        for (char *tok = s;; nf++) {
            char *comma = strchr(tok, ',');
            if (nf < 8)
                fields[nf] = tok;
            if (!comma) {
                nf++;
                break;
            }
            *comma = '\0';
            tok = comma + 1;
        }
        if (nf > 8)
            nf = 9; /* too many either way */
        for (int i = 0; i < nf && i < 8; i++)
            trim(&fields[i]);
        if (!header) {
            header = 1;
            ncols = nf;
            for (int i = 0; i < nf && st == MG_OK; i++) {
                int c = -1;
                for (int j = 0; j < 4; j++)
                    if (i < 8 && strcmp(fields[i], colnames[j]) == 0)
                        c = j;
                if (c < 0 || col_of[c] >= 0 || (i < 2 && c != i) || i >= 4)
                    st = csv_fail(L, file, lineno, key,
                                  "expected the header pre,post[,weight_nS][,delay_ms], got "
                                  "column %d '%.40s'",
                                  i + 1, i < 8 ? fields[i] : "...");
                else
                    col_of[c] = i;
            }
            if (st == MG_OK && nf < 2)
                st = csv_fail(L, file, lineno, key,
                              "expected the header pre,post[,weight_nS][,delay_ms]");
            continue;
        }
        if (nf != ncols) {
            st = csv_fail(L, file, lineno, key, "expected %d columns, as in the header, got %d",
                          ncols, nf > 8 ? 9 : nf);
            break;
        }
        if (e.n == e.cap) {
            if ((double)(e.cap ? 2 * e.cap : 1024) * 24.0 > limit) {
                mg_yaml_loc(L->doc, L->file_node, 0, loc, sizeof loc);
                st = mg_error_raise(L->ctx, MG_ERR_TOO_BIG,
                                    "%s: %s: the edge list %s has more than %zu edges, more than "
                                    "the memory limit allows (run.max_memory_mb)",
                                    loc, key, file, e.n);
                break;
            }
            if (edges_grow(&e, col_of[2] >= 0, col_of[3] >= 0)) {
                st = nomem(L);
                break;
            }
        }
        uint32_t idx[2];
        for (int c = 0; c < 2 && st == MG_OK; c++) {
            const char *fv = fields[col_of[c]];
            uint32_t lim = c ? npost : npre;
            if (!parse_index(fv, &idx[c]))
                st = csv_fail(L, file, lineno, key, "%s: expected a neuron index, got '%.40s'",
                              colnames[c], fv);
            else if (idx[c] >= lim)
                st = csv_fail(L, file, lineno, key,
                              "%s = %u is out of range: population %s has %u neurons", colnames[c],
                              idx[c], sp->pops[c ? pj->post : pj->pre].name, lim);
        }
        for (int c = 2; c < 4 && st == MG_OK; c++) {
            if (col_of[c] < 0)
                continue;
            const char *fv = fields[col_of[c]];
            double v;
            if (!mg_netkeys_parse_number(fv, &v) || !isfinite(v))
                st = csv_fail(L, file, lineno, key, "%s: expected a number, got '%.40s'",
                              colnames[c], fv);
            else if (c == 2 && !(v >= 0.0))
                st =
                    csv_fail(L, file, lineno, key, "weight_nS: expected a number >= 0, got %s", fv);
            else if (c == 3 && !is_steps(v, sp->dt_ms))
                st = csv_fail(L, file, lineno, key,
                              "delay_ms: expected a whole number >= 1 of steps of run.dt_ms = %g "
                              "ms, got %s",
                              sp->dt_ms, fv);
            else
                (c == 2 ? e.w : e.d)[e.n] = v;
        }
        if (st == MG_OK) {
            e.pre[e.n] = idx[0];
            e.post[e.n] = idx[1];
            e.n++;
        }
    }
    if (st == MG_OK && ferror(f)) {
        mg_yaml_loc(L->doc, L->file_node, 0, loc, sizeof loc);
        st = mg_error_raise(L->ctx, MG_ERR_NOINPUT, "%s: %s: cannot read the edge list %s", loc,
                            key, file);
    }
    if (st == MG_OK && !header)
        st = csv_fail(L, file, 1, key,
                      "the file is empty; expected the header pre,post[,weight_nS][,delay_ms]");
    free(line);
    fclose(f);
    /* the projection owns the arrays from here on, also on error */
    pj->edge_pre = e.pre;
    pj->edge_post = e.post;
    pj->edge_weight_nS = e.w;
    pj->edge_delay_ms = e.d;
    pj->n_edges = e.n;
    return st;
}

/* Prefix a relative path with the working directory, so the resolved model works from anywhere. */
static mg_status make_absolute(loader *L, char **path) {
    if ((*path)[0] == '/')
        return MG_OK;
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd))
        return MG_OK; /* keep it relative */
    size_t len = strlen(cwd) + strlen(*path) + 2;
    char *abs = malloc(len);
    if (!abs)
        return nomem(L);
    snprintf(abs, len, "%s/%s", cwd, *path);
    free(*path);
    *path = abs;
    return MG_OK;
}

/* ---- projections, inputs, record ----------------------------------------------------------- */

static mg_status load_projections(loader *L, const mg_yaml_node *root) {
    mg_net_spec *sp = &L->m->spec;
    const mg_yaml_node *sec = section(root, "projections");
    if (!sec || sec->n == 0)
        return MG_OK;
    if (!(sp->projs = calloc(sec->n, sizeof *sp->projs)) ||
        !(L->m->edge_files = calloc(sec->n, sizeof *L->m->edge_files)))
        return nomem(L);
    for (size_t i = 0; i < sec->n; i++) {
        const mg_yaml_node *pn = sec->pairs[i].value;
        const char *name = sec->pairs[i].key;
        char path[96];
        snprintf(path, sizeof path, "projections.%s", name);
        mg_proj_spec *pj = &sp->projs[i];
        mg_netkeys_proj_defaults(pj, name, sp->dt_ms);
        sp->n_projs = i + 1;
        mg_status st;
        if (pn->kind != MG_YAML_MAP)
            return fail(L, MG_ERR_CONFIG, pn, 1, path, "missing required key 'from'");
        if ((st = fill(L, MG_KEYS_PROJ, pn, "projections.*", path, ~0u, "", pj, MG_KEY_ENUM)))
            return st;
        free(L->file);
        L->file = NULL;
        if ((st = fill(L, MG_KEYS_PROJ, pn, "projections.*", path, 1u << pj->conn,
                       kind_name(MG_KEYS_PROJ, (int)pj->conn), pj, -1)))
            return st;
        const mg_pop_spec *pre = &sp->pops[pj->pre], *post = &sp->pops[pj->post];
        if (!is_neuron(post)) {
            char key[KEYLEN];
            snprintf(key, sizeof key, "%s.to", path);
            return fail(L, MG_ERR_CONFIG, get_path(pn, "to"), 0, key,
                        "population %s is a %s and has no synapses; expected a lif or adex "
                        "population",
                        post->name, kind_name(MG_KEYS_POP, (int)post->kind));
        }
        if (pj->conn == MG_CONN_SAME_AS) {
            const mg_proj_spec *o = &sp->projs[pj->share_proj];
            char key[KEYLEN];
            snprintf(key, sizeof key, "%s.same_as", path);
            if (o->pre != pj->pre || o->post != pj->post)
                return fail(L, MG_ERR_CONFIG, get_path(pn, "same_as"), 0, key,
                            "projection %s joins %s to %s, but this one joins %s to %s; "
                            "same_as needs the same populations",
                            o->name, sp->pops[o->pre].name, sp->pops[o->post].name, pre->name,
                            post->name);
            if (o->conn == MG_CONN_SAME_AS)
                pj->share_proj = o->share_proj; /* share with the original */
        }
        if (pj->conn == MG_CONN_ONE_TO_ONE && pre->n != post->n)
            return fail(L, MG_ERR_DATA, get_path(pn, "rule"), 0, path,
                        "one_to_one needs populations of equal size, got %s (%u) and %s (%u)",
                        pre->name, pre->n, post->name, post->n);
        if (pj->conn == MG_CONN_FIXED_INDEGREE) {
            uint32_t avail = pre->n - ((pj->pre == pj->post && !pj->allow_autapses) ? 1u : 0u);
            char key[KEYLEN];
            snprintf(key, sizeof key, "%s.indegree", path);
            if (pj->indegree > avail)
                return fail(L, MG_ERR_DATA, get_path(pn, "indegree"), 0, key,
                            "expected at most %u (the neurons of %s%s), got %u", avail, pre->name,
                            avail < pre->n ? " other than the target itself, as autapses are off"
                                           : "",
                            pj->indegree);
        }
        int has_weight = get_path(pn, "weight_nS") != NULL;
        if (pj->conn == MG_CONN_EDGE_LIST) {
            char key[KEYLEN];
            snprintf(key, sizeof key, "%s.file", path);
            L->m->edge_files[i] = L->file;
            L->file = NULL;
            if ((st = read_edges(L, pj, L->m->edge_files[i], key)))
                return st;
            if ((st = make_absolute(L, &L->m->edge_files[i])))
                return st;
            has_weight = has_weight || pj->edge_weight_nS;
        }
        if (pj->plast.rule != MG_NET_PLAST_NONE) {
            mg_net_plast_fill_stdp(&pj->plast);    /* the STDP rule's defaults where not given */
            mg_net_plast_fill_shouval(&pj->plast); /* and the Shouval rule's */
            if (isnan(pj->plast.tox_threshold))    /* 2 θp or 2 α2 (NAN for STDP: not written) */
                pj->plast.tox_threshold = mg_net_plast_tox_default(&pj->plast);
            const mg_net_plast_spec *pl = &pj->plast;
            const mg_yaml_node *pn_pl = get_path(pn, "plasticity");
            char key[KEYLEN];
            if (get_path(pn, "weight_nS")) {
                snprintf(key, sizeof key, "%s.weight_nS", path);
                return fail(L, MG_ERR_CONFIG, get_path(pn, "weight_nS"), 1, key,
                            pl->rule == MG_NET_PLAST_SHOUVAL2002
                                ? "a shouval2002 projection takes its weight from the rule's w: "
                                  "the conductance is w w_scale_nS; remove weight_nS and set "
                                  "plasticity.w_scale_nS and plasticity.rho_init (initial w)"
                                : "a plastic projection takes its weight from rho: w = w_min_nS + "
                                  "rho (w_max_nS - w_min_nS); remove weight_nS and set "
                                  "plasticity.w_min_nS and plasticity.w_max_nS");
            }
            if (pl->rule == MG_NET_PLAST_SHOUVAL2002) {
                if (!(pl->sh.alpha2_uM > pl->sh.alpha1_uM)) {
                    const char *which = get_path(pn_pl, "shouval.alpha2_uM") ? "shouval.alpha2_uM"
                                                                             : "shouval.alpha1_uM";
                    const mg_yaml_node *at = get_path(pn_pl, which);
                    snprintf(key, sizeof key, "%s.plasticity.%s", path, which);
                    return fail(L, MG_ERR_DATA, at ? at : pn_pl, at ? 0 : 1, key,
                                "the thresholds are in the wrong order: alpha2_uM (%g) must be > "
                                "alpha1_uM (%g)",
                                pl->sh.alpha2_uM, pl->sh.alpha1_uM);
                }
                if (!(pl->sh.nmda_sum == 0.0 || pl->sh.nmda_sum == 1.0)) {
                    const mg_yaml_node *at = get_path(pn_pl, "shouval.nmda_sum");
                    snprintf(key, sizeof key, "%s.plasticity.shouval.nmda_sum", path);
                    return fail(L, MG_ERR_DATA, at ? at : pn_pl, at ? 0 : 1, key,
                                "must be 0 or 1, got %g", pl->sh.nmda_sum);
                }
                continue;
            }
            if (!(pl->theta_p >= pl->theta_d)) {
                const char *which = get_path(pn_pl, "theta_p")   ? "theta_p"
                                    : get_path(pn_pl, "theta_d") ? "theta_d"
                                                                 : "params";
                const mg_yaml_node *at = get_path(pn_pl, which);
                snprintf(key, sizeof key, "%s.plasticity.%s", path, which);
                return fail(L, MG_ERR_DATA, at ? at : pn_pl, at ? 0 : 1, key,
                            "the thresholds are in the wrong order: theta_p (%g) must be >= "
                            "theta_d (%g)",
                            pl->theta_p, pl->theta_d);
            }
            if (!(pl->w_max_nS >= pl->w_min_nS)) {
                const mg_yaml_node *at = get_path(pn_pl, "w_max_nS");
                if (!at)
                    at = get_path(pn_pl, "w_min_nS");
                snprintf(key, sizeof key, "%s.plasticity.w_max_nS", path);
                return fail(L, MG_ERR_DATA, at ? at : pn_pl, at ? 0 : 1, key,
                            "w_max_nS (%g) must be >= w_min_nS (%g)", pl->w_max_nS, pl->w_min_nS);
            }
            continue;
        }
        if (!has_weight)
            return fail(L, MG_ERR_CONFIG, pn, 1, path, "missing required key 'weight_nS'");
    }
    return MG_OK;
}

static mg_status load_inputs(loader *L, const mg_yaml_node *root) {
    mg_net_spec *sp = &L->m->spec;
    const mg_yaml_node *sec = section(root, "inputs");
    if (!sec || sec->n == 0)
        return MG_OK;
    if (!(sp->inputs = calloc(sec->n, sizeof *sp->inputs)))
        return nomem(L);
    for (size_t i = 0; i < sec->n; i++) {
        const mg_yaml_node *in_node = sec->pairs[i].value;
        const char *name = sec->pairs[i].key;
        char path[96], key[KEYLEN];
        snprintf(path, sizeof path, "inputs.%s", name);
        mg_input_spec *in = &sp->inputs[i];
        mg_netkeys_input_defaults(in, name);
        sp->n_inputs = i + 1;
        mg_status st;
        if (in_node->kind != MG_YAML_MAP)
            return fail(L, MG_ERR_CONFIG, in_node, 1, path, "missing required key 'type'");
        if ((st = fill(L, MG_KEYS_INPUT, in_node, "inputs.*", path, ~0u, "", in, MG_KEY_ENUM)) ||
            (st = fill(L, MG_KEYS_INPUT, in_node, "inputs.*", path, 1u << in->kind,
                       kind_name(MG_KEYS_INPUT, (int)in->kind), in, -1)))
            return st;
        const mg_pop_spec *p = &sp->pops[in->pop];
        if (!is_neuron(p)) {
            snprintf(key, sizeof key, "%s.target", path);
            return fail(L, MG_ERR_CONFIG, get_path(in_node, "target"), 0, key,
                        "population %s is a %s; expected a lif or adex population", p->name,
                        kind_name(MG_KEYS_POP, (int)p->kind));
        }
        if (in->first >= p->n || (uint64_t)in->first + in->count > p->n) {
            const mg_yaml_node *fn = get_path(in_node, in->first >= p->n ? "first" : "count");
            snprintf(key, sizeof key, "%s.%s", path, in->first >= p->n ? "first" : "count");
            return fail(L, MG_ERR_DATA, fn ? fn : in_node, fn ? 0 : 1, key,
                        "neurons %u..%llu are outside population %s (n = %u)", in->first,
                        (unsigned long long)in->first + (in->count ? in->count : 1) - 1, p->name,
                        p->n);
        }
        if (!(in->stop_ms >= in->start_ms)) {
            snprintf(key, sizeof key, "%s.stop_ms", path);
            return fail(L, MG_ERR_DATA, get_path(in_node, "stop_ms"), 0, key,
                        "expected a time >= start_ms (%g), got %g", in->start_ms, in->stop_ms);
        }
        if (in->kind == MG_INPUT_CURRENT_RAMP && !get_path(in_node, "stop_ms"))
            return fail(L, MG_ERR_CONFIG, in_node, 1, path,
                        "missing required key 'stop_ms' (a ramp needs its end time)");
    }
    return MG_OK;
}

static mg_status load_record(loader *L, const mg_yaml_node *root) {
    mg_net_spec *sp = &L->m->spec;
    mg_status st = fill(L, MG_KEYS_OUTPUT, root, "", "", 0, "", &L->m->outputs, -1);
    if (st)
        return st;
    const mg_yaml_node *wsec = section(root, "record.weights");
    if (wsec && wsec->n > 0) {
        if (!(sp->weight_recs = calloc(wsec->n, sizeof *sp->weight_recs)))
            return nomem(L);
        for (size_t i = 0; i < wsec->n; i++) {
            const mg_yaml_node *rn = wsec->pairs[i].value;
            char path[96], key[KEYLEN];
            snprintf(path, sizeof path, "record.weights.%s", wsec->pairs[i].key);
            mg_weight_rec_spec *r = &sp->weight_recs[i];
            mg_netkeys_wrec_defaults(r, wsec->pairs[i].key);
            sp->n_weight_recs = i + 1;
            if (rn->kind != MG_YAML_MAP)
                return fail(L, MG_ERR_CONFIG, rn, 1, path, "missing required key 'projection'");
            if ((st = fill(L, MG_KEYS_WREC, rn, "record.weights.*", path, 0, "", r, -1)))
                return st;
            if (sp->projs[r->proj].plast.rule == MG_NET_PLAST_NONE) {
                snprintf(key, sizeof key, "%s.projection", path);
                return fail(L, MG_ERR_CONFIG, get_path(rn, "projection"), 0, key,
                            "projection %s is not plastic: set projections.%s.plasticity.rule",
                            sp->projs[r->proj].name, sp->projs[r->proj].name);
            }
        }
    }
    const mg_yaml_node *sec = section(root, "record.state");
    if (!sec || sec->n == 0)
        return MG_OK;
    if (!(sp->state_recs = calloc(sec->n, sizeof *sp->state_recs)))
        return nomem(L);
    for (size_t i = 0; i < sec->n; i++) {
        const mg_yaml_node *rn = sec->pairs[i].value;
        char path[96], key[KEYLEN];
        snprintf(path, sizeof path, "record.state.%s", sec->pairs[i].key);
        mg_state_rec_spec *r = &sp->state_recs[i];
        mg_netkeys_state_defaults(r, sec->pairs[i].key, sp->dt_ms);
        sp->n_state_recs = i + 1;
        if (rn->kind != MG_YAML_MAP)
            return fail(L, MG_ERR_CONFIG, rn, 1, path, "missing required key 'population'");
        if ((st = fill(L, MG_KEYS_STATE, rn, "record.state.*", path, 0, "", r, -1)))
            return st;
        const mg_pop_spec *p = &sp->pops[r->pop];
        if (!is_neuron(p)) {
            snprintf(key, sizeof key, "%s.population", path);
            return fail(L, MG_ERR_CONFIG, get_path(rn, "population"), 0, key,
                        "population %s is a %s and has no state; expected a lif or adex "
                        "population",
                        p->name, kind_name(MG_KEYS_POP, (int)p->kind));
        }
        const mg_yaml_node *ids = get_path(rn, "ids");
        for (size_t j = 0; j < r->n_ids; j++)
            if (r->ids[j] >= p->n) {
                snprintf(key, sizeof key, "%s.ids[%zu]", path, j);
                return fail(L, MG_ERR_DATA, ids->items[j], 0, key,
                            "neuron %u is out of range: population %s has %u neurons (0..%u)",
                            r->ids[j], p->name, p->n, p->n - 1);
            }
    }
    return MG_OK;
}

/* ---- memory -------------------------------------------------------------------------------- */

static void human_bytes(double b, char *buf, size_t cap) {
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int u = 0;
    while (b >= 1024.0 && u < 6) {
        b /= 1024.0;
        u++;
    }
    snprintf(buf, cap, u ? "%.1f %s" : "%.0f %s", b, units[u]);
}

static mg_status check_memory(loader *L, const mg_yaml_node *root) {
    const mg_net_spec *sp = &L->m->spec;
    double need = mg_net_estimate_bytes(sp), limit = mg_net_memory_limit_bytes(sp);
    double total = 0.0, best = -1.0;
    size_t arg = 0;
    for (size_t k = 0; k < sp->n_projs; k++) {
        double s = mg_net_estimate_proj_synapses(sp, k);
        total += s;
        if (s > best) {
            best = s;
            arg = k;
        }
    }
    if (need <= limit)
        return MG_OK;
    char hn[32], hl[32], key[KEYLEN];
    human_bytes(need, hn, sizeof hn);
    human_bytes(limit, hl, sizeof hl);
    if (sp->n_projs == 0)
        return fail(L, MG_ERR_TOO_BIG, get_path(root, "populations"), 1, "populations",
                    "the network needs %s, more than the %s limit (run.max_memory_mb)", hn, hl);
    const mg_yaml_node *sec = section(root, "projections");
    snprintf(key, sizeof key, "projections.%s", sp->projs[arg].name);
    return fail(L, MG_ERR_TOO_BIG, sec->pairs[arg].value, 1, key,
                "the network needs %s for %.1e synapses (this projection %.1e), more than the %s "
                "limit (run.max_memory_mb)",
                hn, total, best, hl);
}

/* ---- entry points -------------------------------------------------------------------------- */

void mg_io_net_model_free(mg_io_net_model **model) {
    if (!model || !*model)
        return;
    mg_io_net_model *m = *model;
    mg_net_spec *sp = &m->spec;
    for (size_t i = 0; sp->pops && i < sp->n_pops; i++) {
        free((void *)sp->pops[i].times_ms);
        free((void *)sp->pops[i].ids);
    }
    for (size_t i = 0; sp->projs && i < sp->n_projs; i++) {
        mg_proj_spec *p = &sp->projs[i];
        free((void *)p->edge_pre);
        free((void *)p->edge_post);
        free((void *)p->edge_weight_nS);
        free((void *)p->edge_delay_ms);
        if (m->edge_files)
            free(m->edge_files[i]);
    }
    for (size_t i = 0; sp->state_recs && i < sp->n_state_recs; i++)
        free((void *)sp->state_recs[i].ids);
    free(m->edge_files);
    free(sp->pops);
    free(sp->projs);
    free(sp->inputs);
    free(sp->state_recs);
    free(sp->weight_recs);
    free(sp->record_spikes);
    free((void *)sp->mg_schedule);
    free(m);
    *model = NULL;
}

const mg_net_spec *mg_io_net_model_spec(const mg_io_net_model *model) {
    return model ? &model->spec : NULL;
}

const mg_io_net_outputs *mg_io_net_model_outputs(const mg_io_net_model *model) {
    return model ? &model->outputs : NULL;
}

static mg_status load_tree(loader *L) {
    mg_yaml_node *root = L->doc->root;
    char d[64];
    if (root->kind == MG_YAML_NULL) {
        root->kind = MG_YAML_MAP; /* an empty document */
        free(root->str);
        root->str = NULL;
    }
    if (root->kind != MG_YAML_MAP)
        return fail(L, MG_ERR_CONFIG, root, 0, "",
                    "expected a map of sections (run, populations, projections, ...), got %s",
                    desc(root, d, sizeof d));
    mg_status st;
    mg_net_spec_defaults(&L->m->spec);
    mg_netkeys_output_defaults(&L->m->outputs);
    if ((st = walk(L, root, "", "")) ||
        (st = fill(L, MG_KEYS_RUN, root, "", "", 0, "", &L->m->spec, -1)) ||
        (st = load_populations(L, root)) || (st = load_projections(L, root)) ||
        (st = load_inputs(L, root)) || (st = load_record(L, root)) || (st = check_memory(L, root)))
        return st;
    return MG_OK;
}

mg_status mg_io_net_load_buffer(mg_context *ctx, const char *name, const char *text, size_t len,
                                const char *const *sets, size_t n_sets, mg_io_net_model **out) {
    if (!out)
        return mg_error_raise(ctx, MG_ERR_USAGE, "mg_io_net_load_buffer: out must not be NULL");
    *out = NULL;
    if (!name)
        name = "<input>";
    loader L = {.ctx = ctx};
    mg_status st = mg_yaml_parse(ctx, name, text, len, &L.doc);
    if (st)
        return st;
    for (size_t i = 0; i < n_sets && st == MG_OK; i++) {
        if (!sets[i])
            continue;
        if (!(st = check_set_key(&L, sets[i], (int)L.doc->n_sets + 1)))
            st = mg_yaml_apply_set(ctx, L.doc, sets[i]);
    }
    const char *slash = strrchr(name, '/');
    size_t blen = slash ? (size_t)(slash - name) + 1 : 0;
    if (st == MG_OK) {
        if (!(L.base_dir = malloc(blen + 1)) || !(L.m = calloc(1, sizeof *L.m)))
            st = nomem(&L);
        else {
            memcpy(L.base_dir, name, blen);
            L.base_dir[blen] = '\0';
            st = load_tree(&L);
        }
    }
    free(L.file);
    free(L.base_dir);
    mg_yaml_free(&L.doc);
    if (st) {
        mg_io_net_model_free(&L.m);
        return st;
    }
    *out = L.m;
    return MG_OK;
}

mg_status mg_io_net_load(mg_context *ctx, const char *path, const char *const *sets, size_t n_sets,
                         mg_io_net_model **out) {
    if (!out || !path)
        return mg_error_raise(ctx, MG_ERR_USAGE, "mg_io_net_load: path and out must not be NULL");
    *out = NULL;
    int e;
    FILE *f = open_regular(path, &e);
    struct stat stt;
    if (!f)
        return mg_error_raise(ctx, MG_ERR_NOINPUT, "%s: cannot read the model file: %s", path,
                              e ? strerror(e) : "not a regular file");
    if (fstat(fileno(f), &stt) != 0) {
        fclose(f);
        return mg_error_raise(ctx, MG_ERR_NOINPUT, "%s: cannot read the model file", path);
    }
    if ((uint64_t)stt.st_size > MG_YAML_MAX_BYTES) {
        fclose(f);
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "%s: the model file is %lld bytes, more than the 64 MiB limit", path,
                              (long long)stt.st_size);
    }
    size_t size = (size_t)stt.st_size;
    char *text = malloc(size + 1);
    if (!text) {
        fclose(f);
        return mg_error_raise(ctx, MG_ERR_NOMEM, "%s: out of memory", path);
    }
    size_t got = fread(text, 1, size, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || got != size) {
        free(text);
        return mg_error_raise(ctx, MG_ERR_NOINPUT, "%s: cannot read the model file", path);
    }
    text[size] = '\0';
    mg_status st = mg_io_net_load_buffer(ctx, path, text, size, sets, n_sets, out);
    free(text);
    return st;
}
