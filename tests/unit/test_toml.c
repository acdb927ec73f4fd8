/* Unit tests for config/toml.h: a table of documents, each dumped in a
 * compact canonical form, or the error it must give. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sb.h"
#include "config/toml.h"
#include "tests/unit/testutil.h"

static void dump(const struct toml *t, struct sb *out)
{
    const struct toml *c;
    const char *s;

    switch (t->type) {
    case TOML_TABLE:
    case TOML_ARRAY:
        sb_addch(out, t->type == TOML_TABLE ? '{' : '[');
        for (c = t->child; c; c = c->next) {
            if (c != t->child)
                sb_addch(out, ',');
            if (t->type == TOML_TABLE)
                sb_addf(out, "%s=", c->key);
            dump(c, out);
        }
        sb_addch(out, t->type == TOML_TABLE ? '}' : ']');
        break;
    case TOML_STRING:
        sb_addch(out, '"');
        for (s = t->str; *s; s++) {
            if (*s == '\n')
                sb_addstr(out, "\\n");
            else if (*s == '\t')
                sb_addstr(out, "\\t");
            else
                sb_addch(out, *s);
        }
        sb_addch(out, '"');
        break;
    case TOML_INT:
        sb_addf(out, "%lld", t->num);
        break;
    case TOML_BOOL:
        sb_addstr(out, t->num ? "true" : "false");
        break;
    default:
        sb_addf(out, "~%s", t->str);
    }
}

static const struct {
    const char *name, *text;
    const char *want; /* NULL: an error holding err */
    const char *err;
} cases[] = {
    {"empty", "", "{}", NULL},
    {"comments only", "# a\n\n  # b\r\n", "{}", NULL},
    {"pyproject",
     "[project]\nname = \"x\"\nrequires-python = \">=3.12\"\n"
     "dependencies = [\n  \"a>=1\",  # why\n  'b',\n]\n\n"
     "[tool.pyshim]\nshared = [\"ai\"]\n",
     "{project={name=\"x\",requires-python=\">=3.12\",dependencies=[\"a>=1\","
     "\"b\"]},tool={pyshim={shared=[\"ai\"]}}}",
     NULL},
    {"dotted keys", "a.b = 1\na.c = 2\n\"q k\".'l' = true\n",
     "{a={b=1,c=2},q k={l=true}}", NULL},
    {"dotted key with blanks", "a . b=1", "{a={b=1}}", NULL},
    {"inline table", "t = { x = 1, y.z = \"s\" }\n", "{t={x=1,y={z=\"s\"}}}",
     NULL},
    {"empty inline and array", "t = {}\na = []\n", "{t={},a=[]}", NULL},
    {"nested arrays", "a = [[1, 2], [\"x\"], []]", "{a=[[1,2],[\"x\"],[]]}",
     NULL},
    {"integers",
     "a = +17\nb = -5\nc = 1_000\nd = 0xff\ne = 0o17\nf = 0b101\n"
     "g = 0\nh = -9223372036854775808",
     "{a=17,b=-5,c=1000,d=255,e=15,f=5,g=0,h=-9223372036854775808}", NULL},
    {"floats and dates kept as text",
     "f = 1.5\ng = -1e3\nh = inf\nd = 1979-05-27\nt = 1979-05-27 07:32:00Z\n",
     "{f=~1.5,g=~-1e3,h=~inf,d=~1979-05-27,t=~1979-05-27 07:32:00Z}", NULL},
    {"escapes", "s = \"a\\tb\\n\\\"\\\\\\u00e9\\U0001F600\"",
     "{s=\"a\\tb\\n\"\\\xc3\xa9\xf0\x9f\x98\x80\"}", NULL},
    {"literal string", "s = 'C:\\x\\y'", "{s=\"C:\\x\\y\"}", NULL},
    {"multi-line basic", "s = \"\"\"\none\ntwo \\\n    three\"\"\"",
     "{s=\"one\\ntwo three\"}", NULL},
    {"multi-line closing quotes", "s = \"\"\"a\"\"\"\"\"", "{s=\"a\"\"\"}",
     NULL},
    {"multi-line literal", "s = '''\nx\\n\n'''", "{s=\"x\\n\\n\"}", NULL},
    {"tables and sub-tables", "[a.b]\nx = 1\n[a]\ny = 2\n[a.c]\n",
     "{a={b={x=1},y=2,c={}}}", NULL},
    {"array of tables", "[[t]]\nn = 1\n[[t]]\nn = 2\n[t.sub]\nk = 3\n",
     "{t=[{n=1},{n=2,sub={k=3}}]}", NULL},
    {"sub-table of a dotted table", "[f]\napple.color = 1\n[f.apple.tex]\n",
     "{f={apple={color=1,tex={}}}}", NULL},
    {"BOM",
     "\xef\xbb\xbf"
     "a = 1",
     "{a=1}", NULL},
    {"CRLF", "a = 1\r\n[b]\r\nc = 'x'\r\n", "{a=1,b={c=\"x\"}}", NULL},

    {"duplicate key", "a = 1\nb = 2\na = 3\n", NULL,
     ":3:1: key 'a' is defined twice"},
    {"duplicate table", "[a]\n[b]\n[a]\n", NULL,
     ":3:1: table [a] is defined twice"},
    {"table over a value", "a = 1\n[a.b]\n", NULL, "'a' is already an integer"},
    {"dotted over a value", "a = 1\na.b = 2\n", NULL,
     "already defined as an integer"},
    {"extend inline table", "a = {x = 1}\na.y = 2\n", NULL,
     "cannot be extended"},
    {"header over inline table", "a = {x = 1}\n[a.y]\n", NULL,
     "'a' is already a table"},
    {"redefine dotted table", "[f]\napple.c = 1\n[f.apple]\n", NULL,
     "defined twice"},
    {"dotted into header table", "[a.b]\n[a]\nb.c = 1\n", NULL,
     "cannot be extended"},
    {"aot over table", "[a]\n[[a]]\n", NULL, "already a table"},
    {"bare value", "a = yes\n", NULL, "'yes' is not a TOML value"},
    {"no value", "a =\n", NULL, "expected a value"},
    {"a long bad value is cut in the message",
     "a = yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", NULL,
     "'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy...' is not a TOML value"},
    {"no value at end", "a = ", NULL, "expected a value, found the end"},
    {"no equals", "a 1\n", NULL, "expected '=' after key 'a'"},
    {"two on a line", "a = 1 b = 2\n", NULL,
     ":1:7: expected the end of the line"},
    {"open string", "a = \"x\nb = 1\n", NULL, ":1:5: a string is not closed"},
    {"open multi-line", "a = '''x\n", NULL, "not closed"},
    {"bad escape", "a = \"\\q\"", NULL, "unknown escape"},
    {"short unicode escape", "a = \"\\u12\"", NULL, "needs 4 hex digits"},
    {"surrogate escape", "a = \"\\uD800\"", NULL, "not a Unicode scalar"},
    {"NUL escape", "a = \"\\u0000\"", NULL, "NUL"},
    {"control char", "a = \"x\x01y\"", NULL, "control character"},
    {"control in comment", "# x\x7f\n", NULL, "control character"},
    {"lone CR", "a = 1\rb = 2", NULL, "end of the line"},
    {"invalid UTF-8", "a = \"\xc3\x28\"", NULL, "not valid UTF-8"},
    {"overlong UTF-8", "a = \"\xc0\xaf\"", NULL, "not valid UTF-8"},
    {"too large", "a = 9223372036854775808", NULL, "too large"},
    {"double underscore", "a = 1__0", NULL, "not a TOML value"},
    {"float without fraction", "a = 1.", NULL, "not a TOML value"},
    {"leading zero", "a = 007", NULL, "not a TOML value"},
    {"trailing comma in inline", "a = {x = 1,}", NULL, "no trailing comma"},
    {"newline in inline", "a = {x = 1,\ny = 2}", NULL, "expected a key"},
    {"unclosed array", "a = [1, 2\n", NULL, "expected ',' or ']'"},
    {"unclosed header", "[a\n", NULL, "to close the table header"},
    {"multi-line key", "\"\"\"a\"\"\" = 1", NULL, "multi-line"},
    {"too deep",
     "a = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
     "1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
     NULL, "nested more than 64"},
};

