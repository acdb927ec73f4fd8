/*
 * pyshim install / uninstall.
 *
 * install: copy the binary to BIN/pyshim (atomically, so the install does
 * not depend on the build tree), link every python/pip name to it, put
 * BIN first on PATH through a marked block in the shell start-up files,
 * and create the default environment used outside any project. Running it
 * again changes nothing. uninstall undoes each step exactly.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/fs.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "common/sv.h"
#include "config/dirs.h"
#include "installer/cli.h"
#include "installer/rcfile.h"
#include "launcher/interp.h"
#include "launcher/resolve.h"
#include "launcher/venv.h"
#include "common/banned.h"

static const char usage_install[] =
    "usage: pyshim install [--bin-dir DIR] [--shell bash|zsh|fish|all]\n"
    "                      [--no-shell] [--no-default-env]\n"
    "\n"
    "Copy pyshim into DIR (default: DATA/bin, i.e. ~/.local/share/pyshim/bin\n"
    "or $PYSHIM_HOME/bin) and link python, python3, pip, pip3 and python3.N,\n"
    "pip3.N for every installed Python 3.N to it. Then:\n"
    "  - add a marked block (# >>> pyshim >>> ... # <<< pyshim <<<) that puts\n"
    "    DIR first on PATH to the start-up file of your shell ($SHELL; or\n"
    "    --shell): ~/.bashrc, ~/.zshrc, or ~/.config/fish/conf.d/pyshim.fish;\n"
    "  - create the default environment DATA/default, used outside any\n"
    "    project, so `pip install x` there works instead of failing with\n"
    "    externally-managed-environment, and name it in the global config\n"
    "    (when there is no global config yet).\n"
    "Safe to repeat: what is already right is left alone, and a file pyshim\n"
    "did not make is never replaced.\n"
    "\n"
    "  --bin-dir DIR     where the links go\n"
    "  --shell NAME      which start-up files to edit (default: from $SHELL)\n"
    "  --no-shell        edit no start-up file\n"
    "  --no-default-env  do not create the default environment\n";

static const char usage_uninstall[] =
    "usage: pyshim uninstall [--bin-dir DIR] [--purge]\n"
    "\n"
    "Remove the links and the binary from DIR (default: DATA/bin) and the\n"
    "marked block from every shell start-up file, giving each file back\n"
    "byte for byte as it was. --purge also deletes pyshim's data dir\n"
    "(shared envs, overlays, the default env, trust records) and cache, and\n"
    "the global config if it is still the one install wrote.\n";

/* Is path pyshim's: a link to "pyshim", or a copy of this binary? */
static int is_ours(const char *path, const struct sb *self_bytes)
{
    struct plat_stat st;
    struct sb s = SB_INIT;
    int ret = 0;

    if (plat_stat(path, &st, 0) < 0)
        return 0;
    if (st.is_lnk) {
        if (!plat_readlink(path, &s))
            ret = !strcmp(path_basename(s.buf), "pyshim");
    } else if (st.is_reg && st.size == self_bytes->len &&
               !plat_read_file(path, self_bytes->len, &s)) {
        ret = !memcmp(s.buf, self_bytes->buf, s.len);
    }
    sb_release(&s);
    return ret;
}

static int link_one(const char *bin, const char *name, const struct sb *self,
                    int *made, struct err *e)
{
    struct sb path = SB_INIT, target = SB_INIT;
    struct plat_stat st;
    int ret = -1;

    path_join(&path, bin, name);
    if (!plat_stat(path.buf, &st, 0)) {
        if (st.is_lnk && !plat_readlink(path.buf, &target) &&
            !strcmp(target.buf, "pyshim")) {
            ret = 0; /* already right */
            goto out;
        }
        if (!is_ours(path.buf, self)) {
            err_set(e, PYSHIM_EXIT_CANTCREAT, "'%s' exists and is not pyshim's",
                    path.buf);
            err_hint(e, "move it away, or install with --bin-dir elsewhere");
            goto out;
        }
        if (plat_unlink(path.buf) < 0)
            goto fail;
    }
    if (plat_symlink("pyshim", path.buf) < 0)
        goto fail;
    (*made)++;
    ret = 0;
    goto out;
fail:
    err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot create '%s': %s", path.buf,
            plat_strerror(errno));
out:
    sb_release(&path);
    sb_release(&target);
    return ret;
}

static int copy_self(const char *bin, const struct sb *self, int *made,
                     struct err *e)
{
    struct sb dst = SB_INIT, old = SB_INIT;
    int ret = 0;

