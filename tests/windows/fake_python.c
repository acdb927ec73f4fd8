/*
 * fake_python.exe: a stand-in interpreter for the Windows tests.
 *
 * Asked for pyshim's facts probe (`-c <script mentioning sysconfig>`), it
 * answers like a CPython would: the version from fake_version.txt beside
 * it (default 3.12.4), prefix = its own directory, libpython = the
 * python3XY.dll beside it if there is one. Anything else: the report of
 * fakepy.c (argv, command line, environment, inherited handle), then the
 * exit code of %FAKEPY_EXIT%.
 */
#include <windows.h>
#include <shellapi.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "fakepy.h"

static int is_probe(int argc, wchar_t **argv)
{
    int i;

    for (i = 1; i + 1 < argc; i++)
        if (!wcscmp(argv[i], L"-c") && wcsstr(argv[i + 1], L"sysconfig"))
            return 1;
    return 0;
}

static void put(char *out, size_t cap, const char *s)
{
    size_t n = strlen(out);

    while (*s && n + 1 < cap)
        out[n++] = *s++;
    out[n] = '\0';
}

/* s as a JSON string (s is UTF-8; only '"', '\\' and controls escaped). */
static void put_json(char *out, size_t cap, const char *s)
{
    char e[8];

    put(out, cap, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\') {
            e[0] = '\\';
            e[1] = (char)c;
            e[2] = '\0';
        } else if (c < 0x20) {
            e[0] = '\\';
            e[1] = 'u';
            e[2] = '0';
            e[3] = '0';
            e[4] = "0123456789abcdef"[c >> 4];
            e[5] = "0123456789abcdef"[c & 15];
            e[6] = '\0';
        } else {
            e[0] = (char)c;
            e[1] = '\0';
        }
        put(out, cap, e);
    }
    put(out, cap, "\"");
}

static int probe(void)
{
    static wchar_t dir[32768], file[32768];
    static char udir[3 * 32768], ulib[3 * 32768], out[8 * 32768];
    char ver[64] = "3.12.4";
    int major = 3, minor = 12;
    DWORD n = GetModuleFileNameW(NULL, dir, 32768), done;
    wchar_t *slash;
    HANDLE h;

    if (!n || n >= 32768)
        return 70;
    slash = wcsrchr(dir, L'\\');
    if (!slash)
        return 70;
    *slash = L'\0';

    _snwprintf(file, 32768, L"%ls\\fake_version.txt", dir);
    h = CreateFileW(file, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0,
                    NULL);
    if (h != INVALID_HANDLE_VALUE) {
        char raw[64];
        size_t i = 0;

        if (ReadFile(h, raw, sizeof(raw) - 1, &done, NULL)) {
            raw[done] = '\0';
            for (i = 0; raw[i] && raw[i] != '\r' && raw[i] != '\n' &&
                        raw[i] != ' ' && i + 1 < sizeof(ver);
                 i++)
                ver[i] = raw[i];
            ver[i] = '\0';
        }
        CloseHandle(h);
    }
    major = atoi(ver);
    minor = strchr(ver, '.') ? atoi(strchr(ver, '.') + 1) : 0;

    _snwprintf(file, 32768, L"%ls\\python%d%d.dll", dir, major, minor);
    WideCharToMultiByte(CP_UTF8, 0, dir, -1, udir, sizeof(udir), NULL, NULL);
    ulib[0] = '\0';
    if (GetFileAttributesW(file) != INVALID_FILE_ATTRIBUTES)
        WideCharToMultiByte(CP_UTF8, 0, file, -1, ulib, sizeof(ulib), NULL,
                            NULL);

    put(out, sizeof(out), "{\"version\": ");
    put_json(out, sizeof(out), ver);
    put(out, sizeof(out),
        ", \"impl\": \"cpython\", \"abiflags\": \"\", \"libpython\": ");
    put_json(out, sizeof(out), ulib);
    put(out, sizeof(out), ", \"prefix\": ");
    put_json(out, sizeof(out), udir);
    put(out, sizeof(out), ", \"ext_managed\": false}\n");
    if (!WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), out, (DWORD)strlen(out),
                   &done, NULL))
        return 74;
    return 0;
}

int wmain(int crt_argc, wchar_t **crt_argv);
int wmain(int crt_argc, wchar_t **crt_argv)
{
    int argc = 0;
    wchar_t **argv = CommandLineToArgvW(GetCommandLineW(), &argc);

    if (!argv)
        return 70;
    if (is_probe(argc, argv))
        return probe();
    ExitProcess(fakepy_run(argc, argv, crt_argc, crt_argv, NULL, 0));
}
