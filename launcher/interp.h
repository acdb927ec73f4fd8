/*
 * interp: finding the installed Python interpreters and picking one.
 *
 * Sources, in priority order: the directories on PATH (minus every
 * directory that holds the shim itself and pyenv's shims, which are
 * scripts that would run pyenv), pyenv's versions/, uv's managed pythons,
 * then /usr/local/bin, /usr/bin and Homebrew's bin if they were not on
 * PATH. The same file found twice (links) is listed once.
 *
 * On Windows (PLAT_WINDOWS): the PATH directories (minus the shim's and
 * the Microsoft Store's aliases in %LOCALAPPDATA%\Microsoft\WindowsApps,
 * stubs that open the Store, and the Python install manager's aliases in
 * %LOCALAPPDATA%\Python\bin) holding python.exe, python3.exe or
 * python3.N[t].exe; then the PEP 514 registry entries of HKCU, HKLM (64-bit
 * view) and HKLM (32-bit view), Software\Python\Company\Tag (the
 * "PyLauncher" company is not an interpreter); then pyenv-win's
 * versions\NAME\python.exe ($PYENV_ROOT, which pyenv-win sets to
 * ...\.pyenv\pyenv-win, or %USERPROFILE%\.pyenv\pyenv-win); then the
 * Python install manager's runtimes, %LOCALAPPDATA%\Python\pythoncore-TAG
 * (PEP 773; usually listed already through PEP 514); then uv's
 * cpython-X.Y.Z-windows-ARCH-none\python.exe (%UV_PYTHON_INSTALL_DIR%,
 * else %APPDATA%\uv\data\python and %APPDATA%\uv\python). A python.exe
 * whose name tells no version takes it from the python3XY[t].dll beside
 * it, else it is learned (facts cache) when a request needs it.
 */
#ifndef PYSHIM_INTERP_H
#define PYSHIM_INTERP_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/sb.h"
#include "common/sv.h"
#include "common/trace.h"
#include "common/pyver.h"

struct interp {
    char *path;           /* absolute path as found */
    struct pyver ver;     /* micro is -1 until known */
    const char *origin;   /* "PATH", "pyenv", "uv", "system", "registry" */
    char *name;           /* pyenv/uv install name, PEP 514 "Company/Tag"
                           * ("PythonCore/3.12-32"), or NULL */
    uint64_t dev, ino;    /* identity of the file it resolves to */
    int ft;               /* a free-threaded build ("3.13t", python3.13t) */
    enum pyver_plat plat; /* Windows: its platform, ANY if not known */
    int shim;             /* found to be a pyshim binary: never picked */
    int probed;           /* its facts were asked for its version (whatever
                           * they said): not asked again in this run, nor
                           * while the search cache keeps it */
};

struct interp_list {
    struct interp *v;
    size_t nr, alloc;
    /* interp_add_tag's index of v by file identity (dev, ino): 1 + the
     * entry's index per slot, 0 = empty; rebuilt when idx_nr != nr */
    size_t *idx;
    size_t idx_cap, idx_nr;
    /* or NULL: one block of text (the search cache's record, read by
     * launcher/icache.c) that entries' path and name may point into:
     * freed as a whole, never those strings one by one */
    char *pool;
    size_t pool_len;
};

#define INTERP_LIST_INIT                                                       \
    {                                                                          \
        NULL, 0, 0, NULL, 0, 0, NULL, 0                                        \
    }

struct icache_note;

struct interp_env {
    const char *path;       /* $PATH */
    const char *pyenv_root; /* $PYENV_ROOT or ~/.pyenv, may be NULL */
    /* Where pyenv (pyenv-win) and uv keep their pythons, in search
     * order (launcher/pick.h: pick_install_dirs); either may be NULL. */
    const struct sv *pyenv_versions;
    const struct sv *uv_dirs;
    /* Windows: the Python install manager's install_dir
     * (%LOCALAPPDATA%\Python), or NULL: its pythoncore-* runtimes are
     * listed, its bin (alias launchers) never searched */
    const char *pymanager_root;
    const char *cache_dir;       /* for the facts cache */
    uint64_t self_dev, self_ino; /* the running shim */
    const char *self_path;       /* its path, or NULL: with self_size, a
                                    copy of it (same bytes) is it too */
    uint64_t self_size;
    /* or NULL: interp_discover notes there what it reads, for the search
     * cache (launcher/icache.h; POSIX) */
    struct icache_note *note;
};

