/*
 * toml: a small strict TOML reader for pyproject.toml (what pyshim reads
 * of it: [project] requires-python and [tool.pyshim]).
 *
 * Debian 12 ships no C TOML library (only C++ ones: cpptoml, toml11,
 * toml++), and the Windows build links nothing it does not carry, so
 * pyshim owns this one (docs/config.md says why). It reads TOML 1.0's
 * structure: tables, arrays of tables, dotted and quoted keys, basic,
 * literal and multi-line strings with every escape, arrays, inline tables,
 * integers (decimal, 0x, 0o, 0b, '_' separators) and booleans. Floats and
 * dates/times are checked only for their characters and kept as text
 * (TOML_OTHER): pyshim reads none, and a file using them is not refused.
 * Duplicate keys, a table defined twice, an inline table extended later,
 * control characters and bad escapes are errors naming the file, line,
 * column and key. Nesting is capped (TOML_MAX_DEPTH).
 */
#ifndef PYSHIM_TOML_H
#define PYSHIM_TOML_H

#include <stddef.h>

#include "common/err.h"

#define TOML_MAX_DEPTH 64

enum toml_type {
    TOML_TABLE = 0,
    TOML_ARRAY,
    TOML_STRING,
    TOML_INT,
    TOML_BOOL,
    TOML_OTHER /* a float or a date/time, as written */
};

struct toml {
    enum toml_type type;
    char *key;          /* in its table; NULL for array items and the root */
    char *str;          /* TOML_STRING (UTF-8, may hold no NUL), TOML_OTHER */
    long long num;      /* TOML_INT; TOML_BOOL: 0 or 1 */
    struct toml *child; /* TOML_TABLE entries / TOML_ARRAY items, in order */
    struct toml *last;
    struct toml *next;
    size_t line, col; /* where the key (or item) was written; col in bytes */
    size_t off;       /* byte offset of the key or item in the text */
    int header;       /* a table defined by a [header] line (line: its) */
    unsigned flags;   /* parser state (toml.c) */
};

/* Parse text (len bytes; a UTF-8 BOM is skipped) read from file (for
 * messages). Returns the root table (caller frees with toml_free), or
 * NULL with e: "FILE:LINE:COL: what" and a hint. */
struct toml *toml_parse(const char *file, const char *text, size_t len,
                        struct err *e);
void toml_free(struct toml *t);

/* The entry key of table t, or NULL (also when t is NULL or no table). */
const struct toml *toml_get(const struct toml *t, const char *key);
/* "a string", "an integer", ... for messages (static). */
const char *toml_type_name(const struct toml *t);

#endif
