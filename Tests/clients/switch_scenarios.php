<?php
// The call scenarios of issue 11, from PHP's SoapClient, against a running coccd on either
// switch. The same script runs on the simulator and on a real Asterisk; run_asterisk.sh
// compares the chapter-6 event kinds of the two runs.
//
// Usage: php switch_scenarios.php MODE BASE [ARI_URL] [KINDS_OUT]
//   MODE     simulated | asterisk (how a far end hangs up, how a caller dials in)
//   BASE     coccd's base URL
//   ARI_URL  asterisk mode: http://127.0.0.1:PORT (user coccd, password coccd-test-secret)
//   KINDS_OUT a file for each scenario's event kinds, one line per scenario
// Prints one line per check and ends with "N passed, M failed"; exits 1 on any failure.

[$mode, $base] = [$argv[1] ?? 'simulated', $argv[2] ?? 'http://127.0.0.1:4580'];
$ari = $argv[3] ?? '';
$kindsOut = $argv[4] ?? '';
$passed = 0;
$failed = 0;

function check($name, $actual, $expected) {
    global $passed, $failed;
    $ok = is_callable($expected) ? $expected($actual) : $actual === $expected;
    if ($ok) { $passed++; echo "ok   $name\n"; }
    else { $failed++; echo "FAIL $name\n     got:      " . var_export($actual, true) . "\n" . (is_callable($expected) ? '' : "     expected: " . var_export($expected, true) . "\n"); }
}

// SOAP by parameter name: the WSDL's part order gives the positions (rpc/literal).
$soap = new SoapClient("$base/coccwi.php?wsdl", ['cache_wsdl' => WSDL_CACHE_NONE, 'exceptions' => true]);
// (No DOM extension needed: the generated WSDL is regular enough for two patterns.)
$parts = [];
preg_match_all('~<message name="([^"]+)">(.*?)</message>~s', file_get_contents("$base/coccwi.php?wsdl"), $messages, PREG_SET_ORDER);
foreach ($messages as [, $name, $body]) {
    preg_match_all('~<part name="([^"]+)"~', $body, $names);
    $parts[$name] = $names[1];
}
function op($name, $args) {
    global $soap, $parts;
    $order = $parts[$name] ?? $parts[$name . 'Request'] ?? null;
    if ($order === null) { throw new Exception("no WSDL message for $name"); }
    return $soap->__soapCall($name, array_map(fn ($p) => (string)($args[$p] ?? ''), $order));
}
function agent($n) { return ['orgidentity' => 'demo', 'usertype' => 'agent', 'user' => $n, 'pwdtype' => 'plaintext', 'password' => '123456']; }
$admin = ['orgidentity' => 'demo', 'usertype' => 'account', 'user' => 'admin', 'pwdtype' => 'plaintext', 'password' => 'admin123'];
$A1 = agent('8001');
$A2 = agent('8002');

function http($method, $url, $auth = null) {
    $headers = $auth ? "Authorization: Basic " . base64_encode($auth) . "\r\n" : '';
    $context = stream_context_create(['http' => ['method' => $method, 'header' => $headers, 'ignore_errors' => true, 'timeout' => 10]]);
    return file_get_contents($url, false, $context);
}
function events() {
    global $base;
    return array_values(array_filter(explode("\n", shell_exec(getenv('COCCD') . ' events list --data-dir ' . escapeshellarg(getenv('COCCD_DATA')) . ' --team demo --limit 100000'))));
}
function field($line, $key) { return preg_match('/(?:^|&|\t)' . preg_quote($key, '/') . '=([^&]*)/', $line, $m) ? $m[1] : null; }
// The event kinds of the call(s) since event `$from`: "SOURCE event" each.
function kinds($from) {
    $out = [];
    foreach (events() as $line) {
        [$id, $message] = explode("\t", $line, 2);
        if ((int)$id > $from && field($message, 'source') !== null) { $out[] = field($message, 'source') . ' ' . field($message, 'event'); }
    }
    return $out;
}
function lastEvent() { $e = events(); return $e ? (int)explode("\t", end($e))[0] : 0; }
$scenarioKinds = [];
function scenario($name, $from) {
    global $scenarioKinds;
    $scenarioKinds[] = $name . ': ' . implode(', ', kinds($from));
}
// The uniqueid of the newest leg whose event says `$source`.
function leg($source, $from) {
    $found = null;
    foreach (events() as $line) {
        [$id, $message] = explode("\t", $line, 2);
        if ((int)$id > $from && field($message, 'source') === $source) { $found = (int)field($message, 'uniqueid'); }
    }
    return $found;
}
// A far end hangs up: the simulator's control surface, or the far half of its Local channel.
function farEndHangup($uniqueid) {
    global $mode, $base, $ari;
    if ($mode === 'simulated') {
        http('POST', "$base/simulator/legs/$uniqueid/hangup?orgidentity=demo&user=admin&password=admin123");
    } else {
        http('DELETE', "$ari/ari/channels/coccd-$uniqueid-2", 'coccd:coccd-test-secret');
    }
    usleep(800000);
}
// A customer dials queue 6001.
function dialIn($queue, $from) {
    global $mode, $base, $ari;
    if ($mode === 'simulated') {
        http('POST', "$base/simulator/inbound?orgidentity=demo&user=admin&password=admin123&to=$queue&from=$from");
    } else {
        http('POST', "$ari/ari/channels?endpoint=Local/$queue@coccd-callers&context=coccd-customer&extension=s&priority=1&callerId=$from", 'coccd:coccd-test-secret');
    }
}
function status($a) { return op('agentStatus', $a); }
$dial = ['targetdn' => '13800000001', 'targettype' => 'exter', 'agentgroupid' => '1', 'modeltype' => 'Campaign', 'model_id' => '10', 'userdata' => 'customer_id=109&pwd=asdfg'];

