#!/usr/bin/env python3
"""Sum meson's test log into one closing line: 'N passed, N failed'.

A cmocka binary counts its cases; a test that prints its own
'N passed, N failed' line counts that; any other test counts as one.
"""
import json
import re
import sys

CM_PASS = re.compile(r"^\[  PASSED  \] (\d+) test\(s\)\.", re.M)
CM_FAIL = re.compile(r"^\[  FAILED  \] (\d+) test\(s\)", re.M)
CM_SKIP = re.compile(r"^\[  SKIPPED \] (\d+) test\(s\)", re.M)
OWN = re.compile(r"^(?:\w+: )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$", re.M)


def main(path):
    try:
        with open(path) as f:
            entries = [json.loads(line) for line in f if line.strip()]
    except OSError as e:
        print(f"test-summary: cannot read {path}: {e}")
        print("0 passed, 1 failed")
        return 1
    passed = failed = skipped = 0
    for t in entries:
        name, result = t.get("name"), t.get("result")
        # cmocka prints its summary lines on stderr
        out = (t.get("stdout") or "") + "\n" + (t.get("stderr") or "")
        ok = result in ("OK", "EXPECTEDFAIL")
        if result == "SKIP":
            skipped += 1
            print(f"SKIP {name}")
            continue
        p = f = s = 0
        cp, cf = CM_PASS.findall(out), CM_FAIL.findall(out)
        own = OWN.findall(out)
        if cp or cf:
            p = sum(map(int, cp))
            f = sum(map(int, cf))
            s = sum(map(int, CM_SKIP.findall(out)))
            if not ok and f == 0:
                f = 1  # crashed or failed outside a case
        elif own:
            p, f = int(own[-1][0]), int(own[-1][1])
            s = int(own[-1][2] or 0)
            if not ok and f == 0:
                f = 1
        else:
            p, f = (1, 0) if ok else (0, 1)
        passed, failed, skipped = passed + p, failed + f, skipped + s
        print(f"{'PASS' if ok and f == 0 else 'FAIL'} {name} ({p} passed, {f} failed)")
    if not entries:
        print("test-summary: no tests ran")
        failed += 1
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "build/meson-logs/testlog.json"))
