-- SecAgg+ sessions beside a complete-graph one, every server round ONE
-- statement over all three (server_round_agg ... GROUP BY session): a
-- hand-picked graph (allow_unsafe) and one the parameter finder chose, with
-- dropouts in several rounds; exact sums; then the refusals that do not
-- depend on the random ring.
SET client_min_messages = warning;
CREATE SCHEMA sp;
SET search_path = sp, public;

CREATE TABLE sess (id int PRIMARY KEY, n int, t int, m int, graph jsonb, state jsonb);
INSERT INTO sess VALUES
  (1, 9, 5, 3, NULL, NULL),
  (2, 24, 3, 4, '{"graph": "harary", "users": 24, "k": 6, "t": 3, "allow_unsafe": true}', NULL),
  (3, 80, 0, 2, secagg.graph_params(80, 0.05, 0.3), NULL);
UPDATE sess SET t = (graph ->> 't')::int WHERE id = 3;
SELECT id, n, t, graph ->> 'graph' AS graph, graph ->> 'k' AS k FROM sess ORDER BY id;

CREATE TABLE usr (session int, id bigint, kp secagg.keypair, vector bigint[], silent_from int,
                  PRIMARY KEY (session, id));
INSERT INTO usr
SELECT s.id, 1000 * s.id + u, secagg.gen_keypair(),
       ARRAY(SELECT (u * 7919 - j * 104729)::bigint * (CASE WHEN j % 2 = 0 THEN -1 ELSE 1 END)
             FROM generate_series(1, s.m) j),
       CASE
         WHEN s.id = 1 AND u = 4 THEN 2
         WHEN s.id = 2 AND u = 5 THEN 1                -- advertises only
         WHEN s.id = 2 AND u = 11 THEN 2               -- after ShareKeys: its masks are rebuilt
         WHEN s.id = 2 AND u = 17 THEN 4               -- after ConsistencyCheck
         WHEN s.id = 3 AND u % 10 = 3 THEN 2           -- 10 % after ShareKeys
         WHEN s.id = 3 AND u % 20 = 7 THEN 3           -- 5 % after their masked input
         ELSE 99 END
FROM sess s, generate_series(1, s.n) u;

CREATE TABLE client (session int, user_id bigint, state jsonb, PRIMARY KEY (session, user_id));
CREATE TABLE to_user (session int, round int, user_id bigint, message bytea);
CREATE TABLE to_server (session int, round int, user_id bigint, message bytea,
                        PRIMARY KEY (session, round, user_id));
CREATE TABLE outcome (session int, round int, output bytea);
CREATE TABLE total (session int PRIMARY KEY, output bytea);   -- the sum's output

UPDATE sess s SET state = secagg.server_create(convert_to('plus ' || s.id, 'UTF8'), s.t, s.m,
                                               (SELECT secagg.roster_agg(u.id, (u.kp).public_key)
                                                FROM usr u WHERE u.session = s.id), s.graph);
SELECT id, state ->> 'degree' AS degree, state ->> 'users' AS users FROM sess ORDER BY id;
CREATE TABLE initial AS SELECT id AS session, state FROM sess;
INSERT INTO client
SELECT u.session, u.id,
       secagg.client_create(convert_to('plus ' || s.id, 'UTF8'), u.id, s.t, (u.kp).secret_key, u.vector,
                            (SELECT secagg.roster_agg(v.id, (v.kp).public_key) FROM usr v WHERE v.session = s.id),
                            s.graph)
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
  -- SecAgg+ Unmasking: the shares routed to their owners, each secret rebuilt, the sum
  INSERT INTO total
    SELECT o.session, secagg.unmask_agg(o.output, g.secret)
    FROM (SELECT m.session, secagg.unmask_secret_agg(x.share) AS secret
            FROM outcome o JOIN to_server m ON m.session = o.session AND m.round = r,
                 LATERAL secagg.unmask_shares(o.output, m.user_id, m.message) x
           WHERE o.round = r AND secagg.output_kind(o.output) = 'unmask'
           GROUP BY m.session, x.owner) g
    JOIN outcome o ON o.session = g.session AND o.round = r
    GROUP BY o.session;
  INSERT INTO total SELECT session, output FROM outcome WHERE round = r AND secagg.output_is_vector(output);
  UPDATE sess s SET state = secagg.output_state(COALESCE(t.output, o.output))
    FROM outcome o LEFT JOIN total t ON t.session = o.session
    WHERE o.session = s.id AND o.round = r;
  INSERT INTO to_user
    SELECT o.session, r + 1, x.user_id, x.message
    FROM outcome o, LATERAL secagg.output_messages(o.output) x
    WHERE o.round = r AND secagg.output_kind(o.output) IN ('messages', 'broadcast', 'derived');
  -- SecAgg+ ShareKeys: the round's inbox routed as rows to the recipients
  INSERT INTO to_user
    SELECT o.session, r + 1, x.recipient, secagg.share_message_agg(x.route)
    FROM outcome o JOIN to_server m ON m.session = o.session AND m.round = r,
         LATERAL secagg.share_routes(o.output, m.user_id, m.message) x
    WHERE o.round = r AND secagg.output_kind(o.output) = 'routed'
    GROUP BY o.session, x.recipient;
  SELECT count(*) FROM outcome WHERE round = r;
