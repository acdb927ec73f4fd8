/*
 * Unit tests for common/path.h's Windows rules. Built on every OS from its
 * own copy of common/path.c compiled with PLAT_WINDOWS=1 (tests/
 * CMakeLists.txt), so the rules are checked on Linux too; nothing here
 * touches the file system (path_absolute always gets a base).
 */
#include <stdlib.h>
#include <string.h>

#include "common/path.h"
#include "common/plat.h"
#include "tests/unit/testutil.h"

#define N(a) (sizeof(a) / sizeof(*(a)))

static void test_path_win__built_as_windows(void **state)
{
    (void)state;
    /* a test that cannot fail is a defect: make sure the switch took */
    assert_int_equal(PLAT_WINDOWS, 1);
    assert_int_equal(PLAT_DIRSEP, '\\');
    assert_int_equal(PLAT_PATHSEP, ';');
}

static void test_path_root_len__cases(void **state)
{
    static const struct {
        const char *p;
        size_t want;
        int abs;
    } cases[] = {
        {"C:\\x", 3, 1},
        {"C:/x", 3, 1},
        {"c:\\", 3, 1},
        {"C:\\\\x", 3, 1},
        {"\\\\server\\share\\x", 15, 1},
        {"\\\\server\\share", 14, 1},
        {"//server/share/x", 15, 1},
        {"\\\\server/share\\x", 15, 1},
        {"\\\\?\\C:\\x", 7, 1},
        {"\\\\?\\UNC\\srv\\sh\\x", 15, 1},
        {"\\\\?\\unc\\srv\\sh", 14, 1},
        {"x", 0, 0},
        {"x\\y", 0, 0},
        {"C:x", 0, 0},
        {"C:", 0, 0},
        {"\\x", 0, 0},
        {"/x", 0, 0},
        {"", 0, 0},
        {"~\\x", 0, 0},
        {"1:\\x", 0, 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N(cases); i++) {
        TU_INT_EQ(cases[i].p, path_root_len(cases[i].p), cases[i].want);
        TU_INT_EQ(cases[i].p, path_is_abs(cases[i].p), cases[i].abs);
    }
}

static void test_path_is_root__cases(void **state)
{
    static const struct {
        const char *p;
        int want;
    } cases[] = {
        {"C:\\", 1},
        {"c:/", 1},
        {"C:\\\\", 1},
        {"\\\\srv\\sh", 1},
        {"\\\\srv\\sh\\", 1},
        {"//srv/sh/", 1},
        {"\\\\?\\C:\\", 1},
        {"\\\\?\\UNC\\srv\\sh\\", 1},
        {"C:", 0},
        {"C:\\x", 0},
        {"\\\\srv\\sh\\x", 0},
        {"\\", 0},
        {"/", 0},
        {"", 0},
        {"x", 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N(cases); i++)
        TU_INT_EQ(cases[i].p, path_is_root(cases[i].p), cases[i].want);
}

static void test_path_equal__cases(void **state)
{
    static const struct {
        const char *a, *b;
        int want;
    } cases[] = {
        {"C:\\A\\b", "c:/a/B", 1},       {"C:\\a", "C:\\a", 1},
        {"\\\\S\\sh\\x", "//s/SH/X", 1}, {"", "", 1},
        {"C:\\a", "C:\\ab", 0},          {"C:\\ab", "C:\\a", 0},
        {"C:\\a", "C:\\a\\", 0}, /* as written: no normalization */
        {"C:\\a", "D:\\a", 0},           {"C:\\a\\.\\b", "C:\\a\\b", 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N(cases); i++) {
        TU_INT_EQ(cases[i].a, path_equal(cases[i].a, cases[i].b),
                  cases[i].want);
        TU_INT_EQ(cases[i].b, path_equal(cases[i].b, cases[i].a),
                  cases[i].want);
    }
}

static void test_path_fold__cases(void **state)
{
    static const struct {
        const char *a, *b;
    } cases[] = {
        {"C:\\A\\b", "c:/a/B"},
        {"\\\\S\\sh\\x", "//s/SH/X"},
        {"C:\\Users\\Me\\.pyshim.json", "c:\\users\\me\\.PYSHIM.json"},
    };
    size_t i;
    struct sb fa = SB_INIT, fb = SB_INIT;

    (void)state;
    for (i = 0; i < N(cases); i++) {
        path_fold(&fa, cases[i].a);
        path_fold(&fb, cases[i].b);
        TU_STR_EQ(cases[i].a, fa.buf, fb.buf);
        TU_INT_EQ(cases[i].a, path_equal(cases[i].a, cases[i].b), 1);
    }
    path_fold(&fa, "C:/Py\\X");
    assert_string_equal(fa.buf, "c:\\py\\x");
    path_fold(&fa, fa.buf); /* out may alias p */
    assert_string_equal(fa.buf, "c:\\py\\x");
    sb_release(&fa);
    sb_release(&fb);
}

static void test_path_has_dir__cases(void **state)
{
    static const struct {
        const char *p;
        int want;
    } cases[] = {
        {"python", 0},  {"python.exe", 0},   {"py3.12", 0},
        {"a\\b", 1},    {"a/b", 1},          {"C:\\x\\p.exe", 1},
        {"C:p.exe", 1}, {"\\\\s\\sh\\p", 1}, {"", 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N(cases); i++)
        TU_INT_EQ(cases[i].p, path_has_dir(cases[i].p), cases[i].want);
}

static void test_path_join__cases(void **state)
{
    static const struct {
        const char *dir, *name, *want;
    } cases[] = {
        {"C:\\a", "b", "C:\\a\\b"},
        {"C:\\a\\", "b", "C:\\a\\b"},
        {"C:\\a/", "b", "C:\\a/b"},
        {"C:\\", "b", "C:\\b"},
        {"C:/", "b", "C:/b"},
        {"C:\\a", "D:\\x", "D:\\x"},
        {"C:\\a", "\\\\srv\\sh\\x", "\\\\srv\\sh\\x"},
        {"C:\\a", "\\\\?\\D:\\x", "\\\\?\\D:\\x"},
        {"C:\\a\\b", "\\x", "C:\\x"},
        {"C:\\a\\b", "/x", "C:/x"},
        {"\\\\srv\\sh\\a", "\\x", "\\\\srv\\sh\\x"},
        {"\\\\?\\D:\\p", "\\x", "\\\\?\\D:\\x"},
        {"rel", "\\x", "\\x"},
        {"C:\\a", "C:x", "C:\\a\\x"},
        {"c:\\a", "C:x", "c:\\a\\x"},
        {"D:\\a", "C:x", "C:x"},
        {"C:", "x", "C:x"},
        {"", "b", "b"},
        {"rel", "b\\c", "rel\\b\\c"},
        {"\\\\srv\\sh", "x", "\\\\srv\\sh\\x"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N(cases); i++) {
        struct sb out = SB_INIT;

        sb_addstr(&out, "garbage"); /* replaced, not appended to */
        path_join(&out, cases[i].dir, cases[i].name);
        TU_STR_EQ(cases[i].name, out.buf, cases[i].want);
        /* callers write path_join(&p, dir, p.buf) */
        sb_set(&out, cases[i].name);
        path_join(&out, cases[i].dir, out.buf);
        TU_STR_EQ(cases[i].name, out.buf, cases[i].want);
        sb_release(&out);
    }
}

static void test_path_normalize__cases(void **state)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"C:\\a\\b", "C:\\a\\b"},
        {"c:/a//b/", "C:\\a\\b"},
        {"C:\\a\\.\\b\\..\\c", "C:\\a\\c"},
        {"C:/a\\b/c", "C:\\a\\b\\c"},
        {"C:\\..\\..", "C:\\"},
        {"C:\\a\\..\\..\\b", "C:\\b"},
        {"C:\\", "C:\\"},
        {"c:/", "C:\\"},
        {"C:\\\\", "C:\\"},
        {"C:", "C:"},
        {"C:.", "C:"},
        {"c:a\\.\\b", "C:a\\b"},
        {"C:a\\..\\..\\b", "C:..\\b"},
        {"\\\\srv\\share\\a\\..\\..", "\\\\srv\\share\\"},
        {"\\\\srv\\share\\a\\\\b\\", "\\\\srv\\share\\a\\b"},
        {"//srv/share", "\\\\srv\\share\\"},
        {"\\\\srv\\share\\", "\\\\srv\\share\\"},
        {"\\\\Srv\\Share\\X", "\\\\Srv\\Share\\X"}, /* case kept */
        {"\\\\?\\C:\\x\\y", "C:\\x\\y"},
        {"\\\\?\\c:\\x\\..", "C:\\"},
        {"\\\\?\\UNC\\srv\\sh\\x", "\\\\srv\\sh\\x"},
        {"\\\\?\\unc\\srv\\sh\\..\\..", "\\\\srv\\sh\\"},
        {"\\x\\..\\..", "\\"},
        {"\\x\\y\\", "\\x\\y"},
        {"/x/y", "\\x\\y"},
        {"a\\b\\..", "a"},
        {"a/../..", ".."},
        {"..\\..\\a\\..\\b", "..\\..\\b"},
        {"a/b\\c", "a\\b\\c"},
        {"", "."},
        {".\\", "."},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N(cases); i++) {
        struct sb p = SB_INIT;

        sb_addstr(&p, cases[i].in);
        path_normalize(&p);
        TU_STR_EQ(cases[i].in, p.buf, cases[i].want);
        TU_INT_EQ(cases[i].in, p.len, strlen(cases[i].want));
        /* normalizing twice changes nothing */
        path_normalize(&p);
        TU_STR_EQ(cases[i].in, p.buf, cases[i].want);
        sb_release(&p);
    }
}

static void test_path_dirname__cases(void **state)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"C:\\a\\b", "C:\\a"},
        {"C:\\a", "C:\\"},
        {"C:\\", "C:\\"},
        {"C:/a", "C:/"},
        {"C:\\a/b", "C:\\a"},
        {"\\\\srv\\sh\\a\\b", "\\\\srv\\sh\\a"},
        {"\\\\srv\\sh\\a", "\\\\srv\\sh\\"},
        {"\\\\srv\\sh\\", "\\\\srv\\sh\\"},
        {"\\\\srv\\sh", "\\\\srv\\sh"},
        {"\\\\?\\C:\\a", "\\\\?\\C:\\"},
        {"C:x", "C:"},
        {"C:x\\y", "C:x"},
        {"\\x", "\\"},
        {"a\\b/c", "a\\b"},
        {"a", "."},
        {"a\\b", "a"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N(cases); i++) {
        struct sb p = SB_INIT;

        sb_addstr(&p, cases[i].in);
        path_dirname(&p);
        TU_STR_EQ(cases[i].in, p.buf, cases[i].want);
        sb_release(&p);
    }
}

