#!/bin/sh
# test-anywhere.sh - prove `make test`'s suites need nothing of this machine: copy the tracked
# files (as they are in the work tree) to a fresh temporary directory, where no ../shared/data
# exists, unset DSLAB_SAMPLE_DIR, and run the path check and the plain suites there. Tests that
# need the public sample must print one `skip:` line and pass. (The ASan pass of `make test` is
# left to the main checkout, to keep CI time reasonable.)
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dslab-anywhere.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$tmp"
[ ! -e "$tmp/../shared/data" ] || { echo "test-anywhere: $tmp/../shared/data exists" >&2; exit 1; }
cd "$tmp"
unset DSLAB_SAMPLE_DIR
echo "test-anywhere: plain suites in $tmp (not a git checkout, no public sample)"
make --no-print-directory check-paths
rc=0
make --no-print-directory -j2 test-run >"$tmp/test.log" 2>&1 || rc=$?
grep -vE '^(cc|rm -f|ar) ' "$tmp/test.log"
grep -q '^    skip: ' "$tmp/test.log" || { echo "test-anywhere: no suite skipped" >&2; rc=1; }
exit $rc
