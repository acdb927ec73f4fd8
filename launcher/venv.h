/*
 * venv: reading a virtual environment (pyvenv.cfg and its layout).
 */
#ifndef PYSHIM_VENV_H
#define PYSHIM_VENV_H

#include <stddef.h>

#include "common/err.h"
#include "common/sb.h"
#include "common/pyver.h"

struct venv {
    char *dir;        /* absolute */
    char *home;       /* "home" key: the base interpreter's directory */
    char *executable; /* "executable" key (3.11+), or NULL */
    struct pyver ver; /* "version" or "version_info" key */
    int system_site;  /* include-system-site-packages = true */
    char *python;     /* dir/bin/python (or python3, python3.N);
                         Windows: dir\Scripts\python.exe */
    char *site;       /* dir/lib/pythonX.Y[t]/site-packages, or NULL;
                         Windows: dir\Lib\site-packages */
    char *libname;    /* "python3.12" or "python3.13t": the ABI dir name
                         (Windows: from the version, "t" from a
                         python3.Nt.exe base) */
    char *base;       /* Windows: the base interpreter the venv's python.exe
                         redirects to (home\python.exe, or the executable
                         key); NULL elsewhere, where python is a link */
};

#define VENV_INIT                                                              \
    {                                                                          \
        NULL, NULL, NULL, PYVER_NONE, 0, NULL, NULL, NULL, NULL                \
    }

/* The layout of a venv on this OS, for venvs pyshim builds or names.
 * venv_python_path: dir/bin/python, Windows dir\Scripts\python.exe.
 * venv_site_path: dir/lib/pythonX.Y[t]/site-packages (t: "t" for a
 * free-threaded build, else ""), Windows dir\Lib\site-packages (ver
 * is not read there and may be NULL).
 * Both replace out. */
void venv_python_path(struct sb *out, const char *dir);
void venv_site_path(struct sb *out, const char *dir, const struct pyver *ver,
                    const char *t);

/* Parse pyvenv.cfg text into v (home, executable, version, system_site). */
int venv_parse_cfg(struct venv *v, const char *file, const char *text,
                   size_t len, struct err *e);
/* Load the venv at dir: pyvenv.cfg, its python and site-packages. Fails
 * with a clear error if pyvenv.cfg is missing or unreadable. A dangling
 * python (base interpreter removed) is an error naming the lost base.
 *
 * On Windows a venv's Scripts\python.exe is not a link but a copy of
 * CPython's small venv launcher, which starts the base interpreter with
 * __PYVENV_LAUNCHER__ set to its own path; base is that interpreter, and
 * a missing one is the same error. */
int venv_load(struct venv *v, const char *dir, struct err *e);
/* Is v (loaded) a free-threaded build's venv: its ABI name (libname)
 * ends in "t" ("python3.13t")? */
int venv_is_ft(const struct venv *v);
/* True if dir holds a pyvenv.cfg. */
int venv_is_venv(const char *dir);

/* `python -m venv` can be killed half-way (pyvenv.cfg written, pip not yet
 * installed). A venv pyshim makes carries VENV_INCOMPLETE until it is done:
 * venv_begin() removes a half venv left by an interrupted run (only one
 * carrying the marker), creates dir and the marker; venv_done() removes the
 * marker once `python -m venv` succeeded. */
#define VENV_INCOMPLETE ".pyshim-incomplete"
int venv_is_incomplete(const char *dir);
/* Both marks bind the directory pyshim wrote them in (a "dir DEV INO"
 * line): one that came with a copied or cloned tree proves nothing.
 * venv_incomplete_is_own(): dir's VENV_INCOMPLETE is such a mark, the
 * user's; venv_begin() removes a half venv only then, else refuses. */
int venv_incomplete_is_own(const char *dir);
int venv_begin(const char *dir, struct err *e);
void venv_done(const char *dir);
/* venv_done() also writes VENV_MADE into the venv: the proof that pyshim
 * made it (a trust record is not: `pyshim trust` and `adopt` write one for
 * venvs made by hand). venv_is_made(): VENV_MADE is a regular file owned
 * by the user, read without blocking (common/plat.h), that binds dir.
 * Venvs made by earlier versions carry none that binds. */
#define VENV_MADE ".pyshim-made"
int venv_is_made(const char *dir);
void venv_release(struct venv *v);

#endif
