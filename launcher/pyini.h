/*
 * pyini: the Windows py launcher's default version request, for runs
 * outside projects: the environment variable PY_PYTHON (PY_PYTHON3 for
 * "3"), else "python=" ("python3=") in the [defaults] section of
 * %LOCALAPPDATA%\py.ini, as `py` reads them:
 *
 *     [defaults]
 *     python=3.12
 *     python3=3.12-32
 *
 * The values are requests in the py launcher's syntax ("3", "3.12",
 * "3.12-32", "3.13t"), which pyver_parse and interp_pick understand on
 * Windows. POSIX has no py.ini: pyini_default reads the same places there
 * (the variables, and $LOCALAPPDATA/py.ini if that is set), which is
 * harmless, but the caller is expected to ask only when PLAT_WINDOWS.
 */
#ifndef PYSHIM_PYINI_H
#define PYSHIM_PYINI_H

#include <stddef.h>

#include "common/sb.h"

/* Find key in the [defaults] section of the INI text (len bytes; a UTF-8
 * or UTF-16LE byte-order mark is understood, as Windows'
 * GetPrivateProfileString does: PowerShell 5 writes UTF-16). Section and
 * key names ignore ASCII case; blanks around them and around the value
 * are dropped, as are quotes around the whole value; lines starting with
 * ';' or '#' are comments. The first non-empty value wins. Returns 1 with
 * the value in out (replaced), else 0 (out untouched). */
int pyini_parse(const char *text, size_t len, const char *key, struct sb *out);
/* The py launcher's default for major: "" (plain `py`, key "python",
 * variable PY_PYTHON) or "3" (`py -3`, key "python3", PY_PYTHON3). A
 * non-empty variable wins over py.ini. Returns 1 with the request in out
 * (replaced), else 0. Unreadable or missing py.ini is "not set". */
int pyini_default(const char *major, struct sb *out);
/* The default request as `py` with no version argument works it out:
 * pyini_default(""), and when that is a bare major ("3"), the more
 * precise pyini_default("3") if it is set. from (may be NULL) gets where
 * it came from: "PY_PYTHON", "PY_PYTHON3" or the py.ini path. Returns 1
 * if a default is set, else 0. */
int pyini_request(struct sb *out, struct sb *from);

/* The variables the two above read: PY_PYTHON, PY_PYTHON3 and
 * LOCALAPPDATA (where py.ini lives); any may be NULL. PY_PYTHON4..9 are
 * still read from the environment when a "python=4" asks for them. */
struct pyini_env {
    const char *py_python, *py_python3, *localappdata;
    /* the Python install manager's: PYTHON_MANAGER_DEFAULT, and APPDATA
     * (%APPDATA%\Python\PyManager.json) */
    const char *python_manager_default, *appdata;
};

/* The Python install manager's default (PEP 773; its `py` and the
 * python.exe alias use it): PYTHON_MANAGER_DEFAULT if not empty, else the
 * string "default_tag" at the top of %APPDATA%\Python\PyManager.json
 * (UTF-8, a BOM allowed). The value is a tag ("3.14", "3.14-64",
 * "3.14t") or "Company\Tag", which becomes the "Company/Tag" request; a
 * value holding '%' (an unexpanded placeholder) is "not set". Returns 1
 * with the request in out (replaced) and where it came from in from (may
 * be NULL), else 0. A missing, unreadable or malformed file is "not
 * set". */
int pyini_manager_request_env(const struct pyini_env *env, struct sb *out,
                              struct sb *from);
/* The same from the JSON text of a PyManager.json (len bytes). */
int pyini_manager_parse(const char *text, size_t len, struct sb *out);

/* Fill env from this process's environment. */
void pyini_env_read(struct pyini_env *env);
/* pyini_request with the variables in env. */
int pyini_request_env(const struct pyini_env *env, struct sb *out,
                      struct sb *from);

#endif
