/*
 * pyshim site: the administrator's site shared envs (docs/site.md), and
 * how `pyshim shared` shows them to users: read-only, never written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "config/sitecfg.h"
#include "cli/cli.h"
#include "launcher/siteenv.h"
#include "launcher/venv.h"
#include "common/banned.h"

/* Load the system config the shim would believe; a refused one is
 * reported as the shim reports it. 0 with s->file NULL when none. */
static int site_load(struct sitecfg *s, struct err *e)
{
    char *refused = NULL;
    int ret = sitecfg_load(s, sitecfg_path(), &refused, e);

    if (refused) {
        fprintf(stderr, "pyshim: warning: ignored '%s'\n", refused);
        free(refused);
    }
    return ret;
}

void cli_site_list_shared(int *n)
{
    struct sitecfg s = SITECFG_INIT;
    struct err e = ERR_INIT;
    size_t i;

    if (site_load(&s, &e) < 0) {
        cli_report(&e);
        goto out;
    }
    for (i = 0; i < s.names.nr; i++) {
        struct venv v = VENV_INIT;
        char vb[32];

        if (!(*n)++)
            printf("%-16s %-8s %10s  %s\n", "NAME", "PYTHON", "SIZE",
                   "USED BY");
        if (venv_load(&v, s.paths.v[i], NULL) < 0)
            snprintf(vb, sizeof(vb), "broken");
        else
            pyver_str(&v.ver, vb, sizeof(vb));
        /* no size: a site env may be many GB on a network file system */
        printf("%-16s %-8s %10s  site env, read-only: %s (%s)\n", s.names.v[i],
               vb, "-", s.paths.v[i], s.file);
        venv_release(&v);
    }
out:
    sitecfg_release(&s);
    err_release(&e);
}

void cli_site_list_shared_json(struct jsonw *w)
{
    struct sitecfg s = SITECFG_INIT;
    struct err e = ERR_INIT;
    size_t i;

    if (site_load(&s, &e) < 0) {
        cli_report(&e);
        goto out;
    }
    for (i = 0; i < s.names.nr; i++)
        cli_shared_json_env(w, s.names.v[i], s.paths.v[i], "site", NULL, -1);
out:
    sitecfg_release(&s);
    err_release(&e);
}

const char *cli_site_map(const struct dirs *d, const char *entry,
                         struct sb *buf)
{
    struct sitecfg s = SITECFG_INIT;
    struct err e = ERR_INIT;
    const char *ret = entry;

    /* a broken or refused system config: the name stays the user's own
     * (resolution reports the config) */
    if (!site_load(&s, &e) && siteenv_map(&s, d->data, entry) != entry) {
        sb_set(buf, siteenv_map(&s, d->data, entry));
        ret = buf->buf;
    }
    sitecfg_release(&s);
    err_release(&e);
    return ret;
}

int cli_site_refuse_write(const struct dirs *d, const char *name, struct err *e)
{
    struct sitecfg s = SITECFG_INIT;
    struct sb own = SB_INIT;
    const char *path;
    int ret = 0;

    path_join(&own, d->data, "shared");
    path_join(&own, own.buf, name);
    if (venv_is_venv(own.buf) || site_load(&s, e) < 0)
        goto out;
    path = sitecfg_env(&s, name);
    if (!path)
        goto out;
    err_set(
        e, PYSHIM_EXIT_NOPERM,
        "'%s' is a site env ('%s', from '%s'): it is read-only, kept by the administrator",
        name, path, s.file);
    err_hint(
        e,
        "install into a project's own venv (`pyshim init --shared %s` layers the site env under it), or ask the administrator to add the package",
        name);
    ret = -1;
out:
    sitecfg_release(&s);
    sb_release(&own);
    return ret;
}
