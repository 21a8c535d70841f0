/* Whole-body magnesium kinetics: parameters, the right-hand side, the kidney, the run loop
 * (events, modifiers, samples) and the two integrators (CVODE BDF and fixed-step RK4).
 * Equations and sources: docs/models/body-kinetics.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cvode/cvode.h>
#include <nvector/nvector_serial.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>

#include "mgsim/kinetics.h"

#define MW MG_KIN_MG_PER_MMOL

/* --- published numbers the defaults derive from (refs: magnesium-physiology.md) --- */
/* Elin 1987 / IOM 1997 (§2.1, §3): ~24 g body Mg in a 70-kg adult */
#define BODY_MG_70KG 24000.0
#define REF_WEIGHT   70.0
/* Rude et al. ~1980 (§6.2): TmMg 1.4 mg/100 mL filtrate */
#define TM_MG_PER_DL 1.4
/* Bergman, Massey et al. 1990 (§10.2): 6 mg/kg lean mass, reabsorption 97.0 -> 94.2 % */
#define CAF_DOSE    6.0
#define CAF_FR_PRE  0.970
#define CAF_FR_POST 0.942
/* Kalbfleisch et al. 1963 (§10.3, secondary): 2 mL ethanol/kg; urinary Mg 167-260 % of
 * control (secondary summary): midpoint 2.135 (assumption that it applies to that dose) */
#define ALC_G_PER_KG    (2.0 * 0.789)
#define ALC_URINE_RATIO 2.135
/* Oppelt, MacIntyre & Rall 1963 (§5): plasma at 300-400 % -> CSF at most +21 % */
#define OPPELT_PLASMA_X 3.0
#define OPPELT_CSF_RISE 0.21
/* Slutsky et al. 2010 (§2.4) calibration: see the docs page */
#define THREONATE_GAIN 0.0139

/* State vector layout: pools (mass-balance members), then accumulators and integrals. */
enum {
    Y_GUT,
    Y_GUT_THR,
    Y_PLASMA,
    Y_ISF,
    Y_TFAST,
    Y_TISSUE,
    Y_BEX,
    Y_BSLOW,
    Y_CSF,
    Y_URINE,
    Y_SWEAT,
    Y_INFUSED,
    Y_ABSORBED,
    Y_FILTERED,
    Y_INT_SERUM,
    Y_INT_CSF,
    Y_N
};
#define N_POOLS 9

/* Derived, time-invariant quantities (SI-free: L, h, mM, mg). */
typedef struct {
    double vp, vi, vc;                        /* L */
    double fuf, fion;                         /* ultrafilterable and ionised shares */
    double c_ref, ci_ref;                     /* serum total and ISF reference, mM */
    double t_ref, tf_ref, bex_ref, bslow_ref; /* mg */
    double ka, q, kt, ktf, kb, ks;            /* 1/h; q in L/h */
    double sweat_h;                           /* mg/h at ci_ref */
    double gfr_l_h, tm, theta;                /* L/h, mM, splay */
    double ke, jmax, csf_km;                  /* 1/h, mg/h, mM */
    double thr_gain;                          /* h/mg */
    double caf, alc, str;
} derived;

/* Inputs that hold over one integration segment. */
typedef struct {
    const derived *d;
    double renal_factor;     /* 1 - modifier losses, in [0, 1] */
    double excretion_factor; /* multiplies filtered - reabsorbed (> 0) */
    int clamp;               /* hold plasma */
} seg_data;

mg_kin_params mg_kin_params_default(double weight_kg) {
    mg_kin_params p;
    memset(&p, 0, sizeof p);
    p.weight_kg = weight_kg;
    p.plasma_l_per_kg = 3.0 / REF_WEIGHT;
    p.isf_l_per_kg = 11.0 / REF_WEIGHT;
    p.csf_l = 0.15;
    p.frac_ionized = 0.62;
    p.frac_complexed = 0.07;
    p.serum_ref_mM = 0.85;
    p.body_mg_per_kg = BODY_MG_70KG / REF_WEIGHT;
    p.bone_fraction = 0.55;
    p.bone_exch_fraction = 1.0 / 3.0;
    p.ka_per_h = 0.2;
    p.q_plasma_isf_l_per_h = 10.0;
    p.tissue_fast_mg_per_kg = 0.8 * 3.54 * MG_BODY_MG_PER_MEQ;
    p.tissue_fast_half_life_h = 3.0;
    p.tissue_half_life_h = 100.0;
    p.bone_exch_half_life_h = 168.0;
    p.bone_slow_half_life_h = 1000.0;
    p.sweat_mg_per_day = 4.0;
    p.gfr_ml_min = 125.0;
    p.tm_mM = TM_MG_PER_DL * 10.0 / MW;
    p.fe_ref = 0.04;
    /* at a fixed filtered load, R' = R (1 - a dose): a = (1 - post/pre) / dose */
    p.caffeine_per_mg_kg = (1.0 - CAF_FR_POST / CAF_FR_PRE) / CAF_DOSE;
    /* E' = ratio E with E = fe F, R = (1 - fe) F: a dose (1 - fe) = (ratio - 1) fe */
    p.alcohol_per_g_kg = (ALC_URINE_RATIO - 1.0) * p.fe_ref / (1.0 - p.fe_ref) / ALC_G_PER_KG;
    p.stress_per_unit = 0.01;
    p.csf_ratio_ref = 1.34;
    /* 3 (K + c) / (K + 3 c) = 1 + rise  =>  K = 3 c rise / (3 - 1 - rise), c ultrafilterable */
    double cuf = p.serum_ref_mM * (p.frac_ionized + p.frac_complexed);
    p.csf_km_mM =
        OPPELT_PLASMA_X * cuf * OPPELT_CSF_RISE / (OPPELT_PLASMA_X - 1.0 - OPPELT_CSF_RISE);
    p.csf_half_life_min = 70.0;
    p.threonate_gain_per_mg_h = THREONATE_GAIN;
    p.absorption = mg_body_absorption_defaults();
    return p;
}

static mg_status bad(mg_context *ctx, const char *field, const char *range, double v) {
    return mg_error_raise(ctx, MG_ERR_DATA, "kinetics.%s must be %s, got %g", field, range, v);
}

