-- 05_args.sql: NULL arguments of every function (22004), empty arrays and
-- NULL elements, rosters, thresholds, lengths, and bad jsonb states (missing
-- keys, wrong format, bad base64, tampered images, summary fields that do not
-- match), each with its exact SQLSTATE and message.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(212);
\ir secagg_helpers.psql

SELECT tap.setup('a', 5, 3, 2, 'small');
SELECT tap.run('a', 'agg', 0, 1);     -- server and clients now at round 2
SELECT tap.setup('z', 5, 3, 2, 'small');
SELECT tap.run('z', 'agg', 0, 4);     -- a finished session, for its outputs
CREATE FUNCTION tap.sid() RETURNS bytea LANGUAGE sql STABLE AS $$ SELECT sid FROM tap.sess WHERE tag = 'a' $$;
CREATE FUNCTION tap.ros() RETURNS bytea LANGUAGE sql STABLE AS $$ SELECT roster FROM tap.sess WHERE tag = 'a' $$;
CREATE FUNCTION tap.pk(uid bigint) RETURNS bytea LANGUAGE sql STABLE AS $$
  SELECT (kp).public_key FROM tap.users WHERE tag = 'a' AND user_id = uid $$;
CREATE FUNCTION tap.sk(uid bigint) RETURNS bytea LANGUAGE sql STABLE AS $$
  SELECT (kp).secret_key FROM tap.users WHERE tag = 'a' AND user_id = uid $$;
CREATE FUNCTION tap.ss() RETURNS jsonb LANGUAGE sql STABLE AS $$ SELECT tap.sstate('a') $$;
CREATE FUNCTION tap.cs() RETURNS jsonb LANGUAGE sql STABLE AS $$ SELECT tap.cstate('a', 1) $$;
CREATE FUNCTION tap.out4() RETURNS bytea LANGUAGE sql STABLE AS $$
  SELECT output FROM tap.states WHERE tag = 'z' AND round = 4 $$;

-- ------------------------------------------------------------ NULL arguments
SELECT throws_ok(q, '22004', name || ' must not be NULL', 'NULL ' || name || ': ' || left(q, 60))
FROM (VALUES
  ('SELECT secagg.roster(NULL, ARRAY[tap.pk(1), tap.pk(2)])', 'user_ids'),
  ('SELECT secagg.roster(''{1,2}'', NULL)', 'public_keys'),
  ('SELECT secagg.roster_agg(NULL::bigint, tap.pk(1))', 'user_id'),
  ('SELECT secagg.roster_agg(1, NULL::bytea)', 'public_key'),
  ('SELECT secagg.roster_size(NULL)', 'roster'),
  ('SELECT secagg.server_create(NULL, 3, 2, tap.ros())', 'session_id'),
  ('SELECT secagg.server_create(tap.sid(), NULL, 2, tap.ros())', 'threshold'),
  ('SELECT secagg.server_create(tap.sid(), 3, NULL, tap.ros())', 'vector_length'),
  ('SELECT secagg.server_create(tap.sid(), 3, 2, NULL)', 'roster'),
  ('SELECT secagg.round0_msg(NULL)', 'server_state'),
  ('SELECT secagg.server_recv(NULL, 1, tap.msg_to_server(''a'', 1, 1))', 'server_state'),
  ('SELECT secagg.server_recv(tap.ss(), NULL, tap.msg_to_server(''a'', 1, 1))', 'user_id'),
  ('SELECT secagg.server_recv(tap.ss(), 1, NULL)', 'message'),
  ('SELECT secagg.server_round(NULL)', 'server_state'),
  ('SELECT secagg.server_round_agg(NULL::jsonb, 1, ''\x00''::bytea)', 'server_state'),
  ('SELECT secagg.server_round_agg(tap.ss(), NULL::bigint, ''\x00''::bytea)', 'user_id'),
  ('SELECT secagg.server_round_agg(tap.ss(), 1, NULL::bytea)', 'message'),
  ('SELECT secagg.output_is_vector(NULL)', 'output'),
  ('SELECT secagg.output_state(NULL)', 'output'),
  ('SELECT * FROM secagg.output_messages(NULL)', 'output'),
  ('SELECT secagg.output_vector(NULL)', 'output'),
  ('SELECT secagg.output_kind(NULL)', 'output'),
  ('SELECT * FROM secagg.share_routes(NULL, 1, ''\x00''::bytea)', 'output'),
  ('SELECT * FROM secagg.share_routes(tap.out4(), NULL, ''\x00''::bytea)', 'user_id'),
  ('SELECT * FROM secagg.share_routes(tap.out4(), 1, NULL)', 'message'),
  ('SELECT secagg.share_message_agg(NULL::bytea)', 'route'),
  ('SELECT * FROM secagg.unmask_shares(NULL, 1, ''\x00''::bytea)', 'output'),
  ('SELECT * FROM secagg.unmask_shares(tap.out4(), NULL, ''\x00''::bytea)', 'user_id'),
  ('SELECT * FROM secagg.unmask_shares(tap.out4(), 1, NULL)', 'message'),
  ('SELECT secagg.unmask_secret_agg(NULL::bytea)', 'share'),
  ('SELECT secagg.unmask_agg(tap.out4(), NULL::bytea)', 'secret'),
  ('SELECT secagg.client_create(NULL, 1, 3, tap.sk(1), ''{1,2}'', tap.ros())', 'session_id'),
  ('SELECT secagg.client_create(tap.sid(), NULL, 3, tap.sk(1), ''{1,2}'', tap.ros())', 'user_id'),
  ('SELECT secagg.client_create(tap.sid(), 1, NULL, tap.sk(1), ''{1,2}'', tap.ros())', 'threshold'),
  ('SELECT secagg.client_create(tap.sid(), 1, 3, NULL, ''{1,2}'', tap.ros())', 'sign_secret_key'),
  ('SELECT secagg.client_create(tap.sid(), 1, 3, tap.sk(1), NULL, tap.ros())', 'vector'),
  ('SELECT secagg.client_create(tap.sid(), 1, 3, tap.sk(1), ''{1,2}'', NULL)', 'roster'),
  ('SELECT secagg.client_round(NULL, tap.msg_to_user(''a'', 2, 1))', 'client_state'),
  ('SELECT secagg.client_round(tap.cs(), NULL)', 'message'),
  ('SELECT secagg.client_recover(NULL, tap.cs())', 'current_state'),
  ('SELECT secagg.client_recover(tap.cs(), NULL)', 'candidate_state')
) v(q, name);
SELECT is((SELECT secagg.roster_agg(user_id, (kp).public_key) FROM tap.users WHERE false), NULL,
          'roster_agg over no rows is NULL');

