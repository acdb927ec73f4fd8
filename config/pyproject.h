/*
 * pyproject: what pyshim reads of a pyproject.toml: [project]'s
 * requires-python (a PEP 440 specifier, config/pyspec.h) and the
 * [tool.pyshim] table, which holds the keys of a .pyshim.json
 * (docs/config.md). Everything else in the file is left alone, though the
 * whole file must be valid TOML (config/toml.h).
 */
#ifndef PYSHIM_PYPROJECT_H
#define PYSHIM_PYPROJECT_H

#include <stddef.h>

#include "common/err.h"
#include "config/cfg.h"
#include "config/pyspec.h"

struct pyproject {
    char *requires_python; /* as written, or NULL */
    size_t rp_line;        /* its line in the file */
    struct pyspec spec;    /* requires_python parsed */
    int has_tool;          /* a [tool.pyshim] table is there */
};

#define PYPROJECT_INIT                                                         \
    {                                                                          \
        NULL, 0, PYSPEC_INIT, 0                                                \
    }

/* Parse text (len bytes) read from file. When [tool.pyshim] is there,
 * its keys go into c (cfg_parse_toml) unless c is NULL. -1 with e naming
 * the file, line, column and key: malformed TOML, a requires-python that
 * is not a string or not a specifier pyshim reads (config/pyspec.h), or
 * a [tool.pyshim] key as cfg_parse would refuse it. */
int pyproject_parse(struct pyproject *pp, struct cfg *c, const char *file,
                    const char *text, size_t len, const char *home,
                    struct err *e);
void pyproject_release(struct pyproject *pp);

#endif
