#!/usr/bin/env python3
"""The agent desk, the wallboard, the simulator panel and the start page in a real Chromium
(Debian's chromium and chromium-driver, Selenium from PyPI), against a coccd of its own with the
demo team, so that it can stop and restart the server under the open pages.

Scenarios (each fails on any JavaScript error in the page's console):
  accessible names in English (exact) and Chinese; an agent logs in and pauses for lunch, and
  the wallboard shows it within 1 s; ready; an inbound call from the simulator panel rings the
  desk (banner: caller, queue), the simulator answers and the timer runs; hold and resume; a
  supervisor listens from the wallboard; consult another agent and transfer; hang up; a dialled
  call with ACW after answer, then End ACW; a recording plays in the page; the server stops and
  starts again under the open desk, which carries on with no event lost or repeated; and no page
  ever requests a URL with a password in it.

Screenshots of every page at 1280x800 and 390x844 go to SHOTS.

Usage: desk_browser_test.py COCCD PORT SHOTS      Ends with "N passed, M failed".
"""
import json, os, re, shutil, signal, subprocess, sys, tempfile, time, urllib.parse, urllib.request
from tally import check, finish

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

COCCD, PORT, SHOTS = sys.argv[1], int(sys.argv[2]), sys.argv[3]
BASE = "http://127.0.0.1:%d" % PORT
PASSWORDS = {"123456", "admin123"}
DATA = tempfile.mkdtemp(prefix="coccd-desk-")
LOG = open(os.path.join(DATA, "coccd.log"), "ab")
os.makedirs(SHOTS, exist_ok=True)
server = None
drivers = []


def start_server():
    global server
    server = subprocess.Popen([COCCD, "--demo", "--data-dir", DATA, "--port", str(PORT)], stdout=LOG, stderr=LOG)
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            urllib.request.urlopen(BASE + "/health", timeout=1).read()
            return
        except Exception:
            time.sleep(0.1)
    raise SystemExit("coccd did not start")


def stop_server():
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=20)


def browser():
    options = Options()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,800",
                 "--autoplay-policy=no-user-gesture-required", "--lang=en-US"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
    driver.requested = []
    drivers.append(driver)
    return driver


def viewport(driver, width, height):
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def screenshot(driver, name):
    for width, height in ((1280, 800), (390, 844)):
        viewport(driver, width, height)
        time.sleep(0.4)
        driver.save_screenshot(os.path.join(SHOTS, "%s-%dx%d.png" % (name, width, height)))
    viewport(driver, 1280, 800)


def collect(driver):
    """The page's console errors since last asked (network failures aside), and the URLs it requested."""
    errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE" and e.get("source") != "network"]
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            driver.requested.append(message["params"]["request"]["url"])
    return errors


def scenario(name, *pages):
    errors = [e for page in pages for e in collect(page)]
    check(name + ": no JavaScript error in the console", not errors, errors)


def wait(predicate, seconds=10, step=0.05):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if predicate():
                return True
        except Exception:
            pass
        time.sleep(step)
    return False


def by_id(driver, id_):
    return driver.find_element(By.ID, id_)


def text(driver, id_):
    return driver.find_element(By.ID, id_).text


def card(board, group, agent):
    return board.find_element(By.CSS_SELECTOR, '#g%s-a%s' % (group, agent))


def card_status(board, group, agent):
    return card(board, group, agent).get_attribute("data-status")


def controls(driver):
    return driver.find_elements(By.CSS_SELECTOR, "button, input, select")


def names(driver):
    return {c.accessible_name for c in controls(driver) if c.is_displayed()}


def form(query):
    return urllib.request.urlopen(BASE + "/coccinterfaces?" + urllib.parse.urlencode(query), timeout=10).read().decode()


def token(usertype, user, password):
    data = urllib.parse.urlencode({"orgidentity": "demo", "usertype": usertype, "user": user, "password": password}).encode()
    return json.loads(urllib.request.urlopen(BASE + "/coccinterface/pushtoken", data=data, timeout=10).read())["token"]


def legs():
    q = urllib.parse.urlencode({"orgidentity": "demo", "user": "admin", "password": "admin123"})
    return json.loads(urllib.request.urlopen(BASE + "/simulator/legs?" + q, timeout=10).read())


