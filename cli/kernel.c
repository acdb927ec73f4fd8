/*
 * pyshim kernel: Jupyter kernelspecs that start a project's Python (its venv,
 * its shared envs), so one JupyterLab serves every project.
 *
 * A kernelspec is a directory KERNELS/NAME holding kernel.json, in
 * Jupyter's per-user data dir. A project's names that project's
 * environment python by absolute path (VS Code lists only kernels of
 * interpreters it knows; jupyter_client swaps a bare `python` for its
 * own), with the config's "env" and nothing of pyshim's, so a `python`
 * the notebook starts elsewhere resolves on its own. The --auto kernel
 * names the shim's `python` and leaves the project to the kernel's
 * working directory (Jupyter starts kernels in the notebook's directory).
 * metadata.pyshim marks them (and names the project), so list/prune/remove
 * never touch anyone else's kernels. Where they live is kspec_user_dir
 * (cli/kspec.c), the one rule doctor uses too.
 *
 * Over 600 lines: one command with four subcommands (install, list,
 * remove, prune) sharing the naming and ownership rules above; a third of
 * it is install's choice of name and display name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/fs.h"
#include "common/jsonw.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "common/sha256.h"
#include "common/sv.h"
#include "common/utf8.h"
#include "config/dirs.h"
#include "config/discover.h"
#include "cli/kernel.h"
#include "cli/kspec.h"
#include "cli/sitecheck.h"
#include "cli/cli.h"
#include "cli/opt.h"
#include "common/pyver.h"
#include "launcher/apply.h"
#include "launcher/resolve.h"
#include "common/banned.h"

static const char usage[] =
    "usage: pyshim kernel install [--name N] [--display-name D]\n"
    "                             [--project DIR | --auto] [--force]\n"
    "                             [--ipykernel]\n"
    "       pyshim kernel list [--json]\n"
    "       pyshim kernel repoint NAME [--project DIR] [--force]\n"
    "       pyshim kernel remove NAME [--force]\n"
    "       pyshim kernel prune [--dry-run] [--yes]\n"
    "\n"
    "Jupyter kernels that run a project's Python (its venv and shared envs).\n"
    "They live in Jupyter's user kernel dir:\n"
    "$JUPYTER_DATA_DIR/kernels, else ~/.local/share/jupyter/kernels\n"
    "(~/Library/Jupyter/kernels on macOS, %APPDATA%\\jupyter\\kernels on\n"
    "Windows).\n"
    "\n"
    "  install  write a kernelspec for a project, or one --auto kernel\n"
    "  list     every kernel there: its project, python and ipykernel\n"
    "  repoint  make a kernel run a project that was renamed or moved\n"
    "  remove   delete one of pyshim's kernels\n"
    "  prune    delete the stale ones (project or interpreter gone)\n"
    "\n"
    "Run `pyshim kernel <subcommand> --help` for its options.\n";

static const char usage_install[] =
    "usage: pyshim kernel install [--name N] [--display-name D]\n"
    "                             [--project DIR | --auto] [--force]\n"
    "                             [--ipykernel]\n"
    "\n"
    "Write KERNELS/N/kernel.json: a kernel that runs the project's own\n"
    "environment python (its venv, or pyshim's overlay env) by absolute\n"
    "path, so the notebook gets the project's packages and its shared envs\n"
    "(the venv's hook adds those) and every Jupyter front end sees a plain\n"
    "Python kernel. The config's \"env\" is the kernel's env; nothing in\n"
    "it changes which Python a `python` started by the notebook runs.\n"
    "Running it again with the same arguments changes nothing; a kernel of\n"
    "another project is never replaced without --force.\n"
    "When ipykernel is not importable there, install offers (on a\n"
    "terminal) to add it to the project's environment with pip; it says so\n"
    "when ipykernel comes from a shared env.\n"
    "\n"
    "  --project DIR     the project at or above DIR (default: the one at\n"
    "                    or above the current directory)\n"
    "  --auto            one kernel for every project: it runs pyshim's\n"
    "                    `python`, which finds the project from the\n"
    "                    notebook's directory, as `python` typed there would\n"
    "  --name N          kernel name, [a-z0-9._-] (default: the project\n"
    "                    directory's name, lowercased, plus a short suffix\n"
    "                    from the project's path when another project has\n"
    "                    that name or the directory's name is not ASCII;\n"
    "                    pyshim-auto for --auto)\n"
    "  --display-name D  the name Jupyter shows (default: \"Python (DIR)\"\n"
    "                    with the project directory's name, or\n"
    "                    \"Python (PARENT/DIR)\" when another project's\n"
    "                    kernel already shows that)\n"
    "  --force           replace a kernelspec that pyshim did not write, or\n"
    "                    one that runs another project\n"
    "  --ipykernel       add ipykernel when it is missing, without asking\n";

static const char usage_repoint[] =
    "usage: pyshim kernel repoint NAME [--project DIR] [--force]\n"
    "\n"
    "Make the kernel NAME run the project at or above DIR (default: the\n"
    "current directory): after a project was renamed or moved, its kernel\n"
    "keeps its name (notebooks name their kernel) and follows it. The\n"
    "kernelspec is written as `pyshim kernel install` writes one; a display\n"
    "name that was the old default (\"Python (OLD)\") becomes the new one.\n"
    "Also rewrites a kernel of an earlier pyshim in place.\n"
    "\n"
    "  --project DIR  the project the kernel should run\n"
    "  --force        also repoint a kernelspec that pyshim did not write\n"
    "                 (an `ipykernel install --user` kernel of the project)\n";

static const char usage_remove[] =
    "usage: pyshim kernel remove NAME [--force]\n"
    "\n"
    "Delete the kernelspec NAME. One that pyshim did not write is left\n"
    "alone unless --force.\n";

#define AUTO_NAME "pyshim-auto"
#define AUTO_DISPLAY "Python (pyshim: the notebook's project)"

/* Jupyter's user kernel dir (replaces out): the one rule, in kspec. */
static int kernels_dir(const struct dirs *d, struct sb *out, struct err *e)
{
    return kspec_user_dir(d->home, out, e);
}

