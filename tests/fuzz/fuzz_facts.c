/*
 * fuzz_facts: the facts readers and writer themselves (launcher/facts.c).
 * facts_parse reads a cache record (the line format of facts.h) and
 * facts_parse_probe the probe's JSON output; this target gives both
 * arbitrary bytes, the record reader without and with a key to match.
 * Whatever either reader accepts, the record facts_record writes from
 * those facts must read back, with its key, to the same facts (a cache
 * hit depends on it), and be a miss under any other key.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/sb.h"
#include "launcher/facts.h"
#include "common/pyver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A key as facts_key makes them, with bytes that need escaping. */
#define KEY "123:2049:42:1700000000000000000:/opt/py thon\n/\\bin/python3"

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

static void check_roundtrip(const struct facts *f)
{
    struct facts g = FACTS_INIT;
    struct sb rec = SB_INIT;

    facts_record(&rec, f, KEY);
    if (facts_parse(rec.buf, rec.len, KEY, &g) < 0)
        abort(); /* the writer made a record the reader rejects */
    if (pyver_cmp(&f->ver, &g.ver) || !same_str(f->impl, g.impl) ||
        !same_str(f->abiflags, g.abiflags) ||
        !same_str(f->libpython, g.libpython) ||
        !same_str(f->prefix, g.prefix) || f->ext_managed != g.ext_managed)
        abort();
    facts_release(&g);
    if (!facts_parse(rec.buf, rec.len, "other", &g) ||
        !facts_parse(rec.buf, rec.len, KEY "x", &g))
        abort(); /* a record under another key is a miss */
    check_released(&g);
    sb_release(&rec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct facts f = FACTS_INIT;

    /* as the probe's output */
    if (facts_parse_probe((const char *)data, size, &f) < 0) {
        check_released(&f);
    } else {
        check_facts(&f);
        check_roundtrip(&f);
        facts_release(&f);
    }
    /* as a cache record, read without a key */
    if (facts_parse((const char *)data, size, NULL, &f) < 0) {
        check_released(&f);
    } else {
        check_facts(&f);
        check_roundtrip(&f);
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
