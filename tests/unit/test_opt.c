/* Unit tests for cli/opt.h: the one option parser of the commands. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/opt.h"
#include "common/exitcode.h"
#include "tests/unit/testutil.h"

/* The options of a made-up command, reset for each parse. */
struct vals {
    int json, yes;
    const char *python;
    struct sv shared;
    const char *args[2];
};

static int parse(struct vals *v, int max_args, int stop, struct err *e,
                 int *nargs, int *rest, int argc, ...)
{
    struct opt opts[] = {
        OPT_BOOL(0, "json", &v->json),
        OPT_BOOL('y', "yes", &v->yes),
        OPT_STRING(0, "python", &v->python),
        OPT_STRINGS(0, "shared", &v->shared),
        OPT_END(),
    };
    struct opt_cmd c = OPT_CMD("usage: x\n", opts, v->args, max_args);
    static char name[] = "cmd";
    char *argv[16];
    va_list ap;
    int i, ret;

    memset(v->args, 0, sizeof(v->args));
    v->json = v->yes = 0;
    v->python = NULL;
    sv_release(&v->shared);
    c.stop_at_arg = stop;
    argv[0] = name;
    va_start(ap, argc);
    for (i = 1; i <= argc; i++)
        argv[i] = va_arg(ap, char *);
    va_end(ap);
    argv[argc + 1] = NULL;
    ret = opt_parse(&c, argc + 1, argv, e);
    if (nargs)
        *nargs = c.nargs;
    if (rest)
        *rest = c.rest;
    return ret;
}

static void test_opt_parse__value_forms(void **state)
{
    struct vals v = {0, 0, NULL, SV_INIT, {NULL, NULL}};
    struct err e = ERR_INIT;
    int n;

    (void)state;
    assert_int_equal(
        parse(&v, 1, 0, &e, &n, NULL, 3, "--python", "3.12", "dir"), OPT_RUN);
    assert_string_equal(v.python, "3.12");
    assert_int_equal(n, 1);
    assert_string_equal(v.args[0], "dir");
    assert_int_equal(parse(&v, 1, 0, &e, &n, NULL, 1, "--python=3.12"),
                     OPT_RUN);
    assert_string_equal(v.python, "3.12");
    assert_int_equal(n, 0);
    /* "=" splits at the first one; an empty value is a value */
    assert_int_equal(parse(&v, 1, 0, &e, NULL, NULL, 1, "--python=a=b"),
                     OPT_RUN);
    assert_string_equal(v.python, "a=b");
    assert_int_equal(parse(&v, 1, 0, &e, NULL, NULL, 1, "--python="), OPT_RUN);
    assert_string_equal(v.python, "");
    /* the next argument is the value, whatever it looks like */
    assert_int_equal(parse(&v, 1, 0, &e, NULL, NULL, 2, "--python", "--json"),
                     OPT_RUN);
    assert_string_equal(v.python, "--json");
    assert_int_equal(v.json, 0);
    /* the last one wins */
    assert_int_equal(
        parse(&v, 1, 0, &e, NULL, NULL, 3, "--python=3.11", "--python", "3.12"),
        OPT_RUN);
    assert_string_equal(v.python, "3.12");
    sv_release(&v.shared);
}

static void test_opt_parse__flags_and_short(void **state)
{
    struct vals v = {0, 0, NULL, SV_INIT, {NULL, NULL}};
    struct err e = ERR_INIT;

    (void)state;
    assert_int_equal(parse(&v, 0, 0, &e, NULL, NULL, 2, "-y", "--json"),
                     OPT_RUN);
    assert_int_equal(v.yes, 1);
    assert_int_equal(v.json, 1);
    assert_int_equal(parse(&v, 0, 0, &e, NULL, NULL, 1, "--yes"), OPT_RUN);
    assert_int_equal(v.yes, 1);
    sv_release(&v.shared);
}

