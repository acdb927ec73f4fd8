/*
 * plat_posix: plat.h for Linux, macOS and the BSDs.
 *
 * Over 600 lines: it is the one door to the OS (STYLE.md), and the
 * decision's memo and watch sit inside it because every stat, read and
 * listing must pass through them; moving them out would open a second
 * door.
 */
#define _GNU_SOURCE
#include "common/plat.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef __APPLE__
#include <mach-o/dyld.h>
#endif

#include "common/mark.h"
#include "common/xalloc.h"
#include "common/banned.h"

extern char **environ;

static void fill_stat(const struct stat *s, struct plat_stat *st)
{
    st->dev = (uint64_t)s->st_dev;
    st->ino = (uint64_t)s->st_ino;
    st->size = (uint64_t)s->st_size;
#ifdef __APPLE__
    st->mtime_ns =
        (int64_t)s->st_mtimespec.tv_sec * 1000000000 + s->st_mtimespec.tv_nsec;
    st->ctime_ns =
        (int64_t)s->st_ctimespec.tv_sec * 1000000000 + s->st_ctimespec.tv_nsec;
#else
    st->mtime_ns = (int64_t)s->st_mtim.tv_sec * 1000000000 + s->st_mtim.tv_nsec;
    st->ctime_ns = (int64_t)s->st_ctim.tv_sec * 1000000000 + s->st_ctim.tv_nsec;
#endif
    st->perm = (unsigned)(s->st_mode & 07777);
    st->uid = (uint64_t)s->st_uid;
    st->gid = (uint64_t)s->st_gid;
    st->is_dir = S_ISDIR(s->st_mode);
    st->is_reg = S_ISREG(s->st_mode);
    st->is_lnk = S_ISLNK(s->st_mode);
}

/*
 * The decision's memo (plat_memo_begin): while resolve() decides, the same
 * paths are asked about again and again by stages that do not share state
 * (the project dir's real path three times, the venv's python stat'ed
 * three times). Between begin and end, stat/lstat and real-path answers
 * are kept by path, so each is asked of the kernel once: the decision is
 * made on one view of the file system, as if every question had been
 * asked at the same moment. What is judged does not change: owners and
 * modes come from the same stat, and every file read is still opened once
 * and judged from its descriptor (open_regular's fstat is never
 * memoised). Any change pyshim itself makes (write, mkdir, rename, unlink,
 * a lock file, a child process) empties the memo. Only answers that are a
 * fact of the tree are kept: success, ENOENT, ENOTDIR.
 */
enum { MEMO_LSTAT, MEMO_STAT, MEMO_REAL, MEMO_LIST };

struct memo_ent {
    size_t hash, len;
    int kind;
    int err;
    unsigned mode;       /* st_mode */
    struct plat_stat st; /* MEMO_LSTAT, MEMO_STAT */
    const char *real;    /* MEMO_REAL; MEMO_LIST: the names, NUL-ended */
    size_t real_len;     /* MEMO_LIST: bytes of the names */
    char path[];
};

/* Entries live in chunks freed together; the table is open addressing
 * over pointers. A lookup costs about what one sb_addstr does. */
struct memo_chunk {
    struct memo_chunk *next;
    size_t used, cap;
    char data[];
};

static struct {
    int depth;
    size_t cap, used;
    struct memo_ent **tab;
    struct memo_chunk *chunks;
    char *cwd; /* the working directory getcwd gave (a real path), or NULL */
} memo;

static void *memo_alloc(size_t n)
{
    struct memo_chunk *c = memo.chunks;

    n = (n + 15) & ~(size_t)15;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > 4096 ? n : 4096;

        c = xmalloc(sizeof(*c) + cap);
        c->next = memo.chunks;
        c->used = 0;
        c->cap = cap;
        memo.chunks = c;
    }
    c->used += n;
    return c->data + c->used - n;
}

/* The paths asked about share long prefixes: the length, the last 16
 * bytes and the 8 in the middle tell them apart; a collision costs one
 * memcmp. (The last 16 alone left every shared env's
 * ".../lib/python3.11/site-packages" in one chain of equal hashes, a walk
 * and a memcmp per entry at each lookup; the whole path cost ~25
 * instructions more a lookup, ~5k a warm run.) The low bits (the
 * table's) of a product depend only on its factor's low bytes: the high
 * half is folded in before a last multiply. */
static size_t memo_hash(const char *path, size_t len, int kind)
{
    uint64_t a = 0, b = 0, c = 0, h;

    if (len >= 8)
        memcpy(&a, path + len - 8, 8);
    else
        memcpy(&a, path, len);
    if (len >= 16)
        memcpy(&b, path + len - 16, 8);
    if (len >= 24)
        memcpy(&c, path + len / 2 - 4, 8);
    h = (a * 0x9e3779b97f4a7c15ull) ^ (b * 0xc2b2ae3d27d4eb4full) ^
        (c * 0x165667b19e3779f9ull) ^ ((uint64_t)len << 2 | (uint64_t)kind);
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ull;
    return (size_t)(h ^ (h >> 32));
}

static struct memo_ent **memo_slot(const char *path, size_t len, size_t hash,
                                   int kind)
{
    size_t i = hash & (memo.cap - 1);
    struct memo_ent *m;

    while ((m = memo.tab[i]) && (m->hash != hash || m->kind != kind ||
                                 m->len != len || memcmp(m->path, path, len)))
        i = (i + 1) & (memo.cap - 1);
    return &memo.tab[i];
}

static void memo_clear(void)
{
    while (memo.chunks) {
        struct memo_chunk *c = memo.chunks;

        memo.chunks = c->next;
        free(c);
    }
    free(memo.tab);
    memo.tab = NULL;
    memo.cap = memo.used = 0;
    free(memo.cwd);
    memo.cwd = NULL;
}

/* NULL when the memo is off or the path was not asked; *slot for
 * memo_put (NULL when the memo is off) */
static const struct memo_ent *memo_get(const char *path, int kind,
                                       struct memo_ent ***slot)
{
    size_t len, hash;

