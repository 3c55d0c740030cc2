#!/usr/bin/env bash
# The live suite of issue 11: coccd driving a real Asterisk over ARI.
#
#   Tests/clients/run_asterisk.sh [path-to-coccd]
#
# Finds an installed Asterisk (COCCD_TEST_ASTERISK_PREFIX, else an `asterisk` on PATH; this
# script never builds one), starts it with Tests/asterisk/etc on a loopback port, then:
#  1. runs Tests/clients/switch_scenarios.php (PHP SoapClient) on coccd with the simulated
#     switch and on coccd with --switch asterisk, and compares the chapter-6 event kinds of each
#     scenario (a teardown's hangups may come in any order on a real PBX: each run of hangups is
#     compared as a set);
#  0. runs the switch conformance suite (SwitchConformanceTests) on it, with COCCD_TEST_ARI_URL;
#  2. drops the ARI WebSocket (a proxy cuts the line) in mid-call, twice: a call that lives
#     through the gap is kept; one whose customer hangs up in the gap ends at reconnect;
#  3. kills Asterisk (-9) in mid-call: /health says 503, makeCall fails at once (BackMsg_20),
#     then Asterisk restarts, coccd reconnects, the lost call ends with its events, agents are
#     free, and a new call goes through;
#  4. kills coccd (-9) in mid-call: the next start ends the call with its events and hangs up
#     the channels the dead process left in Asterisk.
# Without an Asterisk it prints "skipped" and "0 passed, 0 failed" (CI without Asterisk).
set -u
cd "$(dirname "$0")/../.."
COCCD=${1:-.build/debug/coccd}
PORT=${COCCD_TEST_PORT:-4599}
ARI_PORT=$((PORT + 10))
ARI="http://127.0.0.1:$ARI_PORT"
WORK=$(mktemp -d)
passed=0
failed=0
pid=
check() { if [ "$2" = "$3" ]; then passed=$((passed + 1)); echo "ok   $1"; else failed=$((failed + 1)); printf 'FAIL %s\n     got:      %s\n     expected: %s\n' "$1" "$2" "$3"; fi; }

if ! asterisk_pid=$(bash Tests/asterisk/start.sh "$WORK/asterisk" "$ARI_PORT" 2> "$WORK/asterisk-start.log"); then
    if grep -q "no Asterisk installed" "$WORK/asterisk-start.log"; then
        echo "skipped: no Asterisk installed (set COCCD_TEST_ASTERISK_PREFIX to run the live suite)"
        echo "0 passed, 0 failed"; rm -rf "$WORK"; exit 0
    fi
    cat "$WORK/asterisk-start.log"; echo "0 passed, 1 failed"; rm -rf "$WORK"; exit 1
fi
version=$(curl -s -u coccd:coccd-test-secret "$ARI/ari/asterisk/info" | python3 -c 'import json,sys; print(json.load(sys.stdin)["system"]["version"])')
echo "Asterisk $version on $ARI"

start_coccd() {  # data dir, then serve flags
    local data=$1; shift
    "$COCCD" serve --demo --port "$PORT" --data-dir "$data" "$@" >> "$data.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && return 0; sleep 0.1; done
    echo "coccd did not start"; cat "$data.log"; return 1
}
stop_coccd() { kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=; }
proxy_pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null; bash Tests/asterisk/stop.sh "$WORK/asterisk" > /dev/null 2>&1; rm -rf "$WORK"' EXIT
export COCCD_ARI_URL=$ARI COCCD_ARI_USERNAME=coccd COCCD_ARI_PASSWORD=coccd-test-secret
export COCCD_ARI_AGENT_ENDPOINT='Local/{exten}@coccd-agents' COCCD_ARI_EXTERNAL_ENDPOINT='Local/{number}@coccd-outside'
export COCCD=$COCCD