#define CHECK(cond, field, range)                                                                  \
    do {                                                                                           \
        if (!isfinite(p->field) || !(cond))                                                        \
            return bad(ctx, #field, range, p->field);                                              \
    } while (0)

/* Soft-tissue Mg at the reference state: body - bone - plasma - ISF - CSF, mg. */
static double tissue_ref_mg(const mg_kin_params *p) {
    double c = p->serum_ref_mM, cuf = c * (p->frac_ionized + p->frac_complexed);
    double body = p->body_mg_per_kg * p->weight_kg;
    double ecf = (c * p->plasma_l_per_kg * p->weight_kg + cuf * p->isf_l_per_kg * p->weight_kg +
                  p->csf_ratio_ref * c * p->csf_l) *
                 MW;
    return body * (1.0 - p->bone_fraction) - ecf;
}

mg_status mg_kin_params_validate(mg_context *ctx, const mg_kin_params *p) {
    if (!p)
        return mg_error_raise(ctx, MG_ERR_DATA, "kinetics: no parameters given");
    CHECK(p->weight_kg > 20 && p->weight_kg <= 300, weight_kg, "in (20, 300] kg");
    CHECK(p->plasma_l_per_kg > 0 && p->plasma_l_per_kg < 1, plasma_l_per_kg, "in (0, 1) L/kg");
    CHECK(p->isf_l_per_kg > 0 && p->isf_l_per_kg < 1, isf_l_per_kg, "in (0, 1) L/kg");
    CHECK(p->csf_l > 0 && p->csf_l < 10, csf_l, "in (0, 10) L");
    CHECK(p->frac_ionized > 0 && p->frac_ionized < 1, frac_ionized, "in (0, 1)");
    CHECK(p->frac_complexed >= 0 && p->frac_ionized + p->frac_complexed < 1, frac_complexed,
          ">= 0 with frac_ionized + frac_complexed < 1");
    CHECK(p->serum_ref_mM > 0 && p->serum_ref_mM < 5, serum_ref_mM, "in (0, 5) mM");
    CHECK(p->body_mg_per_kg > 0 && p->body_mg_per_kg < 5000, body_mg_per_kg, "in (0, 5000) mg/kg");
    CHECK(p->bone_fraction > 0 && p->bone_fraction < 1, bone_fraction, "in (0, 1)");
    CHECK(p->bone_exch_fraction > 0 && p->bone_exch_fraction < 1, bone_exch_fraction, "in (0, 1)");
    CHECK(p->ka_per_h > 0 && p->ka_per_h <= 100, ka_per_h, "in (0, 100] 1/h");
    CHECK(p->q_plasma_isf_l_per_h > 0 && p->q_plasma_isf_l_per_h <= 1000, q_plasma_isf_l_per_h,
          "in (0, 1000] L/h");
    CHECK(p->tissue_fast_mg_per_kg > 0, tissue_fast_mg_per_kg, "> 0 mg/kg");
    CHECK(p->tissue_fast_half_life_h > 0.01 && p->tissue_fast_half_life_h < 1e6,
          tissue_fast_half_life_h, "in (0.01, 1e6) h");
    CHECK(p->tissue_half_life_h > 0.1 && p->tissue_half_life_h < 1e6, tissue_half_life_h,
          "in (0.1, 1e6) h");
    CHECK(p->bone_exch_half_life_h > 0.1, bone_exch_half_life_h, "> 0.1 h");
    CHECK(p->bone_slow_half_life_h > 0.1, bone_slow_half_life_h, "> 0.1 h");
    CHECK(p->sweat_mg_per_day >= 0 && p->sweat_mg_per_day < 1000, sweat_mg_per_day,
          "in [0, 1000) mg/day");
    CHECK(p->gfr_ml_min > 0 && p->gfr_ml_min <= 300, gfr_ml_min, "in (0, 300] mL/min");
    CHECK(p->tm_mM > 0 && p->tm_mM < 10, tm_mM, "in (0, 10) mmol/L of filtrate");
    CHECK(p->fe_ref > 0 && p->fe_ref < 0.5, fe_ref, "in (0, 0.5)");
    CHECK(p->caffeine_per_mg_kg >= 0 && p->caffeine_per_mg_kg < 1, caffeine_per_mg_kg,
          "in [0, 1) per mg/kg");
    CHECK(p->alcohol_per_g_kg >= 0 && p->alcohol_per_g_kg < 10, alcohol_per_g_kg,
          "in [0, 10) per g/kg");
    CHECK(p->stress_per_unit >= 0 && p->stress_per_unit < 1, stress_per_unit, "in [0, 1)");
    CHECK(p->csf_ratio_ref > 0 && p->csf_ratio_ref < 10, csf_ratio_ref, "in (0, 10)");
    CHECK(p->csf_km_mM > 0 && p->csf_km_mM < 100, csf_km_mM, "in (0, 100) mM");
    CHECK(p->csf_half_life_min > 0.1 && p->csf_half_life_min < 1e5, csf_half_life_min,
          "in (0.1, 1e5) min");
    CHECK(p->threonate_gain_per_mg_h >= 0 && p->threonate_gain_per_mg_h < 100,
          threonate_gain_per_mg_h, "in [0, 100) h/mg");
    mg_status st = mg_body_absorption_validate(ctx, &p->absorption);
    if (st != MG_OK)
        return st;
    double tref = tissue_ref_mg(p) - p->tissue_fast_mg_per_kg * p->weight_kg;
    if (!(tref > 0))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "kinetics.body_mg_per_kg (%g) leaves no slow soft-tissue Mg (%g mg) "
                              "after bone (bone_fraction %g), extracellular and fast tissue Mg "
                              "(tissue_fast_mg_per_kg): raise it",
                              p->body_mg_per_kg, tref, p->bone_fraction);
    double cuf = p->serum_ref_mM * (p->frac_ionized + p->frac_complexed);
    if (!((1.0 - p->fe_ref) * cuf < p->tm_mM))
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "kinetics.tm_mM (%g mM) must exceed the reabsorbed concentration "
                              "(1 - fe_ref) x ultrafilterable Mg = %g mM at the reference state; "
                              "raise tm_mM or fe_ref",
                              p->tm_mM, (1.0 - p->fe_ref) * cuf);
    return MG_OK;
}

static void derive(const mg_kin_params *p, derived *d) {
    double w = p->weight_kg;
    d->vp = p->plasma_l_per_kg * w;
    d->vi = p->isf_l_per_kg * w;
    d->vc = p->csf_l;
    d->fuf = p->frac_ionized + p->frac_complexed;
    d->fion = p->frac_ionized;
    d->c_ref = p->serum_ref_mM;
    d->ci_ref = d->fuf * d->c_ref;
    double bone = p->body_mg_per_kg * w * p->bone_fraction;
    d->bex_ref = bone * p->bone_exch_fraction;
    d->bslow_ref = bone - d->bex_ref;
    d->tf_ref = p->tissue_fast_mg_per_kg * w;
    d->t_ref = tissue_ref_mg(p) - d->tf_ref;
    d->ktf = log(2.0) / p->tissue_fast_half_life_h;
    d->ka = p->ka_per_h;
    d->q = p->q_plasma_isf_l_per_h;
    d->kt = log(2.0) / p->tissue_half_life_h;
    d->kb = log(2.0) / p->bone_exch_half_life_h;
    d->ks = log(2.0) / p->bone_slow_half_life_h;
    d->sweat_h = p->sweat_mg_per_day / 24.0;
    d->gfr_l_h = p->gfr_ml_min * 60.0 / 1000.0;
    d->tm = p->tm_mM;
    /* splay from fe_ref: theta R^2 - (F + Tm) R + F Tm = 0 at F = cuf_ref, R = (1 - fe) F
     * (per litre of filtrate) */
    double f = d->ci_ref, r = (1.0 - p->fe_ref) * f;
    d->theta = ((f + d->tm) * r - f * d->tm) / (r * r);
    d->ke = log(2.0) / (p->csf_half_life_min / 60.0);
    d->csf_km = p->csf_km_mM;
    double csf_ref_mg = p->csf_ratio_ref * d->c_ref * d->vc * MW;
    d->jmax = d->ke * csf_ref_mg * (d->csf_km + d->ci_ref) / d->ci_ref;
    d->thr_gain = p->threonate_gain_per_mg_h;
    d->caf = p->caffeine_per_mg_kg;
    d->alc = p->alcohol_per_g_kg;
    d->str = p->stress_per_unit;
}

/* Saturable reabsorption (non-rectangular hyperbola, rationalised to avoid cancellation):
 * the smaller root of theta R^2 - (F + Tm) R + F Tm = 0; R -> min(F, Tm) as theta -> 1. */
static double reabsorb(double f, double tm, double theta) {
    if (f <= 0)
        return 0;
    double disc = (f - tm) * (f - tm) + 4.0 * (1.0 - theta) * f * tm;
    return 2.0 * f * tm / ((f + tm) + sqrt(disc));
}

static double renal_factor(const derived *d, const mg_kin_modifier *m) {
    if (!m)
        return 1.0;
    double x = 1.0 - d->caf * m->caffeine_mg_per_kg - d->alc * m->alcohol_g_per_kg -
               d->str * (m->stress_factor - 1.0);
    return x < 0 ? 0 : (x > 1 ? 1 : x);
}

/* The modifier's excretion multiplier (0, the value of initialisers that leave it out,
 * means 1). */
static double excretion_factor(const mg_kin_modifier *m) {
    return m && m->excretion_factor > 0 ? m->excretion_factor : 1.0;
}

