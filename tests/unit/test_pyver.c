/* Unit tests for common/pyver.h. */
#include <string.h>

#include "common/plat.h"
#include "common/pyver.h"
#include "tests/unit/testutil.h"

static void test_pyver_parse__table(void **state)
{
    static const struct {
        const char *in;
        int lenient, ret, major, minor, micro;
    } cases[] = {
        {"3", 0, 0, 3, -1, -1},
        {"3.12", 0, 0, 3, 12, -1},
        {"3.12.1", 0, 0, 3, 12, 1},
        {"2.7.18", 0, 0, 2, 7, 18},
        {"python3.12", 0, 0, 3, 12, -1},
        {"python3", 0, 0, 3, -1, -1},
        {"cpython3.11", 0, 0, 3, 11, -1},
        {"cpython-3.11.4", 0, 0, 3, 11, 4},
        {"cpython@3.10", 0, 0, 3, 10, -1},
        {"3.13.0rc1", 1, 0, 3, 13, 0},
        {"3.12.1.final.0", 1, 0, 3, 12, 1},
        {"3.12t", 1, 0, 3, 12, -1},
        {"3.12.1-linux", 1, 0, 3, 12, 1},
        {"3.13.0rc1", 0, -1, -1, -1, -1},
        {"3.12t", 0, 0, 3, 12, -1}, /* free-threaded (pyver_req_ft) */
        {"3.12.1.final.0", 0, -1, -1, -1, -1},
        {"", 0, -1, -1, -1, -1},
        {"python", 0, -1, -1, -1, -1},
        {"pypy3.10", 0, -1, -1, -1, -1},
        {"system", 0, -1, -1, -1, -1},
        {"3.", 1, -1, -1, -1, -1},
        {"3..1", 1, -1, -1, -1, -1},
        {".3", 1, -1, -1, -1, -1},
        {"-3", 1, -1, -1, -1, -1},
        {" 3.12", 0, -1, -1, -1, -1},
        {"3.12 ", 0, -1, -1, -1, -1},
        {"99999999999.1", 0, -1, -1, -1, -1},
        {"3.100000000000", 0, -1, -1, -1, -1},
        {"10.20.30", 0, 0, 10, 20, 30},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct pyver v = {7, 7, 7};
        int ret = pyver_parse(cases[i].in, &v, cases[i].lenient);

        TU_INT_EQ(cases[i].in, ret, cases[i].ret);
        if (ret < 0)
            continue; /* v on failure is unspecified beyond the status */
        TU_INT_EQ(cases[i].in, v.major, cases[i].major);
        TU_INT_EQ(cases[i].in, v.minor, cases[i].minor);
        TU_INT_EQ(cases[i].in, v.micro, cases[i].micro);
    }
}

/* A free-threaded "t" is a request everywhere (issue 13 item 6: python3.13t
 * on Linux and macOS), and only a lower-case one after a minor outside
 * Windows; pyver_req_ft tells it. */
static void test_pyver_parse__free_threaded(void **state)
{
    static const struct {
        const char *in;
        int ret, ft, minor;
    } cases[] = {
        {"3.13t", 0, 1, 13},
        {"python3.14t", 0, 1, 14},
        {"3.13.1t", 0, 1, 13},
        {"cpython-3.13t", 0, 1, 13},
        {"3.13", 0, 0, 13},
        {"python3.13", 0, 0, 13},
        {"3t", -1, 0, -1},
        {"3.13tt", -1, 0, -1},
        {"3.13t-", -1, 0, -1},
        {"python3.13t-config", -1, 0, -1},
        {"3.13T", PLAT_WINDOWS ? 0 : -1, PLAT_WINDOWS, 13},
        {"3.13t-32", PLAT_WINDOWS ? 0 : -1, PLAT_WINDOWS, 13},
        {"3.12-32", PLAT_WINDOWS ? 0 : -1, 0, 12},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct pyver v;

        TU_INT_EQ(cases[i].in, pyver_parse(cases[i].in, &v, 0), cases[i].ret);
        TU_INT_EQ(cases[i].in, pyver_req_ft(cases[i].in), cases[i].ft);
        if (!cases[i].ret)
            TU_INT_EQ(cases[i].in, v.minor, cases[i].minor);
    }
}

