/* Unit tests for config/sitecfg.h: the system config's keys, its errors,
 * the "pythons" rule and the ownership rule on the file itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "config/sitecfg.h"
#include "tests/unit/testutil.h"

#define FILE_ "/etc/pyshim/config.json"

static int parse(struct sitecfg *s, const char *text, struct err *e)
{
    return sitecfg_parse(s, FILE_, text, strlen(text), e);
}

static void test_sitecfg_parse__valid(void **state)
{
    struct sitecfg s = SITECFG_INIT;
    struct err e = ERR_INIT;

    (void)state;
    assert_int_equal(
        parse(&s,
              "{\"site_shared\": {\"ml\": \"/opt/ml\", \"rel\": \"stacks/x\"},"
              " \"python\": \"3.11\", \"shared\": \"ml\","
              " \"allow_user_shared\": false, \"pythons\": [\"3.11\", \"3\"],"
              " \"project_users\": {\"/srv/app\": [\"svc\", \"www\"]}}",
              &e),
        0);
    assert_string_equal(s.file, FILE_);
    assert_string_equal(sitecfg_env(&s, "ml"), "/opt/ml");
    /* relative: against the config's directory */
    assert_string_equal(sitecfg_env(&s, "rel"), "/etc/pyshim/stacks/x");
    assert_null(sitecfg_env(&s, "nope"));
    assert_string_equal(s.python, "3.11");
    assert_int_equal(s.has_shared, 1);
    assert_int_equal(s.shared.nr, 1);
    assert_int_equal(s.allow_user_shared, 0);
    assert_int_equal(s.grant_dirs.nr, 2);
    assert_string_equal(s.grant_users.v[1], "www");
    assert_true(sitecfg_python_allowed(&s, 3, 11));
    assert_true(sitecfg_python_allowed(&s, 3, 9)); /* "3": any 3.x */
    sitecfg_release(&s);
    err_release(&e);
}

static void test_sitecfg_parse__defaults(void **state)
{
    struct sitecfg s = SITECFG_INIT;
    struct err e = ERR_INIT;

    (void)state;
    memset(&s, 0, sizeof(s)); /* as in a zeroed struct project */
    assert_int_equal(parse(&s, "{}", &e), 0);
    assert_int_equal(s.allow_user_shared, 1);
    assert_true(sitecfg_python_allowed(&s, 3, 13));
    sitecfg_release(&s);
}

static void test_sitecfg_parse__errors(void **state)
{
    static const struct {
        const char *text, *needle;
    } cases[] = {
        {"[]", "top level must be an object"},
        {"{\"site_shared\": []}", "'site_shared' must be an object"},
        {"{\"site_shared\": {\"a b\": \"/x\"}}", "holds a name"},
        {"{\"site_shared\": {\"ml\": 3}}", "must map names to paths"},
        {"{\"site_shared\": {\"ml\": \"~/x\"}}", "not absolute"},
        {"{\"shared\": [\"ml\"]}", "not in site_shared"},
        {"{\"allow_user_shared\": 0}", "must be true or false"},
        {"{\"pythons\": [\"three\"]}", "not a version"},
        {"{\"project_users\": {\"rel\": [\"svc\"]}}", "not absolute"},
        {"{\"project_users\": {\"/srv\": \"svc\"}}", "array of user names"},
        {"{\"pyhton\": \"3.11\"}", "unknown key 'pyhton'"},
        {"{not json", "malformed JSON"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sitecfg s = SITECFG_INIT;
        struct err e = ERR_INIT;

        TU_INT_EQ(cases[i].text, parse(&s, cases[i].text, &e), -1);
        TU_INT_EQ(cases[i].text, e.code, PYSHIM_EXIT_CONFIG);
        TU_CONTAINS(cases[i].text, e.msg, FILE_);
        TU_CONTAINS(cases[i].text, e.msg, cases[i].needle);
        assert_non_null(e.hint);
        assert_null(s.file);
        sitecfg_release(&s);
        err_release(&e);
    }
}

static void test_sitecfg_python_allowed__list(void **state)
{
    struct sitecfg s = SITECFG_INIT;
    struct err e = ERR_INIT;

    (void)state;
    assert_int_equal(parse(&s, "{\"pythons\": [\"3.11\", \"3.12\"]}", &e), 0);
    assert_true(sitecfg_python_allowed(&s, 3, 12));
    assert_false(sitecfg_python_allowed(&s, 3, 13));
    assert_false(sitecfg_python_allowed(&s, 2, 11));
    sitecfg_release(&s);
}

/* The file's own owner and mode decide before any directory is looked
 * at: only root's, closed to group and others, is believed. */
static void test_sitecfg_unsafe__file(void **state)
{
    struct plat_stat st;
    char *why;

    (void)state;
    memset(&st, 0, sizeof(st));
    st.is_reg = 1;
    st.uid = 1000;
    st.perm = 0644;
    why = sitecfg_unsafe("/nonexistent/config.json", &st);
    TU_CONTAINS("user", why, "owned by uid 1000, not root");
    TU_CONTAINS("user", why, "chown root:root");
    free(why);
    st.uid = 0;
    st.perm = 0664;
    why = sitecfg_unsafe("/nonexistent/config.json", &st);
    TU_CONTAINS("group", why, "writable by its group");
    TU_CONTAINS("group", why, "chmod go-w");
    free(why);
    st.perm = 0646;
    why = sitecfg_unsafe("/nonexistent/config.json", &st);
    TU_CONTAINS("world", why, "writable by every user");
    free(why);
    /* root's and closed, but not the file at that path any more */
    st.perm = 0644;
    why = sitecfg_unsafe("/nonexistent/config.json", &st);
    TU_CONTAINS("gone", why, "changed while it was read");
    free(why);
}

static void test_sitecfg_load__absent(void **state)
{
    struct sitecfg s = SITECFG_INIT;
    struct err e = ERR_INIT;
    char *refused = NULL;

    (void)state;
    assert_int_equal(
        sitecfg_load(&s, "/nonexistent/pyshim/config.json", &refused, &e), 0);
    assert_null(refused);
    assert_null(s.file);
    assert_int_equal(sitecfg_load(&s, NULL, &refused, &e), 0);
    assert_null(s.file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sitecfg_parse__valid),
        cmocka_unit_test(test_sitecfg_parse__defaults),
        cmocka_unit_test(test_sitecfg_parse__errors),
        cmocka_unit_test(test_sitecfg_python_allowed__list),
        cmocka_unit_test(test_sitecfg_unsafe__file),
        cmocka_unit_test(test_sitecfg_load__absent),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
