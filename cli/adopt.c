/*
 * pyshim adopt: turn the manual setup of the users' notes (a shared-libs
 * venv, a project .venv holding a hand-written shared.pth that names its
 * site-packages, kernels from `ipykernel install --user`) into a pyshim
 * project, without losing anything:
 *   - the .pth becomes the project's "shared" entry (the venv's path, as
 *     `pyshim init --shared PATH` writes it: the hook then adds the same
 *     dir), so its lines must all be site-packages dirs of venvs of the
 *     project's Python minor version, else the project is left alone;
 *   - the old .pth is copied byte for byte under DATA/backups/adopt, then
 *     removed, so the dir is not on sys.path twice;
 *   - the project's venv, which pyshim did not make, is recorded as
 *     trusted (its start-up code listed first): the user adopts it;
 *   - the kernels that run the venv's python keep working (the hook is in
 *     the venv); --kernels makes them pyshim's (they then follow the
 *     project), else the command that does so is printed.
 * Everything is decided first (the summary), then done project by
 * project; a project whose `init` fails gets its .pth back.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "common/sv.h"
#include "common/xalloc.h"
#include "config/dirs.h"
#include "config/trust.h"
#include "cli/cli.h"
#include "cli/kspec.h"
#include "cli/opt.h"
#include "cli/sitecheck.h"
#include "launcher/hook.h"
#include "launcher/venv.h"
#include "launcher/vtrust.h"
#include "common/banned.h"

static const char usage[] =
    "usage: pyshim adopt [--recursive] [--yes] [--dry-run] [--kernels] [DIR]\n"
    "\n"
    "Make the project DIR (default: the current directory), set up by hand,\n"
    "a pyshim project. Its DIR/.venv holds a .pth file written by hand\n"
    "(e.g. shared.pth, UTF-8 or UTF-16 as PowerShell's `>` writes it) whose\n"
    "lines name the site-packages of other venvs (a shared-libs venv):\n"
    "  - those venvs become the project's \"shared\" entries (by path), as\n"
    "    `pyshim init --python X.Y --shared PATH DIR` writes them;\n"
    "  - the .pth is copied to DATA/backups/adopt/ (the summary says where),\n"
    "    then removed: the hook adds the same dirs, once;\n"
    "  - DIR/.venv, which pyshim did not make, is trusted as it is (its\n"
    "    start-up code is listed first);\n"
    "  - kernels whose program is the venv's python (`ipykernel install\n"
    "    --user`) keep working; --kernels makes them pyshim's.\n"
    "A .pth with other lines (`import`, a dir that is not a venv's\n"
    "site-packages) or venvs of another Python minor version leave the\n"
    "project unchanged. What will be done is printed first. Running it\n"
    "again finds nothing to adopt.\n"
    "\n"
    "  --recursive  adopt every project below DIR (3 levels, hidden dirs\n"
    "               and venvs skipped) after one summary; asks on a\n"
    "               terminal\n"
    "  --yes        do not ask (scripts)\n"
    "  --dry-run    print the summary only\n"
    "  --kernels    make those kernels pyshim's, under the same name\n"
    "               (`pyshim kernel repoint --force --project DIR NAME`)\n";

/* What adopting one project means, decided before anything is done. */
struct proj {
    char *dir;
    struct venv v;
    struct sv pths;    /* the hand-written .pth files adopted */
    struct sv encs;    /* their encodings (textenc_name), same order */
    struct sv backups; /* where each will be copied, same order */
    struct sv shared;  /* the venvs they name, unique, in order */
    struct sv code;    /* start-up code of the venv (trusted with it) */
    struct sv kernels; /* kernelspec dirs running the venv's python */
    struct sv notes;   /* .pth files left alone, and why */
    char *skip;        /* why nothing is done here, or NULL */
};

