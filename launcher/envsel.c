/*
 * envsel: the environment a project's run uses (launcher/envsel.h).
 */
#include "launcher/envsel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/xalloc.h"
#include "config/trust.h"
#include "launcher/env.h"
#include "launcher/hook.h"
#include "launcher/request.h"
#include "launcher/siteenv.h"
#include "launcher/rctx.h"
#include "launcher/vcheck.h"
#include "launcher/venv.h"
#include "launcher/vtrust.h"
#include "common/banned.h"
/* A shared *path* inside the project tree is the tree's code too: the
 * hook runs its .pth files (site.addsitedir). One that carries start-up
 * code (launcher/vtrust.h) runs only once the project's config, which
 * lists it, is trusted. pyshim's own data dir is never the tree's. */
/* vtrust_inside(path, tree) with tree's real path found once (rtree, or
 * NULL when it has none) and path's (rpath, or NULL) */
static int inside_as_real(const char *path, const char *rpath, const char *tree,
                          const char *rtree)
{
    return rpath && rtree ? path_is_inside(rpath, rtree)
                          : path_is_inside(path, tree);
}

static int shared_in_tree(struct rctx *c)
{
    struct plan *p = c->p;
    struct sb rroot = SB_INIT, rdata = SB_INIT, rsite = SB_INIT;
    size_t i;
    int trusted = -1, ret = 0; /* trusted: not asked yet */
    const char *root_real, *data_real;

    if (!p->proj.root || !p->proj.cfg.file)
        return 0;
    /* the trees' real paths once, not once per shared dir */
    root_real = plat_realpath(p->proj.root, &rroot) ? NULL : rroot.buf;
    data_real = plat_realpath(p->dirs.data, &rdata) ? NULL : rdata.buf;
    for (i = 0; i < p->shared.nr && !ret; i++) {
        const char *site = p->shared.v[i], *site_real;
        char *code;

        site_real = plat_realpath(site, &rsite) ? NULL : rsite.buf;
        if (!inside_as_real(site, site_real, p->proj.root, root_real) ||
            inside_as_real(site, site_real, p->dirs.data, data_real))
            continue;
        code = vtrust_site_code(site, NULL, NULL);
        if (!code)
            continue;
        if (trusted < 0)
            trusted = trust_check(p->dirs.data, p->proj.cfg.file, NULL) == 1;
        if (!trusted) {
            err_set(
                c->e, PYSHIM_EXIT_NOPERM,
                "shared '%s' lies inside the project tree and runs code at start-up ('%s'): not run",
                site, code);
            err_hint(c->e, "review it, then run `pyshim trust %s`",
                     p->proj.root);
        }
        free(code);
        if (!trusted)
            ret = -1;
    }
    sb_release(&rroot);
    sb_release(&rdata);
    sb_release(&rsite);
    return ret;
}

static int use_shared(struct rctx *c, const struct settings *s,
                      const char *libname)
{
    struct plan *p = c->p;
    struct sb site = SB_INIT;
    size_t i;
    int ret = 0;

    for (i = 0; i < s->shared->nr && !ret; i++) {
        const char *entry;

        ret = siteenv_entry(c, s->shared->v[i], &entry);
        if (!ret)
            ret = env_shared_site(entry, p->dirs.data, &p->ver, libname, &site,
                                  &p->trace, c->e);
        if (!ret && sv_find(&p->shared, site.buf) < 0)
            sv_push(&p->shared, site.buf);
    }
    if (ret && s->shared_from)
        err_suffix(c->e, " (listed in '%s')", s->shared_from);
    sb_release(&site);
    if (!ret)
        ret = shared_in_tree(c);
    return ret;
}

/* Windows: run the base interpreter base as the venv python venv_python
 * (the venv launcher's protocol): exe is the base, argv[0] the venv's
 * python, and __PYVENV_LAUNCHER__ names it, so sys.executable, sys.prefix
 * and sys.path are the venv's; embed mode loads the base's DLL the same
 * way. */
static void venv_launch(struct plan *p, const char *base,
                        const char *venv_python)
{
    struct sb kv = SB_INIT;

    p->interp = xstrdup(base);
    p->exe = xstrdup(base);
    free(p->argv0);
    p->argv0 = xstrdup(venv_python);
    sb_addf(&kv, "__PYVENV_LAUNCHER__=%s", venv_python);
    sv_push_nodup(&p->setenv, sb_detach(&kv, NULL));
}

/* The hook wanted in site (the environment's site-packages): its content
 * and place. Its path is known to the plan only where site exists (an
 * overlay not built yet has none): PYSHIM_DRYRUN and `pyshim which`
 * show no path for a file that cannot be there. */
