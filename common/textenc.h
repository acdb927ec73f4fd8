/*
 * textenc: telling how a small text file (a .pth file, a shell start-up
 * file, a PowerShell profile) is encoded, from its bytes alone: the BOMs,
 * and UTF-16 without one (ASCII text with a NUL in every other byte,
 * which no UTF-8 or legacy code page text holds).
 */
#ifndef PYSHIM_TEXTENC_H
#define PYSHIM_TEXTENC_H

#include <stddef.h>

enum textenc {
    TEXTENC_UTF8 = 0,    /* plain UTF-8 (ASCII included) */
    TEXTENC_UTF8_BOM,    /* UTF-8 starting with EF BB BF */
    TEXTENC_UTF16LE_BOM, /* FF FE ...: PowerShell 5's `>` */
    TEXTENC_UTF16BE_BOM, /* FE FF ... */
    TEXTENC_UTF16LE,     /* no BOM, but ASCII with NULs in odd bytes */
    TEXTENC_UTF16BE,     /* no BOM, NULs in even bytes */
    TEXTENC_OTHER        /* neither: a legacy code page (GBK, cp1252) */
};

/* How data (len bytes) is encoded. */
enum textenc textenc_sniff(const char *data, size_t len);
/* "UTF-8", "UTF-8 with a BOM", "UTF-16LE with a BOM", ... */
const char *textenc_name(enum textenc enc);

#endif
