#include "config/discover.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "common/xalloc.h"
#include "config/pyverfile.h"
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

/* Not there at all: the walk goes on. ENAMETOOLONG: a directory deeper
 * than PATH_MAX cannot be looked into by name; its ancestors can. */
static int absent(int errnum)
{
    return errnum == ENOENT || errnum == ENOTDIR || errnum == ENAMETOOLONG;
}

static int foreign(uint64_t uid)
{
    return uid != plat_uid() && uid != 0;
}

/*
 * Like git's safe.directory: a marker that someone else could have put
 * there is not obeyed. Root-owned files are accepted (the system's own).
 * st is the stat of what would be used (for a file: of the descriptor its
 * bytes were read from); path itself may be a link, judged by its owner:
 * a link another user made may lead to a file of ours, placed where they
 * chose. A group-writable directory needs no rule of its own: whatever a
 * member plants there is theirs, and skipped for that.
 */
static const char *unsafe_reason(const struct project *p, const char *dir,
                                 const char *path, const struct plat_stat *st)
{
    struct plat_stat ds, ls;

    /* the owner of a project the system config grants to this user
     * (config/sitecfg.h) is taken as the user there */
    if (foreign(st->uid) && st->uid != sitecfg_granted_owner(&p->site, dir))
        return "it is owned by another user";
    /* (a link's own mode means nothing) */
    if (!st->is_lnk && (st->perm & 0002))
        return "it is writable by every user";
    if (!plat_stat(dir, &ds, 1) && (ds.perm & 0002))
        return "its directory is writable by every user";
    if (!plat_stat(path, &ls, 0) && ls.is_lnk && foreign(ls.uid) &&
        ls.uid != sitecfg_granted_owner(&p->site, dir))
        return "it is a symbolic link made by another user";
    return NULL;
}

static void skip(struct project *p, const char *path, const char *why,
                 struct trace *t)
{
    sv_pushf(&p->skipped, "%s: %s", path, why);
    trace_add(t, "skipped '%s': %s", path, why);
}

/* Record and skip a marker that someone else could have put there. */
static int skip_unsafe(struct project *p, const char *dir, const char *path,
                       const struct plat_stat *st, struct trace *t)
{
    const char *why = unsafe_reason(p, dir, path, st);

    if (!why)
        return 0;
    skip(p, path, why, t);
    return 1;
}

/*
 * Read the marker file path (in dir) once, at most max bytes: its owner
 * and mode are judged from the descriptor the bytes came from, and those
 * bytes are the ones parsed (and hashed for trust). 1: read and safe, text
 * holds it; 0: absent, or skipped and recorded (planted by someone else,
 * or not a regular file: a FIFO, socket or device is never read, so never
 * waited on); -1: the user's own marker cannot be read (errno kept).
 */
static int read_marker(struct project *p, const char *dir, const char *path,
                       size_t max, struct sb *text, struct plat_stat *out,
                       struct trace *t)
{
    struct plat_stat st;
    int saved;

    /* the name first (unsafe_reason judges it): absent, or no link, it
     * answers the name check of the read as well (the decision's memo) */
    if (plat_stat(path, &st, 0) < 0 && absent(errno))
        return 0;
    if (!plat_read_regular(path, max, text, &st)) {
        if (out)
            *out = st;
        return skip_unsafe(p, dir, path, &st, t) ? 0 : 1;
    }
    saved = errno;
    if (absent(saved))
        return 0;
    if (saved == EINVAL) {
        skip(p, path, "it is not a regular file", t);
        return 0;
    }
    /* not read: judged by what its name shows (the link itself when the
     * target cannot even be looked at) */
    if ((!plat_stat(path, &st, 1) || !plat_stat(path, &st, 0)) &&
        skip_unsafe(p, dir, path, &st, t))
        return 0;
    /* a directory, a link loop, an unreadable file of the user's own: a
     * mistake only they could make, reported as an error with a hint */
    errno = saved;
    return -1;
}

/* A config that could run something unexpected must have been trusted
 * as it is now (config/trust.h): text is the very content parsed, st the
 * descriptor's stat. A grant stands for trust only when no one but the
 * owner could have written it (issue 16). */
