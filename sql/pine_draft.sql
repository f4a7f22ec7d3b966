-- PINE drafts -01 and -02 through SQL: the draft in the parameter object and
-- its digest, the float encoding (-01 floors x * 2^num_frac_bits, -02 rounds
-- to nearest with ties to even), Field40 / Pine40HmacSha256Aes128 under '02'
-- only, and parameter objects made by 0.3.0 (no "draft" key) read as '01'.
SET client_min_messages = warning;
CREATE SCHEMA pd;
SET search_path = pd, public;

-- The draft is recorded, and the digest covers it; '01' is the default.
SELECT p->>'draft' AS draft, p->>'variant' AS variant, p->>'field' AS field, p->>'vdaf_id' AS vdaf_id,
       p->>'num_proofs' AS proofs, p->>'num_proofs_norm_equality' AS proofs_ne,
       p->>'encoded_size' AS encoded_size, p->>'seed_size' AS seed_size, p->>'digest' AS digest
FROM (VALUES (secagg.pine_params('Pine64', 1.0, 20, 7, 150, 4)),
             (secagg.pine_params('Pine64', 1.0, 20, 7, 150, 4, draft => '01')),
             (secagg.pine_params('Pine64', 1.0, 20, 7, 150, 4, draft => NULL)),
             (secagg.pine_params('Pine64', 1.0, 20, 7, 150, 4, draft => '02')),
             (secagg.pine_params('Pine40HmacSha256Aes128', 1.0, 20, 7, 150, 4, draft => '02'))) v(p);

-- Field40 sizes: 5-byte elements, 32-byte seeds; batch cap (p - 1) / 2 / l2.
SELECT (p->>'output_share_len')::int AS output_share_len, (p->>'leader_input_share_len')::int AS leader_input_share_len,
       (p->>'prep_share_len')::int AS prep_share_len, (p->>'max_measurements')::bigint AS max_measurements,
       (p->>'chunk_length')::int AS chunk_length, (p->>'chunk_length_norm_equality')::int AS chunk_length_ne
FROM (SELECT secagg.pine_params('Pine40HmacSha256Aes128', 1.0, 1000, draft => '02') AS p) s;

-- A parameter object made by 0.3.0 has no "draft" key: it is draft '01',
-- with the digest it always had, and its canonical form names the draft.
SELECT (p - 'draft') ? 'draft' AS old_has_draft,
       secagg.pine_params_check(p - 'draft') = p AS canonical_is_new,
       secagg.pine_params_check(p - 'draft')->>'digest' AS digest
FROM (SELECT secagg.pine_params('Pine64', 1.0, 20, 7, 150, 4) AS p) s;

-- Float encoding. Gradient entries times 2^2 are 0.8, 1.5 (a tie), 2.5 (a
-- tie), -1.5 (a tie) and -0.5 (a tie): -01 floors them to 0, 1, 2, -2, -1;
-- -02 rounds them to 1, 2 (even), 2 (even), -2 (even), 0 (even).
CREATE FUNCTION one_report(params jsonb, x float8[]) RETURNS float8[] LANGUAGE sql VOLATILE AS $$
  WITH s AS (SELECT * FROM secagg.pine_shard(params, x, '\x000102030405060708090a0b0c0d0e0f'::bytea)),
  vk AS (SELECT substr(decode(repeat('5a', 32), 'hex'), 1, (params->>'verify_key_len')::int) AS k),
  p AS (SELECT j, i.prep_state, i.prep_share, s.input_shares[j + 1] AS input_share
        FROM s, vk, generate_series(0, 1) j,
             LATERAL secagg.pine_prep_init(params, vk.k, j, '\x000102030405060708090a0b0c0d0e0f'::bytea,
                                           s.public_share, s.input_shares[j + 1]) i),
  m AS (SELECT (secagg.pine_prep_shares_to_prep(params, array_agg(prep_share ORDER BY j))).* FROM p),
  o AS (SELECT p.j, (secagg.pine_prep_next(params, p.prep_state, m.prep_message, p.input_share)).output_share FROM p, m)
  SELECT secagg.pine_unshard(params, array_agg(output_share ORDER BY j), 1) FROM o $$;
SELECT v.variant, v.draft,
       pd.one_report(secagg.pine_params(v.variant, 1.0, 5, 2, draft => v.draft),
                     ARRAY[0.2, 0.375, 0.625, -0.375, -0.125]) AS decoded
FROM (VALUES ('Pine64', '01'), ('Pine64', '02'), ('Pine32HmacSha256Aes128', '01'),
             ('Pine32HmacSha256Aes128', '02'), ('Pine40HmacSha256Aes128', '02')) v(variant, draft);

-- The same measurement sharded under both drafts: -02 rounds 0.1 * 2^15 =
-- 3276.8 up to 3277, -01 floors it to 3276.
SELECT v.draft, (pd.one_report(secagg.pine_params('Pine64', 1.0, 1, draft => v.draft), ARRAY[0.1]))[1] * 32768 AS encoded
FROM (VALUES ('01'), ('02')) v(draft);

RESET search_path;
DROP SCHEMA pd CASCADE;
