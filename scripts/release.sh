#!/bin/sh
# release.sh OUTDIR: build every release artifact of this checkout into
# OUTDIR (docs/release.md).
#
# On Linux (x86_64):
#   pyshim-V-linux-x86_64.tar.gz    the binary (preset dist: -O2, cJSON
#                                   compiled in, libc the only library),
#                                   README.md, LICENSE, LICENSE.cJSON
#   pyshim_V_amd64.deb              the same binary in /usr/bin and the
#                                   docs (CPack); no maintainer scripts
#   pyshim-V-windows-x86_64.zip     pyshim.exe (preset windows: the very
#                                   build the Windows suite tests), README.md,
#                                   LICENSE, LICENSE.cJSON
#   pyshim-V.tar.gz                 the source (git archive of HEAD)
#   pyshim.json, pyshim.rb,         the Scoop, Homebrew and winget
#   Pyshim.Pyshim*.yaml             manifests (packaging/) with this
#                                   release's version and hashes
#   install.sh, install.ps1         the one-line installers (installer/)
#   SHA256SUMS                      sha256sum -c format, every file above
# On macOS (the CI job): pyshim-V-macos-ARCH.tar.gz and SHA256SUMS only.
#
# PYSHIM_REPO=OWNER/NAME is the GitHub repository the manifests download
# from (release.yml sets it; install.sh has the same default at its top).
# PYSHIM_CJSON_SRC=DIR uses that cJSON source dir instead of unpacking the
# distribution's (cmake/cjson-src.sh needs apt: macOS and Windows CI jobs
# get it from the Linux job).
set -eu

usage() {
    echo "usage: sh scripts/release.sh OUTDIR" >&2
    exit 64
}
[ $# -eq 1 ] || usage
case $1 in -*) usage ;; esac

top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
cd "$top"

say() { echo "release: $*" >&2; }
die() {
    echo "release: error: $*" >&2
    exit 1
}
need_tool() {
    command -v "$1" >/dev/null 2>&1 || die "'$1' is needed ($2)"
}

sha256() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    else
        shasum -a 256 "$1" | cut -d' ' -f1
    fi
}

case $(uname -s) in
Linux) os=linux ;;
Darwin) os=macos ;;
*) die "unsupported build OS $(uname -s)" ;;
esac
case $(uname -m) in
x86_64 | amd64) arch=x86_64 ;;
arm64 | aarch64) arch=arm64 ;;
*) die "unsupported build architecture $(uname -m)" ;;
esac

repo=${PYSHIM_REPO:-pyshim/pyshim}
cjson_opt=""
if [ -n "${PYSHIM_CJSON_SRC:-}" ]; then
    cjson_opt="-DPYSHIM_CJSON_SRC=$PYSHIM_CJSON_SRC"
fi

# macOS: a binary for macOS 11 (the first with arm64) and later, not only
# for the build machine's own version (Apple's default deployment target).
osx_opt=""
if [ "$os" = macos ]; then
    osx_opt="-DCMAKE_OSX_DEPLOYMENT_TARGET=${MACOSX_DEPLOYMENT_TARGET:-11.0}"
fi

