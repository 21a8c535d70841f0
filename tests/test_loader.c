/* mgsim-test: unit */
/* The model-file loader (include/mgsim/io.h): the two shipped examples load with
 * their published numbers, --set overrides, the resolved model round-trips, and
 * every kind of bad input is refused with the right status and a message that
 * names file:line:column and the key. */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mgsim/io.h"

#define EXAMPLES MGSIM_SOURCE_DIR "/examples/net"
#define DATA     MGSIM_SOURCE_DIR "/tests/data/loader"
#define TMP      MGSIM_TEST_TMP

/* ---- helpers ------------------------------------------------------------------------------- */

static mg_io_net_model *load_file(const char *path, const char *const *sets, size_t n_sets) {
    mg_context *ctx = mg_context_create();
    mg_io_net_model *m = NULL;
    mg_status st = mg_io_net_load(ctx, path, sets, n_sets, &m);
    ck_assert_msg(st == MG_OK, "loading %s failed (%d): %s", path, st, mg_error_message(ctx));
    mg_context_destroy(&ctx);
    return m;
}

/* Load text as "model.yaml" (or name); return the status and copy the message. */
static mg_status try_load(const char *name, const char *text, const char *const *sets,
                          size_t n_sets, char *msg, size_t cap) {
    mg_context *ctx = mg_context_create();
    mg_io_net_model *m = NULL;
    mg_status st = mg_io_net_load_buffer(ctx, name, text, strlen(text), sets, n_sets, &m);
    snprintf(msg, cap, "%s", mg_error_message(ctx));
    if (st == MG_OK)
        ck_assert_ptr_nonnull(m);
    else
        ck_assert_ptr_null(m);
    mg_io_net_model_free(&m);
    ck_assert_ptr_null(m);
    mg_context_destroy(&ctx);
    return st;
}

/* Expect loading to fail with status and a message containing every needle (NULL-terminated). */
static void expect_fail_named(const char *name, const char *text, const char *const *sets,
                              size_t n_sets, mg_status status, ...) {
    char msg[1024];
    mg_status st = try_load(name, text, sets, n_sets, msg, sizeof msg);
    ck_assert_msg(st == status, "expected status %d, got %d: %s\n--- model:\n%s", status, st, msg,
                  text);
    va_list ap;
    va_start(ap, status);
    for (const char *needle = va_arg(ap, const char *); needle; needle = va_arg(ap, const char *))
        ck_assert_msg(strstr(msg, needle), "message lacks \"%s\": %s", needle, msg);
    va_end(ap);
}

#define expect_fail(text, status, ...)                                                             \
    expect_fail_named("model.yaml", text, NULL, 0, status, __VA_ARGS__, NULL)

/* The small valid model the bad-input tests edit one line of. */
static const char *const BASE[] = {"run: {duration_ms: 100, dt_ms: 0.1}", /* 1 */
                                   "populations:",                        /* 2 */
                                   "  E: {model: lif, n: 10}",            /* 3 */
                                   "  I: {model: lif, n: 5}",             /* 4 */
                                   "projections:",                        /* 5 */
                                   "  EI:",                               /* 6 */
                                   "    from: E",                         /* 7 */
                                   "    to: I",                           /* 8 */
                                   "    receptor: ampa",                  /* 9 */
                                   "    rule: fixed_probability",         /* 10 */
                                   "    p: 0.5",                          /* 11 */
                                   "    weight_nS: 1",                    /* 12 */
                                   "    delay_ms: 0.1",                   /* 13 */
                                   NULL};

/* BASE with lines replaced: pairs (line number, text), text NULL deletes the line;
 * a line number 0 appends text at the end. Ends with -1. Returns static storage. */
static const char *doc(int line, ...) {
    static char buf[4096];
    const char *repl[64] = {0};
    int del[64] = {0};
    const char *append[8] = {0};
    int n_append = 0;
    va_list ap;
    va_start(ap, line);
    for (int l = line; l >= 0; l = va_arg(ap, int)) {
        const char *t = va_arg(ap, const char *);
        if (l == 0)
            append[n_append++] = t;
        else if (t)
            repl[l] = t;
        else
            del[l] = 1;
    }
    va_end(ap);
    size_t used = 0;
    for (int i = 0; BASE[i]; i++) {
        if (del[i + 1])
            continue;
        used += (size_t)snprintf(buf + used, sizeof buf - used, "%s\n",
                                 repl[i + 1] ? repl[i + 1] : BASE[i]);
    }
    for (int i = 0; i < n_append; i++)
        used += (size_t)snprintf(buf + used, sizeof buf - used, "%s\n", append[i]);
    return buf;
}

/* "model.yaml:LINE:COL" where COL is the 1-based column just after the first occurrence of
 * `after` in text (or at it, when at_token), computed from the text alone. */
static const char *loc(const char *file, int line, const char *text, const char *after,
                       int at_token) {
    static char buf[8][128];
    static int next;
    const char *p = strstr(text, after);
    ck_assert_msg(p != NULL, "test bug: '%s' not in '%s'", after, text);
    int col = (int)(p - text) + 1 + (at_token ? 0 : (int)strlen(after));
    char *b = buf[next++ % 8];
    snprintf(b, 128, "%s:%d:%d", file, line, col);
    return b;
}

#define AT(line, text, after)  loc("model.yaml", line, text, after, 0)
#define KEY(line, text, token) loc("model.yaml", line, text, token, 1)

static const mg_pop_spec *pop(const mg_net_spec *s, const char *name) {
    for (size_t i = 0; i < s->n_pops; i++)
        if (strcmp(s->pops[i].name, name) == 0)
            return &s->pops[i];
    ck_abort_msg("no population %s", name);
    return NULL;
}

static const mg_proj_spec *proj(const mg_net_spec *s, const char *name) {
    for (size_t i = 0; i < s->n_projs; i++)
        if (strcmp(s->projs[i].name, name) == 0)
            return &s->projs[i];
    ck_abort_msg("no projection %s", name);
    return NULL;
}

static void assert_const(mg_dist d, double v) {
    ck_assert_int_eq(d.kind, MG_DIST_CONST);
    ck_assert_double_eq(d.a, v);
}

/* ---- comparing two specs ------------------------------------------------------------------- */

static void dist_eq(const mg_dist *a, const mg_dist *b, const char *what) {
    ck_assert_msg(a->kind == b->kind && a->a == b->a && a->b == b->b && a->lo == b->lo &&
                      a->hi == b->hi,
                  "%s differs: kind %d/%d a %g/%g b %g/%g lo %g/%g hi %g/%g", what, a->kind,
                  b->kind, a->a, b->a, a->b, b->b, a->lo, b->lo, a->hi, b->hi);
}

#define FEQ(x, y, what)                                                                            \
    ck_assert_msg((x) == (y), "%s differs: %g vs %g", what, (double)(x), (double)(y))

