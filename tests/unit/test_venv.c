/* Unit tests for launcher/venv.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "launcher/venv.h"
#include "tests/unit/testutil.h"

static void test_venv_parse_cfg__formats(void **state)
{
    static const struct {
        const char *name, *text;
        const char *home, *executable;
        int major, minor, micro, system_site;
    } cases[] = {
        {"python 3.8 venv",
         "home = /usr/bin\ninclude-system-site-packages = false\n"
         "version = 3.8.10\n",
         "/usr/bin", NULL, 3, 8, 10, 0},
        {"python 3.11+ venv",
         "home = /opt/py/bin\ninclude-system-site-packages = true\n"
         "version = 3.12.1\nexecutable = /opt/py/bin/python3.12\n"
         "command = /opt/py/bin/python3.12 -m venv /work/p/.venv\n",
         "/opt/py/bin", "/opt/py/bin/python3.12", 3, 12, 1, 1},
        {"uv venv",
         "home = /u/.local/share/uv/python/cpython-3.12.4-linux-x86_64-gnu/bin\n"
         "implementation = CPython\nuv = 0.4.18\nversion_info = 3.12.4\n"
         "include-system-site-packages = false\nprompt = proj\n",
         "/u/.local/share/uv/python/cpython-3.12.4-linux-x86_64-gnu/bin", NULL,
         3, 12, 4, 0},
        {"virtualenv",
         "home = /usr/bin\nimplementation = CPython\n"
         "version_info = 3.10.12.final.0\nvirtualenv = 20.25.0\n"
         "include-system-site-packages = false\nbase-prefix = /usr\n"
         "base-exec-prefix = /usr\nbase-executable = /usr/bin/python3.10\n",
         "/usr/bin", "/usr/bin/python3.10", 3, 10, 12, 0},
        {"executable wins over base-executable",
         "executable = /a/python3\nbase-executable = /b/python3\n", NULL,
         "/a/python3", -1, -1, -1, 0},
        {"pre-release version", "version = 3.13.0rc2\n", NULL, NULL, 3, 13, 0,
         0},
        {"BOM, CRLF, odd spacing, no final newline",
         "\xef\xbb\xbfhome=/x y/bin \r\n  version\t=\t3.9.1  \r\n"
         "include-system-site-packages=true",
         "/x y/bin", NULL, 3, 9, 1, 1},
        {"value holding '='", "home = /a=b/bin\n", "/a=b/bin", NULL, -1, -1, -1,
         0},
        {"junk lines and bad version",
         "[section]\njust words\n= orphan\nversion = three\n", NULL, NULL, -1,
         -1, -1, 0},
        {"empty", "", NULL, NULL, -1, -1, -1, 0},
        {"last home wins", "home = /a\nhome = /b\n", "/b", NULL, -1, -1, -1, 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct venv v = VENV_INIT;
        struct err e = ERR_INIT;
        const char *name = cases[i].name;

        if (venv_parse_cfg(&v, "/v/pyvenv.cfg", cases[i].text,
                           strlen(cases[i].text), &e) < 0)
            fail_msg("case '%s': %s", name, e.msg);
        if (cases[i].home)
            TU_STR_EQ(name, v.home, cases[i].home);
        else if (v.home)
            fail_msg("case '%s': home '%s', want none", name, v.home);
        if (cases[i].executable)
            TU_STR_EQ(name, v.executable, cases[i].executable);
        else if (v.executable)
            fail_msg("case '%s': executable '%s', want none", name,
                     v.executable);
        TU_INT_EQ(name, v.ver.major, cases[i].major);
        TU_INT_EQ(name, v.ver.minor, cases[i].minor);
        TU_INT_EQ(name, v.ver.micro, cases[i].micro);
        TU_INT_EQ(name, v.system_site, cases[i].system_site);
        venv_release(&v);
    }
}

static void test_venv_parse_cfg__nul_byte(void **state)
{
    static const char text[] = "home = /usr/bin\n\0version = 3.12.1\n";
    struct venv v = VENV_INIT;
    struct err e = ERR_INIT;

    (void)state;
    assert_int_equal(
        venv_parse_cfg(&v, "/v/pyvenv.cfg", text, sizeof(text) - 1, &e), -1);
    assert_non_null(strstr(e.msg, "'/v/pyvenv.cfg' holds a NUL byte"));
    assert_non_null(strstr(e.hint, "recreate"));
    assert_int_equal(e.code, PYSHIM_EXIT_CONFIG);
    venv_release(&v);
    err_release(&e);
}

/* A fake base interpreter at root/base/bin/python3.12. */
static char *make_base(const char *root)
{
    tu_write_bytes(root, "base/bin/python3.12", "#!/bin/sh\nexit 0\n", 17,
                   0755);
    return tu_path(root, "base/bin/python3.12");
}

