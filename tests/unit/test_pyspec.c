/* Unit tests for config/pyspec.h: PEP 440 specifiers against versions. */
#include <stdlib.h>
#include <string.h>

#include "config/pyspec.h"
#include "tests/unit/testutil.h"

static void test_pyspec_match__table(void **state)
{
    static const struct {
        const char *spec, *ver;
        int want;
    } cases[] = {
        {">=3.12", "3.12.0", 1},
        {">=3.12", "3.11.9", 0},
        {">=3.12", "3.13.1", 1},
        {">= 3.12", "3.12", 1},
        {">3.12", "3.12.0", 0},
        {">3.12", "3.12.1", 1},
        {"<3.12", "3.11.7", 1},
        {"<3.12", "3.12.0", 0},
        {"<=3.12", "3.12.0", 1},
        {"<=3.12", "3.12.1", 0},
        {"==3.12", "3.12.0", 1},
        {"==3.12", "3.12.1", 0},
        {"==3.12.*", "3.12.7", 1},
        {"==3.12.*", "3.13.0", 0},
        {"== 3.*", "3.8.1", 1},
        {"!=3.12.*", "3.12.1", 0},
        {"!=3.12.*", "3.11.1", 1},
        {"!=3.12.1", "3.12.1", 0},
        {"!=3.12.1", "3.12.2", 1},
        {"~=3.11", "3.11.0", 1},
        {"~=3.11", "3.13.0", 1},
        {"~=3.11", "4.0.0", 0},
        {"~=3.11", "3.10.9", 0},
        {"~=3.11.2", "3.11.5", 1},
        {"~=3.11.2", "3.12.0", 0},
        {"~=3.11.2", "3.11.1", 0},
        {">=3.9, <3.13", "3.12.4", 1},
        {">=3.9,<3.13", "3.13.0", 0},
        {">=3.9,<3.13", "3.8.18", 0},
        {">=3.8,!=3.9.*,<4", "3.9.2", 0},
        {">=3.8,!=3.9.*,<4", "3.10.2", 1},
        {"==3.12.0.0", "3.12.0", 1},
        {"==3", "3.0.0", 1},
        /* micro unknown: known when it cannot matter, else -1 */
        {">=3.12", "3.12", 1},
        {">=3.11", "3.10", 0},
        {">=3.12.1", "3.12", -1},
        {"==3.12.*", "3.12", 1},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct pyspec s = PYSPEC_INIT;
        struct pyver v;
        struct err e = ERR_INIT;
        int got;

        if (pyspec_parse(&s, cases[i].spec, &e) < 0)
            fail_msg("'%s': %s", cases[i].spec, e.msg);
        assert_int_equal(pyver_parse(cases[i].ver, &v, 0), 0);
        got = pyspec_match(&s, &v);
        if (got != cases[i].want)
            fail_msg("'%s' on %s: got %d, want %d", cases[i].spec, cases[i].ver,
                     got, cases[i].want);
        pyspec_release(&s);
    }
}

static void test_pyspec_parse__errors(void **state)
{
    static const struct {
        const char *spec, *err;
    } cases[] = {
        {"", "empty"},
        {"  ", "empty"},
        {"3.12", "does not start with a comparison operator"},
        {">=3.12,", "empty"},
        {">=", "expected a release number"},
        {">=3.12 <3.13", "unexpected '<3.13'"},
        {">=3.13.0rc1", "pre-, post- and dev-releases"},
        {">=3.12.*", "expected a release number"},
        {"==3.*.1", "unexpected"},
        {"~=3", "needs at least two parts"},
        {"===3.12", "arbitrary equality"},
        {">=1.2.3.4.5.6.7", "more than 6 parts"},
        {">=999999999999", "too large"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct pyspec s = PYSPEC_INIT;
        struct err e = ERR_INIT;

        if (pyspec_parse(&s, cases[i].spec, &e) == 0)
            fail_msg("'%s' parsed", cases[i].spec);
        if (!e.msg || !strstr(e.msg, cases[i].err) || !e.hint)
            fail_msg("'%s': '%s', want '%s'", cases[i].spec, e.msg,
                     cases[i].err);
        assert_null(s.c);
        err_release(&e);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pyspec_match__table),
        cmocka_unit_test(test_pyspec_parse__errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
