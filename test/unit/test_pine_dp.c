/*
 * test_pine_dp.c: the exact discrete Laplace / discrete Gaussian samplers
 * (dp_sampler.c) and the noise on PINE aggregate shares (pine_dp.c).
 *
 * Randomness is a fixed ChaCha20 stream (dp_test_rng), so every run draws
 * the same samples. The statistical checks compare the sample mean,
 * variance and tail frequencies with the distributions' exact values
 * (sums of the probability mass function), with tolerances of Z standard
 * errors computed from the sample size and the exact moments: Z = 5, a
 * two-sided 5.7e-7 chance per check for a correct sampler and fresh
 * randomness.
 */
#include <math.h>

#include <sodium.h>

#include "unit.h"

#include "pine/dp_sampler.h"
#include "pine/pine.h"
#include "pine/pine_internal.h"
#include "pine/pine_testing.h"

#define Z 5.0

static void seed_of(uint8_t seed[32], uint32_t k)
{
	memset(seed, 0, 32);
	seed[0] = (uint8_t) k;
	seed[1] = (uint8_t) (k >> 8);
	seed[31] = 0xd9;
}

/* ---- exact moments from the pmf -------------------------------------------- */

typedef struct {
	double var, m4;       /* E[Y^2], E[Y^4] (the mean is 0 by symmetry) */
	double p0;            /* P[Y = 0] */
	double tail[3];       /* P[|Y| >= k_j] */
	long k[3];
} exact;

/* weight(y) for the distribution: exp(-|y|/t) or exp(-y^2/(2 s^2)). */
static long double weight(int gauss, double scale, long y)
{
	long double a = (long double) labs(y);
	return gauss ? expl(-a * a / (2.0L * scale * scale)) : expl(-a / scale);
}

static exact exact_of(int gauss, double scale, const long k[3])
{
	exact e;
	long lim = (long) (60.0 * scale) + 60;
	long double z = 0, s2 = 0, s4 = 0, t[3] = { 0, 0, 0 };
	for (long y = -lim; y <= lim; y++) {
		long double w = weight(gauss, scale, y), yy = (long double) y * y;
		z += w;
		s2 += w * yy;
		s4 += w * yy * yy;
		for (int j = 0; j < 3; j++)
			if (labs(y) >= k[j])
				t[j] += w;
	}
	e.var = (double) (s2 / z);
	e.m4 = (double) (s4 / z);
	e.p0 = (double) (1.0L / z);
	for (int j = 0; j < 3; j++) {
		e.tail[j] = (double) (t[j] / z);
		e.k[j] = k[j];
	}
	return e;
}

