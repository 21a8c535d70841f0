/* `mgsim protocol`: plasticity experiments on a single synapse (GB2012, Shouval 2002, STDP)
 * and one neuron (snr): stdp-curve, tetanus, lfs, theta-burst, frequency, snr. */
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
static const char *const protocol_names[] = {"stdp-curve",  "frequency", "tetanus",
                                             "theta-burst", "lfs",       "snr"};

/* Print the protocol keys (defined after their table). */
static void print_pkeys(FILE *out);

void cli_protocol_help(FILE *out) {
    fputs(
        "Usage: mgsim protocol NAME [-o DIR] [--set KEY=VALUE]... [--sweep KEY=START:STOP:STEP]\n"
        "                      [--seed S] [--quiet]\n"
        "\n"
        "Run a plasticity experiment on one synapse (snr: one neuron) and write its results to\n"
        "DIR. stdp-curve runs the calcium-based model of Graupner & Brunel 2012 (PNAS 109:3991):\n"
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
        "  tetanus     100 presynaptic pulses at 100 Hz (1 s)\n"
        "  lfs         low-frequency stimulation: 900 pulses at 1 Hz (Dudek & Bear 1992)\n"
        "  theta-burst 10 bursts of 4 pulses at 100 Hz, bursts at 5 Hz (Larson et al. 1986)\n"
        "  frequency   protocol.pulses (900) pulses at each rate from protocol.freq_min_hz to\n"
        "              protocol.freq_max_hz (the BCM-like frequency-response curve)\n"
        "              (these four: any rule.name; protocol.paired=1 adds a postsynaptic\n"
        "              spike protocol.dt_ms after every pulse; readouts: weight change,\n"
        "              calcium peak/mean/integral/influx, time and integral above the\n"
        "              excitotoxic threshold, ATP for spikes and synaptic events)\n"
        "  snr         signal vs noise after Slutsky et al. 2004: one conductance neuron with\n"
        "              snr.n_signal correlated and snr.n_noise uncorrelated AMPA+NMDA inputs;\n"
        "              NMDA calcium flux per input class, their ratio snr, the weight change\n"
        "              per class (shouval2002); with homeostasis.days > 0 the NMDA expression\n"
        "              first adapts to the set point (docs/models/homeostasis.md)\n"
        "Rules (rule.name, the four plasticity protocols): gb2012 (Graupner & Brunel 2012,\n"
        "rule.params sets below), shouval2002 (Shouval, Bear & Cooper 2002, NMDA calcium through\n"
        "the Mg2+ block), stdp_pair, stdp_triplet (Pfister & Gerstner 2006). stdp-curve runs "
        "gb2012.\n"
        "\n",
        out);
    fputs(
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
        "Keys of stdp-curve (KEY  unit  default  meaning):\n",
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
    fputs("\nKeys of tetanus, lfs, theta-burst, frequency and snr (KEY  unit  default  meaning;\n"
          "files: NAME.csv, one row per condition, and summary.json with weight_change_percent\n"
          "and every readout, a number, or arrays aligned with sweep_values):\n",
          out);
    print_pkeys(out);
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

/* The two key tables of this file (key_def, pkey_def) both start with the key's name; these
 * work on either, given the entry size. */
static const char *table_key(const void *table, size_t stride, size_t j) {
    return *(const char *const *)(const void *)((const char *)table + j * stride);
}

/* Index of the entry named by the first klen characters of s, or n. */
static size_t table_find(const void *table, size_t stride, size_t n, const char *s, size_t klen) {
    for (size_t j = 0; j < n; j++) {
        const char *key = table_key(table, stride, j);
        if (strlen(key) == klen && strncmp(key, s, klen) == 0)
            return j;
    }
    return n;
}

/* Raise the unknown-key error (MG_ERR_CONFIG) listing the table's keys. */
static mg_status table_unknown(mg_context *ctx, const void *table, size_t stride, size_t n,
                               const char *prefix, const char *s, size_t klen) {
    char keys[4096] = "";
    for (size_t j = 0; j < n; j++) {
        strncat(keys, table_key(table, stride, j), sizeof keys - strlen(keys) - 1);
        if (j + 1 < n)
            strncat(keys, ", ", sizeof keys - strlen(keys) - 1);
    }
    return mg_error_raise(ctx, MG_ERR_CONFIG, "%sunknown key '%.*s'; valid keys: %s", prefix,
                          (int)klen, s, keys);
}

/* The key_table entry named by the first klen characters of s, or NULL. */
static const key_def *find_key(const char *s, size_t klen) {
    size_t j = table_find(key_table, sizeof key_table[0], N_KEYS, s, klen);
    return j < N_KEYS ? &key_table[j] : NULL;
}

/* Raise the unknown-key error (MG_ERR_CONFIG) listing the valid keys. */
static mg_status unknown_key(mg_context *ctx, const char *prefix, const char *s, size_t klen) {
    return table_unknown(ctx, key_table, sizeof key_table[0], N_KEYS, prefix, s, klen);
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

/* ================================================================ the other protocols
 * tetanus, theta-burst, lfs, frequency (any rule) and snr (signal vs noise, with optional
 * homeostasis). One key table (pkey_table) for all of them; docs/models/protocols.md. */

/* What a protocol key sets. */
typedef enum {
    P_RULE,   /* rule.name */
    P_SET,    /* rule.params */
    P_MODE,   /* rule.calcium */
    P_MG,     /* extracellular.mg_mM: every model's [Mg]o */
    P_GB,     /* mg_gb_params */
    P_CA,     /* mg_gb_calcium_params */
    P_SH,     /* mg_shouval_params */
    P_STDP,   /* mg_stdp_params */
    P_SNR,    /* mg_snr_params */
    P_HOMEO,  /* mg_homeo_params */
    P_ENERGY, /* mg_energy_params */
    P_TOX,    /* mg_plast_setup.tox_rel */
    P_PROTO,  /* a real in pproto */
    P_PCOUNT  /* a whole number in pproto */
} pkey_kind;

typedef struct {
    const char *key;
    pkey_kind kind;
    size_t off;
    const char *unit;
    const char *def;
    const char *help;
} pkey_def;

/* Protocol settings (defaults depend on the protocol: proto_defaults). */
typedef struct {
    double pulses, pulse_hz, bursts, burst_hz, paired, dt_ms, tail_ms, repetitions;
    double freq_min_hz, freq_max_hz, freq_step_hz;
} pproto;

#define PP(f) offsetof(pproto, f)
#define SH(f) offsetof(mg_shouval_params, f)
#define SD(f) offsetof(mg_stdp_params, f)
#define SN(f) offsetof(mg_snr_params, f)
#define HO(f) offsetof(mg_homeo_params, f)
#define EN(f) offsetof(mg_energy_params, f)
#define BYP   "by protocol"

static const pkey_def pkey_table[] = {
    {"rule.name", P_RULE, 0, "name", "gb2012",
     "plasticity rule: gb2012, shouval2002, stdp_pair,\nstdp_triplet (snr always uses "
     "shouval2002)"},
    {"rule.params", P_SET, 0, "name", "DP", "gb2012 parameter set (see stdp-curve's list)"},
    {"rule.calcium", P_MODE, 0, "name", "spike", "gb2012 presynaptic calcium: spike or nmda"},
    {"extracellular.mg_mM", P_MG, 0, "mM", "1",
     "[Mg2+]o of every NMDA block (gb2012 nmda,\nshouval2002, snr)"},
    {"protocol.pulses", P_PCOUNT, PP(pulses), "1", BYP,
     "presynaptic pulses per burst (tetanus 100, lfs\n900, theta-burst 4, frequency 900)"},
    {"protocol.pulse_hz", P_PROTO, PP(pulse_hz), "Hz", BYP,
     "pulse rate in a burst (tetanus 100, lfs 1,\ntheta-burst 100)"},
    {"protocol.bursts", P_PCOUNT, PP(bursts), "1", BYP, "bursts (theta-burst 10, others 1)"},
    {"protocol.burst_hz", P_PROTO, PP(burst_hz), "Hz", "5", "burst rate (theta-burst: 5 Hz)"},
    {"protocol.paired", P_PCOUNT, PP(paired), "0/1", "0",
     "1: a postsynaptic spike follows every pulse by\nprotocol.dt_ms"},
    {"protocol.dt_ms", P_PROTO, PP(dt_ms), "ms", "10", "t_post - t_pre of paired pulses"},
    {"protocol.tail_ms", P_PROTO, PP(tail_ms), "ms", "1000",
     "time simulated after the last spike (>= 0)"},
    {"protocol.repetitions", P_PCOUNT, PP(repetitions), "reps", "0",
     "gb2012 Monte Carlo repetitions per initial state\n(0: the analytic approximation)"},
    {"protocol.freq_min_hz", P_PROTO, PP(freq_min_hz), "Hz", "1", "frequency: first pulse rate"},
    {"protocol.freq_max_hz", P_PROTO, PP(freq_max_hz), "Hz", "50", "frequency: last pulse rate"},
    {"protocol.freq_step_hz", P_PROTO, PP(freq_step_hz), "Hz", "1", "frequency: step (> 0)"},
    {"readout.ca_tox_rel", P_TOX, 0, "1", "2",
     "excitotoxic threshold / the rule's potentiation\nthreshold (θp or α2); an assumption"},
    {"rule.tau_ca_ms", P_GB, GB(tau_ca_ms), "ms", FROM_SET, "gb2012 τCa"},
    {"rule.c_pre", P_GB, GB(c_pre), "1", FROM_SET, "gb2012 C_pre"},
    {"rule.c_post", P_GB, GB(c_post), "1", FROM_SET, "gb2012 C_post"},
    {"rule.theta_d", P_GB, GB(theta_d), "1", FROM_SET, "gb2012 θd"},
    {"rule.theta_p", P_GB, GB(theta_p), "1", FROM_SET, "gb2012 θp (>= θd)"},
    {"rule.gamma_d", P_GB, GB(gamma_d), "1", FROM_SET, "gb2012 γd"},
    {"rule.gamma_p", P_GB, GB(gamma_p), "1", FROM_SET, "gb2012 γp"},
    {"rule.sigma", P_GB, GB(sigma), "1", FROM_SET, "gb2012 σ"},
    {"rule.tau_rho_s", P_GB, GB(tau_rho_s), "s", FROM_SET, "gb2012 τ"},
    {"rule.delay_D_ms", P_GB, GB(delay_D_ms), "ms", FROM_SET, "gb2012 D"},
    {"rule.rho_star", P_GB, GB(rho_star), "1", FROM_SET, "gb2012 ρ*"},
    {"rule.beta", P_GB, GB(beta), "1", FROM_SET, "gb2012 β"},
    {"rule.b", P_GB, GB(b), "1", FROM_SET, "gb2012 b"},
    {"rule.nmda_scale", P_CA, CA(nmda_scale), "1", "1", "gb2012 nmda: calibration multiplier"},
    {"shouval.alpha1_uM", P_SH, SH(alpha1_uM), "µM", "0.35", "Ω LTD threshold α1 (< α2)"},
    {"shouval.alpha2_uM", P_SH, SH(alpha2_uM), "µM", "0.55", "Ω LTP threshold α2"},
    {"shouval.beta1_per_uM", P_SH, SH(beta1_per_uM), "1/µM", "80", "Ω slope β1"},
    {"shouval.beta2_per_uM", P_SH, SH(beta2_per_uM), "1/µM", "80", "Ω slope β2"},
    {"shouval.lambda", P_SH, SH(lambda), "1", "1", "weight decay λ"},
    {"shouval.p1_s", P_SH, SH(p1_s), "s", "0.1", "η: P1"},
    {"shouval.p2", P_SH, SH(p2), "1", "1e-05", "η: P2 (= P1·1e-4, reference code)"},
    {"shouval.p3", P_SH, SH(p3), "1", "3", "η: P3"},
    {"shouval.p4_s", P_SH, SH(p4_s), "s", "1", "η: P4"},
    {"shouval.tau_ca_ms", P_SH, SH(tau_ca_ms), "ms", "50", "calcium decay τCa"},
    {"shouval.p0", P_SH, SH(p0), "1", "0.5", "P0, open fraction"},
    {"shouval.g_nmda", P_SH, SH(g_nmda), "µM/ms/mV", "0.002", "|G_NMDA|"},
    {"shouval.nmda_scale", P_SH, SH(nmda_scale), "1", "1", "NMDA expression multiplier"},
    {"shouval.i_f", P_SH, SH(i_f), "1", "0.5", "fast gating amplitude"},
    {"shouval.i_s", P_SH, SH(i_s), "1", "0.5", "slow gating amplitude"},
    {"shouval.tau_f_ms", P_SH, SH(tau_f_ms), "ms", "50", "fast gating decay"},
    {"shouval.tau_s_ms", P_SH, SH(tau_s_ms), "ms", "200", "slow gating decay"},
    {"shouval.v_r_mV", P_SH, SH(v_r_mV), "mV", "130", "calcium reversal V_r"},
    {"shouval.v_rest_mV", P_SH, SH(v_rest_mV), "mV", "-65", "resting potential"},
    {"shouval.bpap_mV", P_SH, SH(bpap_mV), "mV", "100", "BPAP amplitude"},
    {"shouval.bpap_fast_frac", P_SH, SH(bpap_fast_frac), "1", "0.75", "BPAP fast fraction"},
    {"shouval.bpap_tau_fast_ms", P_SH, SH(bpap_tau_fast_ms), "ms", "3", "BPAP fast decay"},
    {"shouval.bpap_tau_slow_ms", P_SH, SH(bpap_tau_slow_ms), "ms", "25", "BPAP slow decay"},
    {"shouval.bpap_delay_ms", P_SH, SH(bpap_delay_ms), "ms", "2", "BPAP arrival delay"},
    {"shouval.epsp_mV", P_SH, SH(epsp_mV), "mV", "10", "EPSP peak per pulse"},
    {"shouval.epsp_tau1_ms", P_SH, SH(epsp_tau1_ms), "ms", "50", "EPSP decay τ1"},
    {"shouval.epsp_tau2_ms", P_SH, SH(epsp_tau2_ms), "ms", "5", "EPSP rise τ2 (< τ1)"},
    {"shouval.nmda_sum", P_SH, SH(nmda_sum), "0/1", "0",
     "0: the latest pre spike's gating only (reference\ncode); 1: summed"},
    {"shouval.w0", P_SH, SH(w0), "1", "0.25", "initial weight"},
    {"shouval.step_ms", P_SH, SH(step_ms), "ms", "0.1", "integration step"},
    {"stdp.tau_plus_ms", P_STDP, SD(tau_plus_ms), "ms", "16.8", "τ+"},
    {"stdp.tau_minus_ms", P_STDP, SD(tau_minus_ms), "ms", "33.7", "τ-"},
    {"stdp.tau_x_ms", P_STDP, SD(tau_x_ms), "ms", "101", "τx (triplet)"},
    {"stdp.tau_y_ms", P_STDP, SD(tau_y_ms), "ms", "125", "τy (triplet)"},
    {"stdp.a2_plus", P_STDP, SD(a2_plus), "1", "5e-10|5e-3", "A2+ (triplet|pair)"},
    {"stdp.a2_minus", P_STDP, SD(a2_minus), "1", "7e-3|5.25e-3", "A2- (triplet|pair)"},
    {"stdp.a3_plus", P_STDP, SD(a3_plus), "1", "6.2e-3|0", "A3+ (triplet|pair)"},
    {"stdp.a3_minus", P_STDP, SD(a3_minus), "1", "2.3e-4|0", "A3- (triplet|pair)"},
    {"stdp.w0", P_STDP, SD(w0), "1", "1", "reference weight of the percent"},
    {"snr.n_signal", P_SNR, SN(n_signal), "1", "20", "correlated (signal) inputs"},
    {"snr.n_noise", P_SNR, SN(n_noise), "1", "80", "uncorrelated (noise) inputs"},
    {"snr.signal_hz", P_SNR, SN(signal_hz), "Hz", "5", "rate of the shared signal events"},
    {"snr.noise_hz", P_SNR, SN(noise_hz), "Hz", "5", "rate of each noise input"},
    {"snr.jitter_ms", P_SNR, SN(jitter_ms), "ms", "1", "sd of signal spikes around an event"},
    {"snr.duration_ms", P_SNR, SN(duration_ms), "ms", "10000", "simulated time"},
    {"snr.c_pF", P_SNR, SN(c_pF), "pF", "250", "membrane capacitance"},
    {"snr.gl_nS", P_SNR, SN(gl_nS), "nS", "25", "leak conductance"},
    {"snr.el_mV", P_SNR, SN(el_mV), "mV", "-70", "leak reversal"},
    {"snr.vth_mV", P_SNR, SN(vth_mV), "mV", "-50", "spike threshold"},
    {"snr.vreset_mV", P_SNR, SN(vreset_mV), "mV", "-60", "reset"},
    {"snr.tref_ms", P_SNR, SN(tref_ms), "ms", "2", "refractory period"},
    {"snr.e_ex_mV", P_SNR, SN(e_ex_mV), "mV", "0", "AMPA/NMDA reversal"},
    {"snr.g_ampa_nS", P_SNR, SN(g_ampa_nS), "nS", "3", "AMPA peak per input spike"},
    {"snr.tau_ampa_ms", P_SNR, SN(tau_ampa_ms), "ms", "2", "AMPA decay"},
    {"snr.g_nmda_nS", P_SNR, SN(g_nmda_nS), "nS", "0.5", "NMDA per input at full gating"},
    {"snr.nmda_scale", P_SNR, SN(nmda_scale), "1", "1", "NMDA expression (start value)"},
    {"snr.step_ms", P_SNR, SN(step_ms), "ms", "0.1", "integration step"},
    {"homeostasis.days", P_HOMEO, HO(days), "d", "0", "snr: days of homeostasis first (0: off)"},
    {"homeostasis.tau_h_hours", P_HOMEO, HO(tau_h_hours), "h", "24",
     "time constant τ_h (an assumption)"},
    {"homeostasis.mg_ref_mM", P_HOMEO, HO(mg_ref_mM), "mM", "0.8", "[Mg]o of the set point"},
    {"homeostasis.step_hours", P_HOMEO, HO(step_hours), "h", "6", "slow step h"},
    {"energy.atp_per_spike", P_ENERGY, EN(atp_per_spike), "ATP", "3.84e8",
     "per postsynaptic action potential"},
    {"energy.atp_per_vesicle", P_ENERGY, EN(atp_per_vesicle), "ATP", "1.64e5",
     "per released vesicle"},
    {"energy.release_prob", P_ENERGY, EN(release_prob), "1", "0.25",
     "vesicles per presynaptic spike"},
};

#define N_PKEYS (sizeof pkey_table / sizeof pkey_table[0])

static void print_pkeys(FILE *out) {
    for (size_t i = 0; i < N_PKEYS; i++) {
        const pkey_def *k = &pkey_table[i];
        fprintf(out, "  %-26s %-8s %-12s ", k->key, k->unit, k->def);
        for (const char *h = k->help; *h; h++) {
            fputc(*h, out);
            if (*h == '\n')
                fprintf(out, "%50s", "");
        }
        fputc('\n', out);
    }
}

/* Everything one protocol run is set up from. */
typedef struct {
    const char *name; /* protocol */
    int is_freq, is_snr;
    const char *set_name;
    int rule_given;
    pproto pr;
    mg_plast_setup su;
    mg_snr_params snr;
    mg_homeo_params ho;
} prun;

static void proto_defaults(prun *r, const char *name) {
    memset(r, 0, sizeof *r);
    r->name = name;
    r->set_name = "DP";
    mg_plast_setup_defaults(&r->su);
    mg_snr_defaults(&r->snr);
    mg_homeo_defaults(&r->ho);
    r->ho.days = 0.0;
    pproto p = {100, 100, 1, 5, 0, 10, 1000, 0, 1, 50, 1};
    if (strcmp(name, "lfs") == 0) {
        p.pulses = 900;
        p.pulse_hz = 1;
    } else if (strcmp(name, "theta-burst") == 0) {
        p.pulses = 4;
        p.bursts = 10;
    } else if (strcmp(name, "frequency") == 0) {
        p.pulses = 900;
        r->is_freq = 1;
    } else if (strcmp(name, "snr") == 0) {
        r->is_snr = 1;
    }
    r->pr = p;
}

/* Pointer to the double a numeric key sets in r. */
static double *pkey_ptr(prun *r, const pkey_def *k) {
    switch (k->kind) {
        case P_GB:
            return (double *)((char *)&r->su.gb + k->off);
        case P_CA:
            return (double *)((char *)&r->su.gb_ca + k->off);
        case P_SH:
            return (double *)((char *)&r->su.sh + k->off);
        case P_STDP:
            return (double *)((char *)&r->su.stdp + k->off);
        case P_SNR:
            return (double *)((char *)&r->snr + k->off);
        case P_HOMEO:
            return (double *)((char *)&r->ho + k->off);
        case P_ENERGY:
            return (double *)((char *)&r->su.energy + k->off);
        case P_TOX:
            return &r->su.tox_rel;
        case P_PROTO:
        case P_PCOUNT:
            return (double *)((char *)&r->pr + k->off);
        case P_MG:
            return &r->su.sh.mg_mM;
        default:
            return NULL;
    }
}

/* Set a numeric key (extracellular.mg_mM sets every model's [Mg]o). */
static void pkey_set(prun *r, const pkey_def *k, double v) {
    if (k->kind == P_MG) {
        r->su.gb_ca.mg_mM = v;
        r->su.sh.mg_mM = v;
        r->snr.mg_mM = v;
        return;
    }
    *pkey_ptr(r, k) = v;
}

static const pkey_def *find_pkey(const char *s, size_t klen) {
    size_t j = table_find(pkey_table, sizeof pkey_table[0], N_PKEYS, s, klen);
    return j < N_PKEYS ? &pkey_table[j] : NULL;
}

static mg_status unknown_pkey(mg_context *ctx, const char *prefix, const char *s, size_t klen) {
    return table_unknown(ctx, pkey_table, sizeof pkey_table[0], N_PKEYS, prefix, s, klen);
}

/* Apply --set: rule.name and rule.params first (the last of each), then the rest in order. */
static mg_status apply_psets(mg_context *ctx, const char **sets, size_t n, prun *r) {
    const char *rule = NULL;
    for (size_t i = 0; i < n; i++) {
        if (strncmp(sets[i], "rule.params=", 12) == 0)
            r->set_name = sets[i] + 12;
        if (strncmp(sets[i], "rule.name=", 10) == 0)
            rule = sets[i] + 10;
    }
    mg_status st;
    if (rule) {
        if ((st = mg_rule_by_name(ctx, rule, &r->su.rule)) != MG_OK)
            return st;
        r->rule_given = 1;
        mg_stdp_defaults(r->su.rule, &r->su.stdp);
    }
    if ((st = mg_gb_params_by_name(ctx, r->set_name, &r->su.gb)) != MG_OK) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", mg_error_message(ctx));
        return mg_error_raise(ctx, st, "rule.params: %s", msg);
    }
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(sets[i], '=');
        size_t klen = (size_t)(eq - sets[i]);
        const char *val = eq + 1;
        const pkey_def *k = find_pkey(sets[i], klen);
        if (!k)
            return unknown_pkey(ctx, "", sets[i], klen);
        double v = 0.0;
        unsigned long long u = 0;
        switch (k->kind) {
            case P_RULE:
            case P_SET:
                break;
            case P_MODE:
                if (strcmp(val, "spike") == 0)
                    r->su.gb_ca.mode = MG_GB_CALCIUM_SPIKE;
                else if (strcmp(val, "nmda") == 0)
                    r->su.gb_ca.mode = MG_GB_CALCIUM_NMDA;
                else
                    return mg_error_raise(ctx, MG_ERR_DATA,
                                          "rule.calcium expects spike or nmda, got '%s'", val);
                break;
            case P_PCOUNT:
                if (!cli_parse_u64(val, &u) || u > 10000000ull)
                    return mg_error_raise(ctx, MG_ERR_DATA,
                                          "%s expects a whole number from 0 to 1e7, got '%s'",
                                          k->key, val);
                pkey_set(r, k, (double)u);
                break;
            default:
                if (!parse_real(val, &v))
                    return mg_error_raise(ctx, MG_ERR_DATA, "%s expects a number (%s), got '%s'",
                                          k->key, k->unit, val);
                pkey_set(r, k, v);
                break;
        }
    }
    return MG_OK;
}

/* Parse --sweep for the protocols (any numeric key except the whole-number protocol ones). */
static mg_status parse_psweep(mg_context *ctx, const char *text, const pkey_def **key,
                              double *start, double *step, size_t *n) {
    const char *eq = strchr(text, '=');
    size_t klen = (size_t)(eq - text);
    const pkey_def *k = find_pkey(text, klen);
    if (!k)
        return unknown_pkey(ctx, "--sweep: ", text, klen);
    if (k->kind == P_RULE || k->kind == P_SET || k->kind == P_MODE || k->kind == P_PCOUNT)
        return mg_error_raise(ctx, MG_ERR_CONFIG,
                              "--sweep: key '%s' cannot be swept (sweep a number: "
                              "extracellular.mg_mM, protocol.pulse_hz, rule.*, shouval.*, ...)",
                              k->key);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", eq + 1);
    char *a = buf, *b = strchr(a, ':'), *c = b ? strchr(b + 1, ':') : NULL;
    if (!b || !c)
        return mg_error_raise(ctx, MG_ERR_DATA, "--sweep expects KEY=START:STOP:STEP, got '%s'",
                              text);
    *b++ = '\0';
    *c++ = '\0';
    double lo, hi, st;
    if (!parse_real(a, &lo) || !parse_real(b, &hi) || !parse_real(c, &st))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "--sweep %s: START, STOP and STEP must be numbers, got '%s'", k->key,
                              eq + 1);
    if (!(st > 0.0))
        return mg_error_raise(ctx, MG_ERR_DATA, "--sweep %s: STEP must be > 0, got %g", k->key, st);
    if (lo > hi)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "--sweep %s: no points: START (%g) is above STOP (%g)", k->key, lo,
                              hi);
    double np = floor((hi - lo) / st + 1e-9) + 1.0;
    if (np > 100000)
        return mg_error_raise(ctx, MG_ERR_DATA, "--sweep %s: %.0f points; at most 100000", k->key,
                              np);
    *key = k;
    *start = lo;
    *step = st;
    *n = (size_t)np;
    return MG_OK;
}

