#!/bin/sh
# sweep.sh TRACE OUTDIR NAME=V1,V2,... [NAME=V1,...]... [-- replay options]
#
# A parameter grid over `dslab replay`: every combination of the listed values is one run in
# OUTDIR/<name>-<value>_..., all runs' summary.csv rows are gathered in OUTDIR/sweep.csv (one
# header). Runs go in parallel: GNU parallel when installed (it also reaches other machines with
# its --sshlogin; set SWEEP_PARALLEL_ARGS), else xargs -P with one job per core. Virtual-time
# runs are deterministic, so a sweep is reproducible from its command line.
#
#   scripts/sweep.sh workloads/default.csv.zst results/sweep-mem \
#       cache-max-memory=256kb,512kb,1mb,2mb cache-flush-delay=0,100,1000 -- --no-oracle
set -eu
if [ $# -lt 3 ]; then
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
dslab=${DSLAB:-$here/../build/dslab}
[ -x "$dslab" ] || { echo "sweep: $dslab: not built (make) or set DSLAB" >&2; exit 2; }
trace=$1 out=$2
shift 2
combos="-"
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    case $1 in
    *=*) ;;
    *) echo "sweep: '$1': expected NAME=V1,V2,..." >&2; exit 2 ;;
    esac
    name=${1%%=*} values=${1#*=}
    next=""
    for c in $combos; do
        for v in $(printf '%s' "$values" | tr ',' ' '); do
            next="$next ${c}|${name}=${v}"
        done
    done
    combos=$next
    shift
done
[ $# -gt 0 ] && shift # the "--"
mkdir -p "$out"
jobs="$out/jobs.txt"
: >"$jobs"
for c in $combos; do
    args="" tag=""
    for kv in $(printf '%s' "${c#-|}" | tr '|' ' '); do
        args="$args --${kv%%=*} ${kv#*=}"
        tag="${tag:+${tag}_}${kv%%=*}-${kv#*=}"
    done
    # shellcheck disable=SC2086
    printf '%s replay %s %s --quiet --out %s/%s %s\n' "$dslab" "$trace" "$args" "$out" "$tag" "$*" \
        >>"$jobs"
done
n=$(wc -l <"$jobs")
echo "sweep: $n runs into $out" >&2
if command -v parallel >/dev/null 2>&1; then
    # shellcheck disable=SC2086
    parallel ${SWEEP_PARALLEL_ARGS:-} --halt now,fail=1 <"$jobs" >"$out/runs.log"
else
    tr '\n' '\0' <"$jobs" | xargs -0 -P "$(nproc)" -I{} sh -c '{}' >"$out/runs.log"
fi
first=1
for s in "$out"/*/summary.csv; do
    if [ $first = 1 ]; then head -n 1 "$s" >"$out/sweep.csv"; first=0; fi
    tail -n +2 "$s" >>"$out/sweep.csv"
done
echo "sweep: $(($(wc -l <"$out/sweep.csv") - 1)) rows in $out/sweep.csv" >&2
