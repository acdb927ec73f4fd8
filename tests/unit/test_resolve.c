/*
 * Table tests for launcher/resolve.h, in-process, the way CPython's
 * Lib/test/test_getpath.py tests getpath against a mocked namespace: each
 * case builds a project in a temp tree, hands resolve() its inputs (the
 * name called by, the cwd and struct envvars: no variable of this
 * process is read) and checks the plan. The tree:
 *
 *   bin/python3.91, bin/python3.92   fake CPythons (copies of fakepy_posix
 *                                    answering the facts probe)
 *   bin/python3 -> python3.91
 *   bin/python3.95                   3.95.0, EXTERNALLY-MANAGED (PEP 668)
 *   pyenv/versions/3.93.1/bin/python3.93, pyenv/versions/myenv/bin/python
 *   uv/cpython-3.94.2-linux-x86_64-gnu/bin/python3.94
 *   elsewhere/python3.91             an interpreter no search finds
 *   bin/python3.96, bin/python3.96t  a regular and a free-threaded 3.96
 *   pyenv/versions/3.98.0t/bin/python3.98t          pyenv's free-threaded
 *   uv/cpython-3.99.1+freethreaded-linux-x86_64-gnu/bin/python3.99t (uv's)
 *   bin/python3.89                   a macOS framework build: its libpython
 *                                    is
 * .../Python.framework/Versions/3.89/Python home/, data/ (PYSHIM_HOME)
 *
 * Minor versions 3.89 and 3.91 up exist nowhere else, so the system's own
 * interpreters (always searched) never match. Every case also checks
 * that resolve() wrote nothing (the facts cache aside), and the apply
 * cases that apply_plan() then writes what the plan said.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/exitcode.h"
#include "common/plat.h"
#include "common/sb.h"
#include "config/trust.h"
#include "launcher/apply.h"
#include "launcher/hook.h"
#include "launcher/pick.h"
#include "launcher/resolve.h"
#include "launcher/venv.h"
#include "tests/unit/testutil.h"

static char *root, *data, *self_exe;

/* How many times the installed interpreters were searched (the link
 * wraps interp_discover: tests/CMakeLists.txt). */
static int searches;
#ifndef PYSHIM_NO_LD_WRAP
void __real_interp_discover(struct interp_list *out,
                            const struct interp_env *env, struct trace *t);
void __wrap_interp_discover(struct interp_list *out,
                            const struct interp_env *env, struct trace *t);
void __wrap_interp_discover(struct interp_list *out,
                            const struct interp_env *env, struct trace *t)
{
    searches++;
    __real_interp_discover(out, env, t);
}
#endif
static char *path_var;

static const char fact_fmt[] =
    "echo '{\"version\": \"%s\", \"impl\": \"cpython\", \"abiflags\": \"%s\", \"libpython\": \"%s\", \"prefix\": \"/fake\", \"ext_managed\": %s}'\n";

/* A fake python at root/rel: a copy of fakepy_posix, which runs rel.sh,
 * which answers the facts probe with version ver and libpython lib. */
static void fake_lib(const char *rel, const char *ver, int ext_managed,
                     const char *lib)
{
    static char *prog;
    static size_t len;
    char sh[512], text[1024];

    if (!prog) {
        prog = tu_read_bytes(FAKEPY_POSIX, &len);
        assert_non_null(prog);
        assert_true(len > 0);
    }
    snprintf(sh, sizeof(sh), "%s.sh", rel);
    /* a name ending in "t" is a free-threaded build: sys.abiflags "t" */
    snprintf(text, sizeof(text), fact_fmt, ver,
             rel[strlen(rel) - 1] == 't' ? "t" : "", lib,
             ext_managed ? "true" : "false");
    tu_write_bytes(root, sh, text, strlen(text), 0755);
    tu_write_bytes(root, rel, prog, len, 0755);
}

/* A fake python with no shared libpython (a static build). */
static void fake(const char *rel, const char *ver, int ext_managed)
{
    fake_lib(rel, ver, ext_managed, "");
}