/* Column names of the two result tables. */
static const char *const plast_cols[] = {"weight_change_percent",
                                         "weight_change_analytic_percent",
                                         "time_above_d_ms",
                                         "time_above_p_ms",
                                         "ca_peak",
                                         "ca_mean",
                                         "ca_integral_ms",
                                         "ca_influx",
                                         "ca_tox_threshold",
                                         "ca_above_tox_ms",
                                         "ca_tox_integral_ms",
                                         "atp_spikes",
                                         "atp_synaptic",
                                         "atp_total",
                                         "n_pre",
                                         "n_post",
                                         "duration_ms"};
#define N_PLAST_COLS (sizeof plast_cols / sizeof plast_cols[0])

static const char *const snr_cols[] = {"flux_signal_uM",
                                       "flux_noise_uM",
                                       "snr",
                                       "flux_mean_uM",
                                       "weight_change_percent",
                                       "weight_change_signal_percent",
                                       "weight_change_noise_percent",
                                       "ca_peak_signal_uM",
                                       "ca_peak_noise_uM",
                                       "nmda_scale",
                                       "out_rate_hz",
                                       "n_pre",
                                       "n_post",
                                       "atp_spikes",
                                       "atp_synaptic",
                                       "atp_total"};
#define N_SNR_COLS (sizeof snr_cols / sizeof snr_cols[0])
#define MAX_COLS   20

