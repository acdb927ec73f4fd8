/*
 * cli: the `pyshim` management commands. Each command is a function
 * inst_<name>(argc, argv) with argv[0] the command name; it prints its own
 * output and errors and returns an exit code (common/exitcode.h).
 */
#ifndef PYSHIM_CLI_H
#define PYSHIM_CLI_H

#include "common/err.h"

#define PYSHIM_VERSION "0.1.0"

int inst_main(int argc, char **argv);
int inst_install(int argc, char **argv);
int inst_which(int argc, char **argv);

/* Print e as "pyshim: error:" / "pyshim: hint:" lines; returns its code. */
int inst_report(const struct err *e);
/* True if arg is -h or --help. */
int inst_is_help(const char *arg);

#endif
