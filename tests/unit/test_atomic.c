/* plat_write_atomic (common/plat_posix.c), the writer of every file pyshim
 * makes or replaces. Built twice (tests/CMakeLists.txt): test_atomic with
 * Linux's O_TMPFILE path, test_atomic_rename with its own copy of
 * plat_posix.c compiled without it (PYSHIM_NO_O_TMPFILE), so the
 * temp-name-and-rename path that macOS and the BSDs take is run here too. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/plat.h"
#include "common/sb.h"
#include "common/sv.h"
#include "tests/unit/testutil.h"

/* The dir holds exactly the names listed (space-separated, sorted): no
 * temp file is left beside the target. */
static void only_names(const char *dir, const char *want)
{
    struct sv names = SV_INIT;
    struct sb got = SB_INIT;
    size_t i;

    assert_int_equal(plat_listdir(dir, &names), 0);
    for (i = 0; i < names.nr; i++)
        sb_addf(&got, "%s%s", i ? " " : "", names.v[i]);
    TU_STR_EQ(dir, got.len ? got.buf : "", want);
    sv_release(&names);
    sb_release(&got);
}

static void check_file(const char *path, const char *text, unsigned mode)
{
    struct stat st;
    char *got;

    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 07777, mode);
    got = tu_read(path);
    TU_STR_EQ(path, got, text);
    free(got);
}

static void test_write_atomic__new_and_replaced(void **state)
{
    char *root = tu_mkdtemp(), *f = tu_path(root, "f.json");
    mode_t old = umask(077);

    (void)state;
    /* the mode asked for, whatever the umask */
    assert_int_equal(plat_write_atomic(f, "one\n", 4, 0644), 0);
    check_file(f, "one\n", 0644);
    only_names(root, "f.json");
    /* replaced: the new bytes and mode, even over a read-only file */
    assert_int_equal(chmod(f, 0444), 0);
    assert_int_equal(plat_write_atomic(f, "two, longer\n", 12, 0600), 0);
    check_file(f, "two, longer\n", 0600);
    only_names(root, "f.json");
    /* empty content */
    assert_int_equal(plat_write_atomic(f, "", 0, 0644), 0);
    check_file(f, "", 0644);
    umask(old);
    free(f);
    tu_cleanup(root);
}

/* A link at the target is replaced, never written through. */
static void test_write_atomic__link_replaced_not_followed(void **state)
{
    char *root = tu_mkdtemp(), *f = tu_path(root, "f"),
         *victim = tu_path(root, "victim");

    (void)state;
    tu_write(root, "victim", "keep\n");
    assert_int_equal(symlink(victim, f), 0);
    assert_int_equal(plat_write_atomic(f, "new\n", 4, 0644), 0);
    check_file(f, "new\n", 0644);
    check_file(victim, "keep\n", 0644);
    only_names(root, "f victim");
    free(f);
    free(victim);
    tu_cleanup(root);
}

/* No directory: an error, and nothing made. */
static void test_write_atomic__missing_dir(void **state)
{
    char *root = tu_mkdtemp(), *f = tu_path(root, "no/f");

    (void)state;
    assert_int_equal(plat_write_atomic(f, "x", 1, 0644), -1);
    only_names(root, "");
    free(f);
    tu_cleanup(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_atomic__new_and_replaced),
        cmocka_unit_test(test_write_atomic__link_replaced_not_followed),
        cmocka_unit_test(test_write_atomic__missing_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
