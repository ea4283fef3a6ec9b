#!/usr/bin/env bash
# API load: one URL of the server (default: the 30-day showback by owner) on the default demo
# platform, 50 concurrent clients, with wrk (Debian's package). Prints wrk's latency distribution
# and requests per second.
#   bench/api_bench.sh [SECONDS=15] [PATH=/api/v1/showback?by=owner]   (e.g. /metrics)
set -euo pipefail
seconds=${1:-15}
path=${2:-/api/v1/showback?by=owner}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/bench/out/api"
mkdir -p "$out"
tally="$root/build/tally"
store="sqlite:$out/tally.db"
rm -f "$out"/tally.db*
"$tally" --store "$store" demo --out "$out/demo" --load >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$tally" --store "$store" serve --listen "127.0.0.1:$port" 2>"$out/serve.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$port$path"
echo "first (uncached) answer: $(curl -s -o /dev/null -w '%{time_total}' "$url") s"
wrk -t 2 -c 50 -d "${seconds}s" --latency "$url"
