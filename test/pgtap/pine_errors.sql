-- pine_errors.sql: every malformed input to the PINE functions raises an
-- error with a specific SQLSTATE (22023 parameters, 22P03 malformed bytes,
-- 22003 non-canonical elements / norm, 22004 NULLs, 54000 batch cap,
-- SA021 retry), and never a crash.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(151);

-- One honest report for Pine64, d = 4, through both Aggregators.
CREATE TEMP TABLE fx AS
  SELECT p, '\x000102030405060708090a0b0c0d0e0f'::bytea AS vk, '\x0f0e0d0c0b0a09080706050403020100'::bytea AS nonce,
         s.public_share AS pub, s.input_shares[1] AS leader, s.input_shares[2] AS helper
  FROM secagg.pine_params('Pine64', 1.0, 4) p,
       LATERAL secagg.pine_shard(p, ARRAY[0.5, -0.25, 0.125, 0]::float8[], '\x0f0e0d0c0b0a09080706050403020100') s;
ALTER TABLE fx ADD l_state jsonb, ADD l_share bytea, ADD h_state jsonb, ADD h_share bytea, ADD msg bytea, ADD out bytea;
UPDATE fx SET (l_state, l_share) = (SELECT * FROM secagg.pine_prep_init(p, vk, 0, nonce, pub, leader)),
              (h_state, h_share) = (SELECT * FROM secagg.pine_prep_init(p, vk, 1, nonce, pub, helper));
UPDATE fx SET msg = (SELECT prep_message FROM secagg.pine_prep_shares_to_prep(p, ARRAY[l_share, h_share]));
UPDATE fx SET out = (SELECT output_share FROM secagg.pine_prep_next(p, l_state, msg, leader));
SELECT ok((SELECT out IS NOT NULL AND length(out) = 32 FROM fx), 'fixture: an honest report prepares');

-- ---- NULL arguments: every argument of every PINE function (22004, named) ----
SELECT throws_ok(q, '22004', name || ' must not be NULL', 'NULL ' || name || ': ' || left(q, 70))
FROM (VALUES
  ('SELECT secagg.pine_params_check(NULL)', 'params'),
  ('SELECT secagg.pine_shard(NULL, ''{0,0,0,0}'', (SELECT nonce FROM fx))', 'params'),
  ('SELECT secagg.pine_shard((SELECT p FROM fx), NULL, (SELECT nonce FROM fx))', 'measurement'),
  ('SELECT secagg.pine_shard((SELECT p FROM fx), ''{0,0,0,0}'', NULL)', 'nonce'),
  ('SELECT secagg.pine_shard((SELECT p FROM fx), ''{0,0,0,0}'', (SELECT nonce FROM fx), NULL)', 'rand'),
  ('SELECT secagg.pine_prep_init(NULL, vk, 0, nonce, pub, leader) FROM fx', 'params'),
  ('SELECT secagg.pine_prep_init(p, NULL, 0, nonce, pub, leader) FROM fx', 'verify_key'),
  ('SELECT secagg.pine_prep_init(p, vk, NULL, nonce, pub, leader) FROM fx', 'agg_id'),
  ('SELECT secagg.pine_prep_init(p, vk, 0, NULL, pub, leader) FROM fx', 'nonce'),
  ('SELECT secagg.pine_prep_init(p, vk, 0, nonce, NULL, leader) FROM fx', 'public_share'),
  ('SELECT secagg.pine_prep_init(p, vk, 0, nonce, pub, NULL) FROM fx', 'input_share'),
  ('SELECT secagg.pine_prep_shares_to_prep(NULL, ARRAY[l_share, h_share]) FROM fx', 'params'),
  ('SELECT secagg.pine_prep_shares_to_prep(p, NULL) FROM fx', 'prep_shares'),
  ('SELECT secagg.pine_prep_next(NULL, l_state, msg) FROM fx', 'params'),
  ('SELECT secagg.pine_prep_next(p, NULL, msg) FROM fx', 'prep_state'),
  ('SELECT secagg.pine_prep_next(p, l_state, NULL) FROM fx', 'prep_message'),
  ('SELECT secagg.pine_prep_finish(NULL, l_state, ARRAY[l_share, h_share]) FROM fx', 'params'),
  ('SELECT secagg.pine_prep_finish(p, NULL, ARRAY[l_share, h_share]) FROM fx', 'prep_state'),
  ('SELECT secagg.pine_prep_finish(p, l_state, NULL) FROM fx', 'prep_shares'),
  ('SELECT secagg.pine_agg(NULL::jsonb, out) FROM fx', 'params'),
  ('SELECT secagg.pine_agg(p, NULL::bytea) FROM fx', 'output_share'),
  ('SELECT secagg.pine_agg_count(NULL::jsonb, out) FROM fx', 'params'),
  ('SELECT secagg.pine_unshard(NULL, ARRAY[out, out], 1) FROM fx', 'params'),
  ('SELECT secagg.pine_unshard(p, NULL, 1) FROM fx', 'agg_shares'),
  ('SELECT secagg.pine_unshard(p, ARRAY[out, out], NULL) FROM fx', 'num_measurements')
) v(q, name);

