/* Network construction: validation, connectivity, initial state, buffers. */
#include "neuro/net_internal.h"

#include "base/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DELAY_MAX_STEPS 65535u

double mg_net_draw_dist(const mg_dist *d, uint64_t seed, uint32_t purpose, uint32_t entity,
                        uint64_t index) {
    double x;
    switch (d->kind) {
        case MG_DIST_NORMAL:
            x = d->a + d->b * mg_rng_normal(seed, purpose, entity, index);
            break;
        case MG_DIST_UNIFORM:
            x = d->a + (d->b - d->a) * (1.0 - mg_rng_uniform(seed, purpose, entity, index));
            break;
        case MG_DIST_LOGNORMAL:
            x = exp(d->a + d->b * mg_rng_normal(seed, purpose, entity, index));
            break;
        case MG_DIST_CONST:
        default:
            x = d->a;
            break;
    }
    if (x < d->lo)
        x = d->lo;
    if (x > d->hi)
        x = d->hi;
    return x;
}

static mg_status check_dist(mg_context *ctx, const mg_dist *d, const char *what) {
    int bad = !isfinite(d->a) || ((d->kind != MG_DIST_CONST) && !isfinite(d->b));
    if (d->kind == MG_DIST_NORMAL || d->kind == MG_DIST_LOGNORMAL)
        bad = bad || d->b < 0.0;
    if (d->kind == MG_DIST_UNIFORM)
        bad = bad || d->b < d->a;
    if (bad || isnan(d->lo) || isnan(d->hi) || d->lo > d->hi)
        return mg_error_raise(
            ctx, MG_ERR_DATA,
            "%s: invalid distribution (kind %d, parameters %g, %g, clip [%g, %g])", what,
            (int)d->kind, d->a, d->b, d->lo, d->hi);
    return MG_OK;
}

