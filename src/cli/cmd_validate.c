/* `mgsim validate`: run every validation target of the project (engine, plasticity, body,
 * sleep, stress; the targets are in validate_*.c) and print one table: target, source,
 * expected, got, tolerance, result. Exit 0 only when every target that ran passed. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "cli/common.h"
#include "cli/validate_targets.h"
#include "mgsim/base.h"

/* The exit status when a target failed or could not be computed. */
#define VALIDATE_EXIT_FAIL 1

/* The modules, in table order: their id prefix and their targets. */
typedef const vt_target *(*vt_list_fn)(size_t *n);
static const struct {
    const char *name;
    vt_list_fn list;
} MODULES[] = {{"engine", vt_engine_targets},
               {"plasticity", vt_plast_targets},
               {"body", vt_body_targets},
               {"sleep", vt_sleep_targets}};
#define N_MODULES (sizeof MODULES / sizeof MODULES[0])

/* The id prefixes --only accepts beyond any prefix of an id, listed in messages. */
static const char *const PREFIXES = "engine, plasticity, body, sleep, stress";

typedef enum { R_PASS, R_FAIL, R_ERROR, R_SKIP } vt_result_kind;

static const char *result_name(vt_result_kind k) {
    switch (k) {
        case R_PASS:
            return "pass";
        case R_FAIL:
            return "FAIL";
        case R_ERROR:
            return "ERROR";
        default:
            return "skipped";
    }
}

/* One row of the table. */
typedef struct {
    const vt_target *t;
    vt_outcome o;
    vt_result_kind kind;
    char error[512];
    double seconds;
} vt_row;

void vt_progress(const vt_cache *cache, const char *message) {
    if (!cache->quiet) {
        fprintf(stderr, "validate: %s\n", message);
        fflush(stderr);
    }
}

void vt_cache_free(vt_cache *cache) {
    (void)cache;
}

void cli_validate_help(FILE *out) {
    fputs("Usage: mgsim validate [--quick] [--only PREFIX] [-o DIR] [-q]\n"
          "\n"
          "Run every validation target of mgsim - the network engine against the Brian2 peer\n"
          "runs and the NMDA block formula, the plasticity rules against Graupner & Brunel 2012,\n"
          "Shouval et al. 2002 and Slutsky et al. 2004, the body model against the absorption,\n"
          "kidney and CSF studies, the diet tables against the NIH DRIs, the sleep models against\n"
          "the two-process cycle and normal-adult hypnograms, and the HPA axis against the\n"
          "healthy cortisol profile - and print one table: target, source, expected, got,\n"
          "tolerance, result; then \"N of M targets pass\". A model that misses a target is\n"
          "reported as FAIL, not hidden.\n"
          "docs/validation.md lists every target, its source and why its tolerance is what it is.\n"
          "\n"
          "Options:\n"
          "  --quick            skip the slow targets (more than a second each; marked in\n"
          "                     docs/validation.md): the four wang_mg network targets, the\n"
          "                     signal-to-noise sweep and the five sleep age-trend targets\n"
          "  --only PREFIX      run only the targets whose id starts with PREFIX (repeatable),\n"
          "                     e.g. body, sleep.stage, engine.nmda_block_analytic;\n"
          "                     modules: engine, plasticity, body, sleep, stress\n"
          "  -o, --output DIR   also write validation.csv and validation.json into DIR\n"
          "  -q, --quiet        no progress and no table: only the last line\n"
          "  -h, --help         show this help\n"
          "\n"
          "Run time on the 2-core development machine: 15-20 s in full (8 s of it the wang_mg\n"
          "networks), 2-5 s with --quick. Slow targets show progress on stderr.\n"
          "The engine targets read examples/net/ and bench/reference/ from the source tree (the\n"
          "folder above the data folder, see MGSIM_DATA_DIR).\n"
          "\n"
          "Exit status: 0 when every target that ran passed; 1 when one failed or could not be\n"
          "computed (ERROR); 64 for bad usage (an --only prefix that matches no target);\n"
          "73/74 when DIR cannot be written.\n",
          out);
}

