/*
 * resolve: one invocation's whole decision, from the name the shim was
 * called by to the exact program, argv and environment to run:
 *
 *   request -> project -> interpreter -> environment -> hook -> mode
 *
 * resolve() decides and writes nothing: a function of its declared
 * inputs (struct resolve_in: the name, the arguments, the cwd and the
 * environment variables in struct envvars) and of the file system, which
 * it only reads (the facts cache aside: launcher/facts.h). What the run
 * needs written (the hook, an overlay env, the shared envs' user
 * records) is in the plan, and launcher/apply.h does it.
 *
 * The modules under it, in the order a run meets them:
 *   launcher/request.h  the name called by: python3.N / pip3.N pins
 *   config/discover.h   the project
 *   launcher/layer.h    project settings over global ones
 *   launcher/pick.h     the interpreter
 *   launcher/envsel.h   the environment (venv, overlay, base)
 *   launcher/vcheck.h   what a venv may run
 *   launcher/mode.h     exec or embed, and the PEP 668 check
 *   launcher/passthru.h no project: the next program on PATH
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
#include "launcher/envvars.h"
#include "launcher/interp.h"
#include "common/pyver.h"

/* The loop guard of pass-through runs (docs/resolution.md). */
#define RESOLVE_PASSTHROUGH_VAR "PYSHIM_PASSTHROUGH"

struct resolve_in {
    const char *invoked; /* argv[0] as called ("python3.12", "/x/pip") */
    int argc;            /* the user's arguments, without argv[0] */
    char *const *argv;
    int trace;           /* record the decisions */
    const char *cwd;     /* NULL: the process's */
    struct envvars vars; /* every environment variable resolution reads */
};

/* Does PYSHIM_DISABLE's value v turn pyshim off (set, not "" or "0")? */
int resolve_disabled(const char *v);

/* Empty in, with vars read from this process's environment. */
void resolve_in_init(struct resolve_in *in);

struct plan {
    int is_pip;
    struct pyver pin;     /* from python3.N / pip3.N, else unset */
    int pin_ft;           /* the pin is python3.Nt: free-threaded */
    int passthrough;      /* no project: the next real program on PATH */
    int disabled;         /* PYSHIM_DISABLE: passing through, no project
                             file read */
    char *exe;            /* absolute path to run */
    char *exe_real;       /* its canonical path, when it was computed */
    char *argv0;          /* argv[0] when it is not exe (Windows venvs) */
    struct sv argv;       /* complete argv; argv[0] is argv0 or exe */
    struct sv setenv;     /* NAME=VALUE set for the child */
    char *interp;         /* the base interpreter, or NULL */
    char *python;         /* the environment's python: the path a tool
                             records to run this environment from any
                             directory (`pyshim which --json`), or NULL */
    struct pyver ver;     /* its version, as far as known */
    const char *env_kind; /* "venv", "overlay", "base", "passthrough" */
    char *env_dir;        /* the venv or overlay, or NULL */
    char *env_from;       /* file or setting that chose the env */
    char *python_req;     /* the version request and where it came from */
    char *python_from;
    struct sv shared;    /* shared site-packages dirs, in priority order */
    char *hook_site;     /* the site-packages the hook goes in, or NULL */
    char *hook_path;     /* where the hook lives, or NULL (not built yet) */
    struct sb hook;      /* its content */
    int hook_changed;    /* apply() rewrote or removed it */
    int hook_none;       /* no hook file is in hook_site (its listing
                            while deciding showed none): with no shared
                            env there is nothing to remove */
    int overlay_missing; /* env_dir is an overlay apply() must build */
    char *abiflags;      /* the overlay's base's ABI flags, or NULL */
    enum cfg_mode mode;  /* exec or embed (after auto is decided) */
    char *mode_why;      /* how the mode was decided */
    char *libpython;     /* the library embed mode loads, or NULL */
    struct project proj;
    struct dirs dirs;
    struct trace trace;
};

void plan_init(struct plan *p);
void plan_release(struct plan *p);

/* Decide, writing nothing. On error returns -1 and e holds the message,
 * hint and exit code; the trace so far is kept for PYSHIM_DEBUG. The
 * shim and `doctor --fix` then hand the plan to apply_plan(). */
int resolve(const struct resolve_in *in, struct plan *p, struct err *e);

/* The interpreter a version request (NULL: the default, as for a project
 * that names none) resolves to: its path (replaces path) and version,
 * with this process's environment (launcher/pick.h). */
int resolve_interpreter(const char *req, struct sb *path, struct pyver *ver,
                        struct err *e);
struct pyspec;
/* The newest installed interpreter satisfying spec (requires-python
 * text, from file), the same way (pick_spec). */
int resolve_interpreter_spec(const struct pyspec *spec, const char *text,
                             const char *from, struct sb *path,
                             struct pyver *ver, struct err *e);

/* Every installed interpreter, searched as resolution searches. */
int resolve_discover(struct interp_list *out, struct err *e);

/* The plan as a JSON object (PYSHIM_DRYRUN, `pyshim which --json`). */
void plan_to_json(const struct plan *p, struct sb *out);

#endif