check("login 8001", op('login', $A1), fn ($r) => strpos($r, '|Retuen|1|Retuen|BackMsg_04') === 0);
check("login 8002", op('login', $A2), fn ($r) => strpos($r, '|Retuen|1|Retuen|BackMsg_04') === 0);

// 1. makeCall to an external number; hold/resume; DTMF; setVar; the customer hangs up; getMonitor.
$from = lastEvent();
check("makeCall", op('makeCall', $A1 + $dial), '|Retuen|1|Retuen|BackMsg_19');
sleep(4);
check("on the call", status($A1), '|Retuen|1|Retuen|BackMsg_43|Retuen|1-busy,2-logout,');
check("hold", op('hold', $A1 + ['silence' => '0']), '|Retuen|1|Retuen|BackMsg_52');
usleep(500000);
check("resume", op('resume', $A1), '|Retuen|1|Retuen|BackMsg_54');
check("sendDtmf", op('sendDtmf', $A1 + ['dtmf' => '12#']), '|Retuen|1|Retuen|BackMsg_99');
check("setVar", op('setVar', $A1 + ['varname' => 'ORDER_ID', 'varvalue' => '42']), '|Retuen|1|Retuen|BackMsg_102');
sleep(2);
$customer = leg('CALLEE', $from);
farEndHangup($customer);
check("idle after the customer hung up", status($A1), '|Retuen|1|Retuen|BackMsg_43|Retuen|1-idle,2-logout,');
scenario('makeCall hold resume dtmf setVar', $from);
$sid = field(events()[count(events()) - 1], 'sessionid');
sleep(1);
$monitor = op('getMonitor', ['sessionid' => $sid, 'calldate' => date('Y-m-d')]);
check("getMonitor answers a URL", $monitor, fn ($r) => strpos($r, '|Retuen|1|Retuen|http') === 0);
$wav = http('GET', substr($monitor, strlen('|Retuen|1|Retuen|')));
$samples = strlen((string)$wav) > 44 ? unpack('s*', substr($wav, 44)) : [];
$rms = $samples ? sqrt(array_sum(array_map(fn ($s) => $s * $s, $samples)) / count($samples)) : 0;
check("the recording is a WAV that holds audio (" . count($samples) . " samples, rms " . round($rms) . ")",
      substr((string)$wav, 0, 4) === 'RIFF' && count($samples) > 8000 && ($mode === 'simulated' || $rms > 100), true);

// 2. consult an agent, then transfer; the customer then hangs up.
$from = lastEvent();
op('makeCall', $A1 + $dial);
sleep(4);
check("consult 8002", op('consult', $A1 + ['targetdn' => '8002', 'agentgroupid' => '1', 'consulttype' => 'internal']), '|Retuen|1|Retuen|BackMsg_27');
sleep(3);
check("transfer", op('transfer', $A1), '|Retuen|1|Retuen|BackMsg_31');
usleep(800000);
check("8001 free after the transfer", status($A1), '|Retuen|1|Retuen|BackMsg_43|Retuen|1-idle,2-logout,');
check("8002 talks with the customer", status($A2), '|Retuen|1|Retuen|BackMsg_43|Retuen|1-busy,');
farEndHangup(leg('CALLEE', $from));
check("8002 idle after the customer hung up", status($A2), '|Retuen|1|Retuen|BackMsg_43|Retuen|1-idle,');
scenario('consult transfer', $from);

// 3. consult an external number, conference, hang up the consulted party, then all.
$from = lastEvent();
op('makeCall', $A1 + $dial);
sleep(4);
check("consult a number", op('consult', $A1 + ['targetdn' => '13912345678', 'agentgroupid' => '0', 'consulttype' => 'external']), '|Retuen|1|Retuen|BackMsg_27');
sleep(4);
check("conference", op('conference', $A1), '|Retuen|1|Retuen|BackMsg_34');
check("hold in a conference", op('hold', $A1 + ['silence' => '0']), '|Retuen|2|Retuen|BackMsg_96');
check("hangup consult", op('hangup', $A1 + ['target' => 'consult', 'targetagent' => '8001']), '|Retuen|1|Retuen|BackMsg_37');
usleep(800000);
check("hangup all", op('hangup', $A1 + ['target' => 'all', 'targetagent' => '8001']), '|Retuen|1|Retuen|BackMsg_37');
usleep(800000);
check("idle after hangup all", status($A1), '|Retuen|1|Retuen|BackMsg_43|Retuen|1-idle,2-logout,');
scenario('consult conference hangup', $from);

