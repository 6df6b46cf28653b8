# The learned interpolation v against t: 0 is β̃ₜ, 1 is βₜ — written by lesson-10.
# Re-render with:  gnuplot learned-v.gp   (writes learned-v.png beside this script)
set encoding utf8
set terminal pngcairo size 1150,460 font 'DejaVu Sans,11' noenhanced
set output (strlen(ARG0) > 3 ? ARG0[1:strlen(ARG0)-2] : 'learned-v.') . 'png'
set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')
set grid lc rgb '#dddddd'
set format x '%g'; set format y '%g'
set multiplot layout 1,1 title "The learned interpolation v against t: 0 is β̃ₜ, 1 is βₜ" font ',13'

# Panel 1
unset logscale; set autoscale; unset colorbox; set size noratio
unset title
set xlabel "t"
set ylabel "v (median and 10–90 % of pixels)"
set yrange [-0.3171159387:1.1]
set logscale x
set key outside right top
$p1s1 << EOD
1 1
1000 1
EOD
$p1s2 << EOD
1 0
1000 0
EOD
$p1s3 << EOD
1 0.6985567212
2 0.7022404671
3 0.7019565701
5 0.6966061592
10 0.6681046486
20 0.658360064
50 0.5633059144
100 0.4543149471
200 0.3183513284
300 0.2377569675
400 0.1461682916
500 0.0910070762
600 0.07560951263
700 0.0542524755
800 0.05140651017
900 0.05887643993
1000 0.05311349407
EOD
$p1s4 << EOD
1 0.5204819441
2 0.5232876539
3 0.5219914317
5 0.5173203349
10 0.4674965739
20 0.4447639883
50 0.269500047
100 0.1446202248
200 0.03734945133
300 -0.04128028452
400 -0.1087804511
500 -0.1546254754
600 -0.1778763235
700 -0.2057891786
800 -0.1954729557
900 -0.215834111
1000 -0.2171159387
EOD
$p1s5 << EOD
1 0.8951990008
2 0.8978351355
3 0.8963350058
5 0.8932826519
10 0.8748105168
20 0.8693463802
50 0.8753462434
100 0.820460856
200 0.691904366
300 0.5689085722
400 0.4453077018
500 0.3674901724
600 0.3444482684
700 0.3142769039
800 0.3189540207
900 0.3287482858
1000 0.3432163298
EOD
plot $p1s1 using 1:2 with lines lw 1.5 dt 2 lc rgb '#777777' title "v = 1: Σ_θ = βₜ", \
     $p1s2 using 1:2 with lines lw 1.5 dt 2 lc rgb '#bbbbbb' title "v = 0: Σ_θ = β̃ₜ", \
     $p1s3 using 1:2 with lines lw 2 lc rgb '#1f77b4' title "median", \
     $p1s4 using 1:2 with lines lw 1 dt 2 lc rgb '#d62728' title "10th percentile", \
     $p1s5 using 1:2 with lines lw 1 dt 2 lc rgb '#2ca02c' title "90th percentile"
unset multiplot
set output
