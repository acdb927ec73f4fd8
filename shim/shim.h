/*
 * shim: the python/pip front door. Resolves and then replaces itself with
 * the chosen interpreter. Prints nothing on success and never writes to
 * stdout (it is python's stdout), except the plan under PYSHIM_DRYRUN.
 */
#ifndef PYSHIM_SHIM_H
#define PYSHIM_SHIM_H

/* Run as python/pip. Returns only on failure, with an exit code. */
int shim_main(int argc, char **argv);

#endif
