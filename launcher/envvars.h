/*
 * envvars: every environment variable resolution reads, gathered in one
 * struct and filled in one place (envvars_read), the way CPython's
 * Modules/getpath.py lists its inputs at its top. resolve() and the
 * modules under it never call plat_getenv: a caller (or a test) hands
 * them this struct, so a resolution is a function of what it was given.
 *
 * Every field is a borrowed string or NULL (unset). One exception, by
 * nature: the Windows registry's REG_EXPAND_SZ values are expanded with
 * the whole environment (launcher/interp.c).
 */
#ifndef PYSHIM_ENVVARS_H
#define PYSHIM_ENVVARS_H

#include "config/dirs.h"
#include "launcher/pyini.h"

struct envvars {
    const char *path;           /* PATH: the interpreter search */
    const char *pyshim_project; /* PYSHIM_PROJECT: the project, forced */
    const char *pyshim_mode;    /* PYSHIM_MODE: exec, embed or auto */
    const char *pyshim_disable; /* PYSHIM_DISABLE: set (not "" or "0"):
                                   no project is read, pass through */
    const char *passthrough;    /* PYSHIM_PASSTHROUGH: the loop guard */
    const char *pyenv_root;     /* PYENV_ROOT */
    const char *pyenv_version;  /* PYENV_VERSION (`pyenv shell`) */
    const char *uv_install_dir; /* UV_PYTHON_INSTALL_DIR */
    const char *appdata;        /* APPDATA (Windows: uv's default) */
    const char *userprofile;    /* USERPROFILE (Windows: pyenv-win's) */
    struct dirs_env dirs;       /* PYSHIM_HOME, HOME, XDG_*, LOCALAPPDATA */
    const char *system_config;  /* PYSHIM_SYSTEM_CONFIG, else the default */
    struct pyini_env pyini;     /* PY_PYTHON, PY_PYTHON3, LOCALAPPDATA */
};

/* Fill v from this process's environment (and plat_home()). The strings
 * are the environment's own: valid until it changes. */
void envvars_read(struct envvars *v);

#endif
