/* Unit tests for launcher/facts.h: the record reader and writer, the pure
 * part of the facts cache (facts_get's probing and file checks are covered
 * by the integration tests). */
#include <stdlib.h>
#include <string.h>

#include "common/sb.h"
#include "launcher/facts.h"
#include "tests/unit/testutil.h"

#define PROBE                                                                  \
    "{\"version\": \"3.12.1\", \"impl\": \"cpython\", \"abiflags\": \"\", "    \
    "\"libpython\": \"/usr/lib/libpython3.12.so.1.0\", \"prefix\": \"/usr\", " \
    "\"ext_managed\": true}"

static void test_facts_parse__table(void **state)
{
    static const struct {
        const char *name, *text, *key;
        int ok;
    } cases[] = {
        {"the probe's output", PROBE "\n", NULL, 1},
        {"no libpython",
         "{\"version\": \"3.11.2\", \"impl\": \"pypy\", \"abiflags\": \"d\", \"libpython\": \"\", \"prefix\": \"/p\", \"ext_managed\": false}",
         NULL, 1},
        {"a member missing", "{\"version\": \"3.12.1\", \"impl\": \"cpython\"}",
         NULL, 0},
        {"no micro version",
         "{\"version\": \"3.12\", \"impl\": \"cpython\", \"abiflags\": \"\", \"libpython\": \"\", \"prefix\": \"/usr\", \"ext_managed\": false}",
         NULL, 0},
        {"not JSON", "Python 3.12.1", NULL, 0},
        {"an array", "[1, 2]", NULL, 0},
        {"nested", "{\"version\": {\"major\": 3}}", NULL, 0},
        {"empty", "", NULL, 0},
        {"no key in the record", PROBE, "k1", 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct facts f = FACTS_INIT;
        int ret =
            facts_parse(cases[i].text, strlen(cases[i].text), cases[i].key, &f);

        TU_INT_EQ(cases[i].name, ret == 0, cases[i].ok);
        if (ret) /* a failure leaves f released */
            TU_INT_EQ(cases[i].name, !f.impl && !f.prefix && !f.libpython, 1);
        else
            TU_INT_EQ(cases[i].name, f.impl && f.abiflags && f.prefix, 1);
        facts_release(&f);
    }
}

static void test_facts_record__roundtrip(void **state)
{
    struct facts f = FACTS_INIT;
    struct sb rec = SB_INIT;

    (void)state;
    /* trailing white space after the object, as print() leaves it */
    assert_int_equal(facts_record(&rec, PROBE " \r\n", strlen(PROBE) + 3, "k1"),
                     0);
    assert_non_null(
        strstr(rec.buf, "\"ext_managed\": true, \"key\": \"k1\"}\n"));
    assert_int_equal(facts_parse(rec.buf, rec.len, "k1", &f), 0);
    assert_int_equal(f.ver.major, 3);
    assert_int_equal(f.ver.minor, 12);
    assert_int_equal(f.ver.micro, 1);
    assert_string_equal(f.impl, "cpython");
    assert_string_equal(f.abiflags, "");
    assert_string_equal(f.libpython, "/usr/lib/libpython3.12.so.1.0");
    assert_string_equal(f.prefix, "/usr");
    assert_int_equal(f.ext_managed, 1);
    facts_release(&f);

    /* the same record under another key is a miss */
    assert_int_equal(facts_parse(rec.buf, rec.len, "k2", &f), -1);
    assert_null(f.impl);
    /* read without a key, it is still the probe's facts */
    assert_int_equal(facts_parse(rec.buf, rec.len, NULL, &f), 0);
    facts_release(&f);

    /* output that does not end an object makes no record */
    assert_int_equal(facts_record(&rec, "oops", 4, "k1"), -1);
    assert_int_equal(facts_record(&rec, "  \n", 3, "k1"), -1);
    sb_release(&rec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_facts_parse__table),
        cmocka_unit_test(test_facts_record__roundtrip),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
