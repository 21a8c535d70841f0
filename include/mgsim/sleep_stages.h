/* mgsim — sleep stages: the human sleep–wake network of Gleit, Diniz Behn & Booth 2013 as
 * revised by Booth, Xique & Diniz Behn 2017 (ModelDB 244485), a stage rule that splits NREM into
 * N1/N2/N3, a 30-s-epoch hypnogram over several nights, and hypnogram metrics.
 *
 * Network (time in minutes): firing rates f_LC (wake, locus coeruleus), f_VLPO (NREM), f_R
 * (REM), f_SCN, each relaxing to X∞ = max_X ½[1 + tanh((input - β_X)/α_X)]; transmitters in
 * steady state (c_NE = tanh(f_LC/5), c_GABA = tanh(f_VLPO/2.5), c_ACh = tanh(f_R/2.5),
 * c_SCN = tanh(f_SCN/4)); homeostat h ("SWA %"), rising toward h_max while f_LC > θ_W and decaying
 * toward 0 otherwise; the VLPO threshold β_VLPO = k1 + k2 h; a Forger-type circadian oscillator
 * driven by light. Scored wake while f_LC > 4 Hz, REM while f_R > 3 Hz (the authors' readouts).
 *
 * The NREM split (N1, N2, N3), the schedule's wake effort, the age terms, the arousal process and
 * the Mg hook are this module's assumptions, documented in docs/models/sleep-stages.md with the
 * equations and the numbers the tests check. No file I/O, no global state.
 */
#ifndef MGSIM_SLEEP_STAGES_H
#define MGSIM_SLEEP_STAGES_H

#include <stddef.h>
#include <stdint.h>

#include "mgsim/base.h"
#include "mgsim/sleep.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Stage codes of a hypnogram epoch. */
typedef enum {
    MG_STAGE_WAKE = 0,
    MG_STAGE_N1 = 1,
    MG_STAGE_N2 = 2,
    MG_STAGE_N3 = 3,
    MG_STAGE_REM = 4
} mg_sleep_stage;

/* Short name of a stage code ("W", "N1", "N2", "N3", "R"; "?" for other values). Static. */
const char *mg_sleep_stage_name(int stage);

/* Parameters of the stage model. The network constants not listed here are the published
 * values, fixed (docs/models/sleep-stages.md, table 1). */
