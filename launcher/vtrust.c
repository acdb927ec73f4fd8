#include "launcher/vtrust.h"

#include <stdlib.h>
#include <string.h>

#include "common/path.h"
#include "common/plat.h"
#include "common/xalloc.h"
#include "common/banned.h"

int vtrust_inside(const char *path, const char *tree)
{
    struct sb rp = SB_INIT, rt = SB_INIT;
    int ret;

    /* Both real, or the symlinked spelling of one would hide the other
     * (PYSHIM_PROJECT=/link/to/repo, bin/python -> ../../tools/x). */
    if (!plat_realpath(path, &rp) && !plat_realpath(tree, &rt))
        ret = path_is_inside(rp.buf, rt.buf);
    else
        ret = path_is_inside(path, tree);
    sb_release(&rp);
    sb_release(&rt);
    return ret;
}

int vtrust_program(const struct venv *v, const char *tree, struct sb *real)
{
    struct sb rt = SB_INIT;
    int ret;

    sb_reset(real);
    if (plat_realpath(v->base ? v->base : v->python, real) < 0) {
        sb_reset(real);
        return -1;
    }
    if (plat_realpath(tree, &rt) < 0)
        sb_set(&rt, tree);
    ret = path_is_inside(real->buf, rt.buf);
    sb_release(&rt);
    return ret;
}

/* site.py (addpackage) executes a .pth line that starts with "import "
 * or "import\t". Lines are split by every separator str.splitlines()
 * knows (3.13 decodes and splits that way; older ones by "\n"), and a
 * UTF-8 BOM may be dropped first: count "import" after any of those
 * (after any control byte, NEL, U+2028/9's last byte or a BOM's). */
static int pth_runs_code(const char *path)
{
    struct sb text = SB_INIT;
    const char *s, *at;
    int ret = 1; /* unreadable: cannot tell, so it counts */

    if (plat_read_file(path, 1024 * 1024, &text) < 0)
        goto out;
    ret = 0;
    for (s = text.buf; (at = strstr(s, "import")) != NULL; s = at + 1) {
        unsigned char before = at == text.buf ? '\n' : (unsigned char)at[-1];
        char after = at[6];

        if ((after == ' ' || after == '\t') &&
            (before < 0x20 || before == 0x85 || before == 0xa8 ||
             before == 0xa9 || before == 0xbf)) {
            ret = 1;
            break;
        }
    }
out:
    sb_release(&text);
    return ret;
}

static int has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), k = strlen(suffix);

    return n > k && !strcmp(name + n - k, suffix);
}

static int is_customize(const char *name)
{
    static const char *const mods[] = {"sitecustomize", "usercustomize", NULL};
    int i;

    for (i = 0; mods[i]; i++) {
        size_t k = strlen(mods[i]);

        if (!strncmp(name, mods[i], k) && (!name[k] || name[k] == '.'))
            return 1;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The first of found, in name order (the same one whatever order readdir
 * gives), or NULL; every one into all. */
static char *first_of(struct sv *found, struct sv *all)
{
    char *first = NULL;
    size_t i;

    if (found->nr) {
        qsort(found->v, found->nr, sizeof(*found->v), cmp_str);
        first = xstrdup(found->v[0]);
    }
    for (i = 0; all && i < found->nr; i++)
        sv_push(all, found->v[i]);
    return first;
}

/* name is skip, or the PEP 829 .start file of the same name (the hook
 * pyshim rewrites is _pyshim.pth with its _pyshim.start). */
static int is_skipped(const char *name, const char *skip)
{
    size_t n = strlen(skip);

    if (!strcmp(name, skip))
        return 1;
    return has_suffix(skip, ".pth") && !strncmp(name, skip, n - 4) &&
           !strcmp(name + n - 4, ".start");
}

static void scan_site(const char *site, const char *skip, struct sv *found)
{
    struct plat_dir *d = plat_opendir(site);
    struct sb p = SB_INIT;
    const char *name;

    while (d && (name = plat_readdir(d))) {
        int hit = 0;

        if (skip && is_skipped(name, skip))
            continue;
        path_join(&p, site, name);
        if (has_suffix(name, ".pth"))
            hit = pth_runs_code(p.buf);
        else if (has_suffix(name, ".start") || is_customize(name))
            hit = 1;
        if (hit && sv_find(found, p.buf) < 0)
            sv_push(found, p.buf);
    }
    plat_closedir(d);
    sb_release(&p);
}

char *vtrust_startup_code(const struct venv *v, const char *skip,
                          struct sv *all)
{
    static const char *const libs[] = {"lib", "lib64", NULL};
    struct sv found = SV_INIT;
    struct sb lib = SB_INIT, site = SB_INIT;
    struct plat_stat seen[2];
    char *first;
    int k, nseen = 0;

    if (v->site)
        scan_site(v->site, skip, &found);
    /* Every lib/pythonX.Y/site-packages, not only the one pyvenv.cfg's
     * version names: the interpreter that runs picks its own. lib64 is
     * most often a link to lib (`python -m venv` makes it so): a
     * directory already scanned, by identity, is not scanned again. */
    for (k = 0; !PLAT_WINDOWS && libs[k]; k++) {
        struct plat_dir *d;
        const char *name;
        struct plat_stat st;
        int i, dup = 0;

        path_join(&lib, v->dir, libs[k]);
        if (plat_stat(lib.buf, &st, 1) < 0)
            continue;
        for (i = 0; i < nseen && !dup; i++)
            dup = (st.dev || st.ino) && st.dev == seen[i].dev &&
                  st.ino == seen[i].ino;
        if (dup)
            continue;
        seen[nseen++] = st;
        d = plat_opendir(lib.buf);
        while (d && (name = plat_readdir(d))) {
            if (strncmp(name, "python", 6))
                continue;
            path_join(&site, lib.buf, name);
            path_join(&site, site.buf, "site-packages");
            if (!v->site || !path_equal(site.buf, v->site))
                scan_site(site.buf, skip, &found);
        }
        plat_closedir(d);
    }
    first = first_of(&found, all);
    sv_release(&found);
    sb_release(&lib);
    sb_release(&site);
    return first;
}

char *vtrust_site_code(const char *site, const char *skip, struct sv *all)
{
    struct sv found = SV_INIT;
    char *first;

    scan_site(site, skip, &found);
    first = first_of(&found, all);
    sv_release(&found);
    return first;
}
