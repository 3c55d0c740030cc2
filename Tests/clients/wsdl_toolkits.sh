#!/usr/bin/env bash
# Real-client test: strict WSDL toolkits load coccd's WSDL without warnings.
# gSOAP wsdl2h (all three styles), JAX-WS wsimport (rpc/literal, doc/literal; JAX-WS rejects
# rpc/encoded by design), then a JAX-WS client generated from the WSDL calls the server.
# Usage: wsdl_toolkits.sh http://127.0.0.1:PORT      Ends with "N passed, M failed".
set -u
BASE=${1:-http://127.0.0.1:4580}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
passed=0
failed=0
result() {  # name, status, output
    if [ "$2" -eq 0 ]; then passed=$((passed + 1)); echo "ok   $1"
    else failed=$((failed + 1)); echo "FAIL $1"; printf '%s\n' "$3" | head -20 | sed 's/^/     /'; fi
}

for style in rpc-literal rpc-encoded doc-literal; do
    curl -s -o "$WORK/$style.wsdl" "$BASE/coccwi.php?wsdl=$style"
    out=$(cd "$WORK" && wsdl2h -o "$style.h" "$style.wsdl" 2>&1); status=$?
    if printf '%s' "$out" | grep -qiE 'warning|error'; then status=1; fi
    result "gSOAP wsdl2h loads $style" "$status" "$out"
done

for style in rpc-literal doc-literal; do
    mkdir -p "$WORK/jaxws-$style"
    out=$(wsimport -keep -d "$WORK/jaxws-$style" "$WORK/$style.wsdl" 2>&1); status=$?
    if printf '%s' "$out" | grep -qE '\[WARNING\]|\[ERROR\]'; then status=1; fi
    result "JAX-WS wsimport loads $style" "$status" "$out"
done

# The SAAJ "deprecated META-INF/services" warnings come from Debian's jars, not from the WSDL.
CP="$WORK/jaxws-rpc-literal:$(ls /usr/share/java/*.jar | tr '\n' ':')"
out=$(javac -cp "$CP" -d "$WORK/jaxws-rpc-literal" "$HERE/java/JaxwsClient.java" 2>&1 && java -cp "$CP" JaxwsClient "$BASE" 2>/dev/null)
status=$?
expected='|Retuen|1|Retuen|BackMsg_43|Retuen|1-idle,2-logout,'
if [ "$status" -eq 0 ] && printf '%s\n' "$out" | grep -qF "$expected" && printf '%s\n' "$out" | grep -qF '|Retuen|1|Retuen|BackMsg_04|Retuen|agent_group_id=1&'; then status=0; else status=1; fi
result "JAX-WS generated client calls login and agentStatus" "$status" "$out"

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
