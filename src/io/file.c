/* Reading a whole input file (see file.h). */
#include "io/file.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/yaml_tree.h"

mg_status mg_io_read_text(mg_context *ctx, const char *path, const char *what, char **text,
                          size_t *len) {
    *text = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return mg_error_raise(ctx, MG_ERR_NOINPUT, "%s: cannot read %s: %s", path, what,
                              strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        return mg_error_raise(ctx, MG_ERR_NOINPUT, "%s: cannot read %s: not a regular file", path,
                              what);
    }
    if ((uint64_t)sb.st_size > MG_YAML_MAX_BYTES) {
        fclose(f);
        return mg_error_raise(ctx, MG_ERR_DATA, "%s: %s is %lld bytes, more than the 64 MiB limit",
                              path, what, (long long)sb.st_size);
    }
    size_t size = (size_t)sb.st_size;
    char *buf = malloc(size + 1);
    if (!buf) {
        fclose(f);
        return mg_error_raise(ctx, MG_ERR_NOMEM, "%s: out of memory reading %s", path, what);
    }
    size_t got = fread(buf, 1, size, f);
    int bad = ferror(f) || got != size;
    fclose(f);
    if (bad) {
        free(buf);
        return mg_error_raise(ctx, MG_ERR_NOINPUT, "%s: cannot read %s", path, what);
    }
    buf[size] = '\0';
    *text = buf;
    *len = size;
    return MG_OK;
}
