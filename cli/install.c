/*
 * pyshim install / uninstall.
 *
 * install: copy the binary to BIN/pyshim (atomically, so the install does
 * not depend on the build tree), hard-link every python/pip name to it, put
 * BIN first on PATH through a marked block in the shell start-up files,
 * and create the default environment used outside any project. Running it
 * again changes nothing. uninstall undoes each step exactly. The Windows
 * steps (copies, registry PATH, PowerShell profiles, the install record)
 * are cli/install_win.c.
 *
 * Over 600 lines: install, uninstall and uninstall --purge are one
 * contract (each undoes exactly what the other did) and share its
 * helpers; --purge's plan (what pyshim made, and nothing else) is the
 * largest part.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/ascii.h"
#include "common/exitcode.h"
#include "common/fs.h"
#include "common/jsonw.h"
#include "common/mark.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "common/sv.h"
#include "config/dirs.h"
#include "cli/cli.h"
#include "cli/install.h"
#include "cli/kernel.h"
#include "cli/install_win.h"
#include "cli/opt.h"
#include "cli/rcfile.h"
#include "cli/shellrc.h"
#include "launcher/interp.h"
#include "launcher/resolve.h"
#include "launcher/venv.h"
#include "common/banned.h"

static const char usage_install[] =
    "usage: pyshim install [--bin-dir DIR] [--shell bash|zsh|fish|all]\n"
    "                      [--no-shell] [--no-default-env]\n"
    "\n"
    "Copy pyshim into DIR (default: DATA/bin, i.e. ~/.local/share/pyshim/bin\n"
    "or $PYSHIM_HOME/bin) and hard-link python, python3, pip, pip3 and\n"
    "python3.N, pip3.N for every installed Python 3.N (python3.Nt, pip3.Nt\n"
    "for a free-threaded build) to it (hard links, not symlinks: the real\n"
    "path of `python` is still python, for tools that resolve it; an older\n"
    "install's symlinks are replaced). Then:\n"
    "  - add a marked block (# >>> pyshim >>> ... # <<< pyshim <<<) that puts\n"
    "    DIR first on PATH to the start-up file of your shell ($SHELL; or\n"
    "    --shell): ~/.bashrc, ~/.zshrc, or ~/.config/fish/conf.d/pyshim.fish\n"
    "    (macOS, for login shells, also: zsh ~/.zprofile; bash the first of\n"
    "    ~/.bash_profile, ~/.bash_login, ~/.profile that exists);\n"
    "  - create the default environment DATA/default, used outside any\n"
    "    project, so `pip install x` there works instead of failing with\n"
    "    externally-managed-environment, and name it in the global config\n"
    "    (when there is no global config yet).\n"
    "Safe to repeat: what is already right is left alone, and a file pyshim\n"
    "did not make is never replaced.\n"
    "\n"
    "On Windows: DATA is %LOCALAPPDATA%\\pyshim; DIR gets copies (or hard\n"
    "links) of pyshim.exe as python.exe, python3.exe, pip.exe, pip3.exe,\n"
    "python3.N.exe and pip3.N.exe; DIR goes first on your user PATH\n"
    "(HKCU\\Environment, for new terminals) and a marked block puts it\n"
    "first in the PowerShell 7 and Windows PowerShell profiles (kept in\n"
    "their encoding, UTF-16 included). DATA\\install-record.txt says what\n"
    "was done, for uninstall.\n"
    "\n"
    "  --bin-dir DIR     where the links go\n"
    "  --shell NAME      which start-up files to edit (default: from $SHELL;\n"
    "                    Windows: powershell, both profiles)\n"
    "  --no-shell        edit no start-up file (Windows: nor the PATH)\n"
    "  --no-default-env  do not create the default environment\n";

static const char usage_uninstall[] =
    "usage: pyshim uninstall [--bin-dir DIR] [--purge] [--yes]\n"
    "\n"
    "Remove the marked block from every shell start-up file, giving each\n"
    "file back byte for byte as it was, then the links and the binary from\n"
    "DIR (default: DATA/bin): a failure on the way (a full disk) leaves\n"
    "either a working install or PATH no longer naming DIR, never PATH\n"
    "pointing at nothing. A start-up file with a broken block (a begin\n"
    "line without its end line, or two blocks) stops uninstall before\n"
    "anything changed. On Windows also the PowerShell profiles' block\n"
    "and the user PATH entry that install added (entries added since stay),\n"
    "a profile's block only if it names DIR. Only pyshim's own programs (of\n"
    "any version) and the files install recorded in DIR are removed: other\n"
    "files stay.\n"
    "--purge also deletes what pyshim made in its data dir and cache: the\n"
    "shared envs, overlays, the default env, trust records, the project\n"
    "list and the interpreter facts (each known by its name and form, a\n"
    "shared or default env by the mark pyshim wrote in it; anything else\n"
    "there stays and is listed), and the global config if it\n"
    "is still the one install wrote. It shows what it will delete and its\n"
    "size and asks first; without a terminal it needs --yes.\n"
    "Jupyter kernels that run a program uninstall removes (pyshim's --auto\n"
    "kernel; with --purge also a project kernel of an overlay env) are\n"
    "listed first, as they will point at nothing; afterwards uninstall\n"
    "offers to remove them (on a terminal; --yes removes them).\n";

/* Every pyshim binary holds the mark (common/mark.h), so that any
 * version's copy of pyshim (an older release that an upgrade replaces, a
 * newer one) is known as pyshim's, not only a copy of the running binary. */
