#include "config/pyverfile.h"

#include <errno.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/plat.h"
#include "common/banned.h"

/* How to write the file again. Not with `>` in Windows PowerShell 5: it
 * writes UTF-16, the very thing being reported. */
static const char *rewrite_hint(void)
{
    if (PLAT_WINDOWS)
        return "rewrite it as plain text, e.g. `Set-Content .python-version 3.12 -Encoding ascii` (PowerShell's `>` writes UTF-16)";
    return "rewrite it as plain text, e.g. `echo 3.12 > .python-version`";
}

int pyverfile_parse(const char *file, const char *text, size_t len,
                    struct sb *out, struct err *e)
{
    size_t i = 0;

    sb_reset(out);
    if (len >= 2 &&
        ((unsigned char)text[0] == 0xff || (unsigned char)text[0] == 0xfe)) {
        err_set(e, PYSHIM_EXIT_CONFIG, "%s: the file is UTF-16, not UTF-8",
                file);
        return err_hint(e, "%s", rewrite_hint());
    }
    if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
        i = 3;
    if (memchr(text, '\0', len)) {
        err_set(e, PYSHIM_EXIT_CONFIG, "%s: the file holds a NUL byte", file);
        return err_hint(e, "%s", rewrite_hint());
    }
    while (i < len) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t a = i, b = end;

        while (a < b && strchr(" \t\r", text[a]))
            a++;
        while (b > a && strchr(" \t\r", text[b - 1]))
            b--;
        if (a < b && text[a] != '#') {
            /* pyenv allows several versions on one line; the first wins.
             * A lone CR (old Mac line ends) ends the word too. */
            size_t c = a;

            while (c < b && !strchr(" \t\r", text[c]))
                c++;
            sb_add(out, text + a, c - a);
            return 0;
        }
        i = end + 1;
    }
    err_set(e, PYSHIM_EXIT_CONFIG, "%s: the file names no version", file);
    return err_hint(e, "write a version such as 3.12 into it, or remove it");
}

int pyverfile_read_error(struct err *e, const char *file, int errnum)
{
    err_set(e, PYSHIM_EXIT_CONFIG, "cannot read '%s': %s", file,
            errnum == EFBIG ? "larger than 64 KiB"
                            : plat_read_strerror(errnum));
    return err_hint(e, "fix or remove the file");
}

int pyverfile_load(const char *file, struct sb *out, struct err *e)
{
    struct sb text = SB_INIT;
    int ret;

    if (plat_read_file(file, PYVERFILE_MAX_BYTES, &text) < 0) {
        pyverfile_read_error(e, file, errno);
        sb_release(&text);
        return -1;
    }
    ret = pyverfile_parse(file, text.buf, text.len, out, e);
    sb_release(&text);
    return ret;
}