static mg_status check_mod(mg_context *ctx, const mg_kin_modifier *m, size_t i) {
    if (!isfinite(m->t_h) || m->t_h < 0)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "kinetics: modifier %zu: t_h must be >= 0 h, got %g", i, m->t_h);
    if (!isfinite(m->caffeine_mg_per_kg) || m->caffeine_mg_per_kg < 0 ||
        m->caffeine_mg_per_kg > 100)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "kinetics: modifier %zu: caffeine_mg_per_kg must be in [0, 100], "
                              "got %g",
                              i, m->caffeine_mg_per_kg);
    if (!isfinite(m->alcohol_g_per_kg) || m->alcohol_g_per_kg < 0 || m->alcohol_g_per_kg > 10)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "kinetics: modifier %zu: alcohol_g_per_kg must be in [0, 10], got %g",
                              i, m->alcohol_g_per_kg);
    if (!isfinite(m->excretion_factor) || m->excretion_factor < 0 || m->excretion_factor > 100)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "kinetics: modifier %zu: excretion_factor must be in [0, 100], got "
                              "%g",
                              i, m->excretion_factor);
    if (!isfinite(m->stress_factor) || m->stress_factor < 1 || m->stress_factor > 100)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "kinetics: modifier %zu: stress_factor must be in [1, 100], got %g",
                              i, m->stress_factor);
    return MG_OK;
}

mg_status mg_kin_renal(mg_context *ctx, const mg_kin_params *p, double serum_total_mM,
                       const mg_kin_modifier *mod, mg_kin_renal_out *out) {
    mg_status st = mg_kin_params_validate(ctx, p);
    if (st != MG_OK)
        return st;
    if (!out)
        return mg_error_raise(ctx, MG_ERR_DATA, "kinetics: no output given");
    if (!isfinite(serum_total_mM) || serum_total_mM < 0)
        return mg_error_raise(ctx, MG_ERR_DATA, "kinetics: serum_total_mM must be >= 0, got %g",
                              serum_total_mM);
    if (mod && (st = check_mod(ctx, mod, 0)) != MG_OK)
        return st;
    derived d;
    derive(p, &d);
    double f = d.gfr_l_h * d.fuf * serum_total_mM;
    double r = reabsorb(f, d.gfr_l_h * d.tm, d.theta) * renal_factor(&d, mod);
    r = f - (f - r) * excretion_factor(mod);
    out->filtered_mmol_h = f;
    out->reabsorbed_mmol_h = r;
    out->excreted_mmol_h = f - r;
    out->fractional_reabsorption = f > 0 ? r / f : 1.0;
    return MG_OK;
}

double mg_kin_state_total_mg(const mg_kin_state *s) {
    return s->gut_mg + s->gut_threonate_mg + s->plasma_mg + s->isf_mg + s->tissue_fast_mg +
           s->tissue_mg + s->bone_exch_mg + s->bone_slow_mg + s->csf_mg;
}

static void state_to_y(const mg_kin_state *s, double *y) {
    y[Y_GUT] = s->gut_mg;
    y[Y_GUT_THR] = s->gut_threonate_mg;
    y[Y_PLASMA] = s->plasma_mg;
    y[Y_ISF] = s->isf_mg;
    y[Y_TFAST] = s->tissue_fast_mg;
    y[Y_TISSUE] = s->tissue_mg;
    y[Y_BEX] = s->bone_exch_mg;
    y[Y_BSLOW] = s->bone_slow_mg;
    y[Y_CSF] = s->csf_mg;
}

static void y_to_state(const double *y, mg_kin_state *s) {
    s->gut_mg = y[Y_GUT];
    s->gut_threonate_mg = y[Y_GUT_THR];
    s->plasma_mg = y[Y_PLASMA];
    s->isf_mg = y[Y_ISF];
    s->tissue_fast_mg = y[Y_TFAST];
    s->tissue_mg = y[Y_TISSUE];
    s->bone_exch_mg = y[Y_BEX];
    s->bone_slow_mg = y[Y_BSLOW];
    s->csf_mg = y[Y_CSF];
}

mg_status mg_kin_state_reference(mg_context *ctx, const mg_kin_params *p, mg_kin_state *out) {
    mg_status st = mg_kin_params_validate(ctx, p);
    if (st != MG_OK)
        return st;
    if (!out)
        return mg_error_raise(ctx, MG_ERR_DATA, "kinetics: no output state given");
    derived d;
    derive(p, &d);
    memset(out, 0, sizeof *out);
    out->plasma_mg = d.c_ref * d.vp * MW;
    out->isf_mg = d.ci_ref * d.vi * MW;
    out->tissue_fast_mg = d.tf_ref;
    out->tissue_mg = d.t_ref;
    out->bone_exch_mg = d.bex_ref;
    out->bone_slow_mg = d.bslow_ref;
    out->csf_mg = p->csf_ratio_ref * d.c_ref * d.vc * MW;
    return MG_OK;
}

/* The right-hand side. Fluxes in mg/h; concentrations in mM. */
static void rhs(const seg_data *sd, const double *y, double *dy) {
    const derived *d = sd->d;
    double cp = y[Y_PLASMA] / (d->vp * MW);
    double cuf = d->fuf * cp;
    double ci = y[Y_ISF] / (d->vi * MW);
    double ccsf = y[Y_CSF] / (d->vc * MW);
    double j_abs_thr = d->ka * y[Y_GUT_THR];
    double j_abs = d->ka * y[Y_GUT] + j_abs_thr;
    double j_pi = d->q * (cuf - ci) * MW;
    double j_t = d->kt * (d->t_ref * ci / d->ci_ref - y[Y_TISSUE]);
    double j_tf = d->ktf * (d->tf_ref * ci / d->ci_ref - y[Y_TFAST]);
    double j_b = d->kb * (d->bex_ref * ci / d->ci_ref - y[Y_BEX]);
    double j_s = d->ks * (d->bslow_ref * y[Y_BEX] / d->bex_ref - y[Y_BSLOW]);
    double j_sw = d->sweat_h * ci / d->ci_ref;
    double f = d->gfr_l_h * cuf; /* mmol/h */
    double r = reabsorb(f, d->gfr_l_h * d->tm, d->theta) * sd->renal_factor;
    double j_u = (f - r) * sd->excretion_factor * MW;
    double cuf_pos = cuf > 0 ? cuf : 0;
    double j_cin = d->jmax * (1.0 + d->thr_gain * j_abs_thr) * cuf_pos / (d->csf_km + cuf_pos);
    double j_cout = d->ke * y[Y_CSF];
    dy[Y_GUT] = -d->ka * y[Y_GUT];
    dy[Y_GUT_THR] = -j_abs_thr;
    dy[Y_PLASMA] = j_abs - j_pi - j_u - j_cin + j_cout;
    dy[Y_ISF] = j_pi - j_tf - j_t - j_b - j_sw;
    dy[Y_TFAST] = j_tf;
    dy[Y_TISSUE] = j_t;
    dy[Y_BEX] = j_b - j_s;
    dy[Y_BSLOW] = j_s;
    dy[Y_CSF] = j_cin - j_cout;
    dy[Y_URINE] = j_u;
    dy[Y_SWEAT] = j_sw;
    dy[Y_INFUSED] = 0;
    if (sd->clamp) {
        dy[Y_INFUSED] = -dy[Y_PLASMA];
        dy[Y_PLASMA] = 0;
    }
    dy[Y_ABSORBED] = j_abs;
    dy[Y_FILTERED] = f * MW;
    dy[Y_INT_SERUM] = cp;
    dy[Y_INT_CSF] = ccsf;
}

/* --- integrators: advance y from t0 to t1 within one segment --- */

typedef struct {
    SUNContext sunctx;
    void *mem;
    N_Vector y, abstol;
    SUNMatrix a;
    SUNLinearSolver ls;
    int initialised;
    seg_data sd;
    double rtol;
    long steps;
} cvode_ws;

static int cv_rhs(realtype t, N_Vector y, N_Vector ydot, void *user) {
    (void)t;
    const seg_data *sd = user;
    rhs(sd, N_VGetArrayPointer(y), N_VGetArrayPointer(ydot));
    return 0;
}

static void cv_silent(int code, const char *module, const char *function, char *msg, void *u) {
    (void)code;
    (void)module;
    (void)function;
    (void)msg;
    (void)u;
}

