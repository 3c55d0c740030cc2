#!/usr/bin/env bash
# Cluster benchmark (not a test): coccd nodes on one PostgreSQL (a fresh throwaway cluster from
# Tests/support/pg-cluster.sh), each `coccd serve --database-url URL --node-id nodeN
# --lease-seconds LEASE --log-level warning` on its own port and data directory; node1 also
# --demo (it seeds the demo team, agent 8001/123456, group 1), node2 and node3 --simulate.
# The demo team's first request goes to node1, so node1 owns its lease (checked in
# team_leases, and again around every phase). Then, with ROUNDS rounds per phase, the targets
# interleaved and medians reported:
#   1 node:  wrk -t2 on SOAP agentStatus (Benchmarks/agentstatus.lua, 8001 logged in) against
#            node1 at 16 and 64 connections: req/s, p50, p99, CPU per request of every coccd
#            process (utime+stime from /proc, summed over the live nodes) and of PostgreSQL (the
#            postmaster, its children and its reaped children, as store_benchmark.sh counts it);
#            and makeCall+hangup pairs/s (Benchmarks/store_load.py, WORKERS keep-alive workers
#            over AGENTS extra agents 8101.. provisioned with the CLI and logged in) via node1.
#   2 nodes: node2 joins; the same wrk runs against node1 (direct) and node2 (every request
#            forwarded to node1 over HTTP), alternately; pairs/s via node1 and via node2.
#            Forwarding cost = CPU us/req forwarded - CPU us/req direct (both: all coccd
#            processes), and the p50/p99 differences.
#   3 nodes: node3 joins; three wrk -t1 at once, one per node (the connections split in three;
#            node1's share direct, node2's and node3's forwarded): total req/s and CPU/req;
#            pairs/s with three store_load.py at once, one per node, workers and agents split.
#   failover, ROUNDS times: kill -9 of the node owning the team, then Benchmarks/cluster_failover.py
#            polls agentStatus (form interface) on another live node every 50 ms until it answers
#            the success code: seconds from the kill, and whether 8001 is still logged in (group
#            1 not "logout"). The killed node is restarted under its name and must be ready
#            before the next round. (A node holds a request for a team without a live owner up
#            to the lease time + 5 s, waiting for the next owner: the first poll usually is the
#            one answered.)
# Every counted reply is checked: wrk through agentstatus.lua's check, store_load.py's replies
# by their code; a socket error, non-2xx or wrong reply fails the run. Ends with one Markdown
# table per measure, with the ratios forwarded/direct.
#   Benchmarks/cluster_benchmark.sh [seconds per run, default 8]
# Environment: BENCH_PORT (4911; node N listens on BENCH_PORT+N-1), COCCD_BIN (a coccd binary to
# use instead of building release), ROUNDS (3), LEASE (lease seconds, 10), AGENTS (40), WORKERS (16).
# The machine has few cores: throughput cannot grow with nodes here, the point is what a node
# costs (forwarding) and how fast a dead node's team is served again.
# /proc counts CPU in clock ticks (10 ms): short runs (a few seconds) give coarse per-request
# figures, PostgreSQL's especially, whose share is mostly the nodes' background work.
# Installs wrk, curl and PostgreSQL with apt-get when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-8}
PORT=${BENCH_PORT:-4911}
ROUNDS=${ROUNDS:-3}
LEASE=${LEASE:-10}
AGENTS=${AGENTS:-40}
WORKERS=${WORKERS:-16}
FIRST_AGENT=8101
AGENT_PASSWORD=bench
NODES=(node1 node2 node3)
unset COCCD_DATABASE_URL COCCD_DATA_DIR COCCD_PORT COCCD_NODE_ID COCCD_ADVERTISE_URL
[ "$AGENTS" -ge "$WORKERS" ] || { echo "AGENTS ($AGENTS) must be at least the workers ($WORKERS)" >&2; exit 2; }
[ "$WORKERS" -ge 3 ] || { echo "WORKERS ($WORKERS) must be at least 3 (split over three nodes)" >&2; exit 2; }

missing=()
for p in wrk curl; do command -v "$p" > /dev/null 2>&1 || missing+=("$p"); done
if ! command -v initdb > /dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1; then missing+=(postgresql); fi
if [ "${#missing[@]}" -gt 0 ]; then
    echo "== installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" > /dev/null
