/*
 * plancache: replay a decision whose every answer still holds
 * (launcher/plancache.h).
 *
 * Over 600 lines: the record's writer (merge, reduce, format) and its
 * reader (parse, ask again) share one format and one set of rules for
 * what an answer is; split, each half would restate the other's.
 */
#include "launcher/plancache.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/linerec.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sha256.h"
#include "common/xalloc.h"
#include "launcher/pyargs.h"
#include "launcher/request.h"
#include "common/banned.h"

#define PLANCACHE_SLOTS 4096
#define PLANCACHE_MAX (1u << 20) /* bytes of one record */

void plancache_init(struct plancache *pc)
{
    memset(pc, 0, sizeof(*pc));
    sb_init(&pc->key, 0);
    sb_init(&pc->file, 0);
}

void plancache_release(struct plancache *pc)
{
    sb_release(&pc->key);
    sb_release(&pc->file);
}

/* n in hex, 16 digits (a fixed width: read back without a parse loop
 * over separators) */
static void add_hex(struct sb *k, uint64_t n)
{
    static const char digits[] = "0123456789abcdef";
    char b[16];
    int i;

    for (i = 15; i >= 0; i--, n >>= 4)
        b[i] = digits[n & 15];
    sb_add(k, b, 16);
}

static int read_hex(const char *f, size_t n, uint64_t *v)
{
    size_t i;

    *v = 0;
    if (n != 16)
        return -1;
    for (i = 0; i < 16; i++) {
        unsigned c = (unsigned char)f[i];

        if (c - '0' < 10)
            c -= '0';
        else if (c - 'a' < 6)
            c -= 'a' - 10;
        else
            return -1;
        *v = *v << 4 | c;
    }
    return 0;
}

static void add_vars(struct sb *k, const struct envvars *v)
{
    linerec_add_opt(k, "PYSHIM_PROJECT", v->pyshim_project);
    linerec_add_opt(k, "PYSHIM_MODE", v->pyshim_mode);
    linerec_add_opt(k, "PYSHIM_DISABLE", v->pyshim_disable);
    linerec_add_opt(k, "passthrough", v->passthrough);
    linerec_add_opt(k, "PYENV_ROOT", v->pyenv_root);
    linerec_add_opt(k, "PYENV_VERSION", v->pyenv_version);
    linerec_add_opt(k, "UV_PYTHON_INSTALL_DIR", v->uv_install_dir);
    linerec_add_opt(k, "PYSHIM_HOME", v->dirs.pyshim_home);
    linerec_add_opt(k, "home", v->dirs.home);
    linerec_add_opt(k, "XDG_DATA_HOME", v->dirs.xdg_data_home);
    linerec_add_opt(k, "XDG_CACHE_HOME", v->dirs.xdg_cache_home);
    linerec_add_opt(k, "XDG_CONFIG_HOME", v->dirs.xdg_config_home);
    linerec_add_opt(k, "system_config", v->system_config);
}

/* Everything the decision depends on besides what it asks through the
 * watch (plancache.h); -1 when the working directory is unknown. */
static int key_of(const struct resolve_in *in, struct sb *k)
{
    struct plat_stat st;
    struct sb tmp = SB_INIT, cwd = SB_INIT;
    struct request r;
    int i, ret = -1;

    sb_reset(k);
    if (plat_self_stat(&tmp, &st) < 0 ||
        (in->cwd ? (sb_set(&cwd, in->cwd), 0) : plat_getcwd(&cwd)) < 0)
        goto out;
    /* numbers in fixed-width hex: no printf on the warm path */
    sb_addstr(k, "pyshim-plan 2\nuid ");
    add_hex(k, plat_uid());
    sb_addstr(k, "\nself ");
    add_hex(k, st.dev);
    add_hex(k, st.ino);
    add_hex(k, st.size);
    add_hex(k, (uint64_t)st.mtime_ns);
    add_hex(k, (uint64_t)st.ctime_ns);
    /* the groups decide what may be read and run as much as the uid */
    plat_credentials(&tmp);
    sb_addstr(k, "\nids");
    sb_add(k, tmp.buf, tmp.len);
    sb_addch(k, '\n');
    linerec_add_opt(k, "cwd", cwd.buf);
    /* resolution reads only its last name (launcher/request.h) */
    linerec_add_opt(k, "invoked", path_basename(in->invoked));
    request_parse(in->invoked, &r);
    if (r.is_pip) {
        /* pip's arguments decide the PEP 668 and --python checks; kept
         * as their digest (an index URL may hold a token) */
        struct sha256 h;
        char hex[65];

        sha256_init(&h);
        for (i = 0; i < in->argc; i++)
            sha256_update(&h, in->argv[i], strlen(in->argv[i]) + 1);
        sha256_hex(&h, hex);
        sb_addstr(k, "args ");
        sb_addstr(k, hex);
        sb_addch(k, '\n');
    } else {
        linerec_add_opt(k, "script", pyargs_script(in->argc, in->argv));
    }
    add_vars(k, &in->vars);
    sb_addstr(k, "answers\n");
    ret = 0;
out:
    sb_release(&tmp);
    sb_release(&cwd);
    return ret;
}

