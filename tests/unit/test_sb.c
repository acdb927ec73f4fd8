/* Unit tests for common/sb.h and common/sv.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sb.h"
#include "common/sv.h"
#include "tests/unit/testutil.h"

static void test_sb_init__empty_string(void **state)
{
    struct sb sb = SB_INIT;

    (void)state;
    assert_non_null(sb.buf);
    assert_int_equal(sb.len, 0);
    assert_string_equal(sb.buf, "");
    sb_release(&sb); /* releasing a fresh buffer is harmless */
    assert_string_equal(sb.buf, "");
    sb_init(&sb, 100);
    assert_true(sb.alloc >= 101);
    assert_string_equal(sb.buf, "");
    sb_release(&sb);
}

static void test_sb_add__grows_and_terminates(void **state)
{
    struct sb sb = SB_INIT;
    size_t i;

    (void)state;
    for (i = 0; i < 1000; i++)
        sb_addch(&sb, 'a' + (int)(i % 26));
    assert_int_equal(sb.len, 1000);
    assert_int_equal(strlen(sb.buf), 1000);
    assert_int_equal(sb.buf[26], 'a');
    assert_int_equal(sb.buf[999], 'a' + 999 % 26);
    sb_addstr(&sb, "xyz");
    assert_int_equal(sb.len, 1003);
    assert_string_equal(sb.buf + 1000, "xyz");
    sb_add(&sb, "", 0);
    assert_int_equal(sb.len, 1003);
    sb_release(&sb);
}

static void test_sb_add__binary_with_nul(void **state)
{
    struct sb sb = SB_INIT;

    (void)state;
    sb_add(&sb, "a\0b", 3);
    assert_int_equal(sb.len, 3);
    assert_memory_equal(sb.buf, "a\0b", 4); /* and the trailing NUL */
    sb_release(&sb);
}

static void test_sb_addf__formats_long_output(void **state)
{
    struct sb sb = SB_INIT;
    char big[600];

    (void)state;
    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    sb_addf(&sb, "%d-%s", 42, "x");
    assert_string_equal(sb.buf, "42-x");
    /* larger than whatever was allocated so far: must grow, not cut */
    sb_addf(&sb, "[%s]", big);
    assert_int_equal(sb.len, 4 + 2 + 599);
    assert_int_equal(sb.buf[5], 'q');
    assert_int_equal(sb.buf[sb.len - 1], ']');
    sb_release(&sb);
}

static void test_sb_addu64__as_printf(void **state)
{
    static const unsigned long long u[] = {0,
                                           1,
                                           9,
                                           10,
                                           99,
                                           100,
                                           4096,
                                           2049,
                                           18446744073709551615ULL,
                                           10000000000000000000ULL,
                                           1764561234123456789ULL};
    static const long long s[] = {0,
                                  -1,
                                  7,
                                  -10,
                                  1764561234123456789LL,
                                  -1764561234123456789LL,
                                  9223372036854775807LL,
                                  -9223372036854775807LL - 1};
    char want[32];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
        struct sb sb = SB_INIT;

        sb_addstr(&sb, "x");
        sb_addu64(&sb, u[i]);
        snprintf(want, sizeof(want), "x%llu", u[i]);
        assert_string_equal(sb.buf, want);
        assert_int_equal(sb.len, strlen(want));
        sb_release(&sb);
    }
    for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
        struct sb sb = SB_INIT;

        sb_addi64(&sb, s[i]);
        snprintf(want, sizeof(want), "%lld", s[i]);
        assert_string_equal(sb.buf, want);
        sb_release(&sb);
    }
}

static void test_sb_set__replaces(void **state)
{
    struct sb sb = SB_INIT;

    (void)state;
    sb_addstr(&sb, "old content");
    sb_set(&sb, "new");
    assert_string_equal(sb.buf, "new");
    assert_int_equal(sb.len, 3);
    sb_reset(&sb);
    assert_string_equal(sb.buf, "");
    assert_int_equal(sb.len, 0);
    sb_release(&sb);
}

static void test_sb_setlen__truncates(void **state)
{
    struct sb sb = SB_INIT;

    (void)state;
    sb_addstr(&sb, "abcdef");
    sb_setlen(&sb, 2);
    assert_string_equal(sb.buf, "ab");
    sb_setlen(&sb, 0); /* fine on the slop buffer too */
    sb_release(&sb);
    sb_setlen(&sb, 0);
    assert_string_equal(sb.buf, "");
}

static void test_sb_detach__hands_over(void **state)
{
    struct sb sb = SB_INIT;
    size_t len = 99;
    char *s;

    (void)state;
    sb_addstr(&sb, "mine");
    s = sb_detach(&sb, &len);
    assert_string_equal(s, "mine");
    assert_int_equal(len, 4);
    assert_int_equal(sb.len, 0);
    assert_string_equal(sb.buf, "");
    assert_ptr_not_equal(sb.buf, s);
    free(s);
    /* a fresh buffer still gives a string the caller can free */
    s = sb_detach(&sb, &len);
    assert_string_equal(s, "");
    assert_int_equal(len, 0);
    free(s);
}

static void test_sb_rtrim__whitespace(void **state)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"abc \t\r\n", "abc"}, {"  abc", "  abc"}, {" \n\t ", ""}, {"", ""},
        {"a b", "a b"},        {"x\r\n", "x"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct sb sb = SB_INIT;

        sb_addstr(&sb, cases[i].in);
        sb_rtrim(&sb);
        TU_STR_EQ(cases[i].in, sb.buf, cases[i].want);
        TU_INT_EQ(cases[i].in, sb.len, strlen(cases[i].want));
        sb_release(&sb);
    }
}

