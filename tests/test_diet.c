/* mgsim-test: unit */
/* Diet: the food and DRI tables (values equal to the NIH ODS table in the refs sheet,
 * data integrity), intake arithmetic of a plan, the assessment, unknown-food messages,
 * and `mgsim diet` end to end (exit codes, summary.json keys, no file left on error). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mgsim/diet.h"
#include "output_read.h"

#define DATA MGSIM_SOURCE_DIR "/data"
#define TMP  MGSIM_TEST_TMP "/diet"

static mg_diet_foods *load_foods(mg_context *ctx) {
    mg_diet_foods *f = NULL;
    mg_status st = mg_diet_foods_load(ctx, DATA "/foods.csv", &f);
    ck_assert_msg(st == MG_OK, "foods.csv: %s", mg_error_message(ctx));
    return f;
}

static mg_diet_dris *load_dris(mg_context *ctx) {
    mg_diet_dris *d = NULL;
    mg_status st = mg_diet_dris_load(ctx, DATA "/dri.csv", &d);
    ck_assert_msg(st == MG_OK, "dri.csv: %s", mg_error_message(ctx));
    return d;
}

static double dri(const mg_diet_dris *d, double age, mg_diet_sex sex, mg_diet_dri_kind kind) {
    const mg_diet_dri *r = mg_diet_dris_lookup(d, age, sex, kind);
    return r ? r->mg_per_day : NAN;
}

/* RDA, EAR, AI and UL equal the refs sheet (magnesium-physiology.md §11.1–11.3: NIH ODS
 * table of the IOM/FNB 1997 values) for several life stages. */
