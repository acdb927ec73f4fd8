/*
 * plan: the lifecycle of struct plan (launcher/resolve.h) and its JSON
 * form, shown by PYSHIM_DRYRUN and `pyshim which --json`.
 */
#include <stdlib.h>
#include <string.h>

#include "common/jsonw.h"
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
    free(p->python);
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

static void add_list(struct jsonw *w, const char *key, const struct sv *v)
{
    size_t i;

    jsonw_key(w, key);
    jsonw_array_begin(w);
    for (i = 0; i < v->nr; i++)
        jsonw_string(w, v->v[i]);
    jsonw_array_end(w);
}

void plan_to_json(const struct plan *p, struct sb *o)
{
    struct jsonw w;
    char vb[32];
    size_t i;

    jsonw_init(&w, o, 2);
    jsonw_object_begin(&w);
    jsonw_kv_string(&w, "project", p->proj.root);
    jsonw_kv_string(&w, "project_kind", project_kind_name(p->proj.kind));
    jsonw_kv_string(&w, "config",
                    p->proj.kind == PROJ_GLOBAL ? p->proj.global.file
                                                : p->proj.cfg.file);
    jsonw_kv_string(&w, "found_from", p->proj.start);
    jsonw_kv_string(&w, "python_request", p->python_req);
    jsonw_kv_string(&w, "python_request_from", p->python_from);
    jsonw_kv_string(&w, "interpreter", p->interp);
    jsonw_kv_string(&w, "python", p->python);
    jsonw_kv_string(&w, "version",
                    p->ver.major >= 0 ? pyver_str(&p->ver, vb, sizeof(vb))
                                      : NULL);
    jsonw_kv_string(&w, "environment_kind", p->env_kind);
    jsonw_kv_string(&w, "environment", p->env_dir);
    jsonw_kv_string(&w, "environment_from", p->env_from);
    add_list(&w, "shared", &p->shared);
    jsonw_kv_string(&w, "hook_path", p->hook_path);
    jsonw_kv_string(&w, "hook", p->hook_path ? p->hook.buf : NULL);
    jsonw_kv_string(&w, "mode",
                    p->passthrough ? "exec" : cfg_mode_name(p->mode));
    jsonw_kv_string(&w, "mode_reason",
                    p->passthrough ? "pass-through" : p->mode_why);
    jsonw_kv_string(&w, "libpython", p->libpython);
    jsonw_kv_string(&w, "executable", p->exe);
    add_list(&w, "argv", &p->argv);
    jsonw_key(&w, "env");
    jsonw_object_begin(&w);
    for (i = 0; i < p->setenv.nr; i++) {
        const char *eq = strchr(p->setenv.v[i], '=');
        char *name = xstrndup(p->setenv.v[i], (size_t)(eq - p->setenv.v[i]));

        jsonw_kv_string(&w, name, eq + 1);
        free(name);
    }
    jsonw_object_end(&w);
    add_list(&w, "skipped_configs", &p->proj.skipped);
    add_list(&w, "why", &p->trace.lines);
    jsonw_object_end(&w);
    jsonw_release(&w);
    sb_addch(o, '\n');
}
