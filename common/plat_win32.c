/*
 * plat_win32: plat.h for Windows (mingw-w64, UNICODE).
 *
 * Everything pyshim sees is UTF-8 char *; UTF-16 exists only here, at the
 * Win32 boundary (the W functions). Invalid UTF-8 given to any function is
 * EILSEQ. Paths may use '/' or '\\'; a path too long for the classic
 * MAX_PATH limit is made absolute and given the \\?\ (or \\?\UNC\) prefix
 * on its way to Windows. Win32 errors become errno values (win_errno).
 */
#include "common/plat.h"

#include <windows.h>
#include <shellapi.h>
#include <winioctl.h>

#include <errno.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "common/winargv.h"
#include "common/xalloc.h"
#include "common/banned.h"

#ifndef SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE
#define SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE 0x2
#endif

/* CreateDirectoryW's limit (MAX_PATH less room for an 8.3 name) is the
 * lowest of the classic limits: from this length on, paths get \\?\. */
#define LONG_PATH (MAX_PATH - 12)

/* The longest command line CreateProcessW takes, NUL included. */
#define MAX_CMDLINE 32767

static int win_errno(DWORD e)
{
    switch (e) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_DRIVE:
    case ERROR_NO_MORE_FILES:
    case ERROR_BAD_NETPATH:
    case ERROR_BAD_NET_NAME:
    case ERROR_BAD_PATHNAME:
    case ERROR_INVALID_NAME: /* "C:\a:b", "x\*": nothing can be there */
    case ERROR_MOD_NOT_FOUND:
        return ENOENT;
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
    case ERROR_CURRENT_DIRECTORY:
    case ERROR_WRITE_PROTECT:
    case ERROR_CANT_ACCESS_FILE:
        return EACCES;
    case ERROR_PRIVILEGE_NOT_HELD:
        return EPERM;
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS:
        return EEXIST;
    case ERROR_DIR_NOT_EMPTY:
        return ENOTEMPTY;
    case ERROR_DIRECTORY:
        return ENOTDIR;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
        return ENOMEM;
    case ERROR_NOT_SAME_DEVICE:
        return EXDEV;
    case ERROR_BUSY:
    case ERROR_PIPE_BUSY:
        return EBUSY;
    case ERROR_FILENAME_EXCED_RANGE:
    case ERROR_BUFFER_OVERFLOW:
        return ENAMETOOLONG;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL:
        return ENOSPC;
    case ERROR_BAD_EXE_FORMAT:
    case ERROR_EXE_MACHINE_TYPE_MISMATCH:
        return ENOEXEC;
    case ERROR_CANT_RESOLVE_FILENAME:
        return ELOOP;
    case ERROR_BROKEN_PIPE:
    case ERROR_NO_DATA:
        return EPIPE;
    case ERROR_NOT_SUPPORTED:
    case ERROR_INVALID_FUNCTION:
    case ERROR_CALL_NOT_IMPLEMENTED:
        return ENOSYS;
    case ERROR_FILE_TOO_LARGE:
        return EFBIG;
    case 740: /* ERROR_ELEVATION_REQUIRED, missing from mingw's winerror.h */
        return EACCES;
    case ERROR_NOT_READY:
        return ENOENT; /* an empty card reader or DVD drive on PATH */
    case ERROR_NO_UNICODE_TRANSLATION:
        return EILSEQ;
    case ERROR_TOO_MANY_OPEN_FILES:
        return EMFILE;
    default:
        return EINVAL;
    }
}

/* -1 with errno from GetLastError() (or from e, for registry calls). */
static int fail(void)
{
    errno = win_errno(GetLastError());
    return -1;
}

static int fail_with(LSTATUS e)
{
    errno = win_errno((DWORD)e);
    return -1;
}

/* s as UTF-16 (caller frees). NULL with EILSEQ if s is not UTF-8. */
static wchar_t *to_wide(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
    wchar_t *w;

    if (n <= 0) {
        errno = EILSEQ;
        return NULL;
    }
    w = xmalloc((size_t)n * sizeof(*w));
    MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n);
    return w;
}

/* Append n UTF-16 units of w (-1: up to its NUL) to out as UTF-8. -1 with
 * EILSEQ for an unpaired surrogate (a name no UTF-8 string can give back),
 * out unchanged. */
static int add_utf8(struct sb *out, const wchar_t *w, int n)
{
    int len;

    if (!n || (n < 0 && !*w))
        return 0;
    len = WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, w, n, NULL, 0,
                              NULL, NULL);
    if (len <= 0) {
        errno = EILSEQ;
        return -1;
    }
    sb_grow(out, (size_t)len);
    WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, w, n,
                        out->buf + out->len, len, NULL, NULL);
    sb_setlen(out, out->len + (size_t)len - (n < 0 ? 1 : 0));
    return 0;
}

/* A new UTF-8 string for w, unpaired surrogates made U+FFFD: for text
 * that must come through whatever it holds (argv, messages). */
static char *utf8_lossy(const wchar_t *w)
{
    int len = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    char *s;

    if (len <= 0)
        return xstrdup("");
    s = xmalloc((size_t)len);
    WideCharToMultiByte(CP_UTF8, 0, w, -1, s, len, NULL, NULL);
    return s;
}

static int is_sep(int c)
{
    return c == '/' || c == '\\';
}

/* path for a Win32 call (caller frees): '/' made '\\', and a long path
 * made absolute with the \\?\ prefix, which lifts the MAX_PATH limit (and
 * with it the normalization Windows does, hence GetFullPathNameW first).
 * NULL with EILSEQ for invalid UTF-8. */
static wchar_t *wpath(const char *path)
{
    wchar_t *w = to_wide(path), *full, *res, *p;
    DWORD n, m;

    if (!w)
        return NULL;
    for (p = w; *p; p++)
        if (*p == L'/')
            *p = L'\\';
    if (!wcsncmp(w, L"\\\\?\\", 4) || !wcsncmp(w, L"\\\\.\\", 4))
        return w;
    /* The length that matters is the absolute one: a short relative path
     * under a deep current directory is long too. */
    n = GetFullPathNameW(w, 0, NULL, NULL);
    if (!n || n <= LONG_PATH)
        return w; /* short, or the call it is meant for fails and says why */
    full = xmalloc((size_t)n * sizeof(*full));
    m = GetFullPathNameW(w, n, full, NULL);
    if (!m || m >= n || !wcsncmp(full, L"\\\\.\\", 4) ||
        !wcsncmp(full, L"\\\\?\\", 4)) {
        /* a device name ("...\\nul" is \\.\nul) or a failure: as given */
        free(full);
        return w;
    }
    n = m;
    free(w);
    res = xmalloc(((size_t)n + 8) * sizeof(*res));
    if (full[0] == L'\\' && full[1] == L'\\') {
        memcpy(res, L"\\\\?\\UNC", 7 * sizeof(*res));
        memcpy(res + 7, full + 1, (size_t)n * sizeof(*res)); /* NUL too */
    } else {
        memcpy(res, L"\\\\?\\", 4 * sizeof(*res));
        memcpy(res + 4, full, ((size_t)n + 1) * sizeof(*res));
    }
    free(full);
    return res;
}

/* Set out to w without a \\?\ prefix: \\?\C:\x is C:\x, \\?\UNC\srv\x is
 * \\srv\x (what users write and what wpath takes back). */
static int set_plain_path(struct sb *out, const wchar_t *w)
{
    sb_reset(out);
    if (!wcsncmp(w, L"\\\\?\\UNC\\", 8)) {
        sb_addch(out, '\\');
        return add_utf8(out, w + 7, -1);
    }
    if (!wcsncmp(w, L"\\\\?\\", 4) && w[4] && w[5] == L':')
        w += 4;
    return add_utf8(out, w, -1);
}

/* A cheap, well-mixed number for temp names (not a secret: the names are
 * created exclusively, so guessing one only makes a create fail). */
