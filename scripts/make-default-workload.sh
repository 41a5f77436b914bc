#!/bin/sh
# make-default-workload.sh [DSLAB] - regenerate workloads/default.csv.zst, the bundled workload.
#
# Why a script: the trace is committed (so `make run` needs no generator run and everyone
# replays the same bytes), but it must be reproducible from its spec. The generator is seeded
# and deterministic, so running this again gives the same CSV; zstd at a fixed level gives the
# same compressed bytes for a given zstd version.
#
# The workload: 200k requests over 10k keys, zipf 0.99, 90% GET / 9% SET / 1% DEL, 64 clients
# (round robin), values uniform 100..1000 bytes, Poisson arrivals at 20k requests/s (about 10 s
# of virtual time), seed 1.
set -eu
dslab=${1:-build/dslab}
out=workloads/default.csv.zst
spec="zipf:0.99,keys=10000,requests=200000,seed=1,mix=get:0.9/set:0.09/del:0.01,clients=64"
spec="$spec,size=uniform:100:1000,arrival=poisson:20000"
if [ ! -x "$dslab" ]; then
    echo "make-default-workload: $dslab not found; run 'make' first (or pass the binary)" >&2
    exit 1
fi
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
if command -v zstd >/dev/null 2>&1; then
    "$dslab" gen "$spec" -o - | zstd -q -19 -c >"$tmp"
else
    "$dslab" gen "$spec" -o "$tmp.zst" && mv "$tmp.zst" "$tmp"
fi
mv "$tmp" "$out"
trap - EXIT
echo "make-default-workload: wrote $out ($(wc -c <"$out") bytes)" >&2
