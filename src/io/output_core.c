/* Result writers: the output folder, temporary files and their commit, and the
 * callbacks that dispatch the engine's results to each writer. */
#include "io/output_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* stdio buffer of each CSV file: rows reach the disk in large writes. */
#define MG_OUT_CSV_BUFFER (1u << 20)

mg_status mg_out_fail(mg_output *o, mg_status status, const char *fmt, ...) {
    if (o->err == MG_OK) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(o->err_msg, sizeof o->err_msg, fmt, ap);
        va_end(ap);
        o->err = status;
    }
    return mg_error_raise(o->ctx, o->err, "%s", o->err_msg);
}

static char *concat4(const char *a, const char *b, const char *c, const char *d) {
    size_t n = strlen(a) + strlen(b) + strlen(c) + strlen(d) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s%s%s", a, b, c, d);
    return s;
}

/* A name usable as a file name, an HDF5 link name and a CSV field: not empty,
 * not "." or "..", without '/', ',', '"' or control characters. */
static int plain_name(const char *name) {
    if (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return 0;
    for (const unsigned char *c = (const unsigned char *)name; *c; c++)
        if (*c < 0x20 || *c == 0x7f || *c == '/' || *c == ',' || *c == '"')
            return 0;
    return 1;
}

mg_status mg_output_make_dirs(mg_context *ctx, const char *dir) {
    size_t len = strlen(dir);
    if (len == 0)
        return mg_error_raise(ctx, MG_ERR_CANTCREAT, "output folder name is empty");
    char *path = malloc(len + 1);
    if (!path)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    memcpy(path, dir, len + 1);
    mg_status st = MG_OK;
    for (size_t i = 1; i <= len && st == MG_OK; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char saved = path[i];
        path[i] = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST) {
            st = mg_error_raise(ctx, MG_ERR_CANTCREAT, "cannot create output folder %s: %s", path,
                                strerror(errno));
        } else {
            struct stat sb;
            if (stat(path, &sb) != 0)
                st = mg_error_raise(ctx, MG_ERR_CANTCREAT, "cannot create output folder %s: %s",
                                    path, strerror(errno));
            else if (!S_ISDIR(sb.st_mode))
                st = mg_error_raise(ctx, MG_ERR_CANTCREAT,
                                    "cannot create output folder %s: %s exists and is not a folder",
                                    dir, path);
        }
        path[i] = saved;
    }
    free(path);
    return st;
}

mg_status mg_out_file_add(mg_output *o, const char *name, size_t *index) {
    if (!plain_name(name))
        return mg_error_raise(o->ctx, MG_ERR_DATA, "output file name \"%s\" is not a plain name",
                              name);
    for (size_t i = 0; i < o->n_files; i++)
        if (strcmp(o->files[i].name, name) == 0)
            return mg_error_raise(o->ctx, MG_ERR_DATA, "output file %s is written twice", name);
    if (o->n_files == o->cap_files) {
        size_t cap = o->cap_files ? 2 * o->cap_files : 8;
        mg_out_file *f = realloc(o->files, cap * sizeof *f);
        if (!f)
            return mg_error_raise(o->ctx, MG_ERR_NOMEM, "out of memory");
        o->files = f;
        o->cap_files = cap;
    }
    mg_out_file *f = &o->files[o->n_files];
    memset(f, 0, sizeof *f);
    f->name = concat4(name, "", "", "");
    f->tmp_path = concat4(o->dir, "/.", name, ".part");
    f->final_path = concat4(o->dir, "/", name, "");
    o->n_files++; /* even when incomplete, so destroy frees it */
    if (!f->name || !f->tmp_path || !f->final_path)
        return mg_error_raise(o->ctx, MG_ERR_NOMEM, "out of memory");
    if (index)
        *index = o->n_files - 1;
    return MG_OK;
}

mg_status mg_out_csv_open(mg_output *o, mg_out_csv *csv, size_t file) {
    const char *path = o->files[file].tmp_path;
    csv->file = file;
    csv->f = fopen(path, "w");
    if (!csv->f)
        return mg_error_raise(o->ctx, MG_ERR_CANTCREAT, "cannot create %s: %s", path,
                              strerror(errno));
    csv->buf = malloc(MG_OUT_CSV_BUFFER);
    if (csv->buf)
        setvbuf(csv->f, csv->buf, _IOFBF, MG_OUT_CSV_BUFFER);
    return MG_OK;
}