#define MARKED_MAX (64u << 20)

/* Is path this very pyshim: a symlink to "pyshim" (how installs before
 * issue 13 named it), or a byte-for-byte copy or hard link of the running
 * binary? */
int install_is_self(const char *path, const struct sb *self_bytes)
{
    struct plat_stat st;
    struct sb s = SB_INIT;
    int ret = 0;

    if (plat_stat(path, &st, 0) < 0)
        return 0;
    if (st.is_lnk) {
        if (!plat_readlink(path, &s))
            ret = !strcmp(path_basename(s.buf), "pyshim");
    } else if (st.is_reg && st.size == self_bytes->len &&
               !plat_read_file(path, self_bytes->len, &s)) {
        ret = !memcmp(s.buf, self_bytes->buf, s.len);
    }
    sb_release(&s);
    return ret;
}

/* Is path pyshim's, of any version: this pyshim (is_self), or a regular
 * file under 64 MiB that is a program holding the mark? */
int install_is_ours(const char *path, const struct sb *self_bytes)
{
    struct plat_stat st;
    struct sb s = SB_INIT;
    int ret;

    if (install_is_self(path, self_bytes))
        return 1;
    if (plat_stat(path, &st, 0) < 0 || !st.is_reg || st.size >= MARKED_MAX)
        return 0;
    ret = !plat_read_file(path, MARKED_MAX, &s) && mark_in(s.buf, s.len);
    sb_release(&s);
    return ret;
}

/* Give pyshim the name bin/name: a hard link to bin/pyshim (a copy where
 * the file system has none), never a symlink. A symlink's real path is
 * "pyshim", so a tool that runs os.path.realpath(sys.executable) (findpython,
 * CPython's own test_subprocess) would run the CLI, not python; a hard link's
 * real path is its own name, which the argv[0] dispatch runs as the shim.
 * An older install's symlink, or another version's copy, is replaced. */
static int link_one(const char *bin, const char *name, const struct sb *self,
                    int *made, struct err *e)
{
    struct sb path = SB_INIT, prog = SB_INIT;
    struct plat_stat st;
    int ret = -1;

    path_join(&path, bin, name);
    path_join(&prog, bin, "pyshim");
    if (!plat_stat(path.buf, &st, 0)) {
        if (!st.is_lnk && install_is_self(path.buf, self)) {
            ret = 0; /* already right */
            goto out;
        }
        if (!install_is_ours(path.buf, self)) {
            err_set(e, PYSHIM_EXIT_CANTCREAT, "'%s' exists and is not pyshim's",
                    path.buf);
            err_hint(e, "move it away, or install with --bin-dir elsewhere");
            goto out;
        }
    }
    /* replaces what is there in one rename: the name is never missing */
    if (plat_link_or_copy(prog.buf, path.buf) < 0) {
        err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot create '%s': %s", path.buf,
                plat_strerror(errno));
        goto out;
    }
    (*made)++;
    ret = 0;
out:
    sb_release(&path);
    sb_release(&prog);
    return ret;
}

int install_copy_self(const char *bin, const struct sb *self, int *made,
                      struct err *e)
{
    struct sb dst = SB_INIT, old = SB_INIT;
    int ret = 0;

    path_join(&dst, bin, "pyshim" PLAT_EXE_SUFFIX);
    if (!plat_read_file(dst.buf, 256u << 20, &old) && old.len == self->len &&
        !memcmp(old.buf, self->buf, old.len))
        goto out;
    if (plat_write_atomic(dst.buf, self->buf, self->len, 0755) < 0) {
        ret = err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot write '%s': %s",
                      dst.buf, plat_strerror(errno));
        goto out;
    }
    (*made)++;
out:
    sb_release(&dst);
    sb_release(&old);
    return ret;
}

/* Every Python 3 minor version installed, e.g. {"3.8", ..., "3.13"}, and
 * on POSIX "3.13t" for a free-threaded build (Windows: not yet, the
 * install record and the sweep of old copies know digits only). */