static void test_sb_addjson__escapes(void **state)
{
    static const struct {
        const char *name, *in, *want;
    } cases[] = {
        {"plain", "abc", "\"abc\""},
        {"quote and backslash", "a\"b\\c", "\"a\\\"b\\\\c\""},
        {"controls", "\n\t\r\x01", "\"\\n\\t\\r\\u0001\""},
        {"del", "\x7f", "\"\\u007f\""},
        {"valid utf-8 kept", "caf\xc3\xa9 \xe4\xb8\xad",
         "\"caf\xc3\xa9 \xe4\xb8\xad\""},
        {"4-byte utf-8 kept", "\xf0\x9f\x90\x8d", "\"\xf0\x9f\x90\x8d\""},
        {"stray continuation byte", "a\x80z", "\"a\\u0080z\""},
        {"latin-1 byte", "\xe9t\xe9", "\"\\u00e9t\\u00e9\""},
        {"overlong encoding", "\xc0\xaf", "\"\\u00c0\\u00af\""},
        {"surrogate", "\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\""},
        {"truncated sequence", "\xe4\xb8", "\"\\u00e4\\u00b8\""},
        {"empty", "", "\"\""},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct sb sb = SB_INIT;

        sb_addstr(&sb, "x=");
        sb_addjson(&sb, cases[i].in);
        TU_STR_EQ(cases[i].name, sb.buf + 2, cases[i].want);
        assert_memory_equal(sb.buf, "x=", 2); /* appends */
        sb_release(&sb);
    }
}

static void test_sb_addpybytes__escapes(void **state)
{
    static const struct {
        const char *name, *in, *want;
    } cases[] = {
        {"plain", "/usr/lib", "b'/usr/lib'"},
        {"quote", "it's", "b'it\\'s'"},
        {"backslash", "a\\b", "b'a\\\\b'"},
        {"newline", "a\nb", "b'a\\x0ab'"},
        {"utf-8 as bytes", "\xc3\xa9", "b'\\xc3\\xa9'"},
        {"double quote is plain", "a\"b", "b'a\"b'"},
        {"empty", "", "b''"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct sb sb = SB_INIT;

        sb_addpybytes(&sb, cases[i].in);
        TU_STR_EQ(cases[i].name, sb.buf, cases[i].want);
        sb_release(&sb);
    }
}

static void test_sv_push__null_terminated(void **state)
{
    struct sv sv = SV_INIT;
    char buf[] = "copy me";
    size_t i;

    (void)state;
    assert_null(sv.v);
    sv_push(&sv, buf);
    buf[0] = 'X'; /* sv_push copied it */
    assert_string_equal(sv.v[0], "copy me");
    assert_null(sv.v[1]);
    for (i = 0; i < 100; i++)
        sv_pushf(&sv, "n%zu", i);
    assert_int_equal(sv.nr, 101);
    assert_string_equal(sv.v[100], "n99");
    assert_null(sv.v[101]);
    sv_release(&sv);
    assert_null(sv.v);
    assert_int_equal(sv.nr, 0);
    sv_push(&sv, "reusable");
    assert_int_equal(sv.nr, 1);
    sv_release(&sv);
}

static void test_sv_push_nodup__takes_ownership(void **state)
{
    struct sv sv = SV_INIT;
    char *s = strdup("owned");

    (void)state;
    assert_non_null(s);
    sv_push_nodup(&sv, s);
    assert_ptr_equal(sv.v[0], s);
    sv_release(&sv); /* frees s: ASan reports a leak or double free */
}

static void test_sv_pushv__copies_array(void **state)
{
    char a[] = "a", b[] = "b", c[] = "c";
    char *arr[] = {a, b, c, NULL};
    struct sv sv = SV_INIT;

    (void)state;
    sv_pushv(&sv, arr);
    assert_int_equal(sv.nr, 3);
    assert_ptr_not_equal(sv.v[0], a);
    assert_string_equal(sv.v[2], "c");
    assert_null(sv.v[3]);
    sv_pushn(&sv, arr, 2);
    assert_int_equal(sv.nr, 5);
    assert_string_equal(sv.v[4], "b");
    sv_pushn(&sv, arr, 10); /* stops at the NULL */
    assert_int_equal(sv.nr, 8);
    sv_release(&sv);
}

static void test_sv_find__index_or_minus_one(void **state)
{
    struct sv sv = SV_INIT;

    (void)state;
    assert_int_equal(sv_find(&sv, "x"), -1);
    sv_push(&sv, "x");
    sv_push(&sv, "y");
    sv_push(&sv, "x");
    assert_int_equal(sv_find(&sv, "x"), 0);
    assert_int_equal(sv_find(&sv, "y"), 1);
    assert_int_equal(sv_find(&sv, "z"), -1);
    assert_int_equal(sv_find(&sv, ""), -1);
    sv_release(&sv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sb_init__empty_string),
        cmocka_unit_test(test_sb_add__grows_and_terminates),
        cmocka_unit_test(test_sb_add__binary_with_nul),
        cmocka_unit_test(test_sb_addf__formats_long_output),
        cmocka_unit_test(test_sb_addu64__as_printf),
        cmocka_unit_test(test_sb_set__replaces),
        cmocka_unit_test(test_sb_setlen__truncates),
        cmocka_unit_test(test_sb_detach__hands_over),
        cmocka_unit_test(test_sb_rtrim__whitespace),
        cmocka_unit_test(test_sb_addjson__escapes),
        cmocka_unit_test(test_sb_addpybytes__escapes),
        cmocka_unit_test(test_sv_push__null_terminated),
        cmocka_unit_test(test_sv_push_nodup__takes_ownership),
        cmocka_unit_test(test_sv_pushv__copies_array),
        cmocka_unit_test(test_sv_find__index_or_minus_one),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
