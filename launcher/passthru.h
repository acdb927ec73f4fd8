/*
 * passthru: a run outside every project (and with no global config)
 * passes through to the next real program of the same name on PATH,
 * or, for a pinned python3.N / pip3.N not on PATH, to an installed
 * interpreter of that version. A loop guard in the environment
 * (RESOLVE_PASSTHROUGH_VAR, "PID:COUNT") tells a wrapper that finds
 * pyshim again in the same process from a legitimate nested python.
 */
#ifndef PYSHIM_PASSTHRU_H
#define PYSHIM_PASSTHRU_H

struct rctx;

/* Fill the plan for a pass-through run. -1 with e: nothing found, or a
 * loop. */
int passthru_plan(struct rctx *c);

#endif
