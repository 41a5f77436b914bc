#!/bin/sh
# bench-libcachesim.sh DSLAB: dslab against libCacheSim's cachesim on one trace, one run.
#
# CACHESIM=/path/to/cachesim names a libCacheSim build (README "Benchmarks" says how to build
# one); without it this script prints one line and exits 0. It writes a zipf 0.99 trace in
# libCacheSim's oracleGeneral format with `dslab convert gen:...` (SETs of 100-byte values, which
# read back as GETs of 100-byte objects), then for each cache size replays it with
#   libCacheSim: cachesim TRACE oracleGeneralBin LRU N --ignore-obj-size=true   (N objects)
#   dslab exact: --origin --evict lru-exact --cache-max-keys N --evict-at insert --latency fixed:0
#                --no-oracle                                         (the same LRU, same misses)
#   dslab full:  --cache-max-keys N --speed max (default scheduler, latencies, eviction,
#                oracle on; closed loop: the trace has one client and whole-second stamps)
#   dslab cache-only: --cache-only --evict lru-exact --cache-max-keys N (the keyspace and the
#                policy alone, what libCacheSim measures: the like-for-like row)
# and prints MQPS and peak RSS (/usr/bin/time -v). libCacheSim's MQPS is its own report, which
# excludes loading the trace into memory; dslab's is requests / wall seconds of the whole replay
# (it streams the trace). "e2e" columns divide by the process's whole elapsed time instead.
# Knobs: BENCH_REQUESTS (20000000), BENCH_OBJECTS (1000000), BENCH_SIZES ("10000 100000
# 1000000"), BENCH_DIR (a fresh temporary directory, removed afterwards; the trace is 480 MB),
# BENCH_REPEAT (1): every row runs that many times per size, the four programs alternating, and
# the best run of each is shown (on a shared machine noise only ever slows a run down).
set -u
DSLAB=${1:-build-bench/dslab}
if [ -z "${CACHESIM:-}" ]; then
    echo "== dslab vs libCacheSim: skipped (set CACHESIM=/path/to/cachesim to run it)"
    exit 0
fi
[ -x "$CACHESIM" ] || { echo "dslab: CACHESIM=$CACHESIM: not an executable" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "dslab: bench: /usr/bin/time (GNU time) is needed" >&2; exit 2; }
REQ=${BENCH_REQUESTS:-20000000}
OBJ=${BENCH_OBJECTS:-1000000}
SIZES=${BENCH_SIZES:-"10000 100000 1000000"}
REPEAT=${BENCH_REPEAT:-1}
own_dir=
if [ -z "${BENCH_DIR:-}" ]; then BENCH_DIR=$(mktemp -d); own_dir=1; fi
mkdir -p "$BENCH_DIR"
T=$BENCH_DIR/zipf-$REQ-$OBJ.oracleGeneral.bin
SPEC="gen:zipf:0.99,keys=$OBJ,requests=$REQ,mix=set:1,size=fixed:100,seed=1"
[ -s "$T" ] || "$DSLAB" convert "$SPEC" "$T" --to oracleGeneral >/dev/null 2>&1 ||
    { echo "dslab: bench: could not write $T" >&2; exit 2; }

# timed LOG CMD...: run CMD with GNU time; stdout+stderr of CMD and time's report go to LOG.
timed() { log=$1; shift; /usr/bin/time -v "$@" >"$log" 2>&1; }
rss_mb() { awk '/Maximum resident/{printf "%.0f", $NF/1024}' "$1"; }
wall_s() { awk '/Elapsed \(wall clock\)/{n=split($NF,a,":"); s=0;
                for(i=1;i<=n;i++) s=s*60+a[i]; printf "%.3f", s}' "$1"; }
dslab_mqps() { awk '/^requests\/wall s/{printf "%.2f", $NF/1e6}' "$1"; }
lcs_mqps() { sed -n 's/.*throughput \([0-9.]*\) MQPS.*/\1/p' "$1" | tail -n1; }
# keep_best LOG TRY PARSER: TRY becomes LOG when LOG is missing or PARSER says TRY was faster.
keep_best() {
    if [ ! -s "$1" ] || awk -v a="$($3 "$2")" -v b="$($3 "$1")" 'BEGIN{exit !(a + 0 > b + 0)}'
    then mv "$2" "$1"; else rm -f "$2"; fi
}
dslab_miss() { awk '/^disk loads/{printf "%.4f", $3/'"$REQ"'}' "$1"; }
div() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else printf "?" }'; }

