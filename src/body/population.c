/* Population Monte Carlo: virtual adults drawn from counter-based streams keyed by person
 * number, each run through the whole-body kinetic model's exponential fast path, and the
 * summary over them. Sources of the defaults: docs/models/population.md. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgsim/kinetics.h"
#include "mgsim/population.h"

#include "base/rng.h"

/* US adult age structure: resident population by age band, millions, 2020 Census (US Census
 * Bureau, 2020 Census Demographic and Housing Characteristics, age by single year summed into
 * bands; rounded to 0.1 million: assumption-grade, see the docs page). The last band is
 * taken to end at 100. */
#define N_BANDS 8
static const double BAND_LO[N_BANDS + 1] = {18, 25, 35, 45, 55, 65, 75, 85, 100};
static const double BAND_MILLIONS[N_BANDS] = {30.3, 45.3, 42.5, 40.6, 42.3, 32.5, 16.0, 6.4};

/* Clamp of drawn weights, kg (inside the kinetic model's (20, 300]). */
#define WEIGHT_MIN 40.0
#define WEIGHT_MAX 200.0

static const double MEAL_H[3] = {8.0, 13.0, 19.0};

mg_pop_params mg_pop_params_default(void) {
    mg_pop_params p;
    memset(&p, 0, sizeof p);
    p.n_people = 1000;
    p.seed = 1;
    p.duration_days = 30;
    p.age_min_y = 19;
    p.age_max_y = 100;
    p.share_female = 0.508;
    p.weight_female_kg = 77.5;
    p.weight_male_kg = 90.6;
    p.weight_cv = 0.22;
    p.intake = mg_diet_intake_defaults();
    p.food_factor = 1.0;
    p.supplement_share = 0;
    p.supplement_mg = 0;
    p.supplement_form_factor = 1.0;
    p.supplement_clock_h = 21.0;
    p.supplement_with_food = 0;
    return p;
}

static mg_status bad(mg_context *ctx, const char *field, const char *range, double v) {
    return mg_error_raise(ctx, MG_ERR_DATA, "population.%s must be %s, got %g", field, range, v);
}

#define CHECK(cond, field, range)                                                                  \
    do {                                                                                           \
        if (!isfinite((double)p->field) || !(cond))                                                \
            return bad(ctx, #field, range, (double)p->field);                                      \
    } while (0)

mg_status mg_pop_params_validate(mg_context *ctx, const mg_pop_params *p) {
    if (!p)
        return mg_error_raise(ctx, MG_ERR_DATA, "population: no parameters given");
    if (p->n_people < 1 || p->n_people > MG_POP_MAX_PEOPLE)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "population.n_people must be in [1, %llu] (about 100 bytes each), "
                              "got %llu; split a larger study into several seeds",
                              (unsigned long long)MG_POP_MAX_PEOPLE,
                              (unsigned long long)p->n_people);
    CHECK(p->duration_days >= 1 && p->duration_days <= 3650, duration_days, "in [1, 3650] days");
    CHECK(p->age_min_y >= 18 && p->age_min_y < 100, age_min_y, "in [18, 100) years");
    CHECK(p->age_max_y > p->age_min_y && p->age_max_y <= 100, age_max_y,
          "in (age_min_y, 100] years");
    CHECK(p->share_female >= 0 && p->share_female <= 1, share_female, "in [0, 1]");
    CHECK(p->weight_female_kg >= WEIGHT_MIN && p->weight_female_kg <= WEIGHT_MAX, weight_female_kg,
          "in [40, 200] kg");
    CHECK(p->weight_male_kg >= WEIGHT_MIN && p->weight_male_kg <= WEIGHT_MAX, weight_male_kg,
          "in [40, 200] kg");
    CHECK(p->weight_cv >= 0 && p->weight_cv <= 1, weight_cv, "in [0, 1]");
    CHECK(p->intake.sigma_log > 0 && p->intake.sigma_log <= 2, intake.sigma_log, "in (0, 2]");
    CHECK(p->intake.share_below_ear > 0 && p->intake.share_below_ear < 1, intake.share_below_ear,
          "in (0, 1)");
    CHECK(p->food_factor > 0 && p->food_factor <= 10, food_factor, "in (0, 10]");
    CHECK(p->supplement_share >= 0 && p->supplement_share <= 1, supplement_share, "in [0, 1]");
    CHECK(p->supplement_mg >= 0 && p->supplement_mg <= 2000, supplement_mg, "in [0, 2000] mg");
    CHECK(p->supplement_form_factor > 0 && p->supplement_form_factor <= 10, supplement_form_factor,
          "in (0, 10]");
    CHECK(p->supplement_clock_h >= 0 && p->supplement_clock_h < 24, supplement_clock_h,
          "in [0, 24) h");
    CHECK(p->settle_days <= 3650, settle_days, "<= 3650 days (0: 3)");
    CHECK(p->max_step_h >= 0 && p->max_step_h <= 2, max_step_h, "in (0, 2] h (0: 0.5)");
    return MG_OK;
}

