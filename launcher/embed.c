#include "launcher/embed.h"

#include "common/exitcode.h"
#include "common/plat.h"
#include "common/banned.h"

typedef int (*bytes_main_fn)(int, char **);
/* Py_Main(int, wchar_t **), spelled without wchar.h: plat_wide_argv's
 * array is handed over as it is. */
typedef int (*wide_main_fn)(int, void *);

int embed_run(const char *libpython, int argc, char **argv, int *status,
              struct err *e)
{
    void *lib = plat_dlopen(libpython);
    union {
        void *p;
        bytes_main_fn f;
        wide_main_fn w;
    } sym;

    if (!lib) {
        err_set(e, PYSHIM_EXIT_CANTEXEC, "cannot load '%s': %s", libpython,
                plat_dlerror());
        return -1;
    }
    /* ISO C has no function pointer from void *: the union is how POSIX
     * code spells dlsym's result portably. Windows: Py_BytesMain would
     * decode argv from the ANSI code page, so Py_Main gets it in UTF-16. */
    sym.p = plat_dlsym(lib, PLAT_WINDOWS ? "Py_Main" : "Py_BytesMain");
    if (!sym.p) {
        err_set(e, PYSHIM_EXIT_CANTEXEC, "'%s' has no %s: %s", libpython,
                PLAT_WINDOWS ? "Py_Main" : "Py_BytesMain", plat_dlerror());
        return -1;
    }
    if (PLAT_WINDOWS)
        *status = sym.w(argc, plat_wide_argv(argc, argv));
    else
        *status = sym.f(argc, argv);
    return 0;
}
