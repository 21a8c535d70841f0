/* `mgsim protocol`: plasticity experiments on a single synapse (Graupner & Brunel 2012).
 * This increment has one protocol, stdp-curve. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "mgsim/plast.h"
#include "mgsim/output.h"

/* Most Δt points a sweep may have. */
#define PROTO_MAX_POINTS 1000000

/* What a key sets. */
typedef enum {
    KEY_SET_NAME, /* rule.params */
    KEY_COUNT,    /* a whole number */
    KEY_REAL,     /* a protocol number */
    KEY_GB,       /* a field of mg_gb_params */
    KEY_MODE,     /* rule.calcium: spike or nmda */
    KEY_CA        /* a field of mg_gb_calcium_params */
} key_kind;

typedef struct {
    const char *key;
    key_kind kind;
    size_t off; /* KEY_GB: offset in mg_gb_params; others: offset in proto_opts */
    const char *unit;
    const char *def; /* default, as shown in --help */
    const char *help;
} key_def;

/* The settings of a run (defaults in key_table). */
typedef struct {
    const char *set_name;
    double pairs, frequency_hz, dt_min_ms, dt_max_ms, dt_step_ms, repetitions;
} proto_opts;

#define PO(f)    offsetof(proto_opts, f)
#define CA(f)    offsetof(mg_gb_calcium_params, f)
#define GB(f)    offsetof(mg_gb_params, f)
#define FROM_SET "from rule.params"

/* Every key of `mgsim protocol stdp-curve`, its unit, default and meaning: the
 * one table that --help prints and --set parses. */
static const key_def key_table[] = {
    {"rule.params", KEY_SET_NAME, 0, "name", "DP",
     "GB2012 parameter set: DP, DPD, DPD' (or DPDp), P, D,\n"
     "D' (or Dp), cortical_slices, hippocampal_slices,\n"
     "hippocampal_cultures (the last two: θd = 1, θp = 1.3\n"
     "are an assumption, not stated in the paper)"},
    {"protocol.pairs", KEY_COUNT, PO(pairs), "pairs", "60", "number of pre/post spike pairs"},
    {"protocol.frequency_hz", KEY_REAL, PO(frequency_hz), "Hz", "1",
     "pairing frequency; pair k starts at k/frequency"},
    {"protocol.dt_min_ms", KEY_REAL, PO(dt_min_ms), "ms", "-100",
     "first Δt = t_post - t_pre of the sweep"},
    {"protocol.dt_max_ms", KEY_REAL, PO(dt_max_ms), "ms", "100", "last Δt of the sweep"},
    {"protocol.dt_step_ms", KEY_REAL, PO(dt_step_ms), "ms", "2", "Δt step (> 0)"},
    {"protocol.repetitions", KEY_COUNT, PO(repetitions), "reps", "1000",
     "Monte Carlo repetitions per Δt from each initial\n"
     "state (DOWN and UP); 0: the analytic approximation only"},
    {"rule.tau_ca_ms", KEY_GB, GB(tau_ca_ms), "ms", FROM_SET, "τCa, calcium decay time constant"},
    {"rule.c_pre", KEY_GB, GB(c_pre), "1", FROM_SET, "C_pre, calcium jump per presynaptic spike"},
    {"rule.c_post", KEY_GB, GB(c_post), "1", FROM_SET,
     "C_post, calcium jump per postsynaptic spike"},
    {"rule.theta_d", KEY_GB, GB(theta_d), "1", FROM_SET, "θd, depression threshold"},
    {"rule.theta_p", KEY_GB, GB(theta_p), "1", FROM_SET, "θp, potentiation threshold (>= θd)"},
    {"rule.gamma_d", KEY_GB, GB(gamma_d), "1", FROM_SET, "γd, depression rate"},
    {"rule.gamma_p", KEY_GB, GB(gamma_p), "1", FROM_SET, "γp, potentiation rate"},
    {"rule.sigma", KEY_GB, GB(sigma), "1", FROM_SET, "σ, noise amplitude"},
    {"rule.tau_rho_s", KEY_GB, GB(tau_rho_s), "s", FROM_SET, "τ, time constant of the efficacy ρ"},
    {"rule.delay_D_ms", KEY_GB, GB(delay_D_ms), "ms", FROM_SET,
     "D, delay of the presynaptic calcium jump"},
    {"rule.rho_star", KEY_GB, GB(rho_star), "1", FROM_SET, "ρ*, boundary between DOWN and UP"},
    {"rule.beta", KEY_GB, GB(beta), "1", FROM_SET, "β, fraction of synapses initially DOWN"},
    {"rule.b", KEY_GB, GB(b), "1", FROM_SET, "b = w1/w0, UP/DOWN weight ratio"},
    {"rule.calcium", KEY_MODE, CA(mode), "name", "spike",
     "presynaptic calcium: spike (GB2012 jump C_pre) or\n"
     "nmda (NMDA current through the Mg block, Shouval 2002)"},
    {"rule.nmda_scale", KEY_CA, CA(nmda_scale), "1", "1",
     "nmda: multiplier of the calibration (1: one pre\n"
     "spike at V_rest and 1 mM Mg lets C_pre enter)"},
    {"extracellular.mg_mM", KEY_CA, CA(mg_mM), "mM", "1",
     "[Mg2+]o of the Jahr-Stevens block (nmda mode only)"},
};

