/*
 * pick: interpreter selection (launcher/pick.h). Moved out of resolve.c
 * so that selection returns a choice instead of writing into a plan.
 */
#include "launcher/pick.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/xalloc.h"
#include "config/cfg.h"
#include "config/pyverfile.h"
#include "launcher/icache.h"
#include "launcher/pyini.h"
#include "config/pyspec.h"
#include "common/banned.h"

static void push_dir(struct sv *dirs, const char *dir)
{
    size_t i;

    if (!dir || !path_is_abs(dir))
        return;
    for (i = 0; i < dirs->nr; i++)
        if (path_equal(dirs->v[i], dir))
            return;
    sv_push(dirs, dir);
}

static void push_join(struct sv *dirs, const char *base, const char *leaf)
{
    struct sb s = SB_INIT;

    if (base && path_is_abs(base)) {
        path_join(&s, base, leaf);
        push_dir(dirs, s.buf);
    }
    sb_release(&s);
}

void pick_install_dirs(const struct envvars *v, const char *home,
                       struct pick_dirs *out)
{
    struct sb s = SB_INIT;

    if (v->pyenv_root && path_is_abs(v->pyenv_root)) {
        out->pyenv_root = xstrdup(v->pyenv_root);
    } else if (home) {
        /* pyenv-win lives one level down and sets PYENV_ROOT there */
        path_join(&s, home, PLAT_WINDOWS ? ".pyenv\\pyenv-win" : ".pyenv");
        out->pyenv_root = xstrdup(s.buf);
    }
    push_join(&out->pyenv_versions, out->pyenv_root, "versions");
    if (PLAT_WINDOWS) {
        push_join(&out->pyenv_versions, out->pyenv_root, "pyenv-win\\versions");
        push_join(&out->pyenv_versions, v->userprofile,
                  ".pyenv\\pyenv-win\\versions");
        push_dir(&out->uv, v->uv_install_dir);
        push_join(&out->uv, v->appdata, "uv\\data\\python");
        push_join(&out->uv, v->appdata, "uv\\python");
        if (v->dirs.localappdata && path_is_abs(v->dirs.localappdata)) {
            path_join(&s, v->dirs.localappdata, "Python");
            out->pymanager = xstrdup(s.buf);
        }
    } else if (v->uv_install_dir && path_is_abs(v->uv_install_dir)) {
        push_dir(&out->uv, v->uv_install_dir);
    } else if (v->dirs.xdg_data_home && path_is_abs(v->dirs.xdg_data_home)) {
        push_join(&out->uv, v->dirs.xdg_data_home, "uv/python");
    } else {
        push_join(&out->uv, home, ".local/share/uv/python");
    }
    sb_release(&s);
}

void pick_dirs_release(struct pick_dirs *d)
{
    free(d->pyenv_root);
    free(d->pymanager);
    sv_release(&d->pyenv_versions);
    sv_release(&d->uv);
    d->pyenv_root = NULL;
    d->pymanager = NULL;
}

int pick_init(struct pick *k, const struct envvars *vars, const struct dirs *d,
              struct trace *t, struct err *e)
{
    struct sb self = SB_INIT;
    struct plat_stat st;
    int ret = -1;

    memset(k, 0, sizeof(*k));
    sb_init(&k->note.lines, 0);
    k->vars = vars;
    k->trace = t;
    k->facts_ok = 0;
    if (plat_self_stat(&self, &st) < 0) {
        err_set(e, PYSHIM_EXIT_OSERR, "cannot find pyshim's own executable: %s",
                plat_strerror(errno));
        goto out;
    }
    k->self_path = sb_detach(&self, NULL);
    k->ienv.self_dev = st.dev;
    k->ienv.self_ino = st.ino;
    k->ienv.self_size = st.size;
    k->ienv.self_path = k->self_path;
    k->ienv.path = vars->path;
    k->ienv.cache_dir = d->cache;
    pick_install_dirs(vars, d->home, &k->dirs);
    k->ienv.pyenv_root = k->dirs.pyenv_root;
    k->ienv.pyenv_versions = &k->dirs.pyenv_versions;
    k->ienv.uv_dirs = &k->dirs.uv;
    k->ienv.pymanager_root = k->dirs.pymanager;
    ret = 0;
out:
    sb_release(&self);
    return ret;
}

void pick_release(struct pick *k)
{
    /* the search's answer, with what this run's pick learned of it */
    if (k->icache == PICK_ICACHE_MISS ||
        (k->icache == PICK_ICACHE_HIT &&
         icache_learned(&k->list) != k->learned))
        icache_store(&k->ienv, &k->list, &k->note);
    icache_note_release(&k->note);
    interp_list_release(&k->list);
    pick_dirs_release(&k->dirs);
    free(k->self_path);
    free(k->facts_real);
    facts_release(&k->facts);
    memset(k, 0, sizeof(*k));
}

/* The search, or its answer from the search cache (launcher/icache.h)
 * when nothing it read has changed; kept by pick_release. */
struct interp_list *pick_list(struct pick *k)
{
    size_t from;