fi
PSQL=$(command -v psql || ls /usr/lib/postgresql/*/bin/psql 2> /dev/null | sort -V | tail -n 1)
[ -x "$PSQL" ] || { echo "no psql found" >&2; exit 1; }

WORK=$(mktemp -d)
pg_dir=""
declare -A node_pid=()   # live nodes: name -> pid
declare -A url=()
bg_pids=()               # wrk and store_load.py runs in the background
for i in 0 1 2; do url[${NODES[$i]}]="http://127.0.0.1:$((PORT + i))"; done
cleanup() {
    local rc=$? p n
    for p in "${bg_pids[@]}"; do kill "$p" 2> /dev/null || true; done
    for n in "${!node_pid[@]}"; do kill "${node_pid[$n]}" 2> /dev/null || true; done
    for n in "${!node_pid[@]}"; do
        for _ in $(seq 1 100); do kill -0 "${node_pid[$n]}" 2> /dev/null || break; sleep 0.1; done
        kill -9 "${node_pid[$n]}" 2> /dev/null || true
        wait "${node_pid[$n]}" 2> /dev/null || true
    done
    for p in "${bg_pids[@]}"; do wait "$p" 2> /dev/null || true; done
    if [ "$rc" -ne 0 ]; then
        for n in "${NODES[@]}"; do
            [ -f "$WORK/$n.log" ] && { echo "--- $n.log (last lines)" >&2; tail -n 15 "$WORK/$n.log" >&2; }
        done
    fi
    [ -n "$pg_dir" ] && Tests/support/pg-cluster.sh stop "$pg_dir" 2> /dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# A node that is not running any more (it crashed, or something else on the machine killed it):
# its exit status (137: SIGKILL, 143: SIGTERM) into GONE. Not in a subshell: wait needs the parent.
gone_nodes() {
    local n status
    GONE=""
    for n in "${!node_pid[@]}"; do
        kill -0 "${node_pid[$n]}" 2> /dev/null && continue
        status=0
        wait "${node_pid[$n]}" 2> /dev/null || status=$?
        GONE+="$n (pid ${node_pid[$n]}) is gone, exit status $status; "
        unset "node_pid[$n]"
    done
}
fail() {
    gone_nodes
    echo "FAILED: $*" >&2
    [ -z "$GONE" ] || echo "        $GONE" >&2
    exit 1
}
# Fails when a node is not running any more.
check_nodes() {
    gone_nodes
    [ -z "$GONE" ] || fail "$1: a node is not running any more (crashed, or killed from outside): $GONE"
}
port_free() {
    # SO_REUSEADDR as the servers set it: a previous run's TIME_WAIT sockets do not count.
    python3 -c 'import socket, sys; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); s.close()' "$1" 2> /dev/null
}
for i in 0 1 2; do port_free $((PORT + i)) || fail "port $((PORT + i)) is in use (set BENCH_PORT)"; done

if [ -n "${COCCD_BIN:-}" ]; then
    COCCD=$COCCD_BIN
    echo "== coccd: $COCCD (COCCD_BIN, not built here)"
else
    echo "== building coccd (release)"
    swift build -c release --product coccd 2>&1 | tail -n 1
    COCCD="$(swift build -c release --show-bin-path)/coccd"
fi
[ -x "$COCCD" ] || fail "no coccd at $COCCD"

source Benchmarks/proc_cpu.sh  # cpu_us PID..., pg_cpu_us CLUSTER_DIR
source Benchmarks/bench_agents.sh  # provision_agents BASE WAIT_TRIES LABEL
# "coccd_us pg_us": every live node's CPU, summed, and the PostgreSQL server's.
cpu_now() { echo "$(cpu_us "${node_pid[@]}") $(pg_cpu_us "$pg_dir")"; }
calc() { python3 -c "print($1)"; }
record() { echo "$1" >> "$WORK/results.jsonl"; }   # one JSON object per measurement
psql_q() { "$PSQL" "$DB_URL" -XAtqc "$1"; }
team_owner() { psql_q "SELECT node_id FROM team_leases WHERE team_id = $TEAM AND expires_at > now()"; }
live_nodes() { local n; for n in "${NODES[@]}"; do [ -n "${node_pid[$n]:-}" ] && echo -n "$n "; done; }

ACCOUNT="orgidentity=demo&usertype=account&user=admin&pwdtype=plaintext&password=admin123"
AGENT8001="orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=123456"
STATUS_OK="|Retuen|1|Retuen|BackMsg_43|Retuen|1-idle,2-logout,"

# The coccd CLI against the cluster's store; what it says on stderr is shown with the command.
cli() {
    "$COCCD" "$@" --database-url "$DB_URL" --data-dir "$WORK/cli" 2> >(sed "s/^/   (coccd $* said) /" >&2)
}

start_node() {
    local name=$1 port=${url[$1]##*:} extra=(--simulate) code=""
    [ "$name" = node1 ] && extra=(--demo)
    port_free "$port" || fail "port $port is in use"
    "$COCCD" serve --database-url "$DB_URL" --node-id "$name" --lease-seconds "$LEASE" --port "$port" "${extra[@]}" \
        --data-dir "$WORK/data-$name" --log-level warning >> "$WORK/$name.log" 2>&1 &
    node_pid[$name]=$!
    for _ in $(seq 1 600); do
        kill -0 "${node_pid[$name]}" 2> /dev/null || { unset "node_pid[$name]"; fail "$name exited at start"; }
        code=$(curl -s -o /dev/null -w '%{http_code}' "${url[$name]}/health/ready" || true)
        [ "$code" = 200 ] && break
        sleep 0.1
    done
    [ "$code" = 200 ] || fail "$name: /health/ready is not 200 after 60 s (last: $code)"
}

# Fails unless the team's live lease is node1's (every forwarded run assumes it).
expect_owner() {
    local owner
    owner=$(team_owner)
    [ "$owner" = node1 ] || fail "$1: team $TEAM's live lease is held by '${owner:-nobody}', not node1: $(psql_q "SELECT team_id, node_id, epoch, expires_at FROM team_leases")"
}

# wrk on agentStatus: wrk_run OUT BASE CONNS THREADS [SECONDS]
wrk_run() {
    wrk -t"$4" -c"$3" -d"${5:-$SECS}s" -s Benchmarks/agentstatus.lua "$2/coccwi.php" > "$1" 2>&1 || true   # wrk_parse judges
}
# Checks a wrk output (every reply the success string, no socket error) and sets W_RPS, W_P50
# and W_P99 (us) and W_REQ (requests).
wrk_parse() {
    local result
    result=$(grep '^RESULT' "$1" || true)
    W_REQ=$(awk '/requests in/ {print $1}' "$1")
    [[ "$result" == *" errors=0 non2xx_or_wrong=0"* && -n "$W_REQ" ]] || { cat "$1" >&2; fail "$2: agentStatus had socket errors or wrong replies"; }
    W_RPS=$(sed -E 's/.* rps=([0-9]+).*/\1/' <<< "$result")
    W_P50=$(sed -E 's/.* p50_us=([0-9]+).*/\1/' <<< "$result")
    W_P99=$(sed -E 's/.* p99_us=([0-9]+).*/\1/' <<< "$result")
}

