/* shamir.c: Shamir sharing over the ed25519 scalar field via libsodium. */
#include "secagg/shamir.h"

#include <string.h>
#include <openssl/bn.h>
#include <sodium.h>

#include "common/alloc.h"
#include "common/parallel.h"

/* L = 2^252 + 27742317777372353535851937790883648493, little-endian. */
static const uint8_t L_BYTES[32] = {
	0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
};

bool
sa_scalar_is_canonical(const uint8_t s[SA_SCALAR_LEN])
{
	/* Constant-time s < L: compute the borrow of s - L. */
	unsigned borrow = 0;
	for (int i = 0; i < 32; i++) {
		unsigned d = (unsigned) s[i] - (unsigned) L_BYTES[i] - borrow;
		borrow = (d >> 8) & 1;
	}
	return borrow == 1;
}

void
sa_scalar_from_u64(uint8_t s[SA_SCALAR_LEN], uint64_t v)
{
	memset(s, 0, SA_SCALAR_LEN);
	for (int i = 0; i < 8; i++) {
		s[i] = (uint8_t) v;
		v >>= 8;
	}
}

void
sa_scalar_random(uint8_t s[SA_SCALAR_LEN])
{
	crypto_core_ed25519_scalar_random(s);
}

typedef struct share_job {
	const uint8_t (*coef)[SA_SCALAR_LEN];
	size_t count;
	uint32_t t;
	const uint64_t *xs;
	uint8_t (*shares)[SA_SCALAR_LEN];
} share_job;

/* Evaluates every polynomial at points [from, to) (Horner's rule). */
static void
share_range(void *arg, unsigned k, size_t from, size_t to)
{
	share_job *j = arg;
	uint32_t t = j->t;
	uint8_t x[SA_SCALAR_LEN];
	for (size_t i = from; i < to; i++) {
		sa_scalar_from_u64(x, j->xs[i]);
		for (size_t c = 0; c < j->count; c++) {
			uint8_t *acc = j->shares[i * j->count + c];
			memcpy(acc, j->coef[c * t + t - 1], SA_SCALAR_LEN);
			for (int d = (int) t - 2; d >= 0; d--) {
				crypto_core_ed25519_scalar_mul(acc, acc, x);
				crypto_core_ed25519_scalar_add(acc, acc, j->coef[c * t + (size_t) d]);
			}
		}
	}
	(void) k;
}

sa_status
sa_shamir_share(const uint8_t (*secrets)[SA_SCALAR_LEN], size_t count, uint32_t t,
                const uint64_t *xs, size_t n, uint8_t (*shares)[SA_SCALAR_LEN])
{
	if (t < 1 || count < 1 || n < t)
		return SA_ERR_PARAM;
	/* coef[k * t + j] is coefficient j of secret k; coefficient 0 is the secret. */
	size_t ncoef = count * (size_t) t;
	uint8_t (*coef)[SA_SCALAR_LEN] = sa_alloc_array(ncoef, SA_SCALAR_LEN);
	if (coef == NULL)
		return SA_ERR_NOMEM;
	for (size_t k = 0; k < count; k++) {
		memcpy(coef[k * t], secrets[k], SA_SCALAR_LEN);
		for (uint32_t j = 1; j < t; j++)
			crypto_core_ed25519_scalar_random(coef[k * t + j]);
	}
	share_job job = { (const uint8_t (*)[SA_SCALAR_LEN]) coef, count, t, xs, shares };
	sa_parallel_for(n, sa_default_threads(), share_range, &job);
	sa_free_secret(coef, ncoef * SA_SCALAR_LEN);
	return SA_OK;
}

/*
 * A product of |x_k - x_j| kept as a 256-bit integer (four 64-bit limbs,
 * little-endian) while it stays below 2^250 < L, so that most factors cost
 * a 64-bit multiply instead of a scalar multiplication mod L: differences of
 * user ids are often small, and even full 64-bit ones fold three at a time.
 */
typedef struct int_product {
	uint64_t limb[4];
	unsigned bits;                  /* an upper bound on its bit length */
} int_product;

static void
int_product_reset(int_product *p)
{
	p->limb[0] = 1;
	p->limb[1] = p->limb[2] = p->limb[3] = 0;
	p->bits = 1;
}

static unsigned
bit_length(uint64_t d)
{
	return 64u - (unsigned) __builtin_clzll(d);
}

/* acc := acc * p (mod L), then p := 1. */
static void
int_product_flush(int_product *p, uint8_t acc[SA_SCALAR_LEN])
{
	uint8_t s[SA_SCALAR_LEN];
	for (int i = 0; i < 4; i++)
		for (int b = 0; b < 8; b++)
			s[8 * i + b] = (uint8_t) (p->limb[i] >> (8 * b));
	crypto_core_ed25519_scalar_mul(acc, acc, s);
	int_product_reset(p);
}

/* p := p * d, flushing into acc first if the product could reach 2^250. */
static void
int_product_mul(int_product *p, uint64_t d, uint8_t acc[SA_SCALAR_LEN])
{
	unsigned db = bit_length(d);
	if (p->bits + db > 250)
		int_product_flush(p, acc);
	unsigned __int128 carry = 0;
	for (int i = 0; i < 4; i++) {
		carry += (unsigned __int128) p->limb[i] * d;
		p->limb[i] = (uint64_t) carry;
		carry >>= 64;
	}
	p->bits += db;
}

