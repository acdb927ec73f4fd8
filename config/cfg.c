#include "config/cfg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/pyver.h"
#include "common/sb.h"
#include "common/xalloc.h"
#include "config/toml.h"
#include "common/banned.h"

static const char *const valid_keys[] = {"python", "venv",    "shared",   "env",
                                         "mode",   "$schema", "$comment", NULL};

const char *cfg_mode_name(enum cfg_mode m)
{
    switch (m) {
    case CFG_MODE_AUTO:
        return "auto";
    case CFG_MODE_EXEC:
        return "exec";
    case CFG_MODE_EMBED:
        return "embed";
    default:
        return "unset";
    }
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i, j;
    size_t *row;
    size_t d;

    if (la > 64 || lb > 64)
        return 99;
    row = xmalloc((lb + 1) * sizeof(*row));
    for (j = 0; j <= lb; j++)
        row[j] = j;
    for (i = 1; i <= la; i++) {
        size_t prev = row[0];

        row[0] = i;
        for (j = 1; j <= lb; j++) {
            size_t cur = row[j];
            size_t best = prev + (a[i - 1] != b[j - 1]);

            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            prev = cur;
        }
    }
    d = row[lb];
    free(row);
    return d;
}

const char *cfg_suggest_key(const char *key)
{
    const char *best = NULL;
    size_t bestd = 3, i;

    for (i = 0; valid_keys[i]; i++) {
        size_t d = edit_distance(key, valid_keys[i]);

        if (d < bestd) {
            bestd = d;
            best = valid_keys[i];
        }
    }
    return best;
}

