#include "config/dirs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "common/xalloc.h"
#include "common/banned.h"

/* $var/leaf when var holds an absolute path (relative XDG values are
 * ignored, as the XDG spec says), else base/def. */
static char *xdg(const char *v, const char *leaf, const char *base,
                 const char *def)
{
    struct sb sb = SB_INIT;

    if (v && path_is_abs(v))
        path_join(&sb, v, leaf);
    else
        path_join(&sb, base, def);
    path_normalize(&sb);
    return sb_detach(&sb, NULL);
}

/* Owned by this user (or root: the system's own, which can do anything
 * anyway). */
static int mine(const struct plat_stat *st)
{
    return st->uid == plat_uid() || st->uid == 0;
}

/* Writable by someone else: by every user, or by a group that is not
 * the user's own private group (umask 002 systems make 0775 dirs). */
static int others_write(const struct plat_stat *st)
{
    return (st->perm & 0002) ||
           ((st->perm & 0020) && !plat_group_is_private(st->gid));
}

/* Refuse pyshim's own directory dir (named what, for the message): the
 * facts cache names the libpython that is loaded, the data dir holds the
 * trust records, the environments and the global config. As ssh does for
 * ~/.ssh: dir itself, when it exists, must be the user's and writable by
 * no one else; every directory above it (its real path) must be the
 * user's or root's and writable by no one else unless sticky (/tmp), so
 * nobody could have put it there or could swap it. A dir that does not
 * exist yet is judged by its existing parents (pyshim makes it 0700/0755).
 * checked (may be NULL) is a real path judged so in this run, itself and
 * every directory above it: the walk up stops there (the cache dir inside
 * PYSHIM_HOME does not judge PYSHIM_HOME's parents twice). judged (may be
 * NULL) gets the real path this call judged with all its parents, or is
 * left empty when it could not judge. */
/* pyshim's own directory dir (st): the user's, closed to others. */
static int judge_self(const char *dir, const char *what, const char *fix,
                      const struct plat_stat *st, struct err *e)
{
    if (!mine(st)) {
        err_set(
            e, PYSHIM_EXIT_NOPERM,
            "refusing to use %s '%s': it belongs to another user (uid %llu), who could plant files there that pyshim loads and runs",
            what, dir, (unsigned long long)st->uid);
        return err_hint(e, "have its owner remove it, or %s", fix);
    }
    if (others_write(st)) {
        err_set(
            e, PYSHIM_EXIT_NOPERM,
            "refusing to use %s '%s': other users can write to it (mode %04o), and could plant files there that pyshim loads and runs",
            what, dir, st->perm);
        return err_hint(
            e,
            "run `chmod go-w '%s'`, as ssh and gpg ask of their own directories",
            dir);
    }
    return 0;
}

/* A directory above dir (up, with st): the user's or root's, and closed
 * to others unless sticky (/tmp). */
static int judge_above(const char *dir, const char *what, const char *fix,
                       const char *up, const struct plat_stat *st,
                       struct err *e)
{
    if (!mine(st)) {
        err_set(
            e, PYSHIM_EXIT_NOPERM,
            "refusing to use %s '%s': '%s' above it belongs to another user (uid %llu), who could replace it",
            what, dir, up, (unsigned long long)st->uid);
        return err_hint(e, "%s", fix);
    }
    if (others_write(st) && !(st->perm & 01000)) {
        err_set(
            e, PYSHIM_EXIT_NOPERM,
            "refusing to use %s '%s': other users can write to '%s' above it (mode %04o), and could replace it",
            what, dir, up, st->perm);
        return err_hint(e, "run `chmod go-w '%s'`, or %s", up, fix);
    }
    return 0;
}

/* path is absolute and plain: no "//", "." or ".." part, no trailing
 * "/". */
static int is_plain(const char *path)
{
    const char *s;

    if (path[0] != '/')
        return 0;
    for (s = path; *s; s++)
        if (*s == '/' &&
            (s[1] == '/' || (!s[1] && s != path) ||
             (s[1] == '.' && (!s[2] || s[2] == '/' ||
                              (s[2] == '.' && (!s[3] || s[3] == '/'))))))
            return 0;
    return 1;
}

static int judge_spelled(const char *dir, const char *what, const char *fix,
                         const char *path, int depth, struct err *e);

/* The link lnk (st, its lstat) in the path of dir as spelled: the user's
 * or root's, in a directory no one else can write unless sticky, and so
 * every link its target is spelled through (a link of the user's to
 * another user's link). The real path is judged once, and a link another
 * user owns (a PYSHIM_HOME in /tmp pointing at the user's own dir) could
 * be pointed elsewhere right after (fs.protected_symlinks is not always
 * on). */
static int judge_link(const char *dir, const char *what, const char *fix,
                      const char *lnk, const struct plat_stat *st, int depth,
                      struct err *e)
{
    struct sb up = SB_INIT, to = SB_INIT;
    struct plat_stat pst;
    int ret = -1;

