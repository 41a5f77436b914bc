#!/bin/sh
# plot.sh DIR - draw DIR/latency.png and DIR/timeline.png from a run's CSV files.
#
# Why a shell wrapper: the gnuplot scripts need the list of ops present in latency.csv (a
# gnuplot script cannot easily list distinct values) and the directory passed as a quoted
# string; this also gives one clear error line when a file or gnuplot is missing.
set -u
if [ $# -ne 1 ]; then
    echo "usage: plot.sh RESULTS_DIR" >&2
    exit 2
fi
dir=${1%/}
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$dir" ]; then
    echo "plot.sh: $dir: not a directory" >&2
    exit 2
fi
if ! command -v gnuplot >/dev/null 2>&1; then
    echo "plot.sh: gnuplot not found (apt-get install gnuplot-nox)" >&2
    exit 1
fi
# gnuplot single-quoted strings escape a quote by doubling it.
qdir=$(printf '%s' "$dir" | sed "s/'/''/g")
rc=0 drawn=0
lat="$dir/latency.csv"
if [ ! -r "$lat" ]; then
    echo "plot.sh: $lat: missing" >&2
    rc=2
else
    ops=$(awk -F, 'NR > 1 && !seen[$1]++ { printf "%s%s", sep, $1; sep = " " }' "$lat")
    few=$(awk -F, 'NR > 1 { if (!($1 in n)) order[k++] = $1; n[$1]++ }
                   END { for (i = 0; i < k; i++) if (n[order[i]] <= 30) printf "%s ", order[i] }' \
              "$lat")
    # Percentile curves (latency.gp's left panel): per op, the step vertices (x, latency) with
    # x = 1/(1-p) from p = 0 to 99.99% (a bucket holds the percentiles (previous cum, cum]; its
    # upper bound is the latency drawn; 0 us is drawn at 0.5 us, labelled 0); ops are blocks
    # separated by two blank lines, in the order of $ops.
    pct=$(mktemp "${TMPDIR:-/tmp}/dslab-pct.XXXXXX")
    awk -F, 'NR > 1 {
        if ($1 != cur) { if (cur != "") printf "\n\n"; cur = $1; prev = 0 }
        v = $3 + 0; if (v < 0.5) v = 0.5
        x0 = prev >= 0.9999 ? 10000 : 1 / (1 - prev)
        x1 = $5 >= 0.9999 ? 10000 : 1 / (1 - $5)
        printf "%.6g %.6g\n%.6g %.6g\n", x0, v, x1, v
        prev = $5 }' "$lat" >"$pct"
    qpct=$(printf '%s' "$pct" | sed "s/'/''/g")
    if [ -z "$ops" ]; then
        echo "plot.sh: $lat: no latency samples, latency.png not drawn" >&2
    elif gnuplot -e "dir='$qdir'; ops='$ops'; few='$few'; pct='$qpct'" "$here/latency.gp"; then
        drawn=$((drawn + 1))
    else
        echo "plot.sh: $here/latency.gp failed" >&2
        rc=1
    fi
    rm -f "$pct"
fi
ts="$dir/timeseries.csv"
if [ ! -r "$ts" ]; then
    echo "plot.sh: $ts: missing" >&2
    rc=2
elif [ "$(awk 'END { print NR }' "$ts")" -lt 2 ]; then
    echo "plot.sh: $ts: no intervals, timeline.png not drawn" >&2
elif gnuplot -e "dir='$qdir'" "$here/timeline.gp"; then
    drawn=$((drawn + 1))
else
    echo "plot.sh: $here/timeline.gp failed" >&2
    rc=1
fi
[ $drawn -gt 0 ] && echo "plot.sh: wrote $drawn plot(s) in $dir"
exit $rc
