#include "launcher/hook.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
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
 * "import" is executed. Such a dir gets no plain line; the data line,
 * hex (pure ASCII), still gives it to activate().
 */
static int plain_line_ok(const char *path)
{
    static const char *const splitters[] = {"\xc2\x85",     /* U+0085 */
                                            "\xe2\x80\xa8", /* U+2028 */
                                            "\xe2\x80\xa9", /* U+2029 */
                                            NULL};
    const uint64_t ones = 0x0101010101010101ULL;
    size_t i, n = strlen(path);
    uint64_t x, w = 0;

    /* the common case, printable ASCII, 8 bytes at a time (a warm run
     * renders the hook: a line per shared dir): no byte >= 0x80, none
     * below 0x20 (the splitters are among those), else the checks below */
    for (i = 0; i + 8 <= n; i += 8) {
        memcpy(&x, path + i, 8);
        w |= x | ((x - 0x20 * ones) & ~x);
    }
    for (; i < n; i++)
        w |= (unsigned char)path[i] |
             ((unsigned char)path[i] < 0x20 ? 0x80u : 0u);
    if (!(w & 0x80 * ones))
        return 1;
    if (strpbrk(path, "\n\r\v\f\x1c\x1d\x1e") ||
        !utf8_valid(path, strlen(path)))
        return 0;
    for (i = 0; splitters[i]; i++)
        if (strstr(path, splitters[i]))
            return 0;
    return 1;
}

/* The module both entry points call (hook.h says why its data is in the
 * .pth): Python 3.8 syntax, ASCII, UTF-8 without BOM. The _done flag
 * makes a second call (the import line and the entry point both, should
 * some Python run both) a no-op, so each nested .pth runs once. */
static const char hook_module[] =
    "# Written by pyshim: the shared libraries this environment sees.\n"
    "# Do not edit: it is rewritten by pyshim; `pyshim which` explains it.\n"
    "#\n"
    "# Pythons before 3.15 call activate() from the import line of\n"
    "# _pyshim.pth; 3.15 and later call it as the entry point named in\n"
    "# _pyshim.start (PEP 829), which turns that import line off. It adds\n"
    "# each dir of the \"# pyshim-dirs:\" line of _pyshim.pth the way\n"
    "# site.addsitedir() does, so the .pth and .start files inside them\n"
    "# are processed too. A second call does nothing.\n"
    "\n"
    "_done = False\n"
    "\n"
    "\n"
    "def activate():\n"
    "    global _done\n"
    "    if _done:\n"
    "        return\n"
    "    _done = True\n"
    "    import os\n"
    "    import site\n"
    "\n"
    "    pth = os.path.join(os.path.dirname(__file__), \"_pyshim.pth\")\n"
    "    try:\n"
    "        with open(pth, \"rb\") as f:\n"
    "            lines = f.read().splitlines()\n"
    "    except OSError:\n"
    "        return\n"
    "    for line in lines:\n"
    "        if line.startswith(b\"# pyshim-dirs:\"):\n"
    "            for d in line[14:].split():\n"
    "                d = bytes.fromhex(d.decode(\"ascii\"))\n"
    "                site.addsitedir(os.fsdecode(d))\n";

static const char hook_start[] = "_pyshim_hook:activate\n";

