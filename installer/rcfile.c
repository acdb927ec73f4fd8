#include "installer/rcfile.h"

#include <errno.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/fs.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/banned.h"

#define RC_ADDED_NL " (a newline was added before this block)"
#define RC_CREATED " (pyshim created this file)"

/* Offset of line containing needle at its start, searching from off. */
static const char *find_line(const char *text, size_t len, size_t off,
                             const char *needle)
{
    size_t n = strlen(needle), i;

    for (i = off; i + n <= len; i++) {
        if ((i == 0 || text[i - 1] == '\n') && !memcmp(text + i, needle, n))
            return text + i;
    }
    return NULL;
}

static const char *line_end(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));

    return nl ? nl + 1 : end;
}

static int has_crlf(const char *text, size_t len)
{
    size_t i;

    for (i = 0; i + 1 < len; i++)
        if (text[i] == '\r' && text[i + 1] == '\n')
            return 1;
    return 0;
}

static void add_lines(struct sb *out, const char *s, int crlf)
{
    for (; *s; s++) {
        if (*s == '\n' && crlf)
            sb_addch(out, '\r');
        sb_addch(out, *s);
    }
}

void rc_set_block(const char *text, size_t len, const char *body, int created,
                  struct sb *out)
{
    const char *end = text + len;
    const char *b = find_line(text, len, 0, RC_BEGIN);
    const char *e = b ? find_line(text, len, (size_t)(b - text), RC_END) : NULL;
    int crlf = has_crlf(text, len);
    struct sb block = SB_INIT;
    int added_nl = 0;

    sb_reset(out);
    if (b && e) {
        /* keep the begin line as it was: it records the added newline */
        const char *bl = line_end(b, end);

        sb_add(out, text, (size_t)(bl - text));
        sb_addstr(&block, body);
        add_lines(out, block.buf, crlf);
        sb_add(out, e, (size_t)(end - e));
        sb_release(&block);
        return;
    }
    sb_add(out, text, len);
    if (len && text[len - 1] != '\n') {
        sb_addstr(out, crlf ? "\r\n" : "\n");
        added_nl = 1;
    }
    sb_addf(&block, "%s%s\n%s%s\n", RC_BEGIN,
            created    ? RC_CREATED
            : added_nl ? RC_ADDED_NL
                       : "",
            body, RC_END);
    add_lines(out, block.buf, crlf);
    sb_release(&block);
}

int rc_remove_block(const char *text, size_t len, struct sb *out)
{
    const char *end = text + len;
    const char *b = find_line(text, len, 0, RC_BEGIN);
    const char *e;
    const char *start, *stop;
    int ret = 1;

    sb_reset(out);
    if (!b) {
        sb_add(out, text, len);
        return 0;
    }
    e = find_line(text, len, (size_t)(b - text), RC_END);
    if (!e) {
        sb_add(out, text, len);
        return -1;
    }
    start = b;
    stop = line_end(e, end);
    {
        const char *bl = line_end(b, end);
        size_t mlen = strlen(RC_BEGIN RC_ADDED_NL);
        size_t clen = strlen(RC_BEGIN RC_CREATED);

        if ((size_t)(bl - b) >= clen && !memcmp(b, RC_BEGIN RC_CREATED, clen))
            ret = 2;

        /* the newline we added sits just before the begin line */
        if ((size_t)(bl - b) >= mlen &&
            !memcmp(b, RC_BEGIN RC_ADDED_NL, mlen)) {
            if (start > text && start[-1] == '\n')
                start--;
            if (start > text && start[-1] == '\r')
                start--;
        }
    }
    sb_add(out, text, (size_t)(start - text));
    sb_add(out, stop, (size_t)(end - stop));
    return ret;
}

int rc_edit(const char *path, const char *body, int *changed, struct err *e)
{
    struct sb real = SB_INIT, old = SB_INIT, neu = SB_INIT;
    struct plat_stat st;
    int existed, ret = -1, found = 0;
    unsigned mode = 0644;

    *changed = 0;
    if (plat_realpath(path, &real) < 0)
        sb_set(&real, path); /* not there yet */
    existed = !plat_stat(real.buf, &st, 1);
    if (existed) {
        mode = st.perm & 07777;
        if (plat_read_file(real.buf, 16u << 20, &old) < 0) {
            err_set(e, PYSHIM_EXIT_NOINPUT, "cannot read '%s': %s", real.buf,
                    plat_strerror(errno));
            goto out;
        }
    }
    if (body) {
        rc_set_block(old.buf, old.len, body, !existed, &neu);
    } else {
        found = rc_remove_block(old.buf, old.len, &neu);
        if (found < 0) {
            err_set(e, PYSHIM_EXIT_CONFIG,
                    "'%s' has a '%s' line without its '%s' line", real.buf,
                    RC_BEGIN, RC_END);
            err_hint(e, "fix the block by hand; pyshim will not guess");
            goto out;
        }
        if (!found) {
            ret = 0;
            goto out;
        }
    }
    if (found == 2 && !neu.len) {
        /* pyshim made this file: giving it back means removing it */
        if (plat_unlink(real.buf) < 0) {
            err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot remove '%s': %s",
                    real.buf, plat_strerror(errno));
            goto out;
        }
        *changed = 1;
        ret = 0;
        goto out;
    }
    if (existed && neu.len == old.len && !memcmp(neu.buf, old.buf, old.len)) {
        ret = 0;
        goto out;
    }
    if (fs_write_file(real.buf, neu.buf, neu.len, mode, 0755, e) < 0)
        goto out;
    *changed = 1;
    ret = 0;
out:
    sb_release(&real);
    sb_release(&old);
    sb_release(&neu);
    return ret;
}
