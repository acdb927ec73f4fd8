/*
 * Resolution's Windows rules that are pure, checked on every OS: the name
 * called by as a request (caseless, ".exe" dropped) and where pyenv-win
 * and uv keep their pythons, the Python install manager's places and
 * default. Built from its own copies of common/path.c, launcher/pyver.c,
 * request.c, pick.c, interp.c and pyini.c compiled with PLAT_WINDOWS=1
 * (tests/CMakeLists.txt); no file is opened.
 */
#include <stdlib.h>
#include <string.h>

#include "common/plat.h"
#include "launcher/pick.h"
#include "launcher/pyini.h"
#include "launcher/request.h"
#include "tests/unit/testutil.h"

#define N(a) (sizeof(a) / sizeof(*(a)))

static void test_resolve_win__built_as_windows(void **state)
{
    (void)state;
    assert_int_equal(PLAT_WINDOWS, 1);
}

static void test_request_parse__windows(void **state)
{
    static const struct {
        const char *invoked, *name;
        int is_pip, major, minor;
    } t[] = {
        {"C:\\Py\\Python3.12.EXE", "python3.12", 0, 3, 12},
        {"python.exe", "python", 0, -1, -1},
        {"PIP3.13.exe", "pip3.13", 1, 3, 13},
        {"C:/tools/pip.exe", "pip", 1, -1, -1},
        {"python3.13t.exe", "python3.13t", 0, 3, 13},
        {"Python3", "python3", 0, 3, -1},
        {"py.exe", "py", 0, -1, -1},
    };
    struct sb name = SB_INIT;
    struct request r;
    size_t i;

    (void)state;
    for (i = 0; i < N(t); i++) {
        request_name(t[i].invoked, &name);
        TU_STR_EQ(t[i].invoked, name.buf, t[i].name);
        request_parse(t[i].invoked, &r);
        TU_INT_EQ(t[i].invoked, r.is_pip, t[i].is_pip);
        TU_INT_EQ(t[i].invoked, r.pin.major, t[i].major);
        TU_INT_EQ(t[i].invoked, r.pin.minor, t[i].minor);
    }
    sb_release(&name);
}

static void check_list(const char *name, const struct sv *got,
                       const char *const *want)
{
    size_t i;

    for (i = 0; want[i]; i++) {
        if (i >= got->nr)
            fail_msg("case '%s': %lu entries, want more ('%s')", name,
                     (unsigned long)got->nr, want[i]);
        TU_STR_EQ(name, got->v[i], want[i]);
    }
    TU_INT_EQ(name, got->nr, i);
}

static void test_pick_install_dirs__windows(void **state)
{
    static const char *const pyenv_default[] = {
        "C:\\Users\\me\\.pyenv\\pyenv-win\\versions",
        "C:\\Users\\me\\.pyenv\\pyenv-win\\pyenv-win\\versions", NULL};
    static const char *const uv_default[] = {
        "C:\\Users\\me\\AppData\\Roaming\\uv\\data\\python",
        "C:\\Users\\me\\AppData\\Roaming\\uv\\python", NULL};
    static const char *const pyenv_set[] = {
        "D:\\pyenv\\versions", "D:\\pyenv\\pyenv-win\\versions",
        "c:\\users\\ME\\.pyenv\\pyenv-win\\versions", NULL};
    static const char *const uv_set[] = {
        "E:\\uv", "C:\\Users\\me\\AppData\\Roaming\\uv\\data\\python",
        "C:\\Users\\me\\AppData\\Roaming\\uv\\python", NULL};
    static const char *const none[] = {NULL};
    struct envvars v;
    struct pick_dirs d = PICK_DIRS_INIT;

    (void)state;
    memset(&v, 0, sizeof(v));
    /* defaults: pyenv-win under the home, uv under %APPDATA%; the
     * %USERPROFILE% entry is the same place in other case: once */
    v.userprofile = "c:\\users\\ME";
    v.appdata = "C:\\Users\\me\\AppData\\Roaming";
    pick_install_dirs(&v, "C:\\Users\\me", &d);
    TU_STR_EQ("default root", d.pyenv_root, "C:\\Users\\me\\.pyenv\\pyenv-win");
    check_list("default pyenv", &d.pyenv_versions, pyenv_default);
    check_list("default uv", &d.uv, uv_default);
    pick_dirs_release(&d);

    /* PYENV_ROOT and UV_PYTHON_INSTALL_DIR come first */
    v.pyenv_root = "D:\\pyenv";
    v.uv_install_dir = "E:\\uv";
    pick_install_dirs(&v, "C:\\Users\\me", &d);
    check_list("set pyenv", &d.pyenv_versions, pyenv_set);
    check_list("set uv", &d.uv, uv_set);
    pick_dirs_release(&d);

    /* relative values are ignored; no home: no pyenv root */
    memset(&v, 0, sizeof(v));
    v.pyenv_root = "pyenv";
    v.uv_install_dir = "uv";
    v.appdata = "AppData";
    v.dirs.xdg_data_home = "C:\\xdg"; /* POSIX only */
    pick_install_dirs(&v, NULL, &d);
    assert_null(d.pyenv_root);
    check_list("relative pyenv", &d.pyenv_versions, none);
    check_list("relative uv", &d.uv, none);
    assert_null(d.pymanager);
    pick_dirs_release(&d);
}

