/* The step loop: inputs, neuron updates, spike delivery, recording.
 *
 * Order within step k (time t = k dt), matching Brian2's schedule:
 *   1. arrivals scheduled for step k (spikes of earlier steps, Poisson inputs)
 *      are added to the conductances;
 *   2. the membrane is advanced by exponential Euler with the conductances (and
 *      the NMDA block, AdEx exponential and adaptation currents) held over the
 *      step; conductances then decay exactly;
 *   3. neurons above threshold spike (time stamp t) and reset;
 *   4. spikes are delivered into ring buffers at step k + delay (delay >= 1).
 * A spike at step k therefore first acts at step k + 1, which is Brian2's
 * zero-delay synapse. Threads own contiguous neuron ranges of every
 * population: they update them and deliver into them, so sums are formed in the
 * same order whatever the thread count and results are bitwise identical.
 */
#include "neuro/net_internal.h"

#include "base/rng.h"
#include "neuro/fastmath.h"

#ifdef MGSIM_DOUBLE
#define MG_EXP mg_fast_exp
#else
#define MG_EXP mg_fast_expf
#endif

#include <math.h>
#include <omp.h>
#include <sched.h>
#include <stdio.h>

/* Polls of a waiting thread before it yields (a pause is ~10-150 cycles; on an idle machine a
 * step's wait takes tens of polls). */
#define MG_SPIN_LIMIT 200u
#if defined(__x86_64__) || defined(__i386__)
#define MG_PAUSE() __builtin_ia32_pause()
#else
#define MG_PAUSE() ((void)0)
#endif

/* Per-thread phase timers (time-stamp counter) for studying thread scaling: configure with
 * -DCMAKE_C_FLAGS=-DMGSIM_THREAD_TIMERS; off by default (no cost). */
#if defined(MGSIM_THREAD_TIMERS) && defined(__x86_64__)
#include <x86intrin.h>
#define MG_TT_DECL uint64_t tt_c[8] = {0}, tt_0 = __rdtsc(), tt_1
#define MG_TT(i)   (tt_1 = __rdtsc(), tt_c[i] += tt_1 - tt_0, tt_0 = tt_1)
#define MG_TT_PRINT(t)                                                                             \
    fprintf(stderr, "thread %d: A %.3f W %.3f D %.3f W2 %.3f K %.3f Gcyc\n", t,                    \
            (double)tt_c[0] * 1e-9, (double)tt_c[1] * 1e-9, (double)tt_c[2] * 1e-9,                \
            (double)tt_c[3] * 1e-9, (double)tt_c[4] * 1e-9)
#else
#define MG_TT_DECL
#define MG_TT(i)       ((void)0)
#define MG_TT_PRINT(t) ((void)0)
#endif
#include <stdlib.h>
#include <string.h>

/* Poisson input arrivals during step k, [t_k, t_k+1), into the ring slot of step k + 1
 * (Brian2's PoissonInput acts after the update of the step it is drawn in). */
static void poisson_inputs(mg_net *net, int t, int T, int64_t k) {
    double t_end = (double)(k + 1) * net->dt_ms; /* arrivals in [t_k, t_k+1) act at step k+1 */
    uint32_t slot = (uint32_t)((k + 1) % net->n_slots);
    for (size_t q = 0; q < net->n_inputs; q++) {
        mg_input *in = &net->inputs[q];
        if (in->spec.kind != MG_INPUT_POISSON || in->total_rate_per_ms <= 0.0)
            continue;
        mg_pop *p = mg_net_pop_view(net, t, in->spec.pop);
        uint32_t lo, hi;
        mg_net_thread_range(net, in->spec.pop, t, T, &lo, &hi);
        if (lo < in->lo)
            lo = in->lo;
        if (hi > in->hi)
            hi = in->hi;
        const int r = (int)in->spec.receptor;
        /* ring slot of step k + 1, or straight into the conductance (a and, with a rise
         * time, b: the difference a - b starts from zero) */
        mg_real *ring = p->direct ? p->a[r] : p->ring[r] + (size_t)slot * p->n;
        mg_real *ring_b = p->direct ? p->b[r] : NULL;
        mg_real w = MG_R(in->spec.weight_nS);
        double stop = in->spec.stop_ms, rate = in->total_rate_per_ms;
        for (uint32_t i = lo; i < hi; i++) {
            double *next = &in->next_ms[i - in->lo];
            while (*next < t_end) {
                if (*next < stop) {
                    ring[i] += w;
                    if (ring_b)
                        ring_b[i] += w;
                }
                uint64_t c = in->count[i - in->lo]++;
                double u = mg_rng_uniform(net->seed, MG_RNG_POISSON, (uint32_t)q,
                                          ((uint64_t)i << 32) | (c & 0xffffffffu));
                *next += -log(u) / rate;
            }
        }
    }
}

/* Current inputs (steps and ramps) at time t_ms into p->i_inp over [lo, hi). */
static void current_inputs(mg_net *net, mg_pop *p, size_t pop, uint32_t lo, uint32_t hi,
                           double t_ms) {
    if (!p->i_inp)
        return;
    memset(p->i_inp + lo, 0, (size_t)(hi - lo) * sizeof(mg_real));
    for (size_t q = 0; q < net->n_inputs; q++) {
        const mg_input *in = &net->inputs[q];
        if (in->spec.pop != pop || in->spec.kind == MG_INPUT_POISSON)
            continue;
        if (t_ms < in->spec.start_ms || t_ms >= in->spec.stop_ms)
            continue;
        double amp = in->spec.amp_pA;
        if (in->spec.kind == MG_INPUT_CURRENT_RAMP && in->spec.stop_ms > in->spec.start_ms &&
            isfinite(in->spec.stop_ms))
            amp += (in->spec.amp_end_pA - in->spec.amp_pA) * (t_ms - in->spec.start_ms) /
                   (in->spec.stop_ms - in->spec.start_ms);
        uint32_t a = lo > in->lo ? lo : in->lo, b = hi < in->hi ? hi : in->hi;
        for (uint32_t i = a; i < b; i++)
            p->i_inp[i] += MG_R(amp);
    }
}

/* One single-exponential receptor of neuron j in the fused kernel: takes the arrivals
 * (from the ring slot, unless they were added directly), decays the state exactly and
 * returns the conductance in effect during the step. */
static inline mg_real receptor_step(mg_real *restrict g, mg_real *restrict ring, size_t j, int dir,
                                    mg_real decay) {
    mg_real x = g[j];
    if (!dir) {
        x += ring[j];
        ring[j] = 0;
    }
    g[j] = x * decay;
    return x;
}

/* Fused kernel for the common case: LIF, only single-exponential non-NMDA receptors.
 * One pass per neuron (arrivals, membrane, decay, threshold); the receptor set is a
 * compile-time constant in each instantiation so the loop is fully vectorised. */
