/*
 * kspec: one Jupyter kernelspec (KERNELS/NAME/kernel.json), read for the
 * checks that need it (`pyshim doctor`, `pyshim kernel`), and where
 * Jupyter keeps them (kspec_user_dir). cJSON stays inside kspec.c.
 *
 * A kernelspec is pyshim's when its metadata holds a "pyshim" key (the
 * spec `pyshim kernel install` writes); only those may be removed by
 * pyshim without asking.
 */
#ifndef PYSHIM_KSPEC_H
#define PYSHIM_KSPEC_H

#include <stddef.h>

#include "common/err.h"
#include "common/sb.h"
#include "common/sv.h"

/* Largest kernel.json read; real ones are a few hundred bytes. */
#define KSPEC_MAX_BYTES (256 * 1024)

struct kspec {
    char *file;         /* the kernel.json path */
    struct sv argv;     /* "argv", as written */
    char *display_name; /* "display_name", or NULL */
    char *project;      /* metadata.pyshim.project, else (the specs of
                           pyshim before 0.x: argv[0] the shim)
                           env.PYSHIM_PROJECT; NULL if neither */
    struct sv env;      /* "env", as NAME=VALUE strings (strings only) */
    int is_pyshim;      /* metadata.pyshim is present */
    int is_auto;        /* metadata.pyshim.auto is true */
};

#define KSPEC_INIT                                                             \
    {                                                                          \
        NULL, SV_INIT, NULL, NULL, SV_INIT, 0, 0                               \
    }

/* Parse text (len bytes) read from file. "argv" must be a non-empty
 * array of strings; other keys are optional and ignored when their type
 * is wrong. On error returns -1 and e names the file. */
int kspec_parse(struct kspec *k, const char *file, const char *text, size_t len,
                struct err *e);
/* Read and parse file. */
int kspec_load(struct kspec *k, const char *file, struct err *e);
void kspec_release(struct kspec *k);

/* Is the kernelspec stale: its program gone (an absolute argv[0] that is
 * not executable, or a bare name not on PATH; jupyter_client supplies its
 * own "python"/"python3"), or its project directory gone or holding no
 * project marker any more? Returns 1 and fills why (replaced), else 0. */
int kspec_stale(const struct kspec *k, struct sb *why);

/* Provably stale, whoever wrote it: argv[0] is an absolute path that does
 * not exist (ENOENT, following links: a venv python whose base is gone
 * counts). A bare name or a program that exists but fails is never
 * "provably" stale. Returns 1 and fills why (replaced), else 0. */
int kspec_gone(const struct kspec *k, struct sb *why);

/* Jupyter's user kernel dir, the one rule every command uses (`kernel`
 * writes and lists there, `doctor` checks there), as jupyter_core's
 * jupyter_data_dir() finds it: $JUPYTER_DATA_DIR if set and not empty,
 * else plat_jupyter_data_dir(home); then "kernels". Made absolute (a
 * relative value is taken from the current directory, as Jupyter does;
 * "~" is home) and normalized. Replaces out; -1 with e set when no home
 * is known and nothing names the dir. Whether it exists is not checked. */
int kspec_user_dir(const char *home, struct sb *out, struct err *e);

/* Set each NAME=VALUE of env in this process, keeping the old values in
 * saved for kspec_env_restore (which releases saved). */
void kspec_env_apply(const struct sv *env, struct sv *saved);
void kspec_env_restore(struct sv *saved);

/* What a kernel's python says about itself. */
struct kspec_probe {
    int status;    /* -1: it could not be run; else its exit status */
    struct sb exe; /* sys.executable */
    struct sb ver; /* "X.Y.Z" */
    struct sb ipk; /* ipykernel_launcher's file; "" when not importable */
};

#define KSPEC_PROBE_INIT                                                       \
    {                                                                          \
        -1, SB_INIT, SB_INIT, SB_INIT                                          \
    }

/* Run python with env set (in this process, then restored), as a kernel
 * would start it but with -c: where it is, its version and whether
 * ipykernel imports there. */
void kspec_probe(const char *python, const struct sv *env,
                 struct kspec_probe *r);
void kspec_probe_release(struct kspec_probe *r);

#endif
