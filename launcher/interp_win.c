/*
 * interp_win: the Windows interpreter search (launcher/interp.h tells the
 * sources and their order): PATH's python*.exe, the PEP 514 registry
 * entries, pyenv-win's, the Python install manager's and uv's install
 * directories. Compiled on every
 * OS (PLAT_WINDOWS is a constant); only Windows calls it.
 */
#include <stdlib.h>
#include <string.h>

#include "common/path.h"
#include "common/plat.h"
#include "common/xalloc.h"
#include "launcher/interp.h"
#include "launcher/interp_int.h"
#include "common/banned.h"

/* Windows: python.exe, python3.exe, python3.N[t].exe in dir. A name
 * without the minor takes it from the python3XY[t].dll beside it. */
static void scan_dir_win(struct interp_list *l, const char *dir,
                         const char *origin, const struct interp_env *env)
{
    struct sv names = SV_INIT;
    struct sb p = SB_INIT;
    struct pyver_tag dll[2], t; /* [0]: python3XY.dll, [1]: python3XYt.dll */
    size_t i;

    if (plat_listdir(dir, &names) < 0)
        return;
    dll[0].ver.major = dll[1].ver.major = -1;
    for (i = 0; i < names.nr; i++)
        if (!pyver_parse_dll(names.v[i], &t) && dll[t.ft].ver.major < 0)
            dll[t.ft] = t;
    for (i = 0; i < names.nr; i++) {
        const struct pyver_tag *d;

        if (pyver_parse_exe(names.v[i], &t) < 0)
            continue;
        d = &dll[t.ft];
        if (t.ver.minor < 0 && d->ver.major >= 0 &&
            (t.ver.major < 0 || t.ver.major == d->ver.major)) {
            t.ver.major = d->ver.major;
            t.ver.minor = d->ver.minor;
        }
        path_join(&p, dir, names.v[i]);
        interp_add_tag(l, p.buf, &t, origin, NULL, env);
    }
    sv_release(&names);
    sb_release(&p);
}

/* Expand %NAME% in a REG_EXPAND_SZ value, in place; unknown names stay. */
static void expand_env(struct sb *s)
{
    struct sb out = SB_INIT, name = SB_INIT;
    const char *p = s->buf;

    while (*p) {
        const char *end = p[0] == '%' ? strchr(p + 1, '%') : NULL;
        const char *v;

        if (!end || end == p + 1) {
            sb_addch(&out, *p++);
            continue;
        }
        sb_reset(&name);
        sb_add(&name, p + 1, (size_t)(end - p - 1));
        if ((v = plat_getenv(name.buf))) {
            sb_addstr(&out, v);
            p = end + 1;
        } else {
            sb_addch(&out, *p++);
        }
    }
    sb_set(s, out.buf);
    sb_release(&out);
    sb_release(&name);
}

static int reg_value(enum plat_hive hive, const char *key, const char *name,
                     struct sb *out)
{
    int expand = 0;

    if (plat_reg_get(hive, key, name, out, &expand) < 0 || !out->len)
        return -1;
    if (expand)
        expand_env(out);
    return 0;
}

/* One PEP 514 entry: hive\Software\Python\company\tag. */
static void add_pep514(struct interp_list *l, enum plat_hive hive,
                       const char *hname, const char *company, const char *tag,
                       const struct interp_env *env, struct trace *tr)
{
    struct sb key = SB_INIT, ip = SB_INIT, exe = SB_INIT, dir = SB_INIT;
    struct sb sysver = SB_INIT, ver = SB_INIT, arch = SB_INIT;
    struct sb name = SB_INIT;
    struct pyver_tag t;

    sb_addf(&key, "Software\\Python\\%s\\%s", company, tag);
    sb_addf(&ip, "%s\\InstallPath", key.buf);
    if (reg_value(hive, ip.buf, "ExecutablePath", &exe) < 0) {
        if (reg_value(hive, ip.buf, "", &dir) < 0) {
            trace_add(tr, "registry: %s\\%s has no InstallPath", hname,
                      key.buf);
            goto out;
        }
        path_join(&exe, dir.buf, "python.exe");
    }
    pyver_from_pep514(
        company, tag,
        reg_value(hive, key.buf, "SysVersion", &sysver) < 0 ? NULL : sysver.buf,
        reg_value(hive, key.buf, "Version", &ver) < 0 ? NULL : ver.buf,
        reg_value(hive, key.buf, "SysArchitecture", &arch) < 0 ? NULL
                                                               : arch.buf,
        hive == PLAT_HKLM32, &t);
    sb_addf(&name, "%s/%s", company, tag);
    trace_add(tr, "registry: %s\\%s: '%s'", hname, key.buf, exe.buf);
    interp_add_tag(l, exe.buf, &t, "registry", name.buf, env);
out:
    sb_release(&key);
    sb_release(&ip);
    sb_release(&exe);
    sb_release(&dir);
    sb_release(&sysver);
    sb_release(&ver);
    sb_release(&arch);
    sb_release(&name);
}

/* PEP 514: HKCU, then HKLM's 64-bit and 32-bit views. */
static void scan_registry(struct interp_list *l, const struct interp_env *env,
                          struct trace *tr)
{
    static const struct {
        enum plat_hive hive;
        const char *name;
    } hives[] = {{PLAT_HKCU, "HKCU"},
                 {PLAT_HKLM, "HKLM"},
                 {PLAT_HKLM32, "HKLM (32-bit)"}};
    struct sb key = SB_INIT;
    size_t h, c, k;

