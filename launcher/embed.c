#include "launcher/embed.h"

#include "common/exitcode.h"
#include "common/plat.h"
#include "common/banned.h"

typedef int (*bytes_main_fn)(int, char **);

int embed_run(const char *libpython, int argc, char **argv, int *status,
              struct err *e)
{
    void *lib = plat_dlopen(libpython);
    union {
        void *p;
        bytes_main_fn f;
    } sym;

    if (!lib) {
        err_set(e, PYSHIM_EXIT_CANTEXEC, "cannot load '%s': %s", libpython,
                plat_dlerror());
        return -1;
    }
    /* ISO C has no function pointer from void *: the union is how POSIX
     * code spells dlsym's result portably. */
    sym.p = plat_dlsym(lib, "Py_BytesMain");
    if (!sym.p) {
        err_set(e, PYSHIM_EXIT_CANTEXEC, "'%s' has no Py_BytesMain: %s",
                libpython, plat_dlerror());
        return -1;
    }
    *status = sym.f(argc, argv);
    return 0;
}
