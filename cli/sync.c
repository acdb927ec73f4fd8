/*
 * sync: rebuild an env without losing a package (cli/sync.h), and
 * `pyshim sync`, which does it for the project's venv.
 *
 * Over 600 lines: the rebuild is one transaction (save the list, move the
 * old env aside, build, reinstall, check, then drop or put back), and
 * every step of it must be able to undo the ones before; split across
 * files, the undo path would be harder to read than the length.
 */
#include "cli/sync.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ascii.h"
#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/xalloc.h"
#include "config/cfg.h"
#include "config/cfgedit.h"
#include "config/discover.h"
#include "config/pyproject.h"
#include "config/pyspec.h"
#include "config/pyverfile.h"
#include "config/trust.h"
#include "cli/cli.h"
#include "cli/freeze.h"
#include "cli/opt.h"
#include "launcher/apply.h"
#include "launcher/env.h"
#include "launcher/hook.h"
#include "launcher/resolve.h"
#include "launcher/venv.h"
#include "launcher/vtrust.h"
#include "common/banned.h"

#define ASIDE_PREFIX ".pyshim-old-"
/* where sync_finish moves an old env kept on purpose (keep_old), so that
 * the next run does not take it for one an interrupted rebuild left */
#define KEPT_PREFIX ".pyshim-kept-"

static const char usage[] =
    "usage: pyshim sync [--python V] [--find-links DIR] [--force] [PROJECT]\n"
    "\n"
    "Rebuild the project's venv on the interpreter its config asks for, and\n"
    "reinstall every package it had, e.g. after `pyshim shared upgrade` moved\n"
    "its shared env to another Python, or when its Python was removed:\n"
    "  - the venv's package list is saved first (`pip freeze --local`, kept\n"
    "    in VENV/pyshim-requirements.txt; the last record, else its\n"
    "    *.dist-info dirs, when the venv cannot run pip any more, or when it\n"
    "    came with the project and is not trusted: its python never runs);\n"
    "  - the old venv is kept aside (PROJECT/.pyshim-old-.venv) while the\n"
    "    new one is made at the same path and the list reinstalled\n"
    "    (offline when pip's cache, PIP_FIND_LINKS or --find-links have\n"
    "    the files);\n"
    "  - the hook is rewritten; only when every package is back is the old\n"
    "    venv removed (one pyshim did not make is kept, at\n"
    "    PROJECT/.pyshim-kept-.venv-N).\n"
    "    A package that cannot be reinstalled is named, and the project is\n"
    "    left as it was.\n"
    "The Python is the one `python` there asks for: the config's, the\n"
    ".python-version, the newest satisfying pyproject.toml's\n"
    "requires-python, the shared env's; a project that names none keeps\n"
    "its venv's Python (same minor version). A venv that already runs the\n"
    "asked Python is left as it is, unless --force.\n"
    "\n"
    "  --python V          rebuild on Python V and write it into the\n"
    "                      config's \"python\", or into the .python-version\n"
    "                      that pins the project (after a shared env\n"
    "                      upgrade, or when the venv's Python is gone)\n"
    "  --find-links DIR    also look for packages in DIR (pip's option)\n"
    "  --force             rebuild even if the venv's Python matches\n"
    "  PROJECT             the project directory (default: the nearest one\n"
    "                      at or above the current directory: .pyshim.json,\n"
    "                      pyproject.toml, .python-version or .venv)\n";

void sync_aside_path(struct sb *out, const char *dir)
{
    struct sb base = SB_INIT;

    sb_set(&base, path_basename(dir));
    sb_set(out, dir);
    path_dirname(out);
    path_join(out, out->buf, ASIDE_PREFIX);
    sb_addstr(out, base.buf);
    sb_release(&base);
}

/* --- names -------------------------------------------------------------- */

/* PEP 503 normalized name of s[0..n) into out (replaced). */
static void norm_name(struct sb *out, const char *s, size_t n)
{
    size_t i;

    sb_reset(out);
    for (i = 0; i < n; i++) {
        char ch = s[i];

        if (ch == '-' || ch == '_' || ch == '.') {
            if (out->len && out->buf[out->len - 1] != '-')
                sb_addch(out, '-');
        } else {
            sb_addch(out, ascii_lower(ch));
        }
    }
}

static int name_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.';
}

/* The tools a venv brings itself: `pip freeze` leaves them out, and the
 * new venv has those of its Python. */
static int own_tool(const char *name)
{
    return !strcmp(name, "pip") || !strcmp(name, "setuptools") ||
           !strcmp(name, "wheel") || !strcmp(name, "distribute");
}

/* The distribution a requirement line names (normalized, into name):
 * "NAME==V", "NAME @ URL", "-e URL#egg=NAME". 0 if found. */
static int req_name(const char *line, struct sb *name)
{
    const char *s = line, *egg;
    size_t n = 0;

    if (!strncmp(s, "-e ", 3)) {
        egg = strstr(s, "#egg=");
        if (!egg)
            return -1;
        s = egg + 5;
    }
    while (name_char(s[n]))
        n++;
    if (!n)
        return -1;
    norm_name(name, s, n);
    return 0;
}

/* The lines of a `pip freeze` list that name packages (comments and
 * blank lines left out) into lines. */
