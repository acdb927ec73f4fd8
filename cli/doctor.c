/*
 * pyshim doctor: find (and with --fix, repair) what would make `python`
 * do the wrong thing, before it does. Each check adds one line: ok, warn
 * or fail, with a hint; the checks themselves live in the modules they
 * are about (cli/sitecheck.h, cli/kspec.h, resolve()), this file
 * only decides, repairs what is safe and prints.
 *
 * Over 600 lines: one command whose checks are one table, read top to
 * bottom in the order they print. The natural split (the PATH/install
 * checks, the resolution and environment checks, the output) waits until
 * the resolve/apply redesign of issue 11 has landed here (check_hook and
 * resolve_here change with it), so that the two do not collide.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/jsonw.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "common/sv.h"
#include "common/xalloc.h"
#include "config/cfg.h"
#include "config/dirs.h"
#include "cli/kspec.h"
#include "config/trust.h"
#include "cli/cli.h"
#include "cli/opt.h"
#include "launcher/env.h"
#include "launcher/hook.h"
#include "launcher/apply.h"
#include "launcher/resolve.h"
#include "launcher/siteenv.h"
#include "cli/sitecheck.h"
#include "launcher/venv.h"
#include "common/banned.h"

static const char usage[] =
    "usage: pyshim doctor [--json] [--fix] [DIR]\n"
    "\n"
    "Check what `python` would meet in DIR (default: the current directory)\n"
    "and around it, one line per check: ok, warn or fail, with a hint.\n"
    "  - pyshim's bin dir is on PATH, and its python/python3/pip come first\n"
    "    (not pyenv's shims, conda, Homebrew or the Windows Store alias);\n"
    "  - the data dir is writable;\n"
    "  - every .pyshim.json from DIR up to / (and the global one) is valid,\n"
    "    safe, and trusted where it needs to be;\n"
    "  - python resolves here; venvs still have their base interpreter;\n"
    "    shared envs match the project's Python version; the hook is current;\n"
    "  - no package is in both the project venv and a shared env;\n"
    "  - .pth files are UTF-8 (not UTF-16 or with a BOM, as PowerShell's\n"
    "    `echo ... > x.pth` writes them);\n"
    "  - Jupyter kernelspecs run programs that exist.\n"
    "\n"
    "  --fix   repair what is safe and say what was done: rewrite UTF-16/BOM\n"
    "          .pth files as UTF-8 (the old bytes kept under\n"
    "          DATA/backups/pth), rewrite a stale hook, remove pyshim's\n"
    "          own kernelspecs whose program or project is gone, remove\n"
    "          what interrupted overlay builds left (DATA/overlays/.tmp-*)\n"
    "  --json  print a JSON array of {check, status, detail, hint, fixed}\n"
    "Exit status: 0 if nothing failed (or everything failing was fixed).\n";

enum status { ST_OK, ST_WARN, ST_FAIL };

static const char *const status_names[] = {"ok", "warn", "fail"};

struct check {
    const char *name;
    enum status status;
    char *detail;
    char *hint;   /* NULL: none */
    char *action; /* what --fix did, NULL if nothing */
};

struct doctor {
    struct check *v;
    size_t nr, alloc;
    int fix;

    struct dirs d;
    struct sb cwd;
    struct sb self_dir; /* the bin dir holding pyshim's links, or empty */
    struct plat_stat self;
    struct plan plan; /* the dry-run resolution at cwd */
    struct err rerr;  /* why it failed, if it did */
    int resolved;
    const struct cfg *own; /* the config that applies (in plan.proj) */
    char *venv_dir;        /* the project's venv, or NULL */
    struct venv venv;      /* loaded when it could be */
    int venv_ok;
    struct sv shared_sites; /* site dirs of the project's shared entries */
    struct sv shared_names; /* their entries, same order */
};

