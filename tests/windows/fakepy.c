/* The report shared by the fake python.exe and the fake python312.dll. */
#include "fakepy.h"

#include <windows.h>
#include <shellapi.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct buf {
    char *p;
    size_t len, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 4096) + n;
        char *p = realloc(b->p, cap);

        if (!p)
            ExitProcess(70);
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
    put(b, s, strlen(s));
}

/* A JSON string of n UTF-16 units: everything but printable ASCII as
 * \uXXXX, so the report is ASCII and carries lone surrogates unchanged. */
static void put_wjson(struct buf *b, const wchar_t *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i;

    put(b, "\"", 1);
    for (i = 0; i < n; i++) {
        unsigned c = (unsigned short)s[i];
        char e[7];

        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            e[0] = (char)c;
            put(b, e, 1);
        } else {
            e[0] = '\\';
            e[1] = 'u';
            e[2] = hex[(c >> 12) & 15];
            e[3] = hex[(c >> 8) & 15];
            e[4] = hex[(c >> 4) & 15];
            e[5] = hex[c & 15];
            put(b, e, 6);
        }
    }
    put(b, "\"", 1);
}

static void put_wstr(struct buf *b, const wchar_t *s)
{
    if (s)
        put_wjson(b, s, wcslen(s));
    else
        puts_(b, "null");
}

static void put_key(struct buf *b, const char *key)
{
    puts_(b, b->len > 1 ? ",\n \"" : "\n \"");
    puts_(b, key);
    puts_(b, "\": ");
}

static void put_argv(struct buf *b, int argc, wchar_t **argv)
{
    int i;

    if (!argv) {
        puts_(b, "null");
        return;
    }
    put(b, "[", 1);
    for (i = 0; i < argc; i++) {
        if (i)
            put(b, ", ", 2);
        put_wstr(b, argv[i]);
    }
    put(b, "]", 1);
}

/* The variable's value (malloc'd) or NULL when unset. */
static wchar_t *get_env(const wchar_t *name)
{
    DWORD n = GetEnvironmentVariableW(name, NULL, 0);
    wchar_t *v;

    if (!n)
        return NULL;
    v = malloc((n + 1) * sizeof(*v));
    if (!v)
        ExitProcess(70);
    if (GetEnvironmentVariableW(name, v, n + 1) >= n + 1) {
        free(v);
        return NULL;
    }
    return v;
}

static void put_env_block(struct buf *b)
{
    wchar_t *block = GetEnvironmentStringsW();
    const wchar_t *e;
    int first = 1;

    put(b, "{", 1);
    for (e = block; e && *e; e += wcslen(e) + 1) {
        /* "=C:=C:\dir" entries: the name starts with '='. */
        const wchar_t *eq = wcschr(e + 1, L'=');

        if (!eq)
            continue;
        if (!first)
            put(b, ", ", 2);
        first = 0;
        put_wjson(b, e, (size_t)(eq - e));
        put(b, ": ", 2);
        put_wstr(b, eq + 1);
    }
    put(b, "}", 1);
    if (block)
        FreeEnvironmentStringsW(block);
}

static void put_num(struct buf *b, unsigned long long n)
{
    char d[24];
    int i = (int)sizeof(d);

    do {
        d[--i] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    put(b, d + i, sizeof(d) - (size_t)i);
}

/* handle_ok: is the handle named by %FAKEPY_HANDLE% an event open in this
 * process (inherited)? Setting it is what only an event allows, so a
 * different object that happens to have the same value does not count.
 * null when the variable is unset. */
static void put_handle(struct buf *b)
{
    wchar_t *v = get_env(L"FAKEPY_HANDLE");
    DWORD flags = 0;
    HANDLE h;

    if (!v) {
        puts_(b, "null");
        return;
    }
    h = (HANDLE)(uintptr_t)wcstoull(v, NULL, 10);
    puts_(b, GetHandleInformation(h, &flags) && SetEvent(h) && ResetEvent(h)
                 ? "true"
                 : "false");
    free(v);
}

static int write_all(HANDLE h, const char *p, size_t n)
{
    while (n) {
        DWORD done = 0;

        if (!WriteFile(h, p, n > 65536 ? 65536 : (DWORD)n, &done, NULL) ||
            !done)
            return -1;
        p += done;
        n -= done;
    }
    return 0;
}

static int write_to(const wchar_t *path, const char *p, size_t n)
{
    HANDLE h;
    int ret;

    if (!path)
        return write_all(GetStdHandle(STD_OUTPUT_HANDLE), p, n);
    h = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                    FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return -1;
    ret = write_all(h, p, n);
    if (!CloseHandle(h))
        ret = -1;
    return ret;
}

static unsigned env_num(const wchar_t *name, unsigned dflt)
{
    wchar_t *v = get_env(name);
    unsigned long long n;

    if (!v)
        return dflt;
    n = wcstoull(v, NULL, 0);
    free(v);
    return (unsigned)n;
}

unsigned fakepy_run(int argc, wchar_t **argv, int crt_argc, wchar_t **crt_argv,
                    const char *api, int embedded)
{
    struct buf b = {NULL, 0, 0};
    wchar_t path[32768];
    wchar_t *report = get_env(L"FAKEPY_REPORT");
    wchar_t *pidfile = get_env(L"FAKEPY_PIDFILE");
    DWORD n;

    put(&b, "{", 1);
    put_key(&b, "exe");
    n = GetModuleFileNameW(NULL, path, 32768);
    put_wjson(&b, path, n < 32768 ? n : 0);
    put_key(&b, "cmdline");
    put_wstr(&b, GetCommandLineW());
    put_key(&b, "argv");
    put_argv(&b, argc, argv);
    put_key(&b, "crt_argv");
    put_argv(&b, crt_argc, crt_argv);
    put_key(&b, "cwd");
    n = GetCurrentDirectoryW(32768, path);
    put_wjson(&b, path, n < 32768 ? n : 0);
    put_key(&b, "env");
    put_env_block(&b);
    put_key(&b, "pyvenv_launcher");
    {
        wchar_t *v = get_env(L"__PYVENV_LAUNCHER__");

        put_wstr(&b, v);
        free(v);
    }
    put_key(&b, "handle_ok");
    put_handle(&b);
    put_key(&b, "embedded");
    puts_(&b, embedded ? "true" : "false");
    put_key(&b, "api");
    if (api) {
        put(&b, "\"", 1);
        puts_(&b, api);
        put(&b, "\"", 1);
    } else {
        puts_(&b, "null");
    }
    put_key(&b, "pid");
    put_num(&b, GetCurrentProcessId());
    puts_(&b, "\n}\n");

    if (write_to(report, b.p, b.len) < 0)
        ExitProcess(74);
    if (pidfile) {
        struct buf pb = {NULL, 0, 0};

        put_num(&pb, GetCurrentProcessId());
        put(&pb, "\n", 1);
        if (write_to(pidfile, pb.p, pb.len) < 0)
            ExitProcess(74);
        free(pb.p);
    }
    n = env_num(L"FAKEPY_SLEEP_MS", 0);
    if (n)
        Sleep(n);
    free(b.p);
    free(report);
    free(pidfile);
    return env_num(L"FAKEPY_EXIT", 0);
}
