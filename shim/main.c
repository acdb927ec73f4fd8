/*
 * pyshim: one executable, two roles, chosen by the name it is called by.
 * "pyshim" is the management CLI (installer/); every other name (python,
 * python3, python3.N, pip, pip3, pip3.N) is the shim.
 */
#include <string.h>

#include "common/path.h"
#include "installer/cli.h"
#include "shim/shim.h"
#include "common/banned.h"

int main(int argc, char **argv)
{
    const char *name = argc > 0 && argv[0] ? path_basename(argv[0]) : "";

    if (!strncmp(name, "pyshim", 6))
        return inst_main(argc, argv);
    return shim_main(argc, argv);
}
