/*
 * plan: the lifecycle of struct plan (launcher/resolve.h) and its JSON
 * form, shown by PYSHIM_DRYRUN and `pyshim which --json`.
 */
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "launcher/resolve.h"
#include "common/banned.h"

void plan_init(struct plan *p)
{
    memset(p, 0, sizeof(*p));
    p->pin.major = p->pin.minor = p->pin.micro = -1;
    p->ver = p->pin;
    sb_init(&p->hook, 0);
}

void plan_release(struct plan *p)
{
    free(p->exe);
    free(p->exe_real);
    free(p->argv0);
    sv_release(&p->argv);
    sv_release(&p->setenv);
    free(p->interp);
    free(p->env_dir);
    free(p->env_from);
    free(p->python_req);
    free(p->python_from);
    sv_release(&p->shared);
    free(p->hook_site);
    free(p->hook_path);
    free(p->abiflags);
    sb_release(&p->hook);
    free(p->mode_why);
    free(p->libpython);
    project_release(&p->proj);
    dirs_release(&p->dirs);
    trace_release(&p->trace);
    plan_init(p);
}

static void add_str(struct sb *o, const char *key, const char *val, int comma)
{
    sb_addstr(o, comma ? ",\n  " : "\n  ");
    sb_addjson(o, key);
    sb_addstr(o, ": ");
    if (val)
        sb_addjson(o, val);
    else
        sb_addstr(o, "null");
}

static void add_list(struct sb *o, const char *key, const struct sv *v)
{
    size_t i;

    sb_addstr(o, ",\n  ");
    sb_addjson(o, key);
    sb_addstr(o, ": [");
    for (i = 0; i < v->nr; i++) {
        if (i)
            sb_addstr(o, ", ");
        sb_addjson(o, v->v[i]);
    }
    sb_addch(o, ']');
}

void plan_to_json(const struct plan *p, struct sb *o)
{
    char vb[32];
    size_t i;

    sb_addch(o, '{');
    add_str(o, "project", p->proj.root, 0);
    add_str(o, "project_kind", project_kind_name(p->proj.kind), 1);
    add_str(o, "config",
            p->proj.kind == PROJ_GLOBAL ? p->proj.global.file
                                        : p->proj.cfg.file,
            1);
    add_str(o, "found_from", p->proj.start, 1);
    add_str(o, "python_request", p->python_req, 1);
    add_str(o, "python_request_from", p->python_from, 1);
    add_str(o, "interpreter", p->interp, 1);
    add_str(o, "version",
            p->ver.major >= 0 ? pyver_str(&p->ver, vb, sizeof(vb)) : NULL, 1);
    add_str(o, "environment_kind", p->env_kind, 1);
    add_str(o, "environment", p->env_dir, 1);
    add_str(o, "environment_from", p->env_from, 1);
    add_list(o, "shared", &p->shared);
    add_str(o, "hook_path", p->hook_path, 1);
    add_str(o, "hook", p->hook_path ? p->hook.buf : NULL, 1);
    add_str(o, "mode", p->passthrough ? "exec" : cfg_mode_name(p->mode), 1);
    add_str(o, "mode_reason", p->passthrough ? "pass-through" : p->mode_why, 1);
    add_str(o, "libpython", p->libpython, 1);
    add_str(o, "executable", p->exe, 1);
    add_list(o, "argv", &p->argv);
    sb_addstr(o, ",\n  \"env\": {");
    for (i = 0; i < p->setenv.nr; i++) {
        const char *eq = strchr(p->setenv.v[i], '=');
        char *name = xstrndup(p->setenv.v[i], (size_t)(eq - p->setenv.v[i]));

        if (i)
            sb_addstr(o, ", ");
        sb_addjson(o, name);
        sb_addstr(o, ": ");
        sb_addjson(o, eq + 1);
        free(name);
    }
    sb_addch(o, '}');
    add_list(o, "skipped_configs", &p->proj.skipped);
    add_list(o, "why", &p->trace.lines);
    sb_addstr(o, "\n}\n");
}
