#!/bin/sh
# sweep.sh TRACE OUTDIR NAME=V1,V2,... [NAME=V1,...]... [options] [-- replay options]
#
# A parameter grid over `dslab replay`: every combination of the listed values is one point,
# run into OUTDIR/<name>-<value>_...; the summary.csv rows of the points that succeeded are
# gathered in OUTDIR/sweep.csv (one header, grid order), failed points are listed (with their
# log) and the exit status is 1, 0 when all succeeded, 2 on bad input. NAME is any replay
# option (cache-max-memory, seed, ...) or `trace` (replaces TRACE: one row per workload).
# Write `\,` for a comma inside a value. Options:
#   --jobs N          points at once on this machine (default: cores)
#   --hosts FILE      run across machines with GNU parallel --sshloginfile FILE (a shared
#                     file system with this checkout and OUTDIR at the same paths; ':' = local)
#   --emit-slurm DIR  do not run: write DIR/jobs.txt, DIR/sweep.sbatch (an array job, one
#                     task per point), DIR/merge.sbatch and DIR/submit.sh (submits both, the
#                     merge after the array: `DIR/submit.sh [--wait]`)
#   --merge OUTDIR    (alone) gather OUTDIR/sweep.csv again from the points' results
#
#   scripts/sweep.sh workloads/default.csv.zst results/sweep-mem \
#       cache-max-memory=256kb,512kb,1mb cache-flush-delay=0,100,1000 seed=1,2,3 -- --no-oracle
#
# Nothing is re-parsed by a shell: each point's argv is stored NUL-separated in
# OUTDIR/points/N.args and handed to dslab by xargs -0; the job list that parallel, xargs or
# Slurm see holds only point numbers. A terminal gets a progress line (done, failed, ETA).
set -eu
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
die() { echo "sweep: $*" >&2; exit 2; }
abs() { case $1 in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$(pwd)" "$1" ;; esac; }
shq() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; } # quote for a script

# --run-point OUTDIR N: one point (the job that parallel, xargs or a Slurm task runs). Always
# exits 0 after recording dslab's status in N.rc, so one failed point does not stop the rest.
run_point() {
    pd=$1/points i=$2
    [ -r "$pd/$i.args" ] || { echo "sweep: $pd/$i.args: no such point" >&2; exit 2; }
    cd "$(cat "$pd/cwd")"
    rm -f "$pd/$i.rc"
    xargs -0 -x -a "$pd/$i.args" sh -c '"$@" >"$0.log" 2>&1; echo $? >"$0.rc.tmp"' \
        "$pd/$i" "$(cat "$pd/dslab")" || true
    [ -r "$pd/$i.rc.tmp" ] || echo 126 >"$pd/$i.rc.tmp"
    mv "$pd/$i.rc.tmp" "$pd/$i.rc"
}

# --merge OUTDIR: sweep.csv from the points that succeeded, in grid order; lists the others.
merge() {
    out=$1 pd=$1/points
    [ -r "$pd/count" ] || die "$out: not a sweep directory (no points/count)"
    n=$(cat "$pd/count") tmp=$out/sweep.csv.tmp rows=0 failed=0 header=""
    : >"$tmp"
    : >"$out/failed.txt"
    i=1
    while [ "$i" -le "$n" ]; do
        dir=$(sed -n "${i}p" "$pd/dirs")
        rc=$(cat "$pd/$i.rc" 2>/dev/null || echo "not run")
        if [ "$rc" = 0 ] && [ -r "$dir/summary.csv" ]; then
            h=$(head -n 1 "$dir/summary.csv")
            if [ -z "$header" ]; then header=$h && printf '%s\n' "$h" >"$tmp"; fi
            [ "$h" = "$header" ] || die "$dir/summary.csv: columns differ from the first point's"
            tail -n +2 "$dir/summary.csv" >>"$tmp"
            rows=$((rows + 1))
        else
            failed=$((failed + 1))
            last=$(tail -n 1 "$pd/$i.log" 2>/dev/null || true)
            printf 'point %s (%s): exit %s: %s\n' "$i" "$dir" "$rc" "$last" | tee -a "$out/failed.txt" >&2
        fi
        i=$((i + 1))
    done
    mv "$tmp" "$out/sweep.csv"
    echo "sweep: $rows rows in $out/sweep.csv, $failed failed point(s) of $n" >&2
    [ "$failed" -eq 0 ]
}

