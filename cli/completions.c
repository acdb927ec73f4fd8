/*
 * pyshim completions SHELL: print a completion script for bash, zsh, fish
 * or PowerShell.
 *
 * The scripts hold no list of commands or options: on TAB they ask the
 * installed pyshim (`pyshim help`, `pyshim CMD --help`) and take the
 * commands from the help's command list, the sub-commands from the
 * "usage: pyshim CMD SUB" lines and the options from the `--name` words
 * of the command's --help. So the completions are the --help texts, and
 * cannot drift from them when a command or option is added. Every
 * command answers --help before it does anything (cli/opt.c), so asking
 * is safe.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "cli/opt.h"
#include "common/exitcode.h"
#include "common/banned.h"

static const char usage_completions[] =
    "usage: pyshim completions bash|zsh|fish|powershell\n"
    "\n"
    "Print a shell completion script for pyshim's commands, sub-commands\n"
    "and options. The script asks `pyshim help` and `pyshim CMD --help`\n"
    "on TAB, so it follows the installed pyshim. Load it:\n"
    "  bash:        eval \"$(pyshim completions bash)\"        in ~/.bashrc\n"
    "  zsh:         eval \"$(pyshim completions zsh)\"         in ~/.zshrc,\n"
    "               after compinit\n"
    "  fish:        pyshim completions fish | source        in config.fish\n"
    "  PowerShell:  pyshim completions powershell | Out-String | Invoke-Expression\n"
    "               in $PROFILE\n";

/* Shared by the POSIX shells: the commands are the two-space-indented
 * words of `pyshim help`; the sub-commands of CMD the word after
 * "pyshim CMD" at the start of a usage line; the options the --words. */
static const char bash_script[] =
    "# pyshim completion for bash: eval \"$(pyshim completions bash)\"\n"
    "_pyshim_words() {\n"
    "    # $1: the command (empty for the first word); $2: the position\n"
    "    # after it (1: a sub-command may come); $3: the word typed\n"
    "    if [ -z \"$1\" ]; then\n"
    "        command pyshim help 2>/dev/null |\n"
    "            sed -n 's/^  \\([a-z][a-z-]*\\) .*/\\1/p'\n"
    "        return\n"
    "    fi\n"
    "    local _pyshim_help\n"
    "    _pyshim_help=$(command pyshim \"$1\" --help 2>/dev/null) || return\n"
    "    if [ \"$2\" = 1 ]; then\n"
    "        printf '%s\\n' \"$_pyshim_help\" |\n"
    "            sed -n \"s/^\\(usage:\\)\\{0,1\\} *pyshim $1 \\([a-z][a-z-]*\\).*/\\2/p\"\n"
    "    fi\n"
    "    case $3 in\n"
    "    -*) printf '%s\\n' \"$_pyshim_help\" | grep -o -- '--[a-z][a-z-]*' |\n"
    "        sort -u ;;\n"
    "    esac\n"
    "}\n"
    "_pyshim() {\n"
    "    local cur=${COMP_WORDS[COMP_CWORD]} cmd=\n"
    "    [ \"$COMP_CWORD\" -gt 1 ] && cmd=${COMP_WORDS[1]}\n"
    "    COMPREPLY=($(compgen -W \"$(_pyshim_words \"$cmd\" $((COMP_CWORD - 1)) \"$cur\")\" -- \"$cur\"))\n"
    "}\n"
    "complete -o default -F _pyshim pyshim\n";

static const char zsh_script[] =
    "# pyshim completion for zsh: eval \"$(pyshim completions zsh)\" after compinit\n"
    "_pyshim_words() {\n"
    "    # $1: the command (empty for the first word); $2: the position\n"
    "    # after it (1: a sub-command may come); $3: the word typed\n"
    "    local help\n"
    "    if [[ -z $1 ]]; then\n"
    "        command pyshim help 2>/dev/null |\n"
    "            sed -n 's/^  \\([a-z][a-z-]*\\) .*/\\1/p'\n"
    "        return\n"
    "    fi\n"
    "    help=$(command pyshim \"$1\" --help 2>/dev/null) || return\n"
    "    if [[ $2 == 1 ]]; then\n"
    "        print -r -- \"$help\" |\n"
    "            sed -n \"s/^\\(usage:\\)\\{0,1\\} *pyshim $1 \\([a-z][a-z-]*\\).*/\\2/p\"\n"
    "    fi\n"
    "    if [[ $3 == -* ]]; then\n"
    "        print -r -- \"$help\" | grep -o -- '--[a-z][a-z-]*' | sort -u\n"
    "    fi\n"
    "}\n"
    "_pyshim() {\n"
    "    local -a cands\n"
    "    local cmd=\n"
    "    (( CURRENT > 2 )) && cmd=$words[2]\n"
    "    cands=(${(f)\"$(_pyshim_words \"$cmd\" $((CURRENT - 2)) \"$PREFIX\")\"})\n"
    "    if (( ${#cands} )); then\n"
    "        compadd -a cands\n"
    "    else\n"
    "        _files\n"
    "    fi\n"
    "}\n"
    "compdef _pyshim pyshim\n";

