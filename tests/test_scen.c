/* mgsim-test: unit */
/* The scenario key tables (src/io/scen.c): loading with line/column errors,
 * --set, suggestions, the resolved echo round trip and the parameter list. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/scen.h"

typedef struct {
    double age_y;
    int sex;
    double weight_kg;
    double bedtime_h;
} person_t;

typedef struct {
    uint64_t nights;
    int coupled;
    double gain;
    char label[MG_SCEN_TEXT_MAX];
} run_t;

static const char *const sexes[] = {"female", "male", NULL};

static const mg_scen_key keys[] = {
    {"person.age_y", MG_SCEN_NUMBER, 0, offsetof(person_t, age_y), "y", 0, 120, 0, NULL,
     "age of the person", "user input"},
    {"person.sex", MG_SCEN_ENUM, 0, offsetof(person_t, sex), "", 0, 0, 0, sexes, "sex",
     "user input"},
    {"person.weight_kg", MG_SCEN_NUMBER, 0, offsetof(person_t, weight_kg), "kg", 0, 400,
     MG_SCEN_MIN_EXCL | MG_SCEN_OPTIONAL, NULL, "body weight", "user input"},
    {"sleep.bedtime", MG_SCEN_CLOCK, 0, offsetof(person_t, bedtime_h), "", 0, 0, 0, NULL,
     "habitual bedtime", "user input"},
    {"sleep.nights", MG_SCEN_UINT, 1, offsetof(run_t, nights), "", 1, 365, 0, NULL,
     "nights to simulate", "user input"},
    {"model.coupling.on", MG_SCEN_BOOL, 1, offsetof(run_t, coupled), "", 0, 0, 0, NULL,
     "couple the models", "assumption"},
    {"model.coupling.gain", MG_SCEN_NUMBER, 1, offsetof(run_t, gain), "1/mM", 0, INFINITY, 0, NULL,
     "coupling gain", "assumption: none published"},
    {"model.label", MG_SCEN_TEXT, 1, offsetof(run_t, label), "", 0, 0, 0, NULL, "a label",
     "user input"},
};

static const char *const custom[] = {"regimen.doses", NULL};
static const mg_scen_schema schema = {keys, sizeof keys / sizeof keys[0], custom};

typedef struct {
    int calls;
    size_t items;
} custom_seen;

static mg_status load_doses(mg_context *ctx, const mg_yaml_doc *doc, const char *key,
                            const mg_yaml_node *node, void *data) {
    custom_seen *cs = data;
    ck_assert_str_eq(key, "regimen.doses");
    cs->calls++;
    if (node->kind != MG_YAML_SEQ)
        return mg_error_raise(ctx, MG_ERR_CONFIG, "doses: expected a list");
    for (size_t i = 0; i < node->n; i++) {
        double mg;
        mg_status st =
            mg_scen_number(ctx, doc, node->items[i], "regimen.doses[]", "mg", 0, 5000, &mg);
        if (st != MG_OK)
            return st;
        cs->items++;
    }
    return MG_OK;
}

static void defaults(person_t *p, run_t *r) {
    *p = (person_t){35, 0, NAN, 23.0};
    *r = (run_t){7, 0, 0.5, "base"};
    strcpy(r->label, "base");
}

/* Load text with optional sets; returns status, message into msg. */
static mg_status load(const char *text, const char *set, person_t *p, run_t *r, custom_seen *cs,
                      char *msg, size_t cap) {
    mg_context *ctx = mg_context_create();
    mg_yaml_doc *doc = NULL;
    mg_status st = mg_yaml_parse(ctx, "s.yaml", text, strlen(text), &doc);
    if (st == MG_OK && set)
        st = mg_yaml_apply_set(ctx, doc, set);
    void *bases[2] = {p, r};
    if (st == MG_OK)
        st = mg_scen_load(ctx, doc, &schema, bases, load_doses, cs);
    snprintf(msg, cap, "%s", mg_error_message(ctx));
    mg_yaml_free(&doc);
    mg_context_destroy(&ctx);
    return st;
}

START_TEST(loads_every_type) {
    person_t p;
    run_t r;
    defaults(&p, &r);
    custom_seen cs = {0, 0};
    char msg[512];
    const char *text = "person:\n  age_y: 71\n  sex: male\n  weight_kg: 80.5\n"
                       "sleep:\n  bedtime: \"22:45\"\n  nights: 3\n"
                       "model:\n  coupling: {on: true, gain: 2}\n  label: trial\n"
                       "regimen:\n  doses: [100, 200]\n";
    ck_assert_int_eq(load(text, NULL, &p, &r, &cs, msg, sizeof msg), MG_OK);
    ck_assert_double_eq(p.age_y, 71);
    ck_assert_int_eq(p.sex, 1);
    ck_assert_double_eq(p.weight_kg, 80.5);
    ck_assert_double_eq_tol(p.bedtime_h, 22.75, 1e-12);
    ck_assert_uint_eq(r.nights, 3);
    ck_assert_int_eq(r.coupled, 1);
    ck_assert_double_eq(r.gain, 2);
    ck_assert_str_eq(r.label, "trial");
    ck_assert_int_eq(cs.calls, 1);
    ck_assert_uint_eq(cs.items, 2);
}
END_TEST

