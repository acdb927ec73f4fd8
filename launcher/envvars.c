/*
 * envvars: the one place resolution's environment variables are read.
 */
#include "launcher/envvars.h"

#include <string.h>

#include "common/plat.h"
#include "config/sitecfg.h"
#include "launcher/resolve.h"
#include "common/banned.h"

void envvars_read(struct envvars *v)
{
    memset(v, 0, sizeof(*v));
    v->path = plat_getenv("PATH");
    v->pyshim_project = plat_getenv("PYSHIM_PROJECT");
    v->pyshim_mode = plat_getenv("PYSHIM_MODE");
    v->pyshim_disable = plat_getenv("PYSHIM_DISABLE");
    v->passthrough = plat_getenv(RESOLVE_PASSTHROUGH_VAR);
    v->pyenv_root = plat_getenv("PYENV_ROOT");
    v->pyenv_version = plat_getenv("PYENV_VERSION");
    v->uv_install_dir = plat_getenv("UV_PYTHON_INSTALL_DIR");
    dirs_env_read(&v->dirs);
    v->system_config = sitecfg_path();
    /* Windows-only (install dirs, the py launcher's default): on POSIX
     * nothing reads them, and each getenv walks the whole environment. */
    if (PLAT_WINDOWS) {
        v->appdata = plat_getenv("APPDATA");
        v->userprofile = plat_getenv("USERPROFILE");
        pyini_env_read(&v->pyini);
    }
}