static int usage(const char *message, const char *arg) {
    if (arg)
        fprintf(stderr, "mgsim validate: %s '%s'\n", message, arg);
    else
        fprintf(stderr, "mgsim validate: %s\n", message);
    fputs("Try 'mgsim validate --help'.\n", stderr);
    return CLI_EXIT_USAGE;
}

static int starts_with(const char *s, const char *prefix) {
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Every target, in table order, into a malloc'd array. */
static const vt_target **all_targets(size_t *n) {
    size_t total = 0;
    for (size_t m = 0; m < N_MODULES; m++) {
        size_t k;
        MODULES[m].list(&k);
        total += k;
    }
    const vt_target **out = malloc((total ? total : 1) * sizeof *out);
    if (!out)
        return NULL;
    size_t i = 0;
    for (size_t m = 0; m < N_MODULES; m++) {
        size_t k;
        const vt_target *t = MODULES[m].list(&k);
        for (size_t j = 0; j < k; j++)
            out[i++] = &t[j];
    }
    *n = total;
    return out;
}

static void run_target(mg_context *ctx, vt_cache *cache, vt_row *row) {
    vt_outcome *o = &row->o;
    memset(o, 0, sizeof *o);
    o->got = NAN;
    o->lo = row->t->lo;
    o->hi = row->t->hi;
    o->verdict = -1;
    double t0 = mg_wall_seconds();
    mg_error_clear(ctx);
    mg_status st = row->t->fn(ctx, cache, o);
    row->seconds = mg_wall_seconds() - t0;
    if (st != MG_OK) {
        row->kind = R_ERROR;
        const char *msg = mg_error_message(ctx);
        snprintf(row->error, sizeof row->error, "%s", msg && *msg ? msg : mg_status_string(st));
        return;
    }
    if (!o->got_text[0])
        snprintf(o->got_text, sizeof o->got_text, "%.4g", o->got);
    int ok = o->verdict >= 0 ? o->verdict : (!isnan(o->got) && o->got >= o->lo && o->got <= o->hi);
    row->kind = ok ? R_PASS : R_FAIL;
}

static const char *expected_text(const vt_row *r) {
    return r->o.expected[0] ? r->o.expected : r->t->expected;
}

static const char *got_text(const vt_row *r) {
    return r->kind == R_SKIP ? "-" : r->kind == R_ERROR ? "error" : r->o.got_text;
}

/* Print s in a column of width w (cut with "..." when longer). */
static void cell(FILE *f, const char *s, int w, int last) {
    int n = (int)strlen(s);
    if (n > w && !last)
        fprintf(f, "%.*s...", w - 3, s);
    else
        fprintf(f, "%-*s", last ? 0 : w, s);
    fputs(last ? "\n" : "  ", f);
}

#define SOURCE_W 44

static void print_table(FILE *f, const vt_row *rows, size_t n) {
    int w[5] = {6, 6, 8, 3, 9};
    for (size_t i = 0; i < n; i++) {
        const char *c[5] = {rows[i].t->id, rows[i].t->source, expected_text(&rows[i]),
                            got_text(&rows[i]), rows[i].t->tolerance};
        for (int k = 0; k < 5; k++) {
            int len = (int)strlen(c[k]);
            if (len > w[k])
                w[k] = len;
        }
    }
    if (w[1] > SOURCE_W)
        w[1] = SOURCE_W;
    cell(f, "target", w[0], 0);
    cell(f, "source", w[1], 0);
    cell(f, "expected", w[2], 0);
    cell(f, "got", w[3], 0);
    cell(f, "tolerance", w[4], 0);
    cell(f, "result", 6, 1);
    for (size_t i = 0; i < n; i++) {
        cell(f, rows[i].t->id, w[0], 0);
        cell(f, rows[i].t->source, w[1], 0);
        cell(f, expected_text(&rows[i]), w[2], 0);
        cell(f, got_text(&rows[i]), w[3], 0);
        cell(f, rows[i].t->tolerance, w[4], 0);
        cell(f, result_name(rows[i].kind), 6, 1);
    }
    for (size_t i = 0; i < n; i++)
        if (rows[i].kind == R_ERROR)
            fprintf(f, "error in %s: %s\n", rows[i].t->id, rows[i].error);
}

/* A CSV field, quoted. */
static void csv_field(FILE *f, const char *s, int last) {
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputs(last ? "\"\n" : "\",", f);
}

static mg_status write_files(mg_context *ctx, const char *dir, const vt_row *rows, size_t n,
                             size_t n_pass, size_t n_run, int quick) {
    cli_outset out;
    mg_status st = cli_outset_begin(ctx, &out, dir);
    if (st != MG_OK)
        return st;
    FILE *f = cli_outset_open(ctx, &out, "validation.csv");
    if (!f) {
        cli_outset_end(&out);
        return mg_error_status(ctx);
    }
    fputs("target,module,what,source,expected,got,got_value,accept_lo,accept_hi,tolerance,"
          "tolerance_why,result,seconds,detail\n",
          f);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        const vt_row *r = &rows[i];
        char module[32], num[4][48];
        snprintf(module, sizeof module, "%.*s", (int)strcspn(r->t->id, "."), r->t->id);
        int ran = r->kind == R_PASS || r->kind == R_FAIL;
        const double v[3] = {r->o.got, r->o.lo, r->o.hi};
        for (int k = 0; k < 3; k++) /* empty when not run or not finite */
            if (ran && isfinite(v[k]))
                snprintf(num[k], sizeof num[k], "%.10g", v[k]);
            else
                num[k][0] = '\0';
        snprintf(num[3], sizeof num[3], "%.3f", r->seconds);
        const char *detail = r->kind == R_ERROR ? r->error : r->o.detail;
        const char *fields[14] = {
            r->t->id, module, r->t->what, r->t->source,    expected_text(r), got_text(r),
            num[0],   num[1], num[2],     r->t->tolerance, r->t->why,        result_name(r->kind),
            num[3],   detail};
        for (int k = 0; k < 14; k++)
            csv_field(f, fields[k], k == 13);
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:s}", "target",
                              r->t->id, "module", module, "what", r->t->what, "source",
                              r->t->source, "expected", expected_text(r), "got", got_text(r),
                              "tolerance", r->t->tolerance, "tolerance_why", r->t->why, "result",
                              result_name(r->kind), "seconds", r->seconds, "detail", detail);
        if (o) {
            json_object_set_new(o, "slow", json_boolean(r->t->slow));
            json_object_set_new(o, "got_value",
                                ran && isfinite(r->o.got) ? json_real(r->o.got) : json_null());
            json_object_set_new(o, "accept_lo",
                                ran && isfinite(r->o.lo) ? json_real(r->o.lo) : json_null());
            json_object_set_new(o, "accept_hi",
                                ran && isfinite(r->o.hi) ? json_real(r->o.hi) : json_null());
            json_array_append_new(arr, o);
        }
    }
    st = cli_outset_close(ctx, f, "validation.csv");
    json_t *root =
        json_pack("{s:s, s:s, s:i, s:i, s:i, s:b, s:b, s:o}", "command", "validate", "version",
                  mg_version_string(), "targets", (int)n, "ran", (int)n_run, "passed", (int)n_pass,
                  "quick", quick, "all_pass", n_pass == n_run, "results", arr);
    if (!root)
        st = st != MG_OK ? st : mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    if (st == MG_OK)
        st = cli_outset_json(ctx, &out, "validation.json", root);
    json_decref(root);
    if (st == MG_OK)
        st = cli_outset_commit(ctx, &out);
    cli_outset_end(&out);
    return st;
}

