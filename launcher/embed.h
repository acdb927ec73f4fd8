/*
 * embed: run Python inside the shim's own process.
 *
 * The interpreter's shared libpython is loaded (RTLD_GLOBAL: C extension
 * modules resolve their Python symbols from it; lazily bound, as when the
 * python executable loads it) and
 * Py_BytesMain is called with argv[0] set to the environment's python, so
 * CPython's own path calculation finds pyvenv.cfg and sys.executable,
 * sys.prefix and sys.path come out exactly as when that python is run
 * directly. No second program is loaded.
 *
 * Windows: the interpreter's python3XY.dll is loaded (plat_dlopen) and
 * Py_Main gets argv in UTF-16; a venv is told by __PYVENV_LAUNCHER__,
 * which resolution puts in the environment before this runs.
 */
#ifndef PYSHIM_EMBED_H
#define PYSHIM_EMBED_H

#include "common/err.h"

/* Load libpython and run argv (argv[0] = the environment's python).
 * Returns -1 with e set if the library or Py_BytesMain cannot be loaded
 * (the caller then execs instead); otherwise Python has run and *status
 * is its exit status. */
int embed_run(const char *libpython, int argc, char **argv, int *status,
              struct err *e);

#endif
