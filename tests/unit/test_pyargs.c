/* Unit tests for launcher/pyargs.h: python command lines -> script. */
#include <string.h>

#include "launcher/pyargs.h"
#include "tests/unit/testutil.h"

#define MAXARGS 8

static void test_pyargs_script__table(void **state)
{
    static const struct {
        const char *name;
        const char *argv[MAXARGS]; /* NULL-terminated */
        int want;                  /* index of the script, -1: none */
    } cases[] = {
        {"no arguments", {NULL}, -1},
        {"script", {"x.py", NULL}, 0},
        {"script with its own options", {"x.py", "-c", "-m", NULL}, 0},
        {"flags before the script", {"-u", "-B", "-I", "x.py", NULL}, 3},
        {"clustered flags", {"-uBs", "x.py", NULL}, 1},
        {"-c", {"-c", "print(1)", "x.py", NULL}, -1},
        {"-c in a cluster", {"-uc", "print(1)", NULL}, -1},
        {"-c glued to its code", {"-cprint(1)", NULL}, -1},
        {"-m", {"-m", "pip", "install", "x.py", NULL}, -1},
        {"-m glued", {"-mpip", NULL}, -1},
        {"-W takes the next argument", {"-W", "error", "x.py", NULL}, 2},
        {"-W glued value", {"-Werror", "x.py", NULL}, 1},
        {"-X takes the next argument", {"-X", "dev", "x.py", NULL}, 2},
        {"-X glued value holding c", {"-Xfrozen_modules=off", "s.py", NULL}, 1},
        {"-W value that looks like a script",
         {"-W", "ignore.py", "s.py", NULL},
         2},
        {"flag then -W in a cluster", {"-bW", "error", "x.py", NULL}, 2},
        {"--check-hash-based-pycs value",
         {"--check-hash-based-pycs", "always", "x.py", NULL},
         2},
        {"other long option", {"--no-user-site", "x.py", NULL}, 1},
        {"--help", {"--help", "x.py", NULL}, -1},
        {"--help-env", {"--help-env", NULL}, -1},
        {"--version", {"--version", NULL}, -1},
        {"-h", {"-h", "x.py", NULL}, -1},
        {"-V", {"-V", NULL}, -1},
        {"-?", {"-?", NULL}, -1},
        {"-", {"-", "arg", NULL}, 0},
        {"- after flags", {"-u", "-", NULL}, 1},
        {"--", {"--", "-x.py", NULL}, 1},
        {"-- at the end", {"-u", "--", NULL}, -1},
        {"interactive with flags only", {"-i", "-u", NULL}, -1},
        {"-i before the script", {"-i", "x.py", NULL}, 1},
        {"-W at the end", {"-W", NULL}, -1},
        {"directory or zip", {"app.pyz", NULL}, 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        char *argv[MAXARGS];
        int argc = 0;
        const char *got;

        while (cases[i].argv[argc]) {
            argv[argc] = (char *)(uintptr_t)cases[i].argv[argc];
            argc++;
        }
        argv[argc] = NULL;
        got = pyargs_script(argc, argv);
        if (cases[i].want < 0) {
            if (got)
                fail_msg("case '%s': got '%s', want none", cases[i].name, got);
        } else if (got != argv[cases[i].want]) {
            fail_msg("case '%s': got '%s', want argv[%d] '%s'", cases[i].name,
                     got ? got : "(null)", cases[i].want, argv[cases[i].want]);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pyargs_script__table),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