static char type_of(const struct plat_stat *st)
{
    return st->is_lnk ? 'l' : st->is_dir ? 'd' : st->is_reg ? 'f' : 'o';
}

/* A stat answer's identity as one number: type, mode, owner, group,
 * device and inode, and unless meta its size, mtime and ctime, mixed
 * with the record's salt so that any difference changes it: no two
 * answers of one path meet by chance (64 bits), nor by design without the
 * salt, which only the record's owner can read (a file's owner can set
 * its mtime, and the unsalted mix could be undone). */
static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 31);
}

static uint64_t identity(const struct plat_stat *st, int meta, uint64_t salt)
{
    uint64_t h = mix(salt, (uint64_t)(unsigned char)type_of(st));

    h = mix(h, st->perm);
    h = mix(h, st->uid);
    h = mix(h, st->gid);
    h = mix(h, st->dev);
    h = mix(h, st->ino);
    if (!meta) {
        h = mix(h, st->size);
        h = mix(h, (uint64_t)st->mtime_ns);
        h = mix(h, (uint64_t)st->ctime_ns);
    }
    return h;
}

/* Does a stat answer now (ret, errno, st) repeat the recorded one? */
static int same_stat(const struct plat_obs *o, int ret, int err,
                     const struct plat_stat *st)
{
    const struct plat_stat *r = &o->st;

    if (ret < 0 || o->err)
        return ret < 0 && o->err == err;
    if (type_of(st) != type_of(r) || st->perm != r->perm || st->uid != r->uid ||
        st->gid != r->gid || st->dev != r->dev || st->ino != r->ino)
        return 0;
    return o->meta || (st->size == r->size && st->mtime_ns == r->mtime_ns &&
                       st->ctime_ns == r->ctime_ns);
}

static int same_value(const char *now, const char *then)
{
    return now && then ? !strcmp(now, then) : now == then;
}

/* A recorded answer as read back: a stat's answer is its identity. */
struct answer {
    int kind, meta, err;
    uint64_t id;
    const char *path, *value;
};

/* Ask a's question again: 1 when the answer is the recorded one. */
static int holds(const struct answer *a, uint64_t salt, struct sb *tmp)
{
    struct plat_stat st;
    int ret;
    char g[8];

    switch (a->kind) {
    case PLAT_OBS_STAT:
    case PLAT_OBS_LSTAT:
        /* an lstat's answer is kept for the real paths asked after it
         * (derived from it: plat_realpath), a stat's is not needed again */
        ret = a->kind == PLAT_OBS_STAT ? plat_stat_once(a->path, &st, 1)
                                       : plat_stat(a->path, &st, 0);
        if (ret < 0 || a->err)
            return ret < 0 && a->err == errno;
        return identity(&st, a->meta, salt) == a->id;
    case PLAT_OBS_REAL:
        ret = plat_realpath(a->path, tmp);
        return ret < 0 ? a->err == errno
                       : !a->err && same_value(tmp->buf, a->value);
    case PLAT_OBS_LINK:
        ret = plat_readlink(a->path, tmp);
        return ret < 0 ? a->err == errno
                       : !a->err && same_value(tmp->buf, a->value);
    case PLAT_OBS_HOME:
        return same_value(plat_home(), a->value);
    case PLAT_OBS_GROUP: {
        char *end;
        uint64_t gid = strtoull(a->path, &end, 10);

        if (*end)
            return 0;
        snprintf(g, sizeof(g), "%d", plat_group_is_private(gid));
        return same_value(g, a->value);
    }
    case PLAT_OBS_ENV:
        return same_value(plat_getenv(a->path), a->value);
    default:
        return 0;
    }
}

/* The next field as text: a copy when it holds no escape (a path
 * usually), else unescaped (linerec_text). */