static void spec_eq(const mg_net_spec *a, const mg_net_spec *b) {
    FEQ(a->duration_ms, b->duration_ms, "duration_ms");
    FEQ(a->dt_ms, b->dt_ms, "dt_ms");
    ck_assert_uint_eq(a->seed, b->seed);
    FEQ(a->mg_mM, b->mg_mM, "mg_mM");
    ck_assert_uint_eq(a->n_mg_schedule, b->n_mg_schedule);
    for (size_t i = 0; i < a->n_mg_schedule; i++) {
        FEQ(a->mg_schedule[i].t_ms, b->mg_schedule[i].t_ms, "schedule t");
        FEQ(a->mg_schedule[i].mg_mM, b->mg_schedule[i].mg_mM, "schedule mg");
    }
    ck_assert_int_eq(a->nmda.saturating, b->nmda.saturating);
    FEQ(a->nmda.alpha_per_ms, b->nmda.alpha_per_ms, "alpha");
    FEQ(a->nmda.mg_scale_mM, b->nmda.mg_scale_mM, "mg_scale");
    FEQ(a->nmda.gamma_per_mV, b->nmda.gamma_per_mV, "gamma");
    FEQ(a->runaway_max_rate_hz, b->runaway_max_rate_hz, "runaway rate");
    FEQ(a->runaway_window_ms, b->runaway_window_ms, "runaway window");
    FEQ(a->max_memory_mb, b->max_memory_mb, "max_memory_mb");
    ck_assert_uint_eq(a->n_pops, b->n_pops);
    for (size_t i = 0; i < a->n_pops; i++) {
        const mg_pop_spec *p = &a->pops[i], *q = &b->pops[i];
        ck_assert_str_eq(p->name, q->name);
        ck_assert_int_eq(p->kind, q->kind);
        ck_assert_uint_eq(p->n, q->n);
        const double *pv = &p->C_pF, *qv = &q->C_pF; /* C_pF .. Vpeak_mV: 12 doubles */
        for (int k = 0; k < 12; k++)
            FEQ(pv[k], qv[k], "membrane parameter");
        for (int r = 0; r < MG_RECEPTOR_COUNT; r++) {
            FEQ(p->receptor[r].E_mV, q->receptor[r].E_mV, "E_mV");
            FEQ(p->receptor[r].tau_rise_ms, q->receptor[r].tau_rise_ms, "tau_rise");
            FEQ(p->receptor[r].tau_decay_ms, q->receptor[r].tau_decay_ms, "tau_decay");
            dist_eq(&p->g_init_nS[r], &q->g_init_nS[r], "g_init");
        }
        dist_eq(&p->v_init_mV, &q->v_init_mV, "v_init");
        dist_eq(&p->w_init_pA, &q->w_init_pA, "w_init");
        FEQ(p->rate_hz, q->rate_hz, "rate_hz");
        ck_assert_uint_eq(p->n_times, q->n_times);
        ck_assert_int_eq(p->ids == NULL, q->ids == NULL);
        for (size_t k = 0; k < p->n_times; k++) {
            FEQ(p->times_ms[k], q->times_ms[k], "spike time");
            if (p->ids)
                ck_assert_uint_eq(p->ids[k], q->ids[k]);
        }
        ck_assert_int_eq(a->record_spikes[i], b->record_spikes[i]);
    }
    ck_assert_uint_eq(a->n_projs, b->n_projs);
    for (size_t i = 0; i < a->n_projs; i++) {
        const mg_proj_spec *p = &a->projs[i], *q = &b->projs[i];
        ck_assert_str_eq(p->name, q->name);
        ck_assert_uint_eq(p->pre, q->pre);
        ck_assert_uint_eq(p->post, q->post);
        ck_assert_int_eq(p->receptor, q->receptor);
        ck_assert_int_eq(p->conn, q->conn);
        FEQ(p->p, q->p, "p");
        ck_assert_uint_eq(p->indegree, q->indegree);
        ck_assert_int_eq(p->allow_autapses, q->allow_autapses);
        dist_eq(&p->weight_nS, &q->weight_nS, "weight");
        dist_eq(&p->delay_ms, &q->delay_ms, "delay");
        ck_assert_uint_eq(p->n_edges, q->n_edges);
        ck_assert_int_eq(p->edge_weight_nS == NULL, q->edge_weight_nS == NULL);
        ck_assert_int_eq(p->edge_delay_ms == NULL, q->edge_delay_ms == NULL);
        for (size_t e = 0; e < p->n_edges; e++) {
            ck_assert_uint_eq(p->edge_pre[e], q->edge_pre[e]);
            ck_assert_uint_eq(p->edge_post[e], q->edge_post[e]);
            if (p->edge_weight_nS)
                FEQ(p->edge_weight_nS[e], q->edge_weight_nS[e], "edge weight");
            if (p->edge_delay_ms)
                FEQ(p->edge_delay_ms[e], q->edge_delay_ms[e], "edge delay");
        }
    }
    ck_assert_uint_eq(a->n_inputs, b->n_inputs);
    for (size_t i = 0; i < a->n_inputs; i++) {
        const mg_input_spec *p = &a->inputs[i], *q = &b->inputs[i];
        ck_assert_str_eq(p->name, q->name);
        ck_assert_int_eq(p->kind, q->kind);
        ck_assert_uint_eq(p->pop, q->pop);
        ck_assert_uint_eq(p->first, q->first);
        ck_assert_uint_eq(p->count, q->count);
        ck_assert_int_eq(p->receptor, q->receptor);
        FEQ(p->rate_hz, q->rate_hz, "input rate");
        ck_assert_uint_eq(p->n_sources, q->n_sources);
        FEQ(p->weight_nS, q->weight_nS, "input weight");
        FEQ(p->start_ms, q->start_ms, "start");
        FEQ(p->stop_ms, q->stop_ms, "stop");
        FEQ(p->amp_pA, q->amp_pA, "amp");
        FEQ(p->amp_end_pA, q->amp_end_pA, "amp_end");
    }
    ck_assert_uint_eq(a->n_state_recs, b->n_state_recs);
    for (size_t i = 0; i < a->n_state_recs; i++) {
        const mg_state_rec_spec *p = &a->state_recs[i], *q = &b->state_recs[i];
        ck_assert_str_eq(p->name, q->name);
        ck_assert_uint_eq(p->pop, q->pop);
        ck_assert_uint_eq(p->n_ids, q->n_ids);
        for (size_t k = 0; k < p->n_ids; k++)
            ck_assert_uint_eq(p->ids[k], q->ids[k]);
        ck_assert_uint_eq(p->vars, q->vars);
        FEQ(p->interval_ms, q->interval_ms, "interval");
    }
}

static void outputs_eq(const mg_io_net_outputs *a, const mg_io_net_outputs *b) {
    ck_assert_int_eq(a->spikes_sonata, b->spikes_sonata);
    ck_assert_int_eq(a->spikes_csv, b->spikes_csv);
    FEQ(a->rate_bin_ms, b->rate_bin_ms, "rate_bin_ms");
}

/* Load path, write the resolved model, load that: the specs must be equal. */
static void roundtrip(const char *path, const char *out_name) {
    char out[512], tmp[520];
    snprintf(out, sizeof out, "%s/%s", TMP, out_name);
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    mg_io_net_model *m = load_file(path, NULL, 0);
    mg_context *ctx = mg_context_create();
    mg_status st = mg_io_net_write_resolved(ctx, m, out);
    ck_assert_msg(st == MG_OK, "write_resolved: %s", mg_error_message(ctx));
    ck_assert_int_ne(access(tmp, F_OK), 0); /* renamed, no temporary left */
    mg_io_net_model *r = load_file(out, NULL, 0);
    spec_eq(mg_io_net_model_spec(m), mg_io_net_model_spec(r));
    outputs_eq(mg_io_net_model_outputs(m), mg_io_net_model_outputs(r));
    /* and once more: the resolved model of the resolved model is the same file */
    char out2[600];
    snprintf(out2, sizeof out2, "%s.again", out);
    ck_assert_int_eq(mg_io_net_write_resolved(ctx, r, out2), MG_OK);
    FILE *f1 = fopen(out, "rb"), *f2 = fopen(out2, "rb");
    ck_assert_ptr_nonnull(f1);
    ck_assert_ptr_nonnull(f2);
    int c1, c2;
    do {
        c1 = fgetc(f1);
        c2 = fgetc(f2);
    } while (c1 == c2 && c1 != EOF);
    ck_assert_msg(c1 == c2, "resolved files of %s differ", path);
    fclose(f1);
    fclose(f2);
    mg_io_net_model_free(&m);
    mg_io_net_model_free(&r);
    mg_context_destroy(&ctx);
}

/* ---- the shipped examples ------------------------------------------------------------------ */

