/*
 * cfg: one parsed .pyshim.json (or the global config.json).
 *
 * The file is read, checked key by key, copied into struct cfg and the
 * JSON tree is dropped: cJSON never leaves config/. Paths in the result are
 * absolute (resolved against the file's directory, "~" expanded); shared
 * entries that are names stay names.
 */
#ifndef PYSHIM_CFG_H
#define PYSHIM_CFG_H

#include <stddef.h>

#include "common/err.h"
#include "common/sb.h"
#include "common/sv.h"

enum cfg_mode {
    CFG_MODE_UNSET = 0,
    CFG_MODE_AUTO,
    CFG_MODE_EXEC,
    CFG_MODE_EMBED
};

/* Largest config file accepted; anything bigger is a mistake. */
#define CFG_MAX_BYTES (1024 * 1024)

struct cfg {
    char *file;   /* absolute path of the source file; NULL if none */
    char *dir;    /* directory relative paths resolved against */
    char *python; /* version request as written, or absolute path */
    int python_is_path;
    char *venv;       /* absolute path of the venv, or NULL */
    struct sv shared; /* names, or absolute paths */
    int has_shared;   /* the key was present (possibly empty) */
    struct sv env;    /* "NAME=VALUE" pairs, in file order */
    int has_env;
    enum cfg_mode mode;
};

#define CFG_INIT                                                               \
    {                                                                          \
        NULL, NULL, NULL, 0, NULL, SV_INIT, 0, SV_INIT, 0, 0                   \
    }

/* Parse text (len bytes, need not be NUL-terminated) read from file, whose
 * directory anchors relative paths; home expands "~". On error returns -1
 * and e names the file, line, column and key, with a hint. */
int cfg_parse(struct cfg *c, const char *file, const char *text, size_t len,
              const char *home, struct err *e);
struct toml;
/* The same keys from a TOML table (pyproject.toml's [tool.pyshim],
 * config/pyproject.h), file being the TOML file: errors name its line
 * and column. */
int cfg_parse_toml(struct cfg *c, const char *file, const struct toml *table,
                   const char *home, struct err *e);
/* Read and parse file: one read (plat_read_regular: a regular file only,
 * never blocking). text (may be NULL) gets the very bytes parsed, for
 * trust_check_text / trust_add_text. */
int cfg_load(struct cfg *c, const char *file, const char *home, struct err *e);
int cfg_load_text(struct cfg *c, const char *file, const char *home,
                  struct sb *text, struct err *e);
/* The error cfg_load reports when file cannot be read because of errnum
 * (with a hint for a directory, a link loop, a mode). Returns -1. */
int cfg_read_error(struct err *e, const char *file, int errnum);
void cfg_release(struct cfg *c);

/* True if s is a shared-env name (letters, digits, '.', '_', '-'; not "."
 * or "..", and not starting with '-', which would read as an option on
 * the command line: `pyshim shared create -- --help`), false if it is to
 * be taken as a path. */
int cfg_is_name(const char *s);
/* True if s reads as an interpreter path rather than a version request:
 * it has a directory part (path_has_dir: '/'; on Windows also '\\' or a
 * drive "C:"), or starts with '~' or '.'. On Windows a PEP 514
 * "Company/Tag" (pyver_is_company_tag) is a request, not a path. */
int cfg_is_path_request(const char *s);
const char *cfg_mode_name(enum cfg_mode m);
/* The valid key nearest to key (edit distance <= 2), or NULL. */
const char *cfg_suggest_key(const char *key);

#endif
