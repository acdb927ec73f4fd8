#include "launcher/hook.h"

#include <errno.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/banned.h"

/* True if s is valid UTF-8. site.py decodes a whole .pth as UTF-8 (or the
 * locale's encoding) and stops with UnicodeDecodeError on a byte it cannot
 * read, so a path that is not UTF-8 gets no plain line: the import line's
 * bytes literal adds it. */
static int is_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        unsigned cp;
        size_t n, i;

        if (*p < 0x80) {
            p++;
            continue;
        }
        if (*p >= 0xc2 && *p <= 0xdf)
            n = 2, cp = *p & 0x1f;
        else if (*p >= 0xe0 && *p <= 0xef)
            n = 3, cp = *p & 0x0f;
        else if (*p >= 0xf0 && *p <= 0xf4)
            n = 4, cp = *p & 0x07;
        else
            return 0;
        for (i = 1; i < n; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i] & 0x3f);
        }
        if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
            return 0;
        p += n;
    }
    return 1;
}

void hook_render(const struct sv *sites, struct sb *out)
{
    size_t i;

    sb_reset(out);
    if (!sites->nr)
        return;
    sb_addstr(out, "# Written by pyshim: the shared libraries this "
                   "environment sees.\n"
                   "# Do not edit: it is rewritten from .pyshim.json; "
                   "`pyshim which` explains it.\n");
    for (i = 0; i < sites->nr; i++) {
        /* A path with a newline, or not UTF-8, cannot be a .pth line;
         * the import line below still adds it. */
        if (!strchr(sites->v[i], '\n') && !strchr(sites->v[i], '\r') &&
            is_utf8(sites->v[i]))
            sb_addf(out, "%s\n", sites->v[i]);
    }
    /* No comprehension: site.addpackage() exec()s the line in a function,
     * and before 3.12 a comprehension's own scope cannot see the names
     * the import bound there (NameError: name 'site' is not defined). */
    sb_addstr(out, "import os, site; list(map(site.addsitedir, "
                   "map(os.fsdecode, (");
    for (i = 0; i < sites->nr; i++) {
        sb_addpybytes(out, sites->v[i]);
        sb_addstr(out, ", ");
    }
    sb_addstr(out, "))))\n");
}

int hook_sync(const char *site_dir, const struct sb *content, int *changed,
              struct err *e)
{
    struct sb path = SB_INIT, old = SB_INIT;
    int ret = -1, have;

    *changed = 0;
    path_join(&path, site_dir, HOOK_FILE);
    have = plat_read_file(path.buf, 1 << 20, &old) == 0;
    if (!content->len) {
        if (have) {
            if (plat_unlink(path.buf) < 0 && errno != ENOENT) {
                err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot remove '%s': %s",
                        path.buf, plat_strerror(errno));
                goto out;
            }
            *changed = 1;
        }
        ret = 0;
        goto out;
    }
    if (have && old.len == content->len &&
        !memcmp(old.buf, content->buf, old.len)) {
        ret = 0;
        goto out;
    }
    if (plat_write_atomic(path.buf, content->buf, content->len, 0644) < 0) {
        err_set(e, PYSHIM_EXIT_CANTCREAT,
                "cannot write the shared-libraries hook '%s': %s", path.buf,
                plat_strerror(errno));
        err_hint(e, "make '%s' writable, or run `pyshim doctor`", site_dir);
        goto out;
    }
    *changed = 1;
    ret = 0;
out:
    sb_release(&path);
    sb_release(&old);
    return ret;
}
