#!/bin/sh
# ci.sh STEP: the steps of .github/workflows/*.yml that are more than one
# command, kept here so every workflow step is a script of this repository
# (tests/integration/test_ci_workflows.py checks that). Each also runs by
# hand on a machine of its kind.
#
#   sh scripts/ci.sh windows [CJSON_DIR]   Windows (Git Bash, mingw-w64 gcc):
#                      native build (preset windows-native) and the Windows
#                      suite run natively, plus tests/windows/test_realpython.py
#                      against every CPython in the runner's toolcache
#   sh scripts/ci.sh macos [CJSON_DIR]     macOS: dev build (ASan+UBSan),
#                      unit tests, integration tests against the runner's
#                      Pythons, then the release tarball into dist-out/ and
#                      install.sh --from it (test_release.InstallSh)
#   sh scripts/ci.sh publish OUTDIR TAG    attach OUTDIR's files to the
#                      GitHub release TAG (gh, with GH_TOKEN)
#
# CJSON_DIR: a cJSON source dir made by `sh installer/bootstrap.sh
# cjson-src DIR` on Linux (apt is needed to get it); default build/deps/cjson.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
step=${1:-}
[ $# -gt 0 ] && shift

case $step in
windows)
    cjson=${1:-build/deps/cjson}
    cmake --preset windows-native "-DPYSHIM_CJSON_SRC=$top/$cjson"
    cmake --build --preset windows-native -j 2
    # Every CPython the runner has (actions/setup-python puts them in the
    # toolcache), as Windows paths separated by ';'. RUNNER_TOOL_CACHE is a
    # Windows path (C:\hostedtoolcache\windows): a glob needs it in the
    # shell's own form. PYSHIM_REAL_PYTHONS, when set, is used as given.
    reals=${PYSHIM_REAL_PYTHONS:-}
    if [ -z "$reals" ]; then
        tc=$(cygpath -u "${RUNNER_TOOL_CACHE:-C:\hostedtoolcache\windows}")
        for exe in "$tc"/Python/*/x64/python.exe; do
            [ -f "$exe" ] || continue
            w=$(cygpath -w "$exe")
            reals=${reals:+$reals;}$w
        done
    fi
    # Without one, test_realpython.py would skip and the job pass untested.
    if [ -z "$reals" ]; then
        echo "ci: error: no CPython for Windows in $tc/Python (actions/setup-python)" >&2
        echo "ci: hint: set PYSHIM_REAL_PYTHONS='C:\\path\\python.exe;...'" >&2
        exit 1
    fi
    echo "ci: real Pythons: $reals"
    PYSHIM_REAL_PYTHONS=$reals ctest --preset windows-native -j 2
    ;;
macos)
    cjson=${1:-build/deps/cjson}
    # cmocka for the unit tests; cJSON is compiled in from CJSON_DIR.
    command -v pkg-config >/dev/null 2>&1 || brew install pkgconf
    pkg-config --exists cmocka || brew install cmocka
    cmake --preset dev -DPYSHIM_CJSON_STATIC=ON "-DPYSHIM_CJSON_SRC=$top/$cjson"
    cmake --build --preset dev -j 2
    ctest --preset dev -L unit
    ctest --preset dev -L integration -E 'integration.test_release'
    PYSHIM_CJSON_SRC=$top/$cjson sh scripts/release.sh dist-out
    # install.sh --from that tarball in a private HOME, the shim run, and
    # `pyshim uninstall` giving every file back (test_release.InstallSh)
    (cd tests/integration &&
        PYSHIM_RELEASE_DIR=$top/dist-out python3 -m unittest -v test_release.InstallSh)
    ;;
publish)
    [ $# -eq 2 ] || {
        echo "usage: sh scripts/ci.sh publish OUTDIR TAG" >&2
        exit 64
    }
    cd "$1"
    # shellcheck disable=SC2046
    gh release create "$2" --title "pyshim ${2#v}" --notes-file /dev/null \
        $(find . -maxdepth 1 -type f ! -name '.*' | sed 's|^\./||' | sort)
    ;;
*)
    echo "usage: sh scripts/ci.sh windows|macos|publish ..." >&2
    exit 64
    ;;
esac