static void cv_free(cvode_ws *w) {
    if (w->mem)
        CVodeFree(&w->mem);
    if (w->ls)
        SUNLinSolFree(w->ls);
    if (w->a)
        SUNMatDestroy(w->a);
    if (w->y)
        N_VDestroy(w->y);
    if (w->abstol)
        N_VDestroy(w->abstol);
    if (w->sunctx)
        SUNContext_Free(&w->sunctx);
    memset(w, 0, sizeof *w);
}

static mg_status cv_create(mg_context *ctx, cvode_ws *w, const derived *d, double rtol) {
    memset(w, 0, sizeof *w);
    w->rtol = rtol;
    if (SUNContext_Create(NULL, &w->sunctx) != 0)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "kinetics: cannot create the SUNDIALS context");
    w->y = N_VNew_Serial(Y_N, w->sunctx);
    w->abstol = N_VNew_Serial(Y_N, w->sunctx);
    w->a = SUNDenseMatrix(Y_N, Y_N, w->sunctx);
    w->mem = CVodeCreate(CV_BDF, w->sunctx);
    if (!w->y || !w->abstol || !w->a || !w->mem) {
        cv_free(w);
        return mg_error_raise(ctx, MG_ERR_NOMEM, "kinetics: out of memory (CVODE)");
    }
    w->ls = SUNLinSol_Dense(w->y, w->a, w->sunctx);
    if (!w->ls) {
        cv_free(w);
        return mg_error_raise(ctx, MG_ERR_NOMEM, "kinetics: out of memory (CVODE solver)");
    }
    /* absolute tolerances: rtol times a typical size of each component */
    double *at = N_VGetArrayPointer(w->abstol);
    double scale[Y_N] = {10.0,
                         10.0,
                         d->c_ref * d->vp * MW,
                         d->ci_ref * d->vi * MW,
                         d->tf_ref,
                         d->t_ref,
                         d->bex_ref,
                         d->bslow_ref,
                         d->c_ref * d->vc * MW,
                         100.0,
                         1.0,
                         100.0,
                         100.0,
                         1000.0,
                         1.0,
                         1.0};
    for (int i = 0; i < Y_N; i++)
        at[i] = rtol * scale[i];
    N_VConst(0.0, w->y);
    return MG_OK;
}

static mg_status cv_advance(mg_context *ctx, cvode_ws *w, double *y, double t0, double t1,
                            const double *touts, size_t n_touts, double *yout) {
    double *yv = N_VGetArrayPointer(w->y);
    memcpy(yv, y, sizeof(double) * Y_N);
    int flag;
    if (!w->initialised) {
        flag = CVodeInit(w->mem, cv_rhs, t0, w->y);
        if (flag == CV_SUCCESS)
            flag = CVodeSVtolerances(w->mem, w->rtol, w->abstol);
        if (flag == CV_SUCCESS)
            flag = CVodeSetLinearSolver(w->mem, w->ls, w->a);
        if (flag == CV_SUCCESS)
            flag = CVodeSetErrHandlerFn(w->mem, cv_silent, NULL);
        if (flag == CV_SUCCESS)
            flag = CVodeSetMaxNumSteps(w->mem, 1000000);
        if (flag == CV_SUCCESS)
            flag = CVodeSetUserData(w->mem, &w->sd);
        if (flag != CV_SUCCESS)
            return mg_error_raise(ctx, MG_ERR_INTERNAL, "kinetics: CVODE setup failed (%d)", flag);
        w->initialised = 1;
    } else {
        flag = CVodeReInit(w->mem, t0, w->y);
        if (flag != CV_SUCCESS)
            return mg_error_raise(ctx, MG_ERR_INTERNAL, "kinetics: CVodeReInit failed (%d)", flag);
    }
    flag = CVodeSetStopTime(w->mem, t1);
    if (flag != CV_SUCCESS)
        return mg_error_raise(ctx, MG_ERR_INTERNAL, "kinetics: CVodeSetStopTime failed (%d)", flag);
    double t = t0;
    for (size_t k = 0; k <= n_touts; k++) {
        double tout = k < n_touts ? touts[k] : t1;
        flag = CVode(w->mem, tout, w->y, &t, CV_NORMAL);
        if (flag < 0)
            return mg_error_raise(ctx, MG_ERR_INTERNAL,
                                  "kinetics: CVODE failed at t = %g h (%s); check the parameters",
                                  t, CVodeGetReturnFlagName(flag));
        if (k < n_touts)
            memcpy(yout + k * Y_N, yv, sizeof(double) * Y_N);
    }
    long ns = 0;
    CVodeGetNumSteps(w->mem, &ns);
    w->steps += ns;
    memcpy(y, yv, sizeof(double) * Y_N);
    return MG_OK;
}

