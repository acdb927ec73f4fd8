/*
 * rcfile: the marked block pyshim keeps in shell start-up files.
 *
 *   # >>> pyshim >>>
 *   ...
 *   # <<< pyshim <<<
 *
 * The block is replaced in place when present and appended otherwise;
 * removing it gives back the file's original bytes exactly: when the file
 * did not end in a newline, the begin marker records that one was added,
 * and when pyshim created the file, it says so and removal deletes it.
 * Files with CRLF line ends get CRLF lines.
 *
 * rc_edit keeps a file's encoding: UTF-8 (or any ASCII-compatible code
 * page) stays as it is, a UTF-8 BOM is kept, and a file with a UTF-16
 * BOM (what Windows PowerShell's `>` and some editors write) is edited as
 * text and written back as UTF-16 with its BOM, so no file ever holds two
 * encodings. UTF-16 without a BOM is refused rather than guessed.
 */
#ifndef PYSHIM_RCFILE_H
#define PYSHIM_RCFILE_H

#include <stddef.h>

#include "common/err.h"
#include "common/sb.h"

#define RC_BEGIN "# >>> pyshim >>>"
#define RC_END "# <<< pyshim <<<"

/* The new content (replaces out): text with the block holding body (LF
 * lines, no markers); created: the file is new. */
void rc_set_block(const char *text, size_t len, const char *body, int created,
                  struct sb *out);
/* text without the block (replaces out). Returns 1 if a block was found,
 * 2 if it also says pyshim created the file, 0 if there is none
 * (out = text), -1 if a begin marker has no end (out = text). */
int rc_remove_block(const char *text, size_t len, struct sb *out);

/* Check that text holds no block or exactly one well-formed one: one
 * begin line, then one end line after it. Anything else (a begin without
 * its end, an end without a begin, two of either) is an error that names
 * path and the 1-based line of the offending marker, and says to fix the
 * file by hand: guessing where a broken block ends could delete the
 * user's own lines. Returns 0 or -1 (e set). */
int rc_check_block(const char *path, const char *text, size_t len,
                   struct err *e);

/* UTF-16 (little-endian if le, no BOM expected: a U+FEFF is kept as a
 * character) to UTF-8 and back, exactly: converting back gives the same
 * bytes. Replace out; -1 on malformed input (an odd length, an unpaired
 * surrogate; invalid UTF-8). */
int rc_utf16_to_utf8(const char *data, size_t len, int le, struct sb *out);
int rc_utf8_to_utf16(const char *data, size_t len, int le, struct sb *out);

/* Edit the file at path (following a symlink to the real file, so
 * dotfile managers keep their link) atomically. body NULL removes the
 * block. *changed tells whether anything was written. A file whose
 * markers rc_check_block refuses is left untouched (-1, e set). */
int rc_edit(const char *path, const char *body, int *changed, struct err *e);
/* Read and decode the file at path (following a symlink) and check its
 * block with rc_check_block, writing nothing: a missing file is fine.
 * Install and uninstall check every file they will edit first, so a bad
 * one stops them before anything changed. */
int rc_check(const char *path, struct err *e);

#endif
