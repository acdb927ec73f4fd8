/*
 * siteenv: the system config in one run (launcher/siteenv.h).
 */
#include "launcher/siteenv.h"

#include <string.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "config/cfg.h"
#include "config/sitecfg.h"
#include "launcher/rctx.h"
#include "common/banned.h"

/* A shared entry as env_shared_site takes it: a name the user has no env
 * of but the system config defines is that site env's path (the user's own
 * env of a name comes first: project > user > system). With
 * "allow_user_shared": false only site envs may be layered. */
const char *siteenv_map(const struct sitecfg *site, const char *data_dir,
                        const char *entry)
{
    const char *path = cfg_is_name(entry) ? sitecfg_env(site, entry) : NULL;
    struct sb own = SB_INIT;
    int mine = 0;

    if (!path || !site->file)
        return entry;
    if (site->allow_user_shared) {
        path_join(&own, data_dir, "shared");
        path_join(&own, own.buf, entry);
        mine = plat_is_dir(own.buf);
        sb_release(&own);
    }
    return mine ? entry : path;
}

int siteenv_entry(struct rctx *c, const char *entry, const char **out)
{
    const struct sitecfg *site = &c->p->proj.site;
    const char *path = siteenv_map(site, c->p->dirs.data, entry);

    *out = entry;
    if (path != entry) {
        trace_add(&c->p->trace, "shared '%s' is the site env '%s' (from '%s')",
                  entry, path, site->file);
        *out = path;
        return 0;
    }
    if (!site->file || site->allow_user_shared ||
        (cfg_is_name(entry) && sitecfg_env(site, entry)))
        return 0;
    err_set(
        c->e, PYSHIM_EXIT_CONFIG,
        "shared env '%s' is not a site env, and the system config '%s' allows only site envs (\"allow_user_shared\": false)",
        entry, site->file);
    return err_hint(
        c->e,
        "use a site env (`pyshim shared list` shows them), or install into the project's own venv");
}

int siteenv_python_check(struct rctx *c)
{
    const struct sitecfg *site = &c->p->proj.site;
    const struct pyver *v = &c->p->ver;
    struct sb list = SB_INIT;
    size_t i;

    if (!site->file || v->major < 0 ||
        sitecfg_python_allowed(site, v->major, v->minor))
        return 0;
    for (i = 0; i < site->pythons.nr; i++)
        sb_addf(&list, "%s%s", i ? ", " : "", site->pythons.v[i]);
    err_set(
        c->e, PYSHIM_EXIT_CONFIG,
        "Python %d.%d is not one this machine's system config '%s' allows (%s)",
        v->major, v->minor, site->file, list.buf);
    err_hint(c->e,
             "ask for one of %s in the project (`pyshim init --python %s`)",
             list.buf, site->pythons.v[0]);
    sb_release(&list);
    return -1;
}

/* Is dir one of the site envs (by real path)? */
static const char *site_name_of(const struct sitecfg *site, const char *dir)
{
    struct sb real = SB_INIT, other = SB_INIT;
    const char *ret = NULL;
    size_t i;

    if (plat_realpath(dir, &real) < 0)
        sb_set(&real, dir);
    for (i = 0; i < site->paths.nr && !ret; i++) {
        if (plat_realpath(site->paths.v[i], &other) < 0)
            sb_set(&other, site->paths.v[i]);
        if (path_equal(real.buf, other.buf))
            ret = site->names.v[i];
    }
    sb_release(&real);
    sb_release(&other);
    return ret;
}

int siteenv_pip_check(struct rctx *c)
{
    static const char *const own_choice[] = {"--user",   "--target", "-t",
                                             "--prefix", "--root",   NULL};
    const struct resolve_in *in = c->in;
    struct plan *p = c->p;
    const char *name;
    int i, k, change = 0;

    if (!p->is_pip || !p->proj.site.file || !p->env_dir ||
        !p->proj.site.paths.nr)
        return 0;
    for (i = 0; i < in->argc; i++) {
        if (!strcmp(in->argv[i], "install") ||
            !strcmp(in->argv[i], "uninstall"))
            change = 1;
        for (k = 0; own_choice[k]; k++)
            if (!strncmp(in->argv[i], own_choice[k], strlen(own_choice[k])))
                return 0;
    }
    if (!change || !(name = site_name_of(&p->proj.site, p->env_dir)))
        return 0;
    err_set(
        c->e, PYSHIM_EXIT_NOPERM,
        "'%s' would change the site env '%s' ('%s'), which is read-only: the administrator keeps it (system config '%s')",
        path_basename(in->invoked), name, p->env_dir, p->proj.site.file);
    if (p->proj.root)
        return err_hint(
            c->e,
            "install into a venv of the project's own (in '%s', `pyshim init --shared %s` makes one with the site env layered under it), or ask the administrator to add the package",
            p->proj.root, name);
    return err_hint(
        c->e,
        "install into a project of your own (`pyshim init --shared %s` in its directory), or ask the administrator to add the package",
        name);
}
