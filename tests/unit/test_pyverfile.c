/* Unit tests for config/pyverfile.h. */
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "config/pyverfile.h"
#include "tests/unit/testutil.h"

static void test_pyverfile_parse__table(void **state)
{
    static const struct {
        const char *name, *text;
        size_t len;       /* 0: strlen */
        const char *want; /* NULL: an error holding err */
        const char *err;
    } cases[] = {
        {"plain", "3.12\n", 0, "3.12", NULL},
        {"no newline", "3.11.7", 0, "3.11.7", NULL},
        {"CRLF", "3.10\r\n", 0, "3.10", NULL},
        {"padding", "  \t3.9  \n", 0, "3.9", NULL},
        {"comments and blanks first", "# pinned\n\n   \n# x\n3.8\n", 0, "3.8",
         NULL},
        {"first line wins", "3.12\n3.11\n", 0, "3.12", NULL},
        {"several on one line", "3.12.1 3.11.7\n", 0, "3.12.1", NULL},
        {"tab separated", "pypy3.10\t3.12", 0, "pypy3.10", NULL},
        /* found by tests/fuzz (regressions/pyversion): a CR inside the line
         * was kept in the request */
        {"lone CR ends the word", "3.12\r3.11\n", 0, "3.12", NULL},
        {"pyenv names", "miniconda3-latest\n", 0, "miniconda3-latest", NULL},
        {"BOM",
         "\xef\xbb\xbf"
         "3.13\n",
         0, "3.13", NULL},
        {"BOM then comment", "\xef\xbb\xbf# c\n3.7", 0, "3.7", NULL},
        {"empty", "", 0, NULL, "names no version"},
        {"only comments", "# 3.12\n\n", 0, NULL, "names no version"},
        {"UTF-16 LE",
         "\xff\xfe"
         "3\0.\0"
         "1\0"
         "2\0",
         10, NULL, "UTF-16"},
        {"UTF-16 BE",
         "\xfe\xff\0"
         "3\0.\0"
         "1\0"
         "2",
         10, NULL, "UTF-16"},
        {"NUL byte", "3.12\n\0", 6, NULL, "NUL byte"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct sb out = SB_INIT;
        struct err e = ERR_INIT;
        const char *name = cases[i].name;
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
        int ret;

        sb_addstr(&out, "stale");
        ret =
            pyverfile_parse("/p/.python-version", cases[i].text, len, &out, &e);
        if (cases[i].want) {
            if (ret < 0)
                fail_msg("case '%s': %s", name, e.msg);
            TU_STR_EQ(name, out.buf, cases[i].want);
        } else {
            TU_INT_EQ(name, ret, -1);
            TU_CONTAINS(name, e.msg, "/p/.python-version");
            TU_CONTAINS(name, e.msg, cases[i].err);
            TU_INT_EQ(name, e.code, PYSHIM_EXIT_CONFIG);
            if (!e.hint)
                fail_msg("case '%s': no hint", name);
        }
        sb_release(&out);
        err_release(&e);
    }
}

static void test_pyverfile_load__files(void **state)
{
    char *root = tu_mkdtemp(), *p;
    struct sb out = SB_INIT;
    struct err e = ERR_INIT;
    char big[70000];

    (void)state;
    tu_write(root, "ok/.python-version", "3.12\n");
    p = tu_path(root, "ok/.python-version");
    assert_int_equal(pyverfile_load(p, &out, &e), 0);
    assert_string_equal(out.buf, "3.12");
    free(p);

    p = tu_path(root, "missing");
    assert_int_equal(pyverfile_load(p, &out, &e), -1);
    assert_non_null(strstr(e.msg, p));
    assert_non_null(strstr(e.msg, "cannot read"));
    err_release(&e);
    free(p);

    memset(big, '#', sizeof(big));
    tu_write_bytes(root, "big", big, sizeof(big), 0644);
    p = tu_path(root, "big");
    assert_int_equal(pyverfile_load(p, &out, &e), -1);
    assert_non_null(strstr(e.msg, "larger than 64 KiB"));
    err_release(&e);
    free(p);

    sb_release(&out);
    tu_cleanup(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pyverfile_parse__table),
        cmocka_unit_test(test_pyverfile_load__files),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
