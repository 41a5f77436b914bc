# timeline.gp - DIR/timeseries.csv over the run's clock into DIR/timeline.png.
#
# Why four stacked panels sharing the x axis instead of two y axes: throughput, hit ratio,
# queue depth and memory have unrelated units, and stacked panels let the eye line up a drop
# in hit ratio with the queue it builds. Columns are addressed by name, so extra columns in the
# CSV do not break the plot. Called by plot.sh with: gnuplot -e "dir='DIR'".
if (!exists("dir")) dir = "."
f = dir."/timeseries.csv"
set datafile separator comma
set datafile missing ""
set terminal pngcairo size 1100,1100 font "DejaVu Sans,10" noenhanced
set output dir."/timeline.png"
set multiplot layout 4,1 title "Run timeline (".dir.")" font ",13" \
    margins 0.08,0.92,0.06,0.93 spacing 0,0.045
set grid lc rgb "#dddddd"
set key inside right top opaque box samplen 2 width 1
# Autoscaled panels get 25% headroom so the legend does not cover the data.
top(m) = m > 0 ? m * 1.25 : 1
stats f using "throughput_rps" name "T" nooutput
stats f using "time_s" name "X" nooutput
# The x axis is the run's clock from 0, fixed, so that panels with no valid point (a run
# without lookups has no hit ratio) still draw and all panels line up.
set xrange [0:(X_max > 0 ? X_max : 1)]
stats f using "queue_len" name "Q" nooutput
stats f using "blocked_clients" name "B" nooutput
stats f using "jobs_in_flight" name "J" nooutput
stats f using (column("used_memory_bytes")/1048576.0) name "M" nooutput
stats f using "evictions" name "E" nooutput
set format x ""
set xlabel ""
set ylabel "requests/s"
set yrange [0:top(T_max)]
set title "throughput (completed requests per interval)"
plot f using "time_s":"throughput_rps" with lines lw 2 lc rgb "#1f77b4" title "throughput"
set ylabel "hit ratio"
set yrange [0:1.05]
set title "memory hit ratio (hits / (hits + misses) per interval)"
plot f using "time_s":"hit_ratio" with linespoints pt 7 ps 0.4 lw 2 lc rgb "#2ca02c" \
    title "hit ratio"
set ylabel "count"
max2(a, b) = a > b ? a : b
set yrange [0:top(max2(Q_max, max2(B_max, J_max)))]
set title "IO queue and blocked clients (end of interval)"
plot f using "time_s":"queue_len" with lines lw 2 lc rgb "#d62728" title "queued ops", \
     f using "time_s":"jobs_in_flight" with lines lw 2 lc rgb "#ff7f0e" title "jobs in flight", \
     f using "time_s":"blocked_clients" with lines lw 2 lc rgb "#9467bd" title "blocked clients"
set format x "%g"
set xlabel "time (s of the run's clock)"
set ylabel "MiB"
set yrange [0:top(M_max)]
set title "used memory (end of interval) and evictions (per interval)"
set y2label "evictions"
set y2tics
set key right center
set y2range [0:top(E_max)]
set ytics nomirror
plot f using "time_s":(column("used_memory_bytes")/1048576.0) with lines lw 2 \
         lc rgb "#8c564b" title "used memory", \
     f using "time_s":"evictions" axes x1y2 with impulses lw 1 lc rgb "#7f7f7f" title "evictions"
unset multiplot