/* One run of the plasticity protocols into row[N_PLAST_COLS]. */
static mg_status run_plast_row(mg_context *ctx, prun *r, double pulse_hz, double *row) {
    mg_plast_train tr = {(size_t)r->pr.bursts, (size_t)r->pr.pulses, pulse_hz,     r->pr.burst_hz,
                         r->pr.paired != 0.0,  r->pr.dt_ms,          r->pr.tail_ms};
    if (r->pr.paired != 0.0 && r->pr.paired != 1.0)
        return mg_error_raise(ctx, MG_ERR_DATA, "protocol.paired must be 0 or 1, got %g",
                              r->pr.paired);
    double *pre = NULL, *post = NULL, t_end = 0.0;
    size_t np = 0, nq = 0;
    r->su.reps = (size_t)r->pr.repetitions;
    mg_status st = mg_plast_train_spikes(ctx, &tr, &pre, &np, &post, &nq, &t_end);
    mg_plast_result o;
    if (st == MG_OK)
        st = mg_plast_run(ctx, &r->su, pre, np, post, nq, t_end, &o);
    free(pre);
    free(post);
    if (st != MG_OK)
        return st;
    double v[N_PLAST_COLS] = {o.weight_change_percent,
                              o.weight_change_analytic_percent,
                              o.above_d_ms,
                              o.above_p_ms,
                              o.ca.peak,
                              o.ca.mean,
                              o.ca.integral_ms,
                              o.ca.influx,
                              o.ca.tox_threshold,
                              o.ca.above_tox_ms,
                              o.ca.tox_integral_ms,
                              o.energy.atp_spikes,
                              o.energy.atp_synaptic,
                              o.energy.atp_total,
                              o.n_pre,
                              o.n_post,
                              o.duration_ms};
    memcpy(row, v, sizeof v);
    return MG_OK;
}

