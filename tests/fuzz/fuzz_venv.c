/*
 * fuzz_venv: venv_parse_cfg on arbitrary bytes, as a pyvenv.cfg.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "launcher/venv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A value is one trimmed line. */
static void check_value(const char *s)
{
    size_t n;

    if (!s)
        return;
    n = strlen(s);
    if (strchr(s, '\n'))
        abort();
    if (n && strchr(" \t\r", s[0]))
        abort();
    if (n && strchr(" \t\r", s[n - 1]))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct venv v = VENV_INIT;
    struct err e = ERR_INIT;
    char buf[32];

    if (venv_parse_cfg(&v, "/v/pyvenv.cfg", (const char *)data, size, &e) < 0) {
        if (!e.msg)
            abort();
    } else {
        check_value(v.home);
        check_value(v.executable);
        if (v.ver.major < 0 && (v.ver.minor >= 0 || v.ver.micro >= 0))
            abort();
        pyver_str(&v.ver, buf, sizeof(buf));
    }
    venv_release(&v);
    err_release(&e);
    return 0;
}