    *slot = NULL;
    if (!memo.depth)
        return NULL;
    if (2 * (memo.used + 1) > memo.cap) {
        struct memo_ent **old = memo.tab;
        size_t i, n = memo.cap;

        memo.cap = n ? 2 * n : 128;
        memo.tab = xcalloc(memo.cap, sizeof(*memo.tab));
        for (i = 0; i < n; i++)
            if (old[i])
                *memo_slot(old[i]->path, old[i]->len, old[i]->hash,
                           old[i]->kind) = old[i];
        free(old);
    }
    len = strlen(path);
    hash = memo_hash(path, len, kind);
    *slot = memo_slot(path, len, hash, kind);
    if (!**slot) {
        /* reserve the slot's key in a fresh entry, filled by memo_put */
        struct memo_ent *m = memo_alloc(sizeof(*m) + len + 1);

        m->hash = hash;
        m->len = len;
        m->kind = kind;
        memcpy(m->path, path, len + 1);
        m->err = -1; /* not yet known */
        **slot = m;
        memo.used++;
        return NULL;
    }
    return (**slot)->err < 0 ? NULL : **slot;
}

/* The answer for the entry memo_get reserved: kept only when it is a fact
 * of the tree (success, ENOENT, ENOTDIR). */
static void memo_put(struct memo_ent **slot, int err, unsigned mode,
                     const struct plat_stat *st, const char *real)
{
    struct memo_ent *m;
    size_t n;

    if (!slot || (err && err != ENOENT && err != ENOTDIR))
        return;
    m = *slot;
    m->err = err;
    m->mode = mode;
    if (st)
        m->st = *st;
    m->real = NULL;
    if (real) {
        n = strlen(real) + 1;
        m->real = memcpy(memo_alloc(n), real, n);
    }
}

/*
 * The watch (plat_watch_begin, plat.h): every answer noted, in order.
 * Strings are copies, freed at the next begin.
 */
static struct {
    int on, spoilt, meta;
    struct plat_obs *v;
    size_t nr, alloc;
} watch;

static void watch_free(void)
{
    size_t i;

    for (i = 0; i < watch.nr; i++) {
        free(watch.v[i].path);
        free(watch.v[i].value);
    }
    free(watch.v);
    watch.v = NULL;
    watch.nr = watch.alloc = 0;
}

void plat_watch_begin(void)
{
    watch_free();
    watch.on = 1;
    watch.spoilt = 0;
    watch.meta = 0;
}

int plat_watch_end(const struct plat_obs **obs, size_t *n)
{
    watch.on = 0;
    *obs = watch.v;
    *n = watch.nr;
    return watch.spoilt ? -1 : 0;
}

static struct plat_obs *watch_add(int kind, const char *path, int err)
{
    struct plat_obs *o;

    if (watch.nr == watch.alloc) {
        watch.alloc = watch.alloc ? 2 * watch.alloc : 64;
        watch.v = xrealloc(watch.v, watch.alloc * sizeof(*watch.v));
    }
    o = &watch.v[watch.nr++];
    memset(o, 0, sizeof(*o));
    o->kind = kind;
    o->err = err;
    o->path = xstrdup(path);
    return o;
}

static void watch_stat(int follow, const char *path, int err,
                       const struct plat_stat *st)
{
    struct plat_obs *o;

    if (!watch.on)
        return;
    o = watch_add(follow ? PLAT_OBS_STAT : PLAT_OBS_LSTAT, path, err);
    o->meta = watch.meta;
    if (!err)
        o->st = *st;
}

static void watch_value(int kind, const char *path, int err, const char *value)
{
    if (watch.on)
        watch_add(kind, path, err)->value = value ? xstrdup(value) : NULL;
}

void plat_watch_env(const char *name, const char *value)
{
    watch_value(PLAT_OBS_ENV, name, 0, value);
}

/* Something changed (pyshim's own write, a child) or could not be seen:
 * the memo's answers are gone and the watch is spoilt. */
static void memo_changed(void)
{
    watch.spoilt |= watch.on;
    memo_clear();
}

void plat_memo_begin(void)
{
    memo.depth++;
}

void plat_memo_end(void)
{
    if (memo.depth && !--memo.depth)
        memo_clear();
}

int plat_memo_listed(const char *dir, const char *name)
{
    size_t len = strlen(dir);
    const struct memo_ent *m;
    const char *n, *end;

    if (!memo.depth || !memo.cap)
        return -1;
    m = *memo_slot(dir, len, memo_hash(dir, len, MEMO_LIST), MEMO_LIST);
    if (!m || m->err)
        return -1;
    for (n = m->real, end = m->real + m->real_len; n < end; n += strlen(n) + 1)
        if (!strcmp(n, name))
            return 1;
    return 0;
}

/* stat or lstat through the memo: st (may be NULL) and the mode */
static int stat_memo(const char *path, int follow, struct plat_stat *st,
                     unsigned *mode)
{
    struct memo_ent **slot;
    const struct memo_ent *m =
        memo_get(path, follow ? MEMO_STAT : MEMO_LSTAT, &slot);
    struct stat s;
    struct plat_stat ps;

    if (!m && follow && slot) {
        /* what lstat told of a name that is no link (or of no name at
         * all) is what stat would tell: asked first, it answers both */
        size_t len = strlen(path);
        const struct memo_ent *l =
            *memo_slot(path, len, memo_hash(path, len, MEMO_LSTAT), MEMO_LSTAT);

        if (l && (l->err == ENOENT || l->err == ENOTDIR ||
                  (!l->err && !S_ISLNK(l->mode))))
            m = l;
        /* memo_slot above does not grow the table: slot stays valid */
        if (m)
            memo_put(slot, m->err, m->mode, &m->st, NULL);
    }
    if (m) {
        watch_stat(follow, path, m->err, &m->st);
        if (m->err) {
            errno = m->err;
            return -1;
        }
        if (st)
            *st = m->st;
        *mode = m->mode;
        return 0;
    }
    /* one function for both (one symbol for the loader to bind) */
    if (fstatat(AT_FDCWD, path, &s, follow ? 0 : AT_SYMLINK_NOFOLLOW) < 0) {
        int saved = errno;

        memo_put(slot, saved, 0, NULL, NULL);
        watch_stat(follow, path, saved, NULL);
        errno = saved;
        return -1;
    }
    fill_stat(&s, &ps);
    memo_put(slot, 0, (unsigned)s.st_mode, &ps, NULL);
    watch_stat(follow, path, 0, &ps);
    if (st)
        *st = ps;
    *mode = (unsigned)s.st_mode;
    return 0;
}

int plat_stat(const char *path, struct plat_stat *st, int follow)
{
    unsigned mode;

    return stat_memo(path, follow, st, &mode);
}

/* The memo's answer for (path, kind), or NULL; nothing is reserved. */
static const struct memo_ent *memo_find(const char *path, int kind)
{
    size_t len;
    const struct memo_ent *m;

    if (!memo.depth || !memo.cap)
        return NULL;
    len = strlen(path);
    m = *memo_slot(path, len, memo_hash(path, len, kind), kind);
    return m && m->err >= 0 ? m : NULL;
}

