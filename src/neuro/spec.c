/* Network specification: defaults, names, the NMDA block, size estimates.
 * Default values and their sources are listed in docs/models/. */
#include "mgsim/net.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *const receptor_names[MG_RECEPTOR_COUNT] = {"ampa", "gaba_a", "gaba_b", "nmda"};

const char *mg_net_receptor_name(mg_receptor r) {
    if ((int)r < 0 || r >= MG_RECEPTOR_COUNT)
        return "unknown";
    return receptor_names[r];
}

static const char *const var_names[MG_VAR_COUNT] = {
    "v_mV", "g_ampa_nS", "g_gaba_a_nS", "g_gaba_b_nS", "g_nmda_nS", "nmda_block", "w_pA"};

const char *mg_net_var_name(int k) {
    if (k < 0 || k >= MG_VAR_COUNT)
        return NULL;
    return var_names[k];
}

double mg_net_nmda_block(double v_mV, double mg_mM, double mg_scale_mM, double gamma_per_mV) {
    return 1.0 / (1.0 + mg_mM / mg_scale_mM * exp(-gamma_per_mV * v_mV));
}

mg_dist mg_dist_const(double value) {
    mg_dist d = {MG_DIST_CONST, value, 0.0, -INFINITY, INFINITY};
    return d;
}

void mg_pop_spec_defaults(mg_pop_spec *pop, const char *name, mg_neuron_kind kind, uint32_t n) {
    memset(pop, 0, sizeof *pop);
    snprintf(pop->name, sizeof pop->name, "%s", name ? name : "");
    pop->kind = kind;
    pop->n = n;
    if (kind == MG_NEURON_ADEX) {
        /* Brette & Gerstner 2005, J Neurophysiol 94:3637, Table 1 (tonic regular spiking) */
        pop->C_pF = 281.0;
        pop->gL_nS = 30.0;
        pop->EL_mV = -70.6;
        pop->Vth_mV = -50.4; /* V_T, the exponential threshold */
        pop->Vreset_mV = -70.6;
        pop->DeltaT_mV = 2.0;
        pop->a_nS = 4.0;
        pop->b_pA = 80.5;
        pop->tau_w_ms = 144.0;
        pop->Vpeak_mV = 20.0;
        pop->tref_ms = 0.0;
    } else {
        /* C, gL (tau_m = 20 ms), Vth and Vreset of the Brette et al. 2007 COBA benchmark;
         * EL -70 mV and tref 2 ms as NEST's iaf_bw_2001 (docs/models/lif.md, per parameter) */
        pop->C_pF = 200.0;
        pop->gL_nS = 10.0;
        pop->EL_mV = -70.0;
        pop->Vth_mV = -50.0;
        pop->Vreset_mV = -60.0;
        pop->tref_ms = 2.0;
        pop->DeltaT_mV = 2.0;
        pop->a_nS = 0.0;
        pop->b_pA = 0.0;
        pop->tau_w_ms = 100.0;
        pop->Vpeak_mV = 0.0;
    }
    /* Brunel & Wang 2001 receptor kinetics (AMPA, GABA-A, NMDA); GABA-B from
     * NEST ht_neuron defaults (Hill & Tononi 2005). */
    pop->receptor[MG_RECEPTOR_AMPA] = (mg_receptor_params){0.0, 0.0, 2.0};
    pop->receptor[MG_RECEPTOR_GABA_A] = (mg_receptor_params){-70.0, 0.0, 5.0};
    pop->receptor[MG_RECEPTOR_GABA_B] = (mg_receptor_params){-90.0, 60.0, 200.0};
    pop->receptor[MG_RECEPTOR_NMDA] = (mg_receptor_params){0.0, 2.0, 100.0};
    pop->v_init_mV = mg_dist_const(pop->EL_mV);
    for (int r = 0; r < MG_RECEPTOR_COUNT; r++)
        pop->g_init_nS[r] = mg_dist_const(0.0);
    pop->w_init_pA = mg_dist_const(0.0);
    pop->rate_hz = 0.0;
}

