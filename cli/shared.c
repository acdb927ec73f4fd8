/*
 * pyshim shared: the shared envs under DATA/shared/NAME, where the big
 * libraries are installed once for every project.
 *
 * Over 600 lines: one command with five subcommands (create, list,
 * remove, path, pip) and upgrade, which share the env checks (name,
 * place, interpreter, users) kept here; the JSON listing is in
 * sharedls.c and the rebuild in sync.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "common/sha256.h"
#include "common/sv.h"
#include "config/cfg.h"
#include "config/dirs.h"
#include "cli/cli.h"
#include "cli/freeze.h"
#include "cli/opt.h"
#include "cli/sync.h"
#include "launcher/resolve.h"
#include "launcher/venv.h"
#include "common/banned.h"

static const char usage[] =
    "usage: pyshim shared create NAME [--python V]\n"
    "       pyshim shared list [--json]\n"
    "       pyshim shared remove NAME [--force] [--yes]\n"
    "       pyshim shared path NAME\n"
    "       pyshim shared pip NAME ARGS...\n"
    "       pyshim shared upgrade NAME --python V [--find-links DIR] [--force]\n"
    "\n"
    "Shared envs hold the big libraries (torch, langchain, jupyterlab) once\n"
    "for every project that names them in \"shared\". Each is a venv at\n"
    "DATA/shared/NAME (~/.local/share/pyshim/shared/NAME).\n"
    "\n"
    "  create  make the venv (with pip) using Python V (default: the default\n"
    "          interpreter). If NAME exists, succeed only when it matches\n"
    "          (same Python V); a directory there that is not a shared env\n"
    "          is never touched. --system-site-packages is refused: projects\n"
    "          see only a shared env's own packages, never the system's\n"
    "  list    name, Python version, size on disk, and what uses it (--json:\n"
    "          a JSON array of {name, kind, path, python, size, used_by})\n"
    "  remove  delete it, after showing its size and users and asking (on\n"
    "          a terminal; --yes for scripts, required without one);\n"
    "          refused while something uses it, unless --force\n"
    "  path    print its directory\n"
    "  pip     run pip inside it, e.g. `pyshim shared pip ai install torch`;\n"
    "          after an install or uninstall, its package list is recorded in\n"
    "          DATA/shared/NAME/pyshim-requirements.txt (`pyshim freeze`)\n"
    "  upgrade rebuild it on Python V and reinstall every package it had\n"
    "          (its list saved first; the old env kept at\n"
    "          DATA/shared/.pyshim-old-NAME until the new one works; a\n"
    "          package that cannot be reinstalled is named and nothing\n"
    "          changes); --find-links DIR is passed to pip. The package lists\n"
    "          of the projects using it are recorded first; those whose venv\n"
    "          is now of another Python are listed: run `pyshim sync` in each\n"
    "\n"
    "Users are the environments whose shared-libraries hook names it (the\n"
    "shim records them when it writes a hook, also after a project moved),\n"
    "the projects made with `pyshim init`, trusted configs and the global\n"
    "config that list it.\n";

void cli_register_project(const struct dirs *d, const char *dir)
{
    struct sb p = SB_INIT;
    struct sha256 s;
    char hex[65];

    sha256_init(&s);
    sha256_update(&s, dir, strlen(dir));
    sha256_hex(&s, hex);
    path_join(&p, d->data, "projects");
    if (!plat_mkdirs(p.buf, 0755)) {
        hex[16] = '\0';
        path_join(&p, p.buf, hex);
        plat_write_atomic(p.buf, dir, strlen(dir), 0644);
    }
    sb_release(&p);
}

/* Does config c list shared env name (by name, or by a path into it)? */
static int cfg_uses(const struct cfg *c, const char *env, const char *name)
{
    size_t i;

    for (i = 0; i < c->shared.nr; i++) {
        const char *s = c->shared.v[i];

        if (cfg_is_name(s) ? !strcmp(s, name) : path_is_inside(s, env))
            return 1;
    }
    return 0;
}

/* Does config file list the env? */
static int file_uses(const struct dirs *d, const char *file, const char *env,
                     const char *name)
{
    struct cfg c = CFG_INIT;
    int ret = plat_is_file(file) && !cfg_load(&c, file, d->home, NULL) &&
              cfg_uses(&c, env, name);

    cfg_release(&c);
    return ret;
}

