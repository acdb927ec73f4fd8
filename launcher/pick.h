/*
 * pick: interpreter selection. From a version request ("3.12", a pyenv
 * or uv install name, "system", a path, or none) to one interpreter: its
 * path and version, with the reasons in the trace.
 *
 * One struct pick serves one run: the installed interpreters are
 * searched at most once (pick_list), however many requests the run asks
 * (`python3.12` in a project whose .python-version names a pyenv env
 * asks two), and one interpreter's facts are read at most once
 * (pick_facts). It reads the file system, the facts cache and the search
 * cache; it writes nothing but those caches (launcher/facts.h,
 * launcher/icache.h: the search's record when it is released).
 */
#ifndef PYSHIM_PICK_H
#define PYSHIM_PICK_H

#include "common/err.h"
#include "common/sb.h"
#include "common/sv.h"
#include "common/trace.h"
#include "config/dirs.h"
#include "launcher/envvars.h"
#include "launcher/facts.h"
#include "launcher/icache.h"
#include "launcher/interp.h"
#include "common/pyver.h"

/* Where pyenv (pyenv-win) and uv keep their pythons: the one rule.
 *   pyenv root: $PYENV_ROOT if absolute, else ~/.pyenv (Windows:
 *     ~\.pyenv\pyenv-win, where pyenv-win sets it).
 *   pyenv versions: ROOT/versions; Windows adds ROOT\pyenv-win\versions
 *     and %USERPROFILE%\.pyenv\pyenv-win\versions.
 *   uv: $UV_PYTHON_INSTALL_DIR if absolute, else $XDG_DATA_HOME/uv/python
 *     or ~/.local/share/uv/python; Windows: $UV_PYTHON_INSTALL_DIR, then
 *     %APPDATA%\uv\data\python (uv's documented place) and
 *     %APPDATA%\uv\python.
 *   the Python install manager (PEP 773, Windows only): its install_dir
 *     %LOCALAPPDATA%\Python, holding the runtimes (pythoncore-3.14-64)
 *     and, in bin, its alias launchers, which are never interpreters.
 * Relative values are ignored; a place listed twice is listed once. */
struct pick_dirs {
    char *pyenv_root; /* or NULL */
    struct sv pyenv_versions;
    struct sv uv;
    char *pymanager; /* Windows: %LOCALAPPDATA%\Python, or NULL */
};

#define PICK_DIRS_INIT                                                         \
    {                                                                          \
        NULL, SV_INIT, SV_INIT, NULL                                           \
    }

/* Fill out (empty) from v and home (may be NULL). Pure. */
void pick_install_dirs(const struct envvars *v, const char *home,
                       struct pick_dirs *out);
void pick_dirs_release(struct pick_dirs *d);

struct pick {
    struct interp_env ienv; /* what interp.h's search needs */
    const struct envvars *vars;
    struct trace *trace; /* borrowed; may be NULL */
    struct pick_dirs dirs;
    char *self_path;
    struct interp_list list;
    int scanned;
    /* the search cache (launcher/icache.h): what this run did with it,
     * the note of the search, icache_learned() when loaded */
    enum { PICK_ICACHE_NONE, PICK_ICACHE_HIT, PICK_ICACHE_MISS } icache;
    struct icache_note note;
    size_t learned;
    char *facts_real; /* the one interpreter whose facts are held */
    struct facts facts;
    int facts_ok;
};

/* A choice: the interpreter's path (owned) and version (as far as known;
 * micro may be -1). */
struct pick_result {
    char *path;
    struct pyver ver;
};

#define PICK_RESULT_INIT                                                       \
    {                                                                          \
        NULL, PYVER_NONE                                                       \
    }

/* Start a search with these variables, pyshim's dirs d (the facts cache,
 * the home) and trace t (may be NULL). vars and d must outlive k. Fails
 * (e) only when pyshim's own executable cannot be found. */
int pick_init(struct pick *k, const struct envvars *vars, const struct dirs *d,
              struct trace *t, struct err *e);
void pick_release(struct pick *k);

/* Every installed interpreter (interp.h's order), searched on the first
 * call only. Borrowed from k. */
struct interp_list *pick_list(struct pick *k);

/* The facts of path (its canonical path real, NULL: computed), or NULL
 * when they cannot be learned. Borrowed from k until the next call. */
const struct facts *pick_facts(struct pick *k, const char *path,
                               const char *real);

/* Version of the interpreter at path, from its name or else its facts
 * (ver untouched when neither tells). abiflags (may be NULL) asks for its
 * ABI flags too (caller frees; always from the facts). */
void pick_version(struct pick *k, const char *path, struct pyver *ver,
                  char **abiflags);

/* Choose the interpreter for req (NULL: the default: on Windows the py
 * launcher's PY_PYTHON / py.ini, else pyenv's global version, else the
 * first python3 on PATH), asked by from (a file or setting, for
 * messages). "system" is the first python3 on PATH. Fills out (empty).
 * -1 with e: a path that is no executable or is pyshim itself, an
 * unknown version syntax, or nothing installed matches (e lists what
 * is). */
int pick_interp(struct pick *k, const char *req, const char *from,
                struct pick_result *out, struct err *e);
void pick_result_release(struct pick_result *r);

struct pyspec;
/* The newest installed interpreter whose version satisfies spec (a
 * project's requires-python, config/pyspec.h; text is the specifier as
 * written, from the file that asks it), for a project that asks for no
 * version itself. Ties go to the first found (pick_list's order). A
 * version known only up to its minor is completed from the facts when
 * the answer depends on the micro. -1 with e when none does (e lists
 * what is installed). */
int pick_spec(struct pick *k, const struct pyspec *spec, const char *text,
              const char *from, struct pick_result *out, struct err *e);

#endif
