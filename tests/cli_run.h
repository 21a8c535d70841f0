/* Running the mgsim command from a test: spawn it with arguments, collect
 * its exit status, stdout and stderr, and read back what it wrote. Used by the
 * command-line suites; each defines TMP (its scratch folder) before including. */
#ifndef MGSIM_TESTS_CLI_RUN_H
#define MGSIM_TESTS_CLI_RUN_H

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "output_read.h"

/* A fresh folder TMP_name (removed first) and its path in buf. */
static inline const char *fresh_dir(const char *name, char *buf, size_t cap) {
    rd_join(buf, cap, TMP, "_", name);
    rd_remove_dir(buf);
    return buf;
}

/* Write text to dir/name (creating dir); the path in buf. */
static inline const char *write_file(const char *dir, const char *name, const char *text, char *buf,
                                     size_t cap) {
    mkdir(MGSIM_TEST_TMP, 0777);
    mkdir(dir, 0777);
    rd_path(buf, cap, dir, name);
    FILE *f = fopen(buf, "w");
    ck_assert_msg(f != NULL, "cannot write %s", buf);
    fputs(text, f);
    fclose(f);
    return buf;
}

/* Start mgsim with args (NULL-terminated, without argv[0]); stdout and stderr
 * go to files out_path and err_path. Returns the child's pid. */
static inline pid_t spawn(const char *const *args, const char *out_path, const char *err_path) {
    const char *argv[64];
    size_t n = 0;
    argv[n++] = MGSIM_BINARY;
    for (size_t i = 0; args[i] && n < 63; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (o < 0 || e < 0)
            _exit(127);
        dup2(o, STDOUT_FILENO);
        dup2(e, STDERR_FILENO);
        execv(MGSIM_BINARY, (char *const *)argv);
        _exit(127);
    }
    return pid;
}

/* The exit status of a finished child (128 + signal when killed). */
static inline int exit_status(int status) {
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}

/* A finished run: exit status, stdout and stderr (malloc'd). */
typedef struct {
    int code;
    char *out, *err;
} run_result;

static inline run_result run(const char *const *args) {
    char out_path[512], err_path[512];
    mkdir(MGSIM_TEST_TMP, 0777);
    snprintf(out_path, sizeof out_path, "%s/cli_stdout_%d.txt", MGSIM_TEST_TMP, (int)getpid());
    snprintf(err_path, sizeof err_path, "%s/cli_stderr_%d.txt", MGSIM_TEST_TMP, (int)getpid());
    pid_t pid = spawn(args, out_path, err_path);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    run_result r = {exit_status(status), rd_slurp(out_path), rd_slurp(err_path)};
    ck_assert_ptr_nonnull(r.out);
    ck_assert_ptr_nonnull(r.err);
    unlink(out_path);
    unlink(err_path);
    return r;
}

static inline void result_free(run_result *r) {
    free(r->out);
    free(r->err);
}

/* Run and expect exit status code, with needle in stdout (or NULL) and in stderr (or NULL). */
static inline void expect(const char *const *args, int code, const char *out_needle,
                          const char *err_needle) {
    run_result r = run(args);
    ck_assert_msg(r.code == code, "%s %s...: exit %d, expected %d; stderr: %s", MGSIM_BINARY,
                  args[0] ? args[0] : "", r.code, code, r.err);
    if (out_needle)
        ck_assert_msg(strstr(r.out, out_needle) != NULL, "stdout lacks \"%s\": %s", out_needle,
                      r.out);
    if (err_needle)
        ck_assert_msg(strstr(r.err, err_needle) != NULL, "stderr lacks \"%s\": %s", err_needle,
                      r.err);
    result_free(&r);
}

static inline json_t *load_summary(const char *dir) {
    char path[4096];
    json_error_t jerr;
    json_t *j = json_load_file(rd_path(path, sizeof path, dir, "summary.json"), 0, &jerr);
    ck_assert_msg(j != NULL, "summary.json: %s", jerr.text);
    return j;
}

/* The number at key in a summary (fails the test when it is missing or not a number). */
static inline double num(json_t *j, const char *key) {
    json_t *v = json_object_get(j, key);
    ck_assert_msg(json_is_number(v), "summary.json lacks the number %s", key);
    return json_number_value(v);
}

#endif /* MGSIM_TESTS_CLI_RUN_H */
