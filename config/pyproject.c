/*
 * pyproject: requires-python and [tool.pyshim] (config/pyproject.h).
 */
#include "config/pyproject.h"

#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/xalloc.h"
#include "config/toml.h"
#include "config/trust.h"
#include "common/banned.h"

static int requires_python(struct pyproject *pp, const char *file,
                           const struct toml *root, struct err *e)
{
    const struct toml *rp =
        toml_get(toml_get(root, "project"), "requires-python");

    if (!rp)
        return 0;
    if (rp->type != TOML_STRING) {
        err_set(
            e, PYSHIM_EXIT_CONFIG,
            "%s:%zu:%zu: [project] requires-python must be a string, not %s",
            file, rp->line, rp->col, toml_type_name(rp));
        return err_hint(e, "write requires-python = \">=3.10\"");
    }
    if (pyspec_parse(&pp->spec, rp->str, e) < 0)
        return err_prefix(e, "%s:%zu:%zu: [project] requires-python = \"%s\": ",
                          file, rp->line, rp->col, rp->str);
    pp->requires_python = xstrdup(rp->str);
    pp->rp_line = rp->line;
    return 0;
}

int pyproject_parse(struct pyproject *pp, struct cfg *c, const char *file,
                    const char *text, size_t len, const char *home,
                    struct err *e)
{
    struct toml *root = toml_parse(file, text, len, e);
    const struct toml *tool;
    int ret = -1;

    if (!root)
        return -1;
    if (requires_python(pp, file, root, e) < 0)
        goto out;
    tool = toml_get(toml_get(root, "tool"), "pyshim");
    if (tool) {
        pp->has_tool = 1;
        if (c && cfg_parse_toml(c, file, tool, home, e) < 0)
            goto out;
    }
    ret = 0;
out:
    toml_free(root);
    return ret;
}

void pyproject_release(struct pyproject *pp)
{
    free(pp->requires_python);
    pyspec_release(&pp->spec);
    memset(pp, 0, sizeof(*pp));
}

/* ---- editing: pyproject_edit ---- */

struct edit {
    const char *file, *text; /* text without a BOM */
    size_t len;
    const char *nl; /* "\n" or "\r\n", as the file has it */
    struct err *e;
};

static int edit_by_hand(struct edit *ed, size_t line, const char *what)
{
    err_set(
        ed->e, PYSHIM_EXIT_CONFIG,
        "%s:%zu: %s: pyshim edits only a [tool.pyshim] table with one-line values",
        ed->file, line, what);
    return err_hint(
        ed->e,
        "edit the file by hand, or run `pyshim init` without --pyproject");
}

/* Offset just past the end of the line holding off. */
static size_t line_end(const struct edit *ed, size_t off)
{
    while (off < ed->len && ed->text[off] != '\n')
        off++;
    return off < ed->len ? off + 1 : off;
}

/* The span of the one-line string value of the key at k: [*a, *b). */
static int value_span(struct edit *ed, const struct toml *k, size_t *a,
                      size_t *b)
{
    size_t i = k->off;
    char q;

    while (i < ed->len && ed->text[i] != '=' && ed->text[i] != '\n')
        i++;
    if (i >= ed->len || ed->text[i] != '=')
        return edit_by_hand(ed, k->line,
                            "\"python\" is written as a dotted key");
    i++;
    while (i < ed->len && (ed->text[i] == ' ' || ed->text[i] == '\t'))
        i++;
    q = i < ed->len ? ed->text[i] : 0;
    if ((q != '"' && q != '\'') ||
        (ed->len - i >= 3 && ed->text[i + 1] == q && ed->text[i + 2] == q))
        return edit_by_hand(ed, k->line, "\"python\" is not a one-line string");
    *a = i++;
    while (i < ed->len && ed->text[i] != q && ed->text[i] != '\n')
        i += q == '"' && ed->text[i] == '\\' ? 2 : 1;
    if (i >= ed->len || ed->text[i] != q)
        return edit_by_hand(ed, k->line, "\"python\" is not a one-line string");
    *b = i + 1;
    return 0;
}

