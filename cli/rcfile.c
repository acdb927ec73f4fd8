#include "cli/rcfile.h"

#include <errno.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/fs.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/utf8.h"
#include "common/textenc.h"
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

static int marker_error(const char *path, unsigned long line, const char *what,
                        struct err *e)
{
    err_set(e, PYSHIM_EXIT_CONFIG, "'%s' line %lu: %s", path, line, what);
    return err_hint(
        e,
        "fix the pyshim block by hand (one '# >>> pyshim >>>' line, then one '# <<< pyshim <<<' line, or neither) and run the command again; pyshim changed nothing");
}

int rc_check_block(const char *path, const char *text, size_t len,
                   struct err *e)
{
    const char *p = text, *end = text + len;
    size_t nb = strlen(RC_BEGIN), ne = strlen(RC_END);
    unsigned long line = 1, begin = 0, stop = 0;

    for (; p < end; p = line_end(p, end), line++) {
        size_t n = (size_t)(end - p);

        if (n >= nb && !memcmp(p, RC_BEGIN, nb)) {
            if (begin)
                return marker_error(
                    path, line,
                    "a second '# >>> pyshim >>>' line (the first is earlier in the file)",
                    e);
            begin = line;
        } else if (n >= ne && !memcmp(p, RC_END, ne)) {
            if (!begin)
                return marker_error(
                    path, line,
                    "a '# <<< pyshim <<<' line without a '# >>> pyshim >>>' line before it",
                    e);
            if (stop)
                return marker_error(path, line,
                                    "a second '# <<< pyshim <<<' line", e);
            stop = line;
        }
    }
    if (begin && !stop)
        return marker_error(
            path, begin,
            "a '# >>> pyshim >>>' line without its '# <<< pyshim <<<' line", e);
    return 0;
}

static void add_u16(struct sb *out, unsigned u, int le)
{
    sb_addch(out, (char)(le ? u & 0xff : u >> 8));
    sb_addch(out, (char)(le ? u >> 8 : u & 0xff));
}

int rc_utf16_to_utf8(const char *data, size_t len, int le, struct sb *out)
{
    sb_reset(out);
    return utf8_from_utf16((const unsigned char *)data, len, le ? UTF16_LE : 0,
                           out);
}

int rc_utf8_to_utf16(const char *data, size_t len, int le, struct sb *out)
{
    const unsigned char *s = (const unsigned char *)data;
    size_t i = 0, n;

    sb_reset(out);
    while (i < len) {
        unsigned long u;

        n = utf8_seq(s + i, len - i);
        if (!n)
            return -1;
        if (n == 1)
            u = s[i];
        else if (n == 2)
            u = ((s[i] & 0x1fUL) << 6) | (s[i + 1] & 0x3f);
        else if (n == 3)
            u = ((s[i] & 0x0fUL) << 12) | ((s[i + 1] & 0x3fUL) << 6) |
                (s[i + 2] & 0x3f);
        else
            u = ((s[i] & 0x07UL) << 18) | ((s[i + 1] & 0x3fUL) << 12) |
                ((s[i + 2] & 0x3fUL) << 6) | (s[i + 3] & 0x3f);
        if (u >= 0x10000) {
            u -= 0x10000;
            add_u16(out, (unsigned)(0xd800 + (u >> 10)), le);
            add_u16(out, (unsigned)(0xdc00 + (u & 0x3ff)), le);
        } else {
            add_u16(out, (unsigned)u, le);
        }
        i += n;
    }
    return 0;
}

/* How an rc file is stored. Editing happens on UTF-8 text (the block is
 * ASCII); the file goes back in the form it came in, BOM included, so a
 * PowerShell profile that Windows PowerShell wrote as UTF-16 stays
 * UTF-16 and never gets a UTF-8 block in the middle of it. */
enum rc_form { RC_PLAIN, RC_UTF8_BOM, RC_UTF16LE_BOM, RC_UTF16BE_BOM };

static const char bom_utf8[] = "\xef\xbb\xbf";

/* Decode raw file bytes into text (replaces text). -1 with e set when the
 * file is UTF-16 pyshim cannot edit exactly. */
static int rc_decode(const char *path, const struct sb *raw, enum rc_form *form,
                     struct sb *text, struct err *e)
{
    const unsigned char *s = (const unsigned char *)raw->buf;
    enum textenc enc = textenc_sniff(raw->buf, raw->len);
    int bad = 0;

