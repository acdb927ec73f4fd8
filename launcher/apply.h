/*
 * apply: carry out what resolve() decided needs writing, before the run:
 * build the overlay env the plan names if it is missing, make the hook
 * file hold the plan's content (rewritten only when it differs: the warm
 * path reads it and writes nothing), and record the environment among
 * the users of the managed shared envs it names (launcher/env.h:
 * env_note_users).
 *
 * The shim, `pyshim init`, `exec`, `kernel` and `doctor --fix` apply the
 * plan they resolved; PYSHIM_DRYRUN, `which`, `explain` and `doctor`
 * (without --fix) only resolve.
 */
#ifndef PYSHIM_APPLY_H
#define PYSHIM_APPLY_H

#include "common/err.h"
#include "launcher/resolve.h"

/* Apply p (a plan resolve() returned 0 for). Sets p->hook_path (once the
 * overlay exists) and p->hook_changed. -1 with e: the overlay cannot be
 * built, or the hook cannot be written (or its site-packages leads out
 * of the environment: nothing is written there). */
int apply_plan(struct plan *p, struct err *e);

#endif