START_TEST(empty_document_keeps_defaults) {
    person_t p;
    run_t r;
    defaults(&p, &r);
    custom_seen cs = {0, 0};
    char msg[512];
    ck_assert_int_eq(load("", NULL, &p, &r, &cs, msg, sizeof msg), MG_OK);
    ck_assert_double_eq(p.age_y, 35);
    ck_assert(isnan(p.weight_kg));
    ck_assert_int_eq(cs.calls, 0);
}
END_TEST

START_TEST(errors_name_line_column_and_fix) {
    person_t p;
    run_t r;
    custom_seen cs = {0, 0};
    char msg[512];
    defaults(&p, &r);
    ck_assert_int_eq(load("person:\n  agee_y: 3\n", NULL, &p, &r, &cs, msg, sizeof msg),
                     MG_ERR_CONFIG);
    ck_assert_msg(strstr(msg, "s.yaml:2:3") && strstr(msg, "did you mean 'person.age_y'"), "%s",
                  msg);
    ck_assert_int_eq(load("person:\n  age_y: 130\n", NULL, &p, &r, &cs, msg, sizeof msg),
                     MG_ERR_DATA);
    ck_assert_msg(strstr(msg, "s.yaml:2:10") && strstr(msg, "0 to 120 y") && strstr(msg, "130"),
                  "%s", msg);
    ck_assert_int_eq(load("person: {sex: other}\n", NULL, &p, &r, &cs, msg, sizeof msg),
                     MG_ERR_CONFIG);
    ck_assert_msg(strstr(msg, "female, male"), "%s", msg);
    ck_assert_int_eq(load("sleep: {bedtime: \"25:00\"}\n", NULL, &p, &r, &cs, msg, sizeof msg),
                     MG_ERR_CONFIG);
    ck_assert_msg(strstr(msg, "HH:MM"), "%s", msg);
    ck_assert_int_eq(load("sleep: {nights: 0}\n", NULL, &p, &r, &cs, msg, sizeof msg), MG_ERR_DATA);
    ck_assert_int_eq(load("sleep: {nights: 2.5}\n", NULL, &p, &r, &cs, msg, sizeof msg),
                     MG_ERR_CONFIG);
    ck_assert_int_eq(load("person: 3\n", NULL, &p, &r, &cs, msg, sizeof msg), MG_ERR_CONFIG);
    ck_assert_msg(strstr(msg, "is a section") && strstr(msg, "age_y"), "%s", msg);
    ck_assert_int_eq(load("person:\n  weight_kg: 0\n", NULL, &p, &r, &cs, msg, sizeof msg),
                     MG_ERR_DATA);
    ck_assert_msg(strstr(msg, "> 0"), "%s", msg);
    ck_assert_int_eq(load("zzz: 1\n", NULL, &p, &r, &cs, msg, sizeof msg), MG_ERR_CONFIG);
    ck_assert_msg(strstr(msg, "top-level keys: person, sleep, model, regimen"), "%s", msg);
    ck_assert_int_eq(load("person: {age_y: \"30\"}\n", NULL, &p, &r, &cs, msg, sizeof msg),
                     MG_ERR_CONFIG);
    ck_assert_int_eq(load("regimen: {doses: [10, -1]}\n", NULL, &p, &r, &cs, msg, sizeof msg),
                     MG_ERR_DATA);
    ck_assert_msg(strstr(msg, "s.yaml:1:23"), "%s", msg);
}
END_TEST

START_TEST(set_overrides_and_names_itself) {
    person_t p;
    run_t r;
    custom_seen cs = {0, 0};
    char msg[512];
    defaults(&p, &r);
    ck_assert_int_eq(load("person: {age_y: 40}\n", "person.age_y=50", &p, &r, &cs, msg, sizeof msg),
                     MG_OK);
    ck_assert_double_eq(p.age_y, 50);
    ck_assert_int_eq(load("", "person.age_y=-5", &p, &r, &cs, msg, sizeof msg), MG_ERR_DATA);
    ck_assert_msg(strstr(msg, "--set #1"), "%s", msg);
}
END_TEST