    for (h = 0; h < sizeof(hives) / sizeof(*hives); h++) {
        struct sv companies = SV_INIT;

        if (plat_reg_subkeys(hives[h].hive, "Software\\Python", &companies) < 0)
            continue;
        for (c = 0; c < companies.nr; c++) {
            struct sv tags = SV_INIT;

            /* the py launcher's own settings, not an interpreter */
            if (interp_name_eq(companies.v[c], "PyLauncher"))
                continue;
            sb_reset(&key);
            sb_addf(&key, "Software\\Python\\%s", companies.v[c]);
            if (plat_reg_subkeys(hives[h].hive, key.buf, &tags) < 0)
                continue;
            for (k = 0; k < tags.nr; k++)
                add_pep514(l, hives[h].hive, hives[h].name, companies.v[c],
                           tags.v[k], env, tr);
            sv_release(&tags);
        }
        sv_release(&companies);
    }
    sb_release(&key);
}

/* The program of a Windows install in dir: python3.Nt.exe for a
 * free-threaded one if it is there, else python.exe. */
static void win_exe(struct sb *out, const char *dir, const struct pyver_tag *t)
{
    if (t->ft && t->ver.minor >= 0) {
        struct sb name = SB_INIT;

        sb_addf(&name, "python%d.%dt.exe", t->ver.major, t->ver.minor);
        path_join(out, dir, name.buf);
        sb_release(&name);
        if (plat_is_file(out->buf))
            return;
    }
    path_join(out, dir, "python.exe");
}

/* pyenv-win's versions\NAME and uv's cpython-... directories under root.
 * uv's other directories (.lock, .cache, pypy-...) are not listed;
 * pyenv-win's other names are, usable by exact name only. */
static void scan_installs_win(struct interp_list *l, const char *root,
                              const char *origin, const struct interp_env *env)
{
    struct sv names = SV_INIT;
    struct sb dir = SB_INIT, exe = SB_INIT;
    int uv = !strcmp(origin, "uv");
    size_t i;

    if (plat_listdir(root, &names) < 0)
        return;
    for (i = 0; i < names.nr; i++) {
        struct pyver_tag t;
        int known = uv ? !pyver_parse_uv(names.v[i], &t)
                       : !pyver_parse_pyenv_win(names.v[i], &t);

        if (!known && uv)
            continue;
        path_join(&dir, root, names.v[i]);
        win_exe(&exe, dir.buf, &t);
        interp_add_tag(l, exe.buf, &t, origin, names.v[i], env);
    }
    sv_release(&names);
    sb_release(&dir);
    sb_release(&exe);
}

/* The Python install manager's runtimes (PEP 773): install_dir\
 * pythoncore-TAG\python.exe (python3.Nt.exe for a "t" tag). They are
 * registered under PEP 514 too (HKCU\Software\Python\PythonCore\TAG),
 * so each is usually listed already; this finds them when the registry
 * entries are missing. The install name is the directory's. */
static void scan_pymanager(struct interp_list *l, const struct interp_env *env)
{
    struct sv names = SV_INIT;
    struct sb dir = SB_INIT, exe = SB_INIT;
    size_t i;

    if (!env->pymanager_root || plat_listdir(env->pymanager_root, &names) < 0)
        return;
    for (i = 0; i < names.nr; i++) {
        struct pyver_tag t;

        if (pyver_parse_pymanager(names.v[i], &t) < 0)
            continue;
        path_join(&dir, env->pymanager_root, names.v[i]);
        win_exe(&exe, dir.buf, &t);
        interp_add_tag(l, exe.buf, &t, "pymanager", names.v[i], env);
    }
    sv_release(&names);
    sb_release(&dir);
    sb_release(&exe);
}

void interp_discover_win(struct interp_list *out, const struct interp_env *env,
                         struct trace *t)
{
    struct sv dirs = SV_INIT;
    size_t k;

    path_split_list(env->path, &dirs);
    for (k = 0; k < dirs.nr; k++) {
        const char *why = NULL;

        if (interp_is_store_dir(dirs.v[k]))
            why = "the Microsoft Store's aliases";
        else if (interp_is_pymanager_bin(env, dirs.v[k]))
            why = "the Python install manager's aliases";
        else if (interp_is_pyenv_shims(env, dirs.v[k]))
            why = "pyenv's shims";
        else if (interp_holds_self(env, dirs.v[k]))
            why = "holds the shim";
        if (why) {
            trace_add(t, "not searching '%s' (%s)", dirs.v[k], why);
            continue;
        }
        scan_dir_win(out, dirs.v[k], "PATH", env);
    }
    scan_registry(out, env, t);
    for (k = 0; env->pyenv_versions && k < env->pyenv_versions->nr; k++)
        scan_installs_win(out, env->pyenv_versions->v[k], "pyenv", env);
    scan_pymanager(out, env);
    for (k = 0; env->uv_dirs && k < env->uv_dirs->nr; k++)
        scan_installs_win(out, env->uv_dirs->v[k], "uv", env);
    sv_release(&dirs);
    trace_add(t, "found %lu interpreters", (unsigned long)out->nr);
}
