#include "config/discover.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "common/xalloc.h"
#include "config/pyversion.h"
#include "config/trust.h"
#include "common/banned.h"

const char *project_kind_name(enum proj_kind k)
{
    switch (k) {
    case PROJ_CONFIG:
        return "config";
    case PROJ_MARKERS:
        return "markers";
    case PROJ_GLOBAL:
        return "global";
    default:
        return "none";
    }
}

/* 1: present, 0: absent, -1: present but not stat-able (loop, EACCES):
 * the caller reports that when it reads the file. */
static int present(const char *path, struct plat_stat *st)
{
    if (!plat_stat(path, st, 1))
        return 1;
    /* ENAMETOOLONG: a directory deeper than PATH_MAX cannot be looked
     * into by name; its ancestors can, so the walk goes on above it. */
    if (errno == ENOENT || errno == ENOTDIR || errno == ENAMETOOLONG)
        return 0;
    memset(st, 0, sizeof(*st));
    return -1;
}

/*
 * Like git's safe.directory: a config that someone else could have put
 * there is not obeyed. Root-owned files are accepted (the system's own).
 */
static const char *unsafe_reason(const char *dir, const struct plat_stat *st)
{
    struct plat_stat ds;
    uint64_t me = plat_uid();

    if (st->uid != me && st->uid != 0)
        return "it is owned by another user";
    if (st->perm & 0002)
        return "it is writable by every user";
    if (!plat_stat(dir, &ds, 1) && (ds.perm & 0002))
        return "its directory is writable by every user";
    return NULL;
}

/* Record and skip a marker that someone else could have put there. */
static int skip_unsafe(struct project *p, const char *dir, const char *path,
                       const struct plat_stat *st, struct trace *t)
{
    const char *why = unsafe_reason(dir, st);

    if (!why)
        return 0;
    sv_pushf(&p->skipped, "%s: %s", path, why);
    trace_add(t, "skipped '%s': %s", path, why);
    return 1;
}

/* A config that could run something unexpected must have been trusted
 * as it is now (config/trust.h). */
static int check_trust(struct project *p, const struct discover_in *in,
                       struct trace *t, struct err *e)
{
    int ret = trust_require(in->data_dir, &p->cfg, p->root, e);

    if (ret == 1)
        trace_add(t, "'%s' is trusted", p->cfg.file);
    return ret < 0 ? -1 : 0;
}

static int load_markers(struct project *p, const char *dir, struct sb *buf,
                        const struct discover_in *in, struct trace *t,
                        struct err *e)
{
    struct plat_stat st;
    int cfg_state, venv_state, pv_state;
    struct sb ver = SB_INIT;

    path_join(buf, dir, ".pyshim.json");
    cfg_state = present(buf->buf, &st);
    if (cfg_state == 1 && st.is_reg && skip_unsafe(p, dir, buf->buf, &st, t))
        cfg_state = 0;
    path_join(buf, dir, ".venv");
    path_join(buf, buf->buf, "pyvenv.cfg");
    venv_state = present(buf->buf, &st) == 1 && st.is_reg;
    if (venv_state) {
        /* the venv directory is what a stranger would plant */
        struct sb vd = SB_INIT;
        struct plat_stat vs;

        path_join(&vd, dir, ".venv");
        if (!plat_stat(vd.buf, &vs, 1) && skip_unsafe(p, dir, vd.buf, &vs, t))
            venv_state = 0;
        sb_release(&vd);
    }
    path_join(buf, dir, ".python-version");
    pv_state = present(buf->buf, &st);
    if (pv_state == 1 && !st.is_reg)
        pv_state = 0;
    if (pv_state == 1 && skip_unsafe(p, dir, buf->buf, &st, t))
        pv_state = 0;
    if (!cfg_state && !venv_state && !pv_state)
        return 0;

    p->root = xstrdup(dir);
    if (cfg_state) {
        path_join(buf, dir, ".pyshim.json");
        if (cfg_load(&p->cfg, buf->buf, in->home, e) < 0 ||
            check_trust(p, in, t, e) < 0)
            return -1;
        p->kind = PROJ_CONFIG;
        trace_add(t, "project: '%s' (config '%s')", dir, buf->buf);
    } else {
        p->kind = PROJ_MARKERS;
        trace_add(t, "project: '%s' (no .pyshim.json; zero-config markers)",
                  dir);
    }
    if (venv_state) {
        path_join(buf, dir, ".venv");
        p->venv_marker = xstrdup(buf->buf);
        path_join(buf, buf->buf, "pyvenv.cfg");
        trace_add(t, "found venv marker '%s'", buf->buf);
    }
    if (pv_state) {
        path_join(buf, dir, ".python-version");
        if (pyversion_load(buf->buf, &ver, e) < 0) {
            sb_release(&ver);
            return -1;
        }
        /* A path here would run a program of the tree with no trust
         * check (only .pyshim.json has one): versions only. */
        if (path_has_dir(ver.buf) || strchr(ver.buf, '\\')) {
            err_set(e, PYSHIM_EXIT_NOPERM,
                    "'%s' names a program by path ('%s'): a .python-version "
                    "file may only ask for a version",
                    buf->buf, ver.buf);
            err_hint(e, "write a version such as \"3.12\" in it, or name the "
                        "interpreter in a .pyshim.json and `pyshim trust` it");
            sb_release(&ver);
            return -1;
        }
        p->pyversion_file = xstrdup(buf->buf);
        p->pyversion = sb_detach(&ver, NULL);
        trace_add(t, "found '%s' asking for '%s'", buf->buf, p->pyversion);
    }
    return 1;
}

