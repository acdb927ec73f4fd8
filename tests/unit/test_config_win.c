/*
 * Unit tests for config/'s Windows rules (cfg path requests and paths,
 * dirs under %LOCALAPPDATA%, trust's caseless "inside", pyversion's hint).
 * Built on every OS from its own copies of common/path.c and config/cfg.c,
 * dirs.c, trust.c, pyversion.c compiled with PLAT_WINDOWS=1 (tests/
 * CMakeLists.txt); only the pure parts are checked: no file is opened.
 */
#include <stdlib.h>
#include <string.h>

#include "common/plat.h"
#include "common/xalloc.h"
#include "config/cfg.h"
#include "config/dirs.h"
#include "config/pyverfile.h"
#include "config/trust.h"
#include "tests/unit/testutil.h"

#define N(a) (sizeof(a) / sizeof(*(a)))

static void test_config_win__built_as_windows(void **state)
{
    (void)state;
    assert_int_equal(PLAT_WINDOWS, 1);
}

static void test_cfg_is_path_request__windows(void **state)
{
    static const struct {
        const char *s;
        int want;
    } cases[] = {
        {"C:\\Python312\\python.exe", 1},
        {"C:/Python312/python.exe", 1},
        {"py\\python.exe", 1},
        {"C:python.exe", 1},
        {"\\\\srv\\sh\\python.exe", 1},
        {".\\py\\python.exe", 1},
        {"~\\py\\python.exe", 1},
        {"3.12", 0},
        {"python3.12", 0},
        {"pypy3.10", 0},
        {"cpython@3.12", 0},
        /* PEP 514 Company/Tag: a request (the py launcher's -V:) */
        {"PythonCore/3.12", 0},
        {"PythonCore/3.12-32", 0},
        {"Astral/CPython3.13.1", 0},
        {"PythonCore/python.exe", 1},
        {"PythonCore/3.12/x", 1},
        {"./PythonCore/3.12", 1},
        {"C:/Python312", 1},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N(cases); i++)
        TU_INT_EQ(cases[i].s, cfg_is_path_request(cases[i].s), cases[i].want);
}

static void test_cfg_parse__windows_paths(void **state)
{
    static const char text[] =
        "{\"python\": \"C:/Python312/python.exe\", \"venv\": \".venv\",\n"
        " \"shared\": [\"ai\", \"..\\\\envs\\\\x\", \"d:\\\\envs\\\\y\",\n"
        "             \"~\\\\envs\\\\z\"]}";
    struct cfg c = CFG_INIT;
    struct err e = ERR_INIT;

    (void)state;
    if (cfg_parse(&c, "C:\\Users\\me\\proj\\.pyshim.json", text, strlen(text),
                  "C:\\Users\\me", &e) < 0)
        fail_msg("%s", e.msg);
    assert_string_equal(c.dir, "C:\\Users\\me\\proj");
    assert_int_equal(c.python_is_path, 1);
    assert_string_equal(c.python, "C:\\Python312\\python.exe");
    assert_string_equal(c.venv, "C:\\Users\\me\\proj\\.venv");
    assert_int_equal(c.shared.nr, 4);
    assert_string_equal(c.shared.v[0], "ai");
    assert_string_equal(c.shared.v[1], "C:\\Users\\me\\envs\\x");
    assert_string_equal(c.shared.v[2], "D:\\envs\\y");
    assert_string_equal(c.shared.v[3], "C:\\Users\\me\\envs\\z");
    cfg_release(&c);
}

static void test_cfg_parse__windows_version_is_not_a_path(void **state)
{
    static const char text[] = "{\"python\": \"3.12\"}";
    struct cfg c = CFG_INIT;
    struct err e = ERR_INIT;

    (void)state;
    assert_int_equal(
        cfg_parse(&c, "D:\\p\\.pyshim.json", text, strlen(text), NULL, &e), 0);
    assert_int_equal(c.python_is_path, 0);
    assert_string_equal(c.python, "3.12");
    cfg_release(&c);
}

static void test_trust_needed__windows_inside_is_caseless(void **state)
{
    static const struct {
        const char *venv;
        int needed;
    } cases[] = {
        {"C:\\Users\\me\\proj\\.venv", 0},  {"c:/users/ME/Proj/.venv", 0},
        {"C:\\Users\\me\\other\\.venv", 1}, {"C:\\Users\\me\\projx\\.venv", 1},
        {"D:\\Users\\me\\proj\\.venv", 1},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N(cases); i++) {
        struct cfg c = CFG_INIT;
        char *why;

        c.dir = xstrdup("C:\\Users\\me\\proj");
        c.venv = xstrdup(cases[i].venv);
        why = trust_needed(&c);
        TU_INT_EQ(cases[i].venv, why != NULL, cases[i].needed);
        free(why);
        cfg_release(&c);
    }
}

