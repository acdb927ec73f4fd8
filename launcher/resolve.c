/*
 * resolve: one run's decision (launcher/resolve.h), stage by stage; each
 * stage is its own module and this file only strings them together.
 */
#include "launcher/resolve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/xalloc.h"
#include "launcher/envsel.h"
#include "launcher/layer.h"
#include "launcher/mode.h"
#include "launcher/passthru.h"
#include "launcher/pyargs.h"
#include "launcher/rctx.h"
#include "launcher/request.h"
#include "launcher/siteenv.h"
#include "common/banned.h"

int resolve_disabled(const char *v)
{
    return v && *v && strcmp(v, "0");
}

void resolve_in_init(struct resolve_in *in)
{
    memset(in, 0, sizeof(*in));
    envvars_read(&in->vars);
}

static int find_project(struct rctx *c)
{
    const struct resolve_in *in = c->in;
    struct plan *p = c->p;
    struct discover_in din;

    memset(&din, 0, sizeof(din));
    din.env_project = in->vars.pyshim_project;
    din.script = p->is_pip ? NULL : pyargs_script(in->argc, in->argv);
    din.cwd = in->cwd;
    din.home = p->dirs.home;
    din.global_file = p->dirs.config_file;
    din.data_dir = p->dirs.data;
    din.system_file = in->vars.system_config;
    return discover_project(&din, &p->proj, &p->trace, c->e);
}

/* Choose the environment, with the name's pin where it applies. */
static int choose_env(struct rctx *c, struct settings *s)
{
    struct plan *p = c->p;
    const char *invoked = c->in->invoked;
    static const struct sv none = SV_INIT;

    if (layer_pinned_elsewhere(c, s)) {
        s->venv = NULL;
        s->shared = &none;
        {
            char vb[32];

            snprintf(s->pinned, sizeof(s->pinned), "%s%s",
                     pyver_str(&p->pin, vb, sizeof(vb)), p->pin_ft ? "t" : "");
        }
        s->python = s->pinned;
        s->python_from = path_basename(invoked);
        return envsel_choose(c, s);
    }
    if (p->pin.minor >= 0 && !s->venv && !s->python) {
        struct sb nb = SB_INIT;

        request_name(invoked, &nb);
        s->python = p->python_req = sb_detach(&nb, NULL);
        s->python_from = path_basename(invoked);
    }
    if (layer_requires_pick(c, s) < 0 || envsel_choose(c, s) < 0 ||
        layer_check_requires(c, s) < 0)
        return -1;
    if (!p->python_req && s->python)
        p->python_req = xstrdup(s->python);
    return 0;
}

/* The complete argv and the variables set for the child. */
static void fill_argv(struct rctx *c, const struct settings *s)
{
    struct plan *p = c->p;
    size_t i;
    int k;

    sv_push(&p->argv, p->argv0 ? p->argv0 : p->exe);
    if (p->is_pip) {
        sv_push(&p->argv, "-m");
        sv_push(&p->argv, "pip");
    }
    for (k = 0; k < c->in->argc; k++)
        sv_push(&p->argv, c->in->argv[k]);
    for (i = 0; i < s->env->nr; i++)
        sv_push(&p->setenv, s->env->v[i]);
}

static int project_run(struct rctx *c)
{
    struct plan *p = c->p;
    struct settings s;
    enum cfg_mode mode = CFG_MODE_AUTO;
    const char *mode_from = NULL;
    int ret = -1;

    layer_settings(&p->proj, c->in->vars.pyenv_version, &s);
    if (mode_wanted(c, &s, &mode, &mode_from) < 0 || choose_env(c, &s) < 0 ||
        siteenv_python_check(c) < 0 || siteenv_pip_check(c) < 0)
        goto out;
    if (s.python_from)
        p->python_from = xstrdup(s.python_from);
    fill_argv(c, &s);
    if (interp_is_self(&c->pick.ienv, p->exe)) {
        err_set(c->e, PYSHIM_EXIT_LOOP,
                "'%s' resolves to pyshim itself: running it would loop",
                p->exe);
        err_hint(c->e, "point the config at a real interpreter");
        goto out;
    }
    if (mode_externally_managed(c) < 0)
        goto out;
    mode_decide(c, mode, mode_from, s.env);
    ret = 0;
out:
    layer_release(&s);
    return ret;
}

