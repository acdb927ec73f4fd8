/*
 * trace: the record of why resolution decided what it did. Library code
 * appends one line per decision; `pyshim which` shows them and the shim
 * prints them to stderr under PYSHIM_DEBUG=1. A NULL trace, or one that is
 * not enabled, costs nothing on the hot path.
 */
#ifndef PYSHIM_TRACE_H
#define PYSHIM_TRACE_H

#include "common/sv.h"

struct trace {
    int enabled;
    struct sv lines;
};

#define TRACE_INIT                                                             \
    {                                                                          \
        0, SV_INIT                                                             \
    }

void trace_add(struct trace *t, const char *fmt, ...)
    __attribute__((format(PYSHIM_PRINTF, 2, 3)));
void trace_release(struct trace *t);

#endif
