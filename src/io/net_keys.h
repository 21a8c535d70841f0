/* The model-file key table: one entry per key of a network model. Not installed.
 *
 * The loader (net_load.c), the resolved-model writer (net_resolved.c) and
 * `mgsim net --help` (mg_io_net_print_keys) all walk this one table, so a key's
 * type, unit, range, meaning and storage cannot drift apart. Default values
 * are not in the table: they come from the engine (mg_net_spec_defaults,
 * mg_pop_spec_defaults) and, for the parts the engine has no defaults for
 * (projections, inputs, recorders, outputs), from the mg_netkeys_*_defaults
 * functions below, the single source of those.
 */
#ifndef MGSIM_IO_NET_KEYS_H
#define MGSIM_IO_NET_KEYS_H

#include <stddef.h>

#include "mgsim/io.h"
#include "mgsim/net.h"

typedef enum {
    MG_KEY_NUMBER,   /* double */
    MG_KEY_U32,      /* uint32_t */
    MG_KEY_U64,      /* uint64_t */
    MG_KEY_BOOL,     /* int, 0 or 1 */
    MG_KEY_ENUM,     /* an int-sized enum; names[] lists its names in value order */
    MG_KEY_RECEPTOR, /* mg_receptor, by the engine's names (mg_net_receptor_name) */
    MG_KEY_POP,      /* a population name, stored as its uint32_t index */
    MG_KEY_PROJ,     /* the name of an earlier projection, stored as its uint32_t index */
    MG_KEY_DIST,     /* mg_dist: a number or a distribution map */
    MG_KEY_TIMES,    /* numbers: double * at offset, size_t count at offset2 */
    MG_KEY_IDS,      /* non-negative integers: uint32_t * at offset, size_t count at offset2 */
    MG_KEY_VARS,     /* state variable names (mg_net_var_name): unsigned MG_VAR_* flags */
    MG_KEY_POPS,     /* population names: the spec's record_spikes flags */
    MG_KEY_FORMATS,  /* spike file formats: names[] ("sonata", "csv") into the outputs */
    MG_KEY_SCHEDULE, /* a list of {t_ms, mg_mM}: the spec's mg_schedule */
    MG_KEY_FILE,     /* a file name, relative to the model file (edge lists) */
    MG_KEY_GBSET,    /* a Graupner–Brunel named parameter set (mg_gb_params_name): fills the
                        mg_net_plast_spec at offset and its params name */
    MG_KEY_SYNAPSES  /* "all" (stored as 0) or a whole number >= 1: uint64_t */
} mg_key_type;

/* The struct a key's value lives in (offset is into it). */
typedef enum {
    MG_KEYS_RUN,    /* mg_net_spec */
    MG_KEYS_POP,    /* mg_pop_spec, under populations.* */
    MG_KEYS_PROJ,   /* mg_proj_spec, under projections.* */
    MG_KEYS_INPUT,  /* mg_input_spec, under inputs.* */
    MG_KEYS_STATE,  /* mg_state_rec_spec, under record.state.* */
    MG_KEYS_OUTPUT, /* mg_io_net_outputs */
    MG_KEYS_WREC    /* mg_weight_rec_spec, under record.weights.* */
} mg_key_owner;

enum {
    MG_KEY_REQUIRED = 1u << 0,  /* must be given wherever it applies */
    MG_KEY_MIN_EXCL = 1u << 1,  /* value > min (else >= min) */
    MG_KEY_MAX_EXCL = 1u << 2,  /* value < max (else <= max) */
    MG_KEY_DT_STEP = 1u << 3,   /* 0 or a whole number of steps of run.dt_ms */
    MG_KEY_CLIP_ZERO = 1u << 4, /* DIST: draws clipped at 0 unless min is given; min >= 0 */
    MG_KEY_CLIP_DT = 1u << 5    /* DIST: draws clipped at dt unless min is given; min >= dt */
};

/* Which variants of the owner a key applies to: bit (1 << value) of the
 * population's mg_neuron_kind, the projection's mg_conn_kind or the input's
 * mg_input_kind; 0 = every variant. */
