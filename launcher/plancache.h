/*
 * plancache: a warm run replays an earlier run's decision instead of
 * deciding again, when every question that decision asked of the file
 * system and the process gets the same answer now.
 *
 * A run that decides (a miss) watches what resolve() and apply_plan()
 * ask through common/plat.h (plat_watch_begin): every stat and lstat,
 * the descriptor's stat of every file read and directory listed, every
 * real path, link, the home dir, the group check and variable. Its key
 * is everything else the decision depends on: the uid and the groups
 * (plat_credentials), the shim's own
 * file, the working directory, the name called by (its last name), the
 * arguments that
 * matter (the script of `python SCRIPT`, a digest of pip's) and the
 * variables
 * of struct envvars but PATH, which is an answer of the decisions that
 * read it (interp_env_path): a venv project's never does. The record, in
 * PYSHIM_CACHE/plan/ (one of 4,096 slots by the key's hash: the cache never
 * grows past them), holds the key, the answers and what the shim needs of the
 * plan: the mode, the program, argv before the user's arguments, the variables
 * set, the library embed mode loads.
 *
 * A warm run (plancache_load) asks the same questions again, in the
 * decision's one view of the file system (plat_memo_begin), and runs
 * the recorded plan only when every answer is the same; a file's answer
 * is its identity, size, mtime and ctime (a write or chmod changes its
 * ctime, which no user can set back), a directory's the same (a name
 * added, removed or renamed in it changes its times). What is known
 * without asking is not asked again: a name no lstat found in a
 * directory whose times did not change, the stat of a name whose lstat
 * showed no link.
 *
 * Nothing is recorded from a decision that changed anything (the hook
 * rewritten, a facts probe run, an overlay built), that used this
 * process's id or user name, that warned, that was
 * traced (PYSHIM_DEBUG, PYSHIM_DRYRUN), or whose answers changed while
 * it asked, nor while a file it saw changed within the file system's
 * timestamp granularity (50 ms, 2 s without sub-second times: the next
 * change could leave its times as they are). Windows: no cache.
 */
#ifndef PYSHIM_PLANCACHE_H
#define PYSHIM_PLANCACHE_H

#include <stdint.h>

#include "launcher/resolve.h"

struct plancache {
    struct sb key;  /* the record's first lines */
    struct sb file; /* its slot; empty: no cache this run */
    int64_t t0;     /* when the watched decision started */
};

void plancache_init(struct plancache *pc);
void plancache_release(struct plancache *pc);

/* 1 when the record in the slot of in's key holds: p (empty, from
 * plan_init) then has its mode, exe, argv (the user's arguments
 * appended), setenv and libpython. 0 when the run must decide. Writes
 * nothing. */
int plancache_load(struct plancache *pc, const struct resolve_in *in,
                   struct plan *p);

/* Watch the decision that follows. */
void plancache_watch(struct plancache *pc);

struct plat_obs;
/* The answers part of a record from a watch's n observations (pure),
 * after its salt line (salt: mixed into each file's identity):
 * one line per question, merged, without what the record answers
 * already; -1 when they cannot be replayed (a question answered two ways,
 * a file changed within the window before t0). Appends to rec. */
int plancache_answers(struct sb *rec, const struct plat_obs *obs, size_t n,
                      int64_t t0, uint64_t salt);

/* End the watch; when ok (the decision and its apply succeeded) and it
 * may be replayed, record it. Failures are silent: it is a cache. */
void plancache_save(struct plancache *pc, const struct resolve_in *in,
                    const struct plan *p, int ok);

#endif