static void rk4_step(const seg_data *sd, double *y, double h) {
    double k1[Y_N], k2[Y_N], k3[Y_N], k4[Y_N], tmp[Y_N];
    rhs(sd, y, k1);
    for (int i = 0; i < Y_N; i++)
        tmp[i] = y[i] + 0.5 * h * k1[i];
    rhs(sd, tmp, k2);
    for (int i = 0; i < Y_N; i++)
        tmp[i] = y[i] + 0.5 * h * k2[i];
    rhs(sd, tmp, k3);
    for (int i = 0; i < Y_N; i++)
        tmp[i] = y[i] + h * k3[i];
    rhs(sd, tmp, k4);
    for (int i = 0; i < Y_N; i++)
        y[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
}

/* RK4 from t0 to t1, landing on each tout. */
static long fast_advance(const seg_data *sd, double dt, double *y, double t0, double t1,
                         const double *touts, size_t n_touts, double *yout) {
    long steps = 0;
    double t = t0;
    for (size_t k = 0; k <= n_touts; k++) {
        double tend = k < n_touts ? touts[k] : t1;
        double span = tend - t;
        if (span > 0) {
            long n = (long)ceil(span / dt - 1e-9);
            if (n < 1)
                n = 1;
            double h = span / (double)n;
            for (long i = 0; i < n; i++)
                rk4_step(sd, y, h);
            steps += n;
        }
        t = tend;
        if (k < n_touts)
            memcpy(yout + k * Y_N, y, sizeof(double) * Y_N);
    }
    return steps;
}

/* --- the run --- */

#define T_EPS 1e-9

static mg_status check_events(mg_context *ctx, const mg_kin_event *ev, size_t n) {
    if (n && !ev)
        return mg_error_raise(ctx, MG_ERR_DATA, "kinetics: %zu events but no array", n);
    for (size_t i = 0; i < n; i++) {
        const mg_kin_event *e = &ev[i];
        if (!isfinite(e->t_h) || e->t_h < 0)
            return mg_error_raise(ctx, MG_ERR_DATA,
                                  "kinetics: event %zu: t_h must be >= 0 h, got %g", i, e->t_h);
        if (i && e->t_h < ev[i - 1].t_h)
            return mg_error_raise(ctx, MG_ERR_DATA,
                                  "kinetics: event %zu: t_h (%g h) is before the previous event's "
                                  "(%g h); sort the events by time",
                                  i, e->t_h, ev[i - 1].t_h);
        if (!isfinite(e->dose_mg) || e->dose_mg < 0 || e->dose_mg > 1e6)
            return mg_error_raise(ctx, MG_ERR_DATA,
                                  "kinetics: event %zu: dose_mg must be in [0, 1e6] mg, got %g", i,
                                  e->dose_mg);
        if (!isfinite(e->form_factor) || e->form_factor <= 0 || e->form_factor > 10)
            return mg_error_raise(ctx, MG_ERR_DATA,
                                  "kinetics: event %zu: form_factor must be in (0, 10], got %g", i,
                                  e->form_factor);
    }
    return MG_OK;
}

/* Apply the meal formed by events [i, j) (same time): absorbable to the gut, rest to faeces. */
static void apply_meal(const mg_kin_params *p, const mg_kin_event *ev, size_t i, size_t j,
                       double *y, double *intake, double *faecal) {
    double sum = 0;
    for (size_t k = i; k < j; k++)
        sum += ev[k].dose_mg;
    if (sum <= 0)
        return;
    double a_total = mg_body_absorbed_mg(&p->absorption, sum);
    for (size_t k = i; k < j; k++) {
        double dose = ev[k].dose_mg;
        double a = a_total * (dose / sum) * ev[k].form_factor *
                   (ev[k].with_food ? 1.0 : p->absorption.no_meal_factor);
        if (a > dose)
            a = dose;
        y[ev[k].threonate ? Y_GUT_THR : Y_GUT] += a;
        *faecal += dose - a;
        *intake += dose;
    }
}

static size_t group_end(const mg_kin_event *ev, size_t n, size_t i) {
    size_t j = i + 1;
    while (j < n && ev[j].t_h - ev[i].t_h <= T_EPS)
        j++;
    return j;
}

static void fill_sample(const derived *d, const seg_data *sd, double t, const double *y,
                        double faecal, double urine_prev, mg_kin_sample *s) {
    s->t_h = t;
    s->serum_total_mM = y[Y_PLASMA] / (d->vp * MW);
    s->serum_ionized_mM = d->fion * s->serum_total_mM;
    s->isf_mM = y[Y_ISF] / (d->vi * MW);
    s->csf_mM = y[Y_CSF] / (d->vc * MW);
    y_to_state(y, &s->pools);
    s->urine_interval_mg = y[Y_URINE] - urine_prev;
    s->faecal_cum_mg = faecal;
    s->urine_cum_mg = y[Y_URINE];
    double f = d->gfr_l_h * d->fuf * s->serum_total_mM;
    double r = reabsorb(f, d->gfr_l_h * d->tm, d->theta) * sd->renal_factor;
    r = f - (f - r) * sd->excretion_factor;
    s->fractional_reabsorption = f > 0 ? r / f : 1.0;
}

void mg_kin_result_free(mg_kin_result *r) {
    if (!r)
        return;
    free(r->samples);
    memset(r, 0, sizeof *r);
}

static mg_status check_options(mg_context *ctx, const mg_kin_options *o) {
    if (!o)
        return mg_error_raise(ctx, MG_ERR_DATA, "kinetics: no options given");
    if (!isfinite(o->duration_h) || o->duration_h <= 0 || o->duration_h > 1e6)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "kinetics: duration_h must be in (0, 1e6] h, got %g", o->duration_h);
    if (!isfinite(o->sample_h) || o->sample_h < 0)
        return mg_error_raise(ctx, MG_ERR_DATA, "kinetics: sample_h must be >= 0 h, got %g",
                              o->sample_h);
    if (o->sample_h > 0 && o->duration_h / o->sample_h > 1e7)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "kinetics: sample_h (%g h) gives more than 1e7 samples; raise it",
                              o->sample_h);
    if (o->solver != MG_KIN_CVODE && o->solver != MG_KIN_FAST)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "kinetics: solver must be MG_KIN_CVODE or "
                              "MG_KIN_FAST, got %d",
                              (int)o->solver);
    if (!isfinite(o->rtol) || o->rtol < 0 || o->rtol > 1e-2)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "kinetics: rtol must be in (0, 1e-2] (0: 1e-8), got %g", o->rtol);
    if (!isfinite(o->fast_dt_h) || o->fast_dt_h < 0 || o->fast_dt_h > 0.5)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "kinetics: fast_dt_h must be in (0, 0.5] h (0: 0.05), got %g",
                              o->fast_dt_h);
    if (!isfinite(o->clamp_plasma_mM) || o->clamp_plasma_mM < 0 || o->clamp_plasma_mM > 20)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "kinetics: clamp_plasma_mM must be in [0, 20] mM (0: no clamp), "
                              "got %g",
                              o->clamp_plasma_mM);
    return MG_OK;
}

