/*
 * Unit tests for launcher/interp.h, in a fake tree:
 *
 *   bin1/python3.91            script that answers the facts probe: 3.91.7
 *   bin1/python3.92  -> pyenv/versions/3.92.1/bin/python3.92
 *   bin1/python3.91-config, bin1/python3, bin1/pythonfoo   (not listed)
 *   bin2/python3.91            3.91.2
 *   bin2/python3.98            hard link to the shim       (not listed)
 *   bin3/python3.91            a non-script executable (for interp_which)
 *   shimdir/python             "the shim"; shimdir/python3.93 (not listed)
 *   pyenv/shims/python3.94                                 (not listed)
 *   pyenv/versions/{3.91.4,3.92.1,3.92.10}/bin/python3.9N
 *   pyenv/versions/3.95.0t/bin/python3.95t   free-threaded (ft 1)
 *   pyenv/versions/myenv/bin/python
 *   uv/cpython-3.96.3-linux-x86_64-gnu/bin/python3.96
 *   uv/cpython-3.96.4+freethreaded-linux-x86_64-gnu/bin/python3.96t (ft 1)
 *   bin1/python3.99            a "#!" script               (not listed)
 *   bin2/python3.89            another pyshim build        (never picked)
 *
 * Minor versions 3.91 and up exist nowhere else, so the system's own
 * interpreters (always scanned) cannot match a request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/exitcode.h"
#include "common/mark.h"
#include "launcher/interp.h"
#include "tests/unit/testutil.h"

static char *root;

/* Another pyshim build: a native program holding the mark (a version of
 * pyshim that is not this one: other bytes, another size). */
#define OTHER_PYSHIM                                                           \
    "\x7f"                                                                     \
    "ELF\2\1\1 some other build pyshim-binary-mark:"                           \
    "bee71685de43fb6594ea46ef51119f68 and more"
static char *path_var;

/* A "#!" script that answers the facts probe with version ver and counts
 * its runs in root/runs: what a real python is not. */
static void fake_script(const char *rel, const char *ver)
{
    char text[1024];

    snprintf(
        text, sizeof(text),
        "#!/bin/sh\necho run >> '%s/runs'\n"
        "echo '{\"version\": \"%s\", \"impl\": \"cpython\", \"abiflags\": \"\", \"libpython\": \"\", \"prefix\": \"/fake\", \"ext_managed\": false}'\n",
        root, ver);
    tu_write_bytes(root, rel, text, strlen(text), 0755);
}

/* A fake python: a native program (a copy of fakepy_posix) that runs the
 * script fake_script writes beside it as rel.sh. */
static void fake(const char *rel, const char *ver)
{
    static char *prog;
    static size_t len;
    char *sh = malloc(strlen(rel) + 4);

    if (!prog) {
        prog = tu_read_bytes(FAKEPY_POSIX, &len);
        assert_non_null(prog);
        assert_true(len > 0);
    }
    assert_non_null(sh);
    snprintf(sh, strlen(rel) + 4, "%s.sh", rel);
    fake_script(sh, ver);
    free(sh);
    tu_write_bytes(root, rel, prog, len, 0755);
}

static int setup(void **state)
{
    char *a, *b;
    size_t n;

    (void)state;
    root = tu_mkdtemp();
    fake("bin1/python3.91", "3.91.7");
    fake("bin1/python3.91-config", "3.91.7");
    fake("bin1/python3", "3.91.7");
    fake("bin1/pythonfoo", "3.91.7");
    fake("bin2/python3.91", "3.91.2");
    tu_write_bytes(root, "bin3/python3.91",
                   "\x7f"
                   "ELF",
                   4, 0755);
    fake("shimdir/python", "0.0.0");
    fake("shimdir/python3.93", "3.93.0");
    fake("pyenv/shims/python3.94", "3.94.0");
    fake("pyenv/versions/3.91.4/bin/python3.91", "3.91.4");
    fake("pyenv/versions/3.92.1/bin/python3.92", "3.92.1");
    fake("pyenv/versions/3.92.10/bin/python3.92", "3.92.10");
    fake("pyenv/versions/3.95.0t/bin/python3.95t", "3.95.0");
    fake("pyenv/versions/myenv/bin/python", "3.91.4");
    fake("uv/cpython-3.96.3-linux-x86_64-gnu/bin/python3.96", "3.96.3");
    fake("uv/cpython-3.96.4+freethreaded-linux-x86_64-gnu/bin/python3.96t",
         "3.96.4");
    fake_script("bin1/python3.99", "3.99.0");
    tu_write_bytes(root, "bin2/python3.89", OTHER_PYSHIM,
                   sizeof(OTHER_PYSHIM) - 1, 0755);
    a = tu_path(root, "pyenv/versions/3.92.1/bin/python3.92");
    tu_symlink(a, root, "bin1/python3.92");
    free(a);
    a = tu_path(root, "shimdir/python");
    b = tu_path(root, "bin2/python3.98");
    assert_int_equal(link(a, b), 0);
    free(a);
    free(b);
    tu_mkdir(root, "cache");

    n = 8 * strlen(root) + 200;
    path_var = malloc(n);
    assert_non_null(path_var);
    snprintf(path_var, n,
             "%s/shimdir:relbin::%s/bin1:%s/pyenv/shims:%s/bin2:%s/nonexistent",
             root, root, root, root, root);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_cleanup(root);
    free(path_var);
    return 0;
}

