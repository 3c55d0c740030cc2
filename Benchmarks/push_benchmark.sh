#!/usr/bin/env bash
# Event push benchmark (not a test): a release coccd with AGENTS agents and PAGES subscribers
# (pages) on each agent's channel, on loopback: half long-poll, half SSE, the last TEAM of them SSE
# on the team channel; 100 events/s for 60 s. Reports p50/p99 latency from the operation that
# appends an event to the subscriber process that has it, and coccd's RSS (now and peak) and CPU.
# Then the peer, in the same run and with the same load generator: nginx with the nchan module
# (successor of the nginx HTTP push module the original product used), 2 workers, the same
# long-poll protocol and EventSource; see Benchmarks/push_load.py. Installs nginx and
# libnginx-mod-nchan with apt-get, and uvloop with pip, when missing.
#   Benchmarks/push_benchmark.sh [agents=1000] [team-sse=50] [events/s=100] [seconds=60] [pages=1]
# SHAPES runs several shapes (AGENTSxPAGES) in one invocation, coccd then nchan for each, and ends
# with one table; the issue's two 10,000-subscriber shapes:
#   SHAPES="100x100 10000x1" Benchmarks/push_benchmark.sh
# LOAD_WORKERS sets the generator's subscriber processes (default 1 up to 2,000 subscribers, else
# 2); POLL_TIMEOUT sets coccd's pollTimeoutSeconds (default: coccd's own, 30 s); PUSH_RESULTS=FILE
# keeps every run's JSON, one line each.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}; TEAM=${2:-50}; RATE=${3:-100}; SECONDS_=${4:-60}; PAGES=${5:-1}
SHAPES=${SHAPES:-${N}x${PAGES}}
PORT=${BENCH_PORT:-4690}
PEER_PORT=$((PORT + 5))
missing=()
for p in nginx libnginx-mod-nchan; do dpkg -s "$p" > /dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" > /dev/null; fi
python3 -c 'import uvloop' 2> /dev/null || pip install -q uvloop > /dev/null 2>&1 || echo "uvloop not installed: the generator uses plain asyncio"
swift build -c release --product coccd 2>&1 | tail -n 1
COCCD="$(swift build -c release --show-bin-path)/coccd"
# 10,000 subscribers need 10,000 descriptors on each side; the hard limit may be lower than 65536.
ulimit -n 65536 2> /dev/null || ulimit -n "$(ulimit -Hn)"
NOFILE=$(ulimit -n)
TOP=$(mktemp -d)
pid=; nginx_pid=
stop_nginx() {
    [ -n "$nginx_pid" ] || return 0
    kill "$nginx_pid" 2> /dev/null || true
    for _ in $(seq 1 100); do kill -0 "$nginx_pid" 2> /dev/null || break; sleep 0.1; done
    nginx_pid=
}
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; stop_nginx; rm -rf "$TOP"' EXIT

