-- 10_mutation_kills.sql: checks written for mutants of test/mutations.txt
-- that the other suites let survive (scripts/mutate.sh). Each test names
-- the catalogue entry it kills in its description.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(11);
\ir secagg_helpers.psql

-- Sessions a and b: same sizes (4 users, t = 3, m = 5), different session ids and keys.
SELECT tap.setup('a', 4, 3, 5);
SELECT tap.setup('b', 4, 3, 5);
SELECT tap.clients('a', 0);
SELECT tap.clients('b', 0);
CREATE TABLE tap.out0 AS
  SELECT secagg.server_round_agg(s.state, m.user_id, m.message) AS o
  FROM tap.sess s JOIN tap.to_server m ON m.tag = s.tag AND m.round = 0 WHERE s.tag = 'a' GROUP BY s.tag;

-- A server_round_agg state around a server image:
-- 'SAG2' | kind | had_pending | mode | pad | used u64 | ident 32 | tag 16 | nrej u32 | pad 4 | image.
CREATE FUNCTION tap.server_agg_state(img bytea, had_pending int DEFAULT 0) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
  SELECT 'SAG2'::bytea || set_byte('\x02000000'::bytea, 1, had_pending) || int8send(length(img))
         || decode(repeat('00', 56), 'hex') || img
$$;
-- Session a's round-1 image (valid, no message pending), and the same with U1[3]
-- (id 4) replaced by 1000000, an id outside the roster.
CREATE FUNCTION tap.round1_image() RETURNS bytea LANGUAGE sql STABLE AS $$
  SELECT decode(secagg.output_state(o)->>'image', 'base64') FROM tap.out0
$$;
CREATE FUNCTION tap.u1_outside_roster() RETURNS bytea LANGUAGE sql STABLE AS $$
  SELECT overlay(tap.round1_image() PLACING int8send(1000000) FROM 136 + 4 * 40 + 3 * 72 + 1 FOR 8)
$$;
-- server_round_agg_combine(a, b) through an aggregate whose INITCOND is a: the SQLSTATE.
CREATE FUNCTION tap.server_combine(a bytea, b bytea) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  DROP AGGREGATE IF EXISTS tap.evil_server_comb(bytea);
  EXECUTE format('CREATE AGGREGATE tap.evil_server_comb(bytea) (SFUNC = secagg.server_round_agg_combine, STYPE = bytea, INITCOND = %L)', a::text);
  RETURN tap.sqlstate_of(format('SELECT tap.evil_server_comb(%L::bytea)', b::text));
END $$;

-- ---- server_round_agg_combine ----
SELECT is(tap.server_combine(tap.server_agg_state(tap.round1_image()), tap.server_agg_state(tap.round1_image())),
          '00000', 'server_round_agg_combine: two valid partial states merge');
SELECT is(tap.server_combine(tap.server_agg_state(tap.round1_image()), tap.server_agg_state(tap.u1_outside_roster())),
          'XX001', 'server_round_agg_combine: a corrupt SECOND state is refused as corrupt (pg-server-agg-combine-hdr)');
SELECT is(tap.server_combine(tap.server_agg_state(tap.round1_image()), tap.server_agg_state(tap.round1_image(), 1)),
          '0A000', 'server_round_agg_combine: a SECOND state that held server_recv messages is refused (pg-server-agg-combine-pending)');
SELECT is(tap.server_combine(tap.server_agg_state(tap.round1_image(), 1), tap.server_agg_state(tap.round1_image())),
          '0A000', 'server_round_agg_combine: a first state that held server_recv messages is refused');

-- ---- server_round_agg: one group, two sessions of the same sizes ----
SELECT throws_ok($$SELECT secagg.server_round_agg(s.state, m.user_id, m.message)
                   FROM tap.sess s JOIN tap.to_server m ON m.tag = s.tag AND m.round = 0
                   WHERE s.tag IN ('a', 'b')$$,
                 'SA001', 'server_round_agg: rows of one group carry different server states',
                 'server_round_agg: rows of two sessions of the same sizes in one group are refused (pg-server-agg-base-check)');