static struct check *add(struct doctor *dr, const char *name, enum status st,
                         const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static struct check *add(struct doctor *dr, const char *name, enum status st,
                         const char *fmt, ...)
{
    struct check *c;
    va_list ap;

    xgrow((void **)&dr->v, &dr->alloc, dr->nr + 1, sizeof(*dr->v));
    c = &dr->v[dr->nr++];
    memset(c, 0, sizeof(*c));
    c->name = name;
    c->status = st;
    va_start(ap, fmt);
    c->detail = xstrvfmt(fmt, ap);
    va_end(ap);
    return c;
}

static void hint(struct check *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void hint(struct check *c, const char *fmt, ...)
{
    va_list ap;

    free(c->hint);
    va_start(ap, fmt);
    c->hint = xstrvfmt(fmt, ap);
    va_end(ap);
}

static void fixed(struct check *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void fixed(struct check *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    c->action = xstrvfmt(fmt, ap);
    va_end(ap);
}

/* A --fix that did not work: keep the failure, say why in the hint. */
static void fix_failed(struct check *c, const struct err *e)
{
    hint(c, "--fix failed: %s%s%s", e->msg ? e->msg : "unknown error",
         e->hint ? "; " : "", e->hint ? e->hint : "");
}

/* --- install: bin dir, PATH order, data dir ------------------------------ */

static int same_dir(const char *a, const char *b)
{
    struct sb ra = SB_INIT, rb = SB_INIT;
    int ret = !plat_realpath(a, &ra) && !plat_realpath(b, &rb) &&
              path_equal(ra.buf, rb.buf);

    sb_release(&ra);
    sb_release(&rb);
    return ret;
}

/* Is path (a program found on PATH) pyshim: this binary, or a link in
 * pyshim's bin dir? */
static int is_pyshim(const struct doctor *dr, const char *path)
{
    struct plat_stat st;
    struct sb dir = SB_INIT;
    int ret = 0;

    if (!plat_stat(path, &st, 1) && st.dev == dr->self.dev &&
        st.ino == dr->self.ino)
        return 1;
    if (dr->self_dir.len) {
        sb_addstr(&dir, path);
        path_dirname(&dir);
        ret = same_dir(dir.buf, dr->self_dir.buf);
    }
    sb_release(&dir);
    return ret;
}

static int contains(const char *s, const char *needle)
{
    return s && strstr(s, needle) != NULL;
}

/* Windows: is path in the Python install manager's alias directory,
 * %LOCALAPPDATA%\Python\bin? */
static int in_pymanager_bin(const char *path)
{
    const char *lad = plat_getenv("LOCALAPPDATA");
    struct sb dir = SB_INIT, al = SB_INIT;
    int ret;

    if (!PLAT_WINDOWS || !lad || !*lad)
        return 0;
    sb_set(&dir, path);
    path_dirname(&dir);
    path_normalize(&dir);
    path_join(&al, lad, "Python");
    path_join(&al, al.buf, "bin");
    path_normalize(&al);
    ret = path_equal(dir.buf, al.buf);
    sb_release(&dir);
    sb_release(&al);
    return ret;
}

/* What kind of program shadows pyshim's: named after who put it there,
 * with the hint that gets pyshim back in front. */
static void shadow_kind(const char *path, const char *bin, const char **what,
                        struct sb *fix)
{
    struct sb real = SB_INIT;
    const char *venv = plat_getenv("VIRTUAL_ENV");
    const char *conda = plat_getenv("CONDA_PREFIX");
    const char *r;

    if (plat_realpath(path, &real) < 0)
        sb_set(&real, path);
    r = real.buf;
    sb_reset(fix);
    if (contains(path, "/.pyenv/shims/") || contains(path, "pyenv-win")) {
        *what = "pyenv's shims";
        sb_addf(
            fix,
            "put %s before pyenv's shims on PATH: in your shell rc, the line pyshim install wrote must come after `pyenv init`",
            bin);
    } else if (venv && *venv && path_is_inside(path, venv)) {
        *what = "an activated venv";
        sb_addf(
            fix,
            "run `deactivate`: pyshim picks the project's venv without activation");
    } else if ((conda && *conda && path_is_inside(path, conda)) ||
               contains(r, "conda") || contains(r, "miniforge") ||
               contains(r, "mambaforge")) {
        *what = "conda";
        sb_addf(
            fix,
            "run `conda deactivate` and `conda config --set auto_activate_base false`, or put %s before conda's bin",
            bin);
    } else if (contains(r, "/Cellar/") || contains(r, "/opt/homebrew/") ||
               contains(r, "/linuxbrew/")) {
        *what = "Homebrew";
        sb_addf(fix, "put %s before Homebrew's bin on PATH", bin);
    } else if (in_pymanager_bin(path)) {
        *what = "the Python install manager's alias";
        sb_addf(
            fix,
            "run `pyshim install` again to put %s first on your user PATH (then open a new terminal); pyshim finds the manager's runtimes itself",
            bin);
    } else if (contains(path, "WindowsApps")) {
        *what = "the Windows Store alias";
        sb_addf(
            fix,
            "turn off Settings > Apps > App execution aliases for python.exe and python3.exe, or put %s first on PATH",
            bin);
    } else {
        *what = "another program";
        if (PLAT_WINDOWS)
            sb_addf(
                fix,
                "put %s first on PATH (`pyshim install` does it in your user PATH; open a new terminal)",
                bin);
        else
            sb_addf(
                fix,
                "put %s first on PATH (`pyshim install` does it in your shell rc; open a new shell)",
                bin);
    }
    sb_release(&real);
}

/* Index of dir in PATH's entries, compared as paths (Windows: any case,
 * either separator, a trailing one or not); -1 if it is not there. */
static long path_index(const struct sv *dirs, const char *dir)
{
    struct sb a = SB_INIT, b = SB_INIT;
    long ret = -1;
    size_t i;

    sb_set(&a, dir);
    path_normalize(&a);
    for (i = 0; i < dirs->nr && ret < 0; i++) {
        sb_set(&b, dirs->v[i]);
        path_normalize(&b);
        if (path_equal(a.buf, b.buf))
            ret = (long)i;
    }
    sb_release(&a);
    sb_release(&b);
    return ret;
}

/* Windows: the Microsoft Store's python.exe / python3.exe aliases live in
 * %LOCALAPPDATA%\Microsoft\WindowsApps, which Windows puts on every
 * user's PATH; where it comes first, `python` opens the Store. The
 * aliases are reparse points that are not quite files, so they are
 * looked for by name. */
static void check_store_alias(struct doctor *dr, const struct sv *dirs,
                              const char *bin)
{
    static const char *const aliases[] = {"python.exe", "python3.exe", NULL};
    const char *lad = plat_getenv("LOCALAPPDATA");
    struct sb wa = SB_INIT;
    struct sv names = SV_INIT;
    struct check *c;
    const char *found = NULL;
    long at_wa, at_bin;
    size_t i, k;

    if (!PLAT_WINDOWS || !lad || !*lad)
        return;
    path_join(&wa, lad, "Microsoft");
    path_join(&wa, wa.buf, "WindowsApps");
    plat_listdir(wa.buf, &names);
    for (k = 0; aliases[k] && !found; k++)
        for (i = 0; i < names.nr && !found; i++)
            if (path_equal(names.v[i], aliases[k]))
                found = aliases[k];
    if (!found)
        goto out;
    at_wa = path_index(dirs, wa.buf);
    at_bin = path_index(dirs, bin);
    if (at_wa < 0 || (at_bin >= 0 && at_bin < at_wa)) {
        add(dr, "store-alias", ST_OK,
            at_wa < 0
                ? "the Microsoft Store alias %s\\%s is not on PATH"
                : "the Microsoft Store alias %s\\%s comes after pyshim's bin dir on PATH",
            wa.buf, found);
        goto out;
    }
    c = add(
        dr, "store-alias", ST_WARN,
        at_bin < 0
            ? "the Microsoft Store alias %s\\%s is on PATH and pyshim's bin dir %s is not: `python` opens the Microsoft Store"
            : "the Microsoft Store alias %s\\%s comes before pyshim's bin dir %s on PATH: `python` opens the Microsoft Store",
        wa.buf, found, bin);
    hint(
        c,
        "turn off python.exe and python3.exe in Settings > Apps > Advanced app settings > App execution aliases, or run `pyshim install` again to put %s first on PATH (then open a new terminal)",
        bin);
out:
    sb_release(&wa);
    sv_release(&names);
}

/* Windows: the Python install manager's (PEP 773) alias launchers,
 * python.exe, python3.N.exe and py.exe in its global_dir
 * %LOCALAPPDATA%\Python\bin, which it asks the user to put on PATH.
 * They start a runtime the manager chooses, not the project's: where that
 * directory comes first, `python` bypasses pyshim. */
static void check_pymanager_alias(struct doctor *dr, const struct sv *dirs,
                                  const char *bin)
{
    const char *lad = plat_getenv("LOCALAPPDATA");
    struct sb al = SB_INIT, exe = SB_INIT;
    struct check *c;
    long at_al, at_bin;

    if (!PLAT_WINDOWS || !lad || !*lad)
        return;
    path_join(&al, lad, "Python");
    path_join(&al, al.buf, "bin");
    path_join(&exe, al.buf, "python.exe");
    if (!plat_is_file(exe.buf))
        goto out;
    at_al = path_index(dirs, al.buf);
    at_bin = path_index(dirs, bin);
    if (at_al < 0 || (at_bin >= 0 && at_bin < at_al)) {
        add(dr, "pymanager-alias", ST_OK,
            at_al < 0
                ? "the Python install manager's aliases (%s) are not on PATH"
                : "the Python install manager's aliases (%s) come after pyshim's bin dir on PATH",
            al.buf);
        goto out;
    }
    c = add(
        dr, "pymanager-alias", ST_WARN,
        at_bin < 0
            ? "the Python install manager's aliases (%s) are on PATH and pyshim's bin dir %s is not: `python` runs the manager's default runtime, not the project's"
            : "the Python install manager's aliases (%s) come before pyshim's bin dir %s on PATH: `python` runs the manager's default runtime, not the project's",
        al.buf, bin);
    hint(
        c,
        "run `pyshim install` again to put %s first on your user PATH (then open a new terminal); pyshim finds the manager's runtimes itself",
        bin);
out:
    sb_release(&al);
    sb_release(&exe);
}

static void check_path(struct doctor *dr)
{
    static const char *const names[] = {"python", "python3", "pip", NULL};
    struct sv dirs = SV_INIT;
    struct sb py = SB_INIT, cand = SB_INIT, fix = SB_INIT;
    struct err e = ERR_INIT;
    struct check *c;
    size_t i, k;
    int bad = 0, on_path = 0;

    path_split_list(plat_getenv("PATH"), &dirs);
    if (cli_shim_python(&dr->d, &py, &e) < 0) {
        c = add(dr, "bin-dir", ST_FAIL, "%s", e.msg);
        hint(c, "run `pyshim install`");
        cli_bin_dir(&dr->d, NULL, &py, NULL);
        check_store_alias(dr, &dirs, py.buf);
        check_pymanager_alias(dr, &dirs, py.buf);
        goto out;
    }
    path_dirname(&py);
    sb_set(&dr->self_dir, py.buf);
    for (i = 0; i < dirs.nr && !on_path; i++)
        on_path = same_dir(dirs.v[i], py.buf);
    if (on_path) {
        add(dr, "bin-dir", ST_OK, "%s is on PATH", py.buf);
    } else {
        c = add(dr, "bin-dir", ST_FAIL, "pyshim's bin dir %s is not on PATH",
                py.buf);
        if (PLAT_WINDOWS) {
            sb_reset(&cand);
            cli_ps_quote(&cand, py.buf);
            hint(
                c,
                "run `pyshim install` and open a new terminal (or, in PowerShell: $env:Path = '%s;' + $env:Path)",
                cand.buf);
        } else {
            hint(
                c,
                "run `pyshim install` and open a new shell, or add `export PATH=\"%s:$PATH\"` to your shell rc",
                py.buf);
        }
    }
    check_store_alias(dr, &dirs, py.buf);
    check_pymanager_alias(dr, &dirs, py.buf);

    for (k = 0; names[k]; k++) {
        const char *found = NULL;

        for (i = 0; i < dirs.nr && !found; i++) {
            path_join(&cand, dirs.v[i], names[k]);
            sb_addstr(&cand, PLAT_EXE_SUFFIX);
            if (plat_is_executable(cand.buf))
                found = cand.buf;
        }
        if (!found) {
            c = add(dr, "path-order", ST_FAIL, "no `%s` on PATH", names[k]);
            hint(c, "run `pyshim install` and open a new %s",
                 PLAT_WINDOWS ? "terminal" : "shell");
            bad = 1;
        } else if (!is_pyshim(dr, found)) {
            const char *what;

            shadow_kind(found, py.buf, &what, &fix);
            c = add(dr, "path-order", ST_FAIL,
                    "`%s` on PATH is %s (%s), not pyshim's", names[k], found,
                    what);
            hint(c, "%s", fix.buf);
            bad = 1;
        }
    }
    if (!bad)
        add(dr, "path-order", ST_OK,
            "`python`, `python3` and `pip` on PATH are pyshim's");
out:
    sv_release(&dirs);
    sb_release(&py);
    sb_release(&cand);
    sb_release(&fix);
    err_release(&e);
}

static void check_data_dir(struct doctor *dr)
{
    struct sb dir = SB_INIT, tmp = SB_INIT;
    struct check *c;

    /* Test the data dir, or the nearest parent that exists (where it will
     * be created), without leaving anything behind. */
    sb_set(&dir, dr->d.data);
    while (!plat_is_dir(dir.buf) && !path_is_root(dir.buf) &&
           strcmp(dir.buf, "."))
        path_dirname(&dir);
    path_join(&tmp, dir.buf, ".pyshim-doctor-XXXXXX");
    if (plat_mkdtemp(&tmp) < 0) {
        c = add(dr, "data-dir", ST_FAIL, "cannot write in %s: %s", dir.buf,
                plat_strerror(errno));
        hint(
            c,
            "pyshim keeps shared envs, overlays and trust records there: fix its owner or permissions (`ls -ld %s`), or set PYSHIM_HOME",
            dir.buf);
    } else {
        plat_rmdir(tmp.buf);
        if (!strcmp(dir.buf, dr->d.data))
            add(dr, "data-dir", ST_OK, "%s is writable", dr->d.data);
        else
            add(dr, "data-dir", ST_OK,
                "%s does not exist yet; %s is writable, so it can be created",
                dr->d.data, dir.buf);
    }
    sb_release(&dir);
    sb_release(&tmp);
}

/* --- configs ------------------------------------------------------------- */

static int was_skipped(const struct doctor *dr, const char *file)
{
    const struct sv *s = &dr->plan.proj.skipped;
    size_t i, n = strlen(file);

    for (i = 0; i < s->nr; i++)
        if (!strncmp(s->v[i], file, n) && s->v[i][n] == ':')
            return 1;
    return 0;
}

/* One config: valid, and trusted if it needs to be. nearest: the one
 * that applies here (not only somewhere below). */
static void check_one_config(struct doctor *dr, const char *file, int nearest)
{
    struct cfg c = CFG_INIT;
    struct err e = ERR_INIT;
    struct sb text = SB_INIT;
    struct check *ck;
    char *why = NULL;
    int t;

    if (cfg_load_text(&c, file, dr->d.home, &text, &e) < 0) {
        ck = add(dr, "config", ST_FAIL, "%s", e.msg);
        hint(ck, "%s", e.hint ? e.hint : "fix the file (docs/config.md)");
        goto out;
    }
    add(dr, "config", ST_OK, "%s is valid", file);
    why = trust_needed(&c);
    if (!why)
        goto out;
    t = trust_check_text(dr->d.data, file, text.buf, text.len, &e);
    if (t == 1) {
        add(dr, "config-trust", ST_OK, "%s is trusted (%s)", file, why);
    } else if (t == 0) {
        ck = add(dr, "config-trust", nearest ? ST_FAIL : ST_WARN,
                 "%s needs trust but is not trusted (%s)%s", file, why,
                 nearest ? ": python refuses to run here" : "");
        hint(ck, "review it, then run `pyshim trust %s` (an edit asks again)",
             c.dir);
    } else {
        ck = add(dr, "config-trust", ST_WARN, "%s", e.msg);
        if (e.hint)
            hint(ck, "%s", e.hint);
    }
out:
    free(why);
    cfg_release(&c);
    err_release(&e);
    sb_release(&text);
}

static void check_configs(struct doctor *dr)
{
    struct sb dir = SB_INIT, file = SB_INIT;
    const struct sv *skipped = &dr->plan.proj.skipped;
    struct check *c;
    size_t i;
    int n = 0;

    sb_set(&dir, dr->cwd.buf);
    for (;;) {
        path_join(&file, dir.buf, ".pyshim.json");
        if (plat_is_file(file.buf) && !was_skipped(dr, file.buf))
            check_one_config(dr, file.buf, !n++);
        if (path_is_root(dir.buf) || !strcmp(dir.buf, "."))
            break;
        path_dirname(&dir);
    }
    if (dr->d.config_file && plat_is_file(dr->d.config_file)) {
        check_one_config(dr, dr->d.config_file, 0);
        n++;
    }
    if (!n)
        add(dr, "config", ST_OK,
            "no .pyshim.json from %s up to / and no global config",
            dr->cwd.buf);
    for (i = 0; i < skipped->nr; i++) {
        c = add(dr, "config-unsafe", ST_WARN, "skipped %s", skipped->v[i]);
        hint(
            c,
            "pyshim ignores a config others could have written: if it is yours, `chmod go-w` the file and its directory");
    }
    sb_release(&dir);
    sb_release(&file);
}

/* --- the resolution and the environments --------------------------------- */

static void resolve_here(struct doctor *dr)
{
    struct resolve_in in;
    const struct project *pr;
    char vb[32];

    resolve_in_init(&in);
    in.invoked = "python";
    in.cwd = dr->cwd.buf;
    dr->resolved = !resolve(&in, &dr->plan, &dr->rerr);
    pr = &dr->plan.proj;
    dr->own = pr->kind == PROJ_GLOBAL ? &pr->global : &pr->cfg;
    if (dr->own->venv)
        dr->venv_dir = xstrdup(dr->own->venv);
    else if (pr->venv_marker)
        dr->venv_dir = xstrdup(pr->venv_marker);
    if (dr->venv_dir && plat_is_dir(dr->venv_dir))
        dr->venv_ok = !venv_load(&dr->venv, dr->venv_dir, NULL);

    if (!dr->resolved) {
        struct check *c = add(dr, "python", ST_FAIL, "%s",
                              dr->rerr.msg ? dr->rerr.msg : "cannot resolve");

        if (dr->rerr.hint)
            hint(c, "%s", dr->rerr.hint);
    } else if (dr->plan.passthrough) {
        add(dr, "python", ST_OK, "no project here: python passes through to %s",
            dr->plan.exe);
    } else {
        add(dr, "python", ST_OK, "python here runs %s (Python %s, %s)",
            dr->plan.exe, pyver_str(&dr->plan.ver, vb, sizeof(vb)),
            dr->plan.env_kind);
    }
}

/* The venvs under DATA/sub (shared envs, overlays). */
static void data_venvs(const struct doctor *dr, const char *sub, struct sv *out)
{
    struct sv names = SV_INIT;
    struct sb root = SB_INIT, p = SB_INIT;
    size_t i;

    path_join(&root, dr->d.data, sub);
    plat_listdir(root.buf, &names);
    for (i = 0; i < names.nr; i++) {
        if (names.v[i][0] == '.')
            continue;
        path_join(&p, root.buf, names.v[i]);
        if (venv_is_venv(p.buf))
            sv_push(out, p.buf);
    }
    sv_release(&names);
    sb_release(&root);
    sb_release(&p);
}

static void check_venvs(struct doctor *dr)
{
    struct sv shared = SV_INIT, overlays = SV_INIT, all = SV_INIT;
    struct check *c;
    size_t i;
    int bad = 0;

    if (dr->venv_dir && venv_is_venv(dr->venv_dir))
        sv_push(&all, dr->venv_dir);
    data_venvs(dr, "shared", &shared);
    data_venvs(dr, "overlays", &overlays);
    for (i = 0; i < shared.nr; i++)
        sv_push(&all, shared.v[i]);
    for (i = 0; i < overlays.nr; i++)
        sv_push(&all, overlays.v[i]);
    for (i = 0; i < all.nr; i++) {
        struct venv v = VENV_INIT;
        struct err e = ERR_INIT;

        if (venv_load(&v, all.v[i], &e) < 0) {
            c = add(dr, "venv", ST_FAIL, "%s", e.msg);
            bad = 1;
            if (sv_find(&shared, all.v[i]) >= 0)
                hint(
                    c,
                    "its base interpreter is gone: `pyshim shared upgrade %s --python X.Y` rebuilds it on an installed Python and reinstalls its packages (from its record)",
                    path_basename(all.v[i]));
            else if (sv_find(&overlays, all.v[i]) >= 0)
                hint(
                    c,
                    "an overlay pyshim built: remove it (`rm -r %s`); pyshim builds a new one on the next run",
                    all.v[i]);
            else if (dr->venv_dir && !strcmp(all.v[i], dr->venv_dir))
                hint(
                    c,
                    "run `pyshim sync` in the project: it rebuilds the venv on the Python the config asks for and reinstalls its packages");
            else
                hint(c, "%s",
                     e.hint ? e.hint
                            : "remove it and run `pyshim init` to recreate it");
        }
        venv_release(&v);
        err_release(&e);
    }
    if (!bad && all.nr)
        add(dr, "venv", ST_OK, "%lu venv%s still have their base interpreter",
            (unsigned long)all.nr, all.nr == 1 ? "" : "s");
    sv_release(&shared);
    sv_release(&overlays);
    sv_release(&all);
}

/* Overlay builds a kill interrupted: their .tmp- dirs stay until the next
 * overlay build, or --fix. */
static void check_overlay_leftovers(struct doctor *dr)
{
    struct sv left = SV_INIT;
    struct err e = ERR_INIT;
    struct check *c;
    size_t removed = 0;

    env_overlay_leftovers(dr->d.data, &left);
    if (!left.nr)
        goto out;
    c = add(dr, "overlay-tmp", ST_WARN,
            "%lu unfinished overlay build%s left by an interrupted run: %s%s",
            (unsigned long)left.nr, left.nr == 1 ? "" : "s", left.v[0],
            left.nr > 1 ? ", ..." : "");
    hint(
        c,
        "`pyshim doctor --fix` removes them (the next overlay build does too)");
    if (!dr->fix)
        goto out;
    if (env_overlay_clean(dr->d.data, &removed, &e) < 0)
        fix_failed(c, &e);
    else
        fixed(c, "removed %lu unfinished overlay build%s",
              (unsigned long)removed, removed == 1 ? "" : "s");
out:
    sv_release(&left);
    err_release(&e);
}

/* The Python version the project runs, as far as it can be known. */
static int project_version(struct doctor *dr, struct pyver *ver,
                           const char **lib)
{
    const struct project *pr = &dr->plan.proj;
    const char *req = dr->own->python;
    struct sb path = SB_INIT;
    int ret;

    *lib = NULL;
    if (dr->venv_ok && dr->venv.ver.minor >= 0) {
        *ver = dr->venv.ver;
        *lib = dr->venv.libname;
        return 0;
    }
    if (dr->resolved && dr->plan.ver.minor >= 0) {
        *ver = dr->plan.ver;
        return 0;
    }
    if (!req)
        req = pr->pyversion ? pr->pyversion : pr->global.python;
    ret = resolve_interpreter(req, &path, ver, NULL);
    sb_release(&path);
    return ret < 0 || ver->minor < 0 ? -1 : 0;
}

static void check_shared(struct doctor *dr)
{
    static const struct pyver any = PYVER_NONE;
    const struct sv *entries = &dr->own->shared;
    struct sb site = SB_INIT;
    struct pyver ver = PYVER_NONE;
    const char *lib = NULL;
    struct check *c;
    size_t i;
    int bad = 0, known;
    char vb[32];

    if (dr->plan.proj.kind == PROJ_NONE || !entries->nr)
        return;
    known = !project_version(dr, &ver, &lib);
    for (i = 0; i < entries->nr; i++) {
        struct err e = ERR_INIT;

        /* The site dir whatever its version, for the .pth and duplicate
         * checks; then the version check proper. */
        const char *entry =
            siteenv_map(&dr->plan.proj.site, dr->d.data, entries->v[i]);

        if (!env_shared_site(entry, dr->d.data, &any, NULL, &site, NULL,
                             NULL)) {
            sv_push(&dr->shared_sites, site.buf);
            sv_push(&dr->shared_names, entries->v[i]);
        }
        if (env_shared_site(entry, dr->d.data, known ? &ver : &any,
                            known ? lib : NULL, &site, NULL, &e) < 0) {
            c = add(dr, "shared-version", ST_FAIL, "%s (listed in '%s')", e.msg,
                    dr->own->file ? dr->own->file : "config");
            if (e.hint)
                hint(c, "%s", e.hint);
            bad = 1;
        }
        err_release(&e);
    }
    if (!bad && known)
        add(dr, "shared-version", ST_OK,
            "%lu shared env%s match%s the project's Python %s",
            (unsigned long)entries->nr, entries->nr == 1 ? "" : "s",
            entries->nr == 1 ? "es" : "", pyver_str(&ver, vb, sizeof(vb)));
    else if (!bad)
        add(dr, "shared-version", ST_WARN,
            "the project's Python version is unknown: shared envs not compared");
    sb_release(&site);
}

/* The project's venv after `pyshim shared upgrade` moved one of its
 * shared envs to another minor version: its packages (and the shared
 * ones) no longer load until `pyshim sync` rebuilds it. A venv whose
 * Python is gone is check_venvs' (with the same remedy). */
static void check_sync(struct doctor *dr)
{
    const struct sv *entries = &dr->own->shared;
    struct sb dir = SB_INIT;
    char vb[32];
    size_t i;

    if (dr->plan.proj.kind == PROJ_NONE || !dr->venv_ok ||
        dr->venv.ver.minor < 0)
        return;
    for (i = 0; i < entries->nr; i++) {
        struct venv v = VENV_INIT;
        struct check *c;

        if (!cfg_is_name(entries->v[i]))
            continue;
        path_join(&dir, dr->d.data, "shared");
        path_join(&dir, dir.buf, entries->v[i]);
        if (!venv_load(&v, dir.buf, NULL) && v.ver.minor >= 0 &&
            (v.ver.major != dr->venv.ver.major ||
             v.ver.minor != dr->venv.ver.minor)) {
            c = add(
                dr, "sync", ST_FAIL,
                "the project venv %s is Python %s, but shared env '%s' is now Python %d.%d: the project needs `pyshim sync`",
                dr->venv.dir, pyver_str(&dr->venv.ver, vb, sizeof(vb)),
                entries->v[i], v.ver.major, v.ver.minor);
            hint(
                c,
                "run `pyshim sync --python %d.%d` in the project: it rebuilds the venv on that Python and reinstalls its packages",
                v.ver.major, v.ver.minor);
            venv_release(&v);
            break;
        }
        venv_release(&v);
    }
    sb_release(&dir);
}

static void check_hook(struct doctor *dr)
{
    const struct plan *p = &dr->plan;
    struct sb have = SB_INIT;
    struct check *c;
    int exists, current;

    if (!dr->resolved || !p->hook_path)
        return;
    exists = plat_is_file(p->hook_path);
    if (exists && plat_read_file(p->hook_path, 1024 * 1024, &have) < 0) {
        c = add(dr, "hook", ST_FAIL, "cannot read %s: %s", p->hook_path,
                plat_strerror(errno));
        goto out;
    }
    /* the .pth, and its companions _pyshim_hook.py and _pyshim.start */
    current = hook_is_current(p->hook_site, &p->hook);
    if (!p->hook.len && current)
        goto out; /* no shared envs, no hook: nothing to say */
    if (current) {
        add(dr, "hook", ST_OK, "%s is current (%lu shared dir%s)", p->hook_path,
            (unsigned long)p->shared.nr, p->shared.nr == 1 ? "" : "s");
        goto out;
    }
    c = add(
        dr, "hook", ST_FAIL,
        !exists && p->hook.len
            ? "%s is missing: the shared envs are not visible when the venv's python is run directly"
        : p->hook.len && have.len == p->hook.len &&
                !memcmp(have.buf, p->hook.buf, have.len)
            ? "%s is stale: its companions _pyshim_hook.py and _pyshim.start beside it are missing or differ"
        : p->hook.len ? "%s is stale: it does not list the config's shared envs"
                      : "%s is stale: the config lists no shared envs",
        p->hook_path);
    hint(c, "run `pyshim doctor --fix`, or run `python` once in the project");
    if (dr->fix) {
        struct err e = ERR_INIT;

        /* Apply the plan doctor resolved, as the shim does: the hook is
         * written by the code that owns it, never by a copy of its
         * logic, and the run is not resolved twice. */
        if (apply_plan(&dr->plan, &e) < 0)
            fix_failed(c, &e);
        else
            fixed(c, "%s %s", p->hook.len ? "rewrote" : "removed",
                  p->hook_path);
        err_release(&e);
    }
out:
    sb_release(&have);
}

static void check_duplicates(struct doctor *dr)
{
    struct sv names = SV_INIT;
    struct sb list = SB_INIT;
    struct check *c;
    size_t i, k;
    int bad = 0;

    if (!dr->venv_ok || !dr->venv.site || !dr->shared_sites.nr)
        return;
    for (i = 0; i < dr->shared_sites.nr; i++) {
        sv_release(&names);
        if (sitecheck_duplicates(dr->venv.site, dr->shared_sites.v[i], &names) <
                0 ||
            !names.nr)
            continue;
        sb_reset(&list);
        for (k = 0; k < names.nr; k++)
            sb_addf(&list, "%s%s", k ? ", " : "", names.v[k]);
        c = add(
            dr, "duplicates", ST_WARN,
            "%s: in both the project venv %s and shared '%s'; the project's copy silently shadows the shared one",
            list.buf, dr->venv.dir, dr->shared_names.v[i]);
        hint(
            c,
            "if the shared one is meant, uninstall it from the project: `%s -m pip uninstall %s`",
            dr->venv.python, names.v[0]);
        bad = 1;
    }
    if (!bad)
        add(dr, "duplicates", ST_OK,
            "no package is in both the project venv and a shared env");
    sv_release(&names);
    sb_release(&list);
}

static void add_unique(struct sv *v, const char *s)
{
    if (sv_find(v, s) < 0)
        sv_push(v, s);
}

static void check_pth(struct doctor *dr)
{
    struct sv sites = SV_INIT, files = SV_INIT, shared = SV_INIT;
    struct check *c;
    size_t i;
    int bad = 0;

    /* The environment's own site dirs, the project's shared ones, and
     * every shared env under the data dir. */
    if (dr->venv_dir)
        sitecheck_venv_sites(dr->venv_dir, &sites);
    if (dr->plan.env_dir && strcmp(dr->plan.env_kind, "venv"))
        sitecheck_venv_sites(dr->plan.env_dir, &sites);
    for (i = 0; i < dr->shared_sites.nr; i++)
        add_unique(&sites, dr->shared_sites.v[i]);
    data_venvs(dr, "shared", &shared);
    for (i = 0; i < shared.nr; i++) {
        struct sv s = SV_INIT;
        size_t k;

        sitecheck_venv_sites(shared.v[i], &s);
        for (k = 0; k < s.nr; k++)
            add_unique(&sites, s.v[k]);
        sv_release(&s);
    }
    for (i = 0; i < sites.nr; i++)
        sitecheck_pth_files(sites.v[i], &files);

    for (i = 0; i < files.nr; i++) {
        enum textenc enc;
        struct err e = ERR_INIT;
        int changed = 0;

        if (sitecheck_pth_check(files.v[i], &enc, &e) < 0) {
            c = add(dr, "pth-encoding", ST_WARN, "%s", e.msg);
            bad = 1;
        } else if (enc == TEXTENC_OTHER) {
            c = add(
                dr, "pth-encoding", ST_WARN,
                "%s is %s: Python stops at start-up on it (UnicodeDecodeError in site.py, `Fatal Python error: init_import_site`) unless the locale's code page happens to decode it",
                files.v[i], textenc_name(enc));
            hint(
                c,
                "open it in an editor and save it as UTF-8 (pyshim cannot tell which code page it is in)");
            bad = 1;
        } else if (enc != TEXTENC_UTF8) {
            c = add(
                dr, "pth-encoding", ST_FAIL,
                enc == TEXTENC_UTF8_BOM
                    ? "%s is %s: its first path starts with an invisible U+FEFF and is never found"
                    : "%s is %s (as PowerShell's `>` writes): every python of this env stops at start-up with a traceback (UnicodeDecodeError in site.py, `Fatal Python error: init_import_site: Failed to import the site module`)",
                files.v[i], textenc_name(enc));
            hint(
                c,
                "run `pyshim doctor --fix` to rewrite it as UTF-8 without a BOM (write .pth files with `Set-Content -Encoding ascii`, or an editor)");
            bad = 1;
            if (dr->fix) {
                struct sb backup = SB_INIT;

                if (sitecheck_backup(dr->d.data, "pth", files.v[i], &backup,
                                     &e) < 0 ||
                    sitecheck_pth_fix(files.v[i], &changed, &e) < 0)
                    fix_failed(c, &e);
                else
                    fixed(
                        c,
                        "rewrote %s as UTF-8 without a BOM (same lines); the old bytes are in %s",
                        files.v[i], backup.buf);
                sb_release(&backup);
            }
        }
        err_release(&e);
    }
    if (!bad && sites.nr)
        add(dr, "pth-encoding", ST_OK,
            "%lu .pth file%s in %lu site dir%s decode as UTF-8",
            (unsigned long)files.nr, files.nr == 1 ? "" : "s",
            (unsigned long)sites.nr, sites.nr == 1 ? "" : "s");
    sv_release(&sites);
    sv_release(&files);
    sv_release(&shared);
}

/* --- Jupyter kernelspecs ------------------------------------------------- */

/* The user kernel dir Jupyter reads and `pyshim kernel` writes (one
 * rule: kspec_user_dir), if it exists. */
static void kernel_dirs(const struct doctor *dr, struct sv *out)
{
    struct sb p = SB_INIT;

    if (!kspec_user_dir(dr->d.home, &p, NULL) && plat_is_dir(p.buf))
        sv_push(out, p.buf);
    sb_release(&p);
}

static void check_kernels(struct doctor *dr)
{
    struct sv roots = SV_INIT, names = SV_INIT;
    struct sb dir = SB_INIT, file = SB_INIT, why = SB_INIT;
    struct check *c;
    size_t i, k, n = 0;
    int bad = 0;

    kernel_dirs(dr, &roots);
    for (i = 0; i < roots.nr; i++) {
        sv_release(&names);
        plat_listdir(roots.v[i], &names);
        for (k = 0; k < names.nr; k++) {
            struct kspec ks = KSPEC_INIT;
            struct err e = ERR_INIT;

            path_join(&dir, roots.v[i], names.v[k]);
            path_join(&file, dir.buf, "kernel.json");
            if (!plat_is_file(file.buf))
                continue;
            n++;
            if (kspec_load(&ks, file.buf, &e) < 0) {
                c = add(dr, "kernelspec", ST_WARN, "%s", e.msg);
                if (e.hint)
                    hint(c, "%s", e.hint);
                bad = 1;
            } else if (kspec_stale(&ks, &why)) {
                c = add(dr, "kernelspec", ks.is_pyshim ? ST_FAIL : ST_WARN,
                        "kernel '%s' (%s): %s", names.v[k], dir.buf, why.buf);
                bad = 1;
                if (!ks.is_pyshim) {
                    hint(
                        c,
                        "not made by pyshim, so left alone: remove it with `jupyter kernelspec remove %s`",
                        names.v[k]);
                } else if (!dr->fix) {
                    hint(
                        c,
                        "pyshim made it: `pyshim doctor --fix` removes it (or `jupyter kernelspec remove %s`)",
                        names.v[k]);
                } else if (plat_rmtree(dir.buf) < 0) {
                    err_set(&e, PYSHIM_EXIT_CANTCREAT, "cannot remove %s: %s",
                            dir.buf, plat_strerror(errno));
                    fix_failed(c, &e);
                } else {
                    fixed(c, "removed %s", dir.buf);
                }
            }
            kspec_release(&ks);
            err_release(&e);
        }
    }
    if (!bad)
        add(dr, "kernelspec", ST_OK, "%lu kernelspec%s run programs that exist",
            (unsigned long)n, n == 1 ? "" : "s");
    sv_release(&roots);
    sv_release(&names);
    sb_release(&dir);
    sb_release(&file);
    sb_release(&why);
}

/* --- output -------------------------------------------------------------- */

static void print_text(const struct doctor *dr)
{
    size_t i, nok = 0, nwarn = 0, nfail = 0, nfixed = 0;

    for (i = 0; i < dr->nr; i++) {
        const struct check *c = &dr->v[i];

        printf("%-4s  %-15s %s\n", status_names[c->status], c->name, c->detail);
        if (c->action)
            printf("      %-15s fixed: %s\n", "", c->action);
        else if (c->hint)
            printf("      %-15s hint: %s\n", "", c->hint);
        if (c->action)
            nfixed++;
        else if (c->status == ST_FAIL)
            nfail++;
        else if (c->status == ST_WARN)
            nwarn++;
        else
            nok++;
    }
    printf("\n%zu ok, %zu warn, %zu fail", nok, nwarn, nfail);
    if (nfixed)
        printf(", %zu fixed", nfixed);
    printf("\n");
}

static void print_json(const struct doctor *dr)
{
    struct sb o = SB_INIT;
    struct jsonw w;
    size_t i;

    jsonw_init(&w, &o, 1);
    jsonw_array_begin(&w);
    for (i = 0; i < dr->nr; i++) {
        const struct check *c = &dr->v[i];

        jsonw_object_begin(&w);
        jsonw_kv_string(&w, "check", c->name);
        jsonw_kv_string(&w, "status", status_names[c->status]);
        jsonw_kv_string(&w, "detail", c->detail);
        jsonw_kv_string(&w, "hint", c->hint);
        jsonw_kv_bool(&w, "fixed", c->action != NULL);
        jsonw_kv_string(&w, "action", c->action);
        jsonw_object_end(&w);
    }
    jsonw_array_end(&w);
    jsonw_release(&w);
    sb_addch(&o, '\n');
    fwrite(o.buf, 1, o.len, stdout);
    sb_release(&o);
}

static void doctor_release(struct doctor *dr)
{
    size_t i;

    for (i = 0; i < dr->nr; i++) {
        free(dr->v[i].detail);
        free(dr->v[i].hint);
        free(dr->v[i].action);
    }
    free(dr->v);
    dirs_release(&dr->d);
    sb_release(&dr->cwd);
    sb_release(&dr->self_dir);
    plan_release(&dr->plan);
    err_release(&dr->rerr);
    free(dr->venv_dir);
    venv_release(&dr->venv);
    sv_release(&dr->shared_sites);
    sv_release(&dr->shared_names);
}

int cli_doctor(int argc, char **argv)
{
    struct doctor dr;
    struct err e = ERR_INIT;
    struct sb self = SB_INIT;
    const char *target = NULL;
    int json = 0, code = PYSHIM_EXIT_OK;
    size_t k;
    struct opt opts[] = {
        OPT_BOOL(0, "json", &json),
        OPT_BOOL(0, "fix", &dr.fix),
        OPT_END(),
    };
    struct opt_cmd oc = OPT_CMD(usage, opts, &target, 1);

    memset(&dr, 0, sizeof(dr));
    plan_init(&dr.plan);
    if (opt_parse_cmd(&oc, argc, argv, &code))
        goto out;
    if (dirs_init(&dr.d, &e) < 0 ||
        path_absolute(&dr.cwd, target ? target : ".", NULL, dr.d.home, &e) <
            0) {
        code = cli_report(&e);
        goto out;
    }
    if (!plat_is_dir(dr.cwd.buf)) {
        err_set(&e, PYSHIM_EXIT_NOINPUT, "'%s' is not a directory", dr.cwd.buf);
        code = cli_report(&e);
        goto out;
    }
    if (plat_self_exe(&self) < 0 || plat_stat(self.buf, &dr.self, 1) < 0)
        memset(&dr.self, 0, sizeof(dr.self));

    check_path(&dr);
    check_data_dir(&dr);
    resolve_here(&dr);
    check_configs(&dr);
    check_venvs(&dr);
    check_overlay_leftovers(&dr);
    check_shared(&dr);
    check_sync(&dr);
    check_hook(&dr);
    check_duplicates(&dr);
    check_pth(&dr);
    check_kernels(&dr);

    if (json)
        print_json(&dr);
    else
        print_text(&dr);
    for (k = 0; k < dr.nr; k++)
        if (dr.v[k].status == ST_FAIL && !dr.v[k].action)
            code = PYSHIM_EXIT_FAILURE;
out:
    doctor_release(&dr);
    err_release(&e);
    sb_release(&self);
    return code;
}
