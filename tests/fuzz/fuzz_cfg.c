/*
 * fuzz_cfg: cfg_parse on arbitrary bytes, as a .pyshim.json. The input is
 * the whole file; the file name and home are fixed so that relative
 * paths, "~" and "~user" all take their real branches.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/path.h"
#include "config/cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every path cfg_parse hands back is absolute and normalized. */
static void check_path(const char *p)
{
    struct sb n = SB_INIT;

    if (!path_is_abs(p))
        abort();
    sb_addstr(&n, p);
    path_normalize(&n);
    if (strcmp(n.buf, p))
        abort();
    sb_release(&n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cfg c = CFG_INIT;
    struct err e = ERR_INIT;
    size_t i;

    if (cfg_parse(&c, "/proj/sub/.pyshim.json", (const char *)data, size,
                  "/home/u", &e) < 0) {
        if (!e.msg)
            abort(); /* every failure explains itself */
    } else {
        if (c.python && c.python_is_path)
            check_path(c.python);
        if (c.venv)
            check_path(c.venv);
        for (i = 0; i < c.shared.nr; i++)
            if (!cfg_is_name(c.shared.v[i]))
                check_path(c.shared.v[i]);
        for (i = 0; i < c.env.nr; i++)
            if (!strchr(c.env.v[i], '='))
                abort();
        cfg_mode_name(c.mode);
    }
    cfg_release(&c);
    err_release(&e);
    return 0;
}
