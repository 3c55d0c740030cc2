#!/usr/bin/env python3
"""The vendor plugin's extra calls against a running coccd, over the real socket, as that
plugin sends them: JSONP GETs to /setevent/<name>?callback=jQuery..&... (jQuery's getJSON) and
the DefaultGroup form POST to /asterccinterfaces, on the simulated switch in real time.
- dialerListCJI: a number goes into a campaign's pre-dial list (`coccd campaign predial`);
- qbackcallCJI: each live leg shows its own caller ID (/simulator/legs), userdata in the events;
- monitorCtrlCJI: a segment of a live call is a WAV file that getMonitorCJI's filename finds;
- DefaultGroup: the exact 3-part reply, and makeCall without agentgroupid dials in that group.

Usage: vendor_extras_test.py BASE COCCD DATA_DIR      Ends with "N passed, M failed".
"""
import json, re, subprocess, sys, time, urllib.error, urllib.parse, urllib.request
from datetime import date
from tally import check, finish

BASE, COCCD, DATA = sys.argv[1], sys.argv[2], sys.argv[3]
ACCOUNT = {"orgidentity": "demo", "usertype": "account", "user": "admin", "pwdtype": "plaintext", "password": "admin123"}
AGENT = {"orgidentity": "demo", "usertype": "agent", "user": "8003", "pwdtype": "plaintext", "password": "123456"}
ADMIN = "orgidentity=demo&user=admin&password=admin123"


def coccd(*args):
    return subprocess.run([COCCD, *args, "--data-dir", DATA], check=True, capture_output=True, text=True).stdout


def get(path):
    return urllib.request.urlopen(BASE + path, timeout=10).read().decode()


def jsonp(name, params, callback="jQuery1720_1"):
    """The body as received, and the object inside it."""
    query = urllib.parse.urlencode({"callback": callback, **params, "_": str(int(time.time() * 1000))})
    body = get("/setevent/%s?%s" % (name, query))
    match = re.fullmatch(r"/\*\*/%s\((.*)\);" % callback, body)
    return body, json.loads(match.group(1)) if match else None


def form(params, path="/asterccinterfaces"):
    data = urllib.parse.urlencode(params).encode()
    return urllib.request.urlopen(urllib.request.Request(BASE + path, data=data), timeout=10).read().decode()


def legs():
    return json.loads(get("/simulator/legs?" + ADMIN))


def hang_up_all():
    for leg in legs():
        try:
            urllib.request.urlopen(urllib.request.Request("%s/simulator/legs/%d/hangup?%s" % (BASE, leg["uniqueid"], ADMIN), method="POST"), timeout=10)
        except urllib.error.HTTPError:
            pass   # the first hangup ended the call: its other leg is gone already


def events_after(eventid):
    """The team's event messages after `eventid` (`coccd events list` prints id TAB message)."""
    out = []
    for line in coccd("events", "list", "--team", "demo", "--since", str(eventid)).splitlines():
        out.append(line.partition("\t")[2])
    return out


def last_event():
    lines = coccd("events", "list", "--team", "demo", "--limit", "100000000").splitlines()
    return int(lines[-1].split("\t")[0]) if lines else 0


def wait_status(words, seconds=10):
    deadline = time.time() + seconds
    status = ""
    while time.time() < deadline:
        status = form({"EVENT": "AGENTSTATUS", **AGENT})
        if all(w in status for w in words):
            return status
        time.sleep(0.2)
    return status


