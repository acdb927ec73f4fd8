/*
 * pyshim shared: the shared envs under DATA/shared/NAME, where the big
 * libraries are installed once for every project.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "common/sha256.h"
#include "common/sv.h"
#include "config/cfg.h"
#include "config/dirs.h"
#include "installer/cli.h"
#include "launcher/resolve.h"
#include "launcher/venv.h"
#include "common/banned.h"

static const char usage[] =
    "usage: pyshim shared create NAME [--python V] [--system-site-packages]\n"
    "       pyshim shared list\n"
    "       pyshim shared remove NAME [--force]\n"
    "       pyshim shared path NAME\n"
    "       pyshim shared pip NAME ARGS...\n"
    "\n"
    "Shared envs hold the big libraries (torch, langchain, jupyterlab) once\n"
    "for every project that names them in \"shared\". Each is a venv at\n"
    "DATA/shared/NAME (~/.local/share/pyshim/shared/NAME).\n"
    "\n"
    "  create  make the venv (with pip) using Python V (default: the default\n"
    "          interpreter)\n"
    "  list    name, Python version, size on disk, and the projects that use\n"
    "          it (projects made with `pyshim init`)\n"
    "  remove  delete it; refused while a project uses it, unless --force\n"
    "  path    print its directory\n"
    "  pip     run pip inside it, e.g. `pyshim shared pip ai install torch`\n";

void inst_register_project(const struct dirs *d, const char *dir)
{
    struct sb p = SB_INIT;
    struct sha256 s;
    char hex[65];

    sha256_init(&s);
    sha256_update(&s, dir, strlen(dir));
    sha256_hex(&s, hex);
    path_join(&p, d->data, "projects");
    if (!plat_mkdirs(p.buf, 0755)) {
        hex[16] = '\0';
        path_join(&p, p.buf, hex);
        plat_write_atomic(p.buf, dir, strlen(dir), 0644);
    }
    sb_release(&p);
}

void inst_projects_using(const struct dirs *d, const char *name, struct sv *out)
{
    struct sb p = SB_INIT, dir = SB_INIT, file = SB_INIT;
    struct plat_dir *pd;
    const char *ent;

    path_join(&p, d->data, "projects");
    pd = plat_opendir(p.buf);
    while (pd && (ent = plat_readdir(pd))) {
        struct cfg c = CFG_INIT;

        path_join(&file, p.buf, ent);
        if (plat_read_file(file.buf, 64 * 1024, &dir) < 0)
            continue;
        path_join(&file, dir.buf, ".pyshim.json");
        if (!cfg_load(&c, file.buf, d->home, NULL) &&
            sv_find(&c.shared, name) >= 0)
            sv_push(out, dir.buf);
        cfg_release(&c);
    }
    plat_closedir(pd);
    sb_release(&p);
    sb_release(&dir);
    sb_release(&file);
}

static uint64_t tree_size(const char *path)
{
    struct plat_stat st;
    struct plat_dir *pd;
    const char *name;
    struct sb child = SB_INIT;
    uint64_t total = 0;

    if (plat_stat(path, &st, 0) < 0)
        return 0;
    if (!st.is_dir)
        return st.is_reg ? st.size : 0;
    pd = plat_opendir(path);
    while (pd && (name = plat_readdir(pd))) {
        path_join(&child, path, name);
        total += tree_size(child.buf);
    }
    plat_closedir(pd);
    sb_release(&child);
    return total;
}

static int env_dir(const struct dirs *d, const char *name, int must_exist,
                   struct sb *out, struct err *e)
{
    if (!cfg_is_name(name)) {
        err_set(e, PYSHIM_EXIT_USAGE, "'%s' is not a shared env name", name);
        return err_hint(e, "use letters, digits, '.', '_' and '-'");
    }
    path_join(out, d->data, "shared");
    path_join(out, out->buf, name);
    if (must_exist && !venv_is_venv(out->buf)) {
        err_set(e, PYSHIM_EXIT_NOINPUT, "shared env '%s' does not exist (%s)",
                name, out->buf);
        return err_hint(e, "create it with `pyshim shared create %s`", name);
    }
    return 0;
}

static int create(const struct dirs *d, int argc, char **argv, struct err *e)
{
    struct sb dir = SB_INIT, py = SB_INIT;
    struct sv args = SV_INIT;
    struct pyver ver;
    const char *name = NULL, *python = NULL;
    int i, sys_site = 0, status = 0, ret = -1;
    char vb[32];

    for (i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--python") && i + 1 < argc)
            python = argv[++i];
        else if (!strcmp(argv[i], "--system-site-packages"))
            sys_site = 1;
        else if (argv[i][0] != '-' && !name)
            name = argv[i];
        else {
            inst_usage_error(argv[i], usage); /* prints; code 64 follows */
            return -1;
        }
    }
    if (!name) {
        err_set(e, PYSHIM_EXIT_USAGE, "shared create needs a NAME");
        return err_hint(e, "e.g. `pyshim shared create ai --python 3.12`");
    }
    if (env_dir(d, name, 0, &dir, e) < 0)
        goto out;
    if (venv_is_venv(dir.buf) && !venv_is_incomplete(dir.buf)) {
        printf("pyshim: shared env '%s' already exists: %s\n", name, dir.buf);
        ret = 0;
        goto out;
    }
    if (resolve_interpreter(python, &py, &ver, e) < 0)
        goto out;
    sv_push(&args, py.buf);
    sv_push(&args, "-m");
    sv_push(&args, "venv");
    if (sys_site)
        sv_push(&args, "--system-site-packages");
    sv_push(&args, dir.buf);
    if (venv_is_incomplete(dir.buf))
        printf("pyshim: shared env '%s' was left half-made by an interrupted "
               "create: making it again\n",
               name);
    if (venv_begin(dir.buf, e) < 0)
        goto out;
    if (plat_run(py.buf, args.v, NULL, 1, &status) < 0 || status) {
        plat_rmtree(dir.buf); /* never leave half an env behind */
        err_set(e, PYSHIM_EXIT_CANTCREAT, "`%s -m venv %s` failed (status %d)",
                py.buf, dir.buf, status);
        err_hint(e, "on Debian, `apt-get install python3-venv`");
        goto out;
    }
    venv_done(dir.buf);
    printf("pyshim: created shared env '%s' (Python %s): %s\n", name,
           pyver_str(&ver, vb, sizeof(vb)), dir.buf);
    printf("pyshim: add packages with `pyshim shared pip %s install ...`; "
           "use it with `pyshim init --shared %s`\n",
           name, name);
    ret = 0;