-- ------------------------------------------------------------------- rosters
SELECT is(secagg.roster(ARRAY[5, 3, 1, 4, 2]::bigint[], ARRAY[tap.pk(5), tap.pk(3), tap.pk(1), tap.pk(4), tap.pk(2)]),
          tap.ros(), 'roster() in any order = roster_agg (canonical)');
SELECT is(secagg.roster_size(tap.ros()), 5, 'roster_size');
SELECT is(length(tap.ros()), 8 + 5 * 40, 'roster: 8-byte header and 40 bytes per user');
SELECT throws_ok($$SELECT secagg.roster('{}'::bigint[], '{}'::bytea[])$$, '22023',
                 'a roster needs between 2 and 1000000 users, got 0', 'roster: empty arrays');
SELECT throws_ok($$SELECT secagg.roster('{1}', ARRAY[tap.pk(1)])$$, '22023',
                 'a roster needs between 2 and 1000000 users, got 1', 'roster: one user');
SELECT throws_ok($$SELECT secagg.roster('{1,2,3}', ARRAY[tap.pk(1), tap.pk(2), tap.pk(1)])$$, 'SA007',
                 'two users of the roster have the same public key', 'roster: one public key for two users');
SELECT throws_ok($$SELECT secagg.roster_agg(u, tap.pk(CASE WHEN u = 4 THEN 2 ELSE u END)) FROM generate_series(1, 4) u$$, 'SA007',
                 'two users of the roster have the same public key', 'roster_agg: one public key for two users');
SELECT throws_ok($$SELECT secagg.roster('{{1,2},{3,4}}', ARRAY[[tap.pk(1), tap.pk(2)], [tap.pk(3), tap.pk(4)]])$$, '2202E',
                 'user_ids and public_keys must be one-dimensional arrays', 'roster: two-dimensional arrays');
SELECT throws_ok($$SELECT secagg.server_create(tap.sid(), 2, 2, overlay(tap.ros() PLACING tap.pk(1) FROM 8 + 40 + 9 FOR 32))$$, 'SA007',
                 NULL, 'server_create: a roster blob with one public key for two users');
SELECT throws_ok($$SELECT secagg.roster(ARRAY(SELECT generate_series(1, 1000001)::bigint),
                                        array_fill(tap.pk(1), ARRAY[1000001]))$$, '22023',
                 'a roster needs between 2 and 1000000 users, got 1000001', 'roster: 1,000,001 users');
