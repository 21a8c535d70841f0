/* mgsim-test: unit */
/* `mgsim plan` end to end: the gap to the RDA, food suggestions that respect preferences and
 * allergies, supplement options never above the UL, the sleep-goal timing, the kidney and PPI
 * warnings, the direction of the predicted CSF Mg, the files written, and bad profiles. The
 * runs are shortened (duration_days, snr.duration_ms) to keep the suite fast; the rules do not
 * depend on the run length. */
#include <check.h>
#include <math.h>

#include "mgsim/base.h"

#define TMP MGSIM_TEST_TMP "/cli_plan"
#include "cli_run.h"

/* The UL for supplemental Mg from 9 y on: 350 mg/day (IOM 1997, NIH ODS; refs
 * magnesium-physiology s11.3). */
#define UL_MG 350.0

static json_t *option(json_t *sum, const char *key) {
    json_t *opts = json_object_get(sum, "options");
    for (size_t i = 0; i < json_array_size(opts); i++) {
        json_t *o = json_array_get(opts, i);
        if (strcmp(json_string_value(json_object_get(o, "key")), key) == 0)
            return o;
    }
    return NULL;
}

static double predicted(json_t *opt, const char *key) {
    return num(json_object_get(opt, "predicted"), key);
}

/* Every supplement option stays at or under the UL, counting the current supplements. */
static void check_ul(json_t *sum) {
    json_t *opts = json_object_get(sum, "options");
    ck_assert_int_ge((int)json_array_size(opts), 1);
    for (size_t i = 0; i < json_array_size(opts); i++) {
        json_t *o = json_array_get(opts, i);
        ck_assert_msg(num(o, "supplement_mg_per_day") <= UL_MG + 1e-9, "option %s: %g mg/day",
                      json_string_value(json_object_get(o, "key")),
                      num(o, "supplement_mg_per_day"));
    }
}

