#!/bin/sh
# cjson-src.sh DIR: unpack the distribution's source of the cJSON that is
# installed (libcjson-dev) into DIR/cjson. Used where cJSON is compiled into
# pyshim instead of linked from libcjson: the Windows cross build (the
# distribution ships cJSON for Linux only) and the Linux release binary
# (which must run without libcjson installed).
#
# The source comes through apt's own machinery, from the archives this
# machine already uses: every enabled `deb` entry of its apt configuration
# (/etc/apt/sources.list and sources.list.d/*.list, one-line format;
# sources.list.d/*.sources, deb822 format) becomes a `deb-src` entry for
# the same URIs, suites, components and signing key, written to a private
# sources list with a private list dir, so the system's apt state is not
# touched. Idempotent.
#
#   cjson-src.sh --print-sources   print the derived deb-src lines only
set -eu

etc=${PYSHIM_APT_ETC:-/etc/apt}

# One-line format: "deb [opts] URI SUITE COMP..." -> "deb-src [opts] ...".
oneline() {
    sed -n 's/^[[:space:]]*deb\([[:space:]]\)/deb-src\1/p' "$@" 2>/dev/null
}

# deb822 format: stanzas separated by blank lines; fields Types, URIs,
# Suites, Components, Signed-By (a file name; an inline key block is left
# to apt's trusted keys), Enabled. Comments start with '#'.
deb822() {
    awk '
    function flush() {
        if (types ~ /(^| )deb( |$)/ && enabled != "no" && uris != "" &&
            suites != "") {
            opt = ""
            if (signed ~ /^\//)
                opt = "[signed-by=" signed "] "
            nu = split(uris, u, " ")
            ns = split(suites, s, " ")
            for (i = 1; i <= nu; i++)
                for (j = 1; j <= ns; j++)
                    print "deb-src " opt u[i] " " s[j] \
                        (comps != "" ? " " comps : "")
        }
        types = uris = suites = comps = signed = field = ""
        enabled = "yes"
    }
    BEGIN { enabled = "yes" }
    /^[[:space:]]*#/ { next }
    /^[[:space:]]*$/ { flush(); next }
    /^[[:space:]]/ { next }  # continuation lines: an inline key block
    {
        name = tolower($1); sub(/:$/, "", name)
        val = $0; sub(/^[^:]*:[[:space:]]*/, "", val)
        gsub(/[[:space:]]+/, " ", val); sub(/ $/, "", val)
        if (name == "types") types = val
        else if (name == "uris") uris = val
        else if (name == "suites") suites = val
        else if (name == "components") comps = val
        else if (name == "signed-by") signed = val
        else if (name == "enabled") enabled = tolower(val)
    }
    END { flush() }
    ' "$@"
}

sources() {
    set --
    [ -f "$etc/sources.list" ] && set -- "$etc/sources.list"
    for f in "$etc"/sources.list.d/*.list; do
        [ -f "$f" ] && set -- "$@" "$f"
    done
    [ $# -gt 0 ] && oneline "$@"
    set --
    for f in "$etc"/sources.list.d/*.sources; do
        [ -f "$f" ] && set -- "$@" "$f"
    done
    [ $# -gt 0 ] && deb822 "$@"
    return 0
}

if [ "${1:-}" = --print-sources ]; then
    sources
    exit 0
fi

dir=$1
[ -f "$dir/cjson/cJSON.c" ] && exit 0
die() {
    echo "cjson-src.sh: $*" >&2
    exit 1
}
for tool in dpkg-query apt-get dpkg-source; do
    command -v "$tool" >/dev/null 2>&1 ||
        die "'$tool' is missing: cJSON's source is fetched through apt (Debian, Ubuntu: install dpkg-dev)"
done
ver=$(dpkg-query -W -f='${Version}' libcjson-dev 2>/dev/null) ||
    die "libcjson-dev is not installed: the source fetched is that of the installed version (apt-get install libcjson-dev)"
mkdir -p "$dir/apt/lists/partial" "$dir/dl"
sources >"$dir/apt/sources.list"
if [ ! -s "$dir/apt/sources.list" ]; then
    die "no deb entries in $etc/sources.list{,.d}: no archive to fetch cJSON's source from"
fi
o="-o Dir::Etc::SourceList=$dir/apt/sources.list -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists=$dir/apt/lists -o APT::Sandbox::User=root"
# An archive that serves no sources (a third-party repository) makes
# update complain; apt-get source below fails plainly if cJSON's is not
# found anywhere.
# shellcheck disable=SC2086
apt-get $o update -qq >&2 || echo "cjson-src.sh: apt-get update reported errors (above); trying the archives that answered" >&2
cd "$dir/dl"
# shellcheck disable=SC2086
apt-get $o source --download-only -qq "cjson=$ver" >&2 ||
    die "apt-get could not download the source of cjson $ver from the archives of $etc (the deb-src lines: sh cmake/cjson-src.sh --print-sources); without network access, pass a cJSON source dir (-DPYSHIM_CJSON_SRC=DIR)"
tmp=$dir/cjson.tmp.$$
rm -rf "$tmp"
dpkg-source --no-check -x ./cjson_"${ver#*:}".dsc "$tmp" >&2 ||
    die "dpkg-source could not unpack cjson_${ver#*:}.dsc"
mkdir -p "$tmp/include/cjson"
cp "$tmp/cJSON.h" "$tmp/include/cjson/"
rm -rf "$dir/cjson"
mv "$tmp" "$dir/cjson"
