/* Unit tests for common/err.h: setting, wrapping and BUG(). */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/err.h"
#include "common/exitcode.h"
#include "tests/unit/testutil.h"

static void test_err_suffix__appends_keeps_code_and_hint(void **state)
{
    struct err e = ERR_INIT;

    (void)state;
    err_set(&e, PYSHIM_EXIT_NOTFOUND, "no interpreter matches '%s'", "3.99");
    err_hint(&e, "install it");
    assert_int_equal(err_suffix(&e, " (asked by '%s')", "/p/.pyshim.json"), -1);
    assert_string_equal(
        e.msg, "no interpreter matches '3.99' (asked by '/p/.pyshim.json')");
    assert_string_equal(e.hint, "install it");
    assert_int_equal(e.code, PYSHIM_EXIT_NOTFOUND);
    err_release(&e);
}

static void test_err_prefix__prepends(void **state)
{
    struct err e = ERR_INIT;

    (void)state;
    err_set(&e, PYSHIM_EXIT_CONFIG, "bad value");
    assert_int_equal(err_prefix(&e, "'%s': ", "/p/x.json"), -1);
    assert_string_equal(e.msg, "'/p/x.json': bad value");
    assert_int_equal(e.code, PYSHIM_EXIT_CONFIG);
    err_release(&e);
}

static void test_err_wrap__null_err_is_a_no_op(void **state)
{
    (void)state;
    /* the caller did not want the text: nothing to wrap, no crash */
    assert_int_equal(err_suffix(NULL, " (listed in '%s')", "x"), -1);
    assert_int_equal(err_prefix(NULL, "%s: ", "x"), -1);
}

static void test_err_wrap__no_message_yet(void **state)
{
    struct err e = ERR_INIT;

    (void)state;
    err_suffix(&e, " (asked by %s)", "default");
    assert_string_equal(e.msg, "unknown error (asked by default)");
    err_prefix(&e, "x: ");
    assert_string_equal(e.msg, "x: unknown error (asked by default)");
    err_release(&e);
}

static void test_err_wrap__percent_in_old_message_is_kept(void **state)
{
    struct err e = ERR_INIT;

    (void)state;
    /* the old message is data, never a format */
    err_set(&e, 1, "%s", "100%s %n done");
    err_suffix(&e, "!");
    assert_string_equal(e.msg, "100%s %n done!");
    err_release(&e);
}

static void test_bug__prints_place_and_aborts(void **state)
{
    int fds[2], status = 0;
    pid_t pid;
    char buf[512];
    ssize_t n, got = 0;

    (void)state;
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (!pid) {
        dup2(fds[1], 2);
        close(fds[0]);
        BUG("impossible state %d", 42);
    }
    close(fds[1]);
    while ((n = read(fds[0], buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
        got += n;
    buf[got] = '\0';
    close(fds[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
    assert_non_null(strstr(buf, "pyshim: BUG: "));
    assert_non_null(strstr(buf, "test_err.c:"));
    assert_non_null(strstr(buf, ": impossible state 42\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_err_suffix__appends_keeps_code_and_hint),
        cmocka_unit_test(test_err_prefix__prepends),
        cmocka_unit_test(test_err_wrap__null_err_is_a_no_op),
        cmocka_unit_test(test_err_wrap__no_message_yet),
        cmocka_unit_test(test_err_wrap__percent_in_old_message_is_kept),
        cmocka_unit_test(test_bug__prints_place_and_aborts),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
