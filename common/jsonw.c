#include "common/jsonw.h"

#include "common/err.h"
#include "common/banned.h"

void jsonw_init(struct jsonw *w, struct sb *out, int indent)
{
    w->out = out;
    w->indent = indent;
    sb_init(&w->stack, 0);
    w->after_key = 0;
}

void jsonw_release(struct jsonw *w)
{
    if (w->stack.len || w->after_key)
        BUG("JSON text released with %zu container(s) open", w->stack.len);
    sb_release(&w->stack);
}

static char top(const struct jsonw *w)
{
    return w->stack.len ? w->stack.buf[w->stack.len - 1] : 0;
}

/* Separate what comes from what came before in the open container. */
static void next_member(struct jsonw *w)
{
    char *t;
    int first;

    if (!w->stack.len)
        return;
    t = &w->stack.buf[w->stack.len - 1];
    first = *t == 'O' || *t == 'A';
    if (!first)
        sb_addch(w->out, ',');
    *t = *t == 'O' || *t == 'o' ? 'o' : 'a';
    if (w->stack.len == 1 && w->indent) {
        sb_addf(w->out, "\n%*s", w->indent, "");
    } else if (!first) {
        sb_addch(w->out, ' ');
    }
}

/* Where a value may go: after a key, in an array, or as the whole text. */
static void value_slot(struct jsonw *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (top(w) == 'O' || top(w) == 'o')
        BUG("JSON value where an object key is due");
    next_member(w);
}

void jsonw_key(struct jsonw *w, const char *key)
{
    if ((top(w) != 'O' && top(w) != 'o') || w->after_key)
        BUG("JSON key '%s' outside an object or after a key", key);
    next_member(w);
    sb_addjson(w->out, key);
    sb_addstr(w->out, ": ");
    w->after_key = 1;
}

static void begin(struct jsonw *w, char kind, char open)
{
    value_slot(w);
    sb_addch(w->out, open);
    sb_addch(&w->stack, kind);
}

static void end(struct jsonw *w, char empty, char full, char close)
{
    char t = top(w);

    if ((t != empty && t != full) || w->after_key)
        BUG("JSON '%c' closes nothing open", close);
    sb_setlen(&w->stack, w->stack.len - 1);
    if (!w->stack.len && w->indent && t == full)
        sb_addch(w->out, '\n');
    sb_addch(w->out, close);
}

void jsonw_object_begin(struct jsonw *w)
{
    begin(w, 'O', '{');
}

void jsonw_object_end(struct jsonw *w)
{
    end(w, 'O', 'o', '}');
}

void jsonw_array_begin(struct jsonw *w)
{
    begin(w, 'A', '[');
}

void jsonw_array_end(struct jsonw *w)
{
    end(w, 'A', 'a', ']');
}

void jsonw_string(struct jsonw *w, const char *s)
{
    value_slot(w);
    if (s)
        sb_addjson(w->out, s);
    else
        sb_addstr(w->out, "null");
}

void jsonw_null(struct jsonw *w)
{
    jsonw_string(w, NULL);
}

void jsonw_bool(struct jsonw *w, int b)
{
    value_slot(w);
    sb_addstr(w->out, b ? "true" : "false");
}

void jsonw_int(struct jsonw *w, long long n)
{
    value_slot(w);
    sb_addf(w->out, "%lld", n);
}

void jsonw_kv_string(struct jsonw *w, const char *key, const char *s)
{
    jsonw_key(w, key);
    jsonw_string(w, s);
}

void jsonw_kv_bool(struct jsonw *w, const char *key, int b)
{
    jsonw_key(w, key);
    jsonw_bool(w, b);
}
