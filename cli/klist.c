/*
 * klist: `pyshim kernel list` and `prune`, which look at every kernelspec
 * in Jupyter's user kernel dir, and uninstall's note of the kernels it
 * leaves pointing at nothing (cli/kernel.h).
 *
 * list runs each kernel's python once (kspec_probe) to say where it is,
 * its version and whether ipykernel imports there: a kernel whose env
 * lacks ipykernel does not start, so it is not "ok". prune removes
 * pyshim's stale kernels, and those of anyone else only when provably
 * stale (kspec_gone: an absolute program that does not exist), listed
 * first and after a yes on a terminal (or --yes).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/kernel.h"
#include "cli/kspec.h"
#include "cli/opt.h"
#include "common/exitcode.h"
#include "common/jsonw.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "common/sv.h"
#include "common/xalloc.h"
#include "common/banned.h"

static const char usage_list[] =
    "usage: pyshim kernel list [--json]\n"
    "\n"
    "List every kernel in Jupyter's user kernel dir, pyshim's and others'\n"
    "(`ipykernel install --user`), with its project, the python it runs,\n"
    "its version and whether ipykernel is importable there. STATUS is:\n"
    "  ok            it can start\n"
    "  no-ipykernel  its python runs but cannot import ipykernel\n"
    "  fails         its python does not run\n"
    "  stale         its project directory is gone or holds no project any\n"
    "                more (no .pyshim.json, .venv or .python-version), or\n"
    "                its program is gone: `pyshim kernel prune` removes it\n"
    "  auto          pyshim's --auto kernel: the notebook's project decides\n"
    "  unknown       it names a bare `python`, which Jupyter replaces with\n"
    "                its own interpreter\n"
    "  invalid       its kernel.json cannot be read\n"
    "\n"
    "  --json  print the same as a JSON object\n";

static const char usage_prune[] =
    "usage: pyshim kernel prune [--dry-run] [--yes]\n"
    "\n"
    "Delete every stale pyshim kernel (see `pyshim kernel list --help`).\n"
    "Kernels pyshim did not write are removed only when their program is an\n"
    "absolute path that does not exist any more (a venv deleted or moved);\n"
    "they are listed first, and removed after a yes on a terminal, or with\n"
    "--yes. A kernel whose program exists is never pruned.\n"
    "\n"
    "  --dry-run  only say what would be removed\n"
    "  --yes      remove the stale kernels of others without asking\n";

/* One kernelspec dir and what is known of it. */
struct kinfo {
    char *name;
    char *dir; /* KERNELS/NAME */
    struct kspec k;
    int loaded;           /* kernel.json was parsed */
    struct sb why;        /* stale, or the parse error */
    struct kspec_probe r; /* when probed */
    const char *status;
};

