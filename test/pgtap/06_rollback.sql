-- 06_rollback.sql: client_recover and the client_state_guard trigger refuse
-- rollbacks, forks, other users and other sessions (SA012 / SA001); a client
-- never answers the same round twice.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(30);
\ir secagg_helpers.psql

SELECT tap.setup('r', 5, 3, 2, 'small');
SELECT tap.setup_like('r2', 'r');
SELECT tap.run(s) FROM unnest('{r,r2}'::text[]) s;
CREATE FUNCTION tap.c(r int, uid bigint DEFAULT 1, p_tag text DEFAULT 'r') RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN r = 5 THEN tap.cstate(p_tag, uid) ELSE tap.cstate_at(p_tag, r, uid) END
$$;
-- two different answers to round 0 from the same state: a fork
CREATE TABLE tap.fork AS
  SELECT (secagg.client_round(tap.c(0), tap.msg_to_user('r', 0, 1))).state AS f1,
         (secagg.client_round(tap.c(0), tap.msg_to_user('r', 0, 1))).state AS f2;
CREATE FUNCTION tap.f(k int) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT CASE k WHEN 1 THEN f1 ELSE f2 END FROM tap.fork
$$;

SELECT is(ARRAY[(tap.c(k) ->> 'round')::int], ARRAY[k], 'saved client state of round ' || k) FROM generate_series(0, 5) k;
SELECT isnt(tap.f(1), tap.f(2), 'two answers to round 0 from one state differ');

-- client_recover
SELECT is(secagg.client_recover(tap.c(1), tap.c(2)), tap.c(2), 'client_recover: a later round is accepted');
SELECT is(secagg.client_recover(tap.c(0), tap.c(5)), tap.c(5), 'client_recover: the finished state replaces the first one');
SELECT is(secagg.client_recover(tap.c(3), tap.c(3)), tap.c(3), 'client_recover: the same state is accepted');
SELECT throws_ok(format('SELECT secagg.client_recover(tap.c(%s), tap.c(%s))', a, b), 'SA012',
                 'client state rollback refused: the candidate is older than, or forks from, a state already used',
                 format('client_recover: round %s back to round %s', a, b))
FROM (VALUES (2, 1), (5, 0), (5, 4), (1, 0)) v(a, b);
SELECT throws_ok($$SELECT secagg.client_recover(tap.f(1), tap.f(2))$$, 'SA012',
                 'client state rollback refused: the candidate is older than, or forks from, a state already used',
                 'client_recover: a fork of the same round');
SELECT throws_ok($$SELECT secagg.client_recover(tap.c(2, 1), tap.c(3, 2))$$, 'SA001',
                 'candidate client state belongs to another session or user', 'client_recover: state of another user');
SELECT throws_ok($$SELECT secagg.client_recover(tap.c(2, 1), tap.c(3, 1, 'r2'))$$, 'SA001',
                 'candidate client state belongs to another session or user', 'client_recover: state of another session');

-- the trigger
CREATE TABLE tap.cl (user_id bigint PRIMARY KEY, note text, state jsonb);
CREATE TRIGGER guard BEFORE UPDATE ON tap.cl FOR EACH ROW EXECUTE FUNCTION secagg.client_state_guard('state');
INSERT INTO tap.cl VALUES (1, NULL, tap.c(2)), (2, NULL, tap.f(1)), (3, NULL, NULL);
SELECT lives_ok($$UPDATE tap.cl SET state = tap.c(3) WHERE user_id = 1$$, 'trigger: round 2 -> 3 is accepted');
SELECT lives_ok($$UPDATE tap.cl SET note = 'x' WHERE user_id = 1$$, 'trigger: updating another column is accepted');
SELECT throws_ok(format('UPDATE tap.cl SET state = tap.c(%s) WHERE user_id = 1', b), 'SA012',
                 'client state rollback refused: the candidate is older than, or forks from, a state already used',
                 format('trigger: round 3 -> %s refused', b))
FROM unnest('{2,0}'::int[]) b;
SELECT throws_ok($$UPDATE tap.cl SET state = tap.f(2) WHERE user_id = 2$$, 'SA012',
                 'client state rollback refused: the candidate is older than, or forks from, a state already used',
                 'trigger: a fork of the same round refused');
SELECT throws_ok($$UPDATE tap.cl SET state = tap.c(4, 2) WHERE user_id = 1$$, 'SA001',
                 'candidate client state belongs to another session or user', 'trigger: a later state of another user refused');
SELECT throws_ok($$UPDATE tap.cl SET state = tap.c(5, 1, 'r2') WHERE user_id = 1$$, 'SA001',
                 'candidate client state belongs to another session or user', 'trigger: a later state of another session refused');
SELECT throws_ok($$UPDATE tap.cl SET state = jsonb_set(tap.c(1), '{round}', '9') WHERE user_id = 1$$, 'SA012',
                 'client state rollback refused: the candidate is older than, or forks from, a state already used',
                 'trigger: an older state with a forged round summary refused');
SELECT is((SELECT (state ->> 'round')::int FROM tap.cl WHERE user_id = 1), 3, 'trigger: after the refusals the row holds round 3');
SELECT throws_ok($$UPDATE tap.cl SET state = NULL WHERE user_id = 1$$, 'SA012', 'client state may not be set to NULL',
                 'trigger: setting the state to NULL refused');
SELECT lives_ok($$UPDATE tap.cl SET state = tap.c(1, 3) WHERE user_id = 3$$, 'trigger: a NULL state may be initialised');

-- the same round twice
SELECT throws_ok($$SELECT secagg.client_round(tap.c(3), tap.msg_to_user('r', 2, 1))$$, 'SA002',
                 'client refused the server message of round 3: message does not belong to the current round',
                 'a client in round 3 does not answer round 2 again');
SELECT throws_ok($$SELECT secagg.client_round(tap.c(5), tap.msg_to_user('r', 4, 1))$$, 'SA011',
                 'client has finished the session and answers no further message', 'a finished client does not answer round 4 again');

SELECT * FROM finish();
ROLLBACK;