SELECT throws_ok($$SELECT secagg.roster('{1,2}', ARRAY[tap.pk(1)])$$, '2202E',
                 'user_ids has 2 elements but public_keys has 1', 'roster: arrays of different lengths');
SELECT throws_ok($$SELECT secagg.roster('{1,NULL}', ARRAY[tap.pk(1), tap.pk(2)])$$, '22004',
                 'roster arrays must not contain NULL elements', 'roster: NULL id');
SELECT throws_ok($$SELECT secagg.roster('{1,2}', ARRAY[tap.pk(1), NULL])$$, '22004',
                 'roster arrays must not contain NULL elements', 'roster: NULL key');
SELECT throws_ok($$SELECT secagg.roster('{0,2}', ARRAY[tap.pk(1), tap.pk(2)])$$, '22023',
                 'user id 0 is not positive', 'roster: id 0');
SELECT throws_ok($$SELECT secagg.roster('{-7,2}', ARRAY[tap.pk(1), tap.pk(2)])$$, '22023',
                 'user id -7 is not positive', 'roster: negative id');
SELECT throws_ok($$SELECT secagg.roster('{2,2}', ARRAY[tap.pk(1), tap.pk(2)])$$, 'SA004',
                 'roster: duplicate user', 'roster: id twice');
SELECT throws_ok($$SELECT secagg.roster('{1,2}', ARRAY[tap.pk(1), substr(tap.pk(2), 2)])$$, '22023',
                 'public key must be 32 bytes, got 31', 'roster: 31-byte key');
SELECT throws_ok($$SELECT secagg.roster('{1,2}', ARRAY[tap.pk(1), tap.pk(2) || '\x00'::bytea])$$, '22023',
                 'public key must be 32 bytes, got 33', 'roster: 33-byte key');
SELECT throws_ok($$SELECT secagg.roster_agg(id, tap.pk(1)) FROM (VALUES (1::bigint)) v(id)$$, '22023',
                 'a roster needs between 2 and 1000000 users with non-zero ids, got 1', 'roster_agg: one row');
SELECT throws_ok($$SELECT secagg.roster_agg(id, tap.pk(id)) FROM (VALUES (1::bigint), (2), (1)) v(id)$$, 'SA004',
                 'roster: duplicate user', 'roster_agg: id twice');
SELECT throws_ok($$SELECT secagg.roster_agg(id, tap.pk(1)) FROM (VALUES (1::bigint), (0)) v(id)$$, '22023',
                 'user id 0 is not positive', 'roster_agg: id 0');
SELECT throws_ok($$SELECT secagg.roster_agg(1::bigint, '\x0102'::bytea)$$, '22023',
                 'public key must be 32 bytes, got 2', 'roster_agg: short key');
SELECT throws_ok($$SELECT secagg.roster_size('\x00'::bytea)$$, '22P03', 'roster: malformed message or state', 'roster_size: garbage');
SELECT throws_ok($$SELECT secagg.roster_size(tap.trunc(tap.ros()))$$, '22P03', 'roster: malformed message or state', 'roster_size: truncated');
SELECT throws_ok($$SELECT secagg.roster_size(tap.ros() || '\x00'::bytea)$$, '22P03', 'roster: malformed message or state', 'roster_size: trailing byte');
SELECT throws_ok($$SELECT secagg.roster_size(tap.flip(tap.ros(), 0))$$, '22P03', 'roster: malformed message or state', 'roster_size: bad magic');
SELECT throws_ok($$SELECT secagg.roster_size(substr(tap.ros(), 1, 4) || tap.u32(1) || substr(tap.ros(), 9, 40))$$, '22023',
                 'roster: invalid parameter', 'roster_size: encoded roster of one user');
SELECT throws_ok($$SELECT secagg.roster_size(substr(tap.ros(), 1, 8) || substr(tap.ros(), 49, 40) || substr(tap.ros(), 9, 40)
                                             || substr(tap.ros(), 89))$$, '22023',
                 'roster: invalid parameter', 'roster_size: encoded roster out of order');
SELECT throws_ok($$SELECT secagg.roster_size(substr(tap.ros(), 1, 8) || substr(tap.ros(), 9, 40) || substr(tap.ros(), 9, 40)
                                             || substr(tap.ros(), 89))$$, 'SA004',
                 'roster: duplicate user', 'roster_size: encoded roster with an id twice');
