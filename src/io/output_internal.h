/* Result writers: the state shared by src/io/output_*.c. Not installed. */
#ifndef MGSIM_OUTPUT_INTERNAL_H
#define MGSIM_OUTPUT_INTERNAL_H

#include <stdio.h>

#include "mgsim/output.h"

/* One output file: written at tmp_path (DIR/.NAME.part), renamed to
 * final_path (DIR/NAME) when the run is committed. */
typedef struct {
    char *name;
    char *tmp_path;
    char *final_path;
    int renamed;
} mg_out_file;

/* A CSV file with its own large stdio buffer. */
typedef struct {
    FILE *f;
    char *buf;
    size_t file; /* index in mg_output.files */
} mg_out_csv;

/* One state recorder's CSV. */
typedef struct {
    mg_out_csv csv;
    size_t n_values; /* neurons x variables per row */
} mg_out_state;

typedef struct mg_sonata mg_sonata;

struct mg_output {
    mg_context *ctx;
    char *dir;
    /* the run, as the spec describes it */
    size_t n_pops;
    char (*pop_names)[64];
    uint32_t *pop_n;
    int *recorded; /* spikes of this population go to the spike files */
    int *mask;     /* spikes of this population are needed (recorded, or rates) */
    uint64_t *spikes;
    double dt_ms, duration_ms, mg_mM;
    uint64_t seed;
    /* files, in creation order */
    mg_out_file *files;
    size_t n_files, cap_files;
    /* writers (NULL / f == NULL when not asked for) */
    mg_sonata *sonata;
    size_t sonata_file;
    mg_out_csv spikes_csv;
    mg_out_csv rates;
    double rate_bin_ms;
    int64_t rate_bin; /* index of the bin being counted */
    uint64_t *rate_counts;
    mg_out_state *states;
    size_t n_states;
    mg_out_csv weights;    /* weights.csv, when spec has weight recorders */
    char (*wrec_proj)[64]; /* projection name of each weight recorder */
    size_t n_wrecs;
    size_t summary_file;
    /* the first error a writer met */
    mg_status err;
    char err_msg[1024];
    int finished;
};

/* Record the writer error (the first one wins), raise it on o->ctx too, and return status. */
mg_status mg_out_fail(mg_output *o, mg_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Register file NAME; *index receives its index in o->files. */
mg_status mg_out_file_add(mg_output *o, const char *name, size_t *index);

/* Open a registered file's temporary path for writing as CSV (MG_ERR_CANTCREAT). */
mg_status mg_out_csv_open(mg_output *o, mg_out_csv *csv, size_t file);

/* Flush and close a CSV; MG_ERR_IO if anything failed to be written. Accepts a closed one. */
mg_status mg_out_csv_close(mg_output *o, mg_out_csv *csv);

/* CSV writers (output_csv.c). */
mg_status mg_out_csv_headers(mg_output *o, const mg_net_spec *spec);
int mg_out_csv_spikes(mg_output *o, uint32_t pop, double t_ms, const uint32_t *ids, size_t n);
int mg_out_rates_add(mg_output *o, uint32_t pop, double t_ms, size_t n);
mg_status mg_out_rates_finish(mg_output *o, double t_end_ms);
int mg_out_state_row(mg_output *o, size_t rec, double t_ms, const double *values, size_t n);
int mg_out_weights_rows(mg_output *o, size_t rec, double t_ms, const uint32_t *pre,
                        const uint32_t *post, const double *w_nS, const double *rho, size_t n);

/* SONATA HDF5 spikes (output_sonata.c). */
mg_status mg_sonata_open(mg_output *o, const char *path);
int mg_sonata_append(mg_output *o, uint32_t pop, double t_ms, const uint32_t *ids, size_t n);
/* Flush, close and free; with keep == 0 only closes and frees (errors ignored). */
mg_status mg_sonata_close(mg_output *o, int keep);

/* summary.json (output_summary.c). */
mg_status mg_out_summary_write(mg_output *o, const mg_output_run_info *info, const char *path);

#endif /* MGSIM_OUTPUT_INTERNAL_H */
