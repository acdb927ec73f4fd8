#!/bin/sh
# install.sh: install pyshim for this user on Linux or macOS.
#
#   curl -fsSL https://github.com/OWNER/NAME/releases/latest/download/install.sh | sh
#   sh install.sh [--version V] [--from FILE] [--bin-dir DIR] [-- INSTALL-ARGS]
#
# Downloads the release tarball for this OS and architecture (or takes
# FILE, a pyshim-V-OS-ARCH.tar.gz already here), checks its SHA-256
# against the release's SHA256SUMS, unpacks it in a temporary directory
# and runs its `pyshim install`, which copies the binary into pyshim's bin
# dir (~/.local/share/pyshim/bin, or --bin-dir), links python and pip
# there and puts that dir first on PATH in the shell's start-up files.
# Nothing else is written: `pyshim uninstall` undoes all of it.
# INSTALL-ARGS go to `pyshim install` (e.g. --no-shell).
set -eu

# The GitHub repository the releases come from.
REPO=${PYSHIM_REPO:-pyshim/pyshim}
# Where the release files are; a test may point it at a local directory
# (file://...). Default: the latest release, or vVERSION with --version.
BASE_URL=${PYSHIM_BASE_URL:-}

say() { echo "pyshim-install: $*" >&2; }
die() {
    echo "pyshim-install: error: $1" >&2
    [ -n "${2:-}" ] && echo "pyshim-install: hint: $2" >&2
    exit 1
}
usage() {
    echo "usage: sh install.sh [--version V] [--from FILE] [--bin-dir DIR] [-- INSTALL-ARGS]" >&2
    exit 64
}

version=""
from=""
bin_dir=""
while [ $# -gt 0 ]; do
    case $1 in
    --version)
        [ $# -ge 2 ] || usage
        version=${2#v}
        shift 2
        ;;
    --from)
        [ $# -ge 2 ] || usage
        from=$2
        shift 2
        ;;
    --bin-dir)
        [ $# -ge 2 ] || usage
        bin_dir=$2
        shift 2
        ;;
    --)
        shift
        break
        ;;
    -h | --help)
        sed -n '2,14s/^# \{0,1\}//p' "$0" 2>/dev/null || true
        usage
        ;;
    *) usage ;;
    esac
done

case $(uname -s) in
Linux) os=linux ;;
Darwin) os=macos ;;
*) die "no pyshim release for $(uname -s)" "build it from source (README.md)" ;;
esac
case $(uname -m) in
x86_64 | amd64) arch=x86_64 ;;
arm64 | aarch64) arch=arm64 ;;
*) die "no pyshim release for $(uname -m)" "build it from source (README.md)" ;;
esac
if [ "$os-$arch" = linux-arm64 ]; then
    die "no pyshim release for linux-arm64 yet" "build it from source (README.md)"
fi

sha256() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d' ' -f1
    else
        die "neither sha256sum nor shasum is installed" \
            "install coreutils (Linux) or perl's shasum (macOS)"
    fi
}

fetch() { # URL FILE
    if command -v curl >/dev/null 2>&1; then
        curl -fsSL --proto '=https,file' -o "$2" "$1"
    elif command -v wget >/dev/null 2>&1; then
        wget -q -O "$2" "$1"
    else
        die "neither curl nor wget is installed" "install one of them"
    fi
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pyshim-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

if [ -n "$from" ]; then
    [ -f "$from" ] || die "no such file '$from'"
    tarball=$from
    name=$(basename "$from")
    sums=$(dirname "$from")/SHA256SUMS
    if [ ! -f "$sums" ]; then
        sums=""
        say "warning: no SHA256SUMS beside '$from': its hash is not checked"
    fi
else
    if [ -z "$BASE_URL" ]; then
        if [ -n "$version" ]; then
            BASE_URL=https://github.com/$REPO/releases/download/v$version
        else
            BASE_URL=https://github.com/$REPO/releases/latest/download
        fi
    fi
    say "fetching $BASE_URL/SHA256SUMS"
    fetch "$BASE_URL/SHA256SUMS" "$tmp/SHA256SUMS" ||
        die "cannot download $BASE_URL/SHA256SUMS" \
            "check the version (--version) and your connection"
    sums=$tmp/SHA256SUMS
    name=$(sed -n "s/^[0-9a-f]\{64\}  \(pyshim-[0-9][^ ]*-$os-$arch\.tar\.gz\)\$/\1/p" "$sums" | head -n 1)
    [ -n "$name" ] || die "the release has no pyshim for $os-$arch"
    say "fetching $BASE_URL/$name"
    fetch "$BASE_URL/$name" "$tmp/$name" || die "cannot download $BASE_URL/$name"
    tarball=$tmp/$name
fi

case $name in
pyshim-*-"$os-$arch".tar.gz) ;;
*) die "'$name' is not a pyshim release for $os-$arch" \
    "the file is named pyshim-VERSION-$os-$arch.tar.gz" ;;
esac

if [ -n "$sums" ]; then
    want=$(sed -n "s/^\([0-9a-f]\{64\}\)  $name\$/\1/p" "$sums" | head -n 1)
    [ -n "$want" ] || die "SHA256SUMS does not list '$name'"
    got=$(sha256 "$tarball")
    [ "$got" = "$want" ] ||
        die "SHA-256 mismatch for '$name': expected $want, got $got" \
            "the download is damaged or was altered: nothing was installed"
    say "SHA-256 checked: $got"
fi

mkdir "$tmp/x"
gzip -dc "$tarball" | (cd "$tmp/x" && tar -xf -)
dir=$tmp/x/${name%.tar.gz}
[ -x "$dir/pyshim" ] || die "'$name' holds no ${name%.tar.gz}/pyshim"

# The binary copies itself into its bin dir: the unpacked one goes away.
if [ -n "$bin_dir" ]; then
    "$dir/pyshim" install --bin-dir "$bin_dir" "$@"
else
    "$dir/pyshim" install "$@"
fi
