#!/usr/bin/env bash
# Store benchmark (not a test): the same three workloads on a release coccd with each store, in
# one run: embedded SQLite (--data-dir) and PostgreSQL (COCCD_DATABASE_URL, a fresh throwaway
# cluster from Tests/support/pg-cluster.sh). Each store gets a fresh `coccd serve --demo` with its
# own data directory and --log-level warning, and is measured on:
#   1. import: a ROWS-row CSV over HTTP from a local python3 -m http.server (EVENT=Import into a
#      campaign's package and pre-dial list, polled at /coccinterface/importtask until done, as
#      import_benchmark.sh does): seconds and rows/s; the task must be done with every row imported.
#   2. read path: wrk -t2 on SOAP agentStatus (agentstatus.lua, agent 8001 logged in) at 16 and 64
#      connections for SECONDS each: req/s, p50, p99; every reply must be the success string.
#   3. write path: AGENTS (40) extra agents provisioned with the CLI and logged in, then WORKERS
#      (16) concurrent keep-alive clients (Benchmarks/store_load.py) doing makeCall to 13800000001
#      and hangup of that call, each pair with a free agent, for SECONDS: calls/s (completed
#      pairs), p50 and p99 of the pair; every reply must be the success code. makeCall and the
#      hangup write session state, events and the call record to the store.
# For each it reports coccd's CPU (utime+stime from /proc/<pid>/stat) per row, request or call,
# and on PostgreSQL the server's too (the postmaster and all its children, plus the CPU of
# backends that exited). Then one table: workload x store, and PostgreSQL/SQLite (the time ratio
# for the import, the throughput ratio for the others).
#   Benchmarks/store_benchmark.sh [rows, default 100000] [seconds, default 8] [workers, default 16]
# Environment: AGENTS (40), BENCH_PORT (4711; BENCH_PORT+1 serves the file), COCCD_BIN (a coccd
# binary to use instead of building release; for trying the script out).
# Installs wrk, curl and PostgreSQL with apt-get when missing. The PostgreSQL cluster runs as
# pg-cluster.sh sets it up: fsync, synchronous_commit and full_page_writes off. SQLite keeps its
# defaults (WAL).
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-100000}
SECS=${2:-8}
WORKERS=${3:-16}
AGENTS=${AGENTS:-40}
PORT=${BENCH_PORT:-4711}
FILES_PORT=$((PORT + 1))
FIRST_AGENT=8101
AGENT_PASSWORD=bench
unset COCCD_DATABASE_URL COCCD_DATA_DIR COCCD_PORT
[ "$AGENTS" -ge "$WORKERS" ] || { echo "AGENTS ($AGENTS) must be at least the workers ($WORKERS)" >&2; exit 2; }

missing=()
for p in wrk curl; do command -v "$p" > /dev/null 2>&1 || missing+=("$p"); done
if ! command -v initdb > /dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1; then missing+=(postgresql); fi
if [ "${#missing[@]}" -gt 0 ]; then
    echo "== installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" > /dev/null
fi

