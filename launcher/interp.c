/*
 * interp.c: interpreter discovery and picking on POSIX (Windows' search
 * is interp_win.c). About 650 lines on purpose: the directory scan, its
 * one-candidate twin interp_finds (which must apply exactly the scan's
 * rules) and the pick share the same naming and shim rules, and a split
 * would put the two halves of one rule in different files.
 */
#include "launcher/interp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/ascii.h"
#include "common/exitcode.h"
#include "common/mark.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/xalloc.h"
#include "launcher/facts.h"
#include "launcher/icache.h"
#include "launcher/interp_int.h"
#include "common/banned.h"

static int is_sep(char c)
{
    return c == '/' || c == '\\';
}

int interp_is_store_dir(const char *dir)
{
    size_t end = strlen(dir), start, pend, pstart;

    while (end && is_sep(dir[end - 1]))
        end--;
    for (start = end; start && !is_sep(dir[start - 1]); start--)
        ;
    if (!start || !ascii_ieqn(dir + start, end - start, "WindowsApps"))
        return 0;
    for (pend = start; pend && is_sep(dir[pend - 1]); pend--)
        ;
    for (pstart = pend; pstart && !is_sep(dir[pstart - 1]); pstart--)
        ;
    return ascii_ieqn(dir + pstart, pend - pstart, "Microsoft");
}

/* Two paths as written: strcmp on POSIX; on Windows ASCII-caseless with
 * '/' and '\\' equal (what path_equal will do once common/path has it). */
static int same_path(const char *a, const char *b)
{
    if (!PLAT_WINDOWS)
        return !strcmp(a, b);
    for (; *a && *b; a++, b++)
        if (ascii_lower(*a) != ascii_lower(*b) && !(is_sep(*a) && is_sep(*b)))
            return 0;
    return *a == *b;
}

int interp_is_pymanager_bin(const struct interp_env *env, const char *dir)
{
    struct sb bin = SB_INIT, d = SB_INIT;
    int ret;

    if (!env->pymanager_root)
        return 0;
    path_join(&bin, env->pymanager_root, "bin");
    sb_set(&d, dir);
    while (d.len > 1 && is_sep(d.buf[d.len - 1]))
        sb_setlen(&d, d.len - 1);
    ret = same_path(bin.buf, d.buf);
    sb_release(&bin);
    sb_release(&d);
    return ret;
}

/* Names compare caselessly on Windows. */
int interp_name_eq(const char *a, const char *b)
{
    return PLAT_WINDOWS ? ascii_ieqn(a, strlen(a), b) : !strcmp(a, b);
}

int interp_is_self(const struct interp_env *env, const char *path)
{
    struct plat_stat st;
    struct sb a = SB_INIT, b = SB_INIT;
    int ret;

    if (plat_stat(path, &st, 1) < 0)
        return 0;
    /* a file system that tells no identity (0/0) is compared by bytes */
    if ((st.dev || st.ino) && st.dev == env->self_dev &&
        st.ino == env->self_ino)
        return 1;
    if (!env->self_path || !st.is_reg || st.size != env->self_size)
        return 0;
    ret = !plat_read_file(path, (size_t)st.size + 1, &a) &&
          !plat_read_file(env->self_path, (size_t)st.size + 1, &b) &&
          a.len == b.len && !memcmp(a.buf, b.buf, a.len);
    sb_release(&a);
    sb_release(&b);
    return ret;
}

int interp_is_shim(const struct interp_env *env, const char *path)
{
    return interp_is_self(env, path) || mark_file_is_pyshim(path);
}

int interp_is_pyenv_shims(const struct interp_env *env, const char *dir)
{
    struct sb s = SB_INIT;
    int ret;

    if (!env->pyenv_root)
        return 0;
    path_join(&s, env->pyenv_root, "shims");
    ret = same_path(s.buf, dir);
    sb_release(&s);
    return ret;
}

/* Does dir hold the shim under the names a shim dir gives it (python,
 * python3)? Not its "pyshim": a dir that merely holds pyshim's CLI next
 * to real interpreters (/usr/bin with the Debian package, Homebrew's bin)
 * is not a shim dir, and skipping it would hide its pythons. Another
 * pyshim build is caught by the mark on the candidate itself. */