-- ---- over-long inputs (the short ones are tested below) ----
SELECT throws_ok($$SELECT secagg.pine_shard((SELECT p FROM fx), ARRAY[0.1, 0, 0, 0]::float8[], '\x0000000000000000000000000000000000')$$, '22P03', NULL, 'shard: long nonce');
SELECT throws_ok($$SELECT secagg.pine_shard((SELECT p FROM fx), ARRAY[0.1, 0, 0, 0]::float8[], '\x00000000000000000000000000000000', ('\x' || repeat('00', (SELECT (p->>'rand_len')::int + 1 FROM fx)))::bytea)$$, '22P03', NULL, 'shard: long rand');
SELECT throws_ok($$SELECT secagg.pine_prep_init(p, vk || '\x00'::bytea, 0, nonce, pub, leader) FROM fx$$, '22P03', NULL, 'prep_init: long verify key');
SELECT throws_ok($$SELECT secagg.pine_prep_init(p, vk, 0, nonce || '\x00'::bytea, pub, leader) FROM fx$$, '22P03', NULL, 'prep_init: long nonce');
SELECT throws_ok($$SELECT secagg.pine_prep_init(p, vk, 0, nonce, pub || '\x00'::bytea, leader) FROM fx$$, '22P03', NULL, 'prep_init: long public share');
SELECT throws_ok($$SELECT secagg.pine_prep_init(p, vk, 1, nonce, pub, helper || '\x00'::bytea) FROM fx$$, '22P03', NULL, 'prep_init: long helper input share');
SELECT throws_ok($$SELECT secagg.pine_prep_next(p, l_state, msg || '\x00'::bytea) FROM fx$$, '22P03', NULL, 'prep_next: long prep message');
SELECT throws_ok($$SELECT secagg.pine_agg(p, out || '\x00'::bytea) FROM fx$$, '22P03', NULL, 'agg: long output share');
SELECT throws_ok($$SELECT secagg.pine_unshard(p, ARRAY[out, out || '\x00'::bytea], 1) FROM fx$$, '22P03', NULL, 'unshard: long share');

-- ---- pine_params ----
SELECT throws_ok($$SELECT secagg.pine_params(NULL, 1.0, 4)$$, '22004', 'variant must not be NULL', 'params: NULL variant');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', NULL, 4)$$, '22023', 'give exactly one of l2_norm_bound and l2_norm_bound_fixed', 'params: NULL l2_norm_bound (and no l2_norm_bound_fixed)');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', 1.0, NULL)$$, '22004', NULL, 'params: NULL dimension');
SELECT throws_ok($$SELECT secagg.pine_params('Pine16', 1.0, 4)$$, '22023', NULL, 'params: unknown variant');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', 1.0, 0)$$, '22023', NULL, 'params: dimension 0');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', 1.0, 1000000000)$$, '22023', NULL, 'params: dimension over the cap');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', -1.0, 4)$$, '22023', NULL, 'params: negative bound');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', 'NaN', 4)$$, '22023', NULL, 'params: NaN bound');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', 'Infinity', 4)$$, '22023', NULL, 'params: infinite bound');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', 1e-9, 4)$$, '22023', NULL, 'params: bound below one unit');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', 1.0, 4, 128)$$, '22023', NULL, 'params: num_frac_bits 128');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', 1e6, 4, 30)$$, '22023', NULL, 'params: bound too large for the field');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', 1.0, 4, num_shares => 1)$$, '22023', NULL, 'params: one Aggregator');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', 1.0, 4, num_shares => 256)$$, '22023', NULL, 'params: 256 Aggregators');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', 1.0, 4, chunk_length => 0)$$, '22023', NULL, 'params: chunk_length 0');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', 1.0, 4, num_proofs => 0)$$, '22023', NULL, 'params: 0 proofs');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', 1.0, 4, num_wr_checks => 50, num_wr_successes => 60)$$, '22023', NULL, 'params: r_succ > r');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', 1.0, 4, alpha => 0)$$, '22023', NULL, 'params: alpha 0');

