/*
 * utf8: validating UTF-8 (no overlongs, no surrogates, nothing past
 * U+10FFFF), for the places where bytes must be told from text.
 */
#ifndef PYSHIM_UTF8_H
#define PYSHIM_UTF8_H

#include <stddef.h>

/* Length of the valid UTF-8 sequence at s (1 for ASCII), or 0 if the n
 * bytes there (n >= 1) do not start with one. */
size_t utf8_seq(const unsigned char *s, size_t n);
/* True if the n bytes at s are valid UTF-8 (a NUL is valid). */
int utf8_valid(const char *s, size_t n);

#endif
