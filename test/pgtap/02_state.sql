-- 02_state.sql: serialisation round trips on both sides at every round;
-- the server_recv path, the aggregate path (serial and parallel), mixed use
-- and any message order give byte-identical round outputs; a bad message or
-- a round with fewer than t messages leaves the state usable.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(125);
\ir secagg_helpers.psql

CREATE TABLE tap.pm (state jsonb, user_id bigint, message bytea) WITH (fillfactor = 10);
-- partitionwise aggregation: one partial state per partition, always merged
-- by the combine function
CREATE TABLE tap.pp (part int, g int, state jsonb, user_id bigint, message bytea) PARTITION BY LIST (part);
CREATE TABLE tap.pp0 PARTITION OF tap.pp FOR VALUES IN (0);
CREATE TABLE tap.pp1 PARTITION OF tap.pp FOR VALUES IN (1);
CREATE TABLE tap.pp2 PARTITION OF tap.pp FOR VALUES IN (2);
CREATE FUNCTION tap.agg_pp() RETURNS bytea LANGUAGE plpgsql AS $$
DECLARE
  o bytea;
BEGIN
  SET LOCAL enable_partitionwise_aggregate = on;
  SET LOCAL enable_hashagg = off;
  SET LOCAL max_parallel_workers_per_gather = 0;
  EXECUTE 'SELECT secagg.server_round_agg(state, user_id, message) FROM tap.pp GROUP BY g' INTO o;
  RETURN o;
END
$$;
CREATE FUNCTION tap.pp_plan() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  l text;
  res text := '';
BEGIN
  SET LOCAL enable_partitionwise_aggregate = on;
  SET LOCAL enable_hashagg = off;
  SET LOCAL max_parallel_workers_per_gather = 0;
  FOR l IN EXECUTE 'EXPLAIN (COSTS OFF) SELECT secagg.server_round_agg(state, user_id, message) FROM tap.pp GROUP BY g' LOOP
    res := res || l || E'\n';
  END LOOP;
  RETURN res;
END
$$;
CREATE FUNCTION tap.try_agg_pp() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  RETURN md5(tap.agg_pp());
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

-- Checks round r of session p_tag (clients answer first, from states
-- reloaded from text), then closes it with the aggregate.
CREATE FUNCTION tap.check_round(p_tag text, r int) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  st jsonb;
  full_st jsonb;
  part jsonb;
  rev jsonb;
  o_recv bytea;
  o_agg bytea;
  o bytea;
  rec record;
  ids bigint[];
  t int;
  u1 bigint;
  cs jsonb;
  step1 secagg.client_step;
  step2 secagg.client_step;
