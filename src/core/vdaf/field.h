/*
 * field.h: the prime fields of VDAF-11 / PINE-01 / PINE-02 behind one descriptor.
 *
 *   vdaf_field64   p = 2^64 - 2^32 + 1             encoded 8 bytes,  2-adicity 32
 *   vdaf_field128  p = 2^66 * 4611686018427387897 + 1 encoded 16 bytes, 2-adicity 66
 *   vdaf_field32   p = 4293918721 = 4095 * 2^20 + 1  encoded 4 bytes,  2-adicity 20
 *   vdaf_field40   p = 1099489607681 = 1048555 * 2^20 + 1 encoded 5 bytes, 2-adicity 20
 *
 * Every element of every field is held in a vdaf_elem (two 64-bit limbs).
 * The in-memory REPRESENTATION IS PRIVATE TO THE FIELD (Field128 keeps
 * Montgomery form, Field64/Field32/Field40 keep the canonical value in w[0]); use
 * the descriptor to create, convert, compare and encode elements. Two
 * properties are guaranteed and may be relied on:
 *   - every element is stored fully reduced, so equal values have identical
 *     bytes: vdaf_elem_eq() and memcmp() compare values;
 *   - the all-zero vdaf_elem is the field's zero (so calloc/memset give
 *     zero vectors, and (a AND all-ones mask) / (a AND 0) are a / zero).
 *
 * Arithmetic is constant time in the element values (no secret-dependent
 * branches or memory access). decode_vec and sample_vec are variable time
 * only in WHETHER an input is rejected, which is public.
 *
 * Hot loops: prefer the vec_* operations, which run their loops inside the
 * field file without per-element indirect calls.
 *
 * Typical use:
 *   const vdaf_field *f = &vdaf_field64;
 *   vdaf_elem sinv = f->inv(f->from_u64(num_shares));
 *   f->vec_add(acc, share, n);                   // acc += share
 *   if (f->decode_vec(v, n, bytes, len) != VDAF_OK) reject();
 */
#ifndef SECAGG_VDAF_FIELD_H
#define SECAGG_VDAF_FIELD_H

#include <stddef.h>
#include <stdint.h>

#include "vdaf/status.h"

/* One element of any supported field (opaque representation, see above). */
typedef struct {
	uint64_t w[2];
} vdaf_elem;

typedef enum {
	VDAF_FIELD64 = 1,
	VDAF_FIELD128 = 2,
	VDAF_FIELD32 = 3,
	VDAF_FIELD40 = 4
} vdaf_field_id;

/* Largest ENCODED_SIZE of any supported field. */
#define VDAF_FIELD_MAX_ENCODED 16

typedef struct vdaf_field vdaf_field;

struct vdaf_field {
	const char *name;          /* "Field64", "Field128", "Field32", "Field40" (as in vectors) */
	vdaf_field_id id;
	size_t encoded_size;       /* ENCODED_SIZE in bytes */
	uint64_t modulus[2];       /* p as a little-endian pair of limbs */
	unsigned two_adicity;      /* GEN_ORDER = 2^two_adicity */
	unsigned modulus_bits;     /* bit length of p (64, 128, 32, 40) */

	/* ---- scalars ---------------------------------------------------- */
	vdaf_elem (*add)(vdaf_elem a, vdaf_elem b);
	vdaf_elem (*sub)(vdaf_elem a, vdaf_elem b);
	vdaf_elem (*neg)(vdaf_elem a);
	vdaf_elem (*mul)(vdaf_elem a, vdaf_elem b);
	/* a^(p-2); inv(0) = 0. */
	vdaf_elem (*inv)(vdaf_elem a);
	/* a^e for a public exponent e. */
	vdaf_elem (*pow)(vdaf_elem a, uint64_t e);
	/* The integer v reduced mod p. */
	vdaf_elem (*from_u64)(uint64_t v);
	/* The 128-bit integer hi*2^64 + lo reduced mod p. */
	vdaf_elem (*from_u128)(uint64_t lo, uint64_t hi);
	/* The canonical integer value in [0, p) as little-endian limbs. */
	void (*to_u128)(vdaf_elem a, uint64_t out[2]);
	/* Generator of the subgroup of order 2^k (k <= two_adicity), i.e. the
	 * principal 2^k-th root of unity w = g^(2^(two_adicity-k)).
	 * Returns VDAF_ERR_INVALID if k > two_adicity. */
	int (*root_of_unity)(unsigned k, vdaf_elem *out);

	/* ---- encodings (little-endian, encoded_size bytes each) ---------- */
	/* Write n elements; out must hold n * encoded_size bytes. */
	void (*encode_vec)(uint8_t *out, const vdaf_elem *v, size_t n);
	/* Decode exactly n elements from len bytes. VDAF_ERR_INVALID if
	 * len != n * encoded_size or any element is >= p. out is unspecified
	 * on error. */
	int (*decode_vec)(vdaf_elem *out, size_t n, const uint8_t *in, size_t len);
	/* Rejection sampling step of XOF next_vec: scan nbytes (a multiple of
	 * encoded_size) of candidate bytes in order, appending each candidate
	 * x < p (after masking with next_pow2(p)-1, a no-op for these fields)
	 * to out, but never more than max_out elements. Returns how many were
	 * stored. The caller must pass no more candidates than it wants
	 * (nbytes <= max_out * encoded_size) so stream position stays exact. */
	size_t (*sample_vec)(vdaf_elem *out, size_t max_out, const uint8_t *in, size_t nbytes);

