#!/usr/bin/env bash
# Starts an already-installed Asterisk with coccd's test configuration (Tests/asterisk/etc)
# in a run directory of its own, on loopback, and waits until ARI answers.
#
#   Tests/asterisk/start.sh [PREFIX] RUN_DIR ARI_PORT
#
# PREFIX  the Asterisk install prefix (PREFIX/sbin/asterisk). Default: $COCCD_TEST_ASTERISK_PREFIX,
#         else the prefix of the `asterisk` on PATH (…/sbin/asterisk -> …).
# RUN_DIR where this instance keeps its config (RUN_DIR/etc), run files, logs, spool
#         (recordings: RUN_DIR/spool/recording, MixMonitor: RUN_DIR/spool/monitor) and astdb.
#         Created if missing; reusing it (a restart) keeps the spool.
# ARI_PORT the loopback HTTP/ARI port. ARI user coccd, password coccd-test-secret, app coccd.
#
# Optional: COCCD_TEST_ASTERISK_AMI_PORT=<port> also enables AMI on loopback (user coccd,
# secret coccd-test-secret). COCCD_TEST_ASTERISK_MODULES overrides the modules directory.
#
# Prints the pid of Asterisk on stdout (nothing else); messages go to stderr.
# Exit codes: 0 ready, 2 usage, 3 no Asterisk installed, 1 it did not come up.
# Stop it with Tests/asterisk/stop.sh RUN_DIR.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
say() { echo "start.sh: $*" >&2; }
usage() { echo "usage: $0 [PREFIX] RUN_DIR ARI_PORT" >&2; exit 2; }

case $# in
  2) prefix=${COCCD_TEST_ASTERISK_PREFIX:-}; run_dir=$1; port=$2 ;;
  3) prefix=$1; run_dir=$2; port=$3 ;;
  *) usage ;;
esac
[[ $port =~ ^[0-9]+$ ]] && (( port > 0 && port < 65536 )) || { say "ARI_PORT must be a port number, got '$port'"; usage; }

if [[ -z $prefix ]]; then
  if bin=$(command -v asterisk 2>/dev/null); then
    bin=$(readlink -f "$bin")
    prefix=$(dirname "$(dirname "$bin")")
  else
    say "no Asterisk installed: give PREFIX, set COCCD_TEST_ASTERISK_PREFIX, or put asterisk on PATH"
    exit 3
  fi
fi
[[ -d $prefix ]] || { say "no Asterisk installed: prefix '$prefix' does not exist"; exit 3; }
prefix=$(cd "$prefix" && pwd)
asterisk=""
for b in "$prefix/sbin/asterisk" "$prefix/bin/asterisk"; do
  [[ -x $b ]] && { asterisk=$b; break; }
done
[[ -n $asterisk ]] || { say "no Asterisk installed: no executable $prefix/sbin/asterisk"; exit 3; }

modules=${COCCD_TEST_ASTERISK_MODULES:-}
if [[ -z $modules ]]; then
  for d in "$prefix/lib/asterisk/modules" "$prefix/lib64/asterisk/modules" "$prefix"/lib/*/asterisk/modules; do
    [[ -f $d/res_ari.so ]] && { modules=$d; break; }
  done
fi
[[ -n $modules && -f $modules/res_ari.so ]] || { say "no Asterisk installed with ARI: no res_ari.so under $prefix/lib*/ (set COCCD_TEST_ASTERISK_MODULES)"; exit 3; }
# read-only data (XML docs, ARI api-docs); tones and MOH live in RUN_DIR
astdata=""
for d in "$prefix/var/lib/asterisk" "$prefix/share/asterisk" /var/lib/asterisk /usr/share/asterisk; do
  [[ -d $d/rest-api || -d $d/documentation ]] && { astdata=$d; break; }
done
[[ -n $astdata ]] || astdata="$prefix/var/lib/asterisk"

command -v python3 >/dev/null || { say "python3 is needed (to fill the config and write the tone files)"; exit 1; }
command -v curl >/dev/null || { say "curl is needed (to wait for ARI)"; exit 1; }

mkdir -p "$run_dir"
run_dir=$(cd "$run_dir" && pwd)

# refuse to start a second instance on the same run dir
if [[ -f $run_dir/asterisk.pid ]]; then
  old=$(cat "$run_dir/asterisk.pid")
  if [[ -n $old ]] && kill -0 "$old" 2>/dev/null && tr '\0' ' ' <"/proc/$old/cmdline" 2>/dev/null | grep -q -- "$run_dir/etc/asterisk.conf"; then
    say "an Asterisk (pid $old) already runs from $run_dir; stop it with stop.sh"
    exit 1
  fi
