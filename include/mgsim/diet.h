/* mgsim — diet: the food table, the dietary reference intakes (DRIs) and the
 * assessment of a day's magnesium intake against them.
 *
 * Tables are read from CSV files (data/foods.csv, data/dri.csv; every row has a
 * source column). A diet plan is a YAML file: a person (age, sex, weight) and
 * either a fixed daily intake (diet.mg_per_day) or meals made of foods of the
 * table. Amounts are in mg of elemental magnesium and g of food; ages in years.
 * Model predictions for research and teaching, never medical advice.
 */
#ifndef MGSIM_DIET_H
#define MGSIM_DIET_H

#include <stddef.h>
#include <stdint.h>

#include "mgsim/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One food of the table: magnesium per 100 g of the food as eaten, a typical
 * portion (its mass and its household description) and the source of the numbers. */
typedef struct {
    char *name;         /* lower-case ASCII, unique in the table */
    char *group;        /* food group, e.g. "nuts_seeds" */
    double mg_per_100g; /* > 0 */
    double portion_g;   /* > 0: the mass of one portion */
    char *portion_desc; /* e.g. "1 oz", "1/2 cup" */
    char *source;       /* never empty */
    uint32_t line;      /* line of the CSV file it came from */
} mg_diet_food;

/* The food table (opaque). */
typedef struct mg_diet_foods mg_diet_foods;

/* Load a food table from the CSV file at path (header
 * `name,food_group,mg_per_100g,portion_g,portion_desc,source`; fields may be
 * double-quoted; lines starting with '#' and blank lines are skipped).
 * Errors: MG_ERR_NOINPUT (cannot read), MG_ERR_DATA "path:LINE: ..." for a bad
 * header or row (missing field, non-positive number, duplicate or non-lower-case
 * name, empty source), MG_ERR_NOMEM. On success the caller owns *out and frees
 * it with mg_diet_foods_destroy. */
mg_status mg_diet_foods_load(mg_context *ctx, const char *path, mg_diet_foods **out);

/* Free a food table and set *foods to NULL. Accepts NULL and a pointer to NULL. */
void mg_diet_foods_destroy(mg_diet_foods **foods);

/* The number of foods in the table (0 for NULL). */
size_t mg_diet_foods_count(const mg_diet_foods *foods);

/* The i-th food in file order (NULL when i is out of range). Owned by the table. */
const mg_diet_food *mg_diet_foods_at(const mg_diet_foods *foods, size_t i);

/* The food called name (exact match), or NULL. Owned by the table. */
const mg_diet_food *mg_diet_foods_find(const mg_diet_foods *foods, const char *name);

/* Write into out[0..k-1] the names of the (up to) k foods closest to name by
 * edit distance (Levenshtein, case-insensitive; ties in table order) and
 * return how many were written. The strings are owned by the table. */
size_t mg_diet_foods_suggest(const mg_diet_foods *foods, const char *name, const char **out,
                             size_t k);

/* Who a DRI row applies to. MG_DIET_ANY (children) matches female and male. */
typedef enum {
    MG_DIET_FEMALE,
    MG_DIET_MALE,
    MG_DIET_ANY,
    MG_DIET_PREGNANT,
    MG_DIET_LACTATING
} mg_diet_sex;

/* The kind of reference value: Recommended Dietary Allowance, Estimated Average
 * Requirement, Adequate Intake, Tolerable Upper Intake Level (supplemental Mg only). */
typedef enum { MG_DIET_RDA, MG_DIET_EAR, MG_DIET_AI, MG_DIET_UL } mg_diet_dri_kind;

/* One row of the DRI table: applies when age_min_y <= age < age_max_y. */
typedef struct {
    double age_min_y, age_max_y;
    mg_diet_sex sex;
    mg_diet_dri_kind kind;
    double mg_per_day;
    char *source;
    uint32_t line;
} mg_diet_dri;

/* The DRI table (opaque). */
typedef struct mg_diet_dris mg_diet_dris;

/* Load the DRI table from the CSV file at path (header
 * `age_min_y,age_max_y,sex,kind,mg_per_day,source`; sex is female, male, any,
 * pregnant or lactating; kind RDA, EAR, AI or UL). Two rows of one kind may not
 * overlap in age and sex. Errors as mg_diet_foods_load ("path:LINE: ...").
 * The caller frees *out with mg_diet_dris_destroy. */
mg_status mg_diet_dris_load(mg_context *ctx, const char *path, mg_diet_dris **out);

/* Free a DRI table and set *dris to NULL. Accepts NULL and a pointer to NULL. */
void mg_diet_dris_destroy(mg_diet_dris **dris);

/* The number of rows (0 for NULL). */
size_t mg_diet_dris_count(const mg_diet_dris *dris);