static void minors(struct sv *out)
{
    struct interp_list l = INTERP_LIST_INIT;
    size_t i;

    if (resolve_discover(&l, NULL) < 0)
        return;
    for (i = 0; i < l.nr; i++) {
        char name[32];

        if (l.v[i].ver.major != 3 || l.v[i].ver.minor < 0)
            continue;
        snprintf(name, sizeof(name), "3.%d%s", l.v[i].ver.minor,
                 l.v[i].ft && !PLAT_WINDOWS ? "t" : "");
        if (sv_find(out, name) < 0)
            sv_push(out, name);
    }
    interp_list_release(&l);
}

static int is_file_cb(const char *path)
{
    return plat_is_file(path);
}

/* The start-up files of a shell: bash, zsh, fish (cli/shellrc.h);
 * all: every file uninstall looks at, else the ones install edits now. */
static void rc_files(const struct dirs *d, const char *shell, int all,
                     struct sv *out)
{
    struct shellrc_in in;

    in.macos = PLAT_MACOS;
    in.home = d->home;
    in.zdotdir = plat_getenv("ZDOTDIR");
    in.xdg = plat_getenv("XDG_CONFIG_HOME");
    in.exists = is_file_cb;
    sv_release(out);
    if (all)
        shellrc_all_files(&in, shell, out);
    else
        shellrc_install_files(&in, shell, out);
}

/* s in single quotes for sh (fish: backslash escapes inside quotes). */
static void add_quoted(struct sb *out, const char *s, int fish)
{
    sb_addch(out, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            sb_addstr(out, fish ? "\\'" : "'\\''");
        else if (*s == '\\' && fish)
            sb_addstr(out, "\\\\");
        else
            sb_addch(out, *s);
    }
    sb_addch(out, '\'');
}

static int edit_shells(const struct dirs *d, const char *which, const char *bin,
                       struct err *e)
{
    static const char *const all[] = {"bash", "zsh", "fish", NULL};
    struct sb body = SB_INIT;
    struct sv rc = SV_INIT;
    size_t k;
    int i, changed, ret = 0;

    for (i = 0; all[i] && !ret; i++) {
        int fish = !strcmp(all[i], "fish");

        if (strcmp(which, "all") && strcmp(which, all[i]))
            continue;
        rc_files(d, all[i], 0, &rc);
        sb_reset(&body);
        sb_addstr(
            &body,
            "# Added by `pyshim install`; `pyshim uninstall` removes this block.\n");
        if (fish) {
            sb_addstr(&body, "set -gx PATH ");
            add_quoted(&body, bin, 1);
            sb_addstr(&body, " $PATH\n");
        } else {
            sb_addstr(&body, "export PATH=");
            add_quoted(&body, bin, 0);
            sb_addstr(&body, ":\"$PATH\"\n");
        }
        for (k = 0; k < rc.nr && !ret; k++) {
            ret = rc_edit(rc.v[k], body.buf, &changed, e);
            if (!ret)
                printf("pyshim: %s %s\n", rc.v[k],
                       changed ? "now puts it first on PATH" : "is up to date");
        }
    }
    sv_release(&rc);
    sb_release(&body);
    return ret;
}

/* The global config install writes when there is none: exactly these
 * bytes, so uninstall --purge can tell it from one the user wrote. */
static void default_config(const struct dirs *d, struct sb *out)
{
    struct sb env = SB_INIT;
    struct jsonw w;

    path_join(&env, d->data, "default");
    sb_reset(out);
    jsonw_init(&w, out, 2);
    jsonw_object_begin(&w);
    jsonw_kv_string(&w, "venv", env.buf);
    jsonw_object_end(&w);
    jsonw_release(&w);
    sb_addch(out, '\n');
    sb_release(&env);
}

