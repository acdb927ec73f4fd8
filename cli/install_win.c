/*
 * install_win: what `pyshim install` and `uninstall` do on Windows, where
 * there are no symlinks to rely on, no shell rc that every terminal reads,
 * and PATH lives in the registry: copies of pyshim.exe, the user's PATH
 * (HKCU\Environment), a block in both PowerShell profiles, and the
 * install record that lets uninstall undo exactly that.
 *
 * Over 600 lines on purpose: it is one policy (what install did, recorded
 * so that uninstall undoes exactly that and no more), and its parts (the
 * record, PATH, the profiles, the copies) each read and write the same
 * record; the pure string logic is already out in exported, unit-tested
 * functions (cli/install_win.h).
 */
#include "cli/install_win.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/ascii.h"
#include "common/exitcode.h"
#include "common/fs.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "common/sv.h"
#include "config/dirs.h"
#include "cli/cli.h"
#include "cli/install.h"
#include "cli/rcfile.h"
#include "common/banned.h"

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
#define SHELL_FOLDERS                                                          \
    "Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\User Shell "      \
    "Folders"

void install_win_record_release(struct install_win_record *r)
{
    sv_release(&r->path_added);
    sb_release(&r->bin);
    sv_release(&r->files);
    sv_release(&r->dirs_made);
    r->path_created = r->profiled = 0;
}

/* Is the record about bin (so its file names are trusted there)? */
static int record_is_for(const struct install_win_record *r, const char *bin)
{
    return r->bin.len && path_equal(r->bin.buf, bin);
}

static void record_path(const struct dirs *d, struct sb *out)
{
    path_join(out, d->data, INSTALL_WIN_RECORD_NAME);
}

void install_win_record_parse(const char *data, const char *default_bin,
                              struct install_win_record *r)
{
    struct sb text = SB_INIT;
    char *line, *nl;

    sb_set(&text, data);
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
            sb_set(&r->bin, default_bin);
        if (r->path_added.nr)
            r->profiled = 1;
    }
    sb_release(&text);
}

/* Missing or unreadable: an empty record (install did nothing yet). */
static void record_load(const struct dirs *d, struct install_win_record *r)
{
    struct sb p = SB_INIT, text = SB_INIT, bin = SB_INIT;

    record_path(d, &p);
    path_join(&bin, d->data, "bin");
    if (!plat_read_file(p.buf, 1 << 20, &text))
        install_win_record_parse(text.buf, bin.buf, r);
    sb_release(&p);
    sb_release(&text);
    sb_release(&bin);
}

void install_win_record_format(const struct install_win_record *r,
                               struct sb *out)
{
    struct sb text = SB_INIT;
    size_t i;

    sb_addstr(
        &text,
        "# What `pyshim install` did; `pyshim uninstall` undoes exactly this.\n");
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
    sb_addstr(out, text.buf);
    sb_release(&text);
}

static int record_save(const struct dirs *d, const struct install_win_record *r,
                       struct err *e)
{
    struct sb p = SB_INIT, text = SB_INIT;
    int ret;

    install_win_record_format(r, &text);
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

int install_win_same_entry(const char *a, const char *b)
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
        if (install_win_same_entry(entries->v[i], want))
            return (long)i;
    return -1;
}

int install_win_path_prepend(const char *value, const char *bin,
                             const struct sv *added, struct sb *out)
{
    struct sv entries = SV_INIT;
    struct sb rest = SB_INIT;
    long at;
    int ret = 0;

    split_value(value, &entries);
    at = find_entry(&entries, bin);
    /* Already first. If install did not record it, the user put it there
     * (or the record was deleted: no telling which), so it is not
     * recorded now either: uninstall leaves it, and says so. */
    if (at == 0)
        goto out;
    /* our own entry further down moves to the front; one the user put
     * there stays where it is, and ours goes in front of it (a duplicate
     * that is the user's to keep; uninstall takes out only ours, the
     * first) */
    if (at < 0 || find_entry(added, entries.v[at]) < 0)
        at = -1;
    join_value(&entries, at, &rest);
    sb_reset(out);
    sb_addstr(out, bin);
    if (rest.len) {
        sb_addch(out, ';');
        sb_addstr(out, rest.buf);
    }
    ret = 1;
out:
    sv_release(&entries);
    sb_release(&rest);
    return ret;
}

int install_win_path_remove(const char *value, const char *bin,
                            const struct sv *added, struct sb *out,
                            struct sb *removed, struct sb *left)
{
    struct sv entries = SV_INIT;
    long at;
    int ret = 0;

