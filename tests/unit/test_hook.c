/* Unit tests for launcher/hook.h. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/exitcode.h"
#include "common/plat.h"
#include "launcher/hook.h"
#include "tests/unit/testutil.h"

static void test_hook_render__empty(void **state)
{
    struct sv sites = SV_INIT;
    struct sb out = SB_INIT;

    (void)state;
    sb_addstr(&out, "stale");
    hook_render(&sites, &out);
    assert_int_equal(out.len, 0);
    assert_string_equal(out.buf, "");
    sb_release(&out);
}

/* The lines of s, in a new sv. */
static void split_lines(const char *s, struct sv *out)
{
    const char *nl;

    while ((nl = strchr(s, '\n'))) {
        char *line = strndup(s, (size_t)(nl - s));

        assert_non_null(line);
        sv_push_nodup(out, line);
        s = nl + 1;
    }
    assert_string_equal(s, ""); /* ends with a newline */
}

static void test_hook_render__paths_then_import(void **state)
{
    struct sv sites = SV_INIT, lines = SV_INIT;
    struct sb out = SB_INIT;
    const char *imp;
    size_t i;

    (void)state;
    sv_push(&sites, "/shared/ai/lib/python3.12/site-packages");
    sv_push(&sites, "/opt/libs");
    hook_render(&sites, &out);
    split_lines(out.buf, &lines);
    /* comments, one plain line per dir in priority order, one import */
    for (i = 0; i < lines.nr && lines.v[i][0] == '#'; i++)
        ;
    assert_true(i >= 1);
    assert_true(i + 3 == lines.nr);
    assert_string_equal(lines.v[i], sites.v[0]);
    assert_string_equal(lines.v[i + 1], sites.v[1]);
    imp = lines.v[i + 2];
    /* site.py runs a line as code only when it starts with "import" */
    assert_int_equal(strncmp(imp, "import ", 7), 0);
    assert_non_null(strstr(imp, "site.addsitedir"));
    assert_non_null(strstr(imp, "b'/shared/ai/lib/python3.12/site-packages'"));
    assert_true(strstr(imp, "b'/shared/ai") < strstr(imp, "b'/opt/libs'"));
    sb_release(&out);
    sv_release(&sites);
    sv_release(&lines);
}

static void test_hook_render__odd_paths(void **state)
{
    struct sv sites = SV_INIT;
    struct sb out = SB_INIT;
    const char *imp;

    (void)state;
    sv_push(&sites, "/p/it's");
    sv_push(&sites, "/p/back\\slash");
    sv_push(&sites, "/p/new\nline");
    sv_push(&sites, "/p/lat\xe9");
    sv_push(&sites, "/p/caf\xc3\xa9");
    sv_push(&sites, "/p/ls\xe2\x80\xa8import os");
    sv_push(&sites, "/p/nel\xc2\x85import os");
    sv_push(&sites, "/p/vt\vimport os");
    sv_push(&sites, "/p/rs\x1eimport os");
    hook_render(&sites, &out);
    assert_non_null(strstr(out.buf, "b'/p/it\\'s'"));
    assert_non_null(strstr(out.buf, "b'/p/back\\\\slash'"));
    assert_non_null(strstr(out.buf, "b'/p/new\\x0aline'"));
    assert_non_null(strstr(out.buf, "b'/p/lat\\xe9'"));
    /* a newline cannot be on a plain .pth line: no line is "/p/new" */
    assert_null(strstr(out.buf, "\n/p/new\n"));
    assert_null(strstr(out.buf, "\nline\n"));
    /* nor can bytes that are not UTF-8: site.py would fail to read the
     * whole file */
    assert_null(strstr(out.buf, "\n/p/lat\xe9\n"));
    /* nor can a line splitter of any supported Python's .pth reader */
    assert_null(strstr(out.buf, "\n/p/ls\xe2\x80\xa8"));
    assert_null(strstr(out.buf, "\n/p/nel\xc2\x85"));
    assert_null(strstr(out.buf, "\n/p/vt\v"));
    assert_null(strstr(out.buf, "\n/p/rs\x1e"));
    assert_non_null(strstr(out.buf, "b'/p/ls\\xe2\\x80\\xa8import os'"));
    assert_non_null(strstr(out.buf, "b'/p/vt\\x0bimport os'"));
    /* the import line is pure ASCII: no reader can split it */
    imp = strstr(out.buf, "\nimport ");
    assert_non_null(imp);
    for (imp++; *imp; imp++)
        assert_true((unsigned char)*imp < 0x80 &&
                    (*imp >= 0x20 || *imp == '\n'));
    /* the others keep their plain line */
    assert_non_null(strstr(out.buf, "\n/p/it's\n"));
    assert_non_null(strstr(out.buf, "\n/p/caf\xc3\xa9\n"));
    assert_non_null(strstr(out.buf, "b'/p/caf\\xc3\\xa9'"));
    sb_release(&out);
    sv_release(&sites);
}