static int default_env(const struct dirs *d, struct err *e)
{
    struct sb env = SB_INIT, py = SB_INIT, cfg = SB_INIT;
    struct sv argv = SV_INIT;
    struct pyver ver;
    int status = 0, ret = -1;

    path_join(&env, d->data, "default");
    if (!venv_is_venv(env.buf) || venv_is_incomplete(env.buf)) {
        struct err pe = ERR_INIT;

        if (resolve_interpreter(NULL, &py, &ver, &pe) < 0) {
            /* A new machine may get pyshim before any Python: the shim
             * is in place; the default env can come with a later install. */
            if (pe.code != PYSHIM_EXIT_NOTFOUND) {
                err_set(e, pe.code, "%s", pe.msg);
                if (pe.hint)
                    err_hint(e, "%s", pe.hint);
                err_release(&pe);
                goto out;
            }
            printf(
                "pyshim: no Python is installed yet (%s), so there is no default environment: install one (%s), then run `pyshim install` again\n",
                pe.msg,
                PLAT_WINDOWS
                    ? "python.org, `winget install Python.Python.3.12` or `uv python install`"
                    : "e.g. `apt-get install python3 python3-venv`");
            err_release(&pe);
            ret = 0;
            goto out;
        }
        if (venv_begin(env.buf, e) < 0)
            goto out;
        sv_push(&argv, py.buf);
        sv_push(&argv, "-m");
        sv_push(&argv, "venv");
        sv_push(&argv, env.buf);
        cli_progress("making the default environment %s with %s", env.buf,
                     py.buf);
        if (plat_run(py.buf, argv.v, NULL, 1, &status) < 0 || status) {
            err_set(e, PYSHIM_EXIT_CANTCREAT,
                    "`%s -m venv %s` failed (status %d)", py.buf, env.buf,
                    status);
            err_hint(
                e,
                PLAT_WINDOWS
                    ? "run the same command yourself to see why; or install with --no-default-env"
                    : "on Debian, `apt-get install python3-venv`; or install with --no-default-env");
            goto out;
        }
        venv_done(env.buf);
        printf("pyshim: created the default environment %s (%s)\n", env.buf,
               py.buf);
    }
    if (plat_is_file(d->config_file)) {
        printf(
            "pyshim: kept your global config %s; to use the default environment outside projects, set \"venv\": \"%s\" in it\n",
            d->config_file, env.buf);
    } else {
        default_config(d, &cfg);
        if (fs_write_file(d->config_file, cfg.buf, cfg.len, 0644, 0755, e) < 0)
            goto out;
        printf("pyshim: wrote %s: outside projects, python and pip use %s\n",
               d->config_file, env.buf);
    }
    ret = 0;
out:
    sb_release(&env);
    sb_release(&py);
    sb_release(&cfg);
    sv_release(&argv);
    return ret;
}

/* The running binary's bytes: what install copies and what marks a file
 * in the bin dir as pyshim's. */
static int read_self(struct sb *self, struct err *e)
{
    struct sb path = SB_INIT;
    int ret = 0;

    if (plat_self_exe(&path) < 0 ||
        plat_read_file(path.buf, 256u << 20, self) < 0)
        ret =
            err_set(e, PYSHIM_EXIT_OSERR, "cannot read pyshim's own binary: %s",
                    plat_strerror(errno));
    sb_release(&path);
    return ret;
}

/* --- uninstall --purge: only what pyshim made --------------------------
 *
 * The data and cache dirs may be anywhere PYSHIM_HOME says, the home
 * directory included, so purge never removes a tree by its top: it
 * removes the entries pyshim makes, each known by its place, its name and
 * its form (a venv where pyshim makes venvs, a record file with a hash
 * name where it keeps records), then the directories it uses, each only
 * if that left it empty. Links are never followed. Anything else stays
 * and is listed. */

struct purge {
    struct sv trees; /* venvs pyshim made: removed whole */
    struct sv files; /* files pyshim wrote */
    struct sv dirs;  /* its directories, removed if then empty (in order) */
    struct sv left;  /* found in its directories, not provably its own */
    uint64_t size;
};

#define PURGE_INIT                                                             \
    {                                                                          \
        SV_INIT, SV_INIT, SV_INIT, SV_INIT, 0                                  \
    }

static void purge_release(struct purge *pg)
{
    sv_release(&pg->trees);
    sv_release(&pg->files);
    sv_release(&pg->dirs);
    sv_release(&pg->left);
}

enum purge_kind {
    PURGE_VENVS,    /* shared/: venvs */
    PURGE_OVERLAYS, /* overlays/: venvs and .tmp-* build dirs */
    PURGE_HEX64,    /* trust/: 64 hex digits */
    PURGE_HEX16,    /* projects/: 16 hex digits */
    PURGE_FACTS,    /* cache/interp/: 16 hex digits + ".json" (facts),
                     * "search-" + 2 hex digits (launcher/icache.h) */
    PURGE_LOCKS,    /* locks/: KIND-<16 hex>.lock, overlays.lock */
    PURGE_PLANS     /* cache/plan/: 3 hex digits (launcher/plancache.h) */
};

static int hex_name(const char *s, size_t n, const char *suffix)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!s[i] || !strchr("0123456789abcdef", s[i]))
            return 0;
    return !strcmp(s + n, suffix);
}

/* A lock file pyshim takes (cli_lock, env_overlay): init-HEX.lock,
 * shared-HEX.lock or overlays.lock. */
static int lock_name(const char *n)
{
    if (!strcmp(n, "overlays.lock"))
        return 1;
    if (!strncmp(n, "init-", 5))
        return hex_name(n + 5, 16, ".lock");
    if (!strncmp(n, "shared-", 7))
        return hex_name(n + 7, 16, ".lock");
    return 0;
}

