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

/* Edit the file at path (following a symlink to the real file, so
 * dotfile managers keep their link) atomically. body NULL removes the
 * block. *changed tells whether anything was written. */
int rc_edit(const char *path, const char *body, int *changed, struct err *e);

#endif
