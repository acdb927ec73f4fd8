#!/bin/sh
# The CI smoke check of issue 14 (not a timed test): the exec-mode warm-run
# instruction count (callgrind Ir to the shim's execv, venv project of
# Debian's python, PYTHONHASHSEED=0) must not rise more than 20% above the
# committed figure in bench/baseline.json. One callgrind run (~10 s).
# Then the check's own test, without measuring: a figure just over the
# limit must fail and one just under it must pass.
#
# Usage: bench/smoke.sh [path/to/pyshim]   (default: build/release/pyshim)
# Wanted rise? /usr/bin/python3 bench/bench.py --update-baseline (README).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
pyshim=${1:-$here/../build/release/pyshim}
bench="/usr/bin/python3 $here/bench.py --pyshim $pyshim"

$bench --check-baseline

base=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["ir"])' \
    "$here/baseline.json")
over=$((base * 121 / 100))
under=$((base * 119 / 100))
if $bench --check-baseline --measured-ir "$over" >/dev/null; then
    echo "bench smoke: FAIL: the check passed $over Ir (baseline $base + 21%)" >&2
    exit 1
fi
$bench --check-baseline --measured-ir "$under" >/dev/null || {
    echo "bench smoke: FAIL: the check failed $under Ir (baseline $base + 19%)" >&2
    exit 1
}
echo "bench smoke: ok (the check fails at +21%, passes at +19%)"
