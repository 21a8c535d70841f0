/* mgsim command line: run progress on stderr, and the interrupt signals. Not installed. */
#ifndef MGSIM_CLI_PROGRESS_H
#define MGSIM_CLI_PROGRESS_H

#include <stdio.h>

/* How progress is shown. */
typedef enum {
    CLI_PROGRESS_QUIET, /* nothing (--quiet) */
    CLI_PROGRESS_LINES, /* a plain line about every 10 % (stderr is not a terminal) */
    CLI_PROGRESS_BAR    /* a bar redrawn in place (stderr is a terminal) */
} cli_progress_mode;

typedef struct {
    cli_progress_mode mode;
    FILE *out;
    double wall0;    /* wall clock at the start of the run (s) */
    int last_decile; /* LINES: the last 10 % step printed */
    int bar_shown;   /* BAR: a bar is on the line and needs a newline at the end */
} cli_progress;

/* Start showing the progress of a run on stderr: a bar when stderr is a
 * terminal, plain lines otherwise, nothing when quiet. Starts the wall clock. */
void cli_progress_start(cli_progress *p, int quiet);

/* The engine's on_progress callback (user is a cli_progress): show t_ms of
 * total_ms; return non-zero when SIGINT or SIGTERM arrived, to stop the run. */
int cli_progress_update(void *user, double t_ms, double total_ms);

/* End the display (newline after a bar). */
void cli_progress_end(cli_progress *p);

/* Catch SIGINT and SIGTERM: the first one only sets a flag that
 * cli_progress_update reports, so the run stops cleanly and its files are
 * completed; a second one ends the process at once (the default action). */
void cli_signals_install(void);

/* The interrupting signal caught so far, or 0. */
int cli_signal_caught(void);

#endif /* MGSIM_CLI_PROGRESS_H */
