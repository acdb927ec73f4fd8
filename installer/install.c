/*
 * pyshim install / uninstall.
 *
 * install: copy the binary to BIN/pyshim (atomically, so the install does
 * not depend on the build tree), link every python/pip name to it, put
 * BIN first on PATH through a marked block in the shell start-up files,
 * and create the default environment used outside any project. Running it
 * again changes nothing. uninstall undoes each step exactly.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/ascii.h"
#include "common/exitcode.h"
#include "common/fs.h"
#include "common/mark.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "common/sv.h"
#include "config/dirs.h"
#include "installer/cli.h"
#include "installer/rcfile.h"
#include "installer/shellrc.h"
#include "launcher/interp.h"
#include "launcher/resolve.h"
#include "launcher/venv.h"
#include "common/banned.h"

static const char usage_install[] =
    "usage: pyshim install [--bin-dir DIR] [--shell bash|zsh|fish|all]\n"
    "                      [--no-shell] [--no-default-env]\n"
    "\n"
    "Copy pyshim into DIR (default: DATA/bin, i.e. ~/.local/share/pyshim/bin\n"
    "or $PYSHIM_HOME/bin) and link python, python3, pip, pip3 and python3.N,\n"
    "pip3.N for every installed Python 3.N to it. Then:\n"
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
    "usage: pyshim uninstall [--bin-dir DIR] [--purge [--yes]]\n"
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
    "list and the interpreter facts (each known by its name and form;\n"
    "anything else there stays and is listed), and the global config if it\n"
    "is still the one install wrote. It shows what it will delete and its\n"
    "size and asks first; without a terminal it needs --yes.\n";

/* Every pyshim binary holds the mark (common/mark.h), so that any
 * version's copy of pyshim (an older release that an upgrade replaces, a
 * newer one) is known as pyshim's, not only a copy of the running binary. */
#define MARKED_MAX (64u << 20)

/* Is path this very pyshim: a link to "pyshim", or a byte-for-byte copy
 * of the running binary (nothing to replace)? */
static int is_self(const char *path, const struct sb *self_bytes)
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
static int is_ours(const char *path, const struct sb *self_bytes)
{
    struct plat_stat st;
    struct sb s = SB_INIT;
    int ret;

    if (is_self(path, self_bytes))
        return 1;
    if (plat_stat(path, &st, 0) < 0 || !st.is_reg || st.size >= MARKED_MAX)
        return 0;
    ret = !plat_read_file(path, MARKED_MAX, &s) && mark_in(s.buf, s.len);
    sb_release(&s);
    return ret;
}

static int link_one(const char *bin, const char *name, const struct sb *self,
                    int *made, struct err *e)
{
    struct sb path = SB_INIT, target = SB_INIT;
    struct plat_stat st;
    int ret = -1;

    path_join(&path, bin, name);
    if (!plat_stat(path.buf, &st, 0)) {
        if (st.is_lnk && !plat_readlink(path.buf, &target) &&
            !strcmp(target.buf, "pyshim")) {
            ret = 0; /* already right */
            goto out;
        }
        if (!is_ours(path.buf, self)) {
            err_set(e, PYSHIM_EXIT_CANTCREAT, "'%s' exists and is not pyshim's",
                    path.buf);
            err_hint(e, "move it away, or install with --bin-dir elsewhere");
            goto out;
        }
        if (plat_unlink(path.buf) < 0)
            goto fail;
    }
    if (plat_symlink("pyshim", path.buf) < 0)
        goto fail;
    (*made)++;
    ret = 0;
    goto out;
fail:
    err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot create '%s': %s", path.buf,
            plat_strerror(errno));
out:
    sb_release(&path);
    sb_release(&target);
    return ret;
}

static int copy_self(const char *bin, const struct sb *self, int *made,
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

/* Every Python 3 minor version installed, e.g. {"3.8", ..., "3.13"}. */
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
        snprintf(name, sizeof(name), "3.%d", l.v[i].ver.minor);
        if (sv_find(out, name) < 0)
            sv_push(out, name);
    }
    interp_list_release(&l);
}

static int is_file_cb(const char *path)
{
    return plat_is_file(path);
}

/* The start-up files of a shell: bash, zsh, fish (installer/shellrc.h);
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
        sb_addstr(&body, "# Added by `pyshim install`; `pyshim uninstall` "
                         "removes this block.\n");
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

    path_join(&env, d->data, "default");
    sb_reset(out);
    sb_addstr(out, "{\n  \"venv\": ");
    sb_addjson(out, env.buf);
    sb_addstr(out, "\n}\n");
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
            printf("pyshim: no Python is installed yet (%s), so there is no "
                   "default environment: install one (%s), then run `pyshim "
                   "install` again\n",
                   pe.msg,
                   PLAT_WINDOWS
                       ? "python.org, `winget install "
                         "Python.Python.3.12` or `uv python install`"
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
        if (plat_run(py.buf, argv.v, NULL, 1, &status) < 0 || status) {
            err_set(e, PYSHIM_EXIT_CANTCREAT,
                    "`%s -m venv %s` failed (status %d)", py.buf, env.buf,
                    status);
            err_hint(e, PLAT_WINDOWS
                            ? "run the same command yourself to see why; or "
                              "install with --no-default-env"
                            : "on Debian, `apt-get install python3-venv`; or "
                              "install with --no-default-env");
            goto out;
        }
        venv_done(env.buf);
        printf("pyshim: created the default environment %s (%s)\n", env.buf,
               py.buf);
    }
    if (plat_is_file(d->config_file)) {
        printf("pyshim: kept your global config %s; to use the default "
               "environment outside projects, set \"venv\": \"%s\" in it\n",
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

/* --- Windows: copies of pyshim.exe, the user's PATH, PowerShell profiles -
 *
 * There are no symlinks to rely on (they need a privilege), no shell rc
 * that every terminal reads, and PATH lives in the registry. install
 * therefore writes DATA\install-record.txt saying what it did, and
 * uninstall undoes exactly that: the PATH entry it added (entries the
 * user added since stay), the value itself if install created it.
 *
 * A file is pyshim's if it is a pyshim program of any version (is_ours:
 * it holds pyshim_mark), so an upgrade replaces and uninstall removes
 * copies that another pyshim made, record or not, while a user's own
 * python.exe in a dir given with --bin-dir is neither replaced nor
 * deleted. The record is about one bin dir (bin=), the one whose files it
 * names; there a file is also trusted by its name (a pyshim from before
 * the mark). PATH entries are recorded as the bin dirs they are, and
 * uninstall takes out only the entry of the dir it uninstalls; a profile
 * block goes only with the dir it names. */

