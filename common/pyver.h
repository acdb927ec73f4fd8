/*
 * pyver: Python version numbers and version requests ("3", "3.12",
 * "3.12.1", "python3.12", "cpython@3.12"), and on Windows the py
 * launcher's forms: "3.12-32", "3.12-arm64", "3.13t" (free-threaded) and
 * "Company/Tag" (PEP 514, like `py -V:PythonCore/3.12`).
 *
 * The Windows parsers below are pure string functions that work (and are
 * tested) on every OS; only pyver_parse decides by PLAT_WINDOWS whether a
 * request may carry a py-launcher suffix.
 */
#ifndef PYSHIM_PYVER_H
#define PYSHIM_PYVER_H

#include "common/sb.h"

struct pyver {
    int major; /* -1: unknown / not requested */
    int minor;
    int micro;
};

#define PYVER_NONE                                                             \
    {                                                                          \
        -1, -1, -1                                                             \
    }

/* Parse "X[.Y[.Z]]" with an optional "python", "cpython", "cpython-" or
 * "cpython@" prefix. Trailing text after Z (e.g. ".final.0", "rc1") is
 * ignored only when lenient is set (pyvenv.cfg values). On Windows a
 * strict parse also accepts a py-launcher tag suffix ("3.12-32",
 * "3.13t", see pyver_parse_tag); v gets the numbers only, and
 * interp_pick reads the suffix from the request's text. Elsewhere a strict
 * parse accepts only "t" after a minor ("3.13t", "python3.14t": a
 * free-threaded build, pyver_req_ft). Returns 0, or -1 if s is not such a
 * version. */
int pyver_parse(const char *s, struct pyver *v, int lenient);
/* True if the version request s (pyver_parse accepts it) asks for a
 * free-threaded build: "3.13t", "python3.14t" (Windows also
 * "3.13t-arm64"). Pure. */
int pyver_req_ft(const char *s);
/* True if v satisfies request r (unset parts of r match anything). */
int pyver_matches(const struct pyver *v, const struct pyver *r);
/* <0, 0, >0 like strcmp; unknown parts sort lowest. */
int pyver_cmp(const struct pyver *a, const struct pyver *b);
/* "3.12.1", "3.12" or "3" into buf (at least 32 bytes). */
const char *pyver_str(const struct pyver *v, char *buf, unsigned size);

/* A Windows build's platform: from a PEP 514 tag suffix or SysArchitecture
 * value, uv's directory name or pyenv-win's version name. */
enum pyver_plat {
    PYVER_PLAT_ANY = 0, /* not asked / not known (taken as 64-bit x64) */
    PYVER_PLAT_32,      /* "-32": x86 */
    PYVER_PLAT_64,      /* "-64": a 64-bit build (x64 or ARM64) */
    PYVER_PLAT_ARM64    /* "-arm64" */
};

/* What a Windows tag or install name tells: the numbers, a free-threaded
 * build ("t"), the platform. */
struct pyver_tag {
    struct pyver ver;
    int ft; /* 1: free-threaded ("3.13t") */
    enum pyver_plat plat;
};

/* Parse a py-launcher version tag: "X[.Y[.Z]]", then "t" (free-threaded)
 * only after a minor, then one of "-32", "-64", "-arm64" (ASCII case
 * ignored): "3.12", "3.12-32", "3.13t", "3.13t-arm64". Unknown parts of
 * t->ver are -1. Returns 0, or -1 (t cleared) for anything else. */
int pyver_parse_tag(const char *s, struct pyver_tag *t);
/* Does a build of platform have satisfy a request for want? ANY wants
 * anything; -32 only 32-bit; -64 anything but 32-bit (the py launcher's
 * "omit 32-bit runtimes"); -arm64 only ARM64. A build of unknown platform
 * (ANY) counts as 64-bit x64. */
int pyver_plat_matches(enum pyver_plat have, enum pyver_plat want);
/* "", "-32", "-64" or "-arm64" (static). */
const char *pyver_plat_suffix(enum pyver_plat p);

