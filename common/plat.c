/*
 * plat.c: the parts of plat.h that are the same on every OS, built on the
 * OS-specific primitives of plat_posix.c / plat_win32.c.
 */
#include "common/plat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/banned.h"

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int plat_listdir(const char *path, struct sv *names)
{
    struct sv found = SV_INIT;
    struct plat_dir *d = plat_opendir(path);
    const char *name;
    size_t i;

    if (!d)
        return -1;
    while ((name = plat_readdir(d)))
        sv_push(&found, name);
    plat_closedir(d);
    if (found.nr)
        qsort(found.v, found.nr, sizeof(*found.v), cmp_names);
    for (i = 0; i < found.nr; i++)
        sv_push(names, found.v[i]);
    sv_release(&found);
    return 0;
}

int plat_read_file(const char *path, size_t max, struct sb *out)
{
    return plat_read_regular(path, max, out, NULL);
}

const char *plat_read_strerror(int errnum)
{
    if (errnum == EINVAL)
        return "not a regular file (a FIFO, socket or device)";
    return plat_strerror(errnum);
}

int plat_jupyter_data_dir_posix(int macos, const char *home,
                                const char *xdg_data_home, struct sb *out)
{
    sb_reset(out);
    if (!macos && xdg_data_home && *xdg_data_home) {
        sb_addf(out, "%s/jupyter", xdg_data_home);
        return 0;
    }
    if (!home || !*home) {
        errno = ENOENT;
        return -1;
    }
    if (macos)
        sb_addf(out, "%s/Library/Jupyter", home);
    else
        sb_addf(out, "%s/.local/share/jupyter", home);
    return 0;
}
