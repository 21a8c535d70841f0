/* `mgsim net`: load a network model, build it, run it, and write its results. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "cli/progress.h"
#include "mgsim/io.h"
#include "mgsim/net.h"
#include "mgsim/output.h"

/* Most worker threads --threads accepts. */
#define NET_MAX_THREADS 1024

typedef struct {
    const char *model;
    const char *outdir;
    const char **sets; /* --set values and --seed, in command-line order */
    size_t n_sets;
    char **owned; /* strings made here (from --seed), freed at the end */
    size_t n_owned;
    int threads;
    int quiet;
} net_opts;

void cli_net_help(FILE *out) {
    fputs(
        "Usage: mgsim net MODEL.yaml -o DIR [--set KEY=VALUE]... [--threads N] [--seed S] "
        "[--quiet]\n"
        "\n"
        "Run the spiking network described by MODEL.yaml and write its results to DIR.\n"
        "\n"
        "Options:\n"
        "  -o, --output DIR     folder for the results; created if missing (like mkdir -p)\n"
        "  --set KEY=VALUE      override one model key after the file is read, e.g.\n"
        "                       --set run.duration_ms=500 (repeatable; keys listed below)\n"
        "  --seed S             root seed of every random stream (a whole number >= 0);\n"
        "                       the same as --set run.seed=S\n"
        "  --threads N          worker threads (default 1); results do not depend on N.\n"
        "                       Threads meet once per step: use at most as many as there\n"
        "                       are idle cores (a busy core stalls every step), and expect\n"
        "                       gains on large networks more than on small ones\n"
        "  -q, --quiet          no progress and no result table; errors are still printed\n"
        "  -h, --help           show this help\n"
        "\n"
        "Example:\n"
        "  mgsim net examples/net/coba.yaml -o results/coba --set extracellular.mg_mM=0.1 "
        "--threads 4\n"
        "\n"
        "Files written to DIR (each under a temporary name first, renamed when the run ends):\n"
        "  model.resolved.yaml  the model with every key and default filled in; loads back as is\n"
        "  spikes.h5            SONATA spikes of the populations in record.spikes (default: all\n"
        "                       but sources): /spikes/<population>/timestamps (ms), node_ids;\n"
        "                       sorted by time (record.spikes_format: [sonata], the default)\n"
        "  spikes.csv           t_ms,population,node_id (record.spikes_format: [csv] or\n"
        "                       [sonata, csv])\n"
        "  rates.csv            t_start_ms, then the rate (Hz) of every population in bins of\n"
        "                       record.rates_bin_ms (when > 0)\n"
        "  state_<name>.csv     t_ms, then <id>:<variable> per neuron of recorder\n"
        "                       record.state.<name>\n"
        "  summary.json         status, n, spikes and rate_hz per population, synapses,\n"
        "                       bytes_per_synapse, wall_s, build_wall_s, loop_wall_s,\n"
        "                       peak_rss_mb, version, seed; ATP per population (energy);\n"
        "                       excitotoxic_load per plastic projection with calcium\n"
        "                       (synapse-ms and integral above plasticity.tox_threshold)\n"
        "\n"
        "On an error nothing is left in DIR. A runaway network (a rate above\n"
        "runaway.max_rate_hz) or an interrupted run (Ctrl-C or SIGTERM) still completes\n"
        "every file up to the time reached, and summary.json says \"runaway\" or\n"
        "\"interrupted\"; a second Ctrl-C quits at once and leaves only hidden .*.part files.\n"
        "\n"
        "Progress goes to stderr: a bar on a terminal, a line every 10 % otherwise.\n"
        "\n"
        "Exit status:\n"
        "  0    the run completed\n"
        "  64   bad command line\n"
        "  65   a bad value in the model (the message gives file:line:column), or a model\n"
        "       too large for the memory (run.max_memory_mb)\n"
        "  66   the model file cannot be read\n"
        "  70   runaway activity stopped the run (or an internal error)\n"
        "  71   out of memory\n"
        "  73   DIR or a file in it cannot be created\n"
        "  74   a file could not be written\n"
        "  78   a bad model structure or an unknown key\n"
        "  130  interrupted (Ctrl-C or SIGTERM)\n"
        "\n"
        "Model keys (the YAML file and --set use the same dotted names):\n",
        out);
    mg_io_net_print_keys(out);
}

