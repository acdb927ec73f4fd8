/*
 * pyshim init: make a directory a project in one repeatable step.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "common/sha256.h"
#include "common/sv.h"
#include "common/xalloc.h"
#include "config/cfg.h"
#include "config/cfgedit.h"
#include "config/dirs.h"
#include "config/pyproject.h"
#include "config/pyspec.h"
#include "config/pyverfile.h"
#include "config/trust.h"
#include "cli/cli.h"
#include "cli/opt.h"
#include "launcher/env.h"
#include "launcher/apply.h"
#include "launcher/resolve.h"
#include "launcher/venv.h"
#include "common/banned.h"

static const char usage[] =
    "usage: pyshim init [--python V] [--shared NAME...] [--no-venv] [--pyproject]\n"
    "                   [DIR]\n"
    "\n"
    "Make DIR (default: the current directory) a project:\n"
    "  - write or update DIR/.pyshim.json (other keys are kept), or the\n"
    "    [tool.pyshim] table of DIR/pyproject.toml (see --pyproject);\n"
    "  - create the light venv DIR/.venv with the interpreter's own venv\n"
    "    module, without its own pip when a shared env provides one;\n"
    "  - write the hook that makes the shared envs visible in it;\n"
    "  - trust the config as written, and record the venv it made.\n"
    "A config found there that needs trust and has none is an error (run\n"
    "`pyshim trust DIR` after reviewing it): nothing it names is run.\n"
    "Running it again is safe: it reports what changed, or that nothing did.\n"
    "The interpreter: --python, else the config's \"python\", else\n"
    "DIR/.python-version, else the version of the first named shared env,\n"
    "else the newest one satisfying pyproject.toml's requires-python, else\n"
    "the default; it must satisfy requires-python.\n"
    "\n"
    "  --python V       version request (3.12, 3.12.1) or interpreter path\n"
    "  --shared NAME..  shared envs (names under DATA/shared, or paths)\n"
    "  --no-venv        no venv: shared envs come through an overlay env\n"
    "  --pyproject      write the keys into DIR/pyproject.toml's [tool.pyshim]\n"
    "                   (every other byte kept) instead of a .pyshim.json; the\n"
    "                   default when [tool.pyshim] is there and no .pyshim.json\n";

/* One `pyshim init` at a time per project directory (its real path):
 * two at once removed each other's half-made venv. */
static int init_lock(const struct dirs *d, const char *dir,
                     struct plat_lock **l, struct err *e)
{
    struct sb real = SB_INIT, busy = SB_INIT;
    int ret;

    if (plat_realpath(dir, &real) < 0)
        sb_set(&real, dir);
    sb_addf(&busy, "another `pyshim init` is busy in '%s'", dir);
    ret = cli_lock(d, "init", real.buf, busy.buf, l, e);
    sb_release(&real);
    sb_release(&busy);
    return ret;
}

static int make_venv(const char *data_dir, const char *python, const char *venv,
                     int with_pip, struct err *e)
{
    struct sv argv = SV_INIT;
    int status = 0, ret = 0;

    sv_push(&argv, python);
    sv_push(&argv, "-m");
    sv_push(&argv, "venv");
    if (!with_pip)
        sv_push(&argv, "--without-pip");
    sv_push(&argv, venv);
    cli_progress("making the venv %s with %s", venv, python);
    if (venv_begin(venv, e) < 0) {
        ret = -1;
    } else if (plat_run(python, argv.v, NULL, 1, &status) < 0 || status) {
        err_set(e, PYSHIM_EXIT_CANTCREAT, "`%s -m venv %s` failed (status %d)",
                python, venv, status);
        err_hint(
            e,
            PLAT_WINDOWS
                ? "run the same command yourself to see why; or `pyshim init --no-venv`"
                : "on Debian, `apt-get install python3-venv`");
        ret = -1;
    } else {
        venv_done(venv);
        /* made by pyshim: its own start-up code (pip's .pth files) is not
         * somebody else's (launcher/vtrust.h) */
        ret = trust_add_venv(data_dir, venv, e);
    }
    sv_release(&argv);
    return ret;
}

/* The shared site dirs for names, checked against version ver. */
static int shared_sites(const struct dirs *d, const struct cfg *c,
                        const struct sv *extra, const struct pyver *ver,
                        struct sv *sites, struct err *e)
{
    struct sb site = SB_INIT, abs = SB_INIT;
    size_t i;
    int ret = 0;