int interp_holds_self(const struct interp_env *env, const char *dir)
{
    static const char *const names[] = {"python", "python3", NULL};
    struct sb p = SB_INIT;
    int i, ret = 0;

    for (i = 0; names[i] && !ret; i++) {
        path_join(&p, dir, names[i]);
        sb_addstr(&p, PLAT_EXE_SUFFIX);
        ret = interp_is_self(env, p.buf);
    }
    sb_release(&p);
    return ret;
}

const char *interp_env_path(const struct interp_env *env)
{
    plat_watch_env("PATH", env->path);
    return env->path;
}

int interp_which(const struct interp_env *env, const char *name,
                 int skip_scripts, struct sb *out)
{
    struct sv dirs = SV_INIT;
    struct sb cand = SB_INIT;
    size_t i;
    int ret = -1;

    path_split_list(interp_env_path(env), &dirs);
    for (i = 0; i < dirs.nr && ret; i++) {
        if (PLAT_WINDOWS && (interp_is_store_dir(dirs.v[i]) ||
                             interp_is_pymanager_bin(env, dirs.v[i])))
            continue;
        path_join(&cand, dirs.v[i], name);
        if (!plat_is_executable(cand.buf) || interp_holds_self(env, dirs.v[i]))
            continue;
        /* an interpreter is a native program: not a "#!" script (nor
         * pyenv's shims, which are scripts that run pyenv) */
        if (skip_scripts && (interp_is_pyenv_shims(env, dirs.v[i]) ||
                             !mark_file_is_program(cand.buf)))
            continue;
        /* any pyshim build (another version of us) would run pyshim
         * again: it is a shim, never the program to pass to */
        if (mark_file_is_pyshim(cand.buf))
            continue;
        sb_set(out, cand.buf);
        ret = 0;
    }
    sv_release(&dirs);
    sb_release(&cand);
    return ret;
}

/* Is the entry it the file st (found as path)? A file system that tells
 * no identity (dev and ino 0) is compared by path. */
static int same_file(const struct interp *it, const struct plat_stat *st,
                     const char *path)
{
    if (!st->dev && !st->ino)
        return !it->dev && !it->ino && same_path(it->path, path);
    return it->dev == st->dev && it->ino == st->ino;
}

/* The list's index by file identity (struct interp_list): each candidate
 * of the search is checked against the list at once, not by a scan (a
 * scan per candidate made the search quadratic in the interpreters). */
static size_t ident_hash(uint64_t dev, uint64_t ino)
{
    uint64_t h = dev * 0x9e3779b97f4a7c15ull ^ ino * 0xc2b2ae3d27d4eb4full;

    return (size_t)(h ^ (h >> 31));
}

static void idx_put(struct interp_list *l, size_t i)
{
    const struct interp *it = &l->v[i];
    size_t mask = l->idx_cap - 1, k = ident_hash(it->dev, it->ino) & mask;

    while (l->idx[k])
        k = (k + 1) & mask;
    l->idx[k] = i + 1;
}

static void idx_rebuild(struct interp_list *l)
{
    size_t i;

    free(l->idx);
    l->idx_cap = 16;
    while (l->idx_cap < 2 * (l->nr + 1))
        l->idx_cap *= 2;
    l->idx = xcalloc(l->idx_cap, sizeof(*l->idx));
    for (i = 0; i < l->nr; i++)
        if (l->v[i].dev || l->v[i].ino)
            idx_put(l, i);
    l->idx_nr = l->nr;
}

/* entry i was just appended */
static void idx_add(struct interp_list *l, size_t i)
{
    if (l->idx_nr != i || 2 * (l->nr + 1) > l->idx_cap) {
        idx_rebuild(l);
        return;
    }
    if (l->v[i].dev || l->v[i].ino)
        idx_put(l, i);
    l->idx_nr = l->nr;
}