static const char fish_script[] =
    "# pyshim completion for fish: pyshim completions fish | source\n"
    "function __pyshim_words\n"
    "    set -l toks (commandline -opc)\n"
    "    set -l cur (commandline -ct)\n"
    "    if test (count $toks) -le 1\n"
    "        command pyshim help 2>/dev/null | string match -r -g '^  ([a-z][a-z-]*) '\n"
    "        return\n"
    "    end\n"
    "    set -l help (command pyshim $toks[2] --help 2>/dev/null); or return\n"
    "    if test (count $toks) -eq 2\n"
    "        string match -r -g \"^(?:usage:)? *pyshim $toks[2] ([a-z][a-z-]*)\" -- $help\n"
    "    end\n"
    "    if string match -q -- '-*' $cur\n"
    "        string match -r -a -g -- '(--[a-z][a-z-]*)' $help | sort -u\n"
    "    end\n"
    "end\n"
    "complete -c pyshim -f -a '(__pyshim_words)'\n";

static const char powershell_script[] =
    "# pyshim completion for PowerShell:\n"
    "#   pyshim completions powershell | Out-String | Invoke-Expression\n"
    "Register-ArgumentCompleter -Native -CommandName pyshim, pyshim.exe -ScriptBlock {\n"
    "    param($wordToComplete, $commandAst, $cursorPosition)\n"
    "    $toks = @($commandAst.CommandElements | ForEach-Object { $_.ToString() })\n"
    "    $n = $toks.Count\n"
    "    if ($wordToComplete -ne '') { $n -= 1 }\n"
    "    $cands = @()\n"
    "    if ($n -le 1) {\n"
    "        $cands = pyshim help 2>$null | ForEach-Object {\n"
    "            if ($_ -match '^  ([a-z][a-z-]*) ') { $Matches[1] } }\n"
    "    } else {\n"
    "        $cmd = $toks[1]\n"
    "        $help = @(pyshim $cmd --help 2>$null)\n"
    "        if ($n -eq 2) {\n"
    "            $cands += $help | ForEach-Object {\n"
    "                if ($_ -match \"^(usage:)? *pyshim $cmd ([a-z][a-z-]*)\") { $Matches[2] } }\n"
    "        }\n"
    "        if ($wordToComplete -like '-*') {\n"
    "            $cands += $help | Select-String -AllMatches -Pattern '--[a-z][a-z-]*' |\n"
    "                ForEach-Object { $_.Matches.Value } | Sort-Object -Unique\n"
    "        }\n"
    "    }\n"
    "    $cands | Where-Object { $_ -like \"$wordToComplete*\" } | ForEach-Object {\n"
    "        [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)\n"
    "    }\n"
    "}\n";

static const struct {
    const char *name;
    const char *script;
} scripts[] = {
    {"bash", bash_script},       {"zsh", zsh_script},
    {"fish", fish_script},       {"powershell", powershell_script},
    {"pwsh", powershell_script},
};

int cli_completions(int argc, char **argv)
{
    const char *shell = NULL;
    struct opt opts[] = {OPT_END()};
    struct opt_cmd oc = OPT_CMD(usage_completions, opts, &shell, 1);
    int code = PYSHIM_EXIT_OK;
    size_t i;

    if (opt_parse_cmd(&oc, argc, argv, &code))
        return code;
    for (i = 0; shell && i < sizeof(scripts) / sizeof(scripts[0]); i++)
        if (!strcmp(shell, scripts[i].name)) {
            fputs(scripts[i].script, stdout);
            return PYSHIM_EXIT_OK;
        }
    if (shell)
        fprintf(stderr, "pyshim: error: no completions for the shell '%s'\n",
                shell);
    else
        fputs("pyshim: error: which shell? bash, zsh, fish or powershell\n",
              stderr);
    fputs(usage_completions, stderr);
    return PYSHIM_EXIT_USAGE;
}
