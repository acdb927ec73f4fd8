/*
 * pyshim trust / untrust: record that the user reviewed a config.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "common/xalloc.h"
#include "config/dirs.h"
#include "config/sitecfg.h"
#include "config/trust.h"
#include "cli/cli.h"
#include "cli/opt.h"
#include "launcher/hook.h"
#include "launcher/venv.h"
#include "launcher/vtrust.h"
#include "common/banned.h"

static const char usage_trust[] =
    "usage: pyshim trust [PATH]\n"
    "       pyshim trust --for USER [DIR]\n"
    "\n"
    "Trust the .pyshim.json in PATH (a directory or the file itself; default:\n"
    "the nearest one at or above the current directory) as it is now. A\n"
    "config needs trust when it names an interpreter by path, sets \"env\",\n"
    "or points outside its own directory; editing it asks again. The\n"
    "project's venv is trusted along with it, after it shows what that\n"
    "means (the interpreter it runs, its pyvenv.cfg home, its start-up\n"
    "code: .pth files that run code, sitecustomize); a venv pyshim did not\n"
    "make runs only once trusted when it carries such code. A re-created\n"
    "venv asks again; packages installed into it later do not.\n"
    "\n"
    "  --for USER  (root) let USER run the project in DIR (default: the\n"
    "              current directory) as its owner set it up: a service\n"
    "              account, `sudo -u`, a JupyterHub spawner. Recorded in\n"
    "              the system config's \"project_users\", which only root\n"
    "              can write; USER then takes the owner's files in DIR as\n"
    "              their own (DIR must be writable by its owner alone).\n"
    "              Undo: remove USER there by hand\n";

static const char usage_untrust[] =
    "usage: pyshim untrust [PATH]\n"
    "\n"
    "Forget every trust record of the .pyshim.json in PATH (default: the\n"
    "nearest one at or above the current directory).\n";

int cli_find_config(const char *arg, struct sb *file, struct err *e)
{
    struct sb p = SB_INIT;
    int ret = -1;

    if (path_absolute(&p, arg ? arg : ".", NULL, plat_home(), e) < 0)
        goto out;
    if (plat_is_file(p.buf)) {
        sb_set(file, p.buf);
        ret = 0;
        goto out;
    }
    if (!plat_is_dir(p.buf)) {
        err_set(e, PYSHIM_EXIT_NOINPUT, "'%s' does not exist", p.buf);
        goto out;
    }
    for (;;) {
        path_join(file, p.buf, ".pyshim.json");
        if (plat_is_file(file->buf)) {
            ret = 0;
            goto out;
        }
        if (arg || path_is_root(p.buf))
            break;
        path_dirname(&p);
    }
    err_set(e, PYSHIM_EXIT_NOINPUT, "no .pyshim.json %s '%s'",
            arg ? "in" : "at or above", p.buf);
    err_hint(e, "run `pyshim init` to make one");
out:
    sb_release(&p);
    return ret;
}

/* Say what trusting the venv v means: the interpreter it runs (and where
 * its standard library comes from), and the start-up code it carries. */
static void show_venv(const struct venv *v, const char *program)
{
    struct sv code = SV_INIT;
    char *first = vtrust_startup_code(v, HOOK_FILE, &code);
    size_t i;

    printf("pyshim: trusting the venv %s:\n", v->dir);
    printf("pyshim:   runs %s\n", program);
    if (v->home)
        printf("pyshim:   base interpreter (pyvenv.cfg home) %s\n", v->home);
    for (i = 0; i < code.nr; i++)
        printf("pyshim:   start-up code %s\n", code.v[i]);
    free(first);
    sv_release(&code);
}

/* The project's venv: recorded as trusted (config/trust.h), after saying
 * what that trusts; its python, when it is a program inside the tree
 * (launcher/vtrust.h: vtrust_program, the resolver's rule), is trusted
 * along with it. On Windows, the base interpreter the venv runs. */
static int trust_venv_program(const struct dirs *d, const struct cfg *c,
                              struct err *e)
{
    struct sb venv = SB_INIT, real = SB_INIT;
    struct venv v = VENV_INIT;
    int ret = 0, in_tree;

    if (c->venv)
        sb_set(&venv, c->venv);
    else
        path_join(&venv, c->dir, ".venv");
    if (!venv_is_venv(venv.buf) || venv_load(&v, venv.buf, NULL) < 0)
        goto out;
    in_tree = vtrust_program(&v, c->dir, &real);
    if (in_tree < 0)
        goto out;
    show_venv(&v, real.buf);
    /* what runs is the base pyvenv.cfg's home names, wherever it is
     * (launcher/resolve.c: shipped_program); elsewhere a program inside
     * the tree */
    if (v.base || in_tree) {
        ret = trust_add_program(d->data, real.buf, e);
        if (!ret)
            printf("pyshim: trusted the program %s\n", real.buf);
    }
    if (!ret)
        ret = trust_add_venv(d->data, v.dir, e);
    if (!ret)
        printf("pyshim: trusted the venv %s\n", v.dir);
out:
    venv_release(&v);
    sb_release(&venv);
    sb_release(&real);
    return ret;
}

