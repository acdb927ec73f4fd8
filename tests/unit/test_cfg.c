/* Unit tests for config/cfg.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "config/cfg.h"
#include "tests/unit/testutil.h"

#define FILE_ "/proj/sub/.pyshim.json"
#define HOME_ "/home/u"

/* Parse a NUL-terminated text as FILE_ with HOME_. */
static int parse(struct cfg *c, const char *text, struct err *e)
{
    return cfg_parse(c, FILE_, text, strlen(text), HOME_, e);
}

/* Check sv against a NULL-terminated list. */
static void check_sv(const char *name, const struct sv *got,
                     const char *const *want)
{
    size_t i;

    for (i = 0; want[i]; i++) {
        if (i >= got->nr)
            fail_msg("case '%s': only %zu entries, want '%s' at %zu", name,
                     got->nr, want[i], i);
        TU_STR_EQ(name, got->v[i], want[i]);
    }
    TU_INT_EQ(name, got->nr, i);
}

static void test_cfg_parse__valid(void **state)
{
    static const struct {
        const char *name, *text;
        const char *python;
        int is_path;
        const char *venv;
        int has_shared;
        const char *shared[6];
        int has_env;
        const char *env[4];
        enum cfg_mode mode;
    } cases[] = {
        {"empty object",
         "{}",
         NULL,
         0,
         NULL,
         0,
         {NULL},
         0,
         {NULL},
         CFG_MODE_UNSET},
        {"version",
         "{\"python\": \"3.12\"}",
         "3.12",
         0,
         NULL,
         0,
         {NULL},
         0,
         {NULL},
         CFG_MODE_UNSET},
        {"version with micro",
         "{\"python\": \"3.12.1\"}",
         "3.12.1",
         0,
         NULL,
         0,
         {NULL},
         0,
         {NULL},
         CFG_MODE_UNSET},
        {"relative interpreter path",
         "{\"python\": \"./bin/python3\"}",
         "/proj/sub/bin/python3",
         1,
         NULL,
         0,
         {NULL},
         0,
         {NULL},
         CFG_MODE_UNSET},
        {"parent interpreter path",
         "{\"python\": \"../py/bin/python\"}",
         "/proj/py/bin/python",
         1,
         NULL,
         0,
         {NULL},
         0,
         {NULL},
         CFG_MODE_UNSET},
        {"home interpreter path",
         "{\"python\": \"~/py/bin/python\"}",
         "/home/u/py/bin/python",
         1,
         NULL,
         0,
         {NULL},
         0,
         {NULL},
         CFG_MODE_UNSET},
        {"absolute interpreter path",
         "{\"python\": \"/opt/py//bin/python\"}",
         "/opt/py/bin/python",
         1,
         NULL,
         0,
         {NULL},
         0,
         {NULL},
         CFG_MODE_UNSET},
        {"venv relative",
         "{\"venv\": \".venv\"}",
         NULL,
         0,
         "/proj/sub/.venv",
         0,
         {NULL},
         0,
         {NULL},
         CFG_MODE_UNSET},
        {"venv up",
         "{\"venv\": \"../envs/./x/\"}",
         NULL,
         0,
         "/proj/envs/x",
         0,
         {NULL},
         0,
         {NULL},
         CFG_MODE_UNSET},
        {"venv home",
         "{\"venv\": \"~\"}",
         NULL,
         0,
         "/home/u",
         0,
         {NULL},
         0,
         {NULL},
         CFG_MODE_UNSET},
        {"shared names and paths",
         "{\"shared\": [\"ai\", \"../libs\", \"~/envs/x\", \"/abs/y\", \"a.b-c_D9\"]}",
         NULL,
         0,
         NULL,
         1,
         {"ai", "/proj/libs", "/home/u/envs/x", "/abs/y", "a.b-c_D9", NULL},
         0,
         {NULL},
         CFG_MODE_UNSET},
        {"shared dot names are paths",
         "{\"shared\": [\".\", \"..\"]}",
         NULL,
         0,
         NULL,
         1,
         {"/proj/sub", "/proj", NULL},
         0,
         {NULL},
         CFG_MODE_UNSET},
        {"shared single string",
         "{\"shared\": \"ai\"}",
         NULL,
         0,
         NULL,
         1,
         {"ai", NULL},
         0,
         {NULL},
         CFG_MODE_UNSET},
        {"shared empty",
         "{\"shared\": []}",
         NULL,
         0,
         NULL,
         1,
         {NULL},
         0,
         {NULL},
         CFG_MODE_UNSET},
        {"env in file order",
         "{\"env\": {\"B\": \"1\", \"A\": \"x=y\", \"C\": \"\"}}",
         NULL,
         0,
         NULL,
         0,
         {NULL},
         1,
         {"B=1", "A=x=y", "C=", NULL},
         CFG_MODE_UNSET},
        {"env empty",
         "{\"env\": {}}",
         NULL,
         0,
         NULL,
         0,
         {NULL},
         1,
         {NULL},
         CFG_MODE_UNSET},
        {"mode auto",
         "{\"mode\": \"auto\"}",
         NULL,
         0,
         NULL,
         0,
         {NULL},
         0,
         {NULL},
         CFG_MODE_AUTO},
        {"mode exec",
         "{\"mode\": \"exec\"}",
         NULL,
         0,
         NULL,
         0,
         {NULL},
         0,
         {NULL},
         CFG_MODE_EXEC},
        {"mode embed",
         "{\"mode\": \"embed\"}",
         NULL,
         0,
         NULL,
         0,
         {NULL},
         0,
         {NULL},
         CFG_MODE_EMBED},
        {"schema and comment keys",
         "{\"$schema\": \"https://x/s.json\", \"$comment\": \"hi\", \"python\": \"3.11\"}",
         "3.11",
         0,
         NULL,
         0,
         {NULL},
         0,
         {NULL},
         CFG_MODE_UNSET},
        {"BOM is skipped",
         "\xef\xbb\xbf{\"python\": \"3.10\"}",
         "3.10",
         0,
         NULL,
         0,
         {NULL},
         0,
         {NULL},
         CFG_MODE_UNSET},
        {"trailing white space",
         "{\"python\": \"3\"}\r\n\t \n",
         "3",
         0,
         NULL,
         0,
         {NULL},
         0,
         {NULL},
         CFG_MODE_UNSET},
        {"full example",
         "{\n  \"python\": \"3.12\",\n  \"venv\": \".venv\",\n"
         "  \"shared\": [\"ai\", \"../shared-libs\"],\n"
         "  \"env\": {\"TOKENIZERS_PARALLELISM\": \"false\"},\n"
         "  \"mode\": \"exec\"\n}\n",
         "3.12",
         0,
         "/proj/sub/.venv",
         1,
         {"ai", "/proj/shared-libs", NULL},
         1,
         {"TOKENIZERS_PARALLELISM=false", NULL},
         CFG_MODE_EXEC},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct cfg c = CFG_INIT;
        struct err e = ERR_INIT;
        const char *name = cases[i].name;

        if (parse(&c, cases[i].text, &e) < 0)
            fail_msg("case '%s': %s", name, e.msg);
        assert_null(e.msg);
        TU_STR_EQ(name, c.file, FILE_);
        TU_STR_EQ(name, c.dir, "/proj/sub");
        if (cases[i].python)
            TU_STR_EQ(name, c.python, cases[i].python);
        else if (c.python)
            fail_msg("case '%s': python '%s', want none", name, c.python);
        TU_INT_EQ(name, c.python_is_path, cases[i].is_path);
        if (cases[i].venv)
            TU_STR_EQ(name, c.venv, cases[i].venv);
        else if (c.venv)
            fail_msg("case '%s': venv '%s', want none", name, c.venv);
        TU_INT_EQ(name, c.has_shared, cases[i].has_shared);
        check_sv(name, &c.shared, cases[i].shared);
        TU_INT_EQ(name, c.has_env, cases[i].has_env);
        check_sv(name, &c.env, cases[i].env);
        TU_INT_EQ(name, c.mode, cases[i].mode);
        cfg_release(&c);
        err_release(&e);
    }
}

