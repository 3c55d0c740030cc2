#!/usr/bin/env bash
# Stops the test Asterisk that Tests/asterisk/start.sh started from RUN_DIR:
# SIGTERM, wait, SIGKILL after 25 s (a SIGTERM can take ~19 s while an ARI WebSocket or an
# AMI session is connected). Exits 0 when it is gone (or was not running).
#
#   Tests/asterisk/stop.sh RUN_DIR
set -uo pipefail
say() { echo "stop.sh: $*" >&2; }
[[ $# == 1 ]] || { echo "usage: $0 RUN_DIR" >&2; exit 2; }
run_dir=$(cd "$1" 2>/dev/null && pwd) || { say "no run dir $1"; exit 0; }

pid=""
for f in "$run_dir/asterisk.pid" "$run_dir/run/asterisk.pid"; do
  [[ -s $f ]] && { pid=$(cat "$f"); break; }
done
[[ -n $pid ]] || { say "no pid file in $run_dir: not running"; exit 0; }

ours() { kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$run_dir/etc/asterisk.conf"; }
if ! ours; then
  say "pid $pid is not running (or not this run dir's Asterisk)"
  rm -f "$run_dir/asterisk.pid"
  exit 0
fi

kill -TERM "$pid" 2>/dev/null
start=$SECONDS
while ours && (( SECONDS - start < 25 )); do sleep 0.2; done
if ours; then
  say "pid $pid still running after 25 s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null
  while ours; do sleep 0.1; done
fi
rm -f "$run_dir/asterisk.pid"
say "stopped pid $pid after $((SECONDS - start)) s"
