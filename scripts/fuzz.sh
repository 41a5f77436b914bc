#!/bin/sh
# Build every fuzz/fuzz_*.c as a libFuzzer target (clang, ASan+UBSan) in build-fuzz/ and run
# each for SECONDS (default 60). Prints executions and crashes per target; exits non-zero if
# any target crashed. Crash inputs of this run land in build-fuzz/artifacts/. Corpora persist in
# build-fuzz/corpus/<target>/ so repeated runs go deeper.
#   scripts/fuzz.sh [SECONDS]
set -u
secs=${1:-60}
cd "$(dirname "$0")/.." || exit 2
CC=${FUZZ_CC:-clang}
out=build-fuzz
mkdir -p "$out/artifacts" "$out/logs"
stamp="$out/logs/.run-start"
touch "$stamp"
# The readers and what they use: core/util.c (errors, hash, op names), the trace files in
# workloads/, and the generators behind gen: paths.
srcs="core/util.c workloads/bytesrc.c workloads/csvrow.c workloads/trace.c
      workloads/trace_native.c workloads/trace_oracle.c workloads/trace_csv.c
      workloads/trace_twitter.c workloads/trace_gen.c workloads/gen.c workloads/gen_spec.c
      workloads/trace_dsb.c"
flags="-std=c11 -D_GNU_SOURCE -DDS_TRACE_SMALL_BUFFERS -g -O1 -fsanitize=fuzzer,address,undefined
       -fno-sanitize-recover=undefined -Icore -Iworkloads -Isim -Ibackend"
libs="-lcsv -lzstd -lm -lpthread"
# Each target is linked from sources so that coverage instrumentation reaches the readers.
# shellcheck disable=SC2086
fail=0
for t in fuzz/fuzz_*.c; do
    name=$(basename "$t" .c)
    bin="$out/$name"
    if ! $CC $flags -o "$bin" "$t" $srcs $libs 2>"$out/logs/$name.build"; then
        echo "$name: BUILD FAILED (see $out/logs/$name.build)"; fail=1; continue
    fi
    mkdir -p "$out/corpus/$name"
    "$bin" -max_total_time="$secs" -artifact_prefix="$out/artifacts/$name-" \
        -print_final_stats=1 -rss_limit_mb=2048 "$out/corpus/$name" >"$out/logs/$name.log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/logs/$name.log" | tail -n 1)
    crashes=$(find "$out/artifacts" -name "$name-*" -newer "$stamp" | wc -l)
    echo "$name: executions=${execs:-?} crashes=$crashes exit=$rc"
    [ "$rc" -ne 0 ] && fail=1
done
exit $fail
