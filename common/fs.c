#include "common/fs.h"

#include <errno.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "common/banned.h"

int fs_write_file(const char *path, const void *data, size_t len, unsigned mode,
                  unsigned dir_mode, struct err *e)
{
    struct sb dir = SB_INIT;
    int ret = 0;

    sb_addstr(&dir, path);
    path_dirname(&dir);
    if (plat_mkdirs(dir.buf, dir_mode) < 0 ||
        plat_write_atomic(path, data, len, mode) < 0)
        ret = err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot write '%s': %s", path,
                      plat_strerror(errno));
    sb_release(&dir);
    return ret;
}
