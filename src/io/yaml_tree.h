/* A small YAML document tree for the model loader. Not installed.
 *
 * mg_yaml_parse reads one YAML document with libyaml into a tree of scalars,
 * sequences and maps. Maps keep their key order; every node keeps the 1-based
 * line and column of its first character (and, for a map value, of its key).
 * Anchors, aliases, merge keys (<<) and explicit tags are refused, nesting is
 * capped at MG_YAML_MAX_DEPTH and the node count at MG_YAML_MAX_NODES, so any
 * input costs memory proportional to its size.
 *
 * Overrides (`--set dotted.key=value`) are grafted onto the tree by
 * mg_yaml_apply_set; the nodes they bring carry the override's number as their
 * origin, and mg_yaml_loc then names the override instead of a file position.
 */
#ifndef MGSIM_IO_YAML_TREE_H
#define MGSIM_IO_YAML_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "mgsim/base.h"

#define MG_YAML_MAX_DEPTH    64
#define MG_YAML_MAX_NODES    (8u * 1024u * 1024u)
#define MG_YAML_MAX_MAP_KEYS 65536u
#define MG_YAML_MAX_BYTES    ((size_t)64 * 1024 * 1024)

typedef enum {
    MG_YAML_NULL,   /* a plain empty, ~ or null scalar */
    MG_YAML_SCALAR, /* any other scalar */
    MG_YAML_SEQ,
    MG_YAML_MAP
} mg_yaml_kind;

typedef struct mg_yaml_node mg_yaml_node;

typedef struct {
    char *key;
    mg_yaml_node *value;
} mg_yaml_pair;

struct mg_yaml_node {
    mg_yaml_kind kind;
    int origin;           /* 0: the document; k >= 1: --set #k */
    int quoted;           /* scalar written in quotes or as a block scalar */
    uint32_t line, col;   /* where the node starts (1-based) */
    uint32_t kline, kcol; /* where its key starts, for a map value; else line, col */
    char *str;            /* NUL/SCALAR: the text, NUL-terminated (no embedded NUL) */
    size_t n, cap;        /* SEQ: items; MAP: pairs */
    mg_yaml_node **items; /* SEQ */
    mg_yaml_pair *pairs;  /* MAP, in document order */
};

typedef struct {
    char *name;         /* the file name used in messages */
    mg_yaml_node *root; /* never NULL after a successful parse (a NULL node if empty) */
    char **sets;        /* the text of each applied override, index k-1 for --set #k */
    size_t n_sets;
    size_t n_nodes;
} mg_yaml_doc;

/* Parse len bytes of text (one YAML document) into *out; name is copied and
 * used in messages. Errors: MG_ERR_CONFIG for syntax and refused constructs
 * ("name:3:5: YAML syntax error: ..."), MG_ERR_DATA for documents beyond the
 * caps, MG_ERR_NOMEM. On success the caller frees *out with mg_yaml_free. */
mg_status mg_yaml_parse(mg_context *ctx, const char *name, const char *text, size_t len,
                        mg_yaml_doc **out);

/* Apply the override set ("dotted.key=value") as --set #k (k = doc->n_sets + 1):
 * the value is parsed as YAML (a scalar, or a flow sequence or map such as
 * [E, I] or {dist: normal, mean: 1, sd: 0.2}) and replaces the node at the
 * dotted key, creating intermediate maps as needed. It does not check the key
 * against any schema (the caller does). Errors: MG_ERR_CONFIG naming the
 * override, e.g. when an intermediate key holds a scalar or a sequence. */
mg_status mg_yaml_apply_set(mg_context *ctx, mg_yaml_doc *doc, const char *set);

/* The value of key in map (NULL if absent or if map is not a map). */
mg_yaml_node *mg_yaml_map_get(const mg_yaml_node *map, const char *key);

/* Write where node comes from into buf: "name:LINE:COL" (the key's position if
 * at_key and the node is a map value), or "--set #k (key=value)" for a node
 * brought by an override. node may be NULL (then just the name). Returns buf. */
const char *mg_yaml_loc(const mg_yaml_doc *doc, const mg_yaml_node *node, int at_key, char *buf,
                        size_t cap);

/* Write a short printable rendering of a scalar for messages ("'abc'", "null",
 * "a sequence", "a map"), truncated to about 40 characters. Returns buf. */
const char *mg_yaml_describe(const mg_yaml_node *node, char *buf, size_t cap);

/* Free the document and set *doc to NULL. Accepts NULL. */
void mg_yaml_free(mg_yaml_doc **doc);

#endif /* MGSIM_IO_YAML_TREE_H */
