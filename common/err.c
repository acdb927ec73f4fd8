#include "common/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/sb.h"
#include "common/banned.h"

int err_set(struct err *e, int code, const char *fmt, ...)
{
    va_list ap;

    if (!e)
        return -1;
    free(e->msg);
    free(e->hint);
    e->hint = NULL;
    va_start(ap, fmt);
    e->msg = xstrvfmt(fmt, ap);
    va_end(ap);
    e->code = code;
    return -1;
}

int err_hint(struct err *e, const char *fmt, ...)
{
    va_list ap;

    if (!e)
        return -1;
    free(e->hint);
    va_start(ap, fmt);
    e->hint = xstrvfmt(fmt, ap);
    va_end(ap);
    return -1;
}

static void wrap(struct err *e, int before, const char *fmt, va_list ap)
    __attribute__((format(PYSHIM_PRINTF, 3, 0)));

static void wrap(struct err *e, int before, const char *fmt, va_list ap)
{
    struct sb s = SB_INIT;
    char *add = xstrvfmt(fmt, ap);
    const char *old = e->msg ? e->msg : "unknown error";

    if (before)
        sb_addf(&s, "%s%s", add, old);
    else
        sb_addf(&s, "%s%s", old, add);
    free(add);
    free(e->msg);
    e->msg = sb_detach(&s, NULL);
}

int err_prefix(struct err *e, const char *fmt, ...)
{
    va_list ap;

    if (!e)
        return -1;
    va_start(ap, fmt);
    wrap(e, 1, fmt, ap);
    va_end(ap);
    return -1;
}

int err_suffix(struct err *e, const char *fmt, ...)
{
    va_list ap;

    if (!e)
        return -1;
    va_start(ap, fmt);
    wrap(e, 0, fmt, ap);
    va_end(ap);
    return -1;
}

void err_bug(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "pyshim: BUG: %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    abort();
}

void err_release(struct err *e)
{
    free(e->msg);
    free(e->hint);
    e->msg = e->hint = NULL;
    e->code = 0;
}
