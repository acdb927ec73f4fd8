/*
 * jobctl.exe: what the Windows tests need from inside Windows that a Unix
 * shell cannot do through Wine.
 *
 *   jobctl kill-shim SHIM PIDFILE ARGS...
 *       start SHIM ARGS... with %FAKEPY_PIDFILE%=PIDFILE, wait until the
 *       fake python behind it wrote its pid there, TerminateProcess the
 *       shim, and print {"child_ended": true|false, ...}: whether the fake
 *       python ended within 5 s (the shim's job object must kill it).
 *   jobctl inherit SHIM ARGS...
 *       create an inheritable event, name its handle value in
 *       %FAKEPY_HANDLE% and %JPY_INTERRUPT_EVENT%, start SHIM ARGS...
 *       inheriting handles, wait, and exit with its exit code.
 *   jobctl runexit SHIM ARGS...
 *       start SHIM ARGS..., wait, print {"exit": N}: the full 32-bit exit
 *       code (a Unix parent sees only the low 8 bits), and exit 0.
 *
 *   jobctl run SHIM ARGS...
 *       start SHIM ARGS..., wait, and exit with its exit code.
 *
 * Options before the mode: -e NAME=VALUE sets and -u NAME removes a
 * variable for the child. Wine replaces USERPROFILE, APPDATA, LOCALAPPDATA,
 * TEMP and PATH with its own values when a Unix process starts a Windows
 * one, so a test that wants them changed says so here.
 *
 * Children inherit jobctl's standard handles. A child still running after
 * %JOBCTL_TIMEOUT_MS% (default 45 s) is terminated and jobctl exits 210:
 * a hung shim must not outlive the test (killing wine64 from the Unix side
 * would leave it running in the prefix). Exit codes of jobctl's own
 * failures are 200 and up.
 */
#include <windows.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

struct wbuf {
    wchar_t *p;
    size_t len, cap;
};

static void wput(struct wbuf *b, const wchar_t *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 1024) + n;
        wchar_t *p = realloc(b->p, cap * sizeof(*p));

        if (!p)
            ExitProcess(200);
        b->p = p;
        b->cap = cap;
    }
    wmemcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = L'\0';
}

static void wputc(struct wbuf *b, wchar_t c, size_t times)
{
    while (times--)
        wput(b, &c, 1);
}

/* One argument quoted so that CommandLineToArgvW and the CRT give it back
 * unchanged (the rules of "Everyone quotes command line arguments the
 * wrong way", MSDN blogs, 2011). */
static void quote(struct wbuf *b, const wchar_t *a)
{
    const wchar_t *p;

    if (*a && !wcspbrk(a, L" \t\n\v\"")) {
        wput(b, a, wcslen(a));
        return;
    }
    wputc(b, L'"', 1);
    for (p = a;; p++) {
        size_t bs = 0;

        while (*p == L'\\') {
            p++;
            bs++;
        }
        if (!*p) {
            wputc(b, L'\\', bs * 2);
            break;
        }
        if (*p == L'"') {
            wputc(b, L'\\', bs * 2 + 1);
            wputc(b, L'"', 1);
        } else {
            wputc(b, L'\\', bs);
            wputc(b, *p, 1);
        }
    }
    wputc(b, L'"', 1);
}

static wchar_t *cmdline(wchar_t **argv, int argc)
{
    struct wbuf b = {NULL, 0, 0};
    int i;

    for (i = 0; i < argc; i++) {
        if (i)
            wputc(&b, L' ', 1);
        quote(&b, argv[i]);
    }
    return b.p;
}

/* Standard handles made inheritable, so STARTF_USESTDHANDLES works with
 * bInheritHandles (a child that inherits nothing gets them anyway). */
