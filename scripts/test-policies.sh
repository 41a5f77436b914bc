#!/bin/sh
# test-policies.sh BUILD - run the core's Check suites under every IO policy but the default.
#
# Why: the safety rules (no two jobs on one key, rule 4's guard, the flag transitions) live in
# core/sched.c and must hold whatever order a policy picks. tests/testhost.c opens every cache
# with DSLAB_TEST_IO_POLICY when it is set; a test about the seed's own order pins it
# (TH_OPEN_PINNED). Policies are found in core/iopolicy/*.c, so a new policy file is tested
# without touching this script. The default policy is the plain run's (make test-run).
set -u
build=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here" || exit 2
policies=$(sed -n 's/^ *\.name = "\([a-z0-9-]*\)",$/\1/p' core/iopolicy/*.c | grep -vx seed | sort)
suites=$(grep -l 'TH_OPEN\|th_open' tests/test_*.c | sed 's#tests/\(.*\)\.c#\1#')
rc=0
for p in $policies; do
    echo "[io-policy $p]"
    out=$(DSLAB_TEST_IO_POLICY=$p scripts/run-tests.sh "$build" $suites) || rc=1
    printf '%s\n' "$out" | if [ $rc -eq 0 ]; then tail -n 1; else cat; fi
done
exit $rc