/* One run of snr (with homeostasis first when homeostasis.days > 0). */
static mg_status run_snr_row(mg_context *ctx, prun *r, uint64_t seed, double *row) {
    mg_snr_result s;
    double scale = r->snr.nmda_scale;
    mg_status st;
    if (r->ho.days > 0.0) {
        mg_homeo_result h;
        st = mg_homeo_run(ctx, &r->ho, &r->snr, &r->su.sh, seed, &h);
        s = h.probe;
        scale = h.scale;
    } else {
        st = mg_snr_run(ctx, &r->snr, &r->su.sh, seed, &s);
    }
    if (st != MG_OK)
        return st;
    mg_energy_readout e = mg_energy_eval(&r->su.energy, s.n_pre_spikes, s.n_post_spikes);
    double v[N_SNR_COLS] = {s.flux_signal,
                            s.flux_noise,
                            s.snr,
                            s.flux_mean,
                            s.change_signal_percent,
                            s.change_signal_percent,
                            s.change_noise_percent,
                            s.ca_peak_signal,
                            s.ca_peak_noise,
                            scale,
                            s.out_rate_hz,
                            s.n_pre_spikes,
                            s.n_post_spikes,
                            e.atp_spikes,
                            e.atp_synaptic,
                            e.atp_total};
    memcpy(row, v, sizeof v);
    return MG_OK;
}