    if (k->scanned)
        return &k->list;
    k->scanned = 1;
    if (PLAT_WINDOWS || !k->ienv.cache_dir) {
        interp_discover(&k->list, &k->ienv, k->trace);
        return &k->list;
    }
    interp_env_path(&k->ienv); /* the search cache's key holds PATH */
    if (!icache_load(&k->ienv, &k->list, k->trace, &k->note)) {
        k->icache = PICK_ICACHE_HIT;
        k->learned = icache_learned(&k->list);
        return &k->list;
    }
    from = k->trace ? k->trace->lines.nr : 0;
    icache_note_begin(&k->note);
    k->ienv.note = &k->note;
    interp_discover(&k->list, &k->ienv, k->trace);
    k->ienv.note = NULL;
    icache_note_end(&k->note, k->trace, from);
    k->icache = PICK_ICACHE_MISS;
    return &k->list;
}

const struct facts *pick_facts(struct pick *k, const char *path,
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
    if (!k->facts_real || strcmp(k->facts_real, real)) {
        free(k->facts_real);
        facts_release(&k->facts);
        k->facts_real = xstrdup(real);
        k->facts_ok = !facts_get(path, real, k->ienv.cache_dir, &k->facts,
                                 k->trace, NULL);
    }
    sb_release(&r);
    return k->facts_ok ? &k->facts : NULL;
}

void pick_version(struct pick *k, const char *path, struct pyver *ver,
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
    f = pick_facts(k, path, NULL);
    if (f) {
        *ver = f->ver;
        if (abiflags)
            *abiflags = xstrdup(f->abiflags);
    }
}

void pick_result_release(struct pick_result *r)
{
    free(r->path);
    r->path = NULL;
    r->ver.major = r->ver.minor = r->ver.micro = -1;
}

/* pyenv's global default, $PYENV_ROOT/version, for a pyenv user who asked
 * for nothing else. NULL when unset or "system". */
static char *pyenv_default(struct pick *k, char **from)
{
    struct sb file = SB_INIT, ver = SB_INIT;
    char *ret = NULL;

    if (!k->dirs.pyenv_root)
        return NULL;
    path_join(&file, k->dirs.pyenv_root, "version");
    if (plat_is_file(file.buf) && !pyverfile_load(file.buf, &ver, NULL) &&
        strcmp(ver.buf, "system")) {
        *from = sb_detach(&file, NULL);
        ret = sb_detach(&ver, NULL);
    }
    sb_release(&file);
    sb_release(&ver);
    return ret;
}

/* req names a file: it must be an executable that is not pyshim. */
static int by_path(struct pick *k, const char *req, const char *from,
                   struct pick_result *out, struct err *e)
{
    if (!plat_is_executable(req)) {
        err_set(
            e, PYSHIM_EXIT_NOTFOUND,
            "interpreter '%s' (from %s) does not exist or is not executable",
            req, from);
        return err_hint(
            e, "fix \"python\" in '%s', or use a version such as \"3.12\"",
            from);
    }
    if (interp_is_shim(&k->ienv, req)) {
        err_set(e, PYSHIM_EXIT_LOOP,
                "'%s' is pyshim itself: running it would loop", req);
        return err_hint(e, "name a real interpreter in '%s'", from);
    }
    out->path = xstrdup(req);
    pick_version(k, req, &out->ver, NULL);
    trace_add(k->trace, "interpreter '%s' named by path in %s", req, from);
    return 0;
}

/* Nothing asked (system: "system" was): a default request, else the
 * first python3 on PATH. */
static int by_default(struct pick *k, int system, struct pick_result *out,
                      struct err *e)
{
    struct sb pyreq = SB_INIT, pyfrom = SB_INIT, path = SB_INIT;
    char *def = NULL, *pfrom = NULL;
    const char *whose = "pyenv's";
    int ret = -1;

    /* Windows: the Python install manager's default
     * (PYTHON_MANAGER_DEFAULT, PyManager.json's default_tag), then the py
     * launcher's own (PY_PYTHON, py.ini), so `python` and `py` agree
     * outside projects: the manager's py.exe replaces the old one. */
    if (PLAT_WINDOWS && !system &&
        pyini_manager_request_env(&k->vars->pyini, &pyreq, &pyfrom)) {
        def = sb_detach(&pyreq, NULL);
        pfrom = sb_detach(&pyfrom, NULL);
        whose = "the Python install manager's";
    } else if (PLAT_WINDOWS && !system &&
               pyini_request_env(&k->vars->pyini, &pyreq, &pyfrom)) {
        def = sb_detach(&pyreq, NULL);
        pfrom = sb_detach(&pyfrom, NULL);
        whose = "the py launcher's";
    } else if (!system) {
        def = pyenv_default(k, &pfrom);
    }
    if (def) {
        trace_add(k->trace, "no version asked; %s default '%s' from '%s'",
                  whose, def, pfrom);
        ret = pick_interp(k, def, pfrom, out, e);
        goto out;
    }
    if (interp_which(&k->ienv, "python3" PLAT_EXE_SUFFIX, 1, &path) < 0 &&
        interp_which(&k->ienv, "python" PLAT_EXE_SUFFIX, 1, &path) < 0) {
        struct sb have = SB_INIT;

        interp_list_versions(pick_list(k), &have);
        err_set(e, PYSHIM_EXIT_NOTFOUND,
                "no python3 on PATH besides pyshim's own%s%s",
                have.len ? "; installed: " : "", have.buf);
        err_hint(
            e,
            "name a version with \"python\" in .pyshim.json or a .python-version file");
        sb_release(&have);
        goto out;
    }
    out->path = sb_detach(&path, NULL);
    pick_version(k, out->path, &out->ver, NULL);
    trace_add(k->trace, "no version asked: the first python3 on PATH, '%s'",
              out->path);
    ret = 0;
out:
    free(def);
    free(pfrom);
    sb_release(&pyreq);
    sb_release(&pyfrom);
    sb_release(&path);
    return ret;
}

