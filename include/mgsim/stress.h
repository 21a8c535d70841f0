/* mgsim — the stress (HPA) axis: CRH → ACTH → cortisol (issue 5, items 3 and 4).
 *
 * The circadian-driven model of Bangsgaard & Ottesen 2017 (Math Biosci 287:24; refs
 * shared/refs/sleep-and-stress-models.md §7.4, equations as in the public reference
 * implementation cparker-uc/VeVaPy, Bangsgaard-Ottesen-2017.py), time in minutes inside:
 *   dCRH/dt  = a0 + A(t) + D(t)·a1/(1 + a2·COR²)·CRH/(μ + CRH) − w1·CRH
 *   dACTH/dt = a3·CRH/(1 + a4·COR) − w2·ACTH
 *   dCOR/dt  = a5·ACTH² − w3·COR
 *   C(t) = Nc·[tm^k/(tm^k + α^k)·(T − tm)^l/((T − tm)^l + β^l) + ε],  tm = (t − δ) mod T
 * CRH in model units, ACTH in pg/mL, COR in µg/dL. The positive CRH self-term produces
 * deterministic ultradian pulses (no random numbers). mgsim adds its inputs (C(t) = D(t)
 * and A(t) = 0 in the published model):
 *   D(t) = (1 + g_Mg·d_Mg)·C(t)·(1 + Σ active chronic levels)
 *   A(t) = (1 + g_Mg·d_Mg)·Σ active acute levels   (extra CRH secretion, CRH units/min)
 * Clock time: t_h in hours since midnight of day 0. Cortisol leaves the API in nmol/L
 * (1 µg/dL = 27.59 nmol/L, cortisol 362.46 g/mol), ACTH in pg/mL (1 pg/mL = 0.2202 pmol/L,
 * ACTH(1–39) 4541 g/mol), CRH in the model's units. Integration: classical RK4 with a fixed
 * step (dt_min), steps aligned to every sample time, stressor edge and midnight.
 * docs/models/hpa-axis.md has the equations, sources, assumptions and the numbers the tests
 * reproduce. The module does no file I/O and keeps no global state.
 */
#ifndef MGSIM_STRESS_H
#define MGSIM_STRESS_H

#include <stddef.h>

#include "mgsim/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Cortisol unit conversion: nmol/L per µg/dL (10 µg/L ÷ 362.46 g/mol). */
#define MG_HPA_NMOL_L_PER_UG_DL 27.589

/* Parameters of the HPA model. Rates per minute, as in Bangsgaard & Ottesen 2017. */
typedef struct {
    double a0;         /* basal CRH production, CRH units/min (>= 0) */
    double a1;         /* circadian CRH production gain, CRH units/min (> 0) */
    double a2;         /* cortisol inhibition of CRH production, (µg/dL)^-2 (>= 0) */
    double a3;         /* ACTH production per CRH, pg/mL/min per CRH unit (> 0) */
    double a4;         /* cortisol inhibition of ACTH production, (µg/dL)^-1 (>= 0) */
    double a5;         /* cortisol production per ACTH², µg/dL/min per (pg/mL)² (> 0) */
    double mu;         /* μ, half-saturation of the CRH self-term, CRH units (> 0) */
    double w1_per_min; /* CRH elimination rate, 1/min (> 0) */
    double w2_per_min; /* ACTH elimination rate, 1/min (> 0) */
    double w3_per_min; /* cortisol elimination rate, 1/min (> 0) */
    double delta_min;  /* δ, delay of the circadian drive after midnight, min (finite) */
    double period_min; /* T, circadian period, min (> 0) */
    double n_c;        /* Nc, amplitude of the circadian drive (> 0) */
    double k_exp;      /* k, exponent of the rising flank (> 0) */
    double l_exp;      /* l, exponent of the falling flank (> 0) */
    double alpha_min;  /* α, half-rise time of the drive after δ, min (> 0) */
    double beta_min;   /* β, half-fall time before the end of the period, min (> 0) */
    double eps;        /* ε, floor of the drive (>= 0) */
    double dt_min;     /* RK4 step, min (> 0 and <= 10; the default 0.1 min converges) */
    /* Hypothesis (a), magnesium deficiency → stronger hypothalamic drive (Sartori et al.
     * 2012, mice: ↑ PVN CRH transcription, ↑ plasma ACTH; no human magnitude published).
     * d_Mg = clamp((mg_ref_mM − serum Mg)/(mg_ref_mM − mg_severe_mM), 0, 1). */
    double mg_gain;      /* g_Mg, fractional gain on the drive at full deficiency (0: off) */
    double mg_ref_mM;    /* serum Mg with no effect, mmol/L (> mg_severe_mM) */
    double mg_severe_mM; /* serum Mg at which the full gain applies, mmol/L (>= 0) */
} mg_hpa_params;

