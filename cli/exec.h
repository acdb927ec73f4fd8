/*
 * exec: running a console script of the resolved environment, shared by
 * `pyshim exec` and `pyshim run` (cli/exec.c, cli/run.c).
 */
#ifndef PYSHIM_EXEC_H
#define PYSHIM_EXEC_H

/* Run argv[0] (a command name) with argv[1..argc-1]: found in the
 * environment `python` resolves to here (its bin dir, its shared envs'
 * bin dirs, next to the base interpreter), or with shared (a shared env
 * name, else NULL) in that env's bin dir; a Python script runs under
 * that environment's python, with the config's "env". Returns the exit
 * code of a failure (printed); on success it does not return (POSIX) or
 * returns the program's code (Windows). */
int exec_run(int argc, char **argv, const char *shared);
/* `pyshim exec` and `pyshim run`: [--shared NAME] CMD [ARGS...] parsed
 * (usage is the command's own --help text), then exec_run. */
int exec_main(int argc, char **argv, const char *usage);

#endif
