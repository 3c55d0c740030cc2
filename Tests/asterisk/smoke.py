#!/usr/bin/env python3
"""Smoke check of a test Asterisk started by Tests/asterisk/start.sh.

    python3 Tests/asterisk/smoke.py ARI_PORT RUN_DIR [AMI_PORT]

With AMI_PORT (start.sh with COCCD_TEST_ASTERISK_AMI_PORT), the IVR step also sends DTMF
from the customer through AMI PlayDTMF (ARI can send DTMF only from channels in Stasis,
and the customer half runs the dial plan).

Drives ARI as coccd would (app coccd) and prints what it saw; exits 1 on the first failed
check. Needs `websocket-client` (pip install websocket-client). Takes about a minute.
"""
import base64, json, math, os, sys, threading, time, urllib.error, urllib.parse, urllib.request, wave

import websocket  # websocket-client

PORT, RUN = sys.argv[1], sys.argv[2]
AMI_PORT = sys.argv[3] if len(sys.argv) > 3 else None
BASE = f"http://127.0.0.1:{PORT}/ari"
AUTH = "Basic " + base64.b64encode(b"coccd:coccd-test-secret").decode()
T0 = time.monotonic()
events, lock = [], threading.Condition()


def now():
    return time.monotonic() - T0


def log(msg):
    print(f"{now():7.3f}  {msg}", flush=True)


def rest(method, path, body=None, **params):
    url = BASE + path + ("?" + urllib.parse.urlencode(params) if params else "")
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Authorization", AUTH)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            status, text = r.status, r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode(errors="replace")
    shown = params and ("?" + "&".join(f"{k}={v}" for k, v in params.items())) or ""
    log(f"{method} {path}{shown} -> {status}")
    return status, (json.loads(text) if text.strip().startswith(("{", "[")) else text)


def on_message(_ws, msg):
    ev = json.loads(msg)
    ev["_t"] = now()
    with lock:
        events.append(ev)
        lock.notify_all()


def summary(ev):
    ch = ev.get("channel") or ev.get("peer") or {}
    extra = ""
    if ev["type"] == "Dial":
        extra = f" dialstatus={ev.get('dialstatus')!r}"
    elif ev["type"] == "StasisStart":
        extra = f" args={ev.get('args')}"
    elif ev["type"] in ("ChannelDestroyed", "ChannelHangupRequest"):
        extra = f" cause={ev.get('cause')}"
    elif ev["type"] == "ChannelStateChange":
        extra = f" state={ch.get('state')}"
    return f"{ev['type']} {ch.get('id', '')}{extra}"


MARK = 0


def section(title):
    """Starts a step: later waits look only at events from here on."""
    global MARK
    with lock:
        MARK = len(events)
    log("== " + title)


def wait_for(pred, timeout, what):
    end = time.monotonic() + timeout
    with lock:
        seen = MARK
        while True:
            for ev in events[seen:]:
                if pred(ev):
                    log(f"  event {summary(ev)}")
                    return ev
            seen = len(events)
            left = end - time.monotonic()
            if left <= 0:
                fail(f"no {what} within {timeout} s")
            lock.wait(left)


def fail(msg):
    log(f"FAIL: {msg}")
    for ev in events[-15:]:
        log(f"  (last events) {summary(ev)}")
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)
    log(f"  ok: {msg}")


def ev_is(type_, chan=None, **kv):
    def p(ev):
        if ev["type"] != type_:
            return False
        if chan is not None and (ev.get("channel") or ev.get("peer") or {}).get("id") != chan:
            return False
        return all(ev.get(k) == v for k, v in kv.items())
    return p


def originate(id_, endpoint, **params):
    t = now()
    status, body = rest("POST", "/channels", endpoint=endpoint, channelId=id_, otherChannelId=id_ + "-2", **params)
    check(status == 200, f"originate {endpoint} answered 200")
    return t


