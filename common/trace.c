#include "common/trace.h"

#include <stdarg.h>

#include "common/sb.h"
#include "common/banned.h"

void trace_add(struct trace *t, const char *fmt, ...)
{
    struct sb sb = SB_INIT;
    va_list ap;

    if (!t || !t->enabled)
        return;
    va_start(ap, fmt);
    sb_vaddf(&sb, fmt, ap);
    va_end(ap);
    sv_push_nodup(&t->lines, sb_detach(&sb, NULL));
}

void trace_release(struct trace *t)
{
    sv_release(&t->lines);
}