static int usage(const char *message, const char *arg) {
    if (arg)
        fprintf(stderr, "mgsim: %s '%s'\n", message, arg);
    else
        fprintf(stderr, "mgsim: %s\n", message);
    fputs("Try 'mgsim net --help'.\n", stderr);
    return CLI_EXIT_USAGE;
}

/* Parse argv into o. Returns -1 to go on, or the exit status to return now. */
static int parse_args(int argc, char **argv, net_opts *o) {
    int only_positional = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *v;
        if (only_positional || arg[0] != '-' || arg[1] == '\0') {
            if (o->model)
                return usage("unexpected argument", arg);
            o->model = arg;
        } else if (strcmp(arg, "--") == 0) {
            only_positional = 1;
        } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            cli_net_help(stdout);
            return 0;
        } else if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0) {
            o->quiet = 1;
        } else if (cli_is_option(arg, "-o") || cli_is_option(arg, "--output")) {
            if (!(v = cli_option_value(argc, argv, &i, arg[1] == '-' ? "--output" : "-o")) || !*v)
                return usage("missing folder after", arg);
            o->outdir = v;
        } else if (cli_is_option(arg, "--set")) {
            if (!(v = cli_option_value(argc, argv, &i, "--set")))
                return usage("missing KEY=VALUE after", arg);
            const char *eq = strchr(v, '=');
            if (!eq || eq == v)
                return usage("--set expects KEY=VALUE, got", v);
            o->sets[o->n_sets++] = v;
        } else if (cli_is_option(arg, "--seed")) {
            unsigned long long seed;
            if (!(v = cli_option_value(argc, argv, &i, "--seed")))
                return usage("missing number after", arg);
            if (!cli_parse_u64(v, &seed))
                return usage("--seed expects a whole number >= 0, got", v);
            char *s = malloc(48);
            if (!s) {
                fputs("mgsim: out of memory\n", stderr);
                return mg_status_exit_code(MG_ERR_NOMEM);
            }
            snprintf(s, 48, "run.seed=%llu", seed);
            o->owned[o->n_owned++] = s;
            o->sets[o->n_sets++] = s;
        } else if (cli_is_option(arg, "--threads")) {
            unsigned long long n;
            if (!(v = cli_option_value(argc, argv, &i, "--threads")))
                return usage("missing number after", arg);
            if (!cli_parse_u64(v, &n) || n < 1 || n > NET_MAX_THREADS)
                return usage("--threads expects a whole number from 1 to 1024, got", v);
            o->threads = (int)n;
        } else {
            return usage("unknown option", arg);
        }
    }
    if (!o->model)
        return usage("missing the model file (MODEL.yaml)", NULL);
    if (!o->outdir)
        return usage("missing the output folder (-o DIR)", NULL);
    return -1;
}

/* The engine's callbacks share one user pointer: route them to the writers and the progress. */
typedef struct {
    mg_net_callbacks writers;
    cli_progress progress;
} run_hooks;

static int hook_spikes(void *user, uint32_t pop, double t_ms, const uint32_t *ids, size_t n) {
    run_hooks *h = user;
    return h->writers.on_spikes(h->writers.user, pop, t_ms, ids, n);
}

static int hook_state(void *user, size_t rec, double t_ms, const double *values, size_t n) {
    run_hooks *h = user;
    return h->writers.on_state(h->writers.user, rec, t_ms, values, n);
}

static int hook_weights(void *user, size_t rec, double t_ms, const uint32_t *pre,
                        const uint32_t *post, const double *w_nS, const double *rho, size_t n) {
    run_hooks *h = user;
    return h->writers.on_weights(h->writers.user, rec, t_ms, pre, post, w_nS, rho, n);
}

static int hook_progress(void *user, double t_ms, double total_ms) {
    run_hooks *h = user;
    return cli_progress_update(&h->progress, t_ms, total_ms);
}

/* The size of the network to build, on stderr. */
static void print_plan(const char *model, const mg_net_spec *spec, int threads) {
    double neurons = 0.0, synapses = 0.0;
    for (size_t i = 0; i < spec->n_pops; i++)
        neurons += spec->pops[i].n;
    for (size_t k = 0; k < spec->n_projs; k++)
        synapses += mg_net_estimate_proj_synapses(spec, k);
    fprintf(stderr,
            "mgsim: %s: %.0f neurons in %zu populations, ~%.0f synapses (~%.3g MiB); %.1f ms "
            "at dt %g ms, %d thread%s\n",
            model, neurons, spec->n_pops, synapses, mg_net_estimate_bytes(spec) / 1048576.0,
            spec->duration_ms, spec->dt_ms, threads, threads == 1 ? "" : "s");
}