const char *hook_companion(const char *name)
{
    if (!strcmp(name, HOOK_MODULE_FILE))
        return hook_module;
    if (!strcmp(name, HOOK_START_FILE))
        return hook_start;
    BUG("no hook companion named '%s'", name);
    return NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The plain lines of one .pth file's text into out, as site.py takes
 * them: line by line, a UTF-8 BOM at the start dropped, trailing
 * whitespace stripped. */
static void pth_plain_lines(const char *site, const struct sb *text,
                            const struct sv *sites, struct sv *out)
{
    struct sb line = SB_INIT, dir = SB_INIT;
    const char *s = text->buf, *end = text->buf + text->len, *nl;

    if (text->len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
        s += 3;
    for (; s < end; s = nl + 1) {
        nl = memchr(s, '\n', (size_t)(end - s));
        if (!nl)
            nl = end;
        sb_reset(&line);
        sb_add(&line, s, (size_t)(nl - s));
        while (line.len && strchr(" \t\r\v\f", line.buf[line.len - 1]))
            sb_setlen(&line, line.len - 1);
        if (!line.len || line.buf[0] == '#' ||
            !strncmp(line.buf, "import ", 7) ||
            !strncmp(line.buf, "import\t", 7) || strlen(line.buf) != line.len)
            continue;
        path_join(&dir, site, line.buf);
        path_normalize(&dir);
        if (sv_find(sites, dir.buf) < 0 && sv_find(out, dir.buf) < 0)
            sv_push(out, dir.buf);
    }
    sb_release(&line);
    sb_release(&dir);
}

void hook_nested_dirs(const struct sv *sites, struct sv *out)
{
    struct sv names = SV_INIT;
    struct sb path = SB_INIT, text = SB_INIT;
    size_t i, k;

    for (i = 0; i < sites->nr; i++) {
        struct plat_dir *d = plat_opendir(sites->v[i]);
        const char *name;

        sv_release(&names);
        while (d && (name = plat_readdir(d))) {
            size_t n = strlen(name);

            if (n > 4 && !strcmp(name + n - 4, ".pth"))
                sv_push(&names, name);
        }
        if (d)
            plat_closedir(d);
        if (names.nr)
            qsort(names.v, names.nr, sizeof(*names.v), cmp_str);
        for (k = 0; k < names.nr; k++) {
            path_join(&path, sites->v[i], names.v[k]);
            if (plat_read_file(path.buf, 1 << 20, &text) == 0)
                pth_plain_lines(sites->v[i], &text, sites, out);
        }
    }
    sv_release(&names);
    sb_release(&path);
    sb_release(&text);
}

/* every byte's two hex digits */
static const char hex_pairs[] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
    "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
    "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
    "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

void hook_render(const struct sv *sites, const struct sv *nested,
                 struct sb *out)
{
    size_t i;
    const unsigned char *c;

    sb_reset(out);
    if (!sites->nr)
        return;
    sb_addstr(
        out,
        "# Written by pyshim: the shared libraries this environment sees.\n"
        "# Do not edit: it is rewritten from .pyshim.json; `pyshim which` explains it.\n");
    for (i = 0; i < sites->nr; i++)
        if (plain_line_ok(sites->v[i])) {
            sb_addstr(out, sites->v[i]);
            sb_addch(out, '\n');
        }
    /* What the shared dirs' own .pth files add, for static tools: at run
     * time activate() adds them again (a no-op, site.py skips a dir it
     * has) and runs those files' import lines. */
    for (i = 0; nested && i < nested->nr; i++)
        if (plain_line_ok(nested->v[i])) {
            sb_addstr(out, nested->v[i]);
            sb_addch(out, '\n');
        }
    /* The data _pyshim_hook.activate() reads: a comment to site.py and to
     * static tools, pure ASCII so no reader can split it. */
    sb_addstr(out, "# pyshim-dirs:");
    for (i = 0; i < sites->nr; i++) {
        size_t n = strlen(sites->v[i]);
        char *w;

        /* written in place: a call per hex digit cost ~30 instructions */
        sb_grow(out, 1 + 2 * n);
        w = out->buf + out->len;
        *w++ = ' ';
        for (c = (const unsigned char *)sites->v[i]; *c; c++, w += 2)
            memcpy(w, hex_pairs + 2 * *c, 2);
        sb_setlen(out, out->len + 1 + 2 * n);
    }
    sb_addstr(out, "\nimport _pyshim_hook; _pyshim_hook.activate()\n");
}

/* Does dir/name hold exactly want (len bytes)? A missing file holds
 * nothing: it "holds" an empty want. */
static int file_holds(const char *dir, const char *name, const char *want,
                      size_t len)
{
    struct sb path = SB_INIT, old = SB_INIT;
    int have, ret;

    path_join(&path, dir, name);
    have = plat_read_file(path.buf, 1 << 20, &old) == 0;
    ret = have ? old.len == len && !memcmp(old.buf, want, len) : !len;
    sb_release(&path);
    sb_release(&old);
    return ret;
}

int hook_is_current(const char *site_dir, const struct sb *content)
{
    const char *mod = content->len ? hook_module : "";
    const char *start = content->len ? hook_start : "";

    return file_holds(site_dir, HOOK_FILE, content->buf, content->len) &&
           file_holds(site_dir, HOOK_MODULE_FILE, mod, strlen(mod)) &&
           file_holds(site_dir, HOOK_START_FILE, start, strlen(start));
}

/* Make dir/name hold want (len bytes; 0: no file). */
static int sync_file(const char *dir, const char *name, const char *want,
                     size_t len, int *changed, struct err *e)
{
    struct sb path = SB_INIT;
    int ret = -1;

    if (file_holds(dir, name, want, len))
        return 0;
    path_join(&path, dir, name);
    if (!len) {
        if (plat_unlink(path.buf) < 0 && errno != ENOENT) {
            err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot remove '%s': %s",
                    path.buf, plat_strerror(errno));
            goto out;
        }
    } else if (plat_write_atomic(path.buf, want, len, 0644) < 0) {
        err_set(e, PYSHIM_EXIT_CANTCREAT,
                "cannot write the shared-libraries hook '%s': %s", path.buf,
                plat_strerror(errno));
        err_hint(e, "make '%s' writable, or run `pyshim doctor`", dir);
        goto out;
    }
    *changed = 1;
    ret = 0;
out:
    sb_release(&path);
    return ret;
}

int hook_sync(const char *site_dir, const struct sb *content, int *changed,
              struct err *e)
{
    *changed = 0;
    if (!content->len) /* the entry point goes first, its module last */
        return sync_file(site_dir, HOOK_START_FILE, "", 0, changed, e) ||
                       sync_file(site_dir, HOOK_FILE, "", 0, changed, e) ||
                       sync_file(site_dir, HOOK_MODULE_FILE, "", 0, changed, e)
                   ? -1
                   : 0;
    return sync_file(site_dir, HOOK_MODULE_FILE, hook_module,
                     strlen(hook_module), changed, e) ||
                   sync_file(site_dir, HOOK_FILE, content->buf, content->len,
                             changed, e) ||
                   sync_file(site_dir, HOOK_START_FILE, hook_start,
                             strlen(hook_start), changed, e)
               ? -1
               : 0;
}
