/*
 * freeze: the package lists recorded next to each env (cli/freeze.h), and
 * `pyshim freeze`, which prints them.
 */
#include "cli/freeze.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sv.h"
#include "config/dirs.h"
#include "cli/cli.h"
#include "cli/opt.h"
#include "launcher/env.h"
#include "launcher/resolve.h"
#include "launcher/venv.h"
#include "common/banned.h"

#define HEAD "# pyshim freeze record: "

static const char usage[] =
    "usage: pyshim freeze [--shared NAME | --all]\n"
    "\n"
    "Print the exact package list (`pip freeze` format) of this project's\n"
    "venv: only its own packages, never those of its shared envs.\n"
    "\n"
    "  --shared NAME  the packages of shared env NAME instead\n"
    "  --all          the project's packages and those of each of its shared\n"
    "                 envs, each line labelled with its layer\n"
    "                 (`# project`, `# shared NAME`)\n"
    "\n"
    "Each list is also kept next to its env, with the Python version the env\n"
    "was made with: ENV/pyshim-requirements.txt (for a shared env,\n"
    "DATA/shared/NAME/pyshim-requirements.txt). `pyshim shared pip NAME\n"
    "install/uninstall ...` rewrites it at once; a `pip install` run in a\n"
    "project is recorded by the next `pyshim freeze` (pyshim sees that the\n"
    "venv's site-packages changed; the shim itself never looks).\n";

void freeze_record_path(struct sb *out, const char *env_dir)
{
    path_join(out, env_dir, FREEZE_RECORD);
}

/* Is the file at path absent or a record pyshim wrote? Then it may be
 * (re)written. Its text goes into text (replaced). */
static int ours(const char *path, struct sb *text)
{
    sb_reset(text);
    if (plat_read_file(path, 16u << 20, text) < 0)
        return errno == ENOENT;
    return text->len >= strlen(HEAD) && !memcmp(text->buf, HEAD, strlen(HEAD));
}

int freeze_write(const struct dirs *d, const char *env_dir, int local,
                 struct sb *list, struct err *e)
{
    struct plat_lock *lock = NULL;
    struct venv v = VENV_INIT;
    struct sv argv = SV_INIT;
    struct sb rec = SB_INIT, text = SB_INIT;
    char vb[32];
    int status = 0, ret = -1;

    if (cli_lock(d, "freeze", env_dir,
                 "another pyshim is recording this env's packages", &lock,
                 e) < 0 ||
        venv_load(&v, env_dir, e) < 0)
        goto out;
    sv_push(&argv, v.python);
    sv_push(&argv, "-m");
    sv_push(&argv, "pip");
    sv_push(&argv, "freeze");
    if (local)
        sv_push(&argv, "--local");
    fflush(stdout);
    if (plat_run(v.python, argv.v, list, 1, &status) < 0 || status) {
        err_set(
            e, PYSHIM_EXIT_FAILURE,
            "cannot list the packages of '%s': `%s -m pip freeze%s` failed (status %d)",
            env_dir, v.python, local ? " --local" : "", status);
        err_hint(e,
                 "pip must be importable there (from the env or a shared env)");
        goto out;
    }
    freeze_record_path(&rec, env_dir);
    if (!ours(rec.buf, &text)) {
        err_set(e, PYSHIM_EXIT_CANTCREAT,
                "'%s' was not written by pyshim: it is left as it is", rec.buf);
        err_hint(e, "move it away to let pyshim record the package list there");
        goto out;
    }
    sb_reset(&text);
    sb_addf(&text, "%s`pip freeze%s` of %s\n# python %s\n", HEAD,
            local ? " --local" : "", env_dir,
            v.ver.major >= 0 ? pyver_str(&v.ver, vb, sizeof(vb)) : "unknown");
    sb_add(&text, list->buf, list->len);
    if (plat_write_atomic(rec.buf, text.buf, text.len, 0644) < 0) {
        err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot write '%s': %s", rec.buf,
                plat_strerror(errno));
        goto out;
    }
    ret = 0;
out:
    plat_unlock(lock);
    venv_release(&v);
    sv_release(&argv);
    sb_release(&rec);
    sb_release(&text);
    return ret;
}

int freeze_read_record(const char *env_dir, struct sb *list)
{
    struct sb rec = SB_INIT, text = SB_INIT;
    const char *body = NULL;
    int lines = 0;

    freeze_record_path(&rec, env_dir);
    if (ours(rec.buf, &text) && text.len) {
        /* the body follows the two header lines */
        for (body = text.buf; lines < 2 && body; lines++) {
            body = strchr(body, '\n');
            if (body)
                body++;
        }
    }
    if (body)
        sb_set(list, body);
    sb_release(&rec);
    sb_release(&text);
    return body ? 0 : -1;
}

/* The record's list, when it is newer than the env's site-packages. */
static int fresh(const char *env_dir, struct sb *list)
{
    struct venv v = VENV_INIT;
    struct sb rec = SB_INIT;
    struct plat_stat rs, ss;
    int ret = 0;

    freeze_record_path(&rec, env_dir);
    if (venv_load(&v, env_dir, NULL) < 0 || !v.site ||
        plat_stat(v.site, &ss, 1) < 0 || plat_stat(rec.buf, &rs, 0) < 0 ||
        !rs.is_reg || rs.mtime_ns <= ss.mtime_ns)
        goto out;
    ret = !freeze_read_record(env_dir, list);
out:
    venv_release(&v);
    sb_release(&rec);
    return ret;
}

int freeze_get(const struct dirs *d, const char *env_dir, int local,
               struct sb *list, struct err *e)
{
    if (fresh(env_dir, list))
        return 0;
    return freeze_write(d, env_dir, local, list, e);
}

