/*
 * icache: the interpreter search cache (issue 14). A project without a
 * venv (only a .python-version, a "python" setting, nothing at all
 * outside projects) needs the search of launcher/interp.c on every run:
 * every PATH directory listed, every python3.X in it stat'ed and its
 * first bytes read, the pyenv and uv installs listed; ~43k instructions
 * per interpreter found, growing with PATH. The search's answer is kept
 * in the cache dir, keyed by everything it reads, and a warm run checks
 * with one stat per directory and per candidate file that nothing it read
 * has changed, instead of reading them again. The record is written when
 * the run's pick is done (pick_release), so that what the pick learned
 * of the entries (a micro version from the facts, a probe that told
 * nothing, a pyshim build) is kept with them: the file identities checked
 * on every hit are what those answers depend on, and a warm run asks
 * nothing again (growth: N copies of one minor version would otherwise be
 * asked for their micro on every run).
 *
 * The key: $PATH, pyenv's root, the pyenv and uv install dirs (all that
 * interp_env holds), the running shim's identity (a rebuilt pyshim
 * searches again). Checked on every hit: the identity (device, inode)
 * and mtime of every directory the search listed or looked into (PATH's,
 * the system dirs, pyenv's and uv's roots and each install's bin), and
 * the identity, size and mtime of every candidate file it looked at (a
 * link re-pointed, a program rewritten in place), or that it was absent.
 * An interpreter installed or removed changes its directory's mtime: the
 * next run searches again.
 *
 * A directory or file changed within the last moment (the file system's
 * timestamp granularity: 50 ms, or 2 s where times have no sub-second
 * part) could change again without its mtime changing: such a search is
 * not kept (the next run searches and keeps it).
 *
 * The record (CACHE/interp/search-XX, XX from a hash of the key: at most
 * 256 records, one per $PATH in use; common/linerec.h lines):
 *
 *   pyshim-search 1
 *   path 1 PATH                    (the key; "path 0": unset)
 *   pyenv_root 1 ROOT              ("pyenv_root 0": none)
 *   pyenv_versions DIR...
 *   uv DIR...
 *   self DEV INO SIZE 1 PATH
 *   traced 0|1                     (1: the search's trace lines are in it)
 *   d DEV INO MTIME_NS DIR         (or "d - DIR": not a directory)
 *   f DEV INO SIZE MTIME_NS PATH   (or "f - PATH": absent)
 *   i PATH MAJOR MINOR MICRO FT SHIM PROBED DEV INO ORIGIN 1 NAME
 *                                  ("... ORIGIN 0": no name)
 *   t TEXT                         (a trace line of the search)
 *   end
 *
 * (text fields escaped, numbers in decimal, an unknown version part -1)
 *
 * A warm run reads the lines in the form icache_store writes them in one
 * pass over the record's own buffer (numbers parsed in place and compared
 * with stat's as integers, paths NUL-ended in place; the entries' strings
 * stay in the record, which the list keeps as its pool); any other line
 * (an escape, an absent path, a longer number) is read by the strict
 * linerec reader, which takes or refuses it.
 *
 * Like a facts record, it is believed only when it is a regular file of
 * the user's (or root's) that no one else may write, read once from its
 * descriptor (plat_read_regular); anything else, damaged or keyed
 * otherwise, is a miss: the search runs and the record is replaced. POSIX
 * only (Windows' search reads the registry: not cached).
 */
#ifndef PYSHIM_ICACHE_H
#define PYSHIM_ICACHE_H

#include <stddef.h>
#include <stdint.h>

#include "common/plat.h"
#include "common/sb.h"
#include "common/sv.h"
#include "common/trace.h"
#include "launcher/interp.h"

/* What one search read (filled by interp_discover through
 * interp_env.note). */
struct icache_note {
    struct sb lines; /* the "d" and "f" lines */
    struct sv trace; /* the search's trace lines */
    int traced;      /* they were asked for (the trace was enabled) */
    int64_t t0;      /* the clock when the search began */
    int fresh;       /* something it read changed too recently */
    /* after icache_load: the "d" and "f" lines are not copied into lines
     * but are the bytes [pool_at, pool_at + pool_len) of the record the
     * loaded list holds (its pool): icache_store is given that list */
    int in_pool;
    size_t pool_at, pool_len;
};

#define ICACHE_NOTE_INIT                                                       \
    {                                                                          \
        SB_INIT, SV_INIT, 0, 0, 0, 0, 0, 0                                     \
    }

/* Start a note (the clock is read now: before the search). */
void icache_note_begin(struct icache_note *n);
/* The search is about to list or look into dir: stat it (following
 * links) and note what it is. */
void icache_note_dir(struct icache_note *n, const char *dir);
/* The search looked at the file path and stat (following links) said st,
 * or failed (st NULL). */
void icache_note_file(struct icache_note *n, const char *path,
                      const struct plat_stat *st);
void icache_note_release(struct icache_note *n);

/* The search's answer for env from its record in env->cache_dir, when
 * everything the search read is unchanged: 0, out (empty) filled as
 * interp_discover would (with what earlier picks learned) and the
 * search's trace lines added to t (which needs a record written with a
 * trace when it is enabled); n (empty) then holds the record's note, to
 * store the answer again when this run's pick learns more. -1 (out left
 * empty) on a miss. */
int icache_load(const struct interp_env *env, struct interp_list *out,
                struct trace *t, struct icache_note *n);
/* The search is over: note its trace lines, t->lines.v[from..] (t may be
 * NULL or not enabled). */
void icache_note_end(struct icache_note *n, const struct trace *t, size_t from);
/* Keep the answer l of the search that note n recorded for env. Nothing
 * is kept when something changed too recently; a failure to write is not
 * an error (the next run searches again). */
void icache_store(const struct interp_env *env, const struct interp_list *l,
                  const struct icache_note *n);
/* How much the pick has learned about l's entries (probed or found to
 * be pyshim builds): a change since icache_load means store again. */
size_t icache_learned(const struct interp_list *l);

#endif
