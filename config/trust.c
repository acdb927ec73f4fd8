#include "config/trust.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/fs.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "common/sha256.h"
#include "common/banned.h"

/* Inside dir, also once links are followed (an in-tree link can lead out
 * of the tree). A path that does not exist yet is judged as written. */
static int really_inside(const char *p, const char *dir)
{
    struct sb rp = SB_INIT, rd = SB_INIT;
    int ret = path_is_inside(p, dir);

    if (ret && !plat_realpath(p, &rp) && !plat_realpath(dir, &rd))
        ret = path_is_inside(rp.buf, rd.buf);
    sb_release(&rp);
    sb_release(&rd);
    return ret;
}

char *trust_needed(const struct cfg *c)
{
    struct sb why = SB_INIT;
    size_t i;

    if (c->python_is_path)
        sb_addf(&why, "it names the interpreter '%s' by path", c->python);
    if (c->env.nr)
        sb_addf(&why, "%sit sets environment variables", why.len ? "; " : "");
    if (c->venv && !really_inside(c->venv, c->dir))
        sb_addf(&why, "%sits venv '%s' is outside its directory",
                why.len ? "; " : "", c->venv);
    for (i = 0; i < c->shared.nr; i++)
        if (!cfg_is_name(c->shared.v[i]) &&
            !really_inside(c->shared.v[i], c->dir))
            sb_addf(&why, "%sshared '%s' is outside its directory",
                    why.len ? "; " : "", c->shared.v[i]);
    if (!why.len)
        return NULL;
    return sb_detach(&why, NULL);
}

/* data_dir/trust/hex into out (replaced). */
static void record_file(struct sb *out, const char *data_dir, const char *hex)
{
    path_join(out, data_dir, "trust");
    path_join(out, out->buf, hex);
}

/* A record's key holds the path folded (path_fold): on Windows the same
 * file spelled "C:\\P" or "c:/p" is trusted once. */
static void text_record(const char *data_dir, const char *file,
                        const char *text, size_t len, struct sb *out)
{
    struct sb key = SB_INIT;
    struct sha256 s;
    char hex[65];

    path_fold(&key, file);
    sha256_init(&s);
    sha256_update(&s, key.buf, key.len + 1);
    sha256_update(&s, text, len);
    sha256_hex(&s, hex);
    record_file(out, data_dir, hex);
    sb_release(&key);
}

static int record_path(const char *data_dir, const char *file, struct sb *out,
                       struct err *e)
{
    struct sb text = SB_INIT;

    if (plat_read_file(file, CFG_MAX_BYTES, &text) < 0) {
        err_set(e, PYSHIM_EXIT_NOINPUT, "cannot read config '%s': %s", file,
                plat_read_strerror(errno));
        sb_release(&text);
        return -1;
    }
    text_record(data_dir, file, text.buf, text.len, out);
    sb_release(&text);
    return 0;
}

int trust_remove(const char *data_dir, const char *file, int *removed,
                 struct err *e)
{
    struct sb dir = SB_INIT, p = SB_INIT, text = SB_INIT;
    struct plat_dir *d;
    const char *name;
    int ret = 0;

    *removed = 0;
    path_join(&dir, data_dir, "trust");
    d = plat_opendir(dir.buf);
    while (d && (name = plat_readdir(d))) {
        path_join(&p, dir.buf, name);
        if (plat_read_file(p.buf, 64 * 1024, &text) < 0 ||
            !path_equal(text.buf, file))
            continue;
        if (plat_unlink(p.buf) < 0) {
            ret = err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot remove '%s': %s",
                          p.buf, plat_strerror(errno));
            break;
        }
        (*removed)++;
    }
    plat_closedir(d);
    sb_release(&dir);
    sb_release(&p);
    sb_release(&text);
    return ret;
}

static int program_record(const char *data_dir, const char *path,
                          struct sb *out, struct err *e)
{
    struct plat_stat st;
    struct sb key = SB_INIT, name = SB_INIT;
    struct sha256 s;
    char hex[65];

    if (plat_stat(path, &st, 1) < 0) {
        err_set(e, PYSHIM_EXIT_NOINPUT, "cannot read '%s': %s", path,
                plat_strerror(errno));
        return -1;
    }
    path_fold(&name, path);
    sb_addf(&key, "program\n%s\n%llu %llu %lld", name.buf,
            (unsigned long long)st.size, (unsigned long long)st.ino,
            (long long)st.mtime_ns);
    sha256_init(&s);
    sha256_update(&s, key.buf, key.len);
    sha256_hex(&s, hex);
    record_file(out, data_dir, hex);
    sb_release(&key);
    sb_release(&name);
    return 0;
}

/* Both kinds of record: the file's name is the key, its content the path
 * it is about (for untrust and for people reading the directory). */
typedef int (*record_fn)(const char *data_dir, const char *path, struct sb *out,
                         struct err *e);

/* A record counts only as the user wrote it: a regular file (not a link,
 * not a FIFO), theirs (or root's), writable by no one else. */
static int record_ok(const char *rec)
{
    struct plat_stat st;

    return !plat_stat(rec, &st, 0) && st.is_reg &&
           (st.uid == plat_uid() || st.uid == 0) && !(st.perm & 0022);
}