/* uv's install directory name: "cpython-3.12.4-windows-x86_64-none",
 * "cpython-3.13.0+freethreaded-windows-aarch64-none" (arch x86_64 = 64,
 * x86/i686 = 32, aarch64 = ARM64; other arches ANY). Returns 0, or -1 for
 * other implementations (pypy-...), other variants (+debug) and names that
 * are not uv's. */
int pyver_parse_uv(const char *name, struct pyver_tag *t);
/* pyenv-win's version name: "3.12.4", "3.12.4-win32" (32-bit),
 * "3.12.4-arm" / "-arm64" (ARM64), "3.12.4-amd64" (64), optionally with a
 * "t" after the micro. Pre-releases ("3.13.0a1") and other names return
 * -1 (they are usable by exact name only). */
int pyver_parse_pyenv_win(const char *name, struct pyver_tag *t);
/* The Python install manager's runtime directory name (PEP 773, under
 * %LOCALAPPDATA%\Python): "pythoncore-" and a PEP 514 tag with a minor,
 * "pythoncore-3.14-64", "pythoncore-3.14t-64", "pythoncore-3.13-32"
 * (ASCII case ignored). Returns 0, or -1 for anything else ("bin",
 * "_cache", "pythoncore-3-64"). */
int pyver_parse_pymanager(const char *name, struct pyver_tag *t);
/* A CPython DLL's name: "python312.dll" = 3.12, "python313t.dll" = 3.13
 * free-threaded, "python27.dll" = 2.7 (ASCII case ignored). The stable-ABI
 * "python3.dll" and anything else return -1. */
int pyver_parse_dll(const char *name, struct pyver_tag *t);

/* An interpreter's file name on Windows: "python.exe" (version unknown),
 * "python3.exe", "python3.12.exe", "python3.13t.exe", "python3.14-32.exe"
 * (the install manager's aliases); ASCII case ignored. Returns 0, or -1 for
 * anything else ("pythonw.exe", "python3.12-config", "python3.12"). */
int pyver_parse_exe(const char *name, struct pyver_tag *t);

/* The facts of one PEP 514 entry, HKxx\Software\Python\company\tag,
 * from its values: sys_version ("SysVersion", "3.12"), version
 * ("Version", "3.12.4"), sys_arch ("SysArchitecture", "32bit"/"64bit"), any
 * may be NULL. The version is SysVersion's X.Y (with Version's micro when
 * they agree), else Version's, else for PythonCore the tag's ("3.12-32").
 * The platform is the tag's suffix, else SysArchitecture, else 32 for the
 * 32-bit registry view (wow32) and ANY. A "t" tag is free-threaded. Never
 * fails: unknown parts stay -1 / ANY. */
void pyver_from_pep514(const char *company, const char *tag,
                       const char *sys_version, const char *version,
                       const char *sys_arch, int wow32, struct pyver_tag *t);

/* True if s has the form of a PEP 514 "Company/Tag" request (the py
 * launcher's `-V:Company/Tag`): one '/', a company of letters, digits,
 * ' ', '.', '_', '-', a tag without '/', '\\' or ':', no leading '.' or
 * '~', no ".exe" ending. Pure syntax, on every OS. */
int pyver_is_company_tag(const char *s);
/* A "Company/Tag" request (`py -V:Company/Tag`): one '/', a company of
 * letters, digits, '.', '_', '-' and spaces that does not start with '.'
 * or '~', a tag (may be empty: any tag) without '/', '\' or ':', and not
 * a file name ending in ".exe". On success company and tag are set
 * (replaced) and 1 is returned; else 0 and they are left alone. */
int pyver_split_company_tag(const char *s, struct sb *company, struct sb *tag);
/* The py launcher's tag match: want is empty, or have starts with want
 * (ASCII case ignored) followed by the end, '.' or '-' ("3" matches "3.12",
 * "3.12" matches "3.12-32" but not "3.120" nor "3.12t"). */
int pyver_tag_matches(const char *have, const char *want);

#endif
