#include "common/path.h"

#include <errno.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/plat.h"
#include "common/xalloc.h"
#include "common/banned.h"

/* What a path's prefix says about where it starts. Only Windows has the
 * two half-way kinds. */
enum prefix_kind {
    PFX_NONE,      /* relative: "a\\b" */
    PFX_DRIVE_REL, /* "C:a": relative to drive C's current directory */
    PFX_CUR_ROOT,  /* "\\a": the root of the current drive */
    PFX_ABS        /* "/a", "C:\\a", "\\\\server\\share\\a" */
};

static int is_sep(char c)
{
    return c == '/' || (PLAT_WINDOWS && c == '\\');
}

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char to_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static char to_upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* Windows paths are caseless (ASCII here) and take either separator. */
static int ch_eq(char a, char b)
{
    if (!PLAT_WINDOWS)
        return a == b;
    if (is_sep(a) && is_sep(b))
        return 1;
    return to_lower(a) == to_lower(b);
}

static size_t span_nonsep(const char *s)
{
    size_t n = 0;

    while (s[n] && !is_sep(s[n]))
        n++;
    return n;
}

/* "server\\share" (+ one separator) at s: appends "\\\\server\\share\\" to
 * out (if not NULL), returns the bytes taken from s. Extra separators
 * before either name are skipped, so normalizing twice changes nothing. */
static size_t unc_tail(const char *s, struct sb *out)
{
    size_t i = 0, server, share = 0, share_at;

    while (is_sep(s[i]))
        i++;
    server = span_nonsep(s + i);
    if (out) {
        sb_addstr(out, "\\\\");
        sb_add(out, s + i, server);
    }
    if (!server) /* "\\\\" alone */
        return i;
    i += server;
    while (is_sep(s[i]))
        i++;
    share_at = i;
    share = span_nonsep(s + i);
    i += share;
    if (out) {
        sb_addch(out, '\\');
        if (share) {
            sb_add(out, s + share_at, share);
            sb_addch(out, '\\');
        }
    }
    if (is_sep(s[i]))
        i++;
    return i;
}

/* Parse p's prefix: returns how many bytes of p it takes and its kind, and
 * appends its normalized form to out (if not NULL): "/" on POSIX; on
 * Windows "C:\\" (drive upper-cased), "C:", "\\", "\\\\server\\share\\",
 * with the "\\\\?\\" long-path forms of the first and the last turned into
 * the plain ones. */
static size_t parse_prefix(const char *p, struct sb *out,
                           enum prefix_kind *kind)
{
    size_t off = 0;

    *kind = PFX_NONE;
    if (!PLAT_WINDOWS) {
        if (p[0] != '/')
            return 0;
        *kind = PFX_ABS;
        if (out)
            sb_addch(out, '/');
        return 1;
    }
    if (is_sep(p[0]) && is_sep(p[1])) {
        size_t q = 2;

        while (is_sep(p[q])) /* extra ones are skipped everywhere */
            q++;
        if (p[q] == '?' && is_sep(p[q + 1])) {
            /* \\?\UNC\server\share\x and \\?\C:\x */
            q += 2;

            while (is_sep(p[q]))
                q++;
            if (to_upper(p[q]) == 'U' && to_upper(p[q + 1]) == 'N' &&
                to_upper(p[q + 2]) == 'C' && (is_sep(p[q + 3]) || !p[q + 3])) {
                q += 3 + is_sep(p[q + 3]);
                *kind = PFX_ABS;
                return q + unc_tail(p + q, out);
            }
            if (is_alpha(p[q]) && p[q + 1] == ':')
                off = q; /* parsed as a drive below */
        }
        if (!off) {
            /* \\server\share, and the other \\?\ and \\.\ device forms
             * (\\?\Volume{..}\x), whose "server" is "?" or "." */
            *kind = PFX_ABS;
            return 2 + unc_tail(p + 2, out);
        }
    }
    if (is_alpha(p[off]) && p[off + 1] == ':') {
        if (out) {
            sb_addch(out, to_upper(p[off]));
            sb_addch(out, ':');
        }
        /* a "\\\\?\\" path is never relative: "\\\\?\\C:" is "C:\\" */
        if (!off && !is_sep(p[off + 2])) {
            *kind = PFX_DRIVE_REL;
            return off + 2;
        }
        if (out)
            sb_addch(out, '\\');
        *kind = PFX_ABS;
        return off + 2 + is_sep(p[off + 2]);
    }
    if (is_sep(p[0])) {
        if (out)
            sb_addch(out, '\\');
        *kind = PFX_CUR_ROOT;
        return 1;
    }
    return 0;
}

size_t path_root_len(const char *p)
{
    enum prefix_kind kind;
    size_t n = parse_prefix(p, NULL, &kind);

    return kind == PFX_ABS ? n : 0;
}