int plat_stat_once(const char *path, struct plat_stat *st, int follow)
{
    const struct memo_ent *m = memo_find(path, follow ? MEMO_STAT : MEMO_LSTAT);
    struct stat s;

    if (!m && follow) {
        /* a name lstat showed is no link: its stat is the same */
        m = memo_find(path, MEMO_LSTAT);
        if (m && !m->err && S_ISLNK(m->mode))
            m = NULL;
    }
    if (m) {
        if (m->err) {
            errno = m->err;
            return -1;
        }
        *st = m->st;
        return 0;
    }
    if (fstatat(AT_FDCWD, path, &s, follow ? 0 : AT_SYMLINK_NOFOLLOW) < 0)
        return -1;
    fill_stat(&s, st);
    return 0;
}

int plat_stat_meta(const char *path, struct plat_stat *st, int follow)
{
    unsigned mode;
    int ret, saved;

    watch.meta = 1;
    ret = stat_memo(path, follow, st, &mode);
    saved = errno;
    watch.meta = 0;
    errno = saved;
    return ret;
}

int plat_is_dir(const char *path)
{
    unsigned mode;

    return !stat_memo(path, 1, NULL, &mode) && S_ISDIR(mode);
}

int plat_is_file(const char *path)
{
    unsigned mode;

    return !stat_memo(path, 1, NULL, &mode) && S_ISREG(mode);
}

int plat_is_executable(const char *path)
{
    return plat_is_file(path) && !access(path, X_OK);
}

/* The shim judges the owner of a dozen directories and files per run;
 * the uid cannot change under it (pyshim never calls setuid), so it is
 * asked for once. */
static uid_t uid_real = (uid_t)-1, uid_eff = (uid_t)-1;
static int uid_known;

static void uids(void)
{
#ifdef __linux__
    uid_t saved;

    if (!uid_known && getresuid(&uid_real, &uid_eff, &saved) == 0)
        uid_known = 1;
#endif
    if (!uid_known) {
        uid_real = getuid();
        uid_eff = geteuid();
        uid_known = 1;
    }
}

uint64_t plat_uid(void)
{
    uids();
    return (uint64_t)uid_real;
}

/* " N": a warm run's credentials without printf */
static void add_id(struct sb *out, unsigned long v)
{
    char b[24];
    int n = 0;

    do
        b[n++] = (char)('0' + v % 10);
    while ((v /= 10) && n < (int)sizeof(b));
    sb_addch(out, ' ');
    while (n)
        sb_addch(out, b[--n]);
}

static int cmp_gid(const void *a, const void *b)
{
    gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;

    return x < y ? -1 : x > y;
}

void plat_credentials(struct sb *out)
{
    gid_t fixed[64], *g = fixed;
    int n = getgroups(64, fixed), i;

    if (n < 0 && errno == EINVAL) {
        n = getgroups(0, NULL);
        g = xcalloc(n > 0 ? (size_t)n : 1, sizeof(*g));
        n = getgroups(n, g);
    }
    if (n > 1)
        qsort(g, (size_t)n, sizeof(*g), cmp_gid);
    uids();
    sb_reset(out);
    add_id(out, uid_eff);
#ifdef __linux__
    {
        gid_t rg, eg, sg;

        if (getresgid(&rg, &eg, &sg) == 0) {
            add_id(out, rg);
            add_id(out, eg);
        } else {
            add_id(out, getgid());
            add_id(out, getegid());
        }
    }
#else
    add_id(out, getgid());
    add_id(out, getegid());
#endif
    for (i = 0; i < n; i++)
        add_id(out, g[i]);
    if (g != fixed)
        free(g);
}

#ifdef __ELF__
/* pyshim's mark (common/mark.h) as an allocated ELF note: the linker puts
 * notes right after the program headers, in the first page, so telling a
 * pyshim binary from a Python reads a few KiB, not a 7 MB interpreter. */
struct mark_note {
    uint32_t namesz, descsz, type;
    char name[8];
    char desc[sizeof(MARK_STRING)];
};
__attribute__((used, section(".note.pyshim"),
               aligned(4))) static const struct mark_note mark_note = {
    7, sizeof(MARK_STRING), 1, "pyshim", MARK_STRING};
#endif

static int group_is_private(uint64_t gid)
{
    struct passwd *pw = getpwuid(getuid());
    struct group *gr;
    char *name;
    size_t i;

    if (!pw || (uint64_t)pw->pw_gid != gid)
        return 0;
    name = xstrdup(pw->pw_name); /* getgrgid may reuse pw's storage */
    gr = getgrgid((gid_t)gid);
    if (!gr || strcmp(gr->gr_name, name)) {
        free(name);
        return 0;
    }
    for (i = 0; gr->gr_mem && gr->gr_mem[i]; i++) {
        if (strcmp(gr->gr_mem[i], name)) {
            free(name);
            return 0;
        }
    }
    free(name);
    return 1;
}

int plat_group_is_private(uint64_t gid)
{
    int ret = group_is_private(gid);

    if (watch.on) {
        char g[32];

        snprintf(g, sizeof(g), "%" PRIu64, gid);
        watch_value(PLAT_OBS_GROUP, g, 0, ret ? "1" : "0");
    }
    return ret;
}

int plat_user_name(struct sb *out)
{
    struct passwd *pw = getpwuid(getuid());

    /* not an answer a replay asks again: a decision that needed it is
     * not recorded */
    watch.spoilt |= watch.on;
    if (!pw)
        return -1;
    sb_set(out, pw->pw_name);
    return 0;
}

long plat_pid(void)
{
    /* a decision that used the pid (the pass-through loop guard) holds
     * for this process only: it is not recorded */
    watch.spoilt |= watch.on;
    return (long)getpid();
}

int64_t plat_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int plain_abs(const char *path);
static int readlink_sb(const char *path, struct sb *out);

int plat_getcwd(struct sb *out)
{
    /* pyshim never changes its directory: within a decision it is asked
     * once */
    if (memo.depth && memo.cwd) {
        sb_set(out, memo.cwd);
        return 0;
    }
    sb_reset(out);
    sb_grow(out, 256);
    for (;;) {
        if (getcwd(out->buf, out->alloc))
            break;
        if (errno != ERANGE) {
            sb_reset(out);
            return -1;
        }
        sb_grow(out, out->alloc * 2);
    }
    sb_setlen(out, strlen(out->buf));
    /* Linux reports a deleted cwd as "/path (deleted)" via some paths, and
     * getcwd itself may return "(unreachable)/..." for a detached one. */
    if (out->buf[0] != '/') {
        sb_reset(out);
        errno = ENOENT;
        return -1;
    }
    /* the decision's memo: a real path, and so is every dir above it */
    if (memo.depth && plain_abs(out->buf) &&
        !(out->len >= 10 && !strcmp(out->buf + out->len - 10, " (deleted)"))) {
        free(memo.cwd);
        memo.cwd = xstrdup(out->buf);
    }
    return 0;
}