SELECT throws_ok($$SELECT secagg.roster_size(overlay(tap.ros() PLACING tap.u64(0) FROM 9 FOR 8))$$, '22023',
                 'roster: invalid parameter', 'roster_size: encoded roster with id 0');

-- ------------------------------------------------------ server_create checks
SELECT throws_ok(format('SELECT secagg.server_create(tap.sid(), %s, 2, tap.ros())', t), '22023',
                 format('threshold %s is invalid for 5 users', t), format('threshold %s for n = 5', t))
FROM unnest('{-1,0,1,2,6}'::int[]) t;
SELECT lives_ok(format('SELECT secagg.server_create(tap.sid(), %s, 2, tap.ros())', t), format('threshold %s for n = 5', t))
FROM unnest('{3,5}'::int[]) t;
SELECT throws_ok($$SELECT secagg.server_create(tap.sid(), 2, 2, secagg.roster('{1,2,3,4}', ARRAY[tap.pk(1), tap.pk(2), tap.pk(3), tap.pk(4)]))$$,
                 '22023', 'threshold 2 is invalid for 4 users', 'threshold n/2 for n = 4');
SELECT is(secagg.server_create(tap.sid(), 3, 2, secagg.roster('{1,2,3,4}', ARRAY[tap.pk(1), tap.pk(2), tap.pk(3), tap.pk(4)])) ->> 'threshold',
          '3', 'threshold n/2 + 1 for n = 4');
SELECT is(secagg.server_create(tap.sid(), 2, 2, secagg.roster('{1,2}', ARRAY[tap.pk(1), tap.pk(2)])) ->> 'users',
          '2', 't = n = 2');
SELECT throws_ok($$SELECT secagg.server_create(tap.sid(), 1, 2, secagg.roster('{1,2}', ARRAY[tap.pk(1), tap.pk(2)]))$$,
                 '22023', 'threshold 1 is invalid for 2 users', 'threshold 1 for n = 2');
SELECT throws_ok($$SELECT secagg.server_create('\x'::bytea, 3, 2, tap.ros())$$, '22023',
                 'session_id must be 1 to 64 bytes, got 0', 'empty session id');
SELECT throws_ok($$SELECT secagg.server_create(decode(repeat('ab', 65), 'hex'), 3, 2, tap.ros())$$, '22023',
                 'session_id must be 1 to 64 bytes, got 65', '65-byte session id');
SELECT is(secagg.server_create(decode(repeat('ab', 64), 'hex'), 3, 2, tap.ros()) ->> 'session_id', repeat('ab', 64),
          '64-byte session id');
SELECT is(secagg.server_create('\x01'::bytea, 3, 2, tap.ros()) ->> 'session_id', '01', '1-byte session id');
SELECT throws_ok(format('SELECT secagg.server_create(tap.sid(), 3, %s, tap.ros())', m), '22023',
                 format('vector_length must have at least one element, got %s', m), format('vector_length %s', m))
FROM unnest('{0,-1}'::int[]) m;
SELECT throws_ok(format('SELECT secagg.server_create(tap.sid(), 3, %s, tap.ros())', m), '54000',
                 format('vector_length of %s elements is longer than 25000000, the longest whose session states fit in jsonb', m),
                 format('vector_length %s', m))
FROM unnest('{25000001,67108864,2147483647}'::int[]) m;
SELECT is(secagg.server_create(tap.sid(), 3, 25000000, tap.ros()) ->> 'vector_length', '25000000', 'vector_length 25,000,000');
SELECT throws_ok($$SELECT secagg.server_create(tap.sid(), 3, 2, '\x00'::bytea)$$, '22P03',
                 'roster: malformed message or state', 'server_create: garbage roster');

-- ------------------------------------------------------ client_create checks
SELECT throws_ok(format('SELECT secagg.client_create(tap.sid(), 1, %s, tap.sk(1), ''{1,2}'', tap.ros())', t), '22023',
                 format('threshold %s is invalid for 5 users', t), format('client_create: threshold %s for n = 5', t))
FROM unnest('{0,1,2,6}'::int[]) t;
SELECT throws_ok($$SELECT secagg.client_create(tap.sid(), 1, 3, substr(tap.sk(1), 2), '{1,2}', tap.ros())$$, '22023',
                 'sign_secret_key must be 64 bytes', 'client_create: 63-byte secret key');
SELECT throws_ok($$SELECT secagg.client_create(tap.sid(), 1, 3, tap.sk(2), '{1,2}', tap.ros())$$, 'SA007',
                 'sign_secret_key does not match the roster''s public key for user 1', 'client_create: secret key of another user');
