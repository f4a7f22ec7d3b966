-- 10_reject.sql: a bad client costs one user, not the round. In every round
-- some messages are invalid (bad signature, truncated, wrong round, relabelled,
-- a duplicate); server_round_agg (on_invalid 'reject', the default) drops
-- exactly their senders, lists them with the SQLSTATE of the refusal, and the
-- session still yields the exact sum over the users whose masked input was
-- accepted. With too few valid messages left the round fails with SA008,
-- naming the rejections, and nothing changes.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(28);
\ir secagg_helpers.psql

-- rejected users, as the outputs list them
CREATE TABLE tap.rejected (tag text, round int, user_id bigint, sqlstate text, reason text);
CREATE FUNCTION tap.server_rej(p_tag text, r int) RETURNS bytea LANGUAGE plpgsql AS $$
DECLARE o bytea;
BEGIN
  o := tap.server(p_tag, r, 'agg');
  INSERT INTO tap.rejected SELECT p_tag, x.round, x.user_id, x.sqlstate, x.reason FROM secagg.output_rejected(o) x;
  RETURN o;
END $$;
CREATE FUNCTION tap.rej_of(p_tag text, r int) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce(string_agg(user_id || ':' || sqlstate, ' ' ORDER BY user_id), '') FROM tap.rejected
  WHERE tag = p_tag AND round = r
$$;
-- the exact sum over the users whose round-2 message was accepted
CREATE FUNCTION tap.expected_accepted(p_tag text) RETURNS bigint[] LANGUAGE sql STABLE AS $$
  SELECT array_agg(tap.wrap(s) ORDER BY i) FROM (
    SELECT i, sum(u.vec[i]::numeric) AS s
    FROM tap.users u, generate_series(1, (SELECT m FROM tap.sess WHERE tag = p_tag)) i
    WHERE u.tag = p_tag
      AND u.user_id IN (SELECT user_id FROM tap.to_server WHERE tag = p_tag AND round = 2)
      AND u.user_id NOT IN (SELECT user_id FROM tap.rejected WHERE tag = p_tag AND round = 2)
    GROUP BY i) q
$$;
CREATE FUNCTION tap.spoil(p_tag text, r int, uid bigint, msg bytea) RETURNS void LANGUAGE sql AS $$
  UPDATE tap.to_server SET message = msg WHERE tag = p_tag AND round = r AND user_id = uid
$$;

-- Session a: n = 13, t = 7, full-range vectors. Bad messages in every round:
-- U1 = 11, U2 = 10, U3 = 9, U4 = 8, and 7 valid Unmasking messages (exactly t).
SELECT tap.setup('a', 13, 7, 6, 'full');

SELECT tap.clients('a', 0);
SELECT tap.spoil('a', 0, 2, tap.flip(tap.msg_to_server('a', 0, 2), 42 + 64 + 5));     -- signature
SELECT tap.spoil('a', 0, 13, tap.msg_to_server('a', 0, 12));                        -- 12's message under id 13
SELECT lives_ok($$SELECT tap.server_rej('a', 0)$$, 'round 0 closes despite two bad messages');
SELECT is(tap.rej_of('a', 0), '2:SA005 13:SA003', 'round 0: exactly the bad senders are rejected, with their SQLSTATEs');
SELECT is((tap.sstate('a')->>'u1')::int, 11, 'round 0: U1 holds the 11 valid senders');

SELECT tap.clients('a', 1);
SELECT is((SELECT count(*)::int FROM tap.to_server WHERE tag = 'a' AND round = 1), 11,
          'round 1: rejected users got no ShareKeys message and stay silent');
SELECT tap.spoil('a', 1, 4, tap.trunc(tap.msg_to_server('a', 1, 4), 7));             -- truncated
SELECT lives_ok($$SELECT tap.server_rej('a', 1)$$, 'round 1 closes');
SELECT is(tap.rej_of('a', 1), '4:22P03', 'round 1: the sender of the truncated message is rejected');

SELECT tap.clients('a', 2);
SELECT tap.spoil('a', 2, 5, tap.setb(tap.msg_to_server('a', 2, 5), 1, 17));          -- type byte of round 1
SELECT lives_ok($$SELECT tap.server_rej('a', 2)$$, 'round 2 closes');
SELECT is(tap.rej_of('a', 2), '5:SA002', 'round 2: the wrong-round message rejects its sender');
SELECT is((tap.sstate('a')->>'u3')::int, 9, 'round 2: U3 holds the 9 accepted masked inputs');

SELECT tap.clients('a', 3);
SELECT tap.spoil('a', 3, 6, tap.flip(tap.msg_to_server('a', 3, 6), 42 + 3));          -- signature
SELECT lives_ok($$SELECT tap.server_rej('a', 3)$$, 'round 3 closes');
SELECT is(tap.rej_of('a', 3), '6:SA005', 'round 3: the bad ConsistencyCheck signature rejects its sender');

SELECT tap.clients('a', 4);
SELECT tap.spoil('a', 4, 7, tap.trunc(tap.msg_to_server('a', 4, 7)));                -- truncated
CREATE TABLE tap.round4 AS SELECT * FROM tap.to_server WHERE tag = 'a' AND round = 4;
-- one more bad Unmasking message would leave t - 1 = 6 valid ones: SA008, naming both
SELECT tap.spoil('a', 4, 8, tap.flip(tap.msg_to_server('a', 4, 8), 1));
SELECT throws_ok($$SELECT tap.server_rej('a', 4)$$, 'SA008',
                 'round 4 (Unmasking) has 6 valid messages (2 rejected), fewer than the threshold 7',
                 'round 4 with t - 1 valid messages fails and counts the rejections');
