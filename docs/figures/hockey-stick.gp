# drawn by: dslab plot docs/figures/hockey-stick.csv (edit and rerun: gnuplot THIS_FILE)
$c_0_0_0 << EOD
2.9 0.003575 0.003575 0.003575
5.8 0.600063 0.600063 0.600063
8.7 2.011135 2.011135 2.011135
10.5 2.711551 2.711551 2.711551
11.65 3.055615 3.055615 3.055615
12.8 15.302655 15.302655 15.302655
14.6 34.471935 34.471935 34.471935
23.3 85.721087 85.721087 85.721087
46.6 128.712703 128.712703 128.712703
EOD
$c_0_1_0 << EOD
2.9 2.4 2.4 2.4
5.8 2.4 2.4 2.4
8.7 2.4 2.4 2.4
10.5 2.4 2.4 2.4
11.65 2.4 2.4 2.4
12.8 2.4 2.4 2.4
14.6 2.4 2.4 2.4
23.3 2.4 2.4 2.4
46.6 2.4 2.4 2.4
EOD
$c_0_2_0 << EOD
2.9 0.248699 0.248699 0.248699
5.8 0.497364 0.497364 0.497364
8.7 0.746012 0.746012 0.746012
10.5 0.90032 0.90032 0.90032
11.65 0.99877 0.99877 0.99877
12.8 1 1 1
14.6 1 1 1
23.3 1 1 1
46.6 1 1 1
EOD
set terminal pngcairo size 1680,460 font 'DejaVu Sans,10' noenhanced
set output 'docs/figures/hockey-stick.png'
set multiplot title "docs/figures/hockey-stick.csv (9 rows)\none row per point" font ',11'
set xlabel 'speed'
set grid lc rgb '#dddddd'
set offsets graph 0.04, graph 0.04, graph 0.06, graph 0.06
set logscale x
set xtics ('2.9' 2.9, '5.8' 5.8, '8.7' 8.7, '10.5' 10.5, '11.65' 11.65, '12.8' 12.8, '14.6' 14.6, '23.3' 23.3, '46.6' 46.6)
set linetype 1 lw 2 pt 5 ps 0.9 lc rgb '#0072B2'
set linetype 2 lw 2 pt 7 ps 0.9 lc rgb '#D55E00'
set linetype 3 lw 2 pt 9 ps 0.9 lc rgb '#009E73'
set linetype 4 lw 2 pt 11 ps 0.9 lc rgb '#CC79A7'
set linetype 5 lw 2 pt 5 ps 0.9 lc rgb '#E69F00'
set linetype 6 lw 2 pt 7 ps 0.9 lc rgb '#56B4E9'
set linetype 7 lw 2 pt 9 ps 0.9 lc rgb '#000000'
set linetype 8 lw 2 pt 11 ps 0.9 lc rgb '#F0E442'
unset key
set lmargin 12
set rmargin 3
set bmargin 3.5
set tmargin 1
set origin 0.0000,0.0000
set size 0.3333,0.8957
set ylabel 'p99 latency (all ops) (ms)'
set format y '%g'
set logscale y
set yrange [0.0017875:257.425]
plot $c_0_0_0 using 1:2 with linespoints lt 1 title 'mean'
set origin 0.3333,0.0000
set size 0.3333,0.8957
set ylabel 'service p99 (µs)'
set format y '%g'
set logscale y
set yrange [1.2:4.8]
plot $c_0_1_0 using 1:2 with linespoints lt 1 title 'mean'
set origin 0.6667,0.0000
set size 0.3333,0.8957
set ylabel 'core busy fraction'
set format y '% h'
unset logscale y
set autoscale y
plot $c_0_2_0 using 1:2 with linespoints lt 1 title 'mean'
unset multiplot