/* Walk from dir (absolute) up to its root ("/", "C:\\", "\\\\srv\\share\\").
 * 1 found, 0 not, -1 error. */
static int walk_up(struct project *p, const char *start,
                   const struct discover_in *in, struct trace *t, struct err *e)
{
    struct sb dir = SB_INIT, buf = SB_INIT;
    int ret;

    sb_addstr(&dir, start);
    path_normalize(&dir);
    for (;;) {
        ret = load_markers(p, dir.buf, &buf, in, t, e);
        if (ret)
            break;
        if (path_is_root(dir.buf))
            break;
        /* a start that is not absolute after all ends where dirname
         * stops changing it, not never */
        sb_set(&buf, dir.buf);
        path_dirname(&dir);
        if (!strcmp(dir.buf, buf.buf))
            break;
    }
    sb_release(&dir);
    sb_release(&buf);
    return ret;
}

static int script_dir(const char *script, const char *cwd, struct sb *out)
{
    struct sb abs = SB_INIT;
    struct plat_stat st;
    int ret = -1;

    if (!strcmp(script, "-"))
        goto out;
    path_join(&abs, cwd, script);
    if (plat_stat(abs.buf, &st, 1) < 0)
        goto out;
    /* Python puts the script's real directory on sys.path: match it. A
     * directory or zip app given as "script" is itself the start. */
    if (plat_realpath(abs.buf, out) < 0)
        goto out;
    if (!st.is_dir)
        path_dirname(out);
    ret = 0;
out:
    sb_release(&abs);
    return ret;
}

static int load_global(struct project *p, const struct discover_in *in,
                       struct trace *t, struct err *e)
{
    struct plat_stat st;
    int state;

    if (!in->global_file)
        return 0;
    state = present(in->global_file, &st);
    if (!state)
        return 0;
    if (cfg_load(&p->global, in->global_file, in->home, e) < 0)
        return -1;
    trace_add(t, "global config '%s'", in->global_file);
    return 1;
}

int discover_project(const struct discover_in *in, struct project *out,
                     struct trace *t, struct err *e)
{
    struct sb cwd = SB_INIT, dir = SB_INIT;
    int ret = -1, found = 0;

    if (in->cwd) {
        sb_addstr(&cwd, in->cwd);
    } else if (plat_getcwd(&cwd) < 0) {
        if (errno == ENOENT) {
            err_set(e, PYSHIM_EXIT_OSERR,
                    "the current directory no longer exists");
            err_hint(e, "cd to a directory that exists and run it again");
        } else {
            err_set(e, PYSHIM_EXIT_OSERR,
                    "cannot read the current directory: %s",
                    plat_strerror(errno));
            err_hint(e, "cd to a shorter or readable path, or set "
                        "PYSHIM_PROJECT to the project directory");
        }
        goto out;
    }

    if (in->env_project && *in->env_project) {
        if (path_absolute(&dir, in->env_project, cwd.buf, in->home, e) < 0)
            goto out;
        out->start = "PYSHIM_PROJECT";
        trace_add(t, "PYSHIM_PROJECT='%s'", in->env_project);
        if (!plat_is_dir(dir.buf)) {
            err_set(e, PYSHIM_EXIT_NOINPUT,
                    "PYSHIM_PROJECT='%s' is not a directory", in->env_project);
            err_hint(e, "point it at a project directory, or unset it "
                        "(a stale kernelspec? see `pyshim kernel list`)");
            goto out;
        }
        found = walk_up(out, dir.buf, in, t, e);
        if (found < 0)
            goto out;
        if (!found) {
            err_set(e, PYSHIM_EXIT_NOINPUT,
                    "PYSHIM_PROJECT='%s' holds no project (no .pyshim.json, "
                    ".venv or .python-version at or above it)",
                    in->env_project);
            err_hint(e, "run `pyshim init` there, or unset PYSHIM_PROJECT");
            goto out;
        }
    }
    if (!found && in->script && !script_dir(in->script, cwd.buf, &dir)) {
        out->start = "script";
        trace_add(t, "walking up from the script's directory '%s'", dir.buf);
        found = walk_up(out, dir.buf, in, t, e);
        if (found < 0)
            goto out;
    }
    if (!found) {
        out->start = "cwd";
        trace_add(t, "walking up from the current directory '%s'", cwd.buf);
        found = walk_up(out, cwd.buf, in, t, e);
        if (found < 0)
            goto out;
    }
    if (load_global(out, in, t, e) < 0)
        goto out;
    if (!found) {
        out->start = NULL;
        out->kind = out->global.file ? PROJ_GLOBAL : PROJ_NONE;
        trace_add(t, out->global.file ? "no project: the global config applies"
                                      : "no project and no global config");
    }
    ret = 0;
out:
    sb_release(&cwd);
    sb_release(&dir);
    return ret;
}

void project_release(struct project *p)
{
    free(p->root);
    cfg_release(&p->cfg);
    free(p->pyversion);
    free(p->pyversion_file);
    free(p->venv_marker);
    cfg_release(&p->global);
    sv_release(&p->skipped);
    memset(p, 0, sizeof(*p));
}
