#!/usr/bin/env bash
# Benchmark (not a test): coccd against PHP SoapServer peers answering an authenticated
# agentStatus from the same WSDL, measured with wrk in one run on this machine. Two peers:
# nginx + php-fpm (4 workers, opcache; the stronger) and PHP's built-in server with 4 workers.
# Prints req/s, p50 and p99 for each at 16 and 64 connections, and the ratios coccd/peer.
#   Benchmarks/soap_benchmark.sh [seconds per run, default 10] [rounds, default 3]
# Installs nginx, php-fpm, php-soap and wrk with apt-get when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-10}
REPEATS=${2:-3}
COCCD_PORT=4681
PEER_PORT=4682
CLI_PORT=4683
WORK=$(mktemp -d)
pids=()
cleanup() {
    # php -S forks its workers: stop the children as well as the parents.
    for p in "${pids[@]}"; do pkill -TERM -P "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done
    [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

missing=()
for p in nginx php8.2-fpm php-soap wrk curl; do dpkg -s "$p" > /dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" > /dev/null; fi

echo "== building coccd (release)"
swift build -c release --product coccd 2>&1 | tail -n 1
BIN=$(swift build -c release --show-bin-path)/coccd

echo "== starting coccd on :$COCCD_PORT"
"$BIN" --demo --data-dir "$WORK/data" --port "$COCCD_PORT" --log-level warning > "$WORK/coccd.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$COCCD_PORT/" && break; sleep 0.1; done
# 8001 logs in, so agentStatus reports its groups as the peer's fixed answer does.
curl -s "http://127.0.0.1:$COCCD_PORT/coccinterfaces?EVENT=LOGIN&orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=123456" > /dev/null

echo "== starting the PHP peer (nginx + php-fpm, 4 workers) on :$PEER_PORT"
mkdir -p "$WORK/peer"
cp Benchmarks/php-peer/server.php "$WORK/peer/"
curl -s "http://127.0.0.1:$COCCD_PORT/coccwi.php?wsdl" | sed "s#http://127.0.0.1:$COCCD_PORT/coccwi.php#http://127.0.0.1:$PEER_PORT/coccwi.php#" > "$WORK/peer/coccwi.wsdl"
FPM=$(command -v php-fpm8.2 || ls /usr/sbin/php-fpm* | head -n 1)
cat > "$WORK/fpm.conf" <<CONF
[global]
pid = $WORK/fpm.pid
error_log = $WORK/fpm.log
daemonize = no
[peer]
user = root
group = root
listen = $WORK/fpm.sock
listen.mode = 0666
pm = static
pm.max_children = 4
php_admin_value[opcache.enable] = 1
php_admin_value[soap.wsdl_cache_dir] = $WORK
CONF
"$FPM" --allow-to-run-as-root --fpm-config "$WORK/fpm.conf" &
pids+=($!)
cat > "$WORK/nginx.conf" <<CONF
user root;
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $WORK/body;
    server {
        listen 127.0.0.1:$PEER_PORT;
        keepalive_requests 1000000;
        location / {
            root $WORK/peer;
            fastcgi_pass unix:$WORK/fpm.sock;
            fastcgi_keep_conn on;
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME $WORK/peer/server.php;
        }
    }
}
CONF
nginx -c "$WORK/nginx.conf"
for _ in $(seq 1 100); do [ -S "$WORK/fpm.sock" ] && curl -s -o /dev/null "http://127.0.0.1:$PEER_PORT/" && break; sleep 0.1; done

check() {
    local out
    out=$(curl -s -H 'Content-Type: text/xml' --data-binary @Benchmarks/agentstatus.xml "$1")
    case "$out" in *"|Retuen|1|Retuen|BackMsg_43|Retuen|1-idle,2-logout,"*) echo "   $1 answers correctly";; *) echo "   $1 answered: $out"; exit 1;; esac
}
echo "== starting the PHP peer (php -S, 4 workers) on :$CLI_PORT"
sed "s#:$PEER_PORT/#:$CLI_PORT/#" "$WORK/peer/coccwi.wsdl" > "$WORK/peer-cli.wsdl"
mkdir -p "$WORK/cli" && cp Benchmarks/php-peer/server.php "$WORK/cli/" && cp "$WORK/peer-cli.wsdl" "$WORK/cli/coccwi.wsdl"
PHP_CLI_SERVER_WORKERS=4 php -d opcache.enable_cli=1 -d soap.wsdl_cache_dir="$WORK" -S "127.0.0.1:$CLI_PORT" "$WORK/cli/server.php" > "$WORK/cli.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$CLI_PORT/" && break; sleep 0.1; done

check "http://127.0.0.1:$COCCD_PORT/coccwi.php"
check "http://127.0.0.1:$CLI_PORT/coccwi.php"
check "http://127.0.0.1:$PEER_PORT/coccwi.php"

run() {  # name url connections
    wrk -t2 -c"$3" -d"${SECONDS_PER_RUN}s" -s Benchmarks/agentstatus.lua "$2" | grep '^RESULT' | sed "s/^RESULT/$1 c=$3/"
}

echo "== wrk: ${SECONDS_PER_RUN}s per run, 2 threads, $REPEATS rounds with the servers interleaved; medians reported"
for url in "http://127.0.0.1:$COCCD_PORT" "http://127.0.0.1:$PEER_PORT" "http://127.0.0.1:$CLI_PORT"; do
    wrk -t2 -c16 -d3s -s Benchmarks/agentstatus.lua "$url/coccwi.php" > /dev/null   # warm-up
done
: > "$WORK/results"
for round in $(seq 1 "$REPEATS"); do
    for c in 16 64; do
        run coccd "http://127.0.0.1:$COCCD_PORT/coccwi.php" "$c" | tee -a "$WORK/results"
        run php-fpm "http://127.0.0.1:$PEER_PORT/coccwi.php" "$c" | tee -a "$WORK/results"
        run php-cli "http://127.0.0.1:$CLI_PORT/coccwi.php" "$c" | tee -a "$WORK/results"
    done
done

echo
python3 - "$WORK/results" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r"(\S+) c=(\d+) rps=(\d+) p50_us=(\d+) p99_us=(\d+) errors=(\d+) non2xx_or_wrong=(\d+)", line)
    if m:
        rows.setdefault((m[1], int(m[2])), []).append(tuple(int(x) for x in m.groups()[2:]))
print(f"{'server':10} {'conns':>5} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}  (median of {len(next(iter(rows.values())))} runs)")
med = {}
for (name, c), runs in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0] != "coccd", kv[0][0])):
    rps, p50, p99 = (statistics.median(r[i] for r in runs) for i in range(3))
    errors = sum(r[3] + r[4] for r in runs)
    med[(name, c)] = rps
    print(f"{name:10} {c:>5} {rps:>9.0f} {p50 / 1000:>8.2f} {p99 / 1000:>8.2f} {errors:>7}")
for peer in ("php-fpm", "php-cli"):
    for c in (16, 64):
        print(f"ratio coccd/{peer} at {c} connections: {med[('coccd', c)] / med[(peer, c)]:.2f}x")
PY