static mg_status validate(mg_context *ctx, const mg_net_spec *s) {
    if (!(s->dt_ms > 0.0) || !isfinite(s->dt_ms))
        return mg_error_raise(ctx, MG_ERR_DATA, "run.dt_ms must be > 0 ms, got %g", s->dt_ms);
    if (!(s->duration_ms >= 0.0) || !isfinite(s->duration_ms))
        return mg_error_raise(ctx, MG_ERR_DATA, "run.duration_ms must be >= 0 ms, got %g",
                              s->duration_ms);
    if (s->duration_ms / s->dt_ms > 9.0e15)
        return mg_error_raise(ctx, MG_ERR_DATA, "run: %g steps are too many",
                              s->duration_ms / s->dt_ms);
    if (!(s->mg_mM >= 0.0) || !isfinite(s->mg_mM))
        return mg_error_raise(ctx, MG_ERR_DATA, "extracellular.mg_mM must be >= 0 mM, got %g",
                              s->mg_mM);
    if (!(s->nmda.mg_scale_mM > 0.0))
        return mg_error_raise(ctx, MG_ERR_DATA, "nmda.mg_scale_mM must be > 0 mM, got %g",
                              s->nmda.mg_scale_mM);
    if (!isfinite(s->nmda.gamma_per_mV) || !(s->nmda.alpha_per_ms >= 0.0))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "nmda: gamma_per_mV must be finite and alpha_per_ms >= 0");
    for (size_t k = 0; k < s->n_mg_schedule; k++) {
        if (!(s->mg_schedule[k].mg_mM >= 0.0) || !isfinite(s->mg_schedule[k].t_ms) ||
            (k > 0 && s->mg_schedule[k].t_ms < s->mg_schedule[k - 1].t_ms))
            return mg_error_raise(
                ctx, MG_ERR_DATA,
                "extracellular.schedule[%zu]: times must increase and mg_mM be >= 0", k);
    }
    if (s->n_pops == 0 || !s->pops)
        return mg_error_raise(ctx, MG_ERR_CONFIG, "the network has no populations");
    for (size_t i = 0; i < s->n_pops; i++) {
        const mg_pop_spec *p = &s->pops[i];
        if (p->n == 0)
            return mg_error_raise(ctx, MG_ERR_DATA, "populations.%s.n must be >= 1", p->name);
        if (p->kind == MG_NEURON_LIF || p->kind == MG_NEURON_ADEX) {
            if (!(p->C_pF > 0.0))
                return mg_error_raise(ctx, MG_ERR_DATA,
                                      "populations.%s.C_pF: capacitance must be > 0 pF, got %g",
                                      p->name, p->C_pF);
            if (!(p->gL_nS > 0.0))
                return mg_error_raise(
                    ctx, MG_ERR_DATA,
                    "populations.%s.gL_nS: leak conductance must be > 0 nS, got %g", p->name,
                    p->gL_nS);
            if (!(p->tref_ms >= 0.0))
                return mg_error_raise(ctx, MG_ERR_DATA,
                                      "populations.%s.tref_ms must be >= 0 ms, got %g", p->name,
                                      p->tref_ms);
            if (p->kind == MG_NEURON_ADEX && (!(p->DeltaT_mV > 0.0) || !(p->tau_w_ms > 0.0)))
                return mg_error_raise(ctx, MG_ERR_DATA,
                                      "populations.%s: AdEx needs DeltaT_mV > 0 and tau_w_ms > 0",
                                      p->name);
            for (int r = 0; r < MG_RECEPTOR_COUNT; r++) {
                const mg_receptor_params *rp = &p->receptor[r];
                if (!(rp->tau_decay_ms > 0.0) || !(rp->tau_rise_ms >= 0.0) ||
                    (rp->tau_rise_ms > 0.0 && fabs(rp->tau_rise_ms - rp->tau_decay_ms) < 1e-9))
                    return mg_error_raise(
                        ctx, MG_ERR_DATA,
                        "populations.%s.receptors.%s: need tau_decay_ms > 0, tau_rise_ms >= 0 and "
                        "tau_rise_ms != tau_decay_ms (got %g, %g)",
                        p->name, mg_net_receptor_name((mg_receptor)r), rp->tau_decay_ms,
                        rp->tau_rise_ms);
            }
            mg_status st = check_dist(ctx, &p->v_init_mV, p->name);
            if (st)
                return st;
        }
        if (p->kind == MG_NEURON_POISSON_SOURCE && !(p->rate_hz >= 0.0 && isfinite(p->rate_hz)))
            return mg_error_raise(ctx, MG_ERR_DATA,
                                  "populations.%s.rate_hz must be >= 0 Hz, got %g", p->name,
                                  p->rate_hz);
        if (p->kind == MG_NEURON_SPIKE_SOURCE) {
            for (size_t k = 0; k < p->n_times; k++) {
                if (!isfinite(p->times_ms[k]) || p->times_ms[k] < 0.0)
                    return mg_error_raise(ctx, MG_ERR_DATA,
                                          "populations.%s.spike_times_ms[%zu] must be >= 0 ms",
                                          p->name, k);
                if (p->ids && p->ids[k] >= p->n)
                    return mg_error_raise(ctx, MG_ERR_DATA,
                                          "populations.%s.spike_ids[%zu] = %u is not below n = %u",
                                          p->name, k, p->ids[k], p->n);
            }
        }
    }
    for (size_t k = 0; k < s->n_projs; k++) {
        const mg_proj_spec *p = &s->projs[k];
        if (p->pre >= s->n_pops || p->post >= s->n_pops)
            return mg_error_raise(ctx, MG_ERR_CONFIG, "projections.%s: unknown population",
                                  p->name);
        const mg_pop_spec *post = &s->pops[p->post];
        if (post->kind != MG_NEURON_LIF && post->kind != MG_NEURON_ADEX)
            return mg_error_raise(ctx, MG_ERR_CONFIG,
                                  "projections.%s: target population %s is a source and has no "
                                  "receptors",
                                  p->name, post->name);
        if ((int)p->receptor < 0 || p->receptor >= MG_RECEPTOR_COUNT)
            return mg_error_raise(ctx, MG_ERR_CONFIG, "projections.%s: unknown receptor", p->name);
        if (p->conn == MG_CONN_FIXED_PROB && !(p->p >= 0.0 && p->p <= 1.0))
            return mg_error_raise(ctx, MG_ERR_DATA,
                                  "projections.%s.p: probability must be in [0, 1], got %g",
                                  p->name, p->p);
        uint32_t npre = s->pops[p->pre].n;
        if (p->conn == MG_CONN_FIXED_INDEGREE &&
            p->indegree > npre - ((p->pre == p->post && !p->allow_autapses) ? 1u : 0u))
            return mg_error_raise(ctx, MG_ERR_DATA,
                                  "projections.%s.indegree: %u exceeds the %u available sources",
                                  p->name, p->indegree, npre);
        if (p->conn == MG_CONN_SAME_AS &&
            (p->share_proj >= k || s->projs[p->share_proj].pre != p->pre ||
             s->projs[p->share_proj].post != p->post))
            return mg_error_raise(ctx, MG_ERR_CONFIG,
                                  "projections.%s: can share the synapses only of an earlier "
                                  "projection between the same populations",
                                  p->name);
        if (p->receptor == MG_RECEPTOR_NMDA && s->nmda.saturating &&
            !(post->receptor[MG_RECEPTOR_NMDA].tau_rise_ms > 0.0))
            return mg_error_raise(ctx, MG_ERR_DATA,
                                  "projections.%s: saturating NMDA needs "
                                  "populations.%s.receptors.nmda.tau_rise_ms > 0 (the gating "
                                  "x decays with it), got %g",
                                  p->name, post->name,
                                  post->receptor[MG_RECEPTOR_NMDA].tau_rise_ms);
        mg_status st = check_dist(ctx, &p->weight_nS, p->name);
        if (!st)
            st = check_dist(ctx, &p->delay_ms, p->name);
        if (!st && p->plast.rule != MG_NET_PLAST_NONE)
            st = check_dist(ctx, &p->plast.rho_init, p->name);
        if (st)
            return st;
        if (p->conn == MG_CONN_EDGE_LIST) {
            for (size_t e = 0; e < p->n_edges; e++) {
                if (p->edge_pre[e] >= npre || p->edge_post[e] >= post->n)
                    return mg_error_raise(ctx, MG_ERR_DATA,
                                          "projections.%s: edge %zu (%u -> %u) is outside the "
                                          "populations (%u, %u neurons)",
                                          p->name, e, p->edge_pre[e], p->edge_post[e], npre,
                                          post->n);
            }
        }
    }
    for (size_t k = 0; k < s->n_inputs; k++) {
        const mg_input_spec *in = &s->inputs[k];
        if (in->pop >= s->n_pops)
            return mg_error_raise(ctx, MG_ERR_CONFIG, "inputs.%s: unknown population", in->name);
        const mg_pop_spec *p = &s->pops[in->pop];
        if (p->kind != MG_NEURON_LIF && p->kind != MG_NEURON_ADEX)
            return mg_error_raise(ctx, MG_ERR_CONFIG, "inputs.%s: target %s is a source", in->name,
                                  p->name);
        if ((uint64_t)in->first + in->count > p->n || in->first >= p->n)
            return mg_error_raise(
                ctx, MG_ERR_DATA, "inputs.%s: neurons %u..%u are outside %s (n = %u)", in->name,
                in->first, in->first + (in->count ? in->count : p->n) - 1, p->name, p->n);
        if (in->kind == MG_INPUT_POISSON &&
            (!(in->rate_hz >= 0.0) || !isfinite(in->rate_hz) || !isfinite(in->weight_nS)))
            return mg_error_raise(ctx, MG_ERR_DATA, "inputs.%s: rate_hz must be >= 0, got %g",
                                  in->name, in->rate_hz);
        if (!(in->stop_ms >= in->start_ms))
            return mg_error_raise(ctx, MG_ERR_DATA,
                                  "inputs.%s: stop_ms (%g) is before start_ms (%g)", in->name,
                                  in->stop_ms, in->start_ms);
    }
    for (size_t k = 0; k < s->n_state_recs; k++) {
        const mg_state_rec_spec *r = &s->state_recs[k];
        if (r->pop >= s->n_pops)
            return mg_error_raise(ctx, MG_ERR_CONFIG, "record.state.%s: unknown population",
                                  r->name);
        for (size_t i = 0; i < r->n_ids; i++)
            if (r->ids[i] >= s->pops[r->pop].n)
                return mg_error_raise(ctx, MG_ERR_DATA,
                                      "record.state.%s: id %u is not below n = %u", r->name,
                                      r->ids[i], s->pops[r->pop].n);
        if (!(r->interval_ms > 0.0))
            return mg_error_raise(ctx, MG_ERR_DATA, "record.state.%s.interval_ms must be > 0",
                                  r->name);
    }
    return MG_OK;
}

/* Delay in steps, or an error if not a whole number of steps >= 1. Drawn (random)
 * delays are rounded to the nearest step (at least one) instead: only a delay
 * given as a number must be a multiple of dt. */