static void want_hook(struct plan *p, const char *site, int exists)
{
    struct sb path = SB_INIT;
    struct sv nested = SV_INIT;

    /* Read on every run, as the content must be known to tell whether
     * the hook is current: one directory listing per shared dir and one
     * read per .pth in it (docs/resolution.md, section 6). */
    hook_nested_dirs(&p->shared, &nested);
    hook_render(&p->shared, &nested, &p->hook);
    sv_release(&nested);
    free(p->hook_site);
    p->hook_site = xstrdup(site);
    /* the start-up code scan listed site-packages already (a venv pyshim
     * did not make): none of the three files there, none to remove */
    p->hook_none = exists && plat_memo_listed(site, HOOK_FILE) == 0 &&
                   plat_memo_listed(site, HOOK_MODULE_FILE) == 0 &&
                   plat_memo_listed(site, HOOK_START_FILE) == 0;
    if (exists) {
        path_join(&path, site, HOOK_FILE);
        free(p->hook_path);
        p->hook_path = sb_detach(&path, NULL);
    }
    sb_release(&path);
}

/* The venv s names must exist and be complete before it is read. */
static int venv_usable(struct rctx *c, const struct settings *s)
{
    struct plan *p = c->p;

    if (!plat_is_dir(s->venv)) {
        err_set(c->e, PYSHIM_EXIT_NOINPUT,
                "venv '%s' (from '%s') does not exist", s->venv, s->venv_from);
        return err_hint(c->e,
                        "create it with `python -m venv %s`, or fix \"venv\"",
                        s->venv);
    }
    if (!venv_is_incomplete(s->venv))
        return 0;
    /* Half made (python -m venv killed, or running now): pip or the hook
     * may be missing, so running it would mislead. */
    err_set(
        c->e, PYSHIM_EXIT_NOINPUT,
        "venv '%s' is incomplete: its creation was interrupted or is still running (it holds %s)",
        s->venv, VENV_INCOMPLETE);
    if (p->proj.kind == PROJ_GLOBAL)
        return err_hint(c->e, "`pyshim install` makes it again");
    return err_hint(
        c->e,
        "`pyshim init %s` makes it again (if one is running there, wait for it)",
        p->proj.root);
}

/* Are a and b the same file: the same real path, or the same identity
 * (a hard link)? */
static int same_file(const char *a, const char *b)
{
    struct sb ra = SB_INIT, rb = SB_INIT;
    struct plat_stat sta, stb;
    int ret = 0;

    if (!plat_realpath(a, &ra) && !plat_realpath(b, &rb))
        ret = path_equal(ra.buf, rb.buf);
    if (!ret && !plat_stat(a, &sta, 1) && !plat_stat(b, &stb, 1))
        ret = (sta.dev || sta.ino) && sta.dev == stb.dev && sta.ino == stb.ino;
    sb_release(&ra);
    sb_release(&rb);
    return ret;
}

/* The program the environment's python (the vetted env_python) has under
 * the name the user typed: `python3.11` runs bin/python3.11, as running
 * the environment directly would, so sys.orig_argv[0], sys.executable and
 * the shebangs pip writes name what the user named. Only the same file
 * as env_python (a venv's python3.11 leads where its python does), so
 * what runs is what the trust and version checks judged; else NULL and
 * env_python runs. Caller frees. */
static char *typed_program(struct rctx *c, const char *env_python)
{
    struct sb name = SB_INIT, path = SB_INIT;
    char *ret = NULL;

    if (c->p->is_pip)
        goto out;
    request_name(c->in->invoked, &name);
    if (strncmp(name.buf, "python", 6) ||
        !strcmp(name.buf, path_basename(env_python)))
        goto out;
    sb_set(&path, env_python);
    path_dirname(&path);
    path_join(&path, path.buf, name.buf);
    if (plat_is_executable(path.buf) && same_file(path.buf, env_python)) {
        trace_add(&c->p->trace, "runs '%s', the name typed (the same file)",
                  path.buf);
        ret = sb_detach(&path, NULL);
    }
out:
    sb_release(&name);
    sb_release(&path);
    return ret;
}

/* Run the venv's python: directly (under the name typed, where the venv
 * has it), or on Windows through its base. */
