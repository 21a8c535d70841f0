/* mgsim-test: unit */
/* report.html (src/io/report.c): escaping, the plots list, the inlined Vega,
 * and, where Node.js is installed, every plot rendering to SVG with that Vega. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/report.h"

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

static const char *build(const char *path) {
    mg_context *ctx = mg_context_create();
    mg_report *r = mg_report_create("Test <report>");
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(mg_report_heading(ctx, r, "Serum & CSF"), MG_OK);
    ck_assert_int_eq(mg_report_text(ctx, r, "a < b </script> c"), MG_OK);
    const char *hdr[2] = {"key", "value"};
    const char *cells[4] = {"person.age_y", "35", "note", NULL};
    ck_assert_int_eq(mg_report_table(ctx, r, "Parameters", 2, hdr, 2, cells), MG_OK);
    double x[5] = {0, 1, 2, 3, 4}, a[5] = {0.8, 0.82, NAN, 0.85, 0.86},
           b[5] = {1, 1.1, 1.05, 1.08, 1.1};
    const double *ys[2] = {a, b};
    const char *names[2] = {"serum", "csf </script>"};
    double refs[1] = {0.75};
    const char *ref_names[1] = {"lower limit"};
    mg_report_line_opts o = {0};
    o.xlabel = "day";
    o.ylabel = "mM";
    o.n_refs = 1;
    o.ref_y = refs;
    o.ref_names = ref_names;
    ck_assert_int_eq(mg_report_lines(ctx, r, "Mg over time", 5, x, 2, names, ys, &o), MG_OK);
    double stage[5] = {0, 2, 3, 4, 1};
    const double *st1[1] = {stage};
    const char *stages[5] = {"W", "REM", "N1", "N2", "N3"};
    mg_report_line_opts h = {0};
    h.step = 1;
    h.y_names = stages;
    h.n_y_names = 5;
    ck_assert_int_eq(mg_report_lines(ctx, r, "Hypnogram", 5, x, 1, NULL, st1, &h), MG_OK);
    const char *labels[3] = {"N1", "N2", "N3"};
    double vals[3] = {5, 50, 20};
    ck_assert_int_eq(mg_report_bars(ctx, r, "Stages", "stage", "%", 3, labels, vals), MG_OK);
    ck_assert_int_eq(mg_report_lines(ctx, r, "empty", 0, x, 1, NULL, st1, NULL), MG_ERR_DATA);
    ck_assert_uint_eq(mg_report_plot_count(r), 3);
    FILE *f = fopen(path, "w");
    ck_assert_int_eq(mg_report_write(ctx, r, f, NULL), MG_OK);
    fclose(f);
    FILE *g = fopen(MGSIM_TEST_TMP "/report_bad.html", "w");
    ck_assert_int_eq(mg_report_write(ctx, r, g, "/nonexistent"), MG_ERR_NOINPUT);
    ck_assert_msg(strstr(mg_error_message(ctx), "libjs-vega"), "%s", mg_error_message(ctx));
    fclose(g);
    mg_report_destroy(&r);
    mg_context_destroy(&ctx);
    return path;
}

START_TEST(page_is_escaped_and_self_contained) {
    const char *path = build(MGSIM_TEST_TMP "/report.html");
    char *s = slurp(path);
    ck_assert_ptr_nonnull(strstr(s, "<title>Test &lt;report&gt;</title>"));
    ck_assert_ptr_nonnull(strstr(s, "<h2>Serum &amp; CSF</h2>"));
    ck_assert_ptr_nonnull(strstr(s, "<p>a &lt; b &lt;/script&gt; c</p>"));
    ck_assert_ptr_nonnull(strstr(s, "<td>person.age_y</td><td>35</td>"));
    ck_assert_ptr_nonnull(strstr(s, "not medical advice"));
    /* three plot containers, and no "</script>" inside the plot data */
    ck_assert_ptr_nonnull(strstr(s, "id=\"plot3\""));
    ck_assert_ptr_null(strstr(s, "id=\"plot4\""));
    ck_assert_ptr_nonnull(strstr(s, "csf <\\/script>"));
    /* Vega is inlined, nothing is fetched */
    ck_assert_ptr_nonnull(strstr(s, "__m['vega-view']=module.exports"));
    ck_assert_ptr_null(strstr(s, "src=\"http"));
    ck_assert_ptr_null(strstr(s, "sourceMappingURL"));
    free(s);
}
END_TEST

/* Every plot's Vega spec parses and renders to SVG with the page's own Vega. */
START_TEST(plots_render_with_inlined_vega) {
    if (system("command -v node >/dev/null 2>&1") != 0) {
        fprintf(stderr, "test_report: node not found; render check skipped\n");
        return;
    }
    const char *path = build(MGSIM_TEST_TMP "/report_render.html");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "node %s/tests/report_render.js %s", MGSIM_SOURCE_DIR, path);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int main(void) {
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, page_is_escaped_and_self_contained);
    tcase_add_test(tc, plots_render_with_inlined_vega);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
