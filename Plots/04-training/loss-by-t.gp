# Swiss roll: the trained network's loss by t — written by lesson-04.
# Re-render with:  gnuplot loss-by-t.gp   (writes loss-by-t.png beside this script)
set encoding utf8
set terminal pngcairo size 900,480 font 'DejaVu Sans,11' noenhanced
set output (strlen(ARG0) > 3 ? ARG0[1:strlen(ARG0)-2] : 'loss-by-t.') . 'png'
set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')
set grid lc rgb '#dddddd'
set format x '%g'; set format y '%g'
set multiplot layout 1,1 title "Swiss roll: the trained network's loss by t" font ',13'

# Panel 1
unset logscale; set autoscale; unset colorbox; set size noratio
unset title
set xlabel "t (bucket centre)"
set ylabel "mean (ε − ε_θ)²"
set logscale x
set key inside top right opaque
$p1s1 << EOD
3 0.9408987977
13 0.7397054931
35.5 0.6490467231
75.5 0.6926490612
150.5 0.5763043257
275.5 0.2966317313
425.5 0.08412650229
600.5 0.01512189143
850.5 0.0007507698439
EOD
$p1s2 << EOD
3 0.9408987977
13 0.7397054931
35.5 0.6490467231
75.5 0.6926490612
150.5 0.5763043257
275.5 0.2966317313
425.5 0.08412650229
600.5 0.01512189143
850.5 0.0007507698439
EOD
plot $p1s1 using 1:2 with lines lw 2 lc rgb '#1f77b4' title "L_simple by t", \
     $p1s2 using 1:2 with points pt 7 ps 1.2 lc rgb '#d62728' notitle
unset multiplot
set output
