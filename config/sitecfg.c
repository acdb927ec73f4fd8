/*
 * sitecfg: the administrator's system config (config/sitecfg.h).
 *
 * Over 600 lines: the trust of the file (owner and mode of it and of every
 * directory above it), its parse, its grants to other users and the edits
 * `pyshim site` makes belong to one file format and one threat model.
 */
#include "config/sitecfg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/pyver.h"
#include "common/sb.h"
#include "common/xalloc.h"
#include "config/cfg.h"
#include "common/banned.h"

const char *sitecfg_default_path(void)
{
    return PLAT_WINDOWS ? NULL : "/etc/pyshim/config.json";
}

const char *sitecfg_path(void)
{
    const char *v = plat_getenv("PYSHIM_SYSTEM_CONFIG");

    if (v)
        return *v ? v : NULL;
    return sitecfg_default_path();
}

/*
 * The system config steers every user's python, so only root may have
 * written it: the file and each directory above its real path must be
 * root's and writable by no one else. A sticky directory (/tmp) may be
 * writable by all: no one there can rename or remove what root put in it.
 * Judged on the real path (no link left to swap) after the read, and the
 * real path must still be the file that was read.
 */
char *sitecfg_unsafe(const char *real, const struct plat_stat *st)
{
    struct sb dir = SB_INIT, why = SB_INIT, prev = SB_INIT;
    struct plat_stat ds;

    if (st->uid != 0) {
        sb_addf(
            &why,
            "it is owned by uid %llu, not root, so that user could steer every user's python (as root: chown root:root '%s', or remove it)",
            (unsigned long long)st->uid, real);
        goto out;
    }
    if (st->perm & 0022) {
        sb_addf(
            &why,
            "it is writable by %s, so others could steer every user's python (as root: chmod go-w '%s')",
            (st->perm & 0002) ? "every user" : "its group", real);
        goto out;
    }
    if (plat_stat(real, &ds, 1) < 0 || ds.dev != st->dev || ds.ino != st->ino) {
        sb_addstr(&why, "it changed while it was read (run the command again)");
        goto out;
    }
    sb_addstr(&dir, real);
    for (;;) {
        sb_set(&prev, dir.buf);
        path_dirname(&dir);
        if (!strcmp(dir.buf, prev.buf))
            break;
        if (plat_stat(dir.buf, &ds, 0) < 0 || !ds.is_dir) {
            sb_addf(&why, "its directory '%s' cannot be examined", dir.buf);
            break;
        }
        if (ds.uid != 0) {
            sb_addf(
                &why,
                "its directory '%s' is owned by uid %llu, not root, so that user could replace it (keep the system config in a directory only root can write, such as /etc/pyshim)",
                dir.buf, (unsigned long long)ds.uid);
            break;
        }
        if ((ds.perm & 0022) && !(ds.perm & 01000)) {
            sb_addf(
                &why,
                "its directory '%s' is writable by %s, so others could replace it (as root: chmod go-w '%s')",
                dir.buf, (ds.perm & 0002) ? "every user" : "its group",
                dir.buf);
            break;
        }
        if (path_is_root(dir.buf))
            break;
    }
out:
    sb_release(&dir);
    sb_release(&prev);
    if (!why.len) {
        sb_release(&why);
        return NULL;
    }
    return sb_detach(&why, NULL);
}

static int bad(struct err *e, const char *file, const char *key,
               const char *what, const char *hint)
{
    err_set(e, PYSHIM_EXIT_CONFIG, "%s: key '%s' %s", file, key, what);
    return err_hint(e, "%s", hint);
}

static int string_list(const cJSON *j, const char *file, const char *key,
                       const char *hint, struct sv *out, struct err *e)
{
    const cJSON *it;

    if (cJSON_IsString(j) && j->valuestring[0]) {
        sv_push(out, j->valuestring);
        return 0;
    }
    if (!cJSON_IsArray(j))
        return bad(e, file, key, "must be an array of strings", hint);
    cJSON_ArrayForEach(it, j)
    {
        if (!cJSON_IsString(it) || !it->valuestring[0])
            return bad(e, file, key, "must hold non-empty strings only", hint);
        sv_push(out, it->valuestring);
    }
    return 0;
}

