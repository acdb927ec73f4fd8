#include "cli/sitecheck.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/sha256.h"
#include "common/plat.h"
#include "common/utf8.h"
#include "common/xalloc.h"
#include "launcher/venv.h"
#include "common/banned.h"

int sitecheck_enc_fixable(enum textenc enc)
{
    return enc != TEXTENC_UTF8 && enc != TEXTENC_OTHER;
}

/* A second BOM (files concatenated by `>>`) is not text either. */
static int utf16_to_utf8(const unsigned char *s, size_t n, int le,
                         struct sb *out)
{
    return utf8_from_utf16(s, n, (le ? UTF16_LE : 0) | UTF16_DROP_BOM, out);
}

int sitecheck_to_utf8(const char *data, size_t len, enum textenc enc,
                      struct sb *out)
{
    const unsigned char *s = (const unsigned char *)data;

    sb_reset(out);
    switch (enc) {
    case TEXTENC_UTF8_BOM:
        sb_add(out, data + 3, len - 3);
        return 0;
    case TEXTENC_UTF16LE_BOM:
        return utf16_to_utf8(s + 2, len - 2, 1, out);
    case TEXTENC_UTF16BE_BOM:
        return utf16_to_utf8(s + 2, len - 2, 0, out);
    case TEXTENC_UTF16LE:
        return utf16_to_utf8(s, len, 1, out);
    case TEXTENC_UTF16BE:
        return utf16_to_utf8(s, len, 0, out);
    default:
        return -1;
    }
}

int sitecheck_pth_check(const char *path, enum textenc *enc, struct err *e)
{
    struct sb data = SB_INIT;
    int ret = -1;

    if (plat_read_file(path, SITECHECK_PTH_MAX, &data) < 0) {
        err_set(e, PYSHIM_EXIT_NOINPUT, "cannot read '%s': %s", path,
                plat_strerror(errno));
        goto out;
    }
    *enc = textenc_sniff(data.buf, data.len);
    ret = 0;
out:
    sb_release(&data);
    return ret;
}

int sitecheck_pth_fix(const char *path, int *changed, struct err *e)
{
    struct sb data = SB_INIT, text = SB_INIT;
    struct plat_stat st;
    enum textenc enc;
    int ret = -1;

    *changed = 0;
    if (plat_stat(path, &st, 1) < 0 ||
        plat_read_file(path, SITECHECK_PTH_MAX, &data) < 0) {
        err_set(e, PYSHIM_EXIT_NOINPUT, "cannot read '%s': %s", path,
                plat_strerror(errno));
        goto out;
    }
    enc = textenc_sniff(data.buf, data.len);
    if (enc == TEXTENC_UTF8) {
        ret = 0;
        goto out;
    }
    if (sitecheck_to_utf8(data.buf, data.len, enc, &text) < 0) {
        err_set(e, PYSHIM_EXIT_CONFIG, "cannot convert '%s' (%s) to UTF-8",
                path, textenc_name(enc));
        err_hint(e, "open it in an editor and save it as UTF-8 without a BOM");
        goto out;
    }
    if (plat_write_atomic(path, text.buf, text.len, st.perm & 07777) < 0) {
        err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot rewrite '%s': %s", path,
                plat_strerror(errno));
        goto out;
    }
    *changed = 1;
    ret = 0;
out:
    sb_release(&data);
    sb_release(&text);
    return ret;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && !strcmp(s + n - m, suffix);
}

void sitecheck_backup_name(const char *data_dir, const char *kind,
                           const char *file, struct sb *out)
{
    struct sb dir = SB_INIT;
    struct plat_stat st;
    struct sha256 h;
    char hex[65];
    int n;

    path_join(&dir, data_dir, "backups");
    path_join(&dir, dir.buf, kind);
    sha256_init(&h);
    sha256_update(&h, file, strlen(file));
    sha256_hex(&h, hex);
    hex[16] = '\0';
    for (n = 0;; n++) {
        path_join(out, dir.buf, hex);
        sb_addf(out, "-%s", path_basename(file));
        if (n)
            sb_addf(out, ".%d", n);
        if (plat_stat(out->buf, &st, 0) < 0)
            break;
    }
    sb_release(&dir);
}

int sitecheck_backup(const char *data_dir, const char *kind, const char *file,
                     struct sb *out, struct err *e)
{
    struct sb data = SB_INIT, dir = SB_INIT, origin = SB_INIT;
    int ret = -1;

