/* mgsim command line: the subcommands. Not installed.
 *
 * Each subcommand takes its own argv (argv[0] is its name) and returns the
 * process exit status: 0, or the sysexits(3) code of the failure
 * (mg_status_exit_code), 64 for bad usage. Messages go to stderr as
 * "mgsim: <message>". */
#ifndef MGSIM_CLI_H
#define MGSIM_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "mgsim/base.h"

/* The exit status of a usage error (EX_USAGE). */
#define CLI_EXIT_USAGE 64

/* `mgsim net MODEL.yaml -o DIR ...`: load, build and run a network model, write its results. */
int cli_net(int argc, char **argv);

/* Print `mgsim net --help` to out. */
void cli_net_help(FILE *out);

/* `mgsim protocol NAME [-o DIR] ...`: a plasticity experiment on one synapse (GB2012). */
int cli_protocol(int argc, char **argv);

/* Print `mgsim protocol --help` to out. */
void cli_protocol_help(FILE *out);

/* `mgsim diet PLAN.yaml [-o DIR] ...`: a day's magnesium intake against the DRIs. */
int cli_diet(int argc, char **argv);

/* Print `mgsim diet --help` to out. */
void cli_diet_help(FILE *out);

/* `mgsim stress SCENARIO.yaml [-o DIR] ...`: the HPA axis over days. */
int cli_stress(int argc, char **argv);

/* Print `mgsim stress --help` to out. */
void cli_stress_help(FILE *out);

/* `mgsim sleep SCENARIO.yaml [-o DIR] ...`: nights of sleep stages and their metrics. */
int cli_sleep(int argc, char **argv);

/* Print `mgsim sleep --help` to out. */
void cli_sleep_help(FILE *out);

/* `mgsim body SCENARIO.yaml [-o DIR] ...`: whole-body magnesium kinetics over days. */
int cli_body(int argc, char **argv);

/* Print `mgsim body --help` to out. */
void cli_body_help(FILE *out);

/* `mgsim population SCENARIO.yaml [-o DIR] ...`: a Monte Carlo of virtual adults (also under
 * mpirun when built with MPI). */
int cli_population(int argc, char **argv);

/* Print `mgsim population --help` to out. */
void cli_population_help(FILE *out);

/* `mgsim validate [--quick] [--only PREFIX] [-o DIR] [-q]`: every validation target in one
 * table; exit 0 only when all that ran passed, 1 otherwise. */
int cli_validate(int argc, char **argv);

/* Print `mgsim validate --help` to out. */
void cli_validate_help(FILE *out);

/* `mgsim run SCENARIO.yaml [-o DIR] ...`: the main job, coupled over days, with its report. */
int cli_run(int argc, char **argv);

/* Print `mgsim run --help` to out. */
void cli_run_help(FILE *out);

/* `mgsim plan PROFILE.yaml [-o DIR] ...`: a person's magnesium plan (gap to the RDA, foods,
 * regimen options by goal under the UL, warnings) with each option's predictions. */
int cli_plan(int argc, char **argv);

/* Print `mgsim plan --help` to out. */
void cli_plan_help(FILE *out);

/* Load and check a run scenario given as len bytes of text (name in messages; the data
 * tables from the data folder), without running it: what `mgsim run --check` does, and the
 * scenario fuzzer's entry point. MG_OK or the first error, raised in ctx. */
mg_status cli_run_check_buffer(mg_context *ctx, const char *name, const char *text, size_t len);

#endif /* MGSIM_CLI_H */
