/*
 * plat_win32_proc: running programs (plat_exec, plat_run) and loading
 * DLLs (plat_dlopen) for Windows. See plat_win32_internal.h for the
 * split.
 */
#include "common/plat.h"
#include "common/plat_win32_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "common/winargv.h"
#include "common/xalloc.h"
#include "common/banned.h"

/* The longest command line CreateProcessW takes, NUL included. */
#define MAX_CMDLINE 32767

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
        w = win_to_wide(line.buf);
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

/* The shim's answer to Ctrl+C, Ctrl+Break and the close/logoff events:
 * "handled", so the shim stays and waits while the child, which got the
 * same event on the same console, decides what to do and exits with the
 * code that says so. A routine is not inherited; SetConsoleCtrlHandler
 * (NULL, TRUE) would be, and would make the child ignore Ctrl+C too. */
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

int plat_exec(const char *path, char *const argv[])
{
    wchar_t *wexe = win_wpath(path), *wline = command_line(argv);
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
        win_fail();
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
        win_fail();
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

/* One sequence of Win32 steps (pipes, handles to inherit, the
 * process, the read loop, the wait), each undone on the way out through
 * one cleanup label: about 95 lines, kept together so that every handle's
 * life is visible in one place. */
int plat_run(const char *path, char *const argv[], struct sb *out,
             int keep_stderr, int *status)
{
    SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, TRUE};
    wchar_t *wexe = win_wpath(path), *wline = command_line(argv);
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
            win_fail();
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
        win_fail();
        goto out;
    }
    CloseHandle(pi.hThread);
    if (out) {
        CloseHandle(wr); /* so the read sees the end when the child exits */
        wr = INVALID_HANDLE_VALUE;
        rerr = win_read_upto(rd, (size_t)-1, out) < 0 ? errno : 0;
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
    wchar_t *w = win_wpath(path);
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
        char *s = win_utf8_lossy(w);

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
