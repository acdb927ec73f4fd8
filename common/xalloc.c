#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die_oom(size_t n)
{
    fprintf(stderr, "pyshim: fatal: out of memory (%zu bytes)\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die_oom(n);
    return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
    if (!p)
        die_oom(nmemb * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        die_oom(n);
    return q;
}

char *xstrndup(const char *s, size_t n)
{
    /* memchr, not strnlen: one libc function fewer for the loader to
     * bind on every run (~540 Ir each, bench/README.md) */
    const char *end = memchr(s, '\0', n);
    size_t len = end ? (size_t)(end - s) : n;
    char *p = xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

void xgrow(void **arr, size_t *alloc, size_t nr, size_t sz)
{
    size_t n;

    if (nr <= *alloc)
        return;
    n = *alloc ? *alloc : 8;
    while (n < nr) {
        if (n > ((size_t)-1) / 2 / sz)
            die_oom(nr * sz);
        n *= 2;
    }
    *arr = xrealloc(*arr, n * sz);
    *alloc = n;
}
