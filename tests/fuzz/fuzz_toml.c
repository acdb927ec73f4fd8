/*
 * fuzz_toml: toml_parse on arbitrary bytes, as a pyproject.toml. A
 * document either parses into a tree whose strings hold no NUL and whose
 * tables hold no key twice, or fails with a message naming the file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "config/toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct toml *t, int depth)
{
    const struct toml *c, *d;
    size_t n = 0;

    if (depth > 4 * TOML_MAX_DEPTH * TOML_MAX_DEPTH)
        abort();
    for (c = t->child; c; c = c->next)
        n++;
    for (c = t->child; c; c = c->next) {
        if (t->type == TOML_TABLE) {
            if (!c->key)
                abort();
            /* (pairwise: only where that stays cheap) */
            for (d = n <= 512 ? c->next : NULL; d; d = d->next)
                if (!strcmp(c->key, d->key))
                    abort(); /* a key twice in one table */
        } else if (t->type != TOML_ARRAY) {
            abort(); /* only tables and arrays have children */
        }
        if ((c->type == TOML_STRING || c->type == TOML_OTHER) && !c->str)
            abort();
        if (!c->line || !c->col)
            abort();
        check(c, depth + 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct err e = ERR_INIT;
    struct toml *t =
        toml_parse("/p/pyproject.toml", (const char *)data, size, &e);

    if (!t) {
        if (!e.msg || strncmp(e.msg, "/p/pyproject.toml:", 18) || !e.hint)
            abort();
    } else {
        if (e.msg || t->type != TOML_TABLE)
            abort();
        check(t, 0);
    }
    toml_free(t);
    err_release(&e);
    return 0;
}
