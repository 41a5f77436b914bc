#!/bin/sh
# run-default.sh DSLAB - `make run`: replay the default workload and draw its plots.
#
# The default workload (workloads/default.csv.zst: 200k requests over 10k keys, zipf 0.99,
# 90% GET, 64 clients) is replayed in virtual time with the memory limit at a third of the
# dataset (bytes of the distinct objects plus the per-entry overhead), so eviction and LOADs
# happen. Results: results/default/{summary,timeseries,latency,races}.csv, config.txt and the
# PNGs. If the trace file is missing it is generated from the same spec into results/.
set -eu
dslab=${1:-build/dslab}
out=results/default
trace=workloads/default.csv.zst
spec="zipf:0.99,keys=10000,requests=200000,seed=1,mix=get:0.9/set:0.09/del:0.01,clients=64,size=uniform:100:1000,arrival=poisson:20000"
if [ ! -r "$trace" ]; then
    mkdir -p results
    trace=results/default-trace.csv.zst
    echo "run-default: workloads/default.csv.zst missing; generating $trace" >&2
    "$dslab" gen "$spec" --quiet -o "$trace"
fi
# Dataset = object bytes + keys x per-entry overhead (~100 bytes, see core/keyspace.c).
stat=$("$dslab" stat "$trace")
ws=$(printf '%s\n' "$stat" | awk '$1 == "working_set_bytes" { gsub("~", "", $2); print $2 }')
keys=$(printf '%s\n' "$stat" | awk '$1 == "distinct_keys" { print $2 }')
mem=$(( (${ws%.*} + ${keys:-0} * 100) / 3 ))
echo "run-default: $trace, dataset ~$(( mem * 3 )) bytes, cache-max-memory $mem" >&2
"$dslab" replay "$trace" --cache-max-memory "$mem" --seed 1 --interval-ms 100 --out "$out"
if "$dslab" plot "$out"; then
    echo "run-default: plots in $out/latency.png $out/timeline.png" >&2
else
    echo "run-default: plotting failed (is gnuplot installed?); CSV files are in $out" >&2
fi
# Against the committed baseline (informative here; scripts/regress.sh is the CI gate).
if [ -r results/baseline/summary.csv ]; then
    "$dslab" compare "$out" results/baseline || echo "run-default: differs from results/baseline (see above)" >&2
fi
