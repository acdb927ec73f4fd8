/*
 * toml: a small strict TOML 1.0 reader (config/toml.h).
 *
 * One pass over the text, no recursion but for arrays and inline tables
 * (capped at TOML_MAX_DEPTH). The keys of every table are also kept in one
 * hash index (parent, key), so a file of many keys stays linear: the shim
 * reads pyproject.toml on the way to python, and a huge one must not make
 * `python` slow.
 *
 * Over 600 lines: a TOML reader is one grammar (strings in four kinds,
 * numbers, dates, arrays, tables, dotted keys); split, its helpers would
 * need a private header shared by every part.
 */
#include "config/toml.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/sb.h"
#include "common/sv.h"
#include "common/xalloc.h"
#include "common/banned.h"

enum {
    F_DEFINED = 1,  /* a [header] defined it */
    F_IMPLICIT = 2, /* made as the parent of a [header]; may be defined once */
    F_DOTTED = 4,   /* made by a dotted key in the current table */
    F_INLINE = 8,   /* an inline table or a static array: closed */
    F_AOT = 16      /* an array of tables ([[header]]) */
};

struct slot {
    const struct toml *parent;
    struct toml *node;
};

struct tp {
    const char *file, *s;
    size_t len, i, line, line_start;
    struct err *e;
    struct toml *root;
    struct slot *idx; /* open addressing; cap a power of two */
    size_t cap, used;
};

static int fail_at(struct tp *p, size_t off, const char *hint, const char *fmt,
                   ...) __attribute__((format(printf, 4, 5)));

static int fail_at(struct tp *p, size_t off, const char *hint, const char *fmt,
                   ...)
{
    struct sb msg = SB_INIT;
    size_t line = 1, start = 0, k, col = 1;
    va_list ap;

    if (p->e && p->e->msg)
        return -1; /* the first error is the one that counts */
    for (k = 0; k < off && k < p->len; k++)
        if (p->s[k] == '\n') {
            line++;
            start = k + 1;
        }
    for (k = start; k < off && k < p->len; k++)
        if (((unsigned char)p->s[k] & 0xc0) != 0x80)
            col++;
    va_start(ap, fmt);
    sb_vaddf(&msg, fmt, ap);
    va_end(ap);
    err_set(p->e, PYSHIM_EXIT_CONFIG, "%s:%zu:%zu: %s", p->file, line, col,
            msg.buf);
    err_hint(p->e, "%s",
             hint ? hint : "fix the TOML there (https://toml.io/en/v1.0.0)");
    sb_release(&msg);
    return -1;
}

#define fail(p, ...) fail_at((p), (p)->i, NULL, __VA_ARGS__)

const char *toml_type_name(const struct toml *t)
{
    switch (t->type) {
    case TOML_TABLE:
        return "a table";
    case TOML_ARRAY:
        return "an array";
    case TOML_STRING:
        return "a string";
    case TOML_INT:
        return "an integer";
    case TOML_BOOL:
        return "a boolean";
    default:
        return "a float or date";
    }
}

/* ---- the node index ---- */

static size_t slot_hash(const struct toml *parent, const char *key)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)(uintptr_t)parent;

    for (; *key; key++)
        h = (h ^ (unsigned char)*key) * 1099511628211ull;
    return (size_t)(h ^ (h >> 29));
}

static struct toml *find(struct tp *p, const struct toml *parent,
                         const char *key)
{
    size_t h;

    if (!p->cap)
        return NULL;
    for (h = slot_hash(parent, key) & (p->cap - 1); p->idx[h].node;
         h = (h + 1) & (p->cap - 1))
        if (p->idx[h].parent == parent && !strcmp(p->idx[h].node->key, key))
            return p->idx[h].node;
    return NULL;
}

static void index_add(struct tp *p, const struct toml *parent,
                      struct toml *node)
{
    size_t h, k;

