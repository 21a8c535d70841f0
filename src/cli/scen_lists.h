/* The list-valued parts of scenarios that several commands share: supplement doses,
 * stressors, and the meal-and-dose event list of a run. Internal to the mgsim command. */
#ifndef MGSIM_CLI_SCEN_LISTS_H
#define MGSIM_CLI_SCEN_LISTS_H

#include <stddef.h>

#include "io/scen.h"
#include "mgsim/body.h"
#include "mgsim/kinetics.h"
#include "mgsim/stress.h"

#define CLI_MAX_DOSES     64
#define CLI_MAX_STRESSORS 1000

/* One daily supplement dose. */
typedef struct {
    double clock_h;
    double mg; /* elemental */
    char form[MG_SCEN_TEXT_MAX];
    double form_factor; /* relative bioavailability from data/salt_forms.csv */
    int with_food;
    double compound_mg; /* the compound mass when the dose was given that way, else NaN */
} cli_dose;

/* Where cli_load_doses puts what it reads. */
typedef struct {
    const mg_body_salt_forms *forms;
    cli_dose doses[CLI_MAX_DOSES];
    size_t n_doses;
} cli_dose_list;

/* Load a list of {time: "HH:MM", mg: elemental mg | compound_mg: compound mass, form: NAME,
 * with_food: bool} (key names it in messages) into *list (which names the salt-form table;
 * compound_mg is converted with the form's elemental fraction), with file:line:column on
 * every error; unknown forms list the valid ones. MG_ERR_CONFIG / MG_ERR_DATA. */
mg_status cli_load_doses(mg_context *ctx, const mg_yaml_doc *doc, const char *key,
                         const mg_yaml_node *node, cli_dose_list *list);

/* Where cli_load_stressors puts what it reads. */
typedef struct {
    mg_hpa_stressor stressors[CLI_MAX_STRESSORS];
    size_t n_stressors;
} cli_stressor_list;

/* Load a list of {kind: acute|chronic, day: D, start: "HH:MM", duration_h, level} into
 * *list, with file:line:column on every error. MG_ERR_CONFIG / MG_ERR_DATA. */
mg_status cli_load_stressors(mg_context *ctx, const mg_yaml_doc *doc, const char *key,
                             const mg_yaml_node *node, cli_stressor_list *list);

/* "acute" or "chronic". */
const char *cli_stressor_kind_name(mg_hpa_stress_kind k);

/* Absorption modifiers of a scenario (keys CLI_ABSORPTION_KEYS). */
typedef struct {
    mg_absorption_modifiers m;
    mg_absorption_modifier_params p;
} cli_absorption;

/* No modifiers and the default effect sizes (body.h). */
void cli_absorption_defaults(cli_absorption *a);

/* The scenario keys of the absorption modifiers, for a key table whose owner OWNER is a
 * cli_absorption (sources as in body.h and docs/models/absorption.md). */
