/*
 * exitcode: every exit status pyshim itself produces, in one place.
 *
 * The shim replaces itself with Python (execv), so on success the status
 * the caller sees is Python's own; these codes only appear when pyshim
 * stops before Python started, and never mix with the child's. They follow
 * sysexits(3) so scripts can tell a bad config from a missing interpreter.
 */
#ifndef PYSHIM_EXITCODE_H
#define PYSHIM_EXITCODE_H

enum pyshim_exit {
    PYSHIM_EXIT_OK = 0,
    PYSHIM_EXIT_FAILURE = 1,    /* a CLI command failed */
    PYSHIM_EXIT_USAGE = 64,     /* bad command line */
    PYSHIM_EXIT_CONFIG = 65,    /* a config or data file is invalid */
    PYSHIM_EXIT_NOINPUT = 66,   /* a file or directory is missing */
    PYSHIM_EXIT_NOTFOUND = 69,  /* no interpreter matches the request */
    PYSHIM_EXIT_SOFTWARE = 70,  /* internal error */
    PYSHIM_EXIT_OSERR = 71,     /* the OS refused (cwd gone, fork...) */
    PYSHIM_EXIT_CANTCREAT = 73, /* cannot write a generated file */
    PYSHIM_EXIT_NOPERM = 77,    /* config not trusted / not safe */
    PYSHIM_EXIT_CANTEXEC = 126, /* found but could not be run */
    PYSHIM_EXIT_LOOP = 125      /* the shim would run itself */
};

#endif
