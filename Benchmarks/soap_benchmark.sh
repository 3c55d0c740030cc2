#!/usr/bin/env bash
# Benchmark (not a test): coccd against other servers answering an authenticated agentStatus
# from the same WSDL, measured with wrk in one run on this machine. The rows:
#   coccd    coccd's SOAP endpoint (/coccwi.php)
#   form     coccd's HTTP form interface (GET /coccinterfaces?EVENT=AGENTSTATUS...), the same
#            operation without the XML, to show what SOAP itself costs coccd
#   routes   a second coccd with `leanPath: false`: SOAP through the Hummingbird router, as
#            before the lean path (HotPathHandler), for the before/after in one run
#   php-fpm  nginx + php-fpm (4 workers, opcache) with PHP's SoapServer, the stack the
#            original product ran on
#   php-cli  PHP's built-in server with 4 workers, the same PHP peer
#   gsoap    a threaded gSOAP C server compiled here from coccd's WSDL: the fast native
#            baseline (Benchmarks/gsoap-peer/server.c; the rest is generated at run time)
#   nio-http1  SwiftNIO's HTTP/1 server answering coccd's agentStatus envelope as a constant,
#            with no other work (Benchmarks/nio-floor): the floor of any server built on NIO's
#            HTTP/1 pipeline, as coccd is
#   nio-raw  the same without NIO's HTTP codec (requests framed by their Content-Length, one
#            prebuilt answer): the floor of SwiftNIO itself on this machine
# Prints req/s, p50, p99 and the servers' CPU per request (utime+stime of each server's whole
# process tree, from /proc, over the wrk run) at 16 and 64 connections, and the ratios.
#   Benchmarks/soap_benchmark.sh [seconds per run, default 10] [rounds, default 3]
#   SERVERS="coccd form gsoap" Benchmarks/soap_benchmark.sh 5 1   # a subset, for quick runs
#   RESULTS_FILE=/tmp/soap.txt LABEL=before Benchmarks/soap_benchmark.sh   # appends MEDIAN/RATIO lines
# Every run prints a line "<server> c=<conns> rps=... cpu_us=... non2xx=..."; the end prints MEDIAN and
# RATIO key=value lines (also appended to $RESULTS_FILE if set) to compare invocations.
# Installs what the chosen servers need (nginx, php-fpm, php-soap, gsoap, wrk...) with apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-10}
REPEATS=${2:-3}
ALL_SERVERS="coccd form routes php-fpm php-cli gsoap nio-http1 nio-raw"
SERVERS=${SERVERS:-$ALL_SERVERS}
for s in $SERVERS; do
    case " $ALL_SERVERS " in *" $s "*) ;; *) echo "unknown server '$s' in SERVERS (known: $ALL_SERVERS)" >&2; exit 2;; esac