/* hex of s, in a new string */
static char *hex(const char *s)
{
    size_t n = strlen(s), i;
    char *h = malloc(2 * n + 1);

    assert_non_null(h);
    for (i = 0; i < n; i++)
        snprintf(h + 2 * i, 3, "%02x", (unsigned char)s[i]);
    h[2 * n] = '\0';
    return h;
}

/* Run the hook through the real site.py of py. */
static void python_reads_hook(const char *py)
{
    /* The line splitters of 3.13's str.splitlines() (and \r of 3.8's
     * universal newlines) followed by code: if the hook's plain line were
     * split there, site.py would run "import sys;sys.exit(7)". */
    static const char *const odd[] = {"plain",
                                      "it's",
                                      "back\\slash",
                                      "new\nline",
                                      "caf\xc3\xa9",
                                      "lat\xe9",
                                      "sp ace",
                                      "u2028\xe2\x80\xa8import sys;sys.exit(7)",
                                      "u2029\xe2\x80\xa9import sys;sys.exit(7)",
                                      "u0085\xc2\x85import sys;sys.exit(7)",
                                      "vt\vimport sys;sys.exit(7)",
                                      "ff\fimport sys;sys.exit(7)",
                                      "fs\x1cimport sys;sys.exit(7)",
                                      "gs\x1dimport sys;sys.exit(7)",
                                      "rs\x1eimport sys;sys.exit(7)",
                                      "cr\rimport sys;sys.exit(7)",
                                      NULL};
    char *root, *site;
    struct sv sites = SV_INIT, argv = SV_INIT;
    struct sb out = SB_INIT, code = SB_INIT;
    int status = -1, changed = 0;
    size_t i;

    root = tu_mkdtemp();
    tu_mkdir(root, "site");
    site = tu_path(root, "site");
    for (i = 0; odd[i]; i++) {
        char *d = tu_path(root, odd[i]);

        tu_mkdir(root, odd[i]);
        sv_push(&sites, d);
        free(d);
    }
    /* a .pth inside a shared dir must run too (addsitedir semantics) */
    tu_write(root, "plain/inner.pth", "../extra\n");
    tu_mkdir(root, "extra");
    hook_render(&sites, &out);
    assert_int_equal(hook_sync(site, &out, &changed, NULL), 0);
    assert_int_equal(changed, 1);

    sb_addstr(&code, "import os, site, sys\nsite.addsitedir(");
    sb_addpybytes(&code, site);
    sb_addstr(&code,
              ".decode(sys.getfilesystemencoding(), 'surrogateescape'))\n"
              "for p in sys.path: print(os.fsencode(p).hex())\n");
    sv_push(&argv, py);
    sv_push(&argv, "-I");
    sv_push(&argv, "-c");
    sv_push(&argv, code.buf);
    assert_int_equal(plat_run(py, argv.v, &out, 1, &status), 0);
    if (status != 0)
        fail_msg("'%s' exited with %d reading the hook", py, status);
    for (i = 0; i < sites.nr; i++) {
        char *h = hex(sites.v[i]);

        if (!strstr(out.buf, h))
            fail_msg("'%s' did not add '%s' (%s) to sys.path:\n%s", py,
                     sites.v[i], h, out.buf);
        free(h);
    }
    {
        char *extra = tu_path(root, "extra"), *h = hex(extra);

        if (!strstr(out.buf, h))
            fail_msg("'%s': the .pth inside a shared dir did not run:\n%s", py,
                     out.buf);
        free(h);
        free(extra);
    }
    sb_release(&out);
    sb_release(&code);
    sv_release(&sites);
    sv_release(&argv);
    free(site);
    tu_cleanup(root);
}

/* Every Python 3 at hand: the system's and pyenv's, if present. */
static void test_hook_render__python_reads_it(void **state)
{
    static const char *const minors[] = {"3.6",  "3.7",  "3.8",  "3.9",  "3.10",
                                         "3.11", "3.12", "3.13", "3.14", NULL};
    const char *home = getenv("PYENV_ROOT");
    char buf[4096];
    int ran = 0;
    size_t i;

    (void)state;
    if (!access("/usr/bin/python3", X_OK)) {
        python_reads_hook("/usr/bin/python3");
        ran++;
    }
    if (!home && getenv("HOME")) {
        snprintf(buf, sizeof(buf), "%s/.pyenv", getenv("HOME"));
        home = buf;
    }
    for (i = 0; home && minors[i]; i++) {
        char py[4096];
        char *dir = tu_path(home, "versions");
        DIR *d = opendir(dir);
        struct dirent *de;

        /* the first install of each minor version */
        while (d && (de = readdir(d))) {
            size_t n = strlen(minors[i]);

            if (strncmp(de->d_name, minors[i], n) || de->d_name[n] != '.')
                continue;
            snprintf(py, sizeof(py), "%s/%s/bin/python%s", dir, de->d_name,
                     minors[i]);
            if (!access(py, X_OK)) {
                python_reads_hook(py);
                ran++;
                break;
            }
        }
        if (d)
            closedir(d);
        free(dir);
    }
    if (!ran)
        print_message("skipping: no Python 3 found\n");
    else
        print_message("the hook read by %d interpreters\n", ran);
}

