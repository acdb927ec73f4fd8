#include "launcher/resolve.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ascii.h"
#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/xalloc.h"
#include "config/pyversion.h"
#include "config/trust.h"
#include "launcher/env.h"
#include "launcher/facts.h"
#include "launcher/hook.h"
#include "launcher/interp.h"
#include "launcher/pyargs.h"
#include "launcher/pyini.h"
#include "launcher/venv.h"
#include "launcher/vtrust.h"
#include "common/banned.h"

/* Everything resolve() needs besides the plan; one per invocation. */
struct ctx {
    const struct resolve_in *in;
    struct plan *p;
    struct err *e;
    struct interp_env ienv;
    struct interp_list interps;
    int scanned;
    char *pyenv_root;
    char *uv_dir;
    char *self_path;
    /* One interpreter's facts, read once per run: the overlay's version,
     * the mode and the PEP 668 check all ask about the same one. */
    char *facts_real;
    struct facts facts;
    int facts_ok;
};

static const struct facts *ctx_facts(struct ctx *c, const char *path,
                                     const char *real)
{
    struct sb r = SB_INIT;

    if (!real) {
        if (plat_realpath(path, &r) < 0) {
            sb_release(&r);
            return NULL;
        }
        real = r.buf;
    }
    if (!c->facts_real || strcmp(c->facts_real, real)) {
        free(c->facts_real);
        facts_release(&c->facts);
        c->facts_real = xstrdup(real);
        c->facts_ok = !facts_get(path, real, c->p->dirs.cache, &c->facts,
                                 &c->p->trace, NULL);
    }
    sb_release(&r);
    return c->facts_ok ? &c->facts : NULL;
}

static void ctx_release(struct ctx *c)
{
    interp_list_release(&c->interps);
    free(c->pyenv_root);
    free(c->uv_dir);
    free(c->self_path);
    free(c->facts_real);
    facts_release(&c->facts);
}

/* The name the shim was called by, as a request: the basename, and on
 * Windows without ".exe" and in lower case (names are caseless there:
 * "Python3.12.EXE" is "python3.12"). Replaces out. */
static void invoked_name(const char *invoked, struct sb *out)
{
    size_t n, k = sizeof(PLAT_EXE_SUFFIX) - 1, i;

    sb_set(out, path_basename(invoked));
    if (!PLAT_WINDOWS)
        return;
    for (i = 0; i < out->len; i++)
        out->buf[i] = ascii_lower(out->buf[i]);
    n = out->len;
    if (n > k && !strcmp(out->buf + n - k, PLAT_EXE_SUFFIX))
        sb_setlen(out, n - k);
}

static void parse_invoked(struct plan *p, const char *invoked)
{
    struct sb nb = SB_INIT;
    const char *name, *rest = NULL;

    invoked_name(invoked, &nb);
    name = nb.buf;

    if (!strncmp(name, "pip", 3)) {
        p->is_pip = 1;
        rest = name + 3;
    } else if (!strncmp(name, "python", 6)) {
        rest = name + 6;
    }
    if (rest && *rest)
        pyver_parse(rest, &p->pin, 0);
    sb_release(&nb);
}

static struct interp_list *interps(struct ctx *c)
{
    if (!c->scanned) {
        interp_discover(&c->interps, &c->ienv, &c->p->trace);
        c->scanned = 1;
    }
    return &c->interps;
}

static int setup_env(struct ctx *c)
{
    struct sb self = SB_INIT, s = SB_INIT;
    struct plat_stat st;
    const char *v;
    int ret = -1;

    if (plat_self_exe(&self) < 0 || plat_stat(self.buf, &st, 1) < 0) {
        err_set(c->e, PYSHIM_EXIT_OSERR,
                "cannot find pyshim's own executable: %s",
                plat_strerror(errno));
        goto out;
    }
    c->ienv.self_dev = st.dev;
    c->ienv.self_ino = st.ino;
    c->ienv.self_size = st.size;
    c->self_path = xstrdup(self.buf);
    c->ienv.self_path = c->self_path;
    c->ienv.path = plat_getenv("PATH");
    c->ienv.cache_dir = c->p->dirs.cache;
    v = plat_getenv("PYENV_ROOT");
    if (v && path_is_abs(v))
        c->pyenv_root = xstrdup(v);
    else if (c->p->dirs.home) {
        /* pyenv-win lives one level down and sets PYENV_ROOT there */
        path_join(&s, c->p->dirs.home,
                  PLAT_WINDOWS ? ".pyenv\\pyenv-win" : ".pyenv");
        c->pyenv_root = xstrdup(s.buf);
    }
    c->ienv.pyenv_root = c->pyenv_root;
    v = plat_getenv("UV_PYTHON_INSTALL_DIR");
    if (v && path_is_abs(v)) {
        c->uv_dir = xstrdup(v);
    } else if (PLAT_WINDOWS) {
        /* uv's default on Windows: %APPDATA%\uv\data\python */
        v = plat_getenv("APPDATA");
        if (v && path_is_abs(v)) {
            path_join(&s, v, "uv\\data\\python");
            c->uv_dir = xstrdup(s.buf);
        }
    } else {
        v = plat_getenv("XDG_DATA_HOME");
        sb_reset(&s);
        if (v && path_is_abs(v))
            sb_addf(&s, "%s/uv/python", v);
        else if (c->p->dirs.home)
            sb_addf(&s, "%s/.local/share/uv/python", c->p->dirs.home);
        if (s.len)
            c->uv_dir = xstrdup(s.buf);
    }
    c->ienv.uv_dir = c->uv_dir;
    ret = 0;
out:
    sb_release(&self);
    sb_release(&s);
    return ret;
}

