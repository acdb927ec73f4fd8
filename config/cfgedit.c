#include "config/cfgedit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/exitcode.h"
#include "common/plat.h"
#include "common/sb.h"
#include "config/cfg.h"
#include "common/banned.h"

/* cJSON indents with tabs and puts one after each ':'; a tab inside a
 * string is always escaped, so every raw tab is layout. */
static void render(cJSON *root, struct sb *out)
{
    char *s = cJSON_Print(root);
    const char *p;

    sb_reset(out);
    for (p = s; p && *p; p++) {
        if (*p == '\t' && p > s && p[-1] == ':')
            sb_addch(out, ' ');
        else if (*p == '\t')
            sb_addstr(out, "  ");
        else
            sb_addch(out, *p);
    }
    sb_addch(out, '\n');
    cJSON_free(s);
}

static void set_string(cJSON *root, const char *key, const char *val,
                       struct sb *sum)
{
    cJSON *old = cJSON_GetObjectItemCaseSensitive(root, key);

    if (old && cJSON_IsString(old) && !strcmp(old->valuestring, val))
        return;
    if (old)
        cJSON_ReplaceItemInObjectCaseSensitive(root, key,
                                               cJSON_CreateString(val));
    else
        cJSON_AddItemToObject(root, key, cJSON_CreateString(val));
    sb_addf(sum, "%s%s = \"%s\"", sum->len ? ", " : "", key, val);
}

/* The file's JSON object (a new one when it does not exist); text gets
 * the bytes read. NULL with e on error. */
static cJSON *load_root(const char *file, struct sb *text, struct err *e)
{
    cJSON *root;

    if (plat_read_file(file, CFG_MAX_BYTES, text) < 0) {
        if (errno == ENOENT)
            return cJSON_CreateObject();
        err_set(e, PYSHIM_EXIT_NOINPUT, "cannot read '%s': %s", file,
                plat_strerror(errno));
        return NULL;
    }
    /* the caller validated it with cfg_load first */
    root = cJSON_ParseWithLength(text->buf, text->len);
    if (!root || !cJSON_IsObject(root)) {
        err_set(e, PYSHIM_EXIT_CONFIG, "'%s' is not a JSON object", file);
        err_hint(e, "fix it by hand (`pyshim doctor` shows where)");
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

/* Append the entries of add that "shared" lacks. */
static int add_shared(cJSON *root, const char *file, const struct sv *add,
                      struct sb *sum, struct err *e)
{
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "shared");
    size_t i;

    if (arr && cJSON_IsString(arr)) {
        cJSON *one = cJSON_CreateArray();

        cJSON_AddItemToArray(one, cJSON_CreateString(arr->valuestring));
        cJSON_ReplaceItemInObjectCaseSensitive(root, "shared", one);
        arr = one;
    } else if (!arr) {
        arr = cJSON_AddArrayToObject(root, "shared");
    }
    if (!cJSON_IsArray(arr)) {
        err_set(e, PYSHIM_EXIT_CONFIG, "'%s': \"shared\" is not an array",
                file);
        return -1;
    }
    for (i = 0; i < add->nr; i++) {
        const cJSON *it;
        int have = 0;

        cJSON_ArrayForEach(it, arr)
        {
            if (cJSON_IsString(it) && !strcmp(it->valuestring, add->v[i]))
                have = 1;
        }
        if (have)
            continue;
        cJSON_AddItemToArray(arr, cJSON_CreateString(add->v[i]));
        sb_addf(sum, "%sshared += \"%s\"", sum->len ? ", " : "", add->v[i]);
    }
    return 0;
}

int cfg_update_file(const char *file, const struct cfg_update *u, int *changed,
                    char **summary, struct err *e)
{
    struct sb text = SB_INIT, out = SB_INIT, sum = SB_INIT;
    cJSON *root = NULL;
    int ret = -1;

    *changed = 0;
    if (summary)
        *summary = NULL;
    root = load_root(file, &text, e);
    if (!root)
        goto out;
    if (u->python)
        set_string(root, "python", u->python, &sum);
    if (u->venv)
        set_string(root, "venv", u->venv, &sum);
    if (u->shared_add && u->shared_add->nr &&
        add_shared(root, file, u->shared_add, &sum, e) < 0)
        goto out;
    render(root, &out);
    if (out.len == text.len && !memcmp(out.buf, text.buf, out.len)) {
        ret = 0;
        goto out;
    }
    if (u->before_write &&
        u->before_write(file, out.buf, out.len, u->arg, e) < 0)
        goto out;
    if (plat_write_atomic(file, out.buf, out.len, 0644) < 0) {
        err_set(e, PYSHIM_EXIT_CANTCREAT, "cannot write '%s': %s", file,
                plat_strerror(errno));
        goto out;
    }
    *changed = 1;
    if (summary)
        *summary = sb_detach(&sum, NULL);
    ret = 0;
out:
    cJSON_Delete(root);
    sb_release(&text);
    sb_release(&out);
    sb_release(&sum);
    return ret;
}