int path_is_abs(const char *p)
{
    return path_root_len(p) > 0;
}

int path_is_root(const char *p)
{
    size_t n = path_root_len(p);

    if (!n)
        return 0;
    while (is_sep(p[n]))
        n++;
    return p[n] == '\0';
}

int path_equal(const char *a, const char *b)
{
    if (!PLAT_WINDOWS)
        return !strcmp(a, b);
    for (; *a && *b; a++, b++)
        if (!ch_eq(*a, *b))
            return 0;
    return *a == *b;
}

void path_fold(struct sb *out, const char *p)
{
    struct sb tmp = SB_INIT;

    for (; *p; p++) {
        char c = *p;

        if (PLAT_WINDOWS)
            c = is_sep(c) ? '\\' : to_lower(c);
        sb_addch(&tmp, c);
    }
    sb_set(out, tmp.buf);
    sb_release(&tmp);
}

int path_has_dir(const char *p)
{
    if (PLAT_WINDOWS && is_alpha(p[0]) && p[1] == ':')
        return 1;
    for (; *p; p++)
        if (is_sep(*p))
            return 1;
    return 0;
}

/* The drive letter of p ("C:..." or "\\\\?\\C:..."), else 0. */
static char drive_of(const char *p)
{
    if (!PLAT_WINDOWS)
        return 0;
    if (is_sep(p[0]) && is_sep(p[1]) && p[2] == '?' && is_sep(p[3]))
        p += 4;
    return is_alpha(p[0]) && p[1] == ':' ? to_upper(p[0]) : 0;
}

/* Does p point into sb's own memory? */
static int inside_sb(const struct sb *sb, const char *p)
{
    return sb->alloc && p >= sb->buf && p < sb->buf + sb->alloc;
}

void path_join(struct sb *out, const char *dir, const char *name)
{
    struct sb tmp = SB_INIT;
    enum prefix_kind kind = PFX_NONE, dkind;

    if (PLAT_WINDOWS)
        parse_prefix(name, NULL, &kind);
    if (kind == PFX_CUR_ROOT) {
        /* "\\x" goes under dir's drive or share */
        size_t n = parse_prefix(dir, NULL, &dkind);

        if (n && is_sep(dir[n - 1]))
            n--;
        sb_add(&tmp, dir, n);
        sb_addstr(&tmp, name);
    } else if (kind == PFX_DRIVE_REL && drive_of(dir) != drive_of(name)) {
        sb_addstr(&tmp, name); /* another drive's current directory */
    } else if (path_is_abs(name) || !*dir) {
        sb_addstr(&tmp, name);
    } else {
        size_t dl = strlen(dir), nl;
        int sep;

        if (kind == PFX_DRIVE_REL)
            name += 2; /* "C:x" in a dir on drive C */
        nl = strlen(name);
        sep = dl && !is_sep(dir[dl - 1]) &&
              !(PLAT_WINDOWS && dl == 2 && drive_of(dir));
        /* the usual cases without a copy: out extended in place
         * (path_join(&p, p.buf, name)), or filled in one allocation */
        if (!inside_sb(out, name) &&
            (dir == out->buf || !inside_sb(out, dir))) {
            if (dir != out->buf) {
                sb_reset(out);
                sb_grow(out, dl + 1 + nl);
                sb_add(out, dir, dl);
            } else {
                sb_setlen(out, dl);
                sb_grow(out, 1 + nl);
            }
            if (sep)
                sb_addch(out, PLAT_DIRSEP);
            sb_add(out, name, nl);
            return;
        }
        sb_add(&tmp, dir, dl);
        if (sep)
            sb_addch(&tmp, PLAT_DIRSEP);
        sb_add(&tmp, name, nl);
    }
    sb_set(out, tmp.buf);
    sb_release(&tmp);
}

void path_normalize(struct sb *p)
{
    struct sb out = SB_INIT;
    enum prefix_kind kind;
    const char *s = p->buf + parse_prefix(p->buf, &out, &kind);
    /* ".." never climbs above a root; "C:" alone is not one */
    int rooted = kind == PFX_ABS || kind == PFX_CUR_ROOT;
    size_t root = out.len;
    size_t ups = 0; /* leading ".." components kept in a relative path */

    while (*s) {
        size_t n = span_nonsep(s);

        if (n == 2 && s[0] == '.' && s[1] == '.') {
            size_t base = rooted ? root : root + ups * 3;

            if (out.len > base) {
                /* pop the last component */
                char *slash;

                sb_setlen(&out, out.len - 1); /* its trailing separator */
                slash = strrchr(out.buf + base, PLAT_DIRSEP);
                sb_setlen(&out, slash ? (size_t)(slash - out.buf) + 1 : base);
            } else if (!rooted) {
                sb_addstr(&out, "..");
                sb_addch(&out, PLAT_DIRSEP);
                ups++;
            }
        } else if (n && !(n == 1 && s[0] == '.')) {
            sb_add(&out, s, n);
            sb_addch(&out, PLAT_DIRSEP);
        }
        s += n;
        if (is_sep(*s))
            s++;
    }
    if (out.len > root && out.len > 1 && out.buf[out.len - 1] == PLAT_DIRSEP)
        sb_setlen(&out, out.len - 1);
    if (PLAT_WINDOWS && kind == PFX_NONE && out.len >= 2 &&
        is_alpha(out.buf[0]) && out.buf[1] == ':') {
        /* ".\\C:x" must not become the drive-relative "C:x" */
        sb_set(p, ".\\");
        sb_addstr(p, out.buf);
    } else {
        if (!out.len)
            sb_addch(&out, '.');
        sb_set(p, out.buf);
    }
    sb_release(&out);
}

