/* mgsim — base layer: status codes, the context handle, version query.
 *
 * Every fallible mgsim function returns an mg_status. The context records the
 * last error's message; one function (mg_error_raise) raises every error, so a
 * single breakpoint catches all of them.
 */
#ifndef MGSIM_BASE_H
#define MGSIM_BASE_H

#include <stddef.h>
#include <stdint.h>

#include "mgsim/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The status list: name, sysexits code (for the command line), message.
 * One list, so codes, exit statuses and messages cannot drift apart. */
#define MG_STATUS_LIST(X)                                                                          \
    X(MG_OK, 0, "success")                                                                         \
    X(MG_ERR_NOMEM, 71, "out of memory")                                                           \
    X(MG_ERR_DATA, 65, "invalid input data")                                                       \
    X(MG_ERR_CONFIG, 78, "invalid configuration")                                                  \
    X(MG_ERR_USAGE, 64, "invalid command-line usage")                                              \
    X(MG_ERR_IO, 74, "input/output error")                                                         \
    X(MG_ERR_NOINPUT, 66, "input file not found or unreadable")                                    \
    X(MG_ERR_CANTCREAT, 73, "cannot create output")                                                \
    X(MG_ERR_TOO_BIG, 65, "model too large for available memory")                                  \
    X(MG_ERR_RUNAWAY, 70, "runaway activity: rate ceiling exceeded")                               \
    X(MG_ERR_INTERRUPTED, 130, "interrupted")                                                      \
    X(MG_ERR_INTERNAL, 70, "internal error")

typedef enum {
#define MG_X_ENUM(name, code, msg) name,
    MG_STATUS_LIST(MG_X_ENUM)
#undef MG_X_ENUM
        MG_STATUS_COUNT
} mg_status;

/* Short fixed description of a status code. Never NULL; static storage. */
const char *mg_status_string(mg_status s);

/* The sysexits(3) exit code for a status (0 for MG_OK). */
int mg_status_exit_code(mg_status s);

/* Severity of a log message passed to the log callback. */
typedef enum { MG_LOG_DEBUG, MG_LOG_INFO, MG_LOG_WARN, MG_LOG_ERROR } mg_log_level;

typedef void (*mg_log_fn)(void *user, mg_log_level level, const char *message);

/* Opaque context: error state, log callback, thread count. (The seed belongs to each model.) */
typedef struct mg_context mg_context;

/* Create a context. Returns NULL only when memory is exhausted.
 * The caller owns the result and frees it with mg_context_destroy. */
mg_context *mg_context_create(void);

/* Destroy a context and set *ctx to NULL. Accepts NULL and a pointer to NULL. */
void mg_context_destroy(mg_context **ctx);

/* Raise an error: record status and a printf-style message in ctx (which may be
 * NULL, then nothing is recorded) and return status, so callers write
 * `return mg_error_raise(ctx, MG_ERR_DATA, "capacitance must be > 0 pF, got %g", c);`.
 * The message is truncated to 1023 bytes. */
mg_status mg_error_raise(mg_context *ctx, mg_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* The message recorded by the last mg_error_raise on ctx ("" when none).
 * Owned by ctx; valid until the next raise or mg_error_clear. */
const char *mg_error_message(const mg_context *ctx);

/* The status of the last error raised on ctx (MG_OK when none). */
mg_status mg_error_status(const mg_context *ctx);

/* Forget the recorded error. */
void mg_error_clear(mg_context *ctx);

/* Install a log callback (NULL to silence). Messages at or above min_level are delivered. */
void mg_context_set_log(mg_context *ctx, mg_log_fn fn, void *user, mg_log_level min_level);

/* Log a printf-style message through the context's callback (no-op without one). */
void mg_log(const mg_context *ctx, mg_log_level level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Set the number of worker threads used by parallel kernels (>= 1; default 1). */
mg_status mg_context_set_threads(mg_context *ctx, int threads);

/* The number of worker threads set on ctx. */
int mg_context_threads(const mg_context *ctx);

/* Runtime version query: the library's version string ("MAJOR.MINOR.PATCH"),
 * static storage. Compare with MGSIM_VERSION_STRING to detect header/library skew. */
const char *mg_version_string(void);

/* Runtime version as MAJOR*10000 + MINOR*100 + PATCH. */
int mg_version_number(void);

/* Peak resident set size of this process in MiB (from getrusage), 0 if unknown. */
double mg_peak_rss_mb(void);

/* Monotonic wall clock in seconds (arbitrary origin). */
double mg_wall_seconds(void);

#ifdef __cplusplus
}
#endif
#endif /* MGSIM_BASE_H */
