/* mgsim — result writers for network runs: spikes (SONATA HDF5, CSV), population
 * rates, state recordings and summary.json.
 *
 * The writers are fed by the engine's callbacks (mg_net_callbacks) and stream
 * what they get: spikes are buffered per population and appended to the HDF5
 * file in chunks, CSV rows go through large stdio buffers. Every file is
 * written under a temporary name in the output folder (".NAME.part") and only
 * renamed to NAME by mg_output_finish, so a failed run leaves nothing
 * half-written: mg_output_destroy without a successful finish removes the
 * temporary files.
 *
 * Files (in DIR):
 *   spikes.h5          SONATA spikes: /spikes/<population>/timestamps (float64, ms,
 *                      attribute units = "ms"), /spikes/<population>/node_ids (uint64,
 *                      index within the population); the population group carries the
 *                      attribute sorting = by_time (an HDF5 enum {none, by_id, by_time}
 *                      on uint8, as the SONATA specification and libsonata define it);
 *                      the root carries magic = 0x0A7A and version = {0, 1}.
 *   spikes.csv         t_ms,population,node_id (when outputs->spikes_csv).
 *   rates.csv          t_start_ms then one column per population (Hz), one row per bin of
 *                      outputs->rate_bin_ms (when > 0); the last bin may be shorter.
 *   state_<rec>.csv    t_ms then one column "<id>:<var>" per recorded neuron and variable.
 *   weights.csv        t_ms,projection,pre,post,w_nS,rho: one row per sampled synapse and
 *                      sample of every weight recorder (spec->weight_recs); pre and post are
 *                      indices within their populations; w_nS and rho with 17 significant
 *                      digits (they read back exactly).
 *   summary.json       see mg_output_finish.
 */
#ifndef MGSIM_OUTPUT_H
#define MGSIM_OUTPUT_H

#include "mgsim/base.h"
#include "mgsim/io.h"
#include "mgsim/net.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque set of open writers for one run. */
typedef struct mg_output mg_output;

/* Create the folder dir and its missing parents (mkdir -p). MG_ERR_CANTCREAT, with
 * the path at fault, when a part cannot be created or exists and is not a folder. */
mg_status mg_output_make_dirs(mg_context *ctx, const char *dir);

/* Create the folder dir if missing (mkdir -p), and open the writers that
 * outputs asks for, for the populations and state recorders of spec (which is
 * only read here: names, sizes, record flags and recorders are copied).
 * Errors: MG_ERR_CANTCREAT when dir (or a parent) cannot be created, is not a
 * folder, or a file cannot be created in it; MG_ERR_DATA for a name that cannot
 * name a file, an HDF5 group or a CSV column (empty, "." or "..", or with '/',
 * ',', '"' or a control character) among the recorders and the populations
 * whose spikes are written, and among the projections of the weight recorders; MG_ERR_NOMEM. On
 * success *out owns the writers (mg_output_destroy). */
mg_status mg_output_open(mg_context *ctx, const char *dir, const mg_net_spec *spec,
                         const mg_io_net_outputs *outputs, mg_output **out);

/* Per-population flags (length spec->n_pops, owned by o) of the populations
 * whose spikes the writers need: the recorded ones (spec->record_spikes), and
 * every population when rates are written. Pass them as the engine's
 * record_spikes; only the populations recorded in spec go to the spike files. */
const int *mg_output_record_mask(const mg_output *o);

/* The callbacks that feed the writers (on_spikes, on_state; on_progress is
 * NULL, for the caller to fill). user is o. A callback returns non-zero after
 * an I/O error; mg_output_status then gives the writer's own message. */
mg_net_callbacks mg_output_callbacks(mg_output *o);

/* Register another file, NAME in dir, to be committed with the outputs: returns
 * the temporary path to write it to (owned by o, valid until destroy); finish
 * renames it to NAME, destroy without finish removes it. NAME must be a plain
 * file name. Returns NULL (and raises MG_ERR_NOMEM or MG_ERR_DATA) on error. */
