#include "launcher/env.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sha256.h"
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
        err_set(
            e, PYSHIM_EXIT_CONFIG,
            "shared env '%s' (%s) is Python %d.%d, but this environment runs Python %d.%d",
            entry, what, have->major, have->minor, want->major, want->minor);
        err_hint(
            e,
            "packages built for %s do not load in %s: if the shared env was upgraded, `pyshim sync --python %d.%d` in the project rebuilds it on that Python; else create the shared env with Python %d.%d",
            pyver_str(have, hb, sizeof(hb)), pyver_str(want, wb, sizeof(wb)),
            have->major, have->minor, want->major, want->minor);
        return -1;
    }
    if (have_lib && want_lib && strcmp(have_lib, want_lib)) {
        err_set(
            e, PYSHIM_EXIT_CONFIG,
            "shared env '%s' (%s) is built for ABI '%s', but this environment uses '%s'",
            entry, what, have_lib, want_lib);
        err_hint(
            e,
            "free-threaded ('t') and regular builds cannot share packages: create the shared env with the same build");
        return -1;
    }
    return 0;
}

/* The directory a "shared" entry names: a shared env by name under
 * data_dir/shared, else a path; -1 with e if it is not a directory. */
static int shared_dir(const char *entry, const char *data_dir, struct sb *dir,
                      struct err *e)
{
    if (cfg_is_name(entry)) {
        path_join(dir, data_dir, "shared");
        path_join(dir, dir->buf, entry);
        if (plat_is_dir(dir->buf))
            return 0;
        err_set(e, PYSHIM_EXIT_NOINPUT,
                "shared env '%s' does not exist (looked for '%s')", entry,
                dir->buf);
        return err_hint(
            e,
            "create it with `pyshim shared create %s`, or write a path such as \"../%s\" if it lives elsewhere",
            entry, entry);
    }
    sb_addstr(dir, entry);
    if (plat_is_dir(dir->buf))
        return 0;
    err_set(e, PYSHIM_EXIT_NOINPUT,
            "shared path '%s' does not exist or is not a directory", entry);
    return err_hint(
        e,
        "fix the \"shared\" entry, or create the venv with `python -m venv %s`",
        entry);
}

/* A bare site-packages dir: its parent (lib/pythonX.Y) may tell the
 * version, which must then match the environment's. */
static int bare_site_clash(const char *entry, const char *dir,
                           const struct pyver *want, const char *want_lib,
                           struct err *e)
{
    struct sb parent = SB_INIT;
    struct pyver pv = PYVER_NONE;
    const char *base;
    int ret = 0;

    sb_addstr(&parent, dir);
    path_dirname(&parent);
    base = path_basename(parent.buf);
    if (!strncmp(base, "python", 6) && !pyver_parse(base, &pv, 1) &&
        pv.minor >= 0)
        ret = version_clash(entry, dir, &pv, base, want, want_lib, e);
    sb_release(&parent);
    return ret;
}

int env_shared_site(const char *entry, const char *data_dir,
                    const struct pyver *want, const char *want_lib,
                    struct sb *site, struct trace *t, struct err *e)
{
    struct sb dir = SB_INIT;
    struct venv v = VENV_INIT;
    int ret = -1;

