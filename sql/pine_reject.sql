-- Invalid reports are rejected by the Aggregators as values (accepted =
-- false), never as errors, and rejected reports are simply left out of the
-- aggregate: the result is the exact sum of the honest measurements.
SET client_min_messages = warning;
CREATE SCHEMA pr;
SET search_path = pr, public;

CREATE TABLE task AS
  SELECT secagg.pine_params('Pine64', 1.0, 8) AS params,
         secagg.pine_params('Pine64', 1.4, 8) AS loose,   -- same message sizes, larger norm bound
         '\x000102030405060708090a0b0c0d0e0f'::bytea AS vk;
SELECT (params->>'meas_len')::int = (loose->>'meas_len')::int AS same_sizes,
       params->>'digest' <> loose->>'digest' AS different_params FROM task;

-- 20 honest clients; entries are multiples of 2^-10, so their encoding is exact.
CREATE TABLE client AS
  SELECT i, ARRAY(SELECT ((i * 7 + j * 3) % 11 - 5) / 1024.0 * (CASE WHEN j = 1 THEN 8 ELSE 1 END)
                  FROM generate_series(1, 8) j)::float8[] AS measurement,
         decode(md5('nonce' || i), 'hex') AS nonce
  FROM generate_series(1, 20) i;
CREATE TABLE report AS
  SELECT c.i, c.nonce, s.public_share, s.input_shares[1] AS leader_share, s.input_shares[2] AS helper_share
  FROM client c, task t, LATERAL secagg.pine_shard(t.params, c.measurement, c.nonce) s;

-- Attacks, each on its own copy of a report (report 1..7 honest otherwise).
-- "over_norm" is honestly sharded under a looser bound (norm 1.3 > 1.0).
CREATE TABLE attack (name text, i int, nonce_l bytea, nonce_h bytea, vk_h bytea, pub bytea,
                     leader bytea, helper bytea);
