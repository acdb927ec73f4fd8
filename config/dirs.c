#include "config/dirs.h"

#include <stdlib.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "common/xalloc.h"
#include "common/banned.h"

/* $var/leaf when var holds an absolute path (relative XDG values are
 * ignored, as the XDG spec says), else base/def. */
static char *xdg(const char *var, const char *leaf, const char *base,
                 const char *def)
{
    const char *v = plat_getenv(var);
    struct sb sb = SB_INIT;

    if (v && path_is_abs(v))
        path_join(&sb, v, leaf);
    else
        path_join(&sb, base, def);
    path_normalize(&sb);
    return sb_detach(&sb, NULL);
}

int dirs_init(struct dirs *d, struct err *e)
{
    const char *ph = plat_getenv("PYSHIM_HOME");
    const char *home = plat_home();
    struct sb sb = SB_INIT;

    d->home = home ? xstrdup(home) : NULL;
    if (ph && *ph) {
        /* relative would mean "a different home in every directory" */
        if (!path_is_abs(ph) && ph[0] != '~') {
            err_set(e, PYSHIM_EXIT_USAGE,
                    "PYSHIM_HOME='%s' is not an absolute path", ph);
            return err_hint(e, "set PYSHIM_HOME to an absolute path, or "
                               "unset it");
        }
        if (path_absolute(&sb, ph, NULL, home, e) < 0) {
            err_hint(e, "set PYSHIM_HOME to an absolute path");
            sb_release(&sb);
            return -1;
        }
        d->data = xstrdup(sb.buf);
        path_join(&sb, d->data, "cache");
        d->cache = xstrdup(sb.buf);
        path_join(&sb, d->data, "config.json");
        d->config_file = sb_detach(&sb, NULL);
        return 0;
    }
    if (PLAT_WINDOWS) {
        /* %LOCALAPPDATA%\\pyshim holds all three: Windows has no
         * separate cache or config roots that roam correctly */
        const char *lad = plat_getenv("LOCALAPPDATA");

        if (lad && path_is_abs(lad)) {
            sb_addstr(&sb, lad);
        } else if (home) {
            path_join(&sb, home, "AppData\\Local");
        } else {
            err_set(e, PYSHIM_EXIT_OSERR,
                    "neither LOCALAPPDATA nor a home directory is known");
            return err_hint(e, "set LOCALAPPDATA, or PYSHIM_HOME to a "
                               "directory for pyshim's data");
        }
        path_join(&sb, sb.buf, "pyshim");
        d->data = xdg("XDG_DATA_HOME", "pyshim", sb.buf, "");
        d->cache = xdg("XDG_CACHE_HOME", "pyshim", sb.buf, "cache");
        d->config_file = xdg("XDG_CONFIG_HOME", "pyshim\\config.json", sb.buf,
                             "config.json");
        sb_release(&sb);
        return 0;
    }
    if (!home) {
        err_set(e, PYSHIM_EXIT_OSERR, "no home directory is known");
        return err_hint(e, "set HOME, or PYSHIM_HOME to a directory for "
                           "pyshim's data");
    }
    d->data = xdg("XDG_DATA_HOME", "pyshim", home, ".local/share/pyshim");
    d->cache = xdg("XDG_CACHE_HOME", "pyshim", home, ".cache/pyshim");
    d->config_file = xdg("XDG_CONFIG_HOME", "pyshim/config.json", home,
                         ".config/pyshim/config.json");
    return 0;
}

void dirs_release(struct dirs *d)
{
    free(d->data);
    free(d->cache);
    free(d->config_file);
    free(d->home);
    d->data = d->cache = d->config_file = d->home = NULL;
}