    if (shared_dir(entry, data_dir, &dir, e) < 0)
        goto out;
    if (venv_is_incomplete(dir.buf)) {
        /* `shared create` was killed, or is still running: a half venv
         * would lose packages that are still being installed */
        err_set(
            e, PYSHIM_EXIT_NOINPUT,
            "shared env '%s' is incomplete: its creation was interrupted or is still running ('%s')",
            entry, dir.buf);
        if (cfg_is_name(entry))
            err_hint(e, "`pyshim shared create %s` makes it again", entry);
        else
            err_hint(e, "recreate it with `python -m venv %s`", dir.buf);
        goto out;
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
                    "shared env '%s' is broken: no %s in '%s'", entry,
                    PLAT_WINDOWS ? "Lib\\site-packages"
                                 : "lib/python*/site-packages",
                    dir.buf);
            err_hint(e, "recreate it with `python -m venv %s`", dir.buf);
            goto out;
        }
        if (version_clash(entry, dir.buf, &v.ver, v.libname, want, want_lib,
                          e) < 0)
            goto out;
        sb_set(site, v.site);
    } else {
        if (bare_site_clash(entry, dir.buf, want, want_lib, e) < 0)
            goto out;
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

/* Windows: the base's own venv launcher, the program `python -m venv`
 * copies to Scripts\python.exe (venvlauncher.exe from 3.13, python.exe
 * before; venvlaunchert.exe for a free-threaded base). Replaces src; -1
 * with e set if the install has none. */
static int venv_launcher(const char *base, int freethreaded, struct sb *src,
                         struct err *e)
{
    /* venvlaunchert.exe runs the free-threaded python3.Nt.exe */
    static const char *const names[] = {"venvlaunchert.exe", "venvlauncher.exe",
                                        "python.exe", NULL};
    struct sb dir = SB_INIT;
    int i;

    sb_set(&dir, base);
    path_dirname(&dir);
    path_join(&dir, dir.buf, "Lib\\venv\\scripts\\nt");
    for (i = freethreaded ? 0 : 1; names[i]; i++) {
        path_join(src, dir.buf, names[i]);
        if (plat_is_file(src->buf))
            break;
    }
    if (!names[i]) {
        err_set(
            e, PYSHIM_EXIT_NOINPUT,
            "cannot build an overlay env for '%s': it has no venv launcher in '%s'",
            base, dir.buf);
        err_hint(
            e,
            "give the project a venv of its own (`pyshim init`), or repair that Python install");
    }
    sb_release(&dir);
    return names[i] ? 0 : -1;
}

/* The overlay's programs. POSIX: bin/python (and python3, python3.N)
 * linking to the base. Windows, where links need privileges and a copied
 * python.exe would not find its DLLs: a copy of the base's venv launcher
 * (launcher, from venv_launcher()), which starts the base with
 * __PYVENV_LAUNCHER__ naming the overlay. -1 with errno. */
static int overlay_programs(const char *dir, const char *base,
                            const char *launcher, const struct pyver *ver)
{
    struct sb p = SB_INIT;
    int ret = -1;

    path_join(&p, dir, PLAT_VENV_BIN);
    if (plat_mkdir(p.buf, 0755) < 0)
        goto out;
    if (PLAT_WINDOWS) {
        path_join(&p, p.buf, "python.exe");
        ret = plat_link_or_copy(launcher, p.buf);
        goto out;
    }
    path_join(&p, p.buf, "python");
    if (plat_symlink(base, p.buf) < 0)
        goto out;
    sb_addstr(&p, "3");
    if (plat_symlink("python", p.buf) < 0)
        goto out;
    sb_addf(&p, ".%d", ver->minor);
    if (plat_symlink("python", p.buf) < 0)
        goto out;
    ret = 0;
out:
    sb_release(&p);
    return ret;
}

/* Overlay builds and the clean-up of the ones a kill interrupted take
 * turns on DATA/locks/overlays.lock: a builder holds it shared from
 * before it makes its .tmp- dir until that dir is renamed or removed, so
 * whoever holds it exclusive knows that every .tmp- dir there is a dead
 * builder's. (Not in overlays/ itself, which holds only overlays.) */
static int overlay_lock(const char *data_dir, unsigned flags,
                        struct plat_lock **l)
{
    struct sb p = SB_INIT;
    int ret;

    path_join(&p, data_dir, "locks");
    plat_mkdirs(p.buf, 0755);
    path_join(&p, p.buf, "overlays.lock");
    ret = plat_lock(p.buf, flags, l);
    sb_release(&p);
    return ret;
}

/* Is name in root an unfinished build of ours: a real directory (not a
 * link) named .tmp-*, owned by this user? */
static int is_leftover(const char *root, const char *name, struct sb *p)
{
    struct plat_stat st;

    if (strncmp(name, ".tmp-", 5))
        return 0;
    path_join(p, root, name);
    return !plat_stat(p->buf, &st, 0) && st.is_dir && !st.is_lnk &&
           st.uid == plat_uid();
}

void env_overlay_leftovers(const char *data_dir, struct sv *out)
{
    struct sb root = SB_INIT, p = SB_INIT;
    struct sv names = SV_INIT;
    size_t i;

    path_join(&root, data_dir, "overlays");
    plat_listdir(root.buf, &names);
    for (i = 0; i < names.nr; i++)
        if (is_leftover(root.buf, names.v[i], &p))
            sv_push(out, p.buf);
    sv_release(&names);
    sb_release(&root);
    sb_release(&p);
}

/* Remove the leftovers; the caller holds the lock exclusive. */
static int clean_locked(const char *data_dir, size_t *removed, struct err *e)
{
    struct sv left = SV_INIT;
    size_t i;
    int ret = 0;

    env_overlay_leftovers(data_dir, &left);
    for (i = 0; i < left.nr; i++) {
        if (plat_rmtree(left.v[i]) == 0) {
            if (removed)
                (*removed)++;
        } else if (!ret) {
            err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot remove '%s': %s",
                    left.v[i], plat_strerror(errno));
            ret = -1;
        }
    }
    sv_release(&left);
    return ret;
}

