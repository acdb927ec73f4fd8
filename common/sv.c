#include "common/sv.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/sb.h"
#include "common/xalloc.h"
#include "common/banned.h"

void sv_push_nodup(struct sv *sv, char *s)
{
    xgrow((void **)&sv->v, &sv->alloc, sv->nr + 2, sizeof(*sv->v));
    sv->v[sv->nr++] = s;
    sv->v[sv->nr] = NULL;
}

void sv_push(struct sv *sv, const char *s)
{
    sv_push_nodup(sv, xstrdup(s));
}

void sv_pushf(struct sv *sv, const char *fmt, ...)
{
    struct sb sb = SB_INIT;
    va_list ap;

    va_start(ap, fmt);
    sb_vaddf(&sb, fmt, ap);
    va_end(ap);
    sv_push_nodup(sv, sb_detach(&sb, NULL));
}

void sv_pushn(struct sv *sv, char *const *v, size_t n)
{
    size_t i;

    for (i = 0; i < n && v[i]; i++)
        sv_push(sv, v[i]);
}

void sv_pushv(struct sv *sv, char *const *v)
{
    sv_pushn(sv, v, (size_t)-1);
}

long sv_find(const struct sv *sv, const char *s)
{
    size_t i;

    for (i = 0; i < sv->nr; i++)
        if (!strcmp(sv->v[i], s))
            return (long)i;
    return -1;
}

void sv_release(struct sv *sv)
{
    size_t i;

    for (i = 0; i < sv->nr; i++)
        free(sv->v[i]);
    free(sv->v);
    sv->v = NULL;
    sv->nr = sv->alloc = 0;
}