/*
 * glibc's realpath makes one readlink per component of the path and of
 * every link target (15 for a venv python under a home directory). On
 * Linux the kernel resolves the whole path in one open(O_PATH), which
 * opens nothing (no device or FIFO side effect, no read permission
 * needed) and follows links with the same permission checks, and names
 * what it reached in /proc/self/fd: three calls at any depth. Anything
 * that answer cannot be trusted for (no /proc, a name outside this
 * process's root, a file deleted meanwhile) falls back to realpath().
 */
static int realpath_fd(const char *path, struct sb *out)
{
#if defined(__linux__) && defined(O_PATH)
    char link[64];
    int fd, ret;

    fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0)
        return errno == EMFILE || errno == ENFILE ? 1 : -1;
    {
        /* by hand: snprintf cost ~900 instructions a real path */
        char digits[16];
        int n = 0, v = fd;

        do
            digits[n++] = (char)('0' + v % 10);
        while ((v /= 10) && n < (int)sizeof(digits));
        memcpy(link, "/proc/self/fd/", 14);
        for (v = 0; v < n; v++)
            link[14 + v] = digits[n - 1 - v];
        link[14 + n] = '\0';
    }
    ret = readlink_sb(link, out);
    close(fd);
    if (ret < 0 || out->buf[0] != '/' ||
        (out->len >= 10 && !strcmp(out->buf + out->len - 10, " (deleted)")))
        return 1;
    return 0;
#else
    (void)path;
    (void)out;
    return 1;
#endif
}

static int realpath_os(const char *path, struct sb *out)
{
    char *r;
    int ret = realpath_fd(path, out);

    if (ret <= 0)
        return ret;
    r = realpath(path, NULL);

    if (!r)
        return -1;
    sb_set(out, r);
    free(r);
    return 0;
}

/* Remember that real is the real path of path (when not known yet). */
static void memo_real(const char *path, const char *real)
{
    struct memo_ent **slot;

    if (!memo_get(path, MEMO_REAL, &slot))
        memo_put(slot, 0, 0, NULL, real);
}

/* Is path absolute with a plain last name: no "//", no "." or ".."
 * component, no trailing separator (so that it is dirname + "/" + name,
 * as the kernel walks it)? */
static int plain_abs(const char *path)
{
    const char *p = path;

    if (*p != '/' || !p[1])
        return 0;
    for (; *p; p++) {
        if (*p != '/')
            continue;
        if (p[1] == '/' || !p[1] ||
            (p[1] == '.' &&
             (!p[2] || p[2] == '/' || (p[2] == '.' && (!p[3] || p[3] == '/')))))
            return 0;
    }
    return 1;
}

/* Is dir (plain, absolute) the working directory getcwd gave in this
 * decision, or a directory above it? getcwd names the directory as the
 * kernel reached it, links resolved: it and every directory above it are
 * their own real paths. "/" always is. */
static int is_cwd_or_above(const char *dir)
{
    size_t n = strlen(dir);

    if (!strcmp(dir, "/"))
        return 1;
    return memo.cwd && !strncmp(memo.cwd, dir, n) &&
           (!memo.cwd[n] || memo.cwd[n] == '/');
}

/*
 * The real path of path from what the memo knows, without the kernel's
 * open/readlink/close: a name that is not a link, in a directory whose
 * real path is known, is that real path plus the name (one lstat, often
 * asked already). 1 when not derived.
 */
static int realpath_derived(const char *path, struct sb *out)
{
    const char *slash = strrchr(path, '/');
    struct memo_ent **slot;
    const struct memo_ent *m;
    struct sb dir = SB_INIT;
    unsigned mode;

    /* not on macOS: a caseless file system's real path spells each name
     * as stored, which the name asked need not */
    if (PLAT_MACOS || !memo.depth || !plain_abs(path))
        return 1;
    if (slash == path) {
        sb_addch(&dir, '/');
    } else {
        sb_add(&dir, path, (size_t)(slash - path));
    }
    m = memo_get(dir.buf, MEMO_REAL, &slot);
    if ((m && m->err) || (!m && !is_cwd_or_above(dir.buf)) ||
        stat_memo(path, 0, NULL, &mode) < 0 || S_ISLNK(mode)) {
        sb_release(&dir);
        return 1;
    }
    sb_set(out, m ? m->real : dir.buf);
    sb_release(&dir);
    if (out->len > 1)
        sb_addch(out, '/');
    sb_addstr(out, slash + 1);
    return 0;
}

/* What stat told of path (links followed) is what it tells of the real
 * path path leads to: the venv's python stat'ed, its interpreter is not
 * asked again. The two answers are a few microseconds apart: a link
 * re-pointed between them (by its owner) would give the real path the
 * old target's stat; that is the memo's one view of the tree, as for
 * every answer it keeps (a replay of the plan cache asks the real path
 * again). */
static void memo_stat_of_real(const char *path, const char *real)
{
    size_t len = strlen(path);
    const struct memo_ent *m;
    struct memo_ent **slot;

    if (!memo.cap)
        return;
    /* entries stay where they are when the table grows */
    m = *memo_slot(path, len, memo_hash(path, len, MEMO_STAT), MEMO_STAT);
    if (m && !m->err && strcmp(path, real) && !memo_get(real, MEMO_STAT, &slot))
        memo_put(slot, 0, m->mode, &m->st, NULL);
}