/* Add config file to out (as "FILE") and to configs (may be NULL) if it
 * lists the env and no entry already names it. */
static void config_user(const struct dirs *d, const char *file, const char *env,
                        const char *name, struct sv *seen, struct sv *out,
                        struct sv *configs)
{
    if (sv_find(seen, file) >= 0)
        return;
    sv_push(seen, file);
    if (file_uses(d, file, env, name)) {
        sv_push(out, file);
        if (configs && sv_find(configs, file) < 0)
            sv_push(configs, file);
    }
}

/* The live records of DATA/shared/NAME/.users (launcher/env.h): an
 * environment whose hook still is the one that named the env. An
 * overlay's record counts while the config it was made for exists. */
static void recorded_users(const struct dirs *d, const char *env,
                           const char *name, struct sv *seen, struct sv *out,
                           struct sv *configs)
{
    struct sb dir = SB_INIT, file = SB_INIT, rec = SB_INIT, hook = SB_INIT;
    struct sb overlays = SB_INIT, line = SB_INIT;
    struct plat_dir *pd;
    const char *ent;

    path_join(&overlays, d->data, "overlays");
    path_join(&dir, env, ".users");
    pd = plat_opendir(dir.buf);
    while (pd && (ent = plat_readdir(pd))) {
        const char *hex, *hook_path, *env_dir, *from, *end;
        struct sha256 s;
        char now[65];

        path_join(&file, dir.buf, ent);
        if (plat_read_file(file.buf, 64 * 1024, &rec) < 0)
            continue;
        end = rec.buf + rec.len;
        hex = rec.buf;
        hook_path = memchr(hex, '\0', rec.len);
        env_dir = hook_path ? memchr(hook_path + 1, '\0',
                                     (size_t)(end - hook_path - 1))
                            : NULL;
        from = env_dir ? memchr(env_dir + 1, '\0', (size_t)(end - env_dir - 1))
                       : NULL;
        if (!from || hook_path - hex != 64)
            continue;
        hook_path++;
        env_dir++;
        from++;
        /* a regular file only: a FIFO planted where a deleted project
         * was must not hang the command */
        if (!plat_is_file(hook_path) ||
            plat_read_file(hook_path, 1u << 20, &hook) < 0)
            continue;
        sha256_init(&s);
        sha256_update(&s, hook.buf, hook.len);
        sha256_hex(&s, now);
        if (memcmp(now, hex, 64))
            continue; /* the hook changed since: it no longer names it */
        if (path_is_inside(env_dir, overlays.buf)) {
            /* an overlay serves any config asking for its set: it counts
             * while the config it was made for still lists the env */
            struct cfg c = CFG_INIT;
            int alive = path_is_abs(from) && plat_is_file(from) &&
                        !cfg_load(&c, from, d->home, NULL) &&
                        cfg_uses(&c, env, name);

            cfg_release(&c);
            if (!alive)
                continue;
        }
        sb_reset(&line);
        sb_addstr(&line, env_dir);
        if (path_is_abs(from)) {
            sb_addf(&line, " (from %s)", from);
            if (sv_find(seen, from) < 0)
                sv_push(seen, from);
            if (configs && !strcmp(path_basename(from), ".pyshim.json") &&
                sv_find(configs, from) < 0 && file_uses(d, from, env, name))
                sv_push(configs, from);
        }
        if (sv_find(out, line.buf) < 0)
            sv_push(out, line.buf);
    }
    plat_closedir(pd);
    sb_release(&dir);
    sb_release(&file);
    sb_release(&rec);
    sb_release(&hook);
    sb_release(&overlays);
    sb_release(&line);
}

/* cli_projects_using, and into configs (may be NULL) the config files
 * among them (projects' .pyshim.json, the global config). */
static void users_walk(const struct dirs *d, const char *name, struct sv *out,
                       struct sv *configs)
{
    struct sb p = SB_INIT, text = SB_INIT, file = SB_INIT, env = SB_INIT;
    struct sv seen = SV_INIT;
    struct plat_dir *pd;
    const char *ent;

