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
    hook_render(&sites, NULL, &out);
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
    hook_render(&sites, NULL, &out);
    split_lines(out.buf, &lines);
    /* comments, one plain line per dir in priority order, one import */
    for (i = 0; i < lines.nr && lines.v[i][0] == '#'; i++)
        ;
    assert_true(i >= 1);
    assert_true(i + 4 == lines.nr);
    assert_string_equal(lines.v[i], sites.v[0]);
    assert_string_equal(lines.v[i + 1], sites.v[1]);
    /* the data line: every dir hex-encoded, in priority order */
    assert_string_equal(
        lines.v[i + 2],
        "# pyshim-dirs: "
        "2f7368617265642f61692f6c69622f707974686f6e332e31322f736974652d7061636b61676573 "
        "2f6f70742f6c696273");
    imp = lines.v[i + 3];
    /* site.py runs a line as code only when it starts with "import" */
    assert_string_equal(imp, "import _pyshim_hook; _pyshim_hook.activate()");
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
    hook_render(&sites, NULL, &out);
    /* every dir is on the data line, hex-encoded */
    assert_non_null(strstr(out.buf, " 2f702f69742773 "));         /* /p/it's */
    assert_non_null(strstr(out.buf, " 2f702f6e65770a6c696e65 ")); /* \n */
    assert_non_null(strstr(out.buf, " 2f702f6c6174e9 "));         /* \xe9 */
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
    /* the data and import lines are pure ASCII: no reader can split them */
    imp = strstr(out.buf, "\n# pyshim-dirs: ");
    assert_non_null(imp);
    for (imp++; *imp; imp++)
        assert_true((unsigned char)*imp < 0x80 &&
                    (*imp >= 0x20 || *imp == '\n'));
    /* the others keep their plain line */
    assert_non_null(strstr(out.buf, "\n/p/it's\n"));
    assert_non_null(strstr(out.buf, "\n/p/caf\xc3\xa9\n"));
    assert_non_null(strstr(out.buf, " 2f702f636166c3a9"));
    sb_release(&out);
    sv_release(&sites);
}

/* A plain line or none, whatever the length of the path and wherever
 * the byte that decides is: the common case is judged 8 bytes at a time
 * (a splitter, a control byte or a non-ASCII byte at any place of a word
 * or of the tail sends the path to the full checks). */