mg_status mg_out_csv_close(mg_output *o, mg_out_csv *csv) {
    if (!csv->f)
        return MG_OK;
    int bad = ferror(csv->f);
    int err = 0;
    if (fflush(csv->f) != 0) {
        bad = 1;
        err = errno;
    }
    if (fclose(csv->f) != 0 && !bad) {
        bad = 1;
        err = errno;
    }
    csv->f = NULL;
    free(csv->buf);
    csv->buf = NULL;
    if (bad && o)
        return mg_out_fail(o, MG_ERR_IO, "cannot write %s: %s", o->files[csv->file].tmp_path,
                           err ? strerror(err) : "write error");
    return MG_OK;
}

static int on_spikes(void *user, uint32_t pop, double t_ms, const uint32_t *ids, size_t n) {
    mg_output *o = user;
    if (o->err != MG_OK)
        return 1;
    if (pop >= o->n_pops) {
        mg_out_fail(o, MG_ERR_INTERNAL, "spikes of population %u, which does not exist", pop);
        return 1;
    }
    o->spikes[pop] += n;
    if (o->recorded[pop]) {
        if (o->sonata && mg_sonata_append(o, pop, t_ms, ids, n) != 0)
            return 1;
        if (o->spikes_csv.f && mg_out_csv_spikes(o, pop, t_ms, ids, n) != 0)
            return 1;
    }
    if (o->rates.f && mg_out_rates_add(o, pop, t_ms, n) != 0)
        return 1;
    return 0;
}

static int on_state(void *user, size_t rec, double t_ms, const double *values, size_t n_values) {
    mg_output *o = user;
    if (o->err != MG_OK)
        return 1;
    if (rec >= o->n_states) {
        mg_out_fail(o, MG_ERR_INTERNAL, "a sample of state recorder %zu, which does not exist",
                    rec);
        return 1;
    }
    return mg_out_state_row(o, rec, t_ms, values, n_values);
}

static int on_weights(void *user, size_t rec, double t_ms, const uint32_t *pre,
                      const uint32_t *post, const double *w_nS, const double *rho, size_t n) {
    mg_output *o = user;
    if (o->err != MG_OK)
        return 1;
    if (rec >= o->n_wrecs || !o->weights.f) {
        mg_out_fail(o, MG_ERR_INTERNAL, "a sample of weight recorder %zu, which does not exist",
                    rec);
        return 1;
    }
    return mg_out_weights_rows(o, rec, t_ms, pre, post, w_nS, rho, n);
}

mg_net_callbacks mg_output_callbacks(mg_output *o) {
    mg_net_callbacks cb = {o, on_spikes, on_state, NULL, on_weights};
    return cb;
}

const int *mg_output_record_mask(const mg_output *o) {
    return o ? o->mask : NULL;
}

const char *mg_output_add_file(mg_output *o, const char *name) {
    size_t index;
    if (!o || !name || mg_out_file_add(o, name, &index) != MG_OK)
        return NULL;
    return o->files[index].tmp_path;
}

mg_status mg_output_status(const mg_output *o) {
    if (!o || o->err == MG_OK)
        return MG_OK;
    return mg_error_raise(o->ctx, o->err, "%s", o->err_msg);
}