    if ((p->used + 1) * 2 > p->cap) {
        struct slot *old = p->idx;
        size_t oldcap = p->cap;

        p->cap = p->cap ? p->cap * 2 : 64;
        p->idx = xcalloc(p->cap, sizeof(*p->idx));
        p->used = 0;
        for (k = 0; k < oldcap; k++)
            if (old[k].node)
                index_add(p, old[k].parent, old[k].node);
        free(old);
    }
    for (h = slot_hash(parent, node->key) & (p->cap - 1); p->idx[h].node;
         h = (h + 1) & (p->cap - 1))
        ;
    p->idx[h].parent = parent;
    p->idx[h].node = node;
    p->used++;
}

static struct toml *new_node(struct tp *p, enum toml_type type, size_t off)
{
    struct toml *t = xcalloc(1, sizeof(*t));

    t->type = type;
    t->line = p->line;
    t->col = off >= p->line_start ? off - p->line_start + 1 : 1;
    t->off = off;
    return t;
}

static void append(struct toml *parent, struct toml *child)
{
    if (parent->last)
        parent->last->next = child;
    else
        parent->child = child;
    parent->last = child;
}

/* A new entry key in table parent (the caller checked it is free). */
static struct toml *add_entry(struct tp *p, struct toml *parent,
                              const char *key, enum toml_type type, size_t off)
{
    struct toml *t = new_node(p, type, off);

    t->key = xstrdup(key);
    append(parent, t);
    index_add(p, parent, t);
    return t;
}

void toml_free(struct toml *t)
{
    while (t) {
        struct toml *next = t->next;

        toml_free(t->child);
        free(t->key);
        free(t->str);
        free(t);
        t = next;
    }
}

const struct toml *toml_get(const struct toml *t, const char *key)
{
    const struct toml *c;

    if (!t || t->type != TOML_TABLE)
        return NULL;
    for (c = t->child; c; c = c->next)
        if (!strcmp(c->key, key))
            return c;
    return NULL;
}

/* ---- characters ---- */

static int at_end(const struct tp *p)
{
    return p->i >= p->len;
}

static int peek(const struct tp *p)
{
    return at_end(p) ? -1 : (unsigned char)p->s[p->i];
}

static int starts(const struct tp *p, const char *lit)
{
    size_t n = strlen(lit);

    return p->len - p->i >= n && !memcmp(p->s + p->i, lit, n);
}

static void newline_seen(struct tp *p)
{
    p->line++;
    p->line_start = p->i;
}

static void skip_ws(struct tp *p)
{
    while (peek(p) == ' ' || peek(p) == '\t')
        p->i++;
}

/* A control character TOML allows nowhere but as tab (and in multi-line
 * strings, a newline). */
static int is_control(int c)
{
    return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f;
}

/* "#..." up to the end of the line, if there. */
static int skip_comment(struct tp *p)
{
    if (peek(p) != '#')
        return 0;
    while (!at_end(p) && peek(p) != '\n') {
        if (peek(p) == '\r' && p->i + 1 < p->len && p->s[p->i + 1] == '\n')
            break;
        if (is_control(peek(p)))
            return fail(p, "a comment holds a control character");
        p->i++;
    }
    return 0;
}

/* A newline (LF or CRLF) here: consumed, 1; else 0. */
static int eat_newline(struct tp *p)
{
    if (peek(p) == '\n') {
        p->i++;
        newline_seen(p);
        return 1;
    }
    if (starts(p, "\r\n")) {
        p->i += 2;
        newline_seen(p);
        return 1;
    }
    return 0;
}

/* After a key/value or a header: blanks, a comment, then the line ends. */
static int end_of_line(struct tp *p)
{
    skip_ws(p);
    if (skip_comment(p) < 0)
        return -1;
    if (at_end(p) || eat_newline(p))
        return 0;
    return fail(p, "expected the end of the line, found '%c'", peek(p));
}

/* Whitespace, newlines and comments (inside arrays). */
static int skip_ws_nl(struct tp *p)
{
    for (;;) {
        skip_ws(p);
        if (skip_comment(p) < 0)
            return -1;
        if (!eat_newline(p))
            return 0;
    }
}

