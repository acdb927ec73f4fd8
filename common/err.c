#include "common/err.h"

#include <stdarg.h>
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

void err_release(struct err *e)
{
    free(e->msg);
    free(e->hint);
    e->msg = e->hint = NULL;
    e->code = 0;
}