typedef struct {
    /* --- published (Booth, Xique & Diniz Behn 2017; ModelDB 244485) --- */
    double beta_r;      /* β_R, REM-population threshold; -0.8 (4 REM bouts a night) */
    double k1;          /* k1, VLPO threshold offset; -0.1 */
    double k2;          /* k2, VLPO threshold per unit h; -0.0045 (<= 0) */
    double h_max;       /* h_max, homeostat asymptote, SWA %; 323.88 (> 0) */
    double tau_hw_min;  /* τ_hw, rise time of h while awake, min; 946.8 (> 0) */
    double tau_hs_min;  /* τ_hs, decay time of h while asleep, min; 202.2 (> 0) */
    double theta_w_hz;  /* θ_W, f_LC above which h rises, Hz; 2 (> 0) */
    double wake_hz;     /* f_LC above which an instant is scored wake, Hz; 4 (> 0) */
    double rem_hz;      /* f_R above which a sleeping instant is scored REM, Hz; 3 (> 0) */
    double light_lux;   /* light outside the sleep window, lux; 500 (>= 0); 0 inside */
                        /* --- assumptions of this module --- */
    double wake_effort; /* extra LC input outside the sleep window (forced wake); 1.0 (>= 0) */
    double evening_h;   /* hours before lights off spent in dim evening light, [0, 12]; 4
                           (the window of Burgess & Molina 2014) */
    double evening_lux; /* light in those evening hours, lux, [0, 1e5]; 65 (home lights
                           maximised, Burgess & Molina 2014) */
    double n1_lc_hz;    /* sleep with f_LC above this is N1, Hz; 3.5 (> 0, <= wake_hz) */
    double n3_swa;      /* NREM with depth D = a_age h f_VLPO/5 Hz above this is N3, SWA %;
                           150 (> 0) */
    double age_years;   /* age of the person, years, [18, 100]; 35 */
    double swa_age_per_decade;  /* fractional loss of the depth amplitude a_age per decade
                                   beyond 35 y, [0, 0.2]; 0.035 (fitted to Mitterling et al.
                                   2015, see docs) */
    double hmax_age_per_decade; /* fractional loss of the homeostat's asymptote h_max per
                                   decade beyond 35 y (floored at 0.1 h_max), [0, 0.2]; 0.02
                                   (fitted to the SOL slope of Boulos et al. 2019) */
    double arousal_per_h;       /* rate of spontaneous arousals during sleep at 35 y, h^-1
                                   (>= 0); 0.1 (assumption) */
    /* increase of the arousal rate per decade of age beyond 35 y, h^-1 (>= 0); 0.1 (fitted to
     * the WASO slope of Boulos et al. 2019) */
    double arousal_per_h_decade;
    double arousal_lc_hz; /* f_LC is raised to this value by an arousal, Hz, (wake_hz, 6]; 4.2 */
    /* REM-active recruitment of the VLPO: g_ACh,VLPO c_ACh is added to the VLPO input, so the
     * REM population keeps the GABAergic sleep population on and the LC silent during REM
     * (direction: Lu et al. 2002, eVLPO active in REM; Nitz & Siegel 1997, GABA in the LC
     * highest in REM), [0, 5]; 0.5 (fitted with h_ach_r to the REM structure, see docs);
     * 0 = the published network */
    double g_ach_vlpo;
    /* homeostatic (adenosine) damping of the REM population's recurrent cholinergic drive:
     * its input loses h_ach_r h c_ACh, per SWA % (direction: Rainnie et al. 1994, adenosine
     * inhibits mesopontine cholinergic neurons), [0, 0.02]; 0.004 (fitted, see docs);
     * 0 = the published network */
    double h_ach_r;
    /* --- magnesium hook (hypothesis, no effect by default) --- */
    double mg_mM;              /* brain extracellular Mg, mM (> 0, <= 5); 1.0 */
    double mg_ref_mM;          /* reference brain extracellular Mg, mM (> 0); 1.0 */
    double mg_gain_per_mM;     /* shift of β_VLPO per mM above the reference (VLPO threshold
                                  lowered: more sleep drive); 0 = no effect (>= 0) */
    double mg_max_shift;       /* cap on |shift of β_VLPO|, [0, 0.02]; 0.02 (set so the largest
                              effect stays within the Mg trials, see docs) */
    double mg_swa_gain_per_mM; /* fractional change of the slow-wave depth amplitude per mM
                                  above the reference (hypothesis after Held et al. 2002: Mg
                                  raises SWS and delta power); 0 = no effect (>= 0) */
    double mg_swa_max;         /* cap on |that fractional change|, [0, 0.5]; 0.02 (set so the
                                  largest SWS gain stays within Held et al. 2002, see docs) */
    /* --- numerics and randomness --- */
    double dt_min;   /* fixed RK4 step, min, (0, 0.1]; 0.05 (must divide 0.5 min) */
    int warmup_days; /* nights simulated before the first recorded one, [1, 60]; 10 */
    uint64_t seed;   /* seed of the arousal process (Philox stream MG_RNG_USER + 21) */
} mg_sleep_stage_params;

/* Defaults: the published network and the assumptions above (age 35, [Mg] = reference). */
mg_sleep_stage_params mg_sleep_stage_params_default(void);

/* Check the domain (ranges in the struct comments). MG_OK, or MG_ERR_DATA naming the parameter
 * ("sleep_stages.tau_hs_min must be > 0 min ..., got -1"). */
mg_status mg_sleep_stage_params_validate(mg_context *ctx, const mg_sleep_stage_params *p);

/* A multi-night hypnogram: 30-s epochs from lights off to lights on, night after night.
 * Owned by the caller; free with mg_hypnogram_free. */
