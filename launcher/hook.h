/*
 * hook: the generated files that make shared libraries visible.
 *
 * They live in the environment's own site-packages, so the shared dirs are
 * there whoever starts that python (the shim, an IDE, a Jupyter kernel,
 * subprocess with sys.executable) and under -I. site.py reads them after
 * the environment's own packages, so project packages win. Three files:
 *
 *   _pyshim.pth      a plain path line per shared dir (static tools and
 *                    every Python read these), a comment line with every
 *                    dir hex-encoded (the data), and one `import` line
 *                    calling _pyshim_hook.activate() for Pythons < 3.15
 *   _pyshim_hook.py  activate(): site.addsitedir() on each dir of that
 *                    data line, once per process, so the .pth and .start
 *                    files inside the shared dirs are processed too
 *   _pyshim.start    "_pyshim_hook:activate": Python 3.15+ (PEP 829) calls
 *                    the entry point and, because this file exists,
 *                    ignores the import line of _pyshim.pth
 *
 * The module is the same for every environment (its data is in the .pth):
 * rewriting a module's source within the second its .pyc was made with
 * the same size would let Python run the stale .pyc.
 *
 * The dirs go into the data line hex-encoded, pure ASCII, so any file name
 * survives any locale and any line splitting. A dir whose path some
 * supported Python would split into two lines (\n, \r, \v, \f,
 * \x1c-\x1e, U+0085, U+2028, U+2029: 3.13's str.splitlines()) or that
 * is not UTF-8 gets no plain line: only activate() adds it.
 */
#ifndef PYSHIM_HOOK_H
#define PYSHIM_HOOK_H

#include "common/err.h"
#include "common/sb.h"
#include "common/sv.h"

#define HOOK_FILE "_pyshim.pth"
#define HOOK_MODULE_FILE "_pyshim_hook.py"
#define HOOK_START_FILE "_pyshim.start"

/* The dirs the plain path lines of the .pth files directly in the site
 * dirs sites add, the way site.py reads them (names in sorted order; '#'
 * comments, blank lines and `import` lines skipped; a relative line under
 * its site dir; normalized), in order, each once and none of sites, into
 * out (appended). Static tools (pyright, Pylance) read only plain lines:
 * given these, they see the layers Python sees. An unreadable or
 * non-regular .pth is skipped, as site.py skips it. Existence is not
 * checked (site.py skips a missing dir; so do the tools). */
void hook_nested_dirs(const struct sv *sites, struct sv *out);
/* The .pth file's content for these site dirs (replaces out): a plain line
 * for each of sites, then for each of nested (may be NULL: none; see
 * hook_nested_dirs), then the data and import lines for sites. Empty
 * sites give an empty string: no hook is needed. The other two files'
 * contents are fixed (hook_companion). */
void hook_render(const struct sv *sites, const struct sv *nested,
                 struct sb *out);
/* The fixed content of the companion file name (HOOK_MODULE_FILE or
 * HOOK_START_FILE; anything else is a BUG). Borrowed. */
const char *hook_companion(const char *name);
/* True if site_dir/_pyshim.pth holds exactly content and the companions
 * theirs (an empty content is current when none of the three files
 * exists): nothing to write. */
int hook_is_current(const char *site_dir, const struct sb *content);
/* Make site_dir hold the three files: each rewritten atomically only when
 * it differs (the module first, the .start file last, so no Python ever
 * sees an entry point whose module is missing), all removed when content
 * is empty (in the reverse order). *changed says whether a file was
 * touched. */
int hook_sync(const char *site_dir, const struct sb *content, int *changed,
              struct err *e);

#endif