int cli_validate(int argc, char **argv) {
    int quick = 0, quiet = 0;
    const char *outdir = NULL;
    const char **only = calloc((size_t)argc + 1, sizeof *only);
    size_t n_only = 0;
    if (!only) {
        fputs("mgsim: out of memory\n", stderr);
        return mg_status_exit_code(MG_ERR_NOMEM);
    }
    int rc = -1;
    for (int i = 1; i < argc && rc < 0; i++) {
        const char *arg = argv[i], *v;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            cli_validate_help(stdout);
            rc = 0;
        } else if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0) {
            quiet = 1;
        } else if (strcmp(arg, "--quick") == 0) {
            quick = 1;
        } else if (cli_is_option(arg, "--only")) {
            if (!(v = cli_option_value(argc, argv, &i, "--only")) || !*v)
                rc = usage("missing PREFIX after", arg);
            else
                only[n_only++] = v;
        } else if (cli_is_option(arg, "-o") || cli_is_option(arg, "--output")) {
            if (!(v = cli_option_value(argc, argv, &i, arg[1] == '-' ? "--output" : "-o")) || !*v)
                rc = usage("missing folder after", arg);
            else
                outdir = v;
        } else if (arg[0] == '-') {
            rc = usage("unknown option", arg);
        } else {
            rc = usage("unexpected argument", arg);
        }
    }
    size_t n_all = 0;
    const vt_target **all = rc < 0 ? all_targets(&n_all) : NULL;
    if (rc < 0 && !all) {
        fputs("mgsim: out of memory\n", stderr);
        rc = mg_status_exit_code(MG_ERR_NOMEM);
    }
    /* select: every --only prefix must match at least one target */
    vt_row *rows = rc < 0 ? calloc(n_all ? n_all : 1, sizeof *rows) : NULL;
    size_t n = 0;
    if (rc < 0 && !rows) {
        fputs("mgsim: out of memory\n", stderr);
        rc = mg_status_exit_code(MG_ERR_NOMEM);
    }
    for (size_t k = 0; rc < 0 && k < n_only; k++) {
        int hit = 0;
        for (size_t i = 0; i < n_all; i++)
            hit |= starts_with(all[i]->id, only[k]);
        if (!hit) {
            fprintf(stderr,
                    "mgsim validate: --only '%s' matches no target; valid prefixes: %s (or any "
                    "longer prefix of a target id, see mgsim validate --help)\n",
                    only[k], PREFIXES);
            rc = CLI_EXIT_USAGE;
        }
    }
    if (rc < 0) {
        for (size_t i = 0; i < n_all; i++) {
            int take = n_only == 0;
            for (size_t k = 0; k < n_only; k++)
                take |= starts_with(all[i]->id, only[k]);
            if (take)
                rows[n++].t = all[i];
        }
        mg_context *ctx = mg_context_create();
        vt_cache *cache = calloc(1, sizeof *cache);
        if (!ctx || !cache) {
            fputs("mgsim: out of memory\n", stderr);
            rc = mg_status_exit_code(MG_ERR_NOMEM);
        } else {
            cache->quiet = quiet;
            cache->data_dir = cli_data_dir();
            snprintf(cache->root, sizeof cache->root, "%s/..", cache->data_dir);
            size_t n_pass = 0, n_run = 0;
            double t0 = mg_wall_seconds();
            for (size_t i = 0; i < n; i++) {
                if (quick && rows[i].t->slow) {
                    rows[i].kind = R_SKIP;
                    continue;
                }
                run_target(ctx, cache, &rows[i]);
                n_run++;
                n_pass += rows[i].kind == R_PASS;
            }
            double wall = mg_wall_seconds() - t0;
            if (!quiet) {
                print_table(stdout, rows, n);
                fputc('\n', stdout);
            }
            size_t n_skip = n - n_run;
            printf("%zu of %zu targets pass", n_pass, n_run);
            if (n_skip)
                printf(" (%zu slow target%s skipped by --quick)", n_skip, n_skip == 1 ? "" : "s");
            printf(" in %.1f s\n", wall);
            rc = n_pass == n_run ? 0 : VALIDATE_EXIT_FAIL;
            if (outdir) {
                mg_status st = write_files(ctx, outdir, rows, n, n_pass, n_run, quick);
                if (st != MG_OK)
                    rc = cli_fail(ctx, st);
            }
            vt_cache_free(cache);
        }
        free(cache);
        mg_context_destroy(&ctx);
    }
    free(rows);
    free(all);
    free(only);
    return rc;
}
