#!/usr/bin/env bash
# The real-client tests against coccd on PostgreSQL: a throwaway cluster (Tests/support/pg-cluster.sh,
# an unprivileged user, a temporary directory, a free loopback port), then
# - start-up failures: an unreachable server and a wrong password end coccd with exit status 69
#   and a clear message that never shows the password;
# - coccd --demo on the cluster: PHP SoapClient (the session operations and a call), the CLI's
#   provisioning reaching the running server (LISTEN/NOTIFY), importWS and the dialer;
# - the database dying and coming back mid-serve (postgres_outage_test.py);
# - `coccd store copy` of a SQLite installation into a new database, served from there;
# then stops the cluster. Without PostgreSQL installed it says "skipped" (CI installs it).
# Usage: Tests/clients/run_postgres.sh [path-to-coccd]     Ends with "N passed, M failed".
set -u
cd "$(dirname "$0")/../.."
COCCD=$(readlink -f "${1:-.build/debug/coccd}")
PORT=${COCCD_TEST_PORT:-4599}
PORT=$((PORT + 10))
BASE="http://127.0.0.1:$PORT"
export COCCD_IMPORT_ALLOWED_HOSTS=127.0.0.1

if ! command -v initdb > /dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1; then
    echo "PostgreSQL suite skipped: no PostgreSQL installed (apt-get install postgresql)"
    echo "0 passed, 0 failed"
    exit 0
fi

WORK=$(mktemp -d)
chmod 755 "$WORK"   # the cluster's directory below belongs to the postgres user when we are root
CLUSTER="$WORK/pg"
DATA="$WORK/data"
LOG="$DATA/coccd.log"   # where import_test.py reads it
mkdir -p "$DATA"
pid=

source Tests/clients/tally.sh

start() {  # data dir, then coccd's arguments
    local data=$1; shift
    "$COCCD" "$@" --data-dir "$data" --port "$PORT" >> "$LOG" 2>&1 &
    pid=$!
    for _ in $(seq 1 150); do
        curl -s -o /dev/null "$BASE/" && return 0
        kill -0 "$pid" 2> /dev/null || break
        sleep 0.1
    done
    echo "coccd did not start"; tail -n 20 "$LOG"; return 1
}

stop() {
    kill -TERM "$pid" 2> /dev/null
    for _ in $(seq 1 100); do kill -0 "$pid" 2> /dev/null || { wait "$pid"; local rc=$?; pid=; return $rc; }; sleep 0.1; done
    echo "coccd did not stop on SIGTERM"; kill -9 "$pid"; pid=; return 1
}

cleanup() {
    [ -n "$pid" ] && kill -9 "$pid" 2> /dev/null
    bash Tests/support/pg-cluster.sh stop "$CLUSTER" 2> /dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

URL=$(bash Tests/support/pg-cluster.sh start "$CLUSTER" 2> "$WORK/cluster.log") || { cat "$WORK/cluster.log"; echo "0 passed, 1 failed"; exit 1; }
PASSWORD=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.urlsplit(sys.argv[1]).password)' "$URL")
DBPORT=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.urlsplit(sys.argv[1]).port)' "$URL")
echo "PostgreSQL cluster on 127.0.0.1:$DBPORT"

# Start-up failures: exit status 69 (EX_UNAVAILABLE) within the connect timeout, the reason, no password.
expect_unavailable() {  # name expected-text secret command...
    local name=$1 text=$2 secret=$3 out rc
    shift 3
    out=$(timeout 30 "$@" 2>&1)
    rc=$?
    if [ "$rc" -eq 69 ] && printf '%s' "$out" | grep -qF -- "$text" && ! printf '%s' "$out" | grep -qF -- "$secret"; then
        total_passed=$((total_passed + 1)); echo "ok   $name"
    else
        total_failed=$((total_failed + 1)); printf 'FAIL %s (exit %s)\n%s\n' "$name" "$rc" "$out"
    fi
}
free=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
expect_unavailable "unreachable PostgreSQL: exit 69, says where" "127.0.0.1:$free" "n0t-shown-1" \
    "$COCCD" --data-dir "$WORK/refused" --port "$((PORT + 1))" --database-url "postgres://coccd:n0t-shown-1@127.0.0.1:$free/coccd?connect_timeout=3"
expect_unavailable "wrong password: exit 69, says why" "password authentication failed" "n0t-shown-2" \
    "$COCCD" --data-dir "$WORK/refused" --port "$((PORT + 1))" --database-url "postgres://coccd:n0t-shown-2@127.0.0.1:$DBPORT/coccd"
