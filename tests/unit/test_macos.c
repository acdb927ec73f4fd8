/* Unit tests for the macOS rules that are pure functions, checked on any
 * OS: cli/shellrc.h (login shells), facts_is_framework_lib (framework
 * builds run by exec under auto) and plat_jupyter_data_dir_posix
 * (~/Library/Jupyter). */
#include <stdlib.h>
#include <string.h>

#include "cli/shellrc.h"
#include "common/plat.h"
#include "common/sb.h"
#include "launcher/facts.h"
#include "tests/unit/testutil.h"

/* The files that "exist" for a case: a space-separated list of names
 * under /home/u. */
static const char *existing;

static int fake_exists(const char *path)
{
    const char *base = strrchr(path, '/');
    const char *p = existing;
    size_t n;

    if (!base || strncmp(path, "/home/u/", 8) || strchr(path + 8, '/'))
        return 0;
    base++;
    n = strlen(base);
    while (p && *p) {
        if (!strncmp(p, base, n) && (p[n] == ' ' || !p[n]))
            return 1;
        p = strchr(p, ' ');
        if (p)
            p++;
    }
    return 0;
}

static void join(const struct sv *sv, char *buf, size_t size)
{
    size_t i;

    buf[0] = '\0';
    for (i = 0; i < sv->nr; i++) {
        if (i)
            strncat(buf, " ", size - strlen(buf) - 1);
        strncat(buf, sv->v[i], size - strlen(buf) - 1);
    }
}

static void test_shellrc_install_files__table(void **state)
{
    static const struct {
        const char *name;
        int macos;
        const char *shell, *zdotdir, *xdg, *existing, *want;
    } cases[] = {
        {"linux bash", 0, "bash", NULL, NULL, ".profile", "/home/u/.bashrc"},
        {"linux zsh", 0, "zsh", NULL, NULL, "", "/home/u/.zshrc"},
        {"linux zsh ZDOTDIR", 0, "zsh", "/z", NULL, "", "/z/.zshrc"},
        {"linux fish", 0, "fish", NULL, NULL, "",
         "/home/u/.config/fish/conf.d/pyshim.fish"},
        {"linux fish XDG", 0, "fish", NULL, "/x", "",
         "/x/fish/conf.d/pyshim.fish"},
        {"mac zsh: login file first", 1, "zsh", NULL, NULL, "",
         "/home/u/.zprofile /home/u/.zshrc"},
        {"mac zsh ZDOTDIR", 1, "zsh", "/z", NULL, "", "/z/.zprofile /z/.zshrc"},
        {"mac bash, no login file: create .bash_profile", 1, "bash", NULL, NULL,
         "", "/home/u/.bash_profile /home/u/.bashrc"},
        {"mac bash: .profile is the login file", 1, "bash", NULL, NULL,
         ".profile", "/home/u/.profile /home/u/.bashrc"},
        {"mac bash: .bash_login before .profile", 1, "bash", NULL, NULL,
         ".profile .bash_login", "/home/u/.bash_login /home/u/.bashrc"},
        {"mac bash: .bash_profile first", 1, "bash", NULL, NULL,
         ".profile .bash_login .bash_profile",
         "/home/u/.bash_profile /home/u/.bashrc"},
        {"mac fish as on linux", 1, "fish", NULL, NULL, "",
         "/home/u/.config/fish/conf.d/pyshim.fish"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct shellrc_in in = {cases[i].macos, "/home/u", cases[i].zdotdir,
                                cases[i].xdg, fake_exists};
        struct sv out = SV_INIT;
        char got[512];

        existing = cases[i].existing;
        shellrc_install_files(&in, cases[i].shell, &out);
        join(&out, got, sizeof(got));
        TU_STR_EQ(cases[i].name, got, cases[i].want);
        sv_release(&out);
    }
}

static void test_shellrc_all_files__covers_every_install(void **state)
{
    struct shellrc_in in = {1, "/home/u", NULL, NULL, fake_exists};
    struct sv out = SV_INIT;
    char got[512];

    (void)state;
    existing = "";
    shellrc_all_files(&in, "bash", &out);
    join(&out, got, sizeof(got));
    TU_STR_EQ(
        "mac bash", got,
        "/home/u/.bash_profile /home/u/.bash_login /home/u/.profile /home/u/.bashrc");
    sv_release(&out);
    shellrc_all_files(&in, "zsh", &out);
    join(&out, got, sizeof(got));
    TU_STR_EQ("mac zsh", got, "/home/u/.zprofile /home/u/.zshrc");
    sv_release(&out);
    in.macos = 0;
    shellrc_all_files(&in, "bash", &out);
    join(&out, got, sizeof(got));
    TU_STR_EQ("linux bash", got, "/home/u/.bashrc");
    sv_release(&out);
}

/* Jupyter's data dir (kernels go in its kernels/), as jupyter_core's
 * jupyter_data_dir() has it on each OS when JUPYTER_DATA_DIR is unset. */
static void test_jupyter_data_dir__table(void **state)
{
    static const struct {
        const char *name;
        int macos;
        const char *home, *xdg, *want; /* want NULL: ENOENT */
    } cases[] = {
        {"linux", 0, "/home/u", NULL, "/home/u/.local/share/jupyter"},
        {"linux XDG_DATA_HOME", 0, "/home/u", "/x", "/x/jupyter"},
        {"linux empty XDG_DATA_HOME", 0, "/home/u", "",
         "/home/u/.local/share/jupyter"},
        {"linux XDG without home", 0, NULL, "/x", "/x/jupyter"},
        {"linux no home", 0, NULL, NULL, NULL},
        {"mac", 1, "/Users/u", NULL, "/Users/u/Library/Jupyter"},
        {"mac ignores XDG_DATA_HOME", 1, "/Users/u", "/x",
         "/Users/u/Library/Jupyter"},
        {"mac no home", 1, "", "/x", NULL},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sb out = SB_INIT;
        int ret = plat_jupyter_data_dir_posix(cases[i].macos, cases[i].home,
                                              cases[i].xdg, &out);

        if (!cases[i].want) {
            TU_INT_EQ(cases[i].name, ret, -1);
        } else {
            TU_INT_EQ(cases[i].name, ret, 0);
            TU_STR_EQ(cases[i].name, out.buf, cases[i].want);
        }
        sb_release(&out);
    }
}

static void test_facts_is_framework_lib__table(void **state)
{
    static const struct {
        const char *path;
        int want;
    } cases[] = {
        {"/Library/Frameworks/Python.framework/Versions/3.12/Python", 1},
        {"/opt/homebrew/Cellar/python@3.12/3.12.4/Frameworks/Python.framework/Versions/3.12/Python",
         1},
        {"/Library/Frameworks/Python.framework/Versions/3.12/lib/libpython3.12.dylib",
         0},
        {"/Library/Frameworks/Python.framework/Versions/3.12/Resources/Python.app/Contents/MacOS/Python",
         1},
        {"/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0", 0},
        {"/x/Python", 0},
        {"", 0},
        {NULL, 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        TU_INT_EQ(cases[i].path ? cases[i].path : "(null)",
                  facts_is_framework_lib(cases[i].path), cases[i].want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shellrc_install_files__table),
        cmocka_unit_test(test_shellrc_all_files__covers_every_install),
        cmocka_unit_test(test_facts_is_framework_lib__table),
        cmocka_unit_test(test_jupyter_data_dir__table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