START_TEST(test_dri_values) {
    mg_context *ctx = mg_context_create();
    mg_diet_dris *d = load_dris(ctx);
    /* §11.1 RDA: adults */
    ck_assert_double_eq(dri(d, 25, MG_DIET_MALE, MG_DIET_RDA), 400);
    ck_assert_double_eq(dri(d, 25, MG_DIET_FEMALE, MG_DIET_RDA), 310);
    ck_assert_double_eq(dri(d, 40, MG_DIET_MALE, MG_DIET_RDA), 420);
    ck_assert_double_eq(dri(d, 40, MG_DIET_FEMALE, MG_DIET_RDA), 320);
    ck_assert_double_eq(dri(d, 70, MG_DIET_MALE, MG_DIET_RDA), 420);
    ck_assert_double_eq(dri(d, 120, MG_DIET_FEMALE, MG_DIET_RDA), 320);
    /* boundaries: 30.99 y is still 19-30 y, 31 y is 31-50 y */
    ck_assert_double_eq(dri(d, 30.99, MG_DIET_MALE, MG_DIET_RDA), 400);
    ck_assert_double_eq(dri(d, 31, MG_DIET_MALE, MG_DIET_RDA), 420);
    /* adolescents and children (both sexes the same below 14 y) */
    ck_assert_double_eq(dri(d, 16, MG_DIET_MALE, MG_DIET_RDA), 410);
    ck_assert_double_eq(dri(d, 16, MG_DIET_FEMALE, MG_DIET_RDA), 360);
    ck_assert_double_eq(dri(d, 10, MG_DIET_MALE, MG_DIET_RDA), 240);
    ck_assert_double_eq(dri(d, 10, MG_DIET_FEMALE, MG_DIET_RDA), 240);
    ck_assert_double_eq(dri(d, 6, MG_DIET_FEMALE, MG_DIET_RDA), 130);
    ck_assert_double_eq(dri(d, 2, MG_DIET_MALE, MG_DIET_RDA), 80);
    /* infants: AI 30 (0-6 mo) and 75 (7-12 mo), no RDA */
    ck_assert_double_eq(dri(d, 0.25, MG_DIET_MALE, MG_DIET_AI), 30);
    ck_assert_double_eq(dri(d, 0.75, MG_DIET_FEMALE, MG_DIET_AI), 75);
    ck_assert_ptr_null(mg_diet_dris_lookup(d, 0.25, MG_DIET_MALE, MG_DIET_RDA));
    /* pregnancy and lactation */
    ck_assert_double_eq(dri(d, 17, MG_DIET_PREGNANT, MG_DIET_RDA), 400);
    ck_assert_double_eq(dri(d, 25, MG_DIET_PREGNANT, MG_DIET_RDA), 350);
    ck_assert_double_eq(dri(d, 35, MG_DIET_PREGNANT, MG_DIET_RDA), 360);
    ck_assert_double_eq(dri(d, 17, MG_DIET_LACTATING, MG_DIET_RDA), 360);
    ck_assert_double_eq(dri(d, 25, MG_DIET_LACTATING, MG_DIET_RDA), 310);
    ck_assert_double_eq(dri(d, 35, MG_DIET_LACTATING, MG_DIET_RDA), 320);
    /* §11.2 EAR: 31+ y men 350, women 265; 19-30 y 330 / 255; 1-3 y 65 */
    ck_assert_double_eq(dri(d, 45, MG_DIET_MALE, MG_DIET_EAR), 350);
    ck_assert_double_eq(dri(d, 80, MG_DIET_FEMALE, MG_DIET_EAR), 265);
    ck_assert_double_eq(dri(d, 20, MG_DIET_MALE, MG_DIET_EAR), 330);
    ck_assert_double_eq(dri(d, 20, MG_DIET_FEMALE, MG_DIET_EAR), 255);
    ck_assert_double_eq(dri(d, 15, MG_DIET_FEMALE, MG_DIET_EAR), 300);
    ck_assert_double_eq(dri(d, 2, MG_DIET_FEMALE, MG_DIET_EAR), 65);
    /* §11.3 UL for supplemental Mg: 350 (>= 9 y), 65 (1-3 y), 110 (4-8 y) */
    ck_assert_double_eq(dri(d, 9, MG_DIET_MALE, MG_DIET_UL), 350);
    ck_assert_double_eq(dri(d, 50, MG_DIET_FEMALE, MG_DIET_UL), 350);
    ck_assert_double_eq(dri(d, 3, MG_DIET_FEMALE, MG_DIET_UL), 65);
    ck_assert_double_eq(dri(d, 8, MG_DIET_MALE, MG_DIET_UL), 110);
    /* every row has a source */
    for (size_t i = 0; i < mg_diet_dris_count(d); i++)
        ck_assert_int_gt(strlen(mg_diet_dris_at(d, i)->source), 0);
    mg_diet_dris_destroy(&d);
    ck_assert_ptr_null(d);
    mg_context_destroy(&ctx);
}
END_TEST

/* Every food: positive mg_per_100g and portion, non-empty source, unique lower-case name;
 * the ODS servings of the refs sheet (§13.1) come back from portion x mg_per_100g. */
