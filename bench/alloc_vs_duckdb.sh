#!/usr/bin/env bash
# End-to-end allocation against the same policy as DuckDB SQL, in one run: usage_gen writes
# CONSUMERS x HOURS of usage, the nodes' inventory and their hourly bill; tally ingests them
# (not timed) and `tally allocate` runs as a whole process on a copy of that store; DuckDB loads
# the same files (not timed) and runs bench/duckdb_allocate.mjs's SQL, persisted to its file.
# Prints each side's median of RUNS, tally's peak memory, and the reconcile total.
#
# Usage: bench/alloc_vs_duckdb.sh [CONSUMERS=10000] [HOURS=168] [RUNS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
consumers=${1:-10000}
hours=${2:-168}
runs=${3:-3}
build=${BUILD:-build}
dir="bench/out/alloc_${consumers}x${hours}"
mkdir -p "$dir"
[[ -d bench/node_modules/@duckdb/node-api ]] || (cd bench && npm ci --no-audit --no-fund --silent)
[[ -f "$dir/usage.csv" ]] || "$build/bench/usage_gen" "$consumers" "$hours" "$dir"
if [[ ! -f "$dir/inputs.db" ]]; then
  rm -f "$dir"/inputs.db*
  for kind in usage-csv:usage.csv inventory:inventory.csv focus:bill.csv; do
    /usr/bin/time -f "  ingest ${kind%%:*}: %e s, peak %M KiB" \
      "$build/tally" --store "sqlite:$dir/inputs.db" ingest "${kind%%:*}" "$dir/${kind#*:}" >/dev/null 2>"$dir/ingest.err" || { cat "$dir/ingest.err"; exit 1; }
    grep -h "ingest" "$dir/ingest.err" || true
  done
  sqlite3 "$dir/inputs.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
fi
median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
tally_times=() duck_times=() peak=0
for _ in $(seq "$runs"); do
  cp "$dir/inputs.db" "$dir/run.db"
  rm -f "$dir/run.db-wal" "$dir/run.db-shm"
  /usr/bin/time -f "%e %M" -o "$dir/time" "$build/tally" --store "sqlite:$dir/run.db" allocate >/dev/null
  read -r t kb <"$dir/time"
  tally_times+=("$t")
  (( kb > peak )) && peak=$kb
  read -r _ d rows < <(node bench/duckdb_allocate.mjs "$dir" "$dir/duck.duckdb")
  duck_times+=("$d")
done
t=$(printf '%s\n' "${tally_times[@]}" | median)
d=$(printf '%s\n' "${duck_times[@]}" | median)
echo "$consumers consumers x $hours hours: tally allocate ${t} s (runs: ${tally_times[*]}), peak $((peak / 1024)) MiB"
echo "DuckDB SQL allocation: ${d} s (runs: ${duck_times[*]}), $rows rows"
echo "ratio tally/DuckDB: $(awk "BEGIN{printf \"%.2f\", $t / $d}")"
"$build/tally" --store "sqlite:$dir/run.db" reconcile | tail -1