# One wrk -t2 run against one node: status_one PHASE TARGET NODE CONNS
status_one() {
    local phase=$1 target=$2 node=$3 c=$4 before after
    before=$(cpu_now)
    wrk_run "$WORK/wrk.out" "${url[$node]}" "$c" 2
    after=$(cpu_now)
    check_nodes "$phase, $target, c=$c"
    wrk_parse "$WORK/wrk.out" "$phase, $target, c=$c"
    read -r b_c b_p <<< "$before"
    read -r a_c a_p <<< "$after"
    record "{\"m\": \"status\", \"phase\": \"$phase\", \"target\": \"$target\", \"c\": $c, \"rps\": $W_RPS, \"p50\": $W_P50, \"p99\": $W_P99, \"requests\": $W_REQ, \"cpu\": $((a_c - b_c)), \"pg\": $((a_p - b_p))}"
    printf '   %-24s c=%-3s %7s req/s  p50 %6.2f ms  p99 %6.2f ms  coccd %6.1f us/req  PostgreSQL %5.1f us/req  (%s requests)\n' \
        "$target" "$c" "$W_RPS" "$(calc "$W_P50 / 1000")" "$(calc "$W_P99 / 1000")" "$(calc "($a_c - $b_c) / $W_REQ")" "$(calc "($a_p - $b_p) / $W_REQ")" "$W_REQ"
}

# N split in three: S1 >= S2 >= S3.
split3() {
    S1=$(($1 / 3 + ($1 % 3 > 0)))
    S2=$(($1 / 3 + ($1 % 3 > 1)))
    S3=$(($1 / 3))
}