static struct sv one_pyenv = SV_INIT, one_uv = SV_INIT;

/* The environment of the fake tree (strings owned by *keep). */
static struct interp_env fake_env(struct sv *keep)
{
    struct interp_env env = {0};
    struct stat st;
    char *shim = tu_path(root, "shimdir/python");

    assert_int_equal(stat(shim, &st), 0);
    free(shim);
    sv_push_nodup(keep, tu_path(root, "pyenv"));
    sv_push_nodup(keep, tu_path(root, "uv"));
    sv_push_nodup(keep, tu_path(root, "cache"));
    env.path = path_var;
    env.pyenv_root = keep->v[0];
    /* where launcher/pick.h's rule puts them for this root and uv dir */
    sv_push_nodup(keep, tu_path(root, "pyenv/versions"));
    sv_release(&one_pyenv);
    sv_release(&one_uv);
    sv_push(&one_pyenv, keep->v[3]);
    sv_push(&one_uv, keep->v[1]);
    env.pyenv_versions = &one_pyenv;
    env.uv_dirs = &one_uv;
    env.cache_dir = keep->v[2];
    env.self_dev = (uint64_t)st.st_dev;
    env.self_ino = (uint64_t)st.st_ino;
    return env;
}

/* The entry whose path is root/rel, or NULL. */
static struct interp *find(struct interp_list *l, const char *rel)
{
    char *p = tu_path(root, rel);
    size_t i;

    for (i = 0; i < l->nr; i++)
        if (!strcmp(l->v[i].path, p)) {
            free(p);
            return &l->v[i];
        }
    free(p);
    return NULL;
}

static long index_of(struct interp_list *l, struct interp *it)
{
    return it ? (long)(it - l->v) : -1;
}

static int runs(void)
{
    char *p = tu_path(root, "runs"), *text = tu_read(p);
    int n = 0;
    const char *s;

    for (s = text; s && (s = strstr(s, "run")); s += 3)
        n++;
    free(text);
    free(p);
    return n;
}

