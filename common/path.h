/*
 * path: lexical path arithmetic on UTF-8 strings. Nothing here touches the
 * file system except path_absolute (which may ask for the cwd).
 *
 * The rules are the OS's (PLAT_WINDOWS, common/plat.h):
 *  - POSIX: '/' separates, "/" is the one root, names are case-sensitive.
 *  - Windows: '/' and '\\' both separate on input, results use '\\'
 *    (PLAT_DIRSEP). Roots are a drive "C:\\" and a share
 *    "\\\\server\\share\\"; the long-path forms "\\\\?\\C:\\x" and
 *    "\\\\?\\UNC\\server\\share\\x" are absolute too and normalize to the
 *    plain ones (common/plat_win32.c adds the prefix back where it needs
 *    it). "C:x" (relative to drive C's current directory) and "\\x" (the
 *    root of the current drive) are not absolute. Comparisons
 *    (path_equal, path_is_inside) ignore ASCII case and which separator.
 * A normalized root ends in its separator ("/", "C:\\", "\\\\s\\sh\\");
 * any other normalized path does not.
 */
#ifndef PYSHIM_PATH_H
#define PYSHIM_PATH_H

#include <stddef.h>

#include "common/err.h"
#include "common/sb.h"
#include "common/sv.h"

/* True if p is absolute: "/x"; on Windows "C:\\x", "C:/x", "\\\\s\\sh\\x"
 * and the "\\\\?\\" forms. */
int path_is_abs(const char *p);
/* The length of p's root as written: 1 for "/x"; on Windows 3 for "C:\\x",
 * through the share and one separator after it for "\\\\s\\sh\\x" (7),
 * "\\\\?\\" included for the long-path forms. 0 if p is not absolute
 * ("x", "C:x", "\\x"). */
size_t path_root_len(const char *p);
/* True if p is a root and nothing more (trailing separators allowed): "/";
 * on Windows "C:\\", "c:/", "\\\\server\\share", "\\\\server\\share\\". */
int path_is_root(const char *p);
/* True if a and b name the same path as written: strcmp on POSIX; on
 * Windows ASCII-caseless with '/' and '\\' equal. No normalization
 * ("a\\.\\b" differs from "a\\b"): normalize both first when needed. */
int path_equal(const char *a, const char *b);
/* A form of p for keys and hashes: p itself on POSIX; on Windows ASCII
 * lower case with '\\' for '/', so path_equal(a, b) exactly when the
 * folded forms are byte-equal. Replaces out. */
void path_fold(struct sb *out, const char *p);
/* True if p names a file by a path rather than a bare name to look up on
 * PATH: it holds a separator ('/'; on Windows also '\\', or it starts
 * with a drive "C:"). */
int path_has_dir(const char *p);
/* Append name to dir in out (replaced): "dir/name"; an absolute name
 * replaces dir. Windows: a separator is added only if dir has none at its
 * end; "\\x" goes under dir's drive or share ("C:\\a" + "\\x" = "C:\\x");
 * "C:x" goes under dir if dir is on drive C, else stays "C:x". */
void path_join(struct sb *out, const char *dir, const char *name);
/* Collapse "//", "/./" and "x/.." in place, drop a trailing separator.
 * ".." above the root stays at the root. Relative paths stay relative.
 * Windows: separators become '\\', drive letters upper case, "\\\\?\\"
 * forms the plain ones; the "C:" of "C:x" and the "\\" of "\\x" are
 * kept ("\\.." is "\\"). */
void path_normalize(struct sb *p);
/* The directory part of p, in place: "/a/b" -> "/a", "/a" -> "/",
 * "a" -> "."; a root's is the root ("C:\\" -> "C:\\", "\\\\s\\sh\\x" ->
 * "\\\\s\\sh\\"; Windows: "C:x" -> "C:"). */
void path_dirname(struct sb *p);
/* Pointer to the last component of p (borrowed from p). Windows: either
 * separator; "C:x" -> "x". */
const char *path_basename(const char *p);
/* Expand a leading "~" or "~/" (also "~\\" on Windows) with home. "~user"
 * is left alone (an error for the caller to report). Replaces out.
 * Returns -1 if p starts with "~" and home is NULL. */
int path_expand_user(struct sb *out, const char *p, const char *home);
/* Make p absolute against base (the cwd when base is NULL), expand "~",
 * and normalize. Replaces out. Windows: "\\x" lands on base's drive or
 * share; "C:x" goes under base when base is on drive C, else it becomes
 * "C:\\x" (the current directory of another drive is cmd.exe's secret). */
int path_absolute(struct sb *out, const char *p, const char *base,
                  const char *home, struct err *e);
/* Append the absolute entries of a PATH-style list (PLAT_PATHSEP: ':',
 * ';' on Windows) to out, in order. Empty and relative entries (they mean
 * "the current directory", which a shim must never search) are dropped.
 * Windows: double quotes in an entry are removed, and a ';' between them
 * belongs to the entry ("\"C:\\a;b\"" is C:\a;b). */
void path_split_list(const char *list, struct sv *out);
/* True if p lies inside dir (or is dir), lexically. Windows: ASCII-caseless
 * and either separator; both should be normalized. */
int path_is_inside(const char *p, const char *dir);

#endif
