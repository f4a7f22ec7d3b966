-- 09_agg_states.sql: aggregate transition states are hostile input.
-- An unprivileged role can use every aggregate but cannot build its own over
-- the support functions (EXECUTE is revoked from PUBLIC). A role that has
-- been granted EXECUTE anyway gets a specific error, never a crash, for every
-- crafted state: through INITCOND into a transition function, through a
-- borrowed transition function into a final or combine function.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(37);
\ir secagg_helpers.psql

CREATE ROLE secagg_tap_plain NOLOGIN;
CREATE ROLE secagg_tap_granted NOLOGIN;
GRANT USAGE ON SCHEMA tap, secagg TO secagg_tap_plain, secagg_tap_granted;
GRANT CREATE ON SCHEMA tap TO secagg_tap_granted;
GRANT SELECT ON ALL TABLES IN SCHEMA tap TO secagg_tap_plain, secagg_tap_granted;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA secagg TO secagg_tap_granted;

-- Session a: 4 users, t = 3, m = 5; round 0 answered, round 1 answered.
SELECT tap.setup('a', 4, 3, 5);
SELECT tap.clients('a', 0);
CREATE TABLE tap.st0 AS SELECT state FROM tap.sess WHERE tag = 'a';
CREATE TABLE tap.out0 AS
  SELECT secagg.server_round_agg(s.state, m.user_id, m.message) AS o
  FROM tap.sess s JOIN tap.to_server m ON m.tag = s.tag AND m.round = 0 WHERE s.tag = 'a' GROUP BY s.tag;
GRANT SELECT ON tap.out0 TO secagg_tap_plain, secagg_tap_granted;
SELECT length(tap.apply_output('a', 0, o)) > 0 FROM tap.out0;
SELECT tap.clients('a', 1);
CREATE TABLE tap.out1 AS
  SELECT secagg.server_round_agg(s.state, m.user_id, m.message) AS o
  FROM tap.sess s JOIN tap.to_server m ON m.tag = s.tag AND m.round = 1 WHERE s.tag = 'a' GROUP BY s.tag;
GRANT SELECT ON ALL TABLES IN SCHEMA tap TO secagg_tap_plain, secagg_tap_granted;
CREATE TABLE tap.params AS SELECT secagg.pine_params('Pine64', 1.0, 20, 7, 150, 4) AS p;
GRANT SELECT ON tap.params TO secagg_tap_plain, secagg_tap_granted;

-- A pine_agg state: 'PNa3' | field | elem | 00 00 | count | max | d | digest | tag | min | elements.
CREATE FUNCTION tap.pine_state(field int, elem int, d bigint, elems bytea, cnt bigint DEFAULT 0,
                               mx bigint DEFAULT 1000, mn bigint DEFAULT 0)
RETURNS bytea LANGUAGE sql STABLE AS $$
  SELECT 'PNa3'::bytea || set_byte(set_byte('\x0000'::bytea, 0, field), 1, elem) || '\x0000'::bytea
         || int8send(cnt) || int8send(mx) || int8send(d)
         || decode((SELECT p->>'digest' FROM tap.params), 'hex') || decode(repeat('00', 16), 'hex') || int8send(mn) || elems
$$;
-- A server_round_agg state around a server state image.
CREATE FUNCTION tap.server_agg_state(img bytea) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
  SELECT 'SAG2'::bytea || '\x02000000'::bytea || int8send(length(img)) || decode(repeat('00', 56), 'hex') || img
$$;
-- Round-1 server image of session a with U1[3] (id 4) replaced by 1000000, an id outside the roster.
CREATE FUNCTION tap.u1_outside_roster() RETURNS bytea LANGUAGE sql STABLE AS $$
  SELECT overlay(decode(secagg.output_state(o)->>'image', 'base64')
                 PLACING int8send(1000000) FROM 136 + 4 * 40 + 3 * 72 + 1 FOR 8)
  FROM tap.out0
$$;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tap TO secagg_tap_plain, secagg_tap_granted;

-- ---- an unprivileged role: the aggregates work, the support functions do not ----
SET ROLE secagg_tap_plain;
SELECT is((SELECT secagg.server_round_agg(s.state, m.user_id, m.message)
             FROM tap.st0 s, tap.to_server m WHERE m.tag = 'a' AND m.round = 0 GROUP BY s.state),
          (SELECT o FROM tap.out0), 'plain role: server_round_agg gives the same output as its owner');
