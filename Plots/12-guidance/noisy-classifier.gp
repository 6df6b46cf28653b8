# The noisy classifier's held-out accuracy against t — written by lesson-12.
# Re-render with:  gnuplot noisy-classifier.gp   (writes noisy-classifier.png beside this script)
set encoding utf8
set terminal pngcairo size 1000,440 font 'DejaVu Sans,11' noenhanced
set output (strlen(ARG0) > 3 ? ARG0[1:strlen(ARG0)-2] : 'noisy-classifier.') . 'png'
set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')
set grid lc rgb '#dddddd'
set format x '%g'; set format y '%g'
set multiplot layout 1,1 title "The noisy classifier's held-out accuracy against t" font ',13'

# Panel 1
unset logscale; set autoscale; unset colorbox; set size noratio
unset title
set xlabel "t"
set ylabel "accuracy of p_φ(y∣xₜ, t)"
set yrange [0:1]
set key inside top right opaque
$p1s1 << EOD
1 0.9259259259
50 0.936026936
100 0.9023569024
200 0.8013468013
300 0.6228956229
400 0.468013468
500 0.3131313131
600 0.228956229
700 0.1818181818
800 0.1212121212
900 0.1178451178
1000 0.08754208754
EOD
$p1s2 << EOD
1 0.1
1000 0.1
EOD
plot $p1s1 using 1:2 with lines lw 2 lc rgb '#1f77b4' title "p_φ on held-out xₜ", \
     $p1s2 using 1:2 with lines lw 1.5 dt 2 lc rgb '#999999' title "chance"
unset multiplot
set output
