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
/* True if path is a regular file under 64 MiB that is a pyshim binary of
 * any version (mark_in on its bytes). Reads the whole file, so callers ask
 * only about the few candidates they are about to use. */
int mark_file_is_pyshim(const char *path);

#endif
