/* Command-line argument helpers shared by the subcommands. */
#include "cli/args.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int cli_is_option(const char *arg, const char *name) {
    size_t len = strlen(name);
    if (strncmp(arg, name, len) != 0)
        return 0;
    return arg[len] == '\0' || (name[1] == '-' ? arg[len] == '=' : 1);
}

const char *cli_option_value(int argc, char **argv, int *i, const char *name) {
    const char *arg = argv[*i];
    size_t len = strlen(name);
    if (arg[len] == '=' && name[1] == '-')
        return arg + len + 1;
    if (arg[len] != '\0' && name[1] != '-')
        return arg + len;
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

int cli_parse_u64(const char *s, unsigned long long *out) {
    if (!*s)
        return 0;
    for (const char *c = s; *c; c++)
        if (*c < '0' || *c > '9')
            return 0;
    errno = 0;
    char *end;
    *out = strtoull(s, &end, 10);
    return errno == 0 && *end == '\0';
}