static int check_trust(struct project *p, const struct discover_in *in,
                       const struct sb *text, const struct plat_stat *st,
                       struct trace *t, struct err *e)
{
    int ret;

    if (sitecfg_granted_closed(&p->site, p->cfg.file, st) != (uint64_t)-1) {
        trace_add(
            t,
            "'%s' is trusted: the system config '%s' grants the project to this user",
            p->cfg.file, p->site.file);
        return 0;
    }
    ret = trust_require(in->data_dir, &p->cfg, p->root, text, e);
    if (ret == 1)
        trace_add(t, "'%s' is trusted", p->cfg.file);
    return ret < 0 ? -1 : 0;
}

/* dir/.venv holds a regular pyvenv.cfg, and neither was planted. */
static int venv_marker(struct project *p, const char *dir, struct trace *t)
{
    struct sb vd = SB_INIT, cfgp = SB_INIT;
    struct plat_stat vs, cs;
    int ret = 0;

    path_join(&vd, dir, ".venv");
    path_join(&cfgp, vd.buf, "pyvenv.cfg");
    /* the names first (skip_unsafe judges them too): for the usual
     * file and dir that are no links, they answer the stats below */
    if (plat_stat(cfgp.buf, &cs, 0) < 0 || plat_stat(vd.buf, &vs, 0) < 0 ||
        plat_stat(cfgp.buf, &cs, 1) < 0 || plat_stat(vd.buf, &vs, 1) < 0)
        goto out;
    /* a pyvenv.cfg that is not a file (a FIFO, a device, a directory)
     * makes no venv, is never opened, and is not passed over silently */
    if (!cs.is_reg) {
        skip(p, cfgp.buf, "it is not a regular file", t);
        goto out;
    }
    /* the venv directory is what a stranger would plant */
    if (skip_unsafe(p, dir, vd.buf, &vs, t) ||
        skip_unsafe(p, vd.buf, cfgp.buf, &cs, t))
        goto out;
    ret = 1;
out:
    sb_release(&vd);
    sb_release(&cfgp);
    return ret;
}

/*
 * dir/pyproject.toml, read like any marker. 1: it asks something of
 * pyshim (p->pyproject filled; [tool.pyshim] parsed into p->cfg unless
 * has_cfg: a .pyshim.json beside it wins); 0: absent, skipped, or asking
 * nothing; -1 with e: unreadable or invalid.
 */
static int load_pyproject(struct project *p, const char *dir, int has_cfg,
                          const struct discover_in *in, struct trace *t,
                          struct err *e)
{
    struct sb file = SB_INIT, text = SB_INIT;
    int state, ret = -1;

    path_join(&file, dir, "pyproject.toml");
    state = read_marker(p, dir, file.buf, CFG_MAX_BYTES, &text, NULL, t);
    if (state < 0) {
        cfg_read_error(e, file.buf, errno);
        goto out;
    }
    ret = 0;
    if (!state)
        goto out;
    ret = -1;
    if (pyproject_parse(&p->pyproject, has_cfg ? NULL : &p->cfg, file.buf,
                        text.buf, text.len, in->home, e) < 0)
        goto out;
    ret = p->pyproject.requires_python || p->pyproject.has_tool;
    if (!ret) {
        cfg_release(&p->cfg);
        goto out;
    }
    p->pyproject_file = sb_detach(&file, NULL);
out:
    sb_release(&file);
    sb_release(&text);
    return ret;
}

/* The [tool.pyshim] keys, as the project's config. Keys that would need
 * `pyshim trust` in a .pyshim.json are refused there: tools rewrite
 * pyproject.toml (its dependencies) often, and a trust keyed by its
 * content would be asked again after each change. */
