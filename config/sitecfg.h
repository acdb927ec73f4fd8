/*
 * sitecfg: the system config an administrator owns (/etc/pyshim/config.json,
 * or PYSHIM_SYSTEM_CONFIG), docs/site.md.
 *
 *   {"site_shared": {"ml": "/opt/stacks/ml-2026.11"},
 *    "python": "3.11", "shared": ["ml"],
 *    "allow_user_shared": false, "pythons": ["3.11", "3.12"]}
 *
 * It is the last layer: project config > the user's global config > the
 * system config. It is believed only when the file and every directory
 * above its real path are owned by root and writable by no one else (a
 * sticky root directory such as /tmp may be above it); otherwise it is
 * refused with a warning and never parsed. The file is read once, without
 * blocking, and judged from that descriptor (plat_read_regular).
 */
#ifndef PYSHIM_SITECFG_H
#define PYSHIM_SITECFG_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/plat.h"
#include "common/sv.h"

/* Where the system config is looked for when PYSHIM_SYSTEM_CONFIG is not
 * set; NULL on Windows (no system config there). */
const char *sitecfg_default_path(void);
/* PYSHIM_SYSTEM_CONFIG when set (empty: none), else the default. */
const char *sitecfg_path(void);

struct sitecfg {
    char *file;            /* the file believed; NULL when none */
    char *python;          /* default interpreter (version or absolute path) */
    struct sv shared;      /* default shared envs for users with no project */
    int has_shared;        /* "shared" was given */
    struct sv names;       /* site shared envs: names ... */
    struct sv paths;       /* ... and their absolute paths (same order) */
    int allow_user_shared; /* 0: only site envs may be layered */
    struct sv pythons;     /* allowed versions ("3.11"); empty: any */
    /* "project_users": {"/srv/app": ["svc"]}: pairs, grant_dirs[i] may be
     * run by the user grant_users[i] as its owner set it up */
    struct sv grant_dirs, grant_users;
    /* filled by sitecfg_grants for this process's user: the granted
     * project dirs (real paths) and the uid of each one's owner */
    struct sv my_dirs;
    uint64_t *my_owners;
};

#define SITECFG_INIT                                                           \
    {                                                                          \
        NULL, NULL, SV_INIT, 0, SV_INIT, SV_INIT, 1, SV_INIT, SV_INIT,         \
            SV_INIT, SV_INIT, NULL                                             \
    }

/* Why the system config file, read with stat *st from real path real,
 * may not be believed (NULL: it may): the file and every directory above
 * real must be root's and closed to others (sticky dirs excepted). The
 * reason ends with what to do. Caller frees. */
char *sitecfg_unsafe(const char *real, const struct plat_stat *st);

/* Read file (NULL or absent: s stays empty, 0). Refused (unsafe): s stays
 * empty, 0, and *refused (caller frees) gets "FILE: why, what to do".
 * Malformed: -1 with e naming the file and key. */
int sitecfg_load(struct sitecfg *s, const char *file, char **refused,
                 struct err *e);
/* Parse text (len bytes) read from file. -1 with e on error. */
int sitecfg_parse(struct sitecfg *s, const char *file, const char *text,
                  size_t len, struct err *e);
/* The site env path for name, or NULL. */
const char *sitecfg_env(const struct sitecfg *s, const char *name);
/* 1 when version (as "3.11.4" or "3.11") is allowed by "pythons". */
int sitecfg_python_allowed(const struct sitecfg *s, int major, int minor);
void sitecfg_release(struct sitecfg *s);

/* Fill my_dirs/my_owners: the "project_users" dirs granted to this
 * process's user, each an existing directory owned by another user (its
 * owner) and writable by no one but that owner; each dir refused is
 * appended to skipped as "DIR: why". Reads the passwd entry and stats. */
void sitecfg_grants(struct sitecfg *s, struct sv *skipped);
/* The owner uid of the granted project dir holding path (path's real
 * path inside one of my_dirs), or (uint64_t)-1 when none does. */
uint64_t sitecfg_granted_owner(const struct sitecfg *s, const char *path);
/* The granted owner as sitecfg_granted_owner, but only when no one else
 * could have written path: it (st, or stat'd when NULL) and each dir from
 * its own up to the granted dir are root's or the owner's and not group-
 * or other-writable (a sticky dir aside); else (uint64_t)-1. */
uint64_t sitecfg_granted_closed(const struct sitecfg *s, const char *path,
                                const struct plat_stat *st);
/* "project_users": in the system config file, add user to dir's list
 * (made as sitecfg_set_env does). -1 with e. */
int sitecfg_grant(const char *file, const char *dir, const char *user,
                  struct err *e);

/* `pyshim site`: in the system config file (made, with its directory,
 * when missing; written atomically, mode 0644), set "site_shared"[name]
 * to path, or with path NULL remove name from "site_shared" and from
 * "shared". Other keys are kept. -1 with e. */
int sitecfg_set_env(const char *file, const char *name, const char *path,
                    struct err *e);

#endif
