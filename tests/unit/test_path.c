/* Unit tests for common/path.h. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/path.h"
#include "tests/unit/testutil.h"

static void test_path_is_abs__cases(void **state)
{
    (void)state;
    assert_true(path_is_abs("/"));
    assert_true(path_is_abs("/a/b"));
    assert_false(path_is_abs("a/b"));
    assert_false(path_is_abs("./a"));
    assert_false(path_is_abs(""));
    assert_false(path_is_abs("~/x"));
}

static void test_path_join__cases(void **state)
{
    static const struct {
        const char *dir, *name, *want;
    } cases[] = {
        {"/a", "b", "/a/b"}, {"/a/", "b", "/a/b"},
        {"/", "b", "/b"},    {"/a", "/abs", "/abs"},
        {"", "b", "b"},      {"rel", "b/c", "rel/b/c"},
        {"/a", "", "/a/"},   {"/a/b", "../c", "/a/b/../c"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct sb out = SB_INIT;

        sb_addstr(&out, "garbage"); /* replaced, not appended to */
        path_join(&out, cases[i].dir, cases[i].name);
        TU_STR_EQ(cases[i].want, out.buf, cases[i].want);
        sb_release(&out);
    }
}

static void test_path_join__out_aliases_input(void **state)
{
    struct sb p = SB_INIT;

    (void)state;
    /* callers write path_join(&p, dir, p.buf) */
    sb_addstr(&p, "name");
    path_join(&p, "/dir", p.buf);
    assert_string_equal(p.buf, "/dir/name");
    path_join(&p, p.buf, "x");
    assert_string_equal(p.buf, "/dir/name/x");
    sb_release(&p);
}

static void test_path_normalize__cases(void **state)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"/a/b/c", "/a/b/c"},
        {"/a//b///c/", "/a/b/c"},
        {"/a/./b/.", "/a/b"},
        {"/a/b/../c", "/a/c"},
        {"/a/b/../../..", "/"},
        {"/../x", "/x"},
        {"/", "/"},
        {"//", "/"},
        {"a/b/..", "a"},
        {"a/..", "."},
        {"../a", "../a"},
        {"../../a/../b", "../../b"},
        {"a/../../b", "../b"},
        {"./", "."},
        {"", "."},
        {"/a/..b/c", "/a/..b/c"},
        {"/a/b.../..", "/a"},
        {"/abc/..", "/"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct sb p = SB_INIT;

        sb_addstr(&p, cases[i].in);
        path_normalize(&p);
        TU_STR_EQ(cases[i].in, p.buf, cases[i].want);
        TU_INT_EQ(cases[i].in, p.len, strlen(cases[i].want));
        sb_release(&p);
    }
}

static void test_path_dirname__cases(void **state)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"/a/b", "/a"}, {"/a", "/"},  {"/", "/"},
        {"a", "."},     {"a/b", "a"}, {"/a/b/c.json", "/a/b"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct sb p = SB_INIT;

        sb_addstr(&p, cases[i].in);
        path_dirname(&p);
        TU_STR_EQ(cases[i].in, p.buf, cases[i].want);
        sb_release(&p);
    }
}

static void test_path_basename__cases(void **state)
{
    const char *p = "/usr/bin/python3";

    (void)state;
    assert_ptr_equal(path_basename(p), p + 9); /* borrowed, not a copy */
    assert_string_equal(path_basename("python"), "python");
    assert_string_equal(path_basename("/a/"), "");
}

