-- 11_limits.sql: long calls obey statement_timeout (the core's loops poll
-- PostgreSQL's cancel flags), and parameter sets whose values could never
-- fit in a PostgreSQL value are refused up front with 54000, at exactly the
-- limits the README gives.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(20);

-- Milliseconds a statement ran, and the SQLSTATE it ended with.
CREATE FUNCTION pg_temp.timed(q text, OUT ms numeric, OUT state text, OUT message text) LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
  state := '00000';
  BEGIN
    EXECUTE q;
  EXCEPTION WHEN query_canceled OR others THEN    -- 'others' does not cover a cancel
    state := SQLSTATE;
    message := SQLERRM;
  END;
  ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
END $$;

-- A Helper's pine_prep_init at d = 20,000,000 from a 16-byte seed takes about
-- 2 s of CPU here; cancelled after 100 ms it must stop within a second.
CREATE TEMP TABLE big AS SELECT secagg.pine_params('Pine64', 1.0, 20000000) AS p;
SET LOCAL statement_timeout = '100ms';
CREATE TEMP TABLE run AS SELECT * FROM pg_temp.timed($$
  SELECT x.prep_share FROM big, secagg.pine_prep_init(p, '\x000102030405060708090a0b0c0d0e0f', 1,
    '\x000102030405060708090a0b0c0d0e0f', decode(repeat('00', (p->>'public_share_len')::int), 'hex'),
    decode(repeat('00', (p->>'helper_input_share_len')::int), 'hex')) x$$);
RESET statement_timeout;
SELECT is(state, '57014', 'pine_prep_init at d = 20,000,000 is cancelled by statement_timeout') FROM run;
SELECT is(message, 'canceling statement due to statement timeout', 'with PostgreSQL''s own timeout message') FROM run;
SELECT cmp_ok(ms, '<', 1000::numeric, 'and stops well before it would have finished') FROM run;

-- The largest dimensions (README, Limits): with two Aggregators the first
-- value that stops fitting is pine_unshard's bytea[] of the two aggregate
-- shares, 24 + 2 * (4 + d * e) bytes, for every variant.
SELECT lives_ok($$SELECT secagg.pine_params('Pine64', 1.0, 67108853)$$, 'Pine64: d = 67,108,853 fits');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', 1.0, 67108854)$$, '54000',
                 'PINE params: pine_unshard''s aggregate shares (a bytea[] of num_shares) would be 1073741696 bytes, more than the 1073741695 a PostgreSQL value can hold here',
                 'Pine64: d = 67,108,854 is refused, naming the value');
SELECT lives_ok($$SELECT secagg.pine_params('Pine64HmacSha256Aes128', 1.0, 67108853)$$, 'Pine64HmacSha256Aes128: d = 67,108,853 fits');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64HmacSha256Aes128', 1.0, 67108854)$$, '54000', NULL,
                 'Pine64HmacSha256Aes128: d = 67,108,854 is refused');
SELECT lives_ok($$SELECT secagg.pine_params('Pine128', 1.0, 33554426)$$, 'Pine128: d = 33,554,426 fits');
SELECT throws_ok($$SELECT secagg.pine_params('Pine128', 1.0, 33554427)$$, '54000', NULL, 'Pine128: d = 33,554,427 is refused');
SELECT lives_ok($$SELECT secagg.pine_params('Pine32HmacSha256Aes128', 1.0, 134217707)$$, 'Pine32: d = 134,217,707 fits');
SELECT throws_ok($$SELECT secagg.pine_params('Pine32HmacSha256Aes128', 1.0, 134217708)$$, '54000', NULL,
                 'Pine32: d = 134,217,708 is refused');
SELECT lives_ok($$SELECT secagg.pine_params('Pine40HmacSha256Aes128', 1.0, 107374165, draft => '02')$$, 'Pine40: d = 107,374,165 fits');
SELECT throws_ok($$SELECT secagg.pine_params('Pine40HmacSha256Aes128', 1.0, 107374166, draft => '02')$$, '54000', NULL,
                 'Pine40: d = 107,374,166 is refused');
-- with three Aggregators the array holds three shares: two thirds of the dimension
SELECT lives_ok($$SELECT secagg.pine_params('Pine64', 1.0, 44739235, num_shares => 3)$$, 'Pine64, 3 Aggregators: d = 44,739,235 fits');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', 1.0, 44739236, num_shares => 3)$$, '54000', NULL,
                 'Pine64, 3 Aggregators: d = 44,739,236 is refused');
-- the other two values that can bind first: the prep shares (long chunks, many proofs) ...
SELECT lives_ok($$SELECT secagg.pine_params('Pine32HmacSha256Aes128', 1.0, 1000, chunk_length => 263170, num_proofs => 255)$$,
                'prep shares of 536,869,044 bytes fit two to an array');
SELECT throws_ok($$SELECT secagg.pine_params('Pine32HmacSha256Aes128', 1.0, 1000, chunk_length => 263171, num_proofs => 255)$$, '54000',
                 'PINE params: the prep shares (a bytea[] of num_shares) would be 1073742200 bytes, more than the 1073741695 a PostgreSQL value can hold here',
                 'one chunk more and the prep shares do not');
-- ... and the input shares (many long norm-equality proofs)
SELECT lives_ok($$SELECT secagg.pine_params('Pine32HmacSha256Aes128', 1.0, 1048574, chunk_length_norm_equality => 2, num_proofs_norm_equality => 254)$$,
                'a Leader input share of 1,069,561,260 bytes fits');
SELECT throws_ok($$SELECT secagg.pine_params('Pine32HmacSha256Aes128', 1.0, 1048574, chunk_length_norm_equality => 2, num_proofs_norm_equality => 255)$$, '54000',
                 'PINE params: pine_shard''s input shares (a bytea[]) would be 1073755728 bytes, more than the 1073741695 a PostgreSQL value can hold here',
                 'one norm-equality proof more and the input shares do not');
-- a parameter document altered to a refused dimension is refused wherever it is used
SELECT throws_ok($$SELECT secagg.pine_params_check(jsonb_set(secagg.pine_params('Pine64', 1.0, 67108853), '{dimension}', '67108854'))$$,
                 '54000', NULL, 'a params document over the limit is refused by every function');

SELECT * FROM finish();
ROLLBACK;