static void set_env(const char *lad, const char *home, const char *ph,
                    const char *xdg_cache)
{
    static const char *const names[] = {"LOCALAPPDATA", "HOME", "PYSHIM_HOME",
                                        "XDG_CACHE_HOME"};
    const char *vals[] = {lad, home, ph, xdg_cache};
    size_t i;

    unsetenv("XDG_DATA_HOME");
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("USERPROFILE");
    for (i = 0; i < N(names); i++) {
        if (vals[i])
            setenv(names[i], vals[i], 1);
        else
            unsetenv(names[i]);
    }
}

static void test_dirs_init__windows(void **state)
{
    static const struct {
        const char *lad, *home, *ph, *xdg_cache;
        const char *data, *cache, *config;
    } cases[] = {
        {"C:\\Users\\me\\AppData\\Local", "C:\\Users\\me", NULL, NULL,
         "C:\\Users\\me\\AppData\\Local\\pyshim",
         "C:\\Users\\me\\AppData\\Local\\pyshim\\cache",
         "C:\\Users\\me\\AppData\\Local\\pyshim\\config.json"},
        {"c:/Users/me/AppData/Local/", NULL, NULL, NULL,
         "C:\\Users\\me\\AppData\\Local\\pyshim",
         "C:\\Users\\me\\AppData\\Local\\pyshim\\cache",
         "C:\\Users\\me\\AppData\\Local\\pyshim\\config.json"},
        /* no (or a relative) LOCALAPPDATA: the home's AppData\Local */
        {NULL, "C:\\Users\\me", NULL, NULL,
         "C:\\Users\\me\\AppData\\Local\\pyshim",
         "C:\\Users\\me\\AppData\\Local\\pyshim\\cache",
         "C:\\Users\\me\\AppData\\Local\\pyshim\\config.json"},
        {"rel", "C:\\Users\\me", NULL, NULL,
         "C:\\Users\\me\\AppData\\Local\\pyshim",
         "C:\\Users\\me\\AppData\\Local\\pyshim\\cache",
         "C:\\Users\\me\\AppData\\Local\\pyshim\\config.json"},
        /* an XDG variable still moves its own entry */
        {"C:\\L", "C:\\Users\\me", NULL, "D:/cache", "C:\\L\\pyshim",
         "D:\\cache\\pyshim", "C:\\L\\pyshim\\config.json"},
        /* PYSHIM_HOME moves all three */
        {"C:\\L", "C:\\Users\\me", "E:/ps/", "D:/cache", "E:\\ps",
         "E:\\ps\\cache", "E:\\ps\\config.json"},
        {"C:\\L", "C:\\Users\\me", "~\\ps", NULL, "C:\\Users\\me\\ps",
         "C:\\Users\\me\\ps\\cache", "C:\\Users\\me\\ps\\config.json"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N(cases); i++) {
        struct dirs d = DIRS_INIT;
        struct err e = ERR_INIT;

        set_env(cases[i].lad, cases[i].home, cases[i].ph, cases[i].xdg_cache);
        if (dirs_init(&d, &e) < 0)
            fail_msg("case %zu: %s", i, e.msg);
        TU_STR_EQ(cases[i].data, d.data, cases[i].data);
        TU_STR_EQ(cases[i].data, d.cache, cases[i].cache);
        TU_STR_EQ(cases[i].data, d.config_file, cases[i].config);
        dirs_release(&d);
    }
}

static void test_dirs_init__windows_errors(void **state)
{
    struct dirs d = DIRS_INIT;
    struct err e = ERR_INIT;

    (void)state;
    set_env("C:\\L", "C:\\Users\\me", "relative\\ps", NULL);
    assert_int_equal(dirs_init(&d, &e), -1);
    assert_non_null(strstr(e.msg, "PYSHIM_HOME"));
    dirs_release(&d);
    err_release(&e);
    /* set_env's HOME=NULL leaves the password database on POSIX: only
     * check the message when no home is found at all */
    set_env(NULL, NULL, NULL, NULL);
    if (dirs_init(&d, &e) < 0) {
        assert_non_null(strstr(e.msg, "LOCALAPPDATA"));
        assert_non_null(e.hint);
    }
    dirs_release(&d);
    err_release(&e);
}

static void test_pyverfile_parse__windows_hint(void **state)
{
    static const char utf16[] = "\xff\xfe\x33\x00";
    struct sb out = SB_INIT;
    struct err e = ERR_INIT;

    (void)state;
    assert_int_equal(
        pyverfile_parse("C:\\p\\.python-version", utf16, 4, &out, &e), -1);
    assert_non_null(strstr(e.msg, "UTF-16"));
    /* `echo 3.12 > f` in PowerShell 5 writes UTF-16 again */
    assert_non_null(strstr(e.hint, "Set-Content"));
    assert_null(strstr(e.hint, "echo"));
    err_release(&e);
    sb_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_win__built_as_windows),
        cmocka_unit_test(test_cfg_is_path_request__windows),
        cmocka_unit_test(test_cfg_parse__windows_paths),
        cmocka_unit_test(test_cfg_parse__windows_version_is_not_a_path),
        cmocka_unit_test(test_trust_needed__windows_inside_is_caseless),
        cmocka_unit_test(test_dirs_init__windows),
        cmocka_unit_test(test_dirs_init__windows_errors),
        cmocka_unit_test(test_pyverfile_parse__windows_hint),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