SELECT is((SELECT secagg.roster_agg(user_id, (kp).public_key) FROM tap.users WHERE tag = 'a'),
          (SELECT roster FROM tap.sess WHERE tag = 'a'), 'plain role: roster_agg works');
SELECT is((SELECT secagg.pine_agg_count(p, decode(repeat('00', 160), 'hex')) FROM tap.params, generate_series(1, 3)),
          3::bigint, 'plain role: pine_agg_count works');
SELECT is((SELECT secagg.pine_agg(p, decode(repeat('01', 160), 'hex')) FROM tap.params, generate_series(1, 2)),
          decode(repeat('0202020202020202', 20), 'hex'), 'plain role: pine_agg works');
SELECT throws_ok($$CREATE AGGREGATE tap.evil(jsonb, bytea) (SFUNC = secagg.pine_agg_trans, STYPE = bytea)$$,
                 '42501', NULL, 'plain role: no aggregate over pine_agg_trans');
SELECT throws_ok($$CREATE AGGREGATE tap.evil(bytea) (SFUNC = byteacat, STYPE = bytea, FINALFUNC = secagg.server_round_agg_final)$$,
                 '42501', NULL, 'plain role: no aggregate over server_round_agg_final');
SELECT throws_ok($$CREATE AGGREGATE tap.evil(jsonb, bigint, bytea) (SFUNC = secagg.server_round_agg_trans, STYPE = bytea, INITCOND = '')$$,
                 '42501', NULL, 'plain role: no aggregate over server_round_agg_trans');
SELECT throws_ok($$CREATE AGGREGATE tap.evil(bytea) (SFUNC = secagg.roster_agg_combine, STYPE = bytea)$$,
                 '42501', NULL, 'plain role: no aggregate over roster_agg_combine');
SELECT throws_ok($$SELECT secagg.pine_agg_final('\x00')$$, '42501', NULL,
                 'plain role: no direct call of a support function');
RESET ROLE;

-- ---- a role granted EXECUTE: crafted states fail cleanly ----
SET ROLE secagg_tap_granted;
SELECT throws_ok($$SELECT secagg.pine_agg_final('\x00')$$, '0A000',
                 'pine_agg_final is an aggregate support function and cannot be called directly',
                 'granted role: direct call of a support function');
SELECT throws_ok($$SELECT secagg.server_round_agg_combine('\x00', '\x00')$$, '0A000', NULL,
                 'granted role: direct call of server_round_agg_combine');

-- pine_agg_trans over INITCOND
CREATE FUNCTION tap.pine_initcond(st bytea) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  DROP AGGREGATE IF EXISTS tap.evil_pine(jsonb, bytea);
  EXECUTE format('CREATE AGGREGATE tap.evil_pine(jsonb, bytea) (SFUNC = secagg.pine_agg_trans, STYPE = bytea, INITCOND = %L)', st::text);
  RETURN tap.sqlstate_of($q$SELECT tap.evil_pine(p, decode(repeat('00', 160), 'hex')) FROM tap.params$q$);
END $$;
SELECT is(tap.pine_initcond(tap.pine_state(1, 4, 20, decode(repeat('00', 80), 'hex'))), 'XX001',
          'pine_agg_trans: a Field128 header over 4-byte elements is refused');
SELECT is(tap.pine_initcond(tap.pine_state(2, 4, 40, decode(repeat('00', 160), 'hex'))), '22023',
          'pine_agg_trans: 4-byte Field32 elements where Pine64 needs 8 are refused');
SELECT is(tap.pine_initcond(tap.pine_state(0, 4, 20, decode(repeat('00', 80), 'hex'))), 'XX001',
          'pine_agg_trans: Field64 with 4-byte elements is refused');
SELECT is(tap.pine_initcond(tap.pine_state(0, 8, 21, decode(repeat('00', 160), 'hex'))), 'XX001',
          'pine_agg_trans: a dimension that disagrees with the buffer is refused');