/* Skip a string starting at i (any of the four kinds). */
static size_t skip_string(const struct edit *ed, size_t i)
{
    char q = ed->text[i];
    int ml = ed->len - i >= 3 && ed->text[i + 1] == q && ed->text[i + 2] == q;

    i += ml ? 3 : 1;
    while (i < ed->len) {
        if (q == '"' && ed->text[i] == '\\') {
            i += 2;
            continue;
        }
        if (ed->text[i] == q &&
            (!ml || (ed->len - i >= 3 && ed->text[i + 1] == q &&
                     ed->text[i + 2] == q))) {
            i += ml ? 3 : 1;
            while (ml && i < ed->len && ed->text[i] == q)
                i++; /* up to two quotes before the closing ones */
            return i;
        }
        i++;
    }
    return i;
}

/* The offset just past the last item (or the '[') of the array value of
 * the key at k: where new entries go. The parser accepted the text, so
 * the scan only needs to skip strings and comments. */
static size_t array_tail(const struct edit *ed, const struct toml *k)
{
    size_t i = k->off, last = 0;
    int depth = 0;

    while (i < ed->len && ed->text[i] != '[')
        i++;
    while (i < ed->len) {
        char c = ed->text[i];

        if (c == '"' || c == '\'') {
            i = skip_string(ed, i);
            last = i;
            continue;
        }
        if (c == '#') {
            while (i < ed->len && ed->text[i] != '\n')
                i++;
            continue;
        }
        if (c == '[' || c == '{')
            depth++;
        if (c == ']' || c == '}')
            depth--;
        if (!depth)
            return last;
        if (!strchr(" \t\r\n", c))
            last = i + 1;
        i++;
    }
    return last;
}

static void add_basic(struct sb *out, const char *s)
{
    sb_addch(out, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            sb_addch(out, '\\');
        sb_addch(out, *s);
    }
    sb_addch(out, '"');
}

struct insert {
    size_t at;
    struct sb text;
};

static int has_entry(const struct toml *arr, const char *v)
{
    const struct toml *c;

    for (c = arr ? arr->child : NULL; c; c = c->next)
        if (c->type == TOML_STRING && !strcmp(c->str, v))
            return 1;
    return 0;
}

/* The new entries of shared as insertion ins (at == len: none). */
static int shared_insert(struct edit *ed, const struct toml *tool,
                         const struct sv *add, size_t under, struct insert *ins,
                         struct sb *sum)
{
    const struct toml *arr = toml_get(tool, "shared");
    struct sb items = SB_INIT;
    size_t i;

    if (arr && arr->type != TOML_ARRAY)
        return edit_by_hand(ed, arr->line, "\"shared\" is not an array");
    for (i = 0; add && i < add->nr; i++) {
        if (has_entry(arr, add->v[i]))
            continue;
        if (items.len)
            sb_addstr(&items, ", ");
        add_basic(&items, add->v[i]);
        sb_addf(sum, "%sshared += \"%s\"", sum->len ? ", " : "", add->v[i]);
    }
    if (!items.len) {
        sb_release(&items);
        return 0;
    }
    if (!arr) {
        ins->at = under;
        sb_addf(&ins->text, "shared = [%s]%s", items.buf, ed->nl);
    } else {
        char prev;

        ins->at = array_tail(ed, arr);
        prev = ins->at ? ed->text[ins->at - 1] : '[';
        sb_addstr(&ins->text, prev == '[' ? "" : prev == ',' ? " " : ", ");
        sb_addstr(&ins->text, items.buf);
    }
    sb_release(&items);
    return 0;
}

/* Apply up to two edits (sorted) to ed's text into out. */
static void splice(const struct edit *ed, struct insert *a, struct insert *b,
                   size_t repl_a, size_t repl_b, struct sb *out)
{
    /* a: the python edit (replaces [a->at, repl_b) when repl_a), b: the
     * shared insertion */
    size_t pos = 0;
    struct insert *first = a, *second = b;
    size_t first_end, second_end;

    if (b->at < a->at) {
        first = b;
        second = a;
    }
    first_end = first == a && repl_a ? repl_b : first->at;
    second_end = second == a && repl_a ? repl_b : second->at;
    sb_add(out, ed->text + pos, first->at - pos);
    sb_add(out, first->text.buf, first->text.len);
    pos = first_end;
    sb_add(out, ed->text + pos, second->at - pos);
    sb_add(out, second->text.buf, second->text.len);
    pos = second_end;
    sb_add(out, ed->text + pos, ed->len - pos);
}

