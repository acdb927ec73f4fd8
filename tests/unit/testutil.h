/*
 * testutil: what every unit test needs besides cmocka: temp directory
 * trees built with plain POSIX calls (independent of common/plat.h, so a
 * bug there cannot hide itself), and checks that name the table case that
 * failed. Every helper aborts the test on failure; returned strings are
 * the caller's to free.
 */
#ifndef PYSHIM_TESTUTIL_H
#define PYSHIM_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* A fresh private directory under $TMPDIR (or /tmp), its real path. */
char *tu_mkdtemp(void);
/* root/rel as a new string. */
char *tu_path(const char *root, const char *rel);
/* Create root/rel (and missing parents) holding len bytes of data. */
void tu_write_bytes(const char *root, const char *rel, const void *data,
                    size_t len, unsigned mode);
/* Same, for a C string, mode 0644. */
void tu_write(const char *root, const char *rel, const char *text);
/* mkdir -p root/rel. */
void tu_mkdir(const char *root, const char *rel);
/* Make root/rel a symlink to target (parents created). */
void tu_symlink(const char *target, const char *root, const char *rel);
/* Remove a tree without following links; missing is fine. */
void tu_rmtree(const char *path);
/* rm -rf path and free it (for teardown). */
void tu_cleanup(char *path);
/* True if root/rel exists (lstat). */
int tu_exists(const char *root, const char *rel);
/* The content of a file as a new string; NULL if unreadable. */
char *tu_read(const char *path);
/* The same for binary content: NUL-terminated too, *len (may be NULL)
 * gets its length. */
char *tu_read_bytes(const char *path, size_t *len);

/* Checks for table-driven tests: fail naming the case. */
#define TU_STR_EQ(name, got, want)                                             \
    do {                                                                       \
        const char *tu_g_ = (got), *tu_w_ = (want);                            \
        if (!tu_g_ || !tu_w_ || strcmp(tu_g_, tu_w_))                          \
            fail_msg("case '%s': got '%s', want '%s'", (name),                 \
                     tu_g_ ? tu_g_ : "(null)", tu_w_ ? tu_w_ : "(null)");      \
    } while (0)

#define TU_CONTAINS(name, hay, needle)                                         \
    do {                                                                       \
        const char *tu_h_ = (hay), *tu_n_ = (needle);                          \
        if (!tu_h_ || !strstr(tu_h_, tu_n_))                                   \
            fail_msg("case '%s': '%s' does not contain '%s'", (name),          \
                     tu_h_ ? tu_h_ : "(null)", tu_n_);                         \
    } while (0)

#define TU_INT_EQ(name, got, want)                                             \
    do {                                                                       \
        long tu_g_ = (long)(got), tu_w_ = (long)(want);                        \
        if (tu_g_ != tu_w_)                                                    \
            fail_msg("case '%s': %s is %ld, want %ld", (name), #got, tu_g_,    \
                     tu_w_);                                                   \
    } while (0)

#endif
