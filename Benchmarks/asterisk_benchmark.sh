#!/usr/bin/env bash
# Switch benchmark (not a test): the same outbound workload on coccd + simulator and on coccd +
# a real Asterisk, in one run (Benchmarks/AsteriskBenchmark). Needs an installed Asterisk
# (COCCD_TEST_ASTERISK_PREFIX or `asterisk` on PATH); starts it with Tests/asterisk/etc.
#   Benchmarks/asterisk_benchmark.sh [agents, default 50]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product AsteriskBenchmark 2>&1 | tail -n 1
run=$(mktemp -d)
port=${COCCD_BENCH_ARI_PORT:-8590}
trap 'bash Tests/asterisk/stop.sh "$run" > /dev/null 2>&1; rm -rf "$run"' EXIT
bash Tests/asterisk/start.sh "$run" "$port" > /dev/null
"$(swift build -c release --show-bin-path)/AsteriskBenchmark" "http://127.0.0.1:$port" "${1:-50}"
# Asterisk's own CPU over the run (it was idle during the simulator's half).
pid=$(cat "$run/run/asterisk.pid" 2>/dev/null || pgrep -f "$run/etc/asterisk.conf" | head -n 1)
echo "Asterisk CPU over the run: $(( $(awk '{print $14 + $15}' "/proc/$pid/stat") * 1000 / $(getconf CLK_TCK) )) ms"