WORK=$(mktemp -d)
coccd_pid=""
web_pid=""
pg_dir=""
cleanup() {
    [ -n "$coccd_pid" ] && kill "$coccd_pid" 2>/dev/null || true
    [ -n "$web_pid" ] && kill "$web_pid" 2>/dev/null || true
    [ -n "$pg_dir" ] && Tests/support/pg-cluster.sh stop "$pg_dir" 2>/dev/null || true
    [ -n "$coccd_pid" ] && wait "$coccd_pid" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() {
    echo "FAILED: $*" >&2
    exit 1
}
port_free() {
    # SO_REUSEADDR as the servers set it: a previous run's TIME_WAIT sockets do not count.
    python3 -c 'import socket, sys; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); s.close()' "$1" 2> /dev/null
}
port_free "$PORT" || fail "port $PORT is in use (set BENCH_PORT)"
port_free "$FILES_PORT" || fail "port $FILES_PORT is in use (set BENCH_PORT)"

if [ -n "${COCCD_BIN:-}" ]; then
    COCCD=$COCCD_BIN
    echo "== coccd: $COCCD (COCCD_BIN, not built here)"
else
    echo "== building coccd (release)"
    swift build -c release --product coccd 2>&1 | tail -n 1
    COCCD="$(swift build -c release --show-bin-path)/coccd"
fi
[ -x "$COCCD" ] || fail "no release coccd at $COCCD"
BASE="http://127.0.0.1:$PORT"

source Benchmarks/proc_cpu.sh  # cpu_us PID..., pg_cpu_us CLUSTER_DIR
source Benchmarks/bench_agents.sh  # provision_agents BASE WAIT_TRIES LABEL
# Both figures at once: "coccd_us pg_us" (pg_us 0 on SQLite).
cpu_now() {
    local pg=0
    [ -n "$pg_dir" ] && pg=$(pg_cpu_us "$pg_dir")
    echo "$(cpu_us "$coccd_pid") $pg"
}
now() { date +%s.%N; }
calc() { python3 -c "print($1)"; }
record() { echo "$1 $2 $3" >> "$WORK/results"; }   # store key value

echo "== machine: $(nproc) cores; coccd $(git rev-parse --short HEAD 2>/dev/null || echo '?') (working tree); $(ls -d /usr/lib/postgresql/*/ 2>/dev/null | xargs -n1 basename | sort -V | tail -n 1 | sed 's/^/PostgreSQL /')"
echo "== settings: import $ROWS rows; read and write runs ${SECS}s each; $WORKERS write workers over $AGENTS agents"

mkdir -p "$WORK/files"
python3 - "$ROWS" "$WORK/files/customers.csv" << 'PY'
import sys
rows, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w", encoding="utf-8", newline="") as f:
    f.write("姓名,电话号码一,公司,邮箱,备注\r\n")
    for i in range(rows):
        f.write('客户%d,139%08d,"Company %d, Ltd",c%d@example.com,note %d\r\n' % (i, i, i % 997, i, i))
PY
echo "== file: $ROWS rows, $(du -h "$WORK/files/customers.csv" | cut -f1)"
(cd "$WORK/files" && exec python3 -m http.server "$FILES_PORT" --bind 127.0.0.1 > /dev/null 2>&1) &
web_pid=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$FILES_PORT/" && break; sleep 0.1; done
curl -sf -o /dev/null "http://127.0.0.1:$FILES_PORT/customers.csv" || fail "the file server on :$FILES_PORT does not answer"

ACCOUNT="orgidentity=demo&usertype=account&user=admin&pwdtype=plaintext&password=admin123"

# Runs the coccd CLI against the current store; what it says on stderr is shown with the command.
cli() {
    local envs=()
    [ -n "$pg_dir" ] && envs+=("COCCD_DATABASE_URL=$(cat "$pg_dir/url")")
    env "${envs[@]}" "$COCCD" "$@" --data-dir "$data_dir" 2> >(sed "s/^/   (coccd $* said) /" >&2)
}

start_coccd() {
    local url=""
    [ -n "$pg_dir" ] && url=$(cat "$pg_dir/url")
    port_free "$PORT" || fail "port $PORT is in use"
    local envs=(COCCD_IMPORT_ALLOWED_HOSTS=127.0.0.1)
    [ -n "$url" ] && envs+=("COCCD_DATABASE_URL=$url")
    env "${envs[@]}" "$COCCD" serve --demo --data-dir "$data_dir" --port "$PORT" --log-level warning > "$WORK/coccd-$store.log" 2>&1 &
    coccd_pid=$!
    local code=""
    for _ in $(seq 1 300); do
        kill -0 "$coccd_pid" 2>/dev/null || { cat "$WORK/coccd-$store.log" >&2; fail "$store: coccd exited at start"; }
        code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/health" || true)
        [ "$code" = 200 ] && break
        sleep 0.1
    done
    [ "$code" = 200 ] || { curl -s "$BASE/health" >&2 || true; cat "$WORK/coccd-$store.log" >&2; fail "$store: /health is not 200 after 30 s"; }
}

stop_coccd() {
    kill "$coccd_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$coccd_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$coccd_pid" 2>/dev/null || true
    wait "$coccd_pid" 2>/dev/null || true
    coccd_pid=""
    if grep -qiE 'error|critical' "$WORK/coccd-$store.log"; then
        echo "   coccd's log ($store) has errors:"
        grep -iE 'error|critical' "$WORK/coccd-$store.log" | head -n 5 | sed 's/^/     /'
    fi
}

bench_import() {
    cli package add --team demo --name Bench > /dev/null
    cli campaign add --team demo --name Bench --group 1 --package Bench > /dev/null
    local before after start end reply task status deadline
    before=$(cpu_now)
    start=$(now)
    reply=$(curl -s "$BASE/coccinterfaces" -d "EVENT=Import&$ACCOUNT&modeltype=Campaign&model_id=Bench&source=http&context=http://127.0.0.1:$FILES_PORT/customers.csv&source_user=&source_pwd=&exetime=&delrow=1&phone_field=phone1&priority_field=&dialtime_field=&emptyagent=no&resetstatus=no&dupway=skip&dupdiallist=ignoreDuplicate&changepackage=skip")
    case "$reply" in "|Retuen|1|"*) ;; *) fail "$store: Import answered: $reply" ;; esac
    task=${reply##*|}
    deadline=$(($(date +%s) + 900))
    while :; do
        status=$(curl -s "$BASE/coccinterface/importtask?$ACCOUNT&taskid=$task")
        case "$status" in *'"state":"done"'* | *'"state":"failed"'*) break ;; esac
        [ "$(date +%s)" -lt "$deadline" ] || fail "$store: import task $task not done after 900 s: $status"
        sleep 0.05
    done
    end=$(now)
    after=$(cpu_now)
    python3 - "$status" "$ROWS" << 'PY' || fail "$store: import task did not import every row: $status"
