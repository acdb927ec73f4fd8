/*
 * sb: a growable string buffer, after git's strbuf.
 *
 * Invariants: buf is never NULL and always NUL-terminated, so sb.buf can be
 * passed to any C string function; len excludes the NUL. A fresh buffer
 * (SB_INIT) points at a shared empty string and allocates on first growth.
 * Binary content (embedded NULs) is allowed; len is the truth.
 */
#ifndef PYSHIM_SB_H
#define PYSHIM_SB_H

#include <stdarg.h>
#include <stddef.h>

/* The printf flavour format attributes check against: mingw-w64's GCC
 * means Microsoft's by "printf", and the Windows build uses the C99 one
 * (__USE_MINGW_ANSI_STDIO, %zu and all), so CMake passes gnu_printf. */
#ifndef PYSHIM_PRINTF
#define PYSHIM_PRINTF printf
#endif

struct sb {
    size_t alloc;
    size_t len;
    char *buf;
};

extern char sb_slopbuf[];
#define SB_INIT                                                                \
    {                                                                          \
        0, 0, sb_slopbuf                                                       \
    }

void sb_init(struct sb *sb, size_t hint);
/* Free the contents; the buffer is SB_INIT afterwards and reusable. */
void sb_release(struct sb *sb);
/* Empty the buffer, keeping its memory. */
void sb_reset(struct sb *sb);
/* Hand the string to the caller (caller frees); the buffer is reset. */
char *sb_detach(struct sb *sb, size_t *len);
/* Make room for extra more bytes. */
void sb_grow(struct sb *sb, size_t extra);
/* Truncate to len (must be <= sb->len). */
void sb_setlen(struct sb *sb, size_t len);

void sb_add(struct sb *sb, const void *data, size_t len);
void sb_addstr(struct sb *sb, const char *s);
void sb_addch(struct sb *sb, int c);
/* Append n in decimal, as "%llu" / "%lld" would, without printf's cost
 * (a few thousand instructions a call: keys and paths made on every
 * run's way to Python). */
void sb_addu64(struct sb *sb, unsigned long long n);
void sb_addi64(struct sb *sb, long long n);
void sb_addf(struct sb *sb, const char *fmt, ...)
    __attribute__((format(PYSHIM_PRINTF, 2, 3)));
void sb_vaddf(struct sb *sb, const char *fmt, va_list ap)
    __attribute__((format(PYSHIM_PRINTF, 2, 0)));
/* A formatted string, like git's xstrfmt (caller frees). */
char *xstrvfmt(const char *fmt, va_list ap)
    __attribute__((format(PYSHIM_PRINTF, 1, 0)));

/* Replace the contents with s. */
void sb_set(struct sb *sb, const char *s);

/* Remove trailing whitespace (space, tab, CR, LF). */
void sb_rtrim(struct sb *sb);

/* Append s as a JSON string literal, quotes included. Bytes that are not
 * valid UTF-8 are written as \u00XX escapes of the byte value. */
void sb_addjson(struct sb *sb, const char *s);

/* Append s as a Python bytes literal (b'...') that denotes exactly s. */
void sb_addpybytes(struct sb *sb, const char *s);

#endif