static void list_lines(const char *list, struct sv *lines)
{
    const char *s = list, *nl;
    struct sb line = SB_INIT;

    for (; *s; s = nl ? nl + 1 : s + strlen(s)) {
        nl = strchr(s, '\n');
        sb_reset(&line);
        sb_add(&line, s, nl ? (size_t)(nl - s) : strlen(s));
        sb_rtrim(&line);
        if (line.len && line.buf[0] != '#')
            sv_push(lines, line.buf);
    }
    sb_release(&line);
}

/* The site-packages dirs of the env at dir, found by its layout (its
 * python need not run). */
static void env_site_dirs(const char *dir, struct sv *out)
{
    struct sb p = SB_INIT, lib = SB_INIT;
    struct sv names = SV_INIT;
    size_t i;

    if (PLAT_WINDOWS) {
        path_join(&p, dir, "Lib");
        path_join(&p, p.buf, "site-packages");
        sv_push(out, p.buf);
    } else {
        path_join(&lib, dir, "lib");
        plat_listdir(lib.buf, &names);
        for (i = 0; i < names.nr; i++) {
            if (strncmp(names.v[i], "python", 6))
                continue;
            path_join(&p, lib.buf, names.v[i]);
            path_join(&p, p.buf, "site-packages");
            if (plat_is_dir(p.buf))
                sv_push(out, p.buf);
        }
    }
    sb_release(&p);
    sb_release(&lib);
    sv_release(&names);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n > k && !strcmp(s + n - k, suffix);
}

/* The distributions installed in the env at dir (normalized names of its
 * *.dist-info and *.egg-info dirs), its own tools left out; into reqs
 * (may be NULL) "NAME==VERSION" for each *.dist-info. */
static void installed(const char *dir, struct sv *out, struct sv *reqs)
{
    struct sv sites = SV_INIT, names = SV_INIT;
    struct sb name = SB_INIT, req = SB_INIT;
    size_t i, k;

    env_site_dirs(dir, &sites);
    for (i = 0; i < sites.nr; i++) {
        sv_release(&names);
        plat_listdir(sites.v[i], &names);
        for (k = 0; k < names.nr; k++) {
            const char *s = names.v[k], *dash = strchr(s, '-');
            int dist = ends_with(s, ".dist-info");

            if (!dist && !ends_with(s, ".egg-info"))
                continue;
            norm_name(&name, s, dash ? (size_t)(dash - s) : strcspn(s, "."));
            if (!name.len || own_tool(name.buf) || sv_find(out, name.buf) >= 0)
                continue;
            sv_push(out, name.buf);
            if (reqs && dist && dash) {
                sb_reset(&req);
                sb_addf(&req, "%s==%.*s", name.buf,
                        (int)(strlen(dash + 1) - strlen(".dist-info")),
                        dash + 1);
                sv_push(reqs, req.buf);
            }
        }
    }
    sv_release(&sites);
    sv_release(&names);
    sb_release(&name);
    sb_release(&req);
}

/* The names in want not in have, into missing. */
static void not_in(const struct sv *want, const struct sv *have,
                   struct sv *missing)
{
    size_t i;

    for (i = 0; i < want->nr; i++)
        if (sv_find(have, want->v[i]) < 0)
            sv_push(missing, want->v[i]);
}

static void list_names(const struct sv *lines, struct sv *names)
{
    struct sb name = SB_INIT;
    size_t i;

    for (i = 0; i < lines->nr; i++)
        if (!req_name(lines->v[i], &name) && !own_tool(name.buf) &&
            sv_find(names, name.buf) < 0)
            sv_push(names, name.buf);
    sb_release(&name);
}

static void join(struct sb *out, const struct sv *v)
{
    size_t i;

    for (i = 0; i < v->nr; i++)
        sb_addf(out, "%s%s", i ? ", " : "", v->v[i]);
}

/* --- step 1: the list --------------------------------------------------- */

/* Do lines name everything installed in dir? What they miss goes into
 * missing. */
static int complete(const char *dir, const struct sv *lines, struct sv *missing)
{
    struct sv have = SV_INIT, named = SV_INIT;

    installed(dir, &have, NULL);
    list_names(lines, &named);
    not_in(&have, &named, missing);
    sv_release(&have);
    sv_release(&named);
    return !missing->nr;
}

/* The env cannot run `pip freeze`: its record if it names everything
 * installed, else the NAME==VERSION of its *.dist-info dirs. */
static void fallback_list(struct sync_env *s)
{
    struct sb list = SB_INIT;
    struct sv lines = SV_INIT, missing = SV_INIT, have = SV_INIT;

    if (!freeze_read_record(s->dir, &list)) {
        list_lines(list.buf, &lines);
        if (complete(s->dir, &lines, &missing)) {
            freeze_record_path(&s->record, s->dir);
            s->list_from = s->record.buf;
            sv_pushn(&s->packages, lines.v, lines.nr);
        }
    }
    if (!s->list_from) {
        installed(s->dir, &have, &s->packages);
        s->list_from = "its *.dist-info dirs";
    }
    printf("pyshim: using the list from %s\n", s->list_from);
    sb_release(&list);
    sv_release(&lines);
    sv_release(&missing);
    sv_release(&have);
}

/* The env's package lines into s->packages: its pip freeze, else
 * fallback_list; it must name everything installed. */
