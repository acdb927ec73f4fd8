/* Unit tests for plat_rmtree: it removes a tree without ever leaving it.
 * Linked with -Wl,--wrap=fstatat,--wrap=lstat (not on macOS, whose linker
 * has none: there the swap test is skipped) so a test can swap a
 * directory for a link to another tree right after the walk judged it,
 * the race an owner of the tree could run against root's `site remove`. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/plat.h"
#include "tests/unit/testutil.h"

#ifndef PYSHIM_NO_LD_WRAP /* Apple's linker has no --wrap */
int __real_fstatat(int dfd, const char *name, struct stat *st, int flags);
int __real_lstat(const char *path, struct stat *st);
int __wrap_fstatat(int dfd, const char *name, struct stat *st, int flags);
int __wrap_lstat(const char *path, struct stat *st);
#endif

static const char *swap_name;   /* the directory to swap once judged */
static const char *swap_target; /* what the link points at */

#ifndef PYSHIM_NO_LD_WRAP
static int is_swap_name(const char *name)
{
    const char *base = strrchr(name, '/');

    return swap_name && !strcmp(base ? base + 1 : name, swap_name);
}

/* Replace dfd/name by a link to swap_target (the directory moves aside). */
static void swap(int dfd, const char *name)
{
    struct stat st;
    char *aside;

    if (asprintf(&aside, "%s.aside", name) < 0)
        abort();
    if (renameat(dfd, name, dfd, aside) < 0 ||
        symlinkat(swap_target, dfd, name) < 0 ||
        __real_fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
        !S_ISLNK(st.st_mode))
        abort();
    free(aside);
    swap_name = NULL;
}

int __wrap_fstatat(int dfd, const char *name, struct stat *st, int flags)
{
    int ret = __real_fstatat(dfd, name, st, flags);

    if (ret == 0 && S_ISDIR(st->st_mode) && is_swap_name(name))
        swap(dfd, name);
    return ret;
}

int __wrap_lstat(const char *path, struct stat *st)
{
    int ret = __real_lstat(path, st);

    if (ret == 0 && S_ISDIR(st->st_mode) && is_swap_name(path))
        swap(AT_FDCWD, path);
    return ret;
}
#endif

/* Links inside the tree are removed, never followed. */
static void test_plat_rmtree__links_are_not_followed(void **state)
{
    char *root = tu_mkdtemp(), *tree = tu_path(root, "tree");

    (void)state;
    tu_write(root, "outside/keep", "x");
    tu_write(root, "tree/a/b/f", "y");
    tu_symlink("../../outside", root, "tree/a/dirlink");
    tu_symlink("../outside/keep", root, "tree/filelink");
    assert_int_equal(plat_rmtree(tree), 0);
    assert_false(tu_exists(root, "tree"));
    assert_true(tu_exists(root, "outside/keep"));
    free(tree);
    tu_cleanup(root);
}

/* A directory swapped for a link to another tree after it was judged a
 * directory: nothing of the other tree is removed, and the call fails. */
static void test_plat_rmtree__dir_swapped_for_a_link(void **state)
{
    char *root = tu_mkdtemp(), *tree = tu_path(root, "tree");
    char *outside = tu_path(root, "outside");

    (void)state;
#ifdef PYSHIM_NO_LD_WRAP
    skip(); /* the swap needs --wrap: Linux only (tests/CMakeLists.txt) */
#endif
    tu_write(root, "outside/keep", "x");
    tu_write(root, "outside/sub/keep2", "x");
    tu_write(root, "tree/a/victim/f", "y");
    swap_name = "victim";
    swap_target = outside;
    assert_int_equal(plat_rmtree(tree), -1);
    swap_name = NULL;
    assert_true(tu_exists(root, "outside/keep"));
    assert_true(tu_exists(root, "outside/sub/keep2"));
    free(outside);
    free(tree);
    tu_cleanup(root);
}

/* A missing path is fine; a file is unlinked. */
static void test_plat_rmtree__missing_and_file(void **state)
{
    char *root = tu_mkdtemp(), *f = tu_path(root, "f");
    char *none = tu_path(root, "none");

    (void)state;
    tu_write(root, "f", "x");
    assert_int_equal(plat_rmtree(none), 0);
    assert_int_equal(plat_rmtree(f), 0);
    assert_false(tu_exists(root, "f"));
    free(none);
    free(f);
    tu_cleanup(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plat_rmtree__links_are_not_followed),
        cmocka_unit_test(test_plat_rmtree__dir_swapped_for_a_link),
        cmocka_unit_test(test_plat_rmtree__missing_and_file),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