static int pyproject_config(struct project *p, struct trace *t, struct err *e)
{
    char *why = trust_needed(&p->cfg);

    if (why) {
        err_set(e, PYSHIM_EXIT_NOPERM,
                "'%s' [tool.pyshim]: %s, which pyproject.toml may not do",
                p->pyproject_file, why);
        free(why);
        return err_hint(
            e,
            "move those keys into a .pyshim.json beside it and run `pyshim trust %s` (a .pyshim.json there wins over [tool.pyshim])",
            p->root);
    }
    p->kind = PROJ_CONFIG;
    trace_add(t, "project: '%s' (config: [tool.pyshim] in '%s')", p->root,
              p->pyproject_file);
    return 0;
}

static int load_markers(struct project *p, const char *dir, struct sb *buf,
                        const struct discover_in *in, struct trace *t,
                        struct err *e)
{
    struct sb cfg_text = SB_INIT, pv_text = SB_INIT, ver = SB_INIT;
    struct plat_stat cfg_st;
    int cfg_state, venv_state, pv_state, pp_state, ret = -1;

    path_join(buf, dir, ".pyshim.json");
    cfg_state =
        read_marker(p, dir, buf->buf, CFG_MAX_BYTES, &cfg_text, &cfg_st, t);
    if (cfg_state < 0) {
        cfg_read_error(e, buf->buf, errno);
        goto out;
    }
    venv_state = venv_marker(p, dir, t);
    path_join(buf, dir, ".python-version");
    pv_state =
        read_marker(p, dir, buf->buf, PYVERFILE_MAX_BYTES, &pv_text, NULL, t);
    if (pv_state < 0) {
        pyverfile_read_error(e, buf->buf, errno);
        goto out;
    }
    pp_state = load_pyproject(p, dir, cfg_state, in, t, e);
    if (pp_state < 0)
        goto out;
    ret = 0;
    if (!cfg_state && !venv_state && !pv_state && !pp_state)
        goto out;
    ret = -1;

    p->root = xstrdup(dir);
    if (pp_state && p->pyproject.requires_python)
        trace_add(t, "'%s' requires-python = \"%s\"", p->pyproject_file,
                  p->pyproject.requires_python);
    if (cfg_state && p->pyproject.has_tool)
        skip(p, p->pyproject_file,
             "its [tool.pyshim] table: the .pyshim.json beside it wins", t);
    if (!cfg_state && p->pyproject.has_tool) {
        if (pyproject_config(p, t, e) < 0)
            goto out;
    } else if (cfg_state) {
        path_join(buf, dir, ".pyshim.json");
        if (cfg_parse(&p->cfg, buf->buf, cfg_text.buf, cfg_text.len, in->home,
                      e) < 0 ||
            check_trust(p, in, &cfg_text, &cfg_st, t, e) < 0)
            goto out;
        p->kind = PROJ_CONFIG;
        p->cfg_text = sb_detach(&cfg_text, &p->cfg_len);
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
        if (pyverfile_parse(buf->buf, pv_text.buf, pv_text.len, &ver, e) < 0)
            goto out;
        /* A path here would run a program of the tree with no trust
         * check (only .pyshim.json has one): versions only. */
        if (path_has_dir(ver.buf) || strchr(ver.buf, '\\')) {
            err_set(
                e, PYSHIM_EXIT_NOPERM,
                "'%s' names a program by path ('%s'): a .python-version file may only ask for a version",
                buf->buf, ver.buf);
            err_hint(
                e,
                "write a version such as \"3.12\" in it, or name the interpreter in a .pyshim.json and `pyshim trust` it");
            goto out;
        }
        p->pyversion_file = xstrdup(buf->buf);
        p->pyversion = sb_detach(&ver, NULL);
        trace_add(t, "found '%s' asking for '%s'", buf->buf, p->pyversion);
    }
    ret = 1;
out:
    sb_release(&cfg_text);
    sb_release(&pv_text);
    sb_release(&ver);
    return ret;
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

/* The global config: judged and read once like a marker (a planted or
 * non-regular one is skipped with a warning, never waited on). */
static int load_global(struct project *p, const struct discover_in *in,
                       struct trace *t, struct err *e)
{
    struct sb dir = SB_INIT, text = SB_INIT;
    int state, ret = -1;

