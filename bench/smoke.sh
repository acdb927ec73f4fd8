#!/bin/sh
# Smoke test for the benchmark harness (not a benchmark): a --quick run must
# finish and write a JSON report with wall times and instruction counts.
# Targets are not enforced here (a shared CI runner is too noisy for them).
# Usage: bench/smoke.sh [path/to/pyshim]   (default: build/release/pyshim)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
pyshim=${1:-$here/../build/release/pyshim}
out=$(mktemp "${TMPDIR:-/tmp}/pyshim-bench-smoke.XXXXXX")
trap 'rm -f "$out"' EXIT
cg=
command -v valgrind >/dev/null 2>&1 || cg=--no-callgrind
/usr/bin/python3 "$here/bench.py" --quick --pythons system --pyshim "$pyshim" \
    --json-out "$out" $cg >/dev/null
/usr/bin/python3 - "$out" "$cg" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["wall"], "no wall-time results"
for row in r["wall"]:
    for v in ("direct", "pyshim"):
        assert row["variants"][v]["median_ms"] > 0, (row, v)
if not sys.argv[2]:
    assert r["instructions"], "no instruction counts"
    for row in r["instructions"]:
        for p in row["projects"].values():
            assert 0 < p["shim_ir"] < p["python_pass_ir"], p
print("bench smoke: ok (%d wall rows, %d instruction rows)"
      % (len(r["wall"]), len(r["instructions"])))
PY
