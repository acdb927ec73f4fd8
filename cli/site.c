/*
 * pyshim site: the administrator's site shared envs (docs/site.md), and
 * how `pyshim shared` shows them to users: read-only, never written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "common/xalloc.h"
#include "config/sitecfg.h"
#include "cli/cli.h"
#include "cli/freeze.h"
#include "cli/opt.h"
#include "config/cfg.h"
#include "launcher/resolve.h"
#include "launcher/siteenv.h"
#include "launcher/venv.h"
#include "common/banned.h"

/* Load the system config the shim would believe; a refused one is
 * reported as the shim reports it. 0 with s->file NULL when none. */
static int site_load(struct sitecfg *s, struct err *e)
{
    char *refused = NULL;
    int ret = sitecfg_load(s, sitecfg_path(), &refused, e);

    if (refused) {
        fprintf(stderr, "pyshim: warning: ignored '%s'\n", refused);
        free(refused);
    }
    return ret;
}

void cli_site_list_shared(int *n)
{
    struct sitecfg s = SITECFG_INIT;
    struct err e = ERR_INIT;
    size_t i;

    if (site_load(&s, &e) < 0) {
        cli_report(&e);
        goto out;
    }
    for (i = 0; i < s.names.nr; i++) {
        struct venv v = VENV_INIT;
        char vb[32];

        if (!(*n)++)
            printf("%-16s %-8s %10s  %s\n", "NAME", "PYTHON", "SIZE",
                   "USED BY");
        if (venv_load(&v, s.paths.v[i], NULL) < 0)
            snprintf(vb, sizeof(vb), "broken");
        else
            pyver_str(&v.ver, vb, sizeof(vb));
        /* no size: a site env may be many GB on a network file system */
        printf("%-16s %-8s %10s  site env, read-only: %s (%s)\n", s.names.v[i],
               vb, "-", s.paths.v[i], s.file);
        venv_release(&v);
    }
out:
    sitecfg_release(&s);
    err_release(&e);
}

void cli_site_list_shared_json(struct jsonw *w)
{
    struct sitecfg s = SITECFG_INIT;
    struct err e = ERR_INIT;
    size_t i;

    if (site_load(&s, &e) < 0) {
        cli_report(&e);
        goto out;
    }
    for (i = 0; i < s.names.nr; i++)
        cli_shared_json_env(w, s.names.v[i], s.paths.v[i], "site", NULL, -1);
out:
    sitecfg_release(&s);
    err_release(&e);
}

const char *cli_site_map(const struct dirs *d, const char *entry,
                         struct sb *buf)
{
    struct sitecfg s = SITECFG_INIT;
    struct err e = ERR_INIT;
    const char *ret = entry;

    /* a broken or refused system config: the name stays the user's own
     * (resolution reports the config) */
    if (!site_load(&s, &e) && siteenv_map(&s, d->data, entry) != entry) {
        sb_set(buf, siteenv_map(&s, d->data, entry));
        ret = buf->buf;
    }
    sitecfg_release(&s);
    err_release(&e);
    return ret;
}

int cli_site_refuse_write(const struct dirs *d, const char *name, struct err *e)
{
    struct sitecfg s = SITECFG_INIT;
    struct sb own = SB_INIT;
    const char *path;
    int ret = 0;

    path_join(&own, d->data, "shared");
    path_join(&own, own.buf, name);
    if (venv_is_venv(own.buf) || site_load(&s, e) < 0)
        goto out;
    path = sitecfg_env(&s, name);
    if (!path)
        goto out;
    err_set(
        e, PYSHIM_EXIT_NOPERM,
        "'%s' is a site env ('%s', from '%s'): it is read-only, kept by the administrator",
        name, path, s.file);
    err_hint(
        e,
        "install into a project's own venv (`pyshim init --shared %s` layers the site env under it), or ask the administrator to add the package",
        name);
    ret = -1;
out:
    sitecfg_release(&s);
    sb_release(&own);
    return ret;
}