static json_t *plan(const char *name, const char *profile, const char *const *extra, char *dir,
                    size_t cap) {
    char path[600];
    fresh_dir(name, dir, cap);
    write_file(dir, "profile.yaml", profile, path, sizeof path);
    const char *args[32] = {"plan", path, "-o", dir, "-q"};
    size_t n = 5;
    for (size_t i = 0; extra && extra[i] && n < 31; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    expect(args, 0, NULL, NULL);
    return load_summary(dir);
}

/* A vegan with peanut and tree-nut allergies, 200 mg/day against an RDA of 320 (female,
 * 31-50 y; IOM 1997): the gap is 120 mg/day (exact), no suggested food comes from an excluded
 * group or names an allergen, the food option closes the gap, the supplement option is under
 * the UL and raises CSF Mg over the current diet, and every file holds every option. */
START_TEST(gap_foods_allergies_files) {
    char dir[512], path[700];
    const char *extra[] = {"--set", "duration_days=7", NULL};
    json_t *j = plan("vegan",
                     "person: {age_y: 40, sex: female, weight_kg: 65}\n"
                     "diet: {mg_per_day: 200}\n"
                     "goal: general\n"
                     "preferences: [vegan]\n"
                     "allergies: [peanut, tree nuts]\n",
                     extra, dir, sizeof dir);
    json_t *a = json_object_get(j, "assessment");
    /* exact arithmetic: 320 - 200 */
    ck_assert_double_eq_tol(num(a, "gap_mg"), 120.0, 1e-9);
    ck_assert_double_eq_tol(num(a, "rda_mg"), 320.0, 1e-9);
    json_t *foods = json_object_get(j, "food_additions");
    ck_assert_int_ge((int)json_array_size(foods), 1);
    static const char *const banned_groups[] = {"meat", "fish", "dairy", "eggs"};
    static const char *const banned_words[] = {"peanut",    "almond",   "cashew",    "walnut",
                                               "pecan",     "hazelnut", "pistachio", "brazil",
                                               "macadamia", "pine nut", "mixed nuts"};
    double added = 0;
    for (size_t i = 0; i < json_array_size(foods); i++) {
        json_t *f = json_array_get(foods, i);
        const char *name = json_string_value(json_object_get(f, "name"));
        const char *group = json_string_value(json_object_get(f, "group"));
        for (size_t k = 0; k < 4; k++)
            ck_assert_msg(strcmp(group, banned_groups[k]) != 0, "%s is %s", name, group);
        for (size_t k = 0; k < sizeof banned_words / sizeof banned_words[0]; k++)
            ck_assert_msg(strstr(name, banned_words[k]) == NULL, "%s is an allergen", name);
        /* the cap on portions per food (default 2) */
        ck_assert_int_le((int)num(f, "portions"), 2);
        added += num(f, "mg");
    }
    ck_assert(added >= 120.0);
    ck_assert_double_eq_tol(num(j, "food_added_mg"), added, 1e-9);
    /* the allergens are listed as excluded */
    json_t *ex = json_object_get(j, "excluded_foods");
    int almonds = 0, peanut_butter = 0, milk = 0;
    for (size_t i = 0; i < json_array_size(ex); i++) {
        const char *n = json_string_value(json_array_get(ex, i));
        almonds |= strcmp(n, "almonds") == 0;
        peanut_butter |= strcmp(n, "peanut butter") == 0;
        milk |= strcmp(n, "milk") == 0;
    }
    ck_assert(almonds && peanut_butter && milk);
    check_ul(j);
    json_t *cur = option(j, "current"), *sup = option(j, "supplement"), *food = option(j, "food");
    ck_assert_ptr_nonnull(cur);
    ck_assert_ptr_nonnull(sup);
    ck_assert_ptr_nonnull(food);
    /* the dose is the gap rounded up to the 25-mg step: 125 mg */
    ck_assert_double_eq_tol(num(sup, "added_supplement_mg_per_day"), 125.0, 1e-9);
    /* general goal: with dinner, the largest meal */
    ck_assert_str_eq(json_string_value(json_object_get(sup, "time")), "19:00");
    /* direction: more Mg in, more CSF Mg (same diet, supplement 0 vs 125 mg; and food) */
    ck_assert(predicted(sup, "csf_mM") > predicted(cur, "csf_mM"));
    ck_assert(predicted(food, "csf_mM") > predicted(cur, "csf_mM"));
    ck_assert(isfinite(predicted(cur, "ltp_percent")) && isfinite(predicted(cur, "snr")));
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(j, "note")), "not medical"));
    ck_assert(json_array_size(json_object_get(j, "parameters")) > 10);
    /* report.html holds every option; the resolved profile loads back */
    char *html = rd_slurp(rd_path(path, sizeof path, dir, "report.html"));
    ck_assert_ptr_nonnull(html);
    json_t *opts = json_object_get(j, "options");
    for (size_t i = 0; i < json_array_size(opts); i++) {
        const char *label = json_string_value(json_object_get(json_array_get(opts, i), "label"));
        ck_assert_msg(strstr(html, label) != NULL, "report.html lacks option '%s'", label);
    }
    ck_assert_ptr_nonnull(strstr(html, "not medical advice"));
    free(html);
    ck_assert(rd_exists(dir, "profile.resolved.yaml"));
    char d2[512];
    fresh_dir("vegan_again", d2, sizeof d2);
    const char *again[] = {
        "plan", rd_path(path, sizeof path, dir, "profile.resolved.yaml"), "-o", d2, "-q", NULL};
    expect(again, 0, NULL, NULL);
    json_t *k = load_summary(d2);
    ck_assert_double_eq_tol(predicted(option(k, "supplement"), "csf_mM"), predicted(sup, "csf_mM"),
                            1e-12);
    json_decref(k);
    json_decref(j);
}
END_TEST

/* A gap larger than the UL (30 mg/day against 420 for a man of 45): the supplement is capped
 * at 350 mg/day; with 300 mg/day already taken, no option adds more than 50 mg. */
