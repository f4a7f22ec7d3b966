-- 01_sums.sql: exact sums of whole sessions for many dropout patterns,
-- negative values and wraparound mod 2^64; t - 1 survivors fail with SA008
-- in the round where they fall below the threshold.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(67);
\ir secagg_helpers.psql

-- One session: setup, dropouts (pairs {user_id, drop_after}), run, then
-- check the sum against the plain SQL sum and the sizes u1..u4 plus the
-- number of round-4 responders.
CREATE FUNCTION tap.sum_case(p_tag text, n int, p_t int, p_m int, kind text, drops bigint[],
                             sizes int[], descr text, mode text DEFAULT 'agg',
                             id_base bigint DEFAULT 1, id_step bigint DEFAULT 1)
RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  d bigint[];
  res bigint[];
  st jsonb;
BEGIN
  PERFORM tap.setup(p_tag, n, p_t, p_m, kind, id_base, id_step);
  IF drops IS NOT NULL AND cardinality(drops) > 0 THEN
    FOREACH d SLICE 1 IN ARRAY drops LOOP
      PERFORM tap.drop(p_tag, ARRAY[d[1]], d[2]::int);
    END LOOP;
  END IF;
  res := tap.run(p_tag, mode);
  st := tap.sstate(p_tag);
  RETURN NEXT is(res, tap.expected(p_tag), descr || ': exact sum');
  RETURN NEXT is(ARRAY[(st ->> 'u1')::int, (st ->> 'u2')::int, (st ->> 'u3')::int, (st ->> 'u4')::int,
                       (SELECT count(*)::int FROM tap.to_server WHERE tag = p_tag AND round = 4)],
                 sizes, descr || ': |U1|..|U4| and responders');
END
$$;

-- sanity of the reference arithmetic
SELECT is(tap.wrap(9223372036854775808), -9223372036854775808, 'wrap: 2^63 is -2^63');
SELECT is(tap.wrap(-9223372036854775809), 9223372036854775807, 'wrap: -2^63 - 1 is 2^63 - 1');
SELECT is(tap.wrap(18446744073709551616 * 3 + 5), 5::bigint, 'wrap: 3 * 2^64 + 5 is 5');

SELECT * FROM tap.sum_case('p0', 7, 4, 8, 'full', NULL, '{7,7,7,7,7}', 'no dropouts, full-range values');
SELECT is((SELECT count(*) FROM tap.to_server WHERE tag = 'p0' AND round = 2), 7::bigint,
          'no dropouts: all 7 masked inputs counted');
SELECT * FROM tap.sum_case('p1', 10, 6, 5, 'small', '{{2,0},{5,0}}', '{8,8,8,8,8}', 'two dropouts after round 0');
SELECT * FROM tap.sum_case('p2', 10, 6, 5, 'small', '{{3,1},{7,1}}', '{10,8,8,8,8}', 'two dropouts after round 1');
SELECT * FROM tap.sum_case('p3', 10, 6, 5, 'small', '{{4,2},{9,2}}', '{10,10,8,8,8}', 'two dropouts after round 2 (pairwise masks rebuilt)');
SELECT * FROM tap.sum_case('p4', 10, 6, 5, 'small', '{{1,3},{10,3}}', '{10,10,10,8,8}', 'two dropouts after round 3 (their inputs count)');
SELECT * FROM tap.sum_case('p5', 10, 6, 5, 'small', '{{6,4},{8,4}}', '{10,10,10,10,8}', 'two dropouts after round 4 (their inputs count)');
SELECT * FROM tap.sum_case('p6', 12, 7, 9, 'full', '{{2,0},{4,1},{6,2},{8,3},{10,4}}', '{11,10,9,8,7}',
                           'one dropout after each round, exactly t responders');
SELECT * FROM tap.sum_case('p7', 10, 6, 6, 'small', '{{1,2},{4,2},{7,2},{10,2}}', '{10,10,6,6,6}',
                           'exactly t masked inputs');
