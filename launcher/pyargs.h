/*
 * pyargs: reading a python command line the way CPython does, enough to
 * find the script being run.
 */
#ifndef PYSHIM_PYARGS_H
#define PYSHIM_PYARGS_H

/* The script argument of a python command line (argv without argv[0]), or
 * NULL when there is none (-c, -m, an interactive run, "-" is returned as
 * is). Borrowed from argv. */
const char *pyargs_script(int argc, char *const argv[]);

#endif