static int setup(void **state)
{
    struct sb s = SB_INIT;
    char *p;

    (void)state;
    root = tu_mkdtemp();
    fake("bin/python3.91", "3.91.7", 0);
    fake("bin/python3.92", "3.92.3", 0);
    fake("bin/python3.95", "3.95.0", 1);
    tu_symlink("python3.91", root, "bin/python3");
    fake("pyenv/versions/3.93.1/bin/python3.93", "3.93.1", 0);
    fake("pyenv/versions/myenv/bin/python", "3.93.1", 0);
    fake("uv/cpython-3.94.2-linux-x86_64-gnu/bin/python3.94", "3.94.2", 0);
    fake("elsewhere/python3.91", "3.91.7", 0);
    fake("bin/python3.96", "3.96.2", 0);
    fake("bin/python3.96t", "3.96.2", 0);
    fake("pyenv/versions/3.98.0t/bin/python3.98t", "3.98.0", 0);
    fake("uv/cpython-3.99.1+freethreaded-linux-x86_64-gnu/bin/python3.99t",
         "3.99.1", 0);
    /* a macOS framework build (python.org, Homebrew): its libpython */
    fake_lib("bin/python3.89", "3.89.1", 0,
             "/Library/Frameworks/Python.framework/Versions/3.89/Python");
    tu_mkdir(root, "home");
    tu_mkdir(root, "data/cache");
    assert_int_equal(chmod(root, 0700), 0);
    data = tu_path(root, "data");
    p = tu_path(root, "bin");
    path_var = p;
    assert_int_equal(plat_self_exe(&s), 0);
    self_exe = sb_detach(&s, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_cleanup(root);
    free(data);
    free(path_var);
    free(self_exe);
    return 0;
}

/* One case. Strings may hold %R (the tree's root), %P (the case's
 * project dir), %S (this test's own executable: "pyshim itself") and %D
 * (this process's id). */
struct rcase {
    const char *name;
    const char *invoked; /* NULL: "python" */
    const char *setup;   /* ops, one per line (see build()) */
    const char *args;    /* the user's arguments, space-separated */
    const char *pyenv_version, *project, *mode, *guard;
    const char *disable; /* PYSHIM_DISABLE */
    /* expectations; NULL / 0: not checked */
    int code; /* 0: resolve() succeeds, else e.code */
    const char *err;
    const char *kind, *exe, *interp, *ver, *from, *req;
    const char *hook; /* a line of the hook content */
    const char *hook_site, *env_dir;
    int overlay_missing; /* 1 missing, 2 present */
    const char *mode_why;
    const char *trace;
    const char *no_trace;
    int scans; /* searches of the installed interpreters, when > 0 */
};

static void subst(struct sb *out, const char *in, const char *proj)
{
    sb_reset(out);
    for (; *in; in++) {
        if (in[0] == '%' && in[1] == 'R') {
            sb_addstr(out, root);
            in++;
        } else if (in[0] == '%' && in[1] == 'P') {
            sb_addstr(out, proj);
            in++;
        } else if (in[0] == '%' && in[1] == 'S') {
            sb_addstr(out, self_exe);
            in++;
        } else if (in[0] == '%' && in[1] == 'D') {
            sb_addf(out, "%ld", (long)getpid());
            in++;
        } else {
            sb_addch(out, *in);
        }
    }
}

/* A venv at proj/rel whose python links to root/bin/python3.MINOR
 * (MINOR "96t": the free-threaded build, lib/python3.96t). */
static void make_venv(const char *proj, const char *rel, const char *minor)
{
    struct sb s = SB_INIT, t = SB_INIT;

    sb_addf(&s, "home = %s/bin\nversion = 3.%.2s.7\n", root, minor);
    sb_addf(&t, "%s/pyvenv.cfg", rel);
    tu_write(proj, t.buf, s.buf);
    sb_reset(&s);
    sb_addf(&s, "%s/bin/python3.%s", root, minor);
    sb_reset(&t);
    sb_addf(&t, "%s/bin/python", rel);
    tu_symlink(s.buf, proj, t.buf);
    sb_reset(&t);
    sb_addf(&t, "%s/lib/python3.%s/site-packages", rel, minor);
    tu_mkdir(proj, t.buf);
    sb_release(&s);
    sb_release(&t);
}

/* A shared env data/shared/NAME of Python 3.MINOR. */
static void make_shared(const char *name, const char *minor)
{
    struct sb rel = SB_INIT;

    sb_addf(&rel, "shared/%s", name);
    if (!tu_exists(data, rel.buf))
        make_venv(data, rel.buf, minor);
    sb_release(&rel);
}

/*
 * The ops, one per line:
 *   f PATH TEXT    write TEXT (rest of line; "\\n" is a newline) to PATH
 *   v PATH MINOR   a venv at PATH linking to bin/python3.MINOR
 *   r PATH         record the venv at PATH as made by pyshim
 *   s NAME MINOR   a shared env
 *   t PATH         trust the config PATH
 *   p PATH         trust the program PATH
 *   l PATH TARGET  a symlink
 *   x PATH         a copy of the fake 3.91 at PATH (a real binary)
 *   m PATH         mkdir -p
 * PATH is relative to the project; "/x" is relative to the root instead.
 */
static void build(const char *ops, const char *proj)
{
    struct sb all = SB_INIT, path = SB_INIT, text = SB_INIT;
    char *line, *p;

    if (!ops)
        return;
    subst(&all, ops, proj);
    for (line = all.buf; line && *line; line = p) {
        char op, a[512], b[1024];

        p = strchr(line, '\n');
        if (p)
            *p++ = '\0';
        a[0] = b[0] = '\0';
        op = line[0];
        {
            const char *r = line + 2, *sp = strchr(r, ' ');
            size_t n = sp ? (size_t)(sp - r) : strlen(r);

            snprintf(a, sizeof(a), "%.*s", (int)n, r);
            if (sp)
                snprintf(b, sizeof(b), "%s", sp + 1);
        }
        sb_reset(&path);
        if (a[0] == '/')
            sb_addf(&path, "%s%s", root, a);
        else
            sb_addf(&path, "%s/%s", proj, a);
        switch (op) {
        case 'f': {
            char *q;

            sb_set(&text, b);
            while ((q = strstr(text.buf, "\\n"))) {
                q[0] = '\n';
                memmove(q + 1, q + 2, strlen(q + 2) + 1);
                text.len--;
            }
            tu_write("/", path.buf + 1, text.buf);
            break;
        }
        case 'v':
            make_venv(proj, a, b);
            break;
        case 'r':
            assert_int_equal(trust_add_venv(data, path.buf, NULL), 0);
            break;
        case 's':
            make_shared(a, b);
            break;
        case 't':
            assert_int_equal(trust_add(data, path.buf, NULL), 0);
            break;
        case 'p':
            assert_int_equal(trust_add_program(data, path.buf, NULL), 0);
            break;
        case 'l':
            tu_symlink(b, "/", path.buf + 1);
            break;
        case 'm':
            tu_mkdir("/", path.buf + 1);
            break;
        case 'x': {
            char *src = tu_path(root, "bin/python3.91");
            char *body = NULL;
            FILE *f = fopen(src, "rb");
            long n;

            assert_non_null(f);
            fseek(f, 0, SEEK_END);
            n = ftell(f);
            rewind(f);
            body = malloc((size_t)n);
            assert_int_equal(fread(body, 1, (size_t)n, f), (size_t)n);
            fclose(f);
            tu_write_bytes("/", path.buf + 1, body, (size_t)n, 0755);
            free(body);
            free(src);
            break;
        }
        default:
            fail_msg("bad op '%s'", line);
        }
    }
    sb_release(&all);
    sb_release(&path);
    sb_release(&text);
}

/* Everything under dir but the facts cache, with sizes and mtimes: what
 * "wrote nothing" compares. */
static void snapshot(const char *dir, struct sb *out)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    struct sv names = SV_INIT;
    size_t i;

    if (!d)
        return;
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
            strcmp(de->d_name, "cache"))
            sv_push(&names, de->d_name);
    closedir(d);
    for (i = 0; i < names.nr; i++) {
        char *p = tu_path(dir, names.v[i]);
        struct stat st;

        if (!lstat(p, &st)) {
            sb_addf(out, "%s %lld %lld.%09ld\n", p, (long long)st.st_size,
                    (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
            if (S_ISDIR(st.st_mode))
                snapshot(p, out);
        }
        free(p);
    }
    sv_release(&names);
}

static int count_lines(const struct sv *lines, const char *needle)
{
    size_t i;
    int n = 0;

    for (i = 0; i < lines->nr; i++)
        n += strstr(lines->v[i], needle) != NULL;
    return n;
}

static int has_line(const struct sv *lines, const char *needle)
{
    return count_lines(lines, needle) > 0;
}

static void check_str(const char *name, const char *what, const char *got,
                      const char *want, const char *proj, int contains)
{
    struct sb w = SB_INIT;

    if (!want)
        return;
    subst(&w, want, proj);
    if (!got || (contains ? !strstr(got, w.buf) : !!strcmp(got, w.buf)))
        fail_msg("case '%s': %s is '%s', want %s'%s'", name, what,
                 got ? got : "(null)", contains ? "one holding " : "", w.buf);
    sb_release(&w);
}

/* The inputs of a case: its own variables, never this process's. */
static void case_in(const struct rcase *c, const char *proj,
                    struct resolve_in *in, struct sv *keep, struct sv *args)
{
    struct sb s = SB_INIT;
    const char *a, *sp;

    memset(in, 0, sizeof(*in));
    in->invoked = c->invoked ? c->invoked : "python";
    in->cwd = proj;
    in->trace = 1;
    in->vars.path = path_var;
    sv_pushf(keep, "%s/pyenv", root);
    in->vars.pyenv_root = keep->v[keep->nr - 1];
    sv_pushf(keep, "%s/uv", root);
    in->vars.uv_install_dir = keep->v[keep->nr - 1];
    in->vars.pyenv_version = c->pyenv_version;
    in->vars.pyshim_mode = c->mode;
    in->vars.pyshim_disable = c->disable;
    in->vars.dirs.pyshim_home = data;
    sv_pushf(keep, "%s/home", root);
    in->vars.dirs.home = keep->v[keep->nr - 1];
    if (c->project) {
        subst(&s, c->project, proj);
        sv_push(keep, s.buf);
        in->vars.pyshim_project = keep->v[keep->nr - 1];
    }
    if (c->guard) {
        subst(&s, c->guard, proj);
        sv_push(keep, s.buf);
        in->vars.passthrough = keep->v[keep->nr - 1];
    }
    for (a = c->args; a && *a; a = *sp ? sp + 1 : sp) {
        sp = strchr(a, ' ');
        if (!sp)
            sp = a + strlen(a);
        sb_reset(&s);
        sb_add(&s, a, (size_t)(sp - a));
        sv_push(args, s.buf);
    }
    in->argc = (int)args->nr;
    in->argv = args->v;
    sb_release(&s);
}

static void check_plan(const struct rcase *c, const char *proj,
                       const struct plan *p)
{
    char vb[32];

    check_str(c->name, "environment_kind", p->env_kind, c->kind, proj, 0);
    check_str(c->name, "executable", p->exe, c->exe, proj, 0);
    check_str(c->name, "interpreter", p->interp, c->interp, proj, 0);
    check_str(c->name, "version",
              p->ver.major >= 0 ? pyver_str(&p->ver, vb, sizeof(vb)) : NULL,
              c->ver, proj, 1);
    check_str(c->name, "python_request_from", p->python_from, c->from, proj, 1);
    check_str(c->name, "python_request", p->python_req, c->req, proj, 0);
    check_str(c->name, "hook", p->hook.buf, c->hook, proj, 1);
    check_str(c->name, "hook_site", p->hook_site, c->hook_site, proj, 0);
    check_str(c->name, "environment", p->env_dir, c->env_dir, proj, 1);
    check_str(c->name, "mode_reason", p->mode_why, c->mode_why, proj, 1);
    if (c->overlay_missing)
        TU_INT_EQ(c->name, p->overlay_missing, c->overlay_missing == 1);
    if (c->overlay_missing == 1 && p->hook_path)
        fail_msg("case '%s': a hook path in an overlay not built yet", c->name);
}

static void run_case(const struct rcase *c, int n)
{
    struct resolve_in in;
    struct plan p;
    struct err e = ERR_INIT;
    struct sv keep = SV_INIT, args = SV_INIT;
    struct sb proj = SB_INIT, before = SB_INIT, after = SB_INIT, w = SB_INIT;
    int ret;

    sb_addf(&proj, "%s/p%d", root, n);
    tu_mkdir(root, proj.buf + strlen(root) + 1);
    build(c->setup, proj.buf);
    case_in(c, proj.buf, &in, &keep, &args);
    snapshot(root, &before);
    plan_init(&p);
    searches = 0;
    ret = resolve(&in, &p, &e);
    snapshot(root, &after);
    if (strcmp(before.buf, after.buf))
        fail_msg("case '%s': resolve() wrote to the file system:\n%s\n---\n%s",
                 c->name, before.buf, after.buf);
    if (ret < 0 && !c->code)
        fail_msg("case '%s': resolve failed: %s (%s)", c->name, e.msg,
                 e.hint ? e.hint : "");
    if (ret == 0 && c->code)
        fail_msg("case '%s': resolved (exe '%s'), want error %d", c->name,
                 p.exe, c->code);
    if (c->code) {
        TU_INT_EQ(c->name, e.code, c->code);
        check_str(c->name, "error", e.msg, c->err, proj.buf, 1);
    } else {
        check_plan(c, proj.buf, &p);
    }
    if (c->trace && !has_line(&p.trace.lines, c->trace))
        fail_msg("case '%s': no trace line holds '%s'", c->name, c->trace);
    if (c->no_trace) {
        subst(&w, c->no_trace, proj.buf);
        if (has_line(&p.trace.lines, w.buf))
            fail_msg("case '%s': a trace line holds '%s'", c->name, w.buf);
    }
#ifndef PYSHIM_NO_LD_WRAP
    /* not counted on macOS: its linker has no --wrap (tests/CMakeLists.txt) */
    /* at most scans: 0 when the search cache answered (launcher/icache.h:
     * an earlier case searched the same PATH) */
    if (c->scans)
        TU_INT_EQ(c->name, searches <= c->scans, 1);
#endif
    plan_release(&p);
    err_release(&e);
    sv_release(&keep);
    sv_release(&args);
    sb_release(&proj);
    sb_release(&before);
    sb_release(&after);
    sb_release(&w);
}

/* A venv's pieces, for venvs whose python is not make_venv's link. */
#define VCFG "f .venv/pyvenv.cfg home = %R/bin\\nversion = 3.91.7\\n\n"
#define VSITE "m .venv/lib/python3.91/site-packages"

static const struct rcase cases[] = {
    /* --- no project: pass through -------------------------------------- */
    {.name = "no project: the next python3 on PATH",
     .kind = "passthrough",
     .exe = "%R/bin/python3",
     .trace = "passing through"},
    {.name = "no project: python3.92 is on PATH",
     .invoked = "python3.92",
     .kind = "passthrough",
     .exe = "%R/bin/python3.92"},
    {.name = "no project: python3.93 only in pyenv",
     .invoked = "/somewhere/python3.93",
     .kind = "passthrough",
     .exe = "%R/pyenv/versions/3.93.1/bin/python3.93",
     .trace = "is not on PATH"},
    {.name = "no project: python3.97 nowhere",
     .invoked = "python3.97",
     .code = PYSHIM_EXIT_NOTFOUND,
     .err = "3.97"},
    {.name = "no project: no pip on PATH",
     .invoked = "pip",
     .code = PYSHIM_EXIT_NOTFOUND,
     .err = "no 'pip' on PATH"},
    {.name = "no project: the guard of a third visit is a loop",
     .guard = "%D:2",
     .code = PYSHIM_EXIT_LOOP,
     .err = "loops"},
    {.name = "no project: another process's guard is not ours",
     .guard = "1:2",
     .kind = "passthrough",
     .exe = "%R/bin/python3"},
    {.name = "no project: a malformed guard is ignored",
     .guard = "x:y",
     .kind = "passthrough"},

    /* --- PYSHIM_DISABLE: pass through, no project file read ------------- */
    {.name = "PYSHIM_DISABLE=1: a broken config is not read",
     .setup = "f .pyshim.json {\"python\": ",
     .disable = "1",
     .kind = "passthrough",
     .exe = "%R/bin/python3",
     .trace = "PYSHIM_DISABLE=1",
     .no_trace = "config"},
    {.name = "PYSHIM_DISABLE=1: a project's venv is not used",
     .setup = "f .pyshim.json {\"python\": \"3.92\"}",
     .disable = "1",
     .kind = "passthrough",
     .exe = "%R/bin/python3"},
    {.name = "PYSHIM_DISABLE=0 leaves pyshim on",
     .setup = "f .pyshim.json {\"python\": ",
     .disable = "0",
     .code = PYSHIM_EXIT_CONFIG},
    {.name = "an empty PYSHIM_DISABLE leaves pyshim on",
     .setup = "f .pyshim.json {\"python\": ",
     .disable = "",
     .code = PYSHIM_EXIT_CONFIG},

    /* --- the version request and where it comes from ---------------------- */
    {.name = ".pyshim.json python 3.92",
     .setup = "f .pyshim.json {\"python\": \"3.92\"}",
     .kind = "base",
     .exe = "%R/bin/python3.92",
     .ver = "3.92",
     .from = "%P/.pyshim.json",
     .req = "3.92",
     .mode_why = "no shared libpython"},
    {.name = ".python-version 3.91",
     .setup = "f .python-version 3.91\\n",
     .kind = "base",
     .exe = "%R/bin/python3.91",
     .from = "%P/.python-version"},
    {.name = ".python-version names a pyenv env",
     .setup = "f .python-version myenv\\n",
     .kind = "base",
     .exe = "%R/pyenv/versions/myenv/bin/python",
     .ver = "3.93",
     .trace = "is the pyenv install"},
    {.name = ".python-version 3.93: pyenv's",
     .setup = "f .python-version 3.93\\n",
     .exe = "%R/pyenv/versions/3.93.1/bin/python3.93",
     .ver = "3.93.1"},
    {.name = ".python-version 3.94: uv's",
     .setup = "f .python-version 3.94\\n",
     .exe = "%R/uv/cpython-3.94.2-linux-x86_64-gnu/bin/python3.94"},
    {.name = ".python-version system: the first python3 on PATH",
     .setup = "f .python-version system\\n",
     .exe = "%R/bin/python3"},
    {.name = "PYENV_VERSION over .python-version",
     .setup = "f .python-version 3.91\\n",
     .pyenv_version = "3.92",
     .exe = "%R/bin/python3.92",
     .from = "PYENV_VERSION"},
    {.name = "PYENV_VERSION: its first entry",
     .setup = "f .python-version 3.91\\n",
     .pyenv_version = "3.92:3.91",
     .exe = "%R/bin/python3.92",
     .req = "3.92"},
    {.name = "the project's own python over PYENV_VERSION",
     .setup = "f .pyshim.json {\"python\": \"3.91\"}",
     .pyenv_version = "3.92",
     .exe = "%R/bin/python3.91"},
    {.name = "a venv over PYENV_VERSION",
     .setup = "v .venv 91\nr .venv",
     .pyenv_version = "3.92",
     .kind = "venv",
     .exe = "%P/.venv/bin/python"},
    {.name = "a version nothing installs",
     .setup = "f .pyshim.json {\"python\": \"3.97\"}",
     .code = PYSHIM_EXIT_NOTFOUND,
     .err = "asked by"},
    {.name = "a version pyshim does not understand",
     .setup = "f .pyshim.json {\"python\": \"banana\"}",
     .code = PYSHIM_EXIT_CONFIG,
     .err = "not a version pyshim understands"},
    {.name = "PYSHIM_PROJECT names the project",
     .setup = "f /other/.pyshim.json {\"python\": \"3.92\"}",
     .project = "%R/other",
     .exe = "%R/bin/python3.92",
     .from = "%R/other/.pyshim.json"},

    /* --- pyproject.toml: requires-python and [tool.pyshim] -----------------
     */
    {.name = "requires-python: the newest installed that satisfies it",
     .setup =
         "f pyproject.toml [project]\\nrequires-python = \">=3.91, <3.95\"",
     .kind = "base",
     .exe = "%R/uv/cpython-3.94.2-linux-x86_64-gnu/bin/python3.94",
     .ver = "3.94",
     .from = "%P/pyproject.toml",
     .req = "requires-python \">=3.91, <3.95\"",
     .trace = "the newest interpreter satisfying requires-python"},
    {.name = "requires-python with a wildcard",
     .setup = "f pyproject.toml [project]\\nrequires-python = \"==3.92.*\"",
     .exe = "%R/bin/python3.92"},
    {.name = ".python-version over requires-python when it satisfies it",
     .setup = "f pyproject.toml [project]\\nrequires-python = \">=3.91\"\n"
              "f .python-version 3.92\\n",
     .exe = "%R/bin/python3.92",
     .from = "%P/.python-version"},
    {.name = ".python-version outside requires-python is refused",
     .setup = "f pyproject.toml [project]\\nrequires-python = \">=3.92\"\n"
              "f .python-version 3.91\\n",
     .code = PYSHIM_EXIT_CONFIG,
     .err =
         "does not satisfy requires-python = \">=3.92\" in '%P/pyproject.toml'"},
    {.name = "a venv outside requires-python is refused",
     .setup = "f pyproject.toml [project]\\nrequires-python = \">=3.92\"\n"
              "v .venv 91\nr .venv",
     .code = PYSHIM_EXIT_CONFIG,
     .err = "the venv '%P/.venv' runs Python 3.91.7"},
    {.name = "a python3.N name outside requires-python is refused",
     .invoked = "python3.91",
     .setup = "f pyproject.toml [project]\\nrequires-python = \">=3.92\"",
     .code = PYSHIM_EXIT_CONFIG,
     .err = "(asked by python3.91) does not satisfy"},
    {.name = "requires-python nothing installed satisfies",
     .setup = "f pyproject.toml [project]\\nrequires-python = \">=3.99\"",
     .code = PYSHIM_EXIT_NOTFOUND,
     .err = "no installed Python satisfies requires-python = \">=3.99\""},
    {.name = "[tool.pyshim] python",
     .setup = "f pyproject.toml [project]\\nname = \"x\"\\n[tool.pyshim]\\n"
              "python = \"3.93\"",
     .exe = "%R/pyenv/versions/3.93.1/bin/python3.93",
     .from = "%P/pyproject.toml",
     .req = "3.93"},
    {.name = ".pyshim.json over [tool.pyshim]",
     .setup = "f pyproject.toml [tool.pyshim]\\npython = \"3.93\"\n"
              "f .pyshim.json {\"python\": \"3.92\"}",
     .exe = "%R/bin/python3.92",
     .from = "%P/.pyshim.json",
     .trace = "the .pyshim.json beside it wins"},
    {.name = "a pyproject.toml asking nothing is no marker",
     .setup = "f pyproject.toml [build-system]\\nrequires = []",
     .kind = "passthrough"},

    /* --- interpreters by path, and trust --------------------------------- */
    {.name = "a path to an interpreter, trusted",
     .setup = "f .pyshim.json {\"python\": \"%R/bin/python3.92\"}\n"
              "t .pyshim.json",
     .exe = "%R/bin/python3.92",
     .trace = "named by path"},
    {.name = "a path to an interpreter, not trusted",
     .setup = "f .pyshim.json {\"python\": \"%R/bin/python3.92\"}",
     .code = PYSHIM_EXIT_NOPERM,
     .err = "not trusted"},
    {.name = "a path to nothing",
     .setup = "f .pyshim.json {\"python\": \"%R/bin/nothing\"}\n"
              "t .pyshim.json",
     .code = PYSHIM_EXIT_NOTFOUND,
     .err = "does not exist or is not executable"},
    {.name = "a path to pyshim itself",
     .setup = "f .pyshim.json {\"python\": \"%S\"}\nt .pyshim.json",
     .code = PYSHIM_EXIT_LOOP,
     .err = "pyshim itself"},

    /* --- venvs ---------------------------------------------------------- */
    {.name = "a venv pyshim made",
     .setup = "v .venv 91\nr .venv",
     .kind = "venv",
     .exe = "%P/.venv/bin/python",
     .env_dir = "%P/.venv",
     .hook_site = "%P/.venv/lib/python3.91/site-packages",
     .ver = "3.91"},
    {.name = "a venv that came with the tree, linking to an installed python",
     .setup = "v .venv 91",
     .kind = "venv",
     .trace = "was not made by pyshim and holds no start-up code"},
    {.name = "a venv that came with the tree runs start-up code",
     .setup = "v .venv 91\n"
              "f .venv/lib/python3.91/site-packages/evil.pth import os\\n",
     .code = PYSHIM_EXIT_NOPERM,
     .err = "runs code at start-up"},
    {.name = "a venv whose python leads to an interpreter no search finds",
     .setup = VCFG "l .venv/bin/python %R/elsewhere/python3.91\n" VSITE,
     .code = PYSHIM_EXIT_NOPERM,
     .err = "not an installed Python interpreter pyshim finds"},
    {.name = "a venv whose python is a program in the tree",
     .setup =
         VCFG "x .venv/bin/python3.91\nl .venv/bin/python python3.91\n" VSITE
              "\nr .venv",
     .code = PYSHIM_EXIT_NOPERM,
     .err = "is a program inside the project tree"},
    {.name = "a venv whose program in the tree is trusted",
     .setup =
         VCFG "x .venv/bin/python3.91\nl .venv/bin/python python3.91\n" VSITE
              "\nr .venv\np .venv/bin/python3.91",
     .kind = "venv",
     .trace = "lives in the project tree and is trusted"},
    {.name = "a venv the config names that does not exist",
     .setup = "f .pyshim.json {\"venv\": \"env\"}",
     .code = PYSHIM_EXIT_NOINPUT,
     .err = "does not exist"},
    {.name = "an incomplete venv",
     .setup = "v .venv 91\nr .venv\nf .venv/.pyshim-incomplete x",
     .code = PYSHIM_EXIT_NOINPUT,
     .err = "is incomplete"},
    {.name = "a venv of another version than asked",
     .setup = "f .pyshim.json {\"venv\": \".venv\", \"python\": \"3.92\"}\n"
              "v .venv 91\nr .venv",
     .code = PYSHIM_EXIT_CONFIG,
     .err = "but '%P/.pyshim.json' asks for 3.92"},

    /* --- shared envs: hook and overlay ----------------------------------- */
    {.name = "shared envs without a venv: an overlay not built yet",
     .setup = "s libs91 91\n"
              "f .pyshim.json {\"python\": \"3.91\", \"shared\": [\"libs91\"]}",
     .kind = "overlay",
     .env_dir = "%R/data/overlays/3.91-",
     .overlay_missing = 1,
     .hook = "%R/data/shared/libs91/lib/python3.91/site-packages",
     .trace = "(not built yet)"},
    {.name = "shared envs with a venv: the hook in the venv",
     .setup = "s libs91 91\nv .venv 91\nr .venv\n"
              "f .pyshim.json {\"shared\": [\"libs91\"]}",
     .kind = "venv",
     .hook_site = "%P/.venv/lib/python3.91/site-packages",
     .hook = "%R/data/shared/libs91/lib/python3.91/site-packages"},
    {.name = "a shared env of another version",
     .setup = "s libs92 92\n"
              "f .pyshim.json {\"python\": \"3.91\", \"shared\": [\"libs92\"]}",
     .code = PYSHIM_EXIT_CONFIG,
     .err = "libs92"},
    {.name = "a shared env that does not exist",
     .setup = "f .pyshim.json {\"python\": \"3.91\", \"shared\": [\"nope\"]}",
     .code = PYSHIM_EXIT_NOINPUT,
     .err = "nope"},

    /* --- pins by link name ---------------------------------------------- */
    {.name = "python3.92 in a 3.91 project: 3.92 without the project's env",
     .invoked = "python3.92",
     .setup = "f .python-version 3.91\\n",
     .kind = "base",
     .exe = "%R/bin/python3.92",
     .trace = "pins 3.92 but the project runs 3.91"},
    {.name = "python3.91 in a 3.91 project: the project's run",
     .invoked = "python3.91",
     .setup = "f .python-version 3.91\\n",
     .exe = "%R/bin/python3.91",
     .from = "%P/.python-version",
     .no_trace = "pins"},
    {.name = "python3.92 in a project with a 3.91 venv",
     .invoked = "python3.92",
     .setup = "v .venv 91\nr .venv",
     .kind = "base",
     .exe = "%R/bin/python3.92"},
    {.name = "python3.93 in a project on a pyenv env of 3.93: one search",
     .invoked = "python3.93",
     .setup = "f .python-version myenv\\n",
     .exe = "%R/pyenv/versions/myenv/bin/python",
     .scans = 1},
    {.name = "python3.92 in a project on a pyenv env of 3.93: one search",
     .invoked = "python3.92",
     .setup = "f .python-version myenv\\n",
     .exe = "%R/bin/python3.92",
     .trace = "pins 3.92 but the project runs 3.93",
     .scans = 1},
    {.name = "python3.92 in a project that asks nothing",
     .invoked = "python3.92",
     .setup = "f .pyshim.json {}",
     .exe = "%R/bin/python3.92",
     .req = "python3.92"},

    /* --- free-threaded builds (issue 13 item 6) ----------------------------
     */
    {.name = ".python-version 3.96t: the free-threaded build on PATH",
     .setup = "f .python-version 3.96t\\n",
     .kind = "base",
     .exe = "%R/bin/python3.96t",
     .req = "3.96t"},
    {.name = ".python-version 3.96: the regular build, not the t one",
     .setup = "f .python-version 3.96\\n",
     .exe = "%R/bin/python3.96"},
    {.name = ".pyshim.json python 3.98t: pyenv's 3.98.0t",
     .setup = "f .pyshim.json {\"python\": \"3.98t\"}",
     .exe = "%R/pyenv/versions/3.98.0t/bin/python3.98t",
     .ver = "3.98.0"},
    {.name = ".python-version 3.99t: uv's +freethreaded install",
     .setup = "f .python-version 3.99t\\n",
     .exe =
         "%R/uv/cpython-3.99.1+freethreaded-linux-x86_64-gnu/bin/python3.99t",
     .ver = "3.99.1"},
    {.name = "3.99: a free-threaded build is not taken for a regular request",
     .setup = "f .python-version 3.99\\n",
     .code = PYSHIM_EXIT_NOTFOUND,
     .err = "3.99.1t ("},
    {.name = "python3.96t in a project that asks nothing",
     .invoked = "python3.96t",
     .setup = "f .pyshim.json {}",
     .exe = "%R/bin/python3.96t",
     .req = "python3.96t"},
    {.name = "python3.96t in a 3.96 project: t without the project's env",
     .invoked = "python3.96t",
     .setup = "v .venv 96\nr .venv",
     .kind = "base",
     .exe = "%R/bin/python3.96t",
     .trace = "pins 3.96t but the project runs 3.96:"},
    {.name = "python3.96 in a 3.96t project: the regular build, no env",
     .invoked = "python3.96",
     .setup = "v .venv 96t\nr .venv",
     .kind = "base",
     .exe = "%R/bin/python3.96",
     .trace = "pins 3.96 but the project runs 3.96t"},
    {.name = "python3.96t in a 3.96t venv: the venv",
     .invoked = "python3.96t",
     .setup = "v .venv 96t\nr .venv",
     .kind = "venv",
     .exe = "%P/.venv/bin/python",
     .hook_site = "%P/.venv/lib/python3.96t/site-packages",
     .no_trace = "pins"},
    {.name = "a free-threaded venv asked for as 3.96",
     .setup = "f .pyshim.json {\"venv\": \".venv\", \"python\": \"3.96\"}\n"
              "v .venv 96t\nr .venv",
     .code = PYSHIM_EXIT_CONFIG,
     .err = "is Python 3.96.7 (free-threaded), but"},
    {.name = "a regular venv asked for as 3.96t",
     .setup = "f .pyshim.json {\"venv\": \".venv\", \"python\": \"3.96t\"}\n"
              "v .venv 96\nr .venv",
     .code = PYSHIM_EXIT_CONFIG,
     .err = "asks for 3.96t"},
    {.name = "a free-threaded venv asked for as 3.96t",
     .setup = "f .pyshim.json {\"venv\": \".venv\", \"python\": \"3.96t\"}\n"
              "v .venv 96t\nr .venv",
     .kind = "venv"},
    {.name = "a regular shared env in a free-threaded venv is refused",
     .setup = "s libs96 96\nv .venv 96t\nr .venv\n"
              "f .pyshim.json {\"shared\": [\"libs96\"]}",
     .code = PYSHIM_EXIT_CONFIG,
     .err =
         "is built for ABI 'python3.96', but this environment uses 'python3.96t'"},
    {.name = "a free-threaded shared env in a free-threaded venv",
     .setup = "s libs96t 96t\nv .venv 96t\nr .venv\n"
              "f .pyshim.json {\"shared\": [\"libs96t\"]}",
     .kind = "venv",
     .hook = "%R/data/shared/libs96t/lib/python3.96t/site-packages"},
    {.name = "a free-threaded overlay: lib/python3.96t",
     .setup =
         "s libs96t 96t\n"
         "f .pyshim.json {\"python\": \"3.96t\", \"shared\": [\"libs96t\"]}",
     .kind = "overlay",
     .overlay_missing = 1,
     .hook = "%R/data/shared/libs96t/lib/python3.96t/site-packages"},
    {.name = "a regular shared env for a free-threaded overlay is refused",
     .setup =
         "s libs96 96\n"
         "f .pyshim.json {\"python\": \"3.96t\", \"shared\": [\"libs96\"]}",
     .code = PYSHIM_EXIT_CONFIG,
     .err = "but this environment uses 'python3.96t'"},

    /* --- mode and PEP 668 ------------------------------------------------- */
    {.name = "PYSHIM_MODE=exec",
     .setup = "f .python-version 3.91\\n",
     .mode = "exec",
     .mode_why = "exec asked for by PYSHIM_MODE"},
    {.name = "PYSHIM_MODE=bogus",
     .setup = "f .python-version 3.91\\n",
     .mode = "bogus",
     .code = PYSHIM_EXIT_USAGE,
     .err = "PYSHIM_MODE='bogus' is not a mode"},
    {.name = "an env entry only the loader reads",
     .setup =
         "f .pyshim.json {\"python\": \"3.91\", \"env\": {\"LD_PRELOAD\": \"x\"}}\nt .pyshim.json",
     .mode_why = "LD_PRELOAD"},
    /* macOS framework builds (docs/macos.md): auto runs them through their
     * stub, which sets __PYVENV_LAUNCHER__; embed is still honoured */
    {.name = "auto: a framework build runs by exec",
     .setup = "f .python-version 3.89\\n",
     .exe = "%R/bin/python3.89",
     .mode_why = "auto: exec (a framework build"},
    {.name = "PYSHIM_MODE=embed: a framework build's library is loaded",
     .setup = "f .python-version 3.89\\n",
     .mode = "embed",
     .mode_why =
         "embed: embed '/Library/Frameworks/Python.framework/Versions/3.89/Python'"},
    {.name = "pip install into a distribution's python",
     .invoked = "pip",
     .args = "install x",
     .setup = "f .python-version 3.95\\n",
     .code = PYSHIM_EXIT_CONFIG,
     .err = "externally-managed-environment"},
    {.name = "pip install --user into a distribution's python",
     .invoked = "pip",
     .args = "install --user x",
     .setup = "f .python-version 3.95\\n",
     .kind = "base",
     .exe = "%R/bin/python3.95"},
};

static void test_resolve__table(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        run_case(&cases[i], (int)i);
}

/* apply_plan() builds the overlay the plan named, writes the hook, and a
 * second run finds both current and writes nothing. */
static void test_apply__overlay_then_warm(void **state)
{
    static const struct rcase c = {.name = "apply"};
    struct resolve_in in;
    struct plan p;
    struct err e = ERR_INIT;
    struct sv keep = SV_INIT, args = SV_INIT;
    char *proj = tu_path(root, "apply");
    struct sb before = SB_INIT, after = SB_INIT;
    char *text, *hook;

    (void)state;
    make_shared("alib", "92");
    tu_write(proj, ".pyshim.json",
             "{\"python\": \"3.92\", \"shared\": [\"alib\"]}");
    case_in(&c, proj, &in, &keep, &args);
    plan_init(&p);
    assert_int_equal(resolve(&in, &p, &e), 0);
    assert_int_equal(p.overlay_missing, 1);
    assert_null(p.hook_path);
    if (apply_plan(&p, &e) < 0)
        fail_msg("%s", e.msg);
    assert_true(venv_is_venv(p.env_dir));
    assert_non_null(p.hook_path);
    hook = tu_path(p.hook_site, HOOK_FILE);
    assert_string_equal(p.hook_path, hook);
    text = tu_read(hook);
    assert_non_null(text);
    assert_string_equal(text, p.hook.buf);
    free(text);
    assert_true(has_line(&p.trace.lines, "built overlay env"));
    plan_release(&p);

    /* warm: resolve finds it built, apply writes nothing */
    snapshot(root, &before);
    plan_init(&p);
    assert_int_equal(resolve(&in, &p, &e), 0);
    assert_int_equal(p.overlay_missing, 0);
    assert_string_equal(p.hook_path, hook);
    assert_int_equal(apply_plan(&p, &e), 0);
    assert_int_equal(p.hook_changed, 0);
    snapshot(root, &after);
    assert_string_equal(before.buf, after.buf);
    plan_release(&p);

    /* a stale hook is rewritten, once */
    tu_write("/", hook + 1, "stale\n");
    plan_init(&p);
    assert_int_equal(resolve(&in, &p, &e), 0);
    assert_int_equal(apply_plan(&p, &e), 0);
    assert_int_equal(p.hook_changed, 1);
    text = tu_read(hook);
    assert_string_equal(text, p.hook.buf);
    free(text);
    plan_release(&p);

    free(hook);
    free(proj);
    sv_release(&keep);
    sv_release(&args);
    sb_release(&before);
    sb_release(&after);
}

/* A venv's site-packages that leads out of the venv gets no hook. */
static void test_apply__site_leads_out(void **state)
{
    static const struct rcase c = {.name = "apply-out"};
    struct resolve_in in;
    struct plan p;
    struct err e = ERR_INIT;
    struct sv keep = SV_INIT, args = SV_INIT;
    char *proj = tu_path(root, "apply-out"), *site, *out;

    (void)state;
    make_shared("olib", "91");
    make_venv(proj, ".venv", "91");
    tu_write(proj, ".pyshim.json", "{\"shared\": [\"olib\"]}");
    site = tu_path(proj, ".venv/lib/python3.91/site-packages");
    tu_rmtree(site);
    tu_mkdir(root, "outside");
    out = tu_path(root, "outside");
    tu_symlink(out, "/", site + 1);
    case_in(&c, proj, &in, &keep, &args);
    plan_init(&p);
    assert_int_equal(resolve(&in, &p, &e), 0);
    assert_int_equal(trust_add_venv(data, p.env_dir, NULL), 0);
    plan_release(&p);
    plan_init(&p);
    assert_int_equal(resolve(&in, &p, &e), 0);
    assert_int_equal(apply_plan(&p, &e), -1);
    assert_int_equal(e.code, PYSHIM_EXIT_NOPERM);
    assert_non_null(strstr(e.msg, "leads out of the environment"));
    assert_false(tu_exists(out, HOOK_FILE));
    err_release(&e);
    plan_release(&p);
    free(site);
    free(out);
    free(proj);
    sv_release(&keep);
    sv_release(&args);
}

/* Where pyenv and uv keep their pythons: one rule (POSIX half; the
 * Windows half is in test_resolve_win.c). */
static void test_pick_install_dirs__posix(void **state)
{
    struct envvars v;
    struct pick_dirs d = PICK_DIRS_INIT;

    (void)state;
    memset(&v, 0, sizeof(v));
    pick_install_dirs(&v, "/h", &d);
    assert_string_equal(d.pyenv_root, "/h/.pyenv");
    assert_int_equal(d.pyenv_versions.nr, 1);
    assert_string_equal(d.pyenv_versions.v[0], "/h/.pyenv/versions");
    assert_int_equal(d.uv.nr, 1);
    assert_string_equal(d.uv.v[0], "/h/.local/share/uv/python");
    pick_dirs_release(&d);

    v.pyenv_root = "/pr";
    v.dirs.xdg_data_home = "/xdg";
    pick_install_dirs(&v, "/h", &d);
    assert_string_equal(d.pyenv_versions.v[0], "/pr/versions");
    assert_string_equal(d.uv.v[0], "/xdg/uv/python");
    pick_dirs_release(&d);

    v.pyenv_root = "relative"; /* ignored */
    v.uv_install_dir = "/uvd";
    v.appdata = "/appdata"; /* Windows only */
    pick_install_dirs(&v, NULL, &d);
    assert_null(d.pyenv_root);
    assert_int_equal(d.pyenv_versions.nr, 0);
    assert_int_equal(d.uv.nr, 1);
    assert_string_equal(d.uv.v[0], "/uvd");
    pick_dirs_release(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolve__table),
        cmocka_unit_test(test_apply__overlay_then_warm),
        cmocka_unit_test(test_apply__site_leads_out),
        cmocka_unit_test(test_pick_install_dirs__posix),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
