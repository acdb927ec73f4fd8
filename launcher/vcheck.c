/*
 * vcheck: what a project's venv may run (launcher/vcheck.h).
 */
#include "launcher/vcheck.h"

#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/xalloc.h"
#include "config/trust.h"
#include "launcher/hook.h"
#include "launcher/rctx.h"
#include "launcher/vtrust.h"
#include "common/banned.h"
/* interp_finds, asked once per path in a run (its answer reads the
 * file's first bytes) */
static int finds(struct rctx *c, const char *path)
{
    if (c->finds_path && !strcmp(c->finds_path, path))
        return c->finds_ret;
    free(c->finds_path);
    c->finds_path = xstrdup(path);
    c->finds_ret = interp_finds(&c->pick.ienv, path);
    return c->finds_ret;
}

/* True if real (a canonical path) is one of the interpreters the search
 * finds: the same file, by identity, or by path where the file system
 * tells no identity. */
static int is_discovered(struct rctx *c, const char *real)
{
    struct interp_list *l;
    struct plat_stat st;
    size_t i;

    /* one candidate's quick answer first: the full search lists every
     * interpreter of the machine (most of a warm run's work) */
    if (finds(c, real))
        return 1;
    l = pick_list(&c->pick);
    if (plat_stat(real, &st, 1) < 0)
        return 0;
    for (i = 0; i < l->nr; i++) {
        struct sb r = SB_INIT;
        int same;

        if (st.dev || st.ino) {
            same = l->v[i].dev == st.dev && l->v[i].ino == st.ino;
        } else {
            same = !plat_realpath(l->v[i].path, &r) && path_equal(r.buf, real);
            sb_release(&r);
        }
        if (same)
            return 1;
    }
    return 0;
}

/* What a venv pyshim did not make may run: an interpreter the search
 * finds, or a program the user trusted (`pyshim trust`). */
static int found_or_trusted(struct rctx *c, const char *real)
{
    return is_discovered(c, real) ||
           trust_check_program(c->p->dirs.data, real, NULL) == 1;
}

/* True if dir (pyvenv.cfg's home) is the directory of an interpreter the
 * search finds, as written or once links are followed. python is the
 * venv's python, whose real path answers the usual case quickly. */
static int home_is_discovered(struct rctx *c, const char *dir,
                              const char *python)
{
    struct interp_list *l;
    struct sb rd = SB_INIT, d = SB_INIT, r = SB_INIT;
    size_t i;
    int ret = 0;

    /* quick: the venv's own interpreter lives there and the search
     * would list it (interp_finds), without listing them all. The
     * directory of a real path is a real path: home written as exactly
     * that needs no resolving of its own. */
    if (!plat_realpath(python, &r)) {
        sb_set(&d, r.buf);
        path_dirname(&d);
        if (strcmp(d.buf, dir) && plat_realpath(dir, &rd) < 0)
            goto out;
        ret = path_equal(d.buf, rd.len ? rd.buf : dir) && finds(c, r.buf);
        if (ret)
            goto out;
    }
    if (!rd.len && plat_realpath(dir, &rd) < 0)
        goto out;
    l = pick_list(&c->pick);
    for (i = 0; i < l->nr && !ret; i++) {
        sb_set(&d, l->v[i].path);
        path_dirname(&d);
        ret = !plat_realpath(d.buf, &r) && path_equal(r.buf, rd.buf);
        if (!ret && !plat_realpath(l->v[i].path, &r)) {
            path_dirname(&r);
            ret = path_equal(r.buf, rd.buf);
        }
    }
out:
    sb_release(&rd);
    sb_release(&d);
    sb_release(&r);
    return ret;
}