static void test_cfg_parse__errors(void **state)
{
    static const struct {
        const char *name, *text;
        /* the message starts with FILE_ ":" where ": " ("LINE:COL"), or
         * FILE_ ":" where ":" when where is a line alone */
        const char *where;
        const char *msg, *hint;
    } cases[] = {
        {"missing comma", "{\n  \"python\": \"3.12\"\n  \"venv\": \".venv\"\n}",
         "3:3", "malformed JSON", "missing comma"},
        {"trailing comma", "{\"python\": \"3.12\",}", "1:19", "malformed JSON",
         "trailing commas"},
        /* cJSON points just past a bad character: check the line only */
        {"comment", "{\n// no\n\"python\": \"3\"}", "2", "malformed JSON",
         "comments"},
        {"empty file", "", "1:1", "malformed JSON", NULL},
        {"unclosed", "{\"python\": \"3.12\"\n", NULL, "malformed JSON", NULL},
        {"top level array", "[1, 2]", "1:1",
         "top level must be an object, not an array", "{\"python\""},
        {"top level string", "\"3.12\"", "1:1",
         "top level must be an object, not a string", NULL},
        {"python number", "{\n \"mode\": \"exec\",\n \"python\": 3.12\n}",
         "3:2", "key 'python' must be a string, not a number", "\"3.12\""},
        {"python empty", "{\"python\": \"\"}", "1:2",
         "key 'python' is an empty string", NULL},
        {"python bool", "{\"python\": true}", "1:2",
         "key 'python' must be a string, not a boolean", NULL},
        {"venv null", "{\"venv\": null}", "1:2",
         "key 'venv' must be a string, not null", "\".venv\""},
        {"venv array", "{\"venv\": [\".venv\"]}", "1:2",
         "key 'venv' must be a string, not an array", NULL},
        {"shared object", "{\"shared\": {\"a\": 1}}", "1:2",
         "key 'shared' must be an array, not an object", "\"shared\": ["},
        {"shared number entry", "{\"shared\": [\"ok\", 3]}", "1:2",
         "key 'shared' holds a number", NULL},
        {"shared empty entry", "{\"shared\": [\"\"]}", "1:2",
         "key 'shared' holds an empty string", NULL},
        {"shared empty single string", "{\"shared\": \"\"}", "1:2",
         "key 'shared' holds an empty string", NULL},
        {"shared null entry", "{\"shared\": [null]}", "1:2",
         "key 'shared' holds null", NULL},
        {"env array", "{\"env\": [\"A=1\"]}", "1:2",
         "key 'env' must be an object, not an array", NULL},
        {"env number value", "{\"env\": {\"A\": 1}}", "1:2",
         "the value of 'A' must be a string", "string values"},
        {"env name with =", "{\"env\": {\"A=B\": \"1\"}}", "1:2",
         "invalid variable name 'A=B'", NULL},
        {"env empty name", "{\"env\": {\"\": \"1\"}}", "1:2",
         "invalid variable name ''", NULL},
        {"mode unknown", "{\"mode\": \"fast\"}", "1:2",
         "key 'mode' has unknown value 'fast'", "\"embed\""},
        {"mode number", "{\"mode\": 1}", "1:2",
         "key 'mode' must be a string, not a number", NULL},
        {"unknown key suggests", "{\n  \"python\": \"3.12\",\n  \"shard\": []}",
         "3:3", "unknown key 'shard'", "did you mean \"shared\"?"},
        {"unknown key case", "{\"Python\": \"3\"}", "1:2",
         "unknown key 'Python'", "did you mean \"python\"?"},
        {"unknown key far from all", "{\"interpreter\": \"3\"}", "1:2",
         "unknown key 'interpreter'", "valid keys: python, venv"},
        {"unknown key before a type error",
         "{\"python\": 3, \"venvv\": \".venv\"}", "1:15", "unknown key 'venvv'",
         "did you mean \"venv\"?"},
        {"key position skips values", "{\"python\": \"mode\", \"mode\": 5}",
         "1:20", "key 'mode' must be a string", NULL},
        {"key position skips nested keys",
         "{\"env\": {\"mode\": \"x\"}, \"mode\": 5}", "1:24",
         "key 'mode' must be a string", NULL},
        {"key position skips escaped quotes",
         "{\"python\": \"a\\\"b\", \"mode\": 5}", "1:20",
         "key 'mode' must be a string", NULL},
        {"columns count characters",
         "{\"env\": {\"X\": \"\xc3\xa9\"}, \"mode\": 5}", "1:21", "key 'mode'",
         NULL}, /* 22 if bytes were counted */
        {"BOM not counted", "\xef\xbb\xbf{\n \"shard\": 1}", "2:2",
         "unknown key 'shard'", NULL},
        {"trailing text", "{\"python\": \"3.12\"}\n{\"venv\": \"x\"}", "2:1",
         "unexpected text after the JSON object", "exactly one"},
        {"trailing garbage same line", "{}  x", "1:5",
         "unexpected text after the JSON object", NULL},
        {"NUL byte", "{\"python\": \"3.12\"}\n\0", "2:1",
         "the file holds a NUL byte", "UTF-8 JSON"},
        {"tilde user", "{\"venv\": \"~bob/venv\"}", "1:2",
         "key 'venv': '~bob/venv': '~user' paths are not supported",
         "home directory out in full"},
        {"tilde user in shared", "{\"shared\": [\"~bob\"]}", "1:2",
         "key 'shared': '~bob'", NULL},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct cfg c = CFG_INIT;
        struct err e = ERR_INIT;
        const char *name = cases[i].name;
        const char *text = cases[i].text;
        /* the NUL case holds its NUL inside the literal */
        size_t len = strlen(text) + (!strcmp(name, "NUL byte") ? 1 : 0);
        char want[256];

        if (cfg_parse(&c, FILE_, text, len, HOME_, &e) == 0)
            fail_msg("case '%s': parsed without error", name);
        TU_INT_EQ(name, e.code, PYSHIM_EXIT_CONFIG);
        if (cases[i].where) {
            snprintf(want, sizeof(want), "%s:%s:%s", FILE_, cases[i].where,
                     strchr(cases[i].where, ':') ? " " : "");
            if (strncmp(e.msg, want, strlen(want)))
                fail_msg("case '%s': '%s' does not start with '%s'", name,
                         e.msg, want);
        } else {
            TU_CONTAINS(name, e.msg, FILE_ ":");
        }
        TU_CONTAINS(name, e.msg, cases[i].msg);
        if (cases[i].hint)
            TU_CONTAINS(name, e.hint, cases[i].hint);
        else if (!e.hint)
            fail_msg("case '%s': no hint", name);
        cfg_release(&c);
        err_release(&e);
    }
}

