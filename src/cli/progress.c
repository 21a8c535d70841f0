/* mgsim command line: run progress on stderr, and the interrupt signals. */
#include "cli/progress.h"

#include <math.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "mgsim/base.h"

/* The one mutable global of the project: a signal handler can only talk to
 * the program through a volatile sig_atomic_t of static storage. It holds the
 * signal number of the first SIGINT/SIGTERM, 0 before. */
static volatile sig_atomic_t caught_signal = 0;

static void on_signal(int sig) {
    caught_signal = sig;
}

void cli_signals_install(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND; /* a second signal takes the default action */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int cli_signal_caught(void) {
    return (int)caught_signal;
}

void cli_progress_start(cli_progress *p, int quiet) {
    memset(p, 0, sizeof *p);
    p->out = stderr;
    p->mode = quiet                   ? CLI_PROGRESS_QUIET
              : isatty(STDERR_FILENO) ? CLI_PROGRESS_BAR
                                      : CLI_PROGRESS_LINES;
    p->wall0 = mg_wall_seconds();
    p->last_decile = 0;
}

/* "3 s", "2 min 05 s", "1 h 07 min"; "?" when unknown. */
static void format_eta(char *buf, size_t size, double s) {
    if (!isfinite(s) || s < 0.0)
        snprintf(buf, size, "?");
    else if (s < 60.0)
        snprintf(buf, size, "%.0f s", s);
    else if (s < 3600.0)
        snprintf(buf, size, "%d min %02d s", (int)(s / 60.0), (int)fmod(s, 60.0));
    else
        snprintf(buf, size, "%d h %02d min", (int)(s / 3600.0), (int)fmod(s / 60.0, 60.0));
}

/* Simulated seconds per wall second: "2.1x", "35x", "0.043x". */
static void format_rt(char *buf, size_t size, double rt) {
    if (!isfinite(rt))
        snprintf(buf, size, "?x");
    else if (rt >= 10.0)
        snprintf(buf, size, "%.0fx", rt);
    else
        snprintf(buf, size, "%.2gx", rt);
}

int cli_progress_update(void *user, double t_ms, double total_ms) {
    cli_progress *p = user;
    if (p->mode != CLI_PROGRESS_QUIET && total_ms > 0.0) {
        double frac = fmin(fmax(t_ms / total_ms, 0.0), 1.0);
        double wall = mg_wall_seconds() - p->wall0;
        char eta[32], rt[32];
        format_rt(rt, sizeof rt, wall > 0.0 ? t_ms * 1e-3 / wall : NAN);
        format_eta(eta, sizeof eta, frac > 0.0 ? wall * (1.0 - frac) / frac : NAN);
        if (p->mode == CLI_PROGRESS_BAR) {
            enum { WIDTH = 24 };
            char bar[WIDTH + 1];
            int full = (int)(frac * WIDTH + 0.5);
            for (int i = 0; i < WIDTH; i++)
                bar[i] = i < full ? '#' : '.';
            bar[WIDTH] = '\0';
            fprintf(p->out, "\r%3.0f%% [%s] t=%.1f/%.1f ms  %s real time  ETA %s\033[K",
                    100.0 * frac, bar, t_ms, total_ms, rt, eta);
            fflush(p->out);
            p->bar_shown = 1;
        } else {
            int decile = (int)floor(frac * 10.0 + 1e-9);
            if (decile > p->last_decile) {
                p->last_decile = decile;
                fprintf(p->out, "mgsim: %d%% t=%.1f/%.1f ms, %s real time, ETA %s\n", 10 * decile,
                        t_ms, total_ms, rt, eta);
                fflush(p->out);
            }
        }
    }
    return caught_signal != 0;
}

void cli_progress_end(cli_progress *p) {
    if (p->mode == CLI_PROGRESS_BAR && p->bar_shown) {
        fputc('\n', p->out);
        fflush(p->out);
        p->bar_shown = 0;
    }
}
