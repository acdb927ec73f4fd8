#include "config/kspec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/exitcode.h"
#include "common/plat.h"
#include "common/sb.h"
#include "common/xalloc.h"
#include "common/banned.h"

int kspec_parse(struct kspec *k, const char *file, const char *text, size_t len,
                struct err *e)
{
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, NULL, 0);
    const cJSON *argv, *it, *meta, *env, *name;
    int ret = -1;

    kspec_release(k);
    k->file = xstrdup(file);
    if (!root || !cJSON_IsObject(root)) {
        err_set(e, PYSHIM_EXIT_CONFIG, "kernelspec '%s' is not a JSON object",
                file);
        goto out;
    }
    argv = cJSON_GetObjectItemCaseSensitive(root, "argv");
    if (!cJSON_IsArray(argv) || !cJSON_GetArraySize(argv)) {
        err_set(e, PYSHIM_EXIT_CONFIG,
                "kernelspec '%s' has no \"argv\" list of strings", file);
        goto out;
    }
    cJSON_ArrayForEach(it, argv)
    {
        if (!cJSON_IsString(it)) {
            err_set(e, PYSHIM_EXIT_CONFIG,
                    "kernelspec '%s': \"argv\" holds a non-string", file);
            goto out;
        }
        sv_push(&k->argv, it->valuestring);
    }
    name = cJSON_GetObjectItemCaseSensitive(root, "display_name");
    if (cJSON_IsString(name))
        k->display_name = xstrdup(name->valuestring);
    env = cJSON_GetObjectItemCaseSensitive(root, "env");
    if (cJSON_IsObject(env)) {
        it = cJSON_GetObjectItemCaseSensitive(env, "PYSHIM_PROJECT");
        if (cJSON_IsString(it))
            k->project = xstrdup(it->valuestring);
    }
    meta = cJSON_GetObjectItemCaseSensitive(root, "metadata");
    k->is_pyshim = cJSON_IsObject(meta) &&
                   cJSON_GetObjectItemCaseSensitive(meta, "pyshim") != NULL;
    ret = 0;
out:
    cJSON_Delete(root);
    if (ret)
        err_hint(e, "fix or remove it (`jupyter kernelspec remove NAME`)");
    return ret;
}

int kspec_load(struct kspec *k, const char *file, struct err *e)
{
    struct sb text = SB_INIT;
    int ret = -1;

    if (plat_read_file(file, KSPEC_MAX_BYTES, &text) < 0) {
        err_set(e, PYSHIM_EXIT_NOINPUT, "cannot read kernelspec '%s': %s", file,
                plat_strerror(errno));
        goto out;
    }
    ret = kspec_parse(k, file, text.buf, text.len, e);
out:
    sb_release(&text);
    return ret;
}

void kspec_release(struct kspec *k)
{
    free(k->file);
    sv_release(&k->argv);
    free(k->display_name);
    free(k->project);
    memset(k, 0, sizeof(*k));
}