static const char usage[] =
    "usage: pyshim site create NAME -r REQUIREMENTS [--python V] [--prefix DIR]\n"
    "       pyshim site list\n"
    "       pyshim site remove NAME [--yes]\n"
    "       pyshim site kernel install [--dir DIR] [--force]\n"
    "\n"
    "Site shared envs hold the big libraries an administrator installs once\n"
    "for every user of the machine (a JupyterHub server, lab machines, an HPC\n"
    "login node). The system config (/etc/pyshim/config.json, or\n"
    "$PYSHIM_SYSTEM_CONFIG) lists them under \"site_shared\"; users name them\n"
    "like their own (`pyshim init --shared NAME`), and pyshim never writes\n"
    "into them. Every subcommand but list must run as root.\n"
    "\n"
    "  create  make the venv PREFIX/NAME (default PREFIX: /opt/pyshim/site)\n"
    "          with Python V, install REQUIREMENTS into it with pip, record\n"
    "          its package list in PREFIX/NAME/pyshim-requirements.txt and\n"
    "          list it in the system config. NAME must not exist yet: to\n"
    "          upgrade, create a new name beside it (see docs/site.md)\n"
    "  list    the system config's site envs: name, Python, packages, path\n"
    "  remove  unlist it from the system config and delete its directory\n"
    "          when `site create` made it (asks on a terminal; --yes for\n"
    "          scripts)\n"
    "  kernel install\n"
    "          the auto kernel (its project found from the notebook's\n"
    "          directory) for every user: DIR/kernels/pyshim-auto, default\n"
    "          DIR /usr/local/share/jupyter; --force replaces one there\n";

#define SITE_PREFIX "/opt/pyshim/site"
#define SITE_MARK ".pyshim-site"
#define SITE_JUPYTER "/usr/local/share/jupyter"

static int need_root(const char *what, struct err *e)
{
    if (plat_uid() == 0)
        return 0;
    err_set(
        e, PYSHIM_EXIT_NOPERM,
        "`pyshim site %s` changes what every user of this machine runs: it must run as root",
        what);
    return err_hint(
        e,
        "run it as root (sudo pyshim site %s ...); users need no command: `pyshim shared list` shows the site envs",
        what);
}

static const char *system_file(struct err *e)
{
    const char *f = sitecfg_path();

    if (!f) {
        err_set(e, PYSHIM_EXIT_CONFIG, "there is no system config here");
        err_hint(e, "set PYSHIM_SYSTEM_CONFIG to the file to use");
    }
    return f;
}

/* Run argv (argv[0] the program); -1 with e unless it exits 0. */
static int run_ok(struct sv *argv, const char *what, struct err *e)
{
    int status = 0;

    fflush(stdout);
    cli_progress("running %s", what);
    if (plat_run(argv->v[0], argv->v, NULL, 1, &status) < 0 || status) {
        err_set(e, PYSHIM_EXIT_CANTCREAT, "%s failed (status %d)", what,
                status);
        return -1;
    }
    return 0;
}

/* PREFIX/NAME, absolute, into dir; it must not exist (never taken
 * over). -1 with e. */
static int site_place(const struct dirs *d, const char *prefix,
                      const char *name, struct sb *dir, struct err *e)
{
    struct plat_stat st;

    if (path_absolute(dir, prefix ? prefix : SITE_PREFIX, NULL, d->home, e) < 0)
        return -1;
    path_join(dir, dir->buf, name);
    if (!plat_stat(dir->buf, &st, 0)) {
        err_set(e, PYSHIM_EXIT_CANTCREAT,
                "'%s' exists already: it is left as it is", dir->buf);
        return err_hint(
            e,
            "to upgrade, create another name beside it (`pyshim site create %s-2 -r ...`) and move users over; or `pyshim site remove %s` first",
            name, name);
    }
    return 0;
}

/* Make dir (and its parents): -1 with e. */
static int site_mkdir(const struct sb *dir, struct err *e)
{
    struct sb parent = SB_INIT;
    int ret = 0;

    sb_set(&parent, dir->buf);
    path_dirname(&parent);
    if (plat_mkdirs(parent.buf, 0755) < 0 && !plat_is_dir(parent.buf))
        ret = err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot make '%s': %s",
                      parent.buf, plat_strerror(errno));
    else if (plat_mkdir(dir->buf, 0755) < 0)
        ret = err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot make '%s': %s",
                      dir->buf, plat_strerror(errno));
    sb_release(&parent);
    return ret;
}

