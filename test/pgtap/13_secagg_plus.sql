-- 13_secagg_plus.sql: SecAgg+ sessions through SQL. Sessions created on the
-- graph graph_params chooses (or on a hand-picked one with allow_unsafe) give
-- the exact sum under dropouts in every round, with client states reloaded
-- through text at every round, and mixed with a complete-graph session in
-- one GROUP BY; a neighbourhood left with fewer than t users fails with
-- SA014 naming a user; a message that does not fit the graph gets SA013 on
-- either side (and, by default, costs the server only its sender); graph
-- objects that do not match the roster, the threshold or the finder's rules
-- are refused.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(60);
\ir secagg_helpers.psql

-- A hand-picked graph: k = 6, t = 4 for 24 users (not what the finder would
-- choose for any fractions: allow_unsafe).
CREATE FUNCTION tap.unsafe(n int, k int, t int) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object('graph', 'harary', 'users', n, 'k', k, 't', t, 'allow_unsafe', true)
$$;

-- 1. The finder's graph for 80 users (5 % corrupt, 30 % dropout): SecAgg+.
SELECT is(secagg.graph_params(80, 0.05, 0.3)->>'graph', 'harary', 'the finder picks a Harary graph for 80 users');
SELECT tap.setup('f', 80, (secagg.graph_params(80, 0.05, 0.3)->>'t')::int, 7, 'full', 100, 3,
                 secagg.graph_params(80, 0.05, 0.3));
SELECT is((SELECT (state->>'degree')::int FROM tap.sess WHERE tag = 'f'),
          (secagg.graph_params(80, 0.05, 0.3)->>'k')::int, 'the server state records the degree');
SELECT tap.drop('f', ARRAY[100, 103, 106], 1);      -- advertise only
SELECT tap.drop('f', ARRAY[109, 112], 2);           -- after ShareKeys: their masks are rebuilt
SELECT tap.drop('f', ARRAY[115, 118], 3);           -- after their masked input
SELECT tap.drop('f', ARRAY[121], 4);                -- after ConsistencyCheck
SELECT tap.run('f');
SELECT is((SELECT result FROM tap.sess WHERE tag = 'f'), tap.expected('f'), 'finder graph, dropouts in every round: exact sum');

-- 2. A hand-picked graph, client states through text at every round.
SELECT tap.setup('u', 24, 4, 5, 'edge', 7, 1, tap.unsafe(24, 6, 4));
SELECT tap.drop('u', ARRAY[8, 19], 2);
SELECT tap.drop('u', ARRAY[12], 4);
SELECT tap.run('u', 'text');
SELECT is((SELECT result FROM tap.sess WHERE tag = 'u'), tap.expected('u'), 'k = 6, t = 4, states through text: exact sum');
SELECT is((SELECT count(*)::int FROM tap.to_user WHERE tag = 'u' AND round = 1
            AND length(message) < 34 + 4 + 32 + 4 + 1 + 5 * 32 + 4 + 7 * 136 + 1), 24,
          'round 1: each user gets its neighbourhood''s keys, not the whole list');
-- Rounds 0 and 3 keep one signature per user; each user's message is derived.
SELECT is((SELECT array_agg(r ORDER BY r) FROM tap.states s, secagg.output_recipients(s.output) r
            WHERE s.tag = 'u' AND s.round = 3),
          (SELECT array_agg(user_id ORDER BY user_id) FROM tap.to_server WHERE tag = 'u' AND round = 3),
          'round 3: the recipients are the users who signed');
SELECT is((SELECT octet_length(s.output) - octet_length(secagg.output_broadcast(s.output)) IS NULL
                  AND octet_length(s.output) < 24 * 64 + 13 + 4 + 240 + 24 * (40 + 8 + 72) + 4 + 3 + 16
             FROM tap.states s WHERE s.tag = 'u' AND s.round = 0),
          true, 'round 0: the output holds the state and 64 bytes per user, not the messages');
-- What each round's output holds.
SELECT is((SELECT array_agg(secagg.output_kind(output) ORDER BY round) FROM tap.states WHERE tag = 'u'),
          ARRAY['derived', 'routed', 'broadcast', 'derived', 'vector'], 'SecAgg+ output kinds, rounds 0 to 4 (4: after unmask_agg)');
