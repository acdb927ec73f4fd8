/*
 * jsonkv: read a flat JSON object of scalars (pyshim's own cache files),
 * the reading side of common/jsonw.h. cJSON is used by the readers only
 * (this one, config/cfg.c, cli/kspec.c): each copies into our own structs
 * and frees the tree, so no cJSON type crosses a header.
 */
#ifndef PYSHIM_JSONKV_H
#define PYSHIM_JSONKV_H

#include <stddef.h>

#include "common/sv.h"

/* Parse text into parallel vectors keys/vals. Strings are copied, numbers
 * written in decimal, booleans as "true"/"false", null as "". Nested
 * values make it fail. Returns 0, or -1 for anything malformed. */
int jsonkv_parse(const char *text, size_t len, struct sv *keys,
                 struct sv *vals);
/* The value for key, or NULL (borrowed from vals). */
const char *jsonkv_get(const struct sv *keys, const struct sv *vals,
                       const char *key);

#endif
