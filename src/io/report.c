/* report.html writer (see report.h). */
#include "io/report.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/file.h"

/* The libjs-vega modules a report needs, in an order where each module's
 * dependencies come before it (geo, force, voronoi and the other optional
 * transforms are left out). */
static const char *const vega_modules[] = {
    "vega-util",       "vega-canvas",         "vega-time",           "vega-format",
    "vega-loader",     "vega-dataflow",       "vega-scale",          "vega-statistics",
    "vega-expression", "vega-event-selector", "vega-scenegraph",     "vega-selection",
    "vega-functions",  "vega-runtime",        "vega-view",           "vega-parser",
    "vega-transforms", "vega-encode",         "vega-view-transforms"};

#define REPORT_NOTE                                                                                \
    "Model predictions of mgsim, a research and teaching simulator: not medical advice. "          \
    "Ask a clinician before changing diet, supplements or medication."

struct mg_report {
    char *title;
    char *html; /* the body so far */
    size_t len, cap;
    json_t *plots; /* array of {"id", "spec"} */
};

mg_report *mg_report_create(const char *title) {
    mg_report *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->title = strdup(title ? title : "mgsim report");
    r->plots = json_array();
    if (!r->title || !r->plots) {
        mg_report_destroy(&r);
        return NULL;
    }
    return r;
}

void mg_report_destroy(mg_report **r) {
    if (!r || !*r)
        return;
    free((*r)->title);
    free((*r)->html);
    json_decref((*r)->plots);
    free(*r);
    *r = NULL;
}

static int grow(mg_report *r, size_t extra) {
    if (r->len + extra + 1 <= r->cap)
        return 0;
    size_t cap = r->cap ? r->cap : 4096;
    while (cap < r->len + extra + 1)
        cap *= 2;
    char *p = realloc(r->html, cap);
    if (!p)
        return -1;
    r->html = p;
    r->cap = cap;
    return 0;
}

static int put(mg_report *r, const char *s) {
    size_t n = strlen(s);
    if (grow(r, n) != 0)
        return -1;
    memcpy(r->html + r->len, s, n + 1);
    r->len += n;
    return 0;
}

/* Append s with &, <, >, " escaped. */
static int put_escaped(mg_report *r, const char *s) {
    for (; s && *s; s++) {
        const char *e = NULL;
        switch (*s) {
            case '&':
                e = "&amp;";
                break;
            case '<':
                e = "&lt;";
                break;
            case '>':
                e = "&gt;";
                break;
            case '"':
                e = "&quot;";
                break;
            default:
                break;
        }
        if (e) {
            if (put(r, e) != 0)
                return -1;
        } else {
            if (grow(r, 1) != 0)
                return -1;
            r->html[r->len++] = *s;
            r->html[r->len] = '\0';
        }
    }
    return 0;
}

static mg_status nomem(mg_context *ctx) {
    return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory building the report");
}

mg_status mg_report_heading(mg_context *ctx, mg_report *r, const char *text) {
    if (put(r, "<h2>") || put_escaped(r, text) || put(r, "</h2>\n"))
        return nomem(ctx);
    return MG_OK;
}

mg_status mg_report_text(mg_context *ctx, mg_report *r, const char *text) {
    if (put(r, "<p>") || put_escaped(r, text) || put(r, "</p>\n"))
        return nomem(ctx);
    return MG_OK;
}

mg_status mg_report_table(mg_context *ctx, mg_report *r, const char *caption, size_t ncols,
                          const char *const *header, size_t nrows, const char *const *cells) {
    int bad = put(r, "<table>");
    if (caption)
        bad |= put(r, "<caption>") | put_escaped(r, caption) | put(r, "</caption>");
    bad |= put(r, "<thead><tr>");
    for (size_t c = 0; c < ncols; c++)
        bad |= put(r, "<th>") | put_escaped(r, header[c]) | put(r, "</th>");
    bad |= put(r, "</tr></thead><tbody>\n");
    for (size_t i = 0; i < nrows; i++) {
        bad |= put(r, "<tr>");
        for (size_t c = 0; c < ncols; c++)
            bad |= put(r, "<td>") | put_escaped(r, cells[i * ncols + c]) | put(r, "</td>");
        bad |= put(r, "</tr>\n");
    }
    bad |= put(r, "</tbody></table>\n");
    return bad ? nomem(ctx) : MG_OK;
}

