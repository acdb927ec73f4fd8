#!/usr/bin/env python3
"""check_layers: the source rooms include only downward.

The layering, top to bottom (a file may include its own room and any room
below it, never one above):

    shim/                 the entry points: main() and the shim role
    cli/ (was installer/) the `pyshim` commands
    launcher/             resolution: interpreters, venvs, hook, embed
    config/               project discovery, config files, trust
    common/               strings, paths, encodings, the OS door (plat*)

`installer/` and `cli/` are the same room (the CLI is moving from one name
to the other). Every `#include "room/..."` in a .c or .h under these rooms
is checked, subdirectories included (common/win/ is common); an include of
a room this script does not know is an error too, and so is a top-level
directory of C files that is no room (tests/, bench/, build*/ are not), so
a new room must be placed here first. Angle-bracket includes (the C library, the OS, cJSON)
are not ours and not checked.

Usage: check_layers.py [SOURCE_DIR]   (default: the checkout holding this
script). Before checking the tree it checks itself on a planted upward
include, so a check that can no longer fail fails.
"""

import os
import re
import sys
import tempfile

# Rank: lower is higher up. Rooms with the same rank are one room.
LAYERS = {
    "shim": 0,
    "cli": 1,
    "installer": 1,
    "launcher": 2,
    "config": 3,
    "common": 4,
}

INCLUDE = re.compile(rb'^\s*#\s*include\s*"([^"]+)"', re.M)


# Top-level directories with C files that are not rooms of the product.
NOT_ROOMS = {"tests", "build", "bench", ".git"}


def violations(root):
    """Every include that points upward or to an unknown room, and every
    top-level directory of C files that is no room, as text."""
    bad = []
    for top in sorted(os.listdir(root)):
        if top in LAYERS or top in NOT_ROOMS or top.startswith("build"):
            continue
        for dirpath, _, filenames in os.walk(os.path.join(root, top)):
            if any(f.endswith((".c", ".h")) for f in filenames):
                bad.append("%s/: C files in no known room (add it to "
                           "tests/check_layers.py)" % top)
                break
    for room, rank in sorted(LAYERS.items()):
        top = os.path.join(root, room)
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames.sort()
            for name in sorted(filenames):
                if not name.endswith((".c", ".h")):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                with open(path, "rb") as f:
                    text = f.read()
                for m in INCLUDE.finditer(text):
                    target = m.group(1).decode("utf-8", "replace")
                    line = text.count(b"\n", 0, m.start()) + 1
                    if "/" not in target:
                        continue  # a header beside the file: its own room
                    to = target.split("/", 1)[0]
                    if to not in LAYERS:
                        bad.append("%s:%d: includes \"%s\": '%s/' is no "
                                   "known room (add it to tests/"
                                   "check_layers.py)" % (rel, line, target,
                                                         to))
                    elif LAYERS[to] < rank:
                        bad.append("%s:%d: includes \"%s\": %s/ may not "
                                   "include %s/ (it is above it)"
                                   % (rel, line, target, room, to))
    return bad


def self_test():
    """The check must catch a planted upward include and pass a clean
    tree; installer/ and cli/ must count as one room."""
    with tempfile.TemporaryDirectory() as d:
        def put(rel, text):
            os.makedirs(os.path.dirname(os.path.join(d, rel)), exist_ok=True)
            with open(os.path.join(d, rel), "w") as f:
                f.write(text)

        put("common/win/fs.c", '#include "common/plat.h"\n')
        put("config/cfg.c", '#include "common/sb.h"\n#include <stdio.h>\n')
        put("launcher/resolve.c", '#include "config/cfg.h"\n')
        put("installer/which.c", '#include "cli/cli.h"\n')
        put("cli/doctor.c", '#include "installer/rcfile.h"\n'
                            '#include "launcher/resolve.h"\n')
        put("shim/main.c", '#include "cli/cli.h"\n')
        if violations(d):
            return "a clean tree fails: %s" % violations(d)
        put("config/bad.c", '#include "launcher/interp.h"\n')
        put("common/win/bad.c", '  #  include "cli/cli.h"\n')
        put("launcher/bad.h", '#include "nowhere/x.h"\n')
        put("newroom/x.c", "int x;\n")
        got = violations(d)
        want = ["common/win/bad.c:1", "config/bad.c:1", "launcher/bad.h:1",
                "newroom/"]
        if sorted(v.split(": ")[0] for v in got) != want:
            return "planted upward includes not all caught: %s" % got
    return None


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(here)
    broken = self_test()
    if broken:
        print("check_layers: self-test: " + broken, file=sys.stderr)
        return 1
    bad = violations(root)
    for v in bad:
        print(v, file=sys.stderr)
    if bad:
        print("check_layers: %d include(s) point upward or nowhere; the "
              "layering is in tests/check_layers.py" % len(bad),
              file=sys.stderr)
        return 1
    print("check_layers: every include points downward")
    return 0


if __name__ == "__main__":
    sys.exit(main())
