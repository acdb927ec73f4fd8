/*
 * path: lexical path arithmetic on UTF-8 strings. Nothing here touches the
 * file system except path_absolute (which may ask for the cwd).
 */
#ifndef PYSHIM_PATH_H
#define PYSHIM_PATH_H

#include "common/err.h"
#include "common/sb.h"
#include "common/sv.h"

int path_is_abs(const char *p);
/* Append name to dir in out (replaced): "dir/name"; an absolute name
 * replaces dir. */
void path_join(struct sb *out, const char *dir, const char *name);
/* Collapse "//", "/./" and "x/.." in place, drop a trailing "/". ".."
 * above the root stays at the root. Relative paths stay relative. */
void path_normalize(struct sb *p);
/* The directory part of p, in place: "/a/b" -> "/a", "/a" -> "/",
 * "a" -> ".". */
void path_dirname(struct sb *p);
/* Pointer to the last component of p (borrowed from p). */
const char *path_basename(const char *p);
/* Expand a leading "~" or "~/" with home. "~user" is left alone (an error
 * for the caller to report). Replaces out. Returns -1 if p starts with "~"
 * and home is NULL. */
int path_expand_user(struct sb *out, const char *p, const char *home);
/* Make p absolute against base (the cwd when base is NULL), expand "~",
 * and normalize. Replaces out. */
int path_absolute(struct sb *out, const char *p, const char *base,
                  const char *home, struct err *e);
/* Append the absolute entries of a PATH-style list to out, in order.
 * Empty and relative entries (they mean "the current directory", which a
 * shim must never search) are dropped. */
void path_split_list(const char *list, struct sv *out);
/* True if p lies inside dir (or is dir), lexically. */
int path_is_inside(const char *p, const char *dir);

#endif
