<?php
// Real-client test: PHP's SoapClient against a running coccd (started by run.sh).
// Usage: php soap_client_test.php http://127.0.0.1:PORT
// Prints one line per check and ends with "N passed, M failed"; exits 1 on any failure.

$base = $argv[1] ?? 'http://127.0.0.1:4580';
$passed = 0;
$failed = 0;

function check($name, $actual, $expected) {
    global $passed, $failed;
    $ok = is_callable($expected) ? $expected($actual) : $actual === $expected;
    if ($ok) { $passed++; echo "ok   $name\n"; }
    else { $failed++; echo "FAIL $name\n     got:      " . var_export($actual, true) . "\n" . (is_callable($expected) ? '' : "     expected: " . var_export($expected, true) . "\n"); }
}

function startsWith($prefix) { return function ($s) use ($prefix) { return is_string($s) && strpos($s, $prefix) === 0; }; }

$A = ['demo', 'agent', '8001', 'plaintext', '123456'];       // orgidentity, usertype, user, pwdtype, password

// Runs the issue's operations through one client; $c($op, $args) calls by position (SOAP prototype order).
function exercise($label, $c) {
    global $A;
    [$org, $ut, $u, $pt, $pw] = $A;
    check("$label login", $c('login', $A), startsWith('|Retuen|1|Retuen|BackMsg_04|Retuen|agent_group_id=1&groupname=Sales&status=idel&groupadmin=yes&agenttype=static&agentline=online'));
    check("$label login wrong password", $c('login', [$org, $ut, $u, $pt, 'nope']), '|Retuen|2|Retuen|BackMsg_03');
    check("$label login md5", $c('login', [$org, $ut, $u, 'md5', md5('123456')]), startsWith('|Retuen|1|Retuen|BackMsg_04'));
    check("$label login wrong team", $c('login', ['nope', $ut, $u, $pt, $pw]), '|Retuen|2|Retuen|BackMsg_02');
    // queueAction(type,usertype,user,orgidentity,list,pwdtype,password,deviceexten,pushevent)
    check("$label queueAction in", $c('queueAction', ['1', $ut, $u, $org, '2', $pt, $pw, '', 'no']), '|Retuen|1|Retuen|2:success');
    check("$label queueAction again", $c('queueAction', ['1', $ut, $u, $org, '2,99', $pt, $pw, '', 'no']), '|Retuen|3|Retuen|2:CheckedIn,99:NotFoundGroup');
    check("$label agentStatus", $c('agentStatus', $A), '|Retuen|1|Retuen|BackMsg_43|Retuen|1-idle,2-idle,');
    check("$label setdevice refused", $c('setdevice', [$org, '8009', $u, $pt, $pw]), '|Retuen|2|Retuen|BackMsg_111');
    check("$label queueAction out", $c('queueAction', ['2', $ut, $u, $org, '2', $pt, $pw, '', 'no']), '|Retuen|1|Retuen|2:success');
    // setdevice(orgidentity, exten, user, pwdtype, password)
    check("$label setdevice", $c('setdevice', [$org, '8009', $u, $pt, $pw]), '|Retuen|1|Retuen|BackMsg_112');
    check("$label setdevice unknown", $c('setdevice', [$org, '1234', $u, $pt, $pw]), '|Retuen|2|Retuen|BackMsg_110');
    // queuePause(type,usertype,user,orgidentity,pwdtype,password,pause_reason,dnd)
    check("$label queuePause", $c('queuePause', ['1', $ut, $u, $org, $pt, $pw, 'lunch', '']), '|Retuen|1|Retuen|BackMsg_14');
    check("$label queuePause twice", $c('queuePause', ['1', $ut, $u, $org, $pt, $pw, 'lunch', '']), '|Retuen|2|Retuen|BackMsg_66');
    check("$label agentRealtime", $c('agentRealtime', $A), function ($s) {
        $f = explode('|', substr($s, strlen('|Retuen|1|Retuen|')));
        return strpos($s, '|Retuen|1|Retuen|Agent 8001|8001|pause|') === 0 && count($f) === 18 && (int)$f[4] >= 1 && $f[4] === $f[9];  // every pause today was a lunch
    });
    check("$label unpause", $c('queuePause', ['2', $ut, $u, $org, $pt, $pw, '', '']), '|Retuen|1|Retuen|BackMsg_14');
    // acwAction(type,usertype,user,orgidentity,pwdtype,password,agent_group_id)
    check("$label acwAction", $c('acwAction', ['2', $ut, $u, $org, $pt, $pw, '1']), '|Retuen|1|Retuen|BackMsg_59');
    check("$label acwAction not signed in", $c('acwAction', ['2', $ut, $u, $org, $pt, $pw, '2']), '|Retuen|2|Retuen|BackMsg_60');
    check("$label acwAction bad type", $c('acwAction', ['9', $ut, $u, $org, $pt, $pw, '']), '|Retuen|2|Retuen|BackMsg_13');
    // acwOff(usertype,user,orgidentity,pwdtype,password)
    check("$label acwOff", $c('acwOff', [$ut, $u, $org, $pt, $pw]), '|Retuen|2|Retuen|BackMsg_90');
    // workwayAction(status,usertype,user,orgidentity,pwdtype,password,agent_group_id)
    check("$label workwayAction", $c('workwayAction', ['dialout', $ut, $u, $org, $pt, $pw, '']), '|Retuen|1|Retuen|BackMsg_62');
    check("$label workwayAction bad group", $c('workwayAction', ['dialout', $ut, $u, $org, $pt, $pw, '2']), '|Retuen|2|Retuen|BackMsg_91');
    // agentgroupStatus(orgidentity,usertype,user,pwdtype,password,agent_group_id,status)
    check("$label agentgroupStatus", $c('agentgroupStatus', [$org, $ut, $u, $pt, $pw, '1', 'all']), '|Retuen|1|Retuen|8001:idle,8002:logout,8003:logout');
    check("$label agentgroupStatus not admin", $c('agentgroupStatus', [$org, $ut, '8002', $pt, $pw, '1', 'all']), '|Retuen|2|Retuen|BackMsg_65');
    check("$label agentgroupStatus account", $c('agentgroupStatus', [$org, 'account', 'admin', $pt, 'admin123', '2', 'logout']), '|Retuen|1|Retuen|8001:logout,8003:logout,8004:logout,8005:logout');
    // teamStatus(orgidentity,usertype,user,pwdtype,password,status)
    check("$label teamStatus", $c('teamStatus', [$org, 'account', 'admin', $pt, 'admin123', 'idle,pause']), '|Retuen|1|Retuen|8001:idle');
    check("$label teamStatus bad filter", $c('teamStatus', [$org, $ut, $u, $pt, $pw, 'asleep']), '|Retuen|2|Retuen|BackMsg_28');
    // groupStatusNum(orgidentity, queuenumber, type): no credentials
    check("$label groupStatusNum", $c('groupStatusNum', [$org, '6001', 'all']), '1|1|1|0|0|0|0');
    check("$label groupStatusNum idle", $c('groupStatusNum', [$org, '6001', 'Idle']), '1|1');
    check("$label groupStatusNum bad team", $c('groupStatusNum', ['nope', '6001', 'all']), '0|BackMsg_02');
    // queueCustomerNum(orgidentity, queuenumber, prio): SOAP's own 1|total|ringing|waiting|talking
    check("$label queueCustomerNum", $c('queueCustomerNum', [$org, '0', '0']), '1|0|0|0|0');
    check("$label queueCustomerNum bad queue", $c('queueCustomerNum', [$org, '7777', '']), '0|BackMsg_30');
    // getMonitor(sessionid, calldate, filename): filename (a recording segment) may be empty
    check("$label getMonitor unknown call", $c('getMonitor', [str_repeat('0', 32), date('Y-m-d'), '']), '|Retuen|2|Retuen|BackMsg_44');
    // backCall(orgidentity, exten, targetdn, callerid, user, password, pwdtype): the account is billed
    check("$label backCall wrong account", $c('backCall', [$org, '13800000002', '13800000001', '', 'admin', 'nope', $pt]), '|Retuen|2|Retuen|BackMsg_63');
    check("$label backCall", $c('backCall', [$org, '13800000002', '13800000001', '', 'admin', 'admin123', $pt]), '|Retuen|1|Retuen|BackMsg_19');
    // The vendor extras. setDefaultGroup(usertype,user,orgidentity,pwdtype,password,agent_group_id)
    check("$label setDefaultGroup", $c('setDefaultGroup', [$ut, $u, $org, $pt, $pw, '1']), '|Retuen|1|Retuen|BackMsg_14');
    check("$label setDefaultGroup unknown group", $c('setDefaultGroup', [$ut, $u, $org, $pt, $pw, '99']), '|Retuen|2|Retuen|BackMsg_50');
    // monitorCtrl(action,usertype,user,orgidentity,pwdtype,password,pushevent): no call to record
    check("$label monitorCtrl without a call", $c('monitorCtrl', ['start', $ut, $u, $org, $pt, $pw, 'no']), '|Retuen|2|Retuen|BackMsg_92');
    // dialerList(orgidentity,usertype,user,pwdtype,password,campaignid,phonenum,priority,dialtime, +importWS's duplicate options)
    check("$label dialerList unknown campaign", $c('dialerList', [$org, 'account', 'admin', $pt, 'admin123', '404', '13800000001', '', '', '', '', '', '', '']), '|Retuen|2|Retuen|BackMsg_73');
    // qbackCall(orgidentity,exten,targetdn,icallerid,xcallerid,user,password,pwdtype,userdata)
    check("$label qbackCall bad caller id", $c('qbackCall', [$org, '8009', '13800000001', '4001', '40&02', 'admin', 'admin123', $pt, '']), '|Retuen|2|Retuen|BackMsg_28');
    check("$label logout", $c('logout', $A), '|Retuen|1|Retuen|BackMsg_08');
    check("$label agentStatus after logout", $c('agentStatus', $A), '|Retuen|1|Retuen|BackMsg_43|Retuen|1-logout,2-logout,');
}

