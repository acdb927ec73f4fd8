/*
 * fuzz_pyversion: pyverfile_parse on arbitrary bytes, as a
 * .python-version file.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/sb.h"
#include "config/pyverfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sb out = SB_INIT;
    struct err e = ERR_INIT;

    if (pyverfile_parse("/p/.python-version", (const char *)data, size, &out,
                        &e) < 0) {
        if (!e.msg)
            abort();
    } else {
        /* one word: not empty, no white space, no comment (a U+FEFF past
         * the start is text, not a BOM, and may stay) */
        if (!out.len || out.len != strlen(out.buf) || out.buf[0] == '#')
            abort();
        if (strpbrk(out.buf, " \t\r\n"))
            abort();
        if (size > 3 && !memcmp(data, "\xef\xbb\xbf", 3) && isalnum(data[3]) &&
            out.buf[0] != (char)data[3])
            abort(); /* the leading BOM is skipped */
    }
    sb_release(&out);
    err_release(&e);
    return 0;
}
