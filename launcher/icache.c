#include "launcher/icache.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/fs.h"
#include "common/linerec.h"
#include "common/path.h"
#include "common/xalloc.h"
#include "common/banned.h"

/* The sources interp.c names an entry's origin by (static strings). */
static const char *const origins[] = {"PATH", "pyenv", "uv", "system", NULL};

/* A change this recent could be followed by another that leaves the mtime
 * as it is (the file system's timestamps are coarser than the clock):
 * 50 ms where times have sub-second digits (Linux's coarse clock ticks
 * every 1-10 ms), 2 s where they have none (FAT's granularity). */
static int too_fresh(const struct icache_note *n, int64_t mtime_ns)
{
    int64_t window = mtime_ns % 1000000000 ? 50000000 : 2000000000;

    return mtime_ns > n->t0 - window;
}

void icache_note_begin(struct icache_note *n)
{
    sb_reset(&n->lines);
    sv_release(&n->trace);
    n->traced = 0;
    n->t0 = plat_now_ns();
    n->fresh = 0;
}

void icache_note_end(struct icache_note *n, const struct trace *t, size_t from)
{
    size_t i;

    n->traced = t && t->enabled;
    for (i = from; n->traced && i < t->lines.nr; i++)
        sv_push(&n->trace, t->lines.v[i]);
}

size_t icache_learned(const struct interp_list *l)
{
    size_t i, n = 0;

    for (i = 0; i < l->nr; i++)
        n += (l->v[i].probed != 0) + (l->v[i].shim != 0) +
             (l->v[i].ver.micro >= 0);
    return n;
}

void icache_note_dir(struct icache_note *n, const char *dir)
{
    struct plat_stat st;

    if (plat_stat(dir, &st, 1) < 0 || !st.is_dir) {
        sb_addstr(&n->lines, "d - ");
    } else {
        sb_addf(&n->lines, "d %" PRIu64 " %" PRIu64 " %" PRId64 " ", st.dev,
                st.ino, st.mtime_ns);
        n->fresh |= too_fresh(n, st.mtime_ns);
    }
    linerec_addesc(&n->lines, dir);
    sb_addch(&n->lines, '\n');
}

void icache_note_file(struct icache_note *n, const char *path,
                      const struct plat_stat *st)
{
    if (!st) {
        sb_addstr(&n->lines, "f - ");
    } else {
        sb_addf(&n->lines, "f %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRId64 " ",
                st->dev, st->ino, st->size, st->mtime_ns);
        n->fresh |= too_fresh(n, st->mtime_ns);
    }
    linerec_addesc(&n->lines, path);
    sb_addch(&n->lines, '\n');
}

void icache_note_release(struct icache_note *n)
{
    sb_release(&n->lines);
    sv_release(&n->trace);
}

static void add_opt(struct sb *k, const char *name, const char *v)
{
    sb_addstr(k, name);
    if (!v) {
        sb_addstr(k, " 0\n");
        return;
    }
    sb_addstr(k, " 1 ");
    linerec_addesc(k, v);
    sb_addch(k, '\n');
}

static void add_list(struct sb *k, const char *name, const struct sv *l)
{
    size_t i;

    sb_addstr(k, name);
    for (i = 0; l && i < l->nr; i++) {
        sb_addch(k, ' ');
        linerec_addesc(k, l->v[i]);
    }
    sb_addch(k, '\n');
}

/* The record's first lines: everything the search depends on besides
 * the file system. */
static void key_of(const struct interp_env *env, struct sb *k)
{
    sb_reset(k);
    sb_addstr(k, "pyshim-search 1\n");
    add_opt(k, "path", env->path);
    add_opt(k, "pyenv_root", env->pyenv_root);
    add_list(k, "pyenv_versions", env->pyenv_versions);
    add_list(k, "uv", env->uv_dirs);
    sb_addf(k, "self %" PRIu64 " %" PRIu64 " %" PRIu64, env->self_dev,
            env->self_ino, env->self_size);
    add_opt(k, "", env->self_path);
}

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static void file_of(const struct interp_env *env, const struct sb *key,
                    struct sb *file)
{
    path_join(file, env->cache_dir, "interp");
    sb_addf(file, "%csearch-%02x", PLAT_DIRSEP,
            (unsigned)(fnv1a(key->buf, key->len) & 0xff));
}

/* A "d" or "f" line that records a path as absent ("- PATH"): 1 and r
 * past the line when it is one (*same: the path is still no directory
 * (dir) or still missing), else 0 and r as it was. */
