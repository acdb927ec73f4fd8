#include "common/linerec.h"

#include <string.h>

#include "common/banned.h"

static const char hex[] = "0123456789abcdef";

/* 1 for the bytes written escaped (NUL included: it ends a C string),
 * 0 for the bytes written as they are: one load per byte in the loops
 * below (a warm run reads every path of the search cache's record). */
/* clang-format off */
static const unsigned char escaped[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};
/* clang-format on */

/* 1 when one of the 8 bytes at u is written escaped: a byte below 0x21,
 * 0x7f or '\\' (a word at a time: a warm run escapes $PATH for the
 * search cache's key, ~2 instructions per byte where the table took ~4) */
static int word_escaped(const unsigned char *u)
{
    const uint64_t ones = 0x0101010101010101ULL;
    uint64_t x, d, b;

    memcpy(&x, u, 8);
    d = x ^ (0x7f * ones);
    b = x ^ ('\\' * ones);
    return ((((x - 0x21 * ones) & ~x) | ((d - ones) & ~d) | ((b - ones) & ~b)) &
            (0x80 * ones)) != 0;
}

int linerec_plain(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;

    while (n - i >= 8 && !word_escaped(u + i))
        i += 8;
    for (; i < n; i++)
        if (escaped[u[i]])
            return 0;
    return 1;
}

uint64_t linerec_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL, w;

    for (; n >= 8; s += 8, n -= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * 0x100000001b3ULL;
        h ^= h >> 29;
    }
    for (; n; s++, n--)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ULL;
    return h ^ (h >> 32);
}

void linerec_addesc(struct sb *out, const char *s)
{
    size_t n = strlen(s), i = 0;
    const unsigned char *run = (const unsigned char *)s;
    const unsigned char *u;

    while (n - i >= 8 && !word_escaped(run + i))
        i += 8;
    for (u = run + i;; u++) {
        char e[4];

        while (!escaped[*u])
            u++;
        if (!*u)
            break;
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

void linerec_add_opt(struct sb *out, const char *name, const char *v)
{
    sb_addstr(out, name);
    if (!v) {
        sb_addstr(out, " 0\n");
        return;
    }
    sb_addstr(out, " 1 ");
    linerec_addesc(out, v);
    sb_addch(out, '\n');
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
    /* 19 digits always fit in 64 bits: no check per digit */
    for (i = 0; i < n && i < 19; i++) {
        unsigned d = (unsigned)(s[i] - '0');

        if (d > 9)
            return -1;
        x = x * 10 + d;
    }
    if (i < n) {
        unsigned d = (unsigned)(s[i] - '0');

        if (d > 9 || x > (UINT64_MAX - d) / 10)
            return -1;
        x = x * 10 + d;
    }
    if (x > max)
        return -1;
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
    const char *f;
    const unsigned char *u, *run, *end;
    size_t n;
    int hi, lo;

    sb_reset(out);
    if (linerec_field(r, &f, &n) < 0)
        return -1;
    run = (const unsigned char *)f;
    end = run + n;
    for (;;) {
        for (u = run; u < end && !escaped[*u]; u++)
            ;
        sb_add(out, run, (size_t)(u - run));
        if (u == end)
            return 0;
        /* only an escape may hold such a byte, and it may not be NUL */
        if (*u != '\\' || end - u < 4 || u[1] != 'x' ||
            (hi = hexval((char)u[2])) < 0 || (lo = hexval((char)u[3])) < 0 ||
            !(hi | lo))
            return -1;
        sb_addch(out, hi << 4 | lo);
        run = u + 4;
    }
}

int linerec_text_is(struct linerec *r, const char *want)
{
    const unsigned char *u = (const unsigned char *)want, *run;
    const char *s, *end;
    size_t n;

    if (linerec_field(r, &s, &n) < 0)
        return -1;
    end = s + n;
    for (;;) {
        for (run = u; !escaped[*u]; u++)
            ;
        if ((size_t)(end - s) < (size_t)(u - run) ||
            memcmp(s, run, (size_t)(u - run)))
            return -1;
        s += u - run;
        if (!*u)
            return s == end ? 0 : -1;
        if (end - s < 4 || s[0] != '\\' || s[1] != 'x' ||
            s[2] != hex[*u >> 4] || s[3] != hex[*u & 15])
            return -1;
        s += 4;
        u++;
    }
}
