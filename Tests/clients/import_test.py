#!/usr/bin/env python3
"""importWS against a running coccd with real file servers and clients:
- an FTP server (pyftpdlib, with a user and password) serving a GB18030 CSV, imported through the
  HTTP interface (EVENT=Import, source=ftp);
- an HTTP server serving a UTF-8 CSV with a BOM, imported through PHP's SoapClient (importWS);
- the task status from the JSON endpoint and the CLI; the FTP password never in the log, nor in
  the stored URL when it was written as userinfo;
- agents import only where their team allows it (`coccd team update --allow-agent-import`);
- a progressive campaign that dials the imported list on the simulated switch.

Usage: import_test.py BASE COCCD DATA_DIR      Ends with "N passed, M failed".
"""
import http.server, json, os, sqlite3, subprocess, sys, tempfile, threading, time, urllib.parse, urllib.request
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.log import config_logging
from pyftpdlib.servers import FTPServer
from tally import check, finish

config_logging(level=40)   # errors only

BASE, COCCD, DATA = sys.argv[1], sys.argv[2], sys.argv[3]
ACCOUNT = {"orgidentity": "demo", "usertype": "account", "user": "admin", "pwdtype": "plaintext", "password": "admin123"}



def coccd(*args):
    return subprocess.run([COCCD, *args, "--data-dir", DATA], check=True, capture_output=True, text=True).stdout


def stored(sql):
    """One column of the store's rows: PostgreSQL (COCCD_DATABASE_URL, through psql) or SQLite."""
    url = os.environ.get("COCCD_DATABASE_URL")
    if url:
        out = subprocess.run(["psql", url, "-X", "-A", "-t", "-c", sql], check=True, capture_output=True, text=True).stdout
        return out.split("\n")[:-1] if out else []
    db = sqlite3.connect(os.path.join(DATA, "coccd.sqlite"))
    try:
        return [row[0] for row in db.execute(sql)]
    finally:
        db.close()


def form(params):
    data = urllib.parse.urlencode(params).encode()
    return urllib.request.urlopen(urllib.request.Request(BASE + "/coccinterfaces", data=data), timeout=10).read().decode()


def task(tid):
    query = urllib.parse.urlencode({**ACCOUNT, "taskid": tid})
    return json.loads(urllib.request.urlopen(BASE + "/coccinterface/importtask?" + query, timeout=10).read())


def wait_task(tid, seconds=15):
    deadline = time.time() + seconds
    while time.time() < deadline:
        t = task(tid)
        if t["state"] in ("done", "failed"):
            return t
        time.sleep(0.3)
    return task(tid)


def importing(context, source, **extra):
    params = {"EVENT": "Import", **ACCOUNT, "modeltype": "Campaign", "model_id": "Autumn", "source": source, "context": context,
              "source_user": "", "source_pwd": "", "exetime": "", "delrow": "1", "phone_field": "电话号码一", "priority_field": "",
              "dialtime_field": "", "emptyagent": "no", "resetstatus": "no", "dupway": "skip", "dupdiallist": "ignoreDuplicate",
              "changepackage": "skip"}
    params.update(extra)
    return params


