-- A complete secure-aggregation session from SQL: 60 users, threshold 40,
-- vectors of 1,000 bigints; 6 users drop out in round 2 (never send their
-- masked input) and 4 more in round 4 (never send their unmasking shares).
\set users 60
\set threshold 40
\set m 1000
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS secagg CASCADE;
CREATE EXTENSION secagg;

DROP SCHEMA IF EXISTS demo CASCADE;
CREATE SCHEMA demo;
SET search_path = demo, secagg, public;

-- The users: signing keys and private vectors.
CREATE TABLE demo.users AS
  SELECT id, kp, ARRAY(SELECT (random() * 2000000 - 1000000)::bigint + id * 0
                       FROM generate_series(1, :m)) AS vector
  FROM (SELECT id, secagg.gen_keypair() AS kp FROM generate_series(1, :users) id) s;
-- Who drops out where (the demo's scenario).
CREATE TABLE demo.dropout (user_id bigint PRIMARY KEY, round int);
INSERT INTO demo.dropout SELECT id, 2 FROM generate_series(7, 60, 9) id;    -- 6 users
INSERT INTO demo.dropout SELECT id, 4 FROM generate_series(3, 60, 15) id    -- 4 users
  ON CONFLICT DO NOTHING;

-- Session, server state (no secrets) and client states (secrets).
CREATE TABLE demo.session (id int PRIMARY KEY, state jsonb NOT NULL);
INSERT INTO demo.session
  SELECT 1, secagg.server_create(secagg.new_session_id(), :threshold, :m,
                                 (SELECT secagg.roster_agg(id, (kp).public_key) FROM demo.users));
CREATE TABLE demo.client (user_id bigint PRIMARY KEY, state jsonb NOT NULL);
INSERT INTO demo.client
  SELECT u.id, secagg.client_create(decode(s.state ->> 'session_id', 'hex'), u.id, :threshold,
                                    (u.kp).secret_key, u.vector,
                                    (SELECT secagg.roster_agg(id, (kp).public_key) FROM demo.users))
  FROM demo.users u, demo.session s;
CREATE TRIGGER client_no_rollback BEFORE UPDATE ON demo.client
  FOR EACH ROW EXECUTE FUNCTION secagg.client_state_guard('state');

-- Mailboxes: server -> users and users -> server.
CREATE TABLE demo.to_user (round int, user_id bigint, message bytea, PRIMARY KEY (round, user_id));
CREATE TABLE demo.to_server (round int, user_id bigint, message bytea, PRIMARY KEY (round, user_id));
CREATE TABLE demo.timing (round int, side text, seconds float8);
CREATE TABLE demo.client_failure (round int, user_id bigint, sqlstate text, error text);
CREATE TABLE demo.rejected (user_id bigint, round int, sqlstate text, reason text);
CREATE TABLE demo.result (sum bigint[]);

INSERT INTO demo.to_user SELECT 0, user_id, secagg.round0_msg(s.state) FROM demo.client, demo.session s;

-- One transaction per step (DO may COMMIT at top level).
DO $$
DECLARE
  r int;
  t0 timestamptz;
  out bytea;
BEGIN
  FOR r IN 0..4 LOOP
    -- Users answer the server's message of round r (dropped users stay silent).
    -- client_round_try returns a refused server message as a value, so one
    -- failing client would not abort the others (none fails here).
    t0 := clock_timestamp();
    WITH step AS (
      SELECT c.user_id, secagg.client_round_try(c.state, m.message) AS s
      FROM demo.client c JOIN demo.to_user m ON m.user_id = c.user_id AND m.round = r
      WHERE NOT EXISTS (SELECT 1 FROM demo.dropout d WHERE d.user_id = c.user_id AND d.round <= r)
    ), saved AS (
      UPDATE demo.client c SET state = (step.s).state FROM step WHERE c.user_id = step.user_id
    ), failed AS (
      INSERT INTO demo.client_failure SELECT r, user_id, (s).sqlstate, (s).error FROM step WHERE (s).sqlstate IS NOT NULL
    )
    INSERT INTO demo.to_server SELECT r, user_id, (s).message FROM step WHERE (s).sqlstate IS NULL;
    INSERT INTO demo.timing VALUES (r, 'clients (all)', extract(epoch FROM clock_timestamp() - t0));
    COMMIT;

    -- The server closes round r over the table of messages. The session row
    -- is locked first and its round checked: a second transaction closing
    -- the same round waits, then fails with SA002 (never a double round).
    t0 := clock_timestamp();
    PERFORM secagg.server_expect_round(s.state, r) FROM demo.session s FOR UPDATE;
    SELECT secagg.server_round_agg(s.state, m.user_id, m.message) INTO out
    FROM demo.session s JOIN demo.to_server m ON m.round = r
    GROUP BY s.id;
    UPDATE demo.session SET state = secagg.output_state(out);
    INSERT INTO demo.rejected SELECT * FROM secagg.output_rejected(out);
    IF secagg.output_is_vector(out) THEN
      INSERT INTO demo.result VALUES (secagg.output_vector(out));
    ELSE
      INSERT INTO demo.to_user SELECT r + 1, o.user_id, o.message FROM secagg.output_messages(out) o;
    END IF;
    INSERT INTO demo.timing VALUES (r, 'server', extract(epoch FROM clock_timestamp() - t0));
    COMMIT;
  END LOOP;
END
$$;

\echo
\echo '== Secure aggregation demo: 60 users, threshold 40, vectors of 1000 bigints'
SELECT round, count(*) FILTER (WHERE true) AS users_answering
FROM demo.to_server GROUP BY round ORDER BY round;
\echo '== Users rejected by the server, and clients that refused a server message (none expected)'
SELECT 'rejected by the server' AS what, count(*) FROM demo.rejected
UNION ALL SELECT 'refused by a client', count(*) FROM demo.client_failure;

\echo '== Time per round (seconds)'
SELECT round,
       CASE round WHEN 0 THEN 'AdvertiseKeys' WHEN 1 THEN 'ShareKeys' WHEN 2 THEN 'MaskedInputCollection'
                  WHEN 3 THEN 'ConsistencyCheck' ELSE 'Unmasking' END AS name,
       round(max(seconds) FILTER (WHERE side = 'clients (all)')::numeric, 4) AS all_clients,
       round(max(seconds) FILTER (WHERE side = 'server')::numeric, 4) AS server
FROM demo.timing GROUP BY round ORDER BY round;

\echo '== Recovered sum vs plain sum of the users whose masked input arrived (first 5 elements)'
WITH plain AS (
  SELECT i, sum(u.vector[i])::bigint AS s
  FROM demo.users u, generate_series(1, 1000) i
  WHERE u.id IN (SELECT user_id FROM demo.to_server WHERE round = 2)
  GROUP BY i
), secure AS (
  SELECT i, (SELECT sum FROM demo.result)[i] AS s FROM generate_series(1, 1000) i
)
SELECT p.i AS element, s.s AS recovered_sum, p.s AS plain_sum
FROM plain p JOIN secure s USING (i) WHERE p.i <= 5 ORDER BY p.i;

WITH plain AS (
  SELECT i, sum(u.vector[i])::bigint AS s
  FROM demo.users u, generate_series(1, 1000) i
  WHERE u.id IN (SELECT user_id FROM demo.to_server WHERE round = 2)
  GROUP BY i
)
SELECT count(*) AS elements,
       count(*) FILTER (WHERE p.s = (SELECT sum FROM demo.result)[p.i]) AS equal,
       CASE WHEN count(*) = count(*) FILTER (WHERE p.s = (SELECT sum FROM demo.result)[p.i])
            THEN 'exact: recovered sum = plain sum' ELSE 'MISMATCH' END AS verdict
FROM plain p;