SELECT is(tap.pine_initcond(tap.pine_state(0, 8, 20, decode(repeat('ff', 160), 'hex'))), 'XX001',
          'pine_agg_trans: non-canonical elements are refused');
SELECT is(tap.pine_initcond(tap.pine_state(0, 8, 20, decode(repeat('00', 160), 'hex'), 1001)), 'XX001',
          'pine_agg_trans: a count beyond the cap is refused');
SELECT is(tap.pine_initcond(tap.pine_state(0, 8, 20, decode(repeat('00', 160), 'hex'))), '22023',
          'pine_agg_trans: a well-formed state of other parameters is refused');
SELECT is(tap.pine_initcond(tap.pine_state(0, 8, 20, decode(repeat('00', 160), 'hex'), 0,
                                           (SELECT (p->>'max_measurements')::bigint FROM tap.params))), '00000',
          'pine_agg_trans: a valid state of these parameters is adopted');
SELECT is(tap.pine_initcond('\x504e6132'), 'XX001', 'pine_agg_trans: a truncated header is refused');

-- pine_agg_final / pine_agg_count_final / pine_agg_combine over crafted states
CREATE AGGREGATE tap.evil_pine_final(bytea) (SFUNC = byteacat, STYPE = bytea, INITCOND = '', FINALFUNC = secagg.pine_agg_final);
CREATE AGGREGATE tap.evil_pine_count(bytea) (SFUNC = byteacat, STYPE = bytea, INITCOND = '', FINALFUNC = secagg.pine_agg_count_final);
SELECT throws_ok($$SELECT tap.evil_pine_final(tap.pine_state(1, 4, 20, decode(repeat('00', 80), 'hex')))$$,
                 'XX001', NULL, 'pine_agg_final: a Field128 header over 4-byte elements is refused');
SELECT throws_ok($$SELECT tap.evil_pine_final(tap.pine_state(2, 4, 40, decode(repeat('ff', 160), 'hex')))$$,
                 'XX001', NULL, 'pine_agg_final: non-canonical elements are refused');
SELECT throws_ok($$SELECT tap.evil_pine_final(tap.pine_state(0, 8, 20, decode(repeat('00', 160), 'hex'), 5, 10, 11))$$,
                 'XX001', 'pine_agg state is corrupt: minimum batch size beyond the batch cap',
                 'pine_agg_final: a minimum batch size beyond the cap is refused');
SELECT throws_ok($$SELECT tap.evil_pine_final(tap.pine_state(0, 8, 20, decode(repeat('00', 160), 'hex'), 5, 10, 6))$$,
                 'SA022', 'pine_agg: the batch has 5 reports, fewer than min_batch_size 6',
                 'pine_agg_final: a state whose count is under its minimum is not released');
SELECT lives_ok($$SELECT tap.evil_pine_final(tap.pine_state(0, 8, 20, decode(repeat('00', 160), 'hex'), 5, 10, 5))$$,
                'pine_agg_final: a state whose count is its minimum is released');
SELECT throws_ok($$SELECT tap.evil_pine_count(tap.pine_state(0, 8, 20, decode(repeat('00', 160), 'hex'), 5, 4))$$,
                 'XX001', NULL, 'pine_agg_count_final: a count beyond the cap is refused');
CREATE FUNCTION tap.pine_combine(a bytea, b bytea) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  DROP AGGREGATE IF EXISTS tap.evil_pine_comb(bytea);
  EXECUTE format('CREATE AGGREGATE tap.evil_pine_comb(bytea) (SFUNC = secagg.pine_agg_combine, STYPE = bytea, INITCOND = %L)', a::text);
  RETURN tap.sqlstate_of(format('SELECT tap.evil_pine_comb(%L::bytea)', b::text));
END $$;
SELECT is(tap.pine_combine(tap.pine_state(0, 8, 20, decode(repeat('00', 160), 'hex')),
                           tap.pine_state(1, 4, 40, decode(repeat('00', 160), 'hex'))), 'XX001',
          'pine_agg_combine: a Field128 header over 4-byte elements is refused');
SELECT is(tap.pine_combine(tap.pine_state(0, 8, 20, decode(repeat('ff', 160), 'hex')),
                           tap.pine_state(0, 8, 20, decode(repeat('00', 160), 'hex'))), 'XX001',
          'pine_agg_combine: a non-canonical accumulator is refused');