int cfg_is_name(const char *s)
{
    const char *p;

    if (!*s || *s == '-' || !strcmp(s, ".") || !strcmp(s, ".."))
        return 0;
    for (p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
            return 0;
    return 1;
}

int cfg_is_path_request(const char *s)
{
    if (PLAT_WINDOWS && pyver_is_company_tag(s))
        return 0;
    return path_has_dir(s) || s[0] == '~' || s[0] == '.';
}

/* Line and column (1-based) of byte offset off in text. */
static void line_col(const char *text, size_t len, size_t off, size_t *line,
                     size_t *col)
{
    size_t i;

    *line = 1;
    *col = 1;
    for (i = 0; i < off && i < len; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else if (((unsigned char)text[i] & 0xc0) != 0x80) {
            (*col)++;
        }
    }
}

/*
 * Offset of the top-level key `key` in a JSON object text, found with a
 * small scanner (cJSON keeps no positions). Returns len if not found.
 */
static size_t key_offset(const char *text, size_t len, const char *key)
{
    size_t i = 0, klen = strlen(key);
    int depth = 0;

    while (i < len) {
        char c = text[i];

        if (c == '"') {
            size_t start = i++;

            while (i < len && text[i] != '"') {
                if (text[i] == '\\')
                    i++;
                i++;
            }
            if (depth == 1 && i - start - 1 == klen &&
                !memcmp(text + start + 1, key, klen)) {
                size_t j = i + 1;

                while (j < len && strchr(" \t\r\n", text[j]))
                    j++;
                if (j < len && text[j] == ':')
                    return start;
            }
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
        }
        i++;
    }
    return len;
}

struct parse_ctx {
    const char *file;
    const char *text;
    size_t len;
    const char *home;
    struct err *e;
    const struct toml *toml; /* the [tool.pyshim] table, when from TOML */
};

/* "FILE:LINE:COL: <fmt...>" at key's position, with hint. Returns -1. */
static int key_error(struct parse_ctx *p, const char *key, const char *hint,
                     const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int key_error(struct parse_ctx *p, const char *key, const char *hint,
                     const char *fmt, ...)
{
    size_t line, col;
    struct sb msg = SB_INIT;
    va_list ap;

    if (p->toml) {
        const struct toml *at = toml_get(p->toml, key);

        line = at ? at->line : p->toml->line;
        col = at ? at->col : 1;
        sb_addstr(&msg, "[tool.pyshim] ");
    } else {
        line_col(p->text, p->len, key_offset(p->text, p->len, key), &line,
                 &col);
    }
    va_start(ap, fmt);
    sb_vaddf(&msg, fmt, ap);
    va_end(ap);
    err_set(p->e, PYSHIM_EXIT_CONFIG, "%s:%zu:%zu: %s", p->file, line, col,
            msg.buf);
    if (hint)
        err_hint(p->e, "%s", hint);
    sb_release(&msg);
    return -1;
}

static const char *type_name(const cJSON *j)
{
    if (cJSON_IsString(j))
        return "a string";
    if (cJSON_IsNumber(j))
        return "a number";
    if (cJSON_IsBool(j))
        return "a boolean";
    if (cJSON_IsNull(j))
        return "null";
    if (cJSON_IsArray(j))
        return "an array";
    if (cJSON_IsObject(j))
        return "an object";
    if (cJSON_IsRaw(j))
        return "a float or date";
    return "invalid";
}

static int want_string(struct parse_ctx *p, const cJSON *j, const char *key,
                       const char *hint)
{
    if (cJSON_IsString(j) && j->valuestring && *j->valuestring)
        return 0;
    if (cJSON_IsString(j))
        return key_error(p, key, hint, "key '%s' is an empty string", key);
    return key_error(p, key, hint, "key '%s' must be a string, not %s", key,
                     type_name(j));
}

static int resolve_path(struct parse_ctx *p, const char *key, const char *val,
                        const char *dir, char **out)
{
    struct sb abs = SB_INIT;
    struct err sub = ERR_INIT;

    if (path_absolute(&abs, val, dir, p->home, &sub) < 0) {
        key_error(p, key, sub.hint, "key '%s': %s", key, sub.msg);
        err_release(&sub);
        sb_release(&abs);
        return -1;
    }
    *out = sb_detach(&abs, NULL);
    return 0;
}

static int parse_mode(struct parse_ctx *p, const cJSON *j, struct cfg *c)
{
    static const char hint[] = "use one of \"auto\", \"exec\", \"embed\"";

    if (want_string(p, j, "mode", hint) < 0)
        return -1;
    if (!strcmp(j->valuestring, "auto"))
        c->mode = CFG_MODE_AUTO;
    else if (!strcmp(j->valuestring, "exec"))
        c->mode = CFG_MODE_EXEC;
    else if (!strcmp(j->valuestring, "embed"))
        c->mode = CFG_MODE_EMBED;
    else
        return key_error(p, "mode", hint, "key 'mode' has unknown value '%s'",
                         j->valuestring);
    return 0;
}

static int parse_shared(struct parse_ctx *p, const cJSON *j, struct cfg *c)
{
    static const char hint[] =
        "write \"shared\": [\"NAME\", \"../path/to/venv\"]";
    const cJSON *it;

    if (!cJSON_IsArray(j))
        return key_error(p, "shared", hint,
                         "key 'shared' must be an array, not %s", type_name(j));
    c->has_shared = 1;
    cJSON_ArrayForEach(it, j)
    {
        char *abs;

        if (!cJSON_IsString(it) || !it->valuestring[0])
            return key_error(
                p, "shared", hint,
                "key 'shared' holds %s; every entry must be a non-empty string",
                cJSON_IsString(it) ? "an empty string" : type_name(it));
        if (cfg_is_name(it->valuestring)) {
            sv_push(&c->shared, it->valuestring);
            continue;
        }
        if (resolve_path(p, "shared", it->valuestring, c->dir, &abs) < 0)
            return -1;
        sv_push_nodup(&c->shared, abs);
    }
    return 0;
}

static int parse_env(struct parse_ctx *p, const cJSON *j, struct cfg *c)
{
    static const char hint[] =
        "write \"env\": {\"NAME\": \"value\"} with string values";
    const cJSON *it;

    if (!cJSON_IsObject(j))
        return key_error(p, "env", hint, "key 'env' must be an object, not %s",
                         type_name(j));
    c->has_env = 1;
    cJSON_ArrayForEach(it, j)
    {
        if (!it->string[0] || strchr(it->string, '='))
            return key_error(p, "env", hint,
                             "key 'env' has an invalid variable name '%s'",
                             it->string);
        if (!cJSON_IsString(it))
            return key_error(p, "env", hint,
                             "key 'env': the value of '%s' must be a string",
                             it->string);
        sv_pushf(&c->env, "%s=%s", it->string, it->valuestring);
    }
    return 0;
}

/* Unknown keys first: a typo explains a later surprise. Duplicates too:
 * JSON leaves them open, and silently taking one is a trap. */
static int check_keys(struct parse_ctx *p, const cJSON *root)
{
    const cJSON *it;

    cJSON_ArrayForEach(it, root)
    {
        size_t i;
        int known = 0;
        const char *near;
        struct sb hint = SB_INIT;
        const cJSON *prev;

        for (prev = root->child; prev != it; prev = prev->next)
            if (!strcmp(prev->string, it->string))
                return key_error(p, it->string, "keep one of them",
                                 "key '%s' appears twice", it->string);

        for (i = 0; valid_keys[i]; i++)
            if (!strcmp(it->string, valid_keys[i]))
                known = 1;
        if (known)
            continue;
        near = cfg_suggest_key(it->string);
        if (near)
            sb_addf(&hint, "did you mean \"%s\"?", near);
        else
            sb_addstr(&hint, "valid keys: python, venv, shared, env, mode");
        key_error(p, it->string, hint.buf, "unknown key '%s'", it->string);
        sb_release(&hint);
        return -1;
    }
    return 0;
}

static int parse_python(struct parse_ctx *p, const cJSON *it, struct cfg *c)
{
    if (want_string(p, it, "python",
                    "write a version such as \"3.12\" or an interpreter path") <
        0)
        return -1;
    if (cfg_is_path_request(it->valuestring)) {
        c->python_is_path = 1;
        return resolve_path(p, "python", it->valuestring, c->dir, &c->python);
    }
    c->python = xstrdup(it->valuestring);
    return 0;
}

static int parse_shared_key(struct parse_ctx *p, const cJSON *it, struct cfg *c)
{
    cJSON *arr;
    int ret;

    if (!cJSON_IsString(it))
        return parse_shared(p, it, c);
    /* a single string is a common slip: read it as one entry */
    arr = cJSON_CreateArray();
    cJSON_AddItemToArray(arr, cJSON_CreateString(it->valuestring));
    ret = parse_shared(p, arr, c);
    cJSON_Delete(arr);
    return ret;
}

static int parse_tree(struct parse_ctx *p, const cJSON *root, struct cfg *c)
{
    const cJSON *it;

    if (!cJSON_IsObject(root)) {
        err_set(p->e, PYSHIM_EXIT_CONFIG,
                "%s:1:1: the top level must be an object, not %s", p->file,
                type_name(root));
        return err_hint(p->e, "write {\"python\": \"3.12\"}");
    }
    if (check_keys(p, root) < 0)
        return -1;
    it = cJSON_GetObjectItemCaseSensitive(root, "python");
    if (it && parse_python(p, it, c) < 0)
        return -1;
    it = cJSON_GetObjectItemCaseSensitive(root, "venv");
    if (it) {
        if (want_string(p, it, "venv", "write a path such as \".venv\"") < 0)
            return -1;
        if (resolve_path(p, "venv", it->valuestring, c->dir, &c->venv) < 0)
            return -1;
    }
    it = cJSON_GetObjectItemCaseSensitive(root, "shared");
    if (it && parse_shared_key(p, it, c) < 0)
        return -1;
    it = cJSON_GetObjectItemCaseSensitive(root, "env");
    if (it && parse_env(p, it, c) < 0)
        return -1;
    it = cJSON_GetObjectItemCaseSensitive(root, "mode");
    if (it && parse_mode(p, it, c) < 0)
        return -1;
    return 0;
}

int cfg_parse(struct cfg *c, const char *file, const char *text, size_t len,
              const char *home, struct err *e)
{
    struct parse_ctx p = {file, text, len, home, e, NULL};
    struct sb dir = SB_INIT;
    const char *end = NULL;
    cJSON *root = NULL;
    int ret = -1;

    c->file = xstrdup(file);
    sb_addstr(&dir, file);
    path_dirname(&dir);
    c->dir = sb_detach(&dir, NULL);

    if (len >= 2 &&
        (((unsigned char)text[0] == 0xff && (unsigned char)text[1] == 0xfe) ||
         ((unsigned char)text[0] == 0xfe && (unsigned char)text[1] == 0xff))) {
        err_set(e, PYSHIM_EXIT_CONFIG, "%s: the file is UTF-16, not UTF-8",
                file);
        err_hint(
            e,
            "save it as UTF-8 (PowerShell: Set-Content -Encoding utf8NoBOM, or use `pyshim init`)");
        goto out;
    }
    /* A UTF-8 byte order mark is harmless: skip it, as Python does. */
    if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
        text += 3;
        len -= 3;
        p.text = text;
        p.len = len;
    }
    if (memchr(text, '\0', len)) {
        size_t line, col;

        line_col(text, len,
                 (size_t)((const char *)memchr(text, '\0', len) - text), &line,
                 &col);
        err_set(e, PYSHIM_EXIT_CONFIG, "%s:%zu:%zu: the file holds a NUL byte",
                file, line, col);
        err_hint(e, "a config is UTF-8 JSON text; rewrite the file");
        goto out;
    }
    root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        size_t line, col, off;
        const char *at = cJSON_GetErrorPtr();

        off = at && at >= text && at <= text + len ? (size_t)(at - text) : len;
        line_col(text, len, off, &line, &col);
        err_set(e, PYSHIM_EXIT_CONFIG, "%s:%zu:%zu: malformed JSON", file, line,
                col);
        err_hint(
            e,
            "check for a missing comma, quote or brace near there (JSON allows no comments or trailing commas)");
        goto out;
    }
    /* Anything but white space after the value is an error too. */
    while (end && end < text + len && strchr(" \t\r\n", *end))
        end++;
    if (end && end < text + len) {
        size_t line, col;

        line_col(text, len, (size_t)(end - text), &line, &col);
        err_set(e, PYSHIM_EXIT_CONFIG,
                "%s:%zu:%zu: unexpected text after the JSON object", file, line,
                col);
        err_hint(e, "a config holds exactly one {...} object");
        goto out;
    }
    ret = parse_tree(&p, root, c);
out:
    cJSON_Delete(root);
    return ret;
}