/* The i-th row in file order (NULL when out of range). Owned by the table. */
const mg_diet_dri *mg_diet_dris_at(const mg_diet_dris *dris, size_t i);

/* The row of the given kind for a person of age_y years and the given sex
 * (female or male also match rows for "any"), or NULL when the table has none
 * (e.g. no RDA for infants, who have an AI). Owned by the table. */
const mg_diet_dri *mg_diet_dris_lookup(const mg_diet_dris *dris, double age_y, mg_diet_sex sex,
                                       mg_diet_dri_kind kind);

/* One line of a day's intake: an amount of a food in a meal. For a fixed
 * intake (diet.mg_per_day) food is NULL and grams is NaN. */
typedef struct {
    char *meal;
    const mg_diet_food *food; /* borrowed from the food table; NULL for a fixed intake */
    double grams;             /* g of food */
    double mg;                /* mg of magnesium */
} mg_diet_item;

/* A loaded diet plan. */
typedef struct {
    double age_y;     /* person.age_y, 0..120 */
    mg_diet_sex sex;  /* person.sex: MG_DIET_FEMALE or MG_DIET_MALE */
    double weight_kg; /* person.weight_kg (kg), NaN when not given; not used yet */
    int fixed;        /* 1: diet.mg_per_day was given, 0: meals */
    double fixed_mg_per_day;
    size_t n_items;
    mg_diet_item *items;    /* in document order */
    char processing[64];    /* diet.processing: a process of data/processing.csv, "" for none */
    char soil_scenario[64]; /* diet.soil_scenario: a scenario of data/soil_scenarios.csv, "" */
} mg_diet_plan;

/* Load a diet plan from the YAML text (len bytes; name is used in messages),
 * after applying the overrides sets[0..n_sets-1] ("key=value"; keys
 * person.age_y, person.sex, person.weight_kg, diet.mg_per_day, diet.processing,
 * diet.soil_scenario). The processing and soil names are stored, not checked or applied
 * (mg_diet_plan_adjust does both). Foods are
 * looked up in foods, which must outlive the plan. Errors, each naming
 * "file:LINE:COL" or the --set at fault: MG_ERR_CONFIG for an unknown key or
 * food (with the three closest names), a sex other than female|male, both or
 * neither of diet.mg_per_day and meals; MG_ERR_DATA for a value out of range
 * (negative grams, age outside 0..120, ...); MG_ERR_NOMEM. The caller frees
 * *out with mg_diet_plan_destroy. */
mg_status mg_diet_plan_load_buffer(mg_context *ctx, const char *name, const char *text, size_t len,
                                   const char *const *sets, size_t n_sets,
                                   const mg_diet_foods *foods, mg_diet_plan **out);

/* As mg_diet_plan_load_buffer, reading the file at path (MG_ERR_NOINPUT when it
 * cannot be read). */
mg_status mg_diet_plan_load(mg_context *ctx, const char *path, const char *const *sets,
                            size_t n_sets, const mg_diet_foods *foods, mg_diet_plan **out);

/* Free a plan and set *plan to NULL. Accepts NULL and a pointer to NULL. */
void mg_diet_plan_destroy(mg_diet_plan **plan);

/* The day's intake of a plan: the sum of its items' mg (mg/day). */
double mg_diet_plan_intake_mg(const mg_diet_plan *plan);

/* Where an intake stands against the reference values. */
typedef enum {
    MG_DIET_BELOW_EAR,
    MG_DIET_BETWEEN_EAR_AND_RDA,
    MG_DIET_AT_OR_ABOVE_RDA,
    MG_DIET_BELOW_AI,       /* infants (AI only): adequacy cannot be judged */
    MG_DIET_AT_OR_ABOVE_AI, /* infants: likely adequate */
    MG_DIET_NO_REFERENCE    /* the table has nothing for this person */
} mg_diet_verdict;

/* The assessment of a day's intake. Missing values are NaN and missing rows NULL. */
typedef struct {
    double intake_mg_per_day;
    double rda_mg, ear_mg, ai_mg, ul_supplement_mg;
    double percent_rda; /* 100 * intake / RDA; NaN without an RDA */
    const mg_diet_dri *rda, *ear, *ai, *ul;
    mg_diet_verdict verdict;
} mg_diet_assessment;

/* Assess intake_mg_per_day (>= 0, finite) for a person of age_y years and the
 * given sex against dris: RDA, EAR, AI, UL, percent of the RDA and the verdict
 * (below EAR / between EAR and RDA / at or above RDA; AI-based for infants).
 * Errors: MG_ERR_DATA for a negative or non-finite intake or an age outside 0..120. */
