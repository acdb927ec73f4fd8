#include "launcher/env.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/xalloc.h"
#include "config/cfg.h"
#include "launcher/hook.h"
#include "launcher/venv.h"
#include "common/banned.h"

static int version_clash(const char *entry, const char *what,
                         const struct pyver *have, const char *have_lib,
                         const struct pyver *want, const char *want_lib,
                         struct err *e)
{
    char hb[32], wb[32];

    if (have->minor >= 0 && want->minor >= 0 &&
        (have->major != want->major || have->minor != want->minor)) {
        err_set(e, PYSHIM_EXIT_CONFIG,
                "shared env '%s' (%s) is Python %d.%d, but this "
                "environment runs Python %d.%d",
                entry, what, have->major, have->minor, want->major,
                want->minor);
        err_hint(e,
                 "packages built for %s do not load in %s: create the "
                 "shared env with Python %d.%d, or use a %d.%d project",
                 pyver_str(have, hb, sizeof(hb)),
                 pyver_str(want, wb, sizeof(wb)), want->major, want->minor,
                 have->major, have->minor);
        return -1;
    }
    if (have_lib && want_lib && strcmp(have_lib, want_lib)) {
        err_set(e, PYSHIM_EXIT_CONFIG,
                "shared env '%s' (%s) is built for ABI '%s', but this "
                "environment uses '%s'",
                entry, what, have_lib, want_lib);
        err_hint(e, "free-threaded ('t') and regular builds cannot share "
                    "packages: create the shared env with the same build");
        return -1;
    }
    return 0;
}

int env_shared_site(const char *entry, const char *data_dir,
                    const struct pyver *want, const char *want_lib,
                    struct sb *site, struct trace *t, struct err *e)
{
    struct sb dir = SB_INIT;
    struct venv v = VENV_INIT;
    int ret = -1;

    if (cfg_is_name(entry)) {
        sb_addf(&dir, "%s/shared/%s", data_dir, entry);
        if (!plat_is_dir(dir.buf)) {
            err_set(e, PYSHIM_EXIT_NOINPUT,
                    "shared env '%s' does not exist (looked for '%s')", entry,
                    dir.buf);
            err_hint(e,
                     "create it with `pyshim shared create %s`, or write "
                     "a path such as \"../%s\" if it lives elsewhere",
                     entry, entry);
            goto out;
        }
    } else {
        sb_addstr(&dir, entry);
        if (!plat_is_dir(dir.buf)) {
            err_set(e, PYSHIM_EXIT_NOINPUT,
                    "shared path '%s' does not exist or is not a directory",
                    entry);
            err_hint(e,
                     "fix the \"shared\" entry, or create the venv with "
                     "`python -m venv %s`",
                     entry);
            goto out;
        }
    }
    if (venv_is_venv(dir.buf)) {
        struct err sub = ERR_INIT;

        if (venv_load(&v, dir.buf, &sub) < 0) {
            err_set(e, sub.code, "shared env '%s' is broken: %s", entry,
                    sub.msg);
            if (sub.hint)
                err_hint(e, "%s", sub.hint);
            err_release(&sub);
            goto out;
        }
        if (!v.site) {
            err_set(e, PYSHIM_EXIT_NOINPUT,
                    "shared env '%s' is broken: no lib/python*/site-packages "
                    "in '%s'",
                    entry, dir.buf);
            err_hint(e, "recreate it with `python -m venv %s`", dir.buf);
            goto out;
        }
        if (version_clash(entry, dir.buf, &v.ver, v.libname, want, want_lib,
                          e) < 0)
            goto out;
        sb_set(site, v.site);
    } else {
        /* A bare site-packages dir: its parent may tell the version. */
        struct sb parent = SB_INIT;
        struct pyver pv = PYVER_NONE;
        const char *base;

        sb_addstr(&parent, dir.buf);
        path_dirname(&parent);
        base = path_basename(parent.buf);
        if (!strncmp(base, "python", 6) && !pyver_parse(base, &pv, 1) &&
            pv.minor >= 0 &&
            version_clash(entry, dir.buf, &pv, base, want, want_lib, e) < 0) {
            sb_release(&parent);
            goto out;
        }
        sb_release(&parent);
        sb_set(site, dir.buf);
    }
    trace_add(t, "shared '%s' -> '%s'", entry, site->buf);
    ret = 0;
out:
    sb_release(&dir);
    venv_release(&v);
    return ret;
}

static uint64_t fnv1a_add(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    h ^= '\n';
    h *= 1099511628211ULL;
    return h;
}