mg_status mg_kin_run(mg_context *ctx, const mg_kin_params *p, const mg_kin_state *init,
                     const mg_kin_event *events, size_t n_events, const mg_kin_modifier *mods,
                     size_t n_mods, const mg_kin_options *opt, mg_kin_result *out) {
    if (!out)
        return mg_error_raise(ctx, MG_ERR_DATA, "kinetics: no result given");
    memset(out, 0, sizeof *out);
    mg_status st = mg_kin_params_validate(ctx, p);
    if (st == MG_OK)
        st = check_options(ctx, opt);
    if (st == MG_OK)
        st = check_events(ctx, events, n_events);
    if (st != MG_OK)
        return st;
    if (n_mods && !mods)
        return mg_error_raise(ctx, MG_ERR_DATA, "kinetics: %zu modifiers but no array", n_mods);
    for (size_t i = 0; i < n_mods; i++) {
        if ((st = check_mod(ctx, &mods[i], i)) != MG_OK)
            return st;
        if (i && mods[i].t_h <= mods[i - 1].t_h)
            return mg_error_raise(ctx, MG_ERR_DATA,
                                  "kinetics: modifier %zu: t_h (%g h) must be after the previous "
                                  "row's (%g h)",
                                  i, mods[i].t_h, mods[i - 1].t_h);
    }
    mg_kin_state s0;
    if (init) {
        s0 = *init;
        double v[Y_N];
        state_to_y(&s0, v);
        const char *names[N_POOLS] = {"gut_mg",       "gut_threonate_mg", "plasma_mg",
                                      "isf_mg",       "tissue_fast_mg",   "tissue_mg",
                                      "bone_exch_mg", "bone_slow_mg",     "csf_mg"};
        for (int i = 0; i < N_POOLS; i++)
            if (!isfinite(v[i]) || v[i] < 0)
                return mg_error_raise(ctx, MG_ERR_DATA,
                                      "kinetics: initial state %s must be >= 0 mg, got %g",
                                      names[i], v[i]);
    } else {
        mg_kin_state_reference(ctx, p, &s0);
    }

    derived d;
    derive(p, &d);
    const double T = opt->duration_h;
    const double rtol = opt->rtol > 0 ? opt->rtol : 1e-8;
    const double dt = opt->fast_dt_h > 0 ? opt->fast_dt_h : 0.05;
    const double tw = T > 24.0 ? T - 24.0 : 0.0; /* summary window start */

    /* sample times */
    size_t n_s;
    if (opt->sample_h > 0) {
        n_s = (size_t)floor(T / opt->sample_h + 1e-9) + 1;
        if (T - (double)(n_s - 1) * opt->sample_h > T_EPS)
            n_s++;
    } else {
        n_s = 2;
    }
    double *ts = malloc(n_s * sizeof *ts);
    double *yout = malloc(n_s * Y_N * sizeof *yout);
    out->samples = calloc(n_s, sizeof *out->samples);
    if (!ts || !yout || !out->samples) {
        free(ts);
        free(yout);
        mg_kin_result_free(out);
        return mg_error_raise(ctx, MG_ERR_NOMEM, "kinetics: out of memory (%zu samples)", n_s);
    }
    for (size_t k = 0; k < n_s; k++)
        ts[k] = opt->sample_h > 0 ? fmin((double)k * opt->sample_h, T) : (k ? T : 0.0);
    ts[n_s - 1] = T;

    double y[Y_N] = {0};
    state_to_y(&s0, y);
    double intake = 0, faecal = 0;
    seg_data sd = {
        .d = &d, .renal_factor = 1.0, .excretion_factor = 1.0, .clamp = opt->clamp_plasma_mM > 0};
    if (sd.clamp) {
        double pnew = opt->clamp_plasma_mM * d.vp * MW;
        y[Y_INFUSED] += pnew - y[Y_PLASMA];
        y[Y_PLASMA] = pnew;
    }

    cvode_ws cw;
    memset(&cw, 0, sizeof cw);
    if (opt->solver == MG_KIN_CVODE && (st = cv_create(ctx, &cw, &d, rtol)) != MG_OK) {
        free(ts);
        free(yout);
        mg_kin_result_free(out);
        return st;
    }
    long steps = 0;
    size_t ie = 0, im = 0, ks = 0;
    double t = 0, urine_prev = 0;
    double yw[Y_N] = {0};
    int have_w = 0;
    double intake_w = 0;
    const mg_kin_modifier *cur_mod = NULL;
    for (;;) {
        /* events and modifier changes at t */
        while (im < n_mods && mods[im].t_h <= t + T_EPS)
            cur_mod = &mods[im++];
        sd.renal_factor = renal_factor(&d, cur_mod);
        sd.excretion_factor = excretion_factor(cur_mod);
        while (ie < n_events && events[ie].t_h <= t + T_EPS) {
            size_t je = group_end(events, n_events, ie);
            if (events[ie].t_h < T - T_EPS) {
                double before = intake;
                apply_meal(p, events, ie, je, y, &intake, &faecal);
                if (events[ie].t_h >= tw - T_EPS)
                    intake_w += intake - before;
            }
            ie = je;
        }
        if (!have_w && t >= tw - T_EPS) {
            memcpy(yw, y, sizeof yw);
            have_w = 1;
        }
        /* samples at t */
        while (ks < n_s && ts[ks] <= t + T_EPS) {
            fill_sample(&d, &sd, ts[ks], y, faecal, urine_prev, &out->samples[ks]);
            urine_prev = y[Y_URINE];
            ks++;
        }
        if (t >= T - T_EPS)
            break;
        /* next break: event, modifier change, window start or end */
        double t1 = T;
        if (ie < n_events && events[ie].t_h < t1)
            t1 = events[ie].t_h;
        if (im < n_mods && mods[im].t_h < t1)
            t1 = mods[im].t_h;
        if (!have_w && tw < t1)
            t1 = tw;
        /* samples strictly inside (t, t1) */
        size_t k0 = ks, k1 = ks;
        while (k1 < n_s && ts[k1] < t1 - T_EPS)
            k1++;
        if (opt->solver == MG_KIN_CVODE) {
            cw.sd = sd;
            st = cv_advance(ctx, &cw, y, t, t1, ts + k0, k1 - k0, yout + k0 * Y_N);
            if (st != MG_OK)
                break;
        } else {
            steps += fast_advance(&sd, dt, y, t, t1, ts + k0, k1 - k0, yout + k0 * Y_N);
        }
        for (size_t k = k0; k < k1; k++) {
            fill_sample(&d, &sd, ts[k], yout + k * Y_N, faecal, urine_prev, &out->samples[k]);
            urine_prev = yout[k * Y_N + Y_URINE];
        }
        ks = k1;
        t = t1;
    }
    if (opt->solver == MG_KIN_CVODE) {
        steps = cw.steps;
        cv_free(&cw);
    }
    free(ts);
    free(yout);
    if (st != MG_OK) {
        mg_kin_result_free(out);
        return st;
    }
    out->n_samples = n_s;
    out->initial = s0;
    y_to_state(y, &out->final);
    out->intake_mg = intake;
    out->absorbed_mg = y[Y_ABSORBED];
    out->faecal_mg = faecal;
    out->urine_mg = y[Y_URINE];
    out->sweat_mg = y[Y_SWEAT];
    out->infused_mg = y[Y_INFUSED];
    out->filtered_mg = y[Y_FILTERED];
    out->balance_error_mg = intake + y[Y_INFUSED] - faecal - y[Y_URINE] - y[Y_SWEAT] -
                            (mg_kin_state_total_mg(&out->final) - mg_kin_state_total_mg(&s0));
    double win = T - tw;
    out->summary_h = win;
    out->fractional_absorption = intake_w > 0 ? (y[Y_ABSORBED] - yw[Y_ABSORBED]) / intake_w : NAN;
    double filt = y[Y_FILTERED] - yw[Y_FILTERED];
    out->fractional_excretion = filt > 0 ? (y[Y_URINE] - yw[Y_URINE]) / filt : NAN;
    out->urine_mg_per_day = (y[Y_URINE] - yw[Y_URINE]) * 24.0 / win;
    out->serum_total_mM = (y[Y_INT_SERUM] - yw[Y_INT_SERUM]) / win;
    out->serum_ionized_mM = d.fion * out->serum_total_mM;
    out->csf_mM = (y[Y_INT_CSF] - yw[Y_INT_CSF]) / win;
    out->csf_to_plasma = out->csf_mM / out->serum_total_mM;
    out->steps = steps;
    return MG_OK;
}

/* --- the fed steady state --- */

/* The algebraic fed steady state of a daily pattern: the periodic gut contents at the start of
 * a day and every other pool at equilibrium with the mean absorbed rate. */
static void steady_guess(const mg_kin_params *p, const derived *dd, const mg_kin_event *day_events,
                         size_t n_day_events, mg_kin_state *out) {
    const derived d = *dd;
    /* absorbable per meal, and the periodic gut contents at the start of a day */
    double gut0[2] = {0, 0}, absorbed_day = 0;
    double decay_day = exp(-d.ka * 24.0);
    for (size_t i = 0; i < n_day_events;) {
        size_t j = group_end(day_events, n_day_events, i);
        double y[Y_N] = {0}, in = 0, fa = 0;
        apply_meal(p, day_events, i, j, y, &in, &fa);
        double dec = exp(-d.ka * (24.0 - day_events[i].t_h));
        gut0[0] += y[Y_GUT] * dec / (1.0 - decay_day);
        gut0[1] += y[Y_GUT_THR] * dec / (1.0 - decay_day);
        absorbed_day += y[Y_GUT] + y[Y_GUT_THR];
        i = j;
    }
    double a_h = absorbed_day / 24.0;
    /* mean balance: a_h = urine(cp) + sweat(ci), ci = Q MW cuf / (Q MW + sweat_h / ci_ref) */
    double ci_per_cuf = d.q * MW / (d.q * MW + d.sweat_h / d.ci_ref);
    double lo = 0, hi = 20;
    for (int it = 0; it < 200; it++) {
        double cp = 0.5 * (lo + hi), cuf = d.fuf * cp;
        double f = d.gfr_l_h * cuf;
        double loss = (f - reabsorb(f, d.gfr_l_h * d.tm, d.theta)) * MW +
                      d.sweat_h * ci_per_cuf * cuf / d.ci_ref;
        if (loss > a_h)
            hi = cp;
        else
            lo = cp;
    }
    double cp = 0.5 * (lo + hi), cuf = d.fuf * cp, ci = ci_per_cuf * cuf;
    out->gut_mg = gut0[0];
    out->gut_threonate_mg = gut0[1];
    out->plasma_mg = cp * d.vp * MW;
    out->isf_mg = ci * d.vi * MW;
    out->tissue_fast_mg = d.tf_ref * ci / d.ci_ref;
    out->tissue_mg = d.t_ref * ci / d.ci_ref;
    out->bone_exch_mg = d.bex_ref * ci / d.ci_ref;
    out->bone_slow_mg = d.bslow_ref * ci / d.ci_ref;
    out->csf_mg = d.jmax * cuf / (d.csf_km + cuf) / d.ke;
}

mg_status mg_kin_steady_state(mg_context *ctx, const mg_kin_params *p,
                              const mg_kin_event *day_events, size_t n_day_events, unsigned days,
                              mg_kin_solver solver, mg_kin_state *out) {
    mg_status st = mg_kin_params_validate(ctx, p);
    if (st == MG_OK)
        st = check_events(ctx, day_events, n_day_events);
    if (st != MG_OK)
        return st;
    if (!out)
        return mg_error_raise(ctx, MG_ERR_DATA, "kinetics: no output state given");
    if (days > 3650)
        return mg_error_raise(ctx, MG_ERR_DATA, "kinetics: days must be <= 3650, got %u", days);
    for (size_t i = 0; i < n_day_events; i++)
        if (day_events[i].t_h >= 24.0)
            return mg_error_raise(ctx, MG_ERR_DATA,
                                  "kinetics: day event %zu: t_h must be in [0, 24) h, got %g", i,
                                  day_events[i].t_h);
    if (days == 0)
        days = 5;
    derived d;
    derive(p, &d);
    mg_kin_state s;
    steady_guess(p, &d, day_events, n_day_events, &s);
    /* settle the fast pools into the daily cycle */
    size_t n = n_day_events * days;
    mg_kin_event *ev = n ? malloc(n * sizeof *ev) : NULL;
    if (n && !ev)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "kinetics: out of memory");
    for (unsigned k = 0; k < days; k++)
        for (size_t i = 0; i < n_day_events; i++) {
            ev[k * n_day_events + i] = day_events[i];
            ev[k * n_day_events + i].t_h += 24.0 * k;
        }
    mg_kin_options o;
    memset(&o, 0, sizeof o);
    o.duration_h = 24.0 * days;
    o.solver = solver;
    mg_kin_result r;
    st = mg_kin_run(ctx, p, &s, ev, n, NULL, 0, &o, &r);
    free(ev);
    if (st != MG_OK)
        return st;
    *out = r.final;
    mg_kin_result_free(&r);
    return MG_OK;
}

