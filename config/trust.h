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
/* Trust text as the content of file (as parsed, or as it is about to be
 * written): trust_check then accepts the file while it holds exactly
 * text. */
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

/* A venv in a project tree runs its own start-up code (.pth files,
 * sitecustomize) and loads the standard library its pyvenv.cfg names
 * (launcher/vtrust.h): one pyshim did not make runs only once trusted.
 * pyshim records each venv it makes, and `pyshim trust` the project's.
 * The record is keyed by the venv's real path, the identity of its
 * directory and of its pyvenv.cfg (device, inode, mtime): a re-clone or a
 * re-created venv at the same path asks again, packages installed into
 * it later do not. 1 trusted, 0 not, -1 error (e.g. no pyvenv.cfg). */
int trust_check_venv(const char *data_dir, const char *venv_dir, struct err *e);
int trust_add_venv(const char *data_dir, const char *venv_dir, struct err *e);

/* 0 if c needs no trust, 1 if it needs it and is trusted as it is now;
 * else -1 with the shim's error: "config '...' is not trusted: <why>"
 * and a hint naming `pyshim trust root`. data_dir NULL trusts nothing.
 * text is the content of c->file as it was parsed: the bytes judged are
 * the bytes hashed (never a second read of the file). */
int trust_require(const char *data_dir, const struct cfg *c, const char *root,
                  const struct sb *text, struct err *e);

#endif