def main():
    files = tempfile.mkdtemp()
    # What Excel writes on Chinese Windows: GB18030 (GBK), CRLF, a quoted field with a comma.
    with open(os.path.join(files, "gb.csv"), "wb") as f:
        f.write('姓名,电话号码一,备注\r\n张三,13800000004,"老客户, VIP"\r\n李四,13800000002,\r\n'.encode("gb18030"))
    with open(os.path.join(files, "bom.csv"), "wb") as f:
        f.write("\ufeffName,Phone number 1\n王五,13800000011\n".encode("utf-8"))

    authorizer = DummyAuthorizer()
    authorizer.add_user("cocc", "s3cret-ftp", files, perm="elr")
    handler = FTPHandler
    handler.authorizer = authorizer
    handler.passive_ports = range(40000, 40100)
    ftp = FTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=ftp.serve_forever, kwargs={"handle_exit": False}, daemon=True).start()
    ftp_port = ftp.socket.getsockname()[1]

    class Files(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=files, **k)

        def log_message(self, *args):
            pass

    web = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Files)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    web_port = web.server_address[1]

    # Provisioning: a group with one agent for the dialer, a package, a campaign.
    coccd("group", "add", "--team", "demo", "--name", "Outbound", "--queue", "6041", "--id", "41")
    coccd("agent", "add", "--team", "demo", "8401", "--password", "pw8401", "--name", "Dialer Agent")
    coccd("member", "add", "--team", "demo", "--group", "41", "--agent", "8401")
    coccd("package", "add", "--team", "demo", "--name", "Autumn leads")
    coccd("campaign", "add", "--team", "demo", "--name", "Autumn", "--group", "41", "--package", "Autumn leads")
    time.sleep(1.5)

    # FTP, through the HTTP interface, with the server's credentials.
    reply = form(importing("ftp://127.0.0.1:%d/gb.csv" % ftp_port, "ftp", source_user="cocc", source_pwd="s3cret-ftp"))
    check("Import source=ftp answers a task id", reply.startswith("|Retuen|1|Retuen|") and reply.split("|")[-1].isdigit(), reply)
    t = wait_task(reply.split("|")[-1])
    check("the FTP task imported both GB18030 rows", t["state"] == "done" and t["imported"] == 2 and t["predialed"] == 2, t)
    customers = coccd("package", "customers", "--team", "demo", "--package", "Autumn leads")
    check("names and the quoted note came through GB18030", "name=张三" in customers and "note=老客户, VIP" in customers, customers)

    # HTTP, through PHP's SoapClient in WSDL mode.
    php = r'''
    $c = new SoapClient($argv[1] . "/coccwi.php?wsdl", ["cache_wsdl" => WSDL_CACHE_NONE]);
    echo $c->importWS("demo", "account", "admin", "plaintext", "admin123", "Campaign", "Autumn", "http", $argv[2], "", "", "", "1",
                      "phone1", "", "", "no", "no", "skip", "ignoreDuplicate", "skip");
    '''
    out = subprocess.run(["php", "-r", php, BASE, "http://127.0.0.1:%d/bom.csv" % web_port], capture_output=True, text=True)
    check("PHP SoapClient importWS source=http answers a task id", out.stdout.startswith("|Retuen|1|Retuen|"), out.stdout + out.stderr)
    if out.stdout.startswith("|Retuen|1|Retuen|"):
        t = wait_task(out.stdout.split("|")[-1])
        check("the BOM file imported by English labels", t["state"] == "done" and t["imported"] == 1, t)

    # The same FTP file again: duplicates, nothing new.
    reply = form(importing("ftp://127.0.0.1:%d/gb.csv" % ftp_port, "ftp", source_user="cocc", source_pwd="s3cret-ftp"))
    t = wait_task(reply.split("|")[-1])
    check("a second import finds duplicates", t["duplicates"] == 2 and t["imported"] == 0, t)
    # The credentials as userinfo: used for the login, never stored in the task's URL.
    reply = form(importing("ftp://cocc:s3cret-ftp@127.0.0.1:%d/gb.csv" % ftp_port, "ftp"))
    t = wait_task(reply.split("|")[-1])
    check("userinfo credentials log in to the FTP server", t["state"] == "done" and t["duplicates"] == 2, t)
    urls = stored("SELECT url FROM import_tasks")
    pwds = stored("SELECT source_pwd FROM import_tasks WHERE state IN ('done', 'failed')")
    check("no stored URL keeps a password, no finished task a source_pwd", all("s3cret" not in u and "@" not in u for u in urls)
          and all(p == "" for p in pwds), urls)
    # Agents import only where the team allows it.
    agent = {"orgidentity": "demo", "usertype": "agent", "user": "8401", "pwdtype": "plaintext", "password": "pw8401"}
    record = {**importing("姓名=坐席导入||phone1=13800000021", "data"), **agent, "phone_field": ""}
    reply = form(record)
    check("an agent's import is refused by default (BackMsg_38)", reply == "|Retuen|2|Retuen|BackMsg_38", reply)
    coccd("team", "update", "demo", "--allow-agent-import", "yes")
    check("coccd team list shows the setting", "agent_import=yes" in coccd("team", "list"))
    reply = form(record)
    check("once the team allows it, the agent's import goes in", reply == "|Retuen|1|Retuen|BackMsg_84", reply)
    coccd("team", "update", "demo", "--allow-agent-import", "no")
    reply = form({**record, "context": "phone1=13800000022"})
    check("and is refused again when it no longer does", reply == "|Retuen|2|Retuen|BackMsg_38", reply)
    # Wrong FTP password, a missing file, a host outside the allow-list.
    reply = form(importing("ftp://127.0.0.1:%d/gb.csv" % ftp_port, "ftp", source_user="cocc", source_pwd="wrong"))
    t = wait_task(reply.split("|")[-1])
    check("a refused FTP login fails the task with BackMsg_89", t["state"] == "failed" and t["error"].startswith("BackMsg_89"), t)
    reply = form(importing("http://127.0.0.1:%d/none.csv" % web_port, "http"))
    check("a missing file fails with BackMsg_404", wait_task(reply.split("|")[-1])["error"].startswith("BackMsg_404"))
    check("a host outside the allow-list is refused at once", form(importing("http://192.0.2.1/x.csv", "http")) == "|Retuen|2|Retuen|BackMsg_89")
    status = coccd("import", "status", "--team", "demo")
    check("coccd import status lists the tasks", status.count("\tdone\t") >= 3 and "\tfailed\t" in status, status)
    log = open(os.path.join(DATA, "coccd.log"), encoding="utf-8", errors="replace").read()
    check("the FTP password is never logged", "s3cret-ftp" not in log and "task started" in log)

    # The dialer works the list: 13800000004 answers (and hangs up), 13800000002 is busy.
    form({"EVENT": "LOGIN", **agent})
    coccd("campaign", "start", "--team", "demo", "Autumn")
    deadline = time.time() + 30
    listed = ""
    while time.time() < deadline:
        listed = coccd("campaign", "predial", "--team", "demo", "Autumn")
        if "status=answered" in listed and "result=busy" in listed:
            break
        time.sleep(0.5)
    check("the campaign dialled its list: answered and busy (retry pending)",
          "phone=13800000004\tpriority=0\tstatus=answered" in listed and "phone=13800000002\tpriority=0\tstatus=pending\tattempts=1\tresult=busy" in listed, listed)
    coccd("campaign", "stop", "--team", "demo", "Autumn")
    events = coccd("events", "list", "--team", "demo")
    check("campaign calls carry modeltype=Campaign and model_id", "activenum=8401&source=AGENT&event=ringing" in events
          and "modeltype=Campaign&model_id=" in events.split("activenum=8401&source=AGENT&event=ringing")[1][:400])
    form({"EVENT": "LOGOUT", **agent})
    ftp.close_all()
    web.shutdown()


try:
    main()
except Exception as error:
    check("import test ran", False, repr(error))
finish()