static int save_list(const struct dirs *d, struct sync_env *s, struct err *e)
{
    struct sb list = SB_INIT, what = SB_INIT;
    struct sv missing = SV_INIT;
    struct err sub = ERR_INIT;
    int ret = -1;

    if (s->no_run) {
        /* its python would run the tree's start-up code (docs/trust.md) */
        printf(
            "pyshim: %s was not made by pyshim and is not trusted: its python is not run\n",
            s->dir);
        fallback_list(s);
    } else if (!freeze_write(d, s->dir, s->project, &list, &sub)) {
        s->list_from = "pip freeze";
        list_lines(list.buf, &s->packages);
    } else {
        printf("pyshim: %s cannot list its packages (%s)\n", s->dir,
               sub.msg ? sub.msg : "pip freeze failed");
        fallback_list(s);
    }
    if (!complete(s->dir, &s->packages, &missing)) {
        join(&what, &missing);
        err_set(
            e, PYSHIM_EXIT_FAILURE,
            "the package list of '%s' (from %s) misses what is installed there: %s; nothing was changed",
            s->dir, s->list_from, what.buf);
        err_hint(
            e,
            "make `pip freeze` work there (its Python, its pip), then run the command again");
        goto out;
    }
    ret = 0;
out:
    sb_release(&list);
    sb_release(&what);
    sv_release(&missing);
    err_release(&sub);
    return ret;
}

/* --- step 3: the new env ------------------------------------------------ */

static int make_env(const struct dirs *d, struct sync_env *s, struct err *e)
{
    struct sv argv = SV_INIT;
    int status = 0, ret = -1;

    sv_push(&argv, s->python);
    sv_push(&argv, "-m");
    sv_push(&argv, "venv");
    if (!s->with_pip)
        sv_push(&argv, "--without-pip");
    if (s->system_site)
        sv_push(&argv, "--system-site-packages");
    sv_push(&argv, s->dir);
    if (venv_begin(s->dir, e) < 0)
        goto out;
    fflush(stdout);
    cli_progress("making %s with %s", s->dir, s->python);
    if (plat_run(s->python, argv.v, NULL, 1, &status) < 0 || status) {
        err_set(e, PYSHIM_EXIT_CANTCREAT, "`%s -m venv %s` failed (status %d)",
                s->python, s->dir, status);
        err_hint(e, PLAT_WINDOWS ? "run the same command yourself to see why"
                                 : "on Debian, `apt-get install python3-venv`");
        goto out;
    }
    venv_done(s->dir);
    /* made by pyshim (launcher/vtrust.h); a new venv at the same path asks
     * again */
    if (s->project && trust_add_venv(d->data, s->dir, e) < 0)
        goto out;
    ret = 0;
out:
    sv_release(&argv);
    return ret;
}

/* The hook in the new venv, so that pip (and the packages' dependencies)
 * come from the shared envs while the list is installed. */
static int new_hook(struct sync_env *s, struct err *e)
{
    struct venv v = VENV_INIT;
    struct sv nested = SV_INIT;
    struct sb hook = SB_INIT;
    int changed = 0, ret = -1;

    if (venv_load(&v, s->dir, e) < 0)
        goto out;
    if (!v.site) {
        err_set(e, PYSHIM_EXIT_CANTCREAT,
                "the new venv '%s' has no site-packages", s->dir);
        goto out;
    }
    hook_nested_dirs(s->sites, &nested);
    hook_render(s->sites, &nested, &hook);
    ret = hook_sync(v.site, &hook, &changed, e);
    if (!ret)
        printf("pyshim: wrote the hook into the new venv (%lu shared dir%s)\n",
               (unsigned long)s->sites->nr, s->sites->nr == 1 ? "" : "s");
out:
    venv_release(&v);
    sv_release(&nested);
    sb_release(&hook);
    return ret;
}

/* `pip install` lines (all of them, or one) into the new env. */
static int pip_install(const struct sync_env *s, const struct sv *lines,
                       size_t from, size_t n)
{
    struct sb py = SB_INIT;
    struct sv argv = SV_INIT;
    size_t i;
    int status = 0;

    venv_python_path(&py, s->dir);
    sv_push(&argv, py.buf);
    sv_push(&argv, "-m");
    sv_push(&argv, "pip");
    sv_push(&argv, "install");
    sv_push(&argv, "--quiet");
    sv_push(&argv, "--disable-pip-version-check");
    sv_push(&argv, "--no-deps");
    if (s->project)
        sv_push(&argv, "--ignore-installed");
    if (s->find_links) {
        sv_push(&argv, "--find-links");
        sv_push(&argv, s->find_links);
    }
    for (i = from; i < from + n; i++) {
        if (!strncmp(lines->v[i], "-e ", 3)) {
            sv_push(&argv, "-e");
            sv_push(&argv, lines->v[i] + 3);
        } else {
            sv_push(&argv, lines->v[i]);
        }
    }
    fflush(stdout);
    cli_progress("reinstalling %zu package%s into %s", n, n == 1 ? "" : "s",
                 s->dir);
    if (plat_run(py.buf, argv.v, NULL, 1, &status) < 0)
        status = -1;
    sb_release(&py);
    sv_release(&argv);
    return status;
}