static void test_interp_discover__sources(void **state)
{
    struct sv keep = SV_INIT;
    struct interp_env env = fake_env(&keep);
    struct interp_list l = INTERP_LIST_INIT;
    struct trace t = TRACE_INIT;
    struct interp *it, *p1, *p2, *pe, *uv;
    size_t i;
    int saw_shim = 0, saw_pyenv_shims = 0;

    (void)state;
    t.enabled = 1;
    interp_discover(&l, &env, &t);

    p1 = it = find(&l, "bin1/python3.91");
    assert_non_null(it);
    assert_string_equal(it->origin, "PATH");
    assert_int_equal(it->ver.major, 3);
    assert_int_equal(it->ver.minor, 91);
    assert_int_equal(it->ver.micro, -1); /* not known from the name */
    assert_null(it->name);

    p2 = find(&l, "bin2/python3.91");
    assert_non_null(p2);
    assert_true(index_of(&l, p1) < index_of(&l, p2)); /* PATH order */

    /* the link in bin1 and its target are one interpreter, listed where
     * first found, with the micro learned from pyenv's name */
    it = find(&l, "bin1/python3.92");
    assert_non_null(it);
    assert_string_equal(it->origin, "PATH");
    assert_int_equal(it->ver.micro, 1);
    assert_null(find(&l, "pyenv/versions/3.92.1/bin/python3.92"));

    pe = find(&l, "pyenv/versions/3.92.10/bin/python3.92");
    assert_non_null(pe);
    assert_string_equal(pe->origin, "pyenv");
    assert_string_equal(pe->name, "3.92.10");
    assert_int_equal(pe->ver.minor, 92);
    assert_int_equal(pe->ver.micro, 10);
    assert_true(index_of(&l, p2) < index_of(&l, pe));
    it = find(&l, "pyenv/versions/3.91.4/bin/python3.91");
    assert_non_null(it);
    assert_int_equal(it->ver.micro, 4);

    it = find(&l, "pyenv/versions/myenv/bin/python");
    assert_non_null(it);
    assert_string_equal(it->name, "myenv");
    assert_int_equal(it->ver.major, -1);

    uv = find(&l, "uv/cpython-3.96.3-linux-x86_64-gnu/bin/python3.96");
    assert_non_null(uv);
    assert_string_equal(uv->origin, "uv");
    assert_string_equal(uv->name, "cpython-3.96.3-linux-x86_64-gnu");
    assert_int_equal(uv->ver.micro, 3);
    assert_true(index_of(&l, pe) < index_of(&l, uv));

    /* what must not be listed */
    assert_null(find(&l, "shimdir/python3.93"));
    assert_null(find(&l, "shimdir/python"));
    assert_null(find(&l, "pyenv/shims/python3.94"));
    assert_null(find(&l, "bin2/python3.98")); /* the shim, hard-linked */
    assert_null(find(&l, "bin1/python3.91-config"));
    assert_null(find(&l, "bin1/python3"));
    assert_null(find(&l, "bin1/pythonfoo"));
    assert_null(find(&l, "bin1/python3.99")); /* a "#!" script */
    /* free-threaded builds are listed as such (issue 13 item 6) */
    it = find(&l, "pyenv/versions/3.95.0t/bin/python3.95t");
    assert_non_null(it);
    assert_int_equal(it->ft, 1);
    assert_int_equal(it->ver.micro, 0);
    it = find(&l, "uv/cpython-3.96.4+freethreaded-linux-x86_64-gnu/bin/"
                  "python3.96t");
    assert_non_null(it);
    assert_int_equal(it->ft, 1);
    assert_int_equal(it->ver.micro, 4);
    assert_int_equal(uv->ft, 0);
    for (i = 0; i < l.nr; i++) {
        if (l.v[i].ver.minor == 93 || l.v[i].ver.minor == 94 ||
            l.v[i].ver.minor == 98)
            fail_msg("listed '%s'", l.v[i].path);
    }
    /* the same file never twice */
    for (i = 0; i < l.nr; i++) {
        size_t j;

        for (j = i + 1; j < l.nr; j++)
            if (l.v[i].dev == l.v[j].dev && l.v[i].ino == l.v[j].ino)
                fail_msg("'%s' and '%s' are one file", l.v[i].path,
                         l.v[j].path);
    }
    for (i = 0; i < t.lines.nr; i++) {
        saw_shim |= strstr(t.lines.v[i], "shimdir") &&
                    strstr(t.lines.v[i], "holds the shim");
        saw_pyenv_shims |= strstr(t.lines.v[i], "pyenv/shims") &&
                           strstr(t.lines.v[i], "pyenv's shims");
    }
    assert_true(saw_shim);
    assert_true(saw_pyenv_shims);
    assert_int_equal(runs(), 0); /* discovery runs nothing */

    interp_list_release(&l);
    trace_release(&t);
    sv_release(&keep);
}

static void test_interp_discover__relative_path_entries_ignored(void **state)
{
    struct sv keep = SV_INIT;
    struct interp_env env = fake_env(&keep);
    struct interp_list l = INTERP_LIST_INIT;
    char *old = getcwd(NULL, 0);
    size_t i;

    (void)state;
    assert_non_null(old);
    fake("relbin/python3.97", "3.97.0");
    fake("python3.97", "3.97.0"); /* for the empty entry (= cwd) */
    assert_int_equal(chdir(root), 0);
    interp_discover(&l, &env, NULL);
    assert_int_equal(chdir(old), 0);
    for (i = 0; i < l.nr; i++)
        if (l.v[i].ver.minor == 97)
            fail_msg("relative PATH entry searched: '%s'", l.v[i].path);
    assert_non_null(find(&l, "bin1/python3.91"));
    interp_list_release(&l);
    sv_release(&keep);
    free(old);
}

