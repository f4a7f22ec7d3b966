#!/usr/bin/env bash
# Drives one SecAgg+ session entirely through SQL (issue 8, section 3):
#   bench/sql_session_plus.sh [USERS [VECTOR_LENGTH [DROPOUT_PERCENT [MODEL]]]]
# defaults 10000 10000 30 honest-but-curious. The graph is
# secagg.graph_params(USERS, 0.05, max(DROPOUT/100, 0.05), MODEL), passed to
# server_create and to every client_create. Clients answer in two parallel
# connections (half the users each); the users whose id % 100 < DROPOUT stop
# after ShareKeys. Every server round is one server_round_agg statement
# (timed alone), then the routing statements (timed apart). Prints per-round
# times, the largest values, and checks the sum exactly.
#
# The extension is installed into the machine's PostgreSQL, which other
# worktrees share: the install and the whole run hold
# /tmp/secagg-install.lock. The cluster is a throwaway one (port 54430),
# stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${SECAGG_INSTALL_LOCKED:-}" ]; then
	exec env SECAGG_INSTALL_LOCKED=1 flock /tmp/secagg-install.lock "$0" "$@"
fi
N=${1:-10000} M=${2:-10000} DROP=${3:-30} MODEL=${4:-honest-but-curious}
. scripts/lib.sh
trap stop_clusters EXIT
install_deps
build_and_install
start_cluster benchplus 54430
psql() { command psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }
now() { date +%s.%N; }
DELTA=$(echo "d = $DROP / 100; if (d < 0.05) d = 0.05; d" | bc -l)
psql <<SQL
CREATE EXTENSION secagg;
CREATE TABLE params AS SELECT secagg.graph_params($N, 0.05, $DELTA, '$MODEL') AS g;
CREATE TABLE users AS SELECT id, secagg.gen_keypair() AS kp FROM generate_series(1, $N) id;
CREATE TABLE session (id int PRIMARY KEY, state jsonb);
CREATE TABLE client (user_id bigint PRIMARY KEY, state jsonb) WITH (toast_tuple_target = 8160);
ALTER TABLE client ALTER COLUMN state SET STORAGE EXTERNAL;
CREATE TABLE to_user (round int, user_id bigint, message bytea, PRIMARY KEY (round, user_id));
ALTER TABLE to_user ALTER COLUMN message SET STORAGE EXTERNAL;
CREATE TABLE to_server (round int, user_id bigint, message bytea, PRIMARY KEY (round, user_id));
ALTER TABLE to_server ALTER COLUMN message SET STORAGE EXTERNAL;
CREATE TABLE timing (round int, side text, seconds float8);
CREATE TABLE result (sum bigint[]);
CREATE UNLOGGED TABLE out (o bytea);
ALTER TABLE out ALTER COLUMN o SET STORAGE EXTERNAL;
-- vectors are derived from (user, index) so the plain sum can be recomputed
CREATE FUNCTION vec(u bigint, m int) RETURNS bigint[] LANGUAGE sql IMMUTABLE AS
  \$\$ SELECT array_agg(((u * 2654435761 + j::bigint * 40503) % 1000003 - 500000)::bigint ORDER BY j) FROM generate_series(1, m) j \$\$;
CREATE TABLE roster AS SELECT secagg.roster_agg(id, (kp).public_key) AS r FROM users;
SQL
K=$(psql -At -c "SELECT g->>'k' FROM params")
T=$(psql -At -c "SELECT g->>'t' FROM params")
log "session: n=$N m=$M dropouts=$DROP% (after ShareKeys) graph_params($N, 0.05, $DELTA, $MODEL): k=$K t=$T"
t0=$(now)
psql -c "INSERT INTO session SELECT 1, secagg.server_create('\x0102', $T, $M, roster.r, graph => params.g) FROM roster, params"
t1=$(now)
for half in 0 1; do
	psql -c "INSERT INTO client SELECT u.id, secagg.client_create('\x0102', u.id, $T, (u.kp).secret_key, vec(u.id, $M),
	           roster.r, graph => params.g) FROM users u, roster, params WHERE u.id % 2 = $half" &
done
wait
t2=$(now)
psql -c "INSERT INTO to_user SELECT 0, user_id, secagg.round0_msg(s.state) FROM client, session s"
psql -c "INSERT INTO timing VALUES (-1, 'server', $t1 - $t0), (-1, 'clients (2 connections)', $t2 - $t1)"
log "create: server $(echo "$t1 - $t0" | bc) s, clients $(echo "$t2 - $t1" | bc) s"
DROPPED="c.user_id % 100 < $DROP"
for r in 0 1 2 3 4; do
	t0=$(now)
	for half in 0 1; do
		silent="false"
		[ "$r" -ge 2 ] && silent="$DROPPED"
		psql <<SQL &
