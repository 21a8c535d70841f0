/* The resolved model: every key of a loaded model with the value used (see mgsim/io.h).
 * Written with libyaml's emitter, walking the same key table as the loader, so
 * that loading the file back gives the same spec. */
#include "mgsim/io.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "io/net_keys.h"
#include "io/net_model.h"

#define MAX_NEST 8

typedef struct {
    yaml_emitter_t em;
    int failed;
    const mg_io_net_model *m;
    size_t proj; /* the projection being written (for its edge-list file) */
    char open[MAX_NEST][64];
    int nopen;
} writer;

static void emit(writer *w, yaml_event_t *ev, int ok) {
    if (w->failed)
        return;
    if (!ok || !yaml_emitter_emit(&w->em, ev))
        w->failed = 1;
}

static void scalar(writer *w, const char *s, yaml_scalar_style_t style) {
    yaml_event_t ev;
    int ok = yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1,
                                          style);
    emit(w, &ev, ok);
}

static void map_start(writer *w, int flow) {
    yaml_event_t ev;
    int ok = yaml_mapping_start_event_initialize(
        &ev, NULL, NULL, 1, flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE);
    emit(w, &ev, ok);
}

static void map_end(writer *w) {
    yaml_event_t ev;
    int ok = yaml_mapping_end_event_initialize(&ev);
    emit(w, &ev, ok);
}

static void seq_start(writer *w) {
    yaml_event_t ev;
    int ok = yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_FLOW_SEQUENCE_STYLE);
    emit(w, &ev, ok);
}

static void seq_end(writer *w) {
    yaml_event_t ev;
    int ok = yaml_sequence_end_event_initialize(&ev);
    emit(w, &ev, ok);
}

/* The shortest text that reads back as exactly v. */
static void number(writer *w, double v) {
    char buf[40];
    mg_netkeys_format_number(v, buf, sizeof buf);
    scalar(w, buf, YAML_PLAIN_SCALAR_STYLE);
}

/* A name: plain, unless it would read back as a null, a boolean or a number. */
static void name(writer *w, const char *s) {
    double d;
    int odd = !*s || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL") ||
              !strcasecmp(s, "true") || !strcasecmp(s, "false") || mg_netkeys_parse_number(s, &d);
    scalar(w, s, odd ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_PLAIN_SCALAR_STYLE);
}

static void key_number(writer *w, const char *k, double v) {
    scalar(w, k, YAML_PLAIN_SCALAR_STYLE);
    number(w, v);
}

/* Close and open nested maps so that the maps of the parents of rel are open. */
static void nest(writer *w, const char *rel) {
    char comps[MAX_NEST][64];
    int n = 0;
    const char *p = rel;
    for (;;) {
        size_t len = strcspn(p, ".");
        if (!p[len])
            break; /* the last component is the key itself */
        if (n < MAX_NEST && len < 64) {
            memcpy(comps[n], p, len);
            comps[n][len] = '\0';
            n++;
        }
        p += len + 1;
    }
    int common = 0;
    while (common < n && common < w->nopen && strcmp(comps[common], w->open[common]) == 0)
        common++;
    while (w->nopen > common) {
        map_end(w);
        w->nopen--;
    }
    for (; w->nopen < n; w->nopen++) {
        scalar(w, comps[w->nopen], YAML_PLAIN_SCALAR_STYLE);
        map_start(w, 0);
        memcpy(w->open[w->nopen], comps[w->nopen], 64);
    }
}

static void unnest(writer *w) {
    while (w->nopen > 0) {
        map_end(w);
        w->nopen--;
    }
}

static void dist(writer *w, const mg_net_key *k, const mg_dist *d) {
    double dt = w->m->spec.dt_ms;
    double lo_default = (k->flags & MG_KEY_CLIP_ZERO) ? 0.0
                        : (k->flags & MG_KEY_CLIP_DT) ? dt
                                                      : -INFINITY;
    if (d->kind == MG_DIST_CONST && d->lo == lo_default && d->hi == INFINITY) {
        number(w, d->a);
        return;
    }
    static const char *const params[][2] = {
        {"value", NULL}, {"mean", "sd"}, {"low", "high"}, {"mu", "sigma"}};
    int kind = (int)d->kind;
    if (kind < 0 || kind > 3)
        kind = 0;
    map_start(w, 1);
    scalar(w, "dist", YAML_PLAIN_SCALAR_STYLE);
    scalar(w, mg_netkeys_dist_names()[kind], YAML_PLAIN_SCALAR_STYLE);
    key_number(w, params[kind][0], d->a);
    if (params[kind][1])
        key_number(w, params[kind][1], d->b);
    key_number(w, "min", d->lo);
    key_number(w, "max", d->hi);
    map_end(w);
}