/* Print list, each line labelled with label (blank and comment lines
 * left out) when it is not NULL. */
static void print_list(const struct sb *list, const char *label)
{
    const char *s = list->buf, *nl;

    for (; *s; s = nl ? nl + 1 : s + strlen(s)) {
        size_t n;

        nl = strchr(s, '\n');
        n = nl ? (size_t)(nl - s) : strlen(s);
        if (!label)
            printf("%.*s\n", (int)n, s);
        else if (n && *s != '#')
            printf("%.*s  # %s\n", (int)n, s, label);
    }
}

static int shared_env(const struct dirs *d, const char *name, struct sb *dir,
                      struct err *e)
{
    if (!cfg_is_name(name)) {
        err_set(e, PYSHIM_EXIT_USAGE, "'%s' is not a shared env name", name);
        return err_hint(e, "use letters, digits, '.', '_' and '-' (not first)");
    }
    path_join(dir, d->data, "shared");
    path_join(dir, dir->buf, name);
    if (!venv_is_venv(dir->buf)) {
        err_set(e, PYSHIM_EXIT_NOINPUT, "shared env '%s' does not exist (%s)",
                name, dir->buf);
        return err_hint(e, "`pyshim shared list` shows the shared envs");
    }
    return 0;
}

/* --all: the shared layers of the project, in the plan's order. */
static int shared_layers(const struct plan *p, struct err *e)
{
    struct sb name = SB_INIT, dir = SB_INIT, list = SB_INIT, label = SB_INIT;
    struct sv argv = SV_INIT;
    size_t i;
    int status = 0, ret = 0;

    for (i = 0; !ret && i < p->shared.nr; i++) {
        const char *site = p->shared.v[i];

        sb_reset(&label);
        if (!env_shared_name(p->dirs.data, site, &name)) {
            path_join(&dir, p->dirs.data, "shared");
            path_join(&dir, dir.buf, name.buf);
            ret = freeze_get(&p->dirs, dir.buf, 0, &list, e);
            sb_addf(&label, "shared %s", name.buf);
        } else {
            /* a shared env named by path: not pyshim's to record in */
            sv_release(&argv);
            sv_push(&argv, p->exe);
            sv_push(&argv, "-m");
            sv_push(&argv, "pip");
            sv_push(&argv, "freeze");
            sv_push(&argv, "--path");
            sv_push(&argv, site);
            fflush(stdout);
            if (plat_run(p->exe, argv.v, &list, 1, &status) < 0 || status)
                ret = err_set(
                    e, PYSHIM_EXIT_FAILURE,
                    "cannot list the packages of '%s': `%s -m pip freeze --path %s` failed (status %d)",
                    site, p->exe, site, status);
            sb_addf(&label, "shared %s", site);
        }
        if (!ret)
            print_list(&list, label.buf);
    }
    sb_release(&name);
    sb_release(&dir);
    sb_release(&list);
    sb_release(&label);
    sv_release(&argv);
    return ret;
}

static int project(int all, struct err *e)
{
    struct resolve_in in;
    struct plan p;
    struct sb list = SB_INIT;
    int ret = -1, has_venv;

    plan_init(&p);
    resolve_in_init(&in);
    in.invoked = "python";
    if (resolve(&in, &p, e) < 0)
        goto out;
    if (!p.proj.root) {
        err_set(e, PYSHIM_EXIT_NOINPUT,
                "no project here%s: `pyshim freeze` lists a project's packages",
                p.disabled ? " (PYSHIM_DISABLE is set)" : "");
        err_hint(
            e,
            "run it inside a project, or name a shared env: `pyshim freeze --shared NAME`");
        goto out;
    }
    has_venv = p.env_kind && !strcmp(p.env_kind, "venv") && p.env_dir;
    if (!has_venv && !all) {
        err_set(
            e, PYSHIM_EXIT_NOINPUT,
            "project '%s' has no venv of its own: no packages of its own to list",
            p.proj.root);
        err_hint(
            e,
            "its shared envs' packages: `pyshim freeze --all`; a venv: `pyshim init`");
        goto out;
    }
    if (has_venv) {
        if (freeze_get(&p.dirs, p.env_dir, 1, &list, e) < 0)
            goto out;
        print_list(&list, all ? "project" : NULL);
    }
    if (all && shared_layers(&p, e) < 0)
        goto out;
    ret = 0;
out:
    sb_release(&list);
    plan_release(&p);
    return ret;
}

int cli_freeze(int argc, char **argv)
{
    struct dirs d = DIRS_INIT;
    struct err e = ERR_INIT;
    struct sb dir = SB_INIT, list = SB_INIT;
    const char *shared = NULL;
    int all = 0, code = PYSHIM_EXIT_OK, ret;
    struct opt opts[] = {
        OPT_STRING(0, "shared", &shared),
        OPT_BOOL(0, "all", &all),
        OPT_END(),
    };
    struct opt_cmd c = OPT_CMD(usage, opts, NULL, 0);

    if (opt_parse_cmd(&c, argc, argv, &code))
        return code;
    if (shared && all) {
        fprintf(stderr,
                "pyshim: error: --shared and --all do not go together\n");
        fputs(usage, stderr);
        return PYSHIM_EXIT_USAGE;
    }
    if (shared) {
        ret = dirs_init(&d, &e);
        if (!ret)
            ret = shared_env(&d, shared, &dir, &e);
        if (!ret)
            ret = freeze_get(&d, dir.buf, 0, &list, &e);
        if (!ret)
            print_list(&list, NULL);
    } else {
        ret = project(all, &e);
    }
    if (ret < 0)
        code = cli_report(&e);
    dirs_release(&d);
    err_release(&e);
    sb_release(&dir);
    sb_release(&list);
    return code;
}
