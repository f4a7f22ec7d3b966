#!/usr/bin/env bash
# Runs the SQL suites against backends under valgrind's memcheck: every
# backend that loads secagg.so runs its C code (core and PostgreSQL layer)
# under the memory checker. Debian's server is not built with
# USE_VALGRIND, so memcheck cannot see inside PostgreSQL's memory contexts
# (a palloc'd chunk overrun within its block goes unseen); it does see reads
# of uninitialised memory, overruns of malloc'd buffers (the core's scratch
# memory, libsodium's, OpenSSL's), invalid frees and jumps on undefined values.
# Reports whose stack has no secagg.so frame are PostgreSQL's own (mostly
# uninitialised padding written to files and sockets) and only counted.
#
#   scripts/memcheck_sql.sh                 pg_regress and every pgTAP file
#   scripts/memcheck_sql.sh 09_agg_states   pg_regress and the pgTAP files matching
#
# Prints the number of backends checked, memcheck errors in secagg frames
# (must be 0) and elsewhere; exits non-zero on any error in secagg frames or
# any failed test. About 20-40x slower than a plain run.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
export PATH="$PG_BIN:$PATH"
install_deps
build_and_install
dir=$(mktemp -d -t secagg-memcheck.XXXXXX)
chmod 755 "$dir"
run=""
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; run="runuser -u postgres --"; fi
$run "$PG_BIN/initdb" -D "$dir/data" -A trust -U postgres --no-sync >/dev/null
cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
port = 54425
fsync = off
max_parallel_workers_per_gather = 2
shared_buffers = 128MB
statement_timeout = 0
CONF
mkdir -p "$dir/vg" && chmod 777 "$dir/vg"
$run valgrind --quiet --tool=memcheck --trace-children=no --track-origins=no --num-callers=30 \
	--error-limit=no --log-file="$dir/vg/%p.log" \
	"$PG_BIN/postgres" -D "$dir/data" >"$dir/server.log" 2>&1 &
stop() { $run "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 300 stop >/dev/null 2>&1 || true; }
trap 'stop; rm -rf "$dir"' EXIT
export PGHOST=$dir PGPORT=54425 PGUSER=postgres
for _ in $(seq 1 120); do pg_isready -q && break; sleep 1; done
rc=0
make -s installcheck PG_CONFIG="$PG_BIN/pg_config" || { [ -f regression.diffs ] && head -60 regression.diffs; rc=1; }
psql -q -X -d postgres -c "CREATE DATABASE memcheck_tap" >/dev/null
psql -q -X -d memcheck_tap -c "CREATE EXTENSION pgtap" -c "CREATE EXTENSION secagg" >/dev/null
files=$(ls test/pgtap/*.sql | grep -E "${1:-.}" || true)
[ -z "$files" ] || PGDATABASE=memcheck_tap pg_prove $files || rc=1
stop
# One log per process; count memcheck error records with and without a frame
# of ours (secagg.so, or a function in one of our source files).
ours_re="secagg\\.so|\\(($(ls src/core/*/*.c src/pg/*.c | xargs -n1 basename | sed 's/\./\\\\./' | paste -sd'|')):[0-9]+\\)"
ours=0 theirs=0 procs=0
for f in "$dir"/vg/*.log; do
	procs=$((procs + 1))
	n_ours=$(awk -v re="$ours_re" '
	              /^==[0-9]+== [A-Z]/ { if (rec != "") { if (rec ~ re) o++; else t++ } rec = $0; next }
	              /^==[0-9]+==    (at|by) / { rec = rec "\n" $0; next }
	              END { if (rec != "") { if (rec ~ re) o++; else t++ } print o + 0, t + 0 }' "$f")
	set -- $n_ours
	ours=$((ours + $1)); theirs=$((theirs + $2))
	if [ "$1" -gt 0 ]; then echo "== memcheck errors in secagg frames: $f"; head -80 "$f"; fi
done
echo "memcheck: $procs processes, $ours errors in secagg frames, $theirs elsewhere (PostgreSQL's own)"
[ "$ours" = 0 ] && [ "$rc" = 0 ]