    for (i = 0; !ret && i < c->shared.nr + extra->nr; i++) {
        const char *entry =
            i < c->shared.nr ? c->shared.v[i] : extra->v[i - c->shared.nr];

        if (!cfg_is_name(entry)) {
            ret = path_absolute(&abs, entry, c->dir, d->home, e);
            entry = abs.buf;
        } else
            entry = cli_site_map(d, entry, &abs);
        if (!ret)
            ret = env_shared_site(entry, d->data, ver, NULL, &site, NULL, e);
        if (!ret)
            sv_push(sites, site.buf);
    }
    sb_release(&site);
    sb_release(&abs);
    return ret;
}

/* With no version asked anywhere, a project takes the version of the
 * first named shared env: that is the only one that can load its packages.
 * Replaces out when one is found. */
static void shared_version(const struct dirs *d, const struct cfg *c,
                           const struct sv *extra, struct sb *out)
{
    struct sb dir = SB_INIT;
    size_t i;

    for (i = 0; i < c->shared.nr + extra->nr; i++) {
        const char *entry =
            i < c->shared.nr ? c->shared.v[i] : extra->v[i - c->shared.nr];
        struct venv v = VENV_INIT;

        if (!cfg_is_name(entry))
            continue;
        path_join(&dir, d->data, "shared");
        path_join(&dir, dir.buf, entry);
        if (!venv_is_venv(dir.buf))
            cli_site_map(d, entry, &dir);
        if (!venv_load(&v, dir.buf, NULL) && v.ver.minor >= 0) {
            sb_reset(out);
            sb_addf(out, "%d.%d", v.ver.major, v.ver.minor);
            venv_release(&v);
            break;
        }
        venv_release(&v);
    }
    sb_release(&dir);
}

/* What init writes is trusted before it is written: the config it found
 * needed no trust or was trusted, and the edit is the user's command. */
static int trust_written(const char *file, const char *text, size_t len,
                         void *data_dir, struct err *e)
{
    return trust_add_text(data_dir, file, text, len, e);
}

/* The project's config as it is (parsed once, judged on those bytes):
 * one that came with the tree (a clone) is code, so init neither runs
 * what it names (-m venv, the probe) nor trusts it for the user; only
 * what init writes itself is trusted (trust_written). */
static int load_config(const struct dirs *d, const char *dir, const char *file,
                       struct cfg *c, struct err *e)
{
    struct sb text = SB_INIT;
    int ret = -1;

    if (plat_is_file(file) && cfg_load_text(c, file, d->home, &text, e) < 0)
        goto out;
    if (c->file && trust_require(d->data, c, dir, &text, e) < 0)
        goto out;
    if (!c->file) {
        c->file = xstrdup(file);
        c->dir = xstrdup(dir);
    }
    ret = 0;
out:
    sb_release(&text);
    return ret;
}

/* A version asked by dir/.python-version into pv (left empty if none);
 * 1 if found. The shim's rule (config/discover.c): versions only there. */
static int pyversion_file(const char *dir, struct sb *pv, struct err *e)
{
    struct sb f = SB_INIT;
    int ret = 0;

    path_join(&f, dir, ".python-version");
    if (plat_is_file(f.buf) && !pyverfile_load(f.buf, pv, e))
        ret = 1;
    if (ret && (path_has_dir(pv->buf) || strchr(pv->buf, '\\'))) {
        err_set(
            e, PYSHIM_EXIT_NOPERM,
            "'%s' names a program by path ('%s'): a .python-version file may only ask for a version",
            f.buf, pv->buf);
        err_hint(e, "write a version such as \"3.12\" in it, or pass --python");
        ret = -1;
    }
    sb_release(&f);
    return ret;
}

/* The venv at path: an existing one must be of ver's minor; a missing (or
 * half-made) one is made with py. *did is set when one was made. */
static int ensure_venv(const struct dirs *d, const char *path, const char *py,
                       const struct pyver *ver, const struct sv *sites,
                       int *did, struct err *e)
{
    struct venv v = VENV_INIT;
    char vb[32];
    int ret = -1;

    if (venv_is_venv(path) && !venv_is_incomplete(path)) {
        if (venv_load(&v, path, e) < 0)
            goto out;
        if (v.ver.minor >= 0 &&
            (v.ver.major != ver->major || v.ver.minor != ver->minor)) {
            err_set(e, PYSHIM_EXIT_CONFIG, "venv '%s' is Python %s, not %d.%d",
                    path, pyver_str(&v.ver, vb, sizeof(vb)), ver->major,
                    ver->minor);
            err_hint(
                e,
                "remove it and run `pyshim init` again, or choose --python %d.%d",
                v.ver.major, v.ver.minor);
            goto out;
        }
    } else {
        int with_pip = !cli_sites_have_pip(sites);

        if (make_venv(d->data, py, path, with_pip, e) < 0)
            goto out;
        printf("pyshim: created %s (Python %s%s)\n", path,
               pyver_str(ver, vb, sizeof(vb)),
               with_pip ? ", with pip" : "; pip comes from a shared env");
        *did = 1;
    }
    ret = 0;
out:
    venv_release(&v);
    return ret;
}

