/* Population sampler: usual daily Mg intakes of virtual people, lognormal per age-sex
 * group, calibrated to the share of people below their EAR, drawn with counter-based
 * Philox streams keyed by person index. */
#include <math.h>

#include "mgsim/diet.h"

#include "base/rng.h"

mg_diet_intake_params mg_diet_intake_defaults(void) {
    mg_diet_intake_params p = {0.35, 0.48};
    return p;
}

/* Phi^-1(q) for 0 < q < 1 by bisection on the normal CDF 0.5 erfc(-x / sqrt 2):
 * 200 halvings of [-40, 40] reach the double resolution. */
static double probit(double q) {
    double lo = -40.0, hi = 40.0;
    for (int i = 0; i < 200; i++) {
        double mid = 0.5 * (lo + hi);
        if (0.5 * erfc(-mid / sqrt(2.0)) < q)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

mg_status mg_diet_intake_median(mg_context *ctx, const mg_diet_dris *dris, double age_y,
                                mg_diet_sex sex, const mg_diet_intake_params *p, double *median) {
    if (!dris || !p || !median)
        return mg_error_raise(ctx, MG_ERR_USAGE,
                              "mg_diet_intake_median: dris, params and median must be given");
    if (!(p->sigma_log > 0.0 && p->sigma_log <= 2.0))
        return mg_error_raise(ctx, MG_ERR_DATA, "sigma_log must be in (0, 2], got %g",
                              p->sigma_log);
    if (!(p->share_below_ear > 0.0 && p->share_below_ear < 1.0))
        return mg_error_raise(ctx, MG_ERR_DATA, "share_below_ear must be in (0, 1), got %g",
                              p->share_below_ear);
    if (!(age_y >= 0.0 && age_y <= 120.0))
        return mg_error_raise(ctx, MG_ERR_DATA, "age must be 0..120 years, got %g", age_y);
    if (sex != MG_DIET_FEMALE && sex != MG_DIET_MALE)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "the intake sampler needs sex female or male, got %s",
                              mg_diet_sex_string(sex));
    const mg_diet_dri *ref = mg_diet_dris_lookup(dris, age_y, sex, MG_DIET_EAR);
    if (!ref)
        ref = mg_diet_dris_lookup(dris, age_y, sex, MG_DIET_AI);
    if (!ref)
        return mg_error_raise(ctx, MG_ERR_DATA,
                              "no EAR or AI in the DRI table for a %s of %g years",
                              mg_diet_sex_string(sex), age_y);
    *median = ref->mg_per_day * exp(-p->sigma_log * probit(p->share_below_ear));
    return MG_OK;
}

mg_status mg_diet_intake_sample(mg_context *ctx, const mg_diet_dris *dris, uint64_t seed,
                                uint64_t person, double age_y, mg_diet_sex sex,
                                const mg_diet_intake_params *p, double *mg_per_day) {
    double median;
    if (!mg_per_day)
        return mg_error_raise(ctx, MG_ERR_USAGE, "mg_diet_intake_sample: mg_per_day must be given");
    mg_status st = mg_diet_intake_median(ctx, dris, age_y, sex, p, &median);
    if (st != MG_OK)
        return st;
    double z = mg_rng_normal(seed, (uint32_t)MG_RNG_USER + MG_DIET_RNG_INTAKE_OFFSET, 0, person);
    *mg_per_day = median * exp(p->sigma_log * z);
    return MG_OK;
}