static void value(writer *w, const mg_net_key *k, const void *base) {
    const char *p = (const char *)base + k->offset;
    const mg_net_spec *sp = &w->m->spec;
    const mg_io_net_outputs *o = &w->m->outputs;
    char buf[32];
    double d;
    uint32_t u;
    uint64_t u64;
    int i;
    size_t cnt;
    switch (k->type) {
        case MG_KEY_NUMBER:
            memcpy(&d, p, sizeof d);
            number(w, d);
            return;
        case MG_KEY_U32:
            memcpy(&u, p, sizeof u);
            snprintf(buf, sizeof buf, "%u", u);
            scalar(w, buf, YAML_PLAIN_SCALAR_STYLE);
            return;
        case MG_KEY_U64:
            memcpy(&u64, p, sizeof u64);
            snprintf(buf, sizeof buf, "%llu", (unsigned long long)u64);
            scalar(w, buf, YAML_PLAIN_SCALAR_STYLE);
            return;
        case MG_KEY_BOOL:
            memcpy(&i, p, sizeof i);
            scalar(w, i ? "true" : "false", YAML_PLAIN_SCALAR_STYLE);
            return;
        case MG_KEY_ENUM:
        case MG_KEY_RECEPTOR: {
            memcpy(&i, p, sizeof i);
            const char *s = mg_netkeys_enum_name(k, i);
            scalar(w, s ? s : "?", YAML_PLAIN_SCALAR_STYLE);
            return;
        }
        case MG_KEY_POP:
            memcpy(&u, p, sizeof u);
            name(w, u < sp->n_pops ? sp->pops[u].name : "?");
            return;
        case MG_KEY_PROJ:
            memcpy(&u, p, sizeof u);
            name(w, u < sp->n_projs ? sp->projs[u].name : "?");
            return;
        case MG_KEY_DIST: {
            mg_dist dd;
            memcpy(&dd, p, sizeof dd);
            dist(w, k, &dd);
            return;
        }
        case MG_KEY_TIMES: {
            const double *t;
            memcpy(&t, p, sizeof t);
            memcpy(&cnt, (const char *)base + k->offset2, sizeof cnt);
            seq_start(w);
            for (size_t j = 0; j < cnt; j++)
                number(w, t[j]);
            seq_end(w);
            return;
        }
        case MG_KEY_IDS: {
            const uint32_t *ids;
            memcpy(&ids, p, sizeof ids);
            memcpy(&cnt, (const char *)base + k->offset2, sizeof cnt);
            seq_start(w);
            for (size_t j = 0; ids && j < cnt; j++) {
                snprintf(buf, sizeof buf, "%u", ids[j]);
                scalar(w, buf, YAML_PLAIN_SCALAR_STYLE);
            }
            seq_end(w);
            return;
        }
        case MG_KEY_VARS: {
            unsigned bits;
            memcpy(&bits, p, sizeof bits);
            seq_start(w);
            for (int j = 0; j < mg_netkeys_enum_count(k); j++)
                if (bits & (1u << j))
                    scalar(w, mg_netkeys_enum_name(k, j), YAML_PLAIN_SCALAR_STYLE);
            seq_end(w);
            return;
        }
        case MG_KEY_POPS:
            seq_start(w);
            for (size_t j = 0; sp->record_spikes && j < sp->n_pops; j++)
                if (sp->record_spikes[j])
                    name(w, sp->pops[j].name);
            seq_end(w);
            return;
        case MG_KEY_FORMATS:
            seq_start(w);
            if (o->spikes_sonata)
                scalar(w, mg_netkeys_enum_name(k, 0), YAML_PLAIN_SCALAR_STYLE);
            if (o->spikes_csv)
                scalar(w, mg_netkeys_enum_name(k, 1), YAML_PLAIN_SCALAR_STYLE);
            seq_end(w);
            return;
        case MG_KEY_SCHEDULE:
            seq_start(w);
            for (size_t j = 0; j < sp->n_mg_schedule; j++) {
                map_start(w, 1);
                key_number(w, "t_ms", sp->mg_schedule[j].t_ms);
                key_number(w, "mg_mM", sp->mg_schedule[j].mg_mM);
                map_end(w);
            }
            seq_end(w);
            return;
        case MG_KEY_GBSET: {
            const mg_net_plast_spec *pl = (const mg_net_plast_spec *)(const void *)p;
            name(w, pl->params);
            return;
        }
        case MG_KEY_SYNAPSES:
            memcpy(&u64, p, sizeof u64);
            if (u64 == 0) {
                scalar(w, "all", YAML_PLAIN_SCALAR_STYLE);
                return;
            }
            snprintf(buf, sizeof buf, "%llu", (unsigned long long)u64);
            scalar(w, buf, YAML_PLAIN_SCALAR_STYLE);
            return;
        case MG_KEY_FILE: {
            const char *f = w->m->edge_files ? w->m->edge_files[w->proj] : NULL;
            scalar(w, f ? f : "", YAML_DOUBLE_QUOTED_SCALAR_STYLE);
            return;
        }
    }
}