START_TEST(gap_above_ul) {
    char dir[512];
    const char *extra[] = {"--set", "duration_days=2", NULL};
    json_t *j = plan("big_gap",
                     "person: {age_y: 45, sex: male, weight_kg: 80}\n"
                     "diet: {mg_per_day: 30}\n"
                     "goal: focus\n",
                     extra, dir, sizeof dir);
    ck_assert_double_eq_tol(num(json_object_get(j, "assessment"), "gap_mg"), 390.0, 1e-9);
    check_ul(j);
    json_t *sup = option(j, "supplement");
    ck_assert_ptr_nonnull(sup);
    ck_assert_double_eq_tol(num(sup, "added_supplement_mg_per_day"), UL_MG, 1e-9);
    /* focus: the morning with breakfast (the model's 08:00 meal) */
    ck_assert_str_eq(json_string_value(json_object_get(sup, "time")), "08:00");
    ck_assert(json_is_true(json_object_get(sup, "with_food")));
    ck_assert(predicted(sup, "csf_mM") > predicted(option(j, "current"), "csf_mM"));
    json_t *mgt = option(j, "threonate");
    ck_assert_ptr_nonnull(mgt);
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(mgt, "evidence")), "ANIMAL"));
    json_decref(j);
    j = plan("big_gap_supp",
             "person: {age_y: 45, sex: male, weight_kg: 80}\n"
             "diet: {mg_per_day: 30}\n"
             "goal: focus\n"
             "regimen:\n"
             "  doses:\n"
             "    - {time: \"08:00\", mg: 300, form: citrate}\n",
             extra, dir, sizeof dir);
    check_ul(j);
    json_t *opts = json_object_get(j, "options");
    for (size_t i = 0; i < json_array_size(opts); i++)
        ck_assert(num(json_array_get(opts, i), "added_supplement_mg_per_day") <= 50.0 + 1e-9);
    json_decref(j);
}
END_TEST

static double clock_h(const char *hhmm) {
    int h = 0, m = 0;
    ck_assert_int_eq(sscanf(hhmm, "%d:%d", &h, &m), 2);
    return h + m / 60.0;
}

/* Goal sleep: the dose 30-60 min before bedtime, also across midnight; sleep readouts come. */
START_TEST(sleep_timing) {
    char dir[512];
    static const char *const bedtimes[2] = {"22:30", "00:20"};
    for (int b = 0; b < 2; b++) {
        char profile[512], set[64];
        snprintf(profile, sizeof profile,
                 "person: {age_y: 50, sex: female, weight_kg: 60}\n"
                 "diet: {mg_per_day: 250}\n"
                 "goal: sleep\n"
                 "sleep: {bedtime: \"%s\"}\n",
                 bedtimes[b]);
        snprintf(set, sizeof set, "duration_days=%d", b == 0 ? 2 : 1);
        const char *extra[] = {"--set", set, NULL};
        json_t *j = plan(b == 0 ? "sleep" : "sleep_midnight", profile, extra, dir, sizeof dir);
        json_t *sup = option(j, "supplement");
        ck_assert_ptr_nonnull(sup);
        double lead =
            clock_h(bedtimes[b]) - clock_h(json_string_value(json_object_get(sup, "time")));
        if (lead < 0)
            lead += 24;
        ck_assert_msg(lead >= 0.5 - 1e-9 && lead <= 1.0 + 1e-9, "dose %.2f h before bed", lead);
        ck_assert(json_is_false(json_object_get(sup, "with_food")));
        ck_assert(predicted(sup, "total_sleep_min") > 0 && predicted(sup, "n3_pct") >= 0);
        check_ul(j);
        json_decref(j);
    }
}
END_TEST

/* eGFR 25 and a PPI: both warnings, on stderr and in summary.json; supplements for a clinician
 * only. eGFR 45: the caution. */