/* --- the exponential integrator for daily patterns (populations) ---
 *
 * State x (XN): the nine pools, urine, sweat, and the integrals of serum total and CSF Mg.
 * dx/dt = A x + D n(x): A holds every linear flux plus the slopes u1, c1 of urinary loss and
 * CSF influx in plasma Mg at the fed steady state; n = (j_u - u1 P, j_in - c1 P) is the rest,
 * along the directions d_u = e_U - e_P and d_c = e_C - e_P. Steps of ETD2RK (Cox & Matthews
 * 2002): a = E x + Phi1 n(x), x' = a + Phi2 (n(a) - n(x)), with E = exp(hA), Phi1 = h phi1(hA)
 * D and Phi2 = h phi2(hA) D taken from one exponential of the 17 x 17 block matrix
 * [[hA, hD, 0], [0, 0, I], [0, 0, 0]]. The linear part, gut absorption included, is exact;
 * the columns of A and the directions D sum to zero over the mass members, so every step
 * conserves mass to rounding. */

enum { X_INT_SERUM = 11, X_INT_CSF = 12, XN = 13, XM = XN + 4 };
#define MAX_STEP_SIZES 32

typedef struct {
    double h;
    double e[XN][XN];
    double phi1[XN][2], phi2[XN][2];
} expo_step;

typedef struct {
    const mg_kin_params *p;
    derived d;
    double u1, c1; /* slopes at the linearisation point, 1/h */
    double a[XN][XN];
    expo_step steps[MAX_STEP_SIZES];
    size_t n_steps;
    long n_taken;
} expo_ws;

static double urine_flux(const derived *d, double plasma_mg) {
    double f = d->gfr_l_h * d->fuf * plasma_mg / (d->vp * MW);
    return (f - reabsorb(f, d->gfr_l_h * d->tm, d->theta)) * MW;
}

static double csf_influx(const derived *d, double plasma_mg, double gut_thr_mg) {
    double cuf = d->fuf * plasma_mg / (d->vp * MW);
    if (cuf < 0)
        cuf = 0;
    return d->jmax * (1.0 + d->thr_gain * d->ka * gut_thr_mg) * cuf / (d->csf_km + cuf);
}

static void expo_n(const expo_ws *w, const double *x, double n[2]) {
    double pl = x[Y_PLASMA];
    n[0] = urine_flux(&w->d, pl) - w->u1 * pl;
    n[1] = csf_influx(&w->d, pl, x[Y_GUT_THR]) - w->c1 * pl;
}

/* A for the linearisation at plasma_mg. */
static void expo_setup(expo_ws *w, const mg_kin_params *p, double plasma_mg) {
    memset(w, 0, sizeof *w);
    w->p = p;
    derive(p, &w->d);
    const derived *d = &w->d;
    double dp = 1e-4 * plasma_mg;
    w->u1 = (urine_flux(d, plasma_mg + dp) - urine_flux(d, plasma_mg - dp)) / (2.0 * dp);
    w->c1 = (csf_influx(d, plasma_mg + dp, 0) - csf_influx(d, plasma_mg - dp, 0)) / (2.0 * dp);
    double(*a)[XN] = w->a;
    /* flux f = sum_j c_j x_j from pool `from` to pool `to`: a[to][j] += c_j, a[from][j] -= c_j */
#define FLOW(from, to, j, c)                                                                       \
    do {                                                                                           \
        a[to][j] += (c);                                                                           \
        a[from][j] -= (c);                                                                         \
    } while (0)
    double viM = d->vi * MW;
    FLOW(Y_GUT, Y_PLASMA, Y_GUT, d->ka);
    FLOW(Y_GUT_THR, Y_PLASMA, Y_GUT_THR, d->ka);
    FLOW(Y_PLASMA, Y_ISF, Y_PLASMA, d->q * d->fuf / d->vp);
    FLOW(Y_PLASMA, Y_ISF, Y_ISF, -d->q / d->vi);
    FLOW(Y_ISF, Y_TFAST, Y_ISF, d->ktf * d->tf_ref / (d->ci_ref * viM));
    FLOW(Y_ISF, Y_TFAST, Y_TFAST, -d->ktf);
    FLOW(Y_ISF, Y_TISSUE, Y_ISF, d->kt * d->t_ref / (d->ci_ref * viM));
    FLOW(Y_ISF, Y_TISSUE, Y_TISSUE, -d->kt);
    FLOW(Y_ISF, Y_BEX, Y_ISF, d->kb * d->bex_ref / (d->ci_ref * viM));
    FLOW(Y_ISF, Y_BEX, Y_BEX, -d->kb);
    FLOW(Y_BEX, Y_BSLOW, Y_BEX, d->ks * d->bslow_ref / d->bex_ref);
    FLOW(Y_BEX, Y_BSLOW, Y_BSLOW, -d->ks);
    FLOW(Y_ISF, Y_SWEAT, Y_ISF, d->sweat_h / (d->ci_ref * viM));
    FLOW(Y_CSF, Y_PLASMA, Y_CSF, d->ke);
    FLOW(Y_PLASMA, Y_URINE, Y_PLASMA, w->u1);
    FLOW(Y_PLASMA, Y_CSF, Y_PLASMA, w->c1);
#undef FLOW
    a[X_INT_SERUM][Y_PLASMA] = 1.0 / (d->vp * MW);
    a[X_INT_CSF][Y_CSF] = 1.0 / (d->vc * MW);
}

static void matmul(const double (*x)[XM], const double (*y)[XM], double (*z)[XM]) {
    for (int i = 0; i < XM; i++) {
        double row[XM] = {0};
        for (int k = 0; k < XM; k++) {
            double xik = x[i][k];
            if (xik == 0)
                continue;
            for (int j = 0; j < XM; j++)
                row[j] += xik * y[k][j];
        }
        memcpy(z[i], row, sizeof row);
    }
}

/* exp(M) by scaling and squaring with a degree-12 Taylor polynomial (Horner) once the
 * 1-norm is below 1/4: truncation below 0.25^13 / 13! ~ 2e-18 relative. */
static void expm(const double (*m)[XM], double (*out)[XM]) {
    double norm = 0;
    for (int j = 0; j < XM; j++) {
        double c = 0;
        for (int i = 0; i < XM; i++)
            c += fabs(m[i][j]);
        if (c > norm)
            norm = c;
    }
    int s = 0;
    while (norm > 0.25 && s < 60) {
        norm *= 0.5;
        s++;
    }
    double scale = ldexp(1.0, -s);
    double x[XM][XM], t[XM][XM], u[XM][XM];
    for (int i = 0; i < XM; i++)
        for (int j = 0; j < XM; j++)
            x[i][j] = m[i][j] * scale;
    /* t = I + x/k (I + x/(k+1) (...)) from k = 12 down */
    memset(t, 0, sizeof t);
    for (int i = 0; i < XM; i++)
        t[i][i] = 1.0;
    for (int k = 12; k >= 1; k--) {
        matmul((const double(*)[XM])x, (const double(*)[XM])t, u);
        for (int i = 0; i < XM; i++)
            for (int j = 0; j < XM; j++)
                t[i][j] = u[i][j] / (double)k + (i == j ? 1.0 : 0.0);
    }
    for (int k = 0; k < s; k++) {
        matmul((const double(*)[XM])t, (const double(*)[XM])t, u);
        memcpy(t, u, sizeof t);
    }
    memcpy(out, t, sizeof t);
}