import json, sys
t, rows = json.loads(sys.argv[1]), int(sys.argv[2])
print("   task: state=%s rows=%d imported=%d predialed=%d rejected=%d error=%r" % (t["state"], t["rowsRead"], t["imported"], t["predialed"], t["rejected"], t["error"]))
sys.exit(0 if t["state"] == "done" and t["imported"] == rows and t["rowsRead"] == rows and t["rejected"] == 0 else 1)
PY
    local seconds
    seconds=$(calc "$end - $start")
    record "$store" import_s "$seconds"
    record "$store" import_rps "$(calc "$ROWS / $seconds")"
    read -r b_c b_p <<< "$before"
    read -r a_c a_p <<< "$after"
    record "$store" import_cpu "$(calc "($a_c - $b_c) / $ROWS")"
    record "$store" import_pgcpu "$(calc "($a_p - $b_p) / $ROWS")"
    python3 -c "print('   import: %.2f s, %.0f rows/s; coccd CPU %.1f us/row%s' % ($seconds, $ROWS / $seconds, ($a_c - $b_c) / $ROWS, ', PostgreSQL CPU %.1f us/row' % (($a_p - $b_p) / $ROWS) if '$store' == 'postgres' else ''))"
}

bench_read() {
    local login check
    login=$(curl -s "$BASE/coccinterfaces?EVENT=LOGIN&orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=123456")
    case "$login" in "|Retuen|1|"*) ;; *) fail "$store: login of 8001 answered: $login" ;; esac
    check=$(curl -s -H 'Content-Type: text/xml' --data-binary @Benchmarks/agentstatus.xml "$BASE/coccwi.php")
    case "$check" in *"|Retuen|1|Retuen|BackMsg_43|Retuen|1-idle,2-logout,"*) ;; *) fail "$store: agentStatus answered: $check" ;; esac
    wrk -t2 -c16 -d2s -s Benchmarks/agentstatus.lua "$BASE/coccwi.php" > /dev/null   # warm-up
    local c out result requests before after
    for c in 16 64; do
        before=$(cpu_now)
        out=$(wrk -t2 -c"$c" -d"${SECS}s" -s Benchmarks/agentstatus.lua "$BASE/coccwi.php")
        after=$(cpu_now)
        result=$(grep '^RESULT' <<< "$out" || true)
        requests=$(awk '/requests in/ {print $1}' <<< "$out")
        [[ "$result" == *" errors=0 non2xx_or_wrong=0"* && -n "$requests" ]] || { echo "$out" >&2; fail "$store: agentStatus at $c connections had errors or wrong replies"; }
        read -r b_c b_p <<< "$before"
        read -r a_c a_p <<< "$after"
        local rps p50 p99
        rps=$(sed -E 's/.* rps=([0-9]+).*/\1/' <<< "$result")
        p50=$(sed -E 's/.* p50_us=([0-9]+).*/\1/' <<< "$result")
        p99=$(sed -E 's/.* p99_us=([0-9]+).*/\1/' <<< "$result")
        record "$store" "read${c}_rps" "$rps"
        record "$store" "read${c}_p50" "$(calc "$p50 / 1000")"
        record "$store" "read${c}_p99" "$(calc "$p99 / 1000")"
        record "$store" "read${c}_cpu" "$(calc "($a_c - $b_c) / $requests")"
        record "$store" "read${c}_pgcpu" "$(calc "($a_p - $b_p) / $requests")"
        echo "   agentStatus c=$c: $requests requests, $result; coccd CPU $(calc "round(($a_c - $b_c) / $requests, 1)") us/req$([ "$store" = postgres ] && echo ", PostgreSQL CPU $(calc "round(($a_p - $b_p) / $requests, 1)") us/req")"
    done
}