static int build_overlay(const char *final, const char *root, const char *base,
                         const struct pyver *ver, const char *abiflags,
                         const struct sb *hook, struct err *e)
{
    struct sb tmp = SB_INIT, p = SB_INIT, home = SB_INIT, cfg = SB_INIT;
    int ret = -1;
    char vb[32];
    const char *t = strchr(abiflags ? abiflags : "", 't') ? "t" : "";

    sb_addf(&tmp, "%s/.tmp-XXXXXX", root);
    if (plat_mkdirs(root, 0755) < 0 || plat_mkdtemp(&tmp) < 0) {
        err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot create '%s': %s", root,
                plat_strerror(errno));
        err_hint(e, "check that the data dir is writable (PYSHIM_HOME)");
        goto out;
    }
    sb_addstr(&home, base);
    path_dirname(&home);
    /* include-system-site-packages: the base's own packages (pip among
     * them) stay visible, after the shared ones: "the base interpreter
     * plus shared libraries" is what such a project asked for. */
    sb_addf(&cfg,
            "home = %s\ninclude-system-site-packages = true\n"
            "version = %s\nexecutable = %s\n"
            "pyshim = overlay\n",
            home.buf, pyver_str(ver, vb, sizeof(vb)), base);
    sb_addf(&p, "%s/pyvenv.cfg", tmp.buf);
    if (plat_write_atomic(p.buf, cfg.buf, cfg.len, 0644) < 0)
        goto fail;
    sb_reset(&p);
    sb_addf(&p, "%s/bin", tmp.buf);
    if (plat_mkdir(p.buf, 0755) < 0)
        goto fail;
    sb_addstr(&p, "/python");
    if (plat_symlink(base, p.buf) < 0)
        goto fail;
    sb_addstr(&p, "3");
    if (plat_symlink("python", p.buf) < 0)
        goto fail;
    sb_addf(&p, ".%d", ver->minor);
    if (plat_symlink("python", p.buf) < 0)
        goto fail;
    sb_reset(&p);
    sb_addf(&p, "%s/lib/python%d.%d%s/site-packages", tmp.buf, ver->major,
            ver->minor, t);
    if (plat_mkdirs(p.buf, 0755) < 0)
        goto fail;
    sb_addf(&p, "/%s", HOOK_FILE);
    if (hook->len && plat_write_atomic(p.buf, hook->buf, hook->len, 0644) < 0)
        goto fail;
    if (plat_rename(tmp.buf, final) < 0) {
        /* Someone else finished first: theirs is as good as ours. */
        if (venv_is_venv(final)) {
            plat_rmtree(tmp.buf);
            ret = 0;
            goto out;
        }
        goto fail;
    }
    ret = 0;
    goto out;
fail:
    err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot build the overlay env '%s': %s",
            final, plat_strerror(errno));
    err_hint(e, "check free space and permissions under '%s'", root);
    plat_rmtree(tmp.buf);
out:
    sb_release(&tmp);
    sb_release(&p);
    sb_release(&home);
    sb_release(&cfg);
    return ret;
}

int env_overlay(const char *data_dir, const char *base, const struct pyver *ver,
                const char *abiflags, const struct sv *sites,
                const struct sb *hook, int create, struct sb *dir,
                struct trace *t, struct err *e)
{
    struct sb root = SB_INIT, real = SB_INIT;
    uint64_t h = 1469598103934665603ULL;
    size_t i;
    int ret = -1;

    if (plat_realpath(base, &real) < 0)
        sb_set(&real, base);
    h = fnv1a_add(h, real.buf);
    for (i = 0; i < sites->nr; i++)
        h = fnv1a_add(h, sites->v[i]);
    sb_addf(&root, "%s/overlays", data_dir);
    sb_reset(dir);
    sb_addf(dir, "%s/%d.%d-%012" PRIx64, root.buf, ver->major, ver->minor,
            (uint64_t)(h & 0xffffffffffffULL));
    if (venv_is_venv(dir->buf)) {
        trace_add(t, "overlay env '%s'", dir->buf);
        ret = 0;
        goto out;
    }
    if (!create) {
        trace_add(t, "overlay env '%s' (not built yet)", dir->buf);
        ret = 0;
        goto out;
    }
    if (build_overlay(dir->buf, root.buf, base, ver, abiflags, hook, e) < 0)
        goto out;
    trace_add(t, "built overlay env '%s'", dir->buf);
    ret = 0;
out:
    sb_release(&root);
    sb_release(&real);
    return ret;
}