const char *mg_output_add_file(mg_output *o, const char *name);

/* MG_OK, or re-raise on o's context the first error a writer met (with its
 * message) and return its status. */
mg_status mg_output_status(const mg_output *o);

/* Excitotoxic load of one plastic projection with calcium (mg_net_proj_tox). */
typedef struct {
    const char *name;  /* projection name (borrowed) */
    const char *unit;  /* calcium unit: "1" (Graupner–Brunel) or "uM" (Shouval 2002) */
    uint64_t synapses; /* synapses of the projection */
    double threshold;  /* excitotoxic threshold, calcium unit */
    double time_ms;    /* Σ over synapses of the time with c > threshold, synapse·ms */
    double integral;   /* Σ over synapses of ∫ max(c - threshold, 0) dt, unit·ms */
} mg_output_tox;

/* What summary.json records about the run, beyond what the writers saw. */
typedef struct {
    mg_status status;                 /* MG_OK, MG_ERR_RUNAWAY or MG_ERR_INTERRUPTED */
    const char *message;              /* why the run stopped early (NULL when complete) */
    const char *model_path;           /* model file, recorded as given (may be NULL) */
    double t_ms;                      /* simulated time reached */
    int threads;                      /* worker threads */
    double wall_s;                    /* whole command, s */
    double build_wall_s;              /* network construction, s */
    double loop_wall_s;               /* simulation loop alone, s */
    double peak_rss_mb;               /* peak resident memory, MiB */
    uint64_t synapses;                /* all projections */
    double synapse_bytes;             /* bytes held by connectivity */
    uint64_t steps;                   /* steps simulated */
    uint64_t plastic_synapses;        /* synapses of plastic projections (0: none) */
    double plastic_synapse_bytes;     /* bytes held by those synapses (mg_net_stats) */
    const uint64_t *pop_spikes;       /* spikes per population (n_pops), or NULL to use the
                                     writers' own counts (populations they were fed) */
    const uint64_t *pop_out_synapses; /* synapses leaving each population (n_pops; network
                                         projections, not external inputs), or NULL: then no
                                         energy readout is written */
    const mg_output_tox *tox;         /* n_tox excitotoxic readouts (borrowed), or NULL */
    size_t n_tox;
} mg_output_run_info;

/* Flush and close every writer, write summary.json, and rename every file
 * into place. summary.json holds: version, status ("complete", "runaway" or
 * "interrupted", with message), model, seed (an integer, or a string when >
 * 2^63-1), threads, dt_ms, duration_ms (simulated), duration_requested_ms,
 * mg_mM, steps, populations {name: {n, spikes, rate_hz (spikes / n /
 * duration), recorded}}, spikes (total), synapses, synapse_bytes,
 * bytes_per_synapse, (with plastic projections: plastic_synapses, bytes_per_plastic_synapse),
 * (with info->n_tox > 0: excitotoxic_load {projection: {calcium_unit, threshold, synapses,
 * excitotoxic_time_ms (synapse·ms), excitotoxic_time_per_synapse_ms, excitotoxic_integral
 * (unit·ms), excitotoxic_integral_per_synapse}}; per-synapse values null without synapses),
 * wall_s, build_wall_s, loop_wall_s, peak_rss_mb, files.
 * Errors: a writer's earlier error (see mg_output_status), MG_ERR_IO when a
 * file cannot be completed or renamed; then the temporary files remain for
 * mg_output_destroy to remove. Call at most once. */
mg_status mg_output_finish(mg_output *o, const mg_output_run_info *info);

/* Close the writers and free o, removing every temporary file that was not
 * committed by a successful mg_output_finish; set *o to NULL. Accepts NULL. */
void mg_output_destroy(mg_output **o);

#ifdef __cplusplus
}
#endif
#endif /* MGSIM_OUTPUT_H */
