# The tally the real-client runners share (run.sh, run_postgres.sh; tally.py is the same for
# the Python runners): `tally NAME < output` adds a runner's "N passed, M failed" line,
# `step NAME command...` counts one command that must succeed. Source it; it sets the totals.
total_passed=0
total_failed=0

tally() {  # reads a runner's output, echoes it, adds its "N passed, M failed" line
    local out line
    out=$(cat)
    printf '%s\n' "$out" | grep -v '^ok ' | grep -v '^$' | grep -vE '^[0-9]+ passed, [0-9]+ failed$' || true
    line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
    if [ -z "$line" ]; then echo "FAIL $1 printed no result line"; total_failed=$((total_failed + 1)); return; fi
    echo "$1: $line"
    total_passed=$((total_passed + $(echo "$line" | cut -d' ' -f1)))
    total_failed=$((total_failed + $(echo "$line" | cut -d' ' -f3)))
}

step() {  # name, then a command that must succeed
    local name=$1; shift
    if "$@"; then total_passed=$((total_passed + 1)); echo "ok   $name"; else total_failed=$((total_failed + 1)); echo "FAIL $name"; fi
}