static int reinstall(struct sync_env *s, struct err *e)
{
    struct sv have = SV_INIT, named = SV_INIT;
    struct sb what = SB_INIT;
    size_t i;
    int ret = -1;

    if (s->packages.nr) {
        printf("pyshim: reinstalling %lu package%s into %s\n",
               (unsigned long)s->packages.nr, s->packages.nr == 1 ? "" : "s",
               s->dir);
        if (pip_install(s, &s->packages, 0, s->packages.nr)) {
            /* which ones? one at a time, to name them */
            for (i = 0; i < s->packages.nr; i++)
                if (pip_install(s, &s->packages, i, 1))
                    sv_push(&s->failed, s->packages.v[i]);
        }
    }
    installed(s->dir, &have, NULL);
    list_names(&s->packages, &named);
    not_in(&named, &have, &s->missing);
    if (s->failed.nr || s->missing.nr) {
        join(&what, s->failed.nr ? &s->failed : &s->missing);
        err_set(e, PYSHIM_EXIT_FAILURE,
                "%lu package%s could not be reinstalled on Python %d.%d: %s",
                (unsigned long)(s->failed.nr ? s->failed.nr : s->missing.nr),
                (s->failed.nr ? s->failed.nr : s->missing.nr) == 1 ? "" : "s",
                s->ver->major, s->ver->minor, what.buf);
        err_hint(
            e,
            "make them installable offline (`--find-links DIR` with their files, PIP_FIND_LINKS, or an index in pip's config), then run the command again");
        goto out;
    }
    ret = 0;
out:
    sv_release(&have);
    sv_release(&named);
    sb_release(&what);
    return ret;
}

/* --- the steps together ------------------------------------------------- */

int sync_recover(const char *dir, struct err *e)
{
    struct sb aside = SB_INIT;
    struct plat_stat st;
    int ret = 0;

    sync_aside_path(&aside, dir);
    if (!venv_is_venv(aside.buf))
        goto out;
    if (venv_is_venv(dir) && !venv_is_incomplete(dir)) {
        err_set(
            e, PYSHIM_EXIT_FAILURE,
            "an interrupted rebuild left the old env '%s' at '%s', and '%s' is a complete env: which one to keep is yours to say",
            dir, aside.buf, dir);
        ret = err_hint(
            e,
            "if '%s' works (`pyshim freeze` lists every package), remove '%s'; else remove '%s' and move '%s' back",
            dir, aside.buf, dir, aside.buf);
        goto out;
    }
    if (plat_stat(dir, &st, 0) == 0 && !venv_incomplete_is_own(dir)) {
        /* not a half-made venv of pyshim's: the user's (a conda env, data) */
        err_set(
            e, PYSHIM_EXIT_FAILURE,
            "an interrupted rebuild left the old env '%s' at '%s', but '%s' now holds something pyshim did not make: nothing was changed",
            dir, aside.buf, dir);
        ret = err_hint(
            e,
            "move '%s' elsewhere and run the command again to put the old env back, or remove '%s' if you no longer need the old env",
            dir, aside.buf);
        goto out;
    }
    /* dir is missing or half made (it carries pyshim's mark) */
    if ((plat_is_dir(dir) && plat_rmtree(dir) < 0) ||
        plat_rename(aside.buf, dir) < 0) {
        err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot put '%s' back at '%s': %s",
                aside.buf, dir, plat_strerror(errno));
        ret = -1;
        goto out;
    }
    printf(
        "pyshim: put back '%s', which an interrupted rebuild had kept aside at '%s'\n",
        dir, aside.buf);
    ret = 1;
out:
    sb_release(&aside);
    return ret;
}

int sync_undo(struct sync_env *s, struct err *e)
{
    if (plat_is_dir(s->dir) && plat_rmtree(s->dir) < 0)
        return err_set(
            e, PYSHIM_EXIT_CANTCREAT,
            "cannot remove the new env '%s' (%s): the old one is kept at '%s'",
            s->dir, plat_strerror(errno), s->aside.buf);
    if (plat_rename(s->aside.buf, s->dir) < 0)
        return err_set(
            e, PYSHIM_EXIT_CANTCREAT,
            "cannot move the old env back from '%s' to '%s' (%s): move it back yourself",
            s->aside.buf, s->dir, plat_strerror(errno));
    return 0;
}

int sync_rebuild(const struct dirs *d, struct sync_env *s, struct err *e)
{
    struct err sub = ERR_INIT;

    if (save_list(d, s, e) < 0)
        return -1;
    sync_aside_path(&s->aside, s->dir);
    if (plat_rename(s->dir, s->aside.buf) < 0)
        return err_set(
            e, PYSHIM_EXIT_CANTCREAT,
            "cannot move '%s' aside to '%s': %s; nothing was changed", s->dir,
            s->aside.buf, plat_strerror(errno));
    printf("pyshim: the old env is kept at %s until the new one works\n",
           s->aside.buf);
    if (make_env(d, s, e) < 0 ||
        (s->project && s->sites && s->sites->nr && new_hook(s, e) < 0) ||
        reinstall(s, e) < 0) {
        if (sync_undo(s, &sub) < 0) {
            err_suffix(e, "; and %s", sub.msg);
        } else {
            err_suffix(e, "; nothing was changed: the old env is back at '%s'",
                       s->dir);
        }
        err_release(&sub);
        return -1;
    }
    return 0;
}

/* The old env pyshim did not make, from the aside path to a kept path
 * (DIR/.pyshim-kept-VENV-N, the first N free). */