static inline void lif_fused(const mg_net *net, mg_pop *p, uint32_t lo, uint32_t hi, int64_t k,
                             const int u0, const int u1, const int u2, const int ui,
                             const int dir) {
    const mg_pop_spec *s = &p->spec;
    const mg_real gL = MG_R(s->gL_nS), A0 = MG_R(s->gL_nS * s->EL_mV + s->I_e_pA);
    const mg_real vth = MG_R(s->Vth_mV), vreset = MG_R(s->Vreset_mV);
    const mg_real mdt_C = MG_R(-net->dt_ms / s->C_pF);
    const int32_t ref_after = p->ref_steps > 0 ? p->ref_steps - 1 : 0;
    const size_t off = (size_t)(k % net->n_slots) * p->n;
    mg_real *restrict g0 = u0 ? p->a[0] : NULL, *restrict g1 = u1 ? p->a[1] : NULL;
    mg_real *restrict g2 = u2 ? p->a[2] : NULL;
    mg_real *restrict r0 = u0 && !dir ? p->ring[0] + off : NULL;
    mg_real *restrict r1 = u1 && !dir ? p->ring[1] + off : NULL;
    mg_real *restrict r2 = u2 && !dir ? p->ring[2] + off : NULL;
    const mg_real d0 = MG_R(p->decay_a[0]), d1 = MG_R(p->decay_a[1]), d2 = MG_R(p->decay_a[2]);
    const mg_real E0 = MG_R(s->receptor[0].E_mV), E1 = MG_R(s->receptor[1].E_mV);
    const mg_real E2 = MG_R(s->receptor[2].E_mV);
    const mg_real *restrict iinp = p->i_inp;
    mg_real *restrict v = p->v;
    int32_t *restrict ref = p->ref;
    uint8_t *restrict fired = p->fired;
#pragma omp simd
    for (size_t j = lo; j < (size_t)hi; j++) {
        mg_real G = gL, A = A0;
        if (ui)
            A += iinp[j];
        if (u0) {
            mg_real x = receptor_step(g0, r0, j, dir, d0);
            G += x;
            A += x * E0;
        }
        if (u1) {
            mg_real x = receptor_step(g1, r1, j, dir, d1);
            G += x;
            A += x * E1;
        }
        if (u2) {
            mg_real x = receptor_step(g2, r2, j, dir, d2);
            G += x;
            A += x * E2;
        }
        mg_real vj = v[j];
        mg_real vinf = A / G;
        mg_real vn = vinf + (vj - vinf) * MG_EXP(G * mdt_C);
        int held = ref[j] > 0;
        vn = held ? vreset : vn;
        int spk = !held && vn > vth;
        v[j] = spk ? vreset : vn;
        ref[j] = spk ? ref_after : (held ? ref[j] - 1 : 0);
        fired[j] = (uint8_t)spk;
    }
}

/* Whether the fused kernel applies to population p. */
static int fused_ok(const mg_pop *p) {
    if (p->spec.kind != MG_NEURON_LIF || p->used[MG_RECEPTOR_NMDA])
        return 0;
    for (int r = 0; r < MG_RECEPTOR_NMDA; r++)
        if (p->used[r] && p->rise[r])
            return 0;
    return 1;
}

static void update_fused(const mg_net *net, mg_pop *p, uint32_t lo, uint32_t hi, int64_t k) {
    int mask = (p->used[0] ? 1 : 0) | (p->used[1] ? 2 : 0) | (p->used[2] ? 4 : 0) |
               (p->i_inp ? 8 : 0) | (p->direct ? 16 : 0);
    switch (mask) {
#define MG_FUSED_CASE(m)                                                                           \
    case m:                                                                                        \
        lif_fused(net, p, lo, hi, k, (m)&1, ((m) >> 1) & 1, ((m) >> 2) & 1, ((m) >> 3) & 1,        \
                  ((m) >> 4) & 1);                                                                 \
        break;
        MG_FUSED_CASE(0)
        MG_FUSED_CASE(1)
        MG_FUSED_CASE(2)
        MG_FUSED_CASE(3)
        MG_FUSED_CASE(4)
        MG_FUSED_CASE(5)
        MG_FUSED_CASE(6)
        MG_FUSED_CASE(7)
        MG_FUSED_CASE(8)
        MG_FUSED_CASE(9)
        MG_FUSED_CASE(10)
        MG_FUSED_CASE(11)
        MG_FUSED_CASE(12)
        MG_FUSED_CASE(13)
        MG_FUSED_CASE(14)
        MG_FUSED_CASE(15)
        MG_FUSED_CASE(16)
        MG_FUSED_CASE(17)
        MG_FUSED_CASE(18)
        MG_FUSED_CASE(19)
        MG_FUSED_CASE(20)
        MG_FUSED_CASE(21)
        MG_FUSED_CASE(22)
        MG_FUSED_CASE(23)
        MG_FUSED_CASE(24)
        MG_FUSED_CASE(25)
        MG_FUSED_CASE(26)
        MG_FUSED_CASE(27)
        MG_FUSED_CASE(28)
        MG_FUSED_CASE(29)
        MG_FUSED_CASE(30)
        MG_FUSED_CASE(31)
#undef MG_FUSED_CASE
        default:
            break;
    }
}

