/*
 * pyshim install: put the binary and its python/pip links into a bin dir.
 *
 * The binary is copied (atomically) to BIN/pyshim so the install does not
 * depend on the build tree; every other name is a relative symlink to it.
 * Running it again changes nothing; a file of the same name that is not
 * pyshim's is never replaced.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "common/sv.h"
#include "config/dirs.h"
#include "installer/cli.h"
#include "launcher/interp.h"
#include "common/banned.h"

static const char usage[] =
    "usage: pyshim install [--bin-dir DIR]\n"
    "\n"
    "Copy pyshim into DIR (default: the bin dir under pyshim's data dir,\n"
    "~/.local/share/pyshim/bin or $PYSHIM_HOME/bin) and create the links\n"
    "python, python3, pip, pip3 and python3.N, pip3.N for every installed\n"
    "Python 3.N. Put DIR first on PATH to use them. Safe to repeat: what is\n"
    "already right is left alone, and a file pyshim did not make is never\n"
    "replaced.\n"
    "\n"
    "  --bin-dir DIR  where the links go\n";

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
    struct interp_env env;
    struct interp_list l = INTERP_LIST_INIT;
    struct sb self = SB_INIT, root = SB_INIT;
    struct plat_stat st;
    const char *pr = plat_getenv("PYENV_ROOT"), *home = plat_home();
    size_t i;

    memset(&env, 0, sizeof(env));
    if (!plat_self_exe(&self) && !plat_stat(self.buf, &st, 1)) {
        env.self_dev = st.dev;
        env.self_ino = st.ino;
    }
    env.path = plat_getenv("PATH");
    if (pr && *pr)
        sb_addstr(&root, pr);
    else if (home)
        sb_addf(&root, "%s/.pyenv", home);
    env.pyenv_root = root.len ? root.buf : NULL;
    interp_discover(&l, &env, NULL);
    for (i = 0; i < l.nr; i++) {
        char name[32];

        if (l.v[i].ver.major != 3 || l.v[i].ver.minor < 0)
            continue;
        snprintf(name, sizeof(name), "3.%d", l.v[i].ver.minor);
        if (sv_find(out, name) < 0)
            sv_push(out, name);
    }
    interp_list_release(&l);
    sb_release(&self);
    sb_release(&root);
}

int inst_install(int argc, char **argv)
{
    struct dirs d = DIRS_INIT;
    struct err e = ERR_INIT;
    struct sb bin = SB_INIT, self = SB_INIT, selfpath = SB_INIT;
    struct sv names = SV_INIT, vers = SV_INIT;
    const char *bin_arg = NULL;
    int i, made = 0, code = PYSHIM_EXIT_OK;
    size_t k;

    for (i = 1; i < argc; i++) {
        if (inst_is_help(argv[i])) {
            fputs(usage, stdout);
            return PYSHIM_EXIT_OK;
        } else if (!strcmp(argv[i], "--bin-dir") && i + 1 < argc) {
            bin_arg = argv[++i];
        } else {
            fprintf(stderr, "pyshim: error: unexpected argument '%s'\n",
                    argv[i]);
            fputs(usage, stderr);
            return PYSHIM_EXIT_USAGE;
        }
    }
    if (dirs_init(&d, &e) < 0)
        goto fail;
    if (bin_arg) {
        if (path_absolute(&bin, bin_arg, NULL, d.home, &e) < 0)
            goto fail;
    } else {
        path_join(&bin, d.data, "bin");
    }
    if (plat_self_exe(&selfpath) < 0 ||
        plat_read_file(selfpath.buf, 256u << 20, &self) < 0) {
        err_set(&e, PYSHIM_EXIT_OSERR, "cannot read pyshim's own binary: %s",
                plat_strerror(errno));
        goto fail;
    }
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
    {
        const char *path = plat_getenv("PATH");
        size_t n = bin.len;

        if (!path || strncmp(path, bin.buf, n) ||
            (path[n] != ':' && path[n] != '\0'))
            printf("pyshim: put it first on PATH: export PATH=\"%s:$PATH\"\n",
                   bin.buf);
    }
    goto out;
fail:
    code = inst_report(&e);
out:
    dirs_release(&d);
    err_release(&e);
    sb_release(&bin);
    sb_release(&self);
    sb_release(&selfpath);
    sv_release(&names);
    sv_release(&vers);
    return code;
}
