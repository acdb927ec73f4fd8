/*
 * plat: the one door to the operating system. Everything pyshim asks of
 * the OS goes through here (plat_posix.c; plat_win32*.c for Windows), so no
 * other file needs an #ifdef. Paths are UTF-8 char *.
 *
 * Unless stated otherwise functions return 0 on success and -1 on failure
 * with errno set; plat_strerror(errno) gives the text.
 */
#ifndef PYSHIM_PLAT_H
#define PYSHIM_PLAT_H

#include <stddef.h>
#include <stdint.h>

#include "common/sb.h"
#include "common/sv.h"

/* This OS's conventions. PLAT_WINDOWS is a constant (0 or 1), so code
 * elsewhere says `if (PLAT_WINDOWS)` and both branches keep compiling
 * everywhere; only this header asks the compiler which OS it is. A test
 * may define it to 1 on POSIX to check Windows rules in pure string code
 * (tests/unit/test_path_win). */
#ifndef PLAT_WINDOWS
#ifdef _WIN32
#define PLAT_WINDOWS 1
#else
#define PLAT_WINDOWS 0
#endif
#endif

/* macOS, the same way: 1 where the compiler targets Apple's systems. Its
 * rules (login shells, framework builds) are pure functions that take it
 * as an argument, so Linux tests check them with 1 (tests/unit/test_macos). */
#ifndef PLAT_MACOS
#ifdef __APPLE__
#define PLAT_MACOS 1
#else
#define PLAT_MACOS 0
#endif
#endif

#if PLAT_WINDOWS
#define PLAT_DIRSEP '\\'
#define PLAT_PATHSEP ';'
#define PLAT_EXE_SUFFIX ".exe"
#define PLAT_VENV_BIN "Scripts" /* a venv's programs */
#else
#define PLAT_DIRSEP '/'
#define PLAT_PATHSEP ':'
#define PLAT_EXE_SUFFIX ""
#define PLAT_VENV_BIN "bin"
#endif

struct plat_stat {
    uint64_t dev;
    uint64_t ino;
    uint64_t size;
    int64_t mtime_ns;
    int64_t ctime_ns; /* the inode's last change (POSIX; 0 on Windows) */
    unsigned perm;    /* permission bits (0777 and special bits) */
    uint64_t uid;     /* owner */
    uint64_t gid;     /* group (0 on Windows) */
    int is_dir;
    int is_reg;
    int is_lnk; /* only with follow == 0 */
};

/* Stat path; follow symlinks unless follow is 0. */
int plat_stat(const char *path, struct plat_stat *st, int follow);
/* True if path exists (following links) and is a directory / regular file. */
int plat_is_dir(const char *path);
int plat_is_file(const char *path);
/* True if path is a regular file this process may execute. */
int plat_is_executable(const char *path);
/* The uid of this process (0 is root). */
uint64_t plat_uid(void);
/* What else decides this process's access to files, as text (replaces
 * out): effective uid, real and effective gid and the supplementary
 * groups, sorted. Windows: empty. */
void plat_credentials(struct sb *out);
/* True if gid is this user's private group: their primary group, named
 * like them, with no other member (the user-private-group convention,
 * under which umask 002 makes directories group-writable without giving
 * anyone else a way in). Windows: 0. */
int plat_group_is_private(uint64_t gid);
/* The login name of this process's user (passwd entry of its uid) into
 * out (replaced); -1 when there is none. Windows: -1 (ENOSYS). */
int plat_user_name(struct sb *out);
/* This process's id. */
long plat_pid(void);
/* The wall clock (the one file times are taken from), in nanoseconds
 * since the epoch. */
int64_t plat_now_ns(void);

