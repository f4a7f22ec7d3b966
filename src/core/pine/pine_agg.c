/*
 * pine_agg.c: aggregation and unsharding, directly on encoded
 * (little-endian, canonical) field-element vectors, so an SQL aggregate can
 * keep a flat bytea state: pine_agg_init, pine_agg_add, pine_unshard.
 *
 * pine_vec_add_encoded validates the whole source first (so the accumulator
 * is untouched on error) and then adds with branch-free modular reduction.
 */
#include <stdlib.h>
#include <string.h>

#include "common/codec.h"
#include "pine/pine_internal.h"

/* Field40 elements are 5 bytes, little-endian. */
#define FIELD40_ELEM_BYTES 5

static uint64_t
load_u40_le(const uint8_t *p)
{
	return (uint64_t) sa_load_u32_le(p) | ((uint64_t) p[4] << 32);
}

static void
store_u40_le(uint8_t *p, uint64_t v)
{
	sa_store_u32_le(p, (uint32_t) v);
	p[4] = (uint8_t) (v >> 32);
}

pine_status
pine_vec_check_encoded(pine_field_id field, const uint8_t *v, size_t n)
{
	const pine_u128 p = pine_field_modulus(field);
	const uint64_t p_lo = (uint64_t) p, p_hi = (uint64_t) (p >> 64);
	uint64_t bad = 0;

	switch (field) {
	case PINE_FIELD64:
		for (size_t i = 0; i < n; i++)
			bad |= (uint64_t) (sa_load_u64_le(v + 8 * i) >= p_lo);
		break;
	case PINE_FIELD32:
		for (size_t i = 0; i < n; i++)
			bad |= (uint64_t) (sa_load_u32_le(v + 4 * i) >= p_lo);
		break;
	case PINE_FIELD40:
		for (size_t i = 0; i < n; i++)
			bad |= (uint64_t) (load_u40_le(v + FIELD40_ELEM_BYTES * i) >= p_lo);
		break;
	case PINE_FIELD128:
		for (size_t i = 0; i < n; i++) {
			uint64_t lo = sa_load_u64_le(v + 16 * i), hi = sa_load_u64_le(v + 16 * i + 8);
			bad |= (uint64_t) (hi > p_hi || (hi == p_hi && lo >= p_lo));
		}
		break;
	default:
		return PINE_ERR_PARAM;
	}
	return bad ? PINE_ERR_NONCANONICAL : PINE_OK;
}

/* acc += src, element-wise mod p, for canonical operands (a, b < p). */
static void
add64(uint8_t *acc, const uint8_t *src, size_t n, uint64_t p)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t a = sa_load_u64_le(acc + 8 * i), b = sa_load_u64_le(src + 8 * i);
		uint64_t s = a + b;
		uint64_t carry = s < a;
		uint64_t t = s - p;
		/* reduce if the sum carried out or is >= p */
		uint64_t m = 0 - (carry | (uint64_t) (s >= p));
		sa_store_u64_le(acc + 8 * i, (t & m) | (s & ~m));
	}
}

static void
add32(uint8_t *acc, const uint8_t *src, size_t n, uint64_t p)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t s = (uint64_t) sa_load_u32_le(acc + 4 * i) + sa_load_u32_le(src + 4 * i);
		uint64_t m = 0 - (uint64_t) (s >= p);
		s -= p & m;
		sa_store_u32_le(acc + 4 * i, (uint32_t) s);
	}
}

static void
add40(uint8_t *acc, const uint8_t *src, size_t n, uint64_t p)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t s = load_u40_le(acc + FIELD40_ELEM_BYTES * i) + load_u40_le(src + FIELD40_ELEM_BYTES * i);
		uint64_t m = 0 - (uint64_t) (s >= p);
		s -= p & m;
		store_u40_le(acc + FIELD40_ELEM_BYTES * i, s);
	}
}

static void
add128(uint8_t *acc, const uint8_t *src, size_t n, pine_u128 p)
{
	for (size_t i = 0; i < n; i++) {
		pine_u128 a = ((pine_u128) sa_load_u64_le(acc + 16 * i + 8) << 64) | sa_load_u64_le(acc + 16 * i);
		pine_u128 b = ((pine_u128) sa_load_u64_le(src + 16 * i + 8) << 64) | sa_load_u64_le(src + 16 * i);
		pine_u128 s = a + b;
		pine_u128 carry = s < a;
		pine_u128 m = 0 - (carry | (pine_u128) (s >= p));
		s -= p & m;
		sa_store_u64_le(acc + 16 * i, (uint64_t) s);
		sa_store_u64_le(acc + 16 * i + 8, (uint64_t) (s >> 64));
	}
}

