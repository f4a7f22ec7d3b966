-- server_round_agg under a parallel plan (Partial Aggregate in workers,
-- combine in the leader) gives byte-identical output to the serial plan.
SET client_min_messages = warning;
SET search_path = sx, public;

CREATE TABLE big_inbox AS SELECT * FROM to_server WHERE round = 2;
ANALYZE big_inbox;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;

-- Round 2 again from the state that preceded it, recovered from the saved output of round 1.
CREATE TABLE before2 AS SELECT session, secagg.output_state(output) AS state FROM outcome WHERE round = 1;
ANALYZE before2;

EXPLAIN (COSTS OFF)
SELECT b.session, secagg.server_round_agg(b.state, m.user_id, m.message)
FROM big_inbox m JOIN before2 b ON b.session = m.session
GROUP BY b.session;

CREATE TABLE par AS
SELECT b.session, secagg.server_round_agg(b.state, m.user_id, m.message) AS output
FROM big_inbox m JOIN before2 b ON b.session = m.session
GROUP BY b.session;

SET max_parallel_workers_per_gather = 0;
CREATE TABLE ser AS
SELECT b.session, secagg.server_round_agg(b.state, m.user_id, m.message) AS output
FROM big_inbox m JOIN before2 b ON b.session = m.session
GROUP BY b.session;
SET enable_hashagg = off;
CREATE TABLE ser_sorted AS
SELECT b.session, secagg.server_round_agg(b.state, m.user_id, m.message) AS output
FROM big_inbox m JOIN before2 b ON b.session = m.session
GROUP BY b.session;
RESET enable_hashagg;

SELECT p.session, p.output = s.output AS parallel_equals_serial, s.output = t.output AS hash_equals_sort,
       s.output = o.output AS equals_original_round
FROM par p JOIN ser s USING (session) JOIN ser_sorted t USING (session)
JOIN outcome o ON o.session = p.session AND o.round = 2
ORDER BY p.session;

-- Partitionwise aggregation: one partial state per partition, always merged
-- by the combine function (states of very different sizes). Each row carries
-- its own copy of the state here, which also exercises the per-row check that
-- all rows of a group hold the same state.
RESET max_parallel_workers_per_gather;
SET max_parallel_workers_per_gather = 0;
SET enable_partitionwise_aggregate = on;
CREATE TABLE part_inbox (part int, session int, state jsonb, user_id bigint, message bytea) PARTITION BY LIST (part);
CREATE TABLE part_inbox_0 PARTITION OF part_inbox FOR VALUES IN (0);
CREATE TABLE part_inbox_1 PARTITION OF part_inbox FOR VALUES IN (1);
CREATE TABLE part_inbox_2 PARTITION OF part_inbox FOR VALUES IN (2);
INSERT INTO part_inbox
  SELECT CASE WHEN m.user_id < 130 THEN 0 WHEN m.user_id < 150 THEN 1 ELSE 2 END,
         m.session, b.state, m.user_id, m.message
  FROM big_inbox m JOIN before2 b ON b.session = m.session;
ANALYZE part_inbox;
EXPLAIN (COSTS OFF)
SELECT session, secagg.server_round_agg(state, user_id, message) FROM part_inbox GROUP BY session;
SELECT q.session, q.output = s.output AS partitionwise_equals_serial
FROM (SELECT session, secagg.server_round_agg(state, user_id, message) AS output
      FROM part_inbox GROUP BY session) q
JOIN ser s USING (session) ORDER BY q.session;

-- A message present twice, in two partitions, is caught by the combine step.
INSERT INTO part_inbox SELECT 2, session, state, user_id, message FROM part_inbox WHERE part = 0 AND session = 1 AND user_id = 110;
SELECT session, length(secagg.server_round_agg(state, user_id, message)) FROM part_inbox GROUP BY session;
-- Rows of one group with different states are refused.
UPDATE part_inbox SET state = (SELECT state FROM before2 WHERE session = 2) WHERE part = 2 AND session = 1 AND user_id = 200;
SELECT session, length(secagg.server_round_agg(state, user_id, message)) FROM part_inbox WHERE part = 2 GROUP BY session;