/* Advance neurons [lo, hi) of a LIF/AdEx population by one step (general kernel). */
static void update_neurons(const mg_net *net, mg_pop *p, uint32_t lo, uint32_t hi, int64_t k,
                           double mg_mM) {
    const mg_pop_spec *s = &p->spec;
    const mg_real gL = MG_R(s->gL_nS), EL = MG_R(s->EL_mV), Ie = MG_R(s->I_e_pA);
    const mg_real mdt_C = MG_R(-net->dt_ms / s->C_pF);
    const mg_real vth = MG_R(s->kind == MG_NEURON_ADEX ? s->Vpeak_mV : s->Vth_mV);
    const mg_real vreset = MG_R(s->Vreset_mV);
    const int adex = s->kind == MG_NEURON_ADEX;
    const mg_real kmg = MG_R(mg_mM / net->nmda.mg_scale_mM);
    const mg_real mgam = MG_R(-net->nmda.gamma_per_mV);
    const int32_t ref_after = p->ref_steps > 0 ? p->ref_steps - 1 : 0;
    const uint32_t slot = (uint32_t)(k % net->n_slots);
    mg_real G[MG_BLOCK], A[MG_BLOCK], GN[MG_BLOCK];

    for (uint32_t b0 = lo; b0 < hi; b0 += MG_BLOCK) {
        const uint32_t m = (hi - b0) < MG_BLOCK ? (hi - b0) : MG_BLOCK;
        for (uint32_t j = 0; j < m; j++) {
            G[j] = gL;
            A[j] = gL * EL + Ie;
            GN[j] = 0;
        }
        if (p->i_inp)
            for (uint32_t j = 0; j < m; j++)
                A[j] += p->i_inp[b0 + j];
        /* receptors: arrivals, conductance over the step, exact decay */
        for (int r = 0; r < MG_RECEPTOR_COUNT; r++) {
            if (!p->used[r])
                continue;
            mg_real *restrict ga = p->a[r] + b0;
            /* direct arrival: nothing to add, the increments are already in a and b */
            mg_real *restrict ring = p->direct ? NULL : p->ring[r] + (size_t)slot * p->n + b0;
            const mg_real da = MG_R(p->decay_a[r]), E = MG_R(s->receptor[r].E_mV);
            const mg_real nrm = MG_R(p->norm[r]);
            mg_real *restrict out = r == MG_RECEPTOR_NMDA ? GN : G;
            if (r == MG_RECEPTOR_NMDA && p->g_exact) {
                for (uint32_t j = 0; j < m; j++)
                    GN[j] += p->g_exact[b0 + j];
                continue;
            }
            if (p->rise[r]) {
                mg_real *restrict gb = p->b[r] + b0;
                const mg_real db = MG_R(p->decay_b[r]);
                if (ring)
                    for (uint32_t j = 0; j < m; j++) {
                        ga[j] += ring[j];
                        gb[j] += ring[j];
                        ring[j] = 0;
                    }
                for (uint32_t j = 0; j < m; j++) {
                    mg_real a = ga[j], bb = gb[j];
                    mg_real g = nrm * (a - bb);
                    out[j] += g;
                    if (r != MG_RECEPTOR_NMDA)
                        A[j] += g * E;
                    ga[j] = a * da;
                    gb[j] = bb * db;
                }
            } else {
                if (ring)
                    for (uint32_t j = 0; j < m; j++) {
                        ga[j] += ring[j];
                        ring[j] = 0;
                    }
                for (uint32_t j = 0; j < m; j++) {
                    mg_real a = ga[j];
                    mg_real g = nrm * a;
                    out[j] += g;
                    if (r != MG_RECEPTOR_NMDA)
                        A[j] += g * E;
                    ga[j] = a * da;
                }
            }
        }
        mg_real *restrict v = p->v + b0;
        int32_t *restrict ref = p->ref + b0;
        uint8_t *restrict fired = p->fired + b0;
        if (p->used[MG_RECEPTOR_NMDA]) {
            const mg_real En = MG_R(s->receptor[MG_RECEPTOR_NMDA].E_mV);
            for (uint32_t j = 0; j < m; j++) {
                mg_real gn = GN[j] / (1 + kmg * MG_EXP(mgam * v[j]));
                G[j] += gn;
                A[j] += gn * En;
            }
        }
        if (adex) {
            mg_real *restrict w = p->w + b0;
            const mg_real dT = MG_R(s->DeltaT_mV), VT = MG_R(s->Vth_mV), a_ad = MG_R(s->a_nS);
            const mg_real b_ad = MG_R(s->b_pA), dw = MG_R(p->decay_w), gLdT = gL * dT;
            const mg_real inv_dT = 1 / dT;
            for (uint32_t j = 0; j < m; j++) {
                mg_real vj = v[j];
                mg_real ex = gLdT * MG_EXP((vj - VT) * inv_dT);
                mg_real vinf = (A[j] + ex - w[j]) / G[j];
                mg_real vn = vinf + (vj - vinf) * MG_EXP(G[j] * mdt_C);
                mg_real winf = a_ad * (vj - EL);
                mg_real wn = winf + (w[j] - winf) * dw;
                int held = ref[j] > 0;
                vn = held ? vreset : vn;
                int spk = !held && vn > vth;
                v[j] = spk ? vreset : vn;
                w[j] = spk ? wn + b_ad : wn;
                ref[j] = spk ? ref_after : (held ? ref[j] - 1 : 0);
                fired[j] = (uint8_t)spk;
            }
        } else {
            for (uint32_t j = 0; j < m; j++) {
                mg_real vj = v[j];
                mg_real vinf = A[j] / G[j];
                mg_real vn = vinf + (vj - vinf) * MG_EXP(G[j] * mdt_C);
                int held = ref[j] > 0;
                vn = held ? vreset : vn;
                int spk = !held && vn > vth;
                v[j] = spk ? vreset : vn;
                ref[j] = spk ? ref_after : (held ? ref[j] - 1 : 0);
                fired[j] = (uint8_t)spk;
            }
        }
    }
}

/* Sources: spikes of step k over [lo, hi) into p->fired. */
static void update_sources(mg_net *net, mg_pop *p, size_t pop, uint32_t lo, uint32_t hi,
                           int64_t k) {
    memset(p->fired + lo, 0, hi - lo);
    if (p->spec.kind == MG_NEURON_POISSON_SOURCE) {
        double t_end = (double)(k + 1) * net->dt_ms, rate = p->spec.rate_hz * 1e-3;
        if (rate <= 0.0)
            return;
        for (uint32_t i = lo; i < hi; i++) {
            while (p->src_next_ms[i] < t_end) {
                p->fired[i] = 1; /* at most one spike per neuron and step */
                uint64_t c = p->src_count[i]++;
                double u = mg_rng_uniform(net->seed, MG_RNG_SOURCE, (uint32_t)pop,
                                          ((uint64_t)i << 32) | (c & 0xffffffffu));
                p->src_next_ms[i] += -log(u) / rate;
            }
        }
    }
    /* spike_source events are added by spike_source_events() */
}

/* Indices of fired neurons in [lo, hi), ascending, into out; returns the count. */
static size_t compact(const uint8_t *fired, uint32_t lo, uint32_t hi, uint32_t *out) {
    size_t n = 0;
    uint32_t i = lo;
    /* spikes are rare: skip 64 silent neurons at a time (the OR vectorises), then find
     * the set bytes of a word by its lowest set bit (byte order: little-endian only) */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    for (; i + 64 <= hi; i += 64) {
        uint64_t w[8], any = 0;
        memcpy(w, fired + i, sizeof w);
        for (int q = 0; q < 8; q++)
            any |= w[q];
        if (!any)
            continue;
        for (int q = 0; q < 8; q++) {
            uint64_t x = w[q];
            while (x) {
                unsigned b = (unsigned)__builtin_ctzll(x) / 8u;
                out[n++] = i + (uint32_t)q * 8u + b;
                x &= ~(0xffull << (8u * b));
            }
        }
    }
#endif
    for (; i + 8 <= hi; i += 8) {
        uint64_t word;
        memcpy(&word, fired + i, 8);
        if (!word)
            continue;
        for (uint32_t j = 0; j < 8; j++)
            if (fired[i + j])
                out[n++] = i + j;
    }
    for (; i < hi; i++)
        if (fired[i])
            out[n++] = i;
    return n;
}

/* Exact saturating NMDA: x += 1 for the spikes of step k, then (x, s) of every
 * presynaptic neuron advanced over one step by classical RK4, and the targets'
 * conductance g = Σ w s recomputed over all synapses. */