#define ENV_KEY "Environment"
#define RECORD_NAME "install-record.txt"
#define SHELL_FOLDERS                                                          \
    "Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\User Shell "      \
    "Folders"

struct record {
    struct sv path_added; /* HKCU Path entries install added, as written:
                             each one a bin dir */
    int path_created;     /* the Path value did not exist before */
    struct sb bin;        /* the bin dir files names ("": none yet) */
    struct sv files;      /* names install put in bin */
    struct sv dirs_made;  /* directories install created for the profiles */
    int profiled;         /* the profiles' block is bin's */
};

#define RECORD_INIT                                                            \
    {                                                                          \
        SV_INIT, 0, SB_INIT, SV_INIT, SV_INIT, 0                               \
    }

static void record_release(struct record *r)
{
    sv_release(&r->path_added);
    sb_release(&r->bin);
    sv_release(&r->files);
    sv_release(&r->dirs_made);
}

/* Is the record about bin (so its file names are trusted there)? */
static int record_is_for(const struct record *r, const char *bin)
{
    return r->bin.len && path_equal(r->bin.buf, bin);
}

static void record_path(const struct dirs *d, struct sb *out)
{
    path_join(out, d->data, RECORD_NAME);
}

/* Missing or unreadable: an empty record (install did nothing yet). */
static void record_load(const struct dirs *d, struct record *r)
{
    struct sb p = SB_INIT, text = SB_INIT;
    char *line, *nl;

    record_path(d, &p);
    if (plat_read_file(p.buf, 1 << 20, &text) < 0)
        goto out;
    for (line = text.buf; *line; line = nl) {
        nl = strchr(line, '\n');
        if (nl)
            *nl++ = '\0';
        else
            nl = line + strlen(line);
        if (!strncmp(line, "path-added=", 11) && line[11])
            sv_push(&r->path_added, line + 11);
        else if (!strcmp(line, "path-created=1"))
            r->path_created = 1;
        else if (!strcmp(line, "profiles=1"))
            r->profiled = 1;
        else if (!strncmp(line, "bin=", 4) && line[4])
            sb_set(&r->bin, line + 4);
        else if (!strncmp(line, "file=", 5) && line[5])
            sv_push(&r->files, line + 5);
        else if (!strncmp(line, "dir-created=", 12) && line[12])
            sv_push(&r->dirs_made, line + 12);
    }
    /* A record from before bin= was written (it always named files): its
     * dir is the one PATH entry it added, else the default bin dir; and
     * those versions edited the profiles exactly when they edited PATH. */
    if (r->files.nr && !r->bin.len) {
        if (r->path_added.nr == 1)
            sb_set(&r->bin, r->path_added.v[0]);
        else
            path_join(&r->bin, d->data, "bin");
        if (r->path_added.nr)
            r->profiled = 1;
    }
out:
    sb_release(&p);
    sb_release(&text);
}

static int record_save(const struct dirs *d, const struct record *r,
                       struct err *e)
{
    struct sb p = SB_INIT, text = SB_INIT;
    size_t i;
    int ret;

    sb_addstr(&text, "# What `pyshim install` did; `pyshim uninstall` undoes "
                     "exactly this.\n");
    for (i = 0; i < r->path_added.nr; i++)
        sb_addf(&text, "path-added=%s\n", r->path_added.v[i]);
    sb_addf(&text, "path-created=%d\n", r->path_created);
    if (r->bin.len)
        sb_addf(&text, "bin=%s\n", r->bin.buf);
    if (r->profiled)
        sb_addstr(&text, "profiles=1\n");
    for (i = 0; i < r->files.nr; i++)
        sb_addf(&text, "file=%s\n", r->files.v[i]);
    for (i = 0; i < r->dirs_made.nr; i++)
        sb_addf(&text, "dir-created=%s\n", r->dirs_made.v[i]);
    record_path(d, &p);
    ret = fs_write_file(p.buf, text.buf, text.len, 0644, 0755, e);
    sb_release(&p);
    sb_release(&text);
    return ret;
}

/* s with each %NAME% of a set variable replaced by its value, as Windows
 * expands REG_EXPAND_SZ values (replaces out). */
static void expand_vars(const char *s, struct sb *out)
{
    sb_reset(out);
    while (*s) {
        const char *end = *s == '%' ? strchr(s + 1, '%') : NULL;

        if (end && end > s + 1) {
            struct sb name = SB_INIT;
            const char *v;

            sb_add(&name, s + 1, (size_t)(end - s - 1));
            v = plat_getenv(name.buf);
            sb_release(&name);
            if (v) {
                sb_addstr(out, v);
                s = end + 1;
                continue;
            }
        }
        sb_addch(out, *s++);
    }
}

/* A PATH entry in the form two entries are compared in: variables
 * expanded, quotes dropped, '/' as '\', no trailing '\' (but "c:\"),
 * ASCII lowercased, as Windows file names compare. Replaces out. */
static void entry_key(const char *entry, struct sb *out)
{
    struct sb x = SB_INIT;
    size_t i;

    expand_vars(entry, &x);
    sb_reset(out);
    for (i = 0; i < x.len; i++) {
        char c = x.buf[i];

        if (c == '"')
            continue;
        if (c == '/')
            c = '\\';
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        sb_addch(out, c);
    }
    while (out->len > 1 && out->buf[out->len - 1] == '\\' &&
           !(out->len == 3 && out->buf[1] == ':'))
        sb_setlen(out, out->len - 1);
    sb_release(&x);
}

static int same_entry(const char *a, const char *b)
{
    struct sb ka = SB_INIT, kb = SB_INIT;
    int ret;

    entry_key(a, &ka);
    entry_key(b, &kb);
    ret = ka.len && !strcmp(ka.buf, kb.buf);
    sb_release(&ka);
    sb_release(&kb);
    return ret;
}

/* Split a PATH value at every ';', keeping empty entries, so that joining
 * gives back the same bytes. "" is no entries. */
static void split_value(const char *v, struct sv *out)
{
    const char *p;

    if (!*v)
        return;
    for (;;) {
        p = strchr(v, ';');
        if (!p) {
            sv_push(out, v);
            return;
        }
        sv_pushf(out, "%.*s", (int)(p - v), v);
        v = p + 1;
    }
}

