/*
 * field_vec_impl.h: INTERNAL. Generic vector operations, encodings and
 * exponentiation for one field, written once and compiled into each
 * field*.c with that field's scalar primitives inlined.
 *
 * Before including, the field file defines (static inline):
 *   vdaf_elem fe_add(vdaf_elem, vdaf_elem), fe_sub, fe_mul; vdaf_elem fe_neg(vdaf_elem)
 *   vdaf_elem fe_one(void)
 *   vdaf_elem fe_from_canon(uint64_t lo, uint64_t hi)   -- value already < p
 *   void      fe_to_canon(vdaf_elem, uint64_t out[2])
 * and the macros FE_ENCODED_SIZE, FE_P_LO, FE_P_HI (modulus limbs).
 * A field may supply faster versions of some operations and define
 * FE_HAVE_VEC_INNER, FE_HAVE_VEC_SUM or FE_HAVE_VEC_PAIR_PRODUCTS to
 * suppress the generic ones.
 *
 * All functions here are constant time in element values.
 */
#ifndef SECAGG_VDAF_FIELD_VEC_IMPL_H
#define SECAGG_VDAF_FIELD_VEC_IMPL_H

#include <string.h>

#include "vdaf/field.h"

__extension__ typedef unsigned __int128 vdaf_u128;

static inline void
fe_vec_add(vdaf_elem *dst, const vdaf_elem *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = fe_add(dst[i], a[i]);
}

static inline void
fe_vec_sub(vdaf_elem *dst, const vdaf_elem *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = fe_sub(dst[i], a[i]);
}

static inline void
fe_vec_neg(vdaf_elem *dst, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = fe_neg(dst[i]);
}

static inline void
fe_vec_scale(vdaf_elem *dst, vdaf_elem c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = fe_mul(dst[i], c);
}

static inline void
fe_vec_axpy(vdaf_elem *dst, vdaf_elem c, const vdaf_elem *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = fe_add(dst[i], fe_mul(c, a[i]));
}

static inline void
fe_vec_mul(vdaf_elem *dst, const vdaf_elem *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = fe_mul(dst[i], a[i]);
}

#ifndef FE_HAVE_VEC_INNER
static inline vdaf_elem
fe_vec_inner(const vdaf_elem *a, const vdaf_elem *b, size_t n)
{
	vdaf_elem acc = vdaf_elem_zero();
	for (size_t i = 0; i < n; i++)
		acc = fe_add(acc, fe_mul(a[i], b[i]));
	return acc;
}
#endif

#ifndef FE_HAVE_VEC_SUM
static inline vdaf_elem
fe_vec_sum(const vdaf_elem *a, size_t n)
{
	vdaf_elem acc = vdaf_elem_zero();
	for (size_t i = 0; i < n; i++)
		acc = fe_add(acc, a[i]);
	return acc;
}
#endif

#ifndef FE_HAVE_VEC_PAIR_PRODUCTS
static inline vdaf_elem
fe_vec_pair_products(const vdaf_elem *a, size_t n_pairs)
{
	vdaf_elem acc = vdaf_elem_zero();
	for (size_t i = 0; i < n_pairs; i++)
		acc = fe_add(acc, fe_mul(a[2 * i], a[2 * i + 1]));
	return acc;
}
#endif

static inline void
fe_vec_powers(vdaf_elem *dst, vdaf_elem base, vdaf_elem step, size_t n)
{
	vdaf_elem cur = base;
	for (size_t i = 0; i < n; i++) {
		dst[i] = cur;
		cur = fe_mul(cur, step);
	}
}

static inline void
fe_ntt_pass(vdaf_elem *a, size_t n, size_t half, const vdaf_elem *tw)
{
	for (size_t s = 0; s + 2 * half <= n; s += 2 * half) {
		vdaf_elem *x = a + s, *y = a + s + half;
		for (size_t j = 0; j < half; j++) {
			vdaf_elem t = fe_mul(y[j], tw[j]);
			y[j] = fe_sub(x[j], t);
			x[j] = fe_add(x[j], t);
		}
	}
}

/* a^e for a PUBLIC exponent (branches on exponent bits only);
 * left-to-right binary starting at the top set bit. */
static inline vdaf_elem
fe_pow(vdaf_elem a, uint64_t e)
{
	vdaf_elem r = fe_one();
	int top = 63;
	while (top >= 0 && ((e >> top) & 1u) == 0)
		top--;
	for (int bit = top; bit >= 0; bit--) {
		r = fe_mul(r, r);
		if ((e >> bit) & 1u)
			r = fe_mul(r, a);
	}
	return r;
}

/* a^e, e = e_hi * 2^64 + e_lo, public exponent. */
static inline vdaf_elem
fe_pow_u128(vdaf_elem a, uint64_t e_lo, uint64_t e_hi)
{
	if (e_hi == 0)
		return fe_pow(a, e_lo);
	vdaf_elem r = fe_pow(a, e_hi);
	for (int bit = 63; bit >= 0; bit--) {
		r = fe_mul(r, r);
		if ((e_lo >> bit) & 1u)
			r = fe_mul(r, a);
	}
	return r;
}