static void nmda_exact(mg_net *net, int64_t k) {
    const int par = mg_spk_slot(k);
    for (size_t q = 0; q < net->n_pops; q++)
        if (net->pops[q].g_exact)
            memset(net->pops[q].g_exact, 0, net->pops[q].n * sizeof(mg_real));
    const double h = net->dt_ms, al = net->nmda.alpha_per_ms;
    for (size_t q = 0; q < net->n_projs; q++) {
        mg_proj *pj = &net->projs[q];
        if (!pj->x_pre)
            continue;
        const mg_pop *pre = &net->pops[pj->pre];
        (void)pre;
        size_t nspk;
        const uint32_t *spk = mg_spk_list(net, 0, par, pj->pre, &nspk);
        /* a spike of step k with delay d arrives in step k + d, as in the event-driven
         * form: its x is kicked before the integration from step k + d to k + d + 1, so
         * the conductance starts rising from zero at the arrival. The spikes wait in a
         * ring of d lists: the slot of step k holds those of step k - d, due now. */
        const uint32_t D = pj->d_const;
        uint32_t *slot = pj->xq + (size_t)(k % D) * pj->n_pre;
        for (size_t i = 0; i < pj->xq_n[k % D]; i++)
            pj->x_pre[slot[i]] += 1.0;
        memcpy(slot, spk, nspk * sizeof *spk);
        pj->xq_n[k % D] = nspk;
        const double tr = pj->s_rise_ms, td = pj->s_tau_ms;
        mg_real *g = net->pops[pj->post].g_exact;
        for (uint32_t j = 0; j < pj->n_pre; j++) {
            double x = pj->x_pre[j], s = pj->s_pre[j];
            if (x == 0.0 && s == 0.0)
                continue;
            double k1x = -x / tr, k1s = -s / td + al * x * (1.0 - s);
            double x2 = x + 0.5 * h * k1x, s2 = s + 0.5 * h * k1s;
            double k2x = -x2 / tr, k2s = -s2 / td + al * x2 * (1.0 - s2);
            double x3 = x + 0.5 * h * k2x, s3 = s + 0.5 * h * k2s;
            double k3x = -x3 / tr, k3s = -s3 / td + al * x3 * (1.0 - s3);
            double x4 = x + h * k3x, s4 = s + h * k3s;
            double k4x = -x4 / tr, k4s = -s4 / td + al * x4 * (1.0 - s4);
            x += h / 6.0 * (k1x + 2.0 * k2x + 2.0 * k3x + k4x);
            s += h / 6.0 * (k1s + 2.0 * k2s + 2.0 * k3s + k4s);
            if (x < 1e-300)
                x = 0.0;
            if (s < 1e-300)
                s = 0.0;
            pj->x_pre[j] = x;
            pj->s_pre[j] = s;
            if (s == 0.0)
                continue;
            for (uint64_t e = pj->row[j]; e < pj->row[j + 1]; e++)
                g[pj->tgt[e]] += MG_R((pj->w ? (double)pj->w[e] : pj->w_const) * s);
        }
    }
}

/* [Mg]o during step k: the last schedule point at or before t_k that comes after the
 * value set with mg_net_set_mg (or the spec's), else that value. Read-only: every thread
 * can evaluate it. */
double mg_net_mg_at_step(const mg_net *net, int64_t k) {
    double t = (double)k * net->dt_ms, mg = net->mg_base;
    double t_base = (double)net->mg_base_step * net->dt_ms;
    for (size_t q = 0; q < net->n_sched; q++) {
        double ts = net->sched[q].t_ms;
        if (ts > t + 1e-9)
            break;
        if (ts > t_base + 1e-9 || net->mg_base_step < 0)
            mg = net->sched[q].mg_mM;
    }
    return mg;
}

/* Spike-source events of step k for the neurons [lo, hi) of population q, thread t. */
static void spike_source_events(mg_net *net, mg_pop *p, size_t q, int t, uint32_t lo, uint32_t hi,
                                int64_t k) {
    size_t *cur = &net->src_cur[(size_t)t * net->n_pops + q];
    while (*cur < p->n_times && p->times_step[*cur] < k)
        (*cur)++;
    while (*cur < p->n_times && p->times_step[*cur] == k) {
        uint32_t id = p->times_id[(*cur)++];
        if (id == UINT32_MAX)
            memset(p->fired + lo, 1, hi - lo);
        else if (id >= lo && id < hi)
            p->fired[id] = 1;
    }
}

/* NMDA saturation: for each of the thread's spikes of an NMDA projection's source, the
 * jump of the presynaptic gating s, Δs = (1 - s⁻)(1 - exp(-alpha tau_rise)). */
static void nmda_jumps(const mg_net *net, mg_proj *pj, const uint32_t *spk, size_t n, double *scale,
                       int64_t k) {
    for (size_t q = 0; q < n; q++) {
        uint32_t j = spk[q];
        double s = pj->s_pre[j] * exp(-(double)(k - pj->s_step[j]) * net->dt_ms / pj->s_tau_ms);
        double ds = (1.0 - s) * pj->s_jump;
        pj->s_pre[j] = s + ds;
        pj->s_step[j] = k;
        scale[q] = ds;
    }
}

/* Sample recorder r's neurons that thread t owns into buf. */
static void sample_state(const mg_net *net, const mg_srec *r, int t, int T, double mg, double *buf);

/* Phase A of step k on thread t: inputs, neuron updates, this thread's spikes and their
 * NMDA jumps, state samples of its neurons. */
static void phase_a(mg_net *net, int t, int T, int64_t k) {
    const int par = (int)(k & 1), slot = mg_spk_slot(k);
    const double mg = mg_net_mg_at_step(net, k); /* every thread evaluates it; nothing is shared */
    double t_ms = (double)k * net->dt_ms;
    mg_spk_box *box = mg_spk_box_at(net, t, slot);
    /* with threads > 1, into the thread's private list (copied into the box at the end) */
    uint32_t *cnt =
        T > 1 ? (uint32_t *)(void *)(net->spk_own + (size_t)t * net->box_stride) : box->n;
    uint32_t *ids = cnt + net->n_pops; /* each population's list after the previous one */
    for (size_t q = 0; q < net->n_pops; q++) {
        mg_pop *p = mg_net_pop_view(net, t, q);
        uint32_t lo, hi;
        mg_net_thread_range(net, q, t, T, &lo, &hi);
        if (p->is_source) {
            update_sources(net, p, q, lo, hi, k);
            if (p->spec.kind == MG_NEURON_SPIKE_SOURCE)
                spike_source_events(net, p, q, t, lo, hi, k);
        } else {
            current_inputs(net, p, q, lo, hi, t_ms);
            if (fused_ok(p))
                update_fused(net, p, lo, hi, k);
            else
                update_neurons(net, p, lo, hi, k, mg);
        }
        size_t c = compact(p->fired, lo, hi, ids);
        cnt[q] = (uint32_t)c;
        ids += c;
    }
    size_t sbase = ((size_t)t * 2 + (size_t)par) * net->n_projs;
    for (size_t q = 0; q < net->n_projs; q++) {
        mg_proj *pj = &net->projs[q];
        if (pj->s_pre && !pj->x_pre) {
            const uint32_t *spk = cnt + net->n_pops;
            for (size_t u = 0; u < pj->pre; u++)
                spk += cnt[u];
            nmda_jumps(net, pj, spk, cnt[pj->pre], net->tscale[sbase + q], k);
        }
    }
    for (size_t q = 0; q < net->n_srecs; q++) {
        const mg_srec *r = &net->srecs[q];
        if ((k + 1) % r->interval_steps == 0)
            sample_state(net, r, t, T, mg, r->buf[slot]);
    }
    /* after the update and the samples: these arrivals act from step k + 1 */
    poisson_inputs(net, t, T, k);
    /* the message, in one burst, last (the caller publishes it) */
    if (T > 1)
        memcpy(box->n, cnt, (size_t)(ids - cnt) * sizeof *cnt);
}

/* Phase B, delivery: the spikes of step k in the lists of threads [u0, u1) (thread order =
 * ascending index; a target's arrivals are summed in that order, so calls for consecutive
 * ranges give the sums of one call for all) into the ring buffers of the targets thread t owns.
 * Plastic networks: one call for all threads (their ρ updates read every list first). */