SELECT * FROM tap.sum_case('p8', 10, 6, 6, 'full', '{{2,2},{3,2},{5,4},{9,4}}', '{10,10,8,8,6}',
                           'dropouts in rounds 2 and 4, exactly t responders');
SELECT * FROM tap.sum_case('p9', 15, 8, 7, 'small', '{{1,2},{5,2},{11,2},{15,2},{2,4},{8,4},{14,4}}',
                           '{15,15,11,11,8}', 'dropouts in rounds 2 and 4, n = 15');
SELECT * FROM tap.sum_case('n1', 6, 4, 6, 'neg', '{{3,2}}', '{6,6,5,5,5}', 'negative values');
SELECT ok((SELECT bool_and(x < 0) FROM unnest((SELECT result FROM tap.sess WHERE tag = 'n1')) x),
          'negative values: every element of the sum is negative');
SELECT * FROM tap.sum_case('w1', 9, 5, 8, 'edge', '{{2,2},{7,4}}', '{9,9,8,8,7}', 'values at the bigint limits wrap mod 2^64');
SELECT ok((SELECT sum(u.vec[1]::numeric) FROM tap.users u
           WHERE u.tag = 'w1' AND u.user_id <> 2) > 9223372036854775807,
          'edge values: the plain sum really overflows bigint');
SELECT * FROM tap.sum_case('w2', 9, 5, 16, 'full', '{{1,1},{9,3}}', '{9,8,8,7,7}', 'full-range random values');
SELECT * FROM tap.sum_case('w3', 2, 2, 3, 'edge', NULL, '{2,2,2,2,2}', 'n = 2, t = 2, values at the limits');
SELECT is((SELECT result FROM tap.sess WHERE tag = 'w3'), '{-5,3,-2}'::bigint[],
          'n = 2: the sum of the edge vectors computed by hand (2^63-2 + 2^63-3, -2^63+1 + -2^63+2, -1 + -1)');
SELECT * FROM tap.sum_case('m3', 3, 2, 4, 'small', '{{2,2}}', '{3,3,2,2,2}', 'n = 3, t = 2, one dropout in round 2');
SELECT * FROM tap.sum_case('ids', 8, 5, 4, 'full', '{{9223372036854775307,2},{9223372036854775807,4}}',
                           '{8,8,7,7,6}', 'ids near 2^63 - 1', 'agg', 9223372036854775107, 100);
SELECT * FROM tap.sum_case('sp', 9, 5, 3, 'small', '{{1001,0},{3001,2},{8001,4}}', '{8,8,7,7,6}',
                           'sparse ids', 'agg', 1, 1000);
SELECT * FROM tap.sum_case('m1', 5, 3, 1, 'full', '{{4,2}}', '{5,5,4,4,4}', 'vector length 1');
SELECT * FROM tap.sum_case('z0', 4, 3, 5, 'zero', '{{1,4}}', '{4,4,4,4,3}', 'zero vectors');
SELECT is((SELECT result FROM tap.sess WHERE tag = 'z0'), '{0,0,0,0,0}'::bigint[], 'zero vectors: the sum is zero');
SELECT * FROM tap.sum_case('lv', 5, 3, 3000, 'full', '{{2,2},{5,4}}', '{5,5,4,4,3}', 'vector length 3000');
SELECT * FROM tap.sum_case('rv', 8, 5, 6, 'full', '{{3,0},{5,2},{8,4}}', '{7,7,6,6,5}', 'server_recv path', 'recv');
SELECT * FROM tap.sum_case('tx', 8, 5, 6, 'full', '{{2,1},{6,2},{7,4}}', '{8,7,6,6,5}', 'states reloaded from text', 'text');
SELECT * FROM tap.sum_case('t8', 8, 8, 4, 'small', NULL, '{8,8,8,8,8}', 't = n');