START_TEST(test_coba_example) {
    mg_io_net_model *m = load_file(EXAMPLES "/coba.yaml", NULL, 0);
    const mg_net_spec *s = mg_io_net_model_spec(m);
    ck_assert_double_eq(s->duration_ms, 1000.0);
    ck_assert_double_eq(s->dt_ms, 0.1);
    ck_assert_uint_eq(s->seed, 1);
    ck_assert_uint_eq(s->n_pops, 2);
    ck_assert_str_eq(s->pops[0].name, "E");
    ck_assert_uint_eq(s->pops[0].n, 3200);
    ck_assert_str_eq(s->pops[1].name, "I");
    ck_assert_uint_eq(s->pops[1].n, 800);
    for (size_t i = 0; i < 2; i++) {
        const mg_pop_spec *p = &s->pops[i];
        ck_assert_int_eq(p->kind, MG_NEURON_LIF);
        ck_assert_double_eq(p->C_pF, 200.0);
        ck_assert_double_eq(p->gL_nS, 10.0);
        ck_assert_double_eq(p->EL_mV, -60.0);
        ck_assert_double_eq(p->Vreset_mV, -60.0);
        ck_assert_double_eq(p->Vth_mV, -50.0);
        ck_assert_double_eq(p->tref_ms, 5.0);
        ck_assert_double_eq(p->receptor[MG_RECEPTOR_AMPA].E_mV, 0.0);
        ck_assert_double_eq(p->receptor[MG_RECEPTOR_AMPA].tau_rise_ms, 0.0);
        ck_assert_double_eq(p->receptor[MG_RECEPTOR_AMPA].tau_decay_ms, 5.0);
        ck_assert_double_eq(p->receptor[MG_RECEPTOR_GABA_A].E_mV, -80.0);
        ck_assert_double_eq(p->receptor[MG_RECEPTOR_GABA_A].tau_rise_ms, 0.0);
        ck_assert_double_eq(p->receptor[MG_RECEPTOR_GABA_A].tau_decay_ms, 10.0);
        ck_assert_int_eq(p->v_init_mV.kind, MG_DIST_UNIFORM);
        ck_assert_double_eq(p->v_init_mV.a, -60.0);
        ck_assert_double_eq(p->v_init_mV.b, -50.0);
        const mg_dist *ga = &p->g_init_nS[MG_RECEPTOR_AMPA],
                      *gi = &p->g_init_nS[MG_RECEPTOR_GABA_A];
        ck_assert_int_eq(ga->kind, MG_DIST_NORMAL);
        ck_assert_double_eq(ga->a, 4.0);
        ck_assert_double_eq(ga->b, 1.5);
        ck_assert_int_eq(gi->kind, MG_DIST_NORMAL);
        ck_assert_double_eq(gi->a, 20.0);
        ck_assert_double_eq(gi->b, 12.0);
        /* Brian2 does not clip the initial conductances */
        ck_assert(isinf(ga->lo) && ga->lo < 0 && isinf(ga->hi) && ga->hi > 0);
        ck_assert(isinf(gi->lo) && gi->lo < 0 && isinf(gi->hi) && gi->hi > 0);
        ck_assert_int_eq(s->record_spikes[i], 1);
    }
    ck_assert_uint_eq(s->n_projs, 4);
    static const char *const names[] = {"EE", "EI", "IE", "II"};
    static const uint32_t pre[] = {0, 0, 1, 1}, post[] = {0, 1, 0, 1};
    static const double w[] = {6.0, 6.0, 67.0, 67.0};
    for (size_t k = 0; k < 4; k++) {
        const mg_proj_spec *p = &s->projs[k];
        ck_assert_str_eq(p->name, names[k]);
        ck_assert_uint_eq(p->pre, pre[k]);
        ck_assert_uint_eq(p->post, post[k]);
        ck_assert_int_eq(p->receptor, pre[k] == 0 ? MG_RECEPTOR_AMPA : MG_RECEPTOR_GABA_A);
        ck_assert_int_eq(p->conn, MG_CONN_FIXED_PROB);
        ck_assert_double_eq(p->p, 0.02);
        ck_assert_int_eq(p->allow_autapses, 1);
        assert_const(p->weight_nS, w[k]);
        assert_const(p->delay_ms, 0.1);
    }
    ck_assert_uint_eq(s->n_inputs, 0);
    ck_assert_uint_eq(s->n_state_recs, 0);
    const mg_io_net_outputs *o = mg_io_net_model_outputs(m);
    ck_assert_double_eq(o->rate_bin_ms, 10.0);
    ck_assert_int_eq(o->spikes_sonata, 1);
    ck_assert_int_eq(o->spikes_csv, 0);
    mg_io_net_model_free(&m);
}
END_TEST

START_TEST(test_wang_mg_example) {
    mg_io_net_model *m = load_file(EXAMPLES "/wang_mg.yaml", NULL, 0);
    const mg_net_spec *s = mg_io_net_model_spec(m);
    ck_assert_double_eq(s->dt_ms, 0.05);
    ck_assert_double_eq(s->duration_ms, 1000.0);
    ck_assert_double_eq(s->mg_mM, 1.0);
    ck_assert_int_eq(s->nmda.saturating, 1);
    ck_assert_double_eq(s->nmda.alpha_per_ms, 0.5);
    ck_assert_double_eq(s->nmda.mg_scale_mM, 3.57);
    ck_assert_double_eq(s->nmda.gamma_per_mV, 0.062);
    const mg_pop_spec *E = pop(s, "E"), *I = pop(s, "I");
    ck_assert_uint_eq(E->n, 1600);
    ck_assert_uint_eq(I->n, 400);
    ck_assert_double_eq(E->C_pF, 500.0);
    ck_assert_double_eq(E->gL_nS, 25.0);
    ck_assert_double_eq(I->C_pF, 200.0);
    ck_assert_double_eq(I->gL_nS, 20.0);
    ck_assert_double_eq(E->tref_ms, 2.0);
    ck_assert_double_eq(I->tref_ms, 1.0);
    for (int i = 0; i < 2; i++) {
        const mg_pop_spec *p = i ? I : E;
        ck_assert_double_eq(p->EL_mV, -70.0);
        ck_assert_double_eq(p->Vth_mV, -50.0);
        ck_assert_double_eq(p->Vreset_mV, -55.0);
        ck_assert_double_eq(p->receptor[MG_RECEPTOR_AMPA].tau_decay_ms, 2.0);
        ck_assert_double_eq(p->receptor[MG_RECEPTOR_AMPA].E_mV, 0.0);
        ck_assert_double_eq(p->receptor[MG_RECEPTOR_GABA_A].tau_decay_ms, 5.0);
        ck_assert_double_eq(p->receptor[MG_RECEPTOR_GABA_A].E_mV, -70.0);
        ck_assert_double_eq(p->receptor[MG_RECEPTOR_NMDA].tau_rise_ms, 2.0);
        ck_assert_double_eq(p->receptor[MG_RECEPTOR_NMDA].tau_decay_ms, 100.0);
        ck_assert_double_eq(p->receptor[MG_RECEPTOR_NMDA].E_mV, 0.0);
        assert_const(p->v_init_mV, -70.0);
        for (int r = 0; r < MG_RECEPTOR_COUNT; r++)
            assert_const(p->g_init_nS[r], 0.0);
    }
    ck_assert_uint_eq(s->n_projs, 6);
    static const struct {
        const char *name;
        uint32_t pre, post;
        mg_receptor rec;
        double w;
    } want[] = {{"EE", 0, 0, MG_RECEPTOR_AMPA, 0.25},  {"EE_nmda", 0, 0, MG_RECEPTOR_NMDA, 0.825},
                {"EI", 0, 1, MG_RECEPTOR_AMPA, 0.2},   {"EI_nmda", 0, 1, MG_RECEPTOR_NMDA, 0.65},
                {"IE", 1, 0, MG_RECEPTOR_GABA_A, 6.5}, {"II", 1, 1, MG_RECEPTOR_GABA_A, 5.0}};
    for (size_t k = 0; k < 6; k++) {
        const mg_proj_spec *p = proj(s, want[k].name);
        ck_assert_uint_eq(p->pre, want[k].pre);
        ck_assert_uint_eq(p->post, want[k].post);
        ck_assert_int_eq(p->receptor, want[k].rec);
        assert_const(p->weight_nS, want[k].w);
        if (want[k].rec == MG_RECEPTOR_NMDA) {
            /* the NMDA part rides on the AMPA contacts of the projection listed before it */
            ck_assert_int_eq(p->conn, MG_CONN_SAME_AS);
            ck_assert_str_eq(s->projs[p->share_proj].name, want[k - 1].name);
            continue;
        }
        ck_assert_int_eq(p->conn, MG_CONN_FIXED_PROB);
        ck_assert_double_eq(p->p, 0.2);
        ck_assert_int_eq(p->allow_autapses, 1);
        assert_const(p->delay_ms, 0.05);
    }
    ck_assert_uint_eq(s->n_inputs, 2);
    for (size_t k = 0; k < 2; k++) {
        const mg_input_spec *in = &s->inputs[k];
        ck_assert_int_eq(in->kind, MG_INPUT_POISSON);
        ck_assert_uint_eq(in->pop, k);
        ck_assert_int_eq(in->receptor, MG_RECEPTOR_AMPA);
        ck_assert_uint_eq(in->n_sources, 800);
        ck_assert_double_eq(in->rate_hz, 3.0);
        ck_assert_double_eq(in->weight_nS, k == 0 ? 2.1 : 1.62);
        ck_assert_uint_eq(in->first, 0);
        ck_assert_uint_eq(in->count, 0);
        ck_assert_double_eq(in->start_ms, 0.0);
        ck_assert(in->stop_ms >= s->duration_ms);
    }
    ck_assert_int_eq(s->record_spikes[0], 1);
    ck_assert_int_eq(s->record_spikes[1], 1);
    mg_io_net_model_free(&m);
}
END_TEST

