#!/usr/bin/env bash
# Builds the extension with UndefinedBehaviorSanitizer (no recovery: any
# undefined behaviour aborts the backend) in a scratch copy of the tree,
# stages it with DESTDIR, and runs the pg_regress and pgTAP suites against a
# cluster that loads it (Debian's extension_destdir) with libubsan preloaded.
# The C core alone runs under ASan+UBSan in scripts/test.sh; PostgreSQL's
# server binary cannot be started with an ASan runtime preloaded here.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
trap stop_clusters EXIT
export PATH="$PG_BIN:$PATH"
src=$PWD
work=$(mktemp -d -t secagg-ubsan.XXXXXX)
trap 'stop_clusters; rm -rf "$work"' EXIT
git ls-files -z 2>/dev/null | (cd "$src" && tar --null -cf - -T -) | (cd "$work" && tar xf -) ||
	cp -r "$src"/. "$work"/
cd "$work"
make -s clean >/dev/null 2>&1 || true
make -s PG_CFLAGS="-std=gnu11 -Wno-declaration-after-statement -fsanitize=undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
	SHLIB_LINK="-lsodium -lcrypto -lubsan" >/dev/null
make -s install DESTDIR="$work/stage" >/dev/null
chmod -R a+rX "$work"
ubsan=$(gcc -print-file-name=libubsan.so)
CLUSTER_EXTRA_CONF="extension_destdir = '$work/stage'
dynamic_library_path = '$work/stage/usr/lib/postgresql/$PG_MAJOR/lib:\$libdir'" \
CLUSTER_ENV="LD_PRELOAD=$ubsan UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1" \
	start_cluster ubsan 54397
rc=0
make -s installcheck || { [ -f regression.diffs ] && head -100 regression.diffs; rc=1; }
make -s prove_installcheck || rc=1

for d in $CLUSTERS; do
	if grep -E "runtime error|terminated by signal" "$d/server.log"; then rc=1; fi
done
exit $rc
