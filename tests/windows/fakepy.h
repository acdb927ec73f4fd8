/*
 * fakepy: what the fake interpreter (fake_python.exe and the fake
 * python312.dll) tells the Windows tests. Both write the same JSON report,
 * so a test reads one format whether pyshim spawned a process (exec) or
 * loaded the DLL (embed).
 */
#ifndef PYSHIM_FAKEPY_H
#define PYSHIM_FAKEPY_H

#include <wchar.h>

/* Write the report (see tests/windows/README.md) to the file named by
 * %FAKEPY_REPORT% (replaced), or to stdout when it is unset. argv is the
 * argument vector as this fake received it; api is "Py_Main",
 * "Py_BytesMain" or NULL (the exe); crt_argv (may be NULL) is the C
 * runtime's own parse of the command line. Then %FAKEPY_PIDFILE% gets this
 * process's id and %FAKEPY_SLEEP_MS% is slept. Returns %FAKEPY_EXIT%
 * (default 0, read as an unsigned 32-bit number). */
unsigned fakepy_run(int argc, wchar_t **argv, int crt_argc, wchar_t **crt_argv,
                    const char *api, int embedded);

#endif
