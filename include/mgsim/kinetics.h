/* mgsim — body: whole-body magnesium kinetics (issue 4, item 3).
 *
 * A compartment model of the magnesium in an adult: gut lumen (absorbable Mg from meals and
 * doses, absorbed first-order), plasma (total, with fixed ionised / complexed / protein-bound
 * shares), interstitial fluid, soft tissue and muscle, exchangeable bone, slow bone, and CSF /
 * brain extracellular fluid; the kidney filters the ultrafilterable plasma Mg and reabsorbs it
 * up to a tubular maximum (saturable), lowered by caffeine, alcohol and stress; CSF Mg enters
 * by saturable active transport and leaves first-order. Accumulators (faecal, urinary, sweat,
 * infused, ingested) make the mass balance exact. Amounts in mg of elemental Mg, time in
 * hours, concentrations in mmol/L (mM). Reference values: shared/refs/magnesium-physiology.md;
 * equations, parameters with sources, and the numbers reproduced: docs/models/body-kinetics.md.
 * Two integrators: SUNDIALS CVODE (BDF) restarted at every event, and a fixed-step RK4
 * ("fast", for populations). The module does no file I/O and keeps no global state.
 * Model predictions for research and teaching, never medical advice.
 */
#ifndef MGSIM_KINETICS_H
#define MGSIM_KINETICS_H

#include <stddef.h>

#include "mgsim/base.h"
#include "mgsim/body.h"

