/* Test helpers: read back what the result writers wrote (folders, CSV, SONATA HDF5). */
#ifndef MGSIM_TESTS_OUTPUT_READ_H
#define MGSIM_TESTS_OUTPUT_READ_H

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* tests/CMakeLists.txt does not pass HDF5's include folder; Debian keeps it under hdf5/serial. */
#if defined(__has_include)
#if __has_include(<hdf5.h>)
#include <hdf5.h>
#else
#include <hdf5/serial/hdf5.h>
#endif
#else
#include <hdf5.h>
#endif

/* buf = a sep b; a path too long for buf aborts the test. */
static inline const char *rd_join(char *buf, size_t cap, const char *a, const char *sep,
                                  const char *b) {
    int n = snprintf(buf, cap, "%s%s%s", a, sep, b);
    if (n < 0 || (size_t)n >= cap) {
        fprintf(stderr, "path too long: %s%s%s\n", a, sep, b);
        abort();
    }
    return buf;
}

/* buf = dir/name. */
static inline const char *rd_path(char *buf, size_t cap, const char *dir, const char *name) {
    return rd_join(buf, cap, dir, "/", name);
}

/* Remove a flat folder (files only) and the folder itself; ignore errors. */
static inline void rd_remove_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char path[4096];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            rd_path(path, sizeof path, dir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

/* Entries in a folder (without . and ..); -1 if it cannot be opened. */
static inline int rd_count_entries(const char *dir) {
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

/* Entries of dir whose name starts with '.' (temporary files); -1 if it cannot be opened. */
static inline int rd_count_hidden(const char *dir) {
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] == '.' && strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static inline int rd_exists(const char *dir, const char *name) {
    char path[4096];
    struct stat sb;
    return stat(rd_path(path, sizeof path, dir, name), &sb) == 0;
}

/* The whole of a text file (malloc'd, NUL-terminated) or NULL. */
static inline char *rd_slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *b = realloc(buf, 2 * cap);
            if (!b) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = b;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

/* Lines of a text file (-1 if it cannot be read). */
static inline long rd_count_lines(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long n = 0;
    int c;
    while ((c = fgetc(f)) != EOF)
        if (c == '\n')
            n++;
    fclose(f);
    return n;
}

/* A string attribute (variable- or fixed-length) of obj into buf; 0 on success. */
static inline int rd_h5_attr_string(hid_t obj, const char *name, char *buf, size_t cap) {
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0)
        return -1;
    hid_t t = H5Aget_type(a);
    int rc = -1;
    if (H5Tget_class(t) == H5T_STRING) {
        if (H5Tis_variable_str(t) > 0) {
            char *s = NULL;
            hid_t mt = H5Tcopy(H5T_C_S1);
            H5Tset_size(mt, H5T_VARIABLE);
            H5Tset_cset(mt, H5Tget_cset(t));
            if (H5Aread(a, mt, &s) >= 0 && s) {
                snprintf(buf, cap, "%s", s);
                H5free_memory(s);
                rc = 0;
            }
            H5Tclose(mt);
        } else {
            size_t sz = H5Tget_size(t);
            char *s = calloc(sz + 1, 1);
            if (s && H5Aread(a, t, s) >= 0) {
                snprintf(buf, cap, "%s", s);
                rc = 0;
            }
            free(s);
        }
    }
    H5Tclose(t);
    H5Aclose(a);
    return rc;
}

/* The member name of an enum attribute of obj into buf; 0 on success. */
static inline int rd_h5_attr_enum(hid_t obj, const char *name, char *buf, size_t cap) {
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0)
        return -1;
    hid_t t = H5Aget_type(a);
    int rc = -1;
    if (H5Tget_class(t) == H5T_ENUM) {
        hid_t mt = H5Tget_native_type(t, H5T_DIR_ASCEND);
        unsigned char v[16] = {0};
        if (H5Tget_size(mt) <= sizeof v && H5Aread(a, mt, v) >= 0 &&
            H5Tenum_nameof(mt, v, buf, cap) >= 0)
            rc = 0;
        H5Tclose(mt);
    }
    H5Tclose(t);
    H5Aclose(a);
    return rc;
}

/* Read /spikes/<pop>/timestamps and node_ids of a SONATA file: *n spikes into
 * malloc'd arrays (NULL when n == 0); optionally the units and sorting attributes.
 * Returns 0 on success. */
static inline int rd_h5_spikes(const char *path, const char *pop, double **ts, uint64_t **ids,
                               size_t *n, char *units, char *sorting, size_t cap) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return -1;
    char gname[256];
    rd_join(gname, sizeof gname, "/spikes", "/", pop);
    int rc = -1;
    hid_t g = H5Gopen2(f, gname, H5P_DEFAULT);
    hid_t dt = g >= 0 ? H5Dopen2(g, "timestamps", H5P_DEFAULT) : -1;
    hid_t di = g >= 0 ? H5Dopen2(g, "node_ids", H5P_DEFAULT) : -1;
    if (dt >= 0 && di >= 0) {
        hid_t st = H5Dget_space(dt), si = H5Dget_space(di);
        hsize_t nt = 0, ni = 0;
        H5Sget_simple_extent_dims(st, &nt, NULL);
        H5Sget_simple_extent_dims(si, &ni, NULL);
        H5Sclose(st);
        H5Sclose(si);
        hid_t ct = H5Dget_type(dt), ci = H5Dget_type(di);
        int types_ok = H5Tequal(ct, H5T_IEEE_F64LE) > 0 && H5Tequal(ci, H5T_STD_U64LE) > 0;
        H5Tclose(ct);
        H5Tclose(ci);
        if (nt == ni && types_ok) {
            *n = (size_t)nt;
            *ts = nt ? malloc(nt * sizeof **ts) : NULL;
            *ids = nt ? malloc(nt * sizeof **ids) : NULL;
            if (nt == 0 ||
                (H5Dread(dt, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, *ts) >= 0 &&
                 H5Dread(di, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, *ids) >= 0))
                rc = 0;
            if (rc == 0 && units && rd_h5_attr_string(dt, "units", units, cap) != 0)
                rc = -1;
            if (rc == 0 && sorting && rd_h5_attr_enum(g, "sorting", sorting, cap) != 0)
                rc = -1;
        }
    }
    if (dt >= 0)
        H5Dclose(dt);
    if (di >= 0)
        H5Dclose(di);
    if (g >= 0)
        H5Gclose(g);
    H5Fclose(f);
    return rc;
}

/* Does the SONATA file have a group /spikes/<pop>? */
static inline int rd_h5_has_pop(const char *path, const char *pop) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return 0;
    char gname[256];
    rd_join(gname, sizeof gname, "/spikes", "/", pop);
    int has = H5Lexists(f, "/spikes", H5P_DEFAULT) > 0 && H5Lexists(f, gname, H5P_DEFAULT) > 0;
    H5Fclose(f);
    return has;
}

#endif /* MGSIM_TESTS_OUTPUT_READ_H */