WITH step AS (
  SELECT c.user_id, secagg.client_round(c.state, m.message) AS s
  FROM client c JOIN to_user m ON m.user_id = c.user_id AND m.round = $r
  WHERE c.user_id % 2 = $half AND NOT ($silent)
), upd AS (
  UPDATE client c SET state = (step.s).state FROM step WHERE c.user_id = step.user_id
)
INSERT INTO to_server SELECT $r, user_id, (s).message FROM step;
SQL
	done
	wait
	t1=$(now)
	psql <<SQL
TRUNCATE out;
INSERT INTO out SELECT secagg.server_round_agg(s.state, m.user_id, m.message)
  FROM session s JOIN to_server m ON m.round = $r GROUP BY s.id;
-- Unmasking: the shares routed to their owners, each secret rebuilt, the sum (timed with the round)
UPDATE out SET o = (SELECT secagg.unmask_agg(out.o, g.secret)
                      FROM (SELECT secagg.unmask_secret_agg(x.share) AS secret
                              FROM to_server m, secagg.unmask_shares(out.o, m.user_id, m.message) x
                             WHERE m.round = $r GROUP BY x.owner) g)
  WHERE secagg.output_kind(o) = 'unmask';
SQL
	t2=$(now)
	psql <<SQL
UPDATE session SET state = secagg.output_state((SELECT o FROM out));
INSERT INTO to_user SELECT $r + 1, x.user_id, x.message
  FROM out, LATERAL secagg.output_messages(out.o) x WHERE secagg.output_kind(out.o) IN ('messages', 'broadcast', 'derived');
-- ShareKeys: the round's messages routed as rows to their recipients
INSERT INTO to_user SELECT $r + 1, x.recipient, secagg.share_message_agg(x.route)
  FROM out, to_server m, LATERAL secagg.share_routes(out.o, m.user_id, m.message) x
  WHERE m.round = $r AND secagg.output_kind(out.o) = 'routed'
  GROUP BY x.recipient;
INSERT INTO result SELECT secagg.output_vector(o) FROM out WHERE secagg.output_is_vector(o);
INSERT INTO timing SELECT $r, 'output bytes', length(o) FROM out;
INSERT INTO timing SELECT $r, 'state bytes', pg_column_size(state) FROM session;
SQL
	t3=$(now)
	psql -c "INSERT INTO timing VALUES ($r, 'clients (2 connections)', $t1 - $t0), ($r, 'server', $t2 - $t1), ($r, 'routing', $t3 - $t2)"
	log "round $r: clients $(echo "$t1 - $t0" | bc) s, server_round_agg $(echo "$t2 - $t1" | bc) s, routing $(echo "$t3 - $t2" | bc) s"
done
psql <<SQL
\pset footer off
\echo '== graph'
SELECT g::text AS graph_params FROM params;
\echo '== per round (round -1: server_create / client_create)'
SELECT round, round(max(seconds) FILTER (WHERE side LIKE 'clients%')::numeric, 2) AS clients_s,
       round(max(seconds) FILTER (WHERE side = 'server')::numeric, 2) AS server_round_agg_s,
       round(max(seconds) FILTER (WHERE side = 'routing')::numeric, 2) AS routing_s,
       pg_size_pretty(max(seconds) FILTER (WHERE side = 'output bytes')::bigint) AS round_output,
       pg_size_pretty(max(seconds) FILTER (WHERE side = 'state bytes')::bigint) AS server_state_after
FROM timing GROUP BY round ORDER BY round;
\echo '== largest values'
SELECT (SELECT pg_size_pretty(max(seconds)::bigint) FROM timing WHERE side = 'output bytes') AS largest_round_output,
       (SELECT pg_size_pretty(max(seconds)::bigint) FROM timing WHERE side = 'state bytes') AS largest_server_state,
       (SELECT pg_size_pretty(max(pg_column_size(state))::bigint) FROM client) AS largest_client_state_now,
       (SELECT pg_size_pretty(max(length(message))::bigint) FROM to_server) AS largest_user_message,
       (SELECT pg_size_pretty(max(length(message))::bigint) FROM to_user) AS largest_server_message;
\echo '== exact sum check'
SELECT count(*) AS users_in_sum,
       (SELECT sum FROM result) = (
         SELECT array_agg(s ORDER BY j) FROM (
           SELECT j, sum(((u * 2654435761 + j::bigint * 40503) % 1000003 - 500000)::bigint)::bigint AS s
           FROM (SELECT user_id AS u FROM to_server WHERE round = 2) us, generate_series(1, $M) j
           GROUP BY j) q) AS exact
FROM to_server WHERE round = 2;
SQL
exact=$(psql -At -c "SELECT (SELECT sum FROM result) = (
  SELECT array_agg(s ORDER BY j) FROM (
    SELECT j, sum(((u * 2654435761 + j::bigint * 40503) % 1000003 - 500000)::bigint)::bigint AS s
    FROM (SELECT user_id AS u FROM to_server WHERE round = 2) us, generate_series(1, $M) j GROUP BY j) q)")
if [ "$exact" != t ]; then
	echo "sql_session_plus.sh: THE SUM IS NOT EXACT" >&2
	exit 1
fi
log "exact sum: OK"
