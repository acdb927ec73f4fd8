#include "installer/cli.h"

#include <stdio.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/banned.h"

static const char usage[] =
    "usage: pyshim <command> [options]\n"
    "\n"
    "pyshim puts the right Python behind `python` and `pip`: the project's\n"
    "venv, its interpreter and the shared libraries, with no activation.\n"
    "\n"
    "commands:\n"
    "  install [--bin-dir DIR]   put the python/pip links into DIR\n"
    "  which [--json] [PATH]     show what `python` runs in PATH and why\n"
    "  help                      this text\n"
    "  version                   print pyshim's version\n"
    "\n"
    "Run `pyshim <command> --help` for a command's options.\n"
    "Environment: PYSHIM_HOME, PYSHIM_PROJECT, PYSHIM_MODE, PYSHIM_DEBUG=1,\n"
    "PYSHIM_DRYRUN=1 (see docs/config.md).\n";

int inst_is_help(const char *arg)
{
    return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

int inst_report(const struct err *e)
{
    fprintf(stderr, "pyshim: error: %s\n", e->msg ? e->msg : "failed");
    if (e->hint)
        fprintf(stderr, "pyshim: hint: %s\n", e->hint);
    return e->code ? e->code : PYSHIM_EXIT_FAILURE;
}

int inst_main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;

    if (!cmd || inst_is_help(cmd) || !strcmp(cmd, "help")) {
        fputs(usage, cmd ? stdout : stderr);
        return cmd ? PYSHIM_EXIT_OK : PYSHIM_EXIT_USAGE;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("pyshim %s\n", PYSHIM_VERSION);
        return PYSHIM_EXIT_OK;
    }
    if (!strcmp(cmd, "install"))
        return inst_install(argc - 1, argv + 1);
    if (!strcmp(cmd, "which"))
        return inst_which(argc - 1, argv + 1);
    fprintf(stderr, "pyshim: error: unknown command '%s'\n", cmd);
    fprintf(stderr, "pyshim: hint: run `pyshim help` for the commands\n");
    return PYSHIM_EXIT_USAGE;
}