int vcheck_version(struct rctx *c, const struct venv *v,
                   const struct settings *s)
{
    struct pyver want;
    char vb[32];

    if (!s->python || cfg_is_path_request(s->python) ||
        !strcmp(s->python, "system") || pyver_parse(s->python, &want, 0) < 0 ||
        v->ver.major < 0)
        return 0;
    /* "3.13t" asks for a free-threaded build's venv, "3.13" a regular
     * one's: their packages do not load in each other (the ABI name,
     * lib/python3.13t, tells which a venv is) */
    if (pyver_matches(&v->ver, &want) &&
        (!v->libname || want.minor < 0 ||
         venv_is_ft(v) == pyver_req_ft(s->python)))
        return 0;
    err_set(c->e, PYSHIM_EXIT_CONFIG,
            "venv '%s' is Python %s%s, but '%s' asks for %s", v->dir,
            pyver_str(&v->ver, vb, sizeof(vb)),
            v->libname && venv_is_ft(v) ? " (free-threaded)" : "",
            s->python_from, s->python);
    return err_hint(
        c->e,
        "run `pyshim sync` in the project: it rebuilds the venv on Python %s and reinstalls its packages; or change the request",
        s->python);
}

/* What a venv runs from outside the tree (real): on Windows the base
 * pyvenv.cfg's home names; else a link that came with the tree
 * (recorded 0) or one pyshim made or the user trusted. */
static int outside_program(struct rctx *c, const struct venv *v,
                           const char *real, int recorded, const char *tree)
{
    const char *base = path_basename(real);
    struct plat_stat st;

    if (v->base) {
        /* Windows: pyvenv.cfg's home, a line of text in the project, names
         * what runs; owner and mode say nothing there (ACLs). It must be an
         * interpreter the search finds (PATH, PEP 514, pyenv-win, uv), or
         * one the user trusted. */
        if (found_or_trusted(c, real))
            return 0;
        err_set(
            c->e, PYSHIM_EXIT_NOPERM,
            "venv '%s' runs '%s' (pyvenv.cfg's home), which is not an installed interpreter pyshim finds (PATH, the registry, pyenv-win, uv): not run",
            v->dir, real);
        return err_hint(
            c->e,
            "recreate the venv with an installed Python (`py -3.N -m venv %s`), or if you know that program, `pyshim trust %s`",
            v->dir, tree);
    }
    if (!recorded) {
        /* A venv that came with the tree: its link may lead to a script
         * elsewhere in the same clone (a monorepo's tools/python3), so
         * only an interpreter the search finds, or one the user trusted,
         * will do. */
        if (found_or_trusted(c, real))
            return 0;
        err_set(
            c->e, PYSHIM_EXIT_NOPERM,
            "'%s' leads to '%s', which is not an installed Python interpreter pyshim finds, and the venv was not made by pyshim: not run",
            v->python, real);
        return err_hint(
            c->e,
            "recreate the venv with `python -m venv %s`, or if you know that program, `pyshim trust %s`",
            v->dir, tree);
    }
    /* A committed link may lead anywhere (`-> /bin/sh`, or a file another
     * user planted): it must reach something named like an interpreter
     * that only its owner or root could have put there. */
    if ((!strncmp(base, "python", 6) || !strncmp(base, "pypy", 4) ||
         !strncmp(base, "graalpy", 7)) &&
        !plat_stat(real, &st, 1) && (st.uid == plat_uid() || st.uid == 0) &&
        !(st.perm & 0002))
        return 0;
    err_set(
        c->e, PYSHIM_EXIT_NOPERM,
        "'%s' leads to '%s', which is not an installed Python interpreter (or others could have written it): not run",
        v->python, real);
    return err_hint(c->e, "recreate the venv with `python -m venv %s`", v->dir);
}

