"""ctest fixture windows.wineboot: the Wine prefix the Windows tests share.

Made once (wineboot -i, ~10 s) in the build dir and reused while it works:
tests keep their own files in private temp dirs, and the install tests,
the only ones that write the prefix's registry, restore what they change
and run alone (RESOURCE_LOCK).
"""
import os
import shutil
import subprocess
import sys
import time

import wintest


def works():
    if not os.path.isfile(os.path.join(wintest.WINEPREFIX, "system.reg")):
        return False
    r = wintest.wine("reg", "query", "HKCU\\Environment", timeout=120)
    return r.returncode == 0


def settle():
    """Wait for the prefix's wineserver to exit: Wine writes system.reg
    only then, seconds after `wineboot -i` has returned."""
    ws = os.path.join(os.path.dirname(os.path.realpath(wintest.WINE)),
                      "wineserver")
    if not os.path.exists(ws):
        ws = shutil.which("wineserver") or ws
    try:
        subprocess.run([ws, "-w"], env=wintest.wine_env(), timeout=120,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        pass


def works_soon(seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        if works():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(1)


def main():
    if wintest.NATIVE:
        print("on Windows itself: no Wine prefix needed")
        return 0
    if works():
        print("reusing the Wine prefix %s" % wintest.WINEPREFIX)
        return 0
    shutil.rmtree(wintest.WINEPREFIX, ignore_errors=True)
    r = wintest.wine("wineboot", "-i", timeout=170)
    out = (r.stdout + r.stderr).decode("utf-8", "replace")
    settle()
    if r.returncode != 0 or not works_soon():
        sys.stderr.write("wineboot -i failed (exit %d):\n%s\n" %
                         (r.returncode, out))
        return 1
    print("made the Wine prefix %s" % wintest.WINEPREFIX)
    return 0


if __name__ == "__main__":
    sys.exit(main())
