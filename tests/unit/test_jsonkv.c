/* Unit tests for common/jsonkv.h. */
#include <string.h>

#include "common/sv.h"
#include "common/jsonkv.h"
#include "tests/unit/testutil.h"

static void test_jsonkv_parse__scalars(void **state)
{
    static const char text[] =
        "{\"s\": \"caf\\u00e9\", \"i\": 42, \"neg\": -7, \"f\": 1.5, \"t\": true, \"no\": false, \"nil\": null, \"e\": \"\"}";
    struct sv k = SV_INIT, v = SV_INIT;

    (void)state;
    assert_int_equal(jsonkv_parse(text, sizeof(text) - 1, &k, &v), 0);
    assert_int_equal(k.nr, 8);
    assert_int_equal(v.nr, 8);
    assert_string_equal(k.v[0], "s"); /* file order */
    assert_string_equal(k.v[7], "e");
    assert_string_equal(jsonkv_get(&k, &v, "s"), "caf\xc3\xa9");
    assert_string_equal(jsonkv_get(&k, &v, "i"), "42");
    assert_string_equal(jsonkv_get(&k, &v, "neg"), "-7");
    assert_string_equal(jsonkv_get(&k, &v, "f"), "1.5");
    assert_string_equal(jsonkv_get(&k, &v, "t"), "true");
    assert_string_equal(jsonkv_get(&k, &v, "no"), "false");
    assert_string_equal(jsonkv_get(&k, &v, "nil"), "");
    assert_string_equal(jsonkv_get(&k, &v, "e"), "");
    assert_null(jsonkv_get(&k, &v, "missing"));
    assert_null(jsonkv_get(&k, &v, "S")); /* case-sensitive */
    sv_release(&k);
    sv_release(&v);
}

static void test_jsonkv_parse__len_bounds_the_text(void **state)
{
    static const char text[] = "{\"a\": \"1\"}trailing junk";
    struct sv k = SV_INIT, v = SV_INIT;

    (void)state;
    assert_int_equal(jsonkv_parse(text, 10, &k, &v), 0);
    assert_string_equal(jsonkv_get(&k, &v, "a"), "1");
    sv_release(&k);
    sv_release(&v);
    /* a cut-off record (a crash mid-write) is malformed */
    assert_int_equal(jsonkv_parse(text, 8, &k, &v), -1);
    assert_int_equal(k.nr, 0);
}

static void test_jsonkv_parse__rejects(void **state)
{
    static const char *const bad[] = {
        "",
        "{",
        "[1, 2]",
        "\"str\"",
        "42",
        "{\"a\": {\"b\": 1}}",
        "{\"a\": [1]}",
        "{\"a\": 1,}",
        "{\"a\" 1}",
        NULL,
    };
    size_t i;

    (void)state;
    for (i = 0; bad[i]; i++) {
        struct sv k = SV_INIT, v = SV_INIT;

        TU_INT_EQ(bad[i], jsonkv_parse(bad[i], strlen(bad[i]), &k, &v), -1);
        /* nothing half-filled is left behind */
        TU_INT_EQ(bad[i], k.nr, 0);
        TU_INT_EQ(bad[i], v.nr, 0);
        sv_release(&k);
        sv_release(&v);
    }
}

static void test_jsonkv_parse__nested_after_scalars(void **state)
{
    static const char text[] = "{\"a\": \"1\", \"b\": 2, \"c\": {}}";
    struct sv k = SV_INIT, v = SV_INIT;

    (void)state;
    assert_int_equal(jsonkv_parse(text, sizeof(text) - 1, &k, &v), -1);
    assert_int_equal(k.nr, 0);
    assert_null(k.v);
    assert_null(v.v);
}

static void test_jsonkv_parse__empty_object(void **state)
{
    struct sv k = SV_INIT, v = SV_INIT;

    (void)state;
    assert_int_equal(jsonkv_parse(" {} ", 4, &k, &v), 0);
    assert_int_equal(k.nr, 0);
    assert_null(jsonkv_get(&k, &v, "a"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jsonkv_parse__scalars),
        cmocka_unit_test(test_jsonkv_parse__len_bounds_the_text),
        cmocka_unit_test(test_jsonkv_parse__rejects),
        cmocka_unit_test(test_jsonkv_parse__nested_after_scalars),
        cmocka_unit_test(test_jsonkv_parse__empty_object),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
