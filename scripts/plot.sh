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
    if [ -z "$ops" ]; then
        echo "plot.sh: $lat: no latency samples, latency.png not drawn" >&2
    elif gnuplot -e "dir='$qdir'; ops='$ops'; few='$few'" "$here/latency.gp"; then
        drawn=$((drawn + 1))
    else
        echo "plot.sh: $here/latency.gp failed" >&2
        rc=1
    fi
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
