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
            "  run       the main job: a magnesium scenario from diet to synapse over days\n"
            "            (body, stress, sleep and plasticity probes coupled), with\n"
            "            report.html; `mgsim run --help`\n"
            "  net       run a spiking network model (YAML) and write spikes, rates, states and\n"
            "            a summary; `mgsim net --help` lists every option and model key\n"
            "  diet      a day's magnesium intake from a diet plan (YAML) against the dietary\n"
            "            reference intakes for age and sex; `mgsim diet --help`\n"
            "  population  a Monte Carlo of virtual adults (usual intake, soil, processing,\n"
            "            supplements): share below the EAR, serum and CSF Mg distributions;\n"
            "            `mgsim population --help`\n"
            "  body      magnesium through gut, plasma, tissues, bone, kidney and CSF over days,\n"
            "            under a diet and a supplement regimen; `mgsim body --help`\n"
            "  protocol  a plasticity experiment on one calcium-based synapse (Graupner &\n"
            "            Brunel 2012), e.g. the STDP curve; `mgsim protocol --help`\n"
            "  sleep     nights of sleep in 30-s epochs (wake, N1, N2, N3, REM) and the\n"
            "            sleep-lab metrics; `mgsim sleep --help`\n"
            "  stress    the HPA axis (CRH, ACTH, cortisol) over days, with stressors and\n"
            "            magnesium hypotheses; `mgsim stress --help`\n"
            "\n"
            "  validate  run every validation target (engine, plasticity, body, sleep, stress)\n"
            "            and print one table with the published values; `mgsim validate --help`\n"
            "\n"
            "Planned (not yet available): plan.\n"
            "\n"
            "Options:\n"
            "  -h, --help     show this help\n"
            "  -V, --version  show the version and the SIMD level of this build\n"
            "\n"
            "`mgsim help COMMAND` is the same as `mgsim COMMAND --help`.\n",
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
        if (strcmp(argv[2], "validate") == 0) {
            cli_validate_help(stdout);
            return 0;
        }
        if (strcmp(argv[2], "population") == 0) {
            cli_population_help(stdout);
            return 0;
        }
        if (strcmp(argv[2], "body") == 0) {
            cli_body_help(stdout);
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
    if (strcmp(cmd, "validate") == 0)
        return cli_validate(argc - 1, argv + 1);
    if (strcmp(cmd, "population") == 0)
        return cli_population(argc - 1, argv + 1);
    if (strcmp(cmd, "body") == 0)
        return cli_body(argc - 1, argv + 1);
    if (strcmp(cmd, "sleep") == 0)
        return cli_sleep(argc - 1, argv + 1);
    if (strcmp(cmd, "stress") == 0)
        return cli_stress(argc - 1, argv + 1);
    if (cmd[0] == '-')
        return usage_error("unknown option", cmd);
    return usage_error("unknown command", cmd);
}
