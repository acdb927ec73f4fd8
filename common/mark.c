#include "common/mark.h"

#include <string.h>

#include "common/plat.h"
#include "common/sb.h"
#include "common/banned.h"

/* The mark is read through a volatile pointer, so the compiler keeps the
 * bytes in the binary and cannot fold the comparison into immediates. */
static const char pyshim_mark[] = MARK_STRING;
static const char *volatile pyshim_mark_p = pyshim_mark;

#define MARKED_MAX (64u << 20)

int mark_is_program(const char *data, size_t len)
{
    static const char *const magics[] = {"MZ",
                                         "\x7f"
                                         "ELF",
                                         "\xfe\xed\xfa\xce",
                                         "\xfe\xed\xfa\xcf",
                                         "\xce\xfa\xed\xfe",
                                         "\xcf\xfa\xed\xfe",
                                         "\xca\xfe\xba\xbe",
                                         NULL};
    size_t i;

    for (i = 0; magics[i]; i++)
        if (len >= strlen(magics[i]) &&
            !memcmp(data, magics[i], strlen(magics[i])))
            return 1;
    return 0;
}

int mark_in(const char *data, size_t len)
{
    const char *mark = pyshim_mark_p;
    size_t n = strlen(mark);
    /* memchr for the ':', a byte 4 times rarer in programs than the
     * leading 'p': a 7 MB python is read and searched in about 1 ms */
    size_t at = (size_t)(strchr(mark, ':') - mark);
    const char *p, *end = data + len;

    if (!mark_is_program(data, len) || len < n)
        return 0;
    for (p = data + at; (size_t)(end - p) >= n - at &&
                        (p = memchr(p, ':', (size_t)(end - p) - (n - at) + 1));
         p++)
        if (!memcmp(p - at, mark, n))
            return 1;
    return 0;
}

int mark_file_is_program(const char *path)
{
    struct plat_stat st;
    struct sb head = SB_INIT;
    int ret;

    if (plat_stat(path, &st, 1) < 0 || !st.is_reg)
        return 0;
    ret =
        !plat_read_head(path, 4, &head) && mark_is_program(head.buf, head.len);
    sb_release(&head);
    return ret;
}

int mark_file_is_pyshim(const char *path)
{
    struct plat_stat st;
    struct sb s = SB_INIT;
    int ret = 0;

    if (plat_read_head(path, 4, &s) < 0 || !mark_is_program(s.buf, s.len))
        goto out;
    if (!memcmp(s.buf,
                "\x7f"
                "ELF",
                4)) {
        ret = !plat_read_head(path, MARK_ELF_HEAD, &s) && mark_in(s.buf, s.len);
        goto out;
    }
    if (plat_stat(path, &st, 1) < 0 || !st.is_reg || st.size >= MARKED_MAX)
        goto out;
    ret = !plat_read_file(path, MARKED_MAX, &s) && mark_in(s.buf, s.len);
out:
    sb_release(&s);
    return ret;
}