static void keep_aside(struct sync_env *s)
{
    struct sb base = SB_INIT, kept = SB_INIT;
    struct plat_stat st;
    unsigned n;

    sb_set(&base, path_basename(s->dir));
    for (n = 1; n < 1000; n++) {
        sb_set(&kept, s->dir);
        path_dirname(&kept);
        path_join(&kept, kept.buf, KEPT_PREFIX);
        sb_addf(&kept, "%s-%u", base.buf, n);
        if (plat_stat(kept.buf, &st, 0) < 0 && errno == ENOENT)
            break;
    }
    if (n < 1000 && plat_rename(s->aside.buf, kept.buf) == 0)
        sb_set(&s->aside, kept.buf);
    printf(
        "pyshim: the old env was not made by pyshim (it has no %s mark): it is kept at %s (remove it once you no longer need it)\n",
        VENV_MADE, s->aside.buf);
    sb_release(&base);
    sb_release(&kept);
}

int sync_finish(const struct dirs *d, struct sync_env *s, struct err *e)
{
    struct sb list = SB_INIT;
    int ret = 0;

    if (s->keep_old) {
        keep_aside(s);
    } else if (plat_rmtree(s->aside.buf) < 0) {
        printf(
            "pyshim: warning: cannot remove the old env '%s': %s (remove it yourself)\n",
            s->aside.buf, plat_strerror(errno));
    } else {
        printf("pyshim: removed the old env %s\n", s->aside.buf);
    }
    if (freeze_write(d, s->dir, s->project, &list, e) < 0)
        ret = -1;
    sb_release(&list);
    return ret;
}

void sync_env_release(struct sync_env *s)
{
    sb_release(&s->aside);
    sv_release(&s->packages);
    sv_release(&s->failed);
    sv_release(&s->missing);
    sb_release(&s->record);
}

/* --- pyshim sync -------------------------------------------------------- */

struct proj {
    struct sb dir, file, venv, py, text, req, pv;
    struct cfg c;
    struct pyver ver;
    struct sv sites;
    const char *python; /* --python */
    const char *find_links;
    int force;
    int json;            /* file is a .pyshim.json (--python goes there) */
    struct sb pvfile;    /* root/.python-version when there */
    struct sb ppfile;    /* root/pyproject.toml when it asks something */
    struct pyproject pp; /* its requires-python */
    const char *pv_of;   /* the file whose old bytes p->pv holds */
    unsigned pv_mode;    /* and its mode */
};

/* The project sync works on: found as the shim finds it (discover.h):
 * a .pyshim.json (trusted as the shim requires), a pyproject.toml with
 * [tool.pyshim] or requires-python, a .python-version, or only a .venv.
 * With PROJECT, that directory must be the project's root. */
static int find_project(const struct dirs *d, const char *arg,
                        struct project *proj, struct err *e)
{
    struct discover_in din;
    struct sb abs = SB_INIT;
    int ret = -1;

    memset(&din, 0, sizeof(din));
    if (path_absolute(&abs, arg ? arg : ".", NULL, d->home, e) < 0)
        goto out;
    if (arg && plat_is_file(abs.buf)) /* PROJECT/.pyshim.json given */
        path_dirname(&abs);
    if (!plat_is_dir(abs.buf)) {
        err_set(e, PYSHIM_EXIT_NOINPUT, "'%s' does not exist", abs.buf);
        goto out;
    }
    din.cwd = abs.buf;
    din.home = d->home;
    din.data_dir = d->data;
    if (discover_project(&din, proj, NULL, e) < 0)
        goto out;
    if ((proj->kind != PROJ_CONFIG && proj->kind != PROJ_MARKERS) ||
        (arg && !path_equal(proj->root, abs.buf))) {
        err_set(
            e, PYSHIM_EXIT_NOINPUT,
            "no project %s '%s' (no .pyshim.json, pyproject.toml asking for a Python, .python-version or .venv)",
            arg ? "in" : "at or above", abs.buf);
        err_hint(e, "run `pyshim init` to make one");
        goto out;
    }
    ret = 0;
out:
    sb_release(&abs);
    return ret;
}

static int load_project(const struct dirs *d, const char *arg, struct proj *p,
                        struct err *e)
{
    struct project proj = PROJECT_INIT;
    int ret = -1;

    if (find_project(d, arg, &proj, e) < 0)
        goto out;
    sb_set(&p->dir, proj.root);
    /* the config discovery read, judged and (for .pyshim.json) found
     * trusted, from the very bytes it parsed: a .pyshim.json it passed
     * over as planted is never read again here */
    if (proj.cfg.file) {
        cfg_release(&p->c);
        p->c = proj.cfg;
        memset(&proj.cfg, 0, sizeof(proj.cfg));
        sb_set(&p->file, p->c.file);
        if (proj.cfg_text) { /* a .pyshim.json, not [tool.pyshim] */
            p->json = 1;
            sb_add(&p->text, proj.cfg_text, proj.cfg_len);
        }
    }
    if (proj.pyversion_file)
        sb_set(&p->pvfile, proj.pyversion_file);
    if (proj.pyproject_file && proj.pyproject.requires_python) {
        sb_set(&p->ppfile, proj.pyproject_file);
        p->pp = proj.pyproject;
        memset(&proj.pyproject, 0, sizeof(proj.pyproject));
    }
    if (p->c.venv)
        sb_set(&p->venv, p->c.venv);
    else
        path_join(&p->venv, p->dir.buf, ".venv");
    ret = 0;
out:
    project_release(&proj);
    return ret;
}

/* The dir of shared env name: the user's own, else a site env of that
 * name (cli/site.c), into dir (replaced). */
static void named_env(const struct dirs *d, const char *name, struct sb *dir)
{
    struct sb site = SB_INIT;

    path_join(dir, d->data, "shared");
    path_join(dir, dir->buf, name);
    if (!venv_is_venv(dir->buf) && cli_site_map(d, name, &site) != name)
        sb_set(dir, site.buf);
    sb_release(&site);
}

