#include "common/pyver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ascii.h"
#include "common/plat.h"
#include "common/xalloc.h"
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

/* "[t][-32|-64|-arm64]" exactly (b is lower case). */
static int tag_suffix(const char *s, struct pyver_tag *t)
{
    static const struct {
        const char *text;
        enum pyver_plat plat;
    } plats[] = {{"-32", PYVER_PLAT_32},
                 {"-64", PYVER_PLAT_64},
                 {"-arm64", PYVER_PLAT_ARM64}};
    size_t i;

    t->ft = 0;
    t->plat = PYVER_PLAT_ANY;
    if (ascii_lower(*s) == 't') {
        t->ft = 1;
        s++;
    }
    if (!*s)
        return 0;
    for (i = 0; i < sizeof(plats) / sizeof(*plats); i++)
        if (ascii_ieq(s, plats[i].text)) {
            t->plat = plats[i].plat;
            return 0;
        }
    return -1;
}

/* "X[.Y[.Z]]" at *s, advancing *s past it. */
static int numbers(const char **s, struct pyver *v)
{
    v->major = v->minor = v->micro = -1;
    if ((v->major = number(s)) < 0)
        return -1;
    if (**s != '.')
        return 0;
    (*s)++;
    if ((v->minor = number(s)) < 0)
        return -1;
    if (**s != '.')
        return 0;
    (*s)++;
    return (v->micro = number(s)) < 0 ? -1 : 0;
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
    if (*s && !lenient) {
        struct pyver_tag t;

        /* the py launcher's "3.12-32", "3.13t" (the suffix's meaning is
         * read again from the request's text by interp_pick); elsewhere
         * only "t", a free-threaded build as CPython names it
         * (python3.13t, lib/python3.13t) */
        if (v->minor < 0 || tag_suffix(s, &t) < 0 ||
            (!PLAT_WINDOWS && strcmp(s, "t")))
            goto bad;
    }
    return 0;
bad:
    v->major = v->minor = v->micro = -1;
    return -1;
}

