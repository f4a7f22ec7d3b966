#!/usr/bin/env bash
# The Python package's tests (python/tests, pytest) against libsecagg from
# this tree (build/lib) and the extension from this tree, staged with
# DESTDIR and loaded through Debian's extension_destdir (no system install,
# no lock), in a throwaway cluster on port 54460. Installs what is missing
# (python3-pytest, python3-numpy, python3-psycopg among DEPS); leaves nothing running.
# Extra arguments go to pytest (e.g. -k session).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
install_deps
PYTHON=${PYTHON:-/usr/bin/python3}   # Debian's python3 with python3-pytest, -numpy, -psycopg
stage=$(mktemp -d -t secagg-pystage.XXXXXX)
trap 'stop_clusters; rm -rf "$stage"' EXIT

make -s lib >/dev/null
make -s PG_CONFIG="$PG_BIN/pg_config" >/dev/null
make -s install PG_CONFIG="$PG_BIN/pg_config" DESTDIR="$stage" >/dev/null
chmod -R a+rX "$stage"
CLUSTER_EXTRA_CONF="extension_destdir = '$stage'
dynamic_library_path = '$stage/usr/lib/postgresql/$PG_MAJOR/lib:\$libdir'" \
	start_cluster pysecagg 54460
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE pysecagg"

SECAGG_LIB="$PWD/build/lib/libsecagg.so.0" \
SECAGG_TEST_DSN="host=$PGHOST port=$PGPORT user=postgres dbname=pysecagg" \
SECAGG_TEST_REQUIRE_DB=1 \
	"$PYTHON" -m pytest -q -p no:cacheprovider python/tests "$@"