static void deliver(mg_net *net, int t, int T, int64_t k, int u0, int u1) {
    const int par = (int)(k & 1), box = mg_spk_slot(k);
    if (net->plastic)
        for (size_t q = 0; q < net->n_projs; q++)
            if (net->projs[q].rho || net->projs[q].sh_w)
                mg_netplast_events(net, q, t, T, k);
    for (size_t q = 0; q < net->n_projs; q++) {
        mg_proj *pj = &net->projs[q];
        if (pj->x_pre)
            continue;
        mg_pop *post = mg_net_pop_view(net, t, pj->post);
        /* direct arrival: every delay is one step, add to a (and b) at once */
        mg_real *ring = post->direct ? post->a[pj->rec] : post->ring[pj->rec];
        mg_real *ring_b = post->direct ? post->b[pj->rec] : NULL;
        const uint32_t S = post->direct ? 1 : net->n_slots, n = post->n;
        for (int tt = u0; tt < u1; tt++) {
            size_t slot = ((size_t)tt * 2 + (size_t)par);
            size_t nspk;
            const uint32_t *spk = mg_spk_list(net, tt, box, pj->pre, &nspk);
            const double *scale = (pj->s_pre) ? net->tscale[slot * net->n_projs + q] : NULL;
            if (!pj->sh_w && !pj->rho && !ring_b && !pj->d) {
                /* the common static case, one delay: the same slot for every spike, and per
                 * spike only the bounds of the thread's part of the row */
                mg_real *restrict r = ring + (size_t)((k + pj->d_const) % S) * n;
                const uint32_t *restrict tg = pj->tgt;
                const uint64_t *restrict row = pj->row;
                const uint32_t *restrict split = pj->split;
                const size_t T1 = (size_t)(T - 1);
                const float *restrict wt = pj->w;
                /* a row costs a chain of dependent loads (its offsets, its targets, their
                 * conductances), each from L2: start the offsets of every spike's row, then
                 * the first targets of each, before the additions */
                for (size_t s = 0; s < nspk; s++) {
                    __builtin_prefetch(row + spk[s]);
                    if (T1)
                        __builtin_prefetch(split + (size_t)spk[s] * T1);
                }
                for (size_t s = 0; s < nspk; s++) {
                    const uint32_t j = spk[s];
                    uint64_t a = row[j];
                    if (T1 && t > 0)
                        a += split[(size_t)j * T1 + (size_t)t - 1];
                    __builtin_prefetch(tg + a);
                    if (wt)
                        __builtin_prefetch(wt + a);
                }
                for (size_t s = 0; s < nspk; s++) {
                    uint64_t a, b;
                    mg_proj_row_part(pj, spk[s], t, T, &a, &b);
                    const double f = scale ? scale[s] : 1.0;
                    if (!wt) {
                        const mg_real w = MG_R(pj->w_const * f);
                        for (uint64_t x = a; x < b; x++)
                            r[tg[x]] += w;
                    } else {
                        const mg_real ff = MG_R(f);
                        for (uint64_t x = a; x < b; x++)
                            r[tg[x]] += (mg_real)wt[x] * ff;
                    }
                }
                continue;
            }
            for (size_t s = 0; s < nspk; s++) {
                uint32_t j = spk[s];
                uint64_t a, b;
                mg_proj_row_part(pj, j, t, T, &a, &b);
                double f = scale ? scale[s] : 1.0;
                const uint32_t *restrict tg = pj->tgt;
                if (pj->sh_w) {
                    /* Shouval 2002: w · w_scale_nS (w unbounded) */
                    const double *restrict sw = pj->sh_w;
                    const double sc = pj->w_span * f;
                    for (uint64_t x = a; x < b; x++) {
                        mg_real w = MG_R(sw[x] * sc);
                        if (ring_b) {
                            ring[tg[x]] += w;
                            ring_b[tg[x]] += w;
                        } else {
                            ring[(size_t)((k + pj->d_const) % S) * n + tg[x]] += w;
                        }
                    }
                } else if (pj->rho) {
                    /* plastic: w = w_lo + clip(ρ, 0, 1) w_span */
                    const float *restrict rh = pj->rho;
                    const double lo = pj->w_lo, span = pj->w_span;
                    for (uint64_t x = a; x < b; x++) {
                        double c = (double)rh[x];
                        c = c < 0.0 ? 0.0 : (c > 1.0 ? 1.0 : c);
                        mg_real w = MG_R((lo + c * span) * f);
                        if (ring_b) {
                            ring[tg[x]] += w;
                            ring_b[tg[x]] += w;
                        } else {
                            uint32_t d = pj->d ? pj->d[x] : pj->d_const;
                            ring[(size_t)((k + d) % S) * n + tg[x]] += w;
                        }
                    }
                } else if (ring_b) {
                    /* direct arrival onto a receptor with a rise time */
                    for (uint64_t x = a; x < b; x++) {
                        mg_real w = MG_R((pj->w ? (double)pj->w[x] : pj->w_const) * f);
                        ring[tg[x]] += w;
                        ring_b[tg[x]] += w;
                    }
                } else if (!pj->w && !pj->d) {
                    mg_real *restrict r = ring + (size_t)((k + pj->d_const) % S) * n;
                    const mg_real w = MG_R(pj->w_const * f);
                    for (uint64_t x = a; x < b; x++)
                        r[tg[x]] += w;
                } else if (!pj->d) {
                    mg_real *restrict r = ring + (size_t)((k + pj->d_const) % S) * n;
                    const float *restrict wt = pj->w;
                    const mg_real ff = MG_R(f);
                    for (uint64_t x = a; x < b; x++)
                        r[tg[x]] += (mg_real)wt[x] * ff;
                } else {
                    for (uint64_t x = a; x < b; x++) {
                        uint32_t d = pj->d[x];
                        double w = (pj->w ? (double)pj->w[x] : pj->w_const) * f;
                        ring[(size_t)((k + d) % S) * n + tg[x]] += MG_R(w);
                    }
                }
            }
        }
    }
}

/* Wait until all T threads have arrived. Threads spin (the step is microseconds long, far
 * shorter than a sleep and wake-up); `local` is the thread's own sense, flipped per use.
 * The last thread to arrive resets the count and releases the others. */
/* One poll of a waiting thread: a pause, or after MG_SPIN_LIMIT polls a yield of the processor
 * (see wait_published). */
static inline void spin_poll(unsigned *spins) {
    if (++*spins < MG_SPIN_LIMIT)
        MG_PAUSE();
    else
        sched_yield();
}

static void step_barrier(mg_net *net, int T, int *local) {
    *local = !*local;
    if (atomic_fetch_add_explicit(&net->bar_count, 1, memory_order_acq_rel) == T - 1) {
        atomic_store_explicit(&net->bar_count, 0, memory_order_relaxed);
        atomic_store_explicit(&net->bar_sense, *local, memory_order_release);
    } else {
        unsigned spins = 0;
        while (atomic_load_explicit(&net->bar_sense, memory_order_acquire) != *local)
            spin_poll(&spins);
    }
}

/* Wait until every thread in [u0, u1) but t has published step `want` - 1 in its mailbox of
 * slot par (mg_spk_slot). Threads spin (a step is microseconds long, far shorter than a sleep and
 * wake-up), then yield the processor after a while so that a thread the system has preempted gets
 * it back sooner when more threads than processors are runnable. */