BEGIN
  -- client side: one user answers from the stored state and from a copy
  -- reloaded from text
  SELECT min(user_id) INTO u1 FROM tap.to_user m
   WHERE m.tag = p_tag AND m.round = r
     AND (SELECT drop_after FROM tap.users u WHERE u.tag = p_tag AND u.user_id = m.user_id) > r;
  cs := tap.cstate(p_tag, u1);
  RETURN NEXT is((cs ->> 'round')::int, r, format('round %s: client state summary says round %s', r, r));
  step1 := secagg.client_round(cs, tap.msg_to_user(p_tag, r, u1));
  step2 := secagg.client_round(cs::text::jsonb, tap.msg_to_user(p_tag, r, u1));
  RETURN NEXT is((step2.state ->> 'round')::int, r + 1,
                 format('round %s: a client state reloaded from text answers and moves to round %s', r, r + 1));
  IF r >= 2 THEN
    RETURN NEXT is(step2, step1,
                   format('round %s: reloaded client gives the same (deterministic) answer and state', r));
  ELSE
    RETURN NEXT isnt(step2.message, step1.message,
                     format('round %s: two answers from one state differ (fresh randomness)', r));
  END IF;
  PERFORM tap.clients(p_tag, r, true);

  st := tap.sstate(p_tag);
  t := (st ->> 'threshold')::int;
  SELECT array_agg(user_id ORDER BY user_id) INTO ids FROM tap.to_server WHERE tag = p_tag AND round = r;
  RETURN NEXT is(ARRAY[(st ->> 'round')::int, (st ->> 'received')::int], ARRAY[r, 0],
                 format('round %s: server state summary before any message', r));

  full_st := tap.recv_all(p_tag, r, st);
  RETURN NEXT is((full_st ->> 'received')::int, cardinality(ids),
                 format('round %s: received counts every message', r));
  o_recv := secagg.server_round(full_st);

  -- text round trip of the state: same output
  RETURN NEXT is(secagg.server_round(full_st::text::jsonb), o_recv,
                 format('round %s: state passed through text closes the round identically', r));

  -- reverse order, text round trip after every step
  rev := st;
  FOR rec IN SELECT user_id, message FROM tap.to_server
              WHERE tag = p_tag AND round = r ORDER BY user_id DESC LOOP
    rev := secagg.server_recv(rev::text::jsonb, rec.user_id, rec.message)::text::jsonb;
  END LOOP;
  RETURN NEXT is(secagg.server_round(rev), o_recv, format('round %s: message order does not matter', r));

  -- aggregate path
  SELECT secagg.server_round_agg(s.state, m.user_id, m.message) INTO o_agg
    FROM tap.sess s JOIN tap.to_server m ON m.tag = s.tag AND m.round = r
   WHERE s.tag = p_tag GROUP BY s.tag;
  RETURN NEXT is(o_agg, o_recv, format('round %s: server_round_agg = server_recv + server_round', r));

  -- parallel aggregate (partial aggregates combined)
  TRUNCATE tap.pm;
  INSERT INTO tap.pm SELECT st, user_id, message FROM tap.to_server WHERE tag = p_tag AND round = r;
  ANALYZE tap.pm;
  SET LOCAL parallel_setup_cost = 0;
  SET LOCAL parallel_tuple_cost = 0;
  SET LOCAL min_parallel_table_scan_size = 0;
  SET LOCAL max_parallel_workers_per_gather = 2;
  SELECT secagg.server_round_agg(state, user_id, message) INTO o FROM tap.pm;
  RESET parallel_setup_cost;
  RESET parallel_tuple_cost;
  RESET min_parallel_table_scan_size;
  RETURN NEXT is(o, o_recv, format('round %s: parallel server_round_agg gives the same output', r));

  -- partitionwise: the combine function merges three partial states
  TRUNCATE tap.pp;
  INSERT INTO tap.pp SELECT user_id % 3, 1, st, user_id, message FROM tap.to_server WHERE tag = p_tag AND round = r;
  ANALYZE tap.pp;
  RETURN NEXT matches(tap.pp_plan(), 'Finalize.*Partial.*Partial.*Partial',
                      format('round %s: the plan aggregates each of the 3 partitions separately', r));
  RETURN NEXT is(tap.agg_pp(), o_recv, format('round %s: partitionwise server_round_agg (combine) gives the same output', r));
  IF r = 2 THEN
    -- a state that already holds one message (server_recv), then the
    -- aggregate over the others, partitionwise
    UPDATE tap.pp SET state = secagg.server_recv(st, ids[1], tap.msg_to_server(p_tag, r, ids[1]));
    DELETE FROM tap.pp WHERE user_id = ids[1];
    RETURN NEXT is(tap.try_agg_pp(),
                   '0A000: server_round_agg cannot split a round whose state already holds messages received with server_recv',
                   format('round %s: server_recv then partitionwise server_round_agg is refused (0A000)', r));
  END IF;

  -- mixed: server_recv for the first user, the aggregate for the others
  part := secagg.server_recv(st, ids[1], tap.msg_to_server(p_tag, r, ids[1]));
  SELECT secagg.server_round_agg(part, m.user_id, m.message) INTO o
    FROM tap.to_server m WHERE m.tag = p_tag AND m.round = r AND m.user_id <> ids[1];
  RETURN NEXT is(o, o_recv, format('round %s: server_recv then server_round_agg for the rest', r));

  -- t - 1 messages: SA008, then the same state completes
  part := st;
  FOR k IN 1 .. t - 1 LOOP
    part := secagg.server_recv(part, ids[k], tap.msg_to_server(p_tag, r, ids[k]));
  END LOOP;
  RETURN NEXT is(tap.sqlstate_of(format('SELECT secagg.server_round(%L::jsonb)', part)), 'SA008',
                 format('round %s: t - 1 messages raise SA008', r));
  -- bad messages are refused and change nothing
  RETURN NEXT is(tap.sqlstate_of(format('SELECT secagg.server_recv(%L::jsonb, %s, %L::bytea)', part, ids[t],
                                        tap.flip(tap.msg_to_server(p_tag, r, ids[t]), 10))), 'SA001',
                 format('round %s: a message with a flipped context byte raises SA001', r));
  RETURN NEXT is(tap.sqlstate_of(format('SELECT secagg.server_recv(%L::jsonb, %s, %L::bytea)', part, ids[t],
                                        tap.trunc(tap.msg_to_server(p_tag, r, ids[t])))), '22P03',
                 format('round %s: a truncated message raises 22P03', r));
  RETURN NEXT is(tap.sqlstate_of(format('SELECT secagg.server_recv(%L::jsonb, %s, %L::bytea)', part, ids[1],
                                        tap.msg_to_server(p_tag, r, ids[1]))), 'SA004',
                 format('round %s: a repeated message raises SA004', r));
  FOR k IN t .. cardinality(ids) LOOP
    part := secagg.server_recv(part, ids[k], tap.msg_to_server(p_tag, r, ids[k]));
  END LOOP;
  RETURN NEXT is(secagg.server_round(part), o_recv,
                 format('round %s: after SA008 and refused messages the same state completes identically', r));

  -- the output's state survives text, and is the state of the next round
  RETURN NEXT is(secagg.output_state(o_recv)::text::jsonb, secagg.output_state(o_recv),
                 format('round %s: output state through text', r));
  RETURN NEXT is((secagg.output_state(o_recv) ->> 'round')::int, CASE WHEN r = 4 THEN 5 ELSE r + 1 END,
                 format('round %s: output state is at the next round', r));
  INSERT INTO tap.states (tag, round, state) VALUES (p_tag, r, st);
  PERFORM tap.apply_output(p_tag, r, o_agg);
