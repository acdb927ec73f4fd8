/*
 * pyshim exec: run a console script (jupyter, black) found in the
 * resolved environment, a shared env, or the base interpreter's bin dir,
 * with the resolved python.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "common/sv.h"
#include "common/xalloc.h"
#include "installer/cli.h"
#include "launcher/resolve.h"
#include "common/banned.h"

static const char usage[] =
    "usage: pyshim exec CMD [ARGS...]\n"
    "\n"
    "Run the console script CMD (jupyter, black, pytest...) as `python`\n"
    "would be resolved here: CMD is looked up in the environment's bin dir\n"
    "(the project venv or overlay), then in each shared env, then next to\n"
    "the base interpreter; a Python script runs under the resolved python,\n"
    "so it sees the project's packages and the shared ones. E.g. the one\n"
    "JupyterLab of a shared env: `pyshim exec jupyter lab`.\n";

/* dir/bin/CMD for the env that holds site dir `site`
 * (ENV/lib/pythonX.Y/site-packages). */
static void site_bin(const char *site, const char *cmd, struct sb *out)
{
    sb_set(out, site);
    path_dirname(out);
    path_dirname(out);
    path_dirname(out);
    sb_addf(out, "/bin/%s", cmd);
}

static int is_python_script(const char *path)
{
    struct sb head = SB_INIT;
    int ret = 0;

    if (!plat_read_head(path, 256, &head) && head.len > 2 &&
        !memcmp(head.buf, "#!", 2)) {
        char *nl = memchr(head.buf, '\n', head.len);

        if (nl)
            *nl = '\0';
        ret = strstr(head.buf, "python") != NULL;
    }
    sb_release(&head);
    return ret;
}

int inst_exec(int argc, char **argv)
{
    struct resolve_in in;
    struct plan p;
    struct err e = ERR_INIT;
    struct sb cand = SB_INIT;
    struct sv args = SV_INIT;
    size_t i;
    int code;

    if (argc < 2 || inst_is_help(argv[1])) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? PYSHIM_EXIT_USAGE : PYSHIM_EXIT_OK;
    }
    plan_init(&p);
    memset(&in, 0, sizeof(in));
    in.invoked = "python";
    if (resolve(&in, &p, &e) < 0)
        goto fail;
    cand.len = 0;
    if (p.env_dir) {
        sb_addf(&cand, "%s/bin/%s", p.env_dir, argv[1]);
        if (!plat_is_executable(cand.buf))
            sb_reset(&cand);
    }
    for (i = 0; !cand.len && i < p.shared.nr; i++) {
        site_bin(p.shared.v[i], argv[1], &cand);
        if (!plat_is_executable(cand.buf))
            sb_reset(&cand);
    }
    if (!cand.len && p.interp) {
        sb_set(&cand, p.interp);
        path_dirname(&cand);
        sb_addf(&cand, "/%s", argv[1]);
        if (!plat_is_executable(cand.buf))
            sb_reset(&cand);
    }
    if (!cand.len) {
        err_set(&e, PYSHIM_EXIT_NOTFOUND,
                "'%s' is not in the environment, its shared envs or next to "
                "the interpreter",
                argv[1]);
        err_hint(&e, "install it (`pip install ...` here, or `pyshim shared "
                     "pip NAME install ...`); `pyshim which` shows the places");
        goto fail;
    }
    for (i = 0; i < p.setenv.nr; i++) {
        char *name = xstrdup(p.setenv.v[i]);

        *strchr(name, '=') = '\0';
        plat_setenv(name, strchr(p.setenv.v[i], '=') + 1);
        free(name);
    }
    if (is_python_script(cand.buf)) {
        sv_push(&args, p.exe);
        sv_push(&args, cand.buf);
    } else {
        sv_push(&args, cand.buf);
    }
    sv_pushn(&args, argv + 2, (size_t)(argc - 2));
    fflush(stdout);
    plat_exec(args.v[0], args.v);
    err_set(&e, PYSHIM_EXIT_CANTEXEC, "cannot run '%s': %s", args.v[0],
            plat_strerror(errno));
fail:
    code = inst_report(&e);
    plan_release(&p);
    err_release(&e);
    sb_release(&cand);
    sv_release(&args);
    return code;
}