/* The first entry that is the file st (found as path), or NULL. */
static struct interp *find_same(struct interp_list *l,
                                const struct plat_stat *st, const char *path)
{
    size_t i, mask, k;

    if (!st->dev && !st->ino) {
        for (i = 0; i < l->nr; i++)
            if (same_file(&l->v[i], st, path))
                return &l->v[i];
        return NULL;
    }
    if (!l->idx || l->idx_nr != l->nr)
        idx_rebuild(l);
    mask = l->idx_cap - 1;
    for (k = ident_hash(st->dev, st->ino) & mask; l->idx[k];
         k = (k + 1) & mask) {
        struct interp *it = &l->v[l->idx[k] - 1];

        if (it->dev == st->dev && it->ino == st->ino)
            return it;
    }
    return NULL;
}

void interp_add_tag(struct interp_list *l, const char *path,
                    const struct pyver_tag *t, const char *origin,
                    const char *name, const struct interp_env *env)
{
    const struct pyver *v = &t->ver;
    struct plat_stat st;
    struct interp *it, *have;

    if (plat_stat(path, &st, 1) < 0) {
        if (env->note)
            icache_note_file(env->note, path, NULL);
        return;
    }
    if (env->note)
        icache_note_file(env->note, path, &st);
    if (!st.is_reg)
        return;
    if (st.dev == env->self_dev && st.ino == env->self_ino &&
        (st.dev || st.ino))
        return;
    /* only a native program can be an interpreter: a "#!" script named
     * python3.X would run one thing by exec and embed another */
    if (!mark_file_is_program(path))
        return;
    /* the Store's zero-byte app execution aliases, wherever they are */
    if (PLAT_WINDOWS && !st.size)
        return;
    have = find_same(l, &st, path);
    if (have) {
        /* keep the first; but learn the micro from a named copy */
        if (have->ver.micro < 0 && v->micro >= 0 && have->ver.minor == v->minor)
            have->ver.micro = v->micro;
        if (PLAT_WINDOWS) {
            /* a registry entry for a python.exe on PATH keeps its
             * "Company/Tag" name, and tells what the file name did not */
            if (!have->name && name)
                have->name = xstrdup(name);
            if (have->ver.major < 0)
                have->ver = *v;
            if (have->plat == PYVER_PLAT_ANY)
                have->plat = t->plat;
            have->ft |= t->ft;
        }
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
    it->ft = t->ft;
    it->plat = t->plat;
    it->shim = 0;
    it->probed = 0;
    idx_add(l, l->nr - 1);
}

static void add(struct interp_list *l, const char *path, const struct pyver *v,
                int ft, const char *origin, const char *name,
                const struct interp_env *env)
{
    struct pyver_tag t;

    t.ver = *v;
    t.ft = ft;
    t.plat = PYVER_PLAT_ANY;
    interp_add_tag(l, path, &t, origin, name, env);
}

/* Add every pythonX.Y and pythonX.Yt (free-threaded) in dir. */
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
        add(l, p.buf, &v, pyver_req_ft(name), origin, NULL, env);
    }
    plat_closedir(d);
    sb_release(&p);
}

/* A pyenv or uv install name that tells an exact version: "3.12.1",
 * "3.13.0t" (pyenv's free-threaded builds), "3.13-dev",
 * "cpython-3.12.1-linux-x86_64-gnu", "cpython-3.13.0+freethreaded-..."
 * (uv's). Sets v and ft (free-threaded) and returns 0; 1 for a
 * version's name that is not one of these (a pre-release, a "+debug"
 * build: skipped); -1 for other names (pypy, conda, envs: usable by exact
 * name only). */
static int install_version(const char *name, struct pyver *v, int *ft)
{
    static const char ftv[] = "+freethreaded";
    const char *vs = name, *rest;
    struct pyver loose;
    size_t n;
    char *plain;
    int ret;

    if (!strncmp(vs, "cpython-", 8))
        vs += 8;
    if (pyver_parse(vs, &loose, 1) < 0 || loose.minor < 0)
        return -1;
    rest = strchr(vs, '-');
    plain = xstrndup(vs, rest ? (size_t)(rest - vs) : strlen(vs));
    n = strlen(plain);
    *ft = 0;
    if (n > sizeof(ftv) - 1 && !strcmp(plain + n - (sizeof(ftv) - 1), ftv)) {
        plain[n - (sizeof(ftv) - 1)] = '\0';
        *ft = 1;
    }
    ret = pyver_parse(plain, v, 0) < 0 ? 1 : 0;
    if (!ret && !*ft)
        *ft = pyver_req_ft(plain);
    free(plain);
    return ret;
}