/* The last separator in p at or after p + from, else NULL. */
static const char *last_sep(const char *p, size_t from)
{
    const char *last = NULL, *s;

    for (s = p + from; *s; s++)
        if (is_sep(*s))
            last = s;
    return last;
}

void path_dirname(struct sb *p)
{
    enum prefix_kind kind;
    size_t root = parse_prefix(p->buf, NULL, &kind);
    const char *slash = last_sep(p->buf, root);

    if (slash)
        sb_setlen(p, (size_t)(slash - p->buf));
    else if (root)
        sb_setlen(p, root);
    else
        sb_set(p, ".");
}

const char *path_basename(const char *p)
{
    const char *slash = last_sep(p, drive_of(p) && p[1] == ':' ? 2 : 0);

    if (slash)
        return slash + 1;
    return drive_of(p) && p[1] == ':' ? p + 2 : p;
}

/* "~" or "~/..." ("~\\..." too on Windows) */
static int is_tilde(const char *p)
{
    return p[0] == '~' && (p[1] == '\0' || is_sep(p[1]));
}

int path_expand_user(struct sb *out, const char *p, const char *home)
{
    if (is_tilde(p)) {
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
    enum prefix_kind kind;
    int ret = -1;

    if (p[0] == '~' && !is_tilde(p)) {
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
        /* "D:x" from a base on another drive: D's current directory is
         * not ours to know (it lives in cmd.exe's environment); take the
         * drive's root */
        parse_prefix(tmp.buf, NULL, &kind);
        if (kind == PFX_DRIVE_REL) {
            struct sb fixed = SB_INIT;

            sb_add(&fixed, tmp.buf, 2);
            sb_addch(&fixed, PLAT_DIRSEP);
            sb_addstr(&fixed, tmp.buf + 2);
            sb_set(&tmp, fixed.buf);
            sb_release(&fixed);
        }
    }
    path_normalize(&tmp);
    sb_set(out, tmp.buf);
    ret = 0;
out:
    sb_release(&tmp);
    sb_release(&cwd);
    return ret;
}

/* The first n bytes of p equal dir's (caseless and either separator on
 * Windows). */
static int prefix_eq(const char *p, const char *dir, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!p[i] || !ch_eq(p[i], dir[i]))
            return 0;
    return 1;
}

int path_is_inside(const char *p, const char *dir)
{
    size_t n = strlen(dir);

    if (!PLAT_WINDOWS && n == 1 && dir[0] == '/')
        return p[0] == '/';
    if (PLAT_WINDOWS && path_is_root(dir)) {
        /* "C:\\" holds "C:\\x": compare without the root's separator */
        while (n && is_sep(dir[n - 1]))
            n--;
    }
    return prefix_eq(p, dir, n) && (is_sep(p[n]) || p[n] == '\0');
}

/* One entry of a Windows PATH: double quotes are dropped, and a ';'
 * between them is part of the entry ("C:\\a;b"). Returns the bytes taken
 * from p, the separator excluded. */
static size_t win_path_entry(const char *p, struct sb *entry)
{
    size_t i = 0;
    int quoted = 0;

    sb_reset(entry);
    for (; p[i] && (quoted || p[i] != PLAT_PATHSEP); i++) {
        if (p[i] == '"')
            quoted = !quoted;
        else
            sb_addch(entry, p[i]);
    }
    return i;
}

void path_split_list(const char *list, struct sv *out)
{
    const char *p = list ? list : "";
    struct sb entry = SB_INIT;

    while (*p) {
        const char *end;
        size_t n;

        if (PLAT_WINDOWS) {
            n = win_path_entry(p, &entry);
            if (entry.len && path_is_abs(entry.buf))
                sv_push(out, entry.buf);
            p += n + (p[n] != '\0');
            continue;
        }
        end = strchr(p, PLAT_PATHSEP);
        n = end ? (size_t)(end - p) : strlen(p);
        if (n && path_is_abs(p))
            sv_push_nodup(out, xstrndup(p, n));
        p += n + (end != NULL);
    }
    sb_release(&entry);
}
