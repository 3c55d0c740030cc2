#!/usr/bin/env bash
# Call-engine benchmark (not a test): builds release and runs Benchmarks/CallBenchmark with
# 1,000 agents (setups/s, events/s, p99 notification->append, RSS), then RSS with 10,000 agents.
#   Benchmarks/call_benchmark.sh [agents, default 1000]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product CallBenchmark 2>&1 | tail -n 1
"$(swift build -c release --show-bin-path)/CallBenchmark" "${1:-1000}"
