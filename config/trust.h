/*
 * trust: a .pyshim.json decides which program runs when someone types
 * `python`, so a config that could run something unexpected runs only once
 * the user trusted it (like direnv's `allow` and mise's `trust`).
 *
 * A config needs trust when it names an interpreter by path, sets
 * environment variables, or points its venv or a shared path outside its
 * own directory. Names of shared envs (under the data dir) never do.
 * A trust record is DATA/trust/<sha256 of path NUL content>, holding the
 * path: editing the file (or moving it) asks again.
 */
#ifndef PYSHIM_TRUST_H
#define PYSHIM_TRUST_H

#include <stddef.h>

#include "common/err.h"
#include "config/cfg.h"

/* Why c needs trust (caller frees), or NULL if it does not. */
char *trust_needed(const struct cfg *c);
/* 1 if the file's current content is trusted, 0 if not, -1 on error. */
int trust_check(const char *data_dir, const char *file, struct err *e);
/* Trust the file's current content. */
int trust_add(const char *data_dir, const char *file, struct err *e);
/* The same for text (len bytes), the content of file as the caller read
 * and parsed it (cfg_load_text): what is trusted is exactly what was
 * parsed, never a second read that could return other bytes. */
int trust_check_text(const char *data_dir, const char *file, const char *text,
                     size_t len, struct err *e);
int trust_add_text(const char *data_dir, const char *file, const char *text,
                   size_t len, struct err *e);
/* Drop every trust record for file; *removed counts them. */
int trust_remove(const char *data_dir, const char *file, int *removed,
                 struct err *e);

/* A program inside a project tree (a venv made with --copies, or one that
 * came with a cloned repository) runs only once trusted. Its record is
 * keyed by path, size, mtime and inode: replacing the file asks again.
 * 1 trusted, 0 not, -1 error (e.g. the file is gone). */
int trust_check_program(const char *data_dir, const char *path, struct err *e);
int trust_add_program(const char *data_dir, const char *path, struct err *e);

#endif
