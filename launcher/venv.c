#include "launcher/venv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/ascii.h"
#include "common/exitcode.h"
#include "common/fs.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "common/xalloc.h"
#include "common/banned.h"

void venv_python_path(struct sb *out, const char *dir)
{
    path_join(out, dir, PLAT_VENV_BIN);
    path_join(out, out->buf, "python" PLAT_EXE_SUFFIX);
}

void venv_site_path(struct sb *out, const char *dir, const struct pyver *ver,
                    const char *t)
{
    struct sb lib = SB_INIT;

    if (PLAT_WINDOWS) {
        sb_addstr(&lib, "Lib");
    } else {
        sb_addf(&lib, "lib%cpython%d.%d%s", PLAT_DIRSEP, ver->major, ver->minor,
                t);
    }
    path_join(out, dir, lib.buf);
    path_join(out, out->buf, "site-packages");
    sb_release(&lib);
}

int venv_is_venv(const char *dir)
{
    struct sb p = SB_INIT;
    int ret;

    path_join(&p, dir, "pyvenv.cfg");
    ret = plat_is_file(p.buf);
    sb_release(&p);
    return ret;
}

int venv_is_incomplete(const char *dir)
{
    struct sb p = SB_INIT;
    struct plat_stat st;
    int ret;

    path_join(&p, dir, VENV_INCOMPLETE);
    /* the name asked first: its absence (the usual answer) is one the
     * plan cache knows from the venv dir's times, as for a marker */
    ret = plat_stat(p.buf, &st, 0) == 0 && plat_is_file(p.buf);
    sb_release(&p);
    return ret;
}

/* A mark binds the directory it is written in: its last line names that
 * directory's identity, "dir DEV INO". A mark that arrived with a tree (a
 * repository that committed its .venv, a copy of a project) names another
 * directory, so it proves nothing here. */
static void mark_dir_line(struct sb *out, const char *dir)
{
    struct plat_stat st;

    if (!plat_stat(dir, &st, 1))
        sb_addf(out, "dir %llu %llu\n", (unsigned long long)st.dev,
                (unsigned long long)st.ino);
}

/* Is dir/name a mark pyshim wrote in dir itself: a regular file of the
 * user's (read without blocking) naming dir's identity? */
static int mark_binds(const char *dir, const char *name)
{
    struct sb p = SB_INIT, text = SB_INIT, line = SB_INIT;
    struct plat_stat st;
    int ret = 0;

    path_join(&p, dir, name);
    mark_dir_line(&line, dir);
    if (line.len && !plat_read_regular(p.buf, 4096, &text, &st) &&
        st.uid == plat_uid() && text.len >= line.len &&
        !memcmp(text.buf + text.len - line.len, line.buf, line.len))
        ret = 1;
    sb_release(&p);
    sb_release(&text);
    sb_release(&line);
    return ret;
}

static int write_mark(const char *dir, const char *name, const char *note,
                      struct err *e)
{
    struct sb p = SB_INIT, text = SB_INIT;
    int ret = -1;

    if (plat_mkdirs(dir, 0755) < 0) {
        err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot create '%s': %s", dir,
                plat_strerror(errno));
        goto out;
    }
    sb_addstr(&text, note);
    mark_dir_line(&text, dir);
    path_join(&p, dir, name);
    ret = fs_write_file(p.buf, text.buf, text.len, 0644, 0755, e);
out:
    sb_release(&p);
    sb_release(&text);
    return ret;
}

int venv_incomplete_is_own(const char *dir)
{
    return mark_binds(dir, VENV_INCOMPLETE);
}

int venv_begin(const char *dir, struct err *e)
{
    if (venv_is_incomplete(dir) && !venv_incomplete_is_own(dir)) {
        err_set(
            e, PYSHIM_EXIT_CANTCREAT,
            "'%s' carries pyshim's %s mark, but pyshim did not write it there (it came with the directory): it is left as it is",
            dir, VENV_INCOMPLETE);
        return err_hint(
            e,
            "if it is a venv pyshim was making, remove it; if it is yours, remove the mark '%s%c%s'; then run the command again",
            dir, PLAT_DIRSEP, VENV_INCOMPLETE);
    }
    if (venv_is_incomplete(dir) && plat_rmtree(dir) < 0) {
        err_set(
            e, PYSHIM_EXIT_CANTCREAT,
            "cannot remove the half-made venv '%s' (an earlier creation was interrupted): %s",
            dir, plat_strerror(errno));
        return err_hint(e, "remove it by hand and run the command again");
    }
    return write_mark(
        dir, VENV_INCOMPLETE,
        "pyshim is creating this venv; if this file stays, the creation was interrupted\n",
        e);
}

