#!/usr/bin/env python3
"""One failover round for Benchmarks/cluster_benchmark.sh (not a test).

Sends SIGKILL to PID (the coccd node that owns the team), then asks another node, BASE, for
agent 8001's status with the form interface (GET /coccinterfaces?EVENT=AGENTSTATUS...) until the
answer is the success code (|Retuen|1|...): one request at a time, 50 ms after the previous one
ended. A request may be held by the node while the team has no live owner (coccd waits up to the
lease time + 5 s for the new owner before it answers BackMsg_85), so the moment the first success
arrives is when the team is served again, to within coccd's own 100 ms retry.

Usage: cluster_failover.py PID BASE TIMEOUT_SECONDS
Prints one JSON object: seconds (kill -9 to the first success, arrival of its reply), polls,
failed_polls, reply (the first success), groups (group id -> state from that reply), logged_in
(agent 8001's group 1 is not "logout"), wrong (the first few failed polls: time, what came back).
Exits 1 when no success came within TIMEOUT_SECONDS.
"""
import json, os, signal, sys, time, urllib.error, urllib.request

PID, BASE, TIMEOUT = int(sys.argv[1]), sys.argv[2].rstrip("/"), float(sys.argv[3])
URL = BASE + "/coccinterfaces?EVENT=AGENTSTATUS&orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=123456"
SUCCESS = "|Retuen|1|Retuen|BackMsg_43|Retuen|"

wrong, polls = [], 0
start = time.monotonic()
os.kill(PID, signal.SIGKILL)
reply, seconds = None, None
while time.monotonic() - start < TIMEOUT:
    polls += 1
    sent = time.monotonic() - start
    try:
        left = max(1.0, TIMEOUT - (time.monotonic() - start))
        with urllib.request.urlopen(URL, timeout=left) as r:
            text = r.read().decode("utf-8", "replace")
            status = r.status
    except urllib.error.HTTPError as e:
        text, status = e.read().decode("utf-8", "replace"), e.code
    except Exception as e:  # refused, reset, timed out
        text, status = repr(e), None
    now = time.monotonic() - start
    if status == 200 and text.startswith("|Retuen|1|"):
        reply, seconds = text.strip(), now
        break
    if len(wrong) < 6:
        wrong.append("sent %.2f s, answered %.2f s: %s %s" % (sent, now, status, text.strip()[:140]))
    time.sleep(0.05)

groups = {}
if reply and reply.startswith(SUCCESS):
    for part in reply[len(SUCCESS):].split(","):
        gid, _, state = part.partition("-")
        if gid:
            groups[gid] = state
print(json.dumps({
    "seconds": None if seconds is None else round(seconds, 3), "polls": polls, "failed_polls": polls - (1 if reply else 0),
    "reply": reply, "groups": groups, "logged_in": groups.get("1") not in (None, "logout"), "wrong": wrong,
}))
sys.exit(0 if reply and reply.startswith(SUCCESS) else 1)