static void venv_exe(struct rctx *c, const struct venv *v)
{
    struct plan *p = c->p;

    p->python = xstrdup(v->python);
    if (v->base) {
        /* Windows: do what the venv's own python.exe (CPython's venv
         * launcher) would do, minus its extra process: run the base
         * with __PYVENV_LAUNCHER__ naming the venv's python, which is
         * how CPython learns sys.executable and finds pyvenv.cfg. */
        venv_launch(p, v->base, v->python);
        trace_add(&p->trace, "'%s' redirects to '%s'", v->python, v->base);
    } else {
        p->interp = xstrdup(v->executable ? v->executable : v->python);
        p->exe = typed_program(c, v->python);
        if (!p->exe)
            p->exe = xstrdup(v->python);
    }
}

static int venv_env(struct rctx *c, const struct settings *s)
{
    struct plan *p = c->p;
    struct venv v = VENV_INIT;
    int ret = -1, unrecorded;

    if (venv_usable(c, s) < 0 || venv_load(&v, s->venv, c->e) < 0 ||
        vcheck_version(c, &v, s) < 0)
        goto out;
    if (interp_is_self(&c->pick.ienv, v.python)) {
        err_set(c->e, PYSHIM_EXIT_LOOP,
                "'%s' is a link to pyshim itself: running it would loop",
                v.python);
        err_hint(c->e, "recreate the venv with a real interpreter");
        goto out;
    }
    unrecorded = vcheck_is_unrecorded(c, &v);
    if (vcheck_program(c, &v, !unrecorded) < 0)
        goto out;
    p->env_kind = "venv";
    p->env_dir = xstrdup(v.dir);
    p->env_from = xstrdup(s->venv_from);
    p->ver = v.ver;
    venv_exe(c, &v);
    trace_add(&p->trace, "environment: venv '%s' (from '%s')", v.dir,
              s->venv_from);
    if (use_shared(c, s, v.libname) < 0 ||
        (unrecorded && vcheck_unrecorded(c, &v) < 0))
        goto out;
    if (v.site) {
        want_hook(p, v.site, 1);
    } else if (p->shared.nr) {
        err_set(c->e, PYSHIM_EXIT_NOINPUT, "venv '%s' has no %s for the hook",
                v.dir,
                PLAT_WINDOWS ? "Lib\\site-packages"
                             : "lib/python*/site-packages");
        err_hint(c->e, "the venv is damaged: recreate it");
        goto out;
    }
    ret = 0;
out:
    venv_release(&v);
    return ret;
}

/* No venv but shared envs: the overlay for this base and these dirs. */
static int overlay_env(struct rctx *c, const struct settings *s)
{
    struct plan *p = c->p;
    char lib[48];
    const char *t;
    struct sb dir = SB_INIT;
    int exists;

    if (p->ver.minor < 0 || p->ver.micro < 0 || !p->abiflags)
        pick_version(&c->pick, p->interp, &p->ver, &p->abiflags);
    t = p->abiflags && strchr(p->abiflags, 't') ? "t" : "";
    snprintf(lib, sizeof(lib), "python%d.%d%s", p->ver.major, p->ver.minor, t);
    if (use_shared(c, s, lib) < 0)
        return -1;
    env_overlay_dir(p->dirs.data, p->interp, &p->ver, &p->shared, &dir);
    exists = venv_is_venv(dir.buf);
    p->overlay_missing = !exists;
    trace_add(&p->trace,
              exists ? "overlay env '%s'" : "overlay env '%s' (not built yet)",
              dir.buf);
    p->env_kind = "overlay";
    p->env_dir = sb_detach(&dir, NULL);
    p->env_from = xstrdup(s->shared_from ? s->shared_from : "config");
    venv_python_path(&dir, p->env_dir);
    p->python = xstrdup(dir.buf);
    if (PLAT_WINDOWS) {
        char *base = p->interp;

        p->interp = NULL;
        venv_launch(p, base, dir.buf);
        free(base);
    } else {
        p->exe = exists ? typed_program(c, dir.buf) : NULL;
        if (!p->exe)
            p->exe = xstrdup(dir.buf);
    }
    venv_site_path(&dir, p->env_dir, &p->ver, t);
    want_hook(p, dir.buf, exists);
    sb_release(&dir);
    return 0;
}

int envsel_choose(struct rctx *c, const struct settings *s)
{
    struct plan *p = c->p;
    struct pick_result r = PICK_RESULT_INIT;

    if (s->venv)
        return venv_env(c, s);
    if (pick_interp(&c->pick, s->python,
                    s->python_from ? s->python_from : "default", &r, c->e) < 0)
        return -1;
    p->interp = r.path;
    p->ver = r.ver;
    if (s->shared->nr)
        return overlay_env(c, s);
    p->env_kind = "base";
    p->exe = xstrdup(p->interp);
    p->python = xstrdup(p->interp);
    trace_add(
        &p->trace,
        "environment: the base interpreter (no venv, no shared libraries)");
    return 0;
}
