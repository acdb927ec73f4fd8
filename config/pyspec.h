/*
 * pyspec: PEP 440 version specifiers as `requires-python` writes them
 * (">=3.10", ">=3.9, <3.13", "~=3.11", "==3.12.*", "!=3.12.1").
 *
 * Operators ==, !=, <=, >=, <, >, ~= on release numbers ("3", "3.12",
 * "3.12.1", any length, compared padded with zeros), the ".*" wildcard
 * after == and !=, clauses separated by commas, white space anywhere
 * between tokens. Interpreters are final releases, so pre-, post- and
 * dev-release suffixes ("3.13.0rc1"), local versions and "===" are
 * refused with a message saying so, rather than read wrongly.
 */
#ifndef PYSHIM_PYSPEC_H
#define PYSHIM_PYSPEC_H

#include <stddef.h>

#include "common/err.h"
#include "common/pyver.h"

#define PYSPEC_MAX_PARTS 6

enum pyspec_op {
    PYSPEC_EQ,
    PYSPEC_NE,
    PYSPEC_LE,
    PYSPEC_GE,
    PYSPEC_LT,
    PYSPEC_GT,
    PYSPEC_COMPAT /* ~= */
};

struct pyspec_clause {
    enum pyspec_op op;
    int nparts;
    long part[PYSPEC_MAX_PARTS];
    int wildcard; /* "==3.12.*" */
};

struct pyspec {
    struct pyspec_clause *c;
    size_t nr;
};

#define PYSPEC_INIT                                                            \
    {                                                                          \
        NULL, 0                                                                \
    }

/* Parse text into s (empty). -1 with e (the reason only, for the caller
 * to prefix with where the text came from) when it is not a specifier
 * pyshim reads. */
int pyspec_parse(struct pyspec *s, const char *text, struct err *e);
void pyspec_release(struct pyspec *s);

/* 1 if v (major and minor known) satisfies every clause, 0 if not, -1 if
 * the answer depends on v's micro, which is unknown (-1). */
int pyspec_match(const struct pyspec *s, const struct pyver *v);

#endif
