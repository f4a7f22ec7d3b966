-- pine_flow.sql: PINE end to end beyond the official vectors: 3 Aggregators,
-- negative and fractional entries (floor encoding), every variant, message
-- sizes against those derived in test/unit/test_pine_params.c, parameter caching with
-- several parameter sets in one statement, empty and windowed aggregates.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(22);

-- ---- sizes (derived from the draft's encoding and the FLP layout in test/unit/test_pine_params.c) ----
SELECT is(ARRAY[(p->>'chunk_length')::int, (p->>'chunk_length_norm_equality')::int, (p->>'leader_input_share_len')::int,
                (p->>'helper_input_share_len')::int, (p->>'public_share_len')::int, (p->>'prep_share_len')::int],
          ARRAY[37, 393, 827776, 64, 64, 4408], 'sizes: Pine64, d = 100000')
  FROM secagg.pine_params('Pine64', 1.0, 100000) p;
SELECT is(ARRAY[(p->>'leader_input_share_len')::int, (p->>'prep_share_len')::int],
          ARRAY[1652304, 7568], 'sizes: Pine128, d = 100000')
  FROM secagg.pine_params('Pine128', 1.0, 100000) p;
SELECT is(ARRAY[(p->>'chunk_length')::int, (p->>'leader_input_share_len')::int, (p->>'helper_input_share_len')::int, (p->>'prep_share_len')::int],
          ARRAY[32, 414900, 128, 2964], 'sizes: Pine32HmacSha256Aes128, d = 100000, nfb 12')
  FROM secagg.pine_params('Pine32HmacSha256Aes128', 1.0, 100000, 12) p;
SELECT is(ARRAY[(p->>'leader_input_share_len')::int, (p->>'prep_share_len')::int],
          ARRAY[827808, 4440], 'sizes: Pine64HmacSha256Aes128, d = 100000')
  FROM secagg.pine_params('Pine64HmacSha256Aes128', 1.0, 100000) p;
SELECT is((secagg.pine_params('Pine64', 0.1, 4)->>'l2_norm_bound')::bigint, 3276::bigint,
          'params: the bound is floor(B * 2^num_frac_bits)');
SELECT is(secagg.pine_params('Pine64', 1.0, 4)->>'max_measurements',
          ((18446744069414584321::numeric - 1) / 2 / 32768)::bigint::text, 'params: max_measurements = floor(((p-1)/2) / l2)');

-- ---- shard: fresh randomness vs explicit randomness ----
CREATE TEMP TABLE t4 AS SELECT secagg.pine_params('Pine64', 1.0, 4) AS p;
SELECT isnt((SELECT public_share FROM secagg.pine_shard(p, '{0.5,0,0,0}', '\x00000000000000000000000000000000')),
            (SELECT public_share FROM secagg.pine_shard(p, '{0.5,0,0,0}', '\x00000000000000000000000000000000')),
            'shard: fresh randomness on every call') FROM t4;
SELECT is((SELECT row(s.*)::text FROM secagg.pine_shard(p, '{0.5,0,0,0}', '\x00000000000000000000000000000000', ('\x' || repeat('5a', (p->>'rand_len')::int))::bytea) s),
          (SELECT row(s.*)::text FROM secagg.pine_shard(p, '{0.5,0,0,0}', '\x00000000000000000000000000000000', ('\x' || repeat('5a', (p->>'rand_len')::int))::bytea) s),
          'shard: explicit randomness is deterministic') FROM t4;

-- ---- a full run: k Aggregators, n clients with negative and fractional entries ----
CREATE FUNCTION pg_temp.run(params jsonb, n int, tamper int DEFAULT 0)
RETURNS TABLE (accepted bigint, rejected bigint, exact boolean) LANGUAGE plpgsql AS $$
DECLARE
  k int := (params->>'num_shares')::int;
  d int := (params->>'dimension')::int;
  nfb int := (params->>'num_frac_bits')::int;
  vk bytea := substring(decode(repeat('0123456789abcdef', 4), 'hex') from 1 for (params->>'verify_key_len')::int);
BEGIN
  CREATE TEMP TABLE c ON COMMIT DROP AS
    SELECT i, decode(md5('c' || i), 'hex') AS nonce,
           ARRAY(SELECT cos(i * 17 + j) * 0.9 / sqrt(d) FROM generate_series(1, d) j)::float8[] AS m
    FROM generate_series(1, n) i;
  CREATE TEMP TABLE s ON COMMIT DROP AS
    SELECT c.i, c.nonce, x.public_share,
           x.input_shares AS shares
    FROM c, LATERAL secagg.pine_shard(params, c.m, c.nonce) x;
  -- tamper: flip one bit of the first Helper's measurement seed
  UPDATE s SET shares[2] = set_byte(shares[2], 0, get_byte(shares[2], 0) # 1) WHERE i = tamper;
  CREATE TEMP TABLE p ON COMMIT DROP AS
    SELECT s.i, j.a, x.prep_state, x.prep_share, s.shares[j.a + 1] AS input_share
    FROM s, generate_series(0, k - 1) j(a),
         LATERAL secagg.pine_prep_init(params, vk, j.a, s.nonce, s.public_share, s.shares[j.a + 1]) x;
  CREATE TEMP TABLE m ON COMMIT DROP AS
    SELECT q.i, x.accepted, x.prep_message
    FROM (SELECT i, array_agg(prep_share ORDER BY a) AS sh FROM p GROUP BY i) q,
         LATERAL secagg.pine_prep_shares_to_prep(params, q.sh) x;
  CREATE TEMP TABLE o ON COMMIT DROP AS
    SELECT p.i, p.a, x.output_share
    FROM p JOIN m USING (i), LATERAL secagg.pine_prep_next(params, p.prep_state, m.prep_message, p.input_share) x
    WHERE m.accepted AND x.accepted;
  RETURN QUERY
  SELECT (SELECT count(*) FROM m WHERE m.accepted), (SELECT count(*) FROM m WHERE NOT m.accepted),
         secagg.pine_unshard(params, (SELECT array_agg(g ORDER BY a) FROM
                                        (SELECT a, secagg.pine_agg(params, output_share) AS g FROM o GROUP BY a) z),
                             (SELECT count(*) FROM m WHERE m.accepted))
         = (SELECT array_agg(v ORDER BY j) FROM
              (SELECT j, (sum(floor(c.m[j] * 2 ^ nfb)::numeric) / 2 ^ nfb::numeric)::float8 AS v
               FROM c JOIN m USING (i), generate_series(1, d) j WHERE m.accepted GROUP BY j) y);
  DROP TABLE c, s, p, m, o;
END $$;

SELECT is(r.*, row(12::bigint, 0::bigint, true), 'Pine128, 3 Aggregators, d = 7: exact floor-encoded sum')
  FROM pg_temp.run(secagg.pine_params('Pine128', 1.0, 7, 15, num_shares => 3), 12) r;
SELECT is(r.*, row(11::bigint, 1::bigint, true), 'Pine128, 3 Aggregators: a tampered Helper share is rejected, the rest sums exactly')
  FROM pg_temp.run(secagg.pine_params('Pine128', 1.0, 7, 15, num_shares => 3), 12, 5) r;
SELECT is(r.*, row(10::bigint, 0::bigint, true), 'Pine64, 4 Aggregators, d = 33')
  FROM pg_temp.run(secagg.pine_params('Pine64', 2.0, 33, 10, num_shares => 4), 10) r;
SELECT is(r.*, row(10::bigint, 0::bigint, true), 'Pine64HmacSha256Aes128, 2 Aggregators, 3+2 proofs, r = 80, r_succ = 70')
  FROM pg_temp.run(secagg.pine_params('Pine64HmacSha256Aes128', 1.0, 20, 12, num_proofs => 3, num_proofs_norm_equality => 2,
                                      num_wr_checks => 80, num_wr_successes => 70), 10) r;
SELECT is(r.*, row(10::bigint, 0::bigint, true), 'Pine32HmacSha256Aes128, 3 Aggregators, d = 50')
  FROM pg_temp.run(secagg.pine_params('Pine32HmacSha256Aes128', 1.0, 50, 12, num_shares => 3), 10) r;
SELECT is(r.*, row(6::bigint, 0::bigint, true), 'Pine64, explicit chunk lengths 5 and 3')
  FROM pg_temp.run(secagg.pine_params('Pine64', 1.0, 9, 15, 5, 3), 6) r;

-- ---- floor encoding (draft-chen-cfrg-vdaf-pine-01, Section 4.1.2.1) ----
SELECT is(secagg.pine_unshard(p, ARRAY[l.output_share, h.output_share], 1), '{-0.300018310546875,0.0999755859375,-0.0001220703125,0}'::float8[],
          'floor encoding: -0.3, 0.1, -0.0001, 0 at 15 fractional bits')
  FROM t4, LATERAL secagg.pine_shard(p, '{-0.3,0.1,-0.0001,0}', '\x00000000000000000000000000000001') s,
       LATERAL secagg.pine_prep_init(p, '\x000102030405060708090a0b0c0d0e0f', 0, '\x00000000000000000000000000000001', s.public_share, s.input_shares[1]) a,
       LATERAL secagg.pine_prep_init(p, '\x000102030405060708090a0b0c0d0e0f', 1, '\x00000000000000000000000000000001', s.public_share, s.input_shares[2]) b,
       LATERAL secagg.pine_prep_shares_to_prep(p, ARRAY[a.prep_share, b.prep_share]) m,
       LATERAL secagg.pine_prep_next(p, a.prep_state, m.prep_message, s.input_shares[1]) l,
       LATERAL secagg.pine_prep_next(p, b.prep_state, m.prep_message) h;

-- ---- parameter cache: alternating parameter sets in one statement ----
SELECT is(array_agg(secagg.pine_params_check(q) = q ORDER BY o), '{t,t,t,t}', 'cache: alternating parameter sets are each parsed right')
  FROM (VALUES (1, secagg.pine_params('Pine64', 1.0, 4)), (2, secagg.pine_params('Pine128', 1.0, 4)),
               (3, secagg.pine_params('Pine64', 1.0, 4)), (4, secagg.pine_params('Pine32HmacSha256Aes128', 1.0, 5))) v(o, q);
SELECT is(array_agg(length(s.input_shares[1]) ORDER BY o),
          ARRAY[(secagg.pine_params('Pine64', 1.0, 4)->>'leader_input_share_len')::int,
                (secagg.pine_params('Pine128', 1.0, 4)->>'leader_input_share_len')::int,
                (secagg.pine_params('Pine64', 1.0, 4)->>'leader_input_share_len')::int],
          'cache: shard with alternating parameter sets')
  FROM (VALUES (1, secagg.pine_params('Pine64', 1.0, 4)), (2, secagg.pine_params('Pine128', 1.0, 4)),
               (3, secagg.pine_params('Pine64', 1.0, 4))) v(o, q),
       LATERAL secagg.pine_shard(q, '{0.1,0.2,0.3,0.4}', '\x00000000000000000000000000000000') s;

-- ---- aggregates: empty, count, GROUP BY, window ----
SELECT is(secagg.pine_agg(p, '\x00'), NULL, 'agg: no rows gives NULL') FROM t4 WHERE false;
SELECT is(secagg.pine_agg_count(p, '\x00'), 0::bigint, 'agg_count: no rows gives 0') FROM t4 WHERE false;
SELECT is(array_agg(n ORDER BY g), '{3,2}'::bigint[], 'agg_count: per group')
  FROM (SELECT g, secagg.pine_agg_count(p, decode(repeat('00', 32), 'hex')) AS n
        FROM t4, (VALUES (1), (1), (1), (2), (2)) v(g) GROUP BY g) z;
SELECT is(secagg.pine_agg(p, x), decode('0300000000000000' || repeat('00', 16) || '0000000000000000', 'hex'),
          'agg: element-wise sum mod p ((p-1) + 1 wraps to 0)')
  FROM t4, (VALUES (decode('0100000000000000' || repeat('00', 16) || '00000000ffffffff', 'hex')),
                   (decode('0100000000000000' || repeat('00', 16) || '0100000000000000', 'hex')),
                   (decode('0100000000000000' || repeat('00', 16) || '0000000000000000', 'hex'))) v(x);
SELECT is((SELECT secagg.pine_agg(p, x) OVER (ORDER BY i ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
           FROM t4, (VALUES (1, decode(repeat('01', 32), 'hex')), (2, decode(repeat('02', 32), 'hex'))) v(i, x) ORDER BY i DESC LIMIT 1),
          decode(repeat('03', 32), 'hex'), 'agg: as a running window aggregate');

SELECT * FROM finish();
ROLLBACK;
