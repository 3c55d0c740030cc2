#!/usr/bin/env bash
# Starts a real coccd with the demo team and runs the real-client tests against it:
# PHP SoapClient (all WSDL styles, non-WSDL, SOAP 1.1 and 1.2), curl (HTTP, JSONP, assets),
# node (the CJI plugin), headless Chromium (a page with the push plugin; the desk, wallboard and simulator panel), zeep, gSOAP wsdl2h and JAX-WS (strict WSDL toolkits),
# the connection caps (2,000 idle connections), HTTPS (curl and PHP SoapClient, tls_test.sh), then graceful shutdown, restart
# persistence, live provisioning and the vendor plugin's extra calls (vendor_extras_test.py).
# Usage: Tests/clients/run.sh [path-to-coccd]     Ends with "N passed, M failed".
set -u
cd "$(dirname "$0")/../.."
COCCD=${1:-.build/debug/coccd}
PORT=${COCCD_TEST_PORT:-4599}
BASE="http://127.0.0.1:$PORT"
export COCCD_IMPORT_ALLOWED_HOSTS=127.0.0.1   # the local FTP and HTTP servers of import_test.py
DATA=$(mktemp -d)
chmod 755 "$DATA"   # as an older coccd left it: the server must make it 0700
LOG="$DATA/coccd.log"
pid=

source Tests/clients/tally.sh

start() {
    "$COCCD" "$@" --data-dir "$DATA" --port "$PORT" >> "$LOG" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do
        curl -s -o /dev/null "$BASE/" && return 0
        sleep 0.1
    done
    echo "coccd did not start"; cat "$LOG"; return 1
}

stop() {
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || { wait "$pid"; return $?; }; sleep 0.1; done
    echo "coccd did not stop on SIGTERM"; kill -9 "$pid"; return 1
}

trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$DATA"' EXIT

start --demo || exit 1
tally "php SoapClient" < <(php Tests/clients/soap_client_test.php "$BASE" 2>&1)
tally "curl" < <(bash Tests/clients/curl_test.sh "$BASE" 2>&1)
tally "node CJI plugin" < <(node Tests/clients/cji_plugin_test.js "$BASE" 2>&1)
tally "node push plugin" < <(node Tests/clients/push_plugin_test.js "$BASE" 2>&1)
tally "python zeep" < <(python3 Tests/clients/zeep_test.py "$BASE" 2>&1)
tally "WSDL toolkits" < <(bash Tests/clients/wsdl_toolkits.sh "$BASE" 2>&1)
# Connection caps: 2,000 idle connections, a legitimate client still answered, extra ones refused.
tally "connection caps" < <(python3 Tests/clients/connections_test.py "$BASE" 2>&1)
# HTTPS: its own coccd with a certificate made here; curl and PHP SoapClient.
tally "TLS (curl, PHP SoapClient)" < <(bash Tests/clients/tls_test.sh "$COCCD" "$((PORT + 2))" 2>&1)

# Provisioning from the CLI reaches the running server.
"$COCCD" agent add --data-dir "$DATA" --team demo 8300 --password s3cret --name "New Agent" > /dev/null
"$COCCD" member add --data-dir "$DATA" --team demo --group 1 --agent 8300 > /dev/null
sleep 1.5
step "CLI-added agent logs in" test "$(curl -s "$BASE/coccinterfaces?EVENT=LOGIN&orgidentity=demo&usertype=agent&user=8300&pwdtype=plaintext&password=s3cret")" \
    = '|Retuen|1|Retuen|BackMsg_04|Retuen|agent_group_id=1&groupname=Sales&status=idel&groupadmin=no&agenttype=static&agentline=online&errorcall=no&agent_id=6|||'
"$COCCD" passwd --data-dir "$DATA" --team demo --agent 8300 --password changed > /dev/null
sleep 1.5
step "old password refused after passwd" test "$(curl -s "$BASE/coccinterfaces?EVENT=AGENTSTATUS&orgidentity=demo&usertype=agent&user=8300&pwdtype=plaintext&password=s3cret")" = '|Retuen|2|Retuen|BackMsg_03'
step "CLI lists the group" grep -q "8300:static" <("$COCCD" group list --data-dir "$DATA" --team demo)

