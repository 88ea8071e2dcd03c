#!/usr/bin/env python3
"""Sum meson's test log (build/meson-logs/testlog.json) into one closing line.

Per test: a cmocka binary counts its cases from its '[  PASSED  ] N test(s).'
and '[  FAILED  ] N test(s)' lines; a test printing its own
'N passed, N failed[, N skipped]' line (optionally 'name: ' first) counts the
last such line; any other test counts as one case from meson's result.
A test meson marks failed never counts as zero failures. Prints one line per
test and, last, 'N passed, N failed' (', N skipped' when any); exits 1 when
anything failed or no test ran.

usage: test-summary.py [testlog.json] | --build-failed
"""
import json
import re
import sys

CM_START = re.compile(r"^\[==========\] Running \d+ test\(s\)\.", re.M)
CM_PASS = re.compile(r"^\[  PASSED  \] (\d+) test\(s\)\.", re.M)
CM_FAIL = re.compile(r"^\[  FAILED  \] (\d+) test\(s\)", re.M)
CM_SKIP = re.compile(r"^\[  SKIPPED \] (\d+) test\(s\)", re.M)
OWN = re.compile(r"^(?:[\w.-]+: )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?[ \t\r]*$", re.M)
OK_RESULTS = ("OK", "EXPECTEDFAIL")


def closing(passed, failed, skipped):
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line, flush=True)
    return 1 if failed else 0


def count(t):
    """(passed, failed, skipped) for one testlog entry."""
    result = t.get("result")
    # meson merges stderr into stdout unless --split; read both to be safe
    out = (t.get("stdout") or "") + "\n" + (t.get("stderr") or "")
    ok = result in OK_RESULTS
    if result == "SKIP":
        return 0, 0, 1
    cp, cf = CM_PASS.findall(out), CM_FAIL.findall(out)
    own = OWN.findall(out)
    if cp or cf:
        p, f = sum(map(int, cp)), sum(map(int, cf))
        s = sum(map(int, CM_SKIP.findall(out)))
        # a group that crashed prints no summary of its own
        if not ok and f == 0:
            f = 1
        elif len(CM_START.findall(out)) > len(cp) and f == 0:
            f = 1
        return p, f, s
    if own:
        p, f, s = int(own[-1][0]), int(own[-1][1]), int(own[-1][2] or 0)
        if not ok and f == 0:
            f = 1
        return p, f, s
    return (1, 0, 0) if ok else (0, 1, 0)


def main(argv):
    if argv and argv[0] == "--build-failed":
        print("FAIL build (the build failed, no test ran)")
        return closing(0, 1, 0)
    path = argv[0] if argv else "build/meson-logs/testlog.json"
    try:
        with open(path) as f:
            entries = [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError) as e:
        print(f"test-summary: cannot read {path}: {e}")
        return closing(0, 1, 0)
    passed = failed = skipped = 0
    for t in entries:
        name = t.get("name", "?")
        p, f, s = count(t)
        passed, failed, skipped = passed + p, failed + f, skipped + s
        if t.get("result") == "SKIP":
            print(f"SKIP {name}")
        elif f == 0:
            print(f"PASS {name} ({p} test{'' if p == 1 else 's'}" + (f", {s} skipped)" if s else ")"))
        else:
            print(f"FAIL {name} ({p} passed, {f} failed, result {t.get('result')})")
    if not entries:
        print(f"test-summary: no tests in {path}")
        failed += 1
    return closing(passed, failed, skipped)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
