#!/usr/bin/env bash
# Bulk ingest and cost report latency on a two-shard ClickHouse cluster (scripts/
# clickhouse-cluster.sh, Debian's clickhouse-server) against the embedded SQLite store, on the
# same generated FOCUS file (bench/focus_gen). Reports as in query_vs_duckdb.sh: provider x
# category, sub-account and the tag "team", each a whole `tally costs` process, median of RUNS.
#
# Usage: bench/clickhouse_bench.sh [ROWS] [RUNS]   (defaults 1000000 rows, 5 runs; from the
# repository root after `make build`). ROWS may be given as 10M or 100M. The file is written
# gzip-compressed above 20M rows (tally reads .csv.gz).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
rows=${rows/M/000000}
runs=${2:-5}
build=${BUILD:-build}
out=bench/out
mkdir -p "$out"

file="$out/focus_$rows.csv"
if ((rows > 20000000)); then
  file="$file.gz"
  [[ -f "$file" ]] || "$build/bench/focus_gen" "$rows" /dev/stdout | gzip -1 >"$file"
else
  [[ -f "$file" ]] || "$build/bench/focus_gen" "$rows" "$file"
fi
echo "file $file: $(( $(stat -c %s "$file") / 1048576 )) MiB"

cluster="$out/clickhouse_$rows"
scripts/clickhouse-cluster.sh stop "$cluster" >/dev/null 2>&1 || true
rm -rf "$cluster"
scripts/clickhouse-cluster.sh start "$cluster" 2 >/dev/null
trap 'scripts/clickhouse-cluster.sh stop "$cluster"' EXIT
ch="$(cat "$cluster/url")&companion=$cluster/companion.db"
db="$out/clickhouse_sqlite_$rows.db"

ingest() {  # ingest NAME STORE
  /usr/bin/time -f "$1 ingest: %e s, peak %M KiB" "$build/tally" --store "$2" ingest focus --quiet "$file" >/dev/null
}
[[ -f "$db" ]] || ingest sqlite "sqlite:$db"
ingest clickhouse "$ch"
sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null

ch_bytes=0
for endpoint in $(echo "$ch" | sed -E 's#clickhouse://([^/]*)/.*#\1#' | tr , ' '); do
  b=$(curl -s "http://$endpoint/" --data-binary \
    "SELECT sum(bytes_on_disk) FROM system.parts WHERE active AND database = 'tally'")
  r=$(curl -s "http://$endpoint/" --data-binary "SELECT count() FROM tally.cost_lines_local")
  echo "shard $endpoint: $r rows, $(( b / 1048576 )) MiB"
  ch_bytes=$((ch_bytes + b))
done
echo "sqlite store $(( $(stat -c %s "$db") / 1048576 )) MiB; clickhouse $(( ch_bytes / 1048576 )) MiB" \
  "+ companion $(( $(stat -c %s "$cluster/companion.db") / 1048576 )) MiB"

source bench/median_ms.sh

printf '%-20s %12s %12s\n' report "sqlite ms" "clickhouse ms"
for by in "ProviderName,ServiceCategory" "SubAccountId" "Tags.team"; do
  s=$(median_ms "$build/tally" --store "sqlite:$db" costs --by "$by" --from 2024-05-01 --to 2024-06-01)
  c=$(median_ms "$build/tally" --store "$ch" costs --by "$by" --from 2024-05-01 --to 2024-06-01)
  a=$("$build/tally" --store "sqlite:$db" costs --by "$by" --from 2024-05-01 --to 2024-06-01 --format csv | md5sum)
  b=$("$build/tally" --store "$ch" costs --by "$by" --from 2024-05-01 --to 2024-06-01 --format csv | md5sum)
  [[ "$a" == "$b" ]] || echo "!! $by differs between the stores"
  printf '%-20s %12s %12s\n' "$by" "$s" "$c"
done
