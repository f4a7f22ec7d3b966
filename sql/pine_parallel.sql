-- pine_agg under a parallel plan (Partial Aggregate in the workers, combine
-- in the leader) and under partitionwise aggregation (one partial state per
-- partition, always merged by the combine function) gives byte-identical
-- aggregate shares to the serial plan, and they unshard to the exact sum.
SET client_min_messages = warning;
CREATE SCHEMA pp;
SET search_path = pp, public;

CREATE TABLE task AS SELECT secagg.pine_params('Pine64', 1.0, 32) AS params,
                            '\x101112131415161718191a1b1c1d1e1f'::bytea AS vk;
-- 240 clients in 4 batches; entries are multiples of 2^-10 (exact encoding).
CREATE TABLE client AS
  SELECT i, i % 4 AS batch, decode(md5('n' || i), 'hex') AS nonce,
         ARRAY(SELECT ((i * 13 + j * 7) % 9 - 4) / 1024.0 FROM generate_series(1, 32) j)::float8[] AS measurement
  FROM generate_series(1, 240) i;
CREATE TABLE out_share AS
  SELECT c.i, c.batch, j.agg_id, n.output_share
  FROM client c, task t,
       LATERAL secagg.pine_shard(t.params, c.measurement, c.nonce) s,
       LATERAL secagg.pine_prep_init(t.params, t.vk, 0, c.nonce, s.public_share, s.input_shares[1]) l,
       LATERAL secagg.pine_prep_init(t.params, t.vk, 1, c.nonce, s.public_share, s.input_shares[2]) h,
       LATERAL secagg.pine_prep_shares_to_prep(t.params, ARRAY[l.prep_share, h.prep_share]) m,
       LATERAL (VALUES (0, l.prep_state, s.input_shares[1]), (1, h.prep_state, s.input_shares[2])) j(agg_id, st, input_share),
       LATERAL secagg.pine_prep_next(t.params, j.st, m.prep_message, j.input_share) n
  WHERE m.accepted;
ANALYZE out_share;
SELECT count(*) AS output_shares FROM out_share;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;

EXPLAIN (COSTS OFF)
SELECT batch, agg_id, secagg.pine_agg(secagg.pine_params('Pine64', 1.0, 32), output_share)
FROM out_share GROUP BY batch, agg_id;

CREATE TABLE par AS
SELECT batch, agg_id, secagg.pine_agg(secagg.pine_params('Pine64', 1.0, 32), output_share) AS agg,
       secagg.pine_agg_count(secagg.pine_params('Pine64', 1.0, 32), output_share) AS n
FROM out_share GROUP BY batch, agg_id;

SET max_parallel_workers_per_gather = 0;
CREATE TABLE ser AS
SELECT batch, agg_id, secagg.pine_agg(secagg.pine_params('Pine64', 1.0, 32), output_share) AS agg
FROM out_share GROUP BY batch, agg_id;
SET enable_hashagg = off;
CREATE TABLE ser_sorted AS
SELECT batch, agg_id, secagg.pine_agg(secagg.pine_params('Pine64', 1.0, 32), output_share) AS agg
FROM out_share GROUP BY batch, agg_id;
RESET enable_hashagg;

SELECT p.batch, p.agg_id, p.n, p.agg = s.agg AS parallel_equals_serial, s.agg = t.agg AS hash_equals_sort,
       p.n = (SELECT count(*) FROM out_share o WHERE o.batch = p.batch AND o.agg_id = p.agg_id) AS count_equals_rows
FROM par p JOIN ser s USING (batch, agg_id) JOIN ser_sorted t USING (batch, agg_id)
ORDER BY 1, 2;

-- The Collector: every batch decodes to the exact sum of its measurements.
SELECT p.batch,
       secagg.pine_unshard(t.params, array_agg(p.agg ORDER BY p.agg_id), min(p.n))
         = (SELECT array_agg(s ORDER BY j) FROM
              (SELECT j, sum(c.measurement[j]) AS s FROM client c, generate_series(1, 32) j
               WHERE c.batch = p.batch GROUP BY j) q) AS exact_sum
FROM par p, task t GROUP BY p.batch, t.params ORDER BY 1;