/* Age from two uniforms: the band in proportion to its population inside [lo, hi), then
 * uniform within the band's part of the range. */
static double draw_age(double lo, double hi, double u_band, double u_pos) {
    double w[N_BANDS], total = 0;
    for (int b = 0; b < N_BANDS; b++) {
        double a = fmax(lo, BAND_LO[b]), z = fmin(hi, BAND_LO[b + 1]);
        w[b] = z > a ? BAND_MILLIONS[b] * (z - a) / (BAND_LO[b + 1] - BAND_LO[b]) : 0.0;
        total += w[b];
    }
    double target = u_band * total, cum = 0;
    int pick = -1;
    for (int b = 0; b < N_BANDS; b++) {
        if (w[b] <= 0)
            continue;
        pick = b;
        cum += w[b];
        if (target <= cum)
            break;
    }
    double a = fmax(lo, BAND_LO[pick]), z = fmin(hi, BAND_LO[pick + 1]);
    double age = a + (1.0 - u_pos) * (z - a); /* u in (0, 1]: age in [a, z) */
    return age < z ? age : a;
}

mg_status mg_pop_person_draw(mg_context *ctx, const mg_pop_params *p, const mg_diet_dris *dris,
                             uint64_t index, mg_pop_person *out) {
    if (!dris || !out)
        return mg_error_raise(ctx, MG_ERR_USAGE, "mg_pop_person_draw: dris and out must be given");
    mg_status st = mg_pop_params_validate(ctx, p);
    if (st != MG_OK)
        return st;
    if (index >= p->n_people)
        return mg_error_raise(ctx, MG_ERR_DATA, "population: person %llu is beyond n_people %llu",
                              (unsigned long long)index, (unsigned long long)p->n_people);
    memset(out, 0, sizeof *out);
    out->index = index;
    const uint32_t base = (uint32_t)MG_RNG_USER;
    mg_rng_block b = mg_rng_draw(p->seed, base + MG_POP_RNG_AGE_OFFSET, 0, index);
    out->age_y = draw_age(p->age_min_y, p->age_max_y, mg_rng_u01(b.w[0], b.w[1]),
                          mg_rng_u01(b.w[2], b.w[3]));
    double u = mg_rng_uniform(p->seed, base + MG_POP_RNG_SEX_OFFSET, 0, index);
    out->sex = u <= p->share_female ? MG_DIET_FEMALE : MG_DIET_MALE;
    /* lognormal weight with the given mean and CV */
    double mean = out->sex == MG_DIET_FEMALE ? p->weight_female_kg : p->weight_male_kg;
    double s2 = log1p(p->weight_cv * p->weight_cv);
    double z = mg_rng_normal(p->seed, base + MG_POP_RNG_WEIGHT_OFFSET, 0, index);
    double wkg = mean * exp(sqrt(s2) * z - 0.5 * s2);
    out->weight_kg = fmin(WEIGHT_MAX, fmax(WEIGHT_MIN, wkg));
    const mg_diet_dri *ear = mg_diet_dris_lookup(dris, out->age_y, out->sex, MG_DIET_EAR);
    if (!ear)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "population: the DRI table has no EAR for a %s of %.1f years",
                              mg_diet_sex_string(out->sex), out->age_y);
    out->ear_mg_per_day = ear->mg_per_day;
    double food;
    st = mg_diet_intake_sample(ctx, dris, p->seed, index, out->age_y, out->sex, &p->intake, &food);
    if (st != MG_OK)
        return st;
    out->food_mg_per_day = food * p->food_factor;
    u = mg_rng_uniform(p->seed, base + MG_POP_RNG_SUPPLEMENT_OFFSET, 0, index);
    out->supplement_mg_per_day =
        (u <= p->supplement_share && p->supplement_share > 0) ? p->supplement_mg : 0.0;
    out->below_ear = out->food_mg_per_day < out->ear_mg_per_day;
    out->below_ear_with_supplement =
        out->food_mg_per_day + out->supplement_mg_per_day < out->ear_mg_per_day;
    out->serum_total_mM = out->csf_mM = out->urine_mg_per_day = out->balance_error_mg = NAN;
    return MG_OK;
}

