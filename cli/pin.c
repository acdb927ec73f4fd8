/*
 * pyshim pin VERSION: write DIR/.python-version (uv's `python pin`).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "config/cfg.h"
#include "config/pyproject.h"
#include "config/pyverfile.h"
#include "cli/cli.h"
#include "cli/opt.h"
#include "launcher/resolve.h"
#include "launcher/venv.h"
#include "common/banned.h"

static const char usage[] =
    "usage: pyshim pin [--force] VERSION [DIR]\n"
    "\n"
    "Write VERSION (3.12, 3.12.1, a pyenv or uv install name) into\n"
    "DIR/.python-version (default: the current directory), atomically.\n"
    "`python` there then runs that version unless a .pyshim.json (or\n"
    "[tool.pyshim]) names one (docs/resolution.md). A VERSION that no\n"
    "installed interpreter satisfies, or that DIR/pyproject.toml's\n"
    "requires-python excludes, is refused and nothing is written. It says\n"
    "when a config's \"python\" wins over the file, or when the venv there is\n"
    "of another version (recreate it with `pyshim init`).\n"
    "\n"
    "  --force   write it anyway (an interpreter to be installed later)\n";

/* A request .python-version can hold: one word, no path (the shim
 * refuses paths there: config/discover.c). */
static int check_word(const char *v, struct err *e)
{
    if (!*v || strpbrk(v, " \t\r\n") || v[0] == '#' || path_has_dir(v) ||
        strchr(v, '\\') || v[0] == '~' || v[0] == '.') {
        err_set(e, PYSHIM_EXIT_USAGE,
                "'%s' is not a version a .python-version file can hold", v);
        return err_hint(
            e,
            "write a version such as 3.12 or 3.12.1, or a pyenv/uv install name");
    }
    return 0;
}

/* DIR/pyproject.toml's requires-python must let ver in. */
static int check_requires(const char *dir, const struct pyver *ver,
                          const char *home, struct err *e)
{
    struct sb f = SB_INIT, text = SB_INIT;
    struct pyproject pp = PYPROJECT_INIT;
    char vb[32];
    int ret = -1;

    path_join(&f, dir, "pyproject.toml");
    if (!plat_is_file(f.buf)) {
        ret = 0;
        goto out;
    }
    if (plat_read_file(f.buf, CFG_MAX_BYTES, &text) < 0) {
        cfg_read_error(e, f.buf, errno);
        goto out;
    }
    if (pyproject_parse(&pp, NULL, f.buf, text.buf, text.len, home, e) < 0)
        goto out;
    if (pp.requires_python && !pyspec_match(&pp.spec, ver)) {
        err_set(e, PYSHIM_EXIT_CONFIG,
                "Python %s does not satisfy requires-python = \"%s\" in '%s'",
                pyver_str(ver, vb, sizeof(vb)), pp.requires_python, f.buf);
        err_hint(
            e,
            "pin a version that does, change requires-python, or pass --force");
        goto out;
    }
    ret = 0;
out:
    pyproject_release(&pp);
    sb_release(&f);
    sb_release(&text);
    return ret;
}

/* What will not follow the pin: a config naming python, a venv of
 * another minor. Printed as notes; the pin is written either way. */
static void notes(const char *dir, const struct pyver *ver, const char *home)
{
    struct sb f = SB_INIT;
    struct cfg c = CFG_INIT;
    struct venv v = VENV_INIT;
    char vb[32];

    path_join(&f, dir, ".pyshim.json");
    if (plat_is_file(f.buf) && !cfg_load(&c, f.buf, home, NULL) && c.python)
        printf(
            "pyshim: note: '%s' names \"python\": \"%s\", which wins over .python-version\n",
            f.buf, c.python);
    path_join(&f, dir, ".venv");
    if (ver->minor >= 0 && venv_is_venv(f.buf) && !venv_load(&v, f.buf, NULL) &&
        v.ver.minor >= 0 &&
        (v.ver.major != ver->major || v.ver.minor != ver->minor))
        printf(
            "pyshim: note: the venv '%s' is Python %s: `python` refuses it until it is recreated (remove it, then `pyshim init`)\n",
            f.buf, pyver_str(&v.ver, vb, sizeof(vb)));
    venv_release(&v);
    cfg_release(&c);
    sb_release(&f);
}

int cli_pin(int argc, char **argv)
{
    struct err e = ERR_INIT;
    struct sb dir = SB_INIT, file = SB_INIT, text = SB_INIT, py = SB_INIT;
    struct sb old = SB_INIT;
    const char *home = plat_home();
    struct pyver ver = PYVER_NONE;
    const char *args[2] = {NULL, NULL};
    int force = 0, code = PYSHIM_EXIT_OK, found;
    char vb[32];
    struct opt opts[] = {
        OPT_BOOL(0, "force", &force),
        OPT_END(),
    };
    struct opt_cmd oc = OPT_CMD(usage, opts, args, 2);

    if (opt_parse_cmd(&oc, argc, argv, &code))
        goto out;
    if (!args[0]) {
        fprintf(stderr, "pyshim: error: pin needs a VERSION\n%s", usage);
        code = PYSHIM_EXIT_USAGE;
        goto out;
    }
    if (check_word(args[0], &e) < 0 ||
        path_absolute(&dir, args[1] ? args[1] : ".", NULL, home, &e) < 0)
        goto fail;
    if (!plat_is_dir(dir.buf)) {
        err_set(&e, PYSHIM_EXIT_NOINPUT, "'%s' is not a directory", dir.buf);
        goto fail;
    }
    found = resolve_interpreter(args[0], &py, &ver, &e) == 0;
    if (!found && !force) {
        err_hint(&e, "install it first, or pass --force to write it anyway");
        goto fail;
    }
    err_release(&e);
    if (found && !force && check_requires(dir.buf, &ver, home, &e) < 0)
        goto fail;
    path_join(&file, dir.buf, ".python-version");
    sb_addf(&text, "%s\n", args[0]);
    if (plat_read_file(file.buf, PYVERFILE_MAX_BYTES, &old) == 0 &&
        old.len == text.len && !memcmp(old.buf, text.buf, text.len)) {
        printf("pyshim: nothing to change: %s already pins %s\n", file.buf,
               args[0]);
    } else if (plat_write_atomic(file.buf, text.buf, text.len, 0644) < 0) {
        err_set(&e, PYSHIM_EXIT_CANTCREAT, "cannot write '%s': %s", file.buf,
                plat_strerror(errno));
        goto fail;
    } else if (found) {
        printf("pyshim: wrote %s (%s: %s, Python %s)\n", file.buf, args[0],
               py.buf, pyver_str(&ver, vb, sizeof(vb)));
    } else {
        printf("pyshim: wrote %s (%s: not installed yet)\n", file.buf, args[0]);
    }
    if (found)
        notes(dir.buf, &ver, home);
    goto out;
fail:
    code = cli_report(&e);
out:
    err_release(&e);
    sb_release(&dir);
    sb_release(&file);
    sb_release(&text);
    sb_release(&py);
    sb_release(&old);
    return code;
}
