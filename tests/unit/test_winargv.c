/* Unit tests for common/winargv.h: Windows command-line quoting. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/sb.h"
#include "common/sv.h"
#include "common/winargv.h"
#include "tests/unit/testutil.h"

/* Arguments that a naive quoter breaks. Each is tried as argv[1] and as
 * the last argument, with neighbours, so trailing backslashes meet the
 * closing quote and the separator. */
static const char *const tricky[] = {
    "",
    " ",
    "a b",
    "a\tb",
    "\t",
    "plain",
    "a\\",
    "a\\\\",
    "a\\\\\\",
    "a\\\"b",
    "a\\\\\"b",
    "\\\\server\\share\\",
    "\\\\server\\share\\dir with space\\",
    "C:\\Program Files\\",
    "\"",
    "\"\"",
    "\"\"\"",
    "\\\"",
    "\"a b\"",
    "a\"b",
    "\\",
    "\\\\",
    "你好",
    "你 好\\",
    "--x=\"a b\"",
    "--x=a\\ b\\",
    "-c",
    "import sys; print(sys.argv)",
    "\\\\?\\C:\\very\\long\\",
    "end\\\\\" \\",
};

/* Program names: no '"' possible, everything else literal. */
static const char *const progs[] = {
    "python.exe",
    "C:\\Program Files\\Python312\\python.exe",
    "C:\\dir\\",
    "C:\\dir with space\\",
    "\\\\server\\share\\py.exe",
    "",
    "你好\\python.exe",
};

/* winargv_quote on an argv of string constants (at most 7). */
static int quote(struct sb *line, const char *const argv[])
{
    char *v[8];
    size_t i;

    for (i = 0; argv[i]; i++)
        v[i] = (char *)(uintptr_t)argv[i];
    v[i] = NULL;
    return winargv_quote(line, v);
}

static void check_round_trip(const char *name, const char *const argv[],
                             size_t n)
{
    struct sb line = SB_INIT;
    struct sv back = SV_INIT;
    size_t i;

    TU_INT_EQ(name, quote(&line, argv), 0);
    winargv_split(line.buf, &back);
    if (back.nr != n)
        fail_msg("case '%s': line [%s] splits into %zu arguments, want %zu",
                 name, line.buf, back.nr, n);
    for (i = 0; i < n; i++)
        if (strcmp(back.v[i], argv[i]))
            fail_msg("case '%s': line [%s] argument %zu is [%s], want [%s]",
                     name, line.buf, i, back.v[i], argv[i]);
    sb_release(&line);
    sv_release(&back);
}

static void test_winargv_quote__round_trips(void **state)
{
    size_t i, j;

    (void)state;
    for (i = 0; i < sizeof(tricky) / sizeof(*tricky); i++) {
        const char *one[] = {"python.exe", tricky[i], NULL};
        const char *mid[] = {"python.exe", tricky[i], tricky[i], "x", NULL};

        check_round_trip(tricky[i], one, 2);
        check_round_trip(tricky[i], mid, 4);
    }
    /* every pair, in both orders: separators next to every ending */
    for (i = 0; i < sizeof(tricky) / sizeof(*tricky); i++)
        for (j = 0; j < sizeof(tricky) / sizeof(*tricky); j++) {
            const char *pair[] = {"py", tricky[i], tricky[j], NULL};

            check_round_trip(tricky[i], pair, 3);
        }
}

static void test_winargv_quote__program_name(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(progs) / sizeof(*progs); i++) {
        const char *argv[] = {progs[i], "a\\", "", NULL};

        check_round_trip(progs[i], argv, 3);
    }
}

