/* What the scenario commands share (see common.h). */
#include "cli/common.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "mgsim/output.h"

static int usage(const char *cmd, const char *message, const char *arg) {
    if (arg)
        fprintf(stderr, "mgsim %s: %s '%s'\n", cmd, message, arg);
    else
        fprintf(stderr, "mgsim %s: %s\n", cmd, message);
    fprintf(stderr, "Try 'mgsim %s --help'.\n", cmd);
    return CLI_EXIT_USAGE;
}

int cli_common_parse(int argc, char **argv, const char *cmd, void (*help)(FILE *), const char *what,
                     cli_common_opts *o) {
    memset(o, 0, sizeof *o);
    o->sets = calloc((size_t)argc + 1, sizeof *o->sets);
    if (!o->sets) {
        fputs("mgsim: out of memory\n", stderr);
        return mg_status_exit_code(MG_ERR_NOMEM);
    }
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *v;
        if (arg[0] != '-' || arg[1] == '\0') {
            if (o->input)
                return usage(cmd, "unexpected argument", arg);
            o->input = arg;
        } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            help(stdout);
            return 0;
        } else if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0) {
            o->quiet = 1;
        } else if (cli_is_option(arg, "-o") || cli_is_option(arg, "--output")) {
            if (!(v = cli_option_value(argc, argv, &i, arg[1] == '-' ? "--output" : "-o")) || !*v)
                return usage(cmd, "missing folder after", arg);
            o->outdir = v;
        } else if (cli_is_option(arg, "--set")) {
            if (!(v = cli_option_value(argc, argv, &i, "--set")))
                return usage(cmd, "missing KEY=VALUE after", arg);
            const char *eq = strchr(v, '=');
            if (!eq || eq == v)
                return usage(cmd, "--set expects KEY=VALUE, got", v);
            o->sets[o->n_sets++] = v;
        } else {
            return usage(cmd, "unknown option", arg);
        }
    }
    if (!o->input) {
        char msg[160];
        snprintf(msg, sizeof msg, "missing %s", what);
        return usage(cmd, msg, NULL);
    }
    return -1;
}

void cli_common_free(cli_common_opts *o) {
    free(o->sets);
    o->sets = NULL;
}

int cli_fail(const mg_context *ctx, mg_status st) {
    const char *msg = ctx ? mg_error_message(ctx) : NULL;
    fprintf(stderr, "mgsim: %s\n", msg && *msg ? msg : mg_status_string(st));
    return mg_status_exit_code(st);
}

const char *cli_data_dir(void) {
    const char *env = getenv("MGSIM_DATA_DIR");
    if (env && *env)
        return env;
    if (access(MGSIM_DATA_DIR_BUILD "/foods.csv", R_OK) == 0)
        return MGSIM_DATA_DIR_BUILD;
    return MGSIM_DATA_DIR_INSTALL;
}

mg_status cli_load_forms_dris(mg_context *ctx, mg_body_salt_forms **forms, mg_diet_dris **dris) {
    char path[4096];
    *forms = NULL;
    *dris = NULL;
    snprintf(path, sizeof path, "%s/salt_forms.csv", cli_data_dir());
    mg_status st = mg_body_salt_forms_load(ctx, path, forms);
    if (st == MG_OK) {
        snprintf(path, sizeof path, "%s/dri.csv", cli_data_dir());
        st = mg_diet_dris_load(ctx, path, dris);
    }
    return st;
}

static char *join(const char *dir, const char *prefix, const char *name, const char *suffix) {
    size_t n = strlen(dir) + strlen(prefix) + strlen(name) + strlen(suffix) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s%s%s", dir, prefix, name, suffix);
    return p;
}

mg_status cli_outset_begin(mg_context *ctx, cli_outset *set, const char *dir) {
    memset(set, 0, sizeof *set);
    mg_status st = mg_output_make_dirs(ctx, dir);
    if (st != MG_OK)
        return st;
    set->dir = strdup(dir);
    if (!set->dir)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    return MG_OK;
}

FILE *cli_outset_open(mg_context *ctx, cli_outset *set, const char *name) {
    char **grown = realloc(set->names, (set->n + 1) * sizeof *grown);
    if (!grown) {
        mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
        return NULL;
    }
    set->names = grown;
    char *tmp = join(set->dir, ".", name, ".part");
    char *copy = strdup(name);
    if (!tmp || !copy) {
        free(tmp);
        free(copy);
        mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
        return NULL;
    }
    FILE *f = fopen(tmp, "w");
    if (!f) {
        mg_error_raise(ctx, MG_ERR_CANTCREAT, "cannot create %s: %s", tmp, strerror(errno));
        free(tmp);
        free(copy);
        return NULL;
    }
    free(tmp);
    set->names[set->n++] = copy;
    return f;
}

mg_status cli_outset_close(mg_context *ctx, FILE *f, const char *name) {
    int bad = ferror(f) != 0;
    bad |= fclose(f) != 0;
    if (bad)
        return mg_error_raise(ctx, MG_ERR_IO, "cannot write %s", name);
    return MG_OK;
}

mg_status cli_outset_json(mg_context *ctx, cli_outset *set, const char *name, const json_t *root) {
    FILE *f = cli_outset_open(ctx, set, name);
    if (!f)
        return mg_error_status(ctx);
    int rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
    if (rc != 0 || fputc('\n', f) == EOF) {
        fclose(f);
        return mg_error_raise(ctx, MG_ERR_IO, "cannot write %s", name);
    }
    return cli_outset_close(ctx, f, name);
}