static void test_hook_sync__writes_only_when_changed(void **state)
{
    char *root = tu_mkdtemp(), *file = tu_path(root, HOOK_FILE), *got;
    struct sb a = SB_INIT, b = SB_INIT;
    struct err e = ERR_INIT;
    struct stat st1, st2;
    int changed = -1;

    (void)state;
    sb_addstr(&a, "/x\n");
    sb_addstr(&b, "/y\n");
    assert_int_equal(hook_sync(root, &a, &changed, &e), 0);
    assert_int_equal(changed, 1);
    got = tu_read(file);
    assert_string_equal(got, "/x\n");
    free(got);
    assert_int_equal(stat(file, &st1), 0);
    assert_int_equal(st1.st_mode & 0777, 0644);

    /* same content: untouched (an atomic rewrite would change the inode) */
    changed = -1;
    assert_int_equal(hook_sync(root, &a, &changed, &e), 0);
    assert_int_equal(changed, 0);
    assert_int_equal(stat(file, &st2), 0);
    assert_true(st1.st_ino == st2.st_ino);

    /* a prefix of the old content is a change */
    sb_setlen(&a, 2);
    assert_int_equal(hook_sync(root, &a, &changed, &e), 0);
    assert_int_equal(changed, 1);
    got = tu_read(file);
    assert_string_equal(got, "/x");
    free(got);

    assert_int_equal(hook_sync(root, &b, &changed, &e), 0);
    assert_int_equal(changed, 1);
    got = tu_read(file);
    assert_string_equal(got, "/y\n");
    free(got);
    assert_false(tu_exists(root, "_pyshim.pth.tmp")); /* no debris */

    sb_release(&a);
    sb_release(&b);
    free(file);
    tu_cleanup(root);
}

static void test_hook_sync__removes_when_empty(void **state)
{
    char *root = tu_mkdtemp();
    struct sb empty = SB_INIT;
    struct err e = ERR_INIT;
    int changed = -1;

    (void)state;
    tu_write(root, HOOK_FILE, "/old\n");
    tu_write(root, "other.pth", "/keep\n");
    assert_int_equal(hook_sync(root, &empty, &changed, &e), 0);
    assert_int_equal(changed, 1);
    assert_false(tu_exists(root, HOOK_FILE));
    assert_true(tu_exists(root, "other.pth"));
    /* nothing to remove: no change, no error */
    changed = -1;
    assert_int_equal(hook_sync(root, &empty, &changed, &e), 0);
    assert_int_equal(changed, 0);
    assert_null(e.msg);
    tu_cleanup(root);
}

static void test_hook_sync__missing_dir(void **state)
{
    char *root = tu_mkdtemp(), *dir = tu_path(root, "no/such/site");
    struct sb c = SB_INIT;
    struct err e = ERR_INIT;
    int changed = -1;

    (void)state;
    sb_addstr(&c, "/x\n");
    assert_int_equal(hook_sync(dir, &c, &changed, &e), -1);
    assert_int_equal(changed, 0);
    assert_int_equal(e.code, PYSHIM_EXIT_CANTCREAT);
    assert_non_null(strstr(e.msg, dir));
    assert_non_null(strstr(e.msg, HOOK_FILE));
    assert_false(tu_exists(root, "no"));
    /* removing from a missing dir is nothing to do */
    sb_reset(&c);
    assert_int_equal(hook_sync(dir, &c, &changed, NULL), 0);
    assert_int_equal(changed, 0);
    err_release(&e);
    sb_release(&c);
    free(dir);
    tu_cleanup(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hook_render__empty),
        cmocka_unit_test(test_hook_render__paths_then_import),
        cmocka_unit_test(test_hook_render__odd_paths),
        cmocka_unit_test(test_hook_render__python_reads_it),
        cmocka_unit_test(test_hook_sync__writes_only_when_changed),
        cmocka_unit_test(test_hook_sync__removes_when_empty),
        cmocka_unit_test(test_hook_sync__missing_dir),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
