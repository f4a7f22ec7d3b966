-- 08_large.sql: a session of 300 users (ids beyond 255, sparse up to 2^40),
-- t = 151, short vectors over the whole bigint range: 30 users never answer
-- (|U1| = 270), 12 drop before sending their masked input, 8 before
-- unmasking (|U3| = 258, 250 responders). Exact sum; the server_recv path
-- gives the same round output as the aggregate in round 3.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(8);
\ir secagg_helpers.psql

SELECT tap.setup('big', 300, 151, 3, 'full', 1, 3776492005);   -- ids 1 .. ~1.13e12
SELECT ok((SELECT max(user_id) FROM tap.users WHERE tag = 'big') > 1099511627776, 'ids go beyond 2^40');
SELECT tap.drop('big', ARRAY(SELECT user_id FROM tap.users WHERE tag = 'big' ORDER BY user_id OFFSET 5 LIMIT 30), 0);
SELECT tap.drop('big', ARRAY(SELECT user_id FROM tap.users WHERE tag = 'big' ORDER BY user_id DESC LIMIT 12), 2);
SELECT tap.drop('big', ARRAY(SELECT user_id FROM tap.users WHERE tag = 'big' ORDER BY user_id OFFSET 100 LIMIT 8), 4);
SELECT tap.run('big', 'agg', 0, 2) IS NULL AS running;
SELECT tap.clients('big', 3);
CREATE TABLE tap.o3 AS SELECT secagg.server_round(tap.recv_all('big', 3, tap.sstate('big'))) AS o;
SELECT is(tap.server('big', 3), (SELECT o FROM tap.o3), 'round 3 with 258 messages: server_recv path = aggregate');
SELECT is(tap.run('big', 'agg', 4, 4), tap.expected('big'), '300 users: exact sum');
SELECT is(ARRAY[(tap.sstate('big') ->> 'users')::int, (tap.sstate('big') ->> 'u1')::int, (tap.sstate('big') ->> 'u2')::int,
                (tap.sstate('big') ->> 'u3')::int, (tap.sstate('big') ->> 'u4')::int],
          '{300,270,270,258,258}'::int[], '300 users: |roster|, |U1|..|U4|');
SELECT is((SELECT count(*) FROM tap.to_server WHERE tag = 'big' AND round = 4), 250::bigint, '300 users: 250 responders');
SELECT is((SELECT count(*) FROM tap.to_user WHERE tag = 'big' AND round = 2), 270::bigint, '300 users: 270 ciphertext messages');
SELECT is((SELECT length(message) FROM tap.to_user WHERE tag = 'big' AND round = 2 LIMIT 1), 38 + 269 * 128,
          '300 users: each ciphertext message carries 269 entries');
SELECT is((SELECT count(*) FROM tap.users WHERE tag = 'big' AND state ->> 'finished' = 'true'), 250::bigint,
          '300 users: 250 clients finished');

SELECT * FROM finish();
ROLLBACK;
