/* A small YAML document tree built with libyaml's event parser (see yaml_tree.h). */
#include "io/yaml_tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct {
    mg_yaml_node *node;
    char *key; /* MAP: the key waiting for its value */
    uint32_t kline, kcol;
} frame;

typedef struct {
    mg_context *ctx;
    mg_yaml_doc *doc;
    frame stack[MG_YAML_MAX_DEPTH];
    int depth;
} builder;

static void node_free(mg_yaml_node *n) {
    if (!n)
        return;
    free(n->str);
    for (size_t i = 0; n->items && i < n->n; i++)
        node_free(n->items[i]);
    for (size_t i = 0; n->pairs && i < n->n; i++) {
        free(n->pairs[i].key);
        node_free(n->pairs[i].value);
    }
    free(n->items);
    free(n->pairs);
    free(n);
}

void mg_yaml_free(mg_yaml_doc **doc) {
    if (!doc || !*doc)
        return;
    mg_yaml_doc *d = *doc;
    node_free(d->root);
    for (size_t i = 0; i < d->n_sets; i++)
        free(d->sets[i]);
    free(d->sets);
    free(d->name);
    free(d);
    *doc = NULL;
}

static char *dup_str(const char *s, size_t len) {
    char *p = malloc(len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

static mg_yaml_node *node_new(mg_yaml_doc *doc, mg_yaml_kind kind, uint32_t line, uint32_t col) {
    mg_yaml_node *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->kind = kind;
    n->line = n->kline = line;
    n->col = n->kcol = col;
    doc->n_nodes++;
    return n;
}

static int is_null_text(const char *s) {
    return s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
           strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/* Append value to a sequence, or as key's value to a map (taking key). */
static int seq_push(mg_yaml_node *seq, mg_yaml_node *item) {
    if (seq->n == seq->cap) {
        size_t cap = seq->cap ? 2 * seq->cap : 4;
        mg_yaml_node **p = realloc(seq->items, cap * sizeof *p);
        if (!p)
            return -1;
        seq->items = p;
        seq->cap = cap;
    }
    seq->items[seq->n++] = item;
    return 0;
}

static int map_push(mg_yaml_node *map, char *key, mg_yaml_node *value) {
    if (map->n == map->cap) {
        size_t cap = map->cap ? 2 * map->cap : 4;
        mg_yaml_pair *p = realloc(map->pairs, cap * sizeof *p);
        if (!p)
            return -1;
        map->pairs = p;
        map->cap = cap;
    }
    map->pairs[map->n].key = key;
    map->pairs[map->n].value = value;
    map->n++;
    return 0;
}

mg_yaml_node *mg_yaml_map_get(const mg_yaml_node *map, const char *key) {
    if (!map || map->kind != MG_YAML_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->pairs[i].key, key) == 0)
            return map->pairs[i].value;
    return NULL;
}

static mg_status fail_at(builder *b, mg_status st, uint32_t line, uint32_t col, const char *msg,
                         const char *arg) {
    return mg_error_raise(b->ctx, st, "%s:%u:%u: %s%s", b->doc->name, line, col, msg,
                          arg ? arg : "");
}

/* Attach a finished or opened node to the frame on top of the stack (or make it the root). */
static mg_status attach(builder *b, mg_yaml_node *n) {
    if (b->depth == 0) {
        b->doc->root = n;
        return MG_OK;
    }
    frame *f = &b->stack[b->depth - 1];
    if (f->node->kind == MG_YAML_SEQ) {
        if (seq_push(f->node, n)) {
            node_free(n);
            return mg_error_raise(b->ctx, MG_ERR_NOMEM, "%s: out of memory", b->doc->name);
        }
        return MG_OK;
    }
    /* a map: n is either a key or the value of the pending key */
    if (!f->key) {
        if (n->kind != MG_YAML_SCALAR && n->kind != MG_YAML_NULL) {
            mg_status st = fail_at(b, MG_ERR_CONFIG, n->line, n->col,
                                   "map keys must be plain names, not sequences or maps", NULL);
            node_free(n);
            return st;
        }
        if (strcmp(n->str, "<<") == 0 && !n->quoted) {
            mg_status st = fail_at(b, MG_ERR_CONFIG, n->line, n->col,
                                   "merge keys (<<) are not supported; write the keys out", NULL);
            node_free(n);
            return st;
        }
        if (mg_yaml_map_get(f->node, n->str)) {
            mg_status st = mg_error_raise(b->ctx, MG_ERR_CONFIG, "%s:%u:%u: duplicate key '%.80s'",
                                          b->doc->name, n->line, n->col, n->str);
            node_free(n);
            return st;
        }
        if (f->node->n >= MG_YAML_MAX_MAP_KEYS) {
            mg_status st = fail_at(b, MG_ERR_DATA, n->line, n->col,
                                   "too many keys in one map (the limit is 65536)", NULL);
            node_free(n);
            return st;
        }
        f->key = n->str;
        f->kline = n->line;
        f->kcol = n->col;
        n->str = NULL;
        node_free(n);
        b->doc->n_nodes--;
        return MG_OK;
    }
    n->kline = f->kline;
    n->kcol = f->kcol;
    if (map_push(f->node, f->key, n)) {
        node_free(n);
        return mg_error_raise(b->ctx, MG_ERR_NOMEM, "%s: out of memory", b->doc->name);
    }
    f->key = NULL;
    return MG_OK;
}

static mg_status check_props(builder *b, const yaml_event_t *ev, const yaml_char_t *anchor,
                             const yaml_char_t *tag, int implicit_tag) {
    uint32_t line = (uint32_t)ev->start_mark.line + 1, col = (uint32_t)ev->start_mark.column + 1;
    if (anchor)
        return fail_at(b, MG_ERR_CONFIG, line, col,
                       "anchors (&name) and aliases are not supported; write the value out", NULL);
    if (tag && !implicit_tag)
        return mg_error_raise(b->ctx, MG_ERR_CONFIG, "%s:%u:%u: tags (%.40s) are not supported",
                              b->doc->name, line, col, (const char *)tag);
    if (b->doc->n_nodes >= MG_YAML_MAX_NODES)
        return fail_at(b, MG_ERR_DATA, line, col,
                       "the document has too many values (the limit is 8388608)", NULL);
    return MG_OK;
}

static mg_status on_event(builder *b, const yaml_event_t *ev, int *documents, int *done) {
    uint32_t line = (uint32_t)ev->start_mark.line + 1, col = (uint32_t)ev->start_mark.column + 1;
    mg_status st;
    switch (ev->type) {
        case YAML_STREAM_END_EVENT:
            *done = 1;
            return MG_OK;
        case YAML_DOCUMENT_START_EVENT:
            if (++*documents > 1)
                return fail_at(b, MG_ERR_CONFIG, line, col,
                               "only one YAML document is allowed (found a second '---')", NULL);
            return MG_OK;
        case YAML_ALIAS_EVENT:
            return fail_at(b, MG_ERR_CONFIG, line, col,
                           "aliases (*name) are not supported; write the value out", NULL);
        case YAML_SCALAR_EVENT: {
            const yaml_char_t *tag = ev->data.scalar.tag;
            int implicit = ev->data.scalar.plain_implicit || ev->data.scalar.quoted_implicit;
            if ((st = check_props(b, ev, ev->data.scalar.anchor, tag, implicit)))
                return st;
            const char *v = (const char *)ev->data.scalar.value;
            size_t len = ev->data.scalar.length;
            if (strlen(v) != len)
                return fail_at(b, MG_ERR_CONFIG, line, col, "a value contains a NUL character",
                               NULL);
            int quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
            mg_yaml_node *n = node_new(b->doc, MG_YAML_SCALAR, line, col);
            if (!n || !(n->str = dup_str(v, len))) {
                node_free(n);
                return mg_error_raise(b->ctx, MG_ERR_NOMEM, "%s: out of memory", b->doc->name);
            }
            n->quoted = quoted;
            if (!quoted && is_null_text(n->str))
                n->kind = MG_YAML_NULL;
            return attach(b, n);
        }
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            int seq = ev->type == YAML_SEQUENCE_START_EVENT;
            const yaml_char_t *anchor =
                seq ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor;
            const yaml_char_t *tag = seq ? ev->data.sequence_start.tag : ev->data.mapping_start.tag;
            int implicit = seq ? ev->data.sequence_start.implicit : ev->data.mapping_start.implicit;
            if ((st = check_props(b, ev, anchor, tag, implicit)))
                return st;
            if (b->depth >= MG_YAML_MAX_DEPTH)
                return fail_at(b, MG_ERR_DATA, line, col,
                               "nesting is too deep (the limit is 64 levels)", NULL);
            mg_yaml_node *n = node_new(b->doc, seq ? MG_YAML_SEQ : MG_YAML_MAP, line, col);
            if (!n)
                return mg_error_raise(b->ctx, MG_ERR_NOMEM, "%s: out of memory", b->doc->name);
            if ((st = attach(b, n))) /* refused as a map key, or out of memory */
                return st;
            b->stack[b->depth].node = n;
            b->stack[b->depth].key = NULL;
            b->depth++;
            return MG_OK;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (b->depth > 0) {
                frame *f = &b->stack[--b->depth];
                free(f->key); /* libyaml always pairs keys with values; kept for safety */
                f->key = NULL;
            }
            return MG_OK;
        default:
            return MG_OK;
    }
}

static mg_status syntax_error(builder *b, const yaml_parser_t *p) {
    const char *problem = p->problem ? p->problem : "malformed YAML";
    if (p->error == YAML_MEMORY_ERROR)
        return mg_error_raise(b->ctx, MG_ERR_NOMEM, "%s: out of memory", b->doc->name);
    if (p->error == YAML_READER_ERROR)
        return mg_error_raise(b->ctx, MG_ERR_CONFIG, "%s: YAML syntax error at byte %zu: %s",
                              b->doc->name, p->problem_offset, problem);
    if (p->context)
        return mg_error_raise(
            b->ctx, MG_ERR_CONFIG, "%s:%zu:%zu: YAML syntax error: %s (%s that starts at %zu:%zu)",
            b->doc->name, p->problem_mark.line + 1, p->problem_mark.column + 1, problem, p->context,
            p->context_mark.line + 1, p->context_mark.column + 1);
    return mg_error_raise(b->ctx, MG_ERR_CONFIG, "%s:%zu:%zu: YAML syntax error: %s", b->doc->name,
                          p->problem_mark.line + 1, p->problem_mark.column + 1, problem);
}

mg_status mg_yaml_parse(mg_context *ctx, const char *name, const char *text, size_t len,
                        mg_yaml_doc **out) {
    *out = NULL;
    if (!name)
        name = "<input>";
    if (len > MG_YAML_MAX_BYTES)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "%s: the model file is %zu bytes, more than the 64 MiB limit", name,
                              len);
    mg_yaml_doc *doc = calloc(1, sizeof *doc);
    if (!doc || !(doc->name = dup_str(name, strlen(name)))) {
        free(doc);
        return mg_error_raise(ctx, MG_ERR_NOMEM, "%s: out of memory", name);
    }
    builder b = {.ctx = ctx, .doc = doc, .depth = 0};
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        mg_yaml_free(&doc);
        return mg_error_raise(ctx, MG_ERR_NOMEM, "%s: out of memory", name);
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)(text ? text : ""), text ? len : 0);
    mg_status st = MG_OK;
    int documents = 0, done = 0;
    while (!done && st == MG_OK) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            st = syntax_error(&b, &p);
            break;
        }
        st = on_event(&b, &ev, &documents, &done);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    for (int i = 0; i < b.depth; i++)
        free(b.stack[i].key);
    if (st == MG_OK && !doc->root) { /* an empty document: a null */
        doc->root = node_new(doc, MG_YAML_NULL, 1, 1);
        if (!doc->root || !(doc->root->str = dup_str("", 0)))
            st = mg_error_raise(ctx, MG_ERR_NOMEM, "%s: out of memory", name);
    }
    if (st != MG_OK) {
        mg_yaml_free(&doc);
        return st;
    }
    *out = doc;
    return MG_OK;
}