/* An install name ("3.12.1", "pypy3.10-7.3.12", a pyenv env) or a
 * version request. */
static int by_request(struct pick *k, const char *req, const char *from,
                      struct pick_result *out, struct err *e)
{
    struct interp *it = interp_by_name(pick_list(k), req);
    struct pyver want;

    if (it && interp_is_shim(&k->ienv, it->path)) {
        /* a pyshim build installed under that name is no interpreter */
        trace_add(k->trace, "'%s' is a pyshim binary: skipped", it->path);
        it->shim = 1;
        it = NULL;
    }
    if (it) {
        trace_add(k->trace, "'%s' is the %s install '%s'", req, it->origin,
                  it->path);
    } else {
        if (pyver_parse(req, &want, 0) < 0) {
            err_set(e, PYSHIM_EXIT_CONFIG,
                    "'%s' (from %s) is not a version pyshim understands", req,
                    from);
            return err_hint(
                e,
                "write a version such as \"3.12\" or \"3.12.1\", or an interpreter path");
        }
        if (interp_pick(pick_list(k), &want, req, &k->ienv, &it, k->trace, e) <
            0) {
            err_suffix(e, " (asked by %s)", from);
            return -1;
        }
    }
    out->path = xstrdup(it->path);
    out->ver = it->ver;
    if (out->ver.major < 0)
        pick_version(k, out->path, &out->ver, NULL);
    return 0;
}

int pick_interp(struct pick *k, const char *req, const char *from,
                struct pick_result *out, struct err *e)
{
    if (req && cfg_is_path_request(req))
        return by_path(k, req, from, out, e);
    if (!req)
        return by_default(k, 0, out, e);
    if (!strcmp(req, "system")) /* pyenv's word for "the one on PATH" */
        return by_default(k, 1, out, e);
    return by_request(k, req, from, out, e);
}

/* The version of it, with the micro from the facts when spec's answer
 * depends on it: 1 satisfies, 0 not (an unknown one is not). */
static int spec_fits(struct pick *k, const struct pyspec *spec,
                     const struct interp *it, struct pyver *ver)
{
    int m;

    *ver = it->ver;
    if (ver->major < 0)
        pick_version(k, it->path, ver, NULL);
    if (ver->major < 0)
        return 0;
    m = pyspec_match(spec, ver);
    if (m < 0) {
        const struct facts *f = pick_facts(k, it->path, NULL);

        if (!f)
            return 0;
        *ver = f->ver;
        m = pyspec_match(spec, ver);
    }
    return m == 1;
}

/* The newest that fits, passing over entries marked shim; NULL if none. */
static struct interp *newest_fit(struct pick *k, const struct pyspec *spec,
                                 struct pyver *bv)
{
    struct interp_list *l = pick_list(k);
    struct interp *best = NULL;
    size_t i;

    for (i = 0; i < l->nr; i++) {
        struct pyver v;

        if (l->v[i].shim || l->v[i].ft || !spec_fits(k, spec, &l->v[i], &v))
            continue;
        if (!best || pyver_cmp(&v, bv) > 0) {
            best = &l->v[i];
            *bv = v;
        }
    }
    return best;
}

int pick_spec(struct pick *k, const struct pyspec *spec, const char *text,
              const char *from, struct pick_result *out, struct err *e)
{
    struct interp *best;
    struct pyver bv = PYVER_NONE;

    /* a pyshim build installed under a python name is no interpreter */
    while ((best = newest_fit(k, spec, &bv)) != NULL &&
           interp_is_shim(&k->ienv, best->path)) {
        trace_add(k->trace, "'%s' is a pyshim binary: skipped", best->path);
        best->shim = 1;
    }
    if (!best) {
        struct sb have = SB_INIT;

        interp_list_versions(pick_list(k), &have);
        err_set(
            e, PYSHIM_EXIT_NOTFOUND,
            "no installed Python satisfies requires-python = \"%s\" in '%s'%s%s",
            text, from, have.len ? "; installed: " : "", have.buf);
        err_hint(
            e,
            "install one that does (pyenv install, uv python install), or change requires-python");
        sb_release(&have);
        return -1;
    }
    out->path = xstrdup(best->path);
    out->ver = bv;
    trace_add(
        k->trace,
        "no version asked; the newest interpreter satisfying requires-python \"%s\" ('%s'): '%s'",
        text, from, best->path);
    return 0;
}