/* mgsim's default set: Bangsgaard & Ottesen 2017 control subject f (refs §7.4) with the
 * cortisol elimination rate w3 refitted so that the mean daily peak matches the healthy
 * population peak of 15.5 µg/dL (428 nmol/L; refs §2.4) — see docs for why; the Mg
 * coupling is off (mg_gain 0, mg_ref_mM 0.85, mg_severe_mM 0.75). */
mg_hpa_params mg_hpa_params_default(void);

/* The published set for control subject f as transcribed in refs §7.4 (w3 = 0.0238/min).
 * Its daily cortisol peak is about half the healthy population peak (docs/models/hpa-axis.md). */
mg_hpa_params mg_hpa_params_bo2017_subject_f(void);

/* Check every field's domain (see the struct). MG_OK, or MG_ERR_DATA with a message naming
 * the parameter ("hpa.w3_per_min must be > 0 1/min ..., got -1"). */
mg_status mg_hpa_params_validate(mg_context *ctx, const mg_hpa_params *p);

/* The circadian drive C(t_h) of Bangsgaard & Ottesen 2017 (dimensionless, in
 * [Nc·ε, Nc·(1 + ε)]) at clock time t_h hours since midnight of day 0. */
double mg_hpa_circadian(const mg_hpa_params *p, double t_h);

/* State of the axis. */
typedef struct {
    double crh;             /* CRH, model units (>= 0) */
    double acth_pg_ml;      /* ACTH, pg/mL (>= 0) */
    double cortisol_nmol_l; /* cortisol, nmol/L (>= 0) */
} mg_hpa_state;

/* Bangsgaard & Ottesen's midnight initial state for subject f (refs §7.4): CRH 2,
 * ACTH 8.73 pg/mL, cortisol 1.16 µg/dL (32.0 nmol/L). */
mg_hpa_state mg_hpa_state_default(void);

typedef enum {
    MG_HPA_STRESS_ACUTE = 0,  /* adds level CRH units/min of CRH secretion while active */
    MG_HPA_STRESS_CHRONIC = 1 /* multiplies the circadian drive by (1 + level) while active */
} mg_hpa_stress_kind;

/* One stressor, active on [start_h, start_h + duration_h). */
typedef struct {
    mg_hpa_stress_kind kind;
    double start_h;    /* clock time of onset, h since midnight of day 0 (finite) */
    double duration_h; /* h (> 0) */
    double level;      /* acute: extra CRH secretion, CRH units/min; chronic: fractional gain
                          on the circadian drive (0.3 = +30 %); >= 0 */
} mg_hpa_stressor;

/* Inputs of one run. The caller owns the stressor array. */
typedef struct {
    const mg_hpa_stressor *stressors; /* may be NULL when n_stressors is 0 */
    size_t n_stressors;
    double serum_mg_mM; /* serum Mg, mmol/L, held for the run (>= 0); NAN: none given, the
                           Mg coupling is then inactive */
} mg_hpa_inputs;

/* No stressors, no Mg input. */
mg_hpa_inputs mg_hpa_inputs_none(void);

/* Summary of one complete clock day [24·day, 24·day + 24) h, from every integrator step. */
typedef struct {
    int day;                /* day index (0 = the day starting at t = 0) */
    double peak_nmol_l;     /* highest cortisol, nmol/L */
    double peak_clock_h;    /* its clock time, h in [0, 24) */
    double nadir_nmol_l;    /* lowest cortisol, nmol/L */
    double nadir_clock_h;   /* its clock time, h in [0, 24) */
    double mean_nmol_l;     /* 24-h mean cortisol, nmol/L (= AUC / 24 h) */
    double auc_nmol_h_l;    /* area under the cortisol curve, nmol·h/L (trapezoid on the steps) */
    double acth_mean_pg_ml; /* 24-h mean ACTH, pg/mL */
} mg_hpa_day;

