-- pine_ops.sql: what an operator needs (issue 10, section 2): the L2 bound
-- as the draft's integer (l2_norm_bound_fixed), rejection reasons as values
-- (reject_reason), min_batch_size, and differential privacy on aggregate
-- shares (pine_agg_share_noised, pine_dp_scale).
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(65);

-- ---------------------------------------------------------------------------
-- (a) l2_norm_bound_fixed
-- ---------------------------------------------------------------------------
SELECT is(secagg.pine_params('Pine64', dimension => 8, l2_norm_bound_fixed => 32768),
          secagg.pine_params('Pine64', 1.0, 8), 'fixed: 32768 at 15 fractional bits is the same object as 1.0');
SELECT is(secagg.pine_params('Pine64', NULL, 8, l2_norm_bound_fixed => 12345)->>'l2_norm_bound', '12345',
          'fixed: the integer is kept exactly');
SELECT is(secagg.pine_params('Pine64', NULL, 8, l2_norm_bound_fixed => 12345)->>'l2_norm_bound_float', '0.376739501953125',
          'fixed: the real bound it stands for is 12345 / 2^15');
SELECT is(secagg.pine_params('Pine64', NULL, 8, 0, l2_norm_bound_fixed => 3)->>'sq_norm_bound', '9',
          'fixed: num_frac_bits 0, bound 3, squared 9');
SELECT is(secagg.pine_params('Pine64', NULL, 8, 12, l2_norm_bound_fixed => 2479700524)->>'sq_norm_bound', '6148914688725874576',
          'fixed: Field64''s largest bound (l2^2 < (p - 2) / 3)');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', NULL, 8, 12, l2_norm_bound_fixed => 2479700525)$$, '22023', NULL,
                 'fixed: one more is refused by the field''s range check');
SELECT is(secagg.pine_params('Pine32HmacSha256Aes128', NULL, 8, 12, l2_norm_bound_fixed => 37832)->>'sq_norm_bound', '1431260224',
          'fixed: Field32''s largest bound');
SELECT throws_ok($$SELECT secagg.pine_params('Pine32HmacSha256Aes128', NULL, 8, 12, l2_norm_bound_fixed => 37833)$$, '22023', NULL,
                 'fixed: Field32, one more is refused');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', NULL, 8, l2_norm_bound_fixed => 9223372036854775807)$$, '22023', NULL,
                 'fixed: 2^63 - 1 is refused (too large for the field)');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', 1.0, 8, l2_norm_bound_fixed => 32768)$$, '22023',
                 'give exactly one of l2_norm_bound and l2_norm_bound_fixed', 'fixed: both bounds given');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', dimension => 8)$$, '22023',
                 'give exactly one of l2_norm_bound and l2_norm_bound_fixed', 'fixed: neither bound given');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', NULL, 8, l2_norm_bound_fixed => 0)$$, '22023',
                 'l2_norm_bound_fixed must be positive, got 0', 'fixed: zero');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', NULL, 8, l2_norm_bound_fixed => -5)$$, '22023',
                 'l2_norm_bound_fixed must be positive, got -5', 'fixed: negative');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', l2_norm_bound_fixed => 5)$$, '22004',
                 'dimension must not be NULL', 'fixed: dimension is still required');

-- ---------------------------------------------------------------------------
-- (b) reject_reason
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE task AS
  SELECT secagg.pine_params('Pine64', 1.0, 4) AS p, secagg.pine_params('Pine64', 1.4, 4) AS loose,
         '\x000102030405060708090a0b0c0d0e0f'::bytea AS vk;
