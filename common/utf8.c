#include "common/utf8.h"

#include "common/banned.h"

size_t utf8_seq(const unsigned char *s, size_t n)
{
    size_t len, i;
    unsigned cp;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2, cp = s[0] & 0x1f;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        len = 3, cp = s[0] & 0x0f;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        len = 4, cp = s[0] & 0x07;
    else
        return 0;
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return len;
}

int utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < n) {
        size_t k = utf8_seq(p + i, n - i);

        if (!k)
            return 0;
        i += k;
    }
    return 1;
}

void utf8_add(struct sb *out, unsigned long cp)
{
    if (cp < 0x80) {
        sb_addch(out, (int)cp);
    } else if (cp < 0x800) {
        sb_addch(out, (int)(0xc0 | (cp >> 6)));
        sb_addch(out, (int)(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        sb_addch(out, (int)(0xe0 | (cp >> 12)));
        sb_addch(out, (int)(0x80 | ((cp >> 6) & 0x3f)));
        sb_addch(out, (int)(0x80 | (cp & 0x3f)));
    } else {
        sb_addch(out, (int)(0xf0 | (cp >> 18)));
        sb_addch(out, (int)(0x80 | ((cp >> 12) & 0x3f)));
        sb_addch(out, (int)(0x80 | ((cp >> 6) & 0x3f)));
        sb_addch(out, (int)(0x80 | (cp & 0x3f)));
    }
}

static unsigned long u16_at(const unsigned char *s, int le)
{
    return le ? (unsigned long)(s[0] | (s[1] << 8))
              : (unsigned long)((s[0] << 8) | s[1]);
}

int utf8_from_utf16(const unsigned char *s, size_t n, int flags, struct sb *out)
{
    int le = flags & UTF16_LE, replace = flags & UTF16_REPLACE;
    size_t i;

    if (n % 2 && !replace)
        return -1;
    for (i = 0; i + 1 < n; i += 2) {
        unsigned long u = u16_at(s + i, le), lo;

        if (u >= 0xd800 && u <= 0xdbff && i + 3 < n &&
            (lo = u16_at(s + i + 2, le)) >= 0xdc00 && lo <= 0xdfff) {
            u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
            i += 2;
        } else if (u >= 0xd800 && u <= 0xdfff) {
            if (!replace)
                return -1;
            u = 0xfffd;
        }
        if (u != 0xfeff || !(flags & UTF16_DROP_BOM))
            utf8_add(out, u);
    }
    return 0;
}