    path_join(&dst, bin, "pyshim");
    if (!plat_read_file(dst.buf, 256u << 20, &old) && old.len == self->len &&
        !memcmp(old.buf, self->buf, old.len))
        goto out;
    if (plat_write_atomic(dst.buf, self->buf, self->len, 0755) < 0) {
        ret = err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot write '%s': %s",
                      dst.buf, plat_strerror(errno));
        goto out;
    }
    (*made)++;
out:
    sb_release(&dst);
    sb_release(&old);
    return ret;
}

/* Every Python 3 minor version installed, e.g. {"3.8", ..., "3.13"}. */
static void minors(struct sv *out)
{
    struct interp_list l = INTERP_LIST_INIT;
    size_t i;

    if (resolve_discover(&l, NULL) < 0)
        return;
    for (i = 0; i < l.nr; i++) {
        char name[32];

        if (l.v[i].ver.major != 3 || l.v[i].ver.minor < 0)
            continue;
        snprintf(name, sizeof(name), "3.%d", l.v[i].ver.minor);
        if (sv_find(out, name) < 0)
            sv_push(out, name);
    }
    interp_list_release(&l);
}

/* The rc files of a shell: bash, zsh, fish. */
static void rc_path(const struct dirs *d, const char *shell, struct sb *out)
{
    const char *zd = plat_getenv("ZDOTDIR");
    const char *xc = plat_getenv("XDG_CONFIG_HOME");

    sb_reset(out);
    if (!strcmp(shell, "bash"))
        sb_addf(out, "%s/.bashrc", d->home);
    else if (!strcmp(shell, "zsh"))
        sb_addf(out, "%s/.zshrc", zd && *zd ? zd : d->home);
    else if (xc && path_is_abs(xc))
        sb_addf(out, "%s/fish/conf.d/pyshim.fish", xc);
    else
        sb_addf(out, "%s/.config/fish/conf.d/pyshim.fish", d->home);
}

/* s in single quotes for sh (fish: backslash escapes inside quotes). */
static void add_quoted(struct sb *out, const char *s, int fish)
{
    sb_addch(out, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            sb_addstr(out, fish ? "\\'" : "'\\''");
        else if (*s == '\\' && fish)
            sb_addstr(out, "\\\\");
        else
            sb_addch(out, *s);
    }
    sb_addch(out, '\'');
}

static int edit_shells(const struct dirs *d, const char *which, const char *bin,
                       struct err *e)
{
    static const char *const all[] = {"bash", "zsh", "fish", NULL};
    struct sb rc = SB_INIT, body = SB_INIT;
    int i, changed, ret = 0;

    for (i = 0; all[i] && !ret; i++) {
        int fish = !strcmp(all[i], "fish");

        if (strcmp(which, "all") && strcmp(which, all[i]))
            continue;
        rc_path(d, all[i], &rc);
        sb_reset(&body);
        sb_addstr(&body, "# Added by `pyshim install`; `pyshim uninstall` "
                         "removes this block.\n");
        if (fish) {
            sb_addstr(&body, "set -gx PATH ");
            add_quoted(&body, bin, 1);
            sb_addstr(&body, " $PATH\n");
        } else {
            sb_addstr(&body, "export PATH=");
            add_quoted(&body, bin, 0);
            sb_addstr(&body, ":\"$PATH\"\n");
        }
        ret = rc_edit(rc.buf, body.buf, &changed, e);
        if (!ret)
            printf("pyshim: %s %s\n", rc.buf,
                   changed ? "now puts it first on PATH" : "is up to date");
    }
    sb_release(&rc);
    sb_release(&body);
    return ret;
}

/* The global config install writes when there is none: exactly these
 * bytes, so uninstall --purge can tell it from one the user wrote. */
static void default_config(const struct dirs *d, struct sb *out)
{
    struct sb env = SB_INIT;

    path_join(&env, d->data, "default");
    sb_reset(out);
    sb_addstr(out, "{\n  \"venv\": ");
    sb_addjson(out, env.buf);
    sb_addstr(out, "\n}\n");
    sb_release(&env);
}