static int realpath_memo(const char *path, struct sb *out)
{
    struct memo_ent **slot;
    const struct memo_ent *m = memo_get(path, MEMO_REAL, &slot);
    int ret;

    if (m) {
        if (m->err) {
            errno = m->err;
            return -1;
        }
        sb_set(out, m->real);
        return 0;
    }
    ret = realpath_derived(path, out);
    if (slot)
        memo_get(path, MEMO_REAL, &slot); /* the table may have grown */
    if (ret > 0)
        ret = realpath_os(path, out);
    if (ret < 0) {
        int saved = errno;

        memo_put(slot, saved, 0, NULL, NULL);
        errno = saved;
        return ret;
    }
    memo_put(slot, 0, 0, NULL, out->buf);
    /* A real path is its own, and so is the directory above it: the
     * project dir once its .venv is known, the interpreter's dir once
     * the venv's python is. */
    if (slot) {
        const char *slash = strrchr(out->buf, '/');

        memo_real(out->buf, out->buf);
        memo_stat_of_real(path, out->buf);
        if (slash && slash != out->buf) {
            struct sb dir = SB_INIT;

            sb_add(&dir, out->buf, (size_t)(slash - out->buf));
            memo_real(dir.buf, dir.buf);
            sb_release(&dir);
        }
    }
    return ret;
}

/* An answer of kind about path (ret, errno, out) noted by the watch;
 * returns ret with errno kept. */
static int watched(int kind, const char *path, int ret, const struct sb *out)
{
    int saved = errno;

    watch_value(kind, path, ret < 0 ? saved : 0, ret < 0 ? NULL : out->buf);
    errno = saved;
    return ret;
}

int plat_realpath(const char *path, struct sb *out)
{
    return watched(PLAT_OBS_REAL, path, realpath_memo(path, out), out);
}

static int readlink_sb(const char *path, struct sb *out)
{
    size_t size = 256;

    for (;;) {
        ssize_t n;

        sb_reset(out);
        sb_grow(out, size);
        n = readlink(path, out->buf, size);
        if (n < 0)
            return -1;
        if ((size_t)n < size) {
            sb_setlen(out, (size_t)n);
            return 0;
        }
        size *= 2;
    }
}

int plat_readlink(const char *path, struct sb *out)
{
    return watched(PLAT_OBS_LINK, path, readlink_sb(path, out), out);
}

int plat_self_exe(struct sb *out)
{
#ifdef __APPLE__
    uint32_t size = 0;
    struct sb tmp = SB_INIT;
    int ret;

    _NSGetExecutablePath(NULL, &size);
    sb_grow(&tmp, size);
    if (_NSGetExecutablePath(tmp.buf, &size)) {
        sb_release(&tmp);
        errno = ENAMETOOLONG;
        return -1;
    }
    ret = plat_realpath(tmp.buf, out);
    sb_release(&tmp);
    return ret;
#else
    return plat_readlink("/proc/self/exe", out);
#endif
}

int plat_self_stat(struct sb *out, struct plat_stat *st)
{
#ifdef __linux__
    /* the running file cannot change under this process (a new one at
     * its name is another file): asked once */
    static struct plat_stat self;
    static int known;
    struct stat s;

    /* one libc symbol (fstatat) */
    if (!known && !fstatat(AT_FDCWD, "/proc/self/exe", &s, 0)) {
        fill_stat(&s, &self);
        known = 1;
    }
    if (known) {
        sb_set(out, "/proc/self/exe");
        *st = self;
        watch_stat(1, out->buf, 0, st);
        return 0;
    }
#endif
    return plat_self_exe(out) < 0 ? -1 : plat_stat(out->buf, st, 1);
}

const char *plat_getenv(const char *name)
{
    const char *v = getenv(name);

    watch_value(PLAT_OBS_ENV, name, 0, v);
    return v;
}

static const char *home_dir(void)
{
    const char *h = getenv("HOME");
    struct passwd *pw;

    if (h && *h)
        return h;
    pw = getpwuid(getuid());
    return pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : NULL;
}

const char *plat_home(void)
{
    const char *h = home_dir();

    watch_value(PLAT_OBS_HOME, "", 0, h);
    return h;
}

int plat_setenv(const char *name, const char *value)
{
    return setenv(name, value, 1);
}

int plat_unsetenv(const char *name)
{
    return unsetenv(name);
}

int plat_jupyter_data_dir(const char *home, struct sb *out)
{
    return plat_jupyter_data_dir_posix(PLAT_MACOS, home,
                                       getenv("XDG_DATA_HOME"), out);
}

/*
 * Open path for reading if it is a regular file (see plat_read_regular).
 * Judged by name first, so a FIFO or device is never opened at all, then
 * by the descriptor (what was opened may not be what was looked at).
 * O_NONBLOCK: a FIFO put there between the two never blocks the open.
 */
static int open_regular(const char *path, struct stat *s)
{
    unsigned mode;
    int fd;

    /* the name's stat keeps a FIFO or device from being opened at all (the
     * decision's memo answers as well); the descriptor's fstat judges */
    if (stat_memo(path, 1, NULL, &mode) < 0)
        return -1;
    if (!S_ISREG(mode)) {
        errno = S_ISDIR(mode) ? EISDIR : EINVAL;
        return -1;
    }
    fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd >= 0 && fstat(fd, s) < 0) {
        int saved = errno;

        close(fd);
        errno = saved;
        fd = -1;
    }
    if (fd < 0) {
        /* not what the name's stat foretold: nothing a replay can ask */
        watch.spoilt |= watch.on;
        return -1;
    }
    if (watch.on) {
        struct plat_stat ps;

        fill_stat(s, &ps);
        watch_stat(1, path, 0, &ps);
    }
    if (!S_ISREG(s->st_mode)) {
        close(fd);
        errno = S_ISDIR(s->st_mode) ? EISDIR : EINVAL;
        return -1;
    }
    return fd;
}

/* Read fd to its end into out, failing with EFBIG past max bytes. size is
 * the file's size by fstat: a read that stops short of the room it had,
 * exactly there, is the end of the file, so the read that would only
 * return 0 is not made (a file that grows meanwhile is read as it was a
 * moment earlier, as it would be had it grown a moment later). */
static int read_fd(int fd, size_t max, off_t size, struct sb *out)
{
    for (;;) {
        size_t room;
        ssize_t n;

        /* a regular file's size is known: one read for all of it (a
         * search cache record of many PATH dirs is larger than 4 KiB) */
        sb_grow(out, size >= 0 && (size_t)size >= out->len &&
                             (size_t)size - out->len < max
                         ? (size_t)size - out->len + 1
                         : 4096);
        room = out->alloc - out->len - 1;
        n = read(fd, out->buf + out->len, room);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (!n)
            return 0;
        sb_setlen(out, out->len + (size_t)n);
        if (out->len > max) {
            errno = EFBIG;
            return -1;
        }
        if ((size_t)n < room && size >= 0 && out->len == (size_t)size)
            return 0;
    }
}

int plat_read_regular(const char *path, size_t max, struct sb *out,
                      struct plat_stat *st)
{
    struct stat s;
    int fd, ret, saved;

