#!/usr/bin/env bash
# A real Slurm on loopback, from Debian's packages, for tests: munge, MariaDB, slurmdbd,
# slurmctld and one slurmd (this host, its CPUs, 4 GPUs declared as gres on stand-in character
# devices: no GPU or driver is needed), every daemon on free ports with its files under DIR.
#
#   scripts/slurm-loopback.sh start DIR   # prints SLURM_CONF=DIR/slurm.conf once jobs can run
#   scripts/slurm-loopback.sh stop DIR    # stops every daemon it started
#
# Needs root (slurmd runs jobs as their user), and slurm-wlm slurmdbd munge mariadb-server
# (scripts/deps.sh installs them). The cluster is "tally"; accounts "accta" and "acctb" exist
# and root may use both. Facts behind each step: ../shared/reference/slurm-on-loopback.md.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
if [[ -z "$cmd" || -z "$dir" ]]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi
dir=$(realpath -m "$dir")

stop() {
  for pid in "$dir"/run/*.pid; do
    [[ -f "$pid" ]] || continue
    kill "$(cat "$pid")" 2>/dev/null || true
  done
  sleep 1
  for pid in "$dir"/run/*.pid; do
    [[ -f "$pid" ]] || continue
    kill -9 "$(cat "$pid")" 2>/dev/null || true
    rm -f "$pid"
  done
}

if [[ "$cmd" == stop ]]; then
  stop
  exit 0
fi
[[ "$cmd" == start ]] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

# Stops what was started if any step fails, and shows the logs.
fail() {
  echo "slurm-loopback: $*" >&2
  tail -n 20 "$dir"/log/*.log >&2 2>/dev/null || true
  stop
  exit 1
}

# A TCP port nothing listens on.
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
  fail "no free port"
}

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local seconds=$1 what=$2
  shift 2
  for _ in $(seq 1 $((seconds * 5))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  fail "timed out waiting for $what"
}

mkdir -p "$dir"/{run,log,munge,db,state,spool,dev}
chmod 700 "$dir/munge"
host=$(hostname -s)
cpus=$(nproc)

# munge: its own key, socket and files.
head -c 1024 /dev/urandom > "$dir/munge/munge.key"
chmod 400 "$dir/munge/munge.key"
sock="$dir/munge/munge.socket"
munged --key-file="$dir/munge/munge.key" --socket="$sock" --pid-file="$dir/run/munged.pid" \
  --log-file="$dir/log/munged.log" --seed-file="$dir/munge/seed" --force ||
  fail "munged did not start"

# MariaDB from a data directory of its own, with a database and user for slurmdbd.
db_port=$(free_port)
mariadb-install-db --datadir="$dir/db" --user=root >"$dir/log/mariadb-install.log" 2>&1 ||
  fail "mariadb-install-db failed"
mariadbd --datadir="$dir/db" --socket="$dir/run/mysql.sock" --port="$db_port" \
  --bind-address=127.0.0.1 --user=root --pid-file="$dir/run/mariadbd.pid" \
  --log-error="$dir/log/mariadbd.log" >/dev/null 2>&1 &
wait_for 120 "MariaDB" mariadb --socket="$dir/run/mysql.sock" -u root -e "SELECT 1"
mariadb --socket="$dir/run/mysql.sock" -u root -e "
  CREATE DATABASE slurm_acct;
  CREATE USER 'slurm'@'127.0.0.1' IDENTIFIED BY 'tally';
  GRANT ALL ON slurm_acct.* TO 'slurm'@'127.0.0.1';" || fail "cannot create the database"

dbd_port=$(free_port)
ctld_port=$(free_port)
slurmd_port=$(free_port)
cat > "$dir/slurmdbd.conf" <<CONF
AuthType=auth/munge
AuthInfo=socket=$sock
DbdAddr=127.0.0.1
DbdHost=$host
DbdPort=$dbd_port
SlurmUser=root
PidFile=$dir/run/slurmdbd.pid
LogFile=$dir/log/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$db_port
StorageUser=slurm
StoragePass=tally
StorageLoc=slurm_acct
CONF
chmod 600 "$dir/slurmdbd.conf"

for i in 0 1 2 3; do
  [[ -e "$dir/dev/gpu$i" ]] || mknod "$dir/dev/gpu$i" c 1 3
done
cat > "$dir/gres.conf" <<CONF
AutoDetect=off
Name=gpu File=$dir/dev/gpu[0-3]
CONF

cat > "$dir/slurm.conf" <<CONF
ClusterName=tally
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$sock
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/builtin
ReturnToService=2
GresTypes=gpu
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=1
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort=$dbd_port
AccountingStoragePass=$sock
AccountingStorageTRES=gres/gpu
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=1000 Gres=gpu:4 State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$dir/slurm.conf"

slurmdbd || fail "slurmdbd did not start"
wait_for 60 "slurmdbd" sacctmgr -i list cluster
sacctmgr -i add cluster tally >/dev/null || fail "sacctmgr add cluster failed"
sacctmgr -i add account accta,acctb >/dev/null || fail "sacctmgr add account failed"
sacctmgr -i add user root account=accta,acctb >/dev/null || fail "sacctmgr add user failed"

slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start"
slurmd -f "$SLURM_CONF" || fail "slurmd did not start"
wait_for 60 "the node to be idle" bash -c "sinfo -h -N -o %T | grep -qx idle"
echo "SLURM_CONF=$SLURM_CONF"