static void inherit_std(void)
{
    static const DWORD which[] = {STD_INPUT_HANDLE, STD_OUTPUT_HANDLE,
                                  STD_ERROR_HANDLE};
    size_t i;

    for (i = 0; i < 3; i++) {
        HANDLE h = GetStdHandle(which[i]);

        if (h && h != INVALID_HANDLE_VALUE)
            SetHandleInformation(h, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
    }
}

/* Wait for the child, at most %JOBCTL_TIMEOUT_MS%; its exit code. */
static DWORD wait_child(HANDLE proc)
{
    wchar_t v[32];
    DWORD ms = 45000, code = 0;

    if (GetEnvironmentVariableW(L"JOBCTL_TIMEOUT_MS", v, 32) - 1u < 31u)
        ms = (DWORD)wcstoul(v, NULL, 10);
    if (WaitForSingleObject(proc, ms) != WAIT_OBJECT_0) {
        TerminateProcess(proc, 210);
        fwprintf(stderr,
                 L"jobctl: the child still ran after %lu ms: "
                 L"terminated\n",
                 ms);
        ExitProcess(210);
    }
    if (!GetExitCodeProcess(proc, &code))
        ExitProcess(206);
    return code;
}

static PROCESS_INFORMATION start(wchar_t **argv, int argc, BOOL inherit)
{
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    wchar_t *cl = cmdline(argv, argc);
    BOOL ok;
    int attempt;

    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    /* The standard handles go through explicitly (a Unix pipe under Wine
     * is not a console the child would get anyway). */
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    inherit_std();
    /* Wine fails a CreateProcessW now and then under load with
     * ERROR_INTERNAL_ERROR: retried, as pyshim's own spawn does; any other
     * error is the test's answer. */
    for (attempt = 0; !(ok = CreateProcessW(argv[0], cl, NULL, NULL, inherit, 0,
                                            NULL, NULL, &si, &pi)) &&
                      GetLastError() == ERROR_INTERNAL_ERROR && attempt < 4;
         attempt++)
        Sleep(50u << attempt);
    if (!ok) {
        fwprintf(stderr, L"jobctl: cannot start '%ls': error %lu\n", argv[0],
                 GetLastError());
        ExitProcess(201);
    }
    free(cl);
    CloseHandle(pi.hThread);
    return pi;
}

/* The pid the fake wrote into path ("<pid>\n"), or 0 while incomplete. */
static DWORD read_pid(const wchar_t *path)
{
    HANDLE h =
        CreateFileW(path, GENERIC_READ,
                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                    NULL, OPEN_EXISTING, 0, NULL);
    char buf[32];
    DWORD n = 0;

    if (h == INVALID_HANDLE_VALUE)
        return 0;
    if (!ReadFile(h, buf, sizeof(buf) - 1, &n, NULL))
        n = 0;
    CloseHandle(h);
    buf[n] = '\0';
    if (!n || buf[n - 1] != '\n')
        return 0;
    return (DWORD)strtoul(buf, NULL, 10);
}

static int kill_shim(wchar_t **argv, int argc)
{
    const wchar_t *pidfile = argv[1];
    PROCESS_INFORMATION pi;
    HANDLE child;
    DWORD pid = 0, shim_code = 0, ended;
    int i;

    SetEnvironmentVariableW(L"FAKEPY_PIDFILE", pidfile);
    argv[1] = argv[0];
    pi = start(argv + 1, argc - 1, TRUE);
    for (i = 0; i < 600 && !pid; i++) {
        pid = read_pid(pidfile);
        if (!pid) {
            if (WaitForSingleObject(pi.hProcess, 50) == WAIT_OBJECT_0) {
                GetExitCodeProcess(pi.hProcess, &shim_code);
                printf(
                    "{\"error\": \"the shim exited (%lu) before the fake python wrote its pid\"}\n",
                    shim_code);
                return 202;
            }
        }
    }
    if (!pid) {
        TerminateProcess(pi.hProcess, 1);
        printf("{\"error\": \"no pid in the pid file after 30 s\"}\n");
        return 203;
    }
    /* Held before the shim dies, so the pid cannot be reused meanwhile. */
    child = OpenProcess(SYNCHRONIZE | PROCESS_TERMINATE |
                            PROCESS_QUERY_LIMITED_INFORMATION,
                        FALSE, pid);
    if (!child) {
        TerminateProcess(pi.hProcess, 1);
        printf(
            "{\"error\": \"cannot open the fake python (pid %lu): error %lu\"}\n",
            pid, GetLastError());
        return 204;
    }
    TerminateProcess(pi.hProcess, 137);
    WaitForSingleObject(pi.hProcess, 5000);
    GetExitCodeProcess(pi.hProcess, &shim_code);
    ended = WaitForSingleObject(child, 5000);
    printf("{\"child_ended\": %s, \"child_pid\": %lu, \"shim_exit\": %lu}\n",
           ended == WAIT_OBJECT_0 ? "true" : "false", pid, shim_code);
    if (ended != WAIT_OBJECT_0)
        TerminateProcess(child, 1); /* leave nothing behind */
    CloseHandle(child);
    CloseHandle(pi.hProcess);
    return 0;
}

static int inherit(wchar_t **argv, int argc)
{
    SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, TRUE};
    HANDLE ev = CreateEventW(&sa, TRUE, FALSE, NULL);
    PROCESS_INFORMATION pi;
    wchar_t num[32];

    if (!ev)
        return 205;
    _snwprintf(num, 32, L"%llu", (unsigned long long)(uintptr_t)ev);
    num[31] = L'\0';
    SetEnvironmentVariableW(L"FAKEPY_HANDLE", num);
    SetEnvironmentVariableW(L"JPY_INTERRUPT_EVENT", num);
    pi = start(argv, argc, TRUE);
    return (int)wait_child(pi.hProcess);
}