# Three wrk -t1 at once, one per node, the connections split: status_three CONNS
status_three() {
    local c=$1 before after i n share total_rps=0 total_req=0 parts=""
    split3 "$c"
    local shares=("$S1" "$S2" "$S3") pids=()
    before=$(cpu_now)
    for i in 0 1 2; do
        wrk_run "$WORK/wrk-$i.out" "${url[${NODES[$i]}]}" "${shares[$i]}" 1 &
        pids+=($!)
        bg_pids+=($!)
    done
    for i in 0 1 2; do wait "${pids[$i]}" || true; done
    bg_pids=()
    after=$(cpu_now)
    check_nodes "3 nodes, agentStatus c=$c"
    read -r b_c b_p <<< "$before"
    read -r a_c a_p <<< "$after"
    for i in 0 1 2; do
        n=${NODES[$i]}
        wrk_parse "$WORK/wrk-$i.out" "3 nodes, $n, c=${shares[$i]} of $c"
        local kind=forwarded
        [ "$n" = node1 ] && kind=direct
        record "{\"m\": \"status3part\", \"phase\": \"3 nodes\", \"target\": \"$n ($kind)\", \"c\": $c, \"share\": ${shares[$i]}, \"rps\": $W_RPS, \"p50\": $W_P50, \"p99\": $W_P99, \"requests\": $W_REQ}"
        total_rps=$((total_rps + W_RPS))
        total_req=$((total_req + W_REQ))
        parts+=$(printf '%s %s c=%s: %s req/s p50 %.2f p99 %.2f ms; ' "$n" "$kind" "${shares[$i]}" "$W_RPS" "$(calc "$W_P50 / 1000")" "$(calc "$W_P99 / 1000")")
    done
    record "{\"m\": \"status\", \"phase\": \"3 nodes\", \"target\": \"all three at once\", \"c\": $c, \"rps\": $total_rps, \"p50\": null, \"p99\": null, \"requests\": $total_req, \"cpu\": $((a_c - b_c)), \"pg\": $((a_p - b_p))}"
    printf '   %-24s c=%-3s %7s req/s  coccd %6.1f us/req  PostgreSQL %5.1f us/req  (%s requests)\n     %s\n' \
        "all three at once" "$c" "$total_rps" "$(calc "($a_c - $b_c) / $total_req")" "$(calc "($a_p - $b_p) / $total_req")" "$total_req" "$parts"
}

# Reads store_load.py outputs (FILE...), fails on any wrong reply, records and prints them as one
# measurement (concurrent runs: pairs and pairs/s summed, the worst p50 and p99).
# pairs_record PHASE TARGET WORKERS CPU_US PG_US WARMUP_FILE FILE...
pairs_record() {
    python3 - "$WORK/results.jsonl" "$@" << 'PY'
import json, sys
results, phase, target, workers, cpu, pg, warm_file, files = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), sys.argv[7], sys.argv[8:]
runs = [json.load(open(f)) for f in files]
warm = [json.load(open(f)) for f in warm_file.split(",") if f]
pairs = sum(r["pairs"] for r in runs)
rec = {"m": "pairs", "phase": phase, "target": target, "workers": workers, "pairs": pairs,
       "pps": round(sum(r["pairs_per_s"] for r in runs), 1), "p50": max(r["p50_ms"] for r in runs),
       "p99": max(r["p99_ms"] for r in runs), "failures": sum(r["failures"] for r in runs + warm),
       "busy": sum(r["busy_retries"] for r in runs), "cpu": cpu, "pg": pg}
print("   %-24s %2d workers: %d pairs, %.1f pairs/s, p50 %.2f ms, p99 %.2f ms%s; busy retries %d; coccd %.0f us/pair, PostgreSQL %.0f us/pair"
      % (target, workers, pairs, rec["pps"], rec["p50"], rec["p99"], " (worst of the nodes)" if len(runs) > 1 else "",
         rec["busy"], cpu / max(pairs, 1), pg / max(pairs, 1)))
bad = False
for r in runs + warm:
    if r["failures"]:
        bad = True
        print("     failures %s" % r["failure_kinds"])
    for sample in r["samples"]:
        print("     wrong reply: " + sample)
if pairs == 0:
    bad = True
if bad:
    sys.exit(1)
with open(results, "a") as f:
    f.write(json.dumps(rec) + "\n")
PY
}

# One store_load.py run through one node, all agents: pairs_one PHASE TARGET NODE WARMUP_FILE
pairs_one() {
    local before after
    before=$(cpu_now)
    python3 Benchmarks/store_load.py "${url[$3]}" "$FIRST_AGENT" "$AGENTS" "$WORKERS" "$SECS" "$AGENT_PASSWORD" > "$WORK/load.json" || fail "$1, $2: store_load.py failed"
    after=$(cpu_now)
    check_nodes "$1, $2, makeCall+hangup"
    read -r b_c b_p <<< "$before"
    read -r a_c a_p <<< "$after"
    pairs_record "$1" "$2" "$WORKERS" "$((a_c - b_c))" "$((a_p - b_p))" "$4" "$WORK/load.json" || fail "$1, $2: makeCall+hangup had wrong replies"
}

