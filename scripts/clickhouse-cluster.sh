#!/usr/bin/env bash
# A ClickHouse cluster on loopback, from Debian's clickhouse-server (18.16), for tests and for
# trying tally on ClickHouse: SHARDS servers (default 2), each one shard of the cluster "tally",
# on free ports, with their files under DIR.
#
#   scripts/clickhouse-cluster.sh start DIR [SHARDS]   # prints TALLY_STORE=clickhouse://...
#   scripts/clickhouse-cluster.sh stop DIR             # stops every server it started
#
# The store URL it prints lists every shard's HTTP endpoint (tally creates the tables on each)
# and names the cluster (reads go through Distributed tables over it): docs/store.md.
# Facts behind each step: ../shared/reference/slurm-on-loopback.md, "ClickHouse".
set -euo pipefail

cmd=${1:-}
dir=${2:-}
shards=${3:-2}
if [[ -z "$cmd" || -z "$dir" ]]; then
  echo "usage: $0 start|stop DIR [SHARDS]" >&2
  exit 2
fi
dir=$(realpath -m "$dir")

stop() {
  for pid in "$dir"/shard*/server.pid; do
    [[ -f "$pid" ]] || continue
    kill "$(cat "$pid")" 2>/dev/null || true
  done
  for pid in "$dir"/shard*/server.pid; do
    [[ -f "$pid" ]] || continue
    for _ in $(seq 1 50); do
      kill -0 "$(cat "$pid")" 2>/dev/null || break
      sleep 0.2
    done
    kill -9 "$(cat "$pid")" 2>/dev/null || true
    rm -f "$pid"
  done
}

if [[ "$cmd" == stop ]]; then
  stop
  exit 0
fi
[[ "$cmd" == start ]] || { echo "usage: $0 start|stop DIR [SHARDS]" >&2; exit 2; }
[[ "$shards" =~ ^[1-9]$ ]] || { echo "clickhouse-cluster: SHARDS is 1 to 9" >&2; exit 2; }
command -v clickhouse-server >/dev/null || [[ -x /usr/sbin/clickhouse-server ]] ||
  { echo "clickhouse-cluster: no clickhouse-server (scripts/deps.sh installs it)" >&2; exit 1; }

fail() {
  echo "clickhouse-cluster: $*" >&2
  tail -n 20 "$dir"/shard*/server.err.log >&2 2>/dev/null || true
  stop
  exit 1
}

# A TCP port nothing listens on, and not handed out before in this run.
taken=" "
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    [[ "$taken" == *" $p "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      taken+="$p "
      echo "$p"
      return
    fi
  done
  fail "no free port"
}

mkdir -p "$dir"
http_ports=() tcp_ports=()
for i in $(seq 1 "$shards"); do
  http_ports+=("$(free_port)")
  tcp_ports+=("$(free_port)")
done

remote="<tally>"
for i in $(seq 0 $((shards - 1))); do
  remote+="<shard><replica><host>127.0.0.1</host><port>${tcp_ports[$i]}</port></replica></shard>"
done
remote+="</tally>"

endpoints=()
for i in $(seq 0 $((shards - 1))); do
  s="$dir/shard$((i + 1))"
  mkdir -p "$s/data" "$s/tmp" "$s/format_schemas"
  cat >"$s/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>$s/server.log</log>
    <errorlog>$s/server.err.log</errorlog>
    <size>10M</size>
    <count>2</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${http_ports[$i]}</http_port>
  <tcp_port>${tcp_ports[$i]}</tcp_port>
  <path>$s/data/</path>
  <tmp_path>$s/tmp/</tmp_path>
  <format_schema_path>$s/format_schemas/</format_schema_path>
  <users_config>$s/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
  <remote_servers>$remote</remote_servers>
</yandex>
EOF
  cat >"$s/users.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default></default></quotas>
</yandex>
EOF
  clickhouse-server --config-file="$s/config.xml" >"$s/stdout.log" 2>&1 &
  echo $! >"$s/server.pid"
  endpoints+=("127.0.0.1:${http_ports[$i]}")
done

for i in $(seq 0 $((shards - 1))); do
  ok=""
  for _ in $(seq 1 150); do
    if (exec 3<>"/dev/tcp/127.0.0.1/${http_ports[$i]}") 2>/dev/null; then
      ok=1
      break
    fi
    sleep 0.2
  done
  [[ -n "$ok" ]] || fail "shard $((i + 1)) did not start"
done

url="clickhouse://$(IFS=,; echo "${endpoints[*]}")/tally?cluster=tally"
echo "$url" >"$dir/url"
echo "TALLY_STORE=$url"