bench_write() {
    # The server picks provisioning up within a second (at most 10 s).
    provision_agents "$BASE" 100 "$store: "
    python3 Benchmarks/store_load.py "$BASE" "$FIRST_AGENT" "$AGENTS" "$WORKERS" 2 "$AGENT_PASSWORD" > "$WORK/warmup-$store.json" # warm-up
    local before after out
    before=$(cpu_now)
    out=$(python3 Benchmarks/store_load.py "$BASE" "$FIRST_AGENT" "$AGENTS" "$WORKERS" "$SECS" "$AGENT_PASSWORD")
    after=$(cpu_now)
    read -r b_c b_p <<< "$before"
    read -r a_c a_p <<< "$after"
    python3 - "$out" "$store" "$((a_c - b_c))" "$((a_p - b_p))" "$WORK/results" "$WORK/warmup-$store.json" "$WORKERS" << 'PY'
import json, sys
r, store, coccd, pg, results = json.loads(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
warm = json.load(open(sys.argv[6]))
pairs = max(r["pairs"], 1)
with open(results, "a") as f:
    for key, value in [("write_cps", r["pairs_per_s"]), ("write_p50", r["p50_ms"]), ("write_p99", r["p99_ms"]),
                       ("write_cpu", coccd / pairs), ("write_pgcpu", pg / pairs), ("write_pairs", r["pairs"]),
                       ("write_failures", r["failures"] + warm["failures"]), ("write_busy", r["busy_retries"] + warm["busy_retries"])]:
        f.write("%s %s %s\n" % (store, key, value))
print("   makeCall+hangup, %d workers: %d pairs in %.2f s, %.1f calls/s, p50 %.2f ms, p99 %.2f ms; failures %d %s, busy retries %d (warm-up: %d pairs, %d failures, %d busy retries); coccd CPU %.0f us/call%s"
      % (int(sys.argv[7]), r["pairs"], r["seconds"], r["pairs_per_s"], r["p50_ms"], r["p99_ms"], r["failures"],
         r["failure_kinds"], r["busy_retries"], warm["pairs"], warm["failures"], warm["busy_retries"], coccd / pairs,
         ", PostgreSQL CPU %.0f us/call" % (pg / pairs) if store == "postgres" else ""))
for sample in r["samples"] + warm["samples"]:
    print("     wrong reply: " + sample)
PY
}

for store in sqlite postgres; do
    # The machine may be shared: the 1-minute load average as this store's turn begins (it also
    # counts this script's own last minute) hints at what else was running.
    echo "== $store (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    data_dir="$WORK/data-$store"
    if [ "$store" = postgres ]; then
        # Not under $WORK (0700, root's when run as root): the server's OS user must reach it.
        pg_dir=$(mktemp -d /tmp/coccd-store-bench-pg.XXXXXX)
        Tests/support/pg-cluster.sh start "$pg_dir" > /dev/null 2> "$WORK/pg-start.log" || { cat "$WORK/pg-start.log" >&2; fail "the PostgreSQL cluster did not start"; }
        echo "   fresh PostgreSQL cluster on port $(sed -E 's#.*:([0-9]+)/.*#\1#' "$pg_dir/url")"
    fi
    start_coccd
    bench_import
    bench_read
    bench_write
    stop_coccd
    if [ -n "$pg_dir" ]; then
        Tests/support/pg-cluster.sh stop "$pg_dir" 2> /dev/null || true
        pg_dir=""
    fi
done

echo
if ! python3 - "$WORK/results" "$ROWS" "$WORKERS" << 'PY'; then
import sys
r = {}
for line in open(sys.argv[1]):
    store, key, value = line.split()
    r[(store, key)] = float(value)
rows, workers = int(sys.argv[2]), int(sys.argv[3])
s = lambda k: r[("sqlite", k)]
p = lambda k: r[("postgres", k)]
print(f"{'workload':34} {'SQLite':>24} {'PostgreSQL':>24} {'PG/SQLite':>10}")
print(f"{'import %d rows (s, rows/s)' % rows:34} {'%.2f s %9.0f/s' % (s('import_s'), s('import_rps')):>24} {'%.2f s %9.0f/s' % (p('import_s'), p('import_rps')):>24} {p('import_s') / s('import_s'):>9.2f}x  (time)")
for c in (16, 64):
    k = f"read{c}"
    cell = lambda f: "%.0f/s %.2f/%.2f ms" % (f(k + "_rps"), f(k + "_p50"), f(k + "_p99"))
    print(f"{'agentStatus c=%d (req/s, p50/p99)' % c:34} {cell(s):>24} {cell(p):>24} {p(k + '_rps') / s(k + '_rps'):>9.2f}x")
cell = lambda f: "%.0f/s %.2f/%.2f ms" % (f("write_cps"), f("write_p50"), f("write_p99"))
print(f"{'makeCall+hangup c=%d (calls/s)' % workers:34} {cell(s):>24} {cell(p):>24} {p('write_cps') / s('write_cps'):>9.2f}x")
print()
print(f"{'CPU per unit':34} {'coccd, SQLite':>16} {'coccd, PG':>12} {'PG server':>12} {'coccd+PG/SQLite':>16}")
for label, k in [("import (us/row)", "import"), ("agentStatus c=16 (us/req)", "read16"), ("agentStatus c=64 (us/req)", "read64"),
                 ("makeCall+hangup (us/call)", "write")]:
    sc, pc, pg = s(k + "_cpu"), p(k + "_cpu"), p(k + "_pgcpu")
    print(f"{label:34} {sc:>16.1f} {pc:>12.1f} {pg:>12.1f} {(pc + pg) / sc:>15.2f}x")
print()
failures = int(s("write_failures") + p("write_failures"))
print("write path: failures sqlite=%d postgres=%d; busy retries (last call not yet torn down) sqlite=%d postgres=%d"
      % (s("write_failures"), p("write_failures"), s("write_busy"), p("write_busy")))
sys.exit(1 if failures else 0)
PY
    fail "the write path had wrong replies (see above)"
fi