/* The first named shared env's version, as `pyshim init` picks it. */
static void shared_version(const struct dirs *d, struct proj *p)
{
    struct sb env = SB_INIT;
    size_t i;

    for (i = 0; !p->req.len && i < p->c.shared.nr; i++) {
        struct venv v = VENV_INIT;

        if (!cfg_is_name(p->c.shared.v[i]))
            continue;
        named_env(d, p->c.shared.v[i], &env);
        if (!venv_load(&v, env.buf, NULL) && v.ver.minor >= 0)
            sb_addf(&p->req, "%d.%d", v.ver.major, v.ver.minor);
        venv_release(&v);
    }
    sb_release(&env);
}

/* A project that names no Python keeps the one its venv was made with. */
static int venv_version(struct proj *p)
{
    struct venv v = VENV_INIT;
    int found = 0;

    if (!venv_load(&v, p->venv.buf, NULL) && v.ver.minor >= 0) {
        sb_addf(&p->req, "%d.%d", v.ver.major, v.ver.minor);
        found = 1;
    }
    venv_release(&v);
    return found;
}

/* The chosen Python must satisfy pyproject.toml's requires-python. */
static int check_requires(const struct proj *p, struct err *e)
{
    char vb[32];

    if (!p->ppfile.len || pyspec_match(&p->pp.spec, &p->ver))
        return 0;
    err_set(
        e, PYSHIM_EXIT_CONFIG,
        "Python %s ('%s') does not satisfy requires-python = \"%s\" in '%s'",
        pyver_str(&p->ver, vb, sizeof(vb)), p->py.buf, p->pp.requires_python,
        p->ppfile.buf);
    return err_hint(
        e, "pass --python with a version that does, or change requires-python");
}

/* A version request as .python-version and [tool.pyshim] hold them
 * (3.13, 3.13t, 3.12.1, pypy3.10, cpython-3.12): no path, no space. */
static int is_version_word(const char *v)
{
    if (!*v)
        return 0;
    for (; *v; v++)
        if (!((*v >= '0' && *v <= '9') || (*v >= 'a' && *v <= 'z') ||
              (*v >= 'A' && *v <= 'Z') || strchr(".-_+", *v)))
            return 0;
    return 1;
}

/* The version request, in the shim's order: --python, the config's,
 * .python-version, pyproject.toml's requires-python (the newest
 * interpreter satisfying it), the first named shared env's version; a
 * project naming none keeps its venv's Python. */
static int request(const struct dirs *d, struct proj *p, struct err *e)
{
    int from_venv = 0, ret;

    if (p->python && !p->json && (p->c.python || p->pvfile.len) &&
        !is_version_word(p->python)) {
        err_set(
            e, PYSHIM_EXIT_USAGE,
            "--python '%s' is not a version: it would be written into '%s', which holds versions only",
            p->python, p->c.python ? p->file.buf : p->pvfile.buf);
        return err_hint(
            e,
            "pass a version (e.g. 3.13); a program by path goes into a .pyshim.json, then `pyshim trust`");
    }

    if (p->python)
        sb_set(&p->req, p->python);
    else if (p->c.python)
        sb_set(&p->req, p->c.python);
    else if (p->pvfile.len && pyverfile_load(p->pvfile.buf, &p->req, e) < 0)
        return -1;
    if (!p->req.len && p->ppfile.len)
        return resolve_interpreter_spec(&p->pp.spec, p->pp.requires_python,
                                        p->ppfile.buf, &p->py, &p->ver, e) < 0
                   ? -1
                   : check_requires(p, e);
    if (!p->req.len)
        shared_version(d, p);
    if (!p->req.len)
        from_venv = venv_version(p);
    ret =
        resolve_interpreter(p->req.len ? p->req.buf : NULL, &p->py, &p->ver, e);
    if (ret < 0 && from_venv) {
        err_suffix(e, " (the venv '%s' was made with it)", p->venv.buf);
        err_hint(
            e,
            "rebuild it on a Python that is installed: `pyshim sync --python X.Y` (`pyshim list` shows them)");
    }
    return ret < 0 ? -1 : check_requires(p, e);
}

/* The shared site dirs for the new Python; a named shared env of another
 * minor version says which --python would match it. */
static int sites(const struct dirs *d, struct proj *p, struct err *e)
{
    struct sb site = SB_INIT, dir = SB_INIT, mapped = SB_INIT;
    size_t i;
    int ret = 0;

    for (i = 0; !ret && i < p->c.shared.nr; i++) {
        const char *entry = p->c.shared.v[i];
        struct venv v = VENV_INIT;

        if (cfg_is_name(entry)) {
            named_env(d, entry, &dir);
            if (!venv_load(&v, dir.buf, NULL) && v.ver.minor >= 0 &&
                (v.ver.major != p->ver.major || v.ver.minor != p->ver.minor)) {
                err_set(
                    e, PYSHIM_EXIT_CONFIG,
                    "shared env '%s' is Python %d.%d, but the project asks for %s (Python %d.%d): its packages would not load",
                    entry, v.ver.major, v.ver.minor,
                    p->req.len ? p->req.buf : "the default", p->ver.major,
                    p->ver.minor);
                err_hint(
                    e,
                    "rebuild the project on the shared env's Python: `pyshim sync --python %d.%d`",
                    v.ver.major, v.ver.minor);
                ret = -1;
            }
            venv_release(&v);
            entry = cli_site_map(d, entry, &mapped);
        }
        if (!ret)
            ret =
                env_shared_site(entry, d->data, &p->ver, NULL, &site, NULL, e);
        if (!ret)
            sv_push(&p->sites, site.buf);
    }
    sb_release(&site);
    sb_release(&dir);
    sb_release(&mapped);
    return ret;
}

