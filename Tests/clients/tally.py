"""The tally the real-client scripts share: `check` prints an ok/FAIL line per check, `finish`
prints the "N passed, M failed" line run.sh reads and exits non-zero on a failure."""
import sys

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   " + name)
    else:
        failed += 1
        print("FAIL " + name + ("\n     " + str(detail) if detail else ""))


def finish():
    print("\n%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)