/* An overlay env's name (launcher/env.c): MAJOR.MINOR-<12 hex>. */
static int overlay_name(const char *n)
{
    size_t a = strspn(n, "0123456789"), b;

    if (!a || n[a] != '.')
        return 0;
    b = strspn(n + a + 1, "0123456789");
    return b && n[a + 1 + b] == '-' && hex_name(n + a + 2 + b, 12, "");
}

/* Is there anything at path (a dangling link too)? */
static int lexists(const char *path)
{
    struct plat_stat st;

    return !plat_stat(path, &st, 0);
}

/* A real directory (not a link to one)? */
static int real_dir(const char *path)
{
    struct plat_stat st;

    return !plat_stat(path, &st, 0) && st.is_dir && !st.is_lnk;
}

/* A real regular file (not a link)? */
static int real_file(const char *path)
{
    struct plat_stat st;

    return !plat_stat(path, &st, 0) && st.is_reg && !st.is_lnk;
}

static void purge_tree(struct purge *pg, const char *path)
{
    sv_push(&pg->trees, path);
    pg->size += cli_tree_size(path);
}

static void purge_file(struct purge *pg, const char *path)
{
    struct plat_stat st;

    sv_push(&pg->files, path);
    if (!plat_stat(path, &st, 0))
        pg->size += st.size;
}

/* dir's entries of kind, then dir itself once empty. */
static void purge_dir(struct purge *pg, const char *dir, enum purge_kind kind)
{
    struct sv names = SV_INIT;
    struct sb p = SB_INIT;
    size_t i;

    if (!real_dir(dir)) {
        if (lexists(dir))
            sv_push(&pg->left, dir);
        return;
    }
    plat_listdir(dir, &names);
    for (i = 0; i < names.nr; i++) {
        const char *n = names.v[i];
        int d, f;

        path_join(&p, dir, n);
        d = real_dir(p.buf);
        f = real_file(p.buf);
        /* a venv is pyshim's by its mark (shared create writes it), an
         * overlay by its name, which only pyshim gives: a venv of the
         * user's there (PYSHIM_HOME=$HOME) may hold their files */
        if ((kind == PURGE_VENVS && d && venv_is_made(p.buf)) ||
            (kind == PURGE_OVERLAYS && d &&
             ((overlay_name(n) && venv_is_venv(p.buf)) ||
              !strncmp(n, ".tmp-", 5))))
            purge_tree(pg, p.buf);
        else if ((kind == PURGE_HEX64 && f && hex_name(n, 64, "")) ||
                 (kind == PURGE_HEX16 && f && hex_name(n, 16, "")) ||
                 (kind == PURGE_FACTS && f &&
                  (hex_name(n, 16, ".json") ||
                   (!strncmp(n, "search-", 7) && hex_name(n + 7, 2, "")))) ||
                 (kind == PURGE_LOCKS && f && lock_name(n)) ||
                 (kind == PURGE_PLANS && f && hex_name(n, 3, "")))
            purge_file(pg, p.buf);
        else
            sv_push(&pg->left, p.buf);
    }
    sv_push(&pg->dirs, dir);
    sv_release(&names);
    sb_release(&p);
}

/* What --purge would remove (pg), decided before anything is removed. */
static void purge_plan(const struct dirs *d, const char *bin, struct purge *pg)
{
    static const struct {
        const char *name;
        enum purge_kind kind;
    } subdirs[] = {{"shared", PURGE_VENVS},
                   {"overlays", PURGE_OVERLAYS},
                   {"trust", PURGE_HEX64},
                   {"projects", PURGE_HEX16},
                   {"locks", PURGE_LOCKS}};
    struct sb p = SB_INIT, text = SB_INIT;
    size_t i;

    /* the data and cache dirs themselves may be links the user made
     * (to another disk): they are followed, nothing below them is */
    if (plat_is_dir(d->cache)) {
        path_join(&p, d->cache, "interp");
        if (lexists(p.buf))
            purge_dir(pg, p.buf, PURGE_FACTS);
        path_join(&p, d->cache, "plan");
        if (lexists(p.buf))
            purge_dir(pg, p.buf, PURGE_PLANS);
        sv_push(&pg->dirs, d->cache);
    }
    if (!plat_is_dir(d->data))
        goto out;
    path_join(&p, d->data, "default");
    if (real_dir(p.buf) && venv_is_made(p.buf))
        purge_tree(pg, p.buf);
    else if (lexists(p.buf))
        sv_push(&pg->left, p.buf);
    for (i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
        path_join(&p, d->data, subdirs[i].name);
        if (lexists(p.buf))
            purge_dir(pg, p.buf, subdirs[i].kind);
    }
    path_join(&p, d->data, INSTALL_WIN_RECORD_NAME);
    if (real_file(p.buf) && !plat_read_head(p.buf, 32, &text) &&
        !strncmp(text.buf, "# What `pyshim install` did", 27))
        purge_file(pg, p.buf);
    /* the default bin dir, once uninstall emptied it */
    path_join(&p, d->data, "bin");
    if (path_equal(p.buf, bin) && real_dir(p.buf))
        sv_push(&pg->dirs, p.buf);
    sv_push(&pg->dirs, d->data);
out:
    sb_release(&p);
    sb_release(&text);
}

