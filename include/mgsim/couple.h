/* mgsim — the multi-scale clock (issue 6): body, stress and sleep advance day by day,
 * coupled both ways, and short plasticity probes run at scheduled times with the brain
 * magnesium and NMDA-receptor expression of that moment.
 *
 * One day d, in this order (docs/architecture.md, "The multi-scale clock"):
 *  1. HPA axis over [24d, 24d + 24) h, with the previous day's mean serum Mg as input of
 *     the Mg-deficiency hypothesis (when coupled); cortisol is averaged per hour.
 *  2. Body kinetics over the same 24 h from the previous day's state, with the day's meals
 *     and doses and one modifier row per hour (caffeine, alcohol, and, when coupled,
 *     cortisol -> urinary Mg as the excretion factor of mg_hpa_renal_mg_factor).
 *  3. Brain extracellular free Mg = CSF total Mg x csf_free_fraction, per hour.
 *  4. NMDA-receptor expression s (homeostasis, when on): one signal/noise probe at the
 *     day's mean brain Mg and the current s measures the NMDA calcium flux F, then
 *     ln s += (24 h / tau_h)(1 - F/F*), exact for F frozen over the day (F*: the flux at
 *     s = 1 and homeostasis.mg_ref_mM, or, when that is NaN, the brain Mg at the start of
 *     the run: the person's own baseline; measured once at the start).
 *  5. The night that starts at bedtime on day d: the sleep-stage model at the day's mean
 *     brain Mg (the Mg hypothesis acts only when its gain is set), from its own warm-up
 *     (quasi-static: brain Mg changes over days, a night's dynamics over minutes).
 *  6. Probes due on day d (at their clock time): the protocol under the plasticity rule
 *     with [Mg]o = brain free Mg at that hour and the current s.
 * Every step is exact or uses the models' own integrators; the coupling is explicit
 * (operator splitting by day): a day's inputs come from the day before or from the same
 * day's earlier steps. Mass balance is kept exactly by the body model (intake = faecal +
 * urine + sweat + change in stores, summed over days).
 * Model predictions for research and teaching, never medical advice.
 */
#ifndef MGSIM_COUPLE_H
#define MGSIM_COUPLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mgsim/base.h"
#include "mgsim/kinetics.h"
#include "mgsim/plast.h"
#include "mgsim/sleep_stages.h"
#include "mgsim/stress.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The protocols a probe can run. */
typedef enum {
    MG_PROBE_TETANUS = 0, /* 100 pulses at 100 Hz (mg_plast_train) */
    MG_PROBE_LFS = 1,     /* 900 pulses at 1 Hz */
    MG_PROBE_THETA = 2,   /* 10 bursts of 4 at 100 Hz, bursts at 5 Hz */
    MG_PROBE_SNR = 3      /* the signal/noise experiment (mg_snr_run) */
} mg_probe_kind;

/* "tetanus", "lfs", "theta-burst", "snr"; NULL for an unknown kind. */
const char *mg_probe_name(mg_probe_kind k);

/* A probe runs on days first_day, first_day + every_days, ... (< duration) at clock_h. */
typedef struct {
    mg_probe_kind kind;
    uint32_t first_day;  /* 0-based */
    uint32_t every_days; /* >= 1 */
    double clock_h;      /* [0, 24) */
} mg_probe_spec;

/* Everything a coupled run needs. Arrays are borrowed for the duration of the call. */
typedef struct {
    uint32_t days; /* 1 .. 3650 */
    /* body */
    mg_kin_params kin;
    mg_kin_solver solver;
    const mg_kin_event *events; /* the whole run's meals and doses, sorted by t_h */
    size_t n_events;
    const mg_kin_event *start_day; /* one day's meals (t_h in [0, 24)) for the fed steady state */
    size_t n_start_day;
    double caffeine_mg_per_kg; /* daily, in effect 6 h after caffeine_clock_h (hourly rows) */
    double caffeine_clock_h;
    double alcohol_g_per_kg; /* daily, in effect 6 h after 20:00 */
    /* stress */
    mg_hpa_params hpa; /* hpa.mg_gain is the Mg-deficiency hypothesis (0: off) */
    const mg_hpa_stressor *stressors;
    size_t n_stressors;
    mg_hpa_renal_params renal; /* renal.enabled: cortisol -> urinary Mg */
    /* sleep */
    int sleep_on;
    mg_sleep_stage_params sleep; /* sleep.mg_gain_per_mM is the brain-Mg hypothesis */
    mg_sleep_schedule sched;
    /* synapse */
    mg_plast_setup plast; /* rule and parameters of tetanus / lfs / theta-burst probes */
    mg_snr_params snr;    /* snr probes and the homeostasis flux probe */
    int homeostasis;      /* NMDA expression follows brain Mg */
    mg_homeo_params homeo;
    double homeo_probe_ms; /* duration of the daily flux probe (> 0; 2000) */
    const mg_probe_spec *probes;
    size_t n_probes;
    double csf_free_fraction; /* brain free Mg / CSF total Mg: 0.80 / 1.25 = 0.64 (McKee 2005) */
    uint64_t seed;
} mg_couple_spec;

/* Defaults: 28 days, kinetics for 70 kg, CVODE, no events; HPA, renal, sleep-stage, plast
 * (rule shouval2002), snr and homeostasis defaults of their modules; sleep on, bedtime 23:00
 * for 8 h, sleep warm-up 4 days; homeostasis on with a 2-s flux probe; free fraction 0.64;
 * seed 1; homeo.mg_ref_mM NaN (the set point is the start of the run). The Mg hypotheses
 * keep their modules' defaults (off). Each probe kind sees the same random inputs every
 * time it runs (seed + 1000 + its index in probes). */
