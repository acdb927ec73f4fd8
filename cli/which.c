/*
 * pyshim which: what `python` would run here, and why.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/plat.h"
#include "common/sb.h"
#include "cli/cli.h"
#include "cli/opt.h"
#include "launcher/resolve.h"
#include "common/banned.h"

static const char usage[] =
    "usage: pyshim which [--json] [--name NAME] [PATH]\n"
    "\n"
    "Show what `python` (or NAME, e.g. pip or python3.12) would run in PATH\n"
    "(a directory, or a script as `python SCRIPT` would see it; default:\n"
    "the current directory): the project and config that decided, the\n"
    "interpreter, the environment, the shared libraries, the hook, the mode\n"
    "and each step of the decision. Creates nothing (the interpreter facts\n"
    "cache may be filled).\n"
    "\n"
    "  --json       print the plan as JSON\n"
    "  --name NAME  resolve as if called as NAME (default: python)\n";

static const char usage_explain[] =
    "usage: pyshim explain [--name NAME] [PATH]\n"
    "\n"
    "The resolution of `python` (or NAME) in PATH, step by step, each step\n"
    "with the file or setting that decided it. Creates nothing (the\n"
    "interpreter facts cache may be filled).\n";

static void line(const char *label, const char *val)
{
    printf("%-13s%s\n", label, val ? val : "-");
}

static int which(int argc, char **argv, int explain);

int cli_which(int argc, char **argv)
{
    return which(argc, argv, 0);
}

int cli_explain(int argc, char **argv)
{
    return which(argc, argv, 1);
}

/* `pyshim which`'s report: one line per step, then why. */
static void print_plan(const struct plan *p)
{
    size_t k;
    struct sb s = SB_INIT;
    char vb[32];
    const char *cfg =
        p->proj.kind == PROJ_GLOBAL ? p->proj.global.file : p->proj.cfg.file;

    if (p->proj.root)
        sb_addf(&s, "%s (%s, found from the %s)", p->proj.root,
                cfg ? cfg : "zero-config markers",
                !strcmp(p->proj.start, "cwd") ? "current directory"
                                              : p->proj.start);
    else if (p->disabled)
        sb_addstr(
            &s,
            "none read: PYSHIM_DISABLE is set, so pyshim is off and passes through to PATH");
    else
        sb_addstr(&s, p->proj.kind != PROJ_GLOBAL
                          ? "none; passing through to PATH"
                      : p->proj.site.file && p->proj.global.file &&
                              !strcmp(p->proj.site.file, p->proj.global.file)
                          ? "none; the system config's defaults apply"
                          : "none; the global config applies");
    line("project:", s.buf);
    sb_reset(&s);
    if (p->python_req)
        sb_addf(&s, "%s (from %s)", p->python_req,
                p->python_from ? p->python_from : "-");
    line("request:", s.len ? s.buf : "(default)");
    sb_reset(&s);
    if (p->interp)
        sb_addf(&s, "%s (%s)", p->interp,
                p->ver.major >= 0 ? pyver_str(&p->ver, vb, sizeof(vb))
                                  : "version unknown");
    line("interpreter:", s.len ? s.buf : NULL);
    sb_reset(&s);
    sb_addstr(&s, p->env_kind);
    if (p->env_dir)
        sb_addf(&s, " %s", p->env_dir);
    if (p->env_from)
        sb_addf(&s, " (from %s)", p->env_from);
    line("environment:", s.buf);
    for (k = 0; k < p->shared.nr; k++)
        line(k ? "" : "shared:", p->shared.v[k]);
    if (!p->shared.nr)
        line("shared:", "none");
    line("hook:", p->hook.len ? p->hook_path : "none");
    sb_reset(&s);
    sb_addf(&s, "%s (%s)", p->passthrough ? "exec" : cfg_mode_name(p->mode),
            p->passthrough ? "pass-through" : p->mode_why);
    line("mode:", s.buf);
    line("runs:", p->exe);
    for (k = 0; k < p->proj.skipped.nr; k++)
        line(k ? "" : "skipped:", p->proj.skipped.v[k]);
    printf("why:\n");
    for (k = 0; k < p->trace.lines.nr; k++)
        printf("  - %s\n", p->trace.lines.v[k]);
    sb_release(&s);
}

static int which(int argc, char **argv, int explain)
{
    struct resolve_in in;
    struct plan p;
    struct err e = ERR_INIT;
    struct sb cwd = SB_INIT;
    const char *target = NULL, *name = "python";
    char *script_argv[1];
    int json = 0, code = PYSHIM_EXIT_OK;
    size_t k;
    struct opt opts[] = {
        OPT_BOOL(0, "json", &json),
        OPT_STRING(0, "name", &name),
        OPT_END(),
    };
    struct opt_cmd c = OPT_CMD(usage, opts, &target, 1);

    if (explain)
        c.usage = usage_explain; /* (--json stays accepted, as before) */
    if (opt_parse_cmd(&c, argc, argv, &code))
        return code;
    plan_init(&p);
    resolve_in_init(&in);
    in.invoked = name;
    in.trace = 1;
    if (target && plat_is_dir(target)) {
        if (plat_realpath(target, &cwd) < 0) {
            fprintf(stderr, "pyshim: error: cannot resolve '%s'\n", target);
            code = PYSHIM_EXIT_NOINPUT;
            goto out;
        }
        in.cwd = cwd.buf;
    } else if (target) {
        if (!plat_is_file(target)) {
            fprintf(stderr, "pyshim: error: '%s' does not exist\n", target);
            fprintf(stderr, "pyshim: hint: give a directory or a script\n");
            code = PYSHIM_EXIT_NOINPUT;
            goto out;
        }
        script_argv[0] = (char *)(uintptr_t)target;
        in.argc = 1;
        in.argv = script_argv;
    }
    if (resolve(&in, &p, &e) < 0) {
        for (k = 0; k < p.trace.lines.nr; k++)
            fprintf(stderr, "pyshim: trace: %s\n", p.trace.lines.v[k]);
        code = cli_report(&e);
        goto out;
    }
    if (explain) {
        for (k = 0; k < p.trace.lines.nr; k++)
            printf("%2zu. %s\n", k + 1, p.trace.lines.v[k]);
        printf("=> runs %s (%s)\n", p.exe,
               p.passthrough ? "pass-through" : p.mode_why);
        goto out;
    }
    if (json) {
        struct sb out = SB_INIT;

        plan_to_json(&p, &out);
        fwrite(out.buf, 1, out.len, stdout);
        sb_release(&out);
        goto out;
    }
    print_plan(&p);
out:
    sb_release(&cwd);
    plan_release(&p);
    err_release(&e);
    return code;
}
