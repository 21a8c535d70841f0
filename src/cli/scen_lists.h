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
} cli_dose;

/* Where cli_load_doses puts what it reads. */
typedef struct {
    const mg_body_salt_forms *forms;
    cli_dose doses[CLI_MAX_DOSES];
    size_t n_doses;
} cli_dose_list;

/* Load a list of {time: "HH:MM", mg: elemental mg, form: NAME, with_food: bool} (key names
 * it in messages) into *list (which names the salt-form table), with file:line:column on
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

/* The events of a run of `days` days: three meals (08:00, 13:00, 19:00) of mg_per_day / 3
 * each, and each dose of list on every day it is taken (a Philox draw per dose and day
 * against adherence, stream MG_RNG_USER + 30 keyed by (dose, day)), sorted by time.
 * *taken and *missed count the doses; supp_per_day (NULL, or days entries) receives the
 * supplement mg taken each day. The caller frees *ev. MG_ERR_NOMEM. */
mg_status cli_build_events(mg_context *ctx, size_t days, double mg_per_day,
                           const cli_dose_list *list, double adherence, uint64_t seed,
                           mg_kin_event **ev, size_t *n, size_t *taken, size_t *missed,
                           double *supp_per_day);

#endif /* MGSIM_CLI_SCEN_LISTS_H */
