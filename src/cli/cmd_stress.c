/* `mgsim stress SCENARIO.yaml`: the HPA axis (CRH → ACTH → cortisol) over days. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/scen_lists.h"
#include "io/report.h"
#include "io/scen.h"
#include "mgsim/stress.h"

#define STRESS_NOTE                                                                                \
    "Model prediction, not medical advice. HPA axis after Bangsgaard & Ottesen 2017 "              \
    "(docs/models/hpa-axis.md); magnesium couplings are documented hypotheses."

/* Everything a stress scenario sets. */
typedef struct {
    uint64_t duration_days;
    uint64_t skip_days;
    double sample_min;
    double serum_mg_mM; /* NaN: not given */
    mg_hpa_params hpa;
    mg_hpa_renal_params renal;
    cli_stressor_list list;
} stress_scen;

#define O(f)   offsetof(stress_scen, f)
#define BO2017 "Bangsgaard & Ottesen 2017, Math Biosci 287:24, control subject f (refs s7.4)"
static const mg_scen_key stress_keys[] = {
    {"duration_days", MG_SCEN_UINT, 0, O(duration_days), "d", 1, 3650, 0, NULL,
     "days to simulate, from midnight of day 0", "user input"},
    {"summary.skip_days", MG_SCEN_UINT, 0, O(skip_days), "d", 0, 3649, 0, NULL,
     "first days left out of the averages (the run starts from one fixed midnight state)",
     "assumption: one day of settling"},
    {"output.sample_min", MG_SCEN_NUMBER, 0, O(sample_min), "min", 0, 1440, MG_SCEN_MIN_EXCL, NULL,
     "interval of timeseries.csv", "user input"},
    {"mg.serum_mM", MG_SCEN_NUMBER, 0, O(serum_mg_mM), "mmol/L", 0, 10, MG_SCEN_OPTIONAL, NULL,
     "serum magnesium held for the run; input of the Mg-deficiency hypothesis (null: none)",
     "user input"},
    {"hpa.a0", MG_SCEN_NUMBER, 0, O(hpa.a0), "CRH units/min", 0, INFINITY, 0, NULL,
     "basal CRH production", BO2017},
    {"hpa.a1", MG_SCEN_NUMBER, 0, O(hpa.a1), "CRH units/min", 0, INFINITY, MG_SCEN_MIN_EXCL, NULL,
     "circadian CRH production gain", BO2017},
    {"hpa.a2", MG_SCEN_NUMBER, 0, O(hpa.a2), "(ug/dL)^-2", 0, INFINITY, 0, NULL,
     "cortisol inhibition of CRH production", BO2017},
    {"hpa.a3", MG_SCEN_NUMBER, 0, O(hpa.a3), "pg/mL/min per CRH unit", 0, INFINITY,
     MG_SCEN_MIN_EXCL, NULL, "ACTH production per CRH", BO2017},
    {"hpa.a4", MG_SCEN_NUMBER, 0, O(hpa.a4), "(ug/dL)^-1", 0, INFINITY, 0, NULL,
     "cortisol inhibition of ACTH production", BO2017},
    {"hpa.a5", MG_SCEN_NUMBER, 0, O(hpa.a5), "ug/dL/min per (pg/mL)^2", 0, INFINITY,
     MG_SCEN_MIN_EXCL, NULL, "cortisol production per ACTH squared", BO2017},
    {"hpa.mu", MG_SCEN_NUMBER, 0, O(hpa.mu), "CRH units", 0, INFINITY, MG_SCEN_MIN_EXCL, NULL,
     "half-saturation of the CRH self-term", BO2017},
    {"hpa.w1_per_min", MG_SCEN_NUMBER, 0, O(hpa.w1_per_min), "1/min", 0, INFINITY, MG_SCEN_MIN_EXCL,
     NULL, "CRH elimination rate", BO2017},
    {"hpa.w2_per_min", MG_SCEN_NUMBER, 0, O(hpa.w2_per_min), "1/min", 0, INFINITY, MG_SCEN_MIN_EXCL,
     NULL, "ACTH elimination rate", BO2017},
    {"hpa.w3_per_min", MG_SCEN_NUMBER, 0, O(hpa.w3_per_min), "1/min", 0, INFINITY, MG_SCEN_MIN_EXCL,
     NULL, "cortisol elimination rate",
     "refitted so the mean daily peak is 428 nmol/L (refs s2.4); published subject f: 0.0238 "
     "(docs/models/hpa-axis.md)"},
    {"hpa.delta_min", MG_SCEN_NUMBER, 0, O(hpa.delta_min), "min", -1440, 1440, 0, NULL,
     "delay of the circadian drive after midnight", BO2017},
    {"hpa.period_min", MG_SCEN_NUMBER, 0, O(hpa.period_min), "min", 0, 10080, MG_SCEN_MIN_EXCL,
     NULL, "circadian period", BO2017},
    {"hpa.n_c", MG_SCEN_NUMBER, 0, O(hpa.n_c), "", 0, INFINITY, MG_SCEN_MIN_EXCL, NULL,
     "amplitude of the circadian drive", BO2017},
    {"hpa.k_exp", MG_SCEN_NUMBER, 0, O(hpa.k_exp), "", 0, INFINITY, MG_SCEN_MIN_EXCL, NULL,
     "exponent of the drive's rising flank", BO2017},
    {"hpa.l_exp", MG_SCEN_NUMBER, 0, O(hpa.l_exp), "", 0, INFINITY, MG_SCEN_MIN_EXCL, NULL,
     "exponent of the drive's falling flank", BO2017},
    {"hpa.alpha_min", MG_SCEN_NUMBER, 0, O(hpa.alpha_min), "min", 0, INFINITY, MG_SCEN_MIN_EXCL,
     NULL, "half-rise time of the drive after delta", BO2017},
    {"hpa.beta_min", MG_SCEN_NUMBER, 0, O(hpa.beta_min), "min", 0, INFINITY, MG_SCEN_MIN_EXCL, NULL,
     "half-fall time of the drive before the end of the period", BO2017},
    {"hpa.eps", MG_SCEN_NUMBER, 0, O(hpa.eps), "", 0, INFINITY, 0, NULL,
     "floor of the circadian drive", BO2017},
    {"hpa.dt_min", MG_SCEN_NUMBER, 0, O(hpa.dt_min), "min", 0, 10, MG_SCEN_MIN_EXCL, NULL,
     "RK4 step", "numerical choice: halving it changes the peak by < 0.1 % (tests/test_hpa.c)"},
    {"coupling.mg_deficiency_hpa.gain", MG_SCEN_NUMBER, 0, O(hpa.mg_gain), "", 0, 10, 0, NULL,
     "fractional gain on the CRH drive at full Mg deficiency (0: hypothesis off)",
     "assumption: Sartori et al. 2012 (mice) give the direction, no human size"},
    {"coupling.mg_deficiency_hpa.ref_mM", MG_SCEN_NUMBER, 0, O(hpa.mg_ref_mM), "mmol/L", 0, 10,
     MG_SCEN_MIN_EXCL, NULL, "serum Mg with no effect",
     "assumption: the middle of the 0.75-0.95 mmol/L reference range"},
    {"coupling.mg_deficiency_hpa.severe_mM", MG_SCEN_NUMBER, 0, O(hpa.mg_severe_mM), "mmol/L", 0,
     10, 0, NULL, "serum Mg at which the full gain applies",
     "assumption: the lower limit of the reference range"},
    {"coupling.cortisol_urinary_mg.on", MG_SCEN_BOOL, 0, O(renal.enabled), "", 0, 0, 0, NULL,
     "report the factor by which cortisol multiplies renal Mg excretion",
     "hypothesis: Grases et al. 2006; Pickering et al. 2020 (refs magnesium-physiology s10.1)"},
    {"coupling.cortisol_urinary_mg.slope", MG_SCEN_NUMBER, 0, O(renal.slope), "", 0, 1,
     MG_SCEN_MAX_EXCL, NULL,
     "fractional change of renal Mg excretion per fractional change of cortisol",
     "assumption: the size is not published"},
    {"coupling.cortisol_urinary_mg.ref_nmol_l", MG_SCEN_NUMBER, 0, O(renal.cortisol_ref_nmol_l),
     "nmol/L", 0, INFINITY, MG_SCEN_MIN_EXCL, NULL, "cortisol at which the factor is 1",
     "the model's 24-h mean cortisol on an unstressed day"},
};
#undef O

