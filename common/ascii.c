#include "common/ascii.h"

#include <string.h>

#include "common/banned.h"

char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

int ascii_istarts(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++)
        if (ascii_lower(*s) != ascii_lower(*prefix))
            return 0;
    return 1;
}

int ascii_ieqn(const char *s, size_t n, const char *want)
{
    size_t i;

    if (strlen(want) != n)
        return 0;
    for (i = 0; i < n; i++)
        if (ascii_lower(s[i]) != ascii_lower(want[i]))
            return 0;
    return 1;
}

int ascii_ieq(const char *a, const char *b)
{
    return ascii_ieqn(a, strlen(a), b);
}