static void test_interp_pick__table(void **state)
{
    static const struct {
        const char *req;
        const char *want; /* relative to root; NULL: an error */
        int micro;
    } cases[] = {
        {"3.92", "pyenv/versions/3.92.10/bin/python3.92", 10},
        {"3.92.1", "bin1/python3.92", 1},
        {"3.92.10", "pyenv/versions/3.92.10/bin/python3.92", 10},
        {"3.96", "uv/cpython-3.96.3-linux-x86_64-gnu/bin/python3.96", 3},
        {"3.91", "bin1/python3.91", 7},
        {"3.91.4", "pyenv/versions/3.91.4/bin/python3.91", 4},
        {"3.91.2", "bin2/python3.91", 2},
        {"3.91.7", "bin1/python3.91", 7},
        {"3", "uv/cpython-3.96.3-linux-x86_64-gnu/bin/python3.96", 3},
        {"3.91.5", NULL, 0},
        {"3.93", NULL, 0},
        {"3.94", NULL, 0},
        {"3.98", NULL, 0},
        {"3.99", NULL, 0}, /* only a "#!" script has that name */
        {"3.89", NULL, 0}, /* only another pyshim build has it */
        {"4", NULL, 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct sv keep = SV_INIT;
        struct interp_env env = fake_env(&keep);
        struct interp_list l = INTERP_LIST_INIT;
        struct interp *it = NULL;
        struct err e = ERR_INIT;
        struct pyver req;
        const char *name = cases[i].req;
        int ret;

        interp_discover(&l, &env, NULL);
        assert_int_equal(pyver_parse(name, &req, 0), 0);
        ret = interp_pick(&l, &req, name, &env, &it, NULL, &e);
        if (cases[i].want) {
            char *want = tu_path(root, cases[i].want);

            if (ret < 0)
                fail_msg("case '%s': %s", name, e.msg);
            TU_STR_EQ(name, it->path, want);
            TU_INT_EQ(name, it->ver.micro, cases[i].micro);
            free(want);
        } else {
            TU_INT_EQ(name, ret, -1);
            TU_INT_EQ(name, e.code, PYSHIM_EXIT_NOTFOUND);
            TU_CONTAINS(name, e.msg, "no installed interpreter matches");
            TU_CONTAINS(name, e.msg, name);
            /* the message lists what is installed */
            TU_CONTAINS(name, e.msg, "3.92.10 (");
            TU_CONTAINS(name, e.msg, "pyenv/versions/3.92.10/bin/python3.92");
            TU_CONTAINS(name, e.msg, "3.91.4 (");
            TU_CONTAINS(name, e.hint, name);
            /* a pyshim build found out is not offered as a python */
            if (!strcmp(name, "3.89") && strstr(e.msg, "python3.89"))
                fail_msg("case '%s' lists the other pyshim: %s", name, e.msg);
        }
        interp_list_release(&l);
        err_release(&e);
        sv_release(&keep);
    }
}

static void test_interp_pick__facts_cached(void **state)
{
    struct sv keep = SV_INIT;
    struct interp_env env = fake_env(&keep);
    struct interp_list l = INTERP_LIST_INIT;
    struct interp *it = NULL;
    struct pyver req = {3, 91, -1};
    int before;
    char *dir;

    (void)state;
    /* after the table above, both PATH copies were probed once */
    interp_discover(&l, &env, NULL);
    before = runs();
    assert_true(before >= 2);
    assert_int_equal(interp_pick(&l, &req, "3.91", &env, &it, NULL, NULL), 0);
    assert_int_equal(it->ver.micro, 7);
    assert_int_equal(runs(), before); /* from the cache, nothing ran */
    dir = tu_path(root, "cache/interp");
    {
        struct stat st;

        assert_int_equal(stat(dir, &st), 0);
        assert_true(S_ISDIR(st.st_mode));
    }
    free(dir);
    interp_list_release(&l);
    sv_release(&keep);
}

static void test_interp_pick__no_cache_dir_never_runs(void **state)
{
    struct sv keep = SV_INIT;
    struct interp_env env = fake_env(&keep);
    struct interp_list l = INTERP_LIST_INIT;
    struct interp *it = NULL;
    struct pyver req = {3, 92, -1};
    int before = runs();

    (void)state;
    env.cache_dir = NULL;
    interp_discover(&l, &env, NULL);
    /* 3.92.1 and 3.92.10 are both known from names: decided, no run */
    assert_int_equal(interp_pick(&l, &req, "3.92", &env, &it, NULL, NULL), 0);
    assert_non_null(strstr(it->path, "3.92.10"));
    assert_int_equal(runs(), before);
    interp_list_release(&l);
    sv_release(&keep);
}

static void test_interp_by_name__cases(void **state)
{
    struct sv keep = SV_INIT;
    struct interp_env env = fake_env(&keep);
    struct interp_list l = INTERP_LIST_INIT;
    struct interp *it;

    (void)state;
    interp_discover(&l, &env, NULL);
    it = interp_by_name(&l, "myenv");
    assert_non_null(it);
    assert_non_null(strstr(it->path, "/pyenv/versions/myenv/bin/python"));
    it = interp_by_name(&l, "3.91.4");
    assert_non_null(it);
    assert_int_equal(it->ver.micro, 4);
    it = interp_by_name(&l, "cpython-3.96.3-linux-x86_64-gnu");
    assert_non_null(it);
    assert_string_equal(it->origin, "uv");
    assert_null(interp_by_name(&l, "3.91"));
    assert_null(interp_by_name(&l, "nope"));
    /* the deduplicated 3.92.1 is listed under its PATH name */
    assert_null(interp_by_name(&l, "3.92.1"));
    interp_list_release(&l);
    sv_release(&keep);
}

static void test_interp_list_versions__format(void **state)
{
    struct interp_list l = INTERP_LIST_INIT;
    struct interp v[3];
    struct sb out = SB_INIT;
    char a[] = "/a/python3.8", b[] = "/b/python", c[] = "/c/python3.11";

    (void)state;
    memset(v, 0, sizeof(v));
    v[0].path = a;
    v[0].ver = (struct pyver){3, 8, 18};
    v[1].path = b;
    v[1].ver = (struct pyver){-1, -1, -1}; /* unknown: left out */
    v[2].path = c;
    v[2].ver = (struct pyver){3, 11, -1};
    l.v = v;
    l.nr = 3;
    sb_addstr(&out, "installed: ");
    interp_list_versions(&l, &out);
    assert_non_null(strstr(out.buf, "3.8.18 (/a/python3.8)"));
    assert_non_null(strstr(out.buf, "3.11 (/c/python3.11)"));
    assert_null(strstr(out.buf, "/b/python"));
    assert_true(strstr(out.buf, "3.8.18") < strstr(out.buf, "3.11"));
    sb_release(&out);
}

static void test_interp_list_versions__windows_builds(void **state)
{
    struct interp_list l = INTERP_LIST_INIT;
    struct interp v[4];
    struct sb out = SB_INIT;
    char a[] = "C:\\Py312-32\\python.exe", b[] = "C:\\Py313\\python3.13t.exe";
    char c[] = "C:\\uv\\python.exe", d[] = "C:\\arm\\python.exe";

    (void)state;
    memset(v, 0, sizeof(v));
    v[0].path = a;
    v[0].ver = (struct pyver){3, 12, 4};
    v[0].plat = PYVER_PLAT_32;
    v[1].path = b;
    v[1].ver = (struct pyver){3, 13, -1};
    v[1].ft = 1;
    v[2].path = c;
    v[2].ver = (struct pyver){3, 11, 9};
    v[2].plat = PYVER_PLAT_64; /* the native platform: no suffix */
    v[3].path = d;
    v[3].ver = (struct pyver){3, 13, 1};
    v[3].plat = PYVER_PLAT_ARM64;
    l.v = v;
    l.nr = 4;
    interp_list_versions(&l, &out);
    assert_string_equal(
        out.buf,
        "3.12.4-32 (C:\\Py312-32\\python.exe), 3.13t (C:\\Py313\\python3.13t.exe), 3.11.9 (C:\\uv\\python.exe), 3.13.1-arm64 (C:\\arm\\python.exe)");
    sb_release(&out);
}

static void test_interp_is_store_dir__table(void **state)
{
    static const struct {
        const char *dir;
        int want;
    } cases[] = {
        {"C:\\Users\\me\\AppData\\Local\\Microsoft\\WindowsApps", 1},
        {"C:\\Users\\me\\AppData\\Local\\Microsoft\\WindowsApps\\", 1},
        {"c:/users/me/appdata/local/microsoft/windowsapps", 1},
        {"D:\\MICROSOFT\\WINDOWSAPPS", 1},
        {"C:\\x\\Microsoft\\\\WindowsApps", 1},
        {"C:\\Users\\me\\AppData\\Local\\Microsoft\\WindowsApps\\x", 0},
        {"C:\\Users\\me\\AppData\\Local\\NotMicrosoft\\WindowsApps", 0},
        {"C:\\WindowsApps", 0},
        {"WindowsApps", 0},
        {"Microsoft\\WindowsApps", 1},
        {"C:\\Program Files\\WindowsApps", 0},
        {"C:\\Python312", 0},
        {"", 0},
        {"/usr/bin", 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++)
        TU_INT_EQ(cases[i].dir, interp_is_store_dir(cases[i].dir),
                  cases[i].want);
}

static void test_interp_which__skips_shim_and_scripts(void **state)
{
    struct sv keep = SV_INIT;
    struct interp_env env = fake_env(&keep);
    struct sb out = SB_INIT;
    char *want, *p;

    (void)state;
    fake("shimdir/python3.91", "3.91.0"); /* shadowed: dir holds the shim */
    {
        size_t n = 4 * strlen(root) + 100;
        char *path = malloc(n);

        assert_non_null(path);
        snprintf(path, n, "%s/shimdir:%s/pyenv/shims:%s/scripts:%s/bin3", root,
                 root, root, root);
        env.path = path;
        fake("pyenv/shims/python3.91", "3.91.0");
        fake_script("scripts/python3.91", "3.91.0");

        /* without skip_scripts pyenv's shims are fine, the shim is not */
        assert_int_equal(interp_which(&env, "python3.91", 0, &out), 0);
        want = tu_path(root, "pyenv/shims/python3.91");
        assert_string_equal(out.buf, want);
        free(want);

        /* skip_scripts passes over pyenv's shims and "#!" files */
        assert_int_equal(interp_which(&env, "python3.91", 1, &out), 0);
        want = tu_path(root, "bin3/python3.91");
        assert_string_equal(out.buf, want);
        free(want);

        sb_set(&out, "untouched");
        assert_int_equal(interp_which(&env, "python3.99", 0, &out), -1);
        env.path = NULL;
        assert_int_equal(interp_which(&env, "python3.91", 0, &out), -1);
        free(path);
    }
    sb_release(&out);
    sv_release(&keep);
    /* put the tree back for later tests */
    p = tu_path(root, "shimdir/python3.91");
    unlink(p);
    free(p);
    p = tu_path(root, "pyenv/shims/python3.91");
    unlink(p);
    free(p);
}

static void test_interp_which__skips_other_pyshim_builds(void **state)
{
    struct sv keep = SV_INIT;
    struct interp_env env = fake_env(&keep);
    struct sb out = SB_INIT;
    char *want, *p;
    size_t n = 2 * strlen(root) + 100;
    char *path = malloc(n);

    (void)state;
    assert_non_null(path);
    fake("bin1/python3.89", "3.89.1");
    snprintf(path, n, "%s/bin2:%s/bin1", root, root);
    env.path = path;
    p = tu_path(root, "bin2/python3.89");
    assert_true(interp_is_shim(&env, p));
    assert_false(interp_is_self(&env, p));
    free(p);
    /* with or without skip_scripts: a pyshim of any version is skipped */
    want = tu_path(root, "bin1/python3.89");
    assert_int_equal(interp_which(&env, "python3.89", 0, &out), 0);
    assert_string_equal(out.buf, want);
    assert_int_equal(interp_which(&env, "python3.89", 1, &out), 0);
    assert_string_equal(out.buf, want);
    assert_false(interp_is_shim(&env, want));
    free(want);
    free(path);
    p = tu_path(root, "bin1/python3.89");
    unlink(p);
    free(p);
    sb_release(&out);
    sv_release(&keep);
}

static void test_interp_pick__skips_other_pyshim_before_running(void **state)
{
    struct sv keep = SV_INIT;
    struct interp_env env = fake_env(&keep);
    struct interp_list l = INTERP_LIST_INIT;
    struct interp *it = NULL;
    struct trace t = TRACE_INIT;
    struct pyver req = {3, 89, -1};
    int before = runs();
    size_t i;
    int said = 0;

    (void)state;
    t.enabled = 1;
    fake("pyenv/versions/3.89.2/bin/python3.89", "3.89.2");
    interp_discover(&l, &env, NULL);
    /* listed (a native program), but never picked, never run */
    assert_non_null(find(&l, "bin2/python3.89"));
    assert_int_equal(interp_pick(&l, &req, "3.89", &env, &it, &t, NULL), 0);
    assert_non_null(strstr(it->path, "pyenv/versions/3.89.2"));
    assert_int_equal(runs(), before);
    for (i = 0; i < t.lines.nr; i++)
        said |= !!strstr(t.lines.v[i], "is a pyshim binary");
    assert_true(said);
    interp_list_release(&l);
    trace_release(&t);
    sv_release(&keep);
    {
        char *d = tu_path(root, "pyenv/versions/3.89.2");

        tu_rmtree(d);
        free(d);
    }
}

static void test_interp_pick__shim_with_known_micro_on_a_tie(void **state)
{
    struct sv keep = SV_INIT;
    struct interp_env env = fake_env(&keep);
    struct interp_list l = INTERP_LIST_INIT;
    struct interp *it = NULL;
    struct pyver req = {3, 88, -1};
    static const char *const made[] = {"pyenv/versions/3.88.5",
                                       "pyenv/versions/3.88.2",
                                       "pyenv/versions/3.88.3", NULL};
    size_t i;
    char *d;

    (void)state;
    /* the highest micro is another pyshim build: the next round's tie
     * between the two real ones must not pick it again */
    tu_write_bytes(root, "pyenv/versions/3.88.5/bin/python3.88", OTHER_PYSHIM,
                   sizeof(OTHER_PYSHIM) - 1, 0755);
    fake("pyenv/versions/3.88.2/bin/python3.88", "3.88.2");
    fake("pyenv/versions/3.88.3/bin/python3.88", "3.88.3");
    interp_discover(&l, &env, NULL);
    assert_int_equal(interp_pick(&l, &req, "3.88", &env, &it, NULL, NULL), 0);
    assert_non_null(strstr(it->path, "pyenv/versions/3.88.3/"));
    interp_list_release(&l);
    sv_release(&keep);
    for (i = 0; made[i]; i++) {
        d = tu_path(root, made[i]);
        tu_rmtree(d);
        free(d);
    }
}

static void test_mark__programs_and_pyshim(void **state)
{
    static const struct {
        const char *data;
        size_t len;
        int program, pyshim;
    } cases[] = {
        {"\x7f"
         "ELF\2\1",
         6, 1, 0},
        {"MZ\x90\0", 4, 1, 0},
        {"\xcf\xfa\xed\xfe", 4, 1, 0},
        {"\xca\xfe\xba\xbe", 4, 1, 0},
        {"#!/bin/sh\nexec python3.12 \"$@\"\n", 31, 0, 0},
        {"", 0, 0, 0},
        {"\x7f"
         "EL",
         3, 0, 0},
        {OTHER_PYSHIM, sizeof(OTHER_PYSHIM) - 1, 1, 1},
        /* the mark in a script is not a pyshim binary */
        {"#!/bin/sh\n# pyshim-binary-mark:bee71685de43fb6594ea46ef51119f68\n",
         64, 0, 0},
        /* a mark cut short is not the mark */
        {"\x7f"
         "ELF pyshim-binary-mark:bee71685de43fb6594ea46ef51119f6",
         57, 1, 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        TU_INT_EQ(cases[i].data, mark_is_program(cases[i].data, cases[i].len),
                  cases[i].program);
        TU_INT_EQ(cases[i].data, mark_in(cases[i].data, cases[i].len),
                  cases[i].pyshim);
    }
}

static void test_interp_is_self__cases(void **state)
{
    struct sv keep = SV_INIT;
    struct interp_env env = fake_env(&keep);
    char *p;

    (void)state;
    p = tu_path(root, "shimdir/python");
    assert_true(interp_is_self(&env, p));
    free(p);
    p = tu_path(root, "bin2/python3.98"); /* a hard link */
    assert_true(interp_is_self(&env, p));
    free(p);
    tu_symlink("../shimdir/python", root, "links/py");
    p = tu_path(root, "links/py");
    assert_true(interp_is_self(&env, p));
    free(p);
    p = tu_path(root, "bin1/python3.91");
    assert_false(interp_is_self(&env, p));
    free(p);
    p = tu_path(root, "missing");
    assert_false(interp_is_self(&env, p));
    free(p);
    sv_release(&keep);
}

/* interp_finds answers for one file what interp_discover would list:
 * never yes for a file the full search does not list (the property, over
 * every file of the fake tree), and yes for the usual places. */
static void test_interp_finds__agrees_with_discover(void **state)
{
    static const struct {
        const char *rel;
        int want; /* 1, 0, or -1: either (a link elsewhere may list it) */
    } cases[] = {
        {"bin1/python3.91", 1},
        {"bin2/python3.91", 1},
        {"bin1/python3.91-config", 0},
        {"bin1/pythonfoo", 0},
        {"bin1/python3.99", 0}, /* a "#!" script */
        {"bin3/python3.91", 0}, /* not on PATH */
        {"shimdir/python3.93", 0},
        {"pyenv/shims/python3.94", 0},
        {"pyenv/versions/3.91.4/bin/python3.91", 1},
        {"pyenv/versions/3.92.10/bin/python3.92", 1},
        {"pyenv/versions/3.92.1/bin/python3.92", -1}, /* via bin1's link */
        {"pyenv/versions/3.95.0t/bin/python3.95t", 1},
        {"uv/cpython-3.96.4+freethreaded-linux-x86_64-gnu/bin/python3.96t", 1},
        {"pyenv/versions/myenv/bin/python", -1},
        {"uv/cpython-3.96.3-linux-x86_64-gnu/bin/python3.96", 1},
        {"bin2/python3.98", 0}, /* a hard link to the shim */
    };
    struct sv keep = SV_INIT;
    struct interp_env env = fake_env(&keep);
    struct interp_list l = INTERP_LIST_INIT;
    struct trace t = TRACE_INIT;
    size_t i, j;

    (void)state;
    interp_discover(&l, &env, &t);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *p = tu_path(root, cases[i].rel);
        struct stat st;
        int listed = 0, got = interp_finds(&env, p);

        if (!stat(p, &st))
            for (j = 0; j < l.nr; j++)
                listed |= l.v[j].dev == (uint64_t)st.st_dev &&
                          l.v[j].ino == (uint64_t)st.st_ino;
        if (got && !listed)
            fail_msg(
                "interp_finds says yes to '%s', which the search does not list",
                cases[i].rel);
        if (cases[i].want >= 0 && got != cases[i].want)
            fail_msg("interp_finds('%s') = %d, want %d", cases[i].rel, got,
                     cases[i].want);
        free(p);
    }
    interp_list_release(&l);
    trace_release(&t);
    sv_release(&keep);
}

/* interp_finds looks for the file's dir in PATH as written, entry by
 * entry: not a prefix, a suffix or a part of another entry, and not a
 * spelling the search does not scan as that dir. */
static void test_interp_finds__path_entries_as_written(void **state)
{
    struct sv keep = SV_INIT;
    struct interp_env env = fake_env(&keep);
    char *bin1 = tu_path(root, "bin1"), *p = tu_path(root, "bin1/python3.91");
    struct sb path = SB_INIT;
    static const struct {
        const char *fmt; /* %1$s: root/bin1 */
        int want;
    } cases[] = {
        {"%1$s", 1},
        {"/nowhere:%1$s", 1},
        {"%1$s:/nowhere", 1},
        {"/a::%1$s::/b", 1},
        {"%1$sx:/nowhere", 0},
        {"%1$s/:/nowhere", 0},
        {"/x%1$s:/nowhere", 0},
        {"%1$s/..:/nowhere", 0},
        {"/nowhere:%1$s-old", 0},
        {"", 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int got;

        sb_reset(&path);
        /* the format is one of the table's: %1$s only */
        {
            const char *f = cases[i].fmt, *at;

            while ((at = strstr(f, "%1$s"))) {
                sb_add(&path, f, (size_t)(at - f));
                sb_addstr(&path, bin1);
                f = at + 4;
            }
            sb_addstr(&path, f);
        }
        env.path = path.buf;
        got = interp_finds(&env, p);
        if (got != cases[i].want)
            fail_msg("PATH '%s': interp_finds = %d, want %d", path.buf, got,
                     cases[i].want);
    }
    sb_release(&path);
    free(bin1);
    free(p);
    sv_release(&keep);
}

/* The search keeps each file once, under the path it was first found by,
 * however many names lead to it (hard links on PATH, in any order) and
 * however many files there are (its identity index is rebuilt as it
 * grows). */
static void test_interp_discover__each_file_once_first_name(void **state)
{
    enum { N = 40 };
    struct sv keep = SV_INIT;
    struct interp_env env = fake_env(&keep);
    struct interp_list l = INTERP_LIST_INIT;
    struct trace t = TRACE_INIT;
    struct sb path = SB_INIT, rel = SB_INIT;
    size_t i, j, found[N];

    (void)state;
    for (i = 0; i < N; i++) {
        char *a, *b;

        sb_reset(&rel);
        sb_addf(&rel, "many%lu/python3.91", (unsigned long)i);
        fake(rel.buf, "3.91.0");
        sb_reset(&rel);
        sb_addf(&rel, "dup%lu", (unsigned long)i);
        tu_mkdir(root, rel.buf);
        sb_addstr(&rel, "/python3.91");
        sb_reset(&path);
        sb_addf(&path, "many%lu/python3.91", (unsigned long)i);
        a = tu_path(root, path.buf);
        b = tu_path(root, rel.buf);
        assert_int_equal(link(a, b), 0);
        free(a);
        free(b);
    }
    /* the links first for the odd ones, last for the even ones */
    sb_reset(&path);
    for (i = 0; i < N; i++)
        if (i % 2)
            sb_addf(&path, "%s%s/dup%lu", path.len ? ":" : "", root,
                    (unsigned long)i);
    for (i = 0; i < N; i++)
        sb_addf(&path, "%s%s/many%lu", path.len ? ":" : "", root,
                (unsigned long)i);
    for (i = N; i-- > 0;)
        if (!(i % 2))
            sb_addf(&path, ":%s/dup%lu", root, (unsigned long)i);
    env.path = path.buf;
    interp_discover(&l, &env, &t);
    memset(found, 0, sizeof(found));
    for (j = 0; j < l.nr; j++) {
        const char *p = l.v[j].path + strlen(root) + 1;
        unsigned long n;
        char *end;

        if (strncmp(l.v[j].path, root, strlen(root)))
            continue; /* the machine's own pythons */
        if (!strncmp(p, "many", 4) || !strncmp(p, "dup", 3)) {
            n = strtoul(p + (p[0] == 'm' ? 4 : 3), &end, 10);
            assert_true(n < N);
            found[n]++;
            if (n % 2 ? p[0] != 'd' : p[0] != 'm')
                fail_msg("'%s' kept under a later name", l.v[j].path);
        }
    }
    for (i = 0; i < N; i++)
        if (found[i] != 1)
            fail_msg("file %lu listed %lu times", (unsigned long)i,
                     (unsigned long)found[i]);
    interp_list_release(&l);
    trace_release(&t);
    sb_release(&path);
    sb_release(&rel);
    sv_release(&keep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interp_discover__sources),
        cmocka_unit_test(test_interp_finds__path_entries_as_written),
        cmocka_unit_test(test_interp_discover__each_file_once_first_name),
        cmocka_unit_test(test_interp_finds__agrees_with_discover),
        cmocka_unit_test(test_interp_discover__relative_path_entries_ignored),
        cmocka_unit_test(test_interp_pick__table),
        cmocka_unit_test(test_interp_pick__facts_cached),
        cmocka_unit_test(test_interp_pick__no_cache_dir_never_runs),
        cmocka_unit_test(test_interp_by_name__cases),
        cmocka_unit_test(test_interp_list_versions__format),
        cmocka_unit_test(test_interp_list_versions__windows_builds),
        cmocka_unit_test(test_interp_is_store_dir__table),
        cmocka_unit_test(test_interp_which__skips_shim_and_scripts),
        cmocka_unit_test(test_interp_which__skips_other_pyshim_builds),
        cmocka_unit_test(test_interp_pick__skips_other_pyshim_before_running),
        cmocka_unit_test(test_interp_pick__shim_with_known_micro_on_a_tie),
        cmocka_unit_test(test_mark__programs_and_pyshim),
        cmocka_unit_test(test_interp_is_self__cases),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
