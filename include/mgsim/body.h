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
 * question (refs §17); the refs' fit holds for any value in 0.5-3 mEq, and this is
 * the midpoint of that range: an assumption. */
#define MG_BODY_FINE1991_MEAL_MEQ 1.75

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
 * amax 3.44 mEq (41.8 mg), km (5.93 - MG_BODY_FINE1991_MEAL_MEQ) mEq (50.8 mg),
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
} mg_body_salt_form;

/* The salt-form table (opaque). */
typedef struct mg_body_salt_forms mg_body_salt_forms;

/* Load the salt-form table from the CSV file at path (header
 * `name,relative_bioavailability,source,note`; fields may be double-quoted; lines
 * starting with '#' and blank lines are skipped). Errors: MG_ERR_NOINPUT (cannot
 * read), MG_ERR_DATA "path:LINE: ..." for a bad header or row (wrong field count,
 * non-positive or non-numeric factor, duplicate or non-lower-case name, empty
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

#ifdef __cplusplus
}
#endif

#endif /* MGSIM_BODY_H */
