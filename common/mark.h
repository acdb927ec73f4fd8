/*
 * mark: telling a program file from a script, and pyshim's own binaries
 * (of any version) from other programs.
 *
 * Every pyshim binary holds one mark string (mark.c), so a copy of any
 * pyshim build, older or newer, found on PATH or under a python name is
 * known as pyshim's: the installer replaces and removes only those, and
 * the interpreter search never takes one for a Python.
 */
#ifndef PYSHIM_MARK_H
#define PYSHIM_MARK_H

#include <stddef.h>

/* The mark every pyshim binary holds. On ELF systems it also sits in an
 * allocated note (common/plat_posix.c), which the linker places in the
 * first page of the file. */
#define MARK_STRING "pyshim-binary-mark:bee71685de43fb6594ea46ef51119f68"
/* How much of an ELF file is read to find the note. */
#define MARK_ELF_HEAD (64u << 10)

/* True if data starts like a native program: ELF, Mach-O (thin or fat)
 * or PE ("MZ"). A "#!" script, text or an empty file is not. Pure. */
int mark_is_program(const char *data, size_t len);
/* True if data is a native program (mark_is_program) holding the pyshim
 * mark. Pure. */
int mark_in(const char *data, size_t len);
/* True if path is a regular file (links followed) that starts like a
 * native program. Reads only its first bytes, and opens nothing but a
 * regular file, without blocking. */
int mark_file_is_program(const char *path);
/* True if path is a regular file under 64 MiB that is a pyshim binary
 * (mark_in on its bytes). An ELF file is judged by its first
 * MARK_ELF_HEAD bytes, where pyshim's note is (a 7 MB python3.11 is not
 * read whole on every run; ELF builds older than the note are not
 * recognised here, only by mark_in on the whole file); any other program
 * (PE, Mach-O: python.exe and framework stubs are small) is read whole. */
int mark_file_is_pyshim(const char *path);

#endif