START_TEST(test_full_model) {
    mg_io_net_model *m = load_file(DATA "/full.yaml", NULL, 0);
    const mg_net_spec *s = mg_io_net_model_spec(m);
    ck_assert_uint_eq(s->n_mg_schedule, 2);
    ck_assert_double_eq(s->mg_schedule[1].t_ms, 300.0);
    ck_assert_double_eq(s->mg_schedule[1].mg_mM, 2.0);
    const mg_pop_spec *A = pop(s, "A"), *L = pop(s, "L"), *S = pop(s, "S"), *P = pop(s, "P");
    ck_assert_int_eq(A->kind, MG_NEURON_ADEX);
    ck_assert_double_eq(A->a_nS, 2.0);
    ck_assert_double_eq(A->b_pA, 60.0);
    ck_assert_double_eq(A->receptor[MG_RECEPTOR_GABA_B].tau_rise_ms, 50.0);
    ck_assert_int_eq(A->v_init_mV.kind, MG_DIST_NORMAL);
    ck_assert_double_eq(A->v_init_mV.lo, -80.0);
    ck_assert_double_eq(A->v_init_mV.hi, -55.0);
    ck_assert_int_eq(A->w_init_pA.kind, MG_DIST_LOGNORMAL);
    assert_const(L->v_init_mV, L->EL_mV); /* default initial potential: EL */
    ck_assert_double_eq(L->I_e_pA, 100.0);
    ck_assert_uint_eq(S->n_times, 3);
    ck_assert_double_eq(S->times_ms[1], 20.5);
    ck_assert_uint_eq(S->ids[1], 2);
    ck_assert_double_eq(P->rate_hz, 8.0);
    const mg_proj_spec *al = proj(s, "AL"), *sa = proj(s, "SA");
    ck_assert_int_eq(al->conn, MG_CONN_EDGE_LIST);
    ck_assert_uint_eq(al->n_edges, 3);
    ck_assert_uint_eq(al->edge_pre[1], 19);
    ck_assert_uint_eq(al->edge_post[1], 9);
    ck_assert_double_eq(al->edge_weight_nS[1], 0.25);
    ck_assert_double_eq(al->edge_delay_ms[2], 0.2);
    ck_assert_int_eq(sa->weight_nS.kind, MG_DIST_UNIFORM);
    ck_assert_double_eq(sa->weight_nS.lo, 0.0); /* weights are clipped at 0 by default */
    ck_assert_double_eq(sa->delay_ms.lo, 0.1);  /* delays at one step */
    ck_assert_int_eq(proj(s, "LL")->allow_autapses, 0);
    ck_assert_uint_eq(proj(s, "PL")->indegree, 5);
    ck_assert_uint_eq(s->n_state_recs, 1);
    ck_assert_uint_eq(s->state_recs[0].vars, MG_VAR_V | MG_VAR_W | MG_VAR_NMDA_BLOCK);
    ck_assert_uint_eq(s->state_recs[0].ids[1], 19);
    ck_assert_int_eq(s->record_spikes[0], 1); /* A */
    ck_assert_int_eq(s->record_spikes[1], 0); /* L */
    ck_assert_int_eq(s->record_spikes[2], 1); /* S */
    ck_assert_int_eq(mg_io_net_model_outputs(m)->spikes_csv, 1);
    ck_assert_int_eq(s->inputs[0].kind, MG_INPUT_CURRENT_STEP);
    ck_assert_uint_eq(s->inputs[0].first, 2);
    ck_assert_int_eq(s->inputs[1].kind, MG_INPUT_CURRENT_RAMP);
    ck_assert_double_eq(s->inputs[1].amp_end_pA, 100.0);
    mg_io_net_model_free(&m);
}
END_TEST

/* ---- --set --------------------------------------------------------------------------------- */

START_TEST(test_set_overrides) {
    const char *sets[] = {"run.duration_ms=250",
                          "run.dt_ms=0.05",
                          "run.seed=18446744073709551615",
                          "extracellular.mg_mM=1.5",
                          "populations.E.C_pF=250",
                          "populations.I.receptors.gaba_a.tau_decay_ms=8",
                          "populations.E.init.g_ampa_nS.sd=2",
                          "projections.IE.weight_nS={dist: normal, mean: 60, sd: 5}",
                          "projections.EE.weight_nS=7.5",
                          "record.spikes=[E]",
                          "record.state.probe={population: I, ids: [0, 799], vars: [v_mV]}"};
    size_t n = sizeof sets / sizeof sets[0];
    mg_io_net_model *m = load_file(EXAMPLES "/coba.yaml", sets, n);
    const mg_net_spec *s = mg_io_net_model_spec(m);
    ck_assert_double_eq(s->duration_ms, 250.0);
    ck_assert_double_eq(s->dt_ms, 0.05);
    ck_assert_uint_eq(s->seed, UINT64_MAX);
    ck_assert_double_eq(s->mg_mM, 1.5);
    ck_assert_double_eq(pop(s, "E")->C_pF, 250.0);
    ck_assert_double_eq(pop(s, "I")->C_pF, 200.0);
    ck_assert_double_eq(pop(s, "I")->receptor[MG_RECEPTOR_GABA_A].tau_decay_ms, 8.0);
    ck_assert_double_eq(pop(s, "E")->g_init_nS[MG_RECEPTOR_AMPA].b, 2.0);
    ck_assert_double_eq(pop(s, "E")->g_init_nS[MG_RECEPTOR_AMPA].a, 4.0);
    ck_assert_int_eq(proj(s, "IE")->weight_nS.kind, MG_DIST_NORMAL);
    ck_assert_double_eq(proj(s, "IE")->weight_nS.a, 60.0);
    assert_const(proj(s, "EE")->weight_nS, 7.5);
    assert_const(proj(s, "EE")->delay_ms, 0.1); /* two steps of the new dt */
    ck_assert_int_eq(s->record_spikes[0], 1);
    ck_assert_int_eq(s->record_spikes[1], 0);
    ck_assert_uint_eq(s->n_state_recs, 1);
    ck_assert_uint_eq(s->state_recs[0].pop, 1);
    ck_assert_double_eq(s->state_recs[0].interval_ms, 0.05); /* default: one step */
    mg_io_net_model_free(&m);
}
END_TEST