static int read_text(struct linerec *r, struct sb *out)
{
    struct linerec save = *r;
    const char *f;
    size_t n;

    if (linerec_field(r, &f, &n) < 0)
        return -1;
    if (linerec_plain(f, n)) {
        sb_reset(out);
        sb_add(out, f, n);
        return 0;
    }
    *r = save;
    return linerec_text(r, out);
}

/* A one-digit field. */
static int read_digit(struct linerec *r, int *v)
{
    const char *f;
    size_t n;

    if (linerec_field(r, &f, &n) < 0 || n != 1 || *f < '0' || *f > '9')
        return -1;
    *v = *f - '0';
    return 0;
}

/* One recorded answer into a, its tag (f, n: "s" or "v") read already;
 * path and value point into the sbs given. */
static int read_answer(struct linerec *r, const char *f, size_t n,
                       struct answer *a, struct sb *path, struct sb *value)
{
    uint64_t err;
    int i, has;

    memset(a, 0, sizeof(*a));
    if (n != 1 || (*f != 's' && *f != 'v'))
        return -1;
    if (*f == 's') {
        /* s FOLLOW META ERR ID PATH */
        if (read_digit(r, &i) < 0 || read_digit(r, &a->meta) < 0 ||
            linerec_u64(r, &err) < 0 || linerec_field(r, &f, &n) < 0 ||
            read_hex(f, n, &a->id) < 0 || read_text(r, path) < 0 ||
            !linerec_line_done(r))
            return -1;
        a->kind = i ? PLAT_OBS_STAT : PLAT_OBS_LSTAT;
    } else {
        /* v KIND ERR HAS PATH VALUE */
        if (read_digit(r, &a->kind) < 0 || a->kind < PLAT_OBS_REAL ||
            a->kind > PLAT_OBS_ENV || linerec_u64(r, &err) < 0 ||
            read_digit(r, &has) < 0 || read_text(r, path) < 0 ||
            read_text(r, value) < 0 || !linerec_line_done(r))
            return -1;
        a->value = has ? value->buf : NULL;
    }
    if (err > 4096)
        return -1;
    a->err = (int)err;
    a->path = path->buf;
    return 0;
}

/* The plan part of a record, after its "mode" tag: mode, exe, then lib,
 * arg and set lines, end. */
static int read_plan(struct linerec *r, const struct resolve_in *in,
                     struct plan *p, struct sb *tmp)
{
    uint64_t mode;
    int k;

    if (linerec_u64(r, &mode) < 0 ||
        (mode != CFG_MODE_EXEC && mode != CFG_MODE_EMBED) ||
        linerec_line(r) < 0 || linerec_word(r, "exe") < 0 ||
        linerec_text(r, tmp) < 0)
        return -1;
    p->mode = (enum cfg_mode)mode;
    p->exe = xstrdup(tmp->buf);
    for (;;) {
        const char *f;
        size_t n;

        if (linerec_line(r) < 0 || linerec_field(r, &f, &n) < 0)
            return -1;
        if (n == 3 && !memcmp(f, "end", 3))
            break;
        if (n != 3 || linerec_text(r, tmp) < 0)
            return -1;
        if (!memcmp(f, "lib", 3))
            p->libpython = xstrdup(tmp->buf);
        else if (!memcmp(f, "arg", 3))
            sv_push(&p->argv, tmp->buf);
        else if (!memcmp(f, "set", 3) && strchr(tmp->buf, '='))
            sv_push(&p->setenv, tmp->buf);
        else
            return -1;
    }
    if (!linerec_at_end(r) || !p->argv.nr ||
        (p->mode == CFG_MODE_EMBED && !p->libpython))
        return -1;
    for (k = 0; k < in->argc; k++)
        sv_push(&p->argv, in->argv[k]);
    return 0;
}

/* A stat answer's line read in place: "s FOLLOW META ERR ID PATH\n" with
 * a path that holds no escape (the usual one). The line's '\n' becomes
 * the path's NUL. 0 when the line is not that: the strict reader takes
 * it. */
