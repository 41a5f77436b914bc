#!/usr/bin/env bash
# scripts/crash-test.sh [N] [BUILD]: the real crash lab.
#
# N times (default 20): start a real-clock `dslab replay --fsync always` on the file backend with
# the oracle on and the save log (--save-log) on, SIGKILL it at a random moment while it writes,
# then check the store it left with crashcheck (bench/crashcheck.c, rules in sim/crashrules.c):
# no torn or corrupt record, every key holds a version a SAVE really wrote, and every SAVE
# acknowledged before the kill is still there (or a newer one is).
#
# Each iteration is short: 40,000 zipf requests over 1,000 keys with 40% SET and 10% DEL, a
# 20 ms flush delay (so a key is saved and deleted many times), about 4 s and 2,000 fsynced
# SAVEs per second on ext4, killed 0.2-2.5 s in. The
# kill moment and the generator seed come from one seed per iteration (printed), so a failing
# iteration can be replayed by hand. Exit 0 when every iteration passed, 1 otherwise, 2 on a
# setup problem.
set -u
N=${1:-20}
B=${2:-build}
DSLAB=$B/dslab
CHECK=$B/bench/crashcheck
case $N in '' | *[!0-9]*) echo "crash-test: N: not a number: $N" >&2; exit 2 ;; esac
for x in "$DSLAB" "$CHECK"; do
    [ -x "$x" ] || { echo "crash-test: $x: missing (run make tools)" >&2; exit 2; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dslab-crash.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
base=${CRASH_SEED:-$(date +%s)}
echo "crash-test: $N runs, base seed $base ($(date -u +%Y-%m-%dT%H:%MZ)," \
     "commit $(git rev-parse --short HEAD 2>/dev/null || echo none))"
MIX="mix=get:0.5/set:0.4/del:0.1,arrival=poisson:10000"
pass=0
for i in $(seq 1 "$N"); do
    seed=$((base + i))
    RANDOM=$((seed % 32768))
    delay_ms=$((200 + (RANDOM * 32768 + RANDOM) % 2300))
    run=$tmp/run
    rm -rf "$run" && mkdir -p "$run"
    "$DSLAB" replay "gen:zipf:0.9,keys=1000,requests=40000,clients=16,$MIX,seed=$seed" \
        --clock real --cache-flush-delay 20 --backend file --backend-path "$run/store" --fsync always --oracle on \
        --save-log "$run/save.log" --out "$run/out" --quiet >"$run/replay.out" 2>&1 &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    if ! kill -KILL "$pid" 2>/dev/null; then
        wait "$pid"
        echo "run $i: seed $seed: the replay ended before the kill at $delay_ms ms (exit $?)"
        continue
    fi
    wait "$pid" 2>/dev/null
    res=$("$CHECK" "$run/store" "$run/save.log" 2>&1)
    rc=$?
    if [ $rc -eq 0 ] && grep -q ' acked [1-9]' <<<"$res"; then
        pass=$((pass + 1))
        echo "run $i: seed $seed, killed at $delay_ms ms: ok: ${res#crashcheck: }"
    else
        echo "run $i: seed $seed, killed at $delay_ms ms: FAILED (crashcheck exit $rc)"
        echo "$res" | sed 's/^/    /'
    fi
done
echo "crash-test: $pass/$N passed"
[ "$pass" -eq "$N" ]