case ${1:-} in
--run-point) [ $# -eq 3 ] || die "usage: sweep.sh --run-point OUTDIR N"; run_point "$2" "$3"; exit 0 ;;
--merge) [ $# -eq 2 ] || die "usage: sweep.sh --merge OUTDIR"; merge "$2"; exit $? ;;
esac
if [ $# -lt 3 ]; then
    sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
dslab=$(abs "${DSLAB:-$(dirname "$(dirname "$self")")/build/dslab}")
[ -x "$dslab" ] || die "$dslab: not built (make) or set DSLAB"
trace=$1 out=${2%/}
shift 2
[ -n "$trace" ] || die "TRACE: empty"
[ -n "$out" ] || die "OUTDIR: empty"
jobs=$(nproc) hosts="" slurm=""
pd=$out/points
rm -rf "$pd"
mkdir -p "$pd/axes"
naxes=0 n=1
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    case $1 in
    --jobs) [ $# -ge 2 ] || die "--jobs: missing value"; jobs=$2; shift 2
        case $jobs in '' | *[!0-9]* | 0) die "--jobs: '$jobs': want a number > 0" ;; esac
        continue ;;
    --hosts) [ $# -ge 2 ] || die "--hosts: missing FILE"; hosts=$(abs "$2"); shift 2
        [ -r "$hosts" ] || die "--hosts: $hosts: not readable"; continue ;;
    --emit-slurm) [ $# -ge 2 ] || die "--emit-slurm: missing DIR"; slurm=$2; shift 2; continue ;;
    -*) die "$1: unknown option" ;;
    *=*) ;;
    *) die "'$1': expected NAME=V1,V2,..." ;;
    esac
    name=${1%%=*} values=${1#*=}
    case $name in '' | *[!A-Za-z0-9_-]*) die "'$1': bad option name '$name'" ;; esac
    [ -n "$values" ] || die "$name: empty grid (no values after '=')"
    [ ! -e "$pd/axes/$name" ] || die "$name: given twice"
    naxes=$((naxes + 1))
    printf '%s\n' "$name" >>"$pd/axes/names"
    printf '%s' "$values" | sed 's/\\,/\x01/g; s/,/\n/g; s/\x01/,/g' >"$pd/axes/$name"
    echo >>"$pd/axes/$name"
    grep -qx '' "$pd/axes/$name" && die "$name: empty value in '$values'"
    n=$((n * $(wc -l <"$pd/axes/$name")))
    shift