/* `py -m venv dir`, then its pip installs -r reqs: -1 with e. */
static int site_build(const char *py, const char *dir, const char *reqs,
                      struct err *e)
{
    struct sv args = SV_INIT;
    struct sb env_py = SB_INIT;
    int ret = -1;

    sv_push(&args, py);
    sv_push(&args, "-m");
    sv_push(&args, "venv");
    sv_push(&args, dir);
    if (run_ok(&args, "`python -m venv`", e) < 0) {
        err_hint(e, "on Debian, `apt-get install python3-venv`");
        goto out;
    }
    venv_python_path(&env_py, dir);
    sv_release(&args);
    sv_push(&args, env_py.buf);
    sv_push(&args, "-m");
    sv_push(&args, "pip");
    sv_push(&args, "install");
    sv_push(&args, "-r");
    sv_push(&args, reqs);
    if (run_ok(&args, "`pip install -r`", e) < 0) {
        err_hint(e,
                 "fix the requirements (pip said why above) and run it again");
        goto out;
    }
    ret = 0;
out:
    sv_release(&args);
    sb_release(&env_py);
    return ret;
}

static int create(const struct dirs *d, int argc, char **argv, struct err *e)
{
    const char *name = NULL, *python = NULL, *reqs = NULL, *prefix = NULL;
    const char *file;
    struct sb dir = SB_INIT, py = SB_INIT, list = SB_INIT;
    struct sb mark = SB_INIT, rec = SB_INIT;
    struct pyver ver;
    int i, made = 0, ret = -1;
    char vb[32];
    struct opt opts[] = {
        OPT_STRING('r', "requirement", &reqs),
        OPT_STRING(0, "python", &python),
        OPT_STRING(0, "prefix", &prefix),
        OPT_END(),
    };
    struct opt_cmd oc = OPT_CMD(usage, opts, &name, 1);

    if (opt_parse_cmd(&oc, argc, argv, &i))
        return i ? -1 : 0;
    if (!name || !reqs || !cfg_is_name(name)) {
        err_set(
            e, PYSHIM_EXIT_USAGE,
            "site create needs a NAME (letters, digits, '.', '_', '-') and -r REQUIREMENTS");
        return err_hint(e,
                        "e.g. `pyshim site create ml -r ml-requirements.txt`");
    }
    if (need_root("create", e) < 0 || !(file = system_file(e)))
        return -1;
    if (site_place(d, prefix, name, &dir, e) < 0 ||
        resolve_interpreter(python, &py, &ver, e) < 0 ||
        site_mkdir(&dir, e) < 0)
        goto out;
    made = 1;
    path_join(&mark, dir.buf, SITE_MARK);
    if (venv_begin(dir.buf, e) < 0 ||
        plat_write_atomic(mark.buf, name, strlen(name), 0644) < 0)
        goto fail;
    if (site_build(py.buf, dir.buf, reqs, e) < 0)
        goto fail;
    if (freeze_write(d, dir.buf, 0, &list, e) < 0)
        goto fail;
    venv_done(dir.buf);
    if (sitecfg_set_env(file, name, dir.buf, e) < 0)
        goto fail;
    freeze_record_path(&rec, dir.buf);
    printf("pyshim: created site env '%s' (Python %s): %s\n", name,
           pyver_str(&ver, vb, sizeof(vb)), dir.buf);
    printf("pyshim: its packages are recorded in %s; listed in %s\n", rec.buf,
           file);
    printf("pyshim: users run `pyshim init --shared %s` in a project\n", name);
    ret = 0;
    goto out;
fail:
    if (made)
        plat_rmtree(dir.buf); /* made by this command, never half kept */
out:
    sb_release(&dir);
    sb_release(&py);
    sb_release(&list);
    sb_release(&mark);
    sb_release(&rec);
    return ret;
}