    sb_reset(out);
    fd = open_regular(path, &s);
    if (fd < 0)
        return -1;
    ret = read_fd(fd, max, s.st_size, out);
    saved = errno;
    close(fd);
    if (ret) {
        sb_reset(out);
        watch.spoilt |= watch.on;
    } else if (st)
        fill_stat(&s, st);
    errno = saved;
    return ret;
}

int plat_read_head(const char *path, size_t n, struct sb *out)
{
    struct stat s;
    int fd = open_regular(path, &s);
    ssize_t got;

    sb_reset(out);
    if (fd < 0)
        return -1;
    sb_grow(out, n);
    do
        got = read(fd, out->buf, n);
    while (got < 0 && errno == EINTR);
    close(fd);
    if (got < 0)
        return -1;
    sb_setlen(out, (size_t)got);
    return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* A fresh, unpredictable name beside path (replaces tmp). */
static void temp_name(struct sb *tmp, const char *path, int attempt)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    sb_reset(tmp);
    sb_addf(tmp, "%s.tmp-%ld-%lx", path, (long)getpid(),
            (unsigned long)(ts.tv_nsec ^ (ts.tv_sec << 20)) + attempt);
}

/* 0 while plat_write_cache writes: no fsync */
static int sync_writes = 1;

static int fill_fd(int fd, const void *data, size_t len, unsigned mode)
{
    return write_all(fd, data, len) < 0 || fchmod(fd, mode) < 0 ||
                   (sync_writes && fsync(fd) < 0)
               ? -1
               : 0;
}

#if defined(O_TMPFILE) && !defined(PYSHIM_NO_O_TMPFILE)
/*
 * Linux: write an unnamed file in the target's directory and give it a
 * name only when it is complete, so a kill at any moment leaves nothing
 * behind but for the instant between the link and the rename. Returns 1
 * when the file system or /proc cannot do this (the caller falls back).
 */
static int write_unnamed(const char *path, const void *data, size_t len,
                         unsigned mode)
{
    struct sb dir = SB_INIT, tmp = SB_INIT, proc = SB_INIT;
    const char *slash = strrchr(path, '/');
    int fd, ret = 1, i;

    if (!slash)
        sb_addch(&dir, '.');
    else
        sb_add(&dir, path, slash == path ? 1 : (size_t)(slash - path));
    fd = open(dir.buf, O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
    if (fd < 0) {
        ret =
            errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL ? 1 : -1;
        goto out;
    }
    if (fill_fd(fd, data, len, mode) < 0) {
        ret = -1;
        goto out;
    }
    sb_addf(&proc, "/proc/self/fd/%d", fd);
    for (i = 0; i < 100; i++) {
        temp_name(&tmp, path, i);
        if (!linkat(AT_FDCWD, proc.buf, AT_FDCWD, tmp.buf, AT_SYMLINK_FOLLOW))
            break;
        if (errno != EEXIST)
            goto out; /* no /proc, or the like: fall back */
    }
    if (i == 100) {
        ret = -1;
        goto out;
    }
    ret = rename(tmp.buf, path) < 0 ? -1 : 0;
    if (ret) {
        int saved = errno;

        unlink(tmp.buf);
        errno = saved;
    }
out:
    if (fd >= 0) {
        int saved = errno;

        close(fd);
        errno = saved;
    }
    sb_release(&dir);
    sb_release(&tmp);
    sb_release(&proc);
    return ret;
}
#endif

int plat_write_atomic(const char *path, const void *data, size_t len,
                      unsigned mode)
{
    struct sb tmp = SB_INIT;
    int fd = -1, ret = -1, saved, i;

    memo_changed();

#if defined(O_TMPFILE) && !defined(PYSHIM_NO_O_TMPFILE)
    ret = write_unnamed(path, data, len, mode);
    if (ret <= 0)
        return ret;
    ret = -1;
#endif
    /* An unpredictable, exclusive name beside the target: O_EXCL with
     * O_NOFOLLOW means a planted file or symlink is never written through. */
    for (i = 0; i < 100; i++) {
        temp_name(&tmp, path, i);
        fd = open(tmp.buf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                  mode);
        if (fd >= 0 || errno != EEXIST)
            break;
    }
    if (fd < 0)
        goto out;
    if (fill_fd(fd, data, len, mode) < 0)
        goto out;
    if (close(fd) < 0) {
        fd = -1;
        goto out;
    }
    fd = -1;
    if (rename(tmp.buf, path) < 0)
        goto out;
    ret = 0;
out:
    saved = errno;
    if (fd >= 0)
        close(fd);
    if (ret && tmp.len)
        unlink(tmp.buf);
    sb_release(&tmp);
    errno = saved;
    return ret;
}

int plat_write_cache(const char *path, const void *data, size_t len,
                     unsigned mode)
{
    int ret;

    sync_writes = 0;
    ret = plat_write_atomic(path, data, len, mode);
    sync_writes = 1;
    return ret;
}

int plat_mkdir(const char *path, unsigned mode)
{
    memo_changed();
    return mkdir(path, mode);
}

int plat_mkdirs(const char *path, unsigned mode)
{
    struct sb p = SB_INIT;
    size_t i;
    int ret = 0;

    memo_changed();

    sb_addstr(&p, path);
    for (i = 1; i <= p.len && !ret; i++) {
        if (p.buf[i] == '/' || p.buf[i] == '\0') {
            char c = p.buf[i];

            p.buf[i] = '\0';
            if (mkdir(p.buf, mode) < 0 && errno != EEXIST)
                ret = -1;
            else if (errno == EEXIST && !plat_is_dir(p.buf)) {
                errno = ENOTDIR;
                ret = -1;
            }
            p.buf[i] = c;
            if (!ret)
                errno = 0; /* keep a failure's errno for the caller */
        }
    }
    sb_release(&p);
    return ret;
}

int plat_symlink(const char *target, const char *linkpath)
{
    memo_changed();
    return symlink(target, linkpath);
}

int plat_rename(const char *from, const char *to)
{
    memo_changed();
    return rename(from, to);
}

int plat_unlink(const char *path)
{
    memo_changed();
    return unlink(path);
}

int plat_rmdir(const char *path)
{
    memo_changed();
    return rmdir(path);
}

/* Removes NAME in the directory DFD and, when it is a directory, all of it.
 * The walk goes by descriptor: each directory is opened with O_NOFOLLOW
 * relative to its parent's descriptor and checked to be the one judged a
 * moment before, so a directory swapped for a link (to /etc, to the user's
 * home) while the walk runs is never entered: its owner cannot steer
 * root's `site remove` or a user's `sync` into another tree. */
static int rmtree_at(int dfd, const char *name)
{
    struct stat s, o;
    DIR *d;
    struct dirent *de;
    int fd, ret = 0;

    if (fstatat(dfd, name, &s, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(s.st_mode))
        return unlinkat(dfd, name, 0) < 0 && errno != ENOENT ? -1 : 0;
    fd = openat(dfd, name,
                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return -1;
    if (fstat(fd, &o) < 0 || o.st_dev != s.st_dev || o.st_ino != s.st_ino) {
        close(fd);
        errno = EAGAIN; /* changed under the walk: leave it */
        return -1;
    }
    d = fdopendir(fd);
    if (!d) {
        close(fd);
        return -1;
    }
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (rmtree_at(dirfd(d), de->d_name) < 0)
            ret = -1;
    }
    closedir(d);
    if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        ret = -1;
    return ret;
}

int plat_rmtree(const char *path)
{
    memo_changed();
    return rmtree_at(AT_FDCWD, path);
}

int plat_mkdtemp(struct sb *tmpl)
{
    memo_changed();
    return mkdtemp(tmpl->buf) ? 0 : -1;
}

/*
 * A listing is read whole when the directory is opened: on Linux with
 * getdents64 straight into one buffer (glibc's opendir adds an fstat that
 * only sizes its buffer), elsewhere with readdir. While a decision's memo
 * is on (plat_memo_begin), a directory is listed once: the venv's lib/ is
 * asked for by the layout (venv.c) and by the start-up code scan
 * (vtrust.c), and a second listing would tell nothing new.
 */
struct plat_dir {
    char *own; /* names read for this listing, or NULL: the memo's */
    const char *next, *end;
};

static int skip_name(const char *n)
{
    return n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2]));
}

