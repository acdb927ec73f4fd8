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
/* Wrap the message already set: err_prefix puts the formatted text before
 * it, err_suffix after it ("no interpreter matches '3.99'" + " (asked by
 * '/p/.pyshim.json')"). The code and the hint stay. A NULL e is a no-op
 * (the caller did not want the text); an e without a message gets the
 * formatted text around "unknown error", never a crash. Returns -1. */
int err_prefix(struct err *e, const char *fmt, ...)
    __attribute__((format(PYSHIM_PRINTF, 2, 3)));
int err_suffix(struct err *e, const char *fmt, ...)
    __attribute__((format(PYSHIM_PRINTF, 2, 3)));
void err_release(struct err *e);

/* An impossible state (a broken invariant, not bad input): print
 * "pyshim: BUG: file:line: message" to stderr and abort(), as git's BUG().
 * The one place library code prints; never use it for anything a user,
 * a file or the OS can cause. */
#define BUG(...) err_bug(__FILE__, __LINE__, __VA_ARGS__)
void err_bug(const char *file, int line, const char *fmt, ...)
    __attribute__((format(PYSHIM_PRINTF, 3, 4), noreturn));

#endif
