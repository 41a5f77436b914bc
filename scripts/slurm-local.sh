#!/bin/sh
# slurm-local.sh [--keep] - a single-node Slurm cluster on this machine, and a small sweep run
# through it with `scripts/sweep.sh --emit-slurm` (not part of CI: it starts daemons, as root).
#
# What it does: installs Debian's slurm-wlm when missing; writes a slurm.conf for one node (this
# host, all its cores) under $SLURM_LOCAL_DIR (default: a directory under /tmp), with its state,
# spool, logs and pid files there too, and no authentication daemon (auth/none, cred/none: one
# machine, root only; a real cluster uses munge); starts slurmctld and slurmd with that file
# (-f, and SLURM_CONF for the clients); waits for the node to be idle; emits a
# 2 x 3 sweep (cache-max-memory x seed on a generated trace) as a Slurm array job plus its merge
# step, submits them and waits for the merge; checks that sweep.csv has 6 rows; then stops the
# daemons it started (by pid), unless --keep. Exit 0 when the merged sweep.csv is complete.
#
# The same emitted files run on a real cluster: see README "Sweeps on a cluster".
set -eu
keep=0
[ "${1:-}" = --keep ] && keep=1
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
[ "$(id -u)" = 0 ] || { echo "slurm-local: needs root (starts slurmctld and slurmd)" >&2; exit 2; }
if ! command -v slurmctld >/dev/null 2>&1 || ! command -v sbatch >/dev/null 2>&1; then
    echo "slurm-local: installing slurm-wlm" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm
fi
[ -x "$root/build/dslab" ] || make -C "$root" -j2 build/dslab >/dev/null
dir=${SLURM_LOCAL_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/dslab-slurm.XXXXXX")}
mkdir -p "$dir/state" "$dir/spool" "$dir/log"
host=$(hostname -s)
cpus=$(nproc)
mem=$(awk '/MemTotal/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)
conf=$dir/slurm.conf
cat >"$conf" <<EOF
# single-node Slurm for scripts/slurm-local.sh
ClusterName=dslab-local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/none
CredType=cred/none
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$conf"
started=""
stop() {
    [ $keep = 1 ] && { echo "slurm-local: daemons left running (SLURM_CONF=$conf)" >&2; return; }
    for p in $started; do kill "$p" 2>/dev/null || true; done
}
trap stop EXIT
slurmctld -f "$conf"
slurmd -f "$conf"
for f in slurmctld slurmd; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$dir/$f.pid" ] && break; sleep 1; done
    [ -s "$dir/$f.pid" ] || { echo "slurm-local: $f did not start:" >&2; tail -5 "$dir/log/$f.log" >&2; exit 1; }
    started="$started $(cat "$dir/$f.pid")"
done
for _ in $(seq 1 30); do
    state=$(sinfo -h -n "$host" -o %t 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 1
done
echo "slurm-local: node $host is '${state:-unknown}' ($cpus CPUs), config $conf" >&2
[ "$state" = idle ] || { sinfo >&2 || true; tail -5 "$dir/log/slurmctld.log" >&2; exit 1; }

out=$dir/sweep
"$here/sweep.sh" "gen:zipf:0.99,keys=2000,requests=20000,clients=8,seed=1" "$out" \
    cache-max-memory=128kb,512kb seed=1,2,3 --emit-slurm "$dir/jobs" -- --no-oracle
t0=$(date +%s)
"$dir/jobs/submit.sh" --wait >"$dir/submit.out" 2>&1 || true
cat "$dir/submit.out" >&2
rows=$(($(wc -l <"$out/sweep.csv" 2>/dev/null || echo 1) - 1))
echo "slurm-local: merged $rows rows into $out/sweep.csv in $(($(date +%s) - t0)) s" >&2
squeue >&2 || true
head -n 3 "$out/sweep.csv" 2>/dev/null | cut -c1-150 >&2 || true
[ "$rows" -eq 6 ]
