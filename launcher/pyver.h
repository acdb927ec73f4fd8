/*
 * pyver: Python version numbers and version requests ("3", "3.12",
 * "3.12.1", "python3.12", "cpython@3.12").
 */
#ifndef PYSHIM_PYVER_H
#define PYSHIM_PYVER_H

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
 * ignored only when lenient is set (pyvenv.cfg values). Returns 0, or -1
 * if s is not such a version. */
int pyver_parse(const char *s, struct pyver *v, int lenient);
/* True if v satisfies request r (unset parts of r match anything). */
int pyver_matches(const struct pyver *v, const struct pyver *r);
/* <0, 0, >0 like strcmp; unknown parts sort lowest. */
int pyver_cmp(const struct pyver *a, const struct pyver *b);
/* "3.12.1", "3.12" or "3" into buf (at least 32 bytes). */
const char *pyver_str(const struct pyver *v, char *buf, unsigned size);

#endif
