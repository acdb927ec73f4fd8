#!/bin/sh
# bootstrap.sh: set up pyshim from this repository on a Debian machine.
#
#   sh installer/bootstrap.sh install   build (release: cJSON compiled in from
#                                       the distribution's source, fetched
#                                       through apt into build/deps) and
#                                       install pyshim
#   sh installer/bootstrap.sh test      build (dev: -Werror, ASan+UBSan)
#                                       and run every test, then the
#                                       release build's instruction-count
#                                       smoke check (bench/smoke.sh:
#                                       callgrind), then fuzz each
#                                       parser briefly (fuzz: clang,
#                                       libFuzzer, ASan+UBSan), then
#                                       cross-build pyshim.exe (mingw-w64)
#                                       and run the Windows suite under Wine
#   sh installer/bootstrap.sh deps      install the test packages only (CI)
#   sh installer/bootstrap.sh cjson-src DIR
#                                       unpack the distribution's cJSON
#                                       source into DIR/cjson (CI hands it
#                                       to the macOS and Windows jobs)
#
# Missing Debian packages are installed with apt-get when run as root;
# otherwise the exact command is printed.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
what=${1:-install}

# dpkg-dev: the release build compiles cJSON in from the distribution's own
# source package, fetched through apt (cmake/cjson-src.sh)
build_deps="cmake gcc make pkg-config libcjson-dev dpkg-dev python3 python3-venv"
test_deps="$build_deps libcmocka-dev python3-ipykernel python3-jupyter-client
           python3-numpy python3-pip clang-format clang libclang-rt-14-dev
           gcc-mingw-w64-x86-64 wine64 dpkg-dev debian-archive-keyring
           zip git curl python3-yaml shellcheck zsh fish python3-nbconvert
           jupyter-nbconvert jupyter-core valgrind strace"

need() {
    missing=""
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
            grep -q "install ok installed" || missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" = 0 ]; then
        echo "bootstrap: installing:$missing" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $missing >&2
    else
        echo "bootstrap: missing Debian packages:$missing" >&2
        echo "bootstrap: run: sudo apt-get install -y$missing" >&2
        exit 1
    fi
}

case "$what" in
install)
    # shellcheck disable=SC2086
    need $build_deps
    cmake --preset release >/dev/null
    cmake --build --preset release -j "$(nproc)"
    ./build/release/pyshim install ${PYSHIM_BIN_DIR:+--bin-dir "$PYSHIM_BIN_DIR"}
    bin=${PYSHIM_BIN_DIR:-}
    if [ -z "$bin" ]; then
        if [ -n "${PYSHIM_HOME:-}" ]; then bin=$PYSHIM_HOME/bin
        else bin=${XDG_DATA_HOME:-$HOME/.local/share}/pyshim/bin; fi
    fi
    echo "bootstrap: pyshim is installed; here is what \`python\` runs here:"
    PATH="$bin:$PATH" "$bin/pyshim" which
    PATH="$bin:$PATH" "$bin/python" -c \
        'import sys; print("bootstrap: python works:", sys.executable, sys.version.split()[0])'
    ;;
test)
    # shellcheck disable=SC2086
    need $test_deps
    # The workflow presets (CMakePresets.json): configure, build, test each.
    # Their test presets fail when they run no test (noTestsAction), so a
    # suite that is not there (say, no Wine) is an error, not a pass.
    CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}
    CTEST_PARALLEL_LEVEL=${CTEST_PARALLEL_LEVEL:-$(nproc)}
    export CMAKE_BUILD_PARALLEL_LEVEL CTEST_PARALLEL_LEVEL
    cmake --workflow --preset dev
    # issue 14's smoke check (not a timed test): the release build's
    # exec-mode instruction count (callgrind, deterministic) at most 20%
    # above bench/baseline.json; one callgrind run
    cmake --preset release >/dev/null
    cmake --build --preset release
    sh bench/smoke.sh build/release/pyshim
    # six targets, 20 s each, run side by side: well under 3 minutes
    cmake --workflow --preset fuzz
    # Windows: pyshim.exe cross-built with mingw-w64, its suite under Wine
    # (tests/windows/README.md)
    cmake --workflow --preset windows
    ;;
deps)
    # shellcheck disable=SC2086
    need $test_deps
    ;;
cjson-src)
    [ $# -eq 2 ] || { echo "usage: sh installer/bootstrap.sh cjson-src DIR" >&2; exit 64; }
    need libcjson-dev dpkg-dev
    sh cmake/cjson-src.sh "$2"
    ;;
*)
    echo "usage: sh installer/bootstrap.sh install|test|deps|cjson-src DIR" >&2
    exit 64
    ;;
esac
