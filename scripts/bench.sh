#!/bin/sh
# make bench: every benchmark, with the machine it ran on. Numbers only; no pass/fail here
# (regressions are judged by scripts/regress.sh / dslab compare against results/baseline).
set -u
B=${1:-build-bench}
DSLAB=$B/dslab
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r)"
echo "== date: $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo none)"
run() { echo; echo "== $*"; "$@" || echo "(failed: exit $?)"; }
[ -x "$B/bench/bench_core" ] && run "$B/bench/bench_core" 1000000
[ -x "$B/bench/bench_gen" ] && run "$B/bench/bench_gen"
[ -x "$B/bench/bench_readers" ] && run "$B/bench/bench_readers"
[ -x "$B/bench/bench_backend" ] && run "$B/bench/bench_backend"
[ -x "$B/bench/bench_file_saves" ] && run "$B/bench/bench_file_saves"
if [ -x "$DSLAB" ]; then
    out=$(mktemp -d)
    run "$DSLAB" replay workloads/default.csv.zst --no-oracle --quiet --out "$out/default" \
        --cache-max-memory 2mb
    run "$DSLAB" replay workloads/default.csv.zst --quiet --out "$out/default-oracle" \
        --cache-max-memory 2mb
    # The same workload from dsb (binary, no CSV parsing): replay cost without the parser.
    "$DSLAB" convert workloads/default.csv.zst "$out/default.dsb" 2>/dev/null
    run "$DSLAB" replay "$out/default.dsb" --no-oracle --quiet --out "$out/default-dsb" \
        --cache-max-memory 2mb
    # 10M requests generated on the fly: the default workload's shape (64 clients, 90% GET),
    # over 10k keys and over 1M keys.
    run "$DSLAB" replay "gen:zipf:0.99,keys=10000,requests=10000000,clients=64,mix=get:0.9/set:0.1,seed=1" \
        --no-oracle --quiet --out "$out/zipf10m"
    run "$DSLAB" replay "gen:zipf:0.99,keys=1000000,requests=10000000,clients=64,mix=get:0.9/set:0.1,seed=1" \
        --no-oracle --quiet --out "$out/zipf10m-1mkeys"
    # The simulated crash lab: 1,000 seeded power cuts on every core. fsync=always must find
    # nothing (exit 0); fsync=never must report the acknowledged writes a crash loses (exit 1).
    CT="gen:zipf:0.9,keys=1000,requests=20000,clients=16,mix=get:0.5/set:0.4/del:0.1,arrival=poisson:5000,seed=1"
    for fs in always never; do
        echo; echo "== dslab crash (1,000 seeds, fsync $fs; exit $([ $fs = always ] && echo 0 || echo 1) expected)"
        t0=$(date +%s)
        "$DSLAB" crash "$CT" --seeds 1000 --fsync $fs --cache-flush-delay 100 --quiet \
            --out "$out/crash-$fs"
        echo "(exit $?, $(($(date +%s) - t0)) s)"
    done
    if command -v valgrind >/dev/null 2>&1; then
        echo; echo "== instructions per request (callgrind, default workload, oracle off)"
        valgrind --tool=callgrind --callgrind-out-file="$out/cg.out" "$DSLAB" replay \
            workloads/default.csv.zst --no-oracle --quiet --out "$out/cg" \
            --cache-max-memory 2mb >"$out/cg.txt" 2>"$out/cg.err"
        ir=$(grep -m1 '^summary:' "$out/cg.out" | awk '{print $2}')
        # From the printed summary: summary.csv has quoted fields with commas (core-cost-us).
        req=$(awk '$1 == "requests" {print $2; exit}' "$out/cg.txt")
        echo "total instructions: ${ir:-?} for ${req:-?} requests" \
             "($(awk -v a="${ir:-0}" -v b="${req:-1}" 'BEGIN{printf "%.0f", a/b}') per request," \
             "setup and reading included)"
        callgrind_annotate "$out/cg.out" 2>/dev/null | sed -n '/Ir/,$p' | head -n 18
    fi
    rm -rf "$out"
fi

# The race lab: every scenario explored under 1,000 seeds, with its toggle and with defaults
# (README "Schedule exploration"); the exploration table is what the README quotes.
if [ -x "$DSLAB" ]; then
    xout=$(mktemp -d)
    echo; echo "== race lab: dslab check --seeds 1000 (one process per core)"
    "$DSLAB" check --seeds 1000 --out "$xout" | sed -n '/^exploration/,$p'
    rm -rf "$xout"
fi

# dslab against libCacheSim's cachesim (only when CACHESIM names a build; one line otherwise).
echo
scripts/bench-libcachesim.sh "$DSLAB"