def tones(path, freqs, win=0.5):
    """Level (dBFS) of each frequency in consecutive windows of a WAV file (Goertzel)."""
    with wave.open(path) as w:
        rate, data = w.getframerate(), w.readframes(w.getnframes())
    import array
    s = array.array("h", data)
    n = int(rate * win)
    out = []
    for start in range(0, len(s) - n + 1, n):
        chunk = s[start:start + n]
        row = {}
        for f in freqs:
            k = 2 * math.cos(2 * math.pi * f / rate)
            a = b = 0.0
            for x in chunk:
                a, b = x + k * a - b, a
            p = a * a + b * b - k * a * b
            amp = 2 * math.sqrt(max(p, 0)) / n / 32768
            row[f] = 20 * math.log10(amp) if amp > 0 else -120
        out.append(row)
    return out


def ami_dtmf(channel, digits):
    import socket
    s = socket.create_connection(("127.0.0.1", int(AMI_PORT)), timeout=5)
    f = s.makefile("rwb")
    f.readline()  # banner

    def action(**kv):
        f.write("".join(f"{k}: {v}\r\n" for k, v in kv.items()).encode() + b"\r\n")
        f.flush()
        lines = []
        while True:
            line = f.readline().decode().strip()
            if not line:
                if any(l.startswith("Response:") for l in lines):
                    return lines
                lines = []
                continue
            lines.append(line)

    action(Action="Login", Username="coccd", Secret="coccd-test-secret", Events="off")
    for d in digits:
        r = action(Action="PlayDTMF", Channel=channel, Digit=d, Duration=100)
        log(f"AMI PlayDTMF {channel} {d} -> {r[0]}")
        time.sleep(0.2)
    action(Action="Logoff")
    s.close()


