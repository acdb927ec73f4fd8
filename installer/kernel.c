/* pyshim kernel: being written (placeholder so the tree links). */
#include <stdio.h>

#include "common/exitcode.h"
#include "installer/cli.h"

int inst_kernel(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "pyshim: error: 'kernel' is not built yet\n");
    return PYSHIM_EXIT_SOFTWARE;
}
