-- pine_draft.sql: the draft argument of pine_params and the draft in the
-- parameter object: validation (22023 naming the value), Pine40HmacSha256Aes128
-- only under '02', shares and states of one draft refused under the other,
-- 0.3.0 objects (no "draft" key) read as '01', non-canonical Field40 bytes.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(22);

-- ---- the draft argument ----
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', 1.0, 4, draft => '03')$$, '22023',
                 'unknown PINE draft "03"', 'draft 03 is refused, naming the value');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', 1.0, 4, draft => '1')$$, '22023',
                 'unknown PINE draft "1"', 'draft 1 (not 01) is refused');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', 1.0, 4, draft => '')$$, '22023',
                 'unknown PINE draft ""', 'an empty draft is refused');
SELECT throws_ok($$SELECT secagg.pine_params('Pine40HmacSha256Aes128', 1.0, 4)$$, '22023',
                 NULL, 'Pine40HmacSha256Aes128 is refused under the default draft 01');
SELECT throws_ok($$SELECT secagg.pine_params('Pine40HmacSha256Aes128', 1.0, 4, 15, 150, 4, draft => '01')$$, '22023',
                 NULL, 'Pine40HmacSha256Aes128 is refused under draft 01 with explicit chunk lengths');
SELECT is(secagg.pine_params('Pine40HmacSha256Aes128', 1.0, 4, draft => '02')->>'field', 'Field40',
          'Pine40HmacSha256Aes128 under draft 02 uses Field40');
SELECT isnt(secagg.pine_params('Pine64', 1.0, 4)->>'digest', secagg.pine_params('Pine64', 1.0, 4, draft => '02')->>'digest',
            'the digest covers the draft');

-- ---- the draft key of a parameter object ----
SELECT throws_ok($$SELECT secagg.pine_params_check(jsonb_set(secagg.pine_params('Pine64', 1.0, 4), '{draft}', '"03"'))$$,
                 '22023', 'PINE params: key "draft" must be "01" or "02"', 'params: draft "03" is refused');
SELECT throws_ok($$SELECT secagg.pine_params_check(jsonb_set(secagg.pine_params('Pine64', 1.0, 4), '{draft}', '2'))$$,
                 '22023', 'PINE params: key "draft" must be "01" or "02"', 'params: a numeric draft is refused');
SELECT throws_ok($$SELECT secagg.pine_params_check(jsonb_set(secagg.pine_params('Pine64', 1.0, 4), '{draft}', '"02"'))$$,
                 '22023', 'PINE params: derived values do not match the configuration',
                 'params: a draft changed by hand no longer matches the digest');
SELECT throws_ok($$SELECT secagg.pine_params_check(secagg.pine_params('Pine40HmacSha256Aes128', 1.0, 4, draft => '02') - 'draft')$$,
                 '22023', NULL, 'params: a Pine40 object without a draft (read as 01) is refused');
SELECT is(secagg.pine_params_check(p - 'draft'), p, 'params: a 0.3.0 object (no draft) is draft 01, same digest')
FROM secagg.pine_params('Pine64', 1.0, 4) p;

-- ---- one report per draft, prepared up to the prep states ----
CREATE TEMP TABLE fx AS
  SELECT d.draft, p, '\x000102030405060708090a0b0c0d0e0f'::bytea AS vk, '\x0f0e0d0c0b0a09080706050403020100'::bytea AS nonce,
         s.public_share AS pub, s.input_shares[1] AS leader, s.input_shares[2] AS helper
  FROM (VALUES ('01'), ('02')) d(draft), secagg.pine_params('Pine64', 1.0, 4, draft => d.draft) p,
       LATERAL secagg.pine_shard(p, ARRAY[0.5, -0.25, 0.125, 0]::float8[], '\x0f0e0d0c0b0a09080706050403020100') s;
ALTER TABLE fx ADD l_state jsonb, ADD l_share bytea, ADD h_state jsonb, ADD h_share bytea, ADD msg bytea, ADD out bytea;
UPDATE fx SET (l_state, l_share) = (SELECT * FROM secagg.pine_prep_init(p, vk, 0, nonce, pub, leader)),
              (h_state, h_share) = (SELECT * FROM secagg.pine_prep_init(p, vk, 1, nonce, pub, helper));
UPDATE fx SET msg = (SELECT prep_message FROM secagg.pine_prep_shares_to_prep(p, ARRAY[l_share, h_share]));
UPDATE fx SET out = (SELECT output_share FROM secagg.pine_prep_next(p, l_state, msg, leader));
SELECT is((SELECT count(*) FROM fx WHERE out IS NOT NULL), 2::bigint, 'fixture: a report prepares under each draft');

-- A prep state of one draft is refused under the other (both directions,
-- Leader and Helper), and so is an aggregate mixing the drafts.
SELECT throws_ok($$SELECT secagg.pine_prep_next(b.p, a.l_state, a.msg, a.leader) FROM fx a, fx b WHERE a.draft = '01' AND b.draft = '02'$$,
                 '22023', 'PINE prep state belongs to different PINE parameters', 'prep_next: a -01 Leader state under -02');
SELECT throws_ok($$SELECT secagg.pine_prep_next(b.p, a.h_state, a.msg) FROM fx a, fx b WHERE a.draft = '02' AND b.draft = '01'$$,
                 '22023', 'PINE prep state belongs to different PINE parameters', 'prep_next: a -02 Helper state under -01');
SELECT throws_ok($$SELECT secagg.pine_prep_finish(b.p, a.l_state, ARRAY[a.l_share, a.h_share], a.leader) FROM fx a, fx b WHERE a.draft = '01' AND b.draft = '02'$$,
                 '22023', 'PINE prep state belongs to different PINE parameters', 'prep_finish: a -01 Leader state under -02');
SELECT throws_ok($$SELECT secagg.pine_agg(q.p, a.out) FROM fx a, fx q WHERE a.draft = '01'$$,
                 '22023', 'pine_agg: rows of one group carry different PINE parameters', 'pine_agg: one group mixing -01 and -02 parameters');
SELECT throws_ok($$SELECT secagg.pine_agg(a.p, a.out) FROM fx a$$,
                 '22023', 'pine_agg: rows of one group carry different PINE parameters', 'pine_agg: -01 and -02 rows in one group');
SELECT is((SELECT count(*) FROM (SELECT secagg.pine_agg(p, out) FROM fx GROUP BY draft) g), 2::bigint,
          'pine_agg: one group per draft is fine');
-- A 0.3.0 object (no draft) and a 0.4.0 object for -01 are the same parameters.
SELECT is((SELECT secagg.pine_agg_count(q, out) FROM fx, LATERAL (VALUES (p), (p - 'draft')) v(q) WHERE draft = '01'), 2::bigint,
          'pine_agg: a 0.3.0 object and its 0.4.0 form aggregate together');

-- ---- Field40 bytes ----
CREATE TEMP TABLE f40 AS SELECT secagg.pine_params('Pine40HmacSha256Aes128', 1.0, 2, draft => '02') AS p;
SELECT throws_ok($$SELECT secagg.pine_agg(p, '\x0100b0feff0000000000'::bytea) FROM f40$$, '22003', NULL,
                 'pine_agg: a Field40 element equal to p is refused');
SELECT throws_ok($$SELECT secagg.pine_unshard(p, ARRAY['\x0000000000ffffffffff'::bytea, '\x00000000000000000000'::bytea], 1) FROM f40$$,
                 '22003', NULL, 'pine_unshard: a Field40 element above p is refused');

SELECT * FROM finish();
ROLLBACK;