	/* ---- vectors (all lengths are element counts; dst may equal src
	 * where both are inputs of the same role) ------------------------ */
	void (*vec_add)(vdaf_elem *dst, const vdaf_elem *a, size_t n);       /* dst += a        */
	void (*vec_sub)(vdaf_elem *dst, const vdaf_elem *a, size_t n);       /* dst -= a        */
	void (*vec_neg)(vdaf_elem *dst, size_t n);                           /* dst = -dst      */
	void (*vec_scale)(vdaf_elem *dst, vdaf_elem c, size_t n);            /* dst *= c        */
	void (*vec_axpy)(vdaf_elem *dst, vdaf_elem c, const vdaf_elem *a, size_t n); /* dst += c*a */
	void (*vec_mul)(vdaf_elem *dst, const vdaf_elem *a, size_t n);       /* dst[i] *= a[i]  */
	/* sum_i a[i]*b[i] (lazy reduction inside). */
	vdaf_elem (*vec_inner)(const vdaf_elem *a, const vdaf_elem *b, size_t n);
	/* sum_i a[i] */
	vdaf_elem (*vec_sum)(const vdaf_elem *a, size_t n);
	/* sum_i a[2i]*a[2i+1] over n PAIRS (2n elements): ParallelSum(Mul). */
	vdaf_elem (*vec_pair_products)(const vdaf_elem *a, size_t n_pairs);
	/* dst[i] = base * step^i for i < n (powers of a root of unity, r^i, ...). */
	void (*vec_powers)(vdaf_elem *dst, vdaf_elem base, vdaf_elem step, size_t n);
	/* One radix-2 Cooley-Tukey pass used by ntt.c: for every block of
	 * 2*half elements of a[0..n): with x = a[s+j], y = a[s+half+j]*tw[j]
	 * (j < half): a[s+j] = x + y, a[s+half+j] = x - y. n is a multiple of
	 * 2*half. */
	void (*ntt_pass)(vdaf_elem *a, size_t n, size_t half, const vdaf_elem *tw);
};

extern const vdaf_field vdaf_field64;
extern const vdaf_field vdaf_field128;
extern const vdaf_field vdaf_field32;
extern const vdaf_field vdaf_field40;

/* Look up a field by the name used in the test vectors ("Field64", ...);
 * NULL if unknown. */
const vdaf_field *vdaf_field_by_name(const char *name);
const vdaf_field *vdaf_field_by_id(vdaf_field_id id);

/* Constant-time equality of two (reduced) elements: 1 if equal, else 0. */
static inline int
vdaf_elem_eq(vdaf_elem a, vdaf_elem b)
{
	uint64_t d = (a.w[0] ^ b.w[0]) | (a.w[1] ^ b.w[1]);
	return (int) (((d | (0 - d)) >> 63) ^ 1);
}

static inline int
vdaf_elem_is_zero(vdaf_elem a)
{
	vdaf_elem z = { { 0, 0 } };
	return vdaf_elem_eq(a, z);
}

static inline vdaf_elem
vdaf_elem_zero(void)
{
	vdaf_elem z = { { 0, 0 } };
	return z;
}

/* Constant-time select: mask must be 0 or all ones; returns mask ? a : b. */
static inline vdaf_elem
vdaf_elem_select(uint64_t mask, vdaf_elem a, vdaf_elem b)
{
	vdaf_elem r;
	r.w[0] = (a.w[0] & mask) | (b.w[0] & ~mask);
	r.w[1] = (a.w[1] & mask) | (b.w[1] & ~mask);
	return r;
}

/* ---- helpers written once on top of the descriptor ----------------- */

/* bits(v, n): out[i] = (v >> i) & 1 for i < n, v given as a 128-bit integer
 * (lo, hi). VDAF_ERR_INVALID if v >= 2^n or n > 128. (For n <= 128 only.) */
int vdaf_field_encode_bits(const vdaf_field *f, vdaf_elem *out, uint64_t lo, uint64_t hi,
                           size_t n);
/* unbits(b): sum_i 2^i * b[i] mod p (linear, works on shares).
 * VDAF_ERR_INVALID if p >> n == 0 (n >= bit length of p). */
int vdaf_field_decode_bits(const vdaf_field *f, vdaf_elem *out, const vdaf_elem *b, size_t n);
/* Batch inversion (Montgomery's trick): out[i] = 1/a[i]; zeros map to zero
 * only if the caller guarantees none are zero (a zero poisons the batch:
 * returns VDAF_ERR_INVALID and leaves out unspecified). out may equal a.
 * Needs scratch of n elements (allocated internally). */
int vdaf_field_batch_inv(const vdaf_field *f, vdaf_elem *out, const vdaf_elem *a, size_t n);

#endif