def main():
    # dialerListCJI(orgidentity, usertype, user, pwdtype, password, campaignid, phonenum, priority, dialtime)
    coccd("package", "add", "--team", "demo", "--name", "Vendor leads")
    campaign = coccd("campaign", "add", "--team", "demo", "--name", "Vendor", "--group", "1", "--package", "Vendor leads").split()[-1]
    adding = {**ACCOUNT, "campaignid": campaign, "phonenum": "13800000031", "priority": "5", "dialtime": "2031-01-01 09:00:00"}
    body, _ = jsonp("dialerListCJI", adding)
    check("dialerListCJI answers the vendor's JSONP shape", body == '/**/jQuery1720_1({"code":1,"message":"BackMsg_83"});', body)
    check("dialerListCJI again: a duplicate (importWS's rule)", jsonp("dialerListCJI", adding)[1] == {"code": 2, "message": "BackMsg_81"})
    check("dialerListCJI unknown campaign", jsonp("dialerListCJI", {**adding, "campaignid": "4040"})[1] == {"code": 2, "message": "BackMsg_73"})
    listed = coccd("campaign", "predial", "--team", "demo", "Vendor")
    check("the number is in the pre-dial list with its priority", "phone=13800000031\tpriority=5\tstatus=pending" in listed and listed.count("\n") == 1, listed)

    # qbackcallCJI(orgidentity, exten, targetdn, icallerid, xcallerid, user, password, pwdtype, userdata)
    callback = {"orgidentity": "demo", "exten": "8009", "targetdn": "13800000001", "icallerid": "4001", "xcallerid": "4002",
                "user": "admin", "password": "admin123", "pwdtype": "plaintext", "userdata": "order=7&x=1"}
    mark = last_event()
    body, _ = jsonp("qbackcallCJI", callback)
    check("qbackcallCJI", body == '/**/jQuery1720_1({"code":1,"message":"BackMsg_19"});', body)
    time.sleep(1.6)   # 8009 answers after 1 s; the target is dialled
    live = {leg["number"]: leg.get("callerid") for leg in legs()}
    check("exten's leg shows icallerid, the target's leg xcallerid", live.get("8009") == "4001" and live.get("13800000001") == "4002", live)
    hang_up_all()
    check("qbackcallCJI bad caller id", jsonp("qbackcallCJI", {**callback, "xcallerid": "40&02"})[1] == {"code": 2, "message": "BackMsg_28"})
    time.sleep(0.3)
    events = [e for e in events_after(mark) if "activenum=8009&" in e]
    check("the callback's events carry userdata", len(events) >= 4 and all("userdata=order%3D7%26x%3D1&" in e for e in events), events[-4:])

    # EVENT=DefaultGroup, as the vendor's setDefaultGroupCJI posts it; makeCall then dials in that group.
    reply = form({"EVENT": "DefaultGroup", **AGENT, "agent_group_id": "2"})
    check("DefaultGroup: exactly three |Retuen| parts", reply == "|Retuen|1|Retuen|BackMsg_14" and len(reply.split("|Retuen|")) == 3, reply)
    check("DefaultGroup unknown group", form({"EVENT": "DefaultGroup", **AGENT, "agent_group_id": "99"}) == "|Retuen|2|Retuen|BackMsg_50")
    form({"EVENT": "LOGIN", **AGENT})
    form({"EVENT": "QUEUE", **AGENT, "type": "1", "list": "2"})   # 8003 is dynamic in group 2
    mark = last_event()
    reply = form({"EVENT": "MAKECALL", **AGENT, "targetdn": "13800000002", "targettype": "exter", "agentgroupid": ""})
    check("makeCall without agentgroupid", reply == "|Retuen|1|Retuen|BackMsg_19", reply)
    time.sleep(0.3)
    ringing = [e for e in events_after(mark) if "activenum=8003&source=AGENT&event=ringing" in e]
    check("makeCall dialled out in the default group", ringing and "&AgentGroupId=2&" in ringing[-1], ringing[-1:])
    check("the busy call ended", "busy" not in wait_status(["idle"]))

    # monitorCtrlCJI(action, usertype, user, orgidentity, pwdtype, password, pushevent): a segment of a live call.
    monitor = {"action": "start", **AGENT, "pushevent": "yes"}
    check("monitorCtrlCJI without a call", jsonp("monitorCtrlCJI", monitor)[1] == {"code": 2, "message": "BackMsg_92"})
    form({"EVENT": "MAKECALL", **AGENT, "targetdn": "13800000001", "targettype": "exter", "agentgroupid": "1"})
    time.sleep(3.5)   # 8003's phone answers after 1 s, 13800000001 2 s after it is dialled
    _, started = jsonp("monitorCtrlCJI", monitor)
    name = (started or {}).get("message", "")
    check("monitorCtrlCJI start answers the segment's file name", started and started["code"] == 1 and re.fullmatch(r"[0-9a-f]{32}-1\.wav", name), started)
    check("monitorCtrlCJI bad action", jsonp("monitorCtrlCJI", {**monitor, "action": "pause"})[1] == {"code": 2, "message": "BackMsg_28"})
    time.sleep(1.2)
    check("monitorCtrlCJI stop", jsonp("monitorCtrlCJI", {**monitor, "action": "stop"})[1] == {"code": 1, "message": name})
    check("stop with no segment running", jsonp("monitorCtrlCJI", {**monitor, "action": "stop"})[1] == {"code": 2, "message": "BackMsg_44"})
    # getMonitorCJI(sessionid, calldate, callbackFuc, mp3, filename), while the call goes on.
    _, found = jsonp("getMonitorCJI", {"sessionid": name[:32], "calldate": date.today().isoformat(), "mp3": "", "filename": name})
    url = (found or {}).get("message", "")
    check("getMonitorCJI finds the segment", found and found["code"] == 1 and ("/getMonitor/1/" in url) and (name + "?expires=") in url, found)
    if url.startswith("http"):
        wav = urllib.request.urlopen(url, timeout=10).read()
        check("the segment is a WAV file of about a second", wav[:4] == b"RIFF" and 8000 * 2 <= len(wav) - 44 <= 3 * 8000 * 2, len(wav))
    form({"EVENT": "HANGUP", **AGENT, "target": "agent", "targetagent": AGENT["user"]})
    form({"EVENT": "LOGOUT", **AGENT})


try:
    main()
except Exception as error:
    check("vendor extras test ran", False, repr(error))
finish()
