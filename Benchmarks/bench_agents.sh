# Benchmark agents, for store_benchmark.sh and cluster_benchmark.sh (source it; the script
# defines `cli` and `fail`, and sets FIRST_AGENT, AGENTS, AGENT_PASSWORD and ACCOUNT).
# provision_agents BASE WAIT_TRIES LABEL: adds AGENTS agents to the demo team's group 1 with the
# CLI, waits (WAIT_TRIES x 0.1 s) until the server at BASE lists the last one in the group (the
# membership included, so that login signs every agent in to it), then logs each in.
provision_agents() {
    local base=$1 tries=$2 label=$3 i n reply
    for i in $(seq 0 $((AGENTS - 1))); do
        n=$((FIRST_AGENT + i))
        cli agent add --team demo "$n" --password "$AGENT_PASSWORD" > /dev/null
        cli member add --team demo --group 1 --agent "$n" > /dev/null
    done
    local last=$((FIRST_AGENT + AGENTS - 1)) seen=""
    for _ in $(seq 1 "$tries"); do
        reply=$(curl -s "$base/coccinterfaces" -d "EVENT=AgentgroupStatus&$ACCOUNT&agent_group_id=1&status=all")
        case "$reply" in *"$last:"*) seen=yes && break ;; esac
        sleep 0.1
    done
    [ -n "$seen" ] || fail "${label}group 1 does not list agent $last $((tries / 10)) s after provisioning: $reply"
    for i in $(seq 0 $((AGENTS - 1))); do
        n=$((FIRST_AGENT + i))
        reply=$(curl -s "$base/coccinterfaces" -d "EVENT=LOGIN&orgidentity=demo&usertype=agent&user=$n&pwdtype=plaintext&password=$AGENT_PASSWORD")
        case "$reply" in "|Retuen|1|Retuen|BackMsg_04|Retuen|agent_group_id=1&"*) ;; *) fail "${label}login of agent $n answered: $reply" ;; esac
    done
    echo "   $AGENTS agents provisioned with the CLI and logged in"
}