-- ---- params jsonb ----
SELECT throws_ok($$SELECT secagg.pine_params_check('[1]')$$, '22023', NULL, 'params jsonb: not an object');
SELECT throws_ok($$SELECT secagg.pine_params_check('{}')$$, '22023', NULL, 'params jsonb: empty object');
SELECT throws_ok($$SELECT secagg.pine_params_check('"Pine64"')$$, '22023', NULL, 'params jsonb: scalar');
SELECT throws_ok($$SELECT secagg.pine_params_check(jsonb_set((SELECT p FROM fx), '{leader_input_share_len}', '1'))$$, '22023', NULL, 'params jsonb: altered derived size');
SELECT throws_ok($$SELECT secagg.pine_params_check(jsonb_set((SELECT p FROM fx), '{digest}', '"00"'))$$, '22023', NULL, 'params jsonb: altered digest');
SELECT throws_ok($$SELECT secagg.pine_params_check((SELECT p FROM fx) - 'max_measurements')$$, '22023', NULL, 'params jsonb: missing derived key');
SELECT throws_ok($$SELECT secagg.pine_params_check((SELECT p FROM fx) || '{"extra": 1}')$$, '22023', NULL, 'params jsonb: extra key');
SELECT throws_ok($$SELECT secagg.pine_params_check(jsonb_set((SELECT p FROM fx), '{dimension}', '"4"'))$$, '22023', NULL, 'params jsonb: number as string');
SELECT throws_ok($$SELECT secagg.pine_params_check(jsonb_set((SELECT p FROM fx), '{dimension}', '-4'))$$, '22023', NULL, 'params jsonb: negative number');
SELECT throws_ok($$SELECT secagg.pine_params_check(jsonb_set((SELECT p FROM fx), '{dimension}', '4.5'))$$, '22023', NULL, 'params jsonb: fractional number');
SELECT throws_ok($$SELECT secagg.pine_params_check(jsonb_set((SELECT p FROM fx), '{variant}', '"Pine65"'))$$, '22023', NULL, 'params jsonb: unknown variant');
SELECT throws_ok($$SELECT secagg.pine_params_check(jsonb_set((SELECT p FROM fx), '{format}', '"secagg.server"'))$$, '22023', NULL, 'params jsonb: wrong format');
SELECT throws_ok($$SELECT secagg.pine_params_check(NULL)$$, '22004', NULL, 'params jsonb: NULL');
SELECT is(secagg.pine_params_check(p), p, 'params jsonb: canonical form round-trips') FROM fx;

-- ---- pine_shard ----
SELECT throws_ok($$SELECT secagg.pine_shard((SELECT p FROM fx), NULL, '\x00000000000000000000000000000000')$$, '22004', NULL, 'shard: NULL measurement');
SELECT throws_ok($$SELECT secagg.pine_shard((SELECT p FROM fx), ARRAY[0.1, NULL, 0, 0]::float8[], '\x00000000000000000000000000000000')$$, '22004', NULL, 'shard: NULL entry');
SELECT throws_ok($$SELECT secagg.pine_shard((SELECT p FROM fx), ARRAY[0.1, 0, 0]::float8[], '\x00000000000000000000000000000000')$$, '22023', NULL, 'shard: wrong dimension');
SELECT throws_ok($$SELECT secagg.pine_shard((SELECT p FROM fx), '{}'::float8[], '\x00000000000000000000000000000000')$$, '22023', NULL, 'shard: empty measurement');
SELECT throws_ok($$SELECT secagg.pine_shard((SELECT p FROM fx), ARRAY[[0.1, 0], [0, 0]]::float8[], '\x00000000000000000000000000000000')$$, '2202E', NULL, 'shard: two-dimensional measurement');
SELECT throws_ok($$SELECT secagg.pine_shard((SELECT p FROM fx), ARRAY['NaN', 0, 0, 0]::float8[], '\x00000000000000000000000000000000')$$, '22023', NULL, 'shard: NaN entry');
SELECT throws_ok($$SELECT secagg.pine_shard((SELECT p FROM fx), ARRAY['Infinity', 0, 0, 0]::float8[], '\x00000000000000000000000000000000')$$, '22023', NULL, 'shard: infinite entry');
SELECT throws_ok($$SELECT secagg.pine_shard((SELECT p FROM fx), ARRAY[0.8, 0.8, 0, 0]::float8[], '\x00000000000000000000000000000000')$$, '22003', NULL, 'shard: norm over the bound');
SELECT throws_ok($$SELECT secagg.pine_shard((SELECT p FROM fx), ARRAY[0.1, 0, 0, 0]::float8[], '\x000000')$$, '22P03', NULL, 'shard: short nonce');
SELECT throws_ok($$SELECT secagg.pine_shard((SELECT p FROM fx), ARRAY[0.1, 0, 0, 0]::float8[], '\x00000000000000000000000000000000', '\x00')$$, '22P03', NULL, 'shard: short rand');
SELECT throws_ok($$SELECT secagg.pine_shard((SELECT p FROM fx), ARRAY[0.1, 0, 0, 0]::float8[], '\x00000000000000000000000000000000', NULL)$$, '22004', NULL, 'shard: NULL rand');

