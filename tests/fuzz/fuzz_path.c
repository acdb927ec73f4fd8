/*
 * fuzz_path: the lexical path functions and the PATH splitter. The input
 * is split at NUL bytes into a path, a base directory and a home directory
 * (missing parts are empty; an empty home stands for "no home").
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "common/sv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What path_normalize promises: no empty or "." components, ".." only at
 * the start of a relative path, no trailing "/" but the root's, never
 * empty. */
static void check_normal(const char *p)
{
    const char *s = p;
    int abs = p[0] == '/', named = 0;

    if (!*p)
        abort();
    if (abs && !p[1])
        return;
    if (abs)
        s++;
    while (*s) {
        const char *end = strchr(s, '/');
        size_t n = end ? (size_t)(end - s) : strlen(s);

        if (n == 0)
            abort();
        if (n == 1 && s[0] == '.' && strcmp(p, "."))
            abort();
        if (n == 2 && s[0] == '.' && s[1] == '.') {
            if (abs || named)
                abort();
        } else {
            named = 1;
        }
        s += n;
        if (*s == '/' && !*++s)
            abort(); /* trailing slash */
    }
}

static void check_normalize(const char *in)
{
    struct sb a = SB_INIT, b = SB_INIT;

    sb_addstr(&a, in);
    path_normalize(&a);
    if (a.len != strlen(a.buf))
        abort();
    check_normal(a.buf);
    if (path_is_abs(in) != path_is_abs(a.buf))
        abort();
    sb_addstr(&b, a.buf);
    path_normalize(&b);
    if (strcmp(a.buf, b.buf))
        abort(); /* idempotent */
    if (path_is_abs(a.buf) && !path_is_inside(a.buf, "/"))
        abort();
    if (!path_is_inside(a.buf, a.buf))
        abort();
    sb_release(&a);
    sb_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 3);
    const char *p, *base, *home;
    struct sb out = SB_INIT;
    struct sv list = SV_INIT;
    struct err e = ERR_INIT;
    size_t i;

    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = buf[size + 1] = buf[size + 2] = '\0';
    p = buf;
    base = p + strlen(p) + 1;
    if (base > buf + size)
        base = buf + size + 1;
    home = base + strlen(base) + 1;
    if (home > buf + size + 1)
        home = buf + size + 2;

    check_normalize(p);

    path_join(&out, base, p);
    check_normalize(out.buf);
    path_dirname(&out);
    if (!out.len || out.len != strlen(out.buf))
        abort();
    path_basename(p);
    path_is_inside(p, base);

    if (path_expand_user(&out, p, *home ? home : NULL) == 0)
        (void)out.len;
    /* a relative base would let path_absolute ask for the cwd: keep it
     * lexical */
    if (path_is_abs(base) &&
        path_absolute(&out, p, base, *home ? home : NULL, &e) == 0) {
        check_normal(out.buf);
        if (!path_is_abs(out.buf))
            abort();
    }
    /* p as a PATH: only absolute, non-empty single entries come out */
    path_split_list(p, &list);
    for (i = 0; i < list.nr; i++)
        if (!path_is_abs(list.v[i]) || strchr(list.v[i], PLAT_PATHSEP))
            abort();
    sv_release(&list);
    err_release(&e);
    sb_release(&out);
    free(buf);
    return 0;
}