START_TEST(test_set_errors) {
    const char *coba = EXAMPLES "/coba.yaml";
    mg_context *ctx = mg_context_create();
    mg_io_net_model *m = NULL;
    struct {
        const char *set;
        mg_status status;
        const char *needle1, *needle2;
    } cases[] = {
        {"populations.E.C_pf=3", MG_ERR_CONFIG, "--set #2 (populations.E.C_pf=3)",
         "did you mean 'populations.E.C_pF'"},
        {"run.dt_ms=abc", MG_ERR_CONFIG, "--set #2 (run.dt_ms=abc): run.dt_ms",
         "expected a number, got 'abc'"},
        {"run.dt_ms=-1", MG_ERR_DATA, "--set #2 (run.dt_ms=-1): run.dt_ms",
         "expected a number in (0, 100] (ms), got -1"},
        {"run.duration=5", MG_ERR_CONFIG, "--set #2", "did you mean 'run.duration_ms'"},
        {"runn.seed=5", MG_ERR_CONFIG, "--set #2", "did you mean 'run'"},
        {"run.seed", MG_ERR_CONFIG, "--set #2 (run.seed)", "dotted.key=value"},
        {"projections.EE.weight_nS.sd=1", MG_ERR_CONFIG, "--set #2",
         "projections.EE.weight_nS holds a value"},
        {"projections.EE.weight_nS.sdd=1", MG_ERR_CONFIG, "--set #2", "did you mean 'sd'"},
        {"run.dt_ms.x=1", MG_ERR_CONFIG, "--set #2", "single value"},
        {"populations.E.n=[1", MG_ERR_CONFIG, "--set #2", "cannot read the value"},
        {"populations.E.receptors.ampa.tau_decay_ms=0", MG_ERR_DATA,
         "--set #2 (populations.E.receptors.ampa.tau_decay_ms=0)", "expected a number > 0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *sets[] = {"run.seed=3", cases[i].set};
        mg_status st = mg_io_net_load(ctx, coba, sets, 2, &m);
        const char *msg = mg_error_message(ctx);
        ck_assert_msg(st == cases[i].status, "%s: status %d: %s", cases[i].set, st, msg);
        ck_assert_ptr_null(m);
        ck_assert_msg(strstr(msg, cases[i].needle1), "%s: lacks '%s': %s", cases[i].set,
                      cases[i].needle1, msg);
        ck_assert_msg(strstr(msg, cases[i].needle2), "%s: lacks '%s': %s", cases[i].set,
                      cases[i].needle2, msg);
    }
    mg_context_destroy(&ctx);
}
END_TEST

/* ---- resolved model ------------------------------------------------------------------------ */

START_TEST(test_resolved_roundtrip) {
    roundtrip(EXAMPLES "/coba.yaml", "coba.resolved.yaml");
    roundtrip(EXAMPLES "/wang_mg.yaml", "wang_mg.resolved.yaml");
    roundtrip(DATA "/full.yaml", "full.resolved.yaml");
}
END_TEST

START_TEST(test_resolved_with_sets) {
    /* --set values land in the resolved file */
    const char *sets[] = {"run.seed=99", "populations.E.init.v_mV=-65"};
    mg_io_net_model *m = load_file(EXAMPLES "/coba.yaml", sets, 2);
    mg_context *ctx = mg_context_create();
    const char *out = TMP "/coba_set.resolved.yaml";
    ck_assert_int_eq(mg_io_net_write_resolved(ctx, m, out), MG_OK);
    mg_io_net_model *r = load_file(out, NULL, 0);
    ck_assert_uint_eq(mg_io_net_model_spec(r)->seed, 99);
    assert_const(pop(mg_io_net_model_spec(r), "E")->v_init_mV, -65.0);
    spec_eq(mg_io_net_model_spec(m), mg_io_net_model_spec(r));
    /* an unwritable place: MG_ERR_CANTCREAT, and nothing left behind */
    ck_assert_int_eq(mg_io_net_write_resolved(ctx, m, TMP "/no/such/dir/x.yaml"), MG_ERR_CANTCREAT);
    mg_io_net_model_free(&m);
    mg_io_net_model_free(&r);
    mg_context_destroy(&ctx);
}
END_TEST

/* ---- bad input: structure (MG_ERR_CONFIG) -------------------------------------------------- */

START_TEST(test_base_is_valid) {
    char msg[1024];
    ck_assert_int_eq(try_load("model.yaml", doc(-1), NULL, 0, msg, sizeof msg), MG_OK);
}
END_TEST

START_TEST(test_unknown_key) {
    const char *l = "    pp: 0.5";
    expect_fail(doc(11, l, -1), MG_ERR_CONFIG, KEY(11, l, "pp"), "projections.EI.pp", "unknown key",
                "did you mean 'p'");
    const char *l2 = "  E: {model: lif, n: 10, Cpf: 3}";
    expect_fail(doc(3, l2, -1), MG_ERR_CONFIG, KEY(3, l2, "Cpf"), "populations.E.Cpf",
                "did you mean 'C_pF'");
    const char *l3 = "rnu: {duration_ms: 100}";
    expect_fail(doc(1, l3, -1), MG_ERR_CONFIG, "model.yaml:1:1: rnu: unknown key",
                "did you mean 'run'");
}
END_TEST

START_TEST(test_wrong_type) {
    const char *l = "    p: abc";
    expect_fail(doc(11, l, -1), MG_ERR_CONFIG, AT(11, l, "p: "), "projections.EI.p",
                "expected a number, got 'abc'");
    const char *l2 = "    p: \"0.5\"";
    expect_fail(doc(11, l2, -1), MG_ERR_CONFIG, AT(11, l2, "p: "), "quoted");
    const char *l3 = "  E: {model: lif, n: ten}";
    expect_fail(doc(3, l3, -1), MG_ERR_CONFIG, AT(3, l3, "n: "), "populations.E.n",
                "expected an integer, got 'ten'");
    const char *l4 = "    autapses: maybe";
    expect_fail(doc(0, l4, -1), MG_ERR_CONFIG, AT(14, l4, "autapses: "), "true or false");
    const char *l5 = "  E: [lif, 10]";
    expect_fail(doc(3, l5, -1), MG_ERR_CONFIG, AT(3, l5, "E: "), "populations.E", "expected a map");
}
END_TEST

START_TEST(test_unknown_names) {
    const char *l = "    from: X";
    expect_fail(doc(7, l, -1), MG_ERR_CONFIG, AT(7, l, "from: "), "projections.EI.from",
                "no population named 'X'", "'E'");
    const char *l2 = "    receptor: glu";
    expect_fail(doc(9, l2, -1), MG_ERR_CONFIG, AT(9, l2, "receptor: "), "projections.EI.receptor",
                "expected one of ampa, gaba_a, gaba_b, nmda, got 'glu'");
    const char *l3 = "    rule: random";
    expect_fail(doc(10, l3, -1), MG_ERR_CONFIG, AT(10, l3, "rule: "), "projections.EI.rule",
                "fixed_probability", "got 'random'");
    const char *l4 = "  E: {model: hh, n: 10}";
    expect_fail(doc(3, l4, -1), MG_ERR_CONFIG, AT(3, l4, "model: "), "populations.E.model",
                "lif, adex, spike_source, poisson_source");
    const char *l5 = "record: {spikes: [E, Q]}";
    expect_fail(doc(0, l5, -1), MG_ERR_CONFIG, AT(14, l5, "[E, "), "record.spikes[1]",
                "no population named 'Q'");
    const char *l6 = "record: {state: {p: {population: E, ids: [0], vars: [v]}}}";
    expect_fail(doc(0, l6, -1), MG_ERR_CONFIG, AT(14, l6, "vars: ["), "record.state.p.vars[0]",
                "v_mV");
    const char *l7 = "  E x: {model: lif, n: 10}";
    expect_fail(doc(3, l7, -1), MG_ERR_CONFIG, KEY(3, l7, "E x"), "not a valid name");
}
END_TEST

START_TEST(test_missing_keys) {
    static const struct {
        int line;
        const char *key;
    } proj_keys[] = {{7, "from"}, {8, "to"}, {9, "receptor"}, {10, "rule"}, {12, "weight_nS"}};
    for (size_t i = 0; i < 5; i++) {
        char want[64];
        snprintf(want, sizeof want, "missing required key '%s'", proj_keys[i].key);
        expect_fail(doc(proj_keys[i].line, NULL, -1), MG_ERR_CONFIG, "model.yaml:6:3",
                    "projections.EI", want);
    }
    const char *l = "  E: {n: 10}";
    expect_fail(doc(3, l, -1), MG_ERR_CONFIG, KEY(3, l, "E"), "populations.E",
                "missing required key 'model'");
    const char *l2 = "  E: {model: lif}";
    expect_fail(doc(3, l2, -1), MG_ERR_CONFIG, KEY(3, l2, "E"), "populations.E",
                "missing required key 'n'");
    const char *l3 = "    rule: fixed_indegree";
    expect_fail(doc(10, l3, 11, NULL, -1), MG_ERR_CONFIG, "model.yaml:6:3", "projections.EI",
                "missing required key 'indegree'");
    expect_fail("run: {dt_ms: 0.1}\n", MG_ERR_CONFIG, "populations", "at least one population");
}
END_TEST

START_TEST(test_inapplicable_key) {
    const char *l = "  E: {model: lif, n: 10, rate_hz: 5}";
    expect_fail(doc(3, l, -1), MG_ERR_CONFIG, KEY(3, l, "rate_hz"), "populations.E.rate_hz",
                "only for poisson_source populations");
    const char *l2 = "    indegree: 3";
    expect_fail(doc(0, l2, -1), MG_ERR_CONFIG, KEY(14, l2, "indegree"), "projections.EI.indegree",
                "only for rule fixed_indegree");
}
END_TEST

START_TEST(test_yaml_refused) {
    expect_fail("a: &x 1\nb: *x\n", MG_ERR_CONFIG, "model.yaml:1:4", "anchors");
    expect_fail("run: {dt_ms: 0.1}\n<<: {a: 1}\n", MG_ERR_CONFIG, "model.yaml:2:1", "merge keys");
    expect_fail("run: {dt_ms: 0.1, dt_ms: 0.2}\n", MG_ERR_CONFIG, "model.yaml:1:19",
                "duplicate key 'dt_ms'");
    expect_fail("run: [1, 2\n", MG_ERR_CONFIG, "model.yaml:2:1", "YAML syntax error");
    expect_fail("run: !!map {dt_ms: 1}\n", MG_ERR_CONFIG, "model.yaml:1:6", "tags");
    expect_fail("- 1\n- 2\n", MG_ERR_CONFIG, "model.yaml:1:1", "expected a map of sections");
    expect_fail("a: 1\n---\nb: 2\n", MG_ERR_CONFIG, "model.yaml:2:1", "only one YAML document");
    char deep[300];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    deep[200] = '\0';
    expect_fail(deep, MG_ERR_DATA, "model.yaml:1:65", "nesting is too deep");
    expect_fail("", MG_ERR_CONFIG, "populations", "at least one population");
    expect_fail("run: {dt_ms: \xc3\x28}\n", MG_ERR_CONFIG, "model.yaml", "YAML syntax error");
}
END_TEST

START_TEST(test_unreadable_file) {
    mg_context *ctx = mg_context_create();
    mg_io_net_model *m = NULL;
    ck_assert_int_eq(mg_io_net_load(ctx, DATA "/no_such_model.yaml", NULL, 0, &m), MG_ERR_NOINPUT);
    ck_assert_ptr_null(m);
    ck_assert_ptr_nonnull(strstr(mg_error_message(ctx), "no_such_model.yaml"));
    ck_assert_int_eq(mg_io_net_load(ctx, DATA, NULL, 0, &m), MG_ERR_NOINPUT); /* a folder */
    mg_context_destroy(&ctx);
}
END_TEST

/* ---- bad input: values (MG_ERR_DATA) ------------------------------------------------------- */

START_TEST(test_bad_membrane) {
    const char *l = "  E: {model: lif, n: 10, C_pF: -3}";
    expect_fail(doc(3, l, -1), MG_ERR_DATA, AT(3, l, "C_pF: "), "populations.E.C_pF",
                "expected a number > 0 (pF), got -3");
    const char *l2 = "  E: {model: lif, n: 10, C_pF: 0}";
    expect_fail(doc(3, l2, -1), MG_ERR_DATA, AT(3, l2, "C_pF: "), "> 0");
    const char *l3 = "  E: {model: lif, n: 10, receptors: {ampa: {tau_decay_ms: 0}}}";
    expect_fail(doc(3, l3, -1), MG_ERR_DATA, AT(3, l3, "tau_decay_ms: "),
                "populations.E.receptors.ampa.tau_decay_ms", "> 0");
    const char *l4 = "  E: {model: adex, n: 10, tau_w_ms: -1}";
    expect_fail(doc(3, l4, -1), MG_ERR_DATA, AT(3, l4, "tau_w_ms: "), "populations.E.tau_w_ms");
    const char *l5 = "  E: {model: lif, n: 10, Vreset_mV: -40}";
    expect_fail(doc(3, l5, -1), MG_ERR_DATA, AT(3, l5, "Vreset_mV: "), "populations.E.Vreset_mV",
                "below Vth_mV");
    const char *l6 = "  E: {model: lif, n: 10, receptors: {nmda: {tau_rise_ms: 100}}}";
    expect_fail(doc(3, l6, -1), MG_ERR_DATA, "populations.E.receptors.nmda.tau_rise_ms",
                "must differ");
    const char *l7 = "  E: {model: lif, n: 10, gL_nS: .nan}";
    expect_fail(doc(3, l7, -1), MG_ERR_DATA, AT(3, l7, "gL_nS: "), "populations.E.gL_nS");
    const char *l8 = "  E: {model: lif, n: 10, EL_mV: .inf}";
    expect_fail(doc(3, l8, -1), MG_ERR_DATA, AT(3, l8, "EL_mV: "), "a finite number");
}
END_TEST

START_TEST(test_bad_run) {
    const char *l = "run: {duration_ms: 100, dt_ms: 0}";
    expect_fail(doc(1, l, -1), MG_ERR_DATA, AT(1, l, "dt_ms: "), "run.dt_ms", "got 0");
    const char *l2 = "run: {duration_ms: -5, dt_ms: 0.1}";
    expect_fail(doc(1, l2, -1), MG_ERR_DATA, AT(1, l2, "duration_ms: "), "run.duration_ms", "> 0");
    const char *l3 = "run: {duration_ms: 100, dt_ms: 0.1, seed: -1}";
    expect_fail(doc(1, l3, -1), MG_ERR_DATA, AT(1, l3, "seed: "), "run.seed");
    const char *l4 = "extracellular: {mg_mM: -1}";
    expect_fail(doc(0, l4, -1), MG_ERR_DATA, AT(14, l4, "mg_mM: "), "extracellular.mg_mM");
}
END_TEST

START_TEST(test_bad_size) {
    const char *l = "  I: {model: lif, n: 0}";
    expect_fail(doc(4, l, -1), MG_ERR_DATA, AT(4, l, "n: "), "populations.I.n",
                "expected an integer in [1, 1000000000], got '0'");
    const char *l2 = "  I: {model: lif, n: 5000000000}";
    expect_fail(doc(4, l2, -1), MG_ERR_DATA, AT(4, l2, "n: "), "populations.I.n");
    const char *l3 = "  I: {model: lif, n: 99999999999999999999999}";
    expect_fail(doc(4, l3, -1), MG_ERR_DATA, AT(4, l3, "n: "), "populations.I.n");
    const char *l4 = "  I: {model: lif, n: 2.5}";
    expect_fail(doc(4, l4, -1), MG_ERR_DATA, AT(4, l4, "n: "), "populations.I.n");
}
END_TEST

START_TEST(test_bad_delay) {
    const char *l = "    delay_ms: 0.25";
    expect_fail(doc(13, l, -1), MG_ERR_DATA, AT(13, l, "delay_ms: "), "projections.EI.delay_ms",
                "whole number of steps of run.dt_ms = 0.1 ms, got 0.25");
    const char *l2 = "    delay_ms: 0";
    expect_fail(doc(13, l2, -1), MG_ERR_DATA, AT(13, l2, "delay_ms: "), "projections.EI.delay_ms",
                "at least one step");
    const char *l3 = "    delay_ms: {dist: uniform, low: 0.1, high: 0.5, min: 0.05}";
    expect_fail(doc(13, l3, -1), MG_ERR_DATA, AT(13, l3, "min: "), "projections.EI.delay_ms.min",
                ">= 0.1");
    /* 0.3 ms is 2.9999999999999996 steps of 0.1: within the tolerance */
    char msg[1024];
    ck_assert_int_eq(
        try_load("model.yaml", doc(13, "    delay_ms: 0.3", -1), NULL, 0, msg, sizeof msg), MG_OK);
}
END_TEST

START_TEST(test_bad_probability) {
    const char *l = "    p: 1.5";
    expect_fail(doc(11, l, -1), MG_ERR_DATA, AT(11, l, "p: "), "projections.EI.p",
                "expected a number in [0, 1], got 1.5");
    const char *l2 = "    p: -0.1";
    expect_fail(doc(11, l2, -1), MG_ERR_DATA, AT(11, l2, "p: "), "projections.EI.p");
}
END_TEST

START_TEST(test_bad_indegree) {
    const char *r = "    rule: fixed_indegree", *l = "    indegree: 11";
    expect_fail(doc(10, r, 11, l, -1), MG_ERR_DATA, AT(11, l, "indegree: "),
                "projections.EI.indegree", "at most 10", "got 11");
    /* E -> E without autapses: at most n - 1 */
    const char *l2 = "    indegree: 10";
    expect_fail(doc(8, "    to: E", 10, r, 11, l2, 0, "    autapses: false", -1), MG_ERR_DATA,
                AT(11, l2, "indegree: "), "at most 9", "autapses");
    char msg[1024];
    ck_assert_int_eq(
        try_load("model.yaml", doc(8, "    to: E", 10, r, 11, l2, -1), NULL, 0, msg, sizeof msg),
        MG_OK);
    const char *l3 = "    rule: one_to_one";
    expect_fail(doc(10, l3, 11, NULL, -1), MG_ERR_DATA, AT(10, l3, "rule: "), "projections.EI",
                "equal size");
}
END_TEST

START_TEST(test_bad_distribution) {
    const char *l = "    weight_nS: {mean: 1, sd: 0.1}";
    expect_fail(doc(12, l, -1), MG_ERR_CONFIG, AT(12, l, "weight_nS: "), "projections.EI.weight_nS",
                "needs 'dist'");
    const char *l2 = "    weight_nS: {dist: gauss, mean: 1, sd: 0.1}";
    expect_fail(doc(12, l2, -1), MG_ERR_CONFIG, AT(12, l2, "dist: "),
                "projections.EI.weight_nS.dist", "const, normal, uniform, lognormal");
    const char *l3 = "    weight_nS: {dist: normal, mean: 1, sigma: 0.1}";
    expect_fail(doc(12, l3, -1), MG_ERR_CONFIG, KEY(12, l3, "sigma"),
                "projections.EI.weight_nS.sigma", "its keys are dist, mean, sd, min, max");
    const char *l4 = "    weight_nS: {dist: normal, mean: 1, sd: 0.1, min: -1}";
    expect_fail(doc(12, l4, -1), MG_ERR_DATA, AT(12, l4, "min: "), "projections.EI.weight_nS.min",
                ">= 0");
    const char *l5 = "    weight_nS: {dist: uniform, low: 2, high: 1}";
    expect_fail(doc(12, l5, -1), MG_ERR_DATA, AT(12, l5, "high: "), "projections.EI.weight_nS.high",
                ">= low");
    const char *l6 = "    weight_nS: -2";
    expect_fail(doc(12, l6, -1), MG_ERR_DATA, AT(12, l6, "weight_nS: "), ">= 0");
    const char *l7 = "    weight_nS: {dist: normal, mean: 1}";
    expect_fail(doc(12, l7, -1), MG_ERR_CONFIG, AT(12, l7, "weight_nS: "), "needs 'sd'");
}
END_TEST

START_TEST(test_bad_schedule) {
    const char *l = "  schedule: [{t_ms: 50, mg_mM: 1}, {t_ms: 20, mg_mM: 2}]";
    expect_fail(doc(0, "extracellular:", 0, l, -1), MG_ERR_DATA, AT(15, l, "}, {t_ms: "),
                "extracellular.schedule[1].t_ms", "must increase");
    const char *l2 = "  schedule: [{t_ms: 150, mg_mM: 1}]";
    expect_fail(doc(0, "extracellular:", 0, l2, -1), MG_ERR_DATA, AT(15, l2, "t_ms: "),
                "extracellular.schedule[0].t_ms", "within run.duration_ms");
    const char *l3 = "  schedule: [{t_ms: 50, mg: 1}]";
    expect_fail(doc(0, "extracellular:", 0, l3, -1), MG_ERR_CONFIG, KEY(15, l3, "mg:"),
                "extracellular.schedule[0].mg", "did you mean 'mg_mM'");
}
END_TEST

START_TEST(test_bad_spike_source) {
    const char *l = "  S: {model: spike_source, n: 2, spike_times_ms: [1, 2], spike_ids: [0]}";
    expect_fail(doc(4, l, -1), MG_ERR_DATA, AT(4, l, "spike_ids: "), "populations.S.spike_ids",
                "expected 2 ids");
    const char *l2 = "  S: {model: spike_source, n: 2, spike_times_ms: [1, 2], spike_ids: [0, 2]}";
    expect_fail(doc(4, l2, 7, "    from: S", 8, "    to: E", -1), MG_ERR_DATA,
                AT(4, l2, "spike_ids: [0, "), "populations.S.spike_ids[1]", "out of range");
    const char *l3 = "  S: {model: spike_source, n: 2, spike_times_ms: [1, -2]}";
    expect_fail(doc(4, l3, -1), MG_ERR_DATA, AT(4, l3, "[1, "), "populations.S.spike_times_ms[1]",
                ">= 0");
    /* a source cannot receive synapses */
    const char *l4 = "  I: {model: poisson_source, n: 5, rate_hz: 3}";
    expect_fail(doc(4, l4, -1), MG_ERR_CONFIG, AT(8, "    to: I", "to: "), "projections.EI.to",
                "poisson_source");
}
END_TEST

START_TEST(test_bad_inputs) {
    const char *l =
        "  bg: {type: poisson, target: E, first: 8, count: 5, rate_hz: 1, weight_nS: 1}";
    expect_fail(doc(0, "inputs:", 0, l, -1), MG_ERR_DATA, AT(15, l, "count: "), "inputs.bg.count",
                "outside population E");
    const char *l2 = "  bg: {type: current_step, target: E, amp_pA: 5, start_ms: 9, stop_ms: 3}";
    expect_fail(doc(0, "inputs:", 0, l2, -1), MG_ERR_DATA, AT(15, l2, "stop_ms: "),
                "inputs.bg.stop_ms", ">= start_ms");
    const char *l3 = "  bg: {type: poisson, target: E, rate_hz: 1}";
    expect_fail(doc(0, "inputs:", 0, l3, -1), MG_ERR_CONFIG, KEY(15, l3, "bg"), "inputs.bg",
                "missing required key 'weight_nS'");
    const char *l4 = "  bg: {type: current_step, target: E, amp_pA: 5, rate_hz: 1}";
    expect_fail(doc(0, "inputs:", 0, l4, -1), MG_ERR_CONFIG, KEY(15, l4, "rate_hz"),
                "inputs.bg.rate_hz", "only for type poisson");
    const char *l5 = "    p: {population: E, ids: [0, 10], vars: [v_mV]}";
    expect_fail(doc(0, "record:", 0, "  state:", 0, l5, -1), MG_ERR_DATA,
                loc("model.yaml", 16, l5, "[0, ", 0), "record.state.p.ids[1]", "out of range");
    const char *l6 = "    p: {population: E, ids: [0], vars: [v_mV], interval_ms: 0.15}";
    expect_fail(doc(0, "record:", 0, "  state:", 0, l6, -1), MG_ERR_DATA,
                AT(16, l6, "interval_ms: "), "record.state.p.interval_ms", "whole number");
}
END_TEST

START_TEST(test_edge_list_errors) {
    const char *name = DATA "/model.yaml"; /* relative files resolve in tests/data/loader */
    const char *r = "    rule: edge_list";
    const char *f1 = "    file: edges_oor.csv";
    expect_fail_named(name, doc(10, r, 11, f1, -1), NULL, 0, MG_ERR_DATA,
                      "edges_oor.csv:4:", "pre = 20 is out of range", "population E has 10 neurons",
                      AT(11, f1, "file: "), "projections.EI.file", NULL);
    const char *f2 = "    file: edges_cols.csv";
    expect_fail_named(name, doc(10, r, 11, f2, -1), NULL, 0, MG_ERR_DATA,
                      "edges_cols.csv:3:", "expected 3 columns", NULL);
    const char *f3 = "    file: edges_header.csv";
    expect_fail_named(name, doc(10, r, 11, f3, -1), NULL, 0, MG_ERR_DATA,
                      "edges_header.csv:1:", "header pre,post", NULL);
    const char *f4 = "    file: edges_delay.csv";
    expect_fail_named(name, doc(10, r, 11, f4, -1), NULL, 0, MG_ERR_DATA,
                      "edges_delay.csv:3:", "delay_ms", "0.15", NULL);
    const char *f5 = "    file: no_such_edges.csv";
    expect_fail_named(name, doc(10, r, 11, f5, -1), NULL, 0, MG_ERR_NOINPUT, AT(11, f5, "file: "),
                      "no_such_edges.csv", NULL);
    const char *f6 = "    file: .";
    expect_fail_named(name, doc(10, r, 11, f6, -1), NULL, 0, MG_ERR_NOINPUT, "not a regular file",
                      NULL);
    /* p with an edge list is refused; the list itself loads */
    expect_fail_named(name, doc(10, r, 0, "    file: edges_ok.csv", -1), NULL, 0, MG_ERR_CONFIG,
                      "projections.EI.p", "only for rule fixed_probability", NULL);
}
END_TEST

START_TEST(test_too_big) {
    const char *l1 = "run: {duration_ms: 100, dt_ms: 0.1, max_memory_mb: 100}";
    const char *big = doc(1, l1, 3, "  E: {model: lif, n: 100000}", 4,
                          "  I: {model: lif, n: 100000}", 10, "    rule: all_to_all", 11, NULL, -1);
    expect_fail(big, MG_ERR_TOO_BIG, "model.yaml:6:3: projections.EI: the network needs",
                "for 1.0e+10 synapses (this projection 1.0e+10)",
                "more than the 100.0 MiB limit (run.max_memory_mb)");
    /* sizes whose products overflow 32 bits (and any memory) are refused, not wrapped */
    const char *huge =
        doc(3, "  E: {model: lif, n: 1000000000}", 4, "  I: {model: lif, n: 1000000000}", 10,
            "    rule: all_to_all", 11, NULL, -1);
    expect_fail(huge, MG_ERR_TOO_BIG, "projections.EI", "1.0e+18 synapses");
}
END_TEST

/* ---- documentation and robustness ---------------------------------------------------------- */

START_TEST(test_print_keys) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    mg_io_net_print_keys(f);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(buf, "populations.*.C_pF"));
    ck_assert_ptr_nonnull(strstr(buf, "projections.*.delay_ms"));
    ck_assert_ptr_nonnull(strstr(buf, "record.state.*.interval_ms"));
    ck_assert_ptr_nonnull(strstr(buf, "end of run"));
    /* defaults come from the engine: the LIF capacitance default is printed */
    mg_pop_spec p;
    mg_pop_spec_defaults(&p, "x", MG_NEURON_LIF, 1);
    char line[128];
    snprintf(line, sizeof line, "populations.*.C_pF");
    const char *at = strstr(buf, line);
    char want[32];
    snprintf(want, sizeof want, " %g ", p.C_pF);
    ck_assert_ptr_nonnull(strstr(at, want));
    free(buf);
}
END_TEST