def main():
    st, info = rest("GET", "/asterisk/info")
    log(f"  Asterisk {info['system']['version']}")
    ws = websocket.WebSocketApp(f"ws://127.0.0.1:{PORT}/ari/events?app=coccd&api_key=coccd:coccd-test-secret",
                                on_message=on_message)
    threading.Thread(target=ws.run_forever, daemon=True).start()
    for _ in range(50):
        if rest("GET", "/applications/coccd")[0] == 200:
            break
        time.sleep(0.1)
    else:
        fail("app coccd not registered")

    section("13800000001 answers after 2 s")
    t = originate("t1", "Local/13800000001@coccd-outside", app="coccd", timeout=30)
    wait_for(ev_is("Dial", "t1", dialstatus="RINGING"), 3, "Dial RINGING")
    ev = wait_for(ev_is("StasisStart", "t1"), 5, "StasisStart t1")
    check(1.8 < ev["_t"] - t < 2.6, f"answered after {ev['_t'] - t:.2f} s")
    st, _ = rest("POST", "/channels/t1/moh", mohClass="default")
    check(st == 204, "moh default 204")
    time.sleep(1)
    st, _ = rest("DELETE", "/channels/t1/moh")
    check(st == 204, "stop moh 204")

    section("13800000002 busy after 1 s")
    t = originate("t2", "Local/13800000002@coccd-outside", app="coccd", timeout=30)
    ev = wait_for(ev_is("Dial", "t2", dialstatus="BUSY"), 3, "Dial BUSY")
    check(0.8 < ev["_t"] - t < 1.6, f"busy after {ev['_t'] - t:.2f} s")
    ev = wait_for(ev_is("ChannelDestroyed", "t2"), 3, "ChannelDestroyed t2")

    section("agent 8001 answers after 1 s")
    t = originate("a1", "Local/8001@coccd-agents", app="coccd", timeout=30)
    wait_for(ev_is("Dial", "a1", dialstatus="RINGING"), 2, "Dial RINGING")
    ev = wait_for(ev_is("StasisStart", "a1"), 3, "StasisStart a1")
    check(0.8 < ev["_t"] - t < 1.6, f"answered after {ev['_t'] - t:.2f} s")
    check(ev["channel"]["state"] == "Up", "state Up")

    section("inbound: Local/6001@coccd-callers, customer half into coccd-customer")
    t = now()
    st, _ = rest("POST", "/channels", endpoint="Local/6001@coccd-callers", context="coccd-customer", extension="s",
                 priority=1, callerId="0138888888888", channelId="c1", otherChannelId="c1-2", timeout=30)
    check(st == 200, "originate 200")
    ev = wait_for(ev_is("StasisStart", "c1-2"), 3, "StasisStart c1-2")
    check(ev["args"] == ["inbound", "6001", "demo"], f"args {ev['args']}")
    check(ev["channel"]["caller"]["number"] == "0138888888888", f"caller {ev['channel']['caller']}")
    log(f"  channelvars {ev['channel'].get('channelvars')}  state {ev['channel']['state']}")
    st, _ = rest("POST", "/channels/c1-2/answer")
    check(st == 204, "answer 204")
    st, _ = rest("POST", "/bridges", type="mixing", bridgeId="b1")
    st, _ = rest("POST", "/bridges/b1/addChannel", channel="c1-2,a1")
    check(st == 204, "customer and agent 8001 bridged")
    wait_for(ev_is("ChannelEnteredBridge", "a1"), 2, "ChannelEnteredBridge a1")
    st, _ = rest("POST", "/channels/c1-2/moh", mohClass="default")
    check(st == 204, "hold the bridged customer with moh 204")
    time.sleep(0.5)
    rest("DELETE", "/channels/c1-2/moh")

    section("inbound with queue priority")
    rest("POST", "/channels", endpoint="Local/6002*7@coccd-callers", context="coccd-customer", extension="s",
         priority=1, channelId="c2", otherChannelId="c2-2", timeout=30)
    ev = wait_for(ev_is("StasisStart", "c2-2"), 3, "StasisStart c2-2")
    check(ev["args"] == ["inbound", "6002", "demo", "7"], f"args {ev['args']}")
    rest("POST", "/channels", {"variables": {"COCCD_QUEUE_PRIORITY": "3"}}, endpoint="Local/6001@coccd-callers",
         context="coccd-customer", extension="s", priority=1, channelId="c3", otherChannelId="c3-2", timeout=30)
    ev = wait_for(ev_is("StasisStart", "c3-2"), 3, "StasisStart c3-2")
    check(ev["args"] == ["inbound", "6001", "demo", "3"], f"args {ev['args']}")
    for c in ("c2-2", "c3-2"):
        rest("DELETE", f"/channels/{c}")

    section("IVR: continue the inbound customer into coccd-ivr, DTMF 42#")
    rest("POST", "/channels/c1-2/variable", variable="COCCD_IVR_PATH", value="1-2")
    st, _ = rest("POST", "/channels/c1-2/continue", context="coccd-ivr", extension="7000", priority=1)
    check(st == 204, "continue 204")
    wait_for(ev_is("StasisEnd", "c1-2"), 2, "StasisEnd c1-2")
    time.sleep(1.2)  # after the 1 s beep
    if AMI_PORT:
        name = rest("GET", "/channels/c1")[1]["name"]
        ami_dtmf(name, "42#")
        ev = wait_for(ev_is("StasisStart", "c1-2"), 5, "StasisStart c1-2 (ivr-return)")
        check(ev["args"] == ["ivr-return", "42", "7000", "1-2"], f"args {ev['args']}")
    else:
        ev = wait_for(ev_is("StasisStart", "c1-2"), 12, "StasisStart c1-2 (ivr-return)")
        check(ev["args"] == ["ivr-return", "timeout", "7000", "1-2"], f"args {ev['args']}")

    section("IVR on an app-originated external leg (t1), timeout")
    rest("POST", "/channels/t1/variable", variable="COCCD_IVR_PATH", value="3")
    rest("POST", "/channels/t1/variable", variable="COCCD_IVR_TIMEOUT", value="2")
    t = now()
    st, _ = rest("POST", "/channels/t1/continue", context="coccd-ivr", extension="7000", priority=1)
    check(st == 204, "continue 204")
    wait_for(ev_is("StasisEnd", "t1"), 2, "StasisEnd t1")
    ev = wait_for(ev_is("StasisStart", "t1"), 8, "StasisStart t1 (ivr-return)")
    check(ev["args"] == ["ivr-return", "timeout", "7000", "3"], f"args {ev['args']} after {ev['_t'] - t:.2f} s")

    section("13800000004 answers after 2 s, hangs up 5 s later")
    t = originate("t4", "Local/13800000004@coccd-outside", app="coccd", timeout=30)
    ev = wait_for(ev_is("StasisStart", "t4"), 4, "StasisStart t4")
    ta = ev["_t"]
    check(1.8 < ta - t < 2.6, f"answered after {ta - t:.2f} s")

    section("any other number answers after 3 s")
    t = originate("t5", "Local/0123456789@coccd-outside", app="coccd", timeout=30)
    ev = wait_for(ev_is("StasisStart", "t5"), 5, "StasisStart t5")
    check(2.8 < ev["_t"] - t < 3.6, f"answered after {ev['_t'] - t:.2f} s")
    ev = wait_for(ev_is("ChannelHangupRequest", "t4"), 6, "t4 far end hangs up")
    check(4.8 < ev["_t"] - ta < 5.6, f"t4 hung up {ev['_t'] - ta:.2f} s after answer, cause {ev.get('cause')}")
    wait_for(ev_is("ChannelDestroyed", "t4"), 2, "ChannelDestroyed t4")

    section("13800000003 never answers (timeout=3)")
    t = originate("t3", "Local/13800000003@coccd-outside", app="coccd", timeout=3)
    ev = wait_for(ev_is("ChannelDestroyed", "t3"), 6, "ChannelDestroyed t3")
    check(ev.get("cause") == 19 and 2.8 < ev["_t"] - t < 3.6, f"cause {ev.get('cause')} after {ev['_t'] - t:.2f} s")

    section("MOH and ARI hold are audible: the far end of m1 records what it hears")
    rest("POST", "/asterisk/variable", variable="COCCD_TEST_MONITOR", value="1")
    originate("m1", "Local/13800000001@coccd-outside", app="coccd", timeout=30)
    wait_for(ev_is("StasisStart", "m1"), 4, "StasisStart m1")
    time.sleep(1)
    rest("POST", "/channels/m1/moh", mohClass="default")
    time.sleep(3)
    rest("DELETE", "/channels/m1/moh")
    time.sleep(2)
    rest("POST", "/channels/m1/hold")
    time.sleep(3)
    rest("DELETE", "/channels/m1/hold")
    time.sleep(1)
    rest("DELETE", "/channels/m1")
    wait_for(ev_is("ChannelDestroyed", "m1"), 3, "ChannelDestroyed m1")
    rest("POST", "/asterisk/variable", variable="COCCD_TEST_MONITOR", value="0")
    time.sleep(0.5)
    path = os.path.join(RUN, "spool", "monitor", "m1-2-hears.wav")
    check(os.path.exists(path), f"{path} written")
    rows = tones(path, (600, 800))
    line = " ".join("M" if r[600] > -45 else "." for r in rows)
    log(f"  600 Hz per 0.5 s in m1-2-hears.wav: {line}")
    moh = sum(1 for r in rows if r[600] > -45)
    check(moh >= 8, f"MOH heard in {moh} of {len(rows)} half-second windows (both moh and hold)")

    section("bridge recording of customer + agent")
    # c1-2 is back in Stasis (ivr-return); bridge it again with a1 and record the bridge
    rest("POST", "/bridges/b1/addChannel", channel="c1-2")
    st, _ = rest("POST", "/bridges/b1/record", name="smoke-b1", format="wav", ifExists="overwrite")
    check(st == 201, "bridge record 201")
    time.sleep(2)
    rest("POST", "/recordings/live/smoke-b1/stop")
    wait_for(ev_is("RecordingFinished"), 3, "RecordingFinished")
    path = os.path.join(RUN, "spool", "recording", "smoke-b1.wav")
    rows = tones(path, (900, 1100))
    both = sum(1 for r in rows if r[900] > -45 and r[1100] > -45)
    check(both >= 2, f"{path}: customer 900 Hz and agent 1100 Hz both in {both} of {len(rows)} windows")

    for c in ("t1", "t5", "a1", "c1-2"):
        rest("DELETE", f"/channels/{c}")
    rest("DELETE", "/bridges/b1")
    time.sleep(0.5)
    st, chans = rest("GET", "/channels")
    check(chans == [], "no channels left")
    ws.close()
    log("all checks passed")


if __name__ == "__main__":
    main()
