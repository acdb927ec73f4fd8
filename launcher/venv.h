/*
 * venv: reading a virtual environment (pyvenv.cfg and its layout).
 */
#ifndef PYSHIM_VENV_H
#define PYSHIM_VENV_H

#include <stddef.h>

#include "common/err.h"
#include "launcher/pyver.h"

struct venv {
    char *dir;        /* absolute */
    char *home;       /* "home" key: the base interpreter's directory */
    char *executable; /* "executable" key (3.11+), or NULL */
    struct pyver ver; /* "version" or "version_info" key */
    int system_site;  /* include-system-site-packages = true */
    char *python;     /* dir/bin/python (or python3, python3.N) */
    char *site;       /* dir/lib/pythonX.Y[t]/site-packages, or NULL */
    char *libname;    /* "python3.12" or "python3.13t": the ABI dir name */
};

#define VENV_INIT                                                              \
    {                                                                          \
        NULL, NULL, NULL, PYVER_NONE, 0, NULL, NULL, NULL                      \
    }

/* Parse pyvenv.cfg text into v (home, executable, version, system_site). */
int venv_parse_cfg(struct venv *v, const char *file, const char *text,
                   size_t len, struct err *e);
/* Load the venv at dir: pyvenv.cfg, its python and site-packages. Fails
 * with a clear error if pyvenv.cfg is missing or unreadable. A dangling
 * python (base interpreter removed) is an error naming the lost base. */
int venv_load(struct venv *v, const char *dir, struct err *e);
/* True if dir holds a pyvenv.cfg. */
int venv_is_venv(const char *dir);

/* `python -m venv` can be killed half-way (pyvenv.cfg written, pip not yet
 * installed). A venv pyshim makes carries VENV_INCOMPLETE until it is done:
 * venv_begin() removes a half venv left by an interrupted run (only one
 * carrying the marker), creates dir and the marker; venv_done() removes the
 * marker once `python -m venv` succeeded. */
#define VENV_INCOMPLETE ".pyshim-incomplete"
int venv_is_incomplete(const char *dir);
int venv_begin(const char *dir, struct err *e);
void venv_done(const char *dir);
void venv_release(struct venv *v);

#endif
