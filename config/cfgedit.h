/*
 * cfgedit: change keys of a .pyshim.json (or any of pyshim's JSON files)
 * while keeping every other key and the key order: what `pyshim init`
 * and the CLI write. The file is written atomically, and only when its
 * content changes.
 */
#ifndef PYSHIM_CFGEDIT_H
#define PYSHIM_CFGEDIT_H

#include "common/err.h"
#include "common/sv.h"

struct cfg_update {
    const char *python;          /* set "python" (NULL: keep) */
    const char *venv;            /* set "venv" (NULL: keep) */
    const struct sv *shared_add; /* append missing entries (NULL: none) */
    /* Called with the new content just before it is written (NULL: no
     * call); a negative return stops the write. `pyshim init` trusts what
     * it writes there, so a kill between the two steps leaves no
     * untrusted config of its own behind. */
    int (*before_write)(const char *file, const char *text, size_t len,
                        void *arg, struct err *e);
    void *arg;
};

/* Apply u to file (created if missing). *changed says if it was written;
 * *summary (caller frees, may be NULL) lists what changed. */
int cfg_update_file(const char *file, const struct cfg_update *u, int *changed,
                    char **summary, struct err *e);

#endif