SELECT is((tap.sstate('a')->>'round')::int, 4, 'the failed round changed nothing');
UPDATE tap.to_server t SET message = r.message FROM tap.round4 r
 WHERE t.tag = 'a' AND t.round = 4 AND t.user_id = r.user_id;
SELECT lives_ok($$SELECT tap.server_rej('a', 4)$$, 'round 4 closes with exactly t valid messages');
SELECT is(tap.rej_of('a', 4), '7:22P03', 'round 4: the truncated share message rejects its sender');
SELECT is((SELECT result FROM tap.sess WHERE tag = 'a'), tap.expected_accepted('a'),
          'the sum is exact over the users whose masked input was accepted');
SELECT is(array_length(tap.expected_accepted('a'), 1), 6, 'and has all 6 elements');

-- ---- a rejected sender stays dropped; ids outside the roster; the round check ----
-- Session c: round 0. User 2 first sends a bad message, then its valid one
-- (ordered inside the aggregate): the valid one is ignored, user 2 is dropped.
SELECT tap.setup('c', 5, 3, 2, 'small');
SELECT tap.clients('c', 0);
SELECT is((SELECT (secagg.output_state(o)->>'u1')::int FROM (
             SELECT secagg.server_round_agg(s.state, m.user_id, m.message ORDER BY m.ord) AS o
             FROM tap.sess s, (SELECT 0 AS ord, 2::bigint AS user_id, tap.trunc(tap.msg_to_server('c', 0, 2)) AS message
                               UNION ALL SELECT 1, user_id, message FROM tap.to_server WHERE tag = 'c' AND round = 0) m
             WHERE s.tag = 'c') q), 4, 'a sender rejected once stays dropped for the round, even if a valid message follows');
SELECT throws_ok($$SELECT secagg.server_round_agg(s.state, m.user_id, m.message)
                   FROM tap.sess s, (SELECT 99::bigint AS user_id, tap.msg_to_server('c', 0, 2) AS message
                                     UNION ALL SELECT user_id, message FROM tap.to_server WHERE tag = 'c' AND round = 0) m
                   WHERE s.tag = 'c'$$, 'SA003', NULL,
                 'a row whose user_id is not in the roster raises SA003 even in reject mode');
SELECT is(secagg.server_expect_round(tap.sstate('c'), 0), true, 'server_expect_round: the round the state awaits');
SELECT throws_ok($$SELECT secagg.server_expect_round(tap.sstate('c'), 1)$$, 'SA002',
                 'the session is in round 0 (AdvertiseKeys), not in round 1 (ShareKeys)', 'server_expect_round: another round');
SELECT throws_ok($$SELECT secagg.server_expect_round(tap.sstate('c'), 5)$$, '22023',
                 'round must be between 0 and 4, got 5', 'server_expect_round: no such round');

-- ---- clients: a refusal as a value (client_round_try) ----
-- Session b: round 0 closed; the ShareKeys message of user 2 is tampered.
SELECT tap.setup('b', 5, 3, 2, 'small');
SELECT tap.run('b', 'agg', 0, 0);
UPDATE tap.to_user SET message = tap.flip(message, 60) WHERE tag = 'b' AND round = 1 AND user_id = 2;
CREATE TABLE tap.tries AS
  SELECT u.user_id, secagg.client_round_try(u.state, m.message) AS a, u.state AS before
  FROM tap.users u JOIN tap.to_user m ON m.tag = u.tag AND m.user_id = u.user_id AND m.round = 1
  WHERE u.tag = 'b';
SELECT throws_ok($$SELECT secagg.client_round(u.state, m.message)
                   FROM tap.users u JOIN tap.to_user m ON m.tag = u.tag AND m.user_id = u.user_id AND m.round = 1
                   WHERE u.tag = 'b'$$, 'SA005', NULL,
                 'client_round: one refused message aborts the statement that drives all clients');
SELECT results_eq($$SELECT user_id, (a).sqlstate, (a).message IS NULL FROM tap.tries ORDER BY user_id$$,
                  $$VALUES (1::bigint, NULL::text, false), (2, 'SA005', true), (3, NULL, false), (4, NULL, false), (5, NULL, false)$$,
                  'client_round_try: the statement completes; only user 2 reports SA005');
SELECT is((SELECT (a).state FROM tap.tries WHERE user_id = 2), (SELECT before FROM tap.tries WHERE user_id = 2),
          'client_round_try: the refusing client keeps its state unchanged');
SELECT is((SELECT (a).error FROM tap.tries WHERE user_id = 2),
          'client refused the server message of round 1: signature does not verify',
          'client_round_try: the error text is the one client_round raises');
SELECT is((SELECT (a).state->>'round' FROM tap.tries WHERE user_id = 1), '2',
          'client_round_try: the other clients advance');
SELECT throws_ok($$SELECT secagg.client_round_try('{}'::jsonb, '\x00')$$, '22023', NULL,
                 'client_round_try: a malformed client state still raises');

SELECT * FROM finish();
ROLLBACK;
