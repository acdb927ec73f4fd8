/*
 * fs: the one way pyshim writes a file that users depend on.
 */
#ifndef PYSHIM_FS_H
#define PYSHIM_FS_H

#include <stddef.h>

#include "common/err.h"

/* Write data to path atomically (plat_write_atomic: exclusive temp name,
 * no link followed, fsync, rename), creating missing parent directories
 * with dir_mode first. mode is the file's permission bits. On failure e
 * says "cannot write 'PATH': why" (exit code CANTCREAT). */
int fs_write_file(const char *path, const void *data, size_t len, unsigned mode,
                  unsigned dir_mode, struct err *e);

#endif