#define N_KEYS (sizeof key_table / sizeof key_table[0])

/* The protocols this command knows. */
static const char *const protocol_names[] = {"stdp-curve"};

void cli_protocol_help(FILE *out) {
    fputs(
        "Usage: mgsim protocol NAME [-o DIR] [--set KEY=VALUE]... [--sweep KEY=START:STOP:STEP]\n"
        "                      [--seed S] [--quiet]\n"
        "\n"
        "Run a plasticity experiment on one synapse and write its results to DIR.\n"
        "The synapse is the calcium-based model of Graupner & Brunel 2012 (PNAS 109:3991):\n"
        "spike-driven calcium c(t) with decay τCa, a bistable efficacy ρ driven up while c is\n"
        "above θp and down while it is above θd, with noise; docs/models/graupner-brunel-2012.md.\n"
        "\n"
        "Protocols (NAME):\n"
        "  stdp-curve  pairs of a presynaptic and a postsynaptic spike, Δt = t_post - t_pre\n"
        "              swept from protocol.dt_min_ms to protocol.dt_max_ms; for each Δt the\n"
        "              time calcium spends above θd and θp (exact), the analytic\n"
        "              approximation of GB2012 and a Monte Carlo estimate of the change of\n"
        "              synaptic strength\n"
        "With --set rule.calcium=nmda the presynaptic calcium is an NMDA current through the\n"
        "Jahr-Stevens Mg2+ block at the postsynaptic V (rest + back-propagating APs), so the\n"
        "result depends on extracellular.mg_mM (docs/models/graupner-brunel-2012.md).\n"
        "Planned (issue 3, not yet available): frequency, tetanus, theta-burst, lfs, snr.\n"
        "\n"
        "Options:\n"
        "  -o, --output DIR  folder for the results; created if missing. Without -o only\n"
        "                    the table on stdout\n"
        "  --set KEY=VALUE   set one key (repeatable; keys below)\n"
        "  --sweep KEY=START:STOP:STEP\n"
        "                    repeat the protocol for KEY = START, START+STEP, ... <= STOP\n"
        "                    (once; KEY extracellular.mg_mM, rule.nmda_scale or a numeric\n"
        "                    rule.* key; STEP > 0)\n"
        "  --seed S          seed of the Monte Carlo noise (a whole number >= 0; default 1);\n"
        "                    the same seed gives the same numbers\n"
        "  -q, --quiet       no table on stdout; errors are still printed\n"
        "  -h, --help        show this help\n"
        "\n"
        "Example:\n"
        "  mgsim protocol stdp-curve -o results/stdp --set rule.params=DPD' "
        "--set protocol.dt_step_ms=1\n"
        "  mgsim protocol stdp-curve -o results/mg --set rule.calcium=nmda "
        "--sweep extracellular.mg_mM=0.5:2:0.5\n"
        "\n"
        "Files written to DIR (each under a temporary name first, then renamed):\n"
        "  stdp_curve.csv  dt_ms, time_above_d_s, time_above_p_s, rho_bar, tau_eff_s, U, D,\n"
        "                  change_analytic, change_simulated (after/before; U and D are the\n"
        "                  analytic UP and DOWN transition probabilities)\n"
        "  summary.json    weight_change_percent (Monte Carlo; analytic when\n"
        "                  protocol.repetitions is 0) aligned with sweep_values (Δt, ms),\n"
        "                  weight_change_percent_analytic, rule, params (every value),\n"
        "                  version, seed, wall_s, note\n"
        "  With --sweep: the CSV's first column is the swept KEY; in summary.json sweep_key\n"
        "  is KEY, sweep_values its values, dt_ms the Δt, and weight_change_percent[s][i]\n"
        "  (and _analytic) the change at swept value s and Δt i\n"
        "\n"
        "Exit status: 0 done; 64 bad command line or unknown protocol; 65 a bad value;\n"
        "73 DIR cannot be created; 74 a file cannot be written; 78 unknown key or parameter set.\n"
        "\n"
        "Keys (KEY  unit  default  meaning):\n",
        out);
    for (size_t i = 0; i < N_KEYS; i++) {
        const key_def *k = &key_table[i];
        fprintf(out, "  %-22s %-5s %-16s ", k->key, k->unit, k->def);
        for (const char *h = k->help; *h; h++) {
            fputc(*h, out);
            if (*h == '\n')
                fprintf(out, "%48s", "");
        }
        fputc('\n', out);
    }
}

