# Fréchet distance against network evaluations per sample — written by lesson-11.
# Re-render with:  gnuplot frechet-vs-steps.gp   (writes frechet-vs-steps.png beside this script)
set encoding utf8
set terminal pngcairo size 1000,560 font 'DejaVu Sans,11' noenhanced
set output (strlen(ARG0) > 3 ? ARG0[1:strlen(ARG0)-2] : 'frechet-vs-steps.') . 'png'
set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')
set grid lc rgb '#dddddd'
set format x '%g'; set format y '%g'
set multiplot layout 1,1 title "Fréchet distance against network evaluations per sample" font ',13'

# Panel 1
unset logscale; set autoscale; unset colorbox; set size noratio
unset title
set xlabel "network evaluations per sample S"
set ylabel "Fréchet d² to held-out digits"
set logscale x
set logscale y
set key outside below center horizontal
$p1s1 << EOD
10 14.09421865 23.82678251
20 14.09421865 23.82678251
50 14.09421865 23.82678251
100 14.09421865 23.82678251
250 14.09421865 23.82678251
1000 14.09421865 23.82678251
EOD
$p1s2 << EOD
10 18.96050058
20 18.96050058
50 18.96050058
100 18.96050058
250 18.96050058
1000 18.96050058
EOD
$p1s3 << EOD
10 22.37383277
20 18.79805812
50 21.17122323
100 15.54001989
250 25.77852721
1000 17.85746727
EOD
$p1s4 << EOD
10 24.67317346
20 23.86936952
50 21.58389429
100 15.44697477
250 25.68216223
1000 17.86838064
EOD
$p1s5 << EOD
10 24.67317346
20 23.86936952
50 21.58389429
100 15.44697477
250 25.68216223
1000 17.86838064
EOD
$p1s6 << EOD
10 22.37383277
20 18.79805812
50 21.17122323
100 15.54001989
250 25.77852721
1000 17.85746727
EOD
$p1s7 << EOD
10 22.37383277
20 18.79805812
50 21.17122323
100 15.54001989
250 25.77852721
1000 17.85746727
EOD
$p1s8 << EOD
10 24.46166141
20 19.34631936
50 17.78160715
100 17.24207178
250 17.06464462
1000 16.97405271
EOD
$p1s9 << EOD
10 24.46166141
20 19.34631936
50 17.78160715
100 17.24207178
250 17.06464462
1000 16.97405271
EOD
$p1s10 << EOD
10 19.71291636
20 14.79514176
50 19.42101034
100 13.0568954
250 21.70644666
1000 19.48277148
EOD
$p1s11 << EOD
10 19.71291636
20 14.79514176
50 19.42101034
100 13.0568954
250 21.70644666
1000 19.48277148
EOD
plot $p1s1 using 1:2:3 with filledcurves fs transparent solid 0.18 noborder lc rgb '#999999' title "floor ± sd (real digits)", \
     $p1s2 using 1:2 with lines lw 1.5 dt 2 lc rgb '#777777' notitle, \
     $p1s3 using 1:2 with lines lw 7 lc rgb '#c5b0d5' title "DDIM η = 1 (wide: the same chain as σ² = β̃)", \
     $p1s4 using 1:2 with lines lw 2 lc rgb '#1f77b4' title "DDPM respaced, σ² = β", \
     $p1s5 using 1:2 with points pt 7 ps 1 lc rgb '#1f77b4' notitle, \
     $p1s6 using 1:2 with lines lw 2 lc rgb '#d62728' title "DDPM respaced, σ² = β̃", \
     $p1s7 using 1:2 with points pt 7 ps 1 lc rgb '#d62728' notitle, \
     $p1s8 using 1:2 with lines lw 2 lc rgb '#2ca02c' title "DDIM η = 0", \
     $p1s9 using 1:2 with points pt 7 ps 1 lc rgb '#2ca02c' notitle, \
     $p1s10 using 1:2 with lines lw 2 lc rgb '#ff7f0e' title "DDIM η = 0.5", \
     $p1s11 using 1:2 with points pt 7 ps 1 lc rgb '#ff7f0e' notitle
unset multiplot
set output