static void purge_summary(const struct purge *pg)
{
    struct sb size = SB_INIT;
    size_t i;

    cli_add_size(&size, pg->size);
    printf("pyshim: --purge deletes %s:\n", size.buf);
    for (i = 0; i < pg->trees.nr; i++) {
        sb_reset(&size);
        cli_add_size(&size, cli_tree_size(pg->trees.v[i]));
        printf("  %s (%s)\n", pg->trees.v[i], size.buf);
    }
    if (pg->files.nr)
        printf("  %lu record file%s (trust, projects, facts, plans, locks)\n",
               (unsigned long)pg->files.nr, pg->files.nr == 1 ? "" : "s");
    if (!pg->trees.nr && !pg->files.nr)
        printf("  nothing but pyshim's empty directories\n");
    for (i = 0; i < pg->left.nr; i++)
        printf("  (kept, not pyshim's: %s)\n", pg->left.v[i]);
    sb_release(&size);
}

static int purge_run(const struct purge *pg, struct err *e)
{
    size_t i;

    for (i = 0; i < pg->trees.nr; i++)
        if (plat_rmtree(pg->trees.v[i]) < 0)
            return err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot remove '%s': %s",
                           pg->trees.v[i], plat_strerror(errno));
    for (i = 0; i < pg->files.nr; i++)
        if (plat_unlink(pg->files.v[i]) < 0 && errno != ENOENT)
            return err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot remove '%s': %s",
                           pg->files.v[i], plat_strerror(errno));
    for (i = 0; i < pg->dirs.nr; i++)
        if (plat_rmdir(pg->dirs.v[i]) < 0 && lexists(pg->dirs.v[i]))
            printf("pyshim: kept %s: it holds files pyshim did not make\n",
                   pg->dirs.v[i]);
    return 0;
}

/* Shell start-up files uninstall or install will edit (which: a shell or
 * "all"; Windows: the PowerShell profiles), checked first, so a broken
 * block in one stops the command before anything changed. */
static int check_rc_files(const struct dirs *d, const char *which,
                          struct err *e)
{
    static const char *const shells[] = {"bash", "zsh", "fish", NULL};
    struct sv rc = SV_INIT;
    size_t k;
    int i, ret = 0;

    if (PLAT_WINDOWS) {
        ret = install_win_check_profiles(d, e);
    } else {
        for (i = 0; d->home && shells[i] && !ret; i++) {
            if (strcmp(which, "all") && strcmp(which, shells[i]))
                continue;
            rc_files(d, shells[i], 1, &rc);
            for (k = 0; k < rc.nr && !ret; k++)
                ret = rc_check(rc.v[k], e);
        }
    }
    sv_release(&rc);
    return ret;
}

static const char *default_shell(void)
{
    const char *sh = plat_getenv("SHELL");
    const char *b = sh ? path_basename(sh) : "";

    if (!strcmp(b, "zsh") || !strcmp(b, "fish"))
        return b;
    return "bash";
}

/* The names install gives pyshim: python, python3, pip, pip3, and
 * pythonX.Y/pipX.Y for every minor version installed (pythonX.Yt and
 * pipX.Yt for a free-threaded build). */
static void program_names(struct sv *names)
{
    struct sv vers = SV_INIT;
    size_t k;

    sv_push(names, "python");
    sv_push(names, "python3");
    sv_push(names, "pip");
    sv_push(names, "pip3");
    minors(&vers);
    for (k = 0; k < vers.nr; k++) {
        sv_pushf(names, "python%s", vers.v[k]);
        sv_pushf(names, "pip%s", vers.v[k]);
    }
    sv_release(&vers);
}

/* install's POSIX steps: BIN/pyshim, the links, and unless no_shell the
 * marked blocks in the start-up files of shell (NULL: the login shell's). */
