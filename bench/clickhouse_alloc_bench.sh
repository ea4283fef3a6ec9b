#!/usr/bin/env bash
# Allocation end to end on a two-shard ClickHouse cluster (scripts/clickhouse-cluster.sh)
# against the embedded SQLite store: usage_gen writes CONSUMERS x HOURS of usage, the nodes'
# inventory and their hourly bill; both stores ingest them (timed); then `tally allocate`, a
# showback by owner and a reconcile run on each as whole processes (timed, one run each: the
# allocation replaces every hour), and their outputs must be identical.
#
# Usage: bench/clickhouse_alloc_bench.sh [CONSUMERS=10000] [HOURS=168]
set -euo pipefail
cd "$(dirname "$0")/.."
consumers=${1:-10000}
hours=${2:-168}
build=${BUILD:-build}
dir="bench/out/challoc_${consumers}x${hours}"
mkdir -p "$dir"
[[ -f "$dir/usage.csv" ]] || "$build/bench/usage_gen" "$consumers" "$hours" "$dir"

cluster="$dir/cluster"
scripts/clickhouse-cluster.sh stop "$cluster" >/dev/null 2>&1 || true
rm -rf "$cluster" "$dir"/sqlite.db*
scripts/clickhouse-cluster.sh start "$cluster" 2 >/dev/null
trap 'scripts/clickhouse-cluster.sh stop "$cluster"' EXIT
ch="$(cat "$cluster/url")&companion=$cluster/companion.db"

timed() {  # timed LABEL CMD...: wall seconds and peak KiB of one run
  /usr/bin/time -f "$1: %e s, peak %M KiB" "${@:2}" >"$dir/out.txt" 2>"$dir/err.txt" ||
    { cat "$dir/err.txt"; exit 1; }
  grep -h "^$1" "$dir/err.txt"
}
for store in "sqlite:$dir/sqlite.db" "$ch"; do
  name=sqlite
  [[ "$store" == clickhouse* ]] && name=clickhouse
  for kind in usage-csv:usage.csv inventory:inventory.csv focus:bill.csv; do
    timed "$name ingest ${kind%%:*}" "$build/tally" --store "$store" ingest "${kind%%:*}" "$dir/${kind#*:}"
  done
  timed "$name allocate" "$build/tally" --store "$store" allocate
  timed "$name showback" "$build/tally" --store "$store" report showback --by owner --format csv
  cp "$dir/out.txt" "$dir/showback_$name.csv"
  timed "$name reconcile" "$build/tally" --store "$store" reconcile --format csv
  cp "$dir/out.txt" "$dir/reconcile_$name.csv"
done
cmp -s "$dir/showback_sqlite.csv" "$dir/showback_clickhouse.csv" && echo "showback identical" ||
  echo "!! showback differs"
cmp -s "$dir/reconcile_sqlite.csv" "$dir/reconcile_clickhouse.csv" && echo "reconcile identical" ||
  echo "!! reconcile differs"
cat "$dir/reconcile_sqlite.csv"
rows=0
for endpoint in $(echo "$ch" | sed -E 's#clickhouse://([^/]*)/.*#\1#' | tr , ' '); do
  r=$(curl -s "http://$endpoint/" --data-binary "SELECT count() FROM tally.allocations_local")
  b=$(curl -s "http://$endpoint/" --data-binary \
    "SELECT sum(bytes_on_disk) FROM system.parts WHERE active AND database = 'tally' AND table = 'allocations_local'")
  echo "shard $endpoint: $r allocation rows, $(( b / 1048576 )) MiB"
done
echo "sqlite store $(( $(stat -c %s "$dir/sqlite.db") / 1048576 )) MiB"
