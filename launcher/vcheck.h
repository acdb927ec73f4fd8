/*
 * vcheck: what a project's venv may run (the rules: launcher/vtrust.h,
 * docs/security.md). Each check reads, never writes; -1 with e (the
 * reason and what to do) refuses the run.
 */
#ifndef PYSHIM_VCHECK_H
#define PYSHIM_VCHECK_H

#include "launcher/layer.h"
#include "launcher/venv.h"

struct rctx;

/* The venv v must be the version s asks for (when s asks a version). */
int vcheck_version(struct rctx *c, const struct venv *v,
                   const struct settings *s);

/* 1 if v needs the checks of a venv that came with the tree: it lies in
 * the project tree and carries no venv record (config/trust.h). */
int vcheck_is_unrecorded(struct rctx *c, const struct venv *v);

/*
 * The venv's python must lead out of the project tree (launcher/vtrust.h
 * states the rule; real paths on both sides). A real binary inside the
 * tree (committed to a repository, or a venv made with --copies) is
 * somebody's program: it runs only once trusted, and pyshim does not even
 * probe it before that. recorded: pyshim made the venv or the user
 * trusted it (else what it runs must be an interpreter the search finds,
 * and so must its pyvenv.cfg home). Sets the plan's exe_real.
 */
int vcheck_program(struct rctx *c, const struct venv *v, int recorded);

/* A venv in the project tree that pyshim did not make and the user did
 * not trust (launcher/vtrust.h): its pyvenv.cfg home must be an installed
 * interpreter's directory outside the tree (the standard library loads
 * from there), and it must carry no start-up code. _pyshim.pth is not
 * the venv's code: apply_plan rewrites (or removes) it before every run
 * and the run stops when it cannot. */
int vcheck_unrecorded(struct rctx *c, const struct venv *v);

#endif
