/* Unit tests for cli/sitecheck.h. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/err.h"
#include "common/sb.h"
#include "common/sv.h"
#include "cli/sitecheck.h"
#include "tests/unit/testutil.h"

/* "/s/x\r\n" as PowerShell 5's `echo /s/x > f.pth` writes it. */
static const char ps_utf16[] = "\xff\xfe/\0s\0/\0x\0\r\0\n\0";

static void test_textenc_sniff__table(void **state)
{
    static const struct {
        const char *name;
        const char *data;
        size_t len;
        enum textenc want;
    } cases[] = {
        {"empty", "", 0, TEXTENC_UTF8},
        {"ascii", "/a/b\n", 5, TEXTENC_UTF8},
        {"utf8 non-ascii", "/caf\xc3\xa9\n", 7, TEXTENC_UTF8},
        {"utf8 bom", "\xef\xbb\xbf/a\n", 6, TEXTENC_UTF8_BOM},
        {"powershell", ps_utf16, sizeof(ps_utf16) - 1, TEXTENC_UTF16LE_BOM},
        {"utf16be bom", "\xfe\xff\0/\0a", 6, TEXTENC_UTF16BE_BOM},
        {"utf16le no bom", "/\0a\0\n\0", 6, TEXTENC_UTF16LE},
        {"utf16be no bom", "\0/\0a\0\n", 6, TEXTENC_UTF16BE},
        /* GBK for a Chinese directory name: not UTF-8 */
        {"gbk", "D:\\\xd6\xd0\xce\xc4\n", 8, TEXTENC_OTHER},
        {"lone 0xff", "\xff/a\n", 4, TEXTENC_OTHER},
        {"overlong", "\xc0\xaf\n", 3, TEXTENC_OTHER},
        {"surrogate in utf8", "\xed\xa0\x80\n", 4, TEXTENC_OTHER},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        TU_INT_EQ(cases[i].name, textenc_sniff(cases[i].data, cases[i].len),
                  cases[i].want);
}

static void test_sitecheck_to_utf8__keeps_lines(void **state)
{
    /* two lines, CRLF, a BMP char (U+00E9) and an astral one (U+1F600) */
    static const char le[] = "\xff\xfe/\0\xe9\0\r\0\n\0=\xd8\0\xde\n\0";
    static const char bom8[] = "\xef\xbb\xbf/a\n/b\n";
    struct sb out = SB_INIT;

    (void)state;
    assert_int_equal(sitecheck_to_utf8(ps_utf16, sizeof(ps_utf16) - 1,
                                       TEXTENC_UTF16LE_BOM, &out),
                     0);
    assert_string_equal(out.buf, "/s/x\r\n");
    assert_int_equal(
        sitecheck_to_utf8(le, sizeof(le) - 1, TEXTENC_UTF16LE_BOM, &out), 0);
    assert_string_equal(out.buf, "/\xc3\xa9\r\n\xf0\x9f\x98\x80\n");
    assert_int_equal(
        sitecheck_to_utf8(bom8, sizeof(bom8) - 1, TEXTENC_UTF8_BOM, &out), 0);
    assert_string_equal(out.buf, "/a\n/b\n");
    assert_int_equal(sitecheck_to_utf8("\0/\0a", 4, TEXTENC_UTF16BE, &out), 0);
    assert_string_equal(out.buf, "/a");
    sb_release(&out);
}

static void test_sitecheck_to_utf8__refuses(void **state)
{
    struct sb out = SB_INIT;

    (void)state;
    /* odd length */
    assert_int_equal(
        sitecheck_to_utf8("\xff\xfe/\0a", 5, TEXTENC_UTF16LE_BOM, &out), -1);
    /* unpaired surrogates */
    assert_int_equal(
        sitecheck_to_utf8("\xff\xfe\0\xd8/\0", 6, TEXTENC_UTF16LE_BOM, &out),
        -1);
    assert_int_equal(
        sitecheck_to_utf8("\xff\xfe\0\xdc", 4, TEXTENC_UTF16LE_BOM, &out), -1);
    /* no guessing at code pages, nothing to do for UTF-8 */
    assert_int_equal(sitecheck_to_utf8("\xd1\xa7", 2, TEXTENC_OTHER, &out), -1);
    assert_int_equal(sitecheck_to_utf8("/a", 2, TEXTENC_UTF8, &out), -1);
    assert_false(sitecheck_enc_fixable(TEXTENC_OTHER));
    assert_false(sitecheck_enc_fixable(TEXTENC_UTF8));
    assert_true(sitecheck_enc_fixable(TEXTENC_UTF16LE_BOM));
    assert_true(sitecheck_enc_fixable(TEXTENC_UTF8_BOM));
    sb_release(&out);
}

static void test_sitecheck_pth_fix__rewrites_atomically(void **state)
{
    char *root = tu_mkdtemp();
    char *path = tu_path(root, "site/shared.pth");
    char *text;
    struct sv files = SV_INIT;
    struct err e = ERR_INIT;
    enum textenc enc;
    struct stat st;
    int changed = -1;

    (void)state;
    tu_write_bytes(root, "site/shared.pth", ps_utf16, sizeof(ps_utf16) - 1,
                   0640);
    tu_write(root, "site/good.pth", "/g\n");
    tu_write(root, "site/mod.py", "");
    tu_mkdir(root, "site/dir.pth"); /* a directory is not a .pth file */
    text = tu_path(root, "site");
    assert_int_equal(sitecheck_pth_files(text, &files), 0);
    assert_int_equal(files.nr, 2);
    TU_CONTAINS("sorted", files.v[0], "/site/good.pth");
    assert_string_equal(files.v[1], path);
    sv_release(&files);
    free(text);

    assert_int_equal(sitecheck_pth_check(path, &enc, &e), 0);
    assert_int_equal(enc, TEXTENC_UTF16LE_BOM);
    assert_int_equal(sitecheck_pth_fix(path, &changed, &e), 0);
    assert_int_equal(changed, 1);
    text = tu_read(path);
    assert_string_equal(text, "/s/x\r\n");
    free(text);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    /* again: nothing to do */
    assert_int_equal(sitecheck_pth_fix(path, &changed, &e), 0);
    assert_int_equal(changed, 0);
    /* a code page is not guessed: the file is left as it is */
    tu_write(root, "site/gbk.pth", "D:\\\xce\xc4\n");
    free(path);
    path = tu_path(root, "site/gbk.pth");
    assert_int_equal(sitecheck_pth_fix(path, &changed, &e), -1);
    assert_int_equal(changed, 0);
    TU_CONTAINS("gbk", e.msg, "gbk.pth");
    text = tu_read(path);
    assert_string_equal(text, "D:\\\xce\xc4\n");
    free(text);
    /* missing */
    assert_int_equal(sitecheck_pth_check("/nonexistent/x.pth", &enc, &e), -1);
    assert_int_equal(sitecheck_pth_files("/nonexistent", &files), -1);
    assert_int_equal(files.nr, 0);
    err_release(&e);
    free(path);
    tu_cleanup(root);
}

static void test_sitecheck_top_names__kinds(void **state)
{
    char *root = tu_mkdtemp();
    char *site = tu_path(root, "sp");
    struct sv names = SV_INIT;

    (void)state;
    tu_write(root, "sp/Django-4.2.dist-info/METADATA", "");
    tu_write(root, "sp/django/__init__.py", "");
    tu_write(root, "sp/typing_extensions.py", "");
    tu_write(root, "sp/_cffi_backend.cpython-312-x86_64-linux-gnu.so", "");
    tu_write(root, "sp/zope.interface-6.0-py3.12-nspkg.pth", "");
    tu_write(root, "sp/ruamel.yaml-0.18.dist-info/METADATA", "");
    tu_write(root, "sp/old_style-1.0-py3.12.egg-info/PKG-INFO", "");
    tu_write(root, "sp/nspkg/sub.py", "");
    /* tooling and pyshim's own are left out */
    tu_write(root, "sp/pip/__init__.py", "");
    tu_write(root, "sp/pip-24.0.dist-info/METADATA", "");
    tu_write(root, "sp/setuptools-69.0.dist-info/METADATA", "");
    tu_write(root, "sp/_distutils_hack/__init__.py", "");
    tu_write(root, "sp/__pycache__/x.pyc", "");
    tu_write(root, "sp/_pyshim.pth", "");
    tu_write(root, "sp/README.txt", "");
    tu_write(root, "sp/bin-data/x", ""); /* not an identifier */
    assert_int_equal(sitecheck_top_names(site, &names), 0);
    assert_int_equal(names.nr, 6);
    TU_STR_EQ("cffi", names.v[0], "_cffi_backend");
    TU_STR_EQ("django", names.v[1], "django"); /* one name for both */
    TU_STR_EQ("nspkg", names.v[2], "nspkg");
    TU_STR_EQ("egg", names.v[3], "old_style");
    TU_STR_EQ("ruamel", names.v[4], "ruamel_yaml");
    TU_STR_EQ("py", names.v[5], "typing_extensions");
    sv_release(&names);
    assert_int_equal(sitecheck_top_names("/nonexistent", &names), -1);
    free(site);
    tu_cleanup(root);
}

static void test_sitecheck_duplicates__both_sides(void **state)
{
    char *root = tu_mkdtemp();
    char *a = tu_path(root, "venv"), *b = tu_path(root, "shared");
    struct sv dup = SV_INIT;

    (void)state;
    tu_write(root, "venv/requests/__init__.py", "");
    tu_write(root, "venv/Requests-2.31.0.dist-info/METADATA", "");
    tu_write(root, "venv/only_here.py", "");
    tu_write(root, "venv/pip/__init__.py", "");
    tu_write(root, "shared/requests/__init__.py", "");
    tu_write(root, "shared/requests-2.32.0.dist-info/METADATA", "");
    tu_write(root, "shared/torch/__init__.py", "");
    tu_write(root, "shared/pip/__init__.py", "");
    assert_int_equal(sitecheck_duplicates(a, b, &dup), 0);
    assert_int_equal(dup.nr, 1);
    assert_string_equal(dup.v[0], "requests");
    sv_release(&dup);
    assert_int_equal(sitecheck_duplicates(a, "/nonexistent", &dup), -1);
    sv_release(&dup);
    free(a);
    free(b);
    tu_cleanup(root);
}

static void test_sitecheck_venv_sites__lists(void **state)
{
    char *root = tu_mkdtemp();
    struct sv sites = SV_INIT;
    char *want;

    (void)state;
    tu_mkdir(root, "v/lib/python3.12/site-packages");
    tu_mkdir(root, "v/lib/python3.13t/site-packages");
    tu_mkdir(root, "v/lib/pkgconfig");
    want = tu_path(root, "v");
    sitecheck_venv_sites(want, &sites);
    free(want);
    assert_int_equal(sites.nr, 2);
    want = tu_path(root, "v/lib/python3.12/site-packages");
    assert_string_equal(sites.v[0], want);
    free(want);
    want = tu_path(root, "v/lib/python3.13t/site-packages");
    assert_string_equal(sites.v[1], want);
    free(want);
    sv_release(&sites);
    sitecheck_venv_sites("/nonexistent", &sites);
    assert_int_equal(sites.nr, 0);
    tu_cleanup(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_textenc_sniff__table),
        cmocka_unit_test(test_sitecheck_to_utf8__keeps_lines),
        cmocka_unit_test(test_sitecheck_to_utf8__refuses),
        cmocka_unit_test(test_sitecheck_pth_fix__rewrites_atomically),
        cmocka_unit_test(test_sitecheck_top_names__kinds),
        cmocka_unit_test(test_sitecheck_duplicates__both_sides),
        cmocka_unit_test(test_sitecheck_venv_sites__lists),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
