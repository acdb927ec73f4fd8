/* Unit tests for common/plat.h's file-system calls that issue 14 made
 * cheaper: each answer is checked against the libc call it replaced. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "tests/unit/testutil.h"

/* plat_realpath gives what realpath(3) gives, or fails with its errno. */
static void check_realpath(const char *name, const char *path)
{
    struct sb got = SB_INIT;
    char *want;
    int ret, want_errno;

    errno = 0;
    want = realpath(path, NULL);
    want_errno = errno;
    errno = 0;
    ret = plat_realpath(path, &got);
    if (want) {
        TU_INT_EQ(name, ret, 0);
        TU_STR_EQ(name, got.buf, want);
    } else {
        TU_INT_EQ(name, ret, -1);
        TU_INT_EQ(name, errno, want_errno);
    }
    free(want);
    sb_release(&got);
}

static void test_plat_realpath__as_libc(void **state)
{
    static const struct {
        const char *name, *rel;
    } cases[] = {
        {"dir", "a/b"},
        {"file", "a/b/f"},
        {"dot-dot", "a/b/../b/f"},
        {"relative link", "a/lf"},
        {"absolute link", "abs"},
        {"link chain", "chain"},
        {"dir link then dot-dot", "lb/../b/f"},
        {"link to link dir", "lchain/f"},
        {"missing", "a/none"},
        {"missing below file", "a/b/f/x"},
        {"file with slash", "a/b/f/"},
        {"dangling link", "dangling"},
        {"loop", "loop1"},
        {"fifo", "a/fifo"},
        {"double slash", "a//b///f"},
    };
    char *root = tu_mkdtemp(), *p, *abs;
    size_t i;

    (void)state;
    tu_write(root, "a/b/f", "x");
    tu_symlink("b/f", root, "a/lf");
    abs = tu_path(root, "a/b/f");
    tu_symlink(abs, root, "abs");
    tu_symlink("a/lf", root, "chain");
    tu_symlink("a/b", root, "lb");
    tu_symlink("lb", root, "lchain");
    tu_symlink("nowhere", root, "dangling");
    tu_symlink("loop2", root, "loop1");
    tu_symlink("loop1", root, "loop2");
    p = tu_path(root, "a/fifo");
    assert_int_equal(mkfifo(p, 0600), 0); /* resolved, never opened */
    free(p);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        p = tu_path(root, cases[i].rel);
        check_realpath(cases[i].name, p);
        free(p);
    }
    check_realpath("root", "/");
    check_realpath("relative", ".");
    check_realpath("empty", "");
    free(abs);
    tu_cleanup(root);
}

/* Within a decision the memo derives real paths from what it knows (a
 * name that is no link, in a dir whose real path is known; the dir of a
 * real path): the answers stay realpath(3)'s, asked in an order that
 * makes the memo derive (the dirs first, then names in them, links
 * among them), twice. */
static void test_plat_realpath__derived_in_memo(void **state)
{
    static const char *const rels[] = {
        "",       "a",         "a/b",        "a/b/f",   "a/lf",
        "a/b/lf", "a/b/ld",    "a/b/ld/f",   "lb",      "lb/f",
        "a/none", "a/b/f/x",   "a/b/../b/f", "a//b/f",  "a/b/.",
        "a/b/..", "a/b/ld/..", "dangling",   "a/b/lup", "a/b/lup/b/f"};
    char *root = tu_mkdtemp(), *p;
    size_t i;
    int round;

    (void)state;
    tu_write(root, "a/b/f", "x");
    tu_mkdir(root, "c");
    tu_write(root, "c/f", "y");
    tu_symlink("b/f", root, "a/lf");
    tu_symlink("f", root, "a/b/lf");
    tu_symlink("../../c", root, "a/b/ld");
    tu_symlink("..", root, "a/b/lup");
    tu_symlink("a/b", root, "lb");
    tu_symlink("nowhere", root, "dangling");
    plat_memo_begin();
    for (round = 0; round < 2; round++) {
        for (i = 0; i < sizeof(rels) / sizeof(rels[0]); i++) {
            p = *rels[i] ? tu_path(root, rels[i]) : strdup(root);
            check_realpath(rels[i], p);
            free(p);
        }
    }
    plat_memo_end();
    /* the working directory (entered through a link) and the dirs above
     * it are their own real paths: names in them derive from lstats */
    {
        static const char *const in_cwd[] = {"f",   "lf",    "ld",   "ld/f",
                                             "lup", "lup/b", "none", "../lf"};
        char *old = getcwd(NULL, 0), *lb = tu_path(root, "lb");
        struct sb cwd = SB_INIT, q = SB_INIT;

        assert_non_null(old);
        assert_int_equal(chdir(lb), 0);
        plat_memo_begin();
        assert_int_equal(plat_getcwd(&cwd), 0);
        for (round = 0; round < 2; round++) {
            for (i = 0; i < sizeof(in_cwd) / sizeof(in_cwd[0]); i++) {
                sb_reset(&q);
                sb_addf(&q, "%s/%s", cwd.buf, in_cwd[i]);
                check_realpath(in_cwd[i], q.buf);
            }
            sb_reset(&q);
            sb_addstr(&q, cwd.buf);
            path_dirname(&q);
            sb_addstr(&q, "/lf");
            check_realpath("a/lf from above the cwd", q.buf);
        }
        plat_memo_end();
        assert_int_equal(chdir(old), 0);
        free(old);
        free(lb);
        sb_release(&cwd);
        sb_release(&q);
    }
    tu_cleanup(root);
}