SELECT is(tap.pine_combine(tap.pine_state(0, 8, 20, decode(repeat('00', 160), 'hex')),
                           tap.pine_state(0, 8, 10, decode(repeat('00', 80), 'hex'))), '22023',
          'pine_agg_combine: states of different dimensions are refused');

-- server_round_agg_final / _combine / _trans over a U1 list naming a user outside the roster
CREATE AGGREGATE tap.evil_server_final(bytea) (SFUNC = byteacat, STYPE = bytea, INITCOND = '', FINALFUNC = secagg.server_round_agg_final);
SELECT throws_ok($$SELECT tap.evil_server_final(tap.server_agg_state(tap.u1_outside_roster()))$$,
                 'XX001', 'server_round_agg state is corrupt: invalid server state image',
                 'server_round_agg_final: U1 naming a user outside the roster is refused');
SELECT throws_ok($$SELECT tap.evil_server_final(overlay(tap.server_agg_state(decode(secagg.output_state(o)->>'image', 'base64'))
                                                         PLACING int8send(length(o)) FROM 9 FOR 8)) FROM tap.out0$$,
                 'XX001', 'server_round_agg state is corrupt: image longer than its buffer',
                 'server_round_agg_final: an image length beyond the buffer is refused');
SELECT throws_ok($$SELECT tap.evil_server_final(tap.server_agg_state(tap.u1_outside_roster()))$$,
                 'XX001', NULL, 'server_round_agg_final: U1 naming a user outside the roster is refused');
CREATE FUNCTION tap.server_combine(a bytea, b bytea) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  DROP AGGREGATE IF EXISTS tap.evil_server_comb(bytea);
  EXECUTE format('CREATE AGGREGATE tap.evil_server_comb(bytea) (SFUNC = secagg.server_round_agg_combine, STYPE = bytea, INITCOND = %L)', a::text);
  RETURN tap.sqlstate_of(format('SELECT tap.evil_server_comb(%L::bytea)', b::text));
END $$;
SELECT is(tap.server_combine(tap.server_agg_state(tap.u1_outside_roster()),
                             tap.server_agg_state(tap.u1_outside_roster())), 'XX001',
          'server_round_agg_combine: U1 naming a user outside the roster is refused');
CREATE FUNCTION tap.server_initcond(st bytea) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  DROP AGGREGATE IF EXISTS tap.evil_server(jsonb, bigint, bytea);
  EXECUTE format('CREATE AGGREGATE tap.evil_server(jsonb, bigint, bytea) (SFUNC = secagg.server_round_agg_trans, STYPE = bytea, INITCOND = %L, FINALFUNC = secagg.server_round_agg_final)', st::text);
  RETURN tap.sqlstate_of($q$SELECT tap.evil_server(secagg.output_state(o), 1, '\x01') FROM tap.out0$q$);
END $$;
-- the same aggregate over the real round-1 messages of session a
CREATE FUNCTION tap.server_initcond_round1() RETURNS bytea LANGUAGE plpgsql AS $$
BEGIN
  RETURN (SELECT tap.evil_server(s.state, m.user_id, m.message)
          FROM tap.sess s JOIN tap.to_server m ON m.tag = s.tag AND m.round = 1 WHERE s.tag = 'a' GROUP BY s.tag);
END $$;
SELECT is(tap.server_initcond(tap.server_agg_state(tap.u1_outside_roster())), 'XX001',
          'server_round_agg_trans: an INITCOND whose U1 names a user outside the roster is refused');
SELECT is(tap.server_initcond(tap.server_agg_state(decode((SELECT state FROM tap.st0)->>'image', 'base64'))),
          'SA001', 'server_round_agg_trans: a valid INITCOND of another round is refused (different state)');
SELECT is(tap.server_initcond(tap.server_agg_state((SELECT decode(secagg.output_state(o)->>'image', 'base64') FROM tap.out0))),
          'SA008' , 'server_round_agg_trans: a valid INITCOND of this round is adopted (its malformed message is rejected: too few remain)');
SELECT is(tap.server_initcond_round1(), (SELECT o FROM tap.out1),
          'server_round_agg_trans: an adopted INITCOND gives the same round output');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
