/* mgsim — body: intestinal absorption of magnesium.
 *
 * A saturable (transcellular) plus linear (paracellular) model of the magnesium
 * absorbed from one meal's intake, after the refs sheet's back-calculated fit to
 * Fine et al. 1991 (magnesium-physiology.md §7.2: derived, not the authors' numbers),
 * with relative-bioavailability factors per salt form (data/salt_forms.csv) and a
 * without-a-meal factor (Sabatier et al. 2002). Amounts are mg of elemental
 * magnesium per meal. Model predictions for research and teaching, never medical
 * advice. See docs/models/absorption.md.
 */
#ifndef MGSIM_BODY_H
#define MGSIM_BODY_H

#include <stddef.h>
#include <stdint.h>

#include "mgsim/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* mg of elemental magnesium per mEq (24.305 g/mol / valence 2). */
#define MG_BODY_MG_PER_MEQ 12.1525

/* The magnesium in Fine et al. 1991's standard meal, in mEq, on which the default
 * half-saturation constant rests (km = 5.93 mEq - this). The paper's value is an open
 * question (refs §17); the refs' fit holds for any value in 0.5-3 mEq. Calibrated: only
 * 2.14-2.23 mEq also put a 70 mg dose inside Sabatier et al. 2003's 0.48 +- 0.05 and keep
 * every fraction <= 1 (docs/models/absorption.md). */
#define MG_BODY_FINE1991_MEAL_MEQ 2.2

/* Parameters of the absorption model, per meal:
 *   absorbed(D) = amax_mg * D / (km_mg + D) + linear_fraction * D
 * for a dose (the meal's total magnesium intake) of D mg taken with a meal. */
typedef struct {
    double amax_mg;         /* saturable capacity, mg per meal; finite, > 0 */
    double km_mg;           /* half-saturation intake, mg per meal; finite, > 0 */
    double linear_fraction; /* paracellular fraction of the dose; finite, in (0, 1) */
    double no_meal_factor;  /* multiplies the absorbed amount without a meal; finite, > 0 */
} mg_absorption_params;

/* The default parameters (refs §7.2 and §9; docs/models/absorption.md):
 * amax 3.44 mEq (41.8 mg), km (5.93 - MG_BODY_FINE1991_MEAL_MEQ) mEq (45.3 mg),
 * linear fraction 0.07, no-meal factor 45.7/52.3 (0.874). */
mg_absorption_params mg_body_absorption_defaults(void);

/* Check p: every field finite, amax_mg > 0, km_mg > 0, 0 < linear_fraction < 1,
 * no_meal_factor > 0. Errors: MG_ERR_DATA naming the field and its value
 * (also for p == NULL). */
mg_status mg_body_absorption_validate(mg_context *ctx, const mg_absorption_params *p);

/* Check p as mg_body_absorption_validate does and dose_mg: finite and >= 0.
 * Errors: MG_ERR_DATA naming the bad value. */
mg_status mg_body_absorption_check(mg_context *ctx, const mg_absorption_params *p, double dose_mg);

/* The mg absorbed from a dose of dose_mg mg of magnesium (the meal's total intake) taken
 * with a meal, in the reference form of the fit (acetate): the model equation above.
 * Returns NaN when mg_body_absorption_check would fail (p NULL or invalid, dose
 * negative or not finite). Strictly increasing in dose_mg; 0 at dose 0. */
double mg_body_absorbed_mg(const mg_absorption_params *p, double dose_mg);

/* The fractional absorption absorbed(D) / D, in (0, 1); at D = 0 its limit
 * amax_mg / km_mg + linear_fraction. Strictly decreasing in dose_mg.
 * Returns NaN for invalid arguments, as mg_body_absorbed_mg. */
double mg_body_fractional_absorption(const mg_absorption_params *p, double dose_mg);

/* The mg absorbed from dose_mg of a salt form with relative bioavailability
 * form_factor (from the salt-form table; 1 for the reference form), with a meal
 * (with_meal != 0) or without (times p->no_meal_factor): absorbed(D) times both
 * factors, capped at dose_mg. Returns NaN for invalid arguments or a form_factor
 * that is not finite and > 0. */
double mg_body_absorbed_form_mg(const mg_absorption_params *p, double dose_mg, double form_factor,
                                int with_meal);

/* One row of the salt-form table. */
typedef struct {
    char *name;                      /* lower-case ASCII, unique in the table */
    double relative_bioavailability; /* relative to the fit's reference form; finite, > 0 */
    char *source;                    /* never empty; "assumption" where the refs give no value */
    char *note;                      /* may be empty */
    uint32_t line;                   /* line of the CSV file it came from */
    double elemental_fraction;       /* mg of elemental Mg per mg of the compound, in (0, 1] */
} mg_body_salt_form;

/* The salt-form table (opaque). */
typedef struct mg_body_salt_forms mg_body_salt_forms;

