#!/usr/bin/env python3
"""coccd on PostgreSQL when the database goes away and comes back (run_postgres.sh starts both):
- a call with its events over the deployed long-poll protocol (agentpull, Etag cursor);
- the database dies (an immediate stop): an operation that writes answers a BackMsg failure
  within the store write timeout, GET /health answers 503 with the store "unavailable", and the
  log says why, without the database password;
- the database comes back: coccd recovers by itself (/health 200, operations answer), and every
  event a page had received, and every event of the outage, is in the log once, in order:
  nothing acknowledged is lost and nothing is repeated.

Usage: postgres_outage_test.py BASE COCCD CLUSTER_DIR LOG      Ends with "N passed, M failed".
"""
import json, os, subprocess, sys, time, urllib.error, urllib.parse, urllib.request
from longpoll import Poller
from tally import check, finish

BASE, COCCD, CLUSTER, LOG = sys.argv[1:5]
CLUSTER_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support", "pg-cluster.sh")
AGENT = {"orgidentity": "demo", "usertype": "agent", "user": "8001", "pwdtype": "plaintext", "password": "123456"}
PASSWORD = urllib.parse.urlsplit(open(os.path.join(CLUSTER, "url")).read().strip()).password


def form(event, timeout=30, **params):
    data = urllib.parse.urlencode({"EVENT": event, **AGENT, **params}).encode()
    return urllib.request.urlopen(urllib.request.Request(BASE + "/coccinterfaces", data=data), timeout=timeout).read().decode()


def health():
    try:
        with urllib.request.urlopen(BASE + "/health", timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def event_ids(lines):
    ids = []
    for line in lines:
        fields = urllib.parse.parse_qs(line, keep_blank_values=True)
        if "eventid" in fields:
            ids.append(int(fields["eventid"][0]))
    return ids


def stored_event_ids():
    out = subprocess.run([COCCD, "events", "list", "--team", "demo", "--limit", "100000"], capture_output=True, text=True, env=os.environ)
    return out.returncode, [int(line.split("\t", 1)[0]) for line in out.stdout.splitlines() if line], out


def cluster(action):
    subprocess.run(["bash", CLUSTER_SCRIPT, action, CLUSTER], check=True, capture_output=True)


def main():
    check("login", form("LOGIN").startswith("|Retuen|1|Retuen|BackMsg_04"))
    poller = Poller(BASE + "/agentindesks/agentpull/demo-8001-123456")
    poller.start()
    time.sleep(0.5)
    check("makeCall", form("MAKECALL", targetdn="13800000004", targettype="exter", agentgroupid="1") == "|Retuen|1|Retuen|BackMsg_19")
    # 13800000004 answers after 2 s and hangs up 5 s later.
    check("the call's events arrive over long-poll, to its hangup", poller.wait_for("event=hangup", 20), poller.lines[-5:])
    time.sleep(1)
    before = list(poller.lines)

    cluster("pause")
    started = time.time()
    reply = form("QUEUEPAUSE", type="1", pause_reason="rest")
    elapsed = time.time() - started
    check("a write while the database is down answers BackMsg_85", reply == "|Retuen|2|Retuen|BackMsg_85", reply)
    check("within the store write timeout (5 s) and a margin", elapsed < 8, "%.1f s" % elapsed)
    status, body = health()
    check("/health answers 503, store unavailable", status == 503 and body.get("store") == "unavailable", (status, body))
    check("/health says why, without the password", bool(body.get("store_error")) and PASSWORD not in json.dumps(body), body)
    check("the read path still answers (agentStatus from memory)", form("AGENTSTATUS").startswith("|Retuen|1|"))
    # The engine keeps what it did; the store takes it when it is back. A call placed now rings,
    # and its events reach the page once they are in the log.
    check("an unpause during the outage: BackMsg_85 too", form("QUEUEPAUSE", type="2") == "|Retuen|2|Retuen|BackMsg_85")
    check("a call during the outage: BackMsg_85, and the call goes on",
          form("MAKECALL", targetdn="13800000004", targettype="exter", agentgroupid="1") == "|Retuen|2|Retuen|BackMsg_85")
    hangups_before = sum("event=hangup" in line for line in poller.lines)
    lines_before = len(poller.lines)
    time.sleep(3)
    check("no event of the outage reaches a page before it is stored", len(poller.lines) == lines_before, poller.lines[lines_before:])

    cluster("resume")
    deadline, recovered = time.time() + 30, None
    while time.time() < deadline:
        status, body = health()
        if status == 200 and body.get("store") == "ok":
            recovered = time.time() - started
            break
        time.sleep(0.25)
    check("coccd recovers by itself when the database is back", recovered is not None, body)
    check("operations answer again", form("QUEUEPAUSE", type="1", pause_reason="rest") == "|Retuen|1|Retuen|BackMsg_14")
    check("and again", form("QUEUEPAUSE", type="2").startswith("|Retuen|1|"))
    deadline = time.time() + 20
    while time.time() < deadline and sum("event=hangup" in line for line in poller.lines) < 2 * hangups_before:
        time.sleep(0.2)
    check("the outage's call reaches the page, to its hangup", sum("event=hangup" in line for line in poller.lines) == 2 * hangups_before,
          poller.lines[-6:])
    time.sleep(1)
    poller.stop = True

    with open(LOG, encoding="utf-8", errors="replace") as f:
        log = f.read()
    check("the log says the store failed and recovered", "store write failed" in log and "store writes recovered" in log,
          log[-2000:])
    check("the log never shows the database password", PASSWORD not in log)

    received = event_ids(poller.lines)
    check("the page saw each event once, in order", received == sorted(set(received)), received)
    code, stored, out = stored_event_ids()
    check("coccd events list reads the PostgreSQL log", code == 0 and stored, out.stderr[-500:])
    check("every event the page received before the outage is stored", set(event_ids(before)) <= set(stored), (event_ids(before), stored))
    check("every event the page received is stored", set(received) <= set(stored), (received, stored))
    finish()


main()
