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

/* Fill d from the environment. Fails only when neither PYSHIM_HOME nor a
 * home directory (on Windows: nor LOCALAPPDATA) is known. */
int dirs_init(struct dirs *d, struct err *e);
void dirs_release(struct dirs *d);

#endif