/* entries joined with ';', leaving out index skip (-1: none). */
static void join_value(const struct sv *entries, long skip, struct sb *out)
{
    size_t i;
    int n = 0;

    sb_reset(out);
    for (i = 0; i < entries->nr; i++) {
        if ((long)i == skip)
            continue;
        if (n++)
            sb_addch(out, ';');
        sb_addstr(out, entries->v[i]);
    }
}

static long find_entry(const struct sv *entries, const char *want)
{
    size_t i;

    for (i = 0; i < entries->nr; i++)
        if (same_entry(entries->v[i], want))
            return (long)i;
    return -1;
}

static int reg_failed(struct err *e, const char *what)
{
    err_set(e, PYSHIM_EXIT_OSERR, "cannot %s HKCU\\" ENV_KEY " Path: %s", what,
            plat_strerror(errno));
    return err_hint(e, "check that the registry is writable for you "
                       "(regedit), then run the command again");
}

/* Put bin first in the user's PATH. *changed: the value was written. */
static int path_prepend(const char *bin, struct record *r, int *changed,
                        struct err *e)
{
    struct sb val = SB_INIT, neu = SB_INIT;
    struct sv entries = SV_INIT;
    int expand = 1, exists = 1, ret = -1;
    long at;

    *changed = 0;
    if (plat_reg_get(PLAT_HKCU, ENV_KEY, "Path", &val, &expand) < 0) {
        if (errno != ENOENT) {
            reg_failed(e, "read");
            goto out;
        }
        exists = 0;
        expand = 1; /* as Windows itself creates it */
    }
    split_value(val.buf, &entries);
    at = find_entry(&entries, bin);
    if (at == 0) {
        /* Already first. If install did not record it, the user put it
         * there (or the record was deleted: no telling which), so it is
         * not recorded now either: uninstall leaves it, and says so. */
        ret = 0;
        goto out;
    }
    /* our own entry further down moves to the front; one the user put
     * there stays where it is, and ours goes in front of it (a duplicate
     * that is the user's to keep; uninstall takes out only ours, the
     * first) */
    if (at < 0 || find_entry(&r->path_added, entries.v[at]) < 0)
        at = -1;
    join_value(&entries, at, &val);
    sb_addstr(&neu, bin);
    if (val.len) {
        sb_addch(&neu, ';');
        sb_addstr(&neu, val.buf);
    }
    if (plat_reg_set(PLAT_HKCU, ENV_KEY, "Path", neu.buf, expand) < 0) {
        reg_failed(e, "write");
        goto out;
    }
    if (!exists)
        r->path_created = 1;
    if (sv_find(&r->path_added, bin) < 0)
        sv_push(&r->path_added, bin);
    *changed = 1;
    ret = 0;
out:
    sb_release(&val);
    sb_release(&neu);
    sv_release(&entries);
    return ret;
}

/* The record's PATH entries without those for bin. */
static void drop_added(struct record *r, const char *bin)
{
    struct sv keep = SV_INIT;
    size_t i;

    for (i = 0; i < r->path_added.nr; i++)
        if (!same_entry(r->path_added.v[i], bin))
            sv_push(&keep, r->path_added.v[i]);
    sv_release(&r->path_added);
    r->path_added = keep;
}

/* Take bin's entry out of the user's PATH if install added it (the first
 * match: a later one is the user's own), and out of the record; delete
 * the value if install created it and nothing else is in it now. Other
 * dirs' entries stay. removed: the entry taken out, as it was written
 * ("" if none); left: the entry for bin install did not add ("" if
 * none). Both are replaced. */
static int path_restore(struct record *r, const char *bin, struct sb *removed,
                        struct sb *left, struct err *e)
{
    struct sb val = SB_INIT;
    struct sv entries = SV_INIT;
    int expand = 0, ret = -1;
    long at;

    sb_reset(removed);
    sb_reset(left);
    if (plat_reg_get(PLAT_HKCU, ENV_KEY, "Path", &val, &expand) < 0) {
        if (errno != ENOENT) {
            reg_failed(e, "read");
            goto out;
        }
        ret = 0; /* someone removed it all already */
        goto out;
    }
    split_value(val.buf, &entries);
    at = find_entry(&entries, bin);
    if (at < 0 || find_entry(&r->path_added, bin) < 0) {
        if (at >= 0)
            sb_set(left, entries.v[at]);
        ret = 0;
        goto out;
    }
    sb_set(removed, entries.v[at]);
    join_value(&entries, at, &val);
    if (!val.len && r->path_created) {
        if (plat_reg_delete(PLAT_HKCU, ENV_KEY, "Path") < 0 &&
            errno != ENOENT) {
            reg_failed(e, "delete");
            goto out;
        }
    } else if (plat_reg_set(PLAT_HKCU, ENV_KEY, "Path", val.buf, expand) < 0) {
        reg_failed(e, "write");
        goto out;
    }
    ret = 0;
out:
    if (!ret)
        drop_added(r, bin);
    sb_release(&val);
    sv_release(&entries);
    return ret;
}

/* The user's Documents folder, where both PowerShells keep profiles: the
 * registry's "Personal" shell folder (it moves with OneDrive or a
 * redirected profile), else %USERPROFILE%\Documents. Replaces out. */
static int documents_dir(const struct dirs *d, struct sb *out)
{
    struct sb v = SB_INIT;
    const char *up = plat_getenv("USERPROFILE");
    int ret = 0;

    if (!plat_reg_get(PLAT_HKCU, SHELL_FOLDERS, "Personal", &v, NULL) && v.len)
        expand_vars(v.buf, out);
    else if (up && *up)
        path_join(out, up, "Documents");
    else if (d->home)
        path_join(out, d->home, "Documents");
    else
        ret = -1;
    sb_release(&v);
    return ret;
}

/* PowerShell 7 and Windows PowerShell 5.1, each one's profile for the
 * console host, in that order. */
static int ps_profiles(const struct dirs *d, struct sv *out)
{
    struct sb docs = SB_INIT, p = SB_INIT;

    if (documents_dir(d, &docs) < 0) {
        sb_release(&docs);
        return -1;
    }
    path_join(&p, docs.buf, "PowerShell");
    path_join(&p, p.buf, "Microsoft.PowerShell_profile.ps1");
    sv_push(out, p.buf);
    path_join(&p, docs.buf, "WindowsPowerShell");
    path_join(&p, p.buf, "Microsoft.PowerShell_profile.ps1");
    sv_push(out, p.buf);
    sb_release(&docs);
    sb_release(&p);
    return 0;
}

