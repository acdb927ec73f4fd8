/*
 * resolve: one invocation's whole decision, from the name the shim was
 * called by to the exact program, argv and environment to run:
 *
 *   request -> project -> interpreter -> environment -> hook -> plan
 *
 * docs/resolution.md tells the rules; the trace records each step.
 */
#ifndef PYSHIM_RESOLVE_H
#define PYSHIM_RESOLVE_H

#include "common/err.h"
#include "common/sb.h"
#include "common/sv.h"
#include "common/trace.h"
#include "config/cfg.h"
#include "config/dirs.h"
#include "config/discover.h"
#include "launcher/interp.h"
#include "common/pyver.h"

/* The loop guard of pass-through runs (docs/resolution.md). */
#define RESOLVE_PASSTHROUGH_VAR "PYSHIM_PASSTHROUGH"

struct resolve_in {
    const char *invoked; /* argv[0] as called ("python3.12", "/x/pip") */
    int argc;            /* the user's arguments, without argv[0] */
    char *const *argv;
    int dry;         /* create and write nothing (which, PYSHIM_DRYRUN) */
    int trace;       /* record the decisions */
    const char *cwd; /* NULL: the process's */
};

struct plan {
    int is_pip;
    struct pyver pin;     /* from python3.N / pip3.N, else unset */
    int passthrough;      /* no project: the next real program on PATH */
    char *exe;            /* absolute path to run */
    char *exe_real;       /* its canonical path, when it was computed */
    char *argv0;          /* argv[0] when it is not exe (Windows venvs) */
    struct sv argv;       /* complete argv; argv[0] is argv0 or exe */
    struct sv setenv;     /* NAME=VALUE set for the child */
    char *interp;         /* the base interpreter, or NULL */
    struct pyver ver;     /* its version, as far as known */
    const char *env_kind; /* "venv", "overlay", "base", "passthrough" */
    char *env_dir;        /* the venv or overlay, or NULL */
    char *env_from;       /* file or setting that chose the env */
    char *python_req;     /* the version request and where it came from */
    char *python_from;
    struct sv shared; /* shared site-packages dirs, in priority order */
    char *hook_path;  /* where the hook lives, or NULL */
    struct sb hook;   /* its content */
    int hook_changed;
    enum cfg_mode mode; /* exec or embed (after auto is decided) */
    char *mode_why;     /* how the mode was decided */
    char *libpython;    /* the library embed mode loads, or NULL */
    struct project proj;
    struct dirs dirs;
    struct trace trace;
};

void plan_init(struct plan *p);
void plan_release(struct plan *p);

/* Decide. On error returns -1 and e holds the message, hint and exit
 * code; the trace so far is kept for PYSHIM_DEBUG. */
int resolve(const struct resolve_in *in, struct plan *p, struct err *e);

/* The interpreter a version request (NULL: the default, as for a project
 * that names none) resolves to: its path (replaces path) and version. */
int resolve_interpreter(const char *req, struct sb *path, struct pyver *ver,
                        struct err *e);

/* Every installed interpreter, searched as resolution searches. */
int resolve_discover(struct interp_list *out, struct err *e);

/* The plan as a JSON object (PYSHIM_DRYRUN, `pyshim which --json`). */
void plan_to_json(const struct plan *p, struct sb *out);

#endif