/* The program of a versioned install in dir (ROOT/NAME/bin) into p:
 * pythonX.Y, or for a free-threaded build pythonX.Yt (pythonX.Y where
 * only that exists: early free-threaded builds named it so). */
static void install_program(struct sb *p, const char *dir,
                            const struct pyver *v, int ft)
{
    sb_reset(p);
    sb_addf(p, "%s/python%d.%d%s", dir, v->major, v->minor, ft ? "t" : "");
    if (ft && !plat_is_file(p->buf)) {
        sb_reset(p);
        sb_addf(p, "%s/python%d.%d", dir, v->major, v->minor);
    }
}

/* pyenv versions/NAME/bin and uv's cpython-X.Y.Z-... directories. */
static void scan_installs(struct interp_list *l, const char *root,
                          const char *origin, const struct interp_env *env)
{
    struct plat_dir *d;
    const char *name;
    struct sb p = SB_INIT, bin = SB_INIT;

    if (env->note)
        icache_note_dir(env->note, root);
    d = plat_opendir(root);
    while (d && (name = plat_readdir(d))) {
        struct pyver exact;
        int ft;

        sb_reset(&bin);
        sb_addf(&bin, "%s/%s/bin", root, name);
        /* what is in it (python3.Xt or python3.X) */
        if (env->note)
            icache_note_dir(env->note, bin.buf);
        switch (install_version(name, &exact, &ft)) {
        case 0:
            install_program(&p, bin.buf, &exact, ft);
            add(l, p.buf, &exact, ft, origin, name, env);
            continue;
        case 1:
            continue;
        }
        /* other pyenv names (pypy, conda, virtualenvs) by exact name */
        sb_reset(&p);
        sb_addf(&p, "%s/python", bin.buf);
        {
            struct pyver none = PYVER_NONE;

            add(l, p.buf, &none, 0, origin, name, env);
        }
    }
    plat_closedir(d);
    sb_release(&p);
    sb_release(&bin);
}

/* The directories searched after PATH (POSIX). */
static const char *const system_dirs[] = {"/usr/local/bin", "/usr/bin",
                                          "/opt/homebrew/bin", NULL};

/* POSIX: is dir (absolute, as written) an entry of the PATH list, as
 * path_split_list would give it? One strstr over the list instead of a
 * copy of every entry: a warm run costs the same with 10 or 1,000 PATH
 * entries. */
static int path_list_has(const char *list, const char *dir)
{
    size_t n = strlen(dir);
    const char *p = list;

    if (!list || !n || !path_is_abs(dir))
        return 0;
    while ((p = strstr(p, dir))) {
        if ((p == list || p[-1] == PLAT_PATHSEP) &&
            (p[n] == '\0' || p[n] == PLAT_PATHSEP))
            return 1;
        p++;
    }
    return 0;
}

/* Is dir (as written) a directory scan_dir searches: on PATH or a system
 * dir, and neither pyenv's shims nor a dir that holds the shim? */
static int scanned_dir(const struct interp_env *env, const char *dir)
{
    int i, ret = 0;

    /* the system dirs first: a venv of /usr/bin's python is answered
     * without reading PATH at all */
    for (i = 0; system_dirs[i] && !ret; i++)
        ret = same_path(system_dirs[i], dir);
    if (!ret && PLAT_WINDOWS) {
        struct sv dirs = SV_INIT;
        size_t k;

        path_split_list(interp_env_path(env), &dirs);
        for (k = 0; k < dirs.nr && !ret; k++)
            ret = same_path(dirs.v[k], dir);
        sv_release(&dirs);
    } else if (!ret) {
        ret = path_list_has(interp_env_path(env), dir);
    }
    return ret && !interp_is_pyenv_shims(env, dir) &&
           !interp_holds_self(env, dir);
}

/* Is dir (as written) ROOT/NAME/bin of a pyenv or uv install that
 * scan_installs lists as ROOT/NAME/bin/pythonX.Y[t], with base that
 * name? */