# Sums VmRSS, VmHWM (MB) and user+sys CPU (s) of the given processes.
proc_figures() {
    python3 - "$@" << 'PY'
import os, sys
rss = hwm = cpu = 0
for pid in sys.argv[1:]:
    try:
        status = dict(l.split(":", 1) for l in open("/proc/%s/status" % pid))
        rss += int(status["VmRSS"].split()[0]); hwm += int(status["VmHWM"].split()[0])
        f = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
        cpu += (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        pass
print("%.1f %.1f %.2f" % (rss / 1024, hwm / 1024, cpu))
PY
}

# Adds the script's own figures to the generator's JSON, one line in $TOP/rows.jsonl.
add_row() {  # shape json-file rss-after rss-peak cpu-total
    python3 - "$@" >> "$TOP/rows.jsonl" << 'PY'
import json, sys
shape, path, rss, hwm, cpu = sys.argv[1:6]
r = json.load(open(path))
r.update(shape=shape, rss_after_mb=float(rss), rss_peak_mb=float(hwm), cpu_total_s=float(cpu))
print(json.dumps(r))
PY
}

run_shape() {  # agents pages
    local agents=$1 pages=$2 shape="$1x$2" subs=$(($1 * $2))
    local DATA="$TOP/$shape"
    mkdir -p "$DATA"
    echo "== shape $shape: $agents agents x $pages pages = $subs subscribers ($TEAM on the team channel), $RATE events/s, $SECONDS_ s"
    python3 - "$agents" > "$DATA/directory.json" << 'PY'
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
    local began=$SECONDS
    "$COCCD" directory load --data-dir "$DATA" "$DATA/directory.json" > /dev/null
    echo "directory load ($agents agents, one PBKDF2 hash each): $((SECONDS - began)) s"
    # All subscribers come from 127.0.0.1: the caps (4096 in all, 256 per address by default)
    # would refuse most of them. Both are raised to twice the subscribers (at most the descriptor
    # limit less coccd's reserve), which also keeps the run under 75% of the cap, where idle
    # connections would get the short pressure keep-alive.
    local cap=$((2 * (subs + 100))); [ "$cap" -lt 4096 ] && cap=4096; [ "$cap" -gt $((NOFILE - 256)) ] && cap=$((NOFILE - 256))
    python3 - "$cap" "${POLL_TIMEOUT:-}" > "$DATA/coccd.json" << 'PY'
import json, sys
c = {"maxConnections": int(sys.argv[1]), "maxConnectionsPerAddress": int(sys.argv[1])}
if sys.argv[2]:
    c["pollTimeoutSeconds"] = float(sys.argv[2])
print(json.dumps(c))
PY
    echo "coccd config: $(cat "$DATA/coccd.json")"
    "$COCCD" serve --config "$DATA/coccd.json" --data-dir "$DATA" --port "$PORT" --log-level notice > "$DATA/coccd.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
    echo "coccd RSS at start: $(awk '/VmRSS/ {print $2/1024 " MB"}' /proc/$pid/status)"
    SERVER_PIDS=$pid python3 Benchmarks/push_load.py "http://127.0.0.1:$PORT" 9000 "$agents" "$TEAM" "$RATE" "$SECONDS_" "$pages" > "$DATA/result.json"
    read -r rss hwm cpu < <(proc_figures "$pid")
    echo "coccd RSS after: $rss MB, peak $hwm MB; CPU (user+sys, whole life) $cpu s"
    echo "coccd log: $(wc -l < "$DATA/coccd.log") lines, $(grep -c 'connection refused' "$DATA/coccd.log" || true) refused connections"
    grep -v 'connection caps' "$DATA/coccd.log" | head -n 5 || true
    add_row "$shape" "$DATA/result.json" "$rss" "$hwm" "$cpu"
    kill "$pid"; wait "$pid" 2> /dev/null || true; pid=

    echo "-- peer: nginx + nchan"
    cat > "$DATA/nginx.conf" << CONF
load_module /usr/lib/nginx/modules/ngx_nchan_module.so;
user root;
worker_processes 2;
worker_rlimit_nofile $NOFILE;
pid $DATA/nginx.pid;
error_log $DATA/nginx-error.log;
events { worker_connections 16384; }
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
    nginx_pid=$(cat "$DATA/nginx.pid")
    local workers
    workers=$(ps -o pid= --ppid "$nginx_pid" | tr -s ' \n' ' ')
    PEER=nchan SERVER_PIDS="$workers" python3 Benchmarks/push_load.py "http://127.0.0.1:$PEER_PORT" 9000 "$agents" "$TEAM" "$RATE" "$SECONDS_" "$pages" > "$DATA/peer.json"
    read -r rss hwm cpu < <(proc_figures $workers)
    echo "nginx workers RSS after: $rss MB, peak $hwm MB; CPU (user+sys) $cpu s"
    [ -s "$DATA/nginx-error.log" ] && { echo "nginx error log:"; grep -v 'signal process started' "$DATA/nginx-error.log" | head -n 5; }
    add_row "$shape" "$DATA/peer.json" "$rss" "$hwm" "$cpu"
    stop_nginx
    python3 - "$DATA/result.json" "$DATA/peer.json" << 'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for r in (a, b):
    print("%s: setup %s" % (r["server"], json.dumps(r["setup"])))
    print("%s: errors %s, bad statuses %s, unmatched %s; p99 by 10 s of send time %s" % (
        r["server"], r["errors"], r["bad_statuses"], r["unmatched"], r["p99_by_10s_ms"]))
    print("%s: generator %s" % (r["server"], json.dumps(r["generator"])))
for channel in ("agent_channel_ms", "team_channel_ms", "publish_reply_ms"):
    for k in ("p50", "p99"):
        if a[channel][k] is None or b[channel][k] is None:
            continue
        print("%s %s: coccd %.2f ms, nchan %.2f ms, ratio nchan/coccd %.2f" % (channel, k, a[channel][k], b[channel][k], b[channel][k] / a[channel][k]))
print("delivered: coccd %s, nchan %s" % (a["delivered"], b["delivered"]))
PY
}

for shape in $SHAPES; do
    run_shape "${shape%x*}" "${shape#*x}"
done

echo "== results ($RATE events/s for $SECONDS_ s; latency from the operation's request to the subscriber; CPU s and gen CPU% over the events and 2 s after)"
python3 - "$TOP/rows.jsonl" << 'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
head = ("shape", "server", "subscribers", "events/s", "delivered", "p50 ms", "p99 ms", "agent p99", "team p99", "max ms",
        "RSS peak MB", "CPU s", "gen CPU% (pub; workers)", "errors")
out = [head]
for r in rows:
    g = r["generator"]
    errors = sum(r["errors"].values()) + r["unmatched"]
    out.append((r["shape"], r["server"], str(sum(r["subscribers"].values())), "%.1f" % r["events_per_s"], str(r["delivered"]),
                "%.2f" % r["all_ms"]["p50"], "%.2f" % r["all_ms"]["p99"],
                "%.2f" % r["agent_channel_ms"]["p99"] if r["agent_channel_ms"]["p99"] is not None else "-",
                "%.2f" % r["team_channel_ms"]["p99"] if r["team_channel_ms"]["p99"] is not None else "-",
                "%.1f" % r["all_ms"]["max"], "%.0f" % r["rss_peak_mb"], "%.1f" % r["server_window"]["cpu_s"],
                "%s; %s" % (g["publisher_cpu_pct"], "/".join(str(c) for c in g["worker_cpu_pct"])), str(errors)))
widths = [max(len(row[i]) for row in out) for i in range(len(head))]
for row in out:
    print("| " + " | ".join(c.rjust(w) for c, w in zip(row, widths)) + " |")
PY
if [ -n "${PUSH_RESULTS:-}" ]; then cp "$TOP/rows.jsonl" "$PUSH_RESULTS"; fi