out:
    sb_release(&dir);
    sb_release(&py);
    sv_release(&args);
    return ret;
}

static int list(const struct dirs *d)
{
    struct sb root = SB_INIT, p = SB_INIT;
    struct plat_dir *pd;
    const char *name;
    int n = 0;

    path_join(&root, d->data, "shared");
    pd = plat_opendir(root.buf);
    while (pd && (name = plat_readdir(pd))) {
        struct venv v = VENV_INIT;
        struct sv users = SV_INIT;
        char vb[32];
        size_t k;

        path_join(&p, root.buf, name);
        if (!venv_is_venv(p.buf))
            continue;
        if (!n++)
            printf("%-16s %-8s %10s  %s\n", "NAME", "PYTHON", "SIZE",
                   "USED BY");
        if (venv_load(&v, p.buf, NULL) < 0)
            snprintf(vb, sizeof(vb), "broken");
        else
            pyver_str(&v.ver, vb, sizeof(vb));
        inst_projects_using(d, name, &users);
        printf("%-16s %-8s %8.1fM  ", name, vb,
               (double)tree_size(p.buf) / (1024.0 * 1024.0));
        for (k = 0; k < users.nr; k++)
            printf("%s%s", k ? ", " : "", users.v[k]);
        printf("%s\n", users.nr ? "" : "-");
        sv_release(&users);
        venv_release(&v);
    }
    plat_closedir(pd);
    if (!n)
        printf("pyshim: no shared envs yet (`pyshim shared create NAME`)\n");
    sb_release(&root);
    sb_release(&p);
    return 0;
}