static int install_bin(const struct sv *roots, const char *dir,
                       const char *base)
{
    struct sb up = SB_INIT, root = SB_INIT, prog = SB_INIT;
    size_t k;
    int ret = 0;

    if (!roots || strcmp(path_basename(dir), "bin"))
        return 0;
    sb_addstr(&up, dir);
    path_dirname(&up); /* ROOT/NAME */
    sb_addstr(&root, up.buf);
    path_dirname(&root);
    for (k = 0; k < roots->nr && !ret; k++) {
        struct pyver v;
        int ft;

        if (!same_path(root.buf, roots->v[k]) ||
            install_version(path_basename(up.buf), &v, &ft))
            continue;
        install_program(&prog, dir, &v, ft);
        ret = !strcmp(path_basename(prog.buf), base);
    }
    sb_release(&up);
    sb_release(&root);
    sb_release(&prog);
    return ret;
}

int interp_finds(const struct interp_env *env, const char *path)
{
    const char *base = path_basename(path);
    struct sb dir = SB_INIT;
    struct plat_stat st;
    struct pyver v;
    int ret = 0;

    if (PLAT_WINDOWS || strncmp(base, "python", 6) ||
        pyver_parse(base, &v, 0) < 0 || v.minor < 0)
        return 0;
    /* interp_add_tag's conditions for a listed file */
    if (plat_stat(path, &st, 1) < 0 || !st.is_reg ||
        ((st.dev || st.ino) && st.dev == env->self_dev &&
         st.ino == env->self_ino) ||
        !mark_file_is_program(path))
        return 0;
    sb_addstr(&dir, path);
    path_dirname(&dir);
    /* the install dirs (string compares) before PATH (a scan of it) */
    ret = install_bin(env->pyenv_versions, dir.buf, base) ||
          install_bin(env->uv_dirs, dir.buf, base) || scanned_dir(env, dir.buf);
    sb_release(&dir);
    return ret;
}

void interp_discover(struct interp_list *out, const struct interp_env *env,
                     struct trace *t)
{
    const char *const *system = system_dirs;
    struct sv dirs = SV_INIT;
    size_t k;
    int i;

    if (PLAT_WINDOWS) {
        interp_discover_win(out, env, t);
        return;
    }
    path_split_list(interp_env_path(env), &dirs);
    for (k = 0; k < dirs.nr; k++) {
        /* listed, or looked into for the shim */
        if (env->note && !interp_is_pyenv_shims(env, dirs.v[k]))
            icache_note_dir(env->note, dirs.v[k]);
        if (interp_is_pyenv_shims(env, dirs.v[k]) ||
            interp_holds_self(env, dirs.v[k])) {
            trace_add(t, "not searching '%s' (%s)", dirs.v[k],
                      interp_is_pyenv_shims(env, dirs.v[k]) ? "pyenv's shims"
                                                            : "holds the shim");
            continue;
        }
        scan_dir(out, dirs.v[k], "PATH", env);
    }
    sv_release(&dirs);
    for (k = 0; env->pyenv_versions && k < env->pyenv_versions->nr; k++)
        scan_installs(out, env->pyenv_versions->v[k], "pyenv", env);
    for (k = 0; env->uv_dirs && k < env->uv_dirs->nr; k++)
        scan_installs(out, env->uv_dirs->v[k], "uv", env);
    for (i = 0; system[i]; i++) {
        if (env->note)
            icache_note_dir(env->note, system[i]);
        if (!interp_holds_self(env, system[i]))
            scan_dir(out, system[i], "system", env);
    }
    trace_add(t, "found %lu interpreters", (unsigned long)out->nr);
}

static void learn_micro(struct interp *it, const struct interp_env *env,
                        struct trace *t)
{
    struct facts f = FACTS_INIT;

    if (it->ver.micro >= 0 || it->probed || !env->cache_dir)
        return;
    it->probed = 1;
    if (!facts_get(it->path, NULL, env->cache_dir, &f, t, NULL) &&
        f.ver.major == it->ver.major && f.ver.minor == it->ver.minor)
        it->ver.micro = f.ver.micro;
    facts_release(&f);
}

/* Windows: a python.exe whose name told no version, or a registry entry
 * without SysVersion/Version, is asked once (the facts cache keeps the
 * answer). pyenv-win's other names stay exact-name-only, as on POSIX. */
