/*
 * layer: the settings that apply to a run, project over global, and
 * whether a python3.N / pip3.N pin overrides the project's environment.
 */
#ifndef PYSHIM_LAYER_H
#define PYSHIM_LAYER_H

#include "common/sv.h"
#include "config/cfg.h"
#include "config/discover.h"

struct rctx;

/* The settings that apply, after layering project over global. Strings
 * are borrowed from the project (or the environment), except
 * pyenv_first. */
struct settings {
    const char *python, *python_from;
    const char *venv, *venv_from;
    const struct sv *shared;
    const char *shared_from;
    const struct sv *env;
    enum cfg_mode mode;
    const char *mode_from;
    char *pyenv_first; /* owned: the first entry of PYENV_VERSION */
    char pinned[32];   /* python when a python3.N pin replaces it */
    /* the project's requires-python (pyproject.toml), or NULL */
    const struct pyspec *spec;
    const char *spec_text, *spec_from;
    char *spec_pick; /* owned: python when the spec chose it */
};

/* Fill s (overwritten) from pr: the project's own config, then
 * PYENV_VERSION (pyenv_version, may be NULL) unless the project names a
 * venv, then .python-version, then the global config. Pure. */
void layer_settings(const struct project *pr, const char *pyenv_version,
                    struct settings *s);
void layer_release(struct settings *s);

/* Nothing asks for a version (no python, no venv) but the project's
 * requires-python does: python becomes the newest installed interpreter
 * that satisfies it (pick_spec). -1 with the error when none does. */
int layer_requires_pick(struct rctx *c, struct settings *s);
/* The run's interpreter (c->p->ver, the environment chosen) must satisfy
 * the project's requires-python: a 3.11 venv or a "python": "3.11" never
 * runs a ">=3.12" project silently. -1 with an error naming the file, the
 * key and what to do. */
int layer_check_requires(struct rctx *c, const struct settings *s);

/* 1 if the run's python3.N / pip3.N pin asks for a version the project
 * (s) does not run: that interpreter then runs without the project's
 * environment, as pyenv and the py launcher do. */
int layer_pinned_elsewhere(struct rctx *c, const struct settings *s);

#endif
