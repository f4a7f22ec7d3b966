# scripts/lib.sh: shared by test.sh and demo.sh (sourced, not run).
# Installs missing Debian packages, builds, and manages throwaway clusters.

PG_MAJOR=${PG_MAJOR:-15}
PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
DEPS="build-essential pkg-config postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR libsodium-dev libssl-dev libpq-dev postgresql-$PG_MAJOR-pgtap libtap-parser-sourcehandler-pgtap-perl clang libclang-rt-14-dev python3 python3-pytest python3-numpy python3-psycopg"

log() { printf '== %s\n' "$*" >&2; }

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

install_deps() {
	local missing=""
	for p in $DEPS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		log "installing:$missing"
		as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
	fi
	# Debian's postgresql package starts a main cluster: we never need it.
	if command -v pg_lsclusters >/dev/null && pg_lsclusters -h 2>/dev/null | grep -q online; then
		as_root pg_ctlcluster "$PG_MAJOR" main stop 2>/dev/null || true
	fi
	export PATH="$PG_BIN:$PATH"
}

build_and_install() {
	log "building the extension"
	make -s -j"$(nproc)" PG_CONFIG="$PG_BIN/pg_config" >/dev/null
	as_root make -s install PG_CONFIG="$PG_BIN/pg_config" >/dev/null
}

# start_cluster NAME PORT: a throwaway cluster in a temporary directory,
# listening on a Unix socket there (and on 127.0.0.1:PORT). Exports PG* vars.
CLUSTERS=""
start_cluster() {
	local name=$1 port=$2
	local dir
	dir=$(mktemp -d -t "secagg-$name.XXXXXX")
	chmod 755 "$dir"
	local run=""
	if [ "$(id -u)" = 0 ]; then
		chown postgres:postgres "$dir"
		run="runuser -u postgres --"
	fi
	$run "$PG_BIN/initdb" -D "$dir/data" -A trust -U postgres --no-sync >/dev/null
	cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
max_worker_processes = 8
max_parallel_workers_per_gather = 2
shared_buffers = 256MB
work_mem = 64MB
${CLUSTER_EXTRA_CONF:-}
CONF
	$run env ${CLUSTER_ENV:-} "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null
	CLUSTERS="$CLUSTERS $dir"
	export PGHOST="$dir" PGPORT="$port" PGUSER=postgres
	log "cluster $name on port $port ($dir)"
}

stop_clusters() {
	local run=""
	[ "$(id -u)" = 0 ] && run="runuser -u postgres --"
	for dir in $CLUSTERS; do
		$run "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
		rm -rf "$dir"
	done
	CLUSTERS=""
}

# For the tests in test/cluster/: the extension installed (built if missing),
# and a TAP-like tally. check DESCRIPTION ACTUAL EXPECTED; tally_exit prints
# "N passed, N failed" and fails if any check did.
cluster_test_setup() {
	export PATH="$PG_BIN:$PATH"
	if [ ! -f "$("$PG_BIN/pg_config" --sharedir)/extension/secagg.control" ]; then
		install_deps
		build_and_install
	fi
	passed=0 failed=0
}
check() {
	if [ "$2" = "$3" ]; then
		passed=$((passed + 1)); echo "ok - $1"
	else
		failed=$((failed + 1)); echo "not ok - $1: got '$2', expected '$3'"
	fi
}
tally_exit() {
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
}

# ensure_citus: Citus (13.2.x, the last line for PostgreSQL 15) installed into
# the system PostgreSQL. Citus is not in Debian's archive: where it is missing,
# it is built from the source kept beside the project (CITUS_SRC, default
# ../shared/third_party/citus), with the build tree cached under
# ${XDG_CACHE_HOME:-~/.cache}/secagg/citus-build so a rerun only re-installs
# (about 4 minutes the first time on 2 cores, seconds after). Returns 77 with
# a message naming how to install Citus when neither is there (a user's machine).
CITUS_VERSION=13.2.2
ensure_citus() {
	local control
	control="$("$PG_BIN/pg_config" --sharedir)/extension/citus.control"
	if [ -f "$control" ] && [ -f "$("$PG_BIN/pg_config" --pkglibdir)/citus.so" ]; then
		return 0
	fi
	local src=${CITUS_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/../shared/third_party/citus}
	if [ ! -x "$src/build.sh" ]; then
		log "SKIP: Citus is not installed and its source ($src) is not here."
		log "      Install Citus $CITUS_VERSION for PostgreSQL $PG_MAJOR from Citus's own packages"
		log "      (curl https://install.citusdata.com/community/deb.sh | sudo bash;"
		log "      sudo apt-get install postgresql-$PG_MAJOR-citus-13.2), see README 'Scaling out with Citus';"
		log "      or set CITUS_SRC to a folder holding Citus's build.sh."
		return 77
	fi
	# build.sh's own list lacks the Kerberos headers that PostgreSQL 15's
	# libpq-be.h includes (gssapi/gssapi.h) on Debian 12.
	dpkg-query -W -f='${Status}' libkrb5-dev 2>/dev/null | grep -q "install ok installed" ||
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libkrb5-dev >/dev/null
	local cache=${XDG_CACHE_HOME:-$HOME/.cache}/secagg/citus-build
	mkdir -p "$cache"
	log "building Citus $CITUS_VERSION from $src (cache: $cache)"
	# one build at a time on a shared machine
	flock /tmp/citus-build.lock env PG_CONFIG="$PG_BIN/pg_config" bash "$src/build.sh" "$cache" >&2
}