/* Version of a discovered interpreter, from its name or else its facts. */
static void learn_version(struct ctx *c, const char *path, struct pyver *ver,
                          char **abiflags)
{
    struct sb real = SB_INIT;
    const struct facts *f;

    if (!abiflags && !plat_realpath(path, &real) &&
        !strncmp(path_basename(real.buf), "python", 6) &&
        !pyver_parse(path_basename(real.buf), ver, 0) && ver->minor >= 0) {
        sb_release(&real);
        return;
    }
    sb_release(&real);
    f = ctx_facts(c, path, NULL);
    if (f) {
        *ver = f->ver;
        if (abiflags)
            *abiflags = xstrdup(f->abiflags);
    }
}

/* pyenv's global default, $PYENV_ROOT/version, for a pyenv user who asked
 * for nothing else. NULL when unset or "system". */
static char *pyenv_default(struct ctx *c, char **from)
{
    struct sb file = SB_INIT, ver = SB_INIT;
    char *ret = NULL;

    if (!c->pyenv_root)
        return NULL;
    path_join(&file, c->pyenv_root, "version");
    if (plat_is_file(file.buf) && !pyversion_load(file.buf, &ver, NULL) &&
        strcmp(ver.buf, "system")) {
        *from = sb_detach(&file, NULL);
        ret = sb_detach(&ver, NULL);
    }
    sb_release(&file);
    sb_release(&ver);
    return ret;
}

/* Find the base interpreter for req (NULL: the default). Sets p->interp
 * and p->ver. */
static int pick_interp(struct ctx *c, const char *req, const char *from)
{
    struct plan *p = c->p;
    int system = 0;
    struct sb path = SB_INIT;
    struct interp *it = NULL;
    struct pyver want;
    int ret = -1;

    if (req && (cfg_is_path_request(req))) {
        if (!plat_is_executable(req)) {
            err_set(c->e, PYSHIM_EXIT_NOTFOUND,
                    "interpreter '%s' (from %s) does not exist or is not "
                    "executable",
                    req, from);
            err_hint(c->e,
                     "fix \"python\" in '%s', or use a version such as "
                     "\"3.12\"",
                     from);
            goto out;
        }
        if (interp_is_shim(&c->ienv, req))
            goto loop;
        p->interp = xstrdup(req);
        learn_version(c, req, &p->ver, NULL);
        trace_add(&p->trace, "interpreter '%s' named by path in %s", req, from);
        ret = 0;
        goto out;
    }
    if (req && !strcmp(req, "system")) {
        req = NULL; /* pyenv's word for "the one on PATH" */
        system = 1;
    }
    if (!req) {
        char *pfrom = NULL;
        char *def = NULL;
        struct sb pyreq = SB_INIT, pyfrom = SB_INIT;
        const char *whose = "pyenv's";

        /* Windows: the py launcher's own default (PY_PYTHON, py.ini)
         * first, so `python` and `py` agree outside projects. */
        if (PLAT_WINDOWS && !system && pyini_request(&pyreq, &pyfrom)) {
            def = sb_detach(&pyreq, NULL);
            pfrom = sb_detach(&pyfrom, NULL);
            whose = "the py launcher's";
        } else if (!system) {
            def = pyenv_default(c, &pfrom);
        }
        sb_release(&pyreq);
        sb_release(&pyfrom);
        if (def) {
            trace_add(&p->trace, "no version asked; %s default '%s' from '%s'",
                      whose, def, pfrom);
            ret = pick_interp(c, def, pfrom);
            free(def);
            free(pfrom);
            goto out;
        }
        if (interp_which(&c->ienv, "python3" PLAT_EXE_SUFFIX, 1, &path) < 0 &&
            interp_which(&c->ienv, "python" PLAT_EXE_SUFFIX, 1, &path) < 0) {
            struct sb have = SB_INIT;

            interp_list_versions(interps(c), &have);
            err_set(c->e, PYSHIM_EXIT_NOTFOUND,
                    "no python3 on PATH besides pyshim's own%s%s",
                    have.len ? "; installed: " : "", have.buf);
            err_hint(c->e, "name a version with \"python\" in .pyshim.json "
                           "or a .python-version file");
            sb_release(&have);
            goto out;
        }
        p->interp = sb_detach(&path, NULL);
        learn_version(c, p->interp, &p->ver, NULL);
        trace_add(&p->trace,
                  "no version asked: the first python3 on PATH, "
                  "'%s'",
                  p->interp);
        ret = 0;
        goto out;
    }
    it = interp_by_name(interps(c), req);
    if (it && interp_is_shim(&c->ienv, it->path)) {
        /* a pyshim build installed under that name is no interpreter */
        trace_add(&p->trace, "'%s' is a pyshim binary: skipped", it->path);
        it->shim = 1;
        it = NULL;
    }
    if (it) {
        trace_add(&p->trace, "'%s' is the %s install '%s'", req, it->origin,
                  it->path);
    } else {
        if (pyver_parse(req, &want, 0) < 0) {
            err_set(c->e, PYSHIM_EXIT_CONFIG,
                    "'%s' (from %s) is not a version pyshim understands", req,
                    from);
            err_hint(c->e, "write a version such as \"3.12\" or \"3.12.1\", "
                           "or an interpreter path");
            goto out;
        }
        if (interp_pick(interps(c), &want, req, &c->ienv, &it, &p->trace,
                        c->e) < 0) {
            err_suffix(c->e, " (asked by %s)", from);
            goto out;
        }
    }
    p->interp = xstrdup(it->path);
    p->ver = it->ver;
    if (p->ver.major < 0)
        learn_version(c, p->interp, &p->ver, NULL);
    ret = 0;
    goto out;
loop:
    err_set(c->e, PYSHIM_EXIT_LOOP,
            "'%s' is pyshim itself: running it would loop", req);
    err_hint(c->e, "name a real interpreter in '%s'", from);
out:
    sb_release(&path);
    return ret;
}

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