/* Fermat inversion a^(p-2); 0 maps to 0. */
static inline vdaf_elem
fe_inv(vdaf_elem a)
{
	vdaf_u128 e = ((((vdaf_u128) FE_P_HI) << 64) | FE_P_LO) - 2;
	return fe_pow_u128(a, (uint64_t) e, (uint64_t) (e >> 64));
}

/* Little-endian load of FE_ENCODED_SIZE bytes into (lo, hi). */
static inline void
fe_load_le(const uint8_t *in, uint64_t out[2])
{
	out[0] = out[1] = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(out, in, FE_ENCODED_SIZE);
#else
	for (size_t i = 0; i < FE_ENCODED_SIZE; i++)
		out[i / 8] |= (uint64_t) in[i] << (8 * (i % 8));
#endif
}

/* 1 if (lo, hi) < p. Variable time is fine: only used on public decisions. */
static inline int
fe_canon_lt_p(const uint64_t v[2])
{
	/* borrow out of (v - p) as a 128-bit subtraction */
	vdaf_u128 x = ((vdaf_u128) v[1] << 64) | v[0];
	vdaf_u128 p = ((vdaf_u128) FE_P_HI << 64) | FE_P_LO;
	return x < p;
}

static inline void
fe_encode_vec(uint8_t *out, const vdaf_elem *v, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		uint64_t c[2];
		fe_to_canon(v[k], c);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		memcpy(out + k * FE_ENCODED_SIZE, c, FE_ENCODED_SIZE);
#else
		for (size_t i = 0; i < FE_ENCODED_SIZE; i++)
			out[k * FE_ENCODED_SIZE + i] = (uint8_t) (c[i / 8] >> (8 * (i % 8)));
#endif
	}
}

static inline int
fe_decode_vec(vdaf_elem *out, size_t n, const uint8_t *in, size_t len)
{
	if (n > SIZE_MAX / FE_ENCODED_SIZE || len != n * FE_ENCODED_SIZE)
		return VDAF_ERR_INVALID;
	if (n > 0 && in == NULL)
		return VDAF_ERR_INVALID;
	int bad = 0;
	for (size_t k = 0; k < n; k++) {
		uint64_t c[2];
		fe_load_le(in + k * FE_ENCODED_SIZE, c);
		bad |= !fe_canon_lt_p(c);
		out[k] = fe_from_canon(c[0] & (0 - (uint64_t) !bad), c[1] & (0 - (uint64_t) !bad));
	}
	return bad ? VDAF_ERR_INVALID : VDAF_OK;
}

static inline size_t
fe_sample_vec(vdaf_elem *out, size_t max_out, const uint8_t *in, size_t nbytes)
{
	size_t got = 0;
	for (size_t off = 0; off + FE_ENCODED_SIZE <= nbytes && got < max_out;
	     off += FE_ENCODED_SIZE) {
		uint64_t c[2];
		fe_load_le(in + off, c);
		if (fe_canon_lt_p(c))
			out[got++] = fe_from_canon(c[0], c[1]);
	}
	return got;
}

/* Out-of-line scalar entry points for the descriptor. */
static vdaf_elem fe_op_add(vdaf_elem a, vdaf_elem b) { return fe_add(a, b); }
static vdaf_elem fe_op_sub(vdaf_elem a, vdaf_elem b) { return fe_sub(a, b); }
static vdaf_elem fe_op_neg(vdaf_elem a) { return fe_neg(a); }
static vdaf_elem fe_op_mul(vdaf_elem a, vdaf_elem b) { return fe_mul(a, b); }
static vdaf_elem fe_op_inv(vdaf_elem a) { return fe_inv(a); }
static vdaf_elem fe_op_pow(vdaf_elem a, uint64_t e) { return fe_pow(a, e); }

/*
 * The descriptor members every field fills from this file. A field file
 * writes its constants and its from_u64 / from_u128 / to_u128 /
 * root_of_unity, then FE_GENERIC_OPS:
 *   const vdaf_field vdaf_fieldNN = { .name = ..., ..., FE_GENERIC_OPS };
 */
#define FE_GENERIC_OPS                                                        \
	.add = fe_op_add, .sub = fe_op_sub, .neg = fe_op_neg, .mul = fe_op_mul,   \
	.inv = fe_op_inv, .pow = fe_op_pow,                                       \
	.encode_vec = fe_encode_vec, .decode_vec = fe_decode_vec,                 \
	.sample_vec = fe_sample_vec, .vec_add = fe_vec_add,                       \
	.vec_sub = fe_vec_sub, .vec_neg = fe_vec_neg, .vec_scale = fe_vec_scale,  \
	.vec_axpy = fe_vec_axpy, .vec_mul = fe_vec_mul,                           \
	.vec_inner = fe_vec_inner, .vec_sum = fe_vec_sum,                         \
	.vec_pair_products = fe_vec_pair_products,                                \
	.vec_powers = fe_vec_powers,                                              \
	.ntt_pass = fe_ntt_pass

#endif
