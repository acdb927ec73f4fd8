/*
 * request: what the name the shim was called by asks for. "python3.12"
 * and "pip3.12" pin a version ("python3.13t" a free-threaded build),
 * "pip*" runs pip. Pure.
 */
#ifndef PYSHIM_REQUEST_H
#define PYSHIM_REQUEST_H

#include "common/sb.h"
#include "common/pyver.h"

struct request {
    int is_pip;
    struct pyver pin; /* from python3.N / pip3.N, else PYVER_NONE */
    int ft;           /* python3.Nt / pip3.Nt: a free-threaded build */
};

/* The name invoked was called by (argv[0]), as a request: the basename,
 * and on Windows without ".exe" and in lower case (names are caseless
 * there: "Python3.12.EXE" is "python3.12"). Replaces out. */
void request_name(const char *invoked, struct sb *out);
/* Parse invoked into r (overwritten). */
void request_parse(const char *invoked, struct request *r);

#endif
