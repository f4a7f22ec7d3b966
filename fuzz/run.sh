#!/usr/bin/env bash
# fuzz/run.sh OUT SECONDS NAME...: runs each harness OUT/fuzz_NAME for
# SECONDS seconds, one after another, each as one libFuzzer job on one core
# (-jobs=1 -workers=1), on a scratch copy of fuzz/corpus/NAME/ in
# OUT/run/NAME/ (libFuzzer adds what it finds there, never to the committed
# corpus). Prints executions, exec/s and crashes per harness; exits 1 if any
# harness crashed (or did not run), leaving the reproducer in
# OUT/run/NAME/artifacts/ and the log in OUT/run/NAME/fuzz-0.log.
# Extra libFuzzer options may be passed in FUZZ_ARGS.
set -u
out=$1 secs=$2
shift 2
root=$(pwd)
failed=0
tot_execs=0
printf '%-20s %12s %10s %8s\n' harness executions exec/s crashes
for name in "$@"; do
	bin=$root/$out/fuzz_$name
	dir=$root/$out/run/$name
	rm -rf "$dir"
	mkdir -p "$dir/corpus" "$dir/artifacts"
	if [ -d "fuzz/corpus/$name" ]; then
		cp -R "fuzz/corpus/$name/." "$dir/corpus/"
	fi
	(cd "$dir" && "$bin" -jobs=1 -workers=1 -max_total_time="$secs" -timeout=60 \
		-print_final_stats=1 -artifact_prefix="$dir/artifacts/" ${FUZZ_ARGS:-} corpus \
		>/dev/null 2>&1)
	rc=$?
	log=$dir/fuzz-0.log
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" 2>/dev/null | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" 2>/dev/null | tail -1)
	crashes=$(find "$dir/artifacts" -type f | wc -l)
	if [ "$rc" != 0 ] && [ "$crashes" = 0 ]; then
		crashes=1        # died without an artifact (e.g. failed to start)
	fi
	printf '%-20s %12s %10s %8s\n' "$name" "${execs:-?}" "${rate:-?}" "$crashes"
	tot_execs=$((tot_execs + ${execs:-0}))
	if [ "$crashes" != 0 ]; then
		failed=1
		for a in "$dir"/artifacts/*; do
			[ -e "$a" ] && echo "    reproducer: $a"
		done
		echo "    log: $log"
		grep -m1 -E 'ERROR: (AddressSanitizer|UndefinedBehaviorSanitizer|libFuzzer)|runtime error|invariant violated' "$log" |
			sed 's/^/    /'
	fi
done
echo "total executions: $tot_execs"
exit $failed
