#!/usr/bin/env bash
# Real-client test: curl against a running coccd (started by run.sh): the HTTP form interface,
# JSONP, the CJI assets, the WSDL, CORS and metrics. Ends with "N passed, M failed".
set -u
BASE=${1:-http://127.0.0.1:4580}
passed=0
failed=0
AUTH="orgidentity=demo&usertype=agent&user=8002&pwdtype=plaintext&password=123456"

expect_eq() {  # name actual expected
    if [ "$2" == "$3" ]; then passed=$((passed + 1)); echo "ok   $1"
    else failed=$((failed + 1)); printf 'FAIL %s\n     got:      %s\n     expected: %s\n' "$1" "$2" "$3"; fi
}
expect_match() {  # name actual pattern
    if [[ "$2" == $3 ]]; then passed=$((passed + 1)); echo "ok   $1"
    else failed=$((failed + 1)); printf 'FAIL %s\n     got:      %s\n     pattern:  %s\n' "$1" "$2" "$3"; fi
}

expect_contains() {  # name actual fixed-string
    if printf '%s' "$2" | grep -qiF -- "$3"; then passed=$((passed + 1)); echo "ok   $1"
    else failed=$((failed + 1)); printf 'FAIL %s\n     got:      %.300s\n     missing:  %s\n' "$1" "$2" "$3"; fi
}

# HTTP form interface, GET and POST, exact bodies.
expect_match "GET LOGIN" "$(curl -s "$BASE/coccinterfaces?EVENT=LOGIN&$AUTH")" '|Retuen|1|Retuen|BackMsg_04|Retuen|agent_group_id=1&groupname=Sales&status=idel&*'
expect_eq "POST QUEUE" "$(curl -s -d "EVENT=QUEUE&type=1&list=&$AUTH" "$BASE/coccinterfaces")" '|Retuen|3|Retuen|1:CheckedIn'
expect_eq "POST QUEUEPAUSE" "$(curl -s -d "EVENT=QUEUEPAUSE&type=1&pause_reason=rest&$AUTH" "$BASE/coccinterfaces")" '|Retuen|1|Retuen|BackMsg_14'
expect_eq "AGENTSTATUS" "$(curl -s "$BASE/coccinterfaces?EVENT=AGENTSTATUS&$AUTH")" '|Retuen|1|Retuen|BackMsg_43|Retuen|1-pause,'
expect_eq "ACW" "$(curl -s -d "EVENT=ACW&type=3&agent_group_id=&$AUTH" "$BASE/coccinterfaces")" '|Retuen|1|Retuen|BackMsg_59'
expect_eq "ACWOFF" "$(curl -s -d "EVENT=ACWOFF&$AUTH" "$BASE/coccinterfaces")" '|Retuen|2|Retuen|BackMsg_90'
expect_eq "WORKWAY" "$(curl -s -d "EVENT=WORKWAY&status=all&$AUTH" "$BASE/coccinterfaces")" '|Retuen|1|Retuen|BackMsg_62'
expect_eq "AgentgroupStatus (not admin)" "$(curl -s -d "EVENT=AgentgroupStatus&agent_group_id=1&status=all&$AUTH" "$BASE/coccinterfaces")" '|Retuen|2|Retuen|BackMsg_65'
expect_eq "TeamStatus" "$(curl -s -d "EVENT=TeamStatus&status=pause&$AUTH" "$BASE/coccinterfaces")" '|Retuen|1|Retuen|8002:pause'
expect_match "AgentRealtime" "$(curl -s -d "EVENT=AgentRealtime&$AUTH" "$BASE/coccinterfaces")" '|Retuen|1|Retuen|Agent 8002|8002|pause|*'
expect_eq "SetDevice (static only)" "$(curl -s -d "EVENT=SetDevice&orgidentity=demo&exten=8010&user=8002&pwdtype=plaintext&password=123456" "$BASE/coccinterfaces")" '|Retuen|1|Retuen|BackMsg_112'
expect_eq "MAKECALL" "$(curl -s -d "EVENT=MAKECALL&targetdn=13800000002&targettype=exter&agentgroupid=1&modeltype=Campaign&model_id=1&userdata=a%3D1%26b%3D2&$AUTH" "$BASE/coccinterfaces")" '|Retuen|1|Retuen|BackMsg_19'
expect_eq "HANGUP without uniqueid or targetagent" "$(curl -s -d "EVENT=HANGUP&target=all&$AUTH" "$BASE/coccinterfaces")" '|Retuen|2|Retuen|BackMsg_01'
expect_eq "HANGUP all" "$(curl -s -d "EVENT=HANGUP&target=all&targetagent=8002&$AUTH" "$BASE/coccinterfaces")" '|Retuen|1|Retuen|BackMsg_37'
expect_eq "HANGUP nothing left" "$(curl -s -d "EVENT=HANGUP&target=all&targetagent=8002&$AUTH" "$BASE/coccinterfaces")" '|Retuen|2|Retuen|BackMsg_92'
expect_eq "CONSULT without a call" "$(curl -s -d "EVENT=CONSULT&targetdn=8001&agentgroupid=1&consulttype=internal&$AUTH" "$BASE/coccinterfaces")" '|Retuen|2|Retuen|BackMsg_56[pause]'
expect_eq "Hold without a call" "$(curl -s -d "EVENT=Hold&silence=1&$AUTH" "$BASE/coccinterfaces")" '|Retuen|2|Retuen|BackMsg_92'
expect_eq "LOGOUT" "$(curl -s -d "EVENT=LOGOUT&$AUTH" "$BASE/coccinterfaces")" '|Retuen|1|Retuen|BackMsg_08'
expect_eq "lang=cn" "$(curl -s "$BASE/coccinterfaces?EVENT=LOGIN&orgidentity=demo&usertype=agent&user=8002&pwdtype=plaintext&password=x&lang=cn")" '|Retuen|2|Retuen|工号不存在或密码错误'
expect_eq "unknown EVENT" "$(curl -s "$BASE/coccinterfaces?EVENT=NOPE")" '|Retuen|2|Retuen|BackMsg_28'
expect_eq "content type" "$(curl -s -o /dev/null -w '%{content_type}' "$BASE/coccinterfaces?EVENT=LOGOUT&$AUTH")" 'text/plain; charset=utf-8'

# An inbound call through the simulator: 8005 takes it, then hangs up the caller.
A5="orgidentity=demo&usertype=agent&user=8005&pwdtype=plaintext&password=123456"
curl -s "$BASE/coccinterfaces?EVENT=LOGIN&$A5" > /dev/null
inbound=$(curl -s -X POST "$BASE/simulator/inbound?orgidentity=demo&user=admin&password=admin123&to=6002&from=0138888888888")
expect_match "simulator inbound" "$inbound" '{"uniqueid":*'
caller=$(sed 's/.*"uniqueid":\([0-9]*\).*/\1/' <<< "$inbound")
sleep 1.5
expect_eq "inbound answered" "$(curl -s "$BASE/coccinterfaces?EVENT=AGENTSTATUS&$A5")" '|Retuen|1|Retuen|BackMsg_43|Retuen|2-busy,'
expect_eq "queueCustomerNum (HTTP)" "$(curl -s "$BASE/coccinterfaces?EVENT=queueCustomerNum&orgidentity=demo&queuenumber=6002")" '|Retuen|1|Retuen|1|0|0|1'
# Per uniqueid for any target (3.13): the agent's own leg is not the caller; the caller's is.
expect_eq "HANGUP caller by uniqueid" "$(curl -s -d "EVENT=HANGUP&target=caller&uniqueid=$((caller + 1)),$caller&$A5" "$BASE/coccinterfaces")" \
    "|Retuen|1|Retuen|$((caller + 1)):failed,$caller:success"
expect_eq "queue empty" "$(curl -s "$BASE/coccinterfaces?EVENT=queueCustomerNum&orgidentity=demo&queuenumber=0&prio=0")" '|Retuen|1|Retuen|0|0|0|0'
curl -s "$BASE/coccinterfaces?EVENT=LOGOUT&$A5" > /dev/null

expect_eq "DeviceCallBackCall" "$(curl -s -d "EVENT=DeviceCallBackCall&orgidentity=demo&exten=13800000002&targetdn=13800000001&callerid=&user=admin&password=admin123&pwdtype=plaintext" "$BASE/coccinterfaces")" '|Retuen|1|Retuen|BackMsg_19'

# JSONP and the CJI assets.
expect_eq "JSONP login" "$(curl -s "$BASE/setevent/loginCJI?callback=cb&orgidentity=demo&usertype=agent&user=8003&pwdtype=plaintext&password=bad")" '/**/cb({"code":2,"message":"BackMsg_03"});'
expect_match "JSONP agentStatus" "$(curl -s "$BASE/coccinterface/setevent/agentStatusCJI?callback=jQuery_1&_=1&orgidentity=demo&usertype=agent&user=8003&pwdtype=plaintext&password=123456")" '/\*\*/jQuery_1({"code":1,"message":"BackMsg_43","status":"1-*'
# The vendor plugin's extras (more in vendor_extras_test.py).
expect_eq "POST DefaultGroup" "$(curl -s -d "EVENT=DefaultGroup&agent_group_id=1&$AUTH" "$BASE/asterccinterfaces")" '|Retuen|1|Retuen|BackMsg_14'
expect_eq "JSONP monitorCtrlCJI without a call" "$(curl -s "$BASE/setevent/monitorCtrlCJI?callback=cb&action=start&pushevent=no&$AUTH")" '/**/cb({"code":2,"message":"BackMsg_92"});'
expect_eq "JSONP bad callback" "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/setevent/loginCJI?callback=alert(1)")" '400'
expect_contains "plugin" "$(curl -s "$BASE/coccinterface/astcc_CJI.js")" '"loginCJI": ["orgidentity", "usertype", "user", "pwdtype", "password", "callbackFuc"]'
expect_eq "test page" "$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$BASE/coccinterface/test_CJI.html")" '200 text/html; charset=utf-8'