static void test_cfg_parse__utf16(void **state)
{
    static const char le[] = "\xff\xfe{\0\"\0p\0\"\0:\0\"\0003\0\"\0}\0";
    static const char be[] = "\xfe\xff\0{\0}";
    struct cfg c = CFG_INIT;
    struct err e = ERR_INIT;

    (void)state;
    assert_int_equal(cfg_parse(&c, FILE_, le, sizeof(le) - 1, HOME_, &e), -1);
    assert_non_null(strstr(e.msg, FILE_));
    assert_non_null(strstr(e.msg, "UTF-16"));
    assert_non_null(strstr(e.hint, "UTF-8"));
    assert_int_equal(e.code, PYSHIM_EXIT_CONFIG);
    cfg_release(&c);
    err_release(&e);
    assert_int_equal(cfg_parse(&c, FILE_, be, sizeof(be) - 1, HOME_, &e), -1);
    assert_non_null(strstr(e.msg, "UTF-16"));
    cfg_release(&c);
    err_release(&e);
}

static void test_cfg_parse__not_nul_terminated(void **state)
{
    /* the text is a prefix of a longer buffer: len is the truth */
    static const char text[] = "{\"python\": \"3.9\"}GARBAGE";
    struct cfg c = CFG_INIT;
    struct err e = ERR_INIT;

    (void)state;
    assert_int_equal(cfg_parse(&c, FILE_, text, 17, HOME_, &e), 0);
    assert_string_equal(c.python, "3.9");
    cfg_release(&c);
    assert_int_equal(cfg_parse(&c, FILE_, text, sizeof(text) - 1, HOME_, &e),
                     -1);
    assert_non_null(strstr(e.msg, ":1:18: unexpected text"));
    cfg_release(&c);
    err_release(&e);
}