/* A JSON value of column c: a number (1 row), an array over the outer or inner index, or an
 * array of arrays [outer][inner]. */
static json_t *col_json(const double *data, size_t ncols, size_t c, size_t n_out, size_t n_in,
                        int has_out, int has_in) {
    if (!has_out && !has_in)
        return num(data[c]);
    json_t *a = json_array();
    for (size_t o = 0; a && o < n_out; o++) {
        if (has_out && has_in) {
            json_t *row = json_array();
            for (size_t i = 0; row && i < n_in; i++)
                json_array_append_new(row, num(data[(o * n_in + i) * ncols + c]));
            json_array_append_new(a, row);
        } else {
            for (size_t i = 0; i < n_in; i++)
                json_array_append_new(a, num(data[(o * n_in + i) * ncols + c]));
        }
    }
    return a;
}

static mg_status write_ptable(mg_context *ctx, const char *path, const char *const *cols,
                              size_t ncols, const double *data, size_t n_out, size_t n_in,
                              const pkey_def *sk, double s0, double ds, int is_freq, double f0,
                              double df) {
    FILE *f = fopen(path, "w");
    if (!f)
        return mg_error_raise(ctx, MG_ERR_CANTCREAT, "cannot create %s: %s", path, strerror(errno));
    if (sk)
        fprintf(f, "%s,", sk->key);
    if (is_freq)
        fputs("pulse_hz,", f);
    for (size_t c = 0; c < ncols; c++)
        fprintf(f, "%s%c", cols[c], c + 1 < ncols ? ',' : '\n');
    for (size_t o = 0; o < n_out; o++)
        for (size_t i = 0; i < n_in; i++) {
            if (sk)
                csv_num(f, s0 + (double)o * ds, 0);
            if (is_freq)
                csv_num(f, f0 + (double)i * df, 0);
            for (size_t c = 0; c < ncols; c++)
                csv_num(f, data[(o * n_in + i) * ncols + c], c + 1 == ncols);
        }
    int bad = ferror(f) != 0;
    bad |= fclose(f) != 0;
    return bad ? mg_error_raise(ctx, MG_ERR_IO, "cannot write %s", path) : MG_OK;
}