static int run(wchar_t **argv, int argc)
{
    PROCESS_INFORMATION pi = start(argv, argc, TRUE);

    return (int)wait_child(pi.hProcess);
}

static int runexit(wchar_t **argv, int argc)
{
    PROCESS_INFORMATION pi = start(argv, argc, TRUE);
    DWORD code = wait_child(pi.hProcess);

    fflush(stdout);
    printf("{\"exit\": %lu}\n", code);
    fflush(stdout);
    return 0;
}

int wmain(int argc, wchar_t **argv);
int wmain(int argc, wchar_t **argv)
{
    while (argc >= 3 && (!wcscmp(argv[1], L"-e") || !wcscmp(argv[1], L"-u"))) {
        wchar_t *eq = wcschr(argv[2], L'=');

        if (argv[1][1] == L'u') {
            SetEnvironmentVariableW(argv[2], NULL);
        } else if (eq && eq != argv[2]) {
            *eq = L'\0';
            SetEnvironmentVariableW(argv[2], eq + 1);
        } else {
            fwprintf(stderr, L"jobctl: -e wants NAME=VALUE, not '%ls'\n",
                     argv[2]);
            return 200;
        }
        argv += 2;
        argc -= 2;
    }
    if (argc >= 4 && !wcscmp(argv[1], L"kill-shim"))
        ExitProcess((UINT)kill_shim(argv + 2, argc - 2));
    if (argc >= 3 && !wcscmp(argv[1], L"inherit"))
        ExitProcess((UINT)inherit(argv + 2, argc - 2));
    if (argc >= 3 && !wcscmp(argv[1], L"run"))
        ExitProcess((UINT)run(argv + 2, argc - 2));
    if (argc >= 3 && !wcscmp(argv[1], L"runexit"))
        ExitProcess((UINT)runexit(argv + 2, argc - 2));
    fwprintf(stderr, L"usage: jobctl [-e NAME=VALUE | -u NAME]... "
                     L"run|runexit|inherit SHIM ARGS... | "
                     L"kill-shim SHIM PIDFILE ARGS...\n");
    return 200;
}
