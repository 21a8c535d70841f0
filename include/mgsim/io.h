/* mgsim — model files: loading YAML network models into an mg_net_spec.
 *
 * Every error names the file, line and column, the key, what was expected and
 * what was found ("model.yaml:12:7: populations.E.C_pF: expected a number > 0 (pF), got -3"),
 * and carries MG_ERR_DATA (bad values) or MG_ERR_CONFIG (unknown keys, wrong
 * structure). The key table behind the loader also generates `--help`.
 */
#ifndef MGSIM_IO_H
#define MGSIM_IO_H

#include <stdio.h>

#include "mgsim/base.h"
#include "mgsim/net.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the model file asks to be written (record: section). */
typedef struct {
    int spikes_sonata;  /* write spikes.h5 (SONATA) for recorded populations (default 1) */
    int spikes_csv;     /* also write spikes.csv (default 0) */
    double rate_bin_ms; /* population rates in bins of this width (ms); 0 = none */
} mg_io_net_outputs;

/* A loaded model: the spec and every array it points to. */
typedef struct mg_io_net_model mg_io_net_model;

/* Load the YAML model at path, apply the overrides `sets` (n_sets strings
 * "dotted.key=value", applied after the file, with errors that name the
 * override), fill defaults, validate every value against the key table.
 * Files referenced by the model (edge lists) are resolved relative to path's folder.
 * On success *out owns the model (free with mg_io_net_model_free). */
mg_status mg_io_net_load(mg_context *ctx, const char *path, const char *const *sets, size_t n_sets,
                         mg_io_net_model **out);

/* As mg_io_net_load, from a buffer of len bytes; name is used in messages and
 * as the base for relative paths (may be "<input>"). Used by the fuzzer. */
mg_status mg_io_net_load_buffer(mg_context *ctx, const char *name, const char *text, size_t len,
                                const char *const *sets, size_t n_sets, mg_io_net_model **out);

/* The network specification of a loaded model (owned by the model). */
const mg_net_spec *mg_io_net_model_spec(const mg_io_net_model *model);

/* The outputs the model asks for (owned by the model). */
const mg_io_net_outputs *mg_io_net_model_outputs(const mg_io_net_model *model);

/* Write the fully resolved model (every key with its value, defaults filled) as
 * YAML that mg_io_net_load reads back to the same spec. Writes atomically
 * (temporary name, then rename). */
mg_status mg_io_net_write_resolved(mg_context *ctx, const mg_io_net_model *model, const char *path);

/* Free a model and set *model to NULL. Accepts NULL. */
void mg_io_net_model_free(mg_io_net_model **model);

/* Print the documentation of every model key (key, type, unit, default,
 * allowed range, meaning), generated from the loader's key table. */
void mg_io_net_print_keys(FILE *out);

#ifdef __cplusplus
}
#endif
#endif /* MGSIM_IO_H */