/* Current directory into out (replaced). Fails with ENOENT if deleted. */
int plat_getcwd(struct sb *out);
/* Canonical absolute path of an existing file (replaces out). */
int plat_realpath(const char *path, struct sb *out);
/* One view of the file system for one decision (resolve()): between
 * begin and end, plat_stat, plat_is_dir, plat_is_file, plat_realpath,
 * plat_opendir (the whole listing) and the name check of plat_read_*
 * answer a path asked before from the first answer (success, ENOENT,
 * ENOTDIR), so a path is asked of the kernel once. What follows from an
 * answer is not asked either: the stat of a name whose lstat showed no
 * link (or no name), the real path of a real path's directory, of a real
 * path itself, and of a name that is no link in a directory whose real
 * path is known. File contents are never kept: every read opens the file
 * and judges its descriptor. Any change pyshim makes (plat_write_atomic,
 * plat_mkdir*, plat_rename, plat_unlink, plat_rm*, plat_symlink,
 * plat_lock, plat_run, ...) forgets every answer. Nests; end frees at the
 * outermost. Windows: no memo (each call asks the OS). */
void plat_memo_begin(void);
void plat_memo_end(void);
/* What the decision's memo saw of directory dir (listed by plat_opendir
 * since plat_memo_begin): 1 if it holds name, 0 if not, -1 when dir was
 * not listed (or there is no memo: Windows). Asks the OS nothing. */
int plat_memo_listed(const char *dir, const char *name);
/*
 * The decision's inputs, for a cache that replays a decision
 * (launcher/plancache.h). Between plat_watch_begin and plat_watch_end
 * every answer the file system and the process gave through this door
 * is noted: each stat and lstat (and the descriptor's stat of every file
 * read and every directory listed), real path, link, the home dir, the
 * private-group check and environment variable. A decision that is
 * asked again the same questions and gets the same answers decides the
 * same. Any change pyshim makes meanwhile (what empties the memo), a file
 * that could not be read or listed, an answer that changed between two
 * questions, or a question no replay asks (plat_pid, plat_user_name)
 * spoils the watch. Not nested. Windows: no watch.
 */
enum plat_obs_kind {
    PLAT_OBS_STAT,  /* path, followed: err or st */
    PLAT_OBS_LSTAT, /* path, not followed: err or st */
    PLAT_OBS_REAL,  /* plat_realpath(path): err or value */
    PLAT_OBS_LINK,  /* plat_readlink(path): err or value */
    PLAT_OBS_HOME,  /* plat_home(): value (NULL: none) */
    PLAT_OBS_GROUP, /* plat_group_is_private(path = the gid): value "0"/"1" */
    PLAT_OBS_ENV    /* plat_getenv(path): value (NULL: unset) */
};

struct plat_obs {
    int kind;
    int meta; /* a stat asked only for type, mode, owner and identity
                 (plat_stat_meta): its times and size do not count */
    int err;  /* 0, or the errno the question got */
    struct plat_stat st;
    char *path;
    char *value;
};

void plat_watch_begin(void);
/* Stop watching. The observations, in the order asked (valid until the
 * next plat_watch_begin), in *obs and their count in *n; -1 when the
 * watch is spoilt or there is none (Windows). */
int plat_watch_end(const struct plat_obs **obs, size_t *n);
/* The decision used variable name's value, read before the watch (a
 * variable the shim reads of its own environment, as launcher/envvars
 * does): noted as if asked then. */
void plat_watch_env(const char *name, const char *value);
/* plat_stat for a question about a directory's type, mode and owner
 * only (pyshim's own dirs and the dirs above them): watched without its
 * times and size, which change whenever a name in it does. */
int plat_stat_meta(const char *path, struct plat_stat *st, int follow);
/* Absolute path of the running executable (replaces out). */
int plat_self_exe(struct sb *out);
/* The running executable's stat (st) and a path that opens it (out,
 * replaced): Linux /proc/self/exe (one stat, no readlink; it opens the
 * running file even when the name was replaced meanwhile); elsewhere
 * plat_self_exe's path. */
int plat_self_stat(struct sb *out, struct plat_stat *st);
/* Target of a symlink (replaces out). */
int plat_readlink(const char *path, struct sb *out);

const char *plat_getenv(const char *name);
/* The home directory: $HOME, else the password database. NULL if none. */
const char *plat_home(void);
int plat_setenv(const char *name, const char *value);
/* Remove name from this process's environment (and its children's). */
int plat_unsetenv(const char *name);
/* Jupyter's per-user data directory when JUPYTER_DATA_DIR is unset, as
 * jupyter_core's jupyter_data_dir() computes it: $XDG_DATA_HOME/jupyter
 * (~/.local/share/jupyter) on Linux and the BSDs, ~/Library/Jupyter on
 * macOS, %APPDATA%\jupyter on Windows. home is the user's home (may be
 * NULL). Replaces out; -1 with ENOENT when no base directory is known. */
