/*
 * test_lib_quantize.c: quantization and its inverse, with exact expected
 * values. libsodium's randomness is replaced (before initialisation) by a
 * stream repeating one 8-byte word, so the uniform u of every element is
 * known: word 0 gives u = 0 (round up whenever s has a fraction), 2^63
 * gives u = 0.5, 2^64 - 1 gives u = 1 - 2^-53 (round down).
 */
#include <math.h>
#include <sodium.h>

#include "secagg.h"
#include "unit.h"

static uint64_t word;           /* the repeated little-endian word */
static size_t bytes_drawn;

static void
pattern_buf(void *buf, size_t n)
{
	uint8_t *p = buf;
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t) (word >> (8 * (i % 8)));
	bytes_drawn += n;
}

static uint32_t pattern_random(void) { return (uint32_t) word; }
static const char *pattern_name(void) { return "pattern"; }
static void pattern_stir(void) {}
static int pattern_close(void) { return 0; }

static randombytes_implementation pattern_impl = {
	pattern_name, pattern_random, pattern_stir, NULL, pattern_buf, pattern_close
};

/* c = 2, b = 2: L = 3, s = (x' + 2) / 4 * 3, exact in doubles for these x */
static const double xs[9] = { -3, -2, -1.5, -1, 0, 0.5, 1, 2, 5 };
/* s =                        0,  0, .375, .75, 1.5, 1.875, 2.25, 3, 3 */

static void
check_quantize(uint64_t w, const uint64_t want[9])
{
	uint64_t q[9];
	word = w;
	UNIT_CHECK_EQ_U64(secagg_quantize(xs, 9, 2.0, 2, q), SECAGG_OK);
	for (int i = 0; i < 9; i++)
		UNIT_CHECK_EQ_U64(q[i], want[i]);
}

static void
test_quantize_round_up_at_u0(void)
{
	static const uint64_t want[9] = { 0, 0, 1, 1, 2, 2, 3, 3, 3 };
	check_quantize(0, want);
}

static void
test_quantize_round_at_half(void)
{
	static const uint64_t want[9] = { 0, 0, 0, 1, 1, 2, 2, 3, 3 };   /* up iff fraction > 0.5 */
	check_quantize((uint64_t) 1 << 63, want);
}

static void
test_quantize_round_down_at_u_max(void)
{
	static const uint64_t want[9] = { 0, 0, 0, 0, 1, 1, 2, 3, 3 };
	check_quantize(UINT64_MAX, want);
}

static void
test_quantize_draws_eight_bytes_per_element(void)
{
	enum { M = 1300 };      /* three blocks: 512 + 512 + 276 */
	static double x[M];
	static uint64_t q[M];
	bytes_drawn = 0;
	word = 0;
	for (int i = 0; i < M; i++)
		x[i] = 0.0;
	UNIT_CHECK_EQ_U64(secagg_quantize(x, M, 1.0, 10, q), SECAGG_OK);
	UNIT_CHECK_EQ_U64(bytes_drawn, 8 * M);
	UNIT_CHECK_EQ_U64(q[0], 512);                       /* s = 511.5, u = 0: up */
	UNIT_CHECK_EQ_U64(q[M - 1], 512);
}

