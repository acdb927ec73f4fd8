/*
 * The fake python312.dll: exports what pyshim's embed mode calls.
 * Each entry point writes fakepy.c's report ("embedded": true) from the
 * arguments it was given and returns %FAKEPY_EXIT%; no interpreter runs.
 */
#include <windows.h>
#include <stdlib.h>

#include "fakepy.h"

__declspec(dllexport) int Py_Main(int argc, wchar_t **argv);
__declspec(dllexport) int Py_BytesMain(int argc, char **argv);

int Py_Main(int argc, wchar_t **argv)
{
    return (int)fakepy_run(argc, argv, 0, NULL, "Py_Main", 1);
}

/* CPython decodes these bytes from UTF-8 on Windows (PEP 540 aside, the
 * shim passes UTF-8): the report shows them decoded the same way. */
int Py_BytesMain(int argc, char **argv)
{
    wchar_t **w = calloc((size_t)argc + 1, sizeof(*w));
    int i, n;

    if (!w)
        return 70;
    for (i = 0; i < argc; i++) {
        n = MultiByteToWideChar(CP_UTF8, 0, argv[i], -1, NULL, 0);
        w[i] = calloc(n > 0 ? (size_t)n : 1, sizeof(**w));
        if (!w[i])
            return 70;
        if (n > 0)
            MultiByteToWideChar(CP_UTF8, 0, argv[i], -1, w[i], n);
    }
    return (int)fakepy_run(argc, w, 0, NULL, "Py_BytesMain", 1);
}
