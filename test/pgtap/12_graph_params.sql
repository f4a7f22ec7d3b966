-- 12_graph_params.sql: SecAgg+ degree and threshold through SQL. All 13 rows
-- of federated-compute's own table (k exactly, t at or below fcp's), a
-- user's choice checked against each rule (22023 naming it), and bad input.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(28);

CREATE TEMP TABLE fcp (n int, corrupt float8, dropout float8, model text, k int, t int);
INSERT INTO fcp VALUES
  (1000, 0.45, 0.45, 'honest-but-curious', 822, 417), (10000, 0.45, 0.45, 'honest-but-curious', 3494, 1771),
  (1000, 0.33, 0.33, 'honest-but-curious', 286, 150), (10000, 0.33, 0.33, 'honest-but-curious', 422, 221),
  (1000, 0.30, 0.30, 'semi-malicious', 872, 584), (10000, 0.30, 0.30, 'semi-malicious', 4822, 3230),
  (1000, 0.05, 0.33, 'honest-but-curious', 72, 24), (10000, 0.05, 0.33, 'honest-but-curious', 86, 29),
  (1000, 0.05, 0.33, 'semi-malicious', 398, 223), (10000, 0.05, 0.33, 'semi-malicious', 746, 420),
  (1000, 0.05, 0.05, 'honest-but-curious', 30, 17), (10000, 0.05, 0.05, 'semi-malicious', 62, 44),
  (1000, 0.33, 0.05, 'honest-but-curious', 78, 60);
CREATE TEMP TABLE got AS
  SELECT f.*, secagg.graph_params(f.n, f.corrupt, f.dropout, f.model) AS p FROM fcp f;
SELECT is((p->>'k')::int, k, format('n = %s, %s / %s, %s: k = %s', n, corrupt, dropout, model, k)) FROM got;
SELECT is(count(*), 13::bigint, 'every row: t at or below fcp''s, and the choice passes its own check')
FROM got WHERE (p->>'t')::int <= t
  AND secagg.graph_params(n, corrupt, dropout, model, (p->>'k')::int, (p->>'t')::int)->>'chosen_by' = 'user';

-- a user's choice, each rule (n = 1000, 0.05 / 0.33, honest-but-curious: k = 72, t = 24, t above 23)
SELECT throws_ok($$SELECT secagg.graph_params(1000, 0.05, 0.33, k => 71, t => 24)$$, '22023',
                 'k = 71 is odd: a Harary graph needs an even degree (or k = users - 1, the complete graph)', 'odd k');
SELECT throws_ok($$SELECT secagg.graph_params(1000, 0.05, 0.33, k => 1000, t => 600)$$, '22023',
                 'k = 1000 is outside 1 .. users - 1 = 999', 'k = n');
SELECT throws_ok($$SELECT secagg.graph_params(1000, 0.05, 0.33, k => 16, t => 10)$$, '22023', NULL,
                 'too small a k fails the connectivity rule');
SELECT throws_ok($$SELECT secagg.graph_params(1000, 0.05, 0.33, k => 72, t => 23)$$, '22023',
                 't = 23 is too small for k = 72: it must exceed 23 (the corrupt neighbours a user may have, except with probability 2^-41)',
                 't = t1');
SELECT throws_ok($$SELECT secagg.graph_params(1000, 0.05, 0.33, k => 72, t => 25)$$, '22023',
                 't = 25 is too large for k = 72: at most 24 neighbours are sure to survive (except with probability 2^-20)',
                 't = t2 + 1');
SELECT is(secagg.graph_params(1000, 0.05, 0.33, k => 100, t => 28)->>'chosen_by', 'user', 'a larger valid choice is accepted');
SELECT is(secagg.graph_params(30, 0.05, 0.33, k => 29, t => 20)->>'graph', 'complete', 'k = n - 1 is the complete graph');

-- input
SELECT throws_ok($$SELECT secagg.graph_params(1, 0.05, 0.33)$$, '22023', 'users must be at least 2, got 1', 'one user');
SELECT throws_ok($$SELECT secagg.graph_params(1000, 1.0, 0.33)$$, '22023', NULL, 'corrupt fraction 1');
SELECT throws_ok($$SELECT secagg.graph_params(1000, 0.05, 'NaN')$$, '22023', NULL, 'dropout NaN');
SELECT throws_ok($$SELECT secagg.graph_params(1000, 0.05, 0.33, 'malicious')$$, '22023',
                 'server_model must be ''honest-but-curious'' or ''semi-malicious'', got "malicious"', 'unknown model');
SELECT throws_ok($$SELECT secagg.graph_params(1000, 0.05, 0.33, k => 72)$$, '22004',
                 'give both k and t, or neither (then the finder chooses them)', 'k without t');
SELECT throws_ok($$SELECT secagg.graph_params(NULL, 0.05, 0.33)$$, '22004', 'users must not be NULL', 'NULL users');
SELECT throws_ok($$SELECT secagg.graph_params(2000000, 0.05, 0.33)$$, '54000', NULL, 'more than 1,000,000 users');

SELECT * FROM finish();
ROLLBACK;