static void set_origin(mg_yaml_node *n, int origin) {
    n->origin = origin;
    for (size_t i = 0; n->items && i < n->n; i++)
        set_origin(n->items[i], origin);
    for (size_t i = 0; n->pairs && i < n->n; i++)
        set_origin(n->pairs[i].value, origin);
}

/* Make node an empty map brought by override k (it was a null). */
static void null_to_map(mg_yaml_node *n, int k) {
    free(n->str);
    n->str = NULL;
    n->kind = MG_YAML_MAP;
    n->origin = k;
}

mg_status mg_yaml_apply_set(mg_context *ctx, mg_yaml_doc *doc, const char *set) {
    int k = (int)doc->n_sets + 1;
    char **sets = realloc(doc->sets, (doc->n_sets + 1) * sizeof *sets);
    if (!sets)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    doc->sets = sets;
    if (!(doc->sets[doc->n_sets] = dup_str(set, strlen(set))))
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    doc->n_sets++;

    const char *eq = strchr(set, '=');
    if (!eq || eq == set)
        return mg_error_raise(ctx, MG_ERR_CONFIG,
                              "--set #%d (%.200s): expected dotted.key=value, e.g. "
                              "run.duration_ms=2000",
                              k, set);
    size_t klen = (size_t)(eq - set);
    char name[32];
    snprintf(name, sizeof name, "--set #%d", k);
    mg_yaml_doc *vdoc = NULL;
    mg_status st = mg_yaml_parse(ctx, name, eq + 1, strlen(eq + 1), &vdoc);
    if (st) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", mg_error_message(ctx));
        return mg_error_raise(ctx, st, "--set #%d (%.200s): cannot read the value: %s", k, set,
                              msg);
    }
    mg_yaml_node *value = vdoc->root;
    vdoc->root = NULL;
    doc->n_nodes += vdoc->n_nodes;
    mg_yaml_free(&vdoc);
    set_origin(value, k);

    mg_yaml_node *cur = doc->root;
    const char *p = set;
    int depth = 0;
    while (p < eq) {
        const char *dot = memchr(p, '.', (size_t)(eq - p));
        const char *end = dot ? dot : eq;
        if (end == p || ++depth > MG_YAML_MAX_DEPTH) {
            node_free(value);
            return mg_error_raise(ctx, MG_ERR_CONFIG,
                                  "--set #%d (%.200s): '%.*s' is not a valid dotted key", k, set,
                                  (int)klen, set);
        }
        char *comp = dup_str(p, (size_t)(end - p));
        if (!comp) {
            node_free(value);
            return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
        }
        if (cur->kind == MG_YAML_NULL)
            null_to_map(cur, k);
        if (cur->kind != MG_YAML_MAP && p == set) {
            free(comp);
            node_free(value);
            return mg_error_raise(ctx, MG_ERR_CONFIG,
                                  "--set #%d (%.200s): the document is not a map of keys", k, set);
        }
        if (cur->kind != MG_YAML_MAP) {
            mg_status e = mg_error_raise(
                ctx, MG_ERR_CONFIG,
                "--set #%d (%.200s): %.*s holds a %s, not a map, so it has no key '%s'; set it "
                "whole instead (e.g. %.*s={...})",
                k, set, (int)(p - set - 1), set, cur->kind == MG_YAML_SEQ ? "sequence" : "value",
                comp, (int)(p - set - 1), set);
            free(comp);
            node_free(value);
            return e;
        }
        mg_yaml_pair *pair = NULL;
        for (size_t i = 0; i < cur->n; i++)
            if (strcmp(cur->pairs[i].key, comp) == 0)
                pair = &cur->pairs[i];
        if (!dot) {
            if (pair) {
                free(comp);
                value->kline = pair->value->kline;
                value->kcol = pair->value->kcol;
                node_free(pair->value);
                pair->value = value;
            } else if (map_push(cur, comp, value)) {
                free(comp);
                node_free(value);
                return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
            }
            return MG_OK;
        }
        if (pair) {
            free(comp);
            cur = pair->value;
        } else {
            mg_yaml_node *m = node_new(doc, MG_YAML_MAP, 0, 0);
            if (!m || map_push(cur, comp, m)) {
                free(comp);
                node_free(m);
                node_free(value);
                return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
            }
            m->origin = k;
            cur = m;
        }
        p = dot + 1;
    }
    node_free(value);
    return mg_error_raise(ctx, MG_ERR_CONFIG,
                          "--set #%d (%.200s): '%.*s' is not a valid dotted key (it ends with '.')",
                          k, set, (int)klen, set);
}