static mg_status write_psummary(mg_context *ctx, const char *path, prun *r, const char *csv_name,
                                const char *const *cols, size_t ncols, const double *data,
                                size_t n_out, size_t n_in, const pkey_def *sk, double s0, double ds,
                                double f0, double df, uint64_t seed, double wall_s) {
    int bad = 0;
    json_t *root = json_object(), *params = json_object(), *files = json_array();
    if (!root || !params || !files)
        bad = 1;
    put(root, "version", json_string(mg_version_string()), &bad);
    put(root, "status", json_string("complete"), &bad);
    put(root, "protocol", json_string(r->name), &bad);
    put(root, "rule", json_string(r->is_snr ? "shouval2002" : mg_rule_name(r->su.rule)), &bad);
    put(root, "seed", json_integer((json_int_t)(seed & 0x7fffffffffffffffull)), &bad);
    int has_out = sk != NULL, has_in = r->is_freq;
    if (sk) {
        json_t *sv = json_array();
        for (size_t o = 0; sv && o < n_out; o++)
            json_array_append_new(sv, json_real(s0 + (double)o * ds));
        put(root, "sweep_key", json_string(sk->key), &bad);
        put(root, "sweep_values", sv, &bad);
    }
    if (r->is_freq) {
        json_t *fv = json_array();
        for (size_t i = 0; fv && i < n_in; i++)
            json_array_append_new(fv, json_real(f0 + (double)i * df));
        if (sk) {
            put(root, "pulse_hz", fv, &bad);
        } else {
            put(root, "sweep_key", json_string("protocol.pulse_hz"), &bad);
            put(root, "sweep_values", fv, &bad);
        }
    }
    for (size_t c = 0; c < ncols; c++)
        put(root, cols[c], col_json(data, ncols, c, n_out, n_in, has_out, has_in), &bad);
    put(params, "rule.params", json_string(r->set_name), &bad);
    put(params, "rule.name", json_string(mg_rule_name(r->su.rule)), &bad);
    put(params, "rule.calcium",
        json_string(r->su.gb_ca.mode == MG_GB_CALCIUM_NMDA ? "nmda" : "spike"), &bad);
    for (size_t i = 0; i < N_PKEYS; i++) {
        const pkey_def *k = &pkey_table[i];
        if (k->kind == P_RULE || k->kind == P_SET || k->kind == P_MODE)
            continue;
        put(params, k->key, json_real(*pkey_ptr(r, k)), &bad);
    }
    put(root, "params", params, &bad);
    json_array_append_new(files, json_string(csv_name));
    json_array_append_new(files, json_string("summary.json"));
    put(root, "files", files, &bad);
    put(root, "wall_s", json_real(wall_s), &bad);
    put(root, "note",
        json_string("A model prediction of a single synapse (or one neuron, snr) under the "
                    "stated rule and assumptions, not a measurement. A research and teaching "
                    "instrument, never medical advice."),
        &bad);
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
    return rc ? mg_error_raise(ctx, MG_ERR_IO, "cannot write %s", path) : MG_OK;
}