void venv_done(const char *dir)
{
    struct sb p = SB_INIT;
    struct err e = ERR_INIT;

    /* without the mark, the venv only counts as not pyshim's (kept) */
    write_mark(
        dir, VENV_MADE,
        "made by pyshim: `pyshim sync` may remove this venv's old copy after a rebuild\n",
        &e);
    path_join(&p, dir, VENV_INCOMPLETE);
    plat_unlink(p.buf);
    sb_release(&p);
    err_release(&e);
}

int venv_is_made(const char *dir)
{
    return mark_binds(dir, VENV_MADE);
}

static int blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static void trim(const char **a, const char **b)
{
    while (*a < *b && blank(**a))
        (*a)++;
    while (*b > *a && blank((*b)[-1]))
        (*b)--;
}

/* [a, b) is word */
static int span_is(const char *a, const char *b, const char *word)
{
    size_t n = strlen(word);

    return (size_t)(b - a) == n && !memcmp(a, word, n);
}

int venv_parse_cfg(struct venv *v, const char *file, const char *text,
                   size_t len, struct err *e)
{
    const char *p = text, *end = text + len;

    if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
        p += 3;
    if (memchr(text, '\0', len)) {
        err_set(e, PYSHIM_EXIT_CONFIG, "'%s' holds a NUL byte", file);
        return err_hint(e, "the venv is damaged: recreate it");
    }
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *eq = memchr(p, '=', (size_t)(le - p));

        if (eq) {
            const char *ka = p, *kb = eq, *va = eq + 1, *vb = le;
            size_t vn;

            trim(&ka, &kb);
            trim(&va, &vb);
            vn = (size_t)(vb - va);
            /* the keys compared in place: a copy of each key and value
             * cost two allocations a line (a warm run reads the project
             * venv's and every shared env's) */
            if (span_is(ka, kb, "home")) {
                free(v->home);
                v->home = xstrndup(va, vn);
            } else if (span_is(ka, kb, "executable") ||
                       span_is(ka, kb, "base-executable")) {
                if (!v->executable)
                    v->executable = xstrndup(va, vn);
            } else if (span_is(ka, kb, "version") ||
                       span_is(ka, kb, "version_info")) {
                char *val = xstrndup(va, vn);
                struct pyver pv;

                if (!pyver_parse(val, &pv, 1))
                    v->ver = pv;
                free(val);
            } else if (span_is(ka, kb, "include-system-site-packages")) {
                v->system_site = ascii_ieqn(va, vn, "true"); /* as site.py */
            }
        }
        p = le + (nl != NULL);
    }
    return 0;
}

/* Windows: Lib\site-packages, one per venv; the ABI name comes from the
 * version pyvenv.cfg states. */
static void find_site_win(struct venv *v)
{
    struct sb p = SB_INIT;

    venv_site_path(&p, v->dir, &v->ver, "");
    if (plat_is_dir(p.buf))
        v->site = sb_detach(&p, NULL);
    if (v->ver.major >= 0 && v->ver.minor >= 0) {
        sb_reset(&p);
        sb_addf(&p, "python%d.%d", v->ver.major, v->ver.minor);
        v->libname = sb_detach(&p, NULL);
    }
    sb_release(&p);
}

/* lib/pythonX.Y[t] named by pyvenv.cfg's version, without listing lib/
 * (issue 14): the one of pythonX.Y and (3.13 on, where free-threaded
 * builds exist) pythonX.Yt that is a directory. 0 when found; else (no
 * version, neither, or both) the listing decides. */