/* The parsed result must read back as asked and need no trust. */
static int check_result(const char *file, const struct sb *out,
                        const char *home, struct err *e)
{
    struct pyproject pp = PYPROJECT_INIT;
    struct cfg c = CFG_INIT;
    char *why = NULL;
    int ret = -1;

    if (pyproject_parse(&pp, &c, file, out->buf, out->len, home, e) < 0) {
        err_prefix(e, "the edit would break the file: ");
        goto out;
    }
    why = trust_needed(&c);
    if (why) {
        err_set(
            e, PYSHIM_EXIT_NOPERM,
            "'%s' [tool.pyshim] would need trust (%s), which pyproject.toml may not hold",
            file, why);
        err_hint(
            e,
            "write a version and names of shared envs, or use a .pyshim.json (`pyshim init` without --pyproject)");
        goto out;
    }
    ret = 0;
out:
    free(why);
    cfg_release(&c);
    pyproject_release(&pp);
    return ret;
}

static void new_table(const struct edit *ed, const char *python,
                      const struct sv *add, struct sb *out, struct sb *sum)
{
    size_t i;

    sb_add(out, ed->text, ed->len);
    if (ed->len && ed->text[ed->len - 1] != '\n')
        sb_addstr(out, ed->nl);
    if (ed->len)
        sb_addstr(out, ed->nl);
    sb_addf(out, "[tool.pyshim]%s", ed->nl);
    if (python) {
        sb_addstr(out, "python = ");
        add_basic(out, python);
        sb_addstr(out, ed->nl);
        sb_addf(sum, "python = \"%s\"", python);
    }
    if (add && add->nr) {
        sb_addstr(out, "shared = [");
        for (i = 0; i < add->nr; i++) {
            if (i)
                sb_addstr(out, ", ");
            add_basic(out, add->v[i]);
            sb_addf(sum, "%sshared += \"%s\"", sum->len ? ", " : "", add->v[i]);
        }
        sb_addf(out, "]%s", ed->nl);
    }
}

int pyproject_edit(const char *file, const char *text, size_t len,
                   const char *python, const struct sv *shared_add,
                   const char *home, struct sb *out, struct sb *summary,
                   struct err *e)
{
    struct edit ed = {file, text, len, "\n", e};
    struct insert py = {0, SB_INIT}, sh = {0, SB_INIT};
    size_t bom = len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3) ? 3 : 0;
    size_t repl_a = 0, repl_b = 0, under;
    struct toml *root;
    const struct toml *tool, *k;
    int ret = -1;

    sb_reset(out);
    sb_reset(summary);
    ed.text += bom;
    ed.len -= bom;
    for (under = 0; under + 1 < ed.len; under++)
        if (ed.text[under] == '\r' && ed.text[under + 1] == '\n') {
            ed.nl = "\r\n";
            break;
        }
    root = toml_parse(file, text, len, e);
    if (!root)
        return -1;
    sb_add(out, text, bom);
    tool = toml_get(toml_get(root, "tool"), "pyshim");
    if (!tool) {
        new_table(&ed, python, shared_add, out, summary);
        goto check;
    }
    if (tool->type != TOML_TABLE || !tool->header) {
        edit_by_hand(&ed, tool->line,
                     "[tool.pyshim] is not written as a [tool.pyshim] table");
        goto out;
    }
    under = line_end(&ed, tool->off);
    py.at = sh.at = ed.len;
    k = toml_get(tool, "python");
    if (python && k && k->type == TOML_STRING && !strcmp(k->str, python))
        python = NULL; /* already so */
    if (python && k) {
        if (k->type != TOML_STRING || value_span(&ed, k, &py.at, &repl_b) < 0) {
            if (k->type != TOML_STRING)
                edit_by_hand(&ed, k->line, "\"python\" is not a string");
            goto out;
        }
        repl_a = 1;
        add_basic(&py.text, python);
    } else if (python) {
        py.at = under;
        sb_addstr(&py.text, "python = ");
        add_basic(&py.text, python);
        sb_addstr(&py.text, ed.nl);
    }
    if (python)
        sb_addf(summary, "python = \"%s\"", python);
    if (shared_insert(&ed, tool, shared_add, under, &sh, summary) < 0)
        goto out;
    splice(&ed, &py, &sh, repl_a, repl_b, out);
check:
    if (check_result(file, out, home, e) < 0)
        goto out;
    ret = 0;
out:
    toml_free(root);
    sb_release(&py.text);
    sb_release(&sh.text);
    return ret;
}
