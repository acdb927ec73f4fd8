/*
 * apply: the writes a plan needs (launcher/apply.h).
 */
#include "launcher/apply.h"

#include <stdlib.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/xalloc.h"
#include "launcher/env.h"
#include "launcher/hook.h"
#include "common/banned.h"

/* A site-packages that is a link out of the environment (a committed venv
 * can hold one) would get the hook written into somebody else's
 * directory. */
static int site_leads_out(const struct plan *p, struct err *e)
{
    struct sb rs = SB_INIT, re = SB_INIT;
    int out;

    if (!p->env_dir)
        return 0;
    out = !plat_realpath(p->hook_site, &rs) &&
          !plat_realpath(p->env_dir, &re) && !path_is_inside(rs.buf, re.buf);
    if (out) {
        err_set(
            e, PYSHIM_EXIT_NOPERM,
            "'%s' leads out of the environment '%s' (to '%s'): the shared-libraries hook is not written there",
            p->hook_site, p->env_dir, rs.buf);
        err_hint(e, "recreate the venv with `python -m venv %s`", p->env_dir);
    }
    sb_release(&rs);
    sb_release(&re);
    return out ? -1 : 0;
}

static int sync_hook(struct plan *p, struct err *e)
{
    if (!p->hook_path) {
        struct sb path = SB_INIT;

        path_join(&path, p->hook_site, HOOK_FILE);
        p->hook_path = sb_detach(&path, NULL);
    }
    if (hook_is_current(p->hook_site, &p->hook)) {
        env_note_users(p->dirs.data, p->env_dir, p->env_from, &p->shared,
                       p->hook_path, &p->hook, 0);
        return 0;
    }
    if (site_leads_out(p, e) < 0 ||
        hook_sync(p->hook_site, &p->hook, &p->hook_changed, e) < 0)
        return -1;
    if (p->hook_changed)
        trace_add(&p->trace, "rewrote '%s'", p->hook_path);
    env_note_users(p->dirs.data, p->env_dir, p->env_from, &p->shared,
                   p->hook_path, &p->hook, p->hook_changed);
    return 0;
}

int apply_plan(struct plan *p, struct err *e)
{
    if (p->overlay_missing) {
        if (env_overlay_build(p->dirs.data, p->env_dir, p->interp, &p->ver,
                              p->abiflags, &p->hook, &p->trace, e) < 0)
            return -1;
        p->overlay_missing = 0;
    }
    if (!p->hook_site || (p->hook_none && !p->hook.len))
        return 0;
    return sync_hook(p, e);
}