#define MG_KEYA_LIF     (1u << MG_NEURON_LIF)
#define MG_KEYA_ADEX    (1u << MG_NEURON_ADEX)
#define MG_KEYA_SPIKE   (1u << MG_NEURON_SPIKE_SOURCE)
#define MG_KEYA_POISSON (1u << MG_NEURON_POISSON_SOURCE)
#define MG_KEYA_NEURON  (MG_KEYA_LIF | MG_KEYA_ADEX)

typedef struct {
    const char *key; /* dotted pattern; '*' stands for a name */
    mg_key_type type;
    mg_key_owner owner;
    size_t offset, offset2;
    const char *unit; /* "" when dimensionless */
    double min, max;  /* allowed range of numbers (and of list items) */
    unsigned flags;
    unsigned applies;
    const char *const *names; /* ENUM, FORMATS: allowed names, NULL-terminated */
    const char *meaning;
    const char *default_text; /* printed instead of a stored default, or NULL */
} mg_net_key;

/* The table, in the order sections are loaded, written and printed. */
const mg_net_key *mg_netkeys_table(size_t *n);

/* The keys of a distribution map ("dist", "value", "mean", ...), NULL-terminated. */
const char *const *mg_netkeys_dist_keys(void);

/* Distribution names in mg_dist_kind order ("const", "normal", ...), NULL-terminated. */
const char *const *mg_netkeys_dist_names(void);

/* Number of names an ENUM/RECEPTOR/FORMATS key accepts, and the i-th (NULL if out of range). */
int mg_netkeys_enum_count(const mg_net_key *k);
const char *mg_netkeys_enum_name(const mg_net_key *k, int i);

/* Names of the variants (population models, rules, input types) in mask, comma separated. */
void mg_netkeys_applies_text(const mg_net_key *k, char *buf, size_t cap);

/* One step down the key tree: prefix is a pattern ("" at the top, or e.g.
 * "populations.*"), comp the next key. Returns 0 if comp is no key there;
 * 1 if prefix.comp is an entry (*leaf set); 2 if it is a map of keys. next
 * receives the pattern prefix.comp (with '*' where comp is a name). */
int mg_netkeys_step(const char *prefix, const char *comp, char *next, size_t cap,
                    const mg_net_key **leaf);

/* Write into buf the valid keys below prefix that are closest to comp, as
 * "did you mean 'a'?" or "valid keys here: a, b, c". full != 0 writes them as
 * dotted keys with real_prefix in front (for --set messages). */
void mg_netkeys_suggest(const char *prefix, const char *real_prefix, const char *comp, int full,
                        char *buf, size_t cap);

/* Closest names to s among names[0..n) (for unknown population names etc.), as above. */
void mg_netkeys_suggest_name(const char *s, const char *const *names, size_t n, char *buf,
                             size_t cap);

/* A YAML 1.2 (core schema) number: decimal with optional fraction and exponent, or
 * .inf, -.inf, .nan. Returns 1 and sets *out, or 0 for any other text. */
int mg_netkeys_parse_number(const char *s, double *out);

/* The shortest decimal text that reads back (strtod) as exactly v, without an exponent
 * where a plain decimal is as short as 1e-5 .. 1e15 allows; .inf, -.inf, .nan for those. */
void mg_netkeys_format_number(double v, char *buf, size_t cap);

/* A valid population/projection/input/recorder name: 1..63 letters, digits, '_' or '-'. */
int mg_netkeys_valid_name(const char *s);

/* Defaults of the parts the engine has no defaults for (the only source of these). */
void mg_netkeys_proj_defaults(mg_proj_spec *p, const char *name, double dt_ms);
void mg_netkeys_input_defaults(mg_input_spec *in, const char *name);
void mg_netkeys_state_defaults(mg_state_rec_spec *r, const char *name, double dt_ms);
void mg_netkeys_output_defaults(mg_io_net_outputs *o);
void mg_netkeys_wrec_defaults(mg_weight_rec_spec *r, const char *name);

/* The stop time meaning "until the end of the run". */
#define MG_NETKEYS_END_OF_RUN 1e300

#endif /* MGSIM_IO_NET_KEYS_H */
