/*
 * Unit tests for config/trust.h, and for the one-read rule of discovery
 * (issue 10, item 1): the bytes trust hashes are the very bytes parsed.
 *
 * Linked with -Wl,--wrap=open (not on macOS, whose linker has none: there
 * the first test is skipped): when armed, every open() of the watched
 * file first rewrites it, the first open with one content and every later
 * one with another, as a file that serves different bytes to each read
 * would. Discovery must parse and hash what the first open gave.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/exitcode.h"
#include "config/discover.h"
#include "config/trust.h"
#include "tests/unit/testutil.h"

#ifndef PYSHIM_NO_LD_WRAP
int __real_open(const char *path, int flags, ...);
int __wrap_open(const char *path, int flags, ...);

static const char *watched; /* the file whose content changes per open */
static const char *first, *later;
static int opens;

static void put(const char *path, const char *text)
{
    int fd = __real_open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);

    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        abort();
    close(fd);
}

int __wrap_open(const char *path, int flags, ...)
{
    unsigned mode = 0;
    va_list ap;

    if (flags & O_CREAT) {
        va_start(ap, flags);
        mode = va_arg(ap, unsigned);
        va_end(ap);
    }
    if (watched && !strcmp(path, watched))
        put(path, opens++ ? later : first);
    return __real_open(path, flags, mode);
}

/* A config that needs trust (it sets env): the user trusted the benign
 * one; the file then serves the evil one to the first read and the
 * benign one to any later read. Parsing the first and hashing the second
 * would run the evil config as trusted. */
static void test_discover__trust_hashes_the_bytes_parsed(void **state)
{
    static const char benign[] = "{\"env\": {\"X\": \"trusted\"}}\n";
    static const char evil[] = "{\"env\": {\"X\": \"evil\"}}\n";
    char *root = tu_mkdtemp(), *data, *proj, *file;
    struct discover_in in;
    struct project p = PROJECT_INIT;
    struct trace t = TRACE_INIT;
    struct err e = ERR_INIT;
    int ret;

    (void)state;
    data = tu_path(root, "data");
    proj = tu_path(root, "proj");
    tu_write(root, "proj/.pyshim.json", benign);
    file = tu_path(root, "proj/.pyshim.json");
    assert_int_equal(trust_add(data, file, &e), 0);

    memset(&in, 0, sizeof(in));
    in.cwd = proj;
    in.home = root;
    in.data_dir = data;
    watched = file;
    first = evil;
    later = benign;
    opens = 0;
    ret = discover_project(&in, &p, &t, &e);
    watched = NULL;

    if (ret == 0)
        fail_msg("the config parsed as '%s' was taken as trusted",
                 p.cfg.env.nr ? p.cfg.env.v[0] : "(no env)");
    assert_int_equal(ret, -1);
    assert_int_equal(e.code, PYSHIM_EXIT_NOPERM);
    assert_non_null(strstr(e.msg, "not trusted"));
    /* one read of the config, not one per use */
    assert_int_equal(opens, 1);

    project_release(&p);
    trace_release(&t);
    err_release(&e);
    free(data);
    free(proj);
    free(file);
    tu_cleanup(root);
}
#else
/* Apple's linker has no --wrap (tests/CMakeLists.txt): this check runs on
 * Linux only. */
static void test_discover__trust_hashes_the_bytes_parsed(void **state)
{
    (void)state;
    skip();
}
#endif

/* A record counts only as the user wrote it: not a FIFO, not writable by
 * others (anyone could have put it there). */
static void test_trust_check__record_must_be_the_users(void **state)
{
    char *root = tu_mkdtemp(), *data, *file, *dir, *rec = NULL;
    struct err e = ERR_INIT;
    struct dirent *de;
    DIR *d;
    int n = 0;

    (void)state;
    data = tu_path(root, "data");
    tu_write(root, "p/.pyshim.json", "{\"env\": {\"X\": \"1\"}}");
    file = tu_path(root, "p/.pyshim.json");
    assert_int_equal(trust_add(data, file, &e), 0);
    assert_int_equal(trust_check(data, file, &e), 1);

    /* the one record there */
    dir = tu_path(data, "trust");
    d = opendir(dir);
    assert_non_null(d);
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        free(rec);
        rec = tu_path(dir, de->d_name);
        n++;
    }
    closedir(d);
    assert_int_equal(n, 1);

    assert_int_equal(chmod(rec, 0666), 0);
    assert_int_equal(trust_check(data, file, &e), 0);
    assert_int_equal(unlink(rec), 0);
    assert_int_equal(mkfifo(rec, 0600), 0);
    assert_int_equal(trust_check(data, file, &e), 0);

    free(dir);
    free(rec);
    free(data);
    free(file);
    err_release(&e);
    tu_cleanup(root);
}

/* trust_*_text key the record by the bytes given, the same record
 * trust_check finds for a file holding exactly those bytes. */
static void test_trust_text__same_record_as_the_file(void **state)
{
    static const char text[] = "{\"env\": {\"Y\": \"2\"}}";
    char *root = tu_mkdtemp(), *data, *file;
    struct err e = ERR_INIT;

    (void)state;
    data = tu_path(root, "data");
    tu_write(root, "q/.pyshim.json", text);
    file = tu_path(root, "q/.pyshim.json");
    assert_int_equal(trust_check_text(data, file, text, strlen(text), &e), 0);
    assert_int_equal(trust_add_text(data, file, text, strlen(text), &e), 0);
    assert_int_equal(trust_check_text(data, file, text, strlen(text), &e), 1);
    assert_int_equal(trust_check(data, file, &e), 1);
    /* other bytes at the same path: not trusted */
    assert_int_equal(trust_check_text(data, file, text, strlen(text) - 1, &e),
                     0);
    free(data);
    free(file);
    err_release(&e);
    tu_cleanup(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_discover__trust_hashes_the_bytes_parsed),
        cmocka_unit_test(test_trust_check__record_must_be_the_users),
        cmocka_unit_test(test_trust_text__same_record_as_the_file),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