echo "== dslab vs libCacheSim LRU: $REQ requests, zipf 0.99 over $OBJ objects of 100 bytes"
echo "   trace: dslab convert \"$SPEC\" T --to oracleGeneral"
echo "   libCacheSim: $CACHESIM T oracleGeneralBin LRU N --ignore-obj-size=true"
echo "   dslab exact: dslab replay T --origin --evict lru-exact --cache-max-keys N" \
     "--evict-at insert --latency fixed:0 --no-oracle"
echo "   dslab full:  dslab replay T --cache-max-keys N --speed max (oracle on, default latencies)"
echo "   dslab cache-only: dslab replay T --cache-only --evict lru-exact --cache-max-keys N"
echo "   (best of $REPEAT runs each, the four alternating)"
echo "   (ratio = dslab MQPS / libCacheSim MQPS; e2e = the same from whole-process wall times;"
echo "    RSS = peak resident MB, libCacheSim / dslab; miss ratio libCacheSim / dslab)"
printf '%-8s| %-7s| %-27s| %-27s| %-11s| %-15s| %-17s\n' "keys" "lcs" \
    "cache-only MQPS ratio e2e" "exact MQPS ratio e2e" "RSS l/c/e" "miss l / c" \
    "full MQPS (ratio)"
for n in $SIZES; do
    L=$BENCH_DIR/lcs-$n.log E=$BENCH_DIR/exact-$n.log F=$BENCH_DIR/full-$n.log
    C=$BENCH_DIR/cacheonly-$n.log
    rm -f "$L" "$C" "$E" "$F"
    r=0
    while [ $r -lt "$REPEAT" ]; do
        timed "$L.try" "$CACHESIM" "$T" oracleGeneralBin LRU "$n" --ignore-obj-size=true \
            -o "$BENCH_DIR/lcs-$n.out"
        keep_best "$L" "$L.try" lcs_mqps
        timed "$C.try" "$DSLAB" replay "$T" --cache-only --evict lru-exact --cache-max-keys "$n" \
            --quiet --out "$BENCH_DIR/cacheonly-$n"
        keep_best "$C" "$C.try" dslab_mqps
        timed "$E.try" "$DSLAB" replay "$T" --origin --evict lru-exact --cache-max-keys "$n" \
            --evict-at insert --latency fixed:0 --no-oracle --quiet --out "$BENCH_DIR/exact-$n"
        keep_best "$E" "$E.try" dslab_mqps
        timed "$F.try" "$DSLAB" replay "$T" --cache-max-keys "$n" --speed max --quiet \
            --out "$BENCH_DIR/full-$n"
        keep_best "$F" "$F.try" dslab_mqps
        r=$((r + 1))
    done
    l=$(lcs_mqps "$L")
    lmiss=$(sed -n 's/.*miss ratio \([0-9.]*\),.*/\1/p' "$L" | tail -n1)
    c=$(dslab_mqps "$C") d=$(dslab_mqps "$E") f=$(dslab_mqps "$F")
    le2e=$(div "$REQ" "$(wall_s "$L")")
    ce2e=$(div "$REQ" "$(wall_s "$C")") de2e=$(div "$REQ" "$(wall_s "$E")")
    printf '%-8s| %-7s| %-27s| %-27s| %-11s| %-15s| %-17s\n' "$n" "${l:-?}" \
        "${c:-?} $(div "${c:-0}" "${l:-0}") $(div "$ce2e" "$le2e")" \
        "${d:-?} $(div "${d:-0}" "${l:-0}") $(div "$de2e" "$le2e")" \
        "$(rss_mb "$L")/$(rss_mb "$C")/$(rss_mb "$E")" "${lmiss:-?} / $(dslab_miss "$C")" \
        "${f:-?} ($(div "${f:-0}" "${l:-0}")), $(rss_mb "$F") MB"
done
[ -n "$own_dir" ] && rm -rf "$BENCH_DIR"
exit 0
