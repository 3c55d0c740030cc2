#!/usr/bin/env bash
# Event push benchmark (not a test): a release coccd with 1,000 agents; 1,000 subscribers on
# loopback (half long-poll, half SSE, some SSE on the team channel); 100 events/s for 60 s.
# Reports p50/p99 latency from the operation that appends an event to the subscriber that
# parsed it, and coccd's RSS (now and peak).
#   Benchmarks/push_benchmark.sh [subscribers=1000] [team-sse=50] [events/s=100] [seconds=60]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}; TEAM=${2:-50}; RATE=${3:-100}; SECONDS_=${4:-60}
PORT=${BENCH_PORT:-4690}
swift build -c release --product coccd 2>&1 | tail -n 1
COCCD="$(swift build -c release --show-bin-path)/coccd"
DATA=$(mktemp -d)
trap '[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; rm -rf "$DATA"' EXIT

python3 - "$N" > "$DATA/directory.json" <<'PY'
import json, sys
n = int(sys.argv[1])
agents = [str(9000 + i) for i in range(n)]
print(json.dumps({"teams": [{
    "identity": "demo", "name": "Bench", "language": "en",
    "accounts": [{"username": "admin", "password": "bench", "surname": "Admin"}],
    "extensions": agents,
    "agents": [{"number": a, "name": "Agent " + a, "password": "bench", "extension": a, "account": "admin"} for a in agents],
    "groups": [{"name": "All", "queueNumber": "6001", "members": [{"agent": a, "kind": "static"} for a in agents]}],
}]}))
PY
"$COCCD" directory load --data-dir "$DATA" "$DATA/directory.json" > /dev/null
ulimit -n 65536 2>/dev/null || true
"$COCCD" serve --data-dir "$DATA" --port "$PORT" --log-level warning > "$DATA/coccd.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
echo "coccd RSS at start: $(awk '/VmRSS/ {print $2/1024 " MB"}' /proc/$pid/status)"
python3 Benchmarks/push_load.py "http://127.0.0.1:$PORT" 9000 "$N" "$TEAM" "$RATE" "$SECONDS_" | tee "$DATA/result.json"
echo "coccd RSS after: $(awk '/VmRSS/ {print $2/1024 " MB"}' /proc/$pid/status), peak $(awk '/VmHWM/ {print $2/1024 " MB"}' /proc/$pid/status)"
echo "coccd CPU (user+sys s): $(awk '{print ($14+$15)/100}' /proc/$pid/stat)"