    path_join(&env, d->data, "shared");
    path_join(&env, env.buf, name);
    recorded_users(d, env.buf, name, &seen, out, configs);
    /* the configs pyshim knows: projects made by init, trusted configs
     * (a trust record holds the file's path), the global config */
    path_join(&p, d->data, "projects");
    pd = plat_opendir(p.buf);
    while (pd && (ent = plat_readdir(pd))) {
        path_join(&file, p.buf, ent);
        if (plat_read_file(file.buf, 64 * 1024, &text) < 0)
            continue;
        path_join(&file, text.buf, ".pyshim.json");
        config_user(d, file.buf, env.buf, name, &seen, out, configs);
    }
    plat_closedir(pd);
    path_join(&p, d->data, "trust");
    pd = plat_opendir(p.buf);
    while (pd && (ent = plat_readdir(pd))) {
        path_join(&file, p.buf, ent);
        if (plat_read_file(file.buf, 64 * 1024, &text) < 0 ||
            strcmp(path_basename(text.buf), ".pyshim.json"))
            continue;
        config_user(d, text.buf, env.buf, name, &seen, out, configs);
    }
    plat_closedir(pd);
    config_user(d, d->config_file, env.buf, name, &seen, out, configs);
    sb_release(&p);
    sb_release(&text);
    sb_release(&file);
    sb_release(&env);
    sv_release(&seen);
}

void cli_projects_using(const struct dirs *d, const char *name, struct sv *out)
{
    users_walk(d, name, out, NULL);
}

static int env_dir(const struct dirs *d, const char *name, int must_exist,
                   struct sb *out, struct err *e)
{
    if (!cfg_is_name(name)) {
        err_set(e, PYSHIM_EXIT_USAGE, "'%s' is not a shared env name", name);
        return err_hint(e, "use letters, digits, '.', '_' and '-' (not first)");
    }
    path_join(out, d->data, "shared");
    path_join(out, out->buf, name);
    if (must_exist && !venv_is_venv(out->buf)) {
        err_set(e, PYSHIM_EXIT_NOINPUT, "shared env '%s' does not exist (%s)",
                name, out->buf);
        return err_hint(e, "create it with `pyshim shared create %s`", name);
    }
    return 0;
}

/* Is dir an empty directory (not a link)? */
static int empty_dir(const char *dir)
{
    struct plat_stat st;
    struct sv names = SV_INIT;
    int ret;

    if (plat_stat(dir, &st, 0) < 0 || !st.is_dir)
        return 0;
    ret = !plat_listdir(dir, &names) && !names.nr;
    sv_release(&names);
    return ret;
}

/* NAME exists as a venv: fine only if it is what the command asks for
 * (an explicit --python V that it runs, and the same
 * --system-site-packages), so a script never goes on to install into an
 * env of another Python. */
static int existing(const char *name, const char *dir, const char *python,
                    int sys_site, struct err *e)
{
    struct venv v = VENV_INIT;
    struct err sub = ERR_INIT;
    struct sb py = SB_INIT, why = SB_INIT;
    struct pyver want;
    char hb[32], wb[32];
    int ret = -1;

    if (venv_load(&v, dir, &sub) < 0) {
        err_set(e, PYSHIM_EXIT_CONFIG,
                "shared env '%s' exists but is broken: %s", name,
                sub.msg ? sub.msg : dir);
        err_hint(
            e,
            "recreate it: `pyshim shared remove %s --force`, then `pyshim shared create %s%s%s`, and reinstall its packages",
            name, name, python ? " --python " : "", python ? python : "");
        goto out;
    }
    if (python) {
        if (!cfg_is_path_request(python) && !pyver_parse(python, &want, 0)) {
            /* a version request: the env's version must satisfy it */
        } else if (resolve_interpreter(python, &py, &want, e) < 0) {
            goto out;
        } else {
            want.micro = -1; /* a path: its minor version decides */
        }
        if (v.ver.major < 0 || !pyver_matches(&v.ver, &want))
            sb_addf(&why, "it is Python %s, not %s",
                    v.ver.major < 0 ? "(unknown)"
                                    : pyver_str(&v.ver, hb, sizeof(hb)),
                    cfg_is_path_request(python)
                        ? pyver_str(&want, wb, sizeof(wb))
                        : python);
    }
    if (!why.len && v.system_site != sys_site)
        sb_addf(&why, "it was made %s --system-site-packages",
                v.system_site ? "with" : "without");
    if (why.len) {
        err_set(e, PYSHIM_EXIT_FAILURE,
                "shared env '%s' already exists and does not match: %s (%s)",
                name, why.buf, dir);
        if (python)
            err_hint(
                e,
                "to move it with its packages: `pyshim shared upgrade %s --python %s`; to start it empty: `pyshim shared remove %s`, then `pyshim shared create %s --python %s`; or pick another name",
                name, python, name, name, python);
        else
            err_hint(
                e,
                "to start it empty: `pyshim shared remove %s`, then `pyshim shared create %s`; or pick another name",
                name, name);
        goto out;
    }
    printf("pyshim: shared env '%s' already exists (Python %s): %s\n", name,
           pyver_str(&v.ver, hb, sizeof(hb)), dir);
    ret = 0;
out:
    venv_release(&v);
    err_release(&sub);
    sb_release(&py);
    sb_release(&why);
    return ret;
}