static int valid_utf8(const struct tp *p, size_t *bad)
{
    const unsigned char *s = (const unsigned char *)p->s;
    size_t i = 0, n = p->len;

    while (i < n) {
        unsigned c = s[i];
        size_t need, k;
        uint32_t cp;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            cp = c & 0x07;
        } else {
            *bad = i;
            return 0;
        }
        if (n - i <= need) {
            *bad = i;
            return 0;
        }
        for (k = 1; k <= need; k++) {
            if ((s[i + k] & 0xc0) != 0x80) {
                *bad = i;
                return 0;
            }
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            *bad = i;
            return 0;
        }
        i += need + 1;
    }
    return 1;
}

static void add_utf8(struct sb *out, uint32_t cp)
{
    if (cp < 0x80) {
        sb_addch(out, (char)cp);
    } else if (cp < 0x800) {
        sb_addch(out, (char)(0xc0 | (cp >> 6)));
        sb_addch(out, (char)(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        sb_addch(out, (char)(0xe0 | (cp >> 12)));
        sb_addch(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
        sb_addch(out, (char)(0x80 | (cp & 0x3f)));
    } else {
        sb_addch(out, (char)(0xf0 | (cp >> 18)));
        sb_addch(out, (char)(0x80 | ((cp >> 12) & 0x3f)));
        sb_addch(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
        sb_addch(out, (char)(0x80 | (cp & 0x3f)));
    }
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* After a backslash in a basic string. */
static int escape(struct tp *p, struct sb *out)
{
    static const char from[] = "btnfr\"\\", to[] = "\b\t\n\f\r\"\\";
    const char *hit;
    int c = peek(p), n, k;
    uint32_t cp = 0;

    if (c > 0 && (hit = strchr(from, c)) != NULL) {
        sb_addch(out, to[hit - from]);
        p->i++;
        return 0;
    }
    if (c != 'u' && c != 'U')
        return fail_at(
            p, p->i - 1,
            "escapes are \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX; or use a 'literal string'",
            "unknown escape in a string");
    n = c == 'u' ? 4 : 8;
    p->i++;
    for (k = 0; k < n; k++) {
        int h = hexval(peek(p));

        if (h < 0)
            return fail(p, "\\%c needs %d hex digits", c, n);
        cp = cp * 16 + (uint32_t)h;
        p->i++;
    }
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return fail_at(p, p->i - (size_t)n - 2, NULL,
                       "\\%c escape is not a Unicode scalar value", c);
    if (!cp)
        return fail_at(p, p->i - (size_t)n - 2, NULL,
                       "a string may not hold a NUL character");
    add_utf8(out, cp);
    return 0;
}

/* A basic ("...") or literal ('...') one-line string; p at the quote. */
static int line_string(struct tp *p, struct sb *out)
{
    int q = peek(p);
    size_t start = p->i;

    p->i++;
    for (;;) {
        int c = peek(p);

        if (c < 0 || c == '\n' || (c == '\r' && starts(p, "\r\n")))
            return fail_at(p, start, NULL,
                           "a string is not closed on its line");
        if (c == q) {
            p->i++;
            return 0;
        }
        if (is_control(c))
            return fail(p, "a string holds a control character");
        p->i++;
        if (c == '\\' && q == '"') {
            if (escape(p, out) < 0)
                return -1;
            continue;
        }
        sb_addch(out, (char)c);
    }
}

/* After a backslash in a multi-line basic string: if only blanks follow
 * it on its line, skip them, the newline and all white space after (1). */
static int line_ending_backslash(struct tp *p)
{
    size_t save = p->i;

    skip_ws(p);
    if (!eat_newline(p)) {
        p->i = save;
        return 0;
    }
    for (;;) {
        skip_ws(p);
        if (!eat_newline(p))
            return 1;
    }
}

/* A multi-line string; p at the first of its three quotes. */
static int ml_string(struct tp *p, struct sb *out)
{
    int q = peek(p);
    size_t start = p->i;

    p->i += 3;
    eat_newline(p); /* a newline right after the opening is trimmed */
    for (;;) {
        int c = peek(p);

        if (c < 0)
            return fail_at(p, start, NULL, "a multi-line string is not closed");
        if (c == q && p->len - p->i >= 3 && p->s[p->i + 1] == q &&
            p->s[p->i + 2] == q) {
            size_t n = 3;

            while (p->i + n < p->len && p->s[p->i + n] == q)
                n++;
            if (n > 5)
                return fail(p, "too many quotes closing a multi-line string");
            sb_add(out, p->s + p->i, n - 3);
            p->i += n;
            return 0;
        }
        if (eat_newline(p)) {
            sb_addch(out, '\n');
            continue;
        }
        if (is_control(c))
            return fail(p, "a string holds a control character");
        p->i++;
        if (c != '\\' || q != '"') {
            sb_addch(out, (char)c);
            continue;
        }
        /* a backslash ending a line joins it to the next one */
        if (line_ending_backslash(p))
            continue;
        if (escape(p, out) < 0)
            return -1;
    }
}

static int any_string(struct tp *p, struct sb *out)
{
    if (starts(p, "\"\"\"") || starts(p, "'''"))
        return ml_string(p, out);
    return line_string(p, out);
}

static int is_bare(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* One key part: bare, "basic" or 'literal'. */
static int key_part(struct tp *p, struct sb *out)
{
    int c = peek(p);

    sb_reset(out);
    if (c == '"' || c == '\'') {
        if (starts(p, "\"\"\"") || starts(p, "'''"))
            return fail(p, "a key cannot be a multi-line string");
        if (line_string(p, out) < 0)
            return -1;
        if (strlen(out->buf) != out->len)
            return fail(p, "a key may not hold a NUL character");
        return 0;
    }
    if (c < 0)
        return fail(p, "expected a key, found the end of the file");
    if (!is_bare(c))
        return fail(p, "expected a key, found '%c'", c);
    while (is_bare(peek(p)))
        sb_addch(out, (char)p->s[p->i++]);
    return 0;
}

/* A dotted key: its parts into parts, the whole as written into full. */
static int read_key(struct tp *p, struct sv *parts, struct sb *full)
{
    struct sb part = SB_INIT;
    int ret = -1;

    sv_release(parts);
    sb_reset(full);
    for (;;) {
        if (key_part(p, &part) < 0)
            goto out;
        if (parts->nr >= TOML_MAX_DEPTH) {
            fail(p, "a key of more than %d parts", TOML_MAX_DEPTH);
            goto out;
        }
        sv_push(parts, part.buf);
        sb_addf(full, "%s%s", full->len ? "." : "", part.buf);
        skip_ws(p);
        if (peek(p) != '.')
            break;
        p->i++;
        skip_ws(p);
    }
    ret = 0;
out:
    sb_release(&part);
    return ret;
}

static int value(struct tp *p, struct toml *v, int depth);

/* The part of an integer after its sign / prefix: digits of base, single
 * '_' between digits. */
static int digits_ok(const char *s, size_t n, int base)
{
    size_t k;

    if (!n || s[0] == '_' || s[n - 1] == '_')
        return 0;
    for (k = 0; k < n; k++) {
        int h = hexval(s[k]);

        if (s[k] == '_') {
            if (s[k + 1] == '_')
                return 0;
            continue;
        }
        if (h < 0 || h >= base)
            return 0;
    }
    return 1;
}

static int to_int(const char *s, size_t n, int base, int neg, long long *out)
{
    unsigned long long v = 0, lim = neg ? (unsigned long long)LLONG_MAX + 1
                                        : (unsigned long long)LLONG_MAX;
    size_t k;

    for (k = 0; k < n; k++) {
        if (s[k] == '_')
            continue;
        if (v > (lim - (unsigned)hexval(s[k])) / (unsigned)base)
            return -1;
        v = v * (unsigned)base + (unsigned)hexval(s[k]);
    }
    *out = neg ? (long long)(0 - v) : (long long)v;
    return 0;
}

/* 1.5, 1e3, -0.5E-2, inf, nan (after the sign): TOML's float grammar. */
static int is_float(const char *s, size_t n)
{
    size_t k = 0, e;

    if (n == 3 && (!memcmp(s, "inf", 3) || !memcmp(s, "nan", 3)))
        return 1;
    while (k < n && s[k] != '.' && s[k] != 'e' && s[k] != 'E')
        k++;
    if (k == n || !digits_ok(s, k, 10) || (s[0] == '0' && k > 1))
        return 0;
    if (s[k] == '.') {
        e = ++k;
        while (k < n && s[k] != 'e' && s[k] != 'E')
            k++;
        if (!digits_ok(s + e, k - e, 10))
            return 0;
        if (k == n)
            return 1;
    }
    k++; /* the exponent */
    if (k < n && (s[k] == '+' || s[k] == '-'))
        k++;
    return digits_ok(s + k, n - k, 10);
}

/* A date, a time or both (1979-05-27, 07:32:00, 1979-05-27T07:32:00Z):
 * its shape and characters only. */
static int is_date(const char *s)
{
    size_t n = strlen(s), k;
    int date = n >= 10 && s[4] == '-' && s[7] == '-';
    int time = n >= 8 && s[2] == ':' && s[5] == ':';

    if (!date && !time)
        return 0;
    for (k = 0; k < n; k++)
        if (!strchr("0123456789-:.TtZz+ ", s[k]))
            return 0;
    return 1;
}

static int scalar_char(int c)
{
    return is_bare(c) || c == '+' || c == '.' || c == ':';
}

/* An integer, or a float / date kept as text. */
static int scalar(struct tp *p, struct toml *v)
{
    size_t start = p->i, n;
    const char *s = p->s + start;
    int base = 10, neg = 0;

    while (scalar_char(peek(p)))
        p->i++;
    /* "1979-05-27 07:32:00": a date, a space, a time */
    if (p->i - start == 10 && s[4] == '-' && peek(p) == ' ' &&
        p->i + 1 < p->len && p->s[p->i + 1] >= '0' && p->s[p->i + 1] <= '9') {
        p->i++;
        while (scalar_char(peek(p)))
            p->i++;
    }
    n = p->i - start;
    if (!n && at_end(p))
        return fail(p, "expected a value, found the end of the file");
    if (!n)
        return fail(p, "expected a value, found '%c'", peek(p));
    if (n == 4 && !memcmp(s, "true", 4)) {
        v->type = TOML_BOOL;
        v->num = 1;
        return 0;
    }
    if (n == 5 && !memcmp(s, "false", 5)) {
        v->type = TOML_BOOL;
        return 0;
    }
    v->str = xstrndup(s, n);
    if (n > 2 && s[0] == '0' && strchr("xob", s[1])) {
        base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
        s += 2;
        n -= 2;
    } else if (s[0] == '+' || s[0] == '-') {
        neg = s[0] == '-';
        s++;
        n--;
    }
    if (digits_ok(s, n, base) && (base != 10 || s[0] != '0' || n == 1)) {
        v->type = TOML_INT;
        if (to_int(s, n, base, neg, &v->num) < 0)
            return fail_at(p, start, NULL, "integer '%.40s%s' is too large",
                           v->str, strlen(v->str) > 40 ? "..." : "");
        return 0;
    }
    if (base == 10 && (is_float(s, n) || is_date(v->str))) {
        v->type = TOML_OTHER;
        return 0;
    }
    return fail_at(p, start,
                   "strings need quotes: \"...\"; booleans are true and false",
                   "'%.40s%s' is not a TOML value", v->str,
                   strlen(v->str) > 40 ? "..." : "");
}

static int array(struct tp *p, struct toml *v, int depth)
{
    v->type = TOML_ARRAY;
    v->flags |= F_INLINE;
    p->i++;
    for (;;) {
        struct toml *item;

        if (skip_ws_nl(p) < 0)
            return -1;
        if (peek(p) == ']') {
            p->i++;
            return 0;
        }
        item = new_node(p, TOML_STRING, p->i);
        append(v, item);
        if (value(p, item, depth + 1) < 0 || skip_ws_nl(p) < 0)
            return -1;
        if (peek(p) == ',') {
            p->i++;
            continue;
        }
        if (peek(p) == ']') {
            p->i++;
            return 0;
        }
        return fail(p, "expected ',' or ']' in an array");
    }
}

static int keyval(struct tp *p, struct toml *table, int depth);

static int inline_table(struct tp *p, struct toml *v, int depth)
{
    v->type = TOML_TABLE;
    p->i++;
    skip_ws(p);
    if (peek(p) == '}') {
        p->i++;
        v->flags |= F_INLINE;
        return 0;
    }
    for (;;) {
        skip_ws(p);
        if (keyval(p, v, depth + 1) < 0)
            return -1;
        skip_ws(p);
        if (peek(p) == ',') {
            p->i++;
            skip_ws(p);
            if (peek(p) == '}')
                return fail(p, "an inline table takes no trailing comma");
            continue;
        }
        if (peek(p) == '}') {
            p->i++;
            v->flags |= F_INLINE;
            return 0;
        }
        return fail(p, "expected ',' or '}' in an inline table (it must "
                       "stay on one line)");
    }
}

static int value(struct tp *p, struct toml *v, int depth)
{
    int c = peek(p);

    if (depth > TOML_MAX_DEPTH)
        return fail(p, "values nested more than %d deep", TOML_MAX_DEPTH);
    if (c == '"' || c == '\'') {
        struct sb s = SB_INIT;

        if (any_string(p, &s) < 0) {
            sb_release(&s);
            return -1;
        }
        v->type = TOML_STRING;
        v->str = sb_detach(&s, NULL);
        return 0;
    }
    if (c == '[')
        return array(p, v, depth);
    if (c == '{')
        return inline_table(p, v, depth);
    return scalar(p, v);
}

/* "a.b.c = value" into table. */
static int keyval(struct tp *p, struct toml *table, int depth)
{
    struct sv parts = SV_INIT;
    struct sb full = SB_INIT;
    size_t at = p->i, k;
    struct toml *t = table, *v;
    int ret = -1;

    if (read_key(p, &parts, &full) < 0)
        goto out;
    for (k = 0; k + 1 < parts.nr; k++) {
        struct toml *sub = find(p, t, parts.v[k]);

        if (!sub) {
            sub = add_entry(p, t, parts.v[k], TOML_TABLE, at);
            sub->flags |= F_DOTTED;
        } else if (sub->type != TOML_TABLE || !(sub->flags & F_DOTTED)) {
            fail_at(
                p, at, NULL,
                "key '%s': '%s' is already defined as %s and cannot be extended here",
                full.buf, parts.v[k], toml_type_name(sub));
            goto out;
        }
        t = sub;
    }
    if (find(p, t, parts.v[parts.nr - 1])) {
        fail_at(p, at, "keep one of them", "key '%s' is defined twice",
                full.buf);
        goto out;
    }
    if (peek(p) != '=') {
        fail(p, "expected '=' after key '%s'", full.buf);
        goto out;
    }
    p->i++;
    skip_ws(p);
    v = add_entry(p, t, parts.v[parts.nr - 1], TOML_STRING, at);
    if (value(p, v, depth) < 0)
        goto out;
    ret = 0;
out:
    sv_release(&parts);
    sb_release(&full);
    return ret;
}

/* "[a.b]" or "[[a.b]]": the table later key/values go into. */
static struct toml *header(struct tp *p)
{
    struct sv parts = SV_INIT;
    struct sb full = SB_INIT;
    size_t at = p->i, k;
    int aot = starts(p, "[[");
    struct toml *t = p->root, *ret = NULL, *last;

    p->i += aot ? 2 : 1;
    skip_ws(p);
    if (read_key(p, &parts, &full) < 0)
        goto out;
    if (!starts(p, aot ? "]]" : "]")) {
        fail(p, "expected '%s' to close the table header", aot ? "]]" : "]");
        goto out;
    }
    p->i += aot ? 2 : 1;
    for (k = 0; k + 1 < parts.nr; k++) {
        struct toml *sub = find(p, t, parts.v[k]);

        if (!sub) {
            sub = add_entry(p, t, parts.v[k], TOML_TABLE, at);
            sub->flags |= F_IMPLICIT;
        } else if (sub->type == TOML_ARRAY && (sub->flags & F_AOT)) {
            sub = sub->last;
        } else if (sub->type != TOML_TABLE || (sub->flags & F_INLINE)) {
            fail_at(p, at, NULL, "table [%s]: '%s' is already %s", full.buf,
                    parts.v[k], toml_type_name(sub));
            goto out;
        }
        t = sub;
    }
    last = find(p, t, parts.v[parts.nr - 1]);
    if (aot) {
        if (!last) {
            last = add_entry(p, t, parts.v[parts.nr - 1], TOML_ARRAY, at);
            last->flags |= F_AOT;
        } else if (last->type != TOML_ARRAY || !(last->flags & F_AOT)) {
            fail_at(p, at, NULL, "[[%s]]: '%s' is already %s", full.buf,
                    full.buf, toml_type_name(last));
            goto out;
        }
        ret = new_node(p, TOML_TABLE, at);
        ret->flags |= F_DEFINED;
        append(last, ret);
        goto out;
    }
    if (!last) {
        ret = add_entry(p, t, parts.v[parts.nr - 1], TOML_TABLE, at);
    } else if (last->type == TOML_TABLE && last->flags == F_IMPLICIT) {
        ret = last;
    } else {
        fail_at(p, at, "keep one [table] of each name",
                "table [%s] is defined twice", full.buf);
        goto out;
    }
    ret->flags = F_DEFINED;
    ret->header = 1;
    ret->line = p->line;
    ret->off = at;
out:
    sv_release(&parts);
    sb_release(&full);
    return ret;
}

/* Tables made by dotted keys under cur are closed once cur's section
 * ends: a later [header] may add sub-tables, dotted keys may not. */
static void close_dotted(struct toml *cur)
{
    struct toml *c;

    for (c = cur ? cur->child : NULL; c; c = c->next)
        if (c->type == TOML_TABLE && (c->flags & F_DOTTED)) {
            close_dotted(c);
            c->flags = (c->flags & ~(unsigned)F_DOTTED) | F_DEFINED;
        }
}

static int document(struct tp *p)
{
    struct toml *cur = p->root;

    for (;;) {
        if (skip_ws_nl(p) < 0)
            return -1;
        if (at_end(p))
            return 0;
        if (peek(p) == '[') {
            close_dotted(cur);
            cur = header(p);
            if (!cur)
                return -1;
        } else if (keyval(p, cur, 0) < 0) {
            return -1;
        }
        if (end_of_line(p) < 0)
            return -1;
    }
}

struct toml *toml_parse(const char *file, const char *text, size_t len,
                        struct err *e)
{
    struct tp p;
    size_t bad;

    memset(&p, 0, sizeof(p));
    p.file = file;
    p.e = e;
    p.line = 1;
    if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
        text += 3;
        len -= 3;
    }
    p.s = text;
    p.len = len;
    p.root = xcalloc(1, sizeof(*p.root));
    p.root->type = TOML_TABLE;
    p.root->line = p.root->col = 1;
    if (!valid_utf8(&p, &bad)) {
        fail_at(&p, bad, "save the file as UTF-8",
                "the file is not valid UTF-8");
    } else if (!document(&p)) {
        free(p.idx);
        return p.root;
    }
    if (e && !e->msg) /* never: every failure above set it */
        err_set(e, PYSHIM_EXIT_CONFIG, "%s: malformed TOML", file);
    free(p.idx);
    toml_free(p.root);
    return NULL;
}
