/* Network engine internals: the state of a built network. Not installed. */
#ifndef MGSIM_NET_INTERNAL_H
#define MGSIM_NET_INTERNAL_H

#include "mgsim/net.h"
#include "mgsim/plast.h"

#include <stdatomic.h>
#include <string.h>

/* The precision of neuron and synapse state. Single precision doubles the SIMD width of
 * the neuron kernels; configure with -DMGSIM_PRECISION=double for double precision.
 * Time, random numbers, weights' sums over a run, and NMDA gating s stay in double. */
#ifdef MGSIM_DOUBLE
typedef double mg_real;
#define MG_R(x) (x)
#else
typedef float mg_real;
#define MG_R(x) ((float)(x))
#endif

/* Bytes per cache line: data written by different threads every step is kept apart. */
#define MG_CACHE_LINE 64

/* Bytes left unused after each per-neuron array: a core's hardware prefetcher, streaming
 * through the end of one array, then fetches the gap instead of the start of the next array,
 * which another thread may be writing. */
#define MG_ALLOC_GAP 1024

/* Neurons per block of the kernel loops (temporaries live on the stack). */
#define MG_BLOCK 256

/* A projection in compressed rows by presynaptic neuron; each row sorted by target. */
typedef struct {
    mg_proj_spec spec;  /* copy; borrowed pointers cleared */
    uint32_t pre, post; /* population indices */
    mg_receptor rec;
    uint32_t n_pre;
    uint64_t *row;   /* n_pre + 1 offsets */
    uint32_t *split; /* threads > 1: for row j, split[j*(T-1) + t-1] = offset in the row of the
                        first target of thread t (targets are sorted), t = 1..T-1 */
    uint32_t *tgt;   /* post index within the post population */
    float *w;        /* per-synapse weight (nS), NULL when constant */
    uint16_t *d;     /* per-synapse delay (steps), NULL when constant */
    double w_const;  /* weight when w == NULL */
    uint16_t d_const;
    uint64_t nsyn;
    int borrowed; /* row, tgt and d belong to another projection */
    /* saturating NMDA: presynaptic gating s of each pre neuron (Brunel–Wang), its
     * last update step, and the decay constants of the post receptor */
    double *s_pre;
    int64_t *s_step;
    double s_tau_ms, s_jump; /* decay time; 1 - exp(-alpha * tau_rise) */
    double *x_pre;           /* exact mode: presynaptic x (NULL otherwise) */
    uint32_t *xq;            /* exact mode: the last d_const steps' presynaptic spikes, */
    size_t *xq_n;            /* d_const lists of n_pre ids, by step modulo d_const */
    double s_rise_ms;
    /* Graupner–Brunel plasticity (net_plast.c); rho == NULL for a static projection.
     * c of synapse (i -> j) is pre_c[i] e^{-(t - pre_t[i])/τCa} + post_c[j] e^{-(t -
     * post_t[j])/τCa} (per-neuron traces); every pre arrival of i and post spike of j updates the
     * synapse, so its last update is max(pre_t[i], post_t[j]) and needs no per-synapse storage. */
    float *rho;        /* per synapse, row order; replaces w */
    uint64_t *col;     /* n_post + 1 offsets: the synapses onto post neuron j */
    uint32_t *col_syn; /* their synapse indices (row order), ascending */
    uint32_t *col_pre; /* their presynaptic neurons */
    double *pre_c;     /* presynaptic trace just after its last jump (at step pre_t) */
    double *post_c;    /* postsynaptic trace just after its last jump (at step post_t) */
    int64_t *pre_t, *post_t;
    uint32_t d_pre; /* D in steps */
    uint32_t *ring; /* d_pre >= 1: spikes of the pre population of the last d_pre + 1 steps, */
    size_t *ring_n; /* n_pre per slot, slot = step % (d_pre + 1) */
    double *decay;  /* e^{-n dt/τCa} for n < n_decay */
    uint32_t n_decay;
    double w_lo, w_span; /* w = w_lo + clip(ρ, 0, 1) w_span */
    double h_max_s[3];   /* RK4 step limits below θd, above θd only, above θp */
    double log_theta[2]; /* ln θd, ln θp */
    uint32_t rng_purpose;
    /* NMDA calcium (spec.plast.calcium == MG_NET_CALCIUM_NMDA), else NULL: the presynaptic
     * calcium of each synapse (row order) just after its last arrival, at step pre_t[i]; it
     * replaces pre_c (an arrival adds C_pre s B(V_j, [Mg]o), different for each target j). */
    float *syn_c;
    double nmda_jump; /* C_pre · nmda_scale */
    /* STDP rules (stdp != 0): ρ holds the bounded weight u; pre_c, post_c are the traces r1, o1
     * (decay tables decay for τ+, decay2 for τ-), pre_c2, post_c2 the traces r2, o2, all just
     * after their last jump at pre_t, post_t (the neuron's spike steps) */
    int stdp;
    double *pre_c2, *post_c2;
    double *decay2;
    uint32_t n_decay2;
    /* Shouval 2002 (sh_w != NULL; rho is NULL): clock-driven, every synapse every step.
     * sh_w, sh_ca: weight and calcium per synapse (row order); sh_gf, sh_gs: the gating parts of
     * each pre neuron at the start of the next step, sh_gm its value at that step's middle;
     * sh_bf, sh_bs: the BPAP parts of each post neuron at the start of the step, sh_drive
     * B(Vd)(V_r - Vd) of the step (written by the thread owning the post neuron);
     * sh_fired: post spike flags of the last sh_db + 1 steps (slot step % (sh_db + 1));
     * pre arrivals come from ring/ring_n with d_pre = the projection's delay. */
    double *sh_w, *sh_ca;
    double *sh_gf, *sh_gs, *sh_gm;
    double *sh_bf, *sh_bs, *sh_drive;
    uint8_t *sh_fired;
    uint32_t sh_db;
    mg_shouval_params sh; /* the filled parameters (epsp, w0, step unused) */
    /* Excitotoxic load (GB and Shouval; NULL otherwise): per post neuron j, the time (ms) and
     * the integral of (c - tox_thr)+ (unit·ms) summed over the synapses onto j, written only by
     * the thread that owns j, in an order that does not depend on the thread count. GB: up to
     * each synapse's last update (mg_net_proj_tox adds the rest to now). */
    double tox_thr;
    double log_tox;   /* ln tox_thr */
    double log_floor; /* min(θd, tox_thr): below it no logarithm of c is needed */
    double *tox_t, *tox_i;
} mg_proj;