static int usage(const char *message, const char *arg) {
    if (arg)
        fprintf(stderr, "mgsim: %s '%s'\n", message, arg);
    else
        fprintf(stderr, "mgsim: %s\n", message);
    fputs("Try 'mgsim protocol --help'.\n", stderr);
    return CLI_EXIT_USAGE;
}

/* Print the error of status st (message of ctx) and return its exit code. */
static int fail(mg_context *ctx, mg_status st) {
    const char *msg = mg_error_message(ctx);
    fprintf(stderr, "mgsim: %s\n", msg && *msg ? msg : mg_status_string(st));
    return mg_status_exit_code(st);
}

/* A finite decimal number, the whole string. */
static int parse_real(const char *s, double *out) {
    if (!*s)
        return 0;
    errno = 0;
    char *end;
    *out = strtod(s, &end);
    return errno == 0 && *end == '\0' && isfinite(*out);
}

/* The key_table entry named by the first klen characters of s, or NULL. */
static const key_def *find_key(const char *s, size_t klen) {
    for (size_t j = 0; j < N_KEYS; j++)
        if (strlen(key_table[j].key) == klen && strncmp(key_table[j].key, s, klen) == 0)
            return &key_table[j];
    return NULL;
}

/* Raise the unknown-key error (MG_ERR_CONFIG) listing the valid keys. */
static mg_status unknown_key(mg_context *ctx, const char *prefix, const char *s, size_t klen) {
    char keys[2048] = "";
    for (size_t j = 0; j < N_KEYS; j++) {
        strncat(keys, key_table[j].key, sizeof keys - strlen(keys) - 1);
        if (j + 1 < N_KEYS)
            strncat(keys, ", ", sizeof keys - strlen(keys) - 1);
    }
    return mg_error_raise(ctx, MG_ERR_CONFIG, "%sunknown key '%.*s'; valid keys: %s", prefix,
                          (int)klen, s, keys);
}

/* A parsed --sweep KEY=START:STOP:STEP. */
typedef struct {
    const key_def *key; /* NULL: no sweep */
    double start, stop, step;
    size_t n;
} sweep_def;

/* Parse --sweep text into *sw (a KEY_GB or KEY_CA key; START <= STOP; STEP > 0).
 * Errors name the option: MG_ERR_CONFIG for an unknown or unsweepable key,
 * MG_ERR_DATA for bad numbers or no points. */
static mg_status parse_sweep(mg_context *ctx, const char *text, sweep_def *sw) {
    const char *eq = strchr(text, '=');
    size_t klen = (size_t)(eq - text);
    const key_def *k = find_key(text, klen);
    if (!k)
        return unknown_key(ctx, "--sweep: ", text, klen);
    if (k->kind != KEY_GB && k->kind != KEY_CA)
        return mg_error_raise(ctx, MG_ERR_CONFIG,
                              "--sweep: key '%s' cannot be swept (stdp-curve already sweeps "
                              "protocol.dt_*; sweep extracellular.mg_mM or a numeric rule.* key)",
                              k->key);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", eq + 1);
    char *a = buf, *b = strchr(a, ':'), *c = b ? strchr(b + 1, ':') : NULL;
    if (!b || !c)
        return mg_error_raise(ctx, MG_ERR_DATA, "--sweep expects KEY=START:STOP:STEP, got '%s'",
                              text);
    *b++ = '\0';
    *c++ = '\0';
    if (!parse_real(a, &sw->start) || !parse_real(b, &sw->stop) || !parse_real(c, &sw->step))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "--sweep %s: START, STOP and STEP must be numbers, got '%s'", k->key,
                              eq + 1);
    if (!(sw->step > 0.0))
        return mg_error_raise(ctx, MG_ERR_DATA, "--sweep %s: STEP must be > 0, got %g", k->key,
                              sw->step);
    if (sw->start > sw->stop)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "--sweep %s: no points: START (%g) is above STOP (%g)", k->key,
                              sw->start, sw->stop);
    double n = floor((sw->stop - sw->start) / sw->step + 1e-9) + 1.0;
    if (n > PROTO_MAX_POINTS)
        return mg_error_raise(ctx, MG_ERR_DATA, "--sweep %s: %.0f points; at most %d", k->key, n,
                              PROTO_MAX_POINTS);
    sw->key = k;
    sw->n = (size_t)n;
    return MG_OK;
}