static void test_venv_load__complete(void **state)
{
    char *root = tu_mkdtemp(), *base = make_base(root), *dir, *want;
    struct venv v = VENV_INIT;
    struct err e = ERR_INIT;

    (void)state;
    tu_write(root, "v/pyvenv.cfg",
             "home = /somewhere/bin\nversion = 3.12.1\n"
             "include-system-site-packages = false\n");
    tu_symlink(base, root, "v/bin/python");
    tu_symlink("python", root, "v/bin/python3");
    tu_mkdir(root, "v/lib/python3.12/site-packages");
    tu_mkdir(root, "v/lib/python3.11/site-packages"); /* a stray older one */
    tu_mkdir(root, "v/lib/pkgconfig");
    dir = tu_path(root, "v");
    assert_true(venv_is_venv(dir));
    if (venv_load(&v, dir, &e) < 0)
        fail_msg("%s", e.msg);
    assert_string_equal(v.dir, dir);
    want = tu_path(root, "v/bin/python");
    assert_string_equal(v.python, want);
    free(want);
    want = tu_path(root, "v/lib/python3.12/site-packages");
    assert_string_equal(v.site, want);
    free(want);
    assert_string_equal(v.libname, "python3.12");
    assert_int_equal(v.ver.minor, 12);
    assert_int_equal(v.ver.micro, 1);
    assert_string_equal(v.home, "/somewhere/bin");
    venv_release(&v);
    free(dir);
    free(base);
    tu_cleanup(root);
}

static void test_venv_load__version_from_lib_dir(void **state)
{
    char *root = tu_mkdtemp(), *base = make_base(root), *dir;
    struct venv v = VENV_INIT;
    struct err e = ERR_INIT;

    (void)state;
    tu_write(root, "v/pyvenv.cfg", "home = /x/bin\n");
    tu_symlink(base, root, "v/bin/python3"); /* only python3 */
    tu_mkdir(root, "v/lib/python3.13t/site-packages");
    dir = tu_path(root, "v");
    if (venv_load(&v, dir, &e) < 0)
        fail_msg("%s", e.msg);
    assert_string_equal(v.libname, "python3.13t");
    assert_int_equal(v.ver.major, 3);
    assert_int_equal(v.ver.minor, 13);
    assert_non_null(strstr(v.python, "/v/bin/python3"));
    assert_non_null(strstr(v.site, "/lib/python3.13t/site-packages"));
    venv_release(&v);
    free(dir);
    free(base);
    tu_cleanup(root);
}

static void test_venv_load__ambiguous_lib_dirs(void **state)
{
    char *root = tu_mkdtemp(), *base = make_base(root), *dir;
    struct venv v = VENV_INIT;
    struct err e = ERR_INIT;

    (void)state;
    /* no version and two candidates: no guess */
    tu_write(root, "v/pyvenv.cfg", "home = /x/bin\n");
    tu_symlink(base, root, "v/bin/python");
    tu_mkdir(root, "v/lib/python3.11/site-packages");
    tu_mkdir(root, "v/lib/python3.12/site-packages");
    dir = tu_path(root, "v");
    assert_int_equal(venv_load(&v, dir, &e), 0);
    assert_null(v.site);
    assert_null(v.libname);
    assert_int_equal(v.ver.major, -1);
    venv_release(&v);
    free(dir);
    free(base);
    tu_cleanup(root);
}

/* pyvenv.cfg's version names lib/pythonX.Y[t] (issue 14: looked up by
 * name, lib/ not listed): the dir CPython X.Y itself uses is taken even
 * beside a stray lib/pythonX.Y-old (the listing saw two and chose none);
 * 3.13 on, pythonX.Yt when it is the one there; both there, or neither,
 * the listing decides as before. */