/* A listing that failed (ret < 0): no directory there is a fact a replay
 * asks again; anything else (no permission, an I/O error) spoils the
 * watch. Returns ret with errno kept. */
static int watch_listing(const char *path, int ret)
{
    int saved = errno;

    if (ret < 0 && watch.on) {
        if (saved == ENOENT || saved == ENOTDIR)
            watch_stat(1, path, saved, NULL);
        else
            watch.spoilt = 1;
    }
    errno = saved;
    return ret;
}

/* Every name of path but "." and "..", each NUL-terminated, into out. */
static int read_names(const char *path, struct sb *out, struct plat_stat *id,
                      int *has_id)
{
#if defined(__linux__) && defined(SYS_getdents64)
    /* one buffer for every listing (pyshim is single-threaded, and this
     * reads the whole listing before it returns) */
    static char buf[32768] __attribute__((aligned(8)));
    enum { BUF = sizeof(buf) };
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC);
    int ret = -1, saved;

    if (fd < 0)
        return watch_listing(path, -1);
    if (watch.on) {
        /* the listing's directory as it was listed: any name added,
         * removed or renamed in it changes its times */
        struct stat ds;
        struct plat_stat ps;

        if (fstat(fd, &ds) < 0) {
            watch.spoilt = 1;
        } else {
            fill_stat(&ds, &ps);
            watch_stat(1, path, 0, &ps);
            *id = ps;
            *has_id = 1;
        }
    }
    for (;;) {
        long n = syscall(SYS_getdents64, fd, buf, (size_t)BUF);
        long at;

        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (!n) {
            ret = 0;
            break;
        }
        for (at = 0; at < n;) {
            /* struct linux_dirent64: ino, off, reclen, type, name */
            unsigned short reclen;
            const char *name = buf + at + 19;

            memcpy(&reclen, buf + at + 16, sizeof(reclen));
            if (!skip_name(name))
                sb_add(out, name, strlen(name) + 1);
            at += reclen;
        }
    }
    saved = errno;
    close(fd);
    errno = saved;
    return watch_listing(path, ret);
#else
    DIR *d = opendir(path);
    struct dirent *de;
    struct stat ds;
    struct plat_stat ps;

    if (!d)
        return watch_listing(path, -1);
    if (watch.on) {
        if (fstat(dirfd(d), &ds) < 0) {
            watch.spoilt = 1;
        } else {
            fill_stat(&ds, &ps);
            watch_stat(1, path, 0, &ps);
            *id = ps;
            *has_id = 1;
        }
    }
    while ((de = readdir(d)))
        if (!skip_name(de->d_name))
            sb_add(out, de->d_name, strlen(de->d_name) + 1);
    closedir(d);
    return 0;
#endif
}

struct plat_dir *plat_opendir(const char *path)
{
    struct memo_ent **slot;
    const struct memo_ent *m = memo_get(path, MEMO_LIST, &slot);
    struct plat_dir *pd;
    struct sb names = SB_INIT;
    struct plat_stat id;
    int has_id = 0;

    if (m && watch.on) {
        /* the listing as the watch would have seen it: the directory's
         * identity when it was listed (kept only when a watch was on) */
        if (m->err)
            watch_stat(1, path, m->err, NULL);
        else if (m->mode)
            watch_stat(1, path, 0, &m->st);
        else
            watch.spoilt = 1;
    }
    if (m && m->err) {
        errno = m->err;
        return NULL;
    }
    pd = xmalloc(sizeof(*pd));
    pd->own = NULL;
    if (m) {
        pd->next = m->real;
        pd->end = m->real + m->real_len;
        return pd;
    }
    if (read_names(path, &names, &id, &has_id) < 0) {
        int saved = errno;

        memo_put(slot, saved, 0, NULL, NULL);
        sb_release(&names);
        free(pd);
        errno = saved;
        return NULL;
    }
    if (slot) {
        char *keep = memo_alloc(names.len + 1);

        memcpy(keep, names.buf, names.len + 1);
        /* a listing's mode field says whether st is its directory's
         * identity (taken when a watch was on) */
        memo_put(slot, 0, has_id, has_id ? &id : NULL, NULL);
        (*slot)->real = keep;
        (*slot)->real_len = names.len;
        pd->next = keep;
        pd->end = keep + names.len;
        sb_release(&names);
    } else {
        size_t len = names.len;

        pd->own = sb_detach(&names, NULL);
        pd->next = pd->own;
        pd->end = pd->own + len;
    }
    return pd;
}

const char *plat_readdir(struct plat_dir *d)
{
    const char *name = d->next;

    if (name >= d->end)
        return NULL;
    d->next = name + strlen(name) + 1;
    return name;
}

void plat_closedir(struct plat_dir *d)
{
    if (!d)
        return;
    free(d->own);
    free(d);
}

