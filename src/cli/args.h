/* Command-line argument helpers shared by the subcommands. Internal to the mgsim command. */
#ifndef MGSIM_CLI_ARGS_H
#define MGSIM_CLI_ARGS_H

/* Does argv entry arg name option `name` (alone, "--name=VALUE" for a long option,
 * "-oVALUE" for a short one)? */
int cli_is_option(const char *arg, const char *name);

/* The value of option `name` at argv[*i]: "--name=V", "--name V" or "-oV"/"-o V".
 * Advances *i past a separate value. NULL when the value is missing. */
const char *cli_option_value(int argc, char **argv, int *i, const char *name);

/* Parse a whole decimal number (digits only, no sign, no overflow) into *out.
 * Returns 1 on success, 0 otherwise. */
int cli_parse_u64(const char *s, unsigned long long *out);

#endif /* MGSIM_CLI_ARGS_H */