const char *mg_yaml_loc(const mg_yaml_doc *doc, const mg_yaml_node *node, int at_key, char *buf,
                        size_t cap) {
    if (!node)
        snprintf(buf, cap, "%s", doc->name);
    else if (node->origin > 0 && (size_t)node->origin <= doc->n_sets)
        snprintf(buf, cap, "--set #%d (%.120s)", node->origin, doc->sets[node->origin - 1]);
    else if (at_key)
        snprintf(buf, cap, "%s:%u:%u", doc->name, node->kline, node->kcol);
    else
        snprintf(buf, cap, "%s:%u:%u", doc->name, node->line, node->col);
    return buf;
}

const char *mg_yaml_describe(const mg_yaml_node *node, char *buf, size_t cap) {
    if (!node) {
        snprintf(buf, cap, "nothing");
        return buf;
    }
    switch (node->kind) {
        case MG_YAML_NULL:
            snprintf(buf, cap, "nothing (null)");
            return buf;
        case MG_YAML_SEQ:
            snprintf(buf, cap, "a sequence");
            return buf;
        case MG_YAML_MAP:
            snprintf(buf, cap, "a map");
            return buf;
        case MG_YAML_SCALAR:
            break;
    }
    char tmp[48];
    size_t j = 0;
    const unsigned char *s = (const unsigned char *)node->str;
    for (; *s && j < 40; s++)
        tmp[j++] = (*s >= 0x20 && *s != 0x7f) ? (char)*s : '?';
    tmp[j] = '\0';
    snprintf(buf, cap, "'%s%s'", tmp, *s ? "..." : "");
    return buf;
}
