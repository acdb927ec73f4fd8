#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/ascii.h"

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sha256.h"
#include "common/version.h"
#include "config/dirs.h"
#include "common/banned.h"

static const struct command {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} commands[] = {
    {"install", cli_install, "put python/pip first on PATH (links, shell rc)"},
    {"uninstall", cli_uninstall, "undo install exactly; --purge: data too"},
    {"init", cli_init, "make this directory a project (config, light venv)"},
    {"shared", cli_shared, "create/list/remove shared envs; pip into them"},
    {"kernel", cli_kernel, "Jupyter kernels for projects: install/list/prune"},
    {"which", cli_which, "what `python` runs here, and why"},
    {"explain", cli_explain, "the resolution step by step, with its files"},
    {"doctor", cli_doctor, "find (and --fix) what would go wrong"},
    {"trust", cli_trust, "trust a config that runs programs or sets env"},
    {"untrust", cli_untrust, "forget that trust"},
    {"run", cli_run, "a project's command (pytest, jupyter), from any subdir"},
    {"exec", cli_exec, "the same as run (its first name)"},
    {"freeze", cli_freeze, "the package list of the project or a shared env"},
    {"sync", cli_sync, "rebuild the venv on its Python, keep every package"},
    {"list", cli_list, "installed interpreters, their origin, who uses them"},
    {"pin", cli_pin,
     "write .python-version (checked against what is installed)"},
    {"completions", cli_completions,
     "shell completions: bash, zsh, fish, powershell"},
    {"adopt", cli_adopt, "make a hand-made venv + shared.pth setup pyshim's"},
    {"site", cli_site, "administrators: site shared envs and kernels (root)"},
    {NULL, NULL, NULL}};

static void usage(FILE *f)
{
    int i;

    fputs("usage: pyshim <command> [options]\n"
          "\n"
          "pyshim puts the right Python behind `python` and `pip`: the\n"
          "project's venv, its interpreter and the shared libraries, with no\n"
          "activation.\n"
          "\n"
          "commands:\n",
          f);
    for (i = 0; commands[i].name; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("  help       this text\n"
          "  version    print pyshim's version\n"
          "\n"
          "Run `pyshim <command> --help` for a command's options.\n"
          "Environment: PYSHIM_HOME, PYSHIM_PROJECT, PYSHIM_MODE,\n"
          "PYSHIM_DEBUG=1, PYSHIM_DRYRUN=1, PYSHIM_DISABLE=1,\n"
          "PYSHIM_NO_PLAN_CACHE=1 (see docs/config.md).\n",
          f);
}

int cli_is_help(const char *arg)
{
    return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

int cli_lock(const struct dirs *d, const char *kind, const char *key,
             const char *busy, struct plat_lock **l, struct err *e)
{
    struct sb p = SB_INIT;
    struct sha256 h;
    char hex[65];
    int ret = -1;

    sha256_init(&h);
    sha256_update(&h, key, strlen(key));
    sha256_hex(&h, hex);
    hex[16] = '\0';
    path_join(&p, d->data, "locks");
    plat_mkdirs(p.buf, 0755);
    path_join(&p, p.buf, kind);
    sb_addf(&p, "-%s.lock", hex);
    if (!plat_lock(p.buf, PLAT_LOCK_NOWAIT, l)) {
        ret = 0;
        goto out;
    }
    if (errno == EWOULDBLOCK) {
        fprintf(stderr, "pyshim: %s: waiting for it to finish\n", busy);
        fflush(stderr);
        if (!plat_lock(p.buf, 0, l)) {
            ret = 0;
            goto out;
        }
    }
    err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot lock '%s': %s", p.buf,
            plat_strerror(errno));
    err_hint(e, "check that the data dir is writable (PYSHIM_HOME)");
out:
    sb_release(&p);
    return ret;
}

int cli_report(const struct err *e)
{
    fprintf(stderr, "pyshim: error: %s\n", e->msg ? e->msg : "failed");
    if (e->hint)
        fprintf(stderr, "pyshim: hint: %s\n", e->hint);
    return e->code ? e->code : PYSHIM_EXIT_FAILURE;
}

int cli_usage_error(const char *arg, const char *text)
{
    fprintf(stderr, "pyshim: error: unexpected argument '%s'\n", arg);
    fputs(text, stderr);
    return PYSHIM_EXIT_USAGE;
}

int cli_bin_dir(const struct dirs *d, const char *arg, struct sb *out,
                struct err *e)
{
    if (arg)
        return path_absolute(out, arg, NULL, d->home, e);
    path_join(out, d->data, "bin");
    return 0;
}

int cli_shim_python(const struct dirs *d, struct sb *out, struct err *e)
{
    struct sb self = SB_INIT;
    int ret = -1;

    if (!plat_self_exe(&self)) {
        path_dirname(&self);
        path_join(out, self.buf, "python" PLAT_EXE_SUFFIX);
        if (plat_is_executable(out->buf)) {
            ret = 0;
            goto out;
        }
    }
    path_join(out, d->data, "bin");
    path_join(out, out->buf, "python" PLAT_EXE_SUFFIX);
    if (plat_is_executable(out->buf)) {
        ret = 0;
        goto out;
    }
    err_set(e, PYSHIM_EXIT_NOINPUT, "pyshim's python link is not installed");
    err_hint(e, "run `pyshim install` first");
out:
    sb_release(&self);
    return ret;
}

int cli_main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;
    int i;

    if (!cmd || cli_is_help(cmd) || !strcmp(cmd, "help")) {
        usage(cmd ? stdout : stderr);
        return cmd ? PYSHIM_EXIT_OK : PYSHIM_EXIT_USAGE;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("pyshim %s\n", PYSHIM_VERSION);
        return PYSHIM_EXIT_OK;
    }
    for (i = 0; commands[i].name; i++)
        if (!strcmp(cmd, commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "pyshim: error: unknown command '%s'\n", cmd);
    fprintf(stderr, "pyshim: hint: run `pyshim help` for the commands\n");
    return PYSHIM_EXIT_USAGE;
}

void cli_ps_quote(struct sb *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '\'') {
            sb_addstr(out, "''");
        } else if ((unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x80 &&
                   (unsigned char)s[2] >= 0x98 && (unsigned char)s[2] <= 0x9B) {
            sb_add(out, s, 3);
            sb_add(out, s, 3);
            s += 2;
        } else {
            sb_addch(out, *s);
        }
    }
}

