/*
 * plat_win32_fs: files, directories, links, locks, reads and atomic
 * writes (plat.h) for Windows. See plat_win32_internal.h for the split.
 */
#include "common/plat.h"
#include "common/plat_win32_internal.h"

#include <winioctl.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "common/xalloc.h"
#include "common/banned.h"

#ifndef SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE
#define SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE 0x2
#endif

static int is_sep(int c)
{
    return c == '/' || c == '\\';
}

/* Set out to w without a \\?\ prefix: \\?\C:\x is C:\x, \\?\UNC\srv\x is
 * \\srv\x (what users write and what win_wpath takes back). */
static int set_plain_path(struct sb *out, const wchar_t *w)
{
    sb_reset(out);
    if (!wcsncmp(w, L"\\\\?\\UNC\\", 8)) {
        sb_addch(out, '\\');
        return win_add_utf8(out, w + 7, -1);
    }
    if (!wcsncmp(w, L"\\\\?\\", 4) && w[4] && w[5] == L':')
        w += 4;
    return win_add_utf8(out, w, -1);
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
    wchar_t *w = win_wpath(path);
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
        win_fail();
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
        return win_fail();
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

int plat_getcwd(struct sb *out)
{
    DWORD n = GetCurrentDirectoryW(0, NULL), got;
    wchar_t *w;
    int ret;

    sb_reset(out);
    for (;;) {
        if (!n)
            return win_fail();
        w = xmalloc((size_t)n * sizeof(*w));
        got = GetCurrentDirectoryW(n, w);
        if (got && got < n)
            break;
        free(w);
        if (!got)
            return win_fail();
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
            return win_fail();
        /* Wine answers a long name with 0 and ERROR_MORE_DATA: the
         * longest a path can be, then */
        n = got ? got : 32768;
    }
    ret = set_plain_path(out, w);
    free(w);
    return ret;
}

/* No memo on Windows yet: every question goes to the OS (plat.h). */
void plat_memo_begin(void)
{
}

void plat_memo_end(void)
{
}

int plat_memo_listed(const char *dir, const char *name)
{
    (void)dir;
    (void)name;
    return -1;
}

void plat_credentials(struct sb *out)
{
    sb_reset(out);
}

/* No watch on Windows either: a decision is never replayed there. */
void plat_watch_begin(void)
{
}

int plat_watch_end(const struct plat_obs **obs, size_t *n)
{
    *obs = NULL;
    *n = 0;
    return -1;
}

int plat_stat_meta(const char *path, struct plat_stat *st, int follow)
{
    return plat_stat(path, st, follow);
}

void plat_watch_env(const char *name, const char *value)
{
    (void)name;
    (void)value;
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
    w = win_wpath(path);
    if (!w)
        return -1;
    n = GetFullPathNameW(w, 0, NULL, NULL);
    full = xmalloc(((size_t)n + 1) * sizeof(*full));
    if (!n || !GetFullPathNameW(w, n + 1, full, NULL))
        ret = win_fail();
    else
        ret = set_plain_path(out, full);
    free(full);
    free(w);
    return ret;
}

int plat_self_stat(struct sb *out, struct plat_stat *st)
{
    return plat_self_exe(out) < 0 ? -1 : plat_stat(out->buf, st, 1);
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
            return win_fail();
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
        ret = win_add_utf8(out, w + 7, -1);
    } else {
        ret = win_add_utf8(out, w + (wcsncmp(w, L"\\??\\", 4) ? 0 : 4), -1);
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
        win_fail(); /* ERROR_NOT_A_REPARSE_POINT: EINVAL, as readlink says */
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

/* Open an existing regular file for reading: EISDIR for a directory,
 * EINVAL for anything else that is not a file on disk (a named pipe, NUL,
 * CON, a device: GetFileType is not FILE_TYPE_DISK), so no read ever
 * waits on a pipe. st (may be NULL) gets the handle's stat. */
static HANDLE open_read(const char *path, struct plat_stat *st)
{
    wchar_t *w = win_wpath(path);
    struct plat_stat s;
    HANDLE h;

    if (!w)
        return INVALID_HANDLE_VALUE;
    h = CreateFileW(w, GENERIC_READ,
                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                    NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
    free(w);
    if (h == INVALID_HANDLE_VALUE) {
        win_fail();
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
int win_read_upto(HANDLE h, size_t limit, struct sb *out)
{
    while (out->len < limit) {
        DWORD want = 65536, got;

        if (limit - out->len < want)
            want = (DWORD)(limit - out->len);
        sb_grow(out, want);
        if (!ReadFile(h, out->buf + out->len, want, &got, NULL)) {
            if (GetLastError() == ERROR_BROKEN_PIPE)
                break; /* a pipe's end of file */
            return win_fail();
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
    ret = win_read_upto(h, limit, out);
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
            return win_fail();
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
        return win_fail();
    attrs = GetFileAttributesW(to);
    if (attrs == INVALID_FILE_ATTRIBUTES ||
        !(attrs & FILE_ATTRIBUTE_READONLY) ||
        (attrs & FILE_ATTRIBUTE_DIRECTORY)) {
        SetLastError(ERROR_ACCESS_DENIED);
        return win_fail();
    }
    SetFileAttributesW(to, attrs & ~(DWORD)FILE_ATTRIBUTE_READONLY);
    if (MoveFileExW(from, to, MOVEFILE_REPLACE_EXISTING | flags))
        return 0;
    win_fail();
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
    return win_wpath(tmp->buf);
}

int plat_write_atomic(const char *path, const void *data, size_t len,
                      unsigned mode)
{
    struct sb tmp = SB_INIT;
    wchar_t *wtmp = NULL, *wto = win_wpath(path);
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
        win_fail();
        free(wtmp);
        wtmp = NULL; /* nothing of ours to delete */
        goto out;
    }
    if (write_all(h, data, len) < 0)
        goto out;
    if (!FlushFileBuffers(h)) {
        win_fail();
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

int plat_write_cache(const char *path, const void *data, size_t len,
                     unsigned mode)
{
    return plat_write_atomic(path, data, len, mode);
}

int plat_mkdir(const char *path, unsigned mode)
{
    wchar_t *w = win_wpath(path);
    int ret = 0;

    (void)mode; /* a new directory inherits its parent's ACL */
    if (!w)
        return -1;
    if (!CreateDirectoryW(w, NULL))
        ret = win_fail();
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
    wchar_t *wtarget = win_to_wide(target), *wlink = win_wpath(linkpath), *p;
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
        win_fail();
out:
    free(wtarget);
    free(wlink);
    return ret;
}

int plat_rename(const char *from, const char *to)
{
    wchar_t *wfrom = win_wpath(from), *wto = win_wpath(to);
    int ret = -1;

    if (wfrom && wto)
        ret =
            MoveFileExW(wfrom, wto, MOVEFILE_REPLACE_EXISTING) ? 0 : win_fail();
    free(wfrom);
    free(wto);
    return ret;
}

int plat_unlink(const char *path)
{
    wchar_t *w = win_wpath(path);
    DWORD attrs;
    int ret = 0;

    if (!w)
        return -1;
    if (DeleteFileW(w))
        goto out;
    if (GetLastError() != ERROR_ACCESS_DENIED) {
        ret = win_fail();
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
            ret = win_fail();
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
        ret = win_fail();
        SetFileAttributesW(w, attrs);
    }
out:
    free(w);
    return ret;
}

int plat_rmdir(const char *path)
{
    wchar_t *w = win_wpath(path);
    int ret = 0;

    if (!w)
        return -1;
    if (!RemoveDirectoryW(w))
        ret = win_fail();
    free(w);
    return ret;
}

int plat_rmtree(const char *path)
{
    wchar_t *w = win_wpath(path);
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
        win_fail();
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
        wchar_t *wd = win_wpath(path);

        if (wd && errno == EACCES) {
            SetFileAttributesW(wd, attrs & ~(DWORD)FILE_ATTRIBUTE_READONLY);
            if (!RemoveDirectoryW(wd))
                ret = win_fail();
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
    wchar_t *w = win_wpath(path);
    DWORD attrs;

    if (!w)
        return NULL;
    /* FindFirstFile on "missing\*" or "file\*" answers vaguely: ask first */
    attrs = GetFileAttributesW(w);
    free(w);
    if (attrs == INVALID_FILE_ATTRIBUTES) {
        win_fail();
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
    w = win_wpath(pattern.buf);
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
        win_fail();
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
        if (win_add_utf8(&d->name, n, -1) == 0)
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

struct plat_lock {
    HANDLE h;
};

int plat_lock(const char *path, unsigned flags, struct plat_lock **out)
{
    wchar_t *w = win_wpath(path);
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
        return win_fail();
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

int plat_link_or_copy(const char *from, const char *to)
{
    struct sb tmp = SB_INIT, old = SB_INIT;
    wchar_t *wfrom = win_wpath(from), *wto = win_wpath(to), *wtmp = NULL,
            *wold = NULL;
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
        win_fail();
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
        wold = win_wpath(old.buf);
        if (!wold || !MoveFileExW(wto, wold, MOVEFILE_REPLACE_EXISTING) ||
            !MoveFileExW(wtmp, wto, MOVEFILE_REPLACE_EXISTING)) {
            win_fail();
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