START_TEST(warnings) {
    char dir[512], path[600];
    fresh_dir("kidney", dir, sizeof dir);
    write_file(dir, "p.yaml",
               "person: {age_y: 70, sex: female, weight_kg: 60, egfr_ml_min: 25}\n"
               "diet: {mg_per_day: 200}\n"
               "medications: {ppi: true}\n",
               path, sizeof path);
    const char *args[] = {"plan", path, "-o", dir, "--set", "duration_days=1", NULL};
    run_result r = run(args);
    ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "eGFR 25"));
    ck_assert_ptr_nonnull(strstr(r.err, "without a clinician"));
    ck_assert_ptr_nonnull(strstr(r.err, "proton-pump"));
    ck_assert_ptr_nonnull(strstr(r.out, "ONLY WITH A CLINICIAN"));
    ck_assert_ptr_nonnull(strstr(r.out, "not medical advice"));
    result_free(&r);
    json_t *j = load_summary(dir);
    json_t *w = json_object_get(j, "warnings");
    int kidney = 0, ppi = 0;
    for (size_t i = 0; i < json_array_size(w); i++) {
        const char *t = json_string_value(json_array_get(w, i));
        kidney |= strstr(t, "hypermagnesaemia") != NULL;
        ppi |= strstr(t, "proton-pump") != NULL;
    }
    ck_assert(kidney && ppi);
    ck_assert(json_is_true(json_object_get(option(j, "supplement"), "clinician_only")));
    json_decref(j);
    const char *caution[] = {
        "plan", path, "-o", dir, "-q", "--set", "duration_days=1", "--set", "person.egfr_ml_min=45",
        NULL};
    expect(caution, 0, NULL, "CAUTION: eGFR 45");
}
END_TEST

/* Bad profiles: file:line:column and the valid names; values out of range. */
START_TEST(bad_input) {
    char dir[512], path[600];
    fresh_dir("bad", dir, sizeof dir);
    write_file(dir, "allergy.yaml",
               "person: {age_y: 40, sex: male}\nallergies: [peanut, kryptonite]\n", path,
               sizeof path);
    const char *a[] = {"plan", path, "-o", dir, "-q", NULL};
    expect(a, 78, NULL, "allergy.yaml:2:21: allergies[1]: unknown allergy 'kryptonite'");
    expect(a, 78, NULL, "tree nuts");
    write_file(dir, "pref.yaml", "person: {age_y: 40, sex: male}\npreferences: [carnivore]\n", path,
               sizeof path);
    const char *b[] = {"plan", path, "-o", dir, "-q", NULL};
    expect(b, 78, NULL, "pref.yaml:2:15: preferences[0]: unknown preference 'carnivore'");
    expect(b, 78, NULL, "nuts_seeds");
    write_file(dir, "age.yaml", "person: {age_y: 10, sex: male}\n", path, sizeof path);
    const char *c[] = {"plan", path, "-o", dir, "-q", NULL};
    expect(c, 65, NULL, "age.yaml:1:");
    const char *d[] = {
        "plan", path, "-o", dir, "-q", "--set", "person.age_y=40", "--set", "person.weight_kg=900",
        NULL};
    expect(d, 65, NULL, "person.weight_kg");
    ck_assert(!rd_exists(dir, "summary.json"));
    const char *h[] = {"help", "plan", NULL};
    expect(h, 0, "preferences", NULL);
    const char *g[] = {"--help", NULL};
    expect(g, 0, "  plan ", NULL);
}
END_TEST

static Suite *suite(void) {
    Suite *s = suite_create("cli_plan");
    TCase *t = tcase_create("plan");
    tcase_set_timeout(t, 300);
    tcase_add_test(t, gap_foods_allergies_files);
    tcase_add_test(t, gap_above_ul);
    tcase_add_test(t, sleep_timing);
    tcase_add_test(t, warnings);
    tcase_add_test(t, bad_input);
    suite_add_tcase(s, t);
    return s;
}

int main(void) {
    SRunner *r = srunner_create(suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
