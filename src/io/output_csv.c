/* Result writers: spikes.csv, rates.csv and state_<recorder>.csv. */
#include "io/output_internal.h"

#include <math.h>
#include <string.h>

/* Tolerance, in bins, for a spike time that falls on a bin edge through rounding. */
#define MG_OUT_BIN_EPS 1e-9

static int csv_check(mg_output *o, const mg_out_csv *csv) {
    if (!ferror(csv->f))
        return 0;
    mg_out_fail(o, MG_ERR_IO, "cannot write %s", o->files[csv->file].tmp_path);
    return 1;
}

mg_status mg_out_csv_headers(mg_output *o, const mg_net_spec *spec) {
    if (o->spikes_csv.f) {
        fputs("t_ms,population,node_id\n", o->spikes_csv.f);
        if (csv_check(o, &o->spikes_csv))
            return o->err;
    }
    if (o->rates.f) {
        fputs("t_start_ms", o->rates.f);
        for (size_t i = 0; i < o->n_pops; i++)
            fprintf(o->rates.f, ",%s", o->pop_names[i]);
        fputc('\n', o->rates.f);
        if (csv_check(o, &o->rates))
            return o->err;
    }
    if (o->weights.f) {
        fputs("t_ms,projection,pre,post,w_nS,rho\n", o->weights.f);
        if (csv_check(o, &o->weights))
            return o->err;
    }
    for (size_t r = 0; r < o->n_states; r++) {
        const mg_state_rec_spec *rs = &spec->state_recs[r];
        FILE *f = o->states[r].csv.f;
        size_t n_vars = 0;
        fputs("t_ms", f);
        for (size_t k = 0; k < rs->n_ids; k++) {
            n_vars = 0;
            for (int v = 0; v < MG_VAR_COUNT; v++) {
                if (!(rs->vars & (1u << v)))
                    continue;
                fprintf(f, ",%u:%s", rs->ids[k], mg_net_var_name(v));
                n_vars++;
            }
        }
        fputc('\n', f);
        o->states[r].n_values = rs->n_ids * n_vars;
        if (csv_check(o, &o->states[r].csv))
            return o->err;
    }
    return MG_OK;
}

int mg_out_csv_spikes(mg_output *o, uint32_t pop, double t_ms, const uint32_t *ids, size_t n) {
    FILE *f = o->spikes_csv.f;
    char t[48];
    snprintf(t, sizeof t, "%.10g", t_ms);
    const char *name = o->pop_names[pop];
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s,%s,%u\n", t, name, ids[i]);
    return csv_check(o, &o->spikes_csv);
}

/* Number of bins that cover [0, t_ms). */
static int64_t rate_bins(const mg_output *o, double t_ms) {
    double x = ceil(t_ms / o->rate_bin_ms - MG_OUT_BIN_EPS);
    return x > 0.0 ? (int64_t)x : 0;
}

/* The bin of a spike at t_ms. A spike at the very end of the planned run
 * (t == duration) belongs to the last bin, not to one past the end. */
static int64_t rate_bin_of(const mg_output *o, double t_ms) {
    double x = floor(t_ms / o->rate_bin_ms + MG_OUT_BIN_EPS);
    int64_t b = x > 0.0 ? (int64_t)x : 0;
    int64_t nb = rate_bins(o, o->duration_ms);
    if (b >= nb && nb > 0 && t_ms <= o->duration_ms + MG_OUT_BIN_EPS * o->rate_bin_ms)
        b = nb - 1;
    return b;
}

/* Write the row of the bin being counted, which ends at min(its end, t_end_ms), and start the next.
 */
static int rates_row(mg_output *o, double t_end_ms) {
    FILE *f = o->rates.f;
    double start = (double)o->rate_bin * o->rate_bin_ms;
    double width_ms = fmin(start + o->rate_bin_ms, t_end_ms) - start;
    if (!(width_ms > 0.0))
        width_ms = o->rate_bin_ms;
    fprintf(f, "%.10g", start);
    for (size_t i = 0; i < o->n_pops; i++) {
        double hz = o->pop_n[i] ? (double)o->rate_counts[i] / o->pop_n[i] / (width_ms * 1e-3) : 0.0;
        fprintf(f, ",%.6g", hz);
        o->rate_counts[i] = 0;
    }
    fputc('\n', f);
    o->rate_bin++;
    return csv_check(o, &o->rates);
}

int mg_out_rates_add(mg_output *o, uint32_t pop, double t_ms, size_t n) {
    int64_t b = rate_bin_of(o, t_ms);
    while (o->rate_bin < b)
        if (rates_row(o, INFINITY) != 0)
            return 1;
    /* b < rate_bin would be a spike from the past: count it in the current bin. */
    o->rate_counts[pop] += n;
    return 0;
}

mg_status mg_out_rates_finish(mg_output *o, double t_end_ms) {
    int64_t nb = rate_bins(o, t_end_ms);
    int pending = 0;
    for (size_t i = 0; i < o->n_pops; i++)
        pending |= o->rate_counts[i] != 0;
    if (pending && nb <= o->rate_bin)
        nb = o->rate_bin + 1;
    while (o->rate_bin < nb)
        if (rates_row(o, t_end_ms) != 0)
            return o->err;
    return MG_OK;
}

int mg_out_state_row(mg_output *o, size_t rec, double t_ms, const double *values, size_t n) {
    mg_out_state *s = &o->states[rec];
    if (n != s->n_values) {
        mg_out_fail(o, MG_ERR_INTERNAL,
                    "state recorder %zu: a sample of %zu values, expected %zu (neurons x "
                    "variables)",
                    rec, n, s->n_values);
        return 1;
    }
    FILE *f = s->csv.f;
    fprintf(f, "%.10g", t_ms);
    for (size_t k = 0; k < n; k++)
        fprintf(f, ",%.9g", values[k]);
    fputc('\n', f);
    return csv_check(o, &s->csv);
}

int mg_out_weights_rows(mg_output *o, size_t rec, double t_ms, const uint32_t *pre,
                        const uint32_t *post, const double *w_nS, const double *rho, size_t n) {
    FILE *f = o->weights.f;
    char t[48];
    snprintf(t, sizeof t, "%.10g", t_ms);
    const char *name = o->wrec_proj[rec];
    /* 17 significant digits: the values read back exactly */
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s,%s,%u,%u,%.17g,%.17g\n", t, name, pre[i], post[i], w_nS[i], rho[i]);
    return csv_check(o, &o->weights);
}
