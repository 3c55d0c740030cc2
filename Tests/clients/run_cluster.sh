#!/usr/bin/env bash
# Several coccd nodes on one PostgreSQL (README: "Several nodes"): a throwaway cluster
# (Tests/support/pg-cluster.sh), three nodes on loopback started by cluster_test.py, which also
# kills one (kill -9) in mid-call, restarts it and stops another gracefully.
#
#   Tests/clients/run_cluster.sh [path/to/coccd]      COCCD_TEST_PORT picks the ports (default 4599+30..)
#
# Needs PostgreSQL (initdb, psql) and php-cli with php-soap; ends with "N passed, M failed".
set -u
cd "$(dirname "$0")/../.."
COCCD=$(readlink -f "${1:-.build/debug/coccd}")
PORT=${COCCD_TEST_PORT:-4599}
PORT=$((PORT + 30))

if ! command -v initdb > /dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1; then
    echo "cluster suite skipped: no PostgreSQL installed (apt-get install postgresql)"
    echo "0 passed, 0 failed"
    exit 0
fi

WORK=$(mktemp -d)
chmod 755 "$WORK"
CLUSTER="$WORK/pg"
source Tests/clients/tally.sh

URL=$(bash Tests/support/pg-cluster.sh start "$CLUSTER" 2> "$WORK/cluster.log") || { cat "$WORK/cluster.log"; echo "0 passed, 1 failed"; exit 1; }
export COCCD_DATABASE_URL=$URL
tally "three nodes" < <(cd Tests/clients && python3 cluster_test.py "$COCCD" "$WORK" "$PORT" 2>&1)
bash Tests/support/pg-cluster.sh stop "$CLUSTER" 2>> "$WORK/cluster.log" || true
if [ "$total_failed" -gt 0 ]; then
    for log in "$WORK"/node*.log; do echo "--- $log (last lines)"; tail -n 30 "$log"; done
fi
rm -rf "$WORK"
echo
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
