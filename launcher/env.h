/*
 * env: the environment a run uses: shared site dirs and overlay venvs.
 *
 * A shared entry is a name (a venv at DATA/shared/NAME) or a path to a
 * venv or a bare site-packages directory. An overlay is the small venv
 * pyshim builds for a project that asks for shared libraries but has no
 * venv: pyvenv.cfg, bin/python linking to the base interpreter and a
 * site-packages holding only the hook. It lives under the data dir (IDEs
 * and kernels remember sys.executable) and is built in a temp directory
 * and renamed into place, so no one ever sees half of one.
 */
#ifndef PYSHIM_ENV_H
#define PYSHIM_ENV_H

#include "common/err.h"
#include "common/sb.h"
#include "common/sv.h"
#include "common/trace.h"
#include "common/pyver.h"

/* The site-packages dir of shared entry (replaces site). want/want_lib
 * (e.g. "python3.12") are the environment's version and ABI dir name; a
 * shared env of another minor version or ABI is refused, naming both. */
int env_shared_site(const char *entry, const char *data_dir,
                    const struct pyver *want, const char *want_lib,
                    struct sb *site, struct trace *t, struct err *e);

/* Directory of the overlay for base interpreter `base` (version ver) and
 * these shared site dirs (replaces dir): a name under data_dir/overlays
 * from base's real path and the dirs. Reads only (base's real path). */
void env_overlay_dir(const char *data_dir, const char *base,
                     const struct pyver *ver, const struct sv *sites,
                     struct sb *dir);
/* Build the overlay dir (env_overlay_dir's answer) for base (version
 * ver, ABI flags abiflags) with the hook content hook in its
 * site-packages, unless it exists already (someone else built it: theirs
 * is as good). Built in a temp dir and renamed into place. */
int env_overlay_build(const char *data_dir, const char *dir, const char *base,
                      const struct pyver *ver, const char *abiflags,
                      const struct sb *hook, struct trace *t, struct err *e);

/* Overlay builds killed mid-way leave DATA/overlays/.tmp-* dirs. Every
 * build first removes them when no other build is running (each holds
 * DATA/locks/overlays.lock shared while it builds).
 * env_overlay_leftovers appends the paths of those dirs (this user's,
 * real dirs, not links) to out; env_overlay_clean removes them. *removed
 * gets how many; -1 with e when a build is running right now (its .tmp-
 * dir is not a leftover) or a removal failed. */
void env_overlay_leftovers(const char *data_dir, struct sv *out);
int env_overlay_clean(const char *data_dir, size_t *removed, struct err *e);

/* Who uses which shared env, for `pyshim shared remove` and `list`: for
 * each of sites that is a shared env pyshim manages (inside
 * data_dir/shared/NAME), a record data_dir/shared/NAME/.users/HEX (HEX:
 * 16 hex digits of env_dir's SHA-256) holding, separated by NUL bytes,
 * the SHA-256 of hook (the content of the hook file hook_path in
 * env_dir's site-packages), hook_path, env_dir, and from (the config
 * that asked for it; may be NULL). rewrite 0 writes
 * only a missing record (one stat per shared env on a warm run, so a
 * moved or copied environment is recorded at its new place); rewrite 1
 * replaces it (the hook was just written). Written atomically; best
 * effort and silent: a run never fails because a record could not be
 * written, and only into a shared env directory this user owns. The
 * record is alive while the hook still has that hash. */
void env_note_users(const char *data_dir, const char *env_dir, const char *from,
                    const struct sv *sites, const char *hook_path,
                    const struct sb *hook, int rewrite);
/* The name of the managed shared env that site lies in (site inside
 * data_dir/shared/NAME), into name (replaced); -1 if it is not one. */
int env_shared_name(const char *data_dir, const char *site, struct sb *name);

#endif
