<?php
// The peer of the benchmark: PHP's SoapServer, the stack the original product ran on, serving
// agentStatus from coccd's own WSDL. It checks the credentials (MD5, as the old product kept
// them) and answers the same string coccd answers, so both sides do comparable work.
ini_set('soap.wsdl_cache_enabled', '1');
$agents = ['demo' => ['8001' => md5('123456')]];

class Cocc {
    public function agentStatus($orgidentity, $usertype, $user, $pwdtype, $password) {
        global $agents;
        if (!isset($agents[$orgidentity])) { return '|Retuen|2|Retuen|BackMsg_02'; }
        $hash = $pwdtype === 'md5' ? strtolower($password) : md5($password);
        if (!isset($agents[$orgidentity][$user]) || !hash_equals($agents[$orgidentity][$user], $hash)) {
            return '|Retuen|2|Retuen|BackMsg_03';
        }
        return '|Retuen|1|Retuen|BackMsg_43|Retuen|1-idle,2-logout,';
    }
}

$server = new SoapServer(__DIR__ . '/coccwi.wsdl', ['cache_wsdl' => WSDL_CACHE_BOTH]);
$server->setClass('Cocc');
$server->handle();
