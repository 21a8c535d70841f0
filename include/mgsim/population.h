/* mgsim — population: Monte Carlo of virtual adults (issue 4, item 5).
 *
 * Person i (0 <= i < n_people) is a pure function of (seed, i): age, sex, weight, usual food
 * intake (mg_diet_intake_sample, calibrated so that 48 % fall below their EAR) and whether they
 * take a daily supplement are drawn from counter-based Philox streams keyed by (seed, purpose,
 * i), so results do not depend on the number of threads or processes, or on which of them
 * simulates whom. Each person then runs the whole-body kinetic model (mg_kin_daily_run, the
 * exponential fast path) for duration_days days from the fed steady state of their food intake,
 * with three meals a day (08:00, 13:00, 19:00) and their supplement; the last day's means of
 * serum total and CSF Mg are kept. The summary (shares below the EAR, quantiles of serum and
 * CSF Mg) is computed from the per-person results in person order, so it is the same however
 * the people were split. Amounts in mg of elemental Mg per day, weights in kg, ages in years,
 * concentrations in mmol/L. Sources of every default: docs/models/population.md.
 * Model predictions for research and teaching, never medical advice.
 */
#ifndef MGSIM_POPULATION_H
#define MGSIM_POPULATION_H

#include <stddef.h>
#include <stdint.h>

#include "mgsim/base.h"
#include "mgsim/diet.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Philox purposes of the person draws: MG_RNG_USER + these (src/base/rng.h); the intake draw
 * is mg_diet_intake_sample's own (MG_RNG_USER + MG_DIET_RNG_INTAKE_OFFSET). */
#define MG_POP_RNG_AGE_OFFSET        50
#define MG_POP_RNG_SEX_OFFSET        51
#define MG_POP_RNG_WEIGHT_OFFSET     52
#define MG_POP_RNG_SUPPLEMENT_OFFSET 53

/* The largest population one call accepts (about 100 bytes per person are kept). */
#define MG_POP_MAX_PEOPLE 10000000ull

/* Parameters of a population run. Defaults from mg_pop_params_default. */
typedef struct {
    uint64_t n_people;      /* [1, MG_POP_MAX_PEOPLE]; default 1000 */
    uint64_t seed;          /* root of every draw; default 1 */
    unsigned duration_days; /* simulated days from the fed steady state; [1, 3650]; default 30 */
    double age_min_y, age_max_y;  /* ages drawn in [min, max); 18 <= min < max <= 100; default
                                     19, 100. Within it: US adult age structure, 2020 Census
                                     (shares by band: docs page; assumption-grade rounding) */
    double share_female;          /* [0, 1]; default 0.508 (US Census 2020, rounded) */
    double weight_female_kg;      /* mean body weight of women, kg; [40, 200]; default 77.5
                                     (NHANES 2015-2018, Fryar et al. 2021) */
    double weight_male_kg;        /* mean of men, kg; [40, 200]; default 90.6 (same source) */
    double weight_cv;             /* between-person CV of weight (lognormal); [0, 1]; default
                                     0.22 (assumption); weights are clamped to [40, 200] kg */
    mg_diet_intake_params intake; /* usual food intake (diet.h): sigma_log 0.35, share 0.48 */
    double food_factor;           /* multiplies every person's usual food intake (soil scenario x
                                     processing x any plain factor); (0, 10]; default 1 */
    double supplement_share;      /* share of people taking a daily supplement; [0, 1]; default 0 */
    double supplement_mg;         /* elemental Mg per daily dose, mg; [0, 2000]; default 0 */
    double supplement_form_factor; /* relative bioavailability of its salt form; (0, 10];
                                      default 1 (data/salt_forms.csv) */
    int supplement_threonate;      /* nonzero: Mg L-threonate (raises CSF uptake) */
    double supplement_clock_h;     /* time of day of the dose, h; [0, 24); default 21 */
    int supplement_with_food;      /* nonzero: taken with food; default 0 */
    unsigned settle_days;          /* mg_kin_daily_options.settle_days; 0: 3 */
    double max_step_h;             /* mg_kin_daily_options.max_step_h; 0: 0.5 */
} mg_pop_params;

