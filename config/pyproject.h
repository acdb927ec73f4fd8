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
#include "common/sb.h"
#include "common/sv.h"
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

/*
 * What `pyshim init --pyproject` writes: text (len bytes, the content of
 * file) with [tool.pyshim]'s "python" set to python (NULL: kept) and the
 * entries of shared_add (NULL: none) missing from its "shared" appended.
 * Every other byte is kept: a [tool.pyshim] table is appended when there
 * is none, a key line goes right under its header, a value is replaced
 * in place, an entry goes after the array's last one. out gets the new
 * text (equal to text when nothing changes), summary what changed. The
 * result is parsed again before it is returned, and refused when it
 * would need trust (pyproject.toml takes no keys that do). -1 with e: a
 * file that is not valid TOML, a [tool.pyshim] written as dotted keys or
 * an inline table, a "python" or "shared" of another form than a
 * one-line string / an array (those are for the user to edit).
 */
int pyproject_edit(const char *file, const char *text, size_t len,
                   const char *python, const struct sv *shared_add,
                   const char *home, struct sb *out, struct sb *summary,
                   struct err *e);

#endif