static void kinfo_release(struct kinfo *ki)
{
    free(ki->name);
    free(ki->dir);
    kspec_release(&ki->k);
    sb_release(&ki->why);
    kspec_probe_release(&ki->r);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The kernelspec dirs in kdir (those holding a kernel.json), sorted. */
static void load_all(const char *kdir, struct kinfo **out, size_t *n)
{
    struct sv names = SV_INIT;
    struct sb file = SB_INIT;
    struct err e = ERR_INIT;
    size_t i;

    plat_listdir(kdir, &names);
    if (names.nr)
        qsort(names.v, names.nr, sizeof(names.v[0]), cmp_str);
    *out = xcalloc(names.nr + 1, sizeof(**out));
    *n = 0;
    for (i = 0; i < names.nr; i++) {
        struct kinfo *ki = &(*out)[*n];

        path_join(&file, kdir, names.v[i]);
        path_join(&file, file.buf, "kernel.json");
        if (!plat_is_file(file.buf))
            continue;
        {
            /* every sb at SB_INIT: a probe that printed nothing leaves
             * r.exe empty, and an empty sb is "" (never a NULL buf) */
            struct kinfo init = {
                NULL, NULL, KSPEC_INIT, 0, SB_INIT, KSPEC_PROBE_INIT, NULL};

            *ki = init;
        }
        ki->name = xstrdup(names.v[i]);
        path_join(&file, kdir, names.v[i]);
        ki->dir = xstrdup(file.buf);
        path_join(&file, file.buf, "kernel.json");
        ki->loaded = kspec_load(&ki->k, file.buf, &e) == 0;
        if (!ki->loaded)
            sb_set(&ki->why, e.msg ? e.msg : "cannot be read");
        err_release(&e);
        (*n)++;
    }
    sv_release(&names);
    sb_release(&file);
}

static void free_all(struct kinfo *all, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        kinfo_release(&all[i]);
    free(all);
}

static int is_auto(const struct kspec *k)
{
    return k->is_pyshim && (k->is_auto || !k->project || !*k->project);
}

/* Stale, by pyshim's rules for its own kernels and the "provably" rule
 * for others'. Fills ki->why. */
static int stale(struct kinfo *ki)
{
    if (!ki->loaded)
        return 0;
    return ki->k.is_pyshim ? kspec_stale(&ki->k, &ki->why)
                           : kspec_gone(&ki->k, &ki->why);
}

/* ki->status, running the kernel's python when that can tell. */
static void judge(struct kinfo *ki)
{
    const char *prog = ki->k.argv.nr ? ki->k.argv.v[0] : NULL;

    if (!ki->loaded)
        ki->status = "invalid";
    else if (stale(ki))
        ki->status = "stale";
    else if (is_auto(&ki->k))
        ki->status = "auto";
    else if (!prog || !path_is_abs(prog))
        ki->status = "unknown";
    else {
        kspec_probe(prog, &ki->k.env, &ki->r);
        ki->status = ki->r.status    ? "fails"
                     : ki->r.ipk.len ? "ok"
                                     : "no-ipykernel";
    }
}

static const char *project_of(const struct kinfo *ki)
{
    if (!ki->loaded || !ki->k.is_pyshim)
        return "-";
    return is_auto(&ki->k) ? "(the notebook's directory)" : ki->k.project;
}

static void print_row(const struct kinfo *ki)
{
    const char *prog = ki->loaded && ki->k.argv.nr ? ki->k.argv.v[0] : "?";

    printf("%-20s %-12s %-6s %s\n", ki->name, ki->status,
           ki->loaded && ki->k.is_pyshim ? "pyshim" : "other", project_of(ki));
    if (ki->r.status == 0 && ki->r.exe.len)
        printf("    python %s: %s; ipykernel: %s\n", ki->r.ver.buf,
               ki->r.exe.buf, ki->r.ipk.len ? ki->r.ipk.buf : "not importable");
    else if (!strcmp(ki->status, "unknown"))
        printf("    python: '%s', which Jupyter replaces with its own\n", prog);
    else if (!strcmp(ki->status, "auto"))
        printf("    python: %s, as the notebook's project resolves it\n", prog);
    else
        printf("    python: %s\n", prog);
}

/* An earlier pyshim's kernel: it set PYSHIM_PROJECT to its project. */
static int has_project_var(const struct kspec *k)
{
    size_t i;

    for (i = 0; i < k->env.nr; i++)
        if (!strncmp(k->env.v[i], "PYSHIM_PROJECT=", 15) && k->env.v[i][15])
            return 1;
    return 0;
}

/* The notes after the table: why each is not ok, and what to do. */
static void print_notes(const struct kinfo *all, size_t n)
{
    size_t i;
    int stale_nr = 0;

    for (i = 0; i < n; i++) {
        const struct kinfo *ki = &all[i];
        const char *st = ki->status;

        if (!strcmp(st, "stale") || !strcmp(st, "invalid"))
            printf("pyshim: '%s' is %s: %s\n", ki->name, st, ki->why.buf);
        stale_nr += !strcmp(st, "stale");
        if (!strcmp(st, "stale") && ki->k.is_pyshim && ki->k.project &&
            !plat_is_dir(ki->k.project))
            printf(
                "pyshim: if that project was renamed or moved, `pyshim kernel repoint %s --project NEWDIR` follows it\n",
                ki->name);
        if (!strcmp(st, "no-ipykernel"))
            printf(
                "pyshim: '%s' cannot start: ipykernel is not importable by %s (`pyshim kernel install --ipykernel` in the project adds it)\n",
                ki->name,
                ki->r.exe.len   ? ki->r.exe.buf
                : ki->k.argv.nr ? ki->k.argv.v[0]
                                : "its python");
        if (!strcmp(st, "fails"))
            printf("pyshim: '%s' cannot start: '%s' exits with status %d\n",
                   ki->name, ki->k.argv.v[0], ki->r.status);
        if (ki->loaded && ki->k.is_pyshim && !is_auto(&ki->k) &&
            strcmp(st, "stale") && ki->k.argv.nr && has_project_var(&ki->k))
            printf(
                "pyshim: '%s' was written by an earlier pyshim (it pins PYSHIM_PROJECT for every `python` the notebook starts): `pyshim kernel repoint %s` rewrites it\n",
                ki->name, ki->name);
    }
    if (stale_nr)
        printf("pyshim: `pyshim kernel prune` removes the stale kernel%s\n",
               stale_nr == 1 ? "" : "s");
}

static void print_json(const char *kdir, const struct kinfo *all, size_t n)
{
    struct sb o = SB_INIT;
    struct jsonw w;
    size_t i;

    jsonw_init(&w, &o, 2);
    jsonw_object_begin(&w);
    jsonw_kv_string(&w, "kernel_dir", kdir);
    jsonw_key(&w, "kernels");
    jsonw_array_begin(&w);
    for (i = 0; i < n; i++) {
        const struct kinfo *ki = &all[i];
        int probed = ki->r.status == 0;

        jsonw_object_begin(&w);
        jsonw_kv_string(&w, "name", ki->name);
        jsonw_kv_string(&w, "dir", ki->dir);
        jsonw_kv_string(&w, "status", ki->status);
        jsonw_kv_string(&w, "why", ki->why.len ? ki->why.buf : NULL);
        jsonw_kv_bool(&w, "pyshim", ki->loaded && ki->k.is_pyshim);
        jsonw_kv_bool(&w, "auto", ki->loaded && is_auto(&ki->k));
        jsonw_kv_string(&w, "project",
                        ki->loaded && ki->k.is_pyshim && !is_auto(&ki->k)
                            ? ki->k.project
                            : NULL);
        jsonw_kv_string(&w, "program",
                        ki->loaded && ki->k.argv.nr ? ki->k.argv.v[0] : NULL);
        jsonw_kv_string(&w, "executable", probed ? ki->r.exe.buf : NULL);
        jsonw_kv_string(&w, "version", probed ? ki->r.ver.buf : NULL);
        jsonw_key(&w, "ipykernel");
        if (probed)
            jsonw_bool(&w, ki->r.ipk.len > 0);
        else
            jsonw_null(&w);
        jsonw_kv_string(&w, "ipykernel_file",
                        probed && ki->r.ipk.len ? ki->r.ipk.buf : NULL);
        jsonw_object_end(&w);
    }
    jsonw_array_end(&w);
    jsonw_object_end(&w);
    jsonw_release(&w);
    puts(o.buf);
    sb_release(&o);
}

int klist_list(const struct dirs *d, int argc, char **argv, int *code,
               struct err *e)
{
    struct sb kdir = SB_INIT;
    struct kinfo *all = NULL;
    size_t i, n = 0;
    int json = 0;
    struct opt opts[] = {OPT_BOOL(0, "json", &json), OPT_END()};
    struct opt_cmd oc = OPT_CMD(usage_list, opts, NULL, 0);

    if (opt_parse_cmd(&oc, argc, argv, code))
        return 1;
    if (kspec_user_dir(d->home, &kdir, e) < 0) {
        sb_release(&kdir);
        return -1;
    }
    load_all(kdir.buf, &all, &n);
    for (i = 0; i < n; i++)
        judge(&all[i]);
    if (json) {
        print_json(kdir.buf, all, n);
    } else if (!n) {
        printf("pyshim: no kernels in %s (`pyshim kernel install` makes one)\n",
               kdir.buf);
    } else {
        printf("%-20s %-12s %-6s %s\n", "NAME", "STATUS", "BY", "PROJECT");
        for (i = 0; i < n; i++)
            print_row(&all[i]);
        print_notes(all, n);
    }
    free_all(all, n);
    sb_release(&kdir);
    return 0;
}

/* Remove ki's dir; say so. Returns 0, or -1 (said on stderr). */
static int remove_one(const struct kinfo *ki)
{
    if (plat_rmtree(ki->dir) < 0) {
        fprintf(stderr, "pyshim: error: cannot remove '%s': %s\n", ki->dir,
                plat_strerror(errno));
        return -1;
    }
    printf("pyshim: removed kernel '%s': %s\n", ki->name, ki->why.buf);
    return 0;
}

/* The stale kernels of others: listed, then removed after a yes. */
static int prune_others(struct kinfo *all, size_t n, int dry, int yes,
                        int *failed, struct err *e)
{
    size_t i, nr = 0;
    int ok;

    for (i = 0; i < n; i++) {
        if (all[i].k.is_pyshim || !all[i].loaded || !stale(&all[i]))
            continue;
        printf("pyshim: %s kernel '%s' (not written by pyshim, %s): %s\n",
               dry ? "would remove" : "stale:", all[i].name, all[i].dir,
               all[i].why.buf);
        all[i].status = "stale";
        nr++;
    }
    if (!nr || dry)
        return (int)nr;
    if (!yes && !plat_isatty(0)) {
        fprintf(
            stderr,
            "pyshim: warning: %lu kernel%s above %s not pyshim's: left alone, as there is no terminal to ask on\n"
            "pyshim: hint: run `pyshim kernel prune` in a terminal, or add --yes\n",
            (unsigned long)nr, nr == 1 ? "" : "s", nr == 1 ? "is" : "are");
        return (int)nr;
    }
    ok = cli_confirm("remove these kernels that pyshim did not write?", yes,
                     "`pyshim kernel prune`", e);
    if (ok < 0)
        return -1;
    for (i = 0; ok && i < n; i++)
        if (!all[i].k.is_pyshim && all[i].status &&
            !strcmp(all[i].status, "stale"))
            *failed += remove_one(&all[i]) < 0;
    return (int)nr;
}

int klist_prune(const struct dirs *d, int argc, char **argv, int *code,
                struct err *e)
{
    struct sb kdir = SB_INIT;
    struct kinfo *all = NULL;
    size_t i, n = 0;
    int dry = 0, yes = 0, failed = 0, mine = 0, others, ret = -1;
    struct opt opts[] = {OPT_BOOL(0, "dry-run", &dry),
                         OPT_BOOL('y', "yes", &yes), OPT_END()};
    struct opt_cmd oc = OPT_CMD(usage_prune, opts, NULL, 0);

    if (opt_parse_cmd(&oc, argc, argv, code))
        return 1;
    if (kspec_user_dir(d->home, &kdir, e) < 0)
        goto out;
    load_all(kdir.buf, &all, &n);
    for (i = 0; i < n; i++) {
        if (!all[i].loaded || !all[i].k.is_pyshim || !stale(&all[i]))
            continue;
        mine++;
        if (dry)
            printf("pyshim: would remove kernel '%s': %s\n", all[i].name,
                   all[i].why.buf);
        else
            failed += remove_one(&all[i]) < 0;
    }
    others = prune_others(all, n, dry, yes, &failed, e);
    if (others < 0)
        goto out;
    if (!mine && !others)
        printf("pyshim: nothing to prune: no stale kernels in %s\n", kdir.buf);
    if (failed) {
        err_set(e, PYSHIM_EXIT_CANTCREAT,
                "%d stale kernel%s could not be removed", failed,
                failed == 1 ? "" : "s");
        goto out;
    }
    ret = 0;
out:
    free_all(all, n);
    sb_release(&kdir);
    return ret;
}

/* Does ki run a program under bin (or under the data dir, with purge)? */
static int orphaned_by(const struct kinfo *ki, const struct dirs *d,
                       const char *bin, int purge)
{
    const char *prog = ki->loaded && ki->k.argv.nr ? ki->k.argv.v[0] : NULL;

    return prog && path_is_abs(prog) &&
           (path_is_inside(prog, bin) ||
            (purge && path_is_inside(prog, d->data)));
}

void klist_orphans_say(const struct dirs *d, const char *bin, int purge)
{
    struct sb kdir = SB_INIT;
    struct kinfo *all = NULL;
    size_t i, n = 0;

    if (kspec_user_dir(d->home, &kdir, NULL) < 0)
        goto out;
    load_all(kdir.buf, &all, &n);
    for (i = 0; i < n; i++)
        if (orphaned_by(&all[i], d, bin, purge))
            printf(
                "pyshim: kernel '%s' (%s) runs %s, which this removes: it will point at nothing\n",
                all[i].name, all[i].dir, all[i].k.argv.v[0]);
out:
    free_all(all, n);
    sb_release(&kdir);
}

void klist_orphans_offer(const struct dirs *d, const char *bin, int purge,
                         int yes)
{
    struct sb kdir = SB_INIT;
    struct err e = ERR_INIT;
    struct kinfo *all = NULL;
    size_t i, n = 0, nr = 0;
    int ok = yes;

    if (kspec_user_dir(d->home, &kdir, NULL) < 0)
        goto out;
    load_all(kdir.buf, &all, &n);
    for (i = 0; i < n; i++)
        if (orphaned_by(&all[i], d, bin, purge) &&
            kspec_gone(&all[i].k, &all[i].why))
            all[i].status = "stale", nr++;
    if (!nr)
        goto out;
    if (!yes && plat_isatty(0))
        ok = cli_confirm("remove the kernels that now point at nothing?", 0,
                         "removing kernels", &e) == 1;
    for (i = 0; i < n; i++) {
        if (!all[i].status)
            continue;
        if (ok)
            remove_one(&all[i]);
        else
            printf(
                "pyshim: kernel '%s' points at nothing now: `jupyter kernelspec remove %s` removes it\n",
                all[i].name, all[i].name);
    }
out:
    err_release(&e);
    free_all(all, n);
    sb_release(&kdir);
}