/* The Python install manager (PEP 773, issue 13 item 7): its install_dir
 * is %LOCALAPPDATA%\Python, and its bin (the alias launchers) is never
 * searched, in any case or with a trailing separator. */
static void test_pymanager__dirs(void **state)
{
    static const struct {
        const char *dir;
        int alias;
    } t[] = {
        {"C:\\Users\\me\\AppData\\Local\\Python\\bin", 1},
        {"c:\\users\\ME\\appdata\\local\\python\\BIN\\", 1},
        {"C:/Users/me/AppData/Local/Python/bin", 1},
        {"C:\\Users\\me\\AppData\\Local\\Python", 0},
        {"C:\\Users\\me\\AppData\\Local\\Python\\pythoncore-3.14-64", 0},
        {"D:\\Python\\bin", 0},
        {"C:\\Users\\me\\AppData\\Local\\Microsoft\\WindowsApps", 0},
    };
    struct envvars v;
    struct pick_dirs d = PICK_DIRS_INIT;
    struct interp_env env;
    size_t i;

    (void)state;
    memset(&v, 0, sizeof(v));
    memset(&env, 0, sizeof(env));
    v.dirs.localappdata = "C:\\Users\\me\\AppData\\Local";
    pick_install_dirs(&v, "C:\\Users\\me", &d);
    TU_STR_EQ("pymanager", d.pymanager,
              "C:\\Users\\me\\AppData\\Local\\Python");
    env.pymanager_root = d.pymanager;
    for (i = 0; i < N(t); i++)
        TU_INT_EQ(t[i].dir, interp_is_pymanager_bin(&env, t[i].dir),
                  t[i].alias);
    env.pymanager_root = NULL;
    TU_INT_EQ("no LOCALAPPDATA", interp_is_pymanager_bin(&env, t[0].dir), 0);
    pick_dirs_release(&d);
    /* a relative LOCALAPPDATA names no place */
    v.dirs.localappdata = "AppData\\Local";
    pick_install_dirs(&v, NULL, &d);
    assert_null(d.pymanager);
    pick_dirs_release(&d);
}

/* Its default: PYTHON_MANAGER_DEFAULT, else PyManager.json's default_tag;
 * "Company\Tag" is the "Company/Tag" request. */
static void test_pymanager__default(void **state)
{
    static const struct {
        const char *json;
        int ret;
        const char *want;
    } t[] = {
        {"{\"default_tag\": \"3.14\"}", 1, "3.14"},
        {"\xef\xbb\xbf{\"default_tag\": \" 3.13t-64 \"}", 1, "3.13t-64"},
        {"{\"install\": {\"source\": \"x\"}, \"default_tag\": "
         "\"PythonCore\\\\3.12\"}",
         1, "PythonCore/3.12"},
        {"{\"default_tag\": \"%PYTHON_MANAGER_DEFAULT%\"}", 0, NULL},
        {"{\"default_tag\": \"\"}", 0, NULL},
        {"{\"default_tag\": 3.14}", 0, NULL},
        {"{\"list\": {\"default_tag\": \"3.9\"}}", 0, NULL},
        {"[\"default_tag\"]", 0, NULL},
        {"{", 0, NULL},
    };
    struct pyini_env env;
    struct sb out = SB_INIT, from = SB_INIT;
    size_t i;

    (void)state;
    for (i = 0; i < N(t); i++) {
        sb_set(&out, "untouched");
        TU_INT_EQ(t[i].json,
                  pyini_manager_parse(t[i].json, strlen(t[i].json), &out),
                  t[i].ret);
        TU_STR_EQ(t[i].json, out.buf, t[i].ret ? t[i].want : "untouched");
    }
    memset(&env, 0, sizeof(env));
    env.python_manager_default = "3.12-32";
    TU_INT_EQ("variable", pyini_manager_request_env(&env, &out, &from), 1);
    TU_STR_EQ("variable", out.buf, "3.12-32");
    TU_STR_EQ("variable from", from.buf, "PYTHON_MANAGER_DEFAULT");
    env.python_manager_default = "";
    env.appdata = NULL;
    TU_INT_EQ("empty, no file", pyini_manager_request_env(&env, &out, &from),
              0);
    sb_release(&out);
    sb_release(&from);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolve_win__built_as_windows),
        cmocka_unit_test(test_request_parse__windows),
        cmocka_unit_test(test_pick_install_dirs__windows),
        cmocka_unit_test(test_pymanager__dirs),
        cmocka_unit_test(test_pymanager__default),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