/* Write what was asked into the config, keep everything else; trusted
 * as written (trust_written, just before the file). *did is set when the
 * file changed. */
static int write_config(const struct dirs *d, const char *file,
                        const char *python, int from_pyversion,
                        const struct pyver *ver, const struct sv *shared,
                        const struct cfg *c, int *did, struct err *e)
{
    struct cfg_update u;
    struct cfg now = CFG_INIT;
    char *summary = NULL, *why = NULL;
    char vb[32];
    int changed = 0, ret = -1;

    memset(&u, 0, sizeof(u));
    if (python && !from_pyversion) {
        u.python = python;
    } else if (!c->python && !from_pyversion) {
        snprintf(vb, sizeof(vb), "%d.%d", ver->major, ver->minor);
        u.python = vb;
    }
    u.shared_add = shared;
    u.before_write = trust_written;
    u.arg = d->data;
    if (cfg_update_file(file, &u, &changed, &summary, e) < 0)
        goto out;
    if (changed) {
        printf("pyshim: wrote %s (%s)\n", file,
               summary && *summary ? summary : "new");
        *did = 1;
        /* say what the trust that came with the write covers */
        if (cfg_load(&now, file, d->home, e) < 0)
            goto out;
        why = trust_needed(&now);
        if (why)
            printf("pyshim: trusted it (%s)\n", why);
    }
    ret = 0;
out:
    cfg_release(&now);
    free(summary);
    free(why);
    return ret;
}

/* Resolve for real once: writes the hook (and builds an overlay), then
 * says what python runs here. */
static int apply_here(const char *dir, int did, struct err *e)
{
    struct resolve_in in;
    struct plan p;
    char vb[32];
    int ret = -1;

    plan_init(&p);
    resolve_in_init(&in);
    in.invoked = "python";
    in.cwd = dir;
    if (resolve(&in, &p, e) < 0 || apply_plan(&p, e) < 0)
        goto out;
    if (p.hook_changed) {
        printf("pyshim: wrote the hook %s\n", p.hook_path);
        did = 1;
    }
    printf("pyshim: %s: python runs %s (%s)\n",
           did ? "done" : "nothing to change", p.exe,
           pyver_str(&p.ver, vb, sizeof(vb)));
    ret = 0;
out:
    plan_release(&p);
    return ret;
}

/* DIR/pyproject.toml, when there: what it asks (pp), and its
 * [tool.pyshim] keys into c when tool (the file then is the config). 1
 * read, 0 none, -1 error. */
static int load_pyproject(const struct dirs *d, const char *file,
                          struct pyproject *pp, struct cfg *c, struct err *e)
{
    struct sb text = SB_INIT;
    int ret = -1;

    if (!plat_is_file(file))
        return 0;
    if (plat_read_file(file, CFG_MAX_BYTES, &text) < 0) {
        cfg_read_error(e, file, errno);
        goto out;
    }
    if (pyproject_parse(pp, c, file, text.buf, text.len, d->home, e) < 0)
        goto out;
    ret = 1;
out:
    sb_release(&text);
    return ret;
}

/* Which file init writes: DIR/.pyshim.json, or pyproject.toml's
 * [tool.pyshim] (1) with --pyproject or when that table is the config
 * already. */
static int choose_pyproject(const char *json, const char *pyproject, int want,
                            int has_pp, const struct pyproject *pp,
                            struct err *e)
{
    int has_json = plat_is_file(json);

    if (want && has_json) {
        err_set(
            e, PYSHIM_EXIT_USAGE,
            "'%s' exists and wins over [tool.pyshim]: --pyproject would write keys nothing reads",
            json);
        return err_hint(
            e,
            "move its keys to [tool.pyshim] and remove it, or run without --pyproject");
    }
    if (want && !has_pp) {
        err_set(e, PYSHIM_EXIT_NOINPUT, "no '%s' to write [tool.pyshim] into",
                pyproject);
        return err_hint(
            e,
            "create it first (a [project] table with a name), or run without --pyproject");
    }
    return want || (!has_json && pp->has_tool);
}