mg_status mg_diet_assess(mg_context *ctx, const mg_diet_dris *dris, double age_y, mg_diet_sex sex,
                         double intake_mg_per_day, mg_diet_assessment *out);

/* A short fixed description of a verdict ("below the EAR", ...). Static storage. */
const char *mg_diet_verdict_string(mg_diet_verdict v);

/* "female", "male", "any", "pregnant" or "lactating". Static storage. */
const char *mg_diet_sex_string(mg_diet_sex s);

/* "RDA", "EAR", "AI" or "UL". Static storage. */
const char *mg_diet_dri_kind_string(mg_diet_dri_kind k);

/* ---- processing and soil scenarios (data/processing.csv, data/soil_scenarios.csv) ---- */

/* What a processing or soil row applies to: every food of a food group, or one food. */
typedef enum { MG_DIET_SCOPE_GROUP, MG_DIET_SCOPE_FOOD } mg_diet_scope;

/* One row of the processing table: under process `process`, the foods of `target`
 * (a food group, or one food by name) keep retained_fraction of their magnesium. */
typedef struct {
    char *process;            /* lower-case name, e.g. "refined-flour" */
    mg_diet_scope scope;      /* group or food */
    char *target;             /* food group (e.g. "grains") or food name */
    double retained_fraction; /* 0 < f <= 1: Mg kept per g of food as eaten */
    char *source;             /* never empty */
    uint32_t line;
} mg_diet_process_row;

/* The processing table (opaque). */
typedef struct mg_diet_processing mg_diet_processing;

/* Load the processing table from the CSV at path (header
 * `process,scope,target,retained_fraction,source`; scope is group or food; same CSV
 * rules as mg_diet_foods_load). A process may have several rows; one process may not
 * name the same (scope, target) twice. Errors: MG_ERR_NOINPUT, MG_ERR_DATA
 * "path:LINE: ..." (bad scope, fraction outside (0, 1], empty source or target,
 * duplicate), MG_ERR_NOMEM. The caller frees *out with mg_diet_processing_destroy. */
mg_status mg_diet_processing_load(mg_context *ctx, const char *path, mg_diet_processing **out);

/* Free a processing table and set *p to NULL. Accepts NULL and a pointer to NULL. */
void mg_diet_processing_destroy(mg_diet_processing **p);

/* The number of rows (0 for NULL). */
size_t mg_diet_processing_count(const mg_diet_processing *p);

/* The i-th row in file order (NULL when out of range). Owned by the table. */
const mg_diet_process_row *mg_diet_processing_at(const mg_diet_processing *p, size_t i);

/* The retained fraction of food's magnesium under process: the row naming the food
 * itself if there is one, else the row naming its food group, else 1 (the process does
 * not touch this food). Errors: MG_ERR_CONFIG when the table has no such process; the
 * message lists the valid process names. */
mg_status mg_diet_processing_factor(mg_context *ctx, const mg_diet_processing *p,
                                    const char *process, const mg_diet_food *food, double *factor);

/* One row of the soil/crop scenario table: in scenario `scenario` (year `year`), foods
 * of food_group ("*" = every group without a row of its own) hold `factor` times the Mg
 * per 100 g of the food table, whose values are taken as present-day (2020). */
typedef struct {
    char *scenario; /* lower-case name, e.g. "soil-1940" */
    int year;       /* the year the scenario describes (informative) */
    char *group;    /* food group or "*" */
    double factor;  /* 0 < factor <= 10, relative to the table (2020) */
    char *source;   /* never empty; says "assumption" where the size is assumed */
    uint32_t line;
} mg_diet_soil_row;

/* The soil scenario table (opaque). */
typedef struct mg_diet_soil mg_diet_soil;

/* Load the soil scenario table from the CSV at path (header
 * `scenario,year,food_group,factor,source`). One scenario may not name a group twice
 * and must use one year. Errors as mg_diet_processing_load. The caller frees *out with
 * mg_diet_soil_destroy. */
mg_status mg_diet_soil_load(mg_context *ctx, const char *path, mg_diet_soil **out);

/* An empty scenario table for user-defined scenarios (add rows with
 * mg_diet_soil_add). Errors: MG_ERR_NOMEM. Free with mg_diet_soil_destroy. */
mg_status mg_diet_soil_create(mg_context *ctx, mg_diet_soil **out);

/* Add (or, if scenario already names group, replace) one row: factor for food group
 * group ("*" for every other group) in scenario, year year. source may be NULL
 * (recorded as "user-defined"). Errors: MG_ERR_DATA for an empty or non-lower-case name,
 * an empty group, a factor outside (0, 10] or a year other than the scenario's;
 * MG_ERR_NOMEM. */
