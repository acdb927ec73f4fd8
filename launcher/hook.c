#include "launcher/hook.h"

#include <errno.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/utf8.h"
#include "common/banned.h"

/*
 * Can path be a plain .pth line, read back whole by every supported
 * Python? Not if it is not UTF-8: site.py reads the whole file as text
 * and a byte it cannot decode stops it (UnicodeDecodeError). Nor if it
 * holds a character some reader splits lines on: 3.8 iterates the file in
 * text mode (universal newlines: \n, \r), 3.13 uses str.splitlines(),
 * which also splits on \v \f \x1c \x1d \x1e U+0085 U+2028 U+2029. A
 * split path is a wrong path and, worse, a fragment that starts with
 * "import" is executed. Such a dir gets no plain line; the import line,
 * pure ASCII with every other byte escaped, still adds it.
 */
static int plain_line_ok(const char *path)
{
    static const char *const splitters[] = {"\xc2\x85",     /* U+0085 */
                                            "\xe2\x80\xa8", /* U+2028 */
                                            "\xe2\x80\xa9", /* U+2029 */
                                            NULL};
    size_t i;

    if (strpbrk(path, "\n\r\v\f\x1c\x1d\x1e") ||
        !utf8_valid(path, strlen(path)))
        return 0;
    for (i = 0; splitters[i]; i++)
        if (strstr(path, splitters[i]))
            return 0;
    return 1;
}

void hook_render(const struct sv *sites, struct sb *out)
{
    size_t i;

    sb_reset(out);
    if (!sites->nr)
        return;
    sb_addstr(
        out,
        "# Written by pyshim: the shared libraries this environment sees.\n"
        "# Do not edit: it is rewritten from .pyshim.json; `pyshim which` explains it.\n");
    for (i = 0; i < sites->nr; i++)
        if (plain_line_ok(sites->v[i]))
            sb_addf(out, "%s\n", sites->v[i]);
    /* No comprehension: site.addpackage() exec()s the line in a function,
     * and before 3.12 a comprehension's own scope cannot see the names
     * the import bound there (NameError: name 'site' is not defined). */
    sb_addstr(out,
              "import os, site; list(map(site.addsitedir, map(os.fsdecode, (");
    for (i = 0; i < sites->nr; i++) {
        sb_addpybytes(out, sites->v[i]);
        sb_addstr(out, ", ");
    }
    sb_addstr(out, "))))\n");
}

int hook_is_current(const char *site_dir, const struct sb *content)
{
    struct sb path = SB_INIT, old = SB_INIT;
    int have, ret;

    path_join(&path, site_dir, HOOK_FILE);
    have = plat_read_file(path.buf, 1 << 20, &old) == 0;
    ret = have ? old.len == content->len &&
                     !memcmp(old.buf, content->buf, old.len)
               : !content->len;
    sb_release(&path);
    sb_release(&old);
    return ret;
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