SELECT throws_ok($$SELECT secagg.client_create(tap.sid(), 1, 3, tap.flip(tap.sk(1), 40), '{1,2}', tap.ros())$$, 'SA007',
                 'sign_secret_key does not match the roster''s public key for user 1', 'client_create: public half of the key altered');
SELECT throws_ok($$SELECT secagg.client_create(tap.sid(), 99, 3, tap.sk(1), '{1,2}', tap.ros())$$, 'SA003',
                 'user 99 is not in the roster', 'client_create: user outside the roster');
SELECT throws_ok($$SELECT secagg.client_create(tap.sid(), 0, 3, tap.sk(1), '{1,2}', tap.ros())$$, '22023',
                 'user id 0 is not positive', 'client_create: user id 0');
SELECT throws_ok($$SELECT secagg.client_create(tap.sid(), 1, 3, tap.sk(1), '{}', tap.ros())$$, '2202E',
                 'vector must be a one-dimensional, non-empty array', 'client_create: empty vector');
SELECT throws_ok($$SELECT secagg.client_create(tap.sid(), 1, 3, tap.sk(1), '{1,NULL}', tap.ros())$$, '22004',
                 'vector must not contain NULL elements', 'client_create: NULL element');
SELECT throws_ok($$SELECT secagg.client_create(tap.sid(), 1, 3, tap.sk(1), '{{1,2},{3,4}}', tap.ros())$$, '2202E',
                 'vector must be a one-dimensional, non-empty array', 'client_create: two-dimensional vector');
SELECT throws_ok($$SELECT secagg.client_create('\x'::bytea, 1, 3, tap.sk(1), '{1,2}', tap.ros())$$, '22023',
                 'session_id must be 1 to 64 bytes, got 0', 'client_create: empty session id');
SELECT throws_ok($$SELECT secagg.client_create(tap.sid() || tap.sid() || '\x00'::bytea, 1, 3, tap.sk(1), '{1,2}', tap.ros())$$, '22023',
                 'session_id must be 1 to 64 bytes, got 65', 'client_create: 65-byte session id');
SELECT throws_ok($$SELECT secagg.client_create(tap.sid(), 1, 3, tap.sk(1) || '\x00'::bytea, '{1,2}', tap.ros())$$, '22023',
                 'sign_secret_key must be 64 bytes', 'client_create: 65-byte signing key');
SELECT throws_ok($$SELECT secagg.client_create(tap.sid(), 1, 3, substring(tap.sk(1) from 2), '{1,2}', tap.ros())$$, '22023',
                 'sign_secret_key must be 64 bytes', 'client_create: 63-byte signing key');
SELECT throws_ok($$SELECT secagg.client_create(tap.sid(), 1, 3, tap.sk(1), '{1,2}', tap.ros() || '\x00'::bytea)$$, '22P03',
                 'roster: malformed message or state', 'client_create: roster with a trailing byte');
SELECT throws_ok($$SELECT secagg.client_create(tap.sid(), 1, 3, tap.sk(1), '{1,2}', tap.trunc(tap.ros()))$$, '22P03',
                 'roster: malformed message or state', 'client_create: truncated roster');
SELECT is(secagg.client_create(tap.sid(), 1, 3, tap.sk(1), '[0:1]={7,8}', tap.ros()) ->> 'vector_length', '2',
          'client_create: an array with lower bound 0 is a vector of 2');
SELECT is((secagg.client_round(secagg.client_create(tap.sid(), 1, 3, tap.sk(1), '{1,2}', tap.ros()),
                               secagg.round0_msg(tap.sstate_at('a', 0)))).state ->> 'round', '1',
          'client_create with the session parameters answers round 0');

