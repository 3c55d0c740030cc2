#!/usr/bin/env bash
# Real-client test of HTTPS: makes a self-signed certificate with openssl, starts its own coccd
# with --tls-cert/--tls-key, and calls it with curl (--cacert: form interface, JSONP, ?wsdl) and
# PHP SoapClient (stream context with the CA: WSDL and login over HTTPS). Also: a missing or
# mismatched certificate is a clear startup error. Ends with "N passed, M failed".
# Usage: Tests/clients/tls_test.sh path-to-coccd port
set -u
COCCD=${1:-.build/debug/coccd}
PORT=${2:-4602}
BASE="https://127.0.0.1:$PORT"
DIR=$(mktemp -d)
passed=0
failed=0
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$DIR"' EXIT

check() {  # name, then a command that must succeed
    local name=$1; shift
    if "$@"; then passed=$((passed + 1)); echo "ok   $name"; else failed=$((failed + 1)); echo "FAIL $name"; fi
}
contains() { printf '%s' "$1" | grep -qF -- "$2" || { printf '     got: %.300s\n' "$1"; return 1; }; }

cert() {  # name: a self-signed certificate for 127.0.0.1 and localhost
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$DIR/$1.key" -out "$DIR/$1.pem" 2> /dev/null
}
cert server || { echo "openssl could not make a certificate"; echo "0 passed, 1 failed"; exit 1; }
cert other

# A bad path or a key that is not the certificate's: exit status 1 and a sentence, no crash.
out=$("$COCCD" serve --data-dir "$DIR/bad" --port "$PORT" --tls-cert "$DIR/missing.pem" --tls-key "$DIR/server.key" 2>&1); status=$?
check "missing certificate: exit status 1" test "$status" -eq 1
check "missing certificate: says which file" contains "$out" "cannot read the TLS certificate file $DIR/missing.pem"
out=$("$COCCD" serve --data-dir "$DIR/bad" --port "$PORT" --tls-cert "$DIR/server.pem" --tls-key "$DIR/other.key" 2>&1); status=$?
check "mismatched key: exit status 1" test "$status" -eq 1
check "mismatched key: says so" contains "$out" "does not match the certificate"
out=$("$COCCD" serve --data-dir "$DIR/bad" --port "$PORT" --tls-cert "$DIR/server.pem" 2>&1); status=$?
check "certificate without key: exit status 1" test "$status" -eq 1

"$COCCD" serve --demo --data-dir "$DIR/data" --port "$PORT" --tls-cert "$DIR/server.pem" --tls-key "$DIR/server.key" > "$DIR/coccd.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -s -o /dev/null --cacert "$DIR/server.pem" "$BASE/" && break; sleep 0.1; done

AUTH="orgidentity=demo&usertype=agent&user=8003&pwdtype=plaintext&password=123456"
check "curl HTTPS form LOGIN" contains "$(curl -s --cacert "$DIR/server.pem" -d "EVENT=LOGIN&$AUTH" "$BASE/coccinterfaces")" \
    '|Retuen|1|Retuen|BackMsg_04|Retuen|agent_group_id=1&'
jsonp=$(curl -s --cacert "$DIR/server.pem" "$BASE/setevent/loginCJI?$AUTH&callback=cb")
check "curl HTTPS JSONP is a callback" test "${jsonp:0:8}" = '/**/cb({'
check "curl HTTPS JSONP login answer" contains "$jsonp" '"message":"BackMsg_04","param":"agent_group_id=1'
wsdl=$(curl -s --cacert "$DIR/server.pem" "$BASE/coccwi.php?wsdl")
check "curl HTTPS ?wsdl advertises https" contains "$wsdl" "<soap:address location=\"$BASE/coccwi.php\"/>"
check "the certificate is verified (no CA: refused)" test "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/")" = "000"
check "plain HTTP is not served on the TLS port" test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")" = "000"

php -r '
$ctx = stream_context_create(["ssl" => ["cafile" => $argv[2], "verify_peer" => true, "verify_peer_name" => true]]);
$c = new SoapClient($argv[1] . "/coccwi.php?wsdl", ["stream_context" => $ctx, "cache_wsdl" => WSDL_CACHE_NONE, "exceptions" => true]);
$r = $c->login("demo", "agent", "8004", "plaintext", "123456");
echo strpos($r, "|Retuen|1|Retuen|BackMsg_04|Retuen|") === 0 ? "ok\n" : "got $r\n";
' "$BASE" "$DIR/server.pem" > "$DIR/php.out" 2>&1
check "PHP SoapClient login over HTTPS" contains "$(cat "$DIR/php.out")" "ok"

kill -TERM "$pid"; wait "$pid" 2>/dev/null; pid=
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