static size_t count_packages(const char *dir)
{
    struct sb rec = SB_INIT, text = SB_INIT;
    size_t n = 0;
    const char *p;

    freeze_record_path(&rec, dir);
    if (!plat_read_file(rec.buf, 16 * 1024 * 1024, &text))
        for (p = text.buf; p && *p;
             p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
            if (*p != '#' && *p != '\n')
                n++;
    sb_release(&rec);
    sb_release(&text);
    return n;
}

static int list(struct err *e)
{
    struct sitecfg s = SITECFG_INIT;
    size_t i;

    if (site_load(&s, e) < 0)
        return -1;
    if (!s.names.nr)
        printf("pyshim: no site envs (%s)\n",
               s.file ? s.file : "no system config believed");
    else
        printf("%-16s %-8s %8s  %s\n", "NAME", "PYTHON", "PACKAGES", "PATH");
    for (i = 0; i < s.names.nr; i++) {
        struct venv v = VENV_INIT;
        char vb[32];

        if (venv_load(&v, s.paths.v[i], NULL) < 0)
            snprintf(vb, sizeof(vb), "missing");
        else
            pyver_str(&v.ver, vb, sizeof(vb));
        printf("%-16s %-8s %8zu  %s\n", s.names.v[i], vb,
               count_packages(s.paths.v[i]), s.paths.v[i]);
        venv_release(&v);
    }
    sitecfg_release(&s);
    return 0;
}

/*
 * Did `pyshim site create` make dir (site env name)? Its mark says so, but
 * a mark counts only if no one but root could have written it: dir (not a
 * link), the mark (judged from the descriptor read) and dir's parent are
 * root's and writable by neither group nor others; else a user who owns
 * or may write the tree root lists could have made root delete it (issue
 * 16). NULL: ours; else why it is not, for the message.
 */
static const char *made_by_create(const char *dir, const char *name,
                                  const char *mark)
{
    struct sb text = SB_INIT, parent = SB_INIT;
    struct plat_stat ds, ms, ps;
    const char *why = "was not made by `pyshim site create`";

    if (plat_read_regular(mark, 4096, &text, &ms) < 0 || strcmp(text.buf, name))
        goto out;
    why =
        "is not root's alone (its owner or others could have written its mark)";
    sb_set(&parent, dir);
    path_dirname(&parent);
    if (plat_stat(dir, &ds, 0) < 0 || ds.is_lnk || !ds.is_dir || ds.uid != 0 ||
        (ds.perm & 0022) || ms.uid != 0 || (ms.perm & 0022) ||
        plat_stat(parent.buf, &ps, 0) < 0 || !ps.is_dir || ps.uid != 0 ||
        (ps.perm & 0022))
        goto out;
    why = NULL;
out:
    sb_release(&text);
    sb_release(&parent);
    return why;
}

static int remove_env(int argc, char **argv, struct err *e)
{
    const char *name = NULL, *file, *path;
    struct sitecfg s = SITECFG_INIT;
    struct sb mark = SB_INIT, q = SB_INIT, what = SB_INIT;
    const char *why;
    char *dir = NULL;
    int i, yes = 0, ours, ok, ret = -1;
    struct opt opts[] = {
        OPT_BOOL('y', "yes", &yes),
        OPT_END(),
    };
    struct opt_cmd oc = OPT_CMD(usage, opts, &name, 1);

    if (opt_parse_cmd(&oc, argc, argv, &i))
        return i ? -1 : 0;
    if (!name) {
        err_set(e, PYSHIM_EXIT_USAGE, "site remove needs a NAME");
        return err_hint(e, "`pyshim site list` shows them");
    }
    if (need_root("remove", e) < 0 || !(file = system_file(e)) ||
        site_load(&s, e) < 0)
        goto out;
    path = sitecfg_env(&s, name);
    if (!path) {
        err_set(e, PYSHIM_EXIT_NOINPUT, "no site env '%s' in '%s'", name,
                s.file ? s.file : file);
        err_hint(e, "`pyshim site list` shows them");
        goto out;
    }
    dir = xstrdup(path);
    path_join(&mark, dir, SITE_MARK);
    why = made_by_create(dir, name, mark.buf);
    ours = !why;
    sb_addf(&q, "pyshim: site env '%s' (%s, ", name, dir);
    cli_add_size(&q, cli_tree_size(dir));
    sb_addch(&q, ')');
    if (why)
        sb_addf(&q, " %s: it is only unlisted, its directory is kept", why);
    printf("%s\n", q.buf);
    sb_addf(&what, "`pyshim site remove %s`", name);
    ok = cli_confirm(ours ? "unlist and delete it? every user loses it"
                          : "unlist it? every user loses it",
                     yes, what.buf, e);
    if (ok <= 0) {
        if (!ok)
            err_set(e, PYSHIM_EXIT_FAILURE,
                    "not removed: site env '%s' is kept", name);
        goto out;
    }
    if (sitecfg_set_env(file, name, NULL, e) < 0)
        goto out;
    if (ours && plat_rmtree(dir) < 0) {
        err_set(e, PYSHIM_EXIT_CANTCREAT,
                "unlisted, but cannot remove '%s': %s", dir,
                plat_strerror(errno));
        goto out;
    }
    printf("pyshim: removed site env '%s'\n", name);
    ret = 0;
out:
    free(dir);
    sitecfg_release(&s);
    sb_release(&mark);
    sb_release(&q);
    sb_release(&what);
    return ret;
}

/* The auto kernel, written by `pyshim kernel install --auto` into the
 * system-wide Jupyter data dir (jupyter_client looks there for every
 * user). */
static int kernel_install(int argc, char **argv, int *code, struct err *e)
{
    const char *dir = NULL;
    int i, force = 0;
    struct opt opts[] = {
        OPT_STRING(0, "dir", &dir),
        OPT_BOOL(0, "force", &force),
        OPT_END(),
    };
    struct opt_cmd oc = OPT_CMD(usage, opts, NULL, 0);
    char k0[] = "kernel", k1[] = "install", k2[] = "--auto", k3[] = "--force";
    char *kargv[] = {k0, k1, k2, k3, NULL};

    if (opt_parse_cmd(&oc, argc, argv, &i)) {
        *code = i;
        return 0;
    }
    if (need_root("kernel install", e) < 0)
        return -1;
    if (plat_setenv("JUPYTER_DATA_DIR", dir ? dir : SITE_JUPYTER) < 0) {
        err_set(e, PYSHIM_EXIT_OSERR, "cannot set JUPYTER_DATA_DIR: %s",
                plat_strerror(errno));
        return -1;
    }
    *code = cli_kernel(force ? 4 : 3, kargv);
    return 0;
}

int cli_site(int argc, char **argv)
{
    struct dirs d = DIRS_INIT;
    struct err e = ERR_INIT;
    const char *sub = argc > 1 ? argv[1] : NULL;
    int code = PYSHIM_EXIT_OK, ret;

    if (!sub || cli_is_help(sub)) {
        fputs(usage, sub ? stdout : stderr);
        return sub ? PYSHIM_EXIT_OK : PYSHIM_EXIT_USAGE;
    }
    if (argc > 2 && cli_is_help(argv[2])) {
        fputs(usage, stdout);
        return PYSHIM_EXIT_OK;
    }
    if (!strcmp(sub, "list")) {
        ret = list(&e);
    } else if (!strcmp(sub, "remove")) {
        ret = remove_env(argc - 1, argv + 1, &e);
    } else if (!strcmp(sub, "kernel") && argc > 2 &&
               !strcmp(argv[2], "install")) {
        ret = kernel_install(argc - 2, argv + 2, &code, &e);
    } else if (!strcmp(sub, "create")) {
        ret = dirs_init(&d, &e);
        if (!ret)
            ret = create(&d, argc - 1, argv + 1, &e);
    } else {
        code = cli_usage_error(sub, usage);
        goto out;
    }
    if (ret < 0)
        code = e.msg ? cli_report(&e) : PYSHIM_EXIT_USAGE;
out:
    dirs_release(&d);
    err_release(&e);
    return code;
}
