/*
 * pyshim kernel: Jupyter kernelspecs that start a project's Python through
 * the shim, so one JupyterLab serves every project.
 *
 * A kernelspec is a directory KERNELS/NAME holding kernel.json, in
 * Jupyter's per-user data dir. Ours name the shim's `python` by absolute
 * path (jupyter_client swaps a bare `python` for its own interpreter) and
 * set PYSHIM_PROJECT, or, for --auto, leave the project to the kernel's
 * working directory (Jupyter starts kernels in the notebook's directory).
 * metadata.pyshim marks them, so list/prune/remove never touch anyone
 * else's kernels. Where they live is kspec_user_dir (cli/kspec.c), the
 * one rule doctor uses too.
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
#include "cli/kspec.h"
#include "cli/cli.h"
#include "cli/opt.h"
#include "common/pyver.h"
#include "launcher/apply.h"
#include "launcher/resolve.h"
#include "common/banned.h"

static const char usage[] =
    "usage: pyshim kernel install [--name N] [--display-name D]\n"
    "                             [--project DIR | --auto] [--force]\n"
    "       pyshim kernel list\n"
    "       pyshim kernel remove NAME [--force]\n"
    "       pyshim kernel prune [--dry-run]\n"
    "\n"
    "Jupyter kernels that run a project's Python (its venv and shared envs)\n"
    "through pyshim. They live in Jupyter's user kernel dir:\n"
    "$JUPYTER_DATA_DIR/kernels, else ~/.local/share/jupyter/kernels\n"
    "(~/Library/Jupyter/kernels on macOS, %APPDATA%\\jupyter\\kernels on\n"
    "Windows).\n"
    "\n"
    "  install  write a kernelspec for a project, or one --auto kernel\n"
    "  list     pyshim's kernels, with the stale ones flagged\n"
    "  remove   delete one of pyshim's kernels\n"
    "  prune    delete the stale ones (project or interpreter gone)\n"
    "\n"
    "Run `pyshim kernel <subcommand> --help` for its options.\n";

static const char usage_install[] =
    "usage: pyshim kernel install [--name N] [--display-name D]\n"
    "                             [--project DIR | --auto] [--force]\n"
    "\n"
    "Write KERNELS/N/kernel.json: a kernel that runs pyshim's `python`\n"
    "(by absolute path) with PYSHIM_PROJECT set to the project, so the\n"
    "notebook gets the project's venv and its shared envs. Running it again\n"
    "with the same arguments changes nothing; a kernel of another project\n"
    "is never replaced without --force.\n"
    "\n"
    "  --project DIR     the project at or above DIR (default: the one at\n"
    "                    or above the current directory)\n"
    "  --auto            one kernel for every project: the project is found\n"
    "                    from the notebook's directory, as `python` would\n"
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
    "                    one that runs another project\n";

static const char usage_list[] =
    "usage: pyshim kernel list\n"
    "\n"
    "List the kernels pyshim wrote, with their project. A kernel is stale\n"
    "when its project directory is gone or holds no project any more (no\n"
    ".pyshim.json, .venv or .python-version), or the program it runs is\n"
    "gone; `pyshim kernel prune` removes those.\n";

static const char usage_remove[] =
    "usage: pyshim kernel remove NAME [--force]\n"
    "\n"
    "Delete the kernelspec NAME. One that pyshim did not write is left\n"
    "alone unless --force.\n";

static const char usage_prune[] =
    "usage: pyshim kernel prune [--dry-run]\n"
    "\n"
    "Delete every stale pyshim kernel (see `pyshim kernel list --help`).\n"
    "\n"
    "  --dry-run  only say what would be removed\n";

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

/* The kernel.json pyshim writes; project NULL for --auto. */
static void spec_json(const char *python, const char *project,
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
    jsonw_string(&w, python);
    for (i = 0; i < sizeof(rest) / sizeof(rest[0]); i++)
        jsonw_string(&w, rest[i]);
    jsonw_array_end(&w);
    /* --auto clears a PYSHIM_PROJECT inherited from the server's shell, so
     * the notebook's directory decides (discovery ignores an empty one). */
    jsonw_key(&w, "env");
    jsonw_object_begin(&w);
    jsonw_kv_string(&w, "PYSHIM_PROJECT", project ? project : "");
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

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the kernelspec dirs in dir, sorted. */
static void kernel_names(const char *dir, struct sv *out)
{
    struct plat_dir *pd = plat_opendir(dir);
    struct sb p = SB_INIT;
    const char *name;

    while (pd && (name = plat_readdir(pd))) {
        path_join(&p, dir, name);
        path_join(&p, p.buf, "kernel.json");
        if (plat_is_file(p.buf))
            sv_push(out, name);
    }
    plat_closedir(pd);
    sb_release(&p);
    if (out->nr)
        qsort(out->v, out->nr, sizeof(out->v[0]), cmp_str);
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

/* Resolve as the kernel will (PYSHIM_PROJECT=root), which also writes the
 * hook; then ask the shim's python whether ipykernel imports there. A
 * resolution failure is an error; a missing ipykernel only a warning (it
 * can be installed later). */
static int check_project(const char *python, const char *root, struct err *e)
{
    static const char probe[] =
        "import importlib.util, sys; sys.exit(importlib.util.find_spec('ipykernel_launcher') is None)";
    struct resolve_in in;
    struct plan p;
    struct sv argv = SV_INIT;
    char vb[32];
    int status = 0, ret = -1;

    /* This process only: what the kernel's env will say. */
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
    printf("pyshim: the kernel runs %s (Python %s, %s env)\n", p.exe,
           pyver_str(&p.ver, vb, sizeof(vb)), p.env_kind);
    sv_push(&argv, python);
    sv_push(&argv, "-c");
    sv_push(&argv, probe);
    fflush(stdout);
    if (plat_run(python, argv.v, NULL, 1, &status) < 0) {
        err_set(e, PYSHIM_EXIT_CANTEXEC, "cannot run '%s': %s", python,
                plat_strerror(errno));
        goto out;
    }
    if (status == 1)
        fprintf(
            stderr,
            "pyshim: warning: ipykernel is not importable in that env, so the kernel will not start\n"
            "pyshim: hint: `pip install ipykernel` in the project, or in one of its shared envs\n");
    else if (status)
        fprintf(stderr, "pyshim: warning: '%s' failed in '%s' (status %d)\n",
                python, root, status);
    ret = 0;
out:
    plan_release(&p);
    sv_release(&argv);
    return ret;
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

static int install(const struct dirs *d, int argc, char **argv, struct err *e)
{
    struct sb python = SB_INIT, root = SB_INIT, kname = SB_INIT;
    struct sb kdir = SB_INIT, file = SB_INIT, json = SB_INIT;
    struct sb old = SB_INIT, disp = SB_INIT;
    struct kspec k = KSPEC_INIT;
    const char *name = NULL, *display = NULL, *project = NULL;
    int is_auto = 0, force = 0, exists, ret = -1, code;
    enum owner o;
    struct opt opts[] = {
        OPT_STRING(0, "name", &name),
        OPT_STRING(0, "display-name", &display),
        OPT_STRING(0, "project", &project),
        OPT_BOOL(0, "auto", &is_auto),
        OPT_BOOL(0, "force", &force),
        OPT_END(),
    };
    struct opt_cmd oc = OPT_CMD(usage_install, opts, NULL, 0);

    if (opt_parse_cmd(&oc, argc, argv, &code)) {
        ret = code ? -1 : 0; /* printed; a usage error's 64 follows */
        goto out;
    }
    if (check_install_args(is_auto, project, name, display, e) < 0)
        goto out;
    if (cli_shim_python(d, &python, e) < 0 ||
        (!is_auto && find_project(d, project, &root, e) < 0) ||
        kernels_dir(d, &kdir, e) < 0)
        goto out;
    if (check_utf8("pyshim's python", python.buf, e) < 0) {
        err_hint(
            e, "install pyshim under a path that is valid UTF-8 (PYSHIM_HOME)");
        goto out;
    }
    if (!is_auto && check_utf8("the project directory", root.buf, e) < 0) {
        err_hint(
            e,
            "rename the directory to a UTF-8 name, or use `pyshim kernel install --auto` (a kernel that follows the notebook's directory)");
        goto out;
    }

    if (choose_names(kdir.buf, is_auto ? NULL : root.buf, name, display, force,
                     &kname, &disp, e) < 0)
        goto out;
    spec_json(python.buf, is_auto ? NULL : root.buf, disp.buf, &json);

    /* Never take over someone else's kernel unasked: its notebooks would
     * silently run another project. */
    o = owner_of(kdir.buf, kname.buf, is_auto ? NULL : root.buf, &k);
    if (!force && refuse_owner(o, kname.buf, kdir.buf, &k, e) < 0)
        goto out;
    exists = o != OWN_NONE;
    path_join(&kdir, kdir.buf, kname.buf);
    path_join(&file, kdir.buf, "kernel.json");
    if (!is_auto && check_project(python.buf, root.buf, e) < 0)
        goto out;
    if (exists && !plat_read_file(file.buf, KSPEC_MAX_BYTES, &old) &&
        old.len == json.len && !memcmp(old.buf, json.buf, json.len)) {
        printf("pyshim: nothing to change: kernel '%s' is up to date (%s)\n",
               kname.buf, file.buf);
        ret = 0;
        goto out;
    }
    if (fs_write_file(file.buf, json.buf, json.len, 0644, 0755, e) < 0)
        goto out;
    printf("pyshim: %s kernel '%s' (\"%s\"): %s\n",
           o == OWN_NONE   ? "installed"
           : o == OWN_SAME ? "updated"
                           : "replaced",
           kname.buf, disp.buf, file.buf);
    if (is_auto)
        printf(
            "pyshim: it runs the project of the notebook's directory (walking up), as `python` there would\n");
    else
        printf("pyshim: it runs the project '%s'\n", root.buf);
    ret = 0;
out:
    sb_release(&python);
    sb_release(&root);
    sb_release(&kname);
    sb_release(&kdir);
    sb_release(&file);
    sb_release(&json);
    sb_release(&old);
    sb_release(&disp);
    kspec_release(&k);
    return ret;
}

/* Visit every kernel of ours in KERNELS: list prints, prune removes the
 * stale ones. */
static int walk(const struct dirs *d, int prune, int dry, struct err *e)
{
    struct sb kdir = SB_INIT, file = SB_INIT, why = SB_INIT;
    struct sv names = SV_INIT;
    size_t i;
    int n = 0, stale = 0, failed = 0, ret = -1;

    if (kernels_dir(d, &kdir, e) < 0)
        goto out;
    kernel_names(kdir.buf, &names);
    for (i = 0; i < names.nr; i++) {
        struct kspec k = KSPEC_INIT;
        const char *reason, *proj;

        path_join(&file, kdir.buf, names.v[i]);
        path_join(&file, file.buf, "kernel.json");
        if (kspec_load(&k, file.buf, NULL) < 0 || !k.is_pyshim) {
            kspec_release(&k);
            continue;
        }
        reason = kspec_stale(&k, &why) ? why.buf : NULL;
        proj =
            k.project && *k.project ? k.project : "(the notebook's directory)";
        stale += reason != NULL;
        if (!prune) {
            if (!n)
                printf("%-20s %-6s %s\n", "NAME", "STATUS", "PROJECT");
            printf("%-20s %-6s %s\n", names.v[i], reason ? "stale" : "ok",
                   proj);
        } else if (reason) {
            path_dirname(&file);
            if (dry) {
                printf("pyshim: would remove kernel '%s': %s\n", names.v[i],
                       reason);
            } else if (plat_rmtree(file.buf) < 0) {
                fprintf(stderr, "pyshim: error: cannot remove '%s': %s\n",
                        file.buf, plat_strerror(errno));
                failed++;
            } else {
                printf("pyshim: removed kernel '%s': %s\n", names.v[i], reason);
            }
        }
        n++;
        kspec_release(&k);
    }
    if (!prune && !n) {
        printf(
            "pyshim: no pyshim kernels in %s (`pyshim kernel install` makes one)\n",
            kdir.buf);
    } else if (!prune && stale) {
        /* The reasons, after the table so its columns stay readable. */
        for (i = 0; i < names.nr; i++) {
            struct kspec k = KSPEC_INIT;

            path_join(&file, kdir.buf, names.v[i]);
            path_join(&file, file.buf, "kernel.json");
            if (!kspec_load(&k, file.buf, NULL) && k.is_pyshim &&
                kspec_stale(&k, &why))
                printf("pyshim: '%s' is stale: %s\n", names.v[i], why.buf);
            kspec_release(&k);
        }
        printf("pyshim: `pyshim kernel prune` removes the stale kernel%s\n",
               stale == 1 ? "" : "s");
    } else if (prune && !stale) {
        printf("pyshim: nothing to prune: no stale kernels in %s\n", kdir.buf);
    }
    if (failed) {
        err_set(e, PYSHIM_EXIT_CANTCREAT,
                "%d stale kernel%s could not be removed", failed,
                failed == 1 ? "" : "s");
        goto out;
    }
    ret = 0;
out:
    sb_release(&kdir);
    sb_release(&file);
    sb_release(&why);
    sv_release(&names);
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

/* list and prune: no arguments but --help (and prune's --dry-run).
 * Returns 1 when done (help or a usage error printed, *code set). */
static int simple_args(int argc, char **argv, const char *text, int *dry,
                       int *code)
{
    struct opt opts[] = {OPT_BOOL(0, "dry-run", dry), OPT_END()};
    struct opt_cmd oc = OPT_CMD(text, opts, NULL, 0);

    if (!dry)
        opts[0].type = OPT_T_END; /* list has no --dry-run */
    return opt_parse_cmd(&oc, argc, argv, code);
}

int cli_kernel(int argc, char **argv)
{
    struct dirs d = DIRS_INIT;
    struct err e = ERR_INIT;
    const char *sub = argc > 1 ? argv[1] : NULL;
    int code = PYSHIM_EXIT_OK, ret = 0, dry = 0;

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
        if (!simple_args(argc - 1, argv + 1, usage_list, NULL, &code))
            ret = walk(&d, 0, 0, &e);
    } else if (!strcmp(sub, "remove")) {
        ret = remove_kernel(&d, argc - 1, argv + 1, &e);
    } else if (!strcmp(sub, "prune")) {
        if (!simple_args(argc - 1, argv + 1, usage_prune, &dry, &code))
            ret = walk(&d, 1, dry, &e);
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