-- ---------------------------------------------------- bad server states
SELECT throws_ok(format('SELECT secagg.server_round(%L::jsonb)', j), e, msg, 'server state ' || what)
FROM (VALUES
  ('[]', '22023', 'server state must be a JSON object', 'array'),
  ('"x"', '22023', 'server state must be a JSON object', 'string'),
  ('{}', '22023', 'server state: key "format" is missing or not a string', 'empty object'),
  ('{"format": 1}', '22023', 'server state: key "format" is missing or not a string', 'format a number')
) v(j, e, msg, what);
SELECT throws_ok(format('SELECT secagg.server_round(%L::jsonb)', j), e, msg, 'server state ' || what)
FROM (SELECT tap.ss() AS s) st, LATERAL (VALUES
  (jsonb_set(s, '{format}', '"secagg.client"'), '22023', 'server state: expected format "secagg.server"', 'with the client format'),
  (jsonb_set(s, '{version}', '2'), '0A000', 'server state: unsupported state version', 'version 2'),
  (s - 'version', '22023', 'server state: key "version" is missing or not a number', 'without version'),
  (jsonb_set(s, '{version}', '"1"'), '22023', 'server state: key "version" is missing or not a number', 'version a string'),
  (s - 'image', '22023', 'server state: key "image" is missing or not a string', 'without image'),
  (jsonb_set(s, '{image}', '5'), '22023', 'server state: key "image" is missing or not a string', 'image a number'),
  (jsonb_set(s, '{image}', '"!!!!"'), '22023', 'server state: "image" is not valid base64', 'image not base64'),
  (jsonb_set(s, '{image}', to_jsonb(encode(tap.image(s), 'base64'))), '22023', 'server state: "image" is not valid base64',
   'image base64 with line breaks'),
  (jsonb_set(s, '{image}', to_jsonb((s ->> 'image') || '=')), '22023', 'server state: "image" is not valid base64', 'image with extra padding'),
  (tap.with_image(s, 'hello'::bytea), '22P03', 'server state image: malformed message or state', 'image of 5 bytes'),
  (tap.with_image(s, tap.trunc(tap.image(s))), '22P03', 'server state image: malformed message or state', 'image truncated'),
  (tap.with_image(s, tap.image(s) || '\x00'::bytea), '22P03', 'server state image: malformed message or state', 'image with a trailing byte'),
  (tap.with_image(s, tap.flip(tap.image(s), 0)), '22P03', 'server state image: malformed message or state', 'image magic'),
  (tap.with_image(s, tap.setb(tap.image(s), 4, 2)), '0A000', 'server state image: unsupported format version', 'image version 2'),
  (tap.with_image(s, tap.setb(tap.image(s), 5, 1)), '22P03', 'server state image: malformed message or state', 'image stage changed'),
  (tap.with_image(s, tap.setb(tap.image(s), 5, 9)), '22P03', 'server state image: malformed message or state', 'image stage 9'),
  (tap.with_image(s, tap.flip(tap.image(s), 6)), '22P03', 'server state image: malformed message or state', 'image session id length'),
  (tap.with_image(s, tap.flip(tap.image(s), 7)), '22P03', 'server state image: malformed message or state', 'image padding byte'),
  (tap.with_image(s, tap.flip(tap.image(s), 8)), '22P03', 'server state image: malformed message or state', 'image context'),
  (tap.with_image(s, tap.flip(tap.image(s), 40)), '22P03', 'server state image: malformed message or state', 'image session id'),
  (tap.with_image(s, tap.flip(tap.image(s), 100)), '22P03', 'server state image: malformed message or state', 'image session id padding'),
  (tap.with_image(s, tap.flip(tap.image(s), 107)), '22P03', 'server state image: malformed message or state', 'image threshold'),
  (tap.with_image(s, tap.flip(tap.image(s), 111)), '22P03', 'server state image: malformed message or state', 'image vector length'),
  (tap.with_image(s, tap.flip(tap.image(s), 115)), '22P03', 'server state image: malformed message or state', 'image roster size'),
  (tap.with_image(s, tap.flip(tap.image(s), 119)), '22P03', 'server state image: malformed message or state', 'image |U1|'),
  (tap.with_image(s, tap.setb(tap.image(s), 132, 1)), '22P03', 'server state image: malformed message or state', 'image sum flag'),
  (tap.with_image(s, tap.flip(tap.image(s), 136 + 8 + 3)), '22P03', 'server state image: malformed message or state', 'image roster key'),
  (tap.with_image(s, tap.flip(tap.image(s), 136 + 7)), '22P03', 'server state image: malformed message or state', 'image roster id'),
  (tap.with_image(s, tap.flip(tap.image(s), 336 + 7)), '22P03', 'server state image: malformed message or state', 'image U1 id'),
  (tap.with_image(s, tap.flip(tap.image(s), length(tap.image(s)) - 1 - 16)), '22P03',
   'server state image: malformed message or state', 'image pending bitmap bit without a message'),
  (jsonb_set(s, '{round}', '1'), '22023', 'server state: summary fields do not match the state image', 'summary round'),
  (jsonb_set(s, '{threshold}', '4'), '22023', 'server state: summary fields do not match the state image', 'summary threshold'),
  (jsonb_set(s, '{vector_length}', '3'), '22023', 'server state: summary fields do not match the state image', 'summary vector_length'),
  (jsonb_set(s, '{received}', '1'), '22023', 'server state: summary fields do not match the state image', 'summary received'),
  (jsonb_set(s, '{users}', '4'), '22023', 'server state: summary fields do not match the state image', 'summary users'),
  (jsonb_set(s, '{u2}', '1'), '22023', 'server state: summary fields do not match the state image', 'summary u2'),
  (jsonb_set(s, '{u3}', '1'), '22023', 'server state: summary fields do not match the state image', 'summary u3'),
  (jsonb_set(s, '{u4}', '1'), '22023', 'server state: summary fields do not match the state image', 'summary u4'),
  (s - 'round', '22023', 'server state: key "round" is missing or not a number', 'summary without round'),
  (jsonb_set(s, '{round}', '"2"'), '22023', 'server state: key "round" is missing or not a number', 'summary round a string')
) v(j, e, msg, what);
SELECT throws_ok($$SELECT secagg.round0_msg('{}'::jsonb)$$, '22023', 'server state: key "format" is missing or not a string', 'round0_msg: bad state');
SELECT throws_ok($$SELECT secagg.server_recv(tap.with_image(tap.ss(), tap.flip(tap.image(tap.ss()), 8)), 1, '\x00'::bytea)$$,
                 '22P03', 'server state image: malformed message or state', 'server_recv: tampered image');
