#!/usr/bin/env bash
# Drives one secure-aggregation session entirely through SQL, at scale:
#   bench/sql_session.sh USERS VECTOR_LENGTH DROPOUT_PERCENT
# Clients answer in two parallel connections (half the users each); every
# server round is one server_round_agg statement. Prints per-round times,
# the largest values PostgreSQL had to hold, and checks the sum exactly.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000} M=${2:-100000} DROP=${3:-10}
. scripts/lib.sh
trap stop_clusters EXIT
install_deps
build_and_install
start_cluster sqlbench 54395
psql() { command psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }
T=$(( N / 2 + 1 ))
log "session: n=$N m=$M dropouts=$DROP% (after ShareKeys) t=$T"
psql <<SQL
CREATE EXTENSION secagg;
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
-- vectors are derived from (user, index) so the plain sum can be recomputed
CREATE FUNCTION vec(u bigint, m int) RETURNS bigint[] LANGUAGE sql IMMUTABLE AS
  \$\$ SELECT array_agg(((u * 2654435761 + j::bigint * 40503) % 1000003 - 500000)::bigint ORDER BY j) FROM generate_series(1, m) j \$\$;
INSERT INTO session SELECT 1, secagg.server_create('\x0102', $T, $M, (SELECT secagg.roster_agg(id, (kp).public_key) FROM users));
SQL
# clients are created in two parallel connections
for half in 0 1; do
	psql -c "INSERT INTO client SELECT u.id, secagg.client_create('\x0102', u.id, $T, (u.kp).secret_key, vec(u.id, $M),
	           (SELECT secagg.roster_agg(id, (kp).public_key) FROM users)) FROM users u WHERE u.id % 2 = $half" &
done
wait
psql -c "INSERT INTO to_user SELECT 0, user_id, secagg.round0_msg(s.state) FROM client, session s"
DROPPED="u.user_id % 100 < $DROP"
for r in 0 1 2 3 4; do
	t0=$(date +%s.%N)
	for half in 0 1; do
		silent="false"
		[ "$r" -ge 2 ] && silent="$DROPPED"
		psql <<SQL &
WITH step AS (
  SELECT c.user_id, secagg.client_round(c.state, m.message) AS s
  FROM client c JOIN to_user m ON m.user_id = c.user_id AND m.round = $r
  JOIN client u ON u.user_id = c.user_id
  WHERE c.user_id % 2 = $half AND NOT ($silent)
), upd AS (
  UPDATE client c SET state = (step.s).state FROM step WHERE c.user_id = step.user_id
)
INSERT INTO to_server SELECT $r, user_id, (s).message FROM step;
SQL
	done
	wait
	t1=$(date +%s.%N)
	psql <<SQL
CREATE TEMP TABLE out AS
  SELECT secagg.server_round_agg(s.state, m.user_id, m.message) AS o
  FROM session s JOIN to_server m ON m.round = $r GROUP BY s.id;
UPDATE session SET state = secagg.output_state((SELECT o FROM out));
INSERT INTO to_user SELECT $r + 1, x.user_id, x.message
  FROM out, LATERAL secagg.output_messages(out.o) x WHERE NOT secagg.output_is_vector(out.o);
INSERT INTO result SELECT secagg.output_vector(o) FROM out WHERE secagg.output_is_vector(o);
INSERT INTO timing SELECT $r, 'output bytes', length(o) FROM out;
SQL
	t2=$(date +%s.%N)
	psql -c "INSERT INTO timing VALUES ($r, 'clients (2 connections)', $t1 - $t0), ($r, 'server', $t2 - $t1)"
	log "round $r: clients $(echo "$t1 - $t0" | bc) s, server $(echo "$t2 - $t1" | bc) s"
done
psql <<SQL
\pset footer off
\echo '== per round'
SELECT round, max(seconds) FILTER (WHERE side LIKE 'clients%') AS clients_s,
       max(seconds) FILTER (WHERE side = 'server') AS server_s,
       pg_size_pretty(max(seconds) FILTER (WHERE side = 'output bytes')::bigint) AS round_output
FROM timing GROUP BY round ORDER BY round;
\echo '== sizes'
SELECT pg_size_pretty(pg_column_size(state)::bigint) AS server_state,
       (SELECT pg_size_pretty(max(pg_column_size(state))::bigint) FROM client) AS largest_client_state,
       (SELECT pg_size_pretty(max(length(message))::bigint) FROM to_server) AS largest_user_message,
       (SELECT pg_size_pretty(max(length(message))::bigint) FROM to_user) AS largest_server_message
FROM session;
\echo '== exact sum check'
SELECT count(*) AS users_in_sum,
       (SELECT sum FROM result) = (
         SELECT array_agg(s ORDER BY j) FROM (
           SELECT j, sum(((u * 2654435761 + j::bigint * 40503) % 1000003 - 500000)::bigint)::bigint AS s
           FROM (SELECT user_id AS u FROM to_server WHERE round = 2) us, generate_series(1, $M) j
           GROUP BY j) q) AS exact
FROM to_server WHERE round = 2;
SQL
