/*
 * passthru: no project: the next program on PATH (launcher/passthru.h).
 */
#include "launcher/passthru.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/xalloc.h"
#include "launcher/rctx.h"
#include "launcher/request.h"
#include "common/banned.h"

static int is_wrapper(const char *path)
{
    struct sb real = SB_INIT, head = SB_INIT;
    int ret;

    ret = plat_realpath(path, &real) < 0 ||
          strncmp(path_basename(real.buf), "python", 6) ||
          (!plat_read_head(real.buf, 2, &head) && head.len == 2 &&
           !memcmp(head.buf, "#!", 2));
    sb_release(&real);
    sb_release(&head);
    return ret;
}

/* The guard "PID:COUNT" (strtol: no sscanf of the environment). */
static int parse_guard(const char *g, long *pid, long *count)
{
    char *end;

    *pid = strtol(g, &end, 10);
    if (end == g || *end != ':')
        return -1;
    g = end + 1;
    *count = strtol(g, &end, 10);
    return end == g ? -1 : 0;
}

/* The loop guard: *skip is set when a wrapper we passed to found us
 * again in this same process (the pid tells a loop from a legitimate
 * nested python), *count the guard's next value; -1 with e on a loop. */
static int check_guard(struct rctx *c, const char *name, int *skip, long *count)
{
    const char *guard = c->in->vars.passthrough;
    long pid = -1;

    *skip = 0;
    if (!guard || parse_guard(guard, &pid, count) < 0 || pid != plat_pid()) {
        *count = 0;
        return 0;
    }
    if (*count >= 2) {
        err_set(c->e, PYSHIM_EXIT_LOOP,
                "'%s' loops: the program found on PATH runs pyshim again",
                name);
        return err_hint(
            c->e,
            "set \"python\" in the global config (`pyshim which` shows the paths)");
    }
    *skip = 1;
    (*count)++;
    return 0;
}

/* Not on PATH: a pinned version may still be installed (pyenv). */
static int pinned_installed(struct rctx *c, const char *name)
{
    struct plan *p = c->p;
    struct interp *it = NULL;
    struct sb have = SB_INIT;

    if (p->pin.minor >= 0) {
        if (interp_pick(pick_list(&c->pick), &p->pin,
                        name + (p->is_pip ? 3 : 6), &c->pick.ienv, &it,
                        &p->trace, c->e) < 0)
            return -1;
        p->interp = xstrdup(it->path);
        p->ver = it->ver;
        p->exe = xstrdup(it->path);
        p->python = xstrdup(it->path);
        sv_push(&p->argv, p->exe);
        if (p->is_pip) {
            sv_push(&p->argv, "-m");
            sv_push(&p->argv, "pip");
        }
        trace_add(&p->trace, "no project; '%s' is not on PATH: using '%s'",
                  name, p->exe);
        return 0;
    }
    interp_list_versions(pick_list(&c->pick), &have);
    err_set(c->e, PYSHIM_EXIT_NOTFOUND,
            "no '%s' on PATH besides pyshim's own%s%s", name,
            have.len ? "; installed: " : "", have.buf);
    err_hint(c->e,
             "set \"python\" in the global config '%s', or install Python",
             p->dirs.config_file);
    sb_release(&have);
    return -1;
}

int passthru_plan(struct rctx *c)
{
    struct plan *p = c->p;
    struct sb nb = SB_INIT, file = SB_INIT, path = SB_INIT, val = SB_INIT;
    const struct interp_env *ie = &c->pick.ienv;
    long count = 0;
    int skip = 0, i, ret = -1;

    request_name(c->in->invoked, &nb);
    if (check_guard(c, nb.buf, &skip, &count) < 0)
        goto out;
    p->passthrough = 1;
    p->env_kind = "passthrough";
    sb_addf(&file, "%s%s", nb.buf, PLAT_EXE_SUFFIX);
    if (interp_which(ie, file.buf, skip, &path) < 0 &&
        (p->is_pip || strcmp(nb.buf, "python") ||
         interp_which(ie, "python3" PLAT_EXE_SUFFIX, skip, &path) < 0)) {
        if (pinned_installed(c, nb.buf) < 0)
            goto out;
    } else {
        p->exe = sb_detach(&path, NULL);
        if (!p->is_pip)
            p->python = xstrdup(p->exe);
        sv_push(&p->argv, p->exe);
        trace_add(&p->trace, "no project: passing through to '%s'", p->exe);
    }
    for (i = 0; i < c->in->argc; i++)
        sv_push(&p->argv, c->in->argv[i]);
    /* Only a wrapper (another tool's shim: a script, or a binary that is
     * not a python) can find us again; a real python never does, so only
     * then is the guard set and the child's environment touched. */
    if (is_wrapper(p->exe)) {
        sb_addf(&val, "%s=%ld:%ld", RESOLVE_PASSTHROUGH_VAR, plat_pid(), count);
        sv_push_nodup(&p->setenv, sb_detach(&val, NULL));
    }
    ret = 0;
out:
    sb_release(&path);
    sb_release(&nb);
    sb_release(&file);
    sb_release(&val);
    return ret;
}