/* The walk-up loop discover.c runs: it must end at the drive or share. */
static void test_path_dirname__walk_up_ends_at_root(void **state)
{
    static const struct {
        const char *start, *root;
        int steps;
    } cases[] = {
        {"C:\\Users\\me\\proj\\src", "C:\\", 4},
        {"d:/work/x", "D:\\", 2},
        {"\\\\srv\\sh\\team\\proj", "\\\\srv\\sh\\", 2},
        {"\\\\?\\UNC\\srv\\sh\\p", "\\\\srv\\sh\\", 1},
        {"C:\\", "C:\\", 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N(cases); i++) {
        struct sb p = SB_INIT;
        int steps = 0;

        sb_addstr(&p, cases[i].start);
        path_normalize(&p);
        while (!path_is_root(p.buf) && steps < 100) {
            path_dirname(&p);
            steps++;
        }
        TU_STR_EQ(cases[i].start, p.buf, cases[i].root);
        TU_INT_EQ(cases[i].start, steps, cases[i].steps);
        sb_release(&p);
    }
}

static void test_path_basename__cases(void **state)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"C:\\a\\python.exe", "python.exe"},
        {"C:/a\\b", "b"},
        {"C:\\a/b", "b"},
        {"a/b\\c", "c"},
        {"C:x", "x"},
        {"x", "x"},
        {"C:\\", ""},
        {"C:\\a\\", ""},
    };
    size_t i;
    const char *p = "C:\\py\\python.exe";

    (void)state;
    assert_ptr_equal(path_basename(p), p + 6); /* borrowed, not a copy */
    for (i = 0; i < N(cases); i++)
        TU_STR_EQ(cases[i].in, path_basename(cases[i].in), cases[i].want);
}

