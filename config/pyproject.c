/*
 * pyproject: requires-python and [tool.pyshim] (config/pyproject.h).
 */
#include "config/pyproject.h"

#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/xalloc.h"
#include "config/toml.h"
#include "common/banned.h"

static int requires_python(struct pyproject *pp, const char *file,
                           const struct toml *root, struct err *e)
{
    const struct toml *rp =
        toml_get(toml_get(root, "project"), "requires-python");

    if (!rp)
        return 0;
    if (rp->type != TOML_STRING) {
        err_set(
            e, PYSHIM_EXIT_CONFIG,
            "%s:%zu:%zu: [project] requires-python must be a string, not %s",
            file, rp->line, rp->col, toml_type_name(rp));
        return err_hint(e, "write requires-python = \">=3.10\"");
    }
    if (pyspec_parse(&pp->spec, rp->str, e) < 0)
        return err_prefix(e, "%s:%zu:%zu: [project] requires-python = \"%s\": ",
                          file, rp->line, rp->col, rp->str);
    pp->requires_python = xstrdup(rp->str);
    pp->rp_line = rp->line;
    return 0;
}

int pyproject_parse(struct pyproject *pp, struct cfg *c, const char *file,
                    const char *text, size_t len, const char *home,
                    struct err *e)
{
    struct toml *root = toml_parse(file, text, len, e);
    const struct toml *tool;
    int ret = -1;

    if (!root)
        return -1;
    if (requires_python(pp, file, root, e) < 0)
        goto out;
    tool = toml_get(toml_get(root, "tool"), "pyshim");
    if (tool) {
        pp->has_tool = 1;
        if (c && cfg_parse_toml(c, file, tool, home, e) < 0)
            goto out;
    }
    ret = 0;
out:
    toml_free(root);
    return ret;
}

void pyproject_release(struct pyproject *pp)
{
    free(pp->requires_python);
    pyspec_release(&pp->spec);
    memset(pp, 0, sizeof(*pp));
}