/* Apply the --set values: first rule.params (the last one given), then every
 * other key in command-line order. */
static mg_status apply_sets(mg_context *ctx, const char **sets, size_t n, proto_opts *o,
                            mg_gb_params *p, mg_gb_calcium_params *q) {
    for (size_t i = 0; i < n; i++)
        if (strncmp(sets[i], "rule.params=", 12) == 0)
            o->set_name = sets[i] + 12;
    mg_status st = mg_gb_params_by_name(ctx, o->set_name, p);
    if (st != MG_OK) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", mg_error_message(ctx));
        return mg_error_raise(ctx, st, "rule.params: %s", msg);
    }
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(sets[i], '=');
        size_t klen = (size_t)(eq - sets[i]);
        const char *val = eq + 1;
        const key_def *k = find_key(sets[i], klen);
        if (!k)
            return unknown_key(ctx, "", sets[i], klen);
        double v = 0.0;
        unsigned long long u = 0;
        switch (k->kind) {
            case KEY_SET_NAME:
                break;
            case KEY_COUNT:
                if (!cli_parse_u64(val, &u) || u > 1000000000ull)
                    return mg_error_raise(ctx, MG_ERR_DATA,
                                          "%s expects a whole number from 0 to 1e9, got '%s'",
                                          k->key, val);
                *(double *)((char *)o + k->off) = (double)u;
                break;
            case KEY_REAL:
                if (!parse_real(val, &v))
                    return mg_error_raise(ctx, MG_ERR_DATA, "%s expects a number (%s), got '%s'",
                                          k->key, k->unit, val);
                *(double *)((char *)o + k->off) = v;
                break;
            case KEY_GB:
            case KEY_CA:
                if (!parse_real(val, &v))
                    return mg_error_raise(ctx, MG_ERR_DATA, "%s expects a number (%s), got '%s'",
                                          k->key, k->unit, val);
                *(double *)((char *)(k->kind == KEY_GB ? (void *)p : (void *)q) + k->off) = v;
                break;
            case KEY_MODE:
                if (strcmp(val, "spike") == 0)
                    q->mode = MG_GB_CALCIUM_SPIKE;
                else if (strcmp(val, "nmda") == 0)
                    q->mode = MG_GB_CALCIUM_NMDA;
                else
                    return mg_error_raise(ctx, MG_ERR_DATA,
                                          "rule.calcium expects spike or nmda, got '%s'", val);
                break;
        }
    }
    return MG_OK;
}

/* Check the protocol settings and count the Δt points into *n_points. */
static mg_status check_protocol(mg_context *ctx, const proto_opts *o, const mg_gb_params *p,
                                size_t *n_points) {
    if (o->pairs < 1.0)
        return mg_error_raise(ctx, MG_ERR_DATA, "protocol.pairs must be >= 1, got %g", o->pairs);
    if (!(o->frequency_hz > 0.0))
        return mg_error_raise(ctx, MG_ERR_DATA, "protocol.frequency_hz must be > 0 Hz, got %g",
                              o->frequency_hz);
    if (!(o->dt_step_ms > 0.0))
        return mg_error_raise(ctx, MG_ERR_DATA, "protocol.dt_step_ms must be > 0 ms, got %g",
                              o->dt_step_ms);
    if (o->dt_min_ms > o->dt_max_ms)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "no points: protocol.dt_min_ms (%g ms) is above protocol.dt_max_ms "
                              "(%g ms)",
                              o->dt_min_ms, o->dt_max_ms);
    double n = floor((o->dt_max_ms - o->dt_min_ms) / o->dt_step_ms + 1e-9) + 1.0;
    if (n > PROTO_MAX_POINTS)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "protocol.dt_step_ms = %g ms gives %.0f points; at most %d",
                              o->dt_step_ms, n, PROTO_MAX_POINTS);
    double period = 1000.0 / o->frequency_hz;
    if (!(fabs(o->dt_min_ms) + (o->dt_min_ms < 0.0 ? p->delay_D_ms : 0.0) < period))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "protocol.dt_min_ms = %g ms: |Δt| + D (D = %g ms when Δt < 0) must "
                              "be shorter than the pairing period 1000/protocol.frequency_hz = "
                              "%g ms",
                              o->dt_min_ms, p->delay_D_ms, period);
    if (!(fabs(o->dt_max_ms) < period && p->delay_D_ms < period))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "protocol.dt_max_ms = %g ms: |Δt| and D (%g ms) must be shorter "
                              "than the pairing period 1000/protocol.frequency_hz = %g ms",
                              o->dt_max_ms, p->delay_D_ms, period);
    *n_points = (size_t)n;
    return MG_OK;
}

