#!/usr/bin/env bash
# Builds the libFuzzer targets with clang, address and undefined-behaviour sanitizers, and runs
# each for SECONDS (default 60) starting from the real samples in ../shared/data. A crash stops
# the run and leaves the input in build-fuzz/crash-*. Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shared=${SHARED:-../shared}
build=build-fuzz
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DTALLY_FUZZ=ON -DTALLY_BUILD_TESTS=OFF -DTALLY_BUILD_BENCH=OFF \
  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined" \
  >/dev/null
cmake --build "$build" --target decimal_fuzz csv_fuzz exposition_fuzz request_fuzz
corpus() {  # corpus NAME DIRS... -> a fresh corpus dir seeded with the files under DIRS
  local dir="$build/corpus-$1"
  mkdir -p "$dir"
  shift
  find "$@" -type f -size -256k -exec cp -n {} "$dir"/ \; 2>/dev/null || true
  echo "$dir"
}
run() {  # run TARGET CORPUS
  (cd "$build" && "./fuzz/$1" -max_total_time="$seconds" -max_len=65536 -print_final_stats=1 \
    "$(basename "$2")" 2>&1 | tail -4)
}
run decimal_fuzz "$(corpus decimal "$shared/data/billing/focus-validator")"
run csv_fuzz "$(corpus csv "$shared/data/billing")"
run exposition_fuzz "$(corpus exposition "$shared/data/telemetry/prometheus" "$shared/data/telemetry/kubernetes")"
run request_fuzz "$(corpus request fuzz/request_seeds)"