done
want() { case " $SERVERS " in *" $1 "*) return 0;; esac; return 1; }
COCCD_PORT=4681
PEER_PORT=4682
CLI_PORT=4683
GSOAP_PORT=4684
ROUTES_PORT=4685
NIO_HTTP1_PORT=4686
NIO_RAW_PORT=4687
WORK=$(mktemp -d)
pids=()
cleanup() {
    # php -S forks its workers: stop the children as well as the parents.
    for p in "${pids[@]}"; do pkill -TERM -P "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done
    [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
# shellcheck source=Benchmarks/proc_cpu.sh
source Benchmarks/proc_cpu.sh

# Only what the chosen servers need, so a quick subset doesn't install PHP.
need=(wrk curl python3)
if want php-fpm; then need+=(nginx php8.2-fpm php-soap); fi
if want php-cli; then need+=(php-cli php-soap); fi
if want gsoap; then need+=(gsoap libgsoap-dev libssl-dev gcc pkg-config); fi
missing=()
for p in "${need[@]}"; do dpkg -s "$p" > /dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" > /dev/null; fi

echo "== building coccd (release)"
swift build -c release --product coccd 2>&1 | tail -n 1
BIN=$(swift build -c release --show-bin-path)/coccd

# coccd runs whatever the subset: the peers are generated from its WSDL.
echo "== starting coccd on :$COCCD_PORT"
"$BIN" --demo --data-dir "$WORK/data" --port "$COCCD_PORT" --log-level warning > "$WORK/coccd.log" 2>&1 &
COCCD_PID=$!
pids+=("$COCCD_PID")
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$COCCD_PORT/" && break; sleep 0.1; done
# 8001 logs in, so agentStatus reports its groups as the peer's fixed answer does.
curl -s "http://127.0.0.1:$COCCD_PORT/coccinterfaces?EVENT=LOGIN&orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=123456" > /dev/null
curl -s "http://127.0.0.1:$COCCD_PORT/coccwi.php?wsdl" > "$WORK/coccwi.wsdl"
grep -q 'name="agentStatus"' "$WORK/coccwi.wsdl" || { echo "coccd's WSDL has no agentStatus:"; head -c 500 "$WORK/coccwi.wsdl"; exit 1; }

if want php-fpm; then
    echo "== starting the PHP peer (nginx + php-fpm, 4 workers) on :$PEER_PORT"
    mkdir -p "$WORK/peer"
    cp Benchmarks/php-peer/server.php "$WORK/peer/"
    sed "s#http://127.0.0.1:$COCCD_PORT/coccwi.php#http://127.0.0.1:$PEER_PORT/coccwi.php#" "$WORK/coccwi.wsdl" > "$WORK/peer/coccwi.wsdl"
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
    FPM_PID=$!
    pids+=("$FPM_PID")
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
fi

check() {
    local out
    out=$(curl -s -H 'Content-Type: text/xml' -H 'SOAPAction: "urn:coccwi#agentStatus"' --data-binary @Benchmarks/agentstatus.xml "$1")
    case "$out" in *"|Retuen|1|Retuen|BackMsg_43|Retuen|1-idle,2-logout,"*) echo "   $1 answers correctly";; *) echo "   $1 answered: $out"; exit 1;; esac
}

if want php-cli; then
    echo "== starting the PHP peer (php -S, 4 workers) on :$CLI_PORT"
    mkdir -p "$WORK/cli" && cp Benchmarks/php-peer/server.php "$WORK/cli/"
    sed "s#http://127.0.0.1:$COCCD_PORT/coccwi.php#http://127.0.0.1:$CLI_PORT/coccwi.php#" "$WORK/coccwi.wsdl" > "$WORK/cli/coccwi.wsdl"
    PHP_CLI_SERVER_WORKERS=4 php -d opcache.enable_cli=1 -d soap.wsdl_cache_dir="$WORK" -S "127.0.0.1:$CLI_PORT" "$WORK/cli/server.php" > "$WORK/cli.log" 2>&1 &
    CLI_PID=$!
    pids+=("$CLI_PID")
    for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$CLI_PORT/" && break; sleep 0.1; done
fi

