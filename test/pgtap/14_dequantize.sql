-- 14_dequantize.sql: dequantize and dequantize_weighted, the server's side
-- of the clients' quantization (libsecagg, python/secagg): exact values at
-- the formula's edges, two's-complement words, and every refusal.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(14);

-- b = 4: L = 15 levels; 2 clients, clip 1: 0 -> -2, 15 -> 0, 30 -> 2
SELECT is(secagg.dequantize(ARRAY[0, 15, 30]::bigint[], 2, 1.0, 4), '{-2,0,2}'::float8[], 'sum of 2 clients: both ends and the middle');
SELECT is(secagg.dequantize(ARRAY[7]::bigint[], 1, 0.5, 3), '{0.5}'::float8[], 'one client at the top of [-0.5, 0.5] (b = 3)');
-- b = 53: L = 2^53 - 1; words above 2^63 arrive as negative bigints (output_vector's two's complement)
-- (2048 clients: n L = 2^64 - 2048 still fits; the word 2^64 - 3048 is -3048 as a bigint)
SELECT is(secagg.dequantize(ARRAY[-3048]::bigint[], 2048, 1.0, 53),
          ARRAY[18446744073709548568::float8 * (2.0::float8 * 1.0::float8 / 9007199254740991::float8) - 2048::float8],
          'a word above 2^63 read as u64');
SELECT is(secagg.dequantize_weighted(ARRAY[3, 0, 45]::bigint[], 1.0, 4), '{-1,1}'::float8[], 'weighted mean: W = 3, both ends');
SELECT is(secagg.dequantize_weighted(ARRAY[4, 30]::bigint[], 2.0, 4), ARRAY[(30.0 / 4 * 4 / 15 - 2)::float8], 'weighted mean inside the range');
SELECT is(secagg.dequantize_weighted(ARRAY[5]::bigint[], 1.0, 4), '{}'::float8[], 'weights only: an empty mean');

-- refusals
SELECT throws_ok($$SELECT secagg.dequantize(ARRAY[31]::bigint[], 2, 1.0, 4)$$, '22003', NULL, 'a word above n L');
SELECT throws_ok($$SELECT secagg.dequantize_weighted(ARRAY[0, 0]::bigint[], 1.0, 4)$$, '22003', NULL, 'W = 0');
SELECT throws_ok($$SELECT secagg.dequantize_weighted(ARRAY[2, 31]::bigint[], 1.0, 4)$$, '22003', NULL, 'a word above W L');
SELECT throws_ok($$SELECT secagg.dequantize(ARRAY[1]::bigint[], 2, 1.0, 54)$$, '22023', NULL, 'bits above 53');
SELECT throws_ok($$SELECT secagg.dequantize(ARRAY[1]::bigint[], 2, 0.0, 4)$$, '22023', NULL, 'clip 0');
SELECT throws_ok($$SELECT secagg.dequantize(ARRAY[1]::bigint[], 2, 'NaN', 4)$$, '22023', NULL, 'clip NaN');
SELECT throws_ok($$SELECT secagg.dequantize(ARRAY[1]::bigint[], 4096, 1.0, 53)$$, '22023', NULL, 'n L past 2^64: sums would wrap');
SELECT throws_ok($$SELECT secagg.dequantize(NULL, 2, 1.0, 4)$$, '22004', NULL, 'NULL sum');

SELECT * FROM finish();
ROLLBACK;