/* "DIR/NAME" (hidden = 1: "DIR/.NAME.part") into buf. */
static void out_path(char *buf, size_t cap, const char *dir, const char *name, int hidden) {
    snprintf(buf, cap, "%s/%s%s%s", dir, hidden ? "." : "", name, hidden ? ".part" : "");
}

/* A double for CSV ("nan" and "inf" as C prints them). */
static void csv_num(FILE *f, double v, int last) {
    fprintf(f, "%.12g%c", v, last ? '\n' : ',');
}

/* The CSV; with a sweep (sw->key), a first column named by the key holds the swept value
 * of each row (points ordered swept value-major, n_dt Δt per value). */
static mg_status write_csv(mg_context *ctx, const char *path, const mg_gb_stdp_point *pts, size_t n,
                           const sweep_def *sw, size_t n_dt) {
    FILE *f = fopen(path, "w");
    if (!f)
        return mg_error_raise(ctx, MG_ERR_CANTCREAT, "cannot create %s: %s", path, strerror(errno));
    if (sw->key)
        fprintf(f, "%s,", sw->key->key);
    fputs("dt_ms,time_above_d_s,time_above_p_s,rho_bar,tau_eff_s,U,D,change_analytic,"
          "change_simulated\n",
          f);
    for (size_t i = 0; i < n; i++) {
        const mg_gb_stdp_point *q = &pts[i];
        if (sw->key)
            csv_num(f, sw->start + (double)(i / n_dt) * sw->step, 0);
        csv_num(f, q->dt_ms, 0);
        csv_num(f, q->above_d_s, 0);
        csv_num(f, q->above_p_s, 0);
        csv_num(f, q->an.rho_bar, 0);
        csv_num(f, q->an.tau_eff_s, 0);
        csv_num(f, q->an.up, 0);
        csv_num(f, q->an.down, 0);
        csv_num(f, q->an.change, 0);
        csv_num(f, q->change_sim, 1);
    }
    int bad = ferror(f) != 0;
    bad |= fclose(f) != 0;
    if (bad)
        return mg_error_raise(ctx, MG_ERR_IO, "cannot write %s", path);
    return MG_OK;
}

/* Set key to value in obj, stealing value; a failure (no memory) is remembered in *bad. */
static void put(json_t *obj, const char *key, json_t *value, int *bad) {
    if (!value || json_object_set_new(obj, key, value) != 0)
        *bad = 1;
}

/* A JSON number, or null when not finite (JSON has no NaN or infinity). */
static json_t *num(double v) {
    return isfinite(v) ? json_real(v) : json_null();
}

/* summary.json. Without a sweep: sweep_key "protocol.dt_ms", sweep_values the Δt and
 * weight_change_percent[i] at Δt i (the first increment's layout). With a sweep:
 * sweep_key the swept key, sweep_values its values, dt_ms the Δt, and
 * weight_change_percent[s][i] at swept value s and Δt i (same for _analytic). */
