/*
 * pyshim list: the installed interpreters, where each came from, and
 * which of them the project here, the shared envs and the projects made
 * with `pyshim init` run on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/jsonw.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "common/sv.h"
#include "common/xalloc.h"
#include "config/dirs.h"
#include "cli/cli.h"
#include "cli/opt.h"
#include "launcher/interp.h"
#include "launcher/resolve.h"
#include "launcher/venv.h"
#include "common/banned.h"

static const char usage[] =
    "usage: pyshim list [--json]\n"
    "\n"
    "List the interpreters pyshim finds (the search `python` uses: PATH,\n"
    "pyenv, uv, the system's), each with its version, where it came from\n"
    "and what uses it: the project of the current directory (\"here\"), the\n"
    "shared envs, and the projects made with `pyshim init`. An interpreter\n"
    "something uses that the search does not find is listed last. Creates\n"
    "nothing (the interpreter facts cache may be filled).\n"
    "\n"
    "  --json   print it as JSON\n";

/* Something that runs on an interpreter. */
struct user {
    const char *kind; /* "here", "shared", "project" */
    char *what;       /* the project dir or the env's name */
    char *python;     /* the interpreter it runs (may be a venv's link) */
    struct pyver ver;
    int matched;
};

struct users {
    struct user *v;
    size_t nr, alloc;
};

static void add_user(struct users *u, const char *kind, const char *what,
                     const char *python, const struct pyver *ver)
{
    struct user *it;

    if (u->nr == u->alloc) {
        u->alloc = u->alloc ? 2 * u->alloc : 8;
        u->v = xrealloc(u->v, u->alloc * sizeof(*u->v));
    }
    it = &u->v[u->nr++];
    it->kind = kind;
    it->what = xstrdup(what);
    it->python = xstrdup(python);
    it->ver = *ver;
    it->matched = 0;
}

/* What `python` runs in dir (NULL: here), as the shim decides it. */
static void resolved_user(struct users *u, const char *kind, const char *dir)
{
    struct resolve_in in;
    struct plan p;
    struct err e = ERR_INIT;

    plan_init(&p);
    resolve_in_init(&in);
    in.invoked = "python";
    in.cwd = dir;
    if (!resolve(&in, &p, &e) && p.interp && p.proj.root &&
        !(dir && u->nr && !strcmp(u->v[0].kind, "here") &&
          !strcmp(u->v[0].what, p.proj.root)))
        add_user(u, kind, p.proj.root, p.interp, &p.ver);
    plan_release(&p);
    err_release(&e);
}

/* The shared envs (DATA/shared/NAME) and the projects init made
 * (DATA/projects/: one file per project, holding its directory). */
static void recorded_users(const struct dirs *d, struct users *u)
{
    struct sb p = SB_INIT, f = SB_INIT, text = SB_INIT;
    struct plat_dir *pd;
    const char *ent;

    path_join(&p, d->data, "shared");
    pd = plat_opendir(p.buf);
    while (pd && (ent = plat_readdir(pd))) {
        struct venv v = VENV_INIT;

        path_join(&f, p.buf, ent);
        if (!venv_load(&v, f.buf, NULL))
            add_user(u, "shared", ent, v.executable ? v.executable : v.python,
                     &v.ver);
        venv_release(&v);
    }
    plat_closedir(pd);
    path_join(&p, d->data, "projects");
    pd = plat_opendir(p.buf);
    while (pd && (ent = plat_readdir(pd))) {
        path_join(&f, p.buf, ent);
        if (!plat_read_file(f.buf, 64 * 1024, &text) && plat_is_dir(text.buf))
            resolved_user(u, "project", text.buf);
    }
    plat_closedir(pd);
    sb_release(&p);
    sb_release(&f);
    sb_release(&text);
}

/* Does user x run on interpreter it (the same file, links followed)? */
static int runs_on(const struct user *x, const struct interp *it)
{
    struct plat_stat a, b;

    if (plat_stat(x->python, &a, 1) < 0)
        return 0;
    if (it->dev || it->ino)
        return a.dev == it->dev && a.ino == it->ino;
    return !plat_stat(it->path, &b, 1) && a.dev == b.dev && a.ino == b.ino;
}

static void user_text(const struct user *x, struct sb *out)
{
    if (!strcmp(x->kind, "here"))
        sb_addf(out, "here (%s)", x->what);
    else if (!strcmp(x->kind, "shared"))
        sb_addf(out, "shared env '%s'", x->what);
    else
        sb_addf(out, "project %s", x->what);
}