static void
test_quantize_weighted(void)
{
	const double x[2] = { -1, 0.5 };
	uint64_t out[3];
	word = 0;
	UNIT_CHECK_EQ_U64(secagg_quantize_weighted(x, 2, 5, 2.0, 2, out), SECAGG_OK);
	UNIT_CHECK_EQ_U64(out[0], 5);
	UNIT_CHECK_EQ_U64(out[1], 5);                      /* 5 * q(-1) = 5 * 1 */
	UNIT_CHECK_EQ_U64(out[2], 10);                     /* 5 * q(0.5) = 5 * 2 */
	UNIT_CHECK_EQ_U64(secagg_quantize_weighted(x, 2, UINT64_MAX / 3 + 1, 2.0, 2, out), SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(secagg_quantize_weighted(x, 2, UINT64_MAX / 3, 2.0, 2, out), SECAGG_OK);
}

/* c = 1.5, b = 2: L = 3, 2c / L = 1: out = S - 1.5 n exactly */
static void
test_dequantize_exact(void)
{
	const uint64_t sum[4] = { 0, 3, 6, 4 };
	double out[4];
	UNIT_CHECK_EQ_U64(secagg_dequantize(sum, 4, 2, 1.5, 2, out), SECAGG_OK);
	UNIT_CHECK(out[0] == -3.0 && out[1] == 0.0 && out[2] == 3.0 && out[3] == 1.0);
	const uint64_t too_big[1] = { 7 };                 /* > n L = 6 */
	UNIT_CHECK_EQ_U64(secagg_dequantize(too_big, 1, 2, 1.5, 2, out), SECAGG_ERR_RANGE);
	UNIT_CHECK_EQ_U64(secagg_dequantize(sum, 4, 0, 1.5, 2, out), SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(secagg_dequantize(sum, 4, UINT64_MAX / 3 + 1, 1.5, 2, out), SECAGG_ERR_PARAM);
}

static void
test_dequantize_weighted_exact(void)
{
	const uint64_t sum[5] = { 4, 0, 6, 12, 5 };
	double out[4];
	UNIT_CHECK_EQ_U64(secagg_dequantize_weighted(sum, 5, 1.5, 2, out), SECAGG_OK);
	UNIT_CHECK(out[0] == -1.5 && out[1] == 0.0 && out[2] == 1.5 && out[3] == -0.25);
	const uint64_t over[2] = { 4, 13 }, zero[2] = { 0, 0 };
	UNIT_CHECK_EQ_U64(secagg_dequantize_weighted(over, 2, 1.5, 2, out), SECAGG_ERR_RANGE);
	UNIT_CHECK_EQ_U64(secagg_dequantize_weighted(zero, 2, 1.5, 2, out), SECAGG_ERR_RANGE);
	UNIT_CHECK_EQ_U64(secagg_dequantize_weighted(sum, 0, 1.5, 2, out), SECAGG_ERR_PARAM);
}

/* Quantize n clients, sum, dequantize: within n steps of the true sum. */
static void
test_round_trip_within_one_step_per_client(void)
{
	const double x[3][3] = { { 0.3, -0.7, 0.99 }, { -1.2, 0.1, 0.5 }, { 0.0, 0.45, -0.33 } };
	uint64_t sum[3] = { 0, 0, 0 }, q[3];
	double out[3], step = 2.0 / 1023;
	word = 0x0123456789abcdefULL;
	for (int u = 0; u < 3; u++) {
		UNIT_CHECK_EQ_U64(secagg_quantize(x[u], 3, 1.0, 10, q), SECAGG_OK);
		for (int i = 0; i < 3; i++)
			sum[i] += q[i];
	}
	UNIT_CHECK_EQ_U64(secagg_dequantize(sum, 3, 3, 1.0, 10, out), SECAGG_OK);
	const double truth[3] = { 0.3 - 1.0 + 0.0, -0.7 + 0.1 + 0.45, 0.99 + 0.5 - 0.33 };    /* -1.2 clipped */
	for (int i = 0; i < 3; i++)
		UNIT_CHECK(fabs(out[i] - truth[i]) <= 3 * step);
}

static void
test_quantize_refusals(void)
{
	double x[2] = { 0, NAN }, out_d[2];
	uint64_t q[2] = { 77, 77 };
	UNIT_CHECK_EQ_U64(secagg_quantize(x, 2, 1.0, 8, q), SECAGG_ERR_PARAM);       /* NaN */
	UNIT_CHECK_EQ_U64(secagg_quantize(x, 1, 0.0, 8, q), SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(secagg_quantize(x, 1, -1.0, 8, q), SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(secagg_quantize(x, 1, INFINITY, 8, q), SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(secagg_quantize(x, 1, 1.0, 0, q), SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(secagg_quantize(x, 1, 1.0, SECAGG_QUANTIZE_MAX_BITS + 1, q), SECAGG_ERR_PARAM);
	UNIT_CHECK(q[0] == 77 && q[1] == 77);
	UNIT_CHECK_EQ_U64(secagg_quantize(NULL, 1, 1.0, 8, q), SECAGG_ERR_NULL);
	UNIT_CHECK_EQ_U64(secagg_quantize(x, 1, 1.0, 8, NULL), SECAGG_ERR_NULL);
	UNIT_CHECK_EQ_U64(secagg_quantize(NULL, 0, 1.0, 8, NULL), SECAGG_OK);
	UNIT_CHECK_EQ_U64(secagg_quantize_weighted(x, 1, 1, 1.0, 8, NULL), SECAGG_ERR_NULL);
	UNIT_CHECK_EQ_U64(secagg_dequantize(NULL, 1, 1, 1.0, 8, out_d), SECAGG_ERR_NULL);
	UNIT_CHECK_EQ_U64(secagg_dequantize_weighted(NULL, 2, 1.0, 8, out_d), SECAGG_ERR_NULL);
	UNIT_CHECK_EQ_U64(secagg_dequantize(q, 1, 1, 1.0, 54, out_d), SECAGG_ERR_PARAM);
}

int
main(void)
{
	if (randombytes_set_implementation(&pattern_impl) != 0 || secagg_init() != SECAGG_OK)
		return 1;
	UNIT_RUN(test_quantize_round_up_at_u0);
	UNIT_RUN(test_quantize_round_at_half);
	UNIT_RUN(test_quantize_round_down_at_u_max);
	UNIT_RUN(test_quantize_draws_eight_bytes_per_element);
	UNIT_RUN(test_quantize_weighted);
	UNIT_RUN(test_dequantize_exact);
	UNIT_RUN(test_dequantize_weighted_exact);
	UNIT_RUN(test_round_trip_within_one_step_per_client);
	UNIT_RUN(test_quantize_refusals);
	return UNIT_DONE();
}