/* s as a PowerShell string expression that is pure ASCII, so the block
 * means the same in a profile of any encoding (Windows PowerShell 5.1
 * reads a BOM-less file in the ANSI code page): 'single quoted', or,
 * with non-ASCII, the UTF-16 code units joined. */
static void ps_string(struct sb *out, const char *s)
{
    const unsigned char *p;
    struct sb u16 = SB_INIT;
    size_t i;

    for (p = (const unsigned char *)s; *p && *p < 0x80; p++)
        ;
    if (!*p || rc_utf8_to_utf16(s, strlen(s), 1, &u16) < 0) {
        sb_addch(out, '\'');
        for (; *s; s++) {
            if (*s == '\'')
                sb_addch(out, '\'');
            sb_addch(out, *s);
        }
        sb_addch(out, '\'');
        goto out;
    }
    sb_addstr(out, "(-join [char[]](");
    for (i = 0; i + 1 < u16.len; i += 2)
        sb_addf(out, "%s0x%X", i ? "," : "",
                (unsigned)((unsigned char)u16.buf[i] |
                           ((unsigned char)u16.buf[i + 1] << 8)));
    sb_addstr(out, "))");
out:
    sb_release(&u16);
}

static void ps_block(const char *bin, struct sb *out)
{
    sb_reset(out);
    sb_addstr(out,
              "# Added by `pyshim install`; `pyshim uninstall` removes this "
              "block.\n"
              "# Puts pyshim's python and pip first, also in terminals that "
              "started\n"
              "# with a PATH from before the install.\n"
              "$pyshimBin = ");
    ps_string(out, bin);
    sb_addstr(out, "\n"
                   "if (-not $env:Path -or ($env:Path -split ';')[0] -ne "
                   "$pyshimBin) {\n"
                   "    $env:Path = $pyshimBin + ';' + $env:Path\n"
                   "}\n"
                   "Remove-Variable pyshimBin\n");
}

/* "$env:Path = 's;' + $env:Path" for a hint to paste into PowerShell
 * (inst_ps_quote). Appends to out. */
static void ps_path_hint(struct sb *out, const char *s)
{
    sb_addstr(out, "$env:Path = '");
    inst_ps_quote(out, s);
    sb_addstr(out, ";' + $env:Path");
}

/* Windows PowerShell runs no profile under its default execution policy
 * (Restricted, on Windows clients): say so rather than leave the user
 * wondering. True if a policy that runs local scripts is in effect: the
 * first scope that sets one wins, in PowerShell's order (Group Policy
 * for the machine, then for the user, then CurrentUser, LocalMachine;
 * "Undefined" sets nothing). */
static int ps_scripts_allowed(void)
{
    static const char policies[] =
        "Software\\Policies\\Microsoft\\Windows\\PowerShell";
    static const char shellids[] =
        "Software\\Microsoft\\PowerShell\\1\\ShellIds\\Microsoft.PowerShell";
    static const struct {
        enum plat_hive hive;
        const char *key;
    } scopes[] = {{PLAT_HKLM, policies},
                  {PLAT_HKCU, policies},
                  {PLAT_HKCU, shellids},
                  {PLAT_HKLM, shellids}};
    struct sb v = SB_INIT;
    size_t i;
    int ret = 0;

    for (i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
        if (plat_reg_get(scopes[i].hive, scopes[i].key, "ExecutionPolicy", &v,
                         NULL) < 0 ||
            !v.len || ascii_ieq(v.buf, "Undefined"))
            continue;
        ret = !ascii_ieq(v.buf, "Restricted") && !ascii_ieq(v.buf, "AllSigned");
        break;
    }
    sb_release(&v);
    return ret;
}

/* The directories above path that do not exist, deepest first
 * (appended to out). */
static void missing_dirs(const char *path, struct sv *out)
{
    struct sb dir = SB_INIT;
    size_t before;

    sb_set(&dir, path);
    for (;;) {
        before = dir.len;
        path_dirname(&dir);
        if (dir.len >= before || plat_is_dir(dir.buf))
            break;
        sv_push(out, dir.buf);
    }
    sb_release(&dir);
}

/* Put the block in both profiles; the directories made for them go in
 * the record, for uninstall to remove once empty again. */
static int edit_profiles(const struct dirs *d, const char *bin,
                         struct record *r, struct err *e)
{
    struct sv profiles = SV_INIT, made = SV_INIT;
    struct sb body = SB_INIT;
    size_t i, k;
    int changed, ret = 0;

    if (ps_profiles(d, &profiles) < 0) {
        printf("pyshim: no Documents folder is known: no PowerShell profile "
               "edited\n");
        goto out;
    }
    ps_block(bin, &body);
    for (i = 0; i < profiles.nr && !ret; i++) {
        sv_release(&made);
        missing_dirs(profiles.v[i], &made);
        ret = rc_edit(profiles.v[i], body.buf, &changed, e);
        for (k = 0; k < made.nr; k++)
            if (plat_is_dir(made.v[k]) && sv_find(&r->dirs_made, made.v[k]) < 0)
                sv_push(&r->dirs_made, made.v[k]);
        if (!ret)
            printf("pyshim: %s %s\n", profiles.v[i],
                   changed ? "now puts it first on $env:Path"
                           : "is up to date");
        if (!ret && changed && i == 1 && !ps_scripts_allowed())
            printf("pyshim: note: Windows PowerShell runs profiles only when "
                   "scripts are allowed (`Set-ExecutionPolicy -Scope "
                   "CurrentUser RemoteSigned`); the user PATH works "
                   "without it\n");
    }
out:
    sv_release(&profiles);
    sv_release(&made);
    sb_release(&body);
    return ret;
}

/* May install put its copy at bin\name? Yes if nothing is there, the
 * file is pyshim's (any version: is_ours), or it is pyshim's by name:
 * pyshim.exe, or a name in trusted (the record's files, when the record
 * is about bin: a pyshim from before the mark). */
static int check_free(const char *bin, const char *name, const struct sb *self,
                      const struct sv *trusted, struct err *e)
{
    struct sb dst = SB_INIT;
    int ret = 0;

    path_join(&dst, bin, name);
    if ((plat_is_file(dst.buf) || plat_is_dir(dst.buf)) &&
        !is_ours(dst.buf, self) && strcmp(name, "pyshim" PLAT_EXE_SUFFIX) &&
        (!trusted || sv_find(trusted, name) < 0)) {
        ret = err_set(e, PYSHIM_EXIT_CANTCREAT,
                      "'%s' exists and is not pyshim's", dst.buf);
        err_hint(e, "move it away, or install with --bin-dir elsewhere");
    }
    sb_release(&dst);
    return ret;
}