static mg_status open_writers(mg_output *o, const mg_net_spec *spec,
                              const mg_io_net_outputs *outs) {
    mg_status st;
    int spike_files = outs->spikes_sonata || outs->spikes_csv;
    for (size_t i = 0; i < o->n_pops; i++) {
        o->recorded[i] = spike_files && spec->record_spikes && spec->record_spikes[i];
        o->mask[i] = o->recorded[i] || o->rate_bin_ms > 0.0;
        if (o->mask[i] && !plain_name(o->pop_names[i]))
            return mg_error_raise(
                o->ctx, MG_ERR_DATA,
                "population name \"%s\" cannot name an HDF5 group or a CSV column",
                o->pop_names[i]);
    }
    if (outs->spikes_sonata) {
        if ((st = mg_out_file_add(o, "spikes.h5", &o->sonata_file)) != MG_OK ||
            (st = mg_sonata_open(o, o->files[o->sonata_file].tmp_path)) != MG_OK)
            return st;
    }
    if (outs->spikes_csv) {
        size_t k;
        if ((st = mg_out_file_add(o, "spikes.csv", &k)) != MG_OK ||
            (st = mg_out_csv_open(o, &o->spikes_csv, k)) != MG_OK)
            return st;
    }
    if (o->rate_bin_ms > 0.0) {
        size_t k;
        o->rate_counts = calloc(o->n_pops ? o->n_pops : 1, sizeof *o->rate_counts);
        if (!o->rate_counts)
            return mg_error_raise(o->ctx, MG_ERR_NOMEM, "out of memory");
        if ((st = mg_out_file_add(o, "rates.csv", &k)) != MG_OK ||
            (st = mg_out_csv_open(o, &o->rates, k)) != MG_OK)
            return st;
    }
    if (spec->n_state_recs) {
        o->states = calloc(spec->n_state_recs, sizeof *o->states);
        if (!o->states)
            return mg_error_raise(o->ctx, MG_ERR_NOMEM, "out of memory");
        o->n_states = spec->n_state_recs;
        for (size_t r = 0; r < spec->n_state_recs; r++) {
            const char *name = spec->state_recs[r].name;
            if (!plain_name(name))
                return mg_error_raise(o->ctx, MG_ERR_DATA,
                                      "state recorder name \"%s\" cannot name a file", name);
            char *file = concat4("state_", name, ".csv", "");
            if (!file)
                return mg_error_raise(o->ctx, MG_ERR_NOMEM, "out of memory");
            size_t k;
            st = mg_out_file_add(o, file, &k);
            free(file);
            if (st != MG_OK || (st = mg_out_csv_open(o, &o->states[r].csv, k)) != MG_OK)
                return st;
        }
    }
    if (spec->n_weight_recs) {
        o->wrec_proj = calloc(spec->n_weight_recs, sizeof *o->wrec_proj);
        if (!o->wrec_proj)
            return mg_error_raise(o->ctx, MG_ERR_NOMEM, "out of memory");
        o->n_wrecs = spec->n_weight_recs;
        for (size_t r = 0; r < spec->n_weight_recs; r++) {
            uint32_t q = spec->weight_recs[r].proj;
            const char *name = q < spec->n_projs ? spec->projs[q].name : "";
            if (!plain_name(name))
                return mg_error_raise(o->ctx, MG_ERR_DATA,
                                      "projection name \"%s\" cannot name a CSV field", name);
            snprintf(o->wrec_proj[r], sizeof o->wrec_proj[r], "%s", name);
        }
        size_t k;
        if ((st = mg_out_file_add(o, "weights.csv", &k)) != MG_OK ||
            (st = mg_out_csv_open(o, &o->weights, k)) != MG_OK)
            return st;
    }
    if ((st = mg_out_file_add(o, "summary.json", &o->summary_file)) != MG_OK)
        return st;
    return mg_out_csv_headers(o, spec);
}

