/*
 * pyshim exec: run a console script (jupyter, black) found in the
 * resolved environment, a shared env, or the base interpreter's bin dir,
 * with the resolved python.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "common/sv.h"
#include "common/xalloc.h"
#include "cli/cli.h"
#include "cli/exec.h"
#include "cli/opt.h"
#include "config/trust.h"
#include "launcher/apply.h"
#include "launcher/resolve.h"
#include "launcher/vtrust.h"
#include "common/banned.h"

static const char usage[] =
    "usage: pyshim exec [--shared NAME] CMD [ARGS...]\n"
    "\n"
    "Run the console script CMD (jupyter, black, pytest...) as `python`\n"
    "would be resolved here: CMD is looked up in the environment's bin dir\n"
    "(the project venv or overlay), then in each shared env, then next to\n"
    "the base interpreter; a Python script runs under the resolved python,\n"
    "so it sees the project's packages and the shared ones. E.g. the one\n"
    "JupyterLab of a shared env: `pyshim exec jupyter lab`.\n"
    "With --shared NAME, CMD comes from the shared env NAME and runs with\n"
    "its python, wherever you are. `pyshim run` is the same command.\n"
    "On Windows the bin dir is Scripts, and CMD is CMD.exe, CMD.cmd or\n"
    "CMD.bat (also the base interpreter's Scripts dir).\n";

/* The bin dir of the env that holds site dir `site`: ENV/bin for
 * ENV/lib/pythonX.Y/site-packages, Windows ENV\\Scripts for
 * ENV\\Lib\\site-packages. Replaces out. */
static void site_bin(const char *site, struct sb *out)
{
    sb_set(out, site);
    path_dirname(out);
    path_dirname(out);
    if (!PLAT_WINDOWS)
        path_dirname(out);
    path_join(out, out->buf, PLAT_VENV_BIN);
}

/* What Windows runs by name, in the order it tries them (PATHEXT's
 * usual head). */
static const char *const win_exts[] = {".exe", ".cmd", ".bat", ".com", NULL};

static const char *win_ext(const char *name)
{
    size_t n = strlen(name);
    int i;

    for (i = 0; win_exts[i]; i++)
        if (n > 4 && path_equal(name + n - 4, win_exts[i]))
            return win_exts[i];
    return NULL;
}

static int is_python_script(const char *path);

/* CMD in dir (replaces out): dir/CMD if executable. Windows: CMD as
 * given if it names its extension, else CMD.exe, CMD.cmd, CMD.bat,
 * CMD.com, else CMD itself when it is a Python script (a #! line). */
static int find_in(const char *dir, const char *cmd, struct sb *out)
{
    int i;

    /* a command name, looked up in the env; an absolute path is not one
     * (path_join would take it as it is and run it) */
    if (path_is_abs(cmd))
        return -1;
    path_join(out, dir, cmd);
    if (!PLAT_WINDOWS)
        return plat_is_executable(out->buf) ? 0 : -1;
    if (win_ext(cmd))
        return plat_is_file(out->buf) ? 0 : -1;
    for (i = 0; win_exts[i]; i++) {
        path_join(out, dir, cmd);
        sb_addstr(out, win_exts[i]);
        if (plat_is_file(out->buf))
            return 0;
    }
    path_join(out, dir, cmd);
    return plat_is_file(out->buf) && is_python_script(out->buf) ? 0 : -1;
}

/* cmd.exe reads a batch file's arguments again, with its own rules:
 * these characters in an argument could run something else. */
static const char *batch_unsafe(char *const *args, int n)
{
    int i;

    for (i = 0; i < n; i++)
        if (strpbrk(args[i], "\"%!^&|<>()\r\n"))
            return args[i];
    return NULL;
}

static int is_python_script(const char *path)
{
    struct sb head = SB_INIT;
    int ret = 0;

    if (!plat_read_head(path, 256, &head) && head.len > 2 &&
        !memcmp(head.buf, "#!", 2)) {
        char *nl = memchr(head.buf, '\n', head.len);

        if (nl)
            *nl = '\0';
        ret = strstr(head.buf, "python") != NULL;
    }
    sb_release(&head);
    return ret;
}

/* A command in the bin dir of a venv that came with the project tree
 * (launcher/vtrust.h) is the tree's code: it runs only when pyshim made
 * the venv or the user trusted it. The venv's python itself, which the
 * resolver already vetted, is the exception. */
