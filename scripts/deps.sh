#!/usr/bin/env bash
# Installs what tally needs to build and test, from Debian's packages only. Idempotent: it asks
# apt only for packages that are missing, so a second run does nothing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libsqlite3-dev zlib1g-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcurl4-openssl-dev libcpp-httplib-dev libsnappy-dev libprotobuf-dev protobuf-compiler
  libyaml-cpp-dev
  clang-format clang-tidy sqlite3
  # Real peers for the integration tests (prometheus brings promtool).
  prometheus
)
# Only for the benchmarks against DuckDB (bench/): node and npm, and GNU time for peak memory.
if [[ "${TALLY_DEPS_BENCH:-0}" == 1 ]]; then packages+=(nodejs npm time wrk); fi
# Only for fuzzing (fuzz/): clang and its libFuzzer runtime.
if [[ "${TALLY_DEPS_FUZZ:-0}" == 1 ]]; then packages+=(clang libclang-rt-14-dev); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