static mg_status delay_steps(mg_context *ctx, const char *proj, double d_ms, double dt,
                             uint16_t *out, int drawn) {
    double q = d_ms / dt;
    double r = nearbyint(q);
    if (drawn && r < 1.0)
        r = 1.0;
    if (!(r >= 1.0) || (!drawn && fabs(q - r) > 1e-6 * fmax(1.0, r)) || r > DELAY_MAX_STEPS)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "projections.%s.delay_ms: %g ms is not a whole number of steps of "
                              "dt = %g ms between 1 and %u steps",
                              proj, d_ms, dt, DELAY_MAX_STEPS);
    *out = (uint16_t)r;
    return MG_OK;
}

/* Fixed probability: the targets of pre neuron j by geometric skipping with its own
 * random stream, so rows can be generated twice (count, fill) and in any order. */
static uint64_t fp_row(const mg_proj_spec *p, uint64_t seed, uint32_t entity, uint32_t j,
                       uint32_t npost, int self, uint32_t *out) {
    uint64_t n = 0;
    if (p->p <= 0.0)
        return 0;
    if (p->p >= 1.0) {
        for (uint32_t i = 0; i < npost; i++)
            if (!(self && i == j)) {
                if (out)
                    out[n] = i;
                n++;
            }
        return n;
    }
    double lq = log1p(-p->p);
    uint64_t draw = (uint64_t)j << 32;
    double pos = -1.0;
    for (;;) {
        double u = mg_rng_uniform(seed, MG_RNG_CONN, entity, draw++);
        pos += floor(log(u) / lq) + 1.0;
        if (pos >= (double)npost)
            break;
        uint32_t i = (uint32_t)pos;
        if (self && i == j)
            continue;
        if (out)
            out[n] = i;
        n++;
    }
    return n;
}