void mg_couple_defaults(mg_couple_spec *s);

/* One hourly sample. */
typedef struct {
    double t_h;
    double serum_total_mM, serum_ionized_mM, csf_mM;
    double brain_mg_mM; /* free, the [Mg]o of the NMDA block */
    double cortisol_nmol_l;
    double excretion_factor; /* applied in the hour starting at t_h (1 when uncoupled) */
} mg_couple_sample;

/* One day's summary. */
typedef struct {
    uint32_t day;
    double intake_mg, absorbed_mg, urine_mg, faecal_mg;
    double serum_total_mM, csf_mM, brain_mg_mM; /* means over the day */
    double cortisol_peak_nmol_l, cortisol_peak_clock_h, cortisol_nadir_nmol_l, cortisol_mean_nmol_l;
    double nmda_scale;          /* s at the end of the day */
    int has_sleep;              /* the night's metrics below are filled */
    mg_hypnogram_metrics sleep; /* the night that starts at bedtime on this day */
} mg_couple_day;

/* One probe's result. */
typedef struct {
    uint32_t day;
    double clock_h;
    mg_probe_kind kind;
    double brain_mg_mM, nmda_scale;
    double weight_change_percent; /* tetanus/lfs/theta: the rule's; snr: signal class */
    double snr;                   /* snr only (NaN otherwise) */
    double flux_signal, flux_noise;
    double ca_peak;
    double atp_total;
} mg_couple_probe;

/* Result of a run. Owned by the caller; free with mg_couple_result_free. */
typedef struct {
    mg_couple_sample *samples; /* hourly, t = 0 .. 24 * days_done */
    size_t n_samples;
    mg_couple_day *days;
    size_t n_days; /* days completed */
    mg_couple_probe *probes;
    size_t n_probes;
    unsigned char *hypnogram; /* n_days x epochs_per_night stage codes (when sleep is on) */
    size_t epochs_per_night;
    double set_point_flux;  /* F* (homeostasis) */
    double set_point_mg_mM; /* the brain Mg of F* */
    /* mass balance over the days completed, mg */
    double intake_mg, faecal_mg, urine_mg, sweat_mg, stores_start_mg, stores_end_mg;
    double balance_error_mg; /* intake - faecal - urine - sweat - (end - start) */
    int interrupted;         /* the stop flag ended the run before the last day */
    /* the state after the last completed day, from which mg_couple_continue goes on */
    uint32_t days_total;  /* the run's length (the arrays' size) */
    size_t probes_total;  /* probe runs in the whole run */
    mg_kin_state end_kin; /* body */
    mg_hpa_state end_hpa; /* stress axis */
    double end_scale;     /* NMDA expression */
    double end_serum_mM;  /* the day's mean serum Mg (input of the next day's HPA) */
} mg_couple_result;

/* Called after each completed day (day is 0-based, of days). Return nonzero to stop. */
typedef int (*mg_couple_progress_fn)(void *user, uint32_t day, uint32_t days,
                                     const mg_couple_result *so_far);

/* Run the coupled model. progress may be NULL. On MG_OK *out holds the days completed
 * (all of them unless progress asked to stop: then out->interrupted is 1 and the result
 * is consistent up to the last completed day). Errors: MG_ERR_DATA for invalid parameters
 * (each module's validator, naming the key), a probe outside the run or with every_days 0,
 * days outside 1..3650; errors of the models; MG_ERR_NOMEM. *out is zeroed on error. */
mg_status mg_couple_run(mg_context *ctx, const mg_couple_spec *spec, mg_couple_progress_fn progress,
                        void *user, mg_couple_result *out);

/* Check a spec without running it: the same checks as mg_couple_run (every module's
 * validator, the probes, the events' order). MG_OK or MG_ERR_DATA naming the key. */
mg_status mg_couple_check(mg_context *ctx, const mg_couple_spec *spec);

/* Continue a run from io->n_days (a result of mg_couple_run stopped early, or read back
 * with mg_couple_checkpoint_read) to the last day, exactly as an uninterrupted run would:
 * every day's inputs depend only on the spec, the day and the state carried in io. The spec
 * must be the one the run started with (checked: days, probe runs, epochs a night).
 * Errors: MG_ERR_DATA when io does not fit the spec; those of mg_couple_run. On error io
 * keeps the days completed so far. */
mg_status mg_couple_continue(mg_context *ctx, const mg_couple_spec *spec,
                             mg_couple_progress_fn progress, void *user, mg_couple_result *io);

/* Write a result (completed days, arrays and end state) to f in a binary checkpoint tagged
 * with scenario_hash (the caller's fingerprint of the scenario). Readable only by the same
 * mgsim version on the same kind of machine (raw doubles). MG_ERR_IO on a write error. */
mg_status mg_couple_checkpoint_write(mg_context *ctx, const mg_couple_result *r,
                                     uint64_t scenario_hash, FILE *f);

/* Read a checkpoint from f (source names it in messages) into *out, checking the magic,
 * the version, scenario_hash and that it fits spec. Errors: MG_ERR_DATA ("SOURCE: ...") for
 * a file that is not a checkpoint of this version, of another scenario, or truncated;
 * MG_ERR_NOMEM. *out is zeroed on error; free it with mg_couple_result_free. */
mg_status mg_couple_checkpoint_read(mg_context *ctx, FILE *f, const char *source,
                                    const mg_couple_spec *spec, uint64_t scenario_hash,
                                    mg_couple_result *out);

/* Free a result's arrays and zero it. Accepts NULL. */
void mg_couple_result_free(mg_couple_result *r);

#ifdef __cplusplus
}
#endif

#endif /* MGSIM_COUPLE_H */
