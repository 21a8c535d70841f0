/* Context, error raising and logging. */
#include "mgsim/base.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

struct mg_context {
    mg_status status;
    char message[1024];
    mg_log_fn log_fn;
    void *log_user;
    mg_log_level log_min;
    int threads;
};

static const char *const status_messages[] = {
#define MG_X_MSG(name, code, msg) msg,
    MG_STATUS_LIST(MG_X_MSG)
#undef MG_X_MSG
};

static const int status_codes[] = {
#define MG_X_CODE(name, code, msg) code,
    MG_STATUS_LIST(MG_X_CODE)
#undef MG_X_CODE
};

const char *mg_status_string(mg_status s) {
    if ((int)s < 0 || s >= MG_STATUS_COUNT)
        return "unknown status";
    return status_messages[s];
}

int mg_status_exit_code(mg_status s) {
    if ((int)s < 0 || s >= MG_STATUS_COUNT)
        return 70;
    return status_codes[s];
}

mg_context *mg_context_create(void) {
    mg_context *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    ctx->threads = 1;
    ctx->log_min = MG_LOG_INFO;
    return ctx;
}

void mg_context_destroy(mg_context **ctx) {
    if (!ctx || !*ctx)
        return;
    free(*ctx);
    *ctx = NULL;
}

mg_status mg_error_raise(mg_context *ctx, mg_status status, const char *fmt, ...) {
    if (!ctx)
        return status;
    ctx->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->message, sizeof ctx->message, fmt, ap);
    va_end(ap);
    return status;
}

const char *mg_error_message(const mg_context *ctx) {
    return ctx ? ctx->message : "";
}

mg_status mg_error_status(const mg_context *ctx) {
    return ctx ? ctx->status : MG_OK;
}

void mg_error_clear(mg_context *ctx) {
    if (!ctx)
        return;
    ctx->status = MG_OK;
    ctx->message[0] = '\0';
}

void mg_context_set_log(mg_context *ctx, mg_log_fn fn, void *user, mg_log_level min_level) {
    if (!ctx)
        return;
    ctx->log_fn = fn;
    ctx->log_user = user;
    ctx->log_min = min_level;
}

void mg_log(const mg_context *ctx, mg_log_level level, const char *fmt, ...) {
    if (!ctx || !ctx->log_fn || level < ctx->log_min)
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ctx->log_fn(ctx->log_user, level, buf);
}

mg_status mg_context_set_threads(mg_context *ctx, int threads) {
    if (threads < 1 || threads > 1024)
        return mg_error_raise(ctx, MG_ERR_USAGE, "threads must be between 1 and 1024, got %d",
                              threads);
    ctx->threads = threads;
    return MG_OK;
}

int mg_context_threads(const mg_context *ctx) {
    return ctx ? ctx->threads : 1;
}

const char *mg_version_string(void) {
    return MGSIM_VERSION_STRING;
}

int mg_version_number(void) {
    return MGSIM_VERSION_NUMBER;
}

double mg_peak_rss_mb(void) {
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0.0;
    return (double)ru.ru_maxrss / 1024.0; /* Linux reports KiB */
}

double mg_wall_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