START_TEST(required_keys) {
    static const mg_scen_key req[] = {
        {"a.b", MG_SCEN_NUMBER, 0, 0, "", 0, 1, MG_SCEN_REQUIRED, NULL, "the b", "user input"}};
    mg_scen_schema s = {req, 1, NULL};
    double v = 0;
    void *bases[1] = {&v};
    mg_context *ctx = mg_context_create();
    mg_yaml_doc *doc = NULL;
    ck_assert_int_eq(mg_yaml_parse(ctx, "r.yaml", "a: {}\n", 6, &doc), MG_OK);
    ck_assert_int_eq(mg_scen_load(ctx, doc, &s, bases, NULL, NULL), MG_ERR_CONFIG);
    ck_assert_msg(strstr(mg_error_message(ctx), "missing required key 'a.b'"), "%s",
                  mg_error_message(ctx));
    mg_yaml_free(&doc);
    mg_context_destroy(&ctx);
}
END_TEST

/* Writing the values and loading them back gives the same values, bit for bit. */
START_TEST(resolved_round_trip) {
    person_t p, p2;
    run_t r, r2;
    defaults(&p, &r);
    p.age_y = 1.0 / 3.0;
    p.weight_kg = 70.1;
    p.bedtime_h = 23.5;
    r.gain = 1e-7;
    r.coupled = 1;
    strcpy(r.label, "a \"quoted\" label");
    void *bases[2] = {&p, &r};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_int_eq(mg_scen_write_yaml(f, &schema, bases), 0);
    fclose(f);
    defaults(&p2, &r2);
    custom_seen cs = {0, 0};
    char msg[512];
    ck_assert_msg(load(buf, NULL, &p2, &r2, &cs, msg, sizeof msg) == MG_OK, "%s\n%s", msg, buf);
    ck_assert(p2.age_y == p.age_y);
    ck_assert(p2.weight_kg == p.weight_kg);
    ck_assert(p2.bedtime_h == p.bedtime_h);
    ck_assert(r2.gain == r.gain);
    ck_assert_int_eq(r2.coupled, 1);
    ck_assert_str_eq(r2.label, r.label);
    ck_assert_msg(strstr(buf, "model:\n  coupling:\n    on: true\n    gain: 1e-07\n  label:"), "%s",
                  buf);
    free(buf);
}
END_TEST

START_TEST(params_json_and_help) {
    person_t p;
    run_t r;
    defaults(&p, &r);
    void *bases[2] = {&p, &r};
    json_t *a = mg_scen_params_json(&schema, bases);
    ck_assert_ptr_nonnull(a);
    ck_assert_uint_eq(json_array_size(a), schema.n_keys);
    json_t *w = json_array_get(a, 2);
    ck_assert_str_eq(json_string_value(json_object_get(w, "key")), "person.weight_kg");
    ck_assert(json_is_null(json_object_get(w, "value")));
    json_t *b = json_array_get(a, 3);
    ck_assert_str_eq(json_string_value(json_object_get(b, "value")), "23:00");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(a, 6), "source")),
                     "assumption: none published");
    json_decref(a);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    mg_scen_print_keys(f, &schema, bases);
    fclose(f);
    ck_assert_msg(strstr(buf, "person.age_y = 35  (number, y; 0 to 120)"), "%s", buf);
    ck_assert_msg(strstr(buf, "person.sex = female  (female | male)"), "%s", buf);
    ck_assert_msg(strstr(buf, "[assumption: none published]"), "%s", buf);
    free(buf);
}
END_TEST

START_TEST(clock_parse_and_format) {
    double h;
    ck_assert_int_eq(mg_scen_parse_clock("7:05", &h), 0);
    ck_assert_double_eq_tol(h, 7.0 + 5.0 / 60.0, 1e-12);
    ck_assert_int_eq(mg_scen_parse_clock("23:59", &h), 0);
    ck_assert_int_eq(mg_scen_parse_clock("24:00", &h), -1);
    ck_assert_int_eq(mg_scen_parse_clock("12:60", &h), -1);
    ck_assert_int_eq(mg_scen_parse_clock("12:5", &h), -1);
    ck_assert_int_eq(mg_scen_parse_clock("1200", &h), -1);
    ck_assert_int_eq(mg_scen_parse_clock("", &h), -1);
    char buf[8];
    ck_assert_str_eq(mg_scen_format_clock(25.5, buf, sizeof buf), "01:30");
    ck_assert_str_eq(mg_scen_format_clock(-0.25, buf, sizeof buf), "23:45");
    ck_assert_str_eq(mg_scen_format_clock(23.9999, buf, sizeof buf), "00:00");
}
END_TEST

int main(void) {
    Suite *s = suite_create("scen");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, loads_every_type);
    tcase_add_test(tc, empty_document_keeps_defaults);
    tcase_add_test(tc, errors_name_line_column_and_fix);
    tcase_add_test(tc, set_overrides_and_names_itself);
    tcase_add_test(tc, required_keys);
    tcase_add_test(tc, resolved_round_trip);
    tcase_add_test(tc, params_json_and_help);
    tcase_add_test(tc, clock_parse_and_format);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
