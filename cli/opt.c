#include "cli/opt.h"

#include <stdio.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/banned.h"

static const struct opt *find_long(const struct opt *o, const char *name,
                                   size_t len)
{
    for (; o->type != OPT_T_END; o++)
        if (o->long_name && strlen(o->long_name) == len &&
            !strncmp(o->long_name, name, len))
            return o;
    return NULL;
}

static const struct opt *find_short(const struct opt *o, char c)
{
    for (; o->type != OPT_T_END; o++)
        if (o->short_name && o->short_name == c)
            return o;
    return NULL;
}

/* Fail with "option '--python' WHAT" (or '-y'), as the user spelled it. */
static int opt_error(const struct opt *o, int as_long, const char *what,
                     struct err *e)
{
    if (as_long)
        return err_set(e, PYSHIM_EXIT_USAGE, "option '--%s' %s", o->long_name,
                       what);
    return err_set(e, PYSHIM_EXIT_USAGE, "option '-%c' %s", o->short_name,
                   what);
}

/* Take o's value (inline: after '=', or NULL) and, for the kinds that
 * need one, the following arguments. *i is the index of the option's
 * argument and is advanced past what was taken. */
static int take(const struct opt *o, int as_long, const char *inline_val,
                int argc, char **argv, int *i, struct err *e)
{
    switch (o->type) {
    case OPT_T_BOOL:
        if (inline_val)
            return opt_error(o, as_long, "takes no value", e);
        *(int *)o->value = 1;
        return 0;
    case OPT_T_STRING:
        if (inline_val) {
            *(const char **)o->value = inline_val;
            return 0;
        }
        if (*i + 1 >= argc)
            return opt_error(o, as_long, "needs a value", e);
        *(const char **)o->value = argv[++*i];
        return 0;
    case OPT_T_STRINGS:
        if (inline_val) {
            sv_push((struct sv *)o->value, inline_val);
            return 0;
        }
        while (*i + 1 < argc && argv[*i + 1][0] != '-')
            sv_push((struct sv *)o->value, argv[++*i]);
        return 0;
    default:
        BUG("option table entry without a type");
    }
    return -1;
}

static int positional(struct opt_cmd *c, const char *arg, struct err *e)
{
    if (c->nargs >= c->max_args)
        return err_set(e, PYSHIM_EXIT_USAGE, "unexpected argument '%s'", arg);
    c->args[c->nargs++] = arg;
    return 0;
}

int opt_parse(struct opt_cmd *c, int argc, char **argv, struct err *e)
{
    const struct opt *o;
    const char *arg, *eq;
    int i, dashdash = 0;

    c->nargs = 0;
    c->rest = argc;
    for (i = 1; i < argc; i++) {
        arg = argv[i];
        if (dashdash || arg[0] != '-' || !arg[1]) {
            if (c->stop_at_arg) {
                c->rest = i;
                return OPT_RUN;
            }
            if (positional(c, arg, e) < 0)
                return -1;
            continue;
        }
        if (!strcmp(arg, "--")) {
            dashdash = 1;
            continue;
        }
        if (!strcmp(arg, "-h") || !strcmp(arg, "--help"))
            return OPT_HELP;
        if (arg[1] == '-') {
            eq = strchr(arg + 2, '=');
            o = find_long(c->opts, arg + 2,
                          eq ? (size_t)(eq - arg - 2) : strlen(arg + 2));
            if (!o)
                return err_set(e, PYSHIM_EXIT_USAGE, "unknown option '%.*s'",
                               eq ? (int)(eq - arg) : (int)strlen(arg), arg);
            if (take(o, 1, eq ? eq + 1 : NULL, argc, argv, &i, e) < 0)
                return -1;
            continue;
        }
        o = arg[2] ? NULL : find_short(c->opts, arg[1]);
        if (!o)
            return err_set(e, PYSHIM_EXIT_USAGE, "unknown option '%s'", arg);
        if (take(o, 0, NULL, argc, argv, &i, e) < 0)
            return -1;
    }
    return OPT_RUN;
}

int opt_parse_cmd(struct opt_cmd *c, int argc, char **argv, int *code)
{
    struct err e = ERR_INIT;
    int ret = opt_parse(c, argc, argv, &e);

    if (ret == OPT_RUN)
        return 0;
    if (ret == OPT_HELP) {
        fputs(c->usage, stdout);
        *code = PYSHIM_EXIT_OK;
    } else {
        fprintf(stderr, "pyshim: error: %s\n", e.msg ? e.msg : "bad usage");
        fputs(c->usage, stderr);
        *code = PYSHIM_EXIT_USAGE;
    }
    err_release(&e);
    return 1;
}
