#include "common/jsonkv.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "common/banned.h"

int jsonkv_parse(const char *text, size_t len, struct sv *keys, struct sv *vals)
{
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, NULL, 0);
    const cJSON *it;
    int ret = -1;

    if (!root || !cJSON_IsObject(root))
        goto out;
    cJSON_ArrayForEach(it, root)
    {
        if (cJSON_IsString(it))
            sv_push(vals, it->valuestring);
        else if (cJSON_IsNumber(it))
            sv_pushf(vals, "%.17g", it->valuedouble);
        else if (cJSON_IsBool(it))
            sv_push(vals, cJSON_IsTrue(it) ? "true" : "false");
        else if (cJSON_IsNull(it))
            sv_push(vals, "");
        else
            goto out;
        sv_push(keys, it->string);
    }
    ret = 0;
out:
    cJSON_Delete(root);
    if (ret) {
        sv_release(keys);
        sv_release(vals);
    }
    return ret;
}

int jsonkv_top_string(const char *text, size_t len, const char *key,
                      struct sb *out)
{
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, NULL, 0);
    const cJSON *it;
    int ret = -1;

    if (root && cJSON_IsObject(root)) {
        it = cJSON_GetObjectItemCaseSensitive(root, key);
        ret = cJSON_IsString(it) ? 1 : 0;
        if (ret)
            sb_set(out, it->valuestring);
    }
    cJSON_Delete(root);
    return ret;
}

const char *jsonkv_get(const struct sv *keys, const struct sv *vals,
                       const char *key)
{
    long i = sv_find(keys, key);

    return i < 0 ? NULL : vals->v[i];
}
