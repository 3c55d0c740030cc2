#!/usr/bin/env python3
"""Three coccd nodes on one PostgreSQL (run_cluster.sh starts the database):
- 30 teams spread across the nodes by their leases, each team owned by exactly one node;
- PHP SoapClient sessions on every team through nodes that do not own it (cluster_soap_test.php);
- a call's events received on another node's long-poll, and every team's webhook POSTed once;
- kill -9 of a node in mid-call: its teams are served again within 15 s with their agent
  sessions intact, the call ended with its hangup events, no event lost or repeated for the
  long-poll page or the webhook receiver, and the webhooks resumed from their cursor;
- the killed node restarted under its name: it serves again, and no team has two owners;
- a graceful stop gives the leases up at once (the teams are served again within 3 s);
- `coccd nodes` lists the nodes and their teams.

Usage: cluster_test.py COCCD WORKDIR BASEPORT        (COCCD_DATABASE_URL in the environment)
Ends with "N passed, M failed".
"""
import json, os, signal, subprocess, sys, threading, time, urllib.error, urllib.parse, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from longpoll import Poller
from tally import check, finish

COCCD, WORK, PORT = sys.argv[1], sys.argv[2], int(sys.argv[3])
HERE = os.path.dirname(os.path.abspath(__file__))
DATABASE = os.environ["COCCD_DATABASE_URL"]
NODES = ["node1", "node2", "node3"]
URLS = {n: "http://127.0.0.1:%d" % (PORT + i + 1) for i, n in enumerate(NODES)}
HOOK_PORT = PORT + 10
TEAMS = ["t%02d" % i for i in range(1, 31)]
procs = {}


def psql(sql):
    return subprocess.run(["psql", DATABASE, "-XAtqc", sql], capture_output=True, text=True, check=True).stdout.strip()


def start(node):
    log = open(os.path.join(WORK, node + ".log"), "a")
    data = os.path.join(WORK, node)
    os.makedirs(data, exist_ok=True)
    env = dict(os.environ, COCCD_IMPORT_ALLOWED_HOSTS="127.0.0.1")
    procs[node] = subprocess.Popen(
        [COCCD, "serve", "--simulate", "--data-dir", data, "--port", URLS[node].rsplit(":", 1)[1], "--node-id", node],
        stdout=log, stderr=subprocess.STDOUT, env=env)


def ready(node, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(URLS[node] + "/health/ready", timeout=2) as r:
                if r.status == 200:
                    return True
        except Exception:
            pass
        time.sleep(0.2)
    return False


def form(node, event, team, timeout=30, **params):
    query = {"EVENT": event, "orgidentity": team, "usertype": "agent", "user": "8001", "pwdtype": "plaintext", "password": "123456"}
    data = urllib.parse.urlencode({**query, **params}).encode()
    req = urllib.request.Request(URLS[node] + "/coccinterfaces", data=data)
    return urllib.request.urlopen(req, timeout=timeout).read().decode()


SECRET = None


def status(node):
    req = urllib.request.Request(URLS[node] + "/cluster/v1/status", headers={"X-Coccd-Cluster-Key": SECRET})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read())


def owners():
    """team id -> owning node, from the store (live leases only)."""
    rows = psql("SELECT team_id, node_id FROM team_leases WHERE expires_at > now()")
    return {int(t): n for t, n in (line.split("|") for line in rows.splitlines() if line)}


TEAM_IDS = {}


def owner_of(team):
    return owners().get(TEAM_IDS[team])


