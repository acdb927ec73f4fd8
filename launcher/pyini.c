#include "launcher/pyini.h"

#include <string.h>

#include "common/ascii.h"
#include "common/jsonkv.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/utf8.h"
#include "common/banned.h"

#define PYINI_MAX (64 * 1024) /* py.ini is a few lines */

static int blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* [*s, *e) without blanks at either end. */
static void trim(const char **s, const char **e)
{
    while (*s < *e && blank(**s))
        (*s)++;
    while (*e > *s && blank((*e)[-1]))
        (*e)--;
}

/* The value of key in [defaults] of UTF-8 text. */
static int parse_utf8(const char *p, const char *end, const char *key,
                      struct sb *out)
{
    int in_defaults = 0;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end, *s = p, *eq;

        p = nl ? nl + 1 : end;
        trim(&s, &e);
        if (s == e || *s == ';' || *s == '#')
            continue;
        if (*s == '[') {
            const char *close = memchr(s, ']', (size_t)(e - s));
            const char *ns = s + 1, *ne = close ? close : e;

            trim(&ns, &ne);
            in_defaults =
                close && ascii_ieqn(ns, (size_t)(ne - ns), "defaults");
            continue;
        }
        eq = memchr(s, '=', (size_t)(e - s));
        if (!in_defaults || !eq)
            continue;
        {
            const char *ks = s, *ke = eq, *vs = eq + 1, *ve = e;

            trim(&ks, &ke);
            if (!ascii_ieqn(ks, (size_t)(ke - ks), key))
                continue;
            trim(&vs, &ve);
            if (ve - vs >= 2 && ((*vs == '"' && ve[-1] == '"') ||
                                 (*vs == '\'' && ve[-1] == '\''))) {
                vs++;
                ve--;
            }
            if (vs == ve || memchr(vs, '\0', (size_t)(ve - vs)))
                continue;
            sb_reset(out);
            sb_add(out, vs, (size_t)(ve - vs));
            return 1;
        }
    }
    return 0;
}

int pyini_parse(const char *text, size_t len, const char *key, struct sb *out)
{
    const unsigned char *u = (const unsigned char *)text;
    struct sb conv = SB_INIT;
    int ret;

    if (len >= 2 && u[0] == 0xff && u[1] == 0xfe) {
        /* a lone surrogate becomes U+FFFD, as Windows reads it */
        utf8_from_utf16(u + 2, len - 2, UTF16_LE | UTF16_REPLACE, &conv);
        ret = parse_utf8(conv.buf, conv.buf + conv.len, key, out);
        sb_release(&conv);
        return ret;
    }
    if (len >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf) {
        text += 3;
        len -= 3;
    }
    return parse_utf8(text, text + len, key, out);
}

/* The py.ini path: %LOCALAPPDATA%\py.ini. */
static int ini_path(const char *dir, struct sb *out)
{
    if (!dir || !*dir || !path_is_abs(dir))
        return -1;
    path_join(out, dir, "py.ini");
    return 0;
}

static int lookup(const struct pyini_env *env, const char *major,
                  struct sb *out, struct sb *from)
{
    struct sb name = SB_INIT, path = SB_INIT, text = SB_INIT;
    const char *v;
    int ret = 0;

    sb_addf(&name, "PY_PYTHON%s", major);
    v = !*major               ? env->py_python
        : !strcmp(major, "3") ? env->py_python3
                              : plat_getenv(name.buf);
    if (v && *v) {
        sb_set(out, v);
        if (from)
            sb_set(from, name.buf);
        ret = 1;
        goto out;
    }
    sb_reset(&name);
    sb_addf(&name, "python%s", major);
    if (ini_path(env->localappdata, &path) < 0 ||
        plat_read_file(path.buf, PYINI_MAX, &text) < 0)
        goto out;
    ret = pyini_parse(text.buf, text.len, name.buf, out);
    if (ret && from)
        sb_set(from, path.buf);
out:
    sb_release(&name);
    sb_release(&path);
    sb_release(&text);
    return ret;
}

void pyini_env_read(struct pyini_env *env)
{
    env->py_python = plat_getenv("PY_PYTHON");
    env->py_python3 = plat_getenv("PY_PYTHON3");
    env->localappdata = plat_getenv("LOCALAPPDATA");
    env->python_manager_default = plat_getenv("PYTHON_MANAGER_DEFAULT");
    env->appdata = plat_getenv("APPDATA");
}

/* A manager default as a request: blanks dropped, "Company\Tag" as
 * "Company/Tag"; 0 for "" and for a value holding '%'. */
static int manager_value(const char *v, struct sb *out)
{
    const char *s = v, *e = v + strlen(v);
    size_t i;

    trim(&s, &e);
    if (s == e || memchr(s, '%', (size_t)(e - s)))
        return 0;
    sb_reset(out);
    sb_add(out, s, (size_t)(e - s));
    for (i = 0; i < out->len; i++)
        if (out->buf[i] == '\\')
            out->buf[i] = '/';
    return 1;
}

int pyini_manager_parse(const char *text, size_t len, struct sb *out)
{
    struct sb v = SB_INIT;
    int ret;

    if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
        text += 3;
        len -= 3;
    }
    ret = jsonkv_top_string(text, len, "default_tag", &v) == 1 &&
          manager_value(v.buf, out);
    sb_release(&v);
    return ret;
}

int pyini_manager_request_env(const struct pyini_env *env, struct sb *out,
                              struct sb *from)
{
    struct sb path = SB_INIT, text = SB_INIT;
    int ret = 0;

    if (env->python_manager_default &&
        manager_value(env->python_manager_default, out)) {
        if (from)
            sb_set(from, "PYTHON_MANAGER_DEFAULT");
        return 1;
    }
    if (!env->appdata || !*env->appdata || !path_is_abs(env->appdata))
        return 0;
    path_join(&path, env->appdata, "Python");
    path_join(&path, path.buf, "PyManager.json");
    if (!plat_read_file(path.buf, PYINI_MAX, &text) &&
        pyini_manager_parse(text.buf, text.len, out)) {
        if (from)
            sb_set(from, path.buf);
        ret = 1;
    }
    sb_release(&path);
    sb_release(&text);
    return ret;
}

int pyini_default(const char *major, struct sb *out)
{
    struct pyini_env env;

    pyini_env_read(&env);
    return lookup(&env, major ? major : "", out, NULL);
}

int pyini_request(struct sb *out, struct sb *from)
{
    struct pyini_env env;

    pyini_env_read(&env);
    return pyini_request_env(&env, out, from);
}

int pyini_request_env(const struct pyini_env *env, struct sb *out,
                      struct sb *from)
{
    struct sb v = SB_INIT, f = SB_INIT;
    int ret = lookup(env, "", out, from);

    /* "python=3" leaves the minor to python3=, as `py` does */
    if (ret && out->len == 1 && out->buf[0] >= '0' && out->buf[0] <= '9' &&
        lookup(env, out->buf, &v, &f)) {
        sb_set(out, v.buf);
        if (from)
            sb_set(from, f.buf);
    }
    sb_release(&v);
    sb_release(&f);
    return ret;
}