static int parse_site_shared(struct sitecfg *s, const cJSON *j,
                             const char *file, const char *dir, struct err *e)
{
    static const char hint[] =
        "write \"site_shared\": {\"ml\": \"/opt/stacks/ml\"}: names to absolute paths";
    const cJSON *it;

    if (!cJSON_IsObject(j))
        return bad(e, file, "site_shared", "must be an object", hint);
    cJSON_ArrayForEach(it, j)
    {
        struct sb abs = SB_INIT;
        struct err sub = ERR_INIT;

        if (!cfg_is_name(it->string))
            return bad(
                e, file, "site_shared",
                "holds a name that is not letters, digits, '.', '_' or '-'",
                hint);
        if (!cJSON_IsString(it) || !it->valuestring[0])
            return bad(e, file, "site_shared", "must map names to paths", hint);
        if (it->valuestring[0] == '~' ||
            path_absolute(&abs, it->valuestring, dir, NULL, &sub) < 0) {
            err_release(&sub);
            sb_release(&abs);
            return bad(e, file, "site_shared",
                       "holds a path that is not absolute", hint);
        }
        sv_push(&s->names, it->string);
        sv_push_nodup(&s->paths, sb_detach(&abs, NULL));
    }
    return 0;
}

static int parse_grants(struct sitecfg *s, const cJSON *j, const char *file,
                        const char *dir, struct err *e)
{
    static const char hint[] =
        "write \"project_users\": {\"/srv/app\": [\"svc\"]}: absolute project dirs to user names";
    const cJSON *it, *u;

    if (!cJSON_IsObject(j))
        return bad(e, file, "project_users", "must be an object", hint);
    cJSON_ArrayForEach(it, j)
    {
        struct sb abs = SB_INIT;

        if (it->string[0] != '/' ||
            path_absolute(&abs, it->string, dir, NULL, NULL) < 0) {
            sb_release(&abs);
            return bad(e, file, "project_users",
                       "holds a project dir that is not absolute", hint);
        }
        if (!cJSON_IsArray(it)) {
            sb_release(&abs);
            return bad(e, file, "project_users",
                       "must map each dir to an array of user names", hint);
        }
        cJSON_ArrayForEach(u, it)
        {
            if (!cJSON_IsString(u) || !u->valuestring[0]) {
                sb_release(&abs);
                return bad(e, file, "project_users",
                           "must hold non-empty user names", hint);
            }
            sv_push(&s->grant_dirs, abs.buf);
            sv_push(&s->grant_users, u->valuestring);
        }
        sb_release(&abs);
    }
    return 0;
}

