/* Unit tests for common/linerec.h: escaping, lines, fields, numbers. */
#include <stdint.h>
#include <string.h>

#include "common/linerec.h"
#include "common/sb.h"
#include "tests/unit/testutil.h"

/* Every byte but NUL escapes and reads back; the escaped form holds no
 * byte <= 0x20, no 0x7f and no '\\' other than an escape's. */
static void test_linerec_addesc__every_byte_reads_back(void **state)
{
    struct sb in = SB_INIT, rec = SB_INIT, out = SB_INIT;
    struct linerec r;
    size_t i;
    int c;

    (void)state;
    for (c = 1; c < 256; c++)
        sb_addch(&in, c);
    sb_addstr(&rec, "t ");
    linerec_addesc(&rec, in.buf);
    sb_addstr(&rec, " x\n");
    for (i = 2; i < rec.len - 3; i++)
        assert_true((unsigned char)rec.buf[i] > 0x20 &&
                    (unsigned char)rec.buf[i] != 0x7f);
    linerec_init(&r, rec.buf, rec.len);
    assert_int_equal(linerec_line(&r), 0);
    assert_int_equal(linerec_word(&r, "t"), 0);
    assert_int_equal(linerec_text(&r, &out), 0);
    assert_int_equal(out.len, in.len);
    assert_memory_equal(out.buf, in.buf, in.len);
    assert_int_equal(linerec_word(&r, "x"), 0);
    assert_true(linerec_line_done(&r));
    assert_true(linerec_at_end(&r));
    /* and compares without unescaping */
    linerec_init(&r, rec.buf, rec.len);
    assert_int_equal(linerec_line(&r), 0);
    assert_int_equal(linerec_word(&r, "t"), 0);
    assert_int_equal(linerec_text_is(&r, in.buf), 0);
    linerec_init(&r, rec.buf, rec.len);
    assert_int_equal(linerec_line(&r), 0);
    assert_int_equal(linerec_word(&r, "t"), 0);
    sb_setlen(&in, in.len - 1);
    assert_int_equal(linerec_text_is(&r, in.buf), -1);
    sb_release(&in);
    sb_release(&rec);
    sb_release(&out);
}

static void test_linerec_add_opt__set_and_unset(void **state)
{
    struct sb k = SB_INIT;

    (void)state;
    linerec_add_opt(&k, "PATH", "/a b:/c");
    linerec_add_opt(&k, "HOME", NULL);
    linerec_add_opt(&k, "X", "");
    assert_string_equal(k.buf, "PATH 1 /a\\x20b:/c\nHOME 0\nX 1 \n");
    sb_release(&k);
}

static void test_linerec_text__malformed(void **state)
{
    static const char *const bad[] = {
        "\\x0",  "\\x",  "\\",    "\\y20", "\\x2g",
        "\\x00", "a\tb", "\\X20", "a\x7f", "\\x2",
    };
    struct sb out = SB_INIT;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        struct linerec r;
        struct sb line = SB_INIT;

        sb_addstr(&line, bad[i]);
        sb_addch(&line, '\n');
        linerec_init(&r, line.buf, line.len);
        assert_int_equal(linerec_line(&r), 0);
        TU_INT_EQ(bad[i], linerec_text(&r, &out), -1);
        sb_release(&line);
    }
    sb_release(&out);
}

static void test_linerec_numbers__table(void **state)
{
    static const struct {
        const char *text;
        int ok_u, ok_i;
        uint64_t u;
        int64_t i;
    } cases[] = {
        {"0", 1, 1, 0, 0},
        {"18446744073709551615", 1, 0, UINT64_MAX, 0},
        {"18446744073709551616", 0, 0, 0, 0},
        {"9223372036854775807", 1, 1, INT64_MAX, INT64_MAX},
        {"-9223372036854775808", 0, 1, 0, INT64_MIN},
        {"-9223372036854775809", 0, 0, 0, 0},
        {"-1", 0, 1, 0, -1},
        {"+1", 0, 0, 0, 0},
        {"", 0, 0, 0, 0},
        {"-", 0, 0, 0, 0},
        {"1x", 0, 0, 0, 0},
        {"000000000000000000001", 0, 0, 0, 0},
    };
    size_t k;

    (void)state;
    for (k = 0; k < sizeof(cases) / sizeof(*cases); k++) {
        struct sb line = SB_INIT;
        struct linerec r;
        uint64_t u = 7;
        int64_t i = 7;

        sb_addf(&line, "%s\n", cases[k].text);
        linerec_init(&r, line.buf, line.len);
        assert_int_equal(linerec_line(&r), 0);
        TU_INT_EQ(cases[k].text, linerec_u64(&r, &u) == 0, cases[k].ok_u);
        if (cases[k].ok_u)
            TU_INT_EQ(cases[k].text, u == cases[k].u, 1);
        linerec_init(&r, line.buf, line.len);
        assert_int_equal(linerec_line(&r), 0);
        TU_INT_EQ(cases[k].text, linerec_i64(&r, &i) == 0, cases[k].ok_i);
        if (cases[k].ok_i)
            TU_INT_EQ(cases[k].text, i == cases[k].i, 1);
        sb_release(&line);
    }
}

/* Lines end in '\n'; fields are split at single spaces, so two spaces
 * hold an empty field; a last line without '\n' is no line. */
static void test_linerec_line__fields_and_truncation(void **state)
{
    static const char text[] = "a  b\n\nc";
    struct linerec r;
    const char *s;
    size_t n;

    (void)state;
    linerec_init(&r, text, sizeof(text) - 1);
    assert_int_equal(linerec_line(&r), 0);
    assert_int_equal(linerec_word(&r, "a"), 0);
    assert_int_equal(linerec_field(&r, &s, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(linerec_word(&r, "b"), 0);
    assert_true(linerec_line_done(&r));
    assert_int_equal(linerec_field(&r, &s, &n), -1);
    assert_int_equal(linerec_line(&r), 0); /* the empty line: one field */
    assert_int_equal(linerec_field(&r, &s, &n), 0);
    assert_int_equal(n, 0);
    assert_true(linerec_line_done(&r));
    assert_false(linerec_at_end(&r));
    assert_int_equal(linerec_line(&r), -1); /* "c" lacks its '\n' */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linerec_addesc__every_byte_reads_back),
        cmocka_unit_test(test_linerec_add_opt__set_and_unset),
        cmocka_unit_test(test_linerec_text__malformed),
        cmocka_unit_test(test_linerec_numbers__table),
        cmocka_unit_test(test_linerec_line__fields_and_truncation),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
