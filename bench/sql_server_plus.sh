#!/usr/bin/env bash
# A SecAgg+ session of up to 100,000 users with the server in SQL and the
# clients simulated in C (issue 8, section 2):
#   bench/sql_server_plus.sh [USERS [VECTOR_LENGTH [DROPOUT_PERCENT [hbc|sm]]]]
# defaults 100000 1000 30 hbc. It runs `bench_secagg_plus --sql`: the
# harness of bench_secagg_plus (5 real sa_client objects, the other users
# simulated from the protocol primitives) talks to a throwaway cluster
# through libpq, and every server step is the SQL of the README's SecAgg+
# walkthrough: server_create with graph_params, the round's messages COPYed
# into a table, server_round_agg ... GROUP BY session, output_messages,
# share_routes + share_message_agg ... GROUP BY recipient, unmask_shares +
# unmask_secret_agg ... GROUP BY owner + unmask_agg. Clients in SQL cannot
# reach this size here (each client state holds the roster, 40 bytes a
# user: 4 MB each at 100,000 users; see the README's Limits).
#
# Prints per-round times (recvN = the COPY of round N's messages, clN = its
# statements), the largest values, per round the stored state and the
# backend's peak private memory growth, and checks the sum exactly. The
# extension is installed into the machine's PostgreSQL under
# /tmp/secagg-install.lock; the cluster (port 54431) is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${SECAGG_INSTALL_LOCKED:-}" ]; then
	exec env SECAGG_INSTALL_LOCKED=1 flock /tmp/secagg-install.lock "$0" "$@"
fi
N=${1:-100000} M=${2:-1000} DROP=${3:-30} MODEL=${4:-hbc}
. scripts/lib.sh
trap stop_clusters EXIT
install_deps
build_and_install
make -s -j1 PG_CONFIG="$PG_BIN/pg_config" build/bench/bench_secagg_plus >/dev/null
CLUSTER_EXTRA_CONF="max_wal_size = 8GB
jit = off" start_cluster serverplus 54431
"$PG_BIN/psql" -X -q -d postgres -c "CREATE EXTENSION secagg"
build/bench/bench_secagg_plus --only "$N,$M,$DROP,$MODEL" --reps 1 \
	--sql "host=$PGHOST port=$PGPORT user=postgres dbname=postgres"
