/* pyshim doctor: being written (placeholder so the tree links). */
#include <stdio.h>

#include "common/exitcode.h"
#include "installer/cli.h"

int inst_doctor(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "pyshim: error: 'doctor' is not built yet\n");
    return PYSHIM_EXIT_SOFTWARE;
}