/* A thousand mutations of a valid model: never a crash or a leak (the sanitizers watch). */
START_TEST(test_mutations) {
    FILE *f = fopen(DATA "/full.yaml", "rb");
    ck_assert_ptr_nonnull(f);
    char text[8192];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    static const char alphabet[] = "{}[]:,-#&*!|>'\"\n .0123456789eE_abcdnul";
    uint64_t x = 88172645463325252ull; /* xorshift64 */
    char buf[8300];
    int ok = 0;
    mg_context *ctx = mg_context_create();
    for (int it = 0; it < 1000; it++) {
        memcpy(buf, text, n + 1);
        size_t len = n;
        int edits = 1 + it % 4;
        for (int e = 0; e < edits; e++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            size_t pos = (size_t)(x % len);
            char c = alphabet[(x >> 32) % (sizeof alphabet - 1)];
            if ((x >> 20) % 3 == 0 && len > 1) { /* delete */
                memmove(buf + pos, buf + pos + 1, len - pos);
                len--;
            } else if ((x >> 20) % 3 == 1 && len < sizeof buf - 2) { /* insert */
                memmove(buf + pos + 1, buf + pos, len - pos + 1);
                buf[pos] = c;
                len++;
            } else {
                buf[pos] = c;
            }
        }
        mg_io_net_model *m = NULL;
        /* named in the data folder so the edge list resolves */
        mg_status st = mg_io_net_load_buffer(ctx, DATA "/mutant.yaml", buf, len, NULL, 0, &m);
        if (st == MG_OK) {
            ok++;
            ck_assert_ptr_nonnull(m);
        } else {
            ck_assert_ptr_null(m);
            ck_assert_msg(mg_error_message(ctx)[0] != '\0', "status %d without a message", st);
            ck_assert(st == MG_ERR_CONFIG || st == MG_ERR_DATA || st == MG_ERR_NOINPUT ||
                      st == MG_ERR_TOO_BIG);
        }
        mg_io_net_model_free(&m);
    }
    mg_context_destroy(&ctx);
    ck_assert_int_gt(ok, 0); /* some mutations (e.g. in comments) still load */
}
END_TEST

