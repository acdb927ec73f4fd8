/*
 * interp: finding the installed Python interpreters and picking one.
 *
 * Sources, in priority order: the directories on PATH (minus every
 * directory that holds the shim itself and pyenv's shims, which are
 * scripts that would run pyenv), pyenv's versions/, uv's managed pythons,
 * then /usr/local/bin, /usr/bin and Homebrew's bin if they were not on
 * PATH. The same file found twice (links) is listed once.
 */
#ifndef PYSHIM_INTERP_H
#define PYSHIM_INTERP_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/sb.h"
#include "common/trace.h"
#include "launcher/pyver.h"

struct interp {
    char *path;         /* absolute path as found */
    struct pyver ver;   /* micro is -1 until known */
    const char *origin; /* "PATH", "pyenv", "uv", "system" */
    char *name;         /* pyenv/uv install name, or NULL */
    uint64_t dev, ino;  /* identity of the file it resolves to */
};

struct interp_list {
    struct interp *v;
    size_t nr, alloc;
};

#define INTERP_LIST_INIT                                                       \
    {                                                                          \
        NULL, 0, 0                                                             \
    }

struct interp_env {
    const char *path;            /* $PATH */
    const char *pyenv_root;      /* $PYENV_ROOT or ~/.pyenv, may be NULL */
    const char *uv_dir;          /* uv's python install dir, may be NULL */
    const char *cache_dir;       /* for the facts cache */
    uint64_t self_dev, self_ino; /* the running shim */
};

/* List every interpreter (see above). Never fails: unreadable places are
 * skipped (and traced). */
void interp_discover(struct interp_list *out, const struct interp_env *env,
                     struct trace *t);
/* Best match for req: highest minor, then highest micro, then first
 * found. Micro versions not known from a name are learned from the facts
 * cache when they decide. *out borrows from l. Returns -1 (e: which
 * versions exist) if nothing matches. */
int interp_pick(struct interp_list *l, const struct pyver *req,
                const char *req_text, const struct interp_env *env,
                struct interp **out, struct trace *t, struct err *e);
/* The interpreter installed under a pyenv/uv name ("3.12.1",
 * "pypy3.10-7.3.12", an env name), or NULL. */
struct interp *interp_by_name(struct interp_list *l, const char *name);
/* Append "3.8.18 (/path), 3.11.7 (/path), ..." for error messages. */
void interp_list_versions(const struct interp_list *l, struct sb *out);
void interp_list_release(struct interp_list *l);

/* The first program called name on PATH that is not the shim (nor in a
 * directory holding the shim). skip_scripts also passes over "#!" files
 * and pyenv's shims. Replaces out; returns -1 if there is none. */
int interp_which(const struct interp_env *env, const char *name,
                 int skip_scripts, struct sb *out);
/* True if path resolves to the running shim. */
int interp_is_self(const struct interp_env *env, const char *path);

#endif
