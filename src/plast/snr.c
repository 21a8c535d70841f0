/* Signal versus noise through the NMDA-receptor Mg²⁺ block (after Slutsky et al. 2004,
 * Neuron 44:835) in one conductance-based integrate-and-fire neuron, and the slow
 * homeostatic NMDA-receptor expression that returns its mean NMDA calcium flux to a set
 * point (after Slutsky et al. 2010). docs/models/protocols.md ("snr"),
 * docs/models/homeostasis.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "mgsim/net.h"
#include "mgsim/plast.h"
#include "plast_internal.h"

void mg_snr_defaults(mg_snr_params *out) {
    mg_snr_params p = {
        20.0,    80.0, /* inputs: signal, noise (assumption) */
        5.0,     5.0,  /* Hz: shared signal events, each noise input (assumption) */
        1.0,           /* jitter ms (assumption) */
        10000.0,       /* duration ms */
        250.0,   25.0, -70.0, -50.0, -60.0, 2.0, /* neuron: NEST iaf_bw_2001 defaults (refs §4.1) */
        0.0,                                     /* E_ex mV (refs §4.1) */
        3.0,     2.0, /* AMPA: 3 nS peak per input (assumption), τ 2 ms (refs §4.1) */
        0.5,          /* NMDA: 0.5 nS per input at full gating (assumption) */
        1.0,          /* nmda_scale */
        1.0,          /* [Mg]o */
        0.1};         /* step ms */
    *out = p;
}

mg_status mg_snr_validate(mg_context *ctx, const mg_snr_params *p) {
    const struct {
        const char *key;
        double v;
        int kind; /* 0: >= 0; 1: > 0; 2: whole >= 1; 3: finite */
    } f[] = {{"n_signal", p->n_signal, 2},
             {"n_noise", p->n_noise, 2},
             {"signal_hz", p->signal_hz, 1},
             {"noise_hz", p->noise_hz, 1},
             {"jitter_ms", p->jitter_ms, 0},
             {"duration_ms", p->duration_ms, 1},
             {"c_pF", p->c_pF, 1},
             {"gl_nS", p->gl_nS, 1},
             {"el_mV", p->el_mV, 3},
             {"vth_mV", p->vth_mV, 3},
             {"vreset_mV", p->vreset_mV, 3},
             {"tref_ms", p->tref_ms, 0},
             {"e_ex_mV", p->e_ex_mV, 3},
             {"g_ampa_nS", p->g_ampa_nS, 0},
             {"tau_ampa_ms", p->tau_ampa_ms, 1},
             {"g_nmda_nS", p->g_nmda_nS, 0},
             {"nmda_scale", p->nmda_scale, 0},
             {"step_ms", p->step_ms, 1}};
    static const char *const what[] = {">= 0", "> 0", "a whole number >= 1", "finite"};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        double v = f[i].v;
        int ok = isfinite(v);
        if (f[i].kind == 0)
            ok = ok && v >= 0.0;
        else if (f[i].kind == 1)
            ok = ok && v > 0.0;
        else if (f[i].kind == 2)
            ok = ok && v >= 1.0 && v <= 100000.0 && v == floor(v);
        if (!ok)
            return mg_error_raise(ctx, MG_ERR_DATA, "snr.%s must be %s, got %g", f[i].key,
                                  what[f[i].kind], v);
    }
    if (!(isfinite(p->mg_mM) && p->mg_mM >= 0.0))
        return mg_error_raise(ctx, MG_ERR_DATA, "extracellular.mg_mM must be >= 0 mM, got %g",
                              p->mg_mM);
    if (!(p->vreset_mV < p->vth_mV && p->el_mV < p->vth_mV))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "snr.vreset_mV (%g) and snr.el_mV (%g) must be below snr.vth_mV "
                              "(%g): thresholds in the wrong order",
                              p->vreset_mV, p->el_mV, p->vth_mV);
    if (!(p->step_ms <= 1.0))
        return mg_error_raise(ctx, MG_ERR_DATA, "snr.step_ms must be <= 1 ms, got %g", p->step_ms);
    if (p->duration_ms / p->step_ms > 1e9)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "snr.duration_ms / snr.step_ms must be <= 1e9 steps, got %g",
                              p->duration_ms / p->step_ms);
    return MG_OK;
}