static int default_env(const struct dirs *d, struct err *e)
{
    struct sb env = SB_INIT, py = SB_INIT, cfg = SB_INIT;
    struct sv argv = SV_INIT;
    struct pyver ver;
    int status = 0, ret = -1;

    path_join(&env, d->data, "default");
    if (!venv_is_venv(env.buf) || venv_is_incomplete(env.buf)) {
        if (resolve_interpreter(NULL, &py, &ver, e) < 0 ||
            venv_begin(env.buf, e) < 0)
            goto out;
        sv_push(&argv, py.buf);
        sv_push(&argv, "-m");
        sv_push(&argv, "venv");
        sv_push(&argv, env.buf);
        if (plat_run(py.buf, argv.v, NULL, 1, &status) < 0 || status) {
            err_set(e, PYSHIM_EXIT_CANTCREAT,
                    "`%s -m venv %s` failed (status %d)", py.buf, env.buf,
                    status);
            err_hint(e, "on Debian, `apt-get install python3-venv`; or "
                        "install with --no-default-env");
            goto out;
        }
        venv_done(env.buf);
        printf("pyshim: created the default environment %s (%s)\n", env.buf,
               py.buf);
    }
    if (plat_is_file(d->config_file)) {
        printf("pyshim: kept your global config %s; to use the default "
               "environment outside projects, set \"venv\": \"%s\" in it\n",
               d->config_file, env.buf);
    } else {
        default_config(d, &cfg);
        if (fs_write_file(d->config_file, cfg.buf, cfg.len, 0644, 0755, e) < 0)
            goto out;
        printf("pyshim: wrote %s: outside projects, python and pip use %s\n",
               d->config_file, env.buf);
    }
    ret = 0;
out:
    sb_release(&env);
    sb_release(&py);
    sb_release(&cfg);
    sv_release(&argv);
    return ret;
}

/* The running binary's bytes: what install copies and what marks a file
 * in the bin dir as pyshim's. */
static int read_self(struct sb *self, struct err *e)
{
    struct sb path = SB_INIT;
    int ret = 0;

    if (plat_self_exe(&path) < 0 ||
        plat_read_file(path.buf, 256u << 20, self) < 0)
        ret =
            err_set(e, PYSHIM_EXIT_OSERR, "cannot read pyshim's own binary: %s",
                    plat_strerror(errno));
    sb_release(&path);
    return ret;
}

static const char *default_shell(void)
{
    const char *sh = plat_getenv("SHELL");
    const char *b = sh ? path_basename(sh) : "";

    if (!strcmp(b, "zsh") || !strcmp(b, "fish"))
        return b;
    return "bash";
}

int inst_install(int argc, char **argv)
{
    struct dirs d = DIRS_INIT;
    struct err e = ERR_INIT;
    struct sb bin = SB_INIT, self = SB_INIT;
    struct sv names = SV_INIT, vers = SV_INIT;
    const char *bin_arg = NULL, *shell = NULL;
    int i, made = 0, code = PYSHIM_EXIT_OK, no_shell = 0, no_env = 0;
    size_t k;

    for (i = 1; i < argc; i++) {
        if (inst_is_help(argv[i])) {
            fputs(usage_install, stdout);
            return PYSHIM_EXIT_OK;
        } else if (!strcmp(argv[i], "--bin-dir") && i + 1 < argc) {
            bin_arg = argv[++i];
        } else if (!strcmp(argv[i], "--shell") && i + 1 < argc) {
            shell = argv[++i];
            if (strcmp(shell, "bash") && strcmp(shell, "zsh") &&
                strcmp(shell, "fish") && strcmp(shell, "all"))
                return inst_usage_error(shell, usage_install);
        } else if (!strcmp(argv[i], "--no-shell")) {
            no_shell = 1;
        } else if (!strcmp(argv[i], "--no-default-env")) {
            no_env = 1;
        } else {
            return inst_usage_error(argv[i], usage_install);
        }
    }
    if (dirs_init(&d, &e) < 0 || inst_bin_dir(&d, bin_arg, &bin, &e) < 0)
        goto fail;
    if (read_self(&self, &e) < 0)
        goto fail;
    if (plat_mkdirs(bin.buf, 0755) < 0) {
        err_set(&e, PYSHIM_EXIT_CANTCREAT, "cannot create '%s': %s", bin.buf,
                plat_strerror(errno));
        goto fail;
    }
    if (copy_self(bin.buf, &self, &made, &e) < 0)
        goto fail;
    sv_push(&names, "python");
    sv_push(&names, "python3");
    sv_push(&names, "pip");
    sv_push(&names, "pip3");
    minors(&vers);
    for (k = 0; k < vers.nr; k++) {
        sv_pushf(&names, "python%s", vers.v[k]);
        sv_pushf(&names, "pip%s", vers.v[k]);
    }
    for (k = 0; k < names.nr; k++)
        if (link_one(bin.buf, names.v[k], &self, &made, &e) < 0)
            goto fail;
    if (made)
        printf("pyshim: installed into %s (%d file%s created or updated)\n",
               bin.buf, made, made == 1 ? "" : "s");
    else
        printf("pyshim: %s is up to date\n", bin.buf);
    if (!no_shell &&
        (!d.home ||
         edit_shells(&d, shell ? shell : default_shell(), bin.buf, &e) < 0))
        goto fail;
    if (!no_env && default_env(&d, &e) < 0)
        goto fail;
    if (no_shell) {
        const char *path = plat_getenv("PATH");
        size_t n = bin.len;

        if (!path || strncmp(path, bin.buf, n) ||
            (path[n] != ':' && path[n] != '\0'))
            printf("pyshim: put it first on PATH: export PATH=\"%s:$PATH\"\n",
                   bin.buf);
    } else {
        printf("pyshim: open a new shell (or `export PATH=\"%s:$PATH\"`) to "
               "use it\n",
               bin.buf);
    }
    goto out;
fail:
    if (!e.msg)
        err_set(&e, PYSHIM_EXIT_OSERR, "no home directory is known");
    code = inst_report(&e);
out:
    dirs_release(&d);
    err_release(&e);
    sb_release(&bin);
    sb_release(&self);
    sv_release(&names);
    sv_release(&vers);
    return code;
}