START_TEST(test_same_as) {
    /* a projection reusing the contacts of an earlier one (the NMDA part of AMPA synapses) */
    const char *ok =
        "  EIn: {from: E, to: I, receptor: nmda, rule: same_as, same_as: EI, weight_nS: 2}";
    char path[512];
    snprintf(path, sizeof path, "%s/same_as_ok.yaml", MGSIM_TEST_TMP);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(doc(0, ok, 0, "nmda: {saturating: true, exact: true}", -1), f);
    fclose(f);
    mg_io_net_model *m = load_file(path, NULL, 0);
    const mg_net_spec *s = mg_io_net_model_spec(m);
    const mg_proj_spec *p = proj(s, "EIn");
    ck_assert_int_eq(p->conn, MG_CONN_SAME_AS);
    ck_assert_str_eq(s->projs[p->share_proj].name, "EI");
    ck_assert_int_eq(p->receptor, MG_RECEPTOR_NMDA);
    assert_const(p->weight_nS, 2.0);
    ck_assert_int_eq(s->nmda.saturating, 1);
    ck_assert_int_eq(s->nmda.exact, 1);
    mg_io_net_model_free(&m);
    /* an unknown, later or own name; other populations; a delay of its own */
    const char *l1 =
        "  EIn: {from: E, to: I, receptor: nmda, rule: same_as, same_as: XY, weight_nS: 2}";
    expect_fail(doc(0, l1, -1), MG_ERR_CONFIG, AT(14, l1, "same_as: "), "projections.EIn.same_as",
                "no projection named 'XY'");
    const char *l2 =
        "  EIn: {from: E, to: I, receptor: nmda, rule: same_as, same_as: EIn, weight_nS: 2}";
    expect_fail(doc(0, l2, -1), MG_ERR_CONFIG, AT(14, l2, "same_as: "), "projections.EIn.same_as",
                "earlier projection");
    const char *l3 =
        "  EEn: {from: E, to: E, receptor: nmda, rule: same_as, same_as: EI, weight_nS: 2}";
    expect_fail(doc(0, l3, -1), MG_ERR_CONFIG, AT(14, l3, "same_as: "), "projections.EEn.same_as",
                "same populations");
    const char *l4 =
        "  EIn: {from: E, to: I, receptor: nmda, rule: same_as, same_as: EI, weight_nS: 2, "
        "delay_ms: 0.2}";
    expect_fail(doc(0, l4, -1), MG_ERR_CONFIG, "projections.EIn.delay_ms");
}
END_TEST