/* Jupyter kernel names: [a-z0-9._-]+ (jupyter_client also accepts upper
 * case but lowercases it when it looks specs up, so we insist). "." and
 * ".." would be paths, not names. */
static int valid_name(const char *s)
{
    const char *p;

    if (!*s || !strcmp(s, ".") || !strcmp(s, ".."))
        return 0;
    for (p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-'))
            return 0;
    return 1;
}

/* The readable part of a default kernel name, from a directory's name:
 * ASCII letters lowercased, digits and "._-" kept, every run of other
 * characters one '-', no '-' or '.' at either end ("Alpha Notes" ->
 * "alpha-notes"). Replaces out, possibly with "". Returns 1 if the name
 * held a character beyond ASCII: such a name says little once folded
 * ("项目一" and "项目二" both fold to ""), so it always gets the suffix. */
static int name_from(const char *dir, struct sb *out)
{
    const unsigned char *p = (const unsigned char *)path_basename(dir);
    int wide = 0, gap = 0;

    sb_reset(out);
    for (; *p; p++) {
        int c = *p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p;

        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
            c == '_' || c == '-') {
            if (gap && out->len)
                sb_addch(out, '-');
            sb_addch(out, (char)c);
            gap = 0;
        } else {
            wide |= c >= 0x80;
            gap = 1;
        }
    }
    while (out->len && strchr("-.", out->buf[out->len - 1]))
        sb_setlen(out, out->len - 1);
    while (out->len && strchr("-.", out->buf[0]))
        memmove(out->buf, out->buf + 1, out->len--);
    return wide;
}

/* The project's real path (the path itself if it cannot be resolved):
 * what says whether two kernels run the same project. Replaces out. */
static void real_project(const char *dir, struct sb *out)
{
    if (plat_realpath(dir, out) < 0)
        sb_set(out, dir);
}

/* A short stable suffix for root's kernel: 8 hex digits of the SHA-256 of
 * its real path. Replaces out. */
static void name_suffix(const char *root, struct sb *out)
{
    struct sha256 h;
    struct sb real = SB_INIT;
    char hex[65];

    real_project(root, &real);
    sha256_init(&h);
    sha256_update(&h, real.buf, real.len);
    sha256_hex(&h, hex);
    sb_reset(out);
    sb_add(out, hex, 8);
    sb_release(&real);
}

/* Whose is the kernelspec KDIR/name? */
enum owner {
    OWN_NONE,    /* no kernel.json there */
    OWN_SAME,    /* pyshim's, for this project (or both --auto) */
    OWN_OTHER,   /* pyshim's, for another project (k->project says which) */
    OWN_FOREIGN, /* someone else's, or unreadable */
};

/* root: the project (NULL for --auto). k is replaced with the spec read. */
static enum owner owner_of(const char *kdir, const char *name, const char *root,
                           struct kspec *k)
{
    struct sb file = SB_INIT, a = SB_INIT, b = SB_INIT;
    struct plat_stat st;
    enum owner o = OWN_FOREIGN;

