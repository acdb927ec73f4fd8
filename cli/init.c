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
    "usage: pyshim init [--python V] [--shared NAME...] [--no-venv] [DIR]\n"
    "\n"
    "Make DIR (default: the current directory) a project:\n"
    "  - write or update DIR/.pyshim.json (other keys are kept);\n"
    "  - create the light venv DIR/.venv with the interpreter's own venv\n"
    "    module, without its own pip when a shared env provides one;\n"
    "  - write the hook that makes the shared envs visible in it;\n"
    "  - trust the config as written, and record the venv it made.\n"
    "A config found there that needs trust and has none is an error (run\n"
    "`pyshim trust DIR` after reviewing it): nothing it names is run.\n"
    "Running it again is safe: it reports what changed, or that nothing did.\n"
    "\n"
    "  --python V       version request (3.12, 3.12.1) or interpreter path\n"
    "  --shared NAME..  shared envs (names under DATA/shared, or paths)\n"
    "  --no-venv        no venv: shared envs come through an overlay env\n";

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

/* Does any of the shared site dirs hold pip? */
static int shared_has_pip(const struct sv *sites)
{
    struct sb p = SB_INIT;
    size_t i;
    int ret = 0;

    for (i = 0; i < sites->nr && !ret; i++) {
        path_join(&p, sites->v[i], "pip/__init__.py");
        ret = plat_is_file(p.buf);
    }
    sb_release(&p);
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
        }
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