/* What is at dir must be pyshim's to (re)make: nothing, an empty
 * directory (*was_empty: it is given back empty if the creation fails) or
 * a venv pyshim left half-made (its mark proves it). */
static int free_place(const char *dir, int *was_empty, struct err *e)
{
    struct plat_stat st;

    *was_empty = 0;
    if (plat_stat(dir, &st, 0) < 0 || venv_is_incomplete(dir))
        return 0;
    *was_empty = empty_dir(dir);
    if (*was_empty)
        return 0;
    err_set(
        e, PYSHIM_EXIT_CANTCREAT,
        "'%s' exists and is not a shared env pyshim made: it is left as it is",
        dir);
    return err_hint(
        e,
        "move it away (or remove it yourself) and run the command again, or pick another name");
}

/* `py -m venv dir`; never half an env left behind. */
static int build(const char *name, const char *dir, const char *py,
                 int was_empty, struct err *e)
{
    struct sv args = SV_INIT;
    int status = 0, ret = -1;

    sv_push(&args, py);
    sv_push(&args, "-m");
    sv_push(&args, "venv");
    sv_push(&args, dir);
    if (venv_is_incomplete(dir))
        printf(
            "pyshim: shared env '%s' was left half-made by an interrupted create: making it again\n",
            name);
    if (venv_begin(dir, e) < 0)
        goto out;
    cli_progress("making shared env '%s' with %s", name, py);
    if (plat_run(py, args.v, NULL, 1, &status) < 0 || status) {
        /* an empty dir that was there comes back */
        plat_rmtree(dir);
        if (was_empty)
            plat_mkdir(dir, 0755);
        err_set(e, PYSHIM_EXIT_CANTCREAT, "`%s -m venv %s` failed (status %d)",
                py, dir, status);
        err_hint(e, "on Debian, `apt-get install python3-venv`");
        goto out;
    }
    venv_done(dir);
    ret = 0;
out:
    sv_release(&args);
    return ret;
}

/* A shared env made with --system-site-packages would hold the system's
 * packages, but the projects using it would not see them: the hook adds
 * the env's own site-packages only (launcher/hook.h), and a project's
 * python is never that env's python. Refused, with the reason, rather
 * than made to look fine. */
static int refuse_system_site(const char *name, struct err *e)
{
    err_set(
        e, PYSHIM_EXIT_USAGE,
        "--system-site-packages is refused: the projects that use a shared env see only the packages installed in it, never the system's, so they would miss what the env itself sees");
    return err_hint(
        e,
        "install what the projects need into it: `pyshim shared pip %s install ...`",
        name);
}