    kspec_release(k);
    path_join(&file, kdir, name);
    path_join(&file, file.buf, "kernel.json");
    if (plat_stat(file.buf, &st, 0) < 0 && errno == ENOENT)
        o = OWN_NONE;
    else if (kspec_load(k, file.buf, NULL) < 0 || !k->is_pyshim)
        o = OWN_FOREIGN;
    else if (!k->project || !*k->project)
        o = root ? OWN_OTHER : OWN_SAME;
    else if (!root)
        o = OWN_OTHER;
    else {
        real_project(root, &a);
        real_project(k->project, &b);
        o = !strcmp(a.buf, b.buf) ? OWN_SAME : OWN_OTHER;
    }
    sb_release(&file);
    sb_release(&a);
    sb_release(&b);
    return o;
}

/* The default name of root's kernel (replaces out): the readable name
 * when it is free or already this project's; else that name with the
 * suffix, which no other project gets. A kernel of this project under the
 * suffixed name is kept, so the name stays the same from run to run.
 * -1 with e set when both are taken by someone else (only --force then
 * takes the suffixed one). */
static int default_name(const char *kdir, const char *root, int force,
                        struct sb *out, struct err *e)
{
    struct sb plain = SB_INIT, sfx = SB_INIT;
    struct kspec k = KSPEC_INIT;
    enum owner o;
    int wide, ret = 0;

    wide = name_from(root, &plain);
    name_suffix(root, &sfx);
    sb_reset(out);
    sb_addf(out, "%s-%s", plain.len ? plain.buf : "project", sfx.buf);
    if (owner_of(kdir, out->buf, root, &k) == OWN_SAME)
        goto out;
    if (!wide && plain.len && valid_name(plain.buf)) {
        o = owner_of(kdir, plain.buf, root, &k);
        if (o == OWN_NONE || o == OWN_SAME) {
            sb_set(out, plain.buf);
            goto out;
        }
    }
    if (owner_of(kdir, out->buf, root, &k) == OWN_NONE || force)
        goto out;
    err_set(e, PYSHIM_EXIT_FAILURE,
            "kernel '%s' exists and is not this project's kernel", out->buf);
    err_hint(e, "choose a name with --name, or use --force to replace it");
    ret = -1;
out:
    sb_release(&plain);
    sb_release(&sfx);
    kspec_release(&k);
    return ret;
}

/* The default display name: "Python (DIR)" with the project directory's
 * name; "Python (PARENT/DIR)" when another pyshim kernel already shows
 * "Python (DIR)" for another project, so Jupyter's launcher tells the
 * two apart. Replaces out. */
static void default_display(const char *kdir, const char *root, struct sb *out)
{
    struct sv names = SV_INIT;
    struct sb parent = SB_INIT;
    struct kspec k = KSPEC_INIT;
    size_t i;
    int clash = 0;

    sb_reset(out);
    sb_addf(out, "Python (%s)", path_basename(root));
    plat_listdir(kdir, &names);
    for (i = 0; i < names.nr && !clash; i++)
        clash = owner_of(kdir, names.v[i], root, &k) == OWN_OTHER &&
                k.display_name && !strcmp(k.display_name, out->buf);
    if (clash) {
        sb_set(&parent, root);
        path_dirname(&parent);
        sb_reset(out);
        sb_addf(out, "Python (%s/%s)", path_basename(parent.buf),
                path_basename(root));
    }
    sv_release(&names);
    sb_release(&parent);
    kspec_release(&k);
}

/* kernel.json is JSON, which is UTF-8: a path or name that is not cannot
 * be written there without turning into another path. */
static int check_utf8(const char *what, const char *s, struct err *e)
{
    if (utf8_valid(s, strlen(s)))
        return 0;
    err_set(e, PYSHIM_EXIT_FAILURE,
            "%s '%s' is not valid UTF-8, so kernel.json cannot name it", what,
            s);
    return -1;
}

/* What a kernel runs: argv[0], its options before -m, its "env". */
struct target {
    struct sb python; /* absolute */
    int frozen_off;   /* -Xfrozen_modules=off (Python 3.11+) */
    struct sv env;    /* NAME=VALUE, in the config's order */
    struct sv shared; /* the project's shared site dirs */
};

#define TARGET_INIT                                                            \
    {                                                                          \
        SB_INIT, 0, SV_INIT, SV_INIT                                           \
    }

static void target_release(struct target *t)
{
    sb_release(&t->python);
    sv_release(&t->env);
    sv_release(&t->shared);
}

