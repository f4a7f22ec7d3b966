-- 07_secrets.sql: error texts (message, detail, hint, context) never carry
-- key material, client state images or input values; the server side never
-- holds a secret key; the client drops its input once it is sent masked.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(36);
\ir secagg_helpers.psql

-- Every text of the error an SQL statement raises, or '' if none.
CREATE FUNCTION tap.err_text(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  m text; d text; h text; c text; s text;
BEGIN
  EXECUTE q;
  RETURN '';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT,
                          c = PG_EXCEPTION_CONTEXT, s = RETURNED_SQLSTATE;
  RETURN concat_ws(E'\n', s, m, d, h, c);
END
$$;
-- true if the text contains none of the encodings of the secret
CREATE FUNCTION tap.leaks(t text, secret bytea) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT position(encode(secret, 'hex') IN lower(t)) > 0
      OR position(encode(substr(secret, 1, 8), 'hex') IN lower(t)) > 0
      OR position(encode(substr(secret, length(secret) - 7, 8), 'hex') IN lower(t)) > 0
      OR position(tap.b64(secret) IN t) > 0
      OR position(substr(tap.b64(secret), 1, 12) IN t) > 0
      OR position(encode(secret, 'escape') IN t) > 0
$$;

SELECT tap.setup('k', 5, 3, 2, 'small');
UPDATE tap.users SET vec = '{987654321987654,-123456789123456}' WHERE tag = 'k' AND user_id = 2;
UPDATE tap.users u SET state = secagg.client_create(s.sid, u.user_id, s.t, (u.kp).secret_key, u.vec, s.roster)
  FROM tap.sess s WHERE s.tag = 'k' AND u.tag = 'k' AND u.user_id = 2;
CREATE TABLE tap.rnd AS SELECT gen_random_bytes AS b FROM (SELECT decode(md5(random()::text) || md5(random()::text)
  || md5(random()::text) || md5(random()::text), 'hex') AS gen_random_bytes) s;
CREATE FUNCTION tap.sk(uid bigint) RETURNS bytea LANGUAGE sql STABLE AS $$
  SELECT (kp).secret_key FROM tap.users WHERE tag = 'k' AND user_id = uid $$;
CREATE FUNCTION tap.img(uid bigint) RETURNS bytea LANGUAGE sql STABLE AS $$
  SELECT tap.image(tap.cstate('k', uid)) $$;

-- key pairs and session ids
SELECT is(ARRAY[length((kp).public_key), length((kp).secret_key)], '{32,64}'::int[], 'gen_keypair: 32-byte public key, 64-byte secret key')
FROM tap.users WHERE tag = 'k' AND user_id = 1;
SELECT is(substr((kp).secret_key, 33), (kp).public_key, 'gen_keypair: the secret key ends with its public key (libsodium layout)')
FROM tap.users WHERE tag = 'k' AND user_id = 1;
SELECT is((SELECT count(DISTINCT (kp).secret_key) FROM tap.users WHERE tag = 'k'), 5::bigint, 'gen_keypair: five different keys');
SELECT is(length(secagg.new_session_id()), 32, 'new_session_id: 32 bytes');
SELECT isnt(secagg.new_session_id(), secagg.new_session_id(), 'new_session_id: two calls differ');

-- the error texts of refused client_create calls
SELECT is(length(tap.rnd.b), 64, 'a random 64-byte key') FROM tap.rnd;
-- (the statements refer to the keys through functions: an SQL text holding
-- the key would itself show up in the error context)
CREATE FUNCTION tap.cc(key bytea, t int DEFAULT 3, vec bigint[] DEFAULT '{1,2}') RETURNS jsonb LANGUAGE sql AS $$
  SELECT secagg.client_create(s.sid, 1, t, key, vec, s.roster) FROM tap.sess s WHERE s.tag = 'k'
$$;
SELECT ok(tap.err_text($$SELECT tap.cc((SELECT b FROM tap.rnd))$$) LIKE 'SA007%', 'client_create with a random key fails with SA007');
SELECT ok(NOT tap.leaks(tap.err_text(q), key), 'no key in the error of client_create with ' || what)
FROM (VALUES
  ($$SELECT tap.cc((SELECT b FROM tap.rnd))$$, (SELECT b FROM tap.rnd), 'a random key'),
  ($$SELECT tap.cc(tap.sk(2))$$, tap.sk(2), 'the key of another user'),
  ($$SELECT tap.cc(substr(tap.sk(1), 1, 63))$$, substr(tap.sk(1), 1, 63), 'a 63-byte key'),
  ($$SELECT tap.cc(tap.sk(1) || '\x00'::bytea)$$, tap.sk(1), 'a 65-byte key'),
  ($$SELECT tap.cc(tap.sk(1), 9)$$, tap.sk(1), 'a bad threshold'),
  ($$SELECT tap.cc(tap.sk(1), 3, '{1,NULL}')$$, tap.sk(1), 'a NULL element')
) v(q, key, what);

-- errors of client_round / client_recover / the trigger on states holding secrets
CREATE FUNCTION tap.no_secret(t text, uid bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT t <> ''
     AND NOT tap.leaks(t, tap.sk(uid))
     AND NOT tap.leaks(t, substr(tap.img(uid), 200, 48))
     AND position('987654321987654' IN t) = 0 AND position('123456789123456' IN t) = 0
$$;
SELECT ok(tap.no_secret(tap.err_text(q), 2), 'no secret in the error of: ' || what)
FROM (VALUES
  ($$SELECT secagg.client_round(tap.cstate('k', 2), tap.flip(tap.msg_to_user('k', 0, 2), 5))$$, 'client_round, message of another session'),
  ($$SELECT secagg.client_round(tap.cstate('k', 2), '\x01'::bytea)$$, 'client_round, malformed message'),
  ($$SELECT secagg.client_round(tap.with_image(tap.cstate('k', 2), tap.flip(tap.img(2), 300)), tap.msg_to_user('k', 0, 2))$$,
   'client_round, state with an altered signing key'),
  ($$SELECT secagg.client_round(tap.with_image(tap.cstate('k', 2), tap.trunc(tap.img(2))), tap.msg_to_user('k', 0, 2))$$,
   'client_round, truncated state'),
  ($$SELECT secagg.client_round(jsonb_set(tap.cstate('k', 2), '{round}', '3'), tap.msg_to_user('k', 0, 2))$$,
   'client_round, summary mismatch'),
  ($$SELECT secagg.client_round(jsonb_set(tap.cstate('k', 2), '{image}', to_jsonb((tap.cstate('k', 2) ->> 'image') || '*')), tap.msg_to_user('k', 0, 2))$$,
   'client_round, bad base64'),
  ($$SELECT secagg.client_recover(tap.cstate('k', 2), tap.cstate('k', 1))$$, 'client_recover, other user'),
  ($$SELECT secagg.client_recover(tap.cstate('k', 2), tap.with_image(tap.cstate('k', 2), tap.flip(tap.img(2), 300)))$$,
   'client_recover, altered candidate'),
  ($$SELECT secagg.server_recv(tap.sstate('k'), 2, tap.msg_to_user('k', 0, 2))$$, 'server_recv of a server message')
) v(q, what);
-- advance user 2 to round 3 and try a rollback through the trigger
CREATE TABLE tap.cl (user_id bigint PRIMARY KEY, state jsonb);
CREATE TRIGGER guard BEFORE UPDATE ON tap.cl FOR EACH ROW EXECUTE FUNCTION secagg.client_state_guard('state');
SELECT tap.run('k', 'agg', 0, 2);
INSERT INTO tap.cl SELECT 2, tap.cstate('k', 2);
SELECT ok(tap.no_secret(tap.err_text($$UPDATE tap.cl SET state = tap.cstate_at('k', 1, 2)$$), 2),
          'no secret in the error of: client_state_guard refusing a rollback');
SELECT ok(tap.err_text($$UPDATE tap.cl SET state = tap.cstate_at('k', 1, 2)$$) LIKE 'SA012%', 'the trigger refused with SA012');

-- the client drops its input after sending it masked (round 2)
SELECT ok(position(int8send(987654321987654) IN tap.image(tap.cstate_at('k', 2, 2))) = 0
          AND position(decode('46e0053144820300', 'hex') IN tap.image(tap.cstate_at('k', 2, 2))) > 0,
          'before round 2 the client state holds the input (little-endian)');
SELECT ok(position(decode('46e0053144820300', 'hex') IN tap.img(2)) = 0, 'after round 2 the client state no longer holds the input');
SELECT is(tap.cstate('k', 2) ->> 'round', '3', 'user 2 is at round 3');
SELECT ok(position(decode('46e0053144820300', 'hex') IN tap.msg_to_server('k', 2, 2)) = 0, 'the masked input does not show the input');

-- nothing the server holds or sends contains a secret key
SELECT ok(NOT EXISTS (
  SELECT 1 FROM tap.users u, tap.states s
  WHERE u.tag = 'k' AND s.tag = 'k'
    AND (position(substr((u.kp).secret_key, 1, 32) IN tap.image(s.state)) > 0
         OR position(substr((u.kp).secret_key, 1, 32) IN coalesce(s.output, '')) > 0)),
  'no server state or round output contains a signing seed');
SELECT ok(NOT EXISTS (
  SELECT 1 FROM tap.users u, tap.to_server m
  WHERE u.tag = 'k' AND m.tag = 'k' AND position(substr((u.kp).secret_key, 1, 32) IN m.message) > 0),
  'no user message contains a signing seed');
SELECT ok(NOT (tap.sstate('k')::text ~ 'secret|sign_sk'), 'the server state has no secret field');
SELECT is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(tap.cstate('k', 2)) k),
          '{finished,format,image,round,session_id,user_id,vector_length,version}'::text[],
          'the client state exposes only summary fields besides the image');
SELECT is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(tap.sstate('k')) k),
          '{finished,format,image,received,round,session_id,threshold,u1,u2,u3,u4,users,vector_length,version}'::text[],
          'the server state fields');
SELECT lives_ok($$SELECT tap.run('k', 'agg', 3, 4)$$, 'the session completes');
SELECT is((SELECT result FROM tap.sess WHERE tag = 'k'), tap.expected('k'), 'exact sum with the large values of user 2');
SELECT ok(tap.leaks('x' || encode(tap.sk(1), 'hex'), tap.sk(1)) AND tap.leaks(tap.b64(tap.sk(1)), tap.sk(1)),
          'the leak check itself finds hex and base64 encodings');

SELECT * FROM finish();
ROLLBACK;