static const char *const stress_custom[] = {"stressors", NULL};
static const mg_scen_schema stress_schema = {
    stress_keys, sizeof stress_keys / sizeof stress_keys[0], stress_custom};

static void stress_defaults(stress_scen *s) {
    memset(s, 0, sizeof *s);
    s->duration_days = 3;
    s->skip_days = 1;
    s->sample_min = 10;
    s->serum_mg_mM = NAN;
    s->hpa = mg_hpa_params_default();
    s->renal = mg_hpa_renal_params_default();
}

static mg_status load_stressors(mg_context *ctx, const mg_yaml_doc *doc, const char *key,
                                const mg_yaml_node *node, void *data) {
    return cli_load_stressors(ctx, doc, key, node, &((stress_scen *)data)->list);
}

void cli_stress_help(FILE *out) {
    fputs("Usage: mgsim stress SCENARIO.yaml [-o DIR] [--set KEY=VALUE]... [--quiet]\n"
          "\n"
          "Simulate the HPA stress axis (CRH -> ACTH -> cortisol) over days with the circadian\n"
          "model of Bangsgaard & Ottesen 2017: a daily cortisol rhythm with ultradian pulses,\n"
          "acute and chronic stressors, and two documented magnesium hypotheses (Mg deficiency\n"
          "strengthens the CRH drive; cortisol raises urinary Mg loss). Model prediction, not\n"
          "medical advice. docs/models/hpa-axis.md\n"
          "\n",
          out);
    cli_help_options(out);
    stress_scen *s = malloc(sizeof *s);
    if (s) {
        stress_defaults(s);
        void *bases[1] = {s};
        mg_scen_print_keys(out, &stress_schema, bases);
        free(s);
    }
    fputs(
        "\n"
        "  stressors: a list of {kind: acute|chronic, day: D, start: \"HH:MM\", duration_h: H,\n"
        "      level: L}. acute adds L CRH units/min of CRH secretion; chronic multiplies the\n"
        "      circadian drive by (1 + L). day counts from 0 (default 0).\n"
        "\n"
        "Example scenario:\n"
        "  duration_days: 4\n"
        "  stressors:\n"
        "    - {kind: acute, day: 2, start: \"14:00\", duration_h: 0.5, level: 20}\n"
        "\n"
        "  mgsim stress examples/stress/normal-day.yaml -o results/stress\n"
        "\n"
        "Files written to DIR:\n"
        "  timeseries.csv          t_h, clock, crh, acth_pg_ml, cortisol_nmol_l,\n"
        "                          urinary_mg_factor (every output.sample_min)\n"
        "  days.csv                per clock day: peak and nadir (value, clock time), mean, AUC\n"
        "  summary.json            cortisol_peak_nmol_l, cortisol_peak_clock_h,\n"
        "                          cortisol_nadir_nmol_l, cortisol_nadir_clock_h,\n"
        "                          cortisol_mean_nmol_l (averaged over the days after\n"
        "                          summary.skip_days), per-day values, every parameter with\n"
        "                          its source, note\n"
        "  scenario.resolved.yaml  every key's value (loads back)\n"
        "  report.html             cortisol and ACTH plots, the day table, the parameters\n"
        "\n"
        "Exit status: 0 done; 64 bad command line; 65 a value out of range; 66 the scenario\n"
        "cannot be read; 73/74 DIR or a file cannot be written; 78 unknown key or a wrong type.\n",
        out);
}

