"""Real-client test: zeep, a strict WSDL toolkit, loads coccd's WSDL without warnings and calls it.

Usage: python3 zeep_test.py http://127.0.0.1:PORT      Ends with "N passed, M failed".
zeep binds the response part by name: a renamed or namespace-qualified <return> would raise here.
"""
import sys
import warnings

import zeep
from zeep.transports import Transport

base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:4580"
passed = failed = 0


def check(name, actual, expected):
    global passed, failed
    ok = expected(actual) if callable(expected) else actual == expected
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}\n     got:      {actual!r}" + ("" if callable(expected) else f"\n     expected: {expected!r}"))


A = dict(orgidentity="demo", usertype="agent", user="8004", pwdtype="plaintext", password="123456")
warnings.simplefilter("error")  # any warning while loading or calling fails the run

for style in ["rpc-literal", "doc-literal"]:
    url = f"{base}/coccwi.php?wsdl" + ("" if style == "rpc-literal" else f"={style}")
    try:
        client = zeep.Client(url, settings=zeep.Settings(strict=True), transport=Transport(timeout=10))
    except Exception as error:  # noqa: BLE001 - report whatever the toolkit raised
        check(f"{style}: WSDL loads", repr(error), "no error")
        continue
    check(f"{style}: WSDL loads", True, True)
    operations = sorted(client.service._binding._operations.keys())
    check(f"{style}: operations", operations, sorted([
        "acwAction", "acwOff", "agentRealtime", "agentStatus", "agentToIvr", "agentgroupStatus", "backCall", "callReturn", "conference", "consult", "forcedRelease", "getMonitor", "groupStatusNum", "hangup", "hold", "importWS", "intrude",
        "login", "logout", "makeCall", "queueAction", "queueCustomerNum", "queuePause", "resume", "sendDtmf", "setVar", "setdevice", "silentMonitor", "teamStatus", "transfer", "whisper", "workwayAction",
        "dialerList", "monitorCtrl", "qbackCall", "setDefaultGroup"]))  # the vendor extras
    check(f"{style}: login", client.service.login(**A), lambda s: s.startswith("|Retuen|1|Retuen|BackMsg_04|Retuen|agent_group_id=2&groupname=Support"))
    check(f"{style}: agentStatus", client.service.agentStatus(**A), "|Retuen|1|Retuen|BackMsg_43|Retuen|2-idle,")
    blank = {k: "" for k in ["source_user", "source_pwd", "exetime", "delrow", "phone_field", "priority_field", "dialtime_field"]}
    # Imports are for accounts unless the team allows agents (BackMsg_38 for an agent here).
    admin = {"orgidentity": "demo", "usertype": "account", "user": "admin", "pwdtype": "plaintext", "password": "admin123"}
    check(f"{style}: importWS (21 parameters) for a campaign that does not exist",
          client.service.importWS(modeltype="Campaign", model_id="404", source="data", context="phone1=1", emptyagent="no", resetstatus="no",
                                  dupway="skip", dupdiallist="ignoreDuplicate", changepackage="skip", **blank, **admin), "|Retuen|2|Retuen|BackMsg_73")
    check(f"{style}: importWS from an agent of a team that does not allow agent imports",
          client.service.importWS(modeltype="Campaign", model_id="404", source="data", context="phone1=1", emptyagent="no", resetstatus="no",
                                  dupway="skip", dupdiallist="ignoreDuplicate", changepackage="skip", **blank, **A), "|Retuen|2|Retuen|BackMsg_38")
    check(f"{style}: queuePause", client.service.queuePause(type="1", pause_reason="rest", dnd="", **{k: v for k, v in A.items()}), "|Retuen|1|Retuen|BackMsg_14")
    check(f"{style}: unpause", client.service.queuePause(type="2", pause_reason="", dnd="", **A), "|Retuen|1|Retuen|BackMsg_14")
    check(f"{style}: groupStatusNum", client.service.groupStatusNum(orgidentity="demo", queuenumber="6002", type="idle"), lambda s: s.startswith("1|"))
    check(f"{style}: setdevice", client.service.setdevice(orgidentity="demo", exten="8004", user="8004", pwdtype="md5", password="e10adc3949ba59abbe56e057f20f883e"), "|Retuen|1|Retuen|BackMsg_112")
    check(f"{style}: logout", client.service.logout(**A), "|Retuen|1|Retuen|BackMsg_08")
    try:
        client.service.login(**{**A, "password": "wrong"})
        check(f"{style}: failure is a reply, not a fault", True, True)
    except zeep.exceptions.Fault as fault:
        check(f"{style}: failure is a reply, not a fault", fault.message, "no fault")

print(f"\n{passed} passed, {failed} failed")
sys.exit(0 if failed == 0 else 1)
