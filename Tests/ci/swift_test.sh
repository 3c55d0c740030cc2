#!/usr/bin/env bash
# Runs `swift test` (the README's test command) for CI with a time box: a hang shows up as a
# failure that names the tests still running and where every thread is, instead of a CI run
# that times out printing nothing. Usage: Tests/ci/swift_test.sh [LIMIT_SECONDS] (default 1500).
set -uo pipefail
cd "$(dirname "$0")/../.."
limit="${1:-1500}"
log="$(mktemp /tmp/coccd-swift-test.XXXXXX)"

# The build first, so its time does not count against the tests' limit.
swift build --build-tests > "$log" 2>&1
built=$?
grep -vE '^\[[0-9]+/[0-9]+\] ' "$log" | tail -n 100
[ "$built" -eq 0 ] || exit "$built"

swift test --skip-build > "$log" 2>&1 &
runner=$!
start=$(date +%s)
while kill -0 "$runner" 2> /dev/null; do
    if [ $(( $(date +%s) - start )) -ge "$limit" ]; then
        echo "swift test still running after ${limit} s: a hang. Tests started and not finished:"
        python3 - "$log" << 'PY'
import re, sys
started, finished = {}, set()
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"^◇ Test (.+?) started", line)
    if m: started[m.group(1)] = line.strip()
    m = re.match(r"^[✔✘] Test (.+?) (passed|failed|recorded)", line)
    if m: finished.add(m.group(1))
for name, line in started.items():
    if name not in finished and name != "run": print("  " + line)
PY
        tests=$(pgrep -f 'coccdPackageTests.xctest' | head -n 1)
        if [ -n "$tests" ] && command -v gdb > /dev/null; then
            echo "threads of the test process (frames in the project and in Foundation/Dispatch/NIO):"
            timeout 120 gdb -p "$tests" -batch -ex 'thread apply all bt 30' 2> /dev/null \
                | grep -E '^Thread|Cocc|Tests|FoundationNetworking|URLSession|_dispatch_sync|swift_task_cancel|TaskGroup' | cut -c1-240 | head -n 200
        fi
        tail -n 40 "$log"
        pkill -KILL -f 'coccdPackageTests.xctest' 2> /dev/null
        kill -KILL "$runner" 2> /dev/null
        exit 1
    fi
    sleep 5
done
wait "$runner"
status=$?
grep -vE '^\[[0-9]+/[0-9]+\] ' "$log" | grep -E '^✘|recorded an issue|^Test run|passed after|failed after' | grep -vE '^✔ (Test [^r]|Suite)' | tail -n 150
grep -qE '^(✔|✘) Test run' "$log" || tail -n 60 "$log"   # no summary: say what it printed last
rm -f "$log"
exit "$status"
