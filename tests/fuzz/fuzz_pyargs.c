/*
 * fuzz_pyargs: pyargs_script on an argv made by splitting the input at
 * NUL bytes (the one byte an argument cannot hold).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "launcher/pyargs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    char **argv;
    const char *script;
    int argc = 0, i;
    size_t j;

    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    argv = malloc((size + 2) * sizeof(*argv));
    if (!argv) {
        free(buf);
        return 0;
    }
    /* each argument is its own allocation, so reading past one is caught */
    for (j = 0; j <= size; j += strlen(buf + j) + 1) {
        if (j == size && size && buf[size - 1] == '\0')
            break;
        argv[argc++] = strdup(buf + j);
    }
    argv[argc] = NULL;

    script = pyargs_script(argc, argv);
    if (script) {
        for (i = 0; i < argc && argv[i] != script; i++)
            ;
        if (i == argc)
            abort(); /* borrowed from argv, or NULL */
    }
    for (i = 0; i < argc; i++)
        free(argv[i]);
    free(argv);
    free(buf);
    return 0;
}