/* A weight recorder (net_plast.c). */
typedef struct {
    mg_weight_rec_spec spec;
    int64_t interval_steps;
    size_t n;
    uint64_t *syn; /* synapse indices (row order) */
    uint32_t *pre, *post;
    double *w, *rho; /* sample buffers */
} mg_wrec;

typedef struct {
    mg_input_spec spec;
    uint32_t lo, hi; /* neuron range */
    double *next_ms; /* POISSON: next arrival per neuron in range */
    uint64_t *count; /* POISSON: draws per neuron */
    double total_rate_per_ms;
} mg_input;

typedef struct {
    mg_pop_spec spec; /* copy; borrowed pointers cleared */
    uint32_t n;
    int is_source;
    /* membrane state */
    mg_real *v, *w;
    int32_t *ref;
    /* receptor state: g = norm * (a - b), b only with a rise time */
    mg_real *a[MG_RECEPTOR_COUNT], *b[MG_RECEPTOR_COUNT];
    mg_real *ring[MG_RECEPTOR_COUNT]; /* n_slots x n increments; NULL when direct */
    int direct; /* every arrival is due the next step (all incoming delays one step): it is
                   added to a (and b) at once and the population has no ring buffers */
    int used[MG_RECEPTOR_COUNT];
    int rise[MG_RECEPTOR_COUNT];
    double decay_a[MG_RECEPTOR_COUNT], decay_b[MG_RECEPTOR_COUNT], norm[MG_RECEPTOR_COUNT];
    mg_real *g_exact;  /* exact saturating NMDA: Σ w s over all synapses (nS), or NULL */
    mg_real *i_inp;    /* current inputs this step (pA), NULL if none target this pop */
    uint8_t *fired;    /* per neuron flag of this step */
    int32_t ref_steps; /* steps held at reset after a spike */
    double decay_w;
    /* sources */
    double *src_next_ms; /* POISSON_SOURCE: next spike per neuron */
    uint64_t *src_count;
    int64_t *times_step; /* SPIKE_SOURCE: sorted spike steps */
    uint32_t *times_id;  /* their neuron (UINT32_MAX = all) */
    size_t n_times;
    /* per-step spikes and counts, written by the master thread every step: kept on cache
     * lines of their own so that the other threads' reads of the fields above stay in
     * their caches */
    _Alignas(MG_CACHE_LINE) uint32_t *spk; /* indices fired this step (ascending) */
    size_t n_spk;
    uint64_t spikes;
    uint64_t window_spikes;
    int record_spikes;
    char pad_[MG_CACHE_LINE]; /* the next population's read-mostly fields start a new line */
} mg_pop;

typedef struct {
    mg_state_rec_spec spec;
    uint32_t *ids;
    int64_t interval_steps;
    size_t n_vars;
    double *buf[3]; /* by step modulo 3 (mg_spk_slot): filled by the threads, read by the
                       master in its bookkeeping, which may lag one step behind */
} mg_srec;

