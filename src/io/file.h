/* Reading a whole input file, the same way for every loader. Not installed. */
#ifndef MGSIM_IO_FILE_H
#define MGSIM_IO_FILE_H

#include <stddef.h>

#include "mgsim/base.h"

/* Read the regular file at path (at most 64 MiB, MG_YAML_MAX_BYTES) into a
 * new NUL-terminated buffer *text of *len bytes; what names the file in
 * messages ("the scenario", "the diet plan"). Errors: MG_ERR_NOINPUT
 * ("PATH: cannot read WHAT: REASON", also for directories), MG_ERR_DATA (too
 * big, refused before reading), MG_ERR_NOMEM. The caller frees *text. */
mg_status mg_io_read_text(mg_context *ctx, const char *path, const char *what, char **text,
                          size_t *len);

#endif /* MGSIM_IO_FILE_H */