static int posix_install(const struct dirs *d, const struct sb *bin,
                         const struct sb *self, const struct sv *names,
                         const char *shell, int no_shell, struct err *e)
{
    int made = 0;
    size_t k;

    if (install_copy_self(bin->buf, self, &made, e) < 0)
        return -1;
    for (k = 0; k < names->nr; k++)
        if (link_one(bin->buf, names->v[k], self, &made, e) < 0)
            return -1;
    if (made)
        printf("pyshim: installed into %s (%d file%s created or updated)\n",
               bin->buf, made, made == 1 ? "" : "s");
    else
        printf("pyshim: %s is up to date\n", bin->buf);
    if (no_shell)
        return 0;
    if (!d->home)
        return -1; /* cli_install's "no home directory is known" */
    return edit_shells(d, shell ? shell : default_shell(), bin->buf, e);
}

int cli_install(int argc, char **argv)
{
    struct dirs d = DIRS_INIT;
    struct err e = ERR_INIT;
    struct sb bin = SB_INIT, self = SB_INIT;
    struct sv names = SV_INIT;
    const char *bin_arg = NULL, *shell = NULL;
    int code = PYSHIM_EXIT_OK, no_shell = 0, no_env = 0;
    struct opt opts[] = {
        OPT_STRING(0, "bin-dir", &bin_arg),
        OPT_STRING(0, "shell", &shell),
        OPT_BOOL(0, "no-shell", &no_shell),
        OPT_BOOL(0, "no-default-env", &no_env),
        OPT_END(),
    };
    struct opt_cmd oc = OPT_CMD(usage_install, opts, NULL, 0);

    if (opt_parse_cmd(&oc, argc, argv, &code))
        return code;
    if (shell &&
        (PLAT_WINDOWS ? strcmp(shell, "powershell") && strcmp(shell, "all")
                      : strcmp(shell, "bash") && strcmp(shell, "zsh") &&
                            strcmp(shell, "fish") && strcmp(shell, "all")))
        return cli_usage_error(shell, usage_install);
    if (dirs_init(&d, &e) < 0 || cli_bin_dir(&d, bin_arg, &bin, &e) < 0)
        goto fail;
    if (read_self(&self, &e) < 0)
        goto fail;
    /* a start-up file with a broken block stops install before anything
     * changed */
    if (!no_shell && check_rc_files(&d,
                                    shell          ? shell
                                    : PLAT_WINDOWS ? "all"
                                                   : default_shell(),
                                    &e) < 0)
        goto fail;
    if (plat_mkdirs(bin.buf, 0755) < 0) {
        err_set(&e, PYSHIM_EXIT_CANTCREAT, "cannot create '%s': %s", bin.buf,
                plat_strerror(errno));
        goto fail;
    }
    program_names(&names);
    if (PLAT_WINDOWS) {
        if (install_win_install(&d, bin.buf, &self, &names, no_shell, &e) < 0 ||
            (!no_env && default_env(&d, &e) < 0))
            goto fail;
        goto out;
    }
    if (posix_install(&d, &bin, &self, &names, no_shell ? NULL : shell,
                      no_shell, &e) < 0 ||
        (!no_env && default_env(&d, &e) < 0))
        goto fail;
    if (no_shell) {
        const char *path = plat_getenv("PATH");
        size_t n = bin.len;

        if (!path || strncmp(path, bin.buf, n) ||
            (path[n] != ':' && path[n] != '\0'))
            printf("pyshim: put it first on PATH: export PATH=\"%s:$PATH\"\n",
                   bin.buf);
    } else {
        printf(
            "pyshim: open a new shell (or `export PATH=\"%s:$PATH\"`) to use it\n",
            bin.buf);
    }
    goto out;
fail:
    if (!e.msg)
        err_set(&e, PYSHIM_EXIT_OSERR, "no home directory is known");
    code = cli_report(&e);
out:
    dirs_release(&d);
    err_release(&e);
    sb_release(&bin);
    sb_release(&self);
    sv_release(&names);
    return code;
}

/* uninstall's POSIX steps. The start-up files first, the programs after:
 * if an edit fails (a full disk), the programs PATH names are still there
 * and work; once PATH no longer names the bin dir, removing the programs
 * only unlinks, which a full disk allows. */
static int restore_rc_files(const struct dirs *d, struct err *e)
{
    static const char *const shells[] = {"bash", "zsh", "fish", NULL};
    struct sv rcs = SV_INIT;
    size_t k;
    int i, changed, ret = 0;

    for (i = 0; d->home && shells[i] && !ret; i++) {
        rc_files(d, shells[i], 1, &rcs);
        for (k = 0; k < rcs.nr && !ret; k++) {
            const char *f = rcs.v[k];

            if (!plat_is_file(f))
                continue;
            ret = rc_edit(f, NULL, &changed, e);
            if (!ret && changed)
                printf("pyshim: restored %s\n", f);
            /* the fish file is pyshim's own: remove it when only it is
             * left */
            if (!ret && !strcmp(shells[i], "fish")) {
                struct sb left = SB_INIT;

                if (!plat_read_file(f, 1 << 20, &left) && !left.len)
                    plat_unlink(f);
                sb_release(&left);
            }
        }
    }
    sv_release(&rcs);
    return ret;
}