# Three store_load.py at once, one per node, agents and workers split: pairs_three WARMUP_FILES
pairs_three() {
    local before after i first=$FIRST_AGENT pids=() files=()
    split3 "$AGENTS"
    local agents=("$S1" "$S2" "$S3")
    split3 "$WORKERS"
    local workers=("$S1" "$S2" "$S3")
    before=$(cpu_now)
    for i in 0 1 2; do
        python3 Benchmarks/store_load.py "${url[${NODES[$i]}]}" "$first" "${agents[$i]}" "${workers[$i]}" "$SECS" "$AGENT_PASSWORD" > "$WORK/load-$i.json" &
        pids+=($!)
        bg_pids+=($!)
        files+=("$WORK/load-$i.json")
        first=$((first + agents[i]))
    done
    for i in 0 1 2; do wait "${pids[$i]}" || fail "store_load.py through ${NODES[$i]} failed"; done
    bg_pids=()
    after=$(cpu_now)
    check_nodes "3 nodes, makeCall+hangup"
    read -r b_c b_p <<< "$before"
    read -r a_c a_p <<< "$after"
    pairs_record "3 nodes" "split over the three" "$WORKERS" "$((a_c - b_c))" "$((a_p - b_p))" "$1" "${files[@]}" || fail "3 nodes: makeCall+hangup had wrong replies"
}

# CPU with no load for 3 s (heartbeats, lease renewals, the pollers of every node): idle PHASE
idle_cpu() {
    local before after
    before=$(cpu_now)
    sleep 3
    after=$(cpu_now)
    check_nodes "$1, idle"
    read -r b_c b_p <<< "$before"
    read -r a_c a_p <<< "$after"
    record "{\"m\": \"idle\", \"phase\": \"$1\", \"cpu\": $(((a_c - b_c) / 3)), \"pg\": $(((a_p - b_p) / 3))}"
    printf '   idle (no load, 3 s): coccd %.1f ms CPU/s (all nodes), PostgreSQL %.1f ms CPU/s\n' "$(calc "($a_c - $b_c) / 3000")" "$(calc "($a_p - $b_p) / 3000")"
}

warm_status() {   # warm_status NODE
    wrk_run "$WORK/warm.out" "${url[$1]}" 16 2 2
    check_nodes "warm-up via $1"
    wrk_parse "$WORK/warm.out" "warm-up via $1"
}
warm_pairs() {    # warm_pairs NODE OUT
    python3 Benchmarks/store_load.py "${url[$1]}" "$FIRST_AGENT" "$AGENTS" "$WORKERS" 2 "$AGENT_PASSWORD" > "$2" || fail "warm-up via $1: store_load.py failed"
}

echo "== machine: $(nproc) cores; coccd $(git rev-parse --short HEAD 2> /dev/null || echo '?') (working tree); $(ls -d /usr/lib/postgresql/*/ 2> /dev/null | xargs -n1 basename | sort -V | tail -n 1 | sed 's/^/PostgreSQL /')"
echo "== settings: ${SECS}s per run, $ROUNDS rounds (targets interleaved, medians), lease $LEASE s; $WORKERS makeCall+hangup workers over $AGENTS agents; nodes on :$PORT..$((PORT + 2))"

# Not under $WORK (0700, root's when run as root): the server's OS user must reach it.
pg_dir=$(mktemp -d /tmp/coccd-cluster-bench-pg.XXXXXX)
DB_URL=$(Tests/support/pg-cluster.sh start "$pg_dir" 2> "$WORK/pg-start.log") || { cat "$WORK/pg-start.log" >&2; fail "the PostgreSQL cluster did not start"; }
echo "== fresh PostgreSQL cluster on port $(sed -E 's#.*:([0-9]+)/.*#\1#' <<< "$DB_URL")"

# ---------------------------------------------------------------------------------------------
echo "== 1 node (load average $(cut -d' ' -f1-3 /proc/loadavg))"
start_node node1
TEAM=$(psql_q "SELECT id FROM teams WHERE identity = 'demo'")
[ -n "$TEAM" ] || fail "node1 --demo did not seed the demo team"
[ -z "$(psql_q "SELECT team_id FROM team_leases")" ] || fail "a team lease exists before the first request: $(psql_q "SELECT * FROM team_leases")"
reply=$(curl -s "${url[node1]}/coccinterfaces?EVENT=AGENTSTATUS&$AGENT8001")
case "$reply" in "|Retuen|1|Retuen|BackMsg_43|"*) ;; *) fail "the first agentStatus on node1 answered: $reply" ;; esac
expect_owner "after the first request"
echo "   demo team id $TEAM, owned by node1: $(psql_q "SELECT 'epoch ' || epoch || ', expires in ' || round(extract(epoch FROM expires_at - now())::numeric, 1) || ' s' FROM team_leases WHERE team_id = $TEAM")"
reply=$(curl -s "${url[node1]}/coccinterfaces?EVENT=LOGIN&$AGENT8001")
case "$reply" in "|Retuen|1|"*) ;; *) fail "login of 8001 answered: $reply" ;; esac
reply=$(curl -s -H 'Content-Type: text/xml' --data-binary @Benchmarks/agentstatus.xml "${url[node1]}/coccwi.php")
case "$reply" in *"$STATUS_OK"*) ;; *) fail "SOAP agentStatus on node1 answered: $reply" ;; esac

