#include "cli/kspec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "common/xalloc.h"
#include "common/banned.h"

/* "env": its string entries as NAME=VALUE; an old spec's PYSHIM_PROJECT
 * is also its project (metadata.pyshim.project outranks it). */
static void parse_env(struct kspec *k, const cJSON *env)
{
    const cJSON *it;
    struct sb kv = SB_INIT;

    if (!cJSON_IsObject(env))
        return;
    cJSON_ArrayForEach(it, env)
    {
        if (!cJSON_IsString(it) || !it->string)
            continue;
        sb_reset(&kv);
        sb_addf(&kv, "%s=%s", it->string, it->valuestring);
        sv_push(&k->env, kv.buf);
        if (!strcmp(it->string, "PYSHIM_PROJECT")) {
            free(k->project);
            k->project = xstrdup(it->valuestring);
        }
    }
    sb_release(&kv);
}

int kspec_parse(struct kspec *k, const char *file, const char *text, size_t len,
                struct err *e)
{
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, NULL, 0);
    const cJSON *argv, *it, *meta, *env, *name, *ours;
    int ret = -1;

    kspec_release(k);
    k->file = xstrdup(file);
    if (!root || !cJSON_IsObject(root)) {
        err_set(e, PYSHIM_EXIT_CONFIG, "kernelspec '%s' is not a JSON object",
                file);
        goto out;
    }
    argv = cJSON_GetObjectItemCaseSensitive(root, "argv");
    if (!cJSON_IsArray(argv) || !cJSON_GetArraySize(argv)) {
        err_set(e, PYSHIM_EXIT_CONFIG,
                "kernelspec '%s' has no \"argv\" list of strings", file);
        goto out;
    }
    cJSON_ArrayForEach(it, argv)
    {
        if (!cJSON_IsString(it)) {
            err_set(e, PYSHIM_EXIT_CONFIG,
                    "kernelspec '%s': \"argv\" holds a non-string", file);
            goto out;
        }
        sv_push(&k->argv, it->valuestring);
    }
    name = cJSON_GetObjectItemCaseSensitive(root, "display_name");
    if (cJSON_IsString(name))
        k->display_name = xstrdup(name->valuestring);
    env = cJSON_GetObjectItemCaseSensitive(root, "env");
    parse_env(k, env);
    meta = cJSON_GetObjectItemCaseSensitive(root, "metadata");
    ours = cJSON_IsObject(meta)
               ? cJSON_GetObjectItemCaseSensitive(meta, "pyshim")
               : NULL;
    k->is_pyshim = ours != NULL;
    it = cJSON_GetObjectItemCaseSensitive(ours, "project");
    if (cJSON_IsString(it) && *it->valuestring) {
        free(k->project);
        k->project = xstrdup(it->valuestring);
    }
    k->is_auto = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ours, "auto"));
    ret = 0;
out:
    cJSON_Delete(root);
    if (ret)
        err_hint(e, "fix or remove it (`jupyter kernelspec remove NAME`)");
    return ret;
}

int kspec_load(struct kspec *k, const char *file, struct err *e)
{
    struct sb text = SB_INIT;
    int ret = -1;

    if (plat_read_file(file, KSPEC_MAX_BYTES, &text) < 0) {
        err_set(e, PYSHIM_EXIT_NOINPUT, "cannot read kernelspec '%s': %s", file,
                plat_strerror(errno));
        goto out;
    }
    ret = kspec_parse(k, file, text.buf, text.len, e);
out:
    sb_release(&text);
    return ret;
}

void kspec_release(struct kspec *k)
{
    free(k->file);
    sv_release(&k->argv);
    free(k->display_name);
    free(k->project);
    sv_release(&k->env);
    memset(k, 0, sizeof(*k));
}

static int on_path(const char *name)
{
    struct sv dirs = SV_INIT;
    struct sb cand = SB_INIT;
    size_t i;
    int found = 0;

    path_split_list(plat_getenv("PATH"), &dirs);
    for (i = 0; i < dirs.nr && !found; i++) {
        path_join(&cand, dirs.v[i], name);
        found = plat_is_executable(cand.buf);
        /* Windows finds "jupyter" (and "python3.12") as NAME.exe */
        if (!found && PLAT_WINDOWS) {
            sb_addstr(&cand, PLAT_EXE_SUFFIX);
            found = plat_is_executable(cand.buf);
        }
    }
    sv_release(&dirs);
    sb_release(&cand);
    return found;
}

/* Is root (or a directory above it) a project? Fills why if not. */
static int project_gone(const char *root, struct sb *why)
{
    /* pyproject.toml: a project of requires-python or [tool.pyshim] */
    static const char *const markers[] = {".pyshim.json", ".venv/pyvenv.cfg",
                                          ".python-version", "pyproject.toml",
                                          NULL};
    struct sb p = SB_INIT, m = SB_INIT;
    struct plat_stat st;
    int i, found = 0;

    /* Gone only when the system says so (ENOENT, ENOTDIR): a directory
     * that cannot be read now (EACCES, EIO, a home not mounted) is not
     * proof, and prune removes stale pyshim kernels without asking. */
    if (plat_stat(root, &st, 1) < 0) {
        if (errno != ENOENT && errno != ENOTDIR)
            return 0;
        sb_addf(why, "the project directory '%s' is gone", root);
        return 1;
    }
    if (!st.is_dir) {
        sb_addf(why, "the project directory '%s' is not a directory", root);
        return 1;
    }
    /* The shim walks up from the project dir; so does this check. */
    sb_set(&p, root);
    for (;;) {
        for (i = 0; markers[i] && !found; i++) {
            path_join(&m, p.buf, markers[i]);
            /* a marker that cannot be looked at may be there */
            found = plat_stat(m.buf, &st, 1) == 0
                        ? st.is_reg
                        : (errno != ENOENT && errno != ENOTDIR);
        }
        if (found || path_is_root(p.buf) || !path_is_abs(p.buf))
            break;
        path_dirname(&p);
    }
    if (!found)
        sb_addf(
            why,
            "'%s' holds no project any more (no .pyshim.json, .venv, .python-version or pyproject.toml)",
            root);
    sb_release(&p);
    sb_release(&m);
    return !found;
}