pine_status
pine_vec_add_encoded(pine_field_id field, uint8_t *acc, const uint8_t *src,
                     size_t n)
{
	pine_status st;

	if (acc == NULL || src == NULL)
		return PINE_ERR_PARAM;
	/* Validate everything first so acc is untouched on error. */
	const size_t blk = 4096;
	size_t e = pine_field_elem_size(field);
	if (e == 0)
		return PINE_ERR_PARAM;
	if ((st = pine_vec_check_encoded(field, src, n)) != PINE_OK)
		return st;
	const pine_u128 p = pine_field_modulus(field);
	for (size_t i = 0; i < n; i += blk) {
		size_t m = n - i < blk ? n - i : blk;
		switch (field) {
		case PINE_FIELD64: add64(acc + 8 * i, src + 8 * i, m, (uint64_t) p); break;
		case PINE_FIELD32: add32(acc + 4 * i, src + 4 * i, m, (uint64_t) p); break;
		case PINE_FIELD40:
			add40(acc + FIELD40_ELEM_BYTES * i, src + FIELD40_ELEM_BYTES * i, m, (uint64_t) p);
			break;
		case PINE_FIELD128: add128(acc + 16 * i, src + 16 * i, m, p); break;
		}
	}
	return PINE_OK;
}

/* ------------------------------------------------------------------------ */
/* aggregation and unsharding on encoded shares                              */

void
pine_agg_init(const pine_params *P, uint8_t *agg)
{
	memset(agg, 0, P->agg_share_len);
}

pine_status
pine_agg_add(const pine_params *P, uint8_t *agg, size_t agg_len,
             const uint8_t *share, size_t share_len, const char **why)
{
	pine_status st;

	if (P == NULL || agg == NULL || share == NULL) {
		pine_set_why(why, "NULL argument");
		return PINE_ERR_PARAM;
	}
	if (agg_len != P->agg_share_len || share_len != P->out_share_len) {
		pine_set_why(why, "aggregate or output share has the wrong length");
		return PINE_ERR_MALFORMED;
	}
	st = pine_vec_add_encoded(P->field, agg, share, P->dimension);
	if (st != PINE_OK)
		pine_set_why(why, "output share has a non-canonical element");
	return st;
}

pine_status
pine_unshard(const pine_params *P, const uint8_t *const *agg_shares,
             const size_t *lens, size_t num, uint64_t num_measurements,
             double *result, const char **why)
{
	uint8_t *sum;
	pine_status st = PINE_OK;
	size_t E, d;

	if (P == NULL || agg_shares == NULL || lens == NULL || result == NULL) {
		pine_set_why(why, "NULL argument");
		return PINE_ERR_PARAM;
	}
	if (num != P->num_shares) {
		pine_set_why(why, "wrong number of aggregate shares");
		return PINE_ERR_MALFORMED;
	}
	if (num_measurements > P->max_measurements) {
		pine_set_why(why, "too many measurements for the norm bound: the sum may wrap around");
		return PINE_ERR_PARAM;
	}
	if (num_measurements < P->cfg.min_batch_size) {
		pine_set_why(why, "fewer measurements than min_batch_size: the sum is not released");
		return PINE_ERR_BATCH_SIZE;
	}
	for (size_t j = 0; j < num; j++)
		if (agg_shares[j] == NULL || lens[j] != P->agg_share_len) {
			pine_set_why(why, "aggregate share has the wrong length");
			return PINE_ERR_MALFORMED;
		}
	E = P->elem_size, d = P->dimension;
	sum = calloc(d, E);
	if (sum == NULL) {
		pine_set_why(why, "out of memory");
		return PINE_ERR_NOMEM;
	}
	for (size_t j = 0; j < num; j++) {
		if (pine_vec_add_encoded(P->field, sum, agg_shares[j], d) != PINE_OK) {
			st = PINE_ERR_NONCANONICAL;
			pine_set_why(why, "aggregate share has a non-canonical element");
			goto out;
		}
	}
	for (size_t i = 0; i < d; i++) {
		uint64_t v[2] = { 0, 0 };
		const uint8_t *b = sum + i * E;
		for (size_t k = 0; k < E; k++)
			v[k / 8] |= (uint64_t) b[k] << (8 * (k % 8));
		result[i] = pine_decode_value(P, v);
	}
out:
	free(sum);
	return st;
}