/* A growable list of spike times. */
typedef struct {
    double *t;
    size_t n, cap;
} train;

static int push(train *tr, double t) {
    if (tr->n == tr->cap) {
        size_t cap = tr->cap ? 2 * tr->cap : 16;
        double *v = realloc(tr->t, cap * sizeof *v);
        if (!v)
            return -1;
        tr->t = v;
        tr->cap = cap;
    }
    tr->t[tr->n++] = t;
    return 0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Exponential interval with mean 1000/rate ms from Philox (entity, counter). */
static double exp_interval(uint64_t seed, uint32_t entity, uint64_t k, double rate_hz) {
    mg_rng_block b = mg_rng_draw(seed, MG_RNG_USER + 1, entity, k);
    return -log(mg_rng_u01(b.w[0], b.w[1])) * 1000.0 / rate_hz;
}

static double normal(uint64_t seed, uint32_t entity, uint64_t k) {
    mg_rng_block b = mg_rng_draw(seed, MG_RNG_USER + 2, entity, k);
    double u1 = mg_rng_u01(b.w[0], b.w[1]), u2 = mg_rng_u01(b.w[2], b.w[3]);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Build the input spike trains: inputs 0..ns-1 signal, ns.. noise; sorted, in [0, T). */
static int build_inputs(const mg_snr_params *p, uint64_t seed, train *tr, size_t ns, size_t nn) {
    double T = p->duration_ms;
    uint64_t k = 0;
    for (double te = exp_interval(seed, 0xffffffffu, k++, p->signal_hz); te < T;
         te += exp_interval(seed, 0xffffffffu, k++, p->signal_hz))
        for (size_t i = 0; i < ns; i++) {
            double t = te + p->jitter_ms * normal(seed, (uint32_t)i, k);
            if (t >= 0.0 && t < T && push(&tr[i], t))
                return -1;
        }
    for (size_t i = 0; i < ns; i++)
        qsort(tr[i].t, tr[i].n, sizeof(double), cmp_double);
    for (size_t j = 0; j < nn; j++) {
        uint32_t e = (uint32_t)(ns + j);
        uint64_t m = 0;
        for (double t = exp_interval(seed, e, m++, p->noise_hz); t < T;
             t += exp_interval(seed, e, m++, p->noise_hz))
            if (push(&tr[ns + j], t))
                return -1;
    }
    return 0;
}

/* The experiment; with_weights = 0 skips the Ω/η integration (homeostasis probes). */
static mg_status snr_run(mg_context *ctx, const mg_snr_params *p, const mg_shouval_params *sh,
                         uint64_t seed, int with_weights, mg_snr_result *out) {
    mg_status st = mg_snr_validate(ctx, p);
    if (st == MG_OK)
        st = mg_shouval_validate(ctx, sh);
    if (st != MG_OK)
        return st;
    size_t ns = (size_t)p->n_signal, nn = (size_t)p->n_noise, n = ns + nn;
    train *tr = calloc(n, sizeof *tr);
    size_t *next = calloc(n, sizeof *next);
    double *syn = calloc(n * 6, sizeof *syn); /* gf, gs, ca, w, flux, peak */
    if (!tr || !next || !syn || build_inputs(p, seed, tr, ns, nn)) {
        st = mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
        goto done;
    }
    double *gf = syn, *gs = syn + n, *ca = syn + 2 * n, *w = syn + 3 * n, *flux = syn + 4 * n;
    double *pk = syn + 5 * n;
    for (size_t k = 0; k < n; k++)
        w[k] = sh->w0;
    const double h = p->step_ms, T = p->duration_ms;
    const double ef = exp(-h / sh->tau_f_ms), es = exp(-h / sh->tau_s_ms);
    const double ea = exp(-h / p->tau_ampa_ms), ec = exp(-h / sh->tau_ca_ms);
    const double gain = sh->tau_ca_ms * -expm1(-h / sh->tau_ca_ms);
    const double ebf = exp(-h / sh->bpap_tau_fast_ms), ebs = exp(-h / sh->bpap_tau_slow_ms);
    const double amp = p->nmda_scale * sh->p0 * sh->g_nmda; /* µM/(ms·mV) at g_k = 1 */
    double v = p->el_mV, ga = 0.0, bf = 0.0, bs = 0.0, ref_left = 0.0, n_in = 0.0, n_out = 0.0;
    long steps = (long)ceil(T / h);
    for (long m = 0; m < steps; m++) {
        double t1 = (double)(m + 1) * h;
        /* deliver the input spikes of this step at its start */
        for (size_t k = 0; k < n; k++)
            while (next[k] < tr[k].n && tr[k].t[next[k]] < t1) {
                if (sh->nmda_sum == 0.0) {
                    gf[k] = sh->i_f;
                    gs[k] = sh->i_s;
                } else {
                    gf[k] += sh->i_f;
                    gs[k] += sh->i_s;
                }
                ga += p->g_ampa_nS;
                next[k]++;
                n_in += 1.0;
            }
        double G = 0.0;
        for (size_t k = 0; k < n; k++)
            G += gf[k] + gs[k];
        double vd = v + bf + bs;
        double B = mg_net_nmda_block(vd, p->mg_mM, sh->mg_scale_mM, sh->gamma_per_mV);
        /* the membrane current sees the somatic V; the BPAP enters the block of the
         * calcium current only (a dendritic event in a one-compartment neuron) */
        double gn = p->g_nmda_nS * p->nmda_scale * G *
                    mg_net_nmda_block(v, p->mg_mM, sh->mg_scale_mM, sh->gamma_per_mV);
        /* membrane: exponential Euler with the conductances frozen over the step */
        if (ref_left > 0.0) {
            ref_left -= h;
            v = p->vreset_mV;
        } else {
            double gt = p->gl_nS + ga + gn;
            double vinf = (p->gl_nS * p->el_mV + (ga + gn) * p->e_ex_mV) / gt;
            v = vinf + (v - vinf) * exp(-h * gt / p->c_pF);
        }
        if (v >= p->vth_mV) {
            v = p->vreset_mV;
            ref_left = p->tref_ms;
            n_out += 1.0;
            bf = sh->bpap_mV * sh->bpap_fast_frac; /* arrives in the next step */
            bs = sh->bpap_mV * (1.0 - sh->bpap_fast_frac);
        }
        double drive = amp * B * (sh->v_r_mV - vd);
        if (drive < 0.0)
            drive = 0.0;
        for (size_t k = 0; k < n; k++) {
            double I = drive * (gf[k] + gs[k]);
            double c1 = ca[k] * ec + gain * I;
            flux[k] += I * h;
            if (with_weights) {
                double cm = 0.5 * (ca[k] + c1);
                double om = mg_shouval_omega(sh, cm) / sh->lambda;
                double rate = mg_shouval_eta(sh, cm) * sh->lambda * 1e-3;
                w[k] = om + (w[k] - om) * exp(-rate * h);
            }
            if (c1 > pk[k])
                pk[k] = c1;
            ca[k] = c1;
            gf[k] *= ef;
            gs[k] *= es;
        }
        ga *= ea;
        bf *= ebf;
        bs *= ebs;
    }
    double fs = 0, fn = 0, cs = 0, cn = 0, ps = 0, pn = 0;
    for (size_t k = 0; k < n; k++) {
        double ch = w[k] / sh->w0 - 1.0;
        if (k < ns) {
            fs += flux[k];
            cs += ch;
            ps += pk[k];
        } else {
            fn += flux[k];
            cn += ch;
            pn += pk[k];
        }
    }
    out->flux_signal = fs / (double)ns;
    out->flux_noise = fn / (double)nn;
    out->snr = out->flux_noise > 0.0 ? out->flux_signal / out->flux_noise : INFINITY;
    out->flux_mean = (fs + fn) / (double)n;
    out->change_signal_percent = with_weights ? 100.0 * cs / (double)ns : NAN;
    out->change_noise_percent = with_weights ? 100.0 * cn / (double)nn : NAN;
    out->ca_peak_signal = ps / (double)ns;
    out->ca_peak_noise = pn / (double)nn;
    out->out_rate_hz = n_out / (T * 1e-3);
    out->n_pre_spikes = n_in;
    out->n_post_spikes = n_out;
done:
    if (tr)
        for (size_t k = 0; k < n; k++)
            free(tr[k].t);
    free(tr);
    free(next);
    free(syn);
    return st;
}

mg_status mg_snr_run(mg_context *ctx, const mg_snr_params *p, const mg_shouval_params *sh,
                     uint64_t seed, mg_snr_result *out) {
    return snr_run(ctx, p, sh, seed, 1, out);
}

/* ---------------------------------------------------------------- homeostasis */

void mg_homeo_defaults(mg_homeo_params *out) {
    out->tau_h_hours = 24.0; /* assumption: days-scale (refs magnesium §16: reversal within
                                48 h in Slutsky 2004 cultures) */
    out->mg_ref_mM = 0.8;    /* in-vivo CSF free Mg²⁺ baseline (refs §3.6) */
    out->step_hours = 6.0;
    out->days = 7.0;
}

mg_status mg_homeo_run(mg_context *ctx, const mg_homeo_params *hp, const mg_snr_params *p,
                       const mg_shouval_params *sh, uint64_t seed, mg_homeo_result *out) {
    if (!(isfinite(hp->tau_h_hours) && hp->tau_h_hours > 0.0))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "homeostasis.tau_h_hours must be > 0 h (a time constant), got %g",
                              hp->tau_h_hours);
    if (!(isfinite(hp->mg_ref_mM) && hp->mg_ref_mM >= 0.0))
        return mg_error_raise(ctx, MG_ERR_DATA, "homeostasis.mg_ref_mM must be >= 0 mM, got %g",
                              hp->mg_ref_mM);
    if (!(isfinite(hp->step_hours) && hp->step_hours > 0.0))
        return mg_error_raise(ctx, MG_ERR_DATA, "homeostasis.step_hours must be > 0 h, got %g",
                              hp->step_hours);
    if (!(isfinite(hp->days) && hp->days >= 0.0 && hp->days * 24.0 / hp->step_hours <= 1e5))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "homeostasis.days must be >= 0 with at most 1e5 steps of "
                              "homeostasis.step_hours, got %g",
                              hp->days);
    mg_snr_params q = *p;
    q.nmda_scale = 1.0;
    q.mg_mM = hp->mg_ref_mM;
    mg_snr_result r;
    mg_status st = snr_run(ctx, &q, sh, seed, 0, &r);
    if (st != MG_OK)
        return st;
    double fstar = r.flux_mean;
    if (!(fstar > 0.0))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "homeostasis: the set-point probe has no NMDA calcium flux (inputs "
                              "or snr.g_nmda_nS are zero)");
    q = *p;
    double ls = log(q.nmda_scale > 0.0 ? q.nmda_scale : 1e-3);
    size_t steps = (size_t)ceil(hp->days * 24.0 / hp->step_hours - 1e-9);
    for (size_t k = 0; k < steps; k++) {
        q.nmda_scale = exp(ls);
        if ((st = snr_run(ctx, &q, sh, seed, 0, &r)) != MG_OK)
            return st;
        ls += hp->step_hours / hp->tau_h_hours * (1.0 - r.flux_mean / fstar);
    }
    q.nmda_scale = exp(ls);
    if ((st = snr_run(ctx, &q, sh, seed, 1, &out->probe)) != MG_OK)
        return st;
    out->scale = q.nmda_scale;
    out->set_point = fstar;
    out->flux_end = out->probe.flux_mean;
    out->steps = steps;
    return MG_OK;
}