expect_unavailable "a CLI command on an unreachable PostgreSQL: exit 69" "127.0.0.1:$free" "n0t-shown-3" \
    "$COCCD" team list --data-dir "$WORK/refused" --database-url "postgres://coccd:n0t-shown-3@127.0.0.1:$free/coccd?connect_timeout=3"

# The environment carries the URL from here on, for coccd and for every CLI command the runners call.
export COCCD_DATABASE_URL=$URL
start "$DATA" --demo || exit 1
names_store() { grep -qF "store=\"postgresql 127.0.0.1:$DBPORT/coccd\"" "$LOG" && ! grep -qF -- "$PASSWORD" "$LOG"; }
step "the log names the store without its password" names_store
step "/health: store ok" test "$(curl -s "$BASE/health")" = '{"status":"ok","switch":"connected","store":"ok"}'
tally "php SoapClient on PostgreSQL" < <(php Tests/clients/soap_client_test.php "$BASE" 2>&1)

# CLI provisioning into PostgreSQL reaches the running server (LISTEN/NOTIFY).
"$COCCD" agent add --data-dir "$DATA" --team demo 8300 --password s3cret --name "New Agent" > /dev/null
"$COCCD" member add --data-dir "$DATA" --team demo --group 1 --agent 8300 > /dev/null
login=
for _ in $(seq 1 30); do
    login=$(curl -s "$BASE/coccinterfaces?EVENT=LOGIN&orgidentity=demo&usertype=agent&user=8300&pwdtype=plaintext&password=s3cret")
    case $login in '|Retuen|1|'*) break ;; esac
    sleep 0.1
done
step "CLI-added agent logs in within 3 s" test "${login:0:10}" = '|Retuen|1|'
tally "importWS and dialer on PostgreSQL" < <(python3 Tests/clients/import_test.py "$BASE" "$COCCD" "$DATA" 2>&1)
tally "PostgreSQL outage" < <(python3 Tests/clients/postgres_outage_test.py "$BASE" "$COCCD" "$CLUSTER" "$LOG" 2>&1)
step "coccd stops cleanly on SIGTERM" stop
no_password() { ! grep -qF -- "$PASSWORD" "$LOG"; }
step "the log never shows the database password" no_password

# Moving an installation: a SQLite data directory with a call in its log, copied into a new
# database, then served from PostgreSQL with the same data directory.
unset COCCD_DATABASE_URL
SQLDATA="$WORK/sqlite-data"
A8002="orgidentity=demo&usertype=agent&user=8002&pwdtype=plaintext&password=123456"
start "$SQLDATA" --demo || exit 1
curl -s "$BASE/coccinterfaces?EVENT=LOGIN&$A8002" > /dev/null
step "a call on SQLite" test "$(curl -s -d "EVENT=MAKECALL&targetdn=13800000004&targettype=exter&agentgroupid=1&$A8002" "$BASE/coccinterfaces")" \
    = '|Retuen|1|Retuen|BackMsg_19'
sleep 9   # answered after 2 s, hung up 5 s later
stop
sqlite_events=$("$COCCD" events list --data-dir "$SQLDATA" --team demo --limit 100000)
COPY_URL="${URL%/coccd}/copied"
psql "$URL" -X -q -c "CREATE DATABASE copied" > /dev/null
copied=$(COCCD_DATABASE_URL=$COPY_URL "$COCCD" store copy --from "$SQLDATA" 2> "$WORK/copy.log")
step "store copy into PostgreSQL" grep -qE '^call_events +[0-9]+ +[0-9]+' <<< "$copied"
step "store copy refuses a non-empty target" bash -c '! COCCD_DATABASE_URL="$1" "$2" store copy --from "$3" > /dev/null 2>&1' _ "$COPY_URL" "$COCCD" "$SQLDATA"
step "store copy never shows the password" bash -c '! grep -qF -- "$1" "$2" && ! grep -qF -- "$1" <<< "$3"' _ "$PASSWORD" "$WORK/copy.log" "$copied"
start "$SQLDATA" --database-url "$COPY_URL" || exit 1
step "the copied agent logs in on PostgreSQL" test "$(curl -s "$BASE/coccinterfaces?EVENT=LOGIN&$A8002" | cut -c1-10)" = '|Retuen|1|'
step "the copied event log, ids and all" test "$("$COCCD" events list --data-dir "$SQLDATA" --database-url "$COPY_URL" --team demo --limit 100000 | head -n "$(wc -l <<< "$sqlite_events")")" = "$sqlite_events"
stop

echo
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