static void test_path_expand_user__cases(void **state)
{
    static const struct {
        const char *in, *home, *want;
        int ret;
    } cases[] = {
        {"~", "/home/u", "/home/u", 0},
        {"~/x/y", "/home/u", "/home/u/x/y", 0},
        {"~user/x", "/home/u", "~user/x", 0},
        {"a/~", "/home/u", "a/~", 0},
        {"/abs", NULL, "/abs", 0},
        {"~/x", NULL, NULL, -1},
        {"~", NULL, NULL, -1},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
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
        const char *in, *base, *home, *want;
    } cases[] = {
        {"venv", "/p", "/h", "/p/venv"},
        {"../shared", "/p/q", "/h", "/p/shared"},
        {"./a/./b/", "/p", "/h", "/p/a/b"},
        {"/x/../y", "/p", "/h", "/y"},
        {"~/envs/ai", "/p", "/h", "/h/envs/ai"},
        {"~", "/p", "/home/me/", "/home/me"},
        {"../../../..", "/p", "/h", "/"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct sb out = SB_INIT;
        struct err e = ERR_INIT;

        if (path_absolute(&out, cases[i].in, cases[i].base, cases[i].home, &e) <
            0)
            fail_msg("case '%s': %s", cases[i].in, e.msg);
        TU_STR_EQ(cases[i].in, out.buf, cases[i].want);
        sb_release(&out);
        err_release(&e);
    }
}

static void test_path_absolute__relative_to_cwd(void **state)
{
    struct sb out = SB_INIT;
    char *dir = tu_mkdtemp(), *old = getcwd(NULL, 0), *want;

    (void)state;
    assert_non_null(old);
    assert_int_equal(chdir(dir), 0);
    assert_int_equal(path_absolute(&out, "sub/../file", NULL, NULL, NULL), 0);
    assert_int_equal(chdir(old), 0);
    want = tu_path(dir, "file");
    assert_string_equal(out.buf, want);
    free(want);
    free(old);
    sb_release(&out);
    tu_cleanup(dir);
}

static void test_path_absolute__errors(void **state)
{
    struct sb out = SB_INIT;
    struct err e = ERR_INIT;

    (void)state;
    assert_int_equal(path_absolute(&out, "~bob/x", "/p", "/h", &e), -1);
    assert_non_null(e.msg);
    assert_non_null(strstr(e.msg, "~bob/x"));
    assert_non_null(e.hint);
    err_release(&e);
    assert_int_equal(path_absolute(&out, "~/x", "/p", NULL, &e), -1);
    assert_non_null(strstr(e.msg, "no home"));
    err_release(&e);
    /* e may be NULL */
    assert_int_equal(path_absolute(&out, "~/x", "/p", NULL, NULL), -1);
    sb_release(&out);
}

static void test_path_is_inside__cases(void **state)
{
    static const struct {
        const char *p, *dir;
        int want;
    } cases[] = {
        {"/a/b", "/a", 1},     {"/a", "/a", 1},   {"/ab", "/a", 0},
        {"/a/b/c", "/a/b", 1}, {"/x", "/", 1},    {"/", "/", 1},
        {"/b", "/a", 0},       {"/a", "/a/b", 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++)
        TU_INT_EQ(cases[i].p, path_is_inside(cases[i].p, cases[i].dir),
                  cases[i].want);
}

static void test_path_root_len__cases(void **state)
{
    (void)state;
    assert_int_equal(path_root_len("/"), 1);
    assert_int_equal(path_root_len("/a/b"), 1);
    assert_int_equal(path_root_len("a/b"), 0);
    assert_int_equal(path_root_len(""), 0);
    /* Windows forms are plain relative names here */
    assert_int_equal(path_root_len("C:\\x"), 0);
    assert_int_equal(path_root_len("\\\\srv\\sh"), 0);
}

static void test_path_is_root__cases(void **state)
{
    static const struct {
        const char *p;
        int want;
    } cases[] = {
        {"/", 1}, {"//", 1},   {"/a", 0},  {"", 0},
        {"a", 0}, {"C:\\", 0}, {"C:/", 0}, {"\\", 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++)
        TU_INT_EQ(cases[i].p, path_is_root(cases[i].p), cases[i].want);
}

static void test_path_equal__cases(void **state)
{
    (void)state;
    assert_true(path_equal("/a/b", "/a/b"));
    assert_true(path_equal("", ""));
    assert_false(path_equal("/A/b", "/a/b")); /* case matters */
    assert_false(path_equal("/a/", "/a"));
    assert_false(path_equal("a\\b", "a/b"));
    assert_false(path_equal("/a", "/ab"));
}

static void test_path_fold__is_identity(void **state)
{
    struct sb out = SB_INIT;

    (void)state;
    path_fold(&out, "/A/b\\C");
    assert_string_equal(out.buf, "/A/b\\C");
    sb_release(&out);
}

static void test_path_has_dir__cases(void **state)
{
    (void)state;
    assert_true(path_has_dir("/usr/bin/python3"));
    assert_true(path_has_dir("bin/python"));
    assert_false(path_has_dir("python3"));
    assert_false(path_has_dir("a\\b"));
    assert_false(path_has_dir("C:x"));
    assert_false(path_has_dir(""));
}

static void test_path_backslash__is_a_name_char(void **state)
{
    struct sb p = SB_INIT;

    (void)state;
    sb_addstr(&p, "a\\b/..\\c");
    path_normalize(&p);
    assert_string_equal(p.buf, "a\\b/..\\c");
    assert_string_equal(path_basename("/x/a\\b"), "a\\b");
    sb_set(&p, "/x/a\\b");
    path_dirname(&p);
    assert_string_equal(p.buf, "/x");
    assert_int_equal(path_is_inside("/a\\b", "/a"), 0);
    sb_release(&p);
}

static void test_path_split_list__cases(void **state)
{
    struct sv out = SV_INIT;

    (void)state;
    path_split_list("/a:rel::/b/c:\"/q\":/d;e:", &out);
    assert_int_equal(out.nr, 3);
    assert_string_equal(out.v[0], "/a");
    assert_string_equal(out.v[1], "/b/c");
    assert_string_equal(out.v[2], "/d;e"); /* ';' and quotes are names */
    sv_release(&out);
    path_split_list(NULL, &out);
    assert_int_equal(out.nr, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_is_abs__cases),
        cmocka_unit_test(test_path_join__cases),
        cmocka_unit_test(test_path_join__out_aliases_input),
        cmocka_unit_test(test_path_normalize__cases),
        cmocka_unit_test(test_path_dirname__cases),
        cmocka_unit_test(test_path_basename__cases),
        cmocka_unit_test(test_path_expand_user__cases),
        cmocka_unit_test(test_path_absolute__cases),
        cmocka_unit_test(test_path_absolute__relative_to_cwd),
        cmocka_unit_test(test_path_absolute__errors),
        cmocka_unit_test(test_path_is_inside__cases),
        cmocka_unit_test(test_path_root_len__cases),
        cmocka_unit_test(test_path_is_root__cases),
        cmocka_unit_test(test_path_equal__cases),
        cmocka_unit_test(test_path_fold__is_identity),
        cmocka_unit_test(test_path_has_dir__cases),
        cmocka_unit_test(test_path_backslash__is_a_name_char),
        cmocka_unit_test(test_path_split_list__cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
