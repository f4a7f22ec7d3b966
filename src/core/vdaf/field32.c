/*
 * field32.c: Field32, p = 4293918721 = 4095 * 2^20 + 1 (PINE POC; the same
 * field as libprio-rs FieldPrio2). Generator 3925978153 of order 2^20.
 *
 * Elements are stored canonically in w[0]. Products (< 2^64) are reduced
 * with 2^32 = 2^20 - 1 (mod p) by three branch-free folds and one masked
 * subtraction; no division instruction is used.
 */
#include "vdaf/field.h"

#define F32_P 4293918721ULL
#define F32_GEN 3925978153ULL

/* x mod p for any 64-bit x. */
static inline uint64_t
f32_reduce64(uint64_t x)
{
	/* fold hi * 2^32 -> hi * (2^20 - 1); bounds: < 2^52+2^32, < 2^32+2^41, < 2^32+2^30 */
	x = (x & 0xffffffffULL) + (x >> 32) * ((1ULL << 20) - 1);
	x = (x & 0xffffffffULL) + (x >> 32) * ((1ULL << 20) - 1);
	x = (x & 0xffffffffULL) + (x >> 32) * ((1ULL << 20) - 1);
	/* now x < 2p */
	uint64_t y = x - F32_P;
	uint64_t lt = 0 - (y >> 63); /* x < p */
	return (x & lt) | (y & ~lt);
}

static inline vdaf_elem
mk(uint64_t v)
{
	vdaf_elem e = { { v, 0 } };
	return e;
}

static inline uint64_t
f32_add_raw(uint64_t a, uint64_t b)
{
	uint64_t s = a + b, y = s - F32_P;
	uint64_t lt = 0 - (y >> 63);
	return (s & lt) | (y & ~lt);
}

static inline uint64_t
f32_sub_raw(uint64_t a, uint64_t b)
{
	uint64_t d = a - b;
	return d + (F32_P & (0 - (d >> 63)));
}

static inline vdaf_elem fe_add(vdaf_elem a, vdaf_elem b) { return mk(f32_add_raw(a.w[0], b.w[0])); }
static inline vdaf_elem fe_sub(vdaf_elem a, vdaf_elem b) { return mk(f32_sub_raw(a.w[0], b.w[0])); }
static inline vdaf_elem fe_neg(vdaf_elem a) { return mk(f32_sub_raw(0, a.w[0])); }
static inline vdaf_elem fe_mul(vdaf_elem a, vdaf_elem b) { return mk(f32_reduce64(a.w[0] * b.w[0])); }
static inline vdaf_elem fe_one(void) { return mk(1); }
static inline vdaf_elem fe_from_canon(uint64_t lo, uint64_t hi) { (void) hi; return mk(lo); }
static inline void fe_to_canon(vdaf_elem a, uint64_t out[2]) { out[0] = a.w[0]; out[1] = 0; }

#define FE_ENCODED_SIZE 4
#define FE_P_LO F32_P
#define FE_P_HI 0
#define FE_HAVE_VEC_INNER
#define FE_HAVE_VEC_SUM
#define FE_HAVE_VEC_PAIR_PRODUCTS

/* Sums of reduced terms (< 2^32) in 64 bits; fold every 2^31 terms. */
#define F32_BATCH ((size_t) 1 << 31)

static inline vdaf_elem
fe_vec_inner(const vdaf_elem *a, const vdaf_elem *b, size_t n)
{
	uint64_t acc = 0;
	for (size_t i = 0; i < n; i++) {
		acc += f32_reduce64(a[i].w[0] * b[i].w[0]);
		if ((i + 1) % F32_BATCH == 0)
			acc = f32_reduce64(acc);
	}
	return mk(f32_reduce64(acc));
}

static inline vdaf_elem
fe_vec_pair_products(const vdaf_elem *a, size_t n_pairs)
{
	uint64_t acc = 0;
	for (size_t i = 0; i < n_pairs; i++) {
		acc += f32_reduce64(a[2 * i].w[0] * a[2 * i + 1].w[0]);
		if ((i + 1) % F32_BATCH == 0)
			acc = f32_reduce64(acc);
	}
	return mk(f32_reduce64(acc));
}

static inline vdaf_elem
fe_vec_sum(const vdaf_elem *a, size_t n)
{
	uint64_t acc = 0;
	for (size_t i = 0; i < n; i++) {
		acc += a[i].w[0];
		if ((i + 1) % F32_BATCH == 0)
			acc = f32_reduce64(acc);
	}
	return mk(f32_reduce64(acc));
}

#include "vdaf/field_vec_impl.h"

static vdaf_elem
f32_from_u64(uint64_t v)
{
	return mk(f32_reduce64(v));
}

static vdaf_elem
f32_from_u128(uint64_t lo, uint64_t hi)
{
	/* hi * 2^64 + lo; 2^64 mod p = (2^20 - 1)^2 mod p */
	uint64_t two64 = f32_reduce64(((1ULL << 20) - 1) * ((1ULL << 20) - 1));
	return mk(f32_add_raw(f32_reduce64(lo), f32_reduce64(f32_reduce64(hi) * two64)));
}

static void
f32_to_u128(vdaf_elem a, uint64_t out[2])
{
	fe_to_canon(a, out);
}

static int
f32_root_of_unity(unsigned k, vdaf_elem *out)
{
	if (k > 20 || out == NULL)
		return VDAF_ERR_INVALID;
	uint64_t w = F32_GEN;
	for (unsigned i = k; i < 20; i++)
		w = f32_reduce64(w * w);
	*out = mk(w);
	return VDAF_OK;
}

const vdaf_field vdaf_field32 = {
	.name = "Field32",
	.id = VDAF_FIELD32,
	.encoded_size = 4,
	.modulus = { F32_P, 0 },
	.two_adicity = 20,
	.modulus_bits = 32,
	.from_u64 = f32_from_u64,
	.from_u128 = f32_from_u128,
	.to_u128 = f32_to_u128,
	.root_of_unity = f32_root_of_unity,
	FE_GENERIC_OPS,
};
