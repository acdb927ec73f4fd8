/*
 * `pyshim shared list --json`: the shared envs as a JSON array, for
 * scripts (the text table is cli/shared.c's list()). The same envs
 * (sorted by name) with the same facts: name, directory, Python version
 * ("broken" when pyvenv.cfg cannot be read), size in bytes and users;
 * then the administrator's site envs (cli/site.c), read-only and not
 * sized.
 */
#include <stdio.h>

#include "common/jsonw.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "cli/cli.h"
#include "launcher/venv.h"
#include "common/banned.h"

void cli_shared_json_env(struct jsonw *w, const char *name, const char *dir,
                         const char *kind, const struct sv *users,
                         long long size)
{
    struct venv v = VENV_INIT;
    char vb[32];
    size_t k;

    if (venv_load(&v, dir, NULL) < 0)
        snprintf(vb, sizeof(vb), "broken");
    else
        pyver_str(&v.ver, vb, sizeof(vb));
    jsonw_object_begin(w);
    jsonw_kv_string(w, "name", name);
    jsonw_kv_string(w, "kind", kind);
    jsonw_kv_string(w, "path", dir);
    jsonw_kv_string(w, "python", vb);
    jsonw_key(w, "size");
    if (size < 0)
        jsonw_null(w);
    else
        jsonw_int(w, size);
    jsonw_key(w, "used_by");
    jsonw_array_begin(w);
    for (k = 0; users && k < users->nr; k++)
        jsonw_string(w, users->v[k]);
    jsonw_array_end(w);
    jsonw_object_end(w);
    venv_release(&v);
}

int cli_shared_list_json(const struct dirs *d)
{
    struct sb root = SB_INIT, p = SB_INIT, out = SB_INIT;
    struct sv names = SV_INIT;
    struct jsonw w;
    size_t i;

    path_join(&root, d->data, "shared");
    plat_listdir(root.buf, &names);
    jsonw_init(&w, &out, 2);
    jsonw_array_begin(&w);
    for (i = 0; i < names.nr; i++) {
        struct sv users = SV_INIT;

        path_join(&p, root.buf, names.v[i]);
        /* .pyshim-old-NAME: an env `shared upgrade` keeps aside */
        if (names.v[i][0] == '.' || !venv_is_venv(p.buf))
            continue;
        cli_projects_using(d, names.v[i], &users);
        cli_shared_json_env(&w, names.v[i], p.buf, "user", &users,
                            (long long)cli_tree_size(p.buf));
        sv_release(&users);
    }
    cli_site_list_shared_json(&w);
    jsonw_array_end(&w);
    jsonw_release(&w);
    sb_addch(&out, '\n');
    fwrite(out.buf, 1, out.len, stdout);
    sv_release(&names);
    sb_release(&root);
    sb_release(&p);
    sb_release(&out);
    return 0;
}