def agent_events(agent_token, after):
    """The agent channel's event ids after `after`, read over SSE until it goes quiet."""
    url = BASE + "/coccinterface/events?" + urllib.parse.urlencode({"token": agent_token, "lastEventId": after})
    ids, named = [], False
    response = urllib.request.urlopen(url, timeout=2)
    try:
        while True:
            line = response.readline().decode()
            if line.startswith("event: "):
                named = True  # the opening `event: cursor` frame: not an event of the channel
            elif line.startswith("id: ") and not named:
                ids.append(int(line[4:]))
            elif line.strip() == "":
                named = False
    except Exception:
        pass
    return ids


def page_event_ids(desk):
    return [int(li.get_attribute("data-eventid")) for li in reversed(desk.find_elements(By.CSS_SELECTOR, "#events li"))]


def desk_login(desk, agent, lang="en", base=BASE):
    desk.get(base + "/desk/" + ("?lang=" + lang if lang else ""))
    by_id(desk, "team").clear()
    by_id(desk, "team").send_keys("demo")
    by_id(desk, "agent").clear()
    by_id(desk, "agent").send_keys(agent)
    by_id(desk, "password").send_keys("123456")
    by_id(desk, "login-button").click()
    return wait(lambda: by_id(desk, "work").is_displayed() and by_id(desk, "conn").text in ("connected", "已连接"))


def state(desk):
    return by_id(desk, "state").get_attribute("data-status")


