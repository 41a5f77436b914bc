# drawn by: dslab plot docs/figures/flush-delay-sweep.csv (edit and rerun: gnuplot THIS_FILE)
$c_0_0_0 << EOD
-12 142.1643333 140.695576 143.6330907
88 142.847 142.847 142.847
988 143.871 143.871 143.871
EOD
$c_0_0_1 << EOD
0 138.4096667 136.9409093 139.878424
100 138.0683333 136.599576 139.5370907
1000 138.751 138.751 138.751
EOD
$c_0_0_2 << EOD
12 130.815 130.815 130.815
112 130.815 130.815 130.815
1012 130.815 130.815 130.815
EOD
$c_0_1_0 << EOD
-12 0.820032 0.8192899685 0.8207740315
88 0.8194636667 0.8191848852 0.8197424481
988 0.7919473333 0.7914511535 0.7924435132
EOD
$c_0_1_1 << EOD
0 0.8851746667 0.8840160316 0.8863333017
100 0.8851993333 0.8842176886 0.8861809781
1000 0.8790013333 0.8785716769 0.8794309898
EOD
$c_0_1_2 << EOD
12 0.9309196667 0.930706457 0.9311328763
112 0.9309473333 0.9308624892 0.9310321775
1012 0.9308363333 0.9307074986 0.9309651681
EOD
$c_0_2_0 << EOD
-12 1810.380025 1810.380025 1810.380025
88 1137.026146 1137.01284 1137.039452
988 722.2406383 722.1424707 722.3388058
EOD
$c_0_2_1 << EOD
0 1810.446625 1810.303335 1810.589914
100 1137.029514 1137.013748 1137.04528
1000 722.2762867 722.2554163 722.2971571
EOD
$c_0_2_2 << EOD
12 1810.446625 1810.303335 1810.589914
112 1137.0115 1136.995029 1137.027971
1012 722.257179 722.2125959 722.301762
EOD
set terminal pngcairo size 1680,460 font 'DejaVu Sans,10' noenhanced
set output 'docs/figures/flush-delay-sweep.png'
set multiplot title "docs/figures/flush-delay-sweep.csv (27 rows)\nmean of the rows sharing a point (seeds); bars: 95% CI, Student t" font ',11'
set xlabel 'cache-flush-delay (ms)'
set grid lc rgb '#dddddd'
set offsets graph 0.04, graph 0.04, graph 0.06, graph 0.06
set xtics ('0' 0, '100' 100, '1000' 1000)
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
set size 0.3333,0.8261
set ylabel 'GET p99 latency (µs)'
set format y '% h'
unset logscale y
set autoscale y
plot $c_0_0_0 using 1:2:3:4 with yerrorlines lt 1 title 'cache-max-memory = 512 KiB', \
     $c_0_0_1 using 1:2:3:4 with yerrorlines lt 2 title 'cache-max-memory = 1 MiB', \
     $c_0_0_2 using 1:2:3:4 with yerrorlines lt 3 title 'cache-max-memory = 2 MiB'
set origin 0.3333,0.0000
set size 0.3333,0.8261
set ylabel 'hit ratio'
set format y '% h'
unset logscale y
set autoscale y
plot $c_0_1_0 using 1:2:3:4 with yerrorlines lt 1 title 'cache-max-memory = 512 KiB', \
     $c_0_1_1 using 1:2:3:4 with yerrorlines lt 2 title 'cache-max-memory = 1 MiB', \
     $c_0_1_2 using 1:2:3:4 with yerrorlines lt 3 title 'cache-max-memory = 2 MiB'
set origin 0.6667,0.0000
set size 0.3333,0.8261
set ylabel 'disk saves per second, sim time (1/s)'
set format y '% h'
unset logscale y
set autoscale y
plot $c_0_2_0 using 1:2:3:4 with yerrorlines lt 1 title 'cache-max-memory = 512 KiB', \
     $c_0_2_1 using 1:2:3:4 with yerrorlines lt 2 title 'cache-max-memory = 1 MiB', \
     $c_0_2_2 using 1:2:3:4 with yerrorlines lt 3 title 'cache-max-memory = 2 MiB'
$key << EOD
-1 -1 -1 -1
EOD
set origin 0,0.8261
set size 1,0.0913
unset border
unset tics
unset xlabel
unset ylabel
unset title
unset grid
unset logscale
set xrange [0:1]
set yrange [0:1]
set margins 0,0,0,0
set key center center horizontal box
plot $key using 1:2:3:4 with yerrorlines lt 1 title 'cache-max-memory = 512 KiB', $key using 1:2:3:4 with yerrorlines lt 2 title 'cache-max-memory = 1 MiB', $key using 1:2:3:4 with yerrorlines lt 3 title 'cache-max-memory = 2 MiB'
unset multiplot