/* The [tool.pyshim] edit (config/pyproject.h) of the file as it is now:
 * into out, with what changed in sum. */
static int pyproject_text(const struct dirs *d, const char *file,
                          const char *python, const struct sv *shared,
                          struct sb *out, struct sb *sum, struct err *e)
{
    struct sb text = SB_INIT;
    int ret = -1;

    if (plat_read_file(file, CFG_MAX_BYTES, &text) < 0) {
        cfg_read_error(e, file, errno);
        goto out;
    }
    if (pyproject_edit(file, text.buf, text.len, python, shared, d->home, out,
                       sum, e) < 0)
        goto out;
    ret = out->len != text.len || memcmp(out->buf, text.buf, text.len);
out:
    sb_release(&text);
    return ret;
}

/* write_config for [tool.pyshim]; check only: nothing is written. */
static int write_pyproject(const struct dirs *d, const char *file,
                           const char *python, int from_pyversion,
                           const struct pyver *ver, const struct sv *shared,
                           const struct cfg *c, int check, int *did,
                           struct err *e)
{
    struct sb out = SB_INIT, sum = SB_INIT;
    struct plat_stat st;
    char vb[32];
    int ret = -1, changed;

    if (python && from_pyversion) {
        python = NULL;
    } else if (!python && !c->python && !from_pyversion) {
        snprintf(vb, sizeof(vb), "%d.%d", ver->major, ver->minor);
        python = vb;
    }
    changed = pyproject_text(d, file, python, shared, &out, &sum, e);
    if (changed <= 0 || check) {
        ret = changed < 0 ? -1 : 0;
        goto out;
    }
    if (plat_stat(file, &st, 1) < 0)
        st.perm = 0644;
    if (plat_write_atomic(file, out.buf, out.len, st.perm & 0777) < 0) {
        err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot write '%s': %s", file,
                plat_strerror(errno));
        goto out;
    }
    printf("pyshim: wrote %s [tool.pyshim] (%s)\n", file,
           sum.len ? sum.buf : "new");
    *did = 1;
    ret = 0;
out:
    sb_release(&out);
    sb_release(&sum);
    return ret;
}

/* The interpreter init uses, and the check that it satisfies the
 * project's requires-python. */
static int choose_interpreter(const char *req, const struct pyproject *pp,
                              const char *ppfile, struct sb *py,
                              struct pyver *ver, struct err *e)
{
    char vb[32];

    if (!req && pp->requires_python) {
        if (resolve_interpreter_spec(&pp->spec, pp->requires_python, ppfile, py,
                                     ver, e) < 0)
            return -1;
    } else if (resolve_interpreter(req, py, ver, e) < 0) {
        return -1;
    }
    if (!pp->requires_python || pyspec_match(&pp->spec, ver))
        return 0;
    err_set(
        e, PYSHIM_EXIT_CONFIG,
        "Python %s ('%s') does not satisfy requires-python = \"%s\" in '%s'",
        pyver_str(ver, vb, sizeof(vb)), py->buf, pp->requires_python, ppfile);
    return err_hint(
        e, "pass --python with a version that does, or change requires-python");
}

/* DIR, absolute (default: the current directory); it must be one. */
static int init_dir(const struct dirs *d, const char *target, struct sb *dir,
                    struct err *e)
{
    if (path_absolute(dir, target ? target : ".", NULL, d->home, e) < 0)
        return -1;
    if (!plat_is_dir(dir->buf))
        return err_set(e, PYSHIM_EXIT_NOINPUT, "'%s' is not a directory",
                       dir->buf);
    return 0;
}

/* The config init edits: DIR's pyproject.toml [tool.pyshim] when that
 * is the config or --pyproject asks for it (1), else DIR/.pyshim.json
 * (0). [tool.pyshim] is read only where it is the config (no
 * .pyshim.json beside it), as the shim reads it. -1 with e. */
static int init_config(const struct dirs *d, const char *dir, const char *file,
                       const char *ppfile, int want_pp, struct pyproject *pp,
                       struct cfg *c, struct err *e)
{
    int has_pp, use_pp;

    has_pp = load_pyproject(d, ppfile, pp, plat_is_file(file) ? NULL : c, e);
    if (has_pp < 0 ||
        (use_pp = choose_pyproject(file, ppfile, want_pp, has_pp, pp, e)) < 0)
        return -1;
    if (use_pp) {
        if (!c->file) {
            c->file = xstrdup(ppfile);
            c->dir = xstrdup(dir);
        }
        return 1;
    }
    cfg_release(c);
    return load_config(d, dir, file, c, e) < 0 ? -1 : 0;
}

