/*
 * field40.c: Field40, p = 2^20 * 1048555 + 1 = 1099489607681 = 0xfffeb00001
 * (draft-chen-cfrg-vdaf-pine-02, variant Pine40HmacSha256Aes128). Encoded
 * in 5 bytes, little-endian. Generator 7^1048555 of order 2^20.
 *
 * Elements are stored canonically in w[0] (below 2^40). Since
 * 1048555 = 2^20 - 21, 2^40 = 21 * 2^20 - 1 (mod p): a value is reduced by
 * folding its bits above 2^40 back with that constant, branch-free, then
 * one masked subtraction. No division instruction is used.
 */
#include "vdaf/field.h"

__extension__ typedef unsigned __int128 vdaf_u128;

#define F40_P 0xfffeb00001ULL
#define F40_GEN 0x5c31f2ed75ULL /* 7^1048555 mod p = 395974995317, order 2^20 */
#define F40_TWO_ADICITY 20
#define F40_ENCODED_SIZE 5
#define F40_LOW_MASK ((1ULL << 40) - 1)
#define F40_TWO40_MOD_P ((21ULL << 20) - 1) /* 2^40 mod p */
/* Terms below 2^80 summed in 128 bits: fold every 2^47 terms. */
#define F40_BATCH ((size_t) 1 << 47)

/* hi * 2^40 + lo -> lo + hi * (2^40 mod p): shrinks x by about 15.6 bits. */
static inline vdaf_u128
f40_fold(vdaf_u128 x)
{
	return (x & F40_LOW_MASK) + (x >> 40) * F40_TWO40_MOD_P;
}

/* x mod p for x < 2p. */
static inline uint64_t
f40_canon(uint64_t x)
{
	uint64_t y = x - F40_P;
	uint64_t lt = 0 - (y >> 63); /* x < p */
	return (x & lt) | (y & ~lt);
}

/* x mod p for x < 2^82 (a product of two elements is below 2^80): after
 * three folds x < 2^40 + 2^36 < 2p (bounds: < 2^67, < 2^52, < 2^40 + 2^36). */
static inline uint64_t
f40_reduce80(vdaf_u128 x)
{
	return f40_canon((uint64_t) f40_fold(f40_fold(f40_fold(x))));
}

/* x mod p for any 128-bit x: three folds bring it below 2^82 (bounds:
 * < 2^113, < 2^98, < 2^82), then as above. */
static inline uint64_t
f40_reduce128(vdaf_u128 x)
{
	return f40_reduce80(f40_fold(f40_fold(f40_fold(x))));
}

static inline vdaf_elem
mk(uint64_t v)
{
	vdaf_elem e = { { v, 0 } };
	return e;
}

static inline uint64_t
f40_add_raw(uint64_t a, uint64_t b)
{
	return f40_canon(a + b);
}

static inline uint64_t
f40_sub_raw(uint64_t a, uint64_t b)
{
	uint64_t d = a - b;
	return d + (F40_P & (0 - (d >> 63)));
}

static inline vdaf_elem fe_add(vdaf_elem a, vdaf_elem b) { return mk(f40_add_raw(a.w[0], b.w[0])); }
static inline vdaf_elem fe_sub(vdaf_elem a, vdaf_elem b) { return mk(f40_sub_raw(a.w[0], b.w[0])); }
static inline vdaf_elem fe_neg(vdaf_elem a) { return mk(f40_sub_raw(0, a.w[0])); }
static inline vdaf_elem fe_mul(vdaf_elem a, vdaf_elem b) { return mk(f40_reduce80((vdaf_u128) a.w[0] * b.w[0])); }
static inline vdaf_elem fe_one(void) { return mk(1); }
static inline vdaf_elem fe_from_canon(uint64_t lo, uint64_t hi) { (void) hi; return mk(lo); }
static inline void fe_to_canon(vdaf_elem a, uint64_t out[2]) { out[0] = a.w[0]; out[1] = 0; }

#define FE_ENCODED_SIZE F40_ENCODED_SIZE
#define FE_P_LO F40_P
#define FE_P_HI 0
#define FE_HAVE_VEC_INNER
#define FE_HAVE_VEC_SUM
#define FE_HAVE_VEC_PAIR_PRODUCTS

static inline vdaf_elem
fe_vec_inner(const vdaf_elem *a, const vdaf_elem *b, size_t n)
{
	vdaf_u128 acc = 0;
	for (size_t i = 0; i < n; i++) {
		acc += (vdaf_u128) a[i].w[0] * b[i].w[0];
		if ((i + 1) % F40_BATCH == 0)
			acc = f40_reduce128(acc);
	}
	return mk(f40_reduce128(acc));
}

static inline vdaf_elem
fe_vec_pair_products(const vdaf_elem *a, size_t n_pairs)
{
	vdaf_u128 acc = 0;
	for (size_t i = 0; i < n_pairs; i++) {
		acc += (vdaf_u128) a[2 * i].w[0] * a[2 * i + 1].w[0];
		if ((i + 1) % F40_BATCH == 0)
			acc = f40_reduce128(acc);
	}
	return mk(f40_reduce128(acc));
}

static inline vdaf_elem
fe_vec_sum(const vdaf_elem *a, size_t n)
{
	vdaf_u128 acc = 0; /* n < 2^64 terms below 2^40: no overflow */
	for (size_t i = 0; i < n; i++)
		acc += a[i].w[0];
	return mk(f40_reduce128(acc));
}

#include "vdaf/field_vec_impl.h"

static vdaf_elem
f40_from_u64(uint64_t v)
{
	return mk(f40_reduce128(v));
}

static vdaf_elem
f40_from_u128(uint64_t lo, uint64_t hi)
{
	return mk(f40_reduce128(((vdaf_u128) hi << 64) | lo));
}

static void
f40_to_u128(vdaf_elem a, uint64_t out[2])
{
	fe_to_canon(a, out);
}

static int
f40_root_of_unity(unsigned k, vdaf_elem *out)
{
	if (k > F40_TWO_ADICITY || out == NULL)
		return VDAF_ERR_INVALID;
	uint64_t w = F40_GEN;
	for (unsigned i = k; i < F40_TWO_ADICITY; i++)
		w = f40_reduce80((vdaf_u128) w * w);
	*out = mk(w);
	return VDAF_OK;
}

const vdaf_field vdaf_field40 = {
	.name = "Field40",
	.id = VDAF_FIELD40,
	.encoded_size = F40_ENCODED_SIZE,
	.modulus = { F40_P, 0 },
	.two_adicity = F40_TWO_ADICITY,
	.modulus_bits = 40,
	.from_u64 = f40_from_u64,
	.from_u128 = f40_from_u128,
	.to_u128 = f40_to_u128,
	.root_of_unity = f40_root_of_unity,
	FE_GENERIC_OPS,
};