/* Result of a run. Owned by the caller; free with mg_hpa_result_free. */
typedef struct {
    double *t_h;             /* sample times t0_h + k·sample_h, h (NULL without sampling) */
    double *crh;             /* CRH at those times, model units */
    double *acth_pg_ml;      /* ACTH, pg/mL */
    double *cortisol_nmol_l; /* cortisol, nmol/L */
    size_t n_samples;
    mg_hpa_day *days; /* the complete clock days inside [t0_h, t_end_h], in order */
    size_t n_days;
    mg_hpa_state end; /* state at t_end_h (to continue with another run) */
    size_t n_steps;   /* RK4 steps taken */
} mg_hpa_result;

/* Integrate the axis from `init` (NULL: mg_hpa_state_default()) at clock time t0_h to
 * t_end_h, with the given inputs (NULL: none). sample_h > 0 records the state every
 * sample_h hours from t0_h (0: no samples). Every complete clock day in the run gets a
 * summary. *out is filled on success and zeroed on error.
 * Errors (MG_ERR_DATA, naming the parameter): invalid parameters (mg_hpa_params_validate);
 * t0_h or t_end_h not finite or t_end_h <= t0_h or a run longer than 3650 days; sample_h
 * negative or not finite, or more than 1e8 samples; an initial state negative or not
 * finite; a stressor with an unknown kind, a level < 0, a duration <= 0, or an active
 * interval that does not overlap [t0_h, t_end_h) (stressors that overlap are clipped to the
 * run); serum_mg_mM negative or infinite. MG_ERR_NOMEM; MG_ERR_RUNAWAY if the state stops
 * being finite (not expected with valid parameters). */
mg_status mg_hpa_run(mg_context *ctx, const mg_hpa_params *p, const mg_hpa_inputs *in,
                     const mg_hpa_state *init, double t0_h, double t_end_h, double sample_h,
                     mg_hpa_result *out);

/* Free the arrays of a result and zero it. Accepts NULL. */
void mg_hpa_result_free(mg_hpa_result *r);

/* Average the day summaries r->days[first .. first + count − 1] into *avg (day = −1):
 * arithmetic means of the values, circular means (on the 24-h clock) of the clock times.
 * Errors: MG_ERR_DATA when count is 0 or the range exceeds r->n_days. */
mg_status mg_hpa_days_average(mg_context *ctx, const mg_hpa_result *r, size_t first, size_t count,
                              mg_hpa_day *avg);

/* Hypothesis (b), cortisol → urinary Mg loss. Exam stress and noise raise urinary Mg
 * (Grases et al. 2006; Pickering et al. 2020, Table 4; refs magnesium-physiology.md §10.1);
 * the size is not published, so the slope is an assumption. The factor multiplies renal Mg
 * excretion:
 *   f(C) = 1 + slope·(C/C_ref − 1)
 * linear so that over a day whose mean cortisol is C_ref the mean factor is exactly 1 (the
 * body model's normal renal balance is unchanged); f >= 1 − slope > 0 for C >= 0. */
typedef struct {
    int enabled;                /* 0: the factor is 1 whatever the cortisol */
    double slope;               /* fractional change of excretion per fractional change of
                                   cortisol (0 <= slope < 1); assumption */
    double cortisol_ref_nmol_l; /* C_ref, cortisol with factor 1, nmol/L (> 0) */
} mg_hpa_renal_params;

/* enabled 1, slope 0.25 (assumption), C_ref 120 nmol/L (the 24-h mean cortisol of
 * mg_hpa_params_default() on an unstressed day, so a normal day nets a factor of 1). */
mg_hpa_renal_params mg_hpa_renal_params_default(void);

/* Domain check: slope in [0, 1), C_ref > 0 and finite. MG_ERR_DATA naming the field. */
mg_status mg_hpa_renal_params_validate(mg_context *ctx, const mg_hpa_renal_params *p);

/* The multiplicative factor on renal Mg excretion at cortisol `cortisol_nmol_l` (>= 0,
 * finite), written to *factor. Monotone non-decreasing, 1 at C_ref (and everywhere when
 * disabled). Errors: MG_ERR_DATA for invalid parameters or a negative or non-finite
 * cortisol; *factor is then NAN. */
mg_status mg_hpa_renal_mg_factor(mg_context *ctx, const mg_hpa_renal_params *p,
                                 double cortisol_nmol_l, double *factor);

#ifdef __cplusplus
}
#endif

#endif /* MGSIM_STRESS_H */
