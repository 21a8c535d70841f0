/* What the scenario commands share: options, the data folder, error exit, and
 * an output set whose files appear in DIR only when the whole run succeeded.
 * Internal to the mgsim command. */
#ifndef MGSIM_CLI_COMMON_H
#define MGSIM_CLI_COMMON_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "io/report.h"
#include "io/scen.h"
#include "mgsim/base.h"
#include "mgsim/body.h"
#include "mgsim/diet.h"

/* The options every scenario command takes. */
typedef struct {
    const char *input;  /* the scenario or plan file (the one positional argument) */
    const char *outdir; /* -o/--output DIR, or NULL */
    const char **sets;  /* --set KEY=VALUE, in order */
    size_t n_sets;
    int quiet; /* -q/--quiet */
} cli_common_opts;

/* Parse argv (argv[0] is the command name, cmd) into o: one positional input
 * (what describes it for the "missing" message, e.g. "the scenario
 * SCENARIO.yaml"), -o/--output DIR, --set KEY=VALUE (repeatable), -q/--quiet,
 * -h/--help (prints help(stdout)). Returns -1 to go on, or the exit status to
 * return now (0 after --help, 64 on bad usage, with the message on stderr).
 * The caller frees o with cli_common_free. */
int cli_common_parse(int argc, char **argv, const char *cmd, void (*help)(FILE *), const char *what,
                     cli_common_opts *o);

/* Free what cli_common_parse allocated. */
void cli_common_free(cli_common_opts *o);

/* Print "mgsim: MESSAGE" for the context's last error (or the status) on
 * stderr and return the sysexits code. */
int cli_fail(const mg_context *ctx, mg_status st);

/* The data folder: $MGSIM_DATA_DIR, else the source tree's data/ when it holds
 * foods.csv, else the installed share/mgsim. Static storage. */
const char *cli_data_dir(void);

/* Load the salt forms (data/salt_forms.csv) and the dietary reference intakes (data/dri.csv)
 * from cli_data_dir(), in that order. On error the message names the file and *forms and *dris
 * hold what was loaded (NULL otherwise); the caller destroys both either way. */
mg_status cli_load_forms_dris(mg_context *ctx, mg_body_salt_forms **forms, mg_diet_dris **dris);

/* Files written under temporary names ("DIR/.NAME.part") and renamed to
 * "DIR/NAME" together by cli_outset_commit; cli_outset_abort removes them. */
typedef struct {
    char *dir;
    size_t n;
    char **names; /* final names, relative to dir */
} cli_outset;

/* Create DIR (and parents) and start an empty set. Errors: MG_ERR_CANTCREAT,
 * MG_ERR_NOMEM. */
mg_status cli_outset_begin(mg_context *ctx, cli_outset *set, const char *dir);

/* Open DIR/.NAME.part for writing and remember NAME. NULL on error (raised in
 * ctx: MG_ERR_CANTCREAT or MG_ERR_NOMEM). */
FILE *cli_outset_open(mg_context *ctx, cli_outset *set, const char *name);

/* Close f (opened by cli_outset_open as name); MG_ERR_IO if any write failed. */
mg_status cli_outset_close(mg_context *ctx, FILE *f, const char *name);

/* Write root as indented JSON to NAME in the set (does not take root). */
mg_status cli_outset_json(mg_context *ctx, cli_outset *set, const char *name, const json_t *root);

/* Rename every file of the set to its final name. MG_ERR_IO on failure. */
mg_status cli_outset_commit(mg_context *ctx, cli_outset *set);

/* Remove the temporary files not yet renamed and free the set. Safe after commit. */
void cli_outset_end(cli_outset *set);

/* Append to the report a table of every key of the schema: key, value, unit,
 * source (from mg_scen_params_json). MG_ERR_NOMEM. */
mg_status cli_report_parameters(mg_context *ctx, mg_report *rep, const mg_scen_schema *schema,
                                void *const *bases);

/* When st is MG_OK, append the parameter table (cli_report_parameters) and write *rep
 * to the set as report.html. Destroys *rep in every case and returns the first error
 * (st itself when it is not MG_OK). */
mg_status cli_report_finish(mg_context *ctx, cli_outset *out, mg_report **rep,
                            const mg_scen_schema *schema, void *const *bases, mg_status st);

/* name relative to the folder of base (a scenario file) into buf: name itself when it is
 * absolute or base has no folder. */
void cli_relative_path(const char *base, const char *name, char *buf, size_t cap);

/* Apply a diet plan's own processing and soil scenario (loading data/processing.csv and
 * data/soil_scenarios.csv from cli_data_dir() as needed), with source ("PLAN.yaml") in front
 * of the message when a name is unknown. Errors: those of the tables and of
 * mg_diet_plan_adjust. */
mg_status cli_plan_adjust(mg_context *ctx, mg_diet_plan *p, const char *source);

/* Print the options every scenario command shares (-o, --set, -q, -h) and the heading of
 * the key list, for --help. */
void cli_help_options(FILE *out);

#endif /* MGSIM_CLI_COMMON_H */
