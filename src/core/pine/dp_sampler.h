/*
 * dp_sampler.h: exact samplers for the discrete Laplace and discrete
 * Gaussian distributions (Canonne, Kamath and Steinke 2020, "The Discrete
 * Gaussian for Differential Privacy", Algorithms 1-3), on exact integer and
 * rational arithmetic (OpenSSL BIGNUM); no floating point in the sampling.
 *
 * Randomness comes through a dp_rng: dp_rng_system() is libsodium's
 * randombytes_buf; dp_test_rng_init() gives a deterministic ChaCha20 stream
 * from a seed, for tests only.
 */
#ifndef SECAGG_DP_SAMPLER_H
#define SECAGG_DP_SAMPLER_H

#include <stddef.h>
#include <stdint.h>

typedef struct dp_rng {
	void (*fill)(void *ctx, uint8_t *buf, size_t len);
	void *ctx;
} dp_rng;

/* libsodium's randombytes_buf. */
dp_rng dp_rng_system(void);

/* Tests only: a ChaCha20 keystream under a 32-byte seed. */
typedef struct dp_test_rng {
	uint8_t key[32];
	uint64_t block;
	uint8_t buf[512];
	size_t pos;
} dp_test_rng;
dp_rng dp_test_rng_init(dp_test_rng *t, const uint8_t seed[32]);

typedef enum dp_status {
	DP_OK = 0,
	DP_ERR_PARAM,   /* a scale or variance that is not a positive finite number */
	DP_ERR_NOMEM,
	DP_ERR_RANGE    /* a sample beyond 2^127 (never for the scales allowed) */
} dp_status;

/* A sampler for one distribution, set up once and drawn from many times. */
typedef struct dp_sampler dp_sampler;

/* Discrete Laplace: P[Y = y] proportional to exp(-|y| / scale). The scale
 * (a double) is taken as the exact dyadic rational it is. */
dp_status dp_sampler_laplace(dp_sampler **out, double scale);
/* Discrete Gaussian: P[Y = y] proportional to exp(-y^2 / (2 sigma^2)); sigma^2
 * is the exact square of the double sigma. */
dp_status dp_sampler_gaussian(dp_sampler **out, double sigma);
void dp_sampler_free(dp_sampler *s);

/* One sample: *neg = 1 for a negative value, *mag = |Y|. */
dp_status dp_sample(dp_sampler *s, const dp_rng *rng, int *neg, unsigned __int128 *mag);

/* Building block, exposed for tests: Bernoulli(exp(-num/den)), num >= 0,
 * den > 0 (both below 2^64). *out is 0 or 1. */
dp_status dp_bernoulli_exp(const dp_rng *rng, uint64_t num, uint64_t den, int *out);

#endif