/* The step of size h (computed on first use). NULL when the cache is full. */
static const expo_step *expo_step_get(expo_ws *w, double h) {
    for (size_t i = 0; i < w->n_steps; i++)
        if (w->steps[i].h == h)
            return &w->steps[i];
    if (w->n_steps == MAX_STEP_SIZES)
        return NULL;
    expo_step *st = &w->steps[w->n_steps++];
    double m[XM][XM], e[XM][XM];
    memset(m, 0, sizeof m);
    for (int i = 0; i < XN; i++)
        for (int j = 0; j < XN; j++)
            m[i][j] = h * w->a[i][j];
    /* directions: d_u = e_U - e_P (column XN), d_c = e_C - e_P (column XN + 1) */
    m[Y_URINE][XN] = h;
    m[Y_PLASMA][XN] = -h;
    m[Y_CSF][XN + 1] = h;
    m[Y_PLASMA][XN + 1] = -h;
    m[XN][XN + 2] = 1.0;
    m[XN + 1][XN + 3] = 1.0;
    expm((const double(*)[XM])m, e);
    st->h = h;
    for (int i = 0; i < XN; i++) {
        for (int j = 0; j < XN; j++)
            st->e[i][j] = e[i][j];
        st->phi1[i][0] = e[i][XN];
        st->phi1[i][1] = e[i][XN + 1];
        st->phi2[i][0] = e[i][XN + 2];
        st->phi2[i][1] = e[i][XN + 3];
    }
    return st;
}

/* One ETD2RK step. */
static void expo_step_do(const expo_ws *w, const expo_step *st, double *x) {
    double n0[2], n1[2], a[XN];
    expo_n(w, x, n0);
    for (int i = 0; i < XN; i++) {
        double s = st->phi1[i][0] * n0[0] + st->phi1[i][1] * n0[1];
        for (int j = 0; j < XN; j++)
            s += st->e[i][j] * x[j];
        a[i] = s;
    }
    expo_n(w, a, n1);
    for (int i = 0; i < XN; i++)
        x[i] = a[i] + st->phi2[i][0] * (n1[0] - n0[0]) + st->phi2[i][1] * (n1[1] - n0[1]);
}

/* Advance x by span hours in equal steps of at most hmax. */
static mg_status expo_advance(mg_context *ctx, expo_ws *w, double *x, double span, double hmax) {
    if (span <= T_EPS)
        return MG_OK;
    long n = (long)ceil(span / hmax - 1e-9);
    if (n < 1)
        n = 1;
    const expo_step *st = expo_step_get(w, span / (double)n);
    if (!st)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "kinetics: the daily events need more than %d distinct step sizes; "
                              "use fewer distinct event times",
                              MAX_STEP_SIZES);
    for (long i = 0; i < n; i++)
        expo_step_do(w, st, x);
    w->n_taken += n;
    return MG_OK;
}

/* One day of the pattern ev[0..n) (t_h in [0, 24), sorted) from x at the day's start. */
static mg_status expo_day(mg_context *ctx, expo_ws *w, const mg_kin_event *ev, size_t n,
                          double hmax, double *x, double *intake, double *faecal) {
    double t = 0;
    double y[Y_N] = {0};
    for (size_t i = 0; i < n;) {
        size_t j = group_end(ev, n, i);
        mg_status st = expo_advance(ctx, w, x, ev[i].t_h - t, hmax);
        if (st != MG_OK)
            return st;
        t = ev[i].t_h;
        y[Y_GUT] = x[Y_GUT];
        y[Y_GUT_THR] = x[Y_GUT_THR];
        apply_meal(w->p, ev, i, j, y, intake, faecal);
        x[Y_GUT] = y[Y_GUT];
        x[Y_GUT_THR] = y[Y_GUT_THR];
        i = j;
    }
    return expo_advance(ctx, w, x, 24.0 - t, hmax);
}

static mg_status check_day(mg_context *ctx, const mg_kin_event *ev, size_t n, const char *what) {
    mg_status st = check_events(ctx, ev, n);
    if (st != MG_OK)
        return st;
    for (size_t i = 0; i < n; i++)
        if (ev[i].t_h >= 24.0)
            return mg_error_raise(ctx, MG_ERR_DATA,
                                  "kinetics: %s event %zu: t_h must be in [0, 24) h, got %g", what,
                                  i, ev[i].t_h);
    return MG_OK;
}

mg_status mg_kin_daily_run(mg_context *ctx, const mg_kin_params *p, const mg_kin_event *settle_day,
                           size_t n_settle, const mg_kin_event *run_day, size_t n_run,
                           const mg_kin_daily_options *opt, mg_kin_daily_result *out) {
    if (!out)
        return mg_error_raise(ctx, MG_ERR_DATA, "kinetics: no result given");
    memset(out, 0, sizeof *out);
    if (!opt)
        return mg_error_raise(ctx, MG_ERR_DATA, "kinetics: no options given");
    mg_status st = mg_kin_params_validate(ctx, p);
    if (st == MG_OK)
        st = check_day(ctx, settle_day, n_settle, "settle-day");
    if (st == MG_OK)
        st = check_day(ctx, run_day, n_run, "run-day");
    if (st != MG_OK)
        return st;
    if (opt->days < 1 || opt->days > 36500)
        return mg_error_raise(ctx, MG_ERR_DATA, "kinetics: days must be in [1, 36500], got %u",
                              opt->days);
    if (opt->settle_days > 3650)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "kinetics: settle_days must be <= 3650 (0: 3), got %u",
                              opt->settle_days);
    if (!isfinite(opt->max_step_h) || opt->max_step_h < 0 || opt->max_step_h > 2)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "kinetics: max_step_h must be in (0, 2] h (0: 0.5), got %g",
                              opt->max_step_h);
    unsigned settle = opt->settle_days ? opt->settle_days : 3;
    double hmax = opt->max_step_h > 0 ? opt->max_step_h : 0.5;
    expo_ws *w = malloc(sizeof *w);
    if (!w)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "kinetics: out of memory");
    mg_kin_state s0;
    derive(p, &w->d);
    steady_guess(p, &w->d, settle_day, n_settle, &s0);
    expo_setup(w, p, s0.plasma_mg);
    double x[XN] = {0};
    state_to_y(&s0, x);
    double in = 0, fa = 0;
    for (unsigned k = 0; k < settle && st == MG_OK; k++)
        st = expo_day(ctx, w, settle_day, n_settle, hmax, x, &in, &fa);
    mg_kin_state start;
    y_to_state(x, &start);
    double u0 = x[Y_URINE], sw0 = x[Y_SWEAT];
    in = fa = 0;
    double last[XN] = {0};
    for (unsigned k = 0; k < opt->days && st == MG_OK; k++) {
        memcpy(last, x, sizeof last);
        st = expo_day(ctx, w, run_day, n_run, hmax, x, &in, &fa);
    }
    if (st == MG_OK) {
        out->initial = start;
        y_to_state(x, &out->final);
        out->serum_total_mM = (x[X_INT_SERUM] - last[X_INT_SERUM]) / 24.0;
        out->csf_mM = (x[X_INT_CSF] - last[X_INT_CSF]) / 24.0;
        out->urine_mg_per_day = x[Y_URINE] - last[Y_URINE];
        out->intake_mg = in;
        out->faecal_mg = fa;
        out->urine_mg = x[Y_URINE] - u0;
        out->sweat_mg = x[Y_SWEAT] - sw0;
        out->balance_error_mg =
            in - fa - out->urine_mg - out->sweat_mg -
            (mg_kin_state_total_mg(&out->final) - mg_kin_state_total_mg(&start));
        out->steps = w->n_taken;
    }
    free(w);
    return st;
}
