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
    n->in_pool = 0;
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
    linerec_add_opt(k, "path", env->path);
    linerec_add_opt(k, "pyenv_root", env->pyenv_root);
    add_list(k, "pyenv_versions", env->pyenv_versions);
    add_list(k, "uv", env->uv_dirs);
    sb_addf(k, "self %" PRIu64 " %" PRIu64 " %" PRIu64, env->self_dev,
            env->self_ino, env->self_size);
    linerec_add_opt(k, "", env->self_path);
}

static void file_of(const struct interp_env *env, const struct sb *key,
                    struct sb *file)
{
    path_join(file, env->cache_dir, "interp");
    sb_addf(file, "%csearch-%02x", PLAT_DIRSEP,
            (unsigned)(linerec_hash(key->buf, key->len) & 0xff));
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

/*
 * The fast reader: a warm run reads one "d", one "f" and one "i" line per
 * interpreter on PATH, and the strict linerec reader above cost ~6.5k
 * instructions per interpreter (a call per field, every path copied and
 * allocated). The lines in the form icache_store writes them (numbers of
 * at most 19 digits, text fields without an escape) are read here in one
 * pass over the record's own buffer: numbers parsed in place and compared
 * with stat's as integers, paths NUL-ended in place (the stat's argument,
 * the entries' strings: the list keeps the buffer as its pool). Any other
 * line (an escape, an absent path, a longer number, damage) is read by
 * the strict reader, which takes or refuses it as before. One leniency:
 * a raw control byte other than NUL in a text field (damage: the writer
 * escapes them) is taken as the byte it is, where the strict reader
 * refused the record; the path then names no file the search listed,
 * and its stat differs (a miss) unless that very file is unchanged.
 */

/* 1 and *v the number when the 8 bytes at s are decimal digits (a word
 * at a time: a timestamp has 19 digits). */
static int eight_digits(const char *s, uint64_t *v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t x;

    memcpy(&x, s, 8);
    if (((x & 0xf0f0f0f0f0f0f0f0ULL) |
         (((x + 0x0606060606060606ULL) & 0xf0f0f0f0f0f0f0f0ULL) >> 4)) !=
        0x3333333333333333ULL)
        return 0;
    /* the first byte is the lowest: pairs, then fours, then eight */
    x -= 0x3030303030303030ULL;
    x = x * 10 + (x >> 8);
    x = ((x & 0x000000ff000000ffULL) * (100 + (1000000ULL << 32)) +
         ((x >> 16) & 0x000000ff000000ffULL) * (1 + (10000ULL << 32))) >>
        32;
    *v = x;
    return 1;
#else
    (void)s;
    (void)v;
    return 0;
#endif
}

/* n decimal numbers at *p, each of 1 to 19 digits followed by ' ': 1
 * and *p past them; else 0 (the strict reader reads the line). Where bit
 * i of sgn is set the number may have a '-' and v[i] holds an int64_t.
 * The digits end before nl, the line's '\n'. */
static int fast_nums(char **p, const char *nl, uint64_t *v, unsigned n,
                     unsigned sgn)
{
    char *s = *p, *b;
    uint64_t x, w;
    unsigned i, d;
    int minus;

    for (i = 0; i < n; i++) {
        /* one digit (an entry's version parts and flags) */
        if ((d = (unsigned)(unsigned char)*s - '0') <= 9 && s[1] == ' ') {
            v[i] = d;
            s += 2;
            continue;
        }
        minus = (sgn >> i & 1) && *s == '-';
        b = s += minus;
        x = 0;
        /* two words at most: 16 digits and the rest fit in 64 bits */
        if (nl - s > 8 && eight_digits(s, &x)) {
            s += 8;
            if (nl - s > 8 && eight_digits(s, &w)) {
                x = x * 100000000 + w;
                s += 8;
            }
        }
        while ((d = (unsigned)(unsigned char)*s - '0') <= 9) {
            x = x * 10 + d;
            s++;
        }
        if (s == b || s - b > 19 || *s != ' ' ||
            ((sgn >> i & 1) && x > INT64_MAX))
            return 0;
        v[i] = minus ? (uint64_t) - (int64_t)x : x;
        s++;
    }
    *p = s;
    return 1;
}

/* [s, e) is a text field with nothing to unescape and no NUL (plain: the
 * whole record has neither a '\\' nor a NUL) */
static int fast_plain(const char *s, const char *e, int plain)
{
    size_t n = (size_t)(e - s);

    return n && (plain || (!memchr(s, '\\', n) && !memchr(s, '\0', n)));
}

/* "d" or "f" line after its tag, p..nl: 1 when read here (*same: the
 * directory or file is as it was), 0 for the strict reader. The path
 * is NUL-ended for the stat and its '\n' put back: the note keeps these
 * lines as they are. */
static int fast_same(char *p, char *nl, int dir, int plain, int *same)
{
    /* dev, ino, mtime or dev, ino, size, mtime */
    uint64_t v[4];
    unsigned n = dir ? 3 : 4;
    struct plat_stat st;

    if (!fast_nums(&p, nl, v, n, 1u << (n - 1)) || !fast_plain(p, nl, plain))
        return 0;
    *nl = '\0';
    *same = !plat_stat(p, &st, 1) && st.dev == v[0] && st.ino == v[1] &&
            st.mtime_ns == (int64_t)v[n - 1] &&
            (dir ? st.is_dir : st.size == v[2]);
    *nl = '\n';
    return 1;
}

/* "i" line after its tag, p..nl: 1 when read here (the entry appended to
 * l, its strings in the line itself), 0 for the strict reader. */
static int fast_entry(char *p, char *nl, int plain, struct interp_list *l)
{
    struct interp *it;
    char *sp = memchr(p, ' ', (size_t)(nl - p)), *name = NULL, *o;
    /* major minor micro ft shim probed dev ino */
    uint64_t v[8];
    size_t i, n = 0;

    if (!sp || !fast_plain(p, sp, plain))
        return 0;
    o = sp + 1;
    if (!fast_nums(&o, nl, v, 8, 7))
        return 0;
    for (i = 0; i < 3; i++)
        if ((int64_t)v[i] < -1 || (int64_t)v[i] > 100000)
            return 0;
    if ((v[3] | v[4] | v[5]) > 1)
        return 0;
    for (i = 0; origins[i]; i++) {
        n = strlen(origins[i]);
        if ((size_t)(nl - o) > n + 1 && o[n] == ' ' &&
            !memcmp(o, origins[i], n))
            break;
    }
    if (!origins[i])
        return 0;
    o += n + 1;
    if (o[0] == '1' && o[1] == ' ' && fast_plain(o + 2, nl, plain))
        name = o + 2;
    else if (!(o[0] == '0' && o + 1 == nl))
        return 0;
    *sp = '\0';
    if (name)
        *nl = '\0';
    xgrow((void **)&l->v, &l->alloc, l->nr + 1, sizeof(*l->v));
    it = &l->v[l->nr++];
    memset(it, 0, sizeof(*it));
    it->path = p;
    it->ver.major = (int)(int64_t)v[0];
    it->ver.minor = (int)(int64_t)v[1];
    it->ver.micro = (int)(int64_t)v[2];
    it->ft = (int)v[3];
    it->shim = (int)v[4];
    it->probed = (int)v[5];
    it->dev = v[6];
    it->ino = v[7];
    it->origin = origins[i];
    it->name = name;
    it->plat = PYVER_PLAT_ANY;
    return 1;
}

/* The strict reader on the line p..nl, its tag read */
static void strict_at(struct linerec *r, const char *p, const char *nl,
                      const char *end)
{
    r->line = p;
    r->f = p + 2;
    r->fend = nl;
    r->p = nl + 1;
    r->end = end;
}

int icache_load(const struct interp_env *env, struct interp_list *out,
                struct trace *t, struct icache_note *note)
{
    struct sb key = SB_INIT, file = SB_INIT, text = SB_INIT, tmp = SB_INIT;
    struct sv lines = SV_INIT;
    struct plat_stat st;
    struct linerec r;
    const char *tag;
    char *p, *nl, *end, *dstart, *dend;
    size_t nd = 0, nf = 0, i, n;
    int ret = -1, traced = t && t->enabled, traced_rec, past = 0, same, plain;