/* The py launcher's platform suffixes are requests only on Windows. */
/* The install manager's runtime directories (issue 13 item 7). */
static void test_pyver_parse_pymanager__table(void **state)
{
    static const struct {
        const char *in;
        int ret, minor, ft;
        enum pyver_plat plat;
    } cases[] = {
        {"pythoncore-3.14-64", 0, 14, 0, PYVER_PLAT_64},
        {"PythonCore-3.14t-64", 0, 14, 1, PYVER_PLAT_64},
        {"pythoncore-3.13-32", 0, 13, 0, PYVER_PLAT_32},
        {"pythoncore-3.15-arm64", 0, 15, 0, PYVER_PLAT_ARM64},
        {"pythoncore-3.12", 0, 12, 0, PYVER_PLAT_ANY},
        {"pythoncore-3-64", -1, -1, 0, PYVER_PLAT_ANY},
        {"pythoncore-", -1, -1, 0, PYVER_PLAT_ANY},
        {"bin", -1, -1, 0, PYVER_PLAT_ANY},
        {"_cache", -1, -1, 0, PYVER_PLAT_ANY},
        {"pythoncore-3.14-64.old", -1, -1, 0, PYVER_PLAT_ANY},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct pyver_tag t;

        TU_INT_EQ(cases[i].in, pyver_parse_pymanager(cases[i].in, &t),
                  cases[i].ret);
        TU_INT_EQ(cases[i].in, t.ver.minor, cases[i].minor);
        TU_INT_EQ(cases[i].in, t.ft, cases[i].ft);
        TU_INT_EQ(cases[i].in, (int)t.plat, (int)cases[i].plat);
    }
}

static void test_pyver_parse__windows_suffixes(void **state)
{
    static const char *const in[] = {"3.12-32",       "3.12-64",
                                     "3.12-arm64",    "3.13t-32",
                                     "python3.14-32", "3.12.1-arm64"};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(in) / sizeof(*in); i++) {
        struct pyver v;

        TU_INT_EQ(in[i], pyver_parse(in[i], &v, 0), PLAT_WINDOWS ? 0 : -1);
        if (PLAT_WINDOWS)
            TU_INT_EQ(in[i], v.major, 3);
    }
    /* never, on any OS */
    {
        static const char *const bad[] = {
            "3t", "3-32", "3.12-16", "3.12tt", "3.12-32t", "3.12-", "3.12-x64"};
        struct pyver v;

        for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
            TU_INT_EQ(bad[i], pyver_parse(bad[i], &v, 0), -1);
    }
}

