#include "installer/shellrc.h"

#include <string.h>

#include "common/path.h"
#include "common/sb.h"
#include "common/banned.h"

static void push_join(struct sv *out, const char *dir, const char *name)
{
    struct sb p = SB_INIT;

    path_join(&p, dir, name);
    sv_push(out, p.buf);
    sb_release(&p);
}

/* $ZDOTDIR when set, else HOME: zsh's own rule. */
static const char *zdir(const struct shellrc_in *in)
{
    return in->zdotdir && *in->zdotdir ? in->zdotdir : in->home;
}

static void fish_file(const struct shellrc_in *in, struct sv *out)
{
    struct sb p = SB_INIT;

    if (in->xdg && path_is_abs(in->xdg))
        path_join(&p, in->xdg, "fish/conf.d/pyshim.fish");
    else
        path_join(&p, in->home, ".config/fish/conf.d/pyshim.fish");
    sv_push(out, p.buf);
    sb_release(&p);
}

static const char *const bash_login[] = {".bash_profile", ".bash_login",
                                         ".profile", NULL};

void shellrc_install_files(const struct shellrc_in *in, const char *shell,
                           struct sv *out)
{
    if (!strcmp(shell, "zsh")) {
        if (in->macos)
            push_join(out, zdir(in), ".zprofile");
        push_join(out, zdir(in), ".zshrc");
    } else if (!strcmp(shell, "bash")) {
        if (in->macos) {
            struct sb p = SB_INIT;
            int i;

            for (i = 0; bash_login[i]; i++) {
                path_join(&p, in->home, bash_login[i]);
                if (in->exists(p.buf))
                    break;
            }
            push_join(out, in->home,
                      bash_login[i] ? bash_login[i] : bash_login[0]);
            sb_release(&p);
        }
        push_join(out, in->home, ".bashrc");
    } else {
        fish_file(in, out);
    }
}

void shellrc_all_files(const struct shellrc_in *in, const char *shell,
                       struct sv *out)
{
    int i;

    if (in->macos && !strcmp(shell, "bash")) {
        for (i = 0; bash_login[i]; i++)
            push_join(out, in->home, bash_login[i]);
        push_join(out, in->home, ".bashrc");
        return;
    }
    shellrc_install_files(in, shell, out);
}
