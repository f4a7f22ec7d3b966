-- 03_server_tamper.sql: the server refuses truncated, extended, bit-flipped,
-- wrong-round, replayed, relabelled and duplicate messages in every round,
-- each with its exact SQLSTATE, and the session still completes with the
-- exact sum. Tampering the server cannot see (ciphertexts, shares,
-- commitments, masked inputs) has its exact consequence.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(116);
\ir secagg_helpers.psql

CREATE FUNCTION tap.rej(uid bigint, r int, reason text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT format('message from user %s rejected in round %s (%s): %s', uid, r,
                (ARRAY['AdvertiseKeys', 'ShareKeys', 'MaskedInputCollection', 'ConsistencyCheck', 'Unmasking'])[r + 1],
                reason)
$$;
-- server_recv into the current state of session 'a'
CREATE FUNCTION tap.ra(uid bigint, msg bytea) RETURNS jsonb LANGUAGE sql AS $$
  SELECT secagg.server_recv(tap.sstate('a'), uid, msg)
$$;
-- message m of user u with its header id replaced
CREATE FUNCTION tap.relabel(msg bytea, uid bigint) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
  SELECT overlay(msg PLACING tap.u64(uid) FROM 35 FOR 8)
$$;

-- Session a: n = 10, t = 6, ids 1..10; user 10 never answers, 9 stops after
-- round 0, 8 after round 1, 7 after round 2: U1 = 9, U2 = 8, U3 = 7, U4 = 6.
-- Session b: the same users and roster, another session id (for replays).
-- Session x: other users (another roster).
SELECT tap.setup('a', 10, 6, 4, 'full');
SELECT tap.setup_like('b', 'a');
SELECT tap.setup('x', 10, 6, 4, 'full');
SELECT tap.drop(s, '{10}', 0), tap.drop(s, '{9}', 1), tap.drop(s, '{8}', 2), tap.drop(s, '{7}', 3)
FROM unnest('{a,b,x}'::text[]) s;
SELECT tap.clients(s, 0) FROM unnest('{a,b,x}'::text[]) s;

-- ---------------------------------------------------------------- round 0
SELECT is(length(tap.msg_to_server('a', 0, 3)), 170, 'round 0: AdvertiseKeys message is 170 bytes');
SELECT throws_ok($$SELECT tap.ra(3, tap.trunc(tap.msg_to_server('a', 0, 3)))$$, '22P03',
                 tap.rej(3, 0, 'malformed message or state'), 'round 0: truncated by one byte');
SELECT throws_ok($$SELECT tap.ra(3, substr(tap.msg_to_server('a', 0, 3), 1, 41))$$, '22P03',
                 tap.rej(3, 0, 'malformed message or state'), 'round 0: shorter than the header');
SELECT throws_ok($$SELECT tap.ra(3, ''::bytea)$$, '22P03',
                 tap.rej(3, 0, 'malformed message or state'), 'round 0: empty message');
SELECT throws_ok($$SELECT tap.ra(3, tap.msg_to_server('a', 0, 3) || '\x00'::bytea)$$, '22P03',
                 tap.rej(3, 0, 'malformed message or state'), 'round 0: one trailing byte');
SELECT throws_ok($$SELECT tap.ra(3, tap.flip(tap.msg_to_server('a', 0, 3), 0))$$, '0A000',
                 tap.rej(3, 0, 'unsupported format version'), 'round 0: version byte flipped');
SELECT throws_ok($$SELECT tap.ra(3, tap.flip(tap.msg_to_server('a', 0, 3), 1, 0))$$, 'SA002',
                 tap.rej(3, 0, 'message does not belong to the current round'), 'round 0: type flipped to round 1');
SELECT throws_ok($$SELECT tap.ra(3, tap.flip(tap.msg_to_server('a', 0, 3), 1, 7))$$, '22P03',
                 tap.rej(3, 0, 'malformed message or state'), 'round 0: type flipped to an unknown type');
SELECT throws_ok($$SELECT tap.ra(3, tap.setb(tap.msg_to_server('a', 0, 3), 1, 0))$$, '22P03',
                 tap.rej(3, 0, 'malformed message or state'), 'round 0: a server-to-user type');
SELECT throws_ok($$SELECT tap.ra(3, tap.flip(tap.msg_to_server('a', 0, 3), 2))$$, 'SA001',
                 tap.rej(3, 0, 'message or state belongs to another session'), 'round 0: first context byte flipped');
SELECT throws_ok($$SELECT tap.ra(3, tap.flip(tap.msg_to_server('a', 0, 3), 33, 7))$$, 'SA001',
                 tap.rej(3, 0, 'message or state belongs to another session'), 'round 0: last context byte flipped');
SELECT throws_ok($$SELECT tap.ra(3, tap.flip(tap.msg_to_server('a', 0, 3), 41))$$, 'SA003',
                 tap.rej(3, 0, 'user is not allowed in this round'), 'round 0: sender id flipped');
SELECT throws_ok(format('SELECT tap.ra(3, tap.flip(tap.msg_to_server(''a'', 0, 3), %s))', 42 + k), 'SA005',
                 tap.rej(3, 0, 'signature does not verify'), format('round 0: byte %s (%s) flipped', 42 + k, what))
FROM (VALUES (0, 'c_pk'), (31, 'c_pk'), (32, 's_pk'), (63, 's_pk'), (64, 'signature'), (127, 'signature')) v(k, what);
SELECT throws_ok($$SELECT tap.ra(3, overlay(m PLACING substr(m, 43, 32) FROM 75 FOR 32))
                   FROM tap.msg_to_server('a', 0, 3) m$$, 'SA007',
                 tap.rej(3, 0, 'invalid or repeated public keys'), 'round 0: s_pk equal to c_pk');
SELECT throws_ok($$SELECT tap.ra(3, overlay(tap.msg_to_server('a', 0, 3) PLACING decode(repeat('00', 32), 'hex') FROM 43 FOR 32))$$,
                 'SA007', tap.rej(3, 0, 'invalid or repeated public keys'), 'round 0: all-zero c_pk');
SELECT throws_ok($$SELECT tap.ra(4, tap.msg_to_server('a', 0, 3))$$, 'SA003',
                 tap.rej(4, 0, 'user is not allowed in this round'), 'round 0: message of user 3 sent as user 4');
SELECT throws_ok($$SELECT tap.ra(4, tap.relabel(tap.msg_to_server('a', 0, 3), 4))$$, 'SA005',
                 tap.rej(4, 0, 'signature does not verify'), 'round 0: message of user 3 relabelled as user 4 (signed by the wrong key)');
SELECT throws_ok($$SELECT tap.ra(999, tap.relabel(tap.msg_to_server('a', 0, 3), 999))$$, 'SA003',
                 tap.rej(999, 0, 'user is not allowed in this round'), 'round 0: user outside the roster');
SELECT throws_ok($$SELECT tap.ra(-1, tap.msg_to_server('a', 0, 3))$$, 'SA003',
                 tap.rej(-1, 0, 'user is not allowed in this round'), 'round 0: negative user id');
SELECT throws_ok($$SELECT tap.ra(3, tap.msg_to_server('b', 0, 3))$$, 'SA001',
                 tap.rej(3, 0, 'message or state belongs to another session'), 'round 0: replayed from a session with the same roster');
SELECT throws_ok($$SELECT tap.ra(3, tap.msg_to_server('x', 0, 3))$$, 'SA001',
                 tap.rej(3, 0, 'message or state belongs to another session'), 'round 0: replayed from a session with another roster');
SELECT throws_ok($$SELECT secagg.server_recv(tap.ra(3, tap.msg_to_server('a', 0, 3)), 3, tap.msg_to_server('a', 0, 3))$$,
                 'SA004', tap.rej(3, 0, 'duplicate user'), 'round 0: the same message twice');
SELECT throws_ok($$SELECT secagg.server_recv(tap.ra(3, tap.msg_to_server('a', 0, 3)), 3, (secagg.client_round(tap.cstate_at('a', 0, 3), tap.msg_to_user('a', 0, 3))).message)$$,
                 'SA004', tap.rej(3, 0, 'duplicate user'), 'round 0: a second, different, answer of the same user');
SELECT throws_ok($$SELECT secagg.server_round_agg(s.state, m.user_id, m.message, 'error')
                   FROM tap.sess s, (SELECT user_id, message FROM tap.to_server WHERE tag = 'a' AND round = 0
                                     UNION ALL SELECT 3, tap.msg_to_server('a', 0, 3)) m
                   WHERE s.tag = 'a'$$,
                 'SA004', tap.rej(3, 0, 'duplicate user'), 'round 0, on_invalid error: a duplicate row inside one server_round_agg');
SELECT throws_ok($$SELECT secagg.server_round_agg(s.state, m.user_id, m.message, 'error')
                   FROM tap.sess s, (SELECT user_id, message FROM tap.to_server WHERE tag = 'a' AND round = 0
                                     UNION ALL SELECT 10, tap.relabel(tap.msg_to_server('a', 0, 3), 10)) m
                   WHERE s.tag = 'a'$$,
                 'SA005', tap.rej(10, 0, 'signature does not verify'), 'round 0, on_invalid error: one bad row fails the whole aggregate');
SELECT results_eq($$SELECT r.user_id, r.round, r.sqlstate, r.reason
                    FROM (SELECT secagg.server_round_agg(s.state, m.user_id, m.message) AS o
                          FROM tap.sess s, (SELECT user_id, message FROM tap.to_server WHERE tag = 'a' AND round = 0
                                            UNION ALL SELECT 3, tap.msg_to_server('a', 0, 3)
                                            UNION ALL SELECT 10, tap.relabel(tap.msg_to_server('a', 0, 3), 10)) m
                          WHERE s.tag = 'a') q, secagg.output_rejected(q.o) r$$,
                  $$VALUES (3::bigint, 0, 'SA004', 'duplicate user'), (10::bigint, 0, 'SA005', 'signature does not verify')$$,
                  'round 0, on_invalid reject: the round closes and lists the duplicate and the bad signature');
SELECT is((SELECT (secagg.output_state(q.o)->>'u1')::int
           FROM (SELECT secagg.server_round_agg(s.state, m.user_id, m.message) AS o
                 FROM tap.sess s, (SELECT user_id, message FROM tap.to_server WHERE tag = 'a' AND round = 0
                                   UNION ALL SELECT 3, tap.msg_to_server('a', 0, 3)
                                   UNION ALL SELECT 10, tap.relabel(tap.msg_to_server('a', 0, 3), 10)) m
                 WHERE s.tag = 'a') q),
          (SELECT count(*)::int FROM tap.to_server WHERE tag = 'a' AND round = 0),
          'round 0, on_invalid reject: U1 holds the valid senders only (user 3 kept with its first message, 10 dropped)');
SELECT is((tap.ra(3, tap.msg_to_server('a', 0, 3)) ->> 'received')::int, 1, 'round 0: the state still accepts the good message');
SELECT lives_ok($$SELECT tap.server(s, 0) FROM unnest('{a,b,x}'::text[]) s$$, 'round 0 closes');
SELECT tap.clients(s, 1) FROM unnest('{a,b,x}'::text[]) s;

-- ---------------------------------------------------------------- round 1
SELECT is(length(tap.msg_to_server('a', 1, 3)), 78 + 8 * 128, 'round 1: ShareKeys message is 78 + (|U1| - 1) * 128 bytes');
SELECT throws_ok($$SELECT tap.ra(3, tap.trunc(tap.msg_to_server('a', 1, 3)))$$, '22P03',
                 tap.rej(3, 1, 'malformed message or state'), 'round 1: truncated by one byte');
SELECT throws_ok($$SELECT tap.ra(3, tap.trunc(tap.msg_to_server('a', 1, 3), 128))$$, '22P03',
                 tap.rej(3, 1, 'malformed message or state'), 'round 1: last ciphertext entry missing');
SELECT throws_ok($$SELECT tap.ra(3, tap.msg_to_server('a', 1, 3) || '\x00'::bytea)$$, '22P03',
                 tap.rej(3, 1, 'malformed message or state'), 'round 1: one trailing byte');
SELECT throws_ok($$SELECT tap.ra(3, tap.flip(tap.msg_to_server('a', 1, 3), 0, 1))$$, '0A000',
                 tap.rej(3, 1, 'unsupported format version'), 'round 1: version byte flipped');
SELECT throws_ok($$SELECT tap.ra(3, tap.flip(tap.msg_to_server('a', 1, 3), 17))$$, 'SA001',
                 tap.rej(3, 1, 'message or state belongs to another session'), 'round 1: context byte flipped');
SELECT throws_ok($$SELECT tap.ra(3, tap.flip(tap.msg_to_server('a', 1, 3), 77))$$, '22P03',
                 tap.rej(3, 1, 'malformed message or state'), 'round 1: entry count flipped');
SELECT throws_ok($$SELECT tap.ra(3, tap.flip(tap.msg_to_server('a', 1, 3), 78 + 7))$$, 'SA003',
                 tap.rej(3, 1, 'user is not allowed in this round'), 'round 1: recipient id of the first entry flipped');
SELECT throws_ok($$SELECT tap.ra(3, tap.flip(tap.msg_to_server('a', 1, 3), 78 + 128 * 7 + 7))$$, 'SA003',
                 tap.rej(3, 1, 'user is not allowed in this round'), 'round 1: recipient id of the last entry flipped');
SELECT throws_ok($$SELECT tap.ra(3, tap.msg_to_server('a', 0, 3))$$, 'SA002',
                 tap.rej(3, 1, 'message does not belong to the current round'), 'round 1: late round-0 message');
SELECT throws_ok($$SELECT secagg.server_recv(tap.sstate_at('a', 0), 3, tap.msg_to_server('a', 1, 3))$$, 'SA002',
                 tap.rej(3, 0, 'message does not belong to the current round'), 'round 0: early round-1 message');
SELECT throws_ok($$SELECT tap.ra(3, tap.msg_to_server('b', 1, 3))$$, 'SA001',
                 tap.rej(3, 1, 'message or state belongs to another session'), 'round 1: replayed from session b');
SELECT throws_ok($$SELECT tap.ra(10, tap.relabel(tap.msg_to_server('a', 1, 3), 10))$$, 'SA003',
                 tap.rej(10, 1, 'user is not allowed in this round'), 'round 1: user outside U1');
SELECT throws_ok($$SELECT tap.ra(4, tap.relabel(tap.msg_to_server('a', 1, 3), 4))$$, 'SA003',
                 tap.rej(4, 1, 'user is not allowed in this round'), 'round 1: entries of user 3 relabelled as user 4 (entry for 4, none for 3)');
SELECT throws_ok($$SELECT secagg.server_recv(tap.ra(3, tap.msg_to_server('a', 1, 3)), 3, tap.msg_to_server('a', 1, 3))$$,
                 'SA004', tap.rej(3, 1, 'duplicate user'), 'round 1: the same message twice');
SELECT is((tap.ra(3, tap.flip(tap.msg_to_server('a', 1, 3), 50)) ->> 'received')::int, 1,
          'round 1: the server cannot check commitments (flipped commitment accepted)');
SELECT is((tap.ra(3, tap.flip(tap.msg_to_server('a', 1, 3), 78 + 8 + 24 + 5)) ->> 'received')::int, 1,
          'round 1: the server cannot check ciphertexts (flipped ciphertext accepted)');
SELECT lives_ok($$SELECT tap.server(s, 1) FROM unnest('{a,b,x}'::text[]) s$$, 'round 1 closes');
SELECT tap.clients(s, 2) FROM unnest('{a,b,x}'::text[]) s;

-- ---------------------------------------------------------------- round 2
SELECT is(length(tap.msg_to_server('a', 2, 3)), 46 + 8 * 4, 'round 2: masked input message is 46 + 8 m bytes');
SELECT throws_ok($$SELECT tap.ra(3, tap.trunc(tap.msg_to_server('a', 2, 3)))$$, '22P03',
                 tap.rej(3, 2, 'malformed message or state'), 'round 2: truncated by one byte');
SELECT throws_ok($$SELECT tap.ra(3, tap.msg_to_server('a', 2, 3) || '\x00'::bytea)$$, '22P03',
                 tap.rej(3, 2, 'malformed message or state'), 'round 2: one trailing byte');
SELECT throws_ok($$SELECT tap.ra(3, overlay(tap.msg_to_server('a', 2, 3) PLACING tap.u32(5) FROM 43 FOR 4) || int8send(7))$$,
                 'SA009', tap.rej(3, 2, 'vector length does not match the session'), 'round 2: a vector of m + 1 elements');
SELECT throws_ok($$SELECT tap.ra(3, overlay(tap.msg_to_server('a', 2, 3) PLACING tap.u32(5) FROM 43 FOR 4))$$,
                 '22P03', tap.rej(3, 2, 'malformed message or state'), 'round 2: length field m + 1, m elements');
SELECT throws_ok($$SELECT tap.ra(3, overlay(tap.msg_to_server('a', 2, 3) PLACING tap.u32(0) FROM 43 FOR 4))$$,
                 '22P03', tap.rej(3, 2, 'malformed message or state'), 'round 2: length field 0, m elements');
SELECT throws_ok($$SELECT tap.ra(3, tap.trunc(overlay(tap.msg_to_server('a', 2, 3) PLACING tap.u32(3) FROM 43 FOR 4), 8))$$,
                 'SA009', tap.rej(3, 2, 'vector length does not match the session'), 'round 2: a vector of m - 1 elements');
SELECT throws_ok($$SELECT tap.ra(3, tap.setb(tap.msg_to_server('a', 2, 3), 0, 2))$$, '0A000',
                 tap.rej(3, 2, 'unsupported format version'), 'round 2: version 2');
SELECT throws_ok($$SELECT tap.ra(3, tap.setb(tap.msg_to_server('a', 2, 3), 1, 19))$$, 'SA002',
                 tap.rej(3, 2, 'message does not belong to the current round'), 'round 2: type of round 3');
SELECT throws_ok($$SELECT tap.ra(3, tap.setb(tap.msg_to_server('a', 2, 3), 1, 21))$$, '22P03',
                 tap.rej(3, 2, 'malformed message or state'), 'round 2: type 0x15 (no such round)');
SELECT throws_ok($$SELECT tap.ra(3, tap.flip(tap.msg_to_server('a', 2, 3), 20))$$, 'SA001',
                 tap.rej(3, 2, 'message or state belongs to another session'), 'round 2: context byte flipped');
SELECT throws_ok($$SELECT tap.ra(3, tap.flip(tap.msg_to_server('a', 2, 3), 34, 7))$$, 'SA003',
                 tap.rej(3, 2, 'user is not allowed in this round'), 'round 2: high bit of the sender id flipped');
SELECT throws_ok($$SELECT tap.ra(3, tap.msg_to_server('a', 1, 3))$$, 'SA002',
                 tap.rej(3, 2, 'message does not belong to the current round'), 'round 2: late round-1 message');
SELECT throws_ok($$SELECT secagg.server_recv(tap.sstate_at('a', 1), 3, tap.msg_to_server('a', 2, 3))$$, 'SA002',
                 tap.rej(3, 1, 'message does not belong to the current round'), 'round 1: early round-2 message');
SELECT throws_ok($$SELECT tap.ra(3, tap.msg_to_server('b', 2, 3))$$, 'SA001',
                 tap.rej(3, 2, 'message or state belongs to another session'), 'round 2: replayed from session b');
SELECT throws_ok($$SELECT tap.ra(9, tap.relabel(tap.msg_to_server('a', 2, 3), 9))$$, 'SA003',
                 tap.rej(9, 2, 'user is not allowed in this round'), 'round 2: user in U1 but not in U2');
SELECT throws_ok($$SELECT secagg.server_round_agg(s.state, m.user_id, m.message, 'error')
                   FROM tap.sess s, (SELECT user_id, message FROM tap.to_server WHERE tag = 'a' AND round = 2
                                     UNION ALL SELECT 5, tap.msg_to_server('a', 2, 5)) m
                   WHERE s.tag = 'a'$$,
                 'SA004', tap.rej(5, 2, 'duplicate user'), 'round 2, on_invalid error: a duplicate row inside one server_round_agg');
SELECT lives_ok($$SELECT tap.server(s, 2) FROM unnest('{a,b,x}'::text[]) s$$, 'round 2 closes');
SELECT tap.clients(s, 3) FROM unnest('{a,b,x}'::text[]) s;

-- ---------------------------------------------------------------- round 3
SELECT is(length(tap.msg_to_server('a', 3, 3)), 106, 'round 3: ConsistencyCheck message is 106 bytes');
SELECT throws_ok($$SELECT tap.ra(3, tap.trunc(tap.msg_to_server('a', 3, 3)))$$, '22P03',
                 tap.rej(3, 3, 'malformed message or state'), 'round 3: truncated by one byte');
SELECT throws_ok($$SELECT tap.ra(3, tap.msg_to_server('a', 3, 3) || '\xff'::bytea)$$, '22P03',
                 tap.rej(3, 3, 'malformed message or state'), 'round 3: one trailing byte');
SELECT throws_ok(format('SELECT tap.ra(3, tap.flip(tap.msg_to_server(''a'', 3, 3), %s))', k), 'SA005',
                 tap.rej(3, 3, 'signature does not verify'), format('round 3: signature byte %s flipped', k))
FROM unnest('{42,73,105}'::int[]) k;
SELECT throws_ok($$SELECT tap.ra(3, tap.relabel(tap.msg_to_server('a', 3, 4), 3))$$, 'SA005',
                 tap.rej(3, 3, 'signature does not verify'), 'round 3: signature of user 4 relabelled as user 3');
SELECT throws_ok($$SELECT tap.ra(8, tap.relabel(tap.msg_to_server('a', 3, 3), 8))$$, 'SA003',
                 tap.rej(8, 3, 'user is not allowed in this round'), 'round 3: user in U2 but not in U3');
SELECT throws_ok($$SELECT tap.ra(3, tap.msg_to_server('a', 2, 3))$$, 'SA002',
                 tap.rej(3, 3, 'message does not belong to the current round'), 'round 3: late round-2 message');
SELECT throws_ok($$SELECT tap.ra(3, tap.msg_to_server('b', 3, 3))$$, 'SA001',
                 tap.rej(3, 3, 'message or state belongs to another session'), 'round 3: replayed from session b');
SELECT throws_ok($$SELECT secagg.server_recv(tap.ra(3, tap.msg_to_server('a', 3, 3)), 3, tap.msg_to_server('a', 3, 3))$$,
                 'SA004', tap.rej(3, 3, 'duplicate user'), 'round 3: the same message twice');
SELECT lives_ok($$SELECT tap.server(s, 3) FROM unnest('{a,b,x}'::text[]) s$$, 'round 3 closes');
SELECT tap.clients(s, 4) FROM unnest('{a,b,x}'::text[]) s;

-- ---------------------------------------------------------------- round 4
-- U2 = 1..8 (8 entries of 41 bytes), U3 = 1..7, U4 = 1..6
SELECT is(length(tap.msg_to_server('a', 4, 3)), 46 + 8 * 41, 'round 4: Unmasking message is 46 + 41 |U2| bytes');
SELECT is((SELECT array_agg(get_byte(tap.msg_to_server('a', 4, 3), 46 + 41 * i + 8) ORDER BY i) FROM generate_series(0, 7) i),
          '{1,1,1,1,1,1,1,2}'::int[], 'round 4: share kinds: self-mask share for U3, key share for U2 \ U3');
SELECT throws_ok($$SELECT tap.ra(3, tap.trunc(tap.msg_to_server('a', 4, 3)))$$, '22P03',
                 tap.rej(3, 4, 'malformed message or state'), 'round 4: truncated by one byte');
SELECT throws_ok($$SELECT tap.ra(3, tap.msg_to_server('a', 4, 3) || '\x00'::bytea)$$, '22P03',
                 tap.rej(3, 4, 'malformed message or state'), 'round 4: one trailing byte');
SELECT throws_ok($$SELECT tap.ra(3, tap.flip(tap.msg_to_server('a', 4, 3), 45))$$, '22P03',
                 tap.rej(3, 4, 'malformed message or state'), 'round 4: share count flipped');
SELECT throws_ok($$SELECT tap.ra(3, overlay(tap.msg_to_server('a', 4, 3) PLACING tap.u64(999) FROM 47 FOR 8))$$, 'SA003',
                 tap.rej(3, 4, 'user is not allowed in this round'), 'round 4: share entry for a user outside U2');
SELECT throws_ok($$SELECT tap.ra(3, overlay(tap.msg_to_server('a', 4, 3) PLACING tap.u64(10) FROM 47 + 41 * 7 FOR 8))$$, 'SA003',
                 tap.rej(3, 4, 'user is not allowed in this round'), 'round 4: share entry of user 8 replaced by user 10 (not in U2)');
SELECT throws_ok($$SELECT tap.ra(3, tap.setb(tap.msg_to_server('a', 4, 3), 46 + 8, 2))$$, '22P03',
                 tap.rej(3, 4, 'malformed message or state'), 'round 4: key share requested for a user in U3');
SELECT throws_ok($$SELECT tap.ra(3, tap.setb(tap.msg_to_server('a', 4, 3), 46 + 41 * 7 + 8, 1))$$, '22P03',
                 tap.rej(3, 4, 'malformed message or state'), 'round 4: self-mask share given for a user not in U3');
SELECT throws_ok($$SELECT tap.ra(3, tap.setb(tap.msg_to_server('a', 4, 3), 46 + 8, 0))$$, '22P03',
                 tap.rej(3, 4, 'malformed message or state'), 'round 4: share kind 0');
SELECT throws_ok($$SELECT tap.ra(3, tap.setb(tap.msg_to_server('a', 4, 3), 46 + 41 * 2 + 9 + 31, 255))$$, '22003',
                 tap.rej(3, 4, 'non-canonical field element'), 'round 4: share not reduced mod L');
SELECT throws_ok($$SELECT tap.ra(3, tap.flip(tap.msg_to_server('a', 4, 3), 2))$$, 'SA001',
                 tap.rej(3, 4, 'message or state belongs to another session'), 'round 4: context byte flipped');
SELECT throws_ok($$SELECT tap.ra(7, tap.relabel(tap.msg_to_server('a', 4, 3), 7))$$, 'SA003',
                 tap.rej(7, 4, 'user is not allowed in this round'), 'round 4: user in U3 but not in U4');
SELECT throws_ok($$SELECT tap.ra(3, tap.msg_to_server('a', 3, 3))$$, 'SA002',
                 tap.rej(3, 4, 'message does not belong to the current round'), 'round 4: late round-3 message');
SELECT throws_ok($$SELECT tap.ra(3, tap.msg_to_server('b', 4, 3))$$, 'SA001',
                 tap.rej(3, 4, 'message or state belongs to another session'), 'round 4: replayed from session b');
SELECT throws_ok($$SELECT secagg.server_recv(tap.ra(3, tap.msg_to_server('a', 4, 3)), 3, tap.msg_to_server('a', 4, 3))$$,
                 'SA004', tap.rej(3, 4, 'duplicate user'), 'round 4: the same message twice');
SELECT lives_ok($$SELECT tap.server(s, 4) FROM unnest('{a,b,x}'::text[]) s$$, 'round 4 closes');
SELECT is((SELECT result FROM tap.sess WHERE tag = s), tap.expected(s), 'after all refused messages: exact sum of session ' || s)
FROM unnest('{a,b,x}'::text[]) s;
SELECT is(ARRAY[(tap.sstate('a') ->> 'u1')::int, (tap.sstate('a') ->> 'u2')::int, (tap.sstate('a') ->> 'u3')::int,
                (tap.sstate('a') ->> 'u4')::int], '{9,8,7,6}'::int[], 'session a: |U1|..|U4|');

-- ------------------------------------------ tampering the server cannot see
-- A share altered in round 4 (still canonical) by a responder of the first
-- reconstruction set: excluded when spare responders exist...
SELECT tap.setup('sh1', 7, 4, 3, 'full');
SELECT tap.drop('sh1', '{5}', 2);
SELECT tap.run('sh1', 'agg', 0, 3);
SELECT tap.clients('sh1', 4);
UPDATE tap.to_server SET message = tap.flip(message, 46 + 41 * 1 + 9) WHERE tag = 'sh1' AND round = 4 AND user_id = 1;
SELECT lives_ok($$SELECT tap.server('sh1', 4)$$, 'altered self-mask share, 6 responders for t = 4: round 4 closes');
SELECT is((SELECT result FROM tap.sess WHERE tag = 'sh1'), tap.expected('sh1'), 'altered self-mask share excluded: exact sum');
-- ... also a key share (of a user that dropped after round 2)
SELECT tap.setup('sh2', 7, 4, 3, 'full');
SELECT tap.drop('sh2', '{5}', 2);
SELECT tap.run('sh2', 'agg', 0, 3);
SELECT tap.clients('sh2', 4);
UPDATE tap.to_server SET message = tap.flip(message, 46 + 41 * 4 + 9 + 3, 2) WHERE tag = 'sh2' AND round = 4 AND user_id = 2;
SELECT is(get_byte(tap.msg_to_server('sh2', 4, 2), 46 + 41 * 4 + 8), 2, 'sh2: the altered entry is a key share');
SELECT lives_ok($$SELECT tap.server('sh2', 4)$$, 'altered key share, 6 responders for t = 4: round 4 closes');
SELECT is((SELECT result FROM tap.sess WHERE tag = 'sh2'), tap.expected('sh2'), 'altered key share excluded: exact sum');
-- ... and SA010 with exactly t responders
SELECT tap.setup('sh3', 7, 4, 3, 'full');
SELECT tap.drop('sh3', '{5,6,7}', 4);
SELECT tap.run('sh3', 'agg', 0, 3);
SELECT tap.clients('sh3', 4);
UPDATE tap.to_server SET message = tap.flip(message, 46 + 41 * 1 + 9) WHERE tag = 'sh3' AND round = 4 AND user_id = 1;
SELECT throws_ok($$SELECT tap.server('sh3', 4)$$, 'SA010', 'round 4 (Unmasking) failed: secret shares are inconsistent',
                 'altered share with exactly t responders: SA010');
SELECT lives_ok($$UPDATE tap.to_server SET message = tap.flip(message, 46 + 41 * 1 + 9) WHERE tag = 'sh3' AND round = 4 AND user_id = 1;
                  SELECT tap.server('sh3', 4)$$, 'the same state closes round 4 with the genuine share');
SELECT is((SELECT result FROM tap.sess WHERE tag = 'sh3'), tap.expected('sh3'), 'genuine shares after SA010: exact sum');
-- A commitment altered in transit (round 1): the self-mask seed of that user
-- can never be verified, the session fails in round 4.
SELECT tap.setup('cm', 6, 4, 2, 'small');
SELECT tap.run('cm', 'agg', 0, 0);
SELECT tap.clients('cm', 1);
UPDATE tap.to_server SET message = tap.flip(message, 42) WHERE tag = 'cm' AND round = 1 AND user_id = 2;
SELECT length(tap.server('cm', 1)) > 0 AS closed;
SELECT throws_ok($$SELECT tap.run('cm', 'agg', 2, 4)$$, 'SA010', 'round 4 (Unmasking) failed: secret shares are inconsistent',
                 'altered commitment: SA010 in round 4');
-- Ciphertexts altered on the way (user to server in round 1, server to user
-- in round 2): the recipient refuses round 4 with SA006; with spare
-- responders the sum is still exact.
SELECT tap.setup('ct', 7, 4, 3, 'full');
SELECT tap.run('ct', 'agg', 0, 0);
SELECT tap.clients('ct', 1);
-- entries of user 3 are for 1, 2, 4, 5, 6, 7: the one for user 5 is entry 3
UPDATE tap.to_server SET message = tap.flip(message, 78 + 128 * 3 + 8 + 24 + 40) WHERE tag = 'ct' AND round = 1 AND user_id = 3;
SELECT length(tap.server('ct', 1)) > 0 AS closed;
-- the message to user 6 lists senders 1, 2, 3, 4, 5, 7: alter the nonce from sender 2
UPDATE tap.to_user SET message = tap.flip(message, 38 + 128 * 1 + 8 + 3) WHERE tag = 'ct' AND round = 2 AND user_id = 6;
SELECT tap.run('ct', 'agg', 2, 3);
SELECT throws_ok($$SELECT tap.answer('ct', 4, 5)$$, 'SA006',
                 'client refused the server message of round 4: ciphertext does not authenticate',
                 'ciphertext altered in round 1: recipient refuses round 4 with SA006');
SELECT throws_ok($$SELECT tap.answer('ct', 4, 6)$$, 'SA006',
                 'client refused the server message of round 4: ciphertext does not authenticate',
                 'nonce altered in the round-2 message: recipient refuses round 4 with SA006');
SELECT tap.drop('ct', '{5,6}', 4);
SELECT is(tap.run('ct', 'agg', 4, 4), tap.expected('ct'), 'two recipients refused, 5 responders for t = 4: exact sum');
-- A masked input altered in transit shifts the sum by exactly the change:
-- masked inputs carry no integrity protection (the channel must provide it).
SELECT tap.setup('y', 5, 3, 3, 'full');
SELECT tap.run('y', 'agg', 0, 1);
SELECT tap.clients('y', 2);
CREATE TABLE tap.ybit AS
  SELECT (get_byte(tap.msg_to_server('y', 2, 2), 46 + 8 + 3) & 1) AS was_set;
UPDATE tap.to_server SET message = tap.flip(message, 46 + 8 + 3) WHERE tag = 'y' AND round = 2 AND user_id = 2;
SELECT length(tap.server('y', 2)) > 0 AS closed;
SELECT is(tap.run('y', 'agg', 3, 4),
          (SELECT array_agg(CASE WHEN i = 2 THEN tap.wrap(e::numeric + CASE WHEN (SELECT was_set FROM tap.ybit) = 1
                                                                          THEN -16777216 ELSE 16777216 END)
                                 ELSE e END ORDER BY i)
           FROM unnest(tap.expected('y')) WITH ORDINALITY AS x(e, i)),
          'masked input bit 24 of element 2 flipped: the sum moves by exactly 2^24');

SELECT * FROM finish();
ROLLBACK;
