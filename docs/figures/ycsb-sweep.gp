# drawn by: dslab plot docs/figures/ycsb-sweep.csv (edit and rerun: gnuplot THIS_FILE)
$c_0_0_0 << EOD
-12 3755.30018 3586.851339 3923.749021
88 3749.707775 3339.204637 4160.210913
988 3805.631828 3418.356466 4192.907191
EOD
$c_0_0_1 << EOD
0 0.4672843333 0.4643468187 0.470221848
100 0.363519 0.3584310753 0.3686069247
1000 56.84155633 56.46555446 57.21755821
EOD
$c_0_0_2 << EOD
12 96.55637233 88.08172041 105.0310243
112 5.521407 4.596803552 6.446010448
1012 50.200575 50.200575 50.200575
EOD
$c_0_1_0 << EOD
-12 0.8205913333 0.8193137593 0.8218689073
88 0.820358 0.816846607 0.823869393
988 0.8200746667 0.8173142412 0.8228350921
EOD
$c_0_1_1 << EOD
0 0.831313 0.8298969861 0.8327290139
100 0.829634 0.8287280643 0.8305399357
1000 0.815233 0.8140749866 0.8163910134
EOD
$c_0_1_2 << EOD
12 0.8290143333 0.8278964078 0.8301322588
112 0.8298233333 0.8283184531 0.8313282136
1012 0.8156246667 0.8153939797 0.8158553537
EOD
$c_0_2_0 << EOD
-12 4260.068778 4258.505165 4261.632392
88 4259.54552 4235.141323 4283.949717
988 4259.771515 4258.947182 4260.595847
EOD
$c_0_2_1 << EOD
0 19441.02718 19393.72727 19488.32709
100 15147.60592 15132.30263 15162.90921
1000 11512.56378 11496.51411 11528.61346
EOD
$c_0_2_2 << EOD
12 19525.09928 19500.92324 19549.27531
112 15156.97852 15149.74077 15164.21628
1012 11707.45198 11699.22211 11715.68185
EOD
$c_1_0_0 << EOD
-12 512.0546123 480.2207736 543.8884511
88 512.0546123 480.2207736 543.8884511
988 512.0546123 480.2207736 543.8884511
EOD
$c_1_0_1 << EOD
0 0.2568523333 0.2529663667 0.2607383
100 0.148991 0.148991 0.148991
1000 0.147967 0.147967 0.147967
EOD
$c_1_0_2 << EOD
12 3.956735 3.809976814 4.103493186
112 0.3095883333 0.2023388723 0.4168377944
1012 0.3089056667 0.1995054268 0.4183059065
EOD
$c_1_1_0 << EOD
-12 0.928362 0.9279596216 0.9287643784
88 0.92833 0.9278814479 0.9287785521
988 0.9232013333 0.9230556161 0.9233470506
EOD
$c_1_1_1 << EOD
0 0.929153 0.9288014069 0.9295045931
100 0.9290663333 0.9288643468 0.9292683199
1000 0.9255106667 0.9252190945 0.9258022388
EOD
$c_1_1_2 << EOD
12 0.929025 0.9287430194 0.9293069806
112 0.929001 0.9288366389 0.9291653611
1012 0.9254546667 0.9251993916 0.9257099417
EOD
$c_1_2_0 << EOD
-12 2903.124658 2878.302688 2927.946628
88 2217.442308 2213.826001 2221.058614
988 1455.428449 1450.004462 1460.852436
EOD
$c_1_2_1 << EOD
0 5010.228745 5009.605362 5010.852128
100 2668.362253 2668.27727 2668.447236
1000 1615.743108 1615.07989 1616.406325
EOD
$c_1_2_2 << EOD
12 5037.103538 5036.3907 5037.816376
112 2668.418355 2668.189633 2668.647076
1012 1615.71706 1614.990632 1616.443487
EOD
set terminal pngcairo size 1680,880 font 'DejaVu Sans,10' noenhanced
set output 'docs/figures/ycsb-sweep.png'
set multiplot title "docs/figures/ycsb-sweep.csv (54 rows)\nmean of the rows sharing a point (seeds); bars: 95% CI, Student t" font ',11'
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
set tmargin 2.5
set origin 0.0000,0.4545
set size 0.3333,0.4545
set ylabel 'GET p99 latency (ms)'
set format y '%g'
set logscale y
set yrange [0.0739835:8385.81]
set title 'trace = gen:ycsb-a,keys=10000,requests=200000,clients=32'
plot $c_0_0_0 using 1:2:3:4 with yerrorlines lt 1 title 'max-io-jobs = 1', \
     $c_0_0_1 using 1:2:3:4 with yerrorlines lt 2 title 'max-io-jobs = 10', \
     $c_0_0_2 using 1:2:3:4 with yerrorlines lt 3 title 'max-io-jobs = 100'