/*
 * 1/a mod L for a PUBLIC scalar a, in variable time (OpenSSL's
 * BN_mod_inverse, about a tenth of libsodium's constant-time
 * crypto_core_ed25519_scalar_invert): the Lagrange denominators are
 * products of differences of user ids, which everyone knows, so their
 * timing gives nothing away. Never call it on a secret.
 */
static sa_status
public_scalar_invert(uint8_t out[SA_SCALAR_LEN], const uint8_t a[SA_SCALAR_LEN])
{
	sa_status st = SA_ERR_CRYPTO;
	BN_CTX *bc = BN_CTX_new();
	BIGNUM *x = BN_lebin2bn(a, SA_SCALAR_LEN, NULL), *l = BN_lebin2bn(L_BYTES, 32, NULL), *r = BN_new();
	if (bc != NULL && x != NULL && l != NULL && r != NULL && !BN_is_zero(x) &&
	    BN_mod_inverse(r, x, l, bc) != NULL && BN_bn2lebinpad(r, out, SA_SCALAR_LEN) == SA_SCALAR_LEN)
		st = SA_OK;
	BN_free(r);
	BN_free(l);
	BN_free(x);
	BN_CTX_free(bc);
	return st;
}

/*
 * Lagrange coefficients at zero: lambda_j = prod_{k != j} x_k / (x_k - x_j)
 * = P / (x_j * prod_{k != j} (x_k - x_j)) with P the product of all points.
 * The differences are taken as integers (their sign counted apart), their
 * products folded as above, and all t denominators inverted at once.
 */
sa_status
sa_lagrange_coeffs(const uint64_t *xs, size_t t, uint8_t (*lambda)[SA_SCALAR_LEN],
                   uint8_t (*den)[SA_SCALAR_LEN], uint8_t (*pre)[SA_SCALAR_LEN])
{
	if (t < 1)
		return SA_ERR_PARAM;
	uint8_t one[SA_SCALAR_LEN], all[SA_SCALAR_LEN], x[SA_SCALAR_LEN];
	sa_scalar_from_u64(one, 1);
	memcpy(all, one, SA_SCALAR_LEN);
	for (size_t j = 0; j < t; j++) {
		if (xs[j] == 0)
			return SA_ERR_PARAM;
		sa_scalar_from_u64(x, xs[j]);
		crypto_core_ed25519_scalar_mul(all, all, x);
	}
	int_product p;
	for (size_t j = 0; j < t; j++) {
		int_product_reset(&p);
		memcpy(den[j], one, SA_SCALAR_LEN);
		int_product_mul(&p, xs[j], den[j]);
		size_t below = 0;               /* points below x_j: negative differences */
		for (size_t k = 0; k < t; k++) {
			if (k == j)
				continue;
			if (xs[k] == xs[j])
				return SA_ERR_DUPLICATE;
			below += xs[k] < xs[j];
			int_product_mul(&p, xs[k] > xs[j] ? xs[k] - xs[j] : xs[j] - xs[k], den[j]);
		}
		int_product_flush(&p, den[j]);
		if (below % 2)
			crypto_core_ed25519_scalar_negate(den[j], den[j]);
	}
	/* Batch inversion of all denominators with one inversion. */
	uint8_t acc[SA_SCALAR_LEN], inv[SA_SCALAR_LEN], tmp[SA_SCALAR_LEN];
	memcpy(acc, one, SA_SCALAR_LEN);
	for (size_t j = 0; j < t; j++) {
		memcpy(pre[j], acc, SA_SCALAR_LEN);
		crypto_core_ed25519_scalar_mul(acc, acc, den[j]);
	}
	if (public_scalar_invert(inv, acc) != SA_OK)
		return SA_ERR_CRYPTO;
	for (size_t j = t; j-- > 0;) {
		crypto_core_ed25519_scalar_mul(tmp, inv, pre[j]);   /* 1/den[j] */
		crypto_core_ed25519_scalar_mul(inv, inv, den[j]);
		crypto_core_ed25519_scalar_mul(lambda[j], all, tmp);
	}
	return SA_OK;
}

sa_status
sa_lagrange_init(sa_lagrange *lg, const uint64_t *xs, size_t t)
{
	lg->t = 0;
	lg->lambda = NULL;
	if (t < 1)
		return SA_ERR_PARAM;
	uint8_t (*num)[SA_SCALAR_LEN] = sa_alloc_array(t, SA_SCALAR_LEN);
	uint8_t (*den)[SA_SCALAR_LEN] = sa_alloc_array(t, SA_SCALAR_LEN);
	uint8_t (*pre)[SA_SCALAR_LEN] = sa_alloc_array(t, SA_SCALAR_LEN);
	sa_status st = (num == NULL || den == NULL || pre == NULL) ? SA_ERR_NOMEM
	               : sa_lagrange_coeffs(xs, t, num, den, pre);
	sa_free(den);
	sa_free(pre);
	if (st != SA_OK) {
		sa_free(num);
		return st;
	}
	lg->t = t;
	lg->lambda = num;
	return SA_OK;
}

void
sa_lagrange_free(sa_lagrange *lg)
{
	sa_free(lg->lambda);
	lg->lambda = NULL;
	lg->t = 0;
}

void
sa_lagrange_combine(const sa_lagrange *lg, const uint8_t *const *shares, uint8_t out[SA_SCALAR_LEN])
{
	uint8_t term[SA_SCALAR_LEN];
	memset(out, 0, SA_SCALAR_LEN);
	for (size_t j = 0; j < lg->t; j++) {
		crypto_core_ed25519_scalar_mul(term, lg->lambda[j], shares[j]);
		crypto_core_ed25519_scalar_add(out, out, term);
	}
	sodium_memzero(term, sizeof term);
}
