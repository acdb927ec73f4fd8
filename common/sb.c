#include "common/sb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"
#include "common/xalloc.h"
#include "common/banned.h"

char sb_slopbuf[1];

void sb_init(struct sb *sb, size_t hint)
{
    sb->alloc = 0;
    sb->len = 0;
    sb->buf = sb_slopbuf;
    if (hint)
        sb_grow(sb, hint);
}

void sb_release(struct sb *sb)
{
    if (sb->alloc)
        free(sb->buf);
    sb_init(sb, 0);
}

void sb_reset(struct sb *sb)
{
    sb_setlen(sb, 0);
}

char *sb_detach(struct sb *sb, size_t *len)
{
    char *s;

    if (len)
        *len = sb->len;
    s = sb->alloc ? sb->buf : xstrdup("");
    sb_init(sb, 0);
    return s;
}

void sb_grow(struct sb *sb, size_t extra)
{
    int fresh = !sb->alloc;
    size_t need;

    if (extra > (size_t)-1 - sb->len - 1)
        xrealloc(NULL, (size_t)-1); /* aborts: the size cannot exist */
    need = sb->len + extra + 1;
    if (need <= sb->alloc)
        return;
    if (fresh) {
        sb->buf = NULL;
        /* most buffers hold a path: one allocation, not a chain of
         * 8, 16, 32, 64 */
        if (need < 64)
            need = 64;
    }
    xgrow((void **)&sb->buf, &sb->alloc, need, 1);
    if (fresh)
        sb->buf[0] = '\0';
}

void sb_setlen(struct sb *sb, size_t len)
{
    if (!sb->alloc) /* only 0 is possible on the slop buffer */
        return;
    sb->len = len;
    sb->buf[len] = '\0';
}

void sb_add(struct sb *sb, const void *data, size_t len)
{
    if (!len)
        return;
    sb_grow(sb, len);
    memcpy(sb->buf + sb->len, data, len);
    sb_setlen(sb, sb->len + len);
}

void sb_addstr(struct sb *sb, const char *s)
{
    sb_add(sb, s, strlen(s));
}

void sb_addch(struct sb *sb, int c)
{
    sb_grow(sb, 1);
    sb->buf[sb->len] = (char)c;
    sb_setlen(sb, sb->len + 1);
}

void sb_addu64(struct sb *sb, unsigned long long n)
{
    char buf[24];
    size_t i = sizeof(buf);

    do {
        buf[--i] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    sb_add(sb, buf + i, sizeof(buf) - i);
}

void sb_addi64(struct sb *sb, long long n)
{
    if (n < 0) {
        sb_addch(sb, '-');
        /* -(n + 1) + 1: LLONG_MIN has no positive counterpart */
        sb_addu64(sb, (unsigned long long)(-(n + 1)) + 1);
        return;
    }
    sb_addu64(sb, (unsigned long long)n);
}

void sb_vaddf(struct sb *sb, const char *fmt, va_list ap)
{
    va_list cp;
    int n;

    /* room for the usual line first: formatting twice (measure, then
     * write) costs more than the bytes */
    if (sb->alloc - sb->len < 128)
        sb_grow(sb, 128);
    va_copy(cp, ap);
    n = vsnprintf(sb->buf + sb->len, sb->alloc ? sb->alloc - sb->len : 0, fmt,
                  cp);
    va_end(cp);
    if (n < 0)
        return;
    if ((size_t)n >= (sb->alloc ? sb->alloc - sb->len : 0)) {
        sb_grow(sb, (size_t)n);
        n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
        if (n < 0)
            return;
    }
    sb_setlen(sb, sb->len + (size_t)n);
}

void sb_addf(struct sb *sb, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    sb_vaddf(sb, fmt, ap);
    va_end(ap);
}

char *xstrvfmt(const char *fmt, va_list ap)
{
    struct sb sb = SB_INIT;

    sb_vaddf(&sb, fmt, ap);
    return sb_detach(&sb, NULL);
}

void sb_set(struct sb *sb, const char *s)
{
    sb_reset(sb);
    sb_addstr(sb, s);
}

void sb_rtrim(struct sb *sb)
{
    size_t n = sb->len;

    while (n && strchr(" \t\r\n", sb->buf[n - 1]))
        n--;
    sb_setlen(sb, n);
}

void sb_addjson(struct sb *sb, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *end = p + strlen(s);

    sb_addch(sb, '"');
    while (*p) {
        size_t n = utf8_seq(p, (size_t)(end - p));

        if (n > 1) {
            sb_add(sb, p, n);
            p += n;
            continue;
        }
        switch (*p) {
        case '"':
            sb_addstr(sb, "\\\"");
            break;
        case '\\':
            sb_addstr(sb, "\\\\");
            break;
        case '\n':
            sb_addstr(sb, "\\n");
            break;
        case '\t':
            sb_addstr(sb, "\\t");
            break;
        case '\r':
            sb_addstr(sb, "\\r");
            break;
        default:
            if (*p < 0x20 || *p >= 0x7f)
                sb_addf(sb, "\\u%04x", *p);
            else
                sb_addch(sb, *p);
        }
        p++;
    }
    sb_addch(sb, '"');
}

void sb_addpybytes(struct sb *sb, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    sb_addstr(sb, "b'");
    for (; *p; p++) {
        if (*p == '\'' || *p == '\\')
            sb_addf(sb, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f)
            sb_addf(sb, "\\x%02x", *p);
        else
            sb_addch(sb, *p);
    }
    sb_addch(sb, '\'');
}
