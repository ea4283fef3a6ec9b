#!/usr/bin/env bash
# Collection benchmark: a week of synthetic cluster metrics backfilled into a real Prometheus,
# then `tally collect prometheus` over it. Prints the time, the queries and peak memory.
#   bench/collect_bench.sh [CONTAINERS] [HOURS] [INTERVAL_SECONDS]
# Needs prometheus and promtool (Debian's prometheus package) and GNU time.
set -euo pipefail
containers=${1:-5000}
hours=${2:-168}
interval=${3:-300}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/bench/out/collect-$containers-$hours-$interval"
mkdir -p "$out"
build="$root/build"
cmake --build "$build" --target tally kube_gen >/dev/null

if [[ ! -d "$out/tsdb" ]]; then
  echo "generating $containers containers × $hours hours every $interval s"
  "$build/bench/kube_gen" "$containers" "$hours" "$interval" "$out/metrics.om" | tee "$out/gen.txt"
  echo "backfilling with promtool (slow: it re-reads the file for every 2-hour block)"
  /usr/bin/time -f "promtool: %e s, %M KiB peak" \
    promtool tsdb create-blocks-from openmetrics -q "$out/metrics.om" "$out/tsdb"
  rm -f "$out/metrics.om"
fi
start=$(sed -n 's/.*start=\([^ ]*\).*/\1/p' "$out/gen.txt")
end=$(date -u -d "$start + $hours hours" +%Y-%m-%dT%H:%M:%SZ)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'global:\n  scrape_interval: 1m\n' >"$out/prometheus.yml"
prometheus --config.file="$out/prometheus.yml" --storage.tsdb.path="$out/tsdb" \
  --storage.tsdb.retention.time=10y --web.listen-address="127.0.0.1:$port" \
  >"$out/prometheus.log" 2>&1 &
prom=$!
trap 'kill $prom 2>/dev/null; wait $prom 2>/dev/null || true' EXIT
for _ in $(seq 600); do curl -sf "127.0.0.1:$port/-/ready" >/dev/null && break; sleep 0.2; done

for concurrency in 1 2 4; do
  rm -f "$out/tally.db"*
  /usr/bin/time -f "tally collect (concurrency $concurrency): %e s wall, %M KiB peak" \
    "$build/tally" --store "$out/tally.db" collect prometheus --url "http://127.0.0.1:$port" \
    --from "$start" --to "$end" --concurrency "$concurrency" --quiet
done
"$build/tally" --store "$out/tally.db" usage --by resource
