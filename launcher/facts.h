/*
 * facts: what an interpreter is, learned once by running it and kept in
 * the cache dir (interp/HEX.json: the name older pyshims gave their JSON
 * records, whose records are thereby replaced) as a line record
 * (common/linerec.h), so later invocations never run Python to find out.
 *
 *   pyshim-facts 1
 *   key SIZE:DEV:INO:MTIME_NS:REAL_PATH
 *   version 3.12.1
 *   impl cpython
 *   abiflags
 *   libpython /usr/lib/x86_64-linux-gnu/libpython3.12.so.1.0
 *   prefix /usr
 *   ext_managed 0
 *
 * (each value escaped; "abiflags " and "libpython " end in a space, the
 * empty field). An entry is keyed by the interpreter's real path and
 * identity; any change (an upgrade, a rebuild) re-probes. A corrupt,
 * truncated or JSON entry is re-probed, never trusted. Entries are written
 * atomically, so concurrent first runs at worst probe twice.
 */
#ifndef PYSHIM_FACTS_H
#define PYSHIM_FACTS_H

#include <stddef.h>

#include "common/err.h"
#include "common/plat.h"
#include "common/sb.h"
#include "common/trace.h"
#include "common/pyver.h"

struct facts {
    struct pyver ver;
    char *impl;      /* "cpython", "pypy", ... */
    char *abiflags;  /* "", "t", "d", "m" */
    char *libpython; /* absolute path of the shared libpython, or NULL */
    char *prefix;    /* sys.prefix */
    int ext_managed; /* the stdlib holds EXTERNALLY-MANAGED (PEP 668) */
};

#define FACTS_INIT                                                             \
    {                                                                          \
        PYVER_NONE, NULL, NULL, NULL, NULL, 0                                  \
    }

/* Facts about the interpreter at path, from cache_dir/interp/ or by
 * running it once (with -E -s -S). real is path's canonical form when the
 * caller already has it (saves resolving it again), or NULL. */
int facts_get(const char *path, const char *real, const char *cache_dir,
              struct facts *f, struct trace *t, struct err *e);
void facts_release(struct facts *f);

/* The record reader, a pure function of bytes: the facts in the line
 * record text[0..len) (above) into f, which must be FACTS_INIT or
 * released. With key non-NULL the record's key must equal it (the key
 * facts_key makes). Returns 0, or -1 (f left released) for anything
 * malformed, incomplete, in another format or keyed otherwise. */
int facts_parse(const char *text, size_t len, const char *key, struct facts *f);
/* The probe's output (one JSON object, as the interpreter prints it) into
 * f, as facts_parse. */
int facts_parse_probe(const char *text, size_t len, struct facts *f);
/* The writer: the record of f under key, into rec (replaced). */
void facts_record(struct sb *rec, const struct facts *f, const char *key);
/* The key of the interpreter whose canonical path is real and whose
 * stat (following links) is st, into key (replaced). */
void facts_key(struct sb *key, const char *real, const struct plat_stat *st);
/* Is libpython a macOS framework build's library
 * (.../Python.framework/Versions/3.X/Python)? Its interpreter starts
 * through a stub that sets __PYVENV_LAUNCHER__ to tell a venv's python
 * from the base, which loading the library into pyshim does not do, so
 * `auto` runs such interpreters by exec (launcher/resolve.c). A pure
 * string test, true on any OS for such a path. */
int facts_is_framework_lib(const char *libpython);

#endif
