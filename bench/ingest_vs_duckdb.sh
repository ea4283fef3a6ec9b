#!/usr/bin/env bash
# Times `tally ingest FORMAT` against DuckDB loading the same CSV into a file database
# (CREATE TABLE t AS SELECT * FROM read_csv(...); CHECKPOINT), on this machine, and prints both
# times, their ratio, both stores' sizes and tally's peak memory. Also checks that tally's peak memory does not grow
# with the file: it ingests a file twice as large and prints that peak too.
#
# Usage: bench/ingest_vs_duckdb.sh [focus|aws-cur] [ROWS]   (defaults: focus 500000; run from
# the repository root after `make build`; `make bench` runs both formats). Needs node/npm
# (DuckDB from npm) and GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
format=${1:-focus}
rows=${2:-500000}
case "$format" in
  focus) generator=focus_gen ;;
  aws-cur) generator=cur_gen ;;
  *) echo "usage: $0 [focus|aws-cur] [ROWS]" >&2; exit 2 ;;
esac
build=${BUILD:-build}
out=bench/out
mkdir -p "$out"

[[ -d bench/node_modules/@duckdb/node-api ]] || (cd bench && npm ci --no-audit --no-fund --silent)

gen() {  # gen ROWS -> path
  local f="$out/${format}_$1.csv"
  [[ -f "$f" ]] || "$build/bench/$generator" "$1" "$f"
  echo "$f"
}

best_of_3() {  # best_of_3 CMD... -> prints the best wall time in seconds
  local best=""
  for _ in 1 2 3; do
    local t
    t=$("$@")
    if [[ -z "$best" ]] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
  done
  echo "$best"
}

tally_once() {  # tally_once FILE -> seconds; leaves peak KB in $out/tally.peak
  rm -f "$out/tally.db" "$out/tally.db-wal" "$out/tally.db-shm"
  /usr/bin/time -f "%e %M" -o "$out/tally.time" "$build/tally" --store "sqlite:$out/tally.db" \
    ingest "$format" --quiet "$1" >/dev/null
  local seconds kb
  read -r seconds kb <"$out/tally.time"
  echo "$kb" >"$out/tally.peak"
  echo "$seconds"
}

duckdb_once() {  # duckdb_once FILE -> seconds (query time inside node, excluding start-up)
  node bench/duckdb_ingest.mjs "$1" "$out/duck.duckdb" | cut -d' ' -f1
}

file=$(gen "$rows")
size_mb=$(( $(stat -c %s "$file") / 1048576 ))
echo "file: $file ($rows rows, $(head -1 "$file" | tr ',' '\n' | wc -l) columns, $size_mb MiB)"
t_tally=$(best_of_3 tally_once "$file")
peak=$(cat "$out/tally.peak")
sqlite3 "$out/tally.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
tally_bytes=$(stat -c %s "$out/tally.db")
t_duck=$(best_of_3 duckdb_once "$file")
duck_bytes=$(stat -c %s "$out/duck.duckdb")
ratio=$(awk "BEGIN{printf \"%.2f\", $t_tally / $t_duck}")
echo "tally ingest $format: ${t_tally} s (best of 3), peak RSS $((peak / 1024)) MiB"
echo "duckdb read_csv:    ${t_duck} s (best of 3)"
echo "ratio tally/duckdb: ${ratio}"
echo "store size: tally $(awk "BEGIN{printf \"%.1f\", $tally_bytes / 1048576}") MiB, DuckDB $(awk "BEGIN{printf \"%.1f\", $duck_bytes / 1048576}") MiB (ratio $(awk "BEGIN{printf \"%.2f\", $tally_bytes / $duck_bytes}"))"

big=$(gen $((rows * 2)))
tally_once "$big" >/dev/null
echo "peak RSS at $((rows * 2)) rows: $(( $(cat "$out/tally.peak") / 1024 )) MiB (at $rows rows: $((peak / 1024)) MiB)"
