/*
 * pyspec: PEP 440 version specifiers (config/pyspec.h).
 */
#include "config/pyspec.h"

#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/xalloc.h"
#include "common/banned.h"

static const char hint[] =
    "write release numbers with ==, !=, <=, >=, <, >, ~= and commas, e.g. \">=3.10\" or \">=3.9, <3.13\" (PEP 440)";

static void skip_blank(const char **p)
{
    while (**p == ' ' || **p == '\t')
        (*p)++;
}

static int read_op(const char **p, enum pyspec_op *op)
{
    static const struct {
        const char *text;
        enum pyspec_op op;
    } ops[] = {{"===", -1},       {"==", PYSPEC_EQ}, {"!=", PYSPEC_NE},
               {"<=", PYSPEC_LE}, {">=", PYSPEC_GE}, {"~=", PYSPEC_COMPAT},
               {"<", PYSPEC_LT},  {">", PYSPEC_GT}};
    size_t i;

    for (i = 0; i < sizeof(ops) / sizeof(*ops); i++) {
        size_t n = strlen(ops[i].text);

        if (!strncmp(*p, ops[i].text, n)) {
            *p += n;
            *op = ops[i].op;
            return (int)ops[i].op < 0 ? -2 : 0;
        }
    }
    return -1;
}

/* One clause from *p up to a comma or the end. */
static int clause(const char **p, struct pyspec_clause *c, struct err *e)
{
    const char *start;

    skip_blank(p);
    start = *p;
    if (!*start || *start == ',') {
        err_set(e, PYSHIM_EXIT_CONFIG, "a clause is empty (a stray comma?)");
        return err_hint(e, "%s", hint);
    }
    switch (read_op(p, &c->op)) {
    case -2:
        err_set(e, PYSHIM_EXIT_CONFIG,
                "'===' (arbitrary equality) is not supported");
        return err_hint(e, "%s", hint);
    case -1:
        err_set(e, PYSHIM_EXIT_CONFIG,
                "'%s' does not start with a comparison operator", start);
        return err_hint(e, "%s", hint);
    }
    skip_blank(p);
    for (;;) {
        long v = 0;

        if (**p < '0' || **p > '9') {
            if (**p == '*' && c->nparts &&
                (c->op == PYSPEC_EQ || c->op == PYSPEC_NE)) {
                c->wildcard = 1;
                (*p)++;
                break;
            }
            err_set(e, PYSHIM_EXIT_CONFIG, "expected a release number at '%s'",
                    *p);
            return err_hint(e, "%s", hint);
        }
        if (c->nparts == PYSPEC_MAX_PARTS) {
            err_set(e, PYSHIM_EXIT_CONFIG, "a version of more than %d parts",
                    PYSPEC_MAX_PARTS);
            return err_hint(e, "%s", hint);
        }
        while (**p >= '0' && **p <= '9') {
            if (v > 99999999) {
                err_set(e, PYSHIM_EXIT_CONFIG, "a version number too large");
                return err_hint(e, "%s", hint);
            }
            v = v * 10 + (**p - '0');
            (*p)++;
        }
        c->part[c->nparts++] = v;
        if (**p != '.')
            break;
        (*p)++;
    }
    skip_blank(p);
    if (**p && **p != ',') {
        err_set(
            e, PYSHIM_EXIT_CONFIG,
            "unexpected '%s' in a version (pre-, post- and dev-releases and local versions are not supported)",
            *p);
        return err_hint(e, "%s", hint);
    }
    if (c->op == PYSPEC_COMPAT && c->nparts < 2) {
        err_set(e, PYSHIM_EXIT_CONFIG, "'~=' needs at least two parts");
        return err_hint(e, "write \"~=3.12\" (>=3.12, ==3.*)");
    }
    return 0;
}

int pyspec_parse(struct pyspec *s, const char *text, struct err *e)
{
    const char *p = text;
    size_t alloc = 0;

    skip_blank(&p);
    if (!*p) {
        err_set(e, PYSHIM_EXIT_CONFIG, "the specifier is empty");
        return err_hint(e, "%s", hint);
    }
    for (;;) {
        struct pyspec_clause c;

        memset(&c, 0, sizeof(c));
        if (clause(&p, &c, e) < 0) {
            pyspec_release(s);
            return -1;
        }
        if (s->nr == alloc) {
            alloc = alloc ? alloc * 2 : 4;
            s->c = xrealloc(s->c, alloc * sizeof(*s->c));
        }
        s->c[s->nr++] = c;
        if (!*p)
            return 0;
        p++; /* the comma */
    }
}

void pyspec_release(struct pyspec *s)
{
    free(s->c);
    s->c = NULL;
    s->nr = 0;
}

/* v's parts against the clause's first n, padded with zeros. */
static int cmp_parts(const long *v, const struct pyspec_clause *c, int n)
{
    int k;

    for (k = 0; k < n; k++) {
        long a = k < 3 ? v[k] : 0, b = k < c->nparts ? c->part[k] : 0;

        if (a != b)
            return a < b ? -1 : 1;
    }
    return 0;
}

static int clause_match(const struct pyspec_clause *c, const long *v)
{
    int n = c->nparts > 3 ? c->nparts : 3;
    int cmp = cmp_parts(v, c, n);

    switch (c->op) {
    case PYSPEC_EQ:
        return c->wildcard ? !cmp_parts(v, c, c->nparts) : !cmp;
    case PYSPEC_NE:
        return c->wildcard ? !!cmp_parts(v, c, c->nparts) : !!cmp;
    case PYSPEC_LE:
        return cmp <= 0;
    case PYSPEC_GE:
        return cmp >= 0;
    case PYSPEC_LT:
        return cmp < 0;
    case PYSPEC_GT:
        return cmp > 0;
    default: /* ~=X.Y.Z: >= it, and == X.Y.* */
        return cmp >= 0 && !cmp_parts(v, c, c->nparts - 1);
    }
}

static int all_match(const struct pyspec *s, const long *v)
{
    size_t i;

    for (i = 0; i < s->nr; i++)
        if (!clause_match(&s->c[i], v))
            return 0;
    return 1;
}

int pyspec_match(const struct pyspec *s, const struct pyver *v)
{
    long lo[3] = {v->major, v->minor < 0 ? 0 : v->minor, 0};
    long hi[3] = {v->major, v->minor < 0 ? 0 : v->minor, 999999999};
    int a, b;

    if (v->micro >= 0)
        return all_match(s, (lo[2] = v->micro, lo));
    a = all_match(s, lo);
    b = all_match(s, hi);
    return a == b ? a : -1;
}
