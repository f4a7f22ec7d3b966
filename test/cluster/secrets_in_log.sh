#!/usr/bin/env bash
# Secrets must not reach the server log. The cluster logs every statement
# (log_statement = 'all') and every failing statement with its parameters
# (log_parameter_max_length_on_error = -1), the worst case an operator may
# configure. A client sends its secret key and client states as bind
# parameters (pgbench -M extended turns :variables into $n), and a statement
# fails on purpose. Without the README's per-role settings the log holds the
# secrets (the hazard is real); with them
#   ALTER ROLE ... SET log_parameter_max_length = 0;
#   ALTER ROLE ... SET log_parameter_max_length_on_error = 0;
# the log holds none of them. Prints "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
trap stop_clusters EXIT
cluster_test_setup
CLUSTER_EXTRA_CONF="log_statement = 'all'
log_parameter_max_length_on_error = -1
log_min_error_statement = error" start_cluster logs 54413
LOG=$PGHOST/server.log

psql -X -q -v ON_ERROR_STOP=1 -d postgres <<'SQL'
CREATE DATABASE logs;
\c logs
CREATE EXTENSION secagg;
CREATE ROLE careless LOGIN;
CREATE ROLE careful LOGIN;
ALTER ROLE careful SET log_parameter_max_length = 0;
ALTER ROLE careful SET log_parameter_max_length_on_error = 0;
GRANT USAGE ON SCHEMA secagg TO careless, careful;
CREATE TABLE users AS SELECT id, secagg.gen_keypair() AS kp FROM generate_series(1, 3) id;
CREATE TABLE sess AS SELECT secagg.new_session_id() AS sid,
  (SELECT secagg.roster_agg(id, (kp).public_key) FROM users) AS roster;
-- the secrets, for the grep
CREATE TABLE secret AS
  SELECT encode((kp).secret_key, 'hex') AS sk_hex,
         secagg.client_create(sid, 2, 2, (kp).secret_key, '{424242424242,-77}', roster) AS state
  FROM users, sess WHERE id = 2;
GRANT SELECT ON users, sess, secret TO careless, careful;
SQL
# what a client sends: its key and state as parameters; the last statement fails
cat >/tmp/secagg_log_$$.sql <<'SQL'
SELECT encode((kp).secret_key, 'hex') AS sk, encode(sid, 'hex') AS sid, encode(roster, 'hex') AS ros, s.state::text AS st FROM users, sess, secret s WHERE id = 2 \gset
SELECT secagg.client_create(decode(:sid, 'hex'), 2, 2, decode(:sk, 'hex'), '{424242424242,-77}', decode(:ros, 'hex'));
SELECT secagg.client_round(:st::jsonb, '\x00'::bytea);
SQL
leaks() {  # leaks WHAT: count of secret strings found in the log
	local sk img n=0
	sk=$(psql -X -At -d logs -c "SELECT sk_hex FROM secret")
	img=$(psql -X -At -d logs -c "SELECT substr(state->>'image', 20, 40) FROM secret")
	grep -qF "$sk" "$LOG" && n=$((n + 1))
	grep -qF "$img" "$LOG" && n=$((n + 1))
	echo $n
}
: >"$LOG.mark"
run_as() { pgbench -n -M extended -t 1 -f /tmp/secagg_log_$$.sql -U "$1" logs >/dev/null 2>&1 || true; }

run_as careless
sleep 0.5
check "without the settings, the secret key and the client state reach the log (the hazard)" "$(leaks)" 2
check "the failing statement was logged with its parameters" "$(grep -c 'client_round' "$LOG" | awk '{print ($1 > 0)}')" 1
cp "$LOG" "$LOG.before"
: >"$LOG"
run_as careful
sleep 0.5
check "with the settings, the statements are still logged" "$(grep -c 'client_create' "$LOG" | awk '{print ($1 > 0)}')" 1
check "and the failure too" "$(grep -c 'ERROR' "$LOG" | awk '{print ($1 > 0)}')" 1
check "but neither the secret key nor the client state" "$(leaks)" 0
check "and no parameter values at all" "$(grep -c 'parameters: \$1' "$LOG")" 0
rm -f /tmp/secagg_log_$$.sql "$LOG.mark" "$LOG.before"
tally_exit
