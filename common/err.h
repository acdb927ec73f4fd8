/*
 * err: how library code reports failure. Functions take an optional
 * struct err * (NULL = caller does not want the text) and return a
 * negative status; only main() and the CLI print, as
 *   pyshim: error: <msg>
 *   pyshim: hint: <hint>
 * Messages are lowercase with no trailing period and quote their subject.
 */
#ifndef PYSHIM_ERR_H
#define PYSHIM_ERR_H

#include "common/sb.h"

struct err {
    char *msg;  /* what went wrong; NULL while no error was set */
    char *hint; /* what the user can do; may stay NULL */
    int code;   /* exit code for the shim and CLI (common/exitcode.h) */
};

#define ERR_INIT                                                               \
    {                                                                          \
        NULL, NULL, 0                                                          \
    }

/* Set the message (replacing an earlier one) and the exit code. Returns
 * -1 so callers can write `return err_set(e, ...)`. e may be NULL. */
int err_set(struct err *e, int code, const char *fmt, ...)
    __attribute__((format(PYSHIM_PRINTF, 3, 4)));
/* Set the hint. e may be NULL. Returns -1. */
int err_hint(struct err *e, const char *fmt, ...)
    __attribute__((format(PYSHIM_PRINTF, 2, 3)));
void err_release(struct err *e);

#endif