    sb_reset(removed);
    sb_reset(left);
    split_value(value, &entries);
    at = find_entry(&entries, bin);
    if (at < 0 || find_entry(added, bin) < 0) {
        if (at >= 0)
            sb_set(left, entries.v[at]);
        goto out;
    }
    sb_set(removed, entries.v[at]);
    join_value(&entries, at, out);
    ret = 1;
out:
    sv_release(&entries);
    return ret;
}

static int reg_failed(struct err *e, const char *what)
{
    err_set(e, PYSHIM_EXIT_OSERR, "cannot %s HKCU\\" ENV_KEY " Path: %s", what,
            plat_strerror(errno));
    return err_hint(
        e,
        "check that the registry is writable for you (regedit), then run the command again");
}

/* Put bin first in the user's PATH. *changed: the value was written. */
static int path_prepend(const char *bin, struct install_win_record *r,
                        int *changed, struct err *e)
{
    struct sb val = SB_INIT, neu = SB_INIT;
    int expand = 1, exists = 1, ret = -1;

    *changed = 0;
    if (plat_reg_get(PLAT_HKCU, ENV_KEY, "Path", &val, &expand) < 0) {
        if (errno != ENOENT) {
            reg_failed(e, "read");
            goto out;
        }
        exists = 0;
        expand = 1; /* as Windows itself creates it */
    }
    if (!install_win_path_prepend(val.buf, bin, &r->path_added, &neu)) {
        ret = 0;
        goto out;
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
    return ret;
}

/* The record's PATH entries without those for bin. */
static void drop_added(struct install_win_record *r, const char *bin)
{
    struct sv keep = SV_INIT;
    size_t i;

    for (i = 0; i < r->path_added.nr; i++)
        if (!install_win_same_entry(r->path_added.v[i], bin))
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
static int path_restore(struct install_win_record *r, const char *bin,
                        struct sb *removed, struct sb *left, struct err *e)
{
    struct sb val = SB_INIT, neu = SB_INIT;
    int expand = 0, ret = -1;

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
    if (!install_win_path_remove(val.buf, bin, &r->path_added, &neu, removed,
                                 left)) {
        ret = 0;
        goto out;
    }
    sb_set(&val, neu.buf);
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
    sb_release(&neu);
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

void install_win_ps_block(const char *bin, struct sb *out)
{
    sb_reset(out);
    sb_addstr(
        out,
        "# Added by `pyshim install`; `pyshim uninstall` removes this block.\n"
        "# Puts pyshim's python and pip first, also in terminals that started\n"
        "# with a PATH from before the install.\n"
        "$pyshimBin = ");
    ps_string(out, bin);
    sb_addstr(
        out,
        "\n"
        "if (-not $env:Path -or ($env:Path -split ';')[0] -ne $pyshimBin) {\n"
        "    $env:Path = $pyshimBin + ';' + $env:Path\n"
        "}\n"
        "Remove-Variable pyshimBin\n");
}

/* "$env:Path = 's;' + $env:Path" for a hint to paste into PowerShell
 * (cli_ps_quote). Appends to out. */
static void ps_path_hint(struct sb *out, const char *s)
{
    sb_addstr(out, "$env:Path = '");
    cli_ps_quote(out, s);
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
                         struct install_win_record *r, struct err *e)
{
    struct sv profiles = SV_INIT, made = SV_INIT;
    struct sb body = SB_INIT;
    size_t i, k;
    int changed, ret = 0;

    if (ps_profiles(d, &profiles) < 0) {
        printf(
            "pyshim: no Documents folder is known: no PowerShell profile edited\n");
        goto out;
    }
    install_win_ps_block(bin, &body);
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
            printf(
                "pyshim: note: Windows PowerShell runs profiles only when scripts are allowed (`Set-ExecutionPolicy -Scope CurrentUser RemoteSigned`); the user PATH works without it\n");
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
        !install_is_ours(dst.buf, self) &&
        strcmp(name, "pyshim" PLAT_EXE_SUFFIX) &&
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
    if (install_is_self(dst.buf, self)) {
        ret = 0; /* already right */
        goto out;
    }
    if (plat_link_or_copy(src, dst.buf) < 0) {
        err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot create '%s': %s", dst.buf,
                plat_strerror(errno));
        err_hint(
            e,
            "if a python started from there is running (a Jupyter kernel, an editor), stop it and run the command again");
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
static int record_claim(struct install_win_record *r, const char *bin)
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

int install_win_install(const struct dirs *d, const char *bin,
                        const struct sb *self, const struct sv *names,
                        int no_shell, struct err *e)
{
    struct install_win_record r = INSTALL_WIN_RECORD_INIT;
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
    if (install_copy_self(bin, self, &made, e) < 0)
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
        printf(
            "pyshim: PATH and PowerShell profiles left alone; in PowerShell: %s\n",
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
        printf(
            "pyshim: put %s first on your user PATH (HKCU\\Environment); new terminals pick it up\n",
            bin);
    } else {
        printf(
            "pyshim: your user PATH (HKCU\\Environment) already starts with %s\n",
            bin);
    }
    ret = edit_profiles(d, bin, &r, e);
    if (mine && !ret)
        r.profiled = 1;
    /* the directories made for the profiles, also when one failed */
    if (record_save(d, &r, ret ? NULL : e) < 0)
        ret = -1;
    if (!ret)
        printf(
            "pyshim: open a new terminal to use it (in this PowerShell: %s)\n",
            hint.buf);
out:
    install_win_record_release(&r);
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
        printf(
            "pyshim: %s is in use; moved it to %s (delete it once it has exited)\n",
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
int install_win_ps_parse_bin(const char *v, struct sb *out)
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

int install_win_block_names(const char *text, const char *bin)
{
    static const char var[] = "\n$pyshimBin = ";
    struct sb named = SB_INIT;
    const char *b, *end, *v;
    int ret = 0;

    b = strstr(text, RC_BEGIN);
    if (!b)
        return 0;
    end = strstr(b, RC_END);
    for (v = strstr(b, var); v && (!end || v < end); v = strstr(v + 1, var))
        if (!install_win_ps_parse_bin(v + strlen(var), &named) &&
            path_equal(named.buf, bin)) {
            ret = 1;
            break;
        }
    sb_release(&named);
    return ret;
}

/* Does the profile's block name bin (install into bin wrote it)? The dir
 * compares as Windows file names do (path_equal), so `uninstall --bin-dir
 * c:\x` finds the block of `install --bin-dir C:\X`. A block without its
 * end line counts too, so that uninstall reports it (rc_edit). */
static int profile_names(const char *profile, const char *bin)
{
    struct sb text = SB_INIT, u8 = SB_INIT;
    const char *t;
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
    ret = install_win_block_names(t, bin);
out:
    sb_release(&text);
    sb_release(&u8);
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
/* Take bin's block out of the profiles that hold it. Where another dir's
 * install (the record's, not mine) had the profiles before this one's
 * took them over, that one gets its block back. */
static int restore_profiles(const struct dirs *d, const char *bin,
                            const struct install_win_record *r, int mine,
                            struct err *e)
{
    struct sv profiles = SV_INIT;
    struct sb body = SB_INIT;
    size_t i;
    int changed, ret = 0;

    if (!mine && r->profiled)
        install_win_ps_block(r->bin.buf, &body);
    if (!ps_profiles(d, &profiles)) {
        for (i = 0; i < profiles.nr && !ret; i++) {
            if (!plat_is_file(profiles.v[i]) ||
                !profile_names(profiles.v[i], bin))
                continue;
            ret =
                rc_edit(profiles.v[i], body.len ? body.buf : NULL, &changed, e);
            if (!ret && changed && body.len)
                printf("pyshim: %s puts %s first again\n", profiles.v[i],
                       r->bin.buf);
            else if (!ret && changed)
                printf("pyshim: restored %s\n", profiles.v[i]);
        }
    }
    sv_release(&profiles);
    sb_release(&body);
    return ret;
}

int install_win_uninstall(const struct dirs *d, const char *bin,
                          const struct sb *self, int *removed, struct err *e)
{
    struct install_win_record r = INSTALL_WIN_RECORD_INIT;
    struct sv names = SV_INIT;
    struct sb p = SB_INIT, gone = SB_INIT, left = SB_INIT;
    size_t i;
    int mine, progress, ret = -1;

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
        printf(
            "pyshim: took %s out of your user PATH (HKCU\\Environment); new terminals pick it up\n",
            gone.buf);
    }
    if (left.len)
        printf(
            "pyshim: PATH entry %s was not added by this install: left alone\n",
            left.buf);
    if (restore_profiles(d, bin, &r, mine, e) < 0)
        goto out;
    plat_listdir(bin, &names);
    for (i = 0; i < names.nr; i++) {
        path_join(&p, bin, names.v[i]);
        if (!plat_is_file(p.buf))
            continue;
        if ((mine && sv_find(&r.files, names.v[i]) >= 0) ||
            install_is_ours(p.buf, self))
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
    install_win_record_release(&r);
    sv_release(&names);
    sb_release(&p);
    sb_release(&gone);
    sb_release(&left);
    return ret;
}

int install_win_check_profiles(const struct dirs *d, struct err *e)
{
    struct sv profiles = SV_INIT;
    size_t k;
    int ret = 0;

    if (!ps_profiles(d, &profiles))
        for (k = 0; k < profiles.nr && !ret; k++)
            ret = rc_check(profiles.v[k], e);
    sv_release(&profiles);
    return ret;
}