static void learn_version(struct interp *it, const struct interp_env *env,
                          struct trace *t)
{
    struct facts f = FACTS_INIT;

    if (it->ver.major >= 0 || !env->cache_dir ||
        (it->name && strcmp(it->origin, "registry")))
        return;
    if (!facts_get(it->path, NULL, env->cache_dir, &f, t, NULL))
        it->ver = f.ver;
    facts_release(&f);
}

/* The build a request asks for: "t" (free-threaded, everywhere), and on
 * Windows the py launcher's "-32", "-64", "-arm64". */
static void req_build(const char *req_text, struct pyver_tag *want)
{
    want->ft = 0;
    want->plat = PYVER_PLAT_ANY;
    if (!req_text)
        return;
    if (!PLAT_WINDOWS) {
        want->ft = pyver_req_ft(req_text);
        return;
    }
    if (!strncmp(req_text, "python", 6))
        req_text += 6;
    if (pyver_parse_tag(req_text, want) < 0) {
        want->ft = 0;
        want->plat = PYVER_PLAT_ANY;
    }
}

/* Is it the kind of build asked for (free-threaded or not, platform)? */
static int build_fits(const struct interp *it, const struct pyver_tag *want)
{
    return it->ft == want->ft && pyver_plat_matches(it->plat, want->plat);
}

/* Is it a pyshim binary (another build named python3.X, or a link to
 * one)? Checked only for the entries about to be used, since it reads the
 * whole file; the answer is kept in it->shim. */
static int is_shim(struct interp *it, const struct interp_env *env,
                   struct trace *t)
{
    if (!it->shim && interp_is_shim(env, it->path)) {
        it->shim = 1;
        trace_add(t, "'%s' is a pyshim binary, not an interpreter: skipped",
                  it->path);
    }
    return it->shim;
}

/* The error for a request nothing matches: what is installed, and how to
 * install what was asked. Returns -1. */
static int no_match(struct interp_list *l, const char *req_text, struct err *e)
{
    struct sb have = SB_INIT;

    interp_list_versions(l, &have);
    err_set(e, PYSHIM_EXIT_NOTFOUND,
            "no installed interpreter matches '%s'; installed: %s", req_text,
            have.len ? have.buf : "none");
    if (PLAT_WINDOWS)
        err_hint(
            e,
            "install Python %s (python.org's installer, `uv python install`, or pyenv-win), or change the request",
            req_text);
    else
        err_hint(
            e,
            "install Python %s (e.g. `pyenv install %s` or `uv python install %s`), or change the request",
            req_text, req_text, req_text);
    sb_release(&have);
    return -1;
}

static int pick_once(struct interp_list *l, const struct pyver *req,
                     const char *req_text, const struct interp_env *env,
                     struct interp **out, struct trace *t, struct err *e)
{
    struct interp *best = NULL;
    struct pyver_tag want;
    size_t i;
    int ties = 0;

    req_build(req_text, &want);
    /* best major.minor first, without running anything (Windows: but
     * what a bare python.exe is must be asked) */
    for (i = 0; i < l->nr; i++) {
        struct interp *it = &l->v[i];
        struct pyver r = *req;

        if (it->shim)
            continue;
        /* Windows: learning the version runs it: never a pyshim copy (a
         * python.exe that is another build's copy) */
        if (PLAT_WINDOWS && it->ver.major < 0 && is_shim(it, env, t))
            continue;
        if (PLAT_WINDOWS)
            learn_version(it, env, t);
        if (it->ver.major < 0 || !build_fits(it, &want))
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

            if (it->shim || it->ver.major != best->ver.major ||
                it->ver.minor != minor || !build_fits(it, &want))
                continue;
            /* learning the micro runs it: never a pyshim build (one
             * probed already was checked then) */
            if (it->ver.micro < 0 && !it->probed && is_shim(it, env, t))
                continue;
            learn_micro(it, env, t);
            if (!pyver_matches(&it->ver, req))
                continue;
            /* on a tie the first found, but (Windows) a native build
             * before a 32-bit one, as the py launcher does */
            if (!top || it->ver.micro > top->ver.micro ||
                (it->ver.micro == top->ver.micro &&
                 top->plat == PYVER_PLAT_32 && it->plat != PYVER_PLAT_32))
                top = it;
        }
        best = top;
    }
    if (!best)
        return no_match(l, req_text, e);
    {
        char vb[32];

        trace_add(t, "'%s' matches %s at '%s' (%s)", req_text,
                  pyver_str(&best->ver, vb, sizeof(vb)), best->path,
                  best->origin);
    }
    *out = best;
    return 0;
}

