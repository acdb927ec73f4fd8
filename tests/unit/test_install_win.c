/* Unit tests for cli/install_win.h: the pure parts of the Windows install
 * (the record, PATH list editing, the PowerShell profile block), on any
 * OS. */
#include <stdlib.h>
#include <string.h>

#include "cli/install_win.h"
#include "cli/rcfile.h"
#include "tests/unit/testutil.h"

static void test_record__round_trip(void **state)
{
    struct install_win_record r = INSTALL_WIN_RECORD_INIT;
    struct install_win_record back = INSTALL_WIN_RECORD_INIT;
    struct sb a = SB_INIT, b = SB_INIT;

    (void)state;
    sv_push(&r.path_added, "C:\\Users\\u\\bin");
    r.path_created = 1;
    sb_set(&r.bin, "C:\\Users\\u\\bin");
    sv_push(&r.files, "python.exe");
    sv_push(&r.files, "pip3.12.exe");
    sv_push(&r.dirs_made, "C:\\Users\\u\\Documents\\PowerShell");
    r.profiled = 1;
    install_win_record_format(&r, &a);
    assert_true(!strncmp(a.buf, "# What `pyshim install` did", 27));
    install_win_record_parse(a.buf, "C:\\data\\bin", &back);
    install_win_record_format(&back, &b);
    assert_string_equal(b.buf, a.buf);
    assert_int_equal(back.files.nr, 2);
    assert_string_equal(back.files.v[1], "pip3.12.exe");
    assert_int_equal(back.path_created, 1);
    assert_int_equal(back.profiled, 1);
    install_win_record_release(&r);
    install_win_record_release(&back);
    sb_release(&a);
    sb_release(&b);
}

static void test_record__old_record_without_bin(void **state)
{
    struct install_win_record r = INSTALL_WIN_RECORD_INIT;

    (void)state;
    /* one PATH entry: that is its dir, and the profiles were edited */
    install_win_record_parse("path-added=D:\\b\nfile=python.exe\n"
                             "junk\nfile=\n",
                             "C:\\data\\bin", &r);
    assert_string_equal(r.bin.buf, "D:\\b");
    assert_int_equal(r.profiled, 1);
    assert_int_equal(r.files.nr, 1);
    install_win_record_release(&r);
    /* no PATH entry (--no-shell): the default bin dir, no profiles */
    install_win_record_parse("file=python.exe\r\n", "C:\\data\\bin", &r);
    assert_string_equal(r.bin.buf, "C:\\data\\bin");
    assert_int_equal(r.profiled, 0);
    install_win_record_release(&r);
    /* nothing recorded: no dir */
    install_win_record_parse("path-created=0\n", "C:\\data\\bin", &r);
    assert_int_equal(r.bin.len, 0);
    install_win_record_release(&r);
}

static const struct {
    const char *name, *value, *added, *want; /* want NULL: unchanged */
} prepends[] = {
    {"empty value", "", NULL, "C:\\b"},
    {"in front of others", "C:\\x;C:\\y", NULL, "C:\\b;C:\\x;C:\\y"},
    {"already first, any spelling", "c:/B\\;C:\\x", NULL, NULL},
    {"already first, quoted", "\"C:\\b\";C:\\x", NULL, NULL},
    {"user's own entry stays", "C:\\x;C:\\b", NULL, "C:\\b;C:\\x;C:\\b"},
    {"our entry moves", "C:\\x;C:\\b;C:\\y", "C:\\b", "C:\\b;C:\\x;C:\\y"},
    {"empty entries kept", "C:\\x;;C:\\y;", NULL, "C:\\b;C:\\x;;C:\\y;"},
    {"drive root keeps its slash", "C:\\;C:\\x", NULL, "C:\\b;C:\\;C:\\x"},
};

static void test_path_prepend__table(void **state)
{
    struct sv added = SV_INIT;
    struct sb out = SB_INIT;
    size_t i;
    int ret;

    (void)state;
    for (i = 0; i < sizeof(prepends) / sizeof(prepends[0]); i++) {
        sv_release(&added);
        if (prepends[i].added)
            sv_push(&added, prepends[i].added);
        sb_set(&out, "untouched");
        ret =
            install_win_path_prepend(prepends[i].value, "C:\\b", &added, &out);
        TU_INT_EQ(prepends[i].name, ret, prepends[i].want != NULL);
        TU_STR_EQ(prepends[i].name, out.buf,
                  prepends[i].want ? prepends[i].want : "untouched");
    }
    sv_release(&added);
    sb_release(&out);
}