# The owner picks provisioning up shortly (at most 15 s).
provision_agents "${url[node1]}" 150 ""

idle_cpu "1 node"
warm_status node1
for round in $(seq 1 "$ROUNDS"); do
    for c in 16 64; do status_one "1 node" "node1 (direct)" node1 "$c"; done
done
warm_pairs node1 "$WORK/warm-1.json"
for round in $(seq 1 "$ROUNDS"); do pairs_one "1 node" "node1 (direct)" node1 "$([ "$round" = 1 ] && echo "$WORK/warm-1.json")"; done
expect_owner "after the 1-node phase"

# ---------------------------------------------------------------------------------------------
echo "== 2 nodes (load average $(cut -d' ' -f1-3 /proc/loadavg))"
start_node node2
expect_owner "after node2 joined"
idle_cpu "2 nodes"
warm_status node1
warm_status node2
for round in $(seq 1 "$ROUNDS"); do
    for c in 16 64; do
        if [ $((round % 2)) = 1 ]; then
            status_one "2 nodes" "node1 (direct)" node1 "$c"
            status_one "2 nodes" "node2 -> node1 (forwarded)" node2 "$c"
        else
            status_one "2 nodes" "node2 -> node1 (forwarded)" node2 "$c"
            status_one "2 nodes" "node1 (direct)" node1 "$c"
        fi
    done
done
warm_pairs node2 "$WORK/warm-2.json"
for round in $(seq 1 "$ROUNDS"); do
    pairs_one "2 nodes" "node1 (direct)" node1 ""
    pairs_one "2 nodes" "node2 -> node1 (forwarded)" node2 "$([ "$round" = 1 ] && echo "$WORK/warm-2.json")"
done
expect_owner "after the 2-node phase"

# ---------------------------------------------------------------------------------------------
echo "== 3 nodes (load average $(cut -d' ' -f1-3 /proc/loadavg))"
start_node node3
expect_owner "after node3 joined"
idle_cpu "3 nodes"
warm_status node3
for round in $(seq 1 "$ROUNDS"); do
    for c in 16 64; do status_three "$c"; done
done
warm_pairs node3 "$WORK/warm-3.json"
for round in $(seq 1 "$ROUNDS"); do pairs_three "$([ "$round" = 1 ] && echo "$WORK/warm-3.json")"; done
expect_owner "after the 3-node phase"

# ---------------------------------------------------------------------------------------------
echo "== failover: kill -9 of the team's owner, $ROUNDS rounds, lease $LEASE s (load average $(cut -d' ' -f1-3 /proc/loadavg))"
for round in $(seq 1 "$ROUNDS"); do
    owner=$(team_owner)
    [ -n "$owner" ] && [ -n "${node_pid[$owner]:-}" ] || fail "failover round $round: team $TEAM's owner is '${owner:-nobody}', not a live node (live: $(live_nodes))"
    via=""
    for n in "${NODES[@]}"; do [ "$n" != "$owner" ] && [ -n "${node_pid[$n]:-}" ] && { via=$n; break; }; done
    epoch=$(psql_q "SELECT epoch FROM team_leases WHERE team_id = $TEAM")
    victim=${node_pid[$owner]}
    rc=0
    out=$(python3 Benchmarks/cluster_failover.py "$victim" "${url[$via]}" $((3 * LEASE + 30))) || rc=$?
    wait "$victim" 2> /dev/null || true
    unset "node_pid[$owner]"
    [ "$rc" = 0 ] || { echo "$out" >&2; fail "failover round $round: $via did not answer for the team within $((3 * LEASE + 30)) s of killing $owner"; }
    check_nodes "failover round $round"
    new_owner=$(team_owner)
    new_epoch=$(psql_q "SELECT epoch FROM team_leases WHERE team_id = $TEAM")
    python3 - "$out" "$round" "$owner" "$via" "$new_owner" "$epoch" "$new_epoch" "$WORK/results.jsonl" << 'PY'
import json, sys
r = json.loads(sys.argv[1])
rec = {"m": "failover", "round": int(sys.argv[2]), "killed": sys.argv[3], "via": sys.argv[4], "new_owner": sys.argv[5] or "nobody",
       "epochs": "%s->%s" % (sys.argv[6], sys.argv[7]), "seconds": r["seconds"], "polls": r["polls"], "logged_in": r["logged_in"], "groups": r["groups"]}