int interp_pick(struct interp_list *l, const struct pyver *req,
                const char *req_text, const struct interp_env *env,
                struct interp **out, struct trace *t, struct err *e)
{
    /* each round marks at most one more entry as a shim: it ends */
    for (;;) {
        if (pick_once(l, req, req_text, env, out, t, e) < 0)
            return -1;
        if ((*out)->shim)
            BUG("picked '%s', known to be a pyshim binary", (*out)->path);
        if (!is_shim(*out, env, t))
            return 0;
    }
}

/* Windows: the best registry entry for "Company/Tag" (py -V:). */
static struct interp *by_company_tag(struct interp_list *l, const char *req)
{
    struct sb company = SB_INIT, tag = SB_INIT;
    struct interp *best = NULL;
    struct pyver_tag want;
    size_t i;

    if (!pyver_split_company_tag(req, &company, &tag))
        return NULL;
    /* "PythonCore/3" prefers a regular build to "3.13t", which it also
     * matches; "PythonCore/3.13t" asks for free-threading */
    if (pyver_parse_tag(tag.buf, &want) < 0)
        want.ft = 0;
    for (i = 0; i < l->nr; i++) {
        struct interp *it = &l->v[i];
        const char *slash;

        if (it->shim || !it->name || strcmp(it->origin, "registry") ||
            !(slash = strchr(it->name, '/')) ||
            !ascii_ieqn(it->name, (size_t)(slash - it->name), company.buf) ||
            !pyver_tag_matches(slash + 1, tag.buf))
            continue;
        if (!best || (it->ft == want.ft && best->ft != want.ft) ||
            ((it->ft == want.ft) == (best->ft == want.ft) &&
             pyver_cmp(&it->ver, &best->ver) > 0))
            best = it;
    }
    sb_release(&company);
    sb_release(&tag);
    return best;
}

struct interp *interp_by_name(struct interp_list *l, const char *name)
{
    size_t i;

    for (i = 0; i < l->nr; i++)
        if (!l->v[i].shim && l->v[i].name && interp_name_eq(l->v[i].name, name))
            return &l->v[i];
    return PLAT_WINDOWS ? by_company_tag(l, name) : NULL;
}

void interp_list_versions(const struct interp_list *l, struct sb *out)
{
    size_t i;

    for (i = 0; i < l->nr; i++) {
        char vb[32];

        if (l->v[i].ver.major < 0 || l->v[i].shim)
            continue;
        if (out->len)
            sb_addstr(out, ", ");
        sb_addf(out, "%s%s%s (%s)", pyver_str(&l->v[i].ver, vb, sizeof(vb)),
                l->v[i].ft ? "t" : "",
                l->v[i].plat == PYVER_PLAT_32 ||
                        l->v[i].plat == PYVER_PLAT_ARM64
                    ? pyver_plat_suffix(l->v[i].plat)
                    : "",
                l->v[i].path);
    }
}

/* 1 when s lives in l's pool (freed with it) */
static int in_pool(const struct interp_list *l, const char *s)
{
    return l->pool && (uintptr_t)s - (uintptr_t)l->pool < l->pool_len;
}

void interp_list_release(struct interp_list *l)
{
    size_t i;

    for (i = 0; i < l->nr; i++) {
        if (!in_pool(l, l->v[i].path))
            free(l->v[i].path);
        if (!in_pool(l, l->v[i].name))
            free(l->v[i].name);
    }
    free(l->pool);
    l->pool = NULL;
    l->pool_len = 0;
    free(l->v);
    l->v = NULL;
    l->nr = l->alloc = 0;
    free(l->idx);
    l->idx = NULL;
    l->idx_cap = l->idx_nr = 0;
}