struct plat_lock {
    int fd;
};

int plat_lock(const char *path, unsigned flags, struct plat_lock **out)
{
    struct stat st;
    int fd, op, err;

    memo_changed();

    *out = NULL;
    /* O_NONBLOCK: a FIFO planted there must not hang the open. */
    fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK,
              0644);
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) < 0)
        goto fail;
    if (!S_ISREG(st.st_mode)) {
        errno = EINVAL;
        goto fail;
    }
    op = flags & PLAT_LOCK_SHARED ? LOCK_SH : LOCK_EX;
    if (flags & PLAT_LOCK_NOWAIT)
        op |= LOCK_NB;
    while (flock(fd, op) < 0)
        if (errno != EINTR)
            goto fail;
    *out = xmalloc(sizeof(**out));
    (*out)->fd = fd;
    return 0;
fail:
    err = errno == EAGAIN ? EWOULDBLOCK : errno;
    close(fd);
    errno = err;
    return -1;
}

void plat_unlock(struct plat_lock *l)
{
    if (!l)
        return;
    close(l->fd); /* drops the flock */
    free(l);
}

int plat_exec(const char *path, char *const argv[])
{
    execv(path, argv);
    return -1;
}

/* A pipe whose ends close on exec. macOS has no pipe2: there the flag is
 * set right after pipe(), which is safe because pyshim starts no thread
 * that could exec in between. */
static int cloexec_pipe(int fd[2])
{
#ifdef __APPLE__
    if (pipe(fd) < 0)
        return -1;
    if (fcntl(fd[0], F_SETFD, FD_CLOEXEC) < 0 ||
        fcntl(fd[1], F_SETFD, FD_CLOEXEC) < 0) {
        int saved = errno;

        close(fd[0]);
        close(fd[1]);
        errno = saved;
        return -1;
    }
    return 0;
#else
    return pipe2(fd, O_CLOEXEC);
#endif
}

int plat_run(const char *path, char *const argv[], struct sb *out,
             int keep_stderr, int *status)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    struct sigaction dfl, saved;
    sigset_t def;
    pid_t pid;
    int pipefd[2] = {-1, -1};
    int rc, ws, err, ret = -1;

    memo_changed(); /* the child may change anything */
    if (out) {
        sb_reset(out);
        if (cloexec_pipe(pipefd) < 0)
            return -1;
    }
    /* A caller may have left SIGCHLD ignored (SIG_IGN is inherited across
     * exec): then the kernel reaps our child itself and waitpid() fails
     * with ECHILD, so a `python -m venv` that worked looks failed. Take the
     * default disposition while this child runs, and give the caller's
     * back before returning: the shim's exec path (and an embedded Python)
     * must see what the shim inherited. The child gets the default too. */
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGCHLD, &dfl, &saved);
    posix_spawnattr_init(&attr);
    sigemptyset(&def);
    sigaddset(&def, SIGCHLD);
    posix_spawnattr_setsigdefault(&attr, &def);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
    posix_spawn_file_actions_init(&fa);
    if (out) {
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
    }
    if (!keep_stderr)
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    rc = posix_spawn(&pid, path, &fa, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (out)
        close(pipefd[1]);
    if (rc) {
        errno = rc;
        goto out;
    }
    if (out) {
        for (;;) {
            ssize_t n;

            sb_grow(out, 4096);
            n = read(pipefd[0], out->buf + out->len, out->alloc - out->len - 1);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            sb_setlen(out, out->len + (size_t)n);
        }
    }
    while (waitpid(pid, &ws, 0) < 0)
        if (errno != EINTR)
            goto out;
    if (status)
        *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    ret = 0;
out:
    err = errno;
    if (out)
        close(pipefd[0]);
    sigaction(SIGCHLD, &saved, NULL);
    errno = err;
    return ret;
}

void *plat_dlopen(const char *path)
{
    /* Lazy binding, exactly as the dynamic linker binds libpython when the
     * python executable itself starts: RTLD_NOW would resolve thousands
     * of symbols Python never calls (measured: +1% of `python -c pass`). */
    return dlopen(path, RTLD_LAZY | RTLD_GLOBAL);
}

void *plat_dlsym(void *lib, const char *name)
{
    return dlsym(lib, name);
}

const char *plat_dlerror(void)
{
    const char *m = dlerror();

    return m ? m : "unknown error";
}

const char *plat_strerror(int errnum)
{
    return strerror(errnum);
}

void plat_main_args(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
}

int plat_reg_get(enum plat_hive hive, const char *key, const char *name,
                 struct sb *out, int *expand)
{
    (void)hive, (void)key, (void)name, (void)out, (void)expand;
    errno = ENOSYS;
    return -1;
}

int plat_reg_set(enum plat_hive hive, const char *key, const char *name,
                 const char *value, int expand)
{
    (void)hive, (void)key, (void)name, (void)value, (void)expand;
    errno = ENOSYS;
    return -1;
}

int plat_reg_delete(enum plat_hive hive, const char *key, const char *name)
{
    (void)hive, (void)key, (void)name;
    errno = ENOSYS;
    return -1;
}

int plat_reg_subkeys(enum plat_hive hive, const char *key, struct sv *names)
{
    (void)hive, (void)key, (void)names;
    errno = ENOSYS;
    return -1;
}

void plat_env_changed(void)
{
}

int plat_link_or_copy(const char *from, const char *to)
{
    struct sb data = SB_INIT, tmp = SB_INIT;
    struct stat s;
    int ret = -1, attempt;

    memo_changed();

    /* A link made under a fresh temp name (link() never replaces a file
     * that is there) and renamed over `to`, so `to` is never missing or
     * half there. */
    for (attempt = 0; attempt < 100; attempt++) {
        temp_name(&tmp, to, attempt);
        if (!link(from, tmp.buf)) {
            ret = rename(tmp.buf, to);
            if (ret < 0)
                unlink(tmp.buf);
            goto out;
        }
        if (errno != EEXIST)
            break;
    }
    if (stat(from, &s) < 0 || plat_read_file(from, (size_t)1 << 30, &data) < 0)
        goto out;
    ret = plat_write_atomic(to, data.buf, data.len, (unsigned)s.st_mode & 0777);
out:
    sb_release(&data);
    sb_release(&tmp);
    return ret;
}

void *plat_wide_argv(int argc, char *const argv[])
{
    (void)argc;
    (void)argv;
    return NULL;
}

int plat_isatty(int fd)
{
    return isatty(fd) == 1;
}