/* `pyshim trust DIR` where DIR has a .venv but no .pyshim.json. */
static int venv_dir_only(const struct dirs *d, const char *dir, struct err *e)
{
    struct cfg c = CFG_INIT;
    int ret;

    c.dir = xstrdup(dir);
    err_release(e);
    ret = trust_venv_program(d, &c, e) == 0;
    if (ret && !e->msg)
        printf("pyshim: %s has no .pyshim.json; nothing else to trust\n", dir);
    cfg_release(&c);
    return ret;
}

/* pyshim trust --for USER [DIR]: root grants DIR's project to USER in
 * the system config (config/sitecfg.h, docs/site.md). */
static int grant(const char *user, const char *arg, struct err *e)
{
    struct sb dir = SB_INIT;
    struct plat_stat st;
    const char *file = sitecfg_path();
    int ret = -1;

    if (plat_uid() != 0) {
        err_set(
            e, PYSHIM_EXIT_NOPERM,
            "`pyshim trust --for` changes the system config: it must run as root");
        err_hint(e, "ask the administrator (sudo pyshim trust --for %s DIR)",
                 user);
        goto out;
    }
    if (!file) {
        err_set(e, PYSHIM_EXIT_CONFIG, "there is no system config here");
        err_hint(e, "set PYSHIM_SYSTEM_CONFIG to the file to use");
        goto out;
    }
    if (plat_realpath(arg ? arg : ".", &dir) < 0 ||
        plat_stat(dir.buf, &st, 1) < 0 || !st.is_dir) {
        err_set(e, PYSHIM_EXIT_NOINPUT, "'%s' is not a directory",
                arg ? arg : ".");
        err_hint(e, "name the project's directory");
        goto out;
    }
    if (sitecfg_grant(file, dir.buf, user, e) < 0)
        goto out;
    printf("pyshim: %s may run the project in %s as its owner set it up (%s)\n",
           user, dir.buf, file);
    if (st.perm & 0022)
        printf(
            "pyshim: warning: %s is writable by others than its owner: the grant is ignored until its owner runs chmod go-w on it\n",
            dir.buf);
    ret = 0;
out:
    sb_release(&dir);
    return ret;
}

static int run(int argc, char **argv, int add)
{
    struct dirs d = DIRS_INIT;
    struct err e = ERR_INIT;
    struct sb file = SB_INIT, text = SB_INIT;
    struct cfg c = CFG_INIT;
    const char *arg = NULL, *for_user = NULL;
    int code = PYSHIM_EXIT_OK, n = 0;

    struct opt trust_opts[] = {OPT_STRING(0, "for", &for_user), OPT_END()};
    struct opt untrust_opts[] = {OPT_END()};
    struct opt_cmd oc = OPT_CMD(add ? usage_trust : usage_untrust,
                                add ? trust_opts : untrust_opts, &arg, 1);

    if (opt_parse_cmd(&oc, argc, argv, &code))
        return code;
    if (for_user) {
        if (grant(for_user, arg, &e) < 0)
            goto fail;
        goto out;
    }
    if (dirs_init(&d, &e) < 0)
        goto fail;
    if (cli_find_config(arg, &file, &e) < 0) {
        /* no config: a zero-config project's own venv program */
        struct sb dir = SB_INIT;
        int ok = add && arg && plat_is_dir(arg) && !plat_realpath(arg, &dir) &&
                 venv_dir_only(&d, dir.buf, &e);

        sb_release(&dir);
        if (ok)
            goto out;
        goto fail;
    }
    if (add) {
        char *why;

        /* Parse first: trusting a broken file helps no one. What is
         * trusted is the very bytes parsed (one read). */
        if (cfg_load_text(&c, file.buf, d.home, &text, &e) < 0 ||
            trust_add_text(d.data, file.buf, text.buf, text.len, &e) < 0)
            goto fail;
        why = trust_needed(&c);
        if (trust_venv_program(&d, &c, &e) < 0)
            goto fail;
        printf("pyshim: trusted %s", file.buf);
        if (why)
            printf(" (%s)", why);
        printf("\n");
        free(why);
    } else {
        if (trust_remove(d.data, file.buf, &n, &e) < 0)
            goto fail;
        printf("pyshim: %s: %d trust record%s removed\n", file.buf, n,
               n == 1 ? "" : "s");
    }
    goto out;
fail:
    code = cli_report(&e);
out:
    cfg_release(&c);
    dirs_release(&d);
    err_release(&e);
    sb_release(&file);
    sb_release(&text);
    return code;
}

int cli_trust(int argc, char **argv)
{
    return run(argc, argv, 1);
}

int cli_untrust(int argc, char **argv)
{
    return run(argc, argv, 0);
}
