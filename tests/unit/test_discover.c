/* Unit tests for config/discover.h: walk-up discovery in a temp tree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/exitcode.h"
#include "config/discover.h"
#include "tests/unit/testutil.h"

static char *root;      /* the temp tree, a real path */
static int can_chown;   /* running as root: "another user" is testable */
static int clean_above; /* no marker in root's parents */

/*
 * The tree the table walks in. Paths are relative to root.
 */
static void build_tree(void)
{
    char *p;

    tu_write(root, "cfgproj/.pyshim.json", "{\"python\": \"3.11\"}\n");
    tu_mkdir(root, "cfgproj/a/b");
    tu_write(root, "cfgproj/inner/.python-version", "# pinned\n3.9\n");
    tu_mkdir(root, "cfgproj/inner/x");

    tu_write(root, "venvproj/.venv/pyvenv.cfg", "home = /usr/bin\n");
    tu_mkdir(root, "venvproj/src");
    tu_mkdir(root, "dirvenv/.venv/pyvenv.cfg"); /* not a file: no marker */
    tu_write(root, "dirvenv/sub/.python-version", "3.7");

    tu_write(root, "pvproj/.python-version", "3.10\n");

    tu_write(root, "both/.pyshim.json", "{\"venv\": \".venv\"}");
    tu_write(root, "both/.venv/pyvenv.cfg", "home = /usr/bin\n");
    tu_write(root, "both/.python-version", "3.13");

    tu_write(root, "scripts/.pyshim.json", "{\"python\": \"3.12\"}");
    tu_write(root, "scripts/tool/run.py", "print(1)\n");
    tu_write(root, "plain/run.py", "print(2)\n");
    tu_symlink("../scripts/tool/run.py", root, "plain/link.py");

    tu_write(root, "global.json", "{\"python\": \"3.8\"}");
    tu_write(root, "badglobal.json", "{\"pythn\": \"3.8\"}");

    /* unsafe configs, inside cfgproj so the walk goes on to it */
    tu_write_bytes(root, "cfgproj/unsafe/.pyshim.json", "{}", 2, 0666);
    tu_write(root, "cfgproj/wdir/.pyshim.json", "{}");
    p = tu_path(root, "cfgproj/wdir");
    assert_int_equal(chmod(p, 0777), 0);
    free(p);
    tu_write(root, "cfgproj/other/.pyshim.json", "{}");
    p = tu_path(root, "cfgproj/other/.pyshim.json");
    can_chown = geteuid() == 0 && chown(p, 4242, 4242) == 0;
    free(p);
    /* a FIFO is never read (never waited on); a link someone else made
     * to a config of ours is theirs */
    tu_mkdir(root, "cfgproj/fifo");
    p = tu_path(root, "cfgproj/fifo/.pyshim.json");
    assert_int_equal(mkfifo(p, 0644), 0);
    free(p);
    tu_symlink("../.pyshim.json", root, "cfgproj/lnk/.pyshim.json");
    p = tu_path(root, "cfgproj/lnk/.pyshim.json");
    if (can_chown)
        can_chown = lchown(p, 4242, 4242) == 0;
    free(p);
    /* unsafe config beside a usable marker: the marker still counts */
    tu_write_bytes(root, "unsafe2/.pyshim.json", "{}", 2, 0646);
    tu_write(root, "unsafe2/.python-version", "3.8");

    tu_mkdir(root, "isdir/.pyshim.json");
    tu_symlink(".pyshim.json", root, "loop/.pyshim.json");
    tu_write(root, "badjson/.pyshim.json", "{\n  \"python\": \"3.12\",\n}");
    tu_write(root, "badpv/.python-version", "\n# nothing\n");
    tu_mkdir(root, "plain/deep/er");
}

static int has_marker(const char *dir)
{
    static const char *const names[] = {".pyshim.json", ".venv/pyvenv.cfg",
                                        ".python-version", NULL};
    char buf[4096];
    struct stat st;
    int i;

    for (i = 0; names[i]; i++) {
        snprintf(buf, sizeof(buf), "%s/%s", strcmp(dir, "/") ? dir : "",
                 names[i]);
        if (!stat(buf, &st))
            return 1;
    }
    return 0;
}