SELECT is((SELECT secagg.output_kind(output) FROM tap.unmask WHERE tag = 'u'), 'unmask',
          'the round-4 aggregate''s own output lists the responders (kind unmask)');
-- Round 1 routed as rows: the messages users got are what share_routes + share_message_agg build.
SELECT is((SELECT count(*)::int FROM tap.to_user WHERE tag = 'u' AND round = 2),
          (SELECT count(*)::int FROM secagg.output_recipients((SELECT output FROM tap.states WHERE tag = 'u' AND round = 1))),
          'round 1: every member of U2 got a message built from its routes');
SELECT throws_like($$SELECT * FROM secagg.output_messages((SELECT output FROM tap.states WHERE tag = 'u' AND round = 1))$$,
                   '%routed as rows%', 'output_messages of a routed output says how to route it');
SELECT is(tap.sqlstate_of($$SELECT * FROM secagg.share_routes((SELECT output FROM tap.states WHERE tag = 'u' AND round = 0),
            1, '\x00'::bytea)$$), 'SA002', 'share_routes of another round''s output: SA002');
SELECT is(tap.sqlstate_of($$SELECT * FROM tap.to_server m, secagg.share_routes(
            (SELECT output FROM tap.states WHERE tag = 'u' AND round = 1), m.user_id, tap.flip(m.message, length(m.message) - 1))
            WHERE m.tag = 'u' AND m.round = 1$$), 'SA004',
          'share_routes of a message that is not the one the round accepted: SA004');
SELECT is((SELECT count(*)::int FROM tap.to_server m, secagg.share_routes(
            (SELECT output FROM tap.states WHERE tag = 'u' AND round = 1), m.user_id + 1, m.message)
            WHERE m.tag = 'u' AND m.round = 1 AND m.user_id = 7), 0,
          'share_routes of a row the round would not have accepted (another user''s id): no routes');
-- share_message_agg: a sender twice, two sessions in one group, a route of the wrong size
CREATE TEMP TABLE r1 AS SELECT x.recipient, x.route FROM tap.to_server m,
  secagg.share_routes((SELECT output FROM tap.states WHERE tag = 'u' AND round = 1), m.user_id, m.message) x
  WHERE m.tag = 'u' AND m.round = 1;
SELECT is(tap.sqlstate_of($$SELECT secagg.share_message_agg(route) FROM (SELECT route FROM r1 UNION ALL SELECT route FROM r1) q$$),
          'SA004', 'share_message_agg: a sender twice is SA004');