static int fast_stat_line(char *s, char *nl, struct answer *a)
{
    char *q = s + 6, *path;
    int err = 0;

    if (nl - s < 26 || s[0] != 's' || s[1] != ' ' || (s[2] | 1) != '1' ||
        s[3] != ' ' || (s[4] | 1) != '1' || s[5] != ' ')
        return 0;
    while (q < nl && *q >= '0' && *q <= '9' && q - s < 10)
        err = err * 10 + (*q++ - '0');
    if (q == s + 6 || err > 4096 || *q != ' ' || nl - q < 19 || q[17] != ' ' ||
        read_hex(q + 1, 16, &a->id) < 0)
        return 0;
    path = q + 18;
    /* no escape, and no byte a damaged record could hold there */
    if (path >= nl || !linerec_plain(path, (size_t)(nl - path)))
        return 0;
    *nl = '\0';
    a->kind = s[2] == '1' ? PLAT_OBS_STAT : PLAT_OBS_LSTAT;
    a->meta = s[4] == '1';
    a->err = err;
    a->path = path;
    a->value = NULL;
    return 1;
}

/* The record's answers (after its key, at from), each asked again; then
 * its plan. Stat answers are read in place (the record is this run's
 * copy), the others by the strict reader. */
static int replay(struct sb *rec, size_t from, const struct resolve_in *in,
                  struct plan *p)
{
    struct linerec r;
    struct sb path = SB_INIT, value = SB_INIT, tmp = SB_INIT;
    struct answer a;
    uint64_t salt;
    const char *f;
    size_t n;
    char *at = rec->buf + from, *end = rec->buf + rec->len, *nl;
    int ret = -1;

    linerec_init(&r, at, (size_t)(end - at));
    if (linerec_line(&r) < 0 || linerec_word(&r, "salt") < 0 ||
        linerec_field(&r, &f, &n) < 0 || read_hex(f, n, &salt) < 0 ||
        !(nl = memchr(at, '\n', (size_t)(end - at))))
        goto out;
    for (at = nl + 1; at < end; at = nl + 1) {
        if (!(nl = memchr(at, '\n', (size_t)(end - at))))
            goto out;
        if (!fast_stat_line(at, nl, &a)) {
            linerec_init(&r, at, (size_t)(end - at));
            if (linerec_line(&r) < 0 || linerec_field(&r, &f, &n) < 0)
                goto out;
            if (n == 4 && !memcmp(f, "mode", 4)) {
                ret = read_plan(&r, in, p, &tmp);
                goto out;
            }
            if (read_answer(&r, f, n, &a, &path, &value) < 0)
                goto out;
        }
        if (!holds(&a, salt, &tmp))
            goto out;
    }
out:
    sb_release(&path);
    sb_release(&value);
    sb_release(&tmp);
    return ret;
}

int plancache_load(struct plancache *pc, const struct resolve_in *in,
                   struct plan *p)
{
    struct dirs d = DIRS_INIT;
    struct err e = ERR_INIT;
    struct sb rec = SB_INIT;
    struct plat_stat st;
    int hit = 0;

    if (PLAT_WINDOWS)
        return 0;
    /* the freshness window counts from the first question this run asks
     * (a decision after a miss reuses the answers asked here) */
    pc->t0 = plat_now_ns();
    plat_memo_begin();
    if (dirs_init_env(&d, &in->vars.dirs, &e) < 0 || key_of(in, &pc->key) < 0)
        goto out;
    sb_reset(&pc->file);
    {
        static const char hex[] = "0123456789abcdef";
        unsigned slot = (unsigned)(linerec_hash(pc->key.buf, pc->key.len) %
                                   PLANCACHE_SLOTS);
        char name[3] = {hex[slot >> 8 & 15], hex[slot >> 4 & 15],
                        hex[slot & 15]};

        sb_addstr(&pc->file, d.cache);
        sb_addstr(&pc->file, "/plan/");
        sb_add(&pc->file, name, 3);
    }
    /* pyshim's cache dir is judged (dirs_init_env); the record must be
     * the user's own and no one else's to write */
    if (plat_read_regular(pc->file.buf, PLANCACHE_MAX, &rec, &st) < 0 ||
        st.uid != plat_uid() || (st.perm & 022) || rec.len < pc->key.len ||
        memcmp(rec.buf, pc->key.buf, pc->key.len) ||
        memchr(rec.buf, '\0', rec.len))
        goto out;
    if (replay(&rec, pc->key.len, in, p) < 0) {
        plan_release(p);
        goto out;
    }
    hit = 1;
out:
    plat_memo_end();
    sb_release(&rec);
    err_release(&e);
    dirs_release(&d);
    return hit;
}

void plancache_watch(struct plancache *pc)
{
    if (PLAT_WINDOWS || !pc->file.len)
        return;
    plat_watch_begin();
}

static int cmp_obs(const void *a, const void *b)
{
    const struct plat_obs *x = *(const struct plat_obs *const *)a;
    const struct plat_obs *y = *(const struct plat_obs *const *)b;

    return x->kind != y->kind ? x->kind - y->kind : strcmp(x->path, y->path);
}