static void test_path_expand_user__cases(void **state)
{
    static const struct {
        const char *in, *home, *want;
        int ret;
    } cases[] = {
        {"~", "C:\\Users\\me", "C:\\Users\\me", 0},
        {"~\\x\\y", "C:\\Users\\me", "C:\\Users\\me\\x\\y", 0},
        {"~/x", "C:\\Users\\me", "C:\\Users\\me/x", 0},
        {"~user\\x", "C:\\Users\\me", "~user\\x", 0},
        {"C:\\abs", NULL, "C:\\abs", 0},
        {"~\\x", NULL, NULL, -1},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N(cases); i++) {
        struct sb out = SB_INIT;
        int ret = path_expand_user(&out, cases[i].in, cases[i].home);

        TU_INT_EQ(cases[i].in, ret, cases[i].ret);
        if (cases[i].want)
            TU_STR_EQ(cases[i].in, out.buf, cases[i].want);
        sb_release(&out);
    }
}

static void test_path_absolute__cases(void **state)
{
    static const struct {
        const char *in, *base, *want;
    } cases[] = {
        {"venv", "C:\\p", "C:\\p\\venv"},
        {".venv\\Scripts\\python.exe", "C:\\p",
         "C:\\p\\.venv\\Scripts\\python.exe"},
        {"..\\shared", "C:\\p\\q", "C:\\p\\shared"},
        {"../shared", "c:/p/q", "C:\\p\\shared"},
        {".\\a\\.\\b\\", "C:\\p", "C:\\p\\a\\b"},
        {"..\\..\\..\\..", "C:\\p", "C:\\"},
        {"D:\\x\\..\\y", "C:\\p", "D:\\y"},
        {"d:/x", "C:\\p", "D:\\x"},
        {"\\x", "C:\\p\\q", "C:\\x"},
        {"/x/y", "C:\\p\\q", "C:\\x\\y"},
        {"\\..\\x", "C:\\p", "C:\\x"},
        {"\\x", "\\\\srv\\sh\\p", "\\\\srv\\sh\\x"},
        {"C:x", "C:\\p", "C:\\p\\x"},
        {"c:x", "C:\\p", "C:\\p\\x"},
        {"C:..\\x", "C:\\p\\q", "C:\\p\\x"},
        {"D:x", "C:\\p", "D:\\x"},
        {"D:", "C:\\p", "D:\\"},
        {"x", "\\\\srv\\sh", "\\\\srv\\sh\\x"},
        {"..\\..", "\\\\srv\\sh\\a", "\\\\srv\\sh\\"},
        {"\\\\srv\\sh\\a\\..\\..", "C:\\p", "\\\\srv\\sh\\"},
        {"\\\\?\\C:\\long\\x", "C:\\p", "C:\\long\\x"},
        {"\\\\?\\UNC\\srv\\sh\\x", "C:\\p", "\\\\srv\\sh\\x"},
        {"a", "\\\\?\\C:\\p", "C:\\p\\a"},
        {"\\x", "\\\\?\\D:\\p", "D:\\x"},
        {"C:x", "\\\\?\\c:\\p", "C:\\p\\x"},
        {"~\\envs\\ai", "C:\\p", "C:\\Users\\me\\envs\\ai"},
        {"~/envs/ai", "C:\\p", "C:\\Users\\me\\envs\\ai"},
        {"~", "C:\\p", "C:\\Users\\me"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N(cases); i++) {
        struct sb out = SB_INIT;
        struct err e = ERR_INIT;

        if (path_absolute(&out, cases[i].in, cases[i].base, "C:\\Users\\me",
                          &e) < 0)
            fail_msg("case '%s': %s", cases[i].in, e.msg);
        TU_STR_EQ(cases[i].in, out.buf, cases[i].want);
        assert_true(path_is_abs(out.buf));
        sb_release(&out);
        err_release(&e);
    }
}

static void test_path_absolute__errors(void **state)
{
    struct sb out = SB_INIT;
    struct err e = ERR_INIT;

    (void)state;
    assert_int_equal(
        path_absolute(&out, "~bob\\x", "C:\\p", "C:\\Users\\me", &e), -1);
    assert_non_null(e.msg);
    assert_non_null(strstr(e.msg, "~bob\\x"));
    err_release(&e);
    assert_int_equal(path_absolute(&out, "~\\x", "C:\\p", NULL, &e), -1);
    assert_non_null(strstr(e.msg, "no home"));
    err_release(&e);
    sb_release(&out);
}

static void test_path_is_inside__cases(void **state)
{
    static const struct {
        const char *p, *dir;
        int want;
    } cases[] = {
        {"C:\\a\\b", "C:\\a", 1},
        {"c:/A/b", "C:\\a", 1},
        {"C:\\a", "C:\\a", 1},
        {"C:\\a", "c:\\A", 1},
        {"C:\\Users\\Me\\proj\\x.py", "c:\\users\\me\\proj", 1},
        {"C:\\ab", "C:\\a", 0},
        {"C:\\a", "C:\\a\\b", 0},
        {"C:\\x", "C:\\", 1},
        {"C:\\", "C:\\", 1},
        {"c:/x", "C:\\", 1},
        {"D:\\x", "C:\\", 0},
        {"\\\\srv\\sh\\x", "\\\\srv\\sh\\", 1},
        {"\\\\srv\\sh\\x", "\\\\srv\\sh", 1},
        {"\\\\SRV\\SH", "\\\\srv\\sh\\", 1},
        {"//srv/sh/x", "\\\\srv\\sh", 1},
        {"\\\\srv\\shx", "\\\\srv\\sh", 0},
        {"\\\\srv\\sh\\x", "C:\\", 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N(cases); i++)
        TU_INT_EQ(cases[i].p, path_is_inside(cases[i].p, cases[i].dir),
                  cases[i].want);
}

static void test_path_split_list__cases(void **state)
{
    static const char *const want[] = {
        "C:\\a",   "C:\\Program Files\\x", "D:/b",
        "C:\\a;b", "\\\\srv\\sh\\bin",     "C:\\Windows",
    };
    struct sv out = SV_INIT;
    size_t i;

    (void)state;
    path_split_list(
        "C:\\a;rel;;\"C:\\Program Files\\x\";D:/b;\\noroot;C:drel;\"C:\\a;b\";\\\\srv\\sh\\bin;\"\";\"rel\";C:\\Windows;",
        &out);
    assert_int_equal(out.nr, N(want));
    for (i = 0; i < N(want); i++)
        TU_STR_EQ(want[i], out.v[i], want[i]);
    sv_release(&out);
    path_split_list(NULL, &out);
    assert_int_equal(out.nr, 0);
    /* ':' does not split on Windows */
    path_split_list("C:\\x:y", &out);
    assert_int_equal(out.nr, 1);
    assert_string_equal(out.v[0], "C:\\x:y");
    sv_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_win__built_as_windows),
        cmocka_unit_test(test_path_root_len__cases),
        cmocka_unit_test(test_path_is_root__cases),
        cmocka_unit_test(test_path_equal__cases),
        cmocka_unit_test(test_path_fold__cases),
        cmocka_unit_test(test_path_has_dir__cases),
        cmocka_unit_test(test_path_join__cases),
        cmocka_unit_test(test_path_normalize__cases),
        cmocka_unit_test(test_path_dirname__cases),
        cmocka_unit_test(test_path_dirname__walk_up_ends_at_root),
        cmocka_unit_test(test_path_basename__cases),
        cmocka_unit_test(test_path_expand_user__cases),
        cmocka_unit_test(test_path_absolute__cases),
        cmocka_unit_test(test_path_absolute__errors),
        cmocka_unit_test(test_path_is_inside__cases),
        cmocka_unit_test(test_path_split_list__cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
