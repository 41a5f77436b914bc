#!/bin/sh
# regress.sh RUN_DIR [BASELINE_DIR] [compare options] - CI wrapper around `dslab compare`.
#
# Why: CI wants one line to call and a fixed baseline location. The baseline defaults to
# results/baseline (the one results folder kept in git); the binary is $DSLAB, else
# build/dslab next to this script. Exit codes are compare's: 0 pass, 1 regression, 2 bad input.
set -u
if [ $# -lt 1 ]; then
    echo "usage: regress.sh RUN_DIR [BASELINE_DIR] [--tolerance 0.1] [--metrics a,b,...]" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
run=$1; shift
base="$here/../results/baseline"
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then base=$1; shift; fi
dslab=${DSLAB:-$here/../build/dslab}
if [ ! -x "$dslab" ]; then
    echo "regress.sh: $dslab: not built (make) or set DSLAB" >&2
    exit 2
fi
exec "$dslab" compare "$run" "$base" "$@"
