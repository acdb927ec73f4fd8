/*
 * sync: rebuild an environment on another interpreter without losing a
 * package (`pyshim sync` for a project's venv, `pyshim shared upgrade`
 * for a shared env).
 *
 * The steps, each undone on failure:
 *   1. the package list: the env's own `pip freeze` (recorded next to it,
 *      cli/freeze.h), or, when the env cannot run pip any more (its
 *      Python is gone, or its pip came from a shared env that moved), the
 *      record pyshim wrote before. Either list must name every
 *      distribution installed in the env (its *.dist-info and *.egg-info
 *      dirs, pip/setuptools/wheel aside): else nothing is touched.
 *   2. the old env is renamed aside, DIR's parent/.pyshim-old-BASENAME
 *      (one rename): the new one is made at DIR itself, because a venv
 *      is not relocatable (pip writes DIR/bin/python into every console
 *      script, activate holds DIR), so a venv built elsewhere and renamed
 *      into place would have broken scripts;
 *   3. the new env: `python -m venv`, the hook (a project venv), then
 *      `pip install --no-deps` of the whole list (a project venv also
 *      --ignore-installed, so a package the shared layer also has is
 *      installed into the project again, as it was); pip's cache, its
 *      config, PIP_FIND_LINKS and --find-links are honoured, so it works
 *      offline when the files are there;
 *   4. every name of the list must be installed in the new env;
 *   5. only then the old env is removed (sync_finish), if pyshim made it;
 *      one it did not make (a venv made by hand) stays at the aside path.
 * A failure at 1 changes nothing; at 3 or 4 the new env is removed and the
 * old one renamed back (sync_undo). A run killed in between leaves the old
 * env at the aside path: the next sync of DIR puts it back first
 * (sync_recover).
 */
#ifndef PYSHIM_SYNC_H
#define PYSHIM_SYNC_H

#include "common/err.h"
#include "common/pyver.h"
#include "common/sb.h"
#include "common/sv.h"
#include "config/dirs.h"

struct sync_env {
    const char *dir;    /* the env to rebuild */
    const char *python; /* the interpreter to build it on */
    const struct pyver *ver;
    int project;            /* a project venv (--local list, hook) */
    int with_pip;           /* the new venv gets its own pip */
    int system_site;        /* --system-site-packages */
    const struct sv *sites; /* project: the shared site dirs (hook) */
    const char *find_links; /* --find-links for pip, or NULL */
    int keep_old;           /* not pyshim's to delete: kept at aside */
    int no_run;             /* came with the tree, unvetted: never run */
    /* out */
    struct sb aside;       /* where the old env is kept */
    struct sv packages;    /* the lines of the list reinstalled */
    struct sv failed;      /* the lines pip could not install */
    struct sv missing;     /* names not installed afterwards */
    const char *list_from; /* "pip freeze" or the record's path */
    struct sb record;      /* the record path, when the list came from it */
};

#define SYNC_ENV_INIT                                                          \
    {                                                                          \
        NULL, NULL, NULL, 0, 0, 0, NULL, NULL, 0, 0, SB_INIT, SV_INIT,         \
            SV_INIT, SV_INIT, NULL, SB_INIT                                    \
    }

/* DIR's aside path (replaces out). */
void sync_aside_path(struct sb *out, const char *dir);
/* An old env left aside by an interrupted sync of dir: when dir is
 * missing or a half-made venv, the old env is renamed back (1); when dir
 * is a complete venv as well, -1 with e (the user decides); 0 when there
 * is nothing aside. */
int sync_recover(const char *dir, struct err *e);
/* Steps 1-4. 0: the new env is at s->dir, the old at s->aside. -1 with e:
 * the env is as it was (s->failed / s->missing say which packages). */
int sync_rebuild(const struct dirs *d, struct sync_env *s, struct err *e);
/* Put the old env back (after a later step failed). -1 with e if it
 * cannot be: it is still at s->aside. */
int sync_undo(struct sync_env *s, struct err *e);
/* Step 5: remove the old env (unless keep_old: a venv pyshim cannot
 * prove it made stays at the aside path, and the user is told), record
 * the new one's packages. */
int sync_finish(const struct dirs *d, struct sync_env *s, struct err *e);
void sync_env_release(struct sync_env *s);

#endif