/* Saturating NMDA: gating s per presynaptic neuron, with the post receptor's kinetics. */
static mg_status init_nmda(mg_net *net, const mg_net_spec *s, mg_proj *pj) {
    if (pj->rec != MG_RECEPTOR_NMDA || !net->nmda.saturating)
        return MG_OK;
    const mg_receptor_params *rp = &s->pops[pj->post].receptor[MG_RECEPTOR_NMDA];
    pj->s_pre = calloc(pj->n_pre ? pj->n_pre : 1, sizeof *pj->s_pre);
    pj->s_step = calloc(pj->n_pre ? pj->n_pre : 1, sizeof *pj->s_step);
    if (!pj->s_pre || !pj->s_step)
        return mg_error_raise(net->ctx, MG_ERR_NOMEM, "projections.%s: out of memory",
                              pj->spec.name);
    pj->s_tau_ms = rp->tau_decay_ms;
    pj->s_rise_ms = rp->tau_rise_ms;
    pj->s_jump = 1.0 - exp(-net->nmda.alpha_per_ms * rp->tau_rise_ms);
    if (net->nmda.exact) {
        mg_pop *post = &net->pops[pj->post];
        if (pj->d)
            return mg_error_raise(net->ctx, MG_ERR_CONFIG,
                                  "projections.%s: nmda.exact needs a constant delay",
                                  pj->spec.name);
        pj->x_pre = calloc(pj->n_pre ? pj->n_pre : 1, sizeof *pj->x_pre);
        pj->xq = calloc((size_t)pj->d_const * (pj->n_pre ? pj->n_pre : 1), sizeof *pj->xq);
        pj->xq_n = calloc(pj->d_const, sizeof *pj->xq_n);
        if (!post->g_exact)
            post->g_exact = calloc(post->n, sizeof *post->g_exact);
        if (!pj->x_pre || !pj->xq || !pj->xq_n || !post->g_exact)
            return mg_error_raise(net->ctx, MG_ERR_NOMEM, "projections.%s: out of memory",
                                  pj->spec.name);
    }
    return MG_OK;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static mg_status build_projection(mg_net *net, const mg_net_spec *s, size_t k) {
    mg_context *ctx = net->ctx;
    const mg_proj_spec *ps = &s->projs[k];
    mg_proj *pj = &net->projs[k];
    pj->spec = *ps;
    pj->spec.edge_pre = pj->spec.edge_post = NULL;
    pj->spec.edge_weight_nS = pj->spec.edge_delay_ms = NULL;
    pj->pre = ps->pre;
    pj->post = ps->post;
    pj->rec = ps->receptor;
    uint32_t npre = s->pops[ps->pre].n, npost = s->pops[ps->post].n;
    pj->n_pre = npre;
    int self = (ps->pre == ps->post) && !ps->allow_autapses;
    uint32_t entity = (uint32_t)k;
    if (ps->conn == MG_CONN_SAME_AS) {
        const mg_proj *o = &net->projs[ps->share_proj];
        pj->row = o->row;
        pj->tgt = o->tgt;
        pj->d = o->d;
        pj->d_const = o->d_const;
        pj->nsyn = o->nsyn;
        pj->borrowed = 1;
        if (ps->weight_nS.kind != MG_DIST_CONST) {
            pj->w = malloc((size_t)(pj->nsyn ? pj->nsyn : 1) * sizeof *pj->w);
            if (!pj->w)
                return mg_error_raise(ctx, MG_ERR_NOMEM, "projections.%s: out of memory", ps->name);
            for (uint64_t q = 0; q < pj->nsyn; q++)
                pj->w[q] =
                    (float)mg_net_draw_dist(&ps->weight_nS, net->seed, MG_RNG_WEIGHT, entity, q);
        }
        pj->w_const = mg_net_draw_dist(&ps->weight_nS, net->seed, MG_RNG_WEIGHT, entity, 0);
        net->stats.synapse_bytes += pj->w ? 4.0 * (double)pj->nsyn : 0.0;
        return init_nmda(net, s, pj);
    }
    pj->row = calloc((size_t)npre + 1, sizeof *pj->row);
    if (!pj->row)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "projections.%s: out of memory", ps->name);

    uint32_t *src = NULL; /* for rules generated by target: source of each synapse */
    uint64_t total = 0;
    switch (ps->conn) {
        case MG_CONN_ALL_TO_ALL:
            for (uint32_t j = 0; j < npre; j++)
                pj->row[j + 1] = npost - ((self && j < npost) ? 1u : 0u);
            break;
        case MG_CONN_ONE_TO_ONE:
            for (uint32_t j = 0; j < npre; j++)
                pj->row[j + 1] = (j < npost && !self) ? 1u : 0u;
            break;
        case MG_CONN_FIXED_PROB:
            for (uint32_t j = 0; j < npre; j++)
                pj->row[j + 1] = fp_row(ps, net->seed, entity, j, npost, self, NULL);
            break;
        case MG_CONN_FIXED_INDEGREE: {
            /* Each target draws `indegree` distinct sources (Floyd's algorithm with a bitmap). */
            uint64_t nsyn = (uint64_t)ps->indegree * npost;
            src = malloc((size_t)(nsyn ? nsyn : 1) * sizeof *src);
            uint64_t *bits = calloc(((size_t)npre + 63) / 64, sizeof *bits);
            if (!src || !bits) {
                free(src);
                free(bits);
                return mg_error_raise(ctx, MG_ERR_NOMEM, "projections.%s: out of memory", ps->name);
            }
            uint32_t avail = npre; /* sources, with the excluded self moved to the end */
            for (uint32_t i = 0; i < npost; i++) {
                uint32_t *row = src + (uint64_t)i * ps->indegree;
                uint32_t m = (self && i < npre) ? avail - 1 : avail;
                uint64_t draw = (uint64_t)i << 32;
                for (uint32_t t = m - ps->indegree, c = 0; t < m; t++, c++) {
                    double u = mg_rng_uniform(net->seed, MG_RNG_CONN, entity, draw++);
                    uint32_t r = (uint32_t)((double)(t + 1) * (1.0 - u));
                    if (r > t)
                        r = t;
                    uint32_t pick = (bits[r / 64] >> (r % 64)) & 1u ? t : r;
                    bits[pick / 64] |= 1ull << (pick % 64);
                    row[c] = pick;
                }
                for (uint32_t c = 0; c < ps->indegree; c++) {
                    bits[row[c] / 64] &= ~(1ull << (row[c] % 64));
                    if (self && i < npre && row[c] >= i)
                        row[c]++; /* skip the neuron itself */
                }
                qsort(row, ps->indegree, sizeof *row, cmp_u32);
                for (uint32_t c = 0; c < ps->indegree; c++)
                    pj->row[row[c] + 1]++;
            }
            free(bits);
            break;
        }
        case MG_CONN_EDGE_LIST:
            for (size_t e = 0; e < ps->n_edges; e++)
                pj->row[ps->edge_pre[e] + 1]++;
            break;
        case MG_CONN_SAME_AS:
            break; /* handled above */
    }
    for (uint32_t j = 0; j < npre; j++)
        pj->row[j + 1] += pj->row[j];
    total = pj->row[npre];
    pj->nsyn = total;

    int w_const = ps->weight_nS.kind == MG_DIST_CONST &&
                  !(ps->conn == MG_CONN_EDGE_LIST && ps->edge_weight_nS);
    int d_const =
        ps->delay_ms.kind == MG_DIST_CONST && !(ps->conn == MG_CONN_EDGE_LIST && ps->edge_delay_ms);
    size_t alloc_n = (size_t)(total ? total : 1);
    pj->tgt = malloc(alloc_n * sizeof *pj->tgt);
    if (!w_const)
        pj->w = malloc(alloc_n * sizeof *pj->w);
    if (!d_const)
        pj->d = malloc(alloc_n * sizeof *pj->d);
    if (!pj->tgt || (!w_const && !pj->w) || (!d_const && !pj->d)) {
        free(src);
        return mg_error_raise(ctx, MG_ERR_NOMEM, "projections.%s: out of memory for %llu synapses",
                              ps->name, (unsigned long long)total);
    }
    /* fill targets */
    uint64_t *fill = NULL;
    switch (ps->conn) {
        case MG_CONN_ALL_TO_ALL:
            for (uint32_t j = 0; j < npre; j++) {
                uint64_t o = pj->row[j];
                for (uint32_t i = 0; i < npost; i++)
                    if (!(self && i == j))
                        pj->tgt[o++] = i;
            }
            break;
        case MG_CONN_ONE_TO_ONE:
            for (uint32_t j = 0; j < npre && j < npost && !self; j++)
                pj->tgt[pj->row[j]] = j;
            break;
        case MG_CONN_FIXED_PROB:
            for (uint32_t j = 0; j < npre; j++)
                fp_row(ps, net->seed, entity, j, npost, self, pj->tgt + pj->row[j]);
            break;
        case MG_CONN_FIXED_INDEGREE:
        case MG_CONN_EDGE_LIST:
            fill = malloc(((size_t)npre + 1) * sizeof *fill);
            if (!fill) {
                free(src);
                return mg_error_raise(ctx, MG_ERR_NOMEM, "projections.%s: out of memory", ps->name);
            }
            memcpy(fill, pj->row, ((size_t)npre + 1) * sizeof *fill);
            break;
        case MG_CONN_SAME_AS:
            break;
    }
    if (ps->conn == MG_CONN_FIXED_INDEGREE) {
        /* targets visited in ascending order, so every row comes out sorted */
        for (uint32_t i = 0; i < npost; i++)
            for (uint32_t c = 0; c < ps->indegree; c++)
                pj->tgt[fill[src[(uint64_t)i * ps->indegree + c]]++] = i;
    }
    free(src);
    mg_status st = MG_OK;
    if (ps->conn == MG_CONN_EDGE_LIST) {
        /* stable by target within each row: order edges by (pre, post) via a counting pass on post
         */
        uint64_t *order = malloc(alloc_n * sizeof *order);
        uint64_t *cnt = calloc((size_t)npost + 1, sizeof *cnt);
        if (!order || !cnt) {
            free(order);
            free(cnt);
            free(fill);
            return mg_error_raise(ctx, MG_ERR_NOMEM, "projections.%s: out of memory", ps->name);
        }
        for (size_t e = 0; e < ps->n_edges; e++)
            cnt[ps->edge_post[e] + 1]++;
        for (uint32_t i = 0; i < npost; i++)
            cnt[i + 1] += cnt[i];
        for (size_t e = 0; e < ps->n_edges; e++)
            order[cnt[ps->edge_post[e]]++] = e;
        for (uint64_t q = 0; q < total && st == MG_OK; q++) {
            size_t e = order[q];
            uint64_t o = fill[ps->edge_pre[e]]++;
            pj->tgt[o] = ps->edge_post[e];
            if (pj->w)
                pj->w[o] = ps->edge_weight_nS ? (float)ps->edge_weight_nS[e]
                                              : (float)mg_net_draw_dist(&ps->weight_nS, net->seed,
                                                                        MG_RNG_WEIGHT, entity, e);
            if (pj->d)
                st = delay_steps(ctx, ps->name,
                                 ps->edge_delay_ms ? ps->edge_delay_ms[e]
                                                   : mg_net_draw_dist(&ps->delay_ms, net->seed,
                                                                      MG_RNG_DELAY, entity, e),
                                 net->dt_ms, &pj->d[o], ps->edge_delay_ms == NULL);
        }
        free(order);
        free(cnt);
    }
    free(fill);
    if (st)
        return st;
    if (ps->conn != MG_CONN_EDGE_LIST) {
        if (pj->w)
            for (uint64_t q = 0; q < total; q++)
                pj->w[q] =
                    (float)mg_net_draw_dist(&ps->weight_nS, net->seed, MG_RNG_WEIGHT, entity, q);
        if (pj->d)
            for (uint64_t q = 0; q < total && st == MG_OK; q++)
                st =
                    delay_steps(ctx, ps->name,
                                mg_net_draw_dist(&ps->delay_ms, net->seed, MG_RNG_DELAY, entity, q),
                                net->dt_ms, &pj->d[q], 1);
        if (st)
            return st;
    }
    pj->w_const = mg_net_draw_dist(&ps->weight_nS, net->seed, MG_RNG_WEIGHT, entity, 0);
    pj->d_const = 1;
    if (d_const) {
        st = delay_steps(ctx, ps->name, ps->delay_ms.a, net->dt_ms, &pj->d_const, 0);
        if (st)
            return st;
    }
    uint16_t dmax = pj->d_const;
    if (pj->d) {
        dmax = 1;
        for (uint64_t q = 0; q < total; q++)
            dmax = pj->d[q] > dmax ? pj->d[q] : dmax;
    }
    if ((uint32_t)dmax + 1 > net->n_slots)
        net->n_slots = (uint32_t)dmax + 1;
    net->stats.synapses += total;
    net->stats.synapse_bytes += (double)total * (4.0 + (pj->w ? 4.0 : 0.0) + (pj->d ? 2.0 : 0.0)) +
                                (double)(npre + 1) * sizeof *pj->row;
    return init_nmda(net, s, pj);
}