-- Partitionwise aggregation, grouped by a column that is not the partition
-- key: every partition yields a partial state and the combine function
-- merges states of very different sizes (60%, 30%, 10% of the rows).
SET enable_partitionwise_aggregate = on;
CREATE TABLE part_share (part int, batch int, agg_id int, output_share bytea) PARTITION BY LIST (part);
CREATE TABLE part_share_0 PARTITION OF part_share FOR VALUES IN (0);
CREATE TABLE part_share_1 PARTITION OF part_share FOR VALUES IN (1);
CREATE TABLE part_share_2 PARTITION OF part_share FOR VALUES IN (2);
INSERT INTO part_share
  SELECT CASE WHEN i % 10 < 6 THEN 0 WHEN i % 10 < 9 THEN 1 ELSE 2 END, batch, agg_id, output_share FROM out_share;
ANALYZE part_share;
EXPLAIN (COSTS OFF)
SELECT batch, agg_id, secagg.pine_agg(secagg.pine_params('Pine64', 1.0, 32), output_share)
FROM part_share GROUP BY batch, agg_id;
SELECT q.batch, q.agg_id, q.agg = s.agg AS partitionwise_equals_serial, q.n = q.rows AS count_equals_rows
FROM (SELECT batch, agg_id, secagg.pine_agg(secagg.pine_params('Pine64', 1.0, 32), output_share) AS agg,
             secagg.pine_agg_count(secagg.pine_params('Pine64', 1.0, 32), output_share) AS n, count(*) AS rows
      FROM part_share GROUP BY batch, agg_id) q
JOIN ser s USING (batch, agg_id) ORDER BY 1, 2;

-- Partitionwise and parallel together.
SET max_parallel_workers_per_gather = 2;
SELECT bool_and(q.agg = s.agg) AS partitionwise_parallel_equals_serial, bool_and(q.n = q.rows) AS count_equals_rows,
       count(*) AS groups
FROM (SELECT batch, agg_id, secagg.pine_agg(secagg.pine_params('Pine64', 1.0, 32), output_share) AS agg,
             secagg.pine_agg_count(secagg.pine_params('Pine64', 1.0, 32), output_share) AS n, count(*) AS rows
      FROM part_share GROUP BY batch, agg_id) q
JOIN ser s USING (batch, agg_id);

-- The combine function, called deterministically: partial states of three
-- disjoint parts of each batch, built by the transition function alone, are
-- merged by the combine function as a Finalize Aggregate does; the share and
-- the count equal the serial ones.
RESET max_parallel_workers_per_gather;
SET max_parallel_workers_per_gather = 0;
CREATE AGGREGATE pg_temp.pine_partial(jsonb, bytea) (SFUNC = secagg.pine_agg_trans, STYPE = bytea);
CREATE AGGREGATE pg_temp.pine_combine(bytea) (
  SFUNC = secagg.pine_agg_combine, STYPE = bytea, FINALFUNC = secagg.pine_agg_final);
CREATE AGGREGATE pg_temp.pine_combine_count(bytea) (
  SFUNC = secagg.pine_agg_combine, STYPE = bytea, FINALFUNC = secagg.pine_agg_count_final);
SELECT q.batch, q.agg_id, q.parts, q.agg = s.agg AS combined_equals_serial, q.n AS combined_count
FROM (SELECT batch, agg_id, count(*) AS parts, pg_temp.pine_combine(p ORDER BY part) AS agg,
             pg_temp.pine_combine_count(p ORDER BY part) AS n
      FROM (SELECT batch, agg_id, (i / 4) % 3 AS part,
                   pg_temp.pine_partial(secagg.pine_params('Pine64', 1.0, 32), output_share) AS p
            FROM out_share GROUP BY batch, agg_id, (i / 4) % 3) parts
      GROUP BY batch, agg_id) q
JOIN ser s USING (batch, agg_id) ORDER BY 1, 2;

-- A group mixing two parameter sets is refused, also when the two meet only
-- in the combine function (one per partition).
RESET max_parallel_workers_per_gather;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE mixed (part int, g int, params jsonb, output_share bytea) PARTITION BY LIST (part);
CREATE TABLE mixed_0 PARTITION OF mixed FOR VALUES IN (0);
CREATE TABLE mixed_1 PARTITION OF mixed FOR VALUES IN (1);
INSERT INTO mixed SELECT 0, batch, params, output_share FROM out_share, task WHERE agg_id = 0;
INSERT INTO mixed SELECT 1, batch, secagg.pine_params('Pine64', 1.0, 32, 14), output_share FROM out_share WHERE agg_id = 0;
ANALYZE mixed;
EXPLAIN (COSTS OFF)
SELECT length(secagg.pine_agg(params, output_share)) FROM mixed GROUP BY g;
SELECT length(secagg.pine_agg(params, output_share)) FROM mixed GROUP BY g;

RESET search_path;
DROP SCHEMA pp CASCADE;
