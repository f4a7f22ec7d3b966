/*
 * field128.c: Field128, p = 2^66 * 4611686018427387897 + 1
 *           = 0xffffffffffffffe4_0000000000000001 (VDAF-11 §6.1.3).
 *
 * Elements are kept in Montgomery form a*R mod p with R = 2^128, as two
 * 64-bit limbs, always fully reduced (so equal values have equal bytes, and
 * zero is all-zero). Because p = 1 (mod 2^64), -p^-1 = -1 (mod 2^64) and each
 * REDC step multiplier is simply m = -t_i. All operations are branch-free.
 */
#include "vdaf/field.h"

__extension__ typedef unsigned __int128 vdaf_u128;

#define F128_P1 0xffffffffffffffe4ULL /* p = F128_P1 * 2^64 + 1 */
#define F128_P ((((vdaf_u128) F128_P1) << 64) | 1u)
/* R mod p and R^2 mod p, R = 2^128 */
#define F128_R_LO 0xffffffffffffffffULL
#define F128_R_HI 0x1bULL
#define F128_R2_LO 0xfffffffffffffcf1ULL
#define F128_R2_HI 0x5587ULL
/* generator 7^4611686018427387897 of order 2^66, canonical */
#define F128_GEN_LO 0x1f9b2759c5109f06ULL
#define F128_GEN_HI 0x6d278fbf4f60228bULL

static inline vdaf_u128
u(vdaf_elem a)
{
	return ((vdaf_u128) a.w[1] << 64) | a.w[0];
}

static inline vdaf_elem
mk(vdaf_u128 x)
{
	vdaf_elem e = { { (uint64_t) x, (uint64_t) (x >> 64) } };
	return e;
}

/* x - p if (carry || x >= p) else x, for a value carry*2^128 + x < 2p. */
static inline vdaf_u128
f128_csub(vdaf_u128 x, uint64_t carry)
{
	vdaf_u128 y = x - F128_P;
	uint64_t borrow = (uint64_t) (x < F128_P);
	uint64_t use = carry | (borrow ^ 1u);
	vdaf_u128 m = (vdaf_u128) 0 - use;
	return (y & m) | (x & ~m);
}

static inline vdaf_elem
fe_add(vdaf_elem a, vdaf_elem b)
{
	vdaf_u128 x = u(a), s = x + u(b);
	return mk(f128_csub(s, (uint64_t) (s < x)));
}

static inline vdaf_elem
fe_sub(vdaf_elem a, vdaf_elem b)
{
	vdaf_u128 x = u(a), y = u(b), d = x - y;
	vdaf_u128 m = (vdaf_u128) 0 - (vdaf_u128) (x < y);
	return mk(d + (F128_P & m));
}

static inline vdaf_elem
fe_neg(vdaf_elem a)
{
	return fe_sub(vdaf_elem_zero(), a);
}

/* Montgomery product a*b/R mod p. */
static inline vdaf_elem
fe_mul(vdaf_elem a, vdaf_elem b)
{
	uint64_t a0 = a.w[0], a1 = a.w[1], b0 = b.w[0], b1 = b.w[1];
	vdaf_u128 x00 = (vdaf_u128) a0 * b0, x01 = (vdaf_u128) a0 * b1;
	vdaf_u128 x10 = (vdaf_u128) a1 * b0, x11 = (vdaf_u128) a1 * b1;
	vdaf_u128 acc;
	uint64_t t0, t1, t2, t3, t4, m;

	t0 = (uint64_t) x00;
	acc = (x00 >> 64) + (uint64_t) x01 + (uint64_t) x10;
	t1 = (uint64_t) acc;
	acc = (acc >> 64) + (x01 >> 64) + (x10 >> 64) + (uint64_t) x11;
	t2 = (uint64_t) acc;
	acc = (acc >> 64) + (x11 >> 64);
	t3 = (uint64_t) acc; /* a*b < 2^256: nothing above t3 */

	/* REDC step 0: t += m*p with m = -t0, so the low limb vanishes */
	m = 0 - t0;
	acc = (vdaf_u128) t0 + m;
	acc = (acc >> 64) + t1 + (vdaf_u128) m * F128_P1;
	t1 = (uint64_t) acc;
	acc = (acc >> 64) + t2;
	t2 = (uint64_t) acc;
	acc = (acc >> 64) + t3;
	t3 = (uint64_t) acc;
	t4 = (uint64_t) (acc >> 64);

	/* REDC step 1 */
	m = 0 - t1;
	acc = (vdaf_u128) t1 + m;
	acc = (acc >> 64) + t2 + (vdaf_u128) m * F128_P1;
	t2 = (uint64_t) acc;
	acc = (acc >> 64) + t3;
	t3 = (uint64_t) acc;
	t4 += (uint64_t) (acc >> 64);

	/* result t4*2^128 + (t3, t2) < 2p */
	return mk(f128_csub(((vdaf_u128) t3 << 64) | t2, t4));
}

static inline vdaf_elem
fe_one(void)
{
	vdaf_elem e = { { F128_R_LO, F128_R_HI } };
	return e;
}

/* canonical (< p) -> Montgomery */
static inline vdaf_elem
fe_from_canon(uint64_t lo, uint64_t hi)
{
	vdaf_elem x = { { lo, hi } }, r2 = { { F128_R2_LO, F128_R2_HI } };
	return fe_mul(x, r2);
}

static inline void
fe_to_canon(vdaf_elem a, uint64_t out[2])
{
	vdaf_elem one = { { 1, 0 } };
	vdaf_elem c = fe_mul(a, one);
	out[0] = c.w[0];
	out[1] = c.w[1];
}

#define FE_ENCODED_SIZE 16
#define FE_P_LO 1ULL
#define FE_P_HI F128_P1

#include "vdaf/field_vec_impl.h"

static vdaf_elem
f128_from_u64(uint64_t v)
{
	return fe_from_canon(v, 0);
}

static vdaf_elem
f128_from_u128(uint64_t lo, uint64_t hi)
{
	vdaf_u128 x = f128_csub(((vdaf_u128) hi << 64) | lo, 0); /* any x < 2^128 < 2p */
	return fe_from_canon((uint64_t) x, (uint64_t) (x >> 64));
}

static void
f128_to_u128(vdaf_elem a, uint64_t out[2])
{
	fe_to_canon(a, out);
}

static int
f128_root_of_unity(unsigned k, vdaf_elem *out)
{
	if (k > 66 || out == NULL)
		return VDAF_ERR_INVALID;
	vdaf_elem w = fe_from_canon(F128_GEN_LO, F128_GEN_HI);
	for (unsigned i = k; i < 66; i++)
		w = fe_mul(w, w);
	*out = w;
	return VDAF_OK;
}

const vdaf_field vdaf_field128 = {
	.name = "Field128",
	.id = VDAF_FIELD128,
	.encoded_size = 16,
	.modulus = { 1, F128_P1 },
	.two_adicity = 66,
	.modulus_bits = 128,
	.from_u64 = f128_from_u64,
	.from_u128 = f128_from_u128,
	.to_u128 = f128_to_u128,
	.root_of_unity = f128_root_of_unity,
	FE_GENERIC_OPS,
};