/* Zeroed memory aligned to a cache line (size rounded up to whole lines). */
static void *xcalloc_line(size_t n, size_t size, int *fail) {
    size_t bytes = n * size;
    bytes = (bytes + MG_CACHE_LINE - 1) / MG_CACHE_LINE * MG_CACHE_LINE + MG_ALLOC_GAP;
    if (bytes == 0)
        bytes = MG_CACHE_LINE;
    void *p = aligned_alloc(MG_CACHE_LINE, bytes);
    if (!p)
        *fail = 1;
    else
        memset(p, 0, bytes);
    return p;
}

static void *xcalloc(size_t n, size_t size, int *fail) {
    void *p = calloc(n ? n : 1, size);
    if (!p)
        *fail = 1;
    return p;
}

static int cmp_times(const void *a, const void *b) {
    const int64_t *x = a, *y = b;
    if (x[0] != y[0])
        return (x[0] > y[0]) - (x[0] < y[0]);
    return (x[1] > y[1]) - (x[1] < y[1]);
}

static mg_status build_population(mg_net *net, const mg_net_spec *s, size_t k) {
    const mg_pop_spec *ps = &s->pops[k];
    mg_pop *p = &net->pops[k];
    int fail = 0;
    uint32_t n = ps->n;
    p->spec = *ps;
    p->spec.times_ms = NULL;
    p->spec.ids = NULL;
    p->n = n;
    p->is_source = ps->kind == MG_NEURON_SPIKE_SOURCE || ps->kind == MG_NEURON_POISSON_SOURCE;
    p->fired = xcalloc_line(n, 1, &fail);
    p->spk = xcalloc(n, sizeof *p->spk, &fail);
    p->record_spikes = s->record_spikes ? s->record_spikes[k] : 0;
    double dt = net->dt_ms;
    if (!p->is_source) {
        p->v = xcalloc_line(n, sizeof *p->v, &fail);
        p->ref = xcalloc_line(n, sizeof *p->ref, &fail);
        if (ps->kind == MG_NEURON_ADEX)
            p->w = xcalloc_line(n, sizeof *p->w, &fail);
        /* which receptors are used: a projection or input targets them, or a non-zero initial value
         */
        for (size_t q = 0; q < s->n_projs; q++)
            if (s->projs[q].post == k)
                p->used[s->projs[q].receptor] = 1;
        for (size_t q = 0; q < s->n_inputs; q++)
            if (s->inputs[q].pop == k && s->inputs[q].kind == MG_INPUT_POISSON)
                p->used[s->inputs[q].receptor] = 1;
        for (int r = 0; r < MG_RECEPTOR_COUNT; r++) {
            const mg_dist *g0 = &ps->g_init_nS[r];
            if (!(g0->kind == MG_DIST_CONST && g0->a == 0.0))
                p->used[r] = 1;
        }
        for (size_t q = 0; q < s->n_state_recs; q++)
            if (s->state_recs[q].pop == k)
                for (int r = 0; r < MG_RECEPTOR_COUNT; r++)
                    if (s->state_recs[q].vars & (MG_VAR_G_AMPA << r))
                        p->used[r] = 1;
        for (int r = 0; r < MG_RECEPTOR_COUNT; r++) {
            const mg_receptor_params *rp = &ps->receptor[r];
            p->decay_a[r] = exp(-dt / rp->tau_decay_ms);
            p->rise[r] = rp->tau_rise_ms > 0.0;
            p->norm[r] = 1.0;
            if (p->rise[r]) {
                p->decay_b[r] = exp(-dt / rp->tau_rise_ms);
                double td = rp->tau_decay_ms, tr = rp->tau_rise_ms;
                if (r == MG_RECEPTOR_NMDA && s->nmda.saturating) {
                    p->norm[r] = td / (td - tr); /* integral of the kernel = tau_decay */
                } else {
                    double tp = td * tr / (td - tr) * log(td / tr);
                    p->norm[r] = 1.0 / (exp(-tp / td) - exp(-tp / tr)); /* peak 1 */
                }
            }
            if (p->used[r]) {
                p->a[r] = xcalloc_line(n, sizeof(mg_real), &fail);
                if (p->rise[r])
                    p->b[r] = xcalloc_line(n, sizeof(mg_real), &fail);
            }
        }
        for (size_t q = 0; q < s->n_inputs; q++)
            if (s->inputs[q].pop == k && s->inputs[q].kind != MG_INPUT_POISSON && !p->i_inp)
                p->i_inp = xcalloc_line(n, sizeof(mg_real), &fail);
        double tr = nearbyint(ps->tref_ms / dt);
        p->ref_steps = (int32_t)(tr > 1e9 ? 1e9 : tr);
        if (ps->kind == MG_NEURON_ADEX)
            p->decay_w = exp(-dt / ps->tau_w_ms);
        if (fail)
            return mg_error_raise(net->ctx, MG_ERR_NOMEM, "populations.%s: out of memory",
                                  ps->name);
        uint32_t ent = (uint32_t)k * 16u;
        for (uint32_t i = 0; i < n; i++)
            p->v[i] = MG_R(mg_net_draw_dist(&ps->v_init_mV, net->seed, MG_RNG_INIT, ent, i));
        for (int r = 0; r < MG_RECEPTOR_COUNT; r++)
            if (p->a[r]) {
                /* an initial conductance g0 is placed in the decaying part (no rise) */
                for (uint32_t i = 0; i < n; i++)
                    p->a[r][i] = MG_R(mg_net_draw_dist(&ps->g_init_nS[r], net->seed, MG_RNG_INIT,
                                                       ent + 1u + (uint32_t)r, i) /
                                      p->norm[r]);
            }
        if (p->w)
            for (uint32_t i = 0; i < n; i++)
                p->w[i] =
                    MG_R(mg_net_draw_dist(&ps->w_init_pA, net->seed, MG_RNG_INIT, ent + 8u, i));
    } else if (ps->kind == MG_NEURON_POISSON_SOURCE) {
        p->src_next_ms = xcalloc_line(n, sizeof(double), &fail);
        p->src_count = xcalloc(n, sizeof(uint64_t), &fail);
        if (fail)
            return mg_error_raise(net->ctx, MG_ERR_NOMEM, "populations.%s: out of memory",
                                  ps->name);
        double rate = ps->rate_hz * 1e-3;
        for (uint32_t i = 0; i < n; i++) {
            double u = mg_rng_uniform(net->seed, MG_RNG_SOURCE, (uint32_t)k, ((uint64_t)i << 32));
            p->src_count[i] = 1;
            p->src_next_ms[i] = rate > 0.0 ? -log(u) / rate : INFINITY;
        }
    } else {
        size_t m = ps->n_times;
        int64_t *pairs = xcalloc(m * 2, sizeof(int64_t), &fail);
        p->times_step = xcalloc(m, sizeof(int64_t), &fail);
        p->times_id = xcalloc(m, sizeof(uint32_t), &fail);
        if (fail) {
            free(pairs);
            return mg_error_raise(net->ctx, MG_ERR_NOMEM, "populations.%s: out of memory",
                                  ps->name);
        }
        for (size_t q = 0; q < m; q++) {
            pairs[2 * q] = (int64_t)nearbyint(ps->times_ms[q] / dt);
            pairs[2 * q + 1] = ps->ids ? (int64_t)ps->ids[q] : (int64_t)UINT32_MAX;
        }
        qsort(pairs, m, 2 * sizeof(int64_t), cmp_times);
        for (size_t q = 0; q < m; q++) {
            p->times_step[q] = pairs[2 * q];
            p->times_id[q] = (uint32_t)pairs[2 * q + 1];
        }
        p->n_times = m;
        free(pairs);
    }
    return MG_OK;
}