/* RESOLVE_PASSTHROUGH_VAR's value "PID:COUNT" (as written below), both
 * decimal; anything else is not ours and reads as absent. */
static int parse_guard(const char *s, long *pid, long *count)
{
    char *end;

    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    *pid = strtol(s, &end, 10);
    if (errno || *end != ':' || end[1] < '0' || end[1] > '9')
        return -1;
    *count = strtol(end + 1, &end, 10);
    return errno || *end ? -1 : 0;
}

/* No project: run the next real program of the same name on PATH. */
static int passthrough(struct ctx *c)
{
    struct plan *p = c->p;
    struct sb nb = SB_INIT, file = SB_INIT;
    const char *name;
    const char *guard = plat_getenv(RESOLVE_PASSTHROUGH_VAR);
    struct sb path = SB_INIT, val = SB_INIT;
    long pid = -1, count = 0;
    int skip = 0, i;

    invoked_name(c->in->invoked, &nb);
    name = nb.buf;
    /* A wrapper we passed to (another tool's shim) that finds us again
     * on PATH runs in this same process: the pid tells a loop from a
     * legitimate nested python. */
    if (!parse_guard(guard, &pid, &count) && pid == plat_pid()) {
        if (count >= 2) {
            err_set(c->e, PYSHIM_EXIT_LOOP,
                    "'%s' loops: the program found on PATH runs pyshim "
                    "again",
                    name);
            sb_release(&nb);
            return err_hint(c->e, "set \"python\" in the global config "
                                  "(`pyshim which` shows the paths)");
        }
        skip = 1;
        count++;
    } else {
        count = 0;
    }
    p->passthrough = 1;
    p->env_kind = "passthrough";
    sb_addf(&file, "%s%s", name, PLAT_EXE_SUFFIX);
    if (interp_which(&c->ienv, file.buf, skip, &path) < 0 &&
        (p->is_pip || strcmp(name, "python") ||
         interp_which(&c->ienv, "python3" PLAT_EXE_SUFFIX, skip, &path) < 0)) {
        /* Not on PATH: a pinned version may still be installed (pyenv). */
        struct interp *it = NULL;

        if (p->pin.minor < 0 ||
            interp_pick(interps(c), &p->pin, name + (p->is_pip ? 3 : 6),
                        &c->ienv, &it, &p->trace, c->e) < 0) {
            if (p->pin.minor < 0) {
                struct sb have = SB_INIT;

                interp_list_versions(interps(c), &have);
                err_set(c->e, PYSHIM_EXIT_NOTFOUND,
                        "no '%s' on PATH besides pyshim's own%s%s", name,
                        have.len ? "; installed: " : "", have.buf);
                err_hint(c->e,
                         "set \"python\" in the global config '%s', "
                         "or install Python",
                         p->dirs.config_file);
                sb_release(&have);
            }
            sb_release(&path);
            sb_release(&nb);
            sb_release(&file);
            return -1;
        }
        p->interp = xstrdup(it->path);
        p->ver = it->ver;
        p->exe = xstrdup(it->path);
        sv_push(&p->argv, p->exe);
        if (p->is_pip) {
            sv_push(&p->argv, "-m");
            sv_push(&p->argv, "pip");
        }
        trace_add(&p->trace, "no project; '%s' is not on PATH: using '%s'",
                  name, p->exe);
    } else {
        p->exe = sb_detach(&path, NULL);
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
    sb_release(&path);
    sb_release(&nb);
    sb_release(&file);
    return 0;
}

/* The settings that apply, after layering project over global. */
struct settings {
    const char *python, *python_from;
    const char *venv, *venv_from;
    const struct sv *shared;
    const char *shared_from;
    const struct sv *env;
    enum cfg_mode mode;
    const char *mode_from;
    char *pyenv_first; /* owned: the first entry of PYENV_VERSION */
};

static void layer(struct plan *p, struct settings *s)
{
    const struct project *pr = &p->proj;
    const struct cfg *own = pr->kind == PROJ_GLOBAL ? &pr->global : &pr->cfg;
    static const struct sv none = SV_INIT;
    const char *pyenv_version = plat_getenv("PYENV_VERSION");

    memset(s, 0, sizeof(*s));
    s->shared = &none;
    s->env = &none;
    if (own->python) {
        s->python = own->python;
        s->python_from = own->file;
    } else if (pyenv_version && *pyenv_version && !own->venv &&
               !pr->venv_marker) {
        /* `pyenv shell` outranks .python-version, as in pyenv; a venv
         * is the project's own choice and is not overridden */
        s->pyenv_first = xstrndup(pyenv_version, strcspn(pyenv_version, ":"));
        s->python = s->pyenv_first;
        s->python_from = "PYENV_VERSION";
    } else if (pr->pyversion) {
        s->python = pr->pyversion;
        s->python_from = pr->pyversion_file;
    } else if (pr->global.python) {
        s->python = pr->global.python;
        s->python_from = pr->global.file;
    }
    if (own->venv) {
        s->venv = own->venv;
        s->venv_from = own->file;
    } else if (pr->venv_marker) {
        s->venv = pr->venv_marker;
        s->venv_from = pr->venv_marker;
    }
    if (own->has_shared) {
        s->shared = &own->shared;
        s->shared_from = own->file;
    }
    if (own->has_env)
        s->env = &own->env;
    s->mode = own->mode ? own->mode : pr->global.mode;
    s->mode_from = own->mode ? own->file : pr->global.file;
}

static int venv_matches(struct ctx *c, const struct venv *v,
                        const struct settings *s)
{
    struct pyver want;
    char vb[32];

    if (!s->python || cfg_is_path_request(s->python) ||
        !strcmp(s->python, "system") || pyver_parse(s->python, &want, 0) < 0 ||
        v->ver.major < 0)
        return 0;
    if (pyver_matches(&v->ver, &want))
        return 0;
    err_set(c->e, PYSHIM_EXIT_CONFIG,
            "venv '%s' is Python %s, but '%s' asks for %s", v->dir,
            pyver_str(&v->ver, vb, sizeof(vb)), s->python_from, s->python);
    return err_hint(c->e,
                    "recreate the venv with Python %s (remove it and "
                    "run `python%s -m venv %s`), or change the request",
                    s->python, s->python, v->dir);
}

/* A shared *path* inside the project tree is the tree's code too: the
 * hook runs its .pth files (site.addsitedir). One that carries start-up
 * code (launcher/vtrust.h) runs only once the project's config, which
 * lists it, is trusted. pyshim's own data dir is never the tree's. */
static int shared_in_tree(struct ctx *c)
{
    struct plan *p = c->p;
    size_t i;
    int trusted = -1; /* not asked yet */

    if (!p->proj.root || !p->proj.cfg.file)
        return 0;
    for (i = 0; i < p->shared.nr; i++) {
        const char *site = p->shared.v[i];
        char *code;

        if (!vtrust_inside(site, p->proj.root) ||
            vtrust_inside(site, p->dirs.data))
            continue;
        code = vtrust_site_code(site, NULL, NULL);
        if (!code)
            continue;
        if (trusted < 0)
            trusted = trust_check(p->dirs.data, p->proj.cfg.file, NULL) == 1;
        if (!trusted) {
            err_set(c->e, PYSHIM_EXIT_NOPERM,
                    "shared '%s' lies inside the project tree and runs code "
                    "at start-up ('%s'): not run",
                    site, code);
            err_hint(c->e, "review it, then run `pyshim trust %s`",
                     p->proj.root);
        }
        free(code);
        if (!trusted)
            return -1;
    }
    return 0;
}

static int use_shared(struct ctx *c, const struct settings *s,
                      const char *libname)
{
    struct plan *p = c->p;
    struct sb site = SB_INIT;
    size_t i;
    int ret = 0;

    for (i = 0; i < s->shared->nr && !ret; i++) {
        ret = env_shared_site(s->shared->v[i], p->dirs.data, &p->ver, libname,
                              &site, &p->trace, c->e);
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

static int sync_hook(struct ctx *c, const char *site)
{
    struct plan *p = c->p;
    struct sb path = SB_INIT;

    hook_render(&p->shared, &p->hook);
    path_join(&path, site, HOOK_FILE);
    p->hook_path = sb_detach(&path, NULL);
    if (c->in->dry)
        return 0;
    if (hook_is_current(site, &p->hook)) {
        env_note_users(p->dirs.data, p->env_dir, p->env_from, &p->shared,
                       p->hook_path, &p->hook, 0);
        return 0;
    }
    if (p->env_dir) {
        /* A site-packages that is a link out of the environment (a
         * committed venv can hold one) would get the hook written into
         * somebody else's directory. */
        struct sb rs = SB_INIT, re = SB_INIT;
        int out = !plat_realpath(site, &rs) &&
                  !plat_realpath(p->env_dir, &re) &&
                  !path_is_inside(rs.buf, re.buf);

        if (out) {
            err_set(c->e, PYSHIM_EXIT_NOPERM,
                    "'%s' leads out of the environment '%s' (to '%s'): the "
                    "shared-libraries hook is not written there",
                    site, p->env_dir, rs.buf);
            err_hint(c->e, "recreate the venv with `python -m venv %s`",
                     p->env_dir);
        }
        sb_release(&rs);
        sb_release(&re);
        if (out)
            return -1;
    }
    if (hook_sync(site, &p->hook, &p->hook_changed, c->e) < 0)
        return -1;
    if (p->hook_changed)
        trace_add(&p->trace, "rewrote '%s'", p->hook_path);
    env_note_users(p->dirs.data, p->env_dir, p->env_from, &p->shared,
                   p->hook_path, &p->hook, p->hook_changed);
    return 0;
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

/* True if real (a canonical path) is one of the interpreters the search
 * finds: the same file, by identity, or by path where the file system
 * tells no identity. */
static int is_discovered(struct ctx *c, const char *real)
{
    struct interp_list *l = interps(c);
    struct plat_stat st;
    size_t i;

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

/* True if dir (pyvenv.cfg's home) is the directory of an interpreter the
 * search finds, as written or once links are followed. */
static int home_is_discovered(struct ctx *c, const char *dir)
{
    struct interp_list *l = interps(c);
    struct sb rd = SB_INIT, d = SB_INIT, r = SB_INIT;
    size_t i;
    int ret = 0;

    if (plat_realpath(dir, &rd) < 0)
        goto out;
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

/*
 * The venv's python must lead out of the project tree (launcher/vtrust.h
 * states the rule; real paths on both sides). A real binary inside the
 * tree (committed to a repository, or a venv made with --copies) is
 * somebody's program: it runs only once trusted, and pyshim does not even
 * probe it before that. recorded: pyshim made the venv or the user
 * trusted it (else what it runs must be an interpreter the search finds,
 * and so must its pyvenv.cfg home).
 */
static int shipped_program(struct ctx *c, const struct venv *v, int recorded)
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
    if (v->base && !in_tree) {
        /* Windows: pyvenv.cfg's home, a line of text in the project, names
         * what runs; owner and mode say nothing there (ACLs). It must be an
         * interpreter the search finds (PATH, PEP 514, pyenv-win, uv), or
         * one the user trusted. */
        if (is_discovered(c, real.buf) ||
            trust_check_program(p->dirs.data, real.buf, NULL) == 1)
            goto out;
        err_set(c->e, PYSHIM_EXIT_NOPERM,
                "venv '%s' runs '%s' (pyvenv.cfg's home), which is not an "
                "installed interpreter pyshim finds (PATH, the registry, "
                "pyenv-win, uv): not run",
                v->dir, real.buf);
        err_hint(c->e,
                 "recreate the venv with an installed Python (`py -3.N -m "
                 "venv %s`), or if you know that program, `pyshim trust "
                 "%s`",
                 v->dir, tree);
        ret = -1;
        goto out;
    }
    if (!in_tree && !recorded) {
        /* A venv that came with the tree: its link may lead to a script
         * elsewhere in the same clone (a monorepo's tools/python3), so
         * only an interpreter the search finds, or one the user trusted,
         * will do. */
        if (is_discovered(c, real.buf) ||
            trust_check_program(p->dirs.data, real.buf, NULL) == 1)
            goto out;
        err_set(c->e, PYSHIM_EXIT_NOPERM,
                "'%s' leads to '%s', which is not an installed Python "
                "interpreter pyshim finds, and the venv was not made by "
                "pyshim: not run",
                v->python, real.buf);
        err_hint(c->e,
                 "recreate the venv with `python -m venv %s`, or if you "
                 "know that program, `pyshim trust %s`",
                 v->dir, tree);
        ret = -1;
        goto out;
    }
    if (!in_tree) {
        /* A committed link may lead anywhere (`-> /bin/sh`, or a file
         * another user planted): it must reach something named like an
         * interpreter that only its owner or root could have put there. */
        const char *base = path_basename(real.buf);
        struct plat_stat st;

        if ((!strncmp(base, "python", 6) || !strncmp(base, "pypy", 4) ||
             !strncmp(base, "graalpy", 7)) &&
            !plat_stat(real.buf, &st, 1) &&
            (st.uid == plat_uid() || st.uid == 0) && !(st.perm & 0002))
            goto out;
        err_set(c->e, PYSHIM_EXIT_NOPERM,
                "'%s' leads to '%s', which is not an installed Python "
                "interpreter (or others could have written it): not run",
                v->python, real.buf);
        err_hint(c->e, "recreate the venv with `python -m venv %s`", v->dir);
        ret = -1;
        goto out;
    }
    ok = trust_check_program(p->dirs.data, real.buf, c->e);
    if (ok == 1) {
        trace_add(&p->trace, "'%s' lives in the project tree and is trusted",
                  real.buf);
        goto out;
    }
    if (ok == 0) {
        err_set(c->e, PYSHIM_EXIT_NOPERM,
                "'%s' is a program inside the project tree, not a link to an "
                "installed interpreter: it is not trusted",
                real.buf);
        err_hint(c->e,
                 "if you made it (python -m venv --copies), run "
                 "`pyshim trust %s`; else recreate the venv",
                 tree);
    }
    ret = -1;
out:
    sb_release(&real);
    return ret;
}

/* A venv in the project tree that pyshim did not make and the user did
 * not trust (launcher/vtrust.h): its pyvenv.cfg home must be an installed
 * interpreter's directory outside the tree (the standard library loads
 * from there), and it must carry no start-up code. _pyshim.pth is not
 * the venv's code: the shim rewrites (or removes) it before every run and
 * does not run when it cannot (sync_hook). */
static int unrecorded_venv(struct ctx *c, const struct venv *v)
{
    struct plan *p = c->p;
    const char *tree = p->proj.root;
    char *code = NULL;

    if (!PLAT_WINDOWS && v->home &&
        (vtrust_inside(v->home, tree) || !home_is_discovered(c, v->home))) {
        err_set(c->e, PYSHIM_EXIT_NOPERM,
                "venv '%s' was not made by pyshim and its pyvenv.cfg home "
                "'%s' is %s (the standard library would load from there): "
                "not run",
                v->dir, v->home,
                vtrust_inside(v->home, tree)
                    ? "inside the project tree"
                    : "not an installed interpreter pyshim finds");
        return err_hint(c->e,
                        "review it, then run `pyshim trust %s`; or "
                        "recreate the venv with `pyshim init`",
                        tree);
    }
    code = vtrust_startup_code(v, HOOK_FILE, NULL);
    if (!code) {
        trace_add(&p->trace,
                  "venv '%s' was not made by pyshim and holds no start-up "
                  "code",
                  v->dir);
        return 0;
    }
    err_set(c->e, PYSHIM_EXIT_NOPERM,
            "venv '%s' was not made by pyshim and runs code at start-up "
            "('%s'): not run",
            v->dir, code);
    err_hint(c->e,
             "review it, then run `pyshim trust %s`; or recreate the venv "
             "with `pyshim init`",
             tree);
    free(code);
    return -1;
}

/* 1 if v needs the checks of a venv that came with the tree: it lies in
 * the project tree and carries no venv record (config/trust.h). */
static int venv_unrecorded(struct ctx *c, const struct venv *v)
{
    struct plan *p = c->p;

    if (!p->proj.root || !vtrust_inside(v->dir, p->proj.root))
        return 0;
    if (trust_check_venv(p->dirs.data, v->dir, NULL) == 1) {
        trace_add(&p->trace, "venv '%s' was made by pyshim or trusted", v->dir);
        return 0;
    }
    return 1;
}

static int project_env(struct ctx *c, const struct settings *s)
{
    struct plan *p = c->p;
    struct venv v = VENV_INIT;
    char *abiflags = NULL;
    int ret = -1, unrecorded;

    if (s->venv) {
        if (!plat_is_dir(s->venv)) {
            err_set(c->e, PYSHIM_EXIT_NOINPUT,
                    "venv '%s' (from '%s') does not exist", s->venv,
                    s->venv_from);
            err_hint(c->e,
                     "create it with `python -m venv %s`, or fix "
                     "\"venv\"",
                     s->venv);
            goto out;
        }
        if (venv_is_incomplete(s->venv)) {
            /* Half made (python -m venv killed, or running now): pip or
             * the hook may be missing, so running it would mislead. */
            err_set(c->e, PYSHIM_EXIT_NOINPUT,
                    "venv '%s' is incomplete: its creation was interrupted "
                    "or is still running (it holds %s)",
                    s->venv, VENV_INCOMPLETE);
            if (p->proj.kind == PROJ_GLOBAL)
                err_hint(c->e, "`pyshim install` makes it again");
            else
                err_hint(c->e,
                         "`pyshim init %s` makes it again (if one is "
                         "running there, wait for it)",
                         p->proj.root);
            goto out;
        }
        if (venv_load(&v, s->venv, c->e) < 0 || venv_matches(c, &v, s) < 0)
            goto out;
        if (interp_is_self(&c->ienv, v.python)) {
            err_set(c->e, PYSHIM_EXIT_LOOP,
                    "'%s' is a link to pyshim itself: running it would loop",
                    v.python);
            err_hint(c->e, "recreate the venv with a real interpreter");
            goto out;
        }
        unrecorded = venv_unrecorded(c, &v);
        if (shipped_program(c, &v, !unrecorded) < 0)
            goto out;
        p->env_kind = "venv";
        p->env_dir = xstrdup(v.dir);
        p->env_from = xstrdup(s->venv_from);
        p->ver = v.ver;
        if (v.base) {
            /* Windows: do what the venv's own python.exe (CPython's venv
             * launcher) would do, minus its extra process: run the base
             * with __PYVENV_LAUNCHER__ naming the venv's python, which is
             * how CPython learns sys.executable and finds pyvenv.cfg. */
            venv_launch(p, v.base, v.python);
            trace_add(&p->trace, "'%s' redirects to '%s'", v.python, v.base);
        } else {
            p->interp = xstrdup(v.executable ? v.executable : v.python);
            p->exe = xstrdup(v.python);
        }
        trace_add(&p->trace, "environment: venv '%s' (from '%s')", v.dir,
                  s->venv_from);
        if (use_shared(c, s, v.libname) < 0)
            goto out;
        if (unrecorded && unrecorded_venv(c, &v) < 0)
            goto out;
        if (v.site) {
            if (sync_hook(c, v.site) < 0)
                goto out;
        } else if (p->shared.nr) {
            err_set(c->e, PYSHIM_EXIT_NOINPUT,
                    "venv '%s' has no %s for the hook", v.dir,
                    PLAT_WINDOWS ? "Lib\\site-packages"
                                 : "lib/python*/site-packages");
            err_hint(c->e, "the venv is damaged: recreate it");
            goto out;
        }
        ret = 0;
        goto out;
    }

    if (pick_interp(c, s->python, s->python_from ? s->python_from : "default") <
        0)
        goto out;
    if (!s->shared->nr) {
        p->env_kind = "base";
        p->exe = xstrdup(p->interp);
        trace_add(&p->trace, "environment: the base interpreter (no venv, no "
                             "shared libraries)");
        ret = 0;
        goto out;
    }
    if (p->ver.minor < 0 || p->ver.micro < 0 || !abiflags)
        learn_version(c, p->interp, &p->ver, &abiflags);
    {
        char lib[48];
        struct sb dir = SB_INIT;

        snprintf(lib, sizeof(lib), "python%d.%d%s", p->ver.major, p->ver.minor,
                 abiflags && strchr(abiflags, 't') ? "t" : "");
        if (use_shared(c, s, lib) < 0)
            goto out;
        hook_render(&p->shared, &p->hook);
        if (env_overlay(p->dirs.data, p->interp, &p->ver, abiflags, &p->shared,
                        &p->hook, !c->in->dry, &dir, &p->trace, c->e) < 0) {
            sb_release(&dir);
            goto out;
        }
        p->env_kind = "overlay";
        p->env_dir = sb_detach(&dir, NULL);
        p->env_from = xstrdup(s->shared_from ? s->shared_from : "config");
        venv_python_path(&dir, p->env_dir);
        if (PLAT_WINDOWS) {
            char *base = p->interp;

            p->interp = NULL;
            venv_launch(p, base, dir.buf);
            free(base);
        } else {
            p->exe = xstrdup(dir.buf);
        }
        venv_site_path(&dir, p->env_dir, &p->ver,
                       abiflags && strchr(abiflags, 't') ? "t" : "");
        if (!c->in->dry || plat_is_dir(dir.buf))
            ret = sync_hook(c, dir.buf);
        else
            ret = 0;
        sb_release(&dir);
    }
out:
    free(abiflags);
    venv_release(&v);
    return ret;
}

/* python3.N / pip3.N asked for a version the project does not run: run
 * that interpreter itself (as pyenv and the py launcher do), without the
 * project's environment, whose packages are built for another version. */
static int pinned_elsewhere(struct ctx *c, const struct settings *s)
{
    struct plan *p = c->p;
    struct pyver have = PYVER_NONE;
    char want[32];
    struct venv v = VENV_INIT;
    struct sb path = SB_INIT;

    if (p->pin.minor < 0)
        return 0;
    if (s->venv && !venv_load(&v, s->venv, NULL))
        have = v.ver;
    else if (s->python && pyver_parse(s->python, &have, 0) < 0)
        /* a path, "system" or a pyenv name: ask what it is */
        resolve_interpreter(s->python, &path, &have, NULL);
    venv_release(&v);
    sb_release(&path);
    if (have.major < 0 && !s->python && !s->venv)
        return 0; /* nothing asked: the pin is the request */
    if (have.major == p->pin.major &&
        (have.minor < 0 || have.minor == p->pin.minor))
        return 0;
    pyver_str(&p->pin, want, sizeof(want));
    trace_add(&p->trace,
              "'%s' pins %s but the project runs %d.%d: running "
              "Python %s without the project's environment",
              path_basename(c->in->invoked), want, have.major, have.minor,
              want);
    return 1;
}

/*
 * `pip install` in a project that runs a distro's own Python (no venv, no
 * shared envs) would end in pip's "externally-managed-environment" (PEP
 * 668). Say what to do instead, before pip starts. Options with which the
 * user chose a target or the risk themselves go through untouched.
 */
static int externally_managed(struct ctx *c, const struct resolve_in *in)
{
    static const char *const own_choice[] = {
        "--user",    "--target", "-t",
        "--prefix",  "--root",   "--break-system-packages",
        "--dry-run", NULL};
    struct plan *p = c->p;
    const struct facts *f;
    int i, k, install = 0;

    if (!p->is_pip || strcmp(p->env_kind, "base"))
        return 0;
    for (i = 0; i < in->argc; i++) {
        if (!strcmp(in->argv[i], "install"))
            install = 1;
        for (k = 0; own_choice[k]; k++)
            if (!strncmp(in->argv[i], own_choice[k], strlen(own_choice[k])))
                return 0;
    }
    if (!install || !(f = ctx_facts(c, p->interp, NULL)) || !f->ext_managed)
        return 0;
    err_set(c->e, PYSHIM_EXIT_CONFIG,
            "'%s' would install into '%s', which its distribution "
            "manages (PEP 668: externally-managed-environment)",
            path_basename(in->invoked), p->interp);
    if (p->proj.root)
        err_hint(c->e,
                 "give the project a light venv: `pyshim init %s` "
                 "(or `python -m venv .venv` there)",
                 p->proj.root);
    else
        err_hint(c->e,
                 "name a venv in the global config '%s' "
                 "(`pyshim install` makes a default one)",
                 p->dirs.config_file);
    return -1;
}

/* The mode asked for: PYSHIM_MODE over the config's "mode", else auto. */
static int wanted_mode(struct ctx *c, const struct settings *s,
                       enum cfg_mode *m, const char **from)
{
    const char *envmode = plat_getenv("PYSHIM_MODE");

    *m = s->mode ? s->mode : CFG_MODE_AUTO;
    *from = s->mode ? s->mode_from : "default";
    if (!envmode || !*envmode)
        return 0;
    *from = "PYSHIM_MODE";
    if (!strcmp(envmode, "exec"))
        *m = CFG_MODE_EXEC;
    else if (!strcmp(envmode, "embed"))
        *m = CFG_MODE_EMBED;
    else if (!strcmp(envmode, "auto"))
        *m = CFG_MODE_AUTO;
    else {
        err_set(c->e, PYSHIM_EXIT_USAGE, "PYSHIM_MODE='%s' is not a mode",
                envmode);
        return err_hint(c->e, "set it to exec, embed or auto, or unset it");
    }
    return 0;
}

/* The length of the name of the first "env" entry that only the program
 * loader reads, at program start (LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT,
 * DYLD_*), with its index in *at; 0 if none. Embed mode sets "env" in a
 * process that is already loaded: such an entry would be silently
 * ignored there. */
static size_t loader_var(const struct sv *env, size_t *at)
{
    size_t i;

    for (i = 0; env && i < env->nr; i++) {
        const char *kv = env->v[i];

        if (!strncmp(kv, "LD_", 3) || !strncmp(kv, "DYLD_", 5)) {
            *at = i;
            return strcspn(kv, "=");
        }
    }
    return 0;
}

/*
 * Embed needs a CPython 3.8+ with a shared libpython (the facts cache
 * knows, without running Python once it is filled), and no "env" entry
 * that only the program loader reads. Anything else runs by exec:
 * silently under auto, and with the reason in the trace (and `pyshim
 * which`) either way.
 */
static void decide_mode(struct ctx *c, enum cfg_mode m, const char *from,
                        const struct sv *env)
{
    struct plan *p = c->p;
    const struct facts *f;
    struct sb why = SB_INIT;
    size_t at = 0, n;

    if (m == CFG_MODE_EXEC) {
        p->mode = CFG_MODE_EXEC;
        sb_addf(&why, "exec asked for by %s", from);
        goto out;
    }
    p->mode = CFG_MODE_EXEC;
    if ((n = loader_var(env, &at))) {
        sb_addf(&why,
                "%s: exec (\"env\" sets %.*s, which only the program loader "
                "reads: embedding would ignore it)",
                cfg_mode_name(m), (int)n, env->v[at]);
        goto out;
    }
    f = ctx_facts(c, p->exe, p->exe_real);
    if (!f)
        sb_addf(&why, "%s: exec (the interpreter's facts are unknown)",
                cfg_mode_name(m));
    else if (strcmp(f->impl, "cpython"))
        sb_addf(&why, "%s: exec (%s is not CPython)", cfg_mode_name(m),
                f->impl);
    else if (f->ver.major < 3 || (f->ver.major == 3 && f->ver.minor < 8))
        sb_addf(&why, "%s: exec (Python %d.%d has no Py_BytesMain)",
                cfg_mode_name(m), f->ver.major, f->ver.minor);
    else if (!f->libpython)
        sb_addf(&why, "%s: exec (no shared libpython: a static build)",
                cfg_mode_name(m));
    else if (m == CFG_MODE_AUTO && facts_is_framework_lib(f->libpython))
        sb_addf(&why, "auto: exec (a framework build: its stub sets "
                      "__PYVENV_LAUNCHER__, which embedding does not)");
    else {
        p->mode = CFG_MODE_EMBED;
        p->libpython = xstrdup(f->libpython);
        sb_addf(&why, "%s: embed '%s'", cfg_mode_name(m), f->libpython);
    }
out:
    p->mode_why = sb_detach(&why, NULL);
    trace_add(&p->trace, "mode: %s", p->mode_why);
}

int resolve(const struct resolve_in *in, struct plan *p, struct err *e)
{
    struct ctx c;
    struct discover_in din;
    struct settings s;
    enum cfg_mode mode = CFG_MODE_AUTO;
    const char *script = NULL, *mode_from = NULL;
    int i, ret = -1;

    memset(&c, 0, sizeof(c));
    memset(&s, 0, sizeof(s));
    c.in = in;
    c.p = p;
    c.e = e;
    p->trace.enabled = in->trace;
    parse_invoked(p, in->invoked);
    if (dirs_init(&p->dirs, e) < 0 || setup_env(&c) < 0)
        goto out;
    if (!p->is_pip)
        script = pyargs_script(in->argc, in->argv);

    memset(&din, 0, sizeof(din));
    din.env_project = plat_getenv("PYSHIM_PROJECT");
    din.script = script;
    din.cwd = in->cwd;
    din.home = p->dirs.home;
    din.global_file = p->dirs.config_file;
    din.data_dir = p->dirs.data;
    if (discover_project(&din, &p->proj, &p->trace, e) < 0)
        goto out;

    if (p->proj.kind == PROJ_NONE) {
        ret = passthrough(&c);
        goto out;
    }
    layer(p, &s);
    if (wanted_mode(&c, &s, &mode, &mode_from) < 0)
        goto out;
    if (pinned_elsewhere(&c, &s)) {
        char want[32];
        static const struct sv none = SV_INIT;

        s.venv = NULL;
        s.shared = &none;
        s.python = pyver_str(&p->pin, want, sizeof(want));
        s.python_from = path_basename(in->invoked);
        if (project_env(&c, &s) < 0)
            goto out;
    } else {
        if (p->pin.minor >= 0 && !s.venv && !s.python) {
            struct sb nb = SB_INIT;

            invoked_name(in->invoked, &nb);
            s.python = p->python_req = sb_detach(&nb, NULL);
            s.python_from = path_basename(in->invoked);
        }
        if (project_env(&c, &s) < 0)
            goto out;
        if (!p->python_req && s.python)
            p->python_req = xstrdup(s.python);
    }
    if (s.python_from)
        p->python_from = xstrdup(s.python_from);

    sv_push(&p->argv, p->argv0 ? p->argv0 : p->exe);
    if (p->is_pip) {
        sv_push(&p->argv, "-m");
        sv_push(&p->argv, "pip");
    }
    for (i = 0; i < in->argc; i++)
        sv_push(&p->argv, in->argv[i]);
    for (i = 0; (size_t)i < s.env->nr; i++)
        sv_push(&p->setenv, s.env->v[i]);

    if (interp_is_self(&c.ienv, p->exe)) {
        err_set(e, PYSHIM_EXIT_LOOP,
                "'%s' resolves to pyshim itself: running it would loop",
                p->exe);
        err_hint(e, "point the config at a real interpreter");
        goto out;
    }
    if (externally_managed(&c, in) < 0)
        goto out;
    decide_mode(&c, mode, mode_from, s.env);
    ret = 0;
out:
    free(s.pyenv_first);
    ctx_release(&c);
    return ret;
}

/* A context for the helpers below, which resolve no project: a plain
 * "python" request with the usual dirs and search. */
struct standalone {
    struct resolve_in in;
    struct plan p;
    struct ctx c;
};

static int standalone_init(struct standalone *s, struct err *e)
{
    memset(s, 0, sizeof(*s));
    s->in.invoked = "python";
    plan_init(&s->p);
    s->c.in = &s->in;
    s->c.p = &s->p;
    s->c.e = e;
    return dirs_init(&s->p.dirs, e) < 0 || setup_env(&s->c) < 0 ? -1 : 0;
}

static void standalone_release(struct standalone *s)
{
    ctx_release(&s->c);
    plan_release(&s->p);
}

int resolve_discover(struct interp_list *out, struct err *e)
{
    struct standalone s;
    int ret = standalone_init(&s, e);

    if (!ret)
        interp_discover(out, &s.c.ienv, NULL);
    standalone_release(&s);
    return ret;
}

int resolve_interpreter(const char *req, struct sb *path, struct pyver *ver,
                        struct err *e)
{
    struct standalone s;
    int ret = -1;

    if (standalone_init(&s, e) < 0 ||
        pick_interp(&s.c, req, req ? "the command line" : "default") < 0)
        goto out;
    sb_set(path, s.p.interp);
    *ver = s.p.ver;
    ret = 0;
out:
    standalone_release(&s);
    return ret;
}
