#!/usr/bin/env bash
# Installs what tally needs to build and test, from Debian's packages only. Idempotent: it asks
# apt only for packages that are missing, so a second run does nothing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libsqlite3-dev zlib1g-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcurl4-openssl-dev libcpp-httplib-dev libsnappy-dev libzstd-dev libprotobuf-dev protobuf-compiler
  libyaml-cpp-dev libpugixml-dev
  # TLS, token hashing and JWT signatures (docs/security.md); the openssl tool makes the test
  # certificates.
  libssl-dev openssl
  clang-format clang-tidy sqlite3
  # Real peers for the integration tests (prometheus brings promtool; prometheus-alertmanager
  # brings amtool), and the browser the dashboard's end-to-end tests drive.
  prometheus prometheus-alertmanager chromium
  # A real Slurm for the live collection test (scripts/slurm-loopback.sh): the daemons, the
  # accounting database and munge.
  slurm-wlm slurmdbd munge mariadb-server
  # Spark event logs are read with simdjson.
  libsimdjson-dev
  # Redis caches are sampled through hiredis; the cache test runs a real redis-server.
  libhiredis-dev redis-server
  # The ClickHouse store's tests run a real two-shard cluster (scripts/clickhouse-cluster.sh).
  clickhouse-server
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

# The dashboard (web/): Node.js from the machine (Vite needs 20.19 or newer; Debian 12's is
# 18, so it is installed from Debian only when there is no node at all), packages from the npm
# registry exactly as the lockfile says.
if ! command -v node >/dev/null 2>&1; then
  echo "deps: installing nodejs npm"
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm
fi
web="$(cd "$(dirname "$0")/.." && pwd)/web"
if [[ ! -d "$web/node_modules" || "$web/package-lock.json" -nt "$web/node_modules" ]]; then
  echo "deps: npm ci in web/"
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error)
  touch "$web/node_modules"
fi