struct mg_net {
    mg_context *ctx;
    double dt_ms;
    uint64_t seed;
    int threads;
    int64_t step;
    mg_nmda_params nmda;
    double mg_mM;
    mg_mg_point *sched;
    size_t n_sched, next_sched;
    double runaway_rate_hz;
    int64_t runaway_window_steps, window_start;
    uint32_t n_slots; /* ring-buffer slots = max delay steps + 1 */

    mg_pop *pops;
    size_t n_pops;
    mg_proj *projs;
    size_t n_projs;
    mg_input *inputs;
    size_t n_inputs;
    mg_srec *srecs;
    size_t n_srecs;
    mg_wrec *wrecs;
    size_t n_wrecs;
    int plastic; /* some projection is plastic */
    /* per thread and step modulo 3 (mg_spk_slot): the spikes of each population in the
     * thread's range, in a mailbox of its own (mg_spk_box, box_stride bytes apart: see
     * mg_spk_list); per thread and step parity, for saturating NMDA projections, the gating
     * jump of each of those spikes (tscale[(t * 2 + parity) * n_projs + proj]) */
    unsigned char *spk_box;
    size_t box_stride;
    /* threads > 1: thread t's private list of the step being computed (n_pops counts, then
     * the ids), box_stride bytes apart, copied into its mailbox when it publishes */
    unsigned char *spk_own;
    double **tscale;
    /* the partition: bound[pop * (threads + 1) + t] is thread t's first neuron of pop (the last
     * entry n); cum[t] the cumulative share it comes from (cum[0] = 0, cum[threads] = 1). It
     * follows the threads' speeds: see rebalance() in net_run.c */
    uint32_t *bound;
    double *cum;
    double *lb_wait; /* per thread, MG_CACHE_LINE apart: seconds spent waiting in the window */
    /* static networks with threads > 1: views[t * n_pops + q] is population q as thread t >= 1
     * sees it during a run, with state arrays of its own (views[0 .. n_pops) unused; thread 0
     * uses pops), so that no two threads write the same arrays; NULL otherwise. See
     * mg_net_pop_view and mg_net_views_sync. */
    mg_pop *views;
    size_t *src_cur; /* spike-source cursor per thread and population */
    double mg_base;  /* [Mg]o set by mg_net_set_mg (or the spec) at step mg_base_step */
    int64_t mg_base_step;
    int t0_sampled; /* the state at t = 0 has been reported */
    int t0_weights; /* the weights at t = 0 have been reported */
    /* the per-step barrier: a sense-reversing spin barrier on cache lines of its own */
    _Alignas(MG_CACHE_LINE) atomic_int bar_count;
    _Alignas(MG_CACHE_LINE) atomic_int bar_sense;
    char bar_pad_[MG_CACHE_LINE];
    mg_net_stats stats;
};

/* Mailboxes per thread: one for each of MG_SPK_SLOTS consecutive steps (step k uses slot
 * mg_spk_slot(k)). Three, not two: the master's bookkeeping of step k (merging the lists for
 * the callbacks) may run after it has published step k + 1, and the others may then already
 * fill their boxes of step k + 2. */
#define MG_SPK_SLOTS 3
static inline int mg_spk_slot(int64_t k) {
    return (int)(k % MG_SPK_SLOTS);
}

/* Thread t's spikes of the step in slot par, published with seq; the other threads read them
 * once seq says the step is complete (acquire). seq, stop, the counts and the first ids share
 * one cache line, so that a waiting thread gets the step's message with the same line transfer
 * that brings it seq (one transfer per step and thread where most steps have a few spikes).
 * With threads > 1 the owner compacts its spikes into a private list (mg_net.spk_own) during
 * phase A and copies them into the box just before the release store of seq: the line the
 * others poll is written in one burst, not once per population while they poll it. A box is
 * rewritten three steps later, after every other thread has published the two steps in
 * between (and so has finished reading it, the master its bookkeeping included). */
typedef struct {
    _Alignas(MG_CACHE_LINE) atomic_llong seq; /* k + 1 once the lists of step k are complete */
    long long stop; /* thread 0: the step after which the run ends, or -1 */
    uint32_t n[];   /* n_pops counts, then the ids of each population in turn (ascending) */
} mg_spk_box;

static inline mg_spk_box *mg_spk_box_at(const mg_net *net, int t, int par) {
    return (mg_spk_box *)(void *)(net->spk_box +
                                  ((size_t)t * MG_SPK_SLOTS + (size_t)par) * net->box_stride);
}

/* Thread t's spikes of population q in the step of slot par (ascending); *n their count. */
static inline const uint32_t *mg_spk_list(const mg_net *net, int t, int par, size_t q, size_t *n) {
    const mg_spk_box *b = mg_spk_box_at(net, t, par);
    size_t off = net->n_pops;
    for (size_t u = 0; u < q; u++)
        off += b->n[u];
    *n = b->n[q];
    return b->n + off;
}