done
[ $# -gt 0 ] && shift # the "--"
[ "$naxes" -gt 0 ] || die "empty grid: give at least one NAME=V1,V2,..."
[ -z "$hosts" ] || command -v parallel >/dev/null 2>&1 ||
    die "--hosts needs GNU parallel (apt-get install parallel)"
printf '%s\n' "$dslab" >"$pd/dslab"
pwd >"$pd/cwd"
echo "$n" >"$pd/count"
: >"$pd/dirs"

# Point i (1-based): axis values by mixed-radix digits, the first axis varying slowest.
i=1
while [ "$i" -le "$n" ]; do
    rest=$((i - 1)) tag="" t=$trace
    : >"$pd/$i.tmp"
    for name in $(tac "$pd/axes/names"); do
        k=$(wc -l <"$pd/axes/$name")
        v=$(sed -n "$((rest % k + 1))p" "$pd/axes/$name")
        rest=$((rest / k))
        if [ "$name" = trace ]; then
            t=$v
            case $v in gen:*) v=${v#gen:} ;; *) v=$(basename "$v" | sed 's/\..*//') ;; esac
        else
            printf -- '--%s\0%s\0' "$name" "$v" | cat - "$pd/$i.tmp" >"$pd/$i.tmp2"
            mv "$pd/$i.tmp2" "$pd/$i.tmp"
        fi
        tag="$name-$v${tag:+_$tag}"
    done
    tag=$(printf '%s' "$tag" | tr -c 'A-Za-z0-9._=-' '_')
    [ ${#tag} -le 120 ] || tag="$(printf '%.120s' "$tag")~$i" # long gen: specs
    grep -qxF "$out/$tag" "$pd/dirs" && tag="$tag~$i"
    printf '%s\n' "$out/$tag" >>"$pd/dirs"
    { printf 'replay\0%s\0' "$t"; cat "$pd/$i.tmp"; printf -- '--quiet\0--out\0%s\0' "$out/$tag"
      [ $# -eq 0 ] || printf '%s\0' "$@"; } >"$pd/$i.args"
    rm -f "$pd/$i.tmp"
    i=$((i + 1))
done
# A readable job list, each argument shell-quoted (for people; the runs use points/N.args).
i=1
while [ "$i" -le "$n" ]; do
    printf '%s\t%s ' "$i" "$(shq "$dslab")"
    tr '\0' '\n' <"$pd/$i.args" | sed "s/'/'\\\\''/g; s/^/'/; s/\$/'/" | paste -sd' '
    i=$((i + 1))
done >"$out/jobs.txt"

if [ -n "$slurm" ]; then
    mkdir -p "$slurm/logs"
    cp "$out/jobs.txt" "$slurm/jobs.txt"
    aout=$(abs "$out")
    { echo '#!/bin/sh'
      echo '#SBATCH --job-name=dslab-sweep'
      echo '#SBATCH --ntasks=1'
      echo '#SBATCH --cpus-per-task=1'
      echo "# One array task per point of $(shq "$aout") (see jobs.txt); submit with submit.sh."
      echo "exec $(shq "$self") --run-point $(shq "$aout") \"\$SLURM_ARRAY_TASK_ID\""
    } >"$slurm/sweep.sbatch"
    { echo '#!/bin/sh'
      echo '#SBATCH --job-name=dslab-sweep-merge'
      echo '#SBATCH --ntasks=1'
      echo "exec $(shq "$self") --merge $(shq "$aout")"
    } >"$slurm/merge.sbatch"
    { echo '#!/bin/sh'
      echo "# Submit the $n-point array, then the merge once every task has ended (afterany:"
      echo '# failed points are reported by the merge). Extra arguments go to the merge sbatch,'
      echo '# e.g. --wait. SWEEP_ARRAY_MAX=K runs at most K tasks at once.'
      echo 'set -eu'
      echo 'cd "$(dirname "$0")"'
      echo "jid=\$(sbatch --parsable --array=1-$n\${SWEEP_ARRAY_MAX:+%\$SWEEP_ARRAY_MAX} \\"
      echo '    --output=logs/point-%a.out sweep.sbatch)'
      echo 'jid=${jid%%;*}'
      echo 'echo "submit: array job $jid"'
      echo 'sbatch --parsable --dependency=afterany:"$jid" --output=logs/merge.out "$@" merge.sbatch'
    } >"$slurm/submit.sh"
    chmod +x "$slurm/sweep.sbatch" "$slurm/merge.sbatch" "$slurm/submit.sh"
    echo "sweep: $n points; Slurm files in $slurm (run $slurm/submit.sh)" >&2
    exit 0
fi

# Run every point: GNU parallel (with --hosts: across machines), else xargs -P.
echo "sweep: $n points into $out" >&2
aout=$(abs "$out")
run_all() {
    if [ -n "$hosts" ]; then
        # shellcheck disable=SC2086
        seq 1 "$n" | parallel --sshloginfile "$hosts" ${SWEEP_PARALLEL_ARGS:-} \
            "$self" --run-point "$aout" '{}'
    elif command -v parallel >/dev/null 2>&1; then
        # shellcheck disable=SC2086
        seq 1 "$n" | parallel -j "$jobs" ${SWEEP_PARALLEL_ARGS:-} "$self" --run-point "$aout" '{}'
    else
        seq 1 "$n" | xargs -P "$jobs" -I '{}' "$self" --run-point "$aout" '{}'
    fi
}
start=$(date +%s)
run_all >"$out/runs.log" 2>&1 &
runner=$!
progress() {
    done=$(find "$pd" -name '*.rc' | wc -l)
    bad=$(find "$pd" -name '*.rc' -exec grep -Lx 0 {} + 2>/dev/null | wc -l)
    el=$(($(date +%s) - start))
    eta=--:--
    [ "$done" -gt 0 ] && s=$((el * (n - done) / done)) && eta=$(printf '%d:%02d' $((s / 60)) $((s % 60)))
    printf '\rsweep: %d/%d done, %d failed, %ds elapsed, ETA %s ' "$done" "$n" "$bad" "$el" "$eta" >&2
}
if [ -t 2 ]; then
    while kill -0 "$runner" 2>/dev/null; do progress; sleep 1; done
    progress
    echo >&2
fi
wait "$runner" || echo "sweep: the runner exited non-zero (see $out/runs.log)" >&2
merge "$out"