INSERT INTO attack
  SELECT 'honest', i, nonce, nonce, t.vk, public_share, leader_share, helper_share FROM report, task t WHERE i = 1
  UNION ALL
  -- flip one bit of the Leader's share of measurement entry 0
  SELECT 'tampered_measurement', i, nonce, nonce, t.vk, public_share,
         set_byte(leader_share, 0, get_byte(leader_share, 0) # 1), helper_share FROM report, task t WHERE i = 2
  UNION ALL
  -- flip one bit of the Leader's share of the first proof element
  SELECT 'tampered_proof', i, nonce, nonce, t.vk, public_share,
         set_byte(leader_share, (t.params->>'meas_len')::int * 8, get_byte(leader_share, (t.params->>'meas_len')::int * 8) # 1),
         helper_share FROM report, task t WHERE i = 3
  UNION ALL
  SELECT 'wrong_nonce', i, nonce, decode(md5('other'), 'hex'), t.vk, public_share, leader_share, helper_share
  FROM report, task t WHERE i = 4
  UNION ALL
  SELECT 'wrong_verify_key', i, nonce, nonce, '\xff0102030405060708090a0b0c0d0e0f'::bytea, public_share, leader_share,
         helper_share FROM report, task t WHERE i = 5
  UNION ALL
  SELECT 'helper_share_swapped', r.i, r.nonce, r.nonce, t.vk, r.public_share, r.leader_share, o.helper_share
  FROM report r JOIN report o ON o.i = 7, task t WHERE r.i = 6
  UNION ALL
  SELECT 'over_norm', 100, n, n, t.vk, s.public_share, s.input_shares[1], s.input_shares[2]
  FROM task t, decode(md5('big'), 'hex') n,
       LATERAL secagg.pine_shard(t.loose, ARRAY[1.3, 0, 0, 0, 0, 0, 0, 0]::float8[], n) s;

CREATE TABLE attack_prep AS
  SELECT a.name, a.leader, l.prep_state AS l_state, l.prep_share AS l_share, h.prep_state AS h_state, h.prep_share AS h_share
  FROM attack a, task t,
       LATERAL secagg.pine_prep_init(t.params, t.vk, 0, a.nonce_l, a.pub, a.leader) l,
       LATERAL secagg.pine_prep_init(t.params, a.vk_h, 1, a.nonce_h, a.pub, a.helper) h;
CREATE TABLE attack_out AS
  SELECT p.name, m.accepted AS msg_accepted, l.accepted AS leader_accepted, h.accepted AS helper_accepted,
         m.prep_message IS NULL AS msg_null, h.output_share IS NULL AS out_null
  FROM attack_prep p, task t,
       LATERAL secagg.pine_prep_shares_to_prep(t.params, ARRAY[p.l_share, p.h_share]) m,
       LATERAL secagg.pine_prep_next(t.params, p.l_state, coalesce(m.prep_message, '\x'::bytea), p.leader) l,
       LATERAL secagg.pine_prep_next(t.params, p.h_state, coalesce(m.prep_message, '\x'::bytea)) h
  WHERE m.accepted
  UNION ALL
  SELECT p.name, m.accepted, NULL, NULL, m.prep_message IS NULL, NULL
  FROM attack_prep p, task t, LATERAL secagg.pine_prep_shares_to_prep(t.params, ARRAY[p.l_share, p.h_share]) m
  WHERE NOT m.accepted;
SELECT * FROM attack_out ORDER BY name;

-- A prep message of another report: both Aggregators reject in prep_next.
SELECT l.accepted AS leader_accepted, l.output_share IS NULL AS leader_out_null,
       h.accepted AS helper_accepted
FROM task t,
     (SELECT * FROM attack_prep WHERE name = 'honest') a,
     (SELECT m.prep_message FROM report r, task t2,
             LATERAL secagg.pine_prep_init(t2.params, t2.vk, 0, r.nonce, r.public_share, r.leader_share) x,
             LATERAL secagg.pine_prep_init(t2.params, t2.vk, 1, r.nonce, r.public_share, r.helper_share) y,
             LATERAL secagg.pine_prep_shares_to_prep(t2.params, ARRAY[x.prep_share, y.prep_share]) m
      WHERE r.i = 8) other,
     LATERAL secagg.pine_prep_next(t.params, a.l_state, other.prep_message, a.leader) l,
     LATERAL secagg.pine_prep_next(t.params, a.h_state, other.prep_message) h;

-- The whole batch: 20 honest reports plus the attacks (tampered copies of
-- reports 2..6 and the over-norm report). Rejections are counted; the
-- aggregate of the accepted ones is the exact sum of the 20 honest clients.
CREATE TABLE batch AS
  SELECT 'honest_' || i AS name, nonce, public_share AS pub, leader_share AS leader, helper_share AS helper FROM report
  UNION ALL
  SELECT name, nonce_l, pub, leader, helper FROM attack WHERE name NOT IN ('honest', 'wrong_nonce', 'wrong_verify_key');
CREATE TABLE batch_prep AS
  SELECT b.name, l.prep_state AS l_state, h.prep_state AS h_state, f.accepted, f.prep_message, f.output_share AS l_out
  FROM batch b, task t,
       LATERAL secagg.pine_prep_init(t.params, t.vk, 0, b.nonce, b.pub, b.leader) l,
       LATERAL secagg.pine_prep_init(t.params, t.vk, 1, b.nonce, b.pub, b.helper) h,
       LATERAL secagg.pine_prep_finish(t.params, l.prep_state, ARRAY[l.prep_share, h.prep_share], b.leader) f;
SELECT count(*) FILTER (WHERE accepted) AS accepted, count(*) FILTER (WHERE NOT accepted) AS rejected,
       string_agg(name, ', ' ORDER BY name) FILTER (WHERE NOT accepted) AS rejected_reports
FROM batch_prep;
CREATE TABLE shares AS
  SELECT secagg.pine_agg(t.params, p.l_out) AS leader_agg, secagg.pine_agg(t.params, h.output_share) AS helper_agg,
         secagg.pine_agg_count(t.params, p.l_out) AS n
  FROM batch_prep p, task t, LATERAL secagg.pine_prep_next(t.params, p.h_state, p.prep_message) h
  WHERE p.accepted AND h.accepted;
SELECT n, secagg.pine_unshard(t.params, ARRAY[leader_agg, helper_agg], n)
          = (SELECT array_agg(s ORDER BY j) FROM (SELECT j, sum(m[j]) AS s FROM client, generate_subscripts(measurement, 1) j,
                                                   LATERAL (SELECT measurement) x(m) GROUP BY j) q) AS exact_sum
FROM shares, task t;

-- A client whose measurement exceeds the bound gets an error (22003), not a report.
DO $$ BEGIN
  PERFORM secagg.pine_shard((SELECT params FROM pr.task), ARRAY[1.0, 0.5, 0, 0, 0, 0, 0, 0]::float8[], '\x00000000000000000000000000000000');
EXCEPTION WHEN numeric_value_out_of_range THEN RAISE WARNING 'over the bound: % (%)', SQLERRM, SQLSTATE;
END $$;

RESET search_path;
DROP SCHEMA pr CASCADE;