static void test_cfg_parse__no_home(void **state)
{
    struct cfg c = CFG_INIT;
    struct err e = ERR_INIT;
    static const char text[] = "{\"venv\": \"~/v\"}";

    (void)state;
    assert_int_equal(cfg_parse(&c, FILE_, text, sizeof(text) - 1, NULL, &e),
                     -1);
    assert_non_null(strstr(e.msg, "no home directory"));
    cfg_release(&c);
    err_release(&e);
    /* paths that do not need the home parse without one */
    assert_int_equal(cfg_parse(&c, FILE_, "{\"venv\": \"v\"}", 13, NULL, &e),
                     0);
    assert_string_equal(c.venv, "/proj/sub/v");
    cfg_release(&c);
}

static void test_cfg_parse__null_err(void **state)
{
    struct cfg c = CFG_INIT;

    (void)state;
    assert_int_equal(cfg_parse(&c, FILE_, "{\"x\": 1}", 8, HOME_, NULL), -1);
    cfg_release(&c);
    assert_int_equal(cfg_parse(&c, FILE_, "{", 1, HOME_, NULL), -1);
    cfg_release(&c);
}

static void test_cfg_load__file(void **state)
{
    char *root = tu_mkdtemp(), *file, *want;
    struct cfg c = CFG_INIT;
    struct err e = ERR_INIT;

    (void)state;
    tu_write(root, "proj/.pyshim.json",
             "{\"venv\": \"env\", \"shared\": [\"../lib\", \"n\"]}\n");
    file = tu_path(root, "proj/.pyshim.json");
    if (cfg_load(&c, file, HOME_, &e) < 0)
        fail_msg("%s", e.msg);
    assert_string_equal(c.file, file);
    want = tu_path(root, "proj");
    assert_string_equal(c.dir, want);
    free(want);
    want = tu_path(root, "proj/env");
    assert_string_equal(c.venv, want);
    free(want);
    want = tu_path(root, "lib");
    assert_string_equal(c.shared.v[0], want);
    assert_string_equal(c.shared.v[1], "n");
    free(want);
    cfg_release(&c);
    free(file);
    tu_cleanup(root);
}