int vcheck_program(struct rctx *c, const struct venv *v, int recorded)
{
    struct plan *p = c->p;
    struct sb real = SB_INIT;
    const char *tree = p->proj.root ? p->proj.root : v->dir;
    int ret = 0, ok, in_tree;

    /* On Windows what runs is the base the venv's launcher names. */
    in_tree = vtrust_program(v, tree, &real);
    if (in_tree < 0)
        goto out;
    free(p->exe_real);
    p->exe_real = xstrdup(real.buf); /* facts_get needs it too */
    if (!in_tree) {
        ret = outside_program(c, v, real.buf, recorded, tree);
        goto out;
    }
    ok = trust_check_program(p->dirs.data, real.buf, c->e);
    if (ok == 1) {
        trace_add(&p->trace, "'%s' lives in the project tree and is trusted",
                  real.buf);
        goto out;
    }
    if (ok == 0) {
        err_set(
            c->e, PYSHIM_EXIT_NOPERM,
            "'%s' is a program inside the project tree, not a link to an installed interpreter: it is not trusted",
            real.buf);
        err_hint(
            c->e,
            "if you made it (python -m venv --copies), run `pyshim trust %s`; else recreate the venv",
            tree);
    }
    ret = -1;
out:
    sb_release(&real);
    return ret;
}

int vcheck_unrecorded(struct rctx *c, const struct venv *v)
{
    struct plan *p = c->p;
    const char *tree = p->proj.root;
    char *code = NULL;

    if (!PLAT_WINDOWS && v->home &&
        (vtrust_inside(v->home, tree) ||
         !home_is_discovered(c, v->home, v->python))) {
        err_set(
            c->e, PYSHIM_EXIT_NOPERM,
            "venv '%s' was not made by pyshim and its pyvenv.cfg home '%s' is %s (the standard library would load from there): not run",
            v->dir, v->home,
            vtrust_inside(v->home, tree)
                ? "inside the project tree"
                : "not an installed interpreter pyshim finds");
        return err_hint(
            c->e,
            "review it, then run `pyshim trust %s`; or recreate the venv with `pyshim init`",
            tree);
    }
    code = vtrust_startup_code(v, HOOK_FILE, NULL);
    if (!code) {
        trace_add(&p->trace,
                  "venv '%s' was not made by pyshim and holds no start-up code",
                  v->dir);
        return 0;
    }
    err_set(
        c->e, PYSHIM_EXIT_NOPERM,
        "venv '%s' was not made by pyshim and runs code at start-up ('%s'): not run",
        v->dir, code);
    err_hint(
        c->e,
        "review it, then run `pyshim trust %s`; or recreate the venv with `pyshim init`",
        tree);
    free(code);
    return -1;
}

/* The venv's pyvenv.cfg, its bin dir (the python link) and its
 * site-packages (start-up .pth files) only the grant's owner could write. */
static int granted_closed(struct plan *p, const struct venv *v)
{
    const struct sitecfg *s = &p->proj.site;
    struct sb f = SB_INIT;
    struct plat_stat st;
    int ok;

    path_join(&f, v->dir, "pyvenv.cfg");
    ok = sitecfg_granted_closed(s, f.buf, NULL) != (uint64_t)-1;
    sb_set(&f, v->python);
    path_dirname(&f);
    ok = ok && sitecfg_granted_closed(s, f.buf, NULL) != (uint64_t)-1;
    if (ok && v->site && !plat_stat(v->site, &st, 1))
        ok = sitecfg_granted_closed(s, v->site, NULL) != (uint64_t)-1;
    sb_release(&f);
    return ok;
}

int vcheck_is_unrecorded(struct rctx *c, const struct venv *v)
{
    struct plan *p = c->p;

    if (!p->proj.root || !vtrust_inside(v->dir, p->proj.root))
        return 0;
    if (trust_check_venv(p->dirs.data, v->dir, NULL) == 1) {
        trace_add(&p->trace, "venv '%s' was made by pyshim or trusted", v->dir);
        return 0;
    }
    /* its owner's records are theirs: the grant vouches for the project,
     * as far as only the owner could have written the venv (issue 16) */
    if (granted_closed(p, v)) {
        trace_add(
            &p->trace,
            "venv '%s' is trusted: the system config grants the project to this user",
            v->dir);
        return 0;
    }
    return 1;
}
