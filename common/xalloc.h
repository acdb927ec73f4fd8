/*
 * xalloc: allocation that never fails. Running out of memory is the one
 * fatal error in pyshim (see README, "Ownership"): these abort with a
 * message instead of returning NULL, so string helpers can return void.
 */
#ifndef PYSHIM_XALLOC_H
#define PYSHIM_XALLOC_H

#include <stddef.h>

/* All return memory the caller frees. Never NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Grow *arr (element size sz) so it holds at least nr elements. */
void xgrow(void **arr, size_t *alloc, size_t nr, size_t sz);

#endif
