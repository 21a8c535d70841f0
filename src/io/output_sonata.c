/* Result writers: SONATA spikes in HDF5.
 *
 * Each recorded population gets /spikes/<name>/timestamps (float64, ms) and
 * /spikes/<name>/node_ids (uint64): extendible chunked datasets created at the
 * first flush, appended to in blocks of MG_SONATA_BLOCK spikes from a memory
 * buffer, never one write per spike. */
#include "io/output_internal.h"

#include <hdf5.h>
#include <stdlib.h>
#include <string.h>

/* Spikes buffered per population before they are appended to the file; also
 * the largest chunk (64 KiB of timestamps + 64 KiB of ids). */
#define MG_SONATA_BLOCK 8192

typedef struct {
    hid_t group, ts, ids; /* -1 until created */
    double *buf_t;
    uint64_t *buf_id;
    size_t n;        /* buffered */
    hsize_t written; /* already in the file */
} sonata_pop;

struct mg_sonata {
    hid_t file, spikes;
    sonata_pop *pops; /* one per population; used for recorded ones */
    H5E_auto2_t saved_efunc;
    void *saved_edata;
};

static hid_t str_type(void) {
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t >= 0 && (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0)) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

/* A scalar variable-length UTF-8 string attribute. */
static int put_str_attr(hid_t obj, const char *name, const char *value) {
    hid_t t = str_type(), sp = H5Screate(H5S_SCALAR), a = -1;
    int ok = t >= 0 && sp >= 0 &&
             (a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT)) >= 0 &&
             H5Awrite(a, t, &value) >= 0;
    if (a >= 0)
        H5Aclose(a);
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    return ok ? 0 : -1;
}

/* sorting: the SONATA enum {none = 0, by_id = 1, by_time = 2} on uint8. */
static int put_sorting_attr(hid_t obj) {
    static const char *const names[] = {"none", "by_id", "by_time"};
    hid_t t = H5Tenum_create(H5T_NATIVE_UINT8), sp = H5Screate(H5S_SCALAR), a = -1;
    int ok = t >= 0 && sp >= 0;
    for (uint8_t v = 0; ok && v < 3; v++)
        ok = H5Tenum_insert(t, names[v], &v) >= 0;
    uint8_t by_time = 2;
    ok = ok && (a = H5Acreate2(obj, "sorting", t, sp, H5P_DEFAULT, H5P_DEFAULT)) >= 0 &&
         H5Awrite(a, t, &by_time) >= 0;
    if (a >= 0)
        H5Aclose(a);
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    return ok ? 0 : -1;
}

/* The SONATA file signature on the root group: magic 0x0A7A, version {0, 1}. */
static int put_signature(hid_t file) {
    uint32_t magic = 0x0A7A, version[2] = {0, 1};
    hsize_t two = 2;
    hid_t s1 = H5Screate(H5S_SCALAR), s2 = H5Screate_simple(1, &two, NULL), a1 = -1, a2 = -1;
    int ok = s1 >= 0 && s2 >= 0 &&
             (a1 = H5Acreate2(file, "magic", H5T_STD_U32LE, s1, H5P_DEFAULT, H5P_DEFAULT)) >= 0 &&
             H5Awrite(a1, H5T_NATIVE_UINT32, &magic) >= 0 &&
             (a2 = H5Acreate2(file, "version", H5T_STD_U32LE, s2, H5P_DEFAULT, H5P_DEFAULT)) >= 0 &&
             H5Awrite(a2, H5T_NATIVE_UINT32, version) >= 0;
    if (a1 >= 0)
        H5Aclose(a1);
    if (a2 >= 0)
        H5Aclose(a2);
    if (s1 >= 0)
        H5Sclose(s1);
    if (s2 >= 0)
        H5Sclose(s2);
    return ok ? 0 : -1;
}

