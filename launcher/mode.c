/*
 * mode: exec or embed, and the PEP 668 check (launcher/mode.h).
 */
#include "launcher/mode.h"

#include <string.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/xalloc.h"
#include "launcher/rctx.h"
#include "common/banned.h"

int mode_wanted(struct rctx *c, const struct settings *s, enum cfg_mode *m,
                const char **from)
{
    const char *envmode = c->in->vars.pyshim_mode;

    *m = s->mode ? s->mode : CFG_MODE_AUTO;
    *from = s->mode ? s->mode_from : "default";
    if (!envmode || !*envmode)
        return 0;
    *from = "PYSHIM_MODE";
    if (!strcmp(envmode, "exec"))
        *m = CFG_MODE_EXEC;
    else if (!strcmp(envmode, "embed"))
        *m = CFG_MODE_EMBED;
    else if (!strcmp(envmode, "auto"))
        *m = CFG_MODE_AUTO;
    else {
        err_set(c->e, PYSHIM_EXIT_USAGE, "PYSHIM_MODE='%s' is not a mode",
                envmode);
        return err_hint(c->e, "set it to exec, embed or auto, or unset it");
    }
    return 0;
}

/* The length of the name of the first "env" entry that only the program
 * loader reads, at program start (LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT,
 * DYLD_*, glibc's GLIBC_TUNABLES and their MALLOC_* aliases), with its
 * index in *at; 0 if none. Embed mode sets "env" in a process that is
 * already loaded: such an entry would be silently ignored there. */
static size_t loader_var(const struct sv *env, size_t *at)
{
    size_t i;

    for (i = 0; env && i < env->nr; i++) {
        const char *kv = env->v[i];

        if (!strncmp(kv, "LD_", 3) || !strncmp(kv, "DYLD_", 5) ||
            !strncmp(kv, "GLIBC_TUNABLES=", 15) || !strncmp(kv, "MALLOC_", 7)) {
            *at = i;
            return strcspn(kv, "=");
        }
    }
    return 0;
}

void mode_decide(struct rctx *c, enum cfg_mode m, const char *from,
                 const struct sv *env)
{
    struct plan *p = c->p;
    const struct facts *f;
    struct sb why = SB_INIT;
    size_t at = 0, n;

    if (m == CFG_MODE_EXEC) {
        p->mode = CFG_MODE_EXEC;
        /* (no printf on the usual exec run: ~900 Ir) */
        sb_addstr(&why, "exec asked for by ");
        sb_addstr(&why, from ? from : "(null)"); /* as printf wrote it */
        goto out;
    }
    p->mode = CFG_MODE_EXEC;
    if ((n = loader_var(env, &at))) {
        sb_addf(
            &why,
            "%s: exec (\"env\" sets %.*s, which only the program loader reads: embedding would ignore it)",
            cfg_mode_name(m), (int)n, env->v[at]);
        goto out;
    }
    f = pick_facts(&c->pick, p->exe, p->exe_real);
    if (!f)
        sb_addf(&why, "%s: exec (the interpreter's facts are unknown)",
                cfg_mode_name(m));
    else if (strcmp(f->impl, "cpython"))
        sb_addf(&why, "%s: exec (%s is not CPython)", cfg_mode_name(m),
                f->impl);
    else if (f->ver.major < 3 || (f->ver.major == 3 && f->ver.minor < 8))
        sb_addf(&why, "%s: exec (Python %d.%d has no Py_BytesMain)",
                cfg_mode_name(m), f->ver.major, f->ver.minor);
    else if (!f->libpython)
        sb_addf(&why, "%s: exec (no shared libpython: a static build)",
                cfg_mode_name(m));
    else if (m == CFG_MODE_AUTO && facts_is_framework_lib(f->libpython))
        sb_addf(
            &why,
            "auto: exec (a framework build: its stub sets __PYVENV_LAUNCHER__, which embedding does not)");
    else {
        p->mode = CFG_MODE_EMBED;
        p->libpython = xstrdup(f->libpython);
        sb_addf(&why, "%s: embed '%s'", cfg_mode_name(m), f->libpython);
    }
out:
    p->mode_why = sb_detach(&why, NULL);
    trace_add(&p->trace, "mode: %s", p->mode_why);
}

int mode_externally_managed(struct rctx *c)
{
    static const char *const own_choice[] = {
        "--user",    "--target", "-t",
        "--prefix",  "--root",   "--break-system-packages",
        "--dry-run", NULL};
    const struct resolve_in *in = c->in;
    struct plan *p = c->p;
    const struct facts *f;
    int i, k, install = 0;

    if (!p->is_pip || strcmp(p->env_kind, "base"))
        return 0;
    for (i = 0; i < in->argc; i++) {
        if (!strcmp(in->argv[i], "install"))
            install = 1;
        for (k = 0; own_choice[k]; k++)
            if (!strncmp(in->argv[i], own_choice[k], strlen(own_choice[k])))
                return 0;
    }
    if (!install || !(f = pick_facts(&c->pick, p->interp, NULL)) ||
        !f->ext_managed)
        return 0;
    err_set(
        c->e, PYSHIM_EXIT_CONFIG,
        "'%s' would install into '%s', which its distribution manages (PEP 668: externally-managed-environment)",
        path_basename(in->invoked), p->interp);
    if (p->proj.root)
        err_hint(
            c->e,
            "give the project a light venv: `pyshim init %s` (or `python -m venv .venv` there)",
            p->proj.root);
    else
        err_hint(
            c->e,
            "name a venv in the global config '%s' (`pyshim install` makes a default one)",
            p->dirs.config_file);
    return -1;
}