mg_status mg_output_open(mg_context *ctx, const char *dir, const mg_net_spec *spec,
                         const mg_io_net_outputs *outputs, mg_output **out) {
    if (!out || !dir || !spec || !outputs)
        return mg_error_raise(ctx, MG_ERR_INTERNAL, "mg_output_open: NULL argument");
    *out = NULL;
    if (outputs->rate_bin_ms < 0.0)
        return mg_error_raise(ctx, MG_ERR_DATA, "rate bin must be >= 0 ms, got %g",
                              outputs->rate_bin_ms);
    mg_status st = mg_output_make_dirs(ctx, dir);
    if (st != MG_OK)
        return st;
    mg_output *o = calloc(1, sizeof *o);
    if (!o)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    o->ctx = ctx;
    o->n_pops = spec->n_pops;
    o->dt_ms = spec->dt_ms;
    o->duration_ms = spec->duration_ms;
    o->mg_mM = spec->mg_mM;
    o->seed = spec->seed;
    o->rate_bin_ms = outputs->rate_bin_ms;
    size_t np = o->n_pops ? o->n_pops : 1;
    o->dir = concat4(dir, "", "", "");
    o->pop_names = calloc(np, sizeof *o->pop_names);
    o->pop_n = calloc(np, sizeof *o->pop_n);
    o->recorded = calloc(np, sizeof *o->recorded);
    o->mask = calloc(np, sizeof *o->mask);
    o->spikes = calloc(np, sizeof *o->spikes);
    if (!o->dir || !o->pop_names || !o->pop_n || !o->recorded || !o->mask || !o->spikes) {
        mg_output_destroy(&o);
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < o->n_pops; i++) {
        snprintf(o->pop_names[i], sizeof o->pop_names[i], "%s", spec->pops[i].name);
        o->pop_n[i] = spec->pops[i].n;
    }
    st = open_writers(o, spec, outputs);
    if (st != MG_OK) {
        mg_output_destroy(&o);
        return st;
    }
    *out = o;
    return MG_OK;
}

mg_status mg_output_finish(mg_output *o, const mg_output_run_info *info) {
    if (!o || !info)
        return mg_error_raise(o ? o->ctx : NULL, MG_ERR_INTERNAL,
                              "mg_output_finish: NULL argument");
    if (o->finished)
        return mg_error_raise(o->ctx, MG_ERR_INTERNAL, "mg_output_finish called twice");
    if (o->err != MG_OK)
        return mg_output_status(o);
    mg_status st = MG_OK;
    if (o->rates.f)
        st = mg_out_rates_finish(o, info->t_ms);
    mg_status s2 = mg_out_csv_close(o, &o->spikes_csv);
    mg_status s3 = mg_out_csv_close(o, &o->rates);
    for (size_t r = 0; r < o->n_states; r++) {
        mg_status s = mg_out_csv_close(o, &o->states[r].csv);
        if (st == MG_OK)
            st = s;
    }
    mg_status s5 = mg_out_csv_close(o, &o->weights);
    if (st == MG_OK)
        st = s5;
    mg_status s4 = o->sonata ? mg_sonata_close(o, 1) : MG_OK;
    if (st == MG_OK)
        st = s2 != MG_OK ? s2 : s3 != MG_OK ? s3 : s4;
    if (st != MG_OK)
        return mg_output_status(o);
    st = mg_out_summary_write(o, info, o->files[o->summary_file].tmp_path);
    if (st != MG_OK)
        return st;
    /* Everything is complete on disk: commit, summary.json last. */
    for (size_t pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < o->n_files; i++) {
            mg_out_file *f = &o->files[i];
            if ((i == o->summary_file) != (pass == 1) || f->renamed)
                continue;
            if (rename(f->tmp_path, f->final_path) != 0)
                return mg_out_fail(o, MG_ERR_IO, "cannot rename %s to %s: %s", f->tmp_path,
                                   f->final_path, strerror(errno));
            f->renamed = 1;
        }
    }
    o->finished = 1;
    return MG_OK;
}

void mg_output_destroy(mg_output **op) {
    if (!op || !*op)
        return;
    mg_output *o = *op;
    mg_out_csv_close(NULL, &o->spikes_csv);
    mg_out_csv_close(NULL, &o->rates);
    for (size_t r = 0; r < o->n_states; r++)
        mg_out_csv_close(NULL, &o->states[r].csv);
    mg_out_csv_close(NULL, &o->weights);
    free(o->wrec_proj);
    if (o->sonata)
        mg_sonata_close(o, 0);
    for (size_t i = 0; i < o->n_files; i++) {
        mg_out_file *f = &o->files[i];
        if (!f->renamed && f->tmp_path)
            unlink(f->tmp_path);
        free(f->name);
        free(f->tmp_path);
        free(f->final_path);
    }
    free(o->files);
    free(o->states);
    free(o->rate_counts);
    free(o->spikes);
    free(o->mask);
    free(o->recorded);
    free(o->pop_n);
    free(o->pop_names);
    free(o->dir);
    free(o);
    *op = NULL;
}
