/*
 * quantize.c: clipping and stochastic rounding of real vectors to u64 words
 * for secure summation, and back (the formulas are secagg.h's, exactly).
 */
#include "internal.h"

#include <math.h>
#include <sodium.h>

#include "common/codec.h"
#include "common/quantize.h"

_Static_assert(SECAGG_QUANTIZE_MAX_BITS == SA_QUANTIZE_MAX_BITS, "one bit limit for quantizing and dequantizing");

/* L = 2^b - 1, after checking the range and bit count. */
static int
check_scale(double clip, uint32_t bits, uint64_t *levels)
{
	return sa_quantize_levels(clip, bits, levels) == SA_OK ? SECAGG_OK : SECAGG_ERR_PARAM;
}

/* u in [0, 1) from 8 random bytes: the top 53 bits of a little-endian u64. */
static double
uniform_of(const uint8_t bytes[8])
{
	return (double) (sa_load_u64_le(bytes) >> 11) * 0x1p-53;
}

/* One element: clip, scale to [0, L], round up with probability equal to the fraction. */
static uint64_t
quantize_one(double x, double clip, uint64_t levels, double u)
{
	double clipped = x < -clip ? -clip : x > clip ? clip : x;
	double s = ((clipped + clip) / (2.0 * clip)) * (double) levels;
	double f = floor(s);
	uint64_t q = (uint64_t) f + (u < s - f ? 1 : 0);
	return q > levels ? levels : q;
}

/* out[i] = factor * q(x[i]); the randomness drawn in blocks of SECAGG_QUANTIZE_BLOCK elements. */
static void
quantize_scaled(const double *x, size_t m, double clip, uint64_t levels, uint64_t factor, uint64_t *out)
{
	uint8_t random[8 * SECAGG_QUANTIZE_BLOCK];
	for (size_t start = 0; start < m; start += SECAGG_QUANTIZE_BLOCK) {
		size_t n = m - start < SECAGG_QUANTIZE_BLOCK ? m - start : SECAGG_QUANTIZE_BLOCK;
		randombytes_buf(random, 8 * n);
		for (size_t i = 0; i < n; i++)
			out[start + i] = factor * quantize_one(x[start + i], clip, levels, uniform_of(random + 8 * i));
	}
	sodium_memzero(random, sizeof random);
}

static int
check_vector(const double *x, size_t m)
{
	for (size_t i = 0; i < m; i++)
		if (isnan(x[i]))
			return SECAGG_ERR_PARAM;
	return SECAGG_OK;
}

int
secagg_quantize(const double *x, size_t m, double clip, uint32_t bits, uint64_t *out)
{
	if ((x == NULL || out == NULL) && m > 0)
		return SECAGG_ERR_NULL;
	uint64_t levels;
	int rc = check_scale(clip, bits, &levels);
	if (rc == SECAGG_OK)
		rc = check_vector(x, m);
	if (rc == SECAGG_OK)
		rc = secagg_init();
	if (rc == SECAGG_OK)
		quantize_scaled(x, m, clip, levels, 1, out);
	return rc;
}

int
secagg_quantize_weighted(const double *x, size_t m, uint64_t weight, double clip, uint32_t bits, uint64_t *out)
{
	if (out == NULL || (x == NULL && m > 0))
		return SECAGG_ERR_NULL;
	uint64_t levels;
	int rc = check_scale(clip, bits, &levels);
	if (rc == SECAGG_OK && weight > UINT64_MAX / levels)
		rc = SECAGG_ERR_PARAM;             /* w L must fit in a word */
	if (rc == SECAGG_OK)
		rc = check_vector(x, m);
	if (rc == SECAGG_OK)
		rc = secagg_init();
	if (rc != SECAGG_OK)
		return rc;
	out[0] = weight;
	quantize_scaled(x, m, clip, levels, weight, out + 1);
	return SECAGG_OK;
}

/* The core's status of a dequantization as the library's code. */
static int
dequantize_code(sa_status st)
{
	return st == SA_ERR_LIMIT ? SECAGG_ERR_RANGE : st == SA_OK ? SECAGG_OK : SECAGG_ERR_PARAM;
}

int
secagg_dequantize(const uint64_t *sum, size_t m, uint64_t n_clients, double clip, uint32_t bits, double *out)
{
	if ((sum == NULL || out == NULL) && m > 0)
		return SECAGG_ERR_NULL;
	return dequantize_code(sa_dequantize(sum, m, n_clients, clip, bits, out));
}

int
secagg_dequantize_weighted(const uint64_t *sum, size_t m_plus_1, double clip, uint32_t bits, double *out)
{
	if (sum == NULL || (out == NULL && m_plus_1 > 1))
		return SECAGG_ERR_NULL;
	return dequantize_code(sa_dequantize_weighted(sum, m_plus_1, clip, bits, out));
}