/* Is there something to write for key k of base? (Optional lists left out when empty.) */
static int present(const mg_net_key *k, const void *base, const mg_net_spec *sp) {
    size_t cnt = 0;
    const void *ptr = NULL;
    switch (k->type) {
        case MG_KEY_TIMES:
        case MG_KEY_IDS:
            memcpy(&ptr, (const char *)base + k->offset, sizeof ptr);
            memcpy(&cnt, (const char *)base + k->offset2, sizeof cnt);
            return ptr != NULL && (cnt > 0 || k->owner == MG_KEYS_STATE);
        case MG_KEY_SCHEDULE:
            return sp->n_mg_schedule > 0;
        default:
            break;
    }
    if (k->owner == MG_KEYS_PROJ) {
        /* plastic: the weight comes from rho; static: no plasticity block */
        const mg_proj_spec *pj = base;
        int plastic = pj->plast.rule != MG_NET_PLAST_NONE;
        if (strncmp(k->key, "projections.*.plasticity.", 25) == 0) {
            if (!plastic)
                return 0;
            /* each rule's own values (and the shared rule, weight range and rho_init) */
            static const char *const stdp_keys[] = {"tau_plus_ms", "tau_minus_ms", "tau_x_ms",
                                                    "tau_y_ms",    "a2_plus",      "a2_minus",
                                                    "a3_plus",     "a3_minus"};
            static const char *const common[] = {"rule", "rho_init"};
            const char *leaf = k->key + 25;
            for (size_t c = 0; c < sizeof common / sizeof common[0]; c++)
                if (strcmp(leaf, common[c]) == 0)
                    return 1;
            int shouval = pj->plast.rule == MG_NET_PLAST_SHOUVAL2002;
            if (strncmp(leaf, "shouval.", 8) == 0 || strcmp(leaf, "w_scale_nS") == 0)
                return shouval;
            if ((strcmp(leaf, "nmda_scale") == 0 || strcmp(leaf, "tox_threshold") == 0) && shouval)
                return 1;
            if (shouval)
                return 0;
            if (strcmp(leaf, "w_min_nS") == 0 || strcmp(leaf, "w_max_nS") == 0)
                return 1;
            int is_stdp_key = 0;
            for (size_t c = 0; c < sizeof stdp_keys / sizeof stdp_keys[0]; c++)
                is_stdp_key |= strcmp(leaf, stdp_keys[c]) == 0;
            int stdp = pj->plast.rule == MG_NET_PLAST_STDP_PAIR ||
                       pj->plast.rule == MG_NET_PLAST_STDP_TRIPLET;
            return is_stdp_key == stdp;
        }
        if (strcmp(k->key, "projections.*.weight_nS") == 0)
            return !plastic;
    }
    return 1;
}

/* Write the keys of owner (below pattern) that apply to variant, from base. */
static void entries(writer *w, mg_key_owner owner, const char *pattern, unsigned variant,
                    const void *base) {
    size_t nt, plen = strlen(pattern);
    const mg_net_key *t = mg_netkeys_table(&nt);
    for (size_t i = 0; i < nt; i++) {
        const mg_net_key *k = &t[i];
        if (k->owner != owner || (plen && strncmp(k->key, pattern, plen) != 0))
            continue;
        if ((k->applies && !(k->applies & variant)) || !present(k, base, &w->m->spec))
            continue;
        const char *rel = k->key + plen + (plen ? 1 : 0);
        nest(w, rel);
        const char *leaf = strrchr(rel, '.');
        scalar(w, leaf ? leaf + 1 : rel, YAML_PLAIN_SCALAR_STYLE);
        value(w, k, base);
    }
    unnest(w);
}

static int write_handler(void *data, unsigned char *buffer, size_t size) {
    return fwrite(buffer, 1, size, (FILE *)data) == size;
}

