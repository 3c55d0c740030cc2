#!/usr/bin/env bash
# importWS benchmark (not a test): a release coccd imports a 100,000-row CSV over HTTP from a
# local server into a campaign's package and pre-dial list. Reports the task's duration, rows
# per second, and coccd's peak RSS. Then, in the same run, the peer: the same file imported the
# way the PHP stack does it (Benchmarks/php-peer/import.php: fgetcsv over HTTP, PDO SQLite, the
# same tables, lookups and batches); needs php-cli and php8.2-sqlite3 (installed when missing).
#   Benchmarks/import_benchmark.sh [rows=100000]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-100000}
missing=()
for p in php-cli php8.2-sqlite3 time; do dpkg -s "$p" > /dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" > /dev/null; fi
PORT=${BENCH_PORT:-4691}
FILES_PORT=$((PORT + 1))
swift build -c release --product coccd 2>&1 | tail -n 1
COCCD="$(swift build -c release --show-bin-path)/coccd"
DATA=$(mktemp -d)
trap 'kill ${pid:-} ${web:-} 2>/dev/null; rm -rf "$DATA"' EXIT

python3 - "$ROWS" "$DATA/customers.csv" <<'PY'
import sys
rows, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w", encoding="utf-8", newline="") as f:
    f.write("姓名,电话号码一,公司,邮箱,备注\r\n")
    for i in range(rows):
        f.write('客户%d,139%08d,"Company %d, Ltd",c%d@example.com,note %d\r\n' % (i, i, i % 997, i, i))
PY
echo "file: $ROWS rows, $(du -h "$DATA/customers.csv" | cut -f1)"
(cd "$DATA" && exec python3 -m http.server "$FILES_PORT" --bind 127.0.0.1 > /dev/null 2>&1) &
web=$!
COCCD_IMPORT_ALLOWED_HOSTS=127.0.0.1 "$COCCD" serve --demo --data-dir "$DATA/data" --port "$PORT" --log-level info > "$DATA/coccd.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
"$COCCD" package add --data-dir "$DATA/data" --team demo --name Bench > /dev/null
"$COCCD" campaign add --data-dir "$DATA/data" --team demo --name Bench --group 1 --package Bench > /dev/null
A="orgidentity=demo&usertype=account&user=admin&pwdtype=plaintext&password=admin123"
echo "coccd RSS before: $(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' /proc/$pid/status)"
start=$(date +%s.%N)
reply=$(curl -s "http://127.0.0.1:$PORT/coccinterfaces" -d "EVENT=Import&$A&modeltype=Campaign&model_id=Bench&source=http&context=http://127.0.0.1:$FILES_PORT/customers.csv&source_user=&source_pwd=&exetime=&delrow=1&phone_field=phone1&priority_field=&dialtime_field=&emptyagent=no&resetstatus=no&dupway=skip&dupdiallist=ignoreDuplicate&changepackage=skip")
task=${reply##*|}
while :; do
    status=$(curl -s "http://127.0.0.1:$PORT/coccinterface/importtask?$A&taskid=$task")
    case "$status" in *'"state":"done"'*|*'"state":"failed"'*) break ;; esac
    sleep 0.05
done
end=$(date +%s.%N)
echo "$status" | python3 -c '
import json, sys
t = json.load(sys.stdin)
print("task: state=%s rows=%d imported=%d predialed=%d rejected=%d error=%r" % (t["state"], t["rowsRead"], t["imported"], t["predialed"], t["rejected"], t["error"]))'
python3 -c "s=$end-$start; print('request to done: %.2f s, %.0f rows/s' % (s, $ROWS/s))"
echo "coccd RSS after: $(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' /proc/$pid/status), peak $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$pid/status)"
coccd_seconds=$(python3 -c "print($end-$start)")
grep "import task ended" "$DATA/coccd.log" | grep -o 'fetch_ms=[0-9]* import_ms=[0-9]*' | sed 's/^/coccd task: /' || true

echo "== peer: PHP (fgetcsv + PDO SQLite)"
peer=$(/usr/bin/time -f "peak RSS %M KB" php Benchmarks/php-peer/import.php "http://127.0.0.1:$FILES_PORT/customers.csv" "$DATA/peer.sqlite" 2>&1)
echo "$peer"
python3 - "$coccd_seconds" "$peer" <<'PY'
import re, sys
coccd, peer = float(sys.argv[1]), sys.argv[2]
php = float(re.search(r" in ([0-9.]+) s", peer).group(1))
print("ratio: coccd imports %.2fx as fast as the PHP peer (%.2f s against %.2f s; coccd's time includes the fetch, its check pass and the task poll)" % (php / coccd, coccd, php))
PY