-- ---- pine_prep_init ----
SELECT throws_ok($$SELECT secagg.pine_prep_init(p, '\x00', 0, nonce, pub, leader) FROM fx$$, '22P03', NULL, 'prep_init: short verify key');
SELECT throws_ok($$SELECT secagg.pine_prep_init(p, vk, 2, nonce, pub, leader) FROM fx$$, '22023', NULL, 'prep_init: agg_id out of range');
SELECT throws_ok($$SELECT secagg.pine_prep_init(p, vk, -1, nonce, pub, leader) FROM fx$$, '22023', NULL, 'prep_init: negative agg_id');
SELECT throws_ok($$SELECT secagg.pine_prep_init(p, vk, 0, nonce || '\x00', pub, leader) FROM fx$$, '22P03', NULL, 'prep_init: long nonce');
SELECT throws_ok($$SELECT secagg.pine_prep_init(p, vk, 0, nonce, substring(pub from 2), leader) FROM fx$$, '22P03', NULL, 'prep_init: short public share');
SELECT throws_ok($$SELECT secagg.pine_prep_init(p, vk, 0, nonce, pub, substring(leader from 2)) FROM fx$$, '22P03', NULL, 'prep_init: truncated Leader share');
SELECT throws_ok($$SELECT secagg.pine_prep_init(p, vk, 0, nonce, pub, helper) FROM fx$$, '22P03', NULL, 'prep_init: Helper share given to the Leader');
SELECT throws_ok($$SELECT secagg.pine_prep_init(p, vk, 1, nonce, pub, leader) FROM fx$$, '22P03', NULL, 'prep_init: Leader share given to the Helper');
SELECT throws_ok($$SELECT secagg.pine_prep_init(p, vk, 0, nonce, pub, overlay(leader placing '\xffffffffffffffff' from 1)) FROM fx$$, '22003', NULL, 'prep_init: non-canonical measurement element');
SELECT throws_ok($$SELECT secagg.pine_prep_init(p, vk, 0, nonce, pub, NULL) FROM fx$$, '22004', 'input_share must not be NULL', 'prep_init: NULL input share');
SELECT throws_ok($$SELECT secagg.pine_prep_init(p, vk, NULL, nonce, pub, leader) FROM fx$$, '22004', NULL, 'prep_init: NULL agg_id');

-- ---- pine_prep_shares_to_prep / pine_prep_finish ----
SELECT throws_ok($$SELECT secagg.pine_prep_shares_to_prep(p, ARRAY[l_share]) FROM fx$$, '22023', NULL, 'prep_shares_to_prep: one share for two Aggregators');
SELECT throws_ok($$SELECT secagg.pine_prep_shares_to_prep(p, ARRAY[l_share, h_share, h_share]) FROM fx$$, '22023', NULL, 'prep_shares_to_prep: three shares');
SELECT throws_ok($$SELECT secagg.pine_prep_shares_to_prep(p, ARRAY[l_share, substring(h_share from 2)]) FROM fx$$, '22P03', NULL, 'prep_shares_to_prep: short share');
SELECT throws_ok($$SELECT secagg.pine_prep_shares_to_prep(p, ARRAY[l_share, overlay(h_share placing '\xffffffffffffffff' from 1)]) FROM fx$$, '22003', NULL, 'prep_shares_to_prep: non-canonical verifier element');
SELECT throws_ok($$SELECT secagg.pine_prep_shares_to_prep(p, ARRAY[l_share, NULL]) FROM fx$$, '22004', NULL, 'prep_shares_to_prep: NULL element');
SELECT throws_ok($$SELECT secagg.pine_prep_finish(p, '{"format": "x"}', ARRAY[l_share, h_share]) FROM fx$$, '22023', NULL, 'prep_finish: bad state');

