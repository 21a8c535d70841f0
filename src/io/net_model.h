/* The loaded network model behind mg_io_net_model. Not installed.
 * Shared by the loader (net_load.c) and the resolved-model writer (net_resolved.c). */
#ifndef MGSIM_IO_NET_MODEL_H
#define MGSIM_IO_NET_MODEL_H

#include "mgsim/io.h"

struct mg_io_net_model {
    /* The spec; every array it points to (pops, projs, inputs, state_recs,
     * record_spikes, mg_schedule, spike times/ids, edge arrays, recorder ids)
     * is owned by the model and freed by mg_io_net_model_free. */
    mg_net_spec spec;
    mg_io_net_outputs outputs;
    char **edge_files; /* per projection: absolute path of its edge list, or NULL */
};

#endif /* MGSIM_IO_NET_MODEL_H */
