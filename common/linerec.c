#include "common/linerec.h"

#include <string.h>

#include "common/banned.h"

static const char hex[] = "0123456789abcdef";

static int needs_escape(unsigned char c)
{
    return c <= 0x20 || c == 0x7f || c == '\\';
}

void linerec_addesc(struct sb *out, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    const unsigned char *run = u;

    for (; *u; u++) {
        char e[4];

        if (!needs_escape(*u))
            continue;
        sb_add(out, run, (size_t)(u - run));
        e[0] = '\\';
        e[1] = 'x';
        e[2] = hex[*u >> 4];
        e[3] = hex[*u & 15];
        sb_add(out, e, 4);
        run = u + 1;
    }
    sb_add(out, run, (size_t)(u - run));
}

void linerec_init(struct linerec *r, const char *text, size_t len)
{
    r->p = text;
    r->end = text + len;
    r->f = r->fend = r->line = NULL;
}

int linerec_line(struct linerec *r)
{
    const char *nl;

    if (r->p >= r->end || !(nl = memchr(r->p, '\n', (size_t)(r->end - r->p))))
        return -1;
    r->line = r->f = r->p;
    r->fend = nl;
    r->p = nl + 1;
    return 0;
}

int linerec_at_end(const struct linerec *r)
{
    return r->p == r->end;
}

int linerec_line_done(const struct linerec *r)
{
    return !r->f || r->f > r->fend;
}

int linerec_field(struct linerec *r, const char **s, size_t *n)
{
    const char *sp;

    if (linerec_line_done(r))
        return -1;
    sp = memchr(r->f, ' ', (size_t)(r->fend - r->f));
    if (!sp)
        sp = r->fend;
    *s = r->f;
    *n = (size_t)(sp - r->f);
    r->f = sp + 1; /* past fend when this was the last field */
    return 0;
}

int linerec_word(struct linerec *r, const char *word)
{
    const char *s;
    size_t n;

    return linerec_field(r, &s, &n) < 0 || n != strlen(word) ||
                   memcmp(s, word, n)
               ? -1
               : 0;
}

static int digits(const char *s, size_t n, uint64_t max, uint64_t *v)
{
    uint64_t x = 0;
    size_t i;

    if (!n || n > 20)
        return -1;
    for (i = 0; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');

        if (d > 9 || x > (max - d) / 10)
            return -1;
        x = x * 10 + d;
    }
    *v = x;
    return 0;
}

int linerec_u64(struct linerec *r, uint64_t *v)
{
    const char *s;
    size_t n;

    return linerec_field(r, &s, &n) < 0 ? -1 : digits(s, n, UINT64_MAX, v);
}

int linerec_i64(struct linerec *r, int64_t *v)
{
    const char *s;
    size_t n;
    uint64_t x;

    if (linerec_field(r, &s, &n) < 0)
        return -1;
    if (n && *s == '-') {
        if (digits(s + 1, n - 1, (uint64_t)INT64_MAX + 1, &x) < 0)
            return -1;
        *v = x == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)x;
        return 0;
    }
    if (digits(s, n, INT64_MAX, &x) < 0)
        return -1;
    *v = (int64_t)x;
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int linerec_text(struct linerec *r, struct sb *out)
{
    const char *s, *run;
    size_t n, i;

    sb_reset(out);
    if (linerec_field(r, &s, &n) < 0)
        return -1;
    for (i = 0, run = s; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int hi, lo;

        if (c != '\\') {
            if (needs_escape(c))
                return -1;
            continue;
        }
        if (n - i < 4 || s[i + 1] != 'x' || (hi = hexval(s[i + 2])) < 0 ||
            (lo = hexval(s[i + 3])) < 0 || !(hi | lo))
            return -1;
        sb_add(out, run, (size_t)(s + i - run));
        sb_addch(out, hi << 4 | lo);
        i += 3;
        run = s + i + 1;
    }
    sb_add(out, run, (size_t)(s + n - run));
    return 0;
}

int linerec_text_is(struct linerec *r, const char *want)
{
    const unsigned char *u = (const unsigned char *)want;
    const char *s, *end;
    size_t n;

    if (linerec_field(r, &s, &n) < 0)
        return -1;
    for (end = s + n; *u; u++) {
        if (!needs_escape(*u)) {
            if (s == end || *s != (char)*u)
                return -1;
            s++;
            continue;
        }
        if (end - s < 4 || s[0] != '\\' || s[1] != 'x' ||
            s[2] != hex[*u >> 4] || s[3] != hex[*u & 15])
            return -1;
        s += 4;
    }
    return s == end ? 0 : -1;
}