START_TEST(test_food_integrity) {
    mg_context *ctx = mg_context_create();
    mg_diet_foods *f = load_foods(ctx);
    size_t n = mg_diet_foods_count(f);
    ck_assert_uint_ge(n, 40);
    for (size_t i = 0; i < n; i++) {
        const mg_diet_food *a = mg_diet_foods_at(f, i);
        ck_assert_msg(a->mg_per_100g > 0 && a->portion_g > 0, "%s", a->name);
        ck_assert_msg(strlen(a->source) > 0 && strlen(a->group) > 0, "%s", a->name);
        for (const char *c = a->name; *c; c++)
            ck_assert_msg((unsigned char)*c < 0x80 && !(*c >= 'A' && *c <= 'Z'), "%s", a->name);
        for (size_t j = i + 1; j < n; j++)
            ck_assert_str_ne(a->name, mg_diet_foods_at(f, j)->name);
    }
    /* §13.1 (ODS Table 2): mg per serving */
    static const struct {
        const char *name;
        double mg;
    } ods[] = {{"pumpkin seeds roasted", 156},
               {"chia seeds", 111},
               {"almonds dry roasted", 80},
               {"spinach boiled", 78},
               {"black beans cooked", 60},
               {"banana", 32},
               {"salmon", 26},
               {"carrot", 7},
               {"quinoa cooked", 118}};
    for (size_t i = 0; i < sizeof ods / sizeof ods[0]; i++) {
        const mg_diet_food *a = mg_diet_foods_find(f, ods[i].name);
        ck_assert_ptr_nonnull(a);
        ck_assert_double_eq_tol(a->portion_g * a->mg_per_100g / 100.0, ods[i].mg, 1e-3);
    }
    /* §13.2 per 100 g */
    ck_assert_double_eq(mg_diet_foods_find(f, "almonds")->mg_per_100g, 270);
    ck_assert_double_eq(mg_diet_foods_find(f, "whole-wheat flour")->mg_per_100g, 137);
    mg_diet_foods_destroy(&f);
    mg_context_destroy(&ctx);
}
END_TEST

/* A malformed row is refused with file:line. */
START_TEST(test_csv_errors) {
    mg_context *ctx = mg_context_create();
    mkdir(MGSIM_TEST_TMP, 0777);
    const char *path = TMP "_bad_foods.csv";
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fputs("name,food_group,mg_per_100g,portion_g,portion_desc,source\n"
          "apple,fruit,5,182,1 medium,somewhere\n"
          "pear,fruit,-1,100,1 medium,somewhere\n",
          fp);
    fclose(fp);
    mg_diet_foods *f = NULL;
    ck_assert_int_eq(mg_diet_foods_load(ctx, path, &f), MG_ERR_DATA);
    ck_assert_ptr_null(f);
    ck_assert_ptr_nonnull(strstr(mg_error_message(ctx), "_bad_foods.csv:3:"));
    fp = fopen(path, "w");
    fputs("name,food_group,mg_per_100g,portion_g,portion_desc,source\n"
          "apple,fruit,5,182,1 medium,x\napple,fruit,5,182,1 medium,x\n",
          fp);
    fclose(fp);
    ck_assert_int_eq(mg_diet_foods_load(ctx, path, &f), MG_ERR_DATA);
    ck_assert_ptr_nonnull(strstr(mg_error_message(ctx), "duplicate"));
    ck_assert_int_eq(mg_diet_foods_load(ctx, TMP "_missing.csv", &f), MG_ERR_NOINPUT);
    unlink(path);
    mg_context_destroy(&ctx);
}
END_TEST

static mg_status plan_from(mg_context *ctx, const mg_diet_foods *f, const char *text,
                           const char *const *sets, size_t n_sets, mg_diet_plan **p) {
    return mg_diet_plan_load_buffer(ctx, "plan.yaml", text, strlen(text), sets, n_sets, f, p);
}