static int create(const struct dirs *d, int argc, char **argv, struct err *e)
{
    struct sb dir = SB_INIT, py = SB_INIT, busy = SB_INIT;
    struct plat_lock *lock = NULL;
    struct pyver ver;
    const char *name = NULL, *python = NULL;
    int i, sys_site = 0, ret = -1, was_empty = 0;
    char vb[32];

    struct opt opts[] = {
        OPT_STRING(0, "python", &python),
        OPT_BOOL(0, "system-site-packages", &sys_site),
        OPT_END(),
    };
    struct opt_cmd oc = OPT_CMD(usage, opts, &name, 1);

    if (opt_parse_cmd(&oc, argc, argv, &i))
        return i ? -1 : 0; /* printed; a usage error's 64 follows */
    if (!name) {
        err_set(e, PYSHIM_EXIT_USAGE, "shared create needs a NAME");
        return err_hint(e, "e.g. `pyshim shared create ai --python 3.12`");
    }
    if (sys_site)
        return refuse_system_site(name, e);
    if (env_dir(d, name, 0, &dir, e) < 0)
        goto out;
    /* one create of NAME at a time: two removed each other's half env */
    sb_addf(&busy, "another `pyshim shared create %s` is busy", name);
    if (cli_lock(d, "shared", name, busy.buf, &lock, e) < 0)
        goto out;
    if (venv_is_venv(dir.buf) && !venv_is_incomplete(dir.buf)) {
        ret = existing(name, dir.buf, python, 0, e);
        goto out;
    }
    if (free_place(dir.buf, &was_empty, e) < 0 ||
        resolve_interpreter(python, &py, &ver, e) < 0 ||
        build(name, dir.buf, py.buf, was_empty, e) < 0)
        goto out;
    printf("pyshim: created shared env '%s' (Python %s): %s\n", name,
           pyver_str(&ver, vb, sizeof(vb)), dir.buf);
    printf(
        "pyshim: add packages with `pyshim shared pip %s install ...`; use it with `pyshim init --shared %s`\n",
        name, name);
    ret = 0;
out:
    plat_unlock(lock);
    sb_release(&dir);
    sb_release(&py);
    sb_release(&busy);
    return ret;
}

static int list(const struct dirs *d)
{
    struct sb root = SB_INIT, p = SB_INIT;
    struct plat_dir *pd;
    const char *name;
    int n = 0;

    path_join(&root, d->data, "shared");
    pd = plat_opendir(root.buf);
    while (pd && (name = plat_readdir(pd))) {
        struct venv v = VENV_INIT;
        struct sv users = SV_INIT;
        char vb[32];
        size_t k;

        path_join(&p, root.buf, name);
        /* .pyshim-old-NAME: an env `shared upgrade` keeps aside */
        if (name[0] == '.' || !venv_is_venv(p.buf))
            continue;
        if (!n++)
            printf("%-16s %-8s %10s  %s\n", "NAME", "PYTHON", "SIZE",
                   "USED BY");
        if (venv_load(&v, p.buf, NULL) < 0)
            snprintf(vb, sizeof(vb), "broken");
        else
            pyver_str(&v.ver, vb, sizeof(vb));
        cli_projects_using(d, name, &users);
        printf("%-16s %-8s %8.1fM  ", name, vb,
               (double)cli_tree_size(p.buf) / (1024.0 * 1024.0));
        for (k = 0; k < users.nr; k++)
            printf("%s%s", k ? ", " : "", users.v[k]);
        printf("%s\n", users.nr ? "" : "-");
        sv_release(&users);
        venv_release(&v);
    }
    plat_closedir(pd);
    cli_site_list_shared(&n);
    if (!n)
        printf("pyshim: no shared envs yet (`pyshim shared create NAME`)\n");
    sb_release(&root);
    sb_release(&p);
    return 0;
}

static int remove_env(const struct dirs *d, int argc, char **argv,
                      struct err *e)
{
    struct sb dir = SB_INIT, q = SB_INIT, what = SB_INIT;
    struct sv users = SV_INIT;
    const char *name = NULL;
    int i, force = 0, yes = 0, ret = -1, ok;
    size_t k;

    struct opt opts[] = {
        OPT_BOOL(0, "force", &force),
        OPT_BOOL('y', "yes", &yes),
        OPT_END(),
    };
    struct opt_cmd oc = OPT_CMD(usage, opts, &name, 1);