/* prog (absolute) is provably gone: the system says it does not exist
 * (a dangling link counts). An EACCES or EIO on the way is no proof. */
static int prog_gone(const char *prog)
{
    struct plat_stat st;

    if (plat_stat(prog, &st, 1) == 0)
        return 0;
    return errno == ENOENT || errno == ENOTDIR;
}

int kspec_stale(const struct kspec *k, struct sb *why)
{
    const char *prog = k->argv.nr ? k->argv.v[0] : NULL;

    sb_reset(why);
    /* The project first: once it is renamed, its venv's python is gone
     * too, and the project is what the user knows. */
    if (k->project && *k->project && project_gone(k->project, why))
        return 1;
    if (!prog)
        sb_addstr(why, "its argv is empty");
    else if (path_is_abs(prog)
                 ? prog_gone(prog)
                 : (strcmp(prog, "python") && strcmp(prog, "python3") &&
                    !path_has_dir(prog) && !on_path(prog)))
        sb_addf(why, "the program '%s' is gone", prog);
    return why->len > 0;
}

int kspec_gone(const struct kspec *k, struct sb *why)
{
    const char *prog = k->argv.nr ? k->argv.v[0] : NULL;
    struct plat_stat st;

    sb_reset(why);
    if (!prog || !path_is_abs(prog) || plat_stat(prog, &st, 1) == 0 ||
        errno != ENOENT)
        return 0;
    sb_addf(why, "the program '%s' is gone", prog);
    return 1;
}

int kspec_user_dir(const char *home, struct sb *out, struct err *e)
{
    const char *jd = plat_getenv("JUPYTER_DATA_DIR");
    struct sb base = SB_INIT;
    int ret = -1;

    if (jd && *jd) {
        sb_set(&base, jd);
    } else if (plat_jupyter_data_dir(home, &base) < 0) {
        err_set(
            e, PYSHIM_EXIT_OSERR,
            "cannot tell where Jupyter keeps its data: no home directory is known");
        err_hint(e, "set JUPYTER_DATA_DIR");
        goto out;
    }
    if (path_absolute(out, base.buf, NULL, home, e) < 0) {
        err_hint(e, jd && *jd ? "set JUPYTER_DATA_DIR to an absolute path"
                              : "set JUPYTER_DATA_DIR");
        goto out;
    }
    path_join(out, out->buf, "kernels");
    path_normalize(out);
    ret = 0;
out:
    sb_release(&base);
    return ret;
}

/* Set each NAME=VALUE of env in this process, keeping the old values in
 * saved (NAME=VALUE, or NAME alone when it was unset) for env_restore. */
void kspec_env_apply(const struct sv *env, struct sv *saved)
{
    struct sb name = SB_INIT;
    size_t i;

    for (i = 0; i < env->nr; i++) {
        const char *eq = strchr(env->v[i], '='), *old;

        sb_reset(&name);
        sb_add(&name, env->v[i], (size_t)(eq - env->v[i]));
        old = plat_getenv(name.buf);
        if (old)
            sv_pushf(saved, "%s=%s", name.buf, old);
        else
            sv_push(saved, name.buf);
        plat_setenv(name.buf, eq + 1);
    }
    sb_release(&name);
}

void kspec_env_restore(struct sv *saved)
{
    size_t i;

    for (i = saved->nr; i-- > 0;) {
        char *eq = strchr(saved->v[i], '=');

        if (eq) {
            *eq = '\0';
            plat_setenv(saved->v[i], eq + 1);
        } else {
            plat_unsetenv(saved->v[i]);
        }
    }
    sv_release(saved);
}

void kspec_probe_release(struct kspec_probe *r)
{
    sb_release(&r->exe);
    sb_release(&r->ver);
    sb_release(&r->ipk);
}

/* Line n (0-based) of text into out (replaced); "" past the end. */
static void nth_line(const char *text, int n, struct sb *out)
{
    const char *nl;

    for (; n > 0 && text; n--)
        text = (nl = strchr(text, '\n')) ? nl + 1 : NULL;
    sb_reset(out);
    if (text)
        sb_add(out, text, strcspn(text, "\r\n"));
}

/* Run python, with env set, as the kernel would start it (without -m):
 * where it is, its version and whether ipykernel imports there. */
void kspec_probe(const char *python, const struct sv *env,
                 struct kspec_probe *r)
{
    static const char code[] =
        "import importlib.util, sys; s = importlib.util.find_spec('ipykernel_launcher'); print(sys.executable); print('%d.%d.%d' % sys.version_info[:3]); print(s.origin if s and s.origin else '')";
    struct sv argv = SV_INIT, saved = SV_INIT;
    struct sb out = SB_INIT;
    int status = 0;

    sv_push(&argv, python);
    sv_push(&argv, "-c");
    sv_push(&argv, code);
    kspec_env_apply(env, &saved);
    fflush(stdout);
    r->status = plat_run(python, argv.v, &out, 0, &status) < 0 ? -1 : status;
    kspec_env_restore(&saved);
    nth_line(out.buf, 0, &r->exe);
    nth_line(out.buf, 1, &r->ver);
    nth_line(out.buf, 2, &r->ipk);
    sv_release(&argv);
    sb_release(&out);
}