    if (plat_read_file(file, SITECHECK_PTH_MAX, &data) < 0) {
        err_set(e, PYSHIM_EXIT_NOINPUT, "cannot read '%s': %s", file,
                plat_read_strerror(errno));
        goto out;
    }
    path_join(&dir, data_dir, "backups");
    path_join(&dir, dir.buf, kind);
    if (plat_mkdirs(dir.buf, 0700) < 0) {
        err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot create '%s': %s", dir.buf,
                plat_strerror(errno));
        goto out;
    }
    sitecheck_backup_name(data_dir, kind, file, out);
    sb_addf(&origin, "%s.origin", out->buf);
    sb_reset(&dir);
    sb_addf(&dir, "%s\n", file);
    if (plat_write_atomic(origin.buf, dir.buf, dir.len, 0600) < 0 ||
        plat_write_atomic(out->buf, data.buf, data.len, 0600) < 0) {
        err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot write the backup '%s': %s",
                out->buf, plat_strerror(errno));
        goto out;
    }
    ret = 0;
out:
    sb_release(&data);
    sb_release(&dir);
    sb_release(&origin);
    return ret;
}

/* Is line (n bytes) one site.py executes: "import" then a space or tab? */
static int is_import_line(const char *line, size_t n)
{
    return n > 6 && !strncmp(line, "import", 6) &&
           (line[6] == ' ' || line[6] == '\t');
}

int sitecheck_pth_paths(const char *site, const char *path, enum textenc *enc,
                        struct sv *paths, struct err *e)
{
    struct sb data = SB_INIT, text = SB_INIT, line = SB_INIT, abs = SB_INIT;
    const char *s, *end;
    int ret = -1;

    if (plat_read_file(path, SITECHECK_PTH_MAX, &data) < 0) {
        err_set(e, PYSHIM_EXIT_NOINPUT, "cannot read '%s': %s", path,
                plat_read_strerror(errno));
        goto out;
    }
    *enc = textenc_sniff(data.buf, data.len);
    if (*enc == TEXTENC_UTF8) {
        sb_add(&text, data.buf, data.len);
    } else if (sitecheck_to_utf8(data.buf, data.len, *enc, &text) < 0) {
        err_set(e, PYSHIM_EXIT_CONFIG, "cannot decode '%s' (%s)", path,
                textenc_name(*enc));
        goto out;
    }
    ret = 1;
    for (s = text.buf, end = text.buf + text.len; s < end && ret == 1;) {
        const char *nl = s;

        while (nl < end && *nl != '\n' && *nl != '\r')
            nl++;
        sb_reset(&line);
        sb_add(&line, s, (size_t)(nl - s));
        sb_rtrim(&line);
        s = nl + (nl < end);
        if (!line.len || line.buf[0] == '#')
            continue;
        if (is_import_line(line.buf, line.len)) {
            ret = 0;
            break;
        }
        if (path_absolute(&abs, line.buf, site, NULL, NULL) < 0)
            continue;
        path_normalize(&abs);
        sv_push(paths, abs.buf);
    }
out:
    sb_release(&data);
    sb_release(&text);
    sb_release(&line);
    sb_release(&abs);
    return ret;
}

int sitecheck_site_venv(const char *dir, struct sb *venv_dir)
{
    struct sb p = SB_INIT, a = SB_INIT, b = SB_INIT;
    int up, ret = 0;

    sb_set(&p, dir);
    for (up = 1; up <= 3 && !ret; up++) {
        struct venv v = VENV_INIT;

        path_dirname(&p);
        if (up < 2 || !venv_is_venv(p.buf))
            continue;
        if (!venv_load(&v, p.buf, NULL) && v.site &&
            !plat_realpath(v.site, &a) && !plat_realpath(dir, &b) &&
            path_equal(a.buf, b.buf)) {
            sb_set(venv_dir, p.buf);
            ret = 1;
        }
        venv_release(&v);
    }
    sb_release(&p);
    sb_release(&a);
    sb_release(&b);
    return ret;
}

int sitecheck_pth_files(const char *site, struct sv *out)
{
    struct sv names = SV_INIT;
    struct sb p = SB_INIT;
    size_t i;

    if (plat_listdir(site, &names) < 0)
        return -1;
    for (i = 0; i < names.nr; i++) {
        if (!ends_with(names.v[i], ".pth"))
            continue;
        path_join(&p, site, names.v[i]);
        if (plat_is_file(p.buf))
            sv_push(out, p.buf);
    }
    sv_release(&names);
    sb_release(&p);
    return 0;
}

