/*
 * dp_sampler.c: exact discrete Laplace and discrete Gaussian samplers after
 * Canonne, Kamath and Steinke 2020 (arXiv:2004.00010), Algorithms 1, 2, 3.
 *
 * Every quantity is an integer or a ratio of integers held in OpenSSL
 * BIGNUMs; a Bernoulli(num/den) draws a uniform integer below den (by
 * rejection from whole random bytes) and compares it with num. The only
 * floating point is the split of the double parameter into the exact
 * dyadic rational m * 2^e it is, before any sampling.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <sodium.h>

#include "pine/dp_sampler.h"

/* Largest uniform draw: 4096 bits covers every denominator of the scales
 * pine_dp allows (below 2^121) with room to spare. */
#define DP_MAX_BYTES 512

enum { KIND_LAPLACE = 1, KIND_GAUSSIAN = 2 };

struct dp_sampler {
	int kind;
	BN_CTX *ctx;
	/* Laplace: scale = lt / ls. Gaussian: sigma^2 = ga / gb, and the
	 * Laplace proposal of integer scale gt = floor(sigma) + 1. */
	BIGNUM *lt, *ls, *ga, *gb, *gt;
	/* scratch */
	BIGNUM *u, *v, *x, *y, *num, *den, *k, *one;
};

/* ---- randomness --------------------------------------------------------- */

static void
system_fill(void *ctx, uint8_t *buf, size_t len)
{
	(void) ctx;
	randombytes_buf(buf, len);
}

dp_rng
dp_rng_system(void)
{
	dp_rng r = { system_fill, NULL };
	return r;
}

static void
test_fill(void *ctx, uint8_t *buf, size_t len)
{
	dp_test_rng *t = ctx;
	while (len > 0) {
		if (t->pos == sizeof t->buf) {
			uint8_t nonce[crypto_stream_chacha20_NONCEBYTES] = { 0 };
			for (int i = 0; i < 8; i++)
				nonce[i] = (uint8_t) (t->block >> (8 * i));
			crypto_stream_chacha20(t->buf, sizeof t->buf, nonce, t->key);
			t->block++;
			t->pos = 0;
		}
		size_t n = sizeof t->buf - t->pos < len ? sizeof t->buf - t->pos : len;
		memcpy(buf, t->buf + t->pos, n);
		t->pos += n, buf += n, len -= n;
	}
}

dp_rng
dp_test_rng_init(dp_test_rng *t, const uint8_t seed[32])
{
	memset(t, 0, sizeof *t);
	memcpy(t->key, seed, 32);
	t->pos = sizeof t->buf;
	dp_rng r = { test_fill, t };
	return r;
}

/* ---- exact Bernoulli trials --------------------------------------------- */

/* out = a uniform integer in [0, n), n > 0. */
static dp_status
uniform_below(const dp_rng *rng, const BIGNUM *n, BIGNUM *out)
{
	uint8_t buf[DP_MAX_BYTES];
	int bits = BN_num_bits(n);
	size_t nb = ((size_t) bits + 7) / 8;
	if (nb > sizeof buf)
		return DP_ERR_RANGE;
	uint8_t mask = (uint8_t) (0xff >> ((8 - bits % 8) % 8));
	for (;;) {
		rng->fill(rng->ctx, buf, nb);
		buf[0] &= mask;
		if (BN_bin2bn(buf, (int) nb, out) == NULL)
			return DP_ERR_NOMEM;
		if (BN_cmp(out, n) < 0)
			return DP_OK;
	}
}

/* Bernoulli(num / den), 0 <= num <= den. */
static dp_status
bern_rat(dp_sampler *s, const dp_rng *rng, const BIGNUM *num, const BIGNUM *den,
         int *out)
{
	dp_status st = uniform_below(rng, den, s->u);
	if (st != DP_OK)
		return st;
	*out = BN_cmp(s->u, num) < 0;
	return DP_OK;
}

/* Algorithm 1, gamma = num / den in [0, 1]: K = 1; while Bernoulli(gamma / K)
 * K++; return K odd (which has probability exp(-gamma)). */
static dp_status
bern_exp_le1(dp_sampler *s, const dp_rng *rng, const BIGNUM *num,
             const BIGNUM *den, int *out)
{
	BIGNUM *dk;
	uint64_t k = 1;
	int a = 1;
	dp_status st = DP_OK;
	BN_CTX_start(s->ctx);
	if ((dk = BN_CTX_get(s->ctx)) == NULL) {
		BN_CTX_end(s->ctx);
		return DP_ERR_NOMEM;
	}
	while (a) {
		if (BN_copy(dk, den) == NULL || !BN_mul_word(dk, (BN_ULONG) k)) {
			st = DP_ERR_NOMEM;
			break;
		}
		if ((st = bern_rat(s, rng, num, dk, &a)) != DP_OK)
			break;
		if (a)
			k++;
	}
	BN_CTX_end(s->ctx);
	*out = (int) (k & 1);
	return st;
}