/* Every thread's spikes of population q in the step of slot par, merged in thread order
 * (ascending ids) into dst (room for the population); returns their number. */
static inline size_t mg_spk_merge(const mg_net *net, int T, int par, size_t q, uint32_t *dst) {
    size_t n = 0;
    for (int t = 0; t < T; t++) {
        size_t m;
        const uint32_t *spk = mg_spk_list(net, t, par, q, &m);
        memcpy(dst + n, spk, m * sizeof *dst);
        n += m;
    }
    return n;
}

/* Neurons per unit of a thread's range: ranges start on whole cache lines of every per-neuron
 * array (64 one-byte spike flags, 16 floats), so that no line is written by two threads. */
#define MG_RANGE_ALIGN 64u

/* Neurons [lo, hi) of population pop that thread t of T owns: all of them when T is 1, else
 * the current partition (net->bound, set by mg_net_partition). Every thread-dependent loop uses
 * it; the partition changes only between steps, while no thread is inside one. */
static inline void mg_net_thread_range(const mg_net *net, size_t pop, int t, int T, uint32_t *lo,
                                       uint32_t *hi) {
    if (T <= 1) {
        *lo = 0;
        *hi = net->pops[pop].n;
        return;
    }
    const uint32_t *b = net->bound + pop * ((size_t)T + 1);
    *lo = b[t];
    *hi = b[t + 1];
}

/* Synapses [*lo, *hi) of row i of pj whose targets thread t of T owns: the whole row when T is
 * 1, else the part between its split points (rows are sorted by target; see mg_proj.split). */
static inline void mg_proj_row_part(const mg_proj *pj, uint32_t i, int t, int T, uint64_t *lo,
                                    uint64_t *hi) {
    uint64_t a = pj->row[i], b = pj->row[i + 1];
    if (T > 1) {
        const uint32_t *sp = pj->split + (size_t)i * (size_t)(T - 1);
        const uint64_t r0 = a;
        if (t > 0)
            a = r0 + sp[t - 1];
        if (t < T - 1)
            b = r0 + sp[t];
    }
    *lo = a;
    *hi = b;
}

/* Population q as thread t works on it during a run: its private view, if any, else pops[q]. */
static inline mg_pop *mg_net_pop_view(const mg_net *net, int t, size_t q) {
    return (net->views && t > 0) ? net->views + (size_t)t * net->n_pops + q : net->pops + q;
}

/* Copy the state of every thread t >= 1's neurons (its current range) from pops into its view
 * (to_views) or back (net_build.c). One thread, outside a step; nothing without views. */
void mg_net_views_sync(mg_net *net, int to_views);

/* Set the partition from net->cum (thread t's share of every population is [cum[t],
 * cum[t+1]), boundaries rounded to MG_RANGE_ALIGN) and move each projection's split table to
 * it (net_build.c). Returns whether any boundary moved. One thread, between steps. */
int mg_net_partition(mg_net *net);

/* [Mg]o during step k (schedule and mg_net_set_mg; net_run.c). Read-only. */
double mg_net_mg_at_step(const mg_net *net, int64_t k);

/* A draw from d clipped to [lo, hi] for (seed, purpose, entity, index) (net_build.c). */
double mg_net_draw_dist(const mg_dist *d, uint64_t seed, uint32_t purpose, uint32_t entity,
                        uint64_t index);

/* Plasticity (net_plast.c). */
/* Build the plastic state of projection k (after its connectivity): ρ, column index, traces. */
mg_status mg_netplast_build(mg_net *net, const mg_net_spec *s, size_t k);
/* Build the weight recorders of s. */
mg_status mg_netplast_build_recorders(mg_net *net, const mg_net_spec *s);
/* Free the plastic state of pj and the recorders. */
void mg_netplast_free(mg_proj *pj);
void mg_netplast_free_recorders(mg_net *net);
/* Phase B of step k on thread t: update ρ of the synapses onto the thread's targets at the
 * post spikes and presynaptic calcium arrivals of step k (before the traces jump). */
void mg_netplast_events(mg_net *net, size_t q, int t, int T, int64_t k);
/* After every thread's phase B of step k (one thread): the traces jump for step k's events. */
void mg_netplast_traces(mg_net *net, int64_t k);
/* ρ of synapse x (pre i, post j) advanced without noise to step k (read-only). */
double mg_netplast_rho_at(const mg_net *net, const mg_proj *pj, uint64_t x, uint32_t i, uint32_t j,
                          int64_t k);
/* Weight recorder samples at step k (t = k dt) through cb; non-zero when a callback failed. */
int mg_netplast_record(mg_net *net, int64_t k, const mg_net_callbacks *cb, int64_t only_due);

#endif /* MGSIM_NET_INTERNAL_H */