open(sys.argv[8], "a").write(json.dumps(rec) + "\n")
print("   round %d: kill -9 %s; %s answered %.2f s later (%d polls), new owner %s (epoch %s); 8001 %s (%s)"
      % (rec["round"], rec["killed"], rec["via"], r["seconds"], r["polls"], rec["new_owner"], rec["epochs"],
         "still logged in" if r["logged_in"] else "LOGGED OUT", r["reply"]))
for w in r["wrong"]:
    print("     before: " + w)
PY
    start_node "$owner"
    reply=$(curl -s "${url[$owner]}/coccinterfaces?EVENT=AGENTSTATUS&$AGENT8001")
    case "$reply" in "|Retuen|1|Retuen|BackMsg_43|"*) ;; *) fail "failover round $round: the restarted $owner answered: $reply" ;; esac
    echo "     $owner restarted and ready; it answers for the team (owner $(team_owner))"
done

# ---------------------------------------------------------------------------------------------
echo "== coccd's logs (warning and above; --log-level warning)"
for n in "${NODES[@]}"; do
    [ -f "$WORK/$n.log" ] || continue
    echo "   $n: $(grep -c . "$WORK/$n.log" || true) lines; by level and message:"
    sed -E 's/^[^ ]+ ([a-z]+) [^:]+: (.*)$/\1 \2/' "$WORK/$n.log" | sed -E 's/^([a-z]+) .*\[[A-Za-z]+\] /\1 /' | cut -c1-150 | sort | uniq -c | sort -rn | head -n 8 | sed 's/^/     /'
done

echo
python3 - "$WORK/results.jsonl" "$LEASE" "$ROUNDS" "$SECS" << 'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
lease, rounds, secs = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
med = statistics.median


def group(m, **keys):
    return [r for r in rows if r["m"] == m and all(r.get(k) == v for k, v in keys.items())]


def status(phase, target, c):
    runs = group("status", phase=phase, target=target, c=c)
    if not runs:
        return None
    out = {"rps": med(r["rps"] for r in runs), "cpu": med(r["cpu"] / r["requests"] for r in runs),
           "pg": med(r["pg"] / r["requests"] for r in runs), "n": len(runs)}
    if runs[0]["p50"] is not None:
        out["p50"] = med(r["p50"] for r in runs) / 1000
        out["p99"] = med(r["p99"] for r in runs) / 1000
    return out