int plat_jupyter_data_dir(const char *home, struct sb *out);
/* The POSIX rule of plat_jupyter_data_dir, a pure function so that both
 * OSes' answers are checked on Linux (tests/unit/test_macos): macos 1 gives
 * home/Library/Jupyter (jupyter_core reads no XDG variable there), 0
 * xdg_data_home/jupyter when xdg_data_home is set and not empty, else
 * home/.local/share/jupyter. Replaces out; -1 with ENOENT without home. */
int plat_jupyter_data_dir_posix(int macos, const char *home,
                                const char *xdg_data_home, struct sb *out);

/* Read a regular file, at most max bytes, into out (replaced), and never
 * block: the path is judged by name first, so a FIFO, socket or device is
 * never opened (opening some has effects of its own), then opened once
 * without blocking and judged again by its descriptor. Links are followed
 * (a linked config is legitimate); *st (may be NULL) gets the stat of
 * that descriptor, so the owner and mode judged from it are those of the
 * very bytes read. Fails with EISDIR for a directory, EINVAL for anything
 * else that is not a regular file (plat_read_strerror names it), EFBIG
 * when the file is larger than max. */
int plat_read_regular(const char *path, size_t max, struct sb *out,
                      struct plat_stat *st);
/* plat_read_regular without the stat: every file pyshim reads. */
int plat_read_file(const char *path, size_t max, struct sb *out);
/* The first n bytes (or fewer, at end of file) of a regular file into
 * out, with plat_read_regular's rules and errors (no EFBIG). */
int plat_read_head(const char *path, size_t n, struct sb *out);
/* plat_strerror for the errors of the reads above: EINVAL reads "not a
 * regular file (a FIFO, socket or device)". */
const char *plat_read_strerror(int errnum);
/* Write data to path atomically: a new temp file beside it (exclusive,
 * never following links), fsync, rename over path. mode is the new file's
 * permission bits. */
int plat_write_atomic(const char *path, const void *data, size_t len,
                      unsigned mode);
/* plat_write_atomic without the fsync, for a cache whose reader refuses a
 * record cut short (a crash may leave one): a run that records pays no
 * disk flush. Windows: plat_write_atomic. */
int plat_write_cache(const char *path, const void *data, size_t len,
                     unsigned mode);

int plat_mkdir(const char *path, unsigned mode); /* EEXIST is an error */
/* mkdir -p: create path and missing parents; existing dirs are fine. */
int plat_mkdirs(const char *path, unsigned mode);
int plat_symlink(const char *target, const char *linkpath);
int plat_rename(const char *from, const char *to);
int plat_unlink(const char *path);
int plat_rmdir(const char *path);
/* Remove a tree without following symlinks. Missing is not an error. */
int plat_rmtree(const char *path);
/* Create a fresh directory from template ending in XXXXXX (edited). */
int plat_mkdtemp(struct sb *tmpl);

/* An advisory lock on a file, for pyshim processes to take turns. It is
 * released by plat_unlock, or by the OS when the holder dies, so a killed
 * holder never leaves it held. POSIX: flock(); Windows: LockFileEx. */
struct plat_lock;
#define PLAT_LOCK_SHARED 1u /* shared with other shared holders */
#define PLAT_LOCK_NOWAIT 2u /* fail with EWOULDBLOCK rather than wait */
/* Open path (a regular file, created with mode 0644 if missing, never
 * through a symlink) and lock it: exclusive unless PLAT_LOCK_SHARED. *out
 * gets the handle (release it with plat_unlock). -1 with errno; EWOULDBLOCK
 * when PLAT_LOCK_NOWAIT and another process holds a conflicting lock. */
int plat_lock(const char *path, unsigned flags, struct plat_lock **out);
/* Release and close the lock (NULL: nothing). The file stays. */
void plat_unlock(struct plat_lock *l);

/* Directory listing: names other than "." and "..", in OS order. */
struct plat_dir;
/* Between plat_memo_begin/end the names plat_readdir returns live in the
 * memo: nothing that clears it (a write, mkdir, rename, unlink, lock or
 * child) may happen while such a listing is still being read. */