static mg_status build_inputs(mg_net *net, const mg_net_spec *s) {
    for (size_t k = 0; k < s->n_inputs; k++) {
        mg_input *in = &net->inputs[k];
        in->spec = s->inputs[k];
        uint32_t n = s->pops[in->spec.pop].n;
        in->lo = in->spec.first;
        in->hi = in->spec.count ? in->spec.first + in->spec.count : n;
        if (in->spec.kind != MG_INPUT_POISSON)
            continue;
        uint32_t m = in->hi - in->lo;
        in->next_ms = calloc(m ? m : 1, sizeof *in->next_ms);
        in->count = calloc(m ? m : 1, sizeof *in->count);
        if (!in->next_ms || !in->count)
            return mg_error_raise(net->ctx, MG_ERR_NOMEM, "inputs.%s: out of memory",
                                  in->spec.name);
        /* the superposition of n_sources independent Poisson trains is one Poisson train */
        in->total_rate_per_ms = in->spec.rate_hz * 1e-3 * (double)in->spec.n_sources;
        for (uint32_t i = 0; i < m; i++) {
            in->count[i] = 1;
            double u = mg_rng_uniform(net->seed, MG_RNG_POISSON, (uint32_t)k,
                                      ((uint64_t)(in->lo + i) << 32));
            in->next_ms[i] =
                in->spec.start_ms +
                (in->total_rate_per_ms > 0.0 ? -log(u) / in->total_rate_per_ms : INFINITY);
        }
    }
    return MG_OK;
}

