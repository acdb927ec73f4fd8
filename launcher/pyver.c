#include "launcher/pyver.h"

#include <stdio.h>
#include <string.h>

#include "common/banned.h"

static int number(const char **s)
{
    long n = 0;
    const char *p = *s;

    if (*p < '0' || *p > '9')
        return -1;
    while (*p >= '0' && *p <= '9' && n < 100000)
        n = n * 10 + (*p++ - '0');
    if (*p >= '0' && *p <= '9')
        return -1;
    *s = p;
    return (int)n;
}

int pyver_parse(const char *s, struct pyver *v, int lenient)
{
    static const char *const prefixes[] = {"cpython@", "cpython-", "cpython",
                                           "python", NULL};
    int i;

    v->major = v->minor = v->micro = -1;
    for (i = 0; prefixes[i]; i++) {
        size_t n = strlen(prefixes[i]);

        if (!strncmp(s, prefixes[i], n)) {
            s += n;
            break;
        }
    }
    if ((v->major = number(&s)) < 0)
        goto bad;
    if (*s == '.') {
        s++;
        if ((v->minor = number(&s)) < 0)
            goto bad;
        if (*s == '.') {
            s++;
            if ((v->micro = number(&s)) < 0)
                goto bad;
        }
    }
    if (*s && !lenient)
        goto bad;
    return 0;
bad:
    v->major = v->minor = v->micro = -1;
    return -1;
}

int pyver_matches(const struct pyver *v, const struct pyver *r)
{
    if (r->major >= 0 && v->major != r->major)
        return 0;
    if (r->minor >= 0 && v->minor != r->minor)
        return 0;
    if (r->micro >= 0 && v->micro != r->micro)
        return 0;
    return 1;
}

int pyver_cmp(const struct pyver *a, const struct pyver *b)
{
    if (a->major != b->major)
        return a->major < b->major ? -1 : 1;
    if (a->minor != b->minor)
        return a->minor < b->minor ? -1 : 1;
    if (a->micro != b->micro)
        return a->micro < b->micro ? -1 : 1;
    return 0;
}

const char *pyver_str(const struct pyver *v, char *buf, unsigned size)
{
    if (v->major < 0)
        snprintf(buf, size, "?");
    else if (v->minor < 0)
        snprintf(buf, size, "%d", v->major);
    else if (v->micro < 0)
        snprintf(buf, size, "%d.%d", v->major, v->minor);
    else
        snprintf(buf, size, "%d.%d.%d", v->major, v->minor, v->micro);
    return buf;
}