class Hooks(BaseHTTPRequestHandler):
    """Every team's webhook: records (team, event id) of each accepted POST."""
    seen = []
    lock = threading.Lock()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with Hooks.lock:
            Hooks.seen.append((self.path.strip("/"), int(self.headers.get("X-Cocc-Event-Id", "0"))))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        """Serves the import test's CSV file."""
        body = ("姓名,电话号码一\r\n" + "".join("c%d,1370000%04d\r\n" % (i, i) for i in range(200))).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    global SECRET
    # 30 teams, each with a webhook to the receiver below.
    directory = {"teams": [{
        "identity": t, "name": "Team " + t, "extensions": ["8001", "8002"],
        "agents": [{"number": "8001", "password": "123456", "extension": "8001"},
                   {"number": "8002", "password": "123456", "extension": "8002"}],
        "accounts": [{"username": "admin", "password": "admin123"}],
        "groups": [{"name": "Sales", "queueNumber": "6001", "members": [
            {"agent": "8001", "kind": "static", "admin": True}, {"agent": "8002", "kind": "static"}]}]} for t in TEAMS]}
    path = os.path.join(WORK, "directory.json")
    json.dump(directory, open(path, "w"))
    subprocess.run([COCCD, "directory", "load", "--data-dir", os.path.join(WORK, "cli"), path], check=True)
    for t in TEAMS:
        subprocess.run([COCCD, "team", "update", "--data-dir", os.path.join(WORK, "cli"), t, "--event-url",
                        "http://127.0.0.1:%d/%s" % (HOOK_PORT, t)], check=True, capture_output=True)
    TEAM_IDS.update({i: int(x) for i, x in (l.split("|") for l in psql("SELECT identity, id FROM teams").splitlines())})
    threading.Thread(target=ThreadingHTTPServer(("127.0.0.1", HOOK_PORT), Hooks).serve_forever, daemon=True).start()

    # A single node (no --node-id) and cluster nodes never share a database: both would run every team.
    single = subprocess.Popen([COCCD, "serve", "--data-dir", os.path.join(WORK, "single"), "--port", str(PORT + 9)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/health/live" % (PORT + 9), timeout=2)
            break
        except Exception:
            time.sleep(0.2)
    refused = subprocess.run([COCCD, "serve", "--data-dir", os.path.join(WORK, "node1"), "--port", str(PORT + 8), "--node-id", "node1"],
                             capture_output=True, text=True, timeout=60)
    check("a cluster node refuses a database a single node runs on (exit 69, says why)",
          refused.returncode == 69 and "as a single node" in refused.stderr + refused.stdout, refused.stderr[-400:])
    single.send_signal(signal.SIGTERM)
    single.wait(timeout=30)

    for n in NODES:
        start(n)
    check("three nodes ready", all(ready(n) for n in NODES))
    lone = subprocess.run([COCCD, "serve", "--data-dir", os.path.join(WORK, "single"), "--port", str(PORT + 9)],
                          capture_output=True, text=True, timeout=60)
    check("a single node refuses a database cluster nodes run on (exit 69)",
          lone.returncode == 69 and "cluster nodes are running" in lone.stderr + lone.stdout, lone.stderr[-400:])
    SECRET = psql("SELECT value FROM cluster_settings WHERE name = 'forward_secret'")
    deadline = time.time() + 10
    while time.time() < deadline and not all(len(status(n)["nodes"]) == 3 for n in NODES):
        time.sleep(0.2)
    check("every node knows the three live nodes", all(len(status(n)["nodes"]) == 3 for n in NODES))
    check("/health/live answers", urllib.request.urlopen(URLS["node1"] + "/health/live").read() == b'{"status":"live"}')

    # First use through rotating nodes: each team goes to its node, whichever node was asked.
    for i, t in enumerate(TEAMS):
        reply = form(NODES[i % 3], "AGENTSTATUS", t)
        if not reply.startswith("|Retuen|1|Retuen|BackMsg_43"):
            check("agentStatus of %s" % t, False, reply)
    owned = owners()
    counts = {n: sum(1 for v in owned.values() if v == n) for n in NODES}
    check("every team has an owner", len(owned) == 30, owned)
    check("the teams are spread across the three nodes (at least 5 each)", all(c >= 5 for c in counts.values()), counts)
    held = {n: {e["team_id"] for e in status(n)["teams"]} for n in NODES}
    check("each node holds exactly the leases the store gives it",
          all(held[n] == {t for t, o in owned.items() if o == n} for n in NODES), (held, owned))
    check("no team is held by two nodes", sum(len(h) for h in held.values()) == len(set().union(*held.values())))
    nodes_out = subprocess.run([COCCD, "nodes", "--data-dir", os.path.join(WORK, "cli")], capture_output=True, text=True).stdout
    check("coccd nodes lists three alive nodes with their teams",
          all(("%s " % n) in nodes_out for n in NODES) and nodes_out.count(" alive ") == 3 and "t01(" in nodes_out, nodes_out)

    # PHP SoapClient: every team, through nodes that do not own it.
    plan = []
    for t in TEAMS:
        owner = owner_of(t)
        others = [n for n in NODES if n != owner]
        plan.append({"team": t, "via": URLS[others[0]], "then": URLS[others[1]], "owner_url": URLS[owner]})
    json.dump(plan, open(os.path.join(WORK, "plan.json"), "w"))
    php = subprocess.run(["php", os.path.join(HERE, "cluster_soap_test.php"), os.path.join(WORK, "plan.json")],
                         capture_output=True, text=True)
    last = [line for line in php.stdout.splitlines() if line.endswith(" failed")]
    check("php SoapClient sessions on all 30 teams through non-owners", php.returncode == 0 and last and last[-1] == "%d passed, 0 failed" % (5 * len(plan)),
          "\n".join(l for l in php.stdout.splitlines() if not l.startswith("ok ")) + php.stderr)

    # importWS through a node that does not own the team: the owner runs the task, any node
    # reports it, every row lands once.
    t = TEAMS[1]
    owner = owner_of(t)
    other = next(n for n in NODES if n != owner)
    subprocess.run([COCCD, "package", "add", "--data-dir", os.path.join(WORK, "cli"), "--team", t, "--name", "P"], check=True,
                   capture_output=True)
    subprocess.run([COCCD, "campaign", "add", "--data-dir", os.path.join(WORK, "cli"), "--team", t, "--name", "C", "--group",
                    psql("SELECT id FROM agent_groups WHERE team_id = %d" % TEAM_IDS[t]), "--package", "P"], check=True, capture_output=True)
    account = {"orgidentity": t, "usertype": "account", "user": "admin", "pwdtype": "plaintext", "password": "admin123"}
    params = {"EVENT": "Import", **account, "modeltype": "Campaign", "model_id": "C", "source": "http",
              "context": "http://127.0.0.1:%d/customers.csv" % HOOK_PORT, "source_user": "", "source_pwd": "", "exetime": "",
              "delrow": "1", "phone_field": "phone1", "priority_field": "", "dialtime_field": "", "emptyagent": "no",
              "resetstatus": "no", "dupway": "skip", "dupdiallist": "ignoreDuplicate", "changepackage": "skip"}
    reply = urllib.request.urlopen(urllib.request.Request(URLS[other] + "/coccinterfaces", data=urllib.parse.urlencode(params).encode()),
                                   timeout=20).read().decode()
    check("importWS through a node that does not own the team answers a task id", reply.startswith("|Retuen|1|Retuen|"), reply)
    state = {}
    deadline = time.time() + 30
    while time.time() < deadline:
        query = urllib.parse.urlencode({**account, "taskid": reply.rsplit("|", 1)[-1]})
        state = json.loads(urllib.request.urlopen(URLS[NODES[2] if other != NODES[2] else NODES[0]] + "/coccinterface/importtask?" + query,
                                                  timeout=10).read())
        if state.get("state") in ("done", "failed"):
            break
        time.sleep(0.3)
    rows = int(psql("SELECT COUNT(*) FROM customers WHERE team_id = %d" % TEAM_IDS[t]) or 0)
    check("the import ran to the end, every row once (200)", state.get("state") == "done" and rows == 200, (state, rows))
    owner_log = open(os.path.join(WORK, owner + ".log")).read()
    check("the team's owner ran the import task", "import task started" in owner_log and "team_id=%d" % TEAM_IDS[t] in owner_log)

    # Pages' live state (desk, wallboard) through a node that does not run the team: relayed.
    t = TEAMS[0]
    owner = owner_of(t)
    other = next(n for n in NODES if n != owner)
    query = "?orgidentity=%s&usertype=agent&user=8001&pwdtype=plaintext&password=123456" % t
    views = []
    for n in (owner, other):
        with urllib.request.urlopen(URLS[n] + "/coccinterface/state" + query, timeout=10) as r:
            view = json.loads(r.read())
            view.pop("at", None)  # when it was read
            views.append(view)
    check("the desk's state through another node is the owner's", views[0] == views[1] and "8001" in json.dumps(views[0]), views)
    with urllib.request.urlopen(URLS[other] + "/coccinterface/state/stream" + query, timeout=10) as r:
        head = r.read(200).decode(errors="replace")
    check("the state stream through another node sends its first frame", "event: state" in head, head)
    # A page's token (what the desk keeps instead of the password) is good on every node.
    issued = json.loads(urllib.request.urlopen(urllib.request.Request(
        URLS[owner] + "/coccinterface/pushtoken", data=query[1:].encode()), timeout=10).read())
    answers = []
    for n in NODES:
        with urllib.request.urlopen(URLS[n] + "/coccinterface/state?token=" + urllib.parse.quote(issued["token"]), timeout=10) as r:
            answers.append(json.loads(r.read()).get("me"))
    check("a token one node issued is good on every node", answers == ["8001"] * 3, answers)

    # A call on a team of node1, watched from node2's long-poll, placed through node3.
    team = next(t for t in TEAMS if owner_of(t) == "node1")
    victim, watcher, caller = "node1", "node2", "node3"
    group = form(caller, "LOGIN", team).split("agent_group_id=")[1].split("&")[0]
    agent_id = int(psql("SELECT id FROM agents WHERE team_id = %d AND number = '8001'" % TEAM_IDS[team]))
    channel = "team_id = %d AND agents LIKE '%%,%d,%%'" % (TEAM_IDS[team], agent_id)
    start_cursor = int(psql("SELECT COALESCE(MAX(eventid), 0) FROM call_events WHERE " + channel))
    poller = Poller(URLS[watcher] + "/agentindesks/agentpull/%s-8001-123456" % team)
    poller.start()
    time.sleep(1.5)
    reply = form(caller, "MAKECALL", team, targetdn="13900000001", targettype="exter", agentgroupid=group)
    check("makeCall through a third node", reply == "|Retuen|1|Retuen|BackMsg_19", reply)
    check("the call's events reach another node's long-poll", poller.wait_for("event="), poller.lines)
    time.sleep(4)  # the customer answers after 3 s: the call is up when the node dies
    before_kill = len(poller.lines)
    check("the call is up before the kill", before_kill > 0 and not any("event=hangup" in l for l in poller.lines), poller.lines)
    moved = [t for t in TEAMS if owner_of(t) == victim]

    killed_at = time.time()
    procs[victim].send_signal(signal.SIGKILL)
    procs[victim].wait()
    first = None
    while time.time() - killed_at < 30:
        try:
            if form(watcher, "AGENTSTATUS", team, timeout=20).startswith("|Retuen|1|"):
                first = time.time() - killed_at
                break
        except Exception:
            pass
        time.sleep(0.2)
    check("kill -9: the moved team answers within 15 s (took %.1f s)" % (first or -1), first is not None and first < 15)
    print("failover: first answered request %.2f s after kill -9" % (first or -1))
    status_after = form(watcher, "AGENTSTATUS", team)
    check("the agent's session is intact after the move (logged in, not logout)",
          status_after.startswith("|Retuen|1|Retuen|BackMsg_43") and "logout" not in status_after, status_after)
    others = [form(NODES[(i % 2) + 1], "AGENTSTATUS", t, timeout=20) for i, t in enumerate(moved)]
    check("all %d teams of the dead node answer again" % len(moved), all(r.startswith("|Retuen|1|") for r in others), others)
    check("the call ended with its hangup events, on the same long-poll", poller.wait_for("event=hangup", 10), poller.lines[before_kill:])
    time.sleep(2)
    poller.stop = True

    # No event lost or repeated: the page's lines are the log's messages after its first cursor.
    events = subprocess.run([COCCD, "events", "list", "--data-dir", os.path.join(WORK, "cli"), "--team", team],
                            capture_output=True, text=True).stdout.splitlines()
    stored = psql("SELECT message FROM call_events WHERE %s AND eventid > %d ORDER BY eventid" % (channel, start_cursor)).splitlines()
    received = poller.lines
    check("the page received each event once", len(received) == len(set(received)), received)
    check("the page received every stored event of its channel since it started, in order (%d)" % len(stored),
          received == stored and len(stored) >= 4, (stored, received))
    time.sleep(3)
    with Hooks.lock:
        hooks = list(Hooks.seen)
    ids = [e for t, e in hooks if t == team]
    logged = [int(line.split("\t", 1)[0]) for line in events if "\t" in line]
    check("the webhook got every event of the team once, in order, across the kill", ids == sorted(set(logged)), (ids, logged))
    new_owner = owner_of(team)
    check("webhooks resumed on the team's new owner", new_owner in (watcher, caller), new_owner)

    # The killed node comes back under its name; ownership stays single.
    start(victim)
    check("the restarted node is ready", ready(victim))
    check("it serves a team it does not own any more", form(victim, "AGENTSTATUS", team).startswith("|Retuen|1|"))
    time.sleep(2)
    held = {n: {e["team_id"] for e in status(n)["teams"]} for n in NODES}
    check("still no team held by two nodes", sum(len(h) for h in held.values()) == len(set().union(*held.values())), held)
    check("the store and the nodes agree on every owner", all(owners().get(t) == n for n in NODES for t in held[n]), (held, owners()))

    # The sample nginx configuration in front of two nodes (Config/nginx-cluster.conf, its
    # upstream and listen lines pointed at this run's ports).
    nginx_port = PORT + 20
    conf = open(os.path.join(HERE, "..", "..", "Config", "nginx-cluster.conf")).read()
    conf = conf.replace("server 10.0.0.11:4580", "server 127.0.0.1:%s" % URLS["node1"].rsplit(":", 1)[1])
    conf = conf.replace("server 10.0.0.12:4580", "server 127.0.0.1:%s" % URLS["node3"].rsplit(":", 1)[1])
    conf = conf.replace("listen 80;", "listen 127.0.0.1:%d;" % nginx_port)
    nginx_dir = os.path.join(WORK, "nginx")
    os.makedirs(nginx_dir, exist_ok=True)
    open(os.path.join(nginx_dir, "cluster.conf"), "w").write(conf)
    open(os.path.join(nginx_dir, "nginx.conf"), "w").write(
        "daemon off; pid %s/nginx.pid; error_log %s/error.log; events {}\n"
        "http { access_log off; client_body_temp_path %s/body; proxy_temp_path %s/proxy; include %s/cluster.conf; }\n"
        % ((nginx_dir,) * 5))
    nginx = subprocess.Popen(["nginx", "-p", nginx_dir, "-c", os.path.join(nginx_dir, "nginx.conf")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    procs["nginx"] = nginx
    lb = "http://127.0.0.1:%d" % nginx_port
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            urllib.request.urlopen(lb + "/health/live", timeout=2)
            break
        except Exception:
            time.sleep(0.2)
    answers = []
    for t in TEAMS:
        q = urllib.parse.urlencode({"EVENT": "AGENTSTATUS", "orgidentity": t, "usertype": "agent", "user": "8001",
                                    "pwdtype": "plaintext", "password": "123456"})
        answers.append(urllib.request.urlopen(lb + "/coccinterfaces?" + q, timeout=20).read().decode())
    check("through the sample nginx: every team answers, whichever node nginx picks",
          all(a.startswith("|Retuen|1|Retuen|BackMsg_43") and "logout" not in a for a in answers), answers)
    with urllib.request.urlopen(lb + "/coccinterface/state/stream" + query, timeout=10) as r:
        head = r.read(200).decode(errors="replace")
    check("through the sample nginx: the state stream is not buffered", "event: state" in head, head)
    try:
        urllib.request.urlopen(lb + "/cluster/v1/status", timeout=5)
        refused = False
    except urllib.error.HTTPError as e:
        refused = e.code == 404
    check("the sample nginx does not expose the nodes' forwarding routes", refused)
    nginx.terminate()
    nginx.wait(timeout=10)

    # Graceful stop: the leases are given up, the teams move at once.
    leaving = "node2"
    gone = [t for t in TEAMS if owner_of(t) == leaving]
    stopped_at = time.time()
    procs[leaving].send_signal(signal.SIGTERM)
    procs[leaving].wait(timeout=30)
    served = [form("node3" if leaving != "node3" else "node1", "AGENTSTATUS", t, timeout=20) for t in gone]
    took = time.time() - stopped_at
    check("a graceful stop hands %d teams over at once (%.1f s)" % (len(gone), took),
          all(r.startswith("|Retuen|1|") for r in served) and took < 3 + len(gone) * 0.5, (served, took))
    log = open(os.path.join(WORK, leaving + ".log")).read()
    check("the stopped node's log says its leases were given up", "cluster node left; leases given up" in log)
    check("no log shows the cluster key", all(SECRET not in open(os.path.join(WORK, n + ".log")).read() for n in NODES))
    for p in procs.values():
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs.values():
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()


if __name__ == "__main__":
    try:
        main()
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.kill()
    finish()
