/*
 * utf8: validating UTF-8 (no overlongs, no surrogates, nothing past
 * U+10FFFF), for the places where bytes must be told from text.
 */
#ifndef PYSHIM_UTF8_H
#define PYSHIM_UTF8_H

#include <stddef.h>

/* Length of the valid UTF-8 sequence at s (1 for ASCII), or 0 if the bytes
 * there are not one. s must be NUL-terminated. */
size_t utf8_seq(const unsigned char *s);
/* True if the whole string is valid UTF-8. */
int utf8_valid(const char *s);

#endif
