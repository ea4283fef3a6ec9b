#!/usr/bin/env bash
# Times monthly cost reports as a whole `tally costs` process (start-up, open, answer, print)
# against DuckDB's GROUP BY on the same FOCUS file loaded into a table, in one run, and prints
# both stores' sizes. Three reports: provider x category, sub-account, and the tag "team".
#
# Usage: bench/query_vs_duckdb.sh [ROWS] [RUNS]   (defaults 500000 rows, 5 runs; run from the
# repository root after `make build`). Needs node/npm (DuckDB from npm).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-500000}
runs=${2:-5}
build=${BUILD:-build}
out=bench/out
mkdir -p "$out"
[[ -d bench/node_modules/@duckdb/node-api ]] || (cd bench && npm ci --no-audit --no-fund --silent)

file="$out/focus_$rows.csv"
[[ -f "$file" ]] || "$build/bench/focus_gen" "$rows" "$file"
db="$out/query_$rows.db"
duck="$out/query_$rows.duckdb"
if [[ ! -f "$db" ]]; then
  /usr/bin/time -f "tally ingest: %e s, peak %M KiB" "$build/tally" --store "sqlite:$db" ingest focus --quiet "$file" >/dev/null
fi
[[ -f "$duck" ]] || node bench/duckdb_ingest.mjs "$file" "$duck" >/dev/null
sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null

source bench/median_ms.sh

declare -A by=([provider_category]="ProviderName,ServiceCategory" [sub_account]="SubAccountId" [tag_team]="Tags.team")
echo "rows $rows, $runs runs each; tally store $(( $(stat -c %s "$db") / 1048576 )) MiB, DuckDB file $(( $(stat -c %s "$duck") / 1048576 )) MiB"
printf '%-18s %14s %22s %18s\n' report "tally process" "DuckDB open+first" "DuckDB warm"
duck_times=$(node bench/duckdb_query.mjs "$duck" "$runs")  # all of DuckDB's runs first: never both at once
echo "$duck_times" | while read -r name first warm _; do
  t=$(median_ms "$build/tally" --store "sqlite:$db" costs --by "${by[$name]}" --from 2024-05-01 --to 2024-06-01)
  printf '%-18s %11s ms %19s ms %15s ms\n' "$name" "$t" "$(awk "BEGIN{printf \"%.1f\", $first*1000}")" "$(awk "BEGIN{printf \"%.1f\", $warm*1000}")"
done
