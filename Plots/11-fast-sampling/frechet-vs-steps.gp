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
set key inside top right opaque
$p1s1 << EOD
10 31.40864353
20 26.12432657
50 16.12246132
100 22.55471886
250 34.21437668
1000 34.85762392
EOD
$p1s2 << EOD
10 26.7334283
20 22.71597741
50 15.67585113
100 22.15668121
250 34.64437358
1000 34.90063531
EOD
$p1s3 << EOD
10 35.4190865
20 29.00471862
50 26.56652777
100 25.85132516
250 25.62426919
1000 25.45466293
EOD
$p1s4 << EOD
10 36.22733787
20 21.98675508
50 19.41037043
100 18.1187215
250 28.90018384
1000 35.67913628
EOD
$p1s5 << EOD
10 26.7334283
20 22.71597741
50 15.67585113
100 22.15668121
250 34.64437358
1000 34.90063531
EOD
$p1s6 << EOD
10 14.80189619
1000 14.80189619
EOD
plot $p1s1 using 1:2 with lines lw 2 lc rgb '#1f77b4' title "DDPM respaced, σ² = β", \
     $p1s2 using 1:2 with lines lw 2 lc rgb '#d62728' title "DDPM respaced, σ² = β̃", \
     $p1s3 using 1:2 with lines lw 2 lc rgb '#2ca02c' title "DDIM η = 0", \
     $p1s4 using 1:2 with lines lw 2 lc rgb '#ff7f0e' title "DDIM η = 0.5", \
     $p1s5 using 1:2 with lines lw 2 lc rgb '#9467bd' title "DDIM η = 1", \
     $p1s6 using 1:2 with lines lw 1.5 dt 2 lc rgb '#999999' title "data floor"
unset multiplot
set output