static void document(writer *w) {
    const mg_net_spec *sp = &w->m->spec;
    yaml_event_t ev;
    emit(w, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
    emit(w, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
    map_start(w, 0);
    entries(w, MG_KEYS_RUN, "", 0, sp);

    scalar(w, "populations", YAML_PLAIN_SCALAR_STYLE);
    map_start(w, 0);
    for (size_t i = 0; i < sp->n_pops; i++) {
        name(w, sp->pops[i].name);
        map_start(w, 0);
        entries(w, MG_KEYS_POP, "populations.*", 1u << sp->pops[i].kind, &sp->pops[i]);
        map_end(w);
    }
    map_end(w);

    scalar(w, "projections", YAML_PLAIN_SCALAR_STYLE);
    map_start(w, sp->n_projs == 0);
    for (size_t i = 0; i < sp->n_projs; i++) {
        w->proj = i;
        name(w, sp->projs[i].name);
        map_start(w, 0);
        entries(w, MG_KEYS_PROJ, "projections.*", 1u << sp->projs[i].conn, &sp->projs[i]);
        map_end(w);
    }
    map_end(w);

    scalar(w, "inputs", YAML_PLAIN_SCALAR_STYLE);
    map_start(w, sp->n_inputs == 0);
    for (size_t i = 0; i < sp->n_inputs; i++) {
        name(w, sp->inputs[i].name);
        map_start(w, 0);
        entries(w, MG_KEYS_INPUT, "inputs.*", 1u << sp->inputs[i].kind, &sp->inputs[i]);
        map_end(w);
    }
    map_end(w);

    scalar(w, "record", YAML_PLAIN_SCALAR_STYLE);
    map_start(w, 0);
    entries(w, MG_KEYS_OUTPUT, "record", 0, &w->m->outputs);
    if (sp->n_state_recs > 0) {
        scalar(w, "state", YAML_PLAIN_SCALAR_STYLE);
        map_start(w, 0);
        for (size_t i = 0; i < sp->n_state_recs; i++) {
            name(w, sp->state_recs[i].name);
            map_start(w, 0);
            entries(w, MG_KEYS_STATE, "record.state.*", 0, &sp->state_recs[i]);
            map_end(w);
        }
        map_end(w);
    }
    if (sp->n_weight_recs > 0) {
        scalar(w, "weights", YAML_PLAIN_SCALAR_STYLE);
        map_start(w, 0);
        for (size_t i = 0; i < sp->n_weight_recs; i++) {
            name(w, sp->weight_recs[i].name);
            map_start(w, 0);
            entries(w, MG_KEYS_WREC, "record.weights.*", 0, &sp->weight_recs[i]);
            map_end(w);
        }
        map_end(w);
    }
    map_end(w);

    map_end(w);
    emit(w, &ev, yaml_document_end_event_initialize(&ev, 1));
    emit(w, &ev, yaml_stream_end_event_initialize(&ev));
}

mg_status mg_io_net_write_resolved(mg_context *ctx, const mg_io_net_model *model,
                                   const char *path) {
    if (!model || !path)
        return mg_error_raise(ctx, MG_ERR_USAGE,
                              "mg_io_net_write_resolved: model and path must not be NULL");
    size_t len = strlen(path) + 5;
    char *tmp = malloc(len);
    if (!tmp)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "%s: out of memory", path);
    snprintf(tmp, len, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        mg_status st =
            mg_error_raise(ctx, MG_ERR_CANTCREAT, "%s: cannot create: %s", tmp, strerror(errno));
        free(tmp);
        return st;
    }
    fprintf(f,
            "# mgsim %s: the resolved network model, every key with the value used\n"
            "# (defaults filled in). `mgsim net --help` lists the keys.\n",
            mg_version_string());
    writer w = {.m = model};
    if (!yaml_emitter_initialize(&w.em)) {
        fclose(f);
        remove(tmp);
        free(tmp);
        return mg_error_raise(ctx, MG_ERR_NOMEM, "%s: out of memory", path);
    }
    yaml_emitter_set_output(&w.em, write_handler, f);
    yaml_emitter_set_width(&w.em, 100);
    yaml_emitter_set_unicode(&w.em, 1);
    document(&w);
    if (!w.failed && !yaml_emitter_flush(&w.em))
        w.failed = 1;
    yaml_emitter_delete(&w.em);
    int bad = w.failed || fflush(f) != 0 || ferror(f);
    int e = errno;
    if (fclose(f) != 0)
        bad = 1;
    mg_status st = MG_OK;
    if (bad)
        st = mg_error_raise(ctx, MG_ERR_IO, "%s: cannot write the resolved model: %s", tmp,
                            e ? strerror(e) : "emitter error");
    else if (rename(tmp, path) != 0)
        st = mg_error_raise(ctx, MG_ERR_CANTCREAT, "%s: cannot rename %s to it: %s", path, tmp,
                            strerror(errno));
    if (st)
        remove(tmp);
    free(tmp);
    return st;
}
