# latency.gp - DIR/latency.png from DIR/latency.csv: two panels.
#
# Left, the percentile plot latency people expect (HdrHistogram style): x is the percentile on
# a 1/(1-p) log axis from p0 to p99.99, so every "nine" gets the same width; y is the latency
# at that percentile (log scale; 0 us is drawn at 0.5 us and labelled 0), one curve per op.
# Requests answered from memory take 0 us in virtual time: on this plot they are the flat start
# of a curve, and an op whose requests all took 0 us (SET and DEL are answered at once) is a
# flat line at 0 instead of disappearing (coinciding curves are drawn as nested stripes). Right, the CDF: fraction of requests at or below a
# latency (log x), for reading "what share is under 100 us".
# Called by plot.sh: gnuplot -e "dir='DIR'; ops='GET SET ALL'; few='...'; pct='STEPS_FILE'".
if (!exists("dir")) dir = "."
if (!exists("ops")) ops = "ALL"
if (!exists("few")) few = ""
if (!exists("pct")) pct = ""
set datafile separator comma
set terminal pngcairo size 1400,620 enhanced font "DejaVu Sans,11"
set output dir."/latency.png"
set multiplot layout 1,2 title "Request latency per operation (".dir.")" font ",13" noenhanced
# Line types 1..7 for ops, 8 (black, dashed) for ALL.
set linetype 1 lc rgb "#0072B2" lw 2 dt 1
set linetype 2 lc rgb "#D55E00" lw 2 dt 1
set linetype 3 lc rgb "#009E73" lw 2 dt 1
set linetype 4 lc rgb "#CC79A7" lw 2 dt 1
set linetype 5 lc rgb "#E69F00" lw 2 dt 1
set linetype 6 lc rgb "#56B4E9" lw 2 dt 1
set linetype 7 lc rgb "#F0E442" lw 2 dt 1
set linetype 8 lc rgb "black" lw 2.5 dt 2
op(i) = word(ops, i)
lt(i) = op(i) eq "ALL" ? 8 : (i - 1) % 7 + 1
set grid xtics ytics mxtics mytics lc rgb "#e4e4e4" lw 1
set key left top box opaque title "operation"

# ---- left: latency by percentile --------------------------------------------------------------
set title "latency by percentile" font ",12"
set xlabel "percentile (log scale of 1/(1-p))"
set ylabel "latency (µs, log scale; 0 drawn at 0.5)"
set logscale x 10
set logscale y 10
set xrange [1:10000]
set yrange [0.4:*]
set xtics ("0%%" 1, "50%%" 2, "90%%" 10, "99%%" 100, "99.9%%" 1000, "99.99%%" 10000)
set mxtics 10
set ytics add ("0" 0.5)
set format y "10^{%L}"
set datafile separator whitespace
# Earlier ops are drawn wider, so curves that coincide (SET and DEL both at 0) stay visible as
# nested stripes.
lw(i) = op(i) eq "ALL" ? 2.5 : (i > 3 ? 1.5 : 6 - 1.5 * i)
plot for [i = 1:words(ops)] pct index (i - 1) using 1:2 with lines lt lt(i) lw lw(i) title op(i)

# ---- right: CDF -------------------------------------------------------------------------------
set datafile separator comma
set title "CDF" font ",12"
set xlabel "latency (µs, log scale; 0 drawn at 1)"
set ylabel "fraction of requests at or below latency"
unset logscale y
set autoscale x
set xrange [1:*]
set yrange [0:1.02]
set ytics 0.1
set xtics auto
set format x "10^{%L}"
set format y "%g"
set key right bottom box opaque title "operation"
set arrow 1 from graph 0, first 0.99 to graph 1, first 0.99 nohead dt 3 lc rgb "#999999"
set label 1 "p99" at graph 0.01, first 0.975 tc rgb "#777777" font ",9"
set arrow 2 from graph 0, first 0.5 to graph 1, first 0.5 nohead dt 3 lc rgb "#999999"
set label 2 "p50" at graph 0.01, first 0.485 tc rgb "#777777" font ",9"
x(v) = v < 1 ? 1 : v
plot for [i = 1:words(ops)] dir."/latency.csv" \
    using (strcol(1) eq op(i) ? x($3) : NaN):(strcol(1) eq op(i) ? $5 : NaN) \
    with steps lt lt(i) title op(i), \
    for [i = 1:words(ops)] dir."/latency.csv" \
    using (strcol(1) eq op(i) && strstrt(" ".few." ", " ".op(i)." ") ? x($3) : NaN):5 \
    with points pt 7 ps 0.7 lt lt(i) notitle
unset multiplot