static void test_pyver_parse_tag__table(void **state)
{
    static const struct {
        const char *in;
        int ret, major, minor, micro, ft;
        enum pyver_plat plat;
    } cases[] = {
        {"3", 0, 3, -1, -1, 0, PYVER_PLAT_ANY},
        {"3.12", 0, 3, 12, -1, 0, PYVER_PLAT_ANY},
        {"3.12.4", 0, 3, 12, 4, 0, PYVER_PLAT_ANY},
        {"3.12-32", 0, 3, 12, -1, 0, PYVER_PLAT_32},
        {"3.12-64", 0, 3, 12, -1, 0, PYVER_PLAT_64},
        {"3.12-arm64", 0, 3, 12, -1, 0, PYVER_PLAT_ARM64},
        {"3.12-ARM64", 0, 3, 12, -1, 0, PYVER_PLAT_ARM64},
        {"3-32", 0, 3, -1, -1, 0, PYVER_PLAT_32},
        {"3.13t", 0, 3, 13, -1, 1, PYVER_PLAT_ANY},
        {"3.13T", 0, 3, 13, -1, 1, PYVER_PLAT_ANY},
        {"3.13t-32", 0, 3, 13, -1, 1, PYVER_PLAT_32},
        {"3.13t-arm64", 0, 3, 13, -1, 1, PYVER_PLAT_ARM64},
        {"3.13.1t", 0, 3, 13, 1, 1, PYVER_PLAT_ANY},
        {"3t", -1, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {"3.12-32t", -1, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {"3.12tt", -1, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {"3.12-", -1, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {"3.12-x86", -1, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {"3.12-32-32", -1, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {"3.12 -32", -1, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {"-32", -1, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {"", -1, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {"CPython3.12", -1, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {"3.12-dev", -1, -1, -1, -1, 0, PYVER_PLAT_ANY},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct pyver_tag t;

        memset(&t, 0x55, sizeof(t));
        TU_INT_EQ(cases[i].in, pyver_parse_tag(cases[i].in, &t), cases[i].ret);
        TU_INT_EQ(cases[i].in, t.ver.major, cases[i].major);
        TU_INT_EQ(cases[i].in, t.ver.minor, cases[i].minor);
        TU_INT_EQ(cases[i].in, t.ver.micro, cases[i].micro);
        TU_INT_EQ(cases[i].in, t.ft, cases[i].ft);
        TU_INT_EQ(cases[i].in, t.plat, cases[i].plat);
    }
}

static void test_pyver_plat_matches__table(void **state)
{
    enum { A = PYVER_PLAT_ANY, P32 = PYVER_PLAT_32, P64 = PYVER_PLAT_64 };
    enum { ARM = PYVER_PLAT_ARM64 };
    /* want[have]: have ANY, 32, 64, ARM64 */
    static const struct {
        int want;
        int ok[4];
    } cases[] = {
        {A, {1, 1, 1, 1}},
        {P32, {0, 1, 0, 0}},
        {P64, {1, 0, 1, 1}},
        {ARM, {0, 0, 0, 1}},
    };
    size_t i, h;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++)
        for (h = 0; h < 4; h++)
            TU_INT_EQ(pyver_plat_suffix((enum pyver_plat)cases[i].want),
                      pyver_plat_matches((enum pyver_plat)h,
                                         (enum pyver_plat)cases[i].want),
                      cases[i].ok[h]);
    assert_string_equal(pyver_plat_suffix(PYVER_PLAT_ANY), "");
    assert_string_equal(pyver_plat_suffix(PYVER_PLAT_32), "-32");
    assert_string_equal(pyver_plat_suffix(PYVER_PLAT_ARM64), "-arm64");
}

/* One table for the install-name parsers: which parser, the name, and
 * what it must say. */
enum parser { UV, PYENV, DLL, EXE };

static void test_pyver_parse_names__table(void **state)
{
    static const struct {
        enum parser which;
        const char *in;
        int ret, major, minor, micro, ft;
        enum pyver_plat plat;
    } cases[] = {
        {UV, "cpython-3.12.4-windows-x86_64-none", 0, 3, 12, 4, 0,
         PYVER_PLAT_64},
        {UV, "cpython-3.12.4-windows-x86-none", 0, 3, 12, 4, 0, PYVER_PLAT_32},
        {UV, "cpython-3.11.9-windows-i686-none", 0, 3, 11, 9, 0, PYVER_PLAT_32},
        {UV, "cpython-3.13.1-windows-aarch64-none", 0, 3, 13, 1, 0,
         PYVER_PLAT_ARM64},
        {UV, "cpython-3.13.0+freethreaded-windows-x86_64-none", 0, 3, 13, 0, 1,
         PYVER_PLAT_64},
        {UV, "cpython-3.14.0a1-windows-x86_64-none", 0, 3, 14, 0, 0,
         PYVER_PLAT_64},
        {UV, "cpython-3.12.4-linux-x86_64-gnu", 0, 3, 12, 4, 0, PYVER_PLAT_64},
        {UV, "cpython-3.12.4-linux-riscv64-gnu", 0, 3, 12, 4, 0,
         PYVER_PLAT_ANY},
        {UV, "cpython-3.12.4+debug-windows-x86_64-none", -1, -1, -1, -1, 0,
         PYVER_PLAT_ANY},
        {UV, "pypy-3.10.14-windows-x86_64-none", -1, -1, -1, -1, 0,
         PYVER_PLAT_ANY},
        {UV, "cpython-3.12-windows-x86_64-none", -1, -1, -1, -1, 0,
         PYVER_PLAT_ANY},
        {UV, "cpython-3.12.4-windows", -1, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {UV, "cpython-3.12.4-windows-x86_64-", -1, -1, -1, -1, 0,
         PYVER_PLAT_ANY},
        {UV, ".lock", -1, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {UV, ".cache", -1, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {PYENV, "3.12.4", 0, 3, 12, 4, 0, PYVER_PLAT_ANY},
        {PYENV, "3.12.4-win32", 0, 3, 12, 4, 0, PYVER_PLAT_32},
        {PYENV, "3.12.4-amd64", 0, 3, 12, 4, 0, PYVER_PLAT_64},
        {PYENV, "3.12.4-arm", 0, 3, 12, 4, 0, PYVER_PLAT_ARM64},
        {PYENV, "3.12.4-arm64", 0, 3, 12, 4, 0, PYVER_PLAT_ARM64},
        {PYENV, "3.13.0t", 0, 3, 13, 0, 1, PYVER_PLAT_ANY},
        {PYENV, "3.13.0a1", -1, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {PYENV, "3.12", -1, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {PYENV, "pypy3.10-v7.3.16", -1, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {PYENV, "3.12.4-win64", -1, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {DLL, "python312.dll", 0, 3, 12, -1, 0, PYVER_PLAT_ANY},
        {DLL, "PYTHON312.DLL", 0, 3, 12, -1, 0, PYVER_PLAT_ANY},
        {DLL, "python313t.dll", 0, 3, 13, -1, 1, PYVER_PLAT_ANY},
        {DLL, "python27.dll", 0, 2, 7, -1, 0, PYVER_PLAT_ANY},
        {DLL, "python3.dll", -1, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {DLL, "python3012.dll", -1, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {DLL, "python312.dll.bak", -1, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {DLL, "python312_d.dll", -1, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {DLL, "pythoncom312.dll", -1, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {DLL, "vcruntime140.dll", -1, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {EXE, "python.exe", 0, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {EXE, "Python.EXE", 0, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {EXE, "python3.exe", 0, 3, -1, -1, 0, PYVER_PLAT_ANY},
        {EXE, "python3.12.exe", 0, 3, 12, -1, 0, PYVER_PLAT_ANY},
        {EXE, "python3.13t.exe", 0, 3, 13, -1, 1, PYVER_PLAT_ANY},
        {EXE, "python3.14-32.exe", 0, 3, 14, -1, 0, PYVER_PLAT_32},
        {EXE, "pythonw.exe", -1, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {EXE, "python3.12", -1, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {EXE, "python3.12-config.exe", -1, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {EXE, "python_d.exe", -1, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {EXE, ".exe", -1, -1, -1, -1, 0, PYVER_PLAT_ANY},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct pyver_tag t;
        int ret = -2;

        memset(&t, 0x55, sizeof(t));
        switch (cases[i].which) {
        case UV:
            ret = pyver_parse_uv(cases[i].in, &t);
            break;
        case PYENV:
            ret = pyver_parse_pyenv_win(cases[i].in, &t);
            break;
        case DLL:
            ret = pyver_parse_dll(cases[i].in, &t);
            break;
        case EXE:
            ret = pyver_parse_exe(cases[i].in, &t);
            break;
        }
        TU_INT_EQ(cases[i].in, ret, cases[i].ret);
        TU_INT_EQ(cases[i].in, t.ver.major, cases[i].major);
        TU_INT_EQ(cases[i].in, t.ver.minor, cases[i].minor);
        TU_INT_EQ(cases[i].in, t.ver.micro, cases[i].micro);
        TU_INT_EQ(cases[i].in, t.ft, cases[i].ft);
        TU_INT_EQ(cases[i].in, t.plat, cases[i].plat);
    }
}

static void test_pyver_from_pep514__table(void **state)
{
    static const struct {
        const char *name, *company, *tag, *sysver, *ver, *arch;
        int wow32, major, minor, micro, ft;
        enum pyver_plat plat;
    } cases[] = {
        {"core", "PythonCore", "3.12", "3.12", "3.12.4", NULL, 0, 3, 12, 4, 0,
         PYVER_PLAT_ANY},
        {"core 32", "PythonCore", "3.12-32", "3.12", "3.12.4", "32bit", 0, 3,
         12, 4, 0, PYVER_PLAT_32},
        {"core ft", "PythonCore", "3.13t", "3.13", "3.13.1", "64bit", 0, 3, 13,
         1, 1, PYVER_PLAT_64},
        {"core arm", "PythonCore", "3.13-arm64", "3.13", NULL, NULL, 0, 3, 13,
         -1, 0, PYVER_PLAT_ARM64},
        {"tag only", "PythonCore", "3.11-32", NULL, NULL, NULL, 0, 3, 11, -1, 0,
         PYVER_PLAT_32},
        {"tag only, any case", "pythoncore", "3.10", NULL, NULL, NULL, 0, 3, 10,
         -1, 0, PYVER_PLAT_ANY},
        {"old 32-bit view", "PythonCore", "3.4", NULL, NULL, NULL, 1, 3, 4, -1,
         0, PYVER_PLAT_32},
        {"sysarch beats view", "PythonCore", "3.4", NULL, NULL, "64bit", 1, 3,
         4, -1, 0, PYVER_PLAT_64},
        {"other company", "ContinuumAnalytics", "Anaconda39-64", "3.9", NULL,
         "64bit", 0, 3, 9, -1, 0, PYVER_PLAT_64},
        {"uv's entries", "Astral", "CPython3.13.1", "3.13", "3.13.1", "64bit",
         0, 3, 13, 1, 0, PYVER_PLAT_64},
        {"Version only", "Acme", "thing", NULL, "3.11.2", NULL, 0, 3, 11, 2, 0,
         PYVER_PLAT_ANY},
        {"versions disagree", "Acme", "x", "3.11", "3.12.1", NULL, 0, 3, 11, -1,
         0, PYVER_PLAT_ANY},
        {"other company's tag is no version", "Acme", "3.12", NULL, NULL, NULL,
         0, -1, -1, -1, 0, PYVER_PLAT_ANY},
        {"garbage", "PythonCore", "dev", "x", "y", "16bit", 0, -1, -1, -1, 0,
         PYVER_PLAT_ANY},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct pyver_tag t;

        memset(&t, 0x55, sizeof(t));
        pyver_from_pep514(cases[i].company, cases[i].tag, cases[i].sysver,
                          cases[i].ver, cases[i].arch, cases[i].wow32, &t);
        TU_INT_EQ(cases[i].name, t.ver.major, cases[i].major);
        TU_INT_EQ(cases[i].name, t.ver.minor, cases[i].minor);
        TU_INT_EQ(cases[i].name, t.ver.micro, cases[i].micro);
        TU_INT_EQ(cases[i].name, t.ft, cases[i].ft);
        TU_INT_EQ(cases[i].name, t.plat, cases[i].plat);
    }
}

/* Syntax only, the same on every OS (POSIX reads such a value as a path). */
static void test_pyver_is_company_tag__cases(void **state)
{
    static const struct {
        const char *s;
        int want;
    } cases[] = {
        {"PythonCore/3.12", 1},
        {"Astral/CPython3.13.1", 1},
        {"My Co_1.x/t", 1},
        {"PythonCore/", 1},
        {"/3.12", 0},
        {"PythonCore", 0},
        {"a/b/c", 0},
        {"a/b\\c", 0},
        {"a/C:x", 0},
        {"./x", 0},
        {"~/x", 0},
        {"a/python.EXE", 0},
        {"a+b/x", 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++)
        TU_INT_EQ(cases[i].s, pyver_is_company_tag(cases[i].s), cases[i].want);
}

static void test_pyver_split_company_tag__table(void **state)
{
    static const struct {
        const char *in;
        int ret;
        const char *company, *tag;
    } cases[] = {
        {"PythonCore/3.12", 1, "PythonCore", "3.12"},
        {"PythonCore/3.12-32", 1, "PythonCore", "3.12-32"},
        {"PythonCore/", 1, "PythonCore", ""},
        {"Astral/CPython3.13.1", 1, "Astral", "CPython3.13.1"},
        {"Continuum Analytics/Anaconda39-64", 1, "Continuum Analytics",
         "Anaconda39-64"},
        {"/3.12", 0, NULL, NULL},
        {"3.12", 0, NULL, NULL},
        {"./python", 0, NULL, NULL},
        {"~/py/python", 0, NULL, NULL},
        {"/usr/bin/python3", 0, NULL, NULL},
        {"C:/Python312/python.exe", 0, NULL, NULL},
        {"tools/python.exe", 0, NULL, NULL},
        {"tools/PYTHON.EXE", 0, NULL, NULL},
        {"a/b/c", 0, NULL, NULL},
        {"a/b\\c", 0, NULL, NULL},
        {"a/b:c", 0, NULL, NULL},
        {"a\\b/c", 0, NULL, NULL},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct sb company = SB_INIT, tag = SB_INIT;

        sb_set(&company, "untouched");
        TU_INT_EQ(cases[i].in,
                  pyver_split_company_tag(cases[i].in, &company, &tag),
                  cases[i].ret);
        if (cases[i].ret) {
            TU_STR_EQ(cases[i].in, company.buf, cases[i].company);
            TU_STR_EQ(cases[i].in, tag.buf, cases[i].tag);
        } else {
            TU_STR_EQ(cases[i].in, company.buf, "untouched");
        }
        sb_release(&company);
        sb_release(&tag);
    }
}

static void test_pyver_tag_matches__table(void **state)
{
    static const struct {
        const char *have, *want;
        int ok;
    } cases[] = {
        {"3.12", "", 1},           {"3.12", "3.12", 1},
        {"3.12", "3", 1},          {"3.12-32", "3.12", 1},
        {"3.12-32", "3.12-32", 1}, {"3.12", "3.12-32", 0},
        {"3.120", "3.12", 0},      {"3.12t", "3.12", 0},
        {"3.1", "3.12", 0},        {"CPython3.13.1", "cpython3.13", 1},
        {"3.13t", "3.13t", 1},     {"3.13t-arm64", "3.13t", 1},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++)
        TU_INT_EQ(cases[i].have,
                  pyver_tag_matches(cases[i].have, cases[i].want), cases[i].ok);
}

static void test_pyver_matches__table(void **state)
{
    static const struct {
        const char *name;
        struct pyver v, r;
        int want;
    } cases[] = {
        {"any", {3, 12, 1}, {-1, -1, -1}, 1},
        {"major", {3, 12, 1}, {3, -1, -1}, 1},
        {"other major", {2, 7, 18}, {3, -1, -1}, 0},
        {"minor", {3, 12, 1}, {3, 12, -1}, 1},
        {"other minor", {3, 11, 1}, {3, 12, -1}, 0},
        {"micro", {3, 12, 1}, {3, 12, 1}, 1},
        {"other micro", {3, 12, 2}, {3, 12, 1}, 0},
        {"unknown micro vs exact", {3, 12, -1}, {3, 12, 1}, 0},
        {"unknown micro vs minor", {3, 12, -1}, {3, 12, -1}, 1},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++)
        TU_INT_EQ(cases[i].name, pyver_matches(&cases[i].v, &cases[i].r),
                  cases[i].want);
}

static void test_pyver_cmp__order(void **state)
{
    /* ascending */
    static const struct pyver order[] = {
        {-1, -1, -1}, {2, 7, 18}, {3, -1, -1}, {3, 8, -1}, {3, 8, 0},
        {3, 8, 9},    {3, 8, 10}, {3, 10, 0},  {3, 12, 1}, {4, 0, 0},
    };
    size_t i, j, n = sizeof(order) / sizeof(*order);

    (void)state;
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++) {
            int c = pyver_cmp(&order[i], &order[j]);

            if ((i < j && c >= 0) || (i > j && c <= 0) || (i == j && c))
                fail_msg("pyver_cmp(#%zu, #%zu) = %d", i, j, c);
        }
}

static void test_pyver_str__forms(void **state)
{
    static const struct {
        struct pyver v;
        const char *want;
    } cases[] = {
        {{3, 12, 1}, "3.12.1"},
        {{3, 12, -1}, "3.12"},
        {{3, -1, -1}, "3"},
        {{-1, -1, -1}, "?"},
        {{10, 200, 3000}, "10.200.3000"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        char buf[32];

        memset(buf, 'x', sizeof(buf));
        assert_ptr_equal(pyver_str(&cases[i].v, buf, sizeof(buf)), buf);
        TU_STR_EQ(cases[i].want, buf, cases[i].want);
    }
}

static void test_pyver_str__round_trip(void **state)
{
    static const char *const in[] = {"3", "3.9", "3.12.10", "2.7.18", NULL};
    size_t i;

    (void)state;
    for (i = 0; in[i]; i++) {
        struct pyver v;
        char buf[32];

        assert_int_equal(pyver_parse(in[i], &v, 0), 0);
        TU_STR_EQ(in[i], pyver_str(&v, buf, sizeof(buf)), in[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pyver_parse__table),
        cmocka_unit_test(test_pyver_parse__free_threaded),
        cmocka_unit_test(test_pyver_parse__windows_suffixes),
        cmocka_unit_test(test_pyver_parse_pymanager__table),
        cmocka_unit_test(test_pyver_parse_tag__table),
        cmocka_unit_test(test_pyver_plat_matches__table),
        cmocka_unit_test(test_pyver_parse_names__table),
        cmocka_unit_test(test_pyver_from_pep514__table),
        cmocka_unit_test(test_pyver_is_company_tag__cases),
        cmocka_unit_test(test_pyver_split_company_tag__table),
        cmocka_unit_test(test_pyver_tag_matches__table),
        cmocka_unit_test(test_pyver_matches__table),
        cmocka_unit_test(test_pyver_cmp__order),
        cmocka_unit_test(test_pyver_str__forms),
        cmocka_unit_test(test_pyver_str__round_trip),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