mg_status mg_net_create(mg_context *ctx, const mg_net_spec *spec, mg_net **out) {
    if (!spec || !out)
        return mg_error_raise(ctx, MG_ERR_USAGE, "mg_net_create: spec and out must not be NULL");
    *out = NULL;
    double t0 = mg_wall_seconds();
    mg_status st = validate(ctx, spec);
    if (st)
        return st;
    double need = mg_net_estimate_bytes(spec), limit = mg_net_memory_limit_bytes(spec);
    if (need > limit)
        return mg_error_raise(ctx, MG_ERR_TOO_BIG,
                              "the network needs about %.3g GiB, more than the %.3g GiB limit "
                              "(run.max_memory_mb)",
                              need / 1073741824.0, limit / 1073741824.0);
    mg_net *net = calloc(1, sizeof *net);
    if (!net)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    net->ctx = ctx;
    net->dt_ms = spec->dt_ms;
    net->seed = spec->seed;
    net->threads = mg_context_threads(ctx);
    net->nmda = spec->nmda;
    net->mg_mM = spec->mg_mM;
    net->runaway_rate_hz = spec->runaway_max_rate_hz;
    double ws = nearbyint(spec->runaway_window_ms / spec->dt_ms);
    net->runaway_window_steps = (int64_t)(ws < 1.0 ? 1.0 : (ws > 1e15 ? 1e15 : ws));
    net->n_slots = 2;
    net->n_pops = spec->n_pops;
    net->n_projs = spec->n_projs;
    net->n_inputs = spec->n_inputs;
    net->n_srecs = spec->n_state_recs;
    int fail = 0;
    net->pops = xcalloc_line(net->n_pops, sizeof *net->pops, &fail);
    net->projs = xcalloc(net->n_projs, sizeof *net->projs, &fail);
    net->inputs = xcalloc(net->n_inputs, sizeof *net->inputs, &fail);
    net->srecs = xcalloc(net->n_srecs, sizeof *net->srecs, &fail);
    net->sched = xcalloc(spec->n_mg_schedule, sizeof *net->sched, &fail);
    if (fail) {
        mg_net_destroy(&net);
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    }
    if (spec->n_mg_schedule)
        memcpy(net->sched, spec->mg_schedule, spec->n_mg_schedule * sizeof *net->sched);
    net->n_sched = spec->n_mg_schedule;
    for (size_t k = 0; k < net->n_pops && !st; k++)
        st = build_population(net, spec, k);
    for (size_t k = 0; k < net->n_projs && !st; k++) {
        st = build_projection(net, spec, k);
        if (!st && spec->projs[k].plast.rule != MG_NET_PLAST_NONE) {
            if (net->projs[k].w) /* a plastic weight comes from rho */
                net->stats.synapse_bytes -= 4.0 * (double)net->projs[k].nsyn;
            st = mg_netplast_build(net, spec, k);
        }
    }
    if (!st)
        st = mg_netplast_build_recorders(net, spec);
    if (!st)
        st = build_inputs(net, spec);
    for (size_t k = 0; k < net->n_pops && !st; k++) {
        mg_pop *p = &net->pops[k];
        if (p->is_source)
            continue;
        /* direct arrival when every incoming synapse has a one-step delay */
        p->direct = !(net->nmda.saturating && net->nmda.exact);
        for (size_t q = 0; q < net->n_projs; q++) {
            const mg_proj *pj = &net->projs[q];
            if (pj->post != k)
                continue;
            if (pj->d) {
                for (uint64_t x = 0; x < pj->nsyn && p->direct; x++)
                    p->direct = pj->d[x] == 1;
            } else if (pj->d_const != 1) {
                p->direct = 0;
            }
        }
        for (int r = 0; r < MG_RECEPTOR_COUNT && !p->direct; r++)
            if (p->used[r]) {
                p->ring[r] = calloc((size_t)net->n_slots * p->n, sizeof(mg_real));
                if (!p->ring[r])
                    st = mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory for ring buffers");
            }
    }
    for (size_t k = 0; k < net->n_srecs && !st && !fail; k++) {
        mg_srec *r = &net->srecs[k];
        r->spec = spec->state_recs[k];
        r->ids = xcalloc(r->spec.n_ids, sizeof *r->ids, &fail);
        if (fail)
            break;
        if (r->spec.n_ids)
            memcpy(r->ids, spec->state_recs[k].ids, r->spec.n_ids * sizeof *r->ids);
        r->spec.ids = NULL;
        unsigned vars = r->spec.vars;
        if (net->pops[r->spec.pop].is_source)
            vars = 0;
        if (!net->pops[r->spec.pop].w)
            vars &= ~(unsigned)MG_VAR_W;
        r->spec.vars = vars;
        for (int b = 0; b < MG_VAR_COUNT; b++)
            r->n_vars += (vars >> b) & 1u;
        double iv = nearbyint(r->spec.interval_ms / net->dt_ms);
        r->interval_steps = (int64_t)(iv < 1.0 ? 1.0 : iv);
        for (int b = 0; b < 3; b++)
            r->buf[b] = xcalloc(r->n_vars * r->spec.n_ids, sizeof(double), &fail);
    }
    /* the exact NMDA form sums over all synapses in one pass: it runs on one thread */
    if (net->nmda.saturating && net->nmda.exact)
        net->threads = 1;
    /* per-thread spike lists (by step modulo 3) and NMDA jumps (by parity) */
    int T = net->threads;
    size_t slots = (size_t)T * 2;
    /* the mailboxes: header, counts and room for every neuron (ranges move during a run) */
    size_t n_all = 0;
    for (size_t k = 0; k < net->n_pops; k++)
        n_all += net->pops[k].n;
    size_t box_bytes = sizeof(mg_spk_box) + (net->n_pops + n_all) * sizeof(uint32_t);
    net->box_stride = (box_bytes + MG_CACHE_LINE - 1) / MG_CACHE_LINE * MG_CACHE_LINE;
    const size_t boxes = (size_t)T * MG_SPK_SLOTS;
    net->spk_box = xcalloc_line(boxes, net->box_stride, &fail);
    for (size_t x = 0; x < boxes && !fail; x++) {
        mg_spk_box *b = mg_spk_box_at(net, (int)(x / MG_SPK_SLOTS), (int)(x % MG_SPK_SLOTS));
        atomic_init(&b->seq, -1);
        b->stop = -1;
    }
    if (T > 1)
        net->spk_own = xcalloc_line((size_t)T, net->box_stride, &fail);
    net->tscale = xcalloc(slots * (net->n_projs ? net->n_projs : 1), sizeof *net->tscale, &fail);
    net->src_cur = xcalloc((size_t)T * net->n_pops, sizeof *net->src_cur, &fail);
    for (size_t x = 0; x < slots && !fail; x++)
        for (size_t q = 0; q < net->n_projs && !fail; q++) {
            if (!net->projs[q].s_pre || net->projs[q].x_pre)
                continue;
            net->tscale[x * net->n_projs + q] =
                xcalloc_line(net->pops[net->projs[q].pre].n, sizeof(double), &fail);
        }
    /* the partition, equal shares to begin with, and where each row crosses into the next
     * thread's targets, so that delivery needs no search */
    net->bound = xcalloc(net->n_pops * ((size_t)T + 1), sizeof *net->bound, &fail);
    net->cum = xcalloc((size_t)T + 1, sizeof *net->cum, &fail);
    net->lb_wait = xcalloc_line((size_t)T * MG_CACHE_LINE / sizeof(double), sizeof(double), &fail);
    for (int t = 0; t <= T && !fail; t++)
        net->cum[t] = (double)t / (double)T;
    for (size_t q = 0; q < net->n_projs && T > 1 && !fail; q++)
        net->projs[q].split = xcalloc((size_t)net->projs[q].n_pre * (size_t)(T - 1),
                                      sizeof *net->projs[q].split, &fail);
    if (T > 1 && !fail)
        mg_net_partition(net);
    /* private state for threads 1..T-1 (mg_net_pop_view): static networks only, since the
     * plasticity code reads neurons of other threads (spike flags of presynaptic neurons) */
    if (T > 1 && !fail && !net->plastic) {
        net->views = xcalloc_line((size_t)T * net->n_pops, sizeof *net->views, &fail);
        for (int t = 1; t < T && !fail; t++)
            for (size_t q = 0; q < net->n_pops && !fail; q++) {
                const mg_pop *p = &net->pops[q];
                mg_pop *v = &net->views[(size_t)t * net->n_pops + q];
                size_t n = p->n;
                *v = *p;
                v->v = p->v ? xcalloc_line(n, sizeof *p->v, &fail) : NULL;
                v->w = p->w ? xcalloc_line(n, sizeof *p->w, &fail) : NULL;
                v->ref = p->ref ? xcalloc_line(n, sizeof *p->ref, &fail) : NULL;
                v->i_inp = p->i_inp ? xcalloc_line(n, sizeof *p->i_inp, &fail) : NULL;
                v->fired = xcalloc_line(n, 1, &fail);
                for (int r = 0; r < MG_RECEPTOR_COUNT; r++) {
                    v->a[r] = p->a[r] ? xcalloc_line(n, sizeof(mg_real), &fail) : NULL;
                    v->b[r] = p->b[r] ? xcalloc_line(n, sizeof(mg_real), &fail) : NULL;
                    v->ring[r] =
                        p->ring[r] ? xcalloc_line((size_t)net->n_slots * n, sizeof(mg_real), &fail)
                                   : NULL;
                }
            }
    }
    net->mg_base = spec->mg_mM;
    net->mg_base_step = -1;
    if (fail && !st)
        st = mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    if (st) {
        mg_net_destroy(&net);
        return st;
    }
    net->stats.build_wall_s = mg_wall_seconds() - t0;
    *out = net;
    return MG_OK;
}