/* Load the salt-form table from the CSV file at path (header
 * `name,relative_bioavailability,elemental_fraction,source,note`; fields may be double-quoted;
 * lines starting with '#' and blank lines are skipped). Errors: MG_ERR_NOINPUT (cannot read),
 * MG_ERR_DATA "path:LINE: ..." for a bad header or row (wrong field count, non-positive or
 * non-numeric factor, an elemental fraction outside (0, 1], duplicate or non-lower-case name, empty
 * source, no rows), MG_ERR_NOMEM. On success the caller owns *out and frees it with
 * mg_body_salt_forms_destroy. */
mg_status mg_body_salt_forms_load(mg_context *ctx, const char *path, mg_body_salt_forms **out);

/* Free a salt-form table and set *forms to NULL. Accepts NULL and a pointer to NULL. */
void mg_body_salt_forms_destroy(mg_body_salt_forms **forms);

/* The number of rows (0 for NULL). */
size_t mg_body_salt_forms_count(const mg_body_salt_forms *forms);

/* The i-th row in file order (NULL when out of range). Owned by the table. */
const mg_body_salt_form *mg_body_salt_forms_at(const mg_body_salt_forms *forms, size_t i);

/* Find the row called name (exact match) and store it in *out (owned by the table).
 * Errors: MG_ERR_CONFIG "unknown salt form 'NAME'; valid forms: a, b, ..." when there
 * is none (then *out is NULL); MG_ERR_DATA for a NULL table or name. */
mg_status mg_body_salt_forms_lookup(mg_context *ctx, const mg_body_salt_forms *forms,
                                    const char *name, const mg_body_salt_form **out);

/* ---- modifiers of absorption (refs §9; docs/models/absorption.md) ----
 * Each multiplies the Mg absorbed from a meal or a dose, like the salt-form factor. The
 * phytate effect is measured (Bohn et al. 2004); for zinc, vitamin D and proton-pump
 * inhibitors the refs give the direction only, so their sizes are assumptions (settable);
 * age has no sourced effect and is off by default. */

/* Vitamin D status. */
typedef enum {
    MG_VITD_DEFICIENT = 0,
    MG_VITD_NORMAL = 1,
    MG_VITD_SUPPLEMENTED = 2 /* pharmacological doses */
} mg_vitamin_d_status;

/* What a person brings to absorption. */
typedef struct {
    double phytate_mmol;    /* phytate per meal, mmol (>= 0); acts on intake taken with food */
    double zinc_mg_per_day; /* supplemental zinc, mg/day (>= 0) */
    mg_vitamin_d_status vitamin_d;
    int ppi;      /* long-term (> 1 year) proton-pump inhibitor use */
    double age_y; /* years (0..120) */
} mg_absorption_modifiers;

/* The sizes of the modifier effects. */
typedef struct {
    double zinc_threshold_mg;        /* 142 mg/day: the high dose of Spencer et al. 1994 */
    double zinc_factor;              /* at or above the threshold: 0.9 (assumption: size not in
                                        the refs; direction Spencer et al. 1994) */
    double vitd_deficient_factor;    /* 0.9 (assumption; direction Hardwick et al. 1991) */
    double vitd_supplemented_factor; /* 1.1 (assumption; direction Hardwick et al. 1991) */
    double ppi_factor;               /* 0.75 (assumption; PPIs cause hypomagnesaemia after
                                        > 1 year, FDA 2011; the absorption size is unpublished) */
    double age_start_y;              /* 60 y: where an age effect would start (assumption) */
    double age_per_decade;           /* fractional loss per decade beyond it: 0 (off: no
                                        sourced size) */
} mg_absorption_modifier_params;

/* The defaults listed above. */
mg_absorption_modifier_params mg_body_absorption_modifier_defaults(void);

/* No modifiers: no phytate or zinc, normal vitamin D, no PPI, age 40. */
mg_absorption_modifiers mg_body_absorption_modifiers_none(void);

/* The phytate factor of Bohn et al. 2004 (stable isotopes, 200 g bread, 3.6 mmol Mg): 1 at
 * no phytate, 24.0/32.2 at 0.75 mmol and 13.0/32.5 at 1.49 mmol, linear between, held at
 * the last measured value above 1.49 mmol (assumption). phytate_mmol >= 0. */
double mg_body_phytate_factor(double phytate_mmol);

/* The product of the modifier factors for intake taken with food (with_food != 0: phytate
 * acts) or without, in *factor (> 0). Errors: MG_ERR_DATA naming the field for values out
 * of range (negative amounts, an age outside 0..120, factors not > 0, a threshold < 0). */
mg_status mg_body_absorption_modifier_factor(mg_context *ctx,
                                             const mg_absorption_modifier_params *p,
                                             const mg_absorption_modifiers *m, int with_food,
                                             double *factor);

#ifdef __cplusplus
}
#endif

#endif /* MGSIM_BODY_H */
