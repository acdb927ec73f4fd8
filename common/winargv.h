/*
 * winargv: Windows command lines. Windows passes a child one string, and
 * the child's C runtime (or CommandLineToArgvW) splits it back into argv;
 * these functions do the two halves so that the round trip is exact. Pure
 * string code, no Windows headers: it compiles and is tested everywhere.
 *
 * The rules (MSVC CRT 2008 and later, and CommandLineToArgvW for every
 * command line winargv_quote writes):
 *  - argv[0] is the program name: '"' toggles quoting, everything else,
 *    backslashes included, is literal, and it ends at a space or tab
 *    outside quotes.
 *  - Other arguments are separated by spaces and tabs outside quotes.
 *    2n backslashes before a '"' give n backslashes and the '"' toggles
 *    quoting; 2n+1 backslashes before a '"' give n backslashes and a
 *    literal '"'; backslashes before anything else are literal; inside
 *    quotes, "" gives a literal '"' and quoting goes on.
 */
#ifndef PYSHIM_WINARGV_H
#define PYSHIM_WINARGV_H

#include "common/sb.h"
#include "common/sv.h"

/* Append to out the command line for argv (NULL-terminated), quoted so
 * that CommandLineToArgvW and the MSVC CRT (2008+) give back exactly argv:
 * an argument that is empty or holds a space, tab or '"' is quoted;
 * backslashes are doubled only before a '"' and before the closing quote;
 * argv[0] follows the program-name rule (quotes only, no escapes).
 * Returns 0, or -1 with errno EINVAL (out unchanged) if an argument cannot
 * round-trip: a '"' in argv[0]. */
int winargv_quote(struct sb *out, char *const argv[]);

/* Split cmdline as the MSVC CRT (2008+) does, argv[0] by the program-name
 * rule, appending the arguments to out. An empty command line gives one
 * empty argument, as in the CRT. */
void winargv_split(const char *cmdline, struct sv *out);

#endif