int env_overlay_clean(const char *data_dir, size_t *removed, struct err *e)
{
    struct plat_lock *l = NULL;
    int ret;

    *removed = 0;
    if (overlay_lock(data_dir, PLAT_LOCK_NOWAIT, &l) < 0) {
        if (errno == EWOULDBLOCK) {
            err_set(e, PYSHIM_EXIT_FAILURE,
                    "an overlay env is being built right now");
            err_hint(e, "run it again once that `python` has started");
        } else {
            err_set(e, PYSHIM_EXIT_CANTCREAT,
                    "cannot lock '%s%clocks%coverlays.lock': %s", data_dir,
                    PLAT_DIRSEP, PLAT_DIRSEP, plat_strerror(errno));
        }
        return -1;
    }
    ret = clean_locked(data_dir, removed, e);
    plat_unlock(l);
    return ret;
}

/* Take the build lock (shared), first clearing what killed builders left
 * when no build is running. NULL if the lock cannot be had at all (a data
 * dir that takes no locks): the build goes ahead, only without clean-up. */
static struct plat_lock *build_lock(const char *data_dir)
{
    struct plat_lock *l = NULL;

    if (!overlay_lock(data_dir, PLAT_LOCK_NOWAIT, &l)) {
        clean_locked(data_dir, NULL, NULL);
        plat_unlock(l);
    }
    if (overlay_lock(data_dir, PLAT_LOCK_SHARED, &l) < 0)
        l = NULL;
    return l;
}

static int build_overlay(const char *data_dir, const char *final,
                         const char *root, const char *base,
                         const struct pyver *ver, const char *abiflags,
                         const struct sb *hook, struct err *e)
{
    struct sb tmp = SB_INIT, p = SB_INIT, home = SB_INIT, cfg = SB_INIT;
    struct sb launcher = SB_INIT;
    struct plat_lock *lock = NULL;
    int ret = -1, changed;
    char vb[32];
    const char *t = strchr(abiflags ? abiflags : "", 't') ? "t" : "";

    if (PLAT_WINDOWS && venv_launcher(base, *t != '\0', &launcher, e) < 0)
        goto out;
    lock = build_lock(data_dir);
    path_join(&tmp, root, ".tmp-XXXXXX");
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
    path_join(&p, tmp.buf, "pyvenv.cfg");
    if (plat_write_atomic(p.buf, cfg.buf, cfg.len, 0644) < 0)
        goto fail;
    if (overlay_programs(tmp.buf, base, launcher.buf, ver) < 0)
        goto fail;
    venv_site_path(&p, tmp.buf, ver, t);
    if (plat_mkdirs(p.buf, 0755) < 0)
        goto fail;
    if (hook_sync(p.buf, hook, &changed, e) < 0) {
        plat_rmtree(tmp.buf);
        goto out;
    }
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
    plat_unlock(lock);
    sb_release(&tmp);
    sb_release(&p);
    sb_release(&home);
    sb_release(&cfg);
    sb_release(&launcher);
    return ret;
}

void env_overlay_dir(const char *data_dir, const char *base,
                     const struct pyver *ver, const struct sv *sites,
                     struct sb *dir)
{
    struct sb root = SB_INIT, real = SB_INIT;
    uint64_t h = 1469598103934665603ULL;
    size_t i;

    if (plat_realpath(base, &real) < 0)
        sb_set(&real, base);
    h = fnv1a_add(h, real.buf);
    for (i = 0; i < sites->nr; i++)
        h = fnv1a_add(h, sites->v[i]);
    path_join(&root, data_dir, "overlays");
    sb_reset(dir);
    sb_addf(dir, "%s%c%d.%d-%012" PRIx64, root.buf, PLAT_DIRSEP, ver->major,
            ver->minor, (uint64_t)(h & 0xffffffffffffULL));
    sb_release(&root);
    sb_release(&real);
}