typedef struct {
    size_t n_nights;
    size_t epochs_per_night; /* time_in_bed / 30 s */
    double epoch_s;          /* 30 */
    unsigned char *stage;    /* n_nights * epochs_per_night stage codes (mg_sleep_stage) */
    double *swa;             /* the depth D (SWA %) averaged over each epoch, same layout */
    double *h;               /* the homeostat h (SWA %) at the start of each epoch */
    double *circ_min_h;      /* per night: hours after lights off of the minimum of the
                                circadian variable c inside the sleep window (a phase marker);
                                NaN when the minimum lies at the window's edge */
    uint64_t n_arousals;     /* arousal events drawn over the whole run */
} mg_hypnogram;

/* Free the arrays of a hypnogram and zero it. Accepts NULL. */
void mg_hypnogram_free(mg_hypnogram *hy);

/* Simulate warmup_days + n_nights days on the 24-h schedule sched (lights off at bedtime_h for
 * time_in_bed_h hours; the run starts at noon of day 0, awake) and score every night of the last
 * n_nights in 30-s epochs: each epoch takes the stage that occupies most of its steps (ties: the
 * first in the order W, N1, N2, N3, R). Outside the window the person is held awake (wake
 * effort) in light; inside, in the dark, sleep and waking are free. Deterministic for a given
 * seed. Errors: MG_ERR_DATA for invalid parameters, a schedule outside its ranges or with
 * time_in_bed_h not a whole number of 30-s epochs, n_nights outside [1, 1000]; MG_ERR_NOMEM.
 * *out is zeroed on error. */
mg_status mg_sleep_stages_run(mg_context *ctx, const mg_sleep_stage_params *p,
                              const mg_sleep_schedule *sched, size_t n_nights, mg_hypnogram *out);

/* Metrics of one night's hypnogram (lights off to lights on). Times in minutes, shares in % of
 * total sleep time (TST), efficiency in % of time in bed (TIB).
 * - sleep onset: the first epoch of any sleep stage; SOL = epochs before it;
 * - WASO = wake from sleep onset to lights on, so SOL + TST + WASO = TIB;
 * - awakenings: wake bouts (>= 1 epoch) that start after sleep onset and are followed by sleep;
 * - first REM latency: sleep onset to the first REM epoch (NAN without REM);
 * - cycles (after Feinberg & Floyd 1979): REM runs separated by less than 15 min are one REM
 *   period; REM periods shorter than 5 min are dropped except the first; a cycle runs from sleep
 *   onset (first) or the end of the previous REM period to the end of its REM period; only
 *   completed cycles count. mean_cycle_min is their mean length (NAN without cycles).
 * - REM lengthening: the mean length of the REM periods after the first that end before lights
 *   on (a period still running in the last epoch is cut by the alarm and left out), minus the
 *   first period's length; > 0 when REM periods lengthen across the night (NAN when no complete
 *   period follows the first).
 * With no sleep at all: TST 0, SOL = TIB, shares and latencies NAN. */
typedef struct {
    double time_in_bed_min;
    double total_sleep_min;
    double sleep_efficiency_pct;
    double sleep_onset_latency_min;
    double waso_min;
    int awakenings;
    double n1_pct, n2_pct, n3_pct, rem_pct;
    double first_rem_latency_min;
    int cycles;
    double mean_cycle_min;
    double rem_period_min[16];  /* lengths of the first (up to 16) REM periods, min */
    int n_rem_periods;          /* REM periods counted (may exceed 16) */
    double rem_lengthening_min; /* see above; NAN without a complete second REM period */
} mg_hypnogram_metrics;

/* Compute the metrics of stage[0..n_epochs-1] (codes mg_sleep_stage) with epochs of epoch_s
 * seconds. Errors: MG_ERR_DATA when stage is NULL, n_epochs is 0, epoch_s is not finite and > 0,
 * or an epoch holds a code outside 0..4 (the message gives its index). */
mg_status mg_hypnogram_metrics_compute(mg_context *ctx, const unsigned char *stage, size_t n_epochs,
                                       double epoch_s, mg_hypnogram_metrics *out);

#ifdef __cplusplus
}
#endif

#endif /* MGSIM_SLEEP_STAGES_H */
