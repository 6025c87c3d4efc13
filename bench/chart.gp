# Chart of bench/run.sh: req/s per row, ours and theirs side by side, log scale.
# gnuplot -e "datafile='...'; outfile='...'" bench/chart.gp
set terminal svg size 960,500 dynamic enhanced font 'sans,12' background rgb 'white'
set output outfile
if (!exists("reps")) reps = 3
if (!exists("rows")) rows = 5
if (!exists("store")) store = "sqlite"
set title sprintf("fcgi-auth (lighttpd + FastCGI) vs Better Auth 1.7.25 (Node), FerretDB on %s: requests/s, median of %d runs (log scale)", store, reps)
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.85 border rgb 'black'
set boxwidth 0.9
set logscale y
set yrange [1:*]
set format y "%.0f"
set grid ytics
set ylabel "requests / s"
set key top left
set xtics noenhanced scale 0
set datafile missing "NaN"
set xrange [-0.6:rows - 0.4]
lbl(v) = v < 100 ? sprintf("%.1f", v) : sprintf("%.0f", v)
plot datafile using 2:xtic(1) title "fcgi-auth" lc rgb '#2b7bba', \
     '' using 3 title "Better Auth" lc rgb '#e8743b', \
     '' using ($0 - 1.0/6):2:(lbl($2)) with labels offset 0,0.7 notitle, \
     '' using ($0 + 1.0/6):3:(lbl($3)) with labels offset 0,0.7 notitle