static void test_path_remove__only_what_install_added(void **state)
{
    struct sv added = SV_INIT;
    struct sb out = SB_INIT, removed = SB_INIT, left = SB_INIT;

    (void)state;
    sv_push(&added, "C:\\b");
    assert_int_equal(install_win_path_remove("C:\\x;c:\\B\\;C:\\b", "C:\\b",
                                             &added, &out, &removed, &left),
                     1);
    assert_string_equal(out.buf, "C:\\x;C:\\b"); /* the first only */
    assert_string_equal(removed.buf, "c:\\B\\");
    assert_string_equal(left.buf, "");
    assert_int_equal(install_win_path_remove("C:\\b", "C:\\b", &added, &out,
                                             &removed, &left),
                     1);
    assert_string_equal(out.buf, "");
    sv_release(&added);
    /* not added by install: left, and named */
    assert_int_equal(install_win_path_remove("C:\\x;C:\\b", "C:\\b", &added,
                                             &out, &removed, &left),
                     0);
    assert_string_equal(left.buf, "C:\\b");
    assert_string_equal(removed.buf, "");
    sv_release(&added);
    sb_release(&out);
    sb_release(&removed);
    sb_release(&left);
}

static void test_same_entry__variables(void **state)
{
    (void)state;
    setenv("PYSHIM_TEST_LAD", "C:\\Users\\u\\AppData\\Local", 1);
    assert_true(
        install_win_same_entry("%PYSHIM_TEST_LAD%\\pyshim\\bin",
                               "c:\\users\\u\\appdata\\local\\pyshim\\bin\\"));
    /* an unset variable stays as written */
    assert_false(install_win_same_entry("%PYSHIM_TEST_NOPE%\\bin", "C:\\bin"));
    assert_false(install_win_same_entry("", ""));
    unsetenv("PYSHIM_TEST_LAD");
}

static void test_ps_block__names_its_dir(void **state)
{
    static const char *const bins[] = {
        "C:\\Users\\u\\bin", "C:\\it's here", "C:\\Users\\Jos\xc3\xa9\\bin",
        "D:\\\xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x90\x8d"};
    struct sb block = SB_INIT, text = SB_INIT, got = SB_INIT;
    const char *v;
    size_t i, k;

    (void)state;
    for (i = 0; i < sizeof(bins) / sizeof(bins[0]); i++) {
        install_win_ps_block(bins[i], &block);
        for (k = 0; k < block.len; k++)
            TU_INT_EQ(bins[i], (unsigned char)block.buf[k] < 0x80, 1);
        v = strstr(block.buf, "$pyshimBin = ");
        TU_INT_EQ(bins[i], v != NULL, 1);
        TU_INT_EQ(bins[i],
                  install_win_ps_parse_bin(v + strlen("$pyshimBin = "), &got),
                  0);
        TU_STR_EQ(bins[i], got.buf, bins[i]);
        sb_reset(&text);
        sb_addf(&text, "Set-Alias x y\n%s\n%s%s\n", RC_BEGIN, block.buf,
                RC_END);
        TU_INT_EQ(bins[i], install_win_block_names(text.buf, bins[i]), 1);
        TU_INT_EQ(bins[i], install_win_block_names(text.buf, "C:\\other"), 0);
    }
    /* a block without its end line still counts; no block, nothing */
    install_win_ps_block("C:\\b", &block);
    sb_reset(&text);
    sb_addf(&text, "%s\n%s", RC_BEGIN, block.buf);
    assert_int_equal(install_win_block_names(text.buf, "C:\\b"), 1);
    assert_int_equal(install_win_block_names(block.buf, "C:\\b"), 0);
    /* not a form the block writes */
    assert_int_equal(install_win_ps_parse_bin("$env:X", &got), -1);
    assert_int_equal(install_win_ps_parse_bin("'unterminated", &got), -1);
    assert_int_equal(
        install_win_ps_parse_bin("(-join [char[]](0x110000))", &got), -1);
    sb_release(&block);
    sb_release(&text);
    sb_release(&got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record__round_trip),
        cmocka_unit_test(test_record__old_record_without_bin),
        cmocka_unit_test(test_path_prepend__table),
        cmocka_unit_test(test_path_remove__only_what_install_added),
        cmocka_unit_test(test_same_entry__variables),
        cmocka_unit_test(test_ps_block__names_its_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
