#!/usr/bin/env bash
# Runs every test suite: C unit tests (plain and under ASan/UBSan),
# pg_regress (sql/ + expected/), pgTAP (test/pgtap/) and the Python clients'
# pytest suite (python/tests/) against a
# throwaway cluster, then the multi-cluster tests of test/cluster/ (among them
# Citus: built from ../shared/third_party/citus when not installed, skipped
# when neither is there). Installs what is missing; leaves no server running.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
trap stop_clusters EXIT

install_deps
passed=0 failed=0 skipped=0
suite() {  # suite NAME COMMAND...; exit status 77 means skipped (e.g. Citus absent)
	local name=$1 rc=0; shift
	log "suite: $name"
	"$@" || rc=$?
	case $rc in
	0) passed=$((passed + 1)) ;;
	77) skipped=$((skipped + 1)); log "SKIPPED: $name" ;;
	*) failed=$((failed + 1)); log "FAILED: $name" ;;
	esac
}

suite "C unit tests" make -s unit
suite "C unit tests (ASan+UBSan)" make -s unit BUILD=build/asan CORE_CC=clang \
	CORE_CFLAGS="-std=c11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
suite "fuzzers (short)" make -s fuzz FUZZ_SECONDS=3
suite "libsecagg" make -s lib-test
suite "libsecagg (ASan+UBSan)" make -s lib-test BUILD=build/asan CORE_CC=clang \
	CORE_CFLAGS="-std=c11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
build_and_install
start_cluster regress 54391
regress() {
	rm -rf results regression.diffs regression.out
	if ! make -s installcheck PG_CONFIG="$PG_BIN/pg_config"; then
		[ -f regression.diffs ] && head -200 regression.diffs
		return 1
	fi
}
suite "pg_regress" regress
suite "pgTAP" make -s prove_installcheck PG_CONFIG="$PG_BIN/pg_config"
stop_clusters
suite "pg_regress + pgTAP, extension built with UBSan" bash scripts/ubsan_sql.sh
suite "Python clients (pytest, python/tests)" bash scripts/python_test.sh
suite "deployment demo (client processes, inbox/outbox, PINE in two clusters)" bash scripts/demo_deploy.sh
if [ -d test/cluster ]; then
	for t in test/cluster/*.sh; do
		[ -e "$t" ] && suite "cluster: $(basename "$t")" bash "$t"
	done
fi
echo "suites: $passed passed, $failed failed$([ "$skipped" = 0 ] || echo ", $skipped skipped")"
[ "$failed" = 0 ]