SELECT is(tap.sqlstate_of($$SELECT secagg.share_message_agg(route) FROM ((SELECT route FROM r1 LIMIT 1)
            UNION ALL (SELECT set_byte(route, 5, get_byte(route, 5) # 1) FROM r1 OFFSET 1 LIMIT 1)) q$$),
          'SA001', 'share_message_agg: routes of two sessions in one group is SA001');
SELECT is(tap.sqlstate_of($$SELECT secagg.share_message_agg(substr(route, 2)) FROM r1$$)
          || tap.sqlstate_of($$SELECT secagg.share_message_agg(route || '\x00'::bytea) FROM r1$$), '22P0322P03',
          'share_message_agg: a route one byte short or long is 22P03');
-- a crafted share_message_agg state: more routes than its bytes hold, or more used than room
SELECT is(tap.sqlstate_of($$SELECT secagg.share_message_final('\x53524d31000000050000000a'::bytea)$$), 'XX001',
          'share_message_agg: a state claiming routes it does not hold is XX001 (corrupt state)');
SELECT is(tap.sqlstate_of($$SELECT secagg.share_message_final(
            '\x53524d310000000200000001'::bytea || (SELECT route FROM r1 LIMIT 1))$$), 'XX001',
          'share_message_agg: a state using more slots than it has is XX001 (corrupt state)');
-- Round 4 as rows: shares to their owners, each secret rebuilt, the sum.
CREATE TEMP TABLE u4 AS SELECT output AS o FROM tap.unmask WHERE tag = 'u';
CREATE TEMP TABLE sh AS SELECT x.owner, x.share FROM u4, tap.to_server m, secagg.unmask_shares(u4.o, m.user_id, m.message) x
  WHERE m.tag = 'u' AND m.round = 4;
CREATE TEMP TABLE sec AS SELECT owner, secagg.unmask_secret_agg(share) AS secret FROM sh GROUP BY owner;
SELECT is((SELECT secagg.output_vector(secagg.unmask_agg(u4.o, sec.secret)) FROM u4, sec), tap.expected('u'),
          'unmask_agg over the rebuilt secrets: the exact sum');
SELECT throws_like($$SELECT * FROM secagg.output_messages((SELECT o FROM u4))$$, '%responders of the Unmasking round%',
                   'output_messages of an unmask output says how to finish the round');
SELECT is(tap.sqlstate_of($$SELECT count(*) FROM tap.to_server m, secagg.unmask_shares((SELECT o FROM u4), m.user_id,
            tap.flip(m.message, length(m.message) - 1)) x WHERE m.tag = 'u' AND m.round = 4$$), 'SA004',
          'unmask_shares of a message that is not the one the round accepted: SA004');
SELECT is(tap.sqlstate_of($$SELECT * FROM secagg.unmask_shares((SELECT output FROM tap.states WHERE tag = 'u' AND round = 1), 1, '\x00'::bytea)$$),
          'SA002', 'unmask_shares of another round''s output: SA002');
-- a group: two owners, a holder twice, fewer than t, a share of the wrong size
SELECT is(tap.sqlstate_of($$SELECT secagg.unmask_secret_agg(share) FROM sh WHERE owner IN (SELECT owner FROM sh LIMIT 1)
            OR owner = (SELECT max(owner) FROM sh)$$), 'SA001', 'unmask_secret_agg: shares of two owners is SA001');
SELECT is(tap.sqlstate_of($$SELECT secagg.unmask_secret_agg(share) FROM (SELECT share FROM sh WHERE owner = (SELECT min(owner) FROM sh)
            UNION ALL (SELECT share FROM sh WHERE owner = (SELECT min(owner) FROM sh) LIMIT 1)) q$$), 'SA004',
          'unmask_secret_agg: a holder twice is SA004');
SELECT is(tap.sqlstate_of($$SELECT secagg.unmask_secret_agg(share) FROM (SELECT share FROM sh WHERE owner = (SELECT min(owner) FROM sh) LIMIT 3) q$$),
          'SA010', 'unmask_secret_agg: fewer than t = 4 shares is SA010');
SELECT is(tap.sqlstate_of($$SELECT secagg.unmask_secret_agg(share || '\x00'::bytea) FROM sh$$), '22P03',
          'unmask_secret_agg: a share one byte long is 22P03');
-- the sum: a secret missing, twice, changed
SELECT throws_like($$SELECT secagg.unmask_agg(u4.o, sec.secret) FROM u4, sec WHERE sec.owner <> (SELECT min(owner) FROM sec)$$,
                   '%no valid secret of user%', 'unmask_agg: a secret missing fails naming its user');
SELECT is(tap.sqlstate_of($$SELECT secagg.unmask_agg(u4.o, s.secret) FROM u4, (SELECT secret FROM sec UNION ALL
            (SELECT secret FROM sec LIMIT 1)) s$$), 'SA004', 'unmask_agg: a secret twice is SA004');
SELECT is(tap.sqlstate_of($$SELECT secagg.unmask_agg(u4.o, CASE WHEN sec.owner = (SELECT min(owner) FROM sec)
            THEN tap.flip(sec.secret, 70) ELSE sec.secret END) FROM u4, sec$$), 'SA010',
          'unmask_agg: a changed secret is SA010');
SELECT is(tap.sqlstate_of($$SELECT secagg.unmask_agg(u4.o, sec.secret || '\x00'::bytea) FROM u4, sec$$), '22P03',
          'unmask_agg: a secret one byte long is 22P03');
SELECT is(tap.sqlstate_of($$SELECT secagg.unmask_final('\x53554131'::bytea || int4send(2) || int4send(2)
            || int8send(length(u4.o)) || u4.o || (SELECT secret FROM sec LIMIT 1)) FROM u4$$), 'XX001',
          'unmask_agg: a crafted state with the output and one secret, claiming two, is XX001 (corrupt state)');
SELECT is(tap.sqlstate_of($$SELECT secagg.unmask_final('\x5355413100000001000000010000000000000000'::bytea)$$), 'XX001',
          'unmask_agg: a crafted state claiming a secret it does not hold is XX001 (corrupt state)');
-- the ring inside a stored output's state changed: its messages cannot be derived
SELECT is(tap.sqlstate_of($$SELECT count(*) FROM tap.states s,
            secagg.output_messages(set_byte(s.output, 13 + 240 + 24 * 40, get_byte(s.output, 13 + 240 + 24 * 40) # 1))
            WHERE s.tag = 'u' AND s.round = 0$$), '22P03',
          'round 0: an output whose state was changed derives no message (22P03)');

-- 3. One GROUP BY over a complete-graph session and a SecAgg+ session.
SELECT tap.setup('mc', 9, 6, 4, 'small', 1000, 1);
SELECT tap.setup('mp', 20, 3, 4, 'small', 2000, 1, tap.unsafe(20, 4, 3));
SELECT tap.drop('mp', ARRAY[2003], 2);
SELECT tap.drop('mc', ARRAY[1002], 3);
CREATE FUNCTION tap.run_both() RETURNS void LANGUAGE plpgsql AS $$
DECLARE rec record;
BEGIN
  FOR r IN 0..4 LOOP
    PERFORM tap.clients('mc', r);
    PERFORM tap.clients('mp', r);
    FOR rec IN SELECT s.tag, secagg.server_round_agg(s.state, m.user_id, m.message) AS o
                 FROM tap.sess s JOIN tap.to_server m ON m.tag = s.tag AND m.round = r
                WHERE s.tag IN ('mc', 'mp') GROUP BY s.tag LOOP
      PERFORM tap.apply_output(rec.tag, r, rec.o);
    END LOOP;
  END LOOP;
END $$;
SELECT tap.run_both();
SELECT is((SELECT result FROM tap.sess WHERE tag = 'mc'), tap.expected('mc'), 'GROUP BY: complete-graph session exact');
SELECT is((SELECT result FROM tap.sess WHERE tag = 'mp'), tap.expected('mp'), 'GROUP BY: SecAgg+ session exact');

-- 4. Fewer than t users left in a neighbourhood: SA014, naming the user, state unchanged.
SELECT tap.setup('n', 24, 4, 3, 'small', 1, 1, tap.unsafe(24, 6, 4));
UPDATE tap.users SET drop_after = 3 WHERE tag = 'n' AND user_id > 4;   -- 4 users left after round 2
SELECT tap.run('n', 'agg', 0, 2);
SELECT tap.clients('n', 3);
SELECT throws_like($$SELECT tap.server('n', 3)$$, '%the neighbourhood of user % keeps fewer than t = 4 of its users%',
                   'a neighbourhood with t - 1 users left: the round fails naming the user');
SELECT is(tap.sqlstate_of($$SELECT tap.server('n', 3)$$), 'SA014', '... with SQLSTATE SA014');
SELECT is((SELECT (state->>'round')::int FROM tap.sess WHERE tag = 'n'), 3, '... and the state is unchanged');

-- 5. Messages that do not fit the graph.
SELECT tap.setup('g', 24, 4, 3, 'small', 1, 1, tap.unsafe(24, 6, 4));
SELECT tap.run('g', 'agg', 0, 0);
-- the client: a round-1 message whose root does not cover its advertisement
SELECT is(tap.sqlstate_of($$SELECT secagg.client_round(u.state, tap.flip(m.message, 38))
                            FROM tap.users u JOIN tap.to_user m USING (tag, user_id)
                            WHERE u.tag = 'g' AND u.user_id = 1 AND m.round = 1$$), 'SA013',
          'client: another Merkle root (the ring is not the one its advertisement drew) is SA013');
SELECT tap.clients('g', 1);
-- the server: user 1's first share addressed to user 1 itself (never its neighbour)
UPDATE tap.to_server SET message = overlay(message PLACING int8send(1) FROM 79 FOR 8)
 WHERE tag = 'g' AND round = 1 AND user_id = 1;
SELECT is(tap.sqlstate_of($$SELECT secagg.server_recv(s.state, 1, m.message) FROM tap.sess s
                            JOIN tap.to_server m USING (tag) WHERE s.tag = 'g' AND m.round = 1 AND m.user_id = 1$$),
          'SA013', 'server: a share for a non-neighbour is SA013');
SELECT tap.server('g', 1);
SELECT is((SELECT string_agg(user_id || ':' || sqlstate, ' ') FROM secagg.output_rejected(
            (SELECT output FROM tap.states WHERE tag = 'g' AND round = 1))), '1:SA013',
          'server_round_agg rejects only that sender, with SA013');
SELECT tap.run('g', 'agg', 2, 4);
SELECT is((SELECT result FROM tap.sess WHERE tag = 'g'), tap.expected('g'), '... and the session finishes with the exact sum of the others');

-- 6. Graph objects that do not fit.
SELECT tap.setup('e', 30, 16, 2, 'small');
SELECT throws_ok($$SELECT secagg.server_create(sid, 3, 2, roster, tap.unsafe(31, 6, 3)) FROM tap.sess WHERE tag = 'e'$$,
                 '22023', 'graph parameters are for 31 users, the roster has 30', 'graph for another roster size');
SELECT throws_ok($$SELECT secagg.server_create(sid, 4, 2, roster, tap.unsafe(30, 6, 3)) FROM tap.sess WHERE tag = 'e'$$,
                 '22023', 'threshold 4 differs from the graph''s t = 3', 'threshold other than the graph''s t');
SELECT throws_ok($$SELECT secagg.server_create(sid, 3, 2, roster, tap.unsafe(30, 5, 3)) FROM tap.sess WHERE tag = 'e'$$,
                 '22023', 'graph: k = 5, t = 3 is not a SecAgg+ graph for 30 users', 'odd degree');
SELECT throws_ok($$SELECT secagg.client_create(s.sid, 1, 8, (u.kp).secret_key, u.vec, s.roster, tap.unsafe(30, 6, 8))
                   FROM tap.sess s JOIN tap.users u USING (tag) WHERE s.tag = 'e' AND u.user_id = 1$$,
                 '22023', 'graph: k = 6, t = 8 is not a SecAgg+ graph for 30 users', 'client: t above k + 1');
-- without allow_unsafe the finder's rules apply: k = 6 is far too small for 30 users at 30 % corrupt
SELECT throws_like($$SELECT secagg.server_create(sid, 2, 2, roster,
                     jsonb_build_object('graph', 'harary', 'users', 30, 'k', 6, 't', 2, 'corrupt_fraction', 0.3,
                                        'dropout_fraction', 0.1, 'server_model', 'honest-but-curious'))
                     FROM tap.sess WHERE tag = 'e'$$,
                   '%k = 6 is too small: the honest survivors may be disconnected%', 'a (k, t) that breaks the finder''s rules is refused');
-- the complete graph stops at 2048 users, pointing to SecAgg+
SELECT throws_ok($$SELECT secagg.server_create('\x01', 1500, 1,
                     secagg.roster(ARRAY(SELECT generate_series(1, 2049)::bigint),
                                   ARRAY(SELECT (secagg.gen_keypair()).public_key FROM generate_series(1, 2049))))$$,
                 '54000', 'a session on the complete graph holds at most 2048 users, the roster has 2049',
                 'complete graph: 2049 users refused with a hint');

-- 7. A crafted SecAgg+ state (one byte of its ring changed), from an unprivileged
-- role: refused as malformed by the plain function and by the aggregate.
CREATE ROLE secagg_tap_plus_plain NOLOGIN;
GRANT USAGE ON SCHEMA tap, secagg TO secagg_tap_plus_plain;
CREATE TABLE tap.crafted AS
  SELECT jsonb_set(state, '{image}',
                   to_jsonb(replace(encode(set_byte(img, 240 + 24 * 40 + 4, get_byte(img, 240 + 24 * 40 + 4) # 1),
                                           'base64'), E'\n', ''))) AS state
  FROM (SELECT state, decode(state->>'image', 'base64') AS img FROM tap.sess WHERE tag = 'g') x;
GRANT SELECT ON tap.crafted TO secagg_tap_plus_plain;
SET ROLE secagg_tap_plus_plain;
SELECT throws_ok($$SELECT secagg.server_round(state) FROM tap.crafted$$, '22P03', NULL,
                 'plain role: a SecAgg+ state whose ring is not its seed''s is refused');
SELECT throws_ok($$SELECT secagg.server_round_agg(state, 1, '\x00') FROM tap.crafted$$, '22P03', NULL,
                 'plain role: ... by server_round_agg too');
RESET ROLE;

-- 8. The row aggregates from an unprivileged role: they work and give the
-- owner's results; their support functions cannot be called or reused;
-- crafted rows and (for a role granted EXECUTE) crafted states are refused.
CREATE ROLE secagg_tap_plus_granted NOLOGIN;
GRANT USAGE ON SCHEMA tap, secagg TO secagg_tap_plus_granted;
GRANT EXECUTE ON FUNCTION secagg.share_message_final(bytea), secagg.unmask_final(bytea),
  secagg.unmask_secret_final(bytea) TO secagg_tap_plus_granted;
GRANT SELECT ON r1, sh, sec, u4, tap.to_server TO secagg_tap_plus_plain, secagg_tap_plus_granted;
CREATE TEMP TABLE owner_results AS
  SELECT (SELECT array_agg(m ORDER BY recipient) FROM (SELECT recipient, secagg.share_message_agg(route) AS m
            FROM r1 GROUP BY recipient) q) AS messages,
         (SELECT array_agg(s ORDER BY owner) FROM (SELECT owner, secagg.unmask_secret_agg(share) AS s
            FROM sh GROUP BY owner) q) AS secrets,
         tap.expected('u') AS expected;
GRANT SELECT ON owner_results TO secagg_tap_plus_plain;
SET ROLE secagg_tap_plus_plain;
SELECT is((SELECT array_agg(m ORDER BY recipient) FROM (SELECT recipient, secagg.share_message_agg(route) AS m
             FROM r1 GROUP BY recipient) q), (SELECT messages FROM owner_results),
          'plain role: share_message_agg gives the owner''s messages');
SELECT is((SELECT array_agg(s ORDER BY owner) FROM (SELECT owner, secagg.unmask_secret_agg(share) AS s
             FROM sh GROUP BY owner) q), (SELECT secrets FROM owner_results),
          'plain role: unmask_secret_agg gives the owner''s secrets');
SELECT is((SELECT secagg.output_vector(secagg.unmask_agg(u4.o, sec.secret)) FROM u4, sec),
          (SELECT expected FROM owner_results), 'plain role: unmask_agg gives the exact sum');
SELECT throws_ok($$SELECT secagg.share_message_final('\x53524d310000000000000000'::bytea)$$, '42501', NULL,
                 'plain role: no direct call of share_message_final');
SELECT throws_ok($$CREATE AGGREGATE tap.evil(bytea, bytea) (SFUNC = secagg.unmask_trans, STYPE = bytea)$$, '42501', NULL,
                 'plain role: no aggregate over unmask_trans');
SELECT throws_ok($$CREATE AGGREGATE tap.evil(bytea) (SFUNC = secagg.unmask_secret_trans, STYPE = bytea)$$, '42501', NULL,
                 'plain role: no aggregate over unmask_secret_trans');
SELECT is(tap.sqlstate_of($$SELECT secagg.unmask_agg(u4.o, CASE WHEN sec.owner = (SELECT min(owner) FROM sec)
            THEN tap.flip(sec.secret, 70) ELSE sec.secret END) FROM u4, sec$$), 'SA010',
          'plain role: a changed secret row is SA010');
RESET ROLE;
SET ROLE secagg_tap_plus_granted;
SELECT throws_ok($$SELECT secagg.unmask_final('\x5355413100000001000000010000000000000000'::bytea)$$, 'XX001', NULL,
                 'granted role: a crafted unmask_agg state is refused');
SELECT throws_ok($$SELECT secagg.unmask_secret_final('\x5355533100000002000000010000000000000000'::bytea)$$, 'XX001', NULL,
                 'granted role: a crafted unmask_secret_agg state is refused');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