mg_status mg_diet_soil_add(mg_context *ctx, mg_diet_soil *s, const char *scenario, int year,
                           const char *group, double factor, const char *source);

/* Free a soil table and set *s to NULL. Accepts NULL and a pointer to NULL. */
void mg_diet_soil_destroy(mg_diet_soil **s);

/* The number of rows (0 for NULL). */
size_t mg_diet_soil_count(const mg_diet_soil *s);

/* The i-th row (NULL when out of range). Owned by the table. */
const mg_diet_soil_row *mg_diet_soil_at(const mg_diet_soil *s, size_t i);

/* The factor for food group group in scenario: its own row, else the scenario's "*"
 * row, else 1. Errors: MG_ERR_CONFIG when the table has no such scenario; the message
 * lists the valid scenario names. */
mg_status mg_diet_soil_factor(mg_context *ctx, const mg_diet_soil *s, const char *scenario,
                              const char *group, double *factor);

/* Apply a processing choice and/or a soil scenario to a loaded plan, in place: every
 * food item's mg is multiplied by mg_diet_processing_factor(process) and by
 * mg_diet_soil_factor(scenario, its group). Pass NULL for proc/process or
 * soil/scenario to skip one. A fixed daily intake (diet.mg_per_day) is left unchanged.
 * Factors are applied to the table's as-eaten values: apply a refining process to
 * unrefined foods only (brown rice, whole-wheat flour), or the loss is counted twice.
 * Errors (plan unchanged): MG_ERR_CONFIG for an unknown process or scenario (with the
 * valid names), MG_ERR_USAGE when a name is given without its table. */
mg_status mg_diet_plan_adjust(mg_context *ctx, mg_diet_plan *plan, const mg_diet_processing *proc,
                              const char *process, const mg_diet_soil *soil, const char *scenario);

/* The intake of one food group in a plan. */
typedef struct {
    const char *group; /* borrowed from the food table; "fixed intake" for diet.mg_per_day */
    double mg;         /* mg of Mg per day from this group */
    double grams;      /* g of food (0 for the fixed intake) */
    size_t n_items;    /* number of plan items in the group */
} mg_diet_group_total;

/* Sum a plan's items by food group, groups in order of first appearance. Writes at most
 * max totals into out (out may be NULL when max is 0) and returns the number of groups,
 * which may exceed max (call again with a larger array). */
size_t mg_diet_plan_by_group(const mg_diet_plan *plan, mg_diet_group_total *out, size_t max);

/* ---- population intake sampler ------------------------------------------------------ */

/* Philox purpose of the usual-intake draws: MG_RNG_USER + 40 (see src/base/rng.h). */
#define MG_DIET_RNG_INTAKE_OFFSET 40

/* Parameters of the usual-intake distribution: in every age-sex group the usual daily
 * intake from food is lognormal, ln(intake) ~ N(ln(median), sigma_log^2), with the median
 * set so that a share share_below_ear of the group falls below its EAR (the AI for
 * infants, who have no EAR). */
typedef struct {
    double sigma_log;       /* SD of ln(usual intake); 0 < sigma <= 2. Default 0.35
                               (assumption: between-person CV of usual Mg intake ~36 %) */
    double share_below_ear; /* 0 < share < 1. Default 0.48: 48 % of Americans below their
                               EAR from food, NHANES 2013-2016 (NIH ODS, refs s12) */
} mg_diet_intake_params;

/* The default parameters above. */
mg_diet_intake_params mg_diet_intake_defaults(void);

/* The median usual intake (mg/day) of the lognormal for a person of age_y years and sex
 * (female or male): EAR * exp(-sigma_log * z), z = Phi^-1(share_below_ear).
 * Errors: MG_ERR_DATA for parameters out of range, an age outside 0..120, another sex,
 * or no EAR/AI row for the person. */
mg_status mg_diet_intake_median(mg_context *ctx, const mg_diet_dris *dris, double age_y,
                                mg_diet_sex sex, const mg_diet_intake_params *p, double *median);

/* Draw the usual daily intake (mg/day) of virtual person number `person` (age_y, sex)
 * from the lognormal above, with the counter-based Philox stream (seed, purpose
 * MG_RNG_USER + MG_DIET_RNG_INTAKE_OFFSET, entity 0, index person): the value depends
 * only on (seed, person, age, sex, p), not on the order or thread that asks.
 * Errors as mg_diet_intake_median. */
mg_status mg_diet_intake_sample(mg_context *ctx, const mg_diet_dris *dris, uint64_t seed,
                                uint64_t person, double age_y, mg_diet_sex sex,
                                const mg_diet_intake_params *p, double *mg_per_day);

#ifdef __cplusplus
}
#endif
#endif /* MGSIM_DIET_H */