/* Draws n samples and checks mean, variance, P[0] and the tails. */
static void check_distribution(int gauss, double scale, int n, uint32_t seedk)
{
	uint8_t seed[32];
	dp_test_rng tr;
	dp_sampler *s = NULL;
	long k[3] = { 1, (long) ceil(scale), (long) ceil(2.5 * scale) };
	exact e = exact_of(gauss, scale, k);
	double sum = 0, sum2 = 0;
	long zeros = 0, tails[3] = { 0, 0, 0 };

	seed_of(seed, seedk);
	dp_rng rng = dp_test_rng_init(&tr, seed);
	UNIT_CHECK((gauss ? dp_sampler_gaussian(&s, scale) : dp_sampler_laplace(&s, scale)) == DP_OK);
	for (int i = 0; i < n; i++) {
		int neg;
		unsigned __int128 m;
		UNIT_CHECK(dp_sample(s, &rng, &neg, &m) == DP_OK);
		UNIT_CHECK(!(neg && m == 0)); /* -0 is never produced */
		double y = neg ? -(double) m : (double) m;
		sum += y;
		sum2 += y * y;
		zeros += m == 0;
		for (int j = 0; j < 3; j++)
			tails[j] += (long) m >= k[j];
	}
	dp_sampler_free(s);
	double mean = sum / n, var = sum2 / n; /* E[Y] = 0 is known: E[Y^2] estimates the variance */
	double tol_mean = Z * sqrt(e.var / n);
	double tol_var = Z * sqrt((e.m4 - e.var * e.var) / n);
	int ok = fabs(mean) <= tol_mean && fabs(var - e.var) <= tol_var;
	double f0 = (double) zeros / n;
	ok &= fabs(f0 - e.p0) <= Z * sqrt(e.p0 * (1 - e.p0) / n);
	for (int j = 0; j < 3; j++) {
		double f = (double) tails[j] / n, p = e.tail[j];
		ok &= fabs(f - p) <= Z * sqrt(p * (1 - p) / n) + 1.0 / n;
	}
	if (!ok) {
		fprintf(stderr, "  %s scale %g: mean %g (tol %g), var %g vs %g (tol %g), P0 %g vs %g\n",
		        gauss ? "gaussian" : "laplace", scale, mean, tol_mean, var, e.var, tol_var, f0, e.p0);
		for (int j = 0; j < 3; j++)
			fprintf(stderr, "    P[|Y| >= %ld] %g vs %g\n", k[j], (double) tails[j] / n, e.tail[j]);
	}
	UNIT_CHECK(ok);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_bernoulli_exp(void)
{
	/* gamma = num / den: 0, 1/3, 1, 5/2, 7 */
	const uint64_t nd[][2] = { { 0, 1 }, { 1, 3 }, { 1, 1 }, { 5, 2 }, { 7, 1 } };
	const int n = 20000;
	for (size_t c = 0; c < sizeof nd / sizeof nd[0]; c++) {
		uint8_t seed[32];
		dp_test_rng tr;
		seed_of(seed, 100 + (uint32_t) c);
		dp_rng rng = dp_test_rng_init(&tr, seed);
		long ones = 0;
		for (int i = 0; i < n; i++) {
			int b = -1;
			UNIT_CHECK(dp_bernoulli_exp(&rng, nd[c][0], nd[c][1], &b) == DP_OK);
			UNIT_CHECK(b == 0 || b == 1);
			ones += b;
		}
		double p = exp(-(double) nd[c][0] / (double) nd[c][1]);
		double f = (double) ones / n;
		if (!(fabs(f - p) <= Z * sqrt(p * (1 - p) / n) + 1e-12))
			fprintf(stderr, "  gamma %llu/%llu: %g vs %g\n", (unsigned long long) nd[c][0],
			        (unsigned long long) nd[c][1], f, p);
		UNIT_CHECK(fabs(f - p) <= Z * sqrt(p * (1 - p) / n) + 1e-12);
	}
	uint8_t seed[32] = { 0 };
	dp_test_rng tr;
	dp_rng rng = dp_test_rng_init(&tr, seed);
	int b;
	UNIT_CHECK(dp_bernoulli_exp(&rng, 1, 0, &b) == DP_ERR_PARAM);
}

static void test_laplace(void)
{
	check_distribution(0, 0.5, 40000, 1);
	check_distribution(0, 1.0, 40000, 2);
	check_distribution(0, 3.25, 40000, 3);
	check_distribution(0, 10.0, 40000, 4);
	check_distribution(0, 1000.5, 20000, 5);
}

static void test_gaussian(void)
{
	check_distribution(1, 0.7, 40000, 11);
	check_distribution(1, 1.0, 40000, 12);
	check_distribution(1, 2.5, 40000, 13);
	check_distribution(1, 12.0, 40000, 14);
	check_distribution(1, 3000.25, 20000, 15);
}

static void test_sampler_params(void)
{
	dp_sampler *s = (dp_sampler *) 1;
	UNIT_CHECK(dp_sampler_gaussian(&s, 0.0) == DP_ERR_PARAM && s == NULL);
	UNIT_CHECK(dp_sampler_gaussian(&s, -1.0) == DP_ERR_PARAM);
	UNIT_CHECK(dp_sampler_gaussian(&s, NAN) == DP_ERR_PARAM);
	UNIT_CHECK(dp_sampler_laplace(&s, INFINITY) == DP_ERR_PARAM);
	UNIT_CHECK(dp_sampler_laplace(&s, 0.0) == DP_ERR_PARAM);
	/* the same seed gives the same samples, another seed others */
	uint8_t seed[32];
	dp_test_rng a, b, c;
	seed_of(seed, 7);
	dp_rng ra = dp_test_rng_init(&a, seed), rb = dp_test_rng_init(&b, seed);
	seed_of(seed, 8);
	dp_rng rc = dp_test_rng_init(&c, seed);
	UNIT_CHECK(dp_sampler_gaussian(&s, 50.0) == DP_OK);
	int same = 1, differ = 0;
	for (int i = 0; i < 50; i++) {
		int na = 0, nb = 0, nc = 0;
		unsigned __int128 ma = 0, mb = 0, mc = 0;
		UNIT_CHECK(dp_sample(s, &ra, &na, &ma) == DP_OK);
		UNIT_CHECK(dp_sample(s, &rb, &nb, &mb) == DP_OK);
		UNIT_CHECK(dp_sample(s, &rc, &nc, &mc) == DP_OK);
		same &= na == nb && ma == mb;
		differ |= na != nc || ma != mc;
	}
	UNIT_CHECK(same && differ);
	dp_sampler_free(s);
}

static int make_params(pine_params *P, pine_variant v, uint64_t d)
{
	pine_config c;
	pine_config_defaults(&c, v);
	c.num_frac_bits = v == PINE_VARIANT_PINE32_HMAC_SHA256_AES128 ? 12 : 15;
	c.l2_norm_bound = (uint64_t) 1 << c.num_frac_bits;
	c.dimension = d;
	if (pine_optimal_chunk_lengths(&c, &c.chunk_length, &c.chunk_length_norm_equality, NULL) != PINE_OK)
		return 0;
	return pine_params_init(P, &c, NULL) == PINE_OK;
}

static void test_scale(void)
{
	pine_params P;
	double s;
	const double up = 1.0 + 0x1p-40, B = 32768.0;
	UNIT_CHECK(make_params(&P, PINE_VARIANT_PINE64, 16));
	/* zCDP (no delta): sigma = B / epsilon */
	UNIT_CHECK(pine_dp_scale(&P, PINE_DP_DISCRETE_GAUSSIAN, 0.5, 0.0, &s, NULL) == PINE_OK);
	UNIT_CHECK(s == B / 0.5 * up);
	/* (epsilon, delta): sigma = B / sqrt(2 rho), sqrt(rho) = sqrt(eps + L) - sqrt(L) */
	UNIT_CHECK(pine_dp_scale(&P, PINE_DP_DISCRETE_GAUSSIAN, 1.0, 1e-6, &s, NULL) == PINE_OK);
	double L = log(1e6), r = sqrt(1.0 + L) - sqrt(L);
	UNIT_CHECK(fabs(s / (B / (sqrt(2.0) * r) * up) - 1.0) < 1e-14);
	/* and the guarantee holds: rho + 2 sqrt(rho L) <= epsilon for rho = B^2 / (2 sigma^2) */
	double rho = B * B / (2.0 * s * s);
	UNIT_CHECK(rho + 2.0 * sqrt(rho * L) <= 1.0);
	/* Laplace: t = min(sqrt(d) B, B^2) / epsilon; d = 16: 4 B */
	UNIT_CHECK(pine_dp_scale(&P, PINE_DP_DISCRETE_LAPLACE, 2.0, 0.0, &s, NULL) == PINE_OK);
	UNIT_CHECK(s == 4.0 * B / 2.0 * up);
	/* B^2 binds when d > B^2: B = 3 (nfb 0), d = 16: min(12, 9) = 9 */
	pine_config c = P.cfg;
	c.num_frac_bits = 0;
	c.l2_norm_bound = 3;
	pine_params Q;
	UNIT_CHECK(pine_params_init(&Q, &c, NULL) == PINE_OK);
	UNIT_CHECK(pine_dp_scale(&Q, PINE_DP_DISCRETE_LAPLACE, 1.0, 0.0, &s, NULL) == PINE_OK);
	UNIT_CHECK(s == 9.0 * up);
	/* refusals */
	const char *why = NULL;
	UNIT_CHECK(pine_dp_scale(&P, PINE_DP_DISCRETE_GAUSSIAN, 0.0, 1e-6, &s, &why) == PINE_ERR_PARAM && why);
	UNIT_CHECK(pine_dp_scale(&P, PINE_DP_DISCRETE_GAUSSIAN, -1.0, 0.0, &s, NULL) == PINE_ERR_PARAM);
	UNIT_CHECK(pine_dp_scale(&P, PINE_DP_DISCRETE_GAUSSIAN, INFINITY, 0.0, &s, NULL) == PINE_ERR_PARAM);
	UNIT_CHECK(pine_dp_scale(&P, PINE_DP_DISCRETE_GAUSSIAN, 1.0, 1.0, &s, NULL) == PINE_ERR_PARAM);
	UNIT_CHECK(pine_dp_scale(&P, PINE_DP_DISCRETE_GAUSSIAN, 1.0, -0.1, &s, NULL) == PINE_ERR_PARAM);
	UNIT_CHECK(pine_dp_scale(&P, PINE_DP_DISCRETE_LAPLACE, 1.0, 1e-6, &s, NULL) == PINE_ERR_PARAM);
	UNIT_CHECK(pine_dp_scale(&P, (pine_dp_mechanism) 9, 1.0, 0.0, &s, NULL) == PINE_ERR_PARAM);
	/* too much noise for Field32: 128 sigma >= p / 2 */
	pine_params F;
	UNIT_CHECK(make_params(&F, PINE_VARIANT_PINE32_HMAC_SHA256_AES128, 8));
	UNIT_CHECK(pine_dp_scale(&F, PINE_DP_DISCRETE_GAUSSIAN, 0.0001, 0.0, &s, NULL) == PINE_ERR_PARAM);
	UNIT_CHECK(pine_dp_scale(&F, PINE_DP_DISCRETE_GAUSSIAN, 1.0, 0.0, &s, NULL) == PINE_OK);
}

/* The noise added to each coordinate is exactly the sampler's draw, mod p,
 * in every field (the same seed replays it). */
static void test_noise_exact(void)
{
	pine_variant vs[] = { PINE_VARIANT_PINE64, PINE_VARIANT_PINE128, PINE_VARIANT_PINE32_HMAC_SHA256_AES128 };
	for (size_t t = 0; t < 3; t++) {
		pine_params P;
		UNIT_CHECK(make_params(&P, vs[t], 300));
		size_t E = P.elem_size, d = P.dimension;
		uint8_t *share = calloc(1, P.agg_share_len), *zero = calloc(1, P.agg_share_len);
		/* coordinate 0 = p - 1, coordinate 1 = 1: the additions wrap both ways */
		pine_u128 p = pine_field_modulus(P.field), pm1 = p - 1;
		for (size_t k = 0; k < E; k++, pm1 >>= 8)
			share[k] = (uint8_t) pm1;
		share[E] = 1;
		uint8_t *orig = malloc(P.agg_share_len);
		memcpy(orig, share, P.agg_share_len);
		uint8_t seed[32];
		dp_test_rng tr;
		seed_of(seed, 40 + (uint32_t) t);
		dp_rng rng = dp_test_rng_init(&tr, seed);
		UNIT_CHECK(pine_dp_add_noise_rng(&P, PINE_DP_DISCRETE_LAPLACE, 3.0, share, P.agg_share_len, &rng, NULL) ==
		           PINE_OK);
		/* replay */
		dp_sampler *s;
		UNIT_CHECK(dp_sampler_laplace(&s, 3.0) == DP_OK);
		rng = dp_test_rng_init(&tr, seed);
		size_t bad = 0, nonzero = 0;
		for (size_t i = 0; i < d; i++) {
			int neg;
			unsigned __int128 m;
			UNIT_CHECK(dp_sample(s, &rng, &neg, &m) == DP_OK);
			pine_u128 v = 0, w = 0;
			for (size_t k = E; k-- > 0;) {
				v = (v << 8) | orig[i * E + k];
				w = (w << 8) | share[i * E + k];
			}
			pine_u128 want = neg ? (v >= m ? v - m : v + (p - m)) : (v + m) % p;
			if (v == p - 1 && !neg && m != 0)
				want = m - 1;
			bad += w != want;
			nonzero += m != 0;
		}
		UNIT_CHECK_EQ_U64(bad, 0);
		UNIT_CHECK(nonzero > d / 2);
		UNIT_CHECK(pine_vec_check_encoded(P.field, share, d) == PINE_OK);
		dp_sampler_free(s);
		/* malformed input: unchanged */
		memcpy(share, orig, P.agg_share_len);
		memset(share + 5 * E, 0xff, E);
		memcpy(orig, share, P.agg_share_len);
		UNIT_CHECK(pine_dp_add_noise(&P, PINE_DP_DISCRETE_GAUSSIAN, 10.0, share, P.agg_share_len, NULL) ==
		           PINE_ERR_NONCANONICAL);
		UNIT_CHECK(memcmp(share, orig, P.agg_share_len) == 0);
		UNIT_CHECK(pine_dp_add_noise(&P, PINE_DP_DISCRETE_GAUSSIAN, 10.0, zero, P.agg_share_len - 1, NULL) ==
		           PINE_ERR_MALFORMED);
		UNIT_CHECK(pine_dp_add_noise(&P, PINE_DP_DISCRETE_GAUSSIAN, 0.0, zero, P.agg_share_len, NULL) ==
		           PINE_ERR_PARAM);
		UNIT_CHECK(pine_dp_add_noise(&P, (pine_dp_mechanism) 0, 1.0, zero, P.agg_share_len, NULL) ==
		           PINE_ERR_PARAM);
		/* with the system's randomness: some noise */
		UNIT_CHECK(pine_dp_add_noise(&P, PINE_DP_DISCRETE_GAUSSIAN, 1000.0, zero, P.agg_share_len, NULL) ==
		           PINE_OK);
		size_t nz = 0;
		for (size_t i = 0; i < P.agg_share_len; i++)
			nz += zero[i] != 0;
		UNIT_CHECK(nz > 0);
		free(share);
		free(zero);
		free(orig);
	}
}

/* Two Aggregators each add discrete Gaussian noise of sigma (from epsilon,
 * delta) to their aggregate shares; the unsharded result's error has
 * variance 2 sigma_dg^2 (in the encoded domain), mean 0. */
static void test_unshard_noise_scale(void)
{
	const size_t d = 4000;
	pine_params P;
	UNIT_CHECK(make_params(&P, PINE_VARIANT_PINE64, d));
	double sigma;
	UNIT_CHECK(pine_dp_scale(&P, PINE_DP_DISCRETE_GAUSSIAN, 1.0, 1e-9, &sigma, NULL) == PINE_OK);
	uint8_t *a = calloc(1, P.agg_share_len), *b = calloc(1, P.agg_share_len);
	/* share a holds the sum 3 (encoded) in every coordinate, b holds 0:
	 * they unshard to 3 / 2^15 */
	for (size_t i = 0; i < d; i++)
		a[i * 8] = 3;
	uint8_t seed[32];
	dp_test_rng tr;
	seed_of(seed, 60);
	dp_rng rng = dp_test_rng_init(&tr, seed);
	UNIT_CHECK(pine_dp_add_noise_rng(&P, PINE_DP_DISCRETE_GAUSSIAN, sigma, a, P.agg_share_len, &rng, NULL) == PINE_OK);
	UNIT_CHECK(pine_dp_add_noise_rng(&P, PINE_DP_DISCRETE_GAUSSIAN, sigma, b, P.agg_share_len, &rng, NULL) == PINE_OK);
	const uint8_t *as[2] = { a, b };
	size_t al[2] = { P.agg_share_len, P.agg_share_len };
	double *res = malloc(d * sizeof *res);
	UNIT_CHECK(pine_unshard(&P, as, al, 2, 10, res, NULL) == PINE_OK);
	double s1 = 0, s2 = 0;
	for (size_t i = 0; i < d; i++) {
		double e = ldexp(res[i], 15) - 3.0; /* the noise, in the encoded domain (exact) */
		UNIT_CHECK(e == floor(e));
		s1 += e;
		s2 += e * e;
	}
	/* sigma is about 2^15 * 4.7: the discrete Gaussian's variance is sigma^2
	 * up to a relative 1e-300; the sum of two has 2 sigma^2 and fourth
	 * moment 3 (2 sigma^2)^2 */
	double v = 2.0 * sigma * sigma;
	double mean = s1 / d, var = s2 / d;
	UNIT_CHECK(fabs(mean) <= Z * sqrt(v / d));
	UNIT_CHECK(fabs(var - v) <= Z * sqrt(2.0 * v * v / d));
	if (!(fabs(var - v) <= Z * sqrt(2.0 * v * v / d)))
		fprintf(stderr, "  sigma %g: var %g vs %g\n", sigma, var, v);
	free(a);
	free(b);
	free(res);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	UNIT_RUN(test_bernoulli_exp);
	UNIT_RUN(test_laplace);
	UNIT_RUN(test_gaussian);
	UNIT_RUN(test_sampler_params);
	UNIT_RUN(test_scale);
	UNIT_RUN(test_noise_exact);
	UNIT_RUN(test_unshard_noise_scale);
	return UNIT_DONE();
}
