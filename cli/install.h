/*
 * install: the helpers `pyshim install`/`uninstall` share between the
 * generic steps (cli/install.c) and the Windows ones (cli/install_win.c).
 */
#ifndef PYSHIM_INSTALL_H
#define PYSHIM_INSTALL_H

#include "common/err.h"
#include "common/sb.h"

/* Is path this very pyshim: a symlink to "pyshim" (the layout before
 * issue 13), or a byte-for-byte copy or hard link of the running binary
 * self_bytes? */
int install_is_self(const char *path, const struct sb *self_bytes);
/* Is path pyshim's, of any version: this pyshim (install_is_self), or a
 * regular file under 64 MiB that is a program holding the mark? */
int install_is_ours(const char *path, const struct sb *self_bytes);
/* Write self to BIN/pyshim[.exe] atomically unless it already holds
 * those bytes; counts a write in *made. -1 with e set. */
int install_copy_self(const char *bin, const struct sb *self, int *made,
                      struct err *e);

#endif
