#include "launcher/interp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/xalloc.h"
#include "launcher/facts.h"
#include "common/banned.h"

int interp_is_self(const struct interp_env *env, const char *path)
{
    struct plat_stat st;

    return !plat_stat(path, &st, 1) && st.dev == env->self_dev &&
           st.ino == env->self_ino;
}

static int is_pyenv_shims(const struct interp_env *env, const char *dir)
{
    struct sb s = SB_INIT;
    int ret;

    if (!env->pyenv_root)
        return 0;
    path_join(&s, env->pyenv_root, "shims");
    ret = !strcmp(s.buf, dir);
    sb_release(&s);
    return ret;
}

static int is_script(const char *path)
{
    struct sb head = SB_INIT;
    int ret;

    ret = plat_read_head(path, 2, &head) == 0 && head.len == 2 &&
          head.buf[0] == '#' && head.buf[1] == '!';
    sb_release(&head);
    return ret;
}

/* Does dir hold the shim (under any of its usual names)? */
static int holds_self(const struct interp_env *env, const char *dir)
{
    static const char *const names[] = {"pyshim", "python", "python3", NULL};
    struct sb p = SB_INIT;
    int i, ret = 0;

    for (i = 0; names[i] && !ret; i++) {
        path_join(&p, dir, names[i]);
        ret = interp_is_self(env, p.buf);
    }
    sb_release(&p);
    return ret;
}

int interp_which(const struct interp_env *env, const char *name,
                 int skip_scripts, struct sb *out)
{
    struct sv dirs = SV_INIT;
    struct sb cand = SB_INIT;
    size_t i;
    int ret = -1;

    path_split_list(env->path, &dirs);
    for (i = 0; i < dirs.nr && ret; i++) {
        path_join(&cand, dirs.v[i], name);
        if (!plat_is_executable(cand.buf) || holds_self(env, dirs.v[i]))
            continue;
        if (skip_scripts &&
            (is_pyenv_shims(env, dirs.v[i]) || is_script(cand.buf)))
            continue;
        sb_set(out, cand.buf);
        ret = 0;
    }
    sv_release(&dirs);
    sb_release(&cand);
    return ret;
}

static void add(struct interp_list *l, const char *path, const struct pyver *v,
                const char *origin, const char *name,
                const struct interp_env *env)
{
    struct plat_stat st;
    size_t i;
    struct interp *it;

    if (plat_stat(path, &st, 1) < 0 || !st.is_reg)
        return;
    if (st.dev == env->self_dev && st.ino == env->self_ino)
        return;
    for (i = 0; i < l->nr; i++)
        if (l->v[i].dev == st.dev && l->v[i].ino == st.ino) {
            /* keep the first; but learn the micro from a named copy */
            if (l->v[i].ver.micro < 0 && v->micro >= 0 &&
                l->v[i].ver.minor == v->minor)
                l->v[i].ver.micro = v->micro;
            return;
        }
    xgrow((void **)&l->v, &l->alloc, l->nr + 1, sizeof(*l->v));
    it = &l->v[l->nr++];
    it->path = xstrdup(path);
    it->ver = *v;
    it->origin = origin;
    it->name = name ? xstrdup(name) : NULL;
    it->dev = st.dev;
    it->ino = st.ino;
}

/* Add every pythonX.Y in dir. */
static void scan_dir(struct interp_list *l, const char *dir, const char *origin,
                     const struct interp_env *env)
{
    struct plat_dir *d = plat_opendir(dir);
    const char *name;
    struct sb p = SB_INIT;

    while (d && (name = plat_readdir(d))) {
        struct pyver v;

        if (strncmp(name, "python", 6) || pyver_parse(name, &v, 0) < 0 ||
            v.minor < 0)
            continue;
        path_join(&p, dir, name);
        add(l, p.buf, &v, origin, NULL, env);
    }
    plat_closedir(d);
    sb_release(&p);
}

/* pyenv versions/NAME/bin and uv's cpython-X.Y.Z-... directories. */
static void scan_installs(struct interp_list *l, const char *root,
                          const char *origin, const struct interp_env *env)
{
    struct plat_dir *d = plat_opendir(root);
    const char *name;
    struct sb p = SB_INIT;

    while (d && (name = plat_readdir(d))) {
        struct pyver v;
        const char *vs = name;

        if (!strncmp(vs, "cpython-", 8))
            vs += 8;
        if (!pyver_parse(vs, &v, 1) && v.minor >= 0) {
            /* "3.12.1" or "cpython-3.12.1-linux-x86_64-gnu"; a
             * free-threaded or debug build has its own name: skip */
            const char *rest = strchr(vs, '-');
            size_t vlen = rest ? (size_t)(rest - vs) : strlen(vs);
            char *plain = xstrndup(vs, vlen);
            struct pyver exact;

            if (!pyver_parse(plain, &exact, 0)) {
                sb_reset(&p);
                sb_addf(&p, "%s/%s/bin/python%d.%d", root, name, v.major,
                        v.minor);
                add(l, p.buf, &exact, origin, name, env);
            }
            free(plain);
            continue;
        }
        /* other pyenv names (pypy, conda, virtualenvs) by exact name */
        sb_reset(&p);
        sb_addf(&p, "%s/%s/bin/python", root, name);
        {
            struct pyver none = PYVER_NONE;

            add(l, p.buf, &none, origin, name, env);
        }
    }
    plat_closedir(d);
    sb_release(&p);
}