int mg_net_partition(mg_net *net) {
    const int T = net->threads;
    int moved = 0;
    for (size_t q = 0; q < net->n_pops; q++) {
        uint32_t n = net->pops[q].n, *b = net->bound + q * ((size_t)T + 1);
        uint32_t prev = 0;
        for (int t = 0; t <= T; t++) {
            uint64_t x =
                (uint64_t)((double)n * net->cum[t] / MG_RANGE_ALIGN + 0.5) * MG_RANGE_ALIGN;
            if (t == 0)
                x = 0;
            if (t == T || x > n)
                x = n;
            if (x < prev)
                x = prev;
            moved |= b[t] != (uint32_t)x;
            b[t] = (uint32_t)x;
            prev = (uint32_t)x;
        }
    }
    /* each row is sorted by target: move the split points from where they were */
    for (size_t q = 0; q < net->n_projs && moved; q++) {
        mg_proj *pj = &net->projs[q];
        const uint32_t *b = net->bound + (size_t)pj->post * ((size_t)T + 1);
        for (uint32_t j = 0; j < pj->n_pre; j++) {
            const uint32_t *tg = pj->tgt + pj->row[j];
            uint32_t len = (uint32_t)(pj->row[j + 1] - pj->row[j]);
            uint32_t *sp = pj->split + (size_t)j * (size_t)(T - 1);
            for (int t = 1; t < T; t++) {
                uint32_t x = sp[t - 1], lo = b[t];
                while (x < len && tg[x] < lo)
                    x++;
                while (x > 0 && tg[x - 1] >= lo)
                    x--;
                sp[t - 1] = x;
            }
        }
    }
    return moved;
}

/* Copy neurons [lo, hi) of every state array from population s to d (same population). */
static void copy_state(mg_pop *d, const mg_pop *s, uint32_t lo, uint32_t hi, uint32_t n_slots) {
    size_t m = hi - lo;
    if (m == 0)
        return;
    if (s->v)
        memcpy(d->v + lo, s->v + lo, m * sizeof *s->v);
    if (s->w)
        memcpy(d->w + lo, s->w + lo, m * sizeof *s->w);
    if (s->ref)
        memcpy(d->ref + lo, s->ref + lo, m * sizeof *s->ref);
    if (s->i_inp)
        memcpy(d->i_inp + lo, s->i_inp + lo, m * sizeof *s->i_inp);
    memcpy(d->fired + lo, s->fired + lo, m);
    for (int r = 0; r < MG_RECEPTOR_COUNT; r++) {
        if (s->a[r])
            memcpy(d->a[r] + lo, s->a[r] + lo, m * sizeof(mg_real));
        if (s->b[r])
            memcpy(d->b[r] + lo, s->b[r] + lo, m * sizeof(mg_real));
        for (uint32_t k = 0; s->ring[r] && k < n_slots; k++)
            memcpy(d->ring[r] + (size_t)k * s->n + lo, s->ring[r] + (size_t)k * s->n + lo,
                   m * sizeof(mg_real));
    }
}

void mg_net_views_sync(mg_net *net, int to_views) {
    const int T = net->threads;
    for (int t = 1; net->views && t < T; t++)
        for (size_t q = 0; q < net->n_pops; q++) {
            uint32_t lo, hi;
            mg_pop *v = &net->views[(size_t)t * net->n_pops + q];
            mg_net_thread_range(net, q, t, T, &lo, &hi);
            if (to_views)
                copy_state(v, &net->pops[q], lo, hi, net->n_slots);
            else
                copy_state(&net->pops[q], v, lo, hi, net->n_slots);
        }
}

void mg_net_destroy(mg_net **pnet) {
    if (!pnet || !*pnet)
        return;
    mg_net *net = *pnet;
    for (size_t k = 0; net->pops && k < net->n_pops; k++) {
        mg_pop *p = &net->pops[k];
        free(p->v);
        free(p->w);
        free(p->ref);
        for (int r = 0; r < MG_RECEPTOR_COUNT; r++) {
            free(p->a[r]);
            free(p->b[r]);
            free(p->ring[r]);
        }
        free(p->i_inp);
        free(p->g_exact);
        free(p->fired);
        free(p->src_next_ms);
        free(p->src_count);
        free(p->times_step);
        free(p->times_id);
        free(p->spk);
    }
    for (size_t k = 0; net->projs && k < net->n_projs; k++) {
        mg_proj *p = &net->projs[k];
        if (!p->borrowed) {
            free(p->row);
            free(p->tgt);
            free(p->d);
        }
        free(p->w);
        free(p->split);
        mg_netplast_free(p);
        free(p->s_pre);
        free(p->s_step);
        free(p->x_pre);
        if (p->xq) {
            free(p->xq);
            free(p->xq_n);
        }
    }
    mg_netplast_free_recorders(net);
    for (size_t k = 0; net->inputs && k < net->n_inputs; k++) {
        free(net->inputs[k].next_ms);
        free(net->inputs[k].count);
    }
    for (size_t k = 0; net->srecs && k < net->n_srecs; k++) {
        free(net->srecs[k].ids);
        for (int b = 0; b < 3; b++)
            free(net->srecs[k].buf[b]);
    }
    size_t slots = (size_t)net->threads * 2;
    for (size_t x = 0; net->tscale && x < slots * net->n_projs; x++)
        free(net->tscale[x]);
    free(net->spk_box);
    free(net->spk_own);
    for (size_t x = 0; net->views && x < (size_t)net->threads * net->n_pops; x++) {
        mg_pop *v = &net->views[x];
        if (x < net->n_pops)
            continue; /* thread 0 has no view */
        free(v->v);
        free(v->w);
        free(v->ref);
        free(v->i_inp);
        free(v->fired);
        for (int r = 0; r < MG_RECEPTOR_COUNT; r++) {
            free(v->a[r]);
            free(v->b[r]);
            free(v->ring[r]);
        }
    }
    free(net->views);
    free(net->bound);
    free(net->cum);
    free(net->lb_wait);
    free(net->tscale);
    free(net->src_cur);
    free(net->pops);
    free(net->projs);
    free(net->inputs);
    free(net->srecs);
    free(net->sched);
    free(net);
    *pnet = NULL;
}
