# Swiss roll: reconstruction error against the encoding step t — written by lesson-06.
# Re-render with:  gnuplot reconstruction.gp   (writes reconstruction.png beside this script)
set encoding utf8
set terminal pngcairo size 900,460 font 'DejaVu Sans,11' noenhanced
set output (strlen(ARG0) > 3 ? ARG0[1:strlen(ARG0)-2] : 'reconstruction.') . 'png'
set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')
set grid lc rgb '#dddddd'
set format x '%g'; set format y '%g'
set multiplot layout 1,1 title "Swiss roll: reconstruction error against the encoding step t" font ',13'

# Panel 1
unset logscale; set autoscale; unset colorbox; set size noratio
unset title
set xlabel "t"
set ylabel "mean ‖x̄₀ − x₀‖"
set yrange [0:1.8]
set logscale x
set key inside top left opaque
$p1s1 << EOD
1 0.01244244333
5 0.04130884406
10 0.05983393635
25 0.1092399535
50 0.2215471689
100 0.5031378719
250 0.9983481969
500 1.088609022
1000 1.134985432
EOD
$p1s2 << EOD
1 0.01244244333
5 0.04130884406
10 0.05983393635
25 0.1092399535
50 0.2215471689
100 0.5031378719
250 0.9983481969
500 1.088609022
1000 1.134985432
EOD
$p1s3 << EOD
1 1.21108255
1000 1.21108255
EOD
plot $p1s1 using 1:2 with lines lw 2 lc rgb '#1f77b4' title "reconstruction error", \
     $p1s2 using 1:2 with points pt 7 ps 1.2 lc rgb '#d62728' notitle, \
     $p1s3 using 1:2 with lines lw 1 dt 2 lc rgb '#888888' title "two independent points of the roll"
unset multiplot
set output