/* The kernel.json pyshim writes; project NULL for --auto. */
static void spec_json(const struct target *t, const char *project,
                      const char *display, struct sb *o)
{
    static const char *const rest[] = {"-m", "ipykernel_launcher", "-f",
                                       "{connection_file}"};
    struct jsonw w;
    size_t i;

    jsonw_init(&w, o, 2);
    jsonw_object_begin(&w);
    jsonw_key(&w, "argv");
    jsonw_array_begin(&w);
    jsonw_string(&w, t->python.buf);
    if (t->frozen_off)
        jsonw_string(&w, "-Xfrozen_modules=off");
    for (i = 0; i < sizeof(rest) / sizeof(rest[0]); i++)
        jsonw_string(&w, rest[i]);
    jsonw_array_end(&w);
    jsonw_key(&w, "env");
    jsonw_object_begin(&w);
    for (i = 0; i < t->env.nr; i++) {
        const char *eq = strchr(t->env.v[i], '=');
        struct sb name = SB_INIT;

        sb_add(&name, t->env.v[i], (size_t)(eq - t->env.v[i]));
        jsonw_kv_string(&w, name.buf, eq + 1);
        sb_release(&name);
    }
    jsonw_object_end(&w);
    jsonw_kv_string(&w, "display_name", display);
    jsonw_kv_string(&w, "language", "python");
    jsonw_key(&w, "metadata");
    jsonw_object_begin(&w);
    jsonw_key(&w, "pyshim");
    jsonw_object_begin(&w);
    if (project)
        jsonw_kv_string(&w, "project", project);
    else
        jsonw_kv_bool(&w, "auto", 1);
    jsonw_object_end(&w);
    jsonw_object_end(&w);
    jsonw_object_end(&w);
    jsonw_release(&w);
    sb_addch(o, '\n');
}

/* The project root at or above dir (NULL: the current directory, or
 * PYSHIM_PROJECT when set, as `python` would pick). Replaces root. */
static int find_project(const struct dirs *d, const char *dir, struct sb *root,
                        struct err *e)
{
    struct discover_in din;
    struct project proj = PROJECT_INIT;
    struct sb abs = SB_INIT;
    int ret = -1;

    memset(&din, 0, sizeof(din));
    if (dir) {
        if (path_absolute(&abs, dir, NULL, d->home, e) < 0)
            goto out;
        if (!plat_is_dir(abs.buf)) {
            err_set(e, PYSHIM_EXIT_NOINPUT, "'%s' is not a directory", abs.buf);
            goto out;
        }
        din.cwd = abs.buf;
    } else {
        din.env_project = plat_getenv("PYSHIM_PROJECT");
    }
    din.home = d->home;
    din.data_dir = d->data;
    if (discover_project(&din, &proj, NULL, e) < 0)
        goto out;
    if (proj.kind != PROJ_CONFIG && proj.kind != PROJ_MARKERS) {
        err_set(
            e, PYSHIM_EXIT_NOINPUT,
            "no project at or above '%s' (no .pyshim.json, .venv or .python-version)",
            dir ? abs.buf : ".");
        err_hint(
            e,
            "run `pyshim init` there first, or use --project DIR, or --auto for one kernel that follows the notebook");
        goto out;
    }
    sb_set(root, proj.root);
    ret = 0;
out:
    project_release(&proj);
    sb_release(&abs);
    return ret;
}

/* The config's "env" for the kernelspec: the plan's variables but those
 * that are pyshim's own way of running a venv (__PYVENV_LAUNCHER__) or
 * that change how a child `python` resolves (PYSHIM_*). */
static void kernel_env(const struct plan *p, struct sv *env)
{
    size_t i;

    for (i = 0; i < p->setenv.nr; i++)
        if (strncmp(p->setenv.v[i], "__PYVENV_LAUNCHER__=", 20) &&
            strncmp(p->setenv.v[i], "PYSHIM_", 7))
            sv_push(env, p->setenv.v[i]);
}

/* A project kernel's target: resolve as `python` in root would (which
 * also writes the hook, builds an overlay), then name that environment's
 * python itself, so nothing pyshim-specific stays in the kernel's
 * environment. A resolution failure is an error: the kernel would fail
 * the same way. */
static int project_target(const char *root, struct target *t, struct err *e)
{
    struct resolve_in in;
    struct plan p;
    char vb[32];
    int ret = -1;

    /* This process only: resolve for that project, wherever we are. */
    if (plat_setenv("PYSHIM_PROJECT", root) < 0) {
        err_set(e, PYSHIM_EXIT_OSERR, "cannot set PYSHIM_PROJECT: %s",
                plat_strerror(errno));
        return -1;
    }
    plan_init(&p);
    resolve_in_init(&in);
    in.invoked = "python";
    in.cwd = root;
    if (resolve(&in, &p, e) < 0 || apply_plan(&p, e) < 0) {
        err_hint(e, "fix this first: the kernel would fail the same way");
        goto out;
    }
    sb_set(&t->python, p.argv0 ? p.argv0 : p.exe);
    /* ipykernel's own installer does this from 3.11, so the debugger
     * does not miss breakpoints in frozen stdlib modules. */
    t->frozen_off = p.ver.major > 3 || (p.ver.major == 3 && p.ver.minor >= 11);
    kernel_env(&p, &t->env);
    sv_pushn(&t->shared, p.shared.v, p.shared.nr);
    printf("pyshim: the kernel runs %s (Python %s, %s env)\n", t->python.buf,
           pyver_str(&p.ver, vb, sizeof(vb)), p.env_kind);
    ret = 0;
out:
    plan_release(&p);
    return ret;
}

