# Fréchet distance against sampling steps S: fixed and learned variances — written by lesson-10.
# Re-render with:  gnuplot frechet-vs-steps.gp   (writes frechet-vs-steps.png beside this script)
set encoding utf8
set terminal pngcairo size 1150,560 font 'DejaVu Sans,11' noenhanced
set output (strlen(ARG0) > 3 ? ARG0[1:strlen(ARG0)-2] : 'frechet-vs-steps.') . 'png'
set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')
set grid lc rgb '#dddddd'
set format x '%g'; set format y '%g'
set multiplot layout 1,1 title "Fréchet distance against sampling steps S: fixed and learned variances" font ',13'

# Panel 1
unset logscale; set autoscale; unset colorbox; set size noratio
unset title
set xlabel "sampling steps S"
set ylabel "Fréchet d² to held-out digits"
set logscale x
set logscale y
set key outside right top
$p1s1 << EOD
10 14.09421865 23.82678251
25 14.09421865 23.82678251
100 14.09421865 23.82678251
EOD
$p1s2 << EOD
10 18.96050058
25 18.96050058
100 18.96050058
EOD
$p1s3 << EOD
10 144.542494
25 95.05180313
100 67.89056657
EOD
$p1s4 << EOD
10 144.542494
25 95.05180313
100 67.89056657
EOD
$p1s5 << EOD
10 107.5707337
25 67.3178848
100 49.13232935
EOD
$p1s6 << EOD
10 107.5707337
25 67.3178848
100 49.13232935
EOD
$p1s7 << EOD
10 61.73644835
25 49.43857691
100 44.79026129
EOD
$p1s8 << EOD
10 61.73644835
25 49.43857691
100 44.79026129
EOD
$p1s9 << EOD
10 67.35376233
25 52.72825753
100 45.37504908
EOD
$p1s10 << EOD
10 67.35376233
25 52.72825753
100 45.37504908
EOD
plot $p1s1 using 1:2:3 with filledcurves fs transparent solid 0.18 noborder lc rgb '#999999' title "floor ± sd (real digits)", \
     $p1s2 using 1:2 with lines lw 1.5 dt 2 lc rgb '#777777' notitle, \
     $p1s3 using 1:2 with lines lw 2 lc rgb '#1f77b4' title "linear, σ² = β", \
     $p1s4 using 1:2 with points pt 7 ps 1.5 lc rgb '#1f77b4' notitle, \
     $p1s5 using 1:2 with lines lw 2 lc rgb '#d62728' title "cosine, σ² = β", \
     $p1s6 using 1:2 with points pt 7 ps 1.5 lc rgb '#d62728' notitle, \
     $p1s7 using 1:2 with lines lw 2 lc rgb '#2ca02c' title "cosine, σ² = β̃", \
     $p1s8 using 1:2 with points pt 7 ps 1.5 lc rgb '#2ca02c' notitle, \
     $p1s9 using 1:2 with lines lw 2 lc rgb '#ff7f0e' title "cosine, L_hybrid, learned Σ_θ", \
     $p1s10 using 1:2 with points pt 7 ps 1.5 lc rgb '#ff7f0e' notitle
unset multiplot
set output