/* A directory is listed once per decision: a name added behind pyshim's
 * back is not seen until a change pyshim makes or the decision's end;
 * plat_memo_listed tells what the listing held without asking the OS. */
static void test_plat_opendir__one_listing_per_decision(void **state)
{
    char *root = tu_mkdtemp(), *d = tu_path(root, "d"), *h;
    char *w = tu_path(root, "w");
    struct plat_dir *dir;
    const char *name;
    int n;

    (void)state;
    tu_write(root, "d/one", "1");
    tu_write(root, "d/two", "2");
    h = tu_path(root, "e/h");
    assert_int_equal(plat_memo_listed(d, "one"), -1); /* no memo */
    plat_memo_begin();
    assert_int_equal(plat_memo_listed(d, "one"), -1); /* not listed */
    for (n = 0, dir = plat_opendir(d); dir && (name = plat_readdir(dir));)
        n++;
    plat_closedir(dir);
    assert_int_equal(n, 2);
    assert_int_equal(plat_memo_listed(d, "one"), 1);
    assert_int_equal(plat_memo_listed(d, "three"), 0);
    tu_write(root, "d/three", "3"); /* behind pyshim's back */
    for (n = 0, dir = plat_opendir(d); dir && (name = plat_readdir(dir));)
        n++;
    plat_closedir(dir);
    assert_int_equal(n, 2);
    assert_int_equal(plat_memo_listed(d, "three"), 0);
    assert_int_equal(plat_write_atomic(w, "w", 1, 0644), 0); /* forgets */
    assert_int_equal(plat_memo_listed(d, "one"), -1);
    for (n = 0, dir = plat_opendir(d); dir && (name = plat_readdir(dir));)
        n++;
    plat_closedir(dir);
    assert_int_equal(n, 3);
    assert_null(plat_opendir(h)); /* missing: NULL, ENOENT, twice */
    assert_int_equal(errno, ENOENT);
    assert_null(plat_opendir(h));
    assert_int_equal(errno, ENOENT);
    plat_memo_end();
    assert_int_equal(plat_memo_listed(d, "one"), -1);
    free(d);
    free(h);
    free(w);
    tu_cleanup(root);
}

/* A file read whole is the same bytes whatever its size against the
 * read buffer (the last read is skipped when the size is reached). */
static void test_plat_read_regular__sizes(void **state)
{
    static const size_t sizes[] = {0,    1,    4094, 4095, 4096, 4097,
                                   8190, 8191, 8192, 8193, 20000};
    char *root = tu_mkdtemp(), *p = tu_path(root, "f");
    char *data = malloc(20000);
    size_t i;

    (void)state;
    for (i = 0; i < 20000; i++)
        data[i] = (char)('a' + i % 26);
    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        struct sb out = SB_INIT;
        struct plat_stat st;
        char name[32];

        snprintf(name, sizeof(name), "%zu bytes", sizes[i]);
        tu_write_bytes(root, "f", data, sizes[i], 0644);
        TU_INT_EQ(name, plat_read_regular(p, 1 << 20, &out, &st), 0);
        TU_INT_EQ(name, out.len, sizes[i]);
        TU_INT_EQ(name, memcmp(out.buf, data, sizes[i]), 0);
        TU_INT_EQ(name, out.buf[out.len], 0);
        TU_INT_EQ(name, st.size, sizes[i]);
        /* past max: EFBIG, as before */
        if (sizes[i]) {
            TU_INT_EQ(name, plat_read_regular(p, sizes[i] - 1, &out, NULL), -1);
            TU_INT_EQ(name, errno, EFBIG);
        }
        sb_release(&out);
    }
    free(data);
    free(p);
    tu_cleanup(root);
}