    if (opt_parse_cmd(&oc, argc, argv, &i))
        return i ? -1 : 0; /* printed; a usage error's 64 follows */
    if (!name) {
        err_set(e, PYSHIM_EXIT_USAGE, "shared remove needs a NAME");
        return -1;
    }
    if (env_dir(d, name, 1, &dir, e) < 0)
        goto out;
    cli_projects_using(d, name, &users);
    if (users.nr && !force) {
        for (k = 0; k < users.nr; k++)
            sb_addf(&what, "%s%s", k ? ", " : "", users.v[k]);
        err_set(e, PYSHIM_EXIT_FAILURE, "shared env '%s' is used by %lu: %s",
                name, (unsigned long)users.nr, what.buf);
        err_hint(e, "remove it from their \"shared\" first, or use --force");
        goto out;
    }
    sb_addf(&q, "pyshim: shared env '%s' (%s, ", name, dir.buf);
    cli_add_size(&q, cli_tree_size(dir.buf));
    sb_addf(&q, ") is used by %s", users.nr ? "" : "nothing pyshim knows of");
    for (k = 0; k < users.nr; k++)
        sb_addf(&q, "\n  %s", users.v[k]);
    printf("%s\n", q.buf);
    sb_reset(&what);
    sb_addf(&what, "`pyshim shared remove %s`", name);
    ok = cli_confirm("delete it and the packages in it?", yes, what.buf, e);
    if (ok < 0)
        goto out;
    if (!ok) {
        err_set(e, PYSHIM_EXIT_FAILURE, "not removed: shared env '%s' is kept",
                name);
        goto out;
    }
    if (plat_rmtree(dir.buf) < 0) {
        err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot remove '%s': %s", dir.buf,
                plat_strerror(errno));
        goto out;
    }
    printf("pyshim: removed shared env '%s'\n", name);
    ret = 0;
out:
    sb_release(&dir);
    sb_release(&q);
    sb_release(&what);
    sv_release(&users);
    return ret;
}

/* May pip's command line change the env's packages? Any word "install"
 * or "uninstall" says so: a needless record costs one `pip freeze`, a
 * missed one a stale list (which `pyshim freeze` would still refresh). */
static int changes_packages(int argc, char **argv)
{
    int i;

    for (i = 0; i < argc; i++)
        if (!strcmp(argv[i], "install") || !strcmp(argv[i], "uninstall"))
            return 1;
    return 0;
}

/* pyshim shared pip NAME ARGS...: pip in the env, then, after an install
 * or uninstall (even a failed one: it may have changed something), the
 * env's package list recorded next to it (cli/freeze.h). *code gets pip's
 * status. */
static int pip(const struct dirs *d, int argc, char **argv, int *code,
               struct err *e)
{
    struct sb dir = SB_INIT, py = SB_INIT, list = SB_INIT, rec = SB_INIT;
    struct sv args = SV_INIT;
    int status = 0, ret = -1;

    if (cli_site_refuse_write(d, argv[0], e) < 0 ||
        env_dir(d, argv[0], 1, &dir, e) < 0)
        goto out;
    venv_python_path(&py, dir.buf);
    sv_push(&args, py.buf);
    sv_push(&args, "-m");
    sv_push(&args, "pip");
    sv_pushn(&args, argv + 1, (size_t)(argc - 1));
    fflush(stdout);
    if (plat_run(py.buf, args.v, NULL, 1, &status) < 0) {
        err_set(e, PYSHIM_EXIT_CANTEXEC, "cannot run '%s': %s", py.buf,
                plat_strerror(errno));
        goto out;
    }
    *code = status;
    if (changes_packages(argc - 1, argv + 1)) {
        if (freeze_write(d, dir.buf, 0, &list, e) < 0) {
            err_prefix(e, "pip ran (status %d), but ", status);
            goto out;
        }
        freeze_record_path(&rec, dir.buf);
        printf("pyshim: recorded the packages of '%s' in %s\n", argv[0],
               rec.buf);
    }
    ret = 0;
out:
    sb_release(&dir);
    sb_release(&py);
    sb_release(&list);
    sb_release(&rec);
    sv_release(&args);
    return ret;
}

/* --- upgrade --------------------------------------------------------- */

/* Before the env moves, record the package list of each project venv
 * using it (for its `pyshim sync`): a venv whose pip came from the shared
 * env cannot list its packages afterwards. */
static void record_projects(const struct dirs *d, const struct sv *configs)
{
    struct sb list = SB_INIT, venv = SB_INIT;
    size_t i;

    for (i = 0; i < configs->nr; i++) {
        struct cfg c = CFG_INIT;
        struct err e = ERR_INIT;

        if (!path_equal(configs->v[i], d->config_file) &&
            !cfg_load(&c, configs->v[i], d->home, NULL)) {
            if (c.venv) {
                sb_set(&venv, c.venv);
            } else {
                sb_set(&venv, configs->v[i]);
                path_dirname(&venv);
                path_join(&venv, venv.buf, ".venv");
            }
            if (!venv_is_venv(venv.buf))
                ;
            else if (freeze_write(d, venv.buf, 1, &list, &e) < 0)
                printf(
                    "pyshim: warning: cannot record the packages of %s first: %s\n",
                    venv.buf, e.msg);
            else
                printf("pyshim: recorded the packages of %s first\n", venv.buf);
        }
        cfg_release(&c);
        err_release(&e);
    }
    sb_release(&list);
    sb_release(&venv);
}