/* Draw and simulate one person. */
static mg_status simulate_one(mg_context *ctx, const mg_pop_params *p, const mg_diet_dris *dris,
                              uint64_t index, mg_pop_person *out) {
    mg_status st = mg_pop_person_draw(ctx, p, dris, index, out);
    if (st != MG_OK)
        return st;
    mg_kin_params kin = mg_kin_params_default(out->weight_kg);
    mg_kin_event settle[3], day[4];
    for (int m = 0; m < 3; m++) {
        settle[m] = (mg_kin_event){MEAL_H[m], out->food_mg_per_day / 3.0, 1.0, 1, 0};
        day[m] = settle[m];
    }
    size_t nd = 3;
    if (out->supplement_mg_per_day > 0) {
        mg_kin_event s = {p->supplement_clock_h, out->supplement_mg_per_day,
                          p->supplement_form_factor, p->supplement_with_food,
                          p->supplement_threonate};
        /* insert in time order (same time as a meal: after it, one meal group) */
        size_t k = 3;
        while (k > 0 && day[k - 1].t_h > s.t_h) {
            day[k] = day[k - 1];
            k--;
        }
        day[k] = s;
        nd = 4;
    }
    mg_kin_daily_options o;
    memset(&o, 0, sizeof o);
    o.days = p->duration_days;
    o.settle_days = p->settle_days;
    o.max_step_h = p->max_step_h;
    mg_kin_daily_result r;
    st = mg_kin_daily_run(ctx, &kin, settle, 3, day, nd, &o, &r);
    if (st != MG_OK)
        return st;
    out->serum_total_mM = r.serum_total_mM;
    out->csf_mM = r.csf_mM;
    out->urine_mg_per_day = r.urine_mg_per_day;
    out->balance_error_mg = r.balance_error_mg;
    return MG_OK;
}

mg_status mg_pop_simulate(mg_context *ctx, const mg_pop_params *p, const mg_diet_dris *dris,
                          uint64_t first, uint64_t count, mg_pop_person *out) {
    mg_status st = mg_pop_params_validate(ctx, p);
    if (st != MG_OK)
        return st;
    if (!dris || (count && !out))
        return mg_error_raise(ctx, MG_ERR_USAGE, "mg_pop_simulate: dris and out must be given");
    if (first > p->n_people || count > p->n_people - first)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "population: persons %llu..%llu are beyond n_people %llu",
                              (unsigned long long)first, (unsigned long long)(first + count),
                              (unsigned long long)p->n_people);
    int threads = mg_context_threads(ctx);
    long long n = (long long)count;
    long long bad_index = -1;
    mg_status bad_status = MG_OK;
    char bad_msg[512] = "";