int pyver_req_ft(const char *s)
{
    struct pyver v;
    const char *end;

    /* accepted by pyver_parse, and the numbers end in "t" (on Windows a
     * platform may follow: "3.13t-arm64"); the numbers come after any
     * "cpython-" prefix, so the first '-' after a digit ends them */
    if (pyver_parse(s, &v, 0) < 0 || v.minor < 0)
        return 0;
    while (*s && (*s < '0' || *s > '9'))
        s++;
    end = strchr(s, '-');
    if (!end)
        end = s + strlen(s);
    return end > s && ascii_lower(end[-1]) == 't';
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

static void tag_clear(struct pyver_tag *t)
{
    t->ver.major = t->ver.minor = t->ver.micro = -1;
    t->ft = 0;
    t->plat = PYVER_PLAT_ANY;
}

int pyver_parse_tag(const char *s, struct pyver_tag *t)
{
    struct pyver v;

    tag_clear(t);
    if (numbers(&s, &v) < 0 || (ascii_lower(*s) == 't' && v.minor < 0) ||
        tag_suffix(s, t) < 0) {
        tag_clear(t);
        return -1;
    }
    t->ver = v;
    return 0;
}

int pyver_plat_matches(enum pyver_plat have, enum pyver_plat want)
{
    if (have == PYVER_PLAT_ANY)
        have = PYVER_PLAT_64;
    switch (want) {
    case PYVER_PLAT_32:
        return have == PYVER_PLAT_32;
    case PYVER_PLAT_64:
        return have != PYVER_PLAT_32;
    case PYVER_PLAT_ARM64:
        return have == PYVER_PLAT_ARM64;
    case PYVER_PLAT_ANY:
        break;
    }
    return 1;
}

const char *pyver_plat_suffix(enum pyver_plat p)
{
    switch (p) {
    case PYVER_PLAT_32:
        return "-32";
    case PYVER_PLAT_64:
        return "-64";
    case PYVER_PLAT_ARM64:
        return "-arm64";
    case PYVER_PLAT_ANY:
        break;
    }
    return "";
}

/* The platform of a CPU name as uv and python-build-standalone write it. */
static enum pyver_plat arch_plat(const char *arch, size_t n)
{
    static const struct {
        const char *name;
        enum pyver_plat plat;
    } arches[] = {{"x86_64", PYVER_PLAT_64},   {"amd64", PYVER_PLAT_64},
                  {"x86", PYVER_PLAT_32},      {"i686", PYVER_PLAT_32},
                  {"i386", PYVER_PLAT_32},     {"aarch64", PYVER_PLAT_ARM64},
                  {"arm64", PYVER_PLAT_ARM64}, {NULL, PYVER_PLAT_ANY}};
    size_t i;

    for (i = 0; arches[i].name; i++)
        if (strlen(arches[i].name) == n && ascii_istarts(arch, arches[i].name))
            return arches[i].plat;
    return PYVER_PLAT_ANY;
}

int pyver_parse_uv(const char *name, struct pyver_tag *t)
{
    const char *s = name, *os, *arch, *end;
    struct pyver v;
    int ft = 0;

    tag_clear(t);
    if (strncmp(s, "cpython-", 8))
        return -1;
    s += 8;
    if (numbers(&s, &v) < 0 || v.micro < 0)
        return -1;
    /* pre-releases: "3.14.0a1", "3.14.0rc2" */
    while ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9'))
        s++;
    if (!strncmp(s, "+freethreaded", 13)) {
        ft = 1;
        s += 13;
    }
    /* "-OS-ARCH-LIBC"; "+debug" and other variants end here */
    if (*s != '-')
        return -1;
    os = s + 1;
    if (!(arch = strchr(os, '-')) || arch == os)
        return -1;
    arch++;
    if (!(end = strchr(arch, '-')) || end == arch || !end[1])
        return -1;
    t->ver = v;
    t->ft = ft;
    t->plat = arch_plat(arch, (size_t)(end - arch));
    return 0;
}

int pyver_parse_pyenv_win(const char *name, struct pyver_tag *t)
{
    static const struct {
        const char *text;
        enum pyver_plat plat;
    } plats[] = {{"", PYVER_PLAT_ANY},
                 {"-win32", PYVER_PLAT_32},
                 {"-amd64", PYVER_PLAT_64},
                 {"-arm", PYVER_PLAT_ARM64},
                 {"-arm64", PYVER_PLAT_ARM64}};
    const char *s = name;
    struct pyver v;
    size_t i;
    int ft = 0;

    tag_clear(t);
    if (numbers(&s, &v) < 0 || v.micro < 0)
        return -1;
    if (*s == 't') {
        ft = 1;
        s++;
    }
    for (i = 0; i < sizeof(plats) / sizeof(*plats); i++)
        if (ascii_ieq(s, plats[i].text)) {
            t->ver = v;
            t->ft = ft;
            t->plat = plats[i].plat;
            return 0;
        }
    return -1;
}

int pyver_parse_pymanager(const char *name, struct pyver_tag *t)
{
    static const char prefix[] = "pythoncore-";

    tag_clear(t);
    if (!ascii_istarts(name, prefix) ||
        pyver_parse_tag(name + sizeof(prefix) - 1, t) < 0 || t->ver.minor < 0) {
        tag_clear(t);
        return -1;
    }
    return 0;
}

int pyver_parse_dll(const char *name, struct pyver_tag *t)
{
    const char *s = name;
    size_t n = 0, i;
    int minor = 0;

    tag_clear(t);
    if (!ascii_istarts(s, "python"))
        return -1;
    s += 6;
    /* "3" + minor: "312", "27"; python3.dll is the stable ABI */
    while (s[n] >= '0' && s[n] <= '9')
        n++;
    if (n < 2 || n > 4 || s[0] == '0')
        return -1;
    for (i = 1; i < n; i++)
        minor = minor * 10 + (s[i] - '0');
    if (n > 2 && s[1] == '0')
        return -1; /* "3012" */
    if (ascii_lower(s[n]) == 't') {
        t->ft = 1;
        n++;
    }
    if (!ascii_ieq(s + n, ".dll")) {
        tag_clear(t);
        return -1;
    }
    t->ver.major = s[0] - '0';
    t->ver.minor = minor;
    return 0;
}

int pyver_parse_exe(const char *name, struct pyver_tag *t)
{
    size_t n = strlen(name);
    char *rest;
    int ret = 0;

    tag_clear(t);
    if (n < 10 || !ascii_istarts(name, "python") ||
        !ascii_ieq(name + n - 4, ".exe"))
        return -1;
    if (n == 10)
        return 0; /* python.exe */
    rest = xstrndup(name + 6, n - 10);
    ret = pyver_parse_tag(rest, t);
    free(rest);
    return ret;
}

void pyver_from_pep514(const char *company, const char *tag,
                       const char *sys_version, const char *version,
                       const char *sys_arch, int wow32, struct pyver_tag *t)
{
    struct pyver_tag fromtag;
    struct pyver sv, fv;
    int tag_ok = tag && !pyver_parse_tag(tag, &fromtag);

    tag_clear(t);
    if (!sys_version || pyver_parse(sys_version, &sv, 1) < 0)
        sv.major = -1;
    if (!version || pyver_parse(version, &fv, 1) < 0)
        fv.major = -1;
    if (sv.major >= 0) {
        t->ver = sv;
        t->ver.micro = -1;
        if (fv.major == sv.major && fv.minor == sv.minor)
            t->ver.micro = fv.micro;
    } else if (fv.major >= 0) {
        t->ver = fv;
    } else if (tag_ok && company && ascii_ieq(company, "pythoncore")) {
        t->ver = fromtag.ver;
    }
    if (tag_ok) {
        t->ft = fromtag.ft;
        t->plat = fromtag.plat;
    }
    if (t->plat == PYVER_PLAT_ANY && sys_arch) {
        if (ascii_ieq(sys_arch, "32bit"))
            t->plat = PYVER_PLAT_32;
        else if (ascii_ieq(sys_arch, "64bit"))
            t->plat = PYVER_PLAT_64;
    }
    if (t->plat == PYVER_PLAT_ANY && wow32)
        t->plat = PYVER_PLAT_32;
}

int pyver_is_company_tag(const char *s)
{
    const char *slash = strchr(s, '/'), *p;
    size_t n = strlen(s);

    if (!slash || slash == s || *s == '.' || *s == '~' ||
        strchr(slash + 1, '/') || strpbrk(slash + 1, "\\:"))
        return 0;
    if (n >= 4 && s[n - 4] == '.' && (s[n - 3] | 0x20) == 'e' &&
        (s[n - 2] | 0x20) == 'x' && (s[n - 1] | 0x20) == 'e')
        return 0;
    for (p = s; p < slash; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-' ||
              *p == ' '))
            return 0;
    return 1;
}

int pyver_split_company_tag(const char *s, struct sb *company, struct sb *tag)
{
    const char *slash = strchr(s, '/');

    if (!pyver_is_company_tag(s))
        return 0;
    sb_reset(company);
    sb_add(company, s, (size_t)(slash - s));
    sb_set(tag, slash + 1);
    return 1;
}

int pyver_tag_matches(const char *have, const char *want)
{
    size_t n = strlen(want);
    size_t i;

    if (!n)
        return 1;
    if (strlen(have) < n)
        return 0;
    for (i = 0; i < n; i++)
        if (ascii_lower(have[i]) != ascii_lower(want[i]))
            return 0;
    return !have[n] || have[n] == '.' || have[n] == '-';
}