# -- the host binary ------------------------------------------------------
say "building the $os-$arch binary (preset dist)"
# shellcheck disable=SC2086
cmake --preset dist $cjson_opt $osx_opt >/dev/null
cmake --build --preset dist -j 2 >&2
ver=$(./build/dist/pyshim version | sed -n 's/^pyshim //p')
cmver=$(sed -n 's/^project(pyshim VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
[ -n "$ver" ] || die "cannot read the version from build/dist/pyshim"
[ "$ver" = "$cmver" ] ||
    die "build/dist/pyshim says $ver, CMakeLists.txt's project() $cmver (the one source: a stale build?)"
cjson_dir=$(sed -n 's/^PYSHIM_CJSON_SRC:PATH=//p' build/dist/CMakeCache.txt)
[ -n "$cjson_dir" ] || cjson_dir=$top/build/deps/cjson

stage=$out/.stage
rm -rf "$stage"
mkdir -p "$stage"
name=pyshim-$ver-$os-$arch
mkdir "$stage/$name"
cp build/dist/pyshim "$stage/$name/pyshim"
strip "$stage/$name/pyshim" 2>/dev/null || true
cp README.md "$stage/$name/"
cp "$cjson_dir/LICENSE" "$stage/$name/LICENSE.cJSON"
cp LICENSE "$stage/$name/"
(cd "$stage" && tar -cf - "$name" | gzip -9n >"$out/$name.tar.gz")
files=$name.tar.gz

if [ "$os" = linux ]; then
    # -- the Debian package ---------------------------------------------
    need_tool dpkg-deb "the .deb (dpkg)"
    need_tool dpkg-shlibdeps "the .deb's dependencies (dpkg-dev)"
    say "packaging the .deb (cpack)"
    (cd "$stage" && cpack --config "$top/build/dist/CPackConfig.cmake" \
        -B "$stage/deb" >&2)
    deb=$(cd "$stage/deb" && ls ./*.deb)
    deb=${deb#./}
    mv "$stage/deb/$deb" "$out/$deb"
    files="$files $deb"

    # -- the Windows zip ------------------------------------------------
    need_tool x86_64-w64-mingw32-gcc "the Windows build (gcc-mingw-w64-x86-64)"
    need_tool zip "the Windows zip (zip)"
    say "building pyshim.exe (preset windows)"
    # shellcheck disable=SC2086
    cmake --preset windows $cjson_opt >/dev/null
    cmake --build --preset windows -j 2 --target pyshim >&2
    wname=pyshim-$ver-windows-x86_64
    mkdir "$stage/$wname"
    cp build/windows/pyshim.exe README.md "$stage/$wname/"
    cp "$cjson_dir/LICENSE" "$stage/$wname/LICENSE.cJSON"
    cp LICENSE "$stage/$wname/"
    rm -f "$out/$wname.zip"
    (cd "$stage" && zip -qrX "$out/$wname.zip" "$wname")
    files="$files $wname.zip"

    # -- the source -----------------------------------------------------
    need_tool git "the source tarball"
    git rev-parse --git-dir >/dev/null 2>&1 || die "not a git checkout"
    say "archiving the source (git archive HEAD)"
    git archive --format=tar --prefix="pyshim-$ver/" HEAD |
        gzip -9n >"$out/pyshim-$ver.tar.gz"
    files="$files pyshim-$ver.tar.gz"

    # -- the manifests, with this release's hashes ----------------------
    sed -e "s/@VERSION@/$ver/g" -e "s|@REPO@|$repo|g" \
        -e "s/@SHA256_WINDOWS_ZIP@/$(sha256 "$out/$wname.zip")/g" \
        packaging/scoop/pyshim.json >"$out/pyshim.json"
    for f in packaging/winget/*.yaml; do
        sed -e "s/@VERSION@/$ver/g" -e "s|@REPO@|$repo|g" \
            -e "s/@SHA256_WINDOWS_ZIP@/$(sha256 "$out/$wname.zip")/g" \
            "$f" >"$out/$(basename "$f")"
    done
    sed -e "s/@VERSION@/$ver/g" -e "s|@REPO@|$repo|g" \
        -e "s/@SHA256_SOURCE@/$(sha256 "$out/pyshim-$ver.tar.gz")/g" \
        packaging/homebrew/pyshim.rb >"$out/pyshim.rb"
    files="$files pyshim.json pyshim.rb"
    for f in packaging/winget/*.yaml; do
        files="$files $(basename "$f")"
    done
fi

# the install scripts, so the one-line installs fetch them from the release
cp installer/install.sh installer/install.ps1 "$out/"
files="$files install.sh install.ps1"

rm -rf "$stage"
# macOS tarballs that the macOS CI jobs built and the release job put here
# are listed too, so one SHA256SUMS covers the whole release.
for f in "$out"/pyshim-*-macos-*.tar.gz; do
    [ -f "$f" ] || continue
    case " $files " in *" $(basename "$f") "*) ;; *) files="$files $(basename "$f")" ;; esac
done
# SHA256SUMS, the format `sha256sum -c` and `shasum -a 256 -c` read.
: >"$out/SHA256SUMS.tmp"
for f in $files; do
    echo "$(sha256 "$out/$f")  $f" >>"$out/SHA256SUMS.tmp"
done
mv "$out/SHA256SUMS.tmp" "$out/SHA256SUMS"
say "done: $out"
cat "$out/SHA256SUMS"