-- t - 1 messages in round r: SA008 in round r (n = 10, t = 6, 5 users drop after round r)
SELECT tap.setup('f' || r, 10, 6, 3) FROM generate_series(0, 4) r;
SELECT tap.drop('f' || r, '{1,3,5,7,9}', r) FROM generate_series(0, 4) r;
SELECT throws_ok($$SELECT tap.run('f0')$$, 'SA008',
                 'round 0 (AdvertiseKeys) has 5 messages, fewer than the threshold 6', 't - 1 users in round 0');
SELECT throws_ok($$SELECT tap.run('f1')$$, 'SA008',
                 'round 1 (ShareKeys) has 5 messages, fewer than the threshold 6', 't - 1 users in round 1');
SELECT throws_ok($$SELECT tap.run('f2')$$, 'SA008',
                 'round 2 (MaskedInputCollection) has 5 messages, fewer than the threshold 6', 't - 1 users in round 2');
SELECT throws_ok($$SELECT tap.run('f3')$$, 'SA008',
                 'round 3 (ConsistencyCheck) has 5 messages, fewer than the threshold 6', 't - 1 users in round 3');
SELECT throws_ok($$SELECT tap.run('f4')$$, 'SA008',
                 'round 4 (Unmasking) has 5 messages, fewer than the threshold 6', 't - 1 users in round 4');
-- the same through server_recv + server_round
SELECT throws_ok($$SELECT tap.run('f2', 'recv')$$, 'SA008',
                 'round 2 (MaskedInputCollection) has 5 messages, fewer than the threshold 6', 't - 1 users in round 2 (recv path)');
-- dropouts in rounds 2 and 4 that end one below t
SELECT tap.setup('f24', 10, 6, 3);
SELECT tap.drop('f24', '{2,4,6,8}', 2);
SELECT tap.drop('f24', '{10}', 4);
SELECT throws_ok($$SELECT tap.run('f24')$$, 'SA008',
                 'round 4 (Unmasking) has 5 messages, fewer than the threshold 6', 'dropouts in rounds 2 and 4 leave t - 1');
-- no message at all in a round
SELECT tap.setup('f00', 4, 3, 2);
SELECT tap.drop('f00', '{1,2,3,4}', 0);
SELECT throws_ok($$SELECT tap.run('f00')$$, 'SA008',
                 'round 0 (AdvertiseKeys) has 0 messages, fewer than the threshold 3', 'no message at all');

-- several sessions closed by one server_round_agg statement (GROUP BY session)
SELECT tap.setup('g' || k, 5, 3, 4, 'full') FROM generate_series(1, 3) k;
SELECT tap.drop('g2', '{3}', 2);
SELECT tap.drop('g3', '{1}', 4);
CREATE FUNCTION tap.run_grouped(tags text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  rec record;
BEGIN
  FOR r IN 0..4 LOOP
    PERFORM tap.clients(tg, r) FROM unnest(tags) tg;
    FOR rec IN
      SELECT s.tag, secagg.server_round_agg(s.state, m.user_id, m.message) AS o
      FROM tap.sess s JOIN tap.to_server m ON m.tag = s.tag AND m.round = r
      WHERE s.tag = ANY (tags) GROUP BY s.tag
    LOOP
      PERFORM tap.apply_output(rec.tag, r, rec.o);
    END LOOP;
  END LOOP;
END
$$;
SELECT lives_ok($$SELECT tap.run_grouped('{g1,g2,g3}')$$, 'three sessions in one aggregate per round');
SELECT is((SELECT result FROM tap.sess WHERE tag = 'g' || k), tap.expected('g' || k),
          'grouped sessions: exact sum of session ' || k)
FROM generate_series(1, 3) k;
SELECT isnt(tap.expected('g1'), tap.expected('g2'), 'grouped sessions: the sessions have different sums');

SELECT * FROM finish();
ROLLBACK;
