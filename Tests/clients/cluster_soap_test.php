<?php
// Real-client test for several nodes: PHP's SoapClient (WSDL mode) logs an agent of every team
// in through a node that does not own the team, and asks its status through another such node.
// Usage: php cluster_soap_test.php PLAN.json
//   PLAN: [{"team": "t01", "via": "http://127.0.0.1:P", "then": "http://127.0.0.1:Q", "owner_url": "http://127.0.0.1:R"}, ...]
// Prints one line per check and ends with "N passed, M failed"; exits 1 on any failure.

$plan = json_decode(file_get_contents($argv[1]), true);
$passed = 0;
$failed = 0;

function check($name, $ok, $detail = '') {
    global $passed, $failed;
    if ($ok) { $passed++; echo "ok   $name\n"; }
    else { $failed++; echo "FAIL $name\n     " . var_export($detail, true) . "\n"; }
}

$clients = [];
function client($base) {
    global $clients;
    if (!isset($clients[$base])) {
        $clients[$base] = new SoapClient("$base/coccwi.php?wsdl", ['cache_wsdl' => WSDL_CACHE_NONE, 'trace' => 1, 'exceptions' => true]);
    }
    return $clients[$base];
}

foreach ($plan as $p) {
    $team = $p['team'];
    $agent = [$team, 'agent', '8001', 'plaintext', '123456'];
    $login = client($p['via'])->__soapCall('login', $agent);
    check("$team: login through a node that does not own it", strpos($login, '|Retuen|1|Retuen|BackMsg_04|Retuen|agent_group_id=') === 0, $login);
    $wrong = client($p['via'])->__soapCall('login', [$team, 'agent', '8001', 'plaintext', 'wrong']);
    check("$team: a wrong password is the owner's BackMsg_03", $wrong === '|Retuen|2|Retuen|BackMsg_03', $wrong);
    // queueAction(type,usertype,user,orgidentity,list,pwdtype,password,deviceexten,pushevent)
    preg_match('/agent_group_id=(\d+)/', $login, $m);
    $group = $m[1] ?? '';
    $status = client($p['then'])->__soapCall('agentStatus', $agent);
    check("$team: the session is seen through a third node", $status === "|Retuen|1|Retuen|BackMsg_43|Retuen|$group-idle,", $status);
    $direct = client($p['owner_url'])->__soapCall('agentStatus', $agent);
    check("$team: the owner answers the same bytes", $direct === $status, [$direct, $status]);
    $forwarded = client($p['then']);
    $owner = client($p['owner_url']);
    check("$team: the same SOAP response envelope from either node",
        $forwarded->__getLastResponse() === $owner->__getLastResponse(), [$forwarded->__getLastResponse(), $owner->__getLastResponse()]);
}
echo "\n$passed passed, $failed failed\n";
exit($failed ? 1 : 0);
