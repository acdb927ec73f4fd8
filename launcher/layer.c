/*
 * layer: project settings over global ones (launcher/layer.h).
 */
#include "launcher/layer.h"

#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/xalloc.h"
#include "launcher/rctx.h"
#include "launcher/venv.h"
#include "config/pyspec.h"
#include "common/banned.h"

void layer_settings(const struct project *pr, const char *pyenv_version,
                    struct settings *s)
{
    const struct cfg *own = pr->kind == PROJ_GLOBAL ? &pr->global : &pr->cfg;
    static const struct sv none = SV_INIT;

    memset(s, 0, sizeof(*s));
    s->shared = &none;
    s->env = &none;
    if (own->python) {
        s->python = own->python;
        s->python_from = own->file;
    } else if (pyenv_version && *pyenv_version && !own->venv &&
               !pr->venv_marker) {
        /* `pyenv shell` outranks .python-version, as in pyenv; a venv
         * is the project's own choice and is not overridden */
        s->pyenv_first = xstrndup(pyenv_version, strcspn(pyenv_version, ":"));
        s->python = s->pyenv_first;
        s->python_from = "PYENV_VERSION";
    } else if (pr->pyversion) {
        s->python = pr->pyversion;
        s->python_from = pr->pyversion_file;
    } else if (pr->pyproject.requires_python) {
        /* the global and system pythons are defaults for projects that
         * ask nothing; requires-python asks (layer_requires_pick) */
    } else if (pr->global.python) {
        s->python = pr->global.python;
        s->python_from = pr->global.file;
    } else if (pr->site.python) {
        s->python = pr->site.python; /* the system config: the last layer */
        s->python_from = pr->site.file;
    }
    if (own->venv) {
        s->venv = own->venv;
        s->venv_from = own->file;
    } else if (pr->venv_marker) {
        s->venv = pr->venv_marker;
        s->venv_from = pr->venv_marker;
    }
    if (own->has_shared) {
        s->shared = &own->shared;
        s->shared_from = own->file;
    }
    if (own->has_env)
        s->env = &own->env;
    if (pr->pyproject.requires_python && pr->kind != PROJ_GLOBAL) {
        s->spec = &pr->pyproject.spec;
        s->spec_text = pr->pyproject.requires_python;
        s->spec_from = pr->pyproject_file;
    }
    s->mode = own->mode ? own->mode : pr->global.mode;
    s->mode_from = own->mode ? own->file : pr->global.file;
}

void layer_release(struct settings *s)
{
    free(s->pyenv_first);
    s->pyenv_first = NULL;
    free(s->spec_pick);
    s->spec_pick = NULL;
}

int layer_requires_pick(struct rctx *c, struct settings *s)
{
    struct pick_result r = PICK_RESULT_INIT;

    if (!s->spec || s->python || s->venv)
        return 0;
    if (pick_spec(&c->pick, s->spec, s->spec_text, s->spec_from, &r, c->e) < 0)
        return -1;
    free(s->spec_pick);
    s->spec_pick = r.path;
    s->python = s->spec_pick;
    s->python_from = s->spec_from;
    /* `pyshim which` shows what asked, not the path it led to */
    if (!c->p->python_req) {
        struct sb req = SB_INIT;

        sb_addf(&req, "requires-python \"%s\"", s->spec_text);
        c->p->python_req = sb_detach(&req, NULL);
    }
    return 0;
}

int layer_check_requires(struct rctx *c, const struct settings *s)
{
    struct plan *p = c->p;
    struct pyver v = p->ver;
    char have[32];
    int m;

    if (!s->spec)
        return 0;
    m = v.major < 0 ? -1 : pyspec_match(s->spec, &v);
    if (m < 0 && p->interp) {
        const struct facts *f = pick_facts(&c->pick, p->interp, NULL);

        if (f) {
            v = f->ver;
            m = pyspec_match(s->spec, &v);
        }
    }
    if (m != 0) /* satisfied, or not knowable: not refused on a guess */
        return 0;
    pyver_str(&v, have, sizeof(have));
    if (s->venv) {
        err_set(
            c->e, PYSHIM_EXIT_CONFIG,
            "the venv '%s' runs Python %s, but '%s' says requires-python = \"%s\"",
            s->venv, have, s->spec_from, s->spec_text);
        return err_hint(
            c->e,
            "recreate the venv on a Python that satisfies it (`pyshim init --python X.Y` after removing it), or change requires-python");
    }
    err_set(
        c->e, PYSHIM_EXIT_CONFIG,
        "Python %s (asked by %s) does not satisfy requires-python = \"%s\" in '%s'",
        have, s->python_from ? s->python_from : "default", s->spec_text,
        s->spec_from);
    return err_hint(
        c->e,
        "ask for a version that satisfies it (`pyshim pin X.Y`, or \"python\" in the config), or change requires-python");
}

int layer_pinned_elsewhere(struct rctx *c, const struct settings *s)
{
    struct plan *p = c->p;
    struct pyver have = PYVER_NONE;
    char want[32];
    struct venv v = VENV_INIT;
    int have_ft = 0;

    if (p->pin.minor < 0)
        return 0;
    if (s->venv && !venv_load(&v, s->venv, NULL)) {
        have = v.ver;
        have_ft = venv_is_ft(&v);
    } else if (s->python && pyver_parse(s->python, &have, 0) < 0) {
        /* a path, "system" or a pyenv name: ask what it is, in this
         * run's search (the one project_env will use) */
        struct pick_result r = PICK_RESULT_INIT;

        if (!pick_interp(&c->pick, s->python, s->python_from, &r, NULL)) {
            have = r.ver;
            have_ft = pyver_req_ft(path_basename(r.path));
        }
        pick_result_release(&r);
    } else if (s->python) {
        have_ft = pyver_req_ft(s->python);
    }
    venv_release(&v);
    if (have.major < 0 && !s->python && !s->venv)
        return 0; /* nothing asked: the pin is the request */
    /* python3.13t and python3.13 are two builds: a free-threaded pin
     * does not run a regular project's environment, nor the reverse */
    if (have.major == p->pin.major &&
        (have.minor < 0 || have.minor == p->pin.minor) &&
        (have.minor < 0 || have_ft == p->pin_ft))
        return 0;
    pyver_str(&p->pin, want, sizeof(want));
    trace_add(
        &p->trace,
        "'%s' pins %s%s but the project runs %d.%d%s: running Python %s%s without the project's environment",
        path_basename(c->in->invoked), want, p->pin_ft ? "t" : "", have.major,
        have.minor, have_ft ? "t" : "", want, p->pin_ft ? "t" : "");
    return 1;
}
