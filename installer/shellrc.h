/*
 * shellrc: which shell start-up files `pyshim install` puts its PATH block
 * in, and which ones `pyshim uninstall` looks in. Pure: the OS is an
 * argument (PLAT_MACOS at the call sites) and whether a file exists is
 * asked through a callback, so the macOS rules are tested on Linux.
 *
 * Linux: terminals start interactive non-login shells, so the rc file:
 *   bash ~/.bashrc, zsh $ZDOTDIR/.zshrc (ZDOTDIR defaults to HOME), fish
 *   $XDG_CONFIG_HOME/fish/conf.d/pyshim.fish (default ~/.config).
 * macOS: Terminal.app and iTerm2 start *login* shells, and IDEs run
 * `zsh -l` to learn the environment, so the login file as well, first:
 *   zsh $ZDOTDIR/.zprofile and .zshrc;
 *   bash its login file and ~/.bashrc. A login bash reads only the first
 *   of ~/.bash_profile, ~/.bash_login, ~/.profile that exists, so the
 *   block goes into that one; ~/.bash_profile is created only when none
 *   exists (creating it beside an existing ~/.profile would stop bash
 *   from reading ~/.profile).
 *   fish as on Linux (it reads conf.d in every mode).
 */
#ifndef PYSHIM_SHELLRC_H
#define PYSHIM_SHELLRC_H

#include "common/sv.h"

struct shellrc_in {
    int macos;           /* PLAT_MACOS */
    const char *home;    /* $HOME, absolute */
    const char *zdotdir; /* $ZDOTDIR, or NULL */
    const char *xdg;     /* $XDG_CONFIG_HOME, or NULL */
    /* does a regular file exist at path (following links)? */
    int (*exists)(const char *path);
};

/* The files install edits for shell ("bash", "zsh" or "fish"), appended
 * to out in the order above. */
void shellrc_install_files(const struct shellrc_in *in, const char *shell,
                           struct sv *out);

/* The files uninstall and the pre-flight check look at for shell: every
 * file install may have edited under any earlier state of HOME (on macOS
 * all three bash login files), appended to out. */
void shellrc_all_files(const struct shellrc_in *in, const char *shell,
                       struct sv *out);

#endif
