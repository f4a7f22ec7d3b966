/*
 * pine_agg.c: aggregation directly on encoded (little-endian, canonical)
 * field-element vectors, so an SQL aggregate can keep a flat bytea state.
 *
 * pine_vec_add_encoded validates the whole source first (so the accumulator
 * is untouched on error) and then adds with branch-free modular reduction.
 */
#include <string.h>

#include "pine/pine_internal.h"

#define P64 0xffffffff00000001ULL
#define P32 4293918721U
#define P128_HI 0xffffffffffffffe4ULL
#define P128_LO 1ULL

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static inline uint64_t ld64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}
static inline void st64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}
static inline uint32_t ld32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}
static inline void st32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}
#else
static inline uint64_t ld64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}
static inline void st64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		p[i] = (uint8_t) v;
}
static inline uint32_t ld32(const uint8_t *p)
{
	return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 |
	       (uint32_t) p[3] << 24;
}
static inline void st32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++, v >>= 8)
		p[i] = (uint8_t) v;
}
#endif

pine_status pine_vec_check_encoded(pine_field_id field, const uint8_t *v, size_t n)
{
	uint64_t bad = 0;

	switch (field) {
	case PINE_FIELD64:
		for (size_t i = 0; i < n; i++)
			bad |= (uint64_t) (ld64(v + 8 * i) >= P64);
		break;
	case PINE_FIELD32:
		for (size_t i = 0; i < n; i++)
			bad |= (uint64_t) (ld32(v + 4 * i) >= P32);
		break;
	case PINE_FIELD128:
		for (size_t i = 0; i < n; i++) {
			uint64_t lo = ld64(v + 16 * i), hi = ld64(v + 16 * i + 8);
			bad |= (uint64_t) (hi > P128_HI || (hi == P128_HI && lo >= P128_LO));
		}
		break;
	default:
		return PINE_ERR_PARAM;
	}
	return bad ? PINE_ERR_NONCANONICAL : PINE_OK;
}

static void add64(uint8_t *acc, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t a = ld64(acc + 8 * i), b = ld64(src + 8 * i);
		uint64_t s = a + b;
		uint64_t carry = s < a;
		uint64_t t = s - P64;
		/* a, b < p: reduce if the sum carried out or is >= p */
		uint64_t m = 0 - (carry | (uint64_t) (s >= P64));
		st64(acc + 8 * i, (t & m) | (s & ~m));
	}
}

static void add32(uint8_t *acc, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t s = (uint64_t) ld32(acc + 4 * i) + ld32(src + 4 * i);
		uint64_t m = 0 - (uint64_t) (s >= P32);
		s -= (uint64_t) P32 & m;
		st32(acc + 4 * i, (uint32_t) s);
	}
}

static void add128(uint8_t *acc, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		pine_u128 a = ((pine_u128) ld64(acc + 16 * i + 8) << 64) | ld64(acc + 16 * i);
		pine_u128 b = ((pine_u128) ld64(src + 16 * i + 8) << 64) | ld64(src + 16 * i);
		pine_u128 p = ((pine_u128) P128_HI << 64) | P128_LO;
		pine_u128 s = a + b;
		pine_u128 carry = s < a;
		pine_u128 m = 0 - (carry | (pine_u128) (s >= p));
		s -= p & m;
		st64(acc + 16 * i, (uint64_t) s);
		st64(acc + 16 * i + 8, (uint64_t) (s >> 64));
	}
}

pine_status pine_vec_add_encoded(pine_field_id field, uint8_t *acc, const uint8_t *src,
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
	for (size_t i = 0; i < n; i += blk) {
		size_t m = n - i < blk ? n - i : blk;
		switch (field) {
		case PINE_FIELD64: add64(acc + 8 * i, src + 8 * i, m); break;
		case PINE_FIELD32: add32(acc + 4 * i, src + 4 * i, m); break;
		case PINE_FIELD128: add128(acc + 16 * i, src + 16 * i, m); break;
		}
	}
	return PINE_OK;
}