void interp_discover(struct interp_list *out, const struct interp_env *env,
                     struct trace *t)
{
    static const char *const system[] = {"/usr/local/bin", "/usr/bin",
                                         "/opt/homebrew/bin", NULL};
    struct sv dirs = SV_INIT;
    struct sb dir = SB_INIT;
    size_t k;
    int i;

    path_split_list(env->path, &dirs);
    for (k = 0; k < dirs.nr; k++) {
        if (is_pyenv_shims(env, dirs.v[k]) || holds_self(env, dirs.v[k])) {
            trace_add(t, "not searching '%s' (%s)", dirs.v[k],
                      is_pyenv_shims(env, dirs.v[k]) ? "pyenv's shims"
                                                     : "holds the shim");
            continue;
        }
        scan_dir(out, dirs.v[k], "PATH", env);
    }
    sv_release(&dirs);
    if (env->pyenv_root) {
        path_join(&dir, env->pyenv_root, "versions");
        scan_installs(out, dir.buf, "pyenv", env);
    }
    if (env->uv_dir)
        scan_installs(out, env->uv_dir, "uv", env);
    for (i = 0; system[i]; i++)
        if (!holds_self(env, system[i]))
            scan_dir(out, system[i], "system", env);
    sb_release(&dir);
    trace_add(t, "found %zu interpreters", out->nr);
}

static void learn_micro(struct interp *it, const struct interp_env *env,
                        struct trace *t)
{
    struct facts f = FACTS_INIT;

    if (it->ver.micro >= 0 || !env->cache_dir)
        return;
    if (!facts_get(it->path, NULL, env->cache_dir, &f, t, NULL) &&
        f.ver.major == it->ver.major && f.ver.minor == it->ver.minor)
        it->ver.micro = f.ver.micro;
    facts_release(&f);
}

int interp_pick(struct interp_list *l, const struct pyver *req,
                const char *req_text, const struct interp_env *env,
                struct interp **out, struct trace *t, struct err *e)
{
    struct interp *best = NULL;
    size_t i;
    int ties = 0;

    /* best major.minor first, without running anything */
    for (i = 0; i < l->nr; i++) {
        struct interp *it = &l->v[i];
        struct pyver r = *req;

        if (it->ver.major < 0)
            continue;
        r.micro = -1;
        if (!pyver_matches(&it->ver, &r))
            continue;
        if (!best || it->ver.major > best->ver.major ||
            (it->ver.major == best->ver.major &&
             it->ver.minor > best->ver.minor)) {
            best = it;
            ties = 0;
        } else if (it->ver.major == best->ver.major &&
                   it->ver.minor == best->ver.minor) {
            ties++;
        }
    }
    if (best && (ties || req->micro >= 0)) {
        struct interp *top = NULL;
        int minor = best->ver.minor;

        for (i = 0; i < l->nr; i++) {
            struct interp *it = &l->v[i];

            if (it->ver.major != best->ver.major || it->ver.minor != minor)
                continue;
            learn_micro(it, env, t);
            if (!pyver_matches(&it->ver, req))
                continue;
            if (!top || it->ver.micro > top->ver.micro)
                top = it;
        }
        best = top;
    }
    if (!best) {
        struct sb have = SB_INIT;

        interp_list_versions(l, &have);
        err_set(e, PYSHIM_EXIT_NOTFOUND,
                "no installed interpreter matches '%s'; installed: %s",
                req_text, have.len ? have.buf : "none");
        err_hint(e,
                 "install Python %s (e.g. `pyenv install %s` or "
                 "`uv python install %s`), or change the request",
                 req_text, req_text, req_text);
        sb_release(&have);
        return -1;
    }
    {
        char vb[32];

        trace_add(t, "'%s' matches %s at '%s' (%s)", req_text,
                  pyver_str(&best->ver, vb, sizeof(vb)), best->path,
                  best->origin);
    }
    *out = best;
    return 0;
}

struct interp *interp_by_name(struct interp_list *l, const char *name)
{
    size_t i;

    for (i = 0; i < l->nr; i++)
        if (l->v[i].name && !strcmp(l->v[i].name, name))
            return &l->v[i];
    return NULL;
}

void interp_list_versions(const struct interp_list *l, struct sb *out)
{
    size_t i;

    for (i = 0; i < l->nr; i++) {
        char vb[32];

        if (l->v[i].ver.major < 0)
            continue;
        if (out->len)
            sb_addstr(out, ", ");
        sb_addf(out, "%s (%s)", pyver_str(&l->v[i].ver, vb, sizeof(vb)),
                l->v[i].path);
    }
}

void interp_list_release(struct interp_list *l)
{
    size_t i;

    for (i = 0; i < l->nr; i++) {
        free(l->v[i].path);
        free(l->v[i].name);
    }
    free(l->v);
    l->v = NULL;
    l->nr = l->alloc = 0;
}