struct plat_dir *plat_opendir(const char *path);
const char *plat_readdir(struct plat_dir *d); /* NULL at end */
void plat_closedir(struct plat_dir *d);
/* The names in directory path (not "." and ".."), sorted bytewise, appended
 * to names. -1 (errno) if path cannot be opened; names is left unchanged. */
int plat_listdir(const char *path, struct sv *names);

/* Replace this process with path, argv (NULL-terminated), the current
 * environment. Returns only on failure (-1, errno).
 * Windows has no exec: there path runs as a child of CreateProcessW (argv
 * quoted so that the child's CommandLineToArgvW/CRT parsing gives back
 * exactly argv, see common/winargv.h), inheriting handles, in a job
 * object that kills it if the shim dies, with Ctrl+C and Ctrl+Break left
 * to it; this process waits and exits with the child's exit code. */
int plat_exec(const char *path, char *const argv[]);
/* Run path with argv and wait. If out is not NULL, the child's stdout is
 * captured into it (replaced) and its stdin is /dev/null; stderr is kept
 * only if keep_stderr. *status gets the exit code, or 128+signal. */
int plat_run(const char *path, char *const argv[], struct sb *out,
             int keep_stderr, int *status);

/* Make main's argv UTF-8. POSIX: left as it is (bytes are the OS's own
 * paths). Windows: rebuilt from GetCommandLineW, so no argument is lost to
 * the ANSI code page. The new array lives until the process ends. */
void plat_main_args(int *argc, char ***argv);

/* Registry access (Windows); POSIX returns -1 with ENOSYS. key is a
 * subkey path with backslashes ("Software\\Python"). Values are strings
 * (REG_SZ / REG_EXPAND_SZ, returned unexpanded). */
enum plat_hive {
    PLAT_HKCU,  /* HKEY_CURRENT_USER */
    PLAT_HKLM,  /* HKEY_LOCAL_MACHINE, the 64-bit view */
    PLAT_HKLM32 /* HKEY_LOCAL_MACHINE, the 32-bit view (WOW6432Node) */
};
/* Read a string value ("" or NULL name: the key's default). ENOENT if the
 * key or value is missing. Replaces out. *expand (may be NULL) is set to 1
 * for a REG_EXPAND_SZ value. */
int plat_reg_get(enum plat_hive hive, const char *key, const char *name,
                 struct sb *out, int *expand);
/* Create key as needed and set a string value: REG_EXPAND_SZ if expand,
 * else REG_SZ. */
int plat_reg_set(enum plat_hive hive, const char *key, const char *name,
                 const char *value, int expand);
/* Delete a value; ENOENT if it was not there. */
int plat_reg_delete(enum plat_hive hive, const char *key, const char *name);
/* Append the names of key's subkeys, in registry order. ENOENT if none. */
int plat_reg_subkeys(enum plat_hive hive, const char *key, struct sv *names);
/* Tell running programs that the user's environment changed (Windows:
 * WM_SETTINGCHANGE "Environment", with a timeout). POSIX: nothing. */
void plat_env_changed(void);

/* Hard link from to `to`, else copy it (data and, on POSIX, the mode),
 * atomically into place. Windows installs copies of pyshim.exe this way:
 * a symlink there needs privileges. */
int plat_link_or_copy(const char *from, const char *to);

/* Load a shared library with all its symbols global (so the C extension
 * modules a Python loads later find libpython's symbols), bound lazily.
 * NULL on failure; plat_dlerror() tells why. */
void *plat_dlopen(const char *path);
void *plat_dlsym(void *lib, const char *name);
const char *plat_dlerror(void);
/* Windows' Py_Main takes UTF-16 argv: a new wchar_t ** (NULL-terminated)
 * converted from UTF-8 argv, alive until the process ends. POSIX: NULL
 * (Py_BytesMain takes argv as it is). Returned as void * so this header
 * needs no wchar.h. */
void *plat_wide_argv(int argc, char *const argv[]);

const char *plat_strerror(int errnum);

/* True if file descriptor fd (0: stdin) is a terminal: whether the CLI may
 * ask the user a question and read the answer there. */
int plat_isatty(int fd);

#endif
