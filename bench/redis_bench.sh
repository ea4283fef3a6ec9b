#!/usr/bin/env bash
# Cache sampling benchmark: a real redis-server from Debian with KEYS keys in four tenants
# (DEBUG POPULATE), then `tally collect redis` at several sample rates and time budgets.
# Prints each run's time, peak memory and the tenants' estimated shares against the truth
# (every key's MEMORY USAGE, summed by redis-cli in a Lua script).
#   bench/redis_bench.sh [KEYS]
# Needs redis-server and redis-cli (Debian's redis-server package) and GNU time.
set -euo pipefail
keys=${1:-1000000}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/bench/out/redis-$keys"
mkdir -p "$out"
build="$root/build"
cmake --build "$build" --target tally >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --enable-debug-command yes \
  --dir "$out" >"$out/redis.log" 2>&1 &
redis=$!
trap 'kill $redis 2>/dev/null; wait $redis 2>/dev/null || true' EXIT
for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
# Four tenants of different sizes: 40% sess:* of 200 bytes, 30% feed:* of 800, 20% cart:* of
# 2000, 10% user:* of 100.
redis-cli -p "$port" DEBUG POPULATE $((keys * 4 / 10)) sess 200 >/dev/null
redis-cli -p "$port" DEBUG POPULATE $((keys * 3 / 10)) feed 800 >/dev/null
redis-cli -p "$port" DEBUG POPULATE $((keys * 2 / 10)) cart 2000 >/dev/null
redis-cli -p "$port" DEBUG POPULATE $((keys / 10)) user 100 >/dev/null
echo "keys: $(redis-cli -p "$port" DBSIZE), used: $(redis-cli -p "$port" INFO memory | sed -n 's/^used_memory_human:\(.*\)\r$/\1/p')"
echo "truth (every key's MEMORY USAGE, share of the total):"
redis-cli -p "$port" --raw EVAL "
  local sums = {} local total = 0 local cursor = '0'
  repeat
    local r = redis.call('SCAN', cursor, 'COUNT', 10000) cursor = r[1]
    for _, k in ipairs(r[2]) do
      local t = string.match(k, '^[^:]*') local m = redis.call('MEMORY', 'USAGE', k)
      sums[t] = (sums[t] or 0) + m total = total + m
    end
  until cursor == '0'
  local out = {} for t, v in pairs(sums) do table.insert(out, t .. ' ' .. string.format('%.4f', v / total)) end
  return out" 0 | sort

for args in "--sample-rate 0.01" "--sample-rate 0.05" "--sample-rate 0.2" "--sample-rate 1" \
            "--sample-rate 0.05 --time-budget 0.5"; do
  rm -f "$out/tally.db"*
  echo "== tally collect redis $args"
  # shellcheck disable=SC2086
  /usr/bin/time -f "   %e s wall, %M KiB peak" "$build/tally" --store "$out/tally.db" \
    collect redis --url "redis://127.0.0.1:$port" $args --hour 2026-11-02T10:00:00Z |
    sed -n '1p'
  "$build/tally" --store "$out/tally.db" usage --by consumer --format csv |
    awk -F, 'NR > 1 { u[$1] = $5; t += $5 } END { for (k in u) printf "   %s %.4f\n", k, u[k] / t }' | sort
done