/* The interpreter asked for: --python (*python), else the config's, else
 * .python-version, else the version of the shared envs. Sets *python to
 * pv's text when pv filled it. Returns 1 when .python-version gave it, 0
 * otherwise, -1 with e. */
static int init_python_request(const struct dirs *d, const char *dir,
                               struct cfg *c, struct sv *shared,
                               const char **python, struct sb *pv,
                               struct err *e)
{
    int from_pyversion = 0;

    if (!*python && !c->python) {
        from_pyversion = pyversion_file(dir, pv, e);
        if (from_pyversion < 0)
            return -1;
    }
    if (!*python && !c->python && !pv->len)
        shared_version(d, c, shared, pv);
    if (pv->len)
        *python = pv->buf;
    return from_pyversion;
}

int cli_init(int argc, char **argv)
{
    struct dirs d = DIRS_INIT;
    struct err e = ERR_INIT;
    struct sb dir = SB_INIT, file = SB_INIT, venv = SB_INIT, py = SB_INIT;
    struct sb pv = SB_INIT;
    struct sv shared = SV_INIT, sites = SV_INIT;
    struct cfg c = CFG_INIT;
    struct pyver ver = PYVER_NONE;
    struct plat_lock *lock = NULL;
    struct pyproject pp = PYPROJECT_INIT;
    struct sb ppfile = SB_INIT;
    const char *python = NULL, *target = NULL;
    int no_venv = 0, code = PYSHIM_EXIT_OK, did = 0, from_pyversion = 0;
    int want_pp = 0, use_pp = 0;
    struct opt opts[] = {
        OPT_STRING(0, "python", &python),
        OPT_STRINGS(0, "shared", &shared),
        OPT_BOOL(0, "no-venv", &no_venv),
        OPT_BOOL(0, "pyproject", &want_pp),
        OPT_END(),
    };
    struct opt_cmd oc = OPT_CMD(usage, opts, &target, 1);

    if (opt_parse_cmd(&oc, argc, argv, &code))
        goto out;
    if (dirs_init(&d, &e) < 0 || init_dir(&d, target, &dir, &e) < 0 ||
        init_lock(&d, dir.buf, &lock, &e) < 0)
        goto fail;
    path_join(&file, dir.buf, ".pyshim.json");
    path_join(&ppfile, dir.buf, "pyproject.toml");
    use_pp =
        init_config(&d, dir.buf, file.buf, ppfile.buf, want_pp, &pp, &c, &e);
    if (use_pp < 0)
        goto fail;
    from_pyversion =
        init_python_request(&d, dir.buf, &c, &shared, &python, &pv, &e);
    if (from_pyversion < 0)
        goto fail;
    if (choose_interpreter(python ? python : c.python, &pp, ppfile.buf, &py,
                           &ver, &e) < 0 ||
        shared_sites(&d, &c, &shared, &ver, &sites, &e) < 0)
        goto fail;
    /* what pyproject.toml will get is checked before anything is made */
    if (use_pp && write_pyproject(&d, ppfile.buf, python, from_pyversion, &ver,
                                  &shared, &c, 1, &did, &e) < 0)
        goto fail;

    if (c.venv)
        sb_set(&venv, c.venv);
    else
        path_join(&venv, dir.buf, ".venv");
    if (!no_venv &&
        ensure_venv(&d, venv.buf, py.buf, &ver, &sites, &did, &e) < 0)
        goto fail;
    if (use_pp ? write_pyproject(&d, ppfile.buf, python, from_pyversion, &ver,
                                 &shared, &c, 0, &did, &e) < 0
               : write_config(&d, file.buf, python, from_pyversion, &ver,
                              &shared, &c, &did, &e) < 0)
        goto fail;
    cli_register_project(&d, dir.buf);
    if (apply_here(dir.buf, did, &e) < 0)
        goto fail;
    goto out;
fail:
    code = cli_report(&e);
out:
    plat_unlock(lock);
    dirs_release(&d);
    err_release(&e);
    sb_release(&dir);
    sb_release(&file);
    sb_release(&venv);
    sb_release(&py);
    sb_release(&pv);
    sv_release(&shared);
    sv_release(&sites);
    cfg_release(&c);
    pyproject_release(&pp);
    sb_release(&ppfile);
    return code;
}