/* The result table on stdout. */
static void print_result(const mg_net_spec *spec, const mg_net *net, const char *outdir,
                         const char *status) {
    mg_net_stats st = mg_net_get_stats(net);
    double t_ms = mg_net_time_ms(net);
    size_t w = 10;
    for (size_t i = 0; i < spec->n_pops; i++)
        if (strlen(spec->pops[i].name) > w)
            w = strlen(spec->pops[i].name);
    printf("%-*s %10s %12s %10s\n", (int)w, "population", "n", "spikes", "rate (Hz)");
    for (size_t i = 0; i < spec->n_pops; i++) {
        uint64_t s = mg_net_pop_spikes(net, (uint32_t)i);
        uint32_t n = mg_net_pop_size(net, (uint32_t)i);
        double rate = n && t_ms > 0.0 ? (double)s / n / (t_ms * 1e-3) : 0.0;
        printf("%-*s %10u %12llu %10.2f\n", (int)w, spec->pops[i].name, n, (unsigned long long)s,
               rate);
    }
    printf("synapses: %llu", (unsigned long long)st.synapses);
    if (st.synapses)
        printf(" (%.1f bytes each)", st.synapse_bytes / (double)st.synapses);
    if (st.plastic_synapses)
        printf("; plastic: %llu (%.1f bytes each)", (unsigned long long)st.plastic_synapses,
               st.plastic_synapse_bytes / (double)st.plastic_synapses);
    printf("\nbuild: %.2f s; loop: %.2f s for %.1f ms simulated", st.build_wall_s, st.loop_wall_s,
           t_ms);
    if (st.loop_wall_s > 0.0)
        printf(" (%.3gx real time)", t_ms * 1e-3 / st.loop_wall_s);
    printf("; peak memory %.0f MiB\n", mg_peak_rss_mb());
    printf("status: %s; results in %s/\n", status, outdir);
}

