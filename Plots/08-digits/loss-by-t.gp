# Held-out L_simple by t — written by lesson-08.
# Re-render with:  gnuplot loss-by-t.gp   (writes loss-by-t.png beside this script)
set encoding utf8
set terminal pngcairo size 900,460 font 'DejaVu Sans,11' noenhanced
set output (strlen(ARG0) > 3 ? ARG0[1:strlen(ARG0)-2] : 'loss-by-t.') . 'png'
set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')
set grid lc rgb '#dddddd'
set format x '%g'; set format y '%g'
set multiplot layout 1,1 title "Held-out L_simple by t" font ',13'

# Panel 1
unset logscale; set autoscale; unset colorbox; set size noratio
unset title
set xlabel "t (bucket centre)"
set ylabel "mean (ε − ε_θ)²"
set logscale x
unset key
$p1s1 << EOD
3 0.6537722755
13 0.5202713008
35.5 0.4097625068
75.5 0.288181483
150.5 0.1959653624
300.5 0.09786028111
550.5 0.01803780828
850.5 0.001144235812
EOD
$p1s2 << EOD
3 0.6537722755
13 0.5202713008
35.5 0.4097625068
75.5 0.288181483
150.5 0.1959653624
300.5 0.09786028111
550.5 0.01803780828
850.5 0.001144235812
EOD
plot $p1s1 using 1:2 with lines lw 2 lc rgb '#1f77b4' notitle, \
     $p1s2 using 1:2 with points pt 7 ps 1.2 lc rgb '#d62728' notitle
unset multiplot
set output