/* The recorded answer of (kind, path) among the n sorted ones, or NULL. */
static const struct plat_obs *find_obs(const struct plat_obs *v, size_t n,
                                       int kind, const char *path)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = v[mid].kind != kind ? v[mid].kind - kind
                                    : strcmp(v[mid].path, path);

        if (!c)
            return &v[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Is path absolute and plain (no "//", ".", ".." or trailing '/'), so
 * that its directory is what the kernel looked its name up in? */
static int plain_abs(const char *path)
{
    const char *p;

    if (path[0] != '/' || !path[1])
        return 0;
    for (p = path; *p; p++)
        if (*p == '/' &&
            (p[1] == '/' || !p[1] ||
             (p[1] == '.' && (!p[2] || p[2] == '/' ||
                              (p[2] == '.' && (!p[3] || p[3] == '/'))))))
            return 0;
    return 1;
}

/* A name no lstat found, in a directory whose times the record holds:
 * while they hold, no name was added there. */
static int absent_in_kept_dir(const struct plat_obs *v, size_t n,
                              const char *path)
{
    const struct plat_obs *l = find_obs(v, n, PLAT_OBS_LSTAT, path), *d;
    struct sb dir = SB_INIT;
    int ret = 0;

    if (l && l->err == ENOENT && plain_abs(path)) {
        sb_addstr(&dir, path);
        path_dirname(&dir);
        d = find_obs(v, n, PLAT_OBS_STAT, dir.buf);
        if (!d || d->err || !d->st.is_dir || d->meta)
            d = find_obs(v, n, PLAT_OBS_LSTAT, dir.buf);
        ret = d && !d->err && d->st.is_dir && !d->meta;
    }
    sb_release(&dir);
    return ret;
}

/* Must o be asked again, or does the record answer it already? */
static int needed(const struct plat_obs *v, size_t n, const struct plat_obs *o)
{
    const struct plat_obs *l;

    if (o->kind != PLAT_OBS_STAT && o->kind != PLAT_OBS_LSTAT)
        return 1;
    if (o->err == ENOENT)
        return !absent_in_kept_dir(v, n, o->path);
    /* the shim's own file is in the key */
    if (o->kind == PLAT_OBS_STAT && !strcmp(o->path, "/proc/self/exe"))
        return 0;
    /* the lstat of a name that is no link said it, when it is asked at
     * least what this stat was asked */
    if (o->kind == PLAT_OBS_STAT && !o->err &&
        (l = find_obs(v, n, PLAT_OBS_LSTAT, o->path)) && !l->err &&
        !l->st.is_lnk && (o->meta || !l->meta) && same_stat(l, 0, 0, &o->st))
        return 0;
    return 1;
}

/* A time this recent could be followed by a change that leaves it as it
 * is (the file system's timestamps are coarser than the clock): 50 ms
 * where times have sub-second digits, 2 s where they have none. */
static int too_fresh(int64_t t, int64_t t0)
{
    return t > t0 - (t % 1000000000 ? 50000000 : 2000000000);
}

static void add_obs(struct sb *rec, const struct plat_obs *o, uint64_t salt)
{
    if (o->kind == PLAT_OBS_STAT || o->kind == PLAT_OBS_LSTAT) {
        sb_addf(rec, "s %d %d %d ", o->kind == PLAT_OBS_STAT, o->meta != 0,
                o->err);
        add_hex(rec, o->err ? 0 : identity(&o->st, o->meta, salt));
        sb_addch(rec, ' ');
        linerec_addesc(rec, o->path);
    } else {
        sb_addf(rec, "v %d %d %d ", o->kind, o->err, o->value != NULL);
        linerec_addesc(rec, o->path);
        sb_addch(rec, ' ');
        linerec_addesc(rec, o->value ? o->value : "");
    }
    sb_addch(rec, '\n');
}

/* The answers, merged by question (one view: a question answered two
 * ways spoils the record) and without what the record answers already;
 * -1 when they cannot be replayed. */
int plancache_answers(struct sb *rec, const struct plat_obs *obs, size_t n,
                      int64_t t0, uint64_t salt)
{
    const struct plat_obs **v = xcalloc(n ? n : 1, sizeof(*v));
    struct plat_obs *m = xcalloc(n ? n : 1, sizeof(*m));
    size_t i, j, k = 0;
    int ret = -1;

    sb_addstr(rec, "salt ");
    add_hex(rec, salt);
    sb_addch(rec, '\n');
    for (i = 0; i < n; i++)
        v[i] = &obs[i];
    qsort(v, n, sizeof(*v), cmp_obs);
    /* one per question, meta only if every time it was asked it was */
    for (i = 0; i < n; i = j) {
        m[k] = *v[i];
        m[k].meta = 0;
        for (j = i + 1; j < n && !cmp_obs(&v[i], &v[j]); j++) {
            if (m[k].kind == PLAT_OBS_STAT || m[k].kind == PLAT_OBS_LSTAT
                    ? !same_stat(&m[k], v[j]->err ? -1 : 0, v[j]->err,
                                 &v[j]->st)
                    : m[k].err != v[j]->err ||
                          !same_value(m[k].value, v[j]->value))
                goto out;
        }
        for (m[k].meta = 1; i < j; i++)
            m[k].meta &= v[i]->meta;
        k++;
    }
    for (i = 0; i < k; i++) {
        const struct plat_obs *o = &m[i];

        if ((o->kind == PLAT_OBS_STAT || o->kind == PLAT_OBS_LSTAT) &&
            !o->err && !o->meta &&
            (too_fresh(o->st.mtime_ns, t0) || too_fresh(o->st.ctime_ns, t0)))
            goto out;
        if (needed(m, k, o))
            add_obs(rec, o, salt);
    }
    ret = 0;
out:
    free(v);
    free(m);
    return ret;
}

static void add_plan(struct sb *rec, const struct plan *p, size_t nargs)
{
    size_t i;

    sb_addf(rec, "mode %d\nexe ", (int)p->mode);
    linerec_addesc(rec, p->exe);
    sb_addch(rec, '\n');
    if (p->libpython) {
        sb_addstr(rec, "lib ");
        linerec_addesc(rec, p->libpython);
        sb_addch(rec, '\n');
    }
    for (i = 0; i < nargs; i++) {
        sb_addstr(rec, "arg ");
        linerec_addesc(rec, p->argv.v[i]);
        sb_addch(rec, '\n');
    }
    for (i = 0; i < p->setenv.nr; i++) {
        sb_addstr(rec, "set ");
        linerec_addesc(rec, p->setenv.v[i]);
        sb_addch(rec, '\n');
    }
    sb_addstr(rec, "end\n");
}

/* A plan the shim can run from its record alone: exec or embed, no
 * warning to show, the user's arguments last in its argv. */
static int replayable(const struct resolve_in *in, const struct plan *p)
{
    size_t i, nargs;

    if ((p->mode != CFG_MODE_EXEC && p->mode != CFG_MODE_EMBED) || !p->exe ||
        (p->mode == CFG_MODE_EMBED && !p->libpython) || p->proj.skipped.nr ||
        p->argv.nr <= (size_t)in->argc)
        return 0;
    nargs = p->argv.nr - (size_t)in->argc;
    for (i = 0; i < (size_t)in->argc; i++)
        if (strcmp(p->argv.v[nargs + i], in->argv[i]))
            return 0;
    return 1;
}

void plancache_save(struct plancache *pc, const struct resolve_in *in,
                    const struct plan *p, int ok)
{
    const struct plat_obs *obs;
    size_t n;
    struct sb rec = SB_INIT;
    uint64_t salt;

    if (PLAT_WINDOWS || !pc->file.len)
        return;
    if (plat_watch_end(&obs, &n) < 0 || !ok || !replayable(in, p))
        return;
    sb_add(&rec, pc->key.buf, pc->key.len);
    /* the salt: nothing another user can learn (the record is 0600) */
    salt = mix(linerec_hash(pc->key.buf, pc->key.len),
               (uint64_t)plat_now_ns() ^ (uint64_t)(uintptr_t)&salt << 12);
    if (plancache_answers(&rec, obs, n, pc->t0, salt) == 0) {
        add_plan(&rec, p, p->argv.nr - (size_t)in->argc);
        /* the plan dir is made only the first time */
        if (plat_write_cache(pc->file.buf, rec.buf, rec.len, 0600) < 0 &&
            errno == ENOENT) {
            struct sb dir = SB_INIT;

            sb_addstr(&dir, pc->file.buf);
            path_dirname(&dir);
            if (!plat_mkdirs(dir.buf, 0700))
                plat_write_cache(pc->file.buf, rec.buf, rec.len, 0600);
            sb_release(&dir);
        }
    }
    sb_release(&rec);
}