static int remove_env(const struct dirs *d, int argc, char **argv,
                      struct err *e)
{
    struct sb dir = SB_INIT;
    struct sv users = SV_INIT;
    const char *name = NULL;
    int i, force = 0, ret = -1;

    for (i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--force"))
            force = 1;
        else if (argv[i][0] != '-' && !name)
            name = argv[i];
        else {
            inst_usage_error(argv[i], usage); /* prints; code 64 follows */
            return -1;
        }
    }
    if (!name) {
        err_set(e, PYSHIM_EXIT_USAGE, "shared remove needs a NAME");
        return -1;
    }
    if (env_dir(d, name, 1, &dir, e) < 0)
        goto out;
    inst_projects_using(d, name, &users);
    if (users.nr && !force) {
        err_set(e, PYSHIM_EXIT_FAILURE,
                "shared env '%s' is used by %lu project%s, e.g. '%s'", name,
                (unsigned long)users.nr, users.nr == 1 ? "" : "s", users.v[0]);
        err_hint(e, "remove it from their \"shared\" first, or use --force");
        goto out;
    }
    if (plat_rmtree(dir.buf) < 0) {
        err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot remove '%s': %s", dir.buf,
                plat_strerror(errno));
        goto out;
    }
    printf("pyshim: removed shared env '%s'\n", name);
    ret = 0;
out:
    sb_release(&dir);
    sv_release(&users);
    return ret;
}

int inst_shared(int argc, char **argv)
{
    struct dirs d = DIRS_INIT;
    struct err e = ERR_INIT;
    struct sb dir = SB_INIT;
    const char *sub = argc > 1 ? argv[1] : NULL;
    int code = PYSHIM_EXIT_OK, ret;

    if (!sub || inst_is_help(sub)) {
        fputs(usage, sub ? stdout : stderr);
        return sub ? PYSHIM_EXIT_OK : PYSHIM_EXIT_USAGE;
    }
    if (argc > 2 && inst_is_help(argv[2])) {
        fputs(usage, stdout);
        return PYSHIM_EXIT_OK;
    }
    if (dirs_init(&d, &e) < 0) {
        code = inst_report(&e);
        goto out;
    }
    if (!strcmp(sub, "create")) {
        ret = create(&d, argc - 2, argv + 2, &e);
    } else if (!strcmp(sub, "list")) {
        ret = list(&d);
    } else if (!strcmp(sub, "remove")) {
        ret = remove_env(&d, argc - 2, argv + 2, &e);
    } else if (!strcmp(sub, "path") && argc == 3) {
        ret = env_dir(&d, argv[2], 1, &dir, &e);
        if (!ret)
            printf("%s\n", dir.buf);
    } else if (!strcmp(sub, "pip") && argc >= 3) {
        struct sv args = SV_INIT;

        ret = env_dir(&d, argv[2], 1, &dir, &e);
        if (!ret) {
            venv_python_path(&dir, dir.buf);
            sv_push(&args, dir.buf);
            sv_push(&args, "-m");
            sv_push(&args, "pip");
            sv_pushn(&args, argv + 3, (size_t)(argc - 3));
            fflush(stdout);
            plat_exec(dir.buf, args.v);
            ret = err_set(&e, PYSHIM_EXIT_CANTEXEC, "cannot run '%s': %s",
                          dir.buf, plat_strerror(errno));
        }
        sv_release(&args);
    } else {
        code = inst_usage_error(sub, usage);
        goto out;
    }
    if (ret < 0)
        code = e.msg ? inst_report(&e) : PYSHIM_EXIT_USAGE;
out:
    dirs_release(&d);
    err_release(&e);
    sb_release(&dir);
    return code;
}