mg_status mg_report_plot(mg_context *ctx, mg_report *r, const char *title, json_t *spec) {
    char id[32];
    snprintf(id, sizeof id, "plot%zu", json_array_size(r->plots) + 1);
    if (!spec)
        return nomem(ctx);
    json_t *entry = json_pack("{s:s, s:o}", "id", id, "spec", spec);
    if (!entry || json_array_append_new(r->plots, entry) != 0)
        return nomem(ctx);
    int bad = put(r, "<figure>");
    if (title)
        bad |= put(r, "<figcaption>") | put_escaped(r, title) | put(r, "</figcaption>");
    bad |= put(r, "<div class=\"plot\" id=\"") | put(r, id) | put(r, "\"></div></figure>\n");
    return bad ? nomem(ctx) : MG_OK;
}

size_t mg_report_plot_count(const mg_report *r) {
    return json_array_size(r->plots);
}

/* The scales, axes and size shared by the line and bar plots. */
static json_t *axis(const char *orient, const char *scale, const char *title) {
    return json_pack("{s:s, s:s, s:s, s:b}", "orient", orient, "scale", scale, "title",
                     title ? title : "", "grid", !strcmp(orient, "left"));
}

/* A fixed frame around the plot area (no autosize), so that the plots of a report share
 * their left edge and their x axes line up; right makes room for a legend. */
static void fix_frame(json_t *spec, int right) {
    json_object_set_new(spec, "autosize", json_string("none"));
    json_object_set_new(
        spec, "padding",
        json_pack("{s:i, s:i, s:i, s:i}", "left", 70, "right", right, "top", 12, "bottom", 44));
    json_object_set_new(spec, "width", json_integer(800 - right));
}