$names = ['login', 'logout', 'queueAction', 'queuePause', 'acwAction', 'acwOff', 'workwayAction', 'makeCall', 'consult',
          'transfer', 'callReturn', 'conference', 'hangup', 'intrude', 'silentMonitor', 'whisper', 'forcedRelease',
          'agentStatus', 'agentgroupStatus', 'hold', 'resume', 'groupStatusNum', 'queueCustomerNum', 'teamStatus', 'agentRealtime', 'sendDtmf', 'setVar', 'agentToIvr', 'backCall', 'setdevice', 'getMonitor', 'importWS',
          'dialerList', 'monitorCtrl', 'qbackCall', 'setDefaultGroup'];  // the vendor extras

// A real-time call on the simulated switch: agent 8004's phone answers after 1 s, 13800000001 after 2 s more.
function calls($label, $c) {
    $A4 = ['demo', 'agent', '8004', 'plaintext', '123456'];
    $c('login', $A4);
    // makeCall(targetdn,targettype,agentgroupid,usertype,user,orgidentity,pwdtype,password,modeltype,model_id,userdata,agentexten,callerid,trunkidentity)
    $dial = ['13800000001', 'exter', '2', 'agent', '8004', 'demo', 'plaintext', '123456', 'Campaign', '10', 'customer_id=109&pwd=asdfg', '', '', ''];
    check("$label makeCall", $c('makeCall', $dial), '|Retuen|1|Retuen|BackMsg_19');
    check("$label makeCall again", $c('makeCall', $dial), '|Retuen|2|Retuen|BackMsg_22');
    usleep(3600000);
    check("$label on the call", $c('agentStatus', $A4), '|Retuen|1|Retuen|BackMsg_43|Retuen|2-busy,');
    // hold(silence,orgidentity,usertype,user,pwdtype,password), resume(orgidentity,usertype,user,pwdtype,password)
    check("$label hold", $c('hold', ['0', 'demo', 'agent', '8004', 'plaintext', '123456']), '|Retuen|1|Retuen|BackMsg_52');
    check("$label resume", $c('resume', $A4), '|Retuen|1|Retuen|BackMsg_54');
    // sendDtmf(orgidentity,usertype,user,pwdtype,password,dtmf), setVar(...,varname,varvalue)
    check("$label sendDtmf", $c('sendDtmf', array_merge($A4, ['12#'])), '|Retuen|1|Retuen|BackMsg_99');
    check("$label sendDtmf bad", $c('sendDtmf', array_merge($A4, ['12a'])), '|Retuen|2|Retuen|BackMsg_97');
    check("$label setVar", $c('setVar', array_merge($A4, ['ORDER_ID', '42'])), '|Retuen|1|Retuen|BackMsg_102');
    check("$label setVar bad name", $c('setVar', array_merge($A4, ['order', '42'])), '|Retuen|2|Retuen|BackMsg_101');
    // consult(targetdn, agentgroupid, consulttype, pwdtype, password, usertype, user, orgidentity); an external number answers after 3 s
    $who = ['plaintext', '123456', 'agent', '8004', 'demo'];
    check("$label consult", $c('consult', array_merge(['13912345678', '0', 'external'], $who)), '|Retuen|1|Retuen|BackMsg_27');
    check("$label transfer before answer", $c('transfer', $who), '|Retuen|2|Retuen|BackMsg_29');
    usleep(3300000);
    check("$label conference", $c('conference', $who), '|Retuen|1|Retuen|BackMsg_34');
    // Manual 3.9: consult is allowed in a conference; hold is for two parties only (3.20).
    check("$label hold in a conference", $c('hold', ['0', 'demo', 'agent', '8004', 'plaintext', '123456']), '|Retuen|2|Retuen|BackMsg_96');
    check("$label consult during conference", $c('consult', array_merge(['13912345678', '0', 'external'], $who)), '|Retuen|1|Retuen|BackMsg_27');
    check("$label a second consult at once", $c('consult', array_merge(['13912345678', '0', 'external'], $who)), '|Retuen|2|Retuen|BackMsg_95');
    usleep(3300000);
    // hangup by uniqueid with target=consult (3.13): the per-uniqueid list; the newest consulted leg.
    global $base;
    $admin = 'orgidentity=demo&user=admin&password=admin123';
    $consulted = 0;
    foreach (json_decode(file_get_contents("$base/simulator/legs?$admin"), true) as $leg) {
        if ($leg['number'] === '13912345678') { $consulted = max($consulted, $leg['uniqueid']); }
    }
    check("$label uniqueids are small integers", $consulted > 0 && $consulted < 2147483647, true);
    check("$label hangup consult by uniqueid", $c('hangup', ["$consulted,1", '', 'consult', 'plaintext', '123456', 'agent', '8004', 'demo']),
          "|Retuen|1|Retuen|$consulted:success,1:failed");
    check("$label hangup without uniqueid or targetagent", $c('hangup', ['', '', 'consult', 'plaintext', '123456', 'agent', '8004', 'demo']), '|Retuen|2|Retuen|BackMsg_01');
    check("$label back into the conference", $c('callReturn', $who), '|Retuen|1|Retuen|BackMsg_32');
    check("$label hangup consult", $c('hangup', ['', '8004', 'consult', 'plaintext', '123456', 'agent', '8004', 'demo']), '|Retuen|1|Retuen|BackMsg_37');
    usleep(200000);
    // silentMonitor(target, phonenumber, pwdtype, password, usertype, user, orgidentity): 8001 leads 8004's group
    check("$label silentMonitor by a non-leader", $c('silentMonitor', ['8004', '8009', 'plaintext', '123456', 'agent', '8003', 'demo']), '|Retuen|2|Retuen|BackMsg_65');
    check("$label silentMonitor", $c('silentMonitor', ['8004', '8009', 'plaintext', '123456', 'agent', '8001', 'demo']), '|Retuen|1|Retuen|BackMsg_41');
    usleep(1300000);
    check("$label hangup groupadmin", $c('hangup', ['', '8004', 'groupadmin', 'plaintext', '123456', 'agent', '8001', 'demo']), '|Retuen|1|Retuen|BackMsg_37');
    // agentToIvr(orgidentity,usertype,user,pwdtype,password,ivrexten,ivrflow,transfer): the sample IVR 7000
    check("$label agentToIvr bad flow", $c('agentToIvr', array_merge($A4, ['7000', '9', '1'])), '|Retuen|2|Retuen|BackMsg_107');
    check("$label agentToIvr", $c('agentToIvr', array_merge($A4, ['7000', '1-2-5', '1'])), '|Retuen|1|Retuen|BackMsg_108');
    check("$label back from the IVR", $c('callReturn', $who), '|Retuen|1|Retuen|BackMsg_32');
    // hangup(uniqueid,targetagent,target,pwdtype,password,usertype,user,orgidentity)
    check("$label hangup caller", $c('hangup', ['', '8004', 'caller', 'plaintext', '123456', 'agent', '8004', 'demo']), '|Retuen|1|Retuen|BackMsg_37');
    usleep(300000);
    check("$label idle again", $c('agentStatus', $A4), '|Retuen|1|Retuen|BackMsg_43|Retuen|2-idle,');
    check("$label no call to hang up", $c('hangup', ['', '8004', 'all', 'plaintext', '123456', 'agent', '8004', 'demo']), '|Retuen|2|Retuen|BackMsg_92');
    // A second call: supervisors whisper and barge in, then the agent transfers the customer away.
    check("$label makeCall again", $c('makeCall', $dial), '|Retuen|1|Retuen|BackMsg_19');
    usleep(3600000);
    // whisper/intrude(target, phonenumber, ...): the WSDL names the parts, so order follows each prototype
    $sup = ['plaintext', '123456', 'agent', '8001', 'demo'];
    check("$label whisper", $c('whisper', ['8004', '8009', 'agent', '8001', 'plaintext', '123456', 'demo']), '|Retuen|1|Retuen|BackMsg_48');
    check("$label intrude", $c('intrude', array_merge(['8004', '8010'], $sup)), '|Retuen|1|Retuen|BackMsg_39');
    check("$label consult", $c('consult', array_merge(['13912345678', '0', 'external'], $who)), '|Retuen|1|Retuen|BackMsg_27');
    usleep(3300000);
    check("$label transfer", $c('transfer', $who), '|Retuen|1|Retuen|BackMsg_31');
    check("$label free after the transfer", $c('agentStatus', $A4), '|Retuen|1|Retuen|BackMsg_43|Retuen|2-idle,');
    check("$label forcedRelease of an agent on no call", $c('forcedRelease', ['8004', '', 'agent', '8001', 'plaintext', '123456', 'demo']), '|Retuen|2|Retuen|BackMsg_45');
    // The customer, now with the consulted party, hangs up (through the simulator's control surface).
    foreach (json_decode(file_get_contents("$base/simulator/legs?$admin"), true) as $leg) {
        if ($leg['number'] === '13800000001') {
            file_get_contents("$base/simulator/legs/{$leg['uniqueid']}/hangup?$admin", false, stream_context_create(['http' => ['method' => 'POST']]));
        }
    }
    usleep(200000);
    $c('logout', $A4);
}

