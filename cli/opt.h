/*
 * opt: the one option parser of the `pyshim` commands (in the manner of
 * git's parse-options and OpenBSD getopt_long): each command declares a
 * table of its options and gets, for free and the same everywhere,
 * `--opt VALUE` and `--opt=VALUE`, `-h`/`--help`, `--` to end the
 * options, "option '--python' needs a value", "unknown option '--x'" and
 * its OWN usage on every error.
 *
 *     const char *target = NULL, *name = "python";
 *     int json = 0;
 *     struct opt opts[] = {
 *         OPT_BOOL(0, "json", &json),
 *         OPT_STRING(0, "name", &name),
 *         OPT_END(),
 *     };
 *     struct opt_cmd c = OPT_CMD(usage, opts, &target, 1);
 *
 *     if (opt_parse_cmd(&c, argc, argv, &code))
 *         return code;
 *
 * No abbreviations (`--pyth` is unknown: a later option must not change
 * what an old script meant), no bundling of short options (none needs it).
 */
#ifndef PYSHIM_OPT_H
#define PYSHIM_OPT_H

#include "common/err.h"
#include "common/sv.h"

enum opt_type {
    OPT_T_END = 0,
    OPT_T_BOOL,   /* int *: set to 1; a value (`--json=x`) is an error */
    OPT_T_STRING, /* const char **: the value, borrowed from argv; the
                     last one given wins */
    OPT_T_STRINGS /* struct sv *: `--opt A B ...` takes the arguments that
                     follow up to the next one starting with '-' (zero or
                     more); `--opt=A` takes A alone */
};

struct opt {
    enum opt_type type;
    char short_name;       /* 'y' for -y, or 0 */
    const char *long_name; /* "python" for --python, or NULL */
    void *value;
};

#define OPT_END()                                                              \
    {                                                                          \
        OPT_T_END, 0, NULL, NULL                                               \
    }
#define OPT_BOOL(s, l, v)                                                      \
    {                                                                          \
        OPT_T_BOOL, (s), (l), (v)                                              \
    }
#define OPT_STRING(s, l, v)                                                    \
    {                                                                          \
        OPT_T_STRING, (s), (l), (v)                                            \
    }
#define OPT_STRINGS(s, l, v)                                                   \
    {                                                                          \
        OPT_T_STRINGS, (s), (l), (v)                                           \
    }

struct opt_cmd {
    const char *usage;      /* the command's --help text */
    const struct opt *opts; /* ends with OPT_END() */
    const char **args;      /* out: positional arguments (borrowed) */
    int max_args;           /* room in args; one more is an error */
    int nargs;              /* out: how many were given */
    /* exec: the first positional argument and everything after it belong
     * to the program run (its own --help included). */
    int stop_at_arg;
    int rest; /* out with stop_at_arg: argv index of that argument, or
                 argc if there is none */
};

#define OPT_CMD(usage, opts, args, max_args)                                   \
    {                                                                          \
        (usage), (opts), (args), (max_args), 0, 0, 0                           \
    }

enum { OPT_RUN = 0, OPT_HELP = 1 };

/* Parse argv[1..argc) (argv[0] is the command's name) against c->opts,
 * filling the options' values, c->args, c->nargs (and c->rest). Prints
 * nothing. Returns OPT_RUN, OPT_HELP when -h or --help came before any
 * "--" (and, with stop_at_arg, before the first positional), or -1 with e
 * set (code PYSHIM_EXIT_USAGE): an unknown option, a missing value, a
 * value given to a flag, or a positional argument beyond max_args. */
int opt_parse(struct opt_cmd *c, int argc, char **argv, struct err *e);

/* opt_parse for a command: on help prints c->usage to stdout and sets
 * *code to 0; on an error prints "pyshim: error: ..." and c->usage to
 * stderr and sets *code to PYSHIM_EXIT_USAGE. Returns 1 when the command
 * is done (return *code), 0 when it should run. */
int opt_parse_cmd(struct opt_cmd *c, int argc, char **argv, int *code);

#endif