int inst_uninstall(int argc, char **argv)
{
    static const char *const shells[] = {"bash", "zsh", "fish", NULL};
    struct dirs d = DIRS_INIT;
    struct err e = ERR_INIT;
    struct sb bin = SB_INIT, self = SB_INIT, p = SB_INIT;
    struct plat_dir *dir;
    const char *bin_arg = NULL, *name;
    int i, purge = 0, code = PYSHIM_EXIT_OK, removed = 0, changed;

    for (i = 1; i < argc; i++) {
        if (inst_is_help(argv[i])) {
            fputs(usage_uninstall, stdout);
            return PYSHIM_EXIT_OK;
        } else if (!strcmp(argv[i], "--bin-dir") && i + 1 < argc) {
            bin_arg = argv[++i];
        } else if (!strcmp(argv[i], "--purge")) {
            purge = 1;
        } else {
            return inst_usage_error(argv[i], usage_uninstall);
        }
    }
    if (dirs_init(&d, &e) < 0 || inst_bin_dir(&d, bin_arg, &bin, &e) < 0)
        goto fail;
    if (read_self(&self, &e) < 0)
        goto fail;
    dir = plat_opendir(bin.buf);
    while (dir && (name = plat_readdir(dir))) {
        path_join(&p, bin.buf, name);
        if (strcmp(name, "pyshim") && is_ours(p.buf, &self) &&
            !plat_unlink(p.buf))
            removed++;
    }
    plat_closedir(dir);
    path_join(&p, bin.buf, "pyshim");
    if (plat_is_file(p.buf) && !plat_unlink(p.buf))
        removed++;
    plat_rmdir(bin.buf); /* only if now empty */
    printf("pyshim: removed %d file%s from %s\n", removed,
           removed == 1 ? "" : "s", bin.buf);
    for (i = 0; d.home && shells[i]; i++) {
        rc_path(&d, shells[i], &p);
        if (!plat_is_file(p.buf))
            continue;
        if (rc_edit(p.buf, NULL, &changed, &e) < 0)
            goto fail;
        if (changed)
            printf("pyshim: restored %s\n", p.buf);
        /* the fish file is pyshim's own: remove it when only it is left */
        if (!strcmp(shells[i], "fish")) {
            struct sb left = SB_INIT;

            if (!plat_read_file(p.buf, 1 << 20, &left) && !left.len)
                plat_unlink(p.buf);
            sb_release(&left);
        }
    }
    if (purge) {
        if (plat_rmtree(d.data) < 0 || plat_rmtree(d.cache) < 0) {
            err_set(&e, PYSHIM_EXIT_CANTCREAT, "cannot remove '%s': %s", d.data,
                    plat_strerror(errno));
            goto fail;
        }
        printf("pyshim: removed %s and %s\n", d.data, d.cache);
        /* the global config goes too, if it is still the one install
         * wrote: it names the default env just removed */
        default_config(&d, &p);
        {
            struct sb have = SB_INIT;

            if (!plat_read_file(d.config_file, 1 << 20, &have) &&
                have.len == p.len && !memcmp(have.buf, p.buf, p.len) &&
                !plat_unlink(d.config_file))
                printf("pyshim: removed %s (written by install)\n",
                       d.config_file);
            sb_release(&have);
        }
    }
    goto out;
fail:
    code = inst_report(&e);
out:
    dirs_release(&d);
    err_release(&e);
    sb_release(&bin);
    sb_release(&self);
    sb_release(&p);
    return code;
}