# WSDL, SOAP with curl, CORS, metrics.
expect_match "WSDL" "$(curl -s "$BASE/coccwi.php?wsdl")" '*<soap:address location="'"$BASE"'/coccwi.php"/>*'
expect_match "WSDL file" "$(curl -s "$BASE/coccwi.wsdl")" '*<soap:address location="'"$BASE"'/coccwi.php"/>*'
SOAP='<?xml version="1.0"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><ns1:groupStatusNum xmlns:ns1="urn:coccwi"><orgidentity>demo</orgidentity><queuenumber>6002</queuenumber></ns1:groupStatusNum></SOAP-ENV:Body></SOAP-ENV:Envelope>'
expect_match "SOAP via curl" "$(curl -s -H 'Content-Type: text/xml' -H 'SOAPAction: ""' --data-binary "$SOAP" "$BASE/coccwi.php")" '*<return>1|*'
expect_contains "CORS preflight" "$(curl -s -i -X OPTIONS -H 'Origin: http://crm.test' -H 'Access-Control-Request-Method: POST' "$BASE/coccinterfaces" | tr -d '\r')" 'access-control-allow-origin: *'
expect_match "metrics" "$(curl -s "$BASE/metrics")" '*coccd_requests_total{operation="login",interface="http",code="1"}*'
expect_eq "100-continue" "$(curl -s -o /dev/null -w '%{http_code}' -H 'Expect: 100-continue' --data-binary "EVENT=LOGOUT&$AUTH" "$BASE/coccinterfaces")" '200'
expect_eq "413" "$(head -c 400000 /dev/zero | tr '\0' 'a' | curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: text/xml' --data-binary @- "$BASE/coccwi.php")" '413'

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
