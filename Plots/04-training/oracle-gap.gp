# 8 Gaussians: the network against the best possible predictor ε* — written by lesson-04.
# Re-render with:  gnuplot oracle-gap.gp   (writes oracle-gap.png beside this script)
set encoding utf8
set terminal pngcairo size 1000,520 font 'DejaVu Sans,11' noenhanced
set output (strlen(ARG0) > 3 ? ARG0[1:strlen(ARG0)-2] : 'oracle-gap.') . 'png'
set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')
set grid lc rgb '#dddddd'
set format x '%g'; set format y '%g'
set multiplot layout 1,1 title "8 Gaussians: the network against the best possible predictor ε*" font ',13'

# Panel 1
unset logscale; set autoscale; unset colorbox; set size noratio
unset title
set xlabel "t (bucket centre)"
set ylabel "mean squared error per coordinate"
set logscale x
set logscale y
set key inside bottom left opaque
$p1s1 << EOD
3 0.8870172194
13 0.4861841687
35.5 0.2302894765
75.5 0.4562702123
150.5 0.5359391535
275.5 0.2966964625
425.5 0.09226725087
600.5 0.01646941006
850.5 0.0009002134913
EOD
$p1s2 << EOD
3 0.8788484198
13 0.4720152948
35.5 0.2007133602
75.5 0.4523092575
150.5 0.5338015814
275.5 0.2964489861
425.5 0.09232918133
600.5 0.01626814929
850.5 0.0007536461969
EOD
$p1s3 << EOD
3 0.007423792377
13 0.01724485159
35.5 0.0232005975
75.5 0.004824823436
150.5 0.001345660906
275.5 0.0003261566193
425.5 0.0001622603132
600.5 0.000233122108
850.5 0.0001501308896
EOD
plot $p1s1 using 1:2 with lines lw 2 lc rgb '#1f77b4' title "network: (ε − ε_θ)²", \
     $p1s2 using 1:2 with lines lw 2 dt 2 lc rgb '#d62728' title "best possible: (ε − ε*)²", \
     $p1s3 using 1:2 with lines lw 2 lc rgb '#2ca02c' title "gap: (ε_θ − ε*)²"
unset multiplot
set output