static int shipped_command(const struct plan *p, const char *cmd, struct err *e)
{
    struct sb real = SB_INIT;
    int ok;

    if (!p->env_kind || strcmp(p->env_kind, "venv") || !p->proj.root ||
        !vtrust_inside(p->env_dir, p->proj.root))
        return 0;
    ok = p->exe_real && !plat_realpath(cmd, &real) &&
         path_equal(real.buf, p->exe_real) && !is_python_script(cmd);
    sb_release(&real);
    if (ok || trust_check_venv(p->dirs.data, p->env_dir, NULL) == 1)
        return 0;
    err_set(e, PYSHIM_EXIT_NOPERM,
            "'%s' comes with venv '%s', which was not made by pyshim: not run",
            cmd, p->env_dir);
    return err_hint(e, "review the venv, then run `pyshim trust %s`",
                    p->proj.root);
}

/* The same for a command of a shared path inside the project tree: it
 * runs only once the project's config, which lists it, is trusted. */
static int shared_command(const struct plan *p, const char *site,
                          const char *cmd, struct err *e)
{
    if (!p->proj.root || !p->proj.cfg.file ||
        !vtrust_inside(site, p->proj.root) ||
        vtrust_inside(site, p->dirs.data) ||
        trust_check(p->dirs.data, p->proj.cfg.file, NULL) == 1)
        return 0;
    err_set(e, PYSHIM_EXIT_NOPERM,
            "'%s' comes with shared '%s' inside the project tree: not run", cmd,
            site);
    return err_hint(e, "review it, then run `pyshim trust %s`", p->proj.root);
}

/* CMD's program: the environment's own, else a shared env's, else one
 * next to the interpreter (Scripts too, on Windows), each judged by who
 * may have put it there. out gets its path; -1 with e if none or if the
 * one found may not run. */
static int find_command(const struct plan *p, const char *cmd, struct sb *out,
                        struct err *e)
{
    struct sb dir = SB_INIT;
    size_t i;
    int ret = -1;

    sb_reset(out);
    if (p->env_dir) {
        path_join(&dir, p->env_dir, PLAT_VENV_BIN);
        if (find_in(dir.buf, cmd, out) < 0)
            sb_reset(out);
        else if (shipped_command(p, out->buf, e) < 0)
            goto out;
    }
    for (i = 0; !out->len && i < p->shared.nr; i++) {
        site_bin(p->shared.v[i], &dir);
        if (find_in(dir.buf, cmd, out) < 0)
            sb_reset(out);
        else if (shared_command(p, p->shared.v[i], out->buf, e) < 0)
            goto out;
    }
    if (!out->len && p->interp) {
        sb_set(&dir, p->interp);
        path_dirname(&dir);
        if (find_in(dir.buf, cmd, out) < 0)
            sb_reset(out);
        /* a Windows Python keeps its console scripts in Scripts */
        if (!out->len && PLAT_WINDOWS) {
            path_join(&dir, dir.buf, PLAT_VENV_BIN);
            if (find_in(dir.buf, cmd, out) < 0)
                sb_reset(out);
        }
    }
    if (!out->len) {
        err_set(
            e, PYSHIM_EXIT_NOTFOUND,
            "'%s' is not in the environment, its shared envs or next to the interpreter",
            cmd);
        err_hint(
            e,
            "install it (`pip install ...` here, or `pyshim shared pip NAME install ...`); `pyshim which` shows the places");
        goto out;
    }
    ret = 0;
out:
    sb_release(&dir);
    return ret;
}

/* Windows: a .cmd or .bat runs through cmd.exe, which would interpret
 * some characters of the arguments: refuse those. */
static int batch_check(const char *prog, char **args, int n, struct err *e)
{
    const char *bad;

    if (!PLAT_WINDOWS || !win_ext(prog) ||
        (!path_equal(win_ext(prog), ".cmd") &&
         !path_equal(win_ext(prog), ".bat")))
        return 0;
    bad = batch_unsafe(args, n);
    if (!bad)
        return 0;
    err_set(
        e, PYSHIM_EXIT_USAGE,
        "'%s' is a batch file and the argument '%s' has characters cmd.exe would interpret",
        prog, bad);
    return err_hint(e,
                    "run it from cmd.exe yourself, quoting as cmd.exe needs");
}