/* env->path, noted as read by the decision (plat_watch_env): what a
 * venv project decides never depends on PATH, what a search decides does
 * (launcher/plancache.h). */
const char *interp_env_path(const struct interp_env *env);

/* 1 if interp_discover would list path itself (a pythonX.Y, as written,
 * in a dir it searches: PATH, the system dirs, a pyenv or uv install's
 * bin), by the same rules, without listing anything: one candidate's
 * quick answer. 0 means "not by this rule" (a link to it elsewhere may
 * still be listed: ask the full list then). POSIX; Windows: always 0. */
int interp_finds(const struct interp_env *env, const char *path);
/* List every interpreter (see above). Never fails: unreadable places are
 * skipped (and traced). */
void interp_discover(struct interp_list *out, const struct interp_env *env,
                     struct trace *t);
/* Best match for req: highest minor, then highest micro, then first
 * found. Micro versions not known from a name are learned from the facts
 * cache when they decide. *out borrows from l. Returns -1 (e: which
 * versions exist) if nothing matches.
 * Windows: req_text is read again for the py launcher's suffixes: "t"
 * asks for a free-threaded build (and only then is one taken), "-32",
 * "-64", "-arm64" narrow the platform (pyver_plat_matches); on a micro
 * tie a native build beats a 32-bit one; and entries whose version
 * nothing told (a bare python.exe without its DLL, a registry entry
 * without SysVersion/Version) are asked (facts cache) before matching. */
int interp_pick(struct interp_list *l, const struct pyver *req,
                const char *req_text, const struct interp_env *env,
                struct interp **out, struct trace *t, struct err *e);
/* The interpreter installed under a pyenv/uv name ("3.12.1",
 * "pypy3.10-7.3.12", an env name), or NULL; entries marked shim are
 * passed over. Windows: names ignore ASCII
 * case, and a "Company/Tag" request (pyver_split_company_tag) that names
 * no entry exactly picks the highest version among the registry entries
 * of that company whose tag matches (pyver_tag_matches: "PythonCore/3"
 * finds "PythonCore/3.13"). */
struct interp *interp_by_name(struct interp_list *l, const char *name);
/* Append "3.8.18 (/path), 3.11.7 (/path), ..." for error messages.
 * Windows: a free-threaded build shows "t" and a known platform other
 * than x64 its suffix ("3.12-32 (C:\...)"). */
void interp_list_versions(const struct interp_list *l, struct sb *out);
void interp_list_release(struct interp_list *l);

/* The first program called name on PATH that is not the shim (nor in a
 * directory holding the shim). skip_scripts also passes over "#!" files
 * and pyenv's shims. Windows: the Store's alias directory
 * (interp_is_store_dir) is passed over too. Replaces out; returns -1 if
 * there is none. */
int interp_which(const struct interp_env *env, const char *name,
                 int skip_scripts, struct sb *out);
/* True if path is a shim: the running one (interp_is_self) or any pyshim
 * build of any version (it holds the mark, common/mark.h). Reads the whole
 * file: for the few candidates about to be used. */
int interp_is_shim(const struct interp_env *env, const char *path);
/* True if path resolves to the running shim, or is a byte-for-byte copy
 * of it (Windows installs copies; a copy found on PATH would run pyshim
 * again, and again). Only a file of the shim's size is read. */
int interp_is_self(const struct interp_env *env, const char *path);
/* True if dir is the Microsoft Store's alias directory: its last two
 * components are "Microsoft\WindowsApps" (ASCII case and the separator
 * ignored, a trailing separator allowed). Pure. On Windows such a
 * directory is never searched: its python.exe is a stub that opens the
 * Store. */
int interp_is_store_dir(const char *dir);

/* True if dir is the Python install manager's alias directory, its
 * global_dir %LOCALAPPDATA%\Python\bin (env->pymanager_root's bin; a
 * trailing separator allowed). Its python.exe, python3.14.exe and py.exe
 * are launchers that start a runtime the manager chooses, not
 * interpreters: the directory is never searched, as the Store's is not,
 * and the runtimes themselves are found (PEP 514, pythoncore-*). */
int interp_is_pymanager_bin(const struct interp_env *env, const char *dir);

#endif