static int trust_written(const char *file, const char *text, size_t len,
                         void *data_dir, struct err *e)
{
    return trust_add_text(data_dir, file, text, len, e);
}

/* --python V into a file that is not a .pyshim.json: pyproject.toml's
 * [tool.pyshim] when it names the Python, else the .python-version that
 * pins the project (the old bytes kept in p->pv, for restore_config). */
static int write_other(const struct dirs *d, struct proj *p, struct err *e)
{
    struct sb text = SB_INIT, sum = SB_INIT;
    struct plat_stat st;
    const char *file = p->c.python ? p->file.buf : p->pvfile.buf;
    int ret = -1;

    /* a link is the user's way of sharing the file: not replaced */
    if (!plat_stat(file, &st, 0) && st.is_lnk) {
        err_set(e, PYSHIM_EXIT_CANTCREAT,
                "'%s' is a link: pyshim does not replace it with a file", file);
        err_hint(e, "write %s into its target yourself, then run `pyshim sync`",
                 p->python);
        goto out;
    }
    if (plat_read_regular(file, CFG_MAX_BYTES, &p->pv, &st) < 0) {
        cfg_read_error(e, file, errno);
        goto out;
    }
    if (!p->c.python)
        sb_addf(&text, "%s\n", p->python);
    else if (pyproject_edit(file, p->pv.buf, p->pv.len, p->python, NULL,
                            d->home, &text, &sum, e) < 0)
        goto out;
    if (plat_write_atomic(file, text.buf, text.len, st.perm & 0777) < 0) {
        err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot write '%s': %s", file,
                plat_strerror(errno));
        goto out;
    }
    p->pv_of = file;
    p->pv_mode = st.perm & 0777;
    printf("pyshim: wrote %s (%s)\n", file, p->python);
    ret = 0;
out:
    sb_release(&text);
    sb_release(&sum);
    return ret;
}

/* --python V into the config (trusted as written), or write_other. */
static int write_python(const struct dirs *d, struct proj *p, struct err *e)
{
    struct cfg_update u;
    char *summary = NULL;
    int changed = 0, ret = 0;

    if (!p->python)
        return 0;
    if (!p->json && (p->c.python || p->pvfile.len))
        return write_other(d, p, e);
    if (!p->json) {
        if (p->ppfile.len)
            printf(
                "pyshim: note: nothing in %s names a Python but requires-python, so the next sync may choose another: `pyshim pin %s` makes it stick\n",
                p->dir.buf, p->python);
        return 0;
    }
    memset(&u, 0, sizeof(u));
    u.python = p->python;
    u.before_write = trust_written;
    u.arg = d->data;
    ret = cfg_update_file(p->file.buf, &u, &changed, &summary, e);
    if (!ret && changed)
        printf("pyshim: wrote %s (%s)\n", p->file.buf,
               summary && *summary ? summary : "python");
    free(summary);
    return ret;
}

/* The config back as it was (the rebuild was undone). */
static void restore_config(const struct dirs *d, struct proj *p)
{
    struct err e = ERR_INIT;

    if (p->python && p->json &&
        !trust_add_text(d->data, p->file.buf, p->text.buf, p->text.len, &e))
        plat_write_atomic(p->file.buf, p->text.buf, p->text.len, 0644);
    else if (p->python && p->pv_of)
        plat_write_atomic(p->pv_of, p->pv.buf, p->pv.len, p->pv_mode);
    err_release(&e);
}

/* Resolve in the project and apply: the hook, the users record. */
static int apply_here(struct proj *p, struct err *e)
{
    struct resolve_in in;
    struct plan pl;
    char vb[32];
    int ret = -1;

    plan_init(&pl);
    resolve_in_init(&in);
    in.invoked = "python";
    in.cwd = p->dir.buf;
    if (resolve(&in, &pl, e) < 0 || apply_plan(&pl, e) < 0)
        goto out;
    if (pl.hook_changed)
        printf("pyshim: wrote the hook %s\n", pl.hook_path);
    printf("pyshim: python here runs %s (Python %s)\n", pl.exe,
           pyver_str(&pl.ver, vb, sizeof(vb)));
    ret = 0;
out:
    plan_release(&pl);
    return ret;
}

/* --python written, then the project applied; the file back as it was
 * when that fails. */
static int write_and_apply(const struct dirs *d, struct proj *p, struct err *e)
{
    if (write_python(d, p, e) < 0)
        return -1;
    if (apply_here(p, e) < 0) {
        restore_config(d, p);
        return -1;
    }
    return 0;
}

/* Does the venv need a rebuild for p->ver? */
static int needs_rebuild(const struct proj *p, struct sb *why)
{
    struct venv v = VENV_INIT;
    struct err e = ERR_INIT;
    char vb[32];
    int ret = 1;

    if (venv_load(&v, p->venv.buf, &e) < 0)
        sb_addf(why, "%s", e.msg ? e.msg : "it is broken");
    else if (v.ver.major != p->ver.major || v.ver.minor != p->ver.minor)
        sb_addf(why, "it is Python %s, the project asks for %d.%d",
                pyver_str(&v.ver, vb, sizeof(vb)), p->ver.major, p->ver.minor);
    else if (p->force)
        sb_addstr(why, "--force");
    else
        ret = 0;
    venv_release(&v);
    err_release(&e);
    return ret;
}

