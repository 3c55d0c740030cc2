#!/usr/bin/env bash
# Benchmark (not a test): a legitimate SOAP client's latency while hostile SOAP bodies arrive.
# A release coccd --demo on loopback; Benchmarks/hostile_load.py sends agentStatus/login at a
# fixed rate, first alone, then while ATTACKERS concurrent clients send attribute bombs, a
# namespace bomb, deep nesting, DOCTYPE bodies and oversized bodies (bounded in time and count).
# Prints the legitimate p50/p99 without and with the attack, and the ratios.
#   Benchmarks/hostile_benchmark.sh [seconds per phase, default 15] [attackers, default 6] [rate/s, default 50]
# BASE=<commit> also builds that commit (in .build-base, e.g. BASE=72f1a2f, the code before the
# SOAP bounds) and runs the same load against it; BASE_BIN=<path to a coccd binary> runs it
# against that binary instead. PORT=<n> picks the port (default 4691).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_=${1:-15}
ATTACKERS=${2:-6}
RATE=${3:-50}
PORT=${PORT:-4691}
WORK=$(mktemp -d)
pid=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "== building coccd (release)"
swift build -c release --product coccd 2>&1 | tail -n 1
BINS=("current=$(swift build -c release --show-bin-path)/coccd")
if [ -n "${BASE:-}" ]; then
    echo "== building $BASE (release, .build-base)"
    mkdir -p "$WORK/base"
    git archive "$BASE" | tar -x -C "$WORK/base"
    swift build -c release --product coccd --package-path "$WORK/base" --scratch-path "$PWD/.build-base" 2>&1 | tail -n 1
    BINS+=("base $BASE=$(swift build -c release --package-path "$WORK/base" --scratch-path "$PWD/.build-base" --show-bin-path)/coccd")
elif [ -n "${BASE_BIN:-}" ]; then
    BINS+=("base=$BASE_BIN")
fi

for entry in "${BINS[@]}"; do
    name=${entry%%=*}
    bin=${entry#*=}
    echo "== $name: coccd --demo on 127.0.0.1:$PORT; $RATE legitimate req/s, $SECONDS_ s alone, $SECONDS_ s with $ATTACKERS attackers"
    rm -rf "$WORK/data"
    "$bin" --demo --data-dir "$WORK/data" --host 127.0.0.1 --port "$PORT" --log-level error > "$WORK/coccd.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
    # 8001 signs in, so agentStatus answers its groups.
    curl -s "http://127.0.0.1:$PORT/coccinterfaces?EVENT=LOGIN&orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=123456" > /dev/null
    python3 Benchmarks/hostile_load.py 127.0.0.1 "$PORT" "$RATE" "$SECONDS_" "$ATTACKERS" "$pid" | tee "$WORK/$name.json"
    if ! kill "$pid" 2>/dev/null; then echo "coccd ($name) is gone; its log ends:"; tail -n 20 "$WORK/coccd.log"; fi
    wait "$pid" 2>/dev/null || true
    pid=""
    python3 - "$WORK/$name.json" "$name" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
a, b = r["without_attack"], r["with_attack"]
print(f"{sys.argv[2]}: legitimate p50 {a['p50_ms']} ms, p99 {a['p99_ms']} ms without attack; "
      f"p50 {b['p50_ms']} ms, p99 {b['p99_ms']} ms, max {b['max_ms']} ms with {r['attackers']} attackers "
      f"({b['errors']} errors of {b['sent']}); ratio p50 {r.get('ratio_p50')}x, p99 {r.get('ratio_p99')}x; "
      f"attack requests {sum(sum(v.values()) for v in r['attacks'].values())}; peak RSS {r['server_peak_rss_mb']} MB")
PY
done