/* The TOML value t as a cJSON tree, for parse_tree's checks. Floats and
 * dates stay text: a raw value parse_tree reports as of the wrong type. */
static cJSON *toml_to_json(const struct toml *t)
{
    const struct toml *c;
    cJSON *j;

    switch (t->type) {
    case TOML_STRING:
        return cJSON_CreateString(t->str);
    case TOML_INT:
        return cJSON_CreateNumber((double)t->num);
    case TOML_BOOL:
        return cJSON_CreateBool(t->num != 0);
    case TOML_OTHER:
        return cJSON_CreateRaw(t->str);
    case TOML_ARRAY:
        j = cJSON_CreateArray();
        for (c = t->child; c; c = c->next)
            cJSON_AddItemToArray(j, toml_to_json(c));
        return j;
    default:
        j = cJSON_CreateObject();
        for (c = t->child; c; c = c->next)
            cJSON_AddItemToObject(j, c->key, toml_to_json(c));
        return j;
    }
}

int cfg_parse_toml(struct cfg *c, const char *file, const struct toml *table,
                   const char *home, struct err *e)
{
    struct parse_ctx p = {file, "", 0, home, e, table};
    struct sb dir = SB_INIT;
    cJSON *root;
    int ret;

    c->file = xstrdup(file);
    sb_addstr(&dir, file);
    path_dirname(&dir);
    c->dir = sb_detach(&dir, NULL);
    if (table->type != TOML_TABLE) {
        err_set(e, PYSHIM_EXIT_CONFIG,
                "%s:%zu:%zu: tool.pyshim must be a table, not %s", file,
                table->line, table->col, toml_type_name(table));
        return err_hint(e, "write [tool.pyshim] and the keys below it");
    }
    root = toml_to_json(table);
    ret = parse_tree(&p, root, c);
    cJSON_Delete(root);
    return ret;
}