/* Load, build, run, write. Returns the exit status. */
static int run(const net_opts *opt, double wall0) {
    mg_context *ctx = mg_context_create();
    if (!ctx) {
        fputs("mgsim: out of memory\n", stderr);
        return mg_status_exit_code(MG_ERR_NOMEM);
    }
    mg_io_net_model *model = NULL;
    mg_output *out = NULL;
    mg_net *net = NULL;
    int *mask = NULL;
    uint64_t *pop_spikes = NULL, *pop_out = NULL;
    mg_output_tox *tox = NULL;
    size_t n_tox = 0;
    char stop_msg[1024] = "";
    mg_status st = mg_context_set_threads(ctx, opt->threads);
    if (st == MG_OK)
        st = mg_io_net_load(ctx, opt->model, opt->sets, opt->n_sets, &model);
    if (st != MG_OK)
        goto done;
    const mg_net_spec *spec = mg_io_net_model_spec(model);
    if ((st = mg_output_open(ctx, opt->outdir, spec, mg_io_net_model_outputs(model), &out)) !=
        MG_OK)
        goto done;
    const char *resolved = mg_output_add_file(out, "model.resolved.yaml");
    if (!resolved) {
        st = mg_error_status(ctx);
        goto done;
    }
    if ((st = mg_io_net_write_resolved(ctx, model, resolved)) != MG_OK)
        goto done;

    /* The engine records what the writers need (rates need every population). */
    mg_net_spec run_spec = *spec;
    size_t np = spec->n_pops ? spec->n_pops : 1;
    mask = calloc(np, sizeof *mask);
    pop_spikes = calloc(np, sizeof *pop_spikes);
    pop_out = calloc(np, sizeof *pop_out);
    tox = calloc(spec->n_projs ? spec->n_projs : 1, sizeof *tox);
    if (!mask || !pop_spikes || !pop_out || !tox) {
        st = mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
        goto done;
    }
    memcpy(mask, mg_output_record_mask(out), spec->n_pops * sizeof *mask);
    run_spec.record_spikes = mask;
    if (!opt->quiet)
        print_plan(opt->model, spec, mg_context_threads(ctx));
    if ((st = mg_net_create(ctx, &run_spec, &net)) != MG_OK)
        goto done;

    run_hooks hooks;
    hooks.writers = mg_output_callbacks(out);
    mg_net_callbacks cb = {&hooks, hook_spikes, hook_state, hook_progress, hook_weights};
    cli_progress_start(&hooks.progress, opt->quiet);
    st = mg_net_run(net, spec->duration_ms, &cb);
    cli_progress_end(&hooks.progress);
    if (st == MG_ERR_INTERRUPTED)
        snprintf(stop_msg, sizeof stop_msg, "interrupted by %s at t = %.1f ms",
                 cli_signal_caught() == SIGTERM ? "SIGTERM" : "Ctrl-C", mg_net_time_ms(net));
    else if (st == MG_ERR_RUNAWAY)
        snprintf(stop_msg, sizeof stop_msg, "%s", mg_error_message(ctx));
    else if (st != MG_OK) {
        if (mg_output_status(out) != MG_OK) /* a writer failed: its message says why */
            st = mg_error_status(ctx);
        goto done;
    }

    mg_net_stats stats = mg_net_get_stats(net);
    for (size_t i = 0; i < spec->n_pops; i++)
        pop_spikes[i] = mg_net_pop_spikes(net, (uint32_t)i);
    for (size_t j = 0; j < spec->n_projs; j++)
        if (spec->projs[j].pre < spec->n_pops)
            pop_out[spec->projs[j].pre] += mg_net_proj_synapses(net, (uint32_t)j);
    for (size_t j = 0; j < spec->n_projs; j++) { /* excitotoxic load of the calcium rules */
        mg_output_tox *r = &tox[n_tox];
        if (!mg_net_proj_tox(net, (uint32_t)j, &r->threshold, &r->time_ms, &r->integral))
            continue;
        r->name = spec->projs[j].name;
        r->unit = spec->projs[j].plast.rule == MG_NET_PLAST_SHOUVAL2002 ? "uM" : "1";
        r->synapses = mg_net_proj_synapses(net, (uint32_t)j);
        n_tox++;
    }
    mg_output_run_info info = {
        .status = st,
        .message = st == MG_OK ? NULL : stop_msg,
        .model_path = opt->model,
        .t_ms = mg_net_time_ms(net),
        .threads = mg_context_threads(ctx),
        .wall_s = mg_wall_seconds() - wall0,
        .build_wall_s = stats.build_wall_s,
        .loop_wall_s = stats.loop_wall_s,
        .peak_rss_mb = mg_peak_rss_mb(),
        .synapses = stats.synapses,
        .synapse_bytes = stats.synapse_bytes,
        .steps = stats.steps,
        .plastic_synapses = stats.plastic_synapses,
        .plastic_synapse_bytes = stats.plastic_synapse_bytes,
        .pop_spikes = pop_spikes,
        .pop_out_synapses = pop_out,
        .tox = tox,
        .n_tox = n_tox,
    };
    mg_status fin = mg_output_finish(out, &info);
    if (fin != MG_OK) {
        st = fin;
        goto done;
    }
    if (!opt->quiet)
        print_result(spec, net, opt->outdir,
                     st == MG_OK            ? "complete"
                     : st == MG_ERR_RUNAWAY ? "runaway"
                                            : "interrupted");
    if (st != MG_OK)
        fprintf(stderr, "mgsim: %s; the results up to then are in %s/\n", stop_msg, opt->outdir);

done:
    if (st != MG_OK && st != MG_ERR_RUNAWAY && st != MG_ERR_INTERRUPTED) {
        const char *msg = mg_error_message(ctx);
        fprintf(stderr, "mgsim: %s\n", msg && *msg ? msg : mg_status_string(st));
    }
    mg_net_destroy(&net);
    mg_output_destroy(&out); /* removes every file not committed */
    mg_io_net_model_free(&model);
    free(mask);
    free(pop_spikes);
    free(pop_out);
    free(tox);
    mg_context_destroy(&ctx);
    return mg_status_exit_code(st);
}

int cli_net(int argc, char **argv) {
    double wall0 = mg_wall_seconds();
    cli_signals_install();
    net_opts opt;
    memset(&opt, 0, sizeof opt);
    opt.threads = 1;
    /* every argument is at most one --set or --seed */
    opt.sets = calloc((size_t)argc, sizeof *opt.sets);
    opt.owned = calloc((size_t)argc, sizeof *opt.owned);
    int rc;
    if (!opt.sets || !opt.owned) {
        fputs("mgsim: out of memory\n", stderr);
        rc = mg_status_exit_code(MG_ERR_NOMEM);
    } else {
        rc = parse_args(argc, argv, &opt);
        if (rc < 0)
            rc = run(&opt, wall0);
    }
    for (size_t i = 0; i < opt.n_owned; i++)
        free(opt.owned[i]);
    free(opt.owned);
    free(opt.sets);
    return rc;
}