static void wait_published(const mg_net *net, int t, int u0, int u1, int par, long long want) {
    double t0 = 0.0;
    for (int u = u0; u < u1; u++) {
        if (u == t)
            continue;
        mg_spk_box *b = mg_spk_box_at(net, u, par);
        if (atomic_load_explicit(&b->seq, memory_order_acquire) >= want)
            continue;
        if (t0 == 0.0)
            t0 = mg_wall_seconds(); /* the clock is read only by a thread that waits */
        unsigned spins = 0;
        while (atomic_load_explicit(&b->seq, memory_order_acquire) < want)
            spin_poll(&spins);
    }
    if (t0 != 0.0)
        net->lb_wait[(size_t)t * (MG_CACHE_LINE / sizeof(double))] += mg_wall_seconds() - t0;
}

/* Load balance, every MG_LB_STEPS steps, by thread 0 while the others wait: each thread's share
 * of the neurons moves towards equal busy time (window wall time less the time it waited),
 * halfway and by at most MG_LB_MAX_MOVE at a time so that a window in which the system
 * preempted a thread does little harm. Threads differ in speed even on idle machines (a virtual
 * CPU shares its core with another guest; thread 0 also does the bookkeeping). Results do not
 * depend on the partition. */
#define MG_LB_STEPS    2000
#define MG_LB_MAX_MOVE 0.02
#define MG_LB_MIN_MOVE 0.005 /* smaller corrections are noise: the partition stays */
static void rebalance(mg_net *net, int T, double window_s) {
    const size_t stride = MG_CACHE_LINE / sizeof(double);
    double speed[64], sum = 0.0;
    if (T > 64 || !(window_s > 0.0))
        return;
    int ok = 1;
    for (int t = 0; t < T; t++) {
        double busy = window_s - net->lb_wait[(size_t)t * stride];
        double share = net->cum[t + 1] - net->cum[t];
        net->lb_wait[(size_t)t * stride] = 0.0;
        ok &= busy > 0.05 * window_s; /* else it barely ran (preempted): keep the partition */
        speed[t] = (share > 1e-3 ? share : 1e-3) / (busy > 0.0 ? busy : 1.0);
        sum += speed[t];
    }
    if (!ok)
        return;
    double c = 0.0, cum[65];
    int change = 0;
    for (int t = 0; t < T - 1; t++) {
        double share = net->cum[t + 1] - net->cum[t];
        double want = 0.5 * share + 0.5 * speed[t] / sum;
        if (want > share + MG_LB_MAX_MOVE)
            want = share + MG_LB_MAX_MOVE;
        if (want < share - MG_LB_MAX_MOVE)
            want = share - MG_LB_MAX_MOVE;
        change |= fabs(want - share) >= MG_LB_MIN_MOVE;
        c += want;
        cum[t + 1] = c < 1.0 ? c : 1.0;
    }
    if (!change)
        return;
    for (int t = 1; t < T; t++)
        net->cum[t] = cum[t];
    mg_net_partition(net);
#if defined(MGSIM_THREAD_TIMERS)
    fprintf(stderr, "rebalance: window %.3f ms, share of thread 0 %.3f, first bound %u\n",
            window_s * 1e3, net->cum[1], net->bound[1]);
#endif
}

typedef struct {
    mg_status status;
    int io_failed;  /* a callback failed: no more callbacks */
    int stop;       /* set by the master: stop after the next step */
    int64_t k_stop; /* the step after which the run ends */
} loop_state;

/* A stop after step k_stop (the last step at most), unless one is already set. */
static void request_stop(loop_state *ls, int64_t k_stop, int64_t k_end) {
    if (ls->status != MG_OK && !ls->stop) {
        ls->stop = 1;
        ls->k_stop = k_stop < k_end ? k_stop : k_end - 1;
    }
}

/* Bookkeeping of step k, the callbacks' part (master only): the threads' lists merged for
 * on_spikes, weight and state records. It reads step k's mailboxes and state samples, which
 * stay valid until the others fill the boxes of step k + 3. An error sets ls->status (and
 * io_failed); the caller requests the stop. */
static void bookkeeping_out(mg_net *net, int T, int64_t k, const mg_net_callbacks *cb,
                            loop_state *ls) {
    const int par = mg_spk_slot(k);
    double t_ms = (double)k * net->dt_ms;
    int emit = !ls->io_failed; /* every simulated step is reported, the last one too */
    if (!emit || !cb)
        return;
    for (size_t q = 0; q < net->n_pops && cb->on_spikes && emit; q++) {
        mg_pop *p = &net->pops[q];
        if (!p->record_spikes)
            continue;
        size_t n = mg_spk_merge(net, T, par, q, p->spk);
        p->n_spk = n;
        if (n && cb->on_spikes(cb->user, (uint32_t)q, t_ms, p->spk, n)) {
            ls->status =
                mg_error_raise(net->ctx, MG_ERR_IO, "writing the spikes of %s at t = %g ms failed",
                               p->spec.name, t_ms);
            emit = 0;
            ls->io_failed = 1; /* no further callbacks, as after a failed weight or state write */
        }
    }
    int64_t k1 = k + 1;
    if (emit && cb->on_weights && net->n_wrecs && mg_netplast_record(net, k1, cb, 1)) {
        ls->status = mg_error_raise(net->ctx, MG_ERR_IO, "writing the weights at t = %g ms failed",
                                    (double)k1 * net->dt_ms);
        emit = 0;
        ls->io_failed = 1;
    }
    if (emit && cb->on_state) {
        for (size_t q = 0; q < net->n_srecs && emit; q++) {
            mg_srec *r = &net->srecs[q];
            if (k1 % r->interval_steps)
                continue;
            if (cb->on_state(cb->user, q, (double)k1 * net->dt_ms, r->buf[par],
                             r->n_vars * r->spec.n_ids)) {
                ls->status = mg_error_raise(net->ctx, MG_ERR_IO, "writing state record %s failed",
                                            r->spec.name);
                emit = 0;
                ls->io_failed = 1;
            }
        }
    }
}

/* Bookkeeping of step k, the engine's part (master only): spike counts, the runaway checker,
 * progress. A runaway or a request to stop ends the run after step k + 1 (the step in flight;
 * a failed callback of step k, after step k + 2, with any thread count). */
static void bookkeeping_count(mg_net *net, int T, int64_t k, int64_t k_end, double total_ms,
                              const mg_net_callbacks *cb, loop_state *ls, int64_t *next_progress,
                              int64_t progress_every) {
    const int par = mg_spk_slot(k);
    for (size_t q = 0; q < net->n_pops; q++) {
        mg_pop *p = &net->pops[q];
        size_t n = 0;
        for (int t = 0; t < T; t++)
            n += mg_spk_box_at(net, t, par)->n[q];
        p->spikes += n;
        p->window_spikes += n;
    }
    int64_t k1 = k + 1;
    if (ls->status == MG_OK && net->runaway_rate_hz > 0.0 &&
        k1 - net->window_start >= net->runaway_window_steps) {
        double win_s = (double)(k1 - net->window_start) * net->dt_ms * 1e-3;
        for (size_t q = 0; q < net->n_pops && ls->status == MG_OK; q++) {
            mg_pop *p = &net->pops[q];
            double rate = (double)p->window_spikes / (double)p->n / win_s;
            if (!p->is_source && rate > net->runaway_rate_hz)
                ls->status = mg_error_raise(
                    net->ctx, MG_ERR_RUNAWAY,
                    "runaway activity: population %s fired at %.1f Hz between t = %.1f and %.1f "
                    "ms, above the ceiling of %g Hz (runaway.max_rate_hz; runaway.window_ms = %g)",
                    p->spec.name, rate, (double)net->window_start * net->dt_ms,
                    (double)k1 * net->dt_ms, net->runaway_rate_hz,
                    (double)net->runaway_window_steps * net->dt_ms);
        }
        for (size_t q = 0; q < net->n_pops; q++)
            net->pops[q].window_spikes = 0;
        net->window_start = k1;
    }
    if (ls->status == MG_OK && cb && cb->on_progress && (k1 >= *next_progress || k1 == k_end)) {
        *next_progress = k1 + progress_every;
        if (cb->on_progress(cb->user, (double)k1 * net->dt_ms, total_ms))
            ls->status = mg_error_raise(net->ctx, MG_ERR_INTERRUPTED, "interrupted at t = %g ms",
                                        (double)k1 * net->dt_ms);
    }
    request_stop(ls, k1, k_end); /* finish the step in flight, then stop */
}