static void test_opt_parse__strings_take_until_a_dash(void **state)
{
    struct vals v = {0, 0, NULL, SV_INIT, {NULL, NULL}};
    struct err e = ERR_INIT;
    int n;

    (void)state;
    assert_int_equal(
        parse(&v, 1, 0, &e, &n, NULL, 4, "--shared", "ai", "ml", "--json"),
        OPT_RUN);
    assert_int_equal(v.shared.nr, 2);
    assert_string_equal(v.shared.v[0], "ai");
    assert_string_equal(v.shared.v[1], "ml");
    assert_int_equal(v.json, 1);
    assert_int_equal(n, 0);
    /* none is fine; "=" takes one */
    assert_int_equal(
        parse(&v, 1, 0, &e, &n, NULL, 3, "--shared", "--json", "--shared=x"),
        OPT_RUN);
    assert_int_equal(v.shared.nr, 1);
    assert_string_equal(v.shared.v[0], "x");
    sv_release(&v.shared);
}

static void test_opt_parse__help_and_dashdash(void **state)
{
    struct vals v = {0, 0, NULL, SV_INIT, {NULL, NULL}};
    struct err e = ERR_INIT;
    int n;

    (void)state;
    assert_int_equal(parse(&v, 1, 0, &e, NULL, NULL, 2, "--json", "-h"),
                     OPT_HELP);
    assert_int_equal(parse(&v, 1, 0, &e, NULL, NULL, 1, "--help"), OPT_HELP);
    /* help wins over a later error, as in git */
    assert_int_equal(parse(&v, 1, 0, &e, NULL, NULL, 2, "--help", "--bogus"),
                     OPT_HELP);
    /* after "--" everything is an argument, "-" always is */
    assert_int_equal(parse(&v, 2, 0, &e, &n, NULL, 3, "--", "--help", "-"),
                     OPT_RUN);
    assert_int_equal(n, 2);
    assert_string_equal(v.args[0], "--help");
    assert_string_equal(v.args[1], "-");
    sv_release(&v.shared);
}

static void test_opt_parse__stop_at_arg(void **state)
{
    struct vals v = {0, 0, NULL, SV_INIT, {NULL, NULL}};
    struct err e = ERR_INIT;
    int rest;

    (void)state;
    assert_int_equal(
        parse(&v, 0, 1, &e, NULL, &rest, 3, "--json", "jupyter", "--help"),
        OPT_RUN);
    assert_int_equal(rest, 2);
    assert_int_equal(v.json, 1);
    assert_int_equal(parse(&v, 0, 1, &e, NULL, &rest, 1, "--json"), OPT_RUN);
    assert_int_equal(rest, 2); /* argc: no program */
    assert_int_equal(parse(&v, 0, 1, &e, NULL, &rest, 1, "--help"), OPT_HELP);
    sv_release(&v.shared);
}

static const struct {
    const char *a, *b;
    int argc;
    const char *msg;
} errors[] = {
    {"--bogus", NULL, 1, "unknown option '--bogus'"},
    {"--bogus=1", NULL, 1, "unknown option '--bogus'"},
    {"-x", NULL, 1, "unknown option '-x'"},
    {"-yy", NULL, 1, "unknown option '-yy'"},
    {"--pyth", "3", 2, "unknown option '--pyth'"}, /* no abbreviations */
    {"--python", NULL, 1, "option '--python' needs a value"},
    {"--json=1", NULL, 1, "option '--json' takes no value"},
    {"--yes=", NULL, 1, "option '--yes' takes no value"},
    {"a", "b", 2, "unexpected argument 'b'"},
};

static void test_opt_parse__errors(void **state)
{
    struct vals v = {0, 0, NULL, SV_INIT, {NULL, NULL}};
    struct err e = ERR_INIT;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
        err_release(&e);
        TU_INT_EQ(errors[i].msg,
                  parse(&v, 1, 0, &e, NULL, NULL, errors[i].argc, errors[i].a,
                        errors[i].b),
                  -1);
        TU_STR_EQ(errors[i].msg, e.msg, errors[i].msg);
        TU_INT_EQ(errors[i].msg, e.code, PYSHIM_EXIT_USAGE);
    }
    err_release(&e);
    sv_release(&v.shared);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_opt_parse__value_forms),
        cmocka_unit_test(test_opt_parse__flags_and_short),
        cmocka_unit_test(test_opt_parse__strings_take_until_a_dash),
        cmocka_unit_test(test_opt_parse__help_and_dashdash),
        cmocka_unit_test(test_opt_parse__stop_at_arg),
        cmocka_unit_test(test_opt_parse__errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
