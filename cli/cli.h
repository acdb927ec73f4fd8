/*
 * cli: the `pyshim` management commands. Each command is a function
 * cli_<name>(argc, argv) with argv[0] the command name; it prints its own
 * output and errors and returns an exit code (common/exitcode.h).
 */
#ifndef PYSHIM_CLI_H
#define PYSHIM_CLI_H

#include <stdint.h>

#include "common/err.h"
#include "common/jsonw.h"
#include "common/sb.h"
#include "common/sv.h"
#include "config/dirs.h"

int cli_main(int argc, char **argv);

int cli_install(int argc, char **argv);
int cli_uninstall(int argc, char **argv);
int cli_init(int argc, char **argv);
int cli_shared(int argc, char **argv);
int cli_kernel(int argc, char **argv);
int cli_which(int argc, char **argv);
int cli_explain(int argc, char **argv);
int cli_doctor(int argc, char **argv);
int cli_trust(int argc, char **argv);
int cli_untrust(int argc, char **argv);
int cli_exec(int argc, char **argv);
int cli_run(int argc, char **argv);
int cli_freeze(int argc, char **argv);
int cli_sync(int argc, char **argv);
int cli_list(int argc, char **argv);
int cli_pin(int argc, char **argv);
int cli_completions(int argc, char **argv);
int cli_adopt(int argc, char **argv);
int cli_site(int argc, char **argv);

/* cli/site.c: the system config's site envs beside the user's. Print a
 * row for each site env (the header first when *n is 0; *n counts the
 * rows). */
void cli_site_list_shared(int *n);
/* The same site envs as members of the JSON array w (cli/sharedls.c). */
void cli_site_list_shared_json(struct jsonw *w);
/* cli/sharedls.c: `pyshim shared list --json` (prints; returns 0), and
 * one env's object in it (kind "user" or "site"; users may be NULL; size
 * in bytes, or -1 for null). */
int cli_shared_list_json(const struct dirs *d);
void cli_shared_json_env(struct jsonw *w, const char *name, const char *dir,
                         const char *kind, const struct sv *users,
                         long long size);
/* The shared entry (a name) as the user means it (launcher/siteenv.h):
 * a site env's path (into buf) or entry itself. */
const char *cli_site_map(const struct dirs *d, const char *entry,
                         struct sb *buf);
/* -1 with e when name is a site env the user has no env of their own
 * by: a command would write into it. */
int cli_site_refuse_write(const struct dirs *d, const char *name,
                          struct err *e);

/* Print e as "pyshim: error:" / "pyshim: hint:" lines; returns its code. */
int cli_report(const struct err *e);
/* Take DATA/locks/KIND-<16 hex of key's SHA-256>.lock for the rest of a
 * command (released by plat_unlock, or by the OS when the command dies),
 * so two commands never build the same thing at once. If another holds
 * it, "pyshim: BUSY: waiting for it to finish" goes to stderr and the
 * call waits. -1 with e if the lock cannot be taken. */
struct plat_lock;
int cli_lock(const struct dirs *d, const char *kind, const char *key,
             const char *busy, struct plat_lock **l, struct err *e);
/* True if arg is -h or --help. */
int cli_is_help(const char *arg);
/* Complain about arg, print usage to stderr; returns PYSHIM_EXIT_USAGE. */
int cli_usage_error(const char *arg, const char *usage);
/* The bin dir: arg made absolute, or DATA/bin (replaces out). */
int cli_bin_dir(const struct dirs *d, const char *arg, struct sb *out,
                struct err *e);
/* The absolute path of the shim's `python` link to use in files that
 * outlive this run (kernelspecs): next to the running pyshim if it is
 * there, else in DATA/bin (Windows: python.exe, a copy of pyshim.exe).
 * Replaces out; -1 if neither exists. */
int cli_shim_python(const struct dirs *d, struct sb *out, struct err *e);
/* The .pyshim.json named by arg (a file or directory) or, with arg NULL,
 * the nearest one at or above the current directory (replaces file). */
int cli_find_config(const char *arg, struct sb *file, struct err *e);

/* Append s for the inside of a PowerShell '...' string (hints to paste):
 * each quote doubled, the typographic ones (U+2018..U+201B, which
 * PowerShell also takes for ') included. */
void cli_ps_quote(struct sb *out, const char *s);

/* Bytes on disk under path: regular files' sizes, links not followed. */
uint64_t cli_tree_size(const char *path);
/* Append "12.3M" (or K, G) for n bytes. */
void cli_add_size(struct sb *out, uint64_t n);
/* Ask before deleting something the user cannot get back. yes (--yes on
 * the command line) says yes without asking. Otherwise stdin must be a
 * terminal: question is printed with " [y/N] " and a "y" or "yes" answer
 * (any case) is a yes, anything else (EOF included) a no. Returns 1 for
 * yes, 0 for no; -1 with e set (usage, hint naming --yes) when there is
 * no terminal to ask on, so a script never deletes by accident. what
 * names the action for that error ("`shared remove ai`"). */
int cli_confirm(const char *question, int yes, const char *what, struct err *e);

/* A progress line before a step that may take more than a second (a venv
 * made, a pip install): "pyshim: <fmt>..." on stderr when stderr is a
 * terminal, dimmed unless NO_COLOR is set (not empty) or TERM is "dumb";
 * nothing at all when stderr is a file or a pipe, so scripts and logs see
 * only what they saw before. The shim never calls it. */
void cli_progress(const char *fmt, ...)
    __attribute__((format(PYSHIM_PRINTF, 1, 2)));

/* Does any of the shared site dirs hold pip (pip/__init__.py)? A venv
 * made with them then needs no pip of its own. */
int cli_sites_have_pip(const struct sv *sites);

/* Remember dir as a project (DATA/projects), for `shared list/remove`. */
void cli_register_project(const struct dirs *d, const char *dir);
/* The registered projects whose config lists shared env name. */
void cli_projects_using(const struct dirs *d, const char *name, struct sv *out);

#endif
