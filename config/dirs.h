/*
 * dirs: where pyshim keeps its own files.
 *
 *   PYSHIM_HOME set:  data = $PYSHIM_HOME, cache = $PYSHIM_HOME/cache,
 *                     config = $PYSHIM_HOME/config.json
 *   otherwise (XDG):  data = $XDG_DATA_HOME/pyshim (~/.local/share/pyshim),
 *                     cache = $XDG_CACHE_HOME/pyshim (~/.cache/pyshim),
 *                     config = $XDG_CONFIG_HOME/pyshim/config.json
 *                              (~/.config/pyshim/config.json)
 *   Windows:          data = %LOCALAPPDATA%\pyshim,
 *                     cache = %LOCALAPPDATA%\pyshim\cache,
 *                     config = %LOCALAPPDATA%\pyshim\config.json
 *                     (%USERPROFILE%\AppData\Local when LOCALAPPDATA is
 *                     unset); an XDG_* variable that is set still wins for
 *                     its own entry, as above.
 * Relative XDG (and LOCALAPPDATA) values are ignored, as the XDG spec
 * says. Every result is normalized (path.h: '\\' on Windows).
 */
#ifndef PYSHIM_DIRS_H
#define PYSHIM_DIRS_H

#include "common/err.h"

struct dirs {
    char *data;
    char *cache;
    char *config_file;
    char *home; /* the user's home, or NULL */
};

#define DIRS_INIT                                                              \
    {                                                                          \
        NULL, NULL, NULL, NULL                                                 \
    }

/* The environment variables the rules above read (plat_home() for
 * home); any may be NULL. */
struct dirs_env {
    const char *pyshim_home, *home;
    const char *xdg_data_home, *xdg_cache_home, *xdg_config_home;
    const char *localappdata;
};

/* Fill v from this process's environment. */
void dirs_env_read(struct dirs_env *v);
/* Fill d from v, then check it as dirs_check does. */
int dirs_init_env(struct dirs *d, const struct dirs_env *v, struct err *e);
/* Fill d from the environment, then dirs_check it. Fails when neither
 * PYSHIM_HOME nor a home directory (on Windows: nor LOCALAPPDATA) is
 * known, or when dirs_check refuses. */
int dirs_init(struct dirs *d, struct err *e);
/* Refuse pyshim's own directories (data, cache, the config file's
 * directory) when someone else could have planted files in them, as ssh
 * and gpg do: each, where it exists, must be the user's own and writable
 * by no one else; every directory above it must be the user's or root's
 * and writable by no one else, unless sticky (/tmp). -1 with e set
 * (PYSHIM_EXIT_NOPERM, a hint with the chmod to run). On Windows the
 * synthesized owner and modes (plat_stat) always pass: there the
 * per-user %LOCALAPPDATA% ACLs do this job. */
int dirs_check(const struct dirs *d, struct err *e);
void dirs_release(struct dirs *d);

#endif