mg_status mg_report_lines(mg_context *ctx, mg_report *r, const char *title, size_t n,
                          const double *x, size_t nseries, const char *const *names,
                          const double *const *ys, const mg_report_line_opts *opts) {
    if (n == 0 || nseries == 0)
        return mg_error_raise(ctx, MG_ERR_DATA, "report plot '%s': no data", title ? title : "");
    mg_report_line_opts none;
    memset(&none, 0, sizeof none);
    if (!opts)
        opts = &none;
    json_t *values = json_array();
    for (size_t k = 0; values && k < nseries; k++)
        for (size_t i = 0; i < n; i++) {
            double y = ys[k][i];
            json_t *o = json_pack("{s:f, s:o, s:s}", "x", x[i], "y",
                                  isfinite(y) ? json_real(y) : json_null(), "s",
                                  names && names[k] ? names[k] : "");
            if (!o || json_array_append_new(values, o) != 0) {
                json_decref(values);
                return nomem(ctx);
            }
        }
    if (!values)
        return nomem(ctx);
    json_t *refs = json_array();
    for (size_t k = 0; refs && k < opts->n_refs; k++)
        json_array_append_new(refs, json_pack("{s:f, s:s}", "y", opts->ref_y[k], "name",
                                              opts->ref_names ? opts->ref_names[k] : ""));
    json_t *yscale =
        json_pack("{s:s, s:s, s:{s:[{s:s, s:s}, {s:s, s:s}]}, s:s, s:b, s:b}", "name", "y", "type",
                  "linear", "domain", "fields", "data", "series", "field", "y", "data", "refs",
                  "field", "y", "range", "height", "zero", 0, "nice", 1);
    json_t *yaxis = axis("left", "y", opts->ylabel);
    if (opts->y_names && opts->n_y_names > 0 && yscale && yaxis) {
        /* integer categories: fixed domain, top to bottom, labelled by name */
        json_object_set_new(yscale, "domain",
                            json_pack("[f, f]", (double)opts->n_y_names - 0.5, -0.5));
        json_object_set_new(yscale, "nice", json_false());
        json_t *names_arr = json_array();
        for (size_t i = 0; names_arr && i < opts->n_y_names; i++)
            json_array_append_new(names_arr, json_string(opts->y_names[i]));
        char *arr = names_arr ? json_dumps(names_arr, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
        json_decref(names_arr);
        if (arr) {
            size_t cap = strlen(arr) + 32;
            char *expr = malloc(cap);
            if (expr) {
                snprintf(expr, cap, "%s[datum.value]", arr);
                /* Vega (unlike Vega-Lite) has no labelExpr: set the label text itself */
                json_object_set_new(
                    yaxis, "encode",
                    json_pack("{s:{s:{s:{s:s}}}}", "labels", "update", "text", "signal", expr));
                free(expr);
            }
            free(arr);
        }
        json_object_set_new(yaxis, "tickCount", json_integer((json_int_t)opts->n_y_names));
        json_t *vals = json_array();
        for (size_t i = 0; vals && i < opts->n_y_names; i++)
            json_array_append_new(vals, json_integer((json_int_t)i));
        json_object_set_new(yaxis, "values", vals);
    }
    json_t *line = json_pack(
        "{s:s, s:{s:{s:s, s:s, s:[s]}}, s:[{s:s, s:{s:s}, s:{s:{s:{s:s, s:s}, s:{s:s, s:s}, "
        "s:{s:s, s:s}, s:{s:s}, s:{s:i}, s:{s:s}}}}]}",
        "type", "group", "from", "facet", "name", "one", "data", "series", "groupby", "s", "marks",
        "type", "line", "from", "data", "one", "encode", "enter", "x", "scale", "x", "field", "x",
        "y", "scale", "y", "field", "y", "stroke", "scale", "color", "field", "s", "defined",
        "signal", "isValid(datum.y)", "strokeWidth", "value", 2, "interpolate", "value",
        opts->step ? "step-after" : "linear");
    json_t *rule = json_pack(
        "{s:s, s:{s:s}, s:{s:{s:{s:i}, s:{s:s}, s:{s:s, s:s}, s:{s:s}, s:{s:[i, i]}}}}", "type",
        "rule", "from", "data", "refs", "encode", "enter", "x", "value", 0, "x2", "signal", "width",
        "y", "scale", "y", "field", "y", "stroke", "value", "#888", "strokeDash", "value", 4, 4);
    json_t *label = json_pack(
        "{s:s, s:{s:s}, s:{s:{s:{s:s}, s:{s:s, s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:i}}}}", "type",
        "text", "from", "data", "refs", "encode", "enter", "x", "signal", "width", "y", "scale",
        "y", "field", "y", "text", "field", "name", "align", "value", "right", "baseline", "value",
        "bottom", "dy", "value", -2);
    json_t *spec = json_pack(
        "{s:s, s:i, s:i, s:s, s:[{s:s, s:o}, {s:s, s:o}], s:[{s:s, s:s, s:{s:s, s:s}, "
        "s:s, s:b}, o, {s:s, s:s, s:{s:s, s:s}, s:s}], s:[o, o], s:[o, o, o]}",
        "$schema", "https://vega.github.io/schema/vega/v5.json", "width", 760, "height", 220,
        "padding", "5", "data", "name", "series", "values", values, "name", "refs", "values",
        refs ? refs : json_array(), "scales", "name", "x", "type", "linear", "domain", "data",
        "series", "field", "x", "range", "width", "zero", 0, yscale, "name", "color", "type",
        "ordinal", "domain", "data", "series", "field", "s", "range", "category", "axes",
        axis("bottom", "x", opts->xlabel), yaxis, "marks", line, rule, label);
    if (!spec)
        return nomem(ctx);
    if (nseries > 1)
        json_object_set_new(spec, "legends",
                            json_pack("[{s:s, s:s}]", "stroke", "color", "orient", "right"));
    fix_frame(spec, nseries > 1 ? 150 : 20);
    return mg_report_plot(ctx, r, title, spec);
}

mg_status mg_report_bars(mg_context *ctx, mg_report *r, const char *title, const char *xlabel,
                         const char *ylabel, size_t n, const char *const *labels,
                         const double *values) {
    if (n == 0)
        return mg_error_raise(ctx, MG_ERR_DATA, "report plot '%s': no data", title ? title : "");
    json_t *data = json_array();
    for (size_t i = 0; data && i < n; i++)
        if (json_array_append_new(
                data, json_pack("{s:s, s:o}", "k", labels[i], "v",
                                isfinite(values[i]) ? json_real(values[i]) : json_null())) != 0) {
            json_decref(data);
            return nomem(ctx);
        }
    json_t *spec = json_pack(
        "{s:s, s:i, s:i, s:s, s:[{s:s, s:o}], s:[{s:s, s:s, s:{s:s, s:s}, s:s, s:f}, {s:s, s:s, "
        "s:{s:s, s:s}, s:s, s:b}], s:[o, o], s:[{s:s, s:{s:s}, s:{s:{s:{s:s, s:s}, s:{s:s, "
        "s:i}, s:{s:s, s:s}, s:{s:s, s:i}, s:{s:s}}}}]}",
        "$schema", "https://vega.github.io/schema/vega/v5.json", "width", 760, "height", 220,
        "padding", "5", "data", "name", "bars", "values", data, "scales", "name", "x", "type",
        "band", "domain", "data", "bars", "field", "k", "range", "width", "padding", 0.2, "name",
        "y", "type", "linear", "domain", "data", "bars", "field", "v", "range", "height", "nice", 1,
        "axes", axis("bottom", "x", xlabel), axis("left", "y", ylabel), "marks", "type", "rect",
        "from", "data", "bars", "encode", "enter", "x", "scale", "x", "field", "k", "width",
        "scale", "x", "band", 1, "y", "scale", "y", "field", "v", "y2", "scale", "y", "value", 0,
        "fill", "value", "#4c78a8");
    if (!spec)
        return nomem(ctx);
    fix_frame(spec, 20);
    return mg_report_plot(ctx, r, title, spec);
}

/* ---- writing ---- */

static int write_escaped(FILE *f, const char *s) {
    for (; *s; s++) {
        int rc;
        switch (*s) {
            case '&':
                rc = fputs("&amp;", f);
                break;
            case '<':
                rc = fputs("&lt;", f);
                break;
            case '>':
                rc = fputs("&gt;", f);
                break;
            default:
                rc = fputc(*s, f);
                break;
        }
        if (rc == EOF)
            return -1;
    }
    return 0;
}

/* Write JSON text into a <script>: "</" becomes the equivalent JSON "<\\/", so no
 * "</script>" inside a string can end the element. */
static int write_json_script(FILE *f, const char *s, size_t len) {
    size_t start = 0;
    for (size_t i = 0; i + 1 < len; i++)
        if (s[i] == '<' && s[i + 1] == '/') {
            if (fwrite(s + start, 1, i + 1 - start, f) != i + 1 - start || fputc('\\', f) == EOF)
                return -1;
            start = i + 1;
        }
    return fwrite(s + start, 1, len - start, f) == len - start ? 0 : -1;
}

/* Does JavaScript text hold "</script" (any case) or "<!--", which would end or
 * change the <script> element it is inlined into? */
static int unsafe_in_script(const char *s) {
    for (; *s; s++)
        if (s[0] == '<' && (strncasecmp(s, "</script", 8) == 0 || strncmp(s, "<!--", 4) == 0))
            return 1;
    return 0;
}

static const char *page_style =
    "body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;"
    "color:#222}h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid "
    "#ddd}table{border-collapse:collapse;margin:1em 0;font-size:.9em}td,th{border:1px solid "
    "#ccc;padding:.25em .6em;text-align:left}caption{text-align:left;font-weight:bold;"
    "margin-bottom:.3em}figure{margin:1.5em 0}figcaption{font-weight:bold;margin-bottom:.3em}"
    ".note{background:#fff4e5;border:1px solid #f0b070;padding:.6em 1em}"
    ".error{color:#b00}\n";

static const char *page_runtime =
    "var vega=(function(){var v={};for(var k in __m)Object.assign(v,__m[k]);"
    "Object.assign(__m['vega-dataflow'].transforms,__m['vega-transforms'],__m['vega-encode'],"
    "__m['vega-view-transforms']);return v;})();\n"
    "window.mgsimReport={plots:0,rendered:0,errors:[]};\n"
    "(function(){var R=window.mgsimReport;"
    "var plots=JSON.parse(document.getElementById('mgsim-plots').textContent);"
    "R.plots=plots.length;"
    /* Vega logs some failures instead of rejecting: count a plot only when its own logger
     * saw no error */
    "plots.forEach(function(p){var errs=[],lg=vega.logger(vega.Warn),err=lg.error;"
    "lg.error=function(){errs.push(Array.prototype.join.call(arguments,' '));"
    "return err.apply(lg,arguments);};"
    "function fail(e){R.errors.push(p.id+': '+e);"
    "document.getElementById(p.id).textContent='plot failed: '+e;}"
    "try{new vega.View(vega.parse(p.spec),{renderer:'svg',container:'#'+p.id,hover:true,"
    "logger:lg}).runAsync().then(function(){if(errs.length)fail(errs.join('; '));"
    "else R.rendered++;},fail);}catch(e){fail(e);}});})();\n";

mg_status mg_report_write(mg_context *ctx, const mg_report *r, FILE *f, const char *vega_dir) {
    if (!vega_dir) {
        const char *env = getenv("MGSIM_VEGA_DIR");
        vega_dir = env && *env ? env : "/usr/share/javascript/vega";
    }
    int bad = fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                    "<title>",
                    f) == EOF;
    bad |= write_escaped(f, r->title) != 0;
    bad |= fprintf(f, "</title>\n<style>%s</style>\n</head><body>\n<h1>", page_style) < 0;
    bad |= write_escaped(f, r->title) != 0;
    bad |= fprintf(f, "</h1>\n<p class=\"note\">%s</p>\n", REPORT_NOTE) < 0;
    if (r->html)
        bad |= fputs(r->html, f) == EOF;
    bad |= fprintf(f, "<p class=\"note\">%s</p>\n", REPORT_NOTE) < 0;
    char *specs = json_dumps(r->plots, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(9));
    if (!specs)
        return nomem(ctx);
    bad |= fputs("<script type=\"application/json\" id=\"mgsim-plots\">", f) == EOF;
    bad |= write_json_script(f, specs, strlen(specs)) != 0;
    free(specs);
    bad |= fputs("</script>\n<script>\n/* Vega (BSD-3-Clause), from Debian's libjs-vega */\n"
                 "var __m={};function __r(n){if(n==='vega-selections')n='vega-selection';"
                 "var m=__m[n];if(!m)throw new Error('vega module missing: '+n);return m;}\n",
                 f) == EOF;
    for (size_t i = 0; i < sizeof vega_modules / sizeof vega_modules[0] && !bad; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.min.js", vega_dir, vega_modules[i]);
        char *text = NULL;
        size_t len = 0;
        mg_status st = mg_io_read_text(ctx, path, "a Vega module", &text, &len);
        if (st != MG_OK)
            return mg_error_raise(ctx, st,
                                  "%s: cannot read the Vega module for the report plots; install "
                                  "Debian's libjs-vega (scripts/setup.sh does) or set "
                                  "MGSIM_VEGA_DIR",
                                  path);
        /* drop the source-map comment: the map is not shipped with the page */
        char *map = strstr(text, "//# sourceMappingURL=");
        if (map) {
            *map = '\0';
            len = (size_t)(map - text);
        }
        if (unsafe_in_script(text)) {
            free(text);
            return mg_error_raise(ctx, MG_ERR_DATA,
                                  "%s: the Vega module holds '</script' or '<!--' and cannot be "
                                  "inlined into the report",
                                  path);
        }
        bad |= fputs("(function(){var module={exports:{}},exports=module.exports,require=__r,"
                     "define=undefined;\n",
                     f) == EOF;
        bad |= fwrite(text, 1, len, f) != len;
        bad |= fprintf(f, "\n;__m['%s']=module.exports;})();\n", vega_modules[i]) < 0;
        free(text);
    }
    bad |= fputs(page_runtime, f) == EOF;
    bad |= fputs("</script>\n</body></html>\n", f) == EOF;
    if (bad || ferror(f))
        return mg_error_raise(ctx, MG_ERR_IO, "cannot write the report");
    return MG_OK;
}
