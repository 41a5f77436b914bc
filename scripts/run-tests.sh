#!/bin/sh
# Run every Check suite binary in BUILD/tests (or the ones named), print each summary line, any
# `skip:` line a suite printed (a test whose optional input is absent) and a total, then
# scripts/check-paths.sh; exit non-zero if any test or the path check fails.
set -u
build=$1; shift
if [ $# -gt 0 ]; then list=""; for t in "$@"; do list="$list $build/tests/$t"; done
else list=$(ls "$build"/tests/test_* 2>/dev/null); fi
total=0; failed=0; bad=""; skipped=0
for t in $list; do
    out=$("$t" 2>&1); rc=$?
    line=$(printf '%s\n' "$out" | grep -E '^[0-9]+%: Checks: ' | tail -n 1)
    if [ -z "$line" ] || [ $rc -ne 0 ]; then
        printf '%s\n' "$out" | grep -vE ':P:' | tail -n 40
        failed=$((failed + 1)); bad="$bad $(basename "$t")"
    fi
    printf '%-28s %s\n' "$(basename "$t")" "${line:-no summary (exit $rc)}"
    skips=$(printf '%s\n' "$out" | grep -E '^skip: ' || true)
    if [ -n "$skips" ]; then
        printf '%s\n' "$skips" | sed 's/^/    /'
        skipped=$((skipped + $(printf '%s\n' "$skips" | wc -l)))
    fi
    n=$(printf '%s\n' "$line" | sed -n 's/.*Checks: \([0-9]*\).*/\1/p')
    total=$((total + ${n:-0}))
done
# The tree itself: no absolute machine path (make test runs this too; here so that every
# landing check sees it).
if ! "$(dirname "$0")/check-paths.sh" >/dev/null; then failed=$((failed + 1)); bad="$bad check-paths"; fi
echo "[$build] checks run: $total, skipped: $skipped, failing suites: $failed$bad"
[ $failed -eq 0 ]
