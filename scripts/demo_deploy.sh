#!/usr/bin/env bash
# The demo as a deployment looks (issue 9, section 3): Python client
# processes, each with its own PostgreSQL connection and its own state,
# against the extension in throwaway clusters.
#
#   1. secure aggregation: a server loop (python/demo/secagg_deploy.py) and
#      DEMO_USERS (120) client processes with inbox/outbox tables, clients
#      killed at every round; once on the complete graph, once with SecAgg+
#   2. PINE (python/demo/pine_deploy.py): client processes shard real-valued
#      vectors to a Leader and a Helper in two clusters, a few over the norm
#      bound are rejected, the collector decodes the sum
#
# Builds libsecagg and the extension from this tree, stages the extension
# with DESTDIR (loaded through extension_destdir: no system install), installs
# missing Debian packages (scripts/lib.sh), and stops and deletes the
# clusters at the end. Ports 54470 and 54471.
# DEMO_USERS (120), DEMO_TIMEOUT (4, seconds a round waits for stragglers),
# PINE_CLIENTS (100) and DEMO_ONLY (secagg | pine) tune it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
install_deps
PYTHON=${PYTHON:-/usr/bin/python3}   # Debian's python3 with python3-psycopg
stage=$(mktemp -d -t secagg-demostage.XXXXXX)
trap 'stop_clusters; rm -rf "$stage"' EXIT

log "building libsecagg and the extension"
make -s lib >/dev/null
make -s PG_CONFIG="$PG_BIN/pg_config" >/dev/null
make -s install PG_CONFIG="$PG_BIN/pg_config" DESTDIR="$stage" >/dev/null
chmod -R a+rX "$stage"
CLUSTER_EXTRA_CONF="extension_destdir = '$stage'
dynamic_library_path = '$stage/usr/lib/postgresql/$PG_MAJOR/lib:\$libdir'
max_connections = 400"
export SECAGG_LIB="$PWD/build/lib/libsecagg.so.0" PYTHONPATH="$PWD/python"
USERS=${DEMO_USERS:-120}
TIMEOUT=${DEMO_TIMEOUT:-4}

start_cluster demo-leader 54470
LEADER_HOST=$PGHOST
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE secagg_demo"
DSN="host=$LEADER_HOST port=54470 user=postgres dbname=secagg_demo"

status=0
if [ "${DEMO_ONLY:-secagg}" = secagg ]; then
	echo
	echo "=== 1a. secure aggregation, complete graph: $USERS client processes ==="
	"$PYTHON" python/demo/secagg_deploy.py "$DSN" --users "$USERS" --timeout "$TIMEOUT" --session 1 || status=1
	echo
	echo "=== 1b. secure aggregation, SecAgg+: $USERS client processes ==="
	"$PYTHON" python/demo/secagg_deploy.py "$DSN" --users "$USERS" --timeout "$TIMEOUT" --session 2 --graph || status=1
fi
if [ "${DEMO_ONLY:-pine}" = pine ]; then
	psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE leader"
	start_cluster demo-helper 54471
	psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE helper"
	echo
	echo "=== 2. PINE: ${PINE_CLIENTS:-100} client processes, Leader (port 54470) and Helper (port 54471) ==="
	"$PYTHON" python/demo/pine_deploy.py "host=$LEADER_HOST port=54470 user=postgres dbname=leader" \
		"host=$PGHOST port=54471 user=postgres dbname=helper" --clients "${PINE_CLIENTS:-100}" || status=1
fi
echo
if [ $status = 0 ]; then echo "demo: every check passed"; else echo "demo: a check FAILED"; fi
exit $status
