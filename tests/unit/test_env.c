/* realpath() is X/Open */
#define _XOPEN_SOURCE 700

/* Unit tests for launcher/env.h: shared site dirs and overlay venvs. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/exitcode.h"
#include "common/plat.h"
#include "launcher/env.h"
#include "launcher/hook.h"
#include "launcher/venv.h"
#include "tests/unit/testutil.h"

static char *root; /* data dir = root/data */
static char *data;
static char *base; /* a fake base interpreter */

/* A venv at root/rel for version ver with lib dir lib. */
static void make_venv(const char *rel, const char *ver, const char *lib)
{
    char buf[512];

    snprintf(buf, sizeof(buf), "%s/pyvenv.cfg", rel);
    {
        char text[256];

        snprintf(text, sizeof(text), "home = /opt/py/bin\nversion = %s\n", ver);
        tu_write(root, buf, text);
    }
    snprintf(buf, sizeof(buf), "%s/bin/python", rel);
    tu_symlink(base, root, buf);
    snprintf(buf, sizeof(buf), "%s/lib/%s/site-packages", rel, lib);
    tu_mkdir(root, buf);
}

static int setup(void **state)
{
    (void)state;
    root = tu_mkdtemp();
    data = tu_path(root, "data");
    tu_write_bytes(root, "base/bin/python3.12", "#!/bin/sh\n", 10, 0755);
    base = tu_path(root, "base/bin/python3.12");
    make_venv("data/shared/ai", "3.12.1", "python3.12");
    make_venv("venvs/old", "3.11.9", "python3.11");
    make_venv("venvs/ft", "3.13.0", "python3.13t");
    tu_write(root, "venvs/nosite/pyvenv.cfg", "version = 3.12.0\n");
    tu_symlink(base, root, "venvs/nosite/bin/python");
    tu_write(root, "venvs/broken/pyvenv.cfg",
             "home = /gone/bin\nversion = 3.12.0\n"
             "executable = /gone/bin/python3.12\n");
    tu_symlink("/gone/bin/python3.12", root, "venvs/broken/bin/python");
    tu_mkdir(root, "venvs/broken/lib/python3.12/site-packages");
    tu_mkdir(root, "bare/lib/python3.12/site-packages");
    tu_mkdir(root, "bare/lib/python3.11/site-packages");
    tu_mkdir(root, "mylibs");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_cleanup(root);
    free(data);
    free(base);
    return 0;
}

static void test_env_shared_site__table(void **state)
{
    static const struct {
        const char *name, *entry; /* entry: a name, or a path under root */
        int is_name;
        int minor;
        const char *lib;
        const char *want; /* site, relative to root; NULL: an error */
        const char *err;
        int code;
    } cases[] = {
        {"named shared env", "ai", 1, 12, "python3.12",
         "data/shared/ai/lib/python3.12/site-packages", NULL, 0},
        {"venv by path", "data/shared/ai", 0, 12, "python3.12",
         "data/shared/ai/lib/python3.12/site-packages", NULL, 0},
        {"bare site-packages", "bare/lib/python3.12/site-packages", 0, 12,
         "python3.12", "bare/lib/python3.12/site-packages", NULL, 0},
        {"bare dir of unknown version", "mylibs", 0, 12, "python3.12", "mylibs",
         NULL, 0},
        {"missing name", "nope", 1, 12, "python3.12", NULL,
         "shared env 'nope' does not exist (looked for '", PYSHIM_EXIT_NOINPUT},
        {"missing path", "nowhere", 0, 12, "python3.12", NULL,
         "does not exist or is not a directory", PYSHIM_EXIT_NOINPUT},
        {"venv of another minor", "venvs/old", 0, 12, "python3.12", NULL,
         "is Python 3.11, but this environment runs Python 3.12",
         PYSHIM_EXIT_CONFIG},
        {"named env of another minor", "ai", 1, 11, "python3.11", NULL,
         "is Python 3.12, but this environment runs Python 3.11",
         PYSHIM_EXIT_CONFIG},
        {"bare dir of another minor", "bare/lib/python3.11/site-packages", 0,
         12, "python3.12", NULL,
         "is Python 3.11, but this environment runs Python 3.12",
         PYSHIM_EXIT_CONFIG},
        {"free-threaded vs regular", "venvs/ft", 0, 13, "python3.13", NULL,
         "built for ABI 'python3.13t', but this environment uses 'python3.13'",
         PYSHIM_EXIT_CONFIG},
        {"free-threaded match", "venvs/ft", 0, 13, "python3.13t",
         "venvs/ft/lib/python3.13t/site-packages", NULL, 0},
        {"venv without site-packages", "venvs/nosite", 0, 12, "python3.12",
         NULL, "no lib/python*/site-packages", PYSHIM_EXIT_NOINPUT},
        {"broken venv", "venvs/broken", 0, 12, "python3.12", NULL,
         "is broken: venv '", PYSHIM_EXIT_NOINPUT},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct pyver want = {3, cases[i].minor, -1};
        struct sb site = SB_INIT;
        struct err e = ERR_INIT;
        const char *name = cases[i].name;
        char *entry = cases[i].is_name ? strdup(cases[i].entry)
                                       : tu_path(root, cases[i].entry);
        int ret =
            env_shared_site(entry, data, &want, cases[i].lib, &site, NULL, &e);

        if (cases[i].want) {
            char *w = tu_path(root, cases[i].want);

            if (ret < 0)
                fail_msg("case '%s': %s", name, e.msg);
            TU_STR_EQ(name, site.buf, w);
            free(w);
        } else {
            TU_INT_EQ(name, ret, -1);
            TU_CONTAINS(name, e.msg, cases[i].err);
            TU_CONTAINS(name, e.msg, cases[i].entry);
            TU_INT_EQ(name, e.code, cases[i].code);
            if (!e.hint)
                fail_msg("case '%s': no hint", name);
        }
        free(entry);
        sb_release(&site);
        err_release(&e);
    }
}

