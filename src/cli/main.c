/* mgsim: the command line. Parses the subcommand and hands over to it. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "mgsim/base.h"

/* The SIMD instruction set this build was compiled for (chosen at configure time, MGSIM_SIMD). */
static const char *simd_level(void) {
#if defined(__AVX512F__)
    return "avx512";
#elif defined(__AVX2__)
    return "avx2";
#elif defined(__AVX__)
    return "avx";
#elif defined(__SSE4_2__)
    return "sse4.2";
#elif defined(__ARM_NEON)
    return "neon";
#else
    return "generic";
#endif
}

static void print_help(FILE *out) {
    fprintf(out,
            "mgsim %s - magnesium from soil to synapse: a simulator of magnesium's path through\n"
            "diet and body to the brain, and of networks of spiking neurons whose NMDA receptors\n"
            "feel the extracellular magnesium. A research and teaching instrument, never medical\n"
            "advice.\n"
            "\n"
            "Usage: mgsim COMMAND [OPTIONS]\n"
            "       mgsim --help | --version\n"
            "\n"
            "Commands:\n"
            "  run         the main job: a magnesium scenario from diet to synapse over days\n"
            "              (body, stress, sleep and plasticity probes coupled), with report.html\n"
            "  plan        a person's magnesium plan: gap to the RDA, foods that close it,\n"
            "              regimen options by goal under the UL, warnings, predictions\n"
            "  diet        a day's magnesium intake from foods against the reference intakes\n"
            "  body        magnesium through gut, plasma, tissues, bone, kidney and CSF over days\n"
            "  population  a Monte Carlo of virtual adults: share below the EAR, serum and CSF\n"
            "  sleep       nights of sleep in 30-s epochs (wake, N1, N2, N3, REM) and metrics\n"
            "  stress      the HPA axis (CRH, ACTH, cortisol) over days, with stressors\n"
            "  protocol    plasticity experiments on one synapse or neuron, over [Mg]o\n"
            "  net         spiking networks with Mg-blocked NMDA receptors\n"
            "  validate    every validation target in one table, against published values\n"
            "\n"
            "`mgsim COMMAND --help` (or `mgsim help COMMAND`) lists its options and every key\n"
            "with its unit, default, range and source.\n"
            "\n"
            "Options:\n"
            "  -h, --help     show this help\n"
            "  -V, --version  show the version and the SIMD level of this build\n"
            "\n"
            "Everything mgsim prints is a model prediction, not medical advice.\n",
            mg_version_string());
}

/* "mgsim: MESSAGE 'ARG'" (ARG may be NULL) and a hint, on stderr. */
static int usage_error(const char *message, const char *arg) {
    if (arg)
        fprintf(stderr, "mgsim: %s '%s'\n", message, arg);
    else
        fprintf(stderr, "mgsim: %s\n", message);
    fputs("Try 'mgsim --help'.\n", stderr);
    return CLI_EXIT_USAGE;
}

int main(int argc, char **argv) {
    if (argc < 2)
        return usage_error("missing command", NULL);
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        print_help(stdout);
        return 0;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        printf("mgsim %s (SIMD %s)\n", mg_version_string(), simd_level());
        return 0;
    }
    if (strcmp(cmd, "help") == 0) {
        if (argc < 3) {
            print_help(stdout);
            return 0;
        }
        if (strcmp(argv[2], "net") == 0) {
            cli_net_help(stdout);
            return 0;
        }
        if (strcmp(argv[2], "diet") == 0) {
            cli_diet_help(stdout);
            return 0;
        }
        if (strcmp(argv[2], "protocol") == 0) {
            cli_protocol_help(stdout);
            return 0;
        }
        if (strcmp(argv[2], "run") == 0) {
            cli_run_help(stdout);
            return 0;
        }
        if (strcmp(argv[2], "plan") == 0) {
            cli_plan_help(stdout);
            return 0;
        }
        if (strcmp(argv[2], "body") == 0) {
            cli_body_help(stdout);
            return 0;
        }
        if (strcmp(argv[2], "population") == 0) {
            cli_population_help(stdout);
            return 0;
        }
        if (strcmp(argv[2], "validate") == 0) {
            cli_validate_help(stdout);
            return 0;
        }
        if (strcmp(argv[2], "sleep") == 0) {
            cli_sleep_help(stdout);
            return 0;
        }
        if (strcmp(argv[2], "stress") == 0) {
            cli_stress_help(stdout);
            return 0;
        }
        return usage_error("unknown command", argv[2]);
    }
    if (strcmp(cmd, "net") == 0)
        return cli_net(argc - 1, argv + 1);
    if (strcmp(cmd, "diet") == 0)
        return cli_diet(argc - 1, argv + 1);
    if (strcmp(cmd, "protocol") == 0)
        return cli_protocol(argc - 1, argv + 1);
    if (strcmp(cmd, "run") == 0)
        return cli_run(argc - 1, argv + 1);
    if (strcmp(cmd, "plan") == 0)
        return cli_plan(argc - 1, argv + 1);
    if (strcmp(cmd, "body") == 0)
        return cli_body(argc - 1, argv + 1);
    if (strcmp(cmd, "population") == 0)
        return cli_population(argc - 1, argv + 1);
    if (strcmp(cmd, "sleep") == 0)
        return cli_sleep(argc - 1, argv + 1);
    if (strcmp(cmd, "stress") == 0)
        return cli_stress(argc - 1, argv + 1);
    if (strcmp(cmd, "validate") == 0)
        return cli_validate(argc - 1, argv + 1);
    if (cmd[0] == '-')
        return usage_error("unknown option", cmd);
    return usage_error("unknown command", cmd);
}