static Suite *loader_suite(void) {
    Suite *s = suite_create("loader");
    TCase *tc = tcase_create("examples");
    tcase_add_test(tc, test_coba_example);
    tcase_add_test(tc, test_wang_mg_example);
    tcase_add_test(tc, test_full_model);
    tcase_add_test(tc, test_set_overrides);
    tcase_add_test(tc, test_set_errors);
    tcase_add_test(tc, test_resolved_roundtrip);
    tcase_add_test(tc, test_resolved_with_sets);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_test(tc, test_base_is_valid);
    tcase_add_test(tc, test_unknown_key);
    tcase_add_test(tc, test_wrong_type);
    tcase_add_test(tc, test_unknown_names);
    tcase_add_test(tc, test_missing_keys);
    tcase_add_test(tc, test_inapplicable_key);
    tcase_add_test(tc, test_yaml_refused);
    tcase_add_test(tc, test_unreadable_file);
    tcase_add_test(tc, test_bad_membrane);
    tcase_add_test(tc, test_bad_run);
    tcase_add_test(tc, test_bad_size);
    tcase_add_test(tc, test_bad_delay);
    tcase_add_test(tc, test_bad_probability);
    tcase_add_test(tc, test_bad_indegree);
    tcase_add_test(tc, test_bad_distribution);
    tcase_add_test(tc, test_bad_schedule);
    tcase_add_test(tc, test_bad_spike_source);
    tcase_add_test(tc, test_bad_inputs);
    tcase_add_test(tc, test_edge_list_errors);
    tcase_add_test(tc, test_too_big);
    tcase_add_test(tc, test_same_as);
    suite_add_tcase(s, tc);
    tc = tcase_create("robustness");
    tcase_add_test(tc, test_print_keys);
    tcase_add_test(tc, test_mutations);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(loader_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