    if (!mine(st)) {
        err_set(
            e, PYSHIM_EXIT_NOPERM,
            "refusing to use %s '%s': '%s' in its path is a link of another user (uid %llu), who could point it elsewhere",
            what, dir, lnk, (unsigned long long)st->uid);
        err_hint(e, "%s", fix);
        goto out;
    }
    sb_set(&up, lnk);
    path_dirname(&up);
    if (!plat_stat_meta(up.buf, &pst, 1) && others_write(&pst) &&
        !(pst.perm & 01000)) {
        err_set(
            e, PYSHIM_EXIT_NOPERM,
            "refusing to use %s '%s': other users can write to '%s', which holds the link '%s' in its path, and could replace it",
            what, dir, up.buf, lnk);
        err_hint(e, "run `chmod go-w '%s'`, or %s", up.buf, fix);
        goto out;
    }
    if (!plat_readlink(lnk, &to)) {
        if (to.buf[0] != '/') {
            path_join(&up, up.buf, to.buf);
            sb_set(&to, up.buf);
        }
        path_normalize(&to);
        if (judge_spelled(dir, what, fix, to.buf, depth + 1, e) < 0)
            goto out;
    }
    ret = 0;
out:
    sb_release(&up);
    sb_release(&to);
    return ret;
}

/* POSIX: one walk up path as spelled (it and every directory above it),
 * each link met judged (judge_link). 1 when path is plain (is_plain) and
 * holds no link: then it is its own real path, and the lstats are the
 * ones the walk up needs anyway (the decision's memo answers its stats
 * from them), so the usual home without links costs no realpath; 0 when
 * it must be asked; -1 with e when a link is refused. */
static int judge_spelled(const char *dir, const char *what, const char *fix,
                         const char *path, int depth, struct err *e)
{
    struct sb up = SB_INIT, prev = SB_INIT;
    struct plat_stat st;
    int own;

    if (PLAT_WINDOWS || depth > 40) /* a loop: using the dir will say so */
        return 0;
    own = is_plain(path);
    sb_addstr(&up, path);
    for (;;) {
        if (plat_stat_meta(up.buf, &st, 0) < 0) {
            own = 0;
        } else if (st.is_lnk) {
            own = 0;
            if (judge_link(dir, what, fix, up.buf, &st, depth, e) < 0) {
                own = -1;
                break;
            }
        }
        if (path_is_root(up.buf))
            break;
        sb_set(&prev, up.buf);
        path_dirname(&up);
        if (!strcmp(up.buf, prev.buf))
            break;
    }
    sb_release(&up);
    sb_release(&prev);
    return own;
}

static int check_dir(const char *dir, const char *what, int is_home,
                     const char *checked, struct sb *judged, struct err *e)
{
    struct sb p = SB_INIT, real = SB_INIT, prev = SB_INIT;
    struct plat_stat st;
    const char *fix =
        is_home
            ? "set PYSHIM_HOME to a directory of your own"
            : "set PYSHIM_HOME to a directory of your own, or fix the XDG_* variable that points there";
    int ret = -1, self = 1, own;

    sb_addstr(&p, dir);
    /* the nearest part of dir that exists (the name first: one call for
     * a dir that is no link) */
    while ((plat_stat_meta(p.buf, &st, 0) < 0 && errno != ENOENT &&
            errno != ENOTDIR) ||
           plat_stat_meta(p.buf, &st, 1) < 0) {
        if ((errno != ENOENT && errno != ENOTDIR) || path_is_root(p.buf)) {
            ret = 0; /* cannot be judged here; using it will say why */
            goto out;
        }
        sb_set(&prev, p.buf);
        path_dirname(&p);
        if (!strcmp(p.buf, prev.buf)) {
            ret = 0;
            goto out;
        }
        self = 0;
    }
    if (self && st.is_dir && judge_self(dir, what, fix, &st, e) < 0)
        goto out;
    own = judge_spelled(dir, what, fix, p.buf, 0, e);
    if (own < 0)
        goto out;
    if (own) {
        sb_set(&real, p.buf);
    } else if (plat_realpath(p.buf, &real) < 0) {
        ret = 0;
        goto out;
    }
    /* dir itself was judged above only when it is a directory */
    if (judged && (!self || st.is_dir))
        sb_set(judged, real.buf);
    if (self)
        path_dirname(&real);
    if (judged && self && !st.is_dir)
        sb_set(judged, real.buf);
    for (;;) {
        if (checked && path_equal(real.buf, checked))
            break;
        if (!plat_stat_meta(real.buf, &st, 1) &&
            judge_above(dir, what, fix, real.buf, &st, e) < 0)
            goto out;
        if (path_is_root(real.buf))
            break;
        sb_set(&prev, real.buf);
        path_dirname(&real);
        if (!strcmp(real.buf, prev.buf))
            break;
    }
    ret = 0;
out:
    if (judged && ret < 0)
        sb_reset(judged);
    sb_release(&p);
    sb_release(&real);
    sb_release(&prev);
    return ret;
}