-- ---- pine_agg over crafted states ----
CREATE TABLE tap.params AS SELECT secagg.pine_params('Pine64', 1.0, 20, 7, 150, 4) AS p;
-- 'PNa3' | field | elem | 00 00 | count | max | d | digest | tag | min | elements.
CREATE FUNCTION tap.pine_state(field int, elem int, d bigint, elems bytea, cnt bigint DEFAULT 0,
                               mx bigint DEFAULT 1000, mn bigint DEFAULT 0)
RETURNS bytea LANGUAGE sql STABLE AS $$
  SELECT 'PNa3'::bytea || set_byte(set_byte('\x0000'::bytea, 0, field), 1, elem) || '\x0000'::bytea
         || int8send(cnt) || int8send(mx) || int8send(d)
         || decode((SELECT p->>'digest' FROM tap.params), 'hex') || decode(repeat('00', 16), 'hex') || int8send(mn) || elems
$$;
CREATE FUNCTION tap.pine_initcond(st bytea) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  DROP AGGREGATE IF EXISTS tap.evil_pine(jsonb, bytea);
  EXECUTE format('CREATE AGGREGATE tap.evil_pine(jsonb, bytea) (SFUNC = secagg.pine_agg_trans, STYPE = bytea, INITCOND = %L)', st::text);
  RETURN tap.sqlstate_of($q$SELECT tap.evil_pine(p, decode(repeat('00', 160), 'hex')) FROM tap.params$q$);
END $$;
CREATE FUNCTION tap.pine_combine(a bytea, b bytea) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  DROP AGGREGATE IF EXISTS tap.evil_pine_comb(bytea);
  EXECUTE format('CREATE AGGREGATE tap.evil_pine_comb(bytea) (SFUNC = secagg.pine_agg_combine, STYPE = bytea, INITCOND = %L)', a::text);
  RETURN tap.sqlstate_of(format('SELECT tap.evil_pine_comb(%L::bytea)', b::text));
END $$;

-- The digest of these (Pine64) parameters over a well-formed Field128 state
-- of the same dimension: only the field tells them apart.
SELECT is(tap.pine_initcond(tap.pine_state(1, 16, 20, decode(repeat('00', 320), 'hex'), 0,
                                           (SELECT (p->>'max_measurements')::bigint FROM tap.params))),
          '22023', 'pine_agg_trans: a Field128 state under the digest of Pine64 parameters is refused (pg-pine-agg-adopt-field)');
SELECT is(tap.pine_initcond(tap.pine_state(0, 8, 20, decode(repeat('00', 160), 'hex'), 0,
                                           (SELECT (p->>'max_measurements')::bigint FROM tap.params))),
          '00000', 'pine_agg_trans: the same state in Field64 is adopted');
-- Batch cap of the combine function, at the boundary: 2 + 2 <= 4 reports, 2 + 3 > 4.
SELECT is(tap.pine_combine(tap.pine_state(0, 8, 20, decode(repeat('00', 160), 'hex'), 2, 4),
                           tap.pine_state(0, 8, 20, decode(repeat('00', 160), 'hex'), 2, 4)),
          '00000', 'pine_agg_combine: partial states of exactly the batch cap together merge');
SELECT is(tap.pine_combine(tap.pine_state(0, 8, 20, decode(repeat('00', 160), 'hex'), 2, 4),
                           tap.pine_state(0, 8, 20, decode(repeat('00', 160), 'hex'), 3, 4)),
          '54000', 'pine_agg_combine: partial states of one report beyond the batch cap are refused (pg-pine-combine-batch-cap)');

-- pine_unshard's batch cap at the boundary: exactly max_measurements reports decode, one more does not.
SELECT is(tap.sqlstate_of($q$SELECT secagg.pine_unshard(p, ARRAY[decode(repeat('00', 160), 'hex'), decode(repeat('00', 160), 'hex')],
                                                       (p->>'max_measurements')::bigint) FROM tap.params$q$),
          '00000', 'pine_unshard: exactly max_measurements reports are accepted (pg-pine-unshard-batch-cap)');
SELECT is(tap.sqlstate_of($q$SELECT secagg.pine_unshard(p, ARRAY[decode(repeat('00', 160), 'hex'), decode(repeat('00', 160), 'hex')],
                                                       (p->>'max_measurements')::bigint + 1) FROM tap.params$q$),
          '54000', 'pine_unshard: max_measurements + 1 reports are refused');

SELECT * FROM finish();
ROLLBACK;