/* Does the project of config file need `pyshim sync` for Python ver: its
 * venv broken or of another minor, or its "python" asking for another? */
static int needs_sync(const struct dirs *d, const char *file,
                      const struct pyver *ver)
{
    struct cfg c = CFG_INIT;
    struct venv v = VENV_INIT;
    struct sb venv = SB_INIT;
    struct pyver want;
    int ret = 0;

    if (cfg_load(&c, file, d->home, NULL) < 0)
        goto out;
    if (c.venv) {
        sb_set(&venv, c.venv);
    } else {
        sb_set(&venv, file);
        path_dirname(&venv);
        path_join(&venv, venv.buf, ".venv");
    }
    if (venv_is_venv(venv.buf))
        ret = venv_load(&v, venv.buf, NULL) < 0 || v.ver.major != ver->major ||
              v.ver.minor != ver->minor;
    if (c.python && !c.python_is_path && !pyver_parse(c.python, &want, 0) &&
        !pyver_matches(ver, &want))
        ret = 1;
out:
    cfg_release(&c);
    venv_release(&v);
    sb_release(&venv);
    return ret;
}

static void list_needing_sync(const struct dirs *d, const char *name,
                              const struct sv *configs, const struct pyver *ver)
{
    struct sb dir = SB_INIT;
    size_t i;
    int n = 0;

    for (i = 0; i < configs->nr; i++) {
        if (path_equal(configs->v[i], d->config_file) ||
            !needs_sync(d, configs->v[i], ver))
            continue;
        if (!n++)
            printf(
                "pyshim: these projects use '%s' and need `pyshim sync` now (until then their python fails):\n",
                name);
        sb_set(&dir, configs->v[i]);
        path_dirname(&dir);
        printf("  %s: pyshim sync --python %d.%d %s\n", dir.buf, ver->major,
               ver->minor, dir.buf);
    }
    if (!n)
        printf(
            "pyshim: no project pyshim knows of needs `pyshim sync` for '%s'\n",
            name);
    sb_release(&dir);
}

/* The old env's records of its users go with the name. */
static void keep_users(const struct sync_env *s)
{
    struct sb from = SB_INIT, to = SB_INIT;

    path_join(&from, s->aside.buf, ".users");
    path_join(&to, s->dir, ".users");
    if (plat_is_dir(from.buf) && !plat_is_dir(to.buf))
        plat_rename(from.buf, to.buf);
    sb_release(&from);
    sb_release(&to);
}

/* Is the env already what upgrade asks for (it runs, same version)? */
static int up_to_date(const char *dir, const struct pyver *ver, int *sys_site)
{
    struct venv v = VENV_INIT;
    struct sb text = SB_INIT, cfg = SB_INIT;
    int ret;

    ret = !venv_load(&v, dir, NULL) && !pyver_cmp(&v.ver, ver);
    /* the old env's --system-site-packages is kept, even with its python
     * gone */
    path_join(&cfg, dir, "pyvenv.cfg");
    venv_release(&v);
    if (!plat_read_file(cfg.buf, 64 * 1024, &text) &&
        !venv_parse_cfg(&v, cfg.buf, text.buf, text.len, NULL))
        *sys_site = v.system_site;
    venv_release(&v);
    sb_release(&text);
    sb_release(&cfg);
    return ret;
}