/* Run tetanus, theta-burst, lfs, frequency or snr; returns the exit status. */
static int run_proto(const cli_opts *c, double wall0) {
    mg_context *ctx = mg_context_create();
    if (!ctx) {
        fputs("mgsim: out of memory\n", stderr);
        return mg_status_exit_code(MG_ERR_NOMEM);
    }
    prun r;
    proto_defaults(&r, c->name);
    const pkey_def *sk = NULL;
    double s0 = 0.0, ds = 1.0, f0 = 0.0, df = 1.0;
    size_t n_out = 1, n_in = 1;
    double *data = NULL;
    const char *const *cols = r.is_snr ? snr_cols : plast_cols;
    size_t ncols = r.is_snr ? N_SNR_COLS : N_PLAST_COLS;
    char csv_name[64], csv_tmp[4096], csv_fin[4096], js_tmp[4096], js_fin[4096];
    snprintf(csv_name, sizeof csv_name, "%s.csv", c->name);
    for (char *p = csv_name; *p; p++)
        if (*p == '-')
            *p = '_';
    int made_csv = 0, made_js = 0;
    mg_status st = apply_psets(ctx, c->sets, c->n_sets, &r);
    if (st == MG_OK && r.is_snr && r.rule_given && r.su.rule != MG_RULE_SHOUVAL2002)
        st = mg_error_raise(ctx, MG_ERR_CONFIG,
                            "rule.name: the snr protocol uses shouval2002 (per-synapse NMDA "
                            "calcium in µM), got '%s'",
                            mg_rule_name(r.su.rule));
    if (st == MG_OK && c->sweep)
        st = parse_psweep(ctx, c->sweep, &sk, &s0, &ds, &n_out);
    if (st == MG_OK && r.is_freq) {
        if (!(r.pr.freq_step_hz > 0.0))
            st = mg_error_raise(ctx, MG_ERR_DATA, "protocol.freq_step_hz must be > 0 Hz, got %g",
                                r.pr.freq_step_hz);
        else if (!(r.pr.freq_min_hz > 0.0))
            st = mg_error_raise(ctx, MG_ERR_DATA, "protocol.freq_min_hz must be > 0 Hz, got %g",
                                r.pr.freq_min_hz);
        else if (r.pr.freq_min_hz > r.pr.freq_max_hz)
            st = mg_error_raise(ctx, MG_ERR_DATA,
                                "no points: protocol.freq_min_hz (%g Hz) is above "
                                "protocol.freq_max_hz (%g Hz)",
                                r.pr.freq_min_hz, r.pr.freq_max_hz);
        else {
            double np = floor((r.pr.freq_max_hz - r.pr.freq_min_hz) / r.pr.freq_step_hz + 1e-9) + 1;
            if (np > 100000)
                st = mg_error_raise(ctx, MG_ERR_DATA,
                                    "protocol.freq_step_hz gives %.0f points; "
                                    "at most 100000",
                                    np);
            n_in = (size_t)np;
            f0 = r.pr.freq_min_hz;
            df = r.pr.freq_step_hz;
        }
    }
    if (st == MG_OK && (double)n_in * (double)n_out > 100000)
        st = mg_error_raise(ctx, MG_ERR_DATA,
                            "--sweep: %zu values x %zu frequencies; at most 100000", n_out, n_in);
    if (st == MG_OK && c->outdir)
        st = mg_output_make_dirs(ctx, c->outdir);
    if (st == MG_OK && !(data = calloc(n_out * n_in * ncols, sizeof *data)))
        st = mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    for (size_t o = 0; st == MG_OK && o < n_out; o++) {
        if (sk)
            pkey_set(&r, sk, s0 + (double)o * ds);
        for (size_t i = 0; st == MG_OK && i < n_in; i++) {
            double *row = data + (o * n_in + i) * ncols;
            if (r.is_snr)
                st = run_snr_row(ctx, &r, c->seed, row);
            else
                st = run_plast_row(ctx, &r, r.is_freq ? f0 + (double)i * df : r.pr.pulse_hz, row);
        }
    }
    if (st == MG_OK && c->outdir) {
        out_path(csv_tmp, sizeof csv_tmp, c->outdir, csv_name, 1);
        out_path(csv_fin, sizeof csv_fin, c->outdir, csv_name, 0);
        out_path(js_tmp, sizeof js_tmp, c->outdir, "summary.json", 1);
        out_path(js_fin, sizeof js_fin, c->outdir, "summary.json", 0);
        made_csv = 1;
        st = write_ptable(ctx, csv_tmp, cols, ncols, data, n_out, n_in, sk, s0, ds, r.is_freq, f0,
                          df);
        if (st == MG_OK) {
            made_js = 1;
            st = write_psummary(ctx, js_tmp, &r, csv_name, cols, ncols, data, n_out, n_in, sk, s0,
                                ds, f0, df, c->seed, mg_wall_seconds() - wall0);
        }
        if (st == MG_OK && rename(csv_tmp, csv_fin) != 0)
            st = mg_error_raise(ctx, MG_ERR_IO, "cannot rename %s: %s", csv_tmp, strerror(errno));
        else if (st == MG_OK)
            made_csv = 0;
        if (st == MG_OK && rename(js_tmp, js_fin) != 0)
            st = mg_error_raise(ctx, MG_ERR_IO, "cannot rename %s: %s", js_tmp, strerror(errno));
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
        printf("%s, rule %s\n", c->name, r.is_snr ? "shouval2002" : mg_rule_name(r.su.rule));
        if (sk)
            printf("%20s ", sk->key);
        if (r.is_freq)
            printf("%9s ", "pulse_hz");
        if (r.is_snr)
            printf("%12s %12s %8s %10s %10s %8s\n", "flux_sig_uM", "flux_noi_uM", "snr", "dw_sig_%",
                   "dw_noi_%", "s_nmda");
        else
            printf("%10s %10s %10s %12s %12s\n", "dw_%", "ca_peak", "ca_mean", "above_tox_ms",
                   "atp_total");
        for (size_t o = 0; o < n_out; o++)
            for (size_t i = 0; i < n_in; i++) {
                const double *row = data + (o * n_in + i) * ncols;
                if (sk)
                    printf("%20.6g ", s0 + (double)o * ds);
                if (r.is_freq)
                    printf("%9.4g ", f0 + (double)i * df);
                if (r.is_snr)
                    printf("%12.4f %12.4f %8.4f %10.3f %10.3f %8.4f\n", row[0], row[1], row[2],
                           row[5], row[6], row[9]);
                else
                    printf("%10.3f %10.4f %10.4f %12.2f %12.4g\n", row[0], row[4], row[5], row[9],
                           row[13]);
            }
        printf("wall: %.2f s", mg_wall_seconds() - wall0);
        if (c->outdir)
            printf("; results in %s/", c->outdir);
        printf("\n");
    }
    free(data);
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
        return usage("missing the protocol NAME; available: stdp-curve, frequency, tetanus, "
                     "theta-burst, lfs, snr",
                     NULL);
    for (size_t k = 0; k < sizeof protocol_names / sizeof protocol_names[0]; k++)
        if (strcmp(o->name, protocol_names[k]) == 0)
            return -1;
    fprintf(stderr,
            "mgsim: unknown protocol '%s'; available: stdp-curve, frequency, tetanus, "
            "theta-burst, lfs, snr\n",
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
        rc = strcmp(o.name, "stdp-curve") == 0 ? run_stdp(&o, wall0) : run_proto(&o, wall0);
    free(o.sets);
    return rc;
}
