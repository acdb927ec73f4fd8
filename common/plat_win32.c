/*
 * plat_win32: plat.h for Windows (mingw-w64, UNICODE), split by concern
 * (plat_win32_internal.h lists the files). This one: UTF-8 <-> UTF-16,
 * Win32 errors as errno, paths for Win32 calls (what the others share),
 * and identity, the environment, the Jupyter data dir and plat_strerror.
 *
 * Everything pyshim sees is UTF-8 char *; UTF-16 exists only here, at the
 * Win32 boundary (the W functions). Invalid UTF-8 given to any function is
 * EILSEQ. Paths may use '/' or '\\'; a path too long for the classic
 * MAX_PATH limit is made absolute and given the \\?\ (or \\?\UNC\) prefix
 * on its way to Windows. Win32 errors become errno values (win_errno).
 */
#include "common/plat.h"
#include "common/plat_win32_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "common/xalloc.h"
#include "common/banned.h"

/* CreateDirectoryW's limit (MAX_PATH less room for an 8.3 name) is the
 * lowest of the classic limits: from this length on, paths get \\?\. */
#define LONG_PATH (MAX_PATH - 12)

int win_errno(DWORD e)
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
int win_fail(void)
{
    errno = win_errno(GetLastError());
    return -1;
}

int win_fail_with(LSTATUS e)
{
    errno = win_errno((DWORD)e);
    return -1;
}

/* s as UTF-16 (caller frees). NULL with EILSEQ if s is not UTF-8. */
wchar_t *win_to_wide(const char *s)
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
int win_add_utf8(struct sb *out, const wchar_t *w, int n)
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
char *win_utf8_lossy(const wchar_t *w)
{
    int len = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    char *s;

    if (len <= 0)
        return xstrdup("");
    s = xmalloc((size_t)len);
    WideCharToMultiByte(CP_UTF8, 0, w, -1, s, len, NULL, NULL);
    return s;
}

/* path for a Win32 call (caller frees): '/' made '\\', and a long path
 * made absolute with the \\?\ prefix, which lifts the MAX_PATH limit (and
 * with it the normalization Windows does, hence GetFullPathNameW first).
 * NULL with EILSEQ for invalid UTF-8. */
wchar_t *win_wpath(const char *path)
{
    wchar_t *w = win_to_wide(path), *full, *res, *p;
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

uint64_t plat_uid(void)
{
    return 1; /* never 0: nobody is "root" here, see plat_stat */
}

int plat_group_is_private(uint64_t gid)
{
    (void)gid; /* no POSIX groups: plat_stat reports gid 0 */
    return 0;
}

int plat_user_name(struct sb *out)
{
    /* the system config's grants (config/sitecfg.h) are POSIX-only */
    (void)out;
    errno = ENOSYS;
    return -1;
}

long plat_pid(void)
{
    return (long)GetCurrentProcessId();
}

int64_t plat_now_ns(void)
{
    FILETIME ft;
    ULARGE_INTEGER u;

    /* 100 ns units since 1601-01-01; the epoch is 11644473600 s later */
    GetSystemTimeAsFileTime(&ft);
    u.LowPart = ft.dwLowDateTime;
    u.HighPart = ft.dwHighDateTime;
    return ((int64_t)u.QuadPart - 116444736000000000LL) * 100;
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
    wchar_t *wname = win_to_wide(name), *w = NULL;
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
    if (win_add_utf8(&val, w, -1) < 0)
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
    wchar_t *wname = win_to_wide(name), *wvalue = win_to_wide(value), *entry;
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
        win_fail();
        goto out;
    }
    ret = 0;
out:
    free(wname);
    free(wvalue);
    return ret;
}

int plat_unsetenv(const char *name)
{
    wchar_t *wname = win_to_wide(name), *entry;
    size_t nn;
    int ret = -1;

    if (!wname || !*name || strchr(name, '=')) {
        if (wname)
            errno = EINVAL;
        goto out;
    }
    /* "NAME=" removes it from the CRT's copy; NULL from the block. */
    nn = wcslen(wname);
    entry = xmalloc((nn + 2) * sizeof(*entry));
    memcpy(entry, wname, nn * sizeof(*entry));
    entry[nn] = L'=';
    entry[nn + 1] = L'\0';
    _wputenv(entry);
    free(entry);
    if (!SetEnvironmentVariableW(wname, NULL) &&
        GetLastError() != ERROR_ENVVAR_NOT_FOUND) {
        win_fail();
        goto out;
    }
    ret = 0;
out:
    free(wname);
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

const char *plat_strerror(int errnum)
{
    /* the CRT knows the classic codes only */
    if (errnum == ELOOP)
        return "Too many levels of symbolic links";
    return strerror(errnum);
}