/* Put one copy (or hard link) of pyshim.exe at bin\name, unless an
 * identical one is there (check_free said it may: another version of
 * pyshim, or a name the record trusts, is replaced). */
static int place_exe(const char *src, const char *bin, const char *name,
                     const struct sb *self, int *made, struct err *e)
{
    struct sb dst = SB_INIT;
    int ret = -1;

    path_join(&dst, bin, name);
    if (is_self(dst.buf, self)) {
        ret = 0; /* already right */
        goto out;
    }
    if (plat_link_or_copy(src, dst.buf) < 0) {
        err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot create '%s': %s", dst.buf,
                plat_strerror(errno));
        err_hint(e, "if a python started from there is running (a Jupyter "
                    "kernel, an editor), stop it and run the command again");
        goto out;
    }
    (*made)++;
    ret = 0;
out:
    sb_release(&dst);
    return ret;
}

/* Is name what plat_link_or_copy renames a program install placed to:
 * pyshim.exe, pythonX.exe or pipX.exe (X: digits and dots), then
 * ".old-" and the PID? */
static int is_old_copy(const char *name)
{
    static const char *const stems[] = {"python", "pip", "pyshim", NULL};
    static const char old[] = PLAT_EXE_SUFFIX ".old-";
    const char *p = NULL;
    int i;

    for (i = 0; stems[i] && !p; i++)
        if (ascii_istarts(name, stems[i]))
            p = name + strlen(stems[i]);
    if (!p)
        return 0;
    if (strcmp(stems[i - 1], "pyshim")) /* python3.12, pip3 */
        while ((*p >= '0' && *p <= '9') ||
               (*p == '.' && p[1] >= '0' && p[1] <= '9'))
            p++;
    if (!ascii_istarts(p, old) || !p[strlen(old)])
        return 0;
    for (p += strlen(old); *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return 1;
}

/* A copy that was running when an earlier install replaced it was renamed
 * aside to NAME.old-PID (plat_link_or_copy); remove those that no longer
 * run. One still running stays for the next time. Only the names install
 * places: any other file of a --bin-dir the user chose is theirs. */
static void sweep_old(const char *bin)
{
    struct sv names = SV_INIT;
    struct sb p = SB_INIT;
    size_t i;

    if (plat_listdir(bin, &names) < 0)
        return;
    for (i = 0; i < names.nr; i++) {
        if (!is_old_copy(names.v[i]))
            continue;
        path_join(&p, bin, names.v[i]);
        plat_unlink(p.buf);
    }
    sv_release(&names);
    sb_release(&p);
}

/* Make the record about bin when it is about no dir yet or its dir holds
 * none of its files any more (that install is gone). 1: it is about bin,
 * so its file names are trusted there and it may be deleted with it. */
static int record_claim(struct record *r, const char *bin)
{
    struct sb p = SB_INIT;
    size_t i;
    int held = 0;

    if (record_is_for(r, bin))
        return 1;
    for (i = 0; i < r->files.nr && !held; i++) {
        path_join(&p, r->bin.buf, r->files.v[i]);
        held = plat_is_file(p.buf);
    }
    sb_release(&p);
    if (held)
        return 0;
    sb_set(&r->bin, bin);
    sv_release(&r->files);
    r->profiled = 0;
    return 1;
}

static int win_install(const struct dirs *d, const char *bin,
                       const struct sb *self, const struct sv *names,
                       int no_shell, struct err *e)
{
    struct record r = RECORD_INIT;
    struct sb src = SB_INIT, hint = SB_INIT;
    struct sv exes = SV_INIT;
    size_t k;
    int made = 0, changed, mine, ret = -1;

    record_load(d, &r);
    mine = record_claim(&r, bin);
    for (k = 0; k < names->nr; k++)
        sv_pushf(&exes, "%s" PLAT_EXE_SUFFIX, names->v[k]);
    /* every name first, so a refused install leaves nothing behind */
    for (k = 0; k < exes.nr; k++)
        if (check_free(bin, exes.v[k], self, mine ? &r.files : NULL, e) < 0)
            goto out;
    sweep_old(bin);
    /* pyshim.exe is a copy, so the install does not depend on where this
     * one runs from (a build tree, Downloads); the other names are hard
     * links to it where the file system allows */
    path_join(&src, bin, "pyshim" PLAT_EXE_SUFFIX);
    if (copy_self(bin, self, &made, e) < 0)
        goto out;
    if (mine && sv_find(&r.files, "pyshim" PLAT_EXE_SUFFIX) < 0)
        sv_push(&r.files, "pyshim" PLAT_EXE_SUFFIX);
    for (k = 0; k < exes.nr; k++) {
        if (place_exe(src.buf, bin, exes.v[k], self, &made, e) < 0)
            goto out;
        if (mine && sv_find(&r.files, exes.v[k]) < 0)
            sv_push(&r.files, exes.v[k]);
    }
    if (made)
        printf("pyshim: installed into %s (%d file%s created or updated)\n",
               bin, made, made == 1 ? "" : "s");
    else
        printf("pyshim: %s is up to date\n", bin);
    if (record_save(d, &r, e) < 0)
        goto out;
    ps_path_hint(&hint, bin);
    if (no_shell) {
        printf("pyshim: PATH and PowerShell profiles left alone; in "
               "PowerShell: %s\n",
               hint.buf);
        ret = 0;
        goto out;
    }
    ret = path_prepend(bin, &r, &changed, e);
    if (!ret && changed)
        ret = record_save(d, &r, e);
    if (ret < 0)
        goto out;
    if (changed) {
        plat_env_changed();
        printf("pyshim: put %s first on your user PATH "
               "(HKCU\\Environment); new terminals pick it up\n",
               bin);
    } else {
        printf("pyshim: your user PATH (HKCU\\Environment) already starts "
               "with %s\n",
               bin);
    }
    ret = edit_profiles(d, bin, &r, e);
    if (mine && !ret)
        r.profiled = 1;
    /* the directories made for the profiles, also when one failed */
    if (record_save(d, &r, ret ? NULL : e) < 0)
        ret = -1;
    if (!ret)
        printf("pyshim: open a new terminal to use it (in this PowerShell: "
               "%s)\n",
               hint.buf);
out:
    record_release(&r);
    sb_release(&src);
    sb_release(&hint);
    sv_release(&exes);
    return ret;
}

/* Remove bin\name. Windows will not delete a program that is running
 * (this very pyshim.exe, when uninstall runs from the bin dir, and every
 * hard link to it) but lets it be renamed: move it out of the way, into
 * %TEMP% (on the same volume as %LOCALAPPDATA% as Windows sets them up;
 * else DATA, which --purge then cannot remove), and say so. */
static int remove_exe(const struct dirs *d, const char *path)
{
    const char *tmp = plat_getenv("TEMP");
    struct sb to = SB_INIT, name = SB_INIT;
    int ret = 0, moved;

    if (!plat_unlink(path))
        return 1;
    if (!PLAT_WINDOWS)
        return 0;
    sb_addf(&name, "pyshim-removed-%ld-%s", plat_pid(), path_basename(path));
    path_join(&to, tmp && path_is_abs(tmp) ? tmp : d->data, name.buf);
    moved = !plat_rename(path, to.buf);
    if (!moved) {
        path_join(&to, d->data, name.buf);
        moved = !plat_rename(path, to.buf);
    }
    if (moved) {
        printf("pyshim: %s is in use; moved it to %s (delete it once it has "
               "exited)\n",
               path, to.buf);
        ret = 1;
    } else {
        fprintf(stderr, "pyshim: warning: cannot remove %s: %s\n", path,
                plat_strerror(errno));
    }
    sb_release(&to);
    sb_release(&name);
    return ret;
}

/* The dir a block's "$pyshimBin = ..." line names, as ps_string wrote
 * it: 'quoted' or (-join [char[]](0x..,...)). Replaces out; -1 if the
 * line is not one of those. */
static int ps_parse_bin(const char *v, struct sb *out)
{
    static const char join[] = "(-join [char[]](";
    static const char hex[] = "0123456789abcdef";
    struct sb u16 = SB_INIT;
    int ret = -1;

    sb_reset(out);
    if (*v == '\'') {
        for (v++; *v && *v != '\n'; v++) {
            if (*v == '\'' && v[1] != '\'')
                return 0;
            if (*v == '\'')
                v++;
            sb_addch(out, *v);
        }
        return -1;
    }
    if (strncmp(v, join, strlen(join)))
        return -1;
    for (v += strlen(join);;) {
        unsigned long u = 0;
        int digits = 0;

        if (strncmp(v, "0x", 2))
            goto out;
        for (v += 2; digits < 5; v++, digits++) {
            const char *x = strchr(hex, ascii_lower(*v));

            if (!*v || !x)
                break;
            u = u * 16 + (unsigned long)(x - hex);
        }
        if (!digits || u > 0xFFFF)
            goto out;
        sb_addch(&u16, (char)(u & 0xFF));
        sb_addch(&u16, (char)(u >> 8));
        if (*v == ',') {
            v++;
            continue;
        }
        if (strncmp(v, "))", 2))
            goto out;
        break;
    }
    ret = rc_utf16_to_utf8(u16.buf, u16.len, 1, out);
out:
    sb_release(&u16);
    return ret;
}

/* Does the profile's block name bin (install into bin wrote it)? The dir
 * compares as Windows file names do (path_equal), so `uninstall --bin-dir
 * c:\x` finds the block of `install --bin-dir C:\X`. A block without its
 * end line counts too, so that uninstall reports it (rc_edit). */
static int profile_names(const char *profile, const char *bin)
{
    static const char var[] = "\n$pyshimBin = ";
    struct sb text = SB_INIT, u8 = SB_INIT, named = SB_INIT;
    const char *t, *b, *end, *v;
    int ret = 0;

    if (plat_read_file(profile, 16u << 20, &text) < 0)
        return 0;
    t = text.buf;
    if (text.len >= 2 &&
        ((unsigned char)t[0] == 0xFF || (unsigned char)t[0] == 0xFE)) {
        int le = (unsigned char)t[0] == 0xFF;

        if (((unsigned char)t[1] != (le ? 0xFE : 0xFF)) ||
            rc_utf16_to_utf8(t + 2, text.len - 2, le, &u8) < 0)
            goto out;
        t = u8.buf;
    }
    b = strstr(t, RC_BEGIN);
    if (!b)
        goto out;
    end = strstr(b, RC_END);
    for (v = strstr(b, var); v && (!end || v < end); v = strstr(v + 1, var))
        if (!ps_parse_bin(v + strlen(var), &named) &&
            path_equal(named.buf, bin)) {
            ret = 1;
            break;
        }
out:
    sb_release(&text);
    sb_release(&u8);
    sb_release(&named);
    return ret;
}

/* Remove what install did for bin, then bin's files. Any dir loses the
 * files that are pyshim's (is_ours), the recorded one (record_claim) also
 * the files the record names, then the directories made for the profiles
 * and its part of the record. The PATH entry goes only if install added
 * it for this dir (and the record says so at once, so a rerun after a
 * later failure does not take out a user's own entry for it); a profile
 * block only if it names this dir: another install's block is left for
 * that install's uninstall, and where this dir's block had replaced the
 * recorded dir's, that one's block comes back. */
static int win_uninstall(const struct dirs *d, const char *bin,
                         const struct sb *self, int *removed, struct err *e)
{
    struct record r = RECORD_INIT;
    struct sv profiles = SV_INIT, names = SV_INIT;
    struct sb p = SB_INIT, gone = SB_INIT, left = SB_INIT, body = SB_INIT;
    size_t i;
    int changed, mine, progress, ret = -1;

    record_load(d, &r);
    mine = record_claim(&r, bin);
    /* PATH and the profiles first, the programs after (as on POSIX): a
     * failure on the way leaves programs that still work where PATH
     * names them */
    if (path_restore(&r, bin, &gone, &left, e) < 0)
        goto out;
    if (gone.len) {
        if (record_save(d, &r, e) < 0)
            goto out;
        plat_env_changed();
        printf("pyshim: took %s out of your user PATH (HKCU\\Environment); "
               "new terminals pick it up\n",
               gone.buf);
    }
    if (left.len)
        printf("pyshim: PATH entry %s was not added by this install: left "
               "alone\n",
               left.buf);
    /* another dir's install had the profiles before this one's took them
     * over: it gets its block back */
    if (!mine && r.profiled)
        ps_block(r.bin.buf, &body);
    if (!ps_profiles(d, &profiles)) {
        for (i = 0; i < profiles.nr; i++) {
            if (!plat_is_file(profiles.v[i]) ||
                !profile_names(profiles.v[i], bin))
                continue;
            if (rc_edit(profiles.v[i], body.len ? body.buf : NULL, &changed,
                        e) < 0)
                goto out;
            if (changed && body.len)
                printf("pyshim: %s puts %s first again\n", profiles.v[i],
                       r.bin.buf);
            else if (changed)
                printf("pyshim: restored %s\n", profiles.v[i]);
        }
    }
    plat_listdir(bin, &names);
    for (i = 0; i < names.nr; i++) {
        path_join(&p, bin, names.v[i]);
        if (!plat_is_file(p.buf))
            continue;
        if ((mine && sv_find(&r.files, names.v[i]) >= 0) ||
            is_ours(p.buf, self))
            *removed += remove_exe(d, p.buf);
    }
    plat_rmdir(bin); /* only if now empty */
    printf("pyshim: removed %d file%s from %s\n", *removed,
           *removed == 1 ? "" : "s", bin);
    if (mine) {
        /* the directories made for the profiles, once empty (a parent
         * after its children) */
        do {
            progress = 0;
            for (i = 0; i < r.dirs_made.nr; i++)
                if (plat_is_dir(r.dirs_made.v[i]) &&
                    !plat_rmdir(r.dirs_made.v[i]))
                    progress = 1;
        } while (progress);
        sv_release(&r.dirs_made);
        sv_release(&r.files);
        sb_reset(&r.bin);
        r.profiled = 0;
    }
    if (r.path_added.nr || r.files.nr) {
        /* another dir's install is still recorded */
        if (record_save(d, &r, e) < 0)
            goto out;
    } else {
        record_path(d, &p);
        plat_unlink(p.buf);
    }
    ret = 0;
out:
    record_release(&r);
    sv_release(&profiles);
    sv_release(&names);
    sb_release(&p);
    sb_release(&gone);
    sb_release(&left);
    sb_release(&body);
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
    PURGE_FACTS,    /* cache/interp/: 16 hex digits + ".json" */
    PURGE_LOCKS     /* locks/: KIND-<16 hex>.lock, overlays.lock */
};

static int hex_name(const char *s, size_t n, const char *suffix)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!s[i] || !strchr("0123456789abcdef", s[i]))
            return 0;
    return !strcmp(s + n, suffix);
}

