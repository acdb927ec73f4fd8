/* Unit tests for launcher/pyini.h. */
#include <stdlib.h>
#include <string.h>

#include "launcher/pyini.h"
#include "tests/unit/testutil.h"

static void test_pyini_parse__table(void **state)
{
    static const struct {
        const char *name, *text, *key, *want; /* want NULL: not found */
    } cases[] = {
        {"plain", "[defaults]\npython=3.12\n", "python", "3.12"},
        {"python3", "[defaults]\npython=3\npython3=3.11-32\n", "python3",
         "3.11-32"},
        {"key is not a prefix", "[defaults]\npython3=3.11\n", "python", NULL},
        {"CRLF and blanks", "[defaults]\r\n  python = 3.13t \r\n", "python",
         "3.13t"},
        {"caseless names", "[Defaults]\nPYTHON=3.10\n", "python", "3.10"},
        {"blanks in the section", "[ defaults ]\npython=3.9\n", "python",
         "3.9"},
        {"other section", "[commands]\npython=3.12\n", "python", NULL},
        {"before any section", "python=3.12\n[defaults]\n", "python", NULL},
        {"section ends", "[defaults]\n[commands]\npython=3.12\n", "python",
         NULL},
        {"comments", "; python=2.7\n[defaults]\n# python=2.7\npython=3.8\n",
         "python", "3.8"},
        {"first wins", "[defaults]\npython=3.8\npython=3.9\n", "python", "3.8"},
        {"empty value skipped", "[defaults]\npython=\npython=3.7\n", "python",
         "3.7"},
        {"only empty", "[defaults]\npython=  \n", "python", NULL},
        {"quoted", "[defaults]\npython=\"3.12\"\n", "python", "3.12"},
        {"no newline at end", "[defaults]\npython=3.12", "python", "3.12"},
        {"no '='", "[defaults]\npython 3.12\n", "python", NULL},
        {"unclosed section", "[defaults\npython=3.12\n", "python", NULL},
        {"second section of the name",
         "[defaults]\nx=1\n[commands]\n[defaults]\npython=3.6\n", "python",
         "3.6"},
        {"UTF-8 BOM", "\xef\xbb\xbf[defaults]\npython=3.12\n", "python",
         "3.12"},
        {"empty file", "", "python", NULL},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct sb out = SB_INIT;
        int ret;

        sb_set(&out, "untouched");
        ret = pyini_parse(cases[i].text, strlen(cases[i].text), cases[i].key,
                          &out);
        TU_INT_EQ(cases[i].name, ret, cases[i].want != NULL);
        TU_STR_EQ(cases[i].name, out.buf,
                  cases[i].want ? cases[i].want : "untouched");
        sb_release(&out);
    }
}

/* PowerShell 5's `Set-Content`/`>` write UTF-16LE with a BOM. */
static void test_pyini_parse__utf16(void **state)
{
    static const char text[] = "[defaults]\r\npython=3.12-32\r\n";
    struct sb u16 = SB_INIT, out = SB_INIT;
    size_t i;

    (void)state;
    sb_add(&u16, "\xff\xfe", 2);
    for (i = 0; text[i]; i++) {
        sb_addch(&u16, text[i]);
        sb_addch(&u16, 0);
    }
    assert_int_equal(pyini_parse(u16.buf, u16.len, "python", &out), 1);
    assert_string_equal(out.buf, "3.12-32");
    /* an odd trailing byte and a lone surrogate do not upset it */
    sb_add(&u16, "\x00\xd8", 2);
    sb_addch(&u16, 'x');
    assert_int_equal(pyini_parse(u16.buf, u16.len, "python", &out), 1);
    assert_string_equal(out.buf, "3.12-32");
    sb_release(&u16);
    sb_release(&out);
}

static void test_pyini_default__sources(void **state)
{
    char *root = tu_mkdtemp();
    struct sb out = SB_INIT, from = SB_INIT;
    char *ini = tu_path(root, "py.ini");

    (void)state;
    unsetenv("PY_PYTHON");
    unsetenv("PY_PYTHON3");
    setenv("LOCALAPPDATA", root, 1);

    /* nothing anywhere */
    assert_int_equal(pyini_default("", &out), 0);
    assert_int_equal(pyini_request(&out, &from), 0);

    tu_write(root, "py.ini", "[defaults]\npython=3\npython3=3.11\n");
    assert_int_equal(pyini_default("", &out), 1);
    assert_string_equal(out.buf, "3");
    assert_int_equal(pyini_default("3", &out), 1);
    assert_string_equal(out.buf, "3.11");
    /* "python=3" leaves the minor to python3= */
    assert_int_equal(pyini_request(&out, &from), 1);
    assert_string_equal(out.buf, "3.11");
    assert_string_equal(from.buf, ini);

    /* the variables win over py.ini */
    setenv("PY_PYTHON", "3.12-32", 1);
    assert_int_equal(pyini_request(&out, &from), 1);
    assert_string_equal(out.buf, "3.12-32");
    assert_string_equal(from.buf, "PY_PYTHON");
    setenv("PY_PYTHON", "3", 1);
    setenv("PY_PYTHON3", "3.13t", 1);
    assert_int_equal(pyini_request(&out, &from), 1);
    assert_string_equal(out.buf, "3.13t");
    assert_string_equal(from.buf, "PY_PYTHON3");
    /* an empty variable is not set */
    setenv("PY_PYTHON", "", 1);
    unsetenv("PY_PYTHON3");
    assert_int_equal(pyini_default("", &out), 1);
    assert_string_equal(out.buf, "3");

    /* no LOCALAPPDATA, or a relative one: no py.ini */
    unsetenv("PY_PYTHON");
    setenv("LOCALAPPDATA", "relative", 1);
    sb_set(&out, "untouched");
    assert_int_equal(pyini_default("", &out), 0);
    unsetenv("LOCALAPPDATA");
    assert_int_equal(pyini_default("3", &out), 0);
    assert_string_equal(out.buf, "untouched");

    sb_release(&out);
    sb_release(&from);
    free(ini);
    tu_cleanup(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pyini_parse__table),
        cmocka_unit_test(test_pyini_parse__utf16),
        cmocka_unit_test(test_pyini_default__sources),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