/* An empty extendible 1-D dataset of file type ftype with chunks of `chunk` elements. */
static hid_t make_dataset(hid_t group, const char *name, hid_t ftype, hsize_t chunk) {
    hsize_t zero = 0, unlimited = H5S_UNLIMITED;
    hid_t sp = H5Screate_simple(1, &zero, &unlimited), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hid_t d = -1;
    if (sp >= 0 && dcpl >= 0 && H5Pset_chunk(dcpl, 1, &chunk) >= 0)
        d = H5Dcreate2(group, name, ftype, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (sp >= 0)
        H5Sclose(sp);
    return d;
}

/* Append n elements of memory type mtype to the 1-D dataset d, which holds `old`. */
static int append(hid_t d, hid_t mtype, const void *data, hsize_t old, hsize_t n) {
    hsize_t size = old + n;
    if (H5Dset_extent(d, &size) < 0)
        return -1;
    hid_t fs = H5Dget_space(d), ms = H5Screate_simple(1, &n, NULL);
    int ok = fs >= 0 && ms >= 0 &&
             H5Sselect_hyperslab(fs, H5S_SELECT_SET, &old, NULL, &n, NULL) >= 0 &&
             H5Dwrite(d, mtype, ms, fs, H5P_DEFAULT, data) >= 0;
    if (ms >= 0)
        H5Sclose(ms);
    if (fs >= 0)
        H5Sclose(fs);
    return ok ? 0 : -1;
}

/* Write population pop's buffer to the file, creating its datasets the first
 * time (with chunks no larger than the first block, so small runs make small files). */
static int flush_pop(mg_output *o, uint32_t pop) {
    mg_sonata *s = o->sonata;
    sonata_pop *p = &s->pops[pop];
    if (p->ts < 0) {
        hsize_t chunk = p->n > 0 ? (hsize_t)p->n : 1;
        p->ts = make_dataset(p->group, "timestamps", H5T_IEEE_F64LE, chunk);
        p->ids = make_dataset(p->group, "node_ids", H5T_STD_U64LE, chunk);
        if (p->ts < 0 || p->ids < 0 || put_str_attr(p->ts, "units", "ms") != 0)
            goto fail;
    }
    if (p->n > 0) {
        if (append(p->ts, H5T_NATIVE_DOUBLE, p->buf_t, p->written, p->n) != 0 ||
            append(p->ids, H5T_NATIVE_UINT64, p->buf_id, p->written, p->n) != 0)
            goto fail;
        p->written += p->n;
        p->n = 0;
    }
    return 0;
fail:
    mg_out_fail(o, MG_ERR_IO, "cannot write the spikes of population %s to %s", o->pop_names[pop],
                o->files[o->sonata_file].tmp_path);
    return 1;
}

int mg_sonata_append(mg_output *o, uint32_t pop, double t_ms, const uint32_t *ids, size_t n) {
    sonata_pop *p = &o->sonata->pops[pop];
    for (size_t i = 0; i < n; i++) {
        if (p->n == MG_SONATA_BLOCK && flush_pop(o, pop) != 0)
            return 1;
        p->buf_t[p->n] = t_ms;
        p->buf_id[p->n] = ids[i];
        p->n++;
    }
    return 0;
}

mg_status mg_sonata_open(mg_output *o, const char *path) {
    mg_sonata *s = calloc(1, sizeof *s);
    if (!s)
        return mg_error_raise(o->ctx, MG_ERR_NOMEM, "out of memory");
    o->sonata = s;
    s->file = s->spikes = -1;
    /* HDF5 prints its error stack on stderr by default; our messages say what failed. */
    H5Eget_auto2(H5E_DEFAULT, &s->saved_efunc, &s->saved_edata);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    s->pops = calloc(o->n_pops ? o->n_pops : 1, sizeof *s->pops);
    if (!s->pops)
        return mg_error_raise(o->ctx, MG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < o->n_pops; i++)
        s->pops[i].group = s->pops[i].ts = s->pops[i].ids = -1;
    s->file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (s->file < 0)
        return mg_error_raise(o->ctx, MG_ERR_CANTCREAT, "cannot create %s", path);
    if (put_signature(s->file) != 0 ||
        (s->spikes = H5Gcreate2(s->file, "spikes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0)
        return mg_error_raise(o->ctx, MG_ERR_IO, "cannot write %s", path);
    for (size_t i = 0; i < o->n_pops; i++) {
        if (!o->recorded[i])
            continue;
        sonata_pop *p = &s->pops[i];
        p->buf_t = malloc(MG_SONATA_BLOCK * sizeof *p->buf_t);
        p->buf_id = malloc(MG_SONATA_BLOCK * sizeof *p->buf_id);
        if (!p->buf_t || !p->buf_id)
            return mg_error_raise(o->ctx, MG_ERR_NOMEM, "out of memory");
        p->group = H5Gcreate2(s->spikes, o->pop_names[i], H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (p->group < 0 || put_sorting_attr(p->group) != 0)
            return mg_error_raise(o->ctx, MG_ERR_IO, "cannot write population %s to %s",
                                  o->pop_names[i], path);
    }
    return MG_OK;
}

mg_status mg_sonata_close(mg_output *o, int keep) {
    mg_sonata *s = o->sonata;
    if (!s)
        return MG_OK;
    int bad = 0;
    for (size_t i = 0; i < o->n_pops && s->pops; i++) {
        sonata_pop *p = &s->pops[i];
        if (keep && !bad && p->group >= 0)
            bad = flush_pop(o, (uint32_t)i) != 0;
        if (p->ts >= 0)
            H5Dclose(p->ts);
        if (p->ids >= 0)
            H5Dclose(p->ids);
        if (p->group >= 0)
            H5Gclose(p->group);
        free(p->buf_t);
        free(p->buf_id);
    }
    if (s->spikes >= 0)
        H5Gclose(s->spikes);
    if (s->file >= 0 && H5Fclose(s->file) < 0 && keep && !bad)
        bad = mg_out_fail(o, MG_ERR_IO, "cannot complete %s", o->files[o->sonata_file].tmp_path) !=
              MG_OK;
    H5Eset_auto2(H5E_DEFAULT, s->saved_efunc, s->saved_edata);
    free(s->pops);
    free(s);
    o->sonata = NULL;
    return bad ? o->err : MG_OK;
}
