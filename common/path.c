#include "common/path.h"

#include <errno.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/plat.h"
#include "common/xalloc.h"
#include "common/banned.h"

int path_is_abs(const char *p)
{
    return p[0] == '/';
}

void path_join(struct sb *out, const char *dir, const char *name)
{
    struct sb tmp = SB_INIT;

    if (path_is_abs(name) || !*dir) {
        sb_addstr(&tmp, name);
    } else {
        sb_addstr(&tmp, dir);
        if (tmp.len && tmp.buf[tmp.len - 1] != '/')
            sb_addch(&tmp, '/');
        sb_addstr(&tmp, name);
    }
    sb_set(out, tmp.buf);
    sb_release(&tmp);
}

void path_normalize(struct sb *p)
{
    struct sb out = SB_INIT;
    int abs = path_is_abs(p->buf);
    size_t ups = 0; /* leading ".." components kept in a relative path */
    const char *s = p->buf;

    if (abs)
        sb_addch(&out, '/');
    while (*s) {
        const char *end = strchr(s, '/');
        size_t n = end ? (size_t)(end - s) : strlen(s);

        if (n == 2 && s[0] == '.' && s[1] == '.') {
            size_t base = abs ? 1 : ups * 3;

            if (out.len > base) {
                /* pop the last component */
                char *slash;

                sb_setlen(&out, out.len - 1); /* its trailing '/' */
                slash = strrchr(out.buf + base, '/');
                sb_setlen(&out, slash ? (size_t)(slash - out.buf) + 1 : base);
            } else if (!abs) {
                sb_addstr(&out, "../");
                ups++;
            }
        } else if (n && !(n == 1 && s[0] == '.')) {
            sb_add(&out, s, n);
            sb_addch(&out, '/');
        }
        s += n;
        if (*s == '/')
            s++;
    }
    if (out.len > 1 && out.buf[out.len - 1] == '/')
        sb_setlen(&out, out.len - 1);
    if (!out.len)
        sb_addch(&out, '.');
    sb_set(p, out.buf);
    sb_release(&out);
}

void path_dirname(struct sb *p)
{
    char *slash = strrchr(p->buf, '/');

    if (!slash)
        sb_set(p, ".");
    else if (slash == p->buf)
        sb_setlen(p, 1);
    else
        sb_setlen(p, (size_t)(slash - p->buf));
}

const char *path_basename(const char *p)
{
    const char *slash = strrchr(p, '/');

    return slash ? slash + 1 : p;
}

int path_expand_user(struct sb *out, const char *p, const char *home)
{
    if (p[0] == '~' && (p[1] == '/' || p[1] == '\0')) {
        struct sb tmp = SB_INIT;

        if (!home)
            return -1;
        sb_addstr(&tmp, home);
        sb_addstr(&tmp, p + 1);
        sb_set(out, tmp.buf);
        sb_release(&tmp);
        return 0;
    }
    sb_set(out, p);
    return 0;
}

int path_absolute(struct sb *out, const char *p, const char *base,
                  const char *home, struct err *e)
{
    struct sb tmp = SB_INIT, cwd = SB_INIT;
    int ret = -1;

    if (p[0] == '~' && p[1] != '/' && p[1] != '\0') {
        err_set(e, PYSHIM_EXIT_CONFIG, "'%s': '~user' paths are not supported",
                p);
        err_hint(e, "write the home directory out in full");
        goto out;
    }
    if (path_expand_user(&tmp, p, home) < 0) {
        err_set(e, PYSHIM_EXIT_CONFIG, "cannot expand '%s': no home directory",
                p);
        err_hint(e, "set HOME or use an absolute path");
        goto out;
    }
    if (!path_is_abs(tmp.buf)) {
        if (!base) {
            if (plat_getcwd(&cwd) < 0) {
                err_set(e, PYSHIM_EXIT_OSERR,
                        "cannot read the current directory: %s",
                        plat_strerror(errno));
                err_hint(e, "cd to a directory that exists");
                goto out;
            }
            base = cwd.buf;
        }
        path_join(&tmp, base, tmp.buf);
    }
    path_normalize(&tmp);
    sb_set(out, tmp.buf);
    ret = 0;
out:
    sb_release(&tmp);
    sb_release(&cwd);
    return ret;
}

int path_is_inside(const char *p, const char *dir)
{
    size_t n = strlen(dir);

    if (n == 1 && dir[0] == '/')
        return p[0] == '/';
    return !strncmp(p, dir, n) && (p[n] == '/' || p[n] == '\0');
}

void path_split_list(const char *list, struct sv *out)
{
    const char *p = list ? list : "";

    while (*p) {
        const char *end = strchr(p, PLAT_PATHSEP);
        size_t n = end ? (size_t)(end - p) : strlen(p);

        if (n && path_is_abs(p))
            sv_push_nodup(out, xstrndup(p, n));
        p += n + (end != NULL);
    }
}