static int check_all(const struct dirs *d, int home, struct err *e)
{
    struct sb cfgdir = SB_INIT, data = SB_INIT;
    int ret = -1;

    if (check_dir(d->data, home ? "PYSHIM_HOME" : "the data directory", home,
                  NULL, &data, e) < 0 ||
        check_dir(d->cache, "the cache directory", home,
                  data.len ? data.buf : NULL, NULL, e) < 0)
        goto out;
    sb_addstr(&cfgdir, d->config_file);
    path_dirname(&cfgdir);
    if (!path_equal(cfgdir.buf, d->data) &&
        check_dir(cfgdir.buf, "the config directory", home, NULL, NULL, e) < 0)
        goto out;
    ret = 0;
out:
    sb_release(&cfgdir);
    sb_release(&data);
    return ret;
}

int dirs_check(const struct dirs *d, struct err *e)
{
    const char *ph = plat_getenv("PYSHIM_HOME");

    return check_all(d, ph && *ph, e);
}

void dirs_env_read(struct dirs_env *v)
{
    v->pyshim_home = plat_getenv("PYSHIM_HOME");
    v->home = plat_home();
    v->xdg_data_home = plat_getenv("XDG_DATA_HOME");
    v->xdg_cache_home = plat_getenv("XDG_CACHE_HOME");
    v->xdg_config_home = plat_getenv("XDG_CONFIG_HOME");
    /* only Windows keeps pyshim's dirs there (dirs_init_env) */
    v->localappdata = PLAT_WINDOWS ? plat_getenv("LOCALAPPDATA") : NULL;
}

int dirs_init(struct dirs *d, struct err *e)
{
    struct dirs_env v;

    dirs_env_read(&v);
    return dirs_init_env(d, &v, e);
}

int dirs_init_env(struct dirs *d, const struct dirs_env *v, struct err *e)
{
    const char *ph = v->pyshim_home;
    const char *home = v->home;
    struct sb sb = SB_INIT;

    d->home = home ? xstrdup(home) : NULL;
    if (ph && *ph) {
        /* relative would mean "a different home in every directory" */
        if (!path_is_abs(ph) && ph[0] != '~') {
            err_set(e, PYSHIM_EXIT_USAGE,
                    "PYSHIM_HOME='%s' is not an absolute path", ph);
            return err_hint(e,
                            "set PYSHIM_HOME to an absolute path, or unset it");
        }
        if (path_absolute(&sb, ph, NULL, home, e) < 0) {
            err_hint(e, "set PYSHIM_HOME to an absolute path");
            sb_release(&sb);
            return -1;
        }
        d->data = xstrdup(sb.buf);
        path_join(&sb, d->data, "cache");
        d->cache = xstrdup(sb.buf);
        path_join(&sb, d->data, "config.json");
        d->config_file = sb_detach(&sb, NULL);
        return check_all(d, 1, e);
    }
    if (PLAT_WINDOWS) {
        /* %LOCALAPPDATA%\\pyshim holds all three: Windows has no
         * separate cache or config roots that roam correctly */
        const char *lad = v->localappdata;

        if (lad && path_is_abs(lad)) {
            sb_addstr(&sb, lad);
        } else if (home) {
            path_join(&sb, home, "AppData\\Local");
        } else {
            err_set(e, PYSHIM_EXIT_OSERR,
                    "neither LOCALAPPDATA nor a home directory is known");
            return err_hint(
                e,
                "set LOCALAPPDATA, or PYSHIM_HOME to a directory for pyshim's data");
        }
        path_join(&sb, sb.buf, "pyshim");
        d->data = xdg(v->xdg_data_home, "pyshim", sb.buf, "");
        d->cache = xdg(v->xdg_cache_home, "pyshim", sb.buf, "cache");
        d->config_file = xdg(v->xdg_config_home, "pyshim\\config.json", sb.buf,
                             "config.json");
        sb_release(&sb);
        return check_all(d, 0, e);
    }
    if (!home) {
        err_set(e, PYSHIM_EXIT_OSERR, "no home directory is known");
        return err_hint(
            e, "set HOME, or PYSHIM_HOME to a directory for pyshim's data");
    }
    d->data = xdg(v->xdg_data_home, "pyshim", home, ".local/share/pyshim");
    d->cache = xdg(v->xdg_cache_home, "pyshim", home, ".cache/pyshim");
    d->config_file = xdg(v->xdg_config_home, "pyshim/config.json", home,
                         ".config/pyshim/config.json");
    return check_all(d, 0, e);
}

void dirs_release(struct dirs *d)
{
    free(d->data);
    free(d->cache);
    free(d->config_file);
    free(d->home);
    d->data = d->cache = d->config_file = d->home = NULL;
}