/* Add ipykernel to root's environment with pyshim's `pip` (PYSHIM_PROJECT
 * is root in this process: project_target). */
static int pip_ipykernel(const struct dirs *d, const char *root)
{
    struct sb pip = SB_INIT;
    struct sv argv = SV_INIT;
    struct err e = ERR_INIT;
    int status = -1;

    if (cli_shim_python(d, &pip, &e) == 0) {
        path_dirname(&pip);
        path_join(&pip, pip.buf, "pip" PLAT_EXE_SUFFIX);
        sv_push(&argv, pip.buf);
        sv_push(&argv, "install");
        sv_push(&argv, "ipykernel");
        printf("pyshim: adding ipykernel to '%s': pip install ipykernel\n",
               root);
        fflush(stdout);
        if (plat_run(pip.buf, argv.v, NULL, 1, &status) < 0)
            status = -1;
    }
    sb_release(&pip);
    sv_release(&argv);
    err_release(&e);
    return status;
}

/* Say where ipykernel comes from when that is a shared env. */
static void say_shared(const struct target *t, const char *ipk)
{
    size_t i;

    for (i = 0; i < t->shared.nr; i++)
        if (path_is_inside(ipk, t->shared.v[i])) {
            printf("pyshim: ipykernel comes from the shared env %s\n",
                   t->shared.v[i]);
            return;
        }
}

/* ipykernel where the kernel runs. Missing: add it (add, or a yes on a
 * terminal), else warn: the kernel would not start. */
static void ensure_ipykernel(const struct dirs *d, const struct target *t,
                             const char *root, int add)
{
    struct kspec_probe r = KSPEC_PROBE_INIT;
    struct err e = ERR_INIT;

    kspec_probe(t->python.buf, &t->env, &r);
    if (r.status == 0 && !r.ipk.len && !add && plat_isatty(0))
        add =
            cli_confirm(
                "pyshim: ipykernel is not importable in the project's environment, so the kernel would not start. Add it (pip install ipykernel)?",
                0, "", &e) == 1;
    if (r.status == 0 && !r.ipk.len && add && !pip_ipykernel(d, root)) {
        kspec_probe_release(&r);
        kspec_probe(t->python.buf, &t->env, &r);
    }
    if (r.status == 0 && r.ipk.len)
        say_shared(t, r.ipk.buf);
    else if (r.status == 0)
        fprintf(
            stderr,
            "pyshim: warning: ipykernel is not importable in that env, so the kernel will not start\n"
            "pyshim: hint: `pyshim kernel install --ipykernel` adds it to the project (or `pip install ipykernel` there, or in one of its shared envs)\n");
    else
        fprintf(stderr, "pyshim: warning: '%s' failed in '%s' (status %d)\n",
                t->python.buf, root, r.status);
    kspec_probe_release(&r);
    err_release(&e);
}

/* install's options that exclude each other or must be well formed. */
static int check_install_args(int is_auto, const char *project,
                              const char *name, const char *display,
                              struct err *e)
{
    if (is_auto && project) {
        err_set(e, PYSHIM_EXIT_USAGE,
                "--project and --auto exclude each other");
        return err_hint(
            e, "--auto kernels find the project from the notebook's directory");
    }
    if (name && !valid_name(name)) {
        err_set(e, PYSHIM_EXIT_USAGE, "'%s' is not a Jupyter kernel name",
                name);
        return err_hint(e, "use lowercase letters, digits, '.', '_' and '-'");
    }
    if (display && check_utf8("display name", display, e) < 0)
        return err_hint(e, "give --display-name as UTF-8 text");
    return 0;
}

/* Never take over someone else's kernel unasked (without --force): its
 * notebooks would silently run another project. k is the kernel found
 * at kdir/name, o whose it is. */
static int refuse_owner(enum owner o, const char *name, const char *kdir,
                        const struct kspec *k, struct err *e)
{
    if (o == OWN_FOREIGN) {
        err_set(e, PYSHIM_EXIT_FAILURE,
                "kernel '%s' exists and was not written by pyshim (%s)", name,
                kdir);
        return err_hint(e,
                        "choose another --name, or use --force to replace it");
    }
    if (o == OWN_OTHER) {
        err_set(e, PYSHIM_EXIT_FAILURE,
                "kernel '%s' belongs to another project (%s)", name,
                k->project && *k->project ? k->project
                                          : "--auto: the notebook's project");
        return err_hint(
            e,
            "choose another --name (or none: pyshim picks a free one), or use --force to make it run this project");
    }
    return 0;
}