void mg_net_spec_defaults(mg_net_spec *spec) {
    memset(spec, 0, sizeof *spec);
    spec->duration_ms = 1000.0;
    spec->dt_ms = 0.1;
    spec->seed = 1;
    spec->mg_mM = 1.0;
    spec->nmda.saturating = 0;
    spec->nmda.alpha_per_ms = 0.5;   /* Brunel & Wang 2001 */
    spec->nmda.mg_scale_mM = 3.57;   /* Jahr & Stevens 1990 */
    spec->nmda.gamma_per_mV = 0.062; /* Jahr & Stevens 1990 */
    spec->runaway_max_rate_hz = 500.0;
    spec->runaway_window_ms = 100.0;
    spec->max_memory_mb = 0.0;
}

double mg_net_estimate_proj_synapses(const mg_net_spec *spec, size_t proj) {
    if (!spec || proj >= spec->n_projs)
        return 0.0;
    const mg_proj_spec *p = &spec->projs[proj];
    if (p->pre >= spec->n_pops || p->post >= spec->n_pops)
        return 0.0;
    double npre = spec->pops[p->pre].n, npost = spec->pops[p->post].n;
    switch (p->conn) {
        case MG_CONN_ALL_TO_ALL:
            return npre * npost - ((p->pre == p->post && !p->allow_autapses) ? npre : 0.0);
        case MG_CONN_ONE_TO_ONE:
            return fmin(npre, npost);
        case MG_CONN_FIXED_PROB:
            return p->p * npre * npost;
        case MG_CONN_FIXED_INDEGREE:
            return (double)p->indegree * npost;
        case MG_CONN_EDGE_LIST:
            return (double)p->n_edges;
        case MG_CONN_SAME_AS:
            return p->share_proj < proj ? mg_net_estimate_proj_synapses(spec, p->share_proj) : 0.0;
    }
    return 0.0;
}

/* Bytes per synapse in the compressed rows: a 32-bit target, plus a 32-bit
 * weight unless the weight is constant, plus a 16-bit delay unless constant. */
static double bytes_per_synapse(const mg_proj_spec *p) {
    double b = 4.0;
    if (p->plast.rule == MG_NET_PLAST_SHOUVAL2002) /* w and Ca, double each */
        return 20.0;
    if (p->plast.rule != MG_NET_PLAST_NONE) /* ρ and the column entry (synapse, pre) */
        return 16.0 + (p->delay_ms.kind != MG_DIST_CONST ? 2.0 : 0.0);
    if (p->conn == MG_CONN_EDGE_LIST
            ? p->edge_weight_nS != NULL || p->weight_nS.kind != MG_DIST_CONST
            : p->weight_nS.kind != MG_DIST_CONST)
        b += 4.0;
    if (p->conn == MG_CONN_EDGE_LIST ? p->edge_delay_ms != NULL || p->delay_ms.kind != MG_DIST_CONST
                                     : p->delay_ms.kind != MG_DIST_CONST)
        b += 2.0;
    return b;
}

double mg_net_estimate_bytes(const mg_net_spec *spec) {
    if (!spec)
        return 0.0;
    double bytes = 0.0, neurons = 0.0;
    for (size_t i = 0; i < spec->n_pops; i++)
        neurons += spec->pops[i].n;
    /* state (~24 doubles per neuron) and ring buffers (assume 16 delay slots x 4 receptors) */
    bytes += neurons * (24.0 * 8.0 + 16.0 * 4.0 * 8.0);
    for (size_t k = 0; k < spec->n_projs; k++) {
        const mg_proj_spec *p = &spec->projs[k];
        double syn = mg_net_estimate_proj_synapses(spec, k);
        double npre = p->pre < spec->n_pops ? spec->pops[p->pre].n : 0.0;
        if (p->conn == MG_CONN_SAME_AS) { /* only its own weights */
            bytes += p->weight_nS.kind == MG_DIST_CONST ? 0.0 : syn * 4.0;
            continue;
        }
        /* rows; while building, a fixed-indegree projection also holds 4 bytes/synapse of sources
         */
        bytes += syn * bytes_per_synapse(p) + (npre + 1.0) * 8.0;
        if (p->conn == MG_CONN_FIXED_INDEGREE || p->conn == MG_CONN_EDGE_LIST)
            bytes += syn * 4.0;
    }
    return bytes;
}

double mg_net_memory_limit_bytes(const mg_net_spec *spec) {
    if (spec && spec->max_memory_mb > 0.0)
        return spec->max_memory_mb * 1024.0 * 1024.0;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page <= 0)
        return 8.0 * 1024.0 * 1024.0 * 1024.0;
    return 0.75 * (double)pages * (double)page;
}
