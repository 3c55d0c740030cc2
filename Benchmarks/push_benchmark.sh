#!/usr/bin/env bash
# Event push benchmark (not a test): a release coccd with 1,000 agents; 1,000 subscribers on
# loopback (half long-poll, half SSE, some SSE on the team channel); 100 events/s for 60 s.
# Reports p50/p99 latency from the operation that appends an event to the subscriber that
# parsed it, and coccd's RSS (now and peak). Then the peer, in the same run and with the same
# load generator: nginx with the nchan module (successor of the nginx HTTP push module the
# original product used), 2 workers, the same long-poll protocol and EventSource; see
# Benchmarks/push_load.py. Installs nginx and libnginx-mod-nchan with apt-get when missing.
#   Benchmarks/push_benchmark.sh [subscribers=1000] [team-sse=50] [events/s=100] [seconds=60]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}; TEAM=${2:-50}; RATE=${3:-100}; SECONDS_=${4:-60}
PORT=${BENCH_PORT:-4690}
PEER_PORT=$((PORT + 5))
missing=()
for p in nginx libnginx-mod-nchan; do dpkg -s "$p" > /dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" > /dev/null; fi
swift build -c release --product coccd 2>&1 | tail -n 1
COCCD="$(swift build -c release --show-bin-path)/coccd"
DATA=$(mktemp -d)
trap '[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; [ -f "$DATA/nginx.pid" ] && kill "$(cat "$DATA/nginx.pid")" 2>/dev/null; rm -rf "$DATA"' EXIT

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
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=

echo "== peer: nginx + nchan"
cat > "$DATA/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_nchan_module.so;
user root;
worker_processes 2;
worker_rlimit_nofile 65536;
pid $DATA/nginx.pid;
error_log $DATA/nginx-error.log;
events { worker_connections 8192; }
http {
    access_log off;
    client_body_temp_path $DATA/body;
    server {
        listen 127.0.0.1:$PEER_PORT;
        keepalive_requests 1000000;
        location ~ ^/agentindesks/agentpull/(.+)\$ { nchan_subscriber longpoll; nchan_channel_id \$1; nchan_subscriber_first_message newest; }
        location ~ ^/sse/(.+)\$ { nchan_subscriber eventsource; nchan_channel_id \$1; nchan_subscriber_first_message newest; }
        location ~ ^/pub/(.+)\$ { nchan_publisher; nchan_channel_id \$1 team; }
    }
}
CONF
nginx -c "$DATA/nginx.conf"
sleep 0.5
PEER=nchan python3 Benchmarks/push_load.py "http://127.0.0.1:$PEER_PORT" 9000 "$N" "$TEAM" "$RATE" "$SECONDS_" | tee "$DATA/peer.json"
rss=0; hwm=0; cpu=0
for p in $(pgrep -f "nginx: worker process" || true); do
    if grep -q "$DATA" "/proc/$p/cmdline" 2>/dev/null || [ "$(cat /proc/$p/stat | cut -d' ' -f4)" = "$(cat "$DATA/nginx.pid")" ]; then
        rss=$((rss + $(awk '/VmRSS/ {print $2}' /proc/$p/status))); hwm=$((hwm + $(awk '/VmHWM/ {print $2}' /proc/$p/status)))
        cpu=$(awk -v c="$cpu" '{print c + ($14+$15)/100}' /proc/$p/stat)
    fi
done
echo "nginx workers RSS after: $((rss / 1024)) MB, peak $((hwm / 1024)) MB, CPU (user+sys s): $cpu"
python3 - "$DATA/result.json" "$DATA/peer.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for channel in ("agent_channel_ms", "team_channel_ms", "publish_reply_ms"):
    for k in ("p50", "p99"):
        print("%s %s: coccd %.2f ms, nchan %.2f ms, ratio nchan/coccd %.2f" % (channel, k, a[channel][k], b[channel][k], b[channel][k] / a[channel][k]))
print("delivered: coccd %s, nchan %s" % (a["received"], b["received"]))
PY