static mg_status write_outputs(mg_context *ctx, cli_outset *out, const cli_common_opts *o,
                               stress_scen *s, const mg_hpa_result *r, const mg_hpa_day *avg,
                               size_t first) {
    void *bases[1] = {s};
    /* timeseries.csv */
    FILE *f = cli_outset_open(ctx, out, "timeseries.csv");
    if (!f)
        return mg_error_status(ctx);
    fputs("t_h,clock,crh,acth_pg_ml,cortisol_nmol_l,urinary_mg_factor\n", f);
    for (size_t i = 0; i < r->n_samples; i++) {
        char clock[8];
        double factor = 1.0;
        mg_hpa_renal_mg_factor(ctx, &s->renal, r->cortisol_nmol_l[i], &factor);
        fprintf(f, "%.6g,%s,%.6g,%.6g,%.6g,%.6g\n", r->t_h[i],
                mg_scen_format_clock(r->t_h[i], clock, sizeof clock), r->crh[i], r->acth_pg_ml[i],
                r->cortisol_nmol_l[i], factor);
    }
    mg_status st = cli_outset_close(ctx, f, "timeseries.csv");
    if (st != MG_OK)
        return st;
    /* days.csv */
    if (!(f = cli_outset_open(ctx, out, "days.csv")))
        return mg_error_status(ctx);
    fputs("day,peak_nmol_l,peak_clock,nadir_nmol_l,nadir_clock,mean_nmol_l,auc_nmol_h_l,"
          "acth_mean_pg_ml,in_summary\n",
          f);
    for (size_t d = 0; d < r->n_days; d++) {
        const mg_hpa_day *y = &r->days[d];
        char c1[8], c2[8];
        fprintf(f, "%d,%.6g,%s,%.6g,%s,%.6g,%.6g,%.6g,%d\n", y->day, y->peak_nmol_l,
                mg_scen_format_clock(y->peak_clock_h, c1, sizeof c1), y->nadir_nmol_l,
                mg_scen_format_clock(y->nadir_clock_h, c2, sizeof c2), y->mean_nmol_l,
                y->auc_nmol_h_l, y->acth_mean_pg_ml, d >= first);
    }
    if ((st = cli_outset_close(ctx, f, "days.csv")) != MG_OK)
        return st;
    /* scenario.resolved.yaml */
    if (!(f = cli_outset_open(ctx, out, "scenario.resolved.yaml")))
        return mg_error_status(ctx);
    fprintf(f, "# mgsim %s: every key of %s after --set, as used\n", mg_version_string(), o->input);
    mg_scen_write_yaml(f, &stress_schema, bases);
    fputs("stressors:\n", f);
    if (s->list.n_stressors == 0)
        fputs("  []\n", f);
    for (size_t i = 0; i < s->list.n_stressors; i++) {
        const mg_hpa_stressor *x = &s->list.stressors[i];
        char c[8];
        double day = floor(x->start_h / 24.0);
        fprintf(f, "  - {kind: %s, day: %.0f, start: \"%s\", duration_h: %.17g, level: %.17g}\n",
                cli_stressor_kind_name(x->kind), day,
                mg_scen_format_clock(x->start_h - 24.0 * day, c, sizeof c), x->duration_h,
                x->level);
    }
    if ((st = cli_outset_close(ctx, f, "scenario.resolved.yaml")) != MG_OK)
        return st;
    /* summary.json */
    json_t *days = json_array();
    for (size_t d = 0; days && d < r->n_days; d++) {
        const mg_hpa_day *y = &r->days[d];
        json_array_append_new(
            days, json_pack("{s:i, s:f, s:f, s:f, s:f, s:f, s:f, s:b}", "day", y->day,
                            "cortisol_peak_nmol_l", y->peak_nmol_l, "cortisol_peak_clock_h",
                            y->peak_clock_h, "cortisol_nadir_nmol_l", y->nadir_nmol_l,
                            "cortisol_nadir_clock_h", y->nadir_clock_h, "cortisol_mean_nmol_l",
                            y->mean_nmol_l, "acth_mean_pg_ml", y->acth_mean_pg_ml, "in_summary",
                            d >= first));
    }
    double mean_factor = 1.0;
    mg_hpa_renal_mg_factor(ctx, &s->renal, avg->mean_nmol_l, &mean_factor);
    json_t *root = json_pack(
        "{s:s, s:s, s:s, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:i, s:o, s:o, s:s}", "version",
        mg_version_string(), "command", "stress", "scenario", o->input, "cortisol_peak_nmol_l",
        avg->peak_nmol_l, "cortisol_peak_clock_h", avg->peak_clock_h, "cortisol_nadir_nmol_l",
        avg->nadir_nmol_l, "cortisol_nadir_clock_h", avg->nadir_clock_h, "cortisol_mean_nmol_l",
        avg->mean_nmol_l, "acth_mean_pg_ml", avg->acth_mean_pg_ml, "urinary_mg_factor_mean",
        mean_factor, "days_averaged", (int)(r->n_days - first), "days", days ? days : json_array(),
        "parameters", mg_scen_params_json(&stress_schema, bases), "note", STRESS_NOTE);
    if (!root)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    st = cli_outset_json(ctx, out, "summary.json", root);
    json_decref(root);
    if (st != MG_OK)
        return st;
    /* report.html */
    mg_report *rep = mg_report_create("mgsim stress: the HPA axis over the day");
    if (!rep)
        return mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
    char text[512];
    char c1[8], c2[8];
    snprintf(text, sizeof text,
             "Averaged over %zu day(s): cortisol peak %.0f nmol/L at %s, nadir %.0f nmol/L at %s, "
             "24-h mean %.0f nmol/L. Healthy reference: peak near 08:30 at about 430 nmol/L, "
             "nadir near midnight below 55 nmol/L (refs sleep-and-stress s2.4).",
             r->n_days - first, avg->peak_nmol_l,
             mg_scen_format_clock(avg->peak_clock_h, c1, sizeof c1), avg->nadir_nmol_l,
             mg_scen_format_clock(avg->nadir_clock_h, c2, sizeof c2), avg->mean_nmol_l);
    st = mg_report_text(ctx, rep, text);
    const double *cort[1] = {r->cortisol_nmol_l};
    const double refs[2] = {430, 55};
    const char *ref_names[2] = {"typical morning peak", "nadir limit"};
    mg_report_line_opts lo;
    memset(&lo, 0, sizeof lo);
    lo.xlabel = "time (h from midnight of day 0)";
    lo.ylabel = "cortisol (nmol/L)";
    lo.n_refs = 2;
    lo.ref_y = refs;
    lo.ref_names = ref_names;
    if (st == MG_OK)
        st = mg_report_lines(ctx, rep, "Cortisol", r->n_samples, r->t_h, 1, NULL, cort, &lo);
    const double *acth[1] = {r->acth_pg_ml};
    mg_report_line_opts la;
    memset(&la, 0, sizeof la);
    la.xlabel = lo.xlabel;
    la.ylabel = "ACTH (pg/mL)";
    if (st == MG_OK)
        st = mg_report_lines(ctx, rep, "ACTH", r->n_samples, r->t_h, 1, NULL, acth, &la);
    if (st == MG_OK && r->n_days > 0) {
        const char *hdr[5] = {"day", "peak (nmol/L)", "peak time", "nadir (nmol/L)", "nadir time"};
        char *cells = calloc(r->n_days * 5, 16);
        const char **ptrs = calloc(r->n_days * 5, sizeof *ptrs);
        if (!cells || !ptrs) {
            st = mg_error_raise(ctx, MG_ERR_NOMEM, "out of memory");
        } else {
            for (size_t d = 0; d < r->n_days; d++) {
                char *c = cells + d * 5 * 16;
                snprintf(c, 16, "%d", r->days[d].day);
                snprintf(c + 16, 16, "%.0f", r->days[d].peak_nmol_l);
                mg_scen_format_clock(r->days[d].peak_clock_h, c + 32, 16);
                snprintf(c + 48, 16, "%.0f", r->days[d].nadir_nmol_l);
                mg_scen_format_clock(r->days[d].nadir_clock_h, c + 64, 16);
                for (int k = 0; k < 5; k++)
                    ptrs[d * 5 + (size_t)k] = c + 16 * k;
            }
            st = mg_report_table(ctx, rep, "Cortisol per day", 5, hdr, r->n_days, ptrs);
        }
        free(cells);
        free(ptrs);
    }
    return cli_report_finish(ctx, out, &rep, &stress_schema, bases, st);
}

