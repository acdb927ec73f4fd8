/*
 * envsel: the environment a project's run uses: its venv, an overlay (a
 * small venv pyshim builds for a project that names shared envs but no
 * venv) or the base interpreter; with the shared site dirs and the hook
 * content that environment should carry. Decides only: what is to be
 * written (the hook, a missing overlay) is left in the plan for
 * launcher/apply.h.
 */
#ifndef PYSHIM_ENVSEL_H
#define PYSHIM_ENVSEL_H

#include "launcher/layer.h"

struct rctx;

/* Fill the plan's interpreter, exe, environment, shared dirs and hook
 * from s. -1 with e: a venv missing, incomplete, of another version or
 * refused by launcher/vcheck.h; an interpreter not found; a shared env
 * unusable or untrusted. */
int envsel_choose(struct rctx *c, const struct settings *s);

#endif
