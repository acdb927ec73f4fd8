/*
 * fuzz_facts: the facts reader and writer themselves (launcher/facts.c).
 * facts_parse is what reads both the probe's output and a cache entry;
 * this target gives it arbitrary bytes, without and with a key to match.
 * When the bytes are what the probe prints (one JSON object, then only
 * white space) and the reader accepts them, the record facts_record
 * writes from them must read back, with its key, to the same facts: a
 * cache hit depends on it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/sb.h"
#include "launcher/facts.h"
#include "common/pyver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A key as facts_get makes them: a SHA-256 in hex. */
#define KEY "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

static void check_facts(const struct facts *f)
{
    if (!f->impl || !f->abiflags || !f->prefix)
        abort();
    if (f->ver.major < 0 || f->ver.minor < 0 || f->ver.micro < 0)
        abort();
    if (f->libpython && !*f->libpython)
        abort(); /* "" reads as no libpython */
}

static void check_released(const struct facts *f)
{
    if (f->impl || f->abiflags || f->libpython || f->prefix || f->ext_managed)
        abort();
}

/* The bytes are one JSON object, as the probe prints it, and hold no
 * "key" of their own (the probe's never do). */
static int probe_like(const uint8_t *data, size_t size)
{
    const char *end = NULL;
    cJSON *root;
    int ok;

    if (memchr(data, '\0', size))
        return 0;
    root = cJSON_ParseWithLengthOpts((const char *)data, size, &end, 0);
    ok = root && cJSON_IsObject(root) && !cJSON_GetObjectItem(root, "key");
    cJSON_Delete(root);
    if (!ok || !end)
        return 0;
    for (; end < (const char *)data + size; end++)
        if (!strchr(" \t\r\n", *end))
            return 0;
    return 1;
}

static void check_roundtrip(const uint8_t *data, size_t size,
                            const struct facts *f)
{
    struct facts g = FACTS_INIT;
    struct sb rec = SB_INIT;

    if (facts_record(&rec, (const char *)data, size, KEY) < 0)
        abort(); /* a probe-like object ends in '}' */
    if (facts_parse(rec.buf, rec.len, KEY, &g) < 0)
        abort(); /* the writer made a record the reader rejects */
    if (pyver_cmp(&f->ver, &g.ver) || !same_str(f->impl, g.impl) ||
        !same_str(f->abiflags, g.abiflags) ||
        !same_str(f->libpython, g.libpython) ||
        !same_str(f->prefix, g.prefix) || f->ext_managed != g.ext_managed)
        abort();
    facts_release(&g);
    if (!facts_parse(rec.buf, rec.len, "other", &g))
        abort(); /* a record under another key is a miss */
    check_released(&g);
    sb_release(&rec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct facts f = FACTS_INIT;

    if (facts_parse((const char *)data, size, NULL, &f) < 0) {
        check_released(&f);
    } else {
        check_facts(&f);
        if (probe_like(data, size))
            check_roundtrip(data, size, &f);
        facts_release(&f);
    }
    /* as a cache entry: only a record with this very key counts */
    if (facts_parse((const char *)data, size, KEY, &f) < 0) {
        check_released(&f);
    } else {
        check_facts(&f);
        facts_release(&f);
    }
    return 0;
}