static mg_status write_summary(mg_context *ctx, const char *path, const proto_opts *o,
                               const mg_gb_params *p, const mg_gb_calcium_params *q,
                               const mg_gb_stdp_point *pts, size_t n, const sweep_def *sw,
                               size_t n_dt, uint64_t seed, double wall_s) {
    int bad = 0;
    json_t *root = json_object(), *params = json_object(), *sweep = json_array();
    json_t *change = json_array(), *change_an = json_array(), *files = json_array();
    json_t *dts = sw->key ? json_array() : NULL;
    int simulated = o->repetitions > 0.0;
    if (!root || !params || !sweep || !change || !change_an || !files || (sw->key && !dts))
        bad = 1;
    size_t n_sw = sw->key ? n / n_dt : 1;
    for (size_t v = 0; v < n_sw && !bad; v++) {
        json_t *row = sw->key ? json_array() : change;
        json_t *row_an = sw->key ? json_array() : change_an;
        if (sw->key) {
            bad |= json_array_append_new(change, row) != 0;
            bad |= json_array_append_new(change_an, row_an) != 0;
            bad |= json_array_append_new(sweep, json_real(sw->start + (double)v * sw->step)) != 0;
        }
        for (size_t i = 0; i < n_dt && !bad; i++) {
            const mg_gb_stdp_point *pt = &pts[v * n_dt + i];
            double c = simulated ? pt->change_sim : pt->an.change;
            if (v == 0)
                bad |= json_array_append_new(sw->key ? dts : sweep, json_real(pt->dt_ms)) != 0;
            bad |= json_array_append_new(row, num(100.0 * (c - 1.0))) != 0;
            bad |= json_array_append_new(row_an, num(100.0 * (pt->an.change - 1.0))) != 0;
        }
    }
    if (params) {
        put(params, "rule.params", json_string(o->set_name), &bad);
        for (size_t i = 0; i < N_KEYS; i++) {
            const key_def *k = &key_table[i];
            if (k->kind == KEY_GB)
                put(params, k->key, json_real(*(const double *)((const char *)p + k->off)), &bad);
            else if (k->kind == KEY_COUNT)
                put(params, k->key,
                    json_integer((json_int_t) * (const double *)((const char *)o + k->off)), &bad);
            else if (k->kind == KEY_REAL)
                put(params, k->key, json_real(*(const double *)((const char *)o + k->off)), &bad);
            else if (k->kind == KEY_CA)
                put(params, k->key, json_real(*(const double *)((const char *)q + k->off)), &bad);
            else if (k->kind == KEY_MODE)
                put(params, k->key, json_string(q->mode == MG_GB_CALCIUM_NMDA ? "nmda" : "spike"),
                    &bad);
        }
    }
    if (files) {
        bad |= json_array_append_new(files, json_string("stdp_curve.csv")) != 0;
        bad |= json_array_append_new(files, json_string("summary.json")) != 0;
    }
    if (root) {
        put(root, "version", json_string(mg_version_string()), &bad);
        put(root, "status", json_string("complete"), &bad);
        put(root, "protocol", json_string("stdp-curve"), &bad);
        put(root, "rule", json_string("graupner_brunel_2012"), &bad);
        put(root, "params", params, &bad);
        params = NULL;
        if (seed <= (uint64_t)INT64_MAX) {
            put(root, "seed", json_integer((json_int_t)seed), &bad);
        } else {
            char s[32];
            snprintf(s, sizeof s, "%llu", (unsigned long long)seed);
            put(root, "seed", json_string(s), &bad);
        }
        put(root, "sweep_key", json_string(sw->key ? sw->key->key : "protocol.dt_ms"), &bad);
        put(root, "sweep_values", sweep, &bad);
        sweep = NULL;
        if (sw->key) {
            put(root, "dt_ms", dts, &bad);
            dts = NULL;
        }
        put(root, "weight_change_percent", change, &bad);
        change = NULL;
        put(root, "weight_change_source",
            json_string(simulated ? "monte_carlo" : "analytic_approximation"), &bad);
        put(root, "weight_change_percent_analytic", change_an, &bad);
        change_an = NULL;
        put(root, "wall_s", json_real(wall_s), &bad);
        put(root, "note",
            json_string(q->mode == MG_GB_CALCIUM_NMDA
                            ? "This is a model prediction of the Graupner & Brunel 2012 "
                              "calcium-based synapse with NMDA-driven presynaptic calcium "
                              "(Shouval 2002 current through the Jahr-Stevens Mg2+ block, "
                              "calibrated at 1 mM; an assumption), not a measurement. A research "
                              "and teaching instrument, never medical advice."
                            : "This is a model prediction of the Graupner & Brunel 2012 "
                              "calcium-based synapse (spike-timing driven calcium, with no Mg2+ "
                              "dependence in this model), not a measurement. A research and "
                              "teaching instrument, never medical advice."),
            &bad);
        put(root, "files", files, &bad);
        files = NULL;
    }
    json_decref(params);
    json_decref(sweep);
    json_decref(change);
    json_decref(change_an);
    json_decref(files);
    json_decref(dts);
    if (bad) {
        json_decref(root);
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        json_decref(root);
        return mg_error_raise(ctx, MG_ERR_CANTCREAT, "cannot create %s: %s", path, strerror(errno));
    }
    int rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
    json_decref(root);
    rc |= fputc('\n', f) == EOF;
    rc |= fclose(f) != 0;
    if (rc != 0)
        return mg_error_raise(ctx, MG_ERR_IO, "cannot write %s", path);
    return MG_OK;
}