mg_status cli_outset_commit(mg_context *ctx, cli_outset *set) {
    for (size_t i = 0; i < set->n; i++) {
        if (!set->names[i])
            continue;
        char *tmp = join(set->dir, ".", set->names[i], ".part");
        char *fin = join(set->dir, "", set->names[i], "");
        int ok = tmp && fin && rename(tmp, fin) == 0;
        int e = errno;
        free(tmp);
        free(fin);
        if (!ok)
            return mg_error_raise(ctx, MG_ERR_IO, "cannot rename %s/.%s.part: %s", set->dir,
                                  set->names[i], strerror(e));
        free(set->names[i]);
        set->names[i] = NULL;
    }
    return MG_OK;
}

void cli_outset_end(cli_outset *set) {
    for (size_t i = 0; i < set->n; i++) {
        if (!set->names[i])
            continue;
        char *tmp = join(set->dir, ".", set->names[i], ".part");
        if (tmp)
            unlink(tmp);
        free(tmp);
        free(set->names[i]);
    }
    free(set->names);
    free(set->dir);
    memset(set, 0, sizeof *set);
}

mg_status cli_report_parameters(mg_context *ctx, mg_report *rep, const mg_scen_schema *schema,
                                void *const *bases) {
    json_t *params = mg_scen_params_json(schema, bases);
    size_t n = params ? json_array_size(params) : 0;
    char *vals = calloc(n ? n : 1, 64);
    const char **cells = calloc(n ? 4 * n : 1, sizeof *cells);
    mg_status st = MG_OK;
    if (!params || !vals || !cells) {
        st = mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    } else {
        for (size_t i = 0; i < n; i++) {
            json_t *p = json_array_get(params, i);
            json_t *v = json_object_get(p, "value");
            char *buf = vals + 64 * i;
            if (json_is_string(v))
                snprintf(buf, 64, "%s", json_string_value(v));
            else if (json_is_real(v))
                snprintf(buf, 64, "%.6g", json_real_value(v));
            else if (json_is_integer(v))
                snprintf(buf, 64, "%lld", (long long)json_integer_value(v));
            else if (json_is_boolean(v))
                snprintf(buf, 64, "%s", json_is_true(v) ? "true" : "false");
            else
                snprintf(buf, 64, "not given");
            cells[4 * i] = json_string_value(json_object_get(p, "key"));
            cells[4 * i + 1] = buf;
            cells[4 * i + 2] = json_string_value(json_object_get(p, "unit"));
            cells[4 * i + 3] = json_string_value(json_object_get(p, "source"));
        }
        const char *hdr[4] = {"key", "value", "unit", "source"};
        st = mg_report_heading(ctx, rep, "Every parameter used, with its source");
        if (st == MG_OK)
            st = mg_report_table(ctx, rep, NULL, 4, hdr, n, cells);
    }
    free(cells);
    free(vals);
    json_decref(params);
    return st;
}

mg_status cli_report_finish(mg_context *ctx, cli_outset *out, mg_report **rep,
                            const mg_scen_schema *schema, void *const *bases, mg_status st) {
    if (st == MG_OK)
        st = cli_report_parameters(ctx, *rep, schema, bases);
    if (st == MG_OK) {
        FILE *h = cli_outset_open(ctx, out, "report.html");
        if (!h) {
            st = mg_error_status(ctx);
        } else {
            st = mg_report_write(ctx, *rep, h, NULL);
            mg_status c = cli_outset_close(ctx, h, "report.html");
            if (st == MG_OK)
                st = c;
        }
    }
    mg_report_destroy(rep);
    return st;
}

void cli_relative_path(const char *base, const char *name, char *buf, size_t cap) {
    const char *slash = strrchr(base, '/');
    if (name[0] == '/' || !slash)
        snprintf(buf, cap, "%s", name);
    else
        snprintf(buf, cap, "%.*s/%s", (int)(slash - base), base, name);
}

mg_status cli_plan_adjust(mg_context *ctx, mg_diet_plan *p, const char *source) {
    char path[4096];
    mg_diet_processing *proc = NULL;
    mg_diet_soil *soil = NULL;
    mg_status st = MG_OK;
    if (p->processing[0]) {
        snprintf(path, sizeof path, "%s/processing.csv", cli_data_dir());
        st = mg_diet_processing_load(ctx, path, &proc);
    }
    if (st == MG_OK && p->soil_scenario[0]) {
        snprintf(path, sizeof path, "%s/soil_scenarios.csv", cli_data_dir());
        st = mg_diet_soil_load(ctx, path, &soil);
    }
    if (st == MG_OK && (proc || soil)) {
        st = mg_diet_plan_adjust(ctx, p, proc, proc ? p->processing : NULL, soil,
                                 soil ? p->soil_scenario : NULL);
        if (st != MG_OK) {
            char why[900];
            snprintf(why, sizeof why, "%s", mg_error_message(ctx));
            st = mg_error_raise(ctx, st, "%s: %s", source, why);
        }
    }
    mg_diet_processing_destroy(&proc);
    mg_diet_soil_destroy(&soil);
    return st;
}

void cli_help_options(FILE *out) {
    fputs("Options:\n"
          "  -o, --output DIR  write the files below into DIR (created; all or nothing)\n"
          "  --set KEY=VALUE   set one key (repeatable), after the file is read\n"
          "  -q, --quiet       no summary on stdout\n"
          "  -h, --help        show this help\n"
          "\n"
          "Keys (KEY = default  (type, unit; range)  meaning [source]):\n",
          out);
}