static void test_cfg_load__unreadable(void **state)
{
    char *root = tu_mkdtemp(), *p;
    struct cfg c = CFG_INIT;
    struct err e = ERR_INIT;
    char *big;

    (void)state;
    /* missing */
    p = tu_path(root, "none.json");
    assert_int_equal(cfg_load(&c, p, HOME_, &e), -1);
    assert_int_equal(e.code, PYSHIM_EXIT_NOINPUT);
    assert_non_null(strstr(e.msg, "cannot read config '"));
    assert_non_null(strstr(e.msg, p));
    cfg_release(&c);
    err_release(&e);
    free(p);

    /* a directory */
    tu_mkdir(root, "d.json");
    p = tu_path(root, "d.json");
    assert_int_equal(cfg_load(&c, p, HOME_, &e), -1);
    assert_int_equal(e.code, PYSHIM_EXIT_CONFIG);
    assert_non_null(strstr(e.hint, "remove or rename the directory"));
    cfg_release(&c);
    err_release(&e);
    free(p);

    /* a symlink loop */
    tu_symlink("loop.json", root, "loop.json");
    p = tu_path(root, "loop.json");
    assert_int_equal(cfg_load(&c, p, HOME_, &e), -1);
    assert_int_equal(e.code, PYSHIM_EXIT_CONFIG);
    assert_non_null(strstr(e.hint, "symbolic link loop"));
    cfg_release(&c);
    err_release(&e);
    free(p);

    /* too big */
    big = malloc(CFG_MAX_BYTES + 2);
    assert_non_null(big);
    memset(big, ' ', CFG_MAX_BYTES + 2);
    big[0] = '{';
    big[CFG_MAX_BYTES + 1] = '}';
    tu_write_bytes(root, "big.json", big, CFG_MAX_BYTES + 2, 0644);
    free(big);
    p = tu_path(root, "big.json");
    assert_int_equal(cfg_load(&c, p, HOME_, &e), -1);
    assert_non_null(strstr(e.msg, "larger than 1 MiB"));
    cfg_release(&c);
    err_release(&e);
    free(p);

    /* a parse error names the real file */
    tu_write(root, "bad.json", "{\"shard\": []}");
    p = tu_path(root, "bad.json");
    assert_int_equal(cfg_load(&c, p, HOME_, &e), -1);
    assert_non_null(strstr(e.msg, p));
    assert_non_null(strstr(e.msg, ":1:2: unknown key 'shard'"));
    cfg_release(&c);
    err_release(&e);
    free(p);
    tu_cleanup(root);
}

