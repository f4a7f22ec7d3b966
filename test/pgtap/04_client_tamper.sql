-- 04_client_tamper.sql: the client refuses truncated, extended, bit-flipped,
-- reordered, shortened, wrong-round and replayed server messages in every
-- round with its exact SQLSTATE, stays unchanged, and the session then
-- completes with the exact sum.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(74);
\ir secagg_helpers.psql

CREATE FUNCTION tap.cref(r int, reason text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT format('client refused the server message of round %s: %s', r, reason)
$$;
-- client_round of user uid of session c on a message
CREATE FUNCTION tap.ca(uid bigint, msg bytea) RETURNS secagg.client_step LANGUAGE sql AS $$
  SELECT secagg.client_round(tap.cstate('c', uid), msg)
$$;

-- Session c: n = 8, t = 5, ids 1..8, user 8 stops after round 1 (U3 = 1..7).
-- d: same users and roster, another session id; e: another threshold;
-- f: another vector length; x: other users.
SELECT tap.setup('c', 8, 5, 3, 'full');
SELECT tap.setup_like('d', 'c');
SELECT tap.setup_like('e', 'c', 6);
SELECT tap.setup_like('f', 'c', NULL, 4);
SELECT tap.setup('x', 8, 5, 3, 'full');
SELECT tap.drop(s, '{8}', 2) FROM unnest('{c,d}'::text[]) s;

-- ---------------------------------------------------------------- round 0
SELECT is(length(tap.msg_to_user('c', 0, 2)), 34, 'round 0: the server message is 34 bytes');
SELECT throws_ok($$SELECT tap.ca(2, tap.trunc(tap.msg_to_user('c', 0, 2)))$$, '22P03',
                 tap.cref(0, 'malformed message or state'), 'round 0: truncated');
SELECT throws_ok($$SELECT tap.ca(2, tap.msg_to_user('c', 0, 2) || '\x00'::bytea)$$, '22P03',
                 tap.cref(0, 'malformed message or state'), 'round 0: trailing byte');
SELECT throws_ok($$SELECT tap.ca(2, ''::bytea)$$, '22P03', tap.cref(0, 'malformed message or state'), 'round 0: empty');
SELECT throws_ok($$SELECT tap.ca(2, tap.flip(tap.msg_to_user('c', 0, 2), 0))$$, '0A000',
                 tap.cref(0, 'unsupported format version'), 'round 0: version flipped');
SELECT throws_ok($$SELECT tap.ca(2, tap.flip(tap.msg_to_user('c', 0, 2), 1))$$, 'SA002',
                 tap.cref(0, 'message does not belong to the current round'), 'round 0: type of round 1');
SELECT throws_ok($$SELECT tap.ca(2, tap.setb(tap.msg_to_user('c', 0, 2), 1, 16))$$, '22P03',
                 tap.cref(0, 'malformed message or state'), 'round 0: a user-to-server type');
SELECT throws_ok($$SELECT tap.ca(2, tap.flip(tap.msg_to_user('c', 0, 2), 20))$$, 'SA001',
                 tap.cref(0, 'message or state belongs to another session'), 'round 0: context byte flipped');
SELECT throws_ok(format('SELECT tap.ca(2, tap.msg_to_user(%L, 0, 2))', s), 'SA001',
                 tap.cref(0, 'message or state belongs to another session'), 'round 0: message of session ' || s || ' (' || what || ')')
FROM (VALUES ('d', 'same roster, other session id'), ('e', 'other threshold'), ('f', 'other vector length'),
             ('x', 'other roster')) v(s, what);
-- a client created with a vector of another length than the server's session
SELECT throws_ok($$SELECT secagg.client_round(
                     secagg.client_create(s.sid, 2, 5, (u.kp).secret_key, '{1,2,3,4}'::bigint[], s.roster),
                     tap.msg_to_user('c', 0, 2))
                   FROM tap.sess s JOIN tap.users u ON u.tag = s.tag AND u.user_id = 2 WHERE s.tag = 'c'$$,
                 'SA001', tap.cref(0, 'message or state belongs to another session'),
                 'client_create with a vector of the wrong length: its first round refuses the session (SA001)');
SELECT is(ARRAY[(tap.cstate('c', 2) ->> 'round')::int, (tap.cstate('c', 2) ->> 'vector_length')::int], '{0,3}'::int[],
          'round 0: after the refusals the client state is unchanged');
SELECT tap.clients(s, 0) FROM unnest('{c,d}'::text[]) s;
SELECT length(tap.server(s, 0)) > 0 AS closed FROM unnest('{c,d}'::text[]) s;

-- ---------------------------------------------------------------- round 1
-- key list: 8 entries of 136 bytes (id, c_pk, s_pk, signature); user 2 is entry 1
SELECT is(length(tap.msg_to_user('c', 1, 2)), 38 + 8 * 136, 'round 1: key list message is 38 + 136 |U1| bytes');
SELECT throws_ok($$SELECT tap.ca(2, tap.trunc(tap.msg_to_user('c', 1, 2)))$$, '22P03',
                 tap.cref(1, 'malformed message or state'), 'round 1: truncated');
SELECT throws_ok($$SELECT tap.ca(2, tap.msg_to_user('c', 1, 2) || '\x00'::bytea)$$, '22P03',
                 tap.cref(1, 'malformed message or state'), 'round 1: trailing byte');
SELECT throws_ok($$SELECT tap.ca(2, tap.flip(tap.msg_to_user('c', 1, 2), 37))$$, '22P03',
                 tap.cref(1, 'malformed message or state'), 'round 1: entry count flipped');
SELECT throws_ok($$SELECT tap.ca(2, tap.flip(tap.msg_to_user('c', 1, 2), 38 + 136 + 8))$$, 'SA007',
                 tap.cref(1, 'invalid or repeated public keys'), 'round 1: own c_pk altered');
SELECT throws_ok($$SELECT tap.ca(2, tap.flip(tap.msg_to_user('c', 1, 2), 38 + 136 + 40 + 31))$$, 'SA007',
                 tap.cref(1, 'invalid or repeated public keys'), 'round 1: own s_pk altered');
SELECT throws_ok(format('SELECT tap.ca(2, tap.flip(tap.msg_to_user(''c'', 1, 2), %s))', off), 'SA005',
                 tap.cref(1, 'signature does not verify'), 'round 1: ' || what || ' altered')
FROM (VALUES (38 + 8, 'c_pk of user 1'), (38 + 136 * 3 + 40, 's_pk of user 4'),
             (38 + 136 * 5 + 72, 'signature of user 6'), (38 + 136 * 7 + 135, 'last signature byte')) v(off, what);
SELECT throws_ok($$SELECT tap.ca(2, overlay(m PLACING substr(m, 39 + 136 * 4 + 8, 32) FROM 39 + 136 * 3 + 8 FOR 32))
                   FROM tap.msg_to_user('c', 1, 2) m$$, 'SA005',
                 tap.cref(1, 'signature does not verify'), 'round 1: c_pk of user 5 given to user 4');
SELECT throws_ok($$SELECT tap.ca(2, tap.s2c_keep(tap.msg_to_user('c', 1, 2), 136, '{0,1,2,3}'))$$, 'SA008',
                 tap.cref(1, 'fewer users than the threshold'), 'round 1: t - 1 keys');
SELECT throws_ok($$SELECT tap.ca(2, tap.s2c_keep(tap.msg_to_user('c', 1, 2), 136, '{0,2,3,4,5,6}'))$$, 'SA003',
                 tap.cref(1, 'user is not allowed in this round'), 'round 1: own keys missing');
SELECT throws_ok($$SELECT tap.ca(2, tap.s2c_keep(tap.msg_to_user('c', 1, 2), 136, '{1,0,2,3,4}'))$$, 'SA004',
                 tap.cref(1, 'duplicate user'), 'round 1: entries out of order');
SELECT throws_ok($$SELECT tap.ca(2, tap.s2c_keep(tap.msg_to_user('c', 1, 2), 136, '{0,1,1,2,3,4}'))$$, 'SA004',
                 tap.cref(1, 'duplicate user'), 'round 1: an entry twice');
SELECT throws_ok($$SELECT tap.ca(2, overlay(tap.msg_to_user('c', 1, 2) PLACING tap.u64(999) FROM 39 + 136 * 7 FOR 8))$$, 'SA003',
                 tap.cref(1, 'user is not allowed in this round'), 'round 1: an id outside the roster');
SELECT throws_ok($$SELECT tap.ca(2, tap.s2c_keep(tap.msg_to_user('c', 1, 2), 136, '{}'))$$, 'SA008',
                 tap.cref(1, 'fewer users than the threshold'), 'round 1: empty key list');
SELECT throws_ok($$SELECT tap.ca(2, overlay(tap.msg_to_user('c', 1, 2) PLACING tap.u32(4294967295) FROM 35 FOR 4))$$, '22P03',
                 tap.cref(1, 'malformed message or state'), 'round 1: count 2^32 - 1');
SELECT is(length((tap.ca(2, tap.s2c_keep(tap.msg_to_user('c', 1, 2), 136, '{0,1,2,3,4}'))).message), 78 + 4 * 128,
          'round 1: exactly t keys are accepted (shares for the 4 peers listed)');
SELECT throws_ok($$SELECT tap.ca(2, tap.msg_to_user('c', 0, 2))$$, 'SA002',
                 tap.cref(1, 'message does not belong to the current round'), 'round 1: the round-0 message again');
SELECT throws_ok($$SELECT tap.ca(2, tap.msg_to_user('d', 1, 2))$$, 'SA001',
                 tap.cref(1, 'message or state belongs to another session'), 'round 1: key list of session d');
SELECT tap.clients(s, 1) FROM unnest('{c,d}'::text[]) s;
SELECT length(tap.server(s, 1)) > 0 AS closed FROM unnest('{c,d}'::text[]) s;

-- ---------------------------------------------------------------- round 2
-- ciphertexts for user 2 from 1, 3, 4, 5, 6, 7, 8: 7 entries of 128 bytes
SELECT is(length(tap.msg_to_user('c', 2, 2)), 38 + 7 * 128, 'round 2: ciphertext message is 38 + 128 (|U2| - 1) bytes');
SELECT throws_ok($$SELECT tap.ca(2, tap.trunc(tap.msg_to_user('c', 2, 2)))$$, '22P03',
                 tap.cref(2, 'malformed message or state'), 'round 2: truncated');
SELECT throws_ok($$SELECT tap.ca(2, tap.msg_to_user('c', 2, 2) || '\x00'::bytea)$$, '22P03',
                 tap.cref(2, 'malformed message or state'), 'round 2: trailing byte');
SELECT throws_ok($$SELECT tap.ca(2, tap.flip(tap.msg_to_user('c', 2, 2), 37, 1))$$, '22P03',
                 tap.cref(2, 'malformed message or state'), 'round 2: entry count flipped');
SELECT throws_ok($$SELECT tap.ca(2, tap.s2c_keep(tap.msg_to_user('c', 2, 2), 128, '{0,1,2}'))$$, 'SA008',
                 tap.cref(2, 'fewer users than the threshold'), 'round 2: ciphertexts from t - 2 peers');
SELECT is((tap.ca(2, tap.s2c_keep(tap.msg_to_user('c', 2, 2), 128, '{0,1,2,3}'))).state ->> 'round', '3',
          'round 2: ciphertexts from t - 1 peers are accepted');
SELECT throws_ok($$SELECT tap.ca(2, overlay(tap.msg_to_user('c', 2, 2) PLACING tap.u64(2) FROM 39 FOR 8))$$, 'SA003',
                 tap.cref(2, 'user is not allowed in this round'), 'round 2: a ciphertext from the user itself');
SELECT throws_ok($$SELECT tap.ca(2, overlay(tap.msg_to_user('c', 2, 2) PLACING tap.u64(999) FROM 39 + 128 * 6 FOR 8))$$, 'SA003',
                 tap.cref(2, 'user is not allowed in this round'), 'round 2: a sender outside U1');
SELECT throws_ok($$SELECT tap.ca(2, tap.s2c_keep(tap.msg_to_user('c', 2, 2), 128, '{0,2,1,3,4}'))$$, 'SA004',
                 tap.cref(2, 'duplicate user'), 'round 2: senders out of order');
SELECT throws_ok($$SELECT tap.ca(2, tap.s2c_keep(tap.msg_to_user('c', 2, 2), 128, '{0,1,1,2,3}'))$$, 'SA004',
                 tap.cref(2, 'duplicate user'), 'round 2: a sender twice');
SELECT throws_ok($$SELECT tap.ca(2, tap.msg_to_user('c', 1, 2))$$, 'SA002',
                 tap.cref(2, 'message does not belong to the current round'), 'round 2: the round-1 message again');
SELECT throws_ok($$SELECT tap.ca(2, tap.msg_to_user('d', 2, 2))$$, 'SA001',
                 tap.cref(2, 'message or state belongs to another session'), 'round 2: message of session d');
SELECT tap.clients(s, 2) FROM unnest('{c,d}'::text[]) s;
SELECT length(tap.server(s, 2)) > 0 AS closed FROM unnest('{c,d}'::text[]) s;

-- ---------------------------------------------------------------- round 3
-- U3 = 1..7: 7 ids
SELECT is(length(tap.msg_to_user('c', 3, 2)), 38 + 7 * 8, 'round 3: U3 message is 38 + 8 |U3| bytes');
SELECT throws_ok($$SELECT tap.ca(2, tap.trunc(tap.msg_to_user('c', 3, 2)))$$, '22P03',
                 tap.cref(3, 'malformed message or state'), 'round 3: truncated');
SELECT throws_ok($$SELECT tap.ca(2, tap.msg_to_user('c', 3, 2) || '\x00'::bytea)$$, '22P03',
                 tap.cref(3, 'malformed message or state'), 'round 3: trailing byte');
SELECT throws_ok($$SELECT tap.ca(2, tap.s2c_keep(tap.msg_to_user('c', 3, 2), 8, '{0,2,3,4,5,6}'))$$, 'SA003',
                 tap.cref(3, 'user is not allowed in this round'), 'round 3: U3 without the user');
SELECT throws_ok($$SELECT tap.ca(2, tap.s2c_keep(tap.msg_to_user('c', 3, 2), 8, '{0,1,2,3}'))$$, 'SA008',
                 tap.cref(3, 'fewer users than the threshold'), 'round 3: t - 1 users in U3');
SELECT throws_ok($$SELECT tap.ca(2, tap.s2c_keep(tap.msg_to_user('c', 3, 2), 8, '{0,1,3,2,4}'))$$, 'SA004',
                 tap.cref(3, 'duplicate user'), 'round 3: U3 out of order');
SELECT throws_ok($$SELECT tap.ca(2, tap.s2c_keep(tap.msg_to_user('c', 3, 2), 8, '{0,1,2,3,3,4}'))$$, 'SA004',
                 tap.cref(3, 'duplicate user'), 'round 3: an id twice in U3');
SELECT throws_ok($$SELECT tap.ca(2, overlay(tap.msg_to_user('c', 3, 2) PLACING tap.u64(9) FROM 39 + 8 * 6 FOR 8))$$, 'SA003',
                 tap.cref(3, 'user is not allowed in this round'), 'round 3: an id outside U2');
SELECT throws_ok($$SELECT tap.ca(2, tap.msg_to_user('c', 2, 2))$$, 'SA002',
                 tap.cref(3, 'message does not belong to the current round'), 'round 3: the round-2 message again (same round twice)');
SELECT tap.clients(s, 3) FROM unnest('{c,d}'::text[]) s;
SELECT length(tap.server(s, 3)) > 0 AS closed FROM unnest('{c,d}'::text[]) s;

-- ---------------------------------------------------------------- round 4
-- U4 = 1..7: 7 entries of 72 bytes (id, signature on U3)
SELECT is(length(tap.msg_to_user('c', 4, 2)), 38 + 7 * 72, 'round 4: signature list is 38 + 72 |U4| bytes');
SELECT throws_ok($$SELECT tap.ca(2, tap.trunc(tap.msg_to_user('c', 4, 2)))$$, '22P03',
                 tap.cref(4, 'malformed message or state'), 'round 4: truncated');
SELECT throws_ok($$SELECT tap.ca(2, tap.msg_to_user('c', 4, 2) || '\x00'::bytea)$$, '22P03',
                 tap.cref(4, 'malformed message or state'), 'round 4: trailing byte');
SELECT throws_ok($$SELECT tap.ca(2, tap.flip(tap.msg_to_user('c', 4, 2), 38 + 72 * 3 + 8 + 10))$$, 'SA005',
                 tap.cref(4, 'signature does not verify'), 'round 4: a signature altered');
SELECT throws_ok($$SELECT tap.ca(2, overlay(m PLACING substr(m, 39 + 72 * 4 + 8, 64) FROM 39 + 72 * 3 + 8 FOR 64))
                   FROM tap.msg_to_user('c', 4, 2) m$$, 'SA005',
                 tap.cref(4, 'signature does not verify'), 'round 4: signature of user 5 given for user 4');
SELECT throws_ok($$SELECT tap.ca(2, substr(tap.msg_to_user('c', 4, 2), 1, 34) || substr(tap.msg_to_user('d', 4, 2), 35))$$, 'SA005',
                 tap.cref(4, 'signature does not verify'), 'round 4: signatures of session d under the header of c');
SELECT throws_ok($$SELECT tap.ca(2, overlay(tap.msg_to_user('c', 4, 2) PLACING tap.u64(8) FROM 39 + 72 * 6 FOR 8))$$, 'SA003',
                 tap.cref(4, 'user is not allowed in this round'), 'round 4: a signer outside U3');
SELECT throws_ok($$SELECT tap.ca(2, tap.s2c_keep(tap.msg_to_user('c', 4, 2), 72, '{0,1,2,3}'))$$, 'SA008',
                 tap.cref(4, 'fewer users than the threshold'), 'round 4: t - 1 signatures');
SELECT throws_ok($$SELECT tap.ca(2, tap.s2c_keep(tap.msg_to_user('c', 4, 2), 72, '{0,1,2,4,3}'))$$, 'SA004',
                 tap.cref(4, 'duplicate user'), 'round 4: signatures out of order');
SELECT throws_ok($$SELECT tap.ca(2, tap.msg_to_user('c', 3, 2))$$, 'SA002',
                 tap.cref(4, 'message does not belong to the current round'), 'round 4: the round-3 message again (same round twice)');
SELECT throws_ok($$SELECT tap.ca(2, tap.msg_to_user('d', 4, 2))$$, 'SA001',
                 tap.cref(4, 'message or state belongs to another session'), 'round 4: message of session d');
SELECT is(length((tap.ca(2, tap.s2c_keep(tap.msg_to_user('c', 4, 2), 72, '{0,1,2,3,4}'))).message), 46 + 8 * 41,
          'round 4: exactly t signatures are accepted');
SELECT tap.clients(s, 4) FROM unnest('{c,d}'::text[]) s;
SELECT is(tap.cstate('c', 2) ->> 'finished', 'true', 'after round 4 the client is finished');
SELECT throws_ok($$SELECT tap.ca(2, tap.msg_to_user('c', 4, 2))$$, 'SA011',
                 'client has finished the session and answers no further message', 'a finished client does not answer round 4 twice');
SELECT throws_ok($$SELECT tap.ca(2, tap.msg_to_user('c', 0, 2))$$, 'SA011',
                 'client has finished the session and answers no further message', 'a finished client does not answer round 0');
SELECT throws_ok($$SELECT tap.ca(2, tap.setb(tap.msg_to_user('c', 0, 2), 1, 5))$$, '22P03',
                 tap.cref(5, 'malformed message or state'), 'a finished client: message type 5');
SELECT length(tap.server(s, 4)) > 0 AS closed FROM unnest('{c,d}'::text[]) s;
SELECT is((SELECT result FROM tap.sess WHERE tag = s), tap.expected(s), 'after all refused messages: exact sum of session ' || s)
FROM unnest('{c,d}'::text[]) s;

SELECT * FROM finish();
ROLLBACK;
