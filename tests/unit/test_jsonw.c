/* Unit tests for common/jsonw.h: the one JSON writer. */
#include <stdlib.h>
#include <string.h>

#include "common/jsonw.h"
#include "common/jsonkv.h"
#include "tests/unit/testutil.h"

static void test_jsonw__layout_of_nested_containers(void **state)
{
    struct sb o = SB_INIT;
    struct jsonw w;

    (void)state;
    jsonw_init(&w, &o, 2);
    jsonw_object_begin(&w);
    jsonw_key(&w, "argv");
    jsonw_array_begin(&w);
    jsonw_string(&w, "/x/python");
    jsonw_string(&w, "-m");
    jsonw_array_end(&w);
    jsonw_key(&w, "env");
    jsonw_object_begin(&w);
    jsonw_kv_string(&w, "A", "");
    jsonw_kv_string(&w, "B", NULL);
    jsonw_object_end(&w);
    jsonw_key(&w, "empty");
    jsonw_array_begin(&w);
    jsonw_array_end(&w);
    jsonw_kv_bool(&w, "t", 1);
    jsonw_key(&w, "n");
    jsonw_int(&w, -42);
    jsonw_object_end(&w);
    jsonw_release(&w);
    assert_string_equal(o.buf, "{\n"
                               "  \"argv\": [\"/x/python\", \"-m\"],\n"
                               "  \"env\": {\"A\": \"\", \"B\": null},\n"
                               "  \"empty\": [],\n"
                               "  \"t\": true,\n"
                               "  \"n\": -42\n"
                               "}");
    sb_release(&o);
}

static void test_jsonw__top_array_and_empty(void **state)
{
    struct sb o = SB_INIT;
    struct jsonw w;

    (void)state;
    jsonw_init(&w, &o, 1);
    jsonw_array_begin(&w);
    jsonw_array_end(&w);
    jsonw_release(&w);
    assert_string_equal(o.buf, "[]");
    sb_reset(&o);
    jsonw_init(&w, &o, 1);
    jsonw_array_begin(&w);
    jsonw_object_begin(&w);
    jsonw_kv_bool(&w, "fixed", 0);
    jsonw_kv_string(&w, "hint", NULL);
    jsonw_object_end(&w);
    jsonw_object_begin(&w);
    jsonw_object_end(&w);
    jsonw_array_end(&w);
    jsonw_release(&w);
    assert_string_equal(o.buf,
                        "[\n {\"fixed\": false, \"hint\": null},\n {}\n]");
    sb_release(&o);
}

static void test_jsonw__one_line_and_scalar(void **state)
{
    struct sb o = SB_INIT;
    struct jsonw w;

    (void)state;
    jsonw_init(&w, &o, 0);
    jsonw_object_begin(&w);
    jsonw_kv_string(&w, "a", "b");
    jsonw_key(&w, "c");
    jsonw_array_begin(&w);
    jsonw_null(&w);
    jsonw_bool(&w, 0);
    jsonw_array_end(&w);
    jsonw_object_end(&w);
    jsonw_release(&w);
    assert_string_equal(o.buf, "{\"a\": \"b\", \"c\": [null, false]}");
    sb_reset(&o);
    jsonw_init(&w, &o, 2);
    jsonw_string(&w, "alone");
    jsonw_release(&w);
    assert_string_equal(o.buf, "\"alone\"");
    sb_release(&o);
}

/* Strings that need escaping come back whole through a JSON reader. */
static void test_jsonw__escapes_round_trip(void **state)
{
    static const char *const vals[] = {
        "quote \" and \\ backslash",
        "tab\tnew\nline\rcr",
        "\x01\x1f\x7f",
        "caf\xc3\xa9 \xe2\x80\xa8 \xf0\x9f\x90\x8d",
        "",
        "a/b"};
    struct sb o = SB_INIT, key = SB_INIT;
    struct sv keys = SV_INIT, got = SV_INIT;
    struct jsonw w;
    size_t i;

    (void)state;
    jsonw_init(&w, &o, 2);
    jsonw_object_begin(&w);
    for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        sb_reset(&key);
        sb_addf(&key, "k\"%zu", i);
        jsonw_kv_string(&w, key.buf, vals[i]);
    }
    jsonw_object_end(&w);
    jsonw_release(&w);
    assert_int_equal(jsonkv_parse(o.buf, o.len, &keys, &got), 0);
    assert_int_equal(got.nr, sizeof(vals) / sizeof(vals[0]));
    for (i = 0; i < got.nr; i++) {
        sb_reset(&key);
        sb_addf(&key, "k\"%zu", i);
        TU_STR_EQ(vals[i], keys.v[i], key.buf);
        TU_STR_EQ(vals[i], got.v[i], vals[i]);
    }
    sb_release(&o);
    sb_release(&key);
    sv_release(&keys);
    sv_release(&got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jsonw__layout_of_nested_containers),
        cmocka_unit_test(test_jsonw__top_array_and_empty),
        cmocka_unit_test(test_jsonw__one_line_and_scalar),
        cmocka_unit_test(test_jsonw__escapes_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
