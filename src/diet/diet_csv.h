/* Internal helpers shared by the diet table readers (tables.c, scenarios.c). Not installed. */
#ifndef MGSIM_DIET_CSV_H
#define MGSIM_DIET_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "mgsim/base.h"

/* Row callback: the fields of one data line; returns MG_OK or an error raised on ctx
 * whose message starts with "path:LINE: ". */
typedef mg_status (*mg_diet_row_fn)(mg_context *ctx, void *tab, const char *path, uint32_t line,
                                    char **f);

/* Read the CSV at path: skip blank and '#' lines, check that the first other line equals
 * header, then call row() for every data line with exactly n_cols fields. Errors:
 * MG_ERR_NOINPUT (cannot read), MG_ERR_DATA "path:LINE: ..." (bad header, field count,
 * quote, over-long line or file), or whatever row() raised. */
mg_status mg_diet_csv_read(mg_context *ctx, const char *path, const char *header, int n_cols,
                           mg_diet_row_fn row, void *tab);

/* Grow *rows (element size sz, capacity a power of two) to hold n + 1 elements.
 * Returns 0 when out of memory (then *rows is unchanged). */
int mg_diet_grow(void **rows, size_t n, size_t sz);

/* A malloc'ed copy of s, or NULL when out of memory. */
char *mg_diet_strdup(const char *s);

#endif /* MGSIM_DIET_CSV_H */
