/*
 * interp_int: what launcher/interp.c shares with its Windows half,
 * launcher/interp_win.c. Not for other callers: they use interp.h.
 */
#ifndef PYSHIM_INTERP_INT_H
#define PYSHIM_INTERP_INT_H

#include "common/trace.h"
#include "launcher/interp.h"
#include "common/pyver.h"

/* Add the interpreter at path (tag t, found by origin, install name name
 * or NULL) to l, unless it is no native program, is the shim, or is
 * listed already (then what t tells is merged into that entry). */
void interp_add_tag(struct interp_list *l, const char *path,
                    const struct pyver_tag *t, const char *origin,
                    const char *name, const struct interp_env *env);
/* True if dir is pyenv's shims directory. */
int interp_is_pyenv_shims(const struct interp_env *env, const char *dir);
/* True if dir holds the shim or another pyshim build. */
int interp_holds_self(const struct interp_env *env, const char *dir);
/* Names compare caselessly on Windows. */
int interp_name_eq(const char *a, const char *b);
/* The Windows search (interp_discover when PLAT_WINDOWS). */
void interp_discover_win(struct interp_list *out, const struct interp_env *env,
                         struct trace *t);

#endif