void sitecheck_venv_sites(const char *dir, struct sv *out)
{
    struct sv names = SV_INIT;
    struct sb p = SB_INIT;
    size_t i;

    if (PLAT_WINDOWS) {
        /* one Lib\site-packages, whatever the version */
        venv_site_path(&p, dir, NULL, "");
        if (plat_is_dir(p.buf))
            sv_push(out, p.buf);
        goto out;
    }
    path_join(&p, dir, "lib");
    if (plat_listdir(p.buf, &names) < 0)
        goto out;
    for (i = 0; i < names.nr; i++) {
        if (strncmp(names.v[i], "python", 6))
            continue;
        path_join(&p, dir, "lib");
        path_join(&p, p.buf, names.v[i]);
        path_join(&p, p.buf, "site-packages");
        if (plat_is_dir(p.buf))
            sv_push(out, p.buf);
    }
out:
    sv_release(&names);
    sb_release(&p);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* name[0..len) lowercased, with runs of "-_." as one "_" (PEP 503's
 * normalization, spelled as an identifier). */
static char *normalize(const char *name, size_t len)
{
    struct sb out = SB_INIT;
    size_t i;

    for (i = 0; i < len; i++) {
        char c = name[i];

        if (c == '-' || c == '_' || c == '.') {
            if (!out.len || out.buf[out.len - 1] != '_')
                sb_addch(&out, '_');
        } else {
            sb_addch(&out, c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        }
    }
    return sb_detach(&out, NULL);
}

static int is_ident(const char *s, size_t n)
{
    size_t i;

    if (!n || (s[0] >= '0' && s[0] <= '9'))
        return 0;
    for (i = 0; i < n; i++) {
        char c = s[i];

        if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || (unsigned char)c >= 0x80))
            return 0;
    }
    return 1;
}

static const char *const tooling[] = {
    "pip",         "setuptools", "wheel", "pkg_resources", "_distutils_hack",
    "_virtualenv", "_pyshim",    NULL};

/* The top-level name an entry of site-packages provides, or NULL. */
static char *top_name(const char *site, const char *ent)
{
    struct sb p = SB_INIT;
    const char *dot = strchr(ent, '.');
    char *name = NULL;
    size_t n = dot ? (size_t)(dot - ent) : strlen(ent);
    int i;

    if (!strcmp(ent, "__pycache__"))
        return NULL;
    path_join(&p, site, ent);
    if (ends_with(ent, ".dist-info") || ends_with(ent, ".egg-info")) {
        const char *dash = strchr(ent, '-');

        /* NAME-VERSION.dist-info; NAME has "-" escaped as "_" */
        n = dash ? (size_t)(dash - ent) : strlen(ent) - strlen(".dist-info");
        name = normalize(ent, n);
    } else if (plat_is_dir(p.buf)) {
        if (!dot && is_ident(ent, n))
            name = normalize(ent, n);
    } else if (ends_with(ent, ".py") || ends_with(ent, ".so") ||
               ends_with(ent, ".pyd")) {
        if (is_ident(ent, n))
            name = normalize(ent, n);
    }
    sb_release(&p);
    if (!name)
        return NULL;
    for (i = 0; tooling[i]; i++) {
        if (!strcmp(name, tooling[i])) {
            free(name);
            return NULL;
        }
    }
    return name;
}

int sitecheck_top_names(const char *site, struct sv *out)
{
    struct sv names = SV_INIT, found = SV_INIT;
    size_t i;

    if (plat_listdir(site, &names) < 0)
        return -1;
    for (i = 0; i < names.nr; i++) {
        char *name = top_name(site, names.v[i]);

        if (name)
            sv_push_nodup(&found, name);
    }
    if (found.nr)
        qsort(found.v, found.nr, sizeof(*found.v), cmp_str);
    for (i = 0; i < found.nr; i++)
        if (!i || strcmp(found.v[i], found.v[i - 1]))
            sv_push(out, found.v[i]);
    sv_release(&names);
    sv_release(&found);
    return 0;
}

int sitecheck_duplicates(const char *a, const char *b, struct sv *out)
{
    struct sv na = SV_INIT, nb = SV_INIT;
    size_t i = 0, j = 0;
    int ret = -1;

    if (sitecheck_top_names(a, &na) < 0 || sitecheck_top_names(b, &nb) < 0)
        goto out;
    while (i < na.nr && j < nb.nr) {
        int c = strcmp(na.v[i], nb.v[j]);

        if (!c)
            sv_push(out, na.v[i]);
        if (c <= 0)
            i++;
        if (c >= 0)
            j++;
    }
    ret = 0;
out:
    sv_release(&na);
    sv_release(&nb);
    return ret;
}