/* A lock file pyshim takes (inst_lock, env_overlay): init-HEX.lock,
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
    pg->size += inst_tree_size(path);
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
        if ((kind == PURGE_VENVS && d && venv_is_venv(p.buf)) ||
            (kind == PURGE_OVERLAYS && d &&
             (venv_is_venv(p.buf) || !strncmp(n, ".tmp-", 5))))
            purge_tree(pg, p.buf);
        else if ((kind == PURGE_HEX64 && f && hex_name(n, 64, "")) ||
                 (kind == PURGE_HEX16 && f && hex_name(n, 16, "")) ||
                 (kind == PURGE_FACTS && f && hex_name(n, 16, ".json")) ||
                 (kind == PURGE_LOCKS && f && lock_name(n)))
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
        sv_push(&pg->dirs, d->cache);
    }
    if (!plat_is_dir(d->data))
        goto out;
    path_join(&p, d->data, "default");
    if (real_dir(p.buf) && venv_is_venv(p.buf))
        purge_tree(pg, p.buf);
    for (i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
        path_join(&p, d->data, subdirs[i].name);
        if (lexists(p.buf))
            purge_dir(pg, p.buf, subdirs[i].kind);
    }
    path_join(&p, d->data, RECORD_NAME);
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

    inst_add_size(&size, pg->size);
    printf("pyshim: --purge deletes %s:\n", size.buf);
    for (i = 0; i < pg->trees.nr; i++) {
        sb_reset(&size);
        inst_add_size(&size, inst_tree_size(pg->trees.v[i]));
        printf("  %s (%s)\n", pg->trees.v[i], size.buf);
    }
    if (pg->files.nr)
        printf("  %lu record file%s (trust, projects, facts, locks)\n",
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
    struct sv profiles = SV_INIT, rc = SV_INIT;
    size_t k;
    int i, ret = 0;

    if (PLAT_WINDOWS) {
        if (!ps_profiles(d, &profiles))
            for (k = 0; k < profiles.nr && !ret; k++)
                ret = rc_check(profiles.v[k], e);
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
    sv_release(&profiles);
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

int inst_install(int argc, char **argv)
{
    struct dirs d = DIRS_INIT;
    struct err e = ERR_INIT;
    struct sb bin = SB_INIT, self = SB_INIT;
    struct sv names = SV_INIT, vers = SV_INIT;
    const char *bin_arg = NULL, *shell = NULL;
    int i, made = 0, code = PYSHIM_EXIT_OK, no_shell = 0, no_env = 0;
    size_t k;

    for (i = 1; i < argc; i++) {
        if (inst_is_help(argv[i])) {
            fputs(usage_install, stdout);
            return PYSHIM_EXIT_OK;
        } else if (!strcmp(argv[i], "--bin-dir") && i + 1 < argc) {
            bin_arg = argv[++i];
        } else if (!strcmp(argv[i], "--shell") && i + 1 < argc) {
            shell = argv[++i];
            if (PLAT_WINDOWS
                    ? strcmp(shell, "powershell") && strcmp(shell, "all")
                    : strcmp(shell, "bash") && strcmp(shell, "zsh") &&
                          strcmp(shell, "fish") && strcmp(shell, "all"))
                return inst_usage_error(shell, usage_install);
        } else if (!strcmp(argv[i], "--no-shell")) {
            no_shell = 1;
        } else if (!strcmp(argv[i], "--no-default-env")) {
            no_env = 1;
        } else {
            return inst_usage_error(argv[i], usage_install);
        }
    }
    if (dirs_init(&d, &e) < 0 || inst_bin_dir(&d, bin_arg, &bin, &e) < 0)
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
    sv_push(&names, "python");
    sv_push(&names, "python3");
    sv_push(&names, "pip");
    sv_push(&names, "pip3");
    minors(&vers);
    for (k = 0; k < vers.nr; k++) {
        sv_pushf(&names, "python%s", vers.v[k]);
        sv_pushf(&names, "pip%s", vers.v[k]);
    }
    if (PLAT_WINDOWS) {
        if (win_install(&d, bin.buf, &self, &names, no_shell, &e) < 0 ||
            (!no_env && default_env(&d, &e) < 0))
            goto fail;
        goto out;
    }
    if (copy_self(bin.buf, &self, &made, &e) < 0)
        goto fail;
    for (k = 0; k < names.nr; k++)
        if (link_one(bin.buf, names.v[k], &self, &made, &e) < 0)
            goto fail;
    if (made)
        printf("pyshim: installed into %s (%d file%s created or updated)\n",
               bin.buf, made, made == 1 ? "" : "s");
    else
        printf("pyshim: %s is up to date\n", bin.buf);
    if (!no_shell &&
        (!d.home ||
         edit_shells(&d, shell ? shell : default_shell(), bin.buf, &e) < 0))
        goto fail;
    if (!no_env && default_env(&d, &e) < 0)
        goto fail;
    if (no_shell) {
        const char *path = plat_getenv("PATH");
        size_t n = bin.len;

        if (!path || strncmp(path, bin.buf, n) ||
            (path[n] != ':' && path[n] != '\0'))
            printf("pyshim: put it first on PATH: export PATH=\"%s:$PATH\"\n",
                   bin.buf);
    } else {
        printf("pyshim: open a new shell (or `export PATH=\"%s:$PATH\"`) to "
               "use it\n",
               bin.buf);
    }
    goto out;
fail:
    if (!e.msg)
        err_set(&e, PYSHIM_EXIT_OSERR, "no home directory is known");
    code = inst_report(&e);
out:
    dirs_release(&d);
    err_release(&e);
    sb_release(&bin);
    sb_release(&self);
    sv_release(&names);
    sv_release(&vers);
    return code;
}

int inst_uninstall(int argc, char **argv)
{
    static const char *const shells[] = {"bash", "zsh", "fish", NULL};
    struct dirs d = DIRS_INIT;
    struct err e = ERR_INIT;
    struct sb bin = SB_INIT, self = SB_INIT, p = SB_INIT;
    struct sv rcs = SV_INIT;
    struct purge pg = PURGE_INIT;
    struct plat_dir *dir;
    const char *bin_arg = NULL, *name;
    size_t k;
    int i, purge = 0, yes = 0, code = PYSHIM_EXIT_OK, removed = 0, changed;

    for (i = 1; i < argc; i++) {
        if (inst_is_help(argv[i])) {
            fputs(usage_uninstall, stdout);
            return PYSHIM_EXIT_OK;
        } else if (!strcmp(argv[i], "--bin-dir") && i + 1 < argc) {
            bin_arg = argv[++i];
        } else if (!strcmp(argv[i], "--purge")) {
            purge = 1;
        } else if (!strcmp(argv[i], "--yes") || !strcmp(argv[i], "-y")) {
            yes = 1;
        } else {
            return inst_usage_error(argv[i], usage_uninstall);
        }
    }
    if (dirs_init(&d, &e) < 0 || inst_bin_dir(&d, bin_arg, &bin, &e) < 0)
        goto fail;
    if (read_self(&self, &e) < 0)
        goto fail;
    /* Everything that can refuse does so before anything changes: a
     * broken block in a start-up file, and the purge's question. */
    if (check_rc_files(&d, "all", &e) < 0)
        goto fail;
    if (purge) {
        int ok;

        purge_plan(&d, bin.buf, &pg);
        purge_summary(&pg);
        ok = inst_confirm("uninstall and delete all of this?", yes,
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
        if (win_uninstall(&d, bin.buf, &self, &removed, &e) < 0)
            goto fail;
        goto purge;
    }
    /* The start-up files first, the programs after: if an edit fails (a
     * full disk), the programs PATH names are still there and work; once
     * PATH no longer names the bin dir, removing the programs only
     * unlinks, which a full disk allows. */
    for (i = 0; d.home && shells[i]; i++) {
        rc_files(&d, shells[i], 1, &rcs);
        for (k = 0; k < rcs.nr; k++) {
            const char *f = rcs.v[k];

            if (!plat_is_file(f))
                continue;
            if (rc_edit(f, NULL, &changed, &e) < 0)
                goto fail;
            if (changed)
                printf("pyshim: restored %s\n", f);
            /* the fish file is pyshim's own: remove it when only it is
             * left */
            if (!strcmp(shells[i], "fish")) {
                struct sb left = SB_INIT;

                if (!plat_read_file(f, 1 << 20, &left) && !left.len)
                    plat_unlink(f);
                sb_release(&left);
            }
        }
    }
    dir = plat_opendir(bin.buf);
    while (dir && (name = plat_readdir(dir))) {
        path_join(&p, bin.buf, name);
        if (strcmp(name, "pyshim") && is_ours(p.buf, &self) &&
            !plat_unlink(p.buf))
            removed++;
    }
    plat_closedir(dir);
    path_join(&p, bin.buf, "pyshim");
    if (plat_is_file(p.buf) && !plat_unlink(p.buf))
        removed++;
    plat_rmdir(bin.buf); /* only if now empty */
    printf("pyshim: removed %d file%s from %s\n", removed,
           removed == 1 ? "" : "s", bin.buf);
purge:
    if (purge) {
        /* the global config goes too, if it is still the one install
         * wrote: it names the default env about to go (and with
         * PYSHIM_HOME it sits in the data dir) */
        default_config(&d, &p);
        {
            struct sb have = SB_INIT;

            if (!plat_read_file(d.config_file, 1 << 20, &have) &&
                have.len == p.len && !memcmp(have.buf, p.buf, p.len) &&
                !plat_unlink(d.config_file))
                printf("pyshim: removed %s (written by install)\n",
                       d.config_file);
            sb_release(&have);
        }
        /* its directory (XDG_CONFIG_HOME/pyshim), if that left it empty */
        sb_set(&p, d.config_file);
        path_dirname(&p);
        if (!path_equal(p.buf, d.data) &&
            !strcmp(path_basename(p.buf), "pyshim"))
            plat_rmdir(p.buf);
        if (purge_run(&pg, &e) < 0)
            goto fail;
        printf("pyshim: removed pyshim's files from %s and %s\n", d.data,
               d.cache);
    }
    goto out;
fail:
    code = inst_report(&e);
out:
    dirs_release(&d);
    err_release(&e);
    purge_release(&pg);
    sb_release(&bin);
    sb_release(&self);
    sb_release(&p);
    sv_release(&rcs);
    return code;
}
