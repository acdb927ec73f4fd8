/*
 * pyshim run: a project's command (pytest, streamlit, jupyter) from any of
 * its sub-directories, or a shared env's from anywhere (--shared NAME).
 * The lookup and the run are exec's (cli/exec.h).
 */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/exec.h"
#include "cli/opt.h"
#include "common/exitcode.h"
#include "common/banned.h"

static const char usage[] =
    "usage: pyshim run [--shared NAME] CMD [ARGS...]\n"
    "\n"
    "Run the command CMD of the project at or above the current directory\n"
    "(pytest, streamlit, jupyter), from any of its sub-directories: CMD is\n"
    "the project venv's console script, else a shared env's, else one next\n"
    "to the base interpreter, and it runs with the project's python and\n"
    "\"env\" (a Python script runs under that python, so it sees the\n"
    "project's packages and the shared ones). `pyshim exec` is the same\n"
    "command.\n"
    "\n"
    "Outside a project, the global config's \"shared\" envs are used, as\n"
    "`python` there would use them; or name one with --shared. One\n"
    "JupyterLab for a folder of projects, started in that folder:\n"
    "`pyshim run --shared NAME jupyter lab`.\n"
    "\n"
    "  --shared NAME  CMD from the shared env NAME (DATA/shared/NAME), run\n"
    "                 with that env's python, wherever you are\n";

int cli_run(int argc, char **argv)
{
    return exec_main(argc, argv, usage);
}