static int setup(void **state)
{
    char *dir, *slash;

    (void)state;
    root = tu_mkdtemp();
    build_tree();
    /* A marker above the temp dir (a stray /tmp/.python-version) would
     * turn "nothing found" into a find: those cases then skip. */
    clean_above = 1;
    dir = strdup(root);
    assert_non_null(dir);
    while ((slash = strrchr(dir, '/'))) {
        if (slash == dir) {
            clean_above &= !has_marker("/");
            break;
        }
        *slash = '\0';
        clean_above &= !has_marker(dir);
    }
    free(dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_cleanup(root);
    root = NULL;
    return 0;
}

/* root/rel, or NULL for NULL; absolute rel is kept. */
static char *abs_of(const char *rel)
{
    if (!rel)
        return NULL;
    if (rel[0] == '/' || !strcmp(rel, "-") || !strncmp(rel, "../", 3) ||
        !strncmp(rel, "rel:", 4))
        return strdup(rel[0] == 'r' ? rel + 4 : rel);
    return tu_path(root, rel);
}

struct dcase {
    const char *name;
    const char *env_project, *script, *cwd, *global; /* relative to root */
    int ret;
    enum proj_kind kind;
    const char *proj_root; /* relative to root */
    const char *start;
    const char *python; /* cfg.python */
    const char *pyversion;
    int venv_marker; /* proj_root/.venv expected */
    const char *global_python;
    const char *skipped; /* substring of skipped[0] */
    const char *err;     /* substring of the message */
    const char *hint;
    int code;
    int needs_clean_above, needs_chown;
};

static const struct dcase cases[] = {
    {"config in cwd", NULL, NULL, "cfgproj", NULL, 0, PROJ_CONFIG, "cfgproj",
     "cwd", "3.11", NULL, 0, NULL, NULL, NULL, NULL, 0, 0, 0},
    {"config found walking up", NULL, NULL, "cfgproj/a/b", NULL, 0, PROJ_CONFIG,
     "cfgproj", "cwd", "3.11", NULL, 0, NULL, NULL, NULL, NULL, 0, 0, 0},
    {"cwd is normalized", NULL, NULL, "cfgproj/a/../a/./b/", NULL, 0,
     PROJ_CONFIG, "cfgproj", "cwd", "3.11", NULL, 0, NULL, NULL, NULL, NULL, 0,
     0, 0},
    {"nearest marker wins over a config above", NULL, NULL, "cfgproj/inner/x",
     NULL, 0, PROJ_MARKERS, "cfgproj/inner", "cwd", NULL, "3.9", 0, NULL, NULL,
     NULL, NULL, 0, 0, 0},
    {"venv marker", NULL, NULL, "venvproj/src", NULL, 0, PROJ_MARKERS,
     "venvproj", "cwd", NULL, NULL, 1, NULL, NULL, NULL, NULL, 0, 0, 0},
    {"pyvenv.cfg that is a directory is no marker", NULL, NULL, "dirvenv/sub",
     NULL, 0, PROJ_MARKERS, "dirvenv/sub", "cwd", NULL, "3.7", 0, NULL, NULL,
     NULL, NULL, 0, 0, 0},
    {"python-version", NULL, NULL, "pvproj", NULL, 0, PROJ_MARKERS, "pvproj",
     "cwd", NULL, "3.10", 0, NULL, NULL, NULL, NULL, 0, 0, 0},
    {"config, venv and python-version together", NULL, NULL, "both", NULL, 0,
     PROJ_CONFIG, "both", "cwd", NULL, "3.13", 1, NULL, NULL, NULL, NULL, 0, 0,
     0},
    {"script dir before cwd", NULL, "../scripts/tool/run.py", "pvproj", NULL, 0,
     PROJ_CONFIG, "scripts", "script", "3.12", NULL, 0, NULL, NULL, NULL, NULL,
     0, 0, 0},
    {"absolute script", NULL, "scripts/tool/run.py", "venvproj", NULL, 0,
     PROJ_CONFIG, "scripts", "script", "3.12", NULL, 0, NULL, NULL, NULL, NULL,
     0, 0, 0},
    {"script through a symlink uses its real dir", NULL, "rel:link.py", "plain",
     NULL, 0, PROJ_CONFIG, "scripts", "script", "3.12", NULL, 0, NULL, NULL,
     NULL, NULL, 0, 0, 0},
    {"script dir given as a directory", NULL, "scripts/tool", "pvproj", NULL, 0,
     PROJ_CONFIG, "scripts", "script", "3.12", NULL, 0, NULL, NULL, NULL, NULL,
     0, 0, 0},
    {"script outside any project falls back to cwd", NULL, "plain/run.py",
     "pvproj", NULL, 0, PROJ_MARKERS, "pvproj", "cwd", NULL, "3.10", 0, NULL,
     NULL, NULL, NULL, 0, 1, 0},
    {"missing script falls back to cwd", NULL, "rel:nope.py", "venvproj", NULL,
     0, PROJ_MARKERS, "venvproj", "cwd", NULL, NULL, 1, NULL, NULL, NULL, NULL,
     0, 0, 0},
    {"script '-' is stdin", NULL, "-", "pvproj", NULL, 0, PROJ_MARKERS,
     "pvproj", "cwd", NULL, "3.10", 0, NULL, NULL, NULL, NULL, 0, 0, 0},
    {"PYSHIM_PROJECT", "venvproj", NULL, "cfgproj", NULL, 0, PROJ_MARKERS,
     "venvproj", "PYSHIM_PROJECT", NULL, NULL, 1, NULL, NULL, NULL, NULL, 0, 0,
     0},
    {"PYSHIM_PROJECT relative to cwd", "../pvproj", NULL, "cfgproj", NULL, 0,
     PROJ_MARKERS, "pvproj", "PYSHIM_PROJECT", NULL, "3.10", 0, NULL, NULL,
     NULL, NULL, 0, 0, 0},
    {"PYSHIM_PROJECT walks up", "cfgproj/a", NULL, "pvproj", NULL, 0,
     PROJ_CONFIG, "cfgproj", "PYSHIM_PROJECT", "3.11", NULL, 0, NULL, NULL,
     NULL, NULL, 0, 0, 0},
    {"PYSHIM_PROJECT beats the script", "pvproj", "scripts/tool/run.py",
     "cfgproj", NULL, 0, PROJ_MARKERS, "pvproj", "PYSHIM_PROJECT", NULL, "3.10",
     0, NULL, NULL, NULL, NULL, 0, 0, 0},
    {"empty PYSHIM_PROJECT is unset", "rel:", NULL, "pvproj", NULL, 0,
     PROJ_MARKERS, "pvproj", "cwd", NULL, "3.10", 0, NULL, NULL, NULL, NULL, 0,
     0, 0},
    {"PYSHIM_PROJECT not a directory", "nowhere", NULL, "cfgproj", NULL, -1,
     PROJ_NONE, NULL, NULL, NULL, NULL, 0, NULL, NULL, "is not a directory",
     "kernel", PYSHIM_EXIT_NOINPUT, 0, 0},
    {"PYSHIM_PROJECT holding no project", "plain/deep", NULL, "cfgproj", NULL,
     -1, PROJ_NONE, NULL, NULL, NULL, NULL, 0, NULL, NULL, "holds no project",
     "pyshim init", PYSHIM_EXIT_NOINPUT, 1, 0},
    {"nothing found", NULL, NULL, "plain/deep/er", NULL, 0, PROJ_NONE, NULL,
     NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, 0, 1, 0},
    {"global config when nothing found", NULL, NULL, "plain", "global.json", 0,
     PROJ_GLOBAL, NULL, NULL, NULL, NULL, 0, "3.8", NULL, NULL, NULL, 0, 1, 0},
    {"missing global config", NULL, NULL, "plain", "nothere.json", 0, PROJ_NONE,
     NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, 0, 1, 0},
    {"global config kept beside a project", NULL, NULL, "cfgproj",
     "global.json", 0, PROJ_CONFIG, "cfgproj", "cwd", "3.11", NULL, 0, "3.8",
     NULL, NULL, NULL, 0, 0, 0},
    {"broken global config", NULL, NULL, "plain", "badglobal.json", -1,
     PROJ_NONE, NULL, NULL, NULL, NULL, 0, NULL, NULL,
     "badglobal.json:1:2: unknown key 'pythn'", "\"python\"",
     PYSHIM_EXIT_CONFIG, 0, 0},
    {"world-writable config is skipped", NULL, NULL, "cfgproj/unsafe", NULL, 0,
     PROJ_CONFIG, "cfgproj", "cwd", "3.11", NULL, 0, NULL,
     "cfgproj/unsafe/.pyshim.json: it is writable by every user", NULL, NULL, 0,
     0, 0},
    {"config in a world-writable dir is skipped", NULL, NULL, "cfgproj/wdir",
     NULL, 0, PROJ_CONFIG, "cfgproj", "cwd", "3.11", NULL, 0, NULL,
     "cfgproj/wdir/.pyshim.json: its directory is writable by every user", NULL,
     NULL, 0, 0, 0},
    {"config of another user is skipped", NULL, NULL, "cfgproj/other", NULL, 0,
     PROJ_CONFIG, "cfgproj", "cwd", "3.11", NULL, 0, NULL,
     "cfgproj/other/.pyshim.json: it is owned by another user", NULL, NULL, 0,
     0, 1},
    {"config that is a FIFO is skipped", NULL, NULL, "cfgproj/fifo", NULL, 0,
     PROJ_CONFIG, "cfgproj", "cwd", "3.11", NULL, 0, NULL,
     "cfgproj/fifo/.pyshim.json: it is not a regular file", NULL, NULL, 0, 0,
     0},
    {"config linked by another user is skipped", NULL, NULL, "cfgproj/lnk",
     NULL, 0, PROJ_CONFIG, "cfgproj", "cwd", "3.11", NULL, 0, NULL,
     "cfgproj/lnk/.pyshim.json: it is a symbolic link made by another user",
     NULL, NULL, 0, 0, 1},
    {"skipped config beside a marker", NULL, NULL, "unsafe2", NULL, 0,
     PROJ_MARKERS, "unsafe2", "cwd", NULL, "3.8", 0, NULL,
     "unsafe2/.pyshim.json: it is writable by every user", NULL, NULL, 0, 0, 0},
    {"config that is a directory", NULL, NULL, "isdir", NULL, -1, PROJ_NONE,
     NULL, NULL, NULL, NULL, 0, NULL, NULL, "isdir/.pyshim.json",
     "remove or rename the directory", PYSHIM_EXIT_CONFIG, 0, 0},
    {"config that is a symlink loop", NULL, NULL, "loop", NULL, -1, PROJ_NONE,
     NULL, NULL, NULL, NULL, 0, NULL, NULL, "loop/.pyshim.json",
     "symbolic link loop", PYSHIM_EXIT_CONFIG, 0, 0},
    {"malformed config", NULL, NULL, "badjson", NULL, -1, PROJ_NONE, NULL, NULL,
     NULL, NULL, 0, NULL, NULL, "badjson/.pyshim.json:3:1: malformed",
     "trailing commas", PYSHIM_EXIT_CONFIG, 0, 0},
    {"python-version naming nothing", NULL, NULL, "badpv", NULL, -1, PROJ_NONE,
     NULL, NULL, NULL, NULL, 0, NULL, NULL,
     "badpv/.python-version: the file names no version", NULL,
     PYSHIM_EXIT_CONFIG, 0, 0},
};

static void check_case(const struct dcase *c)
{
    struct discover_in in = {0};
    struct project p = PROJECT_INIT;
    struct trace t = TRACE_INIT;
    struct err e = ERR_INIT;
    char *env_project = NULL, *script = NULL, *cwd, *global = NULL, *want;
    int ret;

    t.enabled = 1;
    if (c->env_project)
        env_project = !strncmp(c->env_project, "../", 3) ||
                              !strncmp(c->env_project, "rel:", 4)
                          ? abs_of(c->env_project)
                          : tu_path(root, c->env_project);
    script = abs_of(c->script);
    cwd = tu_path(root, c->cwd);
    if (c->global)
        global = tu_path(root, c->global);
    in.env_project = env_project;
    in.script = script;
    in.cwd = cwd;
    in.home = "/home/nobody";
    in.global_file = global;

    ret = discover_project(&in, &p, &t, &e);
    TU_INT_EQ(c->name, ret, c->ret);
    if (ret < 0) {
        TU_CONTAINS(c->name, e.msg, c->err);
        if (c->hint)
            TU_CONTAINS(c->name, e.hint, c->hint);
        TU_INT_EQ(c->name, e.code, c->code);
        goto out;
    }
    if (e.msg)
        fail_msg("case '%s': error set on success: %s", c->name, e.msg);
    TU_INT_EQ(c->name, p.kind, c->kind);
    if (c->proj_root) {
        want = tu_path(root, c->proj_root);
        TU_STR_EQ(c->name, p.root, want);
        free(want);
    } else if (p.root) {
        fail_msg("case '%s': root '%s', want none", c->name, p.root);
    }
    if (c->start)
        TU_STR_EQ(c->name, p.start, c->start);
    else if (p.start)
        fail_msg("case '%s': start '%s', want none", c->name, p.start);
    if (c->kind == PROJ_CONFIG) {
        want = tu_path(p.root, ".pyshim.json");
        TU_STR_EQ(c->name, p.cfg.file, want);
        free(want);
    } else if (p.cfg.file) {
        fail_msg("case '%s': config '%s', want none", c->name, p.cfg.file);
    }
    if (c->python)
        TU_STR_EQ(c->name, p.cfg.python, c->python);
    else if (p.cfg.python)
        fail_msg("case '%s': python '%s', want none", c->name, p.cfg.python);
    if (c->pyversion) {
        TU_STR_EQ(c->name, p.pyversion, c->pyversion);
        want = tu_path(p.root, ".python-version");
        TU_STR_EQ(c->name, p.pyversion_file, want);
        free(want);
    } else if (p.pyversion || p.pyversion_file) {
        fail_msg("case '%s': python-version '%s', want none", c->name,
                 p.pyversion);
    }
    if (c->venv_marker) {
        want = tu_path(p.root, ".venv");
        TU_STR_EQ(c->name, p.venv_marker, want);
        free(want);
    } else if (p.venv_marker) {
        fail_msg("case '%s': venv marker '%s', want none", c->name,
                 p.venv_marker);
    }
    if (c->global_python) {
        TU_STR_EQ(c->name, p.global.file, global);
        TU_STR_EQ(c->name, p.global.python, c->global_python);
    } else if (p.global.file) {
        fail_msg("case '%s': global '%s', want none", c->name, p.global.file);
    }
    if (c->skipped) {
        TU_INT_EQ(c->name, p.skipped.nr, 1);
        TU_CONTAINS(c->name, p.skipped.v[0], root);
        TU_CONTAINS(c->name, p.skipped.v[0], c->skipped);
        /* and the trace says so */
        {
            const char *why = strstr(c->skipped, ": ") + 2;
            size_t i;
            int seen = 0;

            for (i = 0; i < t.lines.nr; i++)
                seen |= strstr(t.lines.v[i], "skipped") &&
                        strstr(t.lines.v[i], why) != NULL;
            if (!seen)
                fail_msg("case '%s': the trace does not record the skip",
                         c->name);
        }
    } else {
        TU_INT_EQ(c->name, p.skipped.nr, 0);
    }
    if (!t.lines.nr)
        fail_msg("case '%s': no trace", c->name);
out:
    project_release(&p);
    trace_release(&t);
    err_release(&e);
    free(env_project);
    free(script);
    free(cwd);
    free(global);
}

static void test_discover_project__table(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        if (cases[i].needs_clean_above && !clean_above) {
            print_message("skipping '%s': a marker lies above '%s'\n",
                          cases[i].name, root);
            continue;
        }
        if (cases[i].needs_chown && !can_chown) {
            print_message("skipping '%s': cannot chown as this user\n",
                          cases[i].name);
            continue;
        }
        check_case(&cases[i]);
    }
}

