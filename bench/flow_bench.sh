#!/usr/bin/env bash
# Flow log benchmark: a synthetic day of VPC flow logs (default format, RECORDS records over
# ADDRESSES source addresses and 50 destinations, gzipped like S3 delivers them), then
# `tally ingest vpc-flow` and `tally flows`. Prints times and peak memory.
#   bench/flow_bench.sh [RECORDS] [ADDRESSES]
# Needs python3 and GNU time.
set -euo pipefail
records=${1:-2000000}
addresses=${2:-2000}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/bench/out/flows-$records-$addresses"
mkdir -p "$out"
build="$root/build"
cmake --build "$build" --target tally >/dev/null
if [[ ! -f "$out/flows.log.gz" ]]; then
  python3 - "$records" "$addresses" "$out/flows.log" <<'PY'
import random, sys
n, k, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
random.seed(7)
start = 1762041600  # 2025-11-02T00:00:00Z
dst = [f"10.{1 + i % 3}.{i // 250}.{i % 250 + 1}" for i in range(40)] + \
      [f"52.{i}.1.1" for i in range(10)]
with open(path, "w") as f:
    for i in range(n):
        s = f"10.{1 + i % 3}.{(i // 7) % k // 250}.{(i // 7) % k % 250 + 1}"
        t = start + (i * 86400) // n
        f.write(f"2 123456789012 eni-{i % 64:04x} {s} {random.choice(dst)} 443 {40000 + i % 20000} "
                f"6 {1 + i % 50} {1000 + (i * 7919) % 1000000} {t} {t + 60} ACCEPT OK\n")
PY
  gzip -f "$out/flows.log"
fi
printf 'network:\n  zones:\n    - {cidr: 10.1.0.0/16, zone: us-east-1a}\n    - {cidr: 10.2.0.0/16, zone: us-east-1b}\n    - {cidr: 10.3.0.0/16, zone: us-west-2a}\n' >"$out/tally.yaml"
echo "input: $(du -h "$out/flows.log.gz" | cut -f1) gzipped, $records records"
rm -f "$out/tally.db"*
/usr/bin/time -f "ingest vpc-flow: %e s wall, %M KiB peak" \
  "$build/tally" --store "$out/tally.db" ingest vpc-flow "$out/flows.log.gz" --config "$out/tally.yaml"
/usr/bin/time -f "ingest again (idempotent): %e s wall, %M KiB peak" \
  "$build/tally" --store "$out/tally.db" ingest vpc-flow "$out/flows.log.gz" --config "$out/tally.yaml"
/usr/bin/time -f "flows --by class: %e s wall, %M KiB peak" \
  "$build/tally" --store "$out/tally.db" flows --by class --config "$out/tally.yaml"
/usr/bin/time -f "flows --by consumer: %e s wall, %M KiB peak" \
  "$build/tally" --store "$out/tally.db" flows --by consumer --format csv --config "$out/tally.yaml" >/dev/null
echo "store: $(du -h "$out/tally.db" | cut -f1)"