static int rebuild(const struct dirs *d, struct proj *p, struct err *e)
{
    struct sync_env s = SYNC_ENV_INIT;
    struct err sub = ERR_INIT;
    char vb[32];
    int ret = -1;

    s.dir = p->venv.buf;
    s.python = p->py.buf;
    s.ver = &p->ver;
    s.project = 1;
    s.with_pip = !cli_sites_have_pip(&p->sites);
    s.sites = &p->sites;
    s.find_links = p->find_links;
    /* a venv made by hand holds what pyshim cannot know of: kept. Only
     * pyshim's own creation writes VENV_MADE; a trust record is no proof
     * (`pyshim trust` and `adopt` write one for venvs made by hand) */
    s.keep_old = !venv_is_made(s.dir);
    /* a venv that came with the tree is code (launcher/vtrust.h): its
     * python (and so its .pth files) runs only once made or trusted */
    s.no_run = vtrust_inside(s.dir, p->dir.buf) &&
               trust_check_venv(d->data, s.dir, NULL) != 1;
    if (sync_rebuild(d, &s, e) < 0)
        goto out;
    if (write_python(d, p, e) < 0 || apply_here(p, e) < 0) {
        restore_config(d, p);
        if (sync_undo(&s, &sub) < 0)
            err_suffix(e, "; and %s", sub.msg);
        else
            err_suffix(e, "; nothing was changed: the old venv is back at '%s'",
                       s.dir);
        goto out;
    }
    if (sync_finish(d, &s, e) < 0)
        goto out;
    printf(
        "pyshim: rebuilt %s on Python %s (%s): %lu package%s reinstalled (list from %s)\n",
        s.dir, pyver_str(&p->ver, vb, sizeof(vb)), p->py.buf,
        (unsigned long)s.packages.nr, s.packages.nr == 1 ? "" : "s",
        s.list_from);
    ret = 0;
out:
    sync_env_release(&s);
    err_release(&sub);
    return ret;
}

static int sync_project(const struct dirs *d, const char *arg, struct proj *p,
                        struct err *e)
{
    struct plat_lock *lock = NULL;
    struct sb real = SB_INIT, why = SB_INIT;
    int ret = -1;

    if (load_project(d, arg, p, e) < 0)
        goto out;
    /* one init or sync at a time per project (cli/init.c's lock) */
    if (plat_realpath(p->dir.buf, &real) < 0)
        sb_set(&real, p->dir.buf);
    sb_addf(&why, "another `pyshim init` or `sync` is busy in '%s'",
            p->dir.buf);
    if (cli_lock(d, "init", real.buf, why.buf, &lock, e) < 0 ||
        sync_recover(p->venv.buf, e) < 0 || request(d, p, e) < 0 ||
        sites(d, p, e) < 0)
        goto out;
    sb_reset(&why);
    if (!venv_is_venv(p->venv.buf)) {
        printf("pyshim: %s has no venv of its own (%s): nothing to rebuild\n",
               p->dir.buf, p->venv.buf);
        ret = write_and_apply(d, p, e);
    } else if (!needs_rebuild(p, &why)) {
        printf(
            "pyshim: %s already runs Python %d.%d: nothing to rebuild (--force rebuilds it)\n",
            p->venv.buf, p->ver.major, p->ver.minor);
        ret = write_and_apply(d, p, e);
    } else {
        printf("pyshim: rebuilding %s (%s)\n", p->venv.buf, why.buf);
        ret = rebuild(d, p, e);
    }
out:
    plat_unlock(lock);
    sb_release(&real);
    sb_release(&why);
    return ret;
}

int cli_sync(int argc, char **argv)
{
    struct dirs d = DIRS_INIT;
    struct err e = ERR_INIT;
    struct proj p = {SB_INIT, SB_INIT,        SB_INIT,  SB_INIT,    SB_INIT,
                     SB_INIT, SB_INIT,        CFG_INIT, PYVER_NONE, SV_INIT,
                     NULL,    NULL,           0,        0,          SB_INIT,
                     SB_INIT, PYPROJECT_INIT, NULL,     0};
    const char *target = NULL;
    int code = PYSHIM_EXIT_OK;
    struct opt opts[] = {
        OPT_STRING(0, "python", &p.python),
        OPT_STRING(0, "find-links", &p.find_links),
        OPT_BOOL(0, "force", &p.force),
        OPT_END(),
    };
    struct opt_cmd oc = OPT_CMD(usage, opts, &target, 1);

    if (opt_parse_cmd(&oc, argc, argv, &code))
        goto out;
    if (dirs_init(&d, &e) < 0 || sync_project(&d, target, &p, &e) < 0)
        code = cli_report(&e);
out:
    dirs_release(&d);
    err_release(&e);
    sb_release(&p.dir);
    sb_release(&p.file);
    sb_release(&p.venv);
    sb_release(&p.py);
    sb_release(&p.text);
    sb_release(&p.req);
    sb_release(&p.pv);
    sv_release(&p.sites);
    sb_release(&p.pvfile);
    sb_release(&p.ppfile);
    pyproject_release(&p.pp);
    cfg_release(&p.c);
    return code;
}
