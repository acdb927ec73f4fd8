/*
 * linerec: pyshim's own cache records as lines (the facts cache, the
 * interpreter search cache): a line is fields separated by one space and
 * ends in '\n'; a field that is text is escaped, so a path of any bytes
 * (spaces, newlines, not UTF-8) is one field that reads back exactly.
 * Reading is a walk over the bytes read once (plat_read_regular), with no
 * tree and no copy but the text fields asked for: a warm run reads its
 * records for a few hundred instructions where JSON cost ~19k.
 *
 * Escape: every byte <= 0x20 (space, control bytes, NUL), 0x7f and '\\'
 * as \xHH (lowercase hex); every other byte as is. The empty string is
 * an empty field.
 */
#ifndef PYSHIM_LINEREC_H
#define PYSHIM_LINEREC_H

#include <stddef.h>
#include <stdint.h>

#include "common/sb.h"

/* Append s escaped. */
void linerec_addesc(struct sb *out, const char *s);
/* 1 when none of the n bytes at s would be escaped (a field read back as
 * it is: no escape, no byte a damaged record could hold in its place). */
int linerec_plain(const char *s, size_t n);
/* A record's name: a hash of its key, a word at a time (~1 instruction a
 * byte; a key holds $PATH), not for anything but picking a file. */
uint64_t linerec_hash(const char *s, size_t n);
/* Append the line "NAME 0" when v is NULL, else "NAME 1 V" (v escaped):
 * a record key's optional text (a variable, set or not). */
void linerec_add_opt(struct sb *out, const char *name, const char *v);

/* A reader over text[0..len): lines, then fields of the current line. */
struct linerec {
    const char *p, *end;  /* the rest of the text */
    const char *f, *fend; /* the rest of the current line */
    const char *line;     /* the current line's start (its end: fend) */
};

void linerec_init(struct linerec *r, const char *text, size_t len);
/* Go to the next line. -1 at the end of the text, or when the last line
 * does not end in '\n' (a truncated record). */
int linerec_line(struct linerec *r);
/* 1 when the text is read to its end. */
int linerec_at_end(const struct linerec *r);
/* The current line's next field (raw, still escaped) as [*s, *s + *n).
 * -1 when the line has no more fields. */
int linerec_field(struct linerec *r, const char **s, size_t *n);
/* 1 when the current line has no more fields. */
int linerec_line_done(const struct linerec *r);
/* The next field must be exactly word (a tag, no escapes). */
int linerec_word(struct linerec *r, const char *word);
/* The next field as a decimal number (no sign, no leading '+', at most
 * UINT64_MAX / INT64_MAX and INT64_MIN for _i64, which allows a '-'). */
int linerec_u64(struct linerec *r, uint64_t *v);
int linerec_i64(struct linerec *r, int64_t *v);
/* The next field unescaped into out (replaced). -1 for a malformed
 * escape, a byte that should have been escaped, or an escaped NUL (the
 * values are C strings). */
int linerec_text(struct linerec *r, struct sb *out);
/* The next field must equal s escaped (compared without unescaping). */
int linerec_text_is(struct linerec *r, const char *s);

#endif