static void test_discover_project__cwd_from_os(void **state)
{
    struct discover_in in = {0};
    struct project p = PROJECT_INIT;
    struct err e = ERR_INIT;
    char *old = getcwd(NULL, 0), *dir = tu_path(root, "cfgproj/a/b");
    char *want = tu_path(root, "cfgproj");
    int ret;

    (void)state;
    assert_non_null(old);
    assert_int_equal(chdir(dir), 0);
    ret = discover_project(&in, &p, NULL, &e);
    assert_int_equal(chdir(old), 0);
    assert_int_equal(ret, 0);
    assert_int_equal(p.kind, PROJ_CONFIG);
    assert_string_equal(p.root, want);
    assert_string_equal(p.start, "cwd");
    project_release(&p);
    free(old);
    free(dir);
    free(want);
}

static void test_discover_project__tilde_project(void **state)
{
    struct discover_in in = {0};
    struct project p = PROJECT_INIT;
    struct err e = ERR_INIT;
    char *want = tu_path(root, "pvproj");

    (void)state;
    /* PYSHIM_PROJECT="~/pvproj" with home = root */
    in.env_project = "~/pvproj";
    in.cwd = "/";
    in.home = root;
    assert_int_equal(discover_project(&in, &p, NULL, &e), 0);
    assert_string_equal(p.root, want);
    assert_string_equal(p.pyversion, "3.10");
    project_release(&p);
    free(want);
}

static void test_project_kind_name__all(void **state)
{
    (void)state;
    assert_string_equal(project_kind_name(PROJ_NONE), "none");
    assert_string_equal(project_kind_name(PROJ_CONFIG), "config");
    assert_string_equal(project_kind_name(PROJ_MARKERS), "markers");
    assert_string_equal(project_kind_name(PROJ_GLOBAL), "global");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_discover_project__table),
        cmocka_unit_test(test_discover_project__cwd_from_os),
        cmocka_unit_test(test_discover_project__tilde_project),
        cmocka_unit_test(test_project_kind_name__all),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