uint64_t cli_tree_size(const char *path)
{
    struct plat_stat st;
    struct plat_dir *pd;
    const char *name;
    struct sb child = SB_INIT;
    uint64_t total = 0;

    if (plat_stat(path, &st, 0) < 0)
        return 0;
    if (!st.is_dir)
        return st.is_reg ? st.size : 0;
    pd = plat_opendir(path);
    while (pd && (name = plat_readdir(pd))) {
        path_join(&child, path, name);
        total += cli_tree_size(child.buf);
    }
    plat_closedir(pd);
    sb_release(&child);
    return total;
}

void cli_add_size(struct sb *out, uint64_t n)
{
    if (n >= (uint64_t)1 << 30)
        sb_addf(out, "%.1fG", (double)n / (1024.0 * 1024.0 * 1024.0));
    else if (n >= (uint64_t)1 << 20)
        sb_addf(out, "%.1fM", (double)n / (1024.0 * 1024.0));
    else
        sb_addf(out, "%.1fK", (double)n / 1024.0);
}

int cli_confirm(const char *question, int yes, const char *what, struct err *e)
{
    struct sb line = SB_INIT;
    int c, ret;

    if (yes)
        return 1;
    if (!plat_isatty(0)) {
        err_set(
            e, PYSHIM_EXIT_USAGE,
            "%s deletes files and needs a yes, but there is no terminal to ask on: nothing was deleted",
            what);
        return err_hint(
            e,
            "run it in a terminal to answer, or add --yes (for scripts) once you are sure");
    }
    printf("%s [y/N] ", question);
    fflush(stdout);
    while ((c = getchar()) != EOF && c != '\n')
        sb_addch(&line, c);
    sb_rtrim(&line);
    ret = (line.len == 1 && ascii_lower(line.buf[0]) == 'y') ||
          (line.len == 3 && ascii_lower(line.buf[0]) == 'y' &&
           ascii_lower(line.buf[1]) == 'e' && ascii_lower(line.buf[2]) == 's');
    if (c == EOF)
        printf("\n");
    sb_release(&line);
    return ret;
}

void cli_progress(const char *fmt, ...)
{
    const char *term = plat_getenv("TERM"), *nc = plat_getenv("NO_COLOR");
    int plain;
    va_list ap;

    if (!plat_isatty(2))
        return;
    /* no-color.org: set and not empty */
    plain = (nc && *nc) || (term && !strcmp(term, "dumb"));
    fputs(plain ? "pyshim: " : "\033[2mpyshim: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(plain ? "...\n" : "...\033[0m\n", stderr);
    fflush(stderr);
}

int cli_sites_have_pip(const struct sv *sites)
{
    struct sb p = SB_INIT;
    size_t i;
    int ret = 0;

    for (i = 0; i < sites->nr && !ret; i++) {
        path_join(&p, sites->v[i], "pip/__init__.py");
        ret = plat_is_file(p.buf);
    }
    sb_release(&p);
    return ret;
}