# A real browser: a page on another origin includes the push plugin; two calls; its sonAccept log.
tally "chromium push page" < <(python3 Tests/clients/browser_push_test.py "$BASE" "$COCCD" "$DATA" 2>&1)
# The agent desk, the wallboard and the simulator panel in Chromium (Selenium), on a coccd of their
# own that the test restarts under the open pages; screenshots into docs/screenshots (or $COCCD_SCREENSHOTS).
tally "chromium desk and wallboard" < <(python3 Tests/clients/desk_browser_test.py "$COCCD" "$((PORT + 4))" "${COCCD_SCREENSHOTS:-docs/screenshots}" 2>&1)
# importWS from real FTP and HTTP servers, PHP SoapClient and the form interface; the dialer.
tally "importWS and dialer" < <(python3 Tests/clients/import_test.py "$BASE" "$COCCD" "$DATA" 2>&1)
# The vendor plugin's extras: dialerListCJI, qbackcallCJI, monitorCtrlCJI + getMonitorCJI's filename, DefaultGroup.
tally "vendor extras" < <(python3 Tests/clients/vendor_extras_test.py "$BASE" "$COCCD" "$DATA" 2>&1)

# The simulator from the command line.
step "coccd simulate inbound" grep -q '"uniqueid"' <("$COCCD" simulate inbound --url "$BASE" --to 6002 --from 0138888888888)
legs=$("$COCCD" simulate legs --url "$BASE")
step "coccd simulate legs" grep -q '"number":"0138888888888"' <<< "$legs"
id=$(sed 's/.*"uniqueid":\([0-9]*\),"number":"0138888888888".*/\1/' <<< "$legs")
step "coccd simulate press" "$COCCD" simulate press --url "$BASE" "$id" '12#' 
step "coccd simulate hangup" "$COCCD" simulate hangup --url "$BASE" "$id"
step "the caller is gone" test "$(curl -s "$BASE/coccinterfaces?EVENT=queueCustomerNum&orgidentity=demo&queuenumber=0")" = '|Retuen|1|Retuen|0|0|0|0'

