/*
 * pyshim: one executable, two roles, chosen by the name it is called by.
 * "pyshim" is the management CLI (cli/); every other name (python,
 * python3, python3.N, pip, pip3, pip3.N, with ".exe" on Windows) is the
 * shim.
 */
#include <string.h>

#include "common/ascii.h"
#include "common/path.h"
#include "common/plat.h"
#include "cli/cli.h"
#include "shim/shim.h"
#include "common/banned.h"

/* The CLI's names: "pyshim", and on Windows (caseless names)
 * "pyshim.exe", "PyShim.EXE". */
static int is_cli(const char *name)
{
    return PLAT_WINDOWS ? ascii_istarts(name, "pyshim")
                        : !strncmp(name, "pyshim", 6);
}

int main(int argc, char **argv)
{
    const char *name;

    plat_main_args(&argc, &argv);
    name = argc > 0 && argv[0] ? path_basename(argv[0]) : "";
    /* "pyshim", "pyshim.exe", "PYSHIM.EXE": Windows names are caseless */
    if (is_cli(name))
        return cli_main(argc, argv);
    return shim_main(argc, argv);
}