static int find_site_named(struct venv *v, struct sb *lib)
{
    struct sb p = SB_INIT;
    char *found = NULL;
    size_t at;
    int ft, n = 0;

    if (v->ver.major < 0 || v->ver.minor < 0)
        return -1;
    /* (no printf: this is on every run's way to Python) */
    sb_set(&p, lib->buf);
    sb_addch(&p, PLAT_DIRSEP);
    at = p.len;
    sb_addstr(&p, "python");
    sb_addu64(&p, (unsigned long long)v->ver.major);
    sb_addch(&p, '.');
    sb_addu64(&p, (unsigned long long)v->ver.minor);
    for (ft = 0; ft < 2; ft++) {
        if (ft) {
            if (v->ver.major == 3 && v->ver.minor < 13)
                break;
            sb_addch(&p, 't');
        }
        if (plat_is_dir(p.buf)) {
            free(found);
            found = xstrdup(p.buf + at);
            n++;
        }
    }
    if (n == 1) {
        sb_setlen(&p, at);
        sb_addstr(&p, found);
        path_join(&p, p.buf, "site-packages");
        v->site = sb_detach(&p, NULL);
        v->libname = found, found = NULL;
    }
    free(found);
    sb_release(&p);
    return n == 1 ? 0 : -1;
}

/* Find lib/pythonX.Y[t]/site-packages: from the version if known, else
 * the one python* directory under lib/. */
static void find_site(struct venv *v)
{
    struct sb p = SB_INIT;
    struct plat_dir *d;
    const char *name;
    char *found = NULL;
    int count = 0;

    if (PLAT_WINDOWS) {
        find_site_win(v);
        return;
    }
    path_join(&p, v->dir, "lib");
    if (!find_site_named(v, &p)) {
        sb_release(&p);
        return;
    }
    d = plat_opendir(p.buf);
    while (d && (name = plat_readdir(d))) {
        struct pyver pv;

        if (strncmp(name, "python", 6) || pyver_parse(name, &pv, 1) < 0)
            continue;
        if (v->ver.major >= 0 &&
            (pv.major != v->ver.major || pv.minor != v->ver.minor))
            continue;
        free(found);
        found = xstrdup(name);
        count++;
    }
    plat_closedir(d);
    if (found && count == 1) {
        path_join(&p, p.buf, found);
        path_join(&p, p.buf, "site-packages");
        v->site = xstrdup(p.buf);
        v->libname = found, found = NULL;
        if (v->ver.major < 0)
            pyver_parse(v->libname, &v->ver, 1);
    }
    free(found);
    sb_release(&p);
}

/* "python3.13t.exe" (any case): the name of a free-threaded build. */
static int is_freethreaded_name(const char *name)
{
    size_t n = strlen(name);

    return ascii_istarts(name, "python") && n > 5 &&
           ascii_ieq(name + n - 5, "t.exe");
}

/* Windows: the interpreter Scripts\python.exe redirects to, as CPython's
 * venv launcher finds it: pyvenv.cfg's executable when it lies in home
 * (a free-threaded venv names python3.13t.exe there, and its launcher,
 * venvlaunchert.exe, runs that one, not home\python.exe), else
 * home\python.exe. Missing: the venv is broken. */
static int find_base_win(struct venv *v, struct err *e)
{
    struct sb p = SB_INIT, dir = SB_INIT;
    int ret = -1;

    if (v->executable && plat_is_file(v->executable)) {
        sb_set(&dir, v->executable);
        path_dirname(&dir);
        if (!v->home || path_equal(dir.buf, v->home))
            sb_set(&p, v->executable);
    }
    if (!p.len && v->home)
        path_join(&p, v->home, "python" PLAT_EXE_SUFFIX);
    if (!p.len || !plat_is_file(p.buf)) {
        err_set(
            e, PYSHIM_EXIT_NOINPUT,
            "venv '%s' is broken: its base interpreter '%s' no longer exists",
            v->dir, p.len ? p.buf : "(pyvenv.cfg names no home)");
        err_hint(
            e,
            "recreate it on an installed Python, keeping its packages: `pyshim sync` in its project (a shared env: `pyshim shared upgrade NAME --python X.Y`)");
        goto out;
    }
    v->base = sb_detach(&p, NULL);
    /* Lib\site-packages does not tell the ABI; the base's name does:
     * python3.13t.exe is the free-threaded build */
    if (v->libname && is_freethreaded_name(path_basename(v->base))) {
        size_t n = strlen(v->libname);

        v->libname = xrealloc(v->libname, n + 2);
        v->libname[n] = 't';
        v->libname[n + 1] = '\0';
    }
    ret = 0;
out:
    sb_release(&p);
    sb_release(&dir);
    return ret;
}