static int parse_root(struct sitecfg *s, const cJSON *root, const char *file,
                      const char *dir, struct err *e)
{
    static const char *const keys[] = {
        "site_shared",       "python",   "shared",
        "allow_user_shared", "pythons",  "project_users",
        "$schema",           "$comment", NULL};
    const cJSON *it;

    if (!cJSON_IsObject(root)) {
        err_set(e, PYSHIM_EXIT_CONFIG, "%s: the top level must be an object",
                file);
        return err_hint(
            e, "write {\"site_shared\": {\"ml\": \"/opt/stacks/ml\"}}");
    }
    cJSON_ArrayForEach(it, root)
    {
        size_t i;
        int known = 0;

        for (i = 0; keys[i]; i++)
            known |= !strcmp(it->string, keys[i]);
        if (!known) {
            err_set(e, PYSHIM_EXIT_CONFIG, "%s: unknown key '%s'", file,
                    it->string);
            return err_hint(
                e,
                "valid keys: site_shared, python, shared, allow_user_shared, pythons");
        }
    }
    it = cJSON_GetObjectItemCaseSensitive(root, "site_shared");
    if (it && parse_site_shared(s, it, file, dir, e) < 0)
        return -1;
    it = cJSON_GetObjectItemCaseSensitive(root, "python");
    if (it) {
        if (!cJSON_IsString(it) || !it->valuestring[0])
            return bad(e, file, "python", "must be a non-empty string",
                       "write a version such as \"3.11\" or an absolute path");
        if (cfg_is_path_request(it->valuestring)) {
            struct sb abs = SB_INIT;

            if (it->valuestring[0] == '~' ||
                path_absolute(&abs, it->valuestring, dir, NULL, NULL) < 0) {
                sb_release(&abs);
                return bad(e, file, "python",
                           "holds a path that is not absolute",
                           "write an absolute interpreter path");
            }
            s->python = sb_detach(&abs, NULL);
        } else {
            s->python = xstrdup(it->valuestring);
        }
    }
    it = cJSON_GetObjectItemCaseSensitive(root, "shared");
    if (it) {
        size_t i;

        if (string_list(
                it, file, "shared",
                "write \"shared\": [\"ml\"] with names from site_shared",
                &s->shared, e) < 0)
            return -1;
        for (i = 0; i < s->shared.nr; i++)
            if (!sitecfg_env(s, s->shared.v[i]))
                return bad(e, file, "shared",
                           "names an env that is not in site_shared",
                           "list only names defined in \"site_shared\"");
        s->has_shared = 1;
    }
    it = cJSON_GetObjectItemCaseSensitive(root, "allow_user_shared");
    if (it) {
        if (!cJSON_IsBool(it))
            return bad(e, file, "allow_user_shared", "must be true or false",
                       "write \"allow_user_shared\": false");
        s->allow_user_shared = cJSON_IsTrue(it);
    }
    it = cJSON_GetObjectItemCaseSensitive(root, "project_users");
    if (it && parse_grants(s, it, file, dir, e) < 0)
        return -1;
    it = cJSON_GetObjectItemCaseSensitive(root, "pythons");
    if (it) {
        size_t i;
        struct pyver v;
        static const char hint[] = "write \"pythons\": [\"3.11\", \"3.12\"]";

        if (string_list(it, file, "pythons", hint, &s->pythons, e) < 0)
            return -1;
        for (i = 0; i < s->pythons.nr; i++)
            if (pyver_parse(s->pythons.v[i], &v, 0) < 0 || v.major < 0)
                return bad(e, file, "pythons", "holds something not a version",
                           hint);
    }
    return 0;
}

int sitecfg_parse(struct sitecfg *s, const char *file, const char *text,
                  size_t len, struct err *e)
{
    struct sb dir = SB_INIT;
    cJSON *root;
    int ret;

    root = cJSON_ParseWithLength(text, len);
    if (!root) {
        err_set(e, PYSHIM_EXIT_CONFIG, "%s: malformed JSON", file);
        return err_hint(e, "an administrator must fix the system config");
    }
    sb_addstr(&dir, file);
    path_dirname(&dir);
    s->allow_user_shared = 1;
    ret = parse_root(s, root, file, dir.buf, e);
    if (ret < 0)
        err_hint(e, "an administrator must fix the system config");
    else
        s->file = xstrdup(file);
    cJSON_Delete(root);
    sb_release(&dir);
    return ret;
}

int sitecfg_load(struct sitecfg *s, const char *file, char **refused,
                 struct err *e)
{
    struct sb text = SB_INIT, real = SB_INIT;
    struct plat_stat st;
    char *why;
    int ret = 0;

