#include "common/textenc.h"

#include "common/utf8.h"
#include "common/banned.h"

enum textenc textenc_sniff(const char *data, size_t len)
{
    const unsigned char *s = (const unsigned char *)data;
    size_t i, odd = 0, even = 0;

    if (len >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)
        return TEXTENC_UTF8_BOM;
    if (len >= 2 && s[0] == 0xff && s[1] == 0xfe)
        return TEXTENC_UTF16LE_BOM;
    if (len >= 2 && s[0] == 0xfe && s[1] == 0xff)
        return TEXTENC_UTF16BE_BOM;
    /* No BOM: UTF-16 of the ASCII a .pth holds has a NUL in every other
     * byte, which no sane UTF-8 or legacy text does. */
    for (i = 0; i < len; i++)
        if (!s[i])
            *(i % 2 ? &odd : &even) += 1;
    if (len % 2 == 0 && odd + even) {
        if (odd * 2 >= len / 2 && !even)
            return TEXTENC_UTF16LE;
        if (even * 2 >= len / 2 && !odd)
            return TEXTENC_UTF16BE;
    }
    return utf8_valid(data, len) ? TEXTENC_UTF8 : TEXTENC_OTHER;
}

const char *textenc_name(enum textenc enc)
{
    switch (enc) {
    case TEXTENC_UTF8:
        return "UTF-8";
    case TEXTENC_UTF8_BOM:
        return "UTF-8 with a BOM";
    case TEXTENC_UTF16LE_BOM:
        return "UTF-16LE with a BOM";
    case TEXTENC_UTF16BE_BOM:
        return "UTF-16BE with a BOM";
    case TEXTENC_UTF16LE:
        return "UTF-16LE";
    case TEXTENC_UTF16BE:
        return "UTF-16BE";
    default:
        return "not UTF-8 (a legacy code page?)";
    }
}