#pragma omp parallel num_threads(threads)
    {
        mg_context *tctx = mg_context_create();
#pragma omp for schedule(dynamic, 16)
        for (long long i = 0; i < n; i++) {
            mg_status s =
                tctx ? simulate_one(tctx, p, dris, first + (uint64_t)i, &out[i]) : MG_ERR_NOMEM;
            if (s != MG_OK) {
#pragma omp critical(mg_pop_error)
                {
                    if (bad_index < 0 || i < bad_index) {
                        bad_index = i;
                        bad_status = s;
                        snprintf(bad_msg, sizeof bad_msg, "%s",
                                 tctx ? mg_error_message(tctx) : "out of memory");
                    }
                }
                if (tctx)
                    mg_error_clear(tctx);
            }
        }
        mg_context_destroy(&tctx);
    }
    if (bad_index >= 0)
        return mg_error_raise(ctx, bad_status, "population: person %llu: %s",
                              (unsigned long long)(first + (uint64_t)bad_index), bad_msg);
    return MG_OK;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Quantiles of sorted v[0..n-1] at q (linear interpolation between order statistics,
 * Hyndman & Fan type 7). */
static double quantile(const double *v, size_t n, double q) {
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= n)
        return v[n - 1];
    return v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]);
}

mg_status mg_pop_summarise(mg_context *ctx, const mg_pop_person *persons, size_t n,
                           mg_pop_summary *out) {
    if (!out)
        return mg_error_raise(ctx, MG_ERR_DATA, "population: no summary given");
    memset(out, 0, sizeof *out);
    if (!persons || n == 0)
        return mg_error_raise(ctx, MG_ERR_DATA, "population: no persons to summarise");
    double *se = malloc(n * sizeof *se), *cs = malloc(n * sizeof *cs);
    if (!se || !cs) {
        free(se);
        free(cs);
        return mg_error_raise(ctx, MG_ERR_NOMEM, "population: out of memory (%zu persons)", n);
    }
    size_t below = 0, below_s = 0, takers = 0, low = 0;
    double food = 0, supp = 0, sse = 0, scs = 0, maxbal = 0;
    for (size_t i = 0; i < n; i++) {
        const mg_pop_person *x = &persons[i];
        below += x->below_ear != 0;
        below_s += x->below_ear_with_supplement != 0;
        takers += x->supplement_mg_per_day > 0;
        low += x->serum_total_mM < 0.75;
        food += x->food_mg_per_day;
        supp += x->supplement_mg_per_day;
        sse += x->serum_total_mM;
        scs += x->csf_mM;
        maxbal = fmax(maxbal, fabs(x->balance_error_mg));
        se[i] = x->serum_total_mM;
        cs[i] = x->csf_mM;
    }
    double dn = (double)n;
    out->n_people = n;
    out->share_below_ear = (double)below / dn;
    out->share_below_ear_with_supplement = (double)below_s / dn;
    out->share_taking_supplement = (double)takers / dn;
    out->mean_food_mg_per_day = food / dn;
    out->mean_supplement_mg_per_day = supp / dn;
    out->serum_mean_mM = sse / dn;
    out->csf_mean_mM = scs / dn;
    out->share_serum_below_0_75 = (double)low / dn;
    out->max_abs_balance_error_mg = maxbal;
    qsort(se, n, sizeof *se, cmp_double);
    qsort(cs, n, sizeof *cs, cmp_double);
    static const double Q[MG_POP_N_QUANTILES] = {0.05, 0.25, 0.5, 0.75, 0.95};
    for (int k = 0; k < MG_POP_N_QUANTILES; k++) {
        out->serum_quantiles_mM[k] = quantile(se, n, Q[k]);
        out->csf_quantiles_mM[k] = quantile(cs, n, Q[k]);
    }
    free(se);
    free(cs);
    return MG_OK;
}