/* Phase B, master only, after its delivery: all of step k's bookkeeping. Sets ls->stop on an
 * error or request. */
static void bookkeeping(mg_net *net, int T, int64_t k, int64_t k_end, double total_ms,
                        const mg_net_callbacks *cb, loop_state *ls, int64_t *next_progress,
                        int64_t progress_every) {
    bookkeeping_out(net, T, k, cb, ls);
    request_stop(ls, k + 2, k_end); /* a failed callback: as when the callbacks lag a step */
    bookkeeping_count(net, T, k, k_end, total_ms, cb, ls, next_progress, progress_every);
}

mg_status mg_net_run(mg_net *net, double duration_ms, const mg_net_callbacks *cb) {
    if (!net)
        return MG_ERR_USAGE;
    if (!(duration_ms >= 0.0) || !isfinite(duration_ms))
        return mg_error_raise(net->ctx, MG_ERR_DATA, "run duration must be >= 0 ms, got %g",
                              duration_ms);
    int64_t nsteps = (int64_t)nearbyint(duration_ms / net->dt_ms);
    int64_t k0 = net->step, k_end = net->step + nsteps;
    double total_ms = (double)k_end * net->dt_ms;
    int T = net->threads;
    /* the first state sample, at the start of the first run */
    if (k0 == 0 && !net->t0_sampled && cb && cb->on_state) {
        net->t0_sampled = 1;
        double mg = mg_net_mg_at_step(net, 0);
        for (size_t q = 0; q < net->n_srecs; q++) {
            sample_state(net, &net->srecs[q], 0, 1, mg, net->srecs[q].buf[1]);
            cb->on_state(cb->user, q, 0.0, net->srecs[q].buf[1],
                         net->srecs[q].n_vars * net->srecs[q].spec.n_ids);
        }
    }
    if (k0 == 0 && !net->t0_weights && cb && cb->on_weights && net->n_wrecs) {
        net->t0_weights = 1;
        if (mg_netplast_record(net, 0, cb, 0))
            return mg_error_raise(net->ctx, MG_ERR_IO, "writing the weights at t = 0 failed");
    }
    /* progress every 1 % of the run, and at least every 2000 steps so that a request to
     * stop (Ctrl-C) is answered promptly on long runs */
    int64_t progress_every = nsteps / 100 > 0 ? nsteps / 100 : 1;
    if (progress_every > 2000)
        progress_every = 2000;
    int64_t next_progress = k0 + progress_every;
    loop_state ls = {MG_OK, 0, 0, -1};
    double t0 = mg_wall_seconds();
    int64_t k_done = k0;
    const int exact = net->nmda.saturating && net->nmda.exact;
    if (T == 1) {
        MG_TT_DECL;
        for (int64_t k = k0; k < k_end; k++) {
            MG_TT(3);
            phase_a(net, 0, 1, k);
            MG_TT(0);
            if (exact) {
                nmda_exact(net, k);
                /* the NMDA conductance of the next step is known only now: sample again */
                for (size_t q = 0; q < net->n_srecs; q++)
                    if ((k + 1) % net->srecs[q].interval_steps == 0)
                        sample_state(net, &net->srecs[q], 0, 1, mg_net_mg_at_step(net, k),
                                     net->srecs[q].buf[mg_spk_slot(k)]);
            }
            deliver(net, 0, 1, k, 0, 1);
            MG_TT(2);
            if (net->plastic)
                mg_netplast_traces(net, k);
            bookkeeping(net, 1, k, k_end, total_ms, cb, &ls, &next_progress, progress_every);
            MG_TT(4);
            k_done = k + 1;
            if (ls.stop && k >= ls.k_stop)
                break;
        }
        MG_TT_PRINT(0);
    } else {
        /* No barrier per step: each thread publishes its spikes of step k in its mailbox
         * (phase A), then delivers every thread's list into its own targets, in thread order,
         * each as soon as its thread has published it (phase B; thread 0 delivers its own
         * before it waits); the master then counts step k's spikes (runaway, progress) while
         * the others already update step k + 1. In static networks the master makes the
         * callbacks of step k (merging the lists) only in step k + 1, after it has published
         * that step and delivered its own spikes, where it would otherwise wait for the
         * others. A thread rewrites its box of step k in step k + 3, after every other thread
         * has published step k + 2, which each does only after it has read step k (and the
         * master after its callbacks of step k). A stop requested in step k's counting travels
         * in the master's mailbox of step k + 1, which every thread reads, and all stop after
         * that step; one raised by a failed callback of step k, in the box of step k + 2. The
         * loop's inputs are copied to private variables: the master writes the shared ones
         * (ls, k_done) every step and the others must not read their cache line. */
        const int plastic = net->plastic;
        mg_net_views_sync(net, 1); /* the threads' own copies of their neurons' state */
#pragma omp parallel num_threads(T) shared(ls, k_done, next_progress)
        {
            const int t = omp_get_thread_num();
            const int nt = omp_get_num_threads();
            const int64_t kb = k0, ke = k_end;
            int sense = atomic_load_explicit(&net->bar_sense, memory_order_relaxed);
            MG_TT_DECL;
            double lb_t0 = mg_wall_seconds();
            /* the master's callbacks lag one step (see above): static networks, all threads */
            const int lag = nt == T && !plastic;
            for (int64_t k = kb; k < ke; k++) {
                const int par = mg_spk_slot(k);
                int stop_here;
                if (nt == T && k > kb && (k - kb) % MG_LB_STEPS == 0) {
                    /* every thread has delivered step k - 1 and the master has done its
                     * bookkeeping: repartition while nobody is inside a step */
                    step_barrier(net, T, &sense);
                    if (t == 0) {
                        double now = mg_wall_seconds();
                        mg_net_views_sync(net, 0); /* neurons may change hands */
                        rebalance(net, T, now - lb_t0);
                        mg_net_views_sync(net, 1);
                        lb_t0 = now;
                    }
                    step_barrier(net, T, &sense);
                }
                if (nt == T) {
                    MG_TT(3);
                    phase_a(net, t, T, k);
                    mg_spk_box *mine = mg_spk_box_at(net, t, par);
                    if (t == 0)
                        mine->stop = ls.stop ? (long long)ls.k_stop : -1;
                    atomic_store_explicit(&mine->seq, (long long)k + 1, memory_order_release);
                    MG_TT(0);
                    if (plastic) {
                        wait_published(net, t, 0, T, par, (long long)k + 1);
                        MG_TT(1);
                        deliver(net, t, T, k, 0, T);
                        MG_TT(2);
                    } else {
                        /* each thread's list as soon as it is published, in thread order:
                         * thread 0 delivers its own spikes before it waits */
                        for (int u = 0; u < T; u++) {
                            wait_published(net, t, u, u + 1, par, (long long)k + 1);
                            MG_TT(1);
                            deliver(net, t, T, k, u, u + 1);
                            MG_TT(2);
                            if (u == 0 && t == 0 && k > kb) {
                                /* the callbacks of step k - 1; a failure stops the run after
                                 * step k + 1, the first whose box can still carry it */
                                bookkeeping_out(net, T, k - 1, cb, &ls);
                                request_stop(&ls, k + 1, ke);
                                MG_TT(4);
                            }
                        }
                    }
                    long long ks = mg_spk_box_at(net, 0, par)->stop;
                    stop_here = ks >= 0 && k >= ks;
                    /* plastic: the traces jump once every thread has read them */
                    if (plastic)
                        step_barrier(net, T, &sense);
                } else {
                    /* ls is written only in the master's bookkeeping, between the barriers */
                    stop_here = ls.stop && k >= ls.k_stop;
#pragma omp master
                    for (int tt = 0; tt < T; tt++)
                        phase_a(net, tt, T, k);
#pragma omp barrier
#pragma omp master
                    for (int tt = 0; tt < T; tt++)
                        deliver(net, tt, T, k, 0, T);
                }
#pragma omp master
                {
                    if (plastic)
                        mg_netplast_traces(net, k);
                    if (lag)
                        bookkeeping_count(net, T, k, ke, total_ms, cb, &ls, &next_progress,
                                          progress_every);
                    else
                        bookkeeping(net, T, k, ke, total_ms, cb, &ls, &next_progress,
                                    progress_every);
                    k_done = k + 1;
                    MG_TT(4);
                }
                if (nt != T) {
#pragma omp barrier
                }
                if (stop_here)
                    break;
            }
#pragma omp master
            if (lag && k_done > kb) /* the callbacks of the last step */
                bookkeeping_out(net, T, k_done - 1, cb, &ls);
            MG_TT_PRINT(t);
        }
    }
    if (T > 1)
        mg_net_views_sync(net, 0);
    net->step = k_done;
    net->mg_mM = mg_net_mg_at_step(net, k_done);
    net->stats.steps = (uint64_t)net->step;
    net->stats.loop_wall_s += mg_wall_seconds() - t0;
    return ls.status;
}