static void test_winargv_quote__exact_text(void **state)
{
    static const struct {
        const char *arg, *want;
    } cases[] = {
        {"plain", "p plain"},
        {"", "p \"\""},
        {"a b", "p \"a b\""},
        {"a\\b", "p a\\b"},             /* no quote near: backslash as is */
        {"a b\\", "p \"a b\\\\\""},     /* doubled before the closing quote */
        {"a\"b", "p \"a\\\"b\""},       /* '"' escaped */
        {"a\\\"b", "p \"a\\\\\\\"b\""}, /* 1 backslash + '"' -> 3 + '"' */
        {"C:\\dir\\", "p C:\\dir\\"},   /* unquoted: trailing kept as is */
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct sb line = SB_INIT;
        const char *argv[] = {"p", cases[i].arg, NULL};

        TU_INT_EQ(cases[i].arg, quote(&line, argv), 0);
        TU_STR_EQ(cases[i].arg, line.buf, cases[i].want);
        sb_release(&line);
    }
}

static void test_winargv_quote__quote_in_program_name(void **state)
{
    struct sb line = SB_INIT;
    const char *argv[] = {"a\"b.exe", "x", NULL};
    const char *none[] = {NULL};

    (void)state;
    sb_addstr(&line, "kept");
    errno = 0;
    assert_int_equal(quote(&line, argv), -1);
    assert_int_equal(errno, EINVAL);
    assert_string_equal(line.buf, "kept");
    assert_int_equal(quote(&line, none), 0);
    assert_string_equal(line.buf, "kept");
    sb_release(&line);
}

/* The examples of Microsoft's "Parsing C command-line arguments" (MSVC
 * 2008 and later), after a program name, and the program-name rule. */
static void test_winargv_split__msvc_rules(void **state)
{
    static const struct {
        const char *line;
        const char *want[6];
    } cases[] = {
        {"p \"abc\" d e", {"p", "abc", "d", "e"}},
        {"p a\\\\b d\"e f\"g h", {"p", "a\\\\b", "de fg", "h"}},
        {"p a\\\\\\\"b c d", {"p", "a\\\"b", "c", "d"}},
        {"p a\\\\\\\\\"b c\" d e", {"p", "a\\\\b c", "d", "e"}},
        {"p a\"b\"\" c d", {"p", "ab\" c d"}},
        /* 2n backslashes + '"': n backslashes, quote toggles */
        {"p \\\\\"x y\"", {"p", "\\x y"}},
        /* 2n+1 backslashes + '"': n backslashes, literal '"' */
        {"p \\\\\\\"x y", {"p", "\\\"x", "y"}},
        /* "" inside quotes: literal '"', still quoted */
        {"p \"a\"\"b c\"", {"p", "a\"b c"}},
        {"p \"\"", {"p", ""}},
        {"p \"\" \"\"", {"p", "", ""}},
        {"p   a\t\tb  ", {"p", "a", "b"}},
        {"p a\\", {"p", "a\\"}},
        /* program name: quotes toggle, backslashes literal */
        {"\"C:\\Program Files\\py.exe\" x", {"C:\\Program Files\\py.exe", "x"}},
        {"C:\\a\\b\\ x", {"C:\\a\\b\\", "x"}},
        {"\"C:\\a b\\\" x", {"C:\\a b\\", "x"}},
        {"\"a b\"c d", {"a bc", "d"}},
        {"p\\\"x y", {"p\\x y"}},
        {" x", {"", "x"}},
        {"", {""}},
    };
    size_t i, j;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct sv got = SV_INIT;
        size_t n = 0;

        while (cases[i].want[n])
            n++;
        winargv_split(cases[i].line, &got);
        TU_INT_EQ(cases[i].line, got.nr, n);
        for (j = 0; j < n; j++)
            TU_STR_EQ(cases[i].line, got.v[j], cases[i].want[j]);
        assert_null(got.v[n]);
        sv_release(&got);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_winargv_quote__round_trips),
        cmocka_unit_test(test_winargv_quote__program_name),
        cmocka_unit_test(test_winargv_quote__exact_text),
        cmocka_unit_test(test_winargv_quote__quote_in_program_name),
        cmocka_unit_test(test_winargv_split__msvc_rules),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
