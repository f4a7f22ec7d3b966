/*
 * field64.c: Field64, p = 2^64 - 2^32 + 1 ("Goldilocks"), VDAF-11 §6.1.3.
 *
 * Elements are stored canonically in w[0] (w[1] = 0). Reduction uses
 * 2^64 = 2^32 - 1 (mod p) and 2^96 = -1 (mod p). All arithmetic is
 * branch-free; carries and borrows become masks.
 *
 * Lazy sums: inner products and pair products accumulate the full 128-bit
 * products in a 128-bit accumulator plus a 64-bit overflow counter c, and
 * reduce once at the end using 2^128 = -2^32 (mod p).
 */
#include "vdaf/field.h"

__extension__ typedef unsigned __int128 vdaf_u128;

#define F64_P 0xffffffff00000001ULL
#define F64_EPS 0x00000000ffffffffULL /* 2^64 mod p */
#define F64_GEN 0x185629dcda58878cULL /* 7^(2^32-1), order 2^32 */

/* x mod p for any 64-bit x (x < 2p always holds). */
static inline uint64_t
f64_canon(uint64_t x)
{
	uint64_t y = x + F64_EPS;          /* = x - p mod 2^64 */
	uint64_t ge = 0 - (uint64_t) (y < F64_EPS); /* carry <=> x >= p */
	return (y & ge) | (x & ~ge);
}

static inline uint64_t
f64_add_raw(uint64_t a, uint64_t b)
{
	uint64_t s = a + b;
	uint64_t c = 0 - (uint64_t) (s < a);
	s += F64_EPS & c; /* 2^64 = eps; cannot overflow again for a, b < p */
	return f64_canon(s);
}

static inline uint64_t
f64_sub_raw(uint64_t a, uint64_t b)
{
	uint64_t d = a - b;
	uint64_t br = 0 - (uint64_t) (a < b);
	return d - (F64_EPS & br); /* a - b + 2^64 - eps = a - b + p */
}

/* (hi * 2^64 + lo) mod p */
static inline uint64_t
f64_reduce128(uint64_t lo, uint64_t hi)
{
	uint64_t hh = hi >> 32, hl = hi & F64_EPS;
	uint64_t t0 = lo - hh;                                /* lo - hh*2^96 -> lo - hh */
	t0 -= F64_EPS & (0 - (uint64_t) (lo < hh));
	uint64_t t1 = (hl << 32) - hl;                        /* hl * (2^32 - 1) */
	uint64_t r = t0 + t1;
	r += F64_EPS & (0 - (uint64_t) (r < t1));
	return f64_canon(r);
}

static inline uint64_t
f64_mul_raw(uint64_t a, uint64_t b)
{
	vdaf_u128 x = (vdaf_u128) a * b;
	return f64_reduce128((uint64_t) x, (uint64_t) (x >> 64));
}

/* Reduce an accumulator value c * 2^128 + s. */
static inline uint64_t
f64_reduce_acc(vdaf_u128 s, uint64_t c)
{
	uint64_t r = f64_reduce128((uint64_t) s, (uint64_t) (s >> 64));
	uint64_t cc = f64_reduce128(c << 32, c >> 32); /* c * 2^32 */
	return f64_sub_raw(r, cc);
}

static inline vdaf_elem
mk(uint64_t v)
{
	vdaf_elem e = { { v, 0 } };
	return e;
}

static inline vdaf_elem fe_add(vdaf_elem a, vdaf_elem b) { return mk(f64_add_raw(a.w[0], b.w[0])); }
static inline vdaf_elem fe_sub(vdaf_elem a, vdaf_elem b) { return mk(f64_sub_raw(a.w[0], b.w[0])); }
static inline vdaf_elem fe_neg(vdaf_elem a) { return mk(f64_sub_raw(0, a.w[0])); }
static inline vdaf_elem fe_mul(vdaf_elem a, vdaf_elem b) { return mk(f64_mul_raw(a.w[0], b.w[0])); }
static inline vdaf_elem fe_one(void) { return mk(1); }
static inline vdaf_elem fe_from_canon(uint64_t lo, uint64_t hi) { (void) hi; return mk(lo); }
static inline void fe_to_canon(vdaf_elem a, uint64_t out[2]) { out[0] = a.w[0]; out[1] = 0; }

#define FE_ENCODED_SIZE 8
#define FE_P_LO F64_P
#define FE_P_HI 0
#define FE_HAVE_VEC_INNER
#define FE_HAVE_VEC_SUM
#define FE_HAVE_VEC_PAIR_PRODUCTS

static inline vdaf_elem
fe_vec_inner(const vdaf_elem *a, const vdaf_elem *b, size_t n)
{
	vdaf_u128 s = 0;
	uint64_t c = 0;
	for (size_t i = 0; i < n; i++) {
		vdaf_u128 x = (vdaf_u128) a[i].w[0] * b[i].w[0];
		s += x;
		c += (uint64_t) (s < x);
	}
	return mk(f64_reduce_acc(s, c));
}

static inline vdaf_elem
fe_vec_pair_products(const vdaf_elem *a, size_t n_pairs)
{
	vdaf_u128 s = 0;
	uint64_t c = 0;
	for (size_t i = 0; i < n_pairs; i++) {
		vdaf_u128 x = (vdaf_u128) a[2 * i].w[0] * a[2 * i + 1].w[0];
		s += x;
		c += (uint64_t) (s < x);
	}
	return mk(f64_reduce_acc(s, c));
}

static inline vdaf_elem
fe_vec_sum(const vdaf_elem *a, size_t n)
{
	vdaf_u128 s = 0; /* n < 2^64 terms below 2^64: no overflow */
	for (size_t i = 0; i < n; i++)
		s += a[i].w[0];
	return mk(f64_reduce128((uint64_t) s, (uint64_t) (s >> 64)));
}

#include "vdaf/field_vec_impl.h"

static vdaf_elem
f64_from_u64(uint64_t v)
{
	return mk(f64_canon(v));
}

static vdaf_elem
f64_from_u128(uint64_t lo, uint64_t hi)
{
	return mk(f64_reduce128(lo, hi));
}

static void
f64_to_u128(vdaf_elem a, uint64_t out[2])
{
	fe_to_canon(a, out);
}

static int
f64_root_of_unity(unsigned k, vdaf_elem *out)
{
	if (k > 32 || out == NULL)
		return VDAF_ERR_INVALID;
	uint64_t w = F64_GEN;
	for (unsigned i = k; i < 32; i++)
		w = f64_mul_raw(w, w);
	*out = mk(w);
	return VDAF_OK;
}

const vdaf_field vdaf_field64 = {
	.name = "Field64",
	.id = VDAF_FIELD64,
	.encoded_size = 8,
	.modulus = { F64_P, 0 },
	.two_adicity = 32,
	.modulus_bits = 64,
	.from_u64 = f64_from_u64,
	.from_u128 = f64_from_u128,
	.to_u128 = f64_to_u128,
	.root_of_unity = f64_root_of_unity,
	FE_GENERIC_OPS,
};
