/*
 * hook: the generated _pyshim.pth that makes shared libraries visible.
 *
 * It lives in the environment's own site-packages, so the shared dirs are
 * there whoever starts that python (the shim, an IDE, a Jupyter kernel,
 * subprocess with sys.executable) and under -I. site.py reads it after the
 * environment's own packages, so project packages win. Each shared dir
 * gets a plain path line (kept working after PEP 829 retires `import`
 * lines) and one `import` line calls site.addsitedir() on them so the
 * .pth files inside the shared dirs run too. Paths go into the import line
 * as bytes literals, pure ASCII (every byte outside printable ASCII is a
 * \xNN escape), so any file name survives any locale and any line
 * splitting. A dir whose path some supported Python would split into two
 * lines (\n, \r, \v, \f, \x1c-\x1e, U+0085, U+2028, U+2029: 3.13's
 * str.splitlines()) or that is not UTF-8 gets no plain line: only the
 * import line adds it.
 */
#ifndef PYSHIM_HOOK_H
#define PYSHIM_HOOK_H

#include "common/err.h"
#include "common/sb.h"
#include "common/sv.h"

#define HOOK_FILE "_pyshim.pth"

/* The file's content for these site dirs (replaces out). Empty dirs give
 * an empty string: no hook is needed. */
void hook_render(const struct sv *sites, struct sb *out);
/* True if site_dir/_pyshim.pth holds exactly content (an empty content
 * is current when there is no file): nothing to write. */
int hook_is_current(const char *site_dir, const struct sb *content);
/* Make site_dir/_pyshim.pth hold content: rewritten atomically only when
 * it differs, removed when content is empty. *changed says whether the
 * file was touched. */
int hook_sync(const char *site_dir, const struct sb *content, int *changed,
              struct err *e);

#endif
