# latency.gp - latency CDF per op from DIR/latency.csv into DIR/latency.png.
#
# Why a CDF on a log x axis: cache hits take microseconds and disk loads milliseconds, so a
# linear axis squeezes one of the two modes into a single pixel. Each line is one op; ALL is
# drawn black and dashed. The point at x = bucket_hi_us is the fraction of requests that took
# at most that long. Called by plot.sh with: gnuplot -e "dir='DIR'; ops='GET SET ALL'".
if (!exists("dir")) dir = "."
if (!exists("ops")) ops = "ALL"
# Ops with only a few buckets (plot.sh lists them) also get point markers: a CDF of one or two
# buckets is otherwise an invisible step.
if (!exists("few")) few = ""
set datafile separator comma
set terminal pngcairo size 1000,640 enhanced font "DejaVu Sans,11"
set output dir."/latency.png"
set title "Request latency CDF per operation (".dir.")" font ",13" noenhanced
set xlabel "latency (µs, log scale)"
set ylabel "fraction of requests at or below latency"
set logscale x 10
set format x "10^{%L}"
set yrange [0:1.02]
set ytics 0.1
set grid xtics ytics mxtics lc rgb "#dddddd" lw 1
set key right bottom box opaque title "operation"
set arrow from graph 0, first 0.99 to graph 1, first 0.99 nohead dt 3 lc rgb "#999999"
set label "p99" at graph 0.01, first 0.975 tc rgb "#777777" font ",9"
set arrow from graph 0, first 0.5 to graph 1, first 0.5 nohead dt 3 lc rgb "#999999"
set label "p50" at graph 0.01, first 0.485 tc rgb "#777777" font ",9"
x(v) = v < 1 ? 1 : v
# Line types 1..7 for ops, 8 (black, dashed, thicker) for ALL.
set linetype 1 lc rgb "#1f77b4" lw 2 dt 1
set linetype 2 lc rgb "#d62728" lw 2 dt 1
set linetype 3 lc rgb "#2ca02c" lw 2 dt 1
set linetype 4 lc rgb "#ff7f0e" lw 2 dt 1
set linetype 5 lc rgb "#9467bd" lw 2 dt 1
set linetype 6 lc rgb "#8c564b" lw 2 dt 1
set linetype 7 lc rgb "#17becf" lw 2 dt 1
set linetype 8 lc rgb "black" lw 2.5 dt 2
op(i) = word(ops, i)
plot for [i = 1:words(ops)] dir."/latency.csv" \
    using (strcol(1) eq op(i) ? x($3) : NaN):(strcol(1) eq op(i) ? $5 : NaN) \
    with steps lt (op(i) eq "ALL" ? 8 : (i - 1) % 7 + 1) title op(i), \
    for [i = 1:words(ops)] dir."/latency.csv" \
    using (strcol(1) eq op(i) && strstrt(" ".few." ", " ".op(i)." ") ? x($3) : NaN):5 \
    with points pt 7 ps 0.7 lt (op(i) eq "ALL" ? 8 : (i - 1) % 7 + 1) notitle