$$;

SELECT r AS round, clients_answer(r) AS messages, server_round(r) AS sessions_closed
FROM generate_series(0, 4) r;

-- Who got a message in each round; one_message: everyone got the same bytes
-- (the complete graph: every round but 2; SecAgg+: round 0's and round 3's, the U3 bitmap).
SELECT session, round, count(*) AS recipients, count(DISTINCT message) = 1 AS one_message
FROM to_user GROUP BY session, round ORDER BY session, round;

SELECT id, state ->> 'round' AS round, state ->> 'u1' AS u1, state ->> 'u2' AS u2,
       state ->> 'u3' AS u3, state ->> 'u4' AS u4
FROM sess ORDER BY id;

CREATE FUNCTION plain_sum(sid int) RETURNS bigint[] LANGUAGE sql AS $$
  SELECT array_agg(s ORDER BY j) FROM (
    SELECT j, sum(u.vector[j])::bigint AS s
    FROM usr u, generate_series(1, (SELECT m FROM sess WHERE id = sid)) j
    WHERE u.session = sid AND u.silent_from > 2
    GROUP BY j) q;
$$;
SELECT t.session, secagg.output_vector(t.output) AS recovered,
       secagg.output_vector(t.output) = plain_sum(t.session) AS exact
FROM total t ORDER BY t.session;

-- Every round again, from the state that preceded it, under a parallel plan
-- (partial states merged by the combine function) and a serial one: the
-- outputs are byte for byte the originals, SecAgg+ rounds included.
CREATE TABLE before_round AS
  SELECT session, 0 AS round, state FROM initial
  UNION ALL SELECT session, round + 1, secagg.output_state(output) FROM outcome WHERE round < 4;
ANALYZE to_server, before_round;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
CREATE TABLE par AS
  SELECT b.session, b.round, secagg.server_round_agg(b.state, m.user_id, m.message) AS output
  FROM to_server m JOIN before_round b ON b.session = m.session AND b.round = m.round
  GROUP BY b.session, b.round;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE ser AS
  SELECT b.session, b.round, secagg.server_round_agg(b.state, m.user_id, m.message) AS output
  FROM to_server m JOIN before_round b ON b.session = m.session AND b.round = m.round
  GROUP BY b.session, b.round;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
SELECT o.session, count(*) AS rounds, bool_and(p.output = o.output) AS parallel_equals_original,
       bool_and(s.output = o.output) AS serial_equals_original
FROM outcome o JOIN par p USING (session, round) JOIN ser s USING (session, round)
GROUP BY o.session ORDER BY o.session;

-- The row aggregates give the same bytes whether PostgreSQL groups by hashing
-- or, as the README advises for large sessions, by sorting (enable_hashagg off).
CREATE FUNCTION plan_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE l text; plan text := '';
BEGIN
  FOR l IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP plan := plan || l; END LOOP;
  RETURN CASE WHEN plan LIKE '%HashAggregate%' THEN 'hash'
              WHEN plan LIKE '%GroupAggregate%' THEN 'sort' ELSE plan END;
END $$;
CREATE FUNCTION grouping_sql(what text) RETURNS text LANGUAGE sql AS $$
  SELECT CASE what
    WHEN 'routes' THEN
      'SELECT o.session, x.recipient, secagg.share_message_agg(x.route)
       FROM outcome o JOIN to_server m ON m.session = o.session AND m.round = 1,
            LATERAL secagg.share_routes(o.output, m.user_id, m.message) x
       WHERE o.round = 1 AND secagg.output_kind(o.output) = ''routed''
       GROUP BY o.session, x.recipient'
    ELSE
      'SELECT m.session, x.owner, secagg.unmask_secret_agg(x.share)
       FROM outcome o JOIN to_server m ON m.session = o.session AND m.round = 4,
            LATERAL secagg.unmask_shares(o.output, m.user_id, m.message) x
       WHERE o.round = 4 AND secagg.output_kind(o.output) = ''unmask''
       GROUP BY m.session, x.owner' END;