scenarios() {  # mode, data dir, kinds file
    COCCD_DATA=$2 php Tests/clients/switch_scenarios.php "$1" "http://127.0.0.1:$PORT" "$ARI" "$3" 2>&1 | sed "s/^/[$1] /"
}
tally() {
    local out line; out=$(cat); printf '%s\n' "$out" | grep -v '^\[[a-z]*\] ok ' || true
    line=$(printf '%s\n' "$out" | grep -oE '[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
    [ -z "$line" ] && { failed=$((failed + 1)); echo "FAIL $1 printed no result"; return; }
    passed=$((passed + $(echo "$line" | cut -d' ' -f1))); failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
}

# The switch conformance suite (Swift Testing) against this Asterisk; the simulator's half runs in `swift test`.
if COCCD_TEST_ARI_URL=$ARI swift test --skip-build --filter SwitchConformance > "$WORK/conformance.log" 2>&1; then
    check "switch conformance suite on Asterisk ($(grep -oE 'Test run with [0-9]+ tests' "$WORK/conformance.log"))" ok ok
else
    grep -E '✘|error' "$WORK/conformance.log" | head -20
    check "switch conformance suite on Asterisk" failed ok
fi

start_coccd "$WORK/sim" || exit 1
tally simulated < <(scenarios simulated "$WORK/sim" "$WORK/kinds-sim")
stop_coccd
start_coccd "$WORK/ast" --switch asterisk || exit 1
for _ in $(seq 1 50); do [ "$(curl -s "http://127.0.0.1:$PORT/health")" = '{"status":"ok","switch":"connected","store":"ok"}' ] && break; sleep 0.1; done
tally asterisk < <(scenarios asterisk "$WORK/ast" "$WORK/kinds-ast")
normalize() { python3 -c '
import sys
for line in open(sys.argv[1]):
    name, _, kinds = line.strip().partition(": ")
    out, run = [], []
    for k in kinds.split(", ") + ["."]:
        if k.endswith(" hangup") and not k.startswith("CONVERSATION"): run.append(k); continue
        out += sorted(run) + ([k] if k != "." else []); run = []
    print(name + ": " + ", ".join(out))' "$1"; }
while IFS= read -r line; do
    name=${line%%:*}
    check "events on Asterisk equal the simulator's: $name" "$(normalize "$WORK/kinds-ast" | grep "^$name:")" "$line"
done < <(normalize "$WORK/kinds-sim")

A='orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=123456'
B="http://127.0.0.1:$PORT"
status8001() { curl -s "$B/coccinterfaces?EVENT=AGENTSTATUS&$A"; }
wait_health() { for _ in $(seq 1 ${2:-100}); do [ "$(curl -s -o /dev/null -w '%{http_code}' "$B/health")" = "$1" ] && return; sleep 0.2; done; }
coccd_channels() { curl -s -u coccd:coccd-test-secret "$ARI/ari/channels" | python3 -c 'import json,sys; print(" ".join(sorted(c["id"] for c in json.load(sys.stdin) if c["id"].startswith("coccd-") and not c["id"].endswith("-2") and c["name"].find("'"$1"'") >= 0)))'; }
last_event() { "$COCCD" events list --data-dir "$WORK/ast" --team demo | tail -n 1 | grep -o 'source=CONVERSATION&event=hangup'; }

# The WebSocket drops while Asterisk runs on (coccd reaches ARI through a proxy that can cut
# the line): a call that lives through the gap is kept; a call whose customer hangs up in the
# gap (its events are lost with the socket) ends when coccd reconnects and lists the channels.
stop_coccd
PROXY_PORT=$((PORT + 11))
python3 Tests/clients/tcp_proxy.py "$PROXY_PORT" "$ARI_PORT" > "$WORK/proxy.log" 2>&1 &
proxy_pid=$!
sleep 0.5
COCCD_ARI_URL="http://127.0.0.1:$PROXY_PORT" start_coccd "$WORK/ast" --switch asterisk || exit 1
wait_health 200
curl -s -d "EVENT=MAKECALL&targetdn=13800000001&targettype=exter&agentgroupid=1&$A" "$B/coccinterfaces" > /dev/null
sleep 4
check "through the proxy: on a call" "$(status8001)" '|Retuen|1|Retuen|BackMsg_43|Retuen|1-busy,2-logout,'
kill -USR1 "$proxy_pid"; wait_health 503 50
check "the WebSocket dropped: /health says 503" "$(curl -s -o /dev/null -w '%{http_code}' "$B/health")" 503
check "the call is still up in Asterisk" "$(coccd_channels 13800000001 | wc -w)" 1
kill -USR2 "$proxy_pid"; wait_health 200
check "coccd reconnects after the drop" "$(curl -s -o /dev/null -w '%{http_code}' "$B/health")" 200
sleep 0.5
check "the call lived through the gap: the agent is still busy" "$(status8001)" '|Retuen|1|Retuen|BackMsg_43|Retuen|1-busy,2-logout,'
kill -USR1 "$proxy_pid"; wait_health 503 50
customer=$(coccd_channels 13800000001)
curl -s -o /dev/null -u coccd:coccd-test-secret -X DELETE "$ARI/ari/channels/$customer"
sleep 0.5
kill -USR2 "$proxy_pid"; wait_health 200
sleep 1
check "the customer hung up in the gap: the call ended at reconnect, the agent is free" "$(status8001)" '|Retuen|1|Retuen|BackMsg_43|Retuen|1-idle,2-logout,'
check "with its CONVERSATION hangup" "$(last_event)" 'source=CONVERSATION&event=hangup'
check "and the agent's leg hung up in Asterisk" "$(coccd_channels Local | wc -w)" 0
stop_coccd
kill "$proxy_pid" 2>/dev/null; wait "$proxy_pid" 2>/dev/null
start_coccd "$WORK/ast" --switch asterisk || exit 1
wait_health 200

# Asterisk dies (kill -9) in mid-call, then comes back.
curl -s -d "EVENT=MAKECALL&targetdn=13800000001&targettype=exter&agentgroupid=1&$A" "$B/coccinterfaces" > /dev/null
sleep 4
check "on a call before the crash" "$(curl -s "$B/coccinterfaces?EVENT=AGENTSTATUS&$A")" '|Retuen|1|Retuen|BackMsg_43|Retuen|1-busy,2-logout,'
kill -9 "$asterisk_pid" 2>/dev/null
sleep 1.5
check "/health says the switch is gone" "$(curl -s -o /dev/null -w '%{http_code}' "$B/health")" 503
started=$(date +%s%N)
A2='orgidentity=demo&usertype=agent&user=8002&pwdtype=plaintext&password=123456'
check "makeCall while Asterisk is down fails at once" "$(curl -s -d "EVENT=MAKECALL&targetdn=13800000001&targettype=exter&agentgroupid=1&$A2" "$B/coccinterfaces")" '|Retuen|2|Retuen|BackMsg_20'
check "it answered within a second" "$(( ($(date +%s%N) - started) / 1000000 < 1000 ))" 1
check "operations without the switch keep working" "$(curl -s "$B/coccinterfaces?EVENT=queueCustomerNum&orgidentity=demo&queuenumber=0")" '|Retuen|1|Retuen|0|0|0|0'
asterisk_pid=$(bash Tests/asterisk/start.sh "$WORK/asterisk" "$ARI_PORT" 2>> "$WORK/asterisk-start.log")
for _ in $(seq 1 100); do [ "$(curl -s -o /dev/null -w '%{http_code}' "$B/health")" = 200 ] && break; sleep 0.2; done
check "coccd reconnects after the restart" "$(curl -s -o /dev/null -w '%{http_code}' "$B/health")" 200
sleep 0.5
check "the lost call ended: the agent is free" "$(curl -s "$B/coccinterfaces?EVENT=AGENTSTATUS&$A")" '|Retuen|1|Retuen|BackMsg_43|Retuen|1-idle,2-logout,'
check "the lost call has its CONVERSATION hangup" "$("$COCCD" events list --data-dir "$WORK/ast" --team demo | tail -n 1 | grep -o 'source=CONVERSATION&event=hangup')" 'source=CONVERSATION&event=hangup'
check "a new call goes through" "$(curl -s -d "EVENT=MAKECALL&targetdn=13800000001&targettype=exter&agentgroupid=1&$A" "$B/coccinterfaces")" '|Retuen|1|Retuen|BackMsg_19'
sleep 4
check "and is answered" "$(curl -s "$B/coccinterfaces?EVENT=AGENTSTATUS&$A")" '|Retuen|1|Retuen|BackMsg_43|Retuen|1-busy,2-logout,'
# coccd dies (kill -9) in mid-call: the next start ends the call with its events, and the
# channels it left in Asterisk are hung up.
kill -9 "$pid"; wait "$pid" 2>/dev/null
check "Asterisk still has the call coccd left" "$(curl -s -u coccd:coccd-test-secret "$ARI/ari/channels" | python3 -c 'import json,sys; print(any(c["id"].startswith("coccd-") for c in json.load(sys.stdin)))')" True
start_coccd "$WORK/ast" --switch asterisk || exit 1
for _ in $(seq 1 50); do [ "$(curl -s -o /dev/null -w '%{http_code}' "$B/health")" = 200 ] && break; sleep 0.1; done
sleep 1
check "after the restart the interrupted call has ended" "$("$COCCD" events list --data-dir "$WORK/ast" --team demo | tail -n 1 | grep -o 'source=CONVERSATION&event=hangup')" 'source=CONVERSATION&event=hangup'
check "and Asterisk has none of coccd's channels left" "$(curl -s -u coccd:coccd-test-secret "$ARI/ari/channels" | python3 -c 'import json,sys; print([c["id"] for c in json.load(sys.stdin) if c["id"].startswith("coccd-")])')" "[]"
check "the agent is free" "$(curl -s "$B/coccinterfaces?EVENT=AGENTSTATUS&$A")" '|Retuen|1|Retuen|BackMsg_43|Retuen|1-idle,2-logout,'
stop_coccd
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