typedef struct {
    const char *name;
    const char *outdir;
    const char **sets;
    size_t n_sets;
    const char *sweep; /* --sweep text, or NULL */
    uint64_t seed;
    int quiet;
} cli_opts;

/* Run stdp-curve; returns the exit status. */
static int run_stdp(const cli_opts *c, double wall0) {
    mg_context *ctx = mg_context_create();
    if (!ctx) {
        fputs("mgsim: out of memory\n", stderr);
        return mg_status_exit_code(MG_ERR_NOMEM);
    }
    proto_opts o = {"DP", 60.0, 1.0, -100.0, 100.0, 2.0, 1000.0};
    mg_gb_params p;
    mg_gb_calcium_params q;
    mg_gb_calcium_defaults(&q);
    sweep_def sw = {NULL, 0.0, 0.0, 1.0, 1};
    size_t n = 0, n_dt = 0;
    mg_gb_stdp_point *pts = NULL;
    char csv_tmp[4096], csv_fin[4096], js_tmp[4096], js_fin[4096];
    int made_csv = 0, made_js = 0;
    mg_status st = apply_sets(ctx, c->sets, c->n_sets, &o, &p, &q);
    if (st == MG_OK && c->sweep)
        st = parse_sweep(ctx, c->sweep, &sw);
    if (st == MG_OK)
        st = mg_gb_params_validate(ctx, &p);
    if (st == MG_OK)
        st = mg_gb_calcium_validate(ctx, &q);
    if (st == MG_OK)
        st = check_protocol(ctx, &o, &p, &n_dt);
    if (st == MG_OK && (double)n_dt * (double)sw.n > PROTO_MAX_POINTS)
        st = mg_error_raise(ctx, MG_ERR_DATA, "--sweep: %zu values x %zu dt points; at most %d",
                            sw.n, n_dt, PROTO_MAX_POINTS);
    n = n_dt * sw.n;
    if (st == MG_OK && c->outdir)
        st = mg_output_make_dirs(ctx, c->outdir);
    if (st == MG_OK && !(pts = calloc(n, sizeof *pts)))
        st = mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    for (size_t v = 0; st == MG_OK && v < sw.n; v++) {
        if (sw.key) { /* the swept value overrides any --set of the key */
            double x = sw.start + (double)v * sw.step;
            *(double *)((char *)(sw.key->kind == KEY_GB ? (void *)&p : (void *)&q) + sw.key->off) =
                x;
            st = mg_gb_params_validate(ctx, &p);
            if (st == MG_OK)
                st = mg_gb_calcium_validate(ctx, &q);
            if (st == MG_OK)
                st = check_protocol(ctx, &o, &p, &n_dt);
        }
        for (size_t i = 0; st == MG_OK && i < n_dt; i++) {
            mg_gb_pairing pr = {(size_t)o.pairs, o.frequency_hz,
                                o.dt_min_ms + (double)i * o.dt_step_ms};
            st = mg_gb_stdp_run_calcium(ctx, &p, &q, &pr, (size_t)o.repetitions, c->seed,
                                        &pts[v * n_dt + i]);
        }
    }
    if (st == MG_OK && c->outdir) {
        out_path(csv_tmp, sizeof csv_tmp, c->outdir, "stdp_curve.csv", 1);
        out_path(csv_fin, sizeof csv_fin, c->outdir, "stdp_curve.csv", 0);
        out_path(js_tmp, sizeof js_tmp, c->outdir, "summary.json", 1);
        out_path(js_fin, sizeof js_fin, c->outdir, "summary.json", 0);
        made_csv = 1;
        st = write_csv(ctx, csv_tmp, pts, n, &sw, n_dt);
        if (st == MG_OK) {
            made_js = 1;
            st = write_summary(ctx, js_tmp, &o, &p, &q, pts, n, &sw, n_dt, c->seed,
                               mg_wall_seconds() - wall0);
        }
        if (st == MG_OK && rename(csv_tmp, csv_fin) != 0)
            st = mg_error_raise(ctx, MG_ERR_IO, "cannot rename %s to %s: %s", csv_tmp, csv_fin,
                                strerror(errno));
        else if (st == MG_OK)
            made_csv = 0;
        if (st == MG_OK && rename(js_tmp, js_fin) != 0)
            st = mg_error_raise(ctx, MG_ERR_IO, "cannot rename %s to %s: %s", js_tmp, js_fin,
                                strerror(errno));
        else if (st == MG_OK)
            made_js = 0;
    }
    int rc = 0;
    if (st != MG_OK) {
        if (made_csv)
            unlink(csv_tmp);
        if (made_js)
            unlink(js_tmp);
        rc = fail(ctx, st);
    } else if (!c->quiet) {
        printf("GB2012 %s, %s calcium, %.0f pairs at %g Hz, %.0f repetitions per state; change "
               "= after/before\n",
               o.set_name, q.mode == MG_GB_CALCIUM_NMDA ? "nmda" : "spike", o.pairs, o.frequency_hz,
               o.repetitions);
        if (sw.key)
            printf("%20s ", sw.key->key);
        printf("%9s %12s %12s %10s %10s\n", "dt_ms", "above_d_s", "above_p_s", "analytic",
               "simulated");
        for (size_t i = 0; i < n; i++) {
            if (sw.key)
                printf("%20.6g ", sw.start + (double)(i / n_dt) * sw.step);
            printf("%9.4g %12.6f %12.6f %10.4f %10.4f\n", pts[i].dt_ms, pts[i].above_d_s,
                   pts[i].above_p_s, pts[i].an.change, pts[i].change_sim);
        }
        printf("wall: %.2f s", mg_wall_seconds() - wall0);
        if (c->outdir)
            printf("; results in %s/", c->outdir);
        printf("\n");
    }
    free(pts);
    mg_context_destroy(&ctx);
    return rc;
}