int venv_is_ft(const struct venv *v)
{
    size_t n = v->libname ? strlen(v->libname) : 0;

    return n && v->libname[n - 1] == 't';
}

int venv_load(struct venv *v, const char *dir, struct err *e)
{
    static const char *const names[] = {"python" PLAT_EXE_SUFFIX,
                                        "python3" PLAT_EXE_SUFFIX, NULL};
    struct sb p = SB_INIT, text = SB_INIT;
    struct plat_stat st;
    int ret = -1, i;

    v->dir = xstrdup(dir);
    path_join(&p, dir, "pyvenv.cfg");
    if (plat_read_file(p.buf, 64 * 1024, &text) < 0) {
        err_set(e, PYSHIM_EXIT_NOINPUT,
                "'%s' is not a venv: cannot read '%s': %s", dir, p.buf,
                plat_read_strerror(errno));
        err_hint(
            e,
            "create it with `python -m venv %s`, or fix the path in the config",
            dir);
        goto out;
    }
    if (venv_parse_cfg(v, p.buf, text.buf, text.len, e) < 0)
        goto out;
    find_site(v);
    /* the first name there, a dangling link included: what the link
     * leads to answers for the usual one (its lstat only when that
     * fails), and is the stat asked below anyway */
    for (i = 0; names[i]; i++) {
        path_join(&p, dir, PLAT_VENV_BIN);
        path_join(&p, p.buf, names[i]);
        if (!plat_stat(p.buf, &st, 1) || !plat_stat(p.buf, &st, 0))
            break;
    }
    if (!names[i]) {
        err_set(e, PYSHIM_EXIT_NOINPUT, "venv '%s' has no %s", dir,
                PLAT_WINDOWS ? "Scripts\\python.exe" : "bin/python");
        err_hint(e, "the venv is damaged: remove it and create it again");
        goto out;
    }
    v->python = xstrdup(p.buf);
    if (PLAT_WINDOWS) {
        ret = find_base_win(v, e);
        goto out;
    }
    if (plat_stat(p.buf, &st, 1) < 0) {
        const char *base = v->executable ? v->executable : v->home;
        struct sb link = SB_INIT, at = SB_INIT;

        /* Name the link that dangles: pyvenv.cfg's executable is often
         * the resolved path, which may well still exist. */
        sb_set(&at, p.buf);
        for (i = 0; i < 40 && !plat_readlink(at.buf, &link); i++) {
            if (!path_is_abs(link.buf)) {
                path_dirname(&at);
                if (at.buf[at.len - 1] != '/')
                    sb_addch(&at, '/');
                sb_addstr(&at, link.buf);
            } else {
                sb_set(&at, link.buf);
            }
        }
        if (i && plat_stat(at.buf, &st, 0) < 0)
            base = at.buf;

        err_set(
            e, PYSHIM_EXIT_NOINPUT,
            "venv '%s' is broken: its base interpreter '%s' no longer exists",
            dir, base ? base : "(unknown)");
        err_hint(
            e,
            "recreate it on an installed Python, keeping its packages: `pyshim sync` in its project (a shared env: `pyshim shared upgrade NAME --python X.Y`)");
        sb_release(&link);
        sb_release(&at);
        goto out;
    }
    ret = 0;
out:
    sb_release(&p);
    sb_release(&text);
    return ret;
}

void venv_release(struct venv *v)
{
    free(v->dir);
    free(v->home);
    free(v->executable);
    free(v->python);
    free(v->site);
    free(v->libname);
    free(v->base);
    memset(v, 0, sizeof(*v));
    v->ver.major = v->ver.minor = v->ver.micro = -1;
}