-- ---- pine_prep_next ----
SELECT throws_ok($$SELECT secagg.pine_prep_next(p, '[]', msg) FROM fx$$, '22023', NULL, 'prep_next: state not an object');
SELECT throws_ok($$SELECT secagg.pine_prep_next(p, p, msg) FROM fx$$, '22023', NULL, 'prep_next: params given as state');
SELECT throws_ok($$SELECT secagg.pine_prep_next(p, jsonb_set(l_state, '{state}', '"AAAA"'), msg) FROM fx$$, '22P03', NULL, 'prep_next: short state image');
SELECT throws_ok($$SELECT secagg.pine_prep_next(p, jsonb_set(l_state, '{state}', to_jsonb(translate(l_state->>'state', 'AQ', '!?'))), msg) FROM fx$$, '22P03', NULL, 'prep_next: invalid base64');
SELECT throws_ok($$SELECT secagg.pine_prep_next(p, jsonb_set(l_state, '{state}', to_jsonb(replace(encode('\x504e7331'::bytea || substring(decode(l_state->>'state', 'base64') from 5 for 40) || overlay(out placing '\xffffffffffffffff' from 1), 'base64'), E'\n', ''))), msg) FROM fx$$, '22003', NULL, 'prep_next: non-canonical element in a 0.3.0-form Leader state');
SELECT throws_ok($$SELECT secagg.pine_prep_next(p, jsonb_set(l_state, '{state}', to_jsonb(replace(encode(overlay(decode(l_state->>'state', 'base64') placing 'XXXX' from 1), 'base64'), E'\n', ''))), msg) FROM fx$$, '22P03', NULL, 'prep_next: bad state header');
SELECT throws_ok($$SELECT secagg.pine_prep_next(secagg.pine_params('Pine64', 1.0, 4, 14), l_state, msg) FROM fx$$, '22023', NULL, 'prep_next: state of other parameters');
SELECT throws_ok($$SELECT secagg.pine_prep_next(p, l_state, substring(msg from 2)) FROM fx$$, '22P03', NULL, 'prep_next: short prep message');
SELECT throws_ok($$SELECT secagg.pine_prep_next(p, l_state, NULL) FROM fx$$, '22004', NULL, 'prep_next: NULL prep message');
-- the state's base64 is decoded strictly and canonically (OpenSSL's decoder is lenient on its own)
SELECT throws_ok($$SELECT secagg.pine_prep_next(p, jsonb_set(l_state, '{state}', to_jsonb(overlay(l_state->>'state' placing '=' from 10))), msg) FROM fx$$,
                 '22P03', 'PINE prep state: "state" is not valid base64', 'prep_next: "=" inside the base64');
SELECT throws_ok($$SELECT secagg.pine_prep_next(p, jsonb_set(l_state, '{state}', to_jsonb(overlay(l_state->>'state' placing ' ' from 1))), msg) FROM fx$$,
                 '22P03', 'PINE prep state: "state" is not valid base64', 'prep_next: leading blank in the base64');
SELECT throws_ok($$SELECT secagg.pine_prep_next(p, jsonb_set(l_state, '{state}', to_jsonb(overlay(l_state->>'state' placing E'\n' from length(l_state->>'state') - 4))), msg) FROM fx$$,
                 '22P03', 'PINE prep state: "state" is not valid base64', 'prep_next: line break in the base64');
SELECT throws_ok($$SELECT secagg.pine_prep_next(p, jsonb_set(l_state, '{state}', to_jsonb(overlay(l_state->>'state' placing 'é' from 20 for 2))), msg) FROM fx$$,
                 '22P03', 'PINE prep state: "state" is not valid base64', 'prep_next: non-ASCII character in the base64');
