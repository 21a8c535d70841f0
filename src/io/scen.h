/* Scenario key tables: one table per command drives loading, --set, --help,
 * the resolved-scenario echo and the parameter-and-source list. Not installed.
 *
 * The physiology commands (body, population, sleep, stress, run, plan) read
 * YAML scenarios made of scalar keys (`person.age_y: 35`) and a few lists
 * (doses, meals, stressors). Each command describes its scalar keys once, in a
 * table of mg_scen_key: where the value lives (a struct, by owner index and
 * offset), its type, unit, range, meaning and the source of its default. The
 * same table then
 *   - loads a document, with "file:LINE:COL" (or "--set #k") on every error,
 *     and "did you mean" for unknown keys;
 *   - prints `--help` (mg_scen_print_keys);
 *   - writes the resolved scenario, which loads back (mg_scen_write_yaml);
 *   - lists every parameter with its value and source (mg_scen_params_json),
 *     for summary.json and the report.
 * Lists are loaded by the command through a callback, for the keys it names as
 * custom sections; mg_scen_number and mg_scen_clock parse their scalars with
 * the same messages.
 */
#ifndef MGSIM_IO_SCEN_H
#define MGSIM_IO_SCEN_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "io/yaml_tree.h"
#include "mgsim/base.h"

/* The longest text value (MG_SCEN_TEXT), including the NUL. */
#define MG_SCEN_TEXT_MAX 64

typedef enum {
    MG_SCEN_NUMBER, /* double; finite */
    MG_SCEN_UINT,   /* uint64_t; a whole number >= 0 */
    MG_SCEN_BOOL,   /* int 0 or 1; YAML true or false */
    MG_SCEN_ENUM,   /* int index into names[] */
    MG_SCEN_CLOCK,  /* double hours since midnight, written "HH:MM" (00:00 to 23:59) */
    MG_SCEN_TEXT    /* char[MG_SCEN_TEXT_MAX] */
} mg_scen_type;

enum {
    MG_SCEN_MIN_EXCL = 1u << 0, /* value > min (else >= min) */
    MG_SCEN_MAX_EXCL = 1u << 1, /* value < max (else <= max) */
    MG_SCEN_REQUIRED = 1u << 2, /* must be given */
    MG_SCEN_OPTIONAL = 1u << 3  /* NUMBER: NaN means "not given" and is printed as such */
};

typedef struct {
    const char *key; /* dotted, e.g. "person.age_y" */
    mg_scen_type type;
    unsigned owner; /* index into the bases array given to the functions below */
    size_t offset;  /* of the value inside its owner struct */
    const char *unit;
    double min, max; /* NUMBER, UINT: the allowed range */
    unsigned flags;
    const char *const *names; /* ENUM: allowed names in value order, NULL-terminated */
    const char *meaning;
    const char *source; /* where the default comes from: a citation, "assumption: ...", or
                           "user input" for values that describe the person or the run */
} mg_scen_key;

/* A command's schema: its keys (sections contiguous, in the order they are
 * printed and written) and the dotted names of the sections it loads itself. */
typedef struct {
    const mg_scen_key *keys;
    size_t n_keys;
    const char *const *custom; /* e.g. "regimen.doses"; NULL-terminated; may be NULL */
} mg_scen_schema;

/* Loads one custom section (node is its value, key its dotted name). */
typedef mg_status (*mg_scen_custom_fn)(mg_context *ctx, const mg_yaml_doc *doc, const char *key,
                                       const mg_yaml_node *node, void *data);

/* Read the scenario file at path (at most MG_YAML_MAX_BYTES), parse it and
 * graft the overrides sets[0..n_sets-1] ("dotted.key=value"). Keys are not
 * checked here (mg_scen_load does). what names the file in messages ("the
 * scenario"). Errors: MG_ERR_NOINPUT (cannot read), MG_ERR_DATA (too big),
 * MG_ERR_CONFIG (YAML syntax; a --set without '='), MG_ERR_NOMEM. The caller
 * frees *out with mg_yaml_free. */
mg_status mg_scen_read(mg_context *ctx, const char *path, const char *what, const char *const *sets,
                       size_t n_sets, mg_yaml_doc **out);

/* As mg_scen_read, for len bytes of text already in memory (name is used in messages). */
mg_status mg_scen_parse(mg_context *ctx, const char *name, const char *text, size_t len,
                        const char *const *sets, size_t n_sets, mg_yaml_doc **out);

/* Load the document into the structs bases[owner] (already holding their
 * defaults): every scalar key of the table found in the document replaces the
 * default; each custom section present is handed to custom(ctx, doc, key,
 * node, data). Errors, each naming "file:LINE:COL" or the --set: MG_ERR_CONFIG
 * for an unknown key (with the closest valid keys), a wrong type (a list where
 * a number belongs, a name not in the enum, which lists the valid ones, a
 * malformed clock time) or a missing required key; MG_ERR_DATA for a number
 * out of range (naming the range and unit); or what custom returns. On error
 * the structs may be partly updated. */
mg_status mg_scen_load(mg_context *ctx, const mg_yaml_doc *doc, const mg_scen_schema *schema,
                       void *const *bases, mg_scen_custom_fn custom, void *data);

/* Parse a scalar node as a finite number in [min, max] (what names it in
 * messages, e.g. "regimen.doses[2].mg", unit may be ""). MG_ERR_CONFIG when it
 * is not a number, MG_ERR_DATA when out of range; messages carry the location. */
mg_status mg_scen_number(mg_context *ctx, const mg_yaml_doc *doc, const mg_yaml_node *node,
                         const char *what, const char *unit, double min, double max, double *out);

/* Parse a scalar node "HH:MM" (00:00 to 23:59) into hours since midnight.
 * MG_ERR_CONFIG otherwise, with the location. */
mg_status mg_scen_clock(mg_context *ctx, const mg_yaml_doc *doc, const mg_yaml_node *node,
                        const char *what, double *hours);

/* Parse "HH:MM" (00:00 to 23:59) into hours; 0 on success, -1 if malformed. */
int mg_scen_parse_clock(const char *text, double *hours);

/* Write hours (taken modulo 24, rounded to the minute) as "HH:MM" into buf
 * (at least 6 bytes). Returns buf. */
const char *mg_scen_format_clock(double hours, char *buf, size_t cap);

/* Print every key of the schema for --help: "  key = default  (unit; range)",
 * then the meaning and the source, indented, grouped by section. bases hold
 * the defaults. */
void mg_scen_print_keys(FILE *out, const mg_scen_schema *schema, void *const *bases);

/* Write the keys' current values as nested YAML (the resolved scenario; it
 * loads back with mg_scen_load to the same values). Custom sections are not
 * written (the caller appends them). Returns 0, or -1 on a write error. */
int mg_scen_write_yaml(FILE *out, const mg_scen_schema *schema, void *const *bases);

/* A new JSON array with one object per key: {"key", "value", "unit",
 * "source"}; values are numbers, booleans or strings (clock times as "HH:MM",
 * enums by name, NaN as null). NULL when memory is exhausted. */
json_t *mg_scen_params_json(const mg_scen_schema *schema, void *const *bases);

#endif /* MGSIM_IO_SCEN_H */