SELECT is((SELECT (p->>'meas_len') = (loose->>'meas_len') FROM task), true, 'fixture: the looser bound has the same sizes');
-- honest reports under p (i = 1..5) and one under the looser bound (i = 0)
CREATE TEMP TABLE rep AS
  SELECT i, n AS nonce, s.public_share AS pub, s.input_shares[1] AS leader, s.input_shares[2] AS helper
  FROM task t, generate_series(1, 5) i, decode(md5('n' || i), 'hex') n,
       LATERAL secagg.pine_shard(t.p, ARRAY[0.5, -0.25, 0.125 * i, 0]::float8[], n) s
  UNION ALL
  SELECT 0, n, s.public_share, s.input_shares[1], s.input_shares[2]
  FROM task t, decode(md5('n0'), 'hex') n, LATERAL secagg.pine_shard(t.loose, ARRAY[1.3, 0, 0, 0]::float8[], n) s;
-- Attacks on copies of report 1: each changes one byte of the Leader's input share.
CREATE TEMP TABLE attack AS
  SELECT name, r.nonce, r.pub, CASE WHEN off IS NULL THEN r.leader ELSE set_byte(r.leader, off, get_byte(r.leader, off) # 1) END AS leader,
         r.helper
  FROM task t, rep r,
       LATERAL (VALUES ('honest', NULL::int),
                       -- element d: the lowest bit of the claimed squared norm (not an input of the NE gadget)
                       ('norm_bit', 4 * 8),
                       -- element 0 of the gradient: an input of the NE gadget
                       ('gradient', 0),
                       -- first element of the norm-equality proof
                       ('ne_proof', (t.p->>'meas_len')::int * 8),
                       -- first element of the main proof
                       ('main_proof', ((t.p->>'meas_len')::int + (t.p->>'proof_len_norm_equality')::int) * 8)) a(name, off)
  WHERE r.i = 1
  UNION ALL
  SELECT 'misconfigured_client', nonce, pub, leader, helper FROM rep WHERE i = 0;
CREATE TEMP TABLE prep AS
  SELECT a.name, a.leader, l.prep_state AS l_state, l.prep_share AS l_share, h.prep_state AS h_state, h.prep_share AS h_share
  FROM attack a, task t,
       LATERAL secagg.pine_prep_init(t.p, t.vk, 0, a.nonce, a.pub, a.leader) l,
       LATERAL secagg.pine_prep_init(t.p, t.vk, 1, a.nonce, a.pub, a.helper) h;
SELECT results_eq(
  $$SELECT p.name, m.accepted, m.prep_message IS NULL, m.reject_reason
    FROM prep p, task t, LATERAL secagg.pine_prep_shares_to_prep(t.p, ARRAY[p.l_share, p.h_share]) m ORDER BY p.name$$,
  $$VALUES ('gradient', false, true, 'norm_equality_proof'),
           ('honest', true, false, NULL),
           ('main_proof', false, true, 'main_proof'),
           ('misconfigured_client', false, true, 'range_and_wraparound_checks'),
           ('ne_proof', false, true, 'norm_equality_proof'),
           ('norm_bit', false, true, 'norm_equality_check')$$,
  'reasons: pine_prep_shares_to_prep names the check that failed (NULL when accepted)');
SELECT results_eq(
  $$SELECT p.name, f.accepted, f.prep_message IS NULL, f.output_share IS NULL, f.reject_reason
    FROM prep p, task t, LATERAL secagg.pine_prep_finish(t.p, p.l_state, ARRAY[p.l_share, p.h_share], p.leader) f ORDER BY p.name$$,
  $$VALUES ('gradient', false, true, true, 'norm_equality_proof'),
           ('honest', true, false, false, NULL),
           ('main_proof', false, true, true, 'main_proof'),
           ('misconfigured_client', false, true, true, 'range_and_wraparound_checks'),
           ('ne_proof', false, true, true, 'norm_equality_proof'),
           ('norm_bit', false, true, true, 'norm_equality_check')$$,
  'reasons: pine_prep_finish reports the same');
-- A Helper's prep share with a wrong joint-randomness part: the proofs verify,
-- the prep message's seed is not the Leader's.
CREATE TEMP TABLE jr AS
  SELECT w.name, f.accepted, f.prep_message, f.output_share, f.reject_reason, p.h_state
  FROM prep p, task t,
       LATERAL (VALUES ('wr_part', (t.p->>'verifiers_len')::int * 8),
                       ('vf_part', (t.p->>'verifiers_len')::int * 8 + 16)) w(name, off),
       LATERAL secagg.pine_prep_finish(t.p, p.l_state,
                 ARRAY[p.l_share, set_byte(p.h_share, w.off, get_byte(p.h_share, w.off) # 1)], p.leader) f
  WHERE p.name = 'honest';
SELECT results_eq(
  $$SELECT name, accepted, prep_message IS NULL, output_share IS NULL, reject_reason FROM jr ORDER BY name$$,
  $$VALUES ('vf_part', false, false, true, 'joint_rand_seed'),
           ('wr_part', false, false, true, 'wraparound_joint_rand_seed')$$,
  'reasons: a mismatching joint-randomness part fails the seed comparison, naming the seed');
SELECT results_eq(
  $$SELECT name, n.accepted, n.output_share IS NULL, n.reject_reason
    FROM jr, task t, LATERAL secagg.pine_prep_next(t.p, jr.h_state, jr.prep_message) n ORDER BY name$$,
  $$VALUES ('vf_part', false, true, 'joint_rand_seed'),
           ('wr_part', false, true, 'wraparound_joint_rand_seed')$$,
  'reasons: the Helper''s pine_prep_next with that prep message says the same');
SELECT is((SELECT row(n.accepted, n.reject_reason)::text FROM prep p, task t,
                LATERAL secagg.pine_prep_shares_to_prep(t.p, ARRAY[p.l_share, p.h_share]) m,
                LATERAL secagg.pine_prep_next(t.p, p.h_state, m.prep_message) n WHERE p.name = 'honest'),
          '(t,)', 'reasons: NULL for an accepted report');
-- Rejections stay countable: a GROUP BY over the outcomes.
SELECT results_eq(
  $$SELECT coalesce(m.reject_reason, 'accepted'), count(*)::int FROM prep p, task t,
           LATERAL secagg.pine_prep_shares_to_prep(t.p, ARRAY[p.l_share, p.h_share]) m GROUP BY 1 ORDER BY 1$$,
  $$VALUES ('accepted', 1), ('main_proof', 1), ('norm_equality_check', 1), ('norm_equality_proof', 2),
           ('range_and_wraparound_checks', 1)$$,
  'reasons: outcomes are counted, never raised');

-- ---------------------------------------------------------------------------
-- (d) min_batch_size
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE mb AS SELECT secagg.pine_params('Pine64', 1.0, 4, min_batch_size => 3) AS p;
SELECT is((SELECT p->>'min_batch_size' FROM mb), '3', 'min batch: recorded in the parameters');
SELECT isnt((SELECT p->>'digest' FROM mb), (SELECT p->>'digest' FROM task), 'min batch: covered by the digest');
SELECT ok((SELECT NOT (p ? 'min_batch_size') FROM task), 'min batch: absent when not set');
SELECT is((SELECT secagg.pine_params_check(p) FROM mb), (SELECT p FROM mb), 'min batch: pine_params_check keeps it');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', 1.0, 4, min_batch_size => 0)$$, '22023',
                 'min_batch_size must be positive, got 0', 'min batch: zero is refused');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', 1.0, 4, min_batch_size => -1)$$, '22023', NULL, 'min batch: negative is refused');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', 1.0, 4, min_batch_size => 281474976710656)$$, '22023', NULL,
                 'min batch: more than max_measurements is refused');
SELECT throws_ok($$SELECT secagg.pine_params_check(jsonb_set(p, '{min_batch_size}', '0')) FROM mb$$, '22023',
                 'PINE params: key "min_batch_size" must be positive (leave it out for no minimum)',
                 'min batch: a params object with min_batch_size 0 is refused');
SELECT throws_ok($$SELECT secagg.pine_params_check(jsonb_set(p, '{min_batch_size}', '4')) FROM mb$$, '22023', NULL,
                 'min batch: an altered min_batch_size does not match the digest');
-- honest reports under mb, prepared by both Aggregators
CREATE TEMP TABLE mb_out AS
  SELECT i, lo.output_share AS l_out, ho.output_share AS h_out
  FROM mb, task t, generate_series(1, 4) i, decode(md5('m' || i), 'hex') n,
       LATERAL secagg.pine_shard(mb.p, ARRAY[0.5, -0.25, 0.125, 0]::float8[], n) s,
       LATERAL secagg.pine_prep_init(mb.p, t.vk, 0, n, s.public_share, s.input_shares[1]) l,
       LATERAL secagg.pine_prep_init(mb.p, t.vk, 1, n, s.public_share, s.input_shares[2]) h,
       LATERAL secagg.pine_prep_finish(mb.p, l.prep_state, ARRAY[l.prep_share, h.prep_share], s.input_shares[1]) lo,
       LATERAL secagg.pine_prep_next(mb.p, h.prep_state, lo.prep_message) ho;
SELECT is((SELECT count(*)::int FROM mb_out WHERE l_out IS NOT NULL AND h_out IS NOT NULL), 4, 'min batch: fixture of 4 accepted reports');
SELECT throws_ok($$SELECT secagg.pine_agg(p, l_out) FROM mb, mb_out WHERE i <= 2$$, 'SA022',
                 'pine_agg: the batch has 2 reports, fewer than min_batch_size 3', 'min batch: pine_agg refuses 2 reports');
SELECT throws_ok($$SELECT secagg.pine_agg(p, l_out) FROM mb, mb_out WHERE i = 1$$, 'SA022',
                 'pine_agg: the batch has 1 reports, fewer than min_batch_size 3', 'min batch: pine_agg refuses 1 report');
SELECT is((SELECT secagg.pine_agg(p, l_out) IS NULL FROM mb, mb_out WHERE false), true,
          'min batch: no rows is still NULL (nothing released)');
SELECT lives_ok($$SELECT secagg.pine_agg(p, l_out) FROM mb, mb_out WHERE i <= 3$$, 'min batch: exactly the minimum is released');
SELECT is((SELECT secagg.pine_agg_count(p, l_out) FROM mb, mb_out WHERE i <= 2), 2::bigint,
          'min batch: pine_agg_count still counts a small batch');
SELECT is((SELECT secagg.pine_unshard(p, ARRAY[secagg.pine_agg(p, l_out), secagg.pine_agg(p, h_out)], 4) FROM mb, mb_out GROUP BY p),
          ARRAY[2.0, -1.0, 0.5, 0]::float8[], 'min batch: 4 reports unshard to their sum');
SELECT throws_ok($$SELECT secagg.pine_unshard(p, ARRAY[secagg.pine_agg(p, l_out), secagg.pine_agg(p, h_out)], 2) FROM mb, mb_out GROUP BY p$$,
                 'SA022', 'pine_unshard: the batch has 2 reports, fewer than min_batch_size 3',
                 'min batch: pine_unshard refuses a smaller num_measurements');
SELECT throws_ok($$SELECT secagg.pine_agg(p, l_out) FROM (SELECT p FROM mb UNION ALL SELECT p FROM task) q, mb_out WHERE i = 1$$,
                 '22023', NULL, 'min batch: rows with and without a minimum do not mix');
-- parallel partial aggregates carry the minimum through the combine function
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
CREATE TEMP TABLE mb_big AS SELECT mb.p, o.l_out FROM mb, mb_out o WHERE o.i <= 2;
SELECT throws_ok($$SELECT secagg.pine_agg(p, l_out) FROM mb_big$$, 'SA022', NULL, 'min batch: refused in any plan');
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- ---------------------------------------------------------------------------
-- (c) differential privacy (see also test/unit/test_pine_dp.c)
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE fx_noise AS SELECT l_out AS out FROM mb_out WHERE i = 1;
CREATE TEMP TABLE dp AS
  SELECT secagg.pine_params('Pine64', 1.0, 4) AS p4, secagg.pine_params('Pine64', 1.0, 2000) AS p2k,
         secagg.pine_params('Pine32HmacSha256Aes128', 1.0, 4, 12) AS p32, 1 + power(2::float8, -40) AS up;
SELECT is((SELECT secagg.pine_dp_scale(p4, 'discrete_gaussian', 0.5) = 65536 * up FROM dp), true,
          'dp scale: zCDP sigma = l2_norm_bound / epsilon (raised by 2^-40)');
SELECT is((SELECT secagg.pine_dp_scale(p4, 'discrete_laplace', 2) = 32768 * up FROM dp), true,
          'dp scale: Laplace t = sqrt(d) * l2_norm_bound / epsilon, d = 4');
SELECT ok((SELECT abs(secagg.pine_dp_scale(p4, 'discrete_gaussian', 1, 1e-6)
                      / (32768 / (sqrt(2) * (sqrt(1 + ln(1e6)) - sqrt(ln(1e6)))) * up) - 1) < 1e-14 FROM dp),
          'dp scale: (epsilon, delta) through zCDP');
SELECT throws_ok($$SELECT secagg.pine_dp_scale(p4, 'gaussian', 1) FROM dp$$, '22023', 'unknown DP mechanism "gaussian"', 'dp scale: unknown mechanism');
SELECT throws_ok($$SELECT secagg.pine_dp_scale(p4, 'discrete_gaussian', 0) FROM dp$$, '22023', NULL, 'dp scale: epsilon 0');
SELECT throws_ok($$SELECT secagg.pine_dp_scale(p4, 'discrete_gaussian', 1, 1) FROM dp$$, '22023', 'delta must be between 0 and 1 (exclusive), got 1', 'dp scale: delta 1');
SELECT throws_ok($$SELECT secagg.pine_dp_scale(p4, 'discrete_gaussian', 1, 0) FROM dp$$, '22023', NULL, 'dp scale: delta 0 (leave it NULL)');
SELECT throws_ok($$SELECT secagg.pine_dp_scale(p4, 'discrete_laplace', 1, 1e-6) FROM dp$$, '22023', NULL, 'dp scale: Laplace takes no delta');
SELECT throws_ok($$SELECT secagg.pine_dp_scale(p32, 'discrete_gaussian', 0.0001) FROM dp$$, '22023', NULL, 'dp scale: too much noise for Field32');
SELECT throws_ok($$SELECT secagg.pine_dp_scale(p4, 'discrete_gaussian', NULL) FROM dp$$, '22004', 'epsilon must not be NULL', 'dp scale: NULL epsilon');
SELECT throws_ok($$SELECT secagg.pine_agg_share_noised(p4, NULL, 'discrete_gaussian', 1) FROM dp$$, '22004', 'agg_share must not be NULL', 'noised: NULL share');
SELECT throws_ok($$SELECT secagg.pine_agg_share_noised(p4, decode(repeat('00', 32), 'hex'), NULL, 1) FROM dp$$, '22004', 'mechanism must not be NULL', 'noised: NULL mechanism');
SELECT throws_ok($$SELECT secagg.pine_agg_share_noised(p4, decode(repeat('00', 32), 'hex'), 'discrete_gaussian') FROM dp$$, '22023',
                 'give either epsilon (and for discrete_gaussian optionally delta) or scale', 'noised: neither epsilon nor scale');
SELECT throws_ok($$SELECT secagg.pine_agg_share_noised(p4, decode(repeat('00', 32), 'hex'), 'discrete_gaussian', 1, scale => 5) FROM dp$$, '22023',
                 'give either epsilon (and for discrete_gaussian optionally delta) or scale', 'noised: both epsilon and scale');
SELECT throws_ok($$SELECT secagg.pine_agg_share_noised(p4, decode(repeat('00', 32), 'hex'), 'discrete_gaussian', delta => 1e-6, scale => 5) FROM dp$$, '22023',
                 NULL, 'noised: delta with scale');
SELECT throws_ok($$SELECT secagg.pine_agg_share_noised(p4, decode(repeat('00', 31), 'hex'), 'discrete_gaussian', 1) FROM dp$$, '22P03', NULL, 'noised: short share');
SELECT throws_ok($$SELECT secagg.pine_agg_share_noised(p4, decode(repeat('ff', 32), 'hex'), 'discrete_gaussian', 1) FROM dp$$, '22003', NULL, 'noised: non-canonical share');
SELECT throws_ok($$SELECT secagg.pine_agg_share_noised(p4, decode(repeat('00', 32), 'hex'), 'discrete_laplace', scale => 0) FROM dp$$, '22023', NULL, 'noised: scale 0');
SELECT throws_ok($$SELECT secagg.pine_agg_share_noised(p32, decode(repeat('00', 16), 'hex'), 'discrete_laplace', scale => 1e8) FROM dp$$, '22023', NULL, 'noised: scale too large for the field');
SELECT is((SELECT array_agg(provolatile::text || proparallel::text ORDER BY proname) FROM pg_proc
           WHERE proname IN ('pine_agg_share_noised', 'pine_dp_scale') AND pronamespace = 'secagg'::regnamespace),
          ARRAY['vs', 'is'], 'noised: VOLATILE (fresh randomness), pine_dp_scale IMMUTABLE; both parallel safe');
SELECT is((SELECT secagg.pine_agg_share_noised(p4, out, 'discrete_laplace', scale => 1e-9) FROM dp, fx_noise),
          (SELECT out FROM fx_noise), 'noised: a negligible scale adds zero (P[Y != 0] = 2e^-1e9)');
SELECT ok((SELECT a <> b AND length(a) = 32 FROM (SELECT secagg.pine_agg_share_noised(p4, out, 'discrete_gaussian', 1) a,
                                                         secagg.pine_agg_share_noised(p4, out, 'discrete_gaussian', 1) b
                                                  FROM dp, fx_noise) q),
          'noised: every call draws fresh noise');
-- The unsharded result's noise has the expected scale: two Aggregators each
-- add noise to a zero aggregate share of d = 2000; the decoded result (times
-- 2^15) is the sum of both noises. Tolerances: 5 standard errors of the
-- mean and of the variance estimate for n = 2000 (fourth moments: 3 v^2 for
-- the Gaussian, 72 t^4 for the sum of two Laplace).
CREATE TEMP TABLE noise AS
  SELECT m, e * 32768 AS e
  FROM dp, (VALUES ('discrete_gaussian', 1000.0::float8), ('discrete_laplace', 500.0)) k(m, sc),
       LATERAL unnest(secagg.pine_unshard(p2k, ARRAY[secagg.pine_agg_share_noised(p2k, decode(repeat('00', 16000), 'hex'), m, scale => sc),
                                                     secagg.pine_agg_share_noised(p2k, decode(repeat('00', 16000), 'hex'), m, scale => sc)], 1)) e;
SELECT ok((SELECT bool_and(e = round(e)) AND count(*) = 4000 FROM noise), 'unshard noise: integers in the encoded domain');
SELECT ok((SELECT abs(avg(e)) <= 5 * sqrt(2 * 1000.0^2 / 2000) AND abs(avg(e * e) / (2 * 1000.0^2) - 1) <= 5 * sqrt(2.0 / 2000)
           FROM noise WHERE m = 'discrete_gaussian'),
          'unshard noise: discrete Gaussian, mean 0 and variance 2 sigma^2');
SELECT ok((SELECT abs(avg(e)) <= 5 * sqrt(4 * 500.0^2 / 2000) AND abs(avg(e * e) / (4 * 500.0^2) - 1) <= 5 * sqrt(56.0 / 2000) / 4 + 0.001
           FROM noise WHERE m = 'discrete_laplace'),
          'unshard noise: discrete Laplace, mean 0 and variance 2 * 2t^2');

SELECT * FROM finish();
ROLLBACK;
