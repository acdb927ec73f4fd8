/* Unit tests for launcher/pyver.h. */
#include <string.h>

#include "launcher/pyver.h"
#include "tests/unit/testutil.h"

static void test_pyver_parse__table(void **state)
{
    static const struct {
        const char *in;
        int lenient, ret, major, minor, micro;
    } cases[] = {
        {"3", 0, 0, 3, -1, -1},
        {"3.12", 0, 0, 3, 12, -1},
        {"3.12.1", 0, 0, 3, 12, 1},
        {"2.7.18", 0, 0, 2, 7, 18},
        {"python3.12", 0, 0, 3, 12, -1},
        {"python3", 0, 0, 3, -1, -1},
        {"cpython3.11", 0, 0, 3, 11, -1},
        {"cpython-3.11.4", 0, 0, 3, 11, 4},
        {"cpython@3.10", 0, 0, 3, 10, -1},
        {"3.13.0rc1", 1, 0, 3, 13, 0},
        {"3.12.1.final.0", 1, 0, 3, 12, 1},
        {"3.12t", 1, 0, 3, 12, -1},
        {"3.12.1-linux", 1, 0, 3, 12, 1},
        {"3.13.0rc1", 0, -1, -1, -1, -1},
        {"3.12t", 0, -1, -1, -1, -1},
        {"3.12.1.final.0", 0, -1, -1, -1, -1},
        {"", 0, -1, -1, -1, -1},
        {"python", 0, -1, -1, -1, -1},
        {"pypy3.10", 0, -1, -1, -1, -1},
        {"system", 0, -1, -1, -1, -1},
        {"3.", 1, -1, -1, -1, -1},
        {"3..1", 1, -1, -1, -1, -1},
        {".3", 1, -1, -1, -1, -1},
        {"-3", 1, -1, -1, -1, -1},
        {" 3.12", 0, -1, -1, -1, -1},
        {"3.12 ", 0, -1, -1, -1, -1},
        {"99999999999.1", 0, -1, -1, -1, -1},
        {"3.100000000000", 0, -1, -1, -1, -1},
        {"10.20.30", 0, 0, 10, 20, 30},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct pyver v = {7, 7, 7};
        int ret = pyver_parse(cases[i].in, &v, cases[i].lenient);

        TU_INT_EQ(cases[i].in, ret, cases[i].ret);
        if (ret < 0)
            continue; /* v on failure is unspecified beyond the status */
        TU_INT_EQ(cases[i].in, v.major, cases[i].major);
        TU_INT_EQ(cases[i].in, v.minor, cases[i].minor);
        TU_INT_EQ(cases[i].in, v.micro, cases[i].micro);
    }
}

static void test_pyver_matches__table(void **state)
{
    static const struct {
        const char *name;
        struct pyver v, r;
        int want;
    } cases[] = {
        {"any", {3, 12, 1}, {-1, -1, -1}, 1},
        {"major", {3, 12, 1}, {3, -1, -1}, 1},
        {"other major", {2, 7, 18}, {3, -1, -1}, 0},
        {"minor", {3, 12, 1}, {3, 12, -1}, 1},
        {"other minor", {3, 11, 1}, {3, 12, -1}, 0},
        {"micro", {3, 12, 1}, {3, 12, 1}, 1},
        {"other micro", {3, 12, 2}, {3, 12, 1}, 0},
        {"unknown micro vs exact", {3, 12, -1}, {3, 12, 1}, 0},
        {"unknown micro vs minor", {3, 12, -1}, {3, 12, -1}, 1},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++)
        TU_INT_EQ(cases[i].name, pyver_matches(&cases[i].v, &cases[i].r),
                  cases[i].want);
}

static void test_pyver_cmp__order(void **state)
{
    /* ascending */
    static const struct pyver order[] = {
        {-1, -1, -1}, {2, 7, 18}, {3, -1, -1}, {3, 8, -1}, {3, 8, 0},
        {3, 8, 9},    {3, 8, 10}, {3, 10, 0},  {3, 12, 1}, {4, 0, 0},
    };
    size_t i, j, n = sizeof(order) / sizeof(*order);

    (void)state;
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++) {
            int c = pyver_cmp(&order[i], &order[j]);

            if ((i < j && c >= 0) || (i > j && c <= 0) || (i == j && c))
                fail_msg("pyver_cmp(#%zu, #%zu) = %d", i, j, c);
        }
}

static void test_pyver_str__forms(void **state)
{
    static const struct {
        struct pyver v;
        const char *want;
    } cases[] = {
        {{3, 12, 1}, "3.12.1"},
        {{3, 12, -1}, "3.12"},
        {{3, -1, -1}, "3"},
        {{-1, -1, -1}, "?"},
        {{10, 200, 3000}, "10.200.3000"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        char buf[32];

        memset(buf, 'x', sizeof(buf));
        assert_ptr_equal(pyver_str(&cases[i].v, buf, sizeof(buf)), buf);
        TU_STR_EQ(cases[i].want, buf, cases[i].want);
    }
}

static void test_pyver_str__round_trip(void **state)
{
    static const char *const in[] = {"3", "3.9", "3.12.10", "2.7.18", NULL};
    size_t i;

    (void)state;
    for (i = 0; in[i]; i++) {
        struct pyver v;
        char buf[32];

        assert_int_equal(pyver_parse(in[i], &v, 0), 0);
        TU_STR_EQ(in[i], pyver_str(&v, buf, sizeof(buf)), in[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pyver_parse__table),
        cmocka_unit_test(test_pyver_matches__table),
        cmocka_unit_test(test_pyver_cmp__order),
        cmocka_unit_test(test_pyver_str__forms),
        cmocka_unit_test(test_pyver_str__round_trip),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