static char *xstrfmt(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static char *xstrfmt(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = xstrvfmt(fmt, ap);
    va_end(ap);
    return s;
}

static void proj_release(struct proj *p)
{
    free(p->dir);
    venv_release(&p->v);
    sv_release(&p->pths);
    sv_release(&p->encs);
    sv_release(&p->backups);
    sv_release(&p->shared);
    sv_release(&p->code);
    sv_release(&p->kernels);
    sv_release(&p->notes);
    free(p->skip);
}

static int is_pyshim_or_tool_pth(const char *name)
{
    return !strncmp(name, "_pyshim", 7) ||
           !strcmp(name, "distutils-precedence.pth");
}

/* One .pth of the venv: 1 when every line is a venv's site-packages of
 * the project's minor version (the venvs added to p->shared), else 0
 * with a note saying why it stays. */
static int judge_pth(struct proj *p, const char *file, enum textenc *enc)
{
    struct sv paths = SV_INIT, venvs = SV_INIT;
    struct sb vdir = SB_INIT;
    struct err e = ERR_INIT;
    size_t i;
    int r, ok = 0;

    r = sitecheck_pth_paths(p->v.site, file, enc, &paths, &e);
    if (r < 0) {
        sv_pushf(&p->notes, "%s left alone: %s", file, e.msg);
        goto out;
    }
    if (!r || !paths.nr) {
        if (!r)
            sv_pushf(&p->notes, "%s left alone: it runs code (import)", file);
        goto out;
    }
    for (i = 0; i < paths.nr; i++) {
        struct venv s = VENV_INIT;
        int same;

        if (!sitecheck_site_venv(paths.v[i], &vdir)) {
            sv_pushf(&p->notes,
                     "%s left alone: '%s' is not the site-packages of a venv",
                     file, paths.v[i]);
            goto out;
        }
        if (vtrust_inside(vdir.buf, p->v.dir)) {
            sv_pushf(&p->notes, "%s left alone: it names the venv itself",
                     file);
            goto out;
        }
        same = !venv_load(&s, vdir.buf, NULL) &&
               s.ver.major == p->v.ver.major && s.ver.minor == p->v.ver.minor;
        if (!same)
            sv_pushf(
                &p->notes,
                "%s left alone: '%s' is Python %d.%d, the project's venv %d.%d (it could not load those packages)",
                file, vdir.buf, s.ver.major, s.ver.minor, p->v.ver.major,
                p->v.ver.minor);
        venv_release(&s);
        if (!same)
            goto out;
        if (sv_find(&venvs, vdir.buf) < 0)
            sv_push(&venvs, vdir.buf);
    }
    for (i = 0; i < venvs.nr; i++)
        if (sv_find(&p->shared, venvs.v[i]) < 0)
            sv_push(&p->shared, venvs.v[i]);
    ok = 1;
out:
    sv_release(&paths);
    sv_release(&venvs);
    sb_release(&vdir);
    err_release(&e);
    return ok;
}

/* Is program (a kernelspec's argv[0]) a file of venv? Its directory is
 * compared as a real path, the program itself is not followed: a venv's
 * bin/python is a link out of it. */
static int in_venv(const char *program, const char *venv)
{
    struct sb dir = SB_INIT, real = SB_INIT, rvenv = SB_INIT;
    int ret = 0;

    if (!path_is_abs(program))
        goto out;
    sb_set(&dir, program);
    path_dirname(&dir);
    if (plat_realpath(dir.buf, &real) < 0 || plat_realpath(venv, &rvenv) < 0)
        goto out;
    ret = path_is_inside(real.buf, rvenv.buf);
out:
    sb_release(&dir);
    sb_release(&real);
    sb_release(&rvenv);
    return ret;
}

/* The user's kernelspecs (not pyshim's) whose program lies in the venv. */
static void find_kernels(const struct dirs *d, struct proj *p)
{
    struct sb kdir = SB_INIT, file = SB_INIT;
    struct sv names = SV_INIT;
    size_t i;

    if (kspec_user_dir(d->home, &kdir, NULL) < 0)
        goto out;
    plat_listdir(kdir.buf, &names);
    for (i = 0; i < names.nr; i++) {
        struct kspec k = KSPEC_INIT;

        path_join(&file, kdir.buf, names.v[i]);
        path_join(&file, file.buf, "kernel.json");
        if (!kspec_load(&k, file.buf, NULL) && !k.is_pyshim &&
            in_venv(k.argv.v[0], p->v.dir))
            sv_push(&p->kernels, names.v[i]);
        kspec_release(&k);
    }
out:
    sb_release(&kdir);
    sb_release(&file);
    sv_release(&names);
}

/* Append to out the paths of in that are not the same file as one
 * before them (a venv's lib64 is a link to lib). */
static void uniq_real(const struct sv *in, struct sv *out)
{
    struct sv seen = SV_INIT;
    struct sb real = SB_INIT;
    size_t i;

    for (i = 0; i < in->nr; i++) {
        if (plat_realpath(in->v[i], &real) < 0)
            sb_set(&real, in->v[i]);
        if (sv_find(&seen, real.buf) >= 0)
            continue;
        sv_push(&seen, real.buf);
        sv_push(out, in->v[i]);
    }
    sv_release(&seen);
    sb_release(&real);
}

/* Decide what adopting dir means (reads only). */
static void plan_proj(const struct dirs *d, const char *dir, struct proj *p)
{
    struct sb venv = SB_INIT, b = SB_INIT;
    struct sv files = SV_INIT;
    struct plat_stat st;
    size_t i;

    p->dir = xstrdup(dir);
    path_join(&venv, dir, ".venv");
    if (!venv_is_venv(venv.buf)) {
        p->skip = xstrfmt("no venv '%s'", venv.buf);
        goto out;
    }
    if (plat_stat(venv.buf, &st, 1) < 0 || st.uid != plat_uid()) {
        p->skip = xstrfmt("'%s' is not yours", venv.buf);
        goto out;
    }
    if (venv_load(&p->v, venv.buf, NULL) < 0 || !p->v.site ||
        p->v.ver.minor < 0) {
        p->skip = xstrfmt("'%s' is not a complete venv", venv.buf);
        goto out;
    }
    sitecheck_pth_files(p->v.site, &files);
    for (i = 0; i < files.nr; i++) {
        enum textenc enc = TEXTENC_UTF8;

        if (is_pyshim_or_tool_pth(path_basename(files.v[i])) ||
            !judge_pth(p, files.v[i], &enc))
            continue;
        sv_push(&p->pths, files.v[i]);
        sv_push(&p->encs, textenc_name(enc));
        sitecheck_backup_name(d->data, "adopt", files.v[i], &b);
        sv_push(&p->backups, b.buf);
    }
    sv_release(&files);
    if (!p->pths.nr) {
        p->skip = xstrdup(
            "nothing to adopt: no hand-written .pth that names another venv's site-packages");
        goto out;
    }
    free(vtrust_startup_code(&p->v, HOOK_FILE, &files));
    uniq_real(&files, &p->code);
    find_kernels(d, p);
out:
    sb_release(&venv);
    sb_release(&b);
    sv_release(&files);
}

/* Directories below dir (depth levels) holding .venv/pyvenv.cfg; hidden
 * dirs, links and venvs are not entered, nor a project's own tree. */
static void find_projects(const char *dir, int depth, struct sv *out)
{
    struct sv names = SV_INIT;
    struct sb p = SB_INIT;
    struct plat_stat st;
    size_t i;

    path_join(&p, dir, ".venv");
    if (venv_is_venv(p.buf)) {
        sv_push(out, dir);
        goto out;
    }
    if (!depth || venv_is_venv(dir) || plat_listdir(dir, &names) < 0)
        goto out;
    for (i = 0; i < names.nr; i++) {
        if (names.v[i][0] == '.')
            continue;
        path_join(&p, dir, names.v[i]);
        if (plat_stat(p.buf, &st, 0) < 0 || !st.is_dir)
            continue;
        find_projects(p.buf, depth - 1, out);
    }
out:
    sv_release(&names);
    sb_release(&p);
}

static void print_proj(const struct proj *p)
{
    struct sb real = SB_INIT;
    size_t i;
    int in_tree;

    if (p->skip) {
        printf("  %s: %s\n", p->dir, p->skip);
        for (i = 0; i < p->notes.nr; i++)
            printf("    note      %s\n", p->notes.v[i]);
        return;
    }
    printf("  %s\n", p->dir);
    printf("    venv      %s (Python %d.%d)\n", p->v.dir, p->v.ver.major,
           p->v.ver.minor);
    for (i = 0; i < p->shared.nr; i++)
        printf("    shared    %s\n", p->shared.v[i]);
    for (i = 0; i < p->pths.nr; i++) {
        int bad = strcmp(p->encs.v[i], textenc_name(TEXTENC_UTF8));

        printf("    .pth      %s (%s%s)\n", p->pths.v[i], p->encs.v[i],
               bad ? ": python in this venv stops at start-up on it today"
                   : "");
        printf("    backup    %s\n", p->backups.v[i]);
    }
    for (i = 0; i < p->notes.nr; i++)
        printf("    note      %s\n", p->notes.v[i]);
    printf("    trust     %s as it is (pyshim did not make it)%s\n", p->v.dir,
           p->code.nr ? "; its start-up code:" : "");
    for (i = 0; i < p->code.nr; i++)
        printf("              %s\n", p->code.v[i]);
    in_tree = vtrust_program(&p->v, p->dir, &real);
    if (in_tree > 0 || (in_tree == 0 && p->v.base))
        printf("    trust     the program %s\n", real.buf);
    sb_release(&real);
    for (i = 0; i < p->kernels.nr; i++)
        printf("    kernel    '%s' runs this venv's python\n", p->kernels.v[i]);
}

/* Put the adopted .pth files back (init failed). */
static void restore(const struct proj *p, size_t n)
{
    struct sb data = SB_INIT;
    size_t i;

    for (i = 0; i < n; i++) {
        if (plat_read_file(p->backups.v[i], SITECHECK_PTH_MAX, &data) < 0 ||
            plat_write_atomic(p->pths.v[i], data.buf, data.len, 0644) < 0)
            fprintf(stderr,
                    "pyshim: error: cannot restore '%s' from '%s': %s\n",
                    p->pths.v[i], p->backups.v[i], plat_strerror(errno));
        else
            printf("pyshim: restored %s\n", p->pths.v[i]);
    }
    sb_release(&data);
}

/* `pyshim kernel repoint NAME --project DIR --force`: the kernel keeps
 * its name (notebooks name it) and becomes pyshim's. */
static int repoint_kernel(const struct proj *p, const char *name)
{
    struct sv argv = SV_INIT;
    int code;

    sv_pushf(&argv, "kernel");
    sv_pushf(&argv, "repoint");
    sv_pushf(&argv, "--force");
    sv_pushf(&argv, "--project=%s", p->dir);
    sv_push(&argv, name);
    code = cli_kernel((int)argv.nr, argv.v);
    sv_release(&argv);
    return code;
}

/* The venv, as `pyshim trust` records it (cli/trust.c): the venv, and
 * the program it runs when that lies in the tree (a --copies venv) or is
 * the base its python.exe redirects to (Windows). */
static int trust_venv(const struct dirs *d, const struct proj *p, struct err *e)
{
    struct sb real = SB_INIT;
    int in_tree = vtrust_program(&p->v, p->dir, &real), ret = 0;

    if (in_tree > 0 || (in_tree == 0 && p->v.base)) {
        ret = trust_add_program(d->data, real.buf, e);
        if (!ret)
            printf("pyshim: trusted the program %s\n", real.buf);
    }
    if (!ret)
        ret = trust_add_venv(d->data, p->v.dir, e);
    if (!ret)
        printf("pyshim: trusted the venv %s\n", p->v.dir);
    sb_release(&real);
    return ret;
}

static int adopt_one(const struct dirs *d, const struct proj *p, int kernels)
{
    struct err e = ERR_INIT;
    struct sv argv = SV_INIT;
    struct sb backup = SB_INIT;
    size_t i, done = 0;
    int code = PYSHIM_EXIT_OK;

    printf("pyshim: adopting %s\n", p->dir);
    if (trust_venv(d, p, &e) < 0)
        goto fail;
    for (i = 0; i < p->pths.nr; i++, done++) {
        if (sitecheck_backup(d->data, "adopt", p->pths.v[i], &backup, &e) < 0)
            goto fail;
        if (strcmp(backup.buf, p->backups.v[i]))
            BUG("backup '%s' is not where the summary said ('%s')", backup.buf,
                p->backups.v[i]);
        if (plat_unlink(p->pths.v[i]) < 0) {
            err_set(&e, PYSHIM_EXIT_CANTCREAT, "cannot remove '%s': %s",
                    p->pths.v[i], plat_strerror(errno));
            goto fail;
        }
        printf("pyshim: moved %s to %s\n", p->pths.v[i], backup.buf);
    }
    sv_pushf(&argv, "init");
    sv_pushf(&argv, "--python=%d.%d", p->v.ver.major, p->v.ver.minor);
    for (i = 0; i < p->shared.nr; i++)
        sv_pushf(&argv, "--shared=%s", p->shared.v[i]);
    sv_push(&argv, p->dir);
    code = cli_init((int)argv.nr, argv.v);
    if (code) {
        restore(p, done);
        goto out;
    }
    for (i = 0; i < p->kernels.nr; i++) {
        if (kernels) {
            if (repoint_kernel(p, p->kernels.v[i]))
                code = PYSHIM_EXIT_FAILURE;
        } else {
            printf(
                "pyshim: kernel '%s' runs %s/... directly and keeps working; to make it pyshim's (`pyshim kernel list` and `prune` then know its project): `pyshim kernel repoint --force --project %s %s`\n",
                p->kernels.v[i], p->v.dir, p->dir, p->kernels.v[i]);
        }
    }
    goto out;
fail:
    restore(p, done);
    code = cli_report(&e);
out:
    err_release(&e);
    sv_release(&argv);
    sb_release(&backup);
    return code;
}

int cli_adopt(int argc, char **argv)
{
    struct dirs d = DIRS_INIT;
    struct err e = ERR_INIT;
    struct sb dir = SB_INIT, q = SB_INIT;
    struct sv dirsv = SV_INIT;
    struct proj *ps = NULL;
    const char *target = NULL;
    int recursive = 0, yes = 0, dry = 0, kernels = 0;
    int code = PYSHIM_EXIT_OK, todo = 0, r;
    size_t i;
    struct opt opts[] = {
        OPT_BOOL(0, "recursive", &recursive),
        OPT_BOOL('y', "yes", &yes),
        OPT_BOOL(0, "dry-run", &dry),
        OPT_BOOL(0, "kernels", &kernels),
        OPT_END(),
    };
    struct opt_cmd oc = OPT_CMD(usage, opts, &target, 1);

    if (opt_parse_cmd(&oc, argc, argv, &code))
        goto out;
    if (dirs_init(&d, &e) < 0 ||
        path_absolute(&dir, target ? target : ".", NULL, d.home, &e) < 0)
        goto fail;
    if (!plat_is_dir(dir.buf)) {
        err_set(&e, PYSHIM_EXIT_NOINPUT, "'%s' is not a directory", dir.buf);
        goto fail;
    }
    if (recursive)
        find_projects(dir.buf, 3, &dirsv);
    else
        sv_push(&dirsv, dir.buf);
    ps = xcalloc(dirsv.nr ? dirsv.nr : 1, sizeof(*ps));
    for (i = 0; i < dirsv.nr; i++) {
        plan_proj(&d, dirsv.v[i], &ps[i]);
        todo += !ps[i].skip;
    }
    if (!recursive && ps[0].skip && !todo && !ps[0].notes.nr &&
        strncmp(ps[0].skip, "nothing", 7)) {
        err_set(&e, PYSHIM_EXIT_NOINPUT, "cannot adopt '%s': %s", dir.buf,
                ps[0].skip);
        err_hint(
            &e,
            "adopt works on a project whose .venv holds a hand-written .pth (see `pyshim adopt --help`); `pyshim init` makes a new one");
        goto fail;
    }
    printf("pyshim: adopt: %d project%s to adopt under %s%s\n", todo,
           todo == 1 ? "" : "s", dir.buf, todo ? ":" : "");
    for (i = 0; i < dirsv.nr; i++)
        print_proj(&ps[i]);
    if (!todo || dry)
        goto out;
    if (recursive) {
        sb_addf(&q, "Adopt %d project%s as above?", todo, todo == 1 ? "" : "s");
        r = cli_confirm(q.buf, yes, "`pyshim adopt --recursive`", &e);
        if (r < 0)
            goto fail;
        if (!r) {
            printf("pyshim: nothing changed\n");
            goto out;
        }
    }
    for (i = 0; i < dirsv.nr; i++)
        if (!ps[i].skip && adopt_one(&d, &ps[i], kernels))
            code = PYSHIM_EXIT_FAILURE;
    goto out;
fail:
    code = cli_report(&e);
out:
    for (i = 0; ps && i < dirsv.nr; i++)
        proj_release(&ps[i]);
    free(ps);
    dirs_release(&d);
    err_release(&e);
    sb_release(&dir);
    sb_release(&q);
    sv_release(&dirsv);
    return code;
}