$$;
CREATE FUNCTION grouped(what text) RETURNS TABLE (session int, who bigint, bytes bytea) LANGUAGE plpgsql AS $$
BEGIN RETURN QUERY EXECUTE grouping_sql(what); END $$;
CREATE FUNCTION grouping_plans() RETURNS text LANGUAGE sql AS $$
  SELECT plan_of(grouping_sql('routes')) || ' / ' || plan_of(grouping_sql('secrets'));
$$;
SET enable_sort = off;
SELECT grouping_plans() AS plans_hashing;
CREATE TABLE routes_h AS SELECT * FROM grouped('routes');
CREATE TABLE secrets_h AS SELECT * FROM grouped('secrets');
RESET enable_sort;
SET enable_hashagg = off;
SELECT grouping_plans() AS plans_sorting;
CREATE TABLE routes_s AS SELECT * FROM grouped('routes');
CREATE TABLE secrets_s AS SELECT * FROM grouped('secrets');
RESET enable_hashagg;
SELECT h.session, count(*) AS recipients,
       bool_and(h.bytes = t.message) AS hashed_equals_sent, bool_and(s.bytes = t.message) AS sorted_equals_sent
FROM routes_h h JOIN routes_s s USING (session, who)
JOIN to_user t ON t.session = h.session AND t.round = 2 AND t.user_id = h.who
GROUP BY h.session ORDER BY h.session;
SELECT h.session, count(*) AS owners, bool_and(h.bytes = s.bytes) AS same_secrets
FROM secrets_h h JOIN secrets_s s USING (session, who) GROUP BY h.session ORDER BY h.session;

-- Refusals. A graph object for another roster, another threshold, an odd degree,
-- a (k, t) the finder's rules refuse; the complete graph's size limit.
SELECT secagg.server_create('\x01', 3, 1, (SELECT secagg.roster_agg(id, (kp).public_key) FROM usr WHERE session = 2),
                            '{"graph": "harary", "users": 25, "k": 6, "t": 3, "allow_unsafe": true}');
SELECT secagg.server_create('\x01', 4, 1, (SELECT secagg.roster_agg(id, (kp).public_key) FROM usr WHERE session = 2),
                            '{"graph": "harary", "users": 24, "k": 6, "t": 3, "allow_unsafe": true}');
SELECT secagg.server_create('\x01', 3, 1, (SELECT secagg.roster_agg(id, (kp).public_key) FROM usr WHERE session = 2),
                            '{"graph": "harary", "users": 24, "k": 7, "t": 3, "allow_unsafe": true}');
SELECT secagg.server_create('\x01', 3, 1, (SELECT secagg.roster_agg(id, (kp).public_key) FROM usr WHERE session = 2),
                            '{"graph": "harary", "users": 24, "k": 6, "t": 3, "corrupt_fraction": 0.2,
                              "dropout_fraction": 0.1, "server_model": "honest-but-curious"}');
SELECT secagg.server_create('\x01', 3, 1, (SELECT secagg.roster_agg(id, (kp).public_key) FROM usr WHERE session = 2),
                            '{"graph": "ring", "users": 24, "k": 6, "t": 3}');
-- A complete-graph client refuses a SecAgg+ message (format version 2), and the
-- reverse; a client of another SecAgg+ session refuses it as another session's.
SELECT secagg.client_round(c.state, m.message) FROM client c, to_user m
WHERE c.session = 1 AND c.user_id = 1004 AND m.session = 2 AND m.round = 2 ORDER BY m.user_id LIMIT 1;
SELECT secagg.client_round(c.state, m.message) FROM client c, to_user m
WHERE c.session = 2 AND c.user_id = 2011 AND m.session = 1 AND m.round = 2 ORDER BY m.user_id LIMIT 1;
SELECT secagg.client_round(c.state, m.message) FROM client c, to_user m
WHERE c.session = 2 AND c.user_id = 2011 AND m.session = 3 AND m.round = 2 ORDER BY m.user_id LIMIT 1;