/* The kernel's name and display name: as given, else the auto kernel's,
 * else the project's defaults (root: NULL for the auto kernel). */
static int choose_names(const char *kdir, const char *root, const char *name,
                        const char *display, int force, struct sb *kname,
                        struct sb *disp, struct err *e)
{
    if (name)
        sb_set(kname, name);
    else if (!root)
        sb_set(kname, AUTO_NAME);
    else if (default_name(kdir, root, force, kname, e) < 0)
        return -1;
    if (display)
        sb_set(disp, display);
    else if (!root)
        sb_set(disp, AUTO_DISPLAY);
    else
        default_display(kdir, root, disp);
    return 0;
}

/* install's arguments. */
struct kargs {
    const char *name, *display, *project;
    int is_auto, force, ipykernel;
};

/* The target of the kernel: the shim for --auto (with an empty
 * PYSHIM_PROJECT, which clears one the Jupyter server inherited from its
 * shell, so the notebook's directory decides), else the project's
 * environment python. Then whether kernel.json can name it. */
static int choose_target(const struct dirs *d, const char *root,
                         struct target *t, struct err *e)
{
    if (!root) {
        if (cli_shim_python(d, &t->python, e) < 0)
            return -1;
        sv_push(&t->env, "PYSHIM_PROJECT=");
        /* whichever Python the notebook gets: they all take -X options
         * they do not know (sys._xoptions) */
        t->frozen_off = 1;
    } else if (check_utf8("the project directory", root, e) < 0) {
        return err_hint(
            e,
            "rename the directory to a UTF-8 name, or use `pyshim kernel install --auto` (a kernel that follows the notebook's directory)");
    } else if (project_target(root, t, e) < 0) {
        return -1;
    }
    if (check_utf8("the kernel's python", t->python.buf, e) < 0)
        return err_hint(
            e,
            root
                ? "move the project's environment under a path that is valid UTF-8"
                : "install pyshim under a path that is valid UTF-8 (PYSHIM_HOME)");
    return 0;
}

/* Write json to kdir/kname/kernel.json unless it already says that. */
/* Copy KERNELS/NAME/kernel.json to DATA/backups/kernels/ and say where:
 * -1 with e when it cannot be kept (then it is not overwritten either). */
static int backup_spec(const struct dirs *d, const char *kernels,
                       const char *name, struct err *e)
{
    struct sb file = SB_INIT, to = SB_INIT;
    int ret;

    path_join(&file, kernels, name);
    path_join(&file, file.buf, "kernel.json");
    ret = sitecheck_backup(d->data, "kernels", file.buf, &to, e);
    if (!ret)
        printf("pyshim: kept its old kernel.json as %s\n", to.buf);
    sb_release(&file);
    sb_release(&to);
    return ret;
}

static int write_spec(const char *kdir, const char *kname, const char *disp,
                      const struct sb *json, const char *verb, struct err *e)
{
    struct sb file = SB_INIT, old = SB_INIT;
    int ret = -1;

    path_join(&file, kdir, kname);
    path_join(&file, file.buf, "kernel.json");
    if (!plat_read_file(file.buf, KSPEC_MAX_BYTES, &old) &&
        old.len == json->len && !memcmp(old.buf, json->buf, json->len)) {
        printf("pyshim: nothing to change: kernel '%s' is up to date (%s)\n",
               kname, file.buf);
        ret = 0;
        goto out;
    }
    if (fs_write_file(file.buf, json->buf, json->len, 0644, 0755, e) < 0)
        goto out;
    printf("pyshim: %s kernel '%s' (\"%s\"): %s\n", verb, kname, disp,
           file.buf);
    ret = 0;
out:
    sb_release(&file);
    sb_release(&old);
    return ret;
}

static int install_spec(const struct dirs *d, const struct kargs *a,
                        struct err *e)
{
    struct sb root = SB_INIT, kname = SB_INIT, kdir = SB_INIT;
    struct sb json = SB_INIT, disp = SB_INIT;
    struct target t = TARGET_INIT;
    struct kspec k = KSPEC_INIT;
    const char *proj;
    int ret = -1;
    enum owner o;

