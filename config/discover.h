/*
 * discover: which project an invocation belongs to.
 *
 * Order (docs/resolution.md): PYSHIM_PROJECT; else walk up from the
 * directory of the script being run; else walk up from the current
 * directory; else the global config; else nothing (pass through). The
 * first directory holding a marker is the project root. Markers, checked
 * in each directory: .pyshim.json, .venv/pyvenv.cfg, .python-version,
 * and a pyproject.toml that asks something of pyshim (a [tool.pyshim]
 * table, used as the config when there is no .pyshim.json beside it, or
 * [project] requires-python); a pyproject.toml asking neither is no
 * marker.
 * A marker that is unsafe (owned by another user, or writable by others,
 * or in a directory writable by others, or a link another user made) or
 * not a regular file (a FIFO, socket or device: never opened) is skipped
 * and recorded. Each marker file is read once (plat_read_regular): owner
 * and mode are judged from the descriptor read, and the bytes parsed are
 * the bytes hashed for trust.
 */
#ifndef PYSHIM_DISCOVER_H
#define PYSHIM_DISCOVER_H

#include "common/err.h"
#include "common/sv.h"
#include "common/trace.h"
#include "config/cfg.h"
#include "config/pyproject.h"
#include "config/sitecfg.h"

enum proj_kind {
    PROJ_NONE = 0, /* nothing found: pass through */
    PROJ_CONFIG,   /* a .pyshim.json */
    PROJ_MARKERS,  /* only .venv/ and/or .python-version */
    PROJ_GLOBAL    /* no project; the global config applies */
};

struct project {
    enum proj_kind kind;
    char *root;           /* project directory, or NULL */
    const char *start;    /* "PYSHIM_PROJECT", "script", "cwd" or NULL */
    struct cfg cfg;       /* the .pyshim.json, if any */
    char *pyversion;      /* request read from root/.python-version */
    char *pyversion_file; /* that file, or NULL */
    char *venv_marker;    /* root/.venv when it holds pyvenv.cfg */
    struct cfg global;    /* the global config; global.file NULL if none */
    struct sv skipped;    /* unsafe configs passed over, with the reason */
    struct sitecfg site;  /* the system config; site.file NULL if none */
    char *pyproject_file; /* root/pyproject.toml when it asks something */
    struct pyproject pyproject; /* what it asks: requires-python, whether
                                 * it has [tool.pyshim] */
    char *cfg_text; /* the .pyshim.json's bytes parsed and judged, or NULL */
    size_t cfg_len;
};

#define PROJECT_INIT                                                           \
    {                                                                          \
        PROJ_NONE, NULL, NULL, CFG_INIT, NULL, NULL, NULL, CFG_INIT, SV_INIT,  \
            SITECFG_INIT, NULL, PYPROJECT_INIT, NULL, 0                        \
    }

struct discover_in {
    const char *env_project; /* value of PYSHIM_PROJECT, or NULL */
    const char *script;      /* the script argument, or NULL */
    const char *cwd;         /* NULL: ask the OS */
    const char *home;
    const char *global_file; /* the global config path */
    const char *data_dir;    /* for trust records; NULL: trust nothing */
    const char *system_file; /* the system config path, or NULL */
};

/* Find the project. Returns -1 with e set when a marker exists but cannot
 * be read or parsed, or the cwd is gone; trace gets one line per step. */
int discover_project(const struct discover_in *in, struct project *out,
                     struct trace *t, struct err *e);
void project_release(struct project *p);
const char *project_kind_name(enum proj_kind k);

#endif