int env_overlay_build(const char *data_dir, const char *dir, const char *base,
                      const struct pyver *ver, const char *abiflags,
                      const struct sb *hook, struct trace *t, struct err *e)
{
    struct sb root = SB_INIT;
    int ret = 0;

    if (venv_is_venv(dir))
        goto out;
    path_join(&root, data_dir, "overlays");
    ret = build_overlay(data_dir, dir, root.buf, base, ver, abiflags, hook, e);
    if (!ret)
        trace_add(t, "built overlay env '%s'", dir);
out:
    sb_release(&root);
    return ret;
}

/* env_shared_name with DATA/shared given (root) */
static int shared_name_in(const struct sb *root, const char *site,
                          struct sb *name)
{
    const char *rest, *sep;

    if (!path_is_inside(site, root->buf) || path_equal(site, root->buf))
        return -1;
    rest = site + root->len;
    while (*rest == '/' || (PLAT_WINDOWS && *rest == '\\'))
        rest++;
    sep = rest;
    while (*sep && *sep != '/' && !(PLAT_WINDOWS && *sep == '\\'))
        sep++;
    sb_reset(name);
    sb_add(name, rest, (size_t)(sep - rest));
    return cfg_is_name(name->buf) ? 0 : -1;
}

int env_shared_name(const char *data_dir, const char *site, struct sb *name)
{
    struct sb root = SB_INIT;
    int ret;

    path_join(&root, data_dir, "shared");
    ret = shared_name_in(&root, site, name);
    sb_release(&root);
    return ret;
}

void env_note_users(const char *data_dir, const char *env_dir, const char *from,
                    const struct sv *sites, const char *hook_path,
                    const struct sb *hook, int rewrite)
{
    struct sb name = SB_INIT, file = SB_INIT, rec = SB_INIT, root = SB_INIT;
    struct sha256 s;
    struct plat_stat st;
    char hex[65], key[65];
    size_t i;

    if (!env_dir || !hook_path)
        return;
    sha256_init(&s);
    sha256_update(&s, env_dir, strlen(env_dir));
    sha256_hex(&s, key);
    key[16] = '\0';
    path_join(&root, data_dir, "shared");
    for (i = 0; i < sites->nr; i++) {
        if (shared_name_in(&root, sites->v[i], &name) < 0)
            continue;
        /* ROOT/NAME/.users/KEY (name is one component, key hex) */
        sb_set(&file, root.buf);
        sb_addch(&file, PLAT_DIRSEP);
        sb_addstr(&file, name.buf);
        sb_addch(&file, PLAT_DIRSEP);
        sb_addstr(&file, ".users");
        sb_addch(&file, PLAT_DIRSEP);
        sb_addstr(&file, key);
        /* the warm path: one stat, no write */
        if (!rewrite && !plat_stat(file.buf, &st, 0))
            continue;
        if (!rec.len) {
            sha256_init(&s);
            sha256_update(&s, hook->buf, hook->len);
            sha256_hex(&s, hex);
            sb_add(&rec, hex, 64);
            sb_add(&rec, "", 1);
            sb_add(&rec, hook_path, strlen(hook_path));
            sb_add(&rec, "", 1);
            sb_add(&rec, env_dir, strlen(env_dir));
            sb_add(&rec, "", 1);
            if (from)
                sb_add(&rec, from, strlen(from));
        }
        path_dirname(&file);
        /* only into a shared env that exists and is this user's: never
         * create one, and never leave a file someone else (root under
         * `sudo -E`) would then own in the user's env */
        path_dirname(&file);
        if (plat_stat(file.buf, &st, 1) < 0 || !st.is_dir ||
            st.uid != plat_uid())
            continue;
        path_join(&file, file.buf, ".users");
        if (plat_mkdirs(file.buf, 0755) < 0)
            continue;
        path_join(&file, file.buf, key);
        plat_write_atomic(file.buf, rec.buf, rec.len, 0644);
    }
    sb_release(&root);
    sb_release(&name);
    sb_release(&file);
    sb_release(&rec);
}