/* 100 g of almonds + 2 portions of banana + 1 portion of spinach = the hand-computed sum. */
START_TEST(test_intake_sum) {
    mg_context *ctx = mg_context_create();
    mg_diet_foods *f = load_foods(ctx);
    mg_diet_plan *p = NULL;
    mg_status st = plan_from(ctx, f,
                             "person: {age_y: 40, sex: female, weight_kg: 60}\n"
                             "meals:\n"
                             "  breakfast:\n"
                             "    - {food: almonds, grams: 100}\n"
                             "    - {food: banana, portions: 2}\n"
                             "  dinner:\n"
                             "    - {food: spinach boiled, portions: 1}\n",
                             NULL, 0, &p);
    ck_assert_msg(st == MG_OK, "%s", mg_error_message(ctx));
    const mg_diet_food *ban = mg_diet_foods_find(f, "banana");
    const mg_diet_food *spi = mg_diet_foods_find(f, "spinach boiled");
    double want = 100.0 * 270.0 / 100.0 + 2.0 * ban->portion_g * ban->mg_per_100g / 100.0 +
                  spi->portion_g * spi->mg_per_100g / 100.0;
    ck_assert_uint_eq(p->n_items, 3);
    ck_assert_double_eq_tol(mg_diet_plan_intake_mg(p), want, 1e-9);
    /* and in ODS units: 270 + 2 x 32 + 78 mg */
    ck_assert_double_eq_tol(mg_diet_plan_intake_mg(p), 270.0 + 64.0 + 78.0, 1e-4);
    ck_assert_double_eq_tol(p->items[1].grams, 2.0 * ban->portion_g, 1e-12);
    ck_assert_double_eq(p->weight_kg, 60);
    ck_assert_str_eq(p->items[2].meal, "dinner");
    mg_diet_plan_destroy(&p);
    ck_assert_ptr_null(p);

    /* a fixed intake, set from the command line, spread over three meals */
    const char *sets[] = {"diet.mg_per_day=300", "person.sex=male"};
    st = plan_from(ctx, f, "person: {age_y: 40, sex: female}\n", sets, 2, &p);
    ck_assert_msg(st == MG_OK, "%s", mg_error_message(ctx));
    ck_assert_int_eq(p->fixed, 1);
    ck_assert_int_eq(p->sex, MG_DIET_MALE);
    ck_assert_uint_eq(p->n_items, 3);
    ck_assert_double_eq_tol(mg_diet_plan_intake_mg(p), 300.0, 1e-9);
    mg_diet_plan_destroy(&p);
    mg_diet_foods_destroy(&f);
    mg_context_destroy(&ctx);
}
END_TEST

/* percent_rda = 100 intake / RDA and the three verdicts, for a 40-year-old woman
 * (RDA 320, EAR 265) and an infant (AI only). */
START_TEST(test_assess) {
    mg_context *ctx = mg_context_create();
    mg_diet_dris *d = load_dris(ctx);
    mg_diet_assessment a;
    ck_assert_int_eq(mg_diet_assess(ctx, d, 40, MG_DIET_FEMALE, 240, &a), MG_OK);
    ck_assert_double_eq_tol(a.percent_rda, 75.0, 1e-12);
    ck_assert_int_eq(a.verdict, MG_DIET_BELOW_EAR);
    ck_assert_int_eq(mg_diet_assess(ctx, d, 40, MG_DIET_FEMALE, 300, &a), MG_OK);
    ck_assert_double_eq_tol(a.percent_rda, 93.75, 1e-12);
    ck_assert_int_eq(a.verdict, MG_DIET_BETWEEN_EAR_AND_RDA);
    ck_assert_int_eq(mg_diet_assess(ctx, d, 40, MG_DIET_FEMALE, 320, &a), MG_OK);
    ck_assert_double_eq_tol(a.percent_rda, 100.0, 1e-12);
    ck_assert_int_eq(a.verdict, MG_DIET_AT_OR_ABOVE_RDA);
    ck_assert_double_eq(a.ear_mg, 265);
    ck_assert_double_eq(a.ul_supplement_mg, 350);
    ck_assert_int_eq(mg_diet_assess(ctx, d, 0.2, MG_DIET_MALE, 20, &a), MG_OK);
    ck_assert(isnan(a.percent_rda) && isnan(a.rda_mg));
    ck_assert_int_eq(a.verdict, MG_DIET_BELOW_AI);
    ck_assert_int_eq(mg_diet_assess(ctx, d, 40, MG_DIET_FEMALE, -1, &a), MG_ERR_DATA);
    ck_assert_int_eq(mg_diet_assess(ctx, d, 121, MG_DIET_FEMALE, 100, &a), MG_ERR_DATA);
    mg_diet_dris_destroy(&d);
    mg_context_destroy(&ctx);
}
END_TEST

