#!/usr/bin/env python3
"""Headless Chromium runs a page that includes cocc_nginx_http_push.js, as an integrator's page
would: the page is served from another origin (so CORS, preflights and exposed headers are real),
defines sonAccept(message), and reports every message it receives back to this script. A
simulated outbound call and an inbound call then run, and the page's sonAccept log must equal
the manual's sequences (appendix A.5.2 and A.5.3) field by field, as the agent's channel carries
them.

Usage: browser_push_test.py BASE COCCD DATA_DIR      Ends with "N passed, M failed".
"""
import http.server, json, os, re, shutil, subprocess, sys, tempfile, threading, time, urllib.parse, urllib.request
from tally import check, finish

BASE, COCCD, DATA = sys.argv[1], sys.argv[2], sys.argv[3]
AGENT, PASSWORD, GROUP, QUEUE = "8400", "pw8400", "40", "6040"
log, ready = [], threading.Event()



PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>agent desk</title>
<script>
  var cocc_push_channel = 'demo-%(agent)s-%(password)s';
  var seq = 0;
  function report(path, body) { var x = new XMLHttpRequest(); x.open('POST', path, true); x.send(body); }
  function sonAccept(message) { seq++; report('/log', seq + '\\t' + message); }
</script>
<script src="%(base)s/coccinterface/cocc_nginx_http_push.js"></script>
</head><body onload="report('/ready', '')"><p>agent desk</p></body></html>
""" % {"agent": AGENT, "password": PASSWORD, "base": BASE}


class PageServer(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = PAGE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        text = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        if self.path == "/ready":
            ready.set()
        else:
            seq, message = text.split("\t", 1)
            log.append((int(seq), message))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def coccd(*args):
    return subprocess.run([COCCD, *args], check=True, capture_output=True, text=True).stdout


def form(query, post=False):
    url = BASE + "/coccinterfaces"
    data = urllib.parse.urlencode(query)
    request = urllib.request.Request(url, data=data.encode()) if post else urllib.request.Request(url + "?" + data)
    return urllib.request.urlopen(request, timeout=10).read().decode()


def leg(number):
    legs = json.loads(coccd("simulate", "legs", "--url", BASE))
    found = [l["uniqueid"] for l in (legs if isinstance(legs, list) else legs.get("legs", [])) if l["number"] == number]
    return found[0] if found else None


def wait_for(predicate, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def received():
    return [m for _, m in sorted(log)]


def hangups():
    return sum(1 for m in received() if "source=CONVERSATION&event=hangup" in m)


# Expected messages: (key, regex) in the manual's order. "$name" captures a value the first time
# and must equal it afterwards (a call's sessionid, a leg's channel).
TIME = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
def outbound(source, event, uniqueid, channel):
    return [("calleridnum", "13800000001"), ("didnumber", ""), ("activenum", AGENT), ("source", source), ("event", event),
            ("uniqueid", uniqueid), ("sessionid", r"$out_sid=[0-9a-f]{32}"), ("eventTime", TIME), ("AgentTeamId", "1"), ("modeltype", "Campaign"),
            ("model_id", "10"), ("AgentGroupId", GROUP), ("calltype", "dialout"), ("channel", channel), ("from", "dialout"),
            ("eventid", r"\d+"), ("userdata", "customer_id%3D109%26pwd%3Dasdfg"), ("", None)]


def inbound(source, event, uniqueid, channel, trailing=False):
    fields = [("calleridnum", "0138888888888"), ("didnumber", QUEUE if source != "CONVERSATION" else ""), ("activenum", AGENT),
              ("source", source), ("event", event), ("uniqueid", uniqueid), ("sessionid", r"$in_sid=[0-9a-f]{32}"), ("eventTime", TIME),
              ("AgentTeamId", "1"), ("modeltype", "Customerservice"), ("model_id", GROUP), ("AgentGroupId", GROUP)]
    if source == "CONVERSATION":
        fields += [("channel", ""), ("from", "dialin")]
    else:
        fields += [("from", "dialin"), ("channel", channel)]
    fields += [("eventid", r"\d+"), ("userdata", "")]
    return fields + ([("", None)] if trailing else [])


AGENT_OUT = r"$out_agent_chan=Local/%s@hosted-dialout-\w+;1" % AGENT
EXPECTED = [
    outbound("AGENT", "ringing", r"$out_agent=\d+", AGENT_OUT),
    outbound("AGENT", "answer", "$out_agent", " "),
    outbound("CALLEE", "ringing", r"$out_customer=\d+", r"$out_customer_chan=Local/13800000001@hosted-dialout-\w+;1"),
    outbound("CALLEE", "answer", "$out_customer", ""),
    outbound("CALLEE", "hangup", "$out_customer", "$out_customer_chan"),
    outbound("AGENT", "hangup", "$out_agent", "$out_agent_chan"),
    outbound("CONVERSATION", "hangup", "0", ""),
    # A.5.3's six lines: the caller's sparse `incoming` reaches the agent as the call is offered.
    [("source", "CALLER"), ("event", "incoming"), ("modeltype", "Customerservice"), ("uniqueid", r"$in_caller=\d+"), ("model_id", GROUP),
     ("from", "dialin"), ("sessionid", r"$in_sid=[0-9a-f]{32}"), ("channel", r"$in_caller_chan=Local/0138888888888@hosted-dialin-\w+;1"),
     ("eventid", r"\d+"), ("userdata", "")],
    inbound("AGENT", "ringing", r"$in_agent=\d+", r"$in_agent_chan=Local/%s@hosted-dialin-\w+;1" % AGENT),
    inbound("AGENT", "answer", "$in_agent", ""),
    inbound("CALLER", "hangup", "$in_caller", "$in_caller_chan"),
    inbound("AGENT", "hangup", "$in_agent", "$in_agent_chan"),
    inbound("CONVERSATION", "hangup", "0", "", trailing=True),
]


def compare(messages):
    """Field by field; returns a list of differences."""
    captured, problems = {}, []
    if len(messages) != len(EXPECTED):
        problems.append("%d messages, expected %d" % (len(messages), len(EXPECTED)))
    for index, (message, fields) in enumerate(zip(messages, EXPECTED)):
        parts = message.split("&")
        names = [p.split("=", 1)[0] for p in parts]
        if names != [k for k, _ in fields]:
            problems.append("message %d keys %s, expected %s" % (index + 1, names, [k for k, _ in fields]))
            continue
        for part, (key, pattern) in zip(parts, fields):
            if pattern is None:
                continue
            value = part.split("=", 1)[1] if "=" in part else None
            if value is None:
                problems.append("message %d: %s has no '='" % (index + 1, key))
                continue
            m = re.fullmatch(r"\$(\w+)(?:=(.*))?", pattern)
            if m:
                name, shape = m.group(1), m.group(2)
                if name in captured:
                    ok = value == captured[name]
                else:
                    ok = shape is None or re.fullmatch(shape, value) is not None
                    captured[name] = value
            else:
                ok = re.fullmatch(pattern, value) is not None
            if not ok:
                problems.append("message %d: %s=%r does not match %r" % (index + 1, key, value, pattern))
    ids = [int(re.search(r"&eventid=(\d+)", m).group(1)) for m in messages if "&eventid=" in m]
    if ids != sorted(set(ids)):
        problems.append("event ids not increasing once each: %s" % ids)
    return problems


def main():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not chromium:
        check("chromium is installed", False, "apt-get install chromium")
        return
    coccd("group", "add", "--data-dir", DATA, "--team", "demo", "--name", "Browser", "--queue", QUEUE, "--id", GROUP)
    coccd("agent", "add", "--data-dir", DATA, "--team", "demo", AGENT, "--password", PASSWORD, "--name", "Browser Agent")
    coccd("member", "add", "--data-dir", DATA, "--team", "demo", "--group", GROUP, "--agent", AGENT)
    time.sleep(1.5)   # the server reloads the directory
    agent = {"orgidentity": "demo", "usertype": "agent", "user": AGENT, "pwdtype": "plaintext", "password": PASSWORD}
    check("the new agent logs in", form({"EVENT": "LOGIN", **agent}).startswith("|Retuen|1|Retuen|BackMsg_04"))

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PageServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    page = "http://127.0.0.1:%d/desk.html" % server.server_address[1]
    profile = tempfile.mkdtemp()
    browser = subprocess.Popen([chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                "--no-first-run", "--user-data-dir=" + profile, "--remote-debugging-port=0", page],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        check("chromium loads the page", ready.wait(60))
        time.sleep(1.5)   # the script has fetched /getccdate and is polling

        reply = form({"EVENT": "MAKECALL", "targetdn": "13800000001", "targettype": "exter", "agentgroupid": GROUP,
                      "modeltype": "Campaign", "model_id": "10", "userdata": "customer_id=109&pwd=asdfg", **agent}, post=True)
        check("makeCall", reply == "|Retuen|1|Retuen|BackMsg_19", reply)
        check("the customer answers", wait_for(lambda: any("source=CALLEE&event=answer" in m for m in received()), 15))
        customer = leg("13800000001")
        coccd("simulate", "hangup", "--url", BASE, str(customer))
        check("the outbound call reaches the page", wait_for(lambda: hangups() == 1, 10))

        coccd("simulate", "inbound", "--url", BASE, "--to", QUEUE, "--from", "0138888888888")
        check("the agent answers the inbound call", wait_for(lambda: sum("event=answer" in m for m in received()) == 3, 15))
        caller = leg("0138888888888")
        coccd("simulate", "hangup", "--url", BASE, str(caller))
        check("the inbound call reaches the page", wait_for(lambda: hangups() == 2, 10))
        time.sleep(0.5)   # anything extra would show now

        messages = received()
        problems = compare(messages)
        check("sonAccept log equals the manual's sequences, field by field", not problems,
              "\n     ".join(problems + ["got:"] + messages))
        check("sonAccept called once per message, in order", [s for s, _ in sorted(log)] == list(range(1, len(log) + 1)))
    finally:
        browser.terminate()
        try:
            browser.wait(10)
        except subprocess.TimeoutExpired:
            browser.kill()
        shutil.rmtree(profile, ignore_errors=True)
        form({"EVENT": "LOGOUT", **agent})


try:
    main()
except Exception as error:  # a crash is a failure, with its reason
    check("browser push test ran", False, repr(error))
finish()
