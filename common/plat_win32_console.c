/*
 * plat_win32_console: the command line (argv as python.exe's CRT
 * splits it) and the terminal for Windows. See plat_win32_internal.h for
 * the split.
 */
#include "common/plat.h"
#include "common/plat_win32_internal.h"

#include <io.h>
#include <stdlib.h>
#include <string.h>

#include "common/winargv.h"
#include "common/xalloc.h"
#include "common/banned.h"

void plat_main_args(int *argc, char ***argv)
{
    struct sv args = SV_INIT;
    char *line = win_utf8_lossy(GetCommandLineW());

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
        w[i] = win_to_wide(argv[i]);
        if (!w[i]) { /* not UTF-8: each byte as its Latin-1 character */
            size_t j, n = strlen(argv[i]);

            w[i] = xmalloc((n + 1) * sizeof(**w));
            for (j = 0; j <= n; j++)
                w[i][j] = (unsigned char)argv[i][j];
        }
    }
    return w;
}

/* A console is a terminal; a pipe or a file (and mintty's pipes, which
 * look like one) is not, so the CLI asks no question there. */
int plat_isatty(int fd)
{
    return _isatty(fd) != 0;
}