/* A plan for the shared env NAME itself (--shared): its bin dir for
 * the command, its python to run a script. */
static int shared_plan(const char *name, struct plan *p, struct err *e)
{
    struct sb dir = SB_INIT, cfg = SB_INIT;
    int ret = -1;

    if (!*name || name[0] == '.' || strpbrk(name, "/\\:")) {
        err_set(e, PYSHIM_EXIT_USAGE, "'%s' is not a shared env name", name);
        err_hint(e, "`pyshim shared list` shows them");
        goto out;
    }
    if (dirs_init(&p->dirs, e) < 0)
        goto out;
    path_join(&dir, p->dirs.data, "shared");
    path_join(&dir, dir.buf, name);
    path_join(&cfg, dir.buf, "pyvenv.cfg");
    if (!plat_is_file(cfg.buf)) {
        err_set(e, PYSHIM_EXIT_NOINPUT,
                "shared env '%s' does not exist (looked for '%s')", name,
                dir.buf);
        err_hint(
            e,
            "`pyshim shared list` shows them; `pyshim shared create %s` makes it",
            name);
        goto out;
    }
    p->env_dir = xstrdup(dir.buf);
    path_join(&dir, dir.buf, PLAT_VENV_BIN);
    path_join(&dir, dir.buf, "python" PLAT_EXE_SUFFIX);
    p->exe = sb_detach(&dir, NULL);
    ret = 0;
out:
    sb_release(&dir);
    sb_release(&cfg);
    return ret;
}

/* The plan CMD runs by: the shared env's own (shared), else `python`'s
 * here, written as the shim would write it. */
static int plan_for(const char *shared, struct plan *p, struct err *e)
{
    struct resolve_in in;

    if (shared)
        return shared_plan(shared, p, e);
    resolve_in_init(&in);
    in.invoked = "python";
    if (resolve(&in, p, e) < 0 || apply_plan(p, e) < 0)
        return -1;
    return 0;
}

int exec_run(int argc, char **argv, const char *shared)
{
    struct plan p;
    struct err e = ERR_INIT;
    struct sb cand = SB_INIT;
    struct sv args = SV_INIT;
    size_t i;
    int code;

    plan_init(&p);
    if (plan_for(shared, &p, &e) < 0)
        goto fail;
    if (find_command(&p, argv[0], &cand, &e) < 0) {
        if (p.passthrough && e.code == PYSHIM_EXIT_NOTFOUND)
            err_hint(
                &e,
                "outside a project: name a shared env (`pyshim run --shared NAME CMD`), or a default one in the global config (\"shared\": [\"NAME\"])");
        goto fail;
    }
    for (i = 0; i < p.setenv.nr; i++) {
        char *name = xstrdup(p.setenv.v[i]);

        *strchr(name, '=') = '\0';
        plat_setenv(name, strchr(p.setenv.v[i], '=') + 1);
        free(name);
    }
    if (batch_check(cand.buf, argv + 1, argc - 1, &e) < 0)
        goto fail;
    if (is_python_script(cand.buf))
        sv_push(&args, p.exe);
    sv_push(&args, cand.buf);
    sv_pushn(&args, argv + 1, (size_t)(argc - 1));
    fflush(stdout);
    plat_exec(args.v[0], args.v);
    err_set(&e, PYSHIM_EXIT_CANTEXEC, "cannot run '%s': %s", args.v[0],
            plat_strerror(errno));
fail:
    code = cli_report(&e);
    plan_release(&p);
    err_release(&e);
    sb_release(&cand);
    sv_release(&args);
    return code;
}

int exec_main(int argc, char **argv, const char *usage_text)
{
    const char *shared = NULL;
    int code;
    struct opt opts[] = {OPT_STRING(0, "shared", &shared), OPT_END()};
    struct opt_cmd oc = OPT_CMD(usage_text, opts, NULL, 0);

    /* CMD and everything after it are the program's (its --help too) */
    oc.stop_at_arg = 1;
    if (opt_parse_cmd(&oc, argc, argv, &code))
        return code;
    if (oc.rest >= argc) {
        fputs(usage_text, stderr);
        return PYSHIM_EXIT_USAGE;
    }
    return exec_run(argc - oc.rest, argv + oc.rest, shared);
}

int cli_exec(int argc, char **argv)
{
    return exec_main(argc, argv, usage);
}