static int upgrade(const struct dirs *d, int argc, char **argv, struct err *e)
{
    struct sb dir = SB_INIT, py = SB_INIT, busy = SB_INIT;
    struct sv users = SV_INIT, configs = SV_INIT;
    struct sync_env s = SYNC_ENV_INIT;
    struct plat_lock *lock = NULL;
    struct pyver ver;
    const char *name = NULL, *python = NULL, *links = NULL;
    int i, force = 0, ret = -1;
    char vb[32];
    struct opt opts[] = {
        OPT_STRING(0, "python", &python),
        OPT_STRING(0, "find-links", &links),
        OPT_BOOL(0, "force", &force),
        OPT_END(),
    };
    struct opt_cmd oc = OPT_CMD(usage, opts, &name, 1);

    if (opt_parse_cmd(&oc, argc, argv, &i))
        return i ? -1 : 0; /* printed; a usage error's 64 follows */
    if (!name || !python) {
        err_set(e, PYSHIM_EXIT_USAGE,
                "shared upgrade needs a NAME and --python V");
        return err_hint(e, "e.g. `pyshim shared upgrade ai --python 3.13`");
    }
    sb_addf(&busy, "another `pyshim shared` command is busy with '%s'", name);
    if (cli_site_refuse_write(d, name, e) < 0 ||
        env_dir(d, name, 0, &dir, e) < 0 ||
        cli_lock(d, "shared", name, busy.buf, &lock, e) < 0 ||
        sync_recover(dir.buf, e) < 0 || env_dir(d, name, 1, &dir, e) < 0 ||
        resolve_interpreter(python, &py, &ver, e) < 0)
        goto out;
    if (up_to_date(dir.buf, &ver, &s.system_site) && !force) {
        printf(
            "pyshim: shared env '%s' already runs Python %s: nothing to upgrade (--force rebuilds it)\n",
            name, pyver_str(&ver, vb, sizeof(vb)));
        ret = 0;
        goto out;
    }
    users_walk(d, name, &users, &configs);
    record_projects(d, &configs);
    s.dir = dir.buf;
    s.python = py.buf;
    s.ver = &ver;
    s.with_pip = 1;
    s.find_links = links;
    if (sync_rebuild(d, &s, e) < 0)
        goto out;
    keep_users(&s);
    if (sync_finish(d, &s, e) < 0)
        goto out;
    printf(
        "pyshim: upgraded shared env '%s' to Python %s (%s): %lu package%s reinstalled (list from %s)\n",
        name, pyver_str(&ver, vb, sizeof(vb)), py.buf,
        (unsigned long)s.packages.nr, s.packages.nr == 1 ? "" : "s",
        s.list_from);
    list_needing_sync(d, name, &configs, &ver);
    ret = 0;
out:
    plat_unlock(lock);
    sb_release(&dir);
    sb_release(&py);
    sb_release(&busy);
    sv_release(&users);
    sv_release(&configs);
    sync_env_release(&s);
    return ret;
}

int cli_shared(int argc, char **argv)
{
    struct dirs d = DIRS_INIT;
    struct err e = ERR_INIT;
    struct sb dir = SB_INIT;
    const char *sub = argc > 1 ? argv[1] : NULL;
    int code = PYSHIM_EXIT_OK, ret;

    if (!sub || cli_is_help(sub)) {
        fputs(usage, sub ? stdout : stderr);
        return sub ? PYSHIM_EXIT_OK : PYSHIM_EXIT_USAGE;
    }
    if (argc > 2 && cli_is_help(argv[2])) {
        fputs(usage, stdout);
        return PYSHIM_EXIT_OK;
    }
    if (dirs_init(&d, &e) < 0) {
        code = cli_report(&e);
        goto out;
    }
    if (!strcmp(sub, "create")) {
        ret = create(&d, argc - 1, argv + 1, &e);
    } else if (!strcmp(sub, "list")) {
        int json = 0;
        struct opt opts[] = {OPT_BOOL(0, "json", &json), OPT_END()};
        struct opt_cmd oc = OPT_CMD(usage, opts, NULL, 0);

        if (opt_parse_cmd(&oc, argc - 1, argv + 1, &code))
            goto out;
        ret = json ? cli_shared_list_json(&d) : list(&d);
    } else if (!strcmp(sub, "remove")) {
        ret = remove_env(&d, argc - 1, argv + 1, &e);
    } else if (!strcmp(sub, "path") && argc == 3) {
        ret = env_dir(&d, argv[2], 1, &dir, &e);
        if (!ret)
            printf("%s\n", dir.buf);
    } else if (!strcmp(sub, "upgrade")) {
        ret = upgrade(&d, argc - 1, argv + 1, &e);
    } else if (!strcmp(sub, "pip") && argc >= 3) {
        ret = pip(&d, argc - 2, argv + 2, &code, &e);
    } else {
        code = cli_usage_error(sub, usage);
        goto out;
    }
    if (ret < 0)
        code = e.msg ? cli_report(&e) : PYSHIM_EXIT_USAGE;
out:
    dirs_release(&d);
    err_release(&e);
    sb_release(&dir);
    return code;
}