/* Number of entries of dir whose name starts with prefix. */
static int count_prefixed(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;

    while (d && (de = readdir(d)))
        n += !strncmp(de->d_name, prefix, strlen(prefix));
    if (d)
        closedir(d);
    return n;
}

/* The overlay's dir (replaces dir), built when create is set: the old
 * env_overlay(), now env_overlay_dir() then env_overlay_build(). */
static int overlay(const char *data_dir, const char *b, const struct pyver *ver,
                   const char *abiflags, const struct sv *sites,
                   const struct sb *hook, int create, struct sb *dir,
                   struct err *e)
{
    env_overlay_dir(data_dir, b, ver, sites, dir);
    if (!create)
        return 0;
    return env_overlay_build(data_dir, dir->buf, b, ver, abiflags, hook, NULL,
                             e);
}

static void test_env_overlay__build_and_reuse(void **state)
{
    struct pyver ver = {3, 12, 1};
    struct sv sites = SV_INIT;
    struct sb hook = SB_INIT, dir = SB_INIT, dir2 = SB_INIT;
    struct err e = ERR_INIT;
    struct venv v = VENV_INIT;
    struct stat st1, st2;
    char *p, *text, *overlays = tu_path(root, "data/overlays");

    (void)state;
    sv_push(&sites, "/shared/a");
    hook_render(&sites, NULL, &hook);

    /* not asked to create: the name only */
    assert_int_equal(overlay(data, base, &ver, "", &sites, &hook, 0, &dir, &e),
                     0);
    assert_true(strncmp(dir.buf, overlays, strlen(overlays)) == 0);
    assert_non_null(strstr(dir.buf, "/3.12-"));
    assert_false(venv_is_venv(dir.buf));

    assert_int_equal(overlay(data, base, &ver, "", &sites, &hook, 1, &dir2, &e),
                     0);
    assert_string_equal(dir.buf, dir2.buf);
    if (venv_load(&v, dir.buf, &e) < 0)
        fail_msg("the overlay is no venv: %s", e.msg);
    assert_int_equal(v.ver.minor, 12);
    assert_int_equal(v.system_site, 1);
    assert_string_equal(v.executable, base);
    assert_non_null(strstr(v.home, "/base/bin"));
    assert_non_null(strstr(v.site, "/lib/python3.12/site-packages"));
    p = tu_path(v.site, HOOK_FILE);
    text = tu_read(p);
    assert_non_null(text);
    assert_string_equal(text, hook.buf);
    free(text);
    free(p);
    {
        /* bin/python -> base, python3 and python3.12 -> python */
        char *py = tu_path(dir.buf, "bin/python3.12");
        char *real = realpath(py, NULL);

        assert_non_null(real);
        assert_string_equal(real, base);
        free(real);
        free(py);
    }
    assert_int_equal(count_prefixed(overlays, ".tmp-"), 0);

    /* again: the same env, not rebuilt */
    p = tu_path(dir.buf, "pyvenv.cfg");
    assert_int_equal(stat(p, &st1), 0);
    assert_int_equal(overlay(data, base, &ver, "", &sites, &hook, 1, &dir2, &e),
                     0);
    assert_string_equal(dir.buf, dir2.buf);
    assert_int_equal(stat(p, &st2), 0);
    assert_true(st1.st_ino == st2.st_ino);
    free(p);

    /* other shared dirs: another overlay */
    sv_push(&sites, "/shared/b");
    assert_int_equal(overlay(data, base, &ver, "", &sites, &hook, 0, &dir2, &e),
                     0);
    assert_string_not_equal(dir.buf, dir2.buf);

    venv_release(&v);
    sv_release(&sites);
    sb_release(&hook);
    sb_release(&dir);
    sb_release(&dir2);
    free(overlays);
}