SELECT throws_ok($$SELECT secagg.server_round_agg(tap.with_image(tap.ss(), tap.flip(tap.image(tap.ss()), 8)), 1, '\x00'::bytea)$$,
                 '22P03', 'server state image: malformed message or state', 'server_round_agg: tampered image');
SELECT throws_ok($$SELECT secagg.server_round(tap.cs())$$, '22023', 'server state: expected format "secagg.server"',
                 'a client state given to server_round');
SELECT throws_ok($$SELECT secagg.server_round(jsonb_set(tap.ss(), '{session_id}', to_jsonb(encode(tap.sid(), 'hex') || '00')))$$,
                 '22023', 'server state: summary fields do not match the state image', 'server summary session_id');
SELECT throws_ok($$SELECT secagg.server_round(jsonb_set(tap.ss(), '{finished}', 'true'))$$,
                 '22023', 'server state: summary fields do not match the state image', 'server summary finished');
SELECT throws_ok($$SELECT secagg.server_round(jsonb_set(tap.ss(), '{u1}', '2'))$$,
                 '22023', 'server state: summary fields do not match the state image', 'server summary u1');

-- ---------------------------------------------------- bad client states
-- image: "SAC1" version stage sid_len sid(32) t m n roster(5 x 40) id sign_sk(64) has_x x(16) c_sk ...
SELECT throws_ok(format('SELECT secagg.client_round(%L::jsonb, tap.msg_to_user(''a'', 2, 1))', j), e, msg, 'client state ' || what)
FROM (SELECT tap.cs() AS s) st, LATERAL (VALUES
  ('[]'::jsonb, '22023', 'client state must be a JSON object', 'array'),
  ('{}'::jsonb, '22023', 'client state: key "format" is missing or not a string', 'empty object'),
  (jsonb_set(s, '{format}', '"secagg.server"'), '22023', 'client state: expected format "secagg.client"', 'with the server format'),
  (jsonb_set(s, '{version}', '7'), '0A000', 'client state: unsupported state version', 'version 7'),
  (s - 'image', '22023', 'client state: key "image" is missing or not a string', 'without image'),
  (jsonb_set(s, '{image}', '"a"'), '22023', 'client state: "image" is not valid base64', 'image not base64'),
  (jsonb_set(s, '{image}', to_jsonb(overlay(s ->> 'image' placing 'é' from 20 for 2))), '22023',
   'client state: "image" is not valid base64', 'image with a non-ASCII character (libsodium 1.0.18 decodes those)'),
  (tap.with_image(s, tap.trunc(tap.image(s))), '22P03', 'client state: malformed message or state', 'image truncated'),
  (tap.with_image(s, tap.image(s) || '\x00'::bytea), '22P03', 'client state: malformed message or state', 'image with a trailing byte'),
  (tap.with_image(s, tap.flip(tap.image(s), 1)), '22P03', 'client state: malformed message or state', 'image magic'),
  (tap.with_image(s, tap.setb(tap.image(s), 4, 0)), '0A000', 'client state: unsupported format version', 'image version 0'),
  (tap.with_image(s, tap.setb(tap.image(s), 5, 3)), '22P03', 'client state: malformed message or state', 'image stage 3 (vector present)'),
  (tap.with_image(s, tap.setb(tap.image(s), 5, 6)), '22P03', 'client state: malformed message or state', 'image stage 6'),
  (tap.with_image(s, tap.flip(tap.image(s), 6)), '22P03', 'client state: malformed message or state', 'image session id length'),
  (tap.with_image(s, tap.flip(tap.image(s), 42)), '22P03', 'client state: malformed message or state', 'image threshold'),
  (tap.with_image(s, tap.flip(tap.image(s), 50)), '22P03', 'client state: malformed message or state', 'image roster size'),
  (tap.with_image(s, tap.flip(tap.image(s), 51 + 8 + 5)), '22P03', 'client state: malformed message or state', 'image roster key of user 1'),
  (tap.with_image(s, tap.flip(tap.image(s), 251 + 7)), '22P03', 'client state: malformed message or state', 'image user id'),
  (tap.with_image(s, tap.flip(tap.image(s), 259 + 5)), '22P03', 'client state: malformed message or state', 'image signing key'),
  (tap.with_image(s, tap.setb(tap.image(s), 323, 0)), '22P03', 'client state: malformed message or state', 'image vector flag'),
  (tap.with_image(s, tap.flip(tap.image(s), 340 + 4)), '22P03', 'client state: malformed message or state', 'image X25519 secret key'),
  (tap.with_image(s, tap.flip(tap.image(s), 372 + 4)), '22P03', 'client state: malformed message or state', 'image X25519 public key'),
  (tap.with_image(s, tap.flip(tap.image(s), 404 + 4)), '22P03', 'client state: malformed message or state', 'image mask-key seed'),
  (tap.with_image(s, tap.setb(tap.image(s), 468 + 31, 255)), '22P03', 'client state: malformed message or state', 'image self-mask seed not reduced'),
  (jsonb_set(s, '{round}', '3'), '22023', 'client state: summary fields do not match the state image', 'summary round'),
  (jsonb_set(s, '{user_id}', '2'), '22023', 'client state: summary fields do not match the state image', 'summary user_id'),
  (jsonb_set(s, '{session_id}', to_jsonb(encode(tap.sid(), 'hex') || '00')), '22023', 'client state: summary fields do not match the state image', 'summary session_id'),
  (jsonb_set(s, '{session_id}', to_jsonb(upper(encode(tap.sid(), 'hex')))), '22023', 'client state: summary fields do not match the state image', 'summary session_id in upper case'),
  (jsonb_set(s, '{finished}', 'true'), '22023', 'client state: summary fields do not match the state image', 'summary finished'),
  (s - 'user_id', '22023', 'client state: key "user_id" is missing or not a number', 'without user_id')
) v(j, e, msg, what);
SELECT throws_ok($$SELECT secagg.client_round(tap.ss(), tap.msg_to_user('a', 2, 1))$$, '22023',
                 'client state: expected format "secagg.client"', 'a server state given to client_round');
