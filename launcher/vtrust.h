/*
 * vtrust: the rule for a venv that sits in a project tree, stated once
 * (docs/trust.md) for the resolver (launcher/resolve.c) and for
 * `pyshim trust` (cli/trust.c).
 *
 * A venv pyshim did not make, that arrived with the tree (committed to a
 * repository, unpacked from an archive), is code, like the config:
 *   - the program it runs must lie outside the tree, compared as real
 *     paths (a link to a script of the same clone, or a project reached
 *     through a symlinked path, is still inside);
 *   - its pyvenv.cfg "home" (where the standard library is loaded from)
 *     must not lie inside the tree;
 *   - it must hold no start-up code of its own: no .pth file with an
 *     `import` line, no sitecustomize / usercustomize, no .start file.
 * A venv pyshim made, or one the user trusted (config/trust.h: venv
 * records), skips the last two; the resolver adds that an unrecorded
 * venv's program and home must belong to an interpreter it discovers.
 */
#ifndef PYSHIM_VTRUST_H
#define PYSHIM_VTRUST_H

#include "common/sb.h"
#include "common/sv.h"
#include "launcher/venv.h"

/* 1 if path lies inside tree (or is tree), comparing real paths when
 * both exist (an in-tree link can lead out, a symlinked tree in); a path
 * that does not exist is judged as written. */
int vtrust_inside(const char *path, const char *tree);

/* The program running v starts: v->base on Windows (what its python.exe
 * redirects to), else v->python with links followed. Its real path goes
 * into real (replaced). 1 if it lies inside tree, 0 if outside, -1 if it
 * cannot be resolved (real is then empty). */
int vtrust_program(const struct venv *v, const char *tree, struct sb *real);

/* The start-up code v carries in its own site-packages: a .pth file with
 * a line site.py executes (`import ...`), sitecustomize or usercustomize
 * (module, package or compiled), or a PEP 829 .start file. Returns the
 * first one found as a path (caller frees), or NULL. all, if not NULL,
 * gets every one. A file named skip (e.g. the hook pyshim rewrites
 * anyway) is not counted, nor, when skip is a .pth, the .start file of
 * the same name (its PEP 829 pair, rewritten with it). */
char *vtrust_startup_code(const struct venv *v, const char *skip,
                          struct sv *all);

/* The same for one site dir (a shared path of a project). */
char *vtrust_site_code(const char *site, const char *skip, struct sv *all);

#endif