set origin 0.3333,0.4545
set size 0.3333,0.4545
set ylabel 'hit ratio'
set format y '% h'
unset logscale y
set autoscale y
set title 'trace = gen:ycsb-a,keys=10000,requests=200000,clients=32'
plot $c_0_1_0 using 1:2:3:4 with yerrorlines lt 1 title 'max-io-jobs = 1', \
     $c_0_1_1 using 1:2:3:4 with yerrorlines lt 2 title 'max-io-jobs = 10', \
     $c_0_1_2 using 1:2:3:4 with yerrorlines lt 3 title 'max-io-jobs = 100'
set origin 0.6667,0.4545
set size 0.3333,0.4545
set ylabel 'disk saves per second, sim time (1/s)'
set format y '% h'
unset logscale y
set autoscale y
set title 'trace = gen:ycsb-a,keys=10000,requests=200000,clients=32'
plot $c_0_2_0 using 1:2:3:4 with yerrorlines lt 1 title 'max-io-jobs = 1', \
     $c_0_2_1 using 1:2:3:4 with yerrorlines lt 2 title 'max-io-jobs = 10', \
     $c_0_2_2 using 1:2:3:4 with yerrorlines lt 3 title 'max-io-jobs = 100'
set origin 0.0000,0.0000
set size 0.3333,0.4545
set ylabel 'GET p99 latency (ms)'
set format y '%g'
set logscale y
set yrange [0.0739835:8385.81]
set title 'trace = gen:ycsb-b,keys=10000,requests=200000,clients=32'
plot $c_1_0_0 using 1:2:3:4 with yerrorlines lt 1 title 'max-io-jobs = 1', \
     $c_1_0_1 using 1:2:3:4 with yerrorlines lt 2 title 'max-io-jobs = 10', \
     $c_1_0_2 using 1:2:3:4 with yerrorlines lt 3 title 'max-io-jobs = 100'
set origin 0.3333,0.0000
set size 0.3333,0.4545
set ylabel 'hit ratio'
set format y '% h'
unset logscale y
set autoscale y
set title 'trace = gen:ycsb-b,keys=10000,requests=200000,clients=32'
plot $c_1_1_0 using 1:2:3:4 with yerrorlines lt 1 title 'max-io-jobs = 1', \
     $c_1_1_1 using 1:2:3:4 with yerrorlines lt 2 title 'max-io-jobs = 10', \
     $c_1_1_2 using 1:2:3:4 with yerrorlines lt 3 title 'max-io-jobs = 100'
set origin 0.6667,0.0000
set size 0.3333,0.4545
set ylabel 'disk saves per second, sim time (1/s)'
set format y '% h'
unset logscale y
set autoscale y
set title 'trace = gen:ycsb-b,keys=10000,requests=200000,clients=32'
plot $c_1_2_0 using 1:2:3:4 with yerrorlines lt 1 title 'max-io-jobs = 1', \
     $c_1_2_1 using 1:2:3:4 with yerrorlines lt 2 title 'max-io-jobs = 10', \
     $c_1_2_2 using 1:2:3:4 with yerrorlines lt 3 title 'max-io-jobs = 100'
$key << EOD
-1 -1 -1 -1
EOD
set origin 0,0.9091
set size 1,0.0477
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
plot $key using 1:2:3:4 with yerrorlines lt 1 title 'max-io-jobs = 1', $key using 1:2:3:4 with yerrorlines lt 2 title 'max-io-jobs = 10', $key using 1:2:3:4 with yerrorlines lt 3 title 'max-io-jobs = 100'
unset multiplot