#ifdef __cplusplus
extern "C" {
#endif

/* g/mol of magnesium: mg = mmol × MG_KIN_MG_PER_MMOL. */
#define MG_KIN_MG_PER_MMOL 24.305

/* Parameters. Defaults from mg_kin_params_default; the docs page gives each source. */
typedef struct {
    double weight_kg; /* body weight, kg; (20, 300]; scales volumes and pools */
    /* volumes (L): plasma and interstitial per kg of body weight; CSF/brain ECF absolute */
    double plasma_l_per_kg; /* > 0; default 0.043 (3 L at 70 kg; assumption, textbook) */
    double isf_l_per_kg;    /* > 0; default 0.157 (11 L at 70 kg; assumption, textbook) */
    double csf_l;           /* CSF / brain extracellular volume, L; > 0; default 0.15
                               (assumption; sets amounts, not concentrations) */
    /* plasma composition (Boron, Table 36-8): shares of total plasma Mg */
    double frac_ionized;   /* (0, 1); default 0.62 */
    double frac_complexed; /* [0, 1); frac_ionized + frac_complexed < 1; default 0.07 */
    /* reference state: the pools below hold at this serum total Mg */
    double serum_ref_mM;       /* (0, 5); default 0.85 (mid IOM 1997 range 0.75-0.95) */
    double body_mg_per_kg;     /* total body Mg, mg/kg; > 0; default 24000/70 (Elin 1987) */
    double bone_fraction;      /* share of body Mg in bone; (0, 1); default 0.55 (IOM 1997) */
    double bone_exch_fraction; /* exchangeable share of bone Mg; (0, 1); default 1/3 (IOM) */
    /* exchange */
    double ka_per_h;                /* gut absorption rate constant, 1/h; > 0; default 0.2
                                       (assumption: serum peak 1-4 h, refs §8.2) */
    double q_plasma_isf_l_per_h;    /* plasma-ISF exchange clearance, L/h; > 0; default 10
                                       (assumption: equilibration t1/2 ~10 min) */
    double tissue_fast_mg_per_kg;   /* rapidly exchanging intracellular Mg, mg/kg; > 0, below the
                                       soft-tissue Mg; default 0.8 x 3.54 mEq/kg (Avioli 1966) */
    double tissue_fast_half_life_h; /* its turnover half-life, h; default 3 (assumption, from
                                       the 3-h urinary 28Mg component, Aikawa ~1960) */
    double tissue_half_life_h;      /* slow soft tissue & muscle half-life, h; default 100
                                       (assumption, from Aikawa ~1960 equilibration) */
    double bone_exch_half_life_h;   /* exchangeable bone turnover half-life, h; default 168
                                       (assumption) */
    double bone_slow_half_life_h;   /* slow bone half-life, h; default 1000 (Avioli 1966) */
    double sweat_mg_per_day;        /* dermal loss at the reference state, mg/day; >= 0; 4
                                       (Hunt & Johnson 2006) */
    /* kidney */
    double gfr_ml_min; /* glomerular filtration rate (eGFR input), mL/min; (0, 300]; 125
                          (180 L/day, refs §2.2) */
    double tm_mM;      /* tubular maximum per litre of filtrate, mmol/L; > 0; 0.576 (Rude) */
    double fe_ref;     /* fractional excretion at the reference state; (0, 0.5); 0.04
                          (3-5 %: Boron; Schuchardt & Hahn 2017); sets the splay */
    double caffeine_per_mg_kg; /* fractional loss of reabsorption per mg/kg lean mass; >= 0;
                                  (1 - 94.2/97.0)/6 = 0.00481 (Bergman et al. 1990) */
    double alcohol_per_g_kg;   /* fractional loss of reabsorption per g ethanol/kg; >= 0;
                                  0.0300: urine x2.135 at 1.578 g/kg (assumption, refs §10.3) */
    double stress_per_unit;    /* fractional loss of reabsorption per (stress factor - 1);
                                  [0, 1); 0.01 (assumption: no magnitudes published) */
    /* CSF / brain extracellular */
    double csf_ratio_ref;            /* CSF/plasma total Mg at the reference state; > 0; 1.34
                                        (Oppelt et al. 1963) */
    double csf_km_mM;                /* half-saturation of influx (ultrafilterable plasma), mM;
                                        0.206: CSF +21 % at plasma x3 (Oppelt et al. 1963) */
    double csf_half_life_min;        /* CSF Mg exit half-life, min; > 0; default 70 (Oppelt) */
    double threonate_gain_per_mg_h;  /* uptake-capacity gain per mg/h of threonate-Mg being
                                        absorbed, h/mg; >= 0; 0.0139, calibrated to CSF +7 %
                                        (Slutsky et al. 2010; assumption for humans) */
    mg_absorption_params absorption; /* per-meal absorption (body.h) */
} mg_kin_params;

/* Defaults for an adult of weight_kg kg (see docs/models/body-kinetics.md for sources).
 * weight_kg is stored as given; mg_kin_params_validate checks it. */
mg_kin_params mg_kin_params_default(double weight_kg);

/* Check every field (finite and in the range given above; the absorption block through
 * mg_body_absorption_validate; the reference state must be physiologically consistent:
 * soft-tissue Mg left after bone and extracellular Mg must be > 0, and the tubular maximum
 * must admit fe_ref). Errors: MG_ERR_DATA naming the field ("kinetics.gfr_ml_min must be
 * in (0, 300] mL/min, got -1"), also for p == NULL. */
mg_status mg_kin_params_validate(mg_context *ctx, const mg_kin_params *p);

/* The body pools (mg of elemental Mg). */
typedef struct {
    double gut_mg;           /* absorbable Mg in the gut lumen (all forms but threonate) */
    double gut_threonate_mg; /* absorbable Mg in the lumen that came as L-threonate */
    double plasma_mg;        /* total plasma Mg */
    double isf_mg;           /* interstitial fluid */
    double tissue_fast_mg;   /* rapidly exchanging intracellular Mg (soft tissue, muscle) */
    double tissue_mg;        /* the rest of soft tissue and muscle */
    double bone_exch_mg;     /* exchangeable bone */
    double bone_slow_mg;     /* slow bone */
    double csf_mg;           /* CSF / brain extracellular */
} mg_kin_state;

/* The sum of the pools of s, mg. */
double mg_kin_state_total_mg(const mg_kin_state *s);

/* The reference state of p: every pool at its reference size (serum at serum_ref_mM, ISF at
 * the ultrafilterable concentration, CSF at csf_ratio_ref × serum), gut empty. Errors:
 * MG_ERR_DATA (invalid p, or out NULL). */
mg_status mg_kin_state_reference(mg_context *ctx, const mg_kin_params *p, mg_kin_state *out);

/* One intake event: dose_mg of elemental Mg taken at t_h. Events at the same t_h (within
 * 1e-9 h) form one meal: the absorbed amount follows the saturable curve of their summed dose
 * (mg_body_absorbed_mg), shared in proportion to each dose, times each event's form factor and
 * without-food factor, capped at the dose; the rest goes to faeces at once. */
typedef struct {
    double t_h;         /* time from the start of the run, h; >= 0 */
    double dose_mg;     /* elemental Mg, mg; >= 0 */
    double form_factor; /* relative bioavailability (salt-form table; 1 for food); > 0 */
    int with_food;      /* nonzero: taken with a meal */
    int threonate;      /* nonzero: Mg L-threonate (raises CSF uptake while absorbed) */
} mg_kin_event;

/* Modifiers, piecewise constant: each row holds from t_h until the next row's t_h (rows in
 * increasing t_h); before the first row, none (0, 0, 1). */
typedef struct {
    double t_h;                /* start, h; >= 0 */
    double caffeine_mg_per_kg; /* caffeine dose in effect, mg per kg lean mass; >= 0 */
    double alcohol_g_per_kg;   /* ethanol dose in effect, g per kg body weight; >= 0 */
    double stress_factor;      /* cortisol relative to normal, >= 1 (1: none) */
    double excretion_factor;   /* multiplies urinary excretion (filtered - reabsorbed), e.g.
                                  the cortisol -> urinary Mg coupling of stress.h; [0, 100];
                                  0 is read as 1, so initialisers that leave it out keep
                                  their meaning */
} mg_kin_modifier;

typedef enum { MG_KIN_CVODE = 0, MG_KIN_FAST = 1 } mg_kin_solver;

/* Run options. Zero-initialise, then set duration_h (the rest have defaults). */
typedef struct {
    double duration_h;      /* > 0, <= 1e6 */
    double sample_h;        /* sampling interval, h; 0: only t = 0 and the end; default 0 */
    mg_kin_solver solver;   /* default MG_KIN_CVODE */
    double rtol;            /* CVODE relative tolerance; 0: 1e-8; in (0, 1e-2] */
    double fast_dt_h;       /* FAST step, h; 0: 0.05; in (0, 0.5] */
    double clamp_plasma_mM; /* > 0: hold serum total Mg at this value from t = 0 (an
                               infusion or removal, counted in infused_mg); 0: free */
} mg_kin_options;

/* One output sample. */
typedef struct {
    double t_h;
    double serum_total_mM;   /* total plasma Mg */
    double serum_ionized_mM; /* frac_ionized × total */
    double isf_mM;
    double csf_mM;                  /* total CSF / brain extracellular Mg */
    mg_kin_state pools;             /* every pool, mg */
    double urine_interval_mg;       /* urinary Mg since the previous sample (0 at t = 0) */
    double faecal_cum_mg;           /* cumulative since t = 0 */
    double urine_cum_mg;            /* cumulative since t = 0 */
    double fractional_reabsorption; /* renal, instantaneous */
} mg_kin_sample;

/* Result of a run. Owned by the caller; free with mg_kin_result_free. */
typedef struct {
    mg_kin_sample *samples; /* t = 0, sample_h, 2 sample_h, ..., and duration_h */
    size_t n_samples;
    mg_kin_state initial, final;
    /* cumulative over the run, mg */
    double intake_mg, absorbed_mg, faecal_mg, urine_mg, sweat_mg, infused_mg, filtered_mg;
    /* intake + infused - faecal - urine - sweat - (final - initial body Mg); ~0 */
    double balance_error_mg;
    /* summary over the last 24 h of the run (the whole run when shorter) */
    double summary_h;             /* length of that window, h */
    double fractional_absorption; /* absorbed into plasma / ingested in the window (NaN
                                     without intake); absorption lags intake by ~2 h */
    double fractional_excretion;  /* urinary / filtered in the window */
    double urine_mg_per_day;      /* urinary in the window, scaled to 24 h */
    double serum_total_mM;        /* time-mean */
    double serum_ionized_mM;      /* time-mean */
    double csf_mM;                /* time-mean */
    double csf_to_plasma;         /* csf_mM / serum_total_mM (time means) */
    long steps;                   /* integrator steps taken */
} mg_kin_result;

/* Simulate [0, opt->duration_h] from init (NULL: mg_kin_state_reference) with the intake
 * events (sorted by t_h; events after duration_h are ignored) and modifiers (sorted by t_h;
 * may be NULL with n 0). CVODE: BDF with dense Newton, reinitialised at every event and
 * modifier change; FAST: classical RK4 with step fast_dt_h shortened to land on events,
 * changes and samples. Both conserve mass to rounding (every Runge-Kutta and BDF step
 * preserves linear invariants). *out is filled on success and zeroed on error.
 * Errors: MG_ERR_DATA for invalid parameters, options, events (unsorted, negative or
 * non-finite time or dose, form_factor <= 0), modifiers, or a negative initial pool, each
 * naming the field; MG_ERR_NOMEM; MG_ERR_INTERNAL when CVODE fails. */
mg_status mg_kin_run(mg_context *ctx, const mg_kin_params *p, const mg_kin_state *init,
                     const mg_kin_event *events, size_t n_events, const mg_kin_modifier *mods,
                     size_t n_mods, const mg_kin_options *opt, mg_kin_result *out);

/* Free the samples of a result and zero it. Accepts NULL. */
void mg_kin_result_free(mg_kin_result *r);

/* The fed steady state for a daily pattern: day_events (t_h in [0, 24)) repeated each day.
 * Solves the algebraic balance for the mean absorbed rate (every slow pool at equilibrium
 * with it), then runs `days` days (0: 5) with solver so the fast pools settle into the daily
 * cycle; *out is the state at the end (a start-of-day state). Errors as mg_kin_run;
 * MG_ERR_DATA for days > 3650 or a day_events time outside [0, 24). */
mg_status mg_kin_steady_state(mg_context *ctx, const mg_kin_params *p,
                              const mg_kin_event *day_events, size_t n_day_events, unsigned days,
                              mg_kin_solver solver, mg_kin_state *out);

/* Kidney at a given serum total Mg and modifier row (mod NULL: none). */
typedef struct {
    double filtered_mmol_h;         /* GFR × ultrafilterable Mg */
    double reabsorbed_mmol_h;       /* saturable, times the modifier factor */
    double excreted_mmol_h;         /* filtered - reabsorbed */
    double fractional_reabsorption; /* reabsorbed / filtered (1 when nothing is filtered) */
} mg_kin_renal_out;

/* Evaluate the kidney (see the docs page). Errors: MG_ERR_DATA for invalid p, a serum value
 * not finite and >= 0, or an invalid mod; out NULL. */
mg_status mg_kin_renal(mg_context *ctx, const mg_kin_params *p, double serum_total_mM,
                       const mg_kin_modifier *mod, mg_kin_renal_out *out);

/* ---- fast path for populations: an exponential integrator for daily patterns ---- */

/* Options of mg_kin_daily_run. Zero-initialise, then set days. */
typedef struct {
    unsigned days;        /* days of run_day to simulate; [1, 36500] */
    unsigned settle_days; /* days of settle_day before them, from the algebraic fed steady
                             state; 0: 3 (fast pools settle within a day; slow pools start
                             at equilibrium); <= 3650 */
    double max_step_h;    /* longest step, h; each interval between events is cut into equal
                             steps no longer than this; 0: 0.5; in (0, 2] */
} mg_kin_daily_options;

/* Result of mg_kin_daily_run. Plain values; nothing to free. */
typedef struct {
    mg_kin_state initial;    /* state after the settle days (start of the run days) */
    mg_kin_state final;      /* state at the end */
    double serum_total_mM;   /* time-mean over the last day */
    double csf_mM;           /* time-mean over the last day */
    double urine_mg_per_day; /* urinary Mg on the last day, mg */
    /* over the run days, mg */
    double intake_mg, faecal_mg, urine_mg, sweat_mg;
    double balance_error_mg; /* intake - faecal - urine - sweat - (final - initial); ~0 */
    long steps;              /* exponential steps taken (settle days included) */
} mg_kin_daily_result;

/* The whole-body model for a person who repeats one daily pattern: from the algebraic fed
 * steady state of settle_day (as mg_kin_steady_state), settle_days days of settle_day, then
 * opt->days days of run_day (both patterns: t_h in [0, 24), sorted; either may be empty), no
 * modifiers, no clamp. Integrator: exponential time differencing (ETD2RK, Cox & Matthews
 * 2002) with the linear fluxes (gut absorption, exchange, tissue and bone, sweat, CSF exit)
 * and the slopes of urinary loss and CSF influx at the steady state taken exactly through one
 * matrix exponential per distinct step size; the nonlinear remainders (saturable kidney and
 * CSF uptake, the threonate gain) are second-order. Mass is conserved to rounding. About
 * 50x fewer right-hand-side evaluations than MG_KIN_FAST; agreement with CVODE is tested in
 * tests/test_population.c. No allocation besides one workspace per call.
 * Errors: MG_ERR_DATA for invalid parameters, options (naming the field) or events (as
 * mg_kin_run, and times outside [0, 24)); MG_ERR_NOMEM. *out is zeroed on error. */
mg_status mg_kin_daily_run(mg_context *ctx, const mg_kin_params *p, const mg_kin_event *settle_day,
                           size_t n_settle, const mg_kin_event *run_day, size_t n_run,
                           const mg_kin_daily_options *opt, mg_kin_daily_result *out);

#ifdef __cplusplus
}
#endif

#endif /* MGSIM_KINETICS_H */
