/*
 * sitecheck: checks on site-packages directories that `pyshim doctor`
 * runs, kept free of printing so they can be tested on their own.
 *
 * .pth files: site.py reads them in the locale's encoding (UTF-8 with a
 * fallback to the locale from 3.13), so a file written by PowerShell's
 * `echo ... > x.pth` (UTF-16LE with a BOM, or UTF-8 with a BOM) is either
 * undecodable (`UnicodeDecodeError: 'gbk' codec can't decode byte 0xff`)
 * or its first path silently starts with U+FEFF and is never found.
 *
 * Duplicates: a package installed both in a project venv and in a shared
 * env is imported from the venv (it comes first on sys.path), silently
 * shadowing the shared one.
 */
#ifndef PYSHIM_SITECHECK_H
#define PYSHIM_SITECHECK_H

#include <stddef.h>

#include "common/err.h"
#include "common/sb.h"
#include "common/sv.h"
#include "common/textenc.h"

/* Largest .pth file read; bigger ones are reported, not fixed. */
#define SITECHECK_PTH_MAX (1024 * 1024)

/* True if enc can be converted to UTF-8 without guessing. */
int sitecheck_enc_fixable(enum textenc enc);
/* Convert data of encoding enc to UTF-8 without a BOM, keeping every
 * line and line ending (replaces out). -1 if enc is not fixable or the
 * UTF-16 is malformed (an unpaired surrogate, an odd length). */
int sitecheck_to_utf8(const char *data, size_t len, enum textenc enc,
                      struct sb *out);

/* Read the .pth file at path and classify it. */
int sitecheck_pth_check(const char *path, enum textenc *enc, struct err *e);
/* Rewrite the .pth file at path as UTF-8 without a BOM, atomically and
 * with its permission bits kept. *changed is 0 when it already was. */
int sitecheck_pth_fix(const char *path, int *changed, struct err *e);

/* Copy the bytes of file, as they are, to a new file under
 * data_dir/backups/KIND (made 0700 if missing): "<16 hex of the SHA-256
 * of file's path>-<file's name>", ".1", ".2", ... appended when that
 * exists; a "<same>.origin" file beside it holds file's path and a
 * newline. The backup's path goes into out (replaced). Nothing is
 * removed. -1 with e when file cannot be read or the backup written. */
int sitecheck_backup(const char *data_dir, const char *kind, const char *file,
                     struct sb *out, struct err *e);
/* The path sitecheck_backup would copy file to now (replaces out). */
void sitecheck_backup_name(const char *data_dir, const char *kind,
                           const char *file, struct sb *out);

/* The lines of the .pth file at path (in site dir site) as site.py would
 * take them, decoded from any encoding sitecheck_enc_fixable accepts:
 * blank lines and "#" comments skipped, each other line made absolute
 * against site, normalized and appended to paths. Returns 1 when every
 * such line is a path, 0 when one is code (starts with "import" followed
 * by a blank: site.py runs it), -1 with e when the file cannot be read or
 * decoded. *enc gets the file's encoding. */
int sitecheck_pth_paths(const char *site, const char *path, enum textenc *enc,
                        struct sv *paths, struct err *e);

/* If dir is the site-packages dir of a venv (dir/../.. or dir/../../..
 * holds a pyvenv.cfg whose venv's site dir is dir, as real paths), put
 * that venv's directory into venv_dir (replaced) and return 1; else 0. */
int sitecheck_site_venv(const char *dir, struct sb *venv_dir);

/* Append the .pth files of site dir (full paths, sorted). Missing or
 * unreadable dirs add nothing and return -1. */
int sitecheck_pth_files(const char *site, struct sv *out);
/* Append the site-packages dirs of the venv at dir
 * (dir/lib/pythonX.Y/site-packages, any X.Y), sorted. */
void sitecheck_venv_sites(const char *dir, struct sv *out);

/* The top-level names site provides: distributions from *.dist-info and
 * *.egg-info (normalized: lowercase, runs of "-_." as "_"), and importable
 * modules (packages, NAME.py, extension modules), normalized the same way.
 * The tooling every venv carries (pip, setuptools, wheel, pkg_resources,
 * _distutils_hack) and pyshim's own hook are left out. Sorted, unique,
 * appended to out; -1 if site cannot be read. */
int sitecheck_top_names(const char *site, struct sv *out);
/* The names of sitecheck_top_names that both a and b provide (sorted,
 * appended to out). -1 if either cannot be read. */
int sitecheck_duplicates(const char *a, const char *b, struct sv *out);

#endif