/* Bernoulli(exp(-num / den)) for num / den >= 0: floor(gamma) trials of
 * Bernoulli(exp(-1)), then one of Bernoulli(exp(-(gamma - floor gamma))). */
static dp_status
bern_exp(dp_sampler *s, const dp_rng *rng, const BIGNUM *num, const BIGNUM *den,
         int *out)
{
	BIGNUM *g;
	dp_status st;
	int b;

	BN_CTX_start(s->ctx);
	g = BN_CTX_get(s->ctx);
	if (g == NULL || BN_copy(g, num) == NULL) {
		BN_CTX_end(s->ctx);
		return DP_ERR_NOMEM;
	}
	while (BN_cmp(g, den) > 0) {
		if ((st = bern_exp_le1(s, rng, s->one, s->one, &b)) != DP_OK || !b) {
			*out = 0;
			BN_CTX_end(s->ctx);
			return st;
		}
		if (!BN_sub(g, g, den)) {
			BN_CTX_end(s->ctx);
			return DP_ERR_NOMEM;
		}
	}
	st = bern_exp_le1(s, rng, g, den, out);
	BN_CTX_end(s->ctx);
	return st;
}

dp_status
dp_bernoulli_exp(const dp_rng *rng, uint64_t num, uint64_t den, int *out)
{
	dp_sampler *s;
	dp_status st;
	BIGNUM *n, *d;

	if (den == 0)
		return DP_ERR_PARAM;
	if ((st = dp_sampler_laplace(&s, 1.0)) != DP_OK)
		return st;
	n = BN_new();
	d = BN_new();
	if (n == NULL || d == NULL || !BN_set_word(n, num) || !BN_set_word(d, den))
		st = DP_ERR_NOMEM;
	else
		st = bern_exp(s, rng, n, d, out);
	BN_free(n);
	BN_free(d);
	dp_sampler_free(s);
	return st;
}

/* ---- the distributions -------------------------------------------------- */

/* Algorithm 2: discrete Laplace of scale t / sc (integers). *neg, y = |Y|. */
static dp_status
laplace(dp_sampler *s, const dp_rng *rng, const BIGNUM *t, const BIGNUM *sc,
        int *neg, BIGNUM *y)
{
	dp_status st;
	int d, a;
	uint8_t bit;

	for (;;) {
		/* U uniform in [0, t), kept with probability exp(-U / t) */
		if ((st = uniform_below(rng, t, s->v)) != DP_OK)
			return st;
		if ((st = bern_exp(s, rng, s->v, t, &d)) != DP_OK)
			return st;
		if (!d)
			continue;
		/* V ~ Geometric(1 - exp(-1)) */
		BN_zero(s->k);
		for (;;) {
			if ((st = bern_exp_le1(s, rng, s->one, s->one, &a)) != DP_OK)
				return st;
			if (!a)
				break;
			if (!BN_add_word(s->k, 1))
				return DP_ERR_NOMEM;
		}
		/* X = U + t V; Y = floor(X / sc) */
		if (!BN_mul(s->x, t, s->k, s->ctx) || !BN_add(s->x, s->x, s->v) ||
		    !BN_div(y, NULL, s->x, sc, s->ctx))
			return DP_ERR_NOMEM;
		rng->fill(rng->ctx, &bit, 1);
		bit &= 1;
		if (bit && BN_is_zero(y))
			continue;
		*neg = bit;
		return DP_OK;
	}
}

/* Algorithm 3: discrete Gaussian with sigma^2 = ga / gb, proposals from the
 * discrete Laplace of scale gt = floor(sigma) + 1, each accepted with
 * probability exp(-(|Y| - sigma^2 / gt)^2 / (2 sigma^2))
 *           = exp(-(|Y| gb gt - ga)^2 / (2 ga gb gt^2)). */
static dp_status
gaussian(dp_sampler *s, const dp_rng *rng, int *neg, BIGNUM *y)
{
	dp_status st;
	int c;

	for (;;) {
		if ((st = laplace(s, rng, s->gt, s->one, neg, y)) != DP_OK)
			return st;
		if (!BN_mul(s->num, y, s->gb, s->ctx) || !BN_mul(s->num, s->num, s->gt, s->ctx) ||
		    !BN_sub(s->num, s->num, s->ga) || !BN_sqr(s->num, s->num, s->ctx))
			return DP_ERR_NOMEM;
		if (!BN_mul(s->den, s->ga, s->gb, s->ctx) || !BN_mul(s->den, s->den, s->gt, s->ctx) ||
		    !BN_mul(s->den, s->den, s->gt, s->ctx) || !BN_lshift1(s->den, s->den))
			return DP_ERR_NOMEM;
		if ((st = bern_exp(s, rng, s->num, s->den, &c)) != DP_OK)
			return st;
		if (c)
			return DP_OK;
	}
}