ms = lambda v: "%.2f" % v
print("### SOAP agentStatus (wrk, median of %d runs of %s s each)" % (rounds, secs))
print()
print("| nodes | target | conns | req/s | p50 ms | p99 ms | coccd CPU us/req | PostgreSQL CPU us/req | req/s ratio |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
for c in (16, 64):
    one = status("1 node", "node1 (direct)", c)
    d2 = status("2 nodes", "node1 (direct)", c)
    f2 = status("2 nodes", "node2 -> node1 (forwarded)", c)
    t3 = status("3 nodes", "all three at once", c)
    print(f"| 1 | node1 (direct) | {c} | {one['rps']:.0f} | {ms(one['p50'])} | {ms(one['p99'])} | {one['cpu']:.1f} | {one['pg']:.1f} | 1.00 (base) |")
    print(f"| 2 | node1 (direct) | {c} | {d2['rps']:.0f} | {ms(d2['p50'])} | {ms(d2['p99'])} | {d2['cpu']:.1f} | {d2['pg']:.1f} | {d2['rps'] / one['rps']:.2f} vs 1 node |")
    print(f"| 2 | node2 -> node1 (forwarded) | {c} | {f2['rps']:.0f} | {ms(f2['p50'])} | {ms(f2['p99'])} | {f2['cpu']:.1f} | {f2['pg']:.1f} | **{f2['rps'] / d2['rps']:.2f}** fwd/direct |")
    print(f"| 3 | all three at once (1 direct + 2 forwarded) | {c} | {t3['rps']:.0f} | – | – | {t3['cpu']:.1f} | {t3['pg']:.1f} | {t3['rps'] / one['rps']:.2f} vs 1 node |")
    parts = {}
    for r in group("status3part", c=c):
        parts.setdefault(r["target"], []).append(r)
    direct = med(r["rps"] for r in parts.get("node1 (direct)", []))
    for target in sorted(parts):
        p = parts[target]
        ratio = "" if target.startswith("node1") else f"{med(r['rps'] for r in p) / direct:.2f} fwd/direct"
        print(f"| 3 | · {target}, {p[0]['share']} of the {c} | {c} | {med(r['rps'] for r in p):.0f} | {ms(med(r['p50'] for r in p) / 1000)} | {ms(med(r['p99'] for r in p) / 1000)} | – | – | {ratio} |")
print()
print("CPU per request: utime+stime of every live coccd process (and of the PostgreSQL server), over the requests of the run;")
print("with 2 and 3 nodes all nodes count, idle or not. 3 nodes: three wrk -t1 at once, one per node; 1 and 2 nodes: one wrk -t2.")
idle = {r["phase"]: r for r in group("idle")}
print("Idle background (no load, CPU per second; included in the per-request figures above): "
      + "; ".join("%s: coccd %.1f ms/s, PostgreSQL %.1f ms/s" % (p, idle[p]["cpu"] / 1000, idle[p]["pg"] / 1000) for p in ("1 node", "2 nodes", "3 nodes") if p in idle) + ".")
print()
print("### Forwarding cost on %s cores (2 nodes; forwarded = a request to node2 for node1's team)" % __import__("os").cpu_count())
print()
print("| conns | coccd us/req direct | forwarded | cost us/req | CPU ratio | PostgreSQL us/req direct / fwd | p50 ms direct / fwd (diff) | p99 ms direct / fwd (diff) |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|")
for c in (16, 64):
    d, f = status("2 nodes", "node1 (direct)", c), status("2 nodes", "node2 -> node1 (forwarded)", c)
    print(f"| {c} | {d['cpu']:.1f} | {f['cpu']:.1f} | **{f['cpu'] - d['cpu']:+.1f}** | {f['cpu'] / d['cpu']:.2f} | {d['pg']:.1f} / {f['pg']:.1f} | {ms(d['p50'])} / {ms(f['p50'])} ({f['p50'] - d['p50']:+.2f}) | {ms(d['p99'])} / {ms(f['p99'])} ({f['p99'] - d['p99']:+.2f}) |")
print()


def pairs(phase, target):
    runs = group("pairs", phase=phase, target=target)
    return {"pps": med(r["pps"] for r in runs), "p50": med(r["p50"] for r in runs), "p99": med(r["p99"] for r in runs),
            "cpu": med(r["cpu"] / r["pairs"] for r in runs), "pg": med(r["pg"] / r["pairs"] for r in runs),
            "busy": sum(r["busy"] for r in runs), "workers": runs[0]["workers"]}


print("### makeCall+hangup pairs = call setups (store_load.py, median of %d runs)" % rounds)
print()
print("| nodes | through | workers | pairs/s | p50 ms | p99 ms | coccd CPU us/pair | PostgreSQL CPU us/pair | busy retries | pairs/s ratio |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
one = pairs("1 node", "node1 (direct)")
d2 = pairs("2 nodes", "node1 (direct)")
f2 = pairs("2 nodes", "node2 -> node1 (forwarded)")
t3 = pairs("3 nodes", "split over the three")
for label, through, p, ratio in [("1", "node1 (direct)", one, "1.00 (base)"), ("2", "node1 (direct)", d2, "%.2f vs 1 node" % (d2["pps"] / one["pps"])),
                                 ("2", "node2 -> node1 (forwarded)", f2, "**%.2f** fwd/direct" % (f2["pps"] / d2["pps"])),
                                 ("3", "a third via each node (worst node's p50/p99)", t3, "%.2f vs 1 node" % (t3["pps"] / one["pps"]))]:
    print(f"| {label} | {through} | {p['workers']} | {p['pps']:.1f} | {ms(p['p50'])} | {ms(p['p99'])} | {p['cpu']:.0f} | {p['pg']:.0f} | {p['busy']} | {ratio} |")
print(f"\nForwarding cost of a pair (2 nodes): {f2['cpu'] - d2['cpu']:+.0f} us coccd CPU ({f2['cpu'] / d2['cpu']:.2f}x), p50 {f2['p50'] - d2['p50']:+.2f} ms.")
print()
fo = group("failover")
print("### Failover: kill -9 of the team's owner to the first answered agentStatus on another node (lease %d s)" % lease)
print()
print("| round | killed | polled via | new owner (lease epoch) | seconds | polls | 8001 still logged in |")
print("|---:|---|---|---|---:|---:|---|")
for r in fo:
    print(f"| {r['round']} | {r['killed']} | {r['via']} | {r['new_owner']} ({r['epochs']}) | {r['seconds']:.2f} | {r['polls']} | {'yes' if r['logged_in'] else '**no**'} ({','.join(k + '-' + v for k, v in sorted(r['groups'].items()))}) |")
print(f"| median | | | | **{med(r['seconds'] for r in fo):.2f}** | | {sum(r['logged_in'] for r in fo)}/{len(fo)} |")
PY
