/*
 * facts: what an interpreter is, learned once by running it and kept in
 * the cache dir as JSON, so later invocations never run Python to find out.
 *
 * An entry is keyed by the interpreter's real path and checked against its
 * size, mtime and inode; any change (an upgrade, a rebuild) re-probes. A
 * corrupt or truncated entry is re-probed, never trusted. Entries are
 * written atomically, so concurrent first runs at worst probe twice.
 */
#ifndef PYSHIM_FACTS_H
#define PYSHIM_FACTS_H

#include <stddef.h>

#include "common/err.h"
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

/* The reader, a pure function of bytes: the facts in the JSON record
 * text[0..len) (the probe's output, or a cache entry) into f, which must
 * be FACTS_INIT or released. With key non-NULL the record's "key" must
 * equal it. Returns 0, or -1 (f left released) for anything malformed,
 * incomplete or keyed otherwise. */
int facts_parse(const char *text, size_t len, const char *key, struct facts *f);
/* The writer: the cache record for the probe's output probe_out[0..len)
 * (one JSON object, trailing white space allowed) and key, into rec
 * (replaced). Returns 0, or -1 when probe_out does not end in "}". */
int facts_record(struct sb *rec, const char *probe_out, size_t len,
                 const char *key);
/* Is libpython a macOS framework build's library
 * (.../Python.framework/Versions/3.X/Python)? Its interpreter starts
 * through a stub that sets __PYVENV_LAUNCHER__ to tell a venv's python
 * from the base, which loading the library into pyshim does not do, so
 * `auto` runs such interpreters by exec (launcher/resolve.c). A pure
 * string test, true on any OS for such a path. */
int facts_is_framework_lib(const char *libpython);

#endif