/* Bad plans: status, and the message names file:line:column or the --set at fault. */
START_TEST(test_plan_errors) {
    mg_context *ctx = mg_context_create();
    mg_diet_foods *f = load_foods(ctx);
    mg_diet_plan *p = NULL;
    const char *head = "person: {age_y: 40, sex: female}\n";
    char text[512];
    snprintf(text, sizeof text, "%smeals:\n  lunch:\n    - {food: almond, grams: 30}\n", head);
    ck_assert_int_eq(plan_from(ctx, f, text, NULL, 0, &p), MG_ERR_CONFIG);
    ck_assert_ptr_null(p);
    const char *msg = mg_error_message(ctx);
    ck_assert_msg(strstr(msg, "plan.yaml:4:14:") && strstr(msg, "'almonds'"), "%s", msg);
    const char *near[3];
    ck_assert_uint_eq(mg_diet_foods_suggest(f, "almond", near, 3), 3);
    ck_assert_str_eq(near[0], "almonds");

    snprintf(text, sizeof text, "%smeals:\n  lunch:\n    - {food: almonds, grams: -5}\n", head);
    ck_assert_int_eq(plan_from(ctx, f, text, NULL, 0, &p), MG_ERR_DATA);
    ck_assert_ptr_nonnull(strstr(mg_error_message(ctx), "plan.yaml:4:30:"));

    snprintf(text, sizeof text,
             "%smeals:\n  lunch:\n    - {food: almonds, grams: 5, portions: 1}\n", head);
    ck_assert_int_eq(plan_from(ctx, f, text, NULL, 0, &p), MG_ERR_CONFIG);

    const char *age[] = {"person.age_y=130"};
    snprintf(text, sizeof text, "%sdiet: {mg_per_day: 300}\n", head);
    ck_assert_int_eq(plan_from(ctx, f, text, age, 1, &p), MG_ERR_DATA);
    ck_assert_ptr_nonnull(strstr(mg_error_message(ctx), "--set #1"));
    const char *sex[] = {"person.sex=other"};
    ck_assert_int_eq(plan_from(ctx, f, text, sex, 1, &p), MG_ERR_CONFIG);
    const char *bad_key[] = {"person.height_cm=170"};
    ck_assert_int_eq(plan_from(ctx, f, text, bad_key, 1, &p), MG_ERR_CONFIG);

    /* both, and neither, of diet.mg_per_day and meals */
    snprintf(text, sizeof text,
             "%sdiet: {mg_per_day: 300}\nmeals:\n  lunch:\n    - {food: apple, portions: 1}\n",
             head);
    ck_assert_int_eq(plan_from(ctx, f, text, NULL, 0, &p), MG_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(mg_error_message(ctx), "plan.yaml:2:8:"));
    ck_assert_int_eq(plan_from(ctx, f, head, NULL, 0, &p), MG_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(mg_error_message(ctx), "either"));
    ck_assert_int_eq(plan_from(ctx, f, "person: {age_y: 40}\ndiet: {mg_per_day: 1}\n", NULL, 0, &p),
                     MG_ERR_CONFIG);
    ck_assert_ptr_null(p);
    mg_diet_foods_destroy(&f);
    mg_context_destroy(&ctx);
}
END_TEST

