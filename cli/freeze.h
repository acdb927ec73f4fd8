/*
 * freeze: every environment's package list, recorded next to it.
 *
 * The record is ENV/pyshim-requirements.txt: two comment lines (what it
 * is, and the Python version the env was made with, from its pyvenv.cfg)
 * and then exactly what `ENV's python -m pip freeze` printed (with
 * --local for a project venv: its own packages, not those of its shared
 * envs). It is written atomically, and never over a file of that name
 * that pyshim did not write.
 *
 * A record is fresh while it is newer than the env's site-packages dir:
 * installing, upgrading or removing a package adds or removes entries
 * there, which moves that dir's mtime. Only `pyshim` commands look: the
 * shim never does (no cost on `python`'s path), so a `pip install` run
 * through the shim in a project is recorded on the next `pyshim freeze`.
 */
#ifndef PYSHIM_FREEZE_H
#define PYSHIM_FREEZE_H

#include "common/err.h"
#include "common/sb.h"
#include "config/dirs.h"

#define FREEZE_RECORD "pyshim-requirements.txt"

/* The record's path for env_dir (replaces out). */
void freeze_record_path(struct sb *out, const char *env_dir);

/* Run the env's `python -m pip freeze` (local: with --local) and write
 * the record. list gets the package list (replaced). -1 with e when pip
 * fails or the record cannot be written. One at a time per env (a lock
 * in d's data dir), so that of two runs after two pip commands the last
 * record written is the later list. */
int freeze_write(const struct dirs *d, const char *env_dir, int local,
                 struct sb *list, struct err *e);

/* The env's package list into list (replaced): the record's, when it is
 * fresh, else freeze_write's. */
int freeze_get(const struct dirs *d, const char *env_dir, int local,
               struct sb *list, struct err *e);

/* The list in env_dir's record, whatever its age, into list (replaced);
 * -1 when there is none (or it is not pyshim's). */
int freeze_read_record(const char *env_dir, struct sb *list);

#endif
