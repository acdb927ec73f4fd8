/*
 * jsonw: the one JSON writer, on top of struct sb. The caller says what
 * comes (objects, arrays, keys, values) and the writer places the commas,
 * the colons and the line breaks; strings are escaped by sb_addjson.
 *
 * Layout: the members of the outermost container each go on their own
 * line, indented by `indent` spaces (0: everything on one line); deeper
 * containers stay on their member's line, items separated by ", ". That is
 * the form pyshim has always written (`which --json`, `doctor --json`,
 * kernel.json), readable by eye and by `git diff`:
 *
 *     {
 *       "argv": ["/x/python", "-m", "ipykernel_launcher"],
 *       "env": {"PYSHIM_PROJECT": ""}
 *     }
 *
 * Misuse (a value where a key is due, a key in an array, closing what is
 * not open, reading the text before every container is closed) is a BUG().
 */
#ifndef PYSHIM_JSONW_H
#define PYSHIM_JSONW_H

#include "common/sb.h"

struct jsonw {
    struct sb *out;  /* appended to; borrowed */
    int indent;      /* of the outermost container's members */
    struct sb stack; /* one byte per open container: 'O'/'A' while
                        empty, 'o'/'a' once it holds something */
    int after_key;   /* a key was written, its value is due */
};

/* Start writing to out (appended to, not reset). */
void jsonw_init(struct jsonw *w, struct sb *out, int indent);
/* Free the writer's own memory (out is the caller's). BUG() if a
 * container is still open. */
void jsonw_release(struct jsonw *w);

void jsonw_object_begin(struct jsonw *w);
void jsonw_object_end(struct jsonw *w);
void jsonw_array_begin(struct jsonw *w);
void jsonw_array_end(struct jsonw *w);

/* The next member's key (inside an object only). */
void jsonw_key(struct jsonw *w, const char *key);

/* Values: an array item, the value of the last key, or the whole text. */
void jsonw_string(struct jsonw *w, const char *s); /* NULL: null */
void jsonw_null(struct jsonw *w);
void jsonw_bool(struct jsonw *w, int b);
void jsonw_int(struct jsonw *w, long long n);

/* Shorthands for a key and its value. */
void jsonw_kv_string(struct jsonw *w, const char *key, const char *s);
void jsonw_kv_bool(struct jsonw *w, const char *key, int b);

#endif