static int run_stress(const cli_common_opts *o) {
    mg_context *ctx = mg_context_create();
    stress_scen *s = malloc(sizeof *s);
    if (!ctx || !s) {
        free(s);
        mg_context_destroy(&ctx);
        fputs("mgsim: out of memory\n", stderr);
        return mg_status_exit_code(MG_ERR_NOMEM);
    }
    stress_defaults(s);
    void *bases[1] = {s};
    mg_yaml_doc *doc = NULL;
    mg_hpa_result r;
    memset(&r, 0, sizeof r);
    cli_outset out;
    memset(&out, 0, sizeof out);
    mg_hpa_day avg;
    size_t first = 0;
    mg_status st = mg_scen_read(ctx, o->input, "the scenario", o->sets, o->n_sets, &doc);
    if (st == MG_OK)
        st = mg_scen_load(ctx, doc, &stress_schema, bases, load_stressors, s);
    if (st == MG_OK && s->skip_days >= s->duration_days)
        st = mg_error_raise(ctx, MG_ERR_DATA,
                            "summary.skip_days (%llu) must be less than duration_days (%llu)",
                            (unsigned long long)s->skip_days, (unsigned long long)s->duration_days);
    for (size_t i = 0; st == MG_OK && i < s->list.n_stressors; i++)
        if (s->list.stressors[i].start_h >= 24.0 * (double)s->duration_days)
            st = mg_error_raise(ctx, MG_ERR_DATA,
                                "stressors[%zu] starts on day %.0f, after the run's last day "
                                "(%llu); raise duration_days or move the stressor",
                                i, floor(s->list.stressors[i].start_h / 24.0),
                                (unsigned long long)s->duration_days - 1);
    if (st == MG_OK)
        st = mg_hpa_params_validate(ctx, &s->hpa);
    if (st == MG_OK)
        st = mg_hpa_renal_params_validate(ctx, &s->renal);
    if (st == MG_OK) {
        mg_hpa_inputs in = mg_hpa_inputs_none();
        in.stressors = s->list.stressors;
        in.n_stressors = s->list.n_stressors;
        in.serum_mg_mM = s->serum_mg_mM;
        st = mg_hpa_run(ctx, &s->hpa, &in, NULL, 0.0, 24.0 * (double)s->duration_days,
                        s->sample_min / 60.0, &r);
    }
    if (st == MG_OK) {
        first = (size_t)s->skip_days < r.n_days ? (size_t)s->skip_days : 0;
        st = mg_hpa_days_average(ctx, &r, first, r.n_days - first, &avg);
    }
    if (st == MG_OK && o->outdir) {
        st = cli_outset_begin(ctx, &out, o->outdir);
        if (st == MG_OK)
            st = write_outputs(ctx, &out, o, s, &r, &avg, first);
        if (st == MG_OK)
            st = cli_outset_commit(ctx, &out);
        cli_outset_end(&out);
    }
    int rc = 0;
    if (st != MG_OK) {
        rc = cli_fail(ctx, st);
    } else if (!o->quiet) {
        char c1[8], c2[8];
        printf("mgsim stress %s: %llu day(s), %zu stressor(s)\n", o->input,
               (unsigned long long)s->duration_days, s->list.n_stressors);
        printf("cortisol (mean of days %zu-%zu): peak %.0f nmol/L at %s, nadir %.0f nmol/L at "
               "%s, 24-h mean %.0f nmol/L\n",
               first, r.n_days - 1, avg.peak_nmol_l,
               mg_scen_format_clock(avg.peak_clock_h, c1, sizeof c1), avg.nadir_nmol_l,
               mg_scen_format_clock(avg.nadir_clock_h, c2, sizeof c2), avg.mean_nmol_l);
        printf("Model prediction, not medical advice.\n");
        if (o->outdir)
            printf("results in %s/ (report: %s/report.html)\n", o->outdir, o->outdir);
    }
    mg_hpa_result_free(&r);
    mg_yaml_free(&doc);
    free(s);
    mg_context_destroy(&ctx);
    return rc;
}

int cli_stress(int argc, char **argv) {
    cli_common_opts o;
    int rc =
        cli_common_parse(argc, argv, "stress", cli_stress_help, "the scenario SCENARIO.yaml", &o);
    if (rc < 0)
        rc = run_stress(&o);
    cli_common_free(&o);
    return rc;
}