static void test_env_overlay__free_threaded_no_hook(void **state)
{
    struct pyver ver = {3, 13, 0};
    struct sv sites = SV_INIT;
    struct sb hook = SB_INIT, dir = SB_INIT;
    struct err e = ERR_INIT;
    char *p;

    (void)state;
    sv_push(&sites, "/shared/ft");
    if (overlay(data, base, &ver, "t", &sites, &hook, 1, &dir, &e) < 0)
        fail_msg("%s", e.msg);
    assert_non_null(strstr(dir.buf, "/3.13-"));
    p = tu_path(dir.buf, "lib/python3.13t/site-packages");
    assert_true(tu_exists(p, ""));
    assert_false(tu_exists(p, HOOK_FILE)); /* empty hook: no file */
    free(p);
    sv_release(&sites);
    sb_release(&dir);
}

static void test_env_overlay__unwritable_data_dir(void **state)
{
    struct pyver ver = {3, 12, 1};
    struct sv sites = SV_INIT;
    struct sb hook = SB_INIT, dir = SB_INIT;
    struct err e = ERR_INIT;
    char *file = tu_path(root, "afile");

    (void)state;
    tu_write(root, "afile", "x"); /* a file where the data dir should be */
    sv_push(&sites, "/shared/x");
    assert_int_equal(overlay(file, base, &ver, "", &sites, &hook, 1, &dir, &e),
                     -1);
    assert_int_equal(e.code, PYSHIM_EXIT_CANTCREAT);
    assert_non_null(strstr(e.msg, file));
    err_release(&e);
    sv_release(&sites);
    sb_release(&dir);
    free(file);
}

/* What a killed overlay build left is removed, but not while a build
 * holds the lock (a second open file: flock and LockFileEx locks conflict
 * between two handles of one process too). */
static void test_env_overlay_clean__leftovers_and_live_build(void **state)
{
    struct plat_lock *l = NULL;
    struct sv left = SV_INIT;
    struct err e = ERR_INIT;
    struct sb lock = SB_INIT;
    size_t removed = 9;

    (void)state;
    tu_write(root, "data/overlays/.tmp-dead01/pyvenv.cfg", "home = x\n");
    tu_mkdir(root, "data/overlays/3.12-keepme");
    tu_write(root, "data/overlays/.tmp-file", "not a dir\n");
    env_overlay_leftovers(data, &left);
    assert_int_equal(left.nr, 1);
    assert_non_null(strstr(left.v[0], ".tmp-dead01"));

    sb_addf(&lock, "%s/locks/overlays.lock", data);
    assert_int_equal(plat_lock(lock.buf, PLAT_LOCK_SHARED, &l), 0);
    assert_int_equal(env_overlay_clean(data, &removed, &e), -1);
    assert_int_equal(removed, 0);
    assert_non_null(strstr(e.msg, "being built"));
    assert_true(tu_exists(root, "data/overlays/.tmp-dead01/pyvenv.cfg"));
    plat_unlock(l);
    err_release(&e);

    assert_int_equal(env_overlay_clean(data, &removed, &e), 0);
    assert_int_equal(removed, 1);
    assert_false(tu_exists(root, "data/overlays/.tmp-dead01"));
    assert_true(tu_exists(root, "data/overlays/3.12-keepme"));
    assert_true(tu_exists(root, "data/overlays/.tmp-file"));
    sv_release(&left);
    sb_release(&lock);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_env_shared_site__table),
        cmocka_unit_test(test_env_overlay__build_and_reuse),
        cmocka_unit_test(test_env_overlay__free_threaded_no_hook),
        cmocka_unit_test(test_env_overlay__unwritable_data_dir),
        cmocka_unit_test(test_env_overlay_clean__leftovers_and_live_build),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
