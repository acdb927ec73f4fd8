/*
 * fuzz_facts: the facts cache reader. facts.c reads a cache entry with
 * jsonkv_parse and then takes "key", "version", "impl", "abiflags",
 * "libpython", "prefix" and "ext_managed" from it (from_cache and fill,
 * both static); this target does the same on arbitrary bytes, so the
 * parser and every lookup see hostile entries. It also checks that what
 * the writer produces (sb_addjson) reads back unchanged, which is what a
 * cache hit depends on.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/sb.h"
#include "common/sv.h"
#include "common/jsonkv.h"
#include "common/pyver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* True if s is valid UTF-8 (no overlongs, surrogates or > U+10FFFF). */
static int utf8_valid(const unsigned char *s)
{
    while (*s) {
        size_t n, i;
        unsigned cp;

        if (s[0] < 0x80) {
            s++;
            continue;
        }
        if (s[0] >= 0xc2 && s[0] <= 0xdf)
            n = 2, cp = s[0] & 0x1f;
        else if (s[0] >= 0xe0 && s[0] <= 0xef)
            n = 3, cp = s[0] & 0x0f;
        else if (s[0] >= 0xf0 && s[0] <= 0xf4)
            n = 4, cp = s[0] & 0x07;
        else
            return 0;
        for (i = 1; i < n; i++) {
            if ((s[i] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i] & 0x3f);
        }
        if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
            return 0;
        s += n;
    }
    return 1;
}

/* Write {"prefix": s, "key": "1:2:3:" s} as facts_get does and read it
 * back: valid UTF-8 must survive exactly. */
static void check_roundtrip(const char *s)
{
    struct sb rec = SB_INIT, key = SB_INIT;
    struct sv k = SV_INIT, v = SV_INIT;
    const char *got;

    sb_addf(&key, "1:2:3:%s", s);
    sb_addstr(&rec, "{\"prefix\": ");
    sb_addjson(&rec, s);
    sb_addstr(&rec, ", \"key\": ");
    sb_addjson(&rec, key.buf);
    sb_addstr(&rec, "}\n");
    if (jsonkv_parse(rec.buf, rec.len, &k, &v) < 0)
        abort(); /* the writer made something the reader rejects */
    if (utf8_valid((const unsigned char *)s)) {
        got = jsonkv_get(&k, &v, "key");
        if (!got || strcmp(got, key.buf))
            abort();
        got = jsonkv_get(&k, &v, "prefix");
        if (!got || strcmp(got, s))
            abort();
    }
    sb_release(&rec);
    sb_release(&key);
    sv_release(&k);
    sv_release(&v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sv k = SV_INIT, v = SV_INIT;
    struct pyver ver;
    const char *vs, *prefix;
    char buf[32];
    size_t i;

    if (jsonkv_parse((const char *)data, size, &k, &v) < 0) {
        if (k.nr || v.nr)
            abort(); /* failure leaves both empty */
        return 0;
    }
    if (k.nr != v.nr)
        abort();
    for (i = 0; i < k.nr; i++)
        if (!k.v[i] || !v.v[i])
            abort();
    /* from_cache and fill, step by step */
    (void)jsonkv_get(&k, &v, "key");
    vs = jsonkv_get(&k, &v, "version");
    (void)jsonkv_get(&k, &v, "impl");
    (void)jsonkv_get(&k, &v, "abiflags");
    (void)jsonkv_get(&k, &v, "libpython");
    prefix = jsonkv_get(&k, &v, "prefix");
    (void)jsonkv_get(&k, &v, "ext_managed");
    if (vs && pyver_parse(vs, &ver, 0) == 0)
        pyver_str(&ver, buf, sizeof(buf));
    if (prefix)
        check_roundtrip(prefix);
    sv_release(&k);
    sv_release(&v);
    return 0;
}