static int check(record_fn rec_of, const char *data_dir, const char *path,
                 struct err *e)
{
    struct sb rec = SB_INIT;
    int ret = rec_of(data_dir, path, &rec, e);

    if (!ret)
        ret = record_ok(rec.buf);
    sb_release(&rec);
    return ret;
}

static int write_record(const char *rec, const char *path, struct err *e)
{
    return fs_write_file(rec, path, strlen(path), 0600, 0700, e);
}

static int add(record_fn rec_of, const char *data_dir, const char *path,
               struct err *e)
{
    struct sb rec = SB_INIT;
    int ret = -1;

    if (rec_of(data_dir, path, &rec, e) == 0)
        ret = write_record(rec.buf, path, e);
    sb_release(&rec);
    return ret;
}

int trust_check(const char *data_dir, const char *file, struct err *e)
{
    return check(record_path, data_dir, file, e);
}

int trust_add(const char *data_dir, const char *file, struct err *e)
{
    return add(record_path, data_dir, file, e);
}

int trust_check_text(const char *data_dir, const char *file, const char *text,
                     size_t len, struct err *e)
{
    struct sb rec = SB_INIT;
    int ret;

    (void)e;
    text_record(data_dir, file, text, len, &rec);
    ret = record_ok(rec.buf);
    sb_release(&rec);
    return ret;
}

int trust_add_text(const char *data_dir, const char *file, const char *text,
                   size_t len, struct err *e)
{
    struct sb rec = SB_INIT;
    int ret;

    text_record(data_dir, file, text, len, &rec);
    ret = write_record(rec.buf, file, e);
    sb_release(&rec);
    return ret;
}

int trust_check_program(const char *data_dir, const char *path, struct err *e)
{
    return check(program_record, data_dir, path, e);
}

int trust_add_program(const char *data_dir, const char *path, struct err *e)
{
    return add(program_record, data_dir, path, e);
}

/* The venv's identity: real path, directory and pyvenv.cfg. The path
 * a record holds is the real path (for people reading the directory). */
static int venv_record(const char *data_dir, const char *dir, struct sb *out,
                       struct sb *real, struct err *e)
{
    struct plat_stat ds, cs;
    struct sb key = SB_INIT, name = SB_INIT, cfgp = SB_INIT;
    struct sha256 s;
    char hex[65];
    int ret = -1;

    if (plat_realpath(dir, real) < 0 || plat_stat(real->buf, &ds, 1) < 0) {
        err_set(e, PYSHIM_EXIT_NOINPUT, "cannot read venv '%s': %s", dir,
                plat_strerror(errno));
        goto out;
    }
    path_join(&cfgp, real->buf, "pyvenv.cfg");
    if (plat_stat(cfgp.buf, &cs, 0) < 0 || !cs.is_reg) {
        err_set(e, PYSHIM_EXIT_NOINPUT, "'%s' is not a venv: no pyvenv.cfg",
                dir);
        goto out;
    }
    path_fold(&name, real->buf);
    /* "venv\n%s\n%llu %llu\n%llu %llu %lld", by hand (on every run) */
    sb_addstr(&key, "venv\n");
    sb_addstr(&key, name.buf);
    sb_addch(&key, '\n');
    sb_addu64(&key, (unsigned long long)ds.dev);
    sb_addch(&key, ' ');
    sb_addu64(&key, (unsigned long long)ds.ino);
    sb_addch(&key, '\n');
    sb_addu64(&key, (unsigned long long)cs.dev);
    sb_addch(&key, ' ');
    sb_addu64(&key, (unsigned long long)cs.ino);
    sb_addch(&key, ' ');
    sb_addi64(&key, (long long)cs.mtime_ns);
    sha256_init(&s);
    sha256_update(&s, key.buf, key.len);
    sha256_hex(&s, hex);
    record_file(out, data_dir, hex);
    ret = 0;
out:
    sb_release(&key);
    sb_release(&name);
    sb_release(&cfgp);
    return ret;
}

int trust_check_venv(const char *data_dir, const char *venv_dir, struct err *e)
{
    struct sb rec = SB_INIT, real = SB_INIT;
    int ret = venv_record(data_dir, venv_dir, &rec, &real, e);

    if (!ret)
        ret = plat_is_file(rec.buf);
    sb_release(&rec);
    sb_release(&real);
    return ret;
}

int trust_add_venv(const char *data_dir, const char *venv_dir, struct err *e)
{
    struct sb rec = SB_INIT, real = SB_INIT;
    int ret = venv_record(data_dir, venv_dir, &rec, &real, e);

    if (!ret)
        ret = fs_write_file(rec.buf, real.buf, real.len, 0600, 0700, e);
    sb_release(&rec);
    sb_release(&real);
    return ret;
}

int trust_require(const char *data_dir, const struct cfg *c, const char *root,
                  const struct sb *text, struct err *e)
{
    char *why = trust_needed(c);
    int ret = 0;

    if (!why)
        return 0;
    if (data_dir) {
        ret = trust_check_text(data_dir, c->file, text->buf, text->len, e);
        if (ret)
            goto out; /* 1 trusted, -1 cannot tell */
    }
    err_set(e, PYSHIM_EXIT_NOPERM, "config '%s' is not trusted: %s", c->file,
            why);
    err_hint(e, "review it, then run `pyshim trust %s` (an edit asks again)",
             root);
    ret = -1;
out:
    free(why);
    return ret;
}