static int posix_uninstall(const struct dirs *d, const struct sb *bin,
                           const struct sb *self, struct err *e)
{
    struct sb p = SB_INIT;
    struct plat_dir *dir;
    const char *name;
    int removed = 0, ret = -1;

    if (restore_rc_files(d, e) < 0)
        goto out;
    dir = plat_opendir(bin->buf);
    while (dir && (name = plat_readdir(dir))) {
        path_join(&p, bin->buf, name);
        if (strcmp(name, "pyshim") && install_is_ours(p.buf, self) &&
            !plat_unlink(p.buf))
            removed++;
    }
    plat_closedir(dir);
    path_join(&p, bin->buf, "pyshim");
    if (plat_is_file(p.buf) && !plat_unlink(p.buf))
        removed++;
    plat_rmdir(bin->buf); /* only if now empty */
    printf("pyshim: removed %d file%s from %s\n", removed,
           removed == 1 ? "" : "s", bin->buf);
    ret = 0;
out:
    sb_release(&p);
    return ret;
}

/* --purge: the global config goes too, if it is still the one install
 * wrote (it names the default env about to go, and with PYSHIM_HOME it
 * sits in the data dir), then its directory (XDG_CONFIG_HOME/pyshim) if
 * that left it empty. */
static void purge_config(const struct dirs *d)
{
    struct sb p = SB_INIT, have = SB_INIT;

    default_config(d, &p);
    if (!plat_read_file(d->config_file, 1 << 20, &have) && have.len == p.len &&
        !memcmp(have.buf, p.buf, p.len) && !plat_unlink(d->config_file))
        printf("pyshim: removed %s (written by install)\n", d->config_file);
    sb_set(&p, d->config_file);
    path_dirname(&p);
    if (!path_equal(p.buf, d->data) && !strcmp(path_basename(p.buf), "pyshim"))
        plat_rmdir(p.buf);
    sb_release(&p);
    sb_release(&have);
}

int cli_uninstall(int argc, char **argv)
{
    struct dirs d = DIRS_INIT;
    struct err e = ERR_INIT;
    struct sb bin = SB_INIT, self = SB_INIT;
    struct purge pg = PURGE_INIT;
    const char *bin_arg = NULL;
    int purge = 0, yes = 0, code = PYSHIM_EXIT_OK, removed = 0;
    struct opt opts[] = {
        OPT_STRING(0, "bin-dir", &bin_arg),
        OPT_BOOL(0, "purge", &purge),
        OPT_BOOL('y', "yes", &yes),
        OPT_END(),
    };
    struct opt_cmd oc = OPT_CMD(usage_uninstall, opts, NULL, 0);

    if (opt_parse_cmd(&oc, argc, argv, &code))
        return code;
    if (dirs_init(&d, &e) < 0 || cli_bin_dir(&d, bin_arg, &bin, &e) < 0)
        goto fail;
    if (read_self(&self, &e) < 0)
        goto fail;
    /* Everything that can refuse does so before anything changes: a
     * broken block in a start-up file, and the purge's question. */
    if (check_rc_files(&d, "all", &e) < 0)
        goto fail;
    klist_orphans_say(&d, bin.buf, purge);
    if (purge) {
        int ok;

        purge_plan(&d, bin.buf, &pg);
        purge_summary(&pg);
        ok = cli_confirm("uninstall and delete all of this?", yes,
                         "`pyshim uninstall --purge`", &e);
        if (ok < 0)
            goto fail;
        if (!ok) {
            err_set(&e, PYSHIM_EXIT_FAILURE,
                    "cancelled: nothing was uninstalled or deleted");
            goto fail;
        }
    }
    if (PLAT_WINDOWS) {
        if (install_win_uninstall(&d, bin.buf, &self, &removed, &e) < 0)
            goto fail;
        goto purge;
    }
    if (posix_uninstall(&d, &bin, &self, &e) < 0)
        goto fail;
purge:
    if (purge) {
        purge_config(&d);
        if (purge_run(&pg, &e) < 0)
            goto fail;
        printf("pyshim: removed pyshim's files from %s and %s\n", d.data,
               d.cache);
    }
    klist_orphans_offer(&d, bin.buf, purge, yes);
    goto out;
fail:
    code = cli_report(&e);
out:
    dirs_release(&d);
    err_release(&e);
    purge_release(&pg);
    sb_release(&bin);
    sb_release(&self);
    return code;
}