try:
    start_server()

    # ---- the start page, in both languages ----
    start = browser()
    start.get(BASE + "/?lang=en")
    links = {a.get_attribute("id"): a.get_attribute("href") for a in start.find_elements(By.CSS_SELECTOR, "ul.links a")}
    check("start page links the desk, wallboard, simulator, WSDL, CJI test page and examples",
          all(k in links for k in ("link-desk", "link-wallboard", "link-simulator", "link-wsdl", "link-cji", "link-readme")), links)
    check("start page's examples carry this server's address", BASE + "/coccwi.php?wsdl" in text(start, "examples-text"))
    screenshot(start, "start")
    start.get(BASE + "/?lang=cn")
    check("start page in Chinese", by_id(start, "link-desk").text == "坐席工作台", by_id(start, "link-desk").text)
    scenario("start page", start)

    # ---- accessible names ----
    desk = browser()
    desk.get(BASE + "/desk/?lang=en")
    login_names = names(desk)
    check("desk login names: Team, Agent, Password, Log in", {"Team", "Agent", "Password", "Log in"} <= login_names, login_names)
    desk.get(BASE + "/desk/?lang=cn")
    cn_names = names(desk)
    check("desk in Chinese: 团队, 坐席, 密码, 登录", {"团队", "坐席", "密码", "登录"} <= cn_names, cn_names)
    check("desk has a role=status element", len(desk.find_elements(By.CSS_SELECTOR, '[role="status"]')) == 1)
    scenario("desk languages", desk)

    # ---- the wallboard ----
    board = browser()
    board.get(BASE + "/wallboard/?lang=en")
    by_id(board, "team").send_keys("demo")
    by_id(board, "user").send_keys("admin")
    by_id(board, "password").send_keys("admin123")
    by_id(board, "login-button").click()
    check("wallboard shows both groups", wait(lambda: len(board.find_elements(By.CSS_SELECTOR, "section.group")) == 2))
    by_id(board, "phone").send_keys("8010")
    by_id(board, "phone").send_keys("\t")

    # ---- login, pause for lunch, ready ----
    check("agent 8002 logs in on the desk", desk_login(desk, "8002"))
    check("desk says Idle", wait(lambda: text(desk, "state") == "Idle"), text(desk, "state"))
    check("wallboard shows 8002 idle", wait(lambda: card_status(board, 1, "8002") == "idle"))
    work_names = names(desk)
    wanted = {"Log out", "Pause", "Ready", "Number", "Dial", "Hold", "Resume", "Consult", "Transfer", "Conference",
              "Call return", "Hang up", "End ACW", "Reason"}
    check("desk names are exactly the issue's English names", wanted <= work_names, sorted(wanted - work_names))
    check("the pause reason is a select labelled Reason", by_id(desk, "reason").tag_name == "select"
          and by_id(desk, "reason").accessible_name == "Reason")
    Select(by_id(desk, "reason")).select_by_value("lunch")
    clicked = time.time()
    by_id(desk, "pause").click()
    shown = wait(lambda: card_status(board, 1, "8002") == "pause" and "Lunch" in card(board, 1, "8002").text, seconds=5, step=0.02)
    elapsed = time.time() - clicked
    check("wallboard shows 8002 paused for lunch within 1 s of the click (%.2f s)" % elapsed, shown and elapsed <= 1.0)
    check("desk says Paused – Lunch", wait(lambda: text(desk, "state") == "Paused – Lunch"), text(desk, "state"))
    time.sleep(1.2)
    check("time in state runs", wait(lambda: text(desk, "state-time") not in ("0:00", "")), text(desk, "state-time"))
    by_id(desk, "ready").click()
    check("ready: desk Idle, wallboard idle", wait(lambda: state(desk) == "idle" and card_status(board, 1, "8002") == "idle"))
    board_names = names(board)
    check("wallboard names: Listen, Whisper, Barge, Force release",
          {"Listen", "Whisper", "Barge", "Force release"} <= board_names, board_names)
    scenario("login, pause, ready", desk, board)

    # ---- an inbound call from the simulator panel ----
    panel = browser()
    panel.get(BASE + "/simulator/?lang=en")
    by_id(panel, "team").send_keys("demo")
    by_id(panel, "user").send_keys("admin")
    by_id(panel, "password").send_keys("admin123")
    by_id(panel, "login-button").click()
    check("simulator panel opens", wait(lambda: by_id(panel, "panel").is_displayed()))
    by_id(panel, "place").click()
    check("desk shows the incoming call: caller and queue",
          wait(lambda: by_id(desk, "incoming").is_displayed() and text(desk, "in-number") == "013912345678"
               and text(desk, "in-queue") == "Sales (6001)", seconds=10), text(desk, "incoming"))
    check("simulator panel lists the legs", wait(lambda: len(panel.find_elements(By.CSS_SELECTOR, "#legs tr")) >= 2))
    # The demo's agent phones answer by themselves after 1 s; the panel's Answer does it at once.
    ringing = [row for row in panel.find_elements(By.CSS_SELECTOR, "#legs tr") if row.get_attribute("data-number") == "8002"]
    if ringing and state(desk) == "ring":
        ringing[0].find_element(By.CSS_SELECTOR, 'button[data-action="answer"]').click()
    check("agent answered: desk Talking, wallboard busy with the caller's number",
          wait(lambda: state(desk) == "busy" and card_status(board, 1, "8002") == "busy"
               and "013912345678" in card(board, 1, "8002").text))
    check("banner gone once answered", wait(lambda: not by_id(desk, "incoming").is_displayed()))
    first = text(desk, "call-timer")
    time.sleep(2.2)
    check("call timer runs", text(desk, "call-timer") != first and by_id(desk, "call-timer").get_attribute("data-running") == "yes",
          (first, text(desk, "call-timer")))
    screenshot(desk, "desk")
    screenshot(board, "wallboard")
    screenshot(panel, "simulator")
    # Updates happen in place: a focused control keeps its focus while the state changes around it.
    board.execute_script("document.querySelector('#g1-a8002 button[data-action=\"listen\"]').focus();")
    by_id(desk, "hold").click()
    check("wallboard shows the hold", wait(lambda: "on hold" in card(board, 1, "8002").text), card(board, 1, "8002").text)
    check("the focused wallboard button kept its focus", board.execute_script(
        "var e = document.activeElement; return e.getAttribute('data-action') + ' ' + e.closest('article').id;") == "listen g1-a8002")
    check("hold: on hold, Resume enabled", wait(lambda: "on hold" in text(desk, "call-flags") and by_id(desk, "resume").is_enabled()))
    by_id(desk, "resume").click()
    check("resume: no longer on hold", wait(lambda: text(desk, "call-flags") == "" and by_id(desk, "hold").is_enabled()))
    # The same on the desk: a hold and resume from elsewhere (the HTTP interface) while a select has the focus.
    desk.execute_script("document.querySelector('tr[data-group=\"1\"] select').focus();")
    agent8002 = {"orgidentity": "demo", "usertype": "agent", "user": "8002", "pwdtype": "plaintext", "password": "123456"}
    form(dict(agent8002, EVENT="Hold", silence="0"))
    check("desk shows a hold made elsewhere", wait(lambda: "on hold" in text(desk, "call-flags")))
    form(dict(agent8002, EVENT="Resume"))
    check("and the resume", wait(lambda: text(desk, "call-flags") == ""))
    check("the focused desk select kept its focus", desk.execute_script(
        "return document.activeElement.matches('tr[data-group=\"1\"] select');"))
    scenario("inbound call, hold, resume", desk, board, panel)

    # ---- the supervisor listens ----
    card(board, 1, "8002").find_element(By.CSS_SELECTOR, 'button[data-action="listen"]').click()
    check("supervisor's phone 8010 rings for listening", wait(lambda: any(l["number"] == "8010" for l in legs())), legs())
    check("wallboard answered the listen without an error", text(board, "message") == "", text(board, "message"))
    scenario("listen", board)

    # ---- consult another agent, transfer ----
    other = browser()
    check("agent 8003 logs in on a second desk", desk_login(other, "8003"))
    check("8003 is idle", wait(lambda: state(other) == "idle"))
    by_id(desk, "number").send_keys("8003")
    Select(by_id(desk, "dial-type")).select_by_value("inner")
    by_id(desk, "consult").click()
    check("consulted desk rings, then talks", wait(lambda: state(other) == "busy", seconds=10), state(other))
    check("Transfer, Conference, Call return enabled while consulting",
          wait(lambda: all(by_id(desk, b).is_enabled() for b in ("transfer", "conference", "call-return"))))
    by_id(desk, "transfer").click()
    check("after the transfer the first agent is free", wait(lambda: state(desk) == "idle"), state(desk))
    check("8003 talks to the caller, on its desk and on the wallboard",
          wait(lambda: text(other, "call-number") == "013912345678" and "013912345678" in card(board, 1, "8003").text),
          text(other, "call-number"))
    by_id(other, "hangup").click()
    check("hang up: the call ends", wait(lambda: state(other) == "idle" and card_status(board, 1, "8003") == "idle"), state(other))
    check("wallboard counts the answered call", wait(lambda: board.find_element(
        By.CSS_SELECTOR, 'section[data-group="1"] [data-figure="answered"] .value').text == "1"))
    scenario("consult, transfer, hang up", desk, other, board)

    # ---- a dialled call with after-call work ----
    acw = desk.find_element(By.CSS_SELECTOR, 'tr[data-group="1"] select[aria-label^="ACW mode"]')
    Select(acw).select_by_value("2")
    check("ACW mode set to after answer", wait(lambda: desk.find_element(
        By.CSS_SELECTOR, 'tr[data-group="1"] select[aria-label^="ACW mode"]').get_attribute("value") == "2"))
    number = by_id(desk, "number")
    number.clear()
    number.send_keys("13800000001")
    Select(by_id(desk, "dial-type")).select_by_value("exter")
    by_id(desk, "dial").click()
    check("dialled call connects: the customer answers", wait(
        lambda: state(desk) == "busy" and text(desk, "call-number") == "13800000001"
        and by_id(desk, "call-timer").get_attribute("data-answered") == "yes", seconds=15), text(desk, "call-number"))
    time.sleep(1)
    by_id(desk, "hangup").click()
    check("after hang-up the agent is in ACW", wait(lambda: state(desk) == "acw" and by_id(desk, "end-acw").is_enabled()), state(desk))
    check("wallboard shows ACW", wait(lambda: card_status(board, 1, "8002") == "acw"))
    by_id(desk, "end-acw").click()
    check("End ACW: idle", wait(lambda: state(desk) == "idle"))
    scenario("dial, ACW, end ACW", desk, board)

    # ---- a recording plays ----
    check("today's calls list the recorded calls", wait(lambda: len(desk.find_elements(By.CSS_SELECTOR, "#calls tr button")) >= 2),
          text(desk, "calls"))
    desk.find_elements(By.CSS_SELECTOR, "#calls tr button")[0].click()
    loaded = wait(lambda: desk.execute_script(
        "var p = document.getElementById('player'); return p.readyState >= 1 && !p.error && p.duration > 0;"), seconds=10)
    check("the audio element loads the WAV", loaded, desk.execute_script(
        "var p = document.getElementById('player'); return [p.src, p.readyState, p.error && p.error.code];"))
    check("the figures of the day show one lunch pause", desk.find_element(By.CSS_SELECTOR, "#figures tr td:nth-child(7)").text == "1",
          text(desk, "figures"))
    scenario("recording", desk)

    # ---- the server goes away and comes back ----
    seen_before = page_event_ids(desk)
    stop_server()
    check("desk says reconnecting while the server is down", wait(lambda: text(desk, "conn") == "reconnecting…"), text(desk, "conn"))
    start_server()
    # Events while the page is still away: it must get them when it is back.
    form({"EVENT": "QUEUEPAUSE", "type": "1", "pause_reason": "training", "pushevent": "yes", "orgidentity": "demo", "usertype": "agent",
          "user": "8002", "pwdtype": "plaintext", "password": "123456"})
    check("desk reconnects by itself (no reload)", wait(lambda: text(desk, "conn") == "connected", seconds=15), text(desk, "conn"))
    check("desk shows the pause made while it was away", wait(lambda: text(desk, "state") == "Paused – Training"), text(desk, "state"))
    check("and its event", wait(lambda: any(li.get_attribute("data-event") == "paused" and "reason=training" in li.text
                                            for li in desk.find_elements(By.CSS_SELECTOR, "#events li"))))
    ids = page_event_ids(desk)
    truth = agent_events(token("agent", "8002", "123456"), ids[0] - 1) if ids else []
    check("the page holds every event of its channel, in order, none twice", ids == truth and len(ids) > len(seen_before),
          (ids, truth))
    check("wallboard is back too", wait(lambda: card_status(board, 1, "8002") == "pause", seconds=15))
    scenario("restart", desk, board)

    # ---- the network goes away and comes back: a desk through a proxy that cuts its connections ----
    proxy = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(__file__), "tcp_proxy.py"), str(PORT + 1), str(PORT)],
                             stdout=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        remote = browser()
        check("agent 8005 logs in through the proxy", desk_login(remote, "8005", base="http://127.0.0.1:%d" % (PORT + 1)))
        proxy.send_signal(signal.SIGUSR1)  # every connection cut, new ones refused
        check("the desk sees the network go", wait(lambda: text(remote, "conn") == "reconnecting…"), text(remote, "conn"))
        form({"EVENT": "QUEUEPAUSE", "type": "1", "pause_reason": "meeting", "pushevent": "yes", "orgidentity": "demo",
              "usertype": "agent", "user": "8005", "pwdtype": "plaintext", "password": "123456"})
        time.sleep(1)
        proxy.send_signal(signal.SIGUSR2)
        check("the desk comes back by itself", wait(lambda: text(remote, "conn") == "connected", seconds=15), text(remote, "conn"))
        check("with the pause made while the network was away", wait(lambda: text(remote, "state") == "Paused – Meeting"))
        ids = page_event_ids(remote)
        truth = agent_events(token("agent", "8005", "123456"), ids[0] - 1) if ids else []
        check("every event of the channel, none twice, after the outage", ids == truth and len(ids) >= 1, (ids, truth))
        scenario("network outage", remote)
    finally:
        proxy.terminate()

    # ---- a team whose language is cn: the desk speaks Chinese once logged in, without ?lang ----
    subprocess.run([COCCD, "team", "update", "--data-dir", DATA, "demo", "--language", "cn"], check=True, capture_output=True)
    time.sleep(2)  # the running server picks up the directory change
    chinese = browser()
    check("agent 8004 logs in on a desk without ?lang", desk_login(chinese, "8004", lang=None))
    check("the desk turns Chinese: 退出, 示忙, 示闲, 挂断, and the state", wait(
        lambda: {"退出", "示忙", "示闲", "挂断", "原因"} <= names(chinese) and text(chinese, "state") == "空闲"), sorted(names(chinese)))
    screenshot(chinese, "desk-cn")
    by_id(chinese, "logout").click()
    check("退出 logs out: the login form again, the wallboard shows 8004 logged out",
          wait(lambda: by_id(chinese, "login").is_displayed() and card_status(board, 2, "8004") == "logout"))
    scenario("team language cn", chinese)

    # ---- no password in any URL ----
    bad = []
    for page in drivers:
        collect(page)
        for url in page.requested:
            parts = urllib.parse.urlsplit(url)
            query = urllib.parse.parse_qs(parts.query)
            if any(v in PASSWORDS for values in query.values() for v in values) or any(p in parts.path for p in PASSWORDS) \
                    or ("password" in query and query.get("pwdtype") != ["token"]):
                bad.append(url)
    check("no page requested a URL with a password (%d URLs)" % sum(len(p.requested) for p in drivers), not bad, bad[:5])
finally:
    for d in drivers:
        try:
            d.quit()
        except Exception:
            pass
    if server and server.poll() is None:
        server.kill()
    shutil.rmtree(DATA, ignore_errors=True)
finish()
