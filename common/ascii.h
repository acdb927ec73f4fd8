/*
 * ascii: ASCII-only case folding, for names that are caseless by
 * convention (Windows file names and registry keys, py.ini keys, ".exe",
 * pyvenv.cfg's "true"). Bytes outside A-Z are compared as they are, so
 * UTF-8 passes through untouched.
 */
#ifndef PYSHIM_ASCII_H
#define PYSHIM_ASCII_H

#include <stddef.h>

/* c in lower case if it is A-Z, else c. */
char ascii_lower(char c);
/* True if a and b are equal but for ASCII case. */
int ascii_ieq(const char *a, const char *b);
/* True if the n bytes at s equal want (all of it) but for ASCII case. */
int ascii_ieqn(const char *s, size_t n, const char *want);
/* True if s starts with prefix but for ASCII case. */
int ascii_istarts(const char *s, const char *prefix);

#endif
