/*
 * install_win: `pyshim install` and `uninstall` on Windows (copies of
 * pyshim.exe, the user's PATH in HKCU\Environment, a marked block in both
 * PowerShell profiles, DATA\install-record.txt), and the pure string
 * logic under them, which is unit-tested on every OS
 * (tests/unit/test_install_win.c).
 *
 * The module is compiled on every OS, like every PLAT_WINDOWS branch: the
 * dev build (-Werror, sanitizers) type-checks it on each commit, the pure
 * functions run in the Linux unit tests, and the two entry points are
 * only called behind `if (PLAT_WINDOWS)` (plat_posix.c's registry calls
 * fail with ENOSYS).
 */
#ifndef PYSHIM_INSTALL_WIN_H
#define PYSHIM_INSTALL_WIN_H

#include "common/err.h"
#include "common/sb.h"
#include "common/sv.h"
#include "config/dirs.h"

/* DATA\install-record.txt: what install did, for uninstall to undo. */
#define INSTALL_WIN_RECORD_NAME "install-record.txt"

struct install_win_record {
    struct sv path_added; /* HKCU Path entries install added, as written:
                             each one a bin dir */
    int path_created;     /* the Path value did not exist before */
    struct sb bin;        /* the bin dir files names ("": none yet) */
    struct sv files;      /* names install put in bin */
    struct sv dirs_made;  /* directories install created for the profiles */
    int profiled;         /* the profiles' block is bin's */
};

#define INSTALL_WIN_RECORD_INIT                                                \
    {                                                                          \
        SV_INIT, 0, SB_INIT, SV_INIT, SV_INIT, 0                               \
    }

/* Free r's contents and make it an empty record again. */
void install_win_record_release(struct install_win_record *r);
/* Add the record text to r (lines "key=value"; unknown or empty ones are
 * skipped). A record from before "bin=" was written gets its bin dir
 * back: its one PATH entry, else default_bin (DATA\bin). */
void install_win_record_parse(const char *text, const char *default_bin,
                              struct install_win_record *r);
/* Append r as the record text install_win_record_parse reads. */
void install_win_record_format(const struct install_win_record *r,
                               struct sb *out);

/* Do two PATH entries name the same dir: %VARIABLES% expanded (from the
 * environment), quotes dropped, '/' as '\', trailing '\' dropped (not in
 * "c:\"), ASCII case ignored. An empty entry matches nothing. */
int install_win_same_entry(const char *a, const char *b);
/* The PATH value (';'-separated, empty entries kept byte for byte) with
 * bin first. Returns 0 when bin is already first (out untouched), else 1
 * with out replaced: bin in front, and an entry for bin further down
 * taken out only if it is one install added (in added), a user's own one
 * stays. */
int install_win_path_prepend(const char *value, const char *bin,
                             const struct sv *added, struct sb *out);
/* The PATH value without bin's entry (the first one), when install added
 * it (bin is in added). Returns 1 with out (the new value) and removed
 * (the entry as written) replaced; else 0, with left set to the entry for
 * bin that install did not add ("" if none). */
int install_win_path_remove(const char *value, const char *bin,
                            const struct sv *added, struct sb *out,
                            struct sb *removed, struct sb *left);

/* The body of the PowerShell profiles' marked block for bin (replaces
 * out): pure ASCII, bin written as 'quoted' or, with non-ASCII, as
 * (-join [char[]](0x..,...)) so any profile encoding reads it right. */
void install_win_ps_block(const char *bin, struct sb *out);
/* The dir a block's "$pyshimBin = ..." value names, as
 * install_win_ps_block wrote it. Replaces out; -1 if v is neither form. */
int install_win_ps_parse_bin(const char *v, struct sb *out);
/* Does the marked block in text (UTF-8 profile text) name bin
 * (path_equal)? A block without its end line counts too. */
int install_win_block_names(const char *text, const char *bin);

/* Check both PowerShell profiles' marked blocks (rc_check) before
 * anything changes. -1 with e set for a broken one. */
int install_win_check_profiles(const struct dirs *d, struct err *e);
/* install's Windows steps for bin: the copies of self named names (plus
 * pyshim.exe), then unless no_shell the user PATH and the profiles, each
 * recorded. Prints progress; -1 with e set. */
int install_win_install(const struct dirs *d, const char *bin,
                        const struct sb *self, const struct sv *names,
                        int no_shell, struct err *e);
/* uninstall's Windows steps for bin: what install did for it, then its
 * files (*removed counts them). Prints progress; -1 with e set. */
int install_win_uninstall(const struct dirs *d, const char *bin,
                          const struct sb *self, int *removed, struct err *e);

#endif