    if (!in->global_file)
        return 0;
    sb_addstr(&dir, in->global_file);
    path_dirname(&dir);
    state =
        read_marker(p, dir.buf, in->global_file, CFG_MAX_BYTES, &text, NULL, t);
    if (state < 0) {
        cfg_read_error(e, in->global_file, errno);
        goto out;
    }
    ret = 0;
    if (!state)
        goto out;
    if (cfg_parse(&p->global, in->global_file, text.buf, text.len, in->home,
                  e) < 0) {
        ret = -1;
        goto out;
    }
    trace_add(t, "global config '%s'", in->global_file);
    ret = 1;
out:
    sb_release(&dir);
    sb_release(&text);
    return ret;
}

/* The system config (config/sitecfg.h): the last layer. Refused when
 * anyone but root could have written it (a warning, like a planted
 * marker). A user with no global config of their own gets its default
 * python and shared envs as their global config. */
static int load_system(struct project *p, const struct discover_in *in,
                       struct trace *t, struct err *e)
{
    char *refused = NULL;
    const struct sitecfg *s = &p->site;

    if (sitecfg_load(&p->site, in->system_file, &refused, e) < 0)
        return -1;
    if (refused) {
        sv_push_nodup(&p->skipped, refused);
        trace_add(t, "skipped the system config '%s'", refused);
        return 0;
    }
    if (!s->file)
        return 0;
    trace_add(t, "system config '%s'", s->file);
    sitecfg_grants(&p->site, &p->skipped);
    return 0;
}

/* A user with no global config of their own gets the system config's
 * default python and shared envs as their global config. */
static int system_defaults(struct project *p)
{
    const struct sitecfg *s = &p->site;
    size_t i;

    if (!s->file || p->global.file || (!s->python && !s->has_shared))
        return 0;
    p->global.file = xstrdup(s->file);
    {
        struct sb dir = SB_INIT;

        sb_addstr(&dir, s->file);
        path_dirname(&dir);
        p->global.dir = sb_detach(&dir, NULL);
    }
    if (s->python) {
        p->global.python = xstrdup(s->python);
        p->global.python_is_path = cfg_is_path_request(s->python);
    }
    p->global.has_shared = s->has_shared;
    for (i = 0; i < s->shared.nr; i++)
        sv_push(&p->global.shared, s->shared.v[i]);
    return 0;
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
            err_hint(
                e,
                "cd to a shorter or readable path, or set PYSHIM_PROJECT to the project directory");
        }
        goto out;
    }

    /* first: its grants decide which files of other users are obeyed */
    if (load_system(out, in, t, e) < 0)
        goto out;
    if (in->env_project && *in->env_project) {
        if (path_absolute(&dir, in->env_project, cwd.buf, in->home, e) < 0)
            goto out;
        out->start = "PYSHIM_PROJECT";
        trace_add(t, "PYSHIM_PROJECT='%s'", in->env_project);
        if (!plat_is_dir(dir.buf)) {
            err_set(e, PYSHIM_EXIT_NOINPUT,
                    "PYSHIM_PROJECT='%s' is not a directory", in->env_project);
            err_hint(
                e,
                "point it at a project directory, or unset it (a stale kernelspec? see `pyshim kernel list`)");
            goto out;
        }
        found = walk_up(out, dir.buf, in, t, e);
        if (found < 0)
            goto out;
        if (!found) {
            err_set(
                e, PYSHIM_EXIT_NOINPUT,
                "PYSHIM_PROJECT='%s' holds no project (no .pyshim.json, .venv or .python-version at or above it)",
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
    if (load_global(out, in, t, e) < 0 || system_defaults(out) < 0)
        goto out;
    if (!found) {
        out->start = NULL;
        out->kind = out->global.file ? PROJ_GLOBAL : PROJ_NONE;
        trace_add(t,
                  !out->global.file ? "no project and no global config"
                  : out->site.file && !strcmp(out->site.file, out->global.file)
                      ? "no project: the system config's defaults apply"
                      : "no project: the global config applies");
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
    sitecfg_release(&p->site);
    free(p->pyproject_file);
    pyproject_release(&p->pyproject);
    free(p->cfg_text);
    memset(p, 0, sizeof(*p));
}
