#include "common/winargv.h"

#include <errno.h>
#include <string.h>

#include "common/banned.h"

static int needs_quotes(const char *s)
{
    return !*s || strpbrk(s, " \t\"") != NULL;
}

/* One argument after argv[0]: quoted only when it must be, with the
 * backslashes before a '"' (literal or the closing one) doubled. */
static void quote_arg(struct sb *out, const char *s)
{
    if (!needs_quotes(s)) {
        sb_addstr(out, s);
        return;
    }
    sb_addch(out, '"');
    for (;;) {
        size_t bs = 0, i;

        while (*s == '\\') {
            bs++;
            s++;
        }
        if (!*s) {
            for (i = 0; i < 2 * bs; i++)
                sb_addch(out, '\\');
            break;
        }
        if (*s == '"') {
            for (i = 0; i < 2 * bs + 1; i++)
                sb_addch(out, '\\');
        } else {
            for (i = 0; i < bs; i++)
                sb_addch(out, '\\');
        }
        sb_addch(out, *s++);
    }
    sb_addch(out, '"');
}

int winargv_quote(struct sb *out, char *const argv[])
{
    size_t i;

    if (!argv[0])
        return 0;
    /* The program name has no escapes at all: a '"' in it cannot be
     * written so that the child reads it back. */
    if (strchr(argv[0], '"')) {
        errno = EINVAL;
        return -1;
    }
    if (needs_quotes(argv[0]))
        sb_addf(out, "\"%s\"", argv[0]);
    else
        sb_addstr(out, argv[0]);
    for (i = 1; argv[i]; i++) {
        sb_addch(out, ' ');
        quote_arg(out, argv[i]);
    }
    return 0;
}

void winargv_split(const char *cmdline, struct sv *out)
{
    struct sb arg = SB_INIT;
    const char *p = cmdline;
    int in_quotes = 0;

    /* argv[0], as the UCRT's parse_command_line reads the program name. */
    for (; *p && (in_quotes || (*p != ' ' && *p != '\t')); p++) {
        if (*p == '"')
            in_quotes = !in_quotes;
        else
            sb_addch(&arg, *p);
    }
    sv_push(out, arg.buf);
    in_quotes = 0;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        sb_reset(&arg);
        for (;;) {
            size_t bs = 0;
            int literal = 1;

            while (*p == '\\') {
                bs++;
                p++;
            }
            if (*p == '"') {
                if (bs % 2 == 0) {
                    if (in_quotes && p[1] == '"')
                        p++; /* "" inside quotes: one literal '"' */
                    else {
                        literal = 0;
                        in_quotes = !in_quotes;
                    }
                }
                bs /= 2;
            }
            while (bs--)
                sb_addch(&arg, '\\');
            if (!*p || (!in_quotes && (*p == ' ' || *p == '\t')))
                break;
            if (literal)
                sb_addch(&arg, *p);
            p++;
        }
        sv_push(out, arg.buf);
    }
    sb_release(&arg);
}