static void test_venv_load__named_lib_dir(void **state)
{
    static const struct {
        const char *what, *cfg, *dirs[3], *libname;
    } cases[] = {
        {"version's dir beside a stray copy",
         "version = 3.12.1\n",
         {"python3.12", "python3.12-old", NULL},
         "python3.12"},
        {"free-threaded only",
         "version = 3.13.1\n",
         {"python3.13t", NULL},
         "python3.13t"},
        {"regular 3.13 beside nothing else",
         "version_info = 3.13.0\n",
         {"python3.13", NULL},
         "python3.13"},
        {"no 3.12t build: the listing finds python3.12t as before",
         "version = 3.12.1\n",
         {"python3.12t", NULL},
         "python3.12t"},
        {"both builds' dirs: no guess",
         "version = 3.13.1\n",
         {"python3.13", "python3.13t", NULL},
         NULL},
        {"the version's dir missing: another minor is not taken",
         "version = 3.12.1\n",
         {"python3.11", NULL},
         NULL},
    };
    size_t i, k;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *root = tu_mkdtemp(), *base = make_base(root), *dir, *want;
        struct venv v = VENV_INIT;
        struct err e = ERR_INIT;
        char sub[64];

        tu_write(root, "v/pyvenv.cfg", cases[i].cfg);
        tu_symlink(base, root, "v/bin/python");
        for (k = 0; cases[i].dirs[k]; k++) {
            snprintf(sub, sizeof(sub), "v/lib/%s/site-packages",
                     cases[i].dirs[k]);
            tu_mkdir(root, sub);
        }
        dir = tu_path(root, "v");
        if (venv_load(&v, dir, &e) < 0)
            fail_msg("%s: %s", cases[i].what, e.msg);
        if (!cases[i].libname) {
            if (v.site || v.libname)
                fail_msg("%s: site %s", cases[i].what, v.site);
        } else {
            snprintf(sub, sizeof(sub), "v/lib/%s/site-packages",
                     cases[i].libname);
            want = tu_path(root, sub);
            if (!v.site || strcmp(v.site, want) || !v.libname ||
                strcmp(v.libname, cases[i].libname))
                fail_msg("%s: site %s, libname %s", cases[i].what,
                         v.site ? v.site : "(none)",
                         v.libname ? v.libname : "(none)");
            free(want);
        }
        venv_release(&v);
        free(dir);
        free(base);
        tu_cleanup(root);
    }
}

static void test_venv_load__errors(void **state)
{
    static const struct {
        const char *name, *cfg;
        int has_cfg;
        const char *python_target; /* NULL: no bin/python at all */
        const char *msg, *hint;
    } cases[] = {
        {"no pyvenv.cfg", NULL, 0, "/bin/sh", "is not a venv: cannot read",
         "python -m venv"},
        {"no python", "home = /usr/bin\n", 1, NULL, "has no bin/python",
         "damaged"},
        {"dangling python names the executable (3.11+)",
         "home = /gone/bin\nversion = 3.12.1\n"
         "executable = /gone/bin/python3.12\n",
         1, "/gone/bin/python3.12",
         "its base interpreter '/gone/bin/python3.12' no longer exists",
         "recreate it"},
        {"dangling python (3.8, no executable key)",
         "home = /gone38/bin\nversion = 3.8.10\n", 1, "/gone38/bin/python3.8",
         "its base interpreter '/gone38/bin/python3.8' no longer exists",
         "recreate it"},
        {"dangling python without a base in pyvenv.cfg", "version = 3.9.1\n", 1,
         "/gone39/python", "'/gone39/python' no longer exists", NULL},
        /* the resolved executable may still exist: name the lost link */
        {"dangling link while the executable exists",
         "home = /bin\nexecutable = /bin/sh\n", 1, "/gone310/python3.10",
         "'/gone310/python3.10' no longer exists", NULL},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        char *root = tu_mkdtemp(), *dir = tu_path(root, "v");
        struct venv v = VENV_INIT;
        struct err e = ERR_INIT;
        const char *name = cases[i].name;

        tu_mkdir(root, "v/lib/python3.12/site-packages");
        if (cases[i].has_cfg)
            tu_write(root, "v/pyvenv.cfg", cases[i].cfg);
        if (cases[i].python_target)
            tu_symlink(cases[i].python_target, root, "v/bin/python");
        TU_INT_EQ(name, venv_load(&v, dir, &e), -1);
        TU_INT_EQ(name, e.code, PYSHIM_EXIT_NOINPUT);
        TU_CONTAINS(name, e.msg, dir);
        TU_CONTAINS(name, e.msg, cases[i].msg);
        if (cases[i].hint)
            TU_CONTAINS(name, e.hint, cases[i].hint);
        TU_INT_EQ(name, venv_is_venv(dir), cases[i].has_cfg);
        venv_release(&v);
        err_release(&e);
        free(dir);
        tu_cleanup(root);
    }
}

static void test_venv_is_venv__cases(void **state)
{
    char *root = tu_mkdtemp(), *p;

    (void)state;
    assert_false(venv_is_venv(root));
    tu_mkdir(root, "d/pyvenv.cfg"); /* a directory is not the file */
    p = tu_path(root, "d");
    assert_false(venv_is_venv(p));
    free(p);
    tu_write(root, "f/pyvenv.cfg", "");
    p = tu_path(root, "f");
    assert_true(venv_is_venv(p));
    free(p);
    p = tu_path(root, "missing");
    assert_false(venv_is_venv(p));
    free(p);
    tu_cleanup(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_venv_parse_cfg__formats),
        cmocka_unit_test(test_venv_parse_cfg__nul_byte),
        cmocka_unit_test(test_venv_load__complete),
        cmocka_unit_test(test_venv_load__version_from_lib_dir),
        cmocka_unit_test(test_venv_load__named_lib_dir),
        cmocka_unit_test(test_venv_load__ambiguous_lib_dirs),
        cmocka_unit_test(test_venv_load__errors),
        cmocka_unit_test(test_venv_is_venv__cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