SELECT throws_ok($$SELECT secagg.client_recover('{}'::jsonb, tap.cs())$$, '22023',
                 'current client state: key "format" is missing or not a string', 'client_recover: bad current state');
SELECT throws_ok($$SELECT secagg.client_recover(tap.cs(), jsonb_set(tap.cs(), '{round}', '4'))$$, '22023',
                 'candidate client state: summary fields do not match the state image', 'client_recover: candidate summary');
SELECT throws_ok($$SELECT secagg.client_round(jsonb_set(tap.cs(), '{vector_length}', '9'), tap.msg_to_user('a', 2, 1))$$,
                 '22023', 'client state: summary fields do not match the state image', 'client summary vector_length');

-- ---------------------------------------------------- round outputs
SELECT throws_ok(format('SELECT secagg.%s(%L::bytea)', f, b), '22P03', 'server round output: malformed message or state',
                 f || ': ' || what)
FROM unnest('{output_is_vector,output_state,output_vector}'::text[]) f,
     (VALUES ('\x'::bytea, 'empty'), ('\x53414f3103'::bytea, 'unknown kind'),
             (tap.trunc(tap.out4()), 'truncated'), (tap.out4() || '\x00'::bytea, 'trailing byte')) v(b, what);
SELECT is(secagg.output_vector(tap.out4()), tap.expected('z'), 'output_vector of the untouched output: exact sum');

SELECT * FROM finish();
ROLLBACK;
