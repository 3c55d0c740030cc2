#!/usr/bin/env bash
# Benchmark (not a test): coccd against a PHP SoapServer peer (nginx + php-fpm) answering an
# authenticated agentStatus from the same WSDL, measured with wrk in one run on this machine.
# Prints req/s, p50 and p99 for each at 16 and 64 connections, and the ratio coccd/peer.
#   Benchmarks/soap_benchmark.sh [seconds per run, default 15]
# Installs nginx, php-fpm, php-soap and wrk with apt-get when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-15}
COCCD_PORT=4681
PEER_PORT=4682
WORK=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
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
check "http://127.0.0.1:$COCCD_PORT/coccwi.php"
check "http://127.0.0.1:$PEER_PORT/coccwi.php"

run() {  # name url connections
    wrk -t2 -c"$3" -d"${SECONDS_PER_RUN}s" -s Benchmarks/agentstatus.lua "$2" | grep '^RESULT' | sed "s/^RESULT/$1 c=$3/"
}

echo "== wrk, ${SECONDS_PER_RUN}s per run, 2 threads (warm-up 3s each first)"
wrk -t2 -c16 -d3s -s Benchmarks/agentstatus.lua "http://127.0.0.1:$COCCD_PORT/coccwi.php" > /dev/null
wrk -t2 -c16 -d3s -s Benchmarks/agentstatus.lua "http://127.0.0.1:$PEER_PORT/coccwi.php" > /dev/null
results=()
for c in 16 64; do
    results+=("$(run coccd "http://127.0.0.1:$COCCD_PORT/coccwi.php" "$c")")
    results+=("$(run php-peer "http://127.0.0.1:$PEER_PORT/coccwi.php" "$c")")
done
printf '%s\n' "${results[@]}"

echo
printf '%-10s %5s %10s %10s %10s %8s\n' server conns req/s p50_ms p99_ms errors
for line in "${results[@]}"; do
    name=$(echo "$line" | cut -d' ' -f1); conns=$(echo "$line" | sed 's/.*c=\([0-9]*\).*/\1/')
    rps=$(echo "$line" | sed 's/.*rps=\([0-9]*\).*/\1/'); p50=$(echo "$line" | sed 's/.*p50_us=\([0-9]*\).*/\1/')
    p99=$(echo "$line" | sed 's/.*p99_us=\([0-9]*\).*/\1/'); err=$(echo "$line" | sed 's/.*errors=\([0-9]*\) non2xx_or_wrong=\([0-9]*\).*/\1+\2/')
    printf '%-10s %5s %10s %10.2f %10.2f %8s\n' "$name" "$conns" "$rps" "$(echo "$p50/1000" | bc -l)" "$(echo "$p99/1000" | bc -l)" "$err"
done
for c in 16 64; do
    a=$(printf '%s\n' "${results[@]}" | grep "^coccd c=$c " | sed 's/.*rps=\([0-9]*\).*/\1/')
    b=$(printf '%s\n' "${results[@]}" | grep "^php-peer c=$c " | sed 's/.*rps=\([0-9]*\).*/\1/')
    printf 'ratio coccd/php-peer at %s connections: %.2fx\n' "$c" "$(echo "$a/$b" | bc -l)"
done
