#include "shim/shim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/exitcode.h"
#include "common/plat.h"
#include "common/xalloc.h"
#include "launcher/apply.h"
#include "launcher/embed.h"
#include "launcher/plancache.h"
#include "launcher/resolve.h"
#include "common/banned.h"

static int env_flag(const char *name)
{
    const char *v = plat_getenv(name);

    return v && *v && strcmp(v, "0");
}

static void print_trace(const struct plan *p)
{
    size_t i;

    for (i = 0; i < p->trace.lines.nr; i++)
        fprintf(stderr, "pyshim: debug: %s\n", p->trace.lines.v[i]);
}

int shim_main(int argc, char **argv)
{
    struct resolve_in in;
    struct plan p;
    struct plancache pc;
    struct err e = ERR_INIT;
    int debug = env_flag("PYSHIM_DEBUG");
    int dry = env_flag("PYSHIM_DRYRUN");
    size_t i;
    int code, ok, cache;

    plan_init(&p);
    plancache_init(&pc);
    resolve_in_init(&in);
    in.invoked = argv[0] ? argv[0] : "python";
    in.argc = argc > 0 ? argc - 1 : 0;
    in.argv = argc > 0 ? argv + 1 : argv;
    in.trace = debug || dry;
    cache = !in.trace && !env_flag("PYSHIM_NO_PLAN_CACHE");

    /* one view of the file system for the record's check and, when it
     * does not hold, the decision: what both ask is asked once (plat.h) */
    plat_memo_begin();
    /* a traced run decides, so that the trace tells how */
    if (cache && plancache_load(&pc, &in, &p)) {
        plat_memo_end();
        goto run;
    }
    if (cache)
        plancache_watch(&pc);
    ok = resolve(&in, &p, &e) >= 0;
    plat_memo_end();
    ok = ok && (dry || apply_plan(&p, &e) >= 0);
    if (cache)
        plancache_save(&pc, &in, &p, ok);
    if (!ok) {
        if (debug)
            print_trace(&p);
        fprintf(stderr, "pyshim: error: %s\n", e.msg);
        if (e.hint)
            fprintf(stderr, "pyshim: hint: %s\n", e.hint);
        code = e.code ? e.code : PYSHIM_EXIT_SOFTWARE;
        goto out;
    }
    /* Never silently: a marker someone else could have planted was
     * passed over, and the user should know why their file is ignored. */
    for (i = 0; i < p.proj.skipped.nr; i++)
        fprintf(stderr, "pyshim: warning: ignored '%s' (see `pyshim doctor`)\n",
                p.proj.skipped.v[i]);
    if (dry) {
        struct sb json = SB_INIT;

        plan_to_json(&p, &json);
        fwrite(json.buf, 1, json.len, stdout);
        sb_release(&json);
        code = fflush(stdout) ? PYSHIM_EXIT_OSERR : PYSHIM_EXIT_OK;
        goto out;
    }
    if (debug) {
        print_trace(&p);
        fprintf(stderr, "pyshim: debug: %s '%s'\n",
                p.mode == CFG_MODE_EMBED ? "embed" : "exec", p.exe);
    }
run:
    for (i = 0; i < p.setenv.nr; i++) {
        char *name = xstrdup(p.setenv.v[i]);
        char *eq = strchr(name, '=');

        *eq = '\0';
        plat_setenv(name, eq + 1);
        free(name);
    }
    if (p.mode == CFG_MODE_EMBED) {
        int status;
        struct err le = ERR_INIT;

        /* Python runs here and now; its exit status is ours. If the
         * library will not load, exec is always a correct fallback. */
        if (!embed_run(p.libpython, (int)p.argv.nr, p.argv.v, &status, &le)) {
            code = status;
            goto out;
        }
        if (debug)
            fprintf(stderr, "pyshim: debug: embed failed (%s); exec instead\n",
                    le.msg);
        err_release(&le);
    }
    plat_exec(p.exe, p.argv.v);
    code = errno == ENOENT ? 127 : PYSHIM_EXIT_CANTEXEC;
    fprintf(stderr, "pyshim: error: cannot run '%s': %s\n", p.exe,
            plat_strerror(errno));
    fprintf(
        stderr,
        "pyshim: hint: check that it is an executable interpreter (`pyshim which` explains the choice)\n");
out:
    plancache_release(&pc);
    plan_release(&p);
    err_release(&e);
    return code;
}
