#!/bin/sh
# run_secagg.sh: builds bench_secagg and runs the secure-aggregation benchmark.
#
#   bench/run_secagg.sh            full grid (n in {100,500,1000}, m in {1e4,1e5},
#                                  dropouts {0,10,30}%); the table is written to
#                                  bench/results-secagg.txt and printed
#   bench/run_secagg.sh --quick    n = 100, m = 10,000 only (seconds; not saved)
#   bench/run_secagg.sh ARGS...    any bench_secagg options (not saved)
#
# Progress goes to stderr. If the core library does not build (other
# modules in flux), the benchmark is built from the secagg sources alone.
set -eu
cd "$(dirname "$0")/.."
bin=build/bench/bench_secagg
if ! make -s "$bin" >/dev/null 2>build/bench_secagg_make.log; then
	echo "run_secagg.sh: 'make $bin' failed (see build/bench_secagg_make.log);" \
	     "building from src/core/common and src/core/secagg only" >&2
	mkdir -p build/bench
	${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -Wno-unused-parameter -Isrc/core -Ibench \
		src/core/common/*.c src/core/secagg/*.c bench/bench_secagg.c \
		-lsodium -lcrypto -lpthread -o "$bin"
fi
if [ "$#" -eq 0 ]; then
	"$bin" | tee bench/results-secagg.txt
else
	"$bin" "$@"
fi