END
$$;

SELECT tap.setup('s', 12, 7, 6, 'full', 11, 7);
SELECT tap.drop('s', '{32}', 2);   -- no masked input
SELECT tap.drop('s', '{53}', 4);   -- no unmasking shares
SELECT * FROM tap.check_round('s', 0);
SELECT * FROM tap.check_round('s', 1);
SELECT * FROM tap.check_round('s', 2);
SELECT * FROM tap.check_round('s', 3);
SELECT * FROM tap.check_round('s', 4);
SELECT is((SELECT result FROM tap.sess WHERE tag = 's'), tap.expected('s'), 'checked session: exact sum');
SELECT is(tap.sstate('s') ->> 'finished', 'true', 'checked session: server state says finished');
SELECT is(ARRAY[(tap.sstate('s') ->> 'round')::int, (tap.sstate('s') ->> 'received')::int], '{5,0}'::int[],
          'checked session: final server state at round 5 with nothing pending');
SELECT is((SELECT count(*) FROM tap.users WHERE tag = 's' AND state ->> 'finished' = 'true'), 10::bigint,
          'checked session: the 10 users that answered round 4 are finished');
SELECT is((SELECT array_agg((state ->> 'round')::int ORDER BY user_id) FROM tap.users WHERE tag = 's'),
          '{5,5,5,2,5,5,4,5,5,5,5,5}'::int[], 'checked session: rounds of the client states');
SELECT throws_ok($$SELECT secagg.server_round(tap.sstate('s'))$$, 'SA011',
                 'the session is finished: there is no round to close', 'a finished session cannot run another round');
SELECT throws_ok($$SELECT secagg.server_recv(tap.sstate('s'), 11, tap.msg_to_server('s', 4, 11))$$, 'SA011',
                 'message from user 11 rejected: the session is finished',
                 'a finished session accepts no message');

-- server state summary fields after every round
SELECT is((SELECT array_agg(ARRAY[(state ->> 'u1')::int, (state ->> 'u2')::int, (state ->> 'u3')::int,
                                  (state ->> 'u4')::int] ORDER BY round)
           FROM tap.states WHERE tag = 's'),
          '{{0,0,0,0},{12,0,0,0},{12,12,0,0},{12,12,11,0},{12,12,11,11}}'::int[],
          'server state summary: set sizes at the start of each round');
SELECT is((SELECT array_agg(DISTINCT state ->> 'session_id') FROM tap.states WHERE tag = 's'),
          ARRAY[encode((SELECT sid FROM tap.sess WHERE tag = 's'), 'hex')],
          'server state summary: session_id is the hex of the session id');