static int absent_line(struct linerec *r, struct sb *tmp, int dir, int *same)
{
    const char *s;
    size_t n;
    struct plat_stat st;
    struct linerec peek = *r;

    if (linerec_field(&peek, &s, &n) < 0 || n != 1 || *s != '-')
        return 0;
    *r = peek;
    *same = !linerec_text(r, tmp) && linerec_line_done(r) &&
            (plat_stat(tmp->buf, &st, 1) < 0 || (dir && !st.is_dir));
    return 1;
}

/* "d" line: the directory is as it was. */
static int dir_same(struct linerec *r, struct sb *tmp)
{
    uint64_t dev, ino;
    int64_t mtime;
    struct plat_stat st;
    int same;

    if (absent_line(r, tmp, 1, &same))
        return same;
    return !linerec_u64(r, &dev) && !linerec_u64(r, &ino) &&
           !linerec_i64(r, &mtime) && !linerec_text(r, tmp) &&
           linerec_line_done(r) && !plat_stat(tmp->buf, &st, 1) && st.is_dir &&
           st.dev == dev && st.ino == ino && st.mtime_ns == mtime;
}

/* "f" line: the file is as it was. */
static int file_same(struct linerec *r, struct sb *tmp)
{
    uint64_t dev, ino, size;
    int64_t mtime;
    struct plat_stat st;
    int same;

    if (absent_line(r, tmp, 0, &same))
        return same;
    return !linerec_u64(r, &dev) && !linerec_u64(r, &ino) &&
           !linerec_u64(r, &size) && !linerec_i64(r, &mtime) &&
           !linerec_text(r, tmp) && linerec_line_done(r) &&
           !plat_stat(tmp->buf, &st, 1) && st.dev == dev && st.ino == ino &&
           st.size == size && st.mtime_ns == mtime;
}

static int ver_part(struct linerec *r, int *v)
{
    int64_t x;

    if (linerec_i64(r, &x) < 0 || x < -1 || x > 100000)
        return -1;
    *v = (int)x;
    return 0;
}

/* "i" line: one entry of the answer, appended to l. */
static int entry(struct linerec *r, struct interp_list *l, struct sb *tmp)
{
    struct interp it;
    struct linerec peek;
    int64_t ft, shim, probed;
    int i, has_name;

    memset(&it, 0, sizeof(it));
    it.plat = PYVER_PLAT_ANY;
    if (linerec_text(r, tmp) < 0 || !tmp->len || ver_part(r, &it.ver.major) ||
        ver_part(r, &it.ver.minor) || ver_part(r, &it.ver.micro) ||
        linerec_i64(r, &ft) < 0 || (ft != 0 && ft != 1) ||
        linerec_i64(r, &shim) < 0 || (shim != 0 && shim != 1) ||
        linerec_i64(r, &probed) < 0 || (probed != 0 && probed != 1) ||
        linerec_u64(r, &it.dev) < 0 || linerec_u64(r, &it.ino) < 0)
        return -1;
    it.ft = (int)ft;
    it.shim = (int)shim;
    it.probed = (int)probed;
    for (i = 0; origins[i]; i++) {
        peek = *r;
        if (!linerec_word(&peek, origins[i]))
            break;
    }
    if (!origins[i])
        return -1;
    *r = peek;
    it.origin = origins[i];
    it.path = sb_detach(tmp, NULL);
    peek = *r;
    has_name = !linerec_word(&peek, "1");
    if (linerec_word(r, has_name ? "1" : "0") < 0 ||
        (has_name && linerec_text(r, tmp) < 0) || !linerec_line_done(r)) {
        free(it.path);
        return -1;
    }
    it.name = has_name ? sb_detach(tmp, NULL) : NULL;
    xgrow((void **)&l->v, &l->alloc, l->nr + 1, sizeof(*l->v));
    l->v[l->nr++] = it;
    return 0;
}

int icache_load(const struct interp_env *env, struct interp_list *out,
                struct trace *t, struct icache_note *note)
{
    struct sb key = SB_INIT, file = SB_INIT, text = SB_INIT, tmp = SB_INIT;
    struct sv lines = SV_INIT;
    struct plat_stat st;
    struct linerec r;
    const char *tag, *dstart, *dend;
    size_t nd = 0, nf = 0, i, n;
    int ret = -1, traced = t && t->enabled, traced_rec, past = 0;

