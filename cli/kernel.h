/*
 * kernel: `pyshim kernel`'s subcommands that look at every kernelspec in
 * Jupyter's user kernel dir, pyshim's and everyone else's (cli/klist.c):
 * list, prune, and uninstall's note of the kernels it leaves pointing at
 * nothing. install, repoint and remove are in cli/kernel.c.
 */
#ifndef PYSHIM_KERNEL_H
#define PYSHIM_KERNEL_H

#include "common/err.h"
#include "config/dirs.h"

/* `pyshim kernel list [--json]` (argv[0] is "list"). Returns -1 with e
 * set on failure; *code gets the exit code of a --help or usage error
 * already printed (then returns 1). */
int klist_list(const struct dirs *d, int argc, char **argv, int *code,
               struct err *e);
/* `pyshim kernel prune [--dry-run] [--yes]`, the same way. */
int klist_prune(const struct dirs *d, int argc, char **argv, int *code,
                struct err *e);

/* uninstall: the kernels whose program lies under bin (or, with purge,
 * under the data dir too) will point at nothing. say prints them (before
 * anything changes); offer (after the uninstall) asks on a terminal, or
 * removes them with yes, whether pyshim wrote them or not, since their
 * program is provably gone by then. Neither fails the uninstall. */
void klist_orphans_say(const struct dirs *d, const char *bin, int purge);
void klist_orphans_offer(const struct dirs *d, const char *bin, int purge,
                         int yes);

#endif