/* Parse argv into o. Returns -1 to go on, or the exit status to return now. */
static int parse_args(int argc, char **argv, cli_opts *o) {
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *v;
        if (arg[0] != '-' || arg[1] == '\0') {
            if (o->name)
                return usage("unexpected argument", arg);
            o->name = arg;
        } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            cli_protocol_help(stdout);
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
        } else if (cli_is_option(arg, "--sweep")) {
            if (!(v = cli_option_value(argc, argv, &i, "--sweep")))
                return usage("missing KEY=START:STOP:STEP after", arg);
            const char *eq = strchr(v, '=');
            if (!eq || eq == v)
                return usage("--sweep expects KEY=START:STOP:STEP, got", v);
            if (o->sweep)
                return usage("--sweep may be given once; second", v);
            o->sweep = v;
        } else if (cli_is_option(arg, "--seed")) {
            unsigned long long seed;
            if (!(v = cli_option_value(argc, argv, &i, "--seed")))
                return usage("missing number after", arg);
            if (!cli_parse_u64(v, &seed))
                return usage("--seed expects a whole number >= 0, got", v);
            o->seed = seed;
        } else {
            return usage("unknown option", arg);
        }
    }
    if (!o->name)
        return usage("missing the protocol NAME; available: stdp-curve", NULL);
    for (size_t k = 0; k < sizeof protocol_names / sizeof protocol_names[0]; k++)
        if (strcmp(o->name, protocol_names[k]) == 0)
            return -1;
    fprintf(stderr,
            "mgsim: unknown protocol '%s'; available: stdp-curve (planned: frequency, tetanus, "
            "theta-burst, lfs, snr)\n",
            o->name);
    fputs("Try 'mgsim protocol --help'.\n", stderr);
    return CLI_EXIT_USAGE;
}

int cli_protocol(int argc, char **argv) {
    double wall0 = mg_wall_seconds();
    cli_opts o;
    memset(&o, 0, sizeof o);
    o.seed = 1;
    o.sets = calloc((size_t)argc, sizeof *o.sets);
    if (!o.sets) {
        fputs("mgsim: out of memory\n", stderr);
        return mg_status_exit_code(MG_ERR_NOMEM);
    }
    int rc = parse_args(argc, argv, &o);
    if (rc < 0)
        rc = run_stdp(&o, wall0);
    free(o.sets);
    return rc;
}
