#!/bin/sh
# run_secagg_plus.sh: builds bench_secagg_plus and bench_secagg and runs the
# SecAgg+ benchmark (issue 8, section 3) with the complete-graph comparison.
#
#   bench/run_secagg_plus.sh          the grid (n in {1,000, 10,000}, m = 100,000,
#                                     dropouts {0,10,30} %, both server models),
#                                     then the complete graph at n = 500,
#                                     m = 100,000, no dropouts (bench_secagg
#                                     --only 500,100000,0 --reps 5), all written
#                                     to bench/results-secagg-plus.txt and printed
#   bench/run_secagg_plus.sh --quick  n = 1,000, m = 10,000, 30 % (not saved)
#   bench/run_secagg_plus.sh ARGS...  any bench_secagg_plus options (not saved)
#
# Progress goes to stderr. Build with make -j1 on the shared 2-core machine.
set -eu
cd "$(dirname "$0")/.."
plus=build/bench/bench_secagg_plus
full=build/bench/bench_secagg
make -s -j1 "$plus" "$full" >/dev/null
if [ "$#" -ne 0 ]; then
	exec "$plus" "$@"
fi
out=bench/results-secagg-plus.txt
{
	"$plus"
	echo
	echo "== complete graph, same run: $full --only 500,100000,0 --reps 5"
	"$full" --only 500,100000,0 --reps 5
} | tee "$out"