int resolve(const struct resolve_in *in, struct plan *p, struct err *e)
{
    struct rctx c;
    struct request r;
    int ret = -1;

    memset(&c, 0, sizeof(c));
    c.in = in;
    c.p = p;
    c.e = e;
    p->trace.enabled = in->trace;
    /* one view of the file system for the whole decision (plat.h) */
    plat_memo_begin();
    request_parse(in->invoked, &r);
    p->is_pip = r.is_pip;
    p->pin = r.pin;
    p->pin_ft = r.ft;
    if (dirs_init_env(&p->dirs, &in->vars.dirs, e) < 0 ||
        pick_init(&c.pick, &in->vars, &p->dirs, &p->trace, e) < 0)
        goto out;
    /* The escape hatch (like PYENV_VERSION=system): the next real python
     * on PATH, before any project file is read, so that it also works
     * where a project's config is broken. */
    if (resolve_disabled(in->vars.pyshim_disable)) {
        p->disabled = 1;
        trace_add(&p->trace,
                  "PYSHIM_DISABLE=%s: pyshim is off; no project is read",
                  in->vars.pyshim_disable);
        ret = passthru_plan(&c);
        goto out;
    }
    if (find_project(&c) < 0)
        goto out;
    if (p->proj.kind == PROJ_NONE)
        ret = passthru_plan(&c);
    else
        ret = project_run(&c);
out:
    pick_release(&c.pick);
    free(c.finds_path);
    plat_memo_end();
    return ret;
}

/* The helpers below resolve no project: this process's variables, the
 * usual dirs and one interpreter search; no plan. */
struct standalone {
    struct envvars vars;
    struct dirs dirs;
    struct pick pick;
};

static int standalone_init(struct standalone *s, struct err *e)
{
    memset(s, 0, sizeof(*s));
    envvars_read(&s->vars);
    if (dirs_init_env(&s->dirs, &s->vars.dirs, e) < 0)
        return -1;
    return pick_init(&s->pick, &s->vars, &s->dirs, NULL, e);
}

static void standalone_release(struct standalone *s)
{
    pick_release(&s->pick);
    dirs_release(&s->dirs);
}

int resolve_discover(struct interp_list *out, struct err *e)
{
    struct standalone s;
    int ret = standalone_init(&s, e);

    if (!ret)
        interp_discover(out, &s.pick.ienv, NULL);
    standalone_release(&s);
    return ret;
}

int resolve_interpreter(const char *req, struct sb *path, struct pyver *ver,
                        struct err *e)
{
    struct standalone s;
    struct pick_result r = PICK_RESULT_INIT;
    int ret = -1;

    if (standalone_init(&s, e) < 0 ||
        pick_interp(&s.pick, req, req ? "the command line" : "default", &r, e) <
            0)
        goto out;
    sb_set(path, r.path);
    *ver = r.ver;
    ret = 0;
out:
    pick_result_release(&r);
    standalone_release(&s);
    return ret;
}

int resolve_interpreter_spec(const struct pyspec *spec, const char *text,
                             const char *from, struct sb *path,
                             struct pyver *ver, struct err *e)
{
    struct standalone s;
    struct pick_result r = PICK_RESULT_INIT;
    int ret = -1;

    if (standalone_init(&s, e) < 0 ||
        pick_spec(&s.pick, spec, text, from, &r, e) < 0)
        goto out;
    sb_set(path, r.path);
    *ver = r.ver;
    ret = 0;
out:
    pick_result_release(&r);
    standalone_release(&s);
    return ret;
}