static void test_plat_uid__is_getuid(void **state)
{
    (void)state;
    assert_int_equal(plat_uid(), (uint64_t)getuid());
    assert_int_equal(plat_uid(), (uint64_t)getuid());
}

/* Within one decision (plat_memo_begin/end) a path is asked of the kernel
 * once: a change made behind pyshim's back meanwhile is not seen (one view
 * of the tree), a change pyshim makes is, and after the decision every
 * question goes to the kernel again. */
static void test_plat_memo__one_view_per_decision(void **state)
{
    char *root = tu_mkdtemp(), *f, *g, *d, *lnk, *h;
    struct plat_stat st;
    struct sb real = SB_INIT, buf = SB_INIT;

    (void)state;
    tu_write(root, "d/f", "one");
    tu_mkdir(root, "e");
    tu_symlink("d", root, "l");
    f = tu_path(root, "d/f");
    g = tu_path(root, "d/g");
    d = tu_path(root, "d");
    lnk = tu_path(root, "l");
    h = tu_path(root, "e/h");

    plat_memo_begin();
    plat_memo_begin(); /* nests */
    assert_int_equal(plat_stat(f, &st, 1), 0);
    assert_int_equal(st.size, 3);
    assert_int_equal(plat_stat(g, &st, 1), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(plat_realpath(lnk, &real), 0);
    assert_string_equal(real.buf, d);
    plat_memo_end();
    /* behind pyshim's back: not seen until the decision ends */
    tu_write(root, "d/g", "gg");
    assert_int_equal(unlink(f), 0);
    assert_int_equal(unlink(lnk), 0);
    tu_symlink("e", root, "l");
    assert_int_equal(plat_stat(f, &st, 1), 0);
    assert_int_equal(st.size, 3);
    assert_true(plat_is_file(f));
    assert_int_equal(plat_stat(g, &st, 1), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(plat_realpath(lnk, &real), 0);
    assert_string_equal(real.buf, d);
    /* the file's content is still read from the file itself */
    assert_int_equal(plat_read_file(g, 100, &buf), -1);
    /* a change pyshim makes forgets every answer */
    assert_int_equal(plat_write_atomic(h, "h", 1, 0644), 0);
    assert_int_equal(plat_stat(f, &st, 1), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(plat_stat(g, &st, 1), 0);
    assert_int_equal(st.size, 2);
    assert_int_equal(plat_realpath(lnk, &real), 0);
    assert_string_not_equal(real.buf, d);
    tu_write(root, "d/f", "four");
    plat_memo_end();
    /* after the decision: the kernel again */
    assert_int_equal(plat_stat(f, &st, 1), 0);
    assert_int_equal(st.size, 4);
    assert_int_equal(plat_read_file(g, 100, &buf), 0);
    assert_string_equal(buf.buf, "gg");
    sb_release(&real);
    sb_release(&buf);
    free(f);
    free(g);
    free(d);
    free(lnk);
    free(h);
    tu_cleanup(root);
}

/* Many paths sharing a long prefix (the memo's hash looks at their ends):
 * every answer is the path's own, and more than the first table holds. */
static void test_plat_memo__many_paths(void **state)
{
    char *root = tu_mkdtemp();
    struct plat_stat st;
    char rel[64];
    int i;

    (void)state;
    for (i = 0; i < 300; i++) {
        snprintf(rel, sizeof(rel), "deep/dir/f%d", i);
        tu_write_bytes(root, rel, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                       (size_t)(i % 40), 0644);
    }
    plat_memo_begin();
    for (i = 0; i < 600; i++) {
        char *p;

        snprintf(rel, sizeof(rel), "deep/dir/f%d", i % 300);
        p = tu_path(root, rel);
        assert_int_equal(plat_stat(p, &st, i % 2), 0);
        assert_int_equal(st.size, (uint64_t)(i % 300 % 40));
        free(p);
    }
    plat_memo_end();
    tu_cleanup(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plat_realpath__as_libc),
        cmocka_unit_test(test_plat_realpath__derived_in_memo),
        cmocka_unit_test(test_plat_opendir__one_listing_per_decision),
        cmocka_unit_test(test_plat_read_regular__sizes),
        cmocka_unit_test(test_plat_uid__is_getuid),
        cmocka_unit_test(test_plat_memo__one_view_per_decision),
        cmocka_unit_test(test_plat_memo__many_paths),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
