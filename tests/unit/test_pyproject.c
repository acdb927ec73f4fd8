/* Unit tests for config/pyproject.h: what is read (requires-python,
 * [tool.pyshim]) and pyproject_edit, which must keep every other byte. */
#include <stdlib.h>
#include <string.h>

#include "common/sv.h"
#include "config/pyproject.h"
#include "tests/unit/testutil.h"

static void test_pyproject_parse__table(void **state)
{
    static const struct {
        const char *name, *text;
        const char *rp; /* requires-python wanted, "" none */
        int tool;
        const char *python; /* cfg python wanted, or NULL */
        const char *err;    /* NULL: parses */
    } cases[] = {
        {"nothing", "[build-system]\nrequires = []\n", "", 0, NULL, NULL},
        {"requires-python", "[project]\nrequires-python = '>=3.9'\n", ">=3.9",
         0, NULL, NULL},
        {"tool", "[tool.pyshim]\npython = \"3.12\"\n", "", 1, "3.12", NULL},
        {"tool inline", "tool.pyshim = {python = \"3.11\"}\n", "", 1, "3.11",
         NULL},
        {"not a string", "[project]\nrequires-python = 3\n", NULL, 0, NULL,
         "/p/pyproject.toml:2:1: [project] requires-python must be a string, "
         "not an integer"},
        {"bad spec", "[project]\nrequires-python = \"3.12\"\n", NULL, 0, NULL,
         "/p/pyproject.toml:2:1: [project] requires-python = \"3.12\": "},
        {"unknown key", "[tool.pyshim]\nx = 1\npyton = \"3\"\n", NULL, 1, NULL,
         "/p/pyproject.toml:2:1: [tool.pyshim] unknown key 'x'"},
        {"wrong type", "[tool.pyshim]\n  shared = 3\n", NULL, 1, NULL,
         "/p/pyproject.toml:2:3: [tool.pyshim] key 'shared' must be an array, "
         "not a number"},
        {"tool not a table", "[tool]\npyshim = 1\n", NULL, 1, NULL,
         "tool.pyshim must be a table, not an integer"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct pyproject pp = PYPROJECT_INIT;
        struct cfg c = CFG_INIT;
        struct err e = ERR_INIT;
        int ret = pyproject_parse(&pp, &c, "/p/pyproject.toml", cases[i].text,
                                  strlen(cases[i].text), "/home/u", &e);

        if (cases[i].err) {
            if (!ret || !e.msg || !strstr(e.msg, cases[i].err) || !e.hint)
                fail_msg("case '%s': '%s', want '%s'", cases[i].name,
                         e.msg ? e.msg : "(none)", cases[i].err);
        } else {
            if (ret)
                fail_msg("case '%s': %s", cases[i].name, e.msg);
            if (strcmp(pp.requires_python ? pp.requires_python : "",
                       cases[i].rp) ||
                pp.has_tool != cases[i].tool)
                fail_msg("case '%s': rp '%s' tool %d", cases[i].name,
                         pp.requires_python, pp.has_tool);
            if (cases[i].python &&
                (!c.python || strcmp(c.python, cases[i].python)))
                fail_msg("case '%s': python '%s'", cases[i].name, c.python);
        }
        pyproject_release(&pp);
        cfg_release(&c);
        err_release(&e);
    }
}

static void test_pyproject_edit__keeps_every_other_byte(void **state)
{
    static const struct {
        const char *name, *text, *python, *shared; /* shared: ","-separated */
        const char *want;                          /* NULL: an error */
        const char *err;
    } cases[] = {
        {"no table: appended", "[project]\nname = \"x\" # keep\n", "3.12", "ai",
         "[project]\nname = \"x\" # keep\n\n[tool.pyshim]\npython = "
         "\"3.12\"\nshared = [\"ai\"]\n",
         NULL},
        {"no final newline, CRLF", "[project]\r\nname = 'x'", "3.12", NULL,
         "[project]\r\nname = 'x'\r\n\r\n[tool.pyshim]\r\npython = \"3.12\"\r\n",
         NULL},
        {"empty file", "", NULL, "a,b",
         "[tool.pyshim]\nshared = [\"a\", \"b\"]\n", NULL},
        {"value replaced in place",
         "[tool.pyshim]  # mine\npython   =   '3.11'   # old\nmode = "
         "\"exec\"\n[x]\n",
         "3.12", NULL,
         "[tool.pyshim]  # mine\npython   =   \"3.12\"   # old\nmode = "
         "\"exec\"\n[x]\n",
         NULL},
        {"key under the header", "[a]\n[tool.pyshim]\nmode = \"exec\"\n[b]\n",
         "3.13", "ai",
         "[a]\n[tool.pyshim]\npython = \"3.13\"\nshared = [\"ai\"]\nmode = "
         "\"exec\"\n[b]\n",
         NULL},
        {"entries appended, comments kept",
         "[tool.pyshim]\nshared = [\n  \"ai\",  # big\n  'ml' # more\n]\n",
         NULL, "ai,new",
         "[tool.pyshim]\nshared = [\n  \"ai\",  # big\n  'ml', \"new\" # "
         "more\n]\n",
         NULL},
        {"trailing comma", "[tool.pyshim]\nshared = [\"a\",]\n", NULL, "b",
         "[tool.pyshim]\nshared = [\"a\", \"b\"]\n", NULL},
        {"empty array", "[tool.pyshim]\nshared = [ ]\n", NULL, "b",
         "[tool.pyshim]\nshared = [\"b\" ]\n", NULL},
        {"nothing to change", "[tool.pyshim]\npython = \"3.12\"\n", "3.12",
         NULL, "[tool.pyshim]\npython = \"3.12\"\n", NULL},
        {"BOM kept", "\xef\xbb\xbf[project]\n", "3.12", NULL,
         "\xef\xbb\xbf[project]\n\n[tool.pyshim]\npython = \"3.12\"\n", NULL},
        {"inline table", "tool.pyshim = {mode = \"exec\"}\n", "3.12", NULL,
         NULL, "is not written as a [tool.pyshim] table"},
        {"multi-line python", "[tool.pyshim]\npython = \"\"\"3.11\"\"\"\n",
         "3.12", NULL, NULL, "not a one-line string"},
        {"shared a string", "[tool.pyshim]\nshared = \"ai\"\n", NULL, "b", NULL,
         "\"shared\" is not an array"},
        {"a path needs trust", "", "/usr/bin/python3", NULL, NULL,
         "would need trust"},
        {"broken file", "[a\n", "3.12", NULL, NULL, "/p/pyproject.toml:1:"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct sb out = SB_INIT, sum = SB_INIT;
        struct sv shared = SV_INIT;
        struct err e = ERR_INIT;
        int ret;

        if (cases[i].shared) {
            char *dup = strdup(cases[i].shared), *tok, *save = NULL;

            for (tok = strtok_r(dup, ",", &save); tok;
                 tok = strtok_r(NULL, ",", &save))
                sv_push(&shared, tok);
            free(dup);
        }
        ret = pyproject_edit("/p/pyproject.toml", cases[i].text,
                             strlen(cases[i].text), cases[i].python, &shared,
                             "/home/u", &out, &sum, &e);
        if (cases[i].want) {
            if (ret)
                fail_msg("case '%s': %s", cases[i].name, e.msg);
            if (strcmp(out.buf, cases[i].want))
                fail_msg("case '%s': got\n%s\nwant\n%s", cases[i].name, out.buf,
                         cases[i].want);
        } else if (!ret || !e.msg || !strstr(e.msg, cases[i].err)) {
            fail_msg("case '%s': '%s', want '%s'", cases[i].name,
                     e.msg ? e.msg : "(none)", cases[i].err);
        }
        sb_release(&out);
        sb_release(&sum);
        sv_release(&shared);
        err_release(&e);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pyproject_parse__table),
        cmocka_unit_test(test_pyproject_edit__keeps_every_other_byte),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
