/*
 * mode: how the run starts Python (exec, or embed: load libpython into
 * the shim's own process), and the PEP 668 check that stops a `pip
 * install` bound for a distribution's own Python before pip starts.
 */
#ifndef PYSHIM_MODE_H
#define PYSHIM_MODE_H

#include "common/sv.h"
#include "config/cfg.h"
#include "launcher/layer.h"

struct rctx;

/* The mode asked for: PYSHIM_MODE over the config's "mode", else auto;
 * *from says which. -1 with e: PYSHIM_MODE is no mode. */
int mode_wanted(struct rctx *c, const struct settings *s, enum cfg_mode *m,
                const char **from);

/*
 * Decide the plan's mode (and mode_why, libpython). Embed needs a CPython
 * 3.8+ with a shared libpython (the facts cache knows, without running
 * Python once it is filled), and no "env" entry that only the program
 * loader reads (LD_*, DYLD_*: embed sets "env" in a process that is
 * already loaded). Anything else runs by exec: silently under auto, and
 * with the reason in the trace (and `pyshim which`) either way.
 */
void mode_decide(struct rctx *c, enum cfg_mode m, const char *from,
                 const struct sv *env);

/*
 * -1 with e when this is a `pip install` into a project's base
 * interpreter that its distribution manages (PEP 668: pip would end in
 * "externally-managed-environment"), saying what to do instead. Options
 * with which the user chose a target or the risk themselves go through.
 */
int mode_externally_managed(struct rctx *c);

#endif