// 4. supervisors: silentMonitor, whisper, intrude on 8001's call; each ended by groupadmin.
$from = lastEvent();
op('makeCall', $A1 + $dial);
sleep(4);
foreach ([['silentMonitor', 'BackMsg_41', '8009'], ['whisper', 'BackMsg_48', '8010'], ['intrude', 'BackMsg_39', '8009']] as [$what, $code, $phone]) {
    check($what, op($what, $admin + ['target' => '8001', 'phonenumber' => $phone]), "|Retuen|1|Retuen|$code");
    sleep(2);
    check("hangup groupadmin after $what", op('hangup', $admin + ['target' => 'groupadmin', 'targetagent' => '8001']), '|Retuen|1|Retuen|BackMsg_37');
    usleep(800000);
}
check("hangup caller", op('hangup', $A1 + ['target' => 'caller', 'targetagent' => '8001']), '|Retuen|1|Retuen|BackMsg_37');
usleep(800000);
scenario('supervisors', $from);

// 5. hangup by uniqueid (target=channel) and by target=agent.
$from = lastEvent();
op('makeCall', $A1 + $dial);
sleep(4);
$customer = leg('CALLEE', $from);
check("hangup channel by uniqueid", op('hangup', $A1 + ['target' => 'channel', 'uniqueid' => "$customer"]), "|Retuen|1|Retuen|$customer:success");
usleep(800000);
op('makeCall', $A1 + $dial);
sleep(4);
check("hangup agent", op('hangup', $A1 + ['target' => 'agent', 'targetagent' => '8001']), '|Retuen|1|Retuen|BackMsg_37');
usleep(800000);
check("idle after hangup agent", status($A1), '|Retuen|1|Retuen|BackMsg_43|Retuen|1-idle,2-logout,');

// 6. busy and unanswered numbers end the call with the right record.
$from = lastEvent();
op('makeCall', array_merge($A1, $dial, ['targetdn' => '13800000002']));
sleep(4);
check("a busy number ends the call", status($A1), '|Retuen|1|Retuen|BackMsg_43|Retuen|1-idle,2-logout,');
scenario('busy', $from);

// 7. an inbound call from the dial plan reaches the longest-idle agent (8002 has been idle longest).
$from = lastEvent();
dialIn('6001', '0138888888888');
sleep(3);
check("the inbound call reaches 8002", status($A2), '|Retuen|1|Retuen|BackMsg_43|Retuen|1-busy,');
check("hangup the inbound caller", op('hangup', $A2 + ['target' => 'caller', 'targetagent' => '8002']), '|Retuen|1|Retuen|BackMsg_37');
usleep(800000);
scenario('inbound', $from);

// 8. agentToIvr, mode 1 (the agent waits on hold; callReturn takes the caller back once the IVR
// has sent it back) and mode 0 (the agent is released at once).
$from = lastEvent();
op('makeCall', $A1 + $dial);
sleep(4);
check("agentToIvr, agent kept", op('agentToIvr', $A1 + ['ivrexten' => '7000', 'ivrflow' => '1-2', 'transfer' => '1']), '|Retuen|1|Retuen|BackMsg_108');
sleep(10);   // the test IVR gives up after 8 s of no digits and returns the caller
check("callReturn from the IVR", op('callReturn', $A1), '|Retuen|1|Retuen|BackMsg_32');
usleep(500000);
check("agent and caller talk again", status($A1), '|Retuen|1|Retuen|BackMsg_43|Retuen|1-busy,2-logout,');
if ($mode === 'asterisk') {
    $customer = leg('CALLEE', $from);
    $bridged = false;
    foreach (json_decode(http('GET', "$ari/ari/bridges", 'coccd:coccd-test-secret'), true) as $bridge) {
        if (in_array("coccd-$customer", $bridge['channels'], true) && count($bridge['channels']) === 2) { $bridged = true; }
    }
    check("Asterisk bridges the caller with the agent again", $bridged, true);
}
check("agentToIvr, agent released", op('agentToIvr', $A1 + ['ivrexten' => '7000', 'ivrflow' => '', 'transfer' => '0']), '|Retuen|1|Retuen|BackMsg_108');
usleep(800000);
check("the agent is free while the caller is in the IVR", status($A1), '|Retuen|1|Retuen|BackMsg_43|Retuen|1-idle,2-logout,');
farEndHangup(leg('CALLEE', $from));
scenario('agentToIvr', $from);

if ($kindsOut !== '') { file_put_contents($kindsOut, implode("\n", $scenarioKinds) . "\n"); }
echo "$passed passed, $failed failed\n";
exit($failed === 0 ? 0 : 1);
