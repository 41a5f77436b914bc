#!/bin/sh
# check-paths.sh - fail when a tracked file names an absolute path of one machine.
#
# Why: a test or script that reads /work/... or /home/... passes on its author's machine and
# fails in every other clone. Optional inputs are found through an environment variable or a
# path relative to the checkout (tests/sample.h). Allowed absolute paths, the same everywhere:
#   /tmp/...  /dev/...  /proc/...  /sys/...     (scratch space and kernel interfaces)
#   /bin/sh  /bin/bash  /usr/bin/...             (shells, shebangs, Debian packages' programs)
#   /nonexistent...                              (a path that tests rely on not existing)
#   /path/to/...                                 (a placeholder in documentation)
# Flagged: a path of two or more components starting at a word boundary (`/a/b`), or a
# one-component path naming a usual machine root (/work, /home, /root, /Users, /mnt, /media,
# /srv, /opt, /scratch, /data, /etc, /var). Not scanned: `.gitignore` (its leading slash means
# the repository's root), this script (it names the rule) and binary files. A line that must
# keep such a path (say, a system file a setup script writes) carries the marker
# `path-check: allow` and says why.
#
# Usage: scripts/check-paths.sh [DIR]   (default: the checkout containing this script)
#        scripts/check-paths.sh --self-test   (the rule flags what it must and only that)
set -eu
if [ "${1:-}" = --self-test ]; then
    d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
    printf '%s\n' 'a = "/home/me/data";' 'x `/opt/q`' 'cd /work' '(/usr/lib/x' > "$d/bad.c"
    printf '%s\n' '#!/usr/bin/env sh' '#!/bin/sh' 'p="$dir"/a/b' 'f("/tmp/a/b")' '>/dev/null' \
        '"/nonexistent/x"' 's/a/b/' 'a/b/c' '/work/x path-check: allow (test)' \
        'CACHESIM=/path/to/sim' '/usr/bin/time -v' > "$d/good.c"
    n=$("$0" "$d" 2>&1 | grep -c '^check-paths: absolute machine path: ' || true)
    [ "$n" -eq 4 ] || { echo "check-paths: self-test: flagged $n lines, want the 4 of bad.c" >&2
                        "$0" "$d" >&2 || true; exit 1; }
    echo "check-paths: self-test ok"; exit 0
fi
cd "${1:-$(dirname "$0")/..}"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    files() { git ls-files -z; }
else
    files() { find . -path ./.git -prune -o -path './build*' -prune -o -path ./results -prune \
        -o -type f -print0 | sed -z 's|^\./||'; }
fi
allowed='/(tmp|dev|proc|sys)(/|\b)|/bin/(ba)?sh\b|/usr/bin/|/nonexistent|/path/to/'
roots='work|home|root|Users|mnt|media|srv|opt|scratch|data|etc|var'
# An absolute path starts after the line's start, blanks, = ( , : < > ! [ or `, or after an
# opening quote (one not closing a word: "$dir"/x is relative to $dir).
q="[\"'\`]"
start="(?:^|(?<=[\\s=(,:<>!\\[])|(?<=^$q|[^\\w)}\\]]$q))"
pattern="$start(?!$allowed)/(?:[A-Za-z_][\w.+-]*/[\w.+-]|(?:$roots)\b)"
hits=$(files | grep -zvE '^(\.gitignore|scripts/check-paths\.sh)$' | xargs -0 grep -HnIP "$pattern" -- 2>/dev/null \
    | grep -v 'path-check: allow' || true)
if [ -n "$hits" ]; then
    printf '%s\n' "$hits" | sed 's/^/check-paths: absolute machine path: /' >&2
    echo "check-paths: $(printf '%s\n' "$hits" | wc -l) line(s) name an absolute path (allowed:" \
        "/tmp /dev /proc /sys /bin/sh /bin/bash /usr/bin/ /nonexistent /path/to/; see scripts/check-paths.sh)" >&2
    exit 1
fi
# Every script the README cites is tracked: a .gitignore pattern for fuzzer artefacts (crash-*)
# once kept scripts/crash-test.sh out of the repository while the README quoted its results.
missing=""
for s in $([ -f README.md ] && grep -oE 'scripts/[A-Za-z0-9_.-]+\.(sh|gp)' README.md | sort -u); do
    files | tr '\0' '\n' | grep -qxF "$s" || missing="$missing $s"
done
if [ -n "$missing" ]; then
    echo "check-paths: README.md cites files that are not tracked:$missing" >&2
    exit 1
fi
echo "check-paths: no absolute machine path in $(files | tr -cd '\0' | wc -c) tracked files"