static void test_hook_render__plain_line_each_position(void **state)
{
    static const struct {
        const char *put;
        int plain;
    } cases[] = {
        {"\n", 0},           {"\r", 0},   {"\v", 0},   {"\f", 0}, {"\x1c", 0},
        {"\x1d", 0},         {"\x1e", 0}, {"\xe9", 0}, /* not UTF-8 */
        {"\xe2\x80\xa8", 0},                           /* U+2028 */
        {"\xc2\x85", 0},                               /* U+0085 */
        {"\t", 1},           {"\x1f", 1}, {"\x7f", 1}, {"~", 1},  {" ", 1},
        {"\xc3\xa9", 1}, /* U+00E9 */
    };
    char path[64], needle[80];
    size_t len, pos, k;

    (void)state;
    for (len = 2; len <= 26; len++) {
        for (pos = 1; pos < len; pos++) {
            for (k = 0; k < sizeof(cases) / sizeof(*cases); k++) {
                struct sv sites = SV_INIT;
                struct sb out = SB_INIT;
                size_t n = strlen(cases[k].put);

                memset(path, 'a', sizeof(path));
                path[0] = '/';
                memcpy(path + pos, cases[k].put, n);
                path[len + n - 1] = '\0';
                sv_push(&sites, path);
                hook_render(&sites, NULL, &out);
                snprintf(needle, sizeof(needle), "\n%s\n", path);
                if (cases[k].plain)
                    assert_non_null(strstr(out.buf, needle));
                else
                    assert_null(strstr(out.buf, needle));
                sb_release(&out);
                sv_release(&sites);
            }
        }
    }
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

/* How many lines of s are exactly line. */
static int count_lines(const char *s, const char *line)
{
    size_t n = strlen(line);
    int c = 0;

    for (; (s = strchr(s, '\n')); s++)
        if (!strncmp(s + 1, line, n) && s[1 + n] == '\n')
            c++;
    return c;
}

/* Python 3.15's site (PEP 829) for the site dir sd, on any Python 3.8+
 * started with -S: all .pth path lines first (an import line is off when
 * a .start file of the same name exists), then each .start entry point
 * "pkg.mod:callable" imported and called without arguments (3.15 uses
 * pkgutil.resolve_name, which 3.8 lacks). Then the import line of
 * _pyshim.pth run anyway: the work must not be done twice. */
static const char pep829_site[] =
    "import importlib\n"
    "names = sorted(os.listdir(sd))\n"
    "sys.path.append(sd)\n"
    "for name in names:\n"
    "    if not name.endswith('.pth'):\n"
    "        continue\n"
    "    off = name[:-4] + '.start' in names\n"
    "    with open(os.path.join(sd, name), 'rb') as f:\n"
    "        text = f.read().decode('utf-8')\n"
    "    for line in text.splitlines():\n"
    "        if not line.strip() or line.startswith('#'):\n"
    "            continue\n"
    "        if line.startswith(('import ', 'import\\t')):\n"
    "            if not off:\n"
    "                exec(line)\n"
    "            continue\n"
    "        d = os.path.join(sd, line.rstrip())\n"
    "        if os.path.exists(d) and d not in sys.path:\n"
    "            sys.path.append(d)\n"
    "for name in names:\n"
    "    if not name.endswith('.start'):\n"
    "        continue\n"
    "    with open(os.path.join(sd, name), encoding='utf-8') as f:\n"
    "        for line in f.read().splitlines():\n"
    "            line = line.strip()\n"
    "            if not line or line.startswith('#'):\n"
    "                continue\n"
    "            mod, _, attr = line.partition(':')\n"
    "            fn = importlib.import_module(mod)\n"
    "            for a in attr.split('.'):\n"
    "                fn = getattr(fn, a)\n"
    "            fn()\n"
    "for line in open(os.path.join(sd, '_pyshim.pth')).read().splitlines():\n"
    "    if line.startswith('import '):\n"
    "        exec(line)\n";

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
    struct sv sites = SV_INIT, argv = SV_INIT, nested = SV_INIT;
    struct sb out = SB_INIT, code = SB_INIT;
    int status = -1, changed = 0;
    size_t i, k;

    root = tu_mkdtemp();
    tu_mkdir(root, "site");
    site = tu_path(root, "site");
    for (i = 0; odd[i]; i++) {
        char *d = tu_path(root, odd[i]);

        tu_mkdir(root, odd[i]);
        sv_push(&sites, d);
        free(d);
    }
    /* a .pth inside a shared dir must run too (addsitedir semantics),
     * its import line exactly once */
    tu_write(root, "plain/inner.pth",
             "../extra\n"
             "import builtins; builtins.n_inner = getattr(builtins, "
             "'n_inner', 0) + 1\n");
    tu_mkdir(root, "extra");
    hook_nested_dirs(&sites, &nested);
    assert_int_equal(nested.nr, 1); /* root/extra, as a plain line */
    hook_render(&sites, &nested, &out);
    assert_int_equal(hook_sync(site, &out, &changed, NULL), 0);
    assert_int_equal(changed, 1);

    for (k = 0; k < 2; k++) {
        sb_reset(&code);
        sb_addstr(&code, "import builtins, os, sys\nsd = ");
        sb_addpybytes(&code, site);
        sb_addstr(&code,
                  ".decode(sys.getfilesystemencoding(), 'surrogateescape')\n");
        /* 0: the real site.py of py (the import line, before 3.15);
         * 1: under -S, what 3.15's site does (PEP 829): the path lines of
         * the .pth files, their import lines off where a .start file of
         * the same name exists, then each .start entry point imported
         * and called without arguments; then the import line run anyway,
         * as a Python running both would: nothing may be added twice. */
        sb_addstr(&code,
                  k == 0 ? "import site\nsite.addsitedir(sd)\n" : pep829_site);
        sb_addstr(&code, "print()\nprint('n_inner', builtins.n_inner)\n"
                         "for p in sys.path: print(os.fsencode(p).hex())\n");
        sv_release(&argv);
        sv_push(&argv, py);
        sv_push(&argv, k == 0 ? "-I" : "-IS");
        sv_push(&argv, "-c");
        sv_push(&argv, code.buf);
        assert_int_equal(plat_run(py, argv.v, &out, 1, &status), 0);
        if (status != 0)
            fail_msg("'%s' exited with %d reading the hook (%s):\n%s", py,
                     status, k ? "as 3.15" : "its site.py", out.buf);
        if (!strstr(out.buf, "\nn_inner 1\n"))
            fail_msg(
                "'%s' (%s): the import line of a .pth inside a shared dir did not run exactly once:\n%s",
                py, k ? "as 3.15" : "its site.py", out.buf);
        for (i = 0; i <= sites.nr; i++) {
            char *extra = tu_path(root, "extra");
            char *h = hex(i < sites.nr ? sites.v[i] : extra);

            if (count_lines(out.buf, h) != 1)
                fail_msg("'%s' (%s) added '%s' (%s) %d times to sys.path:\n%s",
                         py, k ? "as 3.15" : "its site.py",
                         i < sites.nr ? sites.v[i] : extra, h,
                         count_lines(out.buf, h), out.buf);
            free(h);
            free(extra);
        }
    }
    sb_release(&out);
    sb_release(&code);
    sv_release(&sites);
    sv_release(&nested);
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
    assert_non_null(strstr(e.msg, "shared-libraries hook"));
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

/* The .pth, the module and the .start file: written together, UTF-8
 * without BOM, each only when it differs, removed together, never
 * through a link planted in their place. */
static void test_hook_sync__three_files(void **state)
{
    static const char *const names[] = {HOOK_FILE, HOOK_MODULE_FILE,
                                        HOOK_START_FILE};
    char *root = tu_mkdtemp(), *got, *victim, *mod;
    struct sv sites = SV_INIT;
    struct sb c = SB_INIT, empty = SB_INIT;
    struct stat st[3], again;
    int changed = -1;
    size_t i;

    (void)state;
    sv_push(&sites, "/opt/libs");
    hook_render(&sites, NULL, &c);
    assert_false(hook_is_current(root, &c));
    assert_true(hook_is_current(root, &empty));
    assert_int_equal(hook_sync(root, &c, &changed, NULL), 0);
    assert_int_equal(changed, 1);
    assert_true(hook_is_current(root, &c));
    for (i = 0; i < 3; i++) {
        char *f = tu_path(root, names[i]);

        assert_int_equal(stat(f, &st[i]), 0);
        assert_int_equal(st[i].st_mode & 0777, 0644);
        got = tu_read(f);
        assert_false(!strncmp(got, "\xef\xbb\xbf", 3)); /* no BOM */
        for (mod = got; *mod; mod++) /* ASCII, so UTF-8 too */
            assert_true((unsigned char)*mod < 0x80);
        free(got);
        free(f);
    }
    {
        char *f = tu_path(root, HOOK_START_FILE);

        got = tu_read(f);
        assert_string_equal(got, "_pyshim_hook:activate\n");
        assert_string_equal(got, hook_companion(HOOK_START_FILE));
        free(got);
        free(f);
        f = tu_path(root, HOOK_MODULE_FILE);
        got = tu_read(f);
        assert_string_equal(got, hook_companion(HOOK_MODULE_FILE));
        assert_non_null(strstr(got, "\ndef activate():\n"));
        free(got);
        free(f);
    }
    /* the warm path: nothing rewritten */
    assert_int_equal(hook_sync(root, &c, &changed, NULL), 0);
    assert_int_equal(changed, 0);
    for (i = 0; i < 3; i++) {
        char *f = tu_path(root, names[i]);

        assert_int_equal(stat(f, &again), 0);
        assert_true(again.st_ino == st[i].st_ino);
        free(f);
    }
    /* a companion missing: not current; only it is written again */
    mod = tu_path(root, HOOK_START_FILE);
    assert_int_equal(unlink(mod), 0);
    assert_false(hook_is_current(root, &c));
    assert_int_equal(hook_sync(root, &c, &changed, NULL), 0);
    assert_int_equal(changed, 1);
    assert_true(hook_is_current(root, &c));
    free(mod);
    {
        char *f = tu_path(root, HOOK_FILE);

        assert_int_equal(stat(f, &again), 0);
        assert_true(again.st_ino == st[0].st_ino);
        free(f);
    }
    /* a link planted as the module, to a file someone cares about with
     * other content: replaced, the target untouched */
    tu_write(root, "victim", "precious\n");
    victim = tu_path(root, "victim");
    mod = tu_path(root, HOOK_MODULE_FILE);
    assert_int_equal(unlink(mod), 0);
    assert_int_equal(symlink(victim, mod), 0);
    assert_false(hook_is_current(root, &c));
    assert_int_equal(hook_sync(root, &c, &changed, NULL), 0);
    assert_int_equal(lstat(mod, &again), 0);
    assert_true(S_ISREG(again.st_mode));
    got = tu_read(victim);
    assert_string_equal(got, "precious\n");
    free(got);
    /* removed together; other files stay */
    assert_int_equal(hook_sync(root, &empty, &changed, NULL), 0);
    assert_int_equal(changed, 1);
    for (i = 0; i < 3; i++)
        assert_false(tu_exists(root, names[i]));
    assert_true(tu_exists(root, "victim"));
    assert_true(hook_is_current(root, &empty));
    free(victim);
    free(mod);
    sb_release(&c);
    sv_release(&sites);
    tu_cleanup(root);
}

/* The plain lines of the shared dirs' own .pth files, as site.py reads
 * them, in order, each once (issue 13 item 2). */
static void test_hook_nested_dirs__site_rules(void **state)
{
    char *root = tu_mkdtemp(), *s1 = tu_path(root, "s1"),
         *s2 = tu_path(root, "s2");
    struct sv sites = SV_INIT, nested = SV_INIT, want = SV_INIT;
    struct sb out = SB_INIT;
    const char *p;
    size_t i;

    (void)state;
    tu_mkdir(root, "s1");
    tu_mkdir(root, "s2");
    /* names in sorted order: a.pth before b.pth; a BOM, CRLF */
    tu_write(root, "s1/b.pth",
             "../x\n# comment\nimport os\nimport\tos\n/abs/y  \n\n");
    tu_write(root, "s1/a.pth", "\xef\xbb\xbfrel\r\n");
    tu_write(root, "s1/not-a-pth.txt", "/no\n");
    tu_mkdir(root, "s1/dir.pth"); /* not a file: skipped */
    /* s2: a shared dir and a dir already listed are not repeated */
    tu_write(root, "s2/c.pth", "/abs/y\n../s1\n./sub/../w\n");
    sv_push(&sites, s1);
    sv_push(&sites, s2);
    hook_nested_dirs(&sites, &nested);
    sv_pushf(&want, "%s/rel", s1);
    sv_pushf(&want, "%s/x", root);
    sv_push(&want, "/abs/y");
    sv_pushf(&want, "%s/w", s2);
    for (i = 0; i < want.nr && i < nested.nr; i++)
        assert_string_equal(nested.v[i], want.v[i]);
    assert_int_equal(nested.nr, want.nr);
    /* rendered after the sites' plain lines, before the data line */
    hook_render(&sites, &nested, &out);
    p = strstr(out.buf, s2);
    assert_non_null(p);
    p = strstr(p, "\n/abs/y\n");
    assert_non_null(p);
    assert_non_null(strstr(p, "\n# pyshim-dirs: "));
    /* the data line names the sites only: "#", "pyshim-dirs:", 2 dirs */
    p = strstr(out.buf, "\n# pyshim-dirs: ") + 1;
    for (i = 0; *p != '\n'; p++)
        i += *p == ' ';
    assert_int_equal(i, 3);
    sb_release(&out);
    sv_release(&sites);
    sv_release(&nested);
    sv_release(&want);
    free(s1);
    free(s2);
    tu_cleanup(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hook_render__empty),
        cmocka_unit_test(test_hook_render__paths_then_import),
        cmocka_unit_test(test_hook_render__odd_paths),
        cmocka_unit_test(test_hook_render__plain_line_each_position),
        cmocka_unit_test(test_hook_render__python_reads_it),
        cmocka_unit_test(test_hook_sync__writes_only_when_changed),
        cmocka_unit_test(test_hook_sync__removes_when_empty),
        cmocka_unit_test(test_hook_sync__missing_dir),
        cmocka_unit_test(test_hook_sync__three_files),
        cmocka_unit_test(test_hook_nested_dirs__site_rules),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