if want gsoap; then
    echo "== generating and starting the gSOAP peer (C, a thread per connection) on :$GSOAP_PORT"
    G=$WORK/gsoap
    mkdir -p "$G"
    sed "s#http://127.0.0.1:$COCCD_PORT/coccwi.php#http://127.0.0.1:$GSOAP_PORT/coccwi.php#" "$WORK/coccwi.wsdl" > "$G/coccwi.wsdl"
    # A fixed prefix for urn:coccwi, so server.c can name cocc__agentStatus whatever wsdl2h
    # would number it (ns1, ns2...). -c: C, whose generated skeleton calls plain functions.
    echo 'cocc = "urn:coccwi"' > "$G/typemap.dat"
    (cd "$G" && wsdl2h -c -x -t typemap.dat -o coccwi.h coccwi.wsdl > wsdl2h.log 2>&1) || { cat "$G/wsdl2h.log"; exit 1; }
    # -S server side only, -L no soapServerLib, -x -w no sample messages or WSDL copies.
    (cd "$G" && soapcpp2 -c -S -L -x -w coccwi.h > soapcpp2.log 2>&1) || { cat "$G/soapcpp2.log"; exit 1; }
    grep -q ' cocc__agentStatus(' "$G/soapStub.h" || { echo "soapStub.h declares no cocc__agentStatus"; exit 1; }
    # soapServer.c dispatches to every operation the WSDL has; server.c implements agentStatus
    # only, and the others answer a fault from stubs made of their soapStub.h declarations
    # (the soap parameter named, so the bodies can use it).
    { echo '#include "soapH.h"'
      grep -E '^\s*SOAP_FMAC5 int SOAP_FMAC6 cocc__\w+\(struct soap\*' "$G/soapStub.h" | grep -v ' cocc__agentStatus(' |
        sed -E 's/^\s*//; s/\(struct soap\*/(struct soap *soap/; s/\);\s*$/) { return soap_sender_fault(soap, "not served by the benchmark peer", NULL); }/'
    } > "$G/stubs.c"
    # The namespace table is named after the WSDL's service binding: one fixed name for server.c.
    nsmaps=("$G"/*.nsmap)
    [ "${#nsmaps[@]}" -eq 1 ] || { echo "expected one .nsmap, got: ${nsmaps[*]}"; exit 1; }
    cp "${nsmaps[0]}" "$G/peer.nsmap"
    # pkg-config's flags (WITH_IPV6, WITH_DOM) must match libgsoap's build: they change struct soap.
    # shellcheck disable=SC2046
    gcc -O2 -I"$G" -o "$G/server" Benchmarks/gsoap-peer/server.c "$G/stubs.c" "$G/soapC.c" "$G/soapServer.c" \
        $(pkg-config --cflags --libs gsoap) -lcrypto -lpthread
    "$G/server" "$GSOAP_PORT" > "$WORK/gsoap.log" 2>&1 &
    GSOAP_PID=$!
    pids+=("$GSOAP_PID")
    for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$GSOAP_PORT/" && break; sleep 0.1; done
fi

# The NIO floor: the answer coccd gives, served as a constant by a bare SwiftNIO server.
if want nio-http1 || want nio-raw; then
    echo "== building and starting the SwiftNIO floor (Benchmarks/nio-floor, release)"
    swift build -c release --package-path Benchmarks/nio-floor --scratch-path .build-nio-floor 2>&1 | tail -n 1
    NIO_FLOOR=$(swift build -c release --package-path Benchmarks/nio-floor --scratch-path .build-nio-floor --show-bin-path)/nio-floor
    curl -s -H 'Content-Type: text/xml' --data-binary @Benchmarks/agentstatus.xml "http://127.0.0.1:$COCCD_PORT/coccwi.php" > "$WORK/answer.xml"
    if want nio-http1; then
        "$NIO_FLOOR" "$NIO_HTTP1_PORT" http1 "$WORK/answer.xml" > "$WORK/nio-http1.log" 2>&1 &
        NIO_HTTP1_PID=$!
        pids+=("$NIO_HTTP1_PID")
    fi
    if want nio-raw; then
        "$NIO_FLOOR" "$NIO_RAW_PORT" raw "$WORK/answer.xml" > "$WORK/nio-raw.log" 2>&1 &
        NIO_RAW_PID=$!
        pids+=("$NIO_RAW_PID")
    fi
    for port in $NIO_HTTP1_PORT $NIO_RAW_PORT; do
        for _ in $(seq 1 100); do curl -s -o /dev/null -d x "http://127.0.0.1:$port/" && break; sleep 0.1; done
    done
fi

# "routes": a second coccd with the lean path switched off (`leanPath: false`), so that SOAP
# goes through the Hummingbird router as every request did before it: the before/after of the
# lean path, measured in the same run.
if want routes; then
    echo '{"leanPath": false}' > "$WORK/routes.json"
    "$BIN" --demo --data-dir "$WORK/routes-data" --config "$WORK/routes.json" --port "$ROUTES_PORT" --log-level warning > "$WORK/routes.log" 2>&1 &
    ROUTES_PID=$!
    pids+=("$ROUTES_PID")
    for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$ROUTES_PORT/" && break; sleep 0.1; done
    curl -s "http://127.0.0.1:$ROUTES_PORT/coccinterfaces?EVENT=LOGIN&orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=123456" > /dev/null
fi

FORM_URL="http://127.0.0.1:$COCCD_PORT/coccinterfaces?EVENT=AGENTSTATUS&orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=123456"
want coccd && check "http://127.0.0.1:$COCCD_PORT/coccwi.php"
if want form; then
    out=$(curl -s "$FORM_URL")
    case "$out" in *"|Retuen|1|Retuen|BackMsg_43|Retuen|1-idle,2-logout,"*) echo "   $FORM_URL answers correctly";; *) echo "   $FORM_URL answered: $out"; exit 1;; esac
fi
want routes && check "http://127.0.0.1:$ROUTES_PORT/coccwi.php"
want php-cli && check "http://127.0.0.1:$CLI_PORT/coccwi.php"
want php-fpm && check "http://127.0.0.1:$PEER_PORT/coccwi.php"
want gsoap && check "http://127.0.0.1:$GSOAP_PORT/coccwi.php"
want nio-http1 && check "http://127.0.0.1:$NIO_HTTP1_PORT/coccwi.php"
want nio-raw && check "http://127.0.0.1:$NIO_RAW_PORT/coccwi.php"

# Per server: the URL, the wrk script, and the roots of its process tree for the CPU count.
url() {
    case $1 in
        coccd) echo "http://127.0.0.1:$COCCD_PORT/coccwi.php";; form) echo "$FORM_URL";;
        routes) echo "http://127.0.0.1:$ROUTES_PORT/coccwi.php";;
        php-fpm) echo "http://127.0.0.1:$PEER_PORT/coccwi.php";; php-cli) echo "http://127.0.0.1:$CLI_PORT/coccwi.php";;
        gsoap) echo "http://127.0.0.1:$GSOAP_PORT/coccwi.php";;
        nio-http1) echo "http://127.0.0.1:$NIO_HTTP1_PORT/coccwi.php";; nio-raw) echo "http://127.0.0.1:$NIO_RAW_PORT/coccwi.php";;
    esac
}
lua() { if [ "$1" = form ]; then echo Benchmarks/agentstatus_form.lua; else echo Benchmarks/agentstatus.lua; fi; }
roots() {
    case $1 in
        coccd | form) echo "$COCCD_PID";; routes) echo "$ROUTES_PID";; php-fpm) echo "$(cat "$WORK/nginx.pid") $FPM_PID";;
        php-cli) echo "$CLI_PID";; gsoap) echo "$GSOAP_PID";;
        nio-http1) echo "$NIO_HTTP1_PID";; nio-raw) echo "$NIO_RAW_PID";;
    esac
}
# The given processes and all their descendants (nginx's workers, php-fpm's and php -S's
# children); threads are in each process's own /proc/PID/stat.
tree_pids() {
    ps -e -o pid= -o ppid= | awk -v roots="$*" '
        BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) tree[r[i]] = 1 }
        { parent[$1] = $2 }
        END { do { grew = 0; for (p in parent) if (!(p in tree) && (parent[p] in tree)) { tree[p] = 1; grew = 1 } } while (grew)
              for (p in tree) print p }'
}

run() {  # server connections
    local tree before after out requests non2xx
    # shellcheck disable=SC2046
    tree=$(tree_pids $(roots "$1"))
    # shellcheck disable=SC2086
    before=$(cpu_us $tree)
    out=$(wrk -t2 -c"$2" -d"${SECONDS_PER_RUN}s" -s "$(lua "$1")" "$(url "$1")")
    # shellcheck disable=SC2086
    after=$(cpu_us $tree)
    requests=$(awk '/ requests in / { print $1 }' <<< "$out")
    # wrk's own count of non-2xx answers as well: a count kept by response() in the wrk script
    # lives in each thread's Lua state, and done() only sees the main one's unless it asks the
    # threads, as both wrk scripts do).
    non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<< "$out")
    grep '^RESULT' <<< "$out" | sed "s/^RESULT/$1 c=$2/; s/\$/ requests=${requests:-0} cpu_us=$((after - before)) non2xx=${non2xx:-0}/"
}

echo "== wrk: ${SECONDS_PER_RUN}s per run, 2 threads, $REPEATS rounds with the servers interleaved; medians reported"
for s in $SERVERS; do wrk -t2 -c16 -d3s -s "$(lua "$s")" "$(url "$s")" > /dev/null; done   # warm-up
: > "$WORK/results"
for round in $(seq 1 "$REPEATS"); do
    for c in 16 64; do
        for s in $SERVERS; do run "$s" "$c" | tee -a "$WORK/results"; done
    done
done

echo
LABEL=${LABEL:-$(git describe --always --dirty 2>/dev/null || echo unknown)-$(date +%Y%m%dT%H%M%S)}
python3 - "$WORK/results" "$ALL_SERVERS" "$LABEL" "${RESULTS_FILE:-}" <<'PY'
import re, statistics, sys
results, order, label, results_file = sys.argv[1], sys.argv[2].split(), sys.argv[3], sys.argv[4]
rows = {}
for line in open(results):
    m = re.match(r"(\S+) c=(\d+) rps=(\d+) p50_us=(\d+) p99_us=(\d+) errors=(\d+) non2xx_or_wrong=(\d+) requests=(\d+) cpu_us=(-?\d+) non2xx=(\d+)", line)
    if m:
        rps, p50, p99, errors, wrong, requests, cpu, non2xx = (int(x) for x in m.groups()[2:])
        rows.setdefault((m[1], int(m[2])), []).append((rps, p50, p99, errors + max(wrong, non2xx), cpu / requests if requests else float("nan")))
runs = len(next(iter(rows.values())))
print(f"{'server':10} {'conns':>5} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'CPU µs/req':>11} {'errors':>7}  (median of {runs} runs)")
med, machine = {}, []
for (name, c), rs in sorted(rows.items(), key=lambda kv: (kv[0][1], order.index(kv[0][0]))):
    rps, p50, p99, cpu = (statistics.median(r[i] for r in rs) for i in (0, 1, 2, 4))
    errors = sum(r[3] for r in rs)
    med[(name, c)] = (rps, cpu)
    print(f"{name:10} {c:>5} {rps:>9.0f} {p50 / 1000:>8.2f} {p99 / 1000:>8.2f} {cpu:>11.1f} {errors:>7}")
    machine.append(f"MEDIAN label={label} server={name} conns={c} rps={rps:.0f} p50_us={p50:.0f} p99_us={p99:.0f} cpu_us_per_req={cpu:.1f} errors={errors} runs={runs}")
print()
# (what, numerator, denominator, metric index: 0 req/s, 1 CPU/req)
for what, a, b, i in (("coccd/gsoap req/s", "coccd", "gsoap", 0), ("coccd/gsoap CPU/req", "coccd", "gsoap", 1),
                      ("coccd/php-fpm req/s", "coccd", "php-fpm", 0), ("coccd/php-fpm CPU/req", "coccd", "php-fpm", 1),
                      ("coccd/php-cli req/s", "coccd", "php-cli", 0), ("form/soap req/s", "form", "coccd", 0),
                      ("form/soap CPU/req", "form", "coccd", 1),
                      ("coccd/routes req/s", "coccd", "routes", 0), ("coccd/routes CPU/req", "coccd", "routes", 1),
                      ("nio-http1/gsoap req/s", "nio-http1", "gsoap", 0), ("nio-http1/gsoap CPU/req", "nio-http1", "gsoap", 1),
                      ("nio-raw/gsoap req/s", "nio-raw", "gsoap", 0), ("nio-raw/gsoap CPU/req", "nio-raw", "gsoap", 1),
                      ("coccd/nio-http1 req/s", "coccd", "nio-http1", 0), ("coccd/nio-http1 CPU/req", "coccd", "nio-http1", 1)):
    for c in (16, 64):
        if (a, c) in med and (b, c) in med and med[(b, c)][i]:
            ratio = med[(a, c)][i] / med[(b, c)][i]
            print(f"ratio {what} at {c} connections: {ratio:.2f}x")
            machine.append(f"RATIO label={label} name={what.replace(' ', '_')} conns={c} value={ratio:.3f}")
print()
print("\n".join(machine))
if results_file:
    with open(results_file, "a") as f:
        f.write("\n".join(machine) + "\n")
PY