    if ((!a->is_auto && find_project(d, a->project, &root, e) < 0) ||
        kernels_dir(d, &kdir, e) < 0)
        goto out;
    proj = a->is_auto ? NULL : root.buf;
    if (choose_names(kdir.buf, proj, a->name, a->display, a->force, &kname,
                     &disp, e) < 0)
        goto out;
    /* Never take over someone else's kernel unasked: its notebooks would
     * silently run another project. */
    o = owner_of(kdir.buf, kname.buf, proj, &k);
    if (!a->force && refuse_owner(o, kname.buf, kdir.buf, &k, e) < 0)
        goto out;
    if (choose_target(d, proj, &t, e) < 0)
        goto out;
    if (proj)
        ensure_ipykernel(d, &t, proj, a->ipykernel);
    spec_json(&t, proj, disp.buf, &json);
    if (write_spec(kdir.buf, kname.buf, disp.buf, &json,
                   o == OWN_NONE   ? "installed"
                   : o == OWN_SAME ? "updated"
                                   : "replaced",
                   e) < 0)
        goto out;
    if (!proj)
        printf(
            "pyshim: it runs the project of the notebook's directory (walking up), as `python` there would\n");
    else
        printf("pyshim: it runs the project '%s'\n", root.buf);
    ret = 0;
out:
    sb_release(&root);
    sb_release(&kname);
    sb_release(&kdir);
    sb_release(&json);
    sb_release(&disp);
    target_release(&t);
    kspec_release(&k);
    return ret;
}

static int install(const struct dirs *d, int argc, char **argv, struct err *e)
{
    struct kargs a = {NULL, NULL, NULL, 0, 0, 0};
    int code;
    struct opt opts[] = {
        OPT_STRING(0, "name", &a.name),
        OPT_STRING(0, "display-name", &a.display),
        OPT_STRING(0, "project", &a.project),
        OPT_BOOL(0, "auto", &a.is_auto),
        OPT_BOOL(0, "force", &a.force),
        OPT_BOOL(0, "ipykernel", &a.ipykernel),
        OPT_END(),
    };
    struct opt_cmd oc = OPT_CMD(usage_install, opts, NULL, 0);

    if (opt_parse_cmd(&oc, argc, argv, &code))
        return code ? -1 : 0; /* printed; a usage error's 64 follows */
    if (check_install_args(a.is_auto, a.project, a.name, a.display, e) < 0)
        return -1;
    return install_spec(d, &a, e);
}

/* Is disp the default display name a kernel of project old would get? */
static int old_default(const char *disp, const char *old)
{
    struct sb a = SB_INIT, parent = SB_INIT;
    int same;

    sb_addf(&a, "Python (%s)", path_basename(old));
    same = !strcmp(disp, a.buf);
    sb_set(&parent, old);
    path_dirname(&parent);
    sb_reset(&a);
    sb_addf(&a, "Python (%s/%s)", path_basename(parent.buf),
            path_basename(old));
    same |= !strcmp(disp, a.buf);
    sb_release(&a);
    sb_release(&parent);
    return same;
}

/* The kernel NAME to repoint (k): it must exist, and be pyshim's unless
 * force. kdir is replaced with the kernel dir. */
static int load_named(const struct dirs *d, const char *name, int force,
                      struct sb *kdir, struct kspec *k, struct err *e)
{
    struct sb file = SB_INIT;
    int ret = -1;

    if (!valid_name(name)) {
        err_set(e, PYSHIM_EXIT_USAGE, "'%s' is not a Jupyter kernel name",
                name);
        err_hint(e, "`pyshim kernel list` shows them");
        goto out;
    }
    if (kernels_dir(d, kdir, e) < 0)
        goto out;
    path_join(&file, kdir->buf, name);
    path_join(&file, file.buf, "kernel.json");
    if (kspec_load(k, file.buf, e) < 0) {
        err_hint(e, "`pyshim kernel list` shows the kernels");
        goto out;
    }
    if (!k->is_pyshim && !force) {
        err_set(e, PYSHIM_EXIT_FAILURE,
                "kernel '%s' was not written by pyshim (%s)", name, file.buf);
        err_hint(e, "use --force to make it a pyshim kernel of this project");
        goto out;
    }
    ret = 0;
out:
    sb_release(&file);
    return ret;
}

