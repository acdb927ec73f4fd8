/*
 * fakepy_posix: a native stand-in interpreter for the unit tests.
 *
 * The interpreter search takes only native programs (ELF, Mach-O, PE),
 * never "#!" scripts, so the fake pythons of tests/unit are copies of this
 * program. Each runs the shell script beside the file it was started as
 * (its real path + ".sh"), with the same arguments: the script says what
 * that fake answers to the facts probe and counts its runs.
 */
#define _XOPEN_SOURCE 700

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    static char sh[] = "sh";
    char **args = calloc((size_t)argc + 2, sizeof(*args));
    char *self = realpath("/proc/self/exe", NULL), *script;
    int i;

    if (!self)
        self = realpath(argv[0], NULL);
    if (!args || !self)
        return 127;
    script = malloc(strlen(self) + 4);
    if (!script)
        return 127;
    snprintf(script, strlen(self) + 4, "%s.sh", self);
    args[0] = sh;
    args[1] = script;
    for (i = 1; i < argc; i++)
        args[i + 1] = argv[i];
    execv("/bin/sh", args);
    perror("fakepy_posix: /bin/sh");
    return 127;
}
