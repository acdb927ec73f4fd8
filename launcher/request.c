/*
 * request: the name the shim was called by (launcher/request.h).
 */
#include "launcher/request.h"

#include <string.h>

#include "common/ascii.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/banned.h"

void request_name(const char *invoked, struct sb *out)
{
    size_t n, k = sizeof(PLAT_EXE_SUFFIX) - 1, i;

    sb_set(out, path_basename(invoked));
    if (!PLAT_WINDOWS)
        return;
    for (i = 0; i < out->len; i++)
        out->buf[i] = ascii_lower(out->buf[i]);
    n = out->len;
    if (n > k && !strcmp(out->buf + n - k, PLAT_EXE_SUFFIX))
        sb_setlen(out, n - k);
}

void request_parse(const char *invoked, struct request *r)
{
    struct sb nb = SB_INIT;
    const char *name, *rest = NULL;

    r->is_pip = 0;
    r->ft = 0;
    r->pin.major = r->pin.minor = r->pin.micro = -1;
    request_name(invoked, &nb);
    name = nb.buf;
    if (!strncmp(name, "pip", 3)) {
        r->is_pip = 1;
        rest = name + 3;
    } else if (!strncmp(name, "python", 6)) {
        rest = name + 6;
    }
    if (rest && *rest && !pyver_parse(rest, &r->pin, 0))
        r->ft = pyver_req_ft(rest);
    sb_release(&nb);
}