-- roster_agg under partitionwise aggregation: every partition holds some
-- users of each session, so the combine function merges three partial
-- rosters per session, and the result is the roster built serially (every
-- user kept, in canonical order).
RESET enable_partitionwise_aggregate;
SET enable_partitionwise_aggregate = on;
CREATE TABLE part_keys (part int, session int, id bigint, pk bytea) PARTITION BY LIST (part);
CREATE TABLE part_keys_0 PARTITION OF part_keys FOR VALUES IN (0);
CREATE TABLE part_keys_1 PARTITION OF part_keys FOR VALUES IN (1);
CREATE TABLE part_keys_2 PARTITION OF part_keys FOR VALUES IN (2);
INSERT INTO part_keys SELECT (id % 3)::int, session, id, (kp).public_key FROM usr;
ANALYZE part_keys;
EXPLAIN (COSTS OFF)
SELECT session, secagg.roster_agg(id, pk) FROM part_keys GROUP BY session;
SELECT q.session, q.roster = (SELECT secagg.roster_agg(u.id, (u.kp).public_key) FROM usr u WHERE u.session = q.session) AS partitionwise_equals_serial,
       secagg.roster_size(q.roster) = (SELECT count(*) FROM usr u WHERE u.session = q.session) AS every_user_kept
FROM (SELECT session, secagg.roster_agg(id, pk) AS roster FROM part_keys GROUP BY session) q
ORDER BY q.session;

-- The combine function, called deterministically: which worker of a
-- parallel plan gets rows is up to the executor, so here partial states of
-- three disjoint parts of each session's inbox are built with the
-- transition function alone and merged with the combine function, as a
-- Finalize Aggregate does. The output equals the serial round.
RESET enable_partitionwise_aggregate;
CREATE AGGREGATE pg_temp.round_partial(jsonb, bigint, bytea) (
  SFUNC = secagg.server_round_agg_trans, STYPE = bytea);
CREATE AGGREGATE pg_temp.round_combine(bytea) (
  SFUNC = secagg.server_round_agg_combine, STYPE = bytea, FINALFUNC = secagg.server_round_agg_final);
SELECT q.session, q.parts, q.output = s.output AS combined_equals_serial
FROM (SELECT session, count(*) AS parts, pg_temp.round_combine(p ORDER BY part) AS output
      FROM (SELECT b.session, m.user_id % 3 AS part, pg_temp.round_partial(b.state, m.user_id, m.message) AS p
            FROM big_inbox m JOIN before2 b ON b.session = m.session GROUP BY b.session, m.user_id % 3) parts
      GROUP BY session) q
JOIN ser s USING (session) ORDER BY q.session;

-- on_invalid 'reject' under partitionwise aggregation: a truncated message in
-- one partition and a wrong-session message in another reject their senders;
-- the combine function merges the rejection lists, and the output (rejections
-- in id order included) is byte-identical to the serial one.
SET enable_partitionwise_aggregate = on;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE part_bad (part int, session int, state jsonb, user_id bigint, message bytea) PARTITION BY LIST (part);
CREATE TABLE part_bad_0 PARTITION OF part_bad FOR VALUES IN (0);
CREATE TABLE part_bad_1 PARTITION OF part_bad FOR VALUES IN (1);
INSERT INTO part_bad
  SELECT (m.user_id / 10) % 2, m.session, b.state, m.user_id,
         CASE WHEN m.user_id IN (110, 140) THEN substring(m.message FROM 1 FOR length(m.message) - 8)
              WHEN m.user_id = 120 THEN (SELECT x.message FROM big_inbox x WHERE x.session <> m.session ORDER BY x.session, x.user_id LIMIT 1)
              ELSE m.message END
  FROM big_inbox m JOIN before2 b ON b.session = m.session;
ANALYZE part_bad;
CREATE TABLE bad_pw AS SELECT session, secagg.server_round_agg(state, user_id, message) AS output FROM part_bad GROUP BY session;
RESET enable_partitionwise_aggregate;
CREATE TABLE bad_ser AS SELECT session, secagg.server_round_agg(state, user_id, message) AS output FROM part_bad GROUP BY session;
SELECT p.session, p.output = s.output AS partitionwise_equals_serial, r.*
FROM bad_pw p JOIN bad_ser s USING (session), secagg.output_rejected(p.output) r
ORDER BY p.session, r.user_id;