    if (PLAT_WINDOWS || !env->cache_dir)
        return -1;
    key_of(env, &key);
    file_of(env, &key, &file);
    /* a record names the programs that run: the user's own only */
    if (plat_read_regular(file.buf, 64 << 20, &text, &st) < 0 ||
        (st.uid != plat_uid() && st.uid != 0) || (st.perm & 0022) ||
        text.len < key.len || memcmp(text.buf, key.buf, key.len))
        goto out;
    linerec_init(&r, text.buf + key.len, text.len - key.len);
    if (linerec_line(&r) < 0 || linerec_word(&r, "traced") < 0 ||
        linerec_field(&r, &tag, &n) < 0 || n != 1 ||
        (*tag != '1' && (*tag != '0' || traced)) || !linerec_line_done(&r))
        goto out;
    traced_rec = *tag == '1';
    dstart = dend = r.p;
    for (;;) {
        if (linerec_line(&r) < 0 || linerec_field(&r, &tag, &n) < 0)
            goto out;
        if (n == 3 && !memcmp(tag, "end", 3))
            break;
        if (n != 1)
            goto out;
        /* the "d" and "f" lines come first, as icache_store writes
         * them: the note keeps them as one piece of the text */
        if (*tag == 'd' || *tag == 'f') {
            if (past ||
                !(*tag == 'd' ? dir_same(&r, &tmp) : file_same(&r, &tmp)))
                goto out; /* changed, or not a record */
            if (*tag == 'd')
                nd++;
            else
                nf++;
            dend = r.fend + 1;
            continue;
        }
        past = 1;
        if (*tag == 'i' && !entry(&r, out, &tmp))
            continue;
        if (*tag != 't' || linerec_text(&r, &tmp) < 0 || !linerec_line_done(&r))
            goto out;
        sv_push(&lines, tmp.buf);
    }
    if (!linerec_line_done(&r) || !linerec_at_end(&r))
        goto out;
    for (i = 0; i < lines.nr; i++)
        trace_add(t, "%s", lines.v[i]);
    sb_reset(&note->lines);
    sb_add(&note->lines, dstart, (size_t)(dend - dstart));
    note->traced = traced_rec;
    sv_release(&note->trace);
    note->trace = lines;
    lines.v = NULL;
    lines.nr = lines.alloc = 0;
    note->fresh = 0;
    trace_add(
        t,
        "the search's answer from '%s': %lu directories and %lu files unchanged",
        file.buf, (unsigned long)nd, (unsigned long)nf);
    ret = 0;
out:
    if (ret) {
        interp_list_release(out);
        sb_reset(&note->lines);
    }
    sb_release(&key);
    sb_release(&file);
    sb_release(&text);
    sb_release(&tmp);
    sv_release(&lines);
    return ret;
}

void icache_store(const struct interp_env *env, const struct interp_list *l,
                  const struct icache_note *n)
{
    struct sb rec = SB_INIT, file = SB_INIT;
    size_t i;

    if (PLAT_WINDOWS || !env->cache_dir || n->fresh)
        return;
    key_of(env, &rec);
    file_of(env, &rec, &file);
    sb_addf(&rec, "traced %d\n", n->traced);
    sb_add(&rec, n->lines.buf, n->lines.len);
    for (i = 0; i < l->nr; i++) {
        const struct interp *it = &l->v[i];
        size_t k;

        for (k = 0; origins[k] && strcmp(origins[k], it->origin); k++)
            ;
        if (!origins[k])
            goto out; /* not a source this record can name */
        sb_addstr(&rec, "i ");
        linerec_addesc(&rec, it->path);
        sb_addf(&rec, " %d %d %d %d %d %d %" PRIu64 " %" PRIu64 " %s",
                it->ver.major, it->ver.minor, it->ver.micro, it->ft ? 1 : 0,
                it->shim ? 1 : 0, it->probed ? 1 : 0, it->dev, it->ino,
                it->origin);
        add_opt(&rec, "", it->name);
    }
    for (i = 0; i < n->trace.nr; i++) {
        sb_addstr(&rec, "t ");
        linerec_addesc(&rec, n->trace.v[i]);
        sb_addch(&rec, '\n');
    }
    sb_addstr(&rec, "end\n");
    fs_write_file(file.buf, rec.buf, rec.len, 0644, 0755, NULL);
out:
    sb_release(&rec);
    sb_release(&file);
}
