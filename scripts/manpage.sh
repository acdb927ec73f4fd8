#!/bin/sh
# manpage.sh PYSHIM OUT: write the man page pyshim(1) to OUT from the texts
# the binary PYSHIM prints: `pyshim help` (SYNOPSIS) and `pyshim CMD --help`
# for every command it lists (COMMANDS), verbatim in no-fill blocks. So the
# man page is the --help text and cannot drift from it. The build runs it
# (CMakeLists.txt: target manpage, native builds only) and the .deb
# installs the result as /usr/share/man/man1/pyshim.1.
set -eu
pyshim=$1
out=$2

# roff: a backslash is \e, a minus \- (an ASCII minus that options can be
# copied from, not a hyphen); a line starting with . or ' gets \& first
esc() {
    sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"
}

block() {
    printf '.nf\n'
    esc
    printf '.fi\n'
}

version=$("$pyshim" version | sed 's/^pyshim //')
cmds=$("$pyshim" help | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' |
    grep -v -x -e help -e version)

{
    printf '.TH PYSHIM 1 "" "pyshim %s" "User Commands"\n' "$version"
    printf '.SH NAME\n'
    printf 'pyshim \\- the right Python behind python and pip, with no activation\n'
    printf '.SH SYNOPSIS\n'
    "$pyshim" help | block
    printf '.SH COMMANDS\n'
    for c in $cmds; do
        printf '.SS "pyshim %s"\n' "$c"
        "$pyshim" "$c" --help | block
    done
    printf '.SH SEE ALSO\n'
    printf 'python(1), pip(1); the reference in /usr/share/doc/pyshim/docs\n'
} >"$out.tmp"
mv "$out.tmp" "$out"