static uint64_t next_random(void)
{
    static uint64_t x;
    LARGE_INTEGER t;

    if (!x) {
        QueryPerformanceCounter(&t);
        x = (uint64_t)t.QuadPart ^ ((uint64_t)GetCurrentProcessId() << 32) ^
            GetTickCount64() ^ 0x9e3779b97f4a7c15ULL;
    }
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
}

static int has_exec_suffix(const char *path)
{
    static const char *const exts[] = {".exe", ".com", ".bat", ".cmd"};
    size_t n = strlen(path), i, j;

    if (n < 4)
        return 0;
    for (i = 0; i < sizeof(exts) / sizeof(*exts); i++) {
        for (j = 0; j < 4; j++)
            if ((path[n - 4 + j] | 0x20) != exts[i][j])
                break;
        if (j == 4)
            return 1;
    }
    return 0;
}

/* Open path for its metadata only. follow 0: the link itself. */
static HANDLE open_meta(const char *path, int follow)
{
    wchar_t *w = wpath(path);
    DWORD flags = FILE_FLAG_BACKUP_SEMANTICS; /* directories open too */
    DWORD share = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
    HANDLE h;

    if (!w)
        return INVALID_HANDLE_VALUE;
    h = CreateFileW(w, FILE_READ_ATTRIBUTES, share, NULL, OPEN_EXISTING,
                    flags | (follow ? 0 : FILE_FLAG_OPEN_REPARSE_POINT), NULL);
    /* A reparse point Windows cannot follow in a plain open (the Store's
     * python.exe app execution alias): the file is the reparse point. */
    if (h == INVALID_HANDLE_VALUE && follow &&
        GetLastError() == ERROR_CANT_ACCESS_FILE)
        h = CreateFileW(w, FILE_READ_ATTRIBUTES, share, NULL, OPEN_EXISTING,
                        flags | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
    if (h == INVALID_HANDLE_VALUE)
        fail();
    free(w);
    return h;
}

static int is_link_tag(DWORD tag)
{
    return tag == IO_REPARSE_TAG_SYMLINK || tag == IO_REPARSE_TAG_MOUNT_POINT;
}

/* Fill st from an open handle (see plat_stat); -1 (errno) on failure. */
static int stat_handle(HANDLE h, const char *path, int follow,
                       struct plat_stat *st)
{
    BY_HANDLE_FILE_INFORMATION fi;
    FILE_ATTRIBUTE_TAG_INFO ti;
    int64_t t;
    DWORD type;

    if (!GetFileInformationByHandle(h, &fi))
        return fail();
    type = GetFileType(h);
    memset(st, 0, sizeof(*st));
    if (!follow && (fi.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) &&
        GetFileInformationByHandleEx(h, FileAttributeTagInfo, &ti, sizeof(ti)))
        st->is_lnk = is_link_tag(ti.ReparseTag);
    st->dev = fi.dwVolumeSerialNumber;
    st->ino = (uint64_t)fi.nFileIndexHigh << 32 | fi.nFileIndexLow;
    st->size = (uint64_t)fi.nFileSizeHigh << 32 | fi.nFileSizeLow;
    /* FILETIME: 100 ns units since 1601-01-01. */
    t = (int64_t)((uint64_t)fi.ftLastWriteTime.dwHighDateTime << 32 |
                  fi.ftLastWriteTime.dwLowDateTime);
    /* 100 ns ticks since 1601; a FILETIME before 1677 (an all-zero one,
     * as some archives and shares report) does not fit in int64 ns */
    t -= INT64_C(116444736000000000);
    st->mtime_ns = t < INT64_MIN / 100   ? INT64_MIN
                   : t > INT64_MAX / 100 ? INT64_MAX
                                         : t * 100;
    if (!st->is_lnk) {
        st->is_dir = !!(fi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY);
        /* NUL, CON, pipes: not regular files */
        st->is_reg = !st->is_dir && type == FILE_TYPE_DISK;
    }
    /* Windows has no mode bits: what a POSIX stat would show for such a
     * file, so the checks written for modes read sensibly. */
    st->perm = st->is_dir || has_exec_suffix(path) ? 0755 : 0644;
    if (fi.dwFileAttributes & FILE_ATTRIBUTE_READONLY)
        st->perm &= ~0222u;
    /* Windows ownership is an ACL, which pyshim does not check: every file
     * is reported as the user's own, so the "owned by me or root" checks
     * (discover.c, resolve.c) come down to the synthesized modes. */
    st->uid = plat_uid();
    return 0;
}

int plat_stat(const char *path, struct plat_stat *st, int follow)
{
    HANDLE h = open_meta(path, follow);
    int ret;

    if (h == INVALID_HANDLE_VALUE)
        return -1;
    ret = stat_handle(h, path, follow, st);
    CloseHandle(h);
    return ret;
}

int plat_is_dir(const char *path)
{
    struct plat_stat st;

    return !plat_stat(path, &st, 1) && st.is_dir;
}

int plat_is_file(const char *path)
{
    struct plat_stat st;

    return !plat_stat(path, &st, 1) && st.is_reg;
}

int plat_is_executable(const char *path)
{
    return has_exec_suffix(path) && plat_is_file(path);
}

uint64_t plat_uid(void)
{
    return 1; /* never 0: nobody is "root" here, see plat_stat */
}

int plat_group_is_private(uint64_t gid)
{
    (void)gid; /* no POSIX groups: plat_stat reports gid 0 */
    return 0;
}

long plat_pid(void)
{
    return (long)GetCurrentProcessId();
}

int plat_getcwd(struct sb *out)
{
    DWORD n = GetCurrentDirectoryW(0, NULL), got;
    wchar_t *w;
    int ret;

    sb_reset(out);
    for (;;) {
        if (!n)
            return fail();
        w = xmalloc((size_t)n * sizeof(*w));
        got = GetCurrentDirectoryW(n, w);
        if (got && got < n)
            break;
        free(w);
        if (!got)
            return fail();
        n = got;
    }
    ret = set_plain_path(out, w);
    free(w);
    return ret;
}

/* The final path of an open handle (replaces out). */
static int final_path(HANDLE h, struct sb *out)
{
    DWORD n = MAX_PATH, got;
    wchar_t *w;
    int ret;

    for (;;) {
        w = xmalloc((size_t)n * sizeof(*w));
        got = GetFinalPathNameByHandleW(h, w, n,
                                        FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
        if (got && got < n)
            break;
        free(w);
        if (!got && (GetLastError() != ERROR_MORE_DATA || n >= 32768))
            return fail();
        /* Wine answers a long name with 0 and ERROR_MORE_DATA: the
         * longest a path can be, then */
        n = got ? got : 32768;
    }
    ret = set_plain_path(out, w);
    free(w);
    return ret;
}

int plat_realpath(const char *path, struct sb *out)
{
    HANDLE h = open_meta(path, 1);
    wchar_t *w, *full;
    DWORD n;
    int ret;

    if (h == INVALID_HANDLE_VALUE)
        return -1;
    ret = final_path(h, out);
    CloseHandle(h);
    if (!ret)
        return 0;
    /* The file is there but its final name cannot be had: a file system
     * that does not say (some network and RAM disks), or Wine 8, which
     * fails for names past MAX_PATH. The absolute, normalized path is the
     * best answer left (links in it stay unresolved). */
    w = wpath(path);
    if (!w)
        return -1;
    n = GetFullPathNameW(w, 0, NULL, NULL);
    full = xmalloc(((size_t)n + 1) * sizeof(*full));
    if (!n || !GetFullPathNameW(w, n + 1, full, NULL))
        ret = fail();
    else
        ret = set_plain_path(out, full);
    free(full);
    free(w);
    return ret;
}

int plat_self_exe(struct sb *out)
{
    DWORD n = MAX_PATH, got;
    wchar_t *w;
    int ret;

    for (;;) {
        w = xmalloc((size_t)n * sizeof(*w));
        got = GetModuleFileNameW(NULL, w, n);
        if (got && got < n)
            break;
        free(w);
        if (!got)
            return fail();
        n *= 2;
    }
    ret = set_plain_path(out, w);
    free(w);
    return ret;
}

static unsigned short get16(const unsigned char *p)
{
    unsigned short v;

    memcpy(&v, p, sizeof(v));
    return v;
}

/* Append the UTF-16 path at buf + off (len bytes) as UTF-8. */
static int add_reparse_name(struct sb *out, const unsigned char *buf,
                            size_t size, size_t off, size_t len)
{
    wchar_t *w;
    int ret;

    if (off + len > size || len % 2) {
        errno = EINVAL;
        return -1;
    }
    w = xmalloc(len + sizeof(*w));
    memcpy(w, buf + off, len);
    w[len / 2] = L'\0';
    /* a substitute name is an NT path: \??\C:\x, \??\UNC\srv\x */
    if (!wcsncmp(w, L"\\??\\UNC\\", 8)) {
        sb_addch(out, '\\');
        ret = add_utf8(out, w + 7, -1);
    } else {
        ret = add_utf8(out, w + (wcsncmp(w, L"\\??\\", 4) ? 0 : 4), -1);
    }
    free(w);
    return ret;
}

int plat_readlink(const char *path, struct sb *out)
{
    HANDLE h = open_meta(path, 0);
    unsigned char *buf;
    DWORD got = 0, tag;
    size_t data; /* the offset of the names after the fixed fields */
    unsigned short sub_off, sub_len, print_off, print_len;
    int ret = -1;

    sb_reset(out);
    if (h == INVALID_HANDLE_VALUE)
        return -1;
    buf = xmalloc(MAXIMUM_REPARSE_DATA_BUFFER_SIZE);
    if (!DeviceIoControl(h, FSCTL_GET_REPARSE_POINT, NULL, 0, buf,
                         MAXIMUM_REPARSE_DATA_BUFFER_SIZE, &got, NULL)) {
        fail(); /* ERROR_NOT_A_REPARSE_POINT: EINVAL, as readlink says */
        goto out;
    }
    /* REPARSE_DATA_BUFFER: tag, length, reserved, then four name
     * offsets/lengths (bytes) and, for symlinks only, a flags word. */
    memcpy(&tag, buf, sizeof(tag));
    if (!is_link_tag(tag) || got < 16) {
        errno = EINVAL;
        goto out;
    }
    sub_off = get16(buf + 8);
    sub_len = get16(buf + 10);
    print_off = get16(buf + 12);
    print_len = get16(buf + 14);
    data = tag == IO_REPARSE_TAG_SYMLINK ? 20 : 16;
    if (print_len)
        ret = add_reparse_name(out, buf, got, data + print_off, print_len);
    else
        ret = add_reparse_name(out, buf, got, data + sub_off, sub_len);
out:
    free(buf);
    CloseHandle(h);
    return ret;
}

/*
 * Environment. The process environment block (GetEnvironmentVariableW) is
 * the truth: it is what children inherit and it holds every character
 * exactly, where the CRT's copy for a main() program may have gone
 * through the ANSI code page. plat_getenv's strings must outlive the call,
 * so every name=value it has returned is kept; a changed value is a new
 * entry, an old pointer stays valid.
 */
struct env_entry {
    struct env_entry *next;
    char *name;
    char *value;
};

static struct env_entry *env_seen;

static const char *keep_value(const char *name, const char *value)
{
    struct env_entry *e;

    for (e = env_seen; e; e = e->next)
        if (!strcmp(e->name, name) && !strcmp(e->value, value))
            return e->value;
    e = xmalloc(sizeof(*e));
    e->name = xstrdup(name);
    e->value = xstrdup(value);
    e->next = env_seen;
    env_seen = e;
    return e->value;
}

const char *plat_getenv(const char *name)
{
    wchar_t *wname = to_wide(name), *w = NULL;
    struct sb val = SB_INIT;
    const char *ret = NULL;
    DWORD n = 256, got;

    if (!wname)
        return NULL;
    for (;;) {
        w = xrealloc(w, (size_t)n * sizeof(*w));
        SetLastError(ERROR_SUCCESS);
        got = GetEnvironmentVariableW(wname, w, n);
        if (!got && GetLastError() == ERROR_ENVVAR_NOT_FOUND)
            goto out;
        if (got < n)
            break;
        n = got;
    }
    w[got] = L'\0';
    if (add_utf8(&val, w, -1) < 0)
        goto out;
    ret = keep_value(name, val.buf);
out:
    free(wname);
    free(w);
    sb_release(&val);
    return ret;
}

const char *plat_home(void)
{
    const char *h = plat_getenv("USERPROFILE");
    const char *drive, *path;
    struct sb both = SB_INIT;

    if (h && *h)
        return h;
    drive = plat_getenv("HOMEDRIVE");
    path = plat_getenv("HOMEPATH");
    if (!drive || !*drive || !path || !*path)
        return NULL;
    sb_addf(&both, "%s%s", drive, path);
    h = keep_value("HOMEDRIVE+HOMEPATH", both.buf);
    sb_release(&both);
    return h;
}

int plat_setenv(const char *name, const char *value)
{
    wchar_t *wname = to_wide(name), *wvalue = to_wide(value), *entry;
    size_t nn, nv;
    int ret = -1;

    if (!wname || !wvalue || !*name || strchr(name, '=')) {
        if (wname && wvalue)
            errno = EINVAL;
        goto out;
    }
    /* Children get the environment block; the CRT keeps its own copy for
     * getenv: set both so they agree. The CRT first: it cannot hold an
     * empty value, and for "" it removes the name from its copy and from
     * the block, where SetEnvironmentVariableW then puts it back empty. */
    nn = wcslen(wname);
    nv = wcslen(wvalue);
    entry = xmalloc((nn + nv + 2) * sizeof(*entry));
    memcpy(entry, wname, nn * sizeof(*entry));
    entry[nn] = L'=';
    memcpy(entry + nn + 1, wvalue, (nv + 1) * sizeof(*entry));
    _wputenv(entry);
    free(entry);
    if (!SetEnvironmentVariableW(wname, wvalue)) {
        fail();
        goto out;
    }
    ret = 0;
out:
    free(wname);
    free(wvalue);
    return ret;
}

int plat_jupyter_data_dir(const char *home, struct sb *out)
{
    const char *appdata = plat_getenv("APPDATA");

    /* jupyter_core: %APPDATA%\jupyter, else ~\.jupyter\data */
    sb_reset(out);
    if (appdata && *appdata) {
        sb_addf(out, "%s\\jupyter", appdata);
        return 0;
    }
    if (!home || !*home) {
        errno = ENOENT;
        return -1;
    }
    sb_addf(out, "%s\\.jupyter\\data", home);
    return 0;
}

/* Open an existing regular file for reading: EISDIR for a directory,
 * EINVAL for anything else that is not a file on disk (a named pipe, NUL,
 * CON, a device: GetFileType is not FILE_TYPE_DISK), so no read ever
 * waits on a pipe. st (may be NULL) gets the handle's stat. */
static HANDLE open_read(const char *path, struct plat_stat *st)
{
    wchar_t *w = wpath(path);
    struct plat_stat s;
    HANDLE h;

    if (!w)
        return INVALID_HANDLE_VALUE;
    h = CreateFileW(w, GENERIC_READ,
                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                    NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
    free(w);
    if (h == INVALID_HANDLE_VALUE) {
        fail();
        return h;
    }
    if (stat_handle(h, path, 1, &s) < 0) {
        CloseHandle(h);
        return INVALID_HANDLE_VALUE;
    }
    if (!s.is_reg) {
        CloseHandle(h);
        errno = s.is_dir ? EISDIR : EINVAL;
        return INVALID_HANDLE_VALUE;
    }
    if (st)
        *st = s;
    return h;
}

/* Read until end of file or until out holds limit bytes. */
static int read_upto(HANDLE h, size_t limit, struct sb *out)
{
    while (out->len < limit) {
        DWORD want = 65536, got;

        if (limit - out->len < want)
            want = (DWORD)(limit - out->len);
        sb_grow(out, want);
        if (!ReadFile(h, out->buf + out->len, want, &got, NULL)) {
            if (GetLastError() == ERROR_BROKEN_PIPE)
                break; /* a pipe's end of file */
            return fail();
        }
        if (!got)
            break;
        sb_setlen(out, out->len + got);
    }
    return 0;
}

/* The first limit bytes of path (all of it if shorter) into out. */
static int read_path(const char *path, size_t limit, struct sb *out,
                     struct plat_stat *st)
{
    HANDLE h;
    int ret;

    sb_reset(out);
    h = open_read(path, st);
    if (h == INVALID_HANDLE_VALUE)
        return -1;
    ret = read_upto(h, limit, out);
    CloseHandle(h);
    return ret;
}

int plat_read_regular(const char *path, size_t max, struct sb *out,
                      struct plat_stat *st)
{
    /* one byte past max tells a file of exactly max from a larger one */
    int ret = read_path(path, max == (size_t)-1 ? max : max + 1, out, st);

    if (!ret && out->len > max) {
        errno = EFBIG;
        ret = -1;
    }
    if (ret)
        sb_reset(out);
    return ret;
}

int plat_read_head(const char *path, size_t n, struct sb *out)
{
    return read_path(path, n, out, NULL);
}

static int write_all(HANDLE h, const char *p, size_t len)
{
    while (len) {
        DWORD want = len > 1u << 30 ? 1u << 30 : (DWORD)len, done;

        if (!WriteFile(h, p, want, &done, NULL))
            return fail();
        p += done;
        len -= done;
    }
    return 0;
}

/* MoveFileExW over `to`; a read-only `to` is replaced as on POSIX, where
 * a file's own mode does not stop a rename over it. */
static int move_over(const wchar_t *from, const wchar_t *to, DWORD flags)
{
    DWORD attrs;

    if (MoveFileExW(from, to, MOVEFILE_REPLACE_EXISTING | flags))
        return 0;
    if (GetLastError() != ERROR_ACCESS_DENIED)
        return fail();
    attrs = GetFileAttributesW(to);
    if (attrs == INVALID_FILE_ATTRIBUTES ||
        !(attrs & FILE_ATTRIBUTE_READONLY) ||
        (attrs & FILE_ATTRIBUTE_DIRECTORY)) {
        SetLastError(ERROR_ACCESS_DENIED);
        return fail();
    }
    SetFileAttributesW(to, attrs & ~(DWORD)FILE_ATTRIBUTE_READONLY);
    if (MoveFileExW(from, to, MOVEFILE_REPLACE_EXISTING | flags))
        return 0;
    fail();
    SetFileAttributesW(to, attrs);
    return -1;
}

/* A fresh temp name beside path (into tmp), for the Win32 call (caller
 * frees; NULL with errno). Callers create it exclusively and try again
 * when it exists. */
static wchar_t *temp_wpath(const char *path, struct sb *tmp)
{
    sb_reset(tmp);
    sb_addf(tmp, "%s.tmp-%ld-%llx", path, plat_pid(),
            (unsigned long long)(next_random() & 0xffffffffffULL));
    return wpath(tmp->buf);
}

int plat_write_atomic(const char *path, const void *data, size_t len,
                      unsigned mode)
{
    struct sb tmp = SB_INIT;
    wchar_t *wtmp = NULL, *wto = wpath(path);
    HANDLE h = INVALID_HANDLE_VALUE;
    /* no write bit at all: the file is read-only, the one mode bit that
     * Windows has */
    DWORD attrs = mode & 0222 ? FILE_ATTRIBUTE_NORMAL : FILE_ATTRIBUTE_READONLY;
    int ret = -1, saved, i;

    if (!wto)
        return -1;
    /* An exclusive (CREATE_NEW) fresh name beside the target: a planted
     * file or link there makes the create fail, it is never written
     * through. */
    for (i = 0; i < 100; i++) {
        free(wtmp);
        wtmp = temp_wpath(path, &tmp);
        if (!wtmp)
            goto out;
        h = CreateFileW(wtmp, GENERIC_WRITE, 0, NULL, CREATE_NEW, attrs, NULL);
        if (h != INVALID_HANDLE_VALUE || GetLastError() != ERROR_FILE_EXISTS)
            break;
    }
    if (h == INVALID_HANDLE_VALUE) {
        fail();
        free(wtmp);
        wtmp = NULL; /* nothing of ours to delete */
        goto out;
    }
    if (write_all(h, data, len) < 0)
        goto out;
    if (!FlushFileBuffers(h)) {
        fail();
        goto out;
    }
    CloseHandle(h);
    h = INVALID_HANDLE_VALUE;
    if (move_over(wtmp, wto, MOVEFILE_WRITE_THROUGH) < 0)
        goto out;
    ret = 0;
out:
    saved = errno;
    if (h != INVALID_HANDLE_VALUE)
        CloseHandle(h);
    if (ret && wtmp) {
        SetFileAttributesW(wtmp, FILE_ATTRIBUTE_NORMAL);
        DeleteFileW(wtmp);
    }
    free(wtmp);
    free(wto);
    sb_release(&tmp);
    errno = saved;
    return ret;
}

int plat_mkdir(const char *path, unsigned mode)
{
    wchar_t *w = wpath(path);
    int ret = 0;

    (void)mode; /* a new directory inherits its parent's ACL */
    if (!w)
        return -1;
    if (!CreateDirectoryW(w, NULL))
        ret = fail();
    free(w);
    return ret;
}

/* Length of the root of path, which mkdirs never creates: "C:\" or "C:",
 * "\\srv\share", "\\?\C:\", "\\?\UNC\srv\share", a leading "\". */
static size_t root_len(const char *p)
{
    size_t i = 0, n;

    if (is_sep(p[0]) && is_sep(p[1]) && (p[2] == '?' || p[2] == '.') &&
        is_sep(p[3])) {
        i = 4;
        if (!strncmp(p + 4, "UNC", 3) && is_sep(p[7]))
            i = 8; /* then server and share, as below */
        else if (p[i] && p[i + 1] == ':')
            return i + 2 + !!is_sep(p[i + 2]);
        else
            return i;
    } else if (is_sep(p[0]) && is_sep(p[1])) {
        i = 2;
    } else if (p[0] && p[1] == ':') {
        return 2 + !!is_sep(p[2]);
    } else {
        return is_sep(p[0]) ? 1 : 0;
    }
    for (n = 0; n < 2; n++) { /* server, share */
        while (p[i] && !is_sep(p[i]))
            i++;
        if (n == 0 && p[i])
            i++;
    }
    return i;
}

int plat_mkdirs(const char *path, unsigned mode)
{
    struct sb p = SB_INIT;
    size_t i, start;
    int ret = 0;

    sb_addstr(&p, path);
    start = root_len(p.buf);
    for (i = start; i <= p.len && !ret; i++) {
        char c = p.buf[i];

        if (!(c == '\0' || is_sep(c)) || i == start || is_sep(p.buf[i - 1]))
            continue;
        p.buf[i] = '\0';
        if (plat_mkdir(p.buf, mode) < 0) {
            /* EEXIST, or EACCES for a directory we may not create in but
             * that is there ("C:\Users"): fine if it is a directory */
            int saved = errno;

            if (plat_is_dir(p.buf))
                errno = 0;
            else {
                errno = saved == EEXIST ? ENOTDIR : saved;
                ret = -1;
            }
        }
        p.buf[i] = c;
    }
    sb_release(&p);
    return ret;
}

/* True if a link at linkpath to target would point at a directory. */
static int target_is_dir(const char *target, const char *linkpath)
{
    struct sb full = SB_INIT;
    const char *slash = NULL, *p;
    int ret;

    if (root_len(target)) /* absolute, or drive- or root-relative */
        return plat_is_dir(target);
    for (p = linkpath; *p; p++)
        if (is_sep(*p))
            slash = p;
    if (slash)
        sb_add(&full, linkpath, (size_t)(slash - linkpath) + 1);
    sb_addstr(&full, target);
    ret = plat_is_dir(full.buf);
    sb_release(&full);
    return ret;
}

int plat_symlink(const char *target, const char *linkpath)
{
    wchar_t *wtarget = to_wide(target), *wlink = wpath(linkpath), *p;
    DWORD flags =
        target_is_dir(target, linkpath) ? SYMBOLIC_LINK_FLAG_DIRECTORY : 0;
    int ret = -1;

    if (!wtarget || !wlink)
        goto out;
    for (p = wtarget; *p; p++) /* a relative target with '/' never resolves */
        if (*p == L'/')
            *p = L'\\';
    /* Developer mode lets a normal user create symlinks with this flag;
     * Windows before 10 1703 rejects the flag itself: try without. */
    if (CreateSymbolicLinkW(wlink, wtarget,
                            flags |
                                SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE) ||
        (GetLastError() == ERROR_INVALID_PARAMETER &&
         CreateSymbolicLinkW(wlink, wtarget, flags))) {
        /* Wine 8's CreateSymbolicLinkW is a stub that creates nothing and
         * says it did: believe the file system, not the answer. */
        DWORD attrs = GetFileAttributesW(wlink);

        if (attrs != INVALID_FILE_ATTRIBUTES &&
            (attrs & FILE_ATTRIBUTE_REPARSE_POINT))
            ret = 0;
        else
            errno = ENOSYS;
    } else
        fail();
out:
    free(wtarget);
    free(wlink);
    return ret;
}

int plat_rename(const char *from, const char *to)
{
    wchar_t *wfrom = wpath(from), *wto = wpath(to);
    int ret = -1;

    if (wfrom && wto)
        ret = MoveFileExW(wfrom, wto, MOVEFILE_REPLACE_EXISTING) ? 0 : fail();
    free(wfrom);
    free(wto);
    return ret;
}

int plat_unlink(const char *path)
{
    wchar_t *w = wpath(path);
    DWORD attrs;
    int ret = 0;

    if (!w)
        return -1;
    if (DeleteFileW(w))
        goto out;
    if (GetLastError() != ERROR_ACCESS_DENIED) {
        ret = fail();
        goto out;
    }
    attrs = GetFileAttributesW(w);
    if (attrs != INVALID_FILE_ATTRIBUTES &&
        (attrs & FILE_ATTRIBUTE_DIRECTORY)) {
        /* a link to a directory is removed as a directory; a real
         * directory is EISDIR, as unlink says */
        if (!(attrs & FILE_ATTRIBUTE_REPARSE_POINT)) {
            errno = EISDIR;
            ret = -1;
        } else if (!RemoveDirectoryW(w))
            ret = fail();
        goto out;
    }
    /* read-only: POSIX unlink does not care about the file's own mode */
    if (attrs == INVALID_FILE_ATTRIBUTES ||
        !(attrs & FILE_ATTRIBUTE_READONLY)) {
        errno = EACCES;
        ret = -1;
        goto out;
    }
    SetFileAttributesW(w, attrs & ~(DWORD)FILE_ATTRIBUTE_READONLY);
    if (!DeleteFileW(w)) {
        ret = fail();
        SetFileAttributesW(w, attrs);
    }
out:
    free(w);
    return ret;
}

int plat_rmdir(const char *path)
{
    wchar_t *w = wpath(path);
    int ret = 0;

    if (!w)
        return -1;
    if (!RemoveDirectoryW(w))
        ret = fail();
    free(w);
    return ret;
}

int plat_rmtree(const char *path)
{
    wchar_t *w = wpath(path);
    DWORD attrs;
    struct plat_dir *d;
    const char *name;
    struct sb child = SB_INIT;
    int ret = 0;

    if (!w)
        return -1;
    attrs = GetFileAttributesW(w); /* of a link itself, never its target */
    free(w);
    if (attrs == INVALID_FILE_ATTRIBUTES) {
        fail();
        return errno == ENOENT ? 0 : -1;
    }
    /* a file, or a symlink or junction to a directory: removed as itself */
    if (!(attrs & FILE_ATTRIBUTE_DIRECTORY) ||
        (attrs & FILE_ATTRIBUTE_REPARSE_POINT))
        return plat_unlink(path);
    d = plat_opendir(path);
    if (!d)
        return -1;
    while ((name = plat_readdir(d))) {
        sb_reset(&child);
        sb_addstr(&child, path);
        if (child.len && !is_sep(child.buf[child.len - 1]))
            sb_addch(&child, '\\');
        sb_addstr(&child, name);
        if (plat_rmtree(child.buf) < 0)
            ret = -1;
    }
    plat_closedir(d);
    sb_release(&child);
    if (plat_rmdir(path) < 0) {
        /* a read-only directory: as for files, its own mode does not
         * stop removal on POSIX */
        wchar_t *wd = wpath(path);

        if (wd && errno == EACCES) {
            SetFileAttributesW(wd, attrs & ~(DWORD)FILE_ATTRIBUTE_READONLY);
            if (!RemoveDirectoryW(wd))
                ret = fail();
        } else {
            ret = -1;
        }
        free(wd);
    }
    return ret;
}

int plat_mkdtemp(struct sb *tmpl)
{
    static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    size_t i, n = tmpl->len;
    int attempt;

    if (n < 6 || strcmp(tmpl->buf + n - 6, "XXXXXX")) {
        errno = EINVAL;
        return -1;
    }
    for (attempt = 0; attempt < 100; attempt++) {
        uint64_t r = next_random();

        for (i = 0; i < 6; i++, r /= 36)
            tmpl->buf[n - 6 + i] = chars[r % 36];
        if (!plat_mkdir(tmpl->buf, 0700))
            return 0;
        if (errno != EEXIST)
            break;
    }
    return -1;
}

struct plat_dir {
    HANDLE h;
    int started;
    WIN32_FIND_DATAW fd;
    struct sb name;
};

struct plat_dir *plat_opendir(const char *path)
{
    struct sb pattern = SB_INIT;
    struct plat_dir *d = NULL;
    wchar_t *w = wpath(path);
    DWORD attrs;

    if (!w)
        return NULL;
    /* FindFirstFile on "missing\*" or "file\*" answers vaguely: ask first */
    attrs = GetFileAttributesW(w);
    free(w);
    if (attrs == INVALID_FILE_ATTRIBUTES) {
        fail();
        return NULL;
    }
    if (!(attrs & FILE_ATTRIBUTE_DIRECTORY)) {
        errno = ENOTDIR;
        return NULL;
    }
    sb_addstr(&pattern, path);
    if (pattern.len && !is_sep(pattern.buf[pattern.len - 1]))
        sb_addch(&pattern, '\\');
    sb_addch(&pattern, '*');
    w = wpath(pattern.buf);
    sb_release(&pattern);
    if (!w)
        return NULL;
    d = xcalloc(1, sizeof(*d));
    d->name = (struct sb)SB_INIT;
    d->h = FindFirstFileExW(w, FindExInfoBasic, &d->fd, FindExSearchNameMatch,
                            NULL, FIND_FIRST_EX_LARGE_FETCH);
    free(w);
    if (d->h == INVALID_HANDLE_VALUE &&
        GetLastError() != ERROR_FILE_NOT_FOUND) {
        /* ERROR_FILE_NOT_FOUND: an empty drive root, which has no "." */
        fail();
        free(d);
        return NULL;
    }
    return d;
}

const char *plat_readdir(struct plat_dir *d)
{
    for (;;) {
        const wchar_t *n;

        if (d->h == INVALID_HANDLE_VALUE)
            return NULL;
        if (d->started && !FindNextFileW(d->h, &d->fd))
            return NULL;
        d->started = 1;
        n = d->fd.cFileName;
        if (!wcscmp(n, L".") || !wcscmp(n, L".."))
            continue;
        sb_reset(&d->name);
        /* a name with an unpaired surrogate has no UTF-8 spelling, so no
         * plat_ call could open it: skipped */
        if (add_utf8(&d->name, n, -1) == 0)
            return d->name.buf;
    }
}

void plat_closedir(struct plat_dir *d)
{
    if (!d)
        return;
    if (d->h != INVALID_HANDLE_VALUE)
        FindClose(d->h);
    sb_release(&d->name);
    free(d);
}

/*
 * Processes. The command line is built by winargv_quote so the child's
 * CRT gives back argv exactly; the program is path exactly
 * (lpApplicationName: no PATH search, no ".exe" guessing).
 */
static wchar_t *command_line(char *const argv[])
{
    struct sb line = SB_INIT;
    wchar_t *w = NULL;

    if (winargv_quote(&line, argv) == 0) {
        w = to_wide(line.buf);
        if (w && wcslen(w) >= MAX_CMDLINE) {
            free(w);
            w = NULL;
            errno = E2BIG;
        }
    }
    sb_release(&line);
    return w;
}

/* A std handle the child may inherit (NULL stays NULL: no console). */
static HANDLE inheritable_std(DWORD which)
{
    HANDLE h = GetStdHandle(which);

    if (h && h != INVALID_HANDLE_VALUE)
        SetHandleInformation(h, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
    return h;
}

/* The shim's answer to Ctrl+C, Ctrl+Break and the close/logoff events:
 * "handled", so the shim stays and waits while the child, which got the
 * same event on the same console, decides what to do and exits with the
 * code that says so. A routine is not inherited; SetConsoleCtrlHandler
 * (NULL, TRUE) would be, and would make the child ignore Ctrl+C too. */
/* CreateProcessW with inheritance on (bInheritHandles), retried a few
 * times on ERROR_INTERNAL_ERROR, which Wine returns now and then under
 * load (seen for pyshim and for a plain test driver alike) and which no
 * permanent condition produces. Any other failure is returned at once. */
static BOOL create_process(const wchar_t *exe, wchar_t *line, DWORD flags,
                           STARTUPINFOW *si, PROCESS_INFORMATION *pi)
{
    int attempt;

    for (attempt = 0;; attempt++) {
        if (CreateProcessW(exe, line, NULL, NULL, TRUE, flags, NULL, NULL, si,
                           pi))
            return TRUE;
        if (GetLastError() != ERROR_INTERNAL_ERROR || attempt == 4)
            return FALSE;
        Sleep(50u << attempt);
    }
}

static HANDLE shim_child; /* the child plat_exec waits for */

static BOOL WINAPI shim_ctrl(DWORD event)
{
    /* Close, logoff and shutdown end the shim as soon as this returns,
     * "handled" or not; its job would then kill the child in the middle
     * of its own clean-up (UCRT gives it SIGBREAK). Waiting here keeps the
     * shim, and so the child, alive for the grace period Windows allows. */
    if (event != CTRL_C_EVENT && event != CTRL_BREAK_EVENT && shim_child)
        WaitForSingleObject(shim_child, INFINITE);
    return TRUE;
}

struct plat_lock {
    HANDLE h;
};

int plat_lock(const char *path, unsigned flags, struct plat_lock **out)
{
    wchar_t *w = wpath(path);
    OVERLAPPED ov;
    DWORD how = 0;
    HANDLE h;
    int err;

    *out = NULL;
    if (!w)
        return -1;
    /* FILE_FLAG_OPEN_REPARSE_POINT: never through a link. Shared access:
     * the lock, not the open, decides who waits. */
    h = CreateFileW(w, GENERIC_READ | GENERIC_WRITE,
                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                    NULL, OPEN_ALWAYS,
                    FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
    free(w);
    if (h == INVALID_HANDLE_VALUE)
        return fail();
    if (GetFileType(h) != FILE_TYPE_DISK) {
        CloseHandle(h);
        errno = EINVAL;
        return -1;
    }
    if (!(flags & PLAT_LOCK_SHARED))
        how |= LOCKFILE_EXCLUSIVE_LOCK;
    if (flags & PLAT_LOCK_NOWAIT)
        how |= LOCKFILE_FAIL_IMMEDIATELY;
    memset(&ov, 0, sizeof(ov));
    if (!LockFileEx(h, how, 0, 1, 0, &ov)) {
        DWORD e = GetLastError();

        err = e == ERROR_LOCK_VIOLATION || e == ERROR_IO_PENDING ? EWOULDBLOCK
                                                                 : win_errno(e);
        CloseHandle(h);
        errno = err;
        return -1;
    }
    *out = xmalloc(sizeof(**out));
    (*out)->h = h;
    return 0;
}

void plat_unlock(struct plat_lock *l)
{
    if (!l)
        return;
    CloseHandle(l->h); /* drops the lock */
    free(l);
}

int plat_exec(const char *path, char *const argv[])
{
    wchar_t *wexe = wpath(path), *wline = command_line(argv);
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION lim;
    HANDLE job;
    DWORD code = 1;

    if (!wexe || !wline) {
        free(wexe);
        free(wline);
        return -1;
    }
    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = inheritable_std(STD_INPUT_HANDLE);
    si.hStdOutput = inheritable_std(STD_OUTPUT_HANDLE);
    si.hStdError = inheritable_std(STD_ERROR_HANDLE);
    /* Before the child exists, so no Ctrl+C can take the shim (and, by
     * the job, the child) down between the two. */
    SetConsoleCtrlHandler(shim_ctrl, TRUE);
    /* Inheriting handles lets Jupyter's JPY_INTERRUPT_EVENT (and whatever
     * else a parent meant for python) through. Suspended until it is in
     * the job, so nothing it starts escapes it. */
    if (!create_process(wexe, wline, CREATE_SUSPENDED, &si, &pi)) {
        fail();
        SetConsoleCtrlHandler(shim_ctrl, FALSE);
        free(wexe);
        free(wline);
        return -1;
    }
    free(wexe);
    free(wline);
    /* Kill the child when the shim dies (its last handle to the job closes
     * with it). As in CPython's py launcher, the child's own children may
     * leave the job silently: they live as they would had python been run
     * directly. Without a job (an old Windows inside a job that cannot be
     * nested) the child still runs, it just outlives a killed shim. */
    job = CreateJobObjectW(NULL, NULL);
    if (job) {
        memset(&lim, 0, sizeof(lim));
        lim.BasicLimitInformation.LimitFlags =
            JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE |
            JOB_OBJECT_LIMIT_SILENT_BREAKAWAY_OK;
        if (!SetInformationJobObject(job, JobObjectExtendedLimitInformation,
                                     &lim, sizeof(lim)) ||
            !AssignProcessToJobObject(job, pi.hProcess)) {
            CloseHandle(job);
            job = NULL;
        }
    }
    shim_child = pi.hProcess;
    if (ResumeThread(pi.hThread) == (DWORD)-1) {
        /* never leave a suspended child behind, waited for forever */
        fail();
        TerminateProcess(pi.hProcess, 1);
        CloseHandle(pi.hThread);
        CloseHandle(pi.hProcess);
        shim_child = NULL;
        if (job)
            CloseHandle(job);
        SetConsoleCtrlHandler(shim_ctrl, FALSE);
        return -1;
    }
    CloseHandle(pi.hThread);
    WaitForSingleObject(pi.hProcess, INFINITE);
    if (!GetExitCodeProcess(pi.hProcess, &code))
        code = 1;
    fflush(NULL);
    ExitProcess(code);
}

/* Fill an attribute list that limits inheritance to the distinct handles
 * of hs (NULL on any failure: the caller then inherits without a list). */
static LPPROC_THREAD_ATTRIBUTE_LIST handle_list(HANDLE *hs, size_t *n)
{
    LPPROC_THREAD_ATTRIBUTE_LIST al;
    SIZE_T size = 0;
    size_t i, j, m = 0;

    for (i = 0; i < *n; i++) {
        if (!hs[i] || hs[i] == INVALID_HANDLE_VALUE)
            continue;
        for (j = 0; j < m && hs[j] != hs[i]; j++)
            ;
        if (j == m)
            hs[m++] = hs[i];
    }
    *n = m;
    if (!m)
        return NULL;
    InitializeProcThreadAttributeList(NULL, 1, 0, &size);
    al = xmalloc(size);
    if (!InitializeProcThreadAttributeList(al, 1, 0, &size)) {
        free(al);
        return NULL;
    }
    if (!UpdateProcThreadAttribute(al, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, hs,
                                   m * sizeof(*hs), NULL, NULL)) {
        DeleteProcThreadAttributeList(al);
        free(al);
        return NULL;
    }
    return al;
}

static HANDLE open_nul(DWORD access)
{
    SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, TRUE};

    return CreateFileW(L"NUL", access, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa,
                       OPEN_EXISTING, 0, NULL);
}

int plat_run(const char *path, char *const argv[], struct sb *out,
             int keep_stderr, int *status)
{
    SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, TRUE};
    wchar_t *wexe = wpath(path), *wline = command_line(argv);
    HANDLE rd = INVALID_HANDLE_VALUE, wr = INVALID_HANDLE_VALUE;
    HANDLE nul_in = INVALID_HANDLE_VALUE, nul_err = INVALID_HANDLE_VALUE;
    HANDLE hs[3];
    size_t nh = 3;
    STARTUPINFOEXW si;
    PROCESS_INFORMATION pi;
    LPPROC_THREAD_ATTRIBUTE_LIST al = NULL;
    DWORD code;
    int rerr = 0;
    BOOL ok;
    int ret = -1, saved;

    if (out)
        sb_reset(out);
    if (!wexe || !wline)
        goto out;
    memset(&si, 0, sizeof(si));
    si.StartupInfo.cb = sizeof(si);
    si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    if (out) {
        if (!CreatePipe(&rd, &wr, &sa, 0)) {
            fail();
            goto out;
        }
        SetHandleInformation(rd, HANDLE_FLAG_INHERIT, 0); /* ours alone */
        nul_in = open_nul(GENERIC_READ);
        si.StartupInfo.hStdInput = nul_in;
        si.StartupInfo.hStdOutput = wr;
    } else {
        si.StartupInfo.hStdInput = inheritable_std(STD_INPUT_HANDLE);
        si.StartupInfo.hStdOutput = inheritable_std(STD_OUTPUT_HANDLE);
    }
    if (keep_stderr)
        si.StartupInfo.hStdError = inheritable_std(STD_ERROR_HANDLE);
    else
        si.StartupInfo.hStdError = nul_err = open_nul(GENERIC_WRITE);
    /* Only the three std handles reach the child: not the pipe's read end,
     * nor what our own parent let us inherit. Windows before Vista, or a
     * list Windows refuses (console pseudo-handles on 7): plain
     * inheritance, as the fallback below. */
    hs[0] = si.StartupInfo.hStdInput;
    hs[1] = si.StartupInfo.hStdOutput;
    hs[2] = si.StartupInfo.hStdError;
    al = handle_list(hs, &nh);
    si.lpAttributeList = al;
    ok = create_process(wexe, wline, al ? EXTENDED_STARTUPINFO_PRESENT : 0,
                        &si.StartupInfo, &pi);
    if (!ok && al && GetLastError() == ERROR_INVALID_PARAMETER) {
        si.StartupInfo.cb = sizeof(si.StartupInfo);
        ok = create_process(wexe, wline, 0, &si.StartupInfo, &pi);
    }
    if (!ok) {
        fail();
        goto out;
    }
    CloseHandle(pi.hThread);
    if (out) {
        CloseHandle(wr); /* so the read sees the end when the child exits */
        wr = INVALID_HANDLE_VALUE;
        rerr = read_upto(rd, (size_t)-1, out) < 0 ? errno : 0;
    }
    WaitForSingleObject(pi.hProcess, INFINITE);
    if (!GetExitCodeProcess(pi.hProcess, &code))
        code = 1;
    CloseHandle(pi.hProcess);
    if (status)
        *status = (int)code;
    if (rerr) {
        /* a truncated answer is no answer */
        errno = rerr;
        goto out;
    }
    ret = 0;
out:
    saved = errno;
    if (al) {
        DeleteProcThreadAttributeList(al);
        free(al);
    }
    if (rd != INVALID_HANDLE_VALUE)
        CloseHandle(rd);
    if (wr != INVALID_HANDLE_VALUE)
        CloseHandle(wr);
    if (nul_in != INVALID_HANDLE_VALUE)
        CloseHandle(nul_in);
    if (nul_err != INVALID_HANDLE_VALUE)
        CloseHandle(nul_err);
    free(wexe);
    free(wline);
    errno = saved;
    return ret;
}

static DWORD dl_error;

void *plat_dlopen(const char *path)
{
    wchar_t *w = wpath(path);
    HMODULE m;

    if (!w) {
        dl_error = ERROR_NO_UNICODE_TRANSLATION;
        return NULL;
    }
    /* The DLL's own directory is searched for its dependencies first, so
     * python3XY.dll finds the vcruntime140.dll beside it. */
    m = LoadLibraryExW(w, NULL, LOAD_WITH_ALTERED_SEARCH_PATH);
    if (!m)
        dl_error = GetLastError();
    free(w);
    return m;
}

void *plat_dlsym(void *lib, const char *name)
{
    FARPROC f = GetProcAddress((HMODULE)lib, name);
    void *p;

    if (!f) {
        dl_error = GetLastError();
        return NULL;
    }
    memcpy(&p, &f, sizeof(p)); /* a function pointer, as dlsym gives it */
    return p;
}

const char *plat_dlerror(void)
{
    static struct sb msg = SB_INIT;
    wchar_t *w = NULL;
    DWORD n = FormatMessageW(FORMAT_MESSAGE_ALLOCATE_BUFFER |
                                 FORMAT_MESSAGE_FROM_SYSTEM |
                                 FORMAT_MESSAGE_IGNORE_INSERTS,
                             NULL, dl_error, 0, (LPWSTR)&w, 0, NULL);

    sb_reset(&msg);
    if (n && w) {
        char *s = utf8_lossy(w);

        sb_addstr(&msg, s);
        free(s);
        sb_rtrim(&msg);
        while (msg.len && msg.buf[msg.len - 1] == '.')
            sb_setlen(&msg, msg.len - 1);
    }
    if (w)
        LocalFree(w);
    if (!msg.len)
        sb_addstr(&msg, "unknown error");
    sb_addf(&msg, " (error %lu)", (unsigned long)dl_error);
    return msg.buf;
}

const char *plat_strerror(int errnum)
{
    /* the CRT knows the classic codes only */
    if (errnum == ELOOP)
        return "Too many levels of symbolic links";
    return strerror(errnum);
}

void plat_main_args(int *argc, char ***argv)
{
    struct sv args = SV_INIT;
    char *line = utf8_lossy(GetCommandLineW());

    /* Split as python.exe's own CRT splits its command line (the rules in
     * common/winargv.h), not as CommandLineToArgvW, which reads argv[0]
     * and "" inside quotes differently: what the shim sees is exactly what
     * python would have seen, and winargv_quote gives it back. Spaces,
     * tabs, quotes and backslashes are ASCII, so splitting the UTF-8 text
     * splits the UTF-16 one. */
    winargv_split(line, &args);
    free(line);
    *argc = (int)args.nr;
    *argv = args.v; /* lives until the process ends */
}

void *plat_wide_argv(int argc, char *const argv[])
{
    wchar_t **w = xcalloc((size_t)argc + 1, sizeof(*w));
    int i;

    for (i = 0; i < argc; i++) {
        w[i] = to_wide(argv[i]);
        if (!w[i]) { /* not UTF-8: each byte as its Latin-1 character */
            size_t j, n = strlen(argv[i]);

            w[i] = xmalloc((n + 1) * sizeof(**w));
            for (j = 0; j <= n; j++)
                w[i][j] = (unsigned char)argv[i][j];
        }
    }
    return w;
}

/* Registry. */
static HKEY hive_root(enum plat_hive hive, REGSAM *view)
{
    switch (hive) {
    case PLAT_HKLM:
        *view = KEY_WOW64_64KEY;
        return HKEY_LOCAL_MACHINE;
    case PLAT_HKLM32:
        *view = KEY_WOW64_32KEY;
        return HKEY_LOCAL_MACHINE;
    case PLAT_HKCU:
    default:
        *view = 0;
        return HKEY_CURRENT_USER;
    }
}

/* Open key in hive with access; 0 or -1 with errno (ENOENT if missing). */
static int reg_open(enum plat_hive hive, const char *key, REGSAM access,
                    HKEY *out)
{
    REGSAM view;
    HKEY root = hive_root(hive, &view);
    wchar_t *wkey = to_wide(key);
    LSTATUS rc;

    if (!wkey)
        return -1;
    rc = RegOpenKeyExW(root, wkey, 0, access | view, out);
    free(wkey);
    return rc == ERROR_SUCCESS ? 0 : fail_with(rc);
}

/* name as UTF-16, NULL for the default value ("" or NULL). -1 EILSEQ. */
static int value_name(const char *name, wchar_t **out)
{
    *out = NULL;
    if (!name || !*name)
        return 0;
    *out = to_wide(name);
    return *out ? 0 : -1;
}

int plat_reg_get(enum plat_hive hive, const char *key, const char *name,
                 struct sb *out, int *expand)
{
    HKEY k;
    wchar_t *wname, *buf = NULL;
    DWORD size = 256, type = 0;
    LSTATUS rc;
    int ret = -1;

    sb_reset(out);
    if (value_name(name, &wname) < 0)
        return -1;
    if (reg_open(hive, key, KEY_QUERY_VALUE, &k) < 0) {
        free(wname);
        return -1;
    }
    for (;;) {
        buf = xrealloc(buf, size + sizeof(*buf));
        rc = RegGetValueW(k, NULL, wname,
                          RRF_RT_REG_SZ | RRF_RT_REG_EXPAND_SZ | RRF_NOEXPAND,
                          &type, buf, &size);
        if (rc != ERROR_MORE_DATA)
            break;
    }
    if (rc != ERROR_SUCCESS) {
        fail_with(rc);
        goto out;
    }
    buf[size / sizeof(*buf)] = L'\0'; /* RegGetValueW terminates; be sure */
    if (add_utf8(out, buf, -1) < 0)
        goto out;
    if (expand)
        *expand = type == REG_EXPAND_SZ;
    ret = 0;
out:
    RegCloseKey(k);
    free(buf);
    free(wname);
    return ret;
}

int plat_reg_set(enum plat_hive hive, const char *key, const char *name,
                 const char *value, int expand)
{
    REGSAM view;
    HKEY root = hive_root(hive, &view), k;
    wchar_t *wkey = to_wide(key), *wname = NULL, *wvalue = to_wide(value);
    LSTATUS rc;
    int ret = -1;

    if (!wkey || !wvalue || value_name(name, &wname) < 0)
        goto out;
    rc = RegCreateKeyExW(root, wkey, 0, NULL, 0, KEY_SET_VALUE | view, NULL, &k,
                         NULL);
    if (rc != ERROR_SUCCESS) {
        fail_with(rc);
        goto out;
    }
    rc = RegSetValueExW(k, wname, 0, expand ? REG_EXPAND_SZ : REG_SZ,
                        (const BYTE *)wvalue,
                        (DWORD)((wcslen(wvalue) + 1) * sizeof(*wvalue)));
    RegCloseKey(k);
    ret = rc == ERROR_SUCCESS ? 0 : fail_with(rc);
out:
    free(wkey);
    free(wname);
    free(wvalue);
    return ret;
}

int plat_reg_delete(enum plat_hive hive, const char *key, const char *name)
{
    HKEY k;
    wchar_t *wname;
    LSTATUS rc;

    if (value_name(name, &wname) < 0)
        return -1;
    if (reg_open(hive, key, KEY_SET_VALUE, &k) < 0) {
        free(wname);
        return -1;
    }
    rc = RegDeleteValueW(k, wname);
    RegCloseKey(k);
    free(wname);
    return rc == ERROR_SUCCESS ? 0 : fail_with(rc);
}

int plat_reg_subkeys(enum plat_hive hive, const char *key, struct sv *names)
{
    HKEY k;
    wchar_t buf[256]; /* a key name has at most 255 characters */
    struct sb name = SB_INIT;
    DWORD i, n;
    LSTATUS rc;

    if (reg_open(hive, key, KEY_ENUMERATE_SUB_KEYS, &k) < 0)
        return -1;
    for (i = 0;; i++) {
        n = sizeof(buf) / sizeof(*buf);
        rc = RegEnumKeyExW(k, i, buf, &n, NULL, NULL, NULL, NULL);
        if (rc != ERROR_SUCCESS)
            break;
        sb_reset(&name);
        if (add_utf8(&name, buf, (int)n) == 0)
            sv_push(names, name.buf);
    }
    RegCloseKey(k);
    sb_release(&name);
    return rc == ERROR_NO_MORE_ITEMS ? 0 : fail_with(rc);
}

void plat_env_changed(void)
{
    /* Explorer rereads HKCU\Environment for the programs it starts next;
     * a hung window does not hold the shim for more than 5 s. */
    SendMessageTimeoutW(HWND_BROADCAST, WM_SETTINGCHANGE, 0,
                        (LPARAM)L"Environment", SMTO_ABORTIFHUNG, 5000, NULL);
}

int plat_link_or_copy(const char *from, const char *to)
{
    struct sb tmp = SB_INIT, old = SB_INIT;
    wchar_t *wfrom = wpath(from), *wto = wpath(to), *wtmp = NULL, *wold = NULL;
    int ret = -1, i, made = 0;

    if (!wfrom || !wto)
        goto out;
    /* Made under a fresh temp name (never one that exists: a user's file
     * there is not touched) and moved over `to`, so `to` is never missing
     * or half there. */
    for (i = 0; i < 100 && !made; i++) {
        free(wtmp);
        wtmp = temp_wpath(to, &tmp);
        if (!wtmp)
            goto out;
        made =
            CreateHardLinkW(wtmp, wfrom, NULL) || CopyFileW(wfrom, wtmp, TRUE);
        if (!made && GetLastError() != ERROR_FILE_EXISTS &&
            GetLastError() != ERROR_ALREADY_EXISTS)
            break;
    }
    if (!made) {
        fail();
        free(wtmp);
        wtmp = NULL; /* nothing of ours to delete */
        goto out;
    }
    if (move_over(wtmp, wto, 0) < 0) {
        /* A running program cannot be replaced or deleted, but it can be
         * renamed: python.exe in use while pyshim is reinstalled. The old
         * one moves aside to `to`.old-PID, left for the next install or
         * the user once the program exits. (A read-only `to` was already
         * handled by move_over.) */
        if (errno != EACCES)
            goto out;
        sb_addf(&old, "%s.old-%ld", to, plat_pid());
        wold = wpath(old.buf);
        if (!wold || !MoveFileExW(wto, wold, MOVEFILE_REPLACE_EXISTING) ||
            !MoveFileExW(wtmp, wto, MOVEFILE_REPLACE_EXISTING)) {
            fail();
            if (wold)
                MoveFileExW(wold, wto, 0); /* put it back if it moved */
            goto out;
        }
        SetFileAttributesW(wold, FILE_ATTRIBUTE_NORMAL);
        DeleteFileW(wold); /* succeeds if it was not running after all */
    }
    ret = 0;
out:
    if (ret && wtmp)
        DeleteFileW(wtmp);
    free(wfrom);
    free(wto);
    free(wtmp);
    free(wold);
    sb_release(&tmp);
    sb_release(&old);
    return ret;
}

/* A console is a terminal; a pipe or a file (and mintty's pipes, which
 * look like one) is not, so the CLI asks no question there. */
int plat_isatty(int fd)
{
    return _isatty(fd) != 0;
}