dp_status
dp_sample(dp_sampler *s, const dp_rng *rng, int *neg, unsigned __int128 *mag)
{
	uint8_t b[16];
	dp_status st;

	if (s == NULL || rng == NULL || neg == NULL || mag == NULL)
		return DP_ERR_PARAM;
	st = s->kind == KIND_LAPLACE ? laplace(s, rng, s->lt, s->ls, neg, s->y) : gaussian(s, rng, neg, s->y);
	if (st != DP_OK)
		return st;
	if (BN_num_bits(s->y) > 127)
		return DP_ERR_RANGE;
	if (BN_bn2binpad(s->y, b, sizeof b) != (int) sizeof b)
		return DP_ERR_NOMEM;
	*mag = 0;
	for (size_t i = 0; i < sizeof b; i++)
		*mag = (*mag << 8) | b[i];
	return DP_OK;
}

/* ---- setup -------------------------------------------------------------- */

/* x = m * 2^e exactly (x > 0 finite): m as a BIGNUM (odd or any), e. */
static int
split_double(double x, BIGNUM *m, int *e)
{
	int ex;
	double f = frexp(x, &ex);            /* x = f 2^ex, f in [0.5, 1) */
	uint64_t mi = (uint64_t) ldexp(f, 53); /* exact: 53 significant bits */
	*e = ex - 53;
	return BN_set_word(m, mi);
}

void
dp_sampler_free(dp_sampler *s)
{
	if (s == NULL)
		return;
	BN_free(s->lt), BN_free(s->ls), BN_free(s->ga), BN_free(s->gb), BN_free(s->gt);
	BN_free(s->u), BN_free(s->v), BN_free(s->x), BN_free(s->y);
	BN_free(s->num), BN_free(s->den), BN_free(s->k), BN_free(s->one);
	BN_CTX_free(s->ctx);
	free(s);
}

static dp_sampler *
sampler_new(int kind)
{
	dp_sampler *s = calloc(1, sizeof *s);
	if (s == NULL)
		return NULL;
	s->kind = kind;
	s->ctx = BN_CTX_new();
	s->lt = BN_new(), s->ls = BN_new(), s->ga = BN_new(), s->gb = BN_new(), s->gt = BN_new();
	s->u = BN_new(), s->v = BN_new(), s->x = BN_new(), s->y = BN_new();
	s->num = BN_new(), s->den = BN_new(), s->k = BN_new(), s->one = BN_new();
	if (!s->ctx || !s->lt || !s->ls || !s->ga || !s->gb || !s->gt || !s->u || !s->v || !s->x ||
	    !s->y || !s->num || !s->den || !s->k || !s->one || !BN_one(s->one)) {
		dp_sampler_free(s);
		return NULL;
	}
	return s;
}

dp_status
dp_sampler_laplace(dp_sampler **out, double scale)
{
	int e;
	*out = NULL;
	if (!isfinite(scale) || !(scale > 0.0))
		return DP_ERR_PARAM;
	dp_sampler *s = sampler_new(KIND_LAPLACE);
	if (s == NULL)
		return DP_ERR_NOMEM;
	/* scale = m 2^e = lt / ls */
	if (!split_double(scale, s->lt, &e) || !BN_one(s->ls) ||
	    !(e >= 0 ? BN_lshift(s->lt, s->lt, e) : BN_lshift(s->ls, s->ls, -e))) {
		dp_sampler_free(s);
		return DP_ERR_NOMEM;
	}
	*out = s;
	return DP_OK;
}

dp_status
dp_sampler_gaussian(dp_sampler **out, double sigma)
{
	int e;
	*out = NULL;
	if (!isfinite(sigma) || !(sigma > 0.0))
		return DP_ERR_PARAM;
	dp_sampler *s = sampler_new(KIND_GAUSSIAN);
	if (s == NULL)
		return DP_ERR_NOMEM;
	/* sigma = m 2^e: sigma^2 = m^2 2^(2e) = ga / gb; gt = floor(m 2^e) + 1 */
	int ok = split_double(sigma, s->gt, &e) && BN_sqr(s->ga, s->gt, s->ctx) && BN_one(s->gb);
	if (ok && e >= 0)
		ok = BN_lshift(s->ga, s->ga, 2 * e) && BN_lshift(s->gt, s->gt, e);
	else if (ok)
		ok = BN_lshift(s->gb, s->gb, -2 * e) && BN_rshift(s->gt, s->gt, -e);
	if (!ok || !BN_add_word(s->gt, 1)) {
		dp_sampler_free(s);
		return DP_ERR_NOMEM;
	}
	*out = s;
	return DP_OK;
}
