#!/bin/sh
# scripts/validate-study.sh DIR [BUILD]: the README's "Is virtual time right?" tables.
#
# For each workload, one `dslab calibrate` on the workload's own trace, then three
# `dslab validate` invocations (each 3 real runs on a quiet machine and one calibrated virtual
# run), then one line per judged metric: the range of the virtual/real ratio over the three
# invocations and how many passed. Workloads:
#   default  workloads/default.csv.zst --cache-max-memory 1076302 (90% GET, 9% SET, 1% DEL)
#   ycsb-b   gen:ycsb-b,keys=5000,requests=60000,clients=32,load=1,arrival=poisson:3000
#            --cache-max-memory 2mb --warmup 6s (95% GET, 5% SET, below saturation; the
#            warm-up covers the 5,000-key load phase and its SAVEs, which land by about 4 s)
#   ycsb-a   the same with gen:ycsb-a (50% GET, 50% SET)
# STUDY_ONLY="NAME ..." runs those workloads only (default: all three).
# DIR holds the stores (on the device under test), the calibrations and every validate table;
# it must be empty or absent. Every store stays until the end (--keep-store, --keep-stores):
# on ext4, deleting a store's thousands of files makes the files created in the next minutes
# several times dearer (the inode allocator skips recently deleted inodes), which would make
# each invocation slower than the one before; they are deleted when the study ends. For the
# same reason the study first syncs and waits STUDY_SETTLE seconds (default 70: ext4 skips
# inodes deleted in the last 60 s, or longer while their inode table block is dirty), so a
# deletion just before the study (a previous study's clean-up, a test suite in the same file
# system) does not make the calibration dearer than the validations that follow it. Takes
# about 5 minutes a workload on a quiet 2-core machine (validate waits for one). Exit 0 when at
# least two of three invocations passed for every workload run, 1 otherwise, 2 on a setup
# problem.
set -u
D=${1:-}
B=${2:-build}
DSLAB=$B/dslab
[ -n "$D" ] || { echo "validate-study: usage: scripts/validate-study.sh DIR [BUILD]" >&2; exit 2; }
[ -x "$DSLAB" ] || { echo "validate-study: $DSLAB: missing (run make tools)" >&2; exit 2; }
if [ -e "$D" ] && [ -n "$(ls -A "$D" 2>/dev/null)" ]; then
    echo "validate-study: $D: not empty" >&2
    exit 2
fi
mkdir -p "$D" || exit 2
SETTLE=${STUDY_SETTLE:-70}
case $SETTLE in '' | *[!0-9]*) echo "validate-study: STUDY_SETTLE: not a number" >&2; exit 2 ;; esac
sync
sleep "$SETTLE"
echo "validate-study: $(date -u +%Y-%m-%dT%H:%MZ), commit" \
     "$(git rev-parse --short HEAD 2>/dev/null || echo none), load $(cut -d' ' -f1-3 /proc/loadavg)"
ok_all=0
study() { # NAME TRACE OPTIONS...
    name=$1 trace=$2
    shift 2
    case " ${STUDY_ONLY:-$name} " in *" $name "*) ;; *) return 0 ;; esac
    "$DSLAB" calibrate --backend-path "$D" --trace "$trace" "$@" --keep-store on \
        -o "$D/$name.conf" \
        > "$D/cal-$name.txt" 2>&1 || { echo "validate-study: calibrate $name failed:" \
        "$(tail -n1 "$D/cal-$name.txt")" >&2; exit 2; }
    passed=0
    for i in 1 2 3; do
        "$DSLAB" validate "$trace" --backend-path "$D" --config "$D/$name.conf" "$@" \
            --keep-stores on --out "$D/val-$name-$i" > "$D/val-$name-$i.txt" 2>&1
        rc=$?
        [ $rc -eq 2 ] && { echo "validate-study: validate $name failed:" \
            "$(tail -n1 "$D/val-$name-$i.txt")" >&2; exit 2; }
        [ $rc -eq 0 ] && passed=$((passed + 1))
    done
    echo "== $name: $passed of 3 invocations passed (calibration $D/$name.conf)"
    # metric, real median range, virtual, ratio range, passes (judged metrics only)
    awk -F, 'FNR == 1 { next }
        $7 != "-" {
            m = $1; n[m]++; if ($8 == "yes") p[m]++
            if (!(m in lo) || $4 < lo[m]) lo[m] = $4
            if (!(m in hi) || $4 > hi[m]) hi[m] = $4
            if (!(m in rl) || $2 + 0 < rl[m]) rl[m] = $2 + 0
            if (!(m in rh) || $2 + 0 > rh[m]) rh[m] = $2 + 0
            v[m] = $3; if (!(m in order)) { order[m] = ++k; name[k] = m }
        }
        END {
            printf "%-16s %-21s %-12s %-13s %s\n", "metric", "real (medians)", "virtual",
                   "ratio", "pass"
            for (i = 1; i <= k; i++) { m = name[i]
                printf "%-16s %-21s %-12s %-13s %d/%d\n", m, sprintf("%g-%g", rl[m], rh[m]),
                       v[m], sprintf("%.2f-%.2f", lo[m], hi[m]), p[m], n[m] }
        }' "$D"/val-"$name"-[123]/validate.csv
    [ $passed -ge 2 ] || ok_all=1
}
study default workloads/default.csv.zst --cache-max-memory 1076302
study ycsb-b "gen:ycsb-b,keys=5000,requests=60000,clients=32,load=1,arrival=poisson:3000" \
    --cache-max-memory 2mb --warmup 6s
study ycsb-a "gen:ycsb-a,keys=5000,requests=60000,clients=32,load=1,arrival=poisson:3000" \
    --cache-max-memory 2mb --warmup 6s
rm -rf "$D"/dslab-calibrate-* "$D"/dslab-validate-*
exit $ok_all