    *refused = NULL;
    if (!file || !*file)
        return 0;
    if (plat_read_regular(file, CFG_MAX_BYTES, &text, &st) < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            goto out;
        sb_addf(&real, "%s: the system config cannot be read: %s", file,
                plat_read_strerror(errno));
        *refused = sb_detach(&real, NULL);
        goto out;
    }
    if (plat_realpath(file, &real) < 0)
        why = xstrdup("it changed while it was read (run the command again)");
    else
        why = sitecfg_unsafe(real.buf, &st);
    if (why) {
        sb_reset(&real);
        sb_addf(&real, "%s: %s", file, why);
        *refused = sb_detach(&real, NULL);
        free(why);
        goto out;
    }
    ret = sitecfg_parse(s, file, text.buf, text.len, e);
out:
    sb_release(&text);
    sb_release(&real);
    return ret;
}

const char *sitecfg_env(const struct sitecfg *s, const char *name)
{
    long i = sv_find(&s->names, name);

    return i < 0 ? NULL : s->paths.v[i];
}

int sitecfg_python_allowed(const struct sitecfg *s, int major, int minor)
{
    size_t i;

    if (!s->pythons.nr)
        return 1;
    for (i = 0; i < s->pythons.nr; i++) {
        struct pyver v;

        if (pyver_parse(s->pythons.v[i], &v, 0) < 0)
            continue;
        if (v.major == major && (v.minor < 0 || v.minor == minor))
            return 1;
    }
    return 0;
}

void sitecfg_release(struct sitecfg *s)
{
    free(s->file);
    free(s->python);
    sv_release(&s->shared);
    sv_release(&s->names);
    sv_release(&s->paths);
    sv_release(&s->pythons);
    sv_release(&s->grant_dirs);
    sv_release(&s->grant_users);
    sv_release(&s->my_dirs);
    free(s->my_owners);
    memset(s, 0, sizeof(*s));
    s->allow_user_shared = 1;
}

/* The system config's JSON object, for an edit by `pyshim site`/`trust
 * --for` (an empty one when the file does not exist yet); NULL with e. */
static cJSON *edit_load(const char *file, struct sb *text, struct err *e)
{
    cJSON *root;

    if (plat_read_regular(file, CFG_MAX_BYTES, text, NULL) < 0) {
        if (errno == ENOENT)
            return cJSON_CreateObject();
        err_set(e, PYSHIM_EXIT_CONFIG, "cannot read '%s': %s", file,
                plat_read_strerror(errno));
        err_hint(e, "fix or remove the file");
        return NULL;
    }
    root = cJSON_ParseWithLength(text->buf, text->len);
    if (root && cJSON_IsObject(root))
        return root;
    cJSON_Delete(root);
    err_set(e, PYSHIM_EXIT_CONFIG, "%s: malformed JSON", file);
    err_hint(e, "fix the system config by hand, then run it again");
    return NULL;
}

int sitecfg_set_env(const char *file, const char *name, const char *path,
                    struct err *e)
{
    struct sb text = SB_INIT, dir = SB_INIT;
    cJSON *root = NULL, *ss, *sh;
    char *out = NULL;
    int ret = -1;

    if (!(root = edit_load(file, &text, e)))
        goto out;
    ss = cJSON_GetObjectItemCaseSensitive(root, "site_shared");
    if (ss && !cJSON_IsObject(ss)) {
        err_set(e, PYSHIM_EXIT_CONFIG,
                "%s: key 'site_shared' must be an object", file);
        err_hint(e, "fix the system config by hand, then run it again");
        goto out;
    }
    if (!ss)
        ss = cJSON_AddObjectToObject(root, "site_shared");
    cJSON_DeleteItemFromObjectCaseSensitive(ss, name);
    if (path) {
        cJSON_AddStringToObject(ss, name, path);
    } else {
        sh = cJSON_GetObjectItemCaseSensitive(root, "shared");
        if (cJSON_IsArray(sh)) {
            int i;

            for (i = cJSON_GetArraySize(sh) - 1; i >= 0; i--) {
                cJSON *it = cJSON_GetArrayItem(sh, i);

                if (cJSON_IsString(it) && !strcmp(it->valuestring, name))
                    cJSON_DeleteItemFromArray(sh, i);
            }
        }
    }
    out = cJSON_Print(root);
    sb_set(&text, out);
    sb_addch(&text, '\n');
    sb_addstr(&dir, file);
    path_dirname(&dir);
    if ((plat_mkdirs(dir.buf, 0755) < 0 && !plat_is_dir(dir.buf)) ||
        plat_write_atomic(file, text.buf, text.len, 0644) < 0) {
        err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot write '%s': %s", file,
                plat_strerror(errno));
        err_hint(e, "run it as root");
        goto out;
    }
    ret = 0;