static int repoint(const struct dirs *d, int argc, char **argv, struct err *e)
{
    struct sb kdir = SB_INIT, root = SB_INIT, disp = SB_INIT, json = SB_INIT;
    struct target t = TARGET_INIT;
    struct kspec k = KSPEC_INIT;
    const char *name = NULL, *project = NULL;
    int force = 0, ret = -1, code;
    struct opt opts[] = {OPT_STRING(0, "project", &project),
                         OPT_BOOL(0, "force", &force), OPT_END()};
    struct opt_cmd oc = OPT_CMD(usage_repoint, opts, &name, 1);

    if (opt_parse_cmd(&oc, argc, argv, &code))
        return code ? -1 : 0; /* printed; a usage error's 64 follows */
    if (!name) {
        err_set(e, PYSHIM_EXIT_USAGE, "kernel repoint needs a NAME");
        err_hint(e, "`pyshim kernel list` shows them");
        goto out;
    }
    if (load_named(d, name, force, &kdir, &k, e) < 0 ||
        find_project(d, project, &root, e) < 0 ||
        choose_target(d, root.buf, &t, e) < 0)
        goto out;
    if (k.display_name &&
        !(k.project && old_default(k.display_name, k.project)))
        sb_set(&disp, k.display_name);
    else
        default_display(kdir.buf, root.buf, &disp);
    ensure_ipykernel(d, &t, root.buf, 0);
    spec_json(&t, root.buf, disp.buf, &json);
    /* another tool's kernel.json (its own argv and env) is kept first */
    if (!k.is_pyshim && backup_spec(d, kdir.buf, name, e) < 0)
        goto out;
    if (write_spec(kdir.buf, name, disp.buf, &json, "repointed", e) < 0)
        goto out;
    printf("pyshim: it runs the project '%s' (was %s)\n", root.buf,
           k.project && *k.project ? k.project : "not a pyshim project");
    ret = 0;
out:
    sb_release(&kdir);
    sb_release(&root);
    sb_release(&disp);
    sb_release(&json);
    target_release(&t);
    kspec_release(&k);
    return ret;
}

static int remove_kernel(const struct dirs *d, int argc, char **argv,
                         struct err *e)
{
    struct sb kdir = SB_INIT, file = SB_INIT;
    struct kspec k = KSPEC_INIT;
    const char *name = NULL;
    int force = 0, ret = -1, code;
    struct opt opts[] = {OPT_BOOL(0, "force", &force), OPT_END()};
    struct opt_cmd oc = OPT_CMD(usage_remove, opts, &name, 1);

    if (opt_parse_cmd(&oc, argc, argv, &code)) {
        ret = code ? -1 : 0; /* printed; a usage error's 64 follows */
        goto out;
    }
    if (!name) {
        err_set(e, PYSHIM_EXIT_USAGE, "kernel remove needs a NAME");
        err_hint(e, "`pyshim kernel list` shows them");
        goto out;
    }
    if (!valid_name(name)) {
        err_set(e, PYSHIM_EXIT_USAGE, "'%s' is not a Jupyter kernel name",
                name);
        err_hint(e, "`pyshim kernel list` shows them");
        goto out;
    }
    if (kernels_dir(d, &kdir, e) < 0)
        goto out;
    path_join(&kdir, kdir.buf, name);
    path_join(&file, kdir.buf, "kernel.json");
    if (!plat_is_dir(kdir.buf)) {
        err_set(e, PYSHIM_EXIT_NOINPUT, "no kernel '%s' (%s)", name, kdir.buf);
        err_hint(e, "`pyshim kernel list` shows them");
        goto out;
    }
    if (!force && (kspec_load(&k, file.buf, NULL) < 0 || !k.is_pyshim)) {
        err_set(e, PYSHIM_EXIT_FAILURE,
                "kernel '%s' was not written by pyshim (%s)", name, kdir.buf);
        err_hint(e, "`jupyter kernelspec remove %s` removes it; or use --force",
                 name);
        goto out;
    }
    if (plat_rmtree(kdir.buf) < 0) {
        err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot remove '%s': %s", kdir.buf,
                plat_strerror(errno));
        goto out;
    }
    printf("pyshim: removed kernel '%s' (%s)\n", name, kdir.buf);
    ret = 0;
out:
    sb_release(&kdir);
    sb_release(&file);
    kspec_release(&k);
    return ret;
}

int cli_kernel(int argc, char **argv)
{
    struct dirs d = DIRS_INIT;
    struct err e = ERR_INIT;
    const char *sub = argc > 1 ? argv[1] : NULL;
    int code = PYSHIM_EXIT_OK, ret = 0;

    if (!sub || cli_is_help(sub)) {
        fputs(usage, sub ? stdout : stderr);
        return sub ? PYSHIM_EXIT_OK : PYSHIM_EXIT_USAGE;
    }
    if (dirs_init(&d, &e) < 0) {
        code = cli_report(&e);
        goto out;
    }
    if (!strcmp(sub, "install")) {
        ret = install(&d, argc - 1, argv + 1, &e);
    } else if (!strcmp(sub, "list")) {
        ret = klist_list(&d, argc - 1, argv + 1, &code, &e);
    } else if (!strcmp(sub, "repoint")) {
        ret = repoint(&d, argc - 1, argv + 1, &e);
    } else if (!strcmp(sub, "remove")) {
        ret = remove_kernel(&d, argc - 1, argv + 1, &e);
    } else if (!strcmp(sub, "prune")) {
        ret = klist_prune(&d, argc - 1, argv + 1, &code, &e);
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
