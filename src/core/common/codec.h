/*
 * codec.h: bounds-checked byte reader and growable byte writer.
 *
 * The reader never reads past its end: every get returns false once the
 * input is exhausted and the reader stays failed, so a parser can read a
 * whole structure and check sa_reader_ok()/sa_reader_done() once.
 * Integers on the wire are big-endian except where a format says otherwise
 * (vector elements are little-endian u64).
 */
#ifndef SECAGG_COMMON_CODEC_H
#define SECAGG_COMMON_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct sa_reader {
	const uint8_t *p;
	size_t len;
	size_t pos;
	bool failed;
} sa_reader;

void sa_reader_init(sa_reader *r, const uint8_t *p, size_t len);
bool sa_get_u8(sa_reader *r, uint8_t *v);
bool sa_get_u32(sa_reader *r, uint32_t *v);
bool sa_get_u64(sa_reader *r, uint64_t *v);
bool sa_get_bytes(sa_reader *r, uint8_t *out, size_t n);
/* Returns a pointer to n bytes inside the input (no copy), or NULL. */
const uint8_t *sa_get_view(sa_reader *r, size_t n);
/* Count prefix checked against the bytes left: count * min_each <= remaining. */
bool sa_get_count(sa_reader *r, uint32_t *count, size_t min_each);
size_t sa_reader_remaining(const sa_reader *r);
bool sa_reader_ok(const sa_reader *r);
/* True when the input was read without error and entirely (no trailing bytes). */
bool sa_reader_done(const sa_reader *r);

typedef struct sa_writer {
	uint8_t *buf;
	size_t len;
	size_t cap;
	bool failed;            /* allocation failed; further writes are ignored */
} sa_writer;

void sa_writer_init(sa_writer *w);
bool sa_writer_reserve(sa_writer *w, size_t extra);
/*
 * Makes room for exactly `extra` more bytes when the buffer is too small
 * (no doubling): for a caller that knows its final size, one allocation
 * and no copy.
 */
bool sa_writer_reserve_exact(sa_writer *w, size_t extra);
void sa_put_u8(sa_writer *w, uint8_t v);
void sa_put_u32(sa_writer *w, uint32_t v);
void sa_put_u64(sa_writer *w, uint64_t v);
void sa_put_bytes(sa_writer *w, const void *p, size_t n);
/* Hand over the buffer (caller frees with sa_free); NULL if a write failed. */
uint8_t *sa_writer_finish(sa_writer *w, size_t *len);
void sa_writer_discard(sa_writer *w);   /* wipes and frees */

static inline void
sa_store_u64_be(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t) v;
		v >>= 8;
	}
}

static inline uint64_t
sa_load_u64_be(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static inline void
sa_store_u32_be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t) (v >> 24);
	p[1] = (uint8_t) (v >> 16);
	p[2] = (uint8_t) (v >> 8);
	p[3] = (uint8_t) v;
}

static inline uint32_t
sa_load_u32_be(const uint8_t *p)
{
	return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) |
	       ((uint32_t) p[2] << 8) | (uint32_t) p[3];
}

/* Little-endian loads and stores (one move on little-endian hosts). */
static inline uint64_t
sa_load_u64_le(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
#else
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
#endif
}

static inline void
sa_store_u64_le(uint8_t *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(p, &v, 8);
#else
	for (int i = 0; i < 8; i++) {
		p[i] = (uint8_t) v;
		v >>= 8;
	}
#endif
}

static inline uint32_t
sa_load_u32_le(const uint8_t *p)
{
	return (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16) |
	       ((uint32_t) p[3] << 24);
}

static inline void
sa_store_u32_le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t) v;
	p[1] = (uint8_t) (v >> 8);
	p[2] = (uint8_t) (v >> 16);
	p[3] = (uint8_t) (v >> 24);
}

/* acc[i] += src[i] over n little-endian u64 words stored as bytes (mod 2^64). */
static inline void
sa_add_le64_words(uint8_t *restrict acc, const uint8_t *restrict src, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t a, b;
		memcpy(&a, acc + 8 * i, 8);
		memcpy(&b, src + 8 * i, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		a = __builtin_bswap64(__builtin_bswap64(a) + __builtin_bswap64(b));
#else
		a += b;
#endif
		memcpy(acc + 8 * i, &a, 8);
	}
}

#endif
