-- Three sessions driven together: every server round is ONE statement,
-- server_round_agg ... GROUP BY session. Users drop out in several rounds.
SET client_min_messages = warning;
CREATE SCHEMA sx;
SET search_path = sx, public;

CREATE TABLE sess (id int PRIMARY KEY, n int, t int, m int, state jsonb);
INSERT INTO sess VALUES (1, 12, 7, 5, NULL), (2, 9, 5, 3, NULL), (3, 20, 11, 8, NULL);

-- users: id, keys, a deterministic vector, and the round from which they are silent
CREATE TABLE usr (session int, id bigint, kp secagg.keypair, vector bigint[], silent_from int,
                  PRIMARY KEY (session, id));
INSERT INTO usr
SELECT s.id, 100 + 10 * u, secagg.gen_keypair(),
       ARRAY(SELECT (u * 1000003 - j * 7919 - 5000000)::bigint * (CASE WHEN j % 2 = 0 THEN -1 ELSE 1 END)
             FROM generate_series(1, s.m) j),
       CASE
         WHEN s.id = 1 AND u IN (3, 8) THEN 2          -- drop in round 2 (after ShareKeys)
         WHEN s.id = 1 AND u = 5 THEN 4                -- drop in round 4
         WHEN s.id = 3 AND u = 1 THEN 1
         WHEN s.id = 3 AND u = 2 THEN 2
         WHEN s.id = 3 AND u IN (4, 6) THEN 3
         WHEN s.id = 3 AND u = 9 THEN 4
         ELSE 99 END
FROM sess s, generate_series(1, s.n) u;

CREATE TABLE client (session int, user_id bigint, state jsonb, PRIMARY KEY (session, user_id));
CREATE TABLE to_user (session int, round int, user_id bigint, message bytea);
CREATE TABLE to_server (session int, round int, user_id bigint, message bytea,
                        PRIMARY KEY (session, round, user_id));
CREATE TABLE outcome (session int, round int, output bytea);

UPDATE sess s SET state = secagg.server_create(convert_to('session ' || s.id, 'UTF8'), s.t, s.m,
                                               (SELECT secagg.roster_agg(u.id, (u.kp).public_key)
                                                FROM usr u WHERE u.session = s.id));
INSERT INTO client
SELECT u.session, u.id,
       secagg.client_create(convert_to('session ' || s.id, 'UTF8'), u.id, s.t, (u.kp).secret_key, u.vector,
                            (SELECT secagg.roster_agg(v.id, (v.kp).public_key) FROM usr v WHERE v.session = s.id))
FROM usr u JOIN sess s ON s.id = u.session;
INSERT INTO to_user SELECT c.session, 0, c.user_id, secagg.round0_msg(s.state) FROM client c JOIN sess s ON s.id = c.session;

CREATE FUNCTION clients_answer(r int) RETURNS bigint LANGUAGE sql AS $$
  WITH step AS (
    SELECT c.session, c.user_id, secagg.client_round(c.state, m.message) AS s
    FROM client c
    JOIN to_user m ON m.session = c.session AND m.user_id = c.user_id AND m.round = r
    JOIN usr u ON u.session = c.session AND u.id = c.user_id AND u.silent_from > r
  ), upd AS (
    UPDATE client c SET state = (step.s).state FROM step
    WHERE c.session = step.session AND c.user_id = step.user_id
  ), ins AS (
    INSERT INTO to_server SELECT session, r, user_id, (s).message FROM step RETURNING 1
  )
  SELECT count(*) FROM ins;
$$;

CREATE FUNCTION server_round(r int) RETURNS bigint LANGUAGE sql AS $$
  INSERT INTO outcome
    SELECT s.id, r, secagg.server_round_agg(s.state, m.user_id, m.message)
    FROM sess s JOIN to_server m ON m.session = s.id AND m.round = r
    GROUP BY s.id;
  UPDATE sess s SET state = secagg.output_state(o.output) FROM outcome o WHERE o.session = s.id AND o.round = r;
  INSERT INTO to_user
    SELECT o.session, r + 1, x.user_id, x.message
    FROM outcome o, LATERAL secagg.output_messages(o.output) x
    WHERE o.round = r AND NOT secagg.output_is_vector(o.output);
  SELECT count(*) FROM outcome WHERE round = r;
$$;

SELECT r AS round, clients_answer(r) AS messages, server_round(r) AS sessions_closed
FROM generate_series(0, 4) r;

-- The state after each round, as a reader sees it.
SELECT id, state ->> 'round' AS round, state ->> 'finished' AS finished, state ->> 'u1' AS u1,
       state ->> 'u2' AS u2, state ->> 'u3' AS u3, state ->> 'u4' AS u4
FROM sess ORDER BY id;

-- Recovered sums against plain sums over the users whose masked input arrived.
CREATE FUNCTION plain_sum(sid int) RETURNS bigint[] LANGUAGE sql AS $$
  SELECT array_agg(s ORDER BY j) FROM (
    SELECT j, sum(u.vector[j])::bigint AS s
    FROM usr u, generate_series(1, (SELECT m FROM sess WHERE id = sid)) j
    WHERE u.session = sid AND u.silent_from > 2
    GROUP BY j) q;
$$;
SELECT o.session, secagg.output_vector(o.output) AS recovered, plain_sum(o.session) AS plain,
       secagg.output_vector(o.output) = plain_sum(o.session) AS exact
FROM outcome o WHERE o.round = 4 ORDER BY o.session;

-- A finished session refuses further rounds and messages.
SELECT secagg.server_round(state) FROM sess WHERE id = 2;
SELECT secagg.server_recv(s.state, m.user_id, m.message)
FROM sess s JOIN to_server m ON m.session = s.id AND m.round = 4 WHERE s.id = 2 LIMIT 1;
-- Client states are finished too and refuse to answer again.
SELECT secagg.client_round(c.state, m.message)
FROM client c JOIN to_user m ON m.session = c.session AND m.user_id = c.user_id AND m.round = 4
WHERE c.session = 2 LIMIT 1;