static void sample_state(const mg_net *net, const mg_srec *r, int t, int T, double mg,
                         double *buf) {
    const mg_pop *p = mg_net_pop_view(net, t, r->spec.pop);
    uint32_t lo, hi;
    mg_net_thread_range(net, r->spec.pop, t, T, &lo, &hi);
    double kmg = mg / net->nmda.mg_scale_mM;
    for (size_t q = 0; q < r->spec.n_ids; q++) {
        uint32_t i = r->ids[q];
        if (i < lo || i >= hi)
            continue;
        size_t o = q * r->n_vars;
        for (int b = 0; b < MG_VAR_COUNT; b++) {
            if (!((r->spec.vars >> b) & 1u))
                continue;
            double x = 0.0;
            unsigned flag = 1u << b;
            if (flag == MG_VAR_V)
                x = (double)p->v[i];
            else if (flag == MG_VAR_W)
                x = p->w ? (double)p->w[i] : 0.0;
            else if (flag == MG_VAR_NMDA_BLOCK)
                x = 1.0 / (1.0 + kmg * exp(-net->nmda.gamma_per_mV * (double)p->v[i]));
            else {
                int rr = b - 1; /* G_AMPA is bit 1 */
                if (rr == MG_RECEPTOR_NMDA && p->g_exact)
                    x = (double)p->g_exact[i];
                else if (p->a[rr])
                    x = p->norm[rr] *
                        ((double)p->a[rr][i] - (p->b[rr] ? (double)p->b[rr][i] : 0.0));
            }
            buf[o++] = x;
        }
    }
}

mg_status mg_net_set_mg(mg_net *net, double mg_mM) {
    if (!net)
        return MG_ERR_USAGE;
    if (!(mg_mM >= 0.0) || !isfinite(mg_mM))
        return mg_error_raise(net->ctx, MG_ERR_DATA, "[Mg]o must be >= 0 mM, got %g", mg_mM);
    net->mg_mM = mg_mM;
    net->mg_base = mg_mM;
    net->mg_base_step = net->step;
    return MG_OK;
}

double mg_net_mg(const mg_net *net) {
    return net ? net->mg_mM : NAN;
}

double mg_net_time_ms(const mg_net *net) {
    return net ? (double)net->step * net->dt_ms : NAN;
}

mg_net_stats mg_net_get_stats(const mg_net *net) {
    mg_net_stats s;
    memset(&s, 0, sizeof s);
    if (net)
        s = net->stats;
    return s;
}

uint64_t mg_net_pop_spikes(const mg_net *net, uint32_t pop) {
    return (net && pop < net->n_pops) ? net->pops[pop].spikes : 0;
}

uint32_t mg_net_pop_size(const mg_net *net, uint32_t pop) {
    return (net && pop < net->n_pops) ? net->pops[pop].n : 0;
}

uint64_t mg_net_proj_synapses(const mg_net *net, uint32_t proj) {
    return (net && proj < net->n_projs) ? net->projs[proj].nsyn : 0;
}

uint64_t mg_net_proj_get(const mg_net *net, uint32_t proj, uint32_t *pre, uint32_t *post,
                         double *weight_nS, double *delay_ms, uint64_t cap) {
    if (!net || proj >= net->n_projs)
        return 0;
    const mg_proj *pj = &net->projs[proj];
    uint64_t o = 0;
    for (uint32_t j = 0; j < pj->n_pre; j++)
        for (uint64_t x = pj->row[j]; x < pj->row[j + 1]; x++, o++) {
            if (o >= cap)
                continue;
            if (pre)
                pre[o] = j;
            if (post)
                post[o] = pj->tgt[x];
            if (weight_nS && pj->sh_w) {
                weight_nS[o] = pj->sh_w[x] * pj->w_span;
            } else if (weight_nS && pj->rho) {
                double c = (double)pj->rho[x];
                c = c < 0.0 ? 0.0 : (c > 1.0 ? 1.0 : c);
                weight_nS[o] = pj->w_lo + c * pj->w_span;
            } else if (weight_nS)
                weight_nS[o] = pj->w ? (double)pj->w[x] : pj->w_const;
            if (delay_ms)
                delay_ms[o] = (double)(pj->d ? pj->d[x] : pj->d_const) * net->dt_ms;
        }
    return pj->nsyn;
}

double mg_net_get_v(const mg_net *net, uint32_t pop, uint32_t i) {
    if (!net || pop >= net->n_pops || i >= net->pops[pop].n || !net->pops[pop].v)
        return NAN;
    return (double)net->pops[pop].v[i];
}
