# Class fidelity against within-class Fréchet distance, by guidance weight — written by lesson-12.
# Re-render with:  gnuplot trade-off.gp   (writes trade-off.png beside this script)
set encoding utf8
set terminal pngcairo size 1000,560 font 'DejaVu Sans,11' noenhanced
set output (strlen(ARG0) > 3 ? ARG0[1:strlen(ARG0)-2] : 'trade-off.') . 'png'
set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')
set grid lc rgb '#dddddd'
set format x '%g'; set format y '%g'
set multiplot layout 1,1 title "Class fidelity against within-class Fréchet distance, by guidance weight" font ',13'

# Panel 1
unset logscale; set autoscale; unset colorbox; set size noratio
unset title
set xlabel "asked-for class recognised (share of samples)"
set ylabel "within-class Fréchet d² (log scale)"
set xrange [0:1]
set logscale y
set key outside below center horizontal
$p1s1 << EOD
0.1 548.7584425
0.42 199.472049
0.8233333333 70.97795609
0.95 61.79779553
0.9733333333 68.26619671
0.9866666667 75.62115344
EOD
$p1s2 << EOD
0.1 548.7584425
0.42 199.472049
0.8233333333 70.97795609
0.95 61.79779553
0.9733333333 68.26619671
0.9866666667 75.62115344
EOD
$p1s3 << EOD
0.9366666667 61.63087065
0.9933333333 70.78431184
1 80.77936009
1 97.92286807
1 121.8966296
EOD
$p1s4 << EOD
0.9366666667 61.63087065
0.9933333333 70.78431184
1 80.77936009
1 97.92286807
1 121.8966296
EOD
$p1s5 << EOD
0 51.37480815 57.70550049
1 51.37480815 57.70550049
EOD
$p1s6 << EOD
0 54.54015432
1 54.54015432
EOD
plot $p1s1 using 1:2 with lines lw 2 lc rgb '#1f77b4' title "classifier guidance, s = 0, 0.5, 1, 2, 4, 8", \
     $p1s2 using 1:2 with points pt 7 ps 1.5 lc rgb '#1f77b4' notitle, \
     $p1s3 using 1:2 with lines lw 2 lc rgb '#2ca02c' title "classifier-free, w = 0, 0.5, 1, 2, 4", \
     $p1s4 using 1:2 with points pt 7 ps 1.5 lc rgb '#2ca02c' notitle, \
     $p1s5 using 1:2:3 with filledcurves fs transparent solid 0.18 noborder lc rgb '#999999' title "within-class floor ± sd (real digits)", \
     $p1s6 using 1:2 with lines lw 1.5 dt 2 lc rgb '#777777' notitle
unset multiplot
set output
