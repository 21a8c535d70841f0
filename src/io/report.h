/* report.html: one self-contained page of headings, text, tables and Vega
 * plots. Not installed.
 *
 * The page carries its own copy of Vega, assembled from the module files of
 * Debian's libjs-vega (/usr/share/javascript/vega, or $MGSIM_VEGA_DIR): each
 * module's CommonJS branch is run with a small require() over the modules
 * already loaded, and the transform registry is filled from vega-transforms,
 * vega-encode and vega-view-transforms, as the top-level vega package does.
 * So the report opens with no network. Every page ends with the statement
 * that it shows model predictions, not medical advice.
 *
 * In the page, window.mgsimReport = {plots: N, rendered: k, errors: [...]}
 * tells a browser test how many plots drew and what failed.
 */
#ifndef MGSIM_IO_REPORT_H
#define MGSIM_IO_REPORT_H

#include <jansson.h>
#include <stddef.h>

#include "mgsim/base.h"

typedef struct mg_report mg_report;

/* A new empty report titled title (shown as the page title and first
 * heading). NULL when memory is exhausted. Free with mg_report_destroy. */
mg_report *mg_report_create(const char *title);

/* Free a report and set *r to NULL. Accepts NULL and a pointer to NULL. */
void mg_report_destroy(mg_report **r);

/* Append a section heading (level 2). Text is escaped. MG_ERR_NOMEM. */
mg_status mg_report_heading(mg_context *ctx, mg_report *r, const char *text);

/* Append a paragraph of plain text (escaped). MG_ERR_NOMEM. */
mg_status mg_report_text(mg_context *ctx, mg_report *r, const char *text);

/* Append a table: ncols header cells and nrows * ncols body cells, row by
 * row (NULL cells print empty); every cell is escaped. caption may be NULL.
 * MG_ERR_NOMEM. */
mg_status mg_report_table(mg_context *ctx, mg_report *r, const char *caption, size_t ncols,
                          const char *const *header, size_t nrows, const char *const *cells);

/* Append a plot given as a full Vega specification; the report takes the
 * reference to spec (also on error). MG_ERR_NOMEM. */
mg_status mg_report_plot(mg_context *ctx, mg_report *r, const char *title, json_t *spec);

/* Options of a line plot (mg_report_lines). Zero-initialise, then set. */
typedef struct {
    const char *xlabel, *ylabel;
    int step;                     /* draw as steps (step-after), e.g. a hypnogram */
    const char *const *y_names;   /* label the integer y values 0, 1, ... by these (or NULL) */
    size_t n_y_names;             /* and reverse the axis so index 0 is at the top */
    size_t n_refs;                /* horizontal reference lines */
    const double *ref_y;          /* their values */
    const char *const *ref_names; /* and labels */
} mg_report_line_opts;

/* Append a line plot of nseries series over the shared x[0..n-1]; series k
 * is ys[k][0..n-1], named names[k] in the legend (no legend when nseries is
 * 1). Non-finite y values leave gaps. MG_ERR_NOMEM; MG_ERR_DATA when n or
 * nseries is 0. */
mg_status mg_report_lines(mg_context *ctx, mg_report *r, const char *title, size_t n,
                          const double *x, size_t nseries, const char *const *names,
                          const double *const *ys, const mg_report_line_opts *opts);

/* Append a bar chart of n bars (labels[i], values[i]) with axis titles.
 * MG_ERR_NOMEM; MG_ERR_DATA when n is 0. */
mg_status mg_report_bars(mg_context *ctx, mg_report *r, const char *title, const char *xlabel,
                         const char *ylabel, size_t n, const char *const *labels,
                         const double *values);

/* The number of plots appended so far. */
size_t mg_report_plot_count(const mg_report *r);

/* Write the page to f. vega_dir is the libjs-vega folder (NULL: $MGSIM_VEGA_DIR,
 * else /usr/share/javascript/vega). Errors: MG_ERR_NOINPUT when a Vega module
 * cannot be read (naming the file and the package to install), MG_ERR_IO on a
 * write error, MG_ERR_NOMEM. */
mg_status mg_report_write(mg_context *ctx, const mg_report *r, FILE *f, const char *vega_dir);

#endif /* MGSIM_IO_REPORT_H */