SELECT is((SELECT array_agg(DISTINCT ARRAY[(state ->> 'threshold')::int, (state ->> 'vector_length')::int,
                                           (state ->> 'users')::int])
           FROM tap.states WHERE tag = 's'), '{{7,6,12}}'::int[],
          'server state summary: threshold, vector_length, users');
SELECT is((SELECT array_agg(DISTINCT state ->> 'format' || '/' || (state ->> 'version')) FROM tap.states WHERE tag = 's'),
          '{secagg.server/1}'::text[], 'server state summary: format and version');
SELECT is((SELECT array_agg(DISTINCT ARRAY[state ->> 'format', state ->> 'version', state ->> 'user_id',
                                           state ->> 'vector_length'])
           FROM tap.cstates WHERE tag = 's' AND user_id = 11),
          '{{secagg.client,1,11,6}}'::text[], 'client state summary: format, version, user_id, vector_length');

-- the aggregate over zero rows is NULL; output accessors on each kind
SELECT is((SELECT secagg.server_round_agg(state, user_id, message) FROM tap.pm WHERE false), NULL,
          'server_round_agg over no rows is NULL');
SELECT is(secagg.output_is_vector(output), round = 4, 'output_is_vector for round ' || round)
FROM tap.states WHERE tag = 's' AND round IN (0, 4);
SELECT throws_ok($$SELECT secagg.output_vector(output) FROM tap.states WHERE tag = 's' AND round = 3$$, 'SA002',
                 'this round output holds messages, not the final vector', 'output_vector of a message output');
SELECT throws_ok($$SELECT * FROM secagg.output_messages((SELECT output FROM tap.states WHERE tag = 's' AND round = 4))$$,
                 'SA002', 'this round output holds the final vector, not messages', 'output_messages of a vector output');
SELECT is((SELECT count(*) FROM secagg.output_messages((SELECT output FROM tap.states WHERE tag = 's' AND round = 1))),
          12::bigint, 'round 1 output: one message per member of U2');
SELECT throws_ok($$SELECT secagg.output_state(tap.trunc(output)) FROM tap.states WHERE tag = 's' AND round = 2$$,
                 '22P03', 'server round output: malformed message or state', 'truncated round output');
SELECT throws_ok($$SELECT secagg.output_vector(output || '\x00'::bytea) FROM tap.states WHERE tag = 's' AND round = 4$$,
                 '22P03', 'server round output: malformed message or state', 'round output with a trailing byte');
SELECT throws_ok($$SELECT secagg.output_is_vector('\x53414f31'::bytea)$$, '22P03', NULL, 'round output of 4 bytes');

-- Rounds 0, 2 and 3 send every user the same message: the output holds it once.
SELECT ok(secagg.output_broadcast(output) IS NOT NULL, format('round %s output is a broadcast', round))
FROM tap.states WHERE tag = 's' AND round IN (0, 2, 3) ORDER BY round;
SELECT is(secagg.output_broadcast(output), NULL, 'round 1 output: one message per user, no broadcast')
FROM tap.states WHERE tag = 's' AND round = 1;
SELECT is((SELECT count(*) FROM tap.states o, secagg.output_messages(o.output) x
           WHERE o.tag = 's' AND o.round IN (0, 2, 3) AND x.message <> secagg.output_broadcast(o.output)), 0::bigint,
          'output_messages expands a broadcast: every user gets the broadcast bytes');
SELECT is((SELECT array_agg(r ORDER BY r) FROM tap.states o, secagg.output_recipients(o.output) r WHERE o.tag = 's' AND o.round = 2),
          (SELECT array_agg(x.user_id ORDER BY x.user_id) FROM tap.states o, secagg.output_messages(o.output) x
           WHERE o.tag = 's' AND o.round = 2), 'output_recipients lists the users output_messages gives');
SELECT cmp_ok(length(output), '<', length(secagg.output_state(output)::text) + 2 * length(secagg.output_broadcast(output)),
              'round 0 output: the key list once, not once per user')
FROM tap.states WHERE tag = 's' AND round = 0;
SELECT throws_ok($$SELECT secagg.output_broadcast(output) FROM tap.states WHERE tag = 's' AND round = 4$$,
                 'SA002', 'this round output holds the final vector, not messages', 'output_broadcast of a vector output');

SELECT * FROM finish();
ROLLBACK;