    *form = RC_PLAIN;
    if (raw->len >= 3 && !memcmp(raw->buf, bom_utf8, 3)) {
        *form = RC_UTF8_BOM;
        sb_reset(text);
        sb_add(text, raw->buf + 3, raw->len - 3);
    } else if (raw->len >= 2 && s[0] == 0xff && s[1] == 0xfe) {
        *form = RC_UTF16LE_BOM;
        bad = rc_utf16_to_utf8(raw->buf + 2, raw->len - 2, 1, text) < 0;
    } else if (raw->len >= 2 && s[0] == 0xfe && s[1] == 0xff) {
        *form = RC_UTF16BE_BOM;
        bad = rc_utf16_to_utf8(raw->buf + 2, raw->len - 2, 0, text) < 0;
    } else if (enc == TEXTENC_UTF16LE || enc == TEXTENC_UTF16BE) {
        err_set(e, PYSHIM_EXIT_CONFIG,
                "'%s' looks like UTF-16 without a byte order mark", path);
        return err_hint(
            e,
            "save it as UTF-8 (or UTF-16 with a BOM) and run the command again; pyshim will not guess");
    } else {
        sb_reset(text);
        sb_add(text, raw->buf, raw->len); /* UTF-8, or a legacy code page */
    }
    if (bad) {
        err_set(
            e, PYSHIM_EXIT_CONFIG,
            "'%s' starts with a UTF-16 byte order mark but is not valid UTF-16",
            path);
        return err_hint(e, "fix or re-save the file; pyshim will not edit it");
    }
    return 0;
}

/* text back into the file's form (replaces raw). */
static void rc_encode(enum rc_form form, const struct sb *text, struct sb *raw)
{
    struct sb body = SB_INIT;

    sb_reset(raw);
    switch (form) {
    case RC_PLAIN:
        sb_add(raw, text->buf, text->len);
        break;
    case RC_UTF8_BOM:
        sb_addstr(raw, bom_utf8);
        sb_add(raw, text->buf, text->len);
        break;
    case RC_UTF16LE_BOM:
    case RC_UTF16BE_BOM:
        /* text is the decoded file plus an ASCII block: always valid */
        rc_utf8_to_utf16(text->buf, text->len, form == RC_UTF16LE_BOM, &body);
        add_u16(raw, 0xfeff, form == RC_UTF16LE_BOM);
        sb_add(raw, body.buf, body.len);
        break;
    }
    sb_release(&body);
}

/* Read the start-up file real (its bytes into old), decode it (its form
 * into form, its text into text) and check its pyshim block: unmatched or
 * duplicated markers are an error naming the file and line. */
static int load(const char *real, struct sb *old, enum rc_form *form,
                struct sb *text, struct err *e)
{
    if (plat_read_file(real, 16u << 20, old) < 0) {
        err_set(e, PYSHIM_EXIT_NOINPUT, "cannot read '%s': %s", real,
                plat_read_strerror(errno));
        return err_hint(
            e,
            "pyshim edits only a start-up file it can read, a regular file: fix '%s' and run the command again",
            real);
    }
    if (rc_decode(real, old, form, text, e) < 0 ||
        rc_check_block(real, text->buf, text->len, e) < 0)
        return -1;
    return 0;
}

int rc_edit(const char *path, const char *body, int *changed, struct err *e)
{
    struct sb real = SB_INIT, old = SB_INIT, neu = SB_INIT;
    struct sb text = SB_INIT, out = SB_INIT;
    enum rc_form form = RC_PLAIN;
    struct plat_stat st;
    int existed, ret = -1, found = 0;
    unsigned mode = 0644;

    *changed = 0;
    if (plat_realpath(path, &real) < 0)
        sb_set(&real, path); /* not there yet */
    existed = !plat_stat(real.buf, &st, 1);
    if (existed) {
        mode = st.perm & 07777;
        if (load(real.buf, &old, &form, &text, e) < 0)
            goto out;
    }
    if (body) {
        rc_set_block(text.buf, text.len, body, !existed, &neu);
    } else {
        found = rc_remove_block(text.buf, text.len, &neu);
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
    rc_encode(form, &neu, &out);
    if (existed && out.len == old.len && !memcmp(out.buf, old.buf, old.len)) {
        ret = 0;
        goto out;
    }
    if (fs_write_file(real.buf, out.buf, out.len, mode, 0755, e) < 0)
        goto out;
    *changed = 1;
    ret = 0;
out:
    sb_release(&real);
    sb_release(&old);
    sb_release(&neu);
    sb_release(&text);
    sb_release(&out);
    return ret;
}

int rc_check(const char *path, struct err *e)
{
    struct sb real = SB_INIT, old = SB_INIT, text = SB_INIT;
    enum rc_form form = RC_PLAIN;
    int ret = -1;

    if (plat_realpath(path, &real) < 0) {
        ret = 0; /* not there (yet): nothing to check */
        goto out;
    }
    if (load(real.buf, &old, &form, &text, e) < 0)
        goto out;
    ret = 0;
out:
    sb_release(&real);
    sb_release(&old);
    sb_release(&text);
    return ret;
}