static void test_toml_parse__table(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct err e = ERR_INIT;
        struct sb got = SB_INIT;
        struct toml *t = toml_parse("/p/pyproject.toml", cases[i].text,
                                    strlen(cases[i].text), &e);

        if (cases[i].want) {
            if (!t)
                fail_msg("case '%s': %s", cases[i].name, e.msg);
            dump(t, &got);
            if (strcmp(got.buf, cases[i].want))
                fail_msg("case '%s': got %s, want %s", cases[i].name, got.buf,
                         cases[i].want);
        } else {
            if (t)
                fail_msg("case '%s': parsed, want an error", cases[i].name);
            if (!e.msg || !strstr(e.msg, cases[i].err) ||
                strncmp(e.msg, "/p/pyproject.toml:", 18) || !e.hint)
                fail_msg("case '%s': error '%s', want '%s'", cases[i].name,
                         e.msg ? e.msg : "(none)", cases[i].err);
        }
        toml_free(t);
        sb_release(&got);
        err_release(&e);
    }
}

static void test_toml_get__lines(void **state)
{
    static const char text[] = "[project]\nname = 'x'\n\n[tool.pyshim]\n"
                               "  python = \"3.12\"\n";
    struct err e = ERR_INIT;
    struct toml *t = toml_parse("f", text, strlen(text), &e);
    const struct toml *py;

    (void)state;
    assert_non_null(t);
    py = toml_get(toml_get(toml_get(t, "tool"), "pyshim"), "python");
    assert_non_null(py);
    assert_int_equal(py->type, TOML_STRING);
    assert_int_equal(py->line, 5);
    assert_int_equal(py->col, 3);
    assert_null(toml_get(t, "nope"));
    assert_null(toml_get(py, "x"));
    toml_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_toml_parse__table),
        cmocka_unit_test(test_toml_get__lines),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