int cfg_read_error(struct err *e, const char *file, int errnum)
{
    err_set(e, errnum == ENOENT ? PYSHIM_EXIT_NOINPUT : PYSHIM_EXIT_CONFIG,
            "cannot read config '%s': %s", file,
            errnum == EFBIG ? "larger than 1 MiB" : plat_read_strerror(errnum));
    if (errnum == EISDIR)
        return err_hint(
            e, "'%s' must be a JSON file; remove or rename the directory",
            file);
    if (errnum == ELOOP)
        return err_hint(e, "it is a symbolic link loop; remove it");
    if (errnum == EACCES)
        return err_hint(e, "make it readable (chmod u+r) or remove it");
    return err_hint(e, "fix or remove the file");
}

int cfg_load_text(struct cfg *c, const char *file, const char *home,
                  struct sb *text, struct err *e)
{
    struct sb own = SB_INIT;
    struct sb *buf = text ? text : &own;
    int ret;

    if (plat_read_file(file, CFG_MAX_BYTES, buf) < 0) {
        cfg_read_error(e, file, errno);
        sb_release(&own);
        return -1;
    }
    ret = cfg_parse(c, file, buf->buf, buf->len, home, e);
    sb_release(&own);
    return ret;
}

int cfg_load(struct cfg *c, const char *file, const char *home, struct err *e)
{
    return cfg_load_text(c, file, home, NULL, e);
}

void cfg_release(struct cfg *c)
{
    free(c->file);
    free(c->dir);
    free(c->python);
    free(c->venv);
    sv_release(&c->shared);
    sv_release(&c->env);
    memset(c, 0, sizeof(*c));
}