static void print_text(const struct interp_list *l, struct users *u)
{
    struct sb line = SB_INIT;
    size_t i, k;
    char vb[32];

    for (i = 0; i < l->nr; i++) {
        const struct interp *it = &l->v[i];

        if (it->shim)
            continue;
        printf("%-9s %-8s %s\n",
               it->ver.major >= 0 ? pyver_str(&it->ver, vb, sizeof(vb)) : "?",
               it->origin, it->path);
        sb_reset(&line);
        for (k = 0; k < u->nr; k++) {
            if (!runs_on(&u->v[k], it))
                continue;
            u->v[k].matched = 1;
            if (line.len)
                sb_addstr(&line, ", ");
            user_text(&u->v[k], &line);
        }
        if (line.len)
            printf("          used by: %s\n", line.buf);
    }
    for (k = 0; k < u->nr; k++) {
        if (u->v[k].matched)
            continue;
        sb_reset(&line);
        user_text(&u->v[k], &line);
        printf("%-9s %-8s %s\n          used by: %s\n",
               u->v[k].ver.major >= 0 ? pyver_str(&u->v[k].ver, vb, sizeof(vb))
                                      : "?",
               "unlisted", u->v[k].python, line.buf);
    }
    sb_release(&line);
}

static void json_user(struct jsonw *w, const struct user *x)
{
    jsonw_object_begin(w);
    jsonw_kv_string(w, "kind", x->kind);
    jsonw_kv_string(w, !strcmp(x->kind, "shared") ? "name" : "project",
                    x->what);
    jsonw_kv_string(w, "python", x->python);
    jsonw_object_end(w);
}

static void print_json(const struct interp_list *l, struct users *u)
{
    struct sb out = SB_INIT;
    struct jsonw w;
    size_t i, k;
    char vb[32];

    jsonw_init(&w, &out, 2);
    jsonw_object_begin(&w);
    jsonw_key(&w, "interpreters");
    jsonw_array_begin(&w);
    for (i = 0; i < l->nr; i++) {
        const struct interp *it = &l->v[i];

        if (it->shim)
            continue;
        jsonw_object_begin(&w);
        jsonw_kv_string(&w, "path", it->path);
        jsonw_kv_string(&w, "version",
                        it->ver.major >= 0 ? pyver_str(&it->ver, vb, sizeof(vb))
                                           : NULL);
        jsonw_kv_string(&w, "origin", it->origin);
        jsonw_kv_string(&w, "name", it->name);
        jsonw_key(&w, "used_by");
        jsonw_array_begin(&w);
        for (k = 0; k < u->nr; k++)
            if (runs_on(&u->v[k], it)) {
                u->v[k].matched = 1;
                json_user(&w, &u->v[k]);
            }
        jsonw_array_end(&w);
        jsonw_object_end(&w);
    }
    jsonw_array_end(&w);
    jsonw_key(&w, "unlisted");
    jsonw_array_begin(&w);
    for (k = 0; k < u->nr; k++)
        if (!u->v[k].matched)
            json_user(&w, &u->v[k]);
    jsonw_array_end(&w);
    jsonw_object_end(&w);
    jsonw_release(&w);
    fwrite(out.buf, 1, out.len, stdout);
    sb_release(&out);
}

int cli_list(int argc, char **argv)
{
    struct dirs d = DIRS_INIT;
    struct err e = ERR_INIT;
    struct interp_list l = INTERP_LIST_INIT;
    struct users u = {NULL, 0, 0};
    int json = 0, code = PYSHIM_EXIT_OK;
    size_t k;
    struct opt opts[] = {
        OPT_BOOL(0, "json", &json),
        OPT_END(),
    };
    struct opt_cmd oc = OPT_CMD(usage, opts, NULL, 0);

    if (opt_parse_cmd(&oc, argc, argv, &code))
        goto out;
    if (dirs_init(&d, &e) < 0 || resolve_discover(&l, &e) < 0) {
        code = cli_report(&e);
        goto out;
    }
    resolved_user(&u, "here", NULL);
    recorded_users(&d, &u);
    if (json)
        print_json(&l, &u);
    else
        print_text(&l, &u);
    if (fflush(stdout))
        code = PYSHIM_EXIT_OSERR;
out:
    for (k = 0; k < u.nr; k++) {
        free(u.v[k].what);
        free(u.v[k].python);
    }
    free(u.v);
    interp_list_release(&l);
    dirs_release(&d);
    err_release(&e);
    return code;
}