    if (PLAT_WINDOWS || !env->cache_dir)
        return -1;
    key_of(env, &key);
    file_of(env, &key, &file);
    /* a record names the programs that run: the user's own only */
    if (plat_read_regular(file.buf, 64 << 20, &text, &st) < 0 ||
        (st.uid != plat_uid() && st.uid != 0) || (st.perm & 0022) ||
        text.len < key.len || memcmp(text.buf, key.buf, key.len))
        goto out;
    /* the entries' strings stay in the text: the list owns it */
    out->pool = sb_detach(&text, &out->pool_len);
    end = out->pool + out->pool_len;
    /* no field of lines without these needs a look of its own (the key,
     * compared whole above, may hold escapes: a PATH dir with a space) */
    plain = !memchr(out->pool + key.len, '\\', out->pool_len - key.len) &&
            !memchr(out->pool + key.len, '\0', out->pool_len - key.len);
    linerec_init(&r, out->pool + key.len, out->pool_len - key.len);
    if (linerec_line(&r) < 0 || linerec_word(&r, "traced") < 0 ||
        linerec_field(&r, &tag, &n) < 0 || n != 1 ||
        (*tag != '1' && (*tag != '0' || traced)) || !linerec_line_done(&r))
        goto out;
    traced_rec = *tag == '1';
    dstart = dend = p = out->pool + (r.p - out->pool);
    for (;; p = nl + 1) {
        if (p >= end || !(nl = memchr(p, '\n', (size_t)(end - p))))
            goto out;
        if (nl - p == 3 && !memcmp(p, "end", 3))
            break;
        if (nl - p < 2 || p[1] != ' ')
            goto out; /* not a one-letter tag and its field */
        strict_at(&r, p, nl, end);
        /* the "d" and "f" lines come first, as icache_store writes
         * them: the note keeps them as one piece of the text */
        if (*p == 'd' || *p == 'f') {
            if (past)
                goto out;
            if (!fast_same(p + 2, nl, *p == 'd', plain, &same))
                same = *p == 'd' ? dir_same(&r, &tmp) : file_same(&r, &tmp);
            if (!same)
                goto out; /* changed, or not a record */
            if (*p == 'd')
                nd++;
            else
                nf++;
            dend = nl + 1;
            continue;
        }
        past = 1;
        if (*p == 'i' &&
            (fast_entry(p + 2, nl, plain, out) || !entry(&r, out, &tmp)))
            continue;
        if (*p != 't' || linerec_text(&r, &tmp) < 0 || !linerec_line_done(&r))
            goto out;
        sv_push(&lines, tmp.buf);
    }
    if (nl + 1 != end)
        goto out;
    for (i = 0; i < lines.nr; i++)
        trace_add(t, "%s", lines.v[i]);
    sb_reset(&note->lines);
    note->in_pool = 1;
    note->pool_at = (size_t)(dstart - out->pool);
    note->pool_len = (size_t)(dend - dstart);
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
        note->in_pool = 0;
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
    if (n->in_pool) {
        if (!l->pool || n->pool_at > l->pool_len ||
            n->pool_len > l->pool_len - n->pool_at)
            goto out; /* not the list icache_load filled */
        sb_add(&rec, l->pool + n->pool_at, n->pool_len);
    } else {
        sb_add(&rec, n->lines.buf, n->lines.len);
    }
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
        linerec_add_opt(&rec, "", it->name);
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
