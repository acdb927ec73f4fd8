/*
 * plat_win32_internal: what the Windows files of the OS door share (no one
 * else includes this). The door is split by concern, as libuv's src/win/:
 *
 *   plat_win32.c          UTF-8 <-> UTF-16, Win32 errors as errno, paths
 *                         for Win32 calls; identity, the environment, the
 *                         Jupyter data dir, plat_strerror
 *   plat_win32_fs.c       files, directories, links, locks, reads and
 *                         atomic writes
 *   plat_win32_proc.c     running programs (plat_exec, plat_run) and
 *                         loading DLLs (plat_dlopen)
 *   plat_win32_reg.c      the registry, and telling Explorer the
 *                         environment changed
 *   plat_win32_console.c  the command line (argv) and the terminal
 *
 * Everything pyshim sees is UTF-8 char *; UTF-16 exists only here, at the
 * Win32 boundary (the W functions). Invalid UTF-8 given to any function is
 * EILSEQ. Paths may use '/' or '\\'; a path too long for the classic
 * MAX_PATH limit is made absolute and given the \\?\ (or \\?\UNC\)
 * prefix on its way to Windows. Win32 errors become errno values
 * (win_errno).
 */
#ifndef PYSHIM_PLAT_WIN32_INTERNAL_H
#define PYSHIM_PLAT_WIN32_INTERNAL_H

#include <windows.h>

#include <stddef.h>

#include "common/sb.h"

/* The errno value for a Win32 error code. */
int win_errno(DWORD e);
/* -1 with errno from GetLastError(). */
int win_fail(void);
/* -1 with errno from e (registry calls return their error). */
int win_fail_with(LSTATUS e);
/* s as UTF-16 (caller frees). NULL with EILSEQ if s is not UTF-8. */
wchar_t *win_to_wide(const char *s);
/* Append n UTF-16 units of w (-1: up to its NUL) to out as UTF-8. -1 with
 * EILSEQ for an unpaired surrogate, out unchanged. */
int win_add_utf8(struct sb *out, const wchar_t *w, int n);
/* A new UTF-8 string for w, unpaired surrogates made U+FFFD. */
char *win_utf8_lossy(const wchar_t *w);
/* path for a Win32 call (caller frees): '/' made '\\', a long path made
 * absolute with the \\?\ prefix. NULL with EILSEQ for invalid UTF-8. */
wchar_t *win_wpath(const char *path);
/* Append what h reads, to its end (a pipe's end too) or until out holds
 * limit bytes, to out (plat_win32_fs.c). -1 with errno on a read error. */
int win_read_upto(HANDLE h, size_t limit, struct sb *out);

#endif