static void test_cfg_is_name__cases(void **state)
{
    static const struct {
        const char *s;
        int want;
    } cases[] = {
        {"ai", 1},     {"torch-2.1_cu", 1},
        {"A9", 1},     {".hidden", 1},
        {".", 0},      {"..", 0},
        {"", 0},       {"a/b", 0},
        {"../x", 0},   {"~", 0},
        {"a b", 0},    {"caf\xc3\xa9", 0},
        {"/abs", 0},   {"a\\b", 0},
        {"--help", 0}, {"-x", 0},
        {"x-", 1},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++)
        TU_INT_EQ(cases[i].s, cfg_is_name(cases[i].s), cases[i].want);
}

static void test_cfg_is_path_request__cases(void **state)
{
    static const struct {
        const char *s;
        int want;
    } cases[] = {
        {"3.12", 0},
        {"3", 0},
        {"python3.12", 0},
        {"cpython@3.12", 0},
        {"pypy3.10", 0},
        {"/usr/bin/python3", 1},
        {"./py", 1},
        {"../py", 1},
        {"~/py/bin/python", 1},
        {"bin/python", 1},
        {"PythonCore/3.12", 1},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++)
        TU_INT_EQ(cases[i].s, cfg_is_path_request(cases[i].s), cases[i].want);
}

static void test_cfg_suggest_key__cases(void **state)
{
    static const struct {
        const char *key, *want;
    } cases[] = {
        {"shard", "shared"}, {"shred", "shared"},   {"pyhton", "python"},
        {"pythn", "python"}, {"venvs", "venv"},     {"ven", "venv"},
        {"mod", "mode"},     {"envv", "env"},       {"schema", "$schema"},
        {"zzzzzz", NULL},    {"interpreter", NULL}, {"", NULL},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        const char *got = cfg_suggest_key(cases[i].key);

        if (cases[i].want)
            TU_STR_EQ(cases[i].key, got, cases[i].want);
        else if (got)
            fail_msg("case '%s': suggested '%s', want none", cases[i].key, got);
    }
}

static void test_cfg_mode_name__all(void **state)
{
    (void)state;
    assert_string_equal(cfg_mode_name(CFG_MODE_AUTO), "auto");
    assert_string_equal(cfg_mode_name(CFG_MODE_EXEC), "exec");
    assert_string_equal(cfg_mode_name(CFG_MODE_EMBED), "embed");
    assert_string_equal(cfg_mode_name(CFG_MODE_UNSET), "unset");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cfg_parse__valid),
        cmocka_unit_test(test_cfg_parse__errors),
        cmocka_unit_test(test_cfg_parse__utf16),
        cmocka_unit_test(test_cfg_parse__not_nul_terminated),
        cmocka_unit_test(test_cfg_parse__no_home),
        cmocka_unit_test(test_cfg_parse__null_err),
        cmocka_unit_test(test_cfg_load__file),
        cmocka_unit_test(test_cfg_load__unreadable),
        cmocka_unit_test(test_cfg_is_name__cases),
        cmocka_unit_test(test_cfg_is_path_request__cases),
        cmocka_unit_test(test_cfg_suggest_key__cases),
        cmocka_unit_test(test_cfg_mode_name__all),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
