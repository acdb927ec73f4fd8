#include "launcher/pyargs.h"

#include <string.h>

#include "common/banned.h"

const char *pyargs_script(int argc, char *const argv[])
{
    int i;

    for (i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *p;

        if (a[0] != '-' || !strcmp(a, "-"))
            return a;
        if (!strcmp(a, "--"))
            return i + 1 < argc ? argv[i + 1] : NULL;
        if (a[1] == '-') {
            /* long options: only --check-hash-based-pycs takes a value */
            if (!strcmp(a, "--check-hash-based-pycs"))
                i++;
            else if (!strcmp(a, "--help") || !strcmp(a, "--version") ||
                     !strncmp(a, "--help-", 7))
                return NULL;
            continue;
        }
        /* a cluster of short options, e.g. -BuWerror or -Xdev */
        for (p = a + 1; *p; p++) {
            if (*p == 'c' || *p == 'm')
                return NULL; /* the rest is code or a module */
            if (*p == 'W' || *p == 'X') {
                if (!p[1])
                    i++; /* value is the next argument */
                break;
            }
            if (*p == 'h' || *p == 'V' || *p == '?')
                return NULL;
        }
    }
    return NULL;
}