out:
    cJSON_free(out);
    cJSON_Delete(root);
    sb_release(&text);
    sb_release(&dir);
    return ret;
}

/*
 * A grant says: this user runs that project as its owner set it up (a
 * service account, `sudo -u`, a JupyterHub spawner). The owner's files
 * there are then taken as the user's own. So the dir must be the owner's
 * alone: owned by them and writable by no one else; then only the owner
 * (and root) could have put anything there, and the grant names whom the
 * user trusts.
 */
/* Can no one but root and owner rename or replace what is at real (a
 * real path)? Each directory above it must be root's or owner's and
 * writable by no one else, or sticky. 0 with the first one that is not in
 * above. */
static int parents_closed(const char *real, uint64_t owner, struct sb *above)
{
    struct sb prev = SB_INIT;
    struct plat_stat ds;
    int ret = 1;

    sb_set(above, real);
    for (;;) {
        sb_set(&prev, above->buf);
        path_dirname(above);
        if (!strcmp(above->buf, prev.buf))
            break;
        if (plat_stat(above->buf, &ds, 0) < 0 ||
            (ds.uid != 0 && ds.uid != owner) ||
            ((ds.perm & 0022) && !(ds.perm & 01000))) {
            ret = 0;
            break;
        }
        if (path_is_root(above->buf))
            break;
    }
    sb_release(&prev);
    return ret;
}

void sitecfg_grants(struct sitecfg *s, struct sv *skipped)
{
    struct sb me = SB_INIT, real = SB_INIT, above = SB_INIT;
    struct plat_stat st;
    size_t i;

    if (!s->grant_users.nr || plat_user_name(&me) < 0)
        goto out;
    for (i = 0; i < s->grant_users.nr; i++) {
        const char *dir = s->grant_dirs.v[i];

        if (strcmp(s->grant_users.v[i], me.buf))
            continue;
        if (plat_realpath(dir, &real) < 0 || plat_stat(real.buf, &st, 0) < 0 ||
            !st.is_dir) {
            sv_pushf(skipped, "%s: granted to you in '%s', but not a directory",
                     dir, s->file);
            continue;
        }
        if (st.perm & 0022) {
            sv_pushf(
                skipped,
                "%s: granted to you in '%s', but writable by others than its owner (its owner: chmod go-w '%s')",
                dir, s->file, real.buf);
            continue;
        }
        if (!parents_closed(real.buf, st.uid, &above)) {
            sv_pushf(
                skipped,
                "%s: granted to you in '%s', but '%s' above it belongs to or is writable by someone else, who could put another directory there",
                dir, s->file, above.buf);
            continue;
        }
        sv_push(&s->my_dirs, real.buf);
        s->my_owners =
            xrealloc(s->my_owners, s->my_dirs.nr * sizeof(*s->my_owners));
        s->my_owners[s->my_dirs.nr - 1] = st.uid;
    }
out:
    sb_release(&me);
    sb_release(&real);
    sb_release(&above);
}

uint64_t sitecfg_granted_owner(const struct sitecfg *s, const char *path)
{
    struct sb real = SB_INIT;
    uint64_t ret = (uint64_t)-1;
    size_t i;

    if (!s->my_dirs.nr)
        return ret;
    if (plat_realpath(path, &real) < 0)
        sb_set(&real, path);
    for (i = 0; i < s->my_dirs.nr; i++)
        if (path_is_inside(real.buf, s->my_dirs.v[i]))
            ret = s->my_owners[i];
    sb_release(&real);
    return ret;
}