// 1. WSDL mode, rpc/literal (the default WSDL), SOAP 1.1.
$wsdl = new SoapClient("$base/coccwi.php?wsdl", ['cache_wsdl' => WSDL_CACHE_NONE, 'trace' => 1, 'exceptions' => true]);
$functions = implode("\n", $wsdl->__getFunctions());
foreach ($names as $n) { check("wsdl declares $n", strpos($functions, " $n(") !== false, true); }
exercise('wsdl/rpc-literal', function ($op, $args) use ($wsdl) { return $wsdl->__soapCall($op, $args); });
calls('wsdl/rpc-literal', function ($op, $args) use ($wsdl) { return $wsdl->__soapCall($op, $args); });
check('wsdl response is SOAP 1.1', strpos($wsdl->__getLastResponse(), 'http://schemas.xmlsoap.org/soap/envelope/') !== false, true);

// 1b. The WSDL as the file the manual's webroot holds (coccwi.wsdl), and backCall under the
// manual's garbled name deviceCall (positional: orgidentity, exten, targetdn, callerid, user, password, pwdtype).
$file = new SoapClient("$base/coccwi.wsdl", ['cache_wsdl' => WSDL_CACHE_NONE, 'trace' => 1]);
check('coccwi.wsdl loads and its endpoint answers', $file->__soapCall('agentStatus', ['demo', 'agent', '8005', 'plaintext', '123456']), '|Retuen|1|Retuen|BackMsg_43|Retuen|2-logout,');
$alias = new SoapClient(null, ['location' => "$base/coccwi.php", 'uri' => 'urn:coccwi', 'trace' => 1]);
check('deviceCall is backCall', $alias->__soapCall('deviceCall', ['demo', '8005', '13800000002', '', 'admin', 'admin123', 'plaintext']), '|Retuen|1|Retuen|BackMsg_19');
check('deviceCall is answered as deviceCallResponse', strpos($alias->__getLastResponse(), 'deviceCallResponse') !== false, true);