/* Run mgsim with args (without argv[0]); stderr into *err (malloc'd) when err != NULL. */
static int run_mgsim(const char *const *args, char **err) {
    const char *argv[32];
    size_t n = 0;
    argv[n++] = MGSIM_BINARY;
    for (size_t i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    char err_path[512];
    mkdir(MGSIM_TEST_TMP, 0777);
    snprintf(err_path, sizeof err_path, "%s/diet_stderr_%d.txt", MGSIM_TEST_TMP, (int)getpid());
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int o = open("/dev/null", O_WRONLY);
        int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (o < 0 || e < 0)
            _exit(127);
        dup2(o, STDOUT_FILENO);
        dup2(e, STDERR_FILENO);
        execv(MGSIM_BINARY, (char *const *)argv);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (err)
        *err = rd_slurp(err_path);
    unlink(err_path);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* `mgsim diet`: the examples run, summary.json has the required keys, bad input exits 65/78
 * and leaves no file behind. */
START_TEST(test_command) {
    char dir[512];
    rd_join(dir, sizeof dir, TMP, "_", "out");
    rd_remove_dir(dir);
    const char *typical = MGSIM_SOURCE_DIR "/examples/diet/typical-day.yaml";
    const char *fixed = MGSIM_SOURCE_DIR "/examples/diet/fixed-intake.yaml";
    ck_assert_int_eq(run_mgsim((const char *[]){"diet", "--help", NULL}, NULL), 0);
    ck_assert_int_eq(run_mgsim((const char *[]){"diet", typical, "-o", dir, NULL}, NULL), 0);
    char path[600];
    rd_path(path, sizeof path, dir, "summary.json");
    json_error_t je;
    json_t *s = json_load_file(path, 0, &je);
    ck_assert_msg(s != NULL, "%s: %s", path, je.text);
    static const char *const keys[] = {"intake_mg_per_day", "rda_mg", "ear_mg",
                                       "percent_rda",       "person", "sources",
                                       "version",           "note"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        ck_assert_msg(json_object_get(s, keys[i]) != NULL, "summary.json lacks %s", keys[i]);
    ck_assert_double_eq(json_real_value(json_object_get(s, "rda_mg")), 320);
    ck_assert_double_eq(json_real_value(json_object_get(s, "ear_mg")), 265);
    double intake = json_real_value(json_object_get(s, "intake_mg_per_day"));
    ck_assert_double_eq_tol(json_real_value(json_object_get(s, "percent_rda")),
                            100.0 * intake / 320.0, 1e-9);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(s, "person"), "sex")),
                     "female");
    ck_assert_uint_ge(json_array_size(json_object_get(s, "sources")), 2);
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(s, "note")), "not medical"));
    json_decref(s);
    ck_assert(rd_exists(dir, "intake.csv"));
    ck_assert_int_eq(rd_count_hidden(dir), 0);
    rd_remove_dir(dir);

    ck_assert_int_eq(run_mgsim((const char *[]){"diet", fixed, "-q", NULL}, NULL), 0);
    char *err = NULL;
    ck_assert_int_eq(
        run_mgsim((const char *[]){"diet", fixed, "--set", "person.age_y=-1", "-o", dir, NULL},
                  &err),
        65);
    ck_assert_ptr_nonnull(strstr(err, "--set #1"));
    free(err);
    ck_assert_int_le(rd_count_entries(dir), 0); /* not created, or empty */
    ck_assert(!rd_exists(dir, "summary.json"));
    ck_assert_int_eq(
        run_mgsim((const char *[]){"diet", typical, "--set", "diet.mg_per_day=300", NULL}, &err),
        78);
    free(err);
    ck_assert_int_eq(
        run_mgsim((const char *[]){"diet", typical, "--set", "person.sex=x", NULL}, NULL), 78);
    ck_assert_int_eq(run_mgsim((const char *[]){"diet", TMP "_nope.yaml", NULL}, NULL), 66);
    ck_assert_int_eq(run_mgsim((const char *[]){"diet", NULL}, NULL), 64);
    ck_assert_int_eq(run_mgsim((const char *[]){"diet", typical, "--bogus", NULL}, NULL), 64);
}
END_TEST

static Suite *diet_suite(void) {
    Suite *s = suite_create("diet");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_dri_values);
    tcase_add_test(tc, test_food_integrity);
    tcase_add_test(tc, test_csv_errors);
    tcase_add_test(tc, test_intake_sum);
    tcase_add_test(tc, test_assess);
    tcase_add_test(tc, test_plan_errors);
    tcase_add_test(tc, test_command);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(diet_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
