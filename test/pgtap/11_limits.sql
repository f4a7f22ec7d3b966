-- 11_limits.sql: long calls obey statement_timeout (the core's loops poll
-- PostgreSQL's cancel flags), and parameter sets whose values could never
-- fit in a PostgreSQL value are refused up front with 54000, at exactly the
-- limits the README gives.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(10);

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

-- The largest dimensions whose prep states fit in jsonb (README, Limits).
SELECT lives_ok($$SELECT secagg.pine_params('Pine64', 1.0, 25165434)$$, 'Pine64: d = 25,165,434 fits');
SELECT throws_ok($$SELECT secagg.pine_params('Pine64', 1.0, 25165435)$$, '54000', NULL, 'Pine64: d = 25,165,435 is refused');
SELECT lives_ok($$SELECT secagg.pine_params('Pine128', 1.0, 12582717)$$, 'Pine128: d = 12,582,717 fits');
SELECT throws_ok($$SELECT secagg.pine_params('Pine128', 1.0, 12582718)$$, '54000', NULL, 'Pine128: d = 12,582,718 is refused');
SELECT lives_ok($$SELECT secagg.pine_params('Pine32HmacSha256Aes128', 1.0, 50330860)$$, 'Pine32: d = 50,330,860 fits');
SELECT throws_ok($$SELECT secagg.pine_params('Pine32HmacSha256Aes128', 1.0, 50330861)$$, '54000',
                 'PINE params: the Leader''s prep state, as base64 in jsonb would be 268431360 bytes, more than the 268431359 a PostgreSQL value can hold here',
                 'Pine32: d = 50,330,861 is refused, naming the value');
-- a parameter document altered to a refused dimension is refused wherever it is used
SELECT throws_ok($$SELECT secagg.pine_params_check(jsonb_set(secagg.pine_params('Pine64', 1.0, 25165434), '{dimension}', '25165435'))$$,
                 '54000', NULL, 'a params document over the limit is refused by every function');

SELECT * FROM finish();
ROLLBACK;
