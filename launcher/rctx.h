/*
 * rctx: the state of one resolve() run, shared by the modules that make
 * up resolution (launcher/resolve.h lists them). Not for other callers:
 * they see struct plan.
 */
#ifndef PYSHIM_RCTX_H
#define PYSHIM_RCTX_H

#include "common/err.h"
#include "launcher/pick.h"
#include "launcher/resolve.h"

struct rctx {
    const struct resolve_in *in;
    struct plan *p; /* what is decided so far */
    struct err *e;
    struct pick pick; /* one interpreter search per run */
    /* the last interp_finds() question and its answer (launcher/vcheck.c):
     * the venv's python is asked about for what it runs and again for
     * pyvenv.cfg's home */
    char *finds_path;
    int finds_ret;
};

#endif
