/*
 * pyversion: reading a .python-version file (pyenv's and uv's convention).
 */
#ifndef PYSHIM_PYVERSION_H
#define PYSHIM_PYVERSION_H

#include <stddef.h>

#include "common/err.h"
#include "common/sb.h"

/* The first request in text: the first line that is not blank or a "#"
 * comment, trimmed, BOM skipped. Replaces out. Returns -1 with e set if
 * there is none, or it holds a NUL or is UTF-16. */
int pyversion_parse(const char *file, const char *text, size_t len,
                    struct sb *out, struct err *e);
/* Largest .python-version file read. */
#define PYVERSION_MAX_BYTES (64 * 1024)

/* Read the file (a regular file only, plat_read_regular) and parse it. */
int pyversion_load(const char *file, struct sb *out, struct err *e);
/* The error pyversion_load reports when file cannot be read because of
 * errnum. Returns -1. */
int pyversion_read_error(struct err *e, const char *file, int errnum);

#endif