/*
 * A grant vouches for what the owner wrote, not for what others could
 * write: the file (st, from the descriptor read; NULL: stat path) must be
 * writable by neither group nor others, and each directory from its own
 * up to the granted one owned by root or the owner and writable by no one
 * else (or sticky), else someone else could have put it there (issue 16).
 */
uint64_t sitecfg_granted_closed(const struct sitecfg *s, const char *path,
                                const struct plat_stat *st)
{
    struct sb real = SB_INIT, dir = SB_INIT, prev = SB_INIT;
    struct plat_stat fs, ds;
    uint64_t owner = (uint64_t)-1, ret = (uint64_t)-1;
    size_t i, top = 0;

    if (!s->my_dirs.nr)
        return ret;
    if (!st) {
        if (plat_stat(path, &fs, 1) < 0)
            return ret;
        st = &fs;
    }
    if (plat_realpath(path, &real) < 0)
        goto out;
    for (i = 0; i < s->my_dirs.nr; i++)
        if (path_is_inside(real.buf, s->my_dirs.v[i])) {
            owner = s->my_owners[i];
            top = i;
        }
    if (owner == (uint64_t)-1 || (st->perm & 0022) ||
        (st->uid != 0 && st->uid != owner))
        goto out;
    sb_set(&dir, real.buf);
    while (!path_equal(dir.buf, s->my_dirs.v[top])) {
        sb_set(&prev, dir.buf);
        path_dirname(&dir);
        if (!strcmp(dir.buf, prev.buf) || plat_stat(dir.buf, &ds, 0) < 0 ||
            (ds.uid != 0 && ds.uid != owner) ||
            ((ds.perm & 0022) && !(ds.perm & 01000)))
            goto out;
    }
    ret = owner;
out:
    sb_release(&real);
    sb_release(&dir);
    sb_release(&prev);
    return ret;
}

int sitecfg_grant(const char *file, const char *dir, const char *user,
                  struct err *e)
{
    struct sb text = SB_INIT, parent = SB_INIT;
    cJSON *root = NULL, *pu, *list = NULL, *it = NULL;
    char *out = NULL;
    int ret = -1;

    if (!(root = edit_load(file, &text, e)))
        goto out;
    pu = cJSON_GetObjectItemCaseSensitive(root, "project_users");
    if (!pu)
        pu = cJSON_AddObjectToObject(root, "project_users");
    if (cJSON_IsObject(pu)) {
        list = cJSON_GetObjectItemCaseSensitive(pu, dir);
        if (!list)
            list = cJSON_AddArrayToObject(pu, dir);
    }
    if (!cJSON_IsArray(list)) {
        err_set(e, PYSHIM_EXIT_CONFIG,
                "%s: key 'project_users' is not an object of arrays", file);
        err_hint(e, "fix the system config by hand, then run it again");
        goto out;
    }
    cJSON_ArrayForEach(it, list)
    {
        if (cJSON_IsString(it) && !strcmp(it->valuestring, user))
            break;
    }
    if (!it)
        cJSON_AddItemToArray(list, cJSON_CreateString(user));
    out = cJSON_Print(root);
    sb_set(&text, out);
    sb_addch(&text, '\n');
    sb_addstr(&parent, file);
    path_dirname(&parent);
    if ((plat_mkdirs(parent.buf, 0755) < 0 && !plat_is_dir(parent.buf)) ||
        plat_write_atomic(file, text.buf, text.len, 0644) < 0) {
        err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot write '%s': %s", file,
                plat_strerror(errno));
        err_hint(e, "run it as root");
        goto out;
    }
    ret = 0;
out:
    cJSON_free(out);
    cJSON_Delete(root);
    sb_release(&text);
    sb_release(&parent);
    return ret;
}