/* The defaults above. */
mg_pop_params mg_pop_params_default(void);

/* Check every field (finite and in the range above). Errors: MG_ERR_DATA naming the field and
 * its range ("population.share_female must be in [0, 1], got 1.5"); also for p NULL. */
mg_status mg_pop_params_validate(mg_context *ctx, const mg_pop_params *p);

/* One virtual person and their result. */
typedef struct {
    uint64_t index;                /* person number */
    double age_y;                  /* years */
    mg_diet_sex sex;               /* MG_DIET_FEMALE or MG_DIET_MALE */
    double weight_kg;              /* kg */
    double ear_mg_per_day;         /* their EAR (data/dri.csv), mg/day */
    double food_mg_per_day;        /* usual food intake after food_factor, mg/day */
    double supplement_mg_per_day;  /* 0 for non-takers */
    int below_ear;                 /* food intake < EAR */
    int below_ear_with_supplement; /* food + supplement < EAR */
    /* kinetics (filled by mg_pop_simulate; NaN after mg_pop_person_draw) */
    double serum_total_mM;   /* mean over the last simulated day */
    double csf_mM;           /* mean over the last simulated day */
    double urine_mg_per_day; /* last day */
    double balance_error_mg; /* mass balance of the person's run */
} mg_pop_person;

/* Draw person `index` of the population (no kinetics): age, sex, weight, EAR, food intake
 * (mg_diet_intake_sample x food_factor) and the supplement. A pure function of (p, dris,
 * index). Errors: MG_ERR_DATA for invalid p, index >= n_people, or a DRI table without an
 * EAR for the drawn person; MG_ERR_USAGE for NULL dris or out. */
mg_status mg_pop_person_draw(mg_context *ctx, const mg_pop_params *p, const mg_diet_dris *dris,
                             uint64_t index, mg_pop_person *out);

/* Draw and simulate persons first .. first + count - 1 into out[0 .. count-1] (caller-owned),
 * in parallel over mg_context_threads(ctx) OpenMP threads; each result is independent of the
 * thread count. Errors: as mg_pop_person_draw and mg_kin_daily_run (the lowest failing person
 * is reported, with its number); MG_ERR_DATA when the range exceeds n_people; MG_ERR_NOMEM. */
mg_status mg_pop_simulate(mg_context *ctx, const mg_pop_params *p, const mg_diet_dris *dris,
                          uint64_t first, uint64_t count, mg_pop_person *out);

/* The five quantiles reported: 5, 25, 50, 75 and 95 %. */
#define MG_POP_N_QUANTILES 5

/* Summary of a simulated population. */
typedef struct {
    uint64_t n_people;
    double share_below_ear;                 /* food intake below the EAR */
    double share_below_ear_with_supplement; /* food + supplement below the EAR */
    double share_taking_supplement;
    double mean_food_mg_per_day;
    double mean_supplement_mg_per_day; /* over everyone */
    double serum_mean_mM, csf_mean_mM;
    double serum_quantiles_mM[MG_POP_N_QUANTILES]; /* 5, 25, 50, 75, 95 % (linear, type 7) */
    double csf_quantiles_mM[MG_POP_N_QUANTILES];
    double share_serum_below_0_75; /* serum total < 0.75 mM (IOM 1997 lower reference) */
    double max_abs_balance_error_mg;
} mg_pop_summary;

/* Summarise persons[0 .. n-1] (n >= 1, in person order). Sums run in person order, so the
 * numbers depend only on the persons. Errors: MG_ERR_DATA for n 0 or NULL persons;
 * MG_ERR_NOMEM. */
mg_status mg_pop_summarise(mg_context *ctx, const mg_pop_person *persons, size_t n,
                           mg_pop_summary *out);

#ifdef __cplusplus
}
#endif

#endif /* MGSIM_POPULATION_H */
