/*
 * utf8: validating UTF-8 (no overlongs, no surrogates, nothing past
 * U+10FFFF), for the places where bytes must be told from text.
 */
#ifndef PYSHIM_UTF8_H
#define PYSHIM_UTF8_H

#include <stddef.h>

#include "common/sb.h"

/* Length of the valid UTF-8 sequence at s (1 for ASCII), or 0 if the n
 * bytes there (n >= 1) do not start with one. */
size_t utf8_seq(const unsigned char *s, size_t n);
/* True if the n bytes at s are valid UTF-8 (a NUL is valid). */
int utf8_valid(const char *s, size_t n);

/* Append code point cp (at most U+10FFFF, not a surrogate) as UTF-8. */
void utf8_add(struct sb *out, unsigned long cp);

/* Flags of utf8_from_utf16. */
#define UTF16_LE 1       /* little-endian (else big-endian) */
#define UTF16_DROP_BOM 2 /* drop every U+FEFF (a BOM is not text) */
#define UTF16_REPLACE                                                          \
    4 /* an unpaired surrogate becomes U+FFFD and a last                       \
         odd byte is ignored, instead of failing */
/* Append the UTF-16 text s (n bytes, no BOM expected) to out as UTF-8.
 * -1 on malformed input (an odd length, an unpaired surrogate) unless
 * UTF16_REPLACE; out then holds what came before the fault. */
int utf8_from_utf16(const unsigned char *s, size_t n, int flags,
                    struct sb *out);

#endif