int cli_init(int argc, char **argv)
{
    struct dirs d = DIRS_INIT;
    struct err e = ERR_INIT;
    struct sb dir = SB_INIT, file = SB_INIT, venv = SB_INIT, py = SB_INIT;
    struct sb pv = SB_INIT, ctext = SB_INIT;
    struct sv shared = SV_INIT, sites = SV_INIT;
    struct cfg c = CFG_INIT;
    struct cfg_update u;
    struct pyver ver = PYVER_NONE;
    struct venv v = VENV_INIT;
    struct resolve_in in;
    struct plan p;
    struct plat_lock *lock = NULL;
    const char *python = NULL, *target = NULL;
    char *summary = NULL, *why = NULL;
    char vb[32];
    int no_venv = 0, changed = 0, code = PYSHIM_EXIT_OK, did = 0;
    int from_pyversion = 0;
    struct opt opts[] = {
        OPT_STRING(0, "python", &python),
        OPT_STRINGS(0, "shared", &shared),
        OPT_BOOL(0, "no-venv", &no_venv),
        OPT_END(),
    };
    struct opt_cmd oc = OPT_CMD(usage, opts, &target, 1);

    plan_init(&p);
    if (opt_parse_cmd(&oc, argc, argv, &code))
        goto out;
    if (dirs_init(&d, &e) < 0 ||
        path_absolute(&dir, target ? target : ".", NULL, d.home, &e) < 0)
        goto fail;
    if (!plat_is_dir(dir.buf)) {
        err_set(&e, PYSHIM_EXIT_NOINPUT, "'%s' is not a directory", dir.buf);
        goto fail;
    }
    if (init_lock(&d, dir.buf, &lock, &e) < 0)
        goto fail;
    path_join(&file, dir.buf, ".pyshim.json");
    if (plat_is_file(file.buf) &&
        cfg_load_text(&c, file.buf, d.home, &ctext, &e) < 0)
        goto fail;
    /* A config that came with the tree (a clone) is code: init neither
     * runs what it names (-m venv, the probe) nor trusts it for the user.
     * Only what init writes itself is trusted below. */
    if (c.file && trust_require(d.data, &c, dir.buf, &ctext, &e) < 0)
        goto fail;
    if (!c.file) {
        c.file = xstrdup(file.buf);
        c.dir = xstrdup(dir.buf);
    }

    /* The interpreter: --python, else the config's, else .python-version,
     * else the default. */
    if (!python && !c.python) {
        struct sb f = SB_INIT;

        path_join(&f, dir.buf, ".python-version");
        if (plat_is_file(f.buf) && !pyverfile_load(f.buf, &pv, &e))
            from_pyversion = 1;
        /* the shim's rule (config/discover.c): versions only there */
        if (from_pyversion && (path_has_dir(pv.buf) || strchr(pv.buf, '\\'))) {
            err_set(
                &e, PYSHIM_EXIT_NOPERM,
                "'%s' names a program by path ('%s'): a .python-version file may only ask for a version",
                f.buf, pv.buf);
            err_hint(
                &e, "write a version such as \"3.12\" in it, or pass --python");
            sb_release(&f);
            goto fail;
        }
        sb_release(&f);
    }
    if (!python && !c.python && !pv.len)
        shared_version(&d, &c, &shared, &pv);
    if (pv.len)
        python = pv.buf;
    if (resolve_interpreter(python ? python : c.python, &py, &ver, &e) < 0)
        goto fail;
    if (shared_sites(&d, &c, &shared, &ver, &sites, &e) < 0)
        goto fail;

    /* The venv. */
    if (c.venv)
        sb_set(&venv, c.venv);
    else
        path_join(&venv, dir.buf, ".venv");
    if (!no_venv) {
        if (venv_is_venv(venv.buf) && !venv_is_incomplete(venv.buf)) {
            if (venv_load(&v, venv.buf, &e) < 0)
                goto fail;
            if (v.ver.minor >= 0 &&
                (v.ver.major != ver.major || v.ver.minor != ver.minor)) {
                err_set(&e, PYSHIM_EXIT_CONFIG,
                        "venv '%s' is Python %s, not %d.%d", venv.buf,
                        pyver_str(&v.ver, vb, sizeof(vb)), ver.major,
                        ver.minor);
                err_hint(
                    &e,
                    "remove it and run `pyshim init` again, or choose --python %d.%d",
                    v.ver.major, v.ver.minor);
                goto fail;
            }
        } else {
            int with_pip = !shared_has_pip(&sites);

            if (make_venv(d.data, py.buf, venv.buf, with_pip, &e) < 0)
                goto fail;
            printf("pyshim: created %s (Python %s%s)\n", venv.buf,
                   pyver_str(&ver, vb, sizeof(vb)),
                   with_pip ? ", with pip" : "; pip comes from a shared env");
            did = 1;
        }
    }

    /* The config: write what was asked, keep everything else. */
    memset(&u, 0, sizeof(u));
    if (python && !from_pyversion)
        u.python = python;
    else if (!c.python && !from_pyversion) {
        snprintf(vb, sizeof(vb), "%d.%d", ver.major, ver.minor);
        u.python = vb;
    }
    u.shared_add = &shared;
    u.before_write = trust_written;
    u.arg = d.data;
    if (cfg_update_file(file.buf, &u, &changed, &summary, &e) < 0)
        goto fail;
    if (changed) {
        printf("pyshim: wrote %s (%s)\n", file.buf,
               summary && *summary ? summary : "new");
        did = 1;
    }
    cli_register_project(&d, dir.buf);
    /* The user wrote it through us: trust it as written. */
    cfg_release(&c);
    if (cfg_load(&c, file.buf, d.home, &e) < 0)
        goto fail;
    why = trust_needed(&c);
    if (why) {
        if (trust_add(d.data, file.buf, &e) < 0)
            goto fail;
        if (changed)
            printf("pyshim: trusted it (%s)\n", why);
    }

    /* Resolve for real once: writes the hook (and builds an overlay). */
    resolve_in_init(&in);
    in.invoked = "python";
    in.cwd = dir.buf;
    if (resolve(&in, &p, &e) < 0 || apply_plan(&p, &e) < 0)
        goto fail;
    if (p.hook_changed) {
        printf("pyshim: wrote the hook %s\n", p.hook_path);
        did = 1;
    }
    printf("pyshim: %s: python runs %s (%s)\n",
           did ? "done" : "nothing to change", p.exe,
           pyver_str(&p.ver, vb, sizeof(vb)));
    goto out;
fail:
    code = cli_report(&e);
out:
    plat_unlock(lock);
    plan_release(&p);
    dirs_release(&d);
    err_release(&e);
    sb_release(&dir);
    sb_release(&file);
    sb_release(&ctext);
    sb_release(&venv);
    sb_release(&py);
    sb_release(&pv);
    sv_release(&shared);
    sv_release(&sites);
    cfg_release(&c);
    venv_release(&v);
    free(summary);
    free(why);
    return code;
}
