/* Unit tests for common/plat.h's file-system calls that issue 14 made
 * cheaper: each answer is checked against the libc call it replaced. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plat_realpath__as_libc),
        cmocka_unit_test(test_plat_read_regular__sizes),
        cmocka_unit_test(test_plat_uid__is_getuid),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