SELECT throws_ok($$SELECT secagg.pine_prep_next(p, jsonb_set(l_state, '{state}', to_jsonb(overlay(l_state->>'state' placing
                     substr(a, strpos(a, substr(l_state->>'state', length(l_state->>'state') - 2, 1)) + 1, 1) from length(l_state->>'state') - 2))), msg)
                   FROM fx, (SELECT 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'::text AS a) z$$,
                 '22P03', 'PINE prep state: "state" is not valid base64', 'prep_next: non-zero bits under the base64 padding');
SELECT is(right(l_state->>'state', 2), '==', 'fixture: the Leader state image ends in two padding characters') FROM fx;
-- a Helper's state holds its measurement-share seed (since 0.2.1)
SELECT is((SELECT substring(i from 1 for 4) || substring(i from 45 for 1) || int4send(length(i)) || substring(i from 46)
           FROM (SELECT decode(h_state->>'state', 'base64') AS i FROM fx) z),
          (SELECT '\x504e6831'::bytea || '\x01'::bytea || int4send(61) || substring(helper from 1 for 16) FROM fx),
          'prep_init: Helper state is PNh1, digest, seeds, id 1 and its measurement-share seed');
SELECT is((SELECT secagg.pine_unshard(p, ARRAY[out, n.output_share], 1) FROM fx, LATERAL secagg.pine_prep_next(p, h_state, msg) n),
          '{0.5,-0.25,0.125,0}'::float8[], 'prep_next: Helper seed state expands to its output share');
SELECT is((SELECT n.output_share FROM fx, LATERAL secagg.pine_prep_next(p, jsonb_set(h_state, '{state}',
             to_jsonb(replace(encode('\x504e7331'::bytea || substring(decode(h_state->>'state', 'base64') from 5 for 40)
                                     || (SELECT output_share FROM secagg.pine_prep_next(p, h_state, msg)), 'base64'), E'\n', ''))), msg) n),
          (SELECT output_share FROM fx, LATERAL secagg.pine_prep_next(p, h_state, msg)),
          'prep_next: a Helper state in the 0.2.0 output-share form gives the same output share');
SELECT throws_ok($$SELECT secagg.pine_prep_next(p, jsonb_set(h_state, '{state}', to_jsonb(replace(encode(overlay(decode(h_state->>'state', 'base64') placing '\x00' from 45), 'base64'), E'\n', ''))), msg) FROM fx$$,
                 '22P03', 'PINE prep state: malformed input', 'prep_next: Helper state naming the Leader');
SELECT throws_ok($$SELECT secagg.pine_prep_next(p, jsonb_set(h_state, '{state}', to_jsonb(replace(encode(overlay(decode(h_state->>'state', 'base64') placing '\x02' from 45), 'base64'), E'\n', ''))), msg) FROM fx$$,
                 '22P03', 'PINE prep state: malformed input', 'prep_next: Helper state naming a Helper that does not exist');
SELECT throws_ok($$SELECT secagg.pine_prep_next(p, jsonb_set(h_state, '{state}', to_jsonb(replace(encode(substring(decode(h_state->>'state', 'base64') from 1 for 60), 'base64'), E'\n', ''))), msg) FROM fx$$,
                 '22P03', 'PINE prep state: "state" has the wrong length for these parameters', 'prep_next: truncated Helper state');

-- ---- the Leader's state: seeds and the digest of its input share (0.4.0) ----
SELECT is((SELECT substring(i from 1 for 4) || int4send(length(i)) FROM (SELECT decode(l_state->>'state', 'base64') AS i FROM fx) z),
          '\x504e6c31'::bytea || int4send(76), 'prep_init: the Leader state is PNl1, 76 bytes (header, seeds, digest)');
SELECT is((SELECT substring(decode(l_state->>'state', 'base64') from 45) FROM fx), (SELECT sha256(leader) FROM fx),
          'prep_init: the Leader state ends with SHA-256 of its input share');
SELECT is((SELECT out FROM fx), (SELECT substring(leader from 1 for 32) FROM fx),
          'prep_next: the Leader''s output share is the first d elements of its input share');
SELECT throws_ok($$SELECT secagg.pine_prep_next(p, l_state, msg) FROM fx$$, '22004',
                 'pine_prep_next: input_share must be given for a Leader''s prep state', 'prep_next: Leader state without input_share');
SELECT throws_ok($$SELECT secagg.pine_prep_finish(p, l_state, ARRAY[l_share, h_share]) FROM fx$$, '22004',
                 'pine_prep_finish: input_share must be given for a Leader''s prep state', 'prep_finish: Leader state without input_share');
SELECT throws_ok($$SELECT secagg.pine_prep_next(p, l_state, msg, set_byte(leader, 0, get_byte(leader, 0) # 1)) FROM fx$$, 'SA023',
                 'pine_prep_next: input_share is not the input share this prep state was made from', 'prep_next: another input share (output part)');
SELECT throws_ok($$SELECT secagg.pine_prep_next(p, l_state, msg, set_byte(leader, length(leader) - 1, get_byte(leader, length(leader) - 1) # 128)) FROM fx$$, 'SA023',
                 NULL, 'prep_next: another input share (last byte, a blind)');
SELECT throws_ok($$SELECT secagg.pine_prep_next(p, l_state, msg, l2.leader) FROM fx,
                     LATERAL secagg.pine_shard(p, ARRAY[0.5, -0.25, 0.125, 0]::float8[], nonce) s2, LATERAL (SELECT s2.input_shares[1] AS leader) l2$$, 'SA023',
                 NULL, 'prep_next: the Leader''s input share of another report of the same measurement');
SELECT throws_ok($$SELECT secagg.pine_prep_finish(p, l_state, ARRAY[l_share, h_share], set_byte(leader, 3, get_byte(leader, 3) # 4)) FROM fx$$, 'SA023',
                 'pine_prep_finish: input_share is not the input share this prep state was made from', 'prep_finish: another input share');
SELECT is((SELECT accepted FROM fx, LATERAL secagg.pine_prep_finish(p, l_state, ARRAY[l_share, l_share], leader)), false,
          'prep_finish: prep shares that do not verify reject');
SELECT throws_ok($$SELECT secagg.pine_prep_finish(p, l_state, ARRAY[l_share, l_share], set_byte(leader, 0, get_byte(leader, 0) # 1)) FROM fx$$, 'SA023',
                 NULL, 'prep_finish: a wrong input share is an error even when the proofs reject');
SELECT throws_ok($$SELECT secagg.pine_prep_finish(p, l_state, ARRAY[l_share, l_share]) FROM fx$$, '22004',
                 NULL, 'prep_finish: a missing input share is an error even when the proofs reject');
SELECT throws_ok($$SELECT secagg.pine_prep_next(p, l_state, msg, substring(leader from 2)) FROM fx$$, '22P03', NULL, 'prep_next: short input_share');
SELECT throws_ok($$SELECT secagg.pine_prep_next(p, l_state, msg, helper) FROM fx$$, '22P03', NULL, 'prep_next: a Helper''s input share for the Leader''s state');
SELECT throws_ok($$SELECT secagg.pine_prep_next(p, jsonb_set(l_state, '{state}', to_jsonb(replace(encode(set_byte(i, 75, get_byte(i, 75) # 1), 'base64'), E'\n', ''))), msg, leader)
                   FROM fx, LATERAL (SELECT decode(l_state->>'state', 'base64') AS i) z$$, 'SA023', NULL, 'prep_next: altered digest in the Leader state');
SELECT is((SELECT n.accepted::text || n.reject_reason FROM fx, LATERAL secagg.pine_prep_next(p, l_state, set_byte(msg, 0, get_byte(msg, 0) # 1), leader) n),
          'falsewraparound_joint_rand_seed', 'prep_next: with the right input share, another prep message still rejects');
SELECT is((SELECT output_share FROM fx, LATERAL secagg.pine_prep_next(p, h_state, msg, leader)),
          (SELECT output_share FROM fx, LATERAL secagg.pine_prep_next(p, h_state, msg)), 'prep_next: input_share is ignored with a Helper state');
-- a Leader state made by 0.3.0 (PNs1: its output share inside) finishes with or without input_share
SELECT is((SELECT n.output_share FROM fx, LATERAL secagg.pine_prep_next(p, jsonb_set(l_state, '{state}',
             to_jsonb(replace(encode('\x504e7331'::bytea || substring(decode(l_state->>'state', 'base64') from 5 for 40) || out, 'base64'), E'\n', ''))), msg) n),
          (SELECT out FROM fx), 'prep_next: a Leader state in the 0.3.0 output-share form finishes without input_share');
SELECT is((SELECT f.output_share FROM fx, LATERAL secagg.pine_prep_finish(p, jsonb_set(l_state, '{state}',
             to_jsonb(replace(encode('\x504e7331'::bytea || substring(decode(l_state->>'state', 'base64') from 5 for 40) || out, 'base64'), E'\n', ''))),
             ARRAY[l_share, h_share], leader) f),
          (SELECT out FROM fx), 'prep_finish: a Leader state in the 0.3.0 output-share form finishes (input_share ignored)');

-- ---- pine_agg ----
SELECT throws_ok($$SELECT secagg.pine_agg(p, substring(out from 2)) FROM fx$$, '22P03', NULL, 'agg: short output share');
SELECT throws_ok($$SELECT secagg.pine_agg(p, overlay(out placing '\xffffffffffffffff' from 9)) FROM fx$$, '22003', NULL, 'agg: non-canonical output share');
SELECT throws_ok($$SELECT secagg.pine_agg((SELECT p FROM fx), o) FROM (VALUES ((SELECT out FROM fx)), (NULL)) v(o)$$, '22004', NULL, 'agg: NULL output share');
SELECT throws_ok($$SELECT secagg.pine_agg(q, (SELECT out FROM fx)) FROM (VALUES ((SELECT p FROM fx)), (secagg.pine_params('Pine64', 1.0, 4, 14))) v(q)$$, '22023', NULL, 'agg: mixed parameters in one group');
-- Field32 with a 1.0 bound at 15 fractional bits: max_measurements = 65520.
CREATE TEMP TABLE small AS SELECT secagg.pine_params('Pine32HmacSha256Aes128', 1.0, 1) AS p;
SELECT is((SELECT (p->>'max_measurements')::bigint FROM small), 65520::bigint, 'agg: Field32 batch cap');
SELECT is((SELECT secagg.pine_agg_count(p, '\x00000000') FROM small, generate_series(1, 65520)), 65520::bigint, 'agg: a full batch is accepted');
SELECT throws_ok($$SELECT secagg.pine_agg(p, '\x00000000') FROM small, generate_series(1, 65521)$$, '54000', NULL, 'agg: one report over the batch cap');

-- ---- pine_unshard ----
SELECT throws_ok($$SELECT secagg.pine_unshard(p, ARRAY[out], 1) FROM fx$$, '22023', NULL, 'unshard: one share for two Aggregators');
SELECT throws_ok($$SELECT secagg.pine_unshard(p, ARRAY[out, substring(out from 2)], 1) FROM fx$$, '22P03', NULL, 'unshard: short share');
SELECT throws_ok($$SELECT secagg.pine_unshard(p, ARRAY[out, overlay(out placing '\xffffffffffffffff' from 1)], 1) FROM fx$$, '22003', NULL, 'unshard: non-canonical element');
SELECT throws_ok($$SELECT secagg.pine_unshard(p, ARRAY[out, out], -1) FROM fx$$, '22023', NULL, 'unshard: negative batch size');
SELECT throws_ok($$SELECT secagg.pine_unshard(p, ARRAY['\x00000000'::bytea, '\x00000000'::bytea], 65521) FROM small$$, '54000', NULL, 'unshard: batch size over the cap');
SELECT throws_ok($$SELECT secagg.pine_unshard(p, ARRAY[out, NULL], 1) FROM fx$$, '22004', NULL, 'unshard: NULL element');
SELECT throws_ok($$SELECT secagg.pine_unshard(p, out, 1) FROM fx$$, '42883', NULL, 'unshard: not an array');

-- ---- client retry ----
-- alpha 0.1 makes the wraparound bound far too small for a unit-norm vector:
-- every attempt fails, which the client reports as SA021 (retry) instead of a report.
CREATE TEMP TABLE tight AS SELECT secagg.pine_params('Pine64', 1.0, 4, alpha => 0.1) AS p;
SELECT throws_ok($$SELECT secagg.pine_shard(p, ARRAY[0.6, 0.6, 0.5, 0]::float8[], '\x00000000000000000000000000000000', ('\x' || repeat('ab', (p->>'rand_len')::int))::bytea) FROM tight$$, 'SA021', NULL, 'shard: wraparound checks fail for this rand');
SELECT throws_ok($$SELECT secagg.pine_shard(p, ARRAY[0.6, 0.6, 0.5, 0]::float8[], '\x00000000000000000000000000000000') FROM tight$$, 'SA021', NULL, 'shard: fresh randomness exhausted');

SELECT * FROM finish();
ROLLBACK;
