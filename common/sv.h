/*
 * sv: a NULL-terminated vector of owned strings, after git's strvec. Used
 * for argv, environment entries and path lists.
 *
 * v is NULL until the first push; after that v[nr] is always NULL, so
 * sv.v can be handed to execv. sv_release frees every string.
 */
#ifndef PYSHIM_SV_H
#define PYSHIM_SV_H

#include "common/sb.h"

#include <stddef.h>

struct sv {
    char **v;
    size_t nr;
    size_t alloc;
};

#define SV_INIT                                                                \
    {                                                                          \
        NULL, 0, 0                                                             \
    }

/* Append a copy of s. */
void sv_push(struct sv *sv, const char *s);
/* Append s, taking ownership (s must come from malloc). */
void sv_push_nodup(struct sv *sv, char *s);
void sv_pushf(struct sv *sv, const char *fmt, ...)
    __attribute__((format(PYSHIM_PRINTF, 2, 3)));
/* Append copies of a NULL-terminated array, or of the first n of it. */
void sv_pushv(struct sv *sv, char *const *v);
void sv_pushn(struct sv *sv, char *const *v, size_t n);
/* Index of the first entry equal to s, or -1. */
long sv_find(const struct sv *sv, const char *s);
void sv_release(struct sv *sv);

#endif
