/* Unit tests for launcher/facts.h: the probe's reader, the record reader
 * and writer, the pure part of the facts cache (facts_get's probing and file
 * checks are covered by the integration tests). */
#include <stdlib.h>
#include <string.h>

#include "common/sb.h"
#include "common/xalloc.h"
#include "launcher/facts.h"
#include "tests/unit/testutil.h"

#define PROBE                                                                  \
    "{\"version\": \"3.12.1\", \"impl\": \"cpython\", \"abiflags\": \"\", "    \
    "\"libpython\": \"/usr/lib/libpython3.12.so.1.0\", \"prefix\": \"/usr\", " \
    "\"ext_managed\": true}"

/* The probe's output (JSON, as the interpreter prints it). */
static void test_facts_parse_probe__table(void **state)
{
    static const struct {
        const char *name, *text;
        int ok;
    } cases[] = {
        {"the probe's output", PROBE "\n", 1},
        {"no libpython",
         "{\"version\": \"3.11.2\", \"impl\": \"pypy\", \"abiflags\": \"d\", \"libpython\": \"\", \"prefix\": \"/p\", \"ext_managed\": false}",
         1},
        {"a member missing", "{\"version\": \"3.12.1\", \"impl\": \"cpython\"}",
         0},
        {"no micro version",
         "{\"version\": \"3.12\", \"impl\": \"cpython\", \"abiflags\": \"\", \"libpython\": \"\", \"prefix\": \"/usr\", \"ext_managed\": false}",
         0},
        {"not JSON", "Python 3.12.1", 0},
        {"an array", "[1, 2]", 0},
        {"nested", "{\"version\": {\"major\": 3}}", 0},
        {"empty", "", 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct facts f = FACTS_INIT;
        int ret = facts_parse_probe(cases[i].text, strlen(cases[i].text), &f);

        TU_INT_EQ(cases[i].name, ret == 0, cases[i].ok);
        if (ret) /* a failure leaves f released */
            TU_INT_EQ(cases[i].name, !f.impl && !f.prefix && !f.libpython, 1);
        else
            TU_INT_EQ(cases[i].name, f.impl && f.abiflags && f.prefix, 1);
        facts_release(&f);
    }
}

#define REC                                                                    \
    "pyshim-facts 1\n"                                                         \
    "key 10:1:2:3:/usr/bin/python3.12\n"                                       \
    "version 3.12.1\n"                                                         \
    "impl cpython\n"                                                           \
    "abiflags \n"                                                              \
    "libpython /usr/lib/libpython3.12.so.1.0\n"                                \
    "prefix /usr\n"                                                            \
    "ext_managed 1\n"

/* The cache record (line format): the key must match, every line must be
 * there, in order, whole; anything else (a JSON record of an older
 * pyshim) is a miss. */
static void test_facts_parse__table(void **state)
{
    static const struct {
        const char *name, *text, *key;
        int ok;
    } cases[] = {
        {"a record", REC, "10:1:2:3:/usr/bin/python3.12", 1},
        {"a record read without a key", REC, NULL, 1},
        {"another key", REC, "10:1:2:4:/usr/bin/python3.12", 0},
        {"a longer key", REC, "10:1:2:3:/usr/bin/python3.12x", 0},
        {"a shorter key", REC, "10:1:2:3:/usr/bin/python3.1", 0},
        {"truncated (no last newline)",
         "pyshim-facts 1\nkey k\nversion 3.12.1\nimpl cpython\nabiflags \nlibpython \nprefix /usr\next_managed 1",
         "k", 0},
        {"a line missing",
         "pyshim-facts 1\nkey k\nversion 3.12.1\nabiflags \nlibpython \nprefix /usr\next_managed 1\n",
         "k", 0},
        {"trailing bytes",
         "pyshim-facts 1\nkey k\nversion 3.12.1\nimpl cpython\nabiflags \nlibpython \nprefix /usr\next_managed 1\nx",
         "k", 0},
        {"an extra field",
         "pyshim-facts 1\nkey k\nversion 3.12.1\nimpl cpython x\nabiflags \nlibpython \nprefix /usr\next_managed 1\n",
         "k", 0},
        {"ext_managed not 0/1",
         "pyshim-facts 1\nkey k\nversion 3.12.1\nimpl cpython\nabiflags \nlibpython \nprefix /usr\next_managed true\n",
         "k", 0},
        {"no micro version",
         "pyshim-facts 1\nkey k\nversion 3.12\nimpl cpython\nabiflags \nlibpython \nprefix /usr\next_managed 0\n",
         "k", 0},
        {"a bad escape",
         "pyshim-facts 1\nkey k\nversion 3.12.1\nimpl cpython\nabiflags \nlibpython \nprefix /u\\x2\next_managed 0\n",
         "k", 0},
        {"an escaped NUL",
         "pyshim-facts 1\nkey k\nversion 3.12.1\nimpl cpython\nabiflags \nlibpython \nprefix /u\\x00\next_managed 0\n",
         "k", 0},
        {"a raw tab",
         "pyshim-facts 1\nkey k\nversion 3.12.1\nimpl cpython\nabiflags \nlibpython \nprefix /u\tx\next_managed 0\n",
         "k", 0},
        {"another format version",
         "pyshim-facts 2\nkey k\nversion 3.12.1\nimpl cpython\nabiflags \nlibpython \nprefix /usr\next_managed 0\n",
         "k", 0},
        {"an older pyshim's JSON record", PROBE, NULL, 0},
        {"empty", "", NULL, 0},
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
    struct facts f = FACTS_INIT, g = FACTS_INIT;
    struct sb rec = SB_INIT;
    /* a key with the bytes that need escaping: space, newline, '\\',
     * not UTF-8 */
    const char *key = "1:2:3:4:/o pt/py\nth\\on\xff";

    (void)state;
    assert_int_equal(facts_parse_probe(PROBE " \r\n", strlen(PROBE) + 3, &f),
                     0);
    facts_record(&rec, &f, key);
    assert_non_null(strstr(rec.buf, "\nkey 1:2:3:4:/o\\x20pt/py\\x0ath\\x5con"
                                    "\xff\nversion 3.12.1\n"));
    assert_non_null(strstr(rec.buf, "\next_managed 1\n"));
    assert_int_equal(facts_parse(rec.buf, rec.len, key, &g), 0);
    assert_int_equal(g.ver.major, 3);
    assert_int_equal(g.ver.minor, 12);
    assert_int_equal(g.ver.micro, 1);
    assert_string_equal(g.impl, "cpython");
    assert_string_equal(g.abiflags, "");
    assert_string_equal(g.libpython, "/usr/lib/libpython3.12.so.1.0");
    assert_string_equal(g.prefix, "/usr");
    assert_int_equal(g.ext_managed, 1);
    facts_release(&g);

    /* the same record under another key is a miss */
    assert_int_equal(facts_parse(rec.buf, rec.len, "1:2:3:4:/o pt", &g), -1);
    assert_null(g.impl);

    /* no libpython, a prefix with every escaped byte kind */
    free(f.libpython);
    f.libpython = NULL;
    free(f.prefix);
    f.prefix = xstrdup("/a b\t\x7f\x01\\x");
    facts_record(&rec, &f, "k");
    assert_int_equal(facts_parse(rec.buf, rec.len, "k", &g), 0);
    assert_null(g.libpython);
    assert_string_equal(g.prefix, "/a b\t\x7f\x01\\x");
    facts_release(&g);
    facts_release(&f);
    sb_release(&rec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_facts_parse_probe__table),
        cmocka_unit_test(test_facts_parse__table),
        cmocka_unit_test(test_facts_record__roundtrip),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