# The recording of the last call that was answered and has ended: getMonitor over HTTP, then the file.
sid=$("$COCCD" events list --data-dir "$DATA" --team demo | awk -F'sessionid=' '
    /source=CALLEE&event=answer|from=dialin.*source=AGENT&event=answer|source=AGENT&event=answer.*from=dialin/ { split($2, a, "&"); answered[a[1]] = 1 }
    /source=CONVERSATION&event=hangup/ { split($2, a, "&"); if (a[1] in answered) last = a[1] }
    END { print last }')
monitor=$(curl -s "$BASE/coccinterfaces?EVENT=GetMonitor&sessionid=$sid&calldate=$(date +%Y-%m-%d)")
step "GetMonitor answers the recording's URL" test "${monitor#|Retuen|1|Retuen|$BASE/getMonitor/1/}" != "$monitor"
step "GetMonitor's URL is signed" grep -qE '[?]expires=[0-9]+&signature=[0-9a-f]{64}$' <<< "$monitor"
step "the recording is a WAV file" test "$(curl -s "${monitor#|Retuen|1|Retuen|}" | head -c 4)" = "RIFF"
url=${monitor#|Retuen|1|Retuen|}
step "the recording without its signature is refused" test "$(curl -s -o /dev/null -w '%{http_code}' "${url%%\?*}")" = 403
step "a tampered signature is refused" test "$(curl -s -o /dev/null -w '%{http_code}' "${url%?}x")" = 403
# Files at rest: only the server's user can read the store, the recordings and the URL key.
step "data directory is 0700" test "$(stat -c %a "$DATA")" = 700
step "coccd.sqlite and its -wal are 0600" test "$(stat -c %a "$DATA/coccd.sqlite" "$DATA/coccd.sqlite-wal" | sort -u)" = 600
step "recordings are 0600 in 0700 folders" test "$(find "$DATA/recordings" -type f -printf '%m\n' | sort -u)$(find "$DATA/recordings" -type d -printf '%m\n' | sort -u)" = 600700
step "the recording URL key is 0600" test "$(stat -c %a "$DATA/recording-url.key")" = 600
step "the access token key is 0600" test "$(stat -c %a "$DATA/access-token.key")" = 600

# Backend delivery: a receiver that refuses the first 3 POSTs; coccd is killed (-9) mid-way and
# restarted; every event from then on must arrive, in order, none missing.
HOOK_PORT=$((PORT + 1))
python3 Tests/clients/webhook_receiver.py "$HOOK_PORT" "$DATA/hook.log" 3 &
hook_pid=$!
"$COCCD" team update demo --data-dir "$DATA" --event-url "http://127.0.0.1:$HOOK_PORT/hook"
sleep 1.5   # the server reloads the directory; delivery starts after the latest event
first=$(( $("$COCCD" events list --data-dir "$DATA" --team demo | tail -n 1 | cut -f1) + 1 ))
A2="orgidentity=demo&usertype=agent&user=8002&pwdtype=plaintext&password=123456"
curl -s "$BASE/coccinterfaces?EVENT=LOGIN&$A2" > /dev/null
curl -s -d "EVENT=MAKECALL&targetdn=13800000002&targettype=exter&agentgroupid=1&$A2" "$BASE/coccinterfaces" > /dev/null
sleep 1.2
kill -9 "$pid"; wait "$pid" 2>/dev/null
start || exit 1
curl -s -d "EVENT=MAKECALL&targetdn=13800000002&targettype=exter&agentgroupid=1&$A2" "$BASE/coccinterfaces" > /dev/null
sleep 3   # the busy call ends and its events are logged
last=$("$COCCD" events list --data-dir "$DATA" --team demo | tail -n 1 | cut -f1)
received() { awk '!seen[$0]++' "$DATA/hook.log" | tr '\n' ' '; }
# Delivery retries with backoff after the refusals and the kill: wait for it (30 s at most).
# The team log's ids (an agent's own copies of events are not on it, so ids may skip).
logged() { "$COCCD" events list --data-dir "$DATA" --team demo --since "$((first - 1))" | cut -f1 | awk -v l="$last" '$1 <= l' | tr '\n' ' '; }
for _ in $(seq 1 60); do [ "$(received)" = "$(logged)" ] && break; sleep 0.5; done
step "backend received events $first..$last in order, none missing" test "$(received)" = "$(logged)"
kill "$hook_pid" 2>/dev/null

# A PHP backend (php -S, $_POST) gets userdata exactly as makeCall was sent it (manual 3.8 and 7).
BACKEND_PORT=$((PORT + 3))
COCCD_BACKEND_LOG="$DATA/backend.log" php -S "127.0.0.1:$BACKEND_PORT" Tests/clients/backend_receiver.php > /dev/null 2>&1 &
backend_pid=$!
"$COCCD" team update demo --data-dir "$DATA" --event-url "http://127.0.0.1:$BACKEND_PORT/events.php"
sleep 1.5
curl -s -d "EVENT=MAKECALL&targetdn=13800000002&targettype=exter&agentgroupid=1&modeltype=Campaign&model_id=10&$A2" \
    --data-urlencode "userdata=customer_id=109&pwd=asdfg" "$BASE/coccinterfaces" > /dev/null
for _ in $(seq 1 40); do grep -q '"source":"CONVERSATION"' "$DATA/backend.log" 2>/dev/null && break; sleep 0.5; done
step "PHP backend: every event of the call has \$_POST['userdata'] === 'customer_id=109&pwd=asdfg'" python3 -c '
import json, sys
posts = [json.loads(l) for l in open(sys.argv[1])]
assert len(posts) >= 4 and posts[-1]["source"] == "CONVERSATION", posts
assert all(p["userdata"] == "customer_id=109&pwd=asdfg" and p["model_id"] == "10" for p in posts), posts
assert [p["source"] + " " + p["event"] for p in posts][:2] == ["AGENT ringing", "AGENT answer"], posts
' "$DATA/backend.log"
kill "$backend_pid" 2>/dev/null
curl -s "$BASE/coccinterfaces?EVENT=LOGOUT&$A2" > /dev/null

# State on disk across a graceful shutdown.
curl -s -d "EVENT=QUEUEPAUSE&type=1&pause_reason=training&orgidentity=demo&usertype=agent&user=8300&pwdtype=plaintext&password=changed" "$BASE/coccinterfaces" > /dev/null
step "graceful shutdown on SIGTERM" stop
step "shutdown logged" grep -q "state is on disk" "$LOG"
start || exit 1
step "pause survives a restart" test "$(curl -s "$BASE/coccinterfaces?EVENT=AGENTSTATUS&orgidentity=demo&usertype=agent&user=8300&pwdtype=plaintext&password=changed")" = '|Retuen|1|Retuen|BackMsg_43|Retuen|1-pause,'
step "demo data kept (no --demo)" test "$(curl -s "$BASE/coccinterfaces?EVENT=LOGIN&orgidentity=demo&usertype=account&user=admin&pwdtype=plaintext&password=admin123")" = '|Retuen|1|Retuen|BackMsg_04|Retuen|'
stop > /dev/null

echo
echo "clients: $total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
