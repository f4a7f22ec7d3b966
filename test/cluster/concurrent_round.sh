#!/usr/bin/env bash
# Two transactions race to close the same round of one session, following
# the README's pattern (READ COMMITTED): lock the session row with
# server_expect_round ... FOR UPDATE, close the round with server_round_agg,
# store the new state and the users' messages, commit. Exactly one commits;
# the other fails with SA002 before it writes anything; no user receives two
# messages for one round; the session goes on to the exact sum.
# The same race without the lock is shown to process the round twice (the
# hazard the pattern exists for). Prints "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
trap stop_clusters EXIT
cluster_test_setup
start_cluster race 54412
run() { psql -X -q -v ON_ERROR_STOP=1 -d race "$@"; }

psql -X -q -d postgres -c "CREATE DATABASE race"
run <<'SQL'
CREATE EXTENSION secagg;
CREATE TABLE users AS SELECT id, secagg.gen_keypair() AS kp, ARRAY[id * 10, -id]::bigint[] AS vec
  FROM generate_series(1, 8) id;
CREATE TABLE session (id int PRIMARY KEY, state jsonb);
INSERT INTO session SELECT 1, secagg.server_create(secagg.new_session_id(), 5, 2,
  (SELECT secagg.roster_agg(id, (kp).public_key) FROM users));
CREATE TABLE client (user_id bigint PRIMARY KEY, state jsonb);
INSERT INTO client SELECT u.id, secagg.client_create(decode(s.state->>'session_id', 'hex'), u.id, 5,
  (u.kp).secret_key, u.vec, (SELECT secagg.roster_agg(id, (kp).public_key) FROM users)) FROM users u, session s;
-- to_user has no primary key here, so that a double delivery would show
CREATE TABLE to_user (round int, user_id bigint, message bytea);
CREATE TABLE to_server (round int, user_id bigint, message bytea, PRIMARY KEY (round, user_id));
INSERT INTO to_user SELECT 0, user_id, secagg.round0_msg(s.state) FROM client, session s;
CREATE TABLE result (v bigint[]);

-- users answer round r
CREATE PROCEDURE users_answer(r int) LANGUAGE sql AS $$
  WITH step AS (
    SELECT c.user_id, secagg.client_round(c.state, m.message) AS s
    FROM client c JOIN to_user m ON m.user_id = c.user_id AND m.round = r
  ), saved AS (
    UPDATE client c SET state = (step.s).state FROM step WHERE c.user_id = step.user_id
  )
  INSERT INTO to_server SELECT r, user_id, (s).message FROM step;
$$;
SQL
# the server's round statements, as in the README; $1 = round, $2 = seconds to hold the transaction
round_sql() {
	cat <<SQL
BEGIN;
SELECT secagg.server_expect_round(state, $1) FROM session WHERE id = 1 FOR UPDATE;
CREATE TEMP TABLE out AS
  SELECT s.id, secagg.server_round_agg(s.state, m.user_id, m.message) AS output
  FROM session s JOIN to_server m ON m.round = $1 GROUP BY s.id;
UPDATE session s SET state = secagg.output_state(o.output) FROM out o WHERE o.id = s.id;
INSERT INTO to_user SELECT $1 + 1, x.user_id, x.message
  FROM out o, secagg.output_messages(o.output) x WHERE NOT secagg.output_is_vector(o.output);
INSERT INTO result SELECT secagg.output_vector(output) FROM out WHERE secagg.output_is_vector(output);
SELECT pg_sleep($2);
COMMIT;
SQL
}

# Race on every round: A holds its transaction open for 1.5 s; B starts 0.5 s later.
for r in 0 1 2 3 4; do
	run -c "CALL users_answer($r)"
	round_sql "$r" 1.5 | run >/tmp/race_a.$$ 2>&1 & a=$!
	sleep 0.5
	set +e
	b_out=$(round_sql "$r" 0 | run 2>&1); b_rc=$?
	wait $a; a_rc=$?
	set -e
	check "round $r: the first transaction commits" "$a_rc" 0
	check "round $r: the second one fails" "$b_rc" 3
	check "round $r: with SA002, naming the closed round" \
		"$(echo "$b_out" | grep -c "is in round $((r + 1)).*not in round $r")" 1
	check "round $r: the state advanced exactly once" "$(run -Atc "SELECT state->>'round' FROM session")" "$((r + 1))"
	check "round $r: no user received two messages for one round" \
		"$(run -Atc "SELECT count(*) FROM (SELECT round, user_id FROM to_user GROUP BY 1, 2 HAVING count(*) > 1) d")" 0
done
check "the session ends with the exact sum" "$(run -Atc "SELECT v::text FROM result")" \
	"$(run -Atc "SELECT ARRAY[sum(vec[1]), sum(vec[2])]::bigint[]::text FROM users")"

# Without the lock the same race closes a round twice (why the pattern takes it).
run <<'SQL'
UPDATE session SET state = secagg.server_create(secagg.new_session_id(), 5, 2,
  (SELECT secagg.roster_agg(id, (kp).public_key) FROM users));
UPDATE client c SET state = secagg.client_create(decode(s.state->>'session_id', 'hex'), u.id, 5,
  (u.kp).secret_key, u.vec, (SELECT secagg.roster_agg(id, (kp).public_key) FROM users))
  FROM users u, session s WHERE u.id = c.user_id;
TRUNCATE to_user, to_server, result;
INSERT INTO to_user SELECT 0, user_id, secagg.round0_msg(s.state) FROM client, session s;
CALL users_answer(0);
SQL
round_sql 0 1.5 | grep -v server_expect_round | run >/dev/null 2>&1 & a=$!
sleep 0.5
round_sql 0 0 | grep -v server_expect_round | run >/dev/null 2>&1 || true
wait $a || true
check "without the lock: round 0 is processed twice" \
	"$(run -Atc "SELECT count(*) FROM to_user WHERE round = 1")" 16
rm -f /tmp/race_a.$$
tally_exit