// 2. WSDL mode, rpc/encoded.
$enc = new SoapClient("$base/coccwi.php?wsdl=rpc-encoded", ['cache_wsdl' => WSDL_CACHE_NONE, 'trace' => 1]);
exercise('wsdl/rpc-encoded', function ($op, $args) use ($enc) { return $enc->__soapCall($op, $args); });

// 3. WSDL mode, document/literal wrapped: PHP passes one array and gets an object back.
$doc = new SoapClient("$base/coccwi.php?wsdl=doc-literal", ['cache_wsdl' => WSDL_CACHE_NONE, 'trace' => 1]);
$docParams = [];
foreach ($doc->__getTypes() as $t) {
    if (preg_match('/^struct (\w+) \{(.*)\}$/s', $t, $m) && substr($m[1], -8) !== 'Response') {
        preg_match_all('/string (\w+);/', $m[2], $p);
        $docParams[$m[1]] = $p[1];
    }
}
exercise('wsdl/doc-literal', function ($op, $args) use ($doc, $docParams) {
    return $doc->__soapCall($op, [array_combine($docParams[$op], $args)])->return;
});

// 4. Non-WSDL mode (param0, param1, ...), SOAP 1.1 and SOAP 1.2.
foreach ([SOAP_1_1 => '1.1', SOAP_1_2 => '1.2'] as $version => $label) {
    $plain = new SoapClient(null, ['location' => "$base/coccwi.php", 'uri' => 'urn:coccwi', 'soap_version' => $version, 'trace' => 1]);
    exercise("non-wsdl/soap$label", function ($op, $args) use ($plain) { return $plain->__soapCall($op, $args); });
    if ($version === SOAP_1_2) { calls("non-wsdl/soap$label", function ($op, $args) use ($plain) { return $plain->__soapCall($op, $args); }); }
    $ns = $version === SOAP_1_2 ? 'http://www.w3.org/2003/05/soap-envelope' : 'http://schemas.xmlsoap.org/soap/envelope/';
    check("non-wsdl/soap$label answers in its version", strpos($plain->__getLastResponse(), $ns) !== false, true);
    // Faults arrive as SoapFault with the server's words.
    try {
        $plain->__soapCall('rebootServer', []);
        check("non-wsdl/soap$label unknown operation faults", 'no fault', 'fault');
    } catch (SoapFault $f) {
        check("non-wsdl/soap$label unknown operation faults", $f->getMessage(), "Procedure 'rebootServer' not present");
    }
}

// 5. A stub generated from another vendor namespace keeps working: the answer echoes it.
$old = new SoapClient(null, ['location' => "$base/astcccwi.php", 'uri' => 'http://old.vendor.example/coccwi', 'trace' => 1]);
check('old namespace login', $old->__soapCall('login', $A), startsWith('|Retuen|1|Retuen|BackMsg_04'));
check('old namespace echoed', strpos($old->__getLastResponse(), 'xmlns:ns1="http://old.vendor.example/coccwi"') !== false, true);

echo "\n$passed passed, $failed failed\n";
exit($failed === 0 ? 0 : 1);
