/*
 * jsonkv: read a flat JSON object of scalars (pyshim's own cache files),
 * the reading side of common/jsonw.h. cJSON is used by the readers only
 * (this one, config/cfg.c, cli/kspec.c): each copies into our own structs
 * and frees the tree, so no cJSON type crosses a header.
 */
#ifndef PYSHIM_JSONKV_H
#define PYSHIM_JSONKV_H

#include <stddef.h>

#include "common/sb.h"
#include "common/sv.h"

/* Parse text into parallel vectors keys/vals. Strings are copied, numbers
 * written in decimal, booleans as "true"/"false", null as "". Nested
 * values make it fail. Returns 0, or -1 for anything malformed. */
int jsonkv_parse(const char *text, size_t len, struct sv *keys,
                 struct sv *vals);
/* The string value of key at the top of the JSON object text (other
 * members may be anything, nested or not). Returns 1 with it in out
 * (replaced), 0 if the key is missing or not a string, -1 if text is not
 * a JSON object. */
int jsonkv_top_string(const char *text, size_t len, const char *key,
                      struct sb *out);
/* The value for key, or NULL (borrowed from vals). */
const char *jsonkv_get(const struct sv *keys, const struct sv *vals,
                       const char *key);

#endif