fi

ami_port=${COCCD_TEST_ASTERISK_AMI_PORT:-}
ports=("$port"); [[ -n $ami_port ]] && ports+=("$ami_port")
for p in "${ports[@]}"; do
  if python3 -c 'import socket,sys; s=socket.socket(); s.settimeout(0.5); sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)' "$p"; then
    say "port $p on 127.0.0.1 is already in use"
    exit 1
  fi
done

mkdir -p "$run_dir"/{etc,run,log,lib/agi-bin,lib/keys,cache,spool/recording,spool/monitor,spool/tmp,sounds,moh/default}

# fill the placeholders and write the tone files (8 kHz, 16-bit mono PCM sine, 0.25 of full scale)
python3 - "$here/etc" "$run_dir" "$prefix" "$modules" "$astdata" "$port" "$ami_port" <<'PY'
import array, math, os, sys, wave
src, run, prefix, modules, astdata, port, ami = sys.argv[1:8]
subst = {
    "@PREFIX@": prefix, "@DATA@": run, "@MODULES@": modules, "@ASTDATA@": astdata,
    "@ARI_PORT@": port, "@AMI_PORT@": ami or "5038", "@AMI_ENABLED@": "yes" if ami else "no",
}
for name in sorted(os.listdir(src)):
    if not name.endswith(".conf"):
        continue
    text = open(os.path.join(src, name)).read()
    for k, v in subst.items():
        text = text.replace(k, v)
    open(os.path.join(run, "etc", name), "w").write(text)

def tone(path, hz, seconds):
    if os.path.exists(path):
        return
    rate, amp = 8000, 0.25 * 32767
    n = int(rate * seconds)
    w2 = 2 * math.pi * hz / rate
    samples = array.array("h", [int(round(amp * math.sin(w2 * i))) for i in range(n)])
    if sys.byteorder == "big":
        samples.byteswap()
    frames = samples.tobytes()
    tmp = path + ".tmp"
    with wave.open(tmp, "wb") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate); w.writeframes(frames)
    os.replace(tmp, path)

sounds = os.path.join(run, "sounds")
# parties: agents 8001..8010, other extensions, external numbers, inbound customers
for hz in (1100, 1700, 2900, 1300, 1900, 2100, 2500, 2300, 3100, 3300, 1500, 800, 900):
    tone(os.path.join(sounds, f"tone-{hz}.wav"), hz, 60)
tone(os.path.join(sounds, "tone-500-1s.wav"), 500, 1)   # the IVR's beep
tone(os.path.join(run, "moh", "default", "tone600.wav"), 600, 5)  # music on hold
PY

conf="$run_dir/etc/asterisk.conf"
# -f: no fork (so $! is Asterisk), no console (no -c); setsid: out of the caller's job control
setsid "$asterisk" -C "$conf" -f -n </dev/null >>"$run_dir/log/stdout.log" 2>&1 &
pid=$!
echo "$pid" >"$run_dir/asterisk.pid"

auth="coccd:coccd-test-secret"
deadline=$((SECONDS + 30))
while :; do
  if ! kill -0 "$pid" 2>/dev/null; then
    say "Asterisk (pid $pid) exited during start-up; last log lines:"
    tail -n 20 "$run_dir/log/stdout.log" "$run_dir/log/full" 2>/dev/null >&2 || true
    rm -f "$run_dir/asterisk.pid"
    exit 1
  fi
  code=$(curl -s -o /dev/null -w '%{http_code}' -m 2 -u "$auth" "http://127.0.0.1:$port/ari/asterisk/ping" || true)
  [[ $code == 200 ]] && break
  if (( SECONDS >= deadline )); then
    say "ARI on 127.0.0.1:$port did not answer within 30 s (last HTTP status '$code'); stopping pid $pid"
    tail -n 20 "$run_dir/log/full" 2>/dev/null >&2 || true
    "$here/stop.sh" "$run_dir" >&2 || true
    exit 1
  fi
  sleep 0.2
done
# Asterisk's own pid file (astrundir) is the authority, should setsid have forked
if [[ -s $run_dir/run/asterisk.pid ]] && own=$(cat "$run_dir/run/asterisk.pid") && [[ $own != "$pid" ]] && kill -0 "$own" 2>/dev/null; then
  pid=$own
  echo "$pid" >"$run_dir/asterisk.pid"
fi
say "Asterisk $("$asterisk" -V 2>/dev/null | sed 's/^Asterisk //') ready: pid $pid, ARI http://127.0.0.1:$port (coccd/coccd-test-secret), run dir $run_dir"
echo "$pid"