#define CLI_ABSORPTION_KEYS(OWNER)                                                                 \
    {"absorption.phytate_mmol_per_meal",                                                           \
     MG_SCEN_NUMBER,                                                                               \
     OWNER,                                                                                        \
     offsetof(cli_absorption, m.phytate_mmol),                                                     \
     "mmol",                                                                                       \
     0,                                                                                            \
     20,                                                                                           \
     0,                                                                                            \
     NULL,                                                                                         \
     "phytate per meal (whole-meal bread: about 1.5 mmol in 200 g); acts on intake with food",     \
     "Bohn et al. 2004, Am J Clin Nutr 79:418 (refs magnesium-physiology s9)"},                    \
        {"absorption.zinc_mg_per_day",                                                             \
         MG_SCEN_NUMBER,                                                                           \
         OWNER,                                                                                    \
         offsetof(cli_absorption, m.zinc_mg_per_day),                                              \
         "mg/day",                                                                                 \
         0,                                                                                        \
         1000,                                                                                     \
         0,                                                                                        \
         NULL,                                                                                     \
         "supplemental zinc",                                                                      \
         "user input"},                                                                            \
        {"absorption.vitamin_d",                                                                   \
         MG_SCEN_ENUM,                                                                             \
         OWNER,                                                                                    \
         offsetof(cli_absorption, m.vitamin_d),                                                    \
         "",                                                                                       \
         0,                                                                                        \
         0,                                                                                        \
         0,                                                                                        \
         cli_vitamin_d_names,                                                                      \
         "vitamin D status",                                                                       \
         "user input"},                                                                            \
        {"absorption.zinc_threshold_mg",                                                           \
         MG_SCEN_NUMBER,                                                                           \
         OWNER,                                                                                    \
         offsetof(cli_absorption, p.zinc_threshold_mg),                                            \
         "mg/day",                                                                                 \
         0,                                                                                        \
         1000,                                                                                     \
         0,                                                                                        \
         NULL,                                                                                     \
         "zinc intake at which absorption falls",                                                  \
         "Spencer et al. 1994: 142 mg/day"},                                                       \
        {"absorption.zinc_factor",                                                                 \
         MG_SCEN_NUMBER,                                                                           \
         OWNER,                                                                                    \
         offsetof(cli_absorption, p.zinc_factor),                                                  \
         "",                                                                                       \
         0,                                                                                        \
         2,                                                                                        \
         MG_SCEN_MIN_EXCL,                                                                         \
         NULL,                                                                                     \
         "absorption multiplier at high zinc",                                                     \
         "assumption: the size is not in the refs (direction: Spencer et al. 1994)"},              \
        {"absorption.vitamin_d_deficient_factor",                                                  \
         MG_SCEN_NUMBER,                                                                           \
         OWNER,                                                                                    \
         offsetof(cli_absorption, p.vitd_deficient_factor),                                        \
         "",                                                                                       \
         0,                                                                                        \
         2,                                                                                        \
         MG_SCEN_MIN_EXCL,                                                                         \
         NULL,                                                                                     \
         "absorption multiplier when vitamin D deficient",                                         \
         "assumption (direction: Hardwick et al. 1991)"},                                          \
        {"absorption.vitamin_d_supplemented_factor",                                               \
         MG_SCEN_NUMBER,                                                                           \
         OWNER,                                                                                    \
         offsetof(cli_absorption, p.vitd_supplemented_factor),                                     \
         "",                                                                                       \
         0,                                                                                        \
         2,                                                                                        \
         MG_SCEN_MIN_EXCL,                                                                         \
         NULL,                                                                                     \
         "absorption multiplier with pharmacological vitamin D",                                   \
         "assumption (direction: Hardwick et al. 1991)"},                                          \
        {"absorption.ppi_factor",                                                                  \
         MG_SCEN_NUMBER,                                                                           \
         OWNER,                                                                                    \
         offsetof(cli_absorption, p.ppi_factor),                                                   \
         "",                                                                                       \
         0,                                                                                        \
         2,                                                                                        \
         MG_SCEN_MIN_EXCL,                                                                         \
         NULL,                                                                                     \
         "absorption multiplier with long-term PPI use",                                           \
         "assumption: PPIs cause hypomagnesaemia after > 1 year (FDA 2011); size unpublished"},    \
        {"absorption.age_per_decade",                                                              \
         MG_SCEN_NUMBER,                                                                           \
         OWNER,                                                                                    \
         offsetof(cli_absorption, p.age_per_decade),                                               \
         "",                                                                                       \
         0,                                                                                        \
         0.5,                                                                                      \
         0,                                                                                        \
         NULL,                                                                                     \
         "fractional loss of absorption per decade beyond 60 y",                                   \
         "assumption: no sourced size, so 0 (off)"},                                               \
    {                                                                                              \
        "medications.ppi", MG_SCEN_BOOL, OWNER, offsetof(cli_absorption, m.ppi), "", 0, 0, 0,      \
            NULL, "long-term (> 1 year) proton-pump inhibitor use", "user input"                   \
    }

/* The absorption factor of food (modifiers with food), or 1 when they are out of range
 * (cli_build_events reports that). */
double cli_meal_factor(const cli_absorption *abs);

/* The names of mg_vitamin_d_status, for the key table. */
extern const char *const cli_vitamin_d_names[];

/* The events of a run of `days` days: three meals (08:00, 13:00, 19:00) of mg_per_day / 3
 * each, and each dose of list on every day it is taken (a Philox draw per dose and day
 * against adherence, stream MG_RNG_USER + 30 keyed by (dose, day)), sorted by time. With
 * abs (may be NULL) each event's absorption is scaled by the modifiers (with or without
 * food); MG_ERR_DATA for modifiers out of range.
 * *taken and *missed count the doses; supp_per_day (NULL, or days entries) receives the
 * supplement mg taken each day. The caller frees *ev. MG_ERR_NOMEM. */
mg_status cli_build_events(mg_context *ctx, size_t days, double mg_per_day,
                           const cli_dose_list *list, const cli_absorption *abs, double adherence,
                           uint64_t seed, mg_kin_event **ev, size_t *n, size_t *taken,
                           size_t *missed, double *supp_per_day);

#endif /* MGSIM_CLI_SCEN_LISTS_H */
